//! The blocking client end to end against a tiny token endpoint and JWKS served on
//! 127.0.0.1 by the test itself: the exchange, the refresh, verification with fetched keys,
//! one refetch when the keys rotate, and no more for a flood of unknown key ids.

#![cfg(feature = "blocking")]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_oauth::blocking::{Client, Error};
use cognito_oauth::{
    AuthorizationCode, Endpoints, JwksError, KeyCache, OAuthClient, OAuthErrorCode, PendingLogin, Pkce, TokenError,
    VerifyError,
};
use common::{CLIENT_ID, TestKey, access_claims, id_claims, jwks, now, with};
use serde_json::json;

const POOL: &str = "local_TestPool1";
const REDIRECT: &str = "http://localhost:3000/callback";
const SECRET: &str = "s3cretvalue0123456789abcdef";

/// What the fake Cognito serves and what it saw.
struct State {
    issuer: String,
    jwks: cognito_oauth::JwkSet,
    jwks_status: u16,
    jwks_fetches: usize,
    /// How long the JWKS answer takes.
    jwks_delay: Duration,
    /// The key that signs the tokens the next request gets.
    signer: TestKey,
    /// The secret the client must send by Basic, if any.
    secret: Option<String>,
    token_requests: Vec<Request>,
}

#[derive(Debug, Clone)]
struct Request {
    headers: HashMap<String, String>,
    form: HashMap<String, String>,
}

struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(secret: Option<&str>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            issuer: format!("http://127.0.0.1:{port}/{POOL}"),
            jwks: jwks(&[&TestKey::a("k1")]),
            jwks_status: 200,
            jwks_fetches: 0,
            jwks_delay: Duration::ZERO,
            signer: TestKey::a("k1"),
            secret: secret.map(str::to_owned),
            token_requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &state);
                    }
                }
            })
        };
        Server {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    fn client(&self) -> OAuthClient {
        let endpoints = Endpoints::emulator(&format!("http://127.0.0.1:{}", self.port), POOL).unwrap();
        OAuthClient::new(endpoints, CLIENT_ID, REDIRECT)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return; // the wake-up connection
    }
    let mut words = line.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or("").to_owned(),
        words.next().unwrap_or("").to_owned(),
    );
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();

    if path == format!("/{POOL}/.well-known/jwks.json") {
        let delay = state.lock().unwrap().jwks_delay;
        std::thread::sleep(delay);
    }
    let mut state = state.lock().unwrap();
    let (status, answer) = match (method.as_str(), path.as_str()) {
        ("GET", p) if p == format!("/{POOL}/.well-known/jwks.json") => {
            state.jwks_fetches += 1;
            (state.jwks_status, serde_json::to_string(&state.jwks).unwrap())
        }
        ("POST", "/oauth2/token") => {
            let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
            state.token_requests.push(Request {
                headers: headers.clone(),
                form: form.clone(),
            });
            token_answer(&state, &headers, &form)
        }
        _ => (404, "{}".to_owned()),
    };
    let mut stream = &stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// Cognito's answers: `invalid_client` for a missing or wrong Basic secret, `invalid_grant`
/// for a code or verifier it did not issue, tokens otherwise.
fn token_answer(state: &State, headers: &HashMap<String, String>, form: &HashMap<String, String>) -> (u16, String) {
    let error = |status: u16, code: &str| (status, json!({ "error": code }).to_string());
    if let Some(secret) = &state.secret {
        let expected = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{secret}")));
        if headers.get("authorization") != Some(&expected) {
            return error(400, "invalid_client");
        }
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return error(400, "invalid_client");
    }
    let now = now();
    let id = with(id_claims(&state.issuer, now), "nonce", json!("n0nce"));
    let access = access_claims(&state.issuer, now);
    let mut tokens = json!({
        "id_token": state.signer.sign(&id),
        "access_token": state.signer.sign(&access),
        "expires_in": 3600,
        "token_type": "Bearer",
    });
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let verifier = Pkce::from_verifier(form.get("code_verifier").cloned().unwrap_or_default());
            let pkce_ok = verifier.is_ok_and(|p| p.verifier() == pending().pkce().verifier());
            if form.get("code").map(String::as_str) != Some("good-code")
                || form.get("redirect_uri").map(String::as_str) != Some(REDIRECT)
                || !pkce_ok
            {
                return error(400, "invalid_grant");
            }
            tokens["refresh_token"] = json!("refresh-token-value");
        }
        Some("refresh_token") if form.get("refresh_token").map(String::as_str) == Some("refresh-token-value") => {}
        Some("refresh_token") => return error(400, "invalid_grant"),
        _ => return error(400, "unsupported_grant_type"),
    }
    (200, tokens.to_string())
}

fn pending() -> PendingLogin {
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    PendingLogin::from_parts("st4te", "n0nce", pkce)
}

#[test]
fn a_public_client_signs_in_refreshes_and_refetches_the_keys_once_when_they_rotate() {
    let server = Server::start(None);
    let client = Client::new(server.client());

    let code = pending()
        .code_from_callback(&format!("{REDIRECT}?code=good-code&state=st4te"))
        .unwrap();
    let tokens = client.exchange_code(&code, &pending()).unwrap();
    {
        let state = server.state();
        let sent = &state.token_requests[0];
        assert_eq!(sent.form["grant_type"], "authorization_code");
        assert_eq!(sent.form["code_verifier"], pending().pkce().verifier());
        assert_eq!(sent.form["redirect_uri"], REDIRECT);
        assert!(
            !sent.headers.contains_key("authorization"),
            "a public client sends no secret"
        );
    }

    let id_token = tokens.id_token.as_ref().unwrap();
    let claims = client
        .verify_id_token(id_token.secret(), Some(pending().nonce()))
        .unwrap();
    assert_eq!(claims.email(), Some("person@example.com"));
    client.verify_access_token(tokens.access_token.secret()).unwrap();
    assert_eq!(
        server.state().jwks_fetches,
        1,
        "the keys are fetched once and then cached"
    );

    // The pool's keys rotate: new tokens are signed with k2, which the cache has not seen.
    {
        let mut state = server.state();
        state.jwks = jwks(&[&TestKey::a("k1"), &TestKey::b("k2")]);
        state.signer = TestKey::b("k2");
    }
    let renewed = client.refresh(tokens.refresh_token.as_ref().unwrap()).unwrap();
    assert!(renewed.refresh_token.is_none());
    client
        .verify_id_token(renewed.id_token.as_ref().unwrap().secret(), None)
        .unwrap();
    assert_eq!(server.state().jwks_fetches, 2, "one refetch for the unknown kid");
    client.verify_access_token(renewed.access_token.secret()).unwrap();
    assert_eq!(server.state().jwks_fetches, 2, "k2 is cached now");

    // A flood of tokens naming a key the pool does not have: refused, with no more fetches
    // within the refetch interval.
    let stranger = TestKey::a("k3").sign(&id_claims(&server.state().issuer, now()));
    for _ in 0..5 {
        let error = client.verify_id_token(&stranger, None).unwrap_err();
        assert!(
            matches!(&error, Error::Verify(VerifyError::UnknownKeyId { kid }) if kid == "k3"),
            "{error:?}"
        );
    }
    assert_eq!(server.state().jwks_fetches, 2, "unknown kids are rate-limited");
}

#[test]
fn an_unknown_kid_refetches_again_once_the_interval_has_passed() {
    let server = Server::start(None);
    let client = Client::new(server.client()).with_key_cache(KeyCache::new().with_refetch_interval(Duration::ZERO));
    let stranger = TestKey::a("k3").sign(&id_claims(&server.state().issuer, now()));
    for _ in 0..3 {
        assert!(client.verify_id_token(&stranger, None).is_err());
    }
    // The first token loads the keys; each later one refetches, since the interval is zero.
    assert_eq!(server.state().jwks_fetches, 3);
}

#[test]
fn a_confidential_client_sends_its_secret_by_basic_and_a_wrong_one_gets_a_typed_invalid_client() {
    let server = Server::start(Some(SECRET));
    let client = Client::new(server.client().with_client_secret(SECRET));
    let tokens = client
        .exchange_code(&AuthorizationCode::new("good-code"), &pending())
        .unwrap();
    assert!(tokens.refresh_token.is_some());

    let wrong = Client::new(server.client().with_client_secret("not-the-secret-value-at-all"));
    let error = wrong
        .exchange_code(&AuthorizationCode::new("good-code"), &pending())
        .unwrap_err();
    let Error::Token(TokenError::OAuth(oauth)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(oauth.code, OAuthErrorCode::InvalidClient);
    assert_eq!(oauth.status, 400);
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("not-the-secret") && !shown.contains("good-code"),
        "{shown}"
    );

    let public = Client::new(server.client());
    let error = public
        .exchange_code(&AuthorizationCode::new("good-code"), &pending())
        .unwrap_err();
    assert!(matches!(error, Error::Token(TokenError::OAuth(ref e)) if e.code == OAuthErrorCode::InvalidClient));
}

#[test]
fn a_used_code_or_a_wrong_verifier_gets_a_typed_invalid_grant() {
    let server = Server::start(None);
    let client = Client::new(server.client());
    let error = client
        .exchange_code(&AuthorizationCode::new("used-code"), &pending())
        .unwrap_err();
    assert!(matches!(error, Error::Token(TokenError::OAuth(ref e)) if e.code == OAuthErrorCode::InvalidGrant));
    let other = PendingLogin::from_parts("st4te", "n0nce", Pkce::new());
    let error = client
        .exchange_code(&AuthorizationCode::new("good-code"), &other)
        .unwrap_err();
    assert!(matches!(error, Error::Token(TokenError::OAuth(ref e)) if e.code == OAuthErrorCode::InvalidGrant));
}

#[test]
fn a_jwks_endpoint_that_fails_makes_verification_fail_with_its_status() {
    let server = Server::start(None);
    server.state().jwks_status = 500;
    let client = Client::new(server.client());
    let token = TestKey::a("k1").sign(&id_claims(&server.state().issuer, now()));
    let error = client.verify_id_token(&token, None).unwrap_err();
    assert!(matches!(error, Error::Jwks(JwksError::Status(500))), "{error:?}");
}

#[test]
fn threads_verifying_at_once_on_a_cold_cache_share_one_fetch() {
    let server = Server::start(None);
    server.state().jwks_delay = Duration::from_millis(300);
    let client = Client::new(server.client());
    let token = TestKey::a("k1").sign(&id_claims(&server.state().issuer, now()));
    let start = std::sync::Barrier::new(8);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    client.verify_id_token(&token, None).map(|_| ())
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap().unwrap();
        }
    });
    assert_eq!(server.state().jwks_fetches, 1, "eight threads, one fetch");
}
