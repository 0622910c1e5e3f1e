//! `provisioner render`: the same desired state as infrastructure as code. `cloudformation`
//! renders an AWS SAM template (pool, clients, resource servers, domain, groups, the
//! functions built with cargo-lambda, their roles and invoke permissions); `policies` renders
//! the least-privilege IAM policy documents. The checked-in copies under `infra/` are tested
//! to be current. Values come from [`crate::desired`], never re-derived from the spec.

mod cloudformation;
mod policies;

use std::collections::BTreeMap;
use std::path::Path;

pub use cloudformation::cloudformation;
pub use policies::policies;

use crate::desired::Desired;

/// A function's deployment settings, from its crate's `[package.metadata.lambda.deploy]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDeploy {
    pub name: String,
    pub timeout: u64,
    pub memory: u64,
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DeployMetadataError {
    pub path: String,
    pub message: String,
}

/// Reads `functions/<name>/Cargo.toml` under `workspace`.
pub fn load_function(workspace: &Path, name: &str) -> Result<FunctionDeploy, DeployMetadataError> {
    let path = workspace.join("functions").join(name).join("Cargo.toml");
    let error = |message: String| DeployMetadataError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
    let manifest: toml::Table = toml::from_str(&text).map_err(|e| error(e.to_string()))?;
    let deploy = manifest
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("deploy"))
        .ok_or_else(|| error("no [package.metadata.lambda.deploy]".into()))?;
    let number = |key: &str| {
        deploy
            .get(key)
            .and_then(toml::Value::as_integer)
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| error(format!("[package.metadata.lambda.deploy] needs a positive {key}")))
    };
    let env = deploy
        .get("env")
        .and_then(toml::Value::as_table)
        .map(|table| {
            table
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Ok(FunctionDeploy {
        name: name.to_owned(),
        timeout: number("timeout")?,
        memory: number("memory")?,
        env,
    })
}

/// The deploy settings of every function the triggers name that is built in `workspace`
/// (a crate under `functions/`); functions given by ARN or built elsewhere are referenced.
pub fn workspace_functions(workspace: &Path, desired: &Desired) -> Result<Vec<FunctionDeploy>, DeployMetadataError> {
    desired
        .triggers
        .functions()
        .into_iter()
        .filter(|f| !f.starts_with("arn:") && workspace.join("functions").join(f).join("Cargo.toml").is_file())
        .map(|f| load_function(workspace, f))
        .collect()
}

/// Whether a pre-signup function links external users to native ones (its deploy
/// environment sets `LINK_EXTERNAL_USERS = "verified"`), which needs ListUsers and
/// AdminLinkProviderForUser on its pool.
pub fn links_users(function: &FunctionDeploy) -> bool {
    function
        .env
        .get("LINK_EXTERNAL_USERS")
        .is_some_and(|v| v.eq_ignore_ascii_case("verified"))
}

/// `pre-signup` -> `PreSignup`, for logical ids.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    #[test]
    fn linking_grants_pre_signup_the_two_calls_on_its_pool_only() {
        let spec = crate::spec::parse("cognito.toml", "").unwrap().0;
        let mut functions = workspace_functions(workspace(), &spec).unwrap();
        let documents = policies(&spec, &functions);
        assert!(!documents["pre-signup.json"].to_string().contains("cognito-idp"));
        let template = cloudformation(&spec, &functions);
        assert!(template["Resources"].get("PreSignupLinkUsersPolicy").is_none());

        let pre_signup = functions.iter_mut().find(|f| f.name == "pre-signup").unwrap();
        pre_signup.env.insert("LINK_EXTERNAL_USERS".into(), "verified".into());
        let documents = policies(&spec, &functions);
        let statement = &documents["pre-signup.json"]["Statement"][1];
        assert_eq!(
            statement["Action"],
            serde_json::json!(["cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"])
        );
        assert!(
            statement["Resource"]
                .as_str()
                .unwrap()
                .ends_with("userpool/${USER_POOL_ID}")
        );
        let template = cloudformation(&spec, &functions);
        let policy = &template["Resources"]["PreSignupLinkUsersPolicy"]["Properties"]["PolicyDocument"];
        assert_eq!(
            policy["Statement"][0]["Resource"],
            serde_json::json!({"Fn::GetAtt": ["UserPool", "Arn"]})
        );
    }

    #[test]
    fn the_template_says_what_the_spec_says() {
        let spec = crate::spec::parse("cognito.toml", "[domain]\nprefix = \"toyseven\"\n")
            .unwrap()
            .0;
        let functions = workspace_functions(workspace(), &spec).unwrap();
        let template = cloudformation(&spec, &functions);
        let resources = &template["Resources"];
        let pool = &resources["UserPool"];
        assert_eq!(pool["DeletionPolicy"], "Retain");
        assert_eq!(pool["Properties"]["UsernameConfiguration"]["CaseSensitive"], false);
        assert_eq!(
            pool["Properties"]["UserPoolTags"]["toyseven-cognito"],
            "toyseven-cognito"
        );
        assert_eq!(
            pool["Properties"]["LambdaConfig"]["PreSignUp"],
            serde_json::json!({"Fn::GetAtt": ["PreSignupFunction", "Arn"]})
        );
        assert_eq!(resources["UserPoolDomain"]["Properties"]["Domain"], "toyseven");
        let permission = &resources["CustomMessageInvokePermission"]["Properties"];
        assert_eq!(permission["Principal"], "cognito-idp.amazonaws.com");
        assert_eq!(resources["PostConfirmationFunction"]["Properties"]["Timeout"], 5);
    }

    #[test]
    fn the_production_example_renders_providers_with_their_secret_by_reference() {
        let text = std::fs::read_to_string(workspace().join("examples/production.toml")).unwrap();
        let spec = crate::spec::parse("production.toml", &text).unwrap().0;
        let functions = workspace_functions(workspace(), &spec).unwrap();
        let template = cloudformation(&spec, &functions);
        let resources = &template["Resources"];
        let google = &resources["IdentityProviderGoogle"]["Properties"];
        assert_eq!(google["ProviderType"], "Google");
        let secret = google["ProviderDetails"]["client_secret"].as_str().unwrap();
        assert!(secret.starts_with("{{resolve:secretsmanager:"), "{secret}");
        let lambda = &resources["UserPool"]["Properties"]["LambdaConfig"];
        assert_eq!(lambda["PreTokenGenerationConfig"]["LambdaVersion"], "V2_0");
        assert_eq!(
            resources["UserPool"]["Properties"]["EnabledMfas"],
            serde_json::json!(["SOFTWARE_TOKEN_MFA"])
        );
        let web = &resources["UserPoolClientToysevenWeb"];
        assert!(
            web["DependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d == "IdentityProviderGoogle")
        );
        assert!(
            resources.get("PreTokenGenerationFunction").is_some(),
            "built here, so in the template"
        );
    }
}
