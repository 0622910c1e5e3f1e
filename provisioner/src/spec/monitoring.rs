//! `[logs]` and `[alarms]`: how long the functions' log groups keep their lines, the level of
//! the functions' lines Lambda passes on, and the SNS topic the alarms notify (none: they only
//! show in the console). See [`crate::desired::monitoring`].

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::monitoring::{LogLevel, RETENTION_DAYS};
use crate::desired::{Monitoring, Trigger, Triggers};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLogs {
    retention_days: Option<Spanned<i64>>,
    level: Option<Spanned<LogLevel>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawAlarms {
    topic: Option<Spanned<String>>,
}

/// `triggers`: what the spec wires; a level that drops the lines an alarm on a wired function
/// counts is refused.
pub(super) fn desired(
    logs: RawLogs,
    alarms: RawAlarms,
    triggers: &Triggers,
    loc: &Locator,
) -> Result<Monitoring, SpecError> {
    let mut monitoring = Monitoring::default();
    if let Some(days) = &logs.retention_days {
        monitoring.log_retention_days = u16::try_from(*days.get_ref())
            .ok()
            .filter(|d| RETENTION_DAYS.contains(d))
            .ok_or_else(|| {
                let accepted: Vec<String> = RETENTION_DAYS.iter().map(u16::to_string).collect();
                loc.on(
                    days,
                    format!(
                        "CloudWatch Logs keeps a log group's lines for one of these numbers of days only: {}; {} is not one",
                        accepted.join(", "),
                        days.get_ref()
                    ),
                )
            })?;
    }
    if let Some(level) = logs.level {
        // FATAL drops ERROR lines: the failure markers the alarms count, an invalid event's
        // line, a panic's.
        if !triggers.wired.is_empty() && *level.get_ref() == LogLevel::Fatal {
            return Err(loc.on(
                &level,
                "level \"fatal\" drops the functions' ERROR lines: the failure markers their alarms count \
                 (PRE_SIGNUP_LINKING_FAILED, POST_CONFIRMATION_GROUP_ADD_FAILED), an invalid event's line and a \
                 panic's. Use \"error\" (or a lower level) while [triggers] wires a function",
            ));
        }
        // pre-signup's refusals by policy and linked sign-ins are error answers Lambda counts;
        // its errors alarm subtracts them, counted from their INFO lines. Above INFO Lambda
        // drops those lines, and every refused sign-up would page.
        if triggers.wired.contains_key(&Trigger::PreSignUp) && *level.get_ref() > LogLevel::Info {
            return Err(loc.on(
                &level,
                format!(
                    "level {:?} drops pre-signup's INFO lines, from which its errors alarm counts the sign-ups it \
                     refuses by policy (each an error answer to Lambda): every refused sign-up would page. Use \
                     \"info\" (or a lower level) while [triggers] wires pre_sign_up",
                    level.get_ref().as_spec()
                ),
            ));
        }
        monitoring.log_level = level.into_inner();
    }
    if let Some(topic) = alarms.topic {
        if !is_topic_arn(topic.get_ref()) {
            return Err(loc.on(
                &topic,
                format!(
                    "{:?} is not an SNS topic ARN; accepted: arn:<partition>:sns:<region>:<12-digit account>:<topic>, \
                     the topic's name 1 to 256 letters, digits, - and _ (a FIFO topic's ending in .fifo)",
                    topic.get_ref()
                ),
            ));
        }
        monitoring.alarm_topic = Some(topic.into_inner());
    }
    Ok(monitoring)
}

/// `arn:<partition>:sns:<region>:<account>:<name>`: the partition `aws` or `aws-<...>`, a
/// region of lowercase letters, digits and hyphens, a 12-digit account, and SNS's rule for
/// topic names (1 to 256 ASCII letters, digits, hyphens and underscores; a FIFO topic's name
/// ends in `.fifo`).
fn is_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [prefix, partition, service, region, account, name] = parts[..] else {
        return false;
    };
    let label = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    prefix == "arn"
        && (partition == "aws" || partition.strip_prefix("aws-").is_some_and(label))
        && service == "sns"
        && label(region)
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && (1..=256).contains(&name.len())
        && !base.is_empty()
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `[logs]` and `[alarms]` as cognito.toml text, every key spelled out (as `write` does).
pub(super) fn write(monitoring: &Monitoring) -> String {
    let mut text = format!(
        "[logs]\nretention_days = {}\nlevel = {}\n",
        monitoring.log_retention_days,
        toml::Value::String(monitoring.log_level.as_spec().into())
    );
    match &monitoring.alarm_topic {
        Some(topic) => text.push_str(&format!("\n[alarms]\ntopic = {}\n", toml::Value::String(topic.clone()))),
        None => text.push_str("# No [alarms] topic: the alarms only show in the console.\n"),
    }
    text
}

#[cfg(test)]
mod tests {
    use crate::desired::monitoring::LogLevel;
    use crate::spec::{SpecError, parse};

    fn error(text: &str) -> SpecError {
        parse("cognito.toml", text).unwrap_err()
    }

    #[test]
    fn without_the_tables_logs_are_kept_30_days_at_info_and_alarms_notify_nobody() {
        let spec = parse("cognito.toml", "").unwrap().0;
        assert_eq!(spec.monitoring.log_retention_days, 30);
        assert_eq!(spec.monitoring.log_level, LogLevel::Info);
        assert_eq!(spec.monitoring.alarm_topic, None);
    }

    #[test]
    fn the_tables_set_retention_level_and_topic() {
        let text = "[logs]\nretention_days = 365\nlevel = \"debug\"\n\
                    [alarms]\ntopic = \"arn:aws:sns:eu-west-1:123456789012:cognito-alarms\"\n";
        let spec = parse("cognito.toml", text).unwrap().0;
        assert_eq!(spec.monitoring.log_retention_days, 365);
        assert_eq!(spec.monitoring.log_level, LogLevel::Debug);
        assert_eq!(
            spec.monitoring.alarm_topic.as_deref(),
            Some("arn:aws:sns:eu-west-1:123456789012:cognito-alarms")
        );
        let fifo = "[alarms]\ntopic = \"arn:aws-us-gov:sns:us-gov-west-1:123456789012:pager_1.fifo\"\n";
        assert!(parse("cognito.toml", fifo).is_ok());
    }

    #[test]
    fn the_tables_written_out_read_back_the_same() {
        for text in [
            "",
            "[logs]\nretention_days = 7\nlevel = \"error\"\n[alarms]\ntopic = \"arn:aws:sns:us-east-1:123456789012:t\"\n\
             [triggers]\npost_confirmation = \"post-confirmation\"\n",
        ] {
            let spec = parse("cognito.toml", text).unwrap().0;
            let written = crate::spec::write(&spec);
            assert_eq!(parse("cognito.toml", &written).unwrap().0, spec, "{written}");
        }
    }

    #[test]
    fn a_retention_cloudwatch_logs_does_not_offer_is_refused_at_its_line_listing_the_accepted() {
        for days in ["31", "0", "-1", "100000"] {
            let error = error(&format!("[pool]\nname = \"p\"\n\n[logs]\nretention_days = {days}\n"));
            assert_eq!((error.line, error.column), (5, 18), "{error}");
            assert!(error.message.contains("1, 3, 5, 7, 14, 30, 60"), "{error}");
            assert!(error.message.contains("3653"), "{error}");
        }
    }

    #[test]
    fn an_unknown_level_or_key_is_refused_at_its_line() {
        let level = error("[logs]\nlevel = \"verbose\"\n");
        assert_eq!(level.line, 2, "{level}");
        assert!(level.message.contains("info"), "the accepted levels: {level}");
        let key = error("[alarms]\nemail = \"ops@example.com\"\n");
        assert_eq!(key.line, 2, "{key}");
    }

    #[test]
    fn an_alarm_topic_that_is_not_an_sns_topic_arn_is_refused_at_its_line() {
        for topic in [
            "cognito-alarms",
            "arn:aws:sqs:eu-west-1:123456789012:cognito-alarms",
            "arn:aws:sns:eu-west-1:12345678901:cognito-alarms",
            "arn:aws:sns:eu-west-1:123456789012:",
            "arn:aws:sns:eu-west-1:123456789012:cognito alarms",
            "arn:aws:sns:eu-west-1:123456789012:a:b",
            "arn:aws:sns:EU-WEST-1:123456789012:cognito-alarms",
            "arn:aws:sns:eu-west-1:123456789012:.fifo",
        ] {
            let error = error(&format!("[alarms]\n\ntopic = \"{topic}\"\n"));
            assert_eq!((error.line, error.column), (3, 9), "{topic}: {error}");
            assert!(error.message.contains("is not an SNS topic ARN"), "{error}");
        }
        let long = format!("arn:aws:sns:eu-west-1:123456789012:{}", "a".repeat(257));
        assert!(parse("cognito.toml", &format!("[alarms]\ntopic = \"{long}\"\n")).is_err());
    }
}
