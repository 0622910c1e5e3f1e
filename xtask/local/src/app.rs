//! The example web app the local stack serves at `http://localhost:3000` (the spec's callback
//! and sign-out URL), built on `cognito_oauth`'s async client and axum integration as any app
//! would be:
//!
//! - `/` signed out: a "Sign in" link to `/login`, which keeps the login's `state`, `nonce`
//!   and PKCE verifier in the HttpOnly login cookie and redirects to the hosted UI, and a
//!   "Sign in with …" link for each provider the client lists
//!   (`/login?identity_provider=Google`: straight to that provider);
//! - `/?code=…&state=…` (the callback): checks `state` against the cookie, exchanges the code,
//!   verifies the ID token, keeps the tokens in a server-side session (the browser holds only
//!   an opaque session id in an HttpOnly cookie) and redirects to `/`, so no code is left in
//!   the address bar; `/?error=…` is shown as a sentence, except the answer of a first
//!   provider sign-in that pre-signup linked to an existing account (the README's "The first
//!   sign-in after a link"): that one is retried once with `identity_provider`, a one-shot
//!   cookie making a second such answer a sentence, never another redirect;
//! - `/` signed in: the user's email (masked), `sub`, the providers it signs in with
//!   (`identities`), groups and when the tokens expire, what the API
//!   route answered for the access token, a "Refresh" button (`POST /refresh`, the refresh
//!   grant) and a "Sign out" button (`POST /logout`, then the hosted UI's `/logout`, back here);
//! - `/api/me`: an API route behind the `AccessClaims` extractor (RFC 6750 rejections);
//! - `/verify?code=…&username=…`: the link in the sign-up email (`VERIFY_URL`), which confirms
//!   the sign-up with ConfirmSignUp.
//!
//! Tokens never go into a URL or the page's script. The POST routes need the session cookie,
//! which `SameSite=Lax` keeps off other sites' forms.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use cognito_oauth::asynchronous::Client;
use cognito_oauth::axum::{AccessClaims, CookieJar, LoginCookie};
use cognito_oauth::{
    AuthorizeOptions, CallbackError, Claims, Endpoints, OAuthClient, PendingLogin, Tokens, random_string,
};
use serde::Deserialize;
use tower::ServiceExt;
use trigger_common::mask_email;

use crate::Stack;

/// Where the app listens: the spec's callback URL is `http://localhost:3000`.
pub const ADDRESS: &str = "127.0.0.1:3000";

/// The session cookie: an opaque id into the server's session store.
const SESSION: &str = "app_session";

/// The provider the pending login went to (its index in `AppConfig::identity_providers`),
/// for the retry after a link.
const PROVIDER: &str = "app_provider";

/// The one-shot flag: set on the retry after a link, consumed by the next callback.
const RETRIED: &str = "app_link_retried";

/// What pre-signup's answer says after it linked the sign-in to an existing account
/// (`pre_signup::LINKED_MARKER`), and Cognito's own answer then.
pub const LINKED_MARKERS: [&str; 2] = ["linked to your existing account", "Already found an entry for username"];

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(
        "cannot serve the web app on {address}: {source}. The app client's callback and sign-out URL is \
         http://localhost:3000, so the app must listen on port 3000: stop whatever listens there \
         (`ss -ltnp 'sport = :3000'` shows it) and run again"
    )]
    PortTaken {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the web app could not start: {0}")]
    Start(#[from] std::io::Error),
}

/// What the app needs of the pool.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub endpoints: Endpoints,
    pub client_id: String,
    /// The callback URL (`http://localhost:3000`), also the app's own address.
    pub redirect_uri: String,
    /// Where the hosted UI's `/logout` sends the browser back.
    pub logout_uri: String,
    pub scopes: Vec<String>,
    /// The client's identity providers other than `COGNITO` (`Google`), each offered as
    /// "Sign in with …".
    pub identity_providers: Vec<String>,
    /// Whether the ID token must carry the login's nonce (Cognito's does; cognito-local's
    /// tokens have none).
    pub check_nonce: bool,
    /// For `/verify`'s ConfirmSignUp.
    pub cognito: cognito::Client,
}

impl AppConfig {
    /// The app for the local stack's pool and its first app client.
    pub fn for_stack(stack: &Stack) -> Self {
        let client = &stack.spec.clients[0];
        Self {
            endpoints: Endpoints::emulator(&stack.hosted_ui(), &stack.outputs.user_pool_id)
                .expect("cognito-local's address and pool id make endpoints"),
            client_id: stack.client_id().to_owned(),
            redirect_uri: stack.redirect_uri().to_owned(),
            logout_uri: client.logout_urls.first().cloned().unwrap_or_default(),
            scopes: client.oauth_scopes.clone(),
            identity_providers: client
                .identity_providers
                .iter()
                .filter(|p| p.as_str() != "COGNITO")
                .cloned()
                .collect(),
            check_nonce: false,
            cognito: stack.cognito.clone(),
        }
    }
}

/// One signed-in browser.
struct Session {
    tokens: Tokens,
    claims: Claims,
    refreshed: usize,
}

#[derive(Clone)]
struct AppState {
    config: Arc<AppConfig>,
    client: Client,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    login: LoginCookie,
    jar: CookieJar,
    /// The API routes, called in process by the signed-in page with the session's token.
    api: Router,
}

impl axum::extract::FromRef<AppState> for Client {
    fn from_ref(state: &AppState) -> Self {
        state.client.clone()
    }
}

impl AppState {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The app's routes.
pub fn router(config: AppConfig) -> Router {
    let oauth = OAuthClient::new(config.endpoints.clone(), &config.client_id, &config.redirect_uri);
    let client = Client::new(oauth);
    let api = Router::new().route("/api/me", get(api_me)).with_state(client.clone());
    let state = AppState {
        login: LoginCookie::for_redirect_uri(&config.redirect_uri),
        jar: CookieJar::for_url(&config.redirect_uri),
        config: Arc::new(config),
        client,
        sessions: Arc::default(),
        api: api.clone(),
    };
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/verify", get(verify))
        .with_state(state)
        .merge(api)
}

/// The app, served on its own thread and runtime until dropped.
pub struct App {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("address", &self.address).finish()
    }
}

impl App {
    /// Binds `address` (a taken port is an error naming it) and serves the app there.
    pub fn start(config: AppConfig, address: SocketAddr) -> Result<Self, AppError> {
        let listener = TcpListener::bind(address).map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied => {
                AppError::PortTaken { address, source }
            }
            _ => AppError::Start(source),
        })?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(config);
        let thread = std::thread::Builder::new().name("web-app".into()).spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(error) => return eprintln!("the web app cannot listen: {error}"),
                };
                let served = axum::serve(listener, app).with_graceful_shutdown(async {
                    let _ = stopped.await;
                });
                if let Err(error) = served.await {
                    eprintln!("the web app stopped: {error}");
                }
            });
        })?;
        Ok(Self {
            address,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Serves the local stack's app on `ADDRESS`.
    pub fn start_for(stack: &Stack) -> Result<Self, AppError> {
        Self::start(AppConfig::for_stack(stack), ADDRESS.parse().expect("a socket address"))
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn home(State(app): State<AppState>, headers: HeaderMap, uri: Uri, Query(callback): Query<Callback>) -> Response {
    if callback.code.is_some() || callback.error.is_some() || callback.state.is_some() {
        return finish_login(&app, &headers, &uri).await;
    }
    let session = app.jar.get(&headers, SESSION).map(str::to_owned);
    let shown = session.as_deref().and_then(|id| {
        let sessions = app.sessions();
        sessions.get(id).map(|s| {
            (
                s.claims.clone(),
                s.tokens.access_token.clone(),
                s.tokens.refresh_token.is_some(),
                s.refreshed,
            )
        })
    });
    let Some((claims, access_token, can_refresh, refreshed)) = shown else {
        let providers: String = app
            .config
            .identity_providers
            .iter()
            .map(|name| {
                let query = url_encode(name);
                let id = escape(&name.to_ascii_lowercase());
                let name = escape(name);
                format!(
                    "\n<p><a id=\"sign-in-{id}\" href=\"/login?identity_provider={query}\">Sign in with {name}</a></p>"
                )
            })
            .collect();
        return page(
            StatusCode::OK,
            "Signed out",
            &format!("<p>You are signed out.</p>\n<p><a id=\"sign-in\" href=\"/login\">Sign in</a></p>{providers}"),
        );
    };
    // The page calls the API route as a client of it would, with the session's access token;
    // the token stays on the server.
    let api = app
        .api
        .clone()
        .oneshot(
            Request::get("/api/me")
                .header("authorization", format!("Bearer {}", access_token.secret()))
                .body(axum::body::Body::empty())
                .expect("a request"),
        )
        .await;
    let api = match api {
        Ok(response) => {
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap_or_default();
            format!("{} {}", status.as_u16(), String::from_utf8_lossy(&body))
        }
        Err(never) => match never {},
    };
    let email = claims.email().map(mask_email).unwrap_or_else(|| "(no email)".into());
    let identities = identity_providers(&claims);
    let identities = if identities.is_empty() {
        "(none: signed up here)".to_owned()
    } else {
        identities.join(", ")
    };
    let groups = claims.groups();
    let groups = if groups.is_empty() {
        "(none)".to_owned()
    } else {
        groups.join(", ")
    };
    let refresh = if can_refresh {
        "<form method=\"post\" action=\"/refresh\"><button id=\"refresh\" type=\"submit\">Refresh</button></form>"
    } else {
        "<p>No refresh token: sign in again when the tokens expire.</p>"
    };
    let body = format!(
        "<p>Signed in as <strong id=\"email\">{email}</strong></p>\n\
         <p>User (<code>sub</code>): <code id=\"sub\">{sub}</code></p>\n\
         <p>Signs in with providers (<code>identities</code>): <span id=\"identities\">{identities}</span></p>\n\
         <p>Groups: <span id=\"groups\">{groups}</span></p>\n\
         <p>Tokens expire: <span id=\"expires\">{expires}</span> (refreshed <span id=\"refreshed\">{refreshed}</span> times)</p>\n\
         <p>The API (<code>GET /api/me</code> with the access token) answered: <code id=\"api\">{api}</code></p>\n\
         {refresh}\n\
         <form method=\"post\" action=\"/logout\"><button id=\"sign-out\" type=\"submit\">Sign out</button></form>",
        email = escape(&email),
        sub = escape(claims.subject()),
        identities = escape(&identities),
        groups = escape(&groups),
        expires = escape(&expiry(claims.expires_at())),
        api = escape(&api),
    );
    page(StatusCode::OK, "Signed in", &body)
}

/// The callback: checks state against the login cookie, exchanges the code, verifies the ID
/// token, starts a session, and redirects to the clean address.
async fn finish_login(app: &AppState, headers: &HeaderMap, uri: &Uri) -> Response {
    // Every callback consumes the one-shot flag, whatever its outcome; only the retry sets it.
    let retried = app.jar.get(headers, RETRIED) == Some("1");
    let end = |sentence: &str| {
        let mut response = failed(app.login.clear(), sentence);
        response.headers_mut().append(SET_COOKIE, app.jar.clear(RETRIED));
        response.headers_mut().append(SET_COOKIE, app.jar.clear(PROVIDER));
        response
    };
    let Some(pending) = app.login.get(headers) else {
        return end("This sign-in was not started here, or took longer than 10 minutes: sign in again.");
    };
    let code = match pending.code_from_callback(uri.query().unwrap_or_default()) {
        Ok(code) => code,
        Err(CallbackError::Denied {
            description: Some(description),
            ..
        }) if is_linked(&description) => {
            if retried {
                return end(
                    "Your sign-in is linked to your existing account, but signing in again did not finish either: \
                     sign in again.",
                );
            }
            return retry_after_link(app, headers, &description);
        }
        Err(error) => return end(&callback_sentence(&error)),
    };
    let tokens = match app.client.exchange_code(&code, &pending).await {
        Ok(tokens) => tokens,
        Err(error) => return end(&format!("The sign-in could not be completed: {error}.")),
    };
    let Some(id_token) = tokens.id_token.as_ref() else {
        return end("The sign-in gave no ID token: the app client must allow the openid scope.");
    };
    let nonce = app.config.check_nonce.then(|| pending.nonce());
    let claims = match app.client.verify_id_token(id_token.secret(), nonce).await {
        Ok(claims) => claims,
        Err(error) => return end(&format!("The ID token was refused: {error}.")),
    };
    let id = random_string();
    app.sessions().insert(
        id.clone(),
        Session {
            tokens,
            claims,
            refreshed: 0,
        },
    );
    let mut response = redirect("/");
    for cookie in [app.login.clear(), app.jar.clear(RETRIED), app.jar.clear(PROVIDER)] {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
        .headers_mut()
        .append(SET_COOKIE, app.jar.set(SESSION, &id, 12 * 3600));
    response
}

/// Whether a callback's `error_description` is the answer of a first provider sign-in that
/// pre-signup linked to an existing account.
pub fn is_linked(description: &str) -> bool {
    LINKED_MARKERS.iter().any(|marker| description.contains(marker))
}

/// The provider a linked answer came from: the one the login went to (its cookie), else
/// the one Cognito's own answer names (`Already found an entry for username Google_1083…`),
/// if the client lists it.
fn linked_provider<'a>(app: &'a AppState, headers: &HeaderMap, description: &str) -> Option<&'a str> {
    let providers = &app.config.identity_providers;
    let from_cookie = app
        .jar
        .get(headers, PROVIDER)
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| providers.get(index));
    let named = || {
        let username = description.split(LINKED_MARKERS[1]).nth(1)?.trim_start();
        providers
            .iter()
            .filter(|p| username.starts_with(&format!("{p}_")))
            .max_by_key(|p| p.len())
    };
    from_cookie.or_else(named).map(String::as_str)
}

/// The one retry after a link: the same client and scopes, `identity_provider`, a fresh
/// `state` and PKCE pair, and the one-shot flag set. The provider usually still has a
/// session, so the person sees no second prompt.
fn retry_after_link(app: &AppState, headers: &HeaderMap, description: &str) -> Response {
    let mut options = AuthorizeOptions::scopes(app.config.scopes.iter().cloned());
    if let Some(provider) = linked_provider(app, headers, description) {
        options = options.identity_provider(provider);
    }
    let pending = PendingLogin::new();
    let url = app.client.oauth().authorize_url(&options, &pending);
    let mut response = redirect(url.as_str());
    response.headers_mut().append(SET_COOKIE, app.login.set(&pending));
    response
        .headers_mut()
        .append(SET_COOKIE, app.jar.set(RETRIED, "1", LoginCookie::MAX_AGE_SECONDS));
    response
}

/// The providers a user signs in with, from the ID token's `identities`.
fn identity_providers(claims: &Claims) -> Vec<String> {
    let Some(serde_json::Value::Array(identities)) = claims.get("identities") else {
        return Vec::new();
    };
    identities
        .iter()
        .filter_map(|identity| identity.get("providerName")?.as_str())
        .map(str::to_owned)
        .collect()
}

/// A query value, percent-encoded.
fn url_encode(text: &str) -> String {
    cognito_oauth::Url::parse_with_params("http://x/", [("v", text)])
        .ok()
        .and_then(|url| url.query().map(|q| q["v=".len()..].to_owned()))
        .unwrap_or_default()
}

fn callback_sentence(error: &CallbackError) -> String {
    match error {
        CallbackError::Denied { error, description } => {
            let why = description.as_deref().unwrap_or(error.as_str());
            format!("The sign-in did not finish: the hosted UI answered \u{201c}{why}\u{201d} ({error}).")
        }
        CallbackError::StateMismatch | CallbackError::MissingState => {
            "This answer does not belong to the sign-in started here (its state differs): sign in again.".into()
        }
        CallbackError::Repeated(_) | CallbackError::MissingCode => {
            format!("The hosted UI's answer is malformed ({error}): sign in again.")
        }
    }
}

#[derive(Debug, Deserialize)]
struct Login {
    identity_provider: Option<String>,
}

/// Starts a login: with `identity_provider` (one the client lists), straight to that
/// provider, remembered in a cookie for the retry after a link.
async fn login(State(app): State<AppState>, Query(login): Query<Login>) -> Response {
    let mut options = AuthorizeOptions::scopes(app.config.scopes.iter().cloned());
    let provider = match login.identity_provider.as_deref() {
        None => None,
        Some(name) => match app.config.identity_providers.iter().position(|p| p == name) {
            Some(index) => {
                options = options.identity_provider(name);
                Some(index)
            }
            None => {
                return failed(
                    app.jar.clear(PROVIDER),
                    "This app does not offer that sign-in provider: choose one on the sign-in page.",
                );
            }
        },
    };
    let pending = PendingLogin::new();
    let url = app.client.oauth().authorize_url(&options, &pending);
    let mut response = redirect(url.as_str());
    response.headers_mut().append(SET_COOKIE, app.login.set(&pending));
    let provider = match provider {
        Some(index) => app.jar.set(PROVIDER, &index.to_string(), LoginCookie::MAX_AGE_SECONDS),
        None => app.jar.clear(PROVIDER),
    };
    response.headers_mut().append(SET_COOKIE, provider);
    // A new login is not a retry.
    response.headers_mut().append(SET_COOKIE, app.jar.clear(RETRIED));
    response
}

async fn refresh(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(id) = app.jar.get(&headers, SESSION).map(str::to_owned) else {
        return redirect("/");
    };
    let refresh_token = app.sessions().get(&id).and_then(|s| s.tokens.refresh_token.clone());
    let Some(refresh_token) = refresh_token else {
        return redirect("/");
    };
    let renewed = match app.client.refresh(&refresh_token).await {
        Ok(renewed) => renewed,
        Err(error) => {
            return failed(
                app.jar.clear(SESSION),
                &format!("The refresh failed: {error}. Sign in again."),
            );
        }
    };
    let Some(id_token) = renewed.id_token.as_ref() else {
        return failed(app.jar.clear(SESSION), "The refresh gave no ID token: sign in again.");
    };
    // A refreshed ID token carries no nonce (Cognito does not repeat it).
    let claims = match app.client.verify_id_token(id_token.secret(), None).await {
        Ok(claims) => claims,
        Err(error) => {
            return failed(
                app.jar.clear(SESSION),
                &format!("The refreshed ID token was refused: {error}."),
            );
        }
    };
    if let Some(session) = app.sessions().get_mut(&id) {
        // Cognito returns a new refresh token only when the client rotates them.
        let refresh_token = renewed.refresh_token.clone().or(session.tokens.refresh_token.take());
        session.tokens = Tokens {
            refresh_token,
            ..renewed
        };
        session.claims = claims;
        session.refreshed += 1;
    }
    redirect("/")
}

async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = app.jar.get(&headers, SESSION) {
        app.sessions().remove(id);
    }
    let url = app.client.oauth().logout_url(&app.config.logout_uri);
    let mut response = redirect(url.as_str());
    response.headers_mut().append(SET_COOKIE, app.jar.clear(SESSION));
    response
}

#[derive(Debug, Deserialize)]
struct Verification {
    code: Option<String>,
    username: Option<String>,
}

async fn verify(State(app): State<AppState>, Query(link): Query<Verification>) -> Response {
    let (Some(code), Some(username)) = (link.code, link.username) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Not confirmed",
            "<p id=\"message\">This link lacks its code or user name: open the link from the email as it came.</p>",
        );
    };
    let confirmed = app
        .config
        .cognito
        .confirm_sign_up()
        .client_id(&app.config.client_id)
        .username(&username)
        .confirmation_code(&code)
        .send()
        .await;
    match confirmed {
        Ok(_) => page(
            StatusCode::OK,
            "Confirmed",
            "<p id=\"message\">Your email address is confirmed.</p>\n<p><a id=\"sign-in\" href=\"/login\">Sign in</a></p>",
        ),
        Err(error) => {
            let sentence = match error.code() {
                Some("CodeMismatchException") => "The code in this link is not the one sent: open the latest email.",
                Some("ExpiredCodeException") => "The code in this link has expired: ask for a new one.",
                Some("NotAuthorizedException") => "This sign-up is already confirmed: sign in.",
                Some("UserNotFoundException") => "No sign-up matches this link.",
                _ => "The sign-up could not be confirmed now: try the link again later.",
            };
            page(
                StatusCode::BAD_REQUEST,
                "Not confirmed",
                &format!(
                    "<p id=\"message\">{}</p>\n<p><a href=\"/\">Home</a></p>",
                    escape(sentence)
                ),
            )
        }
    }
}

/// The API route: who the access token is for, and its groups and scopes.
async fn api_me(AccessClaims(claims): AccessClaims) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "sub": claims.subject(),
        "groups": claims.groups(),
        "scopes": claims.scopes(),
        "expires_at": claims.expires_at(),
    }))
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let value = HeaderValue::from_str(location).expect("an absolute or root-relative URL is a header value");
    response.headers_mut().insert(LOCATION, value);
    response
}

fn failed(clear: HeaderValue, sentence: &str) -> Response {
    let body = format!(
        "<p id=\"message\">{}</p>\n<p><a id=\"sign-in\" href=\"/login\">Sign in</a></p>",
        escape(sentence)
    );
    let mut response = page(StatusCode::BAD_REQUEST, "Not signed in", &body);
    response.headers_mut().append(SET_COOKIE, clear);
    response
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · toyseven</title></head>\n\
         <body><h1>{title}</h1>\n{body}\n</body></html>\n"
    );
    let mut response = (status, Html(html)).into_response();
    // Pages show personal data: no shared cache may keep them.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Text for HTML: the five characters that could start markup or end an attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `exp` as UTC time of day and minutes from now.
fn expiry(expires_at: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let day = expires_at % 86_400;
    let clock = format!("{:02}:{:02}:{:02} UTC", day / 3600, day % 3600 / 60, day % 60);
    match expires_at.checked_sub(now) {
        Some(left) => format!("{clock}, in {} min", left / 60),
        None => format!("{clock}, expired"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn config() -> AppConfig {
        let sdk = crate::sdk_config("http://127.0.0.1:9");
        AppConfig {
            endpoints: Endpoints::emulator("http://127.0.0.1:9", "local_Pool1").unwrap(),
            client_id: "client123".into(),
            redirect_uri: "http://localhost:3000".into(),
            logout_uri: "http://localhost:3000".into(),
            scopes: vec!["openid".into(), "email".into()],
            identity_providers: vec!["Google".into()],
            check_nonce: false,
            cognito: cognito::Client::new(&sdk),
        }
    }

    async fn get(uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = router(config())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn signed_out_the_home_page_links_to_sign_in() {
        let (status, _, body) = get("/", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<a id=\"sign-in\" href=\"/login\">Sign in</a>"), "{body}");
    }

    #[tokio::test]
    async fn sign_in_keeps_the_login_in_an_http_only_cookie_and_redirects_to_the_hosted_ui() {
        let (status, headers, _) = get("/login", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let location = headers[LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("http://127.0.0.1:9/oauth2/authorize?"),
            "{location}"
        );
        assert!(location.contains("code_challenge_method=S256"), "{location}");
        let cookie = headers[SET_COOKIE].to_str().unwrap();
        assert!(
            cookie.starts_with("cognito_login=") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
    }

    #[tokio::test]
    async fn a_callback_without_the_login_cookie_is_a_sentence_not_an_exchange() {
        let (status, _, body) = get("/?code=abc&state=xyz", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("This sign-in was not started here"), "{body}");
    }

    #[tokio::test]
    async fn an_error_from_the_hosted_ui_is_shown_as_a_sentence_with_its_description_escaped() {
        let (_, headers, _) = get("/login", None).await;
        let cookie = headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let location = headers[LOCATION].to_str().unwrap();
        let state = cognito_oauth::Url::parse(location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let uri = format!("/?error=access_denied&error_description=%3Cb%3Edenied%3C%2Fb%3E&state={state}");
        let (status, _, body) = get(&uri, Some(&cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("The sign-in did not finish: the hosted UI answered \u{201c}&lt;b&gt;denied&lt;/b&gt;\u{201d} (access_denied)."),
            "{body}"
        );
        let (_, _, forged) = get("/?code=abc&state=forged", Some(&cookie)).await;
        assert!(forged.contains("its state differs"), "{forged}");
    }

    /// The `Set-Cookie` values of a response, as `name=value` pairs.
    fn set_cookies(headers: &HeaderMap) -> Vec<String> {
        headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect()
    }

    fn query_value(url: &str, name: &str) -> Option<String> {
        cognito_oauth::Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Starts a login at `path`; returns the cookies a browser then sends and the `state`.
    async fn started(path: &str) -> (String, String) {
        let (status, headers, _) = get(path, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let state = query_value(headers[LOCATION].to_str().unwrap(), "state").unwrap();
        let cookies: Vec<String> = set_cookies(&headers)
            .into_iter()
            .filter(|c| !c.ends_with('='))
            .collect();
        (cookies.join("; "), state)
    }

    const LINKED: &str =
        "PreSignUp+failed+with+error+Your+sign-in+is+now+linked+to+your+existing+account.+Please+sign+in+again..+";

    #[tokio::test]
    async fn signed_out_the_home_page_offers_each_provider_of_the_client() {
        let (_, _, body) = get("/", None).await;
        assert!(
            body.contains("<a id=\"sign-in-google\" href=\"/login?identity_provider=Google\">Sign in with Google</a>"),
            "{body}"
        );
        let (status, headers, location) = {
            let (status, headers, _) = get("/login?identity_provider=Google", None).await;
            let location = headers[LOCATION].to_str().unwrap().to_owned();
            (status, headers, location)
        };
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(query_value(&location, "identity_provider").as_deref(), Some("Google"));
        assert!(set_cookies(&headers).contains(&format!("{PROVIDER}=0")));
        let (status, _, body) = get("/login?identity_provider=Nobody", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("does not offer that sign-in provider"), "{body}");
    }

    #[tokio::test]
    async fn a_linked_answer_is_retried_once_with_the_provider_and_a_fresh_state() {
        let (cookies, state) = started("/login?identity_provider=Google").await;
        let (status, headers, _) = get(
            &format!("/?error=invalid_request&error_description={LINKED}&state={state}"),
            Some(&cookies),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let location = headers[LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("http://127.0.0.1:9/oauth2/authorize?"),
            "{location}"
        );
        assert_eq!(query_value(location, "identity_provider").as_deref(), Some("Google"));
        assert_ne!(query_value(location, "state").unwrap(), state, "a fresh state");
        let set = set_cookies(&headers);
        assert!(set.contains(&format!("{RETRIED}=1")), "{set:?}");
        assert!(
            set.iter()
                .any(|c| c.starts_with("cognito_login=") && c.len() > "cognito_login=".len())
        );
    }

    #[tokio::test]
    async fn cognito_s_own_linked_answer_names_the_provider_to_retry_with() {
        let (cookies, state) = started("/login").await;
        let (status, headers, _) = get(
            &format!(
                "/?error=invalid_request&error_description=Already+found+an+entry+for+username+Google_1083&state={state}"
            ),
            Some(&cookies),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let location = headers[LOCATION].to_str().unwrap();
        assert_eq!(query_value(location, "identity_provider").as_deref(), Some("Google"));
    }

    #[tokio::test]
    async fn a_second_linked_answer_is_a_sentence_not_another_redirect() {
        let (cookies, state) = started("/login?identity_provider=Google").await;
        let cookies = format!("{cookies}; {RETRIED}=1");
        let (status, headers, body) = get(
            &format!("/?error=invalid_request&error_description={LINKED}&state={state}"),
            Some(&cookies),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(headers.get(LOCATION).is_none());
        assert!(body.contains("signing in again did not finish either"), "{body}");
        assert!(
            set_cookies(&headers).contains(&format!("{RETRIED}=")),
            "the flag is consumed"
        );
    }

    #[tokio::test]
    async fn the_api_route_refuses_a_request_without_a_token_as_rfc_6750_says() {
        let (status, headers, _) = get("/api/me", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers["www-authenticate"], "Bearer");
    }

    #[test]
    fn a_taken_port_is_an_error_that_names_it() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let error = App::start(config(), taken.local_addr().unwrap()).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, AppError::PortTaken { .. }), "{error:?}");
        assert!(
            message.contains(&taken.local_addr().unwrap().to_string()) && message.contains("3000"),
            "{message}"
        );
    }
}
