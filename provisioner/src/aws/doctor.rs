//! What `doctor` reads beyond `observe`, read-only: every app client of the pool, each
//! domain's status (DescribeUserPoolDomain), the functions the pool's triggers name (their
//! configuration: timeout, environment, role; their resource policy), and the
//! post-confirmation role's IAM policies.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::operation::describe_user_pool_domain::DescribeUserPoolDomainError;
use aws_sdk_iam::Client as Iam;
use aws_sdk_lambda::types::FunctionConfiguration;
use serde_json::Value;

use super::functions::{describe_function, read_policy};
use super::observe::{describe_client, list_clients};
use super::{AwsError, Clients, call_error, observe_pool};
use crate::desired::domain::MANAGED_LOGIN;
use crate::desired::{Desired, Trigger, Triggers};
use crate::doctor::iam::Policy;
use crate::doctor::{
    DEFAULT_GROUP, DomainState, FunctionFacts, FunctionState, Observations, Role, RolePolicies, WiredFunction,
    region_of,
};
use crate::observed::{Function, ObservedClient};

/// Reads the pool the spec names and what hangs off it; `None` when no pool has the name.
pub async fn observe_for_doctor(clients: &Clients, spec: &Desired) -> Result<Option<Observations>, AwsError> {
    // The functions are read from the pool's own wiring below (a missing one is a finding
    // here, not an error).
    let observed = observe_pool(clients, spec).await?;
    let Some(pool) = observed.pool else {
        return Ok(None);
    };
    let mut app_clients = observed.clients;
    for (_, id) in list_clients(clients, &pool.id).await? {
        if app_clients.iter().any(|c| c.id == id) {
            continue;
        }
        if let Some(described) = describe_client(clients, &pool.id, &id).await? {
            app_clients.push(ObservedClient::new(described));
        }
    }
    let mut domains = Vec::new();
    for domain in [pool.domain.as_deref(), pool.raw.custom_domain()].into_iter().flatten() {
        if !domain.is_empty() {
            domains.push(domain_state(clients, domain).await?);
        }
    }
    // Managed login shows a client without a branding style "Login pages unavailable".
    let mut branded_clients = Vec::new();
    if domains.iter().any(|d| d.managed_login_version == Some(MANAGED_LOGIN)) {
        for client in app_clients.iter().filter(|c| c.state.uses_hosted_ui()) {
            if super::observe::has_branding(clients, &pool.id, &client.id).await? {
                branded_clients.push(client.id.clone());
            }
        }
    }
    let functions = match &clients.lambda {
        Some(lambda) => Some(functions(clients, lambda, &pool.triggers, region_of(&pool.arn)).await?),
        None => None,
    };
    Ok(Some(Observations {
        pool,
        clients: app_clients,
        groups: observed.groups,
        domains,
        branded_clients,
        functions,
    }))
}

async fn domain_state(clients: &Clients, domain: &str) -> Result<DomainState, AwsError> {
    let (status, managed_login_version) = match clients.cognito.describe_user_pool_domain().domain(domain).send().await
    {
        Ok(output) => output
            .domain_description
            .map_or((None, None), |d| (d.status, d.managed_login_version)),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(DescribeUserPoolDomainError::is_resource_not_found_exception) =>
        {
            (None, None)
        }
        Err(error) => return Err(call_error("DescribeUserPoolDomain")(error)),
    };
    Ok(DomainState {
        domain: domain.to_owned(),
        status,
        managed_login_version,
    })
}

/// Each function the triggers name, once, with the triggers that name it.
async fn functions(
    clients: &Clients,
    lambda: &aws_sdk_lambda::Client,
    triggers: &Triggers,
    pool_region: Option<&str>,
) -> Result<Vec<WiredFunction>, AwsError> {
    let mut by_arn: BTreeMap<&str, Vec<Trigger>> = BTreeMap::new();
    for (trigger, wired) in &triggers.wired {
        by_arn.entry(wired.function.as_str()).or_default().push(*trigger);
    }
    let mut functions = Vec::new();
    for (arn, triggers) in by_arn {
        let state = match region_of(arn) {
            // A Lambda client reads its own Region only; the Region is the finding.
            Some(region) if pool_region.is_some_and(|pool| pool != region) => {
                FunctionState::OtherRegion(region.to_owned())
            }
            // A function the caller may not read is a finding, not the end of the diagnosis;
            // any other failure (throttling, the network) is an error, never a finding.
            Some(_) | None => match describe_function(lambda, arn).await {
                Err(error) if error.is_access_denied() => FunctionState::Unreadable(error.to_string()),
                Err(error) => return Err(error),
                Ok(None) => FunctionState::Missing,
                Ok(Some((function_arn, configuration))) => {
                    let (policy, policy_unreadable) = match read_policy(lambda, &function_arn).await {
                        Ok(policy) => (policy, None),
                        Err(error) if error.is_access_denied() => (None, Some(error.to_string())),
                        Err(error) => return Err(error),
                    };
                    let function = Function {
                        reference: arn.to_owned(),
                        arn: function_arn,
                        policy,
                    };
                    // Wired to a version or an alias, Cognito invokes that, under its own
                    // policy: `read_function` reads the policy where the ARN points.
                    let default_group = default_group(&configuration);
                    // The role matters only when DEFAULT_GROUP says the function adds users to a group.
                    let role = match (&default_group, configuration.role()) {
                        (Some(_), Some(role)) if triggers.contains(&Trigger::PostConfirmation) => {
                            Some(read_role(clients, role).await)
                        }
                        (Some(_) | None, Some(_) | None) => None,
                    };
                    FunctionState::Found(Box::new(FunctionFacts {
                        function,
                        policy_unreadable,
                        timeout_seconds: configuration.timeout(),
                        default_group,
                        role,
                    }))
                }
            },
        };
        functions.push(WiredFunction {
            arn: arn.to_owned(),
            triggers,
            state,
        });
    }
    Ok(functions)
}

/// `DEFAULT_GROUP`, and nothing else of the environment.
fn default_group(configuration: &FunctionConfiguration) -> Option<String> {
    configuration
        .environment()
        .and_then(|e| e.variables())
        .and_then(|v| v.get(DEFAULT_GROUP))
        .filter(|g| !g.is_empty())
        .cloned()
}

/// The role's policies; a failure to read them is kept as the reason (the doctor says it
/// cannot tell), never raised.
async fn read_role(clients: &Clients, arn: &str) -> Role {
    let policies = match &clients.iam {
        Some(iam) => match role_policies(iam, arn).await {
            Ok(Some((identity, boundary))) => RolePolicies::Read { identity, boundary },
            Ok(None) => RolePolicies::Missing,
            Err(error) => RolePolicies::Unreadable(error.to_string()),
        },
        None => RolePolicies::Unreadable("no IAM client".into()),
    };
    Role {
        arn: arn.to_owned(),
        policies,
    }
}

type Documents = (Vec<Policy>, Option<Policy>);

/// GetRole (its permissions boundary), its inline policies (ListRolePolicies, GetRolePolicy)
/// and its attached ones (ListAttachedRolePolicies, then GetPolicy and GetPolicyVersion for
/// the default version). `None` when the role does not exist.
async fn role_policies(iam: &Iam, arn: &str) -> Result<Option<Documents>, AwsError> {
    // arn:aws:iam::<account>:role/<path/>name
    let name = arn.rsplit('/').next().unwrap_or(arn);
    let role = match iam.get_role().role_name(name).send().await {
        Ok(output) => output.role,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(call_error("GetRole")(error)),
    };
    let mut identity = Vec::new();
    let mut inline = iam.list_role_policies().role_name(name).into_paginator().send();
    let mut names = Vec::new();
    while let Some(page) = inline.next().await {
        names.extend(page.map_err(call_error("ListRolePolicies"))?.policy_names);
    }
    for policy in names {
        let output = iam
            .get_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await
            .map_err(call_error("GetRolePolicy"))?;
        identity.push(document(policy, &output.policy_document)?);
    }
    let mut attached = iam
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    let mut arns = Vec::new();
    while let Some(page) = attached.next().await {
        let page = page.map_err(call_error("ListAttachedRolePolicies"))?;
        arns.extend(
            page.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_owned)),
        );
    }
    for policy in arns {
        identity.push(managed_policy(iam, &policy).await?);
    }
    let boundary = match role
        .as_ref()
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn())
    {
        Some(policy) => Some(managed_policy(iam, policy).await?),
        None => None,
    };
    Ok(Some((identity, boundary)))
}

/// A managed policy's default version.
async fn managed_policy(iam: &Iam, arn: &str) -> Result<Policy, AwsError> {
    let policy = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(call_error("GetPolicy"))?;
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .ok_or_else(|| AwsError::Call {
            operation: "GetPolicy",
            message: format!("{arn} has no default version"),
        })?;
    let output = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(call_error("GetPolicyVersion"))?;
    let text = output.policy_version().and_then(|v| v.document()).unwrap_or_default();
    document(arn.to_owned(), text)
}

/// IAM returns policy documents URL-encoded (RFC 3986); some emulators return them as they are.
fn document(name: String, text: &str) -> Result<Policy, AwsError> {
    let parsed = serde_json::from_str::<Value>(text).ok().or_else(|| {
        let decoded = percent_encoding::percent_decode_str(text).decode_utf8().ok()?;
        serde_json::from_str(&decoded).ok()
    });
    match parsed {
        Some(document) => Ok(Policy { name, document }),
        None => Err(AwsError::Call {
            operation: "GetRolePolicy",
            message: format!("policy {name} is not a JSON policy document"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::Wired;
    use aws_sdk_lambda::operation::get_function::{GetFunctionError, GetFunctionOutput};
    use aws_sdk_lambda::operation::get_policy::GetPolicyOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    const THEIRS: &str = "arn:aws:lambda:us-east-1:999999999999:function:theirs";
    const OURS: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-signup";

    /// A trigger naming a function the caller may not read (another account's, here) is a
    /// finding of its own; the diagnosis goes on and reads the other functions.
    #[tokio::test]
    async fn a_function_that_cannot_be_read_does_not_end_the_diagnosis() {
        let denied = mock!(aws_sdk_lambda::Client::get_function)
            .match_requests(|r| r.function_name() == Some(THEIRS))
            .then_error(|| {
                GetFunctionError::generic(
                    ErrorMetadata::builder()
                        .code("AccessDeniedException")
                        .message("not authorized to perform: lambda:GetFunction")
                        .build(),
                )
            });
        let found = mock!(aws_sdk_lambda::Client::get_function)
            .match_requests(|r| r.function_name() == Some(OURS))
            .then_output(|| {
                GetFunctionOutput::builder()
                    .configuration(FunctionConfiguration::builder().function_arn(OURS).timeout(3).build())
                    .build()
            });
        let policy = mock!(aws_sdk_lambda::Client::get_policy).then_output(|| GetPolicyOutput::builder().build());
        let lambda = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, [&denied, &found, &policy]);
        let cognito = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::MatchAny, []);
        let clients = Clients::from_parts(cognito, Some(lambda.clone()), Default::default(), "us-east-1".into());
        let mut triggers = Triggers::default();
        for (trigger, function) in [(Trigger::PreAuthentication, THEIRS), (Trigger::PreSignUp, OURS)] {
            let wired = Wired {
                function: function.into(),
                version: None,
            };
            triggers.wired.insert(trigger, wired);
        }

        let functions = functions(&clients, &lambda, &triggers, Some("us-east-1"))
            .await
            .unwrap();

        let states: Vec<(&str, &FunctionState)> = functions.iter().map(|f| (f.arn.as_str(), &f.state)).collect();
        assert!(
            matches!(
                states[..],
                [(OURS, FunctionState::Found(_)), (THEIRS, FunctionState::Unreadable(_))]
            ),
            "{states:#?}"
        );
        let FunctionState::Unreadable(why) = &functions[1].state else {
            unreachable!()
        };
        assert!(why.contains("GetFunction") && why.contains("AccessDenied"), "{why}");
    }

    /// Throttling (after the SDK's retries) or a failing service is an error of the whole
    /// run: it must not read as a permission finding that hides the outage.
    #[tokio::test]
    async fn any_other_failure_is_an_error_not_a_finding() {
        let failing = mock!(aws_sdk_lambda::Client::get_function).then_error(|| {
            GetFunctionError::generic(
                ErrorMetadata::builder()
                    .code("ServiceException")
                    .message("internal failure")
                    .build(),
            )
        });
        let lambda = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, [&failing]);
        let cognito = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::MatchAny, []);
        let clients = Clients::from_parts(cognito, Some(lambda.clone()), Default::default(), "us-east-1".into());
        let mut triggers = Triggers::default();
        let wired = Wired {
            function: OURS.into(),
            version: None,
        };
        triggers.wired.insert(Trigger::PreSignUp, wired);

        let error = functions(&clients, &lambda, &triggers, Some("us-east-1"))
            .await
            .unwrap_err();

        assert!(error.to_string().contains("ServiceException"), "{error}");
    }

    /// GetPolicy refused after GetFunction answered: the configuration's facts are kept.
    #[tokio::test]
    async fn a_refused_policy_keeps_what_get_function_said() {
        let found = mock!(aws_sdk_lambda::Client::get_function).then_output(|| {
            GetFunctionOutput::builder()
                .configuration(FunctionConfiguration::builder().function_arn(OURS).timeout(30).build())
                .build()
        });
        let denied = mock!(aws_sdk_lambda::Client::get_policy).then_error(|| {
            aws_sdk_lambda::operation::get_policy::GetPolicyError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: lambda:GetPolicy")
                    .build(),
            )
        });
        let lambda = mock_client!(aws_sdk_lambda, RuleMode::MatchAny, [&found, &denied]);
        let cognito = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::MatchAny, []);
        let clients = Clients::from_parts(cognito, Some(lambda.clone()), Default::default(), "us-east-1".into());
        let mut triggers = Triggers::default();
        let wired = Wired {
            function: OURS.into(),
            version: None,
        };
        triggers.wired.insert(Trigger::PreSignUp, wired);

        let functions = functions(&clients, &lambda, &triggers, Some("us-east-1"))
            .await
            .unwrap();

        let FunctionState::Found(facts) = &functions[0].state else {
            panic!("{:?}", functions[0].state)
        };
        assert_eq!(facts.timeout_seconds, Some(30));
        let why = facts.policy_unreadable.as_deref().unwrap_or_default();
        assert!(why.contains("GetPolicy") && why.contains("AccessDenied"), "{why}");
    }

    #[test]
    fn a_policy_document_is_read_url_encoded_or_plain() {
        let plain = r#"{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"x y+z"}]}"#;
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22a%3Ab%22%2C%22Resource%22%3A%22x%20y%2Bz%22%7D%5D%7D";
        let expected = serde_json::from_str::<Value>(plain).unwrap();
        assert_eq!(document("p".into(), plain).unwrap().document, expected);
        assert_eq!(document("p".into(), encoded).unwrap().document, expected);
        assert!(document("p".into(), "not json").is_err());
    }
}
