//! `provisioner plan`: what `apply` would change (read-only), optionally saved for
//! `apply --plan`; with `--detailed-exitcode`, 2 when changes are pending.

use std::path::PathBuf;

use anyhow::Context as _;
use provisioner::converge::observe_and_plan;
use provisioner::plan::Options;
use provisioner::saved::SavedPlan;

use super::{Uses, planning_flags, session, spec_bytes};
use crate::output::{self, Planned};
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    /// Plan to adopt a pool of the spec's name that this provisioner did not create.
    #[arg(long)]
    pub adopt: bool,
    /// Exit 0 when nothing would change, 2 when changes are pending, 1 on any error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Save the plan here, for `apply --plan`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: false,
        provider_secrets: true,
    };
    let (spec, clients) = session(global, uses).await?;
    let options = Options {
        adopt: args.adopt,
        allow_destructive: false,
    };
    let planned = observe_and_plan(&clients, &spec, options).await?;
    output::print(
        global.output,
        &Planned {
            plan: &planned.plan,
            spec: &global.spec,
        },
    )?;
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(
            &spec_bytes(global)?,
            &planned.observed,
            planning_flags(global, args.adopt),
            &planned.plan,
        );
        std::fs::write(path, saved.to_text()).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "saved the plan to {0}; `provisioner apply --plan {0}` makes exactly these changes",
            path.display()
        );
    }
    Ok(if args.detailed_exitcode && !planned.plan.is_empty() {
        2
    } else {
        0
    })
}
