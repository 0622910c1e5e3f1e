//! Reading what exists, read-only: the pool found by name, its MFA configuration when MFA
//! matters, the spec's clients, resource servers and groups, who owns the spec's domain
//! prefix, and (through [`super::functions`]) the trigger functions with their resource
//! policies. The listing helpers are shared with `import`, which reads all of a pool.

use aws_sdk_cognitoidentityprovider::operation::describe_managed_login_branding_by_client::DescribeManagedLoginBrandingByClientError;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_domain::DescribeUserPoolDomainError;
use aws_sdk_cognitoidentityprovider::types::{
    DomainDescriptionType, IdentityProviderType, UserPoolClientType, UserPoolMfaType, UserPoolType,
};

use super::functions::resolve_functions;
use super::{AwsError, Clients, call_error, read_secret};
use crate::desired::domain::MANAGED_LOGIN;
use crate::desired::pool::log_delivery::log_delivery_from_aws;
use crate::desired::{Desired, IdentityProvider, Risk, SecretState, Triggers};
use crate::observed::{Observed, ObservedClient, ObservedCustomDomain, ObservedPool, ObservedProvider};

/// Reads everything the spec manages.
pub async fn observe(clients: &Clients, desired: &Desired) -> Result<Observed, AwsError> {
    let functions = resolve_functions(clients, desired).await?;
    let mut observed = Observed {
        functions,
        ..Observed::default()
    };
    if let Some(id) = find_pool(clients, &desired.pool.name).await? {
        let raw = describe_pool(clients, &id).await?;
        let mfa_matters = desired.pool.mfa.is_on()
            || desired.pool.web_authn.is_some()
            || raw.mfa_configuration().is_some_and(|m| *m != UserPoolMfaType::Off);
        let mfa = if mfa_matters {
            Some(
                clients
                    .cognito
                    .get_user_pool_mfa_config()
                    .user_pool_id(&id)
                    .send()
                    .await
                    .map_err(call_error("GetUserPoolMfaConfig"))?,
            )
        } else {
            None
        };
        let listed_clients = list_clients(clients, &id).await?;
        for client in &desired.clients {
            if let Some(found) = one_client(clients, &id, &client.name, &listed_clients).await? {
                observed.clients.push(ObservedClient::new(found));
            }
        }
        if !desired.resource_servers.is_empty() {
            observed.resource_servers = list_resource_servers(clients, &id).await?;
        }
        let offers_undeclared = observed
            .clients
            .iter()
            .flat_map(|c| &c.state.identity_providers)
            .any(|name| !desired.declares_provider(name));
        if !desired.identity_providers.is_empty() || offers_undeclared {
            let listed = list_identity_providers(clients, &id).await?;
            observed.identity_providers = identity_providers(clients, &id, desired, &listed).await?;
            // Only those a client of the spec offers now, which the plan takes out of it: one
            // no client offers may be staged by hand or managed by another tool, and a
            // provider's deletion loses its configuration for good.
            let offered = |name: &String| {
                observed
                    .clients
                    .iter()
                    .any(|c| c.state.identity_providers.contains(name))
            };
            observed.undeclared_providers = listed
                .into_iter()
                .filter(|(name, _)| !desired.declares_provider(name) && offered(name))
                .collect();
            if !observed.undeclared_providers.is_empty() {
                observed.offered_outside_spec =
                    offered_outside_spec(clients, &id, desired, &listed_clients, &observed.undeclared_providers)
                        .await?;
            }
        }
        observed.groups = list_groups(clients, &id).await?;
        let mut pool = ObservedPool::new(raw, mfa);
        if desired.pool.log_delivery.is_some() {
            let delivery = clients
                .cognito
                .get_log_delivery_configuration()
                .user_pool_id(&id)
                .send()
                .await
                .map_err(call_error("GetLogDeliveryConfiguration"))?;
            pool.state.log_delivery = Some(log_delivery_from_aws(delivery.log_delivery_configuration()));
        }
        if desired.pool.risk.is_some() {
            let risk = clients
                .cognito
                .describe_risk_configuration()
                .user_pool_id(&id)
                .send()
                .await
                .map_err(call_error("DescribeRiskConfiguration"))?;
            pool.state.risk = Some(Risk::from_aws(risk.risk_configuration()));
        }
        observed.pool = Some(pool);
    }
    if let Some(domain) = &desired.domain {
        // The pool's own description names its domain; ask only when it is another one.
        let current = observed.pool.as_ref().and_then(|p| p.domain.clone());
        if current.as_deref() != Some(domain.prefix.as_str()) {
            observed.domain_owner = domain_owner(clients, &domain.prefix)
                .await?
                .filter(|owner| observed.pool.as_ref().is_none_or(|p| &p.id != owner));
        }
        if domain.custom.is_some()
            && let Some(name) = observed
                .pool
                .as_ref()
                .and_then(|p| p.raw.custom_domain())
                .filter(|d| !d.is_empty())
        {
            let described = describe_domain(clients, name).await?;
            observed.custom_domain = Some(ObservedCustomDomain {
                name: name.to_owned(),
                certificate_arn: described
                    .as_ref()
                    .and_then(|d| d.custom_domain_config())
                    .map(|c| c.certificate_arn().to_owned()),
                managed_login_version: described.and_then(|d| d.managed_login_version),
            });
        }
        // What the pool's domain serves: kept by a replacement, changed only when the spec says.
        if let Some(current) = &current {
            observed.domain_version = describe_domain(clients, current)
                .await?
                .and_then(|d| d.managed_login_version);
        }
        if domain.version(observed.domain_version) == MANAGED_LOGIN
            && let Some(pool) = &observed.pool
        {
            for client in observed.clients.iter().filter(|c| c.state.uses_hosted_ui()) {
                if has_branding(clients, &pool.id, &client.id).await? {
                    observed.branded_clients.push(client.id.clone());
                }
            }
        }
    }
    Ok(observed)
}

/// What the commands that only read the pool need (`outputs`, `login`, `doctor`): the pool,
/// its MFA configuration, the spec's clients and the groups. No identity provider is
/// described, so no provider's secret is read (nor needed in the environment), and no
/// trigger function is resolved.
pub async fn observe_pool(clients: &Clients, desired: &Desired) -> Result<Observed, AwsError> {
    let mut lens = desired.clone();
    lens.triggers = Triggers::default();
    lens.identity_providers.clear();
    lens.resource_servers.clear();
    observe(clients, &lens).await
}

/// Finds the pool by name (every page of ListUserPools); more than one is an error.
pub async fn find_pool(clients: &Clients, name: &str) -> Result<Option<String>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = clients
        .cognito
        .list_user_pools()
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListUserPools"))?;
        ids.extend(
            page.user_pools()
                .iter()
                .filter(|pool| pool.name() == Some(name))
                .filter_map(|pool| pool.id().map(str::to_owned)),
        );
    }
    at_most_one(ids, |ids| AwsError::AmbiguousPool {
        name: name.to_owned(),
        ids,
    })
}

/// The one id found by name, if any; several are an error listing them (never a guess).
fn at_most_one(mut ids: Vec<String>, ambiguous: impl FnOnce(String) -> AwsError) -> Result<Option<String>, AwsError> {
    match ids.len() {
        0 | 1 => Ok(ids.pop()),
        _ => Err(ambiguous(ids.join(", "))),
    }
}

pub async fn describe_pool(clients: &Clients, id: &str) -> Result<UserPoolType, AwsError> {
    let output = clients
        .cognito
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .map_err(call_error("DescribeUserPool"))?;
    output.user_pool.ok_or_else(|| AwsError::Call {
        operation: "DescribeUserPool",
        message: "the answer had no user pool".into(),
    })
}

/// `(name, id)` of every client of the pool.
pub(super) async fn list_clients(clients: &Clients, pool: &str) -> Result<Vec<(String, String)>, AwsError> {
    let mut found = Vec::new();
    let mut pages = clients
        .cognito
        .list_user_pool_clients()
        .user_pool_id(pool)
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListUserPoolClients"))?;
        found.extend(
            page.user_pool_clients()
                .iter()
                .filter_map(|c| Some((c.client_name()?.to_owned(), c.client_id()?.to_owned()))),
        );
    }
    Ok(found)
}

pub(crate) async fn one_client(
    clients: &Clients,
    pool: &str,
    name: &str,
    listed: &[(String, String)],
) -> Result<Option<UserPoolClientType>, AwsError> {
    let ids = listed
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, id)| id.clone())
        .collect();
    let ambiguous = |ids| AwsError::AmbiguousClient {
        name: name.to_owned(),
        pool: pool.to_owned(),
        ids,
    };
    let Some(id) = at_most_one(ids, ambiguous)? else {
        return Ok(None);
    };
    describe_client(clients, pool, &id).await
}

pub(super) async fn describe_client(
    clients: &Clients,
    pool: &str,
    id: &str,
) -> Result<Option<UserPoolClientType>, AwsError> {
    let output = clients
        .cognito
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(id)
        .send()
        .await
        .map_err(call_error("DescribeUserPoolClient"))?;
    Ok(output.user_pool_client)
}

/// The (provider, client) pairs where a client the spec does not name offers one of
/// `undeclared`: one DescribeUserPoolClient per such client.
async fn offered_outside_spec(
    clients: &Clients,
    pool: &str,
    desired: &Desired,
    listed: &[(String, String)],
    undeclared: &[(String, String)],
) -> Result<Vec<(String, String)>, AwsError> {
    let mut offered = Vec::new();
    for (name, id) in listed {
        if desired.client(name).is_some() {
            continue;
        }
        let Some(client) = describe_client(clients, pool, id).await? else {
            continue;
        };
        for provider in client.supported_identity_providers() {
            if undeclared.iter().any(|(p, _)| p == provider) {
                offered.push((provider.clone(), name.clone()));
            }
        }
    }
    Ok(offered)
}

/// The app client named `name` in `pool`, described.
pub async fn find_client(clients: &Clients, pool: &str, name: &str) -> Result<Option<UserPoolClientType>, AwsError> {
    let listed = list_clients(clients, pool).await?;
    one_client(clients, pool, name, &listed).await
}

pub(crate) async fn list_resource_servers(
    clients: &Clients,
    pool: &str,
) -> Result<Vec<crate::desired::ResourceServer>, AwsError> {
    let mut servers = Vec::new();
    let mut pages = clients
        .cognito
        .list_resource_servers()
        .user_pool_id(pool)
        .max_results(50)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListResourceServers"))?;
        servers.extend(
            page.resource_servers()
                .iter()
                .map(crate::desired::ResourceServer::from_aws),
        );
    }
    Ok(servers)
}

pub(crate) async fn list_groups(clients: &Clients, pool: &str) -> Result<Vec<crate::desired::Group>, AwsError> {
    let mut groups = Vec::new();
    let mut pages = clients
        .cognito
        .list_groups()
        .user_pool_id(pool)
        .limit(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListGroups"))?;
        groups.extend(page.groups().iter().map(crate::desired::Group::from_aws));
    }
    Ok(groups)
}

/// The spec's providers that exist (of the pool's, `listed`), each with its secret compared
/// and then dropped.
async fn identity_providers(
    clients: &Clients,
    pool: &str,
    desired: &Desired,
    listed: &[(String, String)],
) -> Result<Vec<ObservedProvider>, AwsError> {
    let mut found = Vec::new();
    for provider in desired
        .identity_providers
        .iter()
        .filter(|p| listed.iter().any(|(name, _)| name == &p.name))
    {
        let mut raw = describe_identity_provider(clients, pool, &provider.name).await?;
        let held = provider
            .kind
            .secret_key()
            .and_then(|key| raw.provider_details.as_mut()?.remove(key));
        let secret = match (&provider.secret, provider.kind.secret_is_described()) {
            (Some(source), true) => {
                let wanted = read_secret(clients, source).await?;
                if held.as_deref() == Some(wanted.expose()) {
                    SecretState::Same
                } else {
                    SecretState::Differs
                }
            }
            (Some(_), false) => SecretState::Unknown,
            (None, _) => SecretState::Same,
        };
        let Some(state) = IdentityProvider::from_aws(&raw) else {
            return Err(AwsError::Refused(format!(
                "identity provider {:?} has a type this provisioner does not know",
                provider.name
            )));
        };
        found.push(ObservedProvider { state, raw, secret });
    }
    Ok(found)
}

/// The pool's identity providers, as (name, type).
pub(crate) async fn list_identity_providers(clients: &Clients, pool: &str) -> Result<Vec<(String, String)>, AwsError> {
    let mut names = Vec::new();
    let mut pages = clients
        .cognito
        .list_identity_providers()
        .user_pool_id(pool)
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListIdentityProviders"))?;
        names.extend(
            page.providers()
                .iter()
                .filter_map(|p| Some((p.provider_name()?.to_owned(), p.provider_type()?.as_str().to_owned()))),
        );
    }
    Ok(names)
}

/// DescribeIdentityProvider. Its details hold the provider's secret: callers take it out.
pub(crate) async fn describe_identity_provider(
    clients: &Clients,
    pool: &str,
    name: &str,
) -> Result<IdentityProviderType, AwsError> {
    clients
        .cognito
        .describe_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .send()
        .await
        .map_err(call_error("DescribeIdentityProvider"))?
        .identity_provider
        .ok_or_else(|| AwsError::Call {
            operation: "DescribeIdentityProvider",
            message: format!("the answer had no provider {name:?}"),
        })
}

/// The pool that owns a domain prefix.
async fn domain_owner(clients: &Clients, prefix: &str) -> Result<Option<String>, AwsError> {
    Ok(describe_domain(clients, prefix)
        .await?
        .and_then(|d| d.user_pool_id)
        .filter(|id| !id.is_empty()))
}

/// A domain's description (a prefix or a custom domain); `None` when nobody owns it. AWS
/// answers an unowned domain with an empty description, not an error.
/// Whether the client has a managed login branding style (DescribeManagedLoginBrandingByClient).
pub(super) async fn has_branding(clients: &Clients, pool_id: &str, client_id: &str) -> Result<bool, AwsError> {
    match clients
        .cognito
        .describe_managed_login_branding_by_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
    {
        Ok(output) => Ok(output.managed_login_branding.is_some()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(DescribeManagedLoginBrandingByClientError::is_resource_not_found_exception) =>
        {
            Ok(false)
        }
        Err(error) => Err(call_error("DescribeManagedLoginBrandingByClient")(error)),
    }
}

pub(crate) async fn describe_domain(
    clients: &Clients,
    domain: &str,
) -> Result<Option<DomainDescriptionType>, AwsError> {
    match clients.cognito.describe_user_pool_domain().domain(domain).send().await {
        Ok(output) => Ok(output
            .domain_description
            .filter(|d| d.user_pool_id().is_some_and(|id| !id.is_empty()))),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(DescribeUserPoolDomainError::is_resource_not_found_exception) =>
        {
            Ok(None)
        }
        Err(error) => Err(call_error("DescribeUserPoolDomain")(error)),
    }
}
