//! Federation in the local stack (patches in `tools/cognito_local.js`, against the local
//! Google of `tools/google_provider.mjs`), each answering as Cognito does:
//!
//! - `/oauth2/authorize?identity_provider=Google` sends the browser to the provider, and
//!   `/oauth2/idpresponse` brings a new person back as the user `Google_<sub>` (status
//!   `EXTERNAL_PROVIDER`, `identities` set) made through PreSignUp_ExternalProvider and
//!   PostConfirmation (the `members` group), with a code for the app; its ID token carries
//!   the mapped `name` and `identities`, as Cognito's does;
//! - with linking on, the first sign-in of a verified native user's address ends with the
//!   pre-signup function's sentence on the callback, and the next one signs in as that user;
//! - a `state` Cognito did not issue gets 400 and no redirect; an ID token whose signature
//!   does not verify, and a provider the client does not list, end on the app's callback
//!   with `error=invalid_request` and Cognito's description.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
use base64::Engine;
use cognito_oauth::blocking::Client;
use cognito_oauth::{AuthorizeOptions, CallbackError, Endpoints, OAuthClient, Tokens};
use common::{admin_get_user, confirm_sign_up, sign_up, start, user_attribute, usernames};
use e2e::Stack;
use e2e::local::demo::fresh_email;
use e2e::local::google::{Person, sign_in};
use serde_json::{Map, Value};

fn oauth(stack: &Stack) -> OAuthClient {
    let endpoints = Endpoints::emulator(&stack.hosted_ui(), &stack.outputs.user_pool_id).unwrap();
    OAuthClient::new(endpoints, stack.client_id(), stack.redirect_uri())
}

fn options(provider: &str) -> AuthorizeOptions {
    AuthorizeOptions::scopes(["openid", "email", "profile"]).identity_provider(provider)
}

/// One sign-in through `provider` as `person`: the tokens, or how the callback ended it.
fn google_sign_in(stack: &Stack, provider: &str, person: &Person<'_>) -> Result<Tokens, CallbackError> {
    let client = Client::new(oauth(stack));
    let (authorize, pending) = client.oauth().start_login(&options(provider));
    let callback = sign_in(authorize.as_str(), person, stack.redirect_uri()).unwrap();
    let code = pending.code_from_callback(&callback)?;
    Ok(client.exchange_code(&code, &pending).unwrap())
}

fn claims(tokens: &Tokens) -> Map<String, Value> {
    let token = tokens.id_token.as_ref().expect("an ID token");
    let payload = token.secret().split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn description(error: CallbackError) -> String {
    match error {
        CallbackError::Denied { error, description } => {
            assert_eq!(error, "invalid_request");
            description.unwrap_or_default()
        }
        other => panic!("expected an error on the callback, got {other:?}"),
    }
}

/// A native user of `email`, signed up and confirmed with the emailed code (its address
/// verified); its `sub`, as AdminGetUser reports it.
async fn native_user(stack: &Stack, email: &str) -> String {
    sign_up(stack, email, &[]).await.unwrap();
    let code = stack.local.delivery_to(email, 0).expect("the SignUp email").code;
    confirm_sign_up(stack, email, &code).await.unwrap();
    user_attribute(stack, email, "sub").await.unwrap()
}

#[tokio::test]
async fn a_new_person_signs_in_with_google_as_a_user_of_their_own_made_by_the_triggers() {
    let (_dir, stack) = start(&[]).await;
    let email = fresh_email("google", "example.com");
    let person = Person {
        email: &email,
        name: Some("Ada Google"),
        email_verified: true,
    };
    let tokens = google_sign_in(&stack, "Google", &person).unwrap();
    let first = claims(&tokens);
    let username = first["cognito:username"].as_str().unwrap().to_owned();
    assert!(username.starts_with("Google_"), "{username}");
    assert_eq!(first["email"], email.as_str());
    assert_eq!(first["cognito:groups"], serde_json::json!(["members"]));
    // Cognito's ID token carries the attributes the provider's mapping made and the
    // identity, its values all strings.
    assert_eq!(
        first["name"], "Ada Google",
        "the provider's name, by its attribute mapping"
    );
    assert_eq!(first["email_verified"], true);
    let identity = &first["identities"][0];
    assert_eq!(identity["providerName"], "Google", "{first:?}");
    assert_eq!(identity["providerType"], "Google");
    assert_eq!(identity["primary"], "true");
    assert_eq!(identity["issuer"], Value::Null);
    assert!(
        identity["dateCreated"]
            .as_str()
            .is_some_and(|d| d.parse::<u64>().is_ok()),
        "{identity}"
    );
    assert_eq!(format!("Google_{}", identity["userId"].as_str().unwrap()), username);

    let user = admin_get_user(&stack, &username).await;
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("EXTERNAL_PROVIDER"));

    // The same person again is the same user, not a second one.
    let again = claims(&google_sign_in(&stack, "Google", &person).unwrap());
    assert_eq!(again["sub"], first["sub"]);
}

#[tokio::test]
async fn with_linking_on_a_verified_native_user_s_google_sign_in_fails_once_then_lands_on_the_same_sub() {
    let env = [
        ("LINK_EXTERNAL_USERS", "verified"),
        ("LINK_TRUSTED_PROVIDERS", "Google"),
    ];
    let (_dir, stack) = start(&env).await;
    let email = fresh_email("linked", "example.com");
    let sub = native_user(&stack, &email).await;
    let person = Person {
        email: &email,
        name: None,
        email_verified: true,
    };
    let first = google_sign_in(&stack, "Google", &person).expect_err("the first attempt after the link");
    let said = description(first);
    assert!(said.contains(pre_signup_marker()), "{said}");
    let second = claims(&google_sign_in(&stack, "Google", &person).unwrap());
    assert_eq!(second["sub"], sub.as_str());
    assert_eq!(second["cognito:groups"], serde_json::json!(["members"]));
    assert!(
        !second["cognito:username"].as_str().unwrap().starts_with("Google_"),
        "the native user itself: {second:?}"
    );
    assert_eq!(
        second["identities"][0]["providerName"], "Google",
        "the linked identity, in the ID token: {second:?}"
    );
}

/// The sentence the README tells apps to look for (pre_signup::LINKED_MARKER).
fn pre_signup_marker() -> &'static str {
    "linked to your existing account"
}

/// A token endpoint in front of the local Google's that answers with its ID token's
/// signature altered; returns its URL.
fn forging_token_endpoint(real: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let form: Vec<(String, String)> = url_pairs(&String::from_utf8(body).unwrap());
        let mut answer = ureq::post(&real)
            .send_form(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .unwrap();
        let mut tokens: Value = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
        let token = tokens["id_token"].as_str().unwrap().to_owned();
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        tokens["id_token"] = format!("{signed}.{flipped}{}", &signature[1..]).into();
        let body = tokens.to_string();
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    url
}

fn url_pairs(form: &str) -> Vec<(String, String)> {
    cognito_oauth::Url::parse(&format!("http://x/?{form}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn a_forged_state_a_bad_id_token_signature_and_an_unlisted_provider_get_cognito_s_errors() {
    let (_dir, stack) = start(&[]).await;
    let person = Person {
        email: "eve@example.com",
        name: None,
        email_verified: true,
    };

    // A state Cognito never issued: 400, no redirect anywhere.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut forged = agent
        .get(format!(
            "{}/oauth2/idpresponse?code=anything&state=forged",
            stack.hosted_ui()
        ))
        .call()
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    assert!(forged.headers().get("location").is_none());
    assert!(forged.body_mut().read_to_string().unwrap().contains("invalid_state"));

    // A provider the client does not list (and the pool does not have).
    let unknown = google_sign_in(&stack, "Nobody", &person).expect_err("no such provider");
    assert_eq!(
        description(unknown),
        "Login option is not available. Please try another one"
    );

    // An OIDC provider whose token endpoint hands back the local Google's ID token with
    // its signature altered: Cognito checks the signature against the provider's JWKS.
    let issuer = stack.google.issuer();
    let forger = forging_token_endpoint(format!("{issuer}/token"));
    stack
        .cognito
        .create_identity_provider()
        .user_pool_id(&stack.outputs.user_pool_id)
        .provider_name("Forged")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", &stack.google.client_id)
        .provider_details("client_secret", stack.google.client_secret())
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", &issuer)
        .provider_details("authorize_url", format!("{issuer}/auth"))
        .provider_details("token_url", forger)
        .provider_details("jwks_uri", format!("{issuer}/jwks"))
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let client = stack
        .cognito
        .describe_user_pool_client()
        .user_pool_id(&stack.outputs.user_pool_id)
        .client_id(stack.client_id())
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    stack
        .cognito
        .update_user_pool_client()
        .user_pool_id(&stack.outputs.user_pool_id)
        .client_id(stack.client_id())
        .set_callback_urls(Some(client.callback_urls().to_vec()))
        .set_logout_urls(Some(client.logout_urls().to_vec()))
        .set_allowed_o_auth_flows(Some(client.allowed_o_auth_flows().to_vec()))
        .set_allowed_o_auth_scopes(Some(client.allowed_o_auth_scopes().to_vec()))
        .allowed_o_auth_flows_user_pool_client(true)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .supported_identity_providers("Forged")
        .send()
        .await
        .unwrap();
    let bad = google_sign_in(&stack, "Forged", &person).expect_err("a bad signature");
    assert_eq!(description(bad), "Invalid identity token");
    assert!(
        usernames(&stack).await.iter().all(|u| !u.starts_with("Forged_")),
        "no user from a token that did not verify"
    );
}
