//! `provisioner`: plan, apply, outputs, doctor, destroy and render for the pool described by
//! cognito.toml, and import, which writes that file for a live pool. This file parses flags
//! and prints; the work is in the library's `converge` (and `aws::read_pool`, `import`).
//!
//! Exit codes: 0 success; 1 a failure (AWS refused, a refused change, unreachable
//! endpoint) or, for `doctor`, a finding; 2 a bad spec or bad usage. `plan
//! --detailed-exitcode` has Terraform's meaning instead: 0 nothing to change, 2 changes
//! pending, 1 any error (a bad spec included). Progress goes to stderr, results to stdout
//! (`--output json` for machines). `-v` or `RUST_LOG` shows the AWS requests on stderr.

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use provisioner::aws::{self, Clients, Connection};
use provisioner::converge::{ConvergeError, apply_planned, observe_and_plan};
use provisioner::import::{self, PoolRef};
use provisioner::outputs::outputs;
use provisioner::plan::{Options, Plan};
use provisioner::render;
use provisioner::saved::SavedPlan;
use provisioner::spec::{self, Spec};
use serde_json::json;

#[derive(Parser)]
#[command(
    version,
    about = "Keeps a Cognito user pool, its app clients, resource servers, domain, groups and triggers converged with cognito.toml"
)]
struct Cli {
    /// The spec file.
    #[arg(long, global = true, default_value = "cognito.toml")]
    spec: PathBuf,
    #[command(flatten)]
    connection: Connection,
    /// Steps to skip, for an emulator that cannot do them: `domain` (hosted-UI domain),
    /// `lambda` (resolving functions and granting invoke permissions). Reported, never faked.
    #[arg(long, global = true, value_enum)]
    skip: Vec<Skip>,
    /// How to print results on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Show each AWS request and its answer's status on stderr (`RUST_LOG` chooses finer;
    /// nothing finer than debug is shown, so no request body or credential is logged).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Skip {
    Domain,
    Lambda,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
    /// `KEY=value` lines for an app's `.env` (`outputs` only).
    Env,
}

#[derive(Subcommand)]
enum Command {
    /// Show what `apply` would change (read-only).
    Plan {
        /// Plan to adopt a pool of the spec's name that this provisioner did not create.
        #[arg(long)]
        adopt: bool,
        /// Exit 0 when nothing would change, 2 when changes are pending, 1 on any error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Save the plan here, for `apply --plan`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Create what is missing and update what drifted, printing each change as it is made.
    Apply {
        /// Adopt a pool of the spec's name that this provisioner did not create: tag it as
        /// this project's, then converge it.
        #[arg(long)]
        adopt: bool,
        /// Make destructive changes (a domain replaced, an invoke permission removed) without
        /// asking; needed for them when stdin is not a terminal.
        #[arg(long)]
        yes: bool,
        /// Make exactly the plan `plan --out` saved here, or refuse (writing nothing) if the
        /// spec or what exists in AWS changed since. Takes the same --adopt and --skip flags.
        #[arg(long)]
        plan: Option<PathBuf>,
    },
    /// Print the pool id and ARN, the client ids, the hosted-UI endpoints, issuer, JWKS and
    /// discovery URLs, and each identity provider's redirect URI.
    Outputs,
    /// Sign in through the hosted UI (code grant with PKCE) and print the verified ID token's
    /// claims; the tokens themselves only with `--output json`.
    Login {
        /// The app client to sign in with (default: the spec's first with the code grant).
        #[arg(long)]
        client: Option<String>,
        /// Print the authorize URL without starting a browser.
        #[arg(long)]
        no_browser: bool,
        /// Exchange a refresh token read from stdin instead of signing in.
        #[arg(long)]
        refresh: bool,
    },
    /// Diagnose the live pool, its clients, domain and trigger functions (read-only): each
    /// finding with its id and fix. Exit 1 when there is one.
    Doctor,
    /// Delete the domain and the pool (with its clients and groups), and the pool's invoke permissions.
    Destroy {
        /// The pool's name, to confirm.
        #[arg(long)]
        confirm: Option<String>,
    },
    /// Write a cognito.toml that describes a live pool, and adopt the pool: tag it as this
    /// project's (the only write). Settings the spec has no key for are listed as comments.
    Import {
        /// The pool's id.
        #[arg(long, required_unless_present = "pool_name", conflicts_with = "pool_name")]
        pool_id: Option<String>,
        /// The pool's name; exactly one pool must have it.
        #[arg(long)]
        pool_name: Option<String>,
        /// Write the spec here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Render the same setup as infrastructure as code (no AWS call).
    Render {
        #[command(subcommand)]
        what: Render,
    },
}

impl Command {
    /// Whether the command reads the identity providers' secrets (to compare them with what
    /// AWS holds, or to send them): only then must their environment variables be set.
    fn reads_provider_secrets(&self) -> bool {
        match self {
            Command::Plan { .. } | Command::Apply { .. } => true,
            Command::Outputs
            | Command::Login { .. }
            | Command::Doctor
            | Command::Destroy { .. }
            | Command::Import { .. }
            | Command::Render { .. } => false,
        }
    }
}

#[derive(Subcommand)]
enum Render {
    /// An AWS SAM template: pool, clients, resource servers, domain, groups, functions, roles, permissions.
    Cloudformation {
        /// Write it here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Least-privilege IAM policy documents: the provisioner's and one per function.
    Policies {
        /// The folder to write them into.
        #[arg(long, default_value = "infra/policies")]
        out: PathBuf,
    },
}

/// A failure with its exit code.
struct Failure(u8, anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(1, error.into())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging(cli.verbose);
    let detailed = matches!(
        cli.command,
        Command::Plan {
            detailed_exitcode: true,
            ..
        }
    );
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

async fn run(cli: Cli) -> Result<u8, Failure> {
    if let Command::Import {
        pool_id,
        pool_name,
        out,
        force,
    } = &cli.command
    {
        let pool = match (pool_id, pool_name) {
            (Some(id), _) => PoolRef::Id(id.clone()),
            (None, Some(name)) => PoolRef::Name(name.clone()),
            (None, None) => unreachable!("clap requires one"),
        };
        if cli.output == Output::Env {
            return Err(Failure(2, anyhow::anyhow!("--output env applies to `outputs` only")));
        }
        return import_pool(&cli, &pool, out.as_deref(), *force).await.map(|()| 0);
    }
    let (mut spec, warnings) = spec::load(&cli.spec).map_err(|error| Failure(2, error.into()))?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if let Command::Render { what } = &cli.command {
        return render(&cli.spec, &spec, what).map(|()| 0);
    }
    if cli.output == Output::Env && !matches!(cli.command, Command::Outputs) {
        return Err(Failure(2, anyhow::anyhow!("--output env applies to `outputs` only")));
    }
    let missing = spec.missing_secrets(|variable| std::env::var(variable).ok());
    if !missing.is_empty() && cli.command.reads_provider_secrets() {
        return Err(Failure(2, anyhow::anyhow!("{}", missing.join("; "))));
    }
    if cli.skip.contains(&Skip::Domain) && spec.domain.take().is_some() {
        eprintln!("skipped: the hosted-UI domain (--skip domain)");
    }
    let mut clients = clients(&cli.connection).await?;
    if cli.skip.contains(&Skip::Lambda) {
        clients = clients.without_lambda();
        if !spec.triggers.wired.is_empty() {
            eprintln!("skipped: resolving the trigger functions and granting their invoke permissions (--skip lambda)");
        }
    }
    match &cli.command {
        Command::Plan { adopt, out, .. } => {
            let options = Options {
                adopt: *adopt,
                allow_destructive: false,
            };
            let planned = observe_and_plan(&clients, &spec, options)
                .await
                .map_err(converge_failure)?;
            print_plan(&cli, &planned.plan);
            if let Some(path) = out {
                let saved = SavedPlan::new(&spec_bytes(&cli.spec)?, &planned.observed, cli.flags(), &planned.plan);
                std::fs::write(path, saved.to_text()).with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!(
                    "saved the plan to {0}; `provisioner apply --plan {0}` makes exactly these changes",
                    path.display()
                );
            }
            return Ok(match cli.command {
                Command::Plan {
                    detailed_exitcode: true,
                    ..
                } if !planned.plan.is_empty() => 2,
                _ => 0,
            });
        }
        Command::Apply { adopt, yes, plan } => apply(&cli, &clients, &spec, *adopt, *yes, plan.as_deref()).await?,
        Command::Render { .. } => unreachable!("rendered above"),
        Command::Import { .. } => unreachable!("imported above"),
        Command::Outputs => print_outputs(&cli, &clients, &spec).await?,
        Command::Login {
            client,
            no_browser,
            refresh,
        } => login(&cli, &clients, &spec, client.as_deref(), *no_browser, *refresh).await?,
        Command::Doctor => doctor(&cli, &clients, &spec).await?,
        Command::Destroy { confirm } => {
            if confirm.as_deref() != Some(spec.pool.name.as_str()) {
                return Err(Failure(
                    2,
                    anyhow::anyhow!(
                        "destroy deletes the pool and every user in it; confirm with --confirm {:?}",
                        spec.pool.name
                    ),
                ));
            }
            let done = aws::destroy(&clients, &spec).await?;
            if done.is_empty() {
                println!("nothing to destroy: no pool is named {:?}", spec.pool.name);
            }
            for line in done {
                println!("done: {line}");
            }
        }
    }
    Ok(0)
}

impl Cli {
    /// The flags that change what is planned, as a saved plan records them.
    fn flags(&self) -> Vec<String> {
        let adopt = match self.command {
            Command::Plan { adopt, .. } | Command::Apply { adopt, .. } => adopt,
            Command::Outputs
            | Command::Login { .. }
            | Command::Doctor
            | Command::Destroy { .. }
            | Command::Import { .. }
            | Command::Render { .. } => false,
        };
        let mut flags: Vec<String> = self
            .skip
            .iter()
            .map(|skip| match skip {
                Skip::Domain => "--skip domain".to_owned(),
                Skip::Lambda => "--skip lambda".to_owned(),
            })
            .collect();
        flags.sort();
        flags.dedup();
        if adopt {
            flags.insert(0, "--adopt".to_owned());
        }
        flags
    }
}

fn spec_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    Ok(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?)
}

/// Plans (or takes the saved plan, once it is shown to be still the plan), confirms
/// destructive changes, and makes the changes, printing each as soon as it is made.
async fn apply(
    cli: &Cli,
    clients: &Clients,
    spec: &Spec,
    adopt: bool,
    yes: bool,
    saved: Option<&Path>,
) -> Result<(), Failure> {
    let saved = match saved {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let saved = SavedPlan::parse(&path.display().to_string(), &text)?;
            saved.check_spec(&spec_bytes(&cli.spec)?, &cli.flags())?;
            Some(saved)
        }
        None => None,
    };
    let mut options = Options {
        adopt,
        allow_destructive: yes,
    };
    let planned = observe_and_plan(clients, spec, options)
        .await
        .map_err(converge_failure)?;
    if let Some(saved) = &saved {
        saved.check_observed(&planned.observed, &planned.plan)?;
    }
    let destructive = planned.plan.destructive();
    if !yes && !destructive.is_empty() && std::io::stdin().is_terminal() {
        options.allow_destructive = confirm(&destructive)?;
    }
    let json = cli.output == Output::Json;
    // Each change on its own line as soon as it is made: to stdout for people, to stderr
    // when stdout carries the JSON report.
    let converged = apply_planned(clients, spec, planned, options, &mut |change| {
        let line = format!("done: {}", change.summary());
        let written = if json {
            writeln!(std::io::stderr(), "{line}")
        } else {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}").and_then(|()| out.flush())
        };
        // A closed stdout (the reader went away) does not stop an apply half-way.
        drop(written);
    })
    .await
    .map_err(converge_failure)?;
    let applied = converged.applied.unwrap_or_default();
    let (reads, writes) = clients.counter.reads_and_writes();
    if json {
        println!(
            "{}",
            json!({
                "user_pool_id": converged.live.map(|l| l.pool_id),
                "changes": applied.done,
                "calls": {"reads": reads, "writes": writes, "operations": clients.counter.calls()},
            })
        );
    } else {
        if applied.done.is_empty() {
            println!("nothing to do: everything matches {}", cli.spec.display());
        }
        println!("API calls: {reads} reads, {writes} writes");
    }
    Ok(())
}

/// Asks at the terminal before destructive changes; only `yes` makes them.
fn confirm(destructive: &[&provisioner::plan::Change]) -> Result<bool, Failure> {
    eprintln!("These changes take away something that serves users now:");
    for change in destructive {
        eprintln!("  {}", change.summary());
    }
    eprint!("Make them? Only `yes` is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        Err(Failure(1, anyhow::anyhow!("not confirmed: nothing was changed")))
    }
}

/// Reads the pool, writes its spec (to `out` or stdout), then adopts it: the spec is safe
/// before the one write is made.
async fn import_pool(cli: &Cli, pool: &PoolRef, out: Option<&Path>, force: bool) -> Result<(), Failure> {
    if let Some(path) = out
        && path.exists()
        && !force
    {
        return Err(Failure(
            2,
            anyhow::anyhow!("{} exists; pass --force to overwrite it", path.display()),
        ));
    }
    let clients = clients(&cli.connection).await?;
    let described = aws::read_pool(&clients, pool).await?;
    let imported = import::import(&described);
    let text = imported.text();
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    match out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None if cli.output == Output::Text => print!("{text}"),
        None => {}
    }
    let adopted = aws::adopt(&clients, &described, &imported).await?;
    let name = &imported.desired.pool.name;
    if adopted {
        eprintln!(
            "adopted user pool {}: tagged {} = {name:?}, import's only write",
            imported.pool_id,
            provisioner::desired::MANAGED_TAG
        );
    } else {
        eprintln!(
            "user pool {} already carries the tag {} = {name:?}: nothing written",
            imported.pool_id,
            provisioner::desired::MANAGED_TAG
        );
    }
    let (reads, writes) = clients.counter.reads_and_writes();
    match cli.output {
        Output::Text | Output::Env => eprintln!("API calls: {reads} reads, {writes} writes"),
        Output::Json => println!(
            "{}",
            json!({
                "user_pool_id": imported.pool_id,
                "adopted": adopted,
                "out": out.map(|p| p.display().to_string()),
                "spec": out.is_none().then_some(&text),
                "warnings": imported.warnings,
                "calls": {"reads": reads, "writes": writes, "operations": clients.counter.calls()},
            })
        ),
    }
    Ok(())
}

/// A failed apply has already printed each change it made before the failure.
fn converge_failure(error: ConvergeError) -> Failure {
    Failure(1, error.into())
}

/// Renders without AWS; the functions' deploy settings come from the crates beside the spec.
fn render(spec_path: &Path, spec: &Spec, what: &Render) -> Result<(), Failure> {
    let workspace = spec_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let functions = render::workspace_functions(workspace, spec)?;
    match what {
        Render::Cloudformation { out } => {
            let text = format!(
                "{}\n",
                serde_json::to_string_pretty(&render::cloudformation(spec, &functions))?
            );
            match out {
                Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
        }
        Render::Policies { out } => {
            std::fs::create_dir_all(out)?;
            for (name, document) in render::policies(spec, &functions) {
                let path = out.join(name);
                std::fs::write(&path, format!("{}\n", serde_json::to_string_pretty(&document)?))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

async fn clients(connection: &Connection) -> Result<Clients, Failure> {
    let config = connection.load().await;
    if config.region().is_none() {
        return Err(Failure(
            2,
            anyhow::anyhow!("no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile"),
        ));
    }
    Ok(Clients::new(&config))
}

/// The plan with Terraform's markers (`+`, `~`, `-/+`, `-`), then `=` before each resource
/// that is already right; or the JSON document.
fn print_plan(cli: &Cli, plan: &Plan) {
    match cli.output {
        Output::Text | Output::Env => {
            if plan.is_empty() {
                println!("no changes: everything matches {}", cli.spec.display());
            }
            for change in &plan.changes {
                println!("{change}");
            }
            for unchanged in &plan.unchanged {
                println!("= {unchanged}");
            }
        }
        Output::Json => println!("{}", plan.to_json()),
    }
}

async fn doctor(cli: &Cli, clients: &Clients, spec: &Spec) -> Result<(), Failure> {
    let seen = aws::observe_for_doctor(clients, spec).await?.with_context(|| {
        format!(
            "no user pool is named {:?}; run `provisioner apply` first",
            spec.pool.name
        )
    })?;
    if seen.functions.is_none() {
        eprintln!("skipped: the trigger functions (--skip lambda)");
    }
    let findings = provisioner::doctor::diagnose(spec, &seen);
    match cli.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
        Output::Text | Output::Env if findings.is_empty() => {
            println!("no findings: the pool, its clients, domain and trigger functions look right")
        }
        Output::Text | Output::Env => {
            for finding in &findings {
                println!("{finding}\n");
            }
        }
    }
    match findings.len() {
        0 => Ok(()),
        n => Err(Failure(1, anyhow::anyhow!("{n} finding(s), each with its fix"))),
    }
}

async fn print_outputs(cli: &Cli, clients: &Clients, spec: &Spec) -> Result<(), Failure> {
    let observed = aws::observe_pool(clients, spec).await?;
    let live = provisioner::converge::live(spec, &observed, None).with_context(|| {
        format!(
            "no user pool is named {:?}; run `provisioner apply` first",
            spec.pool.name
        )
    })?;
    let outputs = outputs(spec, &live, &clients.region, cli.connection.endpoint().as_deref());
    match cli.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&outputs)?),
        Output::Env => print!("{}", outputs.env()),
        Output::Text => {
            let rows = [
                ("region", Some(outputs.region.clone())),
                ("user pool id", Some(outputs.user_pool_id.clone())),
                ("user pool ARN", Some(outputs.user_pool_arn.clone())),
                ("domain", outputs.domain.clone()),
                ("hosted UI", outputs.hosted_ui.clone()),
                ("token endpoint", outputs.token_endpoint.clone()),
                ("userInfo", outputs.user_info_endpoint.clone()),
                ("revoke", outputs.revoke_endpoint.clone()),
                ("issuer", Some(outputs.issuer.clone())),
                ("JWKS URL", Some(outputs.jwks_url.clone())),
                ("OIDC discovery", Some(outputs.discovery_url.clone())),
            ];
            for (name, value) in rows {
                println!("{name:<15} {}", value.as_deref().unwrap_or("(none)"));
            }
            for provider in &outputs.identity_providers {
                println!(
                    "identity provider {:?}: register {} as its redirect URI",
                    provider.name,
                    provider.redirect_uri.as_deref().unwrap_or("(no domain yet)")
                );
            }
            for client in &outputs.clients {
                println!("client {:?}", client.name);
                println!("  {:<13} {}", "client id", client.client_id);
                println!(
                    "  {:<13} {}",
                    "login URL",
                    client.login_url.as_deref().unwrap_or("(none)")
                );
            }
        }
    }
    Ok(())
}

/// Signs in (or refreshes) and prints the verified claims; the tokens go to stdout only
/// with `--output json`, never to stderr or a log.
async fn login(
    cli: &Cli,
    clients: &Clients,
    spec: &Spec,
    client: Option<&str>,
    no_browser: bool,
    refresh: bool,
) -> Result<(), Failure> {
    use provisioner::login::{self, LoginError};

    let observed = aws::observe_pool(clients, spec).await?;
    let live = provisioner::converge::live(spec, &observed, None).with_context(|| {
        format!(
            "no user pool is named {:?}; run `provisioner apply` first",
            spec.pool.name
        )
    })?;
    let endpoint = cli.connection.endpoint();
    let target =
        login::target(spec, &observed, &live, &clients.region, endpoint.as_deref(), client).map_err(|e| match e {
            LoginError::Setup(_) => Failure(2, e.into()),
            other => Failure(1, other.into()),
        })?;
    let (tokens, claims) = if refresh {
        let mut token = String::new();
        std::io::stdin()
            .read_line(&mut token)
            .context("reading the refresh token from stdin")?;
        if token.trim().is_empty() {
            return Err(Failure(
                2,
                anyhow::anyhow!("--refresh reads a refresh token from stdin, and none came"),
            ));
        }
        login::refresh(&target, &token)?
    } else {
        login::sign_in(&target, no_browser, &mut |line| eprintln!("{line}"))?
    };
    match cli.output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "claims": claims.as_map(),
                "tokens": {
                    "id_token": tokens.id_token.as_ref().map(|t| t.secret().to_owned()),
                    "access_token": tokens.access_token.secret(),
                    "refresh_token": tokens.refresh_token.as_ref().map(|t| t.secret().to_owned()),
                    "expires_in": tokens.expires_in,
                    "token_type": tokens.token_type,
                },
            }))?
        ),
        Output::Text | Output::Env => {
            eprintln!(
                "Signed in. The ID token verified against {}; its claims:",
                login::issuer(&target).as_str()
            );
            for (name, value) in claims.as_map() {
                println!(
                    "{name:<20} {}",
                    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
                );
            }
            eprintln!("(`--output json` prints the tokens too.)");
        }
    }
    Ok(())
}
