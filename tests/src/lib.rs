//! The end-to-end tests' harness: what they share with the commands they test, re-exported so
//! that a test names one crate: the process harness and moto's server (`harness`, with its
//! `moto` feature), the local stack (`local`) and the deploy path (`deploy`).

pub use deploy;
pub use harness::moto::{self, Moto};
pub use harness::{
    HarnessError, Port, Server, Tools, cargo, free_port, run_to_end, stop_all, wait_until, workspace_root,
};
pub use local::{self, Stack, Watch, sdk_config};
