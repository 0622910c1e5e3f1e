//! The values an app needs to use the pool: ids, the hosted-UI login URL, the token
//! endpoint, the issuer and its keys.

use serde::Serialize;
use url::form_urlencoded;

use crate::converge::Live;
use crate::desired::Desired;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outputs {
    pub region: String,
    pub user_pool_id: String,
    pub user_pool_arn: String,
    pub domain: Option<String>,
    /// Where the hosted UI and the OAuth endpoints are served.
    pub hosted_ui: Option<String>,
    pub token_endpoint: Option<String>,
    pub issuer: String,
    pub jwks_url: String,
    /// Each of the spec's clients that exists, in the spec's order.
    pub clients: Vec<ClientOutputs>,
    /// Each identity provider and the redirect URI to register with it (the provider sends
    /// the user back to Cognito's `/oauth2/idpresponse`).
    pub identity_providers: Vec<ProviderOutputs>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderOutputs {
    pub name: String,
    pub redirect_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientOutputs {
    pub name: String,
    pub client_id: String,
    /// The authorization-code request with PKCE, for a client with the code grant; replace
    /// `{code_challenge}` with the base64url SHA-256 of your code verifier.
    pub login_url: Option<String>,
}

impl Outputs {
    /// The first client's outputs (the single `[client]` of a simple spec).
    pub fn client(&self) -> Option<&ClientOutputs> {
        self.clients.first()
    }
}

/// `endpoint` is the Cognito endpoint when it is not AWS's (a local emulator serves the
/// hosted UI and the issuer on its own address).
pub fn outputs(desired: &Desired, live: &Live, region: &str, endpoint: Option<&str>) -> Outputs {
    let hosted_ui = match (endpoint, &live.domain) {
        (Some(endpoint), _) => Some(endpoint.trim_end_matches('/').to_owned()),
        (None, Some(prefix)) => Some(format!("https://{prefix}.auth.{region}.amazoncognito.com")),
        (None, None) => None,
    };
    let issuer = match endpoint {
        Some(endpoint) => format!("{}/{}", endpoint.trim_end_matches('/'), live.pool_id),
        None => format!("https://cognito-idp.{region}.amazonaws.com/{}", live.pool_id),
    };
    let clients = live
        .clients
        .iter()
        .map(|(name, client_id)| {
            let spec = desired.client(name);
            let login_url = spec
                .filter(|c| c.oauth_flows.contains(&crate::desired::OAuthFlow::Code))
                .zip(hosted_ui.as_ref())
                .map(|(client, base)| {
                    let query: String = form_urlencoded::Serializer::new(String::new())
                        .append_pair("response_type", "code")
                        .append_pair("client_id", client_id)
                        .append_pair("redirect_uri", client.callback_urls.first().map_or("", String::as_str))
                        .append_pair("scope", &client.oauth_scopes.join(" "))
                        .append_pair("code_challenge_method", "S256")
                        .finish();
                    format!("{base}/oauth2/authorize?{query}&code_challenge={{code_challenge}}")
                });
            ClientOutputs {
                name: name.clone(),
                client_id: client_id.clone(),
                login_url,
            }
        })
        .collect();
    let identity_providers = desired
        .identity_providers
        .iter()
        .map(|p| ProviderOutputs {
            name: p.name.clone(),
            redirect_uri: hosted_ui.as_ref().map(|base| format!("{base}/oauth2/idpresponse")),
        })
        .collect();
    Outputs {
        identity_providers,
        region: region.to_owned(),
        user_pool_id: live.pool_id.clone(),
        user_pool_arn: live.pool_arn.clone(),
        domain: live.domain.clone(),
        token_endpoint: hosted_ui.as_ref().map(|base| format!("{base}/oauth2/token")),
        hosted_ui,
        jwks_url: format!("{issuer}/.well-known/jwks.json"),
        issuer,
        clients,
    }
}
