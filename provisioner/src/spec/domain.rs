//! `[domain]`: the hosted-UI domain prefix and the login pages it serves. Without the table
//! the pool's domain is not managed.

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::Domain;
use crate::desired::domain::{CLASSIC, MANAGED_LOGIN};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDomain {
    prefix: Spanned<String>,
    managed_login_version: Option<Spanned<i64>>,
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
    Ok(Domain {
        prefix: raw.prefix.into_inner(),
        managed_login_version,
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
