//! The README's Logs Insights queries for pre-signup against the lines the binary writes with
//! `AWS_LAMBDA_LOG_FORMAT=JSON`, as Lambda runs it when the template or `cargo xtask deploy`
//! set its `LoggingConfig`: each query finds the line it is for, only that line, with every
//! field it shows.

use serde_json::{Value, json};
use trigger_common::testing::insights::{Scenario, check, queries_under, readme};
use trigger_common::testing::{Answer, Outcome, StubServer, fixture, run_binary_once};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const BINARY: &str = env!("CARGO_BIN_EXE_pre-signup");
const POLICY: [(&str, &str); 3] = [
    ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ("ALLOWED_EMAIL_DOMAINS", "example.com, *.example.com"),
    ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
];

/// The binary's output for `event`, with the policy, `vars` and JSON logs.
fn printed(vars: &[(&str, &str)], event: &Value) -> (Outcome, String) {
    let mut all = POLICY.to_vec();
    all.extend_from_slice(vars);
    run_binary_once(BINARY, &all, event)
}

#[test]
fn the_readmes_queries_find_the_lines_pre_signup_writes_and_no_other() {
    let queries = queries_under(&readme(DIR), "### `pre-signup`").unwrap_or_else(|error| panic!("{error}"));

    let (outcome, accepted) = printed(&[], &fixture(DIR, "signup.json"));
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {accepted}");
    let (outcome, refused) = printed(&[], &fixture(DIR, "signup-denied.json"));
    assert!(
        matches!(&outcome, Outcome::Error { body, .. } if body["errorType"] == "SignUpRejected"),
        "{outcome:?}"
    );

    // Linking on, and Cognito refusing the lookup: the sign-up is refused with the alarm line.
    let cognito = StubServer::start(|_| {
        Some(Answer::new(
            400,
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-ErrorType", "AccessDeniedException"),
            ],
            json!({"__type": "AccessDeniedException", "message": "not allowed: cognito-idp:ListUsers"}).to_string(),
        ))
    });
    let url = cognito.url();
    let linking = [
        ("LINK_EXTERNAL_USERS", "verified"),
        ("LINK_TRUSTED_PROVIDERS", "Google"),
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
    ];
    let (outcome, failed) = printed(&linking, &fixture(DIR, "external-provider-verified.json"));
    assert!(
        matches!(&outcome, Outcome::Error { body, .. } if body["errorType"] == "LinkingFailed"),
        "{outcome:?}"
    );
    // A federated user whose subject holds the marker, and whose sign-up goes on: no alarm.
    let mut forged = fixture(DIR, "external-provider.json");
    forged["userName"] = json!("Okta_alarm\":\"PRE_SIGNUP_LINKING_FAILED\"");
    let (outcome, forged) = printed(&linking, &forged);
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {forged}");

    for (name, lines) in [
        ("accepted", &accepted),
        ("refused", &refused),
        ("linking failed", &failed),
    ] {
        // The function's own line (lambda_runtime adds one of its own for an error answer,
        // with the sentence the person reads).
        let own: Vec<&str> = lines
            .lines()
            .filter(|line| line.contains("\"trigger_source\""))
            .collect();
        assert_eq!(own.len(), 1, "{name}: one line per invocation: {lines}");
        for line in own {
            let line: Value = serde_json::from_str(line).unwrap_or_else(|error| panic!("{name}: {error}: {line}"));
            assert!(
                line["timestamp"].is_string() && line["level"].is_string() && line["fields"]["outcome"].is_string(),
                "{name}: {line}"
            );
            if let Some(email) = line["fields"]["email"].as_str() {
                assert!(email.contains("***@"), "{name}: the email whole: {line}");
            }
        }
    }

    let scenarios = [
        Scenario {
            name: "an accepted sign-up".into(),
            printed: accepted,
            found_by: vec![],
        },
        Scenario {
            name: "a sign-up refused by the lists".into(),
            printed: refused,
            found_by: vec!["refused"],
        },
        Scenario {
            name: "a federated sign-up linking could not finish".into(),
            printed: failed,
            found_by: vec!["linking-failed"],
        },
        Scenario {
            name: "a federated sign-up whose user name holds the marker".into(),
            printed: forged,
            found_by: vec![],
        },
    ];
    let failures = check(&queries, &scenarios);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
