use super::*;
use crate::desired::monitoring::LogLevel;
use crate::desired::{
    Attribute, AttributeKind, AuthFactor, Domain, Email, MANAGED_TAG, Mfa, PasswordPolicy, Recovery, TimeUnit, Trigger,
    UserVerification, Validity, Version,
};

fn error(text: &str) -> SpecError {
    parse("cognito.toml", text).unwrap_err()
}

fn ok(text: &str) -> Spec {
    parse("cognito.toml", text).unwrap().0
}

#[test]
fn the_empty_file_is_the_console_setup() {
    let (spec, warnings) = parse("cognito.toml", "").unwrap();
    assert!(warnings.is_empty());
    let pool = &spec.pool;
    assert_eq!(pool.name, "toyseven-cognito");
    assert_eq!(pool.username_attributes, [Attribute::Email]);
    assert!(!pool.case_sensitive, "the console makes usernames case-insensitive");
    assert_eq!(pool.account_recovery, [Recovery::VerifiedEmail]);
    assert_eq!(pool.mfa, Mfa::Off);
    assert!(pool.deletion_protection);
    assert_eq!(pool.password_policy, PasswordPolicy::default());
    assert_eq!(pool.email, Email::Cognito);
    assert_eq!(pool.tags[MANAGED_TAG], "toyseven-cognito");
    assert_eq!(spec.clients.len(), 1);
    let client = &spec.clients[0];
    assert!(!client.generate_secret);
    assert_eq!(client.oauth_flows, [crate::desired::OAuthFlow::Code]);
    assert_eq!(client.callback_urls, ["http://localhost:3000"]);
    assert_eq!(client.access_token_validity, None, "unmanaged unless the spec says");
    assert_eq!(spec.domain, None, "without [domain] the pool's domain is left as it is");
    assert_eq!(spec.triggers.wired.len(), 3);
    assert_eq!(spec.groups[0].name, "members");
}

#[test]
fn the_checked_in_spec_is_the_default_with_a_domain_and_a_described_group() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../cognito.toml")).unwrap();
    let spec = ok(&text);
    let default = ok("");
    assert_eq!(
        spec.domain,
        Some(Domain {
            prefix: "toyseven".into(),
            managed_login_version: None,
            custom: None,
        })
    );
    assert_eq!(
        spec.groups[0].description.as_deref(),
        Some("Every user who confirmed their sign-up")
    );
    assert_eq!(
        Spec {
            groups: default.groups.clone(),
            domain: default.domain.clone(),
            ..spec
        },
        default
    );
}

#[test]
fn errors_name_file_line_column_and_what_is_accepted() {
    let e = error("[pool]\nname = \"ok\"\nnmae = \"typo\"\n");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(
        e.message.contains("unknown field `nmae`") && e.message.contains("`username_attributes`"),
        "{e}"
    );
    assert!(e.to_string().starts_with("cognito.toml:3:1: "), "{e}");

    let e = error("[client]\ncallback_urls = [\"https://ok.example.com\", \"http://example.com\"]\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("http only for localhost"), "{e}");

    let e = error("[pool]\nmfa = \"sometimes\"\n");
    assert!(e.message.contains("`off`, `on`, `optional`"), "{e}");

    let e = error("[pool.password_policy]\nminimum_length = 5\n");
    assert!(e.message.contains("6 to 99"), "{e}");

    let e = error("[unknown]\n");
    assert!(e.message.contains("unknown field `unknown`"), "{e}");
}

#[test]
fn redirect_urls_follow_cognitos_rule() {
    use clients::check_redirect_url;
    for ok in [
        "https://app.example.com/cb",
        "http://localhost:3000",
        "http://localhost",
        "myapp://callback",
    ] {
        assert!(check_redirect_url(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://example.com",
        "http://127.0.0.1:3000",
        "https://app.example.com/#x",
        "/relative",
    ] {
        assert!(check_redirect_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn domain_prefixes_follow_cognitos_rule() {
    use domain::check_domain_prefix;
    for ok in ["toyseven", "my-app-2", "a"] {
        assert!(check_domain_prefix(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "Toyseven",
        "my_app",
        "-start",
        "end-",
        "myaws",
        "amazonapp",
        "cognito-login",
        &"a".repeat(64),
    ] {
        assert!(check_domain_prefix(bad).is_err(), "{bad}");
    }
}

#[test]
fn grant_traps_get_warnings() {
    let (_, warnings) = parse("f", "[client]\ngenerate_secret = true\n").unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].0.contains("invalid_client") && warnings[0].0.contains("HTTP Basic"),
        "{}",
        warnings[0]
    );
    let (_, warnings) = parse("f", "[client]\noauth_flows = [\"implicit\"]\n").unwrap();
    assert!(warnings[0].0.contains("no refresh token"), "{}", warnings[0]);
}

#[test]
fn case_sensitivity_and_account_recovery_are_explicit() {
    let spec =
        ok("[pool]\ncase_sensitive = true\naccount_recovery = [\"verified_phone_number\", \"verified_email\"]\n");
    assert!(spec.pool.case_sensitive);
    assert_eq!(
        spec.pool.account_recovery,
        [Recovery::VerifiedPhoneNumber, Recovery::VerifiedEmail],
        "in priority order"
    );
    for (bad, why) in [
        ("[]", "one or two"),
        ("[\"admin_only\", \"verified_email\"]", "cannot be combined"),
        ("[\"verified_email\", \"verified_email\"]", "twice"),
        (
            "[\"verified_email\", \"verified_phone_number\", \"admin_only\"]",
            "one or two",
        ),
    ] {
        let e = error(&format!("[pool]\naccount_recovery = {bad}\n"));
        assert!(
            e.message.contains(why) && e.message.contains("\"admin_only\""),
            "{bad}: {e}"
        );
    }
    let e = error("[pool]\naccount_recovery = [\"sms\"]\n");
    assert!(e.message.contains("`verified_email`"), "{e}");
}

#[test]
fn mfa_without_a_factor_is_refused_with_what_aws_needs() {
    for mode in ["on", "optional"] {
        let e = error(&format!("[pool]\nmfa = \"{mode}\"\n"));
        assert_eq!(e.line, 2, "{e}");
        assert!(
            e.message.contains("software_token = true") && e.message.contains("SMS configuration"),
            "{e}"
        );
    }
    let spec = ok("[pool]\nmfa = \"on\"\n[pool.mfa_factors]\nsoftware_token = true\n");
    assert_eq!(spec.pool.mfa, Mfa::On);
    assert!(spec.pool.software_token_mfa);
    let off = ok("[pool.mfa_factors]\nsoftware_token = true\nsms = true\n");
    assert!(!off.pool.uses_sms_mfa(), "factors count only while MFA is on");
}

const SMS: &str = "[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"x\"\n";
const SES: &str = "[pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"noreply@example.com\"\n";

#[test]
fn phone_numbers_need_an_sms_configuration() {
    let e = error("[pool]\nusername_attributes = [\"email\", \"phone_number\"]\n");
    assert!(
        e.message.contains("SMS configuration") && e.message.contains("[pool.sms]"),
        "{e}"
    );
    let e = error("[pool]\nauto_verified_attributes = [\"email\", \"phone_number\"]\n");
    assert!(e.message.contains("SMS configuration"), "{e}");
    let spec = ok(&format!(
        "[pool]\nusername_attributes = [\"email\", \"phone_number\"]\nauto_verified_attributes = [\"phone_number\"]\n{SMS}"
    ));
    let sms = spec.pool.sms.expect("declared");
    assert_eq!(sms.sns_caller_arn, "arn:aws:iam::123456789012:role/cognito-sms");
    assert_eq!(sms.external_id.as_deref(), Some("x"));
}

#[test]
fn an_sms_configuration_names_an_iam_role_and_a_region() {
    let e = error("[pool.sms]\nsns_caller_arn = \"arn:aws:sns:us-east-1:123456789012:topic\"\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("not an IAM role ARN"), "{e}");
    let e = error("[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/r\"\nsns_region = \"mars\"\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("not an AWS region"), "{e}");
}

#[test]
fn sms_and_email_codes_need_their_senders() {
    let e = error("[pool]\nmfa = \"on\"\n[pool.mfa_factors]\nsms = true\n");
    assert_eq!(e.line, 2, "the mode asks for the factor: {e}");
    assert!(e.message.contains("[pool.sms]"), "{e}");
    let e = error("[pool]\nmfa = \"optional\"\n[pool.mfa_factors]\nemail = true\n");
    assert!(
        e.message.contains("Amazon SES") && e.message.contains("DEVELOPER"),
        "{e}"
    );
    let spec = ok(&format!(
        "[pool]\nmfa = \"optional\"\n[pool.mfa_factors]\nemail = true\nsms = true\n{SMS}{SES}"
    ));
    assert!(spec.pool.uses_email_mfa() && spec.pool.uses_sms_mfa());

    let e = error("[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\"]\n");
    assert_eq!(e.line, 1, "the policy asks for the sender: {e}");
    assert!(e.message.contains("Amazon SES"), "{e}");
    let e = error("[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"sms_otp\"]\n");
    assert!(e.message.contains("[pool.sms]"), "{e}");
}

#[test]
fn passwordless_factors_passkeys_and_email_mfa_need_essentials_or_plus() {
    let lite = "[pool]\ntier = \"lite\"\n";
    for (spec, line, feature) in [
        (
            format!("{lite}[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\"]\n{SES}"),
            3,
            "passwordless sign-in",
        ),
        (
            format!("{lite}mfa = \"on\"\n[pool.mfa_factors]\nemail = true\n{SES}"),
            3,
            "email MFA",
        ),
        (
            format!(
                "{lite}[pool.web_authn]\nrelying_party_id = \"my-app.auth.eu-west-1.amazoncognito.com\"\n[domain]\nprefix = \"my-app\"\n"
            ),
            3,
            "passkeys",
        ),
    ] {
        let e = error(&spec);
        assert_eq!(e.line, line, "{e}");
        assert!(
            e.message.contains(feature) && e.message.contains("LITE pricing tier") && e.message.contains("essentials"),
            "{e}"
        );
    }
    let spec = ok(&format!(
        "[pool]\ntier = \"essentials\"\n[pool.sign_in_policy]\nallowed_first_auth_factors = [\"email_otp\", \"password\"]\n{SES}"
    ));
    assert_eq!(
        spec.pool.first_factors,
        Some(vec![AuthFactor::Password, AuthFactor::EmailOtp]),
        "sorted"
    );
}

#[test]
fn the_first_factors_always_include_password_and_list_each_once() {
    let e = error("[pool.sign_in_policy]\nallowed_first_auth_factors = [\"email_otp\"]\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("must include \"password\""), "{e}");
    let e = error("[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"password\"]\n");
    assert!(e.message.contains("twice"), "{e}");
    let e = error("[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"magic_link\"]\n");
    assert!(e.message.contains("web_authn"), "the accepted factors are listed: {e}");
}

#[test]
fn passkeys_are_bound_to_the_domain_the_pool_serves() {
    let passkeys_of =
        |id: &str| format!("[pool.web_authn]\nrelying_party_id = \"{id}\"\nuser_verification = \"required\"\n");
    let passkeys = passkeys_of;
    let e = error(&passkeys("my-app.auth.eu-west-1.amazoncognito.com"));
    assert_eq!(e.line, 2, "{e}");
    assert!(
        e.message.contains("declares none") && e.message.contains("[domain]"),
        "{e}"
    );
    let domain = "[domain]\nprefix = \"my-app\"\n";
    for wrong in [
        "other.auth.eu-west-1.amazoncognito.com",
        "my-app.example.com",
        "my-app.auth..amazoncognito.com",
    ] {
        let e = error(&format!("{}{domain}", passkeys(wrong)));
        assert!(e.message.contains("not a domain the pool serves"), "{wrong}: {e}");
    }
    let spec = ok(&format!(
        "{}{domain}",
        passkeys("my-app.auth.eu-west-1.amazoncognito.com")
    ));
    let passkeys = spec.pool.web_authn.expect("declared");
    assert_eq!(passkeys.user_verification, UserVerification::Required);
    assert_eq!(passkeys.factor, None, "left as the pool has it");
    let bound = passkeys_of("my-app.auth.eu-west-1.amazoncognito.com");
    let spec = ok(&format!(
        "{bound}factor_configuration = \"multi_factor_with_user_verification\"\n{domain}"
    ));
    assert_eq!(
        spec.pool.web_authn.unwrap().factor,
        Some(crate::desired::PasskeyFactor::MultiFactorWithUserVerification)
    );
    let e = error(&format!("{bound}factor_configuration = \"mfa\"\n{domain}"));
    assert!(
        e.message.contains("single_factor") && e.message.contains("multi_factor_with_user_verification"),
        "the accepted values are listed: {e}"
    );
    let e = error(&format!(
        "[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"web_authn\"]\n{domain}"
    ));
    assert!(e.message.contains("[pool.web_authn]"), "{e}");
}

#[test]
fn client_credentials_rules() {
    let servers = "[[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\nscopes = [{ name = \"read\", description = \"Read\" }]\n";
    assert!(
        error(&format!(
            "{servers}[client]\noauth_flows = [\"client_credentials\"]\noauth_scopes = [\"api/read\"]\n"
        ))
        .message
        .contains("generate_secret = true")
    );
    assert!(
        error("[client]\ngenerate_secret = true\noauth_flows = [\"code\", \"client_credentials\"]\n")
            .message
            .contains("cannot be combined")
    );
    let e = error(&format!(
        "{servers}[client]\ngenerate_secret = true\noauth_flows = [\"client_credentials\"]\noauth_scopes = [\"api/read\", \"openid\"]\n"
    ));
    assert!(
        e.message.contains("\"openid\"") && e.message.contains("resource server scopes"),
        "{e}"
    );
    let spec = ok(&format!(
        "{servers}[client]\ngenerate_secret = true\noauth_flows = [\"client_credentials\"]\noauth_scopes = [\"api/read\"]\ncallback_urls = []\nlogout_urls = []\n"
    ));
    assert_eq!(spec.clients[0].oauth_scopes, ["api/read"]);
}

#[test]
fn a_resource_server_scope_must_be_declared() {
    let e = error("[client]\noauth_scopes = [\"openid\", \"api/read\"]\n");
    assert!(
        e.message.contains("names no scope") && e.message.contains("none is declared"),
        "{e}"
    );
    let e = error(
        "[[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\nscopes = [{ name = \"read\", description = \"Read\" }]\n\
         [client]\noauth_scopes = [\"openid\", \"api/write\"]\n",
    );
    assert!(e.message.contains("declared: api/read"), "{e}");
    let e = error(
        "[[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\nscopes = [{ name = \"a/b\", description = \"x\" }]\n",
    );
    assert!(e.message.contains("slashes"), "{e}");
    let e = error(
        "[[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\n[[resource_servers]]\nidentifier = \"api\"\nname = \"B\"\n",
    );
    assert!(e.message.contains("listed twice"), "{e}");
}

#[test]
fn several_clients_each_named() {
    let spec = ok("[[clients]]\nname = \"web\"\n[[clients]]\nname = \"mobile\"\ncallback_urls = [\"myapp://cb\"]\n");
    let names: Vec<&str> = spec.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["web", "mobile"]);
    assert!(
        error("[[clients]]\ncallback_urls = [\"myapp://cb\"]\n")
            .message
            .contains("needs a name")
    );
    assert!(
        error("[[clients]]\nname = \"a\"\n[[clients]]\nname = \"a\"\n")
            .message
            .contains("listed twice")
    );
    assert!(
        error("[client]\nname = \"a\"\n[[clients]]\nname = \"b\"\n")
            .message
            .contains("both [client] and [[clients]]")
    );
}

#[test]
fn token_lifetimes_have_units_and_cognitos_ranges() {
    let spec = ok(
        "[client]\naccess_token_validity = \"30m\"\nid_token_validity = \"1h\"\nrefresh_token_validity = \"30d\"\nauth_session_validity = 5\n",
    );
    let client = &spec.clients[0];
    assert_eq!(client.access_token_validity, Some(Validity::new(30, TimeUnit::Minutes)));
    assert_eq!(client.refresh_token_validity, Some(Validity::new(30, TimeUnit::Days)));
    assert_eq!(client.auth_session_validity, Some(5));
    for (key, bad, why) in [
        ("access_token_validity", "\"4m\"", "5m to 1d"),
        ("id_token_validity", "\"2d\"", "5m to 1d"),
        ("refresh_token_validity", "\"59m\"", "1h to 3650d"),
        ("access_token_validity", "\"1 hour\"", "\"60m\", \"1h\", \"30d\""),
        ("auth_session_validity", "16", "3 to 15"),
    ] {
        let e = error(&format!("[client]\n{key} = {bad}\n"));
        assert!(e.message.contains(why), "{key} = {bad}: {e}");
    }
}

#[test]
fn client_attributes_name_standard_or_declared_ones() {
    let spec = ok(
        "[[pool.attributes]]\nname = \"tenant_id\"\ntype = \"string\"\n[client]\nread_attributes = [\"email\", \"custom:tenant_id\"]\nwrite_attributes = [\"name\"]\n",
    );
    assert_eq!(
        spec.clients[0].read_attributes.as_deref(),
        Some(&["email".to_owned(), "custom:tenant_id".to_owned()][..])
    );
    let e = error("[client]\nread_attributes = [\"custom:nope\"]\n");
    assert!(e.message.contains("[[pool.attributes]]"), "{e}");
    let e = error("[client]\ndefault_redirect_uri = \"https://other.example.com\"\n");
    assert!(e.message.contains("one of callback_urls"), "{e}");
}

#[test]
fn custom_attributes_and_their_bounds() {
    let spec = ok(
        "[[pool.attributes]]\nname = \"tenant_id\"\ntype = \"string\"\nmutable = false\nmax_length = 64\n[[pool.attributes]]\nname = \"age\"\ntype = \"number\"\nmin_value = 0\nmax_value = 150\n",
    );
    let attributes = &spec.pool.custom_attributes;
    assert_eq!(attributes[0].kind, AttributeKind::String);
    assert!(!attributes[0].mutable);
    assert_eq!((attributes[1].min, attributes[1].max), (Some(0), Some(150)));
    for (bad, why) in [
        (
            "name = \"custom:x\"\ntype = \"string\"",
            "without the \"custom:\" prefix",
        ),
        (
            "name = \"x\"\ntype = \"number\"\nmax_length = 3",
            "min_value and max_value",
        ),
        ("name = \"x\"\ntype = \"boolean\"\nmin_value = 3", "no bounds"),
        ("name = \"x\"\ntype = \"string\"\nmax_length = 5000", "0 to 2048"),
        (
            "name = \"x\"\ntype = \"number\"\nmin_value = 5\nmax_value = 1",
            "above the maximum",
        ),
        ("name = \"x\"\ntype = \"text\"", "`string`"),
    ] {
        let e = error(&format!("[[pool.attributes]]\n{bad}\n"));
        assert!(e.message.contains(why), "{bad}: {e}");
    }
}

#[test]
fn ses_email_and_tags() {
    let spec = ok(
        "[pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"Toyseven <noreply@example.com>\"\n[pool.tags]\nteam = \"auth\"\n",
    );
    assert!(matches!(spec.pool.email, Email::Ses(ref ses) if ses.from.contains("noreply@")));
    assert_eq!(spec.pool.tags["team"], "auth");
    assert!(
        error("[pool.email]\nfrom = \"a@b.c\"\n")
            .message
            .contains("missing field `source_arn`")
    );
    assert!(
        error("[pool.email]\nsource_arn = \"arn:aws:s3:::x\"\nfrom = \"a@b.c\"\n")
            .message
            .contains("SES identity ARN")
    );
    let e = error(&format!("[pool.tags]\n{MANAGED_TAG} = \"other\"\n"));
    assert!(e.message.contains("the provisioner's own"), "{e}");
    assert!(error("[pool.tags]\n\"aws:x\" = \"y\"\n").message.contains("aws:"));
}

#[test]
fn threat_protection_needs_the_plus_plan() {
    let e = error("[pool]\nthreat_protection = \"enforced\"\n");
    assert!(e.message.contains("tier = \"plus\""), "{e}");
    assert!(parse("f", "[pool]\ntier = \"plus\"\nthreat_protection = \"audit\"\n").is_ok());
    assert!(parse("f", "[pool]\nthreat_protection = \"off\"\n").is_ok());
}

#[test]
fn every_trigger_is_accepted_and_versions_checked() {
    let mut text = String::from("[triggers]\nkms_key_id = \"arn:aws:kms:us-east-1:123456789012:key/abc\"\n");
    for trigger in Trigger::ALL {
        text.push_str(&format!(
            "{} = \"fn-{}\"\n",
            trigger.spec_key(),
            trigger.spec_key().replace('_', "-")
        ));
    }
    let spec = ok(&text);
    assert_eq!(spec.triggers.wired.len(), Trigger::ALL.len());
    assert!(spec.triggers.kms_key_id.is_some());

    let spec = ok("[triggers]\npre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n");
    assert_eq!(
        spec.triggers.wired[&Trigger::PreTokenGeneration].version,
        Some(Version::V2_0)
    );

    for (bad, why) in [
        (
            "pre_sign_up = { function = \"f\", version = \"V2_0\" }",
            "is a Lambda function name or ARN",
        ),
        (
            "pre_token_generation = { function = \"f\", version = \"V9_0\" }",
            "V1_0, V2_0, V3_0",
        ),
        ("pre_token_generation = { version = \"V2_0\" }", "`function` is missing"),
        (
            "custom_email_sender = { function = \"f\", version = \"V2_0\" }",
            "accepts the versions V1_0",
        ),
        ("custom_sms_sender = \"f\"", "needs [triggers] kms_key_id"),
        ("kms_key_id = \"arn:aws:kms:us-east-1:1:key/x\"", "neither is wired"),
        ("pre_sign_up = \"arn:aws:s3:::bucket\"", "not a Lambda function ARN"),
        (
            "post_signup = \"f\"",
            "unknown trigger `post_signup`; accepted: pre_sign_up",
        ),
    ] {
        let e = error(&format!("[triggers]\n{bad}\n"));
        assert!(e.message.contains(why), "{bad}: {e}");
    }
    assert!(
        ok("[triggers]\n").triggers.wired.is_empty(),
        "an empty [triggers] manages none"
    );
}

#[test]
fn access_token_customization_on_the_lite_plan_is_refused() {
    let e =
        error("[pool]\ntier = \"lite\"\n[triggers]\npre_token_generation = { function = \"f\", version = \"V2_0\" }\n");
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("Essentials or Plus"), "{e}");
    assert!(
        parse(
            "f",
            "[pool]\ntier = \"lite\"\n[triggers]\npre_token_generation = \"f\"\n"
        )
        .is_ok()
    );
}

#[test]
fn groups_take_precedence_and_a_role() {
    let spec =
        ok("[[groups]]\nname = \"admins\"\nprecedence = 0\nrole_arn = \"arn:aws:iam::123456789012:role/admins\"\n");
    assert_eq!(spec.groups[0].precedence, Some(0));
    assert!(
        error("[[groups]]\nname = \"a\"\nprecedence = -1\n")
            .message
            .contains("0 (first)")
    );
    assert!(
        error("[[groups]]\nname = \"a\"\nrole_arn = \"admins\"\n")
            .message
            .contains("IAM role ARN")
    );
    assert!(error("[[groups]]\nname = \"a b\"\n").message.contains("without spaces"));
}

const GOOGLE: &str = "[[identity_providers]]\nname = \"Google\"\ntype = \"google\"\nclient_id = \"1234.apps.googleusercontent.com\"\nclient_secret_env = \"GOOGLE_CLIENT_SECRET\"\n";

#[test]
fn identity_providers_name_where_their_secret_lives() {
    use crate::desired::{ProviderKind, SecretSource};
    let spec = ok(&format!(
        "{GOOGLE}[client]\nidentity_providers = [\"COGNITO\", \"Google\"]\n"
    ));
    let google = &spec.identity_providers[0];
    assert_eq!(google.kind, ProviderKind::Google);
    assert_eq!(google.secret, Some(SecretSource::Env("GOOGLE_CLIENT_SECRET".into())));
    assert_eq!(google.details["authorize_scopes"], "openid email profile");
    assert_eq!(google.details["client_id"], "1234.apps.googleusercontent.com");
    assert!(!google.details.contains_key("client_secret"));
    assert_eq!(google.attribute_mapping["email"], "email");

    let spec = ok(
        "[[identity_providers]]\nname = \"SignInWithApple\"\ntype = \"apple\"\nclient_id = \"com.example\"\nteam_id = \"T\"\nkey_id = \"K\"\nprivate_key_ssm = \"/toyseven/apple\"\n",
    );
    assert_eq!(
        spec.identity_providers[0].secret,
        Some(SecretSource::Ssm("/toyseven/apple".into()))
    );
    let spec = ok(
        "[[identity_providers]]\nname = \"Okta\"\ntype = \"saml\"\nmetadata_url = \"https://example.okta.com/metadata\"\n",
    );
    assert_eq!(
        spec.identity_providers[0].details["MetadataURL"],
        "https://example.okta.com/metadata"
    );
    let spec = ok(
        "[[identity_providers]]\nname = \"Facebook\"\ntype = \"facebook\"\nclient_id = \"1\"\nclient_secret_env = \"FB\"\n",
    );
    assert_eq!(
        spec.identity_providers[0].details["authorize_scopes"],
        "public_profile,email"
    );
}

#[test]
fn identity_provider_mistakes_are_named() {
    for (bad, why) in [
        (
            "name = \"Google\"\ntype = \"google\"\nclient_id = \"x\"\n",
            "`client_secret_env`",
        ),
        (
            "name = \"Google\"\ntype = \"google\"\nclient_id = \"x\"\nclient_secret = \"shh\"\n",
            "unknown field `client_secret`",
        ),
        (
            "name = \"Google\"\ntype = \"google\"\nclient_id = \"x\"\nclient_secret_env = \"A\"\nclient_secret_ssm = \"/b\"\n",
            "name the client_secret once",
        ),
        (
            "name = \"Google\"\ntype = \"google\"\nclient_id = \"x\"\nclient_secret_env = \"A\"\nmetadata_url = \"https://m\"\n",
            "`metadata_url` does not apply here",
        ),
        ("name = \"Okta\"\ntype = \"saml\"\n", "`metadata_url` is missing"),
        (
            "name = \"Oidc\"\ntype = \"oidc\"\nclient_id = \"x\"\nclient_secret_env = \"A\"\n",
            "`issuer` is missing",
        ),
        (
            "name = \"Oidc\"\ntype = \"oidc\"\nclient_id = \"x\"\nclient_secret_env = \"A\"\nissuer = \"http://idp\"\n",
            "https",
        ),
        (
            "name = \"COGNITO\"\ntype = \"saml\"\nmetadata_url = \"https://m\"\n",
            "not COGNITO",
        ),
        (
            "name = \"Google\"\ntype = \"myspace\"\n",
            "`google`, `facebook`, `apple`, `amazon`, `oidc`, `saml`",
        ),
        (
            "name = \"Gmail\"\ntype = \"google\"\nclient_id = \"x\"\nclient_secret_env = \"A\"\n",
            "must be named \"Google\"",
        ),
        (
            "name = \"Google\"\ntype = \"google\"\nclient_id = \"x\"\nclient_secret_env = \"NOT A VAR\"\n",
            "not an environment variable name",
        ),
    ] {
        let e = error(&format!("[[identity_providers]]\n{bad}"));
        assert!(e.message.contains(why), "{bad}: {e}");
    }
}

#[test]
fn a_client_lists_only_declared_providers() {
    let e = error("[client]\nidentity_providers = [\"COGNITO\", \"Google\"]\n");
    assert!(
        e.message.contains("\"Google\" is neither") && e.message.contains("none is declared"),
        "{e}"
    );
    let e = error(&format!("{GOOGLE}[client]\nidentity_providers = [\"Gogle\"]\n"));
    assert!(e.message.contains("declared: Google"), "{e}");
}

#[test]
fn an_unset_secret_variable_is_found_before_any_call() {
    let spec = ok(GOOGLE);
    let missing = spec.missing_secrets(|_| None);
    assert_eq!(missing.len(), 1);
    assert!(
        missing[0].contains("GOOGLE_CLIENT_SECRET") && missing[0].contains("not set"),
        "{missing:?}"
    );
    assert!(spec.missing_secrets(|_| Some("shh".into())).is_empty());
    assert_eq!(spec.missing_secrets(|_| Some(String::new())).len(), 1, "empty is unset");
}

#[test]
fn the_production_example_is_a_valid_spec() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/production.toml")).unwrap();
    let (spec, warnings) = parse("examples/production.toml", &text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(spec.clients.len(), 2);
    assert_eq!(spec.identity_providers[0].name, "Google");
    assert_eq!(
        spec.triggers.wired[&Trigger::PreTokenGeneration].version,
        Some(Version::V2_0)
    );
}

// Values AWS's API model forbids, refused at parse time with their line and what is
// accepted (the launcher, tools/moto_server.py, refuses the requests they would make).

#[test]
fn a_client_name_outside_cognitos_pattern_is_refused_on_its_line() {
    let e = error("[pool]\nname = \"p\"\n\n[client]\nname = \"web!\"\n");
    assert_eq!((e.line, e.column), (5, 8), "{e}");
    assert!(
        e.message.contains("\"web!\"")
            && e.message.contains(
                "accepted: 1 to 128 characters, each an ASCII letter or digit, `_`, a space, or one of + = , . @ -"
            ),
        "{e}"
    );
    let e = error("[client]\nname = \"café\"\n");
    assert_eq!(e.line, 2, "{e}");
    assert_eq!(
        ok("[client]\nname = \"My web app_2 +=,.@-\"\n").clients[0].name,
        "My web app_2 +=,.@-"
    );
}

#[test]
fn a_callback_url_over_1024_characters_is_refused_on_its_line() {
    let long = format!("https://app.example.com/{}", "a".repeat(1_001));
    let e = error(&format!(
        "[client]\ncallback_urls = [\n  \"https://app.example.com\",\n  \"{long}\",\n]\n"
    ));
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.message
            .contains("is 1025 characters; Cognito accepts redirect URLs of at most 1024"),
        "{e}"
    );
    let fits = format!("https://app.example.com/{}", "a".repeat(1_000));
    assert_eq!(
        ok(&format!("[client]\ncallback_urls = [\"{fits}\"]\n")).clients[0].callback_urls,
        [fits]
    );
}

#[test]
fn a_logout_url_over_1024_characters_is_refused_on_its_line() {
    let long = format!("https://app.example.com/{}", "a".repeat(1_001));
    let e = error(&format!("[client]\n\nlogout_urls = [\"{long}\"]\n"));
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("at most 1024"), "{e}");
}

#[test]
fn a_redirect_url_with_a_space_is_refused_with_the_characters_cognito_accepts() {
    let e = error("[client]\ncallback_urls = [\"https://app.example.com/a b\"]\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(
        e.message.contains("' ' (U+0020)")
            && e.message
                .contains("no spaces or control characters (percent-encode them, as %20)"),
        "{e}"
    );
    assert!(
        ok("[client]\ncallback_urls = [\"https://app.example.com/caf%C3%A9/é\"]\n")
            .clients
            .len()
            == 1
    );
}

/// `[client]` with `key` listing `count` URLs, one a line from line 3.
fn many_urls(key: &str, count: usize) -> String {
    let urls: String = (0..count)
        .map(|i| format!("  \"https://app.example.com/{i}\",\n"))
        .collect();
    format!("[client]\n{key} = [\n{urls}]\n")
}

#[test]
fn more_than_100_callback_urls_are_refused_at_the_101st() {
    let e = error(&many_urls("callback_urls", 101));
    assert_eq!(e.line, 103, "the 101st URL's line: {e}");
    assert!(
        e.message
            .contains("callback_urls lists 101 URLs; Cognito accepts at most 100 per client"),
        "{e}"
    );
    assert_eq!(ok(&many_urls("callback_urls", 100)).clients[0].callback_urls.len(), 100);
}

#[test]
fn more_than_100_logout_urls_are_refused_at_the_101st() {
    let e = error(&many_urls("logout_urls", 101));
    assert_eq!(e.line, 103, "{e}");
    assert!(
        e.message
            .contains("logout_urls lists 101 URLs; Cognito accepts at most 100"),
        "{e}"
    );
    assert_eq!(ok(&many_urls("logout_urls", 100)).clients[0].logout_urls.len(), 100);
}

#[test]
fn more_than_50_scopes_or_a_scope_over_256_characters_is_refused() {
    let servers = "[[resource_servers]]\nidentifier = \"https://api.example.com\"\nname = \"api\"\n";
    let scopes: Vec<String> = (0..48).map(|i| format!("s{i}")).collect();
    let declared: String = scopes
        .iter()
        .map(|s| format!("[[resource_servers.scopes]]\nname = \"{s}\"\ndescription = \"d\"\n"))
        .collect();
    let listed: String = scopes
        .iter()
        .map(|s| format!("  \"https://api.example.com/{s}\",\n"))
        .collect();
    let spec = format!(
        "{servers}{declared}[client]\noauth_scopes = [\n  \"openid\",\n  \"email\",\n  \"profile\",\n{listed}]\n"
    );
    let e = error(&spec);
    let line = spec.lines().position(|l| l.contains("api.example.com/s47")).unwrap() + 1;
    assert_eq!(e.line, line, "the 51st scope's line: {e}");
    assert!(
        e.message
            .contains("oauth_scopes lists 51 scopes; Cognito accepts at most 50 per client"),
        "{e}"
    );

    let e = error(&format!("[client]\noauth_scopes = [\"{}\"]\n", "x".repeat(257)));
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("Cognito accepts scopes of at most 256"), "{e}");
}

#[test]
fn an_attribute_mapping_key_over_32_characters_is_refused_on_its_line() {
    let key = "a".repeat(33);
    let e = error(&format!(
        "{GOOGLE}\n[identity_providers.attribute_mapping]\nemail = \"email\"\n{key} = \"sub\"\n"
    ));
    let line = GOOGLE.lines().count() + 4;
    assert_eq!(e.line, line, "{e}");
    assert!(
        e.message
            .contains("is 33 characters; accepted: a pool attribute's name of 1 to 32 characters"),
        "{e}"
    );
}

#[test]
fn an_attribute_mapping_value_over_131072_characters_is_refused_on_its_line() {
    let claim = "c".repeat(131_073);
    let e = error(&format!(
        "{GOOGLE}\n[identity_providers.attribute_mapping]\nemail = \"{claim}\"\n"
    ));
    assert_eq!(e.line, GOOGLE.lines().count() + 3, "{e}");
    assert!(
        e.message
            .contains("accepted: a provider attribute of at most 131072 characters"),
        "{e}"
    );
}

#[test]
fn a_provider_name_with_an_underscore_past_the_second_character_is_refused_on_its_line() {
    let saml = |name: &str| {
        format!(
            "[[identity_providers]]\ntype = \"saml\"\nname = \"{name}\"\nmetadata_url = \"https://idp.example.com/m\"\n"
        )
    };
    let accepted = "accepted: 3 to 32 characters without spaces or control characters, with `_` only as the second \
                    character (Cognito's ProviderName pattern), and not COGNITO";
    for bad in ["Acme_SSO", "_Acme", "Acme_", "AD", "Acme SSO", &"x".repeat(33)] {
        let e = error(&saml(bad));
        assert_eq!((e.line, e.column), (3, 8), "{bad}: {e}");
        assert!(e.message.contains(accepted), "{bad}: {e}");
    }
    for good in ["A_cme", "Acme-SSO", "Okta", "Azure.AD"] {
        assert_eq!(ok(&saml(good)).identity_providers[0].name, good);
    }
}

#[test]
fn a_provider_detail_over_131072_characters_is_refused_on_its_line() {
    let e = error(&format!(
        "[[identity_providers]]\nname = \"Google\"\ntype = \"google\"\nclient_secret_env = \"G\"\nclient_id = \"{}\"\n",
        "x".repeat(131_073)
    ));
    assert_eq!(e.line, 5, "{e}");
    assert!(
        e.message
            .contains("`client_id` is longer than Cognito accepts; accepted: at most 131072 characters"),
        "{e}"
    );
}

#[test]
fn a_custom_domain_needs_a_name_of_ones_own_and_a_certificate_in_us_east_1() {
    let custom = |name: &str, arn: &str| {
        format!("[domain]\nprefix = \"my-app\"\n[domain.custom]\nname = \"{name}\"\ncertificate_arn = \"{arn}\"\n")
    };
    let arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    let spec = ok(&custom("auth.example.com", arn));
    let domain = spec.domain.unwrap();
    assert_eq!(
        domain.custom.as_ref().map(|c| c.name.as_str()),
        Some("auth.example.com")
    );
    for (name, text) in [
        ("example", "not a domain name"),
        ("Auth.Example.com", "not a domain name"),
        ("auth..example.com", "not a domain name"),
        ("x.auth.us-east-1.amazoncognito.com", "AWS domain"),
    ] {
        let e = error(&custom(name, arn));
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains(text), "{name}: {e}");
    }
    let e = error(&custom(
        "auth.example.com",
        "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    ));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("must be in us-east-1"), "{e}");
    let e = error(&custom("auth.example.com", "arn:aws:iam::123456789012:role/x"));
    assert!(e.message.contains("not an ACM certificate ARN"), "{e}");

    // With a custom domain, passkeys are bound to it.
    let passkeys = |id: &str| {
        format!(
            "{}[pool.web_authn]\nrelying_party_id = \"{id}\"\n",
            custom("auth.example.com", arn)
        )
    };
    assert!(ok(&passkeys("auth.example.com")).pool.web_authn.is_some());
    let e = error(&passkeys("my-app.auth.us-east-1.amazoncognito.com"));
    assert!(e.message.contains("custom domain"), "{e}");
}

#[test]
fn logs_are_delivered_once_per_source_to_a_destination_cognito_delivers_to() {
    let delivery = |source: &str, arn: &str| {
        format!("[[pool.log_delivery]]\nevent_source = \"{source}\"\ndestination = \"{arn}\"\n")
    };
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/toyseven";
    let spec = ok(&format!(
        "[pool]\ntier = \"plus\"\n{}{}",
        delivery(
            "user_auth_events",
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/auth"
        ),
        delivery("user_notification", group)
    ));
    let deliveries = spec.pool.log_delivery.unwrap();
    assert_eq!(
        deliveries[0].event_source,
        crate::desired::EventSource::UserNotification,
        "sorted by source"
    );
    let e = error(&format!(
        "{}{}",
        delivery("user_notification", group),
        delivery("user_notification", group)
    ));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("delivered once"), "{e}");
    let e = error(&delivery(
        "user_notification",
        "arn:aws:sns:us-east-1:123456789012:topic",
    ));
    assert!(e.message.contains("not a destination Cognito delivers logs to"), "{e}");
    let e = error(&format!(
        "[pool]\ntier = \"essentials\"\n{}",
        delivery("user_auth_events", group)
    ));
    assert!(e.message.contains("Plus feature plan"), "{e}");
    let e = error(&delivery("everything", group));
    assert!(
        e.message.contains("user_auth_events"),
        "the accepted sources are listed: {e}"
    );
}

#[test]
fn threat_protection_is_tuned_only_while_it_is_on_and_notices_go_through_ses() {
    let tuned = "[pool.risk_configuration]\ncompromised_credentials = \"block\"\n\
                 account_takeover = { low = \"no_action\", medium = \"mfa_if_configured\", high = \"block\" }\n\
                 blocked_ip_ranges = [\"203.0.113.0/24\", \"2001:db8::/32\"]\n";
    let on = "[pool]\ntier = \"plus\"\nthreat_protection = \"enforced\"\n";
    let spec = ok(&format!("{on}{tuned}"));
    let risk = spec.pool.risk.unwrap();
    assert_eq!(risk.compromised_credentials, crate::desired::CredentialsAction::Block);
    assert_eq!(
        risk.compromised_credentials_events.len(),
        3,
        "every event unless the spec says"
    );
    assert_eq!(risk.account_takeover[2], crate::desired::TakeoverAction::Block);

    let e = error(tuned);
    assert_eq!(e.line, 1, "{e}");
    assert!(e.message.contains("threat protection, which is off"), "{e}");
    let e = error(&format!("{on}{tuned}notify = true\n"));
    assert!(e.message.contains("Amazon SES"), "{e}");
    let e = error(&format!(
        "{on}[pool.risk_configuration]\nskipped_ip_ranges = [\"10.0.0.0/33\"]\n"
    ));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("CIDR"), "{e}");
    let e = error(&format!(
        "{on}[pool.risk_configuration]\naccount_takeover = {{ low = \"lock\", medium = \"block\", high = \"block\" }}\n"
    ));
    assert!(
        e.message.contains("mfa_required"),
        "the accepted actions are listed: {e}"
    );
}

#[test]
fn a_relying_party_past_the_models_127_characters_is_refused() {
    let long = format!("{}.example.com", ["a".repeat(60), "b".repeat(60)].join("."));
    let e = error(&format!(
        "[domain]\nprefix = \"my-app\"\n[domain.custom]\nname = \"{long}\"\n\
         certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"\n\
         [pool.web_authn]\nrelying_party_id = \"{long}\"\n"
    ));
    assert!(e.message.contains("127 characters"), "{e}");
}

#[test]
fn a_log_level_that_drops_the_lines_an_alarm_counts_is_refused_while_its_function_is_wired() {
    let refused = error("[logs]\nlevel = \"warn\"\n").to_string();
    assert!(
        refused.contains("cognito.toml:2:9")
            && refused.contains("level \"warn\" drops pre-signup's INFO lines")
            && refused.contains("every refused sign-up would page"),
        "{refused}"
    );
    assert_eq!(ok("[logs]\nlevel = \"debug\"\n").monitoring.log_level, LogLevel::Debug);
    let quiet = ok("[logs]\nlevel = \"error\"\n[triggers]\npost_confirmation = \"post-confirmation\"\n");
    assert_eq!(
        quiet.monitoring.log_level,
        LogLevel::Error,
        "no pre-signup, no such alarm"
    );
    let fatal = error("[logs]\nlevel = \"fatal\"\n[triggers]\npost_confirmation = \"post-confirmation\"\n").to_string();
    assert!(
        fatal.contains("drops the functions' ERROR lines") && fatal.contains("POST_CONFIRMATION_GROUP_ADD_FAILED"),
        "{fatal}"
    );
}
