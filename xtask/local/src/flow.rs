//! The hosted-login flow the way a browser runs it: the authorization-code grant with PKCE
//! through `/oauth2/authorize` and `/oauth2/token`, the refresh grant, and verification of
//! the ID token's signature against the pool's JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{step}: HTTP {status}: {body}")]
    Status {
        step: &'static str,
        status: u16,
        body: String,
    },
    #[error("{step}: {message}")]
    Unexpected { step: &'static str, message: String },
    #[error("{step}: {source}")]
    Http { step: &'static str, source: ureq::Error },
    #[error("the ID token does not verify: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
}

/// A PKCE pair: a random verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        Self::from_verifier(random_token())
    }

    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self { verifier, challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// 32 random bytes, base64url: a PKCE verifier or an OAuth `state`.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The tokens `/oauth2/token` returns.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub token_type: String,
}

/// A browser-like HTTP client that does not follow redirects (the redirect to the app's
/// callback is what carries the code).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent()
}

fn body(step: &'static str, response: &mut ureq::http::Response<ureq::Body>) -> Result<String, FlowError> {
    response
        .body_mut()
        .read_to_string()
        .map_err(|source| FlowError::Http { step, source })
}

/// What the login steps saw, for the demo to show.
#[derive(Debug, Clone)]
pub struct Login {
    pub form_status: u16,
    pub redirect: String,
    pub code: String,
}

/// Runs `/oauth2/authorize` as a browser would: GET the login page, POST the username and
/// password, and take the code from the redirect to `redirect_uri`.
pub fn authorize(
    base: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    pkce: &Pkce,
    username: &str,
    password: &str,
) -> Result<Login, FlowError> {
    let agent = agent();
    let state = random_token();
    let authorize = format!("{base}/oauth2/authorize");
    let mut page = agent
        .get(&authorize)
        .query("response_type", "code")
        .query("client_id", client_id)
        .query("redirect_uri", redirect_uri)
        .query("scope", scope)
        .query("state", &state)
        .query("code_challenge", &pkce.challenge)
        .query("code_challenge_method", "S256")
        .call()
        .map_err(|source| FlowError::Http {
            step: "GET /oauth2/authorize",
            source,
        })?;
    let form_status = page.status().as_u16();
    let html = body("GET /oauth2/authorize", &mut page)?;
    if form_status != 200 || !html.contains("<form") {
        return Err(FlowError::Status {
            step: "GET /oauth2/authorize",
            status: form_status,
            body: html,
        });
    }
    let mut submitted = agent
        .post(&authorize)
        .send_form([
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("scope", scope),
            ("state", &state),
            ("username", username),
            ("password", password),
        ])
        .map_err(|source| FlowError::Http {
            step: "POST /oauth2/authorize",
            source,
        })?;
    let status = submitted.status().as_u16();
    let location = submitted
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let Some(redirect) = location.filter(|_| (300..400).contains(&status)) else {
        let body = body("POST /oauth2/authorize", &mut submitted)?;
        let message = if body.contains("Incorrect username or password") {
            "the login form answered: Incorrect username or password.".to_owned()
        } else {
            format!("HTTP {status} without a redirect: {body}")
        };
        return Err(FlowError::Unexpected {
            step: "POST /oauth2/authorize",
            message,
        });
    };
    let query = redirect.split_once('?').map_or("", |(_, q)| q);
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    if !redirect.starts_with(redirect_uri) {
        return Err(FlowError::Unexpected {
            step: "POST /oauth2/authorize",
            message: format!("redirected to {redirect}, not to {redirect_uri}"),
        });
    }
    if param("state").as_deref() != Some(state.as_str()) {
        return Err(FlowError::Unexpected {
            step: "POST /oauth2/authorize",
            message: "the redirect did not carry our state back".into(),
        });
    }
    let code = param("code").ok_or_else(|| FlowError::Unexpected {
        step: "POST /oauth2/authorize",
        message: format!("no code in the redirect {redirect}"),
    })?;
    Ok(Login {
        form_status,
        redirect,
        code,
    })
}

fn token_request(base: &str, step: &'static str, form: &[(&str, &str)]) -> Result<Tokens, FlowError> {
    let mut response = agent()
        .post(format!("{base}/oauth2/token"))
        .send_form(form.iter().copied())
        .map_err(|source| FlowError::Http { step, source })?;
    let status = response.status().as_u16();
    let text = body(step, &mut response)?;
    if status != 200 {
        return Err(FlowError::Status {
            step,
            status,
            body: text,
        });
    }
    serde_json::from_str(&text).map_err(|error| FlowError::Unexpected {
        step,
        message: format!("not a token response ({error})"),
    })
}

/// Exchanges the code and the PKCE verifier for tokens (a public client: no secret).
pub fn exchange_code(
    base: &str,
    client_id: &str,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
) -> Result<Tokens, FlowError> {
    token_request(
        base,
        "POST /oauth2/token (authorization_code)",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("code", code),
            ("code_verifier", verifier),
        ],
    )
}

/// Uses the refresh token for new ID and access tokens.
pub fn refresh(base: &str, client_id: &str, refresh_token: &str) -> Result<Tokens, FlowError> {
    token_request(
        base,
        "POST /oauth2/token (refresh_token)",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", refresh_token),
        ],
    )
}

/// The ID token's claims, after checking its RS256 signature against the key the JWKS
/// names in its header, and its issuer, audience and expiry.
pub fn verify_id_token(
    jwks_url: &str,
    issuer: &str,
    client_id: &str,
    id_token: &str,
) -> Result<(String, Value), FlowError> {
    let step = "GET JWKS";
    let mut response = agent()
        .get(jwks_url)
        .call()
        .map_err(|source| FlowError::Http { step, source })?;
    let text = body(step, &mut response)?;
    let jwks: JwkSet = serde_json::from_str(&text).map_err(|error| FlowError::Unexpected {
        step,
        message: format!("not a JWKS ({error})"),
    })?;
    let header = jsonwebtoken::decode_header(id_token)?;
    let kid = header.kid.unwrap_or_default();
    let jwk = jwks.find(&kid).ok_or_else(|| FlowError::Unexpected {
        step,
        message: format!("no key {kid:?} in the JWKS"),
    })?;
    let key = DecodingKey::from_jwk(jwk)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    let data = jsonwebtoken::decode::<Value>(id_token, &key, &validation)?;
    Ok((kid, data.claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_rfc_7636_s256() {
        // The example from RFC 7636, appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(pkce.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let fresh = Pkce::new();
        assert!((43..=128).contains(&fresh.verifier.len()));
        assert_ne!(fresh.verifier, Pkce::new().verifier);
    }
}
