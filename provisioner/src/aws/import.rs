//! `import`'s AWS side: reading all of a pool ([`read_pool`]) and adopting it ([`adopt`], the
//! one write, made as `plan --adopt` makes it). Secrets are taken out as they are read.

use super::observe::{
    describe_client, describe_domain, describe_identity_provider, list_clients, list_groups, list_identity_providers,
    list_resource_servers,
};
use super::{AwsError, Clients, apply, call_error, describe_pool, find_pool};
use crate::desired::{IdentityProvider, Pool};
use crate::import::{Described, Imported, PoolRef};
use crate::plan::{Plan, adopt_pool};

/// Reads the pool and everything in it: clients, resource servers, identity providers,
/// groups, domains and MFA configuration.
pub async fn read_pool(clients: &Clients, which: &PoolRef) -> Result<Described, AwsError> {
    read(clients, which).await.map_err(explain_denial)
}

/// The provisioner's own IAM policy reads the clients, groups and providers only of pools
/// that carry its tag, and a pool is imported before it has it: a refusal says which
/// credentials to use instead.
fn explain_denial(error: AwsError) -> AwsError {
    if error.is_access_denied() {
        return AwsError::Refused(format!(
            "{error}. import reads a pool before the provisioner manages it, and the provisioner's own policy \
             (infra/policies/provisioner.json) reads the clients, groups and providers only of pools that carry \
             its tag: run import with credentials that can read this pool, such as those it was made with"
        ));
    }
    error
}

async fn read(clients: &Clients, which: &PoolRef) -> Result<Described, AwsError> {
    let id = match which {
        PoolRef::Id(id) => id.clone(),
        PoolRef::Name(name) => find_pool(clients, name).await?.ok_or_else(|| {
            AwsError::Refused(format!(
                "no user pool is named {name:?} in {}; check the name and --region, or pass --pool-id",
                clients.region
            ))
        })?,
    };
    let pool = describe_pool(clients, &id).await?;
    let mfa = clients
        .cognito
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .map_err(call_error("GetUserPoolMfaConfig"))?;

    let mut app_clients = Vec::new();
    for (_, client_id) in list_clients(clients, &id).await? {
        if let Some(mut client) = describe_client(clients, &id, &client_id).await? {
            // Whether it has a secret is what the spec says; the secret itself is dropped here.
            client.client_secret = client.client_secret.map(|_| String::new());
            app_clients.push(client);
        }
    }

    let mut identity_providers = Vec::new();
    for (name, _) in list_identity_providers(clients, &id).await? {
        let mut provider = describe_identity_provider(clients, &id, &name).await?;
        let secret_key = IdentityProvider::from_aws(&provider).and_then(|p| p.kind.secret_key());
        if let (Some(details), Some(key)) = (provider.provider_details.as_mut(), secret_key) {
            details.remove(key);
        }
        identity_providers.push(provider);
    }

    let domain = match pool.domain().filter(|d| !d.is_empty()) {
        Some(prefix) => describe_domain(clients, prefix).await?,
        None => None,
    };
    let custom_domain = match pool.custom_domain().filter(|d| !d.is_empty()) {
        Some(custom) => describe_domain(clients, custom).await?,
        None => None,
    };
    let log_delivery = clients
        .cognito
        .get_log_delivery_configuration()
        .user_pool_id(&id)
        .send()
        .await
        .map_err(call_error("GetLogDeliveryConfiguration"))?
        .log_delivery_configuration;
    let threat_protection_on = pool
        .user_pool_add_ons()
        .is_some_and(|a| a.advanced_security_mode().as_str() != "OFF");
    let risk = if threat_protection_on {
        clients
            .cognito
            .describe_risk_configuration()
            .user_pool_id(&id)
            .send()
            .await
            .map_err(call_error("DescribeRiskConfiguration"))?
            .risk_configuration
    } else {
        None
    };
    Ok(Described {
        log_delivery,
        risk,
        resource_servers: list_resource_servers(clients, &id).await?,
        groups: list_groups(clients, &id).await?,
        pool,
        mfa,
        clients: app_clients,
        identity_providers,
        domain,
        custom_domain,
    })
}

/// Tags the pool as this project's, as `plan --adopt` does; `Ok(false)` when it already
/// carries the tag (nothing is written).
pub async fn adopt(clients: &Clients, described: &Described, imported: &Imported) -> Result<bool, AwsError> {
    if Pool::from_aws(&described.pool, None).is_managed() {
        return Ok(false);
    }
    let plan = Plan {
        changes: vec![adopt_pool(
            &imported.pool_id,
            &imported.pool_arn,
            &imported.desired.pool.name,
        )],
        unchanged: Vec::new(),
    };
    apply(clients, &plan).await.map_err(|failed| failed.error)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_read_says_to_import_with_credentials_that_can_read_the_pool() {
        let denied = explain_denial(AwsError::Call {
            operation: "GetUserPoolMfaConfig",
            message: "AccessDeniedException: User: arn:aws:sts::1:assumed-role/provisioner is not authorized".into(),
        });
        let text = denied.to_string();
        assert!(
            text.starts_with("GetUserPoolMfaConfig failed: AccessDeniedException")
                && text.contains("only of pools that carry its tag"),
            "{text}"
        );
        let other = explain_denial(AwsError::Call {
            operation: "DescribeUserPool",
            message: "ResourceNotFoundException: User pool x does not exist.".into(),
        });
        assert_eq!(
            other.to_string(),
            "DescribeUserPool failed: ResourceNotFoundException: User pool x does not exist."
        );
    }
}
