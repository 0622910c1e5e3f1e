//! Every template for every trigger source and language, checked against Cognito's rules.

use custom_message::{Broken, Config, Field, Kind, Lang, Message, Rendered, render};

const CODE: &str = "{####}";
const USERNAME: &str = "{username}";

/// 40 characters, the most APP_NAME accepts, and wide ones: the SMS must still fit.
const LONGEST_APP_NAME: &str = "가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자차카타";

fn message<'a>(kind: Kind, app_name: &'a str, name: Option<&'static str>, link: Option<String>) -> Message<'a> {
    Message {
        kind,
        app_name,
        code: CODE,
        username: USERNAME,
        name,
        verify_link: link,
    }
}

fn placeholders(kind: Kind) -> Result<Vec<&'static str>, Broken> {
    Ok(if kind == Kind::AdminCreateUser {
        vec![CODE, USERNAME]
    } else {
        vec![CODE]
    })
}

fn all_rendered(app_name: &str, name: Option<&'static str>) -> Vec<(Kind, Lang, Rendered)> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        for lang in Lang::ALL {
            let link = Config {
                verify_url: Some("https://app.example.com/verify".parse().unwrap()),
                ..Config::default()
            }
            .verify_link(CODE, "4f8e1c2a");
            let m = message(kind, app_name, name, link);
            out.push((kind, lang, render(&m, lang, &placeholders(kind))));
        }
    }
    assert_eq!(out.len(), 14);
    out
}

#[test]
fn every_template_renders_within_cognitos_rules() {
    for app_name in ["Toyseven", LONGEST_APP_NAME] {
        for (kind, lang, rendered) in all_rendered(app_name, Some("Jane")) {
            let subject = rendered
                .email_subject
                .as_ref()
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?} subject: {e}"));
            let email = rendered
                .email_message
                .as_ref()
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?} email: {e}"));
            let sms = rendered
                .sms_message
                .as_ref()
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?} sms: {e}"));
            assert!(
                (1..=140).contains(&subject.chars().count()),
                "{kind:?} {lang:?}: {subject}"
            );
            assert!(!subject.contains('\n'));
            assert!(email.chars().count() <= 20_000);
            assert!(
                (6..=140).contains(&sms.chars().count()),
                "{kind:?} {lang:?}: {} chars: {sms}",
                sms.chars().count()
            );
            for text in [subject, email, sms] {
                assert!(text.contains(app_name), "{kind:?} {lang:?} names the product: {text}");
            }
            for text in [email, sms] {
                assert!(text.contains(CODE), "{kind:?} {lang:?} keeps the code: {text}");
                assert_eq!(
                    text.contains(USERNAME),
                    kind == Kind::AdminCreateUser,
                    "{kind:?} {lang:?}: {text}"
                );
            }
            assert!(email.starts_with("<!DOCTYPE html>"), "{kind:?} {lang:?}");
            let lang_attr = match lang {
                Lang::En => "<html lang=\"en\">",
                Lang::Ko => "<html lang=\"ko\">",
            };
            assert!(email.contains(lang_attr), "{kind:?} {lang:?}");
            assert!(email.contains("Jane"), "{kind:?} {lang:?} greets by name");
        }
    }
}

#[test]
fn the_languages_differ() {
    let en = render(
        &message(Kind::SignUp, "Toyseven", None, None),
        Lang::En,
        &placeholders(Kind::SignUp),
    );
    let ko = render(
        &message(Kind::SignUp, "Toyseven", None, None),
        Lang::Ko,
        &placeholders(Kind::SignUp),
    );
    assert!(en.email_subject.unwrap().contains("Confirm your email"));
    assert!(ko.email_subject.unwrap().contains("이메일 주소를 확인해 주세요"));
    assert!(ko.sms_message.unwrap().contains("인증 코드"));
}

#[test]
fn only_the_sign_up_email_carries_the_verify_link() {
    for (kind, lang, rendered) in all_rendered("Toyseven", None) {
        let email = rendered.email_message.unwrap();
        let has_link = email.contains("href=\"https://app.example.com/verify?code={####}&#38;username=4f8e1c2a\"");
        assert_eq!(has_link, kind == Kind::SignUp, "{kind:?} {lang:?}");
        if kind == Kind::SignUp {
            assert_eq!(email.matches(CODE).count(), 2, "the code in text and in the link");
        }
    }
}

#[test]
fn user_attribute_values_are_html_escaped_in_email() {
    let name = "<script>alert(1)</script> & \"Bob\"";
    for lang in Lang::ALL {
        let rendered = render(
            &message(Kind::SignUp, "Toyseven", Some(name), None),
            lang,
            &placeholders(Kind::SignUp),
        );
        let email = rendered.email_message.unwrap();
        assert!(!email.contains("<script>"), "{email}");
        assert!(
            email.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Bob&#34;")
                || email.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &quot;Bob&quot;"),
            "{email}"
        );
    }
}

#[test]
fn a_field_that_breaks_a_rule_is_left_unset_with_the_reason() {
    let long_name: &'static str = Box::leak("가".repeat(20_000).into_boxed_str());
    let rendered = render(
        &message(Kind::ForgotPassword, "Toyseven", Some(long_name), None),
        Lang::En,
        &placeholders(Kind::ForgotPassword),
    );
    assert!(
        matches!(rendered.email_message, Err(Broken::Length { max: 20_000, .. })),
        "{:?}",
        rendered.email_message.as_ref().map(|_| ())
    );
    assert!(
        rendered.email_subject.is_ok() && rendered.sms_message.is_ok(),
        "the other fields stay"
    );

    let no_code = render(
        &message(Kind::SignUp, "Toyseven", None, None),
        Lang::En,
        &Err(Broken::NoParameter("codeParameter")),
    );
    assert_eq!(no_code.email_message, Err(Broken::NoParameter("codeParameter")));
    assert_eq!(no_code.sms_message, Err(Broken::NoParameter("codeParameter")));
    assert!(no_code.email_subject.is_ok());

    // A placeholder the escaping would change can no longer be found: fall back.
    let odd = Message {
        code: "<code>",
        ..message(Kind::SignUp, "Toyseven", None, None)
    };
    let rendered = render(&odd, Lang::En, &Ok(vec!["<code>"]));
    assert_eq!(rendered.email_message, Err(Broken::MissingPlaceholder("<code>".into())));
    assert!(rendered.sms_message.is_ok(), "plain-text SMS keeps it as it is");
    assert_eq!(Field::SmsMessage.name(), "smsMessage");
}

#[test]
fn locales_pick_the_language() {
    for locale in ["ko", "ko-KR", "ko_KR", "KO", " ko-kr "] {
        assert_eq!(Lang::from_locale(locale), Some(Lang::Ko), "{locale}");
    }
    for locale in ["en", "en-US", "en_GB"] {
        assert_eq!(Lang::from_locale(locale), Some(Lang::En), "{locale}");
    }
    for locale in ["fr", "", "kor", "-"] {
        assert_eq!(Lang::from_locale(locale), None, "{locale}");
    }
}
