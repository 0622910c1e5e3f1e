//! `[[groups]]`.

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError, unspanned};
use crate::desired::Group;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    name: Spanned<String>,
    description: Option<Spanned<String>>,
    precedence: Option<Spanned<i64>>,
    role_arn: Option<Spanned<String>>,
}

/// Without the table: one group, `members`, which post-confirmation adds users to.
pub(super) fn desired(raw: Option<Vec<RawGroup>>, loc: &Locator) -> Result<Vec<Group>, SpecError> {
    let raw = raw.unwrap_or_else(|| {
        vec![RawGroup {
            name: unspanned("members".into()),
            description: None,
            precedence: None,
            role_arn: None,
        }]
    });
    let mut groups: Vec<Group> = Vec::new();
    for group in raw {
        let name = group.name.get_ref();
        if !(1..=128).contains(&name.chars().count()) || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(loc.on(
                &group.name,
                format!("group name {name:?} is not valid; accepted: 1 to 128 characters without spaces"),
            ));
        }
        if groups.iter().any(|g| &g.name == name) {
            return Err(loc.on(&group.name, format!("group {name:?} is listed twice")));
        }
        if let Some(description) = &group.description
            && description.get_ref().chars().count() > 2048
        {
            return Err(loc.on(description, "a group's description is at most 2048 characters"));
        }
        let precedence = match &group.precedence {
            Some(p) => Some(
                u32::try_from(*p.get_ref())
                    .ok()
                    .filter(|p| i32::try_from(*p).is_ok())
                    .ok_or_else(|| loc.on(p, "precedence is a whole number from 0 (first) to 2147483647"))?,
            ),
            None => None,
        };
        if let Some(role) = &group.role_arn {
            let parts: Vec<&str> = role.get_ref().split(':').collect();
            if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].starts_with("role/") {
                return Err(loc.on(
                    role,
                    format!(
                        "{:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
                        role.get_ref()
                    ),
                ));
            }
        }
        groups.push(Group {
            name: group.name.into_inner(),
            description: group.description.map(Spanned::into_inner),
            precedence,
            role_arn: group.role_arn.map(Spanned::into_inner),
        });
    }
    Ok(groups)
}
