//! The hosted-UI domains: the prefix domain (created, its managed login version updated, or
//! replaced: a destructive change), the custom domain beside it, and the branding style each
//! client needs before managed login serves it.

use super::{Change, FieldChange, Kind, NEW_CLIENT, Plan, PlanError, Resource, UNSET};
use crate::desired::Desired;
use crate::desired::domain::{CLASSIC, MANAGED_LOGIN, default_branding_request};
use crate::observed::Observed;

/// The managed login version the spec's domain ends up serving: the spec's, else what the
/// pool's domain serves now (a domain that reports none serves the classic hosted UI), else,
/// for a new domain, managed login.
fn domain_version(desired: &Desired, observed: &Observed) -> Option<i32> {
    let domain = desired.domain.as_ref()?;
    let exists = observed.pool.as_ref().is_some_and(|p| p.domain.is_some());
    let current = exists.then(|| observed.domain_version.unwrap_or(CLASSIC));
    Some(domain.version(current))
}

/// Cognito's own branding style for each client the domain's managed login serves and that
/// has none: without one, managed login shows "Login pages unavailable".
pub(super) fn plan_branding(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) {
    let custom_version = desired.domain.as_ref().filter(|d| d.custom.is_some()).map(|d| {
        d.version(
            observed
                .custom_domain
                .as_ref()
                .map(|c| c.managed_login_version.unwrap_or(CLASSIC)),
        )
    });
    if domain_version(desired, observed) != Some(MANAGED_LOGIN) && custom_version != Some(MANAGED_LOGIN) {
        return;
    }
    for client in desired.clients.iter().filter(|c| c.uses_hosted_ui()) {
        let id = observed
            .clients
            .iter()
            .find(|c| c.state.name == client.name)
            .map(|c| c.id.clone());
        match id {
            Some(id) if observed.branded_clients.contains(&id) => plan
                .unchanged
                .push(Resource::named(Kind::Branding, &client.name).and_id(&id)),
            id => plan.changes.push(Change::CreateBranding {
                client: client.name.clone(),
                request: default_branding_request(pool_id, id.as_deref().unwrap_or(NEW_CLIENT)),
                client_id: id,
            }),
        }
    }
}

pub(super) fn plan_domain(
    plan: &mut Plan,
    desired: &Desired,
    observed: &Observed,
    pool_id: &str,
) -> Result<(), PlanError> {
    let pool = observed.pool.as_ref();
    let (Some(domain), Some(version)) = (&desired.domain, domain_version(desired, observed)) else {
        return Ok(());
    };
    if let Some(owner) = &observed.domain_owner {
        return Err(PlanError::DomainTaken {
            prefix: domain.prefix.clone(),
            owner: owner.clone(),
        });
    }
    match pool.and_then(|p| p.domain.as_deref()) {
        Some(current) if current == domain.prefix => {
            let serving = observed.domain_version.unwrap_or(CLASSIC);
            if serving == version {
                plan.unchanged.push(Resource::named(Kind::Domain, current));
            } else {
                plan.changes.push(Change::UpdateDomain {
                    prefix: current.to_owned(),
                    fields: vec![FieldChange::new(
                        "managed_login_version",
                        serving.to_string(),
                        version.to_string(),
                    )],
                    request: domain.update_request(pool_id, version),
                });
            }
        }
        Some(current) => plan.changes.push(Change::ReplaceDomain {
            old: current.to_owned(),
            new: domain.prefix.clone(),
            delete: crate::desired::domain::delete_request(pool_id, current),
            // The version the old domain served, unless the spec names one: the login pages
            // do not change with the prefix.
            create: domain.create_request(pool_id, version),
        }),
        None => plan.changes.push(Change::CreateDomain {
            prefix: domain.prefix.clone(),
            version,
            request: domain.create_request(pool_id, version),
        }),
    }
    Ok(())
}

/// The custom domain beside the prefix domain, serving the same login pages.
pub(super) fn plan_custom_domain(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) {
    let Some((domain, custom)) = desired.domain.as_ref().and_then(|d| Some((d, d.custom.as_ref()?))) else {
        return;
    };
    match &observed.custom_domain {
        None => {
            let version = domain.version(None);
            plan.changes.push(Change::CreateCustomDomain {
                name: custom.name.clone(),
                version,
                request: custom.create_request(pool_id, version),
            });
        }
        Some(current) if current.name == custom.name => {
            let serving = current.managed_login_version.unwrap_or(CLASSIC);
            let version = domain.version(Some(serving));
            let mut fields = Vec::new();
            let certificate = current.certificate_arn.as_deref().unwrap_or(UNSET);
            if certificate != custom.certificate_arn {
                fields.push(FieldChange::new(
                    "certificate_arn",
                    certificate,
                    &custom.certificate_arn,
                ));
            }
            if serving != version {
                fields.push(FieldChange::new(
                    "managed_login_version",
                    serving.to_string(),
                    version.to_string(),
                ));
            }
            if fields.is_empty() {
                plan.unchanged.push(Resource::named(Kind::CustomDomain, &custom.name));
            } else {
                plan.changes.push(Change::UpdateCustomDomain {
                    name: custom.name.clone(),
                    fields,
                    request: custom.update_request(pool_id, version),
                });
            }
        }
        Some(current) => {
            let version = domain.version(Some(current.managed_login_version.unwrap_or(CLASSIC)));
            plan.changes.push(Change::ReplaceCustomDomain {
                old: current.name.clone(),
                new: custom.name.clone(),
                delete: crate::desired::domain::delete_request(pool_id, &current.name),
                create: custom.create_request(pool_id, version),
            });
        }
    }
}
