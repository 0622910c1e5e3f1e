//! Token verification with the committed test keys: a token that is right in every way but
//! one fails with the variant naming that one way.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_oauth::{Issuer, TokenUse, Verifier, VerifyError};
use common::{CLIENT_ID, TestKey, access_claims, id_claims, jwks, with};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A fixed "now", so expiry tests do not depend on the clock.
const NOW: u64 = 1_750_000_000;
const POOL: &str = "eu-west-1_AbC123xyz";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn issuer() -> Issuer {
    Issuer::aws("eu-west-1", POOL).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new(&issuer(), CLIENT_ID)
}

fn key() -> TestKey {
    TestKey::a("k1")
}

fn id(claims: Value) -> Result<cognito_oauth::Claims, VerifyError> {
    verifier().verify_id_token(&jwks(&[&key()]), &key().sign(&claims), Some("n0nce"), at(NOW))
}

fn access(claims: Value) -> Result<cognito_oauth::Claims, VerifyError> {
    verifier().verify_access_token(&jwks(&[&key()]), &key().sign(&claims), at(NOW))
}

fn valid_id() -> Value {
    id_claims(issuer().as_str(), NOW)
}

fn valid_access() -> Value {
    access_claims(issuer().as_str(), NOW)
}

#[test]
fn a_valid_id_token_verifies_and_gives_its_claims() {
    let claims = id(valid_id()).unwrap();
    assert_eq!(claims.token_use(), TokenUse::Id);
    assert_eq!(claims.subject(), "2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f");
    assert_eq!(claims.issuer(), issuer().as_str());
    assert_eq!(claims.expires_at(), NOW + 3600);
    assert_eq!(claims.email(), Some("person@example.com"));
    assert_eq!(claims.username(), Some("2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f"));
    assert_eq!(claims.groups(), ["members"]);
    #[derive(serde::Deserialize)]
    struct Mine {
        email_verified: bool,
    }
    assert!(claims.deserialize::<Mine>().unwrap().email_verified);
}

#[test]
fn a_token_signed_by_another_key_under_the_same_kid_fails_its_signature() {
    let impostor = TestKey::b("k1");
    let token = impostor.sign(&valid_id());
    let error = verifier()
        .verify_id_token(&jwks(&[&key()]), &token, Some("n0nce"), at(NOW))
        .unwrap_err();
    assert_eq!(error, VerifyError::BadSignature { kid: "k1".into() });
}

#[test]
fn a_token_whose_payload_was_altered_fails_its_signature() {
    let token = key().sign(&valid_id());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let altered = with(valid_id(), "email", json!("attacker@example.com"));
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&altered).unwrap());
    let error = verifier()
        .verify_id_token(&jwks(&[&key()]), &parts.join("."), None, at(NOW))
        .unwrap_err();
    assert_eq!(error, VerifyError::BadSignature { kid: "k1".into() });
}

#[test]
fn an_id_token_for_another_client_fails_its_audience() {
    let error = id(with(valid_id(), "aud", json!("other-client"))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongAudience {
            claim: "aud",
            expected: vec![CLIENT_ID.into()],
            found: "other-client".into()
        }
    );
}

#[test]
fn an_id_token_whose_aud_lists_this_client_among_others_fails_its_audience() {
    let error = id(with(valid_id(), "aud", json!([CLIENT_ID, "other-client"]))).unwrap_err();
    assert!(
        matches!(error, VerifyError::WrongAudience { claim: "aud", .. }),
        "{error:?}"
    );
    id(with(valid_id(), "aud", json!([CLIENT_ID]))).expect("a list of this client alone is its audience");
}

#[test]
fn a_token_from_another_issuer_fails_its_issuer() {
    let other = Issuer::aws("eu-west-1", "eu-west-1_Other1234").unwrap();
    let error = id(with(valid_id(), "iss", json!(other.as_str()))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongIssuer {
            expected: issuer().as_str().into(),
            found: other.as_str().into()
        }
    );
}

#[test]
fn an_access_token_offered_as_an_id_token_fails_its_token_use() {
    // Everything else is right for an ID token: only token_use says "access".
    let error = id(with(valid_id(), "token_use", json!("access"))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongTokenUse {
            expected: TokenUse::Id,
            found: "access".into()
        }
    );
}

#[test]
fn an_id_token_offered_as_an_access_token_fails_its_token_use() {
    let error = access(with(valid_access(), "token_use", json!("id"))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongTokenUse {
            expected: TokenUse::Access,
            found: "id".into()
        }
    );
}

#[test]
fn an_expired_token_fails_its_expiry() {
    let claims = with(with(valid_id(), "exp", json!(NOW - 3600)), "iat", json!(NOW - 7200));
    assert_eq!(
        id(claims).unwrap_err(),
        VerifyError::Expired {
            expired_at: NOW - 3600,
            now: NOW
        }
    );
}

#[test]
fn a_token_expired_within_the_leeway_passes_and_beyond_it_fails() {
    let leeway = Verifier::DEFAULT_LEEWAY.as_secs();
    id(with(valid_id(), "exp", json!(NOW - leeway))).expect("at the leeway's edge");
    assert!(matches!(
        id(with(valid_id(), "exp", json!(NOW - leeway - 1))),
        Err(VerifyError::Expired { .. })
    ));
    let strict = verifier().with_leeway(Duration::ZERO);
    let token = key().sign(&with(valid_id(), "exp", json!(NOW - 1)));
    assert!(matches!(
        strict.verify_id_token(&jwks(&[&key()]), &token, None, at(NOW)),
        Err(VerifyError::Expired { .. })
    ));
}

#[test]
fn a_token_not_yet_valid_fails_its_nbf() {
    let error = id(with(valid_id(), "nbf", json!(NOW + 600))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::NotYetValid {
            not_before: NOW + 600,
            now: NOW
        }
    );
}

#[test]
fn a_token_naming_a_key_the_jwks_lacks_fails_as_an_unknown_kid() {
    let token = TestKey::a("k2").sign(&valid_id());
    let error = verifier()
        .verify_id_token(&jwks(&[&key()]), &token, Some("n0nce"), at(NOW))
        .unwrap_err();
    assert_eq!(error, VerifyError::UnknownKeyId { kid: "k2".into() });
}

#[test]
fn an_id_token_with_another_nonce_fails_and_no_nonce_check_passes() {
    let token = key().sign(&valid_id());
    let keys = jwks(&[&key()]);
    assert_eq!(
        verifier()
            .verify_id_token(&keys, &token, Some("other"), at(NOW))
            .unwrap_err(),
        VerifyError::NonceMismatch
    );
    let without = key().sign(&with(valid_id(), "nonce", Value::Null));
    assert_eq!(
        verifier()
            .verify_id_token(&keys, &without, Some("n0nce"), at(NOW))
            .unwrap_err(),
        VerifyError::NonceMismatch
    );
    verifier()
        .verify_id_token(&keys, &without, None, at(NOW))
        .expect("no nonce asked for");
}

#[test]
fn a_valid_access_token_verifies_by_client_id_without_an_aud() {
    let claims = access(valid_access()).unwrap();
    assert_eq!(claims.token_use(), TokenUse::Access);
    assert_eq!(claims.scopes(), ["openid", "email"]);
    assert_eq!(claims.username(), Some("2f1e7c4a-6a1b-4c3d-9e8f-0a1b2c3d4e5f"));
    // With resource binding Cognito adds an `aud` naming the resource server, not the client.
    access(with(valid_access(), "aud", json!("https://api.example.com"))).expect("aud is not the client check");
}

#[test]
fn an_access_token_for_another_client_fails_its_client_id() {
    let error = access(with(valid_access(), "client_id", json!("other-client"))).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongAudience {
            claim: "client_id",
            expected: vec![CLIENT_ID.into()],
            found: "other-client".into()
        }
    );
    assert_eq!(
        access(with(valid_access(), "client_id", Value::Null)).unwrap_err(),
        VerifyError::MissingClaim("client_id")
    );
}

#[test]
fn a_token_with_another_algorithm_or_no_kid_is_refused_before_any_key_is_used() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let hmac = jsonwebtoken::encode(&header, &valid_id(), &EncodingKey::from_secret(b"guessable")).unwrap();
    assert_eq!(id_token_error(&hmac), VerifyError::UnsupportedAlgorithm("HS256".into()));
    let none = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&valid_id()).unwrap())
    );
    assert_eq!(id_token_error(&none), VerifyError::UnsupportedAlgorithm("none".into()));
    let token = key().sign_with_header(Header::new(Algorithm::RS256), &valid_id());
    assert_eq!(id_token_error(&token), VerifyError::MissingKeyId);
}

fn id_token_error(token: &str) -> VerifyError {
    verifier()
        .verify_id_token(&jwks(&[&key()]), token, None, at(NOW))
        .unwrap_err()
}

#[test]
fn a_string_that_is_not_a_jwt_is_malformed() {
    for token in ["", "abc", "a.b", "a.b.c.d", "!!.e30.c2ln", "e30..c2ln"] {
        assert!(matches!(id_token_error(token), VerifyError::Malformed(_)), "{token:?}");
    }
}

#[test]
fn a_jwks_key_that_is_not_for_rs256_signatures_is_unusable() {
    let mut jwk = key().jwk();
    jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Encryption);
    let keys = cognito_oauth::JwkSet { keys: vec![jwk] };
    let error = verifier()
        .verify_id_token(&keys, &key().sign(&valid_id()), None, at(NOW))
        .unwrap_err();
    assert!(matches!(error, VerifyError::UnusableKey { .. }), "{error:?}");
}

#[test]
fn claims_debug_output_names_personal_claims_without_their_values() {
    let claims = id(valid_id()).unwrap();
    let shown = format!("{claims:?}");
    assert!(!shown.contains("person@example.com"), "{shown}");
    assert!(shown.contains("\"email\""), "{shown}");
    let error = id(with(valid_id(), "aud", json!("other-client"))).unwrap_err();
    assert!(!format!("{error} {error:?}").contains("eyJ"), "no token in errors");
}

#[test]
fn a_long_kid_finds_its_key_though_errors_quote_only_its_start() {
    let long = "k".repeat(150);
    let signer = TestKey::a(&long);
    let token = signer.sign(&valid_id());
    verifier()
        .verify_id_token(&jwks(&[&signer]), &token, None, at(NOW))
        .expect("the full kid is looked up");
    let error = verifier()
        .verify_id_token(&jwks(&[&key()]), &token, None, at(NOW))
        .unwrap_err();
    let VerifyError::UnknownKeyId { kid } = error else {
        panic!("{error:?}")
    };
    assert_eq!(kid, format!("{}…", "k".repeat(100)));
}

#[test]
fn a_verifier_for_several_clients_accepts_each_ones_tokens_and_refuses_the_rest() {
    let verifier = Verifier::for_clients(&issuer(), ["web-client", CLIENT_ID]);
    let keys = jwks(&[&key()]);
    for client in ["web-client", CLIENT_ID] {
        let token = key().sign(&with(valid_access(), "client_id", json!(client)));
        verifier.verify_access_token(&keys, &token, at(NOW)).expect(client);
        let id_token = key().sign(&with(valid_id(), "aud", json!(client)));
        verifier.verify_id_token(&keys, &id_token, None, at(NOW)).expect(client);
    }
    let other = key().sign(&with(valid_access(), "client_id", json!("stranger")));
    let error = verifier.verify_access_token(&keys, &other, at(NOW)).unwrap_err();
    assert_eq!(
        error,
        VerifyError::WrongAudience {
            claim: "client_id",
            expected: vec!["web-client".into(), CLIENT_ID.into()],
            found: "stranger".into()
        }
    );
    assert!(!error.is_insufficient());
}

#[test]
fn an_access_token_without_a_required_scope_is_refused_as_insufficient_and_naming_it() {
    let keys = jwks(&[&key()]);
    let token = key().sign(&valid_access()); // scope "openid email"
    let needs = |scopes: &[&str]| verifier().require_scopes(scopes.iter().copied());
    needs(&["openid", "email"])
        .verify_access_token(&keys, &token, at(NOW))
        .expect("both scopes are there");
    let error = needs(&["openid", "orders/read"])
        .verify_access_token(&keys, &token, at(NOW))
        .unwrap_err();
    assert_eq!(
        error,
        VerifyError::MissingScope {
            missing: "orders/read".into(),
            required: vec!["openid".into(), "orders/read".into()],
            found: vec!["openid".into(), "email".into()],
        }
    );
    assert!(error.is_insufficient());
    // ID tokens carry no scope: the requirement is for access tokens.
    needs(&["orders/read"])
        .verify_id_token(&keys, &key().sign(&valid_id()), None, at(NOW))
        .expect("an ID token is not checked for scopes");
}

#[test]
fn a_token_of_a_user_outside_a_required_group_is_refused_as_insufficient() {
    let keys = jwks(&[&key()]);
    let members = verifier().require_groups(["members"]);
    members
        .verify_access_token(&keys, &key().sign(&valid_access()), at(NOW))
        .expect("the user is in members");
    let admins = verifier().require_groups(["members", "admins"]);
    let error = admins
        .verify_id_token(&keys, &key().sign(&valid_id()), None, at(NOW))
        .unwrap_err();
    assert_eq!(
        error,
        VerifyError::MissingGroup {
            missing: "admins".into(),
            required: vec!["members".into(), "admins".into()]
        }
    );
    let no_groups = key().sign(&with(valid_access(), "cognito:groups", Value::Null));
    assert!(
        members
            .verify_access_token(&keys, &no_groups, at(NOW))
            .unwrap_err()
            .is_insufficient()
    );
}

#[test]
fn an_expired_token_is_invalid_even_when_scopes_are_also_missing() {
    let expired = key().sign(&with(valid_access(), "exp", json!(NOW - 3600)));
    let error = verifier()
        .require_scopes(["orders/read"])
        .verify_access_token(&jwks(&[&key()]), &expired, at(NOW))
        .unwrap_err();
    assert!(matches!(error, VerifyError::Expired { .. }), "{error:?}");
    assert!(!error.is_insufficient());
}
