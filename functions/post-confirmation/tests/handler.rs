//! The post-confirmation handler run in-process on fixture events shaped like Cognito's,
//! with a fake group store and with the real SDK client answered by aws-smithy-mocks.

use std::sync::Mutex;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::{
    AdminAddUserToGroupError, AdminAddUserToGroupOutput,
};
use aws_sdk_cognitoidentityprovider::types::error::ResourceNotFoundException;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lambda_runtime::{Context, LambdaEvent};
use post_confirmation::{CognitoGroups, Config, GroupError, GroupMembership, handler};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{arb_json, capture_logs, field_paths, fixture, with_field};

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
    let (result, logs) = capture_logs(handler(LambdaEvent::new(payload, Context::default()), config, groups));
    (result.map_err(|error| error.to_string()), logs)
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
fn a_retried_invocation_is_harmless() {
    let groups = FakeGroups::with(&["members"]);
    for _ in 0..2 {
        invoke(fixture(DIR, "confirm-signup.json"), &config(Some("members")), &groups)
            .0
            .unwrap();
    }
    assert_eq!(
        groups.calls().len(),
        2,
        "both calls succeed: AdminAddUserToGroup is idempotent"
    );
}

#[test]
fn a_missing_group_is_a_clear_error() {
    let groups = FakeGroups::with(&[]);
    let (result, logs) = invoke(fixture(DIR, "confirm-signup.json"), &config(Some("staff")), &groups);
    let error = result.unwrap_err();
    assert!(
        error.contains("\"staff\"") && error.contains("Create the group"),
        "{error}"
    );
    assert!(logs.contains("ERROR"), "{logs}");
}

#[test]
fn an_email_user_name_is_masked_in_logs() {
    let groups = FakeGroups::with(&["members"]);
    let mut sent = fixture(DIR, "confirm-signup.json");
    sent["userName"] = json!("jane.doe@example.com");
    let (result, logs) = invoke(sent, &config(Some("members")), &groups);
    result.unwrap();
    assert!(
        logs.contains("j***@example.com") && !logs.contains("jane.doe"),
        "{logs}"
    );
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
fn the_sdk_resource_not_found_becomes_a_clear_error() {
    let rule = mock!(Client::admin_add_user_to_group).then_error(|| {
        AdminAddUserToGroupError::ResourceNotFoundException(
            ResourceNotFoundException::builder().message("Group not found.").build(),
        )
    });
    let groups = mocked(&rule);
    let error = invoke(fixture(DIR, "confirm-signup.json"), &config(Some("members")), &groups)
        .0
        .unwrap_err();
    assert!(
        error.contains("\"members\"") && error.contains("Group not found.") && error.contains("provisioner apply"),
        "{error}"
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
