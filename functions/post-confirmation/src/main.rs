//! Lambda entry point: read the configuration once, then serve invocations. The Cognito
//! client is built at the first invocation that adds a user to a group, so a start whose
//! first event is a confirmed password reset, or a function with no DEFAULT_GROUP, builds none.

use lambda_runtime::{Error, run, service_fn, tracing};
use post_confirmation::{Config, LazyGroups, handler};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_common::logging::init();
    let config = Config::from_env(trigger_common::process_env)
        .inspect_err(|error| tracing::error!(%error, "refusing to start"))?;
    let groups = LazyGroups::from_env();
    let (config, groups) = (&config, &groups);
    run(service_fn(move |event| handler(event, config, groups))).await
}
