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

/// The entries of a list variable split at `separator`, each trimmed, empty ones between
/// separators passed over: `None` when the variable is unset or empty.
///
/// A value that is set but holds no entry at all (`","`, `" ; "`, `"   "`) is an error naming the
/// variable: read as an empty list it would silently mean "no restriction" (every domain
/// allowed, none denied), which is never what whoever typed it meant.
pub fn entries(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    separator: char,
    accepted: &'static str,
) -> Result<Option<(String, Vec<String>)>, ConfigError> {
    // Only an exactly empty value means unset here: one of spaces was typed by someone.
    let Some(value) = lookup(name).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    let entries: Vec<String> = value
        .split(separator)
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect();
    if entries.is_empty() {
        return Err(ConfigError::new(
            name,
            value,
            format!("it is set but holds no entry between its `{separator}` separators; unset it for none"),
            accepted,
        ));
    }
    Ok(Some((value, entries)))
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

#[cfg(test)]
mod tests {
    use super::*;

    const ACCEPTED: &str = "comma-separated names";

    #[test]
    fn a_list_that_is_set_but_holds_no_entry_is_an_error_naming_it() {
        for value in [",", " , ", ",,", " ,\t, ", "   "] {
            let error = entries(&lookup_in(&[("NAMES", value)]), "NAMES", ',', ACCEPTED).unwrap_err();
            assert_eq!(error.var, "NAMES", "{value:?}");
            assert!(error.to_string().contains("holds no entry"), "{error}");
        }
    }

    #[test]
    fn an_unset_or_empty_list_is_none_and_entries_are_trimmed() {
        assert_eq!(entries(&lookup_in(&[]), "NAMES", ',', ACCEPTED), Ok(None));
        assert_eq!(entries(&lookup_in(&[("NAMES", "")]), "NAMES", ',', ACCEPTED), Ok(None));
        let (_, names) = entries(&lookup_in(&[("NAMES", " a ,, b ,")]), "NAMES", ',', ACCEPTED)
            .unwrap()
            .unwrap();
        assert_eq!(names, ["a", "b"]);
    }
}
