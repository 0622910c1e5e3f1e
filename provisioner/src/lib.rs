//! The provisioner: turns `cognito.toml` into a user pool, its app clients, resource servers,
//! hosted-UI domain, groups and trigger wiring, and keeps them converged.
//!
//! Follow one setting from the file to its AWS call by module, `[client] callback_urls` for
//! example:
//! - [`spec`] parses and validates the file, one module per table (`spec::clients`), into
//! - [`desired`], the desired state: a type per resource that says what each setting means in
//!   AWS terms and builds the requests ([`desired::client`]: `callback_urls` becomes the
//!   requests' `CallbackURLs`, the one place it is spelled for AWS), built from the spec and,
//!   the same way, from what AWS reports ([`observed`]);
//! - [`plan`] diffs desired against observed into changes ([`plan::change`]), each carrying
//!   its request, or refuses ([`plan::refusal`]);
//! - [`aws`] reads what exists ([`aws::observe`]), sends a plan's requests as they are
//!   ([`aws::apply`]) and destroys ([`aws::destroy`]);
//! - [`converge`](mod@converge) is observe, plan, apply in one call, for every caller;
//! - [`saved`] keeps a plan in a file (`plan --out`) and refuses it once the spec or AWS moved;
//! - [`render`] writes the same requests as a SAM template, and the IAM policies.
//!
//! And what each other command does, one entry point each (the binary's `commands/` call
//! them): [`outputs`] derives the values an app needs; [`login`] signs in through the hosted
//! UI; [`import`] goes the other way, a live pool (read by `aws::import`) as a desired
//! state, written as cognito.toml by [`spec::write`]; [`checkup`] runs [`doctor`], which
//! judges a live pool for the traps that break sign-up and sign-in (reads in
//! `aws::doctor`); [`destroy`] asks for the pool's name before [`aws::destroy`]; [`lookup`]
//! finds the pool the spec names, with the one "no user pool is named" error.

pub mod aws;
pub mod checkup;
pub mod converge;
pub mod desired;
pub mod destroy;
pub mod doctor;
pub mod import;
pub mod login;
pub mod lookup;
pub mod observed;
pub mod outputs;
pub mod plan;
pub mod render;
pub mod saved;
pub mod spec;

pub use converge::{Converged, Live, Mode, converge};
