//! Where the pool's logs go (SetLogDeliveryConfiguration, apart from UpdateUserPool): message
//! delivery errors (`userNotification`, at ERROR) and, on the Plus plan, user authentication
//! events (`userAuthEvents`, at INFO), each to a CloudWatch Logs group, an S3 bucket or a
//! Firehose stream, named by its ARN.

use aws_sdk_cognitoidentityprovider::operation::set_log_delivery_configuration::{
    SetLogDeliveryConfigurationInput, builders::SetLogDeliveryConfigurationInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{
    CloudWatchLogsConfigurationType, EventSourceName, FirehoseConfigurationType, LogConfigurationType,
    LogDeliveryConfigurationType, LogLevel, S3ConfigurationType,
};

use super::Pool;
use crate::desired::{Field, field};

closed_set! {
    /// What a log delivery carries (LogConfiguration.EventSource).
    pub enum EventSource {
        UserNotification = ("user_notification", "userNotification"),
        UserAuthEvents = ("user_auth_events", "userAuthEvents"),
    }
}

impl EventSource {
    /// The one level AWS takes for the source: delivery errors at ERROR, auth events at INFO.
    pub fn log_level(self) -> LogLevel {
        match self {
            EventSource::UserNotification => LogLevel::Error,
            EventSource::UserAuthEvents => LogLevel::Info,
        }
    }

    /// Whether the source needs the Plus plan: user authentication events do.
    pub const fn needs_plus(self) -> bool {
        match self {
            EventSource::UserNotification => false,
            EventSource::UserAuthEvents => true,
        }
    }
}

/// Where a destination ARN points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    CloudWatchLogs,
    S3,
    Firehose,
}

impl Destination {
    /// The destination an ARN names: a log group (`arn:aws:logs:...:log-group:...`), a bucket
    /// (`arn:aws:s3:::...`) or a Firehose stream (`arn:aws:firehose:...:deliverystream/...`).
    pub fn of(arn: &str) -> Option<Self> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
            return None;
        }
        match parts[2] {
            "logs" if parts[5].starts_with("log-group:") => Some(Destination::CloudWatchLogs),
            "s3" if parts[3].is_empty() && parts[4].is_empty() && !parts[5].is_empty() => Some(Destination::S3),
            "firehose" if parts[5].starts_with("deliverystream/") => Some(Destination::Firehose),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDelivery {
    pub event_source: EventSource,
    /// The destination's ARN.
    pub destination: String,
}

impl LogDelivery {
    fn to_aws(&self) -> LogConfigurationType {
        let arn = self.destination.clone();
        let builder = LogConfigurationType::builder()
            .event_source(EventSourceName::from(self.event_source.as_aws()))
            .log_level(self.event_source.log_level());
        match Destination::of(&arn) {
            Some(Destination::CloudWatchLogs) => builder
                .cloud_watch_logs_configuration(CloudWatchLogsConfigurationType::builder().log_group_arn(arn).build()),
            Some(Destination::S3) => builder.s3_configuration(S3ConfigurationType::builder().bucket_arn(arn).build()),
            Some(Destination::Firehose) => {
                builder.firehose_configuration(FirehoseConfigurationType::builder().stream_arn(arn).build())
            }
            None => builder,
        }
        .build()
        .expect("the source and the level are set")
    }

    fn from_aws(config: &LogConfigurationType) -> Option<Self> {
        let destination = config
            .cloud_watch_logs_configuration()
            .and_then(|c| c.log_group_arn())
            .or_else(|| config.s3_configuration().and_then(|c| c.bucket_arn()))
            .or_else(|| config.firehose_configuration().and_then(|c| c.stream_arn()))?;
        Some(Self {
            event_source: EventSource::from_aws(config.event_source().as_str())?,
            destination: destination.to_owned(),
        })
    }
}

/// The deliveries GetLogDeliveryConfiguration reports, in the spec's order of sources.
pub fn log_delivery_from_aws(config: Option<&LogDeliveryConfigurationType>) -> Vec<LogDelivery> {
    let mut deliveries: Vec<LogDelivery> = config
        .map(LogDeliveryConfigurationType::log_configurations)
        .unwrap_or_default()
        .iter()
        .filter_map(LogDelivery::from_aws)
        .collect();
    deliveries.sort_by_key(|d| d.event_source);
    deliveries
}

impl Pool {
    /// What SetLogDeliveryConfiguration changes, for the plan: each source's destination, or
    /// `(none)`. Empty when the spec leaves log delivery as it is.
    pub fn log_delivery_fields(&self) -> Vec<Field> {
        match &self.log_delivery {
            Some(deliveries) => log_delivery_fields(deliveries),
            None => Vec::new(),
        }
    }

    /// SetLogDeliveryConfiguration for `pool_id`: it replaces every delivery. `None` when the
    /// spec leaves log delivery as it is.
    pub fn log_delivery_request(&self, pool_id: &str) -> Option<SetLogDeliveryConfigurationInputBuilder> {
        let deliveries = self.log_delivery.as_ref()?;
        Some(
            SetLogDeliveryConfigurationInput::builder()
                .user_pool_id(pool_id)
                .set_log_configurations(Some(deliveries.iter().map(LogDelivery::to_aws).collect())),
        )
    }
}

/// One field per source, so that a delivery removed shows as a change.
pub fn log_delivery_fields(deliveries: &[LogDelivery]) -> Vec<Field> {
    EventSource::ALL
        .iter()
        .map(|source| {
            let destination = deliveries
                .iter()
                .find(|d| d.event_source == *source)
                .map_or("(none)", |d| d.destination.as_str());
            field(&format!("log_delivery.{}", source.as_spec()), destination)
        })
        .collect()
}
