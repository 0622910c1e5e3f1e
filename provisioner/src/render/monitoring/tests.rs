//! The watch in the template: every function's logging, the marker filters and alarms, the
//! Lambda metrics' alarms, the refusals' count and the dashboard, for the default spec and the
//! production example.

use std::path::Path;

use serde_json::{Value, json};

use super::super::{cloudformation, pascal, workspace_functions};
use super::{BY_DESIGN, LINKED_METRIC, MARKERS, REFUSED_METRIC};
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
fn the_markers_and_the_outcomes_by_design_are_what_the_functions_log() {
    for (function, marker) in MARKERS {
        let source = std::fs::read_to_string(workspace().join("functions").join(function).join("src/lib.rs")).unwrap();
        assert!(
            source.contains(&format!("pub const ALARM: &str = \"{marker}\";")),
            "functions/{function} no longer logs {marker} as its ALARM"
        );
    }
    let source = std::fs::read_to_string(workspace().join("functions/pre-signup/src/lib.rs")).unwrap();
    for (_, metric, outcome, _) in BY_DESIGN {
        let constant = source
            .lines()
            .find_map(|line| {
                line.strip_prefix("pub const ")?
                    .strip_suffix(&format!(": &str = \"{outcome}\";"))
            })
            .unwrap_or_else(|| panic!("pre-signup names no outcome \"{outcome}\", which {metric} counts"));
        assert!(
            source.contains(&format!("outcome = {constant},")),
            "pre-signup no longer logs outcome = {constant}, which {metric}'s metric filter reads"
        );
    }
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

/// The metric an alarm watches, or in a metric-math alarm the one its math starts from (id
/// `total`): (namespace, metric name, dimensions, statistic).
fn watched(alarm: &Value) -> (Value, Value, Value, Value) {
    match alarm.get("Metrics") {
        Some(metrics) => {
            let total = metrics
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["Id"] == "total")
                .unwrap_or_else(|| panic!("no total in {metrics}"));
            let metric = &total["MetricStat"]["Metric"];
            (
                metric["Namespace"].clone(),
                metric["MetricName"].clone(),
                metric["Dimensions"].clone(),
                total["MetricStat"]["Stat"].clone(),
            )
        }
        None => (
            alarm["Namespace"].clone(),
            alarm["MetricName"].clone(),
            alarm["Dimensions"].clone(),
            alarm.get("Statistic").cloned().unwrap_or(Value::Null),
        ),
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
                        let (namespace, name, dimensions, _) = watched(a);
                        namespace == "AWS/Lambda"
                            && name == metric
                            && dimensions == json!([{"Name": "FunctionName", "Value": function}])
                    })
                    .collect();
                assert_eq!(found.len(), 1, "{name}: one {metric} alarm on {function}");
                found[0].clone()
            };
            for metric in ["Errors", "Throttles"] {
                let alarm = on(metric);
                assert_eq!((watched(&alarm).3, &alarm["Threshold"]), (json!("Sum"), &json!(0.0)));
            }
            let duration = on("Duration");
            assert_eq!(duration["ExtendedStatistic"], "p99");
            assert!(duration.get("Statistic").is_none(), "one statistic or the other");
            let threshold = duration["Threshold"].as_f64().unwrap();
            assert!((3000.0..5000.0).contains(&threshold), "near, under 5 s: {threshold}");
        }
    }
}

/// An alarm's metric math of the form the watch writes (`FILL(a, 0) - FILL(b, 0) ...`),
/// evaluated for one period's sums by id; an id without a sum is a period with no data.
fn evaluate(expression: &str, sums: &[(&str, f64)]) -> f64 {
    let term = |term: &str| {
        let id = term
            .trim()
            .strip_prefix("FILL(")
            .and_then(|t| t.strip_suffix(", 0)"))
            .unwrap_or_else(|| panic!("not FILL(id, 0): {term}"));
        sums.iter().find(|(name, _)| *name == id).map_or(0.0, |(_, sum)| *sum)
    };
    let mut terms = expression.split(" - ");
    let first = term(terms.next().unwrap());
    terms.fold(first, |total, t| total - term(t))
}

#[test]
fn pre_signups_errors_alarm_ignores_its_refusals_and_links_by_design_and_fires_on_anything_else() {
    for (name, _, template) in both_templates() {
        let alarm = &template["Resources"]["PreSignupErrorsAlarm"]["Properties"];
        for top in [
            "Namespace",
            "MetricName",
            "Dimensions",
            "Period",
            "Statistic",
            "ExtendedStatistic",
        ] {
            assert!(alarm.get(top).is_none(), "{name}: AWS refuses {top} beside Metrics");
        }
        let metrics = alarm["Metrics"].as_array().unwrap();
        let returned: Vec<&Value> = metrics.iter().filter(|m| m["ReturnData"] == true).collect();
        assert_eq!(returned.len(), 1, "{name}: the alarm watches one series");
        let expression = returned[0]["Expression"].as_str().unwrap();
        let counted = |namespace: &str, metric: &str| {
            let found = metrics
                .iter()
                .find(|m| m["MetricStat"]["Metric"]["MetricName"] == metric)
                .unwrap_or_else(|| panic!("{name}: {metric} is not in the math"));
            assert_eq!(
                found["MetricStat"]["Metric"]["Namespace"], namespace,
                "{name}: {metric}"
            );
            assert_eq!(found["MetricStat"]["Stat"], "Sum", "{name}: {metric}");
            assert_eq!(
                found["MetricStat"]["Period"],
                alarm_period(metrics),
                "one period for all"
            );
            found["Id"].as_str().unwrap().to_owned()
        };
        let (errors, refused, linked) = (
            counted("AWS/Lambda", "Errors"),
            counted(super::NAMESPACE, REFUSED_METRIC),
            counted(super::NAMESPACE, LINKED_METRIC),
        );
        let fires = |sums: &[(&str, f64)]| evaluate(expression, sums) > alarm["Threshold"].as_f64().unwrap();
        assert!(
            !fires(&[(&errors, 3.0), (&refused, 2.0), (&linked, 1.0)]),
            "{name}: {expression}"
        );
        assert!(
            !fires(&[(&errors, 2.0), (&refused, 2.0)]),
            "no link that period: {expression}"
        );
        assert!(!fires(&[]), "no call at all");
        assert!(
            fires(&[(&errors, 3.0), (&refused, 2.0)]),
            "one error not by design: {expression}"
        );
        assert!(fires(&[(&errors, 1.0)]), "a timeout, nothing refused: {expression}");
        let filters = of_type(&template, "AWS::Logs::MetricFilter");
        for metric in [REFUSED_METRIC, LINKED_METRIC] {
            assert!(
                filters.iter().any(
                    |(_, f)| f["Properties"]["MetricTransformations"][0]["MetricName"] == metric
                        && f["Properties"]["LogGroupName"] == json!({"Ref": "PreSignupLogGroup"})
                ),
                "{name}: {metric} is counted from pre-signup's log"
            );
        }
    }
    let (_, template) = template_of("");
    for id in ["PostConfirmationErrorsAlarm", "CustomMessageErrorsAlarm"] {
        let alarm = &template["Resources"][id]["Properties"];
        assert!(
            alarm.get("Metrics").is_none(),
            "{id}: every error of the others is a failure"
        );
    }
}

fn alarm_period(metrics: &[Value]) -> Value {
    metrics
        .iter()
        .find(|m| m["Id"] == "total")
        .map(|m| m["MetricStat"]["Period"].clone())
        .unwrap()
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
    assert!(selects(&super::outcome_pattern("refused"), &refused), "{refused}");
    let mut accepted = refused.clone();
    accepted["fields"]["outcome"] = json!("accepted");
    assert!(!selects(&super::outcome_pattern("refused"), &accepted));

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
