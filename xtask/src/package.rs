//! `cargo xtask package`: arm64 release zips of the three functions, through cargo-lambda
//! (Zig cross-links them for Graviton), with each zip's size against its budget.

use std::process::Command;

use anyhow::{Context, Result, bail};
use e2e::{Tools, workspace_root};

use crate::step;

/// The functions, and the zip size each should stay under: 1.5 MB without the AWS SDK,
/// 6 MB with it.
pub const FUNCTIONS: [(&str, u64); 3] = [
    ("pre-signup", 1_500_000),
    ("post-confirmation", 6_000_000),
    ("custom-message", 1_500_000),
];

pub fn run(tools: &Tools) -> Result<()> {
    crate::setup::run(tools)?;
    step(Command::new("rustup").args(["target", "add", "aarch64-unknown-linux-gnu"]))
        .context("cross-building for arm64 needs the aarch64-unknown-linux-gnu target")?;
    let mut build = Command::new(tools.cargo_lambda()?);
    build
        .env("PATH", tools.path_env())
        .args(["lambda", "build", "--release", "--arm64", "--output-format", "zip"]);
    for (name, _) in FUNCTIONS {
        build.args(["--bin", name]);
    }
    step(&mut build)?;
    let mut over = Vec::new();
    println!("{:<20} {:>12} {:>12}", "function", "zip bytes", "budget");
    for (name, budget) in FUNCTIONS {
        let zip = workspace_root()
            .join("target")
            .join("lambda")
            .join(name)
            .join("bootstrap.zip");
        let size = std::fs::metadata(&zip)
            .with_context(|| format!("{} was not built", zip.display()))?
            .len();
        println!("{name:<20} {size:>12} {budget:>12}  {}", zip.display());
        if size > budget {
            over.push(name);
        }
    }
    if !over.is_empty() {
        bail!("over their size budget: {}", over.join(", "));
    }
    Ok(())
}
