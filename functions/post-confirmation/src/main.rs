//! Lambda entry point: read the configuration and build the Cognito client once, then serve
//! invocations.

use lambda_runtime::{Error, run, service_fn, tracing};
use post_confirmation::{CognitoGroups, Config, handler};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_common::logging::init();
    let config = Config::from_env(trigger_common::process_env)
        .inspect_err(|error| tracing::error!(%error, "refusing to start"))?;
    let groups = CognitoGroups::from_env().await;
    let (config, groups) = (&config, &groups);
    run(service_fn(move |event| handler(event, config, groups))).await
}
