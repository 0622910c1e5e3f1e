//! Every template for every trigger source and language, checked against Cognito's rules.

use custom_message::messages::{NAME_MAX, cut_name};
use custom_message::{Broken, Config, Field, Kind, Lang, Message, Placeholders, Rendered, render};

const CODE: &str = "{####}";
const USERNAME: &str = "{username}";
const LINK: &str = "{##Click Here##}";

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
        cognito_link: None,
    }
}

fn placeholders(kind: Kind) -> Placeholders<'static> {
    Placeholders::both(Ok(if kind == Kind::AdminCreateUser {
        vec![CODE, USERNAME]
    } else {
        vec![CODE]
    }))
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
            assert_eq!(
                email.contains("Jane"),
                kind == Kind::ForgotPassword,
                "{kind:?} {lang:?} greets by name only in a password reset"
            );
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
            &message(Kind::ForgotPassword, "Toyseven", Some(name), None),
            lang,
            &placeholders(Kind::ForgotPassword),
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
    let long_code = format!("{{{}}}", "#".repeat(20_000));
    let rendered = render(
        &Message {
            code: &long_code,
            ..message(Kind::ForgotPassword, "Toyseven", None, None)
        },
        Lang::En,
        &Placeholders::both(Ok(vec![long_code.as_str()])),
    );
    assert!(
        matches!(rendered.email_message, Err(Broken::Length { max: 20_000, .. })),
        "{:?}",
        rendered.email_message.as_ref().map(|_| ())
    );
    assert!(rendered.email_subject.is_ok(), "the other fields stay");
    assert!(matches!(rendered.sms_message, Err(Broken::Length { max: 140, .. })));

    let no_code = render(
        &message(Kind::SignUp, "Toyseven", None, None),
        Lang::En,
        &Placeholders::both(Err(Broken::NoParameter("codeParameter"))),
    );
    assert_eq!(no_code.email_message, Err(Broken::NoParameter("codeParameter")));
    assert_eq!(no_code.sms_message, Err(Broken::NoParameter("codeParameter")));
    assert!(no_code.email_subject.is_ok());

    // A placeholder the escaping would change can no longer be found: fall back.
    let odd = Message {
        code: "<code>",
        ..message(Kind::SignUp, "Toyseven", None, None)
    };
    let rendered = render(&odd, Lang::En, &Placeholders::both(Ok(vec!["<code>"])));
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

#[test]
fn a_name_reaches_only_a_password_reset_and_at_most_64_characters() {
    let phishing = "Your account is locked: http://evil.example";
    for kind in Kind::ALL {
        let m = message(kind, "Toyseven", Some(phishing), None);
        assert_eq!(m.greeting_name().is_some(), kind == Kind::ForgotPassword, "{kind:?}");
        assert_eq!(kind.greets_by_name(), kind == Kind::ForgotPassword, "{kind:?}");
    }
    let long: &'static str = Box::leak("가".repeat(2048).into_boxed_str());
    let m = message(Kind::ForgotPassword, "Toyseven", Some(long), None);
    assert_eq!(m.greeting_name().unwrap().chars().count(), NAME_MAX);
    assert_eq!(NAME_MAX, 64);
}

#[test]
fn a_name_is_cut_between_characters_not_inside_one() {
    let base = "x".repeat(63);
    // A combining accent, an emoji with a skin tone, a ZWJ family, a flag, Hangul jamo: each
    // starts at the 64th character and would be split by a cut after it.
    for (tail, kept) in [
        ("e\u{301}", 63),
        ("\u{1F44D}\u{1F3FD}", 63),
        ("\u{1F469}\u{200D}\u{1F467}", 63),
        ("\u{1F1F0}\u{1F1F7}", 63),
        ("\u{1100}\u{1161}\u{11A8}", 63),
        ("ab", 64),
        ("한국", 64),
    ] {
        let name = format!("{base}{tail}zzz");
        let cut = cut_name(&name);
        assert_eq!(cut.chars().count(), kept, "{tail:?}: {cut:?}");
        assert!(name.starts_with(cut));
    }
    // A flag pair that ends exactly at 64 stays whole; the one after it is dropped.
    let flags = format!("{}\u{1F1F0}\u{1F1F7}\u{1F1EF}\u{1F1F5}", "x".repeat(62));
    assert_eq!(cut_name(&flags).chars().count(), 64);
    assert_eq!(cut_name("short"), "short");
    assert_eq!(cut_name(&"y".repeat(64)).len(), 64);
}

/// The invitation's two values come from Cognito after the function ran, raw: each sits alone
/// in an `<xmp>` (an HTML parser reads it as text up to `</xmp`), with nothing of ours
/// around it inside.
#[test]
fn the_invitation_shows_the_username_and_temporary_password_alone_in_xmp() {
    for lang in Lang::ALL {
        let email = render(
            &message(Kind::AdminCreateUser, "Toyseven", None, None),
            lang,
            &placeholders(Kind::AdminCreateUser),
        )
        .email_message
        .unwrap();
        for placeholder in [USERNAME, CODE] {
            assert_eq!(email.matches(placeholder).count(), 1, "{lang:?}: {email}");
            let at = email.find(placeholder).unwrap();
            let (before, after) = (&email[..at], &email[at + placeholder.len()..]);
            let open = before.rfind('<').unwrap();
            assert!(
                before[open..].starts_with("<xmp ") && before.ends_with("\">"),
                "{lang:?}: {placeholder} right after an <xmp> start tag: {}",
                &before[open..]
            );
            assert!(
                after.starts_with("</xmp>"),
                "{lang:?}: {placeholder} right before </xmp>"
            );
        }
        assert_eq!(email.matches("<xmp ").count(), 2, "{lang:?}");
    }
}

#[test]
fn a_message_sent_by_link_keeps_the_link_placeholder_in_its_email_only() {
    for kind in Kind::ALL {
        for lang in Lang::ALL {
            let m = Message {
                cognito_link: kind.confirms_by_link().then_some(LINK),
                ..message(kind, "Toyseven", None, None)
            };
            let mut required = placeholders(kind);
            if kind.confirms_by_link() {
                required.email.as_mut().unwrap().push(LINK);
            }
            let rendered = render(&m, lang, &required);
            let email = rendered.email_message.unwrap();
            assert_eq!(email.contains(LINK), kind.confirms_by_link(), "{kind:?} {lang:?}");
            assert!(!rendered.sms_message.unwrap().contains(LINK), "{kind:?} {lang:?}");
        }
    }
    assert!(Kind::SignUp.confirms_by_link() && Kind::ResendCode.confirms_by_link());
}
