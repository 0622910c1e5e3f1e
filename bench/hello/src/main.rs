//! What any Rust function pays: `cargo lambda new`'s shape (the same runtime, the same
//! tracing set-up, the same tokio flavour as our triggers), returning its event unchanged.

use lambda_runtime::{Error, LambdaEvent, run, service_fn, tracing};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
