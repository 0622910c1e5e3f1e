//! The sign-up decision as plain data: which domains may sign up, which may not, and when
//! to confirm a user (and mark the email verified) without a code. No Lambda, no AWS, no
//! I/O. What is well formed is [`crate::address`]'s; what is configured, [`crate::config`]'s.

use crate::address::{Malformed, email_domain};
use crate::config::{AutoConfirm, Config, LinkExternalUsers};

/// Where a sign-up comes from, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// PreSignUp_SignUp: the pool's own sign-up, every attribute chosen by whoever signs up.
    SignUp,
    /// PreSignUp_AdminCreateUser: an administrator (or whoever holds their credentials)
    /// creates the user.
    AdminCreateUser,
    /// PreSignUp_ExternalProvider: the attributes are what the identity provider asserted.
    External,
    /// A `PreSignUp_*` source AWS added later: the lists apply, auto-confirm never does.
    Unknown,
}

/// What the policy reads from a sign-up event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignUp<'a> {
    pub source: Source,
    /// The `email` attribute, if the event has one.
    pub email: Option<&'a str>,
    /// The `email_verified` attribute as it came: an identity provider (or an admin) saying
    /// whether the address was proven.
    pub email_verified: Option<&'a str>,
}

/// What happens to an accepted sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Cognito's response goes back as it came: the user confirms with a code.
    Accept,
    /// Confirm the user; mark the email verified only when the event's own word allows it
    /// (see [`Config::decide`]).
    AutoConfirm { verify_email: bool },
}

/// Why a sign-up is refused. The messages reach the person signing up, so they say what to
/// do and never reveal the configured lists or what exactly was wrong with an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("Please sign up with a valid email address.")]
    InvalidEmail(Malformed),
    #[error("An email address is required to sign up.")]
    EmailRequired,
    #[error("Sign-up with this email domain is not allowed. Please use another email address.")]
    DomainNotAllowed,
}

impl Config {
    /// Decides on a sign-up.
    ///
    /// Auto-confirm marks the email verified only on the event's word: a self sign-up's
    /// address counts as verified unless the event says otherwise (the operator chose
    /// auto-confirm for a sign-up only trusted people reach); an administrator's
    /// AdminCreateUser only when they sent `email_verified=true`; a federated one's only
    /// when the provider said exactly `true` (any case), since a provider that says nothing
    /// has proven nothing.
    ///
    /// With linking on, a native sign-up is never marked verified: a verified native user
    /// is what a provider's identity is linked into, so its address must have been proven
    /// with Cognito's code, not claimed by whoever signed up (an account pre-takeover).
    pub fn decide(&self, sign_up: &SignUp<'_>) -> Result<Decision, Rejection> {
        let Some(email) = sign_up.email else {
            // Without an email there is no domain to check: refuse only when the pool is
            // restricted to some domains.
            return if self.allowed.is_empty() {
                Ok(Decision::Accept)
            } else {
                Err(Rejection::EmailRequired)
            };
        };
        let domain = email_domain(email).map_err(Rejection::InvalidEmail)?;
        if self.denied.iter().any(|pattern| pattern.matches(&domain)) {
            return Err(Rejection::DomainNotAllowed);
        }
        let in_allowed = self.allowed.iter().any(|pattern| pattern.matches(&domain));
        if !self.allowed.is_empty() && !in_allowed {
            return Err(Rejection::DomainNotAllowed);
        }
        let confirm = match (sign_up.source, self.auto_confirm) {
            (Source::Unknown, _)
            | (Source::SignUp | Source::AdminCreateUser | Source::External, AutoConfirm::Never) => false,
            (Source::SignUp | Source::AdminCreateUser | Source::External, AutoConfirm::Allowed) => in_allowed,
            (Source::SignUp | Source::AdminCreateUser | Source::External, AutoConfirm::Always) => true,
        };
        if !confirm {
            return Ok(Decision::Accept);
        }
        let linking = match self.link_external_users {
            LinkExternalUsers::Verified => true,
            LinkExternalUsers::Never => false,
        };
        let verify_email = match sign_up.source {
            Source::SignUp | Source::AdminCreateUser if linking => false,
            // The operator's choice of `allowed` or `always` for a sign-up page only trusted
            // people reach (the README says when that fits).
            Source::SignUp => sign_up
                .email_verified
                .is_none_or(|verified| verified.trim().eq_ignore_ascii_case("true")),
            // Only the administrator's own `email_verified=true` counts, never a missing one.
            Source::AdminCreateUser => provider_verified(sign_up.email_verified),
            Source::External => provider_verified(sign_up.email_verified),
            Source::Unknown => false,
        };
        Ok(Decision::AutoConfirm { verify_email })
    }
}

/// Whether an identity provider asserted the address verified: `email_verified` is exactly
/// `true` in any case, nothing around it. Missing (the provider has no such claim, or the
/// pool does not map it) or anything else is not.
pub fn provider_verified(email_verified: Option<&str>) -> bool {
    email_verified.is_some_and(|verified| verified.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests;
