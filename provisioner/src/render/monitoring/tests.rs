//! The watch in the template: every function's logging, the marker filters and alarms, the
//! Lambda metrics' alarms, the refusals' count and the dashboard, for the default spec and the
//! production example.

use std::path::Path;

use serde_json::{Value, json};

use super::super::{cloudformation, pascal, workspace_functions};
use super::{MARKERS, REFUSED_METRIC};
use crate::desired::Desired;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The spec at `text` and the functions built here, rendered.
fn template_of(text: &str) -> (Desired, Value) {
    let spec = crate::spec::parse("test.toml", text).unwrap().0;
    let functions = workspace_functions(workspace(), &spec).unwrap();
    let template = cloudformation(&spec, &functions);
    (spec, template)
}

fn production() -> String {
    std::fs::read_to_string(workspace().join("examples/production.toml")).unwrap()
}

/// The template's resources of `kind`, by logical id.
fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, resource)| resource["Type"] == kind)
        .collect()
}

/// The default spec (cognito.toml) and the production example, rendered.
fn both_templates() -> [(&'static str, Desired, Value); 2] {
    let project = std::fs::read_to_string(workspace().join("cognito.toml")).unwrap();
    let (spec, template) = template_of(&project);
    let (production_spec, production_template) = template_of(&production());
    [
        ("cognito.toml", spec, template),
        ("examples/production.toml", production_spec, production_template),
    ]
}

#[test]
fn every_function_logs_json_at_the_spec_level_to_its_own_group_kept_as_long_as_the_spec_says() {
    for (name, spec, template) in both_templates() {
        let functions = of_type(&template, "AWS::Serverless::Function");
        assert!(functions.len() >= 3, "{name}");
        for (id, function) in functions {
            let logging = &function["Properties"]["LoggingConfig"];
            assert_eq!(logging["LogFormat"], "JSON", "{name} {id}");
            assert_eq!(
                logging["ApplicationLogLevel"],
                spec.monitoring.log_level.as_aws(),
                "{name} {id}"
            );
            assert_eq!(logging["SystemLogLevel"], "WARN", "{name} {id}");
            let group_id = logging["LogGroup"]["Ref"].as_str().unwrap();
            let group = &template["Resources"][group_id];
            assert_eq!(group["Type"], "AWS::Logs::LogGroup");
            assert_eq!(
                group["Properties"]["LogGroupName"],
                format!(
                    "/aws/lambda/{}",
                    function["Properties"]["FunctionName"].as_str().unwrap()
                ),
                "{name} {id}: Lambda's own group name"
            );
            assert_eq!(
                group["Properties"]["RetentionInDays"], spec.monitoring.log_retention_days,
                "{name} {id}"
            );
        }
    }
    let (_, template) = template_of("[logs]\nretention_days = 400\nlevel = \"debug\"\n");
    let function = &template["Resources"]["PreSignupFunction"]["Properties"];
    assert_eq!(function["LoggingConfig"]["ApplicationLogLevel"], "DEBUG");
    assert_eq!(
        template["Resources"]["PreSignupLogGroup"]["Properties"]["RetentionInDays"],
        400
    );
}

#[test]
fn the_markers_and_the_refusal_are_what_the_functions_log() {
    for (function, marker) in MARKERS {
        let source = std::fs::read_to_string(workspace().join("functions").join(function).join("src/lib.rs")).unwrap();
        assert!(
            source.contains(&format!("pub const ALARM: &str = \"{marker}\";")),
            "functions/{function} no longer logs {marker} as its ALARM"
        );
    }
    let source = std::fs::read_to_string(workspace().join("functions/pre-signup/src/lib.rs")).unwrap();
    assert!(
        source.contains("pub const REFUSED: &str = \"refused\";") && source.contains("outcome = REFUSED"),
        "pre-signup no longer logs outcome = \"refused\", which the refusals' metric filter reads"
    );
}

#[test]
fn each_marker_has_a_metric_filter_on_its_function_log_group_and_an_alarm_on_the_filter_metric() {
    for (name, _, template) in both_templates() {
        let filters = of_type(&template, "AWS::Logs::MetricFilter");
        let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
        for (function, marker) in MARKERS {
            let (_, filter) = filters
                .iter()
                .find(|(_, f)| f["Properties"]["FilterName"] == marker)
                .unwrap_or_else(|| panic!("{name}: no metric filter for {marker}"));
            let filter = &filter["Properties"];
            assert_eq!(
                filter["LogGroupName"],
                json!({"Ref": format!("{}LogGroup", pascal(function))}),
                "{name}: {marker} is looked for in {function}'s log"
            );
            let pattern = filter["FilterPattern"].as_str().unwrap();
            assert_eq!(
                pattern,
                format!("{{ ($.alarm = \"{marker}\") || ($.fields.alarm = \"{marker}\") }}"),
                "the JSON line's alarm field, never the bare word a user name may hold"
            );
            let transformation = &filter["MetricTransformations"][0];
            assert_eq!(transformation["MetricValue"], "1");
            let (_, alarm) = alarms
                .iter()
                .find(|(_, a)| {
                    a["Properties"]["MetricName"] == transformation["MetricName"]
                        && a["Properties"]["Namespace"] == transformation["MetricNamespace"]
                })
                .unwrap_or_else(|| panic!("{name}: no alarm on {marker}'s metric"));
            let alarm = &alarm["Properties"];
            assert_eq!(alarm["Statistic"], "Sum");
            assert_eq!(alarm["Threshold"], 0.0);
            assert_eq!(alarm["ComparisonOperator"], "GreaterThanThreshold", "one line fires it");
            assert_eq!(alarm["TreatMissingData"], "notBreaching", "no line, no alarm");
        }
    }
}

#[test]
fn each_function_has_errors_throttles_and_a_p99_duration_alarm_under_cognitos_five_seconds() {
    for (name, _, template) in both_templates() {
        let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
        for (_, function) in of_type(&template, "AWS::Serverless::Function") {
            let function = function["Properties"]["FunctionName"].as_str().unwrap();
            let on = |metric: &str| {
                let found: Vec<&Value> = alarms
                    .iter()
                    .map(|(_, a)| &a["Properties"])
                    .filter(|a| {
                        a["Namespace"] == "AWS/Lambda"
                            && a["MetricName"] == metric
                            && a["Dimensions"] == json!([{"Name": "FunctionName", "Value": function}])
                    })
                    .collect();
                assert_eq!(found.len(), 1, "{name}: one {metric} alarm on {function}");
                found[0].clone()
            };
            for metric in ["Errors", "Throttles"] {
                let alarm = on(metric);
                assert_eq!((&alarm["Statistic"], &alarm["Threshold"]), (&json!("Sum"), &json!(0.0)));
            }
            let duration = on("Duration");
            assert_eq!(duration["ExtendedStatistic"], "p99");
            assert!(duration.get("Statistic").is_none(), "one statistic or the other");
            let threshold = duration["Threshold"].as_f64().unwrap();
            assert!((3000.0..5000.0).contains(&threshold), "near, under 5 s: {threshold}");
        }
    }
}

#[test]
fn alarms_notify_the_topic_the_spec_names_or_nobody() {
    let (_, template) = template_of("");
    for (id, alarm) in of_type(&template, "AWS::CloudWatch::Alarm") {
        assert!(alarm["Properties"].get("AlarmActions").is_none(), "{id}");
    }
    let topic = "arn:aws:sns:eu-west-1:123456789012:pager";
    let (_, template) = template_of(&format!("[alarms]\ntopic = \"{topic}\"\n"));
    let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
    assert_eq!(alarms.len(), 3 * 3 + 2, "three per function, one per marker");
    for (id, alarm) in alarms {
        assert_eq!(alarm["Properties"]["AlarmActions"], json!([topic]), "{id}");
    }
}

#[test]
fn the_dashboard_shows_the_functions_against_the_budget_the_markers_refusals_and_the_pool() {
    for (name, spec, template) in both_templates() {
        let dashboards = of_type(&template, "AWS::CloudWatch::Dashboard");
        assert_eq!(dashboards.len(), 1, "{name}");
        let body = dashboards[0].1["Properties"]["DashboardBody"]["Fn::Sub"]
            .as_str()
            .unwrap();
        let body: Value = serde_json::from_str(
            &body
                .replace("${AWS::Region}", "eu-west-1")
                .replace("${UserPool}", "eu-west-1_abc"),
        )
        .unwrap();
        let widgets = body["widgets"].as_array().unwrap();
        let metrics = |widget: &Value| widget["properties"]["metrics"].to_string();
        let titled = |words: &str| {
            widgets
                .iter()
                .find(|w| w["properties"]["title"].as_str().unwrap().contains(words))
                .unwrap_or_else(|| panic!("{name}: no widget titled {words}"))
        };
        for (_, function) in of_type(&template, "AWS::Serverless::Function") {
            let function = function["Properties"]["FunctionName"].as_str().unwrap();
            let named = format!("\"FunctionName\",\"{function}\"");
            assert!(metrics(titled("Invocations")).contains(&named), "{name}: {function}");
            let errors = metrics(titled("Errors"));
            assert!(errors.contains(&format!("\"Errors\",{named}")), "{name}: {errors}");
            assert!(errors.contains(&format!("\"Throttles\",{named}")), "{name}: {errors}");
            assert!(metrics(titled("Duration")).contains(&format!("\"Duration\",{named}")));
        }
        let duration = titled("Duration");
        let budget = &duration["properties"]["annotations"]["horizontal"];
        assert!(
            budget.as_array().unwrap().iter().any(|line| line["value"] == 5000.0),
            "{name}: the 5 s budget as a line: {budget}"
        );
        let markers = metrics(titled("markers"));
        for (_, marker) in MARKERS {
            assert!(markers.contains(&format!("\"{marker}\"")), "{name}: {markers}");
        }
        assert!(metrics(titled("refused")).contains(REFUSED_METRIC));
        let pool = metrics(titled("The pool: sign-ups"));
        assert!(pool.contains("UserPool=\\\"eu-west-1_abc\\\""), "{name}: {pool}");
        assert!(pool.contains("SignUpSuccesses"), "{name}: {pool}");
        for widget in widgets {
            assert_eq!(widget["properties"]["region"], "eu-west-1");
        }
        assert!(
            spec.pool.name.len() + "-triggers".len()
                == dashboards[0].1["Properties"]["DashboardName"].as_str().unwrap().len()
        );
    }
}

#[test]
fn refusals_are_counted_from_pre_signups_outcome_field_never_from_the_email() {
    let (_, template) = template_of("");
    let filter = &template["Resources"]["SignUpsRefusedMetricFilter"]["Properties"];
    assert_eq!(filter["LogGroupName"], json!({"Ref": "PreSignupLogGroup"}));
    let pattern = filter["FilterPattern"].as_str().unwrap();
    assert!(pattern.contains("$.outcome = \"refused\""), "{pattern}");
    assert!(pattern.contains("$.fields.outcome = \"refused\""), "{pattern}");
    assert!(!pattern.contains("email"), "{pattern}");
    assert_eq!(filter["MetricTransformations"][0]["MetricName"], REFUSED_METRIC);
}

/// Whether a JSON line matches a metric filter of the form the watch uses: `{ (C) || (C) }`,
/// each condition `$.path.to.field = "value"` (CloudWatch Logs' JSON filter syntax, the part
/// of it these filters need).
fn selects(pattern: &str, line: &Value) -> bool {
    let inner = pattern
        .trim()
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap();
    inner.split("||").any(|condition| {
        let condition = condition.trim().trim_start_matches('(').trim_end_matches(')');
        let (path, value) = condition.split_once(" = ").unwrap();
        let field = path
            .trim()
            .strip_prefix("$.")
            .unwrap()
            .split('.')
            .try_fold(line, |at, key| at.get(key));
        field == Some(&json!(value.trim().trim_matches('"')))
    })
}

/// A refused sign-up's line as the functions write it with `AWS_LAMBDA_LOG_FORMAT=JSON`
/// (tracing-subscriber's JSON formatter: the event's own fields under `fields`), the shape the
/// README shows and the functions' `tests/log_queries.rs` check.
fn refused_line() -> Value {
    json!({
        "timestamp": "2026-12-02T18:36:18.123456Z",
        "level": "INFO",
        "fields": {
            "message": "sign-up rejected",
            "outcome": "refused",
            "trigger_source": "PreSignUp_SignUp",
            "email": "j***@mailinator.com",
            "reason": "domain not allowed",
        },
        "span": {"requestId": "8f5c…", "name": "Lambda runtime invoke"},
    })
}

#[test]
fn the_filters_select_the_functions_json_lines_by_field_and_nothing_a_user_name_can_forge() {
    let refused = refused_line();
    assert!(selects(super::REFUSED_PATTERN, &refused), "{refused}");
    let mut accepted = refused.clone();
    accepted["fields"]["outcome"] = json!("accepted");
    assert!(!selects(super::REFUSED_PATTERN, &accepted));

    for (_, marker) in MARKERS {
        let pattern = super::marker_pattern(marker);
        let mut alarm = refused.clone();
        alarm["level"] = json!("ERROR");
        alarm["fields"]["alarm"] = json!(marker);
        assert!(selects(&pattern, &alarm), "{pattern} on {alarm}");
        let mut flattened = alarm["fields"].clone();
        flattened["level"] = json!("ERROR");
        assert!(selects(&pattern, &flattened), "fields at the top: {flattened}");
        let mut forged = refused.clone();
        forged["fields"]["user"] = json!(format!("alarm=\"{marker}\""));
        assert!(!selects(&pattern, &forged), "a user name holding the marker: {forged}");
    }
}
