//! `cargo xtask`: the project's own automation. It installs the pinned tools a command needs
//! (`setup`) and runs the command's own binary with `cargo run`: the local stack and the demo
//! (`xtask/local`), package and deploy (`xtask/deploy`), the benchmark (`bench`). It stays
//! thin (clap, anyhow and the small `harness`) because `cargo run` compiles every dependency
//! of the binary it runs, whichever subcommand runs: `cargo xtask local` on a fresh clone
//! should not compile the IAM and Lambda SDKs or the benchmark.

mod setup;

use std::os::unix::process::CommandExt;
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use harness::{Tools, workspace_root};

#[derive(Parser)]
#[command(about = "The project's automation", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install every pinned tool into .tools/ (quick when they already are) but the
    /// benchmark's aws-lambda-ric, which `bench` installs; the other commands install what
    /// they need themselves.
    Setup,
    /// Every check: formatting, clippy with warnings denied, every test, cfn-lint and checkov.
    Test,
    /// The local stack (cognito-local and the functions under cargo lambda watch),
    /// provisioned from cognito.toml, and the whole sign-up and hosted-login demo.
    /// `cargo xtask local --help` lists its options (--once, --no-demo).
    #[command(disable_help_flag = true)]
    Local {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Release zips of the functions for Lambda on arm64, with their sizes.
    Package,
    /// Deploy the functions the spec wires with cargo lambda deploy, then provision.
    /// `cargo xtask deploy --help` lists its options.
    #[command(disable_help_flag = true)]
    Deploy {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// Re-render infra/ (the SAM template and the IAM policies) from cognito.toml.
    Render,
    /// Every benchmark (cold and warm runs of Rust, Node.js and Python functions against one
    /// Runtime API, handler time, zip sizes, memory, provisioner calls); writes BENCHMARKS.md.
    Bench,
}

fn main() -> Result<()> {
    let tools = Tools::default();
    match Cli::parse().command {
        Task::Setup => setup::all(&tools),
        Task::Test => test(&tools),
        Task::Local { args } => local(&tools, &args),
        Task::Package => {
            setup::lambda(&tools)?;
            run_instead(&["run", "-p", "deploy", "--", "package"], &[])
        }
        Task::Deploy { args } => {
            setup::lambda(&tools)?;
            run_instead(&["run", "-p", "deploy", "--", "deploy"], &args)
        }
        Task::Render => render(),
        Task::Bench => {
            setup::bench(&tools)?;
            run_instead(&["run", "--locked", "-p", "bench", "--"], &[])
        }
    }
}

/// The local stack: its build starts at once (it needs no tool) and compiles while the tools
/// it needs install; then its binary takes this process's place.
fn local(tools: &Tools, args: &[String]) -> Result<()> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        return run_instead(&["run", "-p", "local", "--"], args);
    }
    eprintln!(
        "==> cargo build -p local: the local stack and the demo (the first build compiles the AWS SDK: minutes on two cores), while the tools install"
    );
    let mut build = harness::cargo();
    build.args(["build", "-p", "local"]);
    let mut build = build.spawn().context("could not run cargo build")?;
    if let Err(error) = setup::local(tools) {
        let _ = build.kill();
        let _ = build.wait();
        return Err(error);
    }
    let built = build.wait().context("could not wait for cargo build")?;
    if !built.success() {
        bail!("cargo build -p local failed ({built})");
    }
    run_instead(&["run", "-p", "local", "--"], args)
}

fn test(tools: &Tools) -> Result<()> {
    setup::all(tools)?;
    cargo(&["fmt", "--all", "--", "--check"]).context("formatting differs: run `cargo fmt --all`")?;
    // Every feature, as the workspace doc step below builds them: the two steps then share
    // the dependencies' metadata instead of checking the AWS SDK twice.
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace", "--locked", "--no-fail-fast"])?;
    // cognito-oauth's core alone (an app that sends its own requests), and its docs.
    cargo(&["test", "-p", "cognito-oauth", "--no-default-features", "--locked"])?;
    step(
        harness::cargo()
            .args(["doc", "-p", "cognito-oauth", "--all-features", "--no-deps", "--locked"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
    .context("cognito-oauth's docs have warnings")?;
    // Every crate's docs, private items too: each lib.rs opens with a map of its modules as
    // rustdoc links, so a module renamed or moved without its map fails here.
    step(
        harness::cargo()
            .args([
                "doc",
                "--workspace",
                "--all-features",
                "--no-deps",
                "--document-private-items",
                "--locked",
            ])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
    .context("the workspace's docs have warnings (a broken link among them?)")?;
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
    step(
        Command::new(tools.sam()?)
            .args(["validate", "--lint", "--template"])
            .arg(&template)
            .envs(Tools::sam_environment()),
    )
    .context("`sam validate --lint` refused infra/template.json")?;
    Ok(())
}

fn render() -> Result<()> {
    let provisioner = ["run", "--quiet", "-p", "provisioner", "--", "render"];
    cargo(&[&provisioner[..], &["cloudformation", "--out", "infra/template.json"]].concat())?;
    cargo(&[&provisioner[..], &["policies", "--out", "infra/policies"]].concat())
}

/// Replaces this process with `cargo <args> <rest>` in the workspace root (`harness::cargo`
/// says why without cargo's variables for xtask): the command's binary gets this process's
/// id, its terminal and its signals (Ctrl-C, SIGTERM, SIGHUP).
fn run_instead(args: &[&str], rest: &[String]) -> Result<()> {
    let mut command = harness::cargo();
    command.args(args).args(rest);
    let error = command.exec();
    Err(error).with_context(|| format!("could not run {command:?}"))
}

/// Runs `cargo <args>` in the workspace root, failing if it fails.
fn cargo(args: &[&str]) -> Result<()> {
    step(harness::cargo().args(args))
}

/// Runs a command with its output shown, failing with the command line if it fails.
fn step(command: &mut Command) -> Result<()> {
    let shown = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
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
