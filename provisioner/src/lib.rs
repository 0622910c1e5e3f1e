//! The provisioner: turns `cognito.toml` into a user pool, its app clients, resource servers,
//! hosted-UI domain, groups and trigger wiring, and keeps them converged.
//!
//! Follow one setting from the file to its AWS call by module:
//! - `spec` parses and validates the file (one module per table) into
//! - `desired`, the desired state: a type per resource that says what each setting means in
//!   AWS terms, built from the spec and, the same way, from what AWS reports (`observed`);
//! - `plan` diffs desired against observed into changes, each carrying its request;
//! - `aws` reads what exists (`observe`), sends a plan's requests (`apply`) and `destroy`s;
//! - `converge` is observe, plan, apply in one call, for every caller;
//! - `saved` keeps a plan in a file (`plan --out`) and refuses it once the spec or AWS moved;
//! - `render` prints the same desired state as a SAM template and IAM policies;
//! - `outputs` derives the values an app needs; `login` signs in through the hosted UI;
//! - `import` goes the other way: a live pool (read by `aws::read_pool`) as a desired state,
//!   written as cognito.toml by `spec::write`;
//! - `doctor` judges a live pool for the traps that break sign-up and sign-in (reads in
//!   `aws::doctor`).

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
