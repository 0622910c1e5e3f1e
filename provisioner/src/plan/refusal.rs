//! The refusals: why a spec cannot be applied to what exists, found before any write. Each
//! says what would be lost and what to change instead.

use crate::desired::{Attribute, Desired, MANAGED_TAG, Tier, list};
use crate::observed::ObservedPool;
use crate::plan::NEW_POOL;

/// Why a spec cannot be applied to what exists, found before any write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "user pool {id}: {field} is {old} but the spec says {new}. Cognito fixes {field} when a pool is \
         created, so the pool would have to be replaced and all its users would be lost. Change the spec \
         back to {old}, or create a new pool under another pool.name and migrate the users"
    )]
    WouldReplacePool {
        id: String,
        field: String,
        old: String,
        new: String,
    },
    #[error(
        "app client {id}: generate_secret is {old} but the spec says {new}. Cognito fixes this when a client \
         is created; the client would have to be replaced, which changes its client id for every app that uses \
         it. Change the spec back, or create a client under another name"
    )]
    WouldReplaceClient { id: String, old: bool, new: bool },
    #[error(
        "identity provider {name:?} is of type {old} but the spec says {new}. Cognito cannot change a provider's \
         type; it would have to be deleted and created again, which unlinks every user who signed in through it. \
         Change the spec back, or declare a provider under another name"
    )]
    WouldReplaceProvider { name: String, old: String, new: String },
    #[error(
        "the hosted-UI domain prefix {prefix:?} belongs to another user pool ({owner}); nothing was changed. \
         Choose another domain.prefix"
    )]
    DomainTaken { prefix: String, owner: String },
    #[error(
        "user pool {id} is named {name:?} but was not created by this provisioner (it lacks the tag \
         {MANAGED_TAG} = {name:?}), so it is not taken over silently. To manage it from this spec, run \
         `provisioner apply --adopt` (or `provisioner import`), which adds the tag; or choose another pool.name"
    )]
    NotManaged { id: String, name: String },
    #[error(
        "user pool {id} is on the {tier} feature plan, and pre_token_generation version {version} (access token \
         customization) needs Essentials or Plus. Set [pool] tier = \"essentials\" (a price change: see the \
         Cognito pricing page), or use version \"V1_0\""
    )]
    NeedsTier { id: String, tier: String, version: String },
    #[error(
        "user pool {id} has threat protection {mode}, which needs the Plus feature plan, and the spec sets [pool] \
         tier = \"{tier}\": AWS would refuse the update. Set [pool] threat_protection = \"off\" to turn it off with \
         the change of plan, or keep tier = \"plus\""
    )]
    ThreatProtectionNeedsPlus { id: String, tier: String, mode: String },
    #[error(
        "user pool {id} is on the Lite feature plan, which lacks {feature} (AWS: \"The following features need to \
         be disabled for the LITE pricing tier configured\"). Set [pool] tier = \"essentials\" (or \"plus\"), \
         which changes the pool's pricing, or leave the feature out"
    )]
    LacksEssentials { id: String, feature: &'static str },
    #[error(
        "user pool {id} is on the {tier} feature plan, and {feature} needs Plus. Set [pool] tier = \"plus\", which \
         changes the pool's pricing, or leave the feature out"
    )]
    NeedsPlus {
        id: String,
        tier: String,
        feature: &'static str,
    },
    #[error(
        "identity providers the spec no longer declares would be deleted, but app clients the spec does not name \
         still offer them: {}. Their users would lose that sign-in. Declare each again under \
         [[identity_providers]], or take it out of those clients' SupportedIdentityProviders (or add the clients \
         to the spec)",
        offered_by(.offered)
    )]
    ProviderOfferedOutsideSpec {
        /// Each (provider, client) pair.
        offered: Vec<(String, String)>,
    },
}

fn offered_by(offered: &[(String, String)]) -> String {
    let pairs: Vec<String> = offered
        .iter()
        .map(|(provider, client)| format!("{provider:?} by app client {client:?}"))
        .collect();
    pairs.join(", ")
}

/// Settings fixed at creation, and custom attributes, which Cognito can only add.
pub(super) fn refuse_replacements(desired: &Desired, pool: &ObservedPool) -> Result<(), PlanError> {
    let replace = |field: &str, old: String, new: String| PlanError::WouldReplacePool {
        id: pool.id.clone(),
        field: field.into(),
        old,
        new,
    };
    let names = |attributes: &[Attribute]| list(attributes.iter().map(|a| a.as_aws()));
    if pool.state.username_attributes != desired.pool.username_attributes {
        return Err(replace(
            "username_attributes",
            names(&pool.state.username_attributes),
            names(&desired.pool.username_attributes),
        ));
    }
    if pool.state.case_sensitive != desired.pool.case_sensitive {
        return Err(replace(
            "case_sensitive",
            pool.state.case_sensitive.to_string(),
            desired.pool.case_sensitive.to_string(),
        ));
    }
    for current in &pool.state.custom_attributes {
        match desired.pool.custom_attributes.iter().find(|a| a.name == current.name) {
            Some(wanted) if wanted.matches(current) => {}
            Some(wanted) => {
                return Err(replace(
                    &format!("custom attribute {}", current.aws_name()),
                    current.to_string(),
                    wanted.to_string(),
                ));
            }
            None => {
                return Err(replace(
                    &format!("custom attribute {}", current.aws_name()),
                    current.to_string(),
                    "(not in the spec: Cognito cannot remove it; add it to [[pool.attributes]])".into(),
                ));
            }
        }
    }
    Ok(())
}

/// What the feature plan the pool ends up on must allow, beside what `spec` checks on its
/// own: access-token customization (pre-token generation V2 and V3), passwordless first
/// factors, passkeys and email MFA need Essentials or Plus, and threat protection the pool has
/// (and the spec leaves as it is) needs Plus.
pub(super) fn check_tier(desired: &Desired, pool: Option<&ObservedPool>) -> Result<(), PlanError> {
    if let (Some(pool), Some(tier), None) = (pool, desired.pool.tier, desired.pool.threat_protection)
        && let Some(mode) = pool.state.threat_protection
        && mode.needs_plus()
        && tier != Tier::Plus
    {
        return Err(PlanError::ThreatProtectionNeedsPlus {
            id: pool.id.clone(),
            tier: tier.as_aws().to_ascii_lowercase(),
            mode: mode.as_aws().to_owned(),
        });
    }
    // The plan the pool ends up on: the spec's, the pool's, or a new pool's default.
    let tier = desired
        .pool
        .tier
        .or_else(|| pool.and_then(|p| p.state.tier))
        .unwrap_or(Tier::Essentials);
    if tier != Tier::Plus
        && let Some(feature) = desired.pool.plus_feature()
    {
        return Err(PlanError::NeedsPlus {
            id: pool.map_or(NEW_POOL, |p| p.id.as_str()).to_owned(),
            tier: tier.as_aws().to_ascii_lowercase(),
            feature,
        });
    }
    let Some(pool) = pool else {
        // A new pool: the spec checked its own tier against its own triggers.
        return Ok(());
    };
    let tier = desired.pool.tier.or(pool.state.tier);
    if tier == Some(Tier::Lite)
        && let Some(feature) = desired.pool.essentials_feature()
    {
        return Err(PlanError::LacksEssentials {
            id: pool.id.clone(),
            feature,
        });
    }
    let customizing = desired
        .triggers
        .wired
        .iter()
        .find(|(trigger, wired)| trigger.needs_token_customization(wired.version));
    if let (Some((_, wired)), Some(tier)) = (customizing, tier)
        && !tier.customizes_access_tokens()
    {
        return Err(PlanError::NeedsTier {
            id: pool.id.clone(),
            tier: tier.as_aws().to_owned(),
            version: wired.version.map(|v| v.as_aws()).unwrap_or_default().to_owned(),
        });
    }
    Ok(())
}
