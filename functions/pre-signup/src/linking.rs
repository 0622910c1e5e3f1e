//! Account linking (`LINK_EXTERNAL_USERS=verified`) as decisions over plain data: which
//! native user a federated sign-up is linked to, which provider an address already signs in
//! with, how the provider's identity is read from Cognito's user name, and the ListUsers
//! filter for an address. The two Cognito calls sit behind [`Directory`]; `cognito` holds
//! the SDK implementation and its time budget.

use std::future::Future;

use serde_json::Value;

/// Cognito fixes the names of the four social providers (a provider of type Google must be
/// named `Google`), so their names come back exactly from a lowercased user name. Each with
/// the name a person knows it by.
const SOCIAL: [(&str, &str); 4] = [
    ("Google", "Google"),
    ("Facebook", "Facebook"),
    ("SignInWithApple", "Apple"),
    ("LoginWithAmazon", "Amazon"),
];

/// ListUsers returns at most this many users per page, which is also its largest `Limit`.
pub const LIST_LIMIT: i32 = 60;

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
    pub origin: Origin,
    pub attributes: Vec<(String, String)>,
}

impl PoolUser {
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

/// The identity a federated sign-up brings: what AdminLinkProviderForUser's `SourceUser`
/// names (`ProviderAttributeName` is always `Cognito_Subject`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider's name in the pool, exactly: `Google`, or an OIDC or SAML provider's name.
    pub provider: String,
    /// The provider's subject for the person (`sub`, Facebook's `id`, Amazon's `user_id`).
    pub subject: String,
}

/// Why a federated sign-up's identity cannot be read from its user name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unlinkable {
    #[error("the user name is not `<provider>_<subject>`")]
    NotFederated,
    #[error(
        "the user name has no capital letter, so a case-insensitive pool may have lowercased it, and the \
         exact name and subject of provider {provider:?} cannot be known from it (only Google, Facebook and \
         Apple subjects survive lowercasing); link this person by hand or keep LINK_EXTERNAL_USERS=never"
    )]
    CaseLost { provider: String },
}

/// Reads the provider and subject from a federated user name, `<provider>_<subject>`
/// (`Google_108374651093847561029`).
///
/// The event's attributes carry neither: `identities` is written once the user exists, and
/// a provider's subject is only there if the pool maps it into a custom attribute. So the
/// user name is the source, with one trap: a case-insensitive pool (the default, and
/// `cognito.toml`'s) hands the trigger the user name lowercased, and a link made from a
/// lowercased subject names an identity the provider never issued, so every later sign-in
/// with it fails. A user name with a capital letter was not lowercased. One without is
/// trusted only where lowercasing cannot have changed anything: a social provider (its
/// name is fixed) whose subject has no letters (Google's and Facebook's are digits), or
/// Apple, whose subjects are digits, dots and lowercase hex (`001234.0a1b…9f.1234`).
///
/// The name is split at the first `_`: provider names hold none there, subjects may.
pub fn external_identity(user_name: &str) -> Result<ExternalIdentity, Unlinkable> {
    let (prefix, subject) = user_name.split_once('_').ok_or(Unlinkable::NotFederated)?;
    let plausible_name =
        (1..=32).contains(&prefix.chars().count()) && !prefix.chars().any(|c| c.is_whitespace() || c.is_control());
    if !plausible_name || subject.is_empty() || subject.chars().any(char::is_control) {
        return Err(Unlinkable::NotFederated);
    }
    let social = SOCIAL
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.eq_ignore_ascii_case(prefix));
    let provider = social.unwrap_or(prefix).to_owned();
    let maybe_lowercased = !user_name.chars().any(char::is_uppercase);
    if maybe_lowercased {
        let survives = match social {
            Some("Google" | "Facebook") => !subject.chars().any(char::is_alphabetic),
            Some("SignInWithApple") => subject
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f' | '.')),
            Some(_) | None => false,
        };
        if !survives {
            return Err(Unlinkable::CaseLost { provider });
        }
    }
    Ok(ExternalIdentity {
        provider,
        subject: subject.to_owned(),
    })
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

/// The native user holding `email`, verified, among `users`.
pub fn link_target<'a>(users: &'a [PoolUser], email: &str) -> Target<'a> {
    let mut eligible = users
        .iter()
        .filter(|user| user.origin == Origin::Native && user.holds_verified(email));
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

/// The user through whom `email` already signs in, if it does so only through an identity
/// provider: no native user holds the address, and a provider's user holds it verified.
/// (An unverified claim does not count: whoever controls a provider that does not check
/// addresses could otherwise lock a stranger's address out of signing up.)
pub fn provider_only<'a>(users: &'a [PoolUser], email: &str) -> Option<&'a PoolUser> {
    if users
        .iter()
        .any(|user| user.origin == Origin::Native && user.holds(email))
    {
        return None;
    }
    users
        .iter()
        .find(|user| user.origin == Origin::External && user.holds_verified(email))
}

/// The provider `user` signs in with, as the person signing up may read it: from
/// `identities` (exact case) or else the user name's prefix, a social provider by the name
/// people know it by (`SignInWithApple` is "Apple"). `None` when it is not a plain name
/// (letters, digits, spaces, dots and hyphens, 1 to 32 characters), so nothing but a
/// provider's name reaches the message.
pub fn provider_to_show(user: &PoolUser) -> Option<String> {
    let name = match user.identities().into_iter().next() {
        Some((provider, _)) => provider,
        None => user.username.split_once('_')?.0.to_owned(),
    };
    if let Some((_, shown)) = SOCIAL.iter().find(|(social, _)| social.eq_ignore_ascii_case(&name)) {
        return Some((*shown).to_owned());
    }
    let plain = (1..=32).contains(&name.chars().count())
        && name.trim() == name
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-'));
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
    use proptest::prelude::*;

    fn user(username: &str, origin: Origin, attributes: &[(&str, &str)]) -> PoolUser {
        PoolUser {
            username: username.into(),
            origin,
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

    fn identity(provider: &str, subject: &str) -> ExternalIdentity {
        ExternalIdentity {
            provider: provider.into(),
            subject: subject.into(),
        }
    }

    #[test]
    fn a_case_preserving_user_name_gives_provider_and_subject_as_they_are() {
        assert_eq!(
            external_identity("Google_108374651093847561029"),
            Ok(identity("Google", "108374651093847561029"))
        );
        assert_eq!(
            external_identity("LoginWithAmazon_amzn1.account.AFAEXAMPLE"),
            Ok(identity("LoginWithAmazon", "amzn1.account.AFAEXAMPLE"))
        );
        assert_eq!(
            external_identity("Okta_00uAbC_12"),
            Ok(identity("Okta", "00uAbC_12")),
            "split at the first underscore: subjects may hold more"
        );
    }

    #[test]
    fn a_lowercased_social_name_is_restored_where_the_subject_survives_lowercasing() {
        assert_eq!(
            external_identity("google_108374651093847561029"),
            Ok(identity("Google", "108374651093847561029"))
        );
        assert_eq!(external_identity("facebook_10224"), Ok(identity("Facebook", "10224")));
        assert_eq!(
            external_identity("signinwithapple_001234.0a1b2c3d4e5f67890a1b2c3d4e5f6789.1234"),
            Ok(identity(
                "SignInWithApple",
                "001234.0a1b2c3d4e5f67890a1b2c3d4e5f6789.1234"
            ))
        );
    }

    #[test]
    fn a_possibly_lowercased_subject_with_letters_is_not_trusted() {
        for name in [
            "loginwithamazon_amzn1.account.afaexample",
            "google_abc123",
            "okta_00uabc",
            "linkedin_mdrhj2asx8",
            "okta_123",
        ] {
            assert!(
                matches!(external_identity(name), Err(Unlinkable::CaseLost { .. })),
                "{name}: {:?}",
                external_identity(name)
            );
        }
    }

    #[test]
    fn a_name_that_is_not_provider_underscore_subject_is_refused() {
        for name in [
            "",
            "Google",
            "_123",
            "Google_",
            "Goo gle_123",
            "A23456789012345678901234567890123_1",
        ] {
            assert_eq!(external_identity(name), Err(Unlinkable::NotFederated), "{name:?}");
        }
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
        assert_eq!(provider_only(&users, EMAIL), Some(&users[0]));
        assert_eq!(
            provider_only(&[google_user("true"), native("false")], EMAIL),
            None,
            "a native user holds it too"
        );
        assert_eq!(
            provider_only(&[google_user("false")], EMAIL),
            None,
            "an unverified claim locks nobody out"
        );
        assert_eq!(provider_only(&[], EMAIL), None);
    }

    #[test]
    fn the_provider_shown_is_a_provider_name() {
        assert_eq!(provider_to_show(&google_user("true")).as_deref(), Some("Google"));
        let apple = user("signinwithapple_001.ab.2", Origin::External, &[]);
        assert_eq!(provider_to_show(&apple).as_deref(), Some("Apple"));
        let amazon = user("LoginWithAmazon_amzn1.account.X", Origin::External, &[]);
        assert_eq!(provider_to_show(&amazon).as_deref(), Some("Amazon"));
        let okta = user(
            "okta_00u1",
            Origin::External,
            &[("identities", r#"[{"userId":"00u1","providerName":"Acme SSO"}]"#)],
        );
        assert_eq!(
            provider_to_show(&okta).as_deref(),
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
            let shown = provider_to_show(&user("x_1", Origin::External, &[("identities", hostile)]));
            assert_eq!(shown, None, "{hostile}");
        }
        assert_eq!(provider_to_show(&user("nounderscore", Origin::External, &[])), None);
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

        /// An identity read from a user name always gives that name back, provider and all
        /// (the provider ignoring case only for the four social names).
        #[test]
        fn an_identity_read_from_a_user_name_gives_the_name_back(name in "[A-Za-z]{1,12}_[A-Za-z0-9._]{1,20}") {
            if let Ok(identity) = external_identity(&name) {
                let rebuilt = format!("{}_{}", identity.provider, identity.subject);
                prop_assert!(rebuilt == name || rebuilt.eq_ignore_ascii_case(&name), "{} -> {}", name, rebuilt);
                if rebuilt != name {
                    prop_assert!(SOCIAL.iter().any(|(social, _)| *social == identity.provider));
                }
                // Nothing lowercased is ever trusted unless lowercasing could not change it.
                if !name.chars().any(char::is_uppercase) {
                    prop_assert!(matches!(identity.provider.as_str(), "Google" | "Facebook" | "SignInWithApple"));
                }
            }
        }
    }
}
