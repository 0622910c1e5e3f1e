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
