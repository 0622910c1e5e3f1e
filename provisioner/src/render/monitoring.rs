//! What the operator is warned by and looks at, written once for the SAM template and
//! `cargo xtask deploy`: a metric filter and an alarm per failure marker the functions log,
//! alarms on each function's `Errors`, `Throttles` and `Duration` p99 nearing Cognito's 5 s,
//! the count of sign-ups refused by policy, and a dashboard of the functions and the pool.
//! The README's "Logs, alarms and the dashboard" says what each alarm means and what to do.

use serde_json::{Value, json};

use super::FunctionDeploy;
use crate::desired::Desired;
use crate::desired::monitoring::log_group;

/// The namespace of the metrics the metric filters publish.
pub const NAMESPACE: &str = "toyseven-cognito";

/// The failure markers, by the function that logs them (each crate's `ALARM`): a line that
/// carries one says a user was left in a state someone must fix.
pub const MARKERS: [(&str, &str); 2] = [
    ("pre-signup", "PRE_SIGNUP_LINKING_FAILED"),
    ("post-confirmation", "POST_CONFIRMATION_GROUP_ADD_FAILED"),
];

/// A marker is matched as the value of the JSON line's `alarm` field, where the JSON formatter
/// puts an event's fields (at the top, or under `fields`), never as a bare word: a user name
/// may contain the marker's text (Cognito allows `"` and `=` in one), and a word filter would
/// let anyone who signs up with such a name fire the alarm. The functions log JSON wherever
/// this filter is deployed (their `LoggingConfig`).
pub fn marker_pattern(marker: &str) -> String {
    format!("{{ ($.alarm = \"{marker}\") || ($.fields.alarm = \"{marker}\") }}")
}

/// The metric of the sign-ups pre-signup refused by policy (a domain not allowed, an address
/// malformed or already taken by a provider): its line's `outcome` field is `refused`. Never
/// from the email, which the line carries masked.
pub const REFUSED_METRIC: &str = "SignUpsRefused";
/// The metric of the provider sign-ins pre-signup linked to the native user with their email:
/// it refuses that one sign-in by design (the next lands on the linked user), its line's
/// `outcome` is `linked`.
pub const LINKED_METRIC: &str = "ProviderSignInsLinked";

/// pre-signup's answers by design that Lambda counts as the function's `Errors` (Cognito
/// refuses a sign-up only through an error answer): each a metric filter on the line's
/// `outcome`, and subtracted from `Errors` in pre-signup's errors alarm, so that a refusal by
/// policy pages nobody. As (metric filter's name, metric, `outcome`, id in the alarm's math).
pub const BY_DESIGN: [(&str, &str, &str, &str); 2] = [
    ("sign-ups-refused", REFUSED_METRIC, "refused", "refused"),
    ("provider-sign-ins-linked", LINKED_METRIC, "linked", "linked"),
];

/// A line whose `outcome` field is `outcome`, read where the JSON formatter puts an event's
/// fields, at the top or under `fields`.
pub fn outcome_pattern(outcome: &str) -> String {
    format!("{{ ($.outcome = \"{outcome}\") || ($.fields.outcome = \"{outcome}\") }}")
}

/// The p99 duration above which an alarm warns, in milliseconds: Cognito waits 5 s for a
/// trigger, then fails the sign-up or sign-in.
pub const DURATION_THRESHOLD_MS: f64 = 4000.0;
pub const COGNITO_BUDGET_MS: f64 = 5000.0;

/// What a dashboard's body says in place of the region and the pool's id, which the template
/// fills with `Fn::Sub` and deploy with the values it has.
pub const REGION: &str = "${AWS::Region}";
pub const POOL_ID: &str = "${UserPool}";

/// A metric filter on a function's log group: each matching line adds 1 to
/// `NAMESPACE/metric`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricFilter {
    pub function: String,
    pub log_group: String,
    pub name: String,
    pub pattern: String,
    pub metric: String,
}

/// How an alarm reduces its metric over each period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statistic {
    Sum,
    /// An extended statistic, `p99`.
    Percentile(&'static str),
}

/// An alarm: `metric`'s statistic over `period` seconds above `threshold` in
/// `evaluation_periods` periods in a row; no data counts as fine (a function nobody called).
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub description: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    pub statistic: Statistic,
    pub period: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    /// The SNS topic the alarm notifies when it fires, if the spec names one.
    pub actions: Vec<String>,
    /// Counts subtracted from `metric` before the threshold (metrics in [`NAMESPACE`], summed
    /// over the same period), as (id, metric): the error answers the function gives by design.
    /// With any, the alarm watches [`Alarm::expression`].
    pub less: Vec<(&'static str, &'static str)>,
}

impl Alarm {
    pub const COMPARISON: &'static str = "GreaterThanThreshold";
    pub const TREAT_MISSING_DATA: &'static str = "notBreaching";
    /// The id of the watched metric in the alarm's math, and of the math itself.
    pub const METRIC_ID: &'static str = "total";
    pub const EXPRESSION_ID: &'static str = "unexpected";

    /// The metric math the alarm watches when it subtracts counts: `metric` less each of
    /// `less`, a period without a count reading as 0 (a metric filter publishes nothing while
    /// no line matches).
    pub fn expression(&self) -> Option<String> {
        if self.less.is_empty() {
            return None;
        }
        let mut expression = format!("FILL({}, 0)", Self::METRIC_ID);
        for (id, _) in &self.less {
            expression.push_str(&format!(" - FILL({id}, 0)"));
        }
        Some(expression)
    }

    /// The expression's label on the alarm's graph.
    pub fn expression_label(&self) -> String {
        format!("{} not by design", self.metric)
    }
}

/// Everything the operator watches the functions with.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub metric_filters: Vec<MetricFilter>,
    pub alarms: Vec<Alarm>,
    pub dashboard_name: String,
    /// The dashboard's JSON body, with [`REGION`] and [`POOL_ID`] to fill in.
    pub dashboard_body: String,
}

impl Watch {
    /// The dashboard's body in `region`, for the pool `pool_id`.
    pub fn dashboard_body_in(&self, region: &str, pool_id: &str) -> String {
        self.dashboard_body.replace(REGION, region).replace(POOL_ID, pool_id)
    }
}

/// The watch over `functions` (the functions built here that the spec wires) and the pool.
pub fn watch(desired: &Desired, functions: &[FunctionDeploy]) -> Watch {
    let actions: Vec<String> = desired.monitoring.alarm_topic.iter().cloned().collect();
    let mut metric_filters = Vec::new();
    let mut alarms = Vec::new();
    for function in functions {
        let name = function.name.as_str();
        let lambda = |metric: &str, statistic, period, threshold, description: String| Alarm {
            name: format!("{name}-{}", metric.to_ascii_lowercase()),
            description,
            namespace: "AWS/Lambda".into(),
            metric: metric.into(),
            dimensions: vec![("FunctionName".into(), name.into())],
            statistic,
            period,
            evaluation_periods: 1,
            threshold,
            actions: actions.clone(),
            less: Vec::new(),
        };
        let errors = if name == "pre-signup" {
            // A refusal by policy and a linked provider sign-in are error answers too: the
            // alarm watches the errors less those two counts, over 5 minutes, so that a
            // refusal's line and its error fall in the same period all but never apart.
            let mut errors = lambda(
                "Errors",
                Statistic::Sum,
                300,
                0.0,
                format!(
                    "{name} failed other than by design (an error, a timeout or a bad event; its errors less the \
                     sign-ups it refused by policy and the provider sign-ins it linked, which Lambda counts as \
                     errors too): Cognito refused the sign-up or sign-in it was called for. Read the function's log \
                     for the error."
                ),
            );
            errors.less = BY_DESIGN.iter().map(|&(_, metric, _, id)| (id, metric)).collect();
            errors
        } else {
            lambda(
                "Errors",
                Statistic::Sum,
                60,
                0.0,
                format!(
                    "{name} failed (an error or a timeout): Cognito refused the sign-up or sign-in it was called \
                     for. Read the function's log for the error."
                ),
            )
        };
        alarms.push(errors);
        alarms.push(lambda(
            "Throttles",
            Statistic::Sum,
            60,
            0.0,
            format!(
                "Lambda refused to run {name} (the account's or the function's concurrency is used up): \
                 Cognito failed the sign-up or sign-in. Raise the account's concurrency quota or free some."
            ),
        ));
        let mut duration = lambda(
            "Duration",
            Statistic::Percentile("p99"),
            300,
            DURATION_THRESHOLD_MS,
            format!(
                "{name}'s p99 duration is over {DURATION_THRESHOLD_MS} ms, near the {COGNITO_BUDGET_MS} ms Cognito \
                 waits before it fails the request. The dashboard's p99 and maximum show cold starts or every \
                 call; then the function's calls to Cognito."
            ),
        );
        duration.name = format!("{name}-duration-p99");
        alarms.push(duration);
        for (owner, marker) in MARKERS {
            if owner != name {
                continue;
            }
            metric_filters.push(MetricFilter {
                function: name.into(),
                log_group: log_group(name),
                name: marker.into(),
                pattern: marker_pattern(marker),
                metric: marker.into(),
            });
            alarms.push(Alarm {
                name: marker.into(),
                description: format!(
                    "{name} logged {marker}: {}",
                    match marker {
                        "PRE_SIGNUP_LINKING_FAILED" =>
                            "a provider sign-up was refused because linking it to the verified user with its email \
                             did not finish. Find the line by its marker, fix its cause (the role's permissions, \
                             Cognito's limits); the person may sign in again.",
                        _ =>
                            "a confirmed user was not added to the default group. Find the line by its marker and add \
                             the user (its sub and user pool id are in the line) with AdminAddUserToGroup.",
                    }
                ),
                namespace: NAMESPACE.into(),
                metric: marker.into(),
                dimensions: Vec::new(),
                statistic: Statistic::Sum,
                period: 60,
                evaluation_periods: 1,
                threshold: 0.0,
                actions: actions.clone(),
                less: Vec::new(),
            });
        }
        if name == "pre-signup" {
            for (filter, metric, outcome, _) in BY_DESIGN {
                metric_filters.push(MetricFilter {
                    function: name.into(),
                    log_group: log_group(name),
                    name: filter.into(),
                    pattern: outcome_pattern(outcome),
                    metric: metric.into(),
                });
            }
        }
    }
    Watch {
        dashboard_name: dashboard_name(&desired.pool.name),
        dashboard_body: sorted(dashboard(functions, &metric_filters)).to_string(),
        metric_filters,
        alarms,
    }
}

/// `value` with every object's keys in order, so that its text is the same whether or not
/// serde_json keeps insertion order (a feature another crate of the build may turn on).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// `<pool name>-triggers`, in the characters a dashboard's name may hold (letters, digits,
/// `-` and `_`, at most 255).
fn dashboard_name(pool: &str) -> String {
    let name: String = pool
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(255 - "-triggers".len())
        .collect();
    format!("{name}-triggers")
}

fn widget(title: &str, (x, y): (u32, u32), properties: Value) -> Value {
    let mut properties = properties;
    properties["title"] = json!(title);
    properties["region"] = json!(REGION);
    properties["view"] = json!("timeSeries");
    json!({"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties})
}

fn dashboard(functions: &[FunctionDeploy], filters: &[MetricFilter]) -> Value {
    let per_function = |metric: &str, extra: Value| -> Vec<Value> {
        functions
            .iter()
            .map(|f| {
                let mut line = vec![json!("AWS/Lambda"), json!(metric), json!("FunctionName"), json!(f.name)];
                if !extra.is_null() {
                    line.push(extra.clone());
                }
                json!(line)
            })
            .collect()
    };
    let mut errors = per_function("Errors", Value::Null);
    errors.extend(per_function("Throttles", Value::Null));
    let mut duration = per_function("Duration", json!({"stat": "p99"}));
    duration.extend(per_function("Duration", json!({"stat": "Maximum"})));
    let by_design = |f: &&MetricFilter| BY_DESIGN.iter().any(|&(_, metric, _, _)| f.metric == metric);
    let markers: Vec<Value> = filters
        .iter()
        .filter(|f| !by_design(f))
        .map(|f| json!([NAMESPACE, f.metric]))
        .collect();
    let pool = |metric: &str, id: &str| {
        json!({
            "expression": format!(
                "SUM(SEARCH('{{AWS/Cognito,UserPool,UserPoolClient}} MetricName=\"{metric}\" UserPool=\"{POOL_ID}\"', 'Sum', 300))"
            ),
            "id": id,
            "label": metric,
        })
    };
    let mut widgets = Vec::new();
    if !functions.is_empty() {
        widgets.extend(function_widgets(
            per_function("Invocations", Value::Null),
            errors,
            duration,
        ));
    }
    fn function_widgets(invocations: Vec<Value>, errors: Vec<Value>, duration: Vec<Value>) -> [Value; 3] {
        [
            widget(
                "Invocations",
                (0, 0),
                json!({"stat": "Sum", "period": 300, "metrics": invocations}),
            ),
            widget(
                "Errors and throttles (each one a failed sign-up or sign-in)",
                (12, 0),
                json!({"stat": "Sum", "period": 60, "metrics": errors}),
            ),
            widget(
                "Duration against Cognito's 5 s budget (ms)",
                (0, 6),
                json!({
                    "period": 300,
                    "metrics": duration,
                    "yAxis": {"left": {"min": 0}},
                    "annotations": {"horizontal": [
                        {"label": "Cognito's 5 s budget", "value": COGNITO_BUDGET_MS, "color": "#d62728"},
                        {"label": "p99 alarm", "value": DURATION_THRESHOLD_MS, "color": "#ff7f0e"},
                    ]},
                }),
            ),
        ]
    }
    if !markers.is_empty() {
        widgets.push(widget(
            "Failure markers (each a user to fix by hand)",
            (12, 6),
            json!({"stat": "Sum", "period": 60, "metrics": markers}),
        ));
    }
    let answers: Vec<Value> = filters
        .iter()
        .filter(by_design)
        .map(|f| json!([NAMESPACE, f.metric]))
        .collect();
    if !answers.is_empty() {
        widgets.push(widget(
            "Sign-ups refused by policy, provider sign-ins linked (pre-signup's error answers by design)",
            (0, 12),
            json!({"stat": "Sum", "period": 300, "metrics": answers}),
        ));
    }
    widgets.push(widget(
        "The pool: sign-ups, sign-ins, refreshes, federation (all clients)",
        (12, 12),
        json!({"period": 300, "metrics": [
            [pool("SignUpSuccesses", "signups")],
            [pool("SignInSuccesses", "signins")],
            [pool("TokenRefreshSuccesses", "refreshes")],
            [pool("FederationSuccesses", "federation")],
        ]}),
    ));
    widgets.push(widget(
        "The pool: requests Cognito throttled",
        (0, 18),
        json!({"period": 300, "metrics": [
            [pool("SignUpThrottles", "signupthrottles")],
            [pool("SignInThrottles", "signinthrottles")],
            [pool("TokenRefreshThrottles", "refreshthrottles")],
            [pool("FederationThrottles", "federationthrottles")],
        ]}),
    ));
    json!({"widgets": widgets})
}

/// The template's resources for `watch`: a metric filter per filter on its function's log
/// group, an alarm per alarm, the dashboard.
pub(super) fn resources(watch: &Watch, resources: &mut serde_json::Map<String, Value>) {
    let pascal = |name: &str| super::pascal(&name.to_ascii_lowercase());
    for filter in &watch.metric_filters {
        resources.insert(
            format!("{}MetricFilter", pascal(&filter.name)),
            json!({
                "Type": "AWS::Logs::MetricFilter",
                "Properties": {
                    "LogGroupName": {"Ref": format!("{}LogGroup", super::pascal(&filter.function))},
                    "FilterName": filter.name,
                    "FilterPattern": filter.pattern,
                    "MetricTransformations": [{"MetricNamespace": NAMESPACE, "MetricName": filter.metric, "MetricValue": "1"}],
                },
            }),
        );
    }
    for alarm in &watch.alarms {
        let dimensions: Vec<Value> = alarm
            .dimensions
            .iter()
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect();
        let mut properties = json!({
            "AlarmName": alarm.name,
            "AlarmDescription": alarm.description,
            "EvaluationPeriods": alarm.evaluation_periods,
            "Threshold": alarm.threshold,
            "ComparisonOperator": Alarm::COMPARISON,
            "TreatMissingData": Alarm::TREAT_MISSING_DATA,
        });
        match (alarm.expression(), &alarm.statistic) {
            // AWS refuses Namespace, MetricName, Dimensions, Period and the statistic beside
            // Metrics: each metric says them in the list.
            (Some(expression), _) => {
                let stat = |id: &str, namespace: &str, metric: &str, dimensions: &[Value]| {
                    let mut metric = json!({"Namespace": namespace, "MetricName": metric});
                    if !dimensions.is_empty() {
                        metric["Dimensions"] = json!(dimensions);
                    }
                    json!({"Id": id, "MetricStat": {"Metric": metric, "Period": alarm.period, "Stat": "Sum"}, "ReturnData": false})
                };
                let mut metrics = vec![stat(Alarm::METRIC_ID, &alarm.namespace, &alarm.metric, &dimensions)];
                metrics.extend(alarm.less.iter().map(|(id, metric)| stat(id, NAMESPACE, metric, &[])));
                metrics.push(json!({
                    "Id": Alarm::EXPRESSION_ID,
                    "Expression": expression,
                    "Label": alarm.expression_label(),
                    "ReturnData": true,
                }));
                properties["Metrics"] = json!(metrics);
            }
            (None, statistic) => {
                properties["Namespace"] = json!(alarm.namespace);
                properties["MetricName"] = json!(alarm.metric);
                properties["Dimensions"] = json!(dimensions);
                properties["Period"] = json!(alarm.period);
                match statistic {
                    Statistic::Sum => properties["Statistic"] = json!("Sum"),
                    Statistic::Percentile(p) => properties["ExtendedStatistic"] = json!(p),
                }
            }
        }
        if !alarm.actions.is_empty() {
            properties["AlarmActions"] = json!(alarm.actions);
        }
        resources.insert(
            format!("{}Alarm", pascal(&alarm.name)),
            json!({"Type": "AWS::CloudWatch::Alarm", "Properties": properties}),
        );
    }
    resources.insert(
        "TriggersDashboard".into(),
        json!({
            "Type": "AWS::CloudWatch::Dashboard",
            "Properties": {"DashboardName": watch.dashboard_name, "DashboardBody": {"Fn::Sub": watch.dashboard_body}},
        }),
    );
}

#[cfg(test)]
mod tests;
