//! The PreSignUp trigger: accepts or rejects a sign-up by its email domain and decides
//! whether Cognito should confirm the user (and verify the email) without a code.
//!
//! `policy` is the decision over plain data; `handler` is the glue between the Lambda
//! event and that decision.

pub mod policy;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::{Failure, Incoming, mask_email};

pub use policy::{AutoConfirm, Config, Decision, DomainPattern, Rejection};

/// Handles one invocation: returns the whole event with `response` filled in, or an error
/// whose message Cognito shows the user ("PreSignUp failed with error <message>.").
pub async fn handler(event: LambdaEvent<Value>, config: &Config) -> Result<Value, Failure> {
    let mut invocation = match trigger_common::parse::<CognitoEventUserPoolsPreSignup>(event.payload)? {
        Incoming::Known(invocation) => invocation,
        Incoming::Unknown { source, event } => return Ok(trigger_common::pass_through(&source, event)),
    };
    let (source, event) = (&invocation.source, &mut invocation.event);
    let email = event.request.user_attributes.get("email").map(String::as_str);
    let masked = email.map(mask_email).unwrap_or_default();
    match config.decide(email) {
        Ok(decision) => {
            tracing::info!(trigger_source = %source, email = %masked, ?decision, "sign-up accepted");
            if let Decision::AutoConfirm = decision {
                event.response.auto_confirm_user = true;
                event.response.auto_verify_email = true;
            }
            Ok(invocation.reply()?)
        }
        Err(rejection) => {
            tracing::info!(trigger_source = %source, email = %masked, reason = ?rejection, "sign-up rejected");
            Err(Failure::new("SignUpRejected", rejection))
        }
    }
}
