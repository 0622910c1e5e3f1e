//! cognito-local (pinned in tools/package.json) on a free loopback port, with its own data
//! folder. It invokes triggers only from its `.cognito/config.json`, which is written here
//! from the spec's `[triggers]` (function name = the binary `cargo lambda watch` serves).
//! `tools/cognito_local.js` records every email and SMS it "sends" in an outbox.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use provisioner::desired::Triggers;
use serde::Deserialize;
use serde_json::json;

use harness::{HarnessError, Port, Server, Tools, wait_until, workspace_root};

/// One email or SMS as cognito-local delivered it (placeholders already replaced).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub username: String,
    pub destination: String,
    pub code: String,
    pub email_subject: Option<String>,
    pub email_message: Option<String>,
    pub sms_message: Option<String>,
}

#[derive(Debug)]
pub struct CognitoLocal {
    pub port: u16,
    data: PathBuf,
    server: Option<Server>,
}

impl CognitoLocal {
    /// Writes the configuration for a server on `port` (held until it listens); `start`
    /// starts it. Split so that `cargo lambda watch` can be told this endpoint before either
    /// starts.
    pub fn configure(
        dir: &Path,
        port: &Port,
        lambda_endpoint: &str,
        triggers: &Triggers,
    ) -> Result<Self, HarnessError> {
        let port = port.number();
        let data = dir.join("cognito-local");
        std::fs::create_dir_all(data.join(".cognito"))?;
        let name = |function: &str| function.rsplit(':').next().unwrap_or(function).to_owned();
        let mut functions = serde_json::Map::new();
        // cognito-local names triggers by their LambdaConfig key.
        for (trigger, wired) in &triggers.wired {
            functions.insert(trigger.lambda_config_key().into(), name(&wired.function).into());
        }
        let endpoint = format!("http://127.0.0.1:{port}");
        let config = json!({
            // Retries off: a failing trigger should fail once, visibly, as on AWS.
            "LambdaClient": {
                "endpoint": lambda_endpoint,
                "region": "local",
                "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
                "maxRetries": 0,
            },
            "TokenConfig": {"IssuerDomain": endpoint},
            "ServerConfig": {"hostname": "127.0.0.1", "port": port},
            "TriggerFunctions": functions,
        });
        std::fs::write(
            data.join(".cognito").join("config.json"),
            serde_json::to_vec_pretty(&config).unwrap(),
        )?;
        Ok(Self {
            port,
            data,
            server: None,
        })
    }

    /// Starts it; its providers of type Google federate with the OpenID provider at
    /// `google_issuer` (the local stand-in for Google) where Cognito's go to Google.
    pub fn start(&mut self, tools: &Tools, google_issuer: &str) -> Result<(), HarnessError> {
        let node_modules = tools.cognito_local()?;
        let mut command = Command::new("node");
        command
            .current_dir(&self.data)
            .arg(workspace_root().join("tools").join("cognito_local.js"))
            .env("NODE_PATH", node_modules)
            .env("LOCAL_GOOGLE_ISSUER", google_issuer)
            .env("NO_COLOR", "1");
        let log = self.data.join("cognito-local.log");
        self.server = Some(Server::start("cognito-local", command, &log)?);
        Ok(())
    }

    /// Waits until it listens on `port` (its own), then lets the port go.
    pub fn wait_ready(&mut self, port: Port) -> Result<(), HarnessError> {
        match &mut self.server {
            Some(server) => server.wait_for_port(port, Duration::from_secs(60)),
            None => Ok(()),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Server::pid)
    }

    pub fn output(&self) -> String {
        self.server.as_ref().map(Server::output).unwrap_or_default()
    }

    /// Every delivery so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        let outbox = self.data.join(".cognito").join("outbox.jsonl");
        std::fs::read_to_string(outbox)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The delivery to `destination` that comes after the first `after` ones (those made
    /// before the step being checked), waiting up to 10 s for it to appear.
    pub fn delivery_to(&self, destination: &str, after: usize) -> Option<Delivery> {
        let mut found = None;
        wait_until(Duration::from_secs(10), || {
            found = self
                .deliveries()
                .into_iter()
                .filter(|d| d.destination == destination)
                .nth(after);
            found.is_some()
        });
        found
    }

    pub fn count_to(&self, destination: &str) -> usize {
        self.deliveries()
            .iter()
            .filter(|d| d.destination == destination)
            .count()
    }
}
