//! The deploy path against moto's server (Lambda, IAM and Cognito), the same code
//! `cargo xtask deploy` runs: arm64 zips built by cargo-lambda, deployed with
//! `cargo lambda deploy`, then provisioned. After it, the pool's LambdaConfig points at the
//! deployed functions, each function's resource policy lets only cognito-idp.amazonaws.com
//! from that pool invoke it, each role allows no more than its function needs, each function
//! logs JSON to its log group kept as the spec says, and the alarms, metric filters and
//! dashboard are there (moto's Lambda, CloudWatch and CloudWatch Logs).

use aws_sdk_cloudwatch as cloudwatch;
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_iam as iam;
use aws_sdk_lambda as lambda;
use e2e::deploy::{self, Target};
use e2e::{Moto, Tools};
use serde_json::Value;

const REGION: &str = "us-east-1";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:cognito-alarms";

#[tokio::test]
async fn deploy_then_provision_wires_each_function_with_least_privilege() {
    let tools = Tools::default();
    let zips = deploy::package(&tools).expect("the arm64 zips build");
    for zip in &zips {
        assert!(
            zip.bytes <= zip.budget,
            "{} is {} bytes, over {}",
            zip.function,
            zip.bytes,
            zip.budget
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start(&tools, dir.path()).unwrap();
    // The project's spec, with pre-token generation wired too, so that every function is
    // deployed.
    let spec = dir.path().join("cognito.toml");
    let text = std::fs::read_to_string(e2e::workspace_root().join("cognito.toml")).unwrap();
    let text = text.replace(
        "custom_message = \"custom-message\"\n",
        "custom_message = \"custom-message\"\npre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n",
    );
    assert!(text.contains("pre_token_generation"), "the spec's [triggers] moved");
    // Logs kept 90 days (not the default 30), alarms sent to a topic.
    let text = format!("{text}\n[logs]\nretention_days = 90\n\n[alarms]\ntopic = \"{TOPIC}\"\n");
    std::fs::write(&spec, text).unwrap();
    let target = Target {
        spec: Some(spec),
        connection: provisioner::aws::Connection {
            region: Some(REGION.into()),
            endpoint_url: Some(moto.endpoint()),
            credentials: Some(("testing".into(), "testing".into())),
            ..Default::default()
        },
        ..Target::default()
    };
    let deployed = deploy::deploy(&tools, &target)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", moto.output()));
    let pool_id = deployed.user_pool_id.clone();

    let config = e2e::sdk_config(&moto.endpoint());
    let cognito = cognito::Client::new(&config);
    let lambda = lambda::Client::new(&config);
    let iam = iam::Client::new(&config);
    let logs = logs::Client::new(&config);
    let cloudwatch = cloudwatch::Client::new(&config);
    let pool = cognito
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let pool_arn = pool.arn().unwrap().to_owned();
    let lambda_config = pool.lambda_config().unwrap();

    for (function, _) in deploy::FUNCTIONS {
        let found = lambda.get_function().function_name(function).send().await.unwrap();
        let configuration = found.configuration().unwrap();
        let arn = configuration.function_arn().unwrap();
        assert_eq!(
            configuration.runtime().map(|r| r.as_str()),
            Some("provided.al2023"),
            "{function}"
        );
        assert_eq!(
            configuration
                .architectures()
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>(),
            ["arm64"]
        );
        assert_eq!(configuration.timeout(), Some(5), "Cognito waits 5 s at most");
        assert_eq!(configuration.memory_size(), Some(128));
        assert!(
            configuration
                .role()
                .unwrap()
                .ends_with(&format!(":role/{function}-role"))
        );

        let logging = lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .unwrap();
        let logging = logging.logging_config().expect("a logging configuration");
        let group = format!("/aws/lambda/{function}");
        assert_eq!(
            (
                logging.log_format().map(|f| f.as_str()),
                logging.application_log_level().map(|l| l.as_str()),
                logging.system_log_level().map(|l| l.as_str()),
                logging.log_group(),
            ),
            (Some("JSON"), Some("INFO"), Some("WARN"), Some(group.as_str())),
            "{function} logs JSON to its own group"
        );
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(&group)
            .send()
            .await
            .unwrap();
        let found = groups
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(group.as_str()))
            .unwrap_or_else(|| panic!("{group} was created"));
        assert_eq!(found.retention_in_days(), Some(90), "the spec's [logs] retention_days");

        let wired = match function {
            "pre-signup" => lambda_config.pre_sign_up(),
            "post-confirmation" => lambda_config.post_confirmation(),
            "custom-message" => lambda_config.custom_message(),
            "pre-token-generation" => lambda_config.pre_token_generation_config().map(|c| c.lambda_arn()),
            other => panic!("{other} is wired to no trigger this test knows"),
        };
        assert_eq!(
            wired,
            Some(arn.trim_end_matches(":$LATEST")),
            "{function} is wired into the pool"
        );

        let policy: Value = serde_json::from_str(
            lambda
                .get_policy()
                .function_name(function)
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap(),
        )
        .unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{function}: {policy}");
        let statement = &statements[0];
        assert_eq!(statement["Principal"]["Service"], "cognito-idp.amazonaws.com");
        assert_eq!(statement["Action"], "lambda:InvokeFunction");
        assert_eq!(statement["Condition"]["ArnLike"]["AWS:SourceArn"], pool_arn.as_str());
        assert_eq!(
            statement["Condition"]["StringEquals"]["AWS:SourceAccount"],
            "123456789012"
        );

        let role_policy = iam
            .get_role_policy()
            .role_name(format!("{function}-role"))
            .policy_name("least-privilege")
            .send()
            .await
            .unwrap();
        let document = urlencoding_decode(role_policy.policy_document());
        let document: Value = serde_json::from_str(&document).unwrap();
        let text = document.to_string();
        assert!(
            text.contains(&format!("log-group:/aws/lambda/{function}:*")),
            "{function}: {text}"
        );
        if function == "post-confirmation" {
            let cognito_statement = document["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Action"] == "cognito-idp:AdminAddUserToGroup")
                .expect("post-confirmation may add users to groups");
            assert_eq!(cognito_statement["Resource"], pool_arn.as_str(), "on its own pool only");
        } else {
            assert!(
                !text.contains("cognito-idp"),
                "{function} needs nothing but logs: {text}"
            );
        }
    }

    // A metric filter per marker on its function's log group, and the refusals' count.
    for (function, filter) in [
        ("pre-signup", "PRE_SIGNUP_LINKING_FAILED"),
        ("pre-signup", "sign-ups-refused"),
        ("post-confirmation", "POST_CONFIRMATION_GROUP_ADD_FAILED"),
    ] {
        let found = logs
            .describe_metric_filters()
            .log_group_name(format!("/aws/lambda/{function}"))
            .send()
            .await
            .unwrap();
        let found = found
            .metric_filters()
            .iter()
            .find(|f| f.filter_name() == Some(filter))
            .unwrap_or_else(|| panic!("no metric filter {filter} on {function}'s log group"));
        let transformation = &found.metric_transformations()[0];
        assert_eq!(transformation.metric_namespace(), "toyseven-cognito");
        assert_eq!(transformation.metric_value(), "1");
    }
    // Three alarms per function, one per marker, all notifying the spec's topic.
    let alarms = cloudwatch.describe_alarms().send().await.unwrap();
    let alarms = alarms.metric_alarms();
    assert_eq!(alarms.len(), deploy::FUNCTIONS.len() * 3 + 2, "{alarms:#?}");
    for alarm in alarms {
        assert_eq!(alarm.alarm_actions(), [TOPIC], "{:?}", alarm.alarm_name());
    }
    for (function, _) in deploy::FUNCTIONS {
        for metric in ["Errors", "Throttles", "Duration"] {
            if (function, metric) == ("pre-signup", "Errors") {
                continue;
            }
            let alarm = alarms
                .iter()
                .find(|a| a.metric_name() == Some(metric) && a.dimensions().iter().any(|d| d.value() == Some(function)))
                .unwrap_or_else(|| panic!("no {metric} alarm on {function}"));
            assert_eq!(alarm.namespace(), Some("AWS/Lambda"));
            if metric == "Duration" {
                assert_eq!(alarm.extended_statistic(), Some("p99"));
                assert_eq!(alarm.threshold(), Some(4000.0), "near Cognito's 5 s");
            }
        }
    }
    // pre-signup's refusals by policy and its linked sign-ins are error answers by design: its
    // errors alarm watches Errors less the two counts its metric filters publish.
    let errors = alarms
        .iter()
        .find(|a| a.alarm_name() == Some("pre-signup-errors"))
        .expect("pre-signup's errors alarm");
    assert_eq!(errors.metric_name(), None, "one metric or the math, not both");
    let queries = errors.metrics();
    let watched: Vec<(Option<&str>, Option<&str>)> = queries
        .iter()
        .filter_map(|q| q.metric_stat()?.metric())
        .map(|m| (m.namespace(), m.metric_name()))
        .collect();
    assert_eq!(
        watched,
        [
            (Some("AWS/Lambda"), Some("Errors")),
            (Some("toyseven-cognito"), Some("SignUpsRefused")),
            (Some("toyseven-cognito"), Some("ProviderSignInsLinked")),
        ],
        "{queries:#?}"
    );
    let returned: Vec<_> = queries.iter().filter(|q| q.return_data() == Some(true)).collect();
    assert_eq!(returned.len(), 1, "{queries:#?}");
    assert_eq!(
        returned[0].expression(),
        Some("FILL(total, 0) - FILL(refused, 0) - FILL(linked, 0)")
    );
    for filter in ["sign-ups-refused", "provider-sign-ins-linked"] {
        let found = logs
            .describe_metric_filters()
            .log_group_name("/aws/lambda/pre-signup")
            .filter_name_prefix(filter)
            .send()
            .await
            .unwrap();
        assert_eq!(found.metric_filters().len(), 1, "no metric filter {filter}");
    }
    for marker in ["PRE_SIGNUP_LINKING_FAILED", "POST_CONFIRMATION_GROUP_ADD_FAILED"] {
        let alarm = alarms
            .iter()
            .find(|a| a.metric_name() == Some(marker))
            .unwrap_or_else(|| panic!("no alarm on {marker}"));
        assert_eq!(alarm.namespace(), Some("toyseven-cognito"));
        assert_eq!(alarm.threshold(), Some(0.0), "one marked line fires it");
    }
    let dashboard = cloudwatch
        .get_dashboard()
        .dashboard_name("toyseven-cognito-triggers")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(dashboard.dashboard_body().unwrap()).unwrap();
    let text = body.to_string();
    assert!(text.contains(&pool_id), "the pool's metrics: {text}");
    assert!(!text.contains("${"), "every placeholder filled: {text}");
    for (function, _) in deploy::FUNCTIONS {
        assert!(
            text.contains(&format!("\"FunctionName\",\"{function}\"")),
            "{function}: {text}"
        );
    }

    // A second deploy converges: the functions' code uploaded again (a deploy always does),
    // and nothing else written: no role, no provisioner change, no role policy, no log group,
    // logging configuration, metric filter, alarm or dashboard.
    let again = deploy::deploy(&tools, &target).await.unwrap();
    assert_eq!(again.user_pool_id, pool_id);
    assert_eq!(again.provisioner_writes, 0, "{:?}", again.done);
    let expected: Vec<String> = deploy::FUNCTIONS
        .iter()
        .map(|(function, _)| {
            format!("deployed function {function} (role arn:aws:iam::123456789012:role/{function}-role)")
        })
        .collect();
    assert_eq!(again.done, expected);

    // Alarm actions switched off by hand are switched back on by the next deploy: the alarm
    // pages nobody otherwise.
    cloudwatch
        .disable_alarm_actions()
        .alarm_names("pre-signup-errors")
        .alarm_names("pre-signup-throttles")
        .send()
        .await
        .unwrap();
    let repaired = deploy::deploy(&tools, &target).await.unwrap();
    let alarms = repaired
        .done
        .iter()
        .filter(|d| d.starts_with("alarm "))
        .collect::<Vec<_>>();
    assert_eq!(alarms.len(), 2, "{:?}", repaired.done);
    let live = cloudwatch
        .describe_alarms()
        .alarm_names("pre-signup-errors")
        .alarm_names("pre-signup-throttles")
        .send()
        .await
        .unwrap();
    for alarm in live.metric_alarms() {
        assert_eq!(alarm.actions_enabled(), Some(true), "{:?}", alarm.alarm_name());
    }
}

/// IAM returns policy documents URL-encoded.
fn urlencoding_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}
