//! The axum integration (feature `axum`): [`AccessClaims`], an extractor that yields the
//! verified claims of the request's bearer access token and rejects it as RFC 6750 says
//! ([`BearerRejection`]: 401 `invalid_token`, 403 `insufficient_scope` with the scopes
//! needed); and [`LoginCookie`], which carries a login's `state`, `nonce` and PKCE verifier
//! from the redirect to the hosted UI to the callback in an `HttpOnly`, `SameSite=Lax` cookie
//! (`Secure` over https), so that a browser app keeps no token or verifier in a URL or in the
//! page's script.
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use cognito_oauth::asynchronous::Client;
//! use cognito_oauth::axum::AccessClaims;
//! use cognito_oauth::{Endpoints, OAuthClient};
//!
//! async fn me(AccessClaims(claims): AccessClaims) -> Json<Vec<String>> {
//!     Json(claims.groups().into_iter().map(str::to_owned).collect())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let endpoints = Endpoints::emulator("http://127.0.0.1:9229", "local_5xYz")?;
//! let client = Client::new(OAuthClient::new(endpoints, "client123", "http://localhost:3000"));
//! // The state is the client (or any state from which `Client: FromRef` takes it).
//! let app: Router = Router::new().route("/api/me", get(me)).with_state(client);
//! # Ok(()) }
//! ```

use ::axum::extract::{FromRef, FromRequestParts};
use ::axum::http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use ::axum::http::request::Parts;
use ::axum::http::{HeaderMap, HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::asynchronous::{Client, Error};
use crate::client::PendingLogin;
use crate::verify::{Claims, Verifier, VerifyError};

/// The verified claims of the request's access token (`Authorization: Bearer <token>`),
/// checked by the state's [`Client`] and its [`Verifier`] (client ids, required scopes and
/// groups).
#[derive(Debug, Clone)]
pub struct AccessClaims(pub Claims);

impl<S> FromRequestParts<S> for AccessClaims
where
    S: Send + Sync,
    Client: FromRef<S>,
{
    type Rejection = BearerRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let client = Client::from_ref(state);
        let verifier = client.verifier().clone();
        verify_bearer(&client, &verifier, &parts.headers)
            .await
            .map(AccessClaims)
    }
}

/// Verifies the bearer token in `headers` with `verifier` (a route's own scopes or groups)
/// and the client's cached keys: what [`AccessClaims`] does, for a handler that needs another
/// verifier than the client's.
pub async fn verify_bearer(
    client: &Client,
    verifier: &Verifier,
    headers: &HeaderMap,
) -> Result<Claims, BearerRejection> {
    let token = bearer_token(headers)?;
    match client.verify_access_token_with(verifier, token).await {
        Ok(claims) => Ok(claims),
        Err(Error::Verify(error)) if error.is_insufficient() => Err(BearerRejection::InsufficientScope {
            scopes: verifier.required_scopes().to_vec(),
            reason: error.to_string(),
        }),
        Err(Error::Verify(error)) => Err(BearerRejection::InvalidToken(error)),
        Err(other) => Err(BearerRejection::Unavailable(other.to_string())),
    }
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 2.1; the scheme is
/// case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerRejection> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(match headers.contains_key(AUTHORIZATION) {
            true => BearerRejection::InvalidRequest("the request has more than one Authorization header"),
            false => BearerRejection::Missing,
        });
    };
    let value = value
        .to_str()
        .map_err(|_| BearerRejection::InvalidRequest("the Authorization header is not ASCII"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        Some(_) | None => Err(BearerRejection::InvalidRequest(
            "the Authorization header is not `Bearer <access token>`",
        )),
    }
}

/// Why a request's access token was refused, answered as RFC 6750 3 says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BearerRejection {
    /// No `Authorization` header: 401 with a bare `WWW-Authenticate: Bearer` (RFC 6750 3.1:
    /// no error code when the request has no credentials).
    #[error("the request has no access token (Authorization: Bearer <token>)")]
    Missing,
    /// A malformed `Authorization` header: 400 `invalid_request`.
    #[error("{0}")]
    InvalidRequest(&'static str),
    /// The token is expired, forged, for another client or pool: 401 `invalid_token`.
    #[error("{0}")]
    InvalidToken(VerifyError),
    /// A valid token without a required scope or group: 403 `insufficient_scope`, with
    /// `scope` listing the scopes the route needs.
    #[error("{reason}")]
    InsufficientScope { scopes: Vec<String>, reason: String },
    /// The pool's keys could not be fetched: 503, since the token may well be valid.
    #[error("the token cannot be verified now: {0}")]
    Unavailable(String),
}

impl BearerRejection {
    /// The status RFC 6750 gives this rejection.
    pub fn status(&self) -> StatusCode {
        match self {
            BearerRejection::Missing | BearerRejection::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            BearerRejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            BearerRejection::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            BearerRejection::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `error` code (RFC 6750 3.1), if the rejection has one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            BearerRejection::Missing | BearerRejection::Unavailable(_) => None,
            BearerRejection::InvalidRequest(_) => Some("invalid_request"),
            BearerRejection::InvalidToken(_) => Some("invalid_token"),
            BearerRejection::InsufficientScope { .. } => Some("insufficient_scope"),
        }
    }

    /// The `WWW-Authenticate` challenge (none for [`Unavailable`](Self::Unavailable), which is
    /// no fault of the credentials).
    pub fn challenge(&self) -> Option<String> {
        let description = quoted(&self.to_string());
        match self {
            BearerRejection::Missing => Some("Bearer".to_owned()),
            BearerRejection::Unavailable(_) => None,
            BearerRejection::InvalidRequest(_) | BearerRejection::InvalidToken(_) => Some(format!(
                r#"Bearer error="{}", error_description="{description}""#,
                self.code().unwrap_or_default()
            )),
            BearerRejection::InsufficientScope { scopes, .. } => {
                let scope = match scopes.is_empty() {
                    true => String::new(),
                    false => format!(r#", scope="{}""#, quoted(&scopes.join(" "))),
                };
                Some(format!(
                    r#"Bearer error="insufficient_scope", error_description="{description}"{scope}"#
                ))
            }
        }
    }
}

/// A value for a quoted auth-param: RFC 6750 3 allows %x20-21 / %x23-5B / %x5D-7E, so a
/// double quote becomes a single one and anything else outside becomes a space.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => ' ',
        })
        .collect()
}

impl IntoResponse for BearerRejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            // null for a request without credentials and for keys that cannot be fetched.
            "error": self.code(),
            "error_description": self.to_string(),
        });
        let mut response = (self.status(), ::axum::Json(body)).into_response();
        if let Some(challenge) = self.challenge().and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// A cookie for a browser app: `HttpOnly` (no script reads it), `SameSite=Lax` (sent on the
/// hosted UI's redirect back, a top-level navigation, and not on other sites' requests),
/// `Path=/`, and `Secure` when the app is served over https.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieJar {
    secure: bool,
}

impl CookieJar {
    /// `Secure` cookies for an https app, plain ones for `http://localhost`.
    pub fn new(secure: bool) -> Self {
        Self { secure }
    }

    /// `Secure` exactly when `app_url` (the redirect URI) is https.
    pub fn for_url(app_url: &str) -> Self {
        Self::new(app_url.starts_with("https://"))
    }

    /// A `Set-Cookie` value. `value` must be cookie-safe (base64url is).
    pub fn set(&self, name: &str, value: &str, max_age_seconds: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_seconds}{secure}");
        HeaderValue::from_str(&cookie).expect("a cookie of a token-safe name and a base64url value is a header value")
    }

    /// A `Set-Cookie` value that removes the cookie.
    pub fn clear(&self, name: &str) -> HeaderValue {
        self.set(name, "", 0)
    }

    /// The cookie `name` from the request's `Cookie` headers.
    pub fn get<'a>(&self, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }
}

/// The pending login between the redirect to the hosted UI and the callback, kept in the
/// browser in one short-lived cookie (10 minutes, the hosted UI's own limit for a code).
///
/// The cookie holds the `state`, `nonce` and PKCE verifier (base64url JSON): what the
/// callback needs to check the answer is ours and to exchange the code. It is `HttpOnly`, so
/// the page's script never sees the verifier, and it is cleared by the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCookie {
    jar: CookieJar,
}

impl LoginCookie {
    /// The cookie's name.
    pub const NAME: &'static str = "cognito_login";
    /// How long a login may take.
    pub const MAX_AGE_SECONDS: u64 = 600;

    /// The login cookie of an app whose redirect URI is `redirect_uri` (`Secure` when it is
    /// https).
    pub fn for_redirect_uri(redirect_uri: &str) -> Self {
        Self {
            jar: CookieJar::for_url(redirect_uri),
        }
    }

    /// The `Set-Cookie` value that keeps `pending` until the callback.
    pub fn set(&self, pending: &PendingLogin) -> HeaderValue {
        let json = serde_json::to_vec(pending).expect("a pending login serializes");
        self.jar
            .set(Self::NAME, &URL_SAFE_NO_PAD.encode(json), Self::MAX_AGE_SECONDS)
    }

    /// The pending login the request's cookie carries, if any (and well-formed).
    pub fn get(&self, headers: &HeaderMap) -> Option<PendingLogin> {
        let value = self.jar.get(headers, Self::NAME)?;
        let json = URL_SAFE_NO_PAD.decode(value).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// The `Set-Cookie` value that removes it (the callback sends it, whatever the outcome).
    pub fn clear(&self) -> HeaderValue {
        self.jar.clear(Self::NAME)
    }
}
