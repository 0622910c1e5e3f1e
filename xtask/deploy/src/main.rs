//! The command behind `cargo xtask package` and `cargo xtask deploy` (which install
//! cargo-lambda first); the work is in this crate's library.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use deploy::{FUNCTIONS, Target};
use harness::Tools;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Package and deploy the functions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Release zips of the functions for Lambda on arm64, with their sizes.
    Package,
    /// Deploy the functions the spec wires with cargo lambda deploy, then provision.
    Deploy(Args),
}

#[derive(Debug, clap::Args)]
struct Args {
    /// The provisioner's own connection flags (`--region`, `--profile`, `--endpoint-url`).
    #[command(flatten)]
    connection: provisioner::aws::Connection,
    /// The spec to provision (relative to the workspace root); its triggers say which of
    /// the functions are deployed.
    #[arg(long, value_name = "PATH", default_value = "cognito.toml")]
    spec: PathBuf,
    /// An existing execution role for a function, as FUNCTION=ROLE_ARN (repeatable). Roles
    /// given here are used as they are; the others are created as <function>-role.
    #[arg(long = "role", value_parser = parse_role)]
    roles: Vec<(String, String)>,
    /// Deploy the zips already built instead of building them.
    #[arg(long)]
    no_build: bool,
    /// Let the provisioner make destructive changes (a domain replaced, an invoke
    /// permission removed), which it otherwise refuses before writing.
    #[arg(long)]
    yes: bool,
}

fn parse_role(value: &str) -> Result<(String, String), String> {
    let (function, arn) = value.split_once('=').ok_or("expected FUNCTION=ROLE_ARN")?;
    if !FUNCTIONS.iter().any(|(name, _)| *name == function) {
        return Err(format!(
            "unknown function {function:?}; the functions are {}",
            harness::FUNCTION_NAMES.join(", ")
        ));
    }
    if !arn.starts_with("arn:") || !arn.contains(":role/") {
        return Err(format!(
            "{arn:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        ));
    }
    Ok((function.to_owned(), arn.to_owned()))
}

fn main() -> Result<()> {
    let tools = Tools::default();
    match Cli::parse().command {
        Command::Package => package(&tools),
        Command::Deploy(args) => deploy(&tools, args),
    }
}

fn package(tools: &Tools) -> Result<()> {
    eprintln!("==> cargo lambda build --release --arm64 --output-format zip (every function)");
    let zips = deploy::package(tools)?;
    println!("{:<20} {:>12} {:>12}", "function", "zip bytes", "budget");
    for zip in &zips {
        println!(
            "{:<20} {:>12} {:>12}  {}",
            zip.function,
            zip.bytes,
            zip.budget,
            zip.path.display()
        );
    }
    let over: Vec<&str> = zips.iter().filter(|z| z.bytes > z.budget).map(|z| z.function).collect();
    if !over.is_empty() {
        bail!("over their size budget: {}", over.join(", "));
    }
    Ok(())
}

fn deploy(tools: &Tools, args: Args) -> Result<()> {
    let target = Target {
        connection: args.connection,
        // `cargo xtask` runs this from the workspace root; an absolute path stays as it is.
        spec: Some(harness::workspace_root().join(args.spec)),
        roles: args.roles,
        yes: args.yes,
    };
    // The spec and the roles are checked before minutes of building.
    deploy::check(&target)?;
    if !args.no_build {
        package(tools)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let deployed = runtime.block_on(deploy::deploy(tools, &target))?;
    for done in &deployed.done {
        println!("done: {done}");
    }
    println!("deployed: user pool {} with its triggers", deployed.user_pool_id);
    Ok(())
}
