//! `provisioner outputs`: the values an app needs, as text, JSON or `.env` lines.

use super::{Uses, session};
use crate::output;
use crate::{Failure, Global};

pub async fn run(global: &Global) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: true,
        provider_secrets: false,
    };
    let (spec, clients) = session(global, uses).await?;
    let endpoint = global.connection.endpoint();
    let outputs = provisioner::outputs::read(&clients, &spec, endpoint.as_deref()).await?;
    output::print(global.output, &outputs)?;
    Ok(0)
}
