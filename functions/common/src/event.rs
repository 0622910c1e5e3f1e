//! Intake of an invocation payload. Cognito sends one JSON event per trigger; this module
//! decides whether it is a trigger source the function knows (typed event), one of its
//! trigger that AWS added later (left to the function: one that only decorates returns it
//! unchanged, one that guards the door still applies its checks), or not an event of this
//! trigger at all (an error that says so). It never panics on any input.

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageResponse,
    CognitoEventUserPoolsCustomMessageTriggerSource, CognitoEventUserPoolsPostConfirmation,
    CognitoEventUserPoolsPostConfirmationResponse, CognitoEventUserPoolsPostConfirmationTriggerSource,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupResponse,
    CognitoEventUserPoolsPreSignupTriggerSource, CognitoEventUserPoolsPreTokenGenResponseV2,
    CognitoEventUserPoolsPreTokenGenTriggerSource, CognitoEventUserPoolsPreTokenGenV2,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

/// A user-pool trigger: its typed event, the prefix all its trigger sources share, and the
/// enum of the sources this version of aws_lambda_events knows.
pub trait Trigger: DeserializeOwned + Serialize {
    /// The part of `triggerSource` before the first underscore, with it: `PreSignUp_`.
    const PREFIX: &'static str;
    type Source: DeserializeOwned;
    type Response: Default + Serialize;
    fn response(&self) -> &Self::Response;
}

impl Trigger for CognitoEventUserPoolsPreSignup {
    const PREFIX: &'static str = "PreSignUp_";
    type Source = CognitoEventUserPoolsPreSignupTriggerSource;
    type Response = CognitoEventUserPoolsPreSignupResponse;
    fn response(&self) -> &Self::Response {
        &self.response
    }
}

impl Trigger for CognitoEventUserPoolsPostConfirmation {
    const PREFIX: &'static str = "PostConfirmation_";
    type Source = CognitoEventUserPoolsPostConfirmationTriggerSource;
    type Response = CognitoEventUserPoolsPostConfirmationResponse;
    fn response(&self) -> &Self::Response {
        &self.response
    }
}

impl Trigger for CognitoEventUserPoolsCustomMessage {
    const PREFIX: &'static str = "CustomMessage_";
    type Source = CognitoEventUserPoolsCustomMessageTriggerSource;
    type Response = CognitoEventUserPoolsCustomMessageResponse;
    fn response(&self) -> &Self::Response {
        &self.response
    }
}

/// The V2_0 event of the pre token generation trigger (ID and access token). Its trigger
/// sources are those of the V1_0 event; the versions differ in `request.scopes` and the
/// response.
impl Trigger for CognitoEventUserPoolsPreTokenGenV2 {
    const PREFIX: &'static str = "TokenGeneration_";
    type Source = CognitoEventUserPoolsPreTokenGenTriggerSource;
    type Response = CognitoEventUserPoolsPreTokenGenResponseV2;
    fn response(&self) -> &Self::Response {
        &self.response
    }
}

/// What an invocation payload turned out to be.
#[derive(Debug)]
pub enum Incoming<E> {
    /// A trigger source this function handles.
    Known(Invocation<E>),
    /// A trigger source of this trigger that this function does not know yet (Cognito adds
    /// sources over time), with the payload as it came. What to do with it is the
    /// function's call: [`pass_through`] for a function that only decorates.
    Unknown { source: String, event: Value },
}

/// An event of a known trigger source, typed for reading, with the payload as it came.
#[derive(Debug)]
pub struct Invocation<E> {
    /// `triggerSource` as Cognito sent it, e.g. `PreSignUp_SignUp`.
    pub source: String,
    pub event: E,
    sent: Map<String, Value>,
}

impl<E: Trigger> Invocation<E> {
    /// The reply Cognito expects: the event exactly as it came, with `response` set to the
    /// typed event's response.
    pub fn reply(self) -> Result<Value, serde_json::Error> {
        let mut reply = self.sent;
        reply.insert("response".into(), serde_json::to_value(self.event.response())?);
        Ok(Value::Object(reply))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the payload is not a Cognito user-pool event: {0}")]
    NotAnEvent(&'static str),
    #[error(
        "this function handles {expected}* trigger sources but was invoked with {got:?}; \
         check which trigger the user pool's LambdaConfig maps to it"
    )]
    WrongTrigger { expected: &'static str, got: String },
    #[error("the {source_name} event is malformed: {detail}")]
    Malformed {
        source_name: String,
        detail: serde_json::Error,
    },
}

/// Parses `payload` as an event of trigger `E`.
///
/// Cognito leaves optional parts out or sends them as null; aws_lambda_events requires
/// `response` and `callerContext`, so the typed copy gets their defaults (keeping every
/// value that came). The payload itself is kept as it came for the reply, so the function
/// returns the whole event, changed only in `response`.
pub fn parse<E: Trigger>(payload: Value) -> Result<Incoming<E>, EventError> {
    let Value::Object(mut fields) = payload else {
        return Err(EventError::NotAnEvent("expected a JSON object"));
    };
    let source = match fields.get("triggerSource") {
        Some(Value::String(source)) => source.clone(),
        Some(_) => return Err(EventError::NotAnEvent("triggerSource is not a string")),
        None => return Err(EventError::NotAnEvent("it has no triggerSource")),
    };
    if !source.starts_with(E::PREFIX) {
        return Err(EventError::WrongTrigger {
            expected: E::PREFIX,
            got: source,
        });
    }
    if serde_json::from_value::<E::Source>(Value::String(source.clone())).is_err() {
        return Ok(Incoming::Unknown {
            source,
            event: Value::Object(fields),
        });
    }
    let malformed = |detail| EventError::Malformed {
        source_name: source.clone(),
        detail,
    };
    // The typed copy is read from the payload in place (no clone of the whole tree): the
    // defaults go in for the read and the parts as they came go back after it.
    let mut response = serde_json::to_value(E::Response::default()).map_err(malformed)?;
    match fields.get("response") {
        None | Some(Value::Null) => {}
        Some(Value::Object(given)) => overlay(&mut response, given),
        Some(_) => {
            return Err(malformed(serde::de::Error::custom(
                "response is neither an object nor null",
            )));
        }
    }
    let sent_response = fields.insert("response".into(), response);
    let sent_context = match fields.get("callerContext") {
        None | Some(Value::Null) => Some(fields.insert("callerContext".into(), Value::Object(Map::new()))),
        Some(_) => None,
    };
    let event = E::deserialize(&fields).map_err(malformed);
    restore(&mut fields, "response", sent_response);
    if let Some(previous) = sent_context {
        restore(&mut fields, "callerContext", previous);
    }
    Ok(Incoming::Known(Invocation {
        source,
        event: event?,
        sent: fields,
    }))
}

/// The answer of a function that only decorates to a trigger source it does not know: the
/// event as it came, never an error, with a warning so the new source gets noticed.
pub fn pass_through(source: &str, event: Value) -> Value {
    // The source is the payload's own text: escaped, so it cannot break the line.
    tracing::warn!(trigger_source = %source.escape_debug(), "unknown trigger source; returning the event unchanged");
    event
}

/// Puts back what `key` held before it was replaced (or removes it if it was absent).
fn restore(fields: &mut Map<String, Value>, key: &str, previous: Option<Value>) {
    match previous {
        Some(value) => fields.insert(key.into(), value),
        None => fields.remove(key),
    };
}

/// Writes the non-null fields of `given` over `defaults`.
fn overlay(defaults: &mut Value, given: &Map<String, Value>) {
    if let Value::Object(defaults) = defaults {
        defaults.extend(
            given
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key.clone(), value.clone())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type PreSignup = CognitoEventUserPoolsPreSignup;

    impl Invocation<PreSignup> {
        fn reply_clone(&self) -> Value {
            let mut reply = self.sent.clone();
            reply.insert("response".into(), serde_json::to_value(&self.event.response).unwrap());
            Value::Object(reply)
        }
    }

    fn event(source: &str) -> Value {
        json!({
            "version": "1",
            "triggerSource": source,
            "region": "us-east-1",
            "userPoolId": "us-east-1_abc",
            "userName": "u",
            "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
            "request": {"userAttributes": {"email": "a@example.com"}, "validationData": null},
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false},
            "futureField": {"kept": true}
        })
    }

    #[test]
    fn known_source_is_typed_and_keeps_unnamed_fields() {
        let sent = event("PreSignUp_SignUp");
        let Incoming::Known(mut invocation) = parse::<PreSignup>(sent.clone()).unwrap() else {
            panic!("expected a known source");
        };
        assert_eq!(invocation.source, "PreSignUp_SignUp");
        let attributes = &invocation.event.request.user_attributes;
        assert_eq!(attributes["email"], "a@example.com");
        assert_eq!(
            invocation.reply_clone(),
            sent,
            "unchanged response: the event as it came"
        );

        invocation.event.response.auto_confirm_user = true;
        let reply = invocation.reply().unwrap();
        assert_eq!(reply["response"]["autoConfirmUser"], true);
        assert_eq!(reply["futureField"], json!({"kept": true}));
        assert_eq!(reply["request"]["validationData"], Value::Null);
    }

    #[test]
    fn unknown_source_of_the_same_trigger_passes_through_unchanged() {
        let sent = event("PreSignUp_SomethingNew");
        match parse::<PreSignup>(sent.clone()).unwrap() {
            Incoming::Unknown { source, event } => {
                assert_eq!(source, "PreSignUp_SomethingNew");
                assert_eq!(event, sent);
            }
            Incoming::Known(_) => panic!("expected pass-through"),
        }
    }

    #[test]
    fn another_trigger_is_an_error_naming_it() {
        let err = parse::<PreSignup>(event("CustomMessage_SignUp")).unwrap_err();
        assert!(err.to_string().contains("CustomMessage_SignUp"), "{err}");
    }

    #[test]
    fn missing_response_and_caller_context_are_filled() {
        let mut sent = event("PreSignUp_SignUp");
        sent["response"] = Value::Null;
        sent.as_object_mut().unwrap().remove("callerContext");
        assert!(matches!(parse::<PreSignup>(sent), Ok(Incoming::Known(_))));
    }

    #[test]
    fn defaults_for_the_typed_copy_never_reach_the_reply() {
        let mut absent = event("PreSignUp_SignUp");
        absent.as_object_mut().unwrap().remove("callerContext");
        let mut null = event("PreSignUp_SignUp");
        null["callerContext"] = Value::Null;
        null["response"] = Value::Null;
        let mut empty = event("PreSignUp_SignUp");
        empty["callerContext"] = json!({});
        empty["response"] = json!({"autoConfirmUser": null});
        for sent in [absent, null, empty] {
            let Ok(Incoming::Known(invocation)) = parse::<PreSignup>(sent.clone()) else {
                panic!("expected a known source: {sent}");
            };
            let mut reply = invocation.reply().unwrap();
            reply["response"] = sent["response"].clone();
            assert_eq!(reply, sent);
        }
    }

    #[test]
    fn non_events_are_errors() {
        for payload in [json!(null), json!([1]), json!({"a": 1}), json!({"triggerSource": 7})] {
            assert!(matches!(parse::<PreSignup>(payload), Err(EventError::NotAnEvent(_))));
        }
        let mut sent = event("PreSignUp_SignUp");
        sent["request"] = json!("not an object");
        assert!(matches!(parse::<PreSignup>(sent), Err(EventError::Malformed { .. })));
    }
}
