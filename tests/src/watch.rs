//! `cargo lambda watch`: the three functions behind the Lambda Invoke API on a loopback
//! port, each with the environment from its `[package.metadata.lambda.watch.env]` plus any
//! variables given here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::{HarnessError, Server, Tools, free_port, workspace_root};

/// A running `cargo lambda watch`.
#[derive(Debug)]
pub struct Watch {
    pub port: u16,
    server: Server,
    tools: Tools,
}

impl Watch {
    /// Starts it on a free port with extra environment variables for every function; the
    /// log goes to `log_dir/watch.log`.
    pub fn start(
        tools: &Tools,
        log_dir: &Path,
        env: &[(&str, &str)],
    ) -> Result<Self, HarnessError> {
        let cargo_lambda = tools.cargo_lambda()?;
        let port = free_port()?;
        let mut command = Command::new(cargo_lambda);
        command
            .current_dir(workspace_root())
            .env("PATH", tools.path_env())
            .args(["lambda", "watch", "--quiet", "--ignore-changes"])
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.to_string(),
            ]);
        for (key, value) in env {
            command.arg("--env-var").arg(format!("{key}={value}"));
        }
        let mut server = Server::start("cargo lambda watch", command, &log_dir.join("watch.log"))?;
        server.wait_for_port(port, Duration::from_secs(120))?;
        Ok(Self {
            port,
            server,
            tools: tools.clone(),
        })
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
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &self.port.to_string(),
            ])
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

/// A fresh folder for one run's logs and data, under `target/e2e/`.
pub fn run_dir(name: &str) -> Result<PathBuf, HarnessError> {
    let dir = workspace_root()
        .join("target")
        .join("e2e")
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
