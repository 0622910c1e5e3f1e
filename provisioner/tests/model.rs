//! The launcher's model check: `tools/moto_server.py` refuses every Cognito request outside
//! the API model botocore ships, as AWS does (HTTP 400, `InvalidParameterException`, "1
//! validation error detected: Value '…' at '…' failed to satisfy constraint: …"). Requests
//! here go straight through the SDK, past the spec's own checks, so each would reach moto's
//! backend without the launcher.

#[allow(dead_code, reason = "the shared harness offers more than these tests use")]
mod common;

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use common::Account;

/// moto behind the launcher, with one user pool.
struct Scene {
    account: Account,
    cognito: cognito::Client,
    pool_id: String,
}

impl Scene {
    fn new() -> Self {
        let account = Account::start();
        let cognito = cognito::Client::new(&account.config);
        let pool = account
            .runtime
            .block_on(cognito.create_user_pool().pool_name("model").send())
            .unwrap();
        let pool_id = pool.user_pool().and_then(|p| p.id()).unwrap().to_owned();
        Self {
            account,
            cognito,
            pool_id,
        }
    }

    fn run<F: std::future::Future>(&self, future: F) -> F::Output {
        self.account.runtime.block_on(future)
    }
}

/// The status, `x-amzn-ErrorType` and message of a refused call, checked to be AWS's
/// validation answer.
fn refusal<E: std::error::Error + 'static>(result: Result<impl std::fmt::Debug, SdkError<E, HttpResponse>>) -> String {
    let error = result.expect_err("the launcher should refuse a request outside the model");
    let raw = error.raw_response().expect("a refusal has an HTTP response");
    assert_eq!(raw.status().as_u16(), 400, "{error:?}");
    assert_eq!(raw.headers().get("x-amzn-ErrorType"), Some("InvalidParameterException"));
    let body: serde_json::Value = serde_json::from_slice(raw.body().bytes().unwrap()).unwrap();
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    body["message"].as_str().unwrap().to_owned()
}

#[test]
fn requests_outside_the_model_are_refused_as_aws_refuses_them_and_requests_within_it_pass() {
    let scene = Scene::new();
    let cognito = &scene.cognito;

    // A client name with `!`, a character ClientName's pattern leaves out.
    let message = refusal(
        scene.run(
            cognito
                .create_user_pool_client()
                .user_pool_id(&scene.pool_id)
                .client_name("web!")
                .send(),
        ),
    );
    assert_eq!(
        message,
        r"1 validation error detected: Value 'web!' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+"
    );

    // A callback URL over 1,024 characters.
    let long = format!("https://app.example.com/{}", "a".repeat(1_001));
    let message = refusal(
        scene.run(
            cognito
                .create_user_pool_client()
                .user_pool_id(&scene.pool_id)
                .client_name("web")
                .callback_urls(&long)
                .send(),
        ),
    );
    assert!(
        message.starts_with("1 validation error detected: Value '[https://app.example.com/aaa")
            && message.ends_with(
                "' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must \
                 have length less than or equal to 1024]"
            ),
        "{message}"
    );

    // An explicit auth flow the enum does not list.
    let message = refusal(
        scene.run(
            cognito
                .create_user_pool_client()
                .user_pool_id(&scene.pool_id)
                .client_name("web")
                .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_MAGIC_AUTH"))
                .send(),
        ),
    );
    assert!(
        message.starts_with(
            "1 validation error detected: Value '[ALLOW_MAGIC_AUTH]' at 'explicitAuthFlows' failed to satisfy \
             constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, "
        ) && message.contains("ALLOW_USER_AUTH"),
        "{message}"
    );

    // Two violations in one request, and a required member left out (the SDK sends it so).
    let message = refusal(scene.run(cognito.create_user_pool_client().client_name("web!").send()));
    assert_eq!(
        message,
        r"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value 'web!' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+"
    );

    // A provider name with `_` past the second character, and an attribute-mapping key over
    // 32 characters.
    let message = refusal(
        scene.run(
            cognito
                .create_identity_provider()
                .user_pool_id(&scene.pool_id)
                .provider_name("Acme_SSO")
                .provider_type(cognito::types::IdentityProviderTypeType::Oidc)
                .provider_details("client_id", "acme")
                .attribute_mapping("a".repeat(33), "email")
                .send(),
        ),
    );
    assert!(
        message.starts_with(
            r"2 validation errors detected: Value 'Acme_SSO' at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+; "
        ) && message.ends_with(
            "at 'attributeMapping' failed to satisfy constraint: Map keys must satisfy constraint: [Member must \
             have length less than or equal to 32]"
        ),
        "{message}"
    );

    // A sensitive member is named, its value masked (AWS would print the password).
    let message = refusal(
        scene.run(
            cognito
                .admin_create_user()
                .user_pool_id(&scene.pool_id)
                .username("someone")
                .temporary_password("has a space")
                .send(),
        ),
    );
    assert_eq!(
        message,
        r"1 validation error detected: Value '***' at 'temporaryPassword' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+"
    );

    // Within the model: a client whose members all keep their constraints.
    scene
        .run(
            cognito
                .create_user_pool_client()
                .user_pool_id(&scene.pool_id)
                .client_name("my web app_1+=,.@-")
                .callback_urls("https://app.example.com/cb")
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
                .send(),
        )
        .unwrap();
}

#[test]
fn a_custom_domain_is_taken_where_the_models_domain_pattern_has_no_dot_as_aws_takes_it() {
    let scene = Scene::new();
    let cognito = &scene.cognito;

    scene
        .run(cognito.describe_user_pool_domain().domain("auth.example.com").send())
        .unwrap();
    // A dotted name is still a hostname: each label keeps DomainType's pattern.
    let message = refusal(scene.run(cognito.describe_user_pool_domain().domain("auth_.example.com").send()));
    assert!(
        message.starts_with("1 validation error detected: Value 'auth_.example.com' at 'domain' failed to satisfy")
            && message.contains("regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"),
        "{message}"
    );
    // A prefix domain is within the model as it is.
    let message = refusal(
        scene.run(
            cognito
                .create_user_pool_domain()
                .user_pool_id(&scene.pool_id)
                .domain(format!("a{}", "b".repeat(63)))
                .send(),
        ),
    );
    assert!(
        message.starts_with("2 validation errors detected: ")
            && message.contains(
                "at 'domain' failed to satisfy constraint: Member must have length less than or equal to 63;"
            ),
        "{message}"
    );
}
