//! `provisioner doctor`: the live pool's traps, each with its fix; exit 1 when there is one.

use provisioner::checkup::doctor;

use super::{Uses, session};
use crate::output;
use crate::{Failure, Global};

pub async fn run(global: &Global) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: false,
        provider_secrets: false,
    };
    let (spec, clients) = session(global, uses).await?;
    let checkup = doctor(&clients, &spec).await?;
    if !checkup.functions_read {
        eprintln!("skipped: the trigger functions (--skip lambda)");
    }
    output::print(global.output, &checkup)?;
    match checkup.findings.len() {
        0 => Ok(0),
        n => Err(Failure(1, anyhow::anyhow!("{n} finding(s), each with its fix"))),
    }
}
