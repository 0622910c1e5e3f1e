//! Lambda entry point: read the configuration once, then serve invocations.

use lambda_runtime::{Error, run, service_fn, tracing};
use pre_token_generation::{Config, handler};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_common::logging::init();
    let config = Config::from_env(trigger_common::process_env)
        .inspect_err(|error| tracing::error!(%error, "refusing to start"))?;
    let config = &config;
    run(service_fn(move |event| handler(event, config))).await
}
