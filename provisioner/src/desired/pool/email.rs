//! Who sends the pool's email (EmailConfiguration): Cognito's own sender or SES, as the spec
//! and DescribeUserPool say it, and the request value that keeps what the spec leaves alone.

use std::fmt;

use aws_sdk_cognitoidentityprovider::types::{EmailConfigurationType, EmailSendingAccountType};

/// Who sends the pool's email.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Email {
    /// Cognito's own sender (`COGNITO_DEFAULT`): a low daily quota, for development.
    #[default]
    Cognito,
    /// Amazon SES in the account (`DEVELOPER`).
    Ses(SesEmail),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesEmail {
    /// The verified SES identity's ARN.
    pub source_arn: String,
    /// `Name <address>` or an address of that identity.
    pub from: String,
    pub reply_to: Option<String>,
    pub configuration_set: Option<String>,
}

impl Email {
    /// The request's EmailConfiguration. Cognito's sender may still carry a From address, a
    /// reply-to address and the SES identity behind them (set in the console): the spec does
    /// not manage those, so they are sent back as `base` has them, as long as `base` uses
    /// Cognito's sender too (after SES they meant SES and are dropped).
    pub(super) fn to_aws(&self, base: Option<&EmailConfigurationType>) -> EmailConfigurationType {
        match self {
            Email::Cognito => {
                let kept = base.filter(|b| b.email_sending_account() != Some(&EmailSendingAccountType::Developer));
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::CognitoDefault)
                    .set_source_arn(kept.and_then(|b| b.source_arn()).map(str::to_owned))
                    .set_from(kept.and_then(|b| b.from()).map(str::to_owned))
                    .set_reply_to_email_address(kept.and_then(|b| b.reply_to_email_address()).map(str::to_owned))
                    .set_configuration_set(kept.and_then(|b| b.configuration_set()).map(str::to_owned))
                    .build()
            }
            Email::Ses(ses) => EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn(&ses.source_arn)
                .from(&ses.from)
                .set_reply_to_email_address(ses.reply_to.clone())
                .set_configuration_set(ses.configuration_set.clone())
                .build(),
        }
    }

    pub(super) fn from_aws(config: Option<&EmailConfigurationType>) -> Self {
        match config {
            Some(config) if config.email_sending_account() == Some(&EmailSendingAccountType::Developer) => {
                Email::Ses(SesEmail {
                    source_arn: config.source_arn().unwrap_or_default().to_owned(),
                    from: config.from().unwrap_or_default().to_owned(),
                    reply_to: config.reply_to_email_address().map(str::to_owned),
                    configuration_set: config.configuration_set().map(str::to_owned),
                })
            }
            _ => Email::Cognito,
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Email::Cognito => f.write_str("COGNITO_DEFAULT"),
            Email::Ses(ses) => {
                write!(f, "DEVELOPER (SES {}, from {:?}", ses.source_arn, ses.from)?;
                if let Some(reply_to) = &ses.reply_to {
                    write!(f, ", reply-to {reply_to:?}")?;
                }
                if let Some(set) = &ses.configuration_set {
                    write!(f, ", configuration set {set}")?;
                }
                f.write_str(")")
            }
        }
    }
}
