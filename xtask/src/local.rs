//! `cargo xtask local`: installs what it needs, starts cognito-local and `cargo lambda
//! watch` on loopback ports, provisions them from cognito.toml, runs the demo, then stays
//! up (printing what an app needs) until Ctrl-C, which stops every process it started.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use e2e::stack::Stack;
use e2e::{Tools, demo, watch::run_dir};

/// Set once the stack is up and the command only waits for Ctrl-C.
static WAITING: AtomicBool = AtomicBool::new(false);

pub fn run(once: bool) -> Result<()> {
    let tools = Tools::default();
    crate::setup::run(&tools)?;
    // Ctrl-C at any moment (even mid-start or mid-demo) stops every process started here.
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        if stop_tx.send(()).is_err() || !WAITING.load(Ordering::SeqCst) {
            eprintln!("\nStopping every process this command started…");
            e2e::stop_all();
            std::process::exit(130);
        }
    })
    .context("cannot listen for Ctrl-C")?;

    let dir = run_dir("local")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    println!("Starting cognito-local and cargo lambda watch (the first start compiles the functions)…");
    let stack = runtime
        .block_on(Stack::start(&tools, &dir, &[]))
        .with_context(|| format!("the local stack did not start; logs are in {}", dir.display()))?;
    println!(
        "cognito-local      {} (pid {})",
        stack.local.endpoint(),
        stack.local.pid().unwrap_or_default()
    );
    println!(
        "cargo lambda watch {} (pid {})",
        stack.watch.endpoint(),
        stack.watch.pid()
    );
    println!("Provisioned from cognito.toml:");
    for line in &stack.provisioning {
        println!("  {line}");
    }
    println!();
    let result = runtime.block_on(demo::run(&stack, &mut |line| println!("{line}")));
    if let Err(error) = &result {
        eprintln!("{error}\nlogs: {}", dir.display());
    }
    if once {
        drop(stack);
        return result.map_err(Into::into);
    }

    let out = &stack.outputs;
    println!();
    println!("The stack is up. What your app needs:");
    println!("  Cognito endpoint  {}", stack.local.endpoint());
    println!("  user pool id      {}", out.user_pool_id);
    println!("  client id         {}", stack.client_id());
    println!(
        "  login URL         {}",
        out.client().and_then(|c| c.login_url.as_deref()).unwrap_or_default()
    );
    println!(
        "  token endpoint    {}",
        out.token_endpoint.as_deref().unwrap_or_default()
    );
    println!("  JWKS              {}", out.jwks_url);
    println!("  Lambda endpoint   {}", stack.watch.endpoint());
    println!("  logs              {}", dir.display());
    println!("Press Ctrl-C to stop.");
    WAITING.store(true, Ordering::SeqCst);
    if stop_rx.recv().is_err() {
        bail!("the Ctrl-C handler went away");
    }
    println!("Stopping…");
    drop(stack);
    println!("Stopped every process this command started.");
    result.map_err(Into::into)
}
