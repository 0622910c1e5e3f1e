//! PKCE (RFC 7636) with the S256 method, and the random strings the login needs (the
//! verifier, `state`, `nonce`).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A PKCE pair: a random `code_verifier` the app keeps, and its S256 `code_challenge` that
/// goes into the authorize URL.
///
/// `Debug` shows the challenge (it is public) and hides the verifier. It serializes as the
/// verifier alone (the challenge follows from it), for an app's session store.
#[derive(Clone, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

/// Why a verifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    #[error("a PKCE code verifier has 43 to 128 characters (RFC 7636 4.1); this one has {0}")]
    Length(usize),
    #[error("a PKCE code verifier holds only A-Z, a-z, 0-9 and - . _ ~ (RFC 7636 4.1)")]
    Character,
}

impl Pkce {
    /// The `code_challenge_method` this crate uses. Cognito also accepts `plain`, which
    /// protects nothing against an attacker who can read the authorize URL.
    pub const METHOD: &'static str = "S256";

    /// A fresh pair from 32 bytes of the operating system's randomness.
    ///
    /// # Panics
    /// If the operating system has no random source (see [`random_string`]).
    pub fn new() -> Self {
        Self::from_random_bytes(&random_bytes())
    }

    /// The pair for a verifier made of these 32 random bytes, base64url-encoded (43
    /// characters), as RFC 7636 Appendix B does.
    pub fn from_random_bytes(bytes: &[u8; 32]) -> Self {
        Self::challenge_for(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The pair for a verifier kept from before (for example in the app's session).
    pub fn from_verifier(verifier: impl Into<String>) -> Result<Self, PkceError> {
        let verifier = verifier.into();
        if !(43..=128).contains(&verifier.len()) {
            return Err(PkceError::Length(verifier.len()));
        }
        if !verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        {
            return Err(PkceError::Character);
        }
        Ok(Self::challenge_for(verifier))
    }

    fn challenge_for(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self { verifier, challenge }
    }

    /// The `code_verifier`, sent only to the token endpoint. Never log it.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The `code_challenge`: base64url(SHA-256(verifier)).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl From<Pkce> for String {
    fn from(pkce: Pkce) -> Self {
        pkce.verifier
    }
}

impl TryFrom<String> for Pkce {
    type Error = PkceError;

    fn try_from(verifier: String) -> Result<Self, PkceError> {
        Self::from_verifier(verifier)
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &format_args!("<redacted>"))
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// 32 random bytes from the operating system, base64url-encoded (43 characters): an OAuth
/// `state`, an OIDC `nonce`, or a PKCE verifier.
///
/// # Panics
/// If the operating system has no random source (`getrandom` fails). No login can be made
/// safe without one, and there is nothing a caller could do instead.
pub fn random_string() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes())
}

fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random source failed ({error}); a login cannot be made safe without it");
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636, Appendix B: the octets, the verifier they encode to, and its S256 challenge.
    const RFC_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
        240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_7636_appendix_b_octets_give_its_verifier_and_challenge() {
        let pkce = Pkce::from_random_bytes(&RFC_OCTETS);
        assert_eq!(pkce.verifier(), RFC_VERIFIER);
        assert_eq!(pkce.challenge(), RFC_CHALLENGE);
    }

    #[test]
    fn the_rfc_7636_appendix_b_verifier_gives_its_challenge() {
        let pkce = Pkce::from_verifier(RFC_VERIFIER).unwrap();
        assert_eq!(pkce.challenge(), RFC_CHALLENGE);
    }

    #[test]
    fn fresh_pairs_are_43_characters_and_differ() {
        let (a, b) = (Pkce::new(), Pkce::new());
        assert_eq!(a.verifier().len(), 43);
        assert_ne!(a.verifier(), b.verifier());
        assert_eq!(a.challenge(), Pkce::from_verifier(a.verifier()).unwrap().challenge());
    }

    #[test]
    fn a_verifier_outside_rfc_7636_is_refused() {
        assert_eq!(Pkce::from_verifier("short").unwrap_err(), PkceError::Length(5));
        assert_eq!(
            Pkce::from_verifier("x".repeat(129)).unwrap_err(),
            PkceError::Length(129)
        );
        let with_space = format!("{} ", &RFC_VERIFIER[..42]);
        assert_eq!(Pkce::from_verifier(with_space).unwrap_err(), PkceError::Character);
    }

    #[test]
    fn debug_output_hides_the_verifier() {
        let pkce = Pkce::from_verifier(RFC_VERIFIER).unwrap();
        let shown = format!("{pkce:?}");
        assert!(!shown.contains(RFC_VERIFIER), "{shown}");
        assert!(shown.contains(RFC_CHALLENGE), "{shown}");
    }
}
