//! The steps the end-to-end tests take against a local stack before they check anything: a
//! stack of their own, a person signed up through the API (as an app's sign-up form would
//! call it) and confirmed, and the pool's users read back as an administrator. Written once
//! here so that `browser`, `federation` and `local_stack` sign people up the same way, and
//! each test file shows only what it asserts.
//!
//! Each test file is a crate of its own and uses only some of these steps, hence the
//! `dead_code` allowance.

#![allow(dead_code, reason = "each test file that mods this in uses only some of the steps")]

use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::{ConfirmSignUpError, ConfirmSignUpOutput};
use aws_sdk_cognitoidentityprovider::operation::sign_up::{SignUpError, SignUpOutput};
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use e2e::local::demo::PASSWORD;
use e2e::local::watch::Progress;
use e2e::{Stack, Tools};

/// A local stack (with `env` over its functions' environment) in a temporary folder of its
/// own. The folder comes first so that `let (_dir, stack) = start(..)` drops the stack,
/// stopping its processes, before the folder they ran in is removed.
pub async fn start(env: &[(&str, &str)]) -> (tempfile::TempDir, Stack) {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), env, Progress::Hidden)
        .await
        .unwrap();
    (dir, stack)
}

/// A user attribute, as SignUp takes it.
pub fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

/// Signs up `email` with the demo password through the stack's client, as an app's sign-up
/// form would: `email` as its `email` attribute, then `attributes` in order. The answer is
/// Cognito's, refusals included, for the caller to unwrap or to look at.
pub async fn sign_up(
    stack: &Stack,
    email: &str,
    attributes: &[(&str, &str)],
) -> Result<SignUpOutput, SdkError<SignUpError>> {
    let attributes = std::iter::once(("email", email))
        .chain(attributes.iter().copied())
        .map(|(name, value)| attribute(name, value))
        .collect();
    stack
        .cognito
        .sign_up()
        .client_id(stack.client_id())
        .username(email)
        .password(PASSWORD)
        .set_user_attributes(Some(attributes))
        .send()
        .await
}

/// Confirms `email`'s sign-up with `code` (the one its SignUp message carried), as the person
/// does: on Cognito this proves the address, so it is then verified.
pub async fn confirm_sign_up(
    stack: &Stack,
    email: &str,
    code: &str,
) -> Result<ConfirmSignUpOutput, SdkError<ConfirmSignUpError>> {
    stack
        .cognito
        .confirm_sign_up()
        .client_id(stack.client_id())
        .username(email)
        .confirmation_code(code)
        .send()
        .await
}

/// Confirms `username`'s sign-up as an administrator (AdminConfirmSignUp): it proves no
/// address, so none is verified.
pub async fn admin_confirm_sign_up(stack: &Stack, username: &str) {
    stack
        .cognito
        .admin_confirm_sign_up()
        .user_pool_id(&stack.outputs.user_pool_id)
        .username(username)
        .send()
        .await
        .unwrap();
}

/// The user named `username` (its sub, its provider name, or the email alias), as
/// AdminGetUser reports it.
pub async fn admin_get_user(stack: &Stack, username: &str) -> AdminGetUserOutput {
    stack
        .cognito
        .admin_get_user()
        .user_pool_id(&stack.outputs.user_pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
}

/// The user's attribute `name` (`sub`, `email_verified`, …), as AdminGetUser reports it.
pub async fn user_attribute(stack: &Stack, username: &str, name: &str) -> Option<String> {
    admin_get_user(stack, username)
        .await
        .user_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value().map(str::to_owned))
}

/// The names of the pool's users, as ListUsers reports them.
pub async fn usernames(stack: &Stack) -> Vec<String> {
    let users = stack
        .cognito
        .list_users()
        .user_pool_id(&stack.outputs.user_pool_id)
        .send()
        .await
        .unwrap();
    users
        .users()
        .iter()
        .filter_map(|u| u.username())
        .map(str::to_owned)
        .collect()
}
