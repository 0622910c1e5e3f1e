//! The axum integration through `tower::ServiceExt::oneshot`: a route behind the
//! `AccessClaims` extractor answers a valid token, and refuses the others as RFC 6750 says
//! (401 `invalid_token` for a wrong audience or an expired token, 403 `insufficient_scope`
//! with the scope needed, 400 for a malformed header, a bare challenge with no token); and
//! the login cookie's attributes and round trip.

#![cfg(feature = "axum")]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::get;
use cognito_oauth::asynchronous::Client;
use cognito_oauth::axum::{AccessClaims, LoginCookie};
use cognito_oauth::{Endpoints, KeyCache, OAuthClient, PendingLogin, Pkce};
use common::{CLIENT_ID, TestKey, access_claims, jwks, now, with};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A port nothing listens on: the keys are preloaded, so a fetch would be a test failure.
const ENDPOINT: &str = "http://127.0.0.1:9";
const POOL: &str = "local_TestPool1";

fn client() -> Client {
    let endpoints = Endpoints::emulator(ENDPOINT, POOL).unwrap();
    let mut keys = KeyCache::new();
    keys.store(jwks(&[&TestKey::a("k1")]));
    Client::new(OAuthClient::new(endpoints, CLIENT_ID, "http://localhost:3000")).with_key_cache(keys)
}

fn issuer() -> String {
    format!("{ENDPOINT}/{POOL}")
}

async fn me(AccessClaims(claims): AccessClaims) -> String {
    claims.groups().join(",")
}

fn app(client: Client) -> Router {
    Router::new().route("/api/me", get(me)).with_state(client)
}

async fn call(client: Client, authorization: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::get("/api/me");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app(client).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, challenge, body)
}

fn bearer(claims: &Value) -> String {
    format!("Bearer {}", TestKey::a("k1").sign(claims))
}

#[tokio::test]
async fn a_valid_access_token_reaches_the_handler_with_its_claims() {
    let (status, challenge, body) = call(client(), Some(&bearer(&access_claims(&issuer(), now())))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(challenge, None);
    assert_eq!(body, json!("members"));
}

#[tokio::test]
async fn a_token_for_another_client_is_refused_401_invalid_token() {
    let claims = with(access_claims(&issuer(), now()), "client_id", json!("another-client"));
    let (status, challenge, body) = call(client(), Some(&bearer(&claims))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = challenge.unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token", error_description=""#),
        "{challenge}"
    );
    assert!(
        challenge.contains("another-client") && !challenge[7..].contains("\"another"),
        "{challenge}"
    );
    assert_eq!(body["error"], "invalid_token");
}

#[tokio::test]
async fn an_expired_token_is_refused_401_invalid_token() {
    let claims = with(access_claims(&issuer(), now()), "exp", json!(now() - 3600));
    let (status, challenge, _) = call(client(), Some(&bearer(&claims))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let challenge = challenge.unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#) && challenge.contains("expired"),
        "{challenge}"
    );
}

#[tokio::test]
async fn a_token_without_the_routes_scope_is_refused_403_insufficient_scope_naming_it() {
    let needs_orders = client();
    let verifier = needs_orders.verifier().clone().require_scopes(["orders/read"]);
    let needs_orders = needs_orders.with_verifier(verifier);
    let (status, challenge, body) = call(needs_orders, Some(&bearer(&access_claims(&issuer(), now())))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let challenge = challenge.unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(challenge.ends_with(r#"scope="orders/read""#), "{challenge}");
    assert_eq!(body["error"], "insufficient_scope");
}

#[tokio::test]
async fn no_token_gets_a_bare_challenge_and_a_malformed_header_400_invalid_request() {
    let (status, challenge, _) = call(client(), None).await;
    assert_eq!(
        (status, challenge.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer"))
    );
    let (status, challenge, _) = call(client(), Some("Basic dXNlcjpwYXNz")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(challenge.unwrap().contains(r#"error="invalid_request""#));
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_answer_503_not_a_token_error() {
    // A kid the cache lacks makes the client fetch from a port nothing listens on.
    let token = format!("Bearer {}", TestKey::b("k2").sign(&access_claims(&issuer(), now())));
    let (status, challenge, _) = call(client(), Some(&token)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(challenge, None);
}

#[test]
fn the_login_cookie_is_http_only_lax_secure_over_https_and_round_trips() {
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let pending = PendingLogin::from_parts("st4te", "n0nce", pkce);
    let local = LoginCookie::for_redirect_uri("http://localhost:3000");
    let set = local.set(&pending);
    let set = set.to_str().unwrap();
    assert!(set.starts_with("cognito_login="), "{set}");
    for attribute in ["; HttpOnly", "; SameSite=Lax", "; Path=/", "; Max-Age=600"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    assert!(
        !set.contains("Secure"),
        "http://localhost cannot keep a Secure cookie: {set}"
    );
    assert!(
        !set.contains("dBjftJeZ4CVP"),
        "the verifier is not readable as it is: {set}"
    );
    let https = LoginCookie::for_redirect_uri("https://app.example.com/callback").set(&pending);
    assert!(https.to_str().unwrap().ends_with("; Secure"));

    let value = set.split(';').next().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, format!("other=1; {value}").parse().unwrap());
    let back = local.get(&headers).expect("the cookie carries the pending login");
    assert_eq!((back.state(), back.nonce()), ("st4te", "n0nce"));
    assert_eq!(back.pkce().verifier(), pending.pkce().verifier());
    assert!(local.clear().to_str().unwrap().contains("Max-Age=0"));
}
