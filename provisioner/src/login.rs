//! `provisioner login`: a real sign-in through the pool's hosted UI, as an app does it — the
//! authorization-code grant with PKCE, `state` and `nonce`, the code exchanged at
//! `/oauth2/token`, the ID token verified against the pool's JWKS — with the browser
//! returning to a one-shot listener on the client's `http://localhost:<port>` callback.
//! The OAuth work is `cognito_oauth`'s; this module picks the client and the callback, and
//! serves that one request.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use cognito_oauth::blocking::{self, Client};
use cognito_oauth::{
    AuthorizeOptions, ClientAuth, ClientSecret, Endpoints, HostedDomain, Issuer, OAuthClient, PendingLogin,
    RefreshToken, TokenError, Tokens,
};

use crate::aws::Clients;
use crate::converge::Live;
use crate::desired::{Desired, OAuthFlow};
use crate::lookup::{self, LookupError};
use crate::observed::Observed;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The spec's pool does not exist, or reading it failed.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// What the spec, the pool or the caller must change before a sign-in can start.
    #[error("{0}")]
    Setup(String),
    #[error("the sign-in failed: {0}")]
    Callback(String),
    #[error("{error}. {hint}")]
    OAuth { error: String, hint: &'static str },
    #[error("{0}")]
    Other(String),
}

impl From<blocking::Error> for LoginError {
    fn from(error: blocking::Error) -> Self {
        match error {
            blocking::Error::Token(TokenError::OAuth(oauth)) => LoginError::OAuth {
                hint: oauth.hint(),
                error: oauth.to_string(),
            },
            other => LoginError::Other(other.to_string()),
        }
    }
}

/// How `login` gets its tokens.
pub enum Grant<'a> {
    /// Through the hosted UI; `show` receives the lines for the person at the browser.
    SignIn {
        no_browser: bool,
        show: &'a mut dyn FnMut(&str),
    },
    /// By exchanging the refresh token on the first line read from here.
    Refresh(&'a mut dyn BufRead),
}

/// What `login` got: the tokens, the verified ID token's claims, and who issued them.
pub struct LoggedIn {
    pub tokens: Tokens,
    pub claims: cognito_oauth::Claims,
    pub issuer: Issuer,
}

/// `provisioner login`: reads the spec's pool (read-only), picks the client ([`target`]), and
/// signs in or refreshes, the ID token verified. A missing refresh token is a
/// [`LoginError::Setup`].
pub async fn login(
    clients: &Clients,
    desired: &Desired,
    endpoint: Option<&str>,
    client: Option<&str>,
    grant: Grant<'_>,
) -> Result<LoggedIn, LoginError> {
    let (observed, live) = lookup::live_pool(clients, desired).await?;
    let target = target(desired, &observed, &live, &clients.region, endpoint, client)?;
    let (tokens, claims) = match grant {
        Grant::Refresh(input) => {
            let mut token = String::new();
            input
                .read_line(&mut token)
                .map_err(|e| LoginError::Other(format!("reading the refresh token from stdin: {e}")))?;
            if token.trim().is_empty() {
                return Err(LoginError::Setup(
                    "--refresh reads a refresh token from stdin, and none came".into(),
                ));
            }
            refresh(&target, &token)?
        }
        Grant::SignIn { no_browser, show } => sign_in(&target, no_browser, show)?,
    };
    Ok(LoggedIn {
        tokens,
        claims,
        issuer: issuer(&target).clone(),
    })
}

/// What a sign-in needs of the pool and the chosen client.
#[derive(Debug)]
pub struct Target {
    pub client_name: String,
    pub endpoints: Endpoints,
    pub oauth: OAuthClient,
    pub scopes: Vec<String>,
    /// The port of the client's `http://localhost` callback.
    pub port: u16,
    /// An emulator does not put the nonce in its ID tokens.
    pub check_nonce: bool,
}

/// Picks the client (`name`, or the spec's first with the code grant) and its localhost
/// callback, and the endpoints: the emulator's when `endpoint` is given, else the pool's
/// domain's.
pub fn target(
    desired: &Desired,
    observed: &Observed,
    live: &Live,
    region: &str,
    endpoint: Option<&str>,
    name: Option<&str>,
) -> Result<Target, LoginError> {
    let spec_client = match name {
        Some(name) => desired.client(name).ok_or_else(|| {
            let names: Vec<&str> = desired.clients.iter().map(|c| c.name.as_str()).collect();
            LoginError::Setup(format!(
                "the spec has no client {name:?}; its clients: {}",
                names.join(", ")
            ))
        })?,
        None => desired
            .clients
            .iter()
            .find(|c| c.oauth_flows.contains(&OAuthFlow::Code))
            .ok_or_else(|| {
                LoginError::Setup("no client in the spec has the code grant (oauth_flows = [\"code\"])".into())
            })?,
    };
    if !spec_client.oauth_flows.contains(&OAuthFlow::Code) {
        return Err(LoginError::Setup(format!(
            "client {:?} does not have the code grant; login needs oauth_flows to include \"code\"",
            spec_client.name
        )));
    }
    let observed_client = observed
        .clients
        .iter()
        .find(|c| c.state.name == spec_client.name)
        .ok_or_else(|| {
            LoginError::Setup(format!(
                "client {:?} does not exist yet: run `provisioner apply`",
                spec_client.name
            ))
        })?;
    let (redirect_uri, port) = localhost_callback(&observed_client.state.callback_urls).ok_or_else(|| {
        LoginError::Setup(format!(
            "client {:?} has no http://localhost:<port> callback URL, so there is nowhere on this machine for the \
             hosted UI to send the browser back to. Add one (for example http://localhost:3000) to its callback_urls \
             and run `provisioner apply`",
            spec_client.name
        ))
    })?;
    let setup = |e: cognito_oauth::ConfigError| LoginError::Setup(e.to_string());
    let endpoints = match (endpoint, &live.domain) {
        (Some(endpoint), _) => Endpoints::emulator(endpoint, &live.pool_id).map_err(setup)?,
        (None, Some(prefix)) => {
            Endpoints::aws(region, &live.pool_id, &HostedDomain::Prefix(prefix.clone())).map_err(setup)?
        }
        (None, None) => {
            return Err(LoginError::Setup(
                "the pool has no hosted-UI domain: add [domain] to the spec and run `provisioner apply`".into(),
            ));
        }
    };
    let mut oauth = OAuthClient::new(endpoints.clone(), &observed_client.id, redirect_uri);
    if let Some(secret) = observed_client.raw.client_secret() {
        oauth = oauth.with_client_auth(ClientAuth::Basic(ClientSecret::new(secret)));
    }
    Ok(Target {
        client_name: spec_client.name.clone(),
        endpoints,
        oauth,
        scopes: spec_client.oauth_scopes.clone(),
        port,
        check_nonce: endpoint.is_none(),
    })
}

/// The first callback URL of the form `http://localhost:<port>[/path]`, and its port.
pub fn localhost_callback(urls: &[String]) -> Option<(String, u16)> {
    urls.iter().find_map(|raw| {
        let url = url::Url::parse(raw).ok()?;
        (url.scheme() == "http" && url.host_str() == Some("localhost"))
            .then(|| Some((raw.clone(), url.port_or_known_default()?)))
            .flatten()
    })
}

/// The sign-in itself: listen on the callback's port (127.0.0.1 only), show the authorize
/// URL through `show` (and hand it to a browser unless `no_browser`), serve the one
/// callback, exchange the code and verify the ID token.
pub fn sign_in(
    target: &Target,
    no_browser: bool,
    show: &mut dyn FnMut(&str),
) -> Result<(Tokens, cognito_oauth::Claims), LoginError> {
    let listener = TcpListener::bind(("127.0.0.1", target.port)).map_err(|e| {
        LoginError::Setup(format!(
            "cannot listen on 127.0.0.1:{} for the callback ({e}); stop what uses that port and try again",
            target.port
        ))
    })?;
    let options = AuthorizeOptions::scopes(target.scopes.iter().cloned());
    let (url, pending) = target.oauth.start_login(&options);
    show(&format!(
        "Open this URL to sign in (client {:?}):\n\n  {url}\n",
        target.client_name
    ));
    if !no_browser {
        open_browser(url.as_str(), show);
    }
    show(&format!(
        "Waiting for the browser to come back to {} …",
        target.oauth.redirect_uri()
    ));
    let callback = wait_for_callback(&listener, &pending)?;
    let client = Client::new(target.oauth.clone());
    let tokens = client.exchange_code(&callback, &pending)?;
    let id_token = tokens.id_token.as_ref().ok_or_else(|| {
        LoginError::Other("the answer has no ID token: the client's scopes must include openid".into())
    })?;
    let nonce = target.check_nonce.then(|| pending.nonce());
    let claims = client.verify_id_token(id_token.secret(), nonce)?;
    Ok((tokens, claims))
}

/// New tokens from a refresh token, the ID token verified.
pub fn refresh(target: &Target, refresh_token: &str) -> Result<(Tokens, cognito_oauth::Claims), LoginError> {
    let client = Client::new(target.oauth.clone());
    let tokens = client.refresh(&RefreshToken::new(refresh_token.trim()))?;
    let id_token = tokens
        .id_token
        .as_ref()
        .ok_or_else(|| LoginError::Other("the answer has no ID token".into()))?;
    let claims = client.verify_id_token(id_token.secret(), None)?;
    Ok((tokens, claims))
}

fn open_browser(url: &str, show: &mut dyn FnMut(&str)) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let opened = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !opened {
        show(&format!(
            "(could not start a browser with {opener}: open the URL yourself)"
        ));
    }
}

/// How long the listener waits for the browser.
const WAIT: Duration = Duration::from_secs(300);

/// Serves requests on the callback port until one carries this login's answer; anything
/// else (a favicon, a stray request) gets a 404 and the wait goes on.
fn wait_for_callback(
    listener: &TcpListener,
    pending: &PendingLogin,
) -> Result<cognito_oauth::AuthorizationCode, LoginError> {
    let deadline = std::time::Instant::now() + WAIT;
    listener
        .set_nonblocking(true)
        .map_err(|e| LoginError::Setup(e.to_string()))?;
    loop {
        if std::time::Instant::now() > deadline {
            return Err(LoginError::Callback(format!(
                "no answer from the browser within {} s",
                WAIT.as_secs()
            )));
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(LoginError::Callback(e.to_string())),
        };
        let Some((mut stream, target)) = read_request_target(stream) else {
            continue;
        };
        if !target.contains("code=") && !target.contains("error=") {
            let _ = respond(&mut stream, 404, "Not the sign-in callback.");
            continue;
        }
        return match pending.code_from_callback(&target) {
            Ok(code) => {
                let _ = respond(
                    &mut stream,
                    200,
                    "Signed in. You can close this tab and return to the terminal.",
                );
                Ok(code)
            }
            Err(error) => {
                let _ = respond(&mut stream, 400, "The sign-in failed; the terminal says why.");
                Err(LoginError::Callback(error.to_string()))
            }
        };
    }
}

/// The request line's target (`/path?query`) of an HTTP request.
fn read_request_target(stream: TcpStream) -> Option<(TcpStream, String)> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET").then(|| (stream, target.to_owned()))
}

fn respond(stream: &mut TcpStream, status: u16, message: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let body = format!("<!doctype html><meta charset=utf-8><title>provisioner login</title><p>{message}</p>\n");
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The issuer the pool's tokens carry, for a caller that verifies them itself.
pub fn issuer(target: &Target) -> &Issuer {
    target.endpoints.issuer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_is_the_first_localhost_one() {
        let urls = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            localhost_callback(&urls(&[
                "https://app.example.com/cb",
                "http://localhost:3000/callback",
                "http://localhost:4000"
            ])),
            Some(("http://localhost:3000/callback".into(), 3000))
        );
        assert_eq!(
            localhost_callback(&urls(&["http://localhost"])),
            Some(("http://localhost".into(), 80))
        );
        assert_eq!(
            localhost_callback(&urls(&[
                "https://app.example.com/cb",
                "myapp://cb",
                "https://localhost:3000"
            ])),
            None
        );
    }

    #[test]
    fn stray_requests_are_turned_away_and_the_callback_is_answered() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let pending = PendingLogin::new();
        let state = pending.state().to_owned();
        let browser = std::thread::spawn(move || {
            let get = |path: &str| {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(stream, "GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n").unwrap();
                let mut answer = String::new();
                std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
                answer
            };
            let favicon = get("/favicon.ico");
            let callback = get(&format!("/callback?code=the-code&state={state}"));
            (favicon, callback)
        });
        let code = wait_for_callback(&listener, &pending).unwrap();
        assert_eq!(code.secret(), "the-code");
        let (favicon, callback) = browser.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(
            callback.starts_with("HTTP/1.1 200") && callback.contains("Signed in"),
            "{callback}"
        );
    }

    #[test]
    fn a_callback_with_another_state_fails_the_login() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let pending = PendingLogin::new();
        let browser = std::thread::spawn(move || {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(stream, "GET /?code=x&state=forged HTTP/1.1\r\n\r\n").unwrap();
            let mut answer = String::new();
            std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
            answer
        });
        let error = wait_for_callback(&listener, &pending).unwrap_err();
        assert!(matches!(error, LoginError::Callback(_)), "{error}");
        assert!(browser.join().unwrap().starts_with("HTTP/1.1 400"));
    }
}
