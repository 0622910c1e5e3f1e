//! Executing a plan: each change's request, sent as the plan holds it. The only thing filled
//! in here is the id and ARN of a pool the same plan creates, and a provider's secret, read
//! from its source just before its request is sent. Each request is the SDK's own input
//! builder, sent with `send_with`: no member is copied by hand, so none can be forgotten.

use super::{AwsError, Clients, call_error, read_secret};
use crate::desired::permission::InvokePermission;
use crate::observed::account_of;
use crate::plan::{Change, NEW_CLIENT, NEW_POOL, NEW_POOL_ARN, Plan};

/// What `apply` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The pool's id and ARN, when it exists (created now or before).
    pub pool_id: Option<String>,
    pub pool_arn: Option<String>,
    /// The app clients created now: `(name, client id)`.
    pub created_clients: Vec<(String, String)>,
    /// Each change made, as the plan shows it, in order.
    pub done: Vec<String>,
}

/// A change failed; the ones before it were made.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ApplyError {
    pub done: Vec<String>,
    pub error: AwsError,
}

/// Makes the plan's changes in order, stopping at the first failure.
pub async fn apply(clients: &Clients, plan: &Plan) -> Result<Applied, ApplyError> {
    apply_reporting(clients, plan, &mut |_| {}).await
}

/// [`apply`], calling `done` with each change as soon as it is made (before the next one is
/// sent), so that an apply interrupted anywhere has said what it did.
pub async fn apply_reporting(
    clients: &Clients,
    plan: &Plan,
    done: &mut (dyn FnMut(&Change) + Send),
) -> Result<Applied, ApplyError> {
    let mut applied = Applied::default();
    for change in &plan.changes {
        if let Err(error) = make(clients, change, &mut applied).await {
            return Err(ApplyError {
                done: applied.done,
                error,
            });
        }
        applied.done.push(change.summary());
        done(change);
    }
    Ok(applied)
}

impl Applied {
    /// `id` from a request, or the id of the pool created by this plan in its place.
    fn pool(&self, id: Option<&String>) -> Result<String, AwsError> {
        match id.map(String::as_str) {
            Some(NEW_POOL) | None => self
                .pool_id
                .clone()
                .ok_or_else(|| AwsError::Refused("the user pool does not exist".into())),
            Some(id) => Ok(id.to_owned()),
        }
    }
}

/// Sends one change's requests with `send_with`, as the plan holds them: the only member set
/// here is the user pool id, where the plan names the pool it creates ([`NEW_POOL`]).
async fn make(clients: &Clients, change: &Change, applied: &mut Applied) -> Result<(), AwsError> {
    let cognito = &clients.cognito;
    // Sends a Cognito request with the pool's id put in, where the plan named the pool it
    // creates.
    macro_rules! send_in_pool {
        ($request:expr, $operation:literal) => {{
            let pool = applied.pool($request.get_user_pool_id().as_ref())?;
            $request
                .clone()
                .user_pool_id(pool)
                .send_with(cognito)
                .await
                .map_err(call_error($operation))?;
        }};
    }
    match change {
        Change::AdoptPool { id, request, .. } => {
            request
                .clone()
                .send_with(cognito)
                .await
                .map_err(call_error("TagResource"))?;
            applied.pool_id = Some(id.clone());
            applied.pool_arn.clone_from(request.get_resource_arn());
        }
        Change::CreatePool { request, .. } => {
            let output = (**request)
                .clone()
                .send_with(cognito)
                .await
                .map_err(call_error("CreateUserPool"))?;
            let pool = output.user_pool.ok_or_else(|| AwsError::Call {
                operation: "CreateUserPool",
                message: "the answer had no user pool".into(),
            })?;
            applied.pool_id = pool.id;
            applied.pool_arn = pool.arn;
        }
        Change::AddCustomAttributes { request, .. } => {
            send_in_pool!(request, "AddCustomAttributes");
        }
        Change::SetRisk { request, .. } => {
            send_in_pool!(request, "SetRiskConfiguration");
        }
        Change::SetLogDelivery { request, .. } => {
            send_in_pool!(request, "SetLogDeliveryConfiguration");
        }
        Change::SetMfa { request, .. } => {
            send_in_pool!(request, "SetUserPoolMfaConfig");
        }
        Change::CreateResourceServer { request, .. } => {
            send_in_pool!(request, "CreateResourceServer");
        }
        Change::UpdateResourceServer { request, .. } => {
            send_in_pool!(request, "UpdateResourceServer");
        }
        Change::CreateIdentityProvider { request, secret, .. } => {
            let pool = applied.pool(request.get_user_pool_id().as_ref())?;
            let mut request = request.clone().user_pool_id(pool);
            if let Some(secret) = secret {
                let value = read_secret(clients, &secret.source).await?;
                request = request.provider_details(secret.key, value.expose());
            }
            request
                .send_with(cognito)
                .await
                .map_err(call_error("CreateIdentityProvider"))?;
        }
        Change::UpdateIdentityProvider { request, secret, .. } => {
            let pool = applied.pool(request.get_user_pool_id().as_ref())?;
            let mut request = request.clone().user_pool_id(pool);
            if let Some(secret) = secret {
                let value = read_secret(clients, &secret.source).await?;
                request = request.provider_details(secret.key, value.expose());
            }
            request
                .send_with(cognito)
                .await
                .map_err(call_error("UpdateIdentityProvider"))?;
        }
        Change::DeleteIdentityProvider { request, .. } => {
            send_in_pool!(request, "DeleteIdentityProvider");
        }
        Change::CreateClient { name, request, .. } => {
            let pool = applied.pool(request.get_user_pool_id().as_ref())?;
            let output = (**request)
                .clone()
                .user_pool_id(pool)
                .send_with(cognito)
                .await
                .map_err(call_error("CreateUserPoolClient"))?;
            let id = output
                .user_pool_client()
                .and_then(|c| c.client_id())
                .unwrap_or_default()
                .to_owned();
            applied.created_clients.push((name.clone(), id));
        }
        Change::UpdateClient { request, .. } => {
            (**request)
                .clone()
                .send_with(cognito)
                .await
                .map_err(call_error("UpdateUserPoolClient"))?;
        }
        Change::CreateDomain { request, .. } | Change::CreateCustomDomain { request, .. } => {
            send_in_pool!(request, "CreateUserPoolDomain");
        }
        Change::CreateBranding { client, request, .. } => {
            let pool = applied.pool(request.get_user_pool_id().as_ref())?;
            let client_id = match request.get_client_id().as_deref() {
                Some(NEW_CLIENT) | None => applied
                    .created_clients
                    .iter()
                    .find(|(name, _)| name == client)
                    .map(|(_, id)| id.clone())
                    .ok_or_else(|| AwsError::Refused(format!("the app client {client:?} does not exist")))?,
                Some(id) => id.to_owned(),
            };
            request
                .clone()
                .user_pool_id(pool)
                .client_id(client_id)
                .send_with(cognito)
                .await
                .map_err(call_error("CreateManagedLoginBranding"))?;
        }
        Change::UpdateDomain { request, .. } | Change::UpdateCustomDomain { request, .. } => {
            send_in_pool!(request, "UpdateUserPoolDomain");
        }
        Change::ReplaceDomain { delete, create, .. } | Change::ReplaceCustomDomain { delete, create, .. } => {
            delete
                .clone()
                .send_with(cognito)
                .await
                .map_err(call_error("DeleteUserPoolDomain"))?;
            create
                .clone()
                .send_with(cognito)
                .await
                .map_err(call_error("CreateUserPoolDomain"))?;
        }
        Change::CreateGroup { request, .. } => {
            send_in_pool!(request, "CreateGroup");
        }
        Change::UpdateGroup { request, .. } => {
            send_in_pool!(request, "UpdateGroup");
        }
        Change::Grant {
            function_arn, request, ..
        } => {
            let request = if request.get_source_arn().as_deref() == Some(NEW_POOL_ARN) {
                // The pool was created by this plan: its statement names it now.
                let (pool_id, pool_arn) = (applied.pool(None)?, applied.pool_arn.clone().unwrap_or_default());
                let permission = InvokePermission {
                    pool_id: &pool_id,
                    pool_arn: &pool_arn,
                    account: account_of(&pool_arn),
                };
                permission.add_request(function_arn, &permission.free_id(&[]))
            } else {
                request.clone()
            };
            request
                .send_with(lambda(clients)?)
                .await
                .map_err(call_error("AddPermission"))?;
        }
        Change::UpdatePool { request, .. } => {
            let pool = applied.pool(request.get_user_pool_id().as_ref())?;
            (**request)
                .clone()
                .user_pool_id(pool)
                .send_with(cognito)
                .await
                .map_err(call_error("UpdateUserPool"))?;
        }
        Change::Revoke { request, .. } => {
            request
                .clone()
                .send_with(lambda(clients)?)
                .await
                .map_err(call_error("RemovePermission"))?;
        }
    }
    Ok(())
}

fn lambda(clients: &Clients) -> Result<&aws_sdk_lambda::Client, AwsError> {
    clients
        .lambda
        .as_ref()
        .ok_or_else(|| AwsError::Refused("the plan changes invoke permissions, but there is no Lambda API".into()))
}

#[cfg(test)]
mod tests;
