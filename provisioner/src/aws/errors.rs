//! How AWS failures read: one sentence with the operation, AWS's code and message, and for an
//! unreachable endpoint what to check (never the SDK's debug dump).

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("{operation} failed: {message}")]
    Call { operation: &'static str, message: String },
    #[error("more than one user pool is named {name:?} ({ids}); refusing to guess. Rename or delete the extras")]
    AmbiguousPool { name: String, ids: String },
    #[error("more than one app client is named {name:?} in pool {pool} ({ids}); refusing to guess")]
    AmbiguousClient { name: String, pool: String, ids: String },
    #[error(
        "trigger {trigger}: Lambda function {function:?} does not exist in this region. Deploy it first \
         (cargo lambda deploy) or fix [triggers] in the spec"
    )]
    MissingFunction { trigger: String, function: String },
    #[error("{0}")]
    Refused(String),
}

impl AwsError {
    /// AWS refused the caller (`AccessDeniedException`, `AccessDenied`): a matter of
    /// permissions, not of the service or the network.
    pub fn is_access_denied(&self) -> bool {
        matches!(self, AwsError::Call { message, .. } if message.contains("AccessDenied"))
    }
}

/// Turns an SDK error of `operation` into an [`AwsError`].
pub fn call_error<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> AwsError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        if let Some(unexpected) = unexpected_answer(&error) {
            return AwsError::Refused(unexpected.to_string());
        }
        let message = match &error {
            SdkError::ServiceError(context) => match (context.err().code(), context.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => DisplayErrorContext(&error).to_string(),
            },
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
                "could not reach the endpoint ({}); check --endpoint-url, AWS_ENDPOINT_URL and your network",
                causes(&error)
            ),
            _ => DisplayErrorContext(&error).to_string(),
        };
        AwsError::Call { operation, message }
    }
}

/// An error and its sources, each as people read it (without the debug dump that
/// `DisplayErrorContext` adds).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// An answer that is not the service's: a 5xx whose body is not JSON or XML (an HTML page
/// from a proxy or a load balancer). Said in one sentence instead of the SDK's parse error.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{operation}: the endpoint {endpoint} answered HTTP {status} with {content_type}, which is not an AWS \
     answer (a proxy or load balancer in the way?); check --endpoint-url, AWS_ENDPOINT_URL and your network"
)]
pub struct UnexpectedAnswer {
    pub operation: String,
    pub status: u16,
    pub endpoint: String,
    pub content_type: String,
}

fn unexpected_answer<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a UnexpectedAnswer> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<UnexpectedAnswer>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// The endpoint a request went to, kept for its answer.
#[derive(Debug, Clone)]
struct SentTo(String);

impl Storable for SentTo {
    type Storer = StoreReplace<Self>;
}

/// Logs each request (operation, method, endpoint; never headers or body) and its answer's
/// status at debug, and turns an answer that is not AWS's into [`UnexpectedAnswer`].
#[derive(Debug, Clone, Default)]
pub struct RequestLog;

fn operation(config: &ConfigBag) -> String {
    config
        .load::<Metadata>()
        .map_or_else(|| "an AWS call".to_owned(), |m| m.name().to_owned())
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let endpoint = request.uri().to_owned();
        tracing::debug!(operation = %operation(config), method = request.method(), %endpoint, "request");
        config.interceptor_state().store_put(SentTo(endpoint));
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let status = response.status().as_u16();
        let operation = operation(config);
        tracing::debug!(%operation, status, "answer");
        let content_type = response
            .headers()
            .get("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let awss = content_type.contains("json") || content_type.contains("xml");
        if status >= 500 && !awss {
            return Err(Box::new(UnexpectedAnswer {
                operation,
                status,
                endpoint: config.load::<SentTo>().map_or_else(String::new, |s| s.0.clone()),
                content_type: if content_type.is_empty() {
                    "no content type".to_owned()
                } else {
                    content_type
                },
            }));
        }
        Ok(())
    }
}
