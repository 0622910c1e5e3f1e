//! Account linking (`LINK_EXTERNAL_USERS=verified`) through the handler, on fixture events
//! shaped like Cognito's: with a fake directory for the decisions, and with the real SDK
//! client (built by the function's own code, its retries and timeouts included) talking HTTP
//! to a small server in the test that answers ListUsers and AdminLinkProviderForUser the way
//! Cognito and IAM do. What a mock could not show: the requests as they go on the wire, and
//! which answers the SDK tries again.
//!
//! (cognito-local implements neither call; moto implements them more leniently than AWS,
//! without the first-sign-in behaviour this function works around, so neither can stand in
//! for Cognito here.)

use std::sync::Mutex;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::config::Credentials;
use lambda_runtime::{Context, LambdaEvent};
use pre_signup::identity::Unlinkable;
use pre_signup::{
    ALARM, CognitoDirectory, Config, Directory, DirectoryError, EXISTING_ACCOUNT, ExternalIdentity, LINKED,
    LINKED_MARKER, Linking, NOT_FINISHED, Origin, PoolUser, Status, handler,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{self, Answer, Exchange, Outcome, StubServer, capture_logs, fixture, run_binary_once};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const POOL: &str = "us-east-1_EXAMPLE1";
const EMAIL: &str = "kim.minji@example.com";
const NATIVE: &str = "5e2b9c1d-3f4a-4b6c-8d7e-9f0a1b2c3d4e";
const GOOGLE_SUB: &str = "108374651093847561029";
/// The providers the tests' pool trusts: Google, Login with Amazon and a workforce OIDC one.
const TRUSTED: &str = "Google, LoginWithAmazon, Okta";

fn config(vars: &[(&str, &str)]) -> Config {
    let mut all = vec![("LINK_EXTERNAL_USERS", "verified"), ("LINK_TRUSTED_PROVIDERS", TRUSTED)];
    all.extend_from_slice(vars);
    Config::from_env(lookup_in(&all)).expect("a valid configuration")
}

fn federated() -> Value {
    fixture(DIR, "external-provider-verified.json")
}

fn native_sign_up(email: &str) -> Value {
    let mut event = fixture(DIR, "signup.json");
    event["request"]["userAttributes"]["email"] = json!(email);
    event
}

fn user(username: &str, origin: Origin, attributes: &[(&str, &str)]) -> PoolUser {
    let status = match origin {
        Origin::Native => Status::Confirmed,
        Origin::External => Status::ExternalProvider,
    };
    PoolUser {
        username: username.into(),
        status,
        enabled: true,
        attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn native_user(verified: &str) -> PoolUser {
    user(
        NATIVE,
        Origin::Native,
        &[("sub", NATIVE), ("email", EMAIL), ("email_verified", verified)],
    )
}

fn google_user(email: &str) -> PoolUser {
    let identities = json!([{"userId": GOOGLE_SUB, "providerName": "Google", "providerType": "Google", "issuer": null, "primary": true, "dateCreated": 1_700_000_000_000_u64}]).to_string();
    user(
        &format!("google_{GOOGLE_SUB}"),
        Origin::External,
        &[
            ("sub", "9d8c7b6a-google"),
            ("email", email),
            ("email_verified", "true"),
            ("identities", &identities),
        ],
    )
}

/// A directory of fixed users that records every call; its answers can be made to fail.
#[derive(Default)]
struct FakeDirectory {
    users: Vec<PoolUser>,
    lookup_fails: bool,
    link_fails: bool,
    lookups: Mutex<Vec<(String, String)>>,
    links: Mutex<Vec<(String, String, ExternalIdentity)>>,
}

impl FakeDirectory {
    fn with(users: Vec<PoolUser>) -> Self {
        Self {
            users,
            ..Self::default()
        }
    }
    fn lookups(&self) -> Vec<(String, String)> {
        self.lookups.lock().unwrap().clone()
    }
    fn links(&self) -> Vec<(String, String, ExternalIdentity)> {
        self.links.lock().unwrap().clone()
    }
}

impl Directory for FakeDirectory {
    async fn users_with_email(&self, pool: &str, email: &str) -> Result<Vec<PoolUser>, DirectoryError> {
        self.lookups.lock().unwrap().push((pool.into(), email.into()));
        if self.lookup_fails {
            return Err(DirectoryError::Service {
                operation: "ListUsers",
                message: "TooManyRequestsException: Rate exceeded".into(),
            });
        }
        Ok(self.users.clone())
    }

    async fn link(&self, pool: &str, username: &str, identity: &ExternalIdentity) -> Result<(), DirectoryError> {
        self.links
            .lock()
            .unwrap()
            .push((pool.into(), username.into(), identity.clone()));
        if self.link_fails {
            return Err(DirectoryError::Service {
                operation: "AdminLinkProviderForUser",
                message: "LimitExceededException: too many identities".into(),
            });
        }
        Ok(())
    }
}

fn invoke<D: Directory>(payload: Value, config: &Config, linking: &Linking<D>) -> (Result<Value, String>, String) {
    let (result, logs) = capture_logs(handler(
        LambdaEvent::new(testing::payload(&payload), Context::default()),
        config,
        linking,
    ));
    (
        result
            .as_ref()
            .map(testing::answer_json)
            .map_err(|error| error.to_string()),
        logs,
    )
}

fn with_fake(payload: Value, directory: FakeDirectory) -> (Result<Value, String>, String, FakeDirectory) {
    with_fake_config(payload, &config(&[]), directory)
}

fn with_fake_config(
    payload: Value,
    config: &Config,
    directory: FakeDirectory,
) -> (Result<Value, String>, String, FakeDirectory) {
    let linking = Linking::Verified(directory);
    let (result, logs) = invoke(payload, config, &linking);
    let Linking::Verified(directory) = linking else {
        unreachable!("built as Verified above")
    };
    (result, logs, directory)
}

fn google() -> ExternalIdentity {
    ExternalIdentity {
        provider: "Google".into(),
        subject: GOOGLE_SUB.into(),
    }
}

#[test]
fn a_verified_google_sign_in_is_linked_to_the_verified_native_user_and_this_sign_up_refused() {
    let directory = FakeDirectory::with(vec![native_user("true")]);
    let (result, logs, directory) = with_fake(federated(), directory);
    assert_eq!(result.unwrap_err(), LINKED);
    assert!(LINKED.contains(LINKED_MARKER));
    assert_eq!(directory.lookups(), [(POOL.to_string(), EMAIL.to_string())]);
    assert_eq!(directory.links(), [(POOL.to_string(), NATIVE.to_string(), google())]);
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(
        logs.contains("identity linked") && logs.contains(NATIVE) && logs.contains("k***@example.com"),
        "{logs}"
    );
    assert!(!logs.contains("kim.minji") && !logs.contains("Kim Minji"), "{logs}");
}

/// Cognito hands a case-insensitive pool's trigger the user name lowercased; Google's name is
/// fixed and its subjects are digits, so both come back exactly.
#[test]
fn a_lowercased_google_user_name_is_linked_under_googles_exact_name() {
    let mut event = federated();
    event["userName"] = json!(format!("google_{GOOGLE_SUB}"));
    let (result, _, directory) = with_fake(event, FakeDirectory::with(vec![native_user("true")]));
    assert_eq!(result.unwrap_err(), LINKED);
    assert_eq!(directory.links()[0].2, google());
}

/// Amazon's subjects have capitals: a link from a lowercased one would name an identity
/// Amazon never issued, and every later sign-in with it would fail.
#[test]
fn a_lowercased_amazon_user_name_is_not_linked_and_the_person_is_sent_to_their_account() {
    let mut event = federated();
    event["userName"] = json!("loginwithamazon_amzn1.account.afaexample");
    let (result, logs, directory) = with_fake(event, FakeDirectory::with(vec![native_user("true")]));
    assert_eq!(result.unwrap_err(), EXISTING_ACCOUNT);
    assert!(directory.links().is_empty());
    assert!(
        logs.contains("ERROR") && logs.contains(ALARM) && logs.contains("lowercased"),
        "{logs}"
    );
    assert!(
        Unlinkable::CaseLost {
            provider: "LoginWithAmazon".into()
        }
        .to_string()
        .contains("LINK_EXTERNAL_USERS=never")
    );
}

#[test]
fn an_identity_already_linked_is_not_linked_again() {
    let mut linked = native_user("true");
    linked.attributes.push((
        "identities".into(),
        json!([{"userId": GOOGLE_SUB, "providerName": "Google", "providerType": "Google", "primary": false}])
            .to_string(),
    ));
    let (result, logs, directory) = with_fake(federated(), FakeDirectory::with(vec![linked]));
    assert_eq!(result.unwrap_err(), LINKED, "the app's retry still applies");
    assert!(directory.links().is_empty());
    assert!(logs.contains("already linked"), "{logs}");
}

#[test]
fn an_email_the_provider_did_not_verify_is_neither_looked_up_nor_linked() {
    for verified in [Some("false"), None, Some("TRUE "), Some("yes")] {
        let mut event = federated();
        match verified {
            Some(value) => event["request"]["userAttributes"]["email_verified"] = json!(value),
            None => {
                event["request"]["userAttributes"]
                    .as_object_mut()
                    .unwrap()
                    .remove("email_verified");
            }
        }
        let (result, logs, directory) = with_fake(event.clone(), FakeDirectory::with(vec![native_user("true")]));
        assert_eq!(result.unwrap(), event, "{verified:?}: the sign-up goes on as it came");
        assert!(
            directory.lookups().is_empty() && directory.links().is_empty(),
            "{verified:?}"
        );
        assert!(logs.contains("did not say the address is verified"), "{logs}");
    }
    let mut event = federated();
    event["request"]["userAttributes"]["email_verified"] = json!("True");
    let (result, _, directory) = with_fake(event, FakeDirectory::with(vec![native_user("true")]));
    assert_eq!(result.unwrap_err(), LINKED, "any case of true");
    assert_eq!(directory.links().len(), 1);
}

#[test]
fn a_native_user_whose_email_is_unverified_is_not_linked() {
    let (result, logs, directory) = with_fake(federated(), FakeDirectory::with(vec![native_user("false")]));
    assert_eq!(result.unwrap(), federated());
    assert_eq!(directory.lookups().len(), 1);
    assert!(directory.links().is_empty());
    assert!(logs.contains("no native user holds the address verified"), "{logs}");
}

#[test]
fn no_user_with_the_address_links_nothing_and_auto_confirm_still_applies() {
    let linking = Linking::Verified(FakeDirectory::with(vec![]));
    let (result, _) = invoke(federated(), &config(&[("AUTO_CONFIRM", "always")]), &linking);
    assert_eq!(
        result.unwrap()["response"],
        json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false})
    );
    let Linking::Verified(directory) = linking else {
        unreachable!()
    };
    assert_eq!(directory.lookups().len(), 1);
    assert!(directory.links().is_empty());
}

#[test]
fn a_user_that_exists_only_through_google_is_no_link_target() {
    let (result, _, directory) = with_fake(federated(), FakeDirectory::with(vec![google_user(EMAIL)]));
    assert_eq!(result.unwrap(), federated());
    assert!(directory.links().is_empty());
}

#[test]
fn several_verified_native_users_are_not_guessed_between() {
    let mut second = native_user("true");
    second.username = "another".into();
    let (result, logs, directory) = with_fake(federated(), FakeDirectory::with(vec![native_user("true"), second]));
    assert_eq!(result.unwrap_err(), EXISTING_ACCOUNT);
    assert!(directory.links().is_empty());
    assert!(logs.contains(ALARM) && logs.contains("2 native users"), "{logs}");
}

#[test]
fn a_failed_lookup_or_link_refuses_with_one_plain_sentence() {
    let failing = FakeDirectory {
        lookup_fails: true,
        ..FakeDirectory::with(vec![native_user("true")])
    };
    let (result, logs, directory) = with_fake(federated(), failing);
    assert_eq!(result.unwrap_err(), NOT_FINISHED);
    assert!(directory.links().is_empty());
    assert!(logs.contains(ALARM) && logs.contains("Rate exceeded"), "{logs}");

    let failing = FakeDirectory {
        link_fails: true,
        ..FakeDirectory::with(vec![native_user("true")])
    };
    let (result, logs, _) = with_fake(federated(), failing);
    assert_eq!(result.unwrap_err(), NOT_FINISHED);
    assert!(logs.contains(ALARM) && logs.contains("LimitExceeded"), "{logs}");
    assert_eq!(logs.lines().count(), 1, "{logs}");
}

#[test]
fn a_native_sign_up_for_an_address_only_google_holds_is_refused_naming_google() {
    let email = "jane.doe@example.com";
    let (result, logs, directory) = with_fake(native_sign_up(email), FakeDirectory::with(vec![google_user(email)]));
    assert_eq!(
        result.unwrap_err(),
        "This email address already signs in with Google. Please sign in with Google."
    );
    assert_eq!(directory.lookups(), [(POOL.to_string(), email.to_string())]);
    assert!(directory.links().is_empty());
    assert!(!logs.contains("jane.doe"), "{logs}");
}

#[test]
fn a_provider_name_that_is_not_plain_is_never_shown() {
    let email = "jane.doe@example.com";
    let mut odd = google_user(email);
    odd.attributes.retain(|(name, _)| name != "identities");
    // A trusted name AWS allows (symbols and punctuation are), but no plain one.
    odd.attributes.push((
        "identities".into(),
        json!([{"userId": "1", "providerName": "Visit<evil.example>"}]).to_string(),
    ));
    let config = Config::from_env(lookup_in(&[
        ("LINK_EXTERNAL_USERS", "verified"),
        ("LINK_TRUSTED_PROVIDERS", "Visit<evil.example>"),
    ]))
    .unwrap();
    let (result, _, _) = with_fake_config(native_sign_up(email), &config, FakeDirectory::with(vec![odd]));
    assert_eq!(
        result.unwrap_err(),
        "This email address already signs in with another provider. Please sign in with that provider."
    );
}

#[test]
fn a_native_sign_up_goes_on_when_a_native_user_or_nobody_holds_the_address() {
    let email = "jane.doe@example.com";
    let mut holder = native_user("false");
    holder.attributes = vec![("email".into(), email.into())];
    for users in [vec![], vec![google_user(email), holder]] {
        let (result, _, directory) = with_fake(native_sign_up(email), FakeDirectory::with(users));
        assert_eq!(result.unwrap(), native_sign_up(email));
        assert_eq!(directory.lookups().len(), 1);
    }
}

#[test]
fn what_linking_does_not_act_on_makes_no_call() {
    // An administrator's AdminCreateUser.
    let (result, _, directory) = with_fake(fixture(DIR, "admin-create-user.json"), FakeDirectory::default());
    result.unwrap();
    assert!(directory.lookups().is_empty());
    // A domain the lists refuse is refused before any call.
    let linking = Linking::Verified(FakeDirectory::default());
    let (result, _) = invoke(
        federated(),
        &config(&[("DENIED_EMAIL_DOMAINS", "example.com")]),
        &linking,
    );
    assert!(result.unwrap_err().contains("not allowed"));
    let Linking::Verified(directory) = linking else {
        unreachable!()
    };
    assert!(directory.lookups().is_empty());
    // Linking off.
    let off: Linking<FakeDirectory> = Linking::Off;
    let (result, _) = invoke(federated(), &config(&[]), &off);
    assert_eq!(result.unwrap(), federated());
    // A trigger source this version does not know.
    let mut future = federated();
    future["triggerSource"] = json!("PreSignUp_SomethingAwsAddsLater");
    let (result, _, directory) = with_fake(future.clone(), FakeDirectory::with(vec![native_user("true")]));
    assert_eq!(result.unwrap(), future);
    assert!(directory.lookups().is_empty());
}

// The real SDK client, as the function builds it, against a server in the test.

const ROLE_ARN: &str = "arn:aws:sts::123456789012:assumed-role/pre-signup-role/pre-signup";
const LIST: &str = "AWSCognitoIdentityProviderService.ListUsers";
const LINK: &str = "AWSCognitoIdentityProviderService.AdminLinkProviderForUser";

fn json_answer(body: Value) -> Answer {
    Answer::new(200, &[("Content-Type", "application/x-amz-json-1.1")], body.to_string())
}

/// An AWS JSON 1.1 error: the code in `x-amzn-ErrorType` and `__type`, the text in `message`.
fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::new(
        status,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
        ],
        json!({"__type": code, "message": message}).to_string(),
    )
}

fn access_denied(action: &str) -> Answer {
    error(
        400,
        "AccessDeniedException",
        &format!(
            "User: {ROLE_ARN} is not authorized to perform: cognito-idp:{action} on resource: \
             arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL} because no identity-based policy \
             allows the cognito-idp:{action} action"
        ),
    )
}

/// A user as ListUsers answers it.
fn listed(username: &str, status: &str, attributes: &[(&str, &str)]) -> Value {
    json!({
        "Username": username,
        "Attributes": attributes.iter().map(|(name, value)| json!({"Name": name, "Value": value})).collect::<Vec<_>>(),
        "UserCreateDate": 1.700000000123E9,
        "UserLastModifiedDate": 1.700000000123E9,
        "Enabled": true,
        "UserStatus": status,
    })
}

fn listed_native(verified: &str) -> Value {
    listed(
        NATIVE,
        "CONFIRMED",
        &[("sub", NATIVE), ("email_verified", verified), ("email", EMAIL)],
    )
}

type Script = Vec<(Option<Duration>, Answer)>;

/// Answers each operation with its script in order, then with `then`'s answer for it.
fn cognito(list: Script, link: Script, users: Vec<Value>) -> StubServer {
    let list = Mutex::new(list.into_iter());
    let link = Mutex::new(link.into_iter());
    StubServer::start(move |request| {
        let (next, otherwise) = match request.header("x-amz-target") {
            Some(LIST) => (list.lock().unwrap().next(), json_answer(json!({"Users": users}))),
            Some(LINK) => (link.lock().unwrap().next(), json_answer(json!({}))),
            _ => (None, error(400, "UnknownOperationException", "")),
        };
        match next {
            Some((Some(delay), answer)) => {
                std::thread::sleep(delay);
                Some(answer)
            }
            Some((None, answer)) => Some(answer),
            None => Some(otherwise),
        }
    })
}

fn calls(server: &StubServer, target: &str) -> Vec<Exchange> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.header("x-amz-target") == Some(target))
        .collect()
}

fn body(exchange: &Exchange) -> Value {
    serde_json::from_slice(&exchange.body).expect("a JSON request")
}

fn invoke_sdk(server: &StubServer, payload: Value) -> (Result<Value, String>, String) {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "test-secret", None, None, "test"))
        .endpoint_url(server.url());
    let config = config(&[]);
    let (result, logs) = capture_logs(async move {
        let linking = Linking::Verified(CognitoDirectory::from_loader(loader).await);
        handler(
            LambdaEvent::new(testing::payload(&payload), Context::default()),
            &config,
            &linking,
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

/// The person reads one sentence: nothing of AWS's answer, the pool or the role.
fn assert_plain(error: &str, expected: &str) {
    assert_eq!(error, expected);
    for secret in [
        "arn:",
        "123456789012",
        POOL,
        "AccessDenied",
        "ListUsers",
        "AdminLink",
        "Exception",
    ] {
        assert!(!error.contains(secret), "{secret} in {error}");
    }
}

#[test]
fn the_sdk_sends_the_requests_cognito_documents_and_links() {
    let server = cognito(vec![], vec![], vec![listed_native("true")]);
    let (result, _) = invoke_sdk(&server, federated());
    assert_eq!(result.unwrap_err(), LINKED);
    let lists = calls(&server, LIST);
    assert_eq!(lists.len(), 1);
    assert_eq!(
        body(&lists[0]),
        json!({"UserPoolId": POOL, "Filter": "email = \"kim.minji@example.com\"", "Limit": 60})
    );
    let links = calls(&server, LINK);
    assert_eq!(links.len(), 1);
    assert_eq!(
        body(&links[0]),
        json!({
            "UserPoolId": POOL,
            "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": NATIVE},
            "SourceUser": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": GOOGLE_SUB},
        })
    );
}

#[test]
fn the_sdk_links_nothing_when_the_native_user_is_unverified_or_absent() {
    for users in [vec![listed_native("false")], vec![]] {
        let server = cognito(vec![], vec![], users);
        let (result, _) = invoke_sdk(&server, federated());
        assert_eq!(result.unwrap(), federated());
        assert_eq!(calls(&server, LIST).len(), 1);
        assert!(calls(&server, LINK).is_empty());
    }
}

#[test]
fn the_sdk_refuses_a_native_sign_up_for_an_address_only_google_holds() {
    let email = "jane.doe@example.com";
    let identities = json!([{"userId": GOOGLE_SUB, "providerName": "Google", "providerType": "Google", "issuer": null, "primary": true, "dateCreated": 1_700_000_000_000_u64}]).to_string();
    let google = listed(
        &format!("google_{GOOGLE_SUB}"),
        "EXTERNAL_PROVIDER",
        &[
            ("sub", "9d8c7b6a"),
            ("identities", &identities),
            ("email_verified", "true"),
            ("email", email),
        ],
    );
    let server = cognito(vec![], vec![], vec![google]);
    let (result, _) = invoke_sdk(&server, native_sign_up(email));
    assert_eq!(
        result.unwrap_err(),
        "This email address already signs in with Google. Please sign in with Google."
    );
    assert_eq!(
        body(&calls(&server, LIST)[0])["Filter"],
        "email = \"jane.doe@example.com\""
    );
    assert!(calls(&server, LINK).is_empty());
}

#[test]
fn access_denied_reaches_the_log_and_the_person_reads_one_sentence() {
    for (list, link, action, target) in [
        (vec![(None, access_denied("ListUsers"))], vec![], "ListUsers", LIST),
        (
            vec![],
            vec![(None, access_denied("AdminLinkProviderForUser"))],
            "AdminLinkProviderForUser",
            LINK,
        ),
    ] {
        let server = cognito(list, link, vec![listed_native("true")]);
        let (result, logs) = invoke_sdk(&server, federated());
        assert_plain(&result.unwrap_err(), NOT_FINISHED);
        assert_eq!(calls(&server, target).len(), 1, "{action}: AccessDenied is not retried");
        let line = logs.lines().find(|line| line.contains("ERROR")).expect("an error line");
        for detail in [
            ALARM,
            ROLE_ARN,
            "AccessDeniedException",
            action,
            "Google_108374651093847561029",
        ] {
            assert!(line.contains(detail), "{detail} missing from {line}");
        }
        assert!(!logs.contains("kim.minji"), "never the email: {logs}");
    }
}

#[test]
fn throttling_then_success_links() {
    let throttled = (None, error(400, "TooManyRequestsException", "Rate exceeded"));
    let server = cognito(vec![throttled.clone()], vec![throttled], vec![listed_native("true")]);
    let (result, logs) = invoke_sdk(&server, federated());
    assert_eq!(result.unwrap_err(), LINKED);
    assert_eq!(calls(&server, LIST).len(), 2);
    assert_eq!(calls(&server, LINK).len(), 2);
    assert!(!logs.contains("ERROR"), "{logs}");
}

#[test]
fn a_try_that_times_out_is_retried_then_links() {
    let slow = pre_signup::cognito::ATTEMPT_TIMEOUT + Duration::from_millis(300);
    let server = cognito(
        vec![(Some(slow), json_answer(json!({"Users": [listed_native("true")]})))],
        vec![],
        vec![listed_native("true")],
    );
    let (result, _) = invoke_sdk(&server, federated());
    assert_eq!(result.unwrap_err(), LINKED);
    assert_eq!(calls(&server, LIST).len(), 2);
    assert_eq!(calls(&server, LINK).len(), 1);
}

#[test]
fn a_server_that_keeps_timing_out_gets_every_try_then_the_person_one_sentence() {
    let slow = pre_signup::cognito::ATTEMPT_TIMEOUT + Duration::from_millis(300);
    let hung = (Some(slow), json_answer(json!({"Users": []})));
    let server = cognito(vec![hung.clone(), hung.clone(), hung], vec![], vec![]);
    let (result, logs) = invoke_sdk(&server, federated());
    assert_plain(&result.unwrap_err(), NOT_FINISHED);
    assert_eq!(calls(&server, LIST).len(), pre_signup::cognito::ATTEMPTS as usize);
    assert!(calls(&server, LINK).is_empty());
    assert!(logs.contains(ALARM), "{logs}");
}

#[test]
fn a_failed_lookup_refuses_a_native_sign_up_too() {
    let failing = (None, error(500, "InternalErrorException", "Internal error."));
    let server = cognito(vec![failing.clone(), failing], vec![], vec![]);
    let (result, logs) = invoke_sdk(&server, native_sign_up("jane.doe@example.com"));
    assert_plain(&result.unwrap_err(), NOT_FINISHED);
    assert_eq!(calls(&server, LIST).len(), 2);
    assert!(
        logs.contains(ALARM) && logs.contains("InternalErrorException"),
        "{logs}"
    );
}

/// The binary as Lambda runs it, at the most verbose level: it builds the client from the
/// environment only when linking is on, links through it, and never logs the email.
#[test]
fn the_binary_links_only_when_told_to_and_never_logs_the_email() {
    let server = cognito(vec![], vec![], vec![listed_native("true")]);
    let url = server.url();
    let aws = [
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("RUST_LOG", "trace"),
    ];
    let (outcome, printed) = run_binary_once(env!("CARGO_BIN_EXE_pre-signup"), &aws, &federated());
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}: {printed}");
    assert!(server.requests().is_empty(), "linking off: no call");

    let mut verified = aws.to_vec();
    verified.push(("LINK_EXTERNAL_USERS", "verified"));
    verified.push(("LINK_TRUSTED_PROVIDERS", "Google"));
    let (outcome, printed) = run_binary_once(env!("CARGO_BIN_EXE_pre-signup"), &verified, &federated());
    let Outcome::Error { body, .. } = outcome else {
        panic!("{outcome:?}: {printed}");
    };
    assert_eq!(body["errorType"], "AccountLinked");
    assert_eq!(body["errorMessage"], LINKED);
    assert_eq!(calls(&server, LINK).len(), 1);
    assert!(
        !printed.contains("kim.minji") && !printed.contains("Kim Minji"),
        "{printed}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the provider asserted and whoever holds the address, a federated sign-up is
    /// linked only to a native user holding it verified, and only when the provider said
    /// exactly "true"; and it is never both linked and let through to make a second user.
    #[test]
    fn a_link_needs_both_sides_verified_and_always_stops_the_sign_up(
        said in prop::option::of(prop::sample::select(vec!["true", "TRUE", "false", "", " true", "1"])),
        native in prop::option::of(prop::sample::select(vec!["true", "false", "TRUE"])),
        external in any::<bool>(),
    ) {
        let mut event = federated();
        match said {
            Some(value) => event["request"]["userAttributes"]["email_verified"] = json!(value),
            None => { event["request"]["userAttributes"].as_object_mut().unwrap().remove("email_verified"); }
        }
        let mut users: Vec<PoolUser> = native.iter().map(|verified| native_user(verified)).collect();
        if external {
            users.push(google_user(EMAIL));
        }
        let (result, _, directory) = with_fake(event.clone(), FakeDirectory::with(users));
        let should_link = said.is_some_and(|s| s.eq_ignore_ascii_case("true")) && native.is_some_and(|n| n.eq_ignore_ascii_case("true"));
        prop_assert_eq!(directory.links().len(), usize::from(should_link));
        if should_link {
            prop_assert_eq!(result, Err(LINKED.to_string()));
        } else {
            prop_assert_eq!(result, Ok(event));
        }
    }

    /// Any user name Cognito could send: never a panic, never a link under a name that is
    /// not the user name's own (up to the case of the four social names).
    #[test]
    fn any_user_name_is_linked_as_itself_or_not_at_all(name in "[A-Za-z0-9_.@ -]{0,40}") {
        let mut event = federated();
        event["userName"] = json!(name);
        let (_, _, directory) = with_fake(event, FakeDirectory::with(vec![native_user("true")]));
        for (_, _, identity) in directory.links() {
            let rebuilt = format!("{}_{}", identity.provider, identity.subject);
            prop_assert!(rebuilt.eq_ignore_ascii_case(&name), "{} -> {}", name, rebuilt);
        }
    }
}

/// The pre-takeover: someone signs up natively as an address they do not own and is
/// auto-confirmed; the function must not mark that address verified, or the real owner's
/// later Google sign-in would be linked into the stranger's account.
#[test]
fn a_native_sign_up_auto_confirmed_while_linking_is_never_marked_verified() {
    let config = config(&[("AUTO_CONFIRM", "always")]);
    for event in [
        native_sign_up("ceo@corp.example"),
        fixture(DIR, "admin-create-user.json"),
    ] {
        let linking = Linking::Verified(FakeDirectory::default());
        let (result, _) = invoke(event.clone(), &config, &linking);
        let response = &result.expect("accepted")["response"];
        assert_eq!(response["autoConfirmUser"], json!(true), "{}", event["triggerSource"]);
        assert_eq!(response["autoVerifyEmail"], json!(false), "{}", event["triggerSource"]);
    }
}

/// An AdminCreateUser without `email_verified` is not treated as verified while linking is on.
#[test]
fn an_admin_created_user_without_email_verified_is_not_marked_verified_while_linking() {
    let mut event = fixture(DIR, "admin-create-user.json");
    if let Some(attributes) = event["request"]["userAttributes"].as_object_mut() {
        attributes.remove("email_verified");
    }
    let linking = Linking::Verified(FakeDirectory::default());
    let (result, _) = invoke(event, &config(&[("AUTO_CONFIRM", "always")]), &linking);
    assert_eq!(result.expect("accepted")["response"]["autoVerifyEmail"], json!(false));
}

/// A tenant-run provider vouching for the victim's address is neither looked up nor linked.
#[test]
fn an_untrusted_providers_sign_up_makes_no_call_at_all() {
    for name in ["TenantIdP_00uAbC", "Googlex_108374651093847561029", "tenantidp_00uabc"] {
        let mut event = federated();
        event["userName"] = json!(name);
        let (result, logs, directory) = with_fake(event.clone(), FakeDirectory::with(vec![native_user("true")]));
        assert_eq!(result, Ok(event), "{name}: goes on as a user of its own");
        assert!(directory.lookups().is_empty(), "{name}: no ListUsers");
        assert!(directory.links().is_empty(), "{name}: no link");
        assert!(logs.contains("LINK_TRUSTED_PROVIDERS"), "{logs}");
    }
}

/// An untrusted provider's user holding the victim's address does not lock the victim out of
/// native sign-up, nor send them to that provider.
#[test]
fn an_untrusted_providers_user_locks_no_native_sign_up_out() {
    let email = "jane.doe@example.com";
    let tenant = user(
        "TenantIdP_00u1",
        Origin::External,
        &[
            ("email", email),
            ("email_verified", "true"),
            (
                "identities",
                &json!([{"userId": "00u1", "providerName": "TenantIdP"}]).to_string(),
            ),
        ],
    );
    let (result, _, _) = with_fake(native_sign_up(email), FakeDirectory::with(vec![tenant]));
    assert_eq!(result, Ok(native_sign_up(email)));
}

/// A provider whose name has `_` where AWS allows it (`A_SSO`) is split by its whole name, so
/// its identity is linked as AWS knows it.
#[test]
fn a_provider_name_with_an_underscore_is_linked_under_its_whole_name() {
    let config = Config::from_env(lookup_in(&[
        ("LINK_EXTERNAL_USERS", "verified"),
        ("LINK_TRUSTED_PROVIDERS", "A_SSO"),
    ]))
    .unwrap();
    let mut event = federated();
    event["userName"] = json!("A_SSO_00uAbC_12");
    let (result, _, directory) = with_fake_config(event, &config, FakeDirectory::with(vec![native_user("true")]));
    assert_eq!(result, Err(LINKED.to_string()));
    let links = directory.links();
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0].2,
        ExternalIdentity {
            provider: "A_SSO".into(),
            subject: "00uAbC_12".into()
        }
    );
}

/// A disabled user, or one an administrator sent to reset their password, is no link target:
/// the sign-in goes on as a user of its own.
#[test]
fn a_disabled_or_reset_user_is_never_a_link_target() {
    let mut disabled = native_user("true");
    disabled.enabled = false;
    let mut reset = native_user("true");
    reset.status = Status::ResetRequired;
    for target in [disabled, reset] {
        let (result, _, directory) = with_fake(federated(), FakeDirectory::with(vec![target.clone()]));
        assert_eq!(result, Ok(federated()), "{target:?}");
        assert_eq!(directory.lookups().len(), 1);
        assert!(directory.links().is_empty(), "{target:?}");
    }
}

/// Through the SDK: a disabled user as ListUsers answers it (`"Enabled": false`) is no target.
#[test]
fn the_sdk_reads_a_disabled_user_as_no_link_target() {
    let mut disabled = listed_native("true");
    disabled["Enabled"] = json!(false);
    let server = cognito(vec![], vec![], vec![disabled]);
    let (result, _) = invoke_sdk(&server, federated());
    assert_eq!(result, Ok(federated()));
    assert_eq!(calls(&server, LIST).len(), 1);
    assert!(calls(&server, LINK).is_empty());
}
