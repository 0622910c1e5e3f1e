//! `cargo xtask`: the project's own automation. Every external tool it needs is pinned under
//! `tools/` and installed into `.tools/` (git-ignored) by `setup`, idempotently.

mod bench;
mod deploy;
mod local;
mod package;
mod setup;

use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use e2e::{Tools, workspace_root};

#[derive(Parser)]
#[command(about = "The project's automation", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install the pinned tools into .tools/ (quick when they already are).
    Setup,
    /// Every check: formatting, clippy with warnings denied, every test.
    Test,
    /// Deploy the functions with cargo lambda deploy, then provision with the provisioner.
    Deploy(deploy::Args),
    /// Re-render infra/ (the SAM template and the IAM policies) from cognito.toml.
    Render,
    /// Every benchmark (cold and warm runs of Rust, Node.js and Python functions against one
    /// Runtime API, handler time, zip sizes, memory, provisioner calls); writes BENCHMARKS.md.
    Bench,
    /// Release zips of the three functions for Lambda on arm64, with their sizes.
    Package,
    /// The local stack (cognito-local and the functions under cargo lambda watch),
    /// provisioned from cognito.toml, and the whole sign-up and hosted-login demo.
    Local {
        /// Run the demo and exit with its result instead of staying up.
        #[arg(long)]
        once: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Task::Setup => setup::run(&Tools::default()),
        Task::Test => test(),
        Task::Local { once } => local::run(once),
        Task::Package => package::run(&Tools::default()),
        Task::Bench => bench::run(),
        Task::Render => render(),
        Task::Deploy(args) => deploy::run(args),
    }
}

fn test() -> Result<()> {
    let tools = Tools::default();
    setup::run(&tools)?;
    cargo(&["fmt", "--all", "--", "--check"]).context("formatting differs: run `cargo fmt --all`")?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace", "--locked", "--no-fail-fast"])?;
    // The template's currency is a cargo test; these check what it says.
    let template = workspace_root().join("infra").join("template.json");
    step(Command::new(tools.cfn_lint()?).arg(&template)).context("cfn-lint found errors in infra/template.json")?;
    step(
        Command::new(tools.checkov()?)
            .args([
                "--framework",
                "cloudformation",
                "--compact",
                "--quiet",
                "--skip-download",
                "-f",
            ])
            .arg(&template),
    )
    .context("checkov found failed checks in infra/template.json (suppress one only with a written reason)")?;
    Ok(())
}

fn render() -> Result<()> {
    let provisioner = ["run", "--quiet", "-p", "provisioner", "--", "render"];
    cargo(&[&provisioner[..], &["cloudformation", "--out", "infra/template.json"]].concat())?;
    cargo(&[&provisioner[..], &["policies", "--out", "infra/policies"]].concat())
}

/// Runs `cargo <args>` in the workspace root, failing if it fails.
fn cargo(args: &[&str]) -> Result<()> {
    step(Command::new(env!("CARGO")).args(args))
}

/// Runs a command with its output shown, failing with the command line if it fails.
fn step(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    eprintln!("==> {shown}");
    if command.get_current_dir().is_none() {
        command.current_dir(workspace_root());
    }
    let status = command.status().with_context(|| format!("could not run {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}
