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
             [pool.web_authn]\nrelying_party_id = \"modern.auth.us-east-1.amazoncognito.com\"\nuser_verification = \"required\"\nfactor_configuration = \"multi_factor_with_user_verification\"\n\n\
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
        assert_eq!(
            passkeys.factor_configuration().map(|f| f.as_str()),
            Some("MULTI_FACTOR_WITH_USER_VERIFICATION")
        );
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

    // The spec's custom domain goes with the pool, before it (AWS deletes no pool with a domain).
    let unprotected = account.write_spec(&text.replace("deletion_protection = true", "deletion_protection = false"));
    assert!(account.run(&unprotected, &["apply", "--yes"]).status.success());
    let destroyed = account.run(&unprotected, &["destroy", "--confirm", "toyseven-cognito"]);
    assert!(
        destroyed.status.success(),
        "{}\n{}",
        stdout(&destroyed),
        stderr(&destroyed)
    );
    let said = format!("{}{}", stdout(&destroyed), stderr(&destroyed));
    assert!(said.contains("deleted custom domain \"auth.example.com\""), "{said}");

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

/// A pool made through the SDK the way today's console makes one: Plus, passwordless with
/// passkeys on its custom domain, managed login with a branding style, SMS and email MFA, log
/// delivery and tuned threat protection. Its id.
async fn console_made(cognito: &cognito::Client) -> String {
    use cognito::types::*;
    let pool = cognito
        .create_user_pool()
        .pool_name("console-made")
        .user_pool_tier(UserPoolTierType::Plus)
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Enforced)
                .build()
                .unwrap(),
        )
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .account_recovery_setting(
            AccountRecoverySettingType::builder()
                .recovery_mechanisms(
                    RecoveryOptionType::builder()
                        .name(RecoveryOptionNameType::VerifiedEmail)
                        .priority(1)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .from("noreply@example.com")
                .build(),
        )
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::123456789012:role/cognito-sms")
                .external_id("console-made")
                .build(),
        )
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .require_lowercase(true)
                        .require_uppercase(true)
                        .require_numbers(true)
                        .require_symbols(true)
                        .temporary_password_validity_days(7)
                        .build(),
                )
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .allowed_first_auth_factors(AuthFactorType::WebAuthn)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = pool.id().unwrap().to_owned();
    let client = cognito
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("web")
        .generate_secret(false)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("openid")
        .callback_urls("http://localhost:3000")
        .logout_urls("http://localhost:3000")
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    cognito
        .create_managed_login_branding()
        .user_pool_id(&id)
        .client_id(client.client_id().unwrap())
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap();
    for (domain, custom) in [("console-made", false), ("auth.console.example.com", true)] {
        cognito
            .create_user_pool_domain()
            .user_pool_id(&id)
            .domain(domain)
            .managed_login_version(2)
            .set_custom_domain_config(custom.then(|| {
                CustomDomainConfigType::builder()
                    .certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/console")
                    .build()
                    .unwrap()
            }))
            .send()
            .await
            .unwrap();
    }
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/cognito-sms")
                        .external_id("console-made")
                        .build(),
                )
                .build(),
        )
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("auth.console.example.com")
                .user_verification(UserVerificationType::Required)
                .factor_configuration(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification)
                .build(),
        )
        .send()
        .await
        .unwrap();
    cognito
        .set_log_delivery_configuration()
        .user_pool_id(&id)
        .log_configurations(
            LogConfigurationType::builder()
                .event_source(EventSourceName::UserNotification)
                .log_level(LogLevel::Error)
                .cloud_watch_logs_configuration(
                    CloudWatchLogsConfigurationType::builder()
                        .log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/console-made")
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    cognito
        .set_risk_configuration()
        .user_pool_id(&id)
        .compromised_credentials_risk_configuration(
            CompromisedCredentialsRiskConfigurationType::builder()
                .actions(
                    CompromisedCredentialsActionsType::builder()
                        .event_action(CompromisedCredentialsEventActionType::Block)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .risk_exception_configuration(
            RiskExceptionConfigurationType::builder()
                .blocked_ip_range_list("203.0.113.0/24")
                .build(),
        )
        .send()
        .await
        .unwrap();
    id
}

#[test]
fn a_console_made_modern_pool_is_imported_with_nothing_unexpressed_and_its_spec_builds_an_equal_pool() {
    let account = Account::start();
    let cognito = cognito::Client::new(&account.config);
    let original = account.runtime.block_on(console_made(&cognito));
    let imported = common::provisioner(&account.moto.endpoint())
        .args(["import", "--pool-name", "console-made"])
        .output()
        .unwrap();
    assert!(imported.status.success(), "{}", stderr(&imported));
    let text = stdout(&imported);
    for unexpressed in [
        "SMS configuration",
        "MFA by",
        "passkeys",
        "custom domain",
        "managed login",
        "first factors",
        "risk",
        "log delivery",
    ] {
        let noted = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .any(|l| l.to_ascii_lowercase().contains(unexpressed));
        assert!(!noted, "{unexpressed:?} is noted as not expressible:\n{text}");
    }
    // The imported file describes the pool exactly: nothing to do.
    let same = account.write_spec(&text);
    let unchanged = account.run(&same, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        unchanged.status.code(),
        Some(0),
        "{}\n{}\n{text}",
        stdout(&unchanged),
        stderr(&unchanged)
    );
    // The same pool under another name (domains are the region's: new ones too).
    let rebuilt = text
        .replace("name = \"console-made\"", "name = \"rebuilt\"")
        .replace("prefix = \"console-made\"", "prefix = \"rebuilt\"")
        .replace("auth.console.example.com", "auth.rebuilt.example.com");
    let spec = account.write_spec(&rebuilt);
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(
        applied.status.success(),
        "{}\n{}\n{rebuilt}",
        stdout(&applied),
        stderr(&applied)
    );
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));

    // Equal: every setting above reads the same from both pools.
    account.runtime.block_on(async {
        let pools = cognito.list_user_pools().max_results(60).send().await.unwrap();
        let copy = pools
            .user_pools()
            .iter()
            .find(|p| p.name() == Some("rebuilt"))
            .and_then(|p| p.id())
            .unwrap()
            .to_owned();
        let read = |id: String| {
            let cognito = cognito.clone();
            async move {
                let pool = cognito
                    .describe_user_pool()
                    .user_pool_id(&id)
                    .send()
                    .await
                    .unwrap()
                    .user_pool
                    .unwrap();
                let mfa = cognito
                    .get_user_pool_mfa_config()
                    .user_pool_id(&id)
                    .send()
                    .await
                    .unwrap();
                let logs = cognito
                    .get_log_delivery_configuration()
                    .user_pool_id(&id)
                    .send()
                    .await
                    .unwrap();
                let risk = cognito
                    .describe_risk_configuration()
                    .user_pool_id(&id)
                    .send()
                    .await
                    .unwrap();
                // What the tuning means: what AWS leaves out is its default.
                let risk = provisioner::desired::Risk::from_aws(risk.risk_configuration());
                let custom = cognito
                    .describe_user_pool_domain()
                    .domain(pool.custom_domain().unwrap())
                    .send()
                    .await
                    .unwrap();
                format!(
                    "tier {:?} add-ons {:?} sms {:?} email {:?} sign-in {:?}\nmfa {:?} {:?} {:?} {:?} passkeys {:?}\n\
                     logs {:?}\nrisk {:?}\ncustom domain version {:?} certificate {:?}",
                    pool.user_pool_tier(),
                    pool.user_pool_add_ons(),
                    pool.sms_configuration(),
                    pool.email_configuration(),
                    pool.policies().and_then(|p| p.sign_in_policy()),
                    mfa.mfa_configuration(),
                    mfa.software_token_mfa_configuration(),
                    mfa.sms_mfa_configuration(),
                    mfa.email_mfa_configuration(),
                    mfa.web_authn_configuration()
                        .map(|w| (w.user_verification(), w.factor_configuration())),
                    logs.log_delivery_configuration().map(|l| l
                        .log_configurations()
                        .iter()
                        .map(|c| (c.event_source(), c.log_level()))
                        .collect::<Vec<_>>()),
                    risk,
                    custom.domain_description().and_then(|d| d.managed_login_version()),
                    custom
                        .domain_description()
                        .and_then(|d| d.custom_domain_config())
                        .map(|c| c.certificate_arn().to_owned()),
                )
            }
        };
        let (left, right) = (read(original).await, read(copy).await);
        for (left, right) in left.lines().zip(right.lines()) {
            assert_eq!(left, right);
        }
    });
}

#[test]
fn the_readmes_walk_through_applies_then_plans_no_change() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let marker = "# walk-through: managed login on a custom domain, with passkeys\n";
    let start = readme.find(marker).expect("the README's walk-through") + marker.len();
    let text = &readme[start..start + readme[start..].find("```").unwrap()];
    let account = Account::start();
    // The walk-through's region is eu-west-1, the test server's us-east-1.
    let spec = account.write_spec(&format!("[triggers]\n{}", text.replace("eu-west-1", "us-east-1")));
    let planned = account.run(&spec, &["plan"]);
    assert!(planned.status.success(), "{}\n{}", stdout(&planned), stderr(&planned));
    let order: Vec<usize> = [
        "create user pool",
        "create managed login branding",
        "create hosted-UI domain",
        "create custom domain \"auth.example.com\" (managed login)",
        "set MFA",
        "set log delivery",
    ]
    .iter()
    .map(|step| {
        stdout(&planned)
            .find(step)
            .unwrap_or_else(|| panic!("{step}: {}", stdout(&planned)))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "in the README's order: {}",
        stdout(&planned)
    );
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));
}

#[test]
fn drift_made_out_of_band_in_todays_settings_is_planned_and_repaired() {
    let account = Account::start();
    let text = spec_text().replace(
        "mfa = \"optional\"\ntier = \"essentials\"\n",
        "mfa = \"optional\"\ntier = \"plus\"\nthreat_protection = \"audit\"\n",
    ) + "\n[pool.risk_configuration]\ncompromised_credentials = \"block\"\n";
    let spec = account.write_spec(&text);
    let applied = account.run(&spec, &["apply", "--yes"]);
    assert!(applied.status.success(), "{}\n{}", stdout(&applied), stderr(&applied));

    // The console's edits: passkeys without user verification, no log delivery, no action on
    // leaked passwords, and the classic hosted UI.
    let cognito = cognito::Client::new(&account.config);
    account.runtime.block_on(async {
        use cognito::types::*;
        let pools = cognito.list_user_pools().max_results(60).send().await.unwrap();
        let id = pools.user_pools()[0].id().unwrap().to_owned();
        let mfa = cognito
            .get_user_pool_mfa_config()
            .user_pool_id(&id)
            .send()
            .await
            .unwrap();
        cognito
            .set_user_pool_mfa_config()
            .user_pool_id(&id)
            .set_mfa_configuration(mfa.mfa_configuration().cloned())
            .set_software_token_mfa_configuration(mfa.software_token_mfa_configuration().cloned())
            .set_sms_mfa_configuration(mfa.sms_mfa_configuration().cloned())
            .set_email_mfa_configuration(mfa.email_mfa_configuration().cloned())
            .web_authn_configuration(
                WebAuthnConfigurationType::builder()
                    .relying_party_id("modern.auth.us-east-1.amazoncognito.com")
                    .user_verification(UserVerificationType::Preferred)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        cognito
            .set_log_delivery_configuration()
            .user_pool_id(&id)
            .set_log_configurations(Some(Vec::new()))
            .send()
            .await
            .unwrap();
        cognito
            .set_risk_configuration()
            .user_pool_id(&id)
            .compromised_credentials_risk_configuration(
                CompromisedCredentialsRiskConfigurationType::builder()
                    .actions(
                        CompromisedCredentialsActionsType::builder()
                            .event_action(CompromisedCredentialsEventActionType::NoAction)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        cognito
            .update_user_pool_domain()
            .user_pool_id(&id)
            .domain("modern")
            .managed_login_version(1)
            .send()
            .await
            .unwrap();
    });

    let planned = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        planned.status.code(),
        Some(2),
        "{}\n{}",
        stdout(&planned),
        stderr(&planned)
    );
    let shown = stdout(&planned);
    for drift in [
        "web_authn.user_verification: preferred -> required",
        "web_authn.factor_configuration: (unset) -> MULTI_FACTOR_WITH_USER_VERIFICATION",
        "log_delivery.user_notification: (none) -> arn:aws:logs:",
        "risk.compromised_credentials: NO_ACTION -> BLOCK",
    ] {
        assert!(shown.contains(drift), "{drift}:\n{shown}");
    }
    // The spec names no managed login version: the domain keeps what it serves.
    assert!(shown.contains("= domain modern"), "{shown}");
    let repaired = account.run(&spec, &["apply", "--yes"]);
    assert!(
        repaired.status.success(),
        "{}\n{}",
        stdout(&repaired),
        stderr(&repaired)
    );
    let again = account.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}\n{}", stdout(&again), stderr(&again));
}
