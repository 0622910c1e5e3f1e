//! The measuring side of `cargo xtask bench` (the orchestration, builds and tools, lives in
//! xtask): [`runtime_api`] serves the Lambda Runtime API every runtime's client can use,
//! [`measure`] times cold starts and warm bursts against it, [`stats`] summarizes, and
//! [`report`] writes BENCHMARKS.md with each goal checked.

pub mod measure;
pub mod report;
pub mod runtime_api;
pub mod stats;

pub use measure::{Harness, Language, MeasureError, Subject, Warm, owned_env};

/// The pre-signup configuration the same-work comparison runs with, in every language: an
/// allow list with a wildcard, a deny list, and auto-confirmation of allowed domains.
pub const PRE_SIGNUP_POLICY: [(&str, &str); 3] = [
    ("ALLOWED_EMAIL_DOMAINS", "example.com, *.example.org"),
    ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
    ("AUTO_CONFIRM", "allowed"),
];
pub use report::Report;
pub use runtime_api::RuntimeApi;
pub use stats::Summary;
