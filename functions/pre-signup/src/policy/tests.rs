//! The policy's tests, through the configuration and the decision as the handler uses them:
//! address syntax, the lists, auto-confirm and linking's settings.

use super::*;
use proptest::prelude::*;
use trigger_common::ConfigError;
use trigger_common::lookup_in;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_env(lookup_in(vars))
}

fn sign_up(email: Option<&str>) -> SignUp<'_> {
    SignUp {
        source: Source::SignUp,
        email,
        email_verified: None,
    }
}

fn decide(vars: &[(&str, &str)], email: Option<&str>) -> Result<Decision, Rejection> {
    config(vars).unwrap().decide(&sign_up(email))
}

fn malformed(email: &str) -> Option<Malformed> {
    match decide(&[], Some(email)) {
        Err(Rejection::InvalidEmail(why)) => Some(why),
        _ => None,
    }
}

const CONFIRMED: Result<Decision, Rejection> = Ok(Decision::AutoConfirm { verify_email: true });

#[test]
fn no_lists_allow_every_valid_email() {
    assert_eq!(decide(&[], Some("a@anything.org")), Ok(Decision::Accept));
}

#[test]
fn exact_entry_matches_only_that_domain() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "example.com")];
    assert_eq!(decide(&vars, Some("a@example.com")), Ok(Decision::Accept));
    for other in ["a@sub.example.com", "a@badexample.com", "a@example.com.evil.io"] {
        assert_eq!(decide(&vars, Some(other)), Err(Rejection::DomainNotAllowed), "{other}");
    }
}

#[test]
fn wildcard_entry_matches_subdomains_only() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "*.example.com")];
    assert_eq!(decide(&vars, Some("a@eng.example.com")), Ok(Decision::Accept));
    assert_eq!(decide(&vars, Some("a@x.eng.example.com")), Ok(Decision::Accept));
    assert_eq!(decide(&vars, Some("a@example.com")), Err(Rejection::DomainNotAllowed));
    assert_eq!(
        decide(&vars, Some("a@badexample.com")),
        Err(Rejection::DomainNotAllowed)
    );
}

#[test]
fn deny_wins_over_allow() {
    let vars = [
        ("ALLOWED_EMAIL_DOMAINS", "*.example.com"),
        ("DENIED_EMAIL_DOMAINS", "contractors.example.com"),
    ];
    assert_eq!(decide(&vars, Some("a@eng.example.com")), Ok(Decision::Accept));
    assert_eq!(
        decide(&vars, Some("a@contractors.example.com")),
        Err(Rejection::DomainNotAllowed)
    );
}

#[test]
fn deny_alone_blocks_only_its_domains() {
    let vars = [("DENIED_EMAIL_DOMAINS", "mailinator.com, *.tempmail.dev")];
    assert_eq!(decide(&vars, Some("a@example.com")), Ok(Decision::Accept));
    assert_eq!(
        decide(&vars, Some("a@mailinator.com")),
        Err(Rejection::DomainNotAllowed)
    );
    assert_eq!(
        decide(&vars, Some("a@x.tempmail.dev")),
        Err(Rejection::DomainNotAllowed)
    );
}

#[test]
fn matching_ignores_case_and_whitespace_around_list_entries() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "  Example.COM , *.Corp.Example.org ")];
    assert_eq!(decide(&vars, Some("A@EXAMPLE.com")), Ok(Decision::Accept));
    assert_eq!(decide(&vars, Some("a@HQ.corp.example.ORG")), Ok(Decision::Accept));
}

#[test]
fn whitespace_around_an_address_is_refused_not_trimmed() {
    for email in [
        "  a@example.com",
        "a@example.com ",
        "a@example.com\n",
        "\ta@example.com",
    ] {
        assert!(malformed(email).is_some(), "{email:?}");
    }
}

#[test]
fn internationalized_domains_match_their_punycode() {
    let unicode = [("ALLOWED_EMAIL_DOMAINS", "예시.kr")];
    assert_eq!(decide(&unicode, Some("a@xn--vv4b11d.kr")), Ok(Decision::Accept));
    let punycode = [("ALLOWED_EMAIL_DOMAINS", "xn--vv4b11d.kr")];
    assert_eq!(decide(&punycode, Some("a@예시.kr")), Ok(Decision::Accept));
    let wildcard = [("ALLOWED_EMAIL_DOMAINS", "*.예시.kr")];
    assert_eq!(decide(&wildcard, Some("a@mail.xn--vv4b11d.kr")), Ok(Decision::Accept));
    let accented = [("ALLOWED_EMAIL_DOMAINS", "bücher.example")];
    assert_eq!(decide(&accented, Some("a@BÜCHER.example")), Ok(Decision::Accept));
    assert_eq!(email_domain("a@bücher.example").unwrap(), "xn--bcher-kva.example");
}

#[test]
fn malformed_emails_are_rejected() {
    for email in [
        "",
        "no-at-sign",
        "two@@example.com",
        "a@b@example.com",
        "@example.com",
        "a@",
        "a@exa mple.com",
        "a@.com",
        "a@example..com",
        "a@example.com.",
        "a@-example.com",
        "a@example-.com",
        "a@exam_ple.com",
    ] {
        assert!(malformed(email).is_some(), "{email:?}");
    }
    let label = "a".repeat(64);
    assert_eq!(
        malformed(&format!("a@{label}.com")),
        Some(Malformed::NotADnsName),
        "a label of 64"
    );
    let labels = format!("{0}.{0}.{0}.{0}", "a".repeat(62));
    assert_eq!(
        malformed(&format!("a@{labels}.co")),
        Some(Malformed::NotADnsName),
        "254 bytes"
    );
    assert_eq!(malformed(&format!("a@{labels}.c")), None, "253 bytes");
    assert_eq!(
        malformed(&format!("{}@example.com", "a".repeat(65))),
        Some(Malformed::LongLocalPart)
    );
    assert_eq!(
        decide(&[], Some(&format!("{}@example.com", "a".repeat(64)))),
        Ok(Decision::Accept)
    );
}

/// Addresses that today's `idna::domain_to_ascii` (no STD3 rules) let through, each
/// matching `*.example.com` or no list at all.
#[test]
fn smuggled_addresses_are_malformed() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "*.example.com")];
    for email in [
        "a@attacker.com,x.example.com",
        "a@evil.com;x.example.com",
        "a@evil.com\0.x.example.com",
        "a@evil.com\u{1}x.example.com",
        "a@x.example.com\r\nBcc: b@evil.com",
        "a@evil.com/x.example.com",
        "a@evil.com:25.x.example.com",
        "a@evil.com>x.example.com",
    ] {
        assert!(
            matches!(decide(&vars, Some(email)), Err(Rejection::InvalidEmail(_))),
            "{email:?}: {:?}",
            decide(&vars, Some(email))
        );
    }
    for email in ["a@[1.2.3.4]", "a@[IPv6:::1]", "a@1.2.3.4", "a@0x7f.1", "a@127.0.0.1"] {
        assert!(malformed(email).is_some(), "{email:?}");
    }
    assert_eq!(malformed("a@1.2.3.4"), Some(Malformed::IpAddress));
    for email in [
        "\"a@b\"@example.com",
        "\"a\"@example.com",
        "a,b@example.com",
        "a;b@example.com",
        "a\0@example.com",
        "a b@example.com",
        "<a>@example.com",
    ] {
        assert!(malformed(email).is_some(), "{email:?}");
    }
}

/// Each looks like `ceo@example.com` once shown, and today's code matches it against
/// `example.com` (the invisible character dropped) while Cognito stores it as it came.
#[test]
fn look_alike_addresses_are_malformed() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "example.com"), ("AUTO_CONFIRM", "allowed")];
    for email in [
        "ceo@exam\u{AD}ple.com",
        "ceo@exam\u{200B}ple.com",
        "ceo@example\u{2060}.com",
        "ceo@\u{FEFF}example.com",
        "ceo@example\u{3002}com",
        "ceo@example\u{FF0E}com",
        "ceo@ｅxample.com",
        "ceo@example.co\u{34F}m",
        "ceo@exa\u{200D}mple.com",
        "ceo@exa\u{200C}mple.com",
        "ceo@e\u{301}xample.com",
    ] {
        let decision = decide(&vars, Some(email));
        assert!(
            matches!(decision, Err(Rejection::InvalidEmail(_))),
            "{email:?}: {decision:?}"
        );
    }
    assert_eq!(malformed("ceo@exam\u{AD}ple.com"), Some(Malformed::ChangedByMapping));
    // The Kelvin sign's lowercase is `k`: case folding alone would match `bank.com`.
    let bank = [("ALLOWED_EMAIL_DOMAINS", "bank.com"), ("AUTO_CONFIRM", "allowed")];
    assert_eq!(
        decide(&bank, Some("ceo@ban\u{212A}.com")),
        Err(Rejection::InvalidEmail(Malformed::AsciiLookAlike))
    );
    assert_eq!(decide(&bank, Some("ceo@BANK.com")), CONFIRMED);
    for email in [
        "ceo\u{AD}@example.com",
        "ce\u{200B}o@example.com",
        "ceo\u{2060}@example.com",
        "ceo\u{202E}@example.com",
        "ceo\u{3164}@example.com",
        "ceo\u{FE0F}@example.com",
        "ceo\u{A0}@example.com",
        "ceo\u{2028}@example.com",
    ] {
        assert_eq!(malformed(email), Some(Malformed::LocalPartCharacter), "{email:?}");
    }
    for email in [
        "ｃeo@example.com",
        "c\u{1D41E}o@example.com",
        "ceo\u{FF20}evil.com@example.com",
        "ceo\u{FF0E}x@example.com",
        "\u{212A}im@example.com",
    ] {
        assert_eq!(malformed(email), Some(Malformed::AsciiLookAlike), "{email:?}");
    }
    // Visible non-ASCII local parts stay welcome (RFC 6531).
    assert_eq!(decide(&vars, Some("김민지@example.com")), CONFIRMED);
    assert_eq!(decide(&vars, Some("josé.garcía@example.com")), CONFIRMED);
    assert_eq!(decide(&vars, Some("JOSÉ.Ærø@example.com")), CONFIRMED);
}

#[test]
fn deviation_characters_are_malformed_in_either_form() {
    // IDNA2003 maps ß to ss, IDNA2008 keeps it: which domain mail goes to depends on
    // the software in between.
    assert_eq!(malformed("a@straße.de"), Some(Malformed::Deviation));
    assert_eq!(malformed("a@xn--strae-oqa.de"), Some(Malformed::Deviation));
    assert_eq!(malformed("a@σος.gr"), Some(Malformed::Deviation));
    assert_eq!(decide(&[], Some("a@strasse.de")), Ok(Decision::Accept));
}

#[test]
fn a_non_text_email_is_malformed() {
    assert_eq!(Malformed::NotText.to_string(), "the email attribute is not text");
    assert_eq!(
        Rejection::InvalidEmail(Malformed::NotText).to_string(),
        "Please sign up with a valid email address."
    );
}

#[test]
fn missing_email_is_rejected_only_when_an_allow_list_is_set() {
    assert_eq!(decide(&[], None), Ok(Decision::Accept));
    assert_eq!(
        decide(&[("AUTO_CONFIRM", "always")], None),
        Ok(Decision::Accept),
        "no email: the response goes back as it came"
    );
    assert_eq!(
        decide(&[("ALLOWED_EMAIL_DOMAINS", "example.com")], None),
        Err(Rejection::EmailRequired)
    );
}

#[test]
fn auto_confirm_modes() {
    let allowed = [("ALLOWED_EMAIL_DOMAINS", "example.com"), ("AUTO_CONFIRM", "allowed")];
    assert_eq!(decide(&allowed, Some("a@example.com")), CONFIRMED);
    let always = [("AUTO_CONFIRM", "always")];
    assert_eq!(decide(&always, Some("a@any.org")), CONFIRMED);
    let never = [("ALLOWED_EMAIL_DOMAINS", "example.com")];
    assert_eq!(decide(&never, Some("a@example.com")), Ok(Decision::Accept));
    let denied_always = [("AUTO_CONFIRM", "always"), ("DENIED_EMAIL_DOMAINS", "bad.com")];
    assert_eq!(
        decide(&denied_always, Some("a@bad.com")),
        Err(Rejection::DomainNotAllowed)
    );
}

#[test]
fn an_administrators_user_is_marked_verified_only_on_their_explicit_word() {
    let always = config(&[("AUTO_CONFIRM", "always")]).unwrap();
    let admin = |said| SignUp {
        source: Source::AdminCreateUser,
        email_verified: said,
        ..sign_up(Some("a@example.com"))
    };
    for said in [None, Some("false"), Some(""), Some(" true")] {
        assert_eq!(
            always.decide(&admin(said)),
            Ok(Decision::AutoConfirm { verify_email: false }),
            "{said:?}"
        );
    }
    assert_eq!(always.decide(&admin(Some("true"))), CONFIRMED);
}

#[test]
fn an_unproven_email_is_never_marked_verified() {
    let always = config(&[("AUTO_CONFIRM", "always")]).unwrap();
    for said in ["false", "FALSE", "False", " false ", "no", ""] {
        let decision = always.decide(&SignUp {
            email_verified: Some(said),
            ..sign_up(Some("a@example.com"))
        });
        assert_eq!(decision, Ok(Decision::AutoConfirm { verify_email: false }), "{said:?}");
    }
    for said in ["true", "TRUE", "True"] {
        let decision = always.decide(&SignUp {
            email_verified: Some(said),
            ..sign_up(Some("a@example.com"))
        });
        assert_eq!(decision, CONFIRMED, "{said:?}");
    }
}

#[test]
fn a_federated_email_counts_as_verified_only_when_the_provider_said_exactly_true() {
    let always = config(&[("AUTO_CONFIRM", "always")]).unwrap();
    let external = |said| SignUp {
        source: Source::External,
        email_verified: said,
        ..sign_up(Some("a@example.com"))
    };
    for said in [
        None,
        Some("false"),
        Some(""),
        Some(" true"),
        Some("true "),
        Some("yes"),
        Some("1"),
    ] {
        assert_eq!(
            always.decide(&external(said)),
            Ok(Decision::AutoConfirm { verify_email: false }),
            "{said:?}"
        );
    }
    for said in ["true", "TRUE", "True"] {
        assert_eq!(always.decide(&external(Some(said))), CONFIRMED, "{said:?}");
    }
    // A native sign-up that says nothing keeps today's rule: its address counts as verified.
    assert_eq!(always.decide(&sign_up(Some("a@example.com"))), CONFIRMED);
}

#[test]
fn link_external_users_reads_never_or_verified() {
    assert_eq!(config(&[]).unwrap().link_external_users, LinkExternalUsers::Never);
    assert_eq!(
        config(&[
            ("LINK_EXTERNAL_USERS", "Verified"),
            ("LINK_TRUSTED_PROVIDERS", "Google")
        ])
        .unwrap()
        .link_external_users,
        LinkExternalUsers::Verified
    );
    assert_eq!(
        config(&[("LINK_EXTERNAL_USERS", " never ")])
            .unwrap()
            .link_external_users,
        LinkExternalUsers::Never
    );
    let err = config(&[("LINK_EXTERNAL_USERS", "always")]).unwrap_err();
    assert_eq!(err.var, "LINK_EXTERNAL_USERS");
    assert!(err.to_string().contains("never, verified"), "{err}");
}

#[test]
fn linking_without_trusted_providers_stops_the_start_naming_both() {
    let error = config(&[("LINK_EXTERNAL_USERS", "verified")]).unwrap_err();
    assert_eq!(error.var, "LINK_TRUSTED_PROVIDERS");
    assert!(error.to_string().contains("LINK_EXTERNAL_USERS=verified"), "{error}");
    let error = config(&[("LINK_TRUSTED_PROVIDERS", "Google")]).unwrap_err();
    assert_eq!(
        error.var, "LINK_TRUSTED_PROVIDERS",
        "a list that would be ignored is a mistake"
    );
    assert!(error.to_string().contains("LINK_EXTERNAL_USERS"), "{error}");
}

#[test]
fn trusted_providers_are_names_the_pool_can_hold() {
    let linking = |names: &str| config(&[("LINK_EXTERNAL_USERS", "verified"), ("LINK_TRUSTED_PROVIDERS", names)]);
    assert_eq!(
        linking(" Google , A_SSO,Okta ").unwrap().trusted_providers,
        ["Google", "A_SSO", "Okta"]
    );
    for bad in [
        ",",
        " , ",
        "Acme_SSO",
        "_Google",
        "Go",
        "Okta SSO",
        "Okta\u{200b}",
        "Google,Google",
        "Google,GOOGLE",
        "   ",
        "Cognito",
        "A23456789012345678901234567890123",
    ] {
        let error = linking(bad).unwrap_err();
        assert_eq!(error.var, "LINK_TRUSTED_PROVIDERS", "{bad:?}");
    }
}

#[test]
fn a_domain_list_that_is_set_but_holds_no_entry_stops_the_start() {
    for (name, value) in [("ALLOWED_EMAIL_DOMAINS", ","), ("DENIED_EMAIL_DOMAINS", " , ")] {
        let error = config(&[(name, value)]).unwrap_err();
        assert_eq!(error.var, name);
        assert!(error.to_string().contains("holds no entry"), "{error}");
    }
}

#[test]
fn with_linking_on_a_native_sign_up_is_confirmed_but_never_marked_verified() {
    let linking = config(&[
        ("AUTO_CONFIRM", "always"),
        ("LINK_EXTERNAL_USERS", "verified"),
        ("LINK_TRUSTED_PROVIDERS", "Google"),
    ])
    .unwrap();
    for email_verified in [None, Some("true"), Some("TRUE")] {
        let sign_up = SignUp {
            email_verified,
            ..sign_up(Some("ceo@corp.example"))
        };
        assert_eq!(
            linking.decide(&sign_up),
            Ok(Decision::AutoConfirm { verify_email: false }),
            "{email_verified:?}"
        );
    }
    let provider = SignUp {
        source: Source::External,
        email_verified: Some("true"),
        ..sign_up(Some("ceo@corp.example"))
    };
    assert_eq!(
        linking.decide(&provider),
        CONFIRMED,
        "a provider's own word still verifies its user"
    );
}

#[test]
fn an_unknown_source_gets_the_lists_but_never_auto_confirm() {
    let config = config(&[
        ("ALLOWED_EMAIL_DOMAINS", "example.com"),
        ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
        ("AUTO_CONFIRM", "allowed"),
    ])
    .unwrap();
    let unknown = |email| SignUp {
        source: Source::Unknown,
        ..sign_up(email)
    };
    assert_eq!(config.decide(&unknown(Some("a@example.com"))), Ok(Decision::Accept));
    assert_eq!(
        config.decide(&unknown(Some("a@mailinator.com"))),
        Err(Rejection::DomainNotAllowed)
    );
    assert_eq!(
        config.decide(&unknown(Some("a@unlisted.org"))),
        Err(Rejection::DomainNotAllowed)
    );
    assert_eq!(config.decide(&unknown(None)), Err(Rejection::EmailRequired));
}

#[test]
fn rejection_messages_do_not_reveal_the_lists() {
    let vars = [("ALLOWED_EMAIL_DOMAINS", "secret-partner.com")];
    let message = decide(&vars, Some("a@other.com")).unwrap_err().to_string();
    assert!(!message.contains("secret-partner"), "{message}");
}

#[test]
fn bad_configuration_names_the_variable_and_accepted_values() {
    let err = config(&[("AUTO_CONFIRM", "sometimes")]).unwrap_err();
    assert_eq!(err.var, "AUTO_CONFIRM");
    assert!(err.to_string().contains("never, allowed, always"), "{err}");

    let err = config(&[("ALLOWED_EMAIL_DOMAINS", "example.com, a@b.com")]).unwrap_err();
    assert_eq!(err.var, "ALLOWED_EMAIL_DOMAINS");
    assert!(err.to_string().contains("*.example.com"), "{err}");

    let err = config(&[("DENIED_EMAIL_DOMAINS", "*.")]).unwrap_err();
    assert_eq!(err.var, "DENIED_EMAIL_DOMAINS");

    let err = config(&[("DENIED_EMAIL_DOMAINS", "exam\u{AD}ple.com")]).unwrap_err();
    assert_eq!(err.var, "DENIED_EMAIL_DOMAINS");

    let err = config(&[("AUTO_CONFIRM", "allowed")]).unwrap_err();
    assert!(err.to_string().contains("ALLOWED_EMAIL_DOMAINS"), "{err}");
}

#[test]
fn empty_values_mean_unset_but_a_list_of_spaces_is_a_mistake() {
    assert_eq!(
        config(&[("ALLOWED_EMAIL_DOMAINS", ""), ("AUTO_CONFIRM", "")]).unwrap(),
        Config::default()
    );
    let error = config(&[("ALLOWED_EMAIL_DOMAINS", "  ")]).unwrap_err();
    assert_eq!(
        error.var, "ALLOWED_EMAIL_DOMAINS",
        "spaces were typed: no entry is an error"
    );
}

/// Characters that make domains interesting: letters of both cases, Unicode letters with
/// and without case, separators, invisible and mapped characters, deviations.
fn domain_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'b', 'x', 'Z', 'E', '0', '7', '-', '.', '.', '.']),
        2 => prop::sample::select(vec!['é', 'É', 'ü', 'Ü', '예', '시', 'ж', 'Ж', 'Σ', 'σ', 'İ', 'ı', 'ǅ', 'ﬁ', 'Å']),
        1 => prop::sample::select(vec![
            '\u{AD}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{34F}', '\u{200C}', '\u{200D}', 'ß', 'ς',
            '\u{3002}', '\u{FF0E}', 'ｅ', '\u{301}', ',', ';', '\0', '[', ']', ' ', '_', '@', '\u{1E9E}',
        ]),
        1 => any::<char>(),
    ]
}

fn domain() -> impl Strategy<Value = String> {
    prop::collection::vec(domain_char(), 1..24).prop_map(|chars| chars.into_iter().collect())
}

/// Each label of `given` as the matched domain holds it: ASCII lowercase, or the
/// punycode of its lowercase Unicode form.
fn decoded(label: &str) -> String {
    match label.strip_prefix("xn--") {
        Some(encoded) => idna::punycode::decode_to_string(encoded).expect("valid punycode"),
        None => label.to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// For any address the policy accepts, the domain matched against the lists is the
    /// address's domain after case folding and IDNA, every character kept.
    #[test]
    fn the_matched_domain_is_the_address_domain_with_nothing_dropped(domain in domain()) {
        let email = format!("a@{domain}");
        if let Ok(matched) = email_domain(&email) {
            prop_assert!(matched.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'), "{matched}");
            // Case is folded label by label: the whole string's lowercase would see `Σ` in
            // `a.Σ` as a word's final sigma (`ς`), which no label of it is.
            let folded: Vec<String> = domain.split('.').map(str::to_lowercase).collect();
            prop_assert_eq!(Some(matched.clone()), idna::domain_to_ascii(&folded.join(".")).ok());
            let given: Vec<&str> = domain.split('.').collect();
            let held: Vec<&str> = matched.split('.').collect();
            prop_assert_eq!(given.len(), held.len(), "{:?} -> {}", domain, matched);
            for (given, held) in given.iter().zip(&held) {
                let given = given.to_lowercase();
                prop_assert!(given == *held || given == decoded(held), "{:?} -> {}", domain, matched);
            }
        }
    }

    /// An invisible character anywhere in an accepted address makes it malformed.
    #[test]
    fn an_invisible_character_anywhere_is_refused(
        domain in domain(),
        at in any::<prop::sample::Index>(),
        invisible in prop::sample::select(vec!['\u{AD}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{200C}', '\u{200D}', '\u{34F}', '\u{180E}', '\u{FE0F}', '\u{E0041}']),
    ) {
        let email = format!("ceo@{domain}");
        if email_domain(&email).is_ok() {
            let mut chars: Vec<char> = email.chars().collect();
            let index = at.index(chars.len() + 1);
            chars.insert(index, invisible);
            let smuggled: String = chars.into_iter().collect();
            prop_assert!(email_domain(&smuggled).is_err(), "{:?}", smuggled);
        }
    }
}
