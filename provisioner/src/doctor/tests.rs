//! Every finding from observations built here, without AWS: a healthy pool (the default
//! spec applied) has none, and each trap added to it gives its finding and no other.

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    DeletionProtectionType, EmailConfigurationType, EmailSendingAccountType, LambdaConfigType, OAuthFlowType,
    SmsConfigurationType, SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolClientType, UserPoolMfaType,
    UserPoolType, UsernameConfigurationType,
};
use serde_json::json;

use super::*;

const POOL_ID: &str = "us-east-1_abc";
const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/post-confirmation-role";

fn default_spec() -> Desired {
    crate::spec::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cognito.toml"))
        .unwrap()
        .0
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// DescribeUserPool after the default spec was applied.
fn pool_builder() -> aws_sdk_cognitoidentityprovider::types::builders::UserPoolTypeBuilder {
    let mut lambda = LambdaConfigType::builder().build();
    for (trigger, name) in [
        (Trigger::PreSignUp, "pre-signup"),
        (Trigger::PostConfirmation, "post-confirmation"),
        (Trigger::CustomMessage, "custom-message"),
    ] {
        trigger.set(&mut lambda, &arn(name), None);
    }
    UserPoolType::builder()
        .id(POOL_ID)
        .arn(POOL_ARN)
        .name("toyseven-cognito")
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .mfa_configuration(UserPoolMfaType::Off)
        .deletion_protection(DeletionProtectionType::Active)
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::CognitoDefault)
                .build(),
        )
        .estimated_number_of_users(3)
        .domain("toyseven")
        .lambda_config(lambda)
}

fn client(name: &str, secret: bool, flows: &[&str], callbacks: &[&str]) -> ObservedClient {
    let mut raw = UserPoolClientType::builder()
        .client_id(format!("{name}-id"))
        .client_name(name)
        .set_allowed_o_auth_flows(Some(flows.iter().map(|f| OAuthFlowType::from(*f)).collect()))
        .allowed_o_auth_flows_user_pool_client(!flows.is_empty())
        .set_callback_urls(Some(callbacks.iter().map(|u| (*u).to_owned()).collect()))
        .logout_urls("http://localhost:3000");
    if secret {
        raw = raw.client_secret("not shown");
    }
    ObservedClient::new(raw.build())
}

fn scoped_policy() -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "cognito-idp-us-east-1_abc", "Effect": "Allow",
        "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction",
        "Resource": "x",
        "Condition": {"ArnLike": {"AWS:SourceArn": POOL_ARN}, "StringEquals": {"AWS:SourceAccount": "123456789012"}}
    }]})
    .to_string()
}

fn add_to_group_policy() -> Policy {
    Policy {
        name: "least-privilege".into(),
        document: json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": "*"},
            {"Effect": "Allow", "Action": "cognito-idp:AdminAddUserToGroup", "Resource": POOL_ARN},
        ]}),
    }
}

fn function(name: &str, trigger: Trigger) -> WiredFunction {
    let post_confirmation = trigger == Trigger::PostConfirmation;
    WiredFunction {
        arn: arn(name),
        triggers: vec![trigger],
        state: FunctionState::Found(Box::new(FunctionFacts {
            function: Function {
                reference: arn(name),
                arn: arn(name),
                policy: Some(scoped_policy()),
            },
            policy_unreadable: None,
            timeout_seconds: Some(5),
            default_group: post_confirmation.then(|| "members".to_owned()),
            role: post_confirmation.then(|| Role {
                arn: ROLE_ARN.into(),
                policies: RolePolicies::Read {
                    identity: vec![add_to_group_policy()],
                    boundary: None,
                },
            }),
        })),
    }
}

/// The default spec applied, with the functions deployed as `cargo xtask deploy` does.
fn healthy() -> Observations {
    Observations {
        pool: ObservedPool::new(pool_builder().build(), None),
        clients: vec![client("toyseven-web", false, &["code"], &["http://localhost:3000"])],
        groups: vec![Group {
            name: "members".into(),
            description: None,
            precedence: None,
            role_arn: None,
        }],
        domains: vec![DomainState {
            domain: "toyseven".into(),
            status: Some(DomainStatusType::Active),
            // What the domain serves is the branding test's (below).
            managed_login_version: None,
        }],
        branded_clients: Vec::new(),
        functions: Some(vec![
            function("custom-message", Trigger::CustomMessage),
            function("post-confirmation", Trigger::PostConfirmation),
            function("pre-signup", Trigger::PreSignUp),
        ]),
    }
}

fn checks(seen: &Observations) -> Vec<Check> {
    diagnose(&default_spec(), seen).iter().map(|f| f.check).collect()
}

/// The one finding, which must be `check`'s.
fn only(seen: &Observations, check: Check) -> Finding {
    let findings = diagnose(&default_spec(), seen);
    assert_eq!(
        findings.iter().map(|f| f.check).collect::<Vec<_>>(),
        [check],
        "{findings:#?}"
    );
    findings.into_iter().next().unwrap()
}

fn facts<'a>(seen: &'a mut Observations, name: &str) -> &'a mut FunctionFacts {
    let function = seen
        .functions
        .as_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f.arn == arn(name))
        .unwrap();
    match &mut function.state {
        FunctionState::Found(facts) => facts,
        FunctionState::OtherRegion(_) | FunctionState::Missing | FunctionState::Unreadable(_) => {
            panic!("{name} is not found")
        }
    }
}

fn pool_with(change: impl FnOnce(UserPoolTypeBuilder) -> UserPoolTypeBuilder) -> Observations {
    Observations {
        pool: ObservedPool::new(change(pool_builder()).build(), None),
        ..healthy()
    }
}

use aws_sdk_cognitoidentityprovider::types::builders::UserPoolTypeBuilder;

#[test]
fn the_default_spec_applied_has_no_finding() {
    assert_eq!(checks(&healthy()), []);
}

#[test]
fn every_id_is_distinct_and_the_readme_explains_each() {
    let readme = include_str!("../../../README.md");
    for (i, check) in Check::ALL.iter().enumerate() {
        assert!(
            Check::ALL[i + 1..].iter().all(|other| other.id() != check.id()),
            "{check} twice"
        );
        assert!(
            readme.contains(&format!("| `{check}` |")),
            "the README's doctor table lacks {check}"
        );
    }
}

#[test]
fn findings_print_one_block_each_and_serialize_with_their_id() {
    let finding = only(
        &pool_with(|p| p.deletion_protection(DeletionProtectionType::Inactive)),
        Check::DeletionProtectionOff,
    );
    let text = finding.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "deletion-protection-off: user pool us-east-1_abc");
    assert!(lines[1].starts_with("  deletion protection is off"), "{text}");
    assert!(lines[2].starts_with("  fix: Set deletion_protection = true"), "{text}");
    let json = serde_json::to_value(&finding).unwrap();
    assert_eq!(json["id"], "deletion-protection-off");
    assert_eq!(json["resource"], "user pool us-east-1_abc");
    assert_eq!(json.as_object().unwrap().len(), 4, "{json}");
}

#[test]
fn case_sensitive_usernames_are_a_finding() {
    let seen = pool_with(|p| {
        p.username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(true)
                .build()
                .unwrap(),
        )
    });
    assert!(only(&seen, Check::UsernameCaseSensitive).message.contains("two users"));
    // A pool made before the setting existed reports none, and is case sensitive.
    let mut legacy = pool_builder().build();
    legacy.username_configuration = None;
    let seen = Observations {
        pool: ObservedPool::new(legacy, None),
        ..healthy()
    };
    only(&seen, Check::UsernameCaseSensitive);
}

#[test]
fn mfa_without_a_factor_is_a_finding_and_with_one_it_is_not() {
    let on = |config: GetUserPoolMfaConfigOutput| Observations {
        pool: ObservedPool::new(
            pool_builder().mfa_configuration(UserPoolMfaType::On).build(),
            Some(config),
        ),
        ..healthy()
    };
    let none = GetUserPoolMfaConfigOutput::builder()
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(false).build())
        .build();
    assert!(
        only(&on(none), Check::MfaWithoutFactor)
            .message
            .starts_with("MFA is ON")
    );
    let totp = GetUserPoolMfaConfigOutput::builder()
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .build();
    assert_eq!(checks(&on(totp)), []);
    let sms = GetUserPoolMfaConfigOutput::builder()
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
                        .build(),
                )
                .build(),
        )
        .build();
    assert_eq!(checks(&on(sms)), []);
}

#[test]
fn the_default_sender_is_a_finding_from_many_users_on() {
    let users = |n| pool_with(move |p| p.estimated_number_of_users(n));
    assert_eq!(checks(&users(MANY_USERS - 1)), []);
    let finding = only(&users(MANY_USERS), Check::EmailDefaultSender);
    assert!(finding.message.contains("50 emails a day"), "{}", finding.message);
    let ses = pool_with(|p| {
        p.estimated_number_of_users(10_000).email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .from("no-reply@example.com")
                .build(),
        )
    });
    assert_eq!(checks(&ses), []);
}

#[test]
fn a_domain_that_is_not_active_is_a_finding() {
    for (status, fix) in [
        (DomainStatusType::Creating, "Wait"),
        (DomainStatusType::Failed, "create it again"),
        (DomainStatusType::Deleting, "being deleted"),
    ] {
        let mut seen = healthy();
        seen.domains[0].status = Some(status.clone());
        let finding = only(&seen, Check::DomainNotActive);
        assert_eq!(finding.resource, "domain toyseven");
        assert!(finding.message.contains(status.as_str()), "{}", finding.message);
        assert!(finding.fix.contains(fix), "{}", finding.fix);
    }
}

#[test]
fn no_domain_is_a_finding_only_for_clients_of_the_hosted_ui() {
    let mut seen = healthy();
    seen.domains.clear();
    assert!(
        only(&seen, Check::DomainMissing)
            .message
            .contains("app client \"toyseven-web\" have")
    );
    let api_only = client("toyseven-web", false, &[], &[]);
    seen.clients = vec![ObservedClient {
        state: crate::desired::Client {
            callback_urls: vec!["http://localhost:3000".into()],
            ..api_only.state
        },
        ..api_only
    }];
    assert_eq!(checks(&seen), []);
}

#[test]
fn a_secret_with_the_code_grant_and_a_web_callback_is_a_finding() {
    let mut seen = healthy();
    seen.clients = vec![client("toyseven-web", true, &["code"], &["http://localhost:3000"])];
    let finding = only(&seen, Check::ClientSecretBrowser);
    assert_eq!(finding.resource, "app client \"toyseven-web\" (toyseven-web-id)");
    assert!(finding.message.contains("invalid_client"), "{}", finding.message);
    assert!(finding.fix.contains("Authorization: Basic"), "{}", finding.fix);
    let shown = format!("{finding} {}", serde_json::to_string(&finding).unwrap());
    assert!(!shown.contains("not shown"), "the secret is never shown: {shown}");

    // A native app's custom scheme, or a machine client: the secret is not a trap.
    let native = client("app", true, &["code"], &["myapp://callback"]);
    let machine = client("machine", true, &["client_credentials"], &[]);
    let mut seen = healthy();
    seen.clients.extend([native, machine]);
    assert_eq!(checks(&seen), []);
}

#[test]
fn the_implicit_grant_is_a_finding() {
    let mut seen = healthy();
    seen.clients = vec![client(
        "toyseven-web",
        false,
        &["code", "implicit"],
        &["http://localhost:3000"],
    )];
    assert!(
        only(&seen, Check::ClientImplicitGrant)
            .message
            .contains("no refresh token")
    );
}

#[test]
fn a_url_cognito_refuses_is_a_finding_per_url() {
    let mut seen = healthy();
    seen.clients.push(client(
        "other",
        false,
        &["code"],
        &[
            "http://app.example.com/cb",
            "https://app.example.com/#done",
            "myapp://cb",
        ],
    ));
    let findings = diagnose(&default_spec(), &seen);
    assert_eq!(
        findings.iter().map(|f| f.check).collect::<Vec<_>>(),
        [Check::ClientUrlRejected, Check::ClientUrlRejected]
    );
    assert!(findings[0].message.contains("accepts http only for localhost"));
    assert!(findings[1].message.contains("#fragment"));
}

#[test]
fn urls_that_differ_from_the_spec_are_a_finding_per_list() {
    let mut seen = healthy();
    seen.clients = vec![client("toyseven-web", false, &["code"], &["http://localhost:5173"])];
    let finding = only(&seen, Check::ClientUrlMismatch);
    assert!(
        finding.message.contains("missing: [http://localhost:3000]")
            && finding.message.contains("not in the spec: [http://localhost:5173]")
            && finding.message.contains("redirect_mismatch"),
        "{}",
        finding.message
    );
    // The same URLs in another order match.
    let spec = crate::spec::parse(
        "cognito.toml",
        "[client]\ncallback_urls = [\"http://localhost:3000\", \"https://a.example.com/cb\"]\n",
    )
    .unwrap()
    .0;
    let mut seen = healthy();
    seen.clients = vec![client(
        "toyseven-web",
        false,
        &["code"],
        &["https://a.example.com/cb", "http://localhost:3000"],
    )];
    assert_eq!(diagnose(&spec, &seen), []);
}

#[test]
fn a_spec_client_missing_from_the_pool_is_a_finding() {
    let mut seen = healthy();
    seen.clients.clear();
    // Without clients the hosted UI needs no domain; the missing client is the finding.
    assert_eq!(
        only(&seen, Check::ClientMissing).resource,
        "app client \"toyseven-web\""
    );
}

#[test]
fn a_missing_function_or_one_in_another_region_is_a_finding() {
    let mut seen = healthy();
    seen.functions.as_mut().unwrap()[0].state = FunctionState::Missing;
    let finding = only(&seen, Check::TriggerMissing);
    assert_eq!(
        finding.resource,
        format!("function {} (trigger custom_message)", arn("custom-message"))
    );
    let mut seen = healthy();
    seen.functions.as_mut().unwrap()[0].state = FunctionState::OtherRegion("eu-west-1".into());
    let finding = only(&seen, Check::TriggerOtherRegion);
    assert!(finding.message.contains("eu-west-1") && finding.message.contains("us-east-1"));
}

#[test]
fn a_function_that_cannot_be_read_is_a_finding_and_the_others_are_still_checked() {
    let mut seen = healthy();
    let functions = seen.functions.as_mut().unwrap();
    functions[0].state = FunctionState::Unreadable(
        "GetFunction failed: AccessDeniedException: not authorized to perform lambda:GetFunction".into(),
    );
    // A second function with its own trap: the unreadable one does not hide it.
    if let FunctionState::Found(facts) = &mut functions[1].state {
        facts.timeout_seconds = Some(30);
    }
    let found = diagnose(&default_spec(), &seen);
    let ids: Vec<Check> = found.iter().map(|f| f.check).collect();
    assert_eq!(ids, [Check::TriggerUnreadable, Check::TriggerTimeout], "{found:#?}");
    let unreadable = &found[0];
    assert_eq!(
        unreadable.resource,
        format!("function {} (trigger custom_message)", arn("custom-message"))
    );
    assert!(
        unreadable.message.contains("AccessDeniedException"),
        "{}",
        unreadable.message
    );
    assert!(unreadable.fix.contains("lambda:GetFunction"), "{}", unreadable.fix);
}

#[test]
fn a_policy_that_cannot_be_read_leaves_only_the_permission_unverified() {
    let mut seen = healthy();
    if let FunctionState::Found(facts) = &mut seen.functions.as_mut().unwrap()[0].state {
        facts.function.policy = None;
        facts.policy_unreadable = Some("GetPolicy failed: AccessDeniedException: not authorized".into());
        facts.timeout_seconds = Some(30);
    }
    let found = diagnose(&default_spec(), &seen);
    let ids: Vec<Check> = found.iter().map(|f| f.check).collect();
    // The configuration was read, so the timeout is still checked; "no permission" is not
    // claimed from a policy nobody could read.
    assert_eq!(
        ids,
        [Check::TriggerTimeout, Check::TriggerPermissionUnverified],
        "{found:#?}"
    );
    assert!(found[1].message.contains("could not be read"), "{}", found[1].message);
    assert!(found[1].fix.contains("lambda:GetPolicy"), "{}", found[1].fix);
}

#[test]
fn a_timeout_over_five_seconds_is_a_finding() {
    let mut seen = healthy();
    facts(&mut seen, "pre-signup").timeout_seconds = Some(6);
    assert!(
        only(&seen, Check::TriggerTimeout)
            .fix
            .contains(&format!("--function-name {} --timeout 5", arn("pre-signup")))
    );
    facts(&mut seen, "pre-signup").timeout_seconds = Some(3);
    assert_eq!(checks(&seen), []);
}

#[test]
fn an_invoke_permission_missing_broad_or_unclear_is_a_finding() {
    let mut seen = healthy();
    facts(&mut seen, "pre-signup").function.policy = None;
    let finding = only(&seen, Check::TriggerNotInvokable);
    assert!(
        finding
            .fix
            .contains(&format!("--source-arn {POOL_ARN} --source-account 123456789012")),
        "{}",
        finding.fix
    );
    let open = json!({"Statement": [{"Sid": "open", "Effect": "Allow",
        "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": "x"}]});
    facts(&mut seen, "pre-signup").function.policy = Some(open.to_string());
    assert!(
        only(&seen, Check::TriggerPermissionBroad)
            .fix
            .contains("--statement-id open")
    );
    let org = json!({"Statement": [{"Sid": "org", "Effect": "Allow",
        "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": "x",
        "Condition": {"ArnLike": {"AWS:SourceArn": POOL_ARN}, "StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]});
    facts(&mut seen, "pre-signup").function.policy = Some(org.to_string());
    only(&seen, Check::TriggerPermissionUnverified);
}

#[test]
fn a_post_confirmation_role_that_cannot_add_to_groups_is_a_finding() {
    let mut seen = healthy();
    let role = facts(&mut seen, "post-confirmation").role.as_mut().unwrap();
    role.policies = RolePolicies::Read {
        identity: vec![Policy {
            name: "logs".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}),
        }],
        boundary: None,
    };
    let finding = only(&seen, Check::PostConfirmationRole);
    assert!(
        finding.message.contains("no statement allows it"),
        "{}",
        finding.message
    );
    assert!(
        finding.fix.contains("--role-name post-confirmation-role"),
        "{}",
        finding.fix
    );
    assert!(finding.fix.contains(POOL_ARN), "{}", finding.fix);

    facts(&mut seen, "post-confirmation").role.as_mut().unwrap().policies = RolePolicies::Missing;
    assert!(
        only(&seen, Check::PostConfirmationRole)
            .message
            .contains("does not exist")
    );
}

#[test]
fn a_role_that_cannot_be_judged_is_reported_as_such_not_as_lacking() {
    let mut seen = healthy();
    facts(&mut seen, "post-confirmation").role.as_mut().unwrap().policies =
        RolePolicies::Unreadable("ListRolePolicies failed: AccessDenied".into());
    let finding = only(&seen, Check::PostConfirmationRoleUnverified);
    assert!(finding.message.contains("AccessDenied"), "{}", finding.message);
    assert!(finding.fix.contains("simulate-principal-policy"), "{}", finding.fix);
    let mut conditional = add_to_group_policy();
    conditional.document["Statement"][1]["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}});
    facts(&mut seen, "post-confirmation").role.as_mut().unwrap().policies = RolePolicies::Read {
        identity: vec![conditional],
        boundary: None,
    };
    only(&seen, Check::PostConfirmationRoleUnverified);
}

#[test]
fn a_default_group_the_pool_lacks_is_a_finding() {
    let mut seen = healthy();
    facts(&mut seen, "post-confirmation").default_group = Some("admins".into());
    assert!(only(&seen, Check::DefaultGroupMissing).message.contains("\"admins\""));
}

#[test]
fn without_default_group_post_confirmation_adds_no_one_and_needs_no_permission() {
    let mut seen = healthy();
    let facts = facts(&mut seen, "post-confirmation");
    facts.default_group = None;
    facts.role.as_mut().unwrap().policies = RolePolicies::Missing;
    assert_eq!(checks(&seen), []);
}

#[test]
fn functions_not_read_give_no_finding() {
    let mut seen = healthy();
    seen.functions = None;
    assert_eq!(checks(&seen), []);
}

#[test]
fn one_function_behind_two_triggers_is_judged_once() {
    let mut seen = healthy();
    let functions = seen.functions.as_mut().unwrap();
    functions[2].triggers.push(Trigger::PreAuthentication);
    functions[2].state = FunctionState::Missing;
    let finding = only(&seen, Check::TriggerMissing);
    assert_eq!(
        finding.resource,
        format!(
            "function {} (trigger pre_sign_up, pre_authentication)",
            arn("pre-signup")
        )
    );
}

#[test]
fn managed_login_for_a_client_without_a_style_is_a_finding_and_the_classic_hosted_ui_is_not() {
    let mut seen = healthy();
    seen.domains[0].managed_login_version = Some(2);
    let finding = only(&seen, Check::DomainUnbrandedClient);
    assert!(finding.message.contains("Login pages unavailable"), "{finding}");
    assert!(finding.resource.contains("toyseven-web"), "{finding}");
    seen.branded_clients.push("toyseven-web-id".into());
    assert_eq!(checks(&seen), [], "a style");
    seen.branded_clients.clear();
    seen.domains[0].managed_login_version = Some(1);
    assert_eq!(checks(&seen), [], "the classic hosted UI");
}

#[test]
fn passwordless_factors_no_client_can_start_are_a_finding() {
    let mut seen = pool_with(|pool| {
        pool.policies(
            aws_sdk_cognitoidentityprovider::types::UserPoolPolicyType::builder()
                .sign_in_policy(
                    aws_sdk_cognitoidentityprovider::types::SignInPolicyType::builder()
                        .allowed_first_auth_factors(aws_sdk_cognitoidentityprovider::types::AuthFactorType::Password)
                        .allowed_first_auth_factors(aws_sdk_cognitoidentityprovider::types::AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        )
    });
    let finding = only(&seen, Check::SignInChoicesUnreachable);
    assert!(finding.fix.contains("ALLOW_USER_AUTH"), "{finding}");
    seen.clients[0]
        .state
        .explicit_auth_flows
        .push(crate::desired::ExplicitAuthFlow::UserAuth);
    assert_eq!(checks(&seen), []);
}

#[test]
fn a_client_outside_the_spec_offering_an_undeclared_provider_is_a_finding_naming_both() {
    let mut seen = healthy();
    let mut mobile = client("mobile", false, &["code"], &["https://app.example.com/cb"]);
    mobile.state.identity_providers = vec!["COGNITO".into(), "Google".into()];
    seen.clients.push(mobile);
    let finding = only(&seen, Check::ClientUndeclaredProvider);
    assert!(
        finding
            .message
            .contains("app client \"mobile\", which the spec does not name, offers identity provider \"Google\"")
            && finding.fix.contains("[[identity_providers]]")
            && finding.fix.contains("delete-identity-provider"),
        "{finding}"
    );
    // The spec's own client offering it is the plan's to fix (it deletes the provider after).
    let mut seen = healthy();
    seen.clients[0].state.identity_providers = vec!["COGNITO".into(), "Google".into()];
    assert!(!checks(&seen).contains(&Check::ClientUndeclaredProvider));
}
