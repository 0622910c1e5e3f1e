//! Render's tests: the functions' settings, the policies and the template together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::desired::Desired;

#[test]
fn one_click_confirmation_beside_linking_is_refused_naming_both() {
    let function = |name: &str, env: &[(&str, &str)]| FunctionDeploy {
        name: name.into(),
        timeout: 5,
        memory: 128,
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    let linking = function("pre-signup", &[("LINK_EXTERNAL_USERS", "verified")]);
    for env in [
        [("VERIFY_URL", "https://app.example/verify")],
        [("DEFAULT_EMAIL_OPTION", "confirm_with_link")],
    ] {
        let message = function("custom-message", &env);
        let error = check_together(Path::new("."), &[linking.clone(), message.clone()]).unwrap_err();
        assert!(error.path.ends_with("functions/custom-message/Cargo.toml"), "{error}");
        assert!(
            error.message.contains(env[0].0) && error.message.contains("LINK_EXTERNAL_USERS"),
            "{error}"
        );
        let not_linking = function("pre-signup", &[]);
        assert!(check_together(Path::new("."), &[not_linking, message]).is_ok());
    }
    let by_code = function("custom-message", &[("DEFAULT_EMAIL_OPTION", "CONFIRM_WITH_CODE")]);
    assert!(check_together(Path::new("."), &[linking, by_code]).is_ok());
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Each resource's logical id to the resources it depends on, as CloudFormation reads
/// them: `DependsOn`, `Ref`, `Fn::GetAtt` (list or `Name.Attribute`) and the `${Name}` /
/// `${Name.Attribute}` of `Fn::Sub` (not `${!...}`, pseudo parameters or the Sub's own
/// variables), anywhere in the resource.
fn dependencies(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(value: &Value, local: &BTreeSet<String>, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(name)) = map.get("Ref") {
                    found.insert(name.clone());
                }
                match map.get("Fn::GetAtt") {
                    Some(Value::Array(parts)) => found.extend(parts.first().and_then(Value::as_str).map(str::to_owned)),
                    Some(Value::String(dotted)) => found.extend(dotted.split('.').next().map(str::to_owned)),
                    _ => {}
                }
                let (text, variables) = match map.get("Fn::Sub") {
                    Some(Value::String(text)) => (Some(text.as_str()), None),
                    Some(Value::Array(parts)) => (parts.first().and_then(Value::as_str), parts.get(1)),
                    _ => (None, None),
                };
                if let Some(text) = text {
                    let mut local = local.clone();
                    if let Some(Value::Object(variables)) = variables {
                        local.extend(variables.keys().cloned());
                    }
                    for piece in text.split("${").skip(1) {
                        let Some((name, _)) = piece.split_once('}') else {
                            continue;
                        };
                        let name = name.split('.').next().unwrap_or(name);
                        if !name.starts_with('!') && !local.contains(name) {
                            found.insert(name.to_owned());
                        }
                    }
                }
                for inner in map.values() {
                    walk(inner, local, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, local, found)),
            _ => {}
        }
    }
    let resources = template["Resources"].as_object().unwrap();
    resources
        .iter()
        .map(|(id, resource)| {
            let mut found = BTreeSet::new();
            match &resource["DependsOn"] {
                Value::String(name) => {
                    found.insert(name.clone());
                }
                Value::Array(names) => found.extend(names.iter().filter_map(Value::as_str).map(str::to_owned)),
                _ => {}
            }
            walk(resource, &BTreeSet::new(), &mut found);
            found.retain(|name| resources.contains_key(name));
            (id.clone(), found)
        })
        .collect()
}

/// A cycle among the template's resources (its ids in order, the first repeated last).
fn cycle(template: &Value) -> Option<Vec<String>> {
    fn visit(
        id: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == id) {
            let mut found = path[start..].to_vec();
            found.push(id.to_owned());
            return Some(found);
        }
        if done.contains(id) {
            return None;
        }
        path.push(id.to_owned());
        for next in &graph[id] {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(id.to_owned());
        None
    }
    let graph = dependencies(template);
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|id| visit(id, &graph, &mut Vec::new(), &mut done))
}

/// The spec at `text` and the functions built here, rendered.
fn template_of(text: &str) -> (Desired, Vec<FunctionDeploy>, Value) {
    let spec = crate::spec::parse("test.toml", text).unwrap().0;
    let functions = workspace_functions(workspace(), &spec).unwrap();
    let template = cloudformation(&spec, &functions);
    (spec, functions, template)
}

fn production() -> String {
    std::fs::read_to_string(workspace().join("examples/production.toml")).unwrap()
}

fn project_with_pre_token_generation() -> String {
    let text = std::fs::read_to_string(workspace().join("cognito.toml")).unwrap();
    let wired = text.replace(
        "custom_message = \"custom-message\"\n",
        "custom_message = \"custom-message\"\npre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n",
    );
    assert_ne!(wired, text, "cognito.toml's [triggers] moved");
    wired.replace("[pool]\n", "[pool]\ntier = \"essentials\"\n")
}

#[test]
fn no_template_has_a_dependency_cycle() {
    let project = std::fs::read_to_string(workspace().join("cognito.toml")).unwrap();
    for (name, text) in [
        ("cognito.toml", project),
        (
            "cognito.toml with pre-token-generation",
            project_with_pre_token_generation(),
        ),
        ("examples/production.toml", production()),
    ] {
        let (_, _, template) = template_of(&text);
        assert_eq!(cycle(&template), None, "{name}");
    }
}

#[test]
fn the_cycle_walk_finds_the_cycle_a_get_att_to_the_client_scoped_function_would_close() {
    let (_, _, mut template) = template_of(&production());
    let function = &template["Resources"]["PreTokenGenerationFunction"];
    assert!(
        dependencies(&template)["PreTokenGenerationFunction"].contains("UserPoolClientToysevenWeb"),
        "the function's CLIENT_SCOPES refers to the client: {function}"
    );
    template["Resources"]["UserPool"]["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaArn"] =
        json!({"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]});
    let found = cycle(&template).expect("UserPool -> function -> a client -> UserPool");
    for id in ["UserPool", "PreTokenGenerationFunction"] {
        assert!(found.iter().any(|f| f == id), "{id} in {found:?}");
    }
    assert!(found.iter().any(|f| f.starts_with("UserPoolClient")), "{found:?}");
}

#[test]
fn the_pre_token_generation_function_gets_client_scopes_by_ref_and_is_wired_by_its_name() {
    let (spec, _, template) = template_of(&production());
    let resources = &template["Resources"];
    let function = &resources["PreTokenGenerationFunction"]["Properties"];
    let mut parts = Vec::new();
    for (i, client) in spec.clients.iter().enumerate() {
        if i > 0 {
            parts.push(json!(";"));
        }
        parts.push(json!({"Ref": format!("UserPoolClient{}", pascal(&client.name))}));
        parts.push(json!(format!("={}", client.oauth_scopes.join(" "))));
    }
    assert!(
        spec.clients.len() >= 2,
        "the production example has a web and a backend client"
    );
    assert_eq!(
        function["Environment"]["Variables"][CLIENT_SCOPES],
        json!({"Fn::Join": ["", parts]})
    );
    assert_eq!(
        function["Environment"]["Variables"]["GROUP_SCOPES"],
        "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
        "the crate's deploy env stays"
    );
    let name = function["FunctionName"].as_str().unwrap();
    assert_eq!(
        resources["UserPool"]["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaArn"],
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}")}),
        "the ARN of the function's explicit name"
    );
    assert_eq!(
        resources["PreTokenGenerationInvokePermission"]["Properties"]["FunctionName"],
        json!({"Fn::GetAtt": ["PreTokenGenerationFunction", "Arn"]}),
        "the permission waits for the function"
    );
    for other in ["PreSignupFunction", "PostConfirmationFunction", "CustomMessageFunction"] {
        if let Some(other) = resources.get(other) {
            assert!(
                other["Properties"]["Environment"]["Variables"]
                    .get(CLIENT_SCOPES)
                    .is_none()
            );
        }
    }
    assert_eq!(
        resources["UserPool"]["Properties"]["LambdaConfig"]["PreSignUp"],
        json!({"Fn::GetAtt": ["PreSignupFunction", "Arn"]}),
        "the other functions are still created before the pool that names them"
    );
}

#[test]
fn client_scopes_lists_each_client_with_an_id_and_the_scopes_the_variable_can_hold() {
    let text = "[pool]\nname = \"p\"\n\
                [[resource_servers]]\nidentifier = \"api\"\nname = \"API\"\n\
                scopes = [{ name = \"read\", description = \"r\" }, { name = \"a;b\", description = \"odd\" }]\n\
                [[clients]]\nname = \"web\"\noauth_flows = [\"code\"]\n\
                oauth_scopes = [\"openid\", \"api/read\", \"api/a;b\"]\ncallback_urls = [\"https://app.example\"]\n\
                [[clients]]\nname = \"cli\"\noauth_flows = []\noauth_scopes = []\n\
                [[clients]]\nname = \"later\"\noauth_flows = []\noauth_scopes = []\n";
    let spec = crate::spec::parse("test.toml", text).unwrap().0;
    let ids = |name: &str| match name {
        "web" => Some("1web".to_owned()),
        "cli" => Some("2cli".to_owned()),
        _ => None,
    };
    assert_eq!(
        client_scopes_value(&spec, ids).as_deref(),
        Some("1web=openid api/read;2cli="),
        "the scope with `;` is left out, the client without an id too"
    );
    assert_eq!(client_scopes_value(&spec, |_| None), None);
}

#[test]
fn linking_grants_pre_signup_the_two_calls_on_its_pool_only() {
    let spec = crate::spec::parse("cognito.toml", "").unwrap().0;
    let mut functions = workspace_functions(workspace(), &spec).unwrap();
    let documents = policies(&spec, &functions);
    assert!(!documents["pre-signup.json"].to_string().contains("cognito-idp"));
    let template = cloudformation(&spec, &functions);
    assert!(template["Resources"].get("PreSignupLinkUsersPolicy").is_none());

    let pre_signup = functions.iter_mut().find(|f| f.name == "pre-signup").unwrap();
    pre_signup.env.insert("LINK_EXTERNAL_USERS".into(), "verified".into());
    let documents = policies(&spec, &functions);
    let statement = &documents["pre-signup.json"]["Statement"][1];
    assert_eq!(
        statement["Action"],
        serde_json::json!(["cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"])
    );
    assert!(
        statement["Resource"]
            .as_str()
            .unwrap()
            .ends_with("userpool/${USER_POOL_ID}")
    );
    let template = cloudformation(&spec, &functions);
    let policy = &template["Resources"]["PreSignupLinkUsersPolicy"]["Properties"]["PolicyDocument"];
    assert_eq!(
        policy["Statement"][0]["Resource"],
        serde_json::json!({"Fn::GetAtt": ["UserPool", "Arn"]})
    );
}

#[test]
fn the_template_says_what_the_spec_says() {
    let spec = crate::spec::parse("cognito.toml", "[domain]\nprefix = \"toyseven\"\n")
        .unwrap()
        .0;
    let functions = workspace_functions(workspace(), &spec).unwrap();
    let template = cloudformation(&spec, &functions);
    let resources = &template["Resources"];
    let pool = &resources["UserPool"];
    assert_eq!(pool["DeletionPolicy"], "Retain");
    assert_eq!(pool["Properties"]["UsernameConfiguration"]["CaseSensitive"], false);
    assert_eq!(
        pool["Properties"]["UserPoolTags"]["toyseven-cognito"],
        "toyseven-cognito"
    );
    assert_eq!(
        pool["Properties"]["LambdaConfig"]["PreSignUp"],
        serde_json::json!({"Fn::GetAtt": ["PreSignupFunction", "Arn"]})
    );
    assert_eq!(resources["UserPoolDomain"]["Properties"]["Domain"], "toyseven");
    let permission = &resources["CustomMessageInvokePermission"]["Properties"];
    assert_eq!(permission["Principal"], "cognito-idp.amazonaws.com");
    assert_eq!(resources["PostConfirmationFunction"]["Properties"]["Timeout"], 5);
}

#[test]
fn the_production_example_renders_providers_with_their_secret_by_reference() {
    let text = std::fs::read_to_string(workspace().join("examples/production.toml")).unwrap();
    let spec = crate::spec::parse("production.toml", &text).unwrap().0;
    let functions = workspace_functions(workspace(), &spec).unwrap();
    let template = cloudformation(&spec, &functions);
    let resources = &template["Resources"];
    let google = &resources["IdentityProviderGoogle"]["Properties"];
    assert_eq!(google["ProviderType"], "Google");
    let secret = google["ProviderDetails"]["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("{{resolve:secretsmanager:"), "{secret}");
    let lambda = &resources["UserPool"]["Properties"]["LambdaConfig"];
    assert_eq!(lambda["PreTokenGenerationConfig"]["LambdaVersion"], "V2_0");
    assert_eq!(
        resources["UserPool"]["Properties"]["EnabledMfas"],
        serde_json::json!(["SOFTWARE_TOKEN_MFA"])
    );
    let web = &resources["UserPoolClientToysevenWeb"];
    assert!(
        web["DependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "IdentityProviderGoogle")
    );
    assert!(
        resources.get("PreTokenGenerationFunction").is_some(),
        "built here, so in the template"
    );
}

#[test]
fn the_pool_renders_its_sms_sender_factors_first_factors_and_passkeys() {
    let (_, _, template) = template_of(
        "[pool]\nmfa = \"optional\"\n[pool.mfa_factors]\nsoftware_token = true\nsms = true\nemail = true\n\
         [pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"toyseven\"\n\
         [pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"noreply@example.com\"\n\
         [pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\", \"web_authn\"]\n\
         [pool.web_authn]\nrelying_party_id = \"toyseven.auth.eu-west-1.amazoncognito.com\"\nuser_verification = \"required\"\n\
         factor_configuration = \"multi_factor_with_user_verification\"\n\
         [domain]\nprefix = \"toyseven\"\n",
    );
    let pool = &template["Resources"]["UserPool"]["Properties"];
    assert_eq!(
        pool["EnabledMfas"],
        serde_json::json!(["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])
    );
    assert_eq!(
        pool["SmsConfiguration"],
        serde_json::json!({"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms", "ExternalId": "toyseven"})
    );
    assert_eq!(
        pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        serde_json::json!(["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    );
    assert_eq!(
        pool["WebAuthnRelyingPartyID"],
        "toyseven.auth.eu-west-1.amazoncognito.com"
    );
    assert_eq!(pool["WebAuthnUserVerification"], "required");
    assert_eq!(
        pool["WebAuthnFactorConfiguration"],
        "MULTI_FACTOR_WITH_USER_VERIFICATION"
    );
    assert!(
        pool["Policies"]["PasswordPolicy"]["MinimumLength"].is_number(),
        "beside the password policy"
    );
}

#[test]
fn the_domain_serves_managed_login_after_a_style_for_each_hosted_ui_client() {
    let (_, _, template) = template_of("[domain]\nprefix = \"toyseven\"\n");
    let domain = &template["Resources"]["UserPoolDomain"];
    assert_eq!(domain["Properties"]["ManagedLoginVersion"], 2);
    assert_eq!(
        domain["DependsOn"],
        serde_json::json!(["ManagedLoginBrandingToysevenWeb"])
    );
    let style = &template["Resources"]["ManagedLoginBrandingToysevenWeb"];
    assert_eq!(style["Type"], "AWS::Cognito::ManagedLoginBranding");
    assert_eq!(
        style["Properties"]["ClientId"],
        serde_json::json!({"Ref": "UserPoolClientToysevenWeb"})
    );
    assert_eq!(style["Properties"]["UseCognitoProvidedValues"], true);

    let (_, _, classic) = template_of("[domain]\nprefix = \"toyseven\"\nmanaged_login_version = 1\n");
    assert_eq!(
        classic["Resources"]["UserPoolDomain"]["Properties"]["ManagedLoginVersion"],
        1
    );
    assert!(classic["Resources"].get("ManagedLoginBrandingToysevenWeb").is_none());
}

#[test]
fn a_custom_domain_renders_beside_the_prefix_domain_with_its_certificate_and_cloudfront_alias() {
    let (_, _, template) = template_of(
        "[domain]\nprefix = \"toyseven\"\n[domain.custom]\nname = \"auth.example.com\"\n\
         certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"\n",
    );
    let custom = &template["Resources"]["UserPoolCustomDomain"];
    assert_eq!(custom["Type"], "AWS::Cognito::UserPoolDomain");
    assert_eq!(custom["Properties"]["Domain"], "auth.example.com");
    assert_eq!(
        custom["Properties"]["CustomDomainConfig"]["CertificateArn"],
        "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    );
    assert_eq!(custom["Properties"]["ManagedLoginVersion"], 2);
    assert_eq!(
        custom["DependsOn"],
        serde_json::json!(["ManagedLoginBrandingToysevenWeb"])
    );
    assert_eq!(
        template["Outputs"]["CustomDomainCloudFrontDistribution"]["Value"],
        serde_json::json!({"Fn::GetAtt": ["UserPoolCustomDomain", "CloudFrontDistribution"]})
    );
}

#[test]
fn log_delivery_renders_each_source_at_its_level_to_its_destination() {
    let (_, _, template) = template_of(
        "[pool]\ntier = \"plus\"\n[[pool.log_delivery]]\nevent_source = \"user_notification\"\n\
         destination = \"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/toyseven\"\n\
         [[pool.log_delivery]]\nevent_source = \"user_auth_events\"\ndestination = \"arn:aws:s3:::auth-events\"\n",
    );
    let delivery = &template["Resources"]["LogDeliveryConfiguration"];
    assert_eq!(delivery["Type"], "AWS::Cognito::LogDeliveryConfiguration");
    assert_eq!(
        delivery["Properties"]["LogConfigurations"],
        serde_json::json!([
            {"EventSource": "userNotification", "LogLevel": "ERROR",
             "CloudWatchLogsConfiguration": {"LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/toyseven"}},
            {"EventSource": "userAuthEvents", "LogLevel": "INFO", "S3Configuration": {"BucketArn": "arn:aws:s3:::auth-events"}},
        ])
    );
}

#[test]
fn threat_protection_settings_render_as_a_risk_configuration_attachment_for_the_whole_pool() {
    let (_, _, template) = template_of(
        "[pool]\ntier = \"plus\"\nthreat_protection = \"enforced\"\n[pool.risk_configuration]\n\
         compromised_credentials = \"block\"\n\
         account_takeover = { low = \"no_action\", medium = \"mfa_required\", high = \"block\" }\n",
    );
    let risk = &template["Resources"]["RiskConfiguration"];
    assert_eq!(risk["Type"], "AWS::Cognito::UserPoolRiskConfigurationAttachment");
    assert_eq!(risk["Properties"]["ClientId"], "ALL");
    assert_eq!(
        risk["Properties"]["CompromisedCredentialsRiskConfiguration"]["Actions"]["EventAction"],
        "BLOCK"
    );
    assert_eq!(
        risk["Properties"]["AccountTakeoverRiskConfiguration"]["Actions"]["MediumAction"],
        serde_json::json!({"Notify": false, "EventAction": "MFA_REQUIRED"})
    );
}

/// Every AWS operation the provisioner's own calls name (in `aws/`, where each call is sent
/// with its operation's name for errors), as `send_in_pool!(request, "Op")` or
/// `call_error("Op")`.
fn operations_called() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for marker in ["send_in_pool!(request, \"", "call_error(\""] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let op = &rest[..rest.find('"').unwrap()];
                found.push((name.clone(), op.to_owned()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

const DOCTORS_IAM_READS: [&str; 6] = [
    "GetRole",
    "ListRolePolicies",
    "GetRolePolicy",
    "ListAttachedRolePolicies",
    "GetPolicy",
    "GetPolicyVersion",
];

#[test]
fn the_provisioners_policy_grants_every_operation_it_calls_but_doctors_iam_reads() {
    // A provider's secret in SSM, so the policy reads it.
    let spec = crate::spec::parse(
        "cognito.toml",
        "[[identity_providers]]\nname = \"Google\"\ntype = \"google\"\nclient_id = \"1234\"\n\
         client_secret_ssm = \"/toyseven/google\"\n",
    )
    .unwrap()
    .0;
    let functions = workspace_functions(workspace(), &spec).unwrap();
    let policy = policies(&spec, &functions)["provisioner.json"].to_string();
    let called = operations_called();
    assert!(called.len() > 30, "the scan finds the calls: {called:?}");
    let missing: Vec<&(String, String)> = called
        .iter()
        .filter(|(file, op)| {
            // doctor's IAM reads of post-confirmation's role are left out of the policy on
            // purpose (the README says so; doctor reports the role unverified without them).
            let iam_read = file == "doctor.rs" && DOCTORS_IAM_READS.contains(&op.as_str());
            !iam_read && !policy.contains(&format!(":{op}\""))
        })
        .collect();
    assert!(missing.is_empty(), "called but not granted: {missing:?}");
}

#[test]
fn a_relying_party_id_longer_than_cloudformation_takes_is_refused_for_the_template_only() {
    let spec = |prefix: &str| {
        let text = format!(
            "[pool]\ntier = \"essentials\"\n[pool.web_authn]\nrelying_party_id = \"{prefix}.auth.ap-southeast-1.amazoncognito.com\"\n\
             [domain]\nprefix = \"{prefix}\"\n"
        );
        crate::spec::parse("cognito.toml", &text)
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    };
    // 30 + 38 = 68 characters: the API takes it, the template cannot.
    let long = spec(&"a".repeat(30));
    let refused = super::check_template(&long).unwrap_err().to_string();
    assert!(
        refused.contains("is 68 characters") && refused.contains("at most 63"),
        "{refused}"
    );
    assert!(super::check_template(&spec(&"a".repeat(25))).is_ok(), "63 characters");
}
