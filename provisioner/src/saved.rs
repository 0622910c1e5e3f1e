//! Saved plans: `plan --out FILE` writes the plan with a digest of the spec and a digest of
//! everything the plan was computed from; `apply --plan FILE` makes exactly that plan, or
//! refuses, writing nothing, once either has moved.
//!
//! The plan is a pure function of the spec, what was observed and the planning options, so
//! `apply --plan` observes again and recomputes it: when both digests match (and the binary
//! is the same version) the plan is the saved one, which is checked too. No request is
//! stored, so the file holds no secret and nothing that a stale read could have produced.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{Debug, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::observed::Observed;
use crate::plan::Plan;

/// The saved file's own format version.
pub const SAVED_FORMAT: u32 = 1;

/// What `plan --out` writes (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: u32,
    /// The provisioner that planned: another version may plan differently.
    pub provisioner_version: String,
    /// SHA-256 of the spec file's bytes, hex.
    pub spec_digest: String,
    /// SHA-256 of everything observed, in a canonical form ([`observed_digest`]), hex.
    pub observed_digest: String,
    /// The planning flags that change what is planned: `--adopt`, each `--skip`.
    pub flags: Vec<String>,
    /// The plan as `plan --output json` prints it.
    pub plan: Value,
}

/// Why a saved plan is not applied; each case says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stale {
    #[error("{0} is not a saved plan of this provisioner: {1}")]
    Unreadable(String, String),
    #[error("the plan was saved by provisioner {saved}, and this is {running}: plan again with this version")]
    Version { saved: String, running: String },
    #[error(
        "the spec changed since the plan was saved (its digest was {saved}, now {now}); nothing was changed. \
         Plan again (`provisioner plan --out FILE`) and apply the new plan"
    )]
    Spec { saved: String, now: String },
    #[error(
        "the plan was saved with the flags [{saved}] and is applied with [{now}]; nothing was changed. Apply it \
         with the same --adopt and --skip flags, or plan again"
    )]
    Flags { saved: String, now: String },
    #[error(
        "what exists in AWS changed since the plan was saved (something was changed outside this plan); nothing \
         was changed. Plan again (`provisioner plan --out FILE`), review, and apply the new plan"
    )]
    Observed,
}

impl SavedPlan {
    pub fn new(spec: &[u8], observed: &Observed, flags: Vec<String>, plan: &Plan) -> Self {
        Self {
            format: SAVED_FORMAT,
            provisioner_version: env!("CARGO_PKG_VERSION").to_owned(),
            spec_digest: digest(spec),
            observed_digest: observed_digest(observed),
            flags,
            plan: plan.to_json(),
        }
    }

    pub fn to_text(&self) -> String {
        format!(
            "{}\n",
            serde_json::to_string_pretty(self).expect("a saved plan is JSON")
        )
    }

    /// Reads a saved plan; `path` only names it in the error.
    pub fn parse(path: &str, text: &str) -> Result<Self, Stale> {
        let saved: SavedPlan =
            serde_json::from_str(text).map_err(|e| Stale::Unreadable(path.to_owned(), e.to_string()))?;
        if saved.format != SAVED_FORMAT {
            return Err(Stale::Unreadable(
                path.to_owned(),
                format!("format {} (this provisioner reads {SAVED_FORMAT})", saved.format),
            ));
        }
        Ok(saved)
    }

    /// Before observing: the same provisioner, the same spec, the same flags.
    pub fn check_spec(&self, spec: &[u8], flags: &[String]) -> Result<(), Stale> {
        let running = env!("CARGO_PKG_VERSION");
        if self.provisioner_version != running {
            return Err(Stale::Version {
                saved: self.provisioner_version.clone(),
                running: running.to_owned(),
            });
        }
        let now = digest(spec);
        if self.spec_digest != now {
            return Err(Stale::Spec {
                saved: self.spec_digest.clone(),
                now,
            });
        }
        if self.flags != flags {
            return Err(Stale::Flags {
                saved: self.flags.join(", "),
                now: flags.join(", "),
            });
        }
        Ok(())
    }

    /// After observing and planning again: the same observed state, hence the same plan.
    pub fn check_observed(&self, observed: &Observed, plan: &Plan) -> Result<(), Stale> {
        if self.observed_digest != observed_digest(observed) || self.plan != plan.to_json() {
            return Err(Stale::Observed);
        }
        Ok(())
    }
}

/// SHA-256, hex.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The digest of everything observed, over a canonical text: each resource as described
/// (maps in key order, since the SDK keeps them in hash maps), without what changes by
/// itself (the pool's estimated number of users, the request ids of answers). Secrets are
/// not in it: the SDK's descriptions redact them and a provider's secret is only a
/// comparison.
pub fn observed_digest(observed: &Observed) -> String {
    digest(canonical(observed).as_bytes())
}

fn sorted<V: Debug>(map: Option<HashMap<String, V>>) -> BTreeMap<String, V> {
    map.unwrap_or_default().into_iter().collect()
}

fn canonical(observed: &Observed) -> String {
    let mut text = String::new();
    if let Some(pool) = &observed.pool {
        let mut raw = pool.raw.clone();
        let tags = sorted(raw.user_pool_tags.take());
        let acr = sorted(raw.acr_configuration.take());
        raw.estimated_number_of_users = 0;
        let _ = writeln!(
            text,
            "pool {raw:?} tags {tags:?} acr {acr:?}\nstate {:?}\ntriggers {:?}\ndomain {:?}",
            pool.state, pool.triggers, pool.domain
        );
        if let Some(mfa) = &pool.mfa {
            let _ = writeln!(
                text,
                "mfa {:?} {:?} {:?} {:?} {:?}",
                mfa.mfa_configuration(),
                mfa.sms_mfa_configuration(),
                mfa.software_token_mfa_configuration(),
                mfa.email_mfa_configuration(),
                mfa.web_authn_configuration()
            );
        }
    }
    for client in &observed.clients {
        let _ = writeln!(text, "client {:?} {:?}", client.state, client.raw);
    }
    for server in &observed.resource_servers {
        let _ = writeln!(text, "resource server {server:?}");
    }
    for provider in &observed.identity_providers {
        let mut raw = provider.raw.clone();
        let details = sorted(raw.provider_details.take());
        let mapping = sorted(raw.attribute_mapping.take());
        let acr = sorted(raw.acr_mapping.take());
        let _ = writeln!(
            text,
            "provider {:?} {raw:?} details {details:?} mapping {mapping:?} acr {acr:?} secret {:?}",
            provider.state, provider.secret
        );
    }
    for (name, kind) in &observed.undeclared_providers {
        let _ = writeln!(text, "undeclared provider {name:?} {kind:?}");
    }
    for (provider, client) in &observed.offered_outside_spec {
        let _ = writeln!(text, "provider {provider:?} offered by unnamed client {client:?}");
    }
    for group in &observed.groups {
        let _ = writeln!(text, "group {group:?}");
    }
    let _ = writeln!(
        text,
        "domain owner {:?} version {:?} branded {:?} custom {:?}\nfunctions {:?}",
        observed.domain_owner,
        observed.domain_version,
        observed.branded_clients,
        observed.custom_domain,
        observed.functions
    );
    text
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, IdentityProviderTypeType, UserPoolType};

    use super::*;
    use crate::observed::{ObservedPool, ObservedProvider};

    fn pool(users: i32, tags: &[(&str, &str)]) -> Observed {
        let mut raw = UserPoolType::builder()
            .id("us-east-1_abc")
            .name("p")
            .estimated_number_of_users(users);
        for (key, value) in tags {
            raw = raw.user_pool_tags(*key, *value);
        }
        Observed {
            pool: Some(ObservedPool::new(raw.build(), None)),
            ..Observed::default()
        }
    }

    #[test]
    fn the_observed_digest_ignores_map_order_and_the_estimated_number_of_users() {
        let tags: Vec<(String, String)> = (0..40).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
        let forward: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let backward: Vec<(&str, &str)> = forward.iter().rev().copied().collect();
        assert_eq!(
            observed_digest(&pool(1, &forward)),
            observed_digest(&pool(900, &backward))
        );
    }

    #[test]
    fn the_observed_digest_changes_with_a_tag_or_a_provider_detail() {
        assert_ne!(
            observed_digest(&pool(1, &[("a", "1")])),
            observed_digest(&pool(1, &[("a", "2")]))
        );
        let provider = |scopes: &str| {
            let raw = IdentityProviderType::builder()
                .provider_name("Google")
                .provider_type(IdentityProviderTypeType::Google)
                .provider_details("authorize_scopes", scopes)
                .build();
            Observed {
                identity_providers: vec![ObservedProvider {
                    state: crate::desired::IdentityProvider::from_aws(&raw).unwrap(),
                    raw,
                    secret: crate::desired::SecretState::Same,
                }],
                ..Observed::default()
            }
        };
        assert_ne!(
            observed_digest(&provider("openid")),
            observed_digest(&provider("openid email"))
        );
        // A provider made out of band that the saved plan did not see.
        let undeclared = Observed {
            undeclared_providers: vec![("Corp".into(), "OIDC".into())],
            ..Observed::default()
        };
        assert_ne!(observed_digest(&undeclared), observed_digest(&Observed::default()));
        // A client outside the spec that came to offer it since.
        let offered = Observed {
            offered_outside_spec: vec![("Corp".into(), "mobile".into())],
            ..undeclared.clone()
        };
        assert_ne!(observed_digest(&offered), observed_digest(&undeclared));
    }

    #[test]
    fn a_saved_plan_is_refused_after_a_spec_edit_or_with_other_flags() {
        let saved = SavedPlan::new(
            b"[pool]\nname = \"a\"\n",
            &Observed::default(),
            vec![],
            &Plan::default(),
        );
        let reread = SavedPlan::parse("plan.json", &saved.to_text()).unwrap();
        assert_eq!(reread, saved);
        assert_eq!(reread.check_spec(b"[pool]\nname = \"a\"\n", &[]), Ok(()));
        assert!(matches!(
            reread.check_spec(b"[pool]\nname = \"b\"\n", &[]),
            Err(Stale::Spec { .. })
        ));
        assert!(matches!(
            reread.check_spec(b"[pool]\nname = \"a\"\n", &["--adopt".into()]),
            Err(Stale::Flags { .. })
        ));
        assert_eq!(reread.check_observed(&Observed::default(), &Plan::default()), Ok(()));
        assert_eq!(
            reread.check_observed(&pool(1, &[]), &Plan::default()),
            Err(Stale::Observed)
        );
    }
}
