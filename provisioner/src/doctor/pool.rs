//! The user pool's own traps: what its settings (sign-in, MFA, email sending, users) do
//! that the spec's author may not expect.

use super::{Check, Finding, MANY_USERS, Observations};
use crate::desired::{AuthFactor, Email, ExplicitAuthFlow, Mfa};
use crate::observed::ObservedPool;

pub(super) fn resource(pool: &ObservedPool) -> String {
    format!("user pool {}", pool.id)
}

pub(super) fn findings(seen: &Observations) -> Vec<Finding> {
    let pool = &seen.pool;
    let finding = |check, message: String, fix: &str| Finding {
        check,
        resource: resource(pool),
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
    let passwordless = pool
        .state
        .first_factors
        .as_deref()
        .is_some_and(|factors| factors.iter().any(|f| *f != AuthFactor::Password));
    let choosing = seen
        .clients
        .iter()
        .any(|c| c.state.explicit_auth_flows.contains(&ExplicitAuthFlow::UserAuth));
    if passwordless && !choosing {
        findings.push(finding(
            Check::SignInChoicesUnreachable,
            "the pool offers passwordless first factors (one-time codes, passkeys), and no app client allows \
             ALLOW_USER_AUTH, the flow that starts them: nobody can sign in with them."
                .into(),
            "Add \"ALLOW_USER_AUTH\" to the explicit_auth_flows of the clients that should offer them, then run \
             `provisioner apply`; or leave [pool.sign_in_policy] at [\"password\"].",
        ));
    }
    findings
}
