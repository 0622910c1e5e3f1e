//! `provisioner`: plan, apply, outputs, doctor, destroy and render for the pool described by
//! cognito.toml, and import, which writes that file for a live pool. This file holds the
//! flags and the dispatch; each command is a file under `commands/` that parses its own flags
//! and calls one library entry point, and `output` prints every result.
//!
//! Exit codes: 0 success; 1 a failure (AWS refused, a refused change, unreachable
//! endpoint) or, for `doctor`, a finding; 2 a bad spec or bad usage. `plan
//! --detailed-exitcode` has Terraform's meaning instead: 0 nothing to change, 2 changes
//! pending, 1 any error (a bad spec included). Progress goes to stderr, results to stdout
//! (`--output json` for machines). `-v` or `RUST_LOG` shows the AWS requests on stderr.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use provisioner::aws::Connection;

use crate::commands::{apply, destroy, doctor, import, login, outputs, plan, render};
use crate::output::Output;

#[derive(Parser)]
#[command(
    version,
    about = "Keeps a Cognito user pool, its app clients, resource servers, domain, groups and triggers converged with cognito.toml"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// The flags every command takes.
#[derive(clap::Args)]
pub struct Global {
    /// The spec file.
    #[arg(long, global = true, default_value = "cognito.toml")]
    pub spec: PathBuf,
    #[command(flatten)]
    pub connection: Connection,
    /// Steps to skip, for an emulator that cannot do them: `domain` (hosted-UI domain),
    /// `lambda` (resolving functions and granting invoke permissions). Reported, never faked.
    #[arg(long, global = true, value_enum)]
    pub skip: Vec<Skip>,
    /// How to print results on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Show each AWS request and its answer's status on stderr (`RUST_LOG` chooses finer;
    /// nothing finer than debug is shown, so no request body or credential is logged).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Skip {
    Domain,
    Lambda,
}

#[derive(Subcommand)]
enum Command {
    /// Show what `apply` would change (read-only).
    Plan(plan::Args),
    /// Create what is missing and update what drifted, printing each change as it is made.
    Apply(apply::Args),
    /// Print the pool id and ARN, the client ids, the hosted-UI endpoints, issuer, JWKS and
    /// discovery URLs, and each identity provider's redirect URI.
    Outputs,
    /// Sign in through the hosted UI (code grant with PKCE) and print the verified ID token's
    /// claims; the tokens themselves only with `--output json`.
    Login(login::Args),
    /// Diagnose the live pool, its clients, domain and trigger functions (read-only): each
    /// finding with its id and fix. Exit 1 when there is one.
    Doctor,
    /// Delete the domain and the pool (with its clients and groups), and the pool's invoke permissions.
    Destroy(destroy::Args),
    /// Write a cognito.toml that describes a live pool, and adopt the pool: tag it as this
    /// project's (the only write). Settings the spec has no key for are listed as comments.
    Import(import::Args),
    /// Render the same setup as infrastructure as code (no AWS call).
    Render(render::Args),
}

/// A failure with its exit code.
pub struct Failure(pub u8, pub anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(1, error.into())
    }
}

impl Failure {
    /// Bad usage or a bad spec: exit 2.
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure(2, error.into())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging(cli.global.verbose);
    let detailed = detailed_exitcode(&cli.command);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(code, error)) => {
            eprintln!("error: {error:#}");
            // Terraform's meaning: 1 for every error, since 2 means changes are pending.
            ExitCode::from(if detailed { 1 } else { code })
        }
    }
}

/// `plan --detailed-exitcode`: every error exits 1, since 2 means changes are pending.
fn detailed_exitcode(command: &Command) -> bool {
    match command {
        Command::Plan(args) => args.detailed_exitcode,
        Command::Apply(_)
        | Command::Outputs
        | Command::Login(_)
        | Command::Doctor
        | Command::Destroy(_)
        | Command::Import(_)
        | Command::Render(_) => false,
    }
}

/// Each command returns its exit code.
async fn run(cli: Cli) -> Result<u8, Failure> {
    let global = &cli.global;
    match &cli.command {
        Command::Plan(args) => plan::run(global, args).await,
        Command::Apply(args) => apply::run(global, args).await,
        Command::Outputs => outputs::run(global).await,
        Command::Login(args) => login::run(global, args).await,
        Command::Doctor => doctor::run(global).await,
        Command::Destroy(args) => destroy::run(global, args).await,
        Command::Import(args) => import::run(global, args).await,
        Command::Render(args) => render::run(global, args),
    }
}

/// `-v` shows the provisioner's record of each AWS request and the SDK's attempts;
/// `RUST_LOG` chooses otherwise. Nothing finer than debug is ever shown: at trace the SDK logs
/// whole requests, whose headers and bodies carry credentials and secrets.
fn logging(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::prelude::*;

    let filter = match (verbose, std::env::var("RUST_LOG")) {
        (true, _) => EnvFilter::new("provisioner=debug,aws_smithy_runtime=debug,aws_config=info"),
        (false, Ok(directives)) if !directives.trim().is_empty() => EnvFilter::new(directives),
        (false, Ok(_) | Err(_)) => return,
    };
    tracing_subscriber::registry()
        .with(LevelFilter::DEBUG)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .init();
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command};
    use crate::commands::planning_flags;

    #[test]
    fn the_flags_are_consistent_with_one_another() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_saved_plan_records_adopt_first_then_each_skip_once_in_order() {
        let cli = Cli::try_parse_from([
            "provisioner",
            "--skip",
            "lambda",
            "apply",
            "--adopt",
            "--skip",
            "domain",
            "--skip",
            "lambda",
        ])
        .expect("valid flags");
        let Command::Apply(args) = &cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(
            planning_flags(&cli.global, args.adopt),
            ["--adopt", "--skip domain", "--skip lambda"]
        );
        assert_eq!(planning_flags(&cli.global, false), ["--skip domain", "--skip lambda"]);
    }

    #[test]
    fn only_plan_with_detailed_exitcode_takes_terraforms_exit_codes() {
        let detailed = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).expect("valid flags");
            super::detailed_exitcode(&cli.command)
        };
        assert!(detailed(&["provisioner", "plan", "--detailed-exitcode"]));
        assert!(!detailed(&["provisioner", "plan"]));
        assert!(!detailed(&["provisioner", "apply", "--yes"]));
    }
}
