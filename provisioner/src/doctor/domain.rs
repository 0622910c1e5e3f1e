//! The hosted-UI domains' traps: a domain that does not serve, none where a client signs in
//! through the hosted UI, or managed login for a client without a branding style.

use aws_sdk_cognitoidentityprovider::types::DomainStatusType;

use super::{Check, Finding, Observations};

pub(super) fn findings(seen: &Observations) -> Vec<Finding> {
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
            resource: super::pool::resource(&seen.pool),
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
    if seen
        .domains
        .iter()
        .any(|d| d.managed_login_version == Some(crate::desired::domain::MANAGED_LOGIN))
    {
        for client in seen.clients.iter().filter(|c| c.state.uses_hosted_ui()) {
            if seen.branded_clients.contains(&client.id) {
                continue;
            }
            findings.push(Finding {
                check: Check::DomainUnbrandedClient,
                resource: format!("app client {} ({})", client.state.name, client.id),
                message: format!(
                    "the domain serves managed login, and app client {:?} has no branding style: its login \
                     pages show \"Login pages unavailable\".",
                    client.state.name
                ),
                fix: "Run `provisioner apply` (it gives each hosted-UI client Cognito's own style), or create one in \
                      the console's branding editor; or set [domain] managed_login_version = 1 for the classic \
                      hosted UI."
                    .into(),
            });
        }
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
