//! The harness for the project's real local servers: where the pinned tools live, free
//! loopback ports, processes started in their own process group and stopped (with all
//! their children) by that group's id, and readiness polled rather than slept for.
//!
//! `cargo xtask` and the end-to-end tests start and stop servers through this same code.

pub mod cognito_local;
pub mod demo;
pub mod deploy;
pub mod flow;
pub mod moto;
pub mod process;
pub mod stack;
pub mod tools;
pub mod watch;

pub use moto::Moto;
pub use process::{Server, free_port, run_to_end, stop_all, wait_until};
pub use stack::{Stack, sdk_config};
pub use tools::{Tools, workspace_root};
pub use watch::Watch;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("{tool} is not installed at {path}; run `cargo xtask setup` (cargo xtask test does it first)")]
    ToolMissing { tool: &'static str, path: String },
    #[error("could not start {what}: {source}")]
    Start { what: String, source: std::io::Error },
    #[error("{what} did not become ready within {seconds} s; its output:\n{output}")]
    NotReady { what: String, seconds: u64, output: String },
    #[error("{what} exited early ({status}); its output:\n{output}")]
    Exited {
        what: String,
        status: String,
        output: String,
    },
    #[error("{what} failed ({status}):\n{output}")]
    Failed {
        what: String,
        status: String,
        output: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
