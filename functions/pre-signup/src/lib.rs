//! The PreSignUp trigger: accepts or rejects a sign-up by its email address and domain, and
//! decides whether Cognito should confirm the user (and verify the email) without a code.
//!
//! `policy` is the decision over plain data; `handler` is the glue between the Lambda
//! event and that decision.

pub mod policy;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource as Kind,
};
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::{Failure, Incoming, mask_email};

pub use policy::{
    AutoConfirm, Config, Decision, DomainPattern, LinkExternalUsers, Malformed, Rejection, SignUp, Source, email_domain,
};

/// Handles one invocation: returns the whole event with `response` filled in, or an error
/// whose message Cognito shows the user ("PreSignUp failed with error <message>.").
///
/// This function guards the door, so a `PreSignUp_*` source it does not know still meets
/// the lists (its email read where every known source has it); it is never auto-confirmed
/// and, when accepted, goes back as it came.
pub async fn handler(event: LambdaEvent<Value>, config: &Config) -> Result<Value, Failure> {
    match trigger_common::parse::<CognitoEventUserPoolsPreSignup>(event.payload)? {
        Incoming::Known(mut invocation) => {
            let source = match invocation.event.cognito_event_user_pools_header.trigger_source {
                Some(Kind::SignUp | Kind::AdminCreateUser) => Source::Native,
                Some(Kind::ExternalProvider) => Source::External,
                // The enum is non-exhaustive: a source a later aws_lambda_events adds is one
                // this version does not know.
                _ => Source::Unknown,
            };
            let attributes = &invocation.event.request.user_attributes;
            let sign_up = SignUp {
                source,
                email: attributes.get("email").map(String::as_str),
                email_verified: attributes.get("email_verified").map(String::as_str),
            };
            let decision = judge(&invocation.source, &sign_up, config)?;
            if let Decision::AutoConfirm { verify_email } = decision {
                let response = &mut invocation.event.response;
                response.auto_confirm_user = true;
                response.auto_verify_email = verify_email;
            }
            Ok(invocation.reply()?)
        }
        Incoming::Unknown { source, event } => {
            let email = match event.pointer("/request/userAttributes/email") {
                None | Some(Value::Null) => None,
                Some(Value::String(email)) => Some(email.as_str()),
                Some(_) => {
                    let rejection = Rejection::InvalidEmail(Malformed::NotText);
                    tracing::warn!(trigger_source = %source, reason = %Reason(&rejection), "unknown trigger source; sign-up rejected");
                    return Err(Failure::new("SignUpRejected", rejection));
                }
            };
            let sign_up = SignUp {
                source: Source::Unknown,
                email,
                email_verified: None,
            };
            judge(&source, &sign_up, config)?;
            Ok(event)
        }
    }
}

/// Applies the policy and logs the one line of the invocation, with the email masked.
fn judge(source: &str, sign_up: &SignUp<'_>, config: &Config) -> Result<Decision, Failure> {
    let email = sign_up.email.map(mask_email).unwrap_or_default();
    let decision = config.decide(sign_up);
    match (&decision, sign_up.source) {
        (Ok(decision), Source::Native | Source::External) => {
            tracing::info!(trigger_source = %source, %email, ?decision, "sign-up accepted");
        }
        (Ok(decision), Source::Unknown) => {
            tracing::warn!(trigger_source = %source, %email, ?decision, "unknown trigger source; sign-up accepted without auto-confirm, event returned unchanged");
        }
        (Err(rejection), Source::Native | Source::External) => {
            tracing::info!(trigger_source = %source, %email, reason = %Reason(rejection), "sign-up rejected");
        }
        (Err(rejection), Source::Unknown) => {
            tracing::warn!(trigger_source = %source, %email, reason = %Reason(rejection), "unknown trigger source; sign-up rejected");
        }
    }
    decision.map_err(|rejection| Failure::new("SignUpRejected", rejection))
}

/// A rejection as the operator reads it: what was wrong, which the person never sees.
struct Reason<'a>(&'a Rejection);

impl std::fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Rejection::InvalidEmail(why) => write!(f, "malformed email: {why}"),
            Rejection::EmailRequired => f.write_str("no email while ALLOWED_EMAIL_DOMAINS is set"),
            Rejection::DomainNotAllowed => f.write_str("domain not allowed"),
        }
    }
}
