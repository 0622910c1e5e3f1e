//! The whole chain against real servers: cognito-local invoking the three functions under
//! `cargo lambda watch`, provisioned by the provisioner — the same stack `cargo xtask local`
//! runs. Each test starts its own stack on its own ports, in its own temporary folder, and
//! stops it (every process, by group) when it ends.
//!
//! Where cognito-local differs from Cognito, the test says so:
//! - a trigger that fails reaches the client as UnexpectedLambdaException (cargo lambda watch
//!   answers a function error with HTTP 500, Lambda with 200 and X-Amz-Function-Error), where
//!   Cognito answers UserLambdaValidationException "PreSignUp failed with error <message>.";
//! - AdminListGroupsForUser does not resolve the email alias: it is called with the user
//!   name proper (the sub);
//! - ConfirmSignUp does not set email_verified;
//! - a message's code placeholder is replaced once, not everywhere.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use e2e::local::cognito_local::Delivery;
use e2e::local::demo::{self, PASSWORD, fresh_email};
use e2e::local::flow::{self, FlowError, Pkce};
use e2e::local::watch::Progress;
use e2e::{Stack, Tools};

async fn stack(env: &[(&str, &str)]) -> (Stack, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), env, Progress::Hidden)
        .await
        .unwrap();
    (stack, dir)
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

/// Signs up `email` with `locale`; returns the user's sub.
async fn sign_up(stack: &Stack, email: &str, locale: &str) -> Result<(String, bool), String> {
    stack
        .cognito
        .sign_up()
        .client_id(&stack.outputs.client_id)
        .username(email)
        .password(PASSWORD)
        .user_attributes(attribute("email", email))
        .user_attributes(attribute("name", "Minji"))
        .user_attributes(attribute("locale", locale))
        .send()
        .await
        .map(|out| (out.user_sub().to_owned(), out.user_confirmed()))
        .map_err(|e| format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or("?")))
}

/// Starts a password reset for `email`; returns the message it delivered.
async fn forgot_password(stack: &Stack, email: &str) -> Delivery {
    let before = stack.local.count_to(email);
    let client_id = &stack.outputs.client_id;
    stack
        .cognito
        .forgot_password()
        .client_id(client_id)
        .username(email)
        .send()
        .await
        .unwrap();
    stack
        .local
        .delivery_to(email, before)
        .expect("a ForgotPassword message")
}

async fn groups(client: &Client, pool: &str, sub: &str) -> Vec<String> {
    let out = client
        .admin_list_groups_for_user()
        .user_pool_id(pool)
        .username(sub)
        .send()
        .await
        .unwrap();
    out.groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn sign_up_messages_confirmation_groups_and_hosted_login() {
    let (stack, _dir) = stack(&[]).await;
    let (client_id, pool) = (stack.outputs.client_id.clone(), stack.outputs.user_pool_id.clone());

    // An allowed domain: accepted, not confirmed (AUTO_CONFIRM=never).
    let email = fresh_email("minji", "example.com");
    let (sub, confirmed) = sign_up(&stack, &email, "en").await.unwrap();
    assert!(!confirmed);

    // The SignUp message is the custom-message function's, in English.
    let signup = stack.local.delivery_to(&email, 0).expect("a SignUp message");
    assert_eq!(
        signup.email_subject.as_deref(),
        Some("[Toyseven] Confirm your email address")
    );
    let body = signup.email_message.clone().unwrap();
    assert!(body.contains("Hello Minji,") && body.contains(&signup.code), "{body}");
    assert!(!body.contains("{####}"), "cognito-local filled in the code");

    // ConfirmSignUp: the post-confirmation function's AdminAddUserToGroup lands in cognito-local.
    stack
        .cognito
        .confirm_sign_up()
        .client_id(&client_id)
        .username(&email)
        .confirmation_code(&signup.code)
        .send()
        .await
        .unwrap();
    assert_eq!(groups(&stack.cognito, &pool, &sub).await, ["members"]);

    // ForgotPassword, in English; ConfirmForgotPassword adds no group. The user leaves the
    // group first, so a call would show.
    stack
        .cognito
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username(&sub)
        .group_name("members")
        .send()
        .await
        .unwrap();
    let reset = forgot_password(&stack, &email).await;
    assert_eq!(reset.email_subject.as_deref(), Some("[Toyseven] Reset your password"));
    assert!(reset.email_message.as_deref().unwrap().contains(&reset.code));
    stack
        .cognito
        .confirm_forgot_password()
        .client_id(&client_id)
        .username(&email)
        .confirmation_code(&reset.code)
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(
        groups(&stack.cognito, &pool, &sub).await.is_empty(),
        "ConfirmForgotPassword adds no group"
    );
    let log = stack.watch.output();
    assert!(
        log.contains("PostConfirmation_ConfirmForgotPassword") && log.contains("action=Nothing"),
        "{log}"
    );

    // The same messages in Korean for a user whose locale is ko-KR.
    let korean = fresh_email("jiwoo", "example.com");
    sign_up(&stack, &korean, "ko-KR").await.unwrap();
    let message = stack.local.delivery_to(&korean, 0).expect("a Korean SignUp message");
    assert_eq!(
        message.email_subject.as_deref(),
        Some("[Toyseven] 이메일 주소를 확인해 주세요")
    );
    assert!(
        message
            .email_message
            .as_deref()
            .unwrap()
            .contains("Minji님, 안녕하세요.")
    );
    stack
        .cognito
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username(&korean)
        .send()
        .await
        .unwrap();
    let reset = forgot_password(&stack, &korean).await;
    assert_eq!(reset.email_subject.as_deref(), Some("[Toyseven] 비밀번호 재설정 코드"));

    // Hosted login with the code grant and PKCE; tokens verify against the JWKS.
    stack
        .cognito
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username(&sub)
        .group_name("members")
        .send()
        .await
        .unwrap();
    let base = stack.hosted_ui();
    let redirect = stack.redirect_uri().to_owned();
    let pkce = Pkce::new();
    let login = flow::authorize(
        &base,
        &client_id,
        &redirect,
        "openid email profile",
        &pkce,
        &email,
        PASSWORD,
    )
    .unwrap();
    let tokens = flow::exchange_code(&base, &client_id, &redirect, &login.code, &pkce.verifier).unwrap();
    let (_, claims) = flow::verify_id_token(
        &stack.outputs.jwks_url,
        &stack.outputs.issuer,
        &client_id,
        &tokens.id_token,
    )
    .unwrap();
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["cognito:groups"], serde_json::json!(["members"]));
    let tampered = format!("{}x", &tokens.id_token[..tokens.id_token.len() - 1]);
    assert!(
        flow::verify_id_token(&stack.outputs.jwks_url, &stack.outputs.issuer, &client_id, &tampered).is_err(),
        "a changed signature does not verify"
    );

    // A wrong code_verifier is refused.
    let login = flow::authorize(&base, &client_id, &redirect, "openid", &pkce, &email, PASSWORD).unwrap();
    let wrong = Pkce::new();
    match flow::exchange_code(&base, &client_id, &redirect, &login.code, &wrong.verifier) {
        Err(FlowError::Status { status: 400, body, .. }) => assert!(body.contains("invalid_grant"), "{body}"),
        other => panic!("a wrong verifier must be refused: {other:?}"),
    }

    // A wrong password gets the login form again, no code.
    assert!(
        flow::authorize(
            &base,
            &client_id,
            &redirect,
            "openid",
            &pkce,
            &email,
            "Wrong-Password-1"
        )
        .is_err()
    );

    // Refresh works and gives a token that verifies.
    let refreshed = flow::refresh(&base, &client_id, tokens.refresh_token.as_deref().unwrap()).unwrap();
    flow::verify_id_token(
        &stack.outputs.jwks_url,
        &stack.outputs.issuer,
        &client_id,
        &refreshed.id_token,
    )
    .unwrap();
}

#[tokio::test]
async fn a_denied_domain_is_refused_and_no_user_is_created() {
    let (stack, _dir) = stack(&[]).await;
    let email = fresh_email("mallory", "mailinator.com");
    let error = sign_up(&stack, &email, "en").await.unwrap_err();
    // cognito-local: UnexpectedLambdaException; Cognito: UserLambdaValidationException
    // "PreSignUp failed with error Sign-up with this email domain is not allowed. ...".
    assert!(error.starts_with("UnexpectedLambdaException"), "{error}");
    let log = stack.watch.output();
    assert!(
        log.contains("sign-up rejected") && log.contains("reason=DomainNotAllowed"),
        "{log}"
    );
    assert!(
        log.contains(&trigger_common::mask_email(&email)) && !log.contains(&email),
        "the email is masked"
    );
    let users = stack
        .cognito
        .list_users()
        .user_pool_id(&stack.outputs.user_pool_id)
        .send()
        .await
        .unwrap();
    assert!(users.users().is_empty());
}

#[tokio::test]
async fn auto_confirm_for_allowed_domains() {
    let (stack, _dir) = stack(&[("AUTO_CONFIRM", "allowed")]).await;
    let (_, confirmed) = sign_up(&stack, &fresh_email("ana", "eng.example.com"), "en")
        .await
        .unwrap();
    assert!(confirmed, "pre-signup auto-confirmed the user");
}

#[tokio::test]
async fn the_demo_runs_every_step() {
    let (stack, _dir) = stack(&[]).await;
    let mut lines = Vec::new();
    demo::run(&stack, &mut |line| lines.push(line)).await.unwrap();
    let shown = lines.join("\n");
    assert!(
        shown.contains("groups: members") && shown.contains("cognito:groups  [\"members\"]"),
        "{shown}"
    );
    for (index, _) in shown.match_indices('@') {
        assert!(shown[..index].ends_with("***"), "an email is shown whole: {shown}");
    }
}
