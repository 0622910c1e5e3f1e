//! Sign users in to an Amazon Cognito user pool from a Rust app, through the pool's hosted
//! UI (managed login), with the authorization-code grant and PKCE.
//!
//! - [`Endpoints`]: the pool's authorize, token, userInfo, revoke, logout, JWKS and OIDC
//!   discovery URLs, from its region, pool id and domain (or a local emulator's address).
//! - [`OAuthClient`]: the authorize URL with PKCE (S256), `state` and `nonce`
//!   ([`start_login`](OAuthClient::start_login)); the callback's checks
//!   ([`PendingLogin::code_from_callback`]); the code exchange and the refresh as
//!   [`TokenRequest`]s, for a public client or one with a secret (HTTP Basic); the logout URL.
//! - [`Tokens::from_response`]: the token endpoint's answer, or a typed [`OAuthError`]
//!   (`invalid_client`, `invalid_grant`, …) with a [hint](OAuthError::hint) at the fix.
//!   The client-credentials grant, the revoke request and the userInfo request
//!   ([`UserInfo::from_response`], [`revoke_response`]) are built and read here too.
//! - [`Verifier`]: ID- and access-token verification against the pool's JWKS (RS256, `kid`,
//!   `iss`, `aud` or `client_id` among one or several app clients, `token_use`, `exp` with a
//!   small leeway, the `nonce`, required scopes and groups), with the keys cached by
//!   [`KeyCache`].
//! - [`blocking::Client`] (feature `blocking`, on by default): the same over HTTP with `ureq`.
//! - `asynchronous::Client` (feature `async`): the same with `reqwest` on tokio.
//! - `axum` (feature `axum`): an extractor for verified access tokens with RFC 6750
//!   rejections, and the login cookie for the code grant in a browser app.
//!
//! The core does no I/O: a token request is a method, URL, headers and form body; an answer
//! is read from a status and a body; verification is a pure function of a JWKS, a token and
//! the time. Both HTTP clients share one key-cache design: the keys are fetched outside any
//! lock, one fetch at a time, and handed to verifications as a shared snapshot.
//!
//! Tokens, codes, verifiers and the client secret never show in `Debug` output or in error
//! messages: they are newtypes ([`IdToken`], [`RefreshToken`], …) whose value comes out only
//! through `secret()`.
//!
//! # Use it from an app
//!
//! ```toml
//! [dependencies]
//! # a path or git dependency on this repository's `oauth/` crate
//! cognito-oauth = { path = "../toyseven-cognito/oauth" }
//! # an async app with axum (the async client, the extractor, the login cookie):
//! # cognito-oauth = { path = "../toyseven-cognito/oauth", default-features = false, features = ["axum"] }
//! # an app that sends the requests itself:
//! # cognito-oauth = { path = "../toyseven-cognito/oauth", default-features = false }
//! ```
//!
//! # Example: sign a user in, then trust their tokens
//!
//! ```no_run
//! # #[cfg(not(feature = "blocking"))] fn main() {}
//! # #[cfg(feature = "blocking")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_oauth::blocking::Client;
//! use cognito_oauth::{AuthorizeOptions, Endpoints, HostedDomain, OAuthClient};
//!
//! let endpoints = Endpoints::aws("eu-west-1", "eu-west-1_AbC123xyz", &HostedDomain::Prefix("myapp".into()))?;
//! // The redirect URI must equal one of the app client's callback URLs byte for byte.
//! let oauth = OAuthClient::new(endpoints, "1example23456789", "http://localhost:3000/callback");
//! // A server that keeps the client's secret adds: .with_client_secret(secret)
//! let client = Client::new(oauth);
//!
//! // 1. Send the browser to the hosted UI; keep `pending` (in the session) until the callback.
//! let (url, pending) = client.oauth().start_login(&AuthorizeOptions::scopes(["openid", "email"]));
//! println!("open {url}");
//!
//! // 2. The browser comes back to the callback URL; check its state and take the code.
//! let callback = "http://localhost:3000/callback?code=…&state=…"; // from the request
//! let code = pending.code_from_callback(callback)?;
//!
//! // 3. Exchange the code; an `invalid_client` or `invalid_grant` comes back typed.
//! let tokens = match client.exchange_code(&code, &pending) {
//!     Ok(tokens) => tokens,
//!     Err(cognito_oauth::blocking::Error::Token(cognito_oauth::TokenError::OAuth(error))) => {
//!         return Err(format!("{error}. {}", error.hint()).into());
//!     }
//!     Err(other) => return Err(other.into()),
//! };
//!
//! // 4. Verify the ID token (signature, issuer, audience, expiry, nonce) before using it.
//! let id_token = tokens.id_token.as_ref().ok_or("no ID token: request the openid scope")?;
//! let claims = client.verify_id_token(id_token.secret(), Some(pending.nonce()))?;
//! println!("signed in: {} ({:?})", claims.subject(), claims.email());
//!
//! // An API checks each request's access token the same way.
//! let access = client.verify_access_token(tokens.access_token.secret())?;
//! assert!(access.scopes().contains(&"openid"));
//!
//! // Later: new tokens from the refresh token, and a way out.
//! if let Some(refresh_token) = &tokens.refresh_token {
//!     let renewed = client.refresh(refresh_token)?;
//!     client.verify_id_token(renewed.id_token.as_ref().ok_or("no ID token")?.secret(), None)?;
//! }
//! println!("sign out at {}", client.oauth().logout_url("http://localhost:3000/"));
//! # Ok(())
//! # }
//! ```
//!
//! # Example: an async API with axum, and a machine client
//!
//! ```no_run
//! # #[cfg(not(feature = "axum"))] fn main() {}
//! # #[cfg(feature = "axum")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::{Json, Router, routing::get};
//! use cognito_oauth::asynchronous::Client;
//! use cognito_oauth::axum::AccessClaims;
//! use cognito_oauth::{Endpoints, HostedDomain, OAuthClient, Verifier};
//!
//! async fn orders(AccessClaims(claims): AccessClaims) -> Json<Vec<String>> {
//!     Json(claims.groups().into_iter().map(str::to_owned).collect())
//! }
//!
//! let endpoints = Endpoints::aws("eu-west-1", "eu-west-1_AbC123xyz", &HostedDomain::Prefix("toyseven".into()))?;
//! let oauth = OAuthClient::new(endpoints.clone(), "web-client-id", "https://app.example.com");
//! // Accept the web app's and the mobile app's tokens; require a scope and a group.
//! let verifier = Verifier::for_clients(endpoints.issuer(), ["web-client-id", "mobile-client-id"])
//!     .require_scopes(["toyseven-api/read"])
//!     .require_groups(["members"]);
//! let client = Client::new(oauth).with_verifier(verifier); // cheap to clone; one key cache
//! let app: Router = Router::new().route("/api/orders", get(orders)).with_state(client);
//! # let _ = app;
//!
//! // A backend client with a secret gets an access token for itself.
//! let secret = "the-client-secret";
//! let machine = Client::new(OAuthClient::new(endpoints, "backend-client-id", "").with_client_secret(secret));
//! let tokens = machine.client_credentials(&["toyseven-api/read"]).await?; // an access token only
//! # let _ = tokens;
//! # Ok(()) }
//! # #[cfg(feature = "axum")] fn main() {}
//! ```
//!
//! # Example: the same without I/O, for an async app
//!
//! ```
//! use std::time::{Instant, SystemTime};
//! use cognito_oauth::{AuthorizationCode, Endpoints, KeyCache, OAuthClient, PendingLogin, Tokens, parse_jwks};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let endpoints = Endpoints::emulator("http://127.0.0.1:9229", "local_5xYz")?;
//! let oauth = OAuthClient::new(endpoints, "client123", "http://localhost:3000/callback");
//! let pending = PendingLogin::new();
//!
//! let request = oauth.exchange_request(&AuthorizationCode::new("code-from-callback"), &pending);
//! assert_eq!(request.method(), "POST");
//! // Send request.url(), request.headers() and request.body() with reqwest, hyper, …; then:
//! let (status, body) = (400, br#"{"error":"invalid_grant"}"#.as_slice());
//! let error = Tokens::from_response(status, body).unwrap_err();
//! assert!(error.to_string().contains("invalid_grant"));
//!
//! // Keys: fetch oauth.endpoints().jwks() when the cache asks for it.
//! let mut cache = KeyCache::new();
//! let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln";
//! if cache.needs_fetch(token, Instant::now()) {
//!     cache.store(parse_jwks(200, br#"{"keys":[]}"#)?);
//! }
//! let refused = oauth.verifier().verify_id_token(cache.keys(), token, None, SystemTime::now());
//! assert!(matches!(refused, Err(cognito_oauth::VerifyError::UnknownKeyId { .. })));
//! # Ok(())
//! # }
//! ```

//!
//! # Notes
//!
//! - Signatures are checked with `jsonwebtoken`'s RustCrypto backend. If an app's own
//!   dependencies also turn on its `aws_lc_rs` backend, `jsonwebtoken` cannot choose one by
//!   itself: install one at start-up with
//!   `jsonwebtoken::crypto::CryptoProvider::install_default`.
//! - The `blocking` feature's HTTPS uses rustls with the `ring` provider and the webpki
//!   roots; plain `http://` (a local emulator on loopback) needs no TLS.

#[cfg(feature = "async")]
pub mod asynchronous;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod endpoints;
mod keys;
mod pkce;
mod secret;
mod token;
mod user_info;
mod verify;

pub use client::{AuthorizeOptions, CallbackError, ClientAuth, OAuthClient, PendingLogin};
pub use endpoints::{ConfigError, Endpoints, HostedDomain, Issuer};
/// The JWK set type the verifier reads, re-exported so an app needs no `jsonwebtoken` of its own.
pub use jsonwebtoken::jwk::JwkSet;
pub use keys::{JwksError, KeyCache, parse_jwks};
pub use pkce::{Pkce, PkceError, random_string};
pub use secret::{AccessToken, AuthorizationCode, ClientSecret, IdToken, RefreshToken};
pub use token::{OAuthError, OAuthErrorCode, TokenError, TokenRequest, Tokens};
/// URLs are `url::Url`, re-exported for the same reason.
pub use url::Url;
pub use user_info::{EndpointError, UserInfo, UserInfoRequest, revoke_response};
pub use verify::{Claims, TokenUse, Verifier, VerifyError, key_id};
