//! Address syntax as plain data: which email addresses are well formed, the canonical
//! domain the lists are matched against, and the list entries (`example.com`,
//! `*.example.com`) themselves.
//!
//! Whoever signs up chooses the address, so it is read adversarially: an address is refused
//! unless the domain the lists are matched against is exactly the domain it shows, and the
//! domain mail to it would go to, whoever reads it.

use std::fmt;

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// RFC 5321's limit on the part before the `@`, in bytes.
const LOCAL_PART_MAX: usize = 64;

/// The deviation characters of UTS #46: IDNA2003 and IDNA2008 map them differently (`ß` to
/// `ss` or kept), so the domain a mail server resolves may not be the one the lists matched.
const DEVIATIONS: [char; 4] = ['\u{DF}', '\u{3C2}', '\u{200C}', '\u{200D}'];

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
    pub(crate) fn matches(&self, domain: &str) -> bool {
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
/// ever sees [`crate::Rejection::InvalidEmail`]'s one message.
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
