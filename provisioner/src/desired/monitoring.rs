//! What an operator watches the trigger functions with, from the spec's `[logs]` and
//! `[alarms]`: the functions' logs (JSON, at a level, kept for a retention CloudWatch Logs
//! accepts) and the SNS topic the alarms notify. The SAM template and `cargo xtask deploy`
//! both read it (see `render::monitoring` for the alarms and the dashboard it becomes).

closed_set! {
    /// The level of the functions' own log lines that Lambda passes on (the API's
    /// `LoggingConfig.ApplicationLogLevel`; the functions read it as `AWS_LAMBDA_LOG_LEVEL`).
    pub enum LogLevel {
        Trace = ("trace", "TRACE"),
        Debug = ("debug", "DEBUG"),
        Info = ("info", "INFO"),
        Warn = ("warn", "WARN"),
        Error = ("error", "ERROR"),
        Fatal = ("fatal", "FATAL"),
    }
}

/// The retentions CloudWatch Logs accepts, in days (PutRetentionPolicy's `retentionInDays`,
/// `AWS::Logs::LogGroup`'s `RetentionInDays`); any other number is refused.
pub const RETENTION_DAYS: [u16; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/// The level of Lambda's own lines (START, END, REPORT at INFO; a timeout or an out-of-memory
/// at WARN): WARN keeps what says something went wrong and drops three lines per invocation.
pub const SYSTEM_LOG_LEVEL: &str = "WARN";

/// The functions' log format: JSON, whose fields the README's queries and the metric filters
/// read.
pub const LOG_FORMAT: &str = "JSON";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    /// Days each function's log group keeps its lines, one of [`RETENTION_DAYS`].
    pub log_retention_days: u16,
    pub log_level: LogLevel,
    /// The SNS topic every alarm notifies (an `arn:<partition>:sns:...` ARN); `None`: the
    /// alarms only show in the console.
    pub alarm_topic: Option<String>,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            log_retention_days: 30,
            log_level: LogLevel::Info,
            alarm_topic: None,
        }
    }
}

/// The log group Lambda writes a function's lines to (its default, named explicitly in the
/// function's `LoggingConfig`).
pub fn log_group(function: &str) -> String {
    format!("/aws/lambda/{function}")
}
