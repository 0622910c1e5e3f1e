//! Lambda entry point: read the configuration once (and build the Cognito client, only when
//! linking is on), then serve invocations.

use lambda_runtime::{Error, run, service_fn, tracing};
use pre_signup::{CognitoDirectory, Config, LinkExternalUsers, Linking, handler};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_common::logging::init();
    let config = Config::from_env(trigger_common::process_env)
        .inspect_err(|error| tracing::error!(%error, "refusing to start"))?;
    let linking = match config.link_external_users {
        LinkExternalUsers::Never => Linking::Off,
        LinkExternalUsers::Verified => Linking::Verified(CognitoDirectory::from_env().await),
    };
    let (config, linking) = (&config, &linking);
    run(service_fn(move |event| handler(event, config, linking))).await
}
