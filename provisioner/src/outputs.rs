//! The values an app needs to use the pool: ids, the hosted-UI login URL, the token
//! endpoint, the issuer and its keys.

use aws_sdk_cognitoidentityprovider::types::{UserPoolClientType, UserPoolType};
use serde::Serialize;
use url::form_urlencoded;

use crate::spec::Spec;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outputs {
    pub region: String,
    pub user_pool_id: String,
    pub user_pool_arn: String,
    pub client_id: String,
    pub domain: Option<String>,
    /// The authorization-code request with PKCE; replace `{code_challenge}` with the
    /// base64url SHA-256 of your code verifier.
    pub login_url: Option<String>,
    pub token_endpoint: Option<String>,
    pub issuer: String,
    pub jwks_url: String,
}

/// `endpoint` is the Cognito endpoint when it is not AWS's (a local emulator serves the
/// hosted UI and the issuer on its own address).
pub fn outputs(
    spec: &Spec,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    region: &str,
    endpoint: Option<&str>,
) -> Outputs {
    let pool_id = pool.id().unwrap_or_default().to_owned();
    let domain = pool.domain().filter(|d| !d.is_empty()).map(str::to_owned);
    let hosted_ui = match (endpoint, &domain) {
        (Some(endpoint), _) => Some(endpoint.trim_end_matches('/').to_owned()),
        (None, Some(prefix)) => Some(format!("https://{prefix}.auth.{region}.amazoncognito.com")),
        (None, None) => None,
    };
    let issuer = match endpoint {
        Some(endpoint) => format!("{}/{pool_id}", endpoint.trim_end_matches('/')),
        None => format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
    };
    let client_id = client.client_id().unwrap_or_default().to_owned();
    let login_url = hosted_ui.as_ref().map(|base| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &client_id)
            .append_pair(
                "redirect_uri",
                spec.client.callback_urls.first().map_or("", String::as_str),
            )
            .append_pair("scope", &spec.client.oauth_scopes.join(" "))
            .append_pair("code_challenge_method", "S256")
            .finish();
        format!("{base}/oauth2/authorize?{query}&code_challenge={{code_challenge}}")
    });
    Outputs {
        region: region.to_owned(),
        user_pool_arn: pool.arn().unwrap_or_default().to_owned(),
        client_id,
        domain,
        token_endpoint: hosted_ui.map(|base| format!("{base}/oauth2/token")),
        jwks_url: format!("{issuer}/.well-known/jwks.json"),
        issuer,
        login_url,
        user_pool_id: pool_id,
    }
}
