//! The sign-up policy as plain data: which email domains may sign up, which may not, and
//! when to confirm a user without a code. No Lambda, no AWS, no I/O.

use std::fmt;

use trigger_common::{ConfigError, var};

const DOMAIN_LIST_ACCEPTED: &str = "a comma-separated list of domains (`example.com`) or \
     subdomain wildcards (`*.example.com`); unset or empty for none";
const AUTO_CONFIRM_ACCEPTED: &str = "never, allowed, always";

/// When Cognito should confirm a new user without a verification code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoConfirm {
    /// Every user confirms with the code Cognito sends.
    #[default]
    Never,
    /// Users whose email domain is in `ALLOWED_EMAIL_DOMAINS`.
    Allowed,
    /// Every accepted sign-up.
    Always,
}

/// One entry of a domain list, stored in its ASCII (punycode) lowercase form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainPattern {
    /// `example.com`: exactly that domain.
    Exact(String),
    /// `*.example.com`: any subdomain of it, not the domain itself.
    Subdomains(String),
}

impl DomainPattern {
    pub fn parse(entry: &str) -> Result<Self, String> {
        let entry = entry.trim();
        match entry.strip_prefix("*.") {
            Some(parent) => normalize_domain(parent).map(Self::Subdomains),
            None => normalize_domain(entry).map(Self::Exact),
        }
    }

    /// `domain` must already be normalized.
    fn matches(&self, domain: &str) -> bool {
        match self {
            Self::Exact(exact) => domain == exact,
            Self::Subdomains(parent) => domain
                .strip_suffix(parent.as_str())
                .and_then(|head| head.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty()),
        }
    }
}

impl fmt::Display for DomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(domain) => f.write_str(domain),
            Self::Subdomains(parent) => write!(f, "*.{parent}"),
        }
    }
}

/// Lowercase ASCII form of a domain: internationalized names become punycode (UTS #46), so
/// `예시.kr` and `xn--vv4b11d.kr` compare equal.
fn normalize_domain(domain: &str) -> Result<String, String> {
    let domain = domain.trim();
    if domain.is_empty() {
        return Err("the domain is empty".into());
    }
    if domain.contains(['@', '*', '/', ':']) || domain.chars().any(char::is_whitespace) {
        return Err(format!("{domain:?} is not a domain name"));
    }
    let ascii = idna::domain_to_ascii(domain).map_err(|_| format!("{domain:?} is not a valid domain name"))?;
    if ascii.split('.').any(str::is_empty) {
        return Err(format!("{domain:?} has an empty label"));
    }
    Ok(ascii)
}

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Empty means every domain is allowed.
    pub allowed: Vec<DomainPattern>,
    /// Wins over `allowed`.
    pub denied: Vec<DomainPattern>,
    pub auto_confirm: AutoConfirm,
}

/// What happens to an accepted sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Cognito's response goes back as it came: the user confirms with a code.
    Accept,
    /// Confirm the user and mark the email verified.
    AutoConfirm,
}

/// Why a sign-up is refused. The messages reach the person signing up, so they say what to
/// do and never reveal the configured lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("Please sign up with a valid email address.")]
    InvalidEmail,
    #[error("An email address is required to sign up.")]
    EmailRequired,
    #[error("Sign-up with this email domain is not allowed. Please use another email address.")]
    DomainNotAllowed,
}

impl Config {
    /// Reads `ALLOWED_EMAIL_DOMAINS`, `DENIED_EMAIL_DOMAINS` and `AUTO_CONFIRM`.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let allowed = domain_list(&lookup, "ALLOWED_EMAIL_DOMAINS")?;
        let denied = domain_list(&lookup, "DENIED_EMAIL_DOMAINS")?;
        let auto_confirm = match var(&lookup, "AUTO_CONFIRM") {
            None => AutoConfirm::default(),
            Some(value) => match value.to_ascii_lowercase().as_str() {
                "never" => AutoConfirm::Never,
                "allowed" => AutoConfirm::Allowed,
                "always" => AutoConfirm::Always,
                _ => {
                    return Err(ConfigError::new(
                        "AUTO_CONFIRM",
                        value,
                        "unknown mode",
                        AUTO_CONFIRM_ACCEPTED,
                    ));
                }
            },
        };
        if auto_confirm == AutoConfirm::Allowed && allowed.is_empty() {
            return Err(ConfigError::new(
                "AUTO_CONFIRM",
                "allowed",
                "`allowed` confirms users of ALLOWED_EMAIL_DOMAINS, which is not set, so it would \
                 never confirm anyone",
                AUTO_CONFIRM_ACCEPTED,
            ));
        }
        Ok(Self {
            allowed,
            denied,
            auto_confirm,
        })
    }

    /// Decides on a sign-up from its `email` attribute, if it has one.
    pub fn decide(&self, email: Option<&str>) -> Result<Decision, Rejection> {
        let Some(email) = email else {
            // Without an email there is no domain to check: refuse only when the pool is
            // restricted to some domains.
            return if self.allowed.is_empty() {
                Ok(Decision::Accept)
            } else {
                Err(Rejection::EmailRequired)
            };
        };
        let domain = email_domain(email).ok_or(Rejection::InvalidEmail)?;
        if self.denied.iter().any(|pattern| pattern.matches(&domain)) {
            return Err(Rejection::DomainNotAllowed);
        }
        let in_allowed = self.allowed.iter().any(|pattern| pattern.matches(&domain));
        if !self.allowed.is_empty() && !in_allowed {
            return Err(Rejection::DomainNotAllowed);
        }
        let confirm = match self.auto_confirm {
            AutoConfirm::Never => false,
            AutoConfirm::Allowed => in_allowed,
            AutoConfirm::Always => true,
        };
        Ok(if confirm {
            Decision::AutoConfirm
        } else {
            Decision::Accept
        })
    }
}

/// The normalized domain of an email with exactly one `@` and non-empty parts.
fn email_domain(email: &str) -> Option<String> {
    let (local, domain) = email.trim().split_once('@')?;
    if local.is_empty() || domain.contains('@') {
        return None;
    }
    normalize_domain(domain).ok()
}

fn domain_list(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<DomainPattern>, ConfigError> {
    let Some(value) = var(lookup, name) else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            DomainPattern::parse(entry)
                .map_err(|problem| ConfigError::new(name, value.clone(), problem, DOMAIN_LIST_ACCEPTED))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trigger_common::lookup_in;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_env(lookup_in(vars))
    }

    fn decide(vars: &[(&str, &str)], email: Option<&str>) -> Result<Decision, Rejection> {
        config(vars).unwrap().decide(email)
    }

    #[test]
    fn no_lists_allow_every_valid_email() {
        assert_eq!(decide(&[], Some("a@anything.org")), Ok(Decision::Accept));
    }

    #[test]
    fn exact_entry_matches_only_that_domain() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "example.com")];
        assert_eq!(decide(&vars, Some("a@example.com")), Ok(Decision::Accept));
        for other in ["a@sub.example.com", "a@badexample.com", "a@example.com.evil.io"] {
            assert_eq!(decide(&vars, Some(other)), Err(Rejection::DomainNotAllowed), "{other}");
        }
    }

    #[test]
    fn wildcard_entry_matches_subdomains_only() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "*.example.com")];
        assert_eq!(decide(&vars, Some("a@eng.example.com")), Ok(Decision::Accept));
        assert_eq!(decide(&vars, Some("a@x.eng.example.com")), Ok(Decision::Accept));
        assert_eq!(decide(&vars, Some("a@example.com")), Err(Rejection::DomainNotAllowed));
        assert_eq!(
            decide(&vars, Some("a@badexample.com")),
            Err(Rejection::DomainNotAllowed)
        );
    }

    #[test]
    fn deny_wins_over_allow() {
        let vars = [
            ("ALLOWED_EMAIL_DOMAINS", "*.example.com"),
            ("DENIED_EMAIL_DOMAINS", "contractors.example.com"),
        ];
        assert_eq!(decide(&vars, Some("a@eng.example.com")), Ok(Decision::Accept));
        assert_eq!(
            decide(&vars, Some("a@contractors.example.com")),
            Err(Rejection::DomainNotAllowed)
        );
    }

    #[test]
    fn deny_alone_blocks_only_its_domains() {
        let vars = [("DENIED_EMAIL_DOMAINS", "mailinator.com, *.tempmail.dev")];
        assert_eq!(decide(&vars, Some("a@example.com")), Ok(Decision::Accept));
        assert_eq!(
            decide(&vars, Some("a@mailinator.com")),
            Err(Rejection::DomainNotAllowed)
        );
        assert_eq!(
            decide(&vars, Some("a@x.tempmail.dev")),
            Err(Rejection::DomainNotAllowed)
        );
    }

    #[test]
    fn matching_ignores_case_and_whitespace() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "  Example.COM , *.Corp.Example.org ")];
        assert_eq!(decide(&vars, Some("  A@EXAMPLE.com ")), Ok(Decision::Accept));
        assert_eq!(decide(&vars, Some("a@HQ.corp.example.ORG")), Ok(Decision::Accept));
    }

    #[test]
    fn internationalized_domains_match_their_punycode() {
        let unicode = [("ALLOWED_EMAIL_DOMAINS", "예시.kr")];
        assert_eq!(decide(&unicode, Some("a@xn--vv4b11d.kr")), Ok(Decision::Accept));
        let punycode = [("ALLOWED_EMAIL_DOMAINS", "xn--vv4b11d.kr")];
        assert_eq!(decide(&punycode, Some("a@예시.kr")), Ok(Decision::Accept));
        let wildcard = [("ALLOWED_EMAIL_DOMAINS", "*.예시.kr")];
        assert_eq!(decide(&wildcard, Some("a@mail.xn--vv4b11d.kr")), Ok(Decision::Accept));
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for email in [
            "",
            "no-at-sign",
            "two@@example.com",
            "a@b@example.com",
            "@example.com",
            "a@",
            "a@exa mple.com",
            "a@.com",
        ] {
            assert_eq!(decide(&[], Some(email)), Err(Rejection::InvalidEmail), "{email:?}");
        }
    }

    #[test]
    fn missing_email_is_rejected_only_when_an_allow_list_is_set() {
        assert_eq!(decide(&[], None), Ok(Decision::Accept));
        assert_eq!(
            decide(&[("AUTO_CONFIRM", "always")], None),
            Ok(Decision::Accept),
            "no email: the response goes back as it came"
        );
        assert_eq!(
            decide(&[("ALLOWED_EMAIL_DOMAINS", "example.com")], None),
            Err(Rejection::EmailRequired)
        );
    }

    #[test]
    fn auto_confirm_modes() {
        let allowed = [("ALLOWED_EMAIL_DOMAINS", "example.com"), ("AUTO_CONFIRM", "allowed")];
        assert_eq!(decide(&allowed, Some("a@example.com")), Ok(Decision::AutoConfirm));
        let always = [("AUTO_CONFIRM", "always")];
        assert_eq!(decide(&always, Some("a@any.org")), Ok(Decision::AutoConfirm));
        let never = [("ALLOWED_EMAIL_DOMAINS", "example.com")];
        assert_eq!(decide(&never, Some("a@example.com")), Ok(Decision::Accept));
        let denied_always = [("AUTO_CONFIRM", "always"), ("DENIED_EMAIL_DOMAINS", "bad.com")];
        assert_eq!(
            decide(&denied_always, Some("a@bad.com")),
            Err(Rejection::DomainNotAllowed)
        );
    }

    #[test]
    fn rejection_messages_do_not_reveal_the_lists() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "secret-partner.com")];
        let message = decide(&vars, Some("a@other.com")).unwrap_err().to_string();
        assert!(!message.contains("secret-partner"), "{message}");
    }

    #[test]
    fn bad_configuration_names_the_variable_and_accepted_values() {
        let err = config(&[("AUTO_CONFIRM", "sometimes")]).unwrap_err();
        assert_eq!(err.var, "AUTO_CONFIRM");
        assert!(err.to_string().contains("never, allowed, always"), "{err}");

        let err = config(&[("ALLOWED_EMAIL_DOMAINS", "example.com, a@b.com")]).unwrap_err();
        assert_eq!(err.var, "ALLOWED_EMAIL_DOMAINS");
        assert!(err.to_string().contains("*.example.com"), "{err}");

        let err = config(&[("DENIED_EMAIL_DOMAINS", "*.")]).unwrap_err();
        assert_eq!(err.var, "DENIED_EMAIL_DOMAINS");

        let err = config(&[("AUTO_CONFIRM", "allowed")]).unwrap_err();
        assert!(err.to_string().contains("ALLOWED_EMAIL_DOMAINS"), "{err}");
    }

    #[test]
    fn empty_values_mean_unset() {
        assert_eq!(
            config(&[("ALLOWED_EMAIL_DOMAINS", "  "), ("AUTO_CONFIRM", "")]).unwrap(),
            Config::default()
        );
    }
}
