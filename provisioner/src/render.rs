//! `provisioner render`: the same setup as infrastructure as code. `cloudformation` renders an
//! AWS SAM template (pool, client, domain, groups, the functions built with cargo-lambda,
//! their roles and invoke permissions) from the spec and each function's
//! `[package.metadata.lambda.deploy]`; `policies` renders the least-privilege IAM policy
//! documents. The checked-in copies under `infra/` are tested to be current.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::spec::Spec;

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

/// `pre-signup` -> `PreSignup`, for logical ids.
fn pascal(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn sub(text: &str) -> Value {
    json!({"Fn::Sub": text})
}

fn get_att(resource: &str, attribute: &str) -> Value {
    json!({"Fn::GetAtt": [resource, attribute]})
}

const ASSUME_LAMBDA: &str = "lambda.amazonaws.com";

/// The LambdaConfig key of a trigger named as in cognito.toml.
fn lambda_config_key(trigger: &str) -> &'static str {
    match trigger {
        "pre_sign_up" => "PreSignUp",
        "post_confirmation" => "PostConfirmation",
        _ => "CustomMessage",
    }
}

/// The functions the spec's triggers name (by function name, not ARN), with the AWS trigger
/// key for each.
fn trigger_functions(spec: &Spec) -> Vec<(&'static str, &str)> {
    spec.triggers
        .iter()
        .filter(|(_, function)| !function.starts_with("arn:"))
        .map(|(trigger, function)| (lambda_config_key(trigger), function))
        .collect()
}

/// The SAM template. `functions` are the deploy settings of the functions the triggers name.
pub fn cloudformation(spec: &Spec, functions: &[FunctionDeploy]) -> Value {
    let mut resources = serde_json::Map::new();
    let mut lambda_config = serde_json::Map::new();

    for (trigger, function_ref) in spec.triggers.iter() {
        let key = lambda_config_key(trigger);
        let arn = match functions.iter().find(|f| f.name == function_ref) {
            Some(_) => get_att(&format!("{}Function", pascal(function_ref)), "Arn"),
            None => json!(function_ref),
        };
        lambda_config.insert(key.into(), arn);
    }

    for function in functions {
        let id = pascal(&function.name);
        let log_group = format!("/aws/lambda/{}", function.name);
        resources.insert(
            format!("{id}LogGroup"),
            json!({
                "Type": "AWS::Logs::LogGroup",
                "Metadata": {"checkov": {"skip": [
                    {"id": "CKV_AWS_158", "comment": "Logs hold no personal data in the clear (emails and phone numbers are masked); the default service-side encryption is enough."}
                ]}},
                "Properties": {"LogGroupName": log_group, "RetentionInDays": 30},
            }),
        );
        resources.insert(
            format!("{id}Role"),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Principal": {"Service": ASSUME_LAMBDA}, "Action": "sts:AssumeRole"}],
                    },
                    "Policies": [{
                        "PolicyName": "write-own-logs",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": sub(&format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_group}:*")),
                            }],
                        },
                    }],
                },
            }),
        );
        resources.insert(
            format!("{id}Function"),
            json!({
                "Type": "AWS::Serverless::Function",
                "DependsOn": [format!("{id}LogGroup")],
                "Metadata": {
                    "BuildMethod": "rust-cargolambda",
                    "BuildProperties": {"Binary": function.name},
                    "checkov": {"skip": [
                        {"id": "CKV_AWS_116", "comment": "Cognito invokes triggers synchronously and retries itself; a dead-letter queue applies only to asynchronous invocations."},
                        {"id": "CKV_AWS_117", "comment": "The function calls only public AWS endpoints (Cognito); a VPC would add NAT cost and cold-start latency for no isolation gain."},
                        {"id": "CKV_AWS_173", "comment": "The environment holds configuration only (domain lists, a group name, a product name), no secrets."},
                        {"id": "CKV_AWS_115", "comment": "Concurrency follows sign-up traffic, which Cognito already rate-limits; a reserved limit would turn bursts into failed sign-ups."},
                    ]},
                },
                "Properties": {
                    "FunctionName": function.name,
                    "CodeUri": "..",
                    "Handler": "bootstrap",
                    "Runtime": "provided.al2023",
                    "Architectures": ["arm64"],
                    "Timeout": function.timeout,
                    "MemorySize": function.memory,
                    "Role": get_att(&format!("{id}Role"), "Arn"),
                    "Environment": {"Variables": function.env},
                },
            }),
        );
        resources.insert(
            format!("{id}InvokePermission"),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": get_att(&format!("{id}Function"), "Arn"),
                    "Action": "lambda:InvokeFunction",
                    "Principal": "cognito-idp.amazonaws.com",
                    "SourceArn": get_att("UserPool", "Arn"),
                    "SourceAccount": {"Ref": "AWS::AccountId"},
                },
            }),
        );
    }

    // The post-confirmation function may add users to groups of this pool only. A separate
    // policy, so the role does not depend on the pool (which depends on the function).
    if let Some((_, name)) = trigger_functions(spec)
        .into_iter()
        .find(|(key, _)| *key == "PostConfirmation")
        && functions.iter().any(|f| f.name == name)
    {
        let id = pascal(name);
        resources.insert(
            format!("{id}AddUserToGroupPolicy"),
            json!({
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "add-user-to-group-in-this-pool",
                    "Roles": [{"Ref": format!("{id}Role")}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "cognito-idp:AdminAddUserToGroup", "Resource": get_att("UserPool", "Arn")}],
                    },
                },
            }),
        );
    }

    let pool = &spec.pool;
    let policy = &pool.password_policy;
    let mut pool_properties = json!({
        "UserPoolName": pool.name,
        "UsernameAttributes": pool.username_attributes.iter().map(|a| a.as_aws()).collect::<Vec<_>>(),
        "AutoVerifiedAttributes": pool.auto_verified_attributes.iter().map(|a| a.as_aws()).collect::<Vec<_>>(),
        "MfaConfiguration": pool.mfa.as_aws(),
        "DeletionProtection": if pool.deletion_protection { "ACTIVE" } else { "INACTIVE" },
        "Policies": {"PasswordPolicy": {
            "MinimumLength": policy.minimum_length,
            "RequireLowercase": policy.require_lowercase,
            "RequireUppercase": policy.require_uppercase,
            "RequireNumbers": policy.require_numbers,
            "RequireSymbols": policy.require_symbols,
        }},
    });
    if !lambda_config.is_empty() {
        pool_properties["LambdaConfig"] = Value::Object(lambda_config);
    }
    // Retain: deleting or replacing the stack must never delete the pool and its users.
    resources.insert(
        "UserPool".into(),
        json!({"Type": "AWS::Cognito::UserPool", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": pool_properties}),
    );
    let client = &spec.client;
    resources.insert(
        "UserPoolClient".into(),
        json!({
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "UserPoolId": {"Ref": "UserPool"},
                "ClientName": client.name,
                "GenerateSecret": client.generate_secret,
                "AllowedOAuthFlows": client.oauth_flows.iter().map(|f| f.as_aws()).collect::<Vec<_>>(),
                "AllowedOAuthFlowsUserPoolClient": !client.oauth_flows.is_empty(),
                "AllowedOAuthScopes": client.oauth_scopes,
                "CallbackURLs": client.callback_urls,
                "LogoutURLs": client.logout_urls,
                "SupportedIdentityProviders": client.identity_providers,
                "ExplicitAuthFlows": client.explicit_auth_flows,
                "PreventUserExistenceErrors": if client.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
                "EnableTokenRevocation": client.enable_token_revocation,
            },
        }),
    );
    let mut outputs = serde_json::Map::new();
    outputs.insert("UserPoolId".into(), json!({"Value": {"Ref": "UserPool"}}));
    outputs.insert("UserPoolArn".into(), json!({"Value": get_att("UserPool", "Arn")}));
    outputs.insert("UserPoolClientId".into(), json!({"Value": {"Ref": "UserPoolClient"}}));
    outputs.insert(
        "Issuer".into(),
        json!({"Value": sub("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}")}),
    );
    if let Some(domain) = &spec.domain {
        resources.insert(
            "UserPoolDomain".into(),
            json!({"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"Domain": domain.prefix, "UserPoolId": {"Ref": "UserPool"}}}),
        );
        outputs.insert(
            "HostedUiBaseUrl".into(),
            json!({"Value": sub(&format!("https://{}.auth.${{AWS::Region}}.amazoncognito.com", domain.prefix))}),
        );
    }
    for group in &spec.groups {
        let mut properties = json!({"GroupName": group.name, "UserPoolId": {"Ref": "UserPool"}});
        if let Some(description) = &group.description {
            properties["Description"] = json!(description);
        }
        resources.insert(
            format!("Group{}", pascal(&group.name)),
            json!({"Type": "AWS::Cognito::UserPoolGroup", "Properties": properties}),
        );
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Cognito user pool, app client, hosted-UI domain, groups and trigger functions. Rendered from cognito.toml by `provisioner render cloudformation`; edit the spec, not this file.",
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// The least-privilege policy documents, by file name: one for whoever runs the provisioner,
/// one per function.
pub fn policies(spec: &Spec, functions: &[FunctionDeploy]) -> BTreeMap<String, Value> {
    let pools = "arn:aws:cognito-idp:*:*:userpool/*";
    let function_arns: Vec<String> = trigger_functions(spec)
        .iter()
        .map(|(_, name)| format!("arn:aws:lambda:*:*:function:{name}"))
        .collect();
    let mut documents = BTreeMap::new();
    documents.insert(
        "provisioner.json".to_owned(),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "FindAndCreatePools",
                    "Effect": "Allow",
                    "Action": ["cognito-idp:ListUserPools", "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPoolDomain"],
                    "Resource": "*",
                },
                {
                    "Sid": "ManageThePool",
                    "Effect": "Allow",
                    "Action": [
                        "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool",
                        "cognito-idp:ListUserPoolClients", "cognito-idp:DescribeUserPoolClient",
                        "cognito-idp:CreateUserPoolClient", "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient",
                        "cognito-idp:CreateUserPoolDomain", "cognito-idp:DeleteUserPoolDomain",
                        "cognito-idp:ListGroups", "cognito-idp:CreateGroup",
                    ],
                    "Resource": pools,
                },
                {
                    "Sid": "WireTheTriggers",
                    "Effect": "Allow",
                    "Action": ["lambda:GetFunction", "lambda:GetPolicy", "lambda:AddPermission", "lambda:RemovePermission"],
                    "Resource": function_arns,
                },
            ],
        }),
    );
    for function in functions {
        let mut statements = vec![json!({
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:aws:logs:*:*:log-group:/aws/lambda/{}:*", function.name),
        })];
        let is_post_confirmation = trigger_functions(spec)
            .iter()
            .any(|(key, name)| *key == "PostConfirmation" && *name == function.name);
        if is_post_confirmation {
            statements.push(json!({
                "Sid": "AddUsersToGroupsOfItsPool",
                "Effect": "Allow",
                "Action": "cognito-idp:AdminAddUserToGroup",
                "Resource": "arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${USER_POOL_ID}",
            }));
        }
        documents.insert(
            format!("{}.json", function.name),
            json!({"Version": "2012-10-17", "Statement": statements}),
        );
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn functions() -> Vec<FunctionDeploy> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        ["pre-signup", "post-confirmation", "custom-message"]
            .into_iter()
            .map(|name| load_function(workspace, name).unwrap())
            .collect()
    }

    #[test]
    fn deploy_metadata_is_read_from_the_crates() {
        let functions = functions();
        assert!(functions.iter().all(|f| f.timeout == 5 && f.memory == 128));
        assert_eq!(functions[1].env["DEFAULT_GROUP"], "members");
    }

    #[test]
    fn the_template_says_what_the_spec_says() {
        let spec = crate::spec::parse("cognito.toml", "").unwrap().0;
        let template = cloudformation(&spec, &functions());
        let resources = &template["Resources"];
        let pool = &resources["UserPool"];
        assert_eq!(pool["DeletionPolicy"], "Retain");
        assert_eq!(pool["Properties"]["UserPoolName"], "toyseven-cognito");
        assert_eq!(
            pool["Properties"]["LambdaConfig"]["PreSignUp"],
            json!({"Fn::GetAtt": ["PreSignupFunction", "Arn"]})
        );
        assert_eq!(resources["UserPoolClient"]["Properties"]["GenerateSecret"], false);
        assert_eq!(resources["UserPoolDomain"]["Properties"]["Domain"], "toyseven");
        assert_eq!(resources["GroupMembers"]["Properties"]["GroupName"], "members");
        let function = &resources["PostConfirmationFunction"];
        assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda");
        assert_eq!(function["Properties"]["Architectures"], json!(["arm64"]));
        assert_eq!(function["Properties"]["Timeout"], 5);
        let permission = &resources["CustomMessageInvokePermission"]["Properties"];
        assert_eq!(permission["Principal"], "cognito-idp.amazonaws.com");
        assert_eq!(permission["SourceArn"], json!({"Fn::GetAtt": ["UserPool", "Arn"]}));
        let group_policy = &resources["PostConfirmationAddUserToGroupPolicy"]["Properties"]["PolicyDocument"];
        assert_eq!(
            group_policy["Statement"][0]["Resource"],
            json!({"Fn::GetAtt": ["UserPool", "Arn"]})
        );
        assert!(resources.get("PreSignupAddUserToGroupPolicy").is_none());
    }

    #[test]
    fn only_post_confirmation_may_touch_cognito() {
        let spec = crate::spec::parse("cognito.toml", "").unwrap().0;
        let documents = policies(&spec, &functions());
        for name in ["pre-signup.json", "custom-message.json"] {
            assert!(!documents[name].to_string().contains("cognito-idp"), "{name}");
        }
        assert!(
            documents["post-confirmation.json"]
                .to_string()
                .contains("cognito-idp:AdminAddUserToGroup")
        );
        assert!(
            documents["provisioner.json"]
                .to_string()
                .contains("lambda:AddPermission")
        );
    }
}
