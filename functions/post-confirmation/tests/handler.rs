//! The post-confirmation handler run in-process on fixture events shaped like Cognito's,
//! with a fake group store, with the real SDK client answered by aws-smithy-mocks, and with
//! the real SDK client (its retries and timeouts as the function builds it) talking HTTP to
//! a small server in the test that answers the way Cognito and IAM do.

use std::sync::Mutex;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Credentials;
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::{
    AdminAddUserToGroupError, AdminAddUserToGroupOutput,
};
use aws_sdk_cognitoidentityprovider::types::error::ResourceNotFoundException;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lambda_runtime::{Context, LambdaEvent};
use post_confirmation::{ALARM, CognitoGroups, Config, GroupError, GroupMembership, UNFINISHED, handler};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{
    self, Answer, Exchange, Outcome, StubServer, arb_json, capture_logs, field_paths, fixture, run_binary_once,
    with_field,
};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Records calls; fails with NotFound for groups it does not know.
#[derive(Default)]
struct FakeGroups {
    existing: Vec<&'static str>,
    calls: Mutex<Vec<(String, String, String)>>,
}

impl FakeGroups {
    fn with(existing: &[&'static str]) -> Self {
        Self {
            existing: existing.to_vec(),
            ..Self::default()
        }
    }
    fn calls(&self) -> Vec<(String, String, String)> {
        self.calls.lock().unwrap().clone()
    }
}

impl GroupMembership for FakeGroups {
    async fn add_user_to_group(&self, pool: &str, user: &str, group: &str) -> Result<(), GroupError> {
        self.calls
            .lock()
            .unwrap()
            .push((pool.into(), user.into(), group.into()));
        if self.existing.contains(&group) {
            Ok(())
        } else {
            Err(GroupError::NotFound {
                group: group.into(),
                user_pool_id: pool.into(),
                message: "Group not found.".into(),
            })
        }
    }
}

fn config(group: Option<&str>) -> Config {
    let vars: Vec<(&str, &str)> = group.map(|g| ("DEFAULT_GROUP", g)).into_iter().collect();
    Config::from_env(lookup_in(&vars)).unwrap()
}

fn invoke(payload: Value, config: &Config, groups: &impl GroupMembership) -> (Result<Value, String>, String) {
    let (result, logs) = capture_logs(handler(
        LambdaEvent::new(testing::payload(&payload), Context::default()),
        config,
        groups,
    ));
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

#[test]
fn confirm_sign_up_adds_the_user_to_the_default_group() {
    let groups = FakeGroups::with(&["members"]);
    let sent = fixture(DIR, "confirm-signup.json");
    let (result, logs) = invoke(sent.clone(), &config(Some("members")), &groups);
    assert_eq!(result.unwrap(), sent, "the whole event goes back");
    assert_eq!(
        groups.calls(),
        [(
            "us-east-1_EXAMPLE1".to_string(),
            "4f8e1c2a-7b3d-4e5f-9a6b-1c2d3e4f5a6b".to_string(),
            "members".to_string()
        )]
    );
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(
        logs.contains("PostConfirmation_ConfirmSignUp") && logs.contains("members"),
        "{logs}"
    );
}

#[test]
fn confirm_forgot_password_makes_no_call() {
    let groups = FakeGroups::with(&["members"]);
    let sent = fixture(DIR, "confirm-forgot-password.json");
    let (result, _) = invoke(sent.clone(), &config(Some("members")), &groups);
    assert_eq!(result.unwrap(), sent);
    assert!(groups.calls().is_empty());
}

#[test]
fn no_default_group_makes_no_call() {
    let groups = FakeGroups::with(&[]);
    let (result, _) = invoke(fixture(DIR, "confirm-signup.json"), &config(None), &groups);
    result.unwrap();
    assert!(groups.calls().is_empty());
}

#[test]
fn a_missing_group_is_logged_for_the_operator_and_not_shown_to_the_person() {
    let groups = FakeGroups::with(&[]);
    let (result, logs) = invoke(fixture(DIR, "confirm-signup.json"), &config(Some("staff")), &groups);
    assert_eq!(result.unwrap_err(), UNFINISHED);
    assert!(logs.contains("ERROR") && logs.contains(ALARM), "{logs}");
    assert!(
        logs.contains("\"staff\"") && logs.contains("Create the group"),
        "{logs}"
    );
}

/// In a pool where people choose their user name, it can be their email or phone number.
#[test]
fn a_user_name_that_is_an_email_or_a_phone_number_is_masked_in_logs() {
    let groups = FakeGroups::with(&["members"]);
    for (user_name, shown, hidden) in [
        ("jane.doe@example.com", "j***@example.com", "jane.doe"),
        ("+821012345678", "+**********78", "1012345"),
        ("010-1234-5678", "78", "1234"),
    ] {
        let mut sent = fixture(DIR, "confirm-signup.json");
        sent["userName"] = json!(user_name);
        let (result, logs) = invoke(sent, &config(Some("members")), &groups);
        result.unwrap();
        assert!(logs.contains(shown) && !logs.contains(hidden), "{logs}");
    }
    let mut sent = fixture(DIR, "confirm-signup.json");
    sent["userName"] = json!("Google_108374651093847561029");
    let (_, logs) = invoke(sent, &config(Some("members")), &groups);
    assert!(logs.contains("Google_108374651093847561029"), "{logs}");
}

/// Everything the function logs, written by the subscriber it installs at cold start
/// (`trigger_common::logging::subscriber`) as Lambda would collect it: plain text, or JSON
/// with `AWS_LAMBDA_LOG_FORMAT=JSON`.
fn logged_as(
    format: LogFormat,
    payload: Value,
    config: &Config,
    groups: &impl GroupMembership,
) -> (Result<Value, String>, String) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let vars: &[(&str, &str)] = match format {
        LogFormat::Plain => &[],
        LogFormat::Json => &[("AWS_LAMBDA_LOG_FORMAT", "JSON")],
    };
    let subscriber = trigger_common::logging::subscriber(lookup_in(vars), move || writer.clone());
    let result = tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a tokio runtime")
            .block_on(handler(
                LambdaEvent::new(testing::payload(&payload), Context::default()),
                config,
                groups,
            ))
    });
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).expect("UTF-8 logs");
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

#[derive(Debug, Clone, Copy)]
enum LogFormat {
    Plain,
    Json,
}

#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The line an alarm counts, as the README's query matches it: the `alarm` field holding the
/// marker, in plain text (`alarm="…"`) or JSON (`"alarm":"…"`). User text is escaped, so
/// its quotes come out as `\"` and never complete either form.
fn is_alarm_line(line: &str) -> bool {
    line.contains(&format!("alarm=\"{ALARM}\"")) || line.contains(&format!("\"alarm\":\"{ALARM}\""))
}

/// Cognito's native user names cannot hold a line break, but a federated user's name is the
/// provider's name and the subject the provider chose.
#[test]
fn a_user_name_with_a_line_break_logs_on_one_line_in_plain_and_json_logs() {
    let sent = fixture(DIR, "confirm-signup-forged-log-line.json");
    for format in [LogFormat::Plain, LogFormat::Json] {
        for (groups, outcome) in [
            (FakeGroups::with(&["members"]), "added"),
            (FakeGroups::with(&[]), "not added"),
        ] {
            let (result, logs) = logged_as(format, sent.clone(), &config(Some("members")), &groups);
            assert_eq!(result.is_ok(), outcome == "added", "{format:?} {outcome}");
            assert_eq!(logs.lines().count(), 1, "{format:?} {outcome}: one line: {logs}");
            let user = match format {
                LogFormat::Plain => logs.clone(),
                LogFormat::Json => {
                    let line: Value = serde_json::from_str(logs.trim_end()).expect("one JSON object");
                    line["fields"]["user"].as_str().expect("a user field").to_owned()
                }
            };
            assert!(
                user.contains("mallory\\nERROR"),
                "{format:?} {outcome}: escaped, not dropped: {logs}"
            );
            let alarms = logs.lines().filter(|line| is_alarm_line(line)).count();
            assert_eq!(
                alarms,
                usize::from(outcome == "not added"),
                "{format:?} {outcome}: {logs}"
            );
        }
    }
}

/// A user name is one token of Cognito's allowed characters, which include `=` and `"`.
#[test]
fn a_user_name_cannot_forge_the_alarm_field() {
    let mut sent = fixture(DIR, "confirm-signup.json");
    sent["userName"] = json!(format!("alarm=\"{ALARM}\""));
    for format in [LogFormat::Plain, LogFormat::Json] {
        let (result, logs) = logged_as(
            format,
            sent.clone(),
            &config(Some("members")),
            &FakeGroups::with(&["members"]),
        );
        result.unwrap();
        assert!(
            !logs.lines().any(is_alarm_line),
            "{format:?}: a confirmed member counted as an alarm: {logs}"
        );
        let (result, logs) = logged_as(format, sent.clone(), &config(Some("members")), &FakeGroups::with(&[]));
        assert_eq!(result.unwrap_err(), UNFINISHED);
        assert_eq!(
            logs.lines().filter(|line| is_alarm_line(line)).count(),
            1,
            "{format:?}: {logs}"
        );
    }
}

#[test]
fn unknown_trigger_source_passes_through() {
    let groups = FakeGroups::with(&["members"]);
    let mut sent = fixture(DIR, "confirm-signup.json");
    sent["triggerSource"] = json!("PostConfirmation_SomethingNew");
    let (result, logs) = invoke(sent.clone(), &config(Some("members")), &groups);
    assert_eq!(result.unwrap(), sent);
    assert!(groups.calls().is_empty());
    assert!(logs.contains("WARN"), "{logs}");
}

#[test]
fn bad_configuration_names_the_variable() {
    let err = Config::from_env(|_| Some("two words".into())).unwrap_err();
    assert_eq!(err.var, "DEFAULT_GROUP");
    let err = Config::from_env(|_| Some("g".repeat(129))).unwrap_err();
    assert_eq!(err.var, "DEFAULT_GROUP");
}

// The real SDK client, answered by aws-smithy-mocks: checks the request the function sends
// and how it maps Cognito's errors. (Against a real Cognito-compatible server: the local
// stack's end-to-end tests.)

fn mocked(rule: &aws_smithy_mocks::Rule) -> CognitoGroups {
    let client: Client = mock_client!(aws_sdk_cognitoidentityprovider, RuleMode::MatchAny, [rule]);
    CognitoGroups::new(client)
}

#[test]
fn the_sdk_call_names_the_pool_user_and_group() {
    let rule = mock!(Client::admin_add_user_to_group)
        .match_requests(|request| {
            request.user_pool_id() == Some("us-east-1_EXAMPLE1")
                && request.username() == Some("4f8e1c2a-7b3d-4e5f-9a6b-1c2d3e4f5a6b")
                && request.group_name() == Some("members")
        })
        .then_output(|| AdminAddUserToGroupOutput::builder().build());
    let groups = mocked(&rule);
    invoke(fixture(DIR, "confirm-signup.json"), &config(Some("members")), &groups)
        .0
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
    invoke(
        fixture(DIR, "confirm-forgot-password.json"),
        &config(Some("members")),
        &groups,
    )
    .0
    .unwrap();
    assert_eq!(rule.num_calls(), 1, "ConfirmForgotPassword makes no call");
}

#[test]
fn the_sdk_resource_not_found_is_explained_in_the_log() {
    let rule = mock!(Client::admin_add_user_to_group).then_error(|| {
        AdminAddUserToGroupError::ResourceNotFoundException(
            ResourceNotFoundException::builder().message("Group not found.").build(),
        )
    });
    let groups = mocked(&rule);
    let (result, logs) = invoke(fixture(DIR, "confirm-signup.json"), &config(Some("members")), &groups);
    assert_eq!(result.unwrap_err(), UNFINISHED);
    assert!(
        logs.contains("\"members\"") && logs.contains("Group not found.") && logs.contains("provisioner apply"),
        "{logs}"
    );
}

// The real SDK client as the function builds it (`CognitoGroups::from_loader`: its retries and
// timeouts), over HTTP to a server in the test that answers in AWS JSON 1.1 as Cognito does:
// what a mock cannot show is which answers the SDK retries, and how often.

const TARGET: &str = "AWSCognitoIdentityProviderService.AdminAddUserToGroup";
const ROLE_ARN: &str = "arn:aws:sts::123456789012:assumed-role/post-confirmation-role/post-confirmation";
const SUB: &str = "4f8e1c2a-7b3d-4e5f-9a6b-1c2d3e4f5a6b";

fn ok() -> Answer {
    Answer::new(200, &[("Content-Type", "application/x-amz-json-1.1")], "{}")
}

/// An AWS JSON 1.1 error: the code in `x-amzn-ErrorType` and `__type`, the text in `message`.
fn error(status: u16, code: &str, message: &str) -> Answer {
    let body = json!({"__type": code, "message": message}).to_string();
    Answer::new(
        status,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
        ],
        body,
    )
}

fn access_denied() -> Answer {
    error(
        400,
        "AccessDeniedException",
        &format!(
            "User: {ROLE_ARN} is not authorized to perform: cognito-idp:AdminAddUserToGroup on resource: \
             arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_EXAMPLE1 because no \
             identity-based policy allows the cognito-idp:AdminAddUserToGroup action"
        ),
    )
}

/// Answers AdminAddUserToGroup with `script` in order, then with success; a `Some(delay)`
/// answers that much later (longer than a try may take: the SDK has hung up by then).
fn cognito(script: Vec<(Option<Duration>, Answer)>) -> StubServer {
    let script = Mutex::new(script.into_iter());
    StubServer::start(move |_| {
        let next = script.lock().unwrap().next();
        match next {
            Some((Some(delay), answer)) => {
                std::thread::sleep(delay);
                Some(answer)
            }
            Some((None, answer)) => Some(answer),
            None => Some(ok()),
        }
    })
}

fn calls(server: &StubServer) -> Vec<Exchange> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.header("x-amz-target") == Some(TARGET))
        .collect()
}

/// The handler with a client built by the function's own code, pointed at `server`.
fn invoke_sdk(server: &StubServer, payload: Value) -> (Result<Value, String>, String) {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "test-secret", None, None, "test"))
        .endpoint_url(server.url());
    let config = config(Some("members"));
    let (result, logs) = capture_logs(async move {
        let groups = CognitoGroups::from_loader(loader).await;
        handler(
            LambdaEvent::new(testing::payload(&payload), Context::default()),
            &config,
            &groups,
        )
        .await
    });
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

#[test]
fn access_denied_reaches_the_log_and_not_the_person() {
    let server = cognito(vec![(None, access_denied())]);
    let (result, logs) = invoke_sdk(&server, fixture(DIR, "confirm-signup.json"));
    let error = result.unwrap_err();
    assert_eq!(error, UNFINISHED);
    for secret in [
        "arn:",
        "123456789012",
        "us-east-1_EXAMPLE1",
        "AccessDenied",
        "members",
        "AdminAddUserToGroup",
    ] {
        assert!(!error.contains(secret), "{secret} in {error}");
    }
    assert_eq!(calls(&server).len(), 1, "AccessDenied is not retried");
    let line = logs.lines().find(|line| line.contains("ERROR")).expect("an error line");
    for detail in [
        ALARM,
        ROLE_ARN,
        "AccessDeniedException",
        "us-east-1_EXAMPLE1",
        "members",
        SUB,
    ] {
        assert!(line.contains(detail), "{detail} missing from {line}");
    }
    assert!(!logs.contains("jane.doe"), "never the email: {logs}");
}

#[test]
fn a_500_then_success_adds_the_user() {
    let server = cognito(vec![(None, error(500, "InternalErrorException", "Internal error."))]);
    let sent = fixture(DIR, "confirm-signup.json");
    let (result, logs) = invoke_sdk(&server, sent.clone());
    assert_eq!(result.unwrap(), sent);
    assert_eq!(calls(&server).len(), 2, "tried again after the 500");
    assert!(!logs.contains("ERROR"), "{logs}");
}

#[test]
fn throttling_then_success_adds_the_user() {
    let server = cognito(vec![(None, error(400, "TooManyRequestsException", "Rate exceeded"))]);
    let (result, _) = invoke_sdk(&server, fixture(DIR, "confirm-signup.json"));
    result.unwrap();
    assert_eq!(calls(&server).len(), 2);
}

#[test]
fn a_try_that_times_out_is_retried() {
    let slow = post_confirmation::groups::ATTEMPT_TIMEOUT + Duration::from_millis(300);
    let server = cognito(vec![(Some(slow), ok())]);
    let (result, _) = invoke_sdk(&server, fixture(DIR, "confirm-signup.json"));
    result.unwrap();
    assert_eq!(calls(&server).len(), 2);
}

#[test]
fn a_server_that_keeps_failing_gets_every_try_then_the_person_one_sentence() {
    let failing = (None, error(503, "ServiceUnavailable", "Service unavailable."));
    let server = cognito(vec![failing.clone(), failing.clone(), failing.clone(), failing]);
    let (result, logs) = invoke_sdk(&server, fixture(DIR, "confirm-signup.json"));
    assert_eq!(result.unwrap_err(), UNFINISHED);
    assert_eq!(calls(&server).len(), post_confirmation::groups::ATTEMPTS as usize);
    assert!(logs.contains(ALARM) && logs.contains("ServiceUnavailable"), "{logs}");
}

#[test]
fn errors_another_try_cannot_fix_are_tried_once() {
    for answer in [
        access_denied(),
        error(400, "ResourceNotFoundException", "Group not found."),
        error(400, "UserNotFoundException", "User does not exist."),
        error(400, "NotAuthorizedException", "Not authorized."),
    ] {
        let code = answer.headers[1].1.clone();
        let server = cognito(vec![(None, answer)]);
        let (result, logs) = invoke_sdk(&server, fixture(DIR, "confirm-signup.json"));
        assert_eq!(result.unwrap_err(), UNFINISHED, "{code}");
        assert_eq!(calls(&server).len(), 1, "{code}");
        assert!(logs.contains(ALARM), "{code}: {logs}");
    }
}

/// Cognito may invoke the trigger again for the same confirmation. The second run must send
/// the same single, idempotent call (AdminAddUserToGroup of a member succeeds on AWS) and
/// answer as the first did: no other operation, no error for a user already in the group.
#[test]
fn a_retried_invocation_is_harmless() {
    let server = cognito(Vec::new());
    let sent = fixture(DIR, "confirm-signup.json");
    for _ in 0..2 {
        let (result, _) = invoke_sdk(&server, sent.clone());
        assert_eq!(result.unwrap(), sent);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one call per invocation, nothing else: {requests:?}");
    for request in &requests {
        assert_eq!(request.header("x-amz-target"), Some(TARGET));
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body,
            json!({"UserPoolId": "us-east-1_EXAMPLE1", "Username": SUB, "GroupName": "members"})
        );
    }
}

/// The binary as Lambda runs it, at the most verbose level, through lambda_runtime's own code
/// path (which logs raw events at TRACE) and the SDK's call to a server in the test.
#[test]
fn the_binary_never_logs_the_raw_event() {
    let server = cognito(Vec::new());
    let url = server.url();
    let (outcome, printed) = run_binary_once(
        env!("CARGO_BIN_EXE_post-confirmation"),
        &[
            ("DEFAULT_GROUP", "members"),
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", "test-secret"),
            ("RUST_LOG", "trace"),
        ],
        &fixture(DIR, "confirm-signup.json"),
    );
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {printed}");
    assert_eq!(calls(&server).len(), 1);
    assert!(printed.contains("confirmation handled"), "{printed}");
    assert!(
        !printed.contains("jane.doe") && !printed.contains("Jane Doe"),
        "{printed}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_payloads_never_panic(payload in arb_json()) {
        let _ = invoke(payload, &config(Some("members")), &FakeGroups::with(&["members"]));
    }

    #[test]
    fn corrupted_events_never_panic(index in any::<prop::sample::Index>(), replacement in prop::option::of(arb_json())) {
        let sent = fixture(DIR, "confirm-signup.json");
        let paths = field_paths(&sent);
        let corrupted = with_field(sent, &paths[index.index(paths.len())], replacement);
        let _ = invoke(corrupted, &config(Some("members")), &FakeGroups::with(&["members"]));
    }
}
