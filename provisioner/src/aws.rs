//! Everything that talks to AWS: the clients (retries and the call counter set once),
//! reading what exists (`observe`), and executing a plan (`apply`), plus `destroy`.

use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_domain::DescribeUserPoolDomainError;
use aws_sdk_cognitoidentityprovider::types::{
    DeletionProtectionType, LambdaConfigType, OAuthFlowType, PasswordPolicyType, PreventUserExistenceErrorTypes,
    UserPoolClientType, UserPoolMfaType, UserPoolPolicyType, UserPoolType, UsernameAttributeType,
    VerifiedAttributeType,
};
use aws_sdk_lambda as lambda;
use aws_sdk_lambda::operation::get_function::GetFunctionError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::operation::remove_permission::RemovePermissionError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::plan::{Change, Function, Observed, Plan, account_of, statement_id, trigger_arns};
use crate::spec::{Attribute, Spec};

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{operation} failed: {message}")]
    Call { operation: &'static str, message: String },
    #[error("more than one user pool is named {name:?} ({ids}); refusing to guess. Rename or delete the extras")]
    AmbiguousPool { name: String, ids: String },
    #[error("more than one app client is named {name:?} in pool {pool} ({ids}); refusing to guess")]
    AmbiguousClient { name: String, pool: String, ids: String },
    #[error(
        "trigger {trigger}: Lambda function {function:?} does not exist in this region. Deploy it first \
         (cargo lambda deploy) or fix [triggers] in the spec"
    )]
    MissingFunction { trigger: &'static str, function: String },
    #[error("{0}")]
    Refused(String),
}

fn call_error<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> AwsError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let message = match &error {
            SdkError::ServiceError(context) => match (context.err().code(), context.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => DisplayErrorContext(&error).to_string(),
            },
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
                "could not reach the endpoint ({}); check --endpoint-url, AWS_ENDPOINT_URL and your network",
                causes(&error)
            ),
            _ => DisplayErrorContext(&error).to_string(),
        };
        AwsError::Call { operation, message }
    }
}

/// An error and its sources, each as people read it (without the debug dump that
/// `DisplayErrorContext` adds).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Counts the API operations made (once per operation, not per retry attempt).
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    calls: Arc<Mutex<Vec<String>>>,
}

impl CallCounter {
    /// Operation names in the order they were made.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().expect("the counter lock").clone()
    }

    /// `(reads, writes)`: Describe, List and Get operations read; the rest write.
    pub fn reads_and_writes(&self) -> (usize, usize) {
        let calls = self.calls();
        let reads = calls.iter().filter(|name| is_read(name)).count();
        (reads, calls.len() - reads)
    }
}

pub fn is_read(operation: &str) -> bool {
    ["Describe", "List", "Get"]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    // Once per operation, after the operation's configuration (which names it) is applied;
    // `read_before_execution` runs too early for that on client-level interceptors.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = config.load::<Metadata>() {
            self.calls
                .lock()
                .expect("the counter lock")
                .push(metadata.name().to_owned());
        }
        Ok(())
    }
}

/// Where to connect: the standard AWS configuration (credentials chain, region, profile,
/// `AWS_ENDPOINT_URL`) with these overrides.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Every call goes here (an emulator).
    pub endpoint_url: Option<String>,
    /// An access key pair instead of the credentials chain (an emulator accepts any).
    pub credentials: Option<(String, String)>,
}

impl Connection {
    pub async fn load(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::from_env();
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some((key, secret)) = &self.credentials {
            loader = loader.credentials_provider(cognito::config::Credentials::new(key, secret, None, None, "given"));
        }
        loader.load().await
    }
}

/// The two service clients, built once.
#[derive(Debug, Clone)]
pub struct Clients {
    pub cognito: cognito::Client,
    pub lambda: lambda::Client,
    pub counter: CallCounter,
    pub region: String,
}

impl Clients {
    /// Clients from a loaded AWS configuration. Throttling and transient errors are retried
    /// with exponential backoff by the SDK's standard retry mode, up to 8 attempts.
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        let counter = CallCounter::default();
        let retry = RetryConfig::standard().with_max_attempts(8);
        let cognito = cognito::Client::from_conf(
            cognito::config::Builder::from(config)
                .retry_config(retry.clone())
                .interceptor(counter.clone())
                .build(),
        );
        let lambda = lambda::Client::from_conf(
            lambda::config::Builder::from(config)
                .retry_config(retry)
                .interceptor(counter.clone())
                .build(),
        );
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        Self::from_parts(cognito, lambda, counter, region)
    }

    /// Clients made elsewhere (tests give mocked ones).
    pub fn from_parts(cognito: cognito::Client, lambda: lambda::Client, counter: CallCounter, region: String) -> Self {
        Self {
            cognito,
            lambda,
            counter,
            region,
        }
    }
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

pub async fn find_client(clients: &Clients, pool: &str, name: &str) -> Result<Option<UserPoolClientType>, AwsError> {
    let mut ids = Vec::new();
    let mut pages = clients
        .cognito
        .list_user_pool_clients()
        .user_pool_id(pool)
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListUserPoolClients"))?;
        ids.extend(
            page.user_pool_clients()
                .iter()
                .filter(|client| client.client_name() == Some(name))
                .filter_map(|client| client.client_id().map(str::to_owned)),
        );
    }
    let ambiguous = |ids| AwsError::AmbiguousClient {
        name: name.to_owned(),
        pool: pool.to_owned(),
        ids,
    };
    let Some(id) = at_most_one(ids, ambiguous)? else {
        return Ok(None);
    };
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

async fn list_groups(clients: &Clients, pool: &str) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut pages = clients
        .cognito
        .list_groups()
        .user_pool_id(pool)
        .limit(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error("ListGroups"))?;
        names.extend(page.groups().iter().filter_map(|g| g.group_name().map(str::to_owned)));
    }
    Ok(names)
}

/// Resolves every trigger's function (GetFunction) and reads its policy (GetPolicy). A
/// missing function is an error naming it.
async fn resolve_functions(clients: &Clients, spec: &Spec) -> Result<Vec<Function>, AwsError> {
    let mut functions: Vec<Function> = Vec::new();
    for (trigger, reference) in spec.triggers.iter() {
        if functions.iter().any(|f| f.reference == reference) {
            continue;
        }
        let output = match clients.lambda.get_function().function_name(reference).send().await {
            Ok(output) => output,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(GetFunctionError::is_resource_not_found_exception) =>
            {
                return Err(AwsError::MissingFunction {
                    trigger,
                    function: reference.to_owned(),
                });
            }
            Err(error) => return Err(call_error("GetFunction")(error)),
        };
        let arn = output
            .configuration()
            .and_then(|c| c.function_arn())
            .map(unqualified)
            .ok_or_else(|| AwsError::Call {
                operation: "GetFunction",
                message: format!("no ARN for {reference}"),
            })?;
        let policy = match clients.lambda.get_policy().function_name(&arn).send().await {
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
        functions.push(Function {
            reference: reference.to_owned(),
            arn,
            policy,
        });
    }
    Ok(functions)
}

/// A function ARN without a version or alias qualifier.
fn unqualified(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

/// Reads everything the spec manages. Read-only. With `lambda` false (an endpoint without
/// the Lambda API), the functions are taken by name as the spec gives them, unresolved.
pub async fn observe(clients: &Clients, spec: &Spec, lambda: bool) -> Result<Observed, AwsError> {
    let functions = if lambda {
        resolve_functions(clients, spec).await?
    } else {
        spec.triggers
            .iter()
            .map(|(_, reference)| Function {
                reference: reference.to_owned(),
                arn: reference.to_owned(),
                policy: None,
            })
            .collect()
    };
    let mut observed = Observed {
        functions,
        ..Observed::default()
    };
    if let Some(id) = find_pool(clients, &spec.pool.name).await? {
        let pool = describe_pool(clients, &id).await?;
        observed.client = find_client(clients, &id, &spec.client.name).await?;
        observed.groups = list_groups(clients, &id).await?;
        observed.pool = Some(pool);
    }
    if let Some(domain) = &spec.domain {
        // The pool's own description names its domain; ask only when it is another one.
        let pool_has_it = observed.pool.as_ref().and_then(|p| p.domain()) == Some(domain.prefix.as_str());
        if !pool_has_it {
            observed.domain_owner = domain_owner(clients, &domain.prefix).await?;
        }
    }
    Ok(observed)
}

async fn domain_owner(clients: &Clients, prefix: &str) -> Result<Option<String>, AwsError> {
    match clients.cognito.describe_user_pool_domain().domain(prefix).send().await {
        Ok(output) => Ok(output
            .domain_description()
            .and_then(|d| d.user_pool_id())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)),
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

/// What `apply` did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub pool_id: Option<String>,
    pub done: Vec<String>,
}

/// Executes `plan`. Updates start from what AWS reports and overlay the spec, so settings
/// made outside the spec survive (Cognito's Update calls reset whatever is not sent).
pub async fn apply(clients: &Clients, spec: &Spec, observed: &Observed, plan: &Plan) -> Result<Applied, AwsError> {
    let mut applied = Applied::default();
    let arns = trigger_arns(&spec.triggers, &observed.functions);
    let mut pool = observed.pool.clone();
    for change in &plan.changes {
        match change {
            Change::CreatePool { .. } => {
                let created = create_pool(clients, spec, &arns).await?;
                pool = Some(created);
            }
            Change::UpdatePool { .. } => {
                let current = pool.as_ref().expect("an update has a pool");
                update_pool(clients, current, spec, &arns).await?;
            }
            Change::CreateClient { .. } => {
                create_client(clients, pool_id(&pool)?, spec).await?;
            }
            Change::UpdateClient { .. } => {
                let current = observed.client.as_ref().expect("an update has a client");
                update_client(clients, current, spec).await?;
            }
            Change::CreateDomain { prefix } => {
                clients
                    .cognito
                    .create_user_pool_domain()
                    .user_pool_id(pool_id(&pool)?)
                    .domain(prefix)
                    .send()
                    .await
                    .map_err(call_error("CreateUserPoolDomain"))?;
            }
            Change::ReplaceDomain { old, new } => {
                let id = pool_id(&pool)?;
                clients
                    .cognito
                    .delete_user_pool_domain()
                    .user_pool_id(id)
                    .domain(old)
                    .send()
                    .await
                    .map_err(call_error("DeleteUserPoolDomain"))?;
                clients
                    .cognito
                    .create_user_pool_domain()
                    .user_pool_id(id)
                    .domain(new)
                    .send()
                    .await
                    .map_err(call_error("CreateUserPoolDomain"))?;
            }
            Change::CreateGroup { name } => {
                let description = spec
                    .groups
                    .iter()
                    .find(|g| &g.name == name)
                    .and_then(|g| g.description.clone());
                clients
                    .cognito
                    .create_group()
                    .user_pool_id(pool_id(&pool)?)
                    .group_name(name)
                    .set_description(description)
                    .send()
                    .await
                    .map_err(call_error("CreateGroup"))?;
            }
            Change::GrantInvoke { function_arn, replace } => {
                let current = pool.as_ref().expect("the pool exists by now");
                grant_invoke(clients, current, function_arn, *replace).await?;
            }
        }
        applied.done.push(change.to_string());
    }
    applied.pool_id = pool.as_ref().and_then(|p| p.id()).map(str::to_owned);
    Ok(applied)
}

fn pool_id(pool: &Option<UserPoolType>) -> Result<&str, AwsError> {
    pool.as_ref()
        .and_then(|p| p.id())
        .ok_or_else(|| AwsError::Refused("the user pool does not exist".into()))
}

fn lambda_config(base: Option<&LambdaConfigType>, arns: &[(&'static str, String)]) -> Option<LambdaConfigType> {
    if arns.is_empty() {
        return base.cloned();
    }
    let mut config = base.cloned().unwrap_or_else(|| LambdaConfigType::builder().build());
    for (trigger, arn) in arns {
        match *trigger {
            "pre_sign_up" => config.pre_sign_up = Some(arn.clone()),
            "post_confirmation" => config.post_confirmation = Some(arn.clone()),
            _ => config.custom_message = Some(arn.clone()),
        }
    }
    Some(config)
}

fn password_policy(spec: &Spec, base: Option<&PasswordPolicyType>) -> PasswordPolicyType {
    let policy = &spec.pool.password_policy;
    let mut merged = base.cloned().unwrap_or_else(|| PasswordPolicyType::builder().build());
    merged.minimum_length = Some(i32::from(policy.minimum_length));
    merged.require_lowercase = policy.require_lowercase;
    merged.require_uppercase = policy.require_uppercase;
    merged.require_numbers = policy.require_numbers;
    merged.require_symbols = policy.require_symbols;
    merged
}

fn verified(attributes: &[Attribute]) -> Vec<VerifiedAttributeType> {
    attributes
        .iter()
        .map(|a| VerifiedAttributeType::from(a.as_aws()))
        .collect()
}

fn deletion_protection(on: bool) -> DeletionProtectionType {
    if on {
        DeletionProtectionType::Active
    } else {
        DeletionProtectionType::Inactive
    }
}

async fn create_pool(
    clients: &Clients,
    spec: &Spec,
    arns: &[(&'static str, String)],
) -> Result<UserPoolType, AwsError> {
    let pool = &spec.pool;
    let output = clients
        .cognito
        .create_user_pool()
        .pool_name(&pool.name)
        .set_username_attributes(Some(
            pool.username_attributes
                .iter()
                .map(|a| UsernameAttributeType::from(a.as_aws()))
                .collect(),
        ))
        .set_auto_verified_attributes(Some(verified(&pool.auto_verified_attributes)))
        .mfa_configuration(UserPoolMfaType::from(pool.mfa.as_aws()))
        .deletion_protection(deletion_protection(pool.deletion_protection))
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(password_policy(spec, None))
                .build(),
        )
        .set_lambda_config(lambda_config(None, arns))
        .send()
        .await
        .map_err(call_error("CreateUserPool"))?;
    output.user_pool.ok_or_else(|| AwsError::Call {
        operation: "CreateUserPool",
        message: "the answer had no user pool".into(),
    })
}

/// UpdateUserPool with every updatable setting as AWS reports it, the spec's on top.
async fn update_pool(
    clients: &Clients,
    current: &UserPoolType,
    spec: &Spec,
    arns: &[(&'static str, String)],
) -> Result<(), AwsError> {
    let pool = &spec.pool;
    let policies = UserPoolPolicyType::builder()
        .password_policy(password_policy(
            spec,
            current.policies().and_then(|p| p.password_policy()),
        ))
        .set_sign_in_policy(current.policies().and_then(|p| p.sign_in_policy()).cloned())
        .build();
    let c = current.clone();
    clients
        .cognito
        .update_user_pool()
        .user_pool_id(c.id.clone().unwrap_or_default())
        .policies(policies)
        .deletion_protection(deletion_protection(pool.deletion_protection))
        .set_lambda_config(lambda_config(current.lambda_config(), arns))
        .set_auto_verified_attributes(Some(verified(&pool.auto_verified_attributes)))
        .mfa_configuration(UserPoolMfaType::from(pool.mfa.as_aws()))
        // Everything below is not in the spec: sent back as it is, so Update resets nothing.
        .set_sms_verification_message(c.sms_verification_message)
        .set_email_verification_message(c.email_verification_message)
        .set_email_verification_subject(c.email_verification_subject)
        .set_verification_message_template(c.verification_message_template)
        .set_sms_authentication_message(c.sms_authentication_message)
        .set_user_attribute_update_settings(c.user_attribute_update_settings)
        .set_device_configuration(c.device_configuration)
        .set_email_configuration(c.email_configuration)
        .set_sms_configuration(c.sms_configuration)
        .set_user_pool_tags(c.user_pool_tags)
        .set_admin_create_user_config(c.admin_create_user_config)
        .set_user_pool_add_ons(c.user_pool_add_ons)
        .set_account_recovery_setting(c.account_recovery_setting)
        .set_pool_name(c.name)
        .set_user_pool_tier(c.user_pool_tier)
        .set_key_configuration(c.key_configuration)
        .set_issuer_configuration(c.issuer_configuration)
        .set_acr_configuration(c.acr_configuration)
        .send()
        .await
        .map_err(call_error("UpdateUserPool"))?;
    Ok(())
}

fn oauth_flows(spec: &Spec) -> Vec<OAuthFlowType> {
    spec.client
        .oauth_flows
        .iter()
        .map(|f| OAuthFlowType::from(f.as_aws()))
        .collect()
}

fn existence_errors(spec: &Spec) -> PreventUserExistenceErrorTypes {
    if spec.client.prevent_user_existence_errors {
        PreventUserExistenceErrorTypes::Enabled
    } else {
        PreventUserExistenceErrorTypes::Legacy
    }
}

fn explicit_flows(spec: &Spec) -> Vec<cognito::types::ExplicitAuthFlowsType> {
    spec.client
        .explicit_auth_flows
        .iter()
        .map(|f| cognito::types::ExplicitAuthFlowsType::from(f.as_str()))
        .collect()
}

async fn create_client(clients: &Clients, pool_id: &str, spec: &Spec) -> Result<(), AwsError> {
    let client = &spec.client;
    clients
        .cognito
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(&client.name)
        .generate_secret(client.generate_secret)
        .set_allowed_o_auth_flows(Some(oauth_flows(spec)))
        .set_allowed_o_auth_scopes(Some(client.oauth_scopes.clone()))
        .allowed_o_auth_flows_user_pool_client(!client.oauth_flows.is_empty())
        .set_callback_urls(Some(client.callback_urls.clone()))
        .set_logout_urls(Some(client.logout_urls.clone()))
        .set_supported_identity_providers(Some(client.identity_providers.clone()))
        .set_explicit_auth_flows(Some(explicit_flows(spec)))
        .prevent_user_existence_errors(existence_errors(spec))
        .enable_token_revocation(client.enable_token_revocation)
        .send()
        .await
        .map_err(call_error("CreateUserPoolClient"))?;
    Ok(())
}

/// UpdateUserPoolClient with every setting as AWS reports it, the spec's on top.
async fn update_client(clients: &Clients, current: &UserPoolClientType, spec: &Spec) -> Result<(), AwsError> {
    let client = &spec.client;
    let c = current.clone();
    clients
        .cognito
        .update_user_pool_client()
        .set_user_pool_id(c.user_pool_id)
        .set_client_id(c.client_id)
        .set_allowed_o_auth_flows(Some(oauth_flows(spec)))
        .set_allowed_o_auth_scopes(Some(client.oauth_scopes.clone()))
        .allowed_o_auth_flows_user_pool_client(!client.oauth_flows.is_empty())
        .set_callback_urls(Some(client.callback_urls.clone()))
        .set_logout_urls(Some(client.logout_urls.clone()))
        .set_supported_identity_providers(Some(client.identity_providers.clone()))
        .set_explicit_auth_flows(Some(explicit_flows(spec)))
        .prevent_user_existence_errors(existence_errors(spec))
        .enable_token_revocation(client.enable_token_revocation)
        // Everything below is not in the spec: sent back as it is, so Update resets nothing.
        .set_client_name(c.client_name)
        .set_refresh_token_validity(Some(c.refresh_token_validity).filter(|v| *v > 0))
        .set_access_token_validity(c.access_token_validity)
        .set_id_token_validity(c.id_token_validity)
        .set_token_validity_units(c.token_validity_units)
        .set_read_attributes(c.read_attributes)
        .set_write_attributes(c.write_attributes)
        .set_default_redirect_uri(c.default_redirect_uri)
        .set_analytics_configuration(c.analytics_configuration)
        .set_enable_propagate_additional_user_context_data(c.enable_propagate_additional_user_context_data)
        .set_auth_session_validity(c.auth_session_validity)
        .set_refresh_token_rotation(c.refresh_token_rotation)
        .send()
        .await
        .map_err(call_error("UpdateUserPoolClient"))?;
    Ok(())
}

/// Adds (or corrects) the statement letting Cognito invoke the function, from this pool and
/// account only.
async fn grant_invoke(
    clients: &Clients,
    pool: &UserPoolType,
    function_arn: &str,
    replace: bool,
) -> Result<(), AwsError> {
    let pool_id = pool.id().unwrap_or_default();
    let pool_arn = pool.arn().unwrap_or_default();
    let sid = statement_id(pool_id);
    if replace {
        clients
            .lambda
            .remove_permission()
            .function_name(function_arn)
            .statement_id(&sid)
            .send()
            .await
            .map_err(call_error("RemovePermission"))?;
    }
    clients
        .lambda
        .add_permission()
        .function_name(function_arn)
        .statement_id(&sid)
        .action("lambda:InvokeFunction")
        .principal("cognito-idp.amazonaws.com")
        .source_arn(pool_arn)
        .set_source_account(account_of(pool_arn).map(str::to_owned))
        .send()
        .await
        .map_err(call_error("AddPermission"))?;
    Ok(())
}

/// Deletes the domain, then the client, then the pool, and removes the pool's invoke
/// permissions from the trigger functions. Refused while deletion protection is on.
pub async fn destroy(clients: &Clients, spec: &Spec) -> Result<Vec<String>, AwsError> {
    let mut done = Vec::new();
    let Some(id) = find_pool(clients, &spec.pool.name).await? else {
        return Ok(done);
    };
    let pool = describe_pool(clients, &id).await?;
    if pool.deletion_protection() == Some(&DeletionProtectionType::Active) {
        return Err(AwsError::Refused(format!(
            "user pool {id} has deletion protection on. Set deletion_protection = false in the spec, run \
             `provisioner apply`, then destroy"
        )));
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
    if let Some(client) = find_client(clients, &id, &spec.client.name).await? {
        let client_id = client.client_id().unwrap_or_default();
        clients
            .cognito
            .delete_user_pool_client()
            .user_pool_id(&id)
            .client_id(client_id)
            .send()
            .await
            .map_err(call_error("DeleteUserPoolClient"))?;
        done.push(format!("deleted app client {client_id}"));
    }
    clients
        .cognito
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .map_err(call_error("DeleteUserPool"))?;
    done.push(format!("deleted user pool {id}"));
    let sid = statement_id(&id);
    let mut seen = Vec::new();
    for (_, reference) in spec.triggers.iter() {
        if seen.contains(&reference) {
            continue;
        }
        seen.push(reference);
        match clients
            .lambda
            .remove_permission()
            .function_name(reference)
            .statement_id(&sid)
            .send()
            .await
        {
            Ok(_) => done.push(format!("removed the invoke permission for pool {id} from {reference}")),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(RemovePermissionError::is_resource_not_found_exception) => {}
            Err(error) => return Err(call_error("RemovePermission")(error)),
        }
    }
    Ok(done)
}
