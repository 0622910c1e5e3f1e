//! The web app at http://localhost:3000 in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `cargo xtask setup`) driven over WebDriver through chromedriver
//! on a loopback port the OS picks, against the local stack that `cargo xtask local` runs.
//! A user signs up (the API, as an app's sign-up form would call it), confirms with the link
//! in the email, then in the browser opens the app, clicks "Sign in", fills the hosted UI's
//! form, lands back on the app signed in with the `members` group, refreshes and signs out.
//!
//! The app listens on 127.0.0.1:3000 (the spec's callback URL): the test fails, naming the
//! port, when something else holds it. A screenshot of the signed-in page is written under
//! the target folder (`CARGO_TARGET_TMPDIR/browser/signed-in.png`) for people to look at.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use e2e::local::app::App;
use e2e::local::demo::{PASSWORD, first_link, fresh_email};
use e2e::local::watch::Progress;
use e2e::{Stack, Tools};
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

#[tokio::test]
async fn a_user_signs_in_to_the_web_app_in_a_real_browser_sees_their_groups_refreshes_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), &[], Progress::Hidden)
        .await
        .unwrap();
    let app = App::start_for(&stack).unwrap_or_else(|error| panic!("{error}"));
    let driver = ChromeDriver::start(dir.path()).unwrap();
    let browser = browser(&driver).await;

    // Sign up as the app's sign-up form would, then confirm with the email's link, which
    // points at the app's /verify (VERIFY_URL).
    let email = fresh_email("browser", "example.com");
    let attribute = |name: &str, value: &str| AttributeType::builder().name(name).value(value).build().unwrap();
    stack
        .cognito
        .sign_up()
        .client_id(stack.client_id())
        .username(&email)
        .password(PASSWORD)
        .user_attributes(attribute("email", &email))
        .user_attributes(attribute("name", "Minji"))
        .send()
        .await
        .unwrap();
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
