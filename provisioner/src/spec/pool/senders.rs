//! `[pool.sms]` and `[pool.email]`: the senders Cognito sends codes and messages through
//! (Amazon SNS with an IAM role it assumes, Amazon SES with a verified identity).

use serde::Deserialize;
use toml::Spanned;

use super::is_region;
use crate::desired::{Email, SesEmail, Sms};
use crate::spec::{Locator, SpecError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSms {
    sns_caller_arn: Spanned<String>,
    external_id: Option<Spanned<String>>,
    sns_region: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    source_arn: Spanned<String>,
    from: Spanned<String>,
    reply_to: Option<Spanned<String>>,
    configuration_set: Option<Spanned<String>>,
}

pub(super) fn sms(raw: RawSms, loc: &Locator) -> Result<Sms, SpecError> {
    let arn = raw.sns_caller_arn.get_ref();
    if !is_role_arn(arn) {
        return Err(loc.on(
            &raw.sns_caller_arn,
            format!(
                "{arn:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>): Cognito assumes this role to \
                 send SMS through Amazon SNS"
            ),
        ));
    }
    if let Some(id) = &raw.external_id
        && id.get_ref().is_empty()
    {
        return Err(loc.on(
            id,
            "external_id is empty: leave the key out, or give the id the role's trust policy requires",
        ));
    }
    if let Some(region) = &raw.sns_region
        && !is_region(region.get_ref())
    {
        return Err(loc.on(
            region,
            format!(
                "{:?} is not an AWS region (for example \"us-east-1\")",
                region.get_ref()
            ),
        ));
    }
    Ok(Sms {
        sns_caller_arn: raw.sns_caller_arn.into_inner(),
        external_id: raw.external_id.map(Spanned::into_inner),
        sns_region: raw.sns_region.map(Spanned::into_inner),
    })
}

/// The model's ArnType, narrowed to an IAM role: `arn:<partition>:iam::<12 digits>:role/<path and name>`.
fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    arn.len() <= 2048
        && parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| !name.is_empty())
}

pub(super) fn ses_email(raw: RawEmail, loc: &Locator) -> Result<Email, SpecError> {
    let arn = raw.source_arn.get_ref();
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" || parts[2] != "ses" || !parts[5].starts_with("identity/") {
        return Err(loc.on(
            &raw.source_arn,
            format!("{arn:?} is not an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<address or domain>)"),
        ));
    }
    let from = raw.from.get_ref();
    if !from.contains('@') {
        return Err(loc.on(
            &raw.from,
            format!("{from:?} is not an address; accepted: \"noreply@example.com\" or \"Name <noreply@example.com>\""),
        ));
    }
    if let Some(reply_to) = &raw.reply_to
        && !reply_to.get_ref().contains('@')
    {
        return Err(loc.on(reply_to, format!("{:?} is not an email address", reply_to.get_ref())));
    }
    Ok(Email::Ses(SesEmail {
        source_arn: raw.source_arn.into_inner(),
        from: raw.from.into_inner(),
        reply_to: raw.reply_to.map(Spanned::into_inner),
        configuration_set: raw.configuration_set.map(Spanned::into_inner),
    }))
}
