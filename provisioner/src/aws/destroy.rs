//! `destroy`: the domains, then the pool (its clients, groups and users go with it), then the
//! pool's invoke permissions on the trigger functions. Refused, before any write, for a pool
//! this project did not create, while deletion protection is on, and while the pool has a
//! custom domain the spec does not declare (AWS would refuse the deletion over it after the
//! prefix domain was gone). If the pool's deletion fails, the pool is left with its clients
//! and permissions, without its domains.

use aws_sdk_cognitoidentityprovider::types::DeletionProtectionType;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::operation::remove_permission::RemovePermissionError;

use super::{AwsError, Clients, call_error, describe_pool, find_pool};
use crate::desired::permission::InvokePermission;
use crate::desired::{Desired, Pool};
use crate::observed::account_of;

/// Deletes what the spec describes; returns what was done, in order.
pub async fn destroy(clients: &Clients, desired: &Desired) -> Result<Vec<String>, AwsError> {
    let mut done = Vec::new();
    let Some(id) = find_pool(clients, &desired.pool.name).await? else {
        return Ok(done);
    };
    let pool = describe_pool(clients, &id).await?;
    if !Pool::from_aws(&pool, None).is_managed() {
        return Err(AwsError::Refused(format!(
            "user pool {id} is named {:?} but was not created by this provisioner (it lacks the tag {} = its \
             name); destroy deletes only pools it manages",
            desired.pool.name,
            crate::desired::MANAGED_TAG
        )));
    }
    if pool.deletion_protection() == Some(&DeletionProtectionType::Active) {
        return Err(AwsError::Refused(format!(
            "user pool {id} has deletion protection on. Set deletion_protection = false in the spec, run \
             `provisioner apply`, then destroy"
        )));
    }
    let declared = desired
        .domain
        .as_ref()
        .and_then(|d| d.custom.as_ref())
        .map(|c| c.name.as_str());
    let custom = pool.custom_domain().filter(|d| !d.is_empty());
    if let Some(custom) = custom.filter(|c| declared != Some(*c)) {
        return Err(AwsError::Refused(format!(
            "user pool {id} has the custom domain {custom:?}, which the spec does not manage, and AWS deletes no \
             pool that has a domain; nothing was deleted. Delete the custom domain first (aws cognito-idp \
             delete-user-pool-domain --user-pool-id {id} --domain {custom}), then destroy"
        )));
    }
    // AWS refuses to delete a pool that still has a domain.
    if let Some(custom) = custom {
        clients
            .cognito
            .delete_user_pool_domain()
            .user_pool_id(&id)
            .domain(custom)
            .send()
            .await
            .map_err(call_error("DeleteUserPoolDomain"))?;
        done.push(format!("deleted custom domain {custom:?}"));
    }
    if let Some(domain) = pool.domain().filter(|d| !d.is_empty()) {
        clients
            .cognito
            .delete_user_pool_domain()
            .user_pool_id(&id)
            .domain(domain)
            .send()
            .await
            .map_err(call_error("DeleteUserPoolDomain"))?;
        done.push(format!("deleted hosted-UI domain {domain:?}"));
    }
    clients
        .cognito
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .map_err(call_error("DeleteUserPool"))?;
    done.push(format!("deleted user pool {id} with its app clients and groups"));

    let Some(lambda) = &clients.lambda else {
        return Ok(done);
    };
    let pool_arn = pool.arn().unwrap_or_default();
    let permission = InvokePermission {
        pool_id: &id,
        pool_arn,
        account: account_of(pool_arn),
    };
    for function in desired.triggers.functions() {
        let policy = match lambda.get_policy().function_name(function).send().await {
            Ok(output) => output.policy,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(GetPolicyError::is_resource_not_found_exception) =>
            {
                None
            }
            Err(error) => return Err(call_error("GetPolicy")(error)),
        };
        for sid in permission.statements(policy.as_deref()).ours {
            match lambda
                .remove_permission()
                .function_name(function)
                .statement_id(&sid)
                .send()
                .await
            {
                Ok(_) => done.push(format!("removed the invoke permission {sid} from {function}")),
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(RemovePermissionError::is_resource_not_found_exception) => {}
                Err(error) => return Err(call_error("RemovePermission")(error)),
            }
        }
    }
    Ok(done)
}
