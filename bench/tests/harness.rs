//! The benchmark harness with real function processes: lambda_runtime (the hello-world
//! floor and pre-signup) and awslambdaric (the Python pre-signup) served by our Runtime API,
//! answering the same event the same way. (aws-lambda-ric is built only by `cargo xtask
//! bench`, which fails unless the Node.js answer matches too.)

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use bench::{Harness, Language, MeasureError, PRE_SIGNUP_POLICY, Subject, owned_env};
use harness::{Tools, workspace_root};
use serde_json::Value;

/// Debug builds of the floor and pre-signup (once for all the tests here).
fn binaries() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = workspace_root().join("target").join("bench-harness");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--locked", "-p", "hello-echo", "-p", "pre-signup"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(workspace_root())
            .status()
            .unwrap();
        assert!(status.success());
        target.join("debug")
    })
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("functions/pre-signup/fixtures").join(name)).unwrap()
}

fn rust(work: &'static str, binary: &str, event: Vec<u8>) -> Subject {
    Subject {
        work,
        language: Language::Rust,
        program: binaries().join(binary),
        args: Vec::new(),
        dir: workspace_root(),
        env: owned_env(&PRE_SIGNUP_POLICY),
        event,
    }
}

fn python(handler: &str, event: Vec<u8>) -> Subject {
    Subject {
        work: "pre-signup",
        language: Language::Python,
        program: Tools::default().bench_python().unwrap(),
        args: vec!["-m".into(), "awslambdaric".into(), handler.into()],
        dir: workspace_root().join("bench").join("python"),
        env: owned_env(&PRE_SIGNUP_POLICY),
        event,
    }
}

fn harness() -> (Harness, tempfile::TempDir) {
    let logs = tempfile::tempdir().unwrap();
    (Harness::new(logs.path(), &[]).unwrap(), logs)
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn the_floor_echoes_cold_and_warm() {
    let (harness, _logs) = harness();
    let event = fixture("signup.json");
    let echo = rust("echo", "hello-echo", event.clone());
    let (took, answer) = harness.cold_start(&echo).unwrap();
    assert_eq!(json(&answer), json(&event));
    assert!(took.as_nanos() > 0);
    let warm = harness.warm(&echo, 2, 20).unwrap();
    assert_eq!(warm.latency.runs, 20);
    assert!(warm.per_second > 0.0 && warm.peak_rss_kib > 0, "{warm:?}");
}

#[test]
fn rust_and_python_pre_signup_give_the_same_answers() {
    let (harness, _logs) = harness();
    let allowed = fixture("signup.json");
    let (_, from_rust) = harness
        .cold_start(&rust("pre-signup", "pre-signup", allowed.clone()))
        .unwrap();
    let (_, from_python) = harness.cold_start(&python("pre_signup.handler", allowed)).unwrap();
    let from_rust = json(&from_rust);
    assert_eq!(from_rust["response"]["autoConfirmUser"], true, "{from_rust}");
    assert_eq!(json(&from_python), from_rust);

    // A rejection is a function error in both, through the Runtime API's error route.
    let denied = fixture("signup-denied.json");
    for subject in [
        rust("pre-signup", "pre-signup", denied.clone()),
        python("pre_signup.handler", denied),
    ] {
        let error = harness.cold_start(&subject).unwrap_err();
        assert!(
            matches!(&error, MeasureError::FunctionError { body, .. } if body.contains("not allowed")),
            "{error}"
        );
    }
}

#[test]
fn a_function_that_cannot_start_is_reported_with_its_output() {
    let (harness, _logs) = harness();
    let mut broken = rust("pre-signup", "pre-signup", fixture("signup.json"));
    broken.env.push(("AUTO_CONFIRM".into(), "sometimes".into()));
    let error = harness.cold_start(&broken).unwrap_err().to_string();
    assert!(error.contains("AUTO_CONFIRM"), "{error}");

    let missing_handler = python("no_such_module.handler", fixture("signup.json"));
    let error = harness.cold_start(&missing_handler).unwrap_err().to_string();
    assert!(error.contains("no_such_module"), "{error}");
}
