//! The app clients' traps: each client the spec names, as the pool holds it (callback URLs,
//! OAuth flows, scopes, what a browser can reach).

use super::{Check, Finding, Observations};
use crate::desired::{Desired, OAuthFlow, list};
use crate::observed::ObservedClient;

fn resource(client: &ObservedClient) -> String {
    format!("app client {:?} ({})", client.state.name, client.id)
}

pub(super) fn findings(spec: &Desired, seen: &Observations) -> Vec<Finding> {
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
        let resource = resource(client);
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
        if spec.client(&state.name).is_none() {
            for provider in state.identity_providers.iter().filter(|p| !spec.declares_provider(p)) {
                findings.push(finding(
                    Check::ClientUndeclaredProvider,
                    format!(
                        "app client {:?}, which the spec does not name, offers identity provider {provider:?}, \
                         which the spec does not declare: people sign in through it, and the provisioner \
                         neither manages it nor deletes it (it deletes only a provider its own clients stop \
                         offering).",
                        state.name
                    ),
                    format!(
                        "To manage it, declare {provider:?} under [[identity_providers]]. If it should go, take \
                         it out of this client's SupportedIdentityProviders, then delete it (aws cognito-idp \
                         delete-identity-provider --user-pool-id <id> --provider-name {provider:?})."
                    ),
                ));
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
