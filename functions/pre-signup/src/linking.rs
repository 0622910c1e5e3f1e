//! Account linking (`LINK_EXTERNAL_USERS=verified`) as decisions over plain data: which
//! native user a federated sign-up is linked to, which provider an address already signs in
//! with, and the ListUsers filter for an address ([`crate::identity`] reads the provider and
//! subject from the user name). The two Cognito calls sit
//! behind [`Directory`]; `cognito` holds the SDK implementation and its time budget.
//!
//! Linking hands an existing account to whoever a provider vouches for, so it acts only for
//! the providers the operator trusts (`LINK_TRUSTED_PROVIDERS`), and only into an enabled,
//! confirmed user whose address Cognito marked verified.

use std::future::Future;

use serde_json::Value;

use crate::identity::{ExternalIdentity, SOCIAL, trusted_provider};

/// ListUsers returns at most this many users per page, which is also its largest `Limit`.
pub const LIST_LIMIT: i32 = 60;

/// A user's status as ListUsers gives it (`UserStatus`, AWS's UserStatusType).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unconfirmed,
    Confirmed,
    Archived,
    Compromised,
    Unknown,
    /// An administrator asked for a password reset: the account is not the person's until
    /// they prove the address again.
    ResetRequired,
    ForceChangePassword,
    /// The user exists only through an identity provider.
    ExternalProvider,
    /// A status AWS added after this version, or none.
    Other,
}

impl Status {
    pub fn origin(self) -> Origin {
        match self {
            Self::ExternalProvider => Origin::External,
            Self::Unconfirmed
            | Self::Confirmed
            | Self::Archived
            | Self::Compromised
            | Self::Unknown
            | Self::ResetRequired
            | Self::ForceChangePassword
            | Self::Other => Origin::Native,
        }
    }
}

/// Where a user of the pool comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Signed up in the pool or created by an administrator (any status but
    /// `EXTERNAL_PROVIDER`); may have provider identities linked to it.
    Native,
    /// Exists only through an identity provider (status `EXTERNAL_PROVIDER`).
    External,
}

/// A user of the pool as ListUsers returns it, reduced to what linking reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUser {
    pub username: String,
    pub status: Status,
    /// `Enabled`: false for a user an administrator disabled (and for an answer without it).
    pub enabled: bool,
    pub attributes: Vec<(String, String)>,
}

impl PoolUser {
    pub fn origin(&self) -> Origin {
        self.status.origin()
    }

    /// Whether a provider's identity may be linked into this user: a native user that is
    /// enabled and confirmed (not disabled, not waiting for a password reset or its first
    /// sign-in) and holds `email` verified.
    fn link_target_for(&self, email: &str) -> bool {
        self.status == Status::Confirmed && self.enabled && self.holds_verified(email)
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether this user holds `email`, verified by Cognito (or by a provider, for a user
    /// that came from one).
    fn holds_verified(&self, email: &str) -> bool {
        self.holds(email)
            && self
                .attribute("email_verified")
                .is_some_and(|verified| verified.eq_ignore_ascii_case("true"))
    }

    /// Whether this user's `email` is `email`. ListUsers already matched it; this guards
    /// against a server that matched more loosely. Only ASCII letters compare without
    /// case, so no Unicode folding makes two different addresses one.
    fn holds(&self, email: &str) -> bool {
        self.attribute("email")
            .is_some_and(|held| held.eq_ignore_ascii_case(email))
    }

    /// Whether this user (of a provider) comes from one of `trusted`: its `identities` name
    /// the provider exactly, or, without them, its user name starts with one.
    fn signs_in_with_one_of(&self, trusted: &[String]) -> bool {
        let identities = self.identities();
        if identities.is_empty() {
            return trusted_provider(&self.username, trusted).is_some();
        }
        identities
            .iter()
            .all(|(provider, _)| trusted.iter().any(|name| name == provider))
    }

    /// The provider identities linked to this user (`identities`, which Cognito writes),
    /// as (provider name, subject) pairs.
    fn identities(&self) -> Vec<(String, String)> {
        let Some(Ok(Value::Array(entries))) = self.attribute("identities").map(serde_json::from_str::<Value>) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|entry| {
                let provider = entry.get("providerName")?.as_str()?;
                let subject = entry.get("userId")?.as_str().unwrap_or_default();
                Some((provider.to_owned(), subject.to_owned()))
            })
            .collect()
    }
}

/// The native users a federated sign-up with `email` could be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// No native user holds the address verified: nothing to link to.
    None,
    One(&'a PoolUser),
    /// Several do (a pool where the address is no alias allows it): which one is the person
    /// is not for this function to guess.
    Several(usize),
}

/// The native user holding `email`, verified, among `users`: enabled and confirmed, so never
/// a user an administrator disabled or sent to reset their password, nor one that has not
/// finished signing up.
pub fn link_target<'a>(users: &'a [PoolUser], email: &str) -> Target<'a> {
    let mut eligible = users
        .iter()
        .filter(|user| user.origin() == Origin::Native && user.link_target_for(email));
    match (eligible.next(), eligible.count()) {
        (None, _) => Target::None,
        (Some(user), 0) => Target::One(user),
        (Some(_), others) => Target::Several(others + 1),
    }
}

/// Whether `identity` is already linked to `user`: Cognito invoked the trigger again for a
/// sign-in whose link was made the first time.
pub fn already_linked(user: &PoolUser, identity: &ExternalIdentity) -> bool {
    user.identities()
        .iter()
        .any(|(provider, subject)| *provider == identity.provider && *subject == identity.subject)
}

/// The user through whom `email` already signs in, if it does so only through a trusted
/// identity provider: no native user holds the address, and a user of a provider in
/// `trusted` holds it verified. (Neither an unverified claim nor an untrusted provider's
/// counts: whoever runs a provider that does not check addresses could otherwise lock a
/// stranger's address out of signing up, and send them to that provider.)
pub fn provider_only<'a>(users: &'a [PoolUser], email: &str, trusted: &[String]) -> Option<&'a PoolUser> {
    if users
        .iter()
        .any(|user| user.origin() == Origin::Native && user.holds(email))
    {
        return None;
    }
    users.iter().find(|user| {
        user.origin() == Origin::External && user.holds_verified(email) && user.signs_in_with_one_of(trusted)
    })
}

/// The provider `user` signs in with, as the person signing up may read it: from
/// `identities` (exact case) or else the trusted provider its user name starts with, a social provider by the name
/// people know it by (`SignInWithApple` is "Apple"). `None` when it is not a plain name
/// (letters, digits, spaces, dots, hyphens and underscores, 1 to 32 characters), so nothing but a
/// provider's name reaches the message.
pub fn provider_to_show(user: &PoolUser, trusted: &[String]) -> Option<String> {
    let name = match user.identities().into_iter().next() {
        Some((provider, _)) => provider,
        None => trusted_provider(&user.username, trusted)?.to_owned(),
    };
    if let Some((_, shown)) = SOCIAL.iter().find(|(social, _)| social.eq_ignore_ascii_case(&name)) {
        return Some((*shown).to_owned());
    }
    let plain = (1..=32).contains(&name.chars().count())
        && name.trim() == name
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'));
    plain.then_some(name)
}

/// Why an address cannot be searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("it holds a backslash or a control character, which a ListUsers filter cannot carry")]
    Unfilterable,
}

/// The ListUsers filter for users whose `email` is `email`: `email = "<email>"`, with `"`
/// escaped as `\"` (AWS's documented escape). The pre-signup policy has already refused
/// addresses holding quotes, backslashes or control characters; a backslash is refused here
/// too, since AWS documents no escape for it.
pub fn email_filter(email: &str) -> Result<String, FilterError> {
    if email.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(FilterError::Unfilterable);
    }
    Ok(format!("email = \"{}\"", email.replace('"', "\\\"")))
}

/// Why a Cognito call did not answer: for the operator's log, never for the person signing
/// up (AWS's text may carry the account id and the role's ARN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("the address cannot be searched for: {0}")]
    Filter(#[from] FilterError),
    #[error("more than {LIST_LIMIT} users hold this address (ListUsers answered with another page)")]
    TooMany,
    /// After the retries the call called for: AWS's code and message in full.
    #[error("{operation} failed: {message}")]
    Service { operation: &'static str, message: String },
}

/// The two Cognito calls linking makes.
pub trait Directory {
    /// The users of `user_pool_id` whose `email` is `email` (ListUsers with an `email =`
    /// filter, one page).
    fn users_with_email(
        &self,
        user_pool_id: &str,
        email: &str,
    ) -> impl Future<Output = Result<Vec<PoolUser>, DirectoryError>> + Send;

    /// Links `identity` to the native user `username` (AdminLinkProviderForUser), so a
    /// sign-in with it lands on that user.
    fn link(
        &self,
        user_pool_id: &str,
        username: &str,
        identity: &ExternalIdentity,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;
}

/// What the handler links with: nothing (`LINK_EXTERNAL_USERS=never`, no client built) or a
/// directory.
#[derive(Debug, Clone)]
pub enum Linking<D> {
    Off,
    Verified(D),
}

/// The directory of a function that never links: it has no value, so no call can be made
/// through it.
#[derive(Debug, Clone, Copy)]
pub enum NoDirectory {}

impl Linking<NoDirectory> {
    /// No linking, for callers that have no directory type at hand.
    pub const OFF: Self = Self::Off;
}

impl Directory for NoDirectory {
    async fn users_with_email(&self, _: &str, _: &str) -> Result<Vec<PoolUser>, DirectoryError> {
        match *self {}
    }

    async fn link(&self, _: &str, _: &str, _: &ExternalIdentity) -> Result<(), DirectoryError> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::tests::{identity, trusted};
    use proptest::prelude::*;

    fn user(username: &str, origin: Origin, attributes: &[(&str, &str)]) -> PoolUser {
        let status = match origin {
            Origin::Native => Status::Confirmed,
            Origin::External => Status::ExternalProvider,
        };
        PoolUser {
            username: username.into(),
            status,
            enabled: true,
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    const EMAIL: &str = "kim.minji@example.com";

    fn native(verified: &str) -> PoolUser {
        user(
            "0a1b2c3d-native",
            Origin::Native,
            &[
                ("email", EMAIL),
                ("email_verified", verified),
                ("sub", "0a1b2c3d-native"),
            ],
        )
    }

    fn google_user(verified: &str) -> PoolUser {
        user(
            "google_108374651093847561029",
            Origin::External,
            &[
                ("email", EMAIL),
                ("email_verified", verified),
                (
                    "identities",
                    r#"[{"userId":"108374651093847561029","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1700000000000}]"#,
                ),
            ],
        )
    }

    #[test]
    fn only_a_native_user_holding_the_address_verified_is_a_target() {
        let users = [google_user("true"), native("true")];
        assert_eq!(link_target(&users, EMAIL), Target::One(&users[1]));
        assert_eq!(
            link_target(&users, "KIM.MINJI@EXAMPLE.COM"),
            Target::One(&users[1]),
            "ASCII case is no difference"
        );
        assert_eq!(link_target(&[native("false")], EMAIL), Target::None);
        assert_eq!(link_target(&[google_user("true")], EMAIL), Target::None);
        assert_eq!(link_target(&[], EMAIL), Target::None);
        let other = user(
            "other",
            Origin::Native,
            &[("email", "kim.minji@example.org"), ("email_verified", "true")],
        );
        assert_eq!(link_target(&[other], EMAIL), Target::None, "a looser server's match");
        assert_eq!(
            link_target(&[native("true"), native("true")], EMAIL),
            Target::Several(2)
        );
    }

    #[test]
    fn an_identity_listed_in_identities_is_already_linked() {
        let mut linked = native("true");
        linked.attributes.push((
            "identities".into(),
            r#"[{"userId":"108374651093847561029","providerName":"Google","providerType":"Google","primary":false}]"#
                .into(),
        ));
        assert!(already_linked(&linked, &identity("Google", "108374651093847561029")));
        assert!(!already_linked(&linked, &identity("Google", "999")));
        assert!(!already_linked(&linked, &identity("Facebook", "108374651093847561029")));
        assert!(!already_linked(
            &native("true"),
            &identity("Google", "108374651093847561029")
        ));
        let mut broken = native("true");
        broken.attributes.push(("identities".into(), "not json".into()));
        assert!(!already_linked(&broken, &identity("Google", "1")));
    }

    #[test]
    fn an_address_held_only_through_a_provider_names_that_user() {
        let users = [google_user("true")];
        assert_eq!(provider_only(&users, EMAIL, &trusted()), Some(&users[0]));
        assert_eq!(
            provider_only(&[google_user("true"), native("false")], EMAIL, &trusted()),
            None,
            "a native user holds it too"
        );
        assert_eq!(
            provider_only(&[google_user("false")], EMAIL, &trusted()),
            None,
            "an unverified claim locks nobody out"
        );
        assert_eq!(provider_only(&[], EMAIL, &trusted()), None);
    }

    #[test]
    fn an_address_held_through_an_untrusted_provider_locks_nobody_out() {
        let tenant = user(
            "TenantIdP_00u1",
            Origin::External,
            &[
                ("email", EMAIL),
                ("email_verified", "true"),
                ("identities", r#"[{"userId":"00u1","providerName":"TenantIdP"}]"#),
            ],
        );
        assert_eq!(provider_only(std::slice::from_ref(&tenant), EMAIL, &trusted()), None);
        let no_identities = user(
            "TenantIdP_00u1",
            Origin::External,
            &[("email", EMAIL), ("email_verified", "true")],
        );
        assert_eq!(provider_only(&[no_identities], EMAIL, &trusted()), None);
        assert_eq!(
            provider_only(&[google_user("true")], EMAIL, &["Okta".to_owned()]),
            None,
            "Google is trusted only when listed"
        );
    }

    #[test]
    fn a_disabled_unconfirmed_or_reset_user_is_never_a_link_target() {
        let mut disabled = native("true");
        disabled.enabled = false;
        assert_eq!(link_target(&[disabled], EMAIL), Target::None);
        for status in [
            Status::ResetRequired,
            Status::ForceChangePassword,
            Status::Unconfirmed,
            Status::Archived,
            Status::Compromised,
            Status::Unknown,
            Status::Other,
        ] {
            let mut user = native("true");
            user.status = status;
            assert_eq!(link_target(&[user], EMAIL), Target::None, "{status:?}");
        }
        let mut reset = native("true");
        reset.status = Status::ResetRequired;
        assert_eq!(
            link_target(&[reset, native("true")], EMAIL),
            Target::One(&native("true")),
            "an ineligible user does not make the eligible one ambiguous"
        );
    }

    #[test]
    fn the_provider_shown_is_a_provider_name() {
        assert_eq!(
            provider_to_show(&google_user("true"), &trusted()).as_deref(),
            Some("Google")
        );
        let apple = user("signinwithapple_001.ab.2", Origin::External, &[]);
        assert_eq!(provider_to_show(&apple, &trusted()).as_deref(), Some("Apple"));
        let amazon = user("LoginWithAmazon_amzn1.account.X", Origin::External, &[]);
        assert_eq!(provider_to_show(&amazon, &trusted()).as_deref(), Some("Amazon"));
        let okta = user(
            "okta_00u1",
            Origin::External,
            &[("identities", r#"[{"userId":"00u1","providerName":"Acme SSO"}]"#)],
        );
        assert_eq!(
            provider_to_show(&okta, &trusted()).as_deref(),
            Some("Acme SSO"),
            "identities keeps the case"
        );
        for hostile in [
            r#"[{"userId":"1","providerName":"<script>"}]"#,
            r#"[{"userId":"1","providerName":"Call +1 555 0100 now!"}]"#,
            r#"[{"userId":"1","providerName":"Goo\u200bgle"}]"#,
            r#"[{"userId":"1","providerName":" Google"}]"#,
            r#"[{"userId":"1","providerName":""}]"#,
        ] {
            let shown = provider_to_show(&user("x_1", Origin::External, &[("identities", hostile)]), &trusted());
            assert_eq!(shown, None, "{hostile}");
        }
        assert_eq!(
            provider_to_show(&user("nounderscore", Origin::External, &[]), &trusted()),
            None
        );
        assert_eq!(
            provider_to_show(&user("A_SSO_00u1", Origin::External, &[]), &trusted()).as_deref(),
            Some("A_SSO"),
            "split by the trusted name, not at the first underscore"
        );
    }

    #[test]
    fn the_filter_escapes_quotes_and_refuses_what_it_cannot_carry() {
        assert_eq!(email_filter(EMAIL).unwrap(), r#"email = "kim.minji@example.com""#);
        assert_eq!(
            email_filter(r#"a"b@example.com"#).unwrap(),
            r#"email = "a\"b@example.com""#
        );
        for email in [
            "a\\b@example.com",
            "a\nb@example.com",
            "a\u{0}@example.com",
            "a\u{85}@x.com",
        ] {
            assert_eq!(email_filter(email), Err(FilterError::Unfilterable), "{email:?}");
        }
    }

    /// Reads a filter back as a server that honours the documented escape would.
    fn unescape(filter: &str) -> Option<String> {
        let quoted = filter.strip_prefix("email = \"")?.strip_suffix('"')?;
        let mut value = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.push(chars.next().filter(|&next| next == '"')?),
                '"' => return None,
                other => value.push(other),
            }
        }
        Some(value)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whatever the address, the filter either is refused or matches exactly it: no
        /// quote closes the value early, nothing is added or lost.
        #[test]
        fn a_filter_reads_back_as_exactly_its_address(email in "[a-z\"\\\\ =^@.\u{e9}\u{0}\n]{0,24}") {
            match email_filter(&email) {
                Ok(filter) => prop_assert_eq!(unescape(&filter), Some(email)),
                Err(_) => prop_assert!(email.contains('\\') || email.chars().any(char::is_control)),
            }
        }

    }
}
