//! What `cargo xtask`, its commands (the local stack, package and deploy, the benchmark) and
//! the tests share: where the pinned tools live (`tools`), the workspace's functions, and
//! servers started on held loopback ports, in process groups of their own, that stop when
//! dropped and die with whoever started them (`process`), and the headless browser the
//! tests drive (`browser`). With the `moto` feature, moto's server and the placeholder
//! functions deployed in it (`moto`), for the provisioner's tests, the end-to-end tests and
//! the benchmark.
//!
//! It stays small (nix and thiserror) because `cargo xtask` itself depends on it; the AWS
//! SDK crates `moto` needs come only with that feature.

pub mod browser;
#[cfg(feature = "moto")]
pub mod moto;
pub mod process;
pub mod tools;

pub use process::{
    Port, Server, children_of, free_port, is_alive, live_members, run_shown, run_to_end, stop_all, wait_until,
};
pub use tools::{Tools, workspace_root};

/// The workspace's Lambda functions (the binaries `cargo lambda watch` serves and
/// `cargo xtask package` zips), each with the size its arm64 zip should stay under: 1.5 MB
/// without the AWS SDK, 6 MB with it (pre-signup links it for account linking).
pub const FUNCTIONS: [(&str, u64); 4] = [
    ("pre-signup", 6_000_000),
    ("post-confirmation", 6_000_000),
    ("custom-message", 1_500_000),
    ("pre-token-generation", 1_500_000),
];

/// The functions' names alone, in `FUNCTIONS`' order.
pub const FUNCTION_NAMES: [&str; FUNCTIONS.len()] = {
    let mut names = [""; FUNCTIONS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = FUNCTIONS[i].0;
        i += 1;
    }
    names
};

/// `cargo` (the one that runs us, when it does), from the workspace root, without the
/// variables cargo set for the binary it ran (see `runs_cargo`).
pub fn cargo() -> std::process::Command {
    runs_cargo(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `program` (cargo, or cargo-lambda, which runs it), from the workspace root, without the
/// variables cargo set for the binary that `cargo run` or `cargo test` started
/// (CARGO_MANIFEST_DIR, CARGO_PKG_*, ...): a build script that tracks one of them (ring's
/// does) would see it change between builds started from different binaries, run again, and
/// rebuild everything above it, the AWS SDK among them.
pub fn runs_cargo(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let set_by_cargo = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_EXE_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "CARGO_RUSTC_CURRENT_DIR"
                    | "OUT_DIR"
            );
        if set_by_cargo {
            command.env_remove(name);
        }
    }
    command.current_dir(workspace_root());
    command
}

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
