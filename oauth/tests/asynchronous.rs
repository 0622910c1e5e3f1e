//! The async client end to end against a fake Cognito served on 127.0.0.1 (a port the OS
//! picks) by the test itself: token (code, refresh, client credentials), revoke, userInfo and
//! the JWKS, answering as Cognito does; and the shared key cache under concurrent
//! verifications (one fetch for many tasks, one refetch for a flood of unknown key ids, no
//! task stuck behind a cancelled fetch).

#![cfg(feature = "async")]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_oauth::asynchronous::{Client, Error};
use cognito_oauth::{
    AccessToken, AuthorizationCode, Endpoints, OAuthClient, OAuthErrorCode, PendingLogin, Pkce, RefreshToken,
    TokenError, VerifyError,
};
use common::{CLIENT_ID, TestKey, access_claims, id_claims, jwks, now, with};
use serde_json::json;

const POOL: &str = "local_TestPool1";
const REDIRECT: &str = "http://localhost:3000/callback";
const SECRET: &str = "s3cretvalue0123456789abcdef";

struct Fake {
    issuer: String,
    jwks: cognito_oauth::JwkSet,
    jwks_fetches: usize,
    jwks_delay: Duration,
    signer: TestKey,
    secret: Option<String>,
    requests: Vec<Seen>,
    revoked: Vec<String>,
}

type Shared = Arc<Mutex<Fake>>;

/// A request the fake saw: its path, headers and form.
type Seen = (String, HashMap<String, String>, HashMap<String, String>);

struct Server {
    port: u16,
    fake: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start(secret: Option<&str>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = Arc::new(Mutex::new(Fake {
            issuer: format!("http://127.0.0.1:{port}/{POOL}"),
            jwks: jwks(&[&TestKey::a("k1")]),
            jwks_fetches: 0,
            jwks_delay: Duration::ZERO,
            signer: TestKey::a("k1"),
            secret: secret.map(str::to_owned),
            requests: Vec::new(),
            revoked: Vec::new(),
        }));
        let app = Router::new()
            .route(&format!("/{POOL}/.well-known/jwks.json"), get(serve_jwks))
            .route("/oauth2/token", post(token))
            .route("/oauth2/revoke", post(revoke))
            .route("/oauth2/userInfo", get(user_info))
            .with_state(fake.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { port, fake, task }
    }

    fn client(&self) -> OAuthClient {
        let endpoints = Endpoints::emulator(&format!("http://127.0.0.1:{}", self.port), POOL).unwrap();
        OAuthClient::new(endpoints, CLIENT_ID, REDIRECT)
    }

    fn fake(&self) -> std::sync::MutexGuard<'_, Fake> {
        self.fake.lock().unwrap()
    }
}

async fn serve_jwks(State(fake): State<Shared>) -> Response {
    let (delay, body) = {
        let mut fake = fake.lock().unwrap();
        fake.jwks_fetches += 1;
        (fake.jwks_delay, serde_json::to_string(&fake.jwks).unwrap())
    };
    tokio::time::sleep(delay).await;
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn oauth_error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({ "error": code }))).into_response()
}

/// Cognito's check of the client: with a secret, the request must carry it by Basic.
fn client_ok(fake: &Fake, headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let basic = fake
        .secret
        .as_ref()
        .map(|secret| format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{secret}"))));
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match &basic {
        Some(expected) => sent == Some(expected.as_str()),
        None => form.get("client_id").map(String::as_str) == Some(CLIENT_ID),
    }
}

fn record(fake: &mut Fake, path: &str, headers: &HeaderMap, form: &HashMap<String, String>) {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    fake.requests.push((path.to_owned(), headers, form.clone()));
}

async fn token(State(fake): State<Shared>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut fake = fake.lock().unwrap();
    record(&mut fake, "/oauth2/token", &headers, &form);
    if !client_ok(&fake, &headers, &form) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let now = now();
    let access = access_claims(&fake.issuer, now);
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {
            // Cognito gives a machine client only an access token, and only with a secret.
            if fake.secret.is_none() {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
            }
            let machine = with(access, "scope", json!(form.get("scope").cloned().unwrap_or_default()));
            let machine = with(machine, "cognito:groups", serde_json::Value::Null);
            let body = json!({
                "access_token": fake.signer.sign(&machine),
                "expires_in": 3600,
                "token_type": "Bearer",
            });
            return axum::Json(body).into_response();
        }
        Some("authorization_code") => {
            let verifier = Pkce::from_verifier(form.get("code_verifier").cloned().unwrap_or_default());
            let pkce_ok = verifier.is_ok_and(|p| p.verifier() == pending().pkce().verifier());
            if form.get("code").map(String::as_str) != Some("good-code") || !pkce_ok {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
        }
        Some("refresh_token") => {
            let token = form.get("refresh_token").cloned().unwrap_or_default();
            if token != "refresh-token-value" || fake.revoked.contains(&token) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
        }
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
    let id = with(id_claims(&fake.issuer, now), "nonce", json!("n0nce"));
    let body = json!({
        "id_token": fake.signer.sign(&id),
        "access_token": fake.signer.sign(&access),
        "refresh_token": "refresh-token-value",
        "expires_in": 3600,
        "token_type": "Bearer",
    });
    axum::Json(body).into_response()
}

/// Cognito's revoke: 200 and an empty body; `unsupported_token_type` for a JWT (an ID or
/// access token); `invalid_client` as at the token endpoint.
async fn revoke(State(fake): State<Shared>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut fake = fake.lock().unwrap();
    record(&mut fake, "/oauth2/revoke", &headers, &form);
    if !client_ok(&fake, &headers, &form) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let token = form.get("token").cloned().unwrap_or_default();
    if token.split('.').count() == 3 {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type");
    }
    fake.revoked.push(token);
    StatusCode::OK.into_response()
}

/// Cognito's userInfo: the attributes for a valid access token; a 401 with RFC 6750's
/// `WWW-Authenticate` otherwise.
async fn user_info(State(fake): State<Shared>, headers: HeaderMap) -> Response {
    let fake = fake.lock().unwrap();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let keys = fake.jwks.clone();
    let verifier = cognito_oauth::Verifier::new(
        &cognito_oauth::Issuer::emulator(&fake.issuer.replace(&format!("/{POOL}"), ""), POOL).unwrap(),
        CLIENT_ID,
    );
    match bearer.map(|token| verifier.verify_access_token(&keys, token, std::time::SystemTime::now())) {
        Some(Ok(claims)) => axum::Json(json!({
            "sub": claims.subject(),
            "email": "person@example.com",
            "email_verified": "true",
            "username": claims.username(),
        }))
        .into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                r#"Bearer error="invalid_token", error_description="Access token is expired or revoked""#,
            )],
        )
            .into_response(),
    }
}

fn pending() -> PendingLogin {
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    PendingLogin::from_parts("st4te", "n0nce", pkce)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_exchanges_the_code_refreshes_and_verifies_with_keys_fetched_once() {
    let server = Server::start(None).await;
    let client = Client::new(server.client());
    let tokens = client
        .exchange_code(&AuthorizationCode::new("good-code"), &pending())
        .await
        .unwrap();
    let claims = client
        .verify_id_token(tokens.id_token.as_ref().unwrap().secret(), Some("n0nce"))
        .await
        .unwrap();
    assert_eq!(claims.email(), Some("person@example.com"));
    client.verify_access_token(tokens.access_token.secret()).await.unwrap();
    let renewed = client.refresh(tokens.refresh_token.as_ref().unwrap()).await.unwrap();
    client
        .verify_id_token(renewed.id_token.as_ref().unwrap().secret(), None)
        .await
        .unwrap();
    let fake = server.fake();
    assert_eq!(fake.jwks_fetches, 1, "the keys are fetched once and then cached");
    let (_, headers, form) = &fake.requests[0];
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code_verifier"], pending().pkce().verifier());
    assert!(
        !headers.contains_key("authorization"),
        "a public client sends no secret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_give_a_machine_client_an_access_token_and_a_public_client_invalid_client() {
    let server = Server::start(Some(SECRET)).await;
    let machine = Client::new(server.client().with_client_secret(SECRET));
    let tokens = machine.client_credentials(&["orders/read"]).await.unwrap();
    assert!(tokens.id_token.is_none() && tokens.refresh_token.is_none());
    let claims = machine
        .verify_access_token_with(
            &machine.verifier().clone().require_scopes(["orders/read"]),
            tokens.access_token.secret(),
        )
        .await
        .unwrap();
    assert_eq!(claims.scopes(), vec!["orders/read"]);
    assert_eq!(server.fake().requests[0].2["scope"], "orders/read");

    let public = Client::new(server.client());
    match public.client_credentials::<&str>(&[]).await {
        Err(Error::Token(TokenError::OAuth(error))) => assert_eq!(error.code, OAuthErrorCode::InvalidClient),
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_ends_the_refresh_token_and_refuses_a_jwt_as_unsupported_token_type() {
    let server = Server::start(Some(SECRET)).await;
    let client = Client::new(server.client().with_client_secret(SECRET));
    let refresh = RefreshToken::new("refresh-token-value");
    client.revoke(&refresh).await.unwrap();
    {
        let fake = server.fake();
        let (path, headers, form) = fake.requests.last().unwrap();
        assert_eq!(path, "/oauth2/revoke");
        assert_eq!(form["token"], "refresh-token-value");
        assert!(headers["authorization"].starts_with("Basic "));
    }
    match client.refresh(&refresh).await {
        Err(Error::Token(TokenError::OAuth(error))) => assert_eq!(error.code, OAuthErrorCode::InvalidGrant),
        other => panic!("a revoked refresh token must be refused, got {other:?}"),
    }
    let jwt = RefreshToken::new("a.b.c");
    let error = client.revoke(&jwt).await.unwrap_err();
    assert!(
        matches!(&error, Error::Endpoint(e) if e.code() == Some(&OAuthErrorCode::UnsupportedTokenType)),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_info_gives_the_attributes_and_a_refused_token_a_typed_invalid_token() {
    let server = Server::start(None).await;
    let client = Client::new(server.client());
    let tokens = client
        .exchange_code(&AuthorizationCode::new("good-code"), &pending())
        .await
        .unwrap();
    let info = client.user_info(&tokens.access_token).await.unwrap();
    assert_eq!(info.email(), Some("person@example.com"));
    let error = client.user_info(&AccessToken::new("not.a.token")).await.unwrap_err();
    let Error::Endpoint(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(error.code(), Some(&OAuthErrorCode::InvalidToken));
    assert!(error.to_string().contains("expired or revoked"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_verifications_on_a_cold_cache_share_one_fetch() {
    let server = Server::start(None).await;
    server.fake().jwks_delay = Duration::from_millis(300);
    let client = Client::new(server.client());
    let token = TestKey::a("k1").sign(&access_claims(&server.fake().issuer, now()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (client, token) = (client.clone(), token.clone());
            tokio::spawn(async move { client.verify_access_token(&token).await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.fake().jwks_fetches, 1, "twenty tasks, one fetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_flood_of_unknown_kids_costs_one_refetch_and_known_keys_still_verify() {
    let server = Server::start(None).await;
    let client = Client::new(server.client());
    let issuer = server.fake().issuer.clone();
    let good = TestKey::a("k1").sign(&access_claims(&issuer, now()));
    client.verify_access_token(&good).await.unwrap();
    server.fake().jwks_delay = Duration::from_millis(200);
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let client = client.clone();
            let token = TestKey::b(&format!("invented-{i}")).sign(&access_claims(&issuer, now()));
            tokio::spawn(async move { client.verify_access_token(&token).await })
        })
        .collect();
    // While the refetch is in flight, a token with a cached key does not wait for it.
    let started = std::time::Instant::now();
    client.verify_access_token(&good).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
    for task in tasks {
        let error = task.await.unwrap().unwrap_err();
        assert!(
            matches!(error, Error::Verify(VerifyError::UnknownKeyId { .. })),
            "{error:?}"
        );
    }
    assert_eq!(server.fake().jwks_fetches, 2, "the first load and one refetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_fetch_leaves_no_task_waiting_for_it() {
    let server = Server::start(None).await;
    server.fake().jwks_delay = Duration::from_millis(500);
    let client = Client::new(server.client());
    let token = TestKey::a("k1").sign(&access_claims(&server.fake().issuer, now()));
    let cancelled = tokio::time::timeout(Duration::from_millis(50), client.verify_access_token(&token)).await;
    assert!(cancelled.is_err(), "the first verification was cut short mid-fetch");
    server.fake().jwks_delay = Duration::ZERO;
    let verified = tokio::time::timeout(Duration::from_secs(5), client.verify_access_token(&token)).await;
    verified
        .expect("the next verification fetches itself instead of waiting forever")
        .unwrap();
}
