//! `provisioner doctor` against moto's server (Cognito, Lambda and IAM), started by the
//! harness on a free loopback port: the default spec applied, with the functions deployed as
//! `cargo xtask deploy` deploys them, has no finding; a pool with every trap set up through
//! the SDK gives each trap's finding and no other. One trap moto cannot hold (every domain
//! it reports is ACTIVE) is shown with aws-smithy-mocks.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::types::{
    DomainDescriptionType, DomainStatusType, LambdaConfigType, MessageActionType, OAuthFlowType, UserPoolMfaType,
    UserPoolType, UsernameConfigurationType,
};
use aws_sdk_iam as iam;
use aws_sdk_lambda as lambda;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use provisioner::aws::{CallCounter, Clients, StripLegacyValidity};
use provisioner::doctor::{Check, MANY_USERS, diagnose};
use provisioner::render;
use serde_json::Value;

use common::{Account, FUNCTION_NAMES, REGION, project_spec, stderr, workspace_root};

const ACCOUNT: &str = "123456789012";

struct Fixture {
    account: Account,
    cognito: cognito::Client,
    lambda: lambda::Client,
    iam: iam::Client,
}

impl Fixture {
    fn new() -> Self {
        let account = Account::start();
        Self {
            cognito: cognito::Client::new(&account.config),
            lambda: lambda::Client::new(&account.config),
            iam: iam::Client::new(&account.config),
            account,
        }
    }

    fn write_spec(&self, text: &str) -> PathBuf {
        self.account.write_spec(text)
    }

    fn run(&self, spec: &Path, args: &[&str]) -> Output {
        self.account.run(spec, args)
    }

    /// `doctor --output json`: its exit code and findings.
    fn doctor(&self, spec: &Path) -> (Option<i32>, Vec<Value>) {
        let output = self.run(spec, &["--output", "json", "doctor"]);
        (output.status.code(), self.findings(&output))
    }

    fn findings(&self, output: &Output) -> Vec<Value> {
        let findings: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "doctor printed no JSON ({e}): {}\n{}",
                stderr(output),
                self.account.moto.output()
            )
        });
        findings.as_array().unwrap().clone()
    }

    /// A role Lambda can assume, with `policy` inline when given; returns its ARN.
    fn role(&self, name: &str, policy: Option<&str>) -> String {
        self.account.runtime.block_on(async {
            let role = self
                .iam
                .create_role()
                .role_name(name)
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await
                .unwrap();
            if let Some(policy) = policy {
                self.put_policy(name, policy).await;
            }
            role.role().unwrap().arn().to_owned()
        })
    }

    async fn put_policy(&self, role: &str, policy: &str) {
        self.iam
            .put_role_policy()
            .role_name(role)
            .policy_name("least-privilege")
            .policy_document(policy)
            .send()
            .await
            .unwrap();
    }

    /// A function with an empty zip (moto stores the code, never runs it); returns its ARN.
    fn function(&self, name: &str, role: &str, timeout: i32, default_group: Option<&str>) -> String {
        self.account.runtime.block_on(async {
            let mut create = self
                .lambda
                .create_function()
                .function_name(name)
                .runtime(Runtime::Providedal2023)
                .handler("bootstrap")
                .role(role)
                .timeout(timeout)
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec()))
                        .build(),
                );
            if let Some(group) = default_group {
                create = create.environment(Environment::builder().variables("DEFAULT_GROUP", group).build());
            }
            create.send().await.unwrap().function_arn().unwrap().to_owned()
        })
    }

    fn permission(&self, function: &str, sid: &str, pool_arn: Option<&str>) {
        self.account.runtime.block_on(async {
            self.lambda
                .add_permission()
                .function_name(function)
                .statement_id(sid)
                .action("lambda:InvokeFunction")
                .principal("cognito-idp.amazonaws.com")
                .set_source_arn(pool_arn.map(str::to_owned))
                .set_source_account(pool_arn.map(|_| ACCOUNT.to_owned()))
                .send()
                .await
                .unwrap();
        });
    }
}

fn ids(findings: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = findings.iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

fn lambda_arn(region: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name}")
}

#[test]
fn the_default_spec_applied_with_deployed_functions_has_no_finding() {
    let f = Fixture::new();
    let spec_text = project_spec();
    let spec_path = f.write_spec(&spec_text);
    // As `cargo xtask deploy` deploys them: each function with its role and the settings of
    // its crate's [package.metadata.lambda.deploy].
    for name in FUNCTION_NAMES {
        let deploy = render::load_function(&workspace_root(), name).unwrap();
        let role = f.role(&format!("{name}-role"), None);
        let group = deploy.env.get("DEFAULT_GROUP").map(String::as_str);
        f.function(name, &role, i32::try_from(deploy.timeout).unwrap(), group);
    }
    let apply = f.run(&spec_path, &["apply"]);
    assert!(
        apply.status.success(),
        "{}\n{}",
        stderr(&apply),
        f.account.moto.output()
    );
    // Then the least-privilege policies rendered from the spec, filled in for this pool.
    let pool_id = f.account.runtime.block_on(async {
        let pools = f.cognito.list_user_pools().max_results(60).send().await.unwrap();
        pools.user_pools()[0].id().unwrap().to_owned()
    });
    let spec = provisioner::spec::parse("cognito.toml", &spec_text).unwrap().0;
    let functions: Vec<_> = FUNCTION_NAMES
        .iter()
        .map(|name| render::load_function(&workspace_root(), name).unwrap())
        .collect();
    for (file, document) in render::policies(&spec, &functions) {
        let Some(function) = file.strip_suffix(".json").filter(|f| *f != "provisioner") else {
            continue;
        };
        let document = document
            .to_string()
            .replace("${PARTITION}", "aws")
            .replace("${REGION}", REGION)
            .replace("${ACCOUNT_ID}", ACCOUNT)
            .replace("${USER_POOL_ID}", &pool_id);
        f.account
            .runtime
            .block_on(f.put_policy(&format!("{function}-role"), &document));
    }

    let (code, findings) = f.doctor(&spec_path);
    assert_eq!(findings, Vec::<Value>::new());
    assert_eq!(code, Some(0));
    let text = f.run(&spec_path, &["doctor"]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        String::from_utf8_lossy(&text.stdout).starts_with("no findings"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
}

#[test]
fn a_pool_with_each_trap_gives_its_finding_and_no_other() {
    let f = Fixture::new();
    let spec = f.write_spec(
        "[pool]\nname = \"trapped\"\n\n[[clients]]\nname = \"web\"\n\n[[clients]]\nname = \"mobile\"\n\
         callback_urls = [\"myapp://callback\"]\nlogout_urls = [\"myapp://signout\"]\n",
    );
    // pre-signup: a 10 s timeout and no invoke permission. post-confirmation: DEFAULT_GROUP
    // names a group the pool lacks, and its role has no policy. custom-message: a permission
    // that names no pool. pre_authentication: a function that does not exist.
    // post_authentication: a function in another Region.
    let bare_role = f.role("bare-role", None);
    let post_role = f.role("post-confirmation-role", None);
    let pre_signup = f.function("pre-signup", &bare_role, 10, None);
    let post_confirmation = f.function("post-confirmation", &post_role, 5, Some("members"));
    let custom_message = f.function("custom-message", &bare_role, 3, None);
    let pool: UserPoolType = f.account.runtime.block_on(async {
        f.cognito
            .create_user_pool()
            .pool_name("trapped")
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(true)
                    .build()
                    .unwrap(),
            )
            .lambda_config(
                LambdaConfigType::builder()
                    .pre_sign_up(&pre_signup)
                    .post_confirmation(&post_confirmation)
                    .custom_message(&custom_message)
                    .pre_authentication(lambda_arn(REGION, "not-deployed"))
                    .post_authentication(lambda_arn("eu-west-1", "pre-signup"))
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap()
    });
    let (pool_id, pool_arn) = (pool.id().unwrap().to_owned(), pool.arn().unwrap().to_owned());
    f.permission("post-confirmation", "scoped", Some(&pool_arn));
    f.permission("custom-message", "any-pool", None);
    let secret = f.account.runtime.block_on(async {
        // A secret, the code and implicit grants, a callback that is not the spec's and one
        // that Cognito refuses (http off localhost).
        let client = f
            .cognito
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("web")
            .generate_secret(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_flows(OAuthFlowType::Implicit)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_scopes("openid")
            .callback_urls("http://localhost:5173")
            .callback_urls("http://app.example.com/callback")
            .logout_urls("http://localhost:3000")
            .send()
            .await
            .unwrap();
        // Enough users for the default sender's quota to matter (no message is sent).
        for n in 0..MANY_USERS {
            f.cognito
                .admin_create_user()
                .user_pool_id(&pool_id)
                .username(format!("user-{n:03}"))
                .message_action(MessageActionType::Suppress)
                .send()
                .await
                .unwrap();
        }
        // MFA on without a factor cannot be set up here: AWS refuses the request today (the
        // project's moto launcher too), though a pool made before can hold the state. The
        // finding is covered by the doctor's unit tests.
        client.user_pool_client().unwrap().client_secret().unwrap().to_owned()
    });

    let output = f.run(&spec, &["--output", "json", "doctor"]);
    let findings = f.findings(&output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        ids(&findings),
        [
            "client-implicit-grant",
            "client-missing",
            "client-secret-browser",
            "client-url-mismatch",
            "client-url-rejected",
            "default-group-missing",
            "deletion-protection-off",
            "domain-missing",
            "email-default-sender",
            "post-confirmation-role",
            "trigger-missing",
            "trigger-not-invokable",
            "trigger-other-region",
            "trigger-permission-broad",
            "trigger-timeout",
            "username-case-sensitive",
        ],
        "{findings:#?}"
    );
    for finding in &findings {
        let keys: Vec<&String> = finding.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "resource", "message", "fix"], "{finding}");
    }
    let about = |id: &str| -> Vec<&Value> { findings.iter().filter(|f| f["id"] == id).collect() };
    assert_eq!(
        about("trigger-timeout")[0]["resource"],
        format!("function {pre_signup} (trigger pre_sign_up)")
    );
    assert_eq!(
        about("trigger-not-invokable")[0]["resource"],
        about("trigger-timeout")[0]["resource"]
    );
    assert!(
        about("trigger-permission-broad")[0]["fix"]
            .as_str()
            .unwrap()
            .contains("--statement-id any-pool")
    );
    assert!(
        about("client-url-rejected")[0]["message"]
            .as_str()
            .unwrap()
            .contains("app.example.com")
    );
    assert!(
        about("post-confirmation-role")[0]["fix"]
            .as_str()
            .unwrap()
            .contains(&pool_arn)
    );
    let shown = format!("{}{}", String::from_utf8_lossy(&output.stdout), stderr(&output));
    assert!(!shown.contains(&secret), "the client secret is never shown");
    assert!(stderr(&output).contains("16 finding(s)"), "{}", stderr(&output));

    // The same in text: one block per finding, each with its fix.
    let text = f.run(&spec, &["doctor"]);
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert_eq!(text.matches("\n  fix: ").count(), 16, "{text}");
    assert!(text.contains("client-secret-browser: app client \"web\""), "{text}");

    // A role whose only grant is under a condition cannot be judged: said so, not alarmed.
    let conditional = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "cognito-idp:AdminAddUserToGroup", "Resource": pool_arn,
        "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}},
    }]});
    f.account
        .runtime
        .block_on(f.put_policy("post-confirmation-role", &conditional.to_string()));
    let (_, findings) = f.doctor(&spec);
    let ids = ids(&findings);
    assert!(ids.contains(&"post-confirmation-role-unverified".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"post-confirmation-role".to_owned()), "{ids:?}");
}

#[test]
fn no_pool_of_the_spec_s_name_is_an_error() {
    let f = Fixture::new();
    let spec = f.write_spec("[pool]\nname = \"nowhere\"\n");
    let output = f.run(&spec, &["doctor"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no user pool is named \"nowhere\""),
        "{}",
        stderr(&output)
    );
}

const MOCKED_POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

/// A healthy pool named like the spec's, with a domain in `status` and these triggers, for
/// what moto cannot show; every read is answered by aws-smithy-mocks.
fn mocked_cognito(status: DomainStatusType, triggers: LambdaConfigType) -> (cognito::Client, aws_smithy_mocks::Rule) {
    let list = mock!(cognito::Client::list_user_pools).then_output(|| {
        cognito::operation::list_user_pools::ListUserPoolsOutput::builder()
            .user_pools(
                cognito::types::UserPoolDescriptionType::builder()
                    .id("us-east-1_abc")
                    .name("toyseven-cognito")
                    .build(),
            )
            .build()
    });
    let describe = mock!(cognito::Client::describe_user_pool).then_output(move || {
        cognito::operation::describe_user_pool::DescribeUserPoolOutput::builder()
            .user_pool(
                UserPoolType::builder()
                    .id("us-east-1_abc")
                    .arn(MOCKED_POOL_ARN)
                    .name("toyseven-cognito")
                    .username_configuration(
                        UsernameConfigurationType::builder()
                            .case_sensitive(false)
                            .build()
                            .unwrap(),
                    )
                    .deletion_protection(cognito::types::DeletionProtectionType::Active)
                    .mfa_configuration(UserPoolMfaType::Off)
                    .domain("toyseven")
                    .lambda_config(triggers.clone())
                    .build(),
            )
            .build()
    });
    let no_clients = mock!(cognito::Client::list_user_pool_clients)
        .then_output(|| cognito::operation::list_user_pool_clients::ListUserPoolClientsOutput::builder().build());
    let no_groups = mock!(cognito::Client::list_groups)
        .then_output(|| cognito::operation::list_groups::ListGroupsOutput::builder().build());
    let domain = mock!(cognito::Client::describe_user_pool_domain)
        .match_requests(|r| r.domain() == Some("toyseven"))
        .then_output(move || {
            cognito::operation::describe_user_pool_domain::DescribeUserPoolDomainOutput::builder()
                .domain_description(
                    DomainDescriptionType::builder()
                        .domain("toyseven")
                        .user_pool_id("us-east-1_abc")
                        .status(status.clone())
                        .build(),
                )
                .build()
        });
    let cognito: cognito::Client = mock_client!(
        aws_sdk_cognitoidentityprovider,
        RuleMode::MatchAny,
        [&list, &describe, &no_clients, &no_groups, &domain],
        |b| b.interceptor(StripLegacyValidity)
    );
    (cognito, domain)
}

/// A spec whose one client has no OAuth flow (the mocked pool has no client: only that).
fn mocked_spec() -> provisioner::spec::Spec {
    provisioner::spec::parse("cognito.toml", "[[clients]]\nname = \"web\"\noauth_flows = []\n")
        .unwrap()
        .0
}

/// moto reports every domain ACTIVE, so a domain still being created is answered here by
/// aws-smithy-mocks, through the same reads the command makes.
#[tokio::test]
async fn a_domain_that_is_not_active_is_a_finding() {
    let (cognito, domain) = mocked_cognito(DomainStatusType::Creating, LambdaConfigType::builder().build());
    let clients = Clients::from_parts(cognito, None, CallCounter::default(), REGION.into());
    let spec = mocked_spec();

    let seen = provisioner::aws::observe_for_doctor(&clients, &spec)
        .await
        .unwrap()
        .expect("the pool is found");
    assert!(seen.functions.is_none(), "no Lambda client: the functions are not read");
    let findings = diagnose(&spec, &seen);
    let checks: Vec<Check> = findings.iter().map(|f| f.check).collect();
    assert_eq!(checks, [Check::DomainNotActive, Check::ClientMissing], "{findings:#?}");
    assert!(findings[0].message.contains("CREATING"), "{}", findings[0].message);
    assert_eq!(domain.num_calls(), 1);
}

/// A trigger wired to an alias is invoked under the alias's own resource policy, which moto
/// does not keep apart from the function's: here the alias allows this pool and the
/// function itself allows nothing.
#[tokio::test]
async fn a_trigger_wired_to_an_alias_is_judged_by_the_alias_policy() {
    let alias = lambda_arn(REGION, "pre-signup:live");
    let (cognito, _) = mocked_cognito(
        DomainStatusType::Active,
        LambdaConfigType::builder().pre_sign_up(&alias).build(),
    );
    let function = mock!(lambda::Client::get_function).then_compute_output(|request| {
        lambda::operation::get_function::GetFunctionOutput::builder()
            .configuration(
                lambda::types::FunctionConfiguration::builder()
                    .function_arn(request.function_name().unwrap_or_default())
                    .timeout(3)
                    .build(),
            )
            .build()
    });
    let alias_policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "cognito", "Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": alias,
        "Condition": {"ArnLike": {"AWS:SourceArn": MOCKED_POOL_ARN}},
    }]})
    .to_string();
    let on_alias = mock!(lambda::Client::get_policy)
        .match_requests(|r| r.function_name().is_some_and(|f| f.ends_with(":live")))
        .then_output(move || {
            lambda::operation::get_policy::GetPolicyOutput::builder()
                .policy(alias_policy.clone())
                .build()
        });
    let on_function = mock!(lambda::Client::get_policy).then_error(|| {
        lambda::operation::get_policy::GetPolicyError::ResourceNotFoundException(
            lambda::types::error::ResourceNotFoundException::builder().build(),
        )
    });
    let lambda: lambda::Client = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, [&function, &on_alias, &on_function]);
    let clients = Clients::from_parts(cognito, Some(lambda), CallCounter::default(), REGION.into());
    let spec = mocked_spec();

    let seen = provisioner::aws::observe_for_doctor(&clients, &spec)
        .await
        .unwrap()
        .expect("the pool is found");
    let findings = diagnose(&spec, &seen);
    let checks: Vec<Check> = findings.iter().map(|f| f.check).collect();
    assert_eq!(checks, [Check::ClientMissing], "{findings:#?}");
    assert_eq!(on_alias.num_calls(), 1);
}
