//! How users sign in beyond a password: the first factors a choice-based sign-in offers
//! (SignInPolicy, sent with UpdateUserPool), passkeys (WebAuthnConfiguration, sent with
//! SetUserPoolMfaConfig), and what each needs from the pool: its feature plan
//! ([`Pool::essentials_feature`]), its email sender and its SMS configuration
//! ([`Pool::missing_sender`]).

use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, SignInPolicyType, UserVerificationType, WebAuthnConfigurationType, WebAuthnFactorConfigurationType,
};

use super::{Email, Pool};

closed_set! {
    /// A way to start signing in (SignInPolicy.AllowedFirstAuthFactors).
    pub enum AuthFactor {
        Password = ("password", "PASSWORD"),
        EmailOtp = ("email_otp", "EMAIL_OTP"),
        SmsOtp = ("sms_otp", "SMS_OTP"),
        WebAuthn = ("web_authn", "WEB_AUTHN"),
    }
}

closed_set! {
    /// Whether a passkey must verify its user (a PIN or biometrics): WebAuthnConfiguration.UserVerification.
    pub enum UserVerification {
        Preferred = ("preferred", "preferred"),
        Required = ("required", "required"),
    }
}

closed_set! {
    /// Whether a passkey is a single factor or, verifying its user, satisfies MFA too
    /// (WebAuthnConfiguration.FactorConfiguration).
    pub enum PasskeyFactor {
        SingleFactor = ("single_factor", "SINGLE_FACTOR"),
        MultiFactorWithUserVerification = ("multi_factor_with_user_verification", "MULTI_FACTOR_WITH_USER_VERIFICATION"),
    }
}

/// Passkeys: the relying party they are bound to, user verification, and whether they count
/// as MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAuthn {
    /// The domain passkeys are registered for: the pool's prefix domain
    /// (`<prefix>.auth.<region>.amazoncognito.com`) or its custom domain.
    pub relying_party_id: String,
    pub user_verification: UserVerification,
    /// `None`: left as the pool has it (unset, AWS's single factor, unless set elsewhere).
    pub factor: Option<PasskeyFactor>,
}

impl WebAuthn {
    pub(super) fn from_aws(config: &WebAuthnConfigurationType) -> Option<Self> {
        Some(Self {
            relying_party_id: config.relying_party_id().filter(|id| !id.is_empty())?.to_owned(),
            // AWS's default when none is set.
            user_verification: config
                .user_verification()
                .and_then(|v| UserVerification::from_aws(v.as_str()))
                .unwrap_or(UserVerification::Preferred),
            factor: config
                .factor_configuration()
                .and_then(|f| PasskeyFactor::from_aws(f.as_str())),
        })
    }

    /// The request value; a factor configuration the spec leaves out is kept as `base` has
    /// it.
    pub(super) fn to_aws(&self, base: Option<&WebAuthnConfigurationType>) -> WebAuthnConfigurationType {
        let factor = match self.factor {
            Some(factor) => Some(WebAuthnFactorConfigurationType::from(factor.as_aws())),
            None => base.and_then(|b| b.factor_configuration()).cloned(),
        };
        WebAuthnConfigurationType::builder()
            .relying_party_id(&self.relying_party_id)
            .user_verification(UserVerificationType::from(self.user_verification.as_aws()))
            .set_factor_configuration(factor)
            .build()
    }
}

/// The request's SignInPolicy.
pub(super) fn sign_in_policy(factors: &[AuthFactor]) -> SignInPolicyType {
    SignInPolicyType::builder()
        .set_allowed_first_auth_factors(Some(factors.iter().map(|f| AuthFactorType::from(f.as_aws())).collect()))
        .build()
}

/// The first factors DescribeUserPool reports; a pool that reports none offers passwords only.
pub(super) fn first_factors_from_aws(policy: Option<&SignInPolicyType>) -> Vec<AuthFactor> {
    let factors = super::sorted(
        policy
            .map(SignInPolicyType::allowed_first_auth_factors)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| AuthFactor::from_aws(f.as_str())),
    );
    if factors.is_empty() {
        vec![AuthFactor::Password]
    } else {
        factors
    }
}

impl Pool {
    /// The first setting of the spec that the Lite plan lacks (AWS: "The following features
    /// need to be disabled for the LITE pricing tier configured: Passwordless Sign-In"):
    /// passwordless first factors, passkeys and email MFA need Essentials or Plus.
    pub fn essentials_feature(&self) -> Option<&'static str> {
        let passwordless = self
            .first_factors
            .as_deref()
            .is_some_and(|factors| factors.iter().any(|f| *f != AuthFactor::Password));
        if passwordless {
            Some("passwordless sign-in ([pool.sign_in_policy] allowed_first_auth_factors beyond \"password\")")
        } else if self.web_authn.is_some() {
            Some("passkeys ([pool.web_authn])")
        } else if self.uses_email_mfa() {
            Some("email MFA ([pool.mfa_factors] email)")
        } else {
            None
        }
    }

    /// What a factor the spec asks for cannot be sent with: email codes need SES
    /// (EmailSendingAccount DEVELOPER), SMS codes an SMS configuration. `None` when each has
    /// its sender.
    pub fn missing_sender(&self) -> Option<String> {
        let factors = self.first_factors.as_deref().unwrap_or_default();
        let ses = matches!(self.email, Email::Ses(_));
        if !ses && (self.uses_email_mfa() || factors.contains(&AuthFactor::EmailOtp)) {
            return Some(
                "email codes (email MFA, or the email_otp first factor) are sent only through Amazon SES: set \
                 [pool.email] source_arn and from (EmailSendingAccount DEVELOPER)"
                    .into(),
            );
        }
        if self.sms.is_none() && (self.uses_sms_mfa() || factors.contains(&AuthFactor::SmsOtp)) {
            return Some(
                "SMS codes (SMS MFA, or the sms_otp first factor) need an SMS configuration: set [pool.sms] \
                 sns_caller_arn (the IAM role Cognito assumes to publish through Amazon SNS)"
                    .into(),
            );
        }
        None
    }
}
