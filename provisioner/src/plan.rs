//! The plan: what `apply` would change, computed as a pure function of the desired state and
//! what AWS reports (no AWS calls). Each change carries the request that makes it, so
//! `plan` shows exactly what `apply` sends.
//!
//! This module is the diff; [`change`] holds the change types with their display (text and
//! JSON), and [`refusal`] what cannot be applied to what exists, found before any write. The
//! hosted-UI domains and their clients' branding are diffed in `domain`.
//!
//! The order is the order of the writes, chosen so that nothing is ever pointed at what
//! cannot serve it: resource servers before the clients that use their scopes, invoke
//! permissions before the pool is wired to the functions, a corrected permission added
//! before the wrong one is removed.

use aws_sdk_cognitoidentityprovider::types::UserPoolType;

pub mod change;
mod domain;
pub mod refusal;

pub use change::{
    Action, Change, FORMAT_VERSION, FieldChange, Kind, NEW_CLIENT, NEW_POOL, NEW_POOL_ARN, Plan, ProviderSecret,
    Resource, SENSITIVE, UNSET, created,
};
pub use refusal::PlanError;

use crate::desired::permission::{InvokePermission, remove_request};
use crate::desired::{Desired, Field, IdentityProvider, Pool, Risk, SecretState, Wired};
use crate::observed::{Functions, Observed, ObservedPool};
use domain::{plan_branding, plan_custom_domain, plan_domain};

/// How to plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Take over a pool found by name that this project did not create (tag it).
    pub adopt: bool,
    /// Let `apply` make the plan's destructive changes ([`Change::is_destructive`]: a domain
    /// replaced, a permission revoked); without it `converge` refuses them before any write.
    /// The CLI's `--yes`, or the operator's answer when it asks.
    pub allow_destructive: bool,
}

/// Computes the plan, in the order of the writes (each step below says why it comes where it
/// does).
pub fn plan(desired: &Desired, observed: &Observed, options: Options) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let pool = observed.pool.as_ref();
    let pool_id = pool.map_or(NEW_POOL, |p| p.id.as_str()).to_owned();
    // The pool itself, and what the rest of the plan hangs on; refusals before anything else.
    plan_pool(&mut plan, desired, pool, options)?;
    refusal::check_tier(desired, pool)?;
    // Resource servers and identity providers, then the clients that use them.
    plan_resource_servers(&mut plan, desired, observed, &pool_id);
    plan_identity_providers(&mut plan, desired, observed, &pool_id)?;
    plan_clients(&mut plan, desired, observed, &pool_id)?;
    // Providers the spec no longer declares, once its clients no longer offer them.
    plan_removed_providers(&mut plan, observed, &pool_id)?;
    // The hosted-UI domain, checked free before any write; each client it serves has a
    // branding style before the domain serves managed login.
    plan_branding(&mut plan, desired, observed, &pool_id);
    plan_domain(&mut plan, desired, observed, &pool_id)?;
    plan_custom_domain(&mut plan, desired, observed, &pool_id);
    // MFA and passkeys: SetUserPoolMfaConfig enables the factors before UpdateUserPool names
    // the mode, and binds passkeys once the domain they are bound to exists.
    plan_mfa(&mut plan, desired, pool, &pool_id);
    plan_groups(&mut plan, desired, observed, &pool_id);
    // Invoke permissions before the wiring; wrong statements of ours removed after it.
    let revokes = plan_permissions(&mut plan, desired, observed, &pool_id);
    // The pool's settings and trigger wiring.
    plan_pool_update(&mut plan, desired, observed, &pool_id);
    // Log delivery once the pool is on the plan its sources need.
    plan_log_delivery(&mut plan, desired, observed.pool.as_ref(), &pool_id);
    // Threat protection's tuning once the update has switched it on.
    plan_risk(&mut plan, desired, observed.pool.as_ref(), &pool_id);
    plan.changes.extend(revokes);
    Ok(plan)
}

/// Creates the pool, or adopts it when asked, refuses what would replace it, and adds the
/// custom attributes it lacks.
fn plan_pool(
    plan: &mut Plan,
    desired: &Desired,
    pool: Option<&ObservedPool>,
    options: Options,
) -> Result<(), PlanError> {
    match pool {
        None => plan.changes.push(Change::CreatePool {
            name: desired.pool.name.clone(),
            fields: created(desired.pool.fields()),
            request: Box::new(desired.pool.create_request()),
        }),
        Some(pool) => {
            if !pool.state.is_managed() {
                if !options.adopt {
                    return Err(PlanError::NotManaged {
                        id: pool.id.clone(),
                        name: pool.state.name.clone(),
                    });
                }
                plan.changes.push(adopt_pool(&pool.id, &pool.arn, &desired.pool.name));
            }
            refusal::refuse_replacements(desired, pool)?;
            plan.changes.extend(missing_attributes(desired, pool));
        }
    }
    Ok(())
}

fn plan_mfa(plan: &mut Plan, desired: &Desired, pool: Option<&ObservedPool>, pool_id: &str) {
    let observed_mfa = pool.map_or_else(Pool::new_pool_mfa_fields, |p| p.state.mfa_fields());
    // A factor the pool never had and the spec leaves off is no change.
    let fields: Vec<FieldChange> = diff(&observed_mfa, &desired.pool.mfa_fields())
        .into_iter()
        .filter(|change| !(change.old == UNSET && change.new == "false"))
        .collect();
    if !fields.is_empty() {
        plan.changes.push(Change::SetMfa {
            pool: pool_id.to_owned(),
            fields,
            request: desired.pool.mfa_request(pool_id, pool.and_then(|p| p.mfa.as_ref())),
        });
    } else if pool.is_some() {
        plan.unchanged.push(Resource::with_id(Kind::UserPoolMfa, pool_id));
    }
}

fn plan_log_delivery(plan: &mut Plan, desired: &Desired, pool: Option<&ObservedPool>, pool_id: &str) {
    let Some(request) = desired.pool.log_delivery_request(pool_id) else {
        return;
    };
    let observed = pool.map_or_else(
        || crate::desired::pool::log_delivery::log_delivery_fields(&[]),
        |p| {
            crate::desired::pool::log_delivery::log_delivery_fields(p.state.log_delivery.as_deref().unwrap_or_default())
        },
    );
    let fields = diff(&observed, &desired.pool.log_delivery_fields());
    if !fields.is_empty() {
        plan.changes.push(Change::SetLogDelivery {
            pool: pool_id.to_owned(),
            fields,
            request,
        });
    } else if pool.is_some() {
        plan.unchanged.push(Resource::with_id(Kind::LogDelivery, pool_id));
    }
}

fn plan_risk(plan: &mut Plan, desired: &Desired, pool: Option<&ObservedPool>, pool_id: &str) {
    let (Some(risk), Some(request)) = (&desired.pool.risk, desired.pool.risk_request(pool_id)) else {
        return;
    };
    let observed = pool
        .and_then(|p| p.state.risk.as_ref())
        .map_or_else(Vec::new, Risk::fields);
    let fields = diff(&observed, &risk.fields());
    if !fields.is_empty() {
        plan.changes.push(Change::SetRisk {
            pool: pool_id.to_owned(),
            fields,
            request,
        });
    } else if pool.is_some() {
        plan.unchanged.push(Resource::with_id(Kind::RiskConfiguration, pool_id));
    }
}

fn plan_resource_servers(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) {
    for server in &desired.resource_servers {
        match observed
            .resource_servers
            .iter()
            .find(|s| s.identifier == server.identifier)
        {
            None => plan.changes.push(Change::CreateResourceServer {
                identifier: server.identifier.clone(),
                fields: created(server.fields()),
                request: server.create_request(pool_id),
            }),
            Some(current) => {
                let fields = diff(&current.fields(), &server.fields());
                if fields.is_empty() {
                    plan.unchanged
                        .push(Resource::named(Kind::ResourceServer, &server.identifier));
                } else {
                    plan.changes.push(Change::UpdateResourceServer {
                        identifier: server.identifier.clone(),
                        fields,
                        request: server.update_request(pool_id),
                    });
                }
            }
        }
    }
}

fn plan_identity_providers(
    plan: &mut Plan,
    desired: &Desired,
    observed: &Observed,
    pool_id: &str,
) -> Result<(), PlanError> {
    for provider in &desired.identity_providers {
        let secret = provider.secret.clone().and_then(|source| {
            Some(ProviderSecret {
                key: provider.kind.secret_key()?,
                source,
            })
        });
        match observed
            .identity_providers
            .iter()
            .find(|p| p.state.name == provider.name)
        {
            None => plan.changes.push(Change::CreateIdentityProvider {
                name: provider.name.clone(),
                fields: created(provider.fields())
                    .into_iter()
                    .chain(secret.iter().map(|s| FieldChange::secret(s.key, UNSET, &s.source)))
                    .collect(),
                request: provider.create_request(pool_id),
                secret,
            }),
            Some(current) => {
                if current.state.kind != provider.kind {
                    return Err(PlanError::WouldReplaceProvider {
                        name: provider.name.clone(),
                        old: current.state.kind.as_aws().into(),
                        new: provider.kind.as_aws().into(),
                    });
                }
                let mut fields = diff(&current.state.fields(), &provider.fields());
                if let (SecretState::Differs, Some(secret)) = (current.secret, &secret) {
                    fields.push(FieldChange::secret(secret.key, "(differs)", &secret.source));
                }
                if fields.is_empty() {
                    plan.unchanged
                        .push(Resource::named(Kind::IdentityProvider, &provider.name));
                } else {
                    plan.changes.push(Change::UpdateIdentityProvider {
                        name: provider.name.clone(),
                        fields,
                        request: provider.update_request(pool_id, &current.raw),
                        secret,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Each provider the spec no longer declares that one of its clients offered is deleted (a
/// destructive change: its users can no longer sign in through it), as a resource taken out
/// of a Terraform configuration is ([`Observed::undeclared_providers`]). One that a client
/// outside the spec still offers is refused, every such pair named: the spec does not manage
/// that client, so the plan cannot take the provider out of it first.
fn plan_removed_providers(plan: &mut Plan, observed: &Observed, pool_id: &str) -> Result<(), PlanError> {
    if !observed.offered_outside_spec.is_empty() {
        return Err(PlanError::ProviderOfferedOutsideSpec {
            offered: observed.offered_outside_spec.clone(),
        });
    }
    for (name, kind) in &observed.undeclared_providers {
        plan.changes.push(Change::DeleteIdentityProvider {
            name: name.clone(),
            kind: kind.clone(),
            request: IdentityProvider::delete_request(pool_id, name),
        });
    }
    Ok(())
}

fn plan_clients(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) -> Result<(), PlanError> {
    for client in &desired.clients {
        match observed.clients.iter().find(|c| c.state.name == client.name) {
            None => plan.changes.push(Change::CreateClient {
                name: client.name.clone(),
                fields: created(client.fields()),
                request: Box::new(client.create_request(pool_id)),
            }),
            Some(current) => {
                if current.state.generate_secret != client.generate_secret {
                    return Err(PlanError::WouldReplaceClient {
                        id: current.id.clone(),
                        old: current.state.generate_secret,
                        new: client.generate_secret,
                    });
                }
                let fields = diff(&current.state.fields(), &client.fields());
                if fields.is_empty() {
                    plan.unchanged
                        .push(Resource::named(Kind::AppClient, &client.name).and_id(&current.id));
                } else {
                    plan.changes.push(Change::UpdateClient {
                        name: client.name.clone(),
                        id: current.id.clone(),
                        fields,
                        request: Box::new(client.update_request(&current.raw)),
                    });
                }
            }
        }
    }

    Ok(())
}

fn plan_groups(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) {
    for group in &desired.groups {
        match observed.groups.iter().find(|g| g.name == group.name) {
            None => plan.changes.push(Change::CreateGroup {
                name: group.name.clone(),
                fields: created(group.fields()),
                request: group.create_request(pool_id),
            }),
            Some(current) => {
                let fields = diff(&current.fields(), &group.fields());
                if fields.is_empty() {
                    plan.unchanged.push(Resource::named(Kind::Group, &group.name));
                } else {
                    plan.changes.push(Change::UpdateGroup {
                        name: group.name.clone(),
                        fields,
                        request: group.update_request(pool_id),
                    });
                }
            }
        }
    }
}

/// Grants each trigger function its invoke permission; returns the removals of wrong
/// statements of ours, which come after the wiring.
fn plan_permissions(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) -> Vec<Change> {
    let pool = observed.pool.as_ref();
    let arn = |reference: &str| observed.functions.arn(reference).to_owned();
    let mut revokes = Vec::new();
    if let Functions::Resolved(functions) = &observed.functions {
        let mut arns: Vec<String> = desired.triggers.functions().iter().map(|f| arn(f)).collect();
        arns.sort();
        arns.dedup();
        for function_arn in arns {
            let policy = functions
                .iter()
                .find(|f| f.arn == function_arn)
                .and_then(|f| f.policy.as_deref());
            let (pool_arn, account) = match pool {
                Some(pool) => (pool.arn.as_str(), pool.account()),
                None => (NEW_POOL_ARN, None),
            };
            let permission = InvokePermission {
                pool_id,
                pool_arn,
                account,
            };
            let statements = permission.statements(pool.and(policy));
            if statements.correct {
                plan.unchanged
                    .push(Resource::named(Kind::InvokePermission, &function_arn));
            } else {
                let sid = permission.free_id(&statements.ours);
                plan.changes.push(Change::Grant {
                    request: permission.add_request(&function_arn, &sid),
                    corrects: !statements.wrong.is_empty(),
                    function_arn: function_arn.clone(),
                });
            }
            revokes.extend(statements.wrong.into_iter().map(|sid| Change::Revoke {
                request: remove_request(&function_arn, &sid),
                function_arn: function_arn.clone(),
                statement_id: sid,
            }));
        }
    }

    revokes
}

/// The pool's settings and its trigger wiring, in one UpdateUserPool: for a new pool only
/// when triggers are wired (CreateUserPool set the rest).
fn plan_pool_update(plan: &mut Plan, desired: &Desired, observed: &Observed, pool_id: &str) {
    let pool = observed.pool.as_ref();
    let arn = |reference: &str| observed.functions.arn(reference).to_owned();
    let lambda_config = desired.triggers.overlay(pool.and_then(|p| p.raw.lambda_config()), arn);
    let desired_fields = [desired.pool.fields(), wiring_fields(desired, &arn)].concat();
    match pool {
        Some(current) => {
            let observed_fields = [current.state.fields(), observed_wiring(current)].concat();
            let fields = diff(&observed_fields, &desired_fields);
            if fields.is_empty() {
                plan.unchanged.push(Resource::with_id(Kind::UserPool, pool_id));
            } else {
                plan.changes.push(Change::UpdatePool {
                    pool: pool_id.to_owned(),
                    fields,
                    request: Box::new(desired.pool.update_request(&current.raw, Some(lambda_config))),
                });
            }
        }
        None if !desired.triggers.wired.is_empty() => {
            let fields = diff(&[], &wiring_fields(desired, &arn));
            let blank = UserPoolType::builder().id(NEW_POOL).name(&desired.pool.name).build();
            plan.changes.push(Change::UpdatePool {
                pool: pool_id.to_owned(),
                fields,
                request: Box::new(desired.pool.update_request(&blank, Some(lambda_config))),
            });
        }
        None => {}
    }
}

/// Tags the pool `id` (at `arn`) as this project's: [`MANAGED_TAG`](crate::desired::MANAGED_TAG) = its `name`. `plan
/// --adopt` and `import` adopt a pool with this one change.
pub fn adopt_pool(id: &str, arn: &str, name: &str) -> Change {
    Change::AdoptPool {
        id: id.to_owned(),
        name: name.to_owned(),
        request: crate::desired::pool::adopt_request(arn, name),
    }
}

/// The custom attributes the pool lacks, added in calls of at most 25 (AWS refuses more).
fn missing_attributes(desired: &Desired, pool: &ObservedPool) -> Vec<Change> {
    let missing: Vec<_> = desired
        .pool
        .custom_attributes
        .iter()
        .filter(|a| !pool.state.custom_attributes.iter().any(|c| c.name == a.name))
        .collect();
    crate::desired::pool::attributes::add_requests(&pool.id, &missing)
        .into_iter()
        .map(|(batch, request)| Change::AddCustomAttributes {
            pool: pool.id.clone(),
            attributes: batch.iter().map(ToString::to_string).collect(),
            fields: batch
                .iter()
                .map(|a| FieldChange::new(a.aws_name(), UNSET, a.to_string()))
                .collect(),
            request,
        })
        .collect()
}

/// The wiring the spec asks for, with each function's ARN and the version (AWS's default
/// where the spec names none).
fn wiring_fields(desired: &Desired, arn: &impl Fn(&str) -> String) -> Vec<Field> {
    let mut fields: Vec<Field> = desired
        .triggers
        .wired
        .iter()
        .map(|(trigger, wired)| {
            let resolved = Wired {
                function: arn(&wired.function),
                version: wired.version.or(trigger.default_version()),
            };
            crate::desired::field(&format!("triggers.{trigger}"), resolved)
        })
        .collect();
    if let Some(key) = &desired.triggers.kms_key_id {
        fields.push(crate::desired::field("triggers.kms_key_id", key));
    }
    fields
}

fn observed_wiring(pool: &ObservedPool) -> Vec<Field> {
    let mut fields: Vec<Field> = pool
        .triggers
        .wired
        .iter()
        .map(|(trigger, wired)| crate::desired::field(&format!("triggers.{trigger}"), wired))
        .collect();
    if let Some(key) = &pool.triggers.kms_key_id {
        fields.push(crate::desired::field("triggers.kms_key_id", key));
    }
    fields
}

/// The fields of `desired` whose value differs from `observed`'s (a field `observed` lacks
/// shows as `(unset)`). Fields only `observed` has are not the spec's to manage.
fn diff(observed: &[Field], desired: &[Field]) -> Vec<FieldChange> {
    desired
        .iter()
        .filter_map(|(field, new)| {
            let old = observed
                .iter()
                .find(|(f, _)| f == field)
                .map_or(UNSET.to_owned(), |(_, v)| v.clone());
            (&old != new).then(|| FieldChange::new(field.clone(), old, new.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
