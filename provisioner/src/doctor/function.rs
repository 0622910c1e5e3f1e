//! The trigger functions' traps: each function the pool's LambdaConfig names (whether it
//! exists, may be invoked by this pool, answers within Cognito's wait, sits in the pool's
//! Region) and the post-confirmation role's permission to add users to groups.

use super::iam::{self, Verdict};
use super::{
    ADD_TO_GROUP, COGNITO_WAITS_SECONDS, Check, DEFAULT_GROUP, Finding, FunctionState, Observations, Role,
    RolePolicies, WiredFunction, region_of,
};
use crate::desired::Trigger;
use crate::desired::permission::{Grant, InvokePermission};
use crate::observed::ObservedPool;

pub(super) fn findings(seen: &Observations, wired: &WiredFunction) -> Vec<Finding> {
    let pool = &seen.pool;
    let triggers = wired
        .triggers
        .iter()
        .map(|t| t.spec_key())
        .collect::<Vec<_>>()
        .join(", ");
    let resource = format!("function {} (trigger {triggers})", wired.arn);
    let finding = |check, message: String, fix: String| Finding {
        check,
        resource: resource.clone(),
        message,
        fix,
    };
    let pool_region = region_of(&pool.arn).unwrap_or_default();
    let facts = match &wired.state {
        FunctionState::OtherRegion(region) => {
            return vec![finding(
                Check::TriggerOtherRegion,
                format!(
                    "trigger {triggers} names a function in {region}, but the pool is in {pool_region}: Cognito \
                     invokes trigger functions only in the pool's Region."
                ),
                format!(
                    "Deploy the function in {pool_region} and wire that one ([triggers] in the spec, then `provisioner apply`)."
                ),
            )];
        }
        FunctionState::Missing => {
            return vec![finding(
                Check::TriggerMissing,
                format!(
                    "trigger {triggers} names a function that does not exist: every request that runs the \
                     trigger fails."
                ),
                "Deploy the function (`cargo xtask deploy`), or wire one that exists ([triggers] in the spec, \
                 then `provisioner apply`)."
                    .into(),
            )];
        }
        FunctionState::Unreadable(why) => {
            return vec![finding(
                Check::TriggerUnreadable,
                format!(
                    "the function could not be read ({why}), so the doctor cannot tell whether it exists, \
                     answers within {COGNITO_WAITS_SECONDS} s, or lets this pool invoke it."
                ),
                format!(
                    "Run the doctor with credentials that may call lambda:GetFunction and lambda:GetPolicy on {} \
                     (the provisioner's policy allows them on the spec's functions only), or check it by hand.",
                    wired.arn
                ),
            )];
        }
        FunctionState::Found(facts) => facts,
    };
    // The ARN, not the name: the CLI's default Region or account may not be the function's.
    let name = &facts.function.arn;
    let mut findings = Vec::new();
    if let Some(timeout) = facts.timeout_seconds.filter(|t| *t > COGNITO_WAITS_SECONDS) {
        findings.push(finding(
            Check::TriggerTimeout,
            format!(
                "its timeout is {timeout} s, but Cognito waits {COGNITO_WAITS_SECONDS} s for a trigger: a \
                 slower run fails the user's request while the function goes on running, and Cognito's retry \
                 can run its side effects twice."
            ),
            format!(
                "Set a timeout of {COGNITO_WAITS_SECONDS} s or less (aws lambda update-function-configuration \
                 --function-name {name} --timeout {COGNITO_WAITS_SECONDS}; for this project's functions, timeout \
                 in the crate's [package.metadata.lambda.deploy]) and make it answer within that."
            ),
        ));
    }
    let permission = InvokePermission {
        pool_id: &pool.id,
        pool_arn: &pool.arn,
        account: pool.account(),
    };
    let add_permission = format!(
        "aws lambda add-permission --function-name {name} --statement-id cognito-idp-{} --action \
         lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn {}{}",
        pool.id,
        pool.arn,
        pool.account()
            .map(|a| format!(" --source-account {a}"))
            .unwrap_or_default()
    );
    let grant = match &facts.policy_unreadable {
        Some(why) => {
            findings.push(finding(
                Check::TriggerPermissionUnverified,
                format!(
                    "its resource policy could not be read ({why}): cannot tell whether Cognito's call is allowed."
                ),
                format!(
                    "Run the doctor with credentials that may call lambda:GetPolicy on {name}, or read the policy \
                     (aws lambda get-policy --function-name {name}); `provisioner apply` grants it for this pool \
                     if it is missing."
                ),
            ));
            Grant::Scoped
        }
        None => permission.grant(facts.function.policy.as_deref()),
    };
    match grant {
        Grant::Scoped => {}
        Grant::Missing => findings.push(finding(
            Check::TriggerNotInvokable,
            format!(
                "no statement of its resource policy lets cognito-idp.amazonaws.com invoke it for this pool: \
                 Cognito's call is refused, and every request that runs trigger {triggers} fails."
            ),
            format!("Run `provisioner apply`, which grants it for this pool only; by hand: {add_permission}"),
        )),
        Grant::Broad(sid) => findings.push(finding(
            Check::TriggerPermissionBroad,
            format!(
                "statement {sid:?} of its resource policy lets cognito-idp.amazonaws.com invoke it without naming \
                 this pool in AWS:SourceArn, so other user pools, perhaps in other accounts, can have Cognito \
                 invoke it."
            ),
            format!(
                "Grant it for this pool only (`provisioner apply` does, or {add_permission}), then remove the \
                 broad one: aws lambda remove-permission --function-name {name} --statement-id {sid}"
            ),
        )),
        Grant::Unclear(sid) => findings.push(finding(
            Check::TriggerPermissionUnverified,
            format!(
                "statement {sid:?} of its resource policy may let Cognito invoke it for this pool under \
                 conditions the doctor does not evaluate: cannot tell whether Cognito's call is allowed."
            ),
            format!(
                "Read the statement (aws lambda get-policy --function-name {name}), or grant it plainly for this \
                 pool: `provisioner apply` does, or {add_permission}"
            ),
        )),
    }
    if wired.triggers.contains(&Trigger::PostConfirmation)
        && let Some(group) = &facts.default_group
    {
        if !seen.groups.iter().any(|g| &g.name == group) {
            findings.push(finding(
                Check::DefaultGroupMissing,
                format!(
                    "post-confirmation adds every confirmed user to {DEFAULT_GROUP} = {group:?}, a group the \
                     pool does not have: the call fails, and the user stays confirmed outside any group."
                ),
                format!(
                    "Create the group (a [[groups]] entry named {group:?} in the spec, then `provisioner apply`), \
                     or set {DEFAULT_GROUP} to a group the pool has."
                ),
            ));
        }
        if let Some(role) = &facts.role {
            findings.extend(role_finding(pool, role, group, &finding));
        }
    }
    findings
}

fn role_finding(
    pool: &ObservedPool,
    role: &Role,
    group: &str,
    finding: &dyn Fn(Check, String, String) -> Finding,
) -> Option<Finding> {
    let verdict = match &role.policies {
        RolePolicies::Read { identity, boundary } => {
            iam::evaluate(identity, boundary.as_ref(), ADD_TO_GROUP, &pool.arn)
        }
        RolePolicies::Missing => Verdict::Denied("does not exist".into()),
        RolePolicies::Unreadable(why) => Verdict::CannotTell(format!("its policies could not be read ({why})")),
    };
    let role_name = role.arn.rsplit('/').next().unwrap_or(&role.arn);
    let statement = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ADD_TO_GROUP, "Resource": pool.arn}],
    });
    match verdict {
        Verdict::Allowed => None,
        Verdict::Denied(why) => Some(finding(
            Check::PostConfirmationRole,
            format!(
                "post-confirmation adds users to {group:?}, but its execution role {} may not call {ADD_TO_GROUP} \
                 on this pool ({why}): the call fails with AccessDenied, and the user stays confirmed outside \
                 any group.",
                role.arn
            ),
            format!(
                "Allow it on this pool only, as infra/policies/post-confirmation.json does (`cargo xtask deploy` \
                 puts it on the role it creates): aws iam put-role-policy --role-name {role_name} --policy-name \
                 add-users-to-groups --policy-document '{statement}'"
            ),
        )),
        Verdict::CannotTell(why) => Some(finding(
            Check::PostConfirmationRoleUnverified,
            format!(
                "cannot tell whether post-confirmation's execution role {} may call {ADD_TO_GROUP} on this pool: \
                 {why}.",
                role.arn
            ),
            format!(
                "Ask IAM's policy simulator: aws iam simulate-principal-policy --policy-source-arn {} \
                 --action-names {ADD_TO_GROUP} --resource-arns {}",
                role.arn, pool.arn
            ),
        )),
    }
}
