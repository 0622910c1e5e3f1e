//! The demo `cargo xtask local` runs on the local stack, step by step, printed for people:
//! sign-up, the custom message as delivered (with its verification link), confirmation (the
//! email then verified), the default group, hosted login with the code grant and PKCE, the ID
//! token verified against the JWKS, refresh, sign-in with the local Google twice (a new
//! person, a user of their own; then the person who signed up above, linked to their account
//! by pre-signup after the one retry an app makes), and a sign-up on a denied domain with the
//! error as the app receives it. Emails are masked and tokens shortened in what it prints.

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use serde_json::Value;
use trigger_common::mask_email;

use cognito_oauth::{AuthorizeOptions, random_string};

use crate::Stack;
use crate::app::is_linked;
use crate::flow;
use crate::google::{self, Person};
use provisioner::desired::ProviderKind;

#[derive(Debug, thiserror::Error)]
#[error("demo step {step} failed: {message}")]
pub struct DemoError {
    pub step: &'static str,
    pub message: String,
}

fn fail(step: &'static str) -> impl FnOnce(String) -> DemoError {
    move |message| DemoError { step, message }
}

fn sdk<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    error: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>,
) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        _ => DisplayErrorContext(&error).to_string(),
    }
}

/// What the demo saw, beyond the lines it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The denied sign-up's error, as the app receives it: its code and its message.
    pub denied: (String, String),
    /// The new person's Google sign-in: their user name (`Google_<sub>`) and `sub`.
    pub google_user: (String, String),
    /// The `sub` the native user's Google sign-in landed on, after the retry.
    pub linked_sub: String,
}

/// The first link (`href`) in an HTML email, its HTML escapes undone.
pub fn first_link(html: &str) -> Option<String> {
    let start = html.find("href=\"")? + "href=\"".len();
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// A password that satisfies the spec's default policy.
pub const PASSWORD: &str = "Correct-Horse-Battery-9";

/// A fresh address on `domain`, so runs never collide.
pub fn fresh_email(name: &str, domain: &str) -> String {
    format!(
        "{name}.{}@{domain}",
        &random_string()[..8].to_ascii_lowercase().replace(['-', '_'], "x")
    )
}

/// An HTML email reduced to its text, for a terminal.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    let mut in_head = false;
    let lower = html.to_ascii_lowercase();
    for (index, c) in html.char_indices() {
        match c {
            '<' => {
                in_tag = true;
                if lower[index..].starts_with("<head") {
                    in_head = true;
                } else if lower[index..].starts_with("</head") {
                    in_head = false;
                }
                text.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag && !in_head => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&#38;", "&").replace("&#34;", "\"").replace("&#39;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(token: &str) -> String {
    format!("{}… ({} characters)", &token[..token.len().min(16)], token.len())
}

/// Runs the demo, printing each step with `say`.
pub async fn run(stack: &Stack, say: &mut dyn FnMut(String)) -> Result<Outcome, DemoError> {
    let cognito = &stack.cognito;
    let out = &stack.outputs;
    let client_id = stack.client_id();
    let email = fresh_email("jane", "example.com");
    let masked = mask_email(&email);

    say(format!(
        "1. Sign up {masked} (example.com is an allowed domain; AUTO_CONFIRM=never)"
    ));
    let signed_up = cognito
        .sign_up()
        .client_id(client_id)
        .username(&email)
        .password(PASSWORD)
        .user_attributes(AttributeType::builder().name("email").value(&email).build().unwrap())
        .user_attributes(AttributeType::builder().name("name").value("Jane").build().unwrap())
        .user_attributes(AttributeType::builder().name("locale").value("en").build().unwrap())
        .send()
        .await
        .map_err(|e| fail("sign up")(sdk(e)))?;
    say(format!(
        "   pre-signup accepted it: user {} created, confirmed: {}",
        signed_up.user_sub(),
        signed_up.user_confirmed()
    ));

    say("2. The custom message, as delivered (cognito-local's outbox; the code is filled in)".into());
    let delivery = stack
        .local
        .delivery_to(&email, 0)
        .ok_or_else(|| fail("custom message")("no message was delivered".into()))?;
    let subject = delivery.email_subject.clone().unwrap_or_default();
    let html = delivery.email_message.clone().unwrap_or_default();
    let body = html_to_text(&html);
    say(format!("   to:      {}", mask_email(&delivery.destination)));
    say(format!("   subject: {subject}"));
    say(format!("   body:    {body}"));
    if !subject.contains("Toyseven") || !body.contains(&delivery.code) {
        return Err(fail("custom message")(
            "the delivered message is not the custom-message function's".into(),
        ));
    }
    // The link carries the user name proper (the sub, with email sign-in), not the email.
    let link = first_link(&html).unwrap_or_default();
    say(format!("   link:    {link}"));
    if html.contains("{####}") || !link.contains(&format!("code={}", delivery.code)) {
        return Err(fail("custom message")(
            "a code placeholder was left in the message or its link".into(),
        ));
    }

    say(format!("3. Confirm the sign-up with the code {}", delivery.code));
    cognito
        .confirm_sign_up()
        .client_id(client_id)
        .username(&email)
        .confirmation_code(&delivery.code)
        .send()
        .await
        .map_err(|e| fail("confirm sign-up")(sdk(e)))?;
    let user = cognito
        .admin_get_user()
        .user_pool_id(&out.user_pool_id)
        .username(&email)
        .send()
        .await
        .map_err(|e| fail("confirm sign-up")(sdk(e)))?;
    let verified = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email_verified")
        .and_then(|a| a.value())
        .unwrap_or("unset")
        .to_owned();
    say(format!(
        "   confirmed; email_verified: {verified} (the code went to that address)"
    ));

    say("4. The user's groups (post-confirmation calls AdminAddUserToGroup on cognito-local)".into());
    let groups = cognito
        .admin_list_groups_for_user()
        .user_pool_id(&out.user_pool_id)
        .username(&email)
        .send()
        .await
        .map_err(|e| fail("list groups")(sdk(e)))?;
    let names: Vec<&str> = groups.groups().iter().filter_map(|g| g.group_name()).collect();
    say(format!("   groups: {}", names.join(", ")));
    if !names.contains(&"members") {
        return Err(fail("list groups")("the user is not in the default group".into()));
    }

    say("5. Hosted login: the authorization-code grant with PKCE, as an app and a browser run it".into());
    let base = stack.hosted_ui();
    let redirect_uri = stack.redirect_uri();
    let app = flow::app(&base, &out.user_pool_id, client_id, redirect_uri);
    let scopes = AuthorizeOptions::scopes(stack.spec.clients[0].oauth_scopes.iter().cloned());
    let (authorize, pending) = app.oauth().start_login(&scopes);
    let login =
        flow::sign_in(&authorize, redirect_uri, &email, PASSWORD).map_err(|e| fail("hosted login")(e.to_string()))?;
    say(format!(
        "   GET  {base}/oauth2/authorize (code_challenge=S256 of a fresh verifier, state, nonce) -> {} login form",
        login.form_status
    ));
    say(format!(
        "   POST {base}/oauth2/authorize (username, password) -> redirect to {redirect_uri}?code=…&state=…"
    ));
    let code = pending
        .code_from_callback(&login.callback)
        .map_err(|e| fail("hosted login")(e.to_string()))?;
    let tokens = app
        .exchange_code(&code, &pending)
        .map_err(|e| fail("token exchange")(e.to_string()))?;
    say(format!(
        "   POST {base}/oauth2/token (code, code_verifier) -> tokens, expires in {} s",
        tokens.expires_in.unwrap_or_default()
    ));
    let id_token = tokens
        .id_token
        .as_ref()
        .ok_or_else(|| fail("token exchange")("no ID token".into()))?;
    say(format!("   id token:      {}", shorten(id_token.secret())));
    say(format!("   access token:  {}", shorten(tokens.access_token.secret())));
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or_else(|| fail("token exchange")("no refresh token".into()))?;
    say(format!("   refresh token: {}", shorten(refresh_token.secret())));

    say("6. The ID token: signature verified against the JWKS, then its claims".into());
    // cognito-local puts no nonce in its tokens; on AWS an app passes `Some(pending.nonce())`.
    let claims = app
        .verify_id_token(id_token.secret(), None)
        .map_err(|e| fail("verify the ID token")(e.to_string()))?;
    let kid = cognito_oauth::key_id(id_token.secret()).unwrap_or_default();
    say(format!("   verified with key {kid} from {}", out.jwks_url));
    for claim in [
        "iss",
        "aud",
        "token_use",
        "sub",
        "email",
        "email_verified",
        "cognito:groups",
        "exp",
    ] {
        let value = match (claim, claims.get(claim)) {
            (_, None | Some(Value::Null)) => continue,
            ("email", Some(Value::String(email))) => mask_email(email),
            (_, Some(value)) => value.to_string(),
        };
        say(format!("   {claim:<15} {value}"));
    }
    if !claims.groups().contains(&"members") {
        return Err(fail("verify the ID token")(
            "cognito:groups does not list members".into(),
        ));
    }

    say("7. Refresh the tokens with the refresh token".into());
    let refreshed = app
        .refresh(&refresh_token)
        .map_err(|e| fail("refresh")(e.to_string()))?;
    let renewed = refreshed
        .id_token
        .as_ref()
        .ok_or_else(|| fail("refresh")("no ID token".into()))?;
    app.verify_id_token(renewed.secret(), None)
        .map_err(|e| fail("refresh")(e.to_string()))?;
    say(format!("   new id token:  {} (verified)", shorten(renewed.secret())));

    // 8-9. The local Google: whoever is typed into its form is signed in.
    let provider = stack
        .spec
        .identity_providers
        .iter()
        .find(|p| p.kind == ProviderKind::Google)
        .map(|p| p.name.clone())
        .ok_or_else(|| fail("sign in with Google")("the stack has no Google provider".into()))?;
    let with_google = AuthorizeOptions::scopes(stack.spec.clients[0].oauth_scopes.iter().cloned())
        .identity_provider(provider.as_str());
    let google_sign_in = |person: &Person<'_>, step: &'static str| {
        let (authorize, pending) = app.oauth().start_login(&with_google);
        let callback =
            google::sign_in(authorize.as_str(), person, redirect_uri).map_err(|e| fail(step)(e.to_string()))?;
        let code = match pending.code_from_callback(&callback) {
            Ok(code) => code,
            Err(error) => return Ok(Err(error)),
        };
        let tokens = app
            .exchange_code(&code, &pending)
            .map_err(|e| fail(step)(e.to_string()))?;
        let id_token = tokens.id_token.ok_or_else(|| fail(step)("no ID token".into()))?;
        let claims = app
            .verify_id_token(id_token.secret(), None)
            .map_err(|e| fail(step)(e.to_string()))?;
        Ok::<_, DemoError>(Ok(claims))
    };
    let identities = |claims: &cognito_oauth::Claims| {
        claims
            .get("identities")
            .and_then(Value::as_array)
            .map(|all| {
                all.iter()
                    .filter_map(|i| i.get("providerName")?.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };

    let newcomer = fresh_email("ada", "example.com");
    say(format!(
        "8. Sign in with {provider} (the local Google, {}) as {}, new to the pool",
        stack.google.issuer(),
        mask_email(&newcomer)
    ));
    let step = "sign in with Google as a new person";
    let person = Person {
        email: &newcomer,
        name: Some("Ada"),
        email_verified: true,
    };
    let claims = google_sign_in(&person, step)?.map_err(|e| fail(step)(e.to_string()))?;
    let username = claims.username().unwrap_or_default().to_owned();
    say(format!(
        "   GET  {base}/oauth2/authorize?identity_provider={provider} -> the local Google's form -> {base}/oauth2/idpresponse -> {redirect_uri}?code=…"
    ));
    say(format!(
        "   a user of their own: {username}, sub {}, name {}, identities: {}",
        claims.subject(),
        claims.get("name").and_then(Value::as_str).unwrap_or("(none)"),
        identities(&claims)
    ));
    say(format!(
        "   email {}, groups: {} (PreSignUp_ExternalProvider, then post-confirmation)",
        claims.email().map(mask_email).unwrap_or_default(),
        claims.groups().join(", ")
    ));
    if !username.starts_with(&format!("{provider}_")) || claims.subject() == signed_up.user_sub() {
        return Err(fail(step)(format!("signed in as {username}, not a user of their own")));
    }
    if !claims.groups().contains(&"members") {
        return Err(fail(step)("the new user is not in the default group".into()));
    }
    let google_user = (username, claims.subject().to_owned());

    say(format!(
        "9. Sign in with {provider} as {masked}, who signed up above with a password and confirmed the address \
         (pre-signup: LINK_EXTERNAL_USERS=verified, LINK_TRUSTED_PROVIDERS={provider})"
    ));
    let step = "sign in with Google as the native user";
    let person = Person {
        email: &email,
        name: Some("Jane"),
        email_verified: true,
    };
    let linked = match google_sign_in(&person, step)? {
        Ok(claims) => claims,
        Err(cognito_oauth::CallbackError::Denied {
            description: Some(description),
            ..
        }) if is_linked(&description) => {
            say(format!(
                "   first attempt: pre-signup linked the identity; the callback says {description:?}"
            ));
            say(format!(
                "   so the app retries once with identity_provider={provider} (a one-shot flag: a second such answer is an error)"
            ));
            google_sign_in(&person, step)?.map_err(|e| fail(step)(format!("the retry: {e}")))?
        }
        Err(error) => return Err(fail(step)(error.to_string())),
    };
    say(format!(
        "   signed in as {}, sub {} (the native sign-up's: {}), identities: {}",
        linked.username().unwrap_or_default(),
        linked.subject(),
        signed_up.user_sub(),
        identities(&linked)
    ));
    say(format!("   groups: {}", linked.groups().join(", ")));
    if linked.subject() != signed_up.user_sub() {
        return Err(fail(step)(
            "the Google sign-in landed on another user than the native one".into(),
        ));
    }
    if !linked.groups().contains(&"members") {
        return Err(fail(step)("the linked sign-in lost the native user's groups".into()));
    }
    let linked_sub = linked.subject().to_owned();

    let denied = fresh_email("mallory", "mailinator.com");
    say(format!(
        "10. Sign up {} (mailinator.com is a denied domain)",
        mask_email(&denied)
    ));
    let refused = cognito
        .sign_up()
        .client_id(client_id)
        .username(&denied)
        .password(PASSWORD)
        .user_attributes(AttributeType::builder().name("email").value(&denied).build().unwrap())
        .send()
        .await;
    let error = match refused {
        Ok(_) => return Err(fail("denied sign-up")("the sign-up was accepted".into())),
        Err(error) => error,
    };
    let denied = (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    );
    say(format!(
        "   refused, as the app receives it: {}: {}",
        denied.0, denied.1
    ));
    if denied.0 != "UserLambdaValidationException" {
        return Err(fail("denied sign-up")(format!(
            "refused with {} where Cognito reports the function's own error",
            sdk(error)
        )));
    }
    say("The demo ran every step.".into());
    Ok(Outcome {
        denied,
        google_user,
        linked_sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_readable_text() {
        let html = "<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello Jane,</p>\n<p>Code: <span>123456</span> &#38; more</p></body></html>";
        assert_eq!(html_to_text(html), "Hello Jane, Code: 123456 & more");
    }

    #[test]
    fn the_first_link_of_an_email_is_found_unescaped() {
        let html = r#"<p>Code</p><a href="http://localhost:3000/verify?code=123456&#38;username=abc" style="x">Confirm</a><a href="http://other">"#;
        assert_eq!(
            first_link(html).as_deref(),
            Some("http://localhost:3000/verify?code=123456&username=abc")
        );
        assert_eq!(first_link("<p>no link</p>"), None);
    }

    #[test]
    fn fresh_emails_differ() {
        let a = fresh_email("jane", "example.com");
        assert!(a.starts_with("jane.") && a.ends_with("@example.com"));
        assert_ne!(a, fresh_email("jane", "example.com"));
    }
}
