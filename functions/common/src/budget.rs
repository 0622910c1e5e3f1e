//! The time budget of a trigger's AWS calls. Cognito waits at most 5 seconds for a trigger,
//! so each call gets the SDK's standard retry strategy (it tries again only on throttling,
//! 5xx answers, timeouts and failed connections) with a number of tries, a timeout per try,
//! a bounded backoff, and a timeout for the whole call, which wins whatever happens.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{ConfigLoader, SdkConfig};

/// How long one AWS call of a trigger may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallBudget {
    /// Tries of one call, the first included.
    pub attempts: u32,
    /// The longest one try may take before it is abandoned (and retried) as a timeout.
    pub attempt_timeout: Duration,
    /// The jittered backoff before retry `n` (from 1) is up to `initial_backoff * 2^(n-1)`.
    pub initial_backoff: Duration,
    /// No backoff is longer, not even one a throttling answer's `x-amz-retry-after` asks for.
    pub max_backoff: Duration,
    /// The whole call, every try and backoff included, is cut here whatever happens.
    pub operation_timeout: Duration,
}

impl CallBudget {
    /// The worst case: every try times out, with the longest backoff between each two.
    pub fn worst_case(&self) -> Duration {
        self.attempt_timeout * self.attempts + self.max_backoff * self.attempts.saturating_sub(1)
    }

    /// The SDK's standard retry strategy within this budget.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }

    /// The configuration `loader` makes (region, credentials, `AWS_ENDPOINT_URL`), with this
    /// budget's retries and timeouts, which win over whatever the loader had.
    pub async fn load(&self, loader: ConfigLoader) -> SdkConfig {
        loader
            .retry_config(self.retry_config())
            .timeout_config(self.timeout_config())
            .load()
            .await
    }
}
