//! The function's configuration, read once at cold start: the domain lists, the
//! auto-confirm mode and account linking with the providers it trusts. A bad value stops
//! the start with a message naming the variable.

use icu_properties::CodePointMapData;
use icu_properties::props::GeneralCategory;
use trigger_common::{ConfigError, entries, var};

use crate::address::DomainPattern;

const DOMAIN_LIST_ACCEPTED: &str = "a comma-separated list of domains (`example.com`) or \
     subdomain wildcards (`*.example.com`); unset or empty for none";
const AUTO_CONFIRM_ACCEPTED: &str = "never, allowed, always";
const LINK_ACCEPTED: &str = "never, verified";
const TRUSTED_ACCEPTED: &str = "a comma-separated list of identity-provider names exactly as the pool \
     names them (`Google`, `SignInWithApple`, `Facebook`, `LoginWithAmazon`, or an OIDC or SAML \
     provider's name: 3 to 32 characters, no spaces, `_` only as the second character), each once";

/// When Cognito should confirm a new user without a verification code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoConfirm {
    /// Every user confirms with the code Cognito sends.
    #[default]
    Never,
    /// Users whose email domain is in `ALLOWED_EMAIL_DOMAINS`. Nobody proves they own the
    /// address: anyone can claim any address on those domains.
    Allowed,
    /// Every accepted sign-up, whatever its address.
    Always,
}

/// Whether a federated sign-up may be linked to the native user with the same address
/// (`LINK_EXTERNAL_USERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkExternalUsers {
    /// Every identity-provider sign-in that is new to the pool becomes a user of its own.
    #[default]
    Never,
    /// When the provider says the address is verified and one native user holds it,
    /// verified, the provider's identity is linked to that user; and a native sign-up for an
    /// address that only a provider's user holds is refused, naming the provider.
    Verified,
}

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Empty means every domain is allowed.
    pub allowed: Vec<DomainPattern>,
    /// Wins over `allowed`.
    pub denied: Vec<DomainPattern>,
    pub auto_confirm: AutoConfirm,
    /// Read here so a bad value stops the cold start; `main` builds the Cognito client
    /// only when it is `Verified`.
    pub link_external_users: LinkExternalUsers,
    /// `LINK_TRUSTED_PROVIDERS`: the providers whose identities linking acts on, exactly as
    /// the pool names them. Never empty when `link_external_users` is `Verified`.
    pub trusted_providers: Vec<String>,
}

impl Config {
    /// Reads `ALLOWED_EMAIL_DOMAINS`, `DENIED_EMAIL_DOMAINS`, `AUTO_CONFIRM`,
    /// `LINK_EXTERNAL_USERS` and `LINK_TRUSTED_PROVIDERS`.
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
        let link_external_users = match var(&lookup, "LINK_EXTERNAL_USERS") {
            None => LinkExternalUsers::default(),
            Some(value) => match value.to_ascii_lowercase().as_str() {
                "never" => LinkExternalUsers::Never,
                "verified" => LinkExternalUsers::Verified,
                _ => {
                    return Err(ConfigError::new(
                        "LINK_EXTERNAL_USERS",
                        value,
                        "unknown mode",
                        LINK_ACCEPTED,
                    ));
                }
            },
        };
        let trusted_providers = trusted_providers(&lookup)?;
        match (link_external_users, trusted_providers.is_empty()) {
            (LinkExternalUsers::Verified, true) => {
                return Err(ConfigError::new(
                    "LINK_TRUSTED_PROVIDERS",
                    "",
                    "LINK_EXTERNAL_USERS=verified links identities into existing accounts, so it acts only \
                     for the providers LINK_TRUSTED_PROVIDERS names, and it is not set",
                    TRUSTED_ACCEPTED,
                ));
            }
            (LinkExternalUsers::Never, false) => {
                return Err(ConfigError::new(
                    "LINK_TRUSTED_PROVIDERS",
                    trusted_providers.join(","),
                    "it is read only with LINK_EXTERNAL_USERS=verified, which is not set: set both, or neither",
                    TRUSTED_ACCEPTED,
                ));
            }
            (LinkExternalUsers::Verified, false) | (LinkExternalUsers::Never, true) => {}
        }
        Ok(Self {
            allowed,
            denied,
            auto_confirm,
            link_external_users,
            trusted_providers,
        })
    }
}

fn domain_list(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<DomainPattern>, ConfigError> {
    let Some((value, entries)) = entries(lookup, name, ',', DOMAIN_LIST_ACCEPTED)? else {
        return Ok(Vec::new());
    };
    entries
        .iter()
        .map(|entry| {
            DomainPattern::parse(entry)
                .map_err(|problem| ConfigError::new(name, value.clone(), problem, DOMAIN_LIST_ACCEPTED))
        })
        .collect()
}

/// `LINK_TRUSTED_PROVIDERS`, each name checked against AWS's own rule for a provider's name
/// (ProviderNameTypeV2: 1 to 32 characters matching `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`,
/// so at least 3, no separator, and `_` at most as the second character). A name the pool
/// cannot hold would never match, and a typo would then silently link nobody.
fn trusted_providers(lookup: &impl Fn(&str) -> Option<String>) -> Result<Vec<String>, ConfigError> {
    const NAME: &str = "LINK_TRUSTED_PROVIDERS";
    let Some((value, names)) = entries(lookup, NAME, ',', TRUSTED_ACCEPTED)? else {
        return Ok(Vec::new());
    };
    let refuse = |problem: String| ConfigError::new(NAME, value.clone(), problem, TRUSTED_ACCEPTED);
    let mut trusted: Vec<String> = Vec::new();
    for name in names {
        if let Some(why) = provider_name_problem(&name) {
            return Err(refuse(format!(
                "{:?} is not a provider name: {why}",
                name.escape_debug().to_string()
            )));
        }
        if name.eq_ignore_ascii_case("Cognito") {
            return Err(refuse(
                "`Cognito` is the pool's own sign-in, not an identity provider to link from".to_owned(),
            ));
        }
        // Provider names differ by more than case in any pool this function can serve: a
        // case-insensitive pool lowercases user names, so two names that differ only in case
        // could not be told apart.
        if let Some(twin) = trusted.iter().find(|held| held.to_lowercase() == name.to_lowercase()) {
            return Err(refuse(format!(
                "{name:?} is listed twice (as {twin:?}; case does not tell providers apart)"
            )));
        }
        trusted.push(name);
    }
    Ok(trusted)
}

/// What keeps `name` from being a provider's name in a pool (AWS's ProviderNameTypeV2), if
/// anything.
fn provider_name_problem(name: &str) -> Option<&'static str> {
    let count = name.chars().count();
    if !(3..=32).contains(&count) {
        return Some("it must be 3 to 32 characters");
    }
    let category = CodePointMapData::<GeneralCategory>::new();
    let separator = |c: char| {
        matches!(
            category.get(c),
            GeneralCategory::SpaceSeparator | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        )
    };
    let visible = |c: char| {
        use GeneralCategory as G;
        !matches!(
            category.get(c),
            G::Control
                | G::Format
                | G::Unassigned
                | G::PrivateUse
                | G::Surrogate
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
        )
    };
    for (index, c) in name.chars().enumerate() {
        let fits = match index {
            1 => visible(c),
            _ => c != '_' && !separator(c),
        };
        if !fits {
            return Some(if c == '_' {
                "`_` may only be its second character"
            } else {
                "it holds a space, separator, control or invisible character"
            });
        }
    }
    // The third pattern class excludes only `_` and separators; anything else invisible is
    // refused too, so no name differs from the pool's by a character nobody can see.
    if name.chars().any(|c| !visible(c)) {
        return Some("it holds a space, separator, control or invisible character");
    }
    None
}
