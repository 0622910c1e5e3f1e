//! The pre-signup handler run in-process on fixture events shaped like Cognito's.

use lambda_runtime::{Context, LambdaEvent};
use pre_signup::{Config, Linking, handler};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{
    self, Outcome, arb_json, capture_logs, field_paths, fixture, run_binary_once, with_field,
};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn config(vars: &[(&str, &str)]) -> Config {
    Config::from_env(lookup_in(vars)).expect("a valid configuration")
}

fn invoke(payload: Value, config: &Config) -> (Result<Value, String>, String) {
    let (result, logs) = capture_logs(handler(
        LambdaEvent::new(testing::payload(&payload), Context::default()),
        config,
        &Linking::OFF,
    ));
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

fn run(name: &str, config: &Config) -> Result<Value, String> {
    invoke(fixture(DIR, name), config).0
}

const ALLOW_EXAMPLE: (&str, &str) = ("ALLOWED_EMAIL_DOMAINS", "example.com, *.example.com");

#[test]
fn every_trigger_source_applies_the_policy() {
    let accept = config(&[ALLOW_EXAMPLE]);
    for name in ["signup.json", "admin-create-user.json", "external-provider.json"] {
        let sent = fixture(DIR, name);
        let returned = run(name, &accept).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            returned, sent,
            "{name}: accepted without auto-confirm returns the event as it came"
        );
    }
    let deny = config(&[("DENIED_EMAIL_DOMAINS", "example.com, *.example.com")]);
    for name in ["signup.json", "admin-create-user.json", "external-provider.json"] {
        let error = run(name, &deny).unwrap_err();
        assert!(error.contains("not allowed"), "{name}: {error}");
    }
}

#[test]
fn auto_confirm_fills_the_response_and_keeps_the_rest() {
    let config = config(&[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed")]);
    let sent = fixture(DIR, "signup.json");
    let returned = run("signup.json", &config).unwrap();
    assert_eq!(
        returned["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}),
        "no email_verified attribute: the address counts as verified"
    );
    assert_eq!(returned["request"], sent["request"]);
    assert_eq!(returned["callerContext"], sent["callerContext"]);
    assert_eq!(returned["userName"], sent["userName"]);
}

#[test]
fn rejection_is_an_error_a_person_can_read() {
    let config = config(&[ALLOW_EXAMPLE]);
    let error = run("signup-denied.json", &config).unwrap_err();
    assert_eq!(
        error,
        "Sign-up with this email domain is not allowed. Please use another email address."
    );
}

#[test]
fn sign_up_without_email() {
    let open = config(&[("AUTO_CONFIRM", "always")]);
    let sent = fixture(DIR, "signup-phone-only.json");
    assert_eq!(run("signup-phone-only.json", &open).unwrap(), sent);
    let restricted = config(&[ALLOW_EXAMPLE]);
    assert_eq!(
        run("signup-phone-only.json", &restricted).unwrap_err(),
        "An email address is required to sign up."
    );
}

#[test]
fn a_missing_or_null_response_is_filled_in() {
    let config = config(&[("AUTO_CONFIRM", "always")]);
    let mut sent = fixture(DIR, "signup.json");
    sent["response"] = Value::Null;
    let returned = invoke(sent, &config).0.unwrap();
    assert_eq!(returned["response"]["autoConfirmUser"], true);
    assert_eq!(returned["response"]["autoVerifyPhone"], false);
}

const LISTS: [(&str, &str); 3] = [
    ALLOW_EXAMPLE,
    ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
    ("AUTO_CONFIRM", "always"),
];

fn future_source(email: Value) -> Value {
    let mut sent = fixture(DIR, "future-source.json");
    sent["request"]["userAttributes"]["email"] = email;
    sent
}

#[test]
fn an_unknown_source_with_a_denied_domain_is_rejected() {
    let (returned, logs) = invoke(fixture(DIR, "future-source.json"), &config(&LISTS));
    assert_eq!(
        returned.unwrap_err(),
        "Sign-up with this email domain is not allowed. Please use another email address."
    );
    assert!(
        logs.contains("WARN") && logs.contains("PreSignUp_SomethingAwsAddsLater"),
        "{logs}"
    );
}

#[test]
fn an_unknown_source_with_an_unlisted_domain_is_rejected() {
    let (returned, _) = invoke(future_source(json!("a@unlisted.org")), &config(&LISTS));
    assert!(returned.unwrap_err().contains("not allowed"));
    let (returned, _) = invoke(future_source(json!("ceo@exam\u{AD}ple.com")), &config(&LISTS));
    assert_eq!(returned.unwrap_err(), "Please sign up with a valid email address.");
    let (returned, _) = invoke(future_source(json!(["a@example.com"])), &config(&LISTS));
    assert_eq!(returned.unwrap_err(), "Please sign up with a valid email address.");
}

#[test]
fn an_unknown_source_without_an_email_meets_the_allow_list() {
    let mut sent = fixture(DIR, "future-source.json");
    sent["request"]["userAttributes"] = json!({"phone_number": "+821012345678"});
    let (returned, _) = invoke(sent.clone(), &config(&LISTS));
    assert_eq!(returned.unwrap_err(), "An email address is required to sign up.");
    let (returned, _) = invoke(sent.clone(), &config(&[("AUTO_CONFIRM", "always")]));
    assert_eq!(returned.unwrap(), sent);
}

#[test]
fn an_unknown_source_that_passes_is_returned_unchanged_and_never_auto_confirmed() {
    let sent = future_source(json!("jane.doe@example.com"));
    let (returned, logs) = invoke(sent.clone(), &config(&LISTS));
    assert_eq!(returned.unwrap(), sent, "AUTO_CONFIRM=always does not reach it");
    assert!(
        logs.contains("WARN") && logs.contains("PreSignUp_SomethingAwsAddsLater"),
        "{logs}"
    );
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(
        logs.contains("j***@example.com") && !logs.contains("jane.doe"),
        "{logs}"
    );
}

/// Addresses today's `idna::domain_to_ascii` lets through; each matches `*.example.com`.
#[test]
fn smuggled_addresses_are_rejected_through_the_handler() {
    let config = config(&[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed")]);
    for email in [
        "a@attacker.com,x.example.com",
        "a@evil.com;x.example.com",
        "a@evil.com\0.x.example.com",
        "a@evil.com\u{7}.x.example.com",
        "a@[1.2.3.4]",
        "a@1.2.3.4",
    ] {
        let mut sent = fixture(DIR, "signup.json");
        sent["request"]["userAttributes"]["email"] = json!(email);
        let (returned, logs) = invoke(sent, &config);
        assert_eq!(
            returned.as_ref().unwrap_err(),
            "Please sign up with a valid email address.",
            "{email:?}: {returned:?}"
        );
        assert!(!logs.contains('\0') && !logs.contains('\u{7}'), "{logs}");
    }
}

/// `ceo@exam\u{AD}ple.com` shows as `ceo@example.com`; today it is confirmed and verified.
#[test]
fn look_alike_addresses_are_rejected_through_the_handler() {
    let config = config(&[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed")]);
    let (returned, logs) = invoke(fixture(DIR, "signup-look-alike.json"), &config);
    assert_eq!(returned.unwrap_err(), "Please sign up with a valid email address.");
    assert!(
        logs.contains("c***@exam\\u{ad}ple.com") && logs.contains("malformed email"),
        "the operator sees the hidden character: {logs}"
    );
    for email in [
        "ceo@exam\u{200B}ple.com",
        "ceo@example\u{2060}.com",
        "ceo\u{200B}@example.com",
        "ceo@\u{212A}.example.com",
        "ｃeo@example.com",
    ] {
        let mut sent = fixture(DIR, "signup.json");
        sent["request"]["userAttributes"]["email"] = json!(email);
        let (returned, _) = invoke(sent, &config);
        assert_eq!(
            returned.unwrap_err(),
            "Please sign up with a valid email address.",
            "{email:?}"
        );
    }
}

#[test]
fn a_federated_email_the_provider_did_not_verify_is_never_marked_verified() {
    let sent = fixture(DIR, "external-provider.json");
    assert_eq!(sent["request"]["userAttributes"]["email_verified"], "false");
    let returned = run("external-provider.json", &config(&[("AUTO_CONFIRM", "always")])).unwrap();
    assert_eq!(
        returned["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
    let mut verified = sent;
    verified["request"]["userAttributes"]["email_verified"] = json!("true");
    let returned = invoke(verified, &config(&[("AUTO_CONFIRM", "always")])).0.unwrap();
    assert_eq!(returned["response"]["autoVerifyEmail"], true);
}

/// A provider that says nothing about the address (no `email_verified` claim, or the pool
/// maps none) has proven nothing: auto-confirm confirms the user but leaves it unverified.
/// A native sign-up that says nothing keeps its address counted as verified.
#[test]
fn a_federated_email_the_provider_said_nothing_about_is_never_marked_verified() {
    let always = config(&[("AUTO_CONFIRM", "always")]);
    let mut sent = fixture(DIR, "external-provider-verified.json");
    sent["request"]["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("email_verified");
    let returned = invoke(sent, &always).0.unwrap();
    assert_eq!(
        returned["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
    for said in [" true", "true\n", "yes"] {
        let mut sent = fixture(DIR, "external-provider-verified.json");
        sent["request"]["userAttributes"]["email_verified"] = json!(said);
        let returned = invoke(sent, &always).0.unwrap();
        assert_eq!(returned["response"]["autoVerifyEmail"], false, "{said:?}");
    }
    let returned = run("external-provider-verified.json", &always).unwrap();
    assert_eq!(returned["response"]["autoVerifyEmail"], true);
    let returned = run("signup.json", &always).unwrap();
    assert_eq!(returned["response"]["autoVerifyEmail"], true);
}

/// The binary as Lambda runs it, at the most verbose level Lambda and RUST_LOG can ask for,
/// through lambda_runtime's own code path (which logs raw events at TRACE).
#[test]
fn the_binary_never_logs_the_raw_event() {
    let event = fixture(DIR, "signup.json");
    for level in [("RUST_LOG", "trace"), ("AWS_LAMBDA_LOG_LEVEL", "TRACE")] {
        let (outcome, printed) = run_binary_once(
            env!("CARGO_BIN_EXE_pre-signup"),
            &[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed"), level],
            &event,
        );
        let Outcome::Response(answer) = outcome else {
            panic!("{outcome:?}: {printed}");
        };
        assert_eq!(answer["response"]["autoConfirmUser"], true);
        assert!(printed.contains("j***@example.com"), "the invocation's line: {printed}");
        assert!(!printed.contains("jane.doe"), "{level:?}: {printed}");
        assert!(!printed.contains("Jane Doe"), "{level:?}: {printed}");
    }
}

#[test]
fn payloads_that_are_not_pre_signup_events_are_clear_errors() {
    let config = config(&[]);
    let (error, _) = invoke(json!({"hello": "world"}), &config);
    assert!(error.unwrap_err().contains("not a Cognito user-pool event"));
    let mut other = fixture(DIR, "signup.json");
    other["triggerSource"] = json!("PostConfirmation_ConfirmSignUp");
    let (error, _) = invoke(other, &config);
    assert!(error.unwrap_err().contains("PostConfirmation_ConfirmSignUp"));
    let mut broken = fixture(DIR, "signup.json");
    broken["request"]["userAttributes"] = json!(["not", "a", "map"]);
    let (error, _) = invoke(broken, &config);
    assert!(error.unwrap_err().contains("malformed"));
}

#[test]
fn one_log_line_per_invocation_with_the_email_masked() {
    let (result, logs) = invoke(fixture(DIR, "signup.json"), &config(&[ALLOW_EXAMPLE]));
    result.unwrap();
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(logs.contains("PreSignUp_SignUp"), "{logs}");
    assert!(logs.contains("j***@example.com"), "{logs}");
    assert!(!logs.contains("jane.doe"), "{logs}");

    let (result, logs) = invoke(fixture(DIR, "signup-denied.json"), &config(&[ALLOW_EXAMPLE]));
    result.unwrap_err();
    assert!(
        logs.contains("m***@mailinator.com") && !logs.contains("mallory"),
        "{logs}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_payloads_never_panic(payload in arb_json()) {
        let _ = invoke(payload, &config(&[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed")]));
    }

    #[test]
    fn corrupted_events_never_panic(index in any::<prop::sample::Index>(), replacement in prop::option::of(arb_json())) {
        let sent = fixture(DIR, "external-provider.json");
        let paths = field_paths(&sent);
        let corrupted = with_field(sent, &paths[index.index(paths.len())], replacement);
        let _ = invoke(corrupted, &config(&[ALLOW_EXAMPLE, ("AUTO_CONFIRM", "allowed")]));
    }

    #[test]
    fn arbitrary_emails_never_panic(email in ".{0,40}") {
        let mut sent = fixture(DIR, "signup.json");
        sent["request"]["userAttributes"]["email"] = json!(email);
        let _ = invoke(sent, &config(&[ALLOW_EXAMPLE, ("DENIED_EMAIL_DOMAINS", "*.x.example.com")]));
    }
}

/// An unknown trigger source is the payload's own text: it is logged escaped, so a line break
/// in it cannot start a forged line (an alarm marker of its own, say).
#[test]
fn an_unknown_source_with_a_line_break_is_logged_on_one_line() {
    let mut sent = future_source(json!("a@example.com"));
    sent["triggerSource"] = json!("PreSignUp_Later\nERROR alarm=PRE_SIGNUP_LINKING_FAILED forged");
    let (_, logs) = invoke(sent, &config(&[]));
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(logs.contains("PreSignUp_Later\\nERROR"), "{logs}");
}

/// The JSON lines a binary printed (its stderr also holds what `main` says once the test's
/// runtime API goes away).
fn json_lines(printed: &str) -> Vec<Value> {
    printed
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// One line per invocation through lambda_runtime's own code path too: its line for each error
/// answer (`Failure { kind: .., message: .. }` at ERROR) would make a refusal by policy, which
/// pre-signup logs at INFO with its outcome, a second line, and an ERROR one.
#[test]
fn the_binary_writes_one_line_for_a_refused_sign_up() {
    let json = [("AWS_LAMBDA_LOG_FORMAT", "JSON"), ("AWS_LAMBDA_LOG_LEVEL", "INFO")];
    let (outcome, printed) = run_binary_once(
        env!("CARGO_BIN_EXE_pre-signup"),
        &[ALLOW_EXAMPLE, json[0], json[1]],
        &fixture(DIR, "signup-denied.json"),
    );
    let Outcome::Error { body, .. } = outcome else {
        panic!("{outcome:?}: {printed}");
    };
    assert_eq!(body["errorType"], "SignUpRejected", "{body}");
    let lines = json_lines(&printed);
    assert_eq!(lines.len(), 1, "{printed}");
    assert_eq!(
        (&lines[0]["level"], &lines[0]["fields"]["outcome"]),
        (&json!("INFO"), &json!("refused")),
        "{printed}"
    );

    // A payload it cannot read: its one line is the function's, at ERROR, naming the kind and
    // where, never the value serde quotes (here an attribute's, an email).
    let mut broken = fixture(DIR, "signup.json");
    broken["request"]["userAttributes"]["email"] = json!({"nested": "jane.doe@example.com"});
    let (outcome, printed) = run_binary_once(
        env!("CARGO_BIN_EXE_pre-signup"),
        &[ALLOW_EXAMPLE, json[0], json[1]],
        &broken,
    );
    let Outcome::Error { body, .. } = outcome else {
        panic!("{outcome:?}: {printed}");
    };
    assert_eq!(body["errorType"], "InvalidEvent", "{body}");
    let lines = json_lines(&printed);
    assert_eq!(lines.len(), 1, "{printed}");
    assert_eq!(lines[0]["level"], "ERROR", "{printed}");
    assert_eq!(lines[0]["fields"]["error_type"], "InvalidEvent", "{printed}");
    assert!(!printed.contains("jane.doe"), "{printed}");
}
