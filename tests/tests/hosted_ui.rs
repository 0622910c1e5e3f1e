//! The local stack's hosted-UI endpoints answer as Cognito's do where an app's sign-in
//! depends on it (patches in `tools/cognito_local.js`, each failing a test here without it):
//!
//! - `/oauth2/token` refuses a client with a secret whose code exchange leaves the secret out
//!   with `400 {"error":"invalid_client"}` (the trap of exchanging the code from a browser),
//!   and a wrong secret the same way; the secret by HTTP Basic or in the body gets tokens.
//! - `/logout` redirects only to one of the client's sign-out URLs.

use aws_sdk_cognitoidentityprovider::types::{AttributeType, OAuthFlowType};
use cognito_oauth::blocking::{Client, Error};
use cognito_oauth::{AuthorizeOptions, ClientAuth, Endpoints, OAuthClient, OAuthErrorCode, TokenError, Tokens};
use e2e::local::demo::{PASSWORD, fresh_email};
use e2e::local::flow;
use e2e::local::watch::Progress;
use e2e::{Stack, Tools};

const APP: &str = "http://localhost:3000";

/// A confidential app client (with a secret) on the stack's pool: its id and secret.
async fn confidential_client(stack: &Stack) -> (String, String) {
    let created = stack
        .cognito
        .create_user_pool_client()
        .user_pool_id(&stack.outputs.user_pool_id)
        .client_name("toyseven-server")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(APP)
        .logout_urls(APP)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    (
        client.client_id().unwrap().to_owned(),
        client
            .client_secret()
            .expect("GenerateSecret gives a secret")
            .to_owned(),
    )
}

/// A confirmed user.
async fn user(stack: &Stack) -> String {
    let email = fresh_email("server", "example.com");
    stack
        .cognito
        .sign_up()
        .client_id(stack.client_id())
        .username(&email)
        .password(PASSWORD)
        .user_attributes(AttributeType::builder().name("email").value(&email).build().unwrap())
        .send()
        .await
        .unwrap();
    let code = stack.local.delivery_to(&email, 0).expect("the SignUp email").code;
    stack
        .cognito
        .confirm_sign_up()
        .client_id(stack.client_id())
        .username(&email)
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    email
}

/// Signs `email` in through the hosted UI for `oauth`'s client, then exchanges the code.
fn sign_in_and_exchange(oauth: OAuthClient, email: &str) -> Result<Tokens, Error> {
    let client = Client::new(oauth);
    let (authorize, pending) = client
        .oauth()
        .start_login(&AuthorizeOptions::scopes(["openid", "email"]));
    let login = flow::sign_in(&authorize, APP, email, PASSWORD).unwrap();
    let code = pending.code_from_callback(&login.callback).unwrap();
    client.exchange_code(&code, &pending)
}

fn assert_invalid_client(answer: Result<Tokens, Error>, case: &str) {
    match answer {
        Err(Error::Token(TokenError::OAuth(error))) => {
            assert_eq!(
                (error.status, error.code),
                (400, OAuthErrorCode::InvalidClient),
                "{case}"
            );
        }
        other => panic!("{case}: expected 400 invalid_client, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_with_a_secret_gets_invalid_client_when_its_exchange_leaves_the_secret_out() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), &[], Progress::Hidden)
        .await
        .unwrap();
    let (client_id, secret) = confidential_client(&stack).await;
    let email = user(&stack).await;
    let endpoints = Endpoints::emulator(&stack.hosted_ui(), &stack.outputs.user_pool_id).unwrap();
    let oauth = OAuthClient::new(endpoints, &client_id, APP);

    // The browser's exchange: a public client's request for a client that has a secret.
    assert_invalid_client(sign_in_and_exchange(oauth.clone(), &email), "no secret");
    assert_invalid_client(
        sign_in_and_exchange(oauth.clone().with_client_secret("not-the-secret"), &email),
        "a wrong secret by Basic",
    );

    // A server that sends the secret gets tokens, by Basic or in the body.
    let by_basic = sign_in_and_exchange(oauth.clone().with_client_secret(secret.as_str()), &email).unwrap();
    assert!(by_basic.id_token.is_some() && by_basic.refresh_token.is_some());
    let in_body = oauth.with_client_auth(ClientAuth::Post(secret.as_str().into()));
    sign_in_and_exchange(in_body, &email).unwrap();

    // The stack's own public client is not asked for a secret.
    let public = OAuthClient::new(
        Endpoints::emulator(&stack.hosted_ui(), &stack.outputs.user_pool_id).unwrap(),
        stack.client_id(),
        APP,
    );
    sign_in_and_exchange(public, &email).unwrap();
}

#[tokio::test]
async fn logout_redirects_to_a_sign_out_url_of_the_client_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), &[], Progress::Hidden)
        .await
        .unwrap();
    let endpoints = Endpoints::emulator(&stack.hosted_ui(), &stack.outputs.user_pool_id).unwrap();
    let oauth = OAuthClient::new(endpoints, stack.client_id(), APP);
    let agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let answer = agent.get(oauth.logout_url(APP).as_str()).call().unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    assert_eq!(answer.headers()["location"], APP);
    let mut elsewhere = agent
        .get(oauth.logout_url("https://attacker.example").as_str())
        .call()
        .unwrap();
    assert_eq!(elsewhere.status().as_u16(), 400);
    assert!(elsewhere.headers().get("location").is_none());
    assert!(
        elsewhere
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("redirect_mismatch")
    );
}
