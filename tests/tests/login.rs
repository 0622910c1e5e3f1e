//! `provisioner login` end to end against the local stack (cognito-local): the test plays
//! the browser — it opens the URL the command prints, posts the login form, and follows the
//! redirect to the command's own callback listener — then checks the verified claims the
//! command prints, and a refresh with the refresh token it gave; and a client without a
//! localhost callback refused with the reason. It lives with the end-to-end tests, not the
//! provisioner's, because it needs the local stack; it builds the provisioner's binary
//! itself, as `cargo xtask local` runs it.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use e2e::local::flow;
use e2e::local::watch::Progress;
use e2e::{Stack, Tools, run_to_end, workspace_root};
use serde_json::Value;

const PASSWORD: &str = "Correct-Horse-9";

/// The provisioner's binary, built (quickly, when it already is) into the workspace's target.
fn provisioner_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let what = "cargo build -p provisioner --bin provisioner";
            run_to_end(
                what,
                e2e::cargo().args(["build", "--quiet", "-p", "provisioner", "--bin", "provisioner"]),
            )
            .unwrap();
            workspace_root().join("target").join("debug").join("provisioner")
        })
        .clone()
}

/// The provisioner against the stack's cognito-local, with `spec`.
fn provisioner(stack: &Stack, spec: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(provisioner_binary());
    command
        .arg("--spec")
        .arg(spec)
        .args(["--region", "us-east-1", "--endpoint-url", &stack.local.endpoint()])
        .args(["--skip", "domain", "--skip", "lambda"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env_remove("AWS_PROFILE");
    command
}

/// Waits for the line that holds the authorize URL on the command's stderr.
fn authorize_url(child: &mut Child) -> (cognito_oauth::Url, String) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if let Some(url) = line.trim().strip_prefix("http").map(|rest| format!("http{rest}"))
            && url.contains("/oauth2/authorize?")
        {
            // Keep reading stderr in the background so the command never blocks on it.
            std::thread::spawn(move || for _ in lines {});
            return (cognito_oauth::Url::parse(&url).unwrap(), seen);
        }
    }
    panic!("no authorize URL on stderr:\n{seen}");
}

#[tokio::test]
async fn login_signs_in_through_the_hosted_ui_and_refreshes() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::start(&Tools::default(), dir.path(), &[], Progress::Hidden)
        .await
        .unwrap();

    // A second client whose callback is a free localhost port, for the command to listen on.
    let port = e2e::free_port().unwrap();
    let callback = format!("http://localhost:{port}/callback");
    let spec_text = std::fs::read_to_string(workspace_root().join("cognito.toml"))
        .unwrap()
        .replacen("[client]", "[[clients]]", 1)
        + &format!(
            "\n[[clients]]\nname = \"cli\"\ncallback_urls = [\"{callback}\"]\nlogout_urls = [\"{callback}\"]\n\
             \n[[clients]]\nname = \"mobile\"\ncallback_urls = [\"myapp://callback\"]\nlogout_urls = [\"myapp://callback\"]\n"
        );
    let spec = dir.path().join("cognito.toml");
    std::fs::write(&spec, spec_text).unwrap();
    // The stack added its Google for the first client; this spec declares none, so it goes.
    let applied = provisioner(&stack, &spec, &["apply", "--yes"]).output().unwrap();
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));

    // A client with no localhost callback cannot sign in from here, and the command says why.
    let refused = provisioner(&stack, &spec, &["login", "--client", "mobile", "--no-browser"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("has no http://localhost:<port> callback URL"), "{said}");

    // A confirmed user.
    let email = e2e::local::demo::fresh_email("kim", "example.com");
    let client_id = stack.client_id().to_owned();
    stack
        .cognito
        .sign_up()
        .client_id(&client_id)
        .username(&email)
        .password(PASSWORD)
        .user_attributes(AttributeType::builder().name("email").value(&email).build().unwrap())
        .send()
        .await
        .unwrap();
    stack
        .cognito
        .admin_confirm_sign_up()
        .user_pool_id(&stack.outputs.user_pool_id)
        .username(&email)
        .send()
        .await
        .unwrap();

    // The command prints the URL; the test is the browser.
    let mut login = provisioner(
        &stack,
        &spec,
        &["--output", "json", "login", "--client", "cli", "--no-browser"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let (authorize, _) = authorize_url(&mut login);
    assert_eq!(
        authorize
            .query_pairs()
            .find(|(k, _)| k == "code_challenge_method")
            .unwrap()
            .1,
        "S256"
    );
    assert!(authorize.query_pairs().any(|(k, _)| k == "nonce"), "{authorize}");
    let signed_in = tokio::task::spawn_blocking(move || flow::sign_in(&authorize, &callback, &email, PASSWORD))
        .await
        .unwrap()
        .unwrap();
    // Follow the redirect to the command's listener (on 127.0.0.1, which is localhost).
    let back = signed_in.callback.replace("localhost", "127.0.0.1");
    let answer = ureq::get(&back).call().unwrap().into_body().read_to_string().unwrap();
    assert!(answer.contains("Signed in"), "{answer}");
    let output = tokio::task::spawn_blocking(move || login.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["claims"]["token_use"], "id");
    assert_eq!(printed["claims"]["email"], printed["claims"]["email"].as_str().unwrap());
    assert!(printed["claims"]["email"].as_str().unwrap().starts_with("kim."));
    let refresh_token = printed["tokens"]["refresh_token"].as_str().unwrap().to_owned();

    // --refresh reads the refresh token from stdin and prints verified claims again; in text
    // the tokens are not printed.
    let mut refresh = provisioner(&stack, &spec, &["login", "--client", "cli", "--refresh"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(refresh.stdin.take().unwrap(), "{refresh_token}").unwrap();
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || refresh.wait_with_output()),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("token_use") && text.contains("id"), "{text}");
    let everything = format!("{text}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!everything.contains(&refresh_token), "no token without --output json");
}
