//! Executing a plan: each change's request, sent as the plan holds it. The only thing filled
//! in here is the id and ARN of a pool the same plan creates. Each send function maps one
//! request type onto its SDK call, field for field.

use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolInput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientInput;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolInput;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_client::UpdateUserPoolClientInput;

use super::{AwsError, Clients, call_error, read_secret};
use crate::desired::permission::InvokePermission;
use crate::observed::account_of;
use crate::plan::{Change, NEW_POOL, NEW_POOL_ARN, Plan};

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

async fn make(clients: &Clients, change: &Change, applied: &mut Applied) -> Result<(), AwsError> {
    let cognito = &clients.cognito;
    match change {
        Change::AdoptPool { id, request, .. } => {
            cognito
                .tag_resource()
                .set_resource_arn(request.resource_arn.clone())
                .set_tags(request.tags.clone())
                .send()
                .await
                .map_err(call_error("TagResource"))?;
            applied.pool_id = Some(id.clone());
            applied.pool_arn.clone_from(&request.resource_arn);
        }
        Change::CreatePool { request, .. } => {
            let pool = create_pool(clients, request).await?;
            applied.pool_id = pool.id;
            applied.pool_arn = pool.arn;
        }
        Change::AddCustomAttributes { request, .. } => {
            cognito
                .add_custom_attributes()
                .user_pool_id(applied.pool(request.user_pool_id.as_ref())?)
                .set_custom_attributes(request.custom_attributes.clone())
                .send()
                .await
                .map_err(call_error("AddCustomAttributes"))?;
        }
        Change::SetMfa { request, .. } => {
            let r = request.clone();
            cognito
                .set_user_pool_mfa_config()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_mfa_configuration(r.mfa_configuration)
                .set_software_token_mfa_configuration(r.software_token_mfa_configuration)
                .set_sms_mfa_configuration(r.sms_mfa_configuration)
                .set_email_mfa_configuration(r.email_mfa_configuration)
                .set_web_authn_configuration(r.web_authn_configuration)
                .send()
                .await
                .map_err(call_error("SetUserPoolMfaConfig"))?;
        }
        Change::CreateResourceServer { request, .. } => {
            let r = request.clone();
            cognito
                .create_resource_server()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_identifier(r.identifier)
                .set_name(r.name)
                .set_scopes(r.scopes)
                .send()
                .await
                .map_err(call_error("CreateResourceServer"))?;
        }
        Change::UpdateResourceServer { request, .. } => {
            let r = request.clone();
            cognito
                .update_resource_server()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_identifier(r.identifier)
                .set_name(r.name)
                .set_scopes(r.scopes)
                .send()
                .await
                .map_err(call_error("UpdateResourceServer"))?;
        }
        Change::CreateIdentityProvider { request, secret, .. } => {
            let mut r = request.clone();
            if let Some(secret) = secret {
                let value = read_secret(clients, &secret.source).await?;
                r.provider_details
                    .get_or_insert_default()
                    .insert(secret.key.to_owned(), value.expose().to_owned());
            }
            cognito
                .create_identity_provider()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_provider_name(r.provider_name)
                .set_provider_type(r.provider_type)
                .set_provider_details(r.provider_details)
                .set_attribute_mapping(r.attribute_mapping)
                .set_idp_identifiers(r.idp_identifiers)
                .set_acr_mapping(r.acr_mapping)
                .send()
                .await
                .map_err(call_error("CreateIdentityProvider"))?;
        }
        Change::UpdateIdentityProvider { request, secret, .. } => {
            let mut r = request.clone();
            if let Some(secret) = secret {
                let value = read_secret(clients, &secret.source).await?;
                r.provider_details
                    .get_or_insert_default()
                    .insert(secret.key.to_owned(), value.expose().to_owned());
            }
            cognito
                .update_identity_provider()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_provider_name(r.provider_name)
                .set_provider_details(r.provider_details)
                .set_attribute_mapping(r.attribute_mapping)
                .set_idp_identifiers(r.idp_identifiers)
                .set_acr_mapping(r.acr_mapping)
                .send()
                .await
                .map_err(call_error("UpdateIdentityProvider"))?;
        }
        Change::CreateClient { name, request, .. } => {
            let pool = applied.pool(request.user_pool_id.as_ref())?;
            let id = create_client(clients, &pool, request).await?;
            applied.created_clients.push((name.clone(), id));
        }
        Change::UpdateClient { request, .. } => update_client(clients, request).await?,
        Change::CreateDomain { request, .. } => {
            cognito
                .create_user_pool_domain()
                .user_pool_id(applied.pool(request.user_pool_id.as_ref())?)
                .set_domain(request.domain.clone())
                .set_managed_login_version(request.managed_login_version)
                .send()
                .await
                .map_err(call_error("CreateUserPoolDomain"))?;
        }
        Change::ReplaceDomain { delete, create, .. } => {
            cognito
                .delete_user_pool_domain()
                .set_user_pool_id(delete.user_pool_id.clone())
                .set_domain(delete.domain.clone())
                .send()
                .await
                .map_err(call_error("DeleteUserPoolDomain"))?;
            cognito
                .create_user_pool_domain()
                .set_user_pool_id(create.user_pool_id.clone())
                .set_domain(create.domain.clone())
                .set_managed_login_version(create.managed_login_version)
                .send()
                .await
                .map_err(call_error("CreateUserPoolDomain"))?;
        }
        Change::CreateGroup { request, .. } => {
            let r = request.clone();
            cognito
                .create_group()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_group_name(r.group_name)
                .set_description(r.description)
                .set_precedence(r.precedence)
                .set_role_arn(r.role_arn)
                .send()
                .await
                .map_err(call_error("CreateGroup"))?;
        }
        Change::UpdateGroup { request, .. } => {
            let r = request.clone();
            cognito
                .update_group()
                .user_pool_id(applied.pool(r.user_pool_id.as_ref())?)
                .set_group_name(r.group_name)
                .set_description(r.description)
                .set_precedence(r.precedence)
                .set_role_arn(r.role_arn)
                .send()
                .await
                .map_err(call_error("UpdateGroup"))?;
        }
        Change::Grant {
            function_arn, request, ..
        } => {
            let lambda = lambda(clients)?;
            let mut r = request.clone();
            if r.source_arn.as_deref() == Some(NEW_POOL_ARN) {
                // The pool was created by this plan: its statement names it now.
                let (pool_id, pool_arn) = (applied.pool(None)?, applied.pool_arn.clone().unwrap_or_default());
                let permission = InvokePermission {
                    pool_id: &pool_id,
                    pool_arn: &pool_arn,
                    account: account_of(&pool_arn),
                };
                r = permission.add_request(function_arn, &permission.free_id(&[]));
            }
            lambda
                .add_permission()
                .set_function_name(r.function_name)
                .set_statement_id(r.statement_id)
                .set_action(r.action)
                .set_principal(r.principal)
                .set_source_arn(r.source_arn)
                .set_source_account(r.source_account)
                .send()
                .await
                .map_err(call_error("AddPermission"))?;
        }
        Change::UpdatePool { request, .. } => {
            let mut r = (**request).clone();
            r.user_pool_id = Some(applied.pool(r.user_pool_id.as_ref())?);
            update_pool(clients, r).await?;
        }
        Change::Revoke { request, .. } => {
            lambda(clients)?
                .remove_permission()
                .set_function_name(request.function_name.clone())
                .set_statement_id(request.statement_id.clone())
                .send()
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

async fn create_pool(
    clients: &Clients,
    r: &CreateUserPoolInput,
) -> Result<aws_sdk_cognitoidentityprovider::types::UserPoolType, AwsError> {
    let r = r.clone();
    let output = clients
        .cognito
        .create_user_pool()
        .set_pool_name(r.pool_name)
        .set_policies(r.policies)
        .set_deletion_protection(r.deletion_protection)
        .set_lambda_config(r.lambda_config)
        .set_auto_verified_attributes(r.auto_verified_attributes)
        .set_alias_attributes(r.alias_attributes)
        .set_username_attributes(r.username_attributes)
        .set_sms_verification_message(r.sms_verification_message)
        .set_email_verification_message(r.email_verification_message)
        .set_email_verification_subject(r.email_verification_subject)
        .set_verification_message_template(r.verification_message_template)
        .set_sms_authentication_message(r.sms_authentication_message)
        .set_mfa_configuration(r.mfa_configuration)
        .set_user_attribute_update_settings(r.user_attribute_update_settings)
        .set_device_configuration(r.device_configuration)
        .set_email_configuration(r.email_configuration)
        .set_sms_configuration(r.sms_configuration)
        .set_user_pool_tags(r.user_pool_tags)
        .set_admin_create_user_config(r.admin_create_user_config)
        .set_schema(r.schema)
        .set_user_pool_add_ons(r.user_pool_add_ons)
        .set_username_configuration(r.username_configuration)
        .set_account_recovery_setting(r.account_recovery_setting)
        .set_user_pool_tier(r.user_pool_tier)
        .set_key_configuration(r.key_configuration)
        .set_issuer_configuration(r.issuer_configuration)
        .set_acr_configuration(r.acr_configuration)
        .send()
        .await
        .map_err(call_error("CreateUserPool"))?;
    output.user_pool.ok_or_else(|| AwsError::Call {
        operation: "CreateUserPool",
        message: "the answer had no user pool".into(),
    })
}

async fn update_pool(clients: &Clients, r: UpdateUserPoolInput) -> Result<(), AwsError> {
    clients
        .cognito
        .update_user_pool()
        .set_user_pool_id(r.user_pool_id)
        .set_policies(r.policies)
        .set_deletion_protection(r.deletion_protection)
        .set_lambda_config(r.lambda_config)
        .set_auto_verified_attributes(r.auto_verified_attributes)
        .set_sms_verification_message(r.sms_verification_message)
        .set_email_verification_message(r.email_verification_message)
        .set_email_verification_subject(r.email_verification_subject)
        .set_verification_message_template(r.verification_message_template)
        .set_sms_authentication_message(r.sms_authentication_message)
        .set_user_attribute_update_settings(r.user_attribute_update_settings)
        .set_mfa_configuration(r.mfa_configuration)
        .set_device_configuration(r.device_configuration)
        .set_email_configuration(r.email_configuration)
        .set_sms_configuration(r.sms_configuration)
        .set_user_pool_tags(r.user_pool_tags)
        .set_admin_create_user_config(r.admin_create_user_config)
        .set_user_pool_add_ons(r.user_pool_add_ons)
        .set_account_recovery_setting(r.account_recovery_setting)
        .set_pool_name(r.pool_name)
        .set_user_pool_tier(r.user_pool_tier)
        .set_key_configuration(r.key_configuration)
        .set_issuer_configuration(r.issuer_configuration)
        .set_acr_configuration(r.acr_configuration)
        .send()
        .await
        .map_err(call_error("UpdateUserPool"))?;
    Ok(())
}

async fn create_client(clients: &Clients, pool: &str, r: &CreateUserPoolClientInput) -> Result<String, AwsError> {
    let r = r.clone();
    let output = clients
        .cognito
        .create_user_pool_client()
        .user_pool_id(pool)
        .set_client_name(r.client_name)
        .set_generate_secret(r.generate_secret)
        .set_refresh_token_validity(r.refresh_token_validity)
        .set_access_token_validity(r.access_token_validity)
        .set_id_token_validity(r.id_token_validity)
        .set_token_validity_units(r.token_validity_units)
        .set_read_attributes(r.read_attributes)
        .set_write_attributes(r.write_attributes)
        .set_explicit_auth_flows(r.explicit_auth_flows)
        .set_supported_identity_providers(r.supported_identity_providers)
        .set_callback_urls(r.callback_urls)
        .set_logout_urls(r.logout_urls)
        .set_default_redirect_uri(r.default_redirect_uri)
        .set_allowed_o_auth_flows(r.allowed_o_auth_flows)
        .set_allowed_o_auth_scopes(r.allowed_o_auth_scopes)
        .set_allowed_o_auth_flows_user_pool_client(r.allowed_o_auth_flows_user_pool_client)
        .set_analytics_configuration(r.analytics_configuration)
        .set_prevent_user_existence_errors(r.prevent_user_existence_errors)
        .set_enable_token_revocation(r.enable_token_revocation)
        .set_enable_propagate_additional_user_context_data(r.enable_propagate_additional_user_context_data)
        .set_auth_session_validity(r.auth_session_validity)
        .set_refresh_token_rotation(r.refresh_token_rotation)
        .send()
        .await
        .map_err(call_error("CreateUserPoolClient"))?;
    Ok(output
        .user_pool_client()
        .and_then(|c| c.client_id())
        .unwrap_or_default()
        .to_owned())
}

async fn update_client(clients: &Clients, r: &UpdateUserPoolClientInput) -> Result<(), AwsError> {
    let r = r.clone();
    clients
        .cognito
        .update_user_pool_client()
        .set_user_pool_id(r.user_pool_id)
        .set_client_id(r.client_id)
        .set_client_name(r.client_name)
        .set_refresh_token_validity(r.refresh_token_validity)
        .set_access_token_validity(r.access_token_validity)
        .set_id_token_validity(r.id_token_validity)
        .set_token_validity_units(r.token_validity_units)
        .set_read_attributes(r.read_attributes)
        .set_write_attributes(r.write_attributes)
        .set_explicit_auth_flows(r.explicit_auth_flows)
        .set_supported_identity_providers(r.supported_identity_providers)
        .set_callback_urls(r.callback_urls)
        .set_logout_urls(r.logout_urls)
        .set_default_redirect_uri(r.default_redirect_uri)
        .set_allowed_o_auth_flows(r.allowed_o_auth_flows)
        .set_allowed_o_auth_scopes(r.allowed_o_auth_scopes)
        .set_allowed_o_auth_flows_user_pool_client(r.allowed_o_auth_flows_user_pool_client)
        .set_analytics_configuration(r.analytics_configuration)
        .set_prevent_user_existence_errors(r.prevent_user_existence_errors)
        .set_enable_token_revocation(r.enable_token_revocation)
        .set_enable_propagate_additional_user_context_data(r.enable_propagate_additional_user_context_data)
        .set_auth_session_validity(r.auth_session_validity)
        .set_refresh_token_rotation(r.refresh_token_rotation)
        .send()
        .await
        .map_err(call_error("UpdateUserPoolClient"))?;
    Ok(())
}
