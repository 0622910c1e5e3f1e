//! The least-privilege IAM policy documents, by file name: one for whoever runs the
//! provisioner, one per function built here. `${PARTITION}`, `${REGION}`, `${ACCOUNT_ID}` and
//! `${USER_POOL_ID}` are left for the reader (or `cargo xtask deploy`) to fill in.
//!
//! The provisioner may create a pool only with this project's tag, and write only to pools
//! that carry it (`aws:RequestTag` / `aws:ResourceTag`); it may change the trigger
//! functions' resource policies only for `cognito-idp.amazonaws.com` (`lambda:Principal`).
//! Adopting a pool made elsewhere (`apply --adopt`, `import`) is not in it: tagging a pool
//! hands it to whoever holds this policy, and a `TagResource` allowed here could tag any
//! pool, whatever its name. Adoption runs once, with the pool owner's credentials.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::FunctionDeploy;
use crate::desired::permission::PRINCIPAL;
use crate::desired::{Desired, MANAGED_TAG, SecretSource, Trigger};

const POOLS: &str = "arn:${PARTITION}:cognito-idp:*:*:userpool/*";

/// The ARN pattern of a function the triggers name.
fn function_arn(reference: &str) -> String {
    if reference.starts_with("arn:") {
        reference.to_owned()
    } else {
        format!("arn:${{PARTITION}}:lambda:*:*:function:{reference}")
    }
}

pub fn policies(desired: &Desired, functions: &[FunctionDeploy]) -> BTreeMap<String, Value> {
    let tagged = json!({"StringEquals": {format!("aws:ResourceTag/{MANAGED_TAG}"): desired.pool.name}});
    let function_arns: Vec<String> = desired.triggers.functions().into_iter().map(function_arn).collect();
    let mut documents = BTreeMap::new();
    documents.insert(
        "provisioner.json".to_owned(),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "FindPoolsAndDomains",
                    "Effect": "Allow",
                    "Action": ["cognito-idp:ListUserPools", "cognito-idp:DescribeUserPoolDomain"],
                    "Resource": "*",
                },
                {
                    "Sid": "CreatePoolsOnlyWithTheTag",
                    "Effect": "Allow",
                    "Action": ["cognito-idp:CreateUserPool"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {format!("aws:RequestTag/{MANAGED_TAG}"): desired.pool.name}},
                },
                {
                    "Sid": "ReadAPoolToCheckItsTag",
                    "Effect": "Allow",
                    "Action": ["cognito-idp:DescribeUserPool"],
                    "Resource": POOLS,
                },
                {
                    "Sid": "ManageOnlyTaggedPools",
                    "Effect": "Allow",
                    "Action": [
                        "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool", "cognito-idp:TagResource",
                        "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
                        "cognito-idp:GetLogDeliveryConfiguration", "cognito-idp:SetLogDeliveryConfiguration",
                        "cognito-idp:DescribeRiskConfiguration", "cognito-idp:SetRiskConfiguration",
                        "cognito-idp:AddCustomAttributes",
                        "cognito-idp:ListUserPoolClients", "cognito-idp:DescribeUserPoolClient",
                        "cognito-idp:CreateUserPoolClient", "cognito-idp:UpdateUserPoolClient",
                        "cognito-idp:ListResourceServers", "cognito-idp:CreateResourceServer", "cognito-idp:UpdateResourceServer",
                        "cognito-idp:CreateUserPoolDomain", "cognito-idp:UpdateUserPoolDomain",
                        "cognito-idp:DeleteUserPoolDomain",
                        "cognito-idp:DescribeManagedLoginBrandingByClient", "cognito-idp:CreateManagedLoginBranding",
                        "cognito-idp:ListGroups", "cognito-idp:CreateGroup", "cognito-idp:UpdateGroup",
                        "cognito-idp:ListIdentityProviders", "cognito-idp:DescribeIdentityProvider",
                        "cognito-idp:CreateIdentityProvider", "cognito-idp:UpdateIdentityProvider",
                        "cognito-idp:DeleteIdentityProvider",
                    ],
                    "Resource": POOLS,
                    "Condition": tagged,
                },
                {
                    "Sid": "ReadTheTriggerFunctions",
                    "Effect": "Allow",
                    "Action": ["lambda:GetFunction", "lambda:GetPolicy"],
                    "Resource": function_arns,
                },
                {
                    "Sid": "LetOnlyCognitoInvokeThem",
                    "Effect": "Allow",
                    "Action": ["lambda:AddPermission", "lambda:RemovePermission"],
                    "Resource": function_arns,
                    "Condition": {"StringEquals": {"lambda:Principal": PRINCIPAL}},
                },
            ],
        }),
    );
    // CreateGroup and UpdateGroup pass a group's role to Cognito; CreateUserPool and
    // UpdateUserPool pass the SMS sender's.
    let group_roles: Vec<&str> = desired
        .groups
        .iter()
        .filter_map(|g| g.role_arn.as_deref())
        .chain(desired.pool.sms.as_ref().map(|sms| sms.sns_caller_arn.as_str()))
        .collect();
    if !group_roles.is_empty()
        && let Some(statements) = documents
            .get_mut("provisioner.json")
            .and_then(|d| d["Statement"].as_array_mut())
    {
        statements.push(json!({
            "Sid": "PassTheGroupsRoles",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": group_roles,
        }));
    }
    // SetLogDeliveryConfiguration sets up a vended-log delivery as its caller: the Logs
    // delivery calls, and the destination's policy (a log group's resource policy, a bucket's
    // policy, Firehose's service-linked role).
    let deliveries = desired.pool.log_delivery.as_deref().unwrap_or_default();
    if !deliveries.is_empty()
        && let Some(statements) = documents
            .get_mut("provisioner.json")
            .and_then(|d| d["Statement"].as_array_mut())
    {
        use crate::desired::pool::log_delivery::Destination;
        let mut actions = vec![
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
        ];
        for delivery in deliveries {
            match Destination::of(&delivery.destination) {
                Some(Destination::CloudWatchLogs) => {
                    actions.extend([
                        "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies",
                        "logs:DescribeLogGroups",
                    ]);
                }
                Some(Destination::S3) => actions.extend(["s3:GetBucketPolicy", "s3:PutBucketPolicy"]),
                Some(Destination::Firehose) => {
                    actions.extend(["firehose:TagDeliveryStream", "iam:CreateServiceLinkedRole"])
                }
                None => {}
            }
        }
        actions.sort_unstable();
        actions.dedup();
        statements.push(json!({
            "Sid": "DeliverThePoolsLogs",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }));
    }
    let parameters: Vec<String> = desired
        .identity_providers
        .iter()
        .filter_map(|p| match &p.secret {
            Some(SecretSource::Ssm(name)) => Some(format!(
                "arn:${{PARTITION}}:ssm:*:*:parameter/{}",
                name.trim_start_matches('/')
            )),
            Some(SecretSource::Env(_)) | None => None,
        })
        .collect();
    if !parameters.is_empty()
        && let Some(statements) = documents
            .get_mut("provisioner.json")
            .and_then(|d| d["Statement"].as_array_mut())
    {
        statements.push(json!({
            "Sid": "ReadTheProvidersSecrets",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": parameters,
        }));
    }
    let post_confirmation = desired.triggers.wired.get(&Trigger::PostConfirmation);
    let pre_sign_up = desired.triggers.wired.get(&Trigger::PreSignUp);
    for function in functions {
        let mut statements = vec![json!({
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:${{PARTITION}}:logs:*:*:log-group:/aws/lambda/{}:*", function.name),
        })];
        if pre_sign_up.is_some_and(|w| w.function == function.name) && super::links_users(function) {
            statements.push(json!({
                "Sid": "LinkExternalUsersInItsPool",
                "Effect": "Allow",
                "Action": ["cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"],
                "Resource": "arn:${PARTITION}:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${USER_POOL_ID}",
            }));
        }
        if post_confirmation.is_some_and(|w| w.function == function.name) {
            statements.push(json!({
                "Sid": "AddUsersToGroupsOfItsPool",
                "Effect": "Allow",
                "Action": "cognito-idp:AdminAddUserToGroup",
                "Resource": "arn:${PARTITION}:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${USER_POOL_ID}",
            }));
        }
        documents.insert(
            format!("{}.json", function.name),
            json!({"Version": "2012-10-17", "Statement": statements}),
        );
    }
    documents
}
