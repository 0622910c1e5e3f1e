//! `cognito.toml`: parsing and validation into the desired state ([`crate::desired`]).
//! Everything here happens before any AWS call: a bad spec is reported with file, line and
//! column, what is wrong and what is accepted. Keys left out take the defaults the README
//! lists, which reproduce the usual console setup.
//!
//! One module per table: `pool`, `clients`, `resource_servers`, `identity_providers`,
//! `domain`, `triggers`, `groups`, `monitoring` (`[logs]` and `[alarms]`); the checks that span
//! tables are here. `write` is the inverse: a desired state as cognito.toml text.

mod clients;
mod domain;
mod groups;
mod identity_providers;
mod monitoring;
mod pool;
mod resource_servers;
mod triggers;
mod write;

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::desired::{Desired, OAuthFlow};

/// Cognito's rule for callback and logout URLs, for checks of live clients too.
pub(crate) use clients::check_redirect_url;
pub(crate) use identity_providers::detail_keys;
pub use write::{Comments, Section, write, write_commented};

/// The validated spec: the desired state.
pub type Spec = Desired;

/// A problem with the spec, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Advice about a valid spec that is probably not what its author wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns positions in the file into located errors.
pub(crate) struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    pub(crate) fn at(&self, span: Range<usize>, message: impl Into<String>) -> SpecError {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SpecError {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at a value's position.
    pub(crate) fn on<T>(&self, value: &Spanned<T>, message: impl Into<String>) -> SpecError {
        self.at(value.span(), message)
    }
}

/// A default value, with no position in the file (errors about it point at the file's start).
pub(crate) fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

pub(crate) fn strings(values: Vec<Spanned<String>>) -> Vec<String> {
    values.into_iter().map(Spanned::into_inner).collect()
}

pub(crate) fn sorted<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}

// The file as written; each table's raw form lives in its module.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSpec {
    pool: pool::RawPool,
    client: Option<Spanned<clients::RawClient>>,
    clients: Option<Spanned<Vec<Spanned<clients::RawClient>>>>,
    resource_servers: Vec<Spanned<resource_servers::RawResourceServer>>,
    identity_providers: Vec<identity_providers::RawProvider>,
    domain: Option<domain::RawDomain>,
    triggers: Option<Spanned<triggers::RawTriggers>>,
    groups: Option<Vec<groups::RawGroup>>,
    logs: monitoring::RawLogs,
    alarms: monitoring::RawAlarms,
}

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<(Spec, Vec<Warning>), SpecError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| SpecError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the spec: {error}"),
    })?;
    parse(&file, &text)
}

/// Parses and validates spec text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<(Spec, Vec<Warning>), SpecError> {
    let loc = Locator { file, text };
    let raw: RawSpec = toml::from_str(text).map_err(|error| loc.at(error.span().unwrap_or(0..0), error.message()))?;
    let mut warnings = Vec::new();

    let domain = raw.domain.map(|d| domain::desired(d, &loc)).transpose()?;
    let (pool, attribute_names) = pool::desired(raw.pool, domain.as_ref(), &loc)?;
    let resource_servers = resource_servers::desired(raw.resource_servers, &loc)?;
    let scopes: Vec<String> = resource_servers.iter().flat_map(|s| s.scope_names()).collect();
    let identity_providers = identity_providers::desired(raw.identity_providers, &loc)?;
    let provider_names: Vec<String> = identity_providers.iter().map(|p| p.name.clone()).collect();
    let clients = clients::desired(
        raw.client,
        raw.clients,
        &clients::Context {
            scopes: &scopes,
            custom_attributes: &attribute_names,
            identity_providers: &provider_names,
        },
        &loc,
        &mut warnings,
    )?;
    let triggers = triggers::desired(raw.triggers, &loc)?;
    let groups = groups::desired(raw.groups, &loc)?;
    let monitoring = monitoring::desired(raw.logs, raw.alarms, &triggers.0, &loc)?;

    // Checks across tables.
    if let Some((span, trigger, version)) = triggers.1.iter().find(|(_, t, v)| t.needs_token_customization(*v))
        && pool.tier.is_some_and(|tier| !tier.customizes_access_tokens())
    {
        return Err(loc.at(
            span.clone(),
            format!(
                "{trigger} version {} customizes access tokens, which needs the Essentials or Plus feature plan; \
                 the spec sets [pool] tier = \"lite\". Set tier = \"essentials\" (or \"plus\"), or use version \"V1_0\"",
                version.map(|v| v.as_aws()).unwrap_or_default()
            ),
        ));
    }
    let spec = Desired {
        pool,
        clients,
        resource_servers,
        identity_providers,
        domain,
        triggers: triggers.0,
        groups,
        monitoring,
    };
    Ok((spec, warnings))
}

/// The OAuth grant flows that a person's browser runs (as opposed to machine to machine).
pub(crate) fn interactive(flows: &[OAuthFlow]) -> bool {
    flows.iter().any(|f| match f {
        OAuthFlow::Code | OAuthFlow::Implicit => true,
        OAuthFlow::ClientCredentials => false,
    })
}

#[cfg(test)]
mod tests;
