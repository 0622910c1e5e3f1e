//! Pure import tests: AWS descriptions built here, as DescribeUserPool and its siblings answer
//! for a console-made pool, turned into the desired state and its text.

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, AnalyticsConfigurationType, AttributeDataType,
    DeletionProtectionType, DeviceConfigurationType, DomainDescriptionType, EmailConfigurationType,
    EmailSendingAccountType, ExplicitAuthFlowsType, FeatureType, IdentityProviderTypeType, LambdaConfigType,
    OAuthFlowType, PasswordPolicyType, PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType,
    RefreshTokenRotationType, SchemaAttributeType, SmsConfigurationType, SmsMfaConfigType, TimeUnitsType,
    TokenValidityUnitsType, UserAttributeUpdateSettingsType, UserPoolMfaType, UserPoolPolicyType, UserPoolTierType,
    UsernameAttributeType, UsernameConfigurationType, VerificationMessageTemplateType, VerifiedAttributeType,
};

use super::*;
use crate::desired::{OAuthFlow, TimeUnit, Validity, Version, Wired};

const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// DescribeUserPool for the walkthrough's pool, made in the console: email sign-in,
/// case-insensitive, email required, the three triggers wired, a prefix domain.
fn console_pool() -> UserPoolType {
    UserPoolType::builder()
        .id("us-east-1_abc")
        .arn(POOL_ARN)
        .name("my-app-users")
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .mfa_configuration(UserPoolMfaType::Off)
        .deletion_protection(DeletionProtectionType::Active)
        .domain("my-app-auth")
        .user_pool_tier(UserPoolTierType::Essentials)
        .schema_attributes(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .schema_attributes(
            SchemaAttributeType::builder()
                .name("sub")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(false)
                .build(),
        )
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
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(false)
                .unused_account_validity_days(7)
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
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::CognitoDefault)
                .build(),
        )
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .sms_message("Your verification code is {####}. ")
                .email_message("Your verification code is {####}. ")
                .email_subject("Your verification code")
                .default_email_option(aws_sdk_cognitoidentityprovider::types::DefaultEmailOptionType::ConfirmWithCode)
                .build(),
        )
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(lambda("pre-signup"))
                .post_confirmation(lambda("post-confirmation"))
                .custom_message(lambda("custom-message"))
                .build(),
        )
        .build()
}

/// DescribeUserPoolClient for the console's public client with the code grant.
fn console_client() -> UserPoolClientType {
    UserPoolClientType::builder()
        .user_pool_id("us-east-1_abc")
        .client_id("1example23456789")
        .client_name("my-app-client")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("phone")
        .callback_urls("http://localhost:3000")
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(true)
        .enable_propagate_additional_user_context_data(false)
        .access_token_validity(60)
        .id_token_validity(60)
        .refresh_token_validity(30)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Minutes)
                .refresh_token(TimeUnitsType::Days)
                .build(),
        )
        .auth_session_validity(3)
        .build()
}

fn described() -> Described {
    Described {
        pool: console_pool(),
        mfa: GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Off)
            .build(),
        clients: vec![console_client()],
        resource_servers: vec![],
        identity_providers: vec![],
        groups: vec![],
        domain: Some(
            DomainDescriptionType::builder()
                .user_pool_id("us-east-1_abc")
                .domain("my-app-auth")
                .build(),
        ),
        custom_domain: None,
        log_delivery: None,
        risk: None,
    }
}

fn reads_back(imported: &Imported) -> Desired {
    let text = imported.text();
    match crate::spec::parse("cognito.toml", &text) {
        Ok((desired, _)) => desired,
        Err(error) => panic!("{error}\n--- the text:\n{text}"),
    }
}

#[test]
fn a_console_made_pool_reads_back_as_the_state_it_was_imported_as() {
    let imported = import(&described());
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(reads_back(&imported), imported.desired);

    let desired = &imported.desired;
    assert_eq!(desired.pool.name, "my-app-users");
    assert!(!desired.pool.case_sensitive);
    assert_eq!(desired.pool.tags[MANAGED_TAG], "my-app-users");
    assert_eq!(desired.clients.len(), 1);
    let client = &desired.clients[0];
    assert_eq!(client.oauth_flows, [OAuthFlow::Code]);
    assert_eq!(client.callback_urls, ["http://localhost:3000"]);
    assert_eq!(client.access_token_validity, Some(Validity::new(1, TimeUnit::Hours)));
    assert_eq!(client.default_redirect_uri, None, "none is set");
    assert_eq!(desired.domain.as_ref().map(|d| d.prefix.as_str()), Some("my-app-auth"));
    assert!(desired.groups.is_empty());
}

#[test]
fn the_walkthrough_pool_is_written_the_way_the_spec_reads() {
    let text = import(&described()).text();
    for line in [
        "\n[client]\nname = \"my-app-client\"\n",
        "oauth_scopes = [\"email\", \"openid\", \"phone\"]",
        "access_token_validity = \"1h\"",
        "refresh_token_validity = \"30d\"",
        "logout_urls = []",
        "\ngroups = []\n",
        "tier = \"essentials\"",
        "[domain]\nprefix = \"my-app-auth\"",
        "[triggers]\npre_sign_up = \"pre-signup\"\npost_confirmation = \"post-confirmation\"\ncustom_message = \"custom-message\"\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    // The console's untouched defaults (messages, temporary password) add no comment; the one
    // setting the spec lacks does.
    assert!(text.contains("#   attributes required at sign-up: [email]\n"), "{text}");
    assert_eq!(text.matches("Not expressible").count(), 1, "{text}");
}

#[test]
fn functions_elsewhere_or_qualified_stay_arns_and_the_pools_own_are_named() {
    assert_eq!(function_reference(&lambda("f"), POOL_ARN), "f");
    for arn in [
        "arn:aws:lambda:eu-west-1:123456789012:function:f",
        "arn:aws:lambda:us-east-1:210987654321:function:f",
        "arn:aws-cn:lambda:us-east-1:123456789012:function:f",
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
    ] {
        assert_eq!(function_reference(arn, POOL_ARN), arn);
    }
    let mut described = described();
    described.pool.lambda_config = Some(
        LambdaConfigType::builder()
            .pre_sign_up("arn:aws:lambda:eu-west-1:123456789012:function:far")
            .pre_token_generation_config(
                aws_sdk_cognitoidentityprovider::types::PreTokenGenerationVersionConfigType::builder()
                    .lambda_arn(lambda("tokens"))
                    .lambda_version(aws_sdk_cognitoidentityprovider::types::PreTokenGenerationLambdaVersionType::V20)
                    .build()
                    .unwrap(),
            )
            .build(),
    );
    let imported = import(&described);
    assert_eq!(
        imported.desired.triggers.wired[&Trigger::PreTokenGeneration],
        Wired {
            function: "tokens".into(),
            version: Some(Version::V2_0)
        }
    );
    assert!(
        imported
            .text()
            .contains("pre_token_generation = { function = \"tokens\", version = \"V2_0\" }")
    );
    assert_eq!(reads_back(&imported), imported.desired);
}

#[test]
fn settings_the_spec_lacks_are_comments_beside_their_table_and_the_file_still_reads() {
    let mut described = described();
    let pool = &mut described.pool;
    pool.sms_configuration = Some(
        SmsConfigurationType::builder()
            .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
            .external_id("ext-1")
            .build(),
    );
    pool.verification_message_template = Some(
        VerificationMessageTemplateType::builder()
            .email_subject("Welcome to My App")
            .email_message("Your code: {####}")
            .build(),
    );
    pool.device_configuration = Some(
        DeviceConfigurationType::builder()
            .challenge_required_on_new_device(true)
            .device_only_remembered_on_user_prompt(false)
            .build(),
    );
    pool.user_attribute_update_settings = Some(
        UserAttributeUpdateSettingsType::builder()
            .attributes_require_verification_before_update(VerifiedAttributeType::Email)
            .build(),
    );
    pool.custom_domain = Some("auth.example.com".into());
    described.custom_domain = Some(
        aws_sdk_cognitoidentityprovider::types::DomainDescriptionType::builder()
            .domain("auth.example.com")
            .custom_domain_config(
                aws_sdk_cognitoidentityprovider::types::CustomDomainConfigType::builder()
                    .certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/abc")
                    .build()
                    .unwrap(),
            )
            .build(),
    );
    pool.user_pool_tags = Some([("aws:cloudformation:stack-name".to_owned(), "stack".to_owned())].into());
    if let Some(policy) = pool.policies.as_mut().and_then(|p| p.password_policy.as_mut()) {
        policy.temporary_password_validity_days = 3;
        policy.password_history_size = Some(5);
    }
    if let Some(config) = pool.lambda_config.as_mut() {
        config.kms_key_id = Some("arn:aws:kms:us-east-1:123456789012:key/k".into());
    }
    pool.mfa_configuration = Some(UserPoolMfaType::Optional);
    described.mfa = GetUserPoolMfaConfigOutput::builder()
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .sms_mfa_configuration(SmsMfaConfigType::builder().build())
        .build();
    described.clients[0].analytics_configuration = Some(
        AnalyticsConfigurationType::builder()
            .application_id("pinpoint-app")
            .role_arn("arn:aws:iam::123456789012:role/pinpoint")
            .build(),
    );
    described.clients[0].refresh_token_rotation = Some(
        RefreshTokenRotationType::builder()
            .feature(FeatureType::Enabled)
            .retry_grace_period_seconds(10)
            .build()
            .unwrap(),
    );
    described.identity_providers = vec![
        IdentityProviderType::builder()
            .provider_name("Google")
            .provider_type(IdentityProviderTypeType::Google)
            .provider_details("client_id", "123.apps.googleusercontent.com")
            .provider_details("authorize_scopes", "openid  email")
            .provider_details("authorize_url", "https://accounts.google.com/o/oauth2/v2/auth")
            .attribute_mapping("username", "sub")
            .idp_identifiers("google.com")
            .build(),
    ];
    described.clients[0].supported_identity_providers = Some(vec!["COGNITO".into(), "Google".into()]);

    let imported = import(&described);
    let text = imported.text();
    for (after, comment) in [
        ("[pool]", "  verification message EmailSubject: \"Welcome to My App\""),
        ("[pool]", "  verification message EmailMessage: \"Your code: {####}\""),
        ("[pool]", "  device tracking: challenge on a new device true"),
        ("[pool]", "  keep the old value until a change is verified"),
        ("[pool]", "  temporary password validity: 3 days"),
        ("[pool]", "  password history: the last 5 passwords cannot be reused"),
        (
            "[pool]",
            "  tags AWS keeps for itself: aws:cloudformation:stack-name = \"stack\"",
        ),
        ("[client]", "  analytics (Amazon Pinpoint): application pinpoint-app"),
        (
            "[client]",
            "  refresh token rotation: on, old tokens accepted for 10 seconds",
        ),
        (
            "name = \"Google\"",
            "  provider detail authorize_url: \"https://accounts.google.com/o/oauth2/v2/auth\"",
        ),
        ("name = \"Google\"", "  identifiers (IdpIdentifiers): [\"google.com\"]"),
        (
            "[triggers]",
            "  kms_key_id: arn:aws:kms:us-east-1:123456789012:key/k, with no custom sender wired",
        ),
    ] {
        let table = text.find(after).unwrap_or_else(|| panic!("{after} in\n{text}"));
        let next_table = text[table + 1..].find("\n[").map_or(text.len(), |i| table + 1 + i);
        let at = text
            .find(&format!("# {comment}"))
            .unwrap_or_else(|| panic!("{comment} in\n{text}"));
        assert!(table < at && at < next_table, "{comment} not beside {after}:\n{text}");
    }
    assert!(
        !text.contains("\"aws:cloudformation"),
        "not a tag the spec may write:\n{text}"
    );
    assert!(imported.desired.triggers.kms_key_id.is_none());
    assert!(text.contains("authorize_scopes = [\"openid\", \"email\"]"), "{text}");
    // The custom domain is a key, beside the prefix domain.
    assert!(
        text.contains("[domain.custom]\nname = \"auth.example.com\"\ncertificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"\n"),
        "{text}"
    );
    // The SMS sender and the SMS factor are keys, no longer comments.
    assert!(
        text.contains("[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/sms\"\nexternal_id = \"ext-1\"\n")
            && text.contains("software_token = true\nsms = true\n")
            && !text.contains("SMS configuration:"),
        "{text}"
    );
    assert_eq!(reads_back(&imported), imported.desired);
}

#[test]
fn a_providers_secret_is_named_by_a_variable_and_never_written() {
    let mut described = described();
    described.identity_providers = vec![
        IdentityProviderType::builder()
            .provider_name("my-idp")
            .provider_type(IdentityProviderTypeType::Oidc)
            .provider_details("client_id", "abc")
            .provider_details("client_secret", "s3cr3t-value")
            .provider_details("oidc_issuer", "https://idp.example.com")
            .provider_details("attributes_request_method", "GET")
            .provider_details("authorize_scopes", "openid email")
            .build(),
    ];
    let imported = import(&described);
    let text = imported.text();
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(!format!("{:?}", imported.desired).contains("s3cr3t-value"));
    assert!(
        text.contains("# Set MY_IDP_CLIENT_SECRET to the provider's client secret before `plan` or `apply`"),
        "{text}"
    );
    assert!(text.contains("client_secret_env = \"MY_IDP_CLIENT_SECRET\""), "{text}");
    assert_eq!(reads_back(&imported), imported.desired);
    assert_eq!(secret_variable("Google", "client_secret"), "GOOGLE_CLIENT_SECRET");
    assert_eq!(
        secret_variable("SignInWithApple", "private_key"),
        "SIGNINWITHAPPLE_PRIVATE_KEY"
    );
    assert_eq!(secret_variable("9lives", "client_secret"), "_9LIVES_CLIENT_SECRET");
}

#[test]
fn phone_number_sign_in_is_written_as_it_is_and_warned_that_plan_refuses_it() {
    let mut described = described();
    described.pool.username_attributes = Some(vec![UsernameAttributeType::PhoneNumber]);
    let imported = import(&described);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("phone_number") && w.contains("SMS configuration")),
        "{:?}",
        imported.warnings
    );
    let text = imported.text();
    assert!(text.contains("username_attributes = [\"phone_number\"]"), "{text}");
    let refused = crate::spec::parse("cognito.toml", &text).unwrap_err();
    assert!(
        refused.message.contains("phone_number sign-in needs codes sent by SMS"),
        "{refused}"
    );
}

#[test]
fn a_pool_without_account_recovery_is_warned_that_plan_refuses_it() {
    let mut described = described();
    described.pool.account_recovery_setting = None;
    let imported = import(&described);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("no account recovery setting")),
        "{:?}",
        imported.warnings
    );
    let refused = crate::spec::parse("cognito.toml", &imported.text()).unwrap_err();
    assert!(refused.message.contains("account_recovery"), "{refused}");
}

#[test]
fn what_no_warning_explains_is_warned_with_the_parsers_reason() {
    let mut described = described();
    described.pool.email_configuration = Some(
        EmailConfigurationType::builder()
            .email_sending_account(EmailSendingAccountType::Developer)
            .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
            .build(),
    );
    let imported = import(&described);
    let refused = crate::spec::parse("cognito.toml", &imported.text()).unwrap_err();
    assert_eq!(
        imported.warnings,
        [format!(
            "`plan` will refuse the written spec until it is edited: {refused}"
        )]
    );
}

#[test]
fn a_pool_without_a_client_is_warned_about_not_given_the_default_client_silently() {
    let mut described = described();
    described.clients.clear();
    let imported = import(&described);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("no app client") && w.contains("toyseven-web")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn a_client_secret_is_known_only_as_there_being_one() {
    let mut described = described();
    described.clients[0].client_secret = Some(String::new());
    described.clients[0].allowed_o_auth_flows = None;
    described.clients[0].allowed_o_auth_scopes = None;
    let imported = import(&described);
    assert!(imported.desired.clients[0].generate_secret);
    assert!(imported.text().contains("generate_secret = true"));
    assert_eq!(reads_back(&imported), imported.desired);
}
