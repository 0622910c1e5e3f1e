//! The command behind `cargo xtask local` (which installs the tools first): builds the
//! functions, starts cognito-local, `cargo lambda watch` and the local Google on loopback ports, provisions
//! them from cognito.toml, serves the example web app at http://localhost:3000 (`app`), runs
//! the demo, then stays up (printing what an app needs) until Ctrl-C, SIGTERM or SIGHUP, any
//! of which stops every process it started. Each step goes to
//! stderr; the demo and what an app needs go to stdout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use clap::Parser;
use harness::Tools;
use local::app::App;
use local::demo;
use local::stack::Stack;
use local::watch::{Progress, run_dir};
use provisioner::desired::ProviderKind;

#[derive(Parser)]
#[command(
    name = "cargo xtask local",
    bin_name = "cargo xtask local",
    about = "The local stack (cognito-local and the functions under cargo lambda watch), provisioned from cognito.toml, and the sign-up and hosted-login demo"
)]
struct Args {
    /// Run the demo and exit with its result instead of staying up.
    #[arg(long, conflicts_with = "no_demo")]
    once: bool,
    /// Start the stack and stay up without running the demo.
    #[arg(long)]
    no_demo: bool,
    /// Do not serve the example web app at http://localhost:3000 (for your own app there).
    #[arg(long)]
    no_app: bool,
}

/// Set once the stack is up and the command only waits for a signal.
static WAITING: AtomicBool = AtomicBool::new(false);

fn main() -> Result<()> {
    let args = Args::parse();
    let tools = Tools::default();
    // `cargo xtask local` installs them; a bare `cargo run -p local` learns what is missing.
    tools.cargo_lambda()?;
    tools.cognito_local()?;
    // Ctrl-C, SIGTERM or SIGHUP at any moment (even mid-start or mid-demo) stops every
    // process started here.
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        if stop_tx.send(()).is_err() || !WAITING.load(Ordering::SeqCst) {
            eprintln!("\nStopping every process this command started…");
            harness::stop_all();
            std::process::exit(130);
        }
    })
    .context("cannot listen for Ctrl-C, SIGTERM and SIGHUP")?;

    let dir = run_dir("local")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let stack = runtime
        .block_on(Stack::start(&tools, &dir, &[], Progress::Shown))
        .with_context(|| format!("the local stack did not start; logs are in {}", dir.display()))?;
    // The app serves the spec's callback URL; `--once` exits after the demo and needs none.
    let app = if args.once || args.no_app {
        None
    } else {
        let app = App::start_for(&stack)?;
        eprintln!(
            "==> serving the web app at {} (on {}): sign in there with the hosted UI",
            stack.redirect_uri(),
            app.address()
        );
        Some(app)
    };

    let result = if args.no_demo {
        Ok(())
    } else {
        eprintln!("==> the demo\n");
        let result = runtime.block_on(demo::run(&stack, &mut |line| println!("{line}")));
        if let Err(error) = &result {
            eprintln!("{error}\nlogs: {}", dir.display());
        }
        result.map(|_| ())
    };
    if args.once {
        drop(stack);
        return result.map_err(Into::into);
    }

    let out = &stack.outputs;
    let login_url = out.client().and_then(|c| c.login_url.as_deref()).unwrap_or_default();
    let google = stack
        .spec
        .identity_providers
        .iter()
        .find(|p| p.kind == ProviderKind::Google)
        .map(|p| p.name.as_str());
    println!();
    if app.is_some() {
        println!("The stack is up. Open the web app and sign in:");
        println!("  web app           {}", stack.redirect_uri());
    } else {
        println!("The stack is up.");
    }
    if let Some(google) = google {
        if app.is_some() {
            println!(
                "Sign in with {google}: \"Sign in with {google}\" on the web app, \"Continue with {google}\" on the hosted UI, or this URL:"
            );
        } else {
            println!(
                "Sign in with {google}: \"Continue with {google}\" on the hosted UI, or this URL (your app gets the code):"
            );
        }
        println!("  {login_url}&identity_provider={google}");
        println!(
            "  The local Google ({}) signs in whoever you type into its form: no password, no consent screen.",
            stack.google.issuer()
        );
        println!(
            "  Sign up and confirm an address first, then sign in with {google} on that address: pre-signup links the"
        );
        println!("  two (LINK_EXTERNAL_USERS=verified) and you land on the same user, with the same sub and groups.");
    }
    if app.is_some() {
        println!("What your own app needs:");
    } else {
        println!("What your app needs:");
    }
    println!("  Cognito endpoint  {}", stack.local.endpoint());
    println!("  user pool id      {}", out.user_pool_id);
    println!("  client id         {}", stack.client_id());
    println!("  login URL         {login_url}");
    println!(
        "  token endpoint    {}",
        out.token_endpoint.as_deref().unwrap_or_default()
    );
    println!("  JWKS              {}", out.jwks_url);
    println!("  Lambda endpoint   {}", stack.watch.endpoint());
    println!("  logs              {}", dir.display());
    println!("  local Google      {}", stack.google.issuer());
    println!(
        "  processes         cognito-local pid {}, cargo lambda watch pid {}, the local Google pid {}",
        stack.local.pid().unwrap_or_default(),
        stack.watch.pid(),
        stack.google.pid().unwrap_or_default()
    );
    println!("Press Ctrl-C to stop.");
    WAITING.store(true, Ordering::SeqCst);
    if stop_rx.recv().is_err() {
        bail!("the signal handler went away");
    }
    eprintln!("Stopping…");
    drop(app);
    drop(stack);
    eprintln!("Stopped every process this command started.");
    result.map_err(Into::into)
}
