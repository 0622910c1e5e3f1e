//! What the Cognito trigger functions share: turning a raw invocation payload into a
//! typed event (or the payload as it came, for trigger sources AWS added later),
//! configuration errors that name the variable, masking of personal data for logs, and the
//! log setup that keeps raw events out of the logs.

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
pub use event::{EventError, Incoming, Invocation, Trigger, parse, pass_through};
pub use failure::Failure;
pub use mask::{mask_email, mask_phone};
