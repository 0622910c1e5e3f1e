//! The provisioner's whole lifecycle against moto's server (Cognito, Lambda and IAM),
//! started by the harness on a free loopback port. `tools/moto_server.py` patches moto
//! where it differs from AWS (it forgets UsernameAttributes on UpdateUserPool, merges
//! client updates instead of resetting unsent fields, and ignores deletion protection).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::types::{TimeUnitsType, TokenValidityUnitsType, UserPoolType};
use aws_sdk_lambda as lambda;
use e2e::{Moto, Tools};
use serde_json::Value;

const REGION: &str = "us-east-1";
const FUNCTIONS: [&str; 3] = e2e::deploy::FUNCTION_NAMES;

struct Fixture {
    moto: Moto,
    dir: tempfile::TempDir,
    cognito: cognito::Client,
    lambda: lambda::Client,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    /// moto with the three trigger functions (and their role) already deployed.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let moto = Moto::start(&Tools::default(), dir.path()).unwrap();
        let config = e2e::sdk_config(&moto.endpoint());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let lambda = lambda::Client::new(&config);
        runtime
            .block_on(e2e::moto::deploy_placeholders(&config, &FUNCTIONS))
            .unwrap();
        Self {
            cognito: cognito::Client::new(&config),
            lambda,
            moto,
            dir,
            runtime,
        }
    }

    fn write_spec(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("cognito.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, spec: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_provisioner"))
            .arg("--spec")
            .arg(spec)
            .args(["--region", REGION, "--endpoint-url", &self.moto.endpoint()])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    }

    /// `apply --output json`, which must succeed; returns its report.
    fn apply(&self, spec: &Path) -> Value {
        let output = self.run(spec, &["--output", "json", "apply"]);
        assert!(
            output.status.success(),
            "apply failed: {}\n{}",
            stderr(&output),
            self.moto.output()
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn pools(&self) -> Vec<String> {
        self.runtime.block_on(async {
            let pools = self.cognito.list_user_pools().max_results(60).send().await.unwrap();
            pools
                .user_pools()
                .iter()
                .filter_map(|p| p.id().map(str::to_owned))
                .collect()
        })
    }

    fn pool(&self, id: &str) -> UserPoolType {
        self.runtime.block_on(async {
            self.cognito
                .describe_user_pool()
                .user_pool_id(id)
                .send()
                .await
                .unwrap()
                .user_pool
                .unwrap()
        })
    }

    fn client(&self, pool: &str) -> cognito::types::UserPoolClientType {
        self.runtime.block_on(async {
            let clients = self
                .cognito
                .list_user_pool_clients()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap();
            let id = clients.user_pool_clients()[0].client_id().unwrap().to_owned();
            self.cognito
                .describe_user_pool_client()
                .user_pool_id(pool)
                .client_id(id)
                .send()
                .await
                .unwrap()
                .user_pool_client
                .unwrap()
        })
    }

    fn policy(&self, function: &str) -> Option<Value> {
        self.runtime.block_on(async {
            let policy = self.lambda.get_policy().function_name(function).send().await.ok()?;
            serde_json::from_str(policy.policy()?).ok()
        })
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn default_spec() -> String {
    std::fs::read_to_string(e2e::workspace_root().join("cognito.toml")).unwrap()
}

fn writes(report: &Value) -> u64 {
    report["calls"]["writes"].as_u64().unwrap()
}

#[test]
fn lifecycle_create_converge_update_destroy() {
    let f = Fixture::new();
    let spec = f.write_spec(&default_spec());

    // plan on an empty account: everything is created, nothing is written.
    let plan = f.run(&spec, &["plan"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    let shown = stdout(&plan);
    for expected in [
        "create user pool \"toyseven-cognito\"",
        "create app client \"toyseven-web\"",
        "create hosted-UI domain \"toyseven\"",
        "create group \"members\"",
    ] {
        assert!(shown.contains(expected), "{shown}");
    }
    assert!(f.pools().is_empty(), "plan is read-only");

    // apply on an empty account creates everything exactly as the spec says.
    let report = f.apply(&spec);
    assert!(writes(&report) > 0, "{report}");
    let pools = f.pools();
    assert_eq!(pools.len(), 1);
    let pool_id = pools[0].clone();
    let pool = f.pool(&pool_id);
    assert_eq!(pool.name(), Some("toyseven-cognito"));
    assert_eq!(
        pool.username_attributes()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        ["email"]
    );
    assert_eq!(
        pool.auto_verified_attributes()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        ["email"]
    );
    assert_eq!(pool.mfa_configuration().map(|m| m.as_str()), Some("OFF"));
    assert_eq!(pool.deletion_protection().map(|d| d.as_str()), Some("ACTIVE"));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(
        policy.require_lowercase()
            && policy.require_uppercase()
            && policy.require_numbers()
            && policy.require_symbols()
    );
    assert_eq!(pool.domain(), Some("toyseven"));
    let lambda_config = pool.lambda_config().unwrap();
    let arn = |name: &str| format!("arn:aws:lambda:{REGION}:123456789012:function:{name}");
    assert_eq!(lambda_config.pre_sign_up(), Some(arn("pre-signup").as_str()));
    assert_eq!(
        lambda_config.post_confirmation(),
        Some(arn("post-confirmation").as_str())
    );
    assert_eq!(lambda_config.custom_message(), Some(arn("custom-message").as_str()));

    let client = f.client(&pool_id);
    assert_eq!(client.client_name(), Some("toyseven-web"));
    assert!(client.client_secret().is_none(), "a public client: no secret");
    assert_eq!(
        client
            .allowed_o_auth_flows()
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>(),
        ["code"]
    );
    assert_eq!(client.allowed_o_auth_scopes(), ["openid", "email", "profile"]);
    assert_eq!(client.callback_urls(), ["http://localhost:3000"]);
    assert_eq!(client.logout_urls(), ["http://localhost:3000"]);
    assert_eq!(client.supported_identity_providers(), ["COGNITO"]);
    assert_eq!(client.allowed_o_auth_flows_user_pool_client(), Some(true));
    assert_eq!(
        client.prevent_user_existence_errors().map(|p| p.as_str()),
        Some("ENABLED")
    );
    assert_eq!(client.enable_token_revocation(), Some(true));

    for function in FUNCTIONS {
        let policy = f.policy(function).unwrap_or_else(|| panic!("{function} has no policy"));
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Sid"], format!("cognito-idp-{pool_id}"));
        assert_eq!(statement["Principal"]["Service"], "cognito-idp.amazonaws.com");
        assert_eq!(statement["Condition"]["ArnLike"]["AWS:SourceArn"], pool.arn().unwrap());
        assert_eq!(
            statement["Condition"]["StringEquals"]["AWS:SourceAccount"],
            "123456789012"
        );
    }

    // A re-run with the same spec makes no write call, in 12 calls at most.
    let report = f.apply(&spec);
    assert_eq!(writes(&report), 0, "{report}");
    assert!(report["calls"]["reads"].as_u64().unwrap() <= 12, "{report}");
    assert_eq!(report["changes"], serde_json::json!([]));

    // Settings made outside the spec, the way the console makes them (every field sent).
    let current = f.pool(&pool_id);
    let client = f.client(&pool_id);
    f.runtime.block_on(async {
        f.cognito
            .update_user_pool()
            .user_pool_id(&pool_id)
            .set_policies(current.policies.clone())
            .set_deletion_protection(current.deletion_protection.clone())
            .set_lambda_config(current.lambda_config.clone())
            .set_auto_verified_attributes(current.auto_verified_attributes.clone())
            .set_mfa_configuration(current.mfa_configuration.clone())
            .email_verification_subject("Welcome aboard")
            .email_verification_message("Your code is {####}")
            .send()
            .await
            .unwrap();
        f.cognito
            .update_user_pool_client()
            .user_pool_id(&pool_id)
            .set_client_id(client.client_id.clone())
            .set_client_name(client.client_name.clone())
            .set_allowed_o_auth_flows(client.allowed_o_auth_flows.clone())
            .set_allowed_o_auth_scopes(client.allowed_o_auth_scopes.clone())
            .set_allowed_o_auth_flows_user_pool_client(client.allowed_o_auth_flows_user_pool_client)
            .set_callback_urls(client.callback_urls.clone())
            .set_logout_urls(client.logout_urls.clone())
            .set_supported_identity_providers(client.supported_identity_providers.clone())
            .set_explicit_auth_flows(client.explicit_auth_flows.clone())
            .set_prevent_user_existence_errors(client.prevent_user_existence_errors.clone())
            .set_enable_token_revocation(client.enable_token_revocation)
            .access_token_validity(2)
            .token_validity_units(
                TokenValidityUnitsType::builder()
                    .access_token(TimeUnitsType::Hours)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    assert_eq!(writes(&f.apply(&spec)), 0, "outside settings are not drift");

    // A changed field is updated; every other setting, including the outside ones, stays.
    let changed = default_spec()
        .replace("minimum_length = 8", "minimum_length = 12")
        .replace(
            "logout_urls = [\"http://localhost:3000\"]",
            "logout_urls = [\"http://localhost:3000\", \"https://app.example.com/bye\"]",
        );
    let spec = f.write_spec(&changed);
    let plan = stdout(&f.run(&spec, &["plan"]));
    assert!(plan.contains("password_policy.minimum_length: 8 -> 12"), "{plan}");
    assert!(
        plan.contains("logout_urls: [http://localhost:3000] -> [http://localhost:3000, https://app.example.com/bye]"),
        "{plan}"
    );
    let report = f.apply(&spec);
    let operations: Vec<&str> = report["calls"]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(writes(&report), 2, "{operations:?}");
    assert!(operations.contains(&"UpdateUserPool") && operations.contains(&"UpdateUserPoolClient"));
    let pool = f.pool(&pool_id);
    assert_eq!(
        pool.policies().unwrap().password_policy().unwrap().minimum_length(),
        Some(12)
    );
    assert_eq!(pool.email_verification_subject(), Some("Welcome aboard"));
    assert_eq!(pool.email_verification_message(), Some("Your code is {####}"));
    assert_eq!(pool.username_attributes().len(), 1);
    assert_eq!(pool.deletion_protection().map(|d| d.as_str()), Some("ACTIVE"));
    assert_eq!(
        pool.lambda_config().unwrap().pre_sign_up(),
        Some(arn("pre-signup").as_str())
    );
    let client = f.client(&pool_id);
    assert_eq!(
        client.logout_urls(),
        ["http://localhost:3000", "https://app.example.com/bye"]
    );
    assert_eq!(client.access_token_validity(), Some(2), "set outside the spec, kept");
    assert_eq!(client.allowed_o_auth_scopes(), ["openid", "email", "profile"]);
    assert_eq!(writes(&f.apply(&spec)), 0);

    // outputs
    let outputs = f.run(&spec, &["--output", "json", "outputs"]);
    assert!(outputs.status.success(), "{}", stderr(&outputs));
    let outputs: Value = serde_json::from_slice(&outputs.stdout).unwrap();
    assert_eq!(outputs["user_pool_id"], pool_id.as_str());
    assert_eq!(outputs["client_id"], client.client_id().unwrap());
    let login = outputs["login_url"].as_str().unwrap();
    assert!(
        login.contains("/oauth2/authorize?response_type=code&client_id=")
            && login.contains("code_challenge_method=S256"),
        "{login}"
    );
    assert!(
        outputs["jwks_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{pool_id}/.well-known/jwks.json"))
    );

    // destroy: refused without confirmation and while deletion protection is on.
    let refused = f.run(&spec, &["destroy"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--confirm \"toyseven-cognito\""),
        "{}",
        stderr(&refused)
    );
    let refused = f.run(&spec, &["destroy", "--confirm", "toyseven-cognito"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("deletion protection"), "{}", stderr(&refused));
    assert_eq!(f.pools().len(), 1);

    let spec = f.write_spec(&changed.replace("deletion_protection = true", "deletion_protection = false"));
    f.apply(&spec);
    let destroyed = f.run(&spec, &["destroy", "--confirm", "toyseven-cognito"]);
    assert!(destroyed.status.success(), "{}", stderr(&destroyed));
    assert!(f.pools().is_empty());
    for function in FUNCTIONS {
        let statements = f
            .policy(function)
            .map(|p| p["Statement"].as_array().cloned().unwrap_or_default());
        assert!(
            statements.as_ref().is_none_or(|s| s.is_empty()),
            "{function}: {statements:?}"
        );
    }
}

#[test]
fn bad_specs_fail_before_any_call() {
    let f = Fixture::new();
    let cases = [
        ("[pool]\nnmae = \"x\"\n", "unknown field `nmae`"),
        (
            "[client]\ncallback_urls = [\"http://example.com/cb\"]\n",
            "Cognito accepts http only for localhost",
        ),
        ("[domain]\nprefix = \"my-aws-login\"\n", "reserved word \"aws\""),
        ("[domain]\nprefix = \"Upper\"\n", "lowercase letters"),
        ("[pool]\nmfa = \"sometimes\"\n", "unknown variant `sometimes`"),
        ("[pool.password_policy]\nminimum_length = \"8\"\n", "invalid type"),
        (
            "[triggers]\npre_sign_up = \"not a name\"\n",
            "not a Lambda function name or ARN",
        ),
    ];
    for (text, expected) in cases {
        let spec = f.write_spec(text);
        let output = f.run(&spec, &["apply"]);
        assert_eq!(output.status.code(), Some(2), "{text}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(expected), "{text}: {message}");
        assert!(message.contains("cognito.toml:"), "names the file and line: {message}");
    }
    assert!(f.pools().is_empty(), "nothing created");
}

#[test]
fn refusals_happen_before_any_write() {
    let f = Fixture::new();
    // A missing function: named, nothing created.
    let spec = f.write_spec(&default_spec().replace(
        "custom_message = \"custom-message\"",
        "custom_message = \"not-deployed\"",
    ));
    let output = f.run(&spec, &["apply"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("\"not-deployed\" does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(f.pools().is_empty());

    // A setting fixed at creation: the pool would be replaced, so nothing is written.
    let spec = f.write_spec(&default_spec());
    f.apply(&spec);
    let pool_id = f.pools()[0].clone();
    let phone = f.write_spec(&default_spec().replace(
        "username_attributes = [\"email\"]",
        "username_attributes = [\"phone_number\"]",
    ));
    let output = f.run(&phone, &["apply"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("would have to be replaced") && message.contains("users would be lost"),
        "{message}"
    );
    assert_eq!(
        f.pool(&pool_id)
            .username_attributes()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        ["email"]
    );

    // Two pools with the spec's name: the ids are listed, nothing is written.
    f.runtime.block_on(async {
        f.cognito
            .create_user_pool()
            .pool_name("toyseven-cognito")
            .send()
            .await
            .unwrap();
    });
    let output = f.run(&spec, &["apply"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("more than one user pool") && message.contains(&pool_id),
        "{message}"
    );
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("cognito.toml");
    std::fs::write(&spec, "").unwrap();
    let closed = format!("http://127.0.0.1:{}", e2e::free_port().unwrap());
    let output = Command::new(env!("CARGO_BIN_EXE_provisioner"))
        .arg("--spec")
        .arg(&spec)
        .args(["--region", REGION, "--endpoint-url", &closed, "plan"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("could not reach the endpoint") && message.contains("Connection refused"),
        "{message}"
    );
    assert!(!message.contains("DispatchFailure {"), "no debug dump: {message}");
}
