//! The pre token generation trigger, V2_0 event: scopes in the access token by the user's
//! groups, user attributes copied into claims of the ID and access tokens, claims
//! suppressed in both.
//!
//! `config` reads and checks the configuration; `decide` is the decision over plain data;
//! `handler` is the glue between the Lambda event and it.

pub mod config;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_lambda_events::event::cognito::{
    ClaimsAndScopeOverrideDetailsV2, CognitoAccessTokenGenerationV2, CognitoEventUserPoolsPreTokenGenV2,
    CognitoIdTokenGenerationV2, GroupConfiguration,
};
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::{Failure, Incoming};

pub use config::{AttributeClaim, Config, FIXED_CLAIMS, Use, refusal};

/// The typed V2_0 event.
pub type Event = CognitoEventUserPoolsPreTokenGenV2;

/// What the tokens of one user get, from the configuration and the event alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision<'a> {
    /// The scopes of every configured group the user is in, each once.
    pub scopes_to_add: BTreeSet<&'a str>,
    /// Claim name to the attribute's value, as the user's profile holds it.
    pub claims: BTreeMap<&'a str, &'a str>,
    /// The claims suppressed in both tokens.
    pub claims_to_suppress: BTreeSet<&'a str>,
    /// Configured attributes this user does not have (so their claims are not set).
    pub missing_attributes: Vec<&'a str>,
}

/// The decision for one event: scopes from `request.groupConfiguration.groupsToOverride`,
/// claims from `request.userAttributes`. An attribute's value is whatever the user (or an
/// app client with write access to it) put there: it goes into its claim as a string, never
/// parsed; an attribute the user lacks sets no claim.
pub fn decide<'a>(event: &'a Event, config: &'a Config) -> Decision<'a> {
    let request = &event.request;
    let scopes_to_add = request
        .group_configuration
        .groups_to_override
        .iter()
        .filter_map(|group| config.group_scopes.get(group))
        .flatten()
        .map(String::as_str)
        .collect();
    let mut claims = BTreeMap::new();
    let mut missing_attributes = Vec::new();
    for AttributeClaim { attribute, claim } in &config.attribute_claims {
        match request.user_attributes.get(attribute) {
            Some(value) => {
                claims.insert(claim.as_str(), value.as_str());
            }
            None => missing_attributes.push(attribute.as_str()),
        }
    }
    Decision {
        scopes_to_add,
        claims,
        claims_to_suppress: config.suppress_claims.iter().map(String::as_str).collect(),
        missing_attributes,
    }
}

impl Decision<'_> {
    /// The response's `claimsAndScopeOverrideDetails`. `groups` is the request's group
    /// configuration, sent back as `groupOverrideDetails`: Cognito replaces the token's
    /// groups with that object and, given an empty or null one, "suppresses the groups";
    /// "To keep the existing group configuration the same, copy the value of the
    /// groupConfiguration object of the request" (developer guide, "Pre token generation
    /// Lambda trigger", response parameters).
    pub fn details(&self, groups: &GroupConfiguration) -> ClaimsAndScopeOverrideDetailsV2 {
        let claims: HashMap<String, Value> = self
            .claims
            .iter()
            .map(|(claim, value)| ((*claim).to_owned(), Value::String((*value).to_owned())))
            .collect();
        let suppress: Vec<String> = self.claims_to_suppress.iter().map(|c| (*c).to_owned()).collect();
        // aws_lambda_events marks these structs non_exhaustive: filled field by field.
        let mut id_token = CognitoIdTokenGenerationV2::default();
        id_token.claims_to_add_or_override = claims.clone();
        id_token.claims_to_suppress = suppress.clone();
        let mut access_token = CognitoAccessTokenGenerationV2::default();
        access_token.claims_to_add_or_override = claims;
        access_token.claims_to_suppress = suppress;
        access_token.scopes_to_add = self.scopes_to_add.iter().map(|s| (*s).to_owned()).collect();
        let mut details = ClaimsAndScopeOverrideDetailsV2::default();
        details.group_override_details = groups.clone();
        details.id_token_generation = Some(id_token);
        details.access_token_generation = Some(access_token);
        details
    }
}

/// Handles one invocation: returns the whole event with
/// `response.claimsAndScopeOverrideDetails` filled. A `TokenGeneration_` source this version
/// does not know (`TokenGeneration_ClientCredentials` of a V3_0 event, for one) goes back
/// unchanged: its tokens are Cognito's own.
pub async fn handler(event: LambdaEvent<Value>, config: &Config) -> Result<Value, Failure> {
    let (payload, filled) = fill_scopes(event.payload);
    let mut invocation = match trigger_common::parse::<Event>(payload)? {
        Incoming::Known(invocation) => invocation,
        Incoming::Unknown { source, event } => {
            return Ok(trigger_common::pass_through(&source, filled.undo(event)));
        }
    };
    let details = {
        let event = &invocation.event;
        let decision = decide(event, config);
        // The sub is the one identifier logged: never the email, phone or an attribute value.
        let sub = event.request.user_attributes.get("sub").map_or("-", String::as_str);
        let sub = sub.escape_debug();
        let trigger_source = &invocation.source;
        let scopes = &decision.scopes_to_add;
        let claims: Vec<&str> = decision.claims.keys().copied().collect();
        let missing = &decision.missing_attributes;
        let suppressed = &decision.claims_to_suppress;
        match filled {
            Filled::AsSent => {
                tracing::info!(%trigger_source, %sub, ?scopes, ?claims, ?missing, ?suppressed, "token claims set");
            }
            Filled::Absent | Filled::Null => tracing::warn!(
                %trigger_source, %sub, ?scopes, ?claims, ?missing, ?suppressed,
                "token claims set, but the event has no request.scopes: a trigger wired with LambdaVersion \
                 V1_0 ignores them; wire it with V2_0"
            ),
        }
        decision.details(&event.request.group_configuration)
    };
    invocation.event.response.claims_and_scope_override_details = Some(details);
    Ok(filled.undo(invocation.reply()?))
}

/// What [`fill_scopes`] did to `request.scopes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filled {
    AsSent,
    Absent,
    Null,
}

/// aws_lambda_events requires `request.scopes`, which the decision never reads and which a
/// V1_0 event (a trigger wired with the wrong version) does not carry: the typed copy gets
/// an empty list so that the event is still answered, and [`Filled::undo`] takes it out of
/// the reply again.
fn fill_scopes(mut payload: Value) -> (Value, Filled) {
    let filled = match payload.get_mut("request") {
        Some(Value::Object(request)) => match request.get("scopes") {
            None => Filled::Absent,
            Some(Value::Null) => Filled::Null,
            Some(_) => Filled::AsSent,
        },
        _ => Filled::AsSent,
    };
    if filled != Filled::AsSent
        && let Some(Value::Object(request)) = payload.get_mut("request")
    {
        request.insert("scopes".into(), Value::Array(Vec::new()));
    }
    (payload, filled)
}

impl Filled {
    /// `reply` with `request.scopes` as it came.
    fn undo(self, mut reply: Value) -> Value {
        if let Some(Value::Object(request)) = reply.get_mut("request") {
            match self {
                Filled::AsSent => {}
                Filled::Absent => {
                    request.remove("scopes");
                }
                Filled::Null => {
                    request.insert("scopes".into(), Value::Null);
                }
            }
        }
        reply
    }
}
