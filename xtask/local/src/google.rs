//! The local stand-in for Google (`tools/google_provider.mjs`, on `oidc-provider` pinned in
//! tools/package.json) on a loopback port: its configuration file, with a client secret made
//! here for this run (never read from the environment), the process, and a browser's part of
//! signing in there (`sign_in`), for the demo and the tests.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cognito_oauth::Url;
use serde_json::json;

use harness::{HarnessError, Port, Server, Tools, workspace_root};

use crate::flow::FlowError;

/// The client id the local Google knows when the spec names none: Google's are of this form.
pub const LOCAL_CLIENT_ID: &str = "local-stack.apps.googleusercontent.com";

/// The scopes Cognito asks Google for when a provider names none.
pub const DEFAULT_SCOPES: &str = "openid email profile";

#[derive(Debug)]
pub struct LocalGoogle {
    pub port: u16,
    pub client_id: String,
    client_secret: String,
    config: PathBuf,
    dir: PathBuf,
    server: Option<Server>,
}

/// 32 random bytes from the OS, hex-encoded.
fn fresh_secret() -> Result<String, HarnessError> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl LocalGoogle {
    /// Writes the configuration for a provider on `port` whose one client (`client_id`) may
    /// redirect to `redirect_uris` (cognito-local's `/oauth2/idpresponse`).
    pub fn configure(dir: &Path, port: &Port, client_id: &str, redirect_uris: &[String]) -> Result<Self, HarnessError> {
        let dir = dir.join("google");
        std::fs::create_dir_all(&dir)?;
        let config = dir.join("config.json");
        let client_secret = fresh_secret()?;
        let body = json!({
            "port": port.number(),
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
        });
        std::fs::write(&config, serde_json::to_vec_pretty(&body).unwrap())?;
        Ok(Self {
            port: port.number(),
            client_id: client_id.to_owned(),
            client_secret,
            config,
            dir,
            server: None,
        })
    }

    pub fn start(&mut self, tools: &Tools) -> Result<(), HarnessError> {
        let node_modules = tools.cognito_local()?;
        let mut command = Command::new("node");
        command
            .current_dir(&self.dir)
            .arg(workspace_root().join("tools").join("google_provider.mjs"))
            .arg(&self.config)
            .env("NODE_PATH", node_modules)
            .env("NO_COLOR", "1");
        let log = self.dir.join("google.log");
        self.server = Some(Server::start("local Google", command, &log)?);
        Ok(())
    }

    pub fn wait_ready(&mut self, port: Port) -> Result<(), HarnessError> {
        match &mut self.server {
            Some(server) => server.wait_for_port(port, Duration::from_secs(30)),
            None => Ok(()),
        }
    }

    /// The issuer, whose `/.well-known/openid-configuration` describes the rest.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The client's secret, for cognito-local's provider.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Server::pid)
    }

    pub fn output(&self) -> String {
        self.server.as_ref().map(Server::output).unwrap_or_default()
    }
}

/// Who signs in on the local Google's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    /// The form's "not verified" box is ticked when false.
    pub email_verified: bool,
}

/// The cookies a browser keeps, by origin (name -> value); paths and expiry are not
/// modelled beyond a cleared cookie being dropped.
#[derive(Debug, Default)]
struct Jar(std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>);

impl Jar {
    fn header(&self, url: &Url) -> Option<String> {
        let cookies = self.0.get(&url.origin().ascii_serialization())?;
        let pairs: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    fn keep(&mut self, url: &Url, response: &ureq::http::Response<ureq::Body>) {
        let cookies = self.0.entry(url.origin().ascii_serialization()).or_default();
        for set in response.headers().get_all("set-cookie") {
            let Some((name, value)) = set.to_str().ok().and_then(|s| s.split(';').next()?.split_once('=')) else {
                continue;
            };
            if value.is_empty() {
                cookies.remove(name.trim());
            } else {
                cookies.insert(name.trim().to_owned(), value.to_owned());
            }
        }
    }
}

fn step_error(step: &'static str, source: ureq::Error) -> FlowError {
    FlowError::Http { step, source }
}

/// Plays a browser from `start` (an authorize URL, Cognito's or the local Google's own):
/// follows redirects with cookies, fills the local Google's sign-in form as `person` when it
/// is shown, and returns the first redirect that points under `stop` (the app's callback).
pub fn sign_in(start: &str, person: &Person<'_>, stop: &str) -> Result<String, FlowError> {
    let browser: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut jar = Jar::default();
    let mut at = Url::parse(start).map_err(|e| FlowError::Unexpected {
        step: "sign in with Google",
        message: format!("the start {start:?} is not a URL: {e}"),
    })?;
    let mut form_posted = false;
    for _ in 0..12 {
        let mut request = browser.get(at.as_str());
        if let Some(cookie) = jar.header(&at) {
            request = request.header("cookie", cookie);
        }
        let mut response = request.call().map_err(|e| step_error("GET", e))?;
        jar.keep(&at, &response);
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            at = next(&at, &response)?;
        } else {
            let page = response.body_mut().read_to_string().map_err(|e| step_error("GET", e))?;
            let action = page
                .split("action=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .filter(|action| action.starts_with("/interaction/") && !form_posted);
            let Some(action) = action else {
                return Err(FlowError::Status {
                    step: "sign in with Google",
                    status,
                    body: format!("at {}: {page}", at.path()),
                });
            };
            let target = at.join(action).map_err(|e| FlowError::Unexpected {
                step: "the local Google's form",
                message: format!("its action {action:?} is not a path: {e}"),
            })?;
            let mut form = vec![("email", person.email), ("name", person.name.unwrap_or(""))];
            if !person.email_verified {
                form.push(("email_unverified", "1"));
            }
            let mut post = browser.post(target.as_str());
            if let Some(cookie) = jar.header(&target) {
                post = post.header("cookie", cookie);
            }
            let response = post
                .send_form(form)
                .map_err(|e| step_error("POST the local Google's form", e))?;
            jar.keep(&target, &response);
            form_posted = true;
            let status = response.status().as_u16();
            if !(300..400).contains(&status) {
                return Err(FlowError::Unexpected {
                    step: "POST the local Google's form",
                    message: format!("HTTP {status} without a redirect"),
                });
            }
            at = next(&target, &response)?;
        }
        if at.as_str().starts_with(stop) {
            return Ok(at.into());
        }
    }
    Err(FlowError::Unexpected {
        step: "sign in with Google",
        message: format!("more than 12 redirects without reaching {stop}; last at {}", at.path()),
    })
}

/// Where a redirect points, resolved against the URL that answered it.
fn next(at: &Url, response: &ureq::http::Response<ureq::Body>) -> Result<Url, FlowError> {
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| FlowError::Unexpected {
            step: "sign in with Google",
            message: format!("a redirect from {} without a Location", at.path()),
        })?;
    at.join(location).map_err(|e| FlowError::Unexpected {
        step: "sign in with Google",
        message: format!("the redirect from {} is not a URL: {e}", at.path()),
    })
}
