//! What the Cognito trigger functions share: turning a raw invocation payload into a
//! typed event (or the payload as it came, for trigger sources AWS added later),
//! configuration errors that name the variable, masking of personal data for logs, and the
//! log setup that keeps raw events out of the logs.
//!
//! [`event`] reads the payload ([`Payload`], [`Incoming`]) and writes the answer ([`Reply`]); [`config`] reads environment variables and
//! names the one that is wrong; [`failure`] is the error a handler returns; [`mask`] masks
//! emails and phone numbers; [`logging`] sets up the log lines (plain or Lambda's JSON);
//! `budget` (feature `aws`) bounds an SDK call by Cognito's 5-second budget; `testing`
//! (feature `testing`) builds Cognito-shaped events for the functions' tests.

#[cfg(feature = "aws")]
pub mod budget;
pub mod config;
pub mod event;
pub mod failure;
pub mod logging;
pub mod mask;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{ConfigError, entries, lookup_in, process_env, var};
pub use event::{EventError, Incoming, Invocation, Payload, Reply, Sent, Trigger, member, parse, pass_through};
pub use failure::Failure;
pub use mask::{mask_email, mask_phone};
/// The functions' derives name it (`#[serde(crate = "trigger_common::serde")]`): one version,
/// the one the intake reads with.
pub use serde;
/// A JSON value kept as its text (serde_json's, with the `raw_value` feature this crate turns on).
pub use serde_json::value::RawValue;
