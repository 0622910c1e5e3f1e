//! The provisioner's whole lifecycle against moto's server (Cognito, Lambda and IAM),
//! started by the harness on a free loopback port. `tools/moto_server.py` makes moto as
//! strict as AWS where it is not: the legacy validity field refused beside the password
//! policy's (and described as AWS describes it), MFA refused without a factor, a domain
//! prefix owned by one pool, one prefix domain per pool, no pool deleted while it has a
//! domain or deletion protection, updates that reset what they are not sent. Each rule has
//! a test here that fails without the provisioner's fix.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::types::{TimeUnitsType, TokenValidityUnitsType, UserPoolType};
use aws_sdk_lambda as lambda;
use serde_json::Value;

use common::{Account, REGION, project_spec, stderr, stdout};

const FUNCTIONS: [&str; 4] = common::FUNCTION_NAMES;
/// The functions the project's `cognito.toml` wires.
const WIRED: [&str; 3] = ["pre-signup", "post-confirmation", "custom-message"];

struct Fixture {
    account: Account,
    cognito: cognito::Client,
    lambda: lambda::Client,
}

impl Fixture {
    /// moto with the project's functions (and their role) already deployed.
    fn new() -> Self {
        Self::with_functions(&FUNCTIONS)
    }

    /// moto with these functions (and their role) already deployed.
    fn with_functions(functions: &[&str]) -> Self {
        let account = Account::with_functions(functions);
        Self {
            cognito: cognito::Client::new(&account.config),
            lambda: lambda::Client::new(&account.config),
            account,
        }
    }

    fn write_spec(&self, text: &str) -> PathBuf {
        self.account.write_spec(text)
    }

    fn run(&self, spec: &Path, args: &[&str]) -> Output {
        self.account.run(spec, args)
    }

    /// The provisioner with `env` set (and GOOGLE_CLIENT_SECRET unset unless given).
    fn run_env(&self, spec: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.account.run_env(spec, args, env)
    }

    /// `apply --output json`, which must succeed; returns its report.
    fn apply(&self, spec: &Path) -> Value {
        self.apply_with(spec, &[])
    }

    fn apply_with(&self, spec: &Path, flags: &[&str]) -> Value {
        let output = self.run(spec, &[&["--output", "json", "apply"], flags].concat());
        assert!(
            output.status.success(),
            "apply failed: {}\n{}",
            stderr(&output),
            self.account.moto.output()
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn pools(&self) -> Vec<String> {
        self.account.runtime.block_on(async {
            let pools = self.cognito.list_user_pools().max_results(60).send().await.unwrap();
            pools
                .user_pools()
                .iter()
                .filter_map(|p| p.id().map(str::to_owned))
                .collect()
        })
    }

    fn pool(&self, id: &str) -> UserPoolType {
        self.account.runtime.block_on(async {
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
        self.account.runtime.block_on(async {
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

    fn client_named(&self, pool: &str, name: &str) -> cognito::types::UserPoolClientType {
        self.account.runtime.block_on(async {
            let clients = self
                .cognito
                .list_user_pool_clients()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap();
            let id = clients
                .user_pool_clients()
                .iter()
                .find(|c| c.client_name() == Some(name))
                .and_then(|c| c.client_id())
                .unwrap()
                .to_owned();
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

    fn client_count(&self, pool: &str) -> usize {
        self.account.runtime.block_on(async {
            let clients = self
                .cognito
                .list_user_pool_clients()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap();
            clients.user_pool_clients().len()
        })
    }

    fn policy(&self, function: &str) -> Option<Value> {
        self.account.runtime.block_on(async {
            let policy = self.lambda.get_policy().function_name(function).send().await.ok()?;
            serde_json::from_str(policy.policy()?).ok()
        })
    }
}

fn default_spec() -> String {
    project_spec()
}

fn writes(report: &Value) -> u64 {
    report["calls"]["writes"].as_u64().unwrap()
}

/// The operations an apply made, in order.
fn operations(report: &Value) -> Vec<String> {
    report["calls"]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o.as_str().map(str::to_owned))
        .collect()
}

fn position(operations: &[String], name: &str) -> Vec<usize> {
    operations
        .iter()
        .enumerate()
        .filter(|(_, o)| *o == name)
        .map(|(i, _)| i)
        .collect()
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

    // apply on an empty account creates everything exactly as the spec says, and wires the
    // triggers only once their functions let this pool invoke them.
    let report = f.apply(&spec);
    let calls = operations(&report);
    let grants = position(&calls, "AddPermission");
    let updates = position(&calls, "UpdateUserPool");
    assert_eq!((grants.len(), updates.len()), (3, 1), "{calls:?}");
    assert!(grants.iter().all(|g| *g < updates[0]), "grant before wiring: {calls:?}");
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
    assert_eq!(
        pool.username_configuration().map(|c| c.case_sensitive()),
        Some(false),
        "Jane@x.com and jane@x.com are one user, as the console makes it"
    );
    let recovery = pool.account_recovery_setting().unwrap().recovery_mechanisms();
    assert_eq!(
        recovery
            .iter()
            .map(|r| (r.name().as_str(), r.priority()))
            .collect::<Vec<_>>(),
        [("verified_email", 1)]
    );
    assert_eq!(
        pool.user_pool_tags()
            .unwrap()
            .get("toyseven-cognito")
            .map(String::as_str),
        Some("toyseven-cognito")
    );
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

    for function in WIRED {
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

    // A re-run with the same spec makes no write call, in 14 calls at most: the pool, its
    // client, groups and functions, the domain's login pages (DescribeUserPoolDomain) and the
    // client's branding style (DescribeManagedLoginBrandingByClient). (moto now describes the
    // legacy validity field as AWS does.)
    let report = f.apply(&spec);
    assert_eq!(writes(&report), 0, "{report}");
    assert!(report["calls"]["reads"].as_u64().unwrap() <= 14, "{report}");
    assert_eq!(report["changes"], serde_json::json!([]));

    // Settings made outside the spec, the way the console makes them (every field sent).
    let current = f.pool(&pool_id);
    let client = f.client(&pool_id);
    f.account.runtime.block_on(async {
        f.cognito
            .update_user_pool()
            .user_pool_id(&pool_id)
            .set_policies(current.policies.clone())
            .set_deletion_protection(current.deletion_protection.clone())
            .set_lambda_config(current.lambda_config.clone())
            .set_auto_verified_attributes(current.auto_verified_attributes.clone())
            .set_mfa_configuration(current.mfa_configuration.clone())
            .set_user_pool_tags(current.user_pool_tags.clone())
            .set_account_recovery_setting(current.account_recovery_setting.clone())
            .set_email_configuration(current.email_configuration.clone())
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
    // The update is refused by the strict server if it carries the legacy validity field that
    // DescribeUserPool reported.
    let report = f.apply(&spec);
    let calls = operations(&report);
    assert_eq!(writes(&report), 2, "{calls:?}");
    assert!(calls.contains(&"UpdateUserPool".into()) && calls.contains(&"UpdateUserPoolClient".into()));
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
    assert_eq!(outputs["clients"][0]["client_id"], client.client_id().unwrap());
    let login = outputs["clients"][0]["login_url"].as_str().unwrap();
    assert!(
        login.contains("/oauth2/authorize?response_type=code&client_id=")
            && login.contains("redirect_uri=http%3A%2F%2Flocalhost%3A3000"),
        "{login}"
    );
    assert!(
        outputs["clients"][0]["logout_url"]
            .as_str()
            .unwrap()
            .contains("/logout?client_id=")
    );
    let env = stdout(&f.run(&spec, &["--output", "env", "outputs"]));
    assert!(env.contains(&format!("COGNITO_USER_POOL_ID={pool_id}\n")), "{env}");
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
    // The strict server refuses to delete a pool that still has a domain.
    let destroyed = f.run(&spec, &["destroy", "--confirm", "toyseven-cognito"]);
    assert!(destroyed.status.success(), "{}", stderr(&destroyed));
    let said = stdout(&destroyed);
    let (domain, pool) = (
        said.find("deleted hosted-UI domain").unwrap(),
        said.find("deleted user pool").unwrap(),
    );
    assert!(domain < pool, "{said}");
    assert!(
        !said.contains("deleted app client"),
        "the clients go with the pool: {said}"
    );
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
        ("[pool]\nmfa = \"on\"\n", "software_token = true"),
        (
            "[pool]\nusername_attributes = [\"phone_number\"]\n",
            "SMS configuration",
        ),
        (
            "[client]\ngenerate_secret = true\noauth_flows = [\"client_credentials\"]\noauth_scopes = [\"openid\"]\n",
            "user scopes",
        ),
        (
            "[client]\noauth_scopes = [\"openid\", \"api/read\"]\n",
            "names no scope",
        ),
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
    let sensitive = f.write_spec(&default_spec().replace("case_sensitive = false", "case_sensitive = true"));
    let output = f.run(&sensitive, &["apply"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("would have to be replaced") && message.contains("users would be lost"),
        "{message}"
    );
    assert!(message.contains("case_sensitive"), "{message}");
    assert_eq!(
        f.pool(&pool_id).username_configuration().map(|c| c.case_sensitive()),
        Some(false)
    );

    // Two pools with the spec's name: the ids are listed, nothing is written.
    f.account.runtime.block_on(async {
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
    let closed = format!("http://127.0.0.1:{}", common::free_port().unwrap());
    let output = common::provisioner(&closed)
        .arg("--spec")
        .arg(&spec)
        .arg("plan")
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

#[test]
fn a_new_domain_prefix_is_checked_free_before_any_write_then_replaced() {
    let f = Fixture::new();
    let spec = f.write_spec(&default_spec());
    f.apply(&spec);
    let pool_id = f.pools()[0].clone();

    // Someone else's pool holds the prefix the spec now asks for: refused, nothing written,
    // the current domain kept (the strict server would refuse the create after the delete).
    f.account.runtime.block_on(async {
        let other = f
            .cognito
            .create_user_pool()
            .pool_name("someone-else")
            .send()
            .await
            .unwrap();
        f.cognito
            .create_user_pool_domain()
            .user_pool_id(other.user_pool().unwrap().id().unwrap())
            .domain("taken-prefix")
            .send()
            .await
            .unwrap();
    });
    let taken = f.write_spec(&default_spec().replace("prefix = \"toyseven\"", "prefix = \"taken-prefix\""));
    let output = f.run(&taken, &["--output", "json", "apply"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("belongs to another user pool"),
        "{}",
        stderr(&output)
    );
    assert_eq!(f.pool(&pool_id).domain(), Some("toyseven"));

    // A free prefix: the plan says replace and what it costs; apply deletes, then creates
    // (the strict server allows one prefix domain per pool).
    let moved = f.write_spec(&default_spec().replace("prefix = \"toyseven\"", "prefix = \"toyseven-2\""));
    let plan = stdout(&f.run(&moved, &["plan"]));
    assert!(
        plan.contains("replace hosted-UI domain \"toyseven\" with \"toyseven-2\"") && plan.contains("unavailable"),
        "{plan}"
    );
    let report = f.apply_with(&moved, &["--yes"]);
    assert_eq!(
        operations(&report)
            .iter()
            .filter(|o| o.contains("Domain") && !o.starts_with("Describe"))
            .collect::<Vec<_>>(),
        ["DeleteUserPoolDomain", "CreateUserPoolDomain"]
    );
    assert_eq!(f.pool(&pool_id).domain(), Some("toyseven-2"));

    // Without [domain] the domain is not managed: left as it is.
    let unmanaged = f.write_spec(&default_spec().replace("[domain]\nprefix = \"toyseven\"\n", ""));
    assert_eq!(writes(&f.apply(&unmanaged)), 0);
    assert_eq!(f.pool(&pool_id).domain(), Some("toyseven-2"));
}

#[test]
fn a_pool_of_the_same_name_made_elsewhere_is_adopted_only_when_asked() {
    let f = Fixture::new();
    // Made the way the console makes it, without this project's tag.
    let pool_id = f.account.runtime.block_on(async {
        f.cognito
            .create_user_pool()
            .pool_name("toyseven-cognito")
            .username_attributes(cognito::types::UsernameAttributeType::Email)
            .username_configuration(
                cognito::types::UsernameConfigurationType::builder()
                    .case_sensitive(false)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap()
            .user_pool()
            .unwrap()
            .id()
            .unwrap()
            .to_owned()
    });
    let spec = f.write_spec(&default_spec());
    let output = f.run(&spec, &["--output", "json", "apply"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("not created by this provisioner") && message.contains("apply --adopt"),
        "{message}"
    );
    assert!(f.pool(&pool_id).user_pool_tags().is_none_or(|t| t.is_empty()));
    assert!(f.client_count(&pool_id) == 0, "nothing written");

    let report = f.apply_with(&spec, &["--adopt"]);
    assert_eq!(
        operations(&report)
            .iter()
            .find(|o| !o.starts_with("List") && !o.starts_with("Describe") && !o.starts_with("Get"))
            .map(String::as_str),
        Some("TagResource")
    );
    assert_eq!(
        f.pool(&pool_id)
            .user_pool_tags()
            .unwrap()
            .get("toyseven-cognito")
            .map(String::as_str),
        Some("toyseven-cognito")
    );
    assert_eq!(writes(&f.apply(&spec)), 0, "adopted: a plain apply converges it");
}

#[test]
fn mfa_with_an_authenticator_app_is_enabled_before_the_pool_names_it() {
    let f = Fixture::new();
    let spec = f.write_spec(&default_spec().replace(
        "mfa = \"off\"",
        "mfa = \"optional\"\nmfa_factors = { software_token = true }",
    ));
    // The strict server refuses MFA in CreateUserPool without SMS, and in UpdateUserPool
    // before a factor is enabled.
    let report = f.apply(&spec);
    let calls = operations(&report);
    let (set, update) = (
        position(&calls, "SetUserPoolMfaConfig"),
        position(&calls, "UpdateUserPool"),
    );
    assert!(set.len() == 1 && set[0] < update[0], "{calls:?}");
    let pool_id = f.pools()[0].clone();
    assert_eq!(
        f.pool(&pool_id).mfa_configuration().map(|m| m.as_str()),
        Some("OPTIONAL")
    );
    let mfa = f.account.runtime.block_on(async {
        f.cognito
            .get_user_pool_mfa_config()
            .user_pool_id(&pool_id)
            .send()
            .await
            .unwrap()
    });
    assert!(mfa.software_token_mfa_configuration().is_some_and(|t| t.enabled()));
    assert_eq!(writes(&f.apply(&spec)), 0);

    // And off again: no factor is sent beside OFF (the strict server refuses that).
    let off = f.write_spec(&default_spec());
    let report = f.apply(&off);
    assert!(operations(&report).contains(&"SetUserPoolMfaConfig".into()));
    assert_eq!(f.pool(&pool_id).mfa_configuration().map(|m| m.as_str()), Some("OFF"));
    assert_eq!(writes(&f.apply(&off)), 0);
}

/// A spec with what production pools need: several clients, a resource server with its
/// scopes, custom attributes, SES email, token lifetimes, tags, groups with precedence, and
/// more triggers, pre-token generation V2 among them.
const PRODUCTION: &str = r#"
[pool]
name = "toyseven-prod"
tier = "essentials"
allow_admin_create_user_only = true
account_recovery = ["verified_email"]
deletion_protection = false

[pool.tags]
team = "identity"

[pool.email]
source_arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
from = "Toyseven <noreply@example.com>"
reply_to = "help@example.com"

[[pool.attributes]]
name = "tenant_id"
type = "string"
mutable = false
max_length = 64

[[pool.attributes]]
name = "plan"
type = "number"
min_value = 0
max_value = 3

[[resource_servers]]
identifier = "toyseven-api"
name = "Toyseven API"
scopes = [
    { name = "read", description = "Read the user's data" },
    { name = "admin", description = "Administer" },
]

[[clients]]
name = "web"
access_token_validity = "30m"
id_token_validity = "30m"
refresh_token_validity = "7d"
read_attributes = ["email", "name", "custom:tenant_id"]
write_attributes = ["name"]
oauth_scopes = ["openid", "email", "toyseven-api/read"]

[[clients]]
name = "backend"
generate_secret = true
oauth_flows = ["client_credentials"]
oauth_scopes = ["toyseven-api/read", "toyseven-api/admin"]
callback_urls = []
logout_urls = []
explicit_auth_flows = []

[domain]
prefix = "toyseven-prod"

[triggers]
pre_sign_up = "pre-signup"
post_confirmation = "post-confirmation"
pre_authentication = "pre-authentication"
pre_token_generation = { function = "pre-token-generation", version = "V2_0" }

[[groups]]
name = "admins"
precedence = 0

[[groups]]
name = "members"
precedence = 10
description = "Everyone"
"#;

#[test]
fn a_production_spec_is_created_converged_updated_resource_by_resource_and_never_replaced() {
    let f = Fixture::with_functions(&[
        "pre-signup",
        "post-confirmation",
        "pre-authentication",
        "pre-token-generation",
    ]);
    let spec = f.write_spec(PRODUCTION);
    let report = f.apply(&spec);
    let calls = operations(&report);
    let (server, clients) = (
        position(&calls, "CreateResourceServer"),
        position(&calls, "CreateUserPoolClient"),
    );
    assert!(
        server.len() == 1 && clients.len() == 2 && server[0] < clients[0],
        "{calls:?}"
    );
    let pool_id = f.pools()[0].clone();
    let pool = f.pool(&pool_id);
    assert_eq!(pool.user_pool_tier().map(|t| t.as_str()), Some("ESSENTIALS"));
    assert!(pool.admin_create_user_config().unwrap().allow_admin_create_user_only());
    assert_eq!(
        pool.email_configuration().unwrap().from(),
        Some("Toyseven <noreply@example.com>")
    );
    assert_eq!(pool.user_pool_tags().unwrap()["team"], "identity");
    let custom: Vec<&str> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .filter(|n| n.starts_with("custom:"))
        .collect();
    assert_eq!(custom.len(), 2, "{custom:?}");
    let lambda = pool.lambda_config().unwrap();
    let arn = |name: &str| format!("arn:aws:lambda:{REGION}:123456789012:function:{name}");
    assert_eq!(lambda.pre_authentication(), Some(arn("pre-authentication").as_str()));
    let versioned = lambda.pre_token_generation_config().unwrap();
    assert_eq!(
        (versioned.lambda_arn(), versioned.lambda_version().as_str()),
        (arn("pre-token-generation").as_str(), "V2_0")
    );
    assert_eq!(
        lambda.pre_token_generation(),
        Some(arn("pre-token-generation").as_str())
    );
    for function in [
        "pre-signup",
        "post-confirmation",
        "pre-authentication",
        "pre-token-generation",
    ] {
        assert!(f.policy(function).is_some(), "{function} may be invoked");
    }
    let web = f.client_named(&pool_id, "web");
    assert_eq!(web.access_token_validity(), Some(30));
    assert_eq!(
        web.token_validity_units().unwrap().access_token().map(|u| u.as_str()),
        Some("minutes")
    );
    let backend = f.client_named(&pool_id, "backend");
    assert!(backend.client_secret().is_some());
    assert_eq!(
        backend.allowed_o_auth_scopes(),
        ["toyseven-api/read", "toyseven-api/admin"]
    );
    let groups = f
        .account
        .runtime
        .block_on(async { f.cognito.list_groups().user_pool_id(&pool_id).send().await.unwrap() });
    let admins = groups
        .groups()
        .iter()
        .find(|g| g.group_name() == Some("admins"))
        .unwrap();
    assert_eq!(admins.precedence(), Some(0));

    // A second apply writes nothing.
    let report = f.apply(&spec);
    assert_eq!(writes(&report), 0, "{:?}", operations(&report));

    // One changed field writes only its resource.
    let changed_text = PRODUCTION.replace("refresh_token_validity = \"7d\"", "refresh_token_validity = \"14d\"");
    let changed = f.write_spec(&changed_text);
    let report = f.apply(&changed);
    let written: Vec<String> = operations(&report)
        .into_iter()
        .filter(|o| !provisioner::aws::is_read(o))
        .collect();
    assert_eq!(written, ["UpdateUserPoolClient"]);
    assert_eq!(f.client_named(&pool_id, "web").refresh_token_validity(), 14);
    assert!(stdout(&f.run(&changed, &["plan"])).starts_with("no changes"));
    let current = changed_text.replace("Read the user's data", "Read");
    let changed_scope = f.write_spec(&current);
    let written: Vec<String> = operations(&f.apply(&changed_scope))
        .into_iter()
        .filter(|o| !provisioner::aws::is_read(o))
        .collect();
    assert_eq!(written, ["UpdateResourceServer"]);

    // A changed custom attribute would replace the pool: refused, nothing written.
    let replaced = f.write_spec(&current.replace("max_length = 64", "max_length = 128"));
    let output = f.run(&replaced, &["--output", "json", "apply"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("custom attribute custom:tenant_id") && message.contains("users would be lost"),
        "{message}"
    );
    let plan = f.run(&replaced, &["plan"]);
    assert_eq!(plan.status.code(), Some(1), "plan refuses the same way");
    // A new attribute is added, without touching the others.
    let added = f.write_spec(&format!(
        "{current}\n[[pool.attributes]]\nname = \"region\"\ntype = \"string\"\n"
    ));
    let written: Vec<String> = operations(&f.apply(&added))
        .into_iter()
        .filter(|o| !provisioner::aws::is_read(o))
        .collect();
    assert_eq!(written, ["AddCustomAttributes"]);
}

const PROVIDERS: &str = r#"
[[identity_providers]]
name = "Google"
type = "google"
client_id = "1234.apps.googleusercontent.com"
client_secret_env = "GOOGLE_CLIENT_SECRET"
attribute_mapping = { email = "email", email_verified = "email_verified", name = "name" }

[[identity_providers]]
name = "Facebook"
type = "facebook"
client_id = "5678"
client_secret_ssm = "/toyseven/facebook"
"#;

fn with_providers() -> String {
    default_spec().replace(
        "identity_providers = [\"COGNITO\"]",
        "identity_providers = [\"COGNITO\", \"Google\", \"Facebook\"]",
    ) + PROVIDERS
}

#[test]
fn identity_providers_converge_and_their_secrets_are_never_printed() {
    let f = Fixture::new();
    let (first, second, facebook) = ("g-secret-first-7f3a", "g-secret-second-91c2", "fb-secret-55e0");
    f.account.runtime.block_on(async {
        aws_sdk_ssm::Client::new(&f.account.config)
            .put_parameter()
            .name("/toyseven/facebook")
            .value(facebook)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap();
    });
    let spec = f.write_spec(&with_providers());
    let printed = |output: &Output| format!("{}{}", stdout(output), stderr(output));
    let secrets_absent = |output: &Output| {
        let text = printed(output);
        assert!(
            ![first, second, facebook].iter().any(|s| text.contains(s)),
            "a secret was printed: {text}"
        );
    };

    let applied = f.run_env(
        &spec,
        &["--output", "json", "apply"],
        &[("GOOGLE_CLIENT_SECRET", first)],
    );
    assert!(applied.status.success(), "{}", stderr(&applied));
    secrets_absent(&applied);
    let calls = operations(&serde_json::from_slice(&applied.stdout).unwrap());
    let (providers, client) = (
        position(&calls, "CreateIdentityProvider"),
        position(&calls, "CreateUserPoolClient"),
    );
    assert!(
        providers.len() == 2 && providers[1] < client[0],
        "providers before the client that lists them: {calls:?}"
    );
    let pool_id = f.pools()[0].clone();
    let described = |name: &str| {
        f.account.runtime.block_on(async {
            f.cognito
                .describe_identity_provider()
                .user_pool_id(&pool_id)
                .provider_name(name)
                .send()
                .await
                .unwrap()
                .identity_provider
                .unwrap()
        })
    };
    assert_eq!(described("Google").provider_details().unwrap()["client_secret"], first);
    assert_eq!(
        described("Facebook").provider_details().unwrap()["client_secret"],
        facebook
    );
    assert_eq!(
        described("Facebook").provider_details().unwrap()["authorize_scopes"],
        "public_profile,email"
    );
    assert_eq!(
        f.client(&pool_id).supported_identity_providers(),
        ["COGNITO", "Google", "Facebook"]
    );

    let again = f.run_env(
        &spec,
        &["--output", "json", "apply"],
        &[("GOOGLE_CLIENT_SECRET", first)],
    );
    assert_eq!(
        writes(&serde_json::from_slice(&again.stdout).unwrap()),
        0,
        "{}",
        stdout(&again)
    );

    // A changed mapping updates that provider only.
    let changed = f.write_spec(&with_providers().replace("name = \"name\" }", "name = \"given_name\" }"));
    let report = f.run_env(
        &changed,
        &["--output", "json", "apply"],
        &[("GOOGLE_CLIENT_SECRET", first)],
    );
    let written: Vec<String> = operations(&serde_json::from_slice(&report.stdout).unwrap())
        .into_iter()
        .filter(|o| !provisioner::aws::is_read(o))
        .collect();
    assert_eq!(written, ["UpdateIdentityProvider"]);
    assert_eq!(described("Google").attribute_mapping().unwrap()["name"], "given_name");

    // The secret drifts (rotated at the provider): seen, fixed, never shown.
    let plan = f.run_env(&changed, &["plan"], &[("GOOGLE_CLIENT_SECRET", second)]);
    secrets_absent(&plan);
    assert!(
        stdout(&plan).contains("client_secret: (differs) -> (from the environment variable GOOGLE_CLIENT_SECRET)"),
        "{}",
        stdout(&plan)
    );
    let fixed = f.run_env(&changed, &["apply"], &[("GOOGLE_CLIENT_SECRET", second)]);
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    secrets_absent(&fixed);
    assert_eq!(described("Google").provider_details().unwrap()["client_secret"], second);
    assert_eq!(described("Google").attribute_mapping().unwrap()["name"], "given_name");

    // outputs reads no provider's secret: an app's build has no reason to hold it.
    let outputs = f.run(&changed, &["--output", "json", "outputs"]);
    assert!(outputs.status.success(), "{}", stderr(&outputs));
    secrets_absent(&outputs);
    let outputs: Value = serde_json::from_slice(&outputs.stdout).unwrap();
    assert!(
        outputs["identity_providers"][0]["redirect_uri"]
            .as_str()
            .unwrap()
            .ends_with("/oauth2/idpresponse"),
        "{outputs}"
    );
}

/// A provider taken out of the spec is deleted, as Terraform deletes a resource taken out of
/// its configuration: after the client stops offering it, and only as a destructive change
/// (its users can no longer sign in through it), so without `--yes` nothing is written.
#[test]
fn a_provider_taken_out_of_the_spec_is_deleted_after_its_client_and_only_with_yes() {
    let f = Fixture::new();
    let google = [("GOOGLE_CLIENT_SECRET", "g-secret-7f3a")];
    let both = default_spec().replace(
        "identity_providers = [\"COGNITO\"]",
        "identity_providers = [\"COGNITO\", \"Google\"]",
    ) + &PROVIDERS[..PROVIDERS.find("\n[[identity_providers]]\nname = \"Facebook\"").unwrap()];
    let spec = f.write_spec(&both);
    let applied = f.run_env(&spec, &["apply"], &google);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let pool_id = f.pools()[0].clone();
    let providers = || {
        f.account.runtime.block_on(async {
            f.cognito
                .list_identity_providers()
                .user_pool_id(&pool_id)
                .max_results(60)
                .send()
                .await
                .unwrap()
                .providers()
                .iter()
                .filter_map(|p| p.provider_name().map(str::to_owned))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(providers(), ["Google"]);

    let without = f.write_spec(&default_spec());

    // A provider staged by hand, which no client offers: never the plan's to delete.
    f.account.runtime.block_on(async {
        f.cognito
            .create_identity_provider()
            .user_pool_id(&pool_id)
            .provider_name("Staged")
            .provider_type(cognito::types::IdentityProviderTypeType::Oidc)
            .provider_details("client_id", "staged")
            .provider_details("client_secret", "staged-secret")
            .provider_details("attributes_request_method", "GET")
            .provider_details("oidc_issuer", "https://idp.example.com")
            .provider_details("authorize_scopes", "openid")
            .send()
            .await
            .unwrap()
    });

    // A client the spec does not name offers it too: the plan refuses, and nothing is written.
    let mobile = f.account.runtime.block_on(async {
        f.cognito
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("mobile")
            .supported_identity_providers("Google")
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap()
    });
    let refused = f.run(&without, &["apply", "--yes"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("still offer them: \"Google\" by app client \"mobile\"."),
        "{}",
        stderr(&refused)
    );
    assert_eq!(providers(), ["Google", "Staged"], "nothing written");
    assert_eq!(f.client(&pool_id).supported_identity_providers(), ["COGNITO", "Google"]);
    f.account.runtime.block_on(async {
        f.cognito
            .delete_user_pool_client()
            .user_pool_id(&pool_id)
            .client_id(mobile)
            .send()
            .await
            .unwrap()
    });

    let plan = f.run(&without, &["plan"]);
    let shown = stdout(&plan);
    let (client, delete) = (
        shown.find("~ update app client").unwrap_or_else(|| panic!("{shown}")),
        shown
            .find("- delete identity provider \"Google\"")
            .unwrap_or_else(|| panic!("{shown}")),
    );
    assert!(client < delete, "the client stops offering it first: {shown}");

    // `output()` gives the child no terminal on stdin.
    let refused = f.run(&without, &["apply"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("destructive")
            && stderr(&refused).contains("--yes")
            && stderr(&refused).contains("- delete identity provider \"Google\""),
        "{}",
        stderr(&refused)
    );
    assert_eq!(providers(), ["Google", "Staged"], "nothing written");
    assert_eq!(f.client(&pool_id).supported_identity_providers(), ["COGNITO", "Google"]);

    let report = f.apply_with(&without, &["--yes"]);
    let written: Vec<String> = operations(&report)
        .into_iter()
        .filter(|o| !provisioner::aws::is_read(o))
        .collect();
    assert_eq!(written, ["UpdateUserPoolClient", "DeleteIdentityProvider"]);
    assert_eq!(providers(), ["Staged"], "the staged one is left alone");
    assert_eq!(f.client(&pool_id).supported_identity_providers(), ["COGNITO"]);
    assert_eq!(writes(&f.apply(&without)), 0, "converged");
}

#[test]
fn an_undeclared_provider_or_an_unset_secret_is_refused_before_any_call() {
    let f = Fixture::new();
    let undeclared = f.write_spec(&default_spec().replace(
        "identity_providers = [\"COGNITO\"]",
        "identity_providers = [\"COGNITO\", \"Google\"]",
    ));
    let output = f.run(&undeclared, &["apply"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("\"Google\" is neither"), "{}", stderr(&output));

    let unset = f.write_spec(&with_providers());
    let output = f.run(&unset, &["apply"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("GOOGLE_CLIENT_SECRET, which is not set"),
        "{}",
        stderr(&output)
    );
    assert!(f.pools().is_empty(), "no call was made");
    assert!(
        !f.account.moto.output().contains("cognito-idp"),
        "no Cognito request reached the server"
    );
}
