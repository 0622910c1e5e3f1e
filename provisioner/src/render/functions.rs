//! The functions' deploy settings as render and `cargo xtask deploy` read them: each crate's
//! `[package.metadata.lambda.deploy]`, the settings refused together across one pool's
//! functions, and what the settings mean for the pool (linking's two calls, the
//! `CLIENT_SCOPES` a pre-token-generation function is given).

use std::collections::BTreeMap;
use std::path::Path;

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
    let functions = desired
        .triggers
        .functions()
        .into_iter()
        .filter(|f| !f.starts_with("arn:") && workspace.join("functions").join(f).join("Cargo.toml").is_file())
        .map(|f| load_function(workspace, f))
        .collect::<Result<Vec<_>, _>>()?;
    check_together(workspace, &functions)?;
    Ok(functions)
}

/// Refuses settings that are safe alone and unsafe together, across the functions of one
/// pool: a pre-signup that links identities into verified accounts beside a custom-message
/// whose mail confirms an account with one click (`VERIFY_URL`, or `DEFAULT_EMAIL_OPTION`
/// `CONFIRM_WITH_LINK`). Whoever receives sign-up mail they never asked for and clicks it
/// proves their address for a stranger's account, which linking then hands their Google
/// identity (issue 18's account pre-takeover). With a code, they would have to give the code
/// to the stranger.
pub fn check_together(workspace: &Path, functions: &[FunctionDeploy]) -> Result<(), DeployMetadataError> {
    let Some(linking) = functions.iter().find(|f| links_users(f)) else {
        return Ok(());
    };
    for function in functions {
        let verify_url = function
            .env
            .get("VERIFY_URL")
            .filter(|v| !v.trim().is_empty())
            .map(|_| "VERIFY_URL");
        let by_link = function
            .env
            .get("DEFAULT_EMAIL_OPTION")
            .filter(|v| v.trim().eq_ignore_ascii_case("CONFIRM_WITH_LINK"))
            .map(|_| "DEFAULT_EMAIL_OPTION=CONFIRM_WITH_LINK");
        if let Some(setting) = verify_url.or(by_link) {
            let path = workspace.join("functions").join(&function.name).join("Cargo.toml");
            return Err(DeployMetadataError {
                path: path.display().to_string(),
                message: format!(
                    "{}'s {setting} confirms a sign-up with one click while {}'s LINK_EXTERNAL_USERS=verified \
                     links provider identities into verified accounts: someone clicking mail they never \
                     asked for would prove their address for a stranger's account. Remove {setting} (the \
                     person then types Cognito's code) or turn linking off",
                    function.name, linking.name
                ),
            });
        }
    }
    Ok(())
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

/// The pre-token-generation function's allow-list of group scopes per app client (see its
/// README section): `<client id>=scope scope;<client id>=scope`.
pub const CLIENT_SCOPES: &str = "CLIENT_SCOPES";

/// The function built here that the pre token generation trigger names, which gets
/// [`CLIENT_SCOPES`] filled from the spec's clients (`cargo xtask deploy`, the SAM template).
///
/// It is filled whether or not the function's `GROUP_SCOPES` is set: without it the function
/// ignores the variable, and with it (set later, in the console say) the allow-list is
/// already the spec's and no client gets more than its `oauth_scopes`.
pub fn client_scoped_function<'a>(desired: &Desired, functions: &'a [FunctionDeploy]) -> Option<&'a FunctionDeploy> {
    let wired = desired
        .triggers
        .wired
        .get(&crate::desired::Trigger::PreTokenGeneration)?;
    functions.iter().find(|f| f.name == wired.function)
}

/// Each spec client's name and the scopes it may receive as group scopes: its `oauth_scopes`,
/// the scopes its tokens may carry at all. A scope that `CLIENT_SCOPES` cannot hold (one with
/// `;`, its separator; Cognito scopes have no spaces) is left out, so that client never
/// receives it from a group; `GROUP_SCOPES` cannot name such a scope either. A client without
/// scopes is listed with none, which says so explicitly.
pub fn client_scope_entries(desired: &Desired) -> Vec<(&str, Vec<&str>)> {
    desired
        .clients
        .iter()
        .map(|client| {
            let scopes = client
                .oauth_scopes
                .iter()
                .map(String::as_str)
                .filter(|scope| !scope.contains(';') && !scope.contains(char::is_whitespace))
                .collect();
            (client.name.as_str(), scopes)
        })
        .collect()
}

/// The value of [`CLIENT_SCOPES`] for the spec's clients, with `client_id` giving each
/// client's id by name (a client without one is left out: it gets no group scope); `None`
/// when no client has an id.
pub fn client_scopes_value(desired: &Desired, client_id: impl Fn(&str) -> Option<String>) -> Option<String> {
    let entries: Vec<String> = client_scope_entries(desired)
        .into_iter()
        .filter_map(|(name, scopes)| Some(format!("{}={}", client_id(name)?, scopes.join(" "))))
        .collect();
    (!entries.is_empty()).then(|| entries.join(";"))
}
