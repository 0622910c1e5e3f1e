//! `provisioner import` against moto's server (made as strict as AWS where it is not by
//! `tools/moto_server.py`): a pool made through the SDK the way the console makes it is
//! imported, and the written spec then plans no change and applies with no write; a pool
//! with settings the spec lacks gets them as comments, in a file that still parses.

mod common;

use std::path::Path;
use std::process::Output;

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AttributeDataType, DeletionProtectionType, DeviceConfigurationType,
    EmailConfigurationType, EmailSendingAccountType, ExplicitAuthFlowsType, LambdaConfigType, OAuthFlowType,
    PasswordPolicyType, PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType,
    SchemaAttributeType, SmsConfigurationType, TimeUnitsType, TokenValidityUnitsType, UserAttributeUpdateSettingsType,
    UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType, UsernameConfigurationType,
    VerificationMessageTemplateType, VerifiedAttributeType,
};
use aws_sdk_lambda as lambda;
use serde_json::Value;

use common::{Account, stderr, stdout};

struct Fixture {
    account: Account,
    cognito: cognito::Client,
    lambda: lambda::Client,
}

impl Fixture {
    /// moto with the trigger functions deployed.
    fn new() -> Self {
        let account = Account::with_functions(&common::FUNCTION_NAMES);
        Self {
            cognito: cognito::Client::new(&account.config),
            lambda: lambda::Client::new(&account.config),
            account,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        common::provisioner(&self.account.moto.endpoint())
            .args(args)
            .output()
            .unwrap()
    }

    /// A command that must succeed, with `--output json`; its report.
    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(&[&["--output", "json"], args].concat());
        assert!(
            output.status.success(),
            "{args:?} failed: {}\n{}",
            stderr(&output),
            self.account.moto.output()
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn function_arn(&self, name: &str) -> String {
        self.account.runtime.block_on(async {
            let function = self.lambda.get_function().function_name(name).send().await.unwrap();
            function.configuration().unwrap().function_arn().unwrap().to_owned()
        })
    }

    /// The pool of the walkthrough, made as the console makes it: email sign-in,
    /// case-insensitive, email required and verified, recovery by email, the three triggers
    /// wired with the console's invoke permissions, a prefix domain, and one public client
    /// with the code grant and http://localhost:3000 as its callback.
    fn console_pool(&self, name: &str, prefix: &str) -> String {
        let [pre_signup, post_confirmation, custom_message] =
            ["pre-signup", "post-confirmation", "custom-message"].map(|f| self.function_arn(f));
        self.account.runtime.block_on(async {
            let pool = self
                .cognito
                .create_user_pool()
                .pool_name(name)
                .username_attributes(UsernameAttributeType::Email)
                .username_configuration(
                    UsernameConfigurationType::builder()
                        .case_sensitive(false)
                        .build()
                        .unwrap(),
                )
                .auto_verified_attributes(VerifiedAttributeType::Email)
                .schema(
                    SchemaAttributeType::builder()
                        .name("email")
                        .attribute_data_type(AttributeDataType::String)
                        .required(true)
                        .mutable(true)
                        .build(),
                )
                .user_attribute_update_settings(
                    UserAttributeUpdateSettingsType::builder()
                        .attributes_require_verification_before_update(VerifiedAttributeType::Email)
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
                .mfa_configuration(UserPoolMfaType::Off)
                .deletion_protection(DeletionProtectionType::Active)
                .lambda_config(
                    LambdaConfigType::builder()
                        .pre_sign_up(&pre_signup)
                        .post_confirmation(&post_confirmation)
                        .custom_message(&custom_message)
                        .build(),
                )
                .send()
                .await
                .unwrap()
                .user_pool
                .unwrap();
            let (id, arn) = (pool.id().unwrap().to_owned(), pool.arn().unwrap().to_owned());
            // The console's statement: the pool's ARN alone, under a CSI_ statement id.
            for (trigger, function) in [
                ("PreSignUp", &pre_signup),
                ("PostConfirmation", &post_confirmation),
                ("CustomMessage", &custom_message),
            ] {
                self.lambda
                    .add_permission()
                    .function_name(function)
                    .statement_id(format!("CSI_{trigger}_{}_CSI_{trigger}", id.replace('_', "")))
                    .action("lambda:InvokeFunction")
                    .principal("cognito-idp.amazonaws.com")
                    .source_arn(&arn)
                    .send()
                    .await
                    .unwrap();
            }
            self.cognito
                .create_user_pool_domain()
                .user_pool_id(&id)
                .domain(prefix)
                .send()
                .await
                .unwrap();
            self.public_client(&id, "my-app-client").await;
            id
        })
    }

    async fn public_client(&self, pool: &str, name: &str) {
        self.cognito
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name(name)
            .generate_secret(false)
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
            .send()
            .await
            .unwrap();
    }

    fn tags(&self, pool: &str) -> std::collections::HashMap<String, String> {
        self.account.runtime.block_on(async {
            let described = self
                .cognito
                .describe_user_pool()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap();
            described.user_pool.unwrap().user_pool_tags.unwrap_or_default()
        })
    }
}

/// The write operations a command's `--output json` report lists, in order.
fn writes(report: &Value) -> Vec<String> {
    report["calls"]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|operation| !provisioner::aws::is_read(operation))
        .map(str::to_owned)
        .collect()
}

fn parses(path: &Path) -> provisioner::spec::Spec {
    let text = std::fs::read_to_string(path).unwrap();
    match provisioner::spec::parse(&path.display().to_string(), &text) {
        Ok((spec, _)) => spec,
        Err(error) => panic!("{error}\n{text}"),
    }
}

#[test]
fn a_console_made_pool_is_imported_then_plans_no_change_and_applies_with_no_write() {
    let f = Fixture::new();
    let pool = f.console_pool("my-app-users", "my-app-auth");
    let spec = f.account.dir.path().join("cognito.toml");
    let spec_arg = spec.to_str().unwrap();

    let report = f.json(&["import", "--pool-name", "my-app-users", "--out", spec_arg]);
    assert_eq!(writes(&report), ["TagResource"], "import's only write: {report}");
    assert_eq!(report["adopted"], true);
    assert_eq!(report["user_pool_id"], pool.as_str());
    assert_eq!(
        f.tags(&pool).get(provisioner::desired::MANAGED_TAG).map(String::as_str),
        Some("my-app-users")
    );

    let text = std::fs::read_to_string(&spec).unwrap();
    for line in [
        "name = \"my-app-users\"",
        "case_sensitive = false",
        "\n[client]\nname = \"my-app-client\"\n",
        "callback_urls = [\"http://localhost:3000\"]",
        "access_token_validity = \"1h\"",
        "refresh_token_validity = \"30d\"",
        "[domain]\nprefix = \"my-app-auth\"",
        "pre_sign_up = \"pre-signup\"",
        "post_confirmation = \"post-confirmation\"",
        "custom_message = \"custom-message\"",
        "#   attributes required at sign-up: [email]",
        "#   keep the old value until a change is verified (AttributesRequireVerificationBeforeUpdate): [email]",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    parses(&spec);

    let plan = f.run(&["--spec", spec_arg, "plan"]);
    assert!(plan.status.success(), "{}\n{}", stderr(&plan), stdout(&plan));
    assert!(
        stdout(&plan).starts_with("no changes: everything matches"),
        "{}",
        stdout(&plan)
    );
    let applied = f.json(&["--spec", spec_arg, "apply"]);
    assert_eq!(writes(&applied), Vec::<String>::new(), "{applied}");

    // The file is not overwritten unless asked; imported again, the tagged pool is not
    // written to.
    let again = f.run(&["import", "--pool-id", &pool, "--out", spec_arg]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), text);
    let forced = f.json(&["import", "--pool-id", &pool, "--out", spec_arg, "--force"]);
    assert_eq!(forced["adopted"], false);
    assert_eq!(writes(&forced), Vec::<String>::new(), "{forced}");
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), text);
}

#[test]
fn settings_the_spec_lacks_are_imported_as_comments_in_a_file_that_still_plans_no_change() {
    let f = Fixture::new();
    let pool = f.account.runtime.block_on(async {
        let pool = f
            .cognito
            .create_user_pool()
            .pool_name("sms-and-devices")
            .username_attributes(UsernameAttributeType::Email)
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
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(false)
                    .build()
                    .unwrap(),
            )
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::123456789012:role/cognito-sms")
                    .external_id("sms-external-id")
                    .build(),
            )
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .email_subject("Welcome to My App")
                    .email_message("Your My App code is {####}")
                    .build(),
            )
            .device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(true)
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        let id = pool.id().unwrap().to_owned();
        f.public_client(&id, "web").await;
        id
    });

    let output = f.run(&["import", "--pool-id", &pool]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("adopted user pool"), "{}", stderr(&output));
    let text = stdout(&output);
    for comment in [
        "# Not expressible in cognito.toml (`apply` leaves it as it is):",
        "#   verification message EmailSubject: \"Welcome to My App\"",
        "#   verification message EmailMessage: \"Your My App code is {####}\"",
        "#   device tracking: challenge on a new device true, remember devices only when the user opts in true",
    ] {
        assert!(text.contains(comment), "{comment:?} in\n{text}");
    }
    // The SMS sender is a key.
    assert!(
        text.contains("[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"sms-external-id\"\n"),
        "{text}"
    );
    let spec = f.account.dir.path().join("cognito.toml");
    std::fs::write(&spec, &text).unwrap();
    let parsed = parses(&spec);
    assert!(parsed.triggers.wired.is_empty(), "the pool wires no trigger");
    assert!(parsed.domain.is_none(), "the pool has no domain");

    let plan = f.run(&["--spec", spec.to_str().unwrap(), "plan"]);
    assert!(plan.status.success(), "{}\n{}", stderr(&plan), stdout(&plan));
    assert!(
        stdout(&plan).starts_with("no changes: everything matches"),
        "{}",
        stdout(&plan)
    );
}

#[test]
fn phone_number_sign_in_with_its_sms_sender_is_imported_as_keys_and_plans_clean() {
    let f = Fixture::new();
    f.account.runtime.block_on(async {
        let pool = f
            .cognito
            .create_user_pool()
            .pool_name("by-phone")
            .username_attributes(UsernameAttributeType::PhoneNumber)
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedPhoneNumber)
                            .priority(1)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::123456789012:role/cognito-sms")
                    .external_id("by-phone")
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .user_pool
            .unwrap();
        f.public_client(pool.id().unwrap(), "web").await;
    });
    let spec = f.account.dir.path().join("cognito.toml");
    let spec_arg = spec.to_str().unwrap();
    let output = f.run(&["import", "--pool-name", "by-phone", "--out", spec_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("phone_number"), "{}", stderr(&output));
    let written = std::fs::read_to_string(&spec).unwrap();
    assert!(
        written.contains("username_attributes = [\"phone_number\"]")
            && written.contains("[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"by-phone\"\n"),
        "{written}"
    );
    assert!(!written.contains("SmsConfiguration"), "no longer a comment: {written}");
    let plan = f.run(&["--spec", spec_arg, "plan", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));

    let missing = f.run(&["import", "--pool-name", "nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no user pool is named \"nobody\""),
        "{}",
        stderr(&missing)
    );
}
