//! The custom-message handler run in-process on fixture events shaped like Cognito's.

use custom_message::{Config, handler};
use lambda_runtime::{Context, LambdaEvent};
use proptest::prelude::*;
use serde_json::{Value, json};
use trigger_common::lookup_in;
use trigger_common::testing::{
    self, Outcome, arb_json, capture_logs, field_paths, fixture, run_binary_once, with_field,
};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

const FIXTURES: [&str; 9] = [
    "signup.json",
    "signup-ko.json",
    "resend-code.json",
    "forgot-password.json",
    "forgot-password-ko.json",
    "update-user-attribute.json",
    "verify-user-attribute.json",
    "admin-create-user.json",
    "authentication.json",
];

fn config(vars: &[(&str, &str)]) -> Result<Config, trigger_common::ConfigError> {
    Config::from_env(lookup_in(vars))
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

fn response(name: &str, config: &Config) -> Value {
    invoke(fixture(DIR, name), config).0.unwrap()["response"].clone()
}

#[test]
fn every_trigger_source_gets_all_three_fields() {
    let config = config(&[("APP_NAME", "Toyseven")]).unwrap();
    for name in FIXTURES {
        let sent = fixture(DIR, name);
        let (result, logs) = invoke(sent.clone(), &config);
        let returned = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        for key in [
            "version",
            "triggerSource",
            "region",
            "userPoolId",
            "userName",
            "callerContext",
            "request",
        ] {
            assert_eq!(returned[key], sent[key], "{name}: {key} comes back as it came");
        }
        let response = &returned["response"];
        for field in ["emailSubject", "emailMessage", "smsMessage"] {
            let text = response[field]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {field} unset"));
            assert!(text.contains("Toyseven"), "{name}: {field}");
            if field != "emailSubject" {
                assert!(text.contains("{####}"), "{name}: {field} keeps the code");
            }
        }
        assert_eq!(logs.lines().count(), 1, "{name}: {logs}");
        assert!(logs.contains(sent["triggerSource"].as_str().unwrap()), "{logs}");
    }
}

#[test]
fn admin_create_user_keeps_the_username_placeholder() {
    let response = response("admin-create-user.json", &Config::default());
    for field in ["emailMessage", "smsMessage"] {
        let text = response[field].as_str().unwrap();
        assert!(
            text.contains("{username}") && text.contains("{####}"),
            "{field}: {text}"
        );
    }
}

#[test]
fn the_locale_attribute_picks_korean() {
    let response = response("signup-ko.json", &Config::default());
    assert!(
        response["emailSubject"]
            .as_str()
            .unwrap()
            .contains("이메일 주소를 확인해 주세요")
    );
    let email = response["emailMessage"].as_str().unwrap();
    assert!(
        email.contains("안녕하세요.") && !email.contains("김민지"),
        "no name to an unproven address: {email}"
    );
    let response = response_with("forgot-password-ko.json", &[]);
    assert!(response["emailSubject"].as_str().unwrap().contains("비밀번호 재설정"));
    assert!(
        response["emailMessage"]
            .as_str()
            .unwrap()
            .contains("김민지님, 안녕하세요")
    );
    let response = response_with("forgot-password.json", &[]);
    assert!(
        response["emailSubject"]
            .as_str()
            .unwrap()
            .contains("Reset your password")
    );
}

fn response_with(name: &str, vars: &[(&str, &str)]) -> Value {
    response(name, &config(vars).unwrap())
}

#[test]
fn default_locale_applies_to_users_without_one_we_write() {
    let korean = config(&[("DEFAULT_LOCALE", "ko-KR")]).unwrap();
    assert!(
        response("forgot-password.json", &korean)["emailSubject"]
            .as_str()
            .unwrap()
            .contains("비밀번호")
    );
    let mut french = fixture(DIR, "forgot-password.json");
    french["request"]["userAttributes"]["locale"] = json!("fr-FR");
    let returned = invoke(french, &korean).0.unwrap();
    assert!(
        returned["response"]["emailSubject"]
            .as_str()
            .unwrap()
            .contains("비밀번호")
    );
    // An explicit supported locale wins over the default.
    assert!(
        response("forgot-password.json", &Config::default())["emailSubject"]
            .as_str()
            .unwrap()
            .contains("Reset")
    );
}

#[test]
fn verify_url_puts_a_link_in_the_sign_up_email_only() {
    let config = config(&[("VERIFY_URL", "http://localhost:3000/verify?src=email")]).unwrap();
    let email = response("signup.json", &config)["emailMessage"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        email.contains("href=\"http://localhost:3000/verify?src=email&#38;code={####}&#38;username=4f8e1c2a-7b3d-4e5f-9a6b-1c2d3e4f5a6b\""),
        "{email}"
    );
    let email = response("resend-code.json", &config)["emailMessage"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!email.contains("localhost:3000"));
}

#[test]
fn the_username_in_the_link_is_percent_encoded() {
    let config = config(&[("VERIFY_URL", "https://app.example.com/verify")]).unwrap();
    assert_eq!(
        config.verify_link("{####}", "jane+test@example.com").unwrap(),
        "https://app.example.com/verify?code={####}&username=jane%2Btest%40example.com"
    );
}

#[test]
fn attribute_values_are_escaped() {
    let mut sent = fixture(DIR, "forgot-password.json");
    sent["request"]["userAttributes"]["name"] = json!("<img src=x onerror=alert(1)>");
    let response = invoke(sent, &Config::default()).0.unwrap()["response"].clone();
    let email = response["emailMessage"].as_str().unwrap();
    assert!(
        email.contains("&#60;img src=x onerror=alert(1)&#62;") && !email.contains("<img"),
        "{email}"
    );
}

#[test]
fn an_oversized_field_falls_back_to_cognitos_default() {
    let mut sent = fixture(DIR, "forgot-password.json");
    let code = format!("{{{}}}", "#".repeat(20_000));
    sent["request"]["codeParameter"] = json!(code);
    let (result, logs) = invoke(sent, &Config::default());
    let response = result.unwrap()["response"].clone();
    assert_eq!(response["emailMessage"], Value::Null, "Cognito sends its default");
    assert_eq!(response["smsMessage"], Value::Null);
    assert!(response["emailSubject"].is_string());
    assert!(
        logs.contains("WARN") && logs.contains("emailMessage") && logs.contains("20000"),
        "{logs}"
    );
}

/// What an attacker who signs up with a victim's address sees go out in our name.
fn every_field(response: &Value) -> String {
    ["emailSubject", "emailMessage", "smsMessage"]
        .iter()
        .map(|field| {
            response[*field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} unset: {response}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sign-in codes count as unproven: Cognito sends email and SMS MFA codes to an unverified
/// address or number too, and marks it verified after the first sign-in.
#[test]
fn mail_to_an_unproven_address_carries_no_text_the_user_chose() {
    for source in [
        "CustomMessage_SignUp",
        "CustomMessage_ResendCode",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_Authentication",
    ] {
        for locale in ["en", "ko"] {
            let mut sent = fixture(DIR, "signup-phishing-name.json");
            sent["triggerSource"] = json!(source);
            sent["request"]["userAttributes"]["locale"] = json!(locale);
            if !matches!(source, "CustomMessage_SignUp" | "CustomMessage_ResendCode") {
                sent["request"]["userAttributes"]["cognito:user_status"] = json!("CONFIRMED");
            }
            let response = invoke(sent, &Config::default()).0.unwrap()["response"].clone();
            let text = every_field(&response);
            for planted in ["evil.example", "locked", "Security team"] {
                assert!(!text.contains(planted), "{source} {locale}: {planted} in {text}");
            }
            assert!(
                text.contains("Toyseven") && text.contains("{####}"),
                "{source} {locale}"
            );
        }
    }
}

#[test]
fn a_2048_character_name_is_cut_at_64() {
    let name: String = ('a'..='z').cycle().take(2048).collect();
    for fixture_name in ["forgot-password.json", "forgot-password-ko.json"] {
        let mut sent = fixture(DIR, fixture_name);
        sent["request"]["userAttributes"]["name"] = json!(name);
        let (result, logs) = invoke(sent, &Config::default());
        let response = result.unwrap()["response"].clone();
        let email = every_field(&response);
        assert!(
            email.contains(&format!("Hello {},", &name[..64])) || email.contains(&format!("{}님,", &name[..64])),
            "{fixture_name}: {email}"
        );
        assert!(!email.contains(&name[..65]), "{fixture_name}");
        assert!(!logs.contains("WARN"), "every field set: {logs}");
    }
}

/// Whoever can call AdminCreateUser (an administrator, or an app that invites on its users'
/// behalf) chooses every attribute and the address: the invitation is fixed text, the
/// product's name and Cognito's two placeholders.
#[test]
fn an_invitation_carries_none_of_the_events_user_attributes() {
    for locale in ["en", "ko"] {
        let mut sent = fixture(DIR, "admin-create-user-phishing.json");
        sent["request"]["userAttributes"]["locale"] = json!(locale);
        let attributes = sent["request"]["userAttributes"].as_object().unwrap().clone();
        let (result, logs) = invoke(sent, &Config::default());
        let text = every_field(&result.unwrap()["response"]);
        for (name, value) in &attributes {
            let value = value.as_str().unwrap();
            if name == "locale" || matches!(value, "true" | "false") {
                continue;
            }
            assert!(!text.contains(value), "{locale}: {name}={value:?} in {text}");
        }
        for planted in ["evil.example", "locked", "Security team", "Verify here", "helpdesk"] {
            assert!(!text.contains(planted), "{locale}: {planted} in {text}");
        }
        assert!(
            text.contains("Toyseven") && text.contains("{####}") && text.contains("{username}"),
            "{locale}: {text}"
        );
        assert!(!logs.contains("WARN"), "{locale}: every field set: {logs}");
    }
}

/// A pool whose `VerificationMessageTemplate` confirms by link sends the sign-up emails with
/// Cognito's link in place of the event's `linkParameter`: the custom email keeps it whole.
#[test]
fn a_pool_that_confirms_by_link_keeps_the_events_link_parameter_whole() {
    let by_link = config(&[("DEFAULT_EMAIL_OPTION", "CONFIRM_WITH_LINK")]).unwrap();
    for source in ["CustomMessage_SignUp", "CustomMessage_ResendCode"] {
        for locale in ["en", "ko"] {
            let mut sent = fixture(DIR, "signup-confirm-by-link.json");
            sent["triggerSource"] = json!(source);
            sent["request"]["userAttributes"]["locale"] = json!(locale);
            let response = invoke(sent.clone(), &by_link).0.unwrap()["response"].clone();
            let email = response["emailMessage"]
                .as_str()
                .unwrap_or_else(|| panic!("{source} {locale}: unset"));
            assert_eq!(
                email.matches("{##Verify Email##}").count(),
                1,
                "{source} {locale}: {email}"
            );
            assert!(email.contains("{####}"), "{source} {locale}: the code stays");
            let sms = response["smsMessage"].as_str().unwrap();
            assert!(
                !sms.contains("{##Verify Email##}"),
                "{source} {locale}: an SMS has no link: {sms}"
            );

            let by_code = invoke(sent.clone(), &Config::default()).0.unwrap()["response"].clone();
            assert!(
                !by_code["emailMessage"].as_str().unwrap().contains("{##Verify Email##}"),
                "{source} {locale}: a pool that confirms by code shows no placeholder"
            );

            // Without the placeholder Cognito would not send a link: its default goes out.
            sent["request"].as_object_mut().unwrap().remove("linkParameter");
            let (result, logs) = invoke(sent, &by_link);
            let response = result.unwrap()["response"].clone();
            assert_eq!(response["emailMessage"], Value::Null, "{source} {locale}");
            assert!(response["smsMessage"].is_string(), "{source} {locale}");
            assert!(logs.contains("linkParameter"), "{source} {locale}: {logs}");
        }
    }
    for name in [
        "forgot-password.json",
        "update-user-attribute.json",
        "authentication.json",
    ] {
        let email = response(name, &by_link)["emailMessage"].as_str().unwrap().to_owned();
        assert!(
            !email.contains("{##Click Here##}"),
            "{name}: Cognito sends it by code: {email}"
        );
    }
}

/// Everything the function logs, written by the subscriber it installs at cold start
/// (`trigger_common::logging::subscriber`) as Lambda collects it: plain text, or JSON with
/// `AWS_LAMBDA_LOG_FORMAT=JSON`.
fn logged_as(json: bool, payload: Value, config: &Config) -> (Result<Value, String>, String) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let vars: &[(&str, &str)] = if json {
        &[("AWS_LAMBDA_LOG_FORMAT", "JSON")]
    } else {
        &[]
    };
    let subscriber = trigger_common::logging::subscriber(lookup_in(vars), move || writer.clone());
    let result = tracing::subscriber::with_default(subscriber, || {
        trigger_common::testing::now(handler(
            LambdaEvent::new(testing::payload(&payload), Context::default()),
            config,
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

#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The email is the one attribute the line shows, masked; its escape (`mask_email`) keeps
/// a line break in a hostile address from starting a line of its own. Also on the warning
/// path, whose reasons quote the event's placeholders.
#[test]
fn hostile_attribute_values_log_on_one_line_in_plain_and_json_logs() {
    let sent = fixture(DIR, "signup-forged-log-line.json");
    let mut odd_code = sent.clone();
    odd_code["request"]["codeParameter"] = json!("{####}\nERROR forged <");
    for json in [false, true] {
        for (name, payload) in [("set", sent.clone()), ("left to Cognito", odd_code.clone())] {
            let (result, logs) = logged_as(json, payload, &Config::default());
            result.unwrap();
            assert_eq!(logs.lines().count(), 1, "json={json} {name}: {logs}");
            assert!(
                !logs.contains("jane.doe") && !logs.contains("Jane"),
                "json={json} {name}: {logs}"
            );
            if json {
                serde_json::from_str::<Value>(logs.trim_end()).expect("one JSON object");
            }
        }
    }
}

#[test]
fn verify_url_must_be_https_except_on_localhost() {
    for url in [
        "https://app.example.com/verify",
        "http://localhost:3000/verify",
        "http://localhost/verify",
    ] {
        assert!(config(&[("VERIFY_URL", url)]).is_ok(), "{url}");
    }
    for url in [
        "http://app.example.com/verify",
        "http://127.0.0.1:3000/verify",
        "http://localhost.evil.example/verify",
        "javascript:alert(1)",
        "data:text/html,hi",
    ] {
        let err = config(&[("VERIFY_URL", url)]).unwrap_err();
        assert_eq!(err.var, "VERIFY_URL", "{url}");
        assert!(err.to_string().contains("https"), "{err}");
    }
}

/// The binary as Lambda runs it, at the most verbose level, through lambda_runtime's own
/// code path (which logs raw events at TRACE).
#[test]
fn the_binary_never_logs_the_raw_event() {
    let (outcome, printed) = run_binary_once(
        env!("CARGO_BIN_EXE_custom-message"),
        &[("AWS_LAMBDA_LOG_LEVEL", "TRACE")],
        &fixture(DIR, "forgot-password.json"),
    );
    let Outcome::Response(answer) = outcome else {
        panic!("{outcome:?}: {printed}");
    };
    assert!(
        answer["response"]["emailMessage"]
            .as_str()
            .unwrap()
            .contains("Jane Doe")
    );
    assert!(printed.contains("j***@example.com"), "the invocation's line: {printed}");
    assert!(
        !printed.contains("jane.doe") && !printed.contains("Jane Doe"),
        "{printed}"
    );
}

#[test]
fn an_event_without_code_parameter_leaves_the_messages_to_cognito() {
    let mut sent = fixture(DIR, "signup.json");
    sent["request"]["codeParameter"] = Value::Null;
    let (result, logs) = invoke(sent, &Config::default());
    let response = result.unwrap()["response"].clone();
    assert_eq!(response["emailMessage"], Value::Null);
    assert_eq!(response["smsMessage"], Value::Null);
    assert!(logs.contains("codeParameter"), "{logs}");

    let mut sent = fixture(DIR, "admin-create-user.json");
    sent["request"].as_object_mut().unwrap().remove("usernameParameter");
    let response = invoke(sent, &Config::default()).0.unwrap()["response"].clone();
    assert_eq!(
        response["emailMessage"],
        Value::Null,
        "an invitation without the username is unusable"
    );
}

#[test]
fn logs_mask_the_email() {
    let (result, logs) = invoke(fixture(DIR, "signup.json"), &Config::default());
    result.unwrap();
    assert!(
        logs.contains("j***@example.com") && !logs.contains("jane.doe"),
        "{logs}"
    );
}

#[test]
fn unknown_sources_pass_through_and_other_payloads_are_errors() {
    let mut sent = fixture(DIR, "signup.json");
    sent["triggerSource"] = json!("CustomMessage_Passwordless");
    let (result, logs) = invoke(sent.clone(), &Config::default());
    assert_eq!(result.unwrap(), sent);
    assert!(logs.contains("WARN"), "{logs}");

    assert!(
        invoke(json!("text"), &Config::default())
            .0
            .unwrap_err()
            .contains("not a Cognito")
    );
    let mut wrong = fixture(DIR, "signup.json");
    wrong["triggerSource"] = json!("PreSignUp_SignUp");
    assert!(
        invoke(wrong, &Config::default())
            .0
            .unwrap_err()
            .contains("CustomMessage_")
    );
}

#[test]
fn bad_configuration_names_the_variable_and_accepted_values() {
    let cases = [
        ("APP_NAME", "x".repeat(41)),
        ("APP_NAME", "Brace {####}".into()),
        ("DEFAULT_LOCALE", "fr".into()),
        ("VERIFY_URL", "not a url".into()),
        ("VERIFY_URL", "ftp://example.com/verify".into()),
        ("VERIFY_URL", "http://app.example.com/verify".into()),
        ("VERIFY_URL", "https://example.com/verify#done".into()),
        ("DEFAULT_EMAIL_OPTION", "link".into()),
        ("DEFAULT_EMAIL_OPTION", "confirm_with_link".into()),
    ];
    for (var, value) in cases {
        let err = config(&[(var, value.as_str())]).unwrap_err();
        assert_eq!(err.var, var, "{value}");
        assert!(err.to_string().contains("accepted:"), "{err}");
    }
    let fine = config(&[("APP_NAME", " Toyseven "), ("DEFAULT_LOCALE", "ko"), ("VERIFY_URL", "")]).unwrap();
    assert_eq!(fine.app_name, "Toyseven");
    assert_eq!(fine.verify_url, None);
}

/// Whatever a response sets obeys Cognito's rules.
fn assert_rules(response: &Value) {
    if let Some(subject) = response["emailSubject"].as_str() {
        assert!((1..=140).contains(&subject.chars().count()));
    }
    if let Some(email) = response["emailMessage"].as_str() {
        assert!(email.chars().count() <= 20_000 && email.contains("{####}"));
    }
    if let Some(sms) = response["smsMessage"].as_str() {
        assert!(sms.chars().count() <= 140 && sms.contains("{####}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_payloads_never_panic(payload in arb_json()) {
        let _ = invoke(payload, &Config::default());
    }

    #[test]
    fn corrupted_events_never_panic(fixture_index in 0..FIXTURES.len(), index in any::<prop::sample::Index>(), replacement in prop::option::of(arb_json())) {
        let sent = fixture(DIR, FIXTURES[fixture_index]);
        let paths = field_paths(&sent);
        let corrupted = with_field(sent, &paths[index.index(paths.len())], replacement);
        if let Ok(returned) = invoke(corrupted, &Config::default()).0
            && returned["request"]["codeParameter"] == "{####}"
        {
            assert_rules(&returned["response"]);
        }
    }

    #[test]
    fn any_names_and_app_names_give_rule_abiding_messages(name in ".{0,300}", app in "[^{}\\p{Cc}]{1,40}", source in 0..FIXTURES.len()) {
        let Ok(config) = config(&[("APP_NAME", app.as_str())]) else { return Ok(()) };
        let mut sent = fixture(DIR, FIXTURES[source]);
        sent["request"]["userAttributes"]["name"] = json!(name);
        let response = invoke(sent, &config).0.unwrap()["response"].clone();
        assert_rules(&response);
        prop_assert!(response["smsMessage"].is_string(), "a valid APP_NAME always fits the SMS");
    }
}

/// An unknown trigger source is the payload's own text, passed through by the shared intake:
/// a line break in it is escaped, so it cannot start a forged log line.
#[test]
fn an_unknown_source_with_a_line_break_is_logged_on_one_line() {
    let mut sent = fixture(DIR, "signup.json");
    sent["triggerSource"] = json!("CustomMessage_Later\nERROR alarm=POST_CONFIRMATION_GROUP_ADD_FAILED");
    let (result, logs) = invoke(sent.clone(), &Config::default());
    assert_eq!(result.unwrap(), sent);
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(logs.contains("CustomMessage_Later\\nERROR"), "{logs}");
}
