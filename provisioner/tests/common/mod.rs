//! What the provisioner's tests against moto share: an account (moto's server on a loopback
//! port, its SDK configuration, a runtime for the SDK calls that set a scene) and the
//! provisioner binary pointed at it.

use std::process::Command;

use e2e::{Moto, Tools};

pub const REGION: &str = "us-east-1";

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
        let config = e2e::sdk_config(&moto.endpoint());
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
