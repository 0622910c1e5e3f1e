//! Intake of an invocation payload. Cognito sends one JSON event per trigger; this module
//! decides whether it is a trigger source the function knows (typed event), one of its
//! trigger that AWS added later (left to the function: one that only decorates returns it
//! unchanged, one that guards the door still applies its checks), or not an event of this
//! trigger at all (an error that says so). It never panics on any input.
//!
//! The payload is read once, as lambda_runtime hands it over: its fields, each value kept as
//! the text it came as ([`Payload`]). The typed event is read from those texts, its strings
//! borrowed where the deserializer can (no tree of every value first), and the answer
//! ([`Reply`]) writes the texts back as they came with `response` serialized in place, once,
//! into the bytes lambda_runtime sends.

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageResponse,
    CognitoEventUserPoolsCustomMessageTriggerSource, CognitoEventUserPoolsPostConfirmation,
    CognitoEventUserPoolsPostConfirmationResponse, CognitoEventUserPoolsPostConfirmationTriggerSource,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupResponse,
    CognitoEventUserPoolsPreSignupTriggerSource, CognitoEventUserPoolsPreTokenGenResponseV2,
    CognitoEventUserPoolsPreTokenGenTriggerSource, CognitoEventUserPoolsPreTokenGenV2,
};
use serde::de::value::{BorrowedStrDeserializer, MapDeserializer};
use serde::de::{self, DeserializeOwned, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A user-pool trigger: its typed event, the prefix all its trigger sources share, and the
/// enum of the sources this version of aws_lambda_events knows.
pub trait Trigger: DeserializeOwned {
    /// The part of `triggerSource` before the first underscore, with it: `PreSignUp_`.
    const PREFIX: &'static str;
    type Source: DeserializeOwned;
    type Response: Default + Serialize;
    fn into_response(self) -> Self::Response;
    /// Fills in, for the typed copy only, a part aws_lambda_events requires that this
    /// trigger's events may lack; says whether it did. Called only when the event as it came
    /// cannot be read as the typed event.
    fn fill(_fields: &mut Map<String, Value>) -> bool {
        false
    }
}

impl Trigger for CognitoEventUserPoolsPreSignup {
    const PREFIX: &'static str = "PreSignUp_";
    type Source = CognitoEventUserPoolsPreSignupTriggerSource;
    type Response = CognitoEventUserPoolsPreSignupResponse;
    fn into_response(self) -> Self::Response {
        self.response
    }
}

impl Trigger for CognitoEventUserPoolsPostConfirmation {
    const PREFIX: &'static str = "PostConfirmation_";
    type Source = CognitoEventUserPoolsPostConfirmationTriggerSource;
    type Response = CognitoEventUserPoolsPostConfirmationResponse;
    fn into_response(self) -> Self::Response {
        self.response
    }
}

impl Trigger for CognitoEventUserPoolsCustomMessage {
    const PREFIX: &'static str = "CustomMessage_";
    type Source = CognitoEventUserPoolsCustomMessageTriggerSource;
    type Response = CognitoEventUserPoolsCustomMessageResponse;
    fn into_response(self) -> Self::Response {
        self.response
    }
}

/// The V2_0 event of the pre token generation trigger (ID and access token). Its trigger
/// sources are those of the V1_0 event; the versions differ in `request.scopes` and the
/// response.
impl Trigger for CognitoEventUserPoolsPreTokenGenV2 {
    const PREFIX: &'static str = "TokenGeneration_";
    type Source = CognitoEventUserPoolsPreTokenGenTriggerSource;
    type Response = CognitoEventUserPoolsPreTokenGenResponseV2;
    fn into_response(self) -> Self::Response {
        self.response
    }
    /// aws_lambda_events requires `request.scopes`, which a V1_0 event does not carry: the
    /// typed copy gets an empty list (the reply keeps the request as it came).
    fn fill(fields: &mut Map<String, Value>) -> bool {
        match fields.get_mut("request") {
            Some(Value::Object(request)) if request.get("scopes").is_none_or(Value::is_null) => {
                request.insert("scopes".into(), Value::Array(Vec::new()));
                true
            }
            _ => false,
        }
    }
}

/// An invocation payload as lambda_runtime received it: a JSON object's fields in the order
/// they came, each value kept as its text (the last of a repeated key wins, as in a
/// `serde_json::Map`), or anything else, which no trigger's event is.
#[derive(Debug, Clone)]
pub struct Payload(Option<Fields>);

type Fields = Vec<(String, Box<RawValue>)>;

impl Payload {
    /// The payload of `value`, as lambda_runtime would read its text.
    pub fn from_value(value: &Value) -> Self {
        serde_json::from_str(&value.to_string()).expect("a JSON value reads back as a payload")
    }

    /// The text of field `key`, if the payload is an object that has it.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        get(self.0.as_ref()?, key)
    }
}

fn get<'a>(fields: &'a Fields, key: &str) -> Option<&'a RawValue> {
    fields.iter().find(|(name, _)| name == key).map(|(_, raw)| &**raw)
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PayloadVisitor)
    }
}

struct PayloadVisitor;

impl<'de> Visitor<'de> for PayloadVisitor {
    type Value = Payload;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload, A::Error> {
        let mut fields: Fields = Vec::with_capacity(map.size_hint().unwrap_or(10));
        while let Some(key) = map.next_key::<String>()? {
            let value: Box<RawValue> = map.next_value()?;
            match fields.iter_mut().find(|(name, _)| *name == key) {
                Some(field) => field.1 = value,
                None => fields.push((key, value)),
            }
        }
        Ok(Payload(Some(fields)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Payload, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Payload(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Payload, E> {
        Ok(Payload(None))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Payload, E> {
        Ok(Payload(None))
    }
}

/// The text of member `key` of `object` (the last, if the key repeats), when `object` is a
/// JSON object that has it: for a part of the event the typed event does not hold, read
/// without making a tree of the rest.
pub fn member<'a>(object: &'a RawValue, key: &str) -> Option<&'a RawValue> {
    struct Find<'k>(&'k str);

    impl<'de> Visitor<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                let value: &'de RawValue = map.next_value()?;
                if name == self.0 {
                    found = Some(value);
                }
            }
            Ok(found)
        }
    }

    if !object.get().starts_with('{') {
        return None;
    }
    object.deserialize_map(Find(key)).ok().flatten()
}

/// What an invocation payload turned out to be.
#[derive(Debug)]
pub enum Incoming<E> {
    /// A trigger source this function handles.
    Known(Invocation<E>),
    /// A trigger source of this trigger that this function does not know yet (Cognito adds
    /// sources over time), with the payload as it came. What to do with it is the
    /// function's call: [`pass_through`] for a function that only decorates.
    Unknown { source: String, event: Sent },
}

/// A payload's fields as they came, for an answer that returns them.
#[derive(Debug, Clone)]
pub struct Sent(Fields);

impl Sent {
    /// The text of field `key`, if the event has it.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        get(&self.0, key)
    }

    /// The event as a JSON tree, for a function that looks into an event it does not know.
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(key, raw)| {
                    let value = serde_json::from_str(raw.get()).expect("lambda_runtime's payload is JSON");
                    (key.clone(), value)
                })
                .collect(),
        )
    }

    /// The answer that returns the event exactly as it came.
    pub fn unchanged<R>(self) -> Reply<R> {
        Reply {
            sent: self.0,
            response: None,
        }
    }
}

/// An event of a known trigger source, typed for reading, with the payload as it came.
#[derive(Debug)]
pub struct Invocation<E> {
    /// `triggerSource` as Cognito sent it, e.g. `PreSignUp_SignUp`.
    pub source: String,
    pub event: E,
    /// Whether [`Trigger::fill`] filled in a part the event lacked for the typed copy.
    pub filled: bool,
    sent: Sent,
}

impl<E: Trigger> Invocation<E> {
    /// The text of field `key` as it came, if the event has it.
    pub fn sent(&self, key: &str) -> Option<&RawValue> {
        self.sent.get(key)
    }

    /// The reply Cognito expects: the event exactly as it came, with `response` set to the
    /// typed event's response.
    pub fn reply(self) -> Reply<E::Response> {
        let response = self.event.into_response();
        Reply {
            sent: self.sent.0,
            response: Some(response),
        }
    }

    /// The event exactly as it came, with `response` set to `response` (for a trigger whose
    /// answer's shape the typed event does not hold).
    pub fn reply_with<R>(self, response: R) -> Reply<R> {
        Reply {
            sent: self.sent.0,
            response: Some(response),
        }
    }
}

/// What a function answers: the event's fields as they came (in their order, `response`
/// where it was, or last), with `response` replaced unless the answer is the event
/// unchanged. It is serialized once, by lambda_runtime, into the bytes it sends.
#[derive(Debug, Clone)]
pub struct Reply<R = Value> {
    sent: Fields,
    response: Option<R>,
}

impl<R: Serialize> Serialize for Reply<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let has_response = self.sent.iter().any(|(key, _)| key == "response");
        let added = usize::from(self.response.is_some() && !has_response);
        let mut map = serializer.serialize_map(Some(self.sent.len() + added))?;
        for (key, raw) in &self.sent {
            match &self.response {
                Some(response) if key == "response" => map.serialize_entry(key, response)?,
                _ => map.serialize_entry(key, raw)?,
            }
        }
        if let (Some(response), 1) = (&self.response, added) {
            map.serialize_entry("response", response)?;
        }
        map.end()
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
/// The typed event is read from the payload's texts as they came. Cognito leaves optional
/// parts out or sends them as null, and aws_lambda_events requires `response` and
/// `callerContext`: an event it cannot read so is read again with their defaults (keeping
/// every value that came) and what [`Trigger::fill`] fills in. Either way the payload is kept
/// as it came for the reply, so the function returns the whole event, changed only in
/// `response`.
///
/// A payload it refuses gets the invocation's one line here, at ERROR with `error_type`
/// `InvalidEvent` (lambda_runtime's own line for an error answer is dropped, see
/// [`crate::logging::loggable`]).
pub fn parse<E: Trigger>(payload: Payload) -> Result<Incoming<E>, EventError> {
    read(payload).inspect_err(|error| {
        tracing::error!(error_type = "InvalidEvent", reason = %error.logged(), "event refused");
    })
}

impl EventError {
    /// What is wrong, for the log: the trigger source escaped, and of a malformed event only
    /// what serde found where, never the value (serde's "invalid type: string \"…\"" quotes
    /// it, and an attribute's value may be an email or a phone number).
    pub fn logged(&self) -> String {
        match self {
            EventError::NotAnEvent(why) => format!("the payload is not a Cognito user-pool event: {why}"),
            EventError::WrongTrigger { expected, got } => {
                format!(
                    "invoked with trigger source \"{}\", not {expected}*",
                    got.escape_debug()
                )
            }
            EventError::Malformed { source_name, detail } => format!(
                "the {} event is malformed: {:?} error at line {} column {}",
                source_name.escape_debug(),
                detail.classify(),
                detail.line(),
                detail.column()
            ),
        }
    }
}

fn read<E: Trigger>(payload: Payload) -> Result<Incoming<E>, EventError> {
    let Some(fields) = payload.0 else {
        return Err(EventError::NotAnEvent("expected a JSON object"));
    };
    let sent = Sent(fields);
    let source = match sent.get("triggerSource").map(String::deserialize) {
        Some(Ok(source)) => source,
        Some(Err(_)) => return Err(EventError::NotAnEvent("triggerSource is not a string")),
        None => return Err(EventError::NotAnEvent("it has no triggerSource")),
    };
    if !source.starts_with(E::PREFIX) {
        return Err(EventError::WrongTrigger {
            expected: E::PREFIX,
            got: source,
        });
    }
    let known: Result<E::Source, de::value::Error> = E::Source::deserialize(source.as_str().into_deserializer());
    if known.is_err() {
        return Ok(Incoming::Unknown { source, event: sent });
    }
    let (event, filled) = match as_sent::<E>(&sent) {
        Some(event) => (event, false),
        None => match with_defaults::<E>(&sent) {
            Ok(read) => read,
            Err(detail) => {
                return Err(EventError::Malformed {
                    source_name: source,
                    detail,
                });
            }
        },
    };
    Ok(Incoming::Known(Invocation {
        source,
        event,
        filled,
        sent,
    }))
}

/// The typed event read from the texts as they came, when `response` and `callerContext`
/// came as objects and nothing is missing; `None` sends the event the longer way.
fn as_sent<E: Trigger>(sent: &Sent) -> Option<E> {
    let object = |key| sent.get(key).is_some_and(|raw| raw.get().starts_with('{'));
    if !(object("response") && object("callerContext")) {
        return None;
    }
    let fields = sent.0.iter().map(|(key, raw)| {
        let key: BorrowedStrDeserializer<'_, serde_json::Error> = BorrowedStrDeserializer::new(key);
        (key, &**raw)
    });
    E::deserialize(MapDeserializer::new(fields)).ok()
}

/// The typed event read from a tree of the payload with the defaults in (the response's
/// defaults under the non-null fields that came, an empty `callerContext` for an absent or
/// null one) and what [`Trigger::fill`] fills in; with whether it filled anything.
fn with_defaults<E: Trigger>(sent: &Sent) -> Result<(E, bool), serde_json::Error> {
    let Value::Object(mut fields) = sent.to_value() else {
        unreachable!("Sent::to_value makes an object");
    };
    let mut response = serde_json::to_value(E::Response::default())?;
    match fields.get("response") {
        None | Some(Value::Null) => {}
        Some(Value::Object(given)) => overlay(&mut response, given),
        Some(_) => return Err(de::Error::custom("response is neither an object nor null")),
    }
    fields.insert("response".into(), response);
    if fields.get("callerContext").is_none_or(Value::is_null) {
        fields.insert("callerContext".into(), Value::Object(Map::new()));
    }
    let filled = E::fill(&mut fields);
    Ok((E::deserialize(&fields)?, filled))
}

/// The answer of a function that only decorates to a trigger source it does not know: the
/// event as it came, never an error, with a warning so the new source gets noticed.
pub fn pass_through<R>(source: &str, event: Sent) -> Reply<R> {
    // The source is the payload's own text: escaped, so it cannot break the line.
    tracing::warn!(trigger_source = %source.escape_debug(), "unknown trigger source; returning the event unchanged");
    event.unchanged()
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

    fn parsed(sent: &Value) -> Result<Incoming<PreSignup>, EventError> {
        parse::<PreSignup>(Payload::from_value(sent))
    }

    fn value<R: Serialize>(reply: &Reply<R>) -> Value {
        serde_json::to_value(reply).unwrap()
    }

    #[test]
    fn known_source_is_typed_and_keeps_unnamed_fields() {
        let sent = event("PreSignUp_SignUp");
        let Incoming::Known(mut invocation) = parsed(&sent).unwrap() else {
            panic!("expected a known source");
        };
        assert_eq!(invocation.source, "PreSignUp_SignUp");
        assert!(!invocation.filled);
        let attributes = &invocation.event.request.user_attributes;
        assert_eq!(attributes["email"], "a@example.com");
        assert_eq!(
            value(&invocation.sent.clone().unchanged::<()>()),
            sent,
            "unchanged: the event as it came"
        );

        invocation.event.response.auto_confirm_user = true;
        let reply = value(&invocation.reply());
        assert_eq!(reply["response"]["autoConfirmUser"], true);
        assert_eq!(reply["futureField"], json!({"kept": true}));
        assert_eq!(reply["request"]["validationData"], Value::Null);
    }

    #[test]
    fn the_reply_writes_the_event_as_it_came_in_its_order_with_the_response_in_place() {
        let text = r#"{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":"p","userName":"u","callerContext":{"clientId":"c"},"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false},"request":{"userAttributes":{"email":"a\u0040example.com"},"validationData":null}}"#;
        let Ok(Incoming::Known(mut invocation)) = parse::<PreSignup>(serde_json::from_str(text).unwrap()) else {
            panic!("expected a known source");
        };
        assert_eq!(invocation.event.request.user_attributes["email"], "a@example.com");
        invocation.event.response.auto_confirm_user = true;
        let reply = serde_json::to_string(&invocation.reply()).unwrap();
        assert_eq!(
            reply,
            text.replace(r#""autoConfirmUser":false"#, r#""autoConfirmUser":true"#),
            "every other byte as it came, escapes included"
        );
    }

    #[test]
    fn a_repeated_key_counts_once_and_the_last_wins() {
        let text = r#"{"triggerSource":"CustomMessage_SignUp","triggerSource":"PreSignUp_SignUp","version":"1","region":"r","userPoolId":"p","userName":"u","callerContext":{},"request":{"userAttributes":{}},"response":null}"#;
        let Ok(Incoming::Known(invocation)) = parse::<PreSignup>(serde_json::from_str(text).unwrap()) else {
            panic!("expected a known source");
        };
        let reply = serde_json::to_string(&invocation.reply()).unwrap();
        assert_eq!(reply.matches("triggerSource").count(), 1, "{reply}");
        assert!(reply.starts_with(r#"{"triggerSource":"PreSignUp_SignUp","#), "{reply}");
    }

    #[test]
    fn unknown_source_of_the_same_trigger_passes_through_unchanged() {
        let sent = event("PreSignUp_SomethingNew");
        match parsed(&sent).unwrap() {
            Incoming::Unknown { source, event } => {
                assert_eq!(source, "PreSignUp_SomethingNew");
                assert_eq!(event.to_value(), sent);
                assert_eq!(value(&pass_through::<()>(&source, event)), sent);
            }
            Incoming::Known(_) => panic!("expected pass-through"),
        }
    }

    #[test]
    fn another_trigger_is_an_error_naming_it() {
        let err = parsed(&event("CustomMessage_SignUp")).unwrap_err();
        assert!(err.to_string().contains("CustomMessage_SignUp"), "{err}");
    }

    #[test]
    fn missing_response_and_caller_context_are_filled() {
        let mut sent = event("PreSignUp_SignUp");
        sent["response"] = Value::Null;
        sent.as_object_mut().unwrap().remove("callerContext");
        assert!(matches!(parsed(&sent), Ok(Incoming::Known(_))));
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
            let Ok(Incoming::Known(invocation)) = parsed(&sent) else {
                panic!("expected a known source: {sent}");
            };
            let mut reply = value(&invocation.reply());
            reply["response"] = sent["response"].clone();
            assert_eq!(reply, sent);
        }
    }

    #[test]
    fn a_response_or_caller_context_that_is_no_object_is_malformed_whatever_the_typed_event_accepts() {
        for (key, given) in [
            ("response", json!([])),
            ("response", json!(5)),
            ("callerContext", json!("c")),
        ] {
            let mut sent = event("PreSignUp_SignUp");
            sent[key] = given.clone();
            assert!(
                matches!(parsed(&sent), Err(EventError::Malformed { .. })),
                "{key}: {given}"
            );
        }
        let mut sent = json!({
            "version": "1", "triggerSource": "PostConfirmation_ConfirmSignUp", "region": "r",
            "userPoolId": "p", "userName": "u", "callerContext": {},
            "request": {"userAttributes": {}}, "response": []
        });
        let empty_response = parse::<CognitoEventUserPoolsPostConfirmation>(Payload::from_value(&sent));
        assert!(
            matches!(empty_response, Err(EventError::Malformed { .. })),
            "an empty struct reads from []"
        );
        sent["response"] = json!({});
        let read = parse::<CognitoEventUserPoolsPostConfirmation>(Payload::from_value(&sent));
        assert!(matches!(read, Ok(Incoming::Known(_))));
    }

    #[test]
    fn non_events_are_errors() {
        for payload in [
            json!(null),
            json!([1]),
            json!("x"),
            json!(1.5),
            json!({"a": 1}),
            json!({"triggerSource": 7}),
        ] {
            assert!(matches!(parsed(&payload), Err(EventError::NotAnEvent(_))), "{payload}");
        }
        let mut sent = event("PreSignUp_SignUp");
        sent["request"] = json!("not an object");
        assert!(matches!(parsed(&sent), Err(EventError::Malformed { .. })));
    }

    #[test]
    fn a_v1_token_event_is_read_with_empty_scopes_and_says_so() {
        let mut sent = json!({
            "version": "1", "triggerSource": "TokenGeneration_HostedAuth", "region": "r",
            "userPoolId": "p", "userName": "u", "callerContext": {"clientId": "c"},
            "request": {
                "userAttributes": {"sub": "s"},
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}
            },
            "response": {"claimsOverrideDetails": null}
        });
        let Ok(Incoming::Known(invocation)) = parse::<CognitoEventUserPoolsPreTokenGenV2>(Payload::from_value(&sent))
        else {
            panic!("expected a known source");
        };
        assert!(invocation.filled && invocation.event.request.scopes.is_empty());
        let reply = value(&invocation.reply_with(json!({})));
        assert!(
            reply["request"].get("scopes").is_none(),
            "the request as it came: {reply}"
        );
        sent["request"]["scopes"] = json!(["openid"]);
        let Ok(Incoming::Known(invocation)) = parse::<CognitoEventUserPoolsPreTokenGenV2>(Payload::from_value(&sent))
        else {
            panic!("expected a known source");
        };
        assert!(!invocation.filled);
        assert_eq!(invocation.event.request.scopes, ["openid"]);
    }
}
