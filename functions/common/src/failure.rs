//! The error a handler returns. Lambda reports it as `errorType` and `errorMessage`; Cognito
//! shows the message to the caller (for PreSignUp: `PreSignUp failed with error <message>.`),
//! so the message is written for a person and the type names the kind of failure.

use std::fmt;

use lambda_runtime::Diagnostic;

use crate::EventError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Lambda's `errorType`, e.g. `SignUpRejected`.
    pub kind: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(kind: &'static str, message: impl fmt::Display) -> Self {
        Self {
            kind,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl From<Failure> for Diagnostic {
    fn from(failure: Failure) -> Self {
        Diagnostic {
            error_type: failure.kind.to_owned(),
            error_message: failure.message,
        }
    }
}

impl From<EventError> for Failure {
    fn from(error: EventError) -> Self {
        Failure::new("InvalidEvent", error)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(error: serde_json::Error) -> Self {
        Failure::new("ResponseNotSerializable", error)
    }
}
