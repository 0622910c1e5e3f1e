//! The identity a federated sign-up brings, read from Cognito's user name
//! (`<provider>_<subject>`): which trusted provider it comes from, and whether its subject
//! survived a case-insensitive pool's lowercasing. What AdminLinkProviderForUser's
//! `SourceUser` names.

/// Cognito fixes the names of the four social providers (a provider of type Google must be
/// named `Google`), so their names come back exactly from a lowercased user name. Each with
/// the name a person knows it by.
pub(crate) const SOCIAL: [(&str, &str); 4] = [
    ("Google", "Google"),
    ("Facebook", "Facebook"),
    ("SignInWithApple", "Apple"),
    ("LoginWithAmazon", "Amazon"),
];

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

/// The trusted provider a federated user name (`<provider>_<subject>`) comes from: the
/// longest name in `trusted` that, followed by `_`, starts it. Splitting at the first `_`
/// instead would read `A_SSO_00u1` as provider `A`.
///
/// A user name with a capital letter kept its case, so the name must match exactly. One
/// without may have been lowercased by a case-insensitive pool, so it matches ignoring case;
/// [`external_identity`] then decides whether the subject survived.
pub fn trusted_provider<'a>(user_name: &str, trusted: &'a [String]) -> Option<&'a str> {
    let maybe_lowercased = !user_name.chars().any(char::is_uppercase);
    trusted
        .iter()
        .filter(|provider| {
            let prefix = if maybe_lowercased {
                provider.to_lowercase()
            } else {
                provider.to_string()
            };
            user_name
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with('_'))
        })
        .max_by_key(|provider| provider.len())
        .map(String::as_str)
}

/// Reads the subject from a federated user name of `provider` (which
/// [`trusted_provider`] found in it): `Google_108374651093847561029` gives `Google` and
/// `108374651093847561029`, the provider named as the pool names it.
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
pub fn external_identity(user_name: &str, provider: &str) -> Result<ExternalIdentity, Unlinkable> {
    let maybe_lowercased = !user_name.chars().any(char::is_uppercase);
    let prefix = if maybe_lowercased {
        provider.to_lowercase()
    } else {
        provider.to_owned()
    };
    let subject = user_name
        .strip_prefix(prefix.as_str())
        .and_then(|rest| rest.strip_prefix('_'))
        .ok_or(Unlinkable::NotFederated)?;
    if subject.is_empty() || subject.chars().any(char::is_control) {
        return Err(Unlinkable::NotFederated);
    }
    if maybe_lowercased {
        let survives = match SOCIAL.iter().map(|(name, _)| *name).find(|name| *name == provider) {
            Some("Google" | "Facebook") => !subject.chars().any(char::is_alphabetic),
            Some("SignInWithApple") => subject
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f' | '.')),
            Some(_) | None => false,
        };
        if !survives {
            return Err(Unlinkable::CaseLost {
                provider: provider.to_owned(),
            });
        }
    }
    Ok(ExternalIdentity {
        provider: provider.to_owned(),
        subject: subject.to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every social provider and two OIDC ones, one of them with `_` where AWS allows it.
    pub(crate) fn trusted() -> Vec<String> {
        [
            "Google",
            "Facebook",
            "SignInWithApple",
            "LoginWithAmazon",
            "Okta",
            "A_SSO",
        ]
        .map(String::from)
        .to_vec()
    }

    /// The identity read the way the handler reads it: the trusted provider, then the subject.
    fn read(user_name: &str) -> Result<ExternalIdentity, Unlinkable> {
        let trusted = trusted();
        let provider = trusted_provider(user_name, &trusted).ok_or(Unlinkable::NotFederated)?;
        external_identity(user_name, provider)
    }

    pub(crate) fn identity(provider: &str, subject: &str) -> ExternalIdentity {
        ExternalIdentity {
            provider: provider.into(),
            subject: subject.into(),
        }
    }

    #[test]
    fn a_case_preserving_user_name_gives_provider_and_subject_as_they_are() {
        assert_eq!(
            read("Google_108374651093847561029"),
            Ok(identity("Google", "108374651093847561029"))
        );
        assert_eq!(
            read("LoginWithAmazon_amzn1.account.AFAEXAMPLE"),
            Ok(identity("LoginWithAmazon", "amzn1.account.AFAEXAMPLE"))
        );
        assert_eq!(
            read("Okta_00uAbC_12"),
            Ok(identity("Okta", "00uAbC_12")),
            "subjects may hold underscores"
        );
    }

    #[test]
    fn a_provider_name_with_an_underscore_is_split_by_the_longest_trusted_name() {
        assert_eq!(read("A_SSO_00uAbC_12"), Ok(identity("A_SSO", "00uAbC_12")));
        let both = ["A_S", "A_SSO"].map(String::from);
        assert_eq!(trusted_provider("A_SSO_00u1", &both), Some("A_SSO"));
        assert_eq!(trusted_provider("A_S_00u1", &both), Some("A_S"));
    }

    #[test]
    fn a_provider_not_trusted_is_no_provider_at_all() {
        let trusted = trusted();
        for name in ["Evil_123", "Googlex_123", "Googl_123", "AcmeOkta_1", "Okt_1", "A_SS_1"] {
            assert_eq!(trusted_provider(name, &trusted), None, "{name}");
        }
        assert_eq!(
            trusted_provider("google_1", &trusted),
            Some("Google"),
            "a lowercased name matches ignoring case"
        );
        assert_eq!(
            trusted_provider("GOOGLE_1", &trusted),
            None,
            "a name that kept its case matches exactly"
        );
    }

    #[test]
    fn a_lowercased_social_name_is_restored_where_the_subject_survives_lowercasing() {
        assert_eq!(
            read("google_108374651093847561029"),
            Ok(identity("Google", "108374651093847561029"))
        );
        assert_eq!(read("facebook_10224"), Ok(identity("Facebook", "10224")));
        assert_eq!(
            read("signinwithapple_001234.0a1b2c3d4e5f67890a1b2c3d4e5f6789.1234"),
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
            "a_sso_mdrhj2asx8",
            "okta_123",
        ] {
            assert!(
                matches!(read(name), Err(Unlinkable::CaseLost { .. })),
                "{name}: {:?}",
                read(name)
            );
        }
    }

    #[test]
    fn a_name_that_is_not_provider_underscore_subject_is_refused() {
        for name in ["", "Google", "_123", "Google_", "Goo gle_123", "Google_1\n2"] {
            assert_eq!(read(name), Err(Unlinkable::NotFederated), "{name:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whatever prefix a user name has, the provider read from it is one of the trusted
        /// names, and the identity gives the name back (up to lowercasing).
        #[test]
        fn a_provider_read_from_any_user_name_is_a_trusted_one(
            prefix in prop::sample::select(vec!["Google", "Okta", "A_SSO", "A_S", "Evil", "A", "Googlex", "okta"]),
            lowercased in any::<bool>(),
            subject in "[A-Za-z0-9._]{1,20}",
        ) {
            let name = format!("{prefix}_{subject}");
            let name = if lowercased { name.to_lowercase() } else { name };
            let trusted = trusted();
            if let Some(provider) = trusted_provider(&name, &trusted) {
                prop_assert!(trusted.iter().any(|t| t == provider));
                if let Ok(identity) = external_identity(&name, provider) {
                    prop_assert_eq!(identity.provider.as_str(), provider);
                    let rebuilt = format!("{}_{}", identity.provider, identity.subject);
                    prop_assert!(rebuilt.eq_ignore_ascii_case(&name), "{} -> {}", name, rebuilt);
                }
            } else {
                prop_assert!(read(&name).is_err());
            }
        }

        /// An identity read from a user name always gives that name back, provider and all
        /// (the provider ignoring case only for the four social names).
        #[test]
        fn an_identity_read_from_a_user_name_gives_the_name_back(name in "[A-Za-z]{1,12}_[A-Za-z0-9._]{1,20}") {
            if let Ok(identity) = read(&name) {
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
