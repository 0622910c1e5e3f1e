//! `provisioner apply`: converges the pool with the spec (or makes exactly a saved plan),
//! asking at the terminal before destructive changes, and reports each change as it is made.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use provisioner::converge::{self, ApplyRequest, Saved};
use provisioner::plan::{Change, Options};
use provisioner::saved::SavedPlan;

use super::{Uses, planning_flags, session, spec_bytes};
use crate::output::{self, Applied};
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    /// Adopt a pool of the spec's name that this provisioner did not create: tag it as
    /// this project's, then converge it.
    #[arg(long)]
    pub adopt: bool,
    /// Make destructive changes (a domain replaced, an invoke permission removed) without
    /// asking; needed for them when stdin is not a terminal.
    #[arg(long)]
    pub yes: bool,
    /// Make exactly the plan `plan --out` saved here, or refuse (writing nothing) if the
    /// spec or what exists in AWS changed since. Takes the same --adopt and --skip flags.
    #[arg(long)]
    pub plan: Option<PathBuf>,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: false,
        provider_secrets: true,
    };
    let (spec, clients) = session(global, uses).await?;
    let saved = match &args.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some((
                SavedPlan::parse(&path.display().to_string(), &text)?,
                spec_bytes(global)?,
            ))
        }
        None => None,
    };
    let flags = planning_flags(global, args.adopt);
    let mut prompt = confirm;
    let request = ApplyRequest {
        options: Options {
            adopt: args.adopt,
            allow_destructive: args.yes,
        },
        saved: saved.as_ref().map(|(plan, spec)| Saved {
            plan,
            spec,
            flags: &flags,
        }),
        confirm: (!args.yes && std::io::stdin().is_terminal()).then_some(&mut prompt as _),
        done: &mut |change| output::progress(global.output, &format!("done: {}", change.summary())),
    };
    let converged = converge::apply(&clients, &spec, request).await?;
    let applied = converged.applied.unwrap_or_default();
    output::print(
        global.output,
        &Applied {
            pool_id: converged.live.map(|l| l.pool_id),
            done: &applied.done,
            counter: &clients.counter,
            spec: &global.spec,
        },
    )?;
    Ok(0)
}

/// Asks at the terminal before destructive changes; only `yes` makes them.
fn confirm(destructive: &[&Change]) -> std::io::Result<bool> {
    eprintln!("These changes take away something that serves users now:");
    for change in destructive {
        eprintln!("  {}", change.summary());
    }
    eprint!("Make them? Only `yes` is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
