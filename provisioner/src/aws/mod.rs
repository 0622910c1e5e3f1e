//! Everything that talks to AWS: where to connect ([`Connection`], one set of flags for every
//! command that talks to AWS), the clients (retries, the call counter and the request fixes
//! set once), reading what exists (`observe`, and the trigger functions in `functions`),
//! executing a plan (`apply`) and `destroy`, what `doctor` reads beyond `observe` (`doctor`),
//! and reading all of a pool to `import` it.

mod apply;
mod destroy;
mod doctor;
mod errors;
mod functions;
mod import;
mod legacy;
mod observe;
mod secrets;

use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_iam as iam;
use aws_sdk_lambda as lambda;
use aws_sdk_ssm as ssm;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

pub use apply::{Applied, ApplyError, apply, apply_reporting};
pub use destroy::destroy;
pub use doctor::observe_for_doctor;
pub use errors::{AwsError, RequestLog, UnexpectedAnswer, call_error};
pub use import::{adopt, read_pool};
pub use legacy::StripLegacyValidity;
pub use observe::{describe_pool, find_client, find_pool, observe, observe_pool};
pub use secrets::read_secret;

/// Where to connect: the standard AWS configuration (credentials chain, region, profile,
/// `AWS_ENDPOINT_URL`) with these overrides. The provisioner and `cargo xtask deploy` share
/// these flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Connection {
    /// AWS region (default: the standard AWS configuration).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile from the AWS config files.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send every AWS call here (a local emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// An access key pair instead of the credentials chain (an emulator accepts any).
    #[arg(skip)]
    pub credentials: Option<(String, String)>,
}

impl Connection {
    pub async fn load(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::from_env();
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some((key, secret)) = &self.credentials {
            loader = loader.credentials_provider(cognito::config::Credentials::new(key, secret, None, None, "given"));
        }
        loader.load().await
    }

    /// The endpoint every call goes to when it is not AWS's: the flag, else `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> Option<String> {
        self.endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .filter(|e| !e.is_empty())
    }
}

/// Counts the API operations made (once per operation, not per retry attempt).
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    calls: Arc<Mutex<Vec<String>>>,
}

impl CallCounter {
    /// Operation names in the order they were made.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().expect("the counter lock").clone()
    }

    /// `(reads, writes)`: Describe, List and Get operations read; the rest write.
    pub fn reads_and_writes(&self) -> (usize, usize) {
        let calls = self.calls();
        let reads = calls.iter().filter(|name| is_read(name)).count();
        (reads, calls.len() - reads)
    }
}

pub fn is_read(operation: &str) -> bool {
    ["Describe", "List", "Get"]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    // Once per operation, after the operation's configuration (which names it) is applied;
    // `read_before_execution` runs too early for that on client-level interceptors.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = config.load::<Metadata>() {
            self.calls
                .lock()
                .expect("the counter lock")
                .push(metadata.name().to_owned());
        }
        Ok(())
    }
}

/// The service clients, built once.
#[derive(Debug, Clone)]
pub struct Clients {
    pub cognito: cognito::Client,
    /// `None`: the endpoint has no Lambda API (an emulator that invokes triggers from its own
    /// configuration); functions are then wired by name and no permission is managed.
    pub lambda: Option<lambda::Client>,
    /// Reads identity providers' secrets kept in SSM parameters.
    pub ssm: Option<ssm::Client>,
    /// Reads the trigger functions' execution roles, for `doctor`.
    pub iam: Option<iam::Client>,
    pub counter: CallCounter,
    pub region: String,
}

impl Clients {
    /// Clients from a loaded AWS configuration. Throttling and transient errors are retried
    /// with exponential backoff by the SDK's standard retry mode, up to 8 attempts.
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        let counter = CallCounter::default();
        let retry = RetryConfig::standard().with_max_attempts(8);
        let cognito = cognito::Client::from_conf(
            cognito::config::Builder::from(config)
                .retry_config(retry.clone())
                .interceptor(counter.clone())
                .interceptor(RequestLog)
                .interceptor(StripLegacyValidity)
                .build(),
        );
        let lambda = lambda::Client::from_conf(
            lambda::config::Builder::from(config)
                .retry_config(retry.clone())
                .interceptor(counter.clone())
                .interceptor(RequestLog)
                .build(),
        );
        let ssm = ssm::Client::from_conf(
            ssm::config::Builder::from(config)
                .retry_config(retry.clone())
                .interceptor(counter.clone())
                .build(),
        );
        let iam = iam::Client::from_conf(
            iam::config::Builder::from(config)
                .retry_config(retry)
                .interceptor(counter.clone())
                .build(),
        );
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        Self {
            ssm: Some(ssm),
            iam: Some(iam),
            ..Self::from_parts(cognito, Some(lambda), counter, region)
        }
    }

    /// Clients made elsewhere (tests give mocked ones). A Cognito client made elsewhere
    /// needs [`StripLegacyValidity`] among its interceptors.
    pub fn from_parts(
        cognito: cognito::Client,
        lambda: Option<lambda::Client>,
        counter: CallCounter,
        region: String,
    ) -> Self {
        Self {
            cognito,
            lambda,
            ssm: None,
            iam: None,
            counter,
            region,
        }
    }

    /// For an endpoint without the Lambda API.
    pub fn without_lambda(self) -> Self {
        Self { lambda: None, ..self }
    }
}
