//! `provisioner doctor`: the traps a live pool holds, each a [`Finding`] with a stable id,
//! one sentence and its fix. [`diagnose`] is a pure function from what was read
//! ([`Observations`], read by `aws::doctor`) and the spec to the findings; `iam` judges the
//! post-confirmation role's policies.
//!
//! This file holds the checks' ids, the findings, what was read and the entry point; each
//! resource's checks have a file of their own, called in the order the findings are listed:
//! - `pool`: the user pool's settings (sign-in, MFA, email sending, its users);
//! - `domain`: the hosted-UI domains;
//! - `client`: each app client of the pool (most checks: those the spec names);
//! - `function`: each trigger function the pool names, and post-confirmation's role (whose
//!   policies `iam` judges).
//!
//! What it knows is written elsewhere once and asked here: Cognito's URL rule
//! (`spec::check_redirect_url`), what a function's resource policy grants
//! ([`InvokePermission::grant`](crate::desired::permission::InvokePermission::grant)), what the pool's settings mean ([`crate::desired::Pool`]).

mod client;
mod domain;
mod function;
pub mod iam;
mod pool;

use std::fmt;

use aws_sdk_cognitoidentityprovider::types::DomainStatusType;
use serde::{Serialize, Serializer};

use crate::desired::{Desired, Group, Trigger};
use crate::observed::{Function, ObservedClient, ObservedPool};
use iam::Policy;

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
    /// Managed login serves a client that has no branding style: "Login pages unavailable".
    DomainUnbrandedClient,
    /// Passwordless first factors that no client can start (none allows ALLOW_USER_AUTH).
    SignInChoicesUnreachable,
    ClientMissing,
    ClientSecretBrowser,
    ClientImplicitGrant,
    ClientUrlRejected,
    ClientUrlMismatch,
    /// A client outside the spec offers a provider the spec does not declare.
    ClientUndeclaredProvider,
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
    pub const ALL: [Check; 24] = [
        Check::UsernameCaseSensitive,
        Check::DeletionProtectionOff,
        Check::MfaWithoutFactor,
        Check::EmailDefaultSender,
        Check::SignInChoicesUnreachable,
        Check::DomainMissing,
        Check::DomainNotActive,
        Check::DomainUnbrandedClient,
        Check::ClientMissing,
        Check::ClientSecretBrowser,
        Check::ClientImplicitGrant,
        Check::ClientUrlRejected,
        Check::ClientUrlMismatch,
        Check::ClientUndeclaredProvider,
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
            Check::DomainUnbrandedClient => "domain-unbranded-client",
            Check::SignInChoicesUnreachable => "sign-in-choices-unreachable",
            Check::ClientMissing => "client-missing",
            Check::ClientSecretBrowser => "client-secret-browser",
            Check::ClientImplicitGrant => "client-implicit-grant",
            Check::ClientUrlRejected => "client-url-rejected",
            Check::ClientUrlMismatch => "client-url-mismatch",
            Check::ClientUndeclaredProvider => "client-undeclared-provider",
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
    /// The ids of the clients that have a managed login branding style, read when a domain
    /// serves managed login.
    pub branded_clients: Vec<String>,
    /// The functions the pool's triggers name, each once; `None` when they were not read
    /// (an endpoint without the Lambda API).
    pub functions: Option<Vec<WiredFunction>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainState {
    pub domain: String,
    /// As DescribeUserPoolDomain reports it; `None` when it said nothing.
    pub status: Option<DomainStatusType>,
    /// 1: the classic hosted UI, 2: managed login; `None` when it said nothing.
    pub managed_login_version: Option<i32>,
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
    let mut findings = pool::findings(seen);
    findings.extend(domain::findings(seen));
    findings.extend(client::findings(spec, seen));
    for wired in seen.functions.iter().flatten() {
        findings.extend(function::findings(seen, wired));
    }
    findings
}

/// The Region of an ARN (`arn:<partition>:<service>:<region>:...`).
pub fn region_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests;
