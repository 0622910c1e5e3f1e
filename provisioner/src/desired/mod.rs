//! The desired state: what the spec asks of AWS, in types that say what each setting means
//! in AWS terms. The same types describe what AWS reports (`from_aws`), so the plan is a diff
//! of two values of one type, and each type builds the requests that make AWS match it.
//!
//! One module per resource: [`pool`] (with its [`pool::mfa`], [`pool::attributes`] and
//! [`pool::email`]), [`client`], [`resource_server`], [`identity_provider`], [`group`],
//! [`domain`], [`trigger`] (every Cognito trigger and its names), [`permission`] (a
//! function's invoke permission) and [`monitoring`] (the functions' logs and alarms).
//! `closed` writes each closed set (its members and their spec and AWS spellings) once.

#[macro_use]
mod closed;
pub mod client;
pub mod domain;
pub mod group;
pub mod identity_provider;
pub mod monitoring;
pub mod permission;
pub mod pool;
pub mod resource_server;
pub mod trigger;

use std::fmt;

pub use client::{COGNITO, Client, ExplicitAuthFlow, OAuthFlow, TimeUnit, Validity};
pub use domain::Domain;
pub use group::Group;
pub use identity_provider::{IdentityProvider, ProviderKind, Secret, SecretSource, SecretState};
pub use monitoring::{LogLevel, Monitoring};
pub use pool::{
    Attribute, AttributeKind, AuthFactor, CredentialsAction, CredentialsEvent, CustomAttribute, Email, EventSource,
    LogDelivery, MANAGED_TAG, Mfa, PasskeyFactor, PasswordPolicy, Pool, Recovery, Risk, SesEmail, Sms, TakeoverAction,
    ThreatProtection, Tier, UserVerification, WebAuthn,
};
pub use resource_server::{ResourceServer, Scope};
pub use trigger::{Trigger, Triggers, Version, Wired};

/// Everything the spec manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub pool: Pool,
    /// Each keyed by its name.
    pub clients: Vec<Client>,
    /// Each keyed by its identifier; created before the clients that use their scopes.
    pub resource_servers: Vec<ResourceServer>,
    /// Each keyed by its name; created before the clients that list them.
    pub identity_providers: Vec<IdentityProvider>,
    /// `None`: the pool's domain is not managed (left as it is).
    pub domain: Option<Domain>,
    pub triggers: Triggers,
    /// Each keyed by its name.
    pub groups: Vec<Group>,
    /// The functions' logs and alarms (`[logs]`, `[alarms]`).
    pub monitoring: Monitoring,
}

impl Desired {
    pub fn client(&self, name: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.name == name)
    }

    /// Whether a client may offer the provider `name` under this spec: the pool's own users
    /// (`COGNITO`) or a provider the spec declares.
    pub fn declares_provider(&self, name: &str) -> bool {
        name == COGNITO || self.identity_providers.iter().any(|p| p.name == name)
    }

    /// The providers' secrets named by environment variables that are not set: each an
    /// error to report before any AWS call.
    pub fn missing_secrets(&self, lookup: impl Fn(&str) -> Option<String>) -> Vec<String> {
        self.identity_providers
            .iter()
            .filter_map(|provider| match &provider.secret {
                Some(SecretSource::Env(variable)) if lookup(variable).is_none_or(|v| v.is_empty()) => Some(format!(
                    "identity provider {:?}: its {} is read from the environment variable {variable}, which is not set",
                    provider.name,
                    provider.kind.secret_key().unwrap_or("secret")
                )),
                Some(SecretSource::Env(_) | SecretSource::Ssm(_)) | None => None,
            })
            .collect()
    }
}

/// One managed setting: its name as cognito.toml spells it, and its value as a plan shows it.
/// Two values of a resource's type are compared through these, field by field.
pub type Field = (String, String);

pub fn field(name: &str, value: impl fmt::Display) -> Field {
    (name.to_owned(), value.to_string())
}

/// A list shown (and compared) as a set: sorted, without repeats.
pub fn list<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    let mut values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    values.sort();
    values.dedup();
    format!("[{}]", values.join(", "))
}
