//! Test-only signing: the committed test keys (tests/keys/, never used elsewhere), their JWKs,
//! and Cognito-shaped ID and access tokens signed with them.

#![allow(dead_code)] // each test file uses part of this

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_oauth::JwkSet;
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "client123";

/// A test key: the RSA private key and the `kid` its JWK carries.
pub struct TestKey {
    encoding: EncodingKey,
    pub kid: String,
}

/// PKCS#1 PEM to DER: the base64 between the armour lines.
fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    STANDARD.decode(body).expect("a test key is base64 PEM")
}

impl TestKey {
    pub fn a(kid: &str) -> Self {
        Self::from_pem(include_str!("../keys/test-key-a.pem"), kid)
    }

    pub fn b(kid: &str) -> Self {
        Self::from_pem(include_str!("../keys/test-key-b.pem"), kid)
    }

    fn from_pem(pem: &str, kid: &str) -> Self {
        Self {
            encoding: EncodingKey::from_rsa_der(&pem_to_der(pem)),
            kid: kid.to_owned(),
        }
    }

    /// The public key as the pool's JWKS lists it.
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, Algorithm::RS256).expect("an RSA test key");
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk
    }

    /// Signs these claims with RS256 and this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        self.sign_with_header(header, claims)
    }

    /// Signs these claims with this key under any header.
    pub fn sign_with_header(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing with a test key")
    }
}

pub fn jwks(keys: &[&TestKey]) -> JwkSet {
    JwkSet {
        keys: keys.iter().map(|k| k.jwk()).collect(),
    }
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The claims of a Cognito ID token from a hosted-UI sign-in, valid for an hour from `now`.
pub fn id_claims(issuer: &str, now: u64) -> Value {
    json!({
        "sub": "2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f",
        "cognito:groups": ["members"],
        "email_verified": true,
        "iss": issuer,
        "cognito:username": "2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f",
        "origin_jti": "6c1b5c1e-1111-2222-3333-444455556666",
        "aud": CLIENT_ID,
        "event_id": "9a8b7c6d-aaaa-bbbb-cccc-ddddeeeeffff",
        "token_use": "id",
        "auth_time": now,
        "nonce": "n0nce",
        "exp": now + 3600,
        "iat": now,
        "jti": "0f0e0d0c-1234-5678-9abc-def012345678",
        "email": "person@example.com"
    })
}

/// The claims of a Cognito access token: the client in `client_id`, no `aud`.
pub fn access_claims(issuer: &str, now: u64) -> Value {
    json!({
        "sub": "2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f",
        "cognito:groups": ["members"],
        "iss": issuer,
        "version": 2,
        "client_id": CLIENT_ID,
        "origin_jti": "6c1b5c1e-1111-2222-3333-444455556666",
        "event_id": "9a8b7c6d-aaaa-bbbb-cccc-ddddeeeeffff",
        "token_use": "access",
        "scope": "openid email",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": "1f0e0d0c-1234-5678-9abc-def012345678",
        "username": "2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f"
    })
}

/// `claims` with `name` set to `value` (or removed, for `Value::Null`).
pub fn with(mut claims: Value, name: &str, value: Value) -> Value {
    let map = claims.as_object_mut().unwrap();
    if value.is_null() {
        map.remove(name);
    } else {
        map.insert(name.to_owned(), value);
    }
    claims
}
