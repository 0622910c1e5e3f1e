//! Finding the spec's pool for the commands that read a pool that must already exist
//! (`outputs`, `login`, `doctor`): the one error, [`LookupError::NoPool`], for when no pool
//! has the spec's name.

use crate::aws::{self, AwsError, Clients};
use crate::converge::{self, Live};
use crate::desired::Desired;
use crate::observed::Observed;

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The spec's pool name, which no pool has.
    #[error("no user pool is named {0:?}; run `provisioner apply` first")]
    NoPool(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// What was read about the spec's pool, or [`LookupError::NoPool`] when nothing was.
pub fn found<T>(desired: &Desired, read: Option<T>) -> Result<T, LookupError> {
    read.ok_or_else(|| LookupError::NoPool(desired.pool.name.clone()))
}

/// The spec's pool as it is (read-only), with its identifiers.
pub async fn live_pool(clients: &Clients, desired: &Desired) -> Result<(Observed, Live), LookupError> {
    let observed = aws::observe_pool(clients, desired).await?;
    let live = found(desired, converge::live(desired, &observed, None))?;
    Ok((observed, live))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_pool_is_named_with_the_command_that_creates_it() {
        let (desired, _) = crate::spec::parse("cognito.toml", "[pool]\nname = \"shop-users\"\n").expect("a spec");
        let error = found::<()>(&desired, None).expect_err("nothing was read");
        assert_eq!(
            error.to_string(),
            "no user pool is named \"shop-users\"; run `provisioner apply` first"
        );
        assert_eq!(found(&desired, Some(7)).expect("read"), 7);
    }
}
