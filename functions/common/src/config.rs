//! Configuration errors shared by the functions. Each function reads its environment once
//! at cold start through a lookup function, so tests can pass a map instead of touching the
//! process environment.

use std::fmt;

/// A bad environment variable: the function refuses to start and says which one and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {var}={value:?}: {problem}; accepted: {accepted}")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub problem: String,
    pub accepted: &'static str,
}

impl ConfigError {
    pub fn new(
        var: &'static str,
        value: impl Into<String>,
        problem: impl fmt::Display,
        accepted: &'static str,
    ) -> Self {
        Self {
            var,
            value: value.into(),
            problem: problem.to_string(),
            accepted,
        }
    }
}

/// Reads a variable from the process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

/// Reads `name` through `lookup`, trimmed. Unset and empty both mean "not set", which is how
/// the Lambda console leaves a variable a user cleared.
pub fn var(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    let value = lookup(name)?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A lookup over fixed pairs, for tests and tools that configure a function without the
/// process environment.
pub fn lookup_in(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}
