//! One file per command: each parses its flags, calls one library entry point and hands the
//! result to `output`. What they share is here: loading the spec and connecting to AWS, in
//! the order every command checks its inputs (the spec, `--output`, the providers' secrets,
//! the region) before its first AWS call.

pub mod apply;
pub mod destroy;
pub mod doctor;
pub mod import;
pub mod login;
pub mod outputs;
pub mod plan;
pub mod render;

use provisioner::aws::{Clients, Connection};
use provisioner::spec::{self, Spec};

use crate::output::Output;
use crate::{Failure, Global, Skip};

/// What a command that talks to AWS about the spec's pool asks of its inputs.
#[derive(Clone, Copy)]
pub struct Uses {
    /// `--output env` applies (to `outputs` only).
    pub env_output: bool,
    /// The identity providers' secrets are read (to compare with what AWS holds, or to send
    /// them): only then must their environment variables be set.
    pub provider_secrets: bool,
}

/// The spec, with its warnings on stderr; a bad spec exits 2.
pub fn load_spec(global: &Global) -> Result<Spec, Failure> {
    let (spec, warnings) = spec::load(&global.spec).map_err(Failure::usage)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    Ok(spec)
}

/// `--output env` given to a command that has no env form.
pub fn refuse_env(global: &Global) -> Result<(), Failure> {
    match global.output {
        Output::Env => Err(Failure::usage(anyhow::anyhow!(
            "--output env applies to `outputs` only"
        ))),
        Output::Text | Output::Json => Ok(()),
    }
}

/// The spec (without what `--skip` leaves out) and the clients for its pool.
pub async fn session(global: &Global, uses: Uses) -> Result<(Spec, Clients), Failure> {
    let mut spec = load_spec(global)?;
    if !uses.env_output {
        refuse_env(global)?;
    }
    let missing = spec.missing_secrets(|variable| std::env::var(variable).ok());
    if !missing.is_empty() && uses.provider_secrets {
        return Err(Failure::usage(anyhow::anyhow!("{}", missing.join("; "))));
    }
    if global.skip.contains(&Skip::Domain) && spec.domain.take().is_some() {
        eprintln!("skipped: the hosted-UI domain (--skip domain)");
    }
    let mut clients = clients(&global.connection).await?;
    if global.skip.contains(&Skip::Lambda) {
        clients = clients.without_lambda();
        if !spec.triggers.wired.is_empty() {
            eprintln!("skipped: resolving the trigger functions and granting their invoke permissions (--skip lambda)");
        }
    }
    Ok((spec, clients))
}

/// Clients from the standard AWS configuration and the connection flags; no region exits 2.
pub async fn clients(connection: &Connection) -> Result<Clients, Failure> {
    let config = connection.load().await;
    if config.region().is_none() {
        return Err(Failure::usage(anyhow::anyhow!(
            "no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile"
        )));
    }
    Ok(Clients::new(&config))
}

/// The flags that change what is planned, as a saved plan records them.
pub fn planning_flags(global: &Global, adopt: bool) -> Vec<String> {
    let mut flags: Vec<String> = global
        .skip
        .iter()
        .map(|skip| match skip {
            Skip::Domain => "--skip domain".to_owned(),
            Skip::Lambda => "--skip lambda".to_owned(),
        })
        .collect();
    flags.sort();
    flags.dedup();
    if adopt {
        flags.insert(0, "--adopt".to_owned());
    }
    flags
}

/// The spec file's bytes, which a saved plan's digest is of.
pub fn spec_bytes(global: &Global) -> Result<Vec<u8>, Failure> {
    use anyhow::Context as _;
    let path = &global.spec;
    Ok(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?)
}
