//! The local stand-in for Google (`tools/google_provider.mjs` on `oidc-provider`, started by
//! `local::google::LocalGoogle`) is an OpenID provider as Cognito meets Google: discovery,
//! JWKS, the authorization-code flow with PKCE required, and RS256 ID tokens carrying
//! `sub`, `email`, `email_verified` and `name` for whoever is typed into its one form.

use cognito_oauth::{JwkSet, Pkce, Url};
use e2e::Tools;
use e2e::local::google::{LOCAL_CLIENT_ID, LocalGoogle, Person, sign_in};
use harness::Port;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Where the provider sends the browser back; nothing listens there, and nothing needs to:
/// the redirect itself carries the code.
const REDIRECT: &str = "http://127.0.0.1:9/oauth2/idpresponse";

fn started(dir: &std::path::Path) -> LocalGoogle {
    let port = Port::reserve().unwrap();
    let mut google = LocalGoogle::configure(dir, &port, LOCAL_CLIENT_ID, &[REDIRECT.to_owned()]).unwrap();
    google.start(&Tools::default()).unwrap();
    google
        .wait_ready(port)
        .unwrap_or_else(|e| panic!("{e}\n{}", google.output()));
    google
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

fn get_json(url: &str) -> Value {
    let mut answer = agent().get(url).call().unwrap();
    assert_eq!(answer.status().as_u16(), 200, "{url}");
    serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap()
}

fn authorize(google: &LocalGoogle, pkce: Option<&Pkce>, state: &str, nonce: &str) -> String {
    let mut url = Url::parse(&format!("{}/auth", google.issuer())).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &google.client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email profile")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("state", state)
        .append_pair("nonce", nonce);
    if let Some(pkce) = pkce {
        url.query_pairs_mut()
            .append_pair("code_challenge", pkce.challenge())
            .append_pair("code_challenge_method", "S256");
    }
    url.into()
}

fn query(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The token endpoint's answer to a code exchange: status and JSON body.
fn exchange(google: &LocalGoogle, code: &str, verifier: &str) -> (u16, Value) {
    let mut answer = agent()
        .post(format!("{}/token", google.issuer()))
        .send_form([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", google.client_id.as_str()),
            ("client_secret", google.client_secret()),
            ("code_verifier", verifier),
        ])
        .unwrap();
    let status = answer.status().as_u16();
    (
        status,
        serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap(),
    )
}

/// Signs `person` in and returns the ID token's claims, verified with the provider's JWKS.
fn id_token_of(google: &LocalGoogle, person: &Person<'_>) -> serde_json::Map<String, Value> {
    let pkce = Pkce::new();
    let callback = sign_in(&authorize(google, Some(&pkce), "state-1", "nonce-1"), person, REDIRECT).unwrap();
    assert_eq!(query(&callback, "state").as_deref(), Some("state-1"), "{callback}");
    let code = query(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
    let (status, tokens) = exchange(google, &code, pkce.verifier());
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["id_token"].as_str().expect("an id_token");
    let jwks: JwkSet = serde_json::from_value(get_json(&format!("{}/jwks", google.issuer()))).unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.expect("a kid");
    let jwk = jwks.find(&kid).expect("the token's key is in the JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[LOCAL_CLIENT_ID]);
    validation.set_issuer(&[google.issuer()]);
    let claims = jsonwebtoken::decode::<serde_json::Map<String, Value>>(
        token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["nonce"], "nonce-1");
    claims
}

#[test]
fn the_local_google_describes_itself_and_requires_pkce_with_s256() {
    let dir = tempfile::tempdir().unwrap();
    let google = started(dir.path());
    let discovery = get_json(&format!("{}/.well-known/openid-configuration", google.issuer()));
    assert_eq!(discovery["issuer"], google.issuer());
    assert_eq!(discovery["authorization_endpoint"], format!("{}/auth", google.issuer()));
    assert_eq!(discovery["token_endpoint"], format!("{}/token", google.issuer()));
    assert_eq!(discovery["jwks_uri"], format!("{}/jwks", google.issuer()));
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let keys = get_json(&format!("{}/jwks", google.issuer()));
    assert_eq!(keys["keys"][0]["alg"], "RS256");
    assert!(
        keys["keys"][0].get("d").is_none(),
        "no private part in the JWKS: {keys}"
    );

    // Without a code challenge the provider refuses to start the flow.
    let person = Person {
        email: "ann@example.com",
        name: None,
        email_verified: true,
    };
    let refused = sign_in(&authorize(&google, None, "state-2", "nonce-2"), &person, REDIRECT).unwrap();
    assert_eq!(
        query(&refused, "error").as_deref(),
        Some("invalid_request"),
        "{refused}"
    );
    assert!(query(&refused, "code").is_none(), "{refused}");

    // A code is bound to its verifier: another verifier gets invalid_grant.
    let pkce = Pkce::new();
    let callback = sign_in(
        &authorize(&google, Some(&pkce), "state-3", "nonce-3"),
        &person,
        REDIRECT,
    )
    .unwrap();
    let code = query(&callback, "code").unwrap();
    let (status, answer) = exchange(&google, &code, Pkce::new().verifier());
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_grant")),
        "{answer}"
    );
}

#[test]
fn the_local_google_signs_in_whoever_is_typed_in_with_a_stable_sub_and_the_form_s_verification() {
    let dir = tempfile::tempdir().unwrap();
    let google = started(dir.path());
    let ann = id_token_of(
        &google,
        &Person {
            email: "ann@example.com",
            name: Some("Ann Lee"),
            email_verified: true,
        },
    );
    assert_eq!(ann["email"], "ann@example.com");
    assert_eq!(ann["email_verified"], true);
    assert_eq!(ann["name"], "Ann Lee");
    let sub = ann["sub"].as_str().unwrap();
    assert!(sub.len() == 21 && sub.bytes().all(|b| b.is_ascii_digit()), "{sub}");

    // The same address is the same account; the box makes the address unverified, and no
    // name means no `name` claim.
    let again = id_token_of(
        &google,
        &Person {
            email: "Ann@Example.com",
            name: None,
            email_verified: false,
        },
    );
    assert_eq!(again["sub"], ann["sub"]);
    assert_eq!(again["email_verified"], false);
    assert!(again.get("name").is_none(), "{again:?}");

    let bob = id_token_of(
        &google,
        &Person {
            email: "bob@example.com",
            name: None,
            email_verified: true,
        },
    );
    assert_ne!(bob["sub"], ann["sub"]);
}
