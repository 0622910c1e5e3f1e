//! `cargo lambda watch`: the three functions behind the Lambda Invoke API on a loopback
//! port, each with the environment from its `[package.metadata.lambda.watch.env]` plus any
//! variables given here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::deploy::FUNCTIONS;
use crate::{HarnessError, Server, Tools, free_port, run_to_end, workspace_root};

/// A running `cargo lambda watch`.
#[derive(Debug)]
pub struct Watch {
    pub port: u16,
    server: Server,
    tools: Tools,
}

impl Watch {
    /// Starts it on a free port with extra environment variables for every function, and
    /// waits until it serves; the log goes to `log_dir/watch.log`.
    pub fn start(tools: &Tools, log_dir: &Path, env: &[(&str, &str)]) -> Result<Self, HarnessError> {
        let mut watch = Self::spawn(tools, log_dir, free_port()?, env)?;
        watch.wait_ready()?;
        Ok(watch)
    }

    /// Builds the functions, then starts it on `port` without waiting (see `wait_ready`).
    pub fn spawn(tools: &Tools, log_dir: &Path, port: u16, env: &[(&str, &str)]) -> Result<Self, HarnessError> {
        build_functions()?;
        let mut command = Command::new(tools.cargo_lambda()?);
        command
            .current_dir(workspace_root())
            .env("PATH", tools.path_env())
            .env("CARGO_TARGET_DIR", target_dir())
            .args(["lambda", "watch", "--quiet", "--ignore-changes"])
            .args(["--invoke-address", "127.0.0.1", "--invoke-port", &port.to_string()]);
        if !env.is_empty() {
            // An env file, not --env-var: that option splits its value at commas. Values
            // are quoted, as the file's parser wants for spaces.
            let env_file = log_dir.join("watch.env");
            let lines: String = env.iter().map(|(key, value)| format!("{key}={value:?}\n")).collect();
            std::fs::write(&env_file, lines)?;
            command.arg("--env-file").arg(env_file);
        }
        let server = Server::start("cargo lambda watch", command, &log_dir.join("watch.log"))?;
        Ok(Self {
            port,
            server,
            tools: tools.clone(),
        })
    }

    /// Waits until the Invoke API accepts connections.
    pub fn wait_ready(&mut self) -> Result<(), HarnessError> {
        self.server.wait_for_port(self.port, Duration::from_secs(300))
    }

    /// The Lambda API endpoint, for an SDK client or cognito-local's `LambdaClient`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `cargo lambda invoke <args>` against this server.
    pub fn invoke(&self, args: &[&str]) -> Result<Output, HarnessError> {
        let output = Command::new(self.tools.cargo_lambda()?)
            .current_dir(workspace_root())
            .env("PATH", self.tools.path_env())
            .args(["lambda", "invoke"])
            .args(args)
            .args(["--invoke-address", "127.0.0.1", "--invoke-port", &self.port.to_string()])
            .output()?;
        Ok(output)
    }

    pub fn output(&self) -> String {
        self.server.output()
    }

    pub fn pid(&self) -> u32 {
        self.server.pid()
    }
}

/// Its own target folder: `cargo test` builds the crates with their dev-dependencies'
/// features, `cargo run` without, and sharing one folder would rebuild them back and forth.
fn target_dir() -> PathBuf {
    workspace_root().join("target").join("watch")
}

/// Builds the functions as `cargo lambda watch` runs them (`cargo run --bin <name>`), so
/// that no invocation waits for a compile (cognito-local gives a trigger two minutes).
pub fn build_functions() -> Result<(), HarnessError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["build", "--quiet"]);
    for (function, _) in FUNCTIONS {
        command.args(["--bin", function]);
    }
    run_to_end("cargo build of the functions", &mut command)
}

/// A fresh folder for one run's logs and data, under `target/e2e/`.
pub fn run_dir(name: &str) -> Result<PathBuf, HarnessError> {
    let dir = workspace_root()
        .join("target")
        .join("e2e")
        .join(format!("{name}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
