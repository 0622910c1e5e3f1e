//! The real browser the tests drive: Debian's headless Chromium and its chromedriver
//! (`chromium`, `chromium-driver`, which `cargo xtask setup` and `cargo xtask test` install
//! when missing), located on PATH, and chromedriver started on a loopback port the OS picks,
//! in a process group of its own, stopped by pid when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::{HarnessError, Port, Server};

/// Debian's packages for the browser and its WebDriver server.
pub const PACKAGES: [&str; 2] = ["chromium", "chromium-driver"];

/// `program` on PATH.
fn on_path(program: &'static str) -> Result<PathBuf, HarnessError> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .ok_or(HarnessError::ToolMissing {
            tool: program,
            path: "PATH (Debian's chromium and chromium-driver packages)".into(),
        })
}

/// The Chromium binary.
pub fn chromium() -> Result<PathBuf, HarnessError> {
    on_path("chromium")
}

/// The chromedriver binary.
pub fn chromedriver() -> Result<PathBuf, HarnessError> {
    on_path("chromedriver")
}

/// A running chromedriver; stopped (by its process group) when dropped.
#[derive(Debug)]
pub struct ChromeDriver {
    server: Server,
    port: u16,
}

impl ChromeDriver {
    /// Starts chromedriver on a held loopback port, its log in `dir`, and waits until it
    /// listens. It accepts connections from this machine only (its default).
    pub fn start(dir: &Path) -> Result<Self, HarnessError> {
        chromium()?;
        let port = Port::reserve()?;
        let mut command = Command::new(chromedriver()?);
        command.arg(format!("--port={}", port.number()));
        let number = port.number();
        let mut server = Server::start("chromedriver", command, &dir.join("chromedriver.log"))?;
        server.wait_for_port(port, Duration::from_secs(30))?;
        Ok(Self { server, port: number })
    }

    /// The WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// What chromedriver has logged.
    pub fn output(&self) -> String {
        self.server.output()
    }
}

/// The Chromium command-line switches for a test: headless, no first-run or sandbox (CI
/// runs as root, where Chromium's sandbox refuses to start), no shared-memory file system
/// (a container's /dev/shm is small), a fixed window for screenshots.
pub const CHROMIUM_ARGS: [&str; 6] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-gpu",
    "--window-size=1024,768",
];
