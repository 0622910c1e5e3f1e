//! `[triggers]`: which Lambda function each Cognito trigger invokes. The accepted keys come
//! from [`Trigger::ALL`], so a trigger added there is accepted here. A trigger left out is
//! left as it is; without the table, the three functions of this project are wired.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::{Trigger, Triggers, Version, Wired};

pub(super) type RawTriggers = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// Where the spec wires each trigger, for checks that need the other tables.
pub(super) type Positions = Vec<(Range<usize>, Trigger, Option<Version>)>;

const KMS_KEY: &str = "kms_key_id";

pub(super) fn desired(raw: Option<Spanned<RawTriggers>>, loc: &Locator) -> Result<(Triggers, Positions), SpecError> {
    let Some(raw) = raw else {
        let wired = [
            (Trigger::PreSignUp, "pre-signup"),
            (Trigger::PostConfirmation, "post-confirmation"),
            (Trigger::CustomMessage, "custom-message"),
        ]
        .into_iter()
        .map(|(trigger, function)| {
            (
                trigger,
                Wired {
                    function: function.into(),
                    version: None,
                },
            )
        })
        .collect();
        return Ok((
            Triggers {
                wired,
                kms_key_id: None,
            },
            Vec::new(),
        ));
    };
    let table_span = raw.span();
    let mut triggers = Triggers::default();
    let mut positions = Vec::new();
    for (key, value) in raw.into_inner() {
        if key.get_ref() == KMS_KEY {
            let Some(arn) = value.get_ref().as_str().filter(|arn| is_kms_key(arn)) else {
                return Err(loc.on(
                    &value,
                    "kms_key_id is a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
                ));
            };
            triggers.kms_key_id = Some(arn.to_owned());
            continue;
        }
        let Some(trigger) = Trigger::from_spec_key(key.get_ref()) else {
            let accepted: Vec<&str> = Trigger::ALL.iter().map(|t| t.spec_key()).chain([KMS_KEY]).collect();
            return Err(loc.on(
                &key,
                format!("unknown trigger `{}`; accepted: {}", key.get_ref(), accepted.join(", ")),
            ));
        };
        let wired = wired(trigger, &value, loc)?;
        positions.push((value.span(), trigger, wired.version));
        triggers.wired.insert(trigger, wired);
    }
    if let Some((span, trigger, _)) = positions.iter().find(|(_, t, _)| t.needs_kms_key())
        && triggers.kms_key_id.is_none()
    {
        return Err(loc.at(
            span.clone(),
            format!(
                "{trigger} needs [triggers] {KMS_KEY}: Cognito encrypts the codes it gives custom senders with \
                 that KMS key"
            ),
        ));
    }
    if triggers.kms_key_id.is_some() && !positions.iter().any(|(_, t, _)| t.needs_kms_key()) {
        return Err(loc.at(
            table_span,
            format!("{KMS_KEY} is used only by custom_email_sender and custom_sms_sender, and neither is wired"),
        ));
    }
    Ok((triggers, positions))
}

/// `"name-or-arn"`, or `{ function = "...", version = "V2_0" }` where AWS versions the trigger.
fn wired(trigger: Trigger, value: &Spanned<toml::Value>, loc: &Locator) -> Result<Wired, SpecError> {
    let versions: Vec<&str> = trigger.versions().iter().map(|v| v.as_aws()).collect();
    let shape = if versions.is_empty() {
        format!("{trigger} is a Lambda function name or ARN")
    } else {
        format!(
            "{trigger} is a Lambda function name or ARN, or {{ function = \"...\", version = \"{}\" }} (versions: {})",
            versions[versions.len() - 1],
            versions.join(", ")
        )
    };
    let (function, version) = match value.get_ref() {
        toml::Value::String(function) => (function.clone(), None),
        toml::Value::Table(table) if !versions.is_empty() => {
            if let Some(key) = table.keys().find(|k| !matches!(k.as_str(), "function" | "version")) {
                return Err(loc.on(value, format!("unknown key `{key}`; {shape}")));
            }
            let function = table
                .get("function")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| loc.on(value, format!("`function` is missing; {shape}")))?;
            let version = match table.get("version") {
                None => None,
                Some(version) => Some(
                    version
                        .as_str()
                        .and_then(Version::parse)
                        .filter(|v| trigger.versions().contains(v))
                        .ok_or_else(|| {
                            loc.on(value, format!("{trigger} accepts the versions {}", versions.join(", ")))
                        })?,
                ),
            };
            (function.to_owned(), version)
        }
        _ => return Err(loc.on(value, shape)),
    };
    check_function(&function).map_err(|m| loc.on(value, m))?;
    Ok(Wired { function, version })
}

fn is_kms_key(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    parts.len() == 6 && parts[0] == "arn" && parts[2] == "kms" && parts[5].starts_with("key/")
}

fn check_function(function: &str) -> Result<(), String> {
    let name = match function.strip_prefix("arn:") {
        Some(_) => {
            let parts: Vec<&str> = function.split(':').collect();
            if parts.len() < 7 || parts[2] != "lambda" || parts[5] != "function" {
                return Err(format!(
                    "{function:?} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)"
                ));
            }
            parts[6]
        }
        None => function,
    };
    let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{function:?} is not a Lambda function name or ARN; a name is 1 to 64 letters, digits, hyphens and underscores"
        ))
    }
}
