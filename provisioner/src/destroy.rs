//! `provisioner destroy`'s one rule before [`crate::aws::destroy`]: the caller
//! names the pool it means to delete, since every user in it goes with it.

use crate::aws::{self, AwsError, Clients};
use crate::desired::Desired;

#[derive(Debug, thiserror::Error)]
pub enum DestroyError {
    /// The confirmation is missing or names another pool; nothing was read or deleted.
    #[error("destroy deletes the pool and every user in it; confirm with --confirm {0:?}")]
    Unconfirmed(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// Deletes what the spec describes once `confirm` is the spec's pool name; returns what was
/// done, in order (nothing when no pool has the name).
pub async fn destroy(clients: &Clients, desired: &Desired, confirm: Option<&str>) -> Result<Vec<String>, DestroyError> {
    confirmed(desired, confirm)?;
    Ok(aws::destroy(clients, desired).await?)
}

fn confirmed(desired: &Desired, confirm: Option<&str>) -> Result<(), DestroyError> {
    if confirm == Some(desired.pool.name.as_str()) {
        Ok(())
    } else {
        Err(DestroyError::Unconfirmed(desired.pool.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pools_own_name_confirms_its_deletion() {
        let (desired, _) = crate::spec::parse("cognito.toml", "[pool]\nname = \"shop-users\"\n").expect("a spec");
        assert!(confirmed(&desired, Some("shop-users")).is_ok());
        for other in [None, Some("shop"), Some("Shop-Users"), Some("")] {
            let error = confirmed(&desired, other).expect_err("not the pool's name");
            assert_eq!(
                error.to_string(),
                "destroy deletes the pool and every user in it; confirm with --confirm \"shop-users\""
            );
        }
    }
}
