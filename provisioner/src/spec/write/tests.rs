//! The writer is the parser's inverse: `parse(write(d)) == d` for every desired state a pool
//! can be imported as, shown on states built here and on generated ones.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::desired::{
    Attribute, Domain, ExplicitAuthFlow, Mfa, OAuthFlow, PasswordPolicy, ProviderKind, Recovery, Scope, SesEmail,
    ThreatProtection, Tier, TimeUnit, Triggers, Validity, Version,
};
use crate::spec::parse;

fn read(text: &str) -> Desired {
    match parse("cognito.toml", text) {
        Ok((desired, _)) => desired,
        Err(error) => panic!("{error}\n--- the text:\n{text}"),
    }
}

fn round_trips(desired: &Desired) {
    let text = write(desired);
    assert_eq!(&read(&text), desired, "--- the text:\n{text}");
}

fn tags(name: &str, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = extra.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    tags.insert(MANAGED_TAG.into(), name.into());
    tags
}

fn client(name: &str) -> Client {
    Client {
        name: name.into(),
        generate_secret: false,
        oauth_flows: vec![OAuthFlow::Code],
        oauth_scopes: vec!["openid".into(), "email".into()],
        callback_urls: vec!["http://localhost:3000".into()],
        logout_urls: vec![],
        identity_providers: vec!["COGNITO".into()],
        explicit_auth_flows: vec![ExplicitAuthFlow::UserSrp, ExplicitAuthFlow::RefreshToken],
        prevent_user_existence_errors: true,
        enable_token_revocation: true,
        access_token_validity: Some(Validity::new(60, TimeUnit::Minutes)),
        id_token_validity: Some(Validity::new(60, TimeUnit::Minutes)),
        refresh_token_validity: Some(Validity::new(30, TimeUnit::Days)),
        auth_session_validity: Some(3),
        read_attributes: None,
        write_attributes: None,
        default_redirect_uri: None,
        enable_propagate_additional_user_context_data: Some(false),
    }
}

/// A state with every table and most optional keys set, and strings TOML must escape.
fn full() -> Desired {
    let mut desired = read(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../cognito.toml")).unwrap());
    let pool = &mut desired.pool;
    pool.name = "Jane + co, inc. @ home_1".into();
    pool.tags = tags(
        &pool.name,
        &[("team", "id\\entity"), ("cost center", "ünïcode ✓"), ("a:b/c", "")],
    );
    pool.mfa = Mfa::Optional;
    pool.software_token_mfa = true;
    pool.tier = Some(Tier::Plus);
    pool.threat_protection = Some(ThreatProtection::Audit);
    pool.account_recovery = vec![Recovery::VerifiedPhoneNumber, Recovery::VerifiedEmail];
    pool.auto_verified_attributes = vec![];
    pool.password_policy = PasswordPolicy {
        minimum_length: 12,
        require_lowercase: false,
        require_uppercase: true,
        require_numbers: false,
        require_symbols: true,
    };
    pool.email = Email::Ses(SesEmail {
        source_arn: "arn:aws:ses:us-east-1:123456789012:identity/example.com".into(),
        from: "Example <noreply@example.com>".into(),
        reply_to: Some("help@example.com".into()),
        configuration_set: Some("tracked".into()),
    });
    pool.custom_attributes = vec![
        CustomAttribute {
            name: "tenant".into(),
            kind: AttributeKind::String,
            mutable: false,
            min: Some(1),
            max: Some(64),
        },
        CustomAttribute {
            name: "age".into(),
            kind: AttributeKind::Number,
            mutable: true,
            min: Some(-5),
            max: None,
        },
        CustomAttribute {
            name: "since".into(),
            kind: AttributeKind::Datetime,
            mutable: true,
            min: None,
            max: None,
        },
    ];
    desired.resource_servers = vec![ResourceServer {
        identifier: "https://api.example.com".into(),
        name: "Orders API".into(),
        scopes: vec![
            Scope {
                name: "read".into(),
                description: "Read \"orders\"\nand more".into(),
            },
            Scope {
                name: "write".into(),
                description: "Write".into(),
            },
        ],
    }];
    let google = IdentityProvider {
        name: "Google".into(),
        kind: ProviderKind::Google,
        details: [
            ("client_id", "123.apps.googleusercontent.com"),
            ("authorize_scopes", "openid email profile"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect(),
        secret: Some(SecretSource::Env("GOOGLE_CLIENT_SECRET".into())),
        attribute_mapping: [("email", "email"), ("username", "sub"), ("custom:tenant", "hd")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    };
    let facebook = IdentityProvider {
        name: "Facebook".into(),
        kind: ProviderKind::Facebook,
        details: [
            ("client_id", "42"),
            ("authorize_scopes", "public_profile,email"),
            ("api_version", "v17.0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect(),
        secret: Some(SecretSource::Ssm("/idp/facebook".into())),
        attribute_mapping: BTreeMap::new(),
    };
    let apple = IdentityProvider {
        name: "SignInWithApple".into(),
        kind: ProviderKind::Apple,
        details: [
            ("client_id", "com.example"),
            ("team_id", "TEAM"),
            ("key_id", "KEY"),
            ("authorize_scopes", "email name"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect(),
        secret: Some(SecretSource::Env("APPLE_PRIVATE_KEY".into())),
        attribute_mapping: [("email", "email")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    };
    let oidc = IdentityProvider {
        name: "Okta".into(),
        kind: ProviderKind::Oidc,
        details: [
            ("client_id", "okta-client"),
            ("oidc_issuer", "https://example.okta.com"),
            ("attributes_request_method", "POST"),
            ("authorize_scopes", "openid"),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect(),
        secret: Some(SecretSource::Env("OKTA_CLIENT_SECRET".into())),
        attribute_mapping: BTreeMap::new(),
    };
    let saml = IdentityProvider {
        name: "Corp".into(),
        kind: ProviderKind::Saml,
        details: [("MetadataURL", "https://idp.example.com/metadata")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
        secret: None,
        attribute_mapping: [("email", "http://schemas/email")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    };
    desired.identity_providers = vec![google, facebook, apple, oidc, saml];
    let web = Client {
        identity_providers: vec!["COGNITO".into(), "Google".into(), "Corp".into()],
        read_attributes: Some(vec!["email".into(), "custom:tenant".into()]),
        write_attributes: Some(vec!["name".into()]),
        default_redirect_uri: Some("https://app.example.com/cb".into()),
        callback_urls: vec!["https://app.example.com/cb".into(), "myapp://callback".into()],
        logout_urls: vec!["https://app.example.com".into()],
        oauth_scopes: vec!["openid".into(), "https://api.example.com/read".into()],
        access_token_validity: Some(Validity::new(90, TimeUnit::Minutes)),
        id_token_validity: Some(Validity::new(7200, TimeUnit::Seconds)),
        refresh_token_validity: Some(Validity::new(48, TimeUnit::Hours)),
        auth_session_validity: Some(15),
        enable_propagate_additional_user_context_data: None,
        ..client("web")
    };
    let machine = Client {
        generate_secret: true,
        oauth_flows: vec![OAuthFlow::ClientCredentials],
        oauth_scopes: vec!["https://api.example.com/write".into()],
        callback_urls: vec![],
        explicit_auth_flows: vec![],
        access_token_validity: None,
        id_token_validity: None,
        refresh_token_validity: None,
        auth_session_validity: None,
        enable_propagate_additional_user_context_data: None,
        ..client("machine")
    };
    desired.clients = vec![web, machine];
    desired.domain = Some(Domain {
        prefix: "example-auth".into(),
        managed_login_version: Some(2),
        custom: Some(crate::desired::domain::CustomDomain {
            name: "auth.example.com".into(),
            certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc".into(),
        }),
    });
    let mut wired = BTreeMap::new();
    wired.insert(
        Trigger::PreSignUp,
        Wired {
            function: "pre-signup".into(),
            version: None,
        },
    );
    wired.insert(
        Trigger::PreTokenGeneration,
        Wired {
            function: "arn:aws:lambda:eu-west-1:123456789012:function:tokens:live".into(),
            version: Some(Version::V2_0),
        },
    );
    wired.insert(
        Trigger::CustomEmailSender,
        Wired {
            function: "sender".into(),
            version: Some(Version::V1_0),
        },
    );
    desired.triggers = Triggers {
        wired,
        kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/abc".into()),
    };
    desired.groups = vec![
        Group {
            name: "admins".into(),
            description: Some("Can do \"everything\"".into()),
            precedence: Some(0),
            role_arn: Some("arn:aws:iam::123456789012:role/admins".into()),
        },
        Group {
            name: "members".into(),
            description: None,
            precedence: None,
            role_arn: None,
        },
    ];
    desired
}

#[test]
fn the_checked_in_spec_written_out_reads_back_the_same() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../cognito.toml")).unwrap();
    round_trips(&read(&text));
}

#[test]
fn a_state_with_every_table_and_strings_to_escape_reads_back_the_same() {
    round_trips(&full());
}

#[test]
fn one_client_is_written_as_client_and_several_as_clients() {
    let mut desired = full();
    let text = write(&desired);
    assert_eq!(text.matches("[[clients]]").count(), 2, "{text}");
    assert!(!text.contains("[client]\n"), "{text}");
    desired.clients.truncate(1);
    let text = write(&desired);
    assert!(text.contains("\n[client]\n") && !text.contains("[[clients]]"), "{text}");
    round_trips(&desired);
}

#[test]
fn token_validities_are_written_in_the_largest_unit_that_divides_them() {
    let text = write(&full());
    for line in [
        "access_token_validity = \"90m\"",
        "id_token_validity = \"2h\"",
        "refresh_token_validity = \"2d\"",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn no_group_and_no_trigger_are_written_out_so_the_defaults_do_not_come_back() {
    let mut desired = full();
    desired.groups.clear();
    desired.triggers = Triggers::default();
    desired.domain = None;
    let text = write(&desired);
    assert!(
        text.starts_with("# No group") && text.contains("\ngroups = []\n"),
        "{text}"
    );
    assert!(text.contains("[triggers]\n# No trigger is managed"), "{text}");
    round_trips(&desired);
}

#[test]
fn every_key_is_written_even_at_its_default() {
    let text = write(&read(""));
    for key in [
        "case_sensitive = false",
        "mfa = \"off\"",
        "allow_admin_create_user_only = false",
        "software_token = false",
        "require_symbols = true",
        "generate_secret = false",
        "prevent_user_existence_errors = true",
        "identity_providers = [\"COGNITO\"]",
        "pre_sign_up = \"pre-signup\"",
        "name = \"members\"",
    ] {
        assert!(text.contains(key), "{key} in\n{text}");
    }
    assert!(
        !text.contains("[pool.tags]"),
        "the management tag is the parser's to add:\n{text}"
    );
}

#[test]
fn a_secret_is_named_by_where_it_lives_with_a_comment_to_set_it_and_never_its_value() {
    let text = write(&full());
    assert!(
        text.contains(
            "# Set GOOGLE_CLIENT_SECRET to the provider's client secret before `plan` or `apply`; it is never \
             written here.\nclient_secret_env = \"GOOGLE_CLIENT_SECRET\""
        ),
        "{text}"
    );
    assert!(text.contains("private_key_env = \"APPLE_PRIVATE_KEY\""), "{text}");
    assert!(text.contains("client_secret_ssm = \"/idp/facebook\""), "{text}");
}

#[test]
fn comments_go_beside_their_table_and_a_line_break_in_one_stays_in_the_comment() {
    let desired = full();
    let mut comments = Comments::default();
    comments.add(Section::Top, "top");
    comments.add(Section::Pool, "about the pool\n[pool]\nname = \"hijacked\"");
    comments.add(Section::Client("machine".into()), "about machine");
    comments.add(Section::IdentityProvider("Corp".into()), "about Corp");
    comments.add(Section::Domain, "about the domain");
    comments.add(Section::Triggers, "about the triggers");
    let text = write_commented(&desired, &comments);
    assert!(text.starts_with("# top\n"), "{text}");
    assert!(
        text.contains("threat_protection = \"audit\"\n# about the pool\\n[pool]\\nname = \"hijacked\"\n"),
        "{text}"
    );
    let machine = text.find("name = \"machine\"").unwrap();
    assert!(text[machine..].find("# about machine").unwrap() < text[machine..].find("\n[").unwrap());
    assert!(
        text.contains("prefix = \"example-auth\"\nmanaged_login_version = 2\n# about the domain\n"),
        "{text}"
    );
    assert!(text.contains("# about Corp"), "{text}");
    assert!(text.contains("kms_key_id = \"arn:aws:kms:us-east-1:123456789012:key/abc\"\n# about the triggers\n"));
    assert_eq!(read(&text), desired);
}

// Generated states: every shape the spec accepts that `import` can produce.

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,16}",
        Just("quote \" and backslash \\".to_owned()),
        Just("line\nbreak\ttab".to_owned()),
        Just("'''".to_owned()),
        Just("\"\"\"".to_owned()),
    ]
}

fn validity(min_minutes: u32, max_minutes: u32) -> impl Strategy<Value = Validity> {
    (min_minutes..=max_minutes, 0..3usize).prop_map(|(minutes, unit)| match unit {
        0 => Validity::new(minutes * 60, TimeUnit::Seconds),
        1 => Validity::new(minutes, TimeUnit::Minutes),
        _ => Validity::new(minutes.div_ceil(60), TimeUnit::Hours),
    })
}

fn pool() -> impl Strategy<Value = crate::desired::Pool> {
    let settings = (
        "[A-Za-z0-9_+=,.@ -]{1,24}",
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(Mfa::Off), Just(Mfa::On), Just(Mfa::Optional)],
        any::<bool>(),
        (6u8..=99, any::<[bool; 4]>()),
        prop_oneof![
            Just(vec![Recovery::VerifiedEmail]),
            Just(vec![Recovery::AdminOnly]),
            Just(vec![Recovery::VerifiedPhoneNumber, Recovery::VerifiedEmail]),
        ],
        any::<bool>(),
    );
    let more = (
        proptest::option::of((
            "[a-z]{1,8}",
            proptest::option::of("[a-z]{1,8}@x\\.com"),
            proptest::option::of(text()),
        )),
        proptest::collection::btree_map(
            "[a-z][a-z0-9]{0,7}",
            (0..4usize, any::<bool>(), any::<(i16, i16)>()),
            0..3,
        ),
        proptest::option::of(prop_oneof![Just(Tier::Lite), Just(Tier::Essentials), Just(Tier::Plus)]),
        any::<bool>(),
        proptest::collection::btree_map("[A-Za-z][A-Za-z0-9 :/._-]{0,12}", text(), 0..3),
    );
    // Bits for the factors and senders: an SMS sender, SMS and email MFA, and which first
    // factors (each only where its sender and plan allow it).
    let factors = (any::<[bool; 4]>(), proptest::option::of("[a-z0-9-]{1,12}"));
    (settings, more, factors).prop_map(
        |(
            (name, case_sensitive, verify, mfa, deletion_protection, (length, rules), recovery, admin_only),
            (ses, attributes, tier, threat, extra_tags),
            ([with_sms, sms_mfa, email_mfa, codes_first], external_id),
        )| {
            let sms = with_sms.then(|| crate::desired::Sms {
                sns_caller_arn: "arn:aws:iam::123456789012:role/cognito-sms".into(),
                external_id,
                sns_region: Some("eu-west-1".into()),
            });
            let essentials = tier != Some(Tier::Lite);
            let mut first_factors = vec![crate::desired::AuthFactor::Password];
            if codes_first && essentials && ses.is_some() {
                first_factors.push(crate::desired::AuthFactor::EmailOtp);
            }
            if codes_first && essentials && sms.is_some() {
                first_factors.push(crate::desired::AuthFactor::SmsOtp);
            }
            let custom_attributes = attributes
                .into_iter()
                .map(|(name, (kind, mutable, (a, b)))| {
                    let (lo, hi) = (i64::from(a.min(b)), i64::from(a.max(b)));
                    let (kind, min, max) = match kind {
                        0 => (
                            AttributeKind::String,
                            Some(lo.rem_euclid(100)),
                            Some(100 + hi.rem_euclid(1948)),
                        ),
                        1 => (AttributeKind::Number, Some(lo), Some(hi)),
                        2 => (AttributeKind::Datetime, None, None),
                        _ => (AttributeKind::Boolean, None, None),
                    };
                    CustomAttribute {
                        name,
                        kind,
                        mutable,
                        min,
                        max,
                    }
                })
                .collect();
            let mut tags: BTreeMap<String, String> = extra_tags
                .into_iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("aws:") && k != MANAGED_TAG)
                .collect();
            tags.insert(MANAGED_TAG.into(), name.clone());
            crate::desired::Pool {
                username_attributes: vec![Attribute::Email],
                case_sensitive,
                auto_verified_attributes: if verify { vec![Attribute::Email] } else { vec![] },
                mfa,
                software_token_mfa: mfa != Mfa::Off,
                sms_mfa: mfa != Mfa::Off && sms_mfa && sms.is_some(),
                email_mfa: mfa != Mfa::Off && email_mfa && essentials && ses.is_some(),
                first_factors: codes_first.then_some(first_factors),
                web_authn: None,
                log_delivery: with_sms.then(|| {
                    let mut deliveries = vec![crate::desired::LogDelivery {
                        event_source: crate::desired::EventSource::UserNotification,
                        destination: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/x".into(),
                    }];
                    if tier == Some(Tier::Plus) {
                        deliveries.push(crate::desired::LogDelivery {
                            event_source: crate::desired::EventSource::UserAuthEvents,
                            destination: "arn:aws:s3:::auth-events".into(),
                        });
                    }
                    deliveries
                }),
                risk: (tier == Some(Tier::Plus) && threat).then(|| crate::desired::Risk {
                    compromised_credentials: crate::desired::CredentialsAction::Block,
                    compromised_credentials_events: vec![
                        crate::desired::CredentialsEvent::SignIn,
                        crate::desired::CredentialsEvent::SignUp,
                    ],
                    account_takeover: [
                        crate::desired::TakeoverAction::NoAction,
                        crate::desired::TakeoverAction::MfaIfConfigured,
                        crate::desired::TakeoverAction::Block,
                    ],
                    notify: ses.is_some(),
                    blocked_ip_ranges: vec!["203.0.113.0/24".into()],
                    skipped_ip_ranges: Vec::new(),
                }),
                sms,
                deletion_protection,
                password_policy: PasswordPolicy {
                    minimum_length: length,
                    require_lowercase: rules[0],
                    require_uppercase: rules[1],
                    require_numbers: rules[2],
                    require_symbols: rules[3],
                },
                account_recovery: recovery,
                allow_admin_create_user_only: admin_only,
                email: match ses {
                    None => Email::Cognito,
                    Some((domain, reply_to, configuration_set)) => Email::Ses(SesEmail {
                        source_arn: format!("arn:aws:ses:us-east-1:123456789012:identity/{domain}.com"),
                        from: format!("noreply@{domain}.com"),
                        reply_to,
                        configuration_set,
                    }),
                },
                custom_attributes,
                tier,
                threat_protection: match tier {
                    Some(Tier::Plus) if threat => Some(ThreatProtection::Enforced),
                    _ if threat => Some(ThreatProtection::Off),
                    _ => None,
                },
                tags,
                name,
            }
        },
    )
}

fn provider() -> impl Strategy<Value = IdentityProvider> {
    (
        0..ProviderKind::ALL.len(),
        // ProviderNameTypeV2: 3 to 32 characters.
        "[A-Za-z][A-Za-z0-9]{2,12}",
        "[a-z0-9.]{1,12}",
        proptest::collection::vec("[a-z_.]{1,8}", 1..4),
        proptest::collection::btree_map("[a-z:_]{1,10}", text(), 0..3),
        any::<bool>(),
    )
        .prop_filter("COGNITO is the pool's own users", |(_, name, ..)| name != "COGNITO")
        .prop_map(|(kind, name, client_id, scopes, attribute_mapping, ssm)| {
            let kind = ProviderKind::ALL[kind];
            // AWS names social providers after their type.
            let name = kind.fixed_name().map_or(name, str::to_owned);
            let mut details = BTreeMap::new();
            match kind {
                ProviderKind::Saml => {
                    details.insert("MetadataURL".to_owned(), format!("https://{client_id}/metadata"));
                }
                ProviderKind::Google
                | ProviderKind::Facebook
                | ProviderKind::Apple
                | ProviderKind::Amazon
                | ProviderKind::Oidc => {
                    details.insert("client_id".to_owned(), client_id.clone());
                    details.insert("authorize_scopes".to_owned(), scopes.join(kind.scope_separator()));
                }
            }
            match kind {
                ProviderKind::Apple => {
                    details.insert("team_id".into(), "TEAM".into());
                    details.insert("key_id".into(), "KEY".into());
                }
                ProviderKind::Oidc => {
                    details.insert("oidc_issuer".into(), format!("https://{client_id}"));
                    details.insert("attributes_request_method".into(), "GET".into());
                }
                ProviderKind::Facebook => {
                    details.insert("api_version".into(), "v17.0".into());
                }
                ProviderKind::Google | ProviderKind::Amazon | ProviderKind::Saml => {}
            }
            let secret = kind.secret_key().map(|key| {
                if ssm {
                    SecretSource::Ssm(format!("/idp/{name}"))
                } else {
                    SecretSource::Env(crate::import::secret_variable(&name, key))
                }
            });
            IdentityProvider {
                name,
                kind,
                details,
                secret,
                attribute_mapping,
            }
        })
}

fn app_client(providers: Vec<String>, custom: Vec<String>) -> impl Strategy<Value = Client> {
    (
        "[A-Za-z0-9 _.-]{1,16}",
        0..3usize,
        proptest::sample::subsequence(vec!["openid", "email", "profile", "phone"], 1..=4),
        proptest::collection::vec("https://[a-z]{1,8}\\.example\\.com/[a-z]{0,5}", 1..3),
        proptest::collection::vec("(https://[a-z]{1,8}\\.example\\.com|http://localhost:[0-9]{4})", 0..3),
        proptest::sample::subsequence(
            vec![
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_CUSTOM_AUTH",
            ],
            0..=4,
        ),
        any::<[bool; 4]>(),
        (
            proptest::option::of(validity(5, 1440)),
            proptest::option::of(validity(5, 1440)),
            proptest::option::of(validity(60, 3650 * 1440)),
            proptest::option::of(3u8..=15),
        ),
        proptest::option::of(proptest::sample::subsequence(
            [["email", "name", "updated_at"].map(str::to_owned).to_vec(), custom].concat(),
            0..=3,
        )),
        proptest::sample::subsequence(providers.clone(), 0..=providers.len()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(name, flows, scopes, callbacks, logouts, auth_flows, flags, validities, attributes, idps, propagate)| {
                let oauth_flows = match flows {
                    0 => vec![],
                    1 => vec![OAuthFlow::Code],
                    _ => vec![OAuthFlow::Code, OAuthFlow::Implicit],
                };
                let (access, id, refresh, session) = validities;
                Client {
                    name,
                    generate_secret: flags[0] && oauth_flows.is_empty(),
                    default_redirect_uri: flags[1].then(|| callbacks[0].clone()),
                    oauth_flows,
                    oauth_scopes: scopes.into_iter().map(str::to_owned).collect(),
                    callback_urls: callbacks,
                    logout_urls: logouts,
                    identity_providers: [vec!["COGNITO".to_owned()], idps].concat(),
                    explicit_auth_flows: auth_flows
                        .into_iter()
                        .filter_map(ExplicitAuthFlow::from_spec_current)
                        .collect(),
                    prevent_user_existence_errors: flags[2],
                    enable_token_revocation: flags[3],
                    access_token_validity: access,
                    id_token_validity: id,
                    refresh_token_validity: refresh,
                    auth_session_validity: session,
                    write_attributes: attributes.clone(),
                    read_attributes: attributes,
                    enable_propagate_additional_user_context_data: propagate,
                }
            },
        )
}

fn wiring() -> impl Strategy<Value = Triggers> {
    proptest::collection::btree_map(
        0..Trigger::ALL.len(),
        (
            prop_oneof![
                "[a-z][a-z0-9_-]{0,12}",
                "arn:aws:lambda:(us|eu)-west-1:[0-9]{12}:function:[a-z]{1,8}(:live)?"
            ],
            0..3usize,
        ),
        0..5,
    )
    .prop_map(|chosen| {
        let wired: BTreeMap<Trigger, Wired> = chosen
            .into_iter()
            .map(|(index, (function, version))| {
                let trigger = Trigger::ALL[index];
                let version = trigger
                    .versions()
                    .get(version % trigger.versions().len().max(1))
                    .copied();
                (trigger, Wired { function, version })
            })
            .collect();
        let kms_key_id = wired
            .keys()
            .any(|t| t.needs_kms_key())
            .then(|| "arn:aws:kms:us-east-1:123456789012:key/k".to_owned());
        Triggers { wired, kms_key_id }
    })
}

fn desired() -> impl Strategy<Value = Desired> {
    let servers = proptest::collection::btree_map(
        "[a-z]{1,8}",
        (
            "[A-Za-z0-9 ]{1,12}",
            proptest::collection::btree_map("[a-z]{1,6}", text().prop_filter("1 to 256", |d| !d.is_empty()), 0..3),
        ),
        0..3,
    )
    .prop_map(|servers| {
        servers
            .into_iter()
            .map(|(identifier, (name, scopes))| ResourceServer {
                identifier,
                name,
                scopes: scopes
                    .into_iter()
                    .map(|(name, description)| Scope { name, description })
                    .collect(),
            })
            .collect::<Vec<_>>()
    });
    let providers = proptest::collection::vec(provider(), 0..3).prop_map(|mut providers| {
        let mut seen = Vec::new();
        providers.retain(|p| {
            let fresh = !seen.contains(&p.name);
            seen.push(p.name.clone());
            fresh
        });
        providers
    });
    let groups = proptest::collection::btree_map(
        "[a-z][a-z0-9_.-]{0,8}",
        (
            proptest::option::of(text()),
            proptest::option::of(0u32..1000),
            proptest::option::of("arn:aws:iam::[0-9]{12}:role/[a-z]{1,8}"),
        ),
        0..3,
    )
    .prop_map(|groups| {
        groups
            .into_iter()
            .map(|(name, (description, precedence, role_arn))| Group {
                name,
                description,
                precedence,
                role_arn,
            })
            .collect::<Vec<_>>()
    });
    let domain = proptest::option::of("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?")
        .prop_filter("no reserved word", |p| {
            p.as_ref()
                .is_none_or(|p| !["aws", "amazon", "cognito"].iter().any(|r| p.contains(r)))
        })
        .prop_map(|prefix| {
            prefix.map(|prefix| Domain {
                managed_login_version: [None, Some(1), Some(2)][prefix.len() % 3],
                custom: (prefix.len() % 2 == 0).then(|| crate::desired::domain::CustomDomain {
                    name: format!("auth.{prefix}.example.com"),
                    certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc".into(),
                }),
                prefix,
            })
        });
    (pool(), servers, providers, domain, wiring(), groups)
        .prop_filter("V2_0 and V3_0 need more than lite", |(pool, _, _, _, triggers, _)| {
            !(pool.tier == Some(Tier::Lite)
                && triggers
                    .wired
                    .get(&Trigger::PreTokenGeneration)
                    .is_some_and(|w| matches!(w.version, Some(Version::V2_0 | Version::V3_0))))
        })
        .prop_flat_map(
            |(pool, resource_servers, identity_providers, domain, triggers, groups)| {
                let names: Vec<String> = identity_providers.iter().map(|p| p.name.clone()).collect();
                let custom: Vec<String> = pool.custom_attributes.iter().map(|a| a.aws_name()).collect();
                let clients = proptest::collection::vec(app_client(names, custom), 1..3).prop_map(|mut clients| {
                    let mut seen = Vec::new();
                    clients.retain(|c| {
                        let fresh = !seen.contains(&c.name);
                        seen.push(c.name.clone());
                        fresh
                    });
                    clients
                });
                (
                    Just((pool, resource_servers, identity_providers, domain, triggers, groups)),
                    clients,
                )
            },
        )
        .prop_map(
            |((pool, resource_servers, identity_providers, domain, triggers, groups), clients)| Desired {
                pool,
                clients,
                resource_servers,
                identity_providers,
                domain,
                triggers,
                groups,
                monitoring: Default::default(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_state_the_spec_accepts_reads_back_the_same_once_written(desired in desired()) {
        let text = write(&desired);
        match parse("cognito.toml", &text) {
            Ok((read, _)) => prop_assert_eq!(read, desired, "--- the text:\n{}", text),
            Err(error) => prop_assert!(false, "{}\n--- the text:\n{}", error, text),
        }
    }
}
