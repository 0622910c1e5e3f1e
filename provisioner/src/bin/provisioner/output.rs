//! How results reach stdout: text for people, JSON for machines (`--output json`), and
//! `KEY=value` lines for an app's `.env` (`--output env`, which only `outputs` accepts; the
//! other commands refuse it before they run). Each result is a [`Report`], printed by
//! [`print`]; progress and warnings are written to stderr by the commands as they happen,
//! and [`progress`] writes each change as an apply makes it.

use std::io::Write as _;
use std::path::Path;

use clap::ValueEnum;
use provisioner::aws::CallCounter;
use provisioner::checkup::Checkup;
use provisioner::import::Adoption;
use provisioner::login::LoggedIn;
use provisioner::outputs::Outputs;
use provisioner::plan::Plan;
use serde_json::{Value, json};

use crate::Failure;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    /// `KEY=value` lines for an app's `.env` (`outputs` only).
    Env,
}

/// A command's result in each form it has.
pub trait Report {
    /// For people: the result on stdout, what only explains it on stderr.
    fn text(&self);
    /// The JSON document on stdout; `None` when the text is the result's only form.
    fn json(&self) -> Option<serde_json::Result<String>>;
    /// The `.env` lines; `None` when the result has no env form (then the text is printed;
    /// the commands without one refuse `--output env` before they run).
    fn env(&self) -> Option<String> {
        None
    }
}

/// Prints `report` in the form `output` asks for.
pub fn print(output: Output, report: &dyn Report) -> Result<(), Failure> {
    let json = match output {
        Output::Json => report.json(),
        Output::Env => match report.env() {
            Some(env) => {
                print!("{env}");
                return Ok(());
            }
            None => None,
        },
        Output::Text => None,
    };
    match json {
        Some(document) => println!("{}", document?),
        None => report.text(),
    }
    Ok(())
}

/// One change as soon as it is made, on its own line: to stdout for people, to stderr when
/// stdout carries the JSON report.
pub fn progress(output: Output, line: &str) {
    let written = match output {
        Output::Json => writeln!(std::io::stderr(), "{line}"),
        Output::Text | Output::Env => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}").and_then(|()| out.flush())
        }
    };
    // A closed stdout (the reader went away) does not stop an apply half-way.
    drop(written);
}

/// `import`'s spec when no `--out` was given: on stdout as soon as it is read, before the
/// pool is adopted; the JSON form carries it in its document instead ([`Imported`]).
pub fn spec(output: Output, text: &str) {
    match output {
        Output::Text => print!("{text}"),
        Output::Json | Output::Env => {}
    }
}

/// The API calls a command made, as its JSON report carries them.
fn calls_json(counter: &CallCounter) -> Value {
    let (reads, writes) = counter.reads_and_writes();
    json!({"reads": reads, "writes": writes, "operations": counter.calls()})
}

/// The API calls a command made, for people.
fn calls_line(counter: &CallCounter) -> String {
    let (reads, writes) = counter.reads_and_writes();
    format!("API calls: {reads} reads, {writes} writes")
}

/// `plan`: Terraform's markers (`+`, `~`, `-/+`, `-`), then `=` before each resource that is
/// already right; or the JSON document.
pub struct Planned<'a> {
    pub plan: &'a Plan,
    pub spec: &'a Path,
}

impl Report for Planned<'_> {
    fn text(&self) {
        if self.plan.is_empty() {
            println!("no changes: everything matches {}", self.spec.display());
        }
        for change in &self.plan.changes {
            println!("{change}");
        }
        for unchanged in &self.plan.unchanged {
            println!("= {unchanged}");
        }
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        Some(Ok(self.plan.to_json().to_string()))
    }
}

/// `apply`, after its changes were reported one by one ([`progress`]).
pub struct Applied<'a> {
    pub pool_id: Option<String>,
    pub done: &'a [String],
    pub counter: &'a CallCounter,
    pub spec: &'a Path,
}

impl Report for Applied<'_> {
    fn text(&self) {
        if self.done.is_empty() {
            println!("nothing to do: everything matches {}", self.spec.display());
        }
        println!("{}", calls_line(self.counter));
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        let document = json!({
            "user_pool_id": self.pool_id,
            "changes": self.done,
            "calls": calls_json(self.counter),
        });
        Some(Ok(document.to_string()))
    }
}

/// `import`, after the spec was written (to its file, or to stdout in the text form).
pub struct Imported<'a> {
    pub adoption: &'a Adoption,
    pub out: Option<&'a Path>,
    pub counter: &'a CallCounter,
}

impl Report for Imported<'_> {
    fn text(&self) {
        // stdout carries the spec itself.
        eprintln!("{}", calls_line(self.counter));
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        let imported = &self.adoption.imported;
        let document = json!({
            "user_pool_id": imported.pool_id,
            "adopted": self.adoption.adopted,
            "out": self.out.map(|p| p.display().to_string()),
            "spec": self.out.is_none().then(|| imported.text()),
            "warnings": imported.warnings,
            "calls": calls_json(self.counter),
        });
        Some(Ok(document.to_string()))
    }
}

impl Report for Outputs {
    fn text(&self) {
        let rows = [
            ("region", Some(self.region.as_str())),
            ("user pool id", Some(self.user_pool_id.as_str())),
            ("user pool ARN", Some(self.user_pool_arn.as_str())),
            ("domain", self.domain.as_deref()),
            ("hosted UI", self.hosted_ui.as_deref()),
            ("token endpoint", self.token_endpoint.as_deref()),
            ("userInfo", self.user_info_endpoint.as_deref()),
            ("revoke", self.revoke_endpoint.as_deref()),
            ("issuer", Some(self.issuer.as_str())),
            ("JWKS URL", Some(self.jwks_url.as_str())),
            ("OIDC discovery", Some(self.discovery_url.as_str())),
        ];
        for (name, value) in rows {
            println!("{name:<15} {}", value.unwrap_or("(none)"));
        }
        for provider in &self.identity_providers {
            println!(
                "identity provider {:?}: register {} as its redirect URI",
                provider.name,
                provider.redirect_uri.as_deref().unwrap_or("(no domain yet)")
            );
        }
        for client in &self.clients {
            println!("client {:?}", client.name);
            println!("  {:<13} {}", "client id", client.client_id);
            println!(
                "  {:<13} {}",
                "login URL",
                client.login_url.as_deref().unwrap_or("(none)")
            );
        }
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string_pretty(self))
    }

    fn env(&self) -> Option<String> {
        Some(Outputs::env(self))
    }
}

/// `doctor`: each finding with its fix.
impl Report for Checkup {
    fn text(&self) {
        if self.findings.is_empty() {
            println!("no findings: the pool, its clients, domain and trigger functions look right");
        }
        for finding in &self.findings {
            println!("{finding}\n");
        }
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        Some(serde_json::to_string_pretty(&self.findings))
    }
}

/// `login`: the verified claims for people; the tokens only in the JSON form, never on
/// stderr or in a log.
impl Report for LoggedIn {
    fn text(&self) {
        eprintln!(
            "Signed in. The ID token verified against {}; its claims:",
            self.issuer.as_str()
        );
        for (name, value) in self.claims.as_map() {
            println!(
                "{name:<20} {}",
                value.as_str().map_or_else(|| value.to_string(), str::to_owned)
            );
        }
        eprintln!("(`--output json` prints the tokens too.)");
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        let tokens = &self.tokens;
        Some(serde_json::to_string_pretty(&json!({
            "claims": self.claims.as_map(),
            "tokens": {
                "id_token": tokens.id_token.as_ref().map(|t| t.secret().to_owned()),
                "access_token": tokens.access_token.secret(),
                "refresh_token": tokens.refresh_token.as_ref().map(|t| t.secret().to_owned()),
                "expires_in": tokens.expires_in,
                "token_type": tokens.token_type,
            },
        })))
    }
}

/// `destroy`: what was deleted, in order; text in every form.
pub struct Destroyed<'a> {
    pub done: &'a [String],
    pub pool_name: &'a str,
}

impl Report for Destroyed<'_> {
    fn text(&self) {
        if self.done.is_empty() {
            println!("nothing to destroy: no pool is named {:?}", self.pool_name);
        }
        for line in self.done {
            println!("done: {line}");
        }
    }

    fn json(&self) -> Option<serde_json::Result<String>> {
        None
    }
}
