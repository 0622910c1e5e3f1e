//! `provisioner destroy`: deletes the spec's pool, its domain and its invoke permissions,
//! once `--confirm` names the pool.

use provisioner::destroy::{DestroyError, destroy};

use super::{Uses, session};
use crate::output::{self, Destroyed};
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    /// The pool's name, to confirm.
    #[arg(long)]
    pub confirm: Option<String>,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: false,
        provider_secrets: false,
    };
    let (spec, clients) = session(global, uses).await?;
    let done = destroy(&clients, &spec, args.confirm.as_deref())
        .await
        .map_err(|error| match error {
            DestroyError::Unconfirmed(_) => Failure::usage(error),
            DestroyError::Aws(_) => Failure(1, error.into()),
        })?;
    output::print(
        global.output,
        &Destroyed {
            done: &done,
            pool_name: &spec.pool.name,
        },
    )?;
    Ok(0)
}
