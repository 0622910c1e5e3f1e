//! The measuring side of `cargo xtask bench` (the orchestration, builds and tools, lives in
//! xtask): `runtime_api` serves the Lambda Runtime API every runtime's client can use,
//! `measure` times cold starts and warm bursts against it, `stats` summarizes, and `report`
//! writes BENCHMARKS.md with each goal checked.

pub mod measure;
pub mod report;
pub mod runtime_api;
pub mod stats;

pub use measure::{Harness, Language, MeasureError, Subject, Warm};
pub use report::Report;
pub use runtime_api::RuntimeApi;
pub use stats::Summary;
