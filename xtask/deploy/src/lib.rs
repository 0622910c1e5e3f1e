//! `cargo xtask package` and `cargo xtask deploy` (`main.rs` is the command; the deploy test
//! runs this library against moto): arm64 release zips through cargo-lambda; then the pool
//! as `provisioner apply` makes it, not yet wired (its app clients get their ids here); then
//! the functions to Lambda with `cargo lambda deploy` (settings from each crate's
//! `[package.metadata.lambda.deploy]`, plus the pre-token-generation function's
//! `CLIENT_SCOPES` from the clients' ids), each with an execution role of its own; then each
//! role this deploy manages gets its least-privilege policy from the rendered documents
//! (`infra/policies`): logs for all, AdminAddUserToGroup on this pool only for
//! post-confirmation, ListUsers and AdminLinkProviderForUser for pre-signup when it links
//! users; then the functions' logs (a log group each with the spec's retention, JSON at the
//! spec's level), the metric filters, alarms and dashboard (`monitoring.rs`, as the SAM template
//! has them); last, the invoke permissions and the wiring. So no trigger points at a function
//! before its role can do its job.

use std::path::PathBuf;
use std::process::Command;

use aws_sdk_iam::Client as Iam;
use harness::{HarnessError, Tools, run_to_end, workspace_root};
use provisioner::aws::{Clients, Connection};
use provisioner::observed::account_of;
use provisioner::plan::Options;
use provisioner::{Mode, converge, render, spec};

pub use harness::{FUNCTION_NAMES, FUNCTIONS};

mod monitoring;

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Harness(#[from] HarnessError),
    #[error("{0}")]
    Step(String),
}

fn step(what: &str) -> impl FnOnce(String) -> DeployError + '_ {
    move |message| DeployError::Step(format!("{what}: {message}"))
}

/// Release builds get a target folder of their own, so that a test can package while
/// `cargo test` holds the workspace's.
fn target_dir() -> PathBuf {
    workspace_root().join("target").join("package")
}

/// Where `package` leaves the zips (`<name>/bootstrap.zip`).
pub fn lambda_dir() -> PathBuf {
    target_dir().join("lambda")
}

/// A built zip: the function, its size and its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zip {
    pub function: &'static str,
    pub path: PathBuf,
    pub bytes: u64,
    pub budget: u64,
}

/// Builds the arm64 release zips (Zig cross-links them) and returns their sizes.
pub fn package(tools: &Tools) -> Result<Vec<Zip>, DeployError> {
    run_to_end(
        "rustup target add",
        Command::new("rustup").args(["target", "add", "aarch64-unknown-linux-gnu"]),
    )?;
    let mut build = harness::runs_cargo(tools.cargo_lambda()?);
    build
        .env("PATH", tools.path_env())
        .env("CARGO_TARGET_DIR", target_dir())
        .args([
            "lambda",
            "build",
            "--release",
            "--arm64",
            "--output-format",
            "zip",
            "--lambda-dir",
        ])
        .arg(lambda_dir());
    for (name, _) in FUNCTIONS {
        build.args(["--bin", name]);
    }
    run_to_end("cargo lambda build", &mut build)?;
    FUNCTIONS
        .iter()
        .map(|(function, budget)| {
            let path = lambda_dir().join(function).join("bootstrap.zip");
            let bytes = std::fs::metadata(&path)
                .map_err(|e| DeployError::Step(format!("{} was not built: {e}", path.display())))?
                .len();
            Ok(Zip {
                function,
                path,
                bytes,
                budget: *budget,
            })
        })
        .collect()
}

/// Where and how to deploy.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub connection: Connection,
    /// The spec to provision; the workspace's `cognito.toml` when `None`.
    pub spec: Option<PathBuf>,
    /// Existing execution roles, by function; the others are created as `<function>-role`.
    pub roles: Vec<(String, String)>,
    /// Let the provisioner make destructive changes (a domain replaced, an invoke permission
    /// removed); without it a deploy that needs one stops before any provisioner write.
    pub yes: bool,
}

/// What the deploy did.
#[derive(Debug, Clone, Default)]
pub struct Deployed {
    pub user_pool_id: String,
    /// Every write, in order, for people to read: the functions' code always (a deploy
    /// uploads it); roles, the provisioner's changes, role policies, log groups and their
    /// retention, logging configurations, metric filters, alarms and the dashboard only when
    /// they did not match already.
    pub done: Vec<String>,
    /// How many write calls the provisioner made (none when the pool and its wiring
    /// already matched the spec).
    pub provisioner_writes: usize,
}

/// The spec `target` names, read and checked against what the deploy can do, and the
/// functions it deploys: no AWS call, no build, so a mistake is found before either.
pub fn check(target: &Target) -> Result<(spec::Spec, Vec<&'static str>), DeployError> {
    let spec_path = target
        .spec
        .clone()
        .unwrap_or_else(|| workspace_root().join("cognito.toml"));
    let (spec, _) = spec::load(&spec_path).map_err(|e| DeployError::Step(e.to_string()))?;
    // This project's functions are deployed by name, and their role policies rendered by
    // name: an ARN naming one of them would leave it undeployed while the pool is wired to it.
    for (trigger, wired) in &spec.triggers.wired {
        if let Some(function) = arn_of_ours(&wired.function) {
            return Err(DeployError::Step(format!(
                "{}: {} names {function} by ARN; `cargo xtask deploy` deploys this project's \
                 functions by name: write {} = \"{function}\", or deploy that function yourself \
                 and provision with `provisioner apply`",
                spec_path.display(),
                trigger.spec_key(),
                trigger.spec_key(),
            )));
        }
    }
    let wired = deployed_functions(&spec);
    let functions = wired
        .iter()
        .map(|name| render::load_function(&workspace_root(), name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DeployError::Step(e.to_string()))?;
    render::check_together(&workspace_root(), &functions).map_err(|e| DeployError::Step(e.to_string()))?;
    if let Some((function, _)) = target.roles.iter().find(|(f, _)| !wired.contains(&f.as_str())) {
        return Err(DeployError::Step(format!(
            "--role {function}=...: {} wires no trigger to {function}, so it is not deployed",
            spec_path.display()
        )));
    }
    Ok((spec, wired))
}

/// This project's function an ARN names (`arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`).
fn arn_of_ours(reference: &str) -> Option<&'static str> {
    let name = reference.strip_prefix("arn:")?.split(':').nth(5)?;
    FUNCTION_NAMES.into_iter().find(|ours| *ours == name)
}

/// Deploys the zips `package` built, then provisions. Needs the zips.
pub async fn deploy(tools: &Tools, target: &Target) -> Result<Deployed, DeployError> {
    let (spec, wired) = check(target)?;
    let connection = &target.connection;
    let config = connection.load().await;
    let region = config
        .region()
        .map(ToString::to_string)
        .ok_or_else(|| DeployError::Step("no AWS region: pass --region or set AWS_REGION".into()))?;
    monitoring::check_topic(&spec.monitoring, &region)?;
    let iam = Iam::new(&config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let lambda = aws_sdk_lambda::Client::new(&config);
    let mut deployed = Deployed::default();

    // 1. The pool, its clients, domain and groups, as `provisioner apply` makes them, but not
    // yet wired: a trigger must not point at a function whose role cannot do its job. First,
    // because the pre-token-generation function's CLIENT_SCOPES names the clients' ids. (On a
    // pool that is wired already, the wiring stays as it is until step 4.)
    let clients = Clients::new(&config);
    let provision = |e: provisioner::converge::ConvergeError| DeployError::Step(format!("provisioner apply: {e}"));
    let mut unwired = spec.clone();
    unwired.triggers.wired.clear();
    let options = Options {
        allow_destructive: target.yes,
        ..Options::default()
    };
    let converged = converge(&clients, &unwired, Mode::Apply, options)
        .await
        .map_err(provision)?;
    deployed.done.extend(converged.applied.into_iter().flat_map(|a| a.done));
    let live = converged
        .live
        .ok_or_else(|| DeployError::Step("the pool is missing after apply".into()))?;
    let functions = wired
        .iter()
        .map(|name| render::load_function(&workspace_root(), name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DeployError::Step(e.to_string()))?;
    let extra_env = extra_env(&spec, &functions, &live.clients);

    // 2. The functions, each with its role, logging JSON to a log group made first (their roles
    // may write to it, not create it).
    monitoring::log_groups(&logs, &wired, &spec.monitoring, &mut deployed.done).await?;
    let mut managed_roles = Vec::new();
    for function in wired.iter().copied() {
        let role = match target.roles.iter().find(|(f, _)| f == function) {
            Some((_, arn)) => arn.clone(),
            None => {
                let (arn, created) = ensure_role(&iam, function).await?;
                if created {
                    deployed.done.push(format!("created role {function}-role"));
                }
                managed_roles.push((function, format!("{function}-role")));
                arn
            }
        };
        let mut command = harness::runs_cargo(tools.cargo_lambda()?);
        command
            .env("PATH", tools.path_env())
            .args([
                "lambda",
                "deploy",
                function,
                "--binary-name",
                function,
                "--role",
                &role,
                "--region",
                &region,
            ])
            .arg("--lambda-dir")
            .arg(lambda_dir());
        if let Some(profile) = &connection.profile {
            command.args(["--profile", profile]);
        }
        if let Some(endpoint) = &connection.endpoint_url {
            command.args(["--endpoint-url", endpoint]);
        }
        if let Some((key, secret)) = &connection.credentials {
            command
                .env("AWS_ACCESS_KEY_ID", key)
                .env("AWS_SECRET_ACCESS_KEY", secret);
        }
        if let Some((_, variables)) = extra_env.iter().find(|(name, _)| name == function) {
            // In the one configuration write cargo lambda makes, beside the crate's deploy
            // env: it replaces the function's whole environment with those on every deploy,
            // so a variable set after it would be missing in between, and a pre-token-generation
            // function with GROUP_SCOPES but no CLIENT_SCOPES refuses to start (every sign-in
            // fails). An env file, not --env-var, which splits its value at commas; values
            // quoted, as the file's parser wants for spaces.
            let env_file = target_dir().join(format!("{function}.deploy.env"));
            std::fs::create_dir_all(target_dir()).map_err(|e| step("the env file")(e.to_string()))?;
            std::fs::write(&env_file, env_file_text(variables)).map_err(|e| step("the env file")(e.to_string()))?;
            command.arg("--env-file").arg(env_file);
        }
        run_to_end(&format!("cargo lambda deploy {function}"), &mut command)?;
        deployed
            .done
            .push(format!("deployed function {function} (role {role})"));
        monitoring::logging_config(&lambda, function, &spec.monitoring, &mut deployed.done).await?;
    }

    let (pool_id, pool_arn) = (live.pool_id, live.pool_arn);

    // 3. Least privilege for the roles this deploy manages, from the rendered policy
    // documents, written only where the role's policy differs.
    let documents = render::policies(&spec, &functions);
    let account = account_of(&pool_arn).unwrap_or("*").to_owned();
    let partition = pool_arn.split(':').nth(1).unwrap_or("aws").to_owned();
    for (function, role) in managed_roles {
        let document = documents
            .get(&format!("{function}.json"))
            .ok_or_else(|| DeployError::Step(format!("no policy rendered for {function}")))?
            .to_string()
            .replace("${PARTITION}", &partition)
            .replace("${REGION}", &region)
            .replace("${ACCOUNT_ID}", &account)
            .replace("${USER_POOL_ID}", &pool_id);
        if role_policy(&iam, &role).await? == serde_json::from_str::<serde_json::Value>(&document).ok() {
            continue;
        }
        iam.put_role_policy()
            .role_name(&role)
            .policy_name("least-privilege")
            .policy_document(document)
            .send()
            .await
            .map_err(|e| step("PutRolePolicy")(aws_sdk_iam::error::DisplayErrorContext(e).to_string()))?;
        deployed.done.push(format!("least-privilege policy on {role}"));
    }

    // The metric filters, alarms and dashboard, as the template has them.
    let watch = render::monitoring::watch(&spec, &functions);
    monitoring::watch(&logs, &cloudwatch, &watch, &region, &pool_id, &mut deployed.done).await?;

    // 4. The invoke permissions, then the wiring, exactly as `provisioner apply`.
    let converged = converge(&clients, &spec, Mode::Apply, options)
        .await
        .map_err(provision)?;
    deployed.done.extend(converged.applied.into_iter().flat_map(|a| a.done));
    deployed.provisioner_writes = clients.counter.reads_and_writes().1;
    deployed.user_pool_id = pool_id;
    Ok(deployed)
}

/// The variables a function gets beside its crate's deploy env, by function: the
/// pre-token-generation function's `CLIENT_SCOPES`, each spec client's id (`clients`: name and
/// id, as the provisioner left them) with its `oauth_scopes`. Filled whether or not its
/// `GROUP_SCOPES` is set (see `render::client_scoped_function`); none when the spec has no
/// client, and then a `GROUP_SCOPES` stops the function's start, which is right: no client
/// may receive a group scope.
pub fn extra_env(
    spec: &spec::Spec,
    functions: &[render::FunctionDeploy],
    clients: &[(String, String)],
) -> Vec<(String, Vec<(&'static str, String)>)> {
    let Some(function) = render::client_scoped_function(spec, functions) else {
        return Vec::new();
    };
    let id = |name: &str| clients.iter().find(|(n, _)| n == name).map(|(_, id)| id.clone());
    match render::client_scopes_value(spec, id) {
        Some(value) => vec![(function.name.clone(), vec![(render::CLIENT_SCOPES, value)])],
        None => Vec::new(),
    }
}

/// An env file for `cargo lambda deploy --env-file`: `KEY="value"` lines, the value quoted and
/// escaped (a client id and a scope hold neither `"` nor a backslash, but the escaping keeps any
/// value whole).
fn env_file_text(variables: &[(&str, String)]) -> String {
    variables
        .iter()
        .map(|(key, value)| format!("{key}={value:?}\n"))
        .collect()
}

/// This project's functions that the spec wires, in `FUNCTIONS`' order. A trigger naming
/// anything else (an ARN, someone else's function) is wired as it is, and a function no
/// trigger names is not deployed: it would cost a role and run for nobody.
pub fn deployed_functions(spec: &spec::Spec) -> Vec<&'static str> {
    FUNCTION_NAMES
        .into_iter()
        .filter(|name| spec.triggers.wired.values().any(|w| w.function == *name))
        .collect()
}

/// The role's `least-privilege` policy document, if it has one.
async fn role_policy(iam: &Iam, role: &str) -> Result<Option<serde_json::Value>, DeployError> {
    match iam
        .get_role_policy()
        .role_name(role)
        .policy_name("least-privilege")
        .send()
        .await
    {
        Ok(found) => {
            // IAM returns policy documents URL-encoded.
            let document = percent_encoding::percent_decode_str(found.policy_document()).decode_utf8_lossy();
            Ok(serde_json::from_str(&document).ok())
        }
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(None)
        }
        Err(error) => Err(step("GetRolePolicy")(
            aws_sdk_iam::error::DisplayErrorContext(error).to_string(),
        )),
    }
}

/// The role `<function>-role` (assumable by Lambda only), and whether it was created now.
async fn ensure_role(iam: &Iam, function: &str) -> Result<(String, bool), DeployError> {
    let name = format!("{function}-role");
    match iam.get_role().role_name(&name).send().await {
        Ok(found) => {
            let role = found
                .role
                .ok_or_else(|| DeployError::Step("GetRole answered without a role".into()))?;
            return Ok((role.arn, false));
        }
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) => {}
        Err(error) => {
            return Err(step("GetRole")(
                aws_sdk_iam::error::DisplayErrorContext(error).to_string(),
            ));
        }
    }
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    });
    let created = iam
        .create_role()
        .role_name(&name)
        .description(format!("Execution role of the {function} Cognito trigger"))
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .map_err(|e| step("CreateRole")(aws_sdk_iam::error::DisplayErrorContext(e).to_string()))?;
    let role = created
        .role
        .ok_or_else(|| DeployError::Step("CreateRole answered without a role".into()))?;
    Ok((role.arn, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(triggers: &str) -> spec::Spec {
        let text = format!("[pool]\nname = \"p\"\n[triggers]\n{triggers}");
        spec::parse("test.toml", &text).unwrap().0
    }

    #[test]
    fn only_the_functions_the_spec_wires_are_deployed() {
        let project = std::fs::read_to_string(workspace_root().join("cognito.toml")).unwrap();
        let (project, _) = spec::parse("cognito.toml", &project).unwrap();
        assert_eq!(
            deployed_functions(&project),
            ["pre-signup", "post-confirmation", "custom-message"]
        );
        let every = spec(
            "pre_sign_up = \"pre-signup\"\npost_confirmation = \"post-confirmation\"\n\
             custom_message = \"custom-message\"\n\
             pre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n",
        );
        assert_eq!(deployed_functions(&every), FUNCTION_NAMES);
        let foreign = spec(
            "pre_sign_up = \"arn:aws:lambda:us-east-1:123456789012:function:theirs\"\n\
             post_confirmation = \"post-confirmation\"\n",
        );
        assert_eq!(deployed_functions(&foreign), ["post-confirmation"]);
    }

    fn checked(triggers: &str, roles: &[(&str, &str)]) -> Result<Vec<&'static str>, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cognito.toml");
        std::fs::write(&path, format!("[pool]\nname = \"p\"\n[triggers]\n{triggers}")).unwrap();
        let target = Target {
            spec: Some(path),
            roles: roles.iter().map(|(f, r)| (f.to_string(), r.to_string())).collect(),
            ..Target::default()
        };
        check(&target).map(|(_, wired)| wired).map_err(|e| e.to_string())
    }

    #[test]
    fn one_of_our_functions_named_by_arn_is_refused_before_any_build() {
        let error = checked(
            "pre_sign_up = \"arn:aws:lambda:us-east-1:123456789012:function:pre-signup:live\"\n",
            &[],
        )
        .unwrap_err();
        assert!(
            error.contains("pre_sign_up names pre-signup by ARN") && error.contains("pre_sign_up = \"pre-signup\""),
            "{error}"
        );
        assert_eq!(
            checked(
                "pre_sign_up = \"arn:aws:lambda:us-east-1:123456789012:function:theirs\"\n",
                &[]
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn the_pre_token_generation_function_gets_client_scopes_from_the_clients_ids() {
        let text = std::fs::read_to_string(workspace_root().join("examples/production.toml")).unwrap();
        let (spec, _) = spec::parse("production.toml", &text).unwrap();
        let functions: Vec<_> = deployed_functions(&spec)
            .into_iter()
            .map(|name| render::load_function(&workspace_root(), name).unwrap())
            .collect();
        let ids: Vec<(String, String)> = spec
            .clients
            .iter()
            .zip(["1web", "2backend"])
            .map(|(client, id)| (client.name.clone(), id.to_owned()))
            .collect();
        let extra = extra_env(&spec, &functions, &ids);
        let expected: Vec<String> = spec
            .clients
            .iter()
            .zip(["1web", "2backend"])
            .map(|(client, id)| format!("{id}={}", client.oauth_scopes.join(" ")))
            .collect();
        assert_eq!(
            extra,
            [(
                "pre-token-generation".to_owned(),
                vec![("CLIENT_SCOPES", expected.join(";"))]
            )],
            "only the pre-token-generation function, every client"
        );
        let text = env_file_text(&extra[0].1);
        assert_eq!(text, format!("CLIENT_SCOPES=\"{}\"\n", expected.join(";")));

        assert_eq!(
            extra_env(&spec, &functions, &[]),
            [],
            "no client id yet: nothing to set"
        );
        let project = std::fs::read_to_string(workspace_root().join("cognito.toml")).unwrap();
        let (project, _) = spec::parse("cognito.toml", &project).unwrap();
        let functions: Vec<_> = deployed_functions(&project)
            .into_iter()
            .map(|name| render::load_function(&workspace_root(), name).unwrap())
            .collect();
        assert_eq!(
            extra_env(&project, &functions, &[("toyseven-web".into(), "1web".into())]),
            [],
            "cognito.toml wires no pre-token-generation"
        );
    }

    #[test]
    fn a_role_for_a_function_the_spec_does_not_wire_is_refused() {
        let role = "arn:aws:iam::123456789012:role/mine";
        let error = checked("pre_sign_up = \"pre-signup\"\n", &[("custom-message", role)]).unwrap_err();
        assert!(error.contains("wires no trigger to custom-message"), "{error}");
        assert_eq!(
            checked("pre_sign_up = \"pre-signup\"\n", &[("pre-signup", role)]),
            Ok(vec!["pre-signup"])
        );
    }
}
