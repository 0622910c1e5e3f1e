//! moto's server (Cognito, Lambda and IAM APIs) on a free loopback port, started through
//! `tools/moto_server.py`, which patches moto where it differs from AWS.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::{HarnessError, Server, Tools, free_port, workspace_root};

/// A running moto server; stopped (by process group) when dropped.
#[derive(Debug)]
pub struct Moto {
    pub port: u16,
    server: Server,
}

impl Moto {
    pub fn start(tools: &Tools, log_dir: &Path) -> Result<Self, HarnessError> {
        let python = tools.python()?;
        let port = free_port()?;
        let mut command = Command::new(python);
        command
            .arg(workspace_root().join("tools").join("moto_server.py"))
            .arg(port.to_string());
        let mut server = Server::start("moto server", command, &log_dir.join("moto.log"))?;
        server.wait_for_port(port, Duration::from_secs(60))?;
        Ok(Self { port, server })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn output(&self) -> String {
        self.server.output()
    }
}
