//! `provisioner import`: writes the cognito.toml of a live pool (to `--out` or stdout), then
//! adopts the pool.

use std::path::PathBuf;

use provisioner::desired::MANAGED_TAG;
use provisioner::import::{ImportError, Imported, PoolRef, import_pool};

use super::{clients, refuse_env};
use crate::output;
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    /// The pool's id.
    #[arg(long, required_unless_present = "pool_name", conflicts_with = "pool_name")]
    pub pool_id: Option<String>,
    /// The pool's name; exactly one pool must have it.
    #[arg(long)]
    pub pool_name: Option<String>,
    /// Write the spec here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let pool = match (&args.pool_id, &args.pool_name) {
        (Some(id), _) => PoolRef::Id(id.clone()),
        (None, Some(name)) => PoolRef::Name(name.clone()),
        (None, None) => unreachable!("clap requires one"),
    };
    refuse_env(global)?;
    let out = args.out.as_deref();
    if let Some(path) = out
        && path.exists()
        && !args.force
    {
        return Err(Failure::usage(anyhow::anyhow!(
            "{} exists; pass --force to overwrite it",
            path.display()
        )));
    }
    let clients = clients(&global.connection).await?;
    let mut save = |imported: &Imported| {
        for warning in &imported.warnings {
            eprintln!("warning: {warning}");
        }
        match out {
            Some(path) => {
                std::fs::write(path, imported.text()).map_err(|source| ImportError::Save {
                    what: format!("cannot write {}", path.display()),
                    source,
                })?;
                eprintln!("wrote {}", path.display());
            }
            None => output::spec(global.output, &imported.text()),
        }
        Ok(())
    };
    let adoption = import_pool(&clients, &pool, &mut save).await?;
    let imported = &adoption.imported;
    let name = &imported.desired.pool.name;
    if adoption.adopted {
        eprintln!(
            "adopted user pool {}: tagged {MANAGED_TAG} = {name:?}, import's only write",
            imported.pool_id
        );
    } else {
        eprintln!(
            "user pool {} already carries the tag {MANAGED_TAG} = {name:?}: nothing written",
            imported.pool_id
        );
    }
    output::print(
        global.output,
        &output::Imported {
            adoption: &adoption,
            out,
            counter: &clients.counter,
        },
    )?;
    Ok(0)
}
