//! The Cognito of today against moto's server as the launcher patches it: a pool with an SMS
//! sender, SMS and email MFA, passwordless first factors and passkeys is created, then plans
//! no change; and the launcher holds AWS's rules for them, as AWS does.

mod common;

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, SignInPolicyType, UserPoolPolicyType, UserPoolTierType, WebAuthnConfigurationType,
};

use common::{Account, project_spec, stderr, stdout};

/// The project's spec without triggers (no Lambda here), its pool with today's sign-in.
fn spec_text() -> String {
    let text = project_spec();
    let start = text.find("[triggers]").unwrap();
    let end = start + text[start..].find("\n[[groups]]").unwrap();
    let text = format!("{}[triggers]\n{}", &text[..start], &text[end..])
        .replace("prefix = \"toyseven\"", "prefix = \"modern\"")
        .replace("mfa = \"off\"\n", "mfa = \"optional\"\ntier = \"essentials\"\n")
        .replace(
            "[pool.password_policy]\n",
            "[pool.mfa_factors]\nsoftware_token = true\nsms = true\nemail = true\n\n\
             [pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"modern\"\n\n\
             [pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"noreply@example.com\"\n\n\
             [pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\", \"sms_otp\", \"web_authn\"]\n\n\
             [pool.web_authn]\nrelying_party_id = \"modern.auth.us-east-1.amazoncognito.com\"\nuser_verification = \"required\"\n\n\
             [[pool.log_delivery]]\nevent_source = \"user_notification\"\n\
             destination = \"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/modern\"\n\n[pool.password_policy]\n",
        );
    assert!(
        text.contains("[pool.web_authn]") && text.contains("mfa = \"optional\""),
        "the project's [pool] has mfa = \"off\" and a password policy"
    );
    text
}

#[test]
fn a_pool_with_sms_email_mfa_first_factors_and_passkeys_is_created_then_plans_no_change() {
    let account = Account::start();
    let spec = account.write_spec(&spec_text());
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));

    let cognito = cognito::Client::new(&account.config);
    account.runtime.block_on(async {
        let pools = cognito.list_user_pools().max_results(60).send().await.unwrap();
        let id = pools.user_pools()[0].id().unwrap().to_owned();
        let pool = cognito
            .describe_user_pool()
            .user_pool_id(&id)
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        let factors = pool
            .policies()
            .unwrap()
            .sign_in_policy()
            .unwrap()
            .allowed_first_auth_factors();
        assert_eq!(factors.len(), 4, "{factors:?}");
        assert_eq!(pool.sms_configuration().unwrap().external_id(), Some("modern"));
        let mfa = cognito
            .get_user_pool_mfa_config()
            .user_pool_id(&id)
            .send()
            .await
            .unwrap();
        assert_eq!(mfa.mfa_configuration().map(|m| m.as_str()), Some("OPTIONAL"));
        assert!(mfa.email_mfa_configuration().is_some());
        assert!(
            mfa.sms_mfa_configuration()
                .and_then(|s| s.sms_configuration())
                .is_some()
        );
        let passkeys = mfa.web_authn_configuration().unwrap();
        assert_eq!(
            passkeys.relying_party_id(),
            Some("modern.auth.us-east-1.amazoncognito.com")
        );
        assert_eq!(passkeys.user_verification().map(|v| v.as_str()), Some("required"));
        let logs = cognito
            .get_log_delivery_configuration()
            .user_pool_id(&id)
            .send()
            .await
            .unwrap();
        let logs = logs.log_delivery_configuration().unwrap().log_configurations();
        assert_eq!(logs.len(), 1);
        assert_eq!(
            logs[0].log_level().as_str(),
            "ERROR",
            "delivery errors are logged at ERROR"
        );
    });
}

#[test]
fn the_launcher_holds_the_plan_sender_and_relying_party_rules_as_aws_does() {
    let account = Account::start();
    let cognito = cognito::Client::new(&account.config);
    account.runtime.block_on(async {
        let passwordless = |factors: &[AuthFactorType]| {
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .set_allowed_first_auth_factors(Some(factors.to_vec()))
                        .build(),
                )
                .build()
        };
        // The Lite plan has no passwordless sign-in.
        let refused = cognito
            .create_user_pool()
            .pool_name("lite")
            .user_pool_tier(UserPoolTierType::Lite)
            .policies(passwordless(&[AuthFactorType::Password, AuthFactorType::WebAuthn]))
            .send()
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some("FeatureUnavailableInTierException"), "{refused:?}");
        assert!(
            refused
                .message()
                .unwrap()
                .contains("LITE pricing tier configured: Passwordless Sign-In"),
            "{refused:?}"
        );
        // PASSWORD stays; email codes need SES.
        for (factors, text) in [
            (&[AuthFactorType::EmailOtp][..], "must include PASSWORD"),
            (&[AuthFactorType::Password, AuthFactorType::EmailOtp][..], "Amazon SES"),
            (
                &[AuthFactorType::Password, AuthFactorType::SmsOtp][..],
                "SMS configuration",
            ),
        ] {
            let refused = cognito
                .create_user_pool()
                .pool_name("codes")
                .policies(passwordless(factors))
                .send()
                .await
                .unwrap_err();
            assert_eq!(refused.code(), Some("InvalidParameterException"), "{refused:?}");
            assert!(refused.message().unwrap().contains(text), "{text}: {refused:?}");
        }
        // Passkeys are bound to a domain the pool serves.
        let pool = cognito
            .create_user_pool()
            .pool_name("keys")
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        let id = pool.id().unwrap();
        cognito
            .create_user_pool_domain()
            .user_pool_id(id)
            .domain("keys")
            .send()
            .await
            .unwrap();
        let passkeys = |rp: &str| WebAuthnConfigurationType::builder().relying_party_id(rp).build();
        let refused = cognito
            .set_user_pool_mfa_config()
            .user_pool_id(id)
            .mfa_configuration(cognito::types::UserPoolMfaType::Off)
            .web_authn_configuration(passkeys("other.auth.us-east-1.amazoncognito.com"))
            .send()
            .await
            .unwrap_err();
        assert!(
            refused.message().unwrap().contains("not a domain of the user pool"),
            "{refused:?}"
        );
        cognito
            .set_user_pool_mfa_config()
            .user_pool_id(id)
            .mfa_configuration(cognito::types::UserPoolMfaType::Off)
            .web_authn_configuration(passkeys("keys.auth.us-east-1.amazoncognito.com"))
            .send()
            .await
            .unwrap();
        // User auth events are exported on Plus only.
        let refused = cognito
            .set_log_delivery_configuration()
            .user_pool_id(id)
            .log_configurations(
                cognito::types::LogConfigurationType::builder()
                    .event_source(cognito::types::EventSourceName::UserAuthEvents)
                    .log_level(cognito::types::LogLevel::Info)
                    .s3_configuration(
                        cognito::types::S3ConfigurationType::builder()
                            .bucket_arn("arn:aws:s3:::b")
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some("FeatureUnavailableInTierException"), "{refused:?}");
        // Email MFA needs SES.
        let refused = cognito
            .set_user_pool_mfa_config()
            .user_pool_id(id)
            .mfa_configuration(cognito::types::UserPoolMfaType::Optional)
            .email_mfa_configuration(cognito::types::EmailMfaConfigType::builder().build())
            .send()
            .await
            .unwrap_err();
        assert!(refused.message().unwrap().contains("Amazon SES"), "{refused:?}");
    });
}

#[test]
fn a_new_domain_serves_managed_login_with_cognitos_style_for_its_client_and_keeps_what_the_spec_says() {
    let account = Account::start();
    let spec = account.write_spec(&spec_text());
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));
    let cognito = cognito::Client::new(&account.config);
    let (version, style) = read(&account, &cognito);
    assert_eq!(version, Some(2), "managed login, as the console makes a domain");
    assert_eq!(
        style,
        Some(true),
        "Cognito's own style, made before the domain served it"
    );

    // Back to the classic hosted UI when the spec says so; then nothing to do.
    let classic = account.write_spec(&spec_text().replace(
        "prefix = \"modern\"\n",
        "prefix = \"modern\"\nmanaged_login_version = 1\n",
    ));
    let applied = account.run(&classic, &["apply", "--yes"]);
    assert!(
        stdout(&applied).contains("~ update hosted-UI domain \"modern\""),
        "{}\n{}",
        stdout(&applied),
        stderr(&applied)
    );
    assert_eq!(read(&account, &cognito).0, Some(1));
    let again = account.run(&classic, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));
    // A spec that names no version leaves the classic domain as it is.
    let unnamed = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        unnamed.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&unnamed),
        stderr(&unnamed)
    );
}

/// The version the "modern" domain serves, and whether the first client's style is Cognito's.
fn read(account: &Account, cognito: &cognito::Client) -> (Option<i32>, Option<bool>) {
    account.runtime.block_on(async {
        let pools = cognito.list_user_pools().max_results(60).send().await.unwrap();
        let id = pools.user_pools()[0].id().unwrap().to_owned();
        let domain = cognito
            .describe_user_pool_domain()
            .domain("modern")
            .send()
            .await
            .unwrap();
        let clients = cognito.list_user_pool_clients().user_pool_id(&id).send().await.unwrap();
        let client = clients.user_pool_clients()[0].client_id().unwrap().to_owned();
        let branding = cognito
            .describe_managed_login_branding_by_client()
            .user_pool_id(&id)
            .client_id(client)
            .send()
            .await
            .unwrap();
        (
            domain.domain_description().and_then(|d| d.managed_login_version()),
            branding
                .managed_login_branding()
                .map(|b| b.use_cognito_provided_values()),
        )
    })
}

#[test]
fn a_custom_domain_with_passkeys_bound_to_it_is_created_then_plans_no_change() {
    let account = Account::start();
    let text = spec_text()
        .replace(
            "prefix = \"modern\"\n",
            "prefix = \"modern\"\n\n[domain.custom]\nname = \"auth.example.com\"\n\
             certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"\n",
        )
        .replace(
            "relying_party_id = \"modern.auth.us-east-1.amazoncognito.com\"",
            "relying_party_id = \"auth.example.com\"",
        );
    let spec = account.write_spec(&text);
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));
    assert!(
        stdout(&applied).contains("+ create custom domain \"auth.example.com\" (managed login)"),
        "{}",
        stdout(&applied)
    );
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));

    // A certificate outside us-east-1 is refused by AWS (and by the spec, before that).
    let cognito = cognito::Client::new(&account.config);
    account.runtime.block_on(async {
        let pool = cognito
            .create_user_pool()
            .pool_name("other")
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        let refused = cognito
            .create_user_pool_domain()
            .user_pool_id(pool.id().unwrap())
            .domain("login.example.com")
            .custom_domain_config(
                cognito::types::CustomDomainConfigType::builder()
                    .certificate_arn("arn:aws:acm:eu-west-1:123456789012:certificate/abc")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap_err();
        assert!(
            refused.message().unwrap().contains("isn't in us-east-1 region"),
            "{refused:?}"
        );
    });
}

#[test]
fn tuned_threat_protection_on_plus_is_applied_after_it_is_switched_on_then_plans_no_change() {
    let account = Account::start();
    let text = spec_text().replace(
        "mfa = \"optional\"\ntier = \"essentials\"\n",
        "mfa = \"optional\"\ntier = \"plus\"\nthreat_protection = \"enforced\"\n",
    ) + "\n[pool.risk_configuration]\ncompromised_credentials = \"block\"\n\
         account_takeover = { low = \"no_action\", medium = \"mfa_if_configured\", high = \"block\" }\nnotify = true\n\
         blocked_ip_ranges = [\"203.0.113.0/24\"]\n";
    // (TOML takes a [pool.*] table anywhere in the file.)
    let spec = account.write_spec(&text);
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));
    assert!(
        stdout(&applied).contains("~ set threat protection settings"),
        "{}",
        stdout(&applied)
    );
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));

    // AWS refuses tuning without threat protection on.
    let cognito = cognito::Client::new(&account.config);
    account.runtime.block_on(async {
        let pool = cognito
            .create_user_pool()
            .pool_name("off")
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        let refused = cognito
            .set_risk_configuration()
            .user_pool_id(pool.id().unwrap())
            .send()
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Some("UserPoolAddOnNotEnabledException"), "{refused:?}");
    });
}
