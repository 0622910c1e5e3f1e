//! Signs a user in through a pool's hosted UI from the command line: prints the authorize
//! URL, listens on the localhost callback, exchanges the code, verifies the ID token and
//! prints its claims (never the tokens), then refreshes once.
//!
//! ```sh
//! COGNITO_USER_POOL_ID=eu-west-1_AbC123xyz COGNITO_CLIENT_ID=1example23456789 \
//! COGNITO_DOMAIN=myapp cargo run -p cognito-oauth --example login
//! ```
//!
//! Settings (environment):
//! - `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: required.
//! - `COGNITO_DOMAIN`: the hosted UI's prefix (`myapp`) or custom domain (`auth.example.com`).
//! - `COGNITO_REGION`: defaults to the region the pool id starts with.
//! - `COGNITO_ENDPOINT`: a local emulator's address instead (such as cognito-local's
//!   `http://127.0.0.1:9229`); then `COGNITO_DOMAIN` is not needed.
//! - `COGNITO_CLIENT_SECRET`: for a client with a secret (sent by HTTP Basic).
//! - `COGNITO_REDIRECT_URI`: one of the client's callback URLs on localhost; default
//!   `http://localhost:3000/callback`.
//! - `COGNITO_SCOPES`: default `openid email`.

use std::env;
use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

use cognito_oauth::blocking::{self, Client};
use cognito_oauth::{AuthorizeOptions, Endpoints, HostedDomain, OAuthClient, TokenError, Url};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let required = |name: &str| env::var(name).map_err(|_| format!("set {name} (see the example's header)"));
    let pool_id = required("COGNITO_USER_POOL_ID")?;
    let client_id = required("COGNITO_CLIENT_ID")?;
    let redirect_uri = env::var("COGNITO_REDIRECT_URI").unwrap_or_else(|_| "http://localhost:3000/callback".into());
    let scopes = env::var("COGNITO_SCOPES").unwrap_or_else(|_| "openid email".into());

    let emulator = env::var("COGNITO_ENDPOINT").ok();
    let endpoints = match &emulator {
        Some(endpoint) => Endpoints::emulator(endpoint, &pool_id)?,
        None => {
            let region = match env::var("COGNITO_REGION") {
                Ok(region) => region,
                Err(_) => pool_id.split('_').next().unwrap_or_default().to_owned(),
            };
            let domain = required("COGNITO_DOMAIN")?;
            let domain = if domain.contains('.') {
                HostedDomain::Custom(domain)
            } else {
                HostedDomain::Prefix(domain)
            };
            Endpoints::aws(&region, &pool_id, &domain)?
        }
    };
    let mut oauth = OAuthClient::new(endpoints, client_id, redirect_uri.clone());
    if let Ok(secret) = env::var("COGNITO_CLIENT_SECRET") {
        oauth = oauth.with_client_secret(secret);
    }
    let client = Client::new(oauth);

    // Listen before printing the URL, so a fast browser cannot arrive first.
    let callback = Url::parse(&redirect_uri)?;
    if callback.scheme() != "http" || !matches!(callback.host_str(), Some("localhost" | "127.0.0.1")) {
        return Err(format!("{redirect_uri} is not an http://localhost callback this program can listen on").into());
    }
    let port = callback.port_or_known_default().unwrap_or(80);
    let listener = TcpListener::bind(("127.0.0.1", port))?;

    let (url, pending) = client
        .oauth()
        .start_login(&AuthorizeOptions::scopes(scopes.split_whitespace()));
    eprintln!("Open this URL in a browser and sign in:\n\n  {url}\n\nWaiting on {redirect_uri} …");

    let (mut browser, target) = wait_for_callback(&listener, callback.path())?;
    let code = pending.code_from_callback(&target);
    let page = match &code {
        Ok(_) => "Signed in. You can close this tab.".to_owned(),
        Err(error) => format!("The sign-in failed: {error}"),
    };
    respond(&mut browser, "200 OK", &page)?;
    let code = code?;

    let tokens = match client.exchange_code(&code, &pending) {
        Ok(tokens) => tokens,
        Err(blocking::Error::Token(TokenError::OAuth(error))) => {
            return Err(format!("{error}\n{}", error.hint()).into());
        }
        Err(other) => return Err(other.into()),
    };
    let id_token = tokens
        .id_token
        .as_ref()
        .ok_or("no ID token came back: request the openid scope")?;
    // cognito-local does not put the nonce into its ID tokens; AWS does.
    let nonce = emulator.is_none().then(|| pending.nonce());
    let claims = client.verify_id_token(id_token.secret(), nonce)?;
    eprintln!(
        "Signed in. The ID token verifies against {}:",
        client.oauth().endpoints().jwks()
    );
    println!("{}", serde_json::to_string_pretty(&claims)?);

    if let Some(refresh_token) = &tokens.refresh_token {
        let renewed = client.refresh(refresh_token)?;
        let id_token = renewed.id_token.as_ref().ok_or("the refresh gave no ID token")?;
        let claims = client.verify_id_token(id_token.secret(), None)?;
        eprintln!(
            "Refreshed: a new ID token for {} until {} (Unix time).",
            claims.subject(),
            claims.expires_at()
        );
    }
    eprintln!("Sign out at {}", client.oauth().logout_url(&redirect_uri));
    Ok(())
}

/// Answers requests on the listener until one comes to the callback path; returns that
/// connection, to answer once the callback is checked, and its target
/// (`/callback?code=…&state=…`).
fn wait_for_callback(listener: &TcpListener, path: &str) -> Result<(TcpStream, String), Box<dyn Error>> {
    for stream in listener.incoming() {
        let mut stream = stream?;
        let target = request_target(&stream)?;
        if target.split('?').next() == Some(path) {
            return Ok((stream, target));
        }
        // Browsers also ask for /favicon.ico and the like.
        respond(&mut stream, "404 Not Found", "Not the callback.")?;
    }
    Err("the listener closed before the callback came".into())
}

fn request_target(stream: &TcpStream) -> Result<String, Box<dyn Error>> {
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    // "GET /callback?code=…&state=… HTTP/1.1"
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_owned()),
        _ => Err(format!("not an HTTP GET: {:?}", line.trim_end()).into()),
    }
}

fn respond(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
}
