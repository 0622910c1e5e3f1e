//! The pre token generation trigger: scopes in the access token by the user's groups, for
//! the app clients allowed them; user attributes copied into claims; claims suppressed.
//! A `V2_0` or `V3_0` event is answered in `claimsAndScopeOverrideDetails` (both tokens), a
//! `V1_0` event in `claimsOverrideDetails` (the ID token only: V1 has no access-token part, so
//! no group scope).
//!
//! [`claims`] holds Cognito's rules for claims; [`config`] reads and checks the configuration
//! against them; [`decide`] is the decision over plain data; [`handler`] is the glue between
//! the Lambda event and it.

pub mod claims;
pub mod config;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_lambda_events::event::cognito::{
    ClaimsAndScopeOverrideDetailsV2, ClaimsOverrideDetails, CognitoAccessTokenGenerationV2,
    CognitoEventUserPoolsPreTokenGenV2, CognitoIdTokenGenerationV2, GroupConfiguration,
};
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::serde::Serialize;
use trigger_common::{Failure, Incoming, Payload, Reply};

pub use claims::{FIXED_CLAIMS, IDENTITY_CLAIMS, Use, refusal};
pub use config::{AttributeClaim, Config};

/// The typed event. The V2_0 type reads V1_0 and V3_0 events too: V1_0 lacks only
/// `request.scopes` (see `fill_scopes`), V3_0 is V2_0's shape.
pub type Event = CognitoEventUserPoolsPreTokenGenV2;

/// The trigger source of a V3_0 machine-to-machine token (client credentials grant).
pub const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";

/// What the tokens of one user get, from the configuration and the event alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision<'a> {
    /// The scopes of every configured group the user is in that the calling client may
    /// receive (`CLIENT_SCOPES`), each once.
    pub scopes_to_add: BTreeSet<&'a str>,
    /// The scopes of the user's groups that the calling client may not receive, so not added.
    pub scopes_withheld: BTreeSet<&'a str>,
    /// The scopes `GROUP_SCOPES` gives only to groups this user is not in: removed from the
    /// access token, since any user of a client that allows a scope can ask for it at
    /// `/oauth2/authorize` (and gets every allowed scope when asking for none).
    pub scopes_to_suppress: BTreeSet<&'a str>,
    /// Claim name to the attribute's value, as the user's profile holds it.
    pub claims: BTreeMap<&'a str, &'a str>,
    /// The claims suppressed in both tokens.
    pub claims_to_suppress: BTreeSet<&'a str>,
    /// Configured attributes this user does not have (so their claims are not set).
    pub missing_attributes: Vec<&'a str>,
}

/// The decision for one event: scopes from `request.groupConfiguration.groupsToOverride`,
/// kept to those `CLIENT_SCOPES` allows `callerContext.clientId` (an event without a client
/// id gets none); claims from `request.userAttributes`. An attribute's value is whatever the
/// user (or an app client with write access to it) put there: it goes into its claim as a
/// string, never parsed; an attribute the user lacks sets no claim.
pub fn decide<'a>(event: &'a Event, config: &'a Config) -> Decision<'a> {
    let request = &event.request;
    let allowed = event
        .cognito_event_user_pools_header
        .caller_context
        .client_id
        .as_ref()
        .and_then(|client| config.client_scopes.get(client));
    let (scopes_to_add, scopes_withheld): (BTreeSet<&str>, BTreeSet<&str>) = request
        .group_configuration
        .groups_to_override
        .iter()
        .filter_map(|group| config.group_scopes.get(group))
        .flatten()
        .map(String::as_str)
        .partition(|scope| allowed.is_some_and(|allowed| allowed.contains(*scope)));
    let earned: BTreeSet<&str> = scopes_to_add.union(&scopes_withheld).copied().collect();
    let scopes_to_suppress = config
        .group_scopes
        .values()
        .flatten()
        .map(String::as_str)
        .filter(|scope| !earned.contains(scope))
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
        scopes_withheld,
        scopes_to_suppress,
        claims,
        claims_to_suppress: config.suppress_claims.iter().map(String::as_str).collect(),
        missing_attributes,
    }
}

impl Decision<'_> {
    /// The response's `claimsAndScopeOverrideDetails` (V2_0 and V3_0 events).
    pub fn details(&self, groups: &GroupConfiguration) -> ClaimsAndScopeOverrideDetailsV2 {
        let claims: HashMap<String, Value> = self
            .claims
            .iter()
            .map(|(claim, value)| ((*claim).to_owned(), Value::String((*value).to_owned())))
            .collect();
        let suppress = self.suppress_list();
        // aws_lambda_events marks these structs non_exhaustive: filled field by field.
        let mut id_token = CognitoIdTokenGenerationV2::default();
        id_token.claims_to_add_or_override = claims.clone();
        id_token.claims_to_suppress = suppress.clone();
        let mut access_token = CognitoAccessTokenGenerationV2::default();
        access_token.claims_to_add_or_override = claims;
        access_token.claims_to_suppress = suppress;
        access_token.scopes_to_add = self.scopes_to_add.iter().map(|s| (*s).to_owned()).collect();
        access_token.scopes_to_suppress = self.scopes_to_suppress.iter().map(|s| (*s).to_owned()).collect();
        let mut details = ClaimsAndScopeOverrideDetailsV2::default();
        details.group_override_details = self.groups(groups);
        details.id_token_generation = Some(id_token);
        details.access_token_generation = Some(access_token);
        details
    }

    /// The response's `claimsOverrideDetails` (V1_0 events): the same claims, suppressions
    /// and groups, for the ID token. V1_0 has no way to add access-token scopes.
    pub fn details_v1(&self, groups: &GroupConfiguration) -> ClaimsOverrideDetails {
        let mut details = ClaimsOverrideDetails::default();
        details.claims_to_add_or_override = self
            .claims
            .iter()
            .map(|(claim, value)| ((*claim).to_owned(), (*value).to_owned()))
            .collect();
        details.claims_to_suppress = self.suppress_list();
        details.group_override_details = self.groups(groups);
        details
    }

    fn suppress_list(&self) -> Vec<String> {
        self.claims_to_suppress.iter().map(|c| (*c).to_owned()).collect()
    }

    /// `groupOverrideDetails`: the request's group configuration sent back as it came.
    /// Cognito replaces the token's groups with that object and, given an empty or null one,
    /// "suppresses the groups"; "To keep the existing group configuration the same, copy the
    /// value of the groupConfiguration object of the request" (developer guide, "Pre token
    /// generation Lambda trigger", response parameters). With `cognito:groups` suppressed the
    /// answer sends no groups (nor the roles that come with them) that would say otherwise.
    fn groups(&self, groups: &GroupConfiguration) -> GroupConfiguration {
        if self.claims_to_suppress.contains("cognito:groups") {
            GroupConfiguration::default()
        } else {
            groups.clone()
        }
    }
}

/// The event's shape, from its `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `"1"`: a trigger wired as V1_0, answered in `claimsOverrideDetails`.
    V1,
    /// `"2"` or `"3"` (or anything newer): answered in `claimsAndScopeOverrideDetails`.
    V2,
}

/// The response, in the shape of the event's version: `{"claimsOverrideDetails": …}` or
/// `{"claimsAndScopeOverrideDetails": …}`.
#[derive(Debug, Clone, Serialize)]
#[serde(crate = "trigger_common::serde")]
pub enum Response {
    #[serde(rename = "claimsOverrideDetails")]
    V1(ClaimsOverrideDetails),
    #[serde(rename = "claimsAndScopeOverrideDetails")]
    V2(ClaimsAndScopeOverrideDetailsV2),
}

/// What the function answers: the event as it came, with its response.
pub type Answer = Reply<Response>;

/// Handles one invocation: returns the whole event with `response` filled in the shape of
/// the event's version. A V3_0 machine-to-machine event (`TokenGeneration_ClientCredentials`)
/// has no user, so no groups or attributes: it goes back unchanged. Any other
/// `TokenGeneration_` source this version does not know goes back unchanged with a warning.
pub async fn handler(event: LambdaEvent<Payload>, config: &Config) -> Result<Answer, Failure> {
    let invocation = match trigger_common::parse::<Event>(event.payload)? {
        Incoming::Known(invocation) => invocation,
        Incoming::Unknown { source, event } if source == CLIENT_CREDENTIALS => {
            let client = event
                .get("callerContext")
                .and_then(|context| trigger_common::member(context, "clientId"))
                .and_then(|client| serde_json::from_str::<String>(client.get()).ok())
                .unwrap_or_else(|| "-".to_owned());
            let client = client.escape_debug();
            tracing::info!(
                trigger_source = CLIENT_CREDENTIALS,
                %client,
                "machine-to-machine token: no user, so no group scope, claim or suppression; returned unchanged"
            );
            return Ok(event.unchanged());
        }
        Incoming::Unknown { source, event } => {
            return Ok(trigger_common::pass_through(&source.escape_debug().to_string(), event));
        }
    };
    let header = &invocation.event.cognito_event_user_pools_header;
    let shape = match header.version.as_deref() {
        Some("1") => Shape::V1,
        _ => Shape::V2,
    };
    // `request.scopes` was filled in for the typed copy: the event lacked it.
    let scopes_sent = !invocation.filled;
    let response = {
        let event = &invocation.event;
        let decision = decide(event, config);
        // The sub is the one user identifier logged: never the email, phone or an attribute
        // value. Everything from the event is escaped so that no value can break the line.
        let sub = event.request.user_attributes.get("sub").map_or("-", String::as_str);
        let sub = sub.escape_debug();
        let client = header.caller_context.client_id.as_deref().unwrap_or("-");
        let client = client.escape_debug();
        let version = header.version.as_deref().unwrap_or("-").escape_debug();
        let trigger_source = invocation.source.escape_debug();
        let scopes = &decision.scopes_to_add;
        let withheld = &decision.scopes_withheld;
        let unearned = &decision.scopes_to_suppress;
        let claims: Vec<&str> = decision.claims.keys().copied().collect();
        let missing = &decision.missing_attributes;
        let suppressed = &decision.claims_to_suppress;
        let groups = &event.request.group_configuration;
        match (shape, scopes_sent) {
            (Shape::V2, true) => {
                tracing::info!(%trigger_source, %version, %client, %sub, ?scopes, ?withheld, ?unearned, ?claims, ?missing, ?suppressed, "token claims set");
            }
            (Shape::V2, false) => tracing::warn!(
                %trigger_source, %version, %client, %sub, ?scopes, ?withheld, ?unearned, ?claims, ?missing, ?suppressed,
                "token claims set, though the event has no request.scopes, which V2_0 and V3_0 events carry"
            ),
            (Shape::V1, _) if scopes.is_empty() && withheld.is_empty() => tracing::info!(
                %trigger_source, %version, %client, %sub, ?claims, ?missing, ?suppressed,
                "ID token claims set (V1_0 event: Cognito applies these to the ID token only)"
            ),
            (Shape::V1, _) => {
                let not_applied: BTreeSet<&str> = scopes.union(withheld).copied().collect();
                tracing::warn!(
                    %trigger_source, %version, %client, %sub, ?not_applied, ?claims, ?missing, ?suppressed,
                    "ID token claims set, group scopes not applied: a V1_0 answer cannot change \
                     access-token scopes; wire the trigger with V2_0"
                );
            }
        }
        match shape {
            Shape::V1 => Response::V1(decision.details_v1(groups)),
            Shape::V2 => Response::V2(decision.details(groups)),
        }
    };
    Ok(invocation.reply_with(response))
}
