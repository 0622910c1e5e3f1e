//! The functions' logs and the operator's alarms and dashboard, as the SAM template has them
//! (both from `render::monitoring` and the spec's `[logs]` and `[alarms]`): each function's
//! log group with its retention, its `LoggingConfig` (JSON at the spec's level, Lambda's own
//! lines at WARN, to that group), the metric filters, the alarms and the dashboard. Each is
//! described first and written only where it differs, so a re-run writes nothing.

use std::time::Duration;

use aws_sdk_cloudwatch::Client as CloudWatch;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, Statistic as CwStatistic,
};
use aws_sdk_cloudwatchlogs::Client as Logs;
use aws_sdk_cloudwatchlogs::types::MetricTransformation;
use aws_sdk_lambda::Client as Lambda;
use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::types::{ApplicationLogLevel, LogFormat, LoggingConfig, SystemLogLevel};
use provisioner::desired::Monitoring;
use provisioner::desired::monitoring::{LOG_FORMAT, SYSTEM_LOG_LEVEL, log_group};
use provisioner::render::monitoring::{Alarm, MetricFilter, NAMESPACE, Statistic, Watch};

use crate::DeployError;

fn failed<E: std::error::Error + 'static>(what: &str) -> impl FnOnce(E) -> DeployError + '_ {
    move |error| DeployError::Step(format!("{what}: {}", aws_sdk_lambda::error::DisplayErrorContext(error)))
}

/// The alarms notify a topic in the deploy's region only (CloudWatch publishes an alarm's
/// notification to an SNS topic of the alarm's own region).
pub fn check_topic(monitoring: &Monitoring, region: &str) -> Result<(), DeployError> {
    match monitoring.alarm_topic.as_deref() {
        Some(topic) if topic.split(':').nth(3) != Some(region) => Err(DeployError::Step(format!(
            "[alarms] topic {topic} is not in {region}, the region this deploy creates the alarms in: \
             name a topic of {region}"
        ))),
        Some(_) | None => Ok(()),
    }
}

/// Each function's log group, created if missing (the roles may write to it, not create it),
/// and its retention.
pub async fn log_groups(
    logs: &Logs,
    functions: &[&str],
    monitoring: &Monitoring,
    done: &mut Vec<String>,
) -> Result<(), DeployError> {
    let days = i32::from(monitoring.log_retention_days);
    for function in functions {
        let name = log_group(function);
        let found = logs
            .describe_log_groups()
            .log_group_name_prefix(&name)
            .send()
            .await
            .map_err(failed("DescribeLogGroups"))?;
        let existing = found
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name.as_str()));
        if existing.is_none() {
            logs.create_log_group()
                .log_group_name(&name)
                .send()
                .await
                .map_err(failed("CreateLogGroup"))?;
            done.push(format!("created log group {name}"));
        }
        if existing.and_then(|g| g.retention_in_days()) != Some(days) {
            logs.put_retention_policy()
                .log_group_name(&name)
                .retention_in_days(days)
                .send()
                .await
                .map_err(failed("PutRetentionPolicy"))?;
            done.push(format!("log group {name} keeps {days} days"));
        }
    }
    Ok(())
}

/// The function's `LoggingConfig`: JSON, the spec's level for its own lines, WARN for
/// Lambda's, its log group.
pub async fn logging_config(
    lambda: &Lambda,
    function: &str,
    monitoring: &Monitoring,
    done: &mut Vec<String>,
) -> Result<(), DeployError> {
    let group = log_group(function);
    let level = monitoring.log_level.as_aws();
    let found = lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .map_err(failed("GetFunctionConfiguration"))?;
    let current = found.logging_config();
    let matches = current.is_some_and(|c| {
        c.log_format().map(LogFormat::as_str) == Some(LOG_FORMAT)
            && c.application_log_level().map(ApplicationLogLevel::as_str) == Some(level)
            && c.system_log_level().map(SystemLogLevel::as_str) == Some(SYSTEM_LOG_LEVEL)
            && c.log_group() == Some(group.as_str())
    });
    if matches {
        return Ok(());
    }
    // Lambda refuses a configuration write while the last one (cargo lambda's) is in progress.
    lambda
        .wait_until_function_updated()
        .function_name(function)
        .wait(Duration::from_secs(300))
        .await
        .map_err(|e| DeployError::Step(format!("waiting for {function}'s last update: {e}")))?;
    let config = LoggingConfig::builder()
        .log_format(LogFormat::from(LOG_FORMAT))
        .application_log_level(ApplicationLogLevel::from(level))
        .system_log_level(SystemLogLevel::from(SYSTEM_LOG_LEVEL))
        .log_group(&group)
        .build();
    lambda
        .update_function_configuration()
        .function_name(function)
        .logging_config(config)
        .send()
        .await
        .map_err(failed("UpdateFunctionConfiguration"))?;
    done.push(format!("{function} logs {LOG_FORMAT} at {level} to {group}"));
    Ok(())
}

/// The metric filters, the alarms and the dashboard of `watch`, for the pool `pool_id`.
pub async fn watch(
    logs: &Logs,
    cloudwatch: &CloudWatch,
    watch: &Watch,
    region: &str,
    pool_id: &str,
    done: &mut Vec<String>,
) -> Result<(), DeployError> {
    for filter in &watch.metric_filters {
        metric_filter(logs, filter, done).await?;
    }
    let names: Vec<String> = watch.alarms.iter().map(|a| a.name.clone()).collect();
    let mut live = Vec::new();
    // DescribeAlarms takes at most 100 names at once.
    for names in names.chunks(100) {
        let found = cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(failed("DescribeAlarms"))?;
        live.extend(found.metric_alarms().iter().cloned());
    }
    for alarm in &watch.alarms {
        let current = live.iter().find(|a| a.alarm_name() == Some(alarm.name.as_str()));
        if current.is_some_and(|current| alarm_matches(alarm, current)) {
            continue;
        }
        let mut put = cloudwatch
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            .evaluation_periods(alarm.evaluation_periods)
            .threshold(alarm.threshold)
            .comparison_operator(ComparisonOperator::from(Alarm::COMPARISON))
            .treat_missing_data(Alarm::TREAT_MISSING_DATA)
            .set_alarm_actions(Some(alarm.actions.clone()));
        match queries(alarm) {
            // AWS refuses the metric's own members beside Metrics.
            Some(queries) => put = put.set_metrics(Some(queries)),
            None => {
                put = put
                    .namespace(&alarm.namespace)
                    .metric_name(&alarm.metric)
                    .period(alarm.period)
                    .set_dimensions((!alarm.dimensions.is_empty()).then(|| dimensions(&alarm.dimensions)));
                put = match alarm.statistic {
                    Statistic::Sum => put.statistic(CwStatistic::Sum),
                    Statistic::Percentile(p) => put.extended_statistic(p),
                };
            }
        }
        put.send().await.map_err(failed("PutMetricAlarm"))?;
        done.push(format!("alarm {}", alarm.name));
    }
    let body = watch.dashboard_body_in(region, pool_id);
    let current = match cloudwatch
        .get_dashboard()
        .dashboard_name(&watch.dashboard_name)
        .send()
        .await
    {
        Ok(found) => found.dashboard_body().map(str::to_owned),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_dashboard_not_found_error()) =>
        {
            None
        }
        Err(error) => return Err(failed("GetDashboard")(error)),
    };
    let same = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
    if current
        .as_deref()
        .and_then(same)
        .is_none_or(|live| Some(live) != same(&body))
    {
        cloudwatch
            .put_dashboard()
            .dashboard_name(&watch.dashboard_name)
            .dashboard_body(body)
            .send()
            .await
            .map_err(failed("PutDashboard"))?;
        done.push(format!("dashboard {}", watch.dashboard_name));
    }
    Ok(())
}

async fn metric_filter(logs: &Logs, filter: &MetricFilter, done: &mut Vec<String>) -> Result<(), DeployError> {
    let found = logs
        .describe_metric_filters()
        .log_group_name(&filter.log_group)
        .filter_name_prefix(&filter.name)
        .send()
        .await
        .map_err(failed("DescribeMetricFilters"))?;
    let matches = found.metric_filters().iter().any(|live| {
        live.filter_name() == Some(filter.name.as_str())
            && live.filter_pattern() == Some(filter.pattern.as_str())
            && matches!(live.metric_transformations(), [t] if t.metric_namespace() == NAMESPACE
                && t.metric_name() == filter.metric
                && t.metric_value() == "1"
                && t.default_value().is_none())
    });
    if matches {
        return Ok(());
    }
    let transformation = MetricTransformation::builder()
        .metric_namespace(NAMESPACE)
        .metric_name(&filter.metric)
        .metric_value("1")
        .build()
        .map_err(|e| DeployError::Step(format!("metric filter {}: {e}", filter.name)))?;
    logs.put_metric_filter()
        .log_group_name(&filter.log_group)
        .filter_name(&filter.name)
        .filter_pattern(&filter.pattern)
        .metric_transformations(transformation)
        .send()
        .await
        .map_err(failed("PutMetricFilter"))?;
    done.push(format!("metric filter {} on {}", filter.name, filter.log_group));
    Ok(())
}

fn dimensions(dimensions: &[(String, String)]) -> Vec<Dimension> {
    dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect()
}

/// The metric math of an alarm that subtracts counts (see [`Alarm::expression`]): the watched
/// metric and each count, summed over the alarm's period and not returned, then the
/// expression, the one series the alarm watches.
fn queries(alarm: &Alarm) -> Option<Vec<MetricDataQuery>> {
    let expression = alarm.expression()?;
    let stat = |id: &str, namespace: &str, metric: &str, dims: &[(String, String)]| {
        let metric = Metric::builder()
            .namespace(namespace)
            .metric_name(metric)
            .set_dimensions((!dims.is_empty()).then(|| dimensions(dims)))
            .build();
        MetricDataQuery::builder()
            .id(id)
            .metric_stat(
                MetricStat::builder()
                    .metric(metric)
                    .period(alarm.period)
                    .stat("Sum")
                    .build(),
            )
            .return_data(false)
            .build()
    };
    let mut queries = vec![stat(
        Alarm::METRIC_ID,
        &alarm.namespace,
        &alarm.metric,
        &alarm.dimensions,
    )];
    queries.extend(alarm.less.iter().map(|(id, metric)| stat(id, NAMESPACE, metric, &[])));
    queries.push(
        MetricDataQuery::builder()
            .id(Alarm::EXPRESSION_ID)
            .expression(expression)
            .label(alarm.expression_label())
            .return_data(true)
            .build(),
    );
    Some(queries)
}

/// A metric-math query as the members that say what it computes; no dimensions and an empty
/// list of them are the same (DescribeAlarms may answer either).
#[derive(PartialEq)]
struct Query<'a> {
    id: Option<&'a str>,
    expression: Option<&'a str>,
    label: Option<&'a str>,
    return_data: Option<bool>,
    namespace: Option<&'a str>,
    metric: Option<&'a str>,
    dimensions: Vec<(Option<&'a str>, Option<&'a str>)>,
    period: Option<i32>,
    stat: Option<&'a str>,
    unit: Option<&'a str>,
}

fn query(q: &MetricDataQuery) -> Query<'_> {
    let stat = q.metric_stat();
    let metric = stat.and_then(MetricStat::metric);
    Query {
        id: q.id(),
        expression: q.expression(),
        label: q.label(),
        return_data: q.return_data(),
        namespace: metric.and_then(Metric::namespace),
        metric: metric.and_then(Metric::metric_name),
        dimensions: metric
            .map(|m| m.dimensions().iter().map(|d| (d.name(), d.value())).collect())
            .unwrap_or_default(),
        period: stat.and_then(MetricStat::period),
        stat: stat.and_then(MetricStat::stat),
        unit: stat.and_then(MetricStat::unit).map(|u| u.as_str()),
    }
}

/// Whether the live alarm says what `alarm` says, member by member as PutMetricAlarm sets them,
/// the members it leaves at their defaults included: actions switched off by hand
/// (`disable-alarm-actions`), other actions, fewer datapoints to alarm or a unit would each
/// silence or change the alarm through every later deploy. (A query's AccountId is not
/// compared: AWS may report the caller's own account on a query put without one.)
fn alarm_matches(alarm: &Alarm, live: &MetricAlarm) -> bool {
    let defaults = live.actions_enabled() != Some(false)
        && live.ok_actions().is_empty()
        && live.insufficient_data_actions().is_empty()
        && live.datapoints_to_alarm().is_none_or(|n| n == alarm.evaluation_periods)
        && live.unit().is_none()
        && live.threshold_metric_id().is_none()
        // AWS may report the percentile's default ("evaluate") on an alarm put without it.
        && live
            .evaluate_low_sample_count_percentile()
            .is_none_or(|e| e.is_empty() || e == "evaluate");
    let same = defaults
        && live.alarm_description() == Some(alarm.description.as_str())
        && live.evaluation_periods() == Some(alarm.evaluation_periods)
        && live.threshold() == Some(alarm.threshold)
        && live.comparison_operator().map(ComparisonOperator::as_str) == Some(Alarm::COMPARISON)
        && live.treat_missing_data() == Some(Alarm::TREAT_MISSING_DATA)
        && live.alarm_actions() == alarm.actions.as_slice();
    match queries(alarm) {
        Some(wanted) => {
            same && live.metric_name().is_none()
                && live.metrics().iter().map(query).collect::<Vec<_>>() == wanted.iter().map(query).collect::<Vec<_>>()
        }
        None => same && live.metrics().is_empty() && metric_matches(alarm, live),
    }
}

/// Whether the live alarm watches `alarm`'s one metric, with its statistic and period.
fn metric_matches(alarm: &Alarm, live: &MetricAlarm) -> bool {
    let dimensions: Vec<(Option<&str>, Option<&str>)> =
        live.dimensions().iter().map(|d| (d.name(), d.value())).collect();
    let wanted: Vec<(Option<&str>, Option<&str>)> = alarm
        .dimensions
        .iter()
        .map(|(n, v)| (Some(n.as_str()), Some(v.as_str())))
        .collect();
    let statistic = match alarm.statistic {
        Statistic::Sum => live.statistic() == Some(&CwStatistic::Sum) && live.extended_statistic().is_none(),
        Statistic::Percentile(p) => live.statistic().is_none() && live.extended_statistic() == Some(p),
    };
    live.namespace() == Some(alarm.namespace.as_str())
        && live.metric_name() == Some(alarm.metric.as_str())
        && dimensions == wanted
        && statistic
        && live.period() == Some(alarm.period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_topic_outside_the_deploy_region_is_refused_naming_both() {
        let monitoring = Monitoring {
            alarm_topic: Some("arn:aws:sns:eu-west-1:123456789012:pager".into()),
            ..Monitoring::default()
        };
        assert!(check_topic(&monitoring, "eu-west-1").is_ok());
        let error = check_topic(&monitoring, "us-east-1").unwrap_err().to_string();
        assert!(
            error.contains("arn:aws:sns:eu-west-1:123456789012:pager") && error.contains("us-east-1"),
            "{error}"
        );
        assert!(
            check_topic(&Monitoring::default(), "us-east-1").is_ok(),
            "no topic, nothing to check"
        );
    }
}
