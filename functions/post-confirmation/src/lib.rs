//! The PostConfirmation trigger: a user who just confirmed their sign-up joins the default
//! group. A confirmed password reset changes nothing.
//!
//! [`Config::decide`] is the decision over plain data; [`groups`] holds the one side effect behind a
//! trait (the SDK in production, a fake or a mocked client in tests); [`handler`] is the glue.

pub mod groups;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPostConfirmationResponse,
    CognitoEventUserPoolsPostConfirmationTriggerSource as Source,
};
use lambda_runtime::{LambdaEvent, tracing};
use trigger_common::{ConfigError, Failure, Incoming, Payload, Reply, mask_email, mask_phone, var};

pub use groups::{CognitoGroups, GroupError, GroupMembership, LazyGroups};

/// What the function answers: the event as it came, with its response.
pub type Answer = Reply<CognitoEventUserPoolsPostConfirmationResponse>;

/// The marker on the log line of a user who was confirmed but not added to the group: an
/// alarm (a CloudWatch metric filter) matches it, and the README says how to repair the user.
pub const ALARM: &str = "POST_CONFIRMATION_GROUP_ADD_FAILED";

/// What the person signing up reads when the group call failed (Cognito shows it as
/// `PostConfirmation failed with error <message>.`): their account exists, nothing about
/// how it is set up.
pub const UNFINISHED: &str = "Your account is confirmed, but setting it up did not finish; please contact support.";

const GROUP_ACCEPTED: &str = "a Cognito group name: 1 to 128 characters, no spaces or control \
     characters; unset to add no group";

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The group a newly confirmed user joins; `None` adds no group.
    pub default_group: Option<String>,
}

impl Config {
    /// Reads `DEFAULT_GROUP`.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let default_group = var(&lookup, "DEFAULT_GROUP");
        if let Some(group) = &default_group {
            // Cognito's GroupName: 1-128 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}]+.
            let length = group.chars().count();
            if length > 128 || group.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ConfigError::new(
                    "DEFAULT_GROUP",
                    group.clone(),
                    format!("not a valid group name ({length} characters)"),
                    GROUP_ACCEPTED,
                ));
            }
        }
        Ok(Self { default_group })
    }

    /// What to do for a confirmation of kind `source`.
    pub fn decide(&self, source: &Source) -> Action<'_> {
        match (source, &self.default_group) {
            (Source::ConfirmSignUp, Some(group)) => Action::AddToGroup(group),
            _ => Action::Nothing,
        }
    }
}

/// The side effect a confirmation calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    AddToGroup(&'a str),
    Nothing,
}

/// Handles one invocation: performs the action, then returns the whole event. Cognito may
/// retry an invocation; adding a user to a group they are already in succeeds, so a retry
/// is harmless. When the group call fails (after the retries in [`groups`]), the person
/// gets [`UNFINISHED`] and the log gets everything else, marked with [`ALARM`].
pub async fn handler(
    event: LambdaEvent<Payload>,
    config: &Config,
    groups: &impl GroupMembership,
) -> Result<Answer, Failure> {
    let invocation = match trigger_common::parse::<CognitoEventUserPoolsPostConfirmation>(event.payload)? {
        Incoming::Known(invocation) => invocation,
        Incoming::Unknown { source, event } => return Ok(trigger_common::pass_through(&source, event)),
    };
    let header = &invocation.event.cognito_event_user_pools_header;
    let source = &invocation.source;
    let user = header.user_name.as_deref().unwrap_or_default();
    let user_masked = mask_user_name(user);
    // The id an operator repairs the user by; never an email.
    let sub = invocation
        .event
        .request
        .user_attributes
        .get("sub")
        .map_or("-", String::as_str);
    let action = header
        .trigger_source
        .as_ref()
        .map_or(Action::Nothing, |kind| config.decide(kind));
    if let Action::AddToGroup(group) = action {
        let (Some(pool), Some(user)) = (header.user_pool_id.as_deref(), header.user_name.as_deref()) else {
            tracing::error!(
                error_type = "InvalidEvent", trigger_source = %source, sub,
                reason = "the event has no userPoolId or userName", "event refused"
            );
            return Err(Failure::new(
                "InvalidEvent",
                format!("the {source} event has no userPoolId or userName, so the user cannot be added to {group:?}"),
            ));
        };
        if let Err(error) = groups.add_user_to_group(pool, user, group).await {
            // AWS's text and ours carry the pool id from the event: escaped like the rest.
            let error = error.to_string();
            tracing::error!(
                alarm = ALARM, trigger_source = %source, sub, user = %user_masked, user_pool_id = pool, group,
                error = %error.escape_debug(),
                "the user is confirmed but not in the group; add them by hand"
            );
            return Err(Failure::new("AddToGroupFailed", UNFINISHED));
        }
    }
    tracing::info!(trigger_source = %source, sub, user = %user_masked, ?action, "confirmation handled");
    Ok(invocation.reply())
}

/// A user name as the log shows it. With email or phone sign-in Cognito's user name is an
/// opaque id, but where people choose their user name it can be their email or phone
/// number, which are masked like the attributes. Whatever is shown is escaped (line breaks,
/// control and invisible characters, quotes), so a user name cannot start a log line of its
/// own or forge the `alarm="…"` field an alarm matches.
fn mask_user_name(user: &str) -> String {
    let phone_like = user.bytes().filter(u8::is_ascii_digit).count() >= 5
        && user
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' ' | b'(' | b')' | b'.'));
    if user.contains('@') {
        mask_email(user)
    } else if phone_like {
        mask_phone(user)
    } else {
        user.escape_debug().to_string()
    }
}
