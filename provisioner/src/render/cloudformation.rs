//! The SAM template: the desired state's pool, clients, resource servers, domain and groups,
//! and for each function built in this workspace its log group, role and function (built
//! with cargo-lambda); every wired function gets its scoped invoke permission. The
//! pre-token-generation function gets `CLIENT_SCOPES` from the clients' ids, which the
//! template orders without a dependency cycle (see [`trigger_arn`]).

use serde_json::{Map, Value, json};

use super::properties::{client_properties, pool_properties};
use super::{FunctionDeploy, monitoring, pascal};
use crate::desired::monitoring::{LOG_FORMAT, SYSTEM_LOG_LEVEL, log_group};
use crate::desired::{COGNITO, Desired, Monitoring, Trigger};

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

/// `AWS::Cognito::UserPool`'s `WebAuthnRelyingPartyID` is at most 63 characters in
/// CloudFormation's resource schema, where the API (SetUserPoolMfaConfig) takes 127.
pub const TEMPLATE_RELYING_PARTY_ID_MAX: usize = 63;

/// A spec the provisioner applies but CloudFormation would refuse as a template.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(String);

/// Refuses, before anything is written, a spec whose template CloudFormation would refuse on
/// the stack's create or update.
pub fn check_template(desired: &Desired) -> Result<(), TemplateError> {
    if let Some(passkeys) = &desired.pool.web_authn
        && passkeys.relying_party_id.len() > TEMPLATE_RELYING_PARTY_ID_MAX
    {
        return Err(TemplateError(format!(
            "[pool.web_authn] relying_party_id {:?} is {} characters; CloudFormation's \
             AWS::Cognito::UserPool takes at most {TEMPLATE_RELYING_PARTY_ID_MAX} for WebAuthnRelyingPartyID \
             (the API takes 127): bind passkeys to a shorter domain (a shorter domain.prefix, or a custom \
             domain), or provision this pool with `provisioner apply` instead of the template",
            passkeys.relying_party_id,
            passkeys.relying_party_id.len()
        )));
    }
    Ok(())
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
        function_resources(&mut resources, function, &desired.monitoring, extra);
    }
    monitoring::resources(&monitoring::watch(desired, functions), &mut resources);
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
    if let Some(request) = desired.pool.risk_request("") {
        // The request's members, spelled as CloudFormation spells them (the same names).
        let mut properties = json!({"UserPoolId": {"Ref": "UserPool"}, "ClientId": "ALL"});
        if let Some(credentials) = request.get_compromised_credentials_risk_configuration() {
            properties["CompromisedCredentialsRiskConfiguration"] = json!({
                "EventFilter": credentials.event_filter().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                "Actions": {"EventAction": credentials.actions().map(|a| a.event_action().as_str())},
            });
        }
        if let Some(takeover) = request.get_account_takeover_risk_configuration() {
            let action = |a: Option<&aws_sdk_cognitoidentityprovider::types::AccountTakeoverActionType>| {
                a.map(|a| json!({"Notify": a.notify(), "EventAction": a.event_action().as_str()}))
            };
            let actions = takeover.actions();
            let mut configuration = json!({"Actions": {
                "LowAction": action(actions.and_then(|a| a.low_action())),
                "MediumAction": action(actions.and_then(|a| a.medium_action())),
                "HighAction": action(actions.and_then(|a| a.high_action())),
            }});
            if let Some(notify) = takeover.notify_configuration() {
                let mut notice = json!({"SourceArn": notify.source_arn()});
                if let Some(from) = notify.from() {
                    notice["From"] = json!(from);
                }
                if let Some(reply_to) = notify.reply_to() {
                    notice["ReplyTo"] = json!(reply_to);
                }
                configuration["NotifyConfiguration"] = notice;
            }
            properties["AccountTakeoverRiskConfiguration"] = configuration;
        }
        if let Some(exceptions) = request.get_risk_exception_configuration() {
            properties["RiskExceptionConfiguration"] = json!({
                "BlockedIPRangeList": exceptions.blocked_ip_range_list(),
                "SkippedIPRangeList": exceptions.skipped_ip_range_list(),
            });
        }
        resources.insert(
            "RiskConfiguration".into(),
            json!({"Type": "AWS::Cognito::UserPoolRiskConfigurationAttachment", "Properties": properties}),
        );
    }
    if let Some(deliveries) = desired.pool.log_delivery.as_deref().filter(|d| !d.is_empty()) {
        use crate::desired::pool::log_delivery::Destination;
        let configurations: Vec<Value> = deliveries
            .iter()
            .map(|delivery| {
                let mut configuration = json!({
                    "EventSource": delivery.event_source.as_aws(),
                    "LogLevel": delivery.event_source.log_level().as_str(),
                });
                let (key, member) = match Destination::of(&delivery.destination) {
                    Some(Destination::S3) => ("S3Configuration", "BucketArn"),
                    Some(Destination::Firehose) => ("FirehoseConfiguration", "StreamArn"),
                    Some(Destination::CloudWatchLogs) | None => ("CloudWatchLogsConfiguration", "LogGroupArn"),
                };
                configuration[key] = json!({ member: delivery.destination });
                configuration
            })
            .collect();
        resources.insert(
            "LogDeliveryConfiguration".into(),
            json!({"Type": "AWS::Cognito::LogDeliveryConfiguration", "Properties": {
                "UserPoolId": {"Ref": "UserPool"},
                "LogConfigurations": configurations,
            }}),
        );
    }
    if let Some(domain) = &desired.domain {
        // The stack makes the domain: it serves what the spec says, managed login unless it
        // says otherwise, and only once each client it serves has a branding style.
        let version = domain.version(None);
        let mut resource = json!({"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"Domain": domain.prefix, "UserPoolId": {"Ref": "UserPool"}, "ManagedLoginVersion": version}});
        if version == crate::desired::domain::MANAGED_LOGIN {
            let mut styles = Vec::new();
            for client in desired.clients.iter().filter(|c| c.uses_hosted_ui()) {
                let id = format!("ManagedLoginBranding{}", pascal(&client.name));
                resources.insert(
                    id.clone(),
                    json!({"Type": "AWS::Cognito::ManagedLoginBranding", "Properties": {
                        "UserPoolId": {"Ref": "UserPool"},
                        "ClientId": {"Ref": format!("UserPoolClient{}", pascal(&client.name))},
                        "UseCognitoProvidedValues": true,
                    }}),
                );
                styles.push(id);
            }
            if !styles.is_empty() {
                resource["DependsOn"] = json!(styles);
            }
        }
        if let Some(custom) = &domain.custom {
            let mut custom_resource = json!({"Type": "AWS::Cognito::UserPoolDomain", "Properties": {
                "Domain": custom.name,
                "UserPoolId": {"Ref": "UserPool"},
                "CustomDomainConfig": {"CertificateArn": custom.certificate_arn},
                "ManagedLoginVersion": version,
            }});
            if let Some(styles) = resource.get("DependsOn") {
                custom_resource["DependsOn"] = styles.clone();
            }
            resources.insert("UserPoolCustomDomain".into(), custom_resource);
            // The name's DNS alias points here.
            outputs.insert(
                "CustomDomainCloudFrontDistribution".into(),
                json!({"Value": {"Fn::GetAtt": ["UserPoolCustomDomain", "CloudFrontDistribution"]}}),
            );
        }
        resources.insert("UserPoolDomain".into(), resource);
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

/// A function's log group (kept as long as the spec's `[logs]` says), role and function
/// (logging JSON at the spec's level to that group); `extra` are environment variables the
/// template fills from its own resources, beside the crate's `[package.metadata.lambda.deploy.env]`.
fn function_resources(
    resources: &mut Map<String, Value>,
    function: &FunctionDeploy,
    monitoring: &Monitoring,
    extra: Vec<(&str, Value)>,
) {
    let id = pascal(&function.name);
    let mut variables: Map<String, Value> = function.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    variables.extend(extra.into_iter().map(|(key, value)| (key.to_owned(), value)));
    let log_group = log_group(&function.name);
    resources.insert(
        format!("{id}LogGroup"),
        json!({
            "Type": "AWS::Logs::LogGroup",
            "Metadata": {"checkov": {"skip": [
                {"id": "CKV_AWS_158", "comment": "Logs hold no personal data in the clear (emails and phone numbers are masked); the default service-side encryption is enough."}
            ]}},
            "Properties": {"LogGroupName": log_group, "RetentionInDays": monitoring.log_retention_days},
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
                "LoggingConfig": {
                    "LogFormat": LOG_FORMAT,
                    "ApplicationLogLevel": monitoring.log_level.as_aws(),
                    "SystemLogLevel": SYSTEM_LOG_LEVEL,
                    "LogGroup": {"Ref": format!("{id}LogGroup")},
                },
            },
        }),
    );
}
