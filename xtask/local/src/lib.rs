//! `cargo xtask local`: the local stack and the demo. The stack (`stack`) is cognito-local
//! (`cognito_local`), the functions under `cargo lambda watch` (`watch`) and the local
//! stand-in for Google (`google`) on loopback ports, provisioned from cognito.toml; the demo
//! (`demo`) runs the sign-up and hosted-login flow (`flow`) on it. The binary (`main.rs`) is the command; the end-to-end
//! tests start the same stack through this library.

pub mod app;
pub mod cognito_local;
pub mod demo;
pub mod flow;
pub mod google;
pub mod stack;
pub mod watch;

pub use stack::{Stack, StackError, sdk_config};
pub use watch::{Progress, Watch};
