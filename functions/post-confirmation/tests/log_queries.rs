//! The README's Logs Insights queries for post-confirmation against the lines the binary
//! writes, with `AWS_LAMBDA_LOG_FORMAT=JSON` (as Lambda runs it when the template or
//! `cargo xtask deploy` set its `LoggingConfig`) and in plain text for the query that reads
//! either: each query finds the line it is for, only that line, with every field it shows.

use serde_json::{Value, json};
use trigger_common::testing::insights::{Scenario, check, queries_under, readme};
use trigger_common::testing::{Answer, Outcome, StubServer, fixture, run_binary_once};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const BINARY: &str = env!("CARGO_BIN_EXE_post-confirmation");

/// A Cognito that answers AdminAddUserToGroup with `status` (an AccessDenied, tried once, or
/// success).
fn cognito(status: u16) -> StubServer {
    StubServer::start(move |_| {
        Some(if status == 200 {
            Answer::new(200, &[("Content-Type", "application/x-amz-json-1.1")], "{}")
        } else {
            Answer::new(
                status,
                &[
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("x-amzn-ErrorType", "AccessDeniedException"),
                ],
                json!({"__type": "AccessDeniedException", "message": "not allowed: cognito-idp:AdminAddUserToGroup"})
                    .to_string(),
            )
        })
    })
}

/// The binary's output for `event` against `server`, in JSON or plain text.
fn printed(server: &StubServer, json_logs: bool, event: &Value) -> (Outcome, String) {
    let url = server.url();
    let mut vars = vec![
        ("DEFAULT_GROUP", "members"),
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
    ];
    if json_logs {
        vars.push(("AWS_LAMBDA_LOG_FORMAT", "JSON"));
    }
    run_binary_once(BINARY, &vars, event)
}

#[test]
fn the_readmes_queries_find_the_lines_post_confirmation_writes_and_no_other() {
    let queries = queries_under(&readme(DIR), "### `post-confirmation`").unwrap_or_else(|error| panic!("{error}"));
    let confirmation = fixture(DIR, "confirm-signup.json");
    // A user whose chosen name is the field the queries look for, confirmed without trouble.
    let mut forged = confirmation.clone();
    forged["userName"] = json!("alarm=\"POST_CONFIRMATION_GROUP_ADD_FAILED\"");
    let mut forged_json = confirmation.clone();
    forged_json["userName"] = json!("\"alarm\":\"POST_CONFIRMATION_GROUP_ADD_FAILED\"");

    let (denied, fine) = (cognito(400), cognito(200));
    let mut runs = Vec::new();
    for json_logs in [true, false] {
        let (outcome, failed) = printed(&denied, json_logs, &confirmation);
        assert!(
            matches!(&outcome, Outcome::Error { body, .. } if body["errorType"] == "AddToGroupFailed"),
            "{outcome:?}"
        );
        let (outcome, added) = printed(&fine, json_logs, &confirmation);
        assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {added}");
        let (outcome, forged) = printed(&fine, json_logs, &forged);
        assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {forged}");
        let (outcome, forged_json) = printed(&fine, json_logs, &forged_json);
        assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {forged_json}");
        runs.push((json_logs, failed, added, forged, forged_json));
    }
    let (_, failed, ..) = &runs[0];
    let line = failed
        .lines()
        .find(|line| line.contains("\"alarm\""))
        .expect("the alarm line");
    let line: Value = serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}"));
    assert!(line["timestamp"].is_string() && line["level"] == "ERROR", "{line}");

    let mut scenarios = Vec::new();
    for (json_logs, failed, added, forged, forged_json) in runs {
        let (found_by, format) = if json_logs {
            (vec!["group-add-failed", "group-add-failed-any-format"], "in JSON")
        } else {
            (vec!["group-add-failed-any-format"], "in plain text")
        };
        scenarios.extend([
            Scenario {
                name: format!("a confirmation whose group call was refused, {format}"),
                printed: failed,
                found_by,
            },
            Scenario {
                name: format!("a confirmation that added the user, {format}"),
                printed: added,
                found_by: vec![],
            },
            Scenario {
                name: format!("a user named alarm=\"…\", {format}"),
                printed: forged,
                found_by: vec![],
            },
            Scenario {
                name: format!("a user named \"alarm\":\"…\", {format}"),
                printed: forged_json,
                found_by: vec![],
            },
        ]);
    }
    let failures = check(&queries, &scenarios);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
