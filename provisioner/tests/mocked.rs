//! What moto's server cannot show, against the real SDK clients answered by
//! aws-smithy-mocks: Cognito throttling an apply (moto never throttles), an update carrying
//! settings moto does not model (SMS and email configuration, add-ons), a destroy of a pool
//! with a custom domain (moto reports none), and the request body itself, which a mocked or
//! emulated service never shows: the legacy validity field must not be in it.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::operation::create_group::CreateGroupOutput;
use aws_sdk_cognitoidentityprovider::operation::create_managed_login_branding::CreateManagedLoginBrandingOutput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::CreateUserPoolOutput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientOutput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_domain::CreateUserPoolDomainOutput;
use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_domain::DescribeUserPoolDomainOutput;
use aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsOutput;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolOutput;
use aws_sdk_cognitoidentityprovider::types::{AdminCreateUserConfigType, PasswordPolicyType, UserPoolPolicyType};
use aws_sdk_cognitoidentityprovider::types::{
    EmailConfigurationType, EmailSendingAccountType, SmsConfigurationType, UserPoolAddOnsType, UserPoolClientType,
    UserPoolType,
};
use aws_sdk_lambda as lambda;
use aws_sdk_lambda::operation::add_permission::AddPermissionOutput;
use aws_sdk_lambda::operation::get_function::GetFunctionOutput;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::types::FunctionConfiguration;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use provisioner::aws::{self, CallCounter, Clients, StripLegacyValidity};
use provisioner::desired::MANAGED_TAG;
use provisioner::observed::{Observed, ObservedPool};
use provisioner::plan::{Options, plan};
use provisioner::{Mode, converge};

/// Cognito's throttling answer as it comes over the wire.
const THROTTLED: &str = r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#;

const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

fn clients(cognito_rules: &[&Rule], lambda_rules: &[&Rule]) -> Clients {
    let counter = CallCounter::default();
    let retry = RetryConfig::standard()
        .with_max_attempts(8)
        .with_initial_backoff(Duration::from_millis(1));
    let (c1, c2, r1, r2) = (counter.clone(), counter.clone(), retry.clone(), retry);
    let cognito: cognito::Client = mock_client!(
        aws_sdk_cognitoidentityprovider,
        RuleMode::MatchAny,
        cognito_rules,
        |b| b
            .retry_config(r1.clone())
            .interceptor(c1.clone())
            .interceptor(StripLegacyValidity)
    );
    let lambda: lambda::Client = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, lambda_rules, |b| b
        .retry_config(r2.clone())
        .interceptor(c2.clone()));
    Clients::from_parts(cognito, Some(lambda), counter, "us-east-1".into())
}

fn spec() -> provisioner::spec::Spec {
    provisioner::spec::parse("cognito.toml", "[domain]\nprefix = \"toyseven\"\n")
        .unwrap()
        .0
}

#[tokio::test]
async fn a_throttled_apply_still_converges() {
    // Cognito answers TooManyRequestsException to reads and writes alike; the SDK's standard
    // retry mode backs off and tries again.
    let list = mock!(cognito::Client::list_user_pools)
        .sequence()
        .http_status(400, Some(THROTTLED.into()))
        .times(3)
        .output(|| ListUserPoolsOutput::builder().build())
        .build();
    let domain = mock!(cognito::Client::describe_user_pool_domain)
        .then_output(|| DescribeUserPoolDomainOutput::builder().build());
    let create = mock!(cognito::Client::create_user_pool)
        .sequence()
        .http_status(400, Some(THROTTLED.into()))
        .times(2)
        .output(|| {
            CreateUserPoolOutput::builder()
                .user_pool(UserPoolType::builder().id("us-east-1_abc").arn(POOL_ARN).build())
                .build()
        })
        .build();
    let client = mock!(cognito::Client::create_user_pool_client).then_output(|| {
        CreateUserPoolClientOutput::builder()
            .user_pool_client(UserPoolClientType::builder().client_id("client1").build())
            .build()
    });
    // The new domain serves managed login: the client's style comes first, for the client
    // just created.
    let branding = mock!(cognito::Client::create_managed_login_branding)
        .match_requests(|r| r.client_id() == Some("client1") && r.use_cognito_provided_values() == Some(true))
        .sequence()
        .http_status(400, Some(THROTTLED.into()))
        .output(|| CreateManagedLoginBrandingOutput::builder().build())
        .build();
    let create_domain =
        mock!(cognito::Client::create_user_pool_domain).then_output(|| CreateUserPoolDomainOutput::builder().build());
    let group = mock!(cognito::Client::create_group)
        .sequence()
        .http_status(400, Some(THROTTLED.into()))
        .output(|| CreateGroupOutput::builder().build())
        .build();
    let function = mock!(lambda::Client::get_function).then_compute_output(|request| {
        let name = request.function_name().unwrap_or_default().to_owned();
        GetFunctionOutput::builder()
            .configuration(
                FunctionConfiguration::builder()
                    .function_arn(format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"))
                    .build(),
            )
            .build()
    });
    let no_policy = mock!(lambda::Client::get_policy).then_error(|| {
        GetPolicyError::ResourceNotFoundException(lambda::types::error::ResourceNotFoundException::builder().build())
    });
    let permission = mock!(lambda::Client::add_permission)
        .match_requests(|r| {
            r.principal() == Some("cognito-idp.amazonaws.com")
                && r.source_arn() == Some(POOL_ARN)
                && r.source_account() == Some("123456789012")
                && r.statement_id() == Some("cognito-idp-us-east-1_abc")
        })
        .then_output(|| AddPermissionOutput::builder().build());
    let wire = mock!(cognito::Client::update_user_pool)
        .sequence()
        .http_status(400, Some(THROTTLED.into()))
        .output(|| UpdateUserPoolOutput::builder().build())
        .build();
    let clients = clients(
        &[
            &list,
            &domain,
            &create,
            &client,
            &branding,
            &create_domain,
            &group,
            &wire,
        ],
        &[&function, &no_policy, &permission],
    );

    let converged = converge(&clients, &spec(), Mode::Apply, Options::default())
        .await
        .expect("reads and writes are retried");
    let applied = converged.applied.unwrap();
    assert_eq!(applied.done.len(), 9, "{:?}", applied.done);
    assert_eq!(list.num_calls(), 4, "three throttled attempts, then the answer");
    assert_eq!(create.num_calls(), 3);
    assert_eq!(group.num_calls(), 2);
    assert_eq!(permission.num_calls(), 3, "one permission per function");
    assert_eq!(wire.num_calls(), 2);
    assert_eq!(branding.num_calls(), 2);
    let (_, writes) = clients.counter.reads_and_writes();
    assert_eq!(writes, 9, "operations are counted once, not per attempt");
}

#[tokio::test]
async fn an_update_sends_back_every_setting_it_does_not_manage() {
    // UpdateUserPool resets whatever is not sent. moto does not model these settings (an SMS
    // role, threat protection), so this checks the request itself.
    let existing = UserPoolType::builder()
        .id("us-east-1_abc")
        .arn(POOL_ARN)
        .name("toyseven-cognito")
        .username_attributes(cognito::types::UsernameAttributeType::Email)
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .build(),
        )
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode("AUDIT".into())
                .build()
                .unwrap(),
        )
        .email_verification_subject("Welcome")
        .user_pool_tags(MANAGED_TAG, "toyseven-cognito")
        .build();
    let update = mock!(cognito::Client::update_user_pool)
        .match_requests(|r| {
            r.sms_configuration().map(|s| s.sns_caller_arn()) == Some("arn:aws:iam::123456789012:role/sns")
                && r.email_configuration().and_then(|e| e.source_arn())
                    == Some("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                && r.user_pool_add_ons().is_some()
                && r.email_verification_subject() == Some("Welcome")
                && r.policies()
                    .and_then(|p| p.password_policy())
                    .and_then(|p| p.minimum_length())
                    == Some(8)
                && r.deletion_protection().map(|d| d.as_str()) == Some("ACTIVE")
        })
        .then_output(|| UpdateUserPoolOutput::builder().build());
    let clients = clients(&[&update], &[]);
    let mut spec = spec();
    spec.triggers = Default::default();
    spec.groups.clear();
    spec.domain = None;
    spec.pool.case_sensitive = true;
    // The sender is the spec's now; the test's SES sender is the spec's too.
    spec.pool.email = provisioner::desired::Email::Ses(provisioner::desired::SesEmail {
        source_arn: "arn:aws:ses:us-east-1:123456789012:identity/example.com".into(),
        from: "noreply@example.com".into(),
        reply_to: None,
        configuration_set: None,
    });
    let observed = Observed {
        pool: Some(ObservedPool::new(existing, None)),
        ..Observed::default()
    };
    let mut plan = plan(&spec, &observed, Options::default()).unwrap();
    plan.changes
        .retain(|c| matches!(c, provisioner::plan::Change::UpdatePool { .. }));
    assert_eq!(plan.changes.len(), 1);
    aws::apply(&clients, &plan).await.expect("the request matches");
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn the_legacy_validity_field_never_leaves_the_client() {
    // DescribeUserPool reports AdminCreateUserConfig.UnusedAccountValidityDays; the SDK
    // serializes it whenever AdminCreateUserConfig is sent; AWS refuses it beside the
    // password policy's TemporaryPasswordValidityDays. Only the body on the wire tells.
    let (http, request) = aws_smithy_http_client::test_util::capture_request(None);
    let config = cognito::Config::builder()
        .behavior_version(cognito::config::BehaviorVersion::latest())
        .region(cognito::config::Region::new("us-east-1"))
        .credentials_provider(cognito::config::Credentials::new("k", "s", None, None, "test"))
        .http_client(http)
        .interceptor(StripLegacyValidity)
        .build();
    let _ = cognito::Client::from_conf(config)
        .update_user_pool()
        .user_pool_id("us-east-1_abc")
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .unused_account_validity_days(7)
                .build(),
        )
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .temporary_password_validity_days(7)
                        .build(),
                )
                .build(),
        )
        .send()
        .await;
    let sent = request.expect_request();
    let body: serde_json::Value = serde_json::from_slice(sent.body().bytes().unwrap()).unwrap();
    assert_eq!(
        body["AdminCreateUserConfig"],
        serde_json::json!({"AllowAdminCreateUserOnly": true})
    );
    assert_eq!(body["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"], 7);
    assert_eq!(
        sent.headers().get("content-length"),
        Some(sent.body().bytes().unwrap().len().to_string().as_str())
    );
}

#[tokio::test]
async fn destroy_refuses_a_pool_with_a_custom_domain_before_deleting_anything() {
    // moto reports no CustomDomain. AWS deletes no pool that has a domain of either kind, so
    // deleting the prefix domain first would leave the pool without its hosted UI and the
    // pool itself in place.
    let list = mock!(cognito::Client::list_user_pools).then_output(|| {
        ListUserPoolsOutput::builder()
            .user_pools(
                cognito::types::UserPoolDescriptionType::builder()
                    .id("us-east-1_abc")
                    .name("toyseven-cognito")
                    .build(),
            )
            .build()
    });
    let describe = mock!(cognito::Client::describe_user_pool).then_output(|| {
        cognito::operation::describe_user_pool::DescribeUserPoolOutput::builder()
            .user_pool(
                UserPoolType::builder()
                    .id("us-east-1_abc")
                    .arn(POOL_ARN)
                    .name("toyseven-cognito")
                    .deletion_protection(cognito::types::DeletionProtectionType::Inactive)
                    .user_pool_tags(MANAGED_TAG, "toyseven-cognito")
                    .domain("toyseven")
                    .custom_domain("auth.example.com")
                    .build(),
            )
            .build()
    });
    let delete_domain = mock!(cognito::Client::delete_user_pool_domain)
        .then_output(|| cognito::operation::delete_user_pool_domain::DeleteUserPoolDomainOutput::builder().build());
    let delete_pool = mock!(cognito::Client::delete_user_pool)
        .then_output(|| cognito::operation::delete_user_pool::DeleteUserPoolOutput::builder().build());
    let clients = clients(&[&list, &describe, &delete_domain, &delete_pool], &[]).without_lambda();

    let result = aws::destroy(&clients, &spec()).await;
    assert_eq!(delete_domain.num_calls(), 0, "the prefix domain is kept: {result:?}");
    assert_eq!(delete_pool.num_calls(), 0);
    let error = result.unwrap_err().to_string();
    assert!(error.contains("custom domain \"auth.example.com\""), "{error}");
}
