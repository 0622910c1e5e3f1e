//! Pure plan tests: desired state against AWS descriptions built in the test.

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, DeletionProtectionType, EmailConfigurationType,
    EmailSendingAccountType, ExplicitAuthFlowsType, GroupType, LambdaConfigType, OAuthFlowType, PasswordPolicyType,
    PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType, SchemaAttributeType,
    SoftwareTokenMfaConfigType, StringAttributeConstraintsType, UserPoolClientType, UserPoolMfaType,
    UserPoolPolicyType, UserPoolTierType, UserPoolType, UserVerificationType, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType, WebAuthnConfigurationType, WebAuthnFactorConfigurationType,
};

use super::*;
use crate::desired::MANAGED_TAG;
use crate::observed::{Function, ObservedClient};

const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

fn spec(text: &str) -> Desired {
    crate::spec::parse("cognito.toml", text).unwrap().0
}

fn default_spec() -> Desired {
    spec("[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n")
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

fn policy_for(pool_arn: &str) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "cognito-idp-us-east-1_abc", "Effect": "Allow",
        "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction",
        "Resource": "x",
        "Condition": {"ArnLike": {"AWS:SourceArn": pool_arn}, "StringEquals": {"AWS:SourceAccount": "123456789012"}}
    }]})
    .to_string()
}

/// DescribeUserPool after the default spec was applied, as AWS answers it (with the legacy
/// validity field beside the password policy's).
fn described_pool() -> UserPoolType {
    UserPoolType::builder()
        .id("us-east-1_abc")
        .arn(POOL_ARN)
        .name("toyseven-cognito")
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
        .domain("toyseven")
        .user_pool_tags(MANAGED_TAG, "toyseven-cognito")
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
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::CognitoDefault)
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
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(arn("pre-signup"))
                .post_confirmation(arn("post-confirmation"))
                .custom_message(arn("custom-message"))
                .build(),
        )
        .build()
}

fn described_client() -> UserPoolClientType {
    UserPoolClientType::builder()
        .user_pool_id("us-east-1_abc")
        .client_id("client1")
        .client_name("toyseven-web")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .set_allowed_o_auth_scopes(Some(vec!["openid".into(), "email".into(), "profile".into()]))
        .callback_urls("http://localhost:3000")
        .logout_urls("http://localhost:3000")
        .supported_identity_providers("COGNITO")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .allowed_o_auth_flows_user_pool_client(true)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(true)
        .refresh_token_validity(30)
        .build()
}

/// What AWS reports after the default spec was applied.
fn converged() -> Observed {
    Observed {
        pool: Some(ObservedPool::new(described_pool(), None)),
        clients: vec![ObservedClient::new(described_client())],
        resource_servers: Vec::new(),
        identity_providers: Vec::new(),
        undeclared_providers: Vec::new(),
        offered_outside_spec: Vec::new(),
        groups: vec![crate::desired::Group::from_aws(
            &GroupType::builder().group_name("members").build(),
        )],
        domain_owner: None,
        domain_version: Some(2),
        branded_clients: vec!["client1".into()],
        custom_domain: None,
        functions: Functions::Resolved(
            ["pre-signup", "post-confirmation", "custom-message"]
                .map(|name| Function {
                    reference: name.into(),
                    arn: arn(name),
                    policy: Some(policy_for(POOL_ARN)),
                })
                .into(),
        ),
    }
}

fn empty_account() -> Observed {
    let Functions::Resolved(functions) = converged().functions else {
        unreachable!()
    };
    Observed {
        functions: Functions::Resolved(functions.into_iter().map(|f| Function { policy: None, ..f }).collect()),
        ..Observed::default()
    }
}

fn plan_of(desired: &Desired, observed: &Observed) -> Plan {
    plan(desired, observed, Options::default()).unwrap()
}

/// Each change as the plan prints it, without its marker (the marker tests are in
/// `change/tests.rs`).
fn shown(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|change| {
            let text = change.to_string();
            let marker = format!("{} ", change.action().marker());
            text.strip_prefix(&marker).unwrap_or(&text).to_owned()
        })
        .collect()
}

#[test]
fn an_empty_account_gets_everything_and_the_wiring_comes_after_the_grants() {
    let plan = plan_of(&default_spec(), &empty_account());
    let shown = shown(&plan);
    assert_eq!(
        shown[..5],
        [
            "create user pool \"toyseven-cognito\"",
            "create app client \"toyseven-web\"",
            // Managed login, as the console makes a domain today, with a style for the client
            // before the domain serves it.
            "create managed login branding for app client \"toyseven-web\" (Cognito's own style)",
            "create hosted-UI domain \"toyseven\" (managed login)",
            "create group \"members\"",
        ]
    );
    assert!(
        shown[5..8].iter().all(|s| s.starts_with("grant cognito-idp")),
        "{shown:?}"
    );
    assert!(
        shown[8].starts_with("update user pool (new pool)\n    triggers.pre_sign_up: (unset) -> arn:"),
        "{shown:?}"
    );
    assert_eq!(shown.len(), 9);
    let Change::CreateBranding { request, client_id, .. } = &plan.changes[2] else {
        panic!()
    };
    assert_eq!(*client_id, None, "the client is created by this plan");
    assert_eq!(request.get_client_id().as_deref(), Some(NEW_CLIENT));
    assert_eq!(*request.get_use_cognito_provided_values(), Some(true));
    let Change::CreateDomain { request, .. } = &plan.changes[3] else {
        panic!()
    };
    assert_eq!(*request.get_managed_login_version(), Some(2));
    let Change::CreatePool { request, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(
        *request.get_lambda_config(),
        None,
        "no trigger is wired before its grant"
    );
    assert_eq!(
        request
            .get_username_configuration()
            .as_ref()
            .map(|c| c.case_sensitive()),
        Some(false)
    );
    assert_eq!(
        request
            .get_account_recovery_setting()
            .as_ref()
            .unwrap()
            .recovery_mechanisms()[0]
            .name(),
        &RecoveryOptionNameType::VerifiedEmail
    );
    assert_eq!(
        request.get_user_pool_tags().as_ref().unwrap()[MANAGED_TAG],
        "toyseven-cognito"
    );
}

#[test]
fn a_converged_account_needs_nothing() {
    let plan = plan_of(&default_spec(), &converged());
    assert!(plan.is_empty(), "{:?}", shown(&plan));
    assert_eq!(plan.unchanged.len(), 9, "{:?}", plan.unchanged);
}

#[test]
fn a_changed_field_is_one_field_change_and_the_update_resends_the_rest() {
    let mut desired = default_spec();
    desired.pool.password_policy.minimum_length = 12;
    desired.clients[0]
        .logout_urls
        .push("https://app.example.com/bye".into());
    let plan = plan_of(&desired, &converged());
    assert_eq!(
        shown(&plan),
        [
            "update app client \"toyseven-web\" (client1)\n    logout_urls: [http://localhost:3000] -> [http://localhost:3000, https://app.example.com/bye]",
            "update user pool us-east-1_abc\n    password_policy.minimum_length: 8 -> 12",
        ]
    );
    let Change::UpdatePool { request, .. } = &plan.changes[1] else {
        panic!()
    };
    let policy = request.get_policies().as_ref().unwrap().password_policy().unwrap();
    assert_eq!(
        policy.temporary_password_validity_days(),
        7,
        "kept from the description"
    );
    assert_eq!(
        request.get_lambda_config().as_ref().unwrap().pre_sign_up.as_deref(),
        Some(arn("pre-signup").as_str())
    );
    assert_eq!(*request.get_deletion_protection(), Some(DeletionProtectionType::Active));
    assert_eq!(
        request.get_user_pool_tags().as_ref().unwrap()[MANAGED_TAG],
        "toyseven-cognito"
    );
}

#[test]
fn a_pool_found_by_name_without_the_tag_is_not_adopted_unless_asked() {
    let mut observed = converged();
    let mut raw = described_pool();
    raw.user_pool_tags = None;
    observed.pool = Some(ObservedPool::new(raw, None));
    let error = plan(&default_spec(), &observed, Options::default()).unwrap_err();
    assert!(matches!(error, PlanError::NotManaged { .. }));
    assert!(error.to_string().contains("--adopt"), "{error}");

    let plan = plan(
        &default_spec(),
        &observed,
        Options {
            adopt: true,
            ..Options::default()
        },
    )
    .unwrap();
    let shown = shown(&plan);
    assert_eq!(
        shown[0],
        format!("adopt user pool us-east-1_abc (tag it {MANAGED_TAG} = its name)")
    );
    assert!(
        shown[1].contains(&format!("tags.{MANAGED_TAG}: (unset) -> toyseven-cognito")),
        "{shown:?}"
    );
}

#[test]
fn a_trigger_pointing_elsewhere_is_regranted_before_it_is_rewired() {
    let mut observed = converged();
    let mut raw = described_pool();
    raw.lambda_config = Some(LambdaConfigType::builder().pre_sign_up(arn("old")).build());
    observed.pool = Some(ObservedPool::new(raw, None));
    let plan = plan_of(&default_spec(), &observed);
    let Some(Change::UpdatePool { fields, .. }) = plan.changes.last() else {
        panic!("{:?}", shown(&plan))
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        [
            "triggers.pre_sign_up",
            "triggers.post_confirmation",
            "triggers.custom_message"
        ]
    );
    assert_eq!(fields[0].old, arn("old"));
    assert_eq!(fields[1].old, "(unset)");
}

#[test]
fn fixed_settings_refuse_instead_of_replacing() {
    let mut desired = default_spec();
    desired.pool.case_sensitive = true;
    let error = plan(&desired, &converged(), Options::default()).unwrap_err();
    assert!(
        matches!(&error, PlanError::WouldReplacePool { field, .. } if field == "case_sensitive"),
        "{error}"
    );
    assert!(error.to_string().contains("users would be lost"));

    let mut desired = default_spec();
    desired.clients[0].generate_secret = true;
    assert!(matches!(
        plan(&desired, &converged(), Options::default()),
        Err(PlanError::WouldReplaceClient { .. })
    ));
}

#[test]
fn a_pool_made_before_case_insensitivity_reads_as_case_sensitive() {
    let mut raw = described_pool();
    raw.username_configuration = None;
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    assert!(matches!(
        plan(&default_spec(), &observed, Options::default()),
        Err(PlanError::WouldReplacePool { field, .. }) if field == "case_sensitive"
    ));
}

#[test]
fn a_new_prefix_replaces_the_domain_and_says_the_hosted_ui_goes_down() {
    let mut observed = converged();
    let mut raw = described_pool();
    raw.domain = Some("oldname".into());
    observed.pool = Some(ObservedPool::new(raw, None));
    let plan = plan_of(&default_spec(), &observed);
    let shown = shown(&plan);
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].starts_with("replace hosted-UI domain \"oldname\" with \"toyseven\"")
            && shown[0].contains("unavailable"),
        "{shown:?}"
    );

    // The old domain served managed login (version 2): so does the new one.
    observed.domain_version = Some(2);
    let plan = plan_of(&default_spec(), &observed);
    let Change::ReplaceDomain { create, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(*create.get_managed_login_version(), Some(2));
}

#[test]
fn a_prefix_owned_by_another_pool_is_refused_before_any_write() {
    let mut observed = converged();
    let mut raw = described_pool();
    raw.domain = Some("oldname".into());
    observed.pool = Some(ObservedPool::new(raw, None));
    observed.domain_owner = Some("us-east-1_other".into());
    let mut desired = default_spec();
    desired.pool.password_policy.minimum_length = 12;
    assert!(matches!(
        plan(&desired, &observed, Options::default()),
        Err(PlanError::DomainTaken { .. })
    ));
}

#[test]
fn without_a_domain_table_the_domain_is_left_alone() {
    let mut observed = converged();
    let mut raw = described_pool();
    raw.domain = Some("somebody-elses-choice".into());
    observed.pool = Some(ObservedPool::new(raw, None));
    let desired = spec("[[groups]]\nname = \"members\"\n");
    assert!(plan_of(&desired, &observed).is_empty());
}

#[test]
fn groups_are_created_and_their_drift_updated() {
    let mut observed = converged();
    observed.groups.clear();
    assert_eq!(
        shown(&plan_of(&default_spec(), &observed)),
        ["create group \"members\""]
    );

    let desired =
        spec("[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\nprecedence = 5\ndescription = \"d\"\n");
    let shown = shown(&plan_of(&desired, &converged()));
    assert_eq!(
        shown,
        ["update group \"members\"\n    description: (unset) -> \"d\"\n    precedence: (unset) -> 5"]
    );
}

#[test]
fn invoke_permissions_are_checked_and_a_correction_is_added_before_the_wrong_one_goes() {
    let mut observed = converged();
    let Functions::Resolved(functions) = &mut observed.functions else {
        unreachable!()
    };
    functions[0].policy = None;
    functions[1].policy = Some(policy_for("arn:aws:cognito-idp:us-east-1:123456789012:userpool/other"));
    let plan = plan_of(&default_spec(), &observed);
    assert_eq!(
        shown(&plan),
        [
            format!(
                "grant (corrected) cognito-idp.amazonaws.com permission to invoke {}",
                arn("post-confirmation")
            ),
            format!(
                "grant cognito-idp.amazonaws.com permission to invoke {}",
                arn("pre-signup")
            ),
            format!(
                "remove the wrong invoke permission cognito-idp-us-east-1_abc from {}",
                arn("post-confirmation")
            ),
        ]
    );
    let Change::Grant { request, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(
        request.get_statement_id().as_deref(),
        Some("cognito-idp-us-east-1_abc-2")
    );
    assert_eq!(request.get_source_arn().as_deref(), Some(POOL_ARN));
    assert_eq!(request.get_source_account().as_deref(), Some("123456789012"));
}

#[test]
fn without_a_lambda_api_no_permission_is_planned_and_names_are_wired() {
    let mut observed = empty_account();
    observed.functions = Functions::Unresolved;
    let plan = plan_of(&default_spec(), &observed);
    assert!(!shown(&plan).iter().any(|s| s.contains("permission")));
    let Some(Change::UpdatePool { request, .. }) = plan.changes.last() else {
        panic!()
    };
    assert_eq!(
        request.get_lambda_config().as_ref().unwrap().pre_sign_up.as_deref(),
        Some("pre-signup")
    );
}

#[test]
fn mfa_is_set_through_its_own_call_before_the_pool_update() {
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n[pool]\nmfa = \"on\"\n[pool.mfa_factors]\nsoftware_token = true\n",
    );
    let plan = plan_of(&desired, &converged());
    assert_eq!(
        shown(&plan),
        ["set MFA of user pool us-east-1_abc\n    mfa: OFF -> ON\n    mfa_factors.software_token: (unset) -> true"]
    );
    let Change::SetMfa { request, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(*request.get_mfa_configuration(), Some(UserPoolMfaType::On));
    assert!(
        request
            .get_software_token_mfa_configuration()
            .as_ref()
            .unwrap()
            .enabled()
    );

    // Converged: MFA on, the factor enabled.
    let mut raw = described_pool();
    raw.mfa_configuration = Some(UserPoolMfaType::On);
    let mfa = GetUserPoolMfaConfigOutput::builder()
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .build();
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, Some(mfa)));
    assert!(plan_of(&desired, &observed).is_empty());

    // Turning it off sends no factor (AWS refuses a factor beside OFF).
    let plan = plan_of(&default_spec(), &observed);
    let Change::SetMfa { request, .. } = &plan.changes[0] else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(*request.get_mfa_configuration(), Some(UserPoolMfaType::Off));
    assert_eq!(*request.get_software_token_mfa_configuration(), None);
}

#[test]
fn custom_attributes_are_added_and_never_changed_or_removed() {
    let with = |text: &str| {
        spec(&format!(
            "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n{text}"
        ))
    };
    let desired = with("[[pool.attributes]]\nname = \"tenant_id\"\ntype = \"string\"\nmax_length = 64\n");
    let planned = plan_of(&desired, &converged());
    assert_eq!(
        shown(&planned),
        ["add custom attributes to user pool us-east-1_abc: custom:tenant_id (String, mutable, ..64)"]
    );

    let described = |max: &str| {
        let mut raw = described_pool();
        raw.schema_attributes = Some(vec![
            SchemaAttributeType::builder().name("email").build(),
            SchemaAttributeType::builder()
                .name("custom:tenant_id")
                .attribute_data_type(aws_sdk_cognitoidentityprovider::types::AttributeDataType::String)
                .mutable(true)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("0")
                        .max_length(max)
                        .build(),
                )
                .build(),
        ]);
        let mut observed = converged();
        observed.pool = Some(ObservedPool::new(raw, None));
        observed
    };
    assert!(
        plan_of(&desired, &described("64")).is_empty(),
        "AWS's default minimum is no change"
    );
    assert!(matches!(
        plan(&desired, &described("128"), Options::default()),
        Err(PlanError::WouldReplacePool { field, .. }) if field == "custom attribute custom:tenant_id"
    ));
    let error = plan(&default_spec(), &described("64"), Options::default()).unwrap_err();
    assert!(error.to_string().contains("cannot remove it"), "{error}");
}

#[test]
fn resource_servers_come_before_the_clients_that_use_them() {
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n\
         [[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\nscopes = [{ name = \"read\", description = \"Read\" }]\n\
         [[clients]]\nname = \"toyseven-web\"\n\
         [[clients]]\nname = \"backend\"\ngenerate_secret = true\noauth_flows = [\"client_credentials\"]\noauth_scopes = [\"api/read\"]\ncallback_urls = []\nlogout_urls = []\n",
    );
    let shown = shown(&plan_of(&desired, &converged()));
    assert_eq!(
        shown,
        ["create resource server \"api\"", "create app client \"backend\""]
    );

    let mut observed = converged();
    observed.resource_servers = vec![crate::desired::ResourceServer {
        identifier: "api".into(),
        name: "API".into(),
        scopes: vec![crate::desired::Scope {
            name: "read".into(),
            description: "Old".into(),
        }],
    }];
    let shown = self::shown(&plan_of(&desired, &observed));
    assert_eq!(
        shown[0],
        "update resource server \"api\"\n    scopes: [read (\"Old\")] -> [read (\"Read\")]"
    );
}

#[test]
fn access_token_customization_needs_a_tier_above_lite() {
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n[triggers]\npre_token_generation = { function = \"pre-signup\", version = \"V2_0\" }\n",
    );
    let mut raw = described_pool();
    raw.user_pool_tier = Some(UserPoolTierType::Lite);
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    let error = plan(&desired, &observed, Options::default()).unwrap_err();
    assert!(matches!(error, PlanError::NeedsTier { .. }), "{error}");
    assert!(error.to_string().contains("tier = \"essentials\""));
}

#[test]
fn token_lifetimes_compare_by_span() {
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n[client]\nrefresh_token_validity = \"720h\"\naccess_token_validity = \"60m\"\n",
    );
    // AWS reports refresh 30 (days) and no access token validity (its default, one hour).
    assert!(plan_of(&desired, &converged()).is_empty());
}

#[test]
fn providers_come_before_the_clients_that_list_them_and_their_secret_is_never_in_the_plan() {
    use crate::desired::{IdentityProvider, SecretState};
    use crate::observed::ObservedProvider;
    use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, IdentityProviderTypeType};

    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n\
         [[identity_providers]]\nname = \"Google\"\ntype = \"google\"\nclient_id = \"1234\"\nclient_secret_env = \"GOOGLE_CLIENT_SECRET\"\n\
         [client]\nidentity_providers = [\"COGNITO\", \"Google\"]\n",
    );
    let plan = plan_of(&desired, &converged());
    let listed = shown(&plan);
    assert_eq!(listed[0], "create identity provider \"Google\"");
    assert!(listed[1].starts_with("update app client"), "{listed:?}");
    let Change::CreateIdentityProvider { request, secret, .. } = &plan.changes[0] else {
        panic!()
    };
    assert!(
        !request
            .get_provider_details()
            .as_ref()
            .unwrap()
            .contains_key("client_secret")
    );
    assert_eq!(secret.as_ref().unwrap().key, "client_secret");

    // AWS holds another secret: the plan says so without either value.
    let raw = IdentityProviderType::builder()
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", "1234")
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("authorize_url", "https://accounts.google.com/o/oauth2/v2/auth")
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .attribute_mapping("username", "sub")
        .build();
    let mut observed = converged();
    observed.clients[0].state.identity_providers = vec!["COGNITO".into(), "Google".into()];
    observed.identity_providers = vec![ObservedProvider {
        state: IdentityProvider::from_aws(&raw).unwrap(),
        raw: raw.clone(),
        secret: SecretState::Same,
    }];
    assert!(
        plan_of(&desired, &observed).is_empty(),
        "details AWS adds are not drift"
    );
    observed.identity_providers[0].secret = SecretState::Differs;
    let plan = plan_of(&desired, &observed);
    assert_eq!(
        shown(&plan),
        [
            "update identity provider \"Google\"\n    client_secret: (differs) -> (from the environment variable GOOGLE_CLIENT_SECRET) (sensitive)"
        ]
    );
    let Change::UpdateIdentityProvider { request, .. } = &plan.changes[0] else {
        panic!()
    };
    let details = request.get_provider_details().as_ref().unwrap();
    assert_eq!(
        details["authorize_url"], "https://accounts.google.com/o/oauth2/v2/auth",
        "kept"
    );
    assert!(!details.contains_key("client_secret"));
}

#[test]
fn a_provider_the_spec_no_longer_declares_is_deleted_after_the_clients_stop_offering_it_and_only_destructively() {
    let desired = default_spec();
    let mut observed = converged();
    observed.clients[0].state.identity_providers = vec!["COGNITO".into(), "Google".into()];
    observed.undeclared_providers = vec![("Google".into(), "Google".into())];
    let plan = plan_of(&desired, &observed);
    let listed = shown(&plan);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].starts_with("update app client"), "{listed:?}");
    assert!(
        listed[1].starts_with("delete identity provider \"Google\""),
        "{listed:?}"
    );
    let delete = &plan.changes[1];
    assert_eq!(delete.action(), Action::Delete);
    assert!(delete.is_destructive());
    assert_eq!(
        delete.fields(),
        [FieldChange::new("type", "Google", UNSET)],
        "the JSON plan's fields"
    );
    let Change::DeleteIdentityProvider { request, .. } = delete else {
        panic!("{delete:?}")
    };
    assert_eq!(request.get_provider_name().as_deref(), Some("Google"));
    let pool = observed.pool.as_ref().unwrap().id.as_str();
    assert_eq!(request.get_user_pool_id().as_deref(), Some(pool));
}

#[test]
fn a_provider_still_offered_by_a_client_outside_the_spec_is_refused_rather_than_deleted() {
    let desired = default_spec();
    let mut observed = converged();
    observed.undeclared_providers = vec![("Google".into(), "Google".into())];
    observed.offered_outside_spec = vec![
        ("Google".into(), "mobile-app".into()),
        ("Google".into(), "tv-app".into()),
    ];
    let refused = plan(&desired, &observed, Options::default()).unwrap_err();
    assert!(
        matches!(&refused, PlanError::ProviderOfferedOutsideSpec { offered } if offered.len() == 2),
        "{refused:?}"
    );
    let said = refused.to_string();
    assert!(
        said.contains("\"Google\" by app client \"mobile-app\", \"Google\" by app client \"tv-app\"")
            && said.contains("[[identity_providers]]"),
        "every pair, so one fix answers it: {said}"
    );
}

#[test]
fn a_provider_update_sends_back_neither_the_generated_certificate_nor_what_a_changed_key_derived() {
    use crate::desired::{IdentityProvider, SecretState};
    use crate::observed::ObservedProvider;
    use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, IdentityProviderTypeType};

    let observed_with = |raw: IdentityProviderType| {
        let mut observed = converged();
        observed.identity_providers = vec![ObservedProvider {
            state: IdentityProvider::from_aws(&raw).unwrap(),
            raw,
            secret: SecretState::Same,
        }];
        observed
    };
    let details_sent = |desired: &Desired, observed: &Observed| {
        let plan = plan_of(desired, observed);
        let Some(Change::UpdateIdentityProvider { request, .. }) = plan.changes.first() else {
            panic!("{:?}", shown(&plan))
        };
        request.clone()
    };

    // An OIDC provider moved to another issuer: the endpoints AWS discovered from the old one
    // would otherwise stay in force.
    let oidc = IdentityProviderType::builder()
        .provider_name("Corp")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "corp")
        .provider_details("oidc_issuer", "https://old.example.com")
        .provider_details("attributes_request_method", "GET")
        .provider_details("authorize_scopes", "openid email")
        .provider_details("authorize_url", "https://old.example.com/authorize")
        .provider_details("token_url", "https://old.example.com/token")
        .provider_details("attributes_url", "https://old.example.com/userinfo")
        .provider_details("jwks_uri", "https://old.example.com/jwks")
        .provider_details("attributes_url_add_attributes", "false")
        .acr_mapping("urn:acr:high", "phr")
        .build();
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n\
         [[identity_providers]]\nname = \"Corp\"\ntype = \"oidc\"\nclient_id = \"corp\"\nclient_secret_env = \"CORP_SECRET\"\nissuer = \"https://new.example.com\"\n",
    );
    let request = details_sent(&desired, &observed_with(oidc.clone()));
    let details = request.get_provider_details().as_ref().unwrap();
    assert_eq!(details["oidc_issuer"], "https://new.example.com");
    for stale in ["authorize_url", "token_url", "attributes_url", "jwks_uri"] {
        assert!(!details.contains_key(stale), "{stale} from the old issuer is sent back");
    }
    assert_eq!(details["attributes_url_add_attributes"], "false", "the rest is kept");
    assert_eq!(
        request.get_acr_mapping().as_ref().unwrap()["urn:acr:high"],
        "phr",
        "the ACR mapping is kept"
    );

    // The issuer unchanged (a scope added): what AWS discovered is kept.
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n\
         [[identity_providers]]\nname = \"Corp\"\ntype = \"oidc\"\nclient_id = \"corp\"\nclient_secret_env = \"CORP_SECRET\"\nissuer = \"https://old.example.com\"\nauthorize_scopes = [\"openid\", \"email\", \"profile\"]\n",
    );
    let request = details_sent(&desired, &observed_with(oidc));
    assert_eq!(
        request.get_provider_details().as_ref().unwrap()["authorize_url"],
        "https://old.example.com/authorize"
    );

    // A SAML provider: the certificate AWS generated and rotates is never sent back.
    let saml = IdentityProviderType::builder()
        .provider_name("Okta")
        .provider_type(IdentityProviderTypeType::Saml)
        .provider_details("MetadataURL", "https://okta.example.com/old/metadata")
        .provider_details("ActiveEncryptionCertificate", "MIIC...")
        .provider_details("SSORedirectBindingURI", "https://okta.example.com/old/sso")
        .provider_details("IDPSignout", "true")
        .build();
    let desired = spec(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n\
         [[identity_providers]]\nname = \"Okta\"\ntype = \"saml\"\nmetadata_url = \"https://okta.example.com/new/metadata\"\n",
    );
    let request = details_sent(&desired, &observed_with(saml));
    let details = request.get_provider_details().as_ref().unwrap();
    assert!(!details.contains_key("ActiveEncryptionCertificate"));
    assert!(!details.contains_key("SSORedirectBindingURI"));
    assert_eq!(details["IDPSignout"], "true");
}

#[test]
fn an_update_keeps_the_from_and_reply_to_addresses_of_cognitos_sender() {
    // Made in the console: Cognito's sender, with a reply-to address and a From address of a
    // verified SES identity. The spec has no key for these; UpdateUserPool would reset them.
    let mut raw = described_pool();
    raw.email_configuration = Some(
        EmailConfigurationType::builder()
            .email_sending_account(EmailSendingAccountType::CognitoDefault)
            .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
            .from("Example <no-reply@example.com>")
            .reply_to_email_address("help@example.com")
            .build(),
    );
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    let mut desired = default_spec();
    desired.pool.password_policy.minimum_length = 12;
    let plan = plan_of(&desired, &observed);
    assert_eq!(
        shown(&plan),
        ["update user pool us-east-1_abc\n    password_policy.minimum_length: 8 -> 12"],
        "the addresses are not drift"
    );
    let Change::UpdatePool { request, .. } = &plan.changes[0] else {
        panic!()
    };
    let email = request.get_email_configuration().as_ref().unwrap();
    assert_eq!(
        email.email_sending_account(),
        Some(&EmailSendingAccountType::CognitoDefault)
    );
    assert_eq!(email.reply_to_email_address(), Some("help@example.com"));
    assert_eq!(email.from(), Some("Example <no-reply@example.com>"));
    assert_eq!(
        email.source_arn(),
        Some("arn:aws:ses:us-east-1:123456789012:identity/example.com")
    );
}

#[test]
fn leaving_ses_for_cognitos_sender_drops_the_ses_addresses() {
    let mut raw = described_pool();
    raw.email_configuration = Some(
        EmailConfigurationType::builder()
            .email_sending_account(EmailSendingAccountType::Developer)
            .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
            .from("no-reply@example.com")
            .build(),
    );
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    let plan = plan_of(&default_spec(), &observed);
    let Change::UpdatePool { request, .. } = &plan.changes[0] else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(
        *request.get_email_configuration(),
        Some(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::CognitoDefault)
                .build()
        )
    );
}

#[test]
fn an_attribute_no_longer_verified_leaves_the_keep_original_value_setting_too() {
    use aws_sdk_cognitoidentityprovider::types::UserAttributeUpdateSettingsType;

    // The console's default: email auto-verified, and kept until a change is verified.
    let mut raw = described_pool();
    raw.user_attribute_update_settings = Some(
        UserAttributeUpdateSettingsType::builder()
            .attributes_require_verification_before_update(VerifiedAttributeType::Email)
            .build(),
    );
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    let kept_in = |desired: &Desired| {
        let plan = plan_of(desired, &observed);
        let Some(Change::UpdatePool { request, .. }) = plan.changes.last() else {
            panic!("{:?}", shown(&plan))
        };
        request
            .get_user_attribute_update_settings()
            .as_ref()
            .unwrap()
            .attributes_require_verification_before_update()
            .to_vec()
    };

    let mut desired = default_spec();
    desired.pool.password_policy.minimum_length = 12;
    assert_eq!(
        kept_in(&desired),
        [VerifiedAttributeType::Email],
        "kept while email is verified"
    );

    // AWS refuses it beside an AutoVerifiedAttributes that lacks the attribute.
    let mut desired = default_spec();
    desired.pool.auto_verified_attributes.clear();
    assert_eq!(kept_in(&desired), []);
}

#[test]
fn leaving_plus_while_the_pool_keeps_threat_protection_is_refused_before_any_write() {
    use aws_sdk_cognitoidentityprovider::types::{AdvancedSecurityModeType, UserPoolAddOnsType};

    let mut raw = described_pool();
    raw.user_pool_tier = Some(UserPoolTierType::Plus);
    raw.user_pool_add_ons = Some(
        UserPoolAddOnsType::builder()
            .advanced_security_mode(AdvancedSecurityModeType::Enforced)
            .build()
            .unwrap(),
    );
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, None));
    let with = |pool: &str| {
        spec(&format!(
            "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n[pool]\n{pool}"
        ))
    };

    // The update would send ESSENTIALS beside the pool's ENFORCED add-on, which AWS refuses
    // ("The following features need to be disabled for the ESSENTIALS pricing tier
    // configured: Threat Protection").
    let error = plan(&with("tier = \"essentials\"\n"), &observed, Options::default()).unwrap_err();
    assert!(matches!(error, PlanError::ThreatProtectionNeedsPlus { .. }), "{error}");
    assert!(error.to_string().contains("threat_protection = \"off\""), "{error}");

    // Turned off with the change of plan, it is one update.
    let plan = plan_of(&with("tier = \"essentials\"\nthreat_protection = \"off\"\n"), &observed);
    assert_eq!(plan.changes.len(), 1, "{:?}", shown(&plan));
    // The plan left as it is, so is the add-on.
    assert!(plan_of(&default_spec(), &observed).is_empty());
}

#[test]
fn a_client_whose_oauth_was_turned_off_is_turned_back_on() {
    // AllowedOAuthFlowsUserPoolClient false: the hosted UI refuses the client (only SDK
    // sign-in works), though DescribeUserPoolClient still lists its flows and scopes.
    let mut observed = converged();
    let mut raw = described_client();
    raw.allowed_o_auth_flows_user_pool_client = Some(false);
    observed.clients = vec![ObservedClient::new(raw)];
    let plan = plan_of(&default_spec(), &observed);
    assert_eq!(
        shown(&plan),
        ["update app client \"toyseven-web\" (client1)\n    oauth_flows: [] -> [code]"]
    );
    let Change::UpdateClient { request, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(*request.get_allowed_o_auth_flows_user_pool_client(), Some(true));
}

#[test]
fn threat_protection_off_matches_a_pool_that_reports_no_add_ons() {
    // A pool never given UserPoolAddOns may describe none; that is threat protection off,
    // not a difference to write again on every apply.
    assert_eq!(described_pool().user_pool_add_ons, None);
    let desired =
        spec("[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n[pool]\nthreat_protection = \"off\"\n");
    assert!(plan_of(&desired, &converged()).is_empty());
}

#[test]
fn custom_attributes_are_added_at_most_25_a_call() {
    // AddCustomAttributes takes 1 to 25 attributes; a pool may have 50.
    let attributes: String = (0..30)
        .map(|i| format!("[[pool.attributes]]\nname = \"a{i}\"\ntype = \"string\"\n"))
        .collect();
    let desired = spec(&format!(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n{attributes}"
    ));
    let plan = plan_of(&desired, &converged());
    let sizes: Vec<usize> = plan
        .changes
        .iter()
        .filter_map(|c| {
            let Change::AddCustomAttributes { request, .. } = c else {
                return None;
            };
            Some(request.get_custom_attributes().as_ref().map_or(0, Vec::len))
        })
        .collect();
    assert_eq!(sizes, [25, 5]);
}

#[test]
fn a_default_redirect_uri_left_to_the_pool_goes_with_its_callback_url() {
    // The spec leaves the default to the pool, and drops the callback URL it names: AWS
    // refuses a DefaultRedirectURI that is not one of the CallbackURLs.
    let mut observed = converged();
    let mut raw = described_client();
    raw.callback_urls = Some(vec![
        "http://localhost:3000".into(),
        "https://old.example.com/cb".into(),
    ]);
    raw.default_redirect_uri = Some("https://old.example.com/cb".into());
    observed.clients = vec![ObservedClient::new(raw)];
    let plan = plan_of(&default_spec(), &observed);
    let Change::UpdateClient { request, .. } = &plan.changes[0] else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(
        request.get_callback_urls().as_deref(),
        Some(&["http://localhost:3000".to_owned()][..])
    );
    assert_eq!(*request.get_default_redirect_uri(), None);

    // Still one of them, it is kept.
    let mut desired = default_spec();
    desired.clients[0]
        .callback_urls
        .push("https://old.example.com/cb".into());
    desired.clients[0]
        .logout_urls
        .push("https://old.example.com/bye".into());
    let plan = plan_of(&desired, &observed);
    let Change::UpdateClient { request, .. } = &plan.changes[0] else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(
        request.get_default_redirect_uri().as_deref(),
        Some("https://old.example.com/cb")
    );
}

const SMS_AND_SES: &str = "[pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"toyseven\"\n\
[pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"noreply@example.com\"\n";

fn with_default(text: &str) -> Desired {
    spec(&format!(
        "[domain]\nprefix = \"toyseven\"\n[[groups]]\nname = \"members\"\n{text}"
    ))
}

#[test]
fn sms_and_email_factors_are_enabled_with_their_senders_before_the_mode() {
    let desired = with_default(&format!(
        "[pool]\nmfa = \"optional\"\n[pool.mfa_factors]\nsms = true\nemail = true\n{SMS_AND_SES}"
    ));
    let plan = plan_of(&desired, &converged());
    let shown = shown(&plan);
    assert_eq!(
        shown[0],
        "set MFA of user pool us-east-1_abc\n    mfa: OFF -> OPTIONAL\n    mfa_factors.sms: (unset) -> true\n    \
         mfa_factors.email: (unset) -> true",
        "a factor left off is no change: {shown:?}"
    );
    let Change::SetMfa { request, .. } = &plan.changes[0] else {
        panic!()
    };
    let sms = request
        .get_sms_mfa_configuration()
        .as_ref()
        .expect("SMS MFA is enabled");
    let sender = sms.sms_configuration().expect("with the spec's SMS sender");
    assert_eq!(sender.sns_caller_arn(), "arn:aws:iam::123456789012:role/cognito-sms");
    assert_eq!(sender.external_id(), Some("toyseven"));
    assert!(request.get_email_mfa_configuration().is_some());
    assert!(
        request
            .get_software_token_mfa_configuration()
            .as_ref()
            .is_some_and(|t| !t.enabled())
    );
    // The pool's update, after, sends the SMS sender and the mode.
    let Some(Change::UpdatePool { request, fields, .. }) = plan.changes.last() else {
        panic!("{shown:?}")
    };
    assert!(
        fields.iter().any(|f| f.field == "sms" && f.new.contains("cognito-sms")),
        "{fields:?}"
    );
    assert_eq!(
        request.get_sms_configuration().as_ref().map(|s| s.sns_caller_arn()),
        Some("arn:aws:iam::123456789012:role/cognito-sms")
    );
    assert_eq!(*request.get_mfa_configuration(), Some(UserPoolMfaType::Optional));
}

#[test]
fn first_factors_and_passkeys_are_sent_and_read_back_as_converged() {
    let desired = with_default(&format!(
        "[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\", \"web_authn\"]\n\
         [pool.web_authn]\nrelying_party_id = \"toyseven.auth.us-east-1.amazoncognito.com\"\n{SMS_AND_SES}"
    ));
    let plan = plan_of(&desired, &converged());
    let Change::SetMfa { request, fields, .. } = &plan.changes[0] else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(
        *request.get_mfa_configuration(),
        Some(UserPoolMfaType::Off),
        "passkeys need no MFA"
    );
    assert_eq!(
        request.get_software_token_mfa_configuration(),
        &None,
        "and no factor goes beside OFF"
    );
    let passkeys = request.get_web_authn_configuration().as_ref().unwrap();
    assert_eq!(
        passkeys.relying_party_id(),
        Some("toyseven.auth.us-east-1.amazoncognito.com")
    );
    assert_eq!(passkeys.user_verification().map(|v| v.as_str()), Some("preferred"));
    assert!(
        fields.iter().any(|f| f.field == "web_authn.relying_party_id"),
        "{fields:?}"
    );
    let Some(Change::UpdatePool { request, .. }) = plan.changes.last() else {
        panic!()
    };
    let policy = request.get_policies().as_ref().unwrap().sign_in_policy().unwrap();
    assert_eq!(
        policy
            .allowed_first_auth_factors()
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>(),
        ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    );

    // What AWS then reports is converged.
    let Change::UpdatePool { request: update, .. } = plan.changes.last().unwrap() else {
        unreachable!()
    };
    let mut raw = described_pool();
    raw.policies = update.get_policies().clone();
    raw.sms_configuration = update.get_sms_configuration().clone();
    raw.email_configuration = update.get_email_configuration().clone();
    let Change::SetMfa { request: mfa, .. } = &plan.changes[0] else {
        unreachable!()
    };
    let answered = GetUserPoolMfaConfigOutput::builder()
        .mfa_configuration(UserPoolMfaType::Off)
        .set_web_authn_configuration(mfa.get_web_authn_configuration().clone())
        .build();
    let mut observed = converged();
    observed.pool = Some(ObservedPool::new(raw, Some(answered)));
    assert!(
        plan_of(&desired, &observed).is_empty(),
        "{:?}",
        shown(&plan_of(&desired, &observed))
    );
}

#[test]
fn passkeys_as_mfa_are_set_when_the_spec_says_and_otherwise_kept_as_the_pool_has_them() {
    let passkeys = |factor: &str| {
        with_default(&format!(
            "[pool.web_authn]\nrelying_party_id = \"toyseven.auth.us-east-1.amazoncognito.com\"\n{factor}"
        ))
    };
    let observed_with = |factor: Option<WebAuthnFactorConfigurationType>| {
        let answered = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Off)
            .web_authn_configuration(
                WebAuthnConfigurationType::builder()
                    .relying_party_id("toyseven.auth.us-east-1.amazoncognito.com")
                    .user_verification(UserVerificationType::Preferred)
                    .set_factor_configuration(factor)
                    .build(),
            )
            .build();
        let mut observed = converged();
        observed.pool = Some(ObservedPool::new(described_pool(), Some(answered)));
        observed
    };
    // What the plan's SetUserPoolMfaConfig sends as the factor configuration.
    let sent = |plan: &Plan| match &plan.changes[0] {
        Change::SetMfa { request, .. } => request
            .get_web_authn_configuration()
            .as_ref()
            .unwrap()
            .factor_configuration()
            .cloned(),
        _ => panic!("{:?}", shown(plan)),
    };
    let multi = WebAuthnFactorConfigurationType::MultiFactorWithUserVerification;

    // Left out: the pool's setting stays, and is sent back when something else changes.
    assert!(plan_of(&passkeys(""), &observed_with(Some(multi.clone()))).is_empty());
    let required = passkeys("user_verification = \"required\"\n");
    let plan = plan_of(&required, &observed_with(Some(multi.clone())));
    assert_eq!(sent(&plan), Some(multi.clone()), "kept");

    // Named: drift is planned and sent.
    let named = passkeys("factor_configuration = \"multi_factor_with_user_verification\"\n");
    let plan = plan_of(&named, &observed_with(None));
    assert_eq!(
        shown(&plan),
        [
            "set MFA of user pool us-east-1_abc\n    web_authn.factor_configuration: (unset) -> MULTI_FACTOR_WITH_USER_VERIFICATION"
        ]
    );
    assert_eq!(sent(&plan), Some(multi.clone()));
    assert!(plan_of(&named, &observed_with(Some(multi))).is_empty(), "converged");
}

#[test]
fn a_lite_pool_is_refused_passwordless_factors_before_any_write() {
    let desired = with_default(&format!(
        "[pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\"]\n{SMS_AND_SES}"
    ));
    let mut observed = converged();
    let mut raw = described_pool();
    raw.user_pool_tier = Some(UserPoolTierType::Lite);
    observed.pool = Some(ObservedPool::new(raw, None));
    let error = plan(&desired, &observed, Options::default()).unwrap_err();
    assert!(matches!(error, PlanError::LacksEssentials { .. }), "{error}");
    assert!(error.to_string().contains("passwordless sign-in"), "{error}");
    // On Essentials (the default of a new pool) it is planned.
    assert!(plan(&desired, &converged(), Options::default()).is_ok());
    assert!(plan(&desired, &empty_account(), Options::default()).is_ok());
}

#[test]
fn an_existing_domain_keeps_its_login_pages_unless_the_spec_names_a_version() {
    // A classic domain stays classic, and needs no branding style.
    let mut classic = converged();
    classic.domain_version = Some(1);
    classic.branded_clients.clear();
    assert!(plan_of(&default_spec(), &classic).is_empty());

    // Switched to managed login: the client's style first, then the domain.
    let desired = spec("[domain]\nprefix = \"toyseven\"\nmanaged_login_version = 2\n[[groups]]\nname = \"members\"\n");
    let plan = plan_of(&desired, &classic);
    assert_eq!(
        shown(&plan),
        [
            "create managed login branding for app client \"toyseven-web\" (Cognito's own style)",
            "update hosted-UI domain \"toyseven\"\n    managed_login_version: 1 -> 2",
        ]
    );
    let Change::CreateBranding { request, .. } = &plan.changes[0] else {
        panic!()
    };
    assert_eq!(request.get_client_id().as_deref(), Some("client1"));
    let Change::UpdateDomain { request, .. } = &plan.changes[1] else {
        panic!()
    };
    assert_eq!(*request.get_managed_login_version(), Some(2));

    // Back to the classic hosted UI: the style is left as it is.
    let desired = spec("[domain]\nprefix = \"toyseven\"\nmanaged_login_version = 1\n[[groups]]\nname = \"members\"\n");
    assert_eq!(
        shown(&plan_of(&desired, &converged())),
        ["update hosted-UI domain \"toyseven\"\n    managed_login_version: 2 -> 1"]
    );
}

#[test]
fn a_client_of_a_managed_login_domain_without_a_style_gets_cognitos_own() {
    let mut observed = converged();
    observed.branded_clients.clear();
    let plan = plan_of(&default_spec(), &observed);
    assert_eq!(
        shown(&plan),
        ["create managed login branding for app client \"toyseven-web\" (Cognito's own style)"]
    );
    // A client with only the client-credentials grant never sees the login pages.
    let mut machine = default_spec();
    machine.clients[0].oauth_flows = vec![crate::desired::OAuthFlow::ClientCredentials];
    let plan = plan_of(&machine, &observed);
    assert!(
        !shown(&plan).iter().any(|s| s.contains("branding")),
        "{:?}",
        shown(&plan)
    );
}

#[test]
fn a_custom_domain_is_created_updated_for_its_certificate_and_replaced_only_as_a_destructive_change() {
    let with = |name: &str, certificate: &str| {
        spec(&format!(
            "[domain]\nprefix = \"toyseven\"\n[domain.custom]\nname = \"{name}\"\n\
             certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/{certificate}\"\n\
             [[groups]]\nname = \"members\"\n"
        ))
    };
    let plan = plan_of(&with("auth.example.com", "one"), &converged());
    let [Change::CreateCustomDomain { request, version, .. }] = plan.changes.as_slice() else {
        panic!("{:?}", shown(&plan))
    };
    assert_eq!(*version, 2, "the login pages the prefix domain serves");
    assert_eq!(request.get_domain().as_deref(), Some("auth.example.com"));
    assert!(
        request
            .get_custom_domain_config()
            .as_ref()
            .unwrap()
            .certificate_arn()
            .ends_with("/one")
    );

    let mut observed = converged();
    observed.custom_domain = Some(crate::observed::ObservedCustomDomain {
        name: "auth.example.com".into(),
        certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/one".into()),
        managed_login_version: Some(2),
    });
    assert!(plan_of(&with("auth.example.com", "one"), &observed).is_empty());
    let renewed = plan_of(&with("auth.example.com", "two"), &observed);
    assert_eq!(
        shown(&renewed),
        [
            "update custom domain \"auth.example.com\"\n    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/one -> \
          arn:aws:acm:us-east-1:123456789012:certificate/two"
        ]
    );
    assert!(renewed.destructive().is_empty(), "a new certificate keeps sign-in up");

    let moved = plan_of(&with("login.example.com", "one"), &observed);
    let [Change::ReplaceCustomDomain { delete, create, .. }] = moved.changes.as_slice() else {
        panic!("{:?}", shown(&moved))
    };
    assert_eq!(delete.get_domain().as_deref(), Some("auth.example.com"));
    assert_eq!(create.get_domain().as_deref(), Some("login.example.com"));
    assert_eq!(moved.destructive().len(), 1);
    assert!(
        shown(&moved)[0].contains("sign-in on \"auth.example.com\" stops"),
        "{:?}",
        shown(&moved)
    );
}

#[test]
fn log_delivery_is_set_after_the_pool_and_refused_before_any_write_where_the_plan_lacks_plus() {
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/toyseven";
    let desired = with_default(&format!(
        "[[pool.log_delivery]]\nevent_source = \"user_notification\"\ndestination = \"{group}\"\n"
    ));
    let created = plan_of(&desired, &empty_account());
    let Some(Change::SetLogDelivery { request, fields, .. }) = created.changes.last() else {
        panic!("{:?}", shown(&created))
    };
    assert_eq!(request.get_log_configurations().as_ref().map(Vec::len), Some(1));
    assert_eq!(fields[0].field, "log_delivery.user_notification");

    // Converged, then a source removed shows as a change.
    let mut observed = converged();
    if let Some(pool) = observed.pool.as_mut() {
        pool.state.log_delivery = Some(vec![crate::desired::LogDelivery {
            event_source: crate::desired::EventSource::UserNotification,
            destination: group.into(),
        }]);
    }
    assert!(plan_of(&desired, &observed).is_empty());
    let none = with_default("[pool]\nname = \"toyseven-cognito\"\n");
    assert!(plan_of(&none, &observed).is_empty(), "no table: left as it is");
    let mut removed = desired.clone();
    removed.pool.log_delivery = Some(Vec::new());
    assert_eq!(
        shown(&plan_of(&removed, &observed)),
        [format!(
            "set log delivery of user pool us-east-1_abc\n    log_delivery.user_notification: {group} -> (none)"
        )]
    );

    // User auth events need Plus: the pool is on Essentials and the spec names no plan.
    let mut auth_events = desired.clone();
    auth_events.pool.log_delivery = Some(vec![crate::desired::LogDelivery {
        event_source: crate::desired::EventSource::UserAuthEvents,
        destination: group.into(),
    }]);
    let mut essentials = converged();
    if let Some(pool) = essentials.pool.as_mut() {
        pool.state.tier = Some(crate::desired::Tier::Essentials);
    }
    let error = plan(&auth_events, &essentials, Options::default()).unwrap_err();
    assert!(matches!(error, PlanError::NeedsPlus { .. }), "{error}");
    let error = plan(&auth_events, &empty_account(), Options::default()).unwrap_err();
    assert!(
        error.to_string().contains("essentials feature plan"),
        "a new pool's default: {error}"
    );
}

#[test]
fn threat_protection_is_tuned_after_the_update_that_switches_it_on_and_then_converges() {
    let desired = with_default(
        "[pool]\ntier = \"plus\"\nthreat_protection = \"audit\"\n[pool.risk_configuration]\n\
         compromised_credentials = \"block\"\nskipped_ip_ranges = [\"198.51.100.0/24\"]\n",
    );
    let plan = plan_of(&desired, &converged());
    let shown = shown(&plan);
    let update = shown
        .iter()
        .position(|s| s.starts_with("update user pool"))
        .expect("threat protection is switched on");
    let tuning = shown
        .iter()
        .position(|s| s.starts_with("set threat protection settings"))
        .expect("and tuned");
    assert!(update < tuning, "{shown:?}");
    let Change::SetRisk { request, .. } = &plan.changes[tuning] else {
        unreachable!()
    };
    assert_eq!(request.get_client_id(), &None, "the whole pool");
    assert_eq!(
        request
            .get_risk_exception_configuration()
            .as_ref()
            .unwrap()
            .skipped_ip_range_list(),
        ["198.51.100.0/24"]
    );

    // What DescribeRiskConfiguration then reports is converged.
    let mut observed = converged();
    if let Some(pool) = observed.pool.as_mut() {
        let built = request.clone().build().unwrap();
        let reported = aws_sdk_cognitoidentityprovider::types::RiskConfigurationType::builder()
            .set_compromised_credentials_risk_configuration(built.compromised_credentials_risk_configuration)
            .set_account_takeover_risk_configuration(built.account_takeover_risk_configuration)
            .set_risk_exception_configuration(built.risk_exception_configuration)
            .build();
        pool.state.risk = Some(crate::desired::Risk::from_aws(Some(&reported)));
    }
    let again = plan_of(&desired, &observed);
    assert!(
        !shown_of(&again).iter().any(|s| s.starts_with("set threat protection")),
        "{:?}",
        shown_of(&again)
    );
}

fn shown_of(plan: &Plan) -> Vec<String> {
    shown(plan)
}
