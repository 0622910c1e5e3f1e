//! The whole chain against real servers: cognito-local invoking the functions under
//! `cargo lambda watch`, provisioned by the provisioner — the same stack `cargo xtask local`
//! runs. Each test starts its own stack on its own ports, in its own temporary folder, and
//! stops it (every process, by group) when it ends.
//!
//! `tools/cognito_local.js` patches cognito-local where it differs from Cognito; each patch
//! has a test here that fails without it: a function's error as Cognito reports it, every
//! code placeholder filled in, email_verified on confirmation, the email alias in
//! AdminListGroupsForUser, deletion protection kept.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_oauth::blocking;
use cognito_oauth::{AuthorizeOptions, OAuthErrorCode, TokenError, VerifyError};
use common::{admin_confirm_sign_up, admin_get_user, confirm_sign_up, start, user_attribute, usernames};
use e2e::local::cognito_local::Delivery;
use e2e::local::demo::{self, PASSWORD, first_link, fresh_email};
use e2e::local::flow::{self, FlowError};
use e2e::local::stack::VERIFY_URL;
use e2e::{Stack, sdk_config};
use provisioner::aws::Clients;
use provisioner::plan::Options;
use provisioner::{Mode, converge};

/// What Cognito answers when pre-signup refuses a domain: the function's message, named
/// after the trigger, with Cognito's own period after the function's.
const DENIED: &str =
    "PreSignUp failed with error Sign-up with this email domain is not allowed. Please use another email address..";

/// An error as the app receives it: its code and its message.
type Refusal = (String, String);

fn refusal(error: &impl ProvideErrorMetadata) -> Refusal {
    (
        error.code().unwrap_or("?").to_owned(),
        error.message().unwrap_or("?").to_owned(),
    )
}

/// Signs up `email` with `locale`; returns the user's sub and whether it is confirmed.
async fn sign_up(stack: &Stack, email: &str, locale: &str) -> Result<(String, bool), Refusal> {
    common::sign_up(stack, email, &[("name", "Minji"), ("locale", locale)])
        .await
        .map(|out| (out.user_sub().to_owned(), out.user_confirmed()))
        .map_err(|e| refusal(&e))
}

/// Confirms `email`'s sign-up with the code its SignUp message carried.
async fn confirm(stack: &Stack, email: &str) -> Result<(), Refusal> {
    let signup = stack.local.delivery_to(email, 0).expect("a SignUp message");
    confirm_sign_up(stack, email, &signup.code)
        .await
        .map(|_| ())
        .map_err(|e| refusal(&e))
}

/// Starts a password reset for `email`; returns the message it delivered.
async fn forgot_password(stack: &Stack, email: &str) -> Delivery {
    let before = stack.local.count_to(email);
    let client_id = stack.client_id();
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

/// The groups of the user named `username` (its sub, or the email alias).
async fn groups(client: &Client, pool: &str, username: &str) -> Vec<String> {
    let out = client
        .admin_list_groups_for_user()
        .user_pool_id(pool)
        .username(username)
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
    let (_dir, stack) = start(&[]).await;
    let (client_id, pool) = (stack.client_id().to_owned(), stack.outputs.user_pool_id.clone());

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
    // Mail to an address not yet proven carries nothing the person signing up chose.
    assert!(
        body.contains("Hello,") && !body.contains("Minji") && body.contains(&signup.code),
        "{body}"
    );
    assert!(!body.contains("{####}"), "cognito-local filled in the code");

    // ConfirmSignUp: the post-confirmation function's AdminAddUserToGroup lands in
    // cognito-local, and nothing else adds the user to a group.
    confirm(&stack, &email).await.unwrap();
    assert_eq!(groups(&stack.cognito, &pool, &sub).await, ["members"]);

    // Hosted login with the code grant and PKCE, as an app does it with cognito-oauth; tokens
    // verify against the JWKS, and the group claim is the one post-confirmation's call made.
    let base = stack.hosted_ui();
    let redirect = stack.redirect_uri().to_owned();
    let app = flow::app(&base, &pool, &client_id, &redirect);
    let scopes = AuthorizeOptions::scopes(["openid", "email", "profile"]);
    let (authorize, pending) = app.oauth().start_login(&scopes);
    let login = flow::sign_in(&authorize, &redirect, &email, PASSWORD).unwrap();
    let code = pending.code_from_callback(&login.callback).unwrap();
    let tokens = app.exchange_code(&code, &pending).unwrap();
    let id_token = tokens.id_token.as_ref().unwrap().secret().to_owned();
    let claims = app.verify_id_token(&id_token, None).unwrap();
    assert_eq!(claims.subject(), sub.as_str());
    assert_eq!(claims.groups(), ["members"]);

    // A changed signature does not verify: one byte in the middle of the decoded signature
    // flipped and encoded again, so the token still decodes and only the check can fail.
    let (signed, signature) = id_token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let tampered = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
    match app.verify_id_token(&tampered, None) {
        Err(blocking::Error::Verify(VerifyError::BadSignature { .. })) => {}
        other => panic!("a changed signature must fail the signature check: {other:?}"),
    }

    // A wrong code_verifier is refused: the code from one login, the verifier of another.
    let (authorize, pending) = app.oauth().start_login(&AuthorizeOptions::scopes(["openid"]));
    let login = flow::sign_in(&authorize, &redirect, &email, PASSWORD).unwrap();
    let code = pending.code_from_callback(&login.callback).unwrap();
    let (_, another) = app.oauth().start_login(&AuthorizeOptions::scopes(["openid"]));
    match app.exchange_code(&code, &another) {
        Err(blocking::Error::Token(TokenError::OAuth(error))) => {
            assert_eq!(error.code, OAuthErrorCode::InvalidGrant, "{error}")
        }
        other => panic!("a wrong verifier must be refused: {other:?}"),
    }

    // A wrong password gets the login form again, with Cognito's message, and no code.
    let (authorize, _) = app.oauth().start_login(&AuthorizeOptions::scopes(["openid"]));
    match flow::sign_in(&authorize, &redirect, &email, "Wrong-Password-1") {
        Err(FlowError::Unexpected { message, .. }) => {
            assert!(message.contains("Incorrect username or password"), "{message}")
        }
        other => panic!("a wrong password must give no code: {other:?}"),
    }

    // Refresh works and gives a token that verifies.
    let refreshed = app.refresh(tokens.refresh_token.as_ref().unwrap()).unwrap();
    app.verify_id_token(refreshed.id_token.as_ref().unwrap().secret(), None)
        .unwrap();

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
    let body = message.email_message.as_deref().unwrap();
    assert!(body.contains("안녕하세요.") && !body.contains("Minji"), "{body}");
    admin_confirm_sign_up(&stack, &korean).await;
    let reset = forgot_password(&stack, &korean).await;
    assert_eq!(reset.email_subject.as_deref(), Some("[Toyseven] 비밀번호 재설정 코드"));
}

#[tokio::test]
async fn a_denied_domain_is_refused_as_cognito_reports_it_and_no_user_is_created() {
    let (_dir, stack) = start(&[]).await;
    let email = fresh_email("mallory", "mailinator.com");
    let refused = sign_up(&stack, &email, "en").await.unwrap_err();
    assert_eq!(refused, ("UserLambdaValidationException".to_owned(), DENIED.to_owned()));
    let log = stack.watch.output();
    assert!(
        log.contains("sign-up rejected") && log.contains("reason=domain not allowed"),
        "{log}"
    );
    assert!(
        log.contains(&trigger_common::mask_email(&email)) && !log.contains(&email),
        "the email is masked"
    );
    assert!(usernames(&stack).await.is_empty());
}

#[tokio::test]
async fn a_failing_post_confirmation_is_reported_under_its_trigger_name() {
    // No such group in the pool: post-confirmation's AdminAddUserToGroup fails.
    let (_dir, stack) = start(&[("DEFAULT_GROUP", "no-such-group")]).await;
    let email = fresh_email("lee", "example.com");
    sign_up(&stack, &email, "en").await.unwrap();
    let (code, message) = confirm(&stack, &email).await.unwrap_err();
    assert_eq!(code, "UserLambdaValidationException", "{message}");
    assert!(
        message.starts_with("PostConfirmation failed with error ") && message.ends_with('.'),
        "{message}"
    );
    // The function's own sentence for the person, with nothing of the operator's: no group,
    // pool or SDK detail (those go to its log line, with the alarm marker).
    assert!(message.contains("Your account is confirmed"), "{message}");
    assert!(
        !message.contains("no-such-group") && !message.contains(&stack.outputs.user_pool_id),
        "{message}"
    );
    assert!(stack.watch.output().contains("POST_CONFIRMATION_GROUP_ADD_FAILED"));
    // As on Cognito, the confirmation itself stands.
    let user = admin_get_user(&stack, &email).await;
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
}

#[tokio::test]
async fn auto_confirm_for_allowed_domains_verifies_the_email_and_adds_the_default_group() {
    // Linking off: with it, pre-signup never marks a native sign-up's address verified.
    let (_dir, stack) = start(&[("AUTO_CONFIRM", "allowed"), ("LINK_EXTERNAL_USERS", "never")]).await;
    let email = fresh_email("ana", "eng.example.com");
    let (sub, confirmed) = sign_up(&stack, &email, "en").await.unwrap();
    assert!(confirmed, "pre-signup auto-confirmed the user");
    assert_eq!(
        user_attribute(&stack, &sub, "email_verified").await.as_deref(),
        Some("true"),
        "pre-signup verified the email (autoVerifyEmail)"
    );
    assert_eq!(
        groups(&stack.cognito, &stack.outputs.user_pool_id, &sub).await,
        ["members"],
        "post-confirmation ran for the auto-confirmed user"
    );
}

#[tokio::test]
async fn every_code_placeholder_in_a_message_is_filled_in() {
    // With VERIFY_URL (set by the stack), the SignUp email holds the code twice: in its text
    // and in the link. Cognito fills in both.
    let (_dir, stack) = start(&[]).await;
    let email = fresh_email("kim", "example.com");
    sign_up(&stack, &email, "en").await.unwrap();
    let signup = stack.local.delivery_to(&email, 0).expect("a SignUp message");
    let body = signup.email_message.unwrap();
    assert_eq!(body.matches(&signup.code).count(), 2, "{body}");
    assert!(!body.contains("{####}"), "{body}");
    let link = first_link(&body).unwrap();
    assert!(
        link.starts_with(&format!("{VERIFY_URL}?code={}&username=", signup.code)),
        "{link}"
    );
}

#[tokio::test]
async fn confirmation_verifies_the_email_the_code_went_to() {
    let (_dir, stack) = start(&[]).await;
    let email = fresh_email("park", "example.com");
    sign_up(&stack, &email, "en").await.unwrap();
    assert_eq!(
        user_attribute(&stack, &email, "email_verified").await,
        None,
        "not verified before"
    );
    confirm(&stack, &email).await.unwrap();
    assert_eq!(
        user_attribute(&stack, &email, "email_verified").await.as_deref(),
        Some("true")
    );

    // AdminConfirmSignUp proves no address: on Cognito it verifies nothing, and here too.
    let other = fresh_email("choi", "example.com");
    sign_up(&stack, &other, "en").await.unwrap();
    admin_confirm_sign_up(&stack, &other).await;
    assert_eq!(user_attribute(&stack, &other, "email_verified").await, None);
}

#[tokio::test]
async fn the_email_alias_resolves_in_admin_list_groups_for_user() {
    let (_dir, stack) = start(&[]).await;
    let email = fresh_email("jung", "example.com");
    let (sub, _) = sign_up(&stack, &email, "en").await.unwrap();
    confirm(&stack, &email).await.unwrap();
    let pool = &stack.outputs.user_pool_id;
    assert_eq!(groups(&stack.cognito, pool, &sub).await, ["members"]);
    assert_eq!(
        groups(&stack.cognito, pool, &email).await,
        ["members"],
        "by the email alias"
    );
}

#[tokio::test]
async fn deletion_protection_is_kept_so_a_second_apply_writes_nothing() {
    let (_dir, stack) = start(&[]).await;
    let pool = &stack.outputs.user_pool_id;

    // The provisioner again, as the stack ran it: nothing to do, no write.
    let clients = Clients::new(&sdk_config(&stack.local.endpoint())).without_lambda();
    let converged = converge(&clients, &stack.spec, Mode::Apply, Options::default())
        .await
        .unwrap();
    assert!(converged.plan.is_empty(), "{:?}", converged.plan.changes);
    assert_eq!(clients.counter.reads_and_writes().1, 0, "no write");

    let described = stack
        .cognito
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    let protection = described.user_pool().and_then(|p| p.deletion_protection());
    assert_eq!(protection.map(|p| p.as_str()), Some("ACTIVE"));

    // And the pool cannot be deleted while it is on.
    let refused = stack
        .cognito
        .delete_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&refused),
        (
            "InvalidParameterException".to_owned(),
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
                .to_owned()
        )
    );
}

#[tokio::test]
async fn the_demo_runs_every_step() {
    let (_dir, stack) = start(&[]).await;
    let mut lines = Vec::new();
    let outcome = demo::run(&stack, &mut |line| lines.push(line)).await.unwrap();
    assert_eq!(
        outcome.denied,
        ("UserLambdaValidationException".to_owned(), DENIED.to_owned())
    );
    let shown = lines.join("\n");
    assert!(
        shown.contains(&format!(
            "refused, as the app receives it: UserLambdaValidationException: {DENIED}"
        )),
        "{shown}"
    );
    assert!(
        shown.contains("groups: members")
            && shown.contains("cognito:groups  [\"members\"]")
            && shown.contains("email_verified: true")
            && shown.contains(&format!("link:    {VERIFY_URL}?code=")),
        "{shown}"
    );
    for (index, _) in shown.match_indices('@') {
        assert!(shown[..index].ends_with("***"), "an email is shown whole: {shown}");
    }
}
