//! The values an app needs to use the pool: ids, the hosted-UI endpoints (authorize, token,
//! userInfo, revoke, logout), the issuer, its keys and its OIDC discovery document. The URLs
//! come from `cognito_oauth::Endpoints`, the same code an app signs in with.

use cognito_oauth::{Endpoints, HostedDomain};
use serde::Serialize;
use url::form_urlencoded;

use crate::aws::Clients;
use crate::converge::Live;
use crate::desired::{Desired, OAuthFlow};
use crate::lookup::{self, LookupError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outputs {
    pub region: String,
    pub user_pool_id: String,
    pub user_pool_arn: String,
    pub domain: Option<String>,
    /// The Cognito endpoint when it is not AWS's (a local emulator).
    pub endpoint: Option<String>,
    /// Where the hosted UI and the OAuth endpoints are served; `None` without a domain.
    pub hosted_ui: Option<String>,
    pub authorize_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub user_info_endpoint: Option<String>,
    pub revoke_endpoint: Option<String>,
    pub issuer: String,
    pub jwks_url: String,
    pub discovery_url: String,
    /// Each of the spec's clients that exists, in the spec's order.
    pub clients: Vec<ClientOutputs>,
    /// Each identity provider and the redirect URI to register with it (the provider sends
    /// the user back to Cognito's `/oauth2/idpresponse`).
    pub identity_providers: Vec<ProviderOutputs>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientOutputs {
    pub name: String,
    pub client_id: String,
    /// The first callback URL: where the hosted UI sends the browser back.
    pub redirect_uri: Option<String>,
    /// The hosted UI's sign-in page for a client with the code grant, to open in a browser.
    /// An app adds PKCE, `state` and `nonce` (cognito-oauth's `start_login` does; so does
    /// `provisioner login`).
    pub login_url: Option<String>,
    /// Signs the user out of the hosted UI and returns to the first logout URL.
    pub logout_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderOutputs {
    pub name: String,
    pub redirect_uri: Option<String>,
}

impl Outputs {
    /// The first client's outputs (the single `[client]` of a simple spec).
    pub fn client(&self) -> Option<&ClientOutputs> {
        self.clients.first()
    }

    /// `KEY=value` lines for an app's `.env`: the first client as `COGNITO_CLIENT_ID`, every
    /// client as `COGNITO_CLIENT_ID_<NAME>`. cognito-oauth's `login` example reads them.
    pub fn env(&self) -> String {
        let mut lines = vec![
            ("COGNITO_REGION".to_owned(), Some(self.region.clone())),
            ("COGNITO_USER_POOL_ID".to_owned(), Some(self.user_pool_id.clone())),
            ("COGNITO_DOMAIN".to_owned(), self.domain.clone()),
            ("COGNITO_ENDPOINT".to_owned(), self.endpoint.clone()),
            ("COGNITO_ISSUER".to_owned(), Some(self.issuer.clone())),
            ("COGNITO_JWKS_URL".to_owned(), Some(self.jwks_url.clone())),
            ("COGNITO_HOSTED_UI".to_owned(), self.hosted_ui.clone()),
            ("COGNITO_TOKEN_ENDPOINT".to_owned(), self.token_endpoint.clone()),
        ];
        if let Some(first) = self.client() {
            lines.push(("COGNITO_CLIENT_ID".into(), Some(first.client_id.clone())));
            lines.push(("COGNITO_REDIRECT_URI".into(), first.redirect_uri.clone()));
            lines.push(("COGNITO_LOGOUT_URL".into(), first.logout_url.clone()));
        }
        for client in &self.clients {
            let name: String = client
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            lines.push((format!("COGNITO_CLIENT_ID_{name}"), Some(client.client_id.clone())));
        }
        lines
            .into_iter()
            .filter_map(|(key, value)| Some(format!("{key}={}\n", value?)))
            .collect()
    }
}

/// `provisioner outputs`: reads the spec's pool (read-only; [`LookupError::NoPool`] when it
/// does not exist) and derives its outputs. `endpoint` as for [`outputs`].
pub async fn read(clients: &Clients, desired: &Desired, endpoint: Option<&str>) -> Result<Outputs, LookupError> {
    let (_, live) = lookup::live_pool(clients, desired).await?;
    Ok(outputs(desired, &live, &clients.region, endpoint))
}

/// `endpoint` is the Cognito endpoint when it is not AWS's (a local emulator serves the
/// hosted UI and the issuer on its own address).
pub fn outputs(desired: &Desired, live: &Live, region: &str, endpoint: Option<&str>) -> Outputs {
    let endpoints = match (endpoint, &live.domain) {
        (Some(endpoint), _) => Endpoints::emulator(endpoint, &live.pool_id).ok(),
        (None, Some(prefix)) => Endpoints::aws(region, &live.pool_id, &HostedDomain::Prefix(prefix.clone())).ok(),
        (None, None) => None,
    };
    let issuer = match endpoint {
        Some(endpoint) => cognito_oauth::Issuer::emulator(endpoint, &live.pool_id),
        None => cognito_oauth::Issuer::aws(region, &live.pool_id),
    };
    let issuer_text = issuer
        .as_ref()
        .map(|i| i.as_str().to_owned())
        .unwrap_or_else(|_| format!("https://cognito-idp.{region}.amazonaws.com/{}", live.pool_id));
    let url = |f: fn(&Endpoints) -> url::Url| endpoints.as_ref().map(|e| f(e).to_string());
    let clients = live
        .clients
        .iter()
        .map(|(name, client_id)| {
            let spec = desired.client(name);
            let login_url = spec
                .filter(|c| c.oauth_flows.contains(&OAuthFlow::Code))
                .zip(endpoints.as_ref())
                .map(|(client, endpoints)| {
                    let query: String = form_urlencoded::Serializer::new(String::new())
                        .append_pair("response_type", "code")
                        .append_pair("client_id", client_id)
                        .append_pair("redirect_uri", client.callback_urls.first().map_or("", String::as_str))
                        .append_pair("scope", &client.oauth_scopes.join(" "))
                        .finish();
                    format!("{}?{query}", endpoints.authorize())
                });
            let logout_url =
                spec.and_then(|c| c.logout_urls.first())
                    .zip(endpoints.as_ref())
                    .map(|(logout_uri, endpoints)| {
                        cognito_oauth::OAuthClient::new(endpoints.clone(), client_id, "")
                            .logout_url(logout_uri)
                            .to_string()
                    });
            ClientOutputs {
                name: name.clone(),
                client_id: client_id.clone(),
                redirect_uri: spec.and_then(|c| c.callback_urls.first().cloned()),
                login_url,
                logout_url,
            }
        })
        .collect();
    let identity_providers = desired
        .identity_providers
        .iter()
        .map(|p| ProviderOutputs {
            name: p.name.clone(),
            redirect_uri: endpoints
                .as_ref()
                .map(|e| format!("{}/oauth2/idpresponse", e.hosted_ui().as_str().trim_end_matches('/'))),
        })
        .collect();
    Outputs {
        region: region.to_owned(),
        user_pool_id: live.pool_id.clone(),
        user_pool_arn: live.pool_arn.clone(),
        domain: live.domain.clone(),
        endpoint: endpoint.map(|e| e.trim_end_matches('/').to_owned()),
        hosted_ui: endpoints
            .as_ref()
            .map(|e| e.hosted_ui().as_str().trim_end_matches('/').to_owned()),
        authorize_endpoint: url(Endpoints::authorize),
        token_endpoint: url(Endpoints::token),
        user_info_endpoint: url(Endpoints::user_info),
        revoke_endpoint: url(Endpoints::revoke),
        jwks_url: format!("{issuer_text}/.well-known/jwks.json"),
        discovery_url: format!("{issuer_text}/.well-known/openid-configuration"),
        issuer: issuer_text,
        clients,
        identity_providers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Live {
        Live {
            pool_id: "eu-west-1_AbC".into(),
            pool_arn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC".into(),
            domain: Some("toyseven".into()),
            clients: vec![("toyseven-web".into(), "client1".into())],
        }
    }

    #[test]
    fn every_endpoint_an_app_needs() {
        let spec = crate::spec::parse("f", "").unwrap().0;
        let out = outputs(&spec, &live(), "eu-west-1", None);
        let base = "https://toyseven.auth.eu-west-1.amazoncognito.com";
        assert_eq!(out.hosted_ui.as_deref(), Some(base));
        assert_eq!(
            out.token_endpoint.as_deref(),
            Some(format!("{base}/oauth2/token").as_str())
        );
        assert_eq!(
            out.user_info_endpoint.as_deref(),
            Some(format!("{base}/oauth2/userInfo").as_str())
        );
        assert_eq!(
            out.revoke_endpoint.as_deref(),
            Some(format!("{base}/oauth2/revoke").as_str())
        );
        assert_eq!(out.issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC");
        assert_eq!(
            out.discovery_url,
            format!("{}/.well-known/openid-configuration", out.issuer)
        );
        let client = out.client().unwrap();
        assert_eq!(
            client.login_url.as_deref(),
            Some(format!("{base}/oauth2/authorize?response_type=code&client_id=client1&redirect_uri=http%3A%2F%2Flocalhost%3A3000&scope=openid+email+profile").as_str())
        );
        assert_eq!(
            client.logout_url.as_deref(),
            Some(format!("{base}/logout?client_id=client1&logout_uri=http%3A%2F%2Flocalhost%3A3000").as_str())
        );
    }

    #[test]
    fn env_lines_for_an_app() {
        let spec = crate::spec::parse("f", "").unwrap().0;
        let env = outputs(&spec, &live(), "eu-west-1", None).env();
        assert!(env.contains("COGNITO_USER_POOL_ID=eu-west-1_AbC\n"), "{env}");
        assert!(
            env.contains("COGNITO_CLIENT_ID=client1\n") && env.contains("COGNITO_CLIENT_ID_TOYSEVEN_WEB=client1\n"),
            "{env}"
        );
        assert!(
            env.lines()
                .all(|l| l.split_once('=').is_some_and(|(k, _)| !k.is_empty())),
            "{env}"
        );
    }
}
