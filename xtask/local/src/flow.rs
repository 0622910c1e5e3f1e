//! The browser's part of the hosted login, played against cognito-local: open the authorize
//! URL an app built, post the username and password to the login form, and take the
//! callback URL the hosted UI redirects to. What an app does itself (PKCE, `state`,
//! `nonce`, the URLs, the code exchange, the refresh, verifying the tokens) is
//! `cognito_oauth`'s, used by the demo and the tests as an app would.

use cognito_oauth::blocking::Client;
use cognito_oauth::{Endpoints, OAuthClient, Url};

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
}

/// What the browser saw.
#[derive(Debug, Clone)]
pub struct Login {
    /// The login page's status.
    pub form_status: u16,
    /// Where the hosted UI sent the browser back: the app's callback URL with `code` and
    /// `state` (or `error`) in its query.
    pub callback: String,
}

/// The app's side for the local stack: a public client of cognito-local's hosted UI.
pub fn app(endpoint: &str, pool_id: &str, client_id: &str, redirect_uri: &str) -> Client {
    let endpoints = Endpoints::emulator(endpoint, pool_id).expect("cognito-local's address is a URL");
    Client::new(OAuthClient::new(endpoints, client_id, redirect_uri))
}

/// A browser that does not follow redirects: the redirect to the app's callback is what
/// carries the code.
fn browser() -> ureq::Agent {
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

/// Opens `authorize` (an authorize URL with its query) as a browser does: GET the login
/// page, POST the username and password with the page's parameters, and return the URL the
/// redirect points to, which must be under `redirect_uri`.
pub fn sign_in(authorize: &Url, redirect_uri: &str, username: &str, password: &str) -> Result<Login, FlowError> {
    let browser = browser();
    let mut page = browser
        .get(authorize.as_str())
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
    // cognito-local's form posts back the authorize request's parameters with the
    // credentials, as the hosted UI's does.
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), username.into()));
    form.push(("password".into(), password.into()));
    let endpoint = format!("{}{}", authorize.origin().ascii_serialization(), authorize.path());
    let mut submitted = browser
        .post(&endpoint)
        .send_form(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
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
    let Some(callback) = location.filter(|_| (300..400).contains(&status)) else {
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
    if !callback.starts_with(redirect_uri) {
        return Err(FlowError::Unexpected {
            step: "POST /oauth2/authorize",
            message: format!("redirected to {callback}, not to {redirect_uri}"),
        });
    }
    Ok(Login { form_status, callback })
}
