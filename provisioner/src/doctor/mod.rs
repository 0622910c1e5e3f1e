//! `provisioner doctor`: the traps a live pool holds, each a [`Finding`] with a stable id,
//! one sentence and its fix. [`diagnose`] is a pure function from what was read
//! ([`Observations`], read by `aws::doctor`) and the spec to the findings; `iam` judges the
//! post-confirmation role's policies.
//!
//! What it knows is written elsewhere once and asked here: Cognito's URL rule
//! (`spec::check_redirect_url`), what a function's resource policy grants
//! ([`InvokePermission::grant`]), what the pool's settings mean ([`crate::desired::Pool`]).

pub mod iam;

use std::fmt;

use aws_sdk_cognitoidentityprovider::types::DomainStatusType;
use serde::{Serialize, Serializer};

use crate::desired::permission::{Grant, InvokePermission};
use crate::desired::{Desired, Email, Group, Mfa, OAuthFlow, Trigger, list};
use crate::observed::{Function, ObservedClient, ObservedPool};
use iam::{Policy, Verdict};

/// How long Cognito waits for a trigger function to answer.
pub const COGNITO_WAITS_SECONDS: i32 = 5;

/// Cognito's default sender sends 50 emails a day per account. From this many users
/// (DescribeUserPool's EstimatedNumberOfUsers) the pool is taken to serve people rather than
/// tests: a test pool rarely has more than a few dozen users, and at 100 a day on which half
/// of them sign up, reset a password or change their email uses the whole quota.
pub const MANY_USERS: i32 = 100;

/// The environment variable that makes the post-confirmation function add users to a group.
pub const DEFAULT_GROUP: &str = "DEFAULT_GROUP";

/// The action post-confirmation's role needs on the pool.
pub const ADD_TO_GROUP: &str = "cognito-idp:AdminAddUserToGroup";

/// Every check, by its stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    UsernameCaseSensitive,
    DeletionProtectionOff,
    MfaWithoutFactor,
    EmailDefaultSender,
    DomainMissing,
    DomainNotActive,
    ClientMissing,
    ClientSecretBrowser,
    ClientImplicitGrant,
    ClientUrlRejected,
    ClientUrlMismatch,
    TriggerMissing,
    TriggerOtherRegion,
    TriggerUnreadable,
    TriggerTimeout,
    TriggerNotInvokable,
    TriggerPermissionBroad,
    TriggerPermissionUnverified,
    PostConfirmationRole,
    PostConfirmationRoleUnverified,
    DefaultGroupMissing,
}

impl Check {
    pub const ALL: [Check; 21] = [
        Check::UsernameCaseSensitive,
        Check::DeletionProtectionOff,
        Check::MfaWithoutFactor,
        Check::EmailDefaultSender,
        Check::DomainMissing,
        Check::DomainNotActive,
        Check::ClientMissing,
        Check::ClientSecretBrowser,
        Check::ClientImplicitGrant,
        Check::ClientUrlRejected,
        Check::ClientUrlMismatch,
        Check::TriggerMissing,
        Check::TriggerOtherRegion,
        Check::TriggerUnreadable,
        Check::TriggerTimeout,
        Check::TriggerNotInvokable,
        Check::TriggerPermissionBroad,
        Check::TriggerPermissionUnverified,
        Check::PostConfirmationRole,
        Check::PostConfirmationRoleUnverified,
        Check::DefaultGroupMissing,
    ];

    /// The id scripts match on; never changed once published.
    pub const fn id(self) -> &'static str {
        match self {
            Check::UsernameCaseSensitive => "username-case-sensitive",
            Check::DeletionProtectionOff => "deletion-protection-off",
            Check::MfaWithoutFactor => "mfa-without-factor",
            Check::EmailDefaultSender => "email-default-sender",
            Check::DomainMissing => "domain-missing",
            Check::DomainNotActive => "domain-not-active",
            Check::ClientMissing => "client-missing",
            Check::ClientSecretBrowser => "client-secret-browser",
            Check::ClientImplicitGrant => "client-implicit-grant",
            Check::ClientUrlRejected => "client-url-rejected",
            Check::ClientUrlMismatch => "client-url-mismatch",
            Check::TriggerMissing => "trigger-missing",
            Check::TriggerOtherRegion => "trigger-other-region",
            Check::TriggerUnreadable => "trigger-unreadable",
            Check::TriggerTimeout => "trigger-timeout",
            Check::TriggerNotInvokable => "trigger-not-invokable",
            Check::TriggerPermissionBroad => "trigger-permission-broad",
            Check::TriggerPermissionUnverified => "trigger-permission-unverified",
            Check::PostConfirmationRole => "post-confirmation-role",
            Check::PostConfirmationRoleUnverified => "post-confirmation-role-unverified",
            Check::DefaultGroupMissing => "default-group-missing",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// One trap: which check found it, on what, what it does, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(rename = "id")]
    pub check: Check,
    pub resource: String,
    pub message: String,
    pub fix: String,
}

/// One block per finding, for people.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.check, self.resource)?;
        writeln!(f, "  {}", self.message)?;
        write!(f, "  fix: {}", self.fix)
    }
}

/// What `aws::doctor` read: the live pool named by the spec and what hangs off it.
#[derive(Debug, Clone)]
pub struct Observations {
    /// With its MFA configuration when MFA is not off.
    pub pool: ObservedPool,
    /// Every app client of the pool, described (a client secret is never kept: only whether
    /// there is one).
    pub clients: Vec<ObservedClient>,
    pub groups: Vec<Group>,
    /// Each domain of the pool (its prefix domain, its custom domain) and its status.
    pub domains: Vec<DomainState>,
    /// The functions the pool's triggers name, each once; `None` when they were not read
    /// (an endpoint without the Lambda API).
    pub functions: Option<Vec<WiredFunction>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainState {
    pub domain: String,
    /// As DescribeUserPoolDomain reports it; `None` when it said nothing.
    pub status: Option<DomainStatusType>,
}

/// A function the pool's LambdaConfig names, with every trigger that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct WiredFunction {
    /// As the pool names it.
    pub arn: String,
    pub triggers: Vec<Trigger>,
    pub state: FunctionState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FunctionState {
    /// In this Region (the ARN's), not the pool's: not read.
    OtherRegion(String),
    /// GetFunction found none.
    Missing,
    /// GetFunction refused the caller (a function of another account, or credentials
    /// without `lambda:GetFunction`), with the reason.
    Unreadable(String),
    Found(Box<FunctionFacts>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionFacts {
    /// Its ARN and resource policy.
    pub function: Function,
    /// Why its resource policy could not be read (GetPolicy refused the caller), when so:
    /// whether Cognito may invoke it is then not known.
    pub policy_unreadable: Option<String>,
    pub timeout_seconds: Option<i32>,
    /// `DEFAULT_GROUP` from its environment; no other variable is kept (they may hold secrets).
    pub default_group: Option<String>,
    /// The execution role with its policies: read for a post-confirmation function whose
    /// `DEFAULT_GROUP` says it adds users to a group.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub arn: String,
    pub policies: RolePolicies,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RolePolicies {
    /// Its identity policies (inline, then attached) and its permissions boundary.
    Read {
        identity: Vec<Policy>,
        boundary: Option<Policy>,
    },
    /// The role does not exist.
    Missing,
    /// Why they could not be read (an AccessDenied names the permission the caller lacks).
    Unreadable(String),
}

/// Every finding, in a stable order: the pool, its domains, its clients, its functions.
pub fn diagnose(spec: &Desired, seen: &Observations) -> Vec<Finding> {
    let mut findings = pool_findings(seen);
    findings.extend(domain_findings(seen));
    findings.extend(client_findings(spec, seen));
    for function in seen.functions.iter().flatten() {
        findings.extend(function_findings(seen, function));
    }
    findings
}

fn pool_resource(pool: &ObservedPool) -> String {
    format!("user pool {}", pool.id)
}

fn pool_findings(seen: &Observations) -> Vec<Finding> {
    let pool = &seen.pool;
    let finding = |check, message: String, fix: &str| Finding {
        check,
        resource: pool_resource(pool),
        message,
        fix: fix.to_owned(),
    };
    let mut findings = Vec::new();
    if pool.state.case_sensitive {
        findings.push(finding(
            Check::UsernameCaseSensitive,
            "usernames are case sensitive: Jane@example.com and jane@example.com sign up as two users, and a \
             user who types their name in another case cannot sign in."
                .into(),
            "This is fixed when a pool is created: make a new pool with case_sensitive = false (the spec's \
             default) and move the users to it (a user migration trigger, or an export and import).",
        ));
    }
    if !pool.state.deletion_protection {
        findings.push(finding(
            Check::DeletionProtectionOff,
            "deletion protection is off: one DeleteUserPool call deletes the pool and every user in it.".into(),
            "Set deletion_protection = true in the spec (the default), then run `provisioner apply`.",
        ));
    }
    match pool.state.mfa {
        Mfa::Off => {}
        Mfa::On | Mfa::Optional => {
            // GetUserPoolMfaConfig is read whenever MFA is not off; without it nothing is claimed.
            if let Some(config) = &pool.mfa {
                let token = config.software_token_mfa_configuration().is_some_and(|t| t.enabled());
                let sms = config
                    .sms_mfa_configuration()
                    .and_then(|s| s.sms_configuration())
                    .is_some_and(|s| !s.sns_caller_arn().is_empty());
                let email = config.email_mfa_configuration().is_some();
                if !(token || sms || email) {
                    findings.push(finding(
                        Check::MfaWithoutFactor,
                        format!(
                            "MFA is {} but no factor (authenticator app, SMS or email) is enabled: users cannot \
                             set one up, and a sign-in that requires MFA cannot complete.",
                            pool.state.mfa.as_aws()
                        ),
                        "Enable a factor: [pool.mfa_factors] software_token = true in the spec, then run \
                         `provisioner apply`; or set mfa = \"off\".",
                    ));
                }
            }
        }
    }
    let users = pool.raw.estimated_number_of_users();
    match &pool.state.email {
        Email::Cognito if users >= MANY_USERS => findings.push(finding(
            Check::EmailDefaultSender,
            format!(
                "the pool has about {users} users and sends its email with Cognito's default sender \
                 (COGNITO_DEFAULT), which sends 50 emails a day per account: past that, sign-up codes and \
                 password resets are not sent."
            ),
            "Send with Amazon SES: add [pool.email] with source_arn (a verified SES identity) and from to the \
             spec, then run `provisioner apply`.",
        )),
        Email::Cognito | Email::Ses(_) => {}
    }
    findings
}

fn domain_findings(seen: &Observations) -> Vec<Finding> {
    let mut findings = Vec::new();
    let hosted: Vec<&str> = seen
        .clients
        .iter()
        .filter(|c| crate::spec::interactive(&c.state.oauth_flows))
        .map(|c| c.state.name.as_str())
        .collect();
    if seen.domains.is_empty() && !hosted.is_empty() {
        findings.push(Finding {
            check: Check::DomainMissing,
            resource: pool_resource(&seen.pool),
            message: format!(
                "the pool has no domain, so the code and implicit grants of app client {} have no hosted UI, \
                 /oauth2/authorize or /oauth2/token to use.",
                hosted.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
            ),
            fix: "Add [domain] prefix = \"...\" to the spec (a prefix nobody has in the Region), then run \
                  `provisioner apply`."
                .into(),
        });
    }
    for domain in &seen.domains {
        let Some(status) = &domain.status else {
            continue;
        };
        let fix = match status {
            DomainStatusType::Active => continue,
            DomainStatusType::Creating | DomainStatusType::Updating => {
                "Wait: a prefix domain is ready within about a minute, a custom domain (its CloudFront \
                 distribution) within an hour; then run `provisioner doctor` again."
            }
            DomainStatusType::Deleting => {
                "It is being deleted; once it is gone, `provisioner apply` creates the spec's [domain] again."
            }
            DomainStatusType::Failed => {
                "Delete the domain (aws cognito-idp delete-user-pool-domain) and create it again (`provisioner \
                 apply` creates the spec's [domain]); for a custom domain, check that its ACM certificate is \
                 in us-east-1 and issued."
            }
            // A status newer than this SDK (the enum is non-exhaustive): the message says it.
            _ => {
                "Check the domain in the Cognito console (App integration) or with aws cognito-idp \
                 describe-user-pool-domain."
            }
        };
        findings.push(Finding {
            check: Check::DomainNotActive,
            resource: format!("domain {}", domain.domain),
            message: format!(
                "domain {} is {}, not ACTIVE: the hosted UI and the /oauth2 endpoints are not served on it.",
                domain.domain,
                status.as_str()
            ),
            fix: fix.into(),
        });
    }
    findings
}

fn client_resource(client: &ObservedClient) -> String {
    format!("app client {:?} ({})", client.state.name, client.id)
}

fn client_findings(spec: &Desired, seen: &Observations) -> Vec<Finding> {
    let mut findings = Vec::new();
    for wanted in &spec.clients {
        if !seen.clients.iter().any(|c| c.state.name == wanted.name) {
            findings.push(Finding {
                check: Check::ClientMissing,
                resource: format!("app client {:?}", wanted.name),
                message: format!("the spec's app client {:?} is not in the pool.", wanted.name),
                fix: "Run `provisioner apply`, which creates it.".into(),
            });
        }
    }
    let mut clients: Vec<&ObservedClient> = seen.clients.iter().collect();
    clients.sort_by(|a, b| (&a.state.name, &a.id).cmp(&(&b.state.name, &b.id)));
    for client in clients {
        let state = &client.state;
        let resource = client_resource(client);
        let finding = |check, message: String, fix: String| Finding {
            check,
            resource: resource.clone(),
            message,
            fix,
        };
        let web_callback = state
            .callback_urls
            .iter()
            .find(|url| url.starts_with("https://") || url.starts_with("http://"));
        if let Some(url) =
            web_callback.filter(|_| state.generate_secret && state.oauth_flows.contains(&OAuthFlow::Code))
        {
            findings.push(finding(
                Check::ClientSecretBrowser,
                format!(
                    "app client {:?} has a client secret and the code grant, and its callback {url} is a web \
                     page: a browser cannot keep the secret, and its call to /oauth2/token without it fails \
                     with invalid_client.",
                    state.name
                ),
                "For a browser app, use a client without a secret (generate_secret = false; a client's secret \
                 cannot be removed, so this is a new client) and PKCE. A server that keeps the secret must send \
                 it with HTTP Basic authentication: Authorization: Basic base64(client_id:client_secret)."
                    .into(),
            ));
        }
        if state.oauth_flows.contains(&OAuthFlow::Implicit) {
            findings.push(finding(
                Check::ClientImplicitGrant,
                format!(
                    "app client {:?} allows the implicit grant: tokens come back in the URL, and no refresh \
                     token is issued, so users sign in again whenever their tokens expire.",
                    state.name
                ),
                "Use the code grant with PKCE: oauth_flows = [\"code\"] in the spec, then run \
                 `provisioner apply`."
                    .into(),
            ));
        }
        let urls = [("callback", &state.callback_urls), ("logout", &state.logout_urls)];
        for (kind, values) in urls {
            for url in values.iter() {
                if let Err(reason) = crate::spec::check_redirect_url(url) {
                    findings.push(finding(
                        Check::ClientUrlRejected,
                        format!(
                            "{kind} URL {reason}. Cognito refuses to save a client with it, so the next update \
                             of this client fails."
                        ),
                        format!(
                            "Use https (or http://localhost while developing), without a #fragment, in the \
                             spec's {kind}_urls, then run `provisioner apply`."
                        ),
                    ));
                }
            }
        }
        if let Some(wanted) = spec.client(&state.name) {
            // Each kind of URL, and what a URL the pool lacks does.
            let pairs = [
                (
                    "callback",
                    &wanted.callback_urls,
                    &state.callback_urls,
                    "a sign-in whose redirect_uri is not one of the pool's exactly (scheme, host, port and path) \
                     fails with redirect_mismatch",
                ),
                (
                    "logout",
                    &wanted.logout_urls,
                    &state.logout_urls,
                    "a sign-out whose logout_uri is not one of the pool's exactly is refused",
                ),
            ];
            for (kind, spec_urls, live_urls, consequence) in pairs {
                if list(spec_urls) == list(live_urls) {
                    continue;
                }
                let missing: Vec<&String> = spec_urls.iter().filter(|u| !live_urls.contains(u)).collect();
                let extra: Vec<&String> = live_urls.iter().filter(|u| !spec_urls.contains(u)).collect();
                findings.push(finding(
                    Check::ClientUrlMismatch,
                    format!(
                        "the {kind} URLs of app client {:?} are {} and the spec's are {} (missing: {}; not in \
                         the spec: {}): {consequence}.",
                        state.name,
                        list(live_urls),
                        list(spec_urls),
                        list(missing),
                        list(extra)
                    ),
                    format!(
                        "Run `provisioner apply` to set the spec's {kind}_urls, or change the spec to the URLs \
                         your app sends."
                    ),
                ));
            }
        }
    }
    findings
}

fn function_findings(seen: &Observations, wired: &WiredFunction) -> Vec<Finding> {
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

/// The Region of an ARN (`arn:<partition>:<service>:<region>:...`).
pub fn region_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests;
