//! The end-to-end tests' harness: moto's server (`moto`) for the provisioning and deploy
//! tests, and what they share with the commands they test: the process harness (`harness`),
//! the local stack (`local`) and the deploy path (`deploy`), re-exported so that a test
//! names one crate.

pub mod moto;

pub use deploy;
pub use harness::{HarnessError, Port, Server, Tools, free_port, run_to_end, stop_all, wait_until, workspace_root};
pub use local::{self, Stack, Watch, sdk_config};
pub use moto::Moto;
