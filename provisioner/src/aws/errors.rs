//! How AWS failures read: one sentence with the operation, AWS's code and message, and for an
//! unreachable endpoint what to check (never the SDK's debug dump).

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{operation} failed: {message}")]
    Call { operation: &'static str, message: String },
    #[error("more than one user pool is named {name:?} ({ids}); refusing to guess. Rename or delete the extras")]
    AmbiguousPool { name: String, ids: String },
    #[error("more than one app client is named {name:?} in pool {pool} ({ids}); refusing to guess")]
    AmbiguousClient { name: String, pool: String, ids: String },
    #[error(
        "trigger {trigger}: Lambda function {function:?} does not exist in this region. Deploy it first \
         (cargo lambda deploy) or fix [triggers] in the spec"
    )]
    MissingFunction { trigger: String, function: String },
    #[error("{0}")]
    Refused(String),
}

impl AwsError {
    /// AWS refused the caller (`AccessDeniedException`, `AccessDenied`): a matter of
    /// permissions, not of the service or the network.
    pub fn is_access_denied(&self) -> bool {
        matches!(self, AwsError::Call { message, .. } if message.contains("AccessDenied"))
    }
}

/// Turns an SDK error of `operation` into an [`AwsError`].
pub fn call_error<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> AwsError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let message = match &error {
            SdkError::ServiceError(context) => match (context.err().code(), context.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => DisplayErrorContext(&error).to_string(),
            },
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
                "could not reach the endpoint ({}); check --endpoint-url, AWS_ENDPOINT_URL and your network",
                causes(&error)
            ),
            _ => DisplayErrorContext(&error).to_string(),
        };
        AwsError::Call { operation, message }
    }
}

/// An error and its sources, each as people read it (without the debug dump that
/// `DisplayErrorContext` adds).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
