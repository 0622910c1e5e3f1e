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
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn one_click_confirmation_beside_linking_is_refused_naming_both() {
        let function = |name: &str, env: &[(&str, &str)]| FunctionDeploy {
            name: name.into(),
            timeout: 5,
            memory: 128,
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        let linking = function("pre-signup", &[("LINK_EXTERNAL_USERS", "verified")]);
        for env in [
            [("VERIFY_URL", "https://app.example/verify")],
            [("DEFAULT_EMAIL_OPTION", "confirm_with_link")],
        ] {
            let message = function("custom-message", &env);
            let error = check_together(Path::new("."), &[linking.clone(), message.clone()]).unwrap_err();
            assert!(error.path.ends_with("functions/custom-message/Cargo.toml"), "{error}");
            assert!(
                error.message.contains(env[0].0) && error.message.contains("LINK_EXTERNAL_USERS"),
                "{error}"
            );
            let not_linking = function("pre-signup", &[]);
            assert!(check_together(Path::new("."), &[not_linking, message]).is_ok());
        }
        let by_code = function("custom-message", &[("DEFAULT_EMAIL_OPTION", "CONFIRM_WITH_CODE")]);
        assert!(check_together(Path::new("."), &[linking, by_code]).is_ok());
    }

    fn workspace() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    /// Each resource's logical id to the resources it depends on, as CloudFormation reads
    /// them: `DependsOn`, `Ref`, `Fn::GetAtt` (list or `Name.Attribute`) and the `${Name}` /
    /// `${Name.Attribute}` of `Fn::Sub` (not `${!...}`, pseudo parameters or the Sub's own
    /// variables), anywhere in the resource.
    fn dependencies(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
        fn walk(value: &Value, local: &BTreeSet<String>, found: &mut BTreeSet<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(name)) = map.get("Ref") {
                        found.insert(name.clone());
                    }
                    match map.get("Fn::GetAtt") {
                        Some(Value::Array(parts)) => {
                            found.extend(parts.first().and_then(Value::as_str).map(str::to_owned))
                        }
                        Some(Value::String(dotted)) => found.extend(dotted.split('.').next().map(str::to_owned)),
                        _ => {}
                    }
                    let (text, variables) = match map.get("Fn::Sub") {
                        Some(Value::String(text)) => (Some(text.as_str()), None),
                        Some(Value::Array(parts)) => (parts.first().and_then(Value::as_str), parts.get(1)),
                        _ => (None, None),
                    };
                    if let Some(text) = text {
                        let mut local = local.clone();
                        if let Some(Value::Object(variables)) = variables {
                            local.extend(variables.keys().cloned());
                        }
                        for piece in text.split("${").skip(1) {
                            let Some((name, _)) = piece.split_once('}') else {
                                continue;
                            };
                            let name = name.split('.').next().unwrap_or(name);
                            if !name.starts_with('!') && !local.contains(name) {
                                found.insert(name.to_owned());
                            }
                        }
                    }
                    for inner in map.values() {
                        walk(inner, local, found);
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| walk(item, local, found)),
                _ => {}
            }
        }
        let resources = template["Resources"].as_object().unwrap();
        resources
            .iter()
            .map(|(id, resource)| {
                let mut found = BTreeSet::new();
                match &resource["DependsOn"] {
                    Value::String(name) => {
                        found.insert(name.clone());
                    }
                    Value::Array(names) => found.extend(names.iter().filter_map(Value::as_str).map(str::to_owned)),
                    _ => {}
                }
                walk(resource, &BTreeSet::new(), &mut found);
                found.retain(|name| resources.contains_key(name));
                (id.clone(), found)
            })
            .collect()
    }

    /// A cycle among the template's resources (its ids in order, the first repeated last).
    fn cycle(template: &Value) -> Option<Vec<String>> {
        fn visit(
            id: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(start) = path.iter().position(|p| p == id) {
                let mut found = path[start..].to_vec();
                found.push(id.to_owned());
                return Some(found);
            }
            if done.contains(id) {
                return None;
            }
            path.push(id.to_owned());
            for next in &graph[id] {
                if let Some(found) = visit(next, graph, path, done) {
                    return Some(found);
                }
            }
            path.pop();
            done.insert(id.to_owned());
            None
        }
        let graph = dependencies(template);
        let mut done = BTreeSet::new();
        graph
            .keys()
            .find_map(|id| visit(id, &graph, &mut Vec::new(), &mut done))
    }

    /// The spec at `text` and the functions built here, rendered.
    fn template_of(text: &str) -> (Desired, Vec<FunctionDeploy>, Value) {
        let spec = crate::spec::parse("test.toml", text).unwrap().0;
        let functions = workspace_functions(workspace(), &spec).unwrap();
        let template = cloudformation(&spec, &functions);
        (spec, functions, template)
    }

    fn production() -> String {
        std::fs::read_to_string(workspace().join("examples/production.toml")).unwrap()
    }

    fn project_with_pre_token_generation() -> String {
        let text = std::fs::read_to_string(workspace().join("cognito.toml")).unwrap();
        let wired = text.replace(
            "custom_message = \"custom-message\"\n",
            "custom_message = \"custom-message\"\npre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n",
        );
        assert_ne!(wired, text, "cognito.toml's [triggers] moved");
        wired.replace("[pool]\n", "[pool]\ntier = \"essentials\"\n")
    }

    #[test]
    fn no_template_has_a_dependency_cycle() {
        let project = std::fs::read_to_string(workspace().join("cognito.toml")).unwrap();
        for (name, text) in [
            ("cognito.toml", project),
            (
                "cognito.toml with pre-token-generation",
                project_with_pre_token_generation(),
            ),
            ("examples/production.toml", production()),
        ] {
            let (_, _, template) = template_of(&text);
            assert_eq!(cycle(&template), None, "{name}");
        }
    }

    #[test]
    fn the_cycle_walk_finds_the_cycle_a_get_att_to_the_client_scoped_function_would_close() {
        let (_, _, mut template) = template_of(&production());
        let function = &template["Resources"]["PreTokenGenerationFunction"];
        assert!(
            dependencies(&template)["PreTokenGenerationFunction"].contains("UserPoolClientToysevenWeb"),
            "the function's CLIENT_SCOPES refers to the client: {function}"
        );
        template["Resources"]["UserPool"]["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaArn"] =
            json!({"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]});
        let found = cycle(&template).expect("UserPool -> function -> a client -> UserPool");
        for id in ["UserPool", "PreTokenGenerationFunction"] {
            assert!(found.iter().any(|f| f == id), "{id} in {found:?}");
        }
        assert!(found.iter().any(|f| f.starts_with("UserPoolClient")), "{found:?}");
    }

    #[test]
    fn the_pre_token_generation_function_gets_client_scopes_by_ref_and_is_wired_by_its_name() {
        let (spec, _, template) = template_of(&production());
        let resources = &template["Resources"];
        let function = &resources["PreTokenGenerationFunction"]["Properties"];
        let mut parts = Vec::new();
        for (i, client) in spec.clients.iter().enumerate() {
            if i > 0 {
                parts.push(json!(";"));
            }
            parts.push(json!({"Ref": format!("UserPoolClient{}", pascal(&client.name))}));
            parts.push(json!(format!("={}", client.oauth_scopes.join(" "))));
        }
        assert!(
            spec.clients.len() >= 2,
            "the production example has a web and a backend client"
        );
        assert_eq!(
            function["Environment"]["Variables"][CLIENT_SCOPES],
            json!({"Fn::Join": ["", parts]})
        );
        assert_eq!(
            function["Environment"]["Variables"]["GROUP_SCOPES"],
            "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
            "the crate's deploy env stays"
        );
        let name = function["FunctionName"].as_str().unwrap();
        assert_eq!(
            resources["UserPool"]["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaArn"],
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}")}),
            "the ARN of the function's explicit name"
        );
        assert_eq!(
            resources["PreTokenGenerationInvokePermission"]["Properties"]["FunctionName"],
            json!({"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]}),
            "the permission waits for the function"
        );
        for other in ["PreSignupFunction", "PostConfirmationFunction", "CustomMessageFunction"] {
            if let Some(other) = resources.get(other) {
                assert!(
                    other["Properties"]["Environment"]["Variables"]
                        .get(CLIENT_SCOPES)
                        .is_none()
                );
            }
        }
        assert_eq!(
            resources["UserPool"]["Properties"]["LambdaConfig"]["PreSignUp"],
            json!({"Fn::GetAtt": ["PreSignupFunction", "Arn"]}),
            "the other functions are still created before the pool that names them"
        );
    }

    #[test]
    fn client_scopes_lists_each_client_with_an_id_and_the_scopes_the_variable_can_hold() {
        let text = "[pool]\nname = \"p\"\n\
                    [[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\n\
                    scopes = [{ name = \"read\", description = \"r\" }, { name = \"a;b\", description = \"odd\" }]\n\
                    [[clients]]\nname = \"web\"\noauth_flows = [\"code\"]\n\
                    oauth_scopes = [\"openid\", \"api/read\", \"api/a;b\"]\ncallback_urls = [\"https://app.example\"]\n\
                    [[clients]]\nname = \"cli\"\noauth_flows = []\noauth_scopes = []\n\
                    [[clients]]\nname = \"later\"\noauth_flows = []\noauth_scopes = []\n";
        let spec = crate::spec::parse("test.toml", text).unwrap().0;
        let ids = |name: &str| match name {
            "web" => Some("1web".to_owned()),
            "cli" => Some("2cli".to_owned()),
            _ => None,
        };
        assert_eq!(
            client_scopes_value(&spec, ids).as_deref(),
            Some("1web=openid api/read;2cli="),
            "the scope with `;` is left out, the client without an id too"
        );
        assert_eq!(client_scopes_value(&spec, |_| None), None);
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
