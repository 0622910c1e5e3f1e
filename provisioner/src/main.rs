//! `provisioner`: plan, apply, outputs and destroy for the pool described by cognito.toml.
//!
//! Exit codes: 0 success; 1 a failure (AWS refused, a refused change, unreachable
//! endpoint); 2 a bad spec or bad usage. Progress goes to stderr, results to stdout
//! (`--output json` for machines).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use provisioner::aws::{self, Clients};
use provisioner::outputs::outputs;
use provisioner::plan::plan;
use provisioner::render;
use provisioner::spec::{self, Spec};
use serde_json::json;

#[derive(Parser)]
#[command(
    version,
    about = "Keeps a Cognito user pool, app client, domain, groups and triggers converged with cognito.toml"
)]
struct Cli {
    /// The spec file.
    #[arg(long, global = true, default_value = "cognito.toml")]
    spec: PathBuf,
    /// AWS region (default: the standard AWS configuration).
    #[arg(long, global = true)]
    region: Option<String>,
    /// Named profile from the AWS config files.
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Send every AWS call here (a local emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    /// Steps to skip, for an emulator that cannot do them: `domain` (hosted-UI domain),
    /// `lambda` (resolving functions and granting invoke permissions). Reported, never faked.
    #[arg(long, global = true, value_enum)]
    skip: Vec<Skip>,
    /// How to print results on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
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
}

#[derive(Subcommand)]
enum Command {
    /// Show what `apply` would change (read-only).
    Plan,
    /// Create what is missing and update what drifted.
    Apply,
    /// Print the pool id and ARN, client id, domain, login URL, token endpoint, issuer, JWKS URL.
    Outputs,
    /// Delete the domain, the client and the pool.
    Destroy {
        /// The pool's name, to confirm.
        #[arg(long)]
        confirm: Option<String>,
    },
    /// Render the same setup as infrastructure as code (no AWS call).
    Render {
        #[command(subcommand)]
        what: Render,
    },
}

#[derive(Subcommand)]
enum Render {
    /// An AWS SAM template: pool, client, domain, groups, functions, roles, permissions.
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let (mut spec, warnings) = spec::load(&cli.spec).map_err(|error| Failure(2, error.into()))?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if cli.skip.contains(&Skip::Domain) && spec.domain.take().is_some() {
        eprintln!("skipped: the hosted-UI domain (--skip domain)");
    }
    let lambda = !cli.skip.contains(&Skip::Lambda);
    if !lambda && spec.triggers.iter().next().is_some() {
        eprintln!("skipped: resolving the trigger functions and granting their invoke permissions (--skip lambda)");
    }
    if let Command::Render { what } = &cli.command {
        return render(&cli.spec, &spec, what);
    }
    let clients = clients(&cli).await?;
    let endpoint = endpoint(&cli);
    match &cli.command {
        Command::Plan => {
            let observed = aws::observe(&clients, &spec, lambda).await?;
            let plan = plan(&spec, &observed, lambda)?;
            print_plan(&cli, &plan);
        }
        Command::Apply => {
            let observed = aws::observe(&clients, &spec, lambda).await?;
            let plan = plan(&spec, &observed, lambda)?;
            for change in &plan.changes {
                eprintln!("applying: {change}");
            }
            let applied = aws::apply(&clients, &spec, &observed, &plan).await?;
            let (reads, writes) = clients.counter.reads_and_writes();
            match cli.output {
                Output::Text => {
                    if applied.done.is_empty() {
                        println!("nothing to do: everything matches {}", cli.spec.display());
                    }
                    for done in &applied.done {
                        println!("done: {done}");
                    }
                    println!("API calls: {reads} reads, {writes} writes");
                }
                Output::Json => println!(
                    "{}",
                    json!({
                        "user_pool_id": applied.pool_id,
                        "changes": applied.done,
                        "calls": {"reads": reads, "writes": writes, "operations": clients.counter.calls()},
                    })
                ),
            }
        }
        Command::Render { .. } => unreachable!("rendered above"),
        Command::Outputs => print_outputs(&cli, &clients, &spec, endpoint.as_deref()).await?,
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
    Ok(())
}

/// Renders without AWS; the functions' deploy settings come from the crates beside the spec.
fn render(spec_path: &std::path::Path, spec: &Spec, what: &Render) -> Result<(), Failure> {
    let workspace = spec_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let functions = spec
        .triggers
        .iter()
        .filter(|(_, function)| !function.starts_with("arn:"))
        .map(|(_, function)| render::load_function(workspace, function))
        .collect::<Result<Vec<_>, _>>()?;
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

fn endpoint(cli: &Cli) -> Option<String> {
    cli.endpoint_url
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .filter(|e| !e.is_empty())
}

async fn clients(cli: &Cli) -> Result<Clients, Failure> {
    let connection = aws::Connection {
        region: cli.region.clone(),
        profile: cli.profile.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        credentials: None,
    };
    let config = connection.load().await;
    if config.region().is_none() {
        return Err(Failure(
            2,
            anyhow::anyhow!("no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile"),
        ));
    }
    Ok(Clients::new(&config))
}

fn print_plan(cli: &Cli, plan: &provisioner::plan::Plan) {
    match cli.output {
        Output::Text => {
            if plan.is_empty() {
                println!("no changes: everything matches {}", cli.spec.display());
            }
            for change in &plan.changes {
                println!("+ {change}");
            }
            for unchanged in &plan.unchanged {
                println!("= {unchanged}");
            }
        }
        Output::Json => println!(
            "{}",
            json!({
                "changes": plan.changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "unchanged": plan.unchanged,
            })
        ),
    }
}

async fn print_outputs(cli: &Cli, clients: &Clients, spec: &Spec, endpoint: Option<&str>) -> Result<(), Failure> {
    let pool_id = aws::find_pool(clients, &spec.pool.name).await?.with_context(|| {
        format!(
            "no user pool is named {:?}; run `provisioner apply` first",
            spec.pool.name
        )
    })?;
    let pool = aws::describe_pool(clients, &pool_id).await?;
    let client = aws::find_client(clients, &pool_id, &spec.client.name)
        .await?
        .with_context(|| {
            format!(
                "pool {pool_id} has no app client {:?}; run `provisioner apply`",
                spec.client.name
            )
        })?;
    let outputs = outputs(spec, &pool, &client, &clients.region, endpoint);
    match cli.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&outputs)?),
        Output::Text => {
            let rows = [
                ("region", Some(outputs.region.clone())),
                ("user pool id", Some(outputs.user_pool_id.clone())),
                ("user pool ARN", Some(outputs.user_pool_arn.clone())),
                ("client id", Some(outputs.client_id.clone())),
                ("domain", outputs.domain.clone()),
                ("login URL", outputs.login_url.clone()),
                ("token endpoint", outputs.token_endpoint.clone()),
                ("issuer", Some(outputs.issuer.clone())),
                ("JWKS URL", Some(outputs.jwks_url.clone())),
            ];
            for (name, value) in rows {
                println!("{name:<15} {}", value.as_deref().unwrap_or("(none)"));
            }
        }
    }
    Ok(())
}
