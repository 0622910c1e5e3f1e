//! Group membership, the post-confirmation function's one side effect, behind a trait so the
//! handler can be tested without AWS; and the time budget its AWS call must keep.
//!
//! Cognito confirms the user before PostConfirmation runs and waits at most 5 seconds for
//! it; a user whose group call failed stays confirmed and no later trigger adds them. So
//! transient errors (throttling, 5xx, timeouts, a connection that could not be made) are
//! retried by the SDK's standard retry strategy inside that budget, and errors that another
//! try cannot fix (AccessDenied, ResourceNotFound, UserNotFound) are not retried.

use std::future::Future;
use std::time::Duration;

use aws_config::ConfigLoader;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::AdminAddUserToGroupError;
use trigger_common::budget::CallBudget;

/// Tries of one AdminAddUserToGroup call, the first included.
pub const ATTEMPTS: u32 = 3;
/// The longest one try may take before it is abandoned (and retried) as a timeout.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1200);
/// The jittered backoff before retry `n` (from 1) is up to `INITIAL_BACKOFF * 2^(n-1)`:
/// 0–100 ms, then 0–200 ms.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// No backoff is longer, not even one a throttling answer's `x-amz-retry-after` asks for.
pub const MAX_BACKOFF: Duration = Duration::from_millis(200);
/// The whole call, every try and backoff included, is cut here whatever happens.
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(4000);
/// What Cognito waits for the whole invocation.
pub const COGNITO_BUDGET: Duration = Duration::from_secs(5);
/// Left inside the budget for the rest of an invocation: a cold start (the SDK client is
/// built from the environment, no network), parsing, Lambda's own overhead.
pub const RESERVE: Duration = Duration::from_millis(500);

/// The budget of one call, from the constants above.
pub const BUDGET: CallBudget = CallBudget {
    attempts: ATTEMPTS,
    attempt_timeout: ATTEMPT_TIMEOUT,
    initial_backoff: INITIAL_BACKOFF,
    max_backoff: MAX_BACKOFF,
    operation_timeout: OPERATION_TIMEOUT,
};

/// Adds users to Cognito groups.
pub trait GroupMembership {
    /// Adds `username` to `group` in `user_pool_id`. Adding a member again succeeds.
    fn add_user_to_group(
        &self,
        user_pool_id: &str,
        username: &str,
        group: &str,
    ) -> impl Future<Output = Result<(), GroupError>> + Send;
}

/// Why a user could not be added: for the operator's log, never for the person signing up
/// (it names the pool, and AWS's own text may carry the account id and role ARN).
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error(
        "cannot add the user to group {group:?} in user pool {user_pool_id}: {message}. \
         Create the group (`provisioner apply` creates the groups of cognito.toml) or change DEFAULT_GROUP"
    )]
    NotFound {
        group: String,
        user_pool_id: String,
        message: String,
    },
    /// Any other error, after the retries it called for: AWS's code and message in full.
    #[error("AdminAddUserToGroup failed: {0}")]
    Service(String),
}

/// The production implementation: AdminAddUserToGroup through the AWS SDK.
#[derive(Debug, Clone)]
pub struct CognitoGroups {
    client: Client,
}

impl CognitoGroups {
    /// A client as it is; tests use it with a mocked one.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Builds the client from the standard AWS configuration (region, credentials,
    /// `AWS_ENDPOINT_URL`) with this function's retries and timeouts.
    pub async fn from_env() -> Self {
        Self::from_loader(aws_config::from_env()).await
    }

    /// Builds the client from `loader` with this function's retries and timeouts, which win
    /// over whatever the loader had.
    pub async fn from_loader(loader: ConfigLoader) -> Self {
        Self::new(Client::new(&BUDGET.load(loader).await))
    }
}

/// [`CognitoGroups`] built from the standard AWS configuration at the first call, then kept:
/// building the SDK client (its configuration chains, endpoint tables and TLS trust store)
/// is most of this function's start, and a confirmed password reset or a function with no
/// `DEFAULT_GROUP` never needs it. Lambda gives an execution environment one invocation at a
/// time, so it is built once.
#[derive(Debug, Default)]
pub struct LazyGroups {
    groups: std::sync::OnceLock<CognitoGroups>,
}

impl LazyGroups {
    /// Nothing is built until [`GroupMembership::add_user_to_group`] is first called.
    pub fn from_env() -> Self {
        Self::default()
    }

    /// Whether the client has been built.
    pub fn is_built(&self) -> bool {
        self.groups.get().is_some()
    }
}

impl GroupMembership for LazyGroups {
    async fn add_user_to_group(&self, user_pool_id: &str, username: &str, group: &str) -> Result<(), GroupError> {
        let groups = match self.groups.get() {
            Some(groups) => groups,
            None => {
                let built = CognitoGroups::from_env().await;
                self.groups.get_or_init(|| built)
            }
        };
        groups.add_user_to_group(user_pool_id, username, group).await
    }
}

impl GroupMembership for CognitoGroups {
    async fn add_user_to_group(&self, user_pool_id: &str, username: &str, group: &str) -> Result<(), GroupError> {
        let result = self
            .client
            .admin_add_user_to_group()
            .user_pool_id(user_pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(context)) => match context.into_err() {
                AdminAddUserToGroupError::ResourceNotFoundException(error) => Err(GroupError::NotFound {
                    group: group.to_owned(),
                    user_pool_id: user_pool_id.to_owned(),
                    message: error.message().unwrap_or("not found").to_owned(),
                }),
                other => Err(GroupError::Service(format!(
                    "{}: {}",
                    other.code().unwrap_or("unknown error code"),
                    DisplayErrorContext(&other)
                ))),
            },
            Err(other) => Err(GroupError::Service(DisplayErrorContext(other).to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_try_and_backoff_fit_in_cognitos_five_seconds() {
        assert_eq!(BUDGET.worst_case(), Duration::from_millis(3 * 1200 + 2 * 200));
        assert!(BUDGET.worst_case() <= OPERATION_TIMEOUT, "{:?}", BUDGET.worst_case());
        assert!(OPERATION_TIMEOUT + RESERVE <= COGNITO_BUDGET);
        let retry = BUDGET.retry_config();
        assert_eq!(retry.max_attempts(), ATTEMPTS);
        assert_eq!(retry.initial_backoff(), INITIAL_BACKOFF);
        assert_eq!(retry.max_backoff(), MAX_BACKOFF);
        assert!(
            INITIAL_BACKOFF * 2u32.pow(ATTEMPTS - 2) <= MAX_BACKOFF,
            "the last backoff is not cut"
        );
        let timeouts = BUDGET.timeout_config();
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(timeouts.operation_timeout(), Some(OPERATION_TIMEOUT));
    }
}
