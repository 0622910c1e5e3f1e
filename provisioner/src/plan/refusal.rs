//! The refusals: why a spec cannot be applied to what exists, found before any write. Each
//! says what would be lost and what to change instead.

use crate::desired::MANAGED_TAG;

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
}
