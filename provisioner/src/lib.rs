//! The provisioner: turns `cognito.toml` into a user pool, app client, hosted-UI domain,
//! groups and trigger wiring, and keeps them converged.
//!
//! `spec` parses and validates the file (no AWS); `plan` computes the changes as a pure
//! function of the spec and what exists; `aws` reads what exists and executes a plan;
//! `outputs` derives the values an app needs.

pub mod aws;
pub mod outputs;
pub mod plan;
pub mod render;
pub mod spec;
