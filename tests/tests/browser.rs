//! The web app at http://localhost:3000 in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `cargo xtask setup`) driven over WebDriver through chromedriver
//! on a loopback port the OS picks, against the local stack that `cargo xtask local` runs.
//! A user signs up (the API, as an app's sign-up form would call it), confirms with the link
//! in the email, then in the browser opens the app, clicks "Sign in", fills the hosted UI's
//! form, lands back on the app signed in with the `members` group, refreshes and signs out.
//!
//! Google sign-in, against the local Google (`tools/google_provider.mjs`) with the local
//! stack's pre-signup linking (`LINK_EXTERNAL_USERS=verified`, `LINK_TRUSTED_PROVIDERS=Google`):
//! "Sign in with Google" for a new person shows a user of their own with the `members` group;
//! for a person who signed up natively and confirmed the address it lands on that person's
//! `sub`, the app retrying once after pre-signup's linked answer; an unverified native
//! address, or a provider linking does not trust, links nothing and makes a separate user.
//!
//! The app listens on 127.0.0.1:3000 (the spec's callback URL): the tests fail, naming the
//! port, when something else holds it, and run one at a time. A screenshot of the signed-in
//! page is written under the target folder (`CARGO_TARGET_TMPDIR/browser/signed-in.png`, and
//! `google-linked.png`) for people to look at.

mod common;

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use common::{admin_confirm_sign_up, confirm_sign_up, sign_up, start};
use e2e::Stack;
use e2e::local::app::App;
use e2e::local::demo::{PASSWORD, first_link, fresh_email};
use fantoccini::{Client, ClientBuilder, Locator};
use harness::browser::{CHROMIUM_ARGS, ChromeDriver, chromium};
use serde_json::json;
use trigger_common::mask_email;

const APP: &str = "http://localhost:3000";

async fn browser(driver: &ChromeDriver) -> Client {
    let binary = chromium().expect("chromium is installed (cargo xtask setup)");
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": binary, "args": CHROMIUM_ARGS },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&driver.url())
        .await
        .unwrap_or_else(|error| panic!("chromedriver started no Chromium: {error}\n{}", driver.output()))
}

/// The text of the element with this id, waiting up to 10 s for it.
async fn text_of(browser: &Client, id: &str) -> String {
    let found = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id(id))
        .await;
    match found {
        Ok(element) => element.text().await.unwrap(),
        Err(error) => {
            let page = browser.source().await.unwrap_or_default();
            panic!("no #{id} on {:?}: {error}\n{page}", browser.current_url().await);
        }
    }
}

/// Waits until the element with this id has a text that `ready` accepts.
async fn wait_for_text(browser: &Client, id: &str, ready: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = browser.find(Locator::Id(id)).await {
            last = element.text().await.unwrap_or_default();
            if ready(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("#{id} never became ready; last text {last:?}");
}

/// The app holds port 3000: its tests run one at a time, each on a runtime of its own.
fn alone(test: impl Future<Output = ()>) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test);
}

#[test]
fn a_user_signs_in_to_the_web_app_in_a_real_browser_sees_their_groups_refreshes_and_signs_out() {
    alone(signs_in_refreshes_and_signs_out());
}

async fn signs_in_refreshes_and_signs_out() {
    let (dir, stack) = start(&[]).await;
    let app = App::start_for(&stack).unwrap_or_else(|error| panic!("{error}"));
    let driver = ChromeDriver::start(dir.path()).unwrap();
    let browser = browser(&driver).await;

    // Sign up as the app's sign-up form would, then confirm with the email's link, which
    // points at the app's /verify (VERIFY_URL).
    let email = fresh_email("browser", "example.com");
    sign_up(&stack, &email, &[("name", "Minji")]).await.unwrap();
    let delivery = stack.local.delivery_to(&email, 0).expect("the SignUp email");
    let link = first_link(delivery.email_message.as_deref().unwrap_or_default()).expect("a link in the email");
    assert!(link.starts_with(&format!("{APP}/verify?")), "{link}");
    browser.goto(&link).await.unwrap();
    assert_eq!(text_of(&browser, "message").await, "Your email address is confirmed.");

    // 1-2. Open the app, signed out, and click "Sign in".
    browser.goto(APP).await.unwrap();
    let sign_in = browser.find(Locator::Id("sign-in")).await.unwrap();
    assert_eq!(sign_in.text().await.unwrap(), "Sign in");
    sign_in.click().await.unwrap();

    // 3. The hosted UI's form, on cognito-local's own address.
    let username = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=username]"))
        .await
        .unwrap();
    let at = browser.current_url().await.unwrap();
    assert!(
        at.as_str()
            .starts_with(&format!("{}/oauth2/authorize?", stack.hosted_ui())),
        "{at}"
    );
    username.send_keys(&email).await.unwrap();
    browser
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // 4. Back on the app, signed in, at a clean address.
    assert_eq!(text_of(&browser, "email").await, mask_email(&email));
    assert_eq!(text_of(&browser, "groups").await, "members");
    let api = text_of(&browser, "api").await;
    assert!(
        api.starts_with("200 ") && api.contains(r#""groups":["members"]"#),
        "{api}"
    );
    assert_eq!(browser.current_url().await.unwrap().as_str(), format!("{APP}/"));
    let source = browser.source().await.unwrap();
    assert!(!source.contains("eyJ"), "no token in the page: {source}");
    let screenshots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&screenshots).unwrap();
    std::fs::write(screenshots.join("signed-in.png"), browser.screenshot().await.unwrap()).unwrap();

    // 5. Refresh: new tokens from the refresh token, the same user.
    assert_eq!(text_of(&browser, "refreshed").await, "0");
    browser
        .find(Locator::Id("refresh"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&browser, "refreshed", |t| t == "1").await;
    assert_eq!(text_of(&browser, "groups").await, "members");

    // 6. Sign out: the hosted UI's /logout sends the browser back to the app, signed out.
    browser
        .find(Locator::Id("sign-out"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let signed_out = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("sign-in"))
        .await
        .unwrap_or_else(|error| panic!("not back on the signed-out page: {error}"));
    assert_eq!(signed_out.text().await.unwrap(), "Sign in");
    assert_eq!(browser.current_url().await.unwrap().as_str(), format!("{APP}/"));
    browser.goto(APP).await.unwrap();
    assert!(browser.find(Locator::Id("email")).await.is_err(), "the session is gone");

    browser.close().await.unwrap();
    drop(driver);
    drop(app);
}

/// The local stack (with `env` over its functions' environment), the app on port 3000 and a
/// browser, stopped in reverse when dropped.
struct Session {
    browser: Client,
    _driver: ChromeDriver,
    _app: App,
    stack: Stack,
    _dir: tempfile::TempDir,
}

impl Session {
    async fn open(env: &[(&str, &str)]) -> Self {
        let (dir, stack) = start(env).await;
        let app = App::start_for(&stack).unwrap_or_else(|error| panic!("{error}"));
        let driver = ChromeDriver::start(dir.path()).unwrap();
        let browser = browser(&driver).await;
        Self {
            browser,
            _driver: driver,
            _app: app,
            stack,
            _dir: dir,
        }
    }

    /// Signs up `email` natively (the API, as a sign-up form would) and confirms it: with
    /// the emailed code (the address then verified), or by an administrator (unverified).
    async fn native_user(&self, email: &str, verified: bool) -> String {
        let stack = &self.stack;
        let signed_up = sign_up(stack, email, &[]).await.unwrap();
        if verified {
            let code = stack.local.delivery_to(email, 0).expect("the SignUp email").code;
            confirm_sign_up(stack, email, &code).await.unwrap();
        } else {
            admin_confirm_sign_up(stack, email).await;
        }
        signed_up.user_sub().to_owned()
    }

    /// From the signed-out app: "Sign in with Google", then the local Google's form, once.
    async fn sign_in_with_google(&self, email: &str, name: &str) {
        let browser = &self.browser;
        browser.goto(APP).await.unwrap();
        let link = browser.find(Locator::Id("sign-in-google")).await.unwrap();
        assert_eq!(link.text().await.unwrap(), "Sign in with Google");
        link.click().await.unwrap();
        let field = browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("email"))
            .await
            .unwrap_or_else(|error| panic!("no local Google form: {error}"));
        let at = browser.current_url().await.unwrap();
        assert!(
            at.as_str().starts_with(&self.stack.google.issuer()),
            "the form is the local Google's: {at}"
        );
        field.send_keys(email).await.unwrap();
        browser
            .find(Locator::Id("name"))
            .await
            .unwrap()
            .send_keys(name)
            .await
            .unwrap();
        browser
            .find(Locator::Id("submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// What the signed-in page shows: the `sub`, the masked email, the providers and groups.
    async fn shown(&self) -> (String, String, String, String) {
        let sub = text_of(&self.browser, "sub").await;
        assert_eq!(
            self.browser.current_url().await.unwrap().as_str(),
            format!("{APP}/"),
            "signed in at the clean address"
        );
        (
            sub,
            text_of(&self.browser, "email").await,
            text_of(&self.browser, "identities").await,
            text_of(&self.browser, "groups").await,
        )
    }

    /// The pool's users' names.
    async fn usernames(&self) -> Vec<String> {
        common::usernames(&self.stack).await
    }

    async fn close(self) {
        self.browser.clone().close().await.unwrap();
    }
}

#[test]
fn google_sign_in_of_a_new_person_shows_them_in_the_app_with_the_members_group() {
    alone(async {
        let session = Session::open(&[]).await;
        let email = fresh_email("ada", "example.com");
        session.sign_in_with_google(&email, "Ada").await;
        let (sub, shown_email, identities, groups) = session.shown().await;
        assert_eq!(shown_email, mask_email(&email));
        assert_eq!(identities, "Google");
        assert_eq!(groups, "members", "post-confirmation added the new user to members");
        let users = session.usernames().await;
        assert_eq!(users.len(), 1, "{users:?}");
        assert!(users[0].starts_with("Google_"), "a user of their own: {users:?}");
        assert!(!sub.is_empty());
        session.close().await;
    });
}

#[test]
fn a_native_user_with_a_confirmed_address_signing_in_with_google_lands_on_their_own_sub_after_one_retry() {
    alone(async {
        let session = Session::open(&[]).await;
        let email = fresh_email("jane", "example.com");
        let native = session.native_user(&email, true).await;
        // The form is filled once: pre-signup links and refuses the first attempt, the app
        // retries once with identity_provider=Google, and the local Google, still signed
        // in, sends the browser straight back.
        session.sign_in_with_google(&email, "Jane").await;
        let (sub, shown_email, identities, groups) = session.shown().await;
        assert_eq!(sub, native, "the native user's sub");
        assert_eq!(shown_email, mask_email(&email));
        assert_eq!(identities, "Google", "the linked identity");
        assert_eq!(groups, "members");
        let users = session.usernames().await;
        assert_eq!(users.len(), 1, "no second user: {users:?}");
        let screenshots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
        std::fs::create_dir_all(&screenshots).unwrap();
        let png = session.browser.screenshot().await.unwrap();
        std::fs::write(screenshots.join("google-linked.png"), png).unwrap();
        session.close().await;
    });
}

#[test]
fn a_native_user_whose_address_is_unverified_is_not_linked_and_google_makes_a_separate_user() {
    alone(async {
        let session = Session::open(&[]).await;
        let email = fresh_email("unproven", "example.com");
        let native = session.native_user(&email, false).await;
        session.sign_in_with_google(&email, "Not Jane").await;
        let (sub, _, identities, groups) = session.shown().await;
        assert_ne!(sub, native, "a separate user");
        assert_eq!(identities, "Google");
        assert_eq!(groups, "members");
        let users = session.usernames().await;
        assert_eq!(users.len(), 2, "{users:?}");
        assert!(users.iter().any(|u| u.starts_with("Google_")), "{users:?}");
        session.close().await;
    });
}

#[test]
fn a_provider_that_linking_does_not_trust_is_not_linked_to_a_verified_native_user() {
    alone(async {
        let session = Session::open(&[("LINK_TRUSTED_PROVIDERS", "SignInWithApple")]).await;
        let email = fresh_email("jane", "example.com");
        let native = session.native_user(&email, true).await;
        session.sign_in_with_google(&email, "Jane").await;
        let (sub, _, identities, _) = session.shown().await;
        assert_ne!(sub, native, "a separate user");
        assert_eq!(identities, "Google");
        let users = session.usernames().await;
        assert_eq!(users.len(), 2, "{users:?}");
        session.close().await;
    });
}
