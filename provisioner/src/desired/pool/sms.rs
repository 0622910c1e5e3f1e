//! The pool's SMS sender (SmsConfiguration): the IAM role Cognito assumes to publish through
//! Amazon SNS. Phone-number sign-in and verification, SMS MFA and SMS first factors need it.

use std::fmt;

use aws_sdk_cognitoidentityprovider::types::SmsConfigurationType;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The IAM role's ARN (SnsCallerArn).
    pub sns_caller_arn: String,
    /// The external id the role's trust policy requires (ExternalId).
    pub external_id: Option<String>,
    /// The region whose SNS sends the messages (SnsRegion); `None`: the pool's own.
    pub sns_region: Option<String>,
}

impl Sms {
    pub(super) fn from_aws(config: &SmsConfigurationType) -> Option<Self> {
        Some(Self {
            sns_caller_arn: Some(config.sns_caller_arn()).filter(|arn| !arn.is_empty())?.to_owned(),
            external_id: config.external_id().filter(|id| !id.is_empty()).map(str::to_owned),
            sns_region: config.sns_region().filter(|r| !r.is_empty()).map(str::to_owned),
        })
    }

    /// The request value, keeping what the spec does not manage (EumsSms) as `base` has it.
    pub(super) fn to_aws(&self, base: Option<&SmsConfigurationType>) -> SmsConfigurationType {
        SmsConfigurationType::builder()
            .sns_caller_arn(&self.sns_caller_arn)
            .set_external_id(self.external_id.clone())
            .set_sns_region(self.sns_region.clone())
            .set_eums_sms(base.and_then(|b| b.eums_sms()).cloned())
            .build()
    }
}

/// One line for the plan: the role, then what else is set.
impl fmt::Display for Sms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "role {}", self.sns_caller_arn)?;
        if let Some(id) = &self.external_id {
            write!(f, ", external id {id}")?;
        }
        if let Some(region) = &self.sns_region {
            write!(f, ", SNS in {region}")?;
        }
        Ok(())
    }
}
