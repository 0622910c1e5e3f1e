//! The one entry point: observe what exists, plan, and apply unless asked only to plan. The
//! CLI, the local stack, `cargo xtask deploy` and the benchmark all converge through here;
//! `provisioner plan` shows and saves what [`observe_and_plan`] found; `provisioner apply`
//! goes through [`apply`], which checks a saved plan and asks for confirmation between the
//! two halves ([`observe_and_plan`], [`apply_planned`]).

use crate::aws::{self, Applied, ApplyError, AwsError, Clients};
use crate::desired::Desired;
use crate::observed::Observed;
use crate::plan::Change;
use crate::plan::{self, Options, Plan, PlanError};
use crate::saved::{SavedPlan, Stale};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read-only: observe and plan.
    Plan,
    /// Observe, plan and make the changes.
    Apply,
}

/// What a run found, planned and did.
#[derive(Debug, Clone)]
pub struct Converged {
    pub plan: Plan,
    /// `None` when only planning.
    pub applied: Option<Applied>,
    /// The pool and clients as they are after the run; `None` when the pool does not exist
    /// (planned for an empty account).
    pub live: Option<Live>,
}

/// The identifiers an app needs, known after a run without reading AWS again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub pool_id: String,
    pub pool_arn: String,
    pub domain: Option<String>,
    /// `(name, client id)` of the spec's clients, in the spec's order.
    pub clients: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConvergeError {
    /// Found before any AWS call.
    #[error("{}", .0.join("; "))]
    MissingSecrets(Vec<String>),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// Found before any write: the plan takes something away and nobody said yes.
    #[error(
        "nothing was changed: the plan has {} destructive change(s), made only when confirmed (`--yes`, or \
         `yes` at the prompt when stdin is a terminal): {}",
        .0.len(),
        .0.join("; ")
    )]
    Destructive(Vec<String>),
}

/// A plan and what it was computed from.
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: Plan,
    pub observed: Observed,
}

/// Observes what exists and plans (read-only).
pub async fn observe_and_plan(
    clients: &Clients,
    desired: &Desired,
    options: Options,
) -> Result<Planned, ConvergeError> {
    let missing = desired.missing_secrets(|variable| std::env::var(variable).ok());
    if !missing.is_empty() {
        return Err(ConvergeError::MissingSecrets(missing));
    }
    let observed = aws::observe(clients, desired).await?;
    let plan = plan::plan(desired, &observed, options)?;
    Ok(Planned { plan, observed })
}

/// Makes a plan's changes, calling `done` with each as soon as it is made. Refuses, before
/// any write, a plan with a destructive change unless `options.allow_destructive`.
pub async fn apply_planned(
    clients: &Clients,
    desired: &Desired,
    planned: Planned,
    options: Options,
    done: &mut (dyn FnMut(&Change) + Send),
) -> Result<Converged, ConvergeError> {
    let destructive = planned.plan.destructive();
    if !options.allow_destructive && !destructive.is_empty() {
        return Err(ConvergeError::Destructive(
            destructive.iter().map(|c| c.summary()).collect(),
        ));
    }
    let applied = aws::apply_reporting(clients, &planned.plan, done).await?;
    let live = live(desired, &planned.observed, Some(&applied));
    Ok(Converged {
        plan: planned.plan,
        applied: Some(applied),
        live,
    })
}

/// A saved plan to make exactly, and what it was saved with: the spec file's bytes and the
/// planning flags (see [`SavedPlan::check_spec`]).
pub struct Saved<'a> {
    pub plan: &'a SavedPlan,
    pub spec: &'a [u8],
    pub flags: &'a [String],
}

/// Asks whether to make these destructive changes; `Ok(false)` means no.
pub type Confirm<'a> = &'a mut dyn FnMut(&[&Change]) -> std::io::Result<bool>;

/// How an [`apply`] is asked for.
pub struct ApplyRequest<'a> {
    pub options: Options,
    /// Make exactly this plan, or refuse before any write if the spec or AWS moved since.
    pub saved: Option<Saved<'a>>,
    /// Asked, before any write, whether to make the plan's destructive changes when
    /// `options.allow_destructive` is false; `None` when nobody can be asked, and then
    /// they are refused ([`ConvergeError::Destructive`]).
    pub confirm: Option<Confirm<'a>>,
    /// Hears of each change as soon as it is made.
    pub done: &'a mut (dyn FnMut(&Change) + Send),
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyRunError {
    #[error(transparent)]
    Converge(#[from] ConvergeError),
    /// The saved plan is not the plan any more; nothing was changed.
    #[error(transparent)]
    Stale(#[from] Stale),
    /// Asked about the destructive changes, the answer was not yes.
    #[error("not confirmed: nothing was changed")]
    NotConfirmed,
    /// Asking failed.
    #[error(transparent)]
    Prompt(#[from] std::io::Error),
}

/// Observes, plans (checking a saved plan before observing and after planning), asks about
/// destructive changes, and makes the changes, reporting each as it is made.
pub async fn apply(
    clients: &Clients,
    desired: &Desired,
    request: ApplyRequest<'_>,
) -> Result<Converged, ApplyRunError> {
    let ApplyRequest {
        mut options,
        saved,
        confirm,
        done,
    } = request;
    if let Some(saved) = &saved {
        saved.plan.check_spec(saved.spec, saved.flags)?;
    }
    let planned = observe_and_plan(clients, desired, options).await?;
    if let Some(saved) = &saved {
        saved.plan.check_observed(&planned.observed, &planned.plan)?;
    }
    let destructive = planned.plan.destructive();
    if !options.allow_destructive
        && !destructive.is_empty()
        && let Some(confirm) = confirm
    {
        if !confirm(&destructive)? {
            return Err(ApplyRunError::NotConfirmed);
        }
        options.allow_destructive = true;
    }
    Ok(apply_planned(clients, desired, planned, options, done).await?)
}

/// Observes, plans and, in [`Mode::Apply`], applies (see [`apply_planned`] for what is refused).
pub async fn converge(
    clients: &Clients,
    desired: &Desired,
    mode: Mode,
    options: Options,
) -> Result<Converged, ConvergeError> {
    let planned = observe_and_plan(clients, desired, options).await?;
    match mode {
        Mode::Plan => {
            let live = live(desired, &planned.observed, None);
            Ok(Converged {
                plan: planned.plan,
                applied: None,
                live,
            })
        }
        Mode::Apply => apply_planned(clients, desired, planned, options, &mut |_| {}).await,
    }
}

/// The identifiers after the run: what was observed, with what was created on top.
pub fn live(desired: &Desired, observed: &Observed, applied: Option<&Applied>) -> Option<Live> {
    let created_pool = applied.and_then(|a| Some((a.pool_id.clone()?, a.pool_arn.clone()?)));
    let (pool_id, pool_arn) = match (&observed.pool, created_pool) {
        (Some(pool), _) => (pool.id.clone(), pool.arn.clone()),
        (None, Some(created)) => created,
        (None, None) => return None,
    };
    let applied_domain = applied
        .is_some()
        .then(|| desired.domain.as_ref().map(|d| d.prefix.clone()));
    let observed_domain = observed.pool.as_ref().and_then(|p| p.domain.clone());
    let domain = match applied_domain {
        Some(Some(managed)) => Some(managed),
        Some(None) | None => observed_domain,
    };
    let clients = desired
        .clients
        .iter()
        .filter_map(|client| {
            let observed = observed
                .clients
                .iter()
                .find(|c| c.state.name == client.name)
                .map(|c| c.id.clone());
            let created = applied.and_then(|a| {
                a.created_clients
                    .iter()
                    .find(|(name, _)| *name == client.name)
                    .map(|(_, id)| id.clone())
            });
            Some((client.name.clone(), observed.or(created)?))
        })
        .collect();
    Some(Live {
        pool_id,
        pool_arn,
        domain,
        clients,
    })
}
