//! The SAM template: the desired state's pool, clients, resource servers, domain and groups,
//! and for each function built in this workspace its log group, role and function (built
//! with cargo-lambda); every wired function gets its scoped invoke permission. The
//! pre-token-generation function gets `CLIENT_SCOPES` from the clients' ids, which the
//! template orders without a dependency cycle (see [`trigger_arn`]).

use serde_json::{Map, Value, json};

use super::{FunctionDeploy, pascal};
use crate::desired::{AttributeKind, COGNITO, Client, CustomAttribute, Desired, Email, Pool, Trigger};

fn sub(text: &str) -> Value {
    json!({"Fn::Sub": text})
}

fn get_att(resource: &str, attribute: &str) -> Value {
    json!({"Fn::GetAtt": [resource, attribute]})
}

/// How the template refers to a function the triggers name.
fn function_arn(reference: &str, functions: &[FunctionDeploy]) -> Value {
    if functions.iter().any(|f| f.name == reference) {
        get_att(&format!("{}Function", pascal(reference)), "Arn")
    } else if reference.starts_with("arn:") {
        json!(reference)
    } else {
        sub(&format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{reference}"
        ))
    }
}

/// The ARN the pool's `LambdaConfig` wires for `reference`. The function that reads the
/// clients' ids (`client_scoped`, the pre-token-generation function with `CLIENT_SCOPES`) is
/// named by an ARN built from its explicit `FunctionName`, not by `Fn::GetAtt`: its
/// environment refers to the clients, each client to the pool, and a pool whose
/// `LambdaConfig` referred to the function would close the circle (UserPool -> Function ->
/// UserPoolClient -> UserPool), which CloudFormation refuses as a circular dependency. Cognito
/// takes a trigger's `LambdaArn` as a string (the API model: 20 to 2048 characters of the ARN
/// pattern) and invokes the function at sign-in, not when the pool is created; the provisioner
/// wires a function it does not build by its name the same way. So the pool may be created
/// before the function, and the invoke permission (which refers to both) after both.
fn trigger_arn(reference: &str, functions: &[FunctionDeploy], client_scoped: Option<&str>) -> Value {
    if client_scoped == Some(reference) {
        sub(&format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{reference}"
        ))
    } else {
        function_arn(reference, functions)
    }
}

/// `CLIENT_SCOPES` for the template: each client's id by `Ref` (the client resource's id),
/// joined with the scopes it may receive (see [`super::client_scope_entries`]). `Fn::Join`,
/// not `Fn::Sub`, so that no scope's characters are read as a substitution.
fn client_scopes(desired: &Desired) -> Option<Value> {
    let mut parts = Vec::new();
    for (name, scopes) in super::client_scope_entries(desired) {
        if !parts.is_empty() {
            parts.push(json!(";"));
        }
        parts.push(json!({"Ref": format!("UserPoolClient{}", pascal(name))}));
        parts.push(json!(format!("={}", scopes.join(" "))));
    }
    (!parts.is_empty()).then(|| json!({"Fn::Join": ["", parts]}))
}

/// The SAM template. `functions` are the deploy settings of the functions built here.
pub fn cloudformation(desired: &Desired, functions: &[FunctionDeploy]) -> Value {
    let mut resources = Map::new();
    let client_scoped = super::client_scoped_function(desired, functions).map(|f| f.name.as_str());
    for function in functions {
        let extra = match client_scopes(desired) {
            Some(value) if client_scoped == Some(function.name.as_str()) => vec![(super::CLIENT_SCOPES, value)],
            _ => Vec::new(),
        };
        function_resources(&mut resources, function, extra);
    }
    for reference in desired.triggers.functions() {
        resources.insert(
            format!("{}InvokePermission", pascal(reference)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": function_arn(reference, functions),
                    "Action": "lambda:InvokeFunction",
                    "Principal": crate::desired::permission::PRINCIPAL,
                    "SourceArn": get_att("UserPool", "Arn"),
                    "SourceAccount": {"Ref": "AWS::AccountId"},
                },
            }),
        );
    }
    // The post-confirmation function may add users to groups of this pool only. A separate
    // policy, so the role does not depend on the pool (which depends on the function).
    if let Some(wired) = desired.triggers.wired.get(&Trigger::PostConfirmation)
        && functions.iter().any(|f| f.name == wired.function)
    {
        let id = pascal(&wired.function);
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

    // With linking on, pre-signup may look users up and link them, in this pool only.
    if let Some(wired) = desired.triggers.wired.get(&Trigger::PreSignUp)
        && let Some(function) = functions.iter().find(|f| f.name == wired.function)
        && super::links_users(function)
    {
        let id = pascal(&wired.function);
        resources.insert(
            format!("{id}LinkUsersPolicy"),
            json!({
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "link-external-users-in-this-pool",
                    "Roles": [{"Ref": format!("{id}Role")}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": ["cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"], "Resource": get_att("UserPool", "Arn")}],
                    },
                },
            }),
        );
    }
    let mut pool = pool_properties(&desired.pool);
    let mut lambda_config = Map::new();
    for (trigger, wired) in &desired.triggers.wired {
        lambda_config.extend(
            trigger
                .cloudformation(&trigger_arn(&wired.function, functions, client_scoped), wired.version)
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value)),
        );
    }
    if let Some(key) = &desired.triggers.kms_key_id {
        lambda_config.insert("KMSKeyID".into(), json!(key));
    }
    if !lambda_config.is_empty() {
        pool["LambdaConfig"] = Value::Object(lambda_config);
    }
    // Retain: deleting or replacing the stack must never delete the pool and its users.
    resources.insert(
        "UserPool".into(),
        json!({"Type": "AWS::Cognito::UserPool", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": pool}),
    );
    let mut outputs = Map::new();
    outputs.insert("UserPoolId".into(), json!({"Value": {"Ref": "UserPool"}}));
    outputs.insert("UserPoolArn".into(), json!({"Value": get_att("UserPool", "Arn")}));
    outputs.insert(
        "Issuer".into(),
        json!({"Value": sub("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}")}),
    );
    for server in &desired.resource_servers {
        resources.insert(
            format!("ResourceServer{}", pascal(&server.identifier)),
            json!({
                "Type": "AWS::Cognito::UserPoolResourceServer",
                "Properties": {
                    "UserPoolId": {"Ref": "UserPool"},
                    "Identifier": server.identifier,
                    "Name": server.name,
                    "Scopes": server.scopes.iter().map(|s| json!({"ScopeName": s.name, "ScopeDescription": s.description})).collect::<Vec<_>>(),
                },
            }),
        );
    }
    for provider in &desired.identity_providers {
        let mut details: Map<String, Value> = provider.details.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        // The secret is never in the template: a dynamic reference to a Secrets Manager
        // secret, which CloudFormation resolves at deploy time.
        if let Some(key) = provider.kind.secret_key() {
            details.insert(
                key.into(),
                json!(format!(
                    "{{{{resolve:secretsmanager:{}:SecretString:{key}}}}}",
                    secret_name(&desired.pool.name, &provider.name)
                )),
            );
        }
        resources.insert(
            format!("IdentityProvider{}", pascal(&provider.name)),
            json!({
                "Type": "AWS::Cognito::UserPoolIdentityProvider",
                "Properties": {
                    "UserPoolId": {"Ref": "UserPool"},
                    "ProviderName": provider.name,
                    "ProviderType": provider.kind.as_aws(),
                    "ProviderDetails": details,
                    "AttributeMapping": provider.attribute_mapping,
                },
            }),
        );
    }
    let server_ids: Vec<String> = desired
        .resource_servers
        .iter()
        .map(|s| format!("ResourceServer{}", pascal(&s.identifier)))
        .collect();
    for client in &desired.clients {
        let id = format!("UserPoolClient{}", pascal(&client.name));
        let mut resource = json!({"Type": "AWS::Cognito::UserPoolClient", "Properties": client_properties(client)});
        // A client can list a resource server's scopes, or a provider, only once it exists.
        let mut depends: Vec<String> = Vec::new();
        if client.oauth_scopes.iter().any(|s| s.contains('/')) {
            depends.extend(server_ids.iter().cloned());
        }
        depends.extend(
            client
                .identity_providers
                .iter()
                .filter(|p| *p != COGNITO)
                .map(|p| format!("IdentityProvider{}", pascal(p))),
        );
        if !depends.is_empty() {
            resource["DependsOn"] = json!(depends);
        }
        resources.insert(id.clone(), resource);
        outputs.insert(
            format!("ClientId{}", pascal(&client.name)),
            json!({"Value": {"Ref": id}}),
        );
    }
    if let Some(domain) = &desired.domain {
        resources.insert(
            "UserPoolDomain".into(),
            json!({"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"Domain": domain.prefix, "UserPoolId": {"Ref": "UserPool"}}}),
        );
        outputs.insert(
            "HostedUiBaseUrl".into(),
            json!({"Value": sub(&format!("https://{}.auth.${{AWS::Region}}.amazoncognito.com", domain.prefix))}),
        );
    }
    for group in &desired.groups {
        let mut properties = json!({"GroupName": group.name, "UserPoolId": {"Ref": "UserPool"}});
        if let Some(description) = &group.description {
            properties["Description"] = json!(description);
        }
        if let Some(precedence) = group.precedence {
            properties["Precedence"] = json!(precedence);
        }
        if let Some(role) = &group.role_arn {
            properties["RoleArn"] = json!(role);
        }
        resources.insert(
            format!("Group{}", pascal(&group.name)),
            json!({"Type": "AWS::Cognito::UserPoolGroup", "Properties": properties}),
        );
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Cognito user pool, app clients, resource servers, hosted-UI domain, groups and trigger functions. Rendered from cognito.toml by `provisioner render cloudformation`; edit the spec, not this file.",
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// The Secrets Manager secret the SAM template reads a provider's secret from.
pub fn secret_name(pool: &str, provider: &str) -> String {
    format!("{pool}/identity-providers/{provider}")
}

/// A function's log group, role and function; `extra` are environment variables the template
/// fills from its own resources, beside the crate's `[package.metadata.lambda.deploy.env]`.
fn function_resources(resources: &mut Map<String, Value>, function: &FunctionDeploy, extra: Vec<(&str, Value)>) {
    let id = pascal(&function.name);
    let mut variables: Map<String, Value> = function.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    variables.extend(extra.into_iter().map(|(key, value)| (key.to_owned(), value)));
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
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
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
                "Environment": {"Variables": variables},
            },
        }),
    );
}

fn pool_properties(pool: &Pool) -> Value {
    let policy = &pool.password_policy;
    let mut properties = json!({
        "UserPoolName": pool.name,
        "UsernameAttributes": pool.username_attributes.iter().map(|a| a.as_aws()).collect::<Vec<_>>(),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
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
        "AccountRecoverySetting": {"RecoveryMechanisms": pool.account_recovery.iter().zip(1..).map(|(r, priority)| json!({"Name": r.as_aws(), "Priority": priority})).collect::<Vec<_>>()},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": pool.allow_admin_create_user_only},
        "EmailConfiguration": email(&pool.email),
        "UserPoolTags": pool.tags,
    });
    if pool.uses_software_token() {
        properties["EnabledMfas"] = json!(["SOFTWARE_TOKEN_MFA"]);
    }
    if !pool.custom_attributes.is_empty() {
        properties["Schema"] = json!(pool.custom_attributes.iter().map(schema).collect::<Vec<_>>());
    }
    if let Some(tier) = pool.tier {
        properties["UserPoolTier"] = json!(tier.as_aws());
    }
    if let Some(mode) = pool.threat_protection {
        properties["UserPoolAddOns"] = json!({"AdvancedSecurityMode": mode.as_aws()});
    }
    properties
}

fn email(email: &Email) -> Value {
    match email {
        Email::Cognito => json!({"EmailSendingAccount": "COGNITO_DEFAULT"}),
        Email::Ses(ses) => {
            let mut config = json!({"EmailSendingAccount": "DEVELOPER", "SourceArn": ses.source_arn, "From": ses.from});
            if let Some(reply_to) = &ses.reply_to {
                config["ReplyToEmailAddress"] = json!(reply_to);
            }
            if let Some(set) = &ses.configuration_set {
                config["ConfigurationSet"] = json!(set);
            }
            config
        }
    }
}

fn schema(attribute: &CustomAttribute) -> Value {
    let aws = attribute.to_aws();
    let mut schema = json!({
        "Name": attribute.name,
        "AttributeDataType": aws.attribute_data_type().map(|t| t.as_str()),
        "Mutable": attribute.mutable,
    });
    let bounds = |min_key: &str, max_key: &str| {
        let mut bounds = Map::new();
        if let Some(min) = attribute.min {
            bounds.insert(min_key.into(), json!(min.to_string()));
        }
        if let Some(max) = attribute.max {
            bounds.insert(max_key.into(), json!(max.to_string()));
        }
        bounds
    };
    match attribute.kind {
        AttributeKind::String => schema["StringAttributeConstraints"] = Value::Object(bounds("MinLength", "MaxLength")),
        AttributeKind::Number => schema["NumberAttributeConstraints"] = Value::Object(bounds("MinValue", "MaxValue")),
        AttributeKind::Datetime | AttributeKind::Boolean => {}
    }
    schema
}

/// The client's properties: the CreateUserPoolClient request `desired` builds, each member in
/// CloudFormation's spelling (the API's own names), so that what a setting means in AWS terms
/// is written once, in `desired::client`.
fn client_properties(client: &Client) -> Value {
    let request = client.create_request("");
    let strings = |values: &Option<Vec<String>>| values.as_ref().map(|v| json!(v));
    let units = request.get_token_validity_units().as_ref().map(|units| {
        let mut shown = Map::new();
        for (key, unit) in [
            ("AccessToken", units.access_token()),
            ("IdToken", units.id_token()),
            ("RefreshToken", units.refresh_token()),
        ] {
            if let Some(unit) = unit {
                shown.insert(key.into(), json!(unit.as_str()));
            }
        }
        Value::Object(shown)
    });
    let members = [
        ("ClientName", request.get_client_name().as_ref().map(|v| json!(v))),
        ("GenerateSecret", request.get_generate_secret().map(|v| json!(v))),
        (
            "AllowedOAuthFlows",
            request
                .get_allowed_o_auth_flows()
                .as_ref()
                .map(|flows| json!(flows.iter().map(|f| f.as_str()).collect::<Vec<_>>())),
        ),
        (
            "AllowedOAuthFlowsUserPoolClient",
            request.get_allowed_o_auth_flows_user_pool_client().map(|v| json!(v)),
        ),
        ("AllowedOAuthScopes", strings(request.get_allowed_o_auth_scopes())),
        ("CallbackURLs", strings(request.get_callback_urls())),
        ("LogoutURLs", strings(request.get_logout_urls())),
        (
            "SupportedIdentityProviders",
            strings(request.get_supported_identity_providers()),
        ),
        (
            "ExplicitAuthFlows",
            request
                .get_explicit_auth_flows()
                .as_ref()
                .map(|flows| json!(flows.iter().map(|f| f.as_str()).collect::<Vec<_>>())),
        ),
        (
            "PreventUserExistenceErrors",
            request
                .get_prevent_user_existence_errors()
                .as_ref()
                .map(|v| json!(v.as_str())),
        ),
        (
            "EnableTokenRevocation",
            request.get_enable_token_revocation().map(|v| json!(v)),
        ),
        (
            "AccessTokenValidity",
            request.get_access_token_validity().map(|v| json!(v)),
        ),
        ("IdTokenValidity", request.get_id_token_validity().map(|v| json!(v))),
        (
            "RefreshTokenValidity",
            request.get_refresh_token_validity().map(|v| json!(v)),
        ),
        ("TokenValidityUnits", units),
        (
            "AuthSessionValidity",
            request.get_auth_session_validity().map(|v| json!(v)),
        ),
        ("ReadAttributes", strings(request.get_read_attributes())),
        ("WriteAttributes", strings(request.get_write_attributes())),
        (
            "DefaultRedirectURI",
            request.get_default_redirect_uri().as_ref().map(|v| json!(v)),
        ),
        (
            "EnablePropagateAdditionalUserContextData",
            request
                .get_enable_propagate_additional_user_context_data()
                .map(|v| json!(v)),
        ),
    ];
    let mut properties = Map::new();
    properties.insert("UserPoolId".into(), json!({"Ref": "UserPool"}));
    properties.extend(
        members
            .into_iter()
            .filter_map(|(key, value)| Some((key.to_owned(), value?))),
    );
    Value::Object(properties)
}
