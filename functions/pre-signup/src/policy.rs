//! The sign-up policy as plain data: which email addresses are well formed, which domains
//! may sign up, which may not, and when to confirm a user without a code. No Lambda, no
//! AWS, no I/O.
//!
//! Whoever signs up chooses the address, so it is read adversarially: an address is refused
//! unless the domain the lists are matched against is exactly the domain it shows, and the
//! domain mail to it would go to, whoever reads it.

use std::fmt;

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use trigger_common::{ConfigError, entries, var};

const DOMAIN_LIST_ACCEPTED: &str = "a comma-separated list of domains (`example.com`) or \
     subdomain wildcards (`*.example.com`); unset or empty for none";
const AUTO_CONFIRM_ACCEPTED: &str = "never, allowed, always";
const LINK_ACCEPTED: &str = "never, verified";
const TRUSTED_ACCEPTED: &str = "a comma-separated list of identity-provider names exactly as the pool \
     names them (`Google`, `SignInWithApple`, `Facebook`, `LoginWithAmazon`, or an OIDC or SAML \
     provider's name: 3 to 32 characters, no spaces, `_` only as the second character), each once";

/// RFC 5321's limit on the part before the `@`, in bytes.
const LOCAL_PART_MAX: usize = 64;

/// The deviation characters of UTS #46: IDNA2003 and IDNA2008 map them differently (`ß` to
/// `ss` or kept), so the domain a mail server resolves may not be the one the lists matched.
const DEVIATIONS: [char; 4] = ['\u{DF}', '\u{3C2}', '\u{200C}', '\u{200D}'];

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
        let (wildcard, domain) = match entry.strip_prefix("*.") {
            Some(parent) => (true, parent),
            None => (false, entry),
        };
        if domain.is_empty() {
            return Err("the domain is empty".into());
        }
        let domain = canonical_domain(domain).map_err(|why| format!("{domain:?} is not a domain name: {why}"))?;
        Ok(if wildcard {
            Self::Subdomains(domain)
        } else {
            Self::Exact(domain)
        })
    }

    /// `domain` must be canonical (what [`email_domain`] returns).
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

/// Why an address is not well formed. Logged for the operator; the person signing up only
/// ever sees [`Rejection::InvalidEmail`]'s one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the email attribute is not text")]
    NotText,
    #[error("not exactly one @")]
    AtSigns,
    #[error("nothing before the @")]
    EmptyLocalPart,
    #[error("more than 64 bytes before the @")]
    LongLocalPart,
    #[error("a quote, space, control, invisible or separator character before the @")]
    LocalPartCharacter,
    #[error("not a DNS name (letters, digits, hyphens and dots, 253 bytes at most)")]
    NotADnsName,
    #[error("characters that IDNA mapping drops or changes beyond case")]
    ChangedByMapping,
    #[error("a character IDNA2003 and IDNA2008 map differently (ß, ς, zero-width joiners)")]
    Deviation,
    #[error("an IP address instead of a domain name")]
    IpAddress,
    #[error("a non-ASCII character that IDNA maps to ASCII (fullwidth or mathematical letters, the Kelvin sign)")]
    AsciiLookAlike,
}

/// The canonical domain of `email`, the one the lists are matched against: lowercase ASCII,
/// internationalized labels in punycode. `email` is well formed when it has exactly one
/// `@`; before it, 1 to 64 bytes with no quote, whitespace, control, invisible (format or
/// default-ignorable) character, address separator (`(),:;<>[\]`) or character IDNA maps
/// to ASCII (`ｃ`, `＠`, the Kelvin sign); after it, a DNS name under the STD3 rules once
/// IDNA (UTS #46) has mapped it, with no such look-alike either, where mapping changes
/// nothing but case and the Unicode-to-punycode encoding, and which is no IP address.
///
/// Nothing is trimmed or normalized: what Cognito stores is what was checked.
pub fn email_domain(email: &str) -> Result<String, Malformed> {
    let (local, domain) = email.split_once('@').ok_or(Malformed::AtSigns)?;
    if domain.contains('@') {
        return Err(Malformed::AtSigns);
    }
    if local.is_empty() {
        return Err(Malformed::EmptyLocalPart);
    }
    if local.len() > LOCAL_PART_MAX {
        return Err(Malformed::LongLocalPart);
    }
    if local.chars().any(refused_in_local_part) {
        return Err(Malformed::LocalPartCharacter);
    }
    if local.chars().any(ascii_look_alike) {
        return Err(Malformed::AsciiLookAlike);
    }
    canonical_domain(domain)
}

/// Whether `c` is not ASCII but IDNA maps it to ASCII: a fullwidth or mathematical letter,
/// a fullwidth `@` or `.`, the Kelvin sign `K` (whose lowercase is `k`, so case folding
/// alone would let `ban\u{212A}.com` match `bank.com`). Each shows as, and for software that
/// maps it becomes, a character it is not, so an address holding one passes for another.
fn ascii_look_alike(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut buffer = [0; 4];
    let (mapped, _) = Uts46::new().to_unicode(
        c.encode_utf8(&mut buffer).as_bytes(),
        AsciiDenyList::EMPTY,
        Hyphens::Allow,
    );
    !mapped.is_empty() && mapped.is_ascii()
}

/// Characters that make a local part look like another address (invisible ones), end it
/// early for some mail software (separators, quotes), or are not text at all.
fn refused_in_local_part(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control()
            || matches!(
                c,
                ' ' | '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
            );
    }
    let invisible = CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c);
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    invisible
        || matches!(
            category,
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::Unassigned
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
                | GeneralCategory::SpaceSeparator
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// The lowercase ASCII form of `domain` (UTS #46 ToASCII with the STD3 deny list, no
/// leading or trailing hyphen in a label, DNS lengths), so `예시.kr` and `xn--vv4b11d.kr`
/// compare equal, refusing a domain that mapping would change in any other way: a soft
/// hyphen, zero-width space or word joiner that it drops, a fullwidth letter or ideographic
/// full stop that it replaces, a deviation character that IDNA versions treat differently,
/// the Kelvin sign that case folding alone turns into `k`.
pub fn canonical_domain(domain: &str) -> Result<String, Malformed> {
    if domain.chars().any(ascii_look_alike) {
        return Err(Malformed::AsciiLookAlike);
    }
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| Malformed::NotADnsName)?;
    // Back to Unicode: each label as mapping left it, for comparison with what was given.
    let (unicode, valid) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast);
    valid.map_err(|_| Malformed::NotADnsName)?;
    if unicode.contains(DEVIATIONS) {
        return Err(Malformed::Deviation);
    }
    if domain.split('.').count() != ascii.split('.').count() {
        return Err(Malformed::ChangedByMapping);
    }
    let unchanged = domain
        .split('.')
        .zip(ascii.split('.').zip(unicode.split('.')))
        .all(|(given, (ascii, unicode))| {
            if given.is_ascii() {
                given.eq_ignore_ascii_case(ascii)
            } else {
                given.to_lowercase() == unicode
            }
        });
    if !unchanged {
        return Err(Malformed::ChangedByMapping);
    }
    // A top-level domain is never numeric, so a last label that is a number makes this an
    // IPv4 address as browsers and resolvers read it (`1.2.3.4`, `0x7f.1`).
    let last = ascii.rsplit('.').next().unwrap_or_default();
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed::IpAddress);
    }
    Ok(ascii.into_owned())
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

/// Where a sign-up comes from, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// PreSignUp_SignUp and _AdminCreateUser: the pool's own sign-up or an administrator.
    Native,
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

    /// Decides on a sign-up.
    ///
    /// Auto-confirm marks the email verified only on the event's word: a native sign-up's
    /// address counts as verified unless the event says otherwise (an administrator's
    /// `email_verified=false`); a federated one's only when the provider said exactly
    /// `true` (any case), since a provider that says nothing has proven nothing.
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
            (Source::Unknown, _) | (Source::Native | Source::External, AutoConfirm::Never) => false,
            (Source::Native | Source::External, AutoConfirm::Allowed) => in_allowed,
            (Source::Native | Source::External, AutoConfirm::Always) => true,
        };
        if !confirm {
            return Ok(Decision::Accept);
        }
        let verify_email = match sign_up.source {
            Source::Native => match self.link_external_users {
                LinkExternalUsers::Verified => false,
                LinkExternalUsers::Never => sign_up
                    .email_verified
                    .is_none_or(|verified| verified.trim().eq_ignore_ascii_case("true")),
            },
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
        if trusted.contains(&name) {
            return Err(refuse(format!("{name:?} is listed twice")));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use trigger_common::lookup_in;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_env(lookup_in(vars))
    }

    fn sign_up(email: Option<&str>) -> SignUp<'_> {
        SignUp {
            source: Source::Native,
            email,
            email_verified: None,
        }
    }

    fn decide(vars: &[(&str, &str)], email: Option<&str>) -> Result<Decision, Rejection> {
        config(vars).unwrap().decide(&sign_up(email))
    }

    fn malformed(email: &str) -> Option<Malformed> {
        match decide(&[], Some(email)) {
            Err(Rejection::InvalidEmail(why)) => Some(why),
            _ => None,
        }
    }

    const CONFIRMED: Result<Decision, Rejection> = Ok(Decision::AutoConfirm { verify_email: true });

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
    fn matching_ignores_case_and_whitespace_around_list_entries() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "  Example.COM , *.Corp.Example.org ")];
        assert_eq!(decide(&vars, Some("A@EXAMPLE.com")), Ok(Decision::Accept));
        assert_eq!(decide(&vars, Some("a@HQ.corp.example.ORG")), Ok(Decision::Accept));
    }

    #[test]
    fn whitespace_around_an_address_is_refused_not_trimmed() {
        for email in [
            "  a@example.com",
            "a@example.com ",
            "a@example.com\n",
            "\ta@example.com",
        ] {
            assert!(malformed(email).is_some(), "{email:?}");
        }
    }

    #[test]
    fn internationalized_domains_match_their_punycode() {
        let unicode = [("ALLOWED_EMAIL_DOMAINS", "예시.kr")];
        assert_eq!(decide(&unicode, Some("a@xn--vv4b11d.kr")), Ok(Decision::Accept));
        let punycode = [("ALLOWED_EMAIL_DOMAINS", "xn--vv4b11d.kr")];
        assert_eq!(decide(&punycode, Some("a@예시.kr")), Ok(Decision::Accept));
        let wildcard = [("ALLOWED_EMAIL_DOMAINS", "*.예시.kr")];
        assert_eq!(decide(&wildcard, Some("a@mail.xn--vv4b11d.kr")), Ok(Decision::Accept));
        let accented = [("ALLOWED_EMAIL_DOMAINS", "bücher.example")];
        assert_eq!(decide(&accented, Some("a@BÜCHER.example")), Ok(Decision::Accept));
        assert_eq!(email_domain("a@bücher.example").unwrap(), "xn--bcher-kva.example");
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
            "a@example..com",
            "a@example.com.",
            "a@-example.com",
            "a@example-.com",
            "a@exam_ple.com",
        ] {
            assert!(malformed(email).is_some(), "{email:?}");
        }
        let label = "a".repeat(64);
        assert_eq!(
            malformed(&format!("a@{label}.com")),
            Some(Malformed::NotADnsName),
            "a label of 64"
        );
        let labels = format!("{0}.{0}.{0}.{0}", "a".repeat(62));
        assert_eq!(
            malformed(&format!("a@{labels}.co")),
            Some(Malformed::NotADnsName),
            "254 bytes"
        );
        assert_eq!(malformed(&format!("a@{labels}.c")), None, "253 bytes");
        assert_eq!(
            malformed(&format!("{}@example.com", "a".repeat(65))),
            Some(Malformed::LongLocalPart)
        );
        assert_eq!(
            decide(&[], Some(&format!("{}@example.com", "a".repeat(64)))),
            Ok(Decision::Accept)
        );
    }

    /// Addresses that today's `idna::domain_to_ascii` (no STD3 rules) let through, each
    /// matching `*.example.com` or no list at all.
    #[test]
    fn smuggled_addresses_are_malformed() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "*.example.com")];
        for email in [
            "a@attacker.com,x.example.com",
            "a@evil.com;x.example.com",
            "a@evil.com\0.x.example.com",
            "a@evil.com\u{1}x.example.com",
            "a@x.example.com\r\nBcc: b@evil.com",
            "a@evil.com/x.example.com",
            "a@evil.com:25.x.example.com",
            "a@evil.com>x.example.com",
        ] {
            assert!(
                matches!(decide(&vars, Some(email)), Err(Rejection::InvalidEmail(_))),
                "{email:?}: {:?}",
                decide(&vars, Some(email))
            );
        }
        for email in ["a@[1.2.3.4]", "a@[IPv6:::1]", "a@1.2.3.4", "a@0x7f.1", "a@127.0.0.1"] {
            assert!(malformed(email).is_some(), "{email:?}");
        }
        assert_eq!(malformed("a@1.2.3.4"), Some(Malformed::IpAddress));
        for email in [
            "\"a@b\"@example.com",
            "\"a\"@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a\0@example.com",
            "a b@example.com",
            "<a>@example.com",
        ] {
            assert!(malformed(email).is_some(), "{email:?}");
        }
    }

    /// Each looks like `ceo@example.com` once shown, and today's code matches it against
    /// `example.com` (the invisible character dropped) while Cognito stores it as it came.
    #[test]
    fn look_alike_addresses_are_malformed() {
        let vars = [("ALLOWED_EMAIL_DOMAINS", "example.com"), ("AUTO_CONFIRM", "allowed")];
        for email in [
            "ceo@exam\u{AD}ple.com",
            "ceo@exam\u{200B}ple.com",
            "ceo@example\u{2060}.com",
            "ceo@\u{FEFF}example.com",
            "ceo@example\u{3002}com",
            "ceo@example\u{FF0E}com",
            "ceo@ｅxample.com",
            "ceo@example.co\u{34F}m",
            "ceo@exa\u{200D}mple.com",
            "ceo@exa\u{200C}mple.com",
            "ceo@e\u{301}xample.com",
        ] {
            let decision = decide(&vars, Some(email));
            assert!(
                matches!(decision, Err(Rejection::InvalidEmail(_))),
                "{email:?}: {decision:?}"
            );
        }
        assert_eq!(malformed("ceo@exam\u{AD}ple.com"), Some(Malformed::ChangedByMapping));
        // The Kelvin sign's lowercase is `k`: case folding alone would match `bank.com`.
        let bank = [("ALLOWED_EMAIL_DOMAINS", "bank.com"), ("AUTO_CONFIRM", "allowed")];
        assert_eq!(
            decide(&bank, Some("ceo@ban\u{212A}.com")),
            Err(Rejection::InvalidEmail(Malformed::AsciiLookAlike))
        );
        assert_eq!(decide(&bank, Some("ceo@BANK.com")), CONFIRMED);
        for email in [
            "ceo\u{AD}@example.com",
            "ce\u{200B}o@example.com",
            "ceo\u{2060}@example.com",
            "ceo\u{202E}@example.com",
            "ceo\u{3164}@example.com",
            "ceo\u{FE0F}@example.com",
            "ceo\u{A0}@example.com",
            "ceo\u{2028}@example.com",
        ] {
            assert_eq!(malformed(email), Some(Malformed::LocalPartCharacter), "{email:?}");
        }
        for email in [
            "ｃeo@example.com",
            "c\u{1D41E}o@example.com",
            "ceo\u{FF20}evil.com@example.com",
            "ceo\u{FF0E}x@example.com",
            "\u{212A}im@example.com",
        ] {
            assert_eq!(malformed(email), Some(Malformed::AsciiLookAlike), "{email:?}");
        }
        // Visible non-ASCII local parts stay welcome (RFC 6531).
        assert_eq!(decide(&vars, Some("김민지@example.com")), CONFIRMED);
        assert_eq!(decide(&vars, Some("josé.garcía@example.com")), CONFIRMED);
        assert_eq!(decide(&vars, Some("JOSÉ.Ærø@example.com")), CONFIRMED);
    }

    #[test]
    fn deviation_characters_are_malformed_in_either_form() {
        // IDNA2003 maps ß to ss, IDNA2008 keeps it: which domain mail goes to depends on
        // the software in between.
        assert_eq!(malformed("a@straße.de"), Some(Malformed::Deviation));
        assert_eq!(malformed("a@xn--strae-oqa.de"), Some(Malformed::Deviation));
        assert_eq!(malformed("a@σος.gr"), Some(Malformed::Deviation));
        assert_eq!(decide(&[], Some("a@strasse.de")), Ok(Decision::Accept));
    }

    #[test]
    fn a_non_text_email_is_malformed() {
        assert_eq!(Malformed::NotText.to_string(), "the email attribute is not text");
        assert_eq!(
            Rejection::InvalidEmail(Malformed::NotText).to_string(),
            "Please sign up with a valid email address."
        );
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
        assert_eq!(decide(&allowed, Some("a@example.com")), CONFIRMED);
        let always = [("AUTO_CONFIRM", "always")];
        assert_eq!(decide(&always, Some("a@any.org")), CONFIRMED);
        let never = [("ALLOWED_EMAIL_DOMAINS", "example.com")];
        assert_eq!(decide(&never, Some("a@example.com")), Ok(Decision::Accept));
        let denied_always = [("AUTO_CONFIRM", "always"), ("DENIED_EMAIL_DOMAINS", "bad.com")];
        assert_eq!(
            decide(&denied_always, Some("a@bad.com")),
            Err(Rejection::DomainNotAllowed)
        );
    }

    #[test]
    fn an_unproven_email_is_never_marked_verified() {
        let always = config(&[("AUTO_CONFIRM", "always")]).unwrap();
        for said in ["false", "FALSE", "False", " false ", "no", ""] {
            let decision = always.decide(&SignUp {
                email_verified: Some(said),
                ..sign_up(Some("a@example.com"))
            });
            assert_eq!(decision, Ok(Decision::AutoConfirm { verify_email: false }), "{said:?}");
        }
        for said in ["true", "TRUE", "True"] {
            let decision = always.decide(&SignUp {
                email_verified: Some(said),
                ..sign_up(Some("a@example.com"))
            });
            assert_eq!(decision, CONFIRMED, "{said:?}");
        }
    }

    #[test]
    fn a_federated_email_counts_as_verified_only_when_the_provider_said_exactly_true() {
        let always = config(&[("AUTO_CONFIRM", "always")]).unwrap();
        let external = |said| SignUp {
            source: Source::External,
            email_verified: said,
            ..sign_up(Some("a@example.com"))
        };
        for said in [
            None,
            Some("false"),
            Some(""),
            Some(" true"),
            Some("true "),
            Some("yes"),
            Some("1"),
        ] {
            assert_eq!(
                always.decide(&external(said)),
                Ok(Decision::AutoConfirm { verify_email: false }),
                "{said:?}"
            );
        }
        for said in ["true", "TRUE", "True"] {
            assert_eq!(always.decide(&external(Some(said))), CONFIRMED, "{said:?}");
        }
        // A native sign-up that says nothing keeps today's rule: its address counts as verified.
        assert_eq!(always.decide(&sign_up(Some("a@example.com"))), CONFIRMED);
    }

    #[test]
    fn link_external_users_reads_never_or_verified() {
        assert_eq!(config(&[]).unwrap().link_external_users, LinkExternalUsers::Never);
        assert_eq!(
            config(&[
                ("LINK_EXTERNAL_USERS", "Verified"),
                ("LINK_TRUSTED_PROVIDERS", "Google")
            ])
            .unwrap()
            .link_external_users,
            LinkExternalUsers::Verified
        );
        assert_eq!(
            config(&[("LINK_EXTERNAL_USERS", " never ")])
                .unwrap()
                .link_external_users,
            LinkExternalUsers::Never
        );
        let err = config(&[("LINK_EXTERNAL_USERS", "always")]).unwrap_err();
        assert_eq!(err.var, "LINK_EXTERNAL_USERS");
        assert!(err.to_string().contains("never, verified"), "{err}");
    }

    #[test]
    fn linking_without_trusted_providers_stops_the_start_naming_both() {
        let error = config(&[("LINK_EXTERNAL_USERS", "verified")]).unwrap_err();
        assert_eq!(error.var, "LINK_TRUSTED_PROVIDERS");
        assert!(error.to_string().contains("LINK_EXTERNAL_USERS=verified"), "{error}");
        let error = config(&[("LINK_TRUSTED_PROVIDERS", "Google")]).unwrap_err();
        assert_eq!(
            error.var, "LINK_TRUSTED_PROVIDERS",
            "a list that would be ignored is a mistake"
        );
        assert!(error.to_string().contains("LINK_EXTERNAL_USERS"), "{error}");
    }

    #[test]
    fn trusted_providers_are_names_the_pool_can_hold() {
        let linking = |names: &str| config(&[("LINK_EXTERNAL_USERS", "verified"), ("LINK_TRUSTED_PROVIDERS", names)]);
        assert_eq!(
            linking(" Google , A_SSO,Okta ").unwrap().trusted_providers,
            ["Google", "A_SSO", "Okta"]
        );
        for bad in [
            ",",
            " , ",
            "Acme_SSO",
            "_Google",
            "Go",
            "Okta SSO",
            "Okta\u{200b}",
            "Google,Google",
            "Cognito",
            "A23456789012345678901234567890123",
        ] {
            let error = linking(bad).unwrap_err();
            assert_eq!(error.var, "LINK_TRUSTED_PROVIDERS", "{bad:?}");
        }
    }

    #[test]
    fn a_domain_list_that_is_set_but_holds_no_entry_stops_the_start() {
        for (name, value) in [("ALLOWED_EMAIL_DOMAINS", ","), ("DENIED_EMAIL_DOMAINS", " , ")] {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.var, name);
            assert!(error.to_string().contains("holds no entry"), "{error}");
        }
    }

    #[test]
    fn with_linking_on_a_native_sign_up_is_confirmed_but_never_marked_verified() {
        let linking = config(&[
            ("AUTO_CONFIRM", "always"),
            ("LINK_EXTERNAL_USERS", "verified"),
            ("LINK_TRUSTED_PROVIDERS", "Google"),
        ])
        .unwrap();
        for email_verified in [None, Some("true"), Some("TRUE")] {
            let sign_up = SignUp {
                email_verified,
                ..sign_up(Some("ceo@corp.example"))
            };
            assert_eq!(
                linking.decide(&sign_up),
                Ok(Decision::AutoConfirm { verify_email: false }),
                "{email_verified:?}"
            );
        }
        let provider = SignUp {
            source: Source::External,
            email_verified: Some("true"),
            ..sign_up(Some("ceo@corp.example"))
        };
        assert_eq!(
            linking.decide(&provider),
            CONFIRMED,
            "a provider's own word still verifies its user"
        );
    }

    #[test]
    fn an_unknown_source_gets_the_lists_but_never_auto_confirm() {
        let config = config(&[
            ("ALLOWED_EMAIL_DOMAINS", "example.com"),
            ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
            ("AUTO_CONFIRM", "allowed"),
        ])
        .unwrap();
        let unknown = |email| SignUp {
            source: Source::Unknown,
            ..sign_up(email)
        };
        assert_eq!(config.decide(&unknown(Some("a@example.com"))), Ok(Decision::Accept));
        assert_eq!(
            config.decide(&unknown(Some("a@mailinator.com"))),
            Err(Rejection::DomainNotAllowed)
        );
        assert_eq!(
            config.decide(&unknown(Some("a@unlisted.org"))),
            Err(Rejection::DomainNotAllowed)
        );
        assert_eq!(config.decide(&unknown(None)), Err(Rejection::EmailRequired));
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

        let err = config(&[("DENIED_EMAIL_DOMAINS", "exam\u{AD}ple.com")]).unwrap_err();
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

    /// Characters that make domains interesting: letters of both cases, Unicode letters with
    /// and without case, separators, invisible and mapped characters, deviations.
    fn domain_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(vec!['a', 'b', 'x', 'Z', 'E', '0', '7', '-', '.', '.', '.']),
            2 => prop::sample::select(vec!['é', 'É', 'ü', 'Ü', '예', '시', 'ж', 'Ж', 'Σ', 'σ', 'İ', 'ı', 'ǅ', 'ﬁ', 'Å']),
            1 => prop::sample::select(vec![
                '\u{AD}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{34F}', '\u{200C}', '\u{200D}', 'ß', 'ς',
                '\u{3002}', '\u{FF0E}', 'ｅ', '\u{301}', ',', ';', '\0', '[', ']', ' ', '_', '@', '\u{1E9E}',
            ]),
            1 => any::<char>(),
        ]
    }

    fn domain() -> impl Strategy<Value = String> {
        prop::collection::vec(domain_char(), 1..24).prop_map(|chars| chars.into_iter().collect())
    }

    /// Each label of `given` as the matched domain holds it: ASCII lowercase, or the
    /// punycode of its lowercase Unicode form.
    fn decoded(label: &str) -> String {
        match label.strip_prefix("xn--") {
            Some(encoded) => idna::punycode::decode_to_string(encoded).expect("valid punycode"),
            None => label.to_owned(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// For any address the policy accepts, the domain matched against the lists is the
        /// address's domain after case folding and IDNA, every character kept.
        #[test]
        fn the_matched_domain_is_the_address_domain_with_nothing_dropped(domain in domain()) {
            let email = format!("a@{domain}");
            if let Ok(matched) = email_domain(&email) {
                prop_assert!(matched.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'), "{matched}");
                // Case is folded label by label: the whole string's lowercase would see `Σ` in
                // `a.Σ` as a word's final sigma (`ς`), which no label of it is.
                let folded: Vec<String> = domain.split('.').map(str::to_lowercase).collect();
                prop_assert_eq!(Some(matched.clone()), idna::domain_to_ascii(&folded.join(".")).ok());
                let given: Vec<&str> = domain.split('.').collect();
                let held: Vec<&str> = matched.split('.').collect();
                prop_assert_eq!(given.len(), held.len(), "{:?} -> {}", domain, matched);
                for (given, held) in given.iter().zip(&held) {
                    let given = given.to_lowercase();
                    prop_assert!(given == *held || given == decoded(held), "{:?} -> {}", domain, matched);
                }
            }
        }

        /// An invisible character anywhere in an accepted address makes it malformed.
        #[test]
        fn an_invisible_character_anywhere_is_refused(
            domain in domain(),
            at in any::<prop::sample::Index>(),
            invisible in prop::sample::select(vec!['\u{AD}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{200C}', '\u{200D}', '\u{34F}', '\u{180E}', '\u{FE0F}', '\u{E0041}']),
        ) {
            let email = format!("ceo@{domain}");
            if email_domain(&email).is_ok() {
                let mut chars: Vec<char> = email.chars().collect();
                let index = at.index(chars.len() + 1);
                chars.insert(index, invisible);
                let smuggled: String = chars.into_iter().collect();
                prop_assert!(email_domain(&smuggled).is_err(), "{:?}", smuggled);
            }
        }
    }
}
