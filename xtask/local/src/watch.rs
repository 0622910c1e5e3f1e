//! `cargo lambda watch`: the functions behind the Lambda Invoke API on a loopback
//! port, each with the environment from its `[package.metadata.lambda.watch.env]` plus any
//! variables given here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use harness::{FUNCTION_NAMES, HarnessError, Port, Server, Tools, run_shown, run_to_end, workspace_root};

/// A running `cargo lambda watch`.
#[derive(Debug)]
pub struct Watch {
    pub port: u16,
    server: Server,
    tools: Tools,
}

impl Watch {
    /// Builds the functions, starts it on a port of its own with extra environment variables
    /// for every function, and waits until it serves; the log goes to `log_dir/watch.log`.
    pub fn start(tools: &Tools, log_dir: &Path, env: &[(&str, &str)]) -> Result<Self, HarnessError> {
        build_functions(Progress::Hidden)?;
        let port = Port::reserve()?;
        let mut watch = Self::spawn(tools, log_dir, &port, env)?;
        watch.wait_ready(port)?;
        Ok(watch)
    }

    /// Starts it on `port` without waiting (see `wait_ready`). The functions should be built
    /// first (`build_functions`), or the first invocation of each waits for its compile.
    pub fn spawn(tools: &Tools, log_dir: &Path, port: &Port, env: &[(&str, &str)]) -> Result<Self, HarnessError> {
        // It runs `cargo run --bin <function>`, which should find the functions as
        // `build_functions` left them.
        let mut command = harness::runs_cargo(tools.cargo_lambda()?);
        command
            .env("PATH", tools.path_env())
            .args(["lambda", "watch", "--quiet", "--ignore-changes"])
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.number().to_string(),
            ]);
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
            port: port.number(),
            server,
            tools: tools.clone(),
        })
    }

    /// Waits until the Invoke API listens on `port` (its own), then lets the port go.
    pub fn wait_ready(&mut self, port: Port) -> Result<(), HarnessError> {
        self.server.wait_for_port(port, Duration::from_secs(300))
    }

    /// The Lambda API endpoint, for an SDK client or cognito-local's `LambdaClient`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `cargo lambda invoke <args>` against this server.
    pub fn invoke(&self, args: &[&str]) -> Result<Output, HarnessError> {
        let mut command = Command::new(self.tools.cargo_lambda()?);
        command
            .current_dir(workspace_root())
            .env("PATH", self.tools.path_env())
            .args(["lambda", "invoke"])
            .args(args)
            .args(["--invoke-address", "127.0.0.1", "--invoke-port", &self.port.to_string()]);
        harness::process::output("cargo lambda invoke", &mut command)
    }

    pub fn output(&self) -> String {
        self.server.output()
    }

    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// The processes running the functions now: `cargo lambda watch` starts each in a
    /// session of its own (outside its process group) and stops them when it stops.
    pub fn function_pids(&self) -> Vec<i32> {
        harness::process::children_of(self.pid().cast_signed())
    }
}

/// Whether a compile's output is shown (for people, `cargo xtask local`) or kept (tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Shown,
    Hidden,
}

/// Builds the functions as `cargo lambda watch` runs them, so that no invocation waits for a
/// compile (cognito-local gives a trigger two minutes): one `cargo build --bin <name>` per
/// function, in the workspace's target folder, as its `cargo run --bin <name>` resolves
/// features (one package at a time; building them together would unify their features
/// and leave each function's own build to the first invocation).
pub fn build_functions(progress: Progress) -> Result<(), HarnessError> {
    for function in FUNCTION_NAMES {
        let mut command = harness::cargo();
        command.args(["build", "--bin", function]);
        let what = format!("cargo build --bin {function}");
        match progress {
            Progress::Shown => run_shown(&what, &mut command)?,
            Progress::Hidden => run_to_end(&what, command.arg("--quiet"))?,
        }
    }
    Ok(())
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
