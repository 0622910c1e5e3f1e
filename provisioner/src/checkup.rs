//! `provisioner doctor`'s one entry point: read the spec's live pool and what hangs off it
//! ([`aws::observe_for_doctor`], read-only) and judge it ([`doctor::diagnose`]).

use crate::aws::{self, Clients};
use crate::desired::Desired;
use crate::doctor::{self, Finding};
use crate::lookup::{self, LookupError};

/// What `doctor` found.
#[derive(Debug, Clone)]
pub struct Checkup {
    pub findings: Vec<Finding>,
    /// `false` when the trigger functions were not read (an endpoint without the Lambda API),
    /// so no finding about them can be.
    pub functions_read: bool,
}

/// Diagnoses the spec's pool; [`LookupError::NoPool`] when it does not exist.
pub async fn doctor(clients: &Clients, desired: &Desired) -> Result<Checkup, LookupError> {
    let seen = lookup::found(desired, aws::observe_for_doctor(clients, desired).await?)?;
    Ok(Checkup {
        findings: doctor::diagnose(desired, &seen),
        functions_read: seen.functions.is_some(),
    })
}
