//! What the provisioner's tests against moto share: an account (moto's server on a loopback
//! port, its SDK configuration, a runtime for the SDK calls that set a scene, a folder for
//! the spec), optionally with the project's functions deployed as placeholders, the
//! provisioner binary pointed at it, and the project's own spec.

// Each test file is a crate of its own and uses part of what is here.
#![allow(unused, reason = "the shared harness offers more than each test file uses")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use harness::Tools;
use harness::moto::{Moto, deploy_placeholders, sdk_config};

pub use harness::FUNCTION_NAMES;
pub use harness::moto::REGION;

/// moto's server, started in a temporary folder of its own (its log goes there).
pub struct Account {
    pub moto: Moto,
    pub dir: tempfile::TempDir,
    pub config: aws_config::SdkConfig,
    pub runtime: tokio::runtime::Runtime,
}

impl Account {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let moto = Moto::start(&Tools::default(), dir.path()).unwrap();
        let config = sdk_config(&moto.endpoint());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            moto,
            dir,
            config,
            runtime,
        }
    }

    /// moto with these functions (and one role for them) already deployed, their code an
    /// empty zip.
    pub fn with_functions(functions: &[&str]) -> Self {
        let account = Self::start();
        account
            .runtime
            .block_on(deploy_placeholders(&account.config, functions))
            .unwrap();
        account
    }

    /// `text` written as `cognito.toml` in the account's folder; its path.
    pub fn write_spec(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("cognito.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The provisioner against this account with `--spec spec` and `args`, run to its end.
    pub fn run(&self, spec: &Path, args: &[&str]) -> Output {
        self.run_env(spec, args, &[])
    }

    /// [`Account::run`] with `env` set (and GOOGLE_CLIENT_SECRET unset unless given).
    pub fn run_env(&self, spec: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        provisioner(&self.moto.endpoint())
            .envs(env.iter().copied())
            .arg("--spec")
            .arg(spec)
            .args(args)
            .output()
            .unwrap()
    }
}

/// The provisioner against `endpoint` in [`REGION`], with moto's test credentials and
/// nothing from the caller's AWS profile or identity provider secrets.
pub fn provisioner(endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provisioner"));
    command
        .args(["--region", REGION, "--endpoint-url", endpoint])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env_remove("GOOGLE_CLIENT_SECRET");
    command
}

/// The workspace's folder (where `cognito.toml` and the functions' crates are).
pub fn workspace_root() -> PathBuf {
    harness::workspace_root()
}

/// The project's own `cognito.toml`.
pub fn project_spec() -> String {
    std::fs::read_to_string(workspace_root().join("cognito.toml")).unwrap()
}

/// A command's stderr, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A command's stdout, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A free loopback port, for an endpoint nothing listens on.
pub use harness::free_port;
