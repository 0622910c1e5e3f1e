//! `provisioner render`: the same desired state as infrastructure as code. `cloudformation`
//! renders an AWS SAM template (pool, clients, resource servers, domain, groups, the
//! functions built with cargo-lambda, their roles and invoke permissions); `policies` renders
//! the least-privilege IAM policy documents; `properties` holds the pool's and clients' properties
//! (the clients' read from their requests); `monitoring` the metric filters, alarms and
//! dashboard both the template and `cargo xtask deploy` create. The checked-in copies under `infra/` are tested
//! to be current. Values come from [`crate::desired`], never re-derived from the spec.

mod cloudformation;
mod functions;
pub mod monitoring;
mod policies;
mod properties;

pub use cloudformation::{TEMPLATE_RELYING_PARTY_ID_MAX, TemplateError, check_template, cloudformation};
pub use functions::{
    CLIENT_SCOPES, DeployMetadataError, FunctionDeploy, check_together, client_scope_entries, client_scoped_function,
    client_scopes_value, links_users, load_function, workspace_functions,
};
pub use policies::policies;

/// `pre-signup` -> `PreSignup`, for logical ids.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests;
