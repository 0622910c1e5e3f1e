//! Verification of the pool's ID and access tokens, pure over a JWKS and a clock: the RS256
//! signature with the key the token's `kid` names, then `token_use`, `iss`, the audience
//! (`aud` for ID tokens, `client_id` for access tokens), `exp` and `nbf` with a small leeway,
//! and the `nonce` of an ID token.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::endpoints::Issuer;
use crate::token::excerpt;

/// Which of the pool's two JWTs a token is, from its `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// `id`: who the user is, for the app (audience: the client id in `aud`).
    Id,
    /// `access`: what the bearer may do, for an API (the client id in `client_id`).
    Access,
}

impl TokenUse {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    /// The claim that names the client the token was issued to.
    fn audience_claim(self) -> &'static str {
        match self {
            TokenUse::Id => "aud",
            TokenUse::Access => "client_id",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a token was refused. Each check has its own variant, so a caller (and a test) can tell
/// which one failed. Values quoted from the token are shortened; the token itself never
/// appears.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(&'static str),
    #[error("the token is signed with {0:?}; only RS256 (what Cognito uses) is accepted")]
    UnsupportedAlgorithm(String),
    #[error("the token's header names no key (`kid`)")]
    MissingKeyId,
    #[error("the pool's JWKS has no key {kid:?}: the token is not from this pool, or the keys are stale")]
    UnknownKeyId { kid: String },
    #[error("the JWKS key {kid:?} cannot verify an RS256 signature: {reason}")]
    UnusableKey { kid: String, reason: &'static str },
    #[error(
        "the token's signature does not verify with the pool's key {kid:?}: it was altered or signed by another key"
    )]
    BadSignature { kid: String },
    #[error("the token has no `{0}` claim")]
    MissingClaim(&'static str),
    #[error("the token's `{0}` claim has the wrong type")]
    InvalidClaim(&'static str),
    #[error("the token is an {found:?} token, not an {expected} token (`token_use`)")]
    WrongTokenUse { expected: TokenUse, found: String },
    #[error("the token was issued by {found:?}, not by {expected:?} (`iss`)")]
    WrongIssuer { expected: String, found: String },
    #[error("the token was issued to {found:?}, not to the app clients {expected:?} (`{claim}`)")]
    WrongAudience {
        claim: &'static str,
        /// The client ids the verifier accepts.
        expected: Vec<String>,
        found: String,
    },
    #[error("the access token lacks the scope {missing:?} (it has {found:?}); every one of {required:?} is required")]
    MissingScope {
        missing: String,
        required: Vec<String>,
        found: Vec<String>,
    },
    #[error("the user is not in the group {missing:?} (`cognito:groups`); every one of {required:?} is required")]
    MissingGroup { missing: String, required: Vec<String> },
    #[error("the token expired at {expired_at} (Unix time); it is now {now}, beyond the leeway")]
    Expired { expired_at: u64, now: u64 },
    #[error("the token is not valid before {not_before} (Unix time); it is now {now}, beyond the leeway")]
    NotYetValid { not_before: u64, now: u64 },
    #[error("the ID token's nonce is not the one this login sent: it was issued for another login")]
    NonceMismatch,
}

impl VerifyError {
    /// Whether the token itself is valid and only lacks a required scope or group: an API
    /// answers 403 `insufficient_scope` for these and 401 `invalid_token` for the others
    /// (RFC 6750 3.1).
    pub fn is_insufficient(&self) -> bool {
        match self {
            VerifyError::MissingScope { .. } | VerifyError::MissingGroup { .. } => true,
            VerifyError::Malformed(_)
            | VerifyError::UnsupportedAlgorithm(_)
            | VerifyError::MissingKeyId
            | VerifyError::UnknownKeyId { .. }
            | VerifyError::UnusableKey { .. }
            | VerifyError::BadSignature { .. }
            | VerifyError::MissingClaim(_)
            | VerifyError::InvalidClaim(_)
            | VerifyError::WrongTokenUse { .. }
            | VerifyError::WrongIssuer { .. }
            | VerifyError::WrongAudience { .. }
            | VerifyError::Expired { .. }
            | VerifyError::NotYetValid { .. }
            | VerifyError::NonceMismatch => false,
        }
    }
}

/// Checks the pool's tokens for one app client (or several), optionally requiring scopes and
/// groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    issuer: String,
    client_ids: Vec<String>,
    required_scopes: Vec<String>,
    required_groups: Vec<String>,
    leeway: Duration,
}

impl Verifier {
    /// How far past `exp` (or before `nbf`) a token is still accepted, for clocks that
    /// disagree a little. Cognito's tokens live 5 minutes to 1 day, so 30 seconds is small.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// Tokens from this issuer, for this app client, with [`DEFAULT_LEEWAY`](Self::DEFAULT_LEEWAY).
    pub fn new(issuer: &Issuer, client_id: impl Into<String>) -> Self {
        Self::for_clients(issuer, [client_id])
    }

    /// Tokens from this issuer for any of these app clients: an API that serves a web app,
    /// a mobile app and a machine client of the same pool accepts each one's tokens.
    pub fn for_clients<S: Into<String>>(issuer: &Issuer, client_ids: impl IntoIterator<Item = S>) -> Self {
        Self {
            issuer: issuer.as_str().to_owned(),
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            required_scopes: Vec::new(),
            required_groups: Vec::new(),
            leeway: Self::DEFAULT_LEEWAY,
        }
    }

    /// Access tokens must carry every one of these scopes (`scope`), such as
    /// `orders/read` from a resource server, or `openid`. (aws-jwt-verify accepts any one of
    /// its list; an API route that needs two permissions asks for both here.) ID tokens have
    /// no `scope` and are not checked for it.
    pub fn require_scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        Self {
            required_scopes: scopes.into_iter().map(Into::into).collect(),
            ..self
        }
    }

    /// Tokens (ID and access) must list every one of these groups in `cognito:groups`.
    pub fn require_groups<S: Into<String>>(self, groups: impl IntoIterator<Item = S>) -> Self {
        Self {
            required_groups: groups.into_iter().map(Into::into).collect(),
            ..self
        }
    }

    /// The app clients whose tokens are accepted.
    pub fn client_ids(&self) -> &[String] {
        &self.client_ids
    }

    /// The scopes an access token must carry.
    pub fn required_scopes(&self) -> &[String] {
        &self.required_scopes
    }

    /// Another leeway for `exp` and `nbf`.
    pub fn with_leeway(self, leeway: Duration) -> Self {
        Self { leeway, ..self }
    }

    /// Verifies an ID token: signature, `token_use` = `id`, `iss`, `aud` = the client id,
    /// `exp`, `nbf`, and, when `nonce` is given, that the token carries it.
    ///
    /// Pass the [`PendingLogin::nonce`](crate::PendingLogin::nonce) of the login that got
    /// the token; pass `None` for a token from a refresh (Cognito does not repeat the nonce)
    /// or from a server that does not echo it (cognito-local).
    pub fn verify_id_token(
        &self,
        keys: &JwkSet,
        token: &str,
        nonce: Option<&str>,
        now: SystemTime,
    ) -> Result<Claims, VerifyError> {
        let claims = self.verify(keys, token, TokenUse::Id, now)?;
        if let Some(expected) = nonce {
            let found = claims.get("nonce").and_then(Value::as_str);
            if found != Some(expected) {
                return Err(VerifyError::NonceMismatch);
            }
        }
        Ok(claims)
    }

    /// Verifies an access token: signature, `token_use` = `access`, `iss`, `client_id` = one
    /// of the client ids (Cognito's access tokens have no `aud`), `exp` and `nbf`, then the
    /// required scopes and groups.
    pub fn verify_access_token(&self, keys: &JwkSet, token: &str, now: SystemTime) -> Result<Claims, VerifyError> {
        self.verify(keys, token, TokenUse::Access, now)
    }

    fn verify(&self, keys: &JwkSet, token: &str, expected: TokenUse, now: SystemTime) -> Result<Claims, VerifyError> {
        let parts = Parts::split(token)?;
        let header = parts.header()?;
        let kid = check_header(&header)?;
        // The full kid finds the key; errors quote at most 100 characters of it.
        let shown = excerpt(&kid, 100);
        let jwk = keys
            .find(&kid)
            .ok_or_else(|| VerifyError::UnknownKeyId { kid: shown.clone() })?;
        let key = usable_key(&shown, jwk)?;
        let signed = &token[..parts.signed_len];
        let valid = jsonwebtoken::crypto::verify(parts.signature, signed.as_bytes(), &key, Algorithm::RS256)
            .map_err(|_| VerifyError::Malformed("the signature is not base64url"))?;
        if !valid {
            return Err(VerifyError::BadSignature { kid: shown });
        }
        let claims = parts.claims()?;
        self.check_claims(claims, expected, unix_seconds(now))
    }

    fn check_claims(&self, map: Map<String, Value>, expected: TokenUse, now: u64) -> Result<Claims, VerifyError> {
        let string = |name: &'static str| match map.get(name) {
            None => Err(VerifyError::MissingClaim(name)),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(VerifyError::InvalidClaim(name)),
        };
        let token_use = string("token_use")?;
        if token_use != expected.as_str() {
            return Err(VerifyError::WrongTokenUse {
                expected,
                found: excerpt(&token_use, 32),
            });
        }
        let issuer = string("iss")?;
        if issuer != self.issuer {
            return Err(VerifyError::WrongIssuer {
                expected: self.issuer.clone(),
                found: excerpt(&issuer, 200),
            });
        }
        let claim = expected.audience_claim();
        let audience = match (expected, map.get(claim)) {
            (_, None) => return Err(VerifyError::MissingClaim(claim)),
            (_, Some(Value::String(s))) => s.clone(),
            // OIDC allows `aud` to be a list; only a list of exactly this client is accepted,
            // since a token for several audiences is not this client's alone.
            (TokenUse::Id, Some(Value::Array(list))) => match list.as_slice() {
                [Value::String(s)] => s.clone(),
                _ => serde_json::to_string(list).unwrap_or_default(),
            },
            (_, Some(_)) => return Err(VerifyError::InvalidClaim(claim)),
        };
        if !self.client_ids.contains(&audience) {
            return Err(VerifyError::WrongAudience {
                claim,
                expected: self.client_ids.clone(),
                found: excerpt(&audience, 200),
            });
        }
        let leeway = self.leeway.as_secs();
        let expires_at = numeric_date(&map, "exp")?.ok_or(VerifyError::MissingClaim("exp"))?;
        if now > expires_at.saturating_add(leeway) {
            return Err(VerifyError::Expired {
                expired_at: expires_at,
                now,
            });
        }
        if let Some(not_before) = numeric_date(&map, "nbf")?
            && now.saturating_add(leeway) < not_before
        {
            return Err(VerifyError::NotYetValid { not_before, now });
        }
        let subject = string("sub")?;
        let claims = Claims {
            token_use: expected,
            issuer,
            subject,
            expires_at,
            map,
        };
        // Scopes and groups last: a token that fails them is otherwise valid, which is what
        // tells a 403 (insufficient_scope) from a 401 (invalid_token).
        if expected == TokenUse::Access {
            let found = claims.scopes();
            if let Some(missing) = self.required_scopes.iter().find(|s| !found.contains(&s.as_str())) {
                return Err(VerifyError::MissingScope {
                    missing: missing.clone(),
                    required: self.required_scopes.clone(),
                    found: found.iter().map(|s| excerpt(s, 100)).collect(),
                });
            }
        }
        let groups = claims.groups();
        if let Some(missing) = self.required_groups.iter().find(|g| !groups.contains(&g.as_str())) {
            return Err(VerifyError::MissingGroup {
                missing: missing.clone(),
                required: self.required_groups.clone(),
            });
        }
        Ok(claims)
    }
}

/// The key id a token's header names, read without verifying anything (to decide whether
/// the cached JWKS can verify it).
pub fn key_id(token: &str) -> Result<String, VerifyError> {
    check_header(&Parts::split(token)?.header()?)
}

/// The three base64url parts of a compact JWS.
struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    /// The length of `header.payload`, the signed input.
    signed_len: usize,
}

impl<'a> Parts<'a> {
    fn split(token: &'a str) -> Result<Self, VerifyError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::Malformed("a JWT has three parts separated by dots"));
        };
        if header.is_empty() || payload.is_empty() || signature.is_empty() {
            return Err(VerifyError::Malformed("a part is empty"));
        }
        Ok(Self {
            header,
            payload,
            signature,
            signed_len: header.len() + 1 + payload.len(),
        })
    }

    fn header(&self) -> Result<Map<String, Value>, VerifyError> {
        decode_object(self.header, "the header is not a base64url JSON object")
    }

    fn claims(&self) -> Result<Map<String, Value>, VerifyError> {
        decode_object(self.payload, "the payload is not a base64url JSON object")
    }
}

fn decode_object(part: &str, error: &'static str) -> Result<Map<String, Value>, VerifyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| VerifyError::Malformed(error))?;
    serde_json::from_slice(&bytes).map_err(|_| VerifyError::Malformed(error))
}

/// Checks the header's `alg` and `crit` and returns its `kid`.
fn check_header(header: &Map<String, Value>) -> Result<String, VerifyError> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => {}
        Some(Value::String(alg)) => return Err(VerifyError::UnsupportedAlgorithm(excerpt(alg, 16))),
        _ => return Err(VerifyError::Malformed("the header has no `alg`")),
    }
    // RFC 7515 4.1.11: a token with critical extensions we do not implement must be refused.
    if header.contains_key("crit") {
        return Err(VerifyError::Malformed(
            "the header has `crit` extensions, which are not supported",
        ));
    }
    match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => Ok(kid.clone()),
        Some(Value::String(_)) | None => Err(VerifyError::MissingKeyId),
        Some(_) => Err(VerifyError::Malformed("the header's `kid` is not a string")),
    }
}

fn usable_key(kid: &str, jwk: &jsonwebtoken::jwk::Jwk) -> Result<DecodingKey, VerifyError> {
    let unusable = |reason| VerifyError::UnusableKey {
        kid: kid.to_owned(),
        reason,
    };
    let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        return Err(unusable("it is not an RSA key"));
    };
    match jwk.common.key_algorithm {
        None | Some(KeyAlgorithm::RS256) => {}
        Some(_) => return Err(unusable("its `alg` is not RS256")),
    }
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err(unusable("its `use` is not `sig`")),
    }
    DecodingKey::from_rsa_components(&rsa.n, &rsa.e).map_err(|_| unusable("its `n` or `e` is not base64url"))
}

/// A NumericDate claim (RFC 7519 2): seconds since the epoch, possibly with a fraction.
fn numeric_date(map: &Map<String, Value>, name: &'static str) -> Result<Option<u64>, VerifyError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(seconds), _) => Ok(Some(seconds)),
            (None, Some(seconds)) if seconds.is_finite() && seconds >= 0.0 => Ok(Some(seconds as u64)),
            _ => Err(VerifyError::InvalidClaim(name)),
        },
        Some(_) => Err(VerifyError::InvalidClaim(name)),
    }
}

fn unix_seconds(now: SystemTime) -> u64 {
    // A clock before 1970 makes every token look issued in the future; zero keeps `exp`
    // checks meaningful instead of panicking.
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A verified token's claims.
///
/// `Debug` shows the token use, subject, issuer and expiry, and only the names of the other
/// claims, since they hold personal data (email, phone number, username). Serializing
/// writes every claim.
#[derive(Clone)]
pub struct Claims {
    token_use: TokenUse,
    issuer: String,
    subject: String,
    expires_at: u64,
    map: Map<String, Value>,
}

impl Claims {
    pub fn token_use(&self) -> TokenUse {
        self.token_use
    }

    /// `sub`: the user's stable, unique id in the pool.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `exp`, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// The user name: `cognito:username` in an ID token, `username` in an access token.
    pub fn username(&self) -> Option<&str> {
        let name = match self.token_use {
            TokenUse::Id => "cognito:username",
            TokenUse::Access => "username",
        };
        self.get(name).and_then(Value::as_str)
    }

    /// `email` (ID tokens with the `email` scope).
    pub fn email(&self) -> Option<&str> {
        self.get("email").and_then(Value::as_str)
    }

    /// `cognito:groups`: the user's groups, empty when the user is in none.
    pub fn groups(&self) -> Vec<&str> {
        self.get("cognito:groups")
            .and_then(Value::as_array)
            .map(|groups| groups.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `scope`, split on spaces (access tokens).
    pub fn scopes(&self) -> Vec<&str> {
        self.get("scope")
            .and_then(Value::as_str)
            .map(|scope| scope.split(' ').filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    /// Any claim, by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// Every claim.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The claims as the app's own type.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(Value::Object(self.map.clone()))
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: [&str; 4] = ["token_use", "sub", "iss", "exp"];
        let others: Vec<&str> = self
            .map
            .keys()
            .map(String::as_str)
            .filter(|name| !SHOWN.contains(name))
            .collect();
        f.debug_struct("Claims")
            .field("token_use", &self.token_use)
            .field("sub", &self.subject)
            .field("iss", &self.issuer)
            .field("exp", &self.expires_at)
            .field("other_claims", &others)
            .finish()
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}
