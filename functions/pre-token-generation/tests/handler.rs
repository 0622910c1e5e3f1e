//! The pre-token-generation handler run in-process on fixture events shaped like the V2_0
//! test event of the Cognito developer guide ("Pre token generation Lambda trigger"), one
//! per trigger source, and the binary run as Lambda runs it.
//!
//! The guide's test events differ from what Cognito sends in two places, and the fixtures
//! follow Cognito: `preferredRole` is a string or null (the guide's test events show a
//! list; its parameter table, its V1_0 syntax and aws_lambda_events say a string), and
//! `response` is an object (the guide shows `"claimsAndScopeOverrideDetails": []`).
//! `client-credentials.json` is a V3_0 machine-to-machine event, of a source the typed event
//! does not know; `v1-authentication.json` is the guide's V1_0 event (`"version": "1"`, no
//! `request.scopes`, `claimsOverrideDetails` in the response); `v3-authentication.json` is a
//! user's sign-in through a trigger wired as V3_0, which has V2_0's shape.
//!
//! Every fixture's `callerContext.clientId` is `1example23456789`, the client the README's
//! configuration (`CLIENT_SCOPES`) allows the group scopes.

use std::collections::{BTreeMap, BTreeSet};

use lambda_runtime::{Context, LambdaEvent};
use pre_token_generation::{Config, FIXED_CLAIMS, IDENTITY_CLAIMS, Use, handler, refusal};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{
    self, Outcome, arb_json, capture_logs, field_paths, fixture, run_binary_once, with_field,
};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// One fixture per trigger source this function handles.
const FIXTURES: [&str; 5] = [
    "hosted-auth.json",
    "authentication.json",
    "new-password-challenge.json",
    "authenticate-device.json",
    "refresh-tokens.json",
];

/// The fixtures' app client.
const CLIENT: &str = "1example23456789";

/// The configuration the README shows (and `cargo lambda watch` runs).
const README: [(&str, &str); 4] = [
    (
        "GROUP_SCOPES",
        "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
    ),
    ("CLIENT_SCOPES", "1example23456789=toyseven-api/admin toyseven-api/read"),
    ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id"),
    ("SUPPRESS_CLAIMS", "phone_number"),
];

fn config(vars: &[(&str, &str)]) -> Config {
    Config::from_env(lookup_in(vars)).unwrap()
}

fn invoke(payload: Value, config: &Config) -> (Result<Value, String>, String) {
    let (result, logs) = capture_logs(handler(
        LambdaEvent::new(testing::payload(&payload), Context::default()),
        config,
    ));
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

fn details(reply: &Value) -> &Value {
    &reply["response"]["claimsAndScopeOverrideDetails"]
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|item| item.as_str().unwrap())
        .collect()
}

#[test]
fn every_trigger_source_gets_its_groups_scopes_and_claims() {
    let expected: [(&str, &[&str], bool); 5] = [
        ("hosted-auth.json", &["toyseven-api/admin", "toyseven-api/read"], true),
        ("authentication.json", &["toyseven-api/read"], true),
        ("new-password-challenge.json", &[], false),
        ("authenticate-device.json", &["toyseven-api/read"], true),
        (
            "refresh-tokens.json",
            &["toyseven-api/admin", "toyseven-api/read"],
            true,
        ),
    ];
    let config = config(&README);
    for (name, scopes, has_tenant) in expected {
        let sent = fixture(DIR, name);
        let (result, logs) = invoke(sent.clone(), &config);
        let reply = result.unwrap_or_else(|error| panic!("{name}: {error}"));
        let mut unchanged = reply.clone();
        unchanged["response"] = sent["response"].clone();
        assert_eq!(
            unchanged, sent,
            "{name}: the whole event comes back, changed in response only"
        );

        let details = details(&reply);
        let claims = if has_tenant {
            json!({"tenant_id": "toyseven"})
        } else {
            json!({})
        };
        for token in ["idTokenGeneration", "accessTokenGeneration"] {
            assert_eq!(details[token]["claimsToAddOrOverride"], claims, "{name} {token}");
            assert_eq!(strings(&details[token]["claimsToSuppress"]), ["phone_number"], "{name}");
        }
        assert_eq!(
            strings(&details["accessTokenGeneration"]["scopesToAdd"]),
            scopes,
            "{name}"
        );
        // The group scopes none of the user's groups grants are taken out.
        let earned: BTreeSet<&str> = sent["request"]["groupConfiguration"]["groupsToOverride"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|group| config.group_scopes.get(group.as_str()?))
            .flatten()
            .map(String::as_str)
            .collect();
        let unearned: Vec<&str> = config
            .group_scopes
            .values()
            .flatten()
            .map(String::as_str)
            .filter(|scope| !earned.contains(scope))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            strings(&details["accessTokenGeneration"]["scopesToSuppress"]),
            unearned,
            "{name}"
        );
        assert_eq!(
            details["groupOverrideDetails"], sent["request"]["groupConfiguration"],
            "{name}: the groups (and their roles) stay as Cognito sent them"
        );
        assert_eq!(logs.lines().count(), 1, "{name}: {logs}");
        assert!(
            logs.contains(sent["triggerSource"].as_str().unwrap()) && logs.contains("INFO"),
            "{logs}"
        );
    }
}

#[test]
fn a_user_in_no_configured_group_gets_no_scope_and_keeps_the_groups() {
    let mut sent = fixture(DIR, "authentication.json");
    sent["request"]["groupConfiguration"]["groupsToOverride"] = json!(["auditors"]);
    let reply = invoke(sent.clone(), &config(&README)).0.unwrap();
    assert_eq!(
        strings(&details(&reply)["accessTokenGeneration"]["scopesToAdd"]),
        [] as [&str; 0]
    );
    assert_eq!(
        details(&reply)["groupOverrideDetails"]["groupsToOverride"],
        json!(["auditors"])
    );
}

#[test]
fn group_names_match_exactly() {
    let mut sent = fixture(DIR, "authentication.json");
    sent["request"]["groupConfiguration"]["groupsToOverride"] = json!(["Members", "members ", "admins2"]);
    let reply = invoke(sent, &config(&README)).0.unwrap();
    assert_eq!(
        strings(&details(&reply)["accessTokenGeneration"]["scopesToAdd"]),
        [] as [&str; 0]
    );
}

#[test]
fn a_missing_attribute_sets_no_claim_and_the_log_names_the_attribute() {
    let (result, logs) = invoke(fixture(DIR, "new-password-challenge.json"), &config(&README));
    let reply = result.unwrap();
    assert_eq!(details(&reply)["idTokenGeneration"]["claimsToAddOrOverride"], json!({}));
    assert!(logs.contains("custom:tenant_id"), "{logs}");
}

#[test]
fn attribute_values_are_copied_as_strings_never_parsed() {
    let config = config(&[("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id,email=contact")]);
    for value in [
        "{\"tenant\": \"other\", \"admin\": true}",
        "[\"a\", 1]",
        "123",
        "true",
        "null",
        "",
        "  padded  ",
        "line\nbreak \u{202e}rtl \u{0}",
        "<script>alert(1)</script>",
    ] {
        let mut sent = fixture(DIR, "hosted-auth.json");
        sent["request"]["userAttributes"]["custom:tenant_id"] = json!(value);
        let reply = invoke(sent, &config).0.unwrap();
        for token in ["idTokenGeneration", "accessTokenGeneration"] {
            let claims = &details(&reply)[token]["claimsToAddOrOverride"];
            assert_eq!(claims["tenant_id"], Value::String(value.into()), "{value:?}");
            assert_eq!(claims["contact"], "Jane.Doe@example.com");
        }
    }
}

#[test]
fn logs_carry_the_sub_and_no_personal_data() {
    let config = config(&[
        (
            "ATTRIBUTE_CLAIMS",
            "email=contact_email,phone_number=phone,custom:tenant_id=tenant_id",
        ),
        ("GROUP_SCOPES", "members=toyseven-api/read"),
        ("CLIENT_SCOPES", "1example23456789=toyseven-api/read"),
    ]);
    let (result, logs) = invoke(fixture(DIR, "authentication.json"), &config);
    result.unwrap();
    assert!(logs.contains("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"), "{logs}");
    for personal in [
        "Jane.Doe",
        "example.com",
        "2065551212",
        "\"toyseven\"",
        "Zoe",
        "JaneDoe",
    ] {
        assert!(!logs.contains(personal), "{personal} in {logs}");
    }
    assert!(
        logs.contains("toyseven-api/read") && logs.contains("tenant_id"),
        "{logs}"
    );
}

#[test]
fn without_configuration_the_tokens_keep_what_cognito_put_in_them() {
    let sent = fixture(DIR, "hosted-auth.json");
    let reply = invoke(sent.clone(), &Config::default()).0.unwrap();
    let details = details(&reply);
    assert_eq!(details["groupOverrideDetails"], sent["request"]["groupConfiguration"]);
    for token in ["idTokenGeneration", "accessTokenGeneration"] {
        assert_eq!(details[token]["claimsToAddOrOverride"], json!({}));
        assert_eq!(details[token]["claimsToSuppress"], json!([]));
    }
    assert_eq!(details["accessTokenGeneration"]["scopesToAdd"], json!([]));
}

#[test]
fn a_machine_to_machine_token_goes_back_unchanged_without_a_warning() {
    let sent = fixture(DIR, "client-credentials.json");
    let (result, logs) = invoke(sent.clone(), &config(&README));
    assert_eq!(result.unwrap(), sent, "no user: no group scope, claim or suppression");
    assert!(
        logs.contains("INFO") && !logs.contains("WARN") && logs.contains("TokenGeneration_ClientCredentials"),
        "{logs}"
    );
    assert_eq!(logs.lines().count(), 1, "{logs}");
}

#[test]
fn unknown_sources_pass_through_unchanged_with_a_warning() {
    let mut sent = fixture(DIR, "client-credentials.json");
    sent["triggerSource"] = json!("TokenGeneration_Future\nINFO forged");
    let (result, logs) = invoke(sent.clone(), &config(&README));
    assert_eq!(result.unwrap(), sent);
    assert!(
        logs.contains("WARN") && logs.contains("TokenGeneration_Future"),
        "{logs}"
    );
    assert_eq!(logs.lines().count(), 1, "the source is escaped: {logs}");

    let mut without_scopes = sent;
    without_scopes["triggerSource"] = json!("TokenGeneration_Future");
    without_scopes["request"].as_object_mut().unwrap().remove("scopes");
    assert_eq!(
        invoke(without_scopes.clone(), &config(&README)).0.unwrap(),
        without_scopes
    );
}

#[test]
fn other_payloads_are_errors() {
    let config = config(&README);
    assert!(invoke(json!("text"), &config).0.unwrap_err().contains("not a Cognito"));
    let mut wrong = fixture(DIR, "authentication.json");
    wrong["triggerSource"] = json!("PreSignUp_SignUp");
    assert!(invoke(wrong, &config).0.unwrap_err().contains("TokenGeneration_"));
    let mut malformed = fixture(DIR, "authentication.json");
    malformed["request"]["groupConfiguration"]["groupsToOverride"] = json!("members");
    assert!(invoke(malformed, &config).0.unwrap_err().contains("malformed"));
}

/// The developer guide's V2_0 test event as printed: its `preferredRole` list and
/// `claimsAndScopeOverrideDetails: []` are not what Cognito sends (see the module's notes),
/// and such an event is an error that says where, never a panic.
#[test]
fn the_guides_test_event_as_printed_is_an_error_not_a_panic() {
    let mut printed = fixture(DIR, "authentication.json");
    printed["request"]["groupConfiguration"]["preferredRole"] = json!(["arn:aws:iam::123456789012:role/sns_caller"]);
    printed["response"] = json!({"claimsAndScopeOverrideDetails": []});
    let error = invoke(printed, &config(&README)).0.unwrap_err();
    assert!(
        error.contains("TokenGeneration_Authentication event is malformed"),
        "{error}"
    );
}

#[test]
fn an_event_without_scopes_is_answered_as_it_came_with_a_warning() {
    for scopes in [None, Some(Value::Null)] {
        let mut sent = fixture(DIR, "authentication.json");
        let request = sent["request"].as_object_mut().unwrap();
        match &scopes {
            None => {
                request.remove("scopes");
            }
            Some(value) => {
                request.insert("scopes".into(), value.clone());
            }
        }
        let (result, logs) = invoke(sent.clone(), &config(&README));
        let reply = result.unwrap();
        assert_eq!(reply["request"], sent["request"], "{scopes:?}: the request as it came");
        assert_eq!(
            strings(&details(&reply)["accessTokenGeneration"]["scopesToAdd"]),
            ["toyseven-api/read"]
        );
        assert_eq!(logs.lines().count(), 1, "{logs}");
        assert!(logs.contains("WARN") && logs.contains("V2_0"), "{logs}");
    }
}

/// The binary as Lambda runs it, at the most verbose level, through lambda_runtime's own
/// code path (which logs raw events at TRACE).
#[test]
fn the_binary_never_logs_the_raw_event() {
    let (outcome, printed) = run_binary_once(
        env!("CARGO_BIN_EXE_pre-token-generation"),
        &[
            ("AWS_LAMBDA_LOG_LEVEL", "TRACE"),
            ("GROUP_SCOPES", README[0].1),
            ("CLIENT_SCOPES", README[1].1),
            ("ATTRIBUTE_CLAIMS", "email=contact_email"),
        ],
        &fixture(DIR, "hosted-auth.json"),
    );
    let Outcome::Response(answer) = outcome else {
        panic!("{outcome:?}: {printed}");
    };
    assert_eq!(
        details(&answer)["idTokenGeneration"]["claimsToAddOrOverride"]["contact_email"],
        "Jane.Doe@example.com"
    );
    assert!(printed.contains("token claims set"), "the invocation's line: {printed}");
    assert!(
        !printed.contains("Jane.Doe") && !printed.contains("2065551212"),
        "{printed}"
    );
}

#[test]
fn the_binary_refuses_to_start_with_a_bad_variable_and_names_it() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pre-token-generation"))
        .env_clear()
        .env("ATTRIBUTE_CLAIMS", "custom:tenant_id=sub")
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains("refusing to start") && printed.contains("ATTRIBUTE_CLAIMS") && printed.contains("\"sub\""),
        "{printed}"
    );
}

/// The scopes `CLIENT_SCOPES` allows the client a reply's `callerContext.clientId` names.
fn allowed_for<'a>(config: &'a Config, reply: &Value) -> BTreeSet<&'a str> {
    reply["callerContext"]["clientId"]
        .as_str()
        .and_then(|client| config.client_scopes.get(client))
        .map(|scopes| scopes.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Finding 3 of issue 18: GROUP_SCOPES added `toyseven-api/admin` to the access token of any
/// client an admin signed in through.
#[test]
fn a_group_scope_goes_only_to_a_client_allowed_it() {
    let config = config(&[
        (
            "GROUP_SCOPES",
            "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
        ),
        ("CLIENT_SCOPES", "1example23456789=toyseven-api/read openid;partner="),
    ]);
    let cases: [(Option<Value>, &[&str]); 6] = [
        (Some(json!(CLIENT)), &["toyseven-api/read"]),
        (Some(json!("partner")), &[]),
        (Some(json!("mobile")), &[]),
        (Some(json!("1EXAMPLE23456789")), &[]),
        (Some(Value::Null), &[]),
        (None, &[]),
    ];
    for (client, expected) in cases {
        let mut sent = fixture(DIR, "hosted-auth.json");
        match &client {
            Some(client) => sent["callerContext"]["clientId"] = client.clone(),
            None => {
                sent["callerContext"].as_object_mut().unwrap().remove("clientId");
            }
        }
        let (result, logs) = invoke(sent, &config);
        let reply = result.unwrap();
        assert_eq!(
            strings(&details(&reply)["accessTokenGeneration"]["scopesToAdd"]),
            expected,
            "{client:?}"
        );
        assert!(
            logs.contains("withheld") && logs.contains("toyseven-api/admin"),
            "{logs}"
        );
    }
}

/// The binary refuses GROUP_SCOPES without CLIENT_SCOPES, naming CLIENT_SCOPES, and a list
/// variable that is set but holds no entry, naming it.
#[test]
fn the_binary_refuses_group_scopes_without_client_scopes_and_lists_without_entries() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("GROUP_SCOPES", "admins=toyseven-api/admin")], "CLIENT_SCOPES"),
        (
            &[("GROUP_SCOPES", " ; "), ("CLIENT_SCOPES", README[1].1)],
            "GROUP_SCOPES",
        ),
        (&[("CLIENT_SCOPES", ";")], "CLIENT_SCOPES"),
        (&[("ATTRIBUTE_CLAIMS", ",")], "ATTRIBUTE_CLAIMS"),
        (&[("SUPPRESS_CLAIMS", " , ")], "SUPPRESS_CLAIMS"),
    ];
    for (vars, named) in cases {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pre-token-generation"));
        command.env_clear().envs(vars.iter().copied());
        let output = command.output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.status.success(), "{vars:?}: {printed}");
        assert!(
            printed.contains("refusing to start") && printed.contains(&format!("invalid {named}=")),
            "{vars:?}: {printed}"
        );
    }
}

/// Finding 4 of issue 18: `custom:contact=email` put the user's own text into the verified
/// `email` claim.
#[test]
fn no_attribute_can_replace_an_identity_claim() {
    for target in IDENTITY_CLAIMS {
        let error =
            Config::from_env(lookup_in(&[("ATTRIBUTE_CLAIMS", &format!("custom:contact={target}"))])).unwrap_err();
        assert_eq!(error.var, "ATTRIBUTE_CLAIMS", "{target}");
    }
    // What the refused setting would have done to the fixture's user.
    let mut sent = fixture(DIR, "authentication.json");
    sent["request"]["userAttributes"]["custom:contact"] = json!("ceo@corp.example");
    let reply = invoke(sent, &config(&[("ATTRIBUTE_CLAIMS", "custom:contact=contact")]))
        .0
        .unwrap();
    let claims = &details(&reply)["idTokenGeneration"]["claimsToAddOrOverride"];
    assert_eq!(
        claims,
        &json!({"contact": "ceo@corp.example"}),
        "a claim of its own name only"
    );
}

/// Finding 5 of issue 18: a V1_0 event was answered only in the V2 shape, which Cognito
/// ignores for it.
#[test]
fn a_v1_event_is_answered_in_claims_override_details_without_group_scopes() {
    let sent = fixture(DIR, "v1-authentication.json");
    let (result, logs) = invoke(sent.clone(), &config(&README));
    let reply = result.unwrap();
    let mut unchanged = reply.clone();
    unchanged["response"] = sent["response"].clone();
    assert_eq!(unchanged, sent, "the whole event comes back, changed in response only");
    assert_eq!(
        reply["response"],
        json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"tenant_id": "toyseven"},
            "claimsToSuppress": ["phone_number"],
            "groupOverrideDetails": sent["request"]["groupConfiguration"],
        }}),
        "the same claims, suppressions and groups, and nothing of V2's shape"
    );
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(
        logs.contains("WARN") && logs.contains("not applied") && logs.contains("toyseven-api/admin"),
        "the admin's group scopes cannot be applied and the line says so: {logs}"
    );

    let mut member_of_nothing = sent;
    member_of_nothing["request"]["groupConfiguration"]["groupsToOverride"] = json!([]);
    let (result, logs) = invoke(member_of_nothing, &config(&README));
    result.unwrap();
    assert!(logs.contains("INFO") && logs.contains("ID token only"), "{logs}");
}

/// A V3_0 trigger sends a user's sign-in in V2_0's shape, with `"version": "3"`; it is
/// answered as V2_0 is.
#[test]
fn a_v3_users_sign_in_is_answered_as_v2_is() {
    let sent = fixture(DIR, "v3-authentication.json");
    let (result, logs) = invoke(sent.clone(), &config(&README));
    let reply = result.unwrap();
    let details = details(&reply);
    assert_eq!(
        strings(&details["accessTokenGeneration"]["scopesToAdd"]),
        ["toyseven-api/admin", "toyseven-api/read"]
    );
    assert_eq!(
        details["idTokenGeneration"]["claimsToAddOrOverride"],
        json!({"tenant_id": "toyseven"})
    );
    assert!(reply["response"].get("claimsOverrideDetails").is_none());
    assert!(logs.contains("INFO") && !logs.contains("WARN"), "{logs}");
}

/// The last finding of issue 18's smaller holes: with `cognito:groups` suppressed, the answer
/// still carried the request's groups (and roles) in `groupOverrideDetails`.
#[test]
fn suppressing_cognito_groups_sends_no_groups_that_contradict_it() {
    let config = config(&[("SUPPRESS_CLAIMS", "cognito:groups")]);
    let none = json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null});
    for name in ["hosted-auth.json", "v1-authentication.json"] {
        let reply = invoke(fixture(DIR, name), &config).0.unwrap();
        let (groups, suppressed) = match reply["response"].get("claimsOverrideDetails") {
            Some(v1) => (&v1["groupOverrideDetails"], &v1["claimsToSuppress"]),
            None => (
                &details(&reply)["groupOverrideDetails"],
                &details(&reply)["idTokenGeneration"]["claimsToSuppress"],
            ),
        };
        assert_eq!(groups, &none, "{name}");
        assert_eq!(suppressed, &json!(["cognito:groups"]), "{name}");
    }
}

/// Whatever the event carries where Cognito puts user-chosen or caller-chosen text, the log
/// is one line per invocation and holds that text escaped.
#[test]
fn every_event_value_in_the_log_line_is_escaped() {
    let config = config(&README);
    for name in ["hosted-auth.json", "v1-authentication.json"] {
        let mut sent = fixture(DIR, name);
        sent["request"]["userAttributes"]["sub"] = json!("a1b2\nINFO forged sub\u{202e}");
        sent["callerContext"]["clientId"] = json!("web\r\nINFO forged client");
        let (result, logs) = invoke(sent, &config);
        result.unwrap();
        assert_eq!(logs.lines().count(), 1, "{name}: {logs}");
        assert!(
            logs.contains("a1b2\\nINFO") && logs.contains("\\u{202e}"),
            "{name}: {logs}"
        );
        assert!(logs.contains("web\\r\\nINFO"), "{name}: {logs}");
    }
}

/// A claim name a trigger may add (and, when `suppress`, suppress).
fn arb_claim() -> impl Strategy<Value = String> {
    "[a-z][a-z_:]{0,9}".prop_filter("a claim Cognito lets a trigger set and suppress", |claim| {
        refusal(claim, Use::Add).is_none() && refusal(claim, Use::Suppress).is_none()
    })
}

const GROUPS: [&str; 5] = ["admins", "members", "staff", "g-1", "ops.team"];
const ATTRIBUTES: [&str; 5] = ["custom:tenant_id", "email", "family_name", "custom:plan", "locale"];

prop_compose! {
    /// An accepted configuration and the variables that say it.
    fn arb_config()(
        group_scopes in prop::collection::btree_map(
            prop::sample::select(GROUPS.to_vec()),
            prop::collection::btree_set("[!#-:<-Z^-~]{1,10}", 1..4),
            0..4,
        ),
        mapped in prop::collection::vec((prop::sample::select(ATTRIBUTES.to_vec()), arb_claim()), 0..4),
        suppressed in prop::collection::btree_set(arb_claim(), 0..3),
    ) -> (BTreeMap<&'static str, BTreeSet<String>>, Vec<(&'static str, String)>, BTreeSet<String>) {
        let mut claims = BTreeSet::new();
        let mapped: Vec<_> = mapped.into_iter().filter(|(_, claim)| claims.insert(claim.clone())).collect();
        let suppressed = suppressed.into_iter().filter(|claim| !claims.contains(claim)).collect();
        (group_scopes, mapped, suppressed)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_payloads_never_panic(payload in arb_json()) {
        let _ = invoke(payload, &config(&README));
    }

    #[test]
    fn corrupted_events_never_panic(
        fixture_index in 0..FIXTURES.len(),
        index in any::<prop::sample::Index>(),
        replacement in prop::option::of(arb_json()),
    ) {
        let sent = fixture(DIR, FIXTURES[fixture_index]);
        let paths = field_paths(&sent);
        let corrupted = with_field(sent, &paths[index.index(paths.len())], replacement);
        let config = config(&README);
        if let Ok(reply) = invoke(corrupted, &config).0
            && let Some(scopes) = details(&reply)["accessTokenGeneration"]["scopesToAdd"].as_array()
        {
            let allowed = allowed_for(&config, &reply);
            for scope in scopes {
                prop_assert!(scope.as_str().is_some_and(|scope| allowed.contains(scope)), "{reply}");
            }
        }
    }

    #[test]
    fn any_variable_values_are_accepted_or_refused_by_name(
        group_scopes in ".{0,40}",
        client_scopes in ".{0,40}",
        attribute_claims in ".{0,40}",
        suppress_claims in ".{0,40}",
    ) {
        let vars = [
            ("GROUP_SCOPES", group_scopes.as_str()),
            ("CLIENT_SCOPES", client_scopes.as_str()),
            ("ATTRIBUTE_CLAIMS", attribute_claims.as_str()),
            ("SUPPRESS_CLAIMS", suppress_claims.as_str()),
        ];
        match Config::from_env(lookup_in(&vars)) {
            Ok(config) => {
                for mapped in &config.attribute_claims {
                    prop_assert!(!FIXED_CLAIMS.contains(&mapped.claim.as_str()));
                    prop_assert!(refusal(&mapped.claim, Use::Add).is_none());
                }
                for claim in &config.suppress_claims {
                    prop_assert!(refusal(claim, Use::Suppress).is_none());
                }
                prop_assert!(config.group_scopes.is_empty() || !client_scopes.trim().is_empty());
            }
            Err(error) => {
                prop_assert!(vars.iter().any(|(name, _)| *name == error.var));
                prop_assert!(error.to_string().contains("accepted:"));
            }
        }
    }

    #[test]
    fn the_tokens_get_exactly_what_is_configured_for_the_users_groups_and_attributes(
        (group_scopes, mapped, suppressed) in arb_config(),
        user_groups in prop::collection::vec(prop::sample::select([GROUPS.as_slice(), &["auditors"]].concat()), 0..4),
        attributes in prop::collection::btree_map(prop::sample::select(ATTRIBUTES.to_vec()), ".{0,20}", 0..5),
        fixture_index in 0..FIXTURES.len(),
        allowed_mask in any::<u64>(),
    ) {
        // The calling client may receive some of the group scopes.
        let every_scope: BTreeSet<&String> = group_scopes.values().flatten().collect();
        let allowed: BTreeSet<&str> = every_scope
            .iter()
            .enumerate()
            .filter(|(i, _)| allowed_mask & (1 << (i % 64)) != 0)
            .map(|(_, scope)| scope.as_str())
            .collect();
        let client_var = format!("{CLIENT}={}", allowed.iter().copied().collect::<Vec<_>>().join(" "));
        let group_var: Vec<String> = group_scopes
            .iter()
            .map(|(group, scopes)| format!("{group}={}", scopes.iter().cloned().collect::<Vec<_>>().join(" ")))
            .collect();
        let attribute_var: Vec<String> = mapped.iter().map(|(attribute, claim)| format!("{attribute}={claim}")).collect();
        let suppress_var: Vec<String> = suppressed.iter().cloned().collect();
        let (group_var, attribute_var, suppress_var) = (group_var.join(";"), attribute_var.join(","), suppress_var.join(","));
        let config = Config::from_env(lookup_in(&[
            ("GROUP_SCOPES", group_var.as_str()),
            ("CLIENT_SCOPES", client_var.as_str()),
            ("ATTRIBUTE_CLAIMS", attribute_var.as_str()),
            ("SUPPRESS_CLAIMS", suppress_var.as_str()),
        ]));
        prop_assert!(config.is_ok(), "{config:?}");
        let config = config.unwrap();

        let mut sent = fixture(DIR, FIXTURES[fixture_index]);
        sent["request"]["groupConfiguration"]["groupsToOverride"] = json!(user_groups);
        let mut user_attributes = attributes.clone();
        user_attributes.insert("sub", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111".into());
        sent["request"]["userAttributes"] = json!(user_attributes);
        let reply = invoke(sent.clone(), &config).0.unwrap();
        let details = details(&reply);

        let scopes: BTreeSet<&str> = user_groups
            .iter()
            .filter_map(|group| group_scopes.get(group))
            .flatten()
            .map(String::as_str)
            .filter(|scope| allowed.contains(scope))
            .collect();
        prop_assert_eq!(strings(&details["accessTokenGeneration"]["scopesToAdd"]), scopes.into_iter().collect::<Vec<_>>());
        let claims: serde_json::Map<String, Value> = mapped
            .iter()
            .filter_map(|(attribute, claim)| attributes.get(attribute).map(|value| (claim.clone(), json!(value))))
            .collect();
        let suppressed: Vec<&str> = suppressed.iter().map(String::as_str).collect();
        for token in ["idTokenGeneration", "accessTokenGeneration"] {
            prop_assert_eq!(&details[token]["claimsToAddOrOverride"], &Value::Object(claims.clone()));
            prop_assert_eq!(strings(&details[token]["claimsToSuppress"]), suppressed.clone());
        }
        prop_assert_eq!(&details["groupOverrideDetails"], &sent["request"]["groupConfiguration"]);
    }
}

/// Where Cognito puts text a client or a user chose: the client id, attributes under names that
/// look like scopes or groups, client metadata.
const CLIENTS: [&str; 7] = ["web", "partner", "mobile", "unlisted", "web ", "WEB", "web;mobile"];
const SCOPE_LIKE: [&str; 6] = [
    "custom:scopes",
    "scope",
    "cognito:groups",
    "custom:tenant_id",
    "email",
    "client_id",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Issue 18's property: whatever the user attributes, groups and metadata, and whichever
    /// client calls, a token's added access scopes are a subset of what CLIENT_SCOPES allows
    /// the calling client; a V1_0 answer adds none.
    #[test]
    fn a_tokens_added_scopes_are_within_what_client_scopes_allows_the_calling_client(
        client in prop::option::of(prop::sample::select(CLIENTS.to_vec())),
        user_groups in prop::collection::vec(
            prop::sample::select(vec!["admins", "members", "staff", "Admins", "admins ", "api/admin", ""]),
            0..5,
        ),
        attributes in prop::collection::btree_map(prop::sample::select(SCOPE_LIKE.to_vec()), ".{0,30}", 0..6),
        metadata in prop::collection::btree_map("[a-z]{1,8}", ".{0,20}", 0..3),
        version in prop::sample::select(vec!["1", "2", "3"]),
        fixture_index in 0..FIXTURES.len(),
    ) {
        let config = config(&[
            ("GROUP_SCOPES", "admins=api/admin api/read;members=api/read;staff=api/write other/x"),
            ("CLIENT_SCOPES", "web=api/read;partner=;mobile=api/read api/write openid"),
            ("ATTRIBUTE_CLAIMS", "custom:scopes=scopes_claim,custom:tenant_id=tenant_id"),
        ]);
        let mut sent = fixture(DIR, FIXTURES[fixture_index]);
        sent["version"] = json!(version);
        match client {
            Some(client) => sent["callerContext"]["clientId"] = json!(client),
            None => sent["callerContext"]["clientId"] = Value::Null,
        }
        sent["request"]["groupConfiguration"]["groupsToOverride"] = json!(user_groups);
        sent["request"]["userAttributes"] = json!(attributes);
        sent["request"]["clientMetadata"] = json!(metadata);
        let reply = invoke(sent, &config).0.unwrap();
        let allowed = allowed_for(&config, &reply);
        match reply["response"].get("claimsOverrideDetails") {
            Some(v1) => {
                prop_assert_eq!(version, "1");
                prop_assert!(v1.get("scopesToAdd").is_none(), "{reply}");
                prop_assert!(reply["response"].get("claimsAndScopeOverrideDetails").is_none(), "{reply}");
            }
            None => {
                let added = strings(&details(&reply)["accessTokenGeneration"]["scopesToAdd"]);
                for scope in &added {
                    prop_assert!(allowed.contains(scope), "{scope} for {client:?}: {reply}");
                }
                // What the user's groups do not grant is taken out, whatever was asked for;
                // nothing they grant is.
                let earned: BTreeSet<&str> = user_groups
                    .iter()
                    .filter_map(|group| config.group_scopes.get(*group))
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let unearned: BTreeSet<&str> = config
                    .group_scopes
                    .values()
                    .flatten()
                    .map(String::as_str)
                    .filter(|scope| !earned.contains(scope))
                    .collect();
                let suppressed = strings(&details(&reply)["accessTokenGeneration"]["scopesToSuppress"]);
                prop_assert_eq!(suppressed.iter().copied().collect::<BTreeSet<&str>>(), unearned, "{}", reply);
                for scope in &added {
                    prop_assert!(!suppressed.contains(scope), "{scope} both added and suppressed: {reply}");
                }
            }
        }
    }
}

/// Review of issue 18: CLIENT_SCOPES comes from each client's own allowed scopes, so any user
/// of that client could ask for a group's scope at `/oauth2/authorize` (or get it by asking
/// for none) and keep it without being in the group. A scope GROUP_SCOPES gives only to
/// groups the user is not in is suppressed from their access token.
#[test]
fn a_group_scope_a_non_member_asked_for_is_taken_out_of_their_token() {
    let config = config(&[
        (
            "GROUP_SCOPES",
            "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
        ),
        ("CLIENT_SCOPES", "1example23456789=toyseven-api/read toyseven-api/admin"),
    ]);
    let mut sent = fixture(DIR, "hosted-auth.json");
    sent["request"]["groupConfiguration"]["groupsToOverride"] = json!(["members"]);
    let reply = invoke(sent.clone(), &config).0.unwrap();
    let access = &details(&reply)["accessTokenGeneration"];
    assert_eq!(strings(&access["scopesToAdd"]), ["toyseven-api/read"]);
    assert_eq!(strings(&access["scopesToSuppress"]), ["toyseven-api/admin"]);

    sent["request"]["groupConfiguration"]["groupsToOverride"] = json!([]);
    let reply = invoke(sent, &config).0.unwrap();
    let access = &details(&reply)["accessTokenGeneration"];
    assert_eq!(
        strings(&access["scopesToSuppress"]),
        ["toyseven-api/admin", "toyseven-api/read"],
        "a user in no group keeps no group scope"
    );
}
