//! `[domain]`: the hosted-UI domain prefix, the login pages it serves, and `[domain.custom]`,
//! the pool's custom domain. Without the table the pool's domains are not managed.

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::Domain;
use crate::desired::domain::{CLASSIC, CustomDomain, MANAGED_LOGIN};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDomain {
    prefix: Spanned<String>,
    managed_login_version: Option<Spanned<i64>>,
    custom: Option<RawCustomDomain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomDomain {
    name: Spanned<String>,
    certificate_arn: Spanned<String>,
}

pub(super) fn desired(raw: RawDomain, loc: &Locator) -> Result<Domain, SpecError> {
    check_domain_prefix(raw.prefix.get_ref()).map_err(|m| loc.on(&raw.prefix, m))?;
    let managed_login_version = match raw.managed_login_version {
        None => None,
        Some(version) => match i32::try_from(*version.get_ref()) {
            Ok(v @ (CLASSIC | MANAGED_LOGIN)) => Some(v),
            _ => {
                return Err(loc.on(
                    &version,
                    format!(
                        "managed_login_version is {}; accepted: 1 (the classic hosted UI) or 2 (managed login)",
                        version.get_ref()
                    ),
                ));
            }
        },
    };
    let custom = raw.custom.map(|custom| custom_domain(custom, loc)).transpose()?;
    Ok(Domain {
        prefix: raw.prefix.into_inner(),
        managed_login_version,
        custom,
    })
}

fn custom_domain(raw: RawCustomDomain, loc: &Locator) -> Result<CustomDomain, SpecError> {
    let name = raw.name.get_ref();
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(loc.on(
            &raw.name,
            format!(
                "domain.custom.name {name:?} is not a domain name; accepted: lowercase labels of letters, digits and \
                 hyphens, separated by dots, such as \"auth.example.com\""
            ),
        ));
    }
    if name.ends_with(".amazoncognito.com") || name.ends_with(".amazonaws.com") {
        return Err(loc.on(
            &raw.name,
            format!(
                "{name:?} is an AWS domain: a prefix domain is [domain] prefix, a custom domain is one of your own"
            ),
        ));
    }
    // CloudFront serves the domain, and reads certificates from us-east-1 only (AWS: "The
    // specified SSL certificate doesn't exist, isn't in us-east-1 region, ...").
    let arn = raw.certificate_arn.get_ref();
    let parts: Vec<&str> = arn.split(':').collect();
    let certificate =
        parts.len() == 6 && parts[0] == "arn" && parts[2] == "acm" && parts[5].starts_with("certificate/");
    if !certificate {
        return Err(loc.on(
            &raw.certificate_arn,
            format!("{arn:?} is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)"),
        ));
    }
    if parts[3] != "us-east-1" {
        return Err(loc.on(
            &raw.certificate_arn,
            format!(
                "the certificate is in {}, and a custom domain's must be in us-east-1 (CloudFront reads certificates \
                 from there only): request or import one for {name:?} in us-east-1",
                parts[3]
            ),
        ));
    }
    Ok(CustomDomain {
        name: raw.name.into_inner(),
        certificate_arn: raw.certificate_arn.into_inner(),
    })
}

/// Cognito's rule for a hosted-UI domain prefix.
pub fn check_domain_prefix(prefix: &str) -> Result<(), String> {
    let chars_ok = prefix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ends_ok = !prefix.starts_with('-') && !prefix.ends_with('-');
    if prefix.is_empty() || prefix.len() > 63 || !chars_ok || !ends_ok {
        return Err(format!(
            "domain.prefix {prefix:?} is not valid; accepted: 1 to 63 lowercase letters, digits and hyphens, \
             not starting or ending with a hyphen"
        ));
    }
    if let Some(reserved) = ["aws", "amazon", "cognito"].into_iter().find(|r| prefix.contains(r)) {
        return Err(format!(
            "domain.prefix {prefix:?} contains the reserved word {reserved:?}; Cognito refuses prefixes with aws, amazon or cognito"
        ));
    }
    Ok(())
}
