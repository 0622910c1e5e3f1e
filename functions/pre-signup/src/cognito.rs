//! [`Directory`] through the AWS SDK (ListUsers, AdminLinkProviderForUser), and the time
//! budget those calls keep.
//!
//! Cognito waits at most 5 seconds for the trigger, and a federated sign-up that links makes
//! both calls one after the other. Each call gets 2 tries of at most 800 ms with at most
//! 100 ms between them (the SDK's standard retry strategy, which tries again only on
//! throttling, 5xx answers, timeouts and failed connections), cut at 1.7 s whatever
//! happens: both calls fit in 3.4 s, which leaves 1.6 s for a cold start, parsing and
//! Lambda's own overhead.

use std::time::Duration;

use aws_config::ConfigLoader;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{ProviderUserIdentifierType, UserStatusType, UserType};
use trigger_common::budget::CallBudget;

use crate::identity::ExternalIdentity;
use crate::linking::{Directory, DirectoryError, LIST_LIMIT, PoolUser, Status, email_filter};

/// Tries of one call, the first included.
pub const ATTEMPTS: u32 = 2;
/// The longest one try may take before it is abandoned (and retried) as a timeout.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(800);
/// The jittered backoff before the retry is up to this long.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// No backoff is longer, not even one a throttling answer's `x-amz-retry-after` asks for.
pub const MAX_BACKOFF: Duration = Duration::from_millis(100);
/// One call, every try and backoff included, is cut here whatever happens.
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(1700);
/// The calls one invocation makes at most, one after the other.
pub const CALLS: u32 = 2;
/// What Cognito waits for the whole invocation.
pub const COGNITO_BUDGET: Duration = Duration::from_secs(5);
/// Left inside the budget for the rest of an invocation.
pub const RESERVE: Duration = Duration::from_millis(1500);

/// The budget of one call, from the constants above.
pub const BUDGET: CallBudget = CallBudget {
    attempts: ATTEMPTS,
    attempt_timeout: ATTEMPT_TIMEOUT,
    initial_backoff: INITIAL_BACKOFF,
    max_backoff: MAX_BACKOFF,
    operation_timeout: OPERATION_TIMEOUT,
};

/// The production [`Directory`].
#[derive(Debug, Clone)]
pub struct CognitoDirectory {
    client: Client,
}

impl CognitoDirectory {
    /// A client as it is.
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

impl Directory for CognitoDirectory {
    async fn users_with_email(&self, user_pool_id: &str, email: &str) -> Result<Vec<PoolUser>, DirectoryError> {
        let answer = self
            .client
            .list_users()
            .user_pool_id(user_pool_id)
            .filter(email_filter(email)?)
            .limit(LIST_LIMIT)
            .send()
            .await
            .map_err(|error| service("ListUsers", error))?;
        if answer.pagination_token().is_some_and(|token| !token.is_empty()) {
            return Err(DirectoryError::TooMany);
        }
        Ok(answer.users().iter().map(pool_user).collect())
    }

    async fn link(
        &self,
        user_pool_id: &str,
        username: &str,
        identity: &ExternalIdentity,
    ) -> Result<(), DirectoryError> {
        let destination = ProviderUserIdentifierType::builder()
            .provider_name("Cognito")
            .provider_attribute_value(username)
            .build();
        let source = ProviderUserIdentifierType::builder()
            .provider_name(&identity.provider)
            .provider_attribute_name("Cognito_Subject")
            .provider_attribute_value(&identity.subject)
            .build();
        self.client
            .admin_link_provider_for_user()
            .user_pool_id(user_pool_id)
            .destination_user(destination)
            .source_user(source)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| service("AdminLinkProviderForUser", error))
    }
}

fn pool_user(user: &UserType) -> PoolUser {
    let status = match user.user_status() {
        Some(UserStatusType::Unconfirmed) => Status::Unconfirmed,
        Some(UserStatusType::Confirmed) => Status::Confirmed,
        Some(UserStatusType::Archived) => Status::Archived,
        Some(UserStatusType::Compromised) => Status::Compromised,
        Some(UserStatusType::UnknownValue) => Status::Unknown,
        Some(UserStatusType::ResetRequired) => Status::ResetRequired,
        Some(UserStatusType::ForceChangePassword) => Status::ForceChangePassword,
        Some(UserStatusType::ExternalProvider) => Status::ExternalProvider,
        // The SDK's enum is non-exhaustive: a status AWS adds later is one linking does not
        // trust.
        Some(_) | None => Status::Other,
    };
    PoolUser {
        username: user.username().unwrap_or_default().to_owned(),
        status,
        // Cognito always sends `Enabled`; an answer without it is treated as disabled.
        enabled: user.enabled(),
        attributes: user
            .attributes()
            .iter()
            .filter_map(|attribute| Some((attribute.name().to_owned(), attribute.value()?.to_owned())))
            .collect(),
    }
}

/// AWS's code and message, for the operator's log.
fn service<E, R>(operation: &'static str, error: SdkError<E, R>) -> DirectoryError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = match error {
        SdkError::ServiceError(context) => {
            let error = context.into_err();
            format!(
                "{}: {}",
                error.code().unwrap_or("unknown error code"),
                DisplayErrorContext(&error)
            )
        }
        other => DisplayErrorContext(other).to_string(),
    };
    DirectoryError::Service { operation, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_calls_with_every_try_and_backoff_fit_well_inside_cognitos_five_seconds() {
        assert_eq!(BUDGET.worst_case(), Duration::from_millis(2 * 800 + 100));
        assert!(BUDGET.worst_case() <= OPERATION_TIMEOUT, "{:?}", BUDGET.worst_case());
        assert!(OPERATION_TIMEOUT * CALLS + RESERVE <= COGNITO_BUDGET);
        let retry = BUDGET.retry_config();
        assert_eq!(retry.max_attempts(), ATTEMPTS);
        assert_eq!(retry.initial_backoff(), INITIAL_BACKOFF);
        assert_eq!(retry.max_backoff(), MAX_BACKOFF);
        let timeouts = BUDGET.timeout_config();
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(timeouts.operation_timeout(), Some(OPERATION_TIMEOUT));
    }
}
