//! Group membership, the post-confirmation function's one side effect, behind a trait so the
//! handler can be tested without AWS.

use std::future::Future;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::AdminAddUserToGroupError;

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
    #[error("AdminAddUserToGroup failed: {0}")]
    Service(String),
}

/// The production implementation: AdminAddUserToGroup through the AWS SDK.
#[derive(Debug, Clone)]
pub struct CognitoGroups {
    client: Client,
}

impl CognitoGroups {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Builds the client from the standard AWS configuration (region, credentials,
    /// `AWS_ENDPOINT_URL`), with timeouts that leave an answer inside Cognito's 5 seconds.
    pub async fn from_env() -> Self {
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_millis(1500))
            .operation_timeout(Duration::from_millis(4000))
            .build();
        let config = aws_config::from_env().timeout_config(timeouts).load().await;
        Self::new(Client::new(&config))
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
                other => Err(GroupError::Service(DisplayErrorContext(other).to_string())),
            },
            Err(other) => Err(GroupError::Service(DisplayErrorContext(other).to_string())),
        }
    }
}
