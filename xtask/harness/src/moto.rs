//! moto's server (Cognito, Lambda and IAM APIs) on a free loopback port, started through
//! `tools/moto_server.py`, which patches moto where it differs from AWS; the SDK
//! configuration that reaches it, and the placeholder functions the provisioner's tests and
//! the benchmark deploy in it. Behind the `moto` feature: it needs the AWS SDK's IAM and
//! Lambda clients, which `cargo xtask` itself does not compile.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::{HarnessError, Port, Server, Tools, workspace_root};

/// The region every test and the benchmark use against moto.
pub const REGION: &str = "us-east-1";

/// A running moto server; stopped (by process group) when dropped.
#[derive(Debug)]
pub struct Moto {
    pub port: u16,
    server: Server,
}

impl Moto {
    pub fn start(tools: &Tools, log_dir: &Path) -> Result<Self, HarnessError> {
        let python = tools.python()?;
        let port = Port::reserve()?;
        let number = port.number();
        let mut command = Command::new(python);
        command
            .arg(workspace_root().join("tools").join("moto_server.py"))
            .arg(number.to_string());
        let mut server = Server::start("moto server", command, &log_dir.join("moto.log"))?;
        server.wait_for_port(port, Duration::from_secs(60))?;
        Ok(Self { port: number, server })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn output(&self) -> String {
        self.server.output()
    }
}

/// The SDK configuration for the server at `endpoint`: [`REGION`], moto's test credentials
/// and nothing from the caller's AWS profile.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_sdk_lambda::config::{Credentials, SharedCredentialsProvider};

    aws_config::SdkConfig::builder()
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "moto",
        )))
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

/// Creates the trigger functions in moto with one role and an empty zip (moto stores the
/// code; it never runs it), so that the provisioner finds them. Returns the role's ARN.
pub async fn deploy_placeholders(config: &aws_config::SdkConfig, functions: &[&str]) -> Result<String, String> {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};

    let role = aws_sdk_iam::Client::new(config)
        .create_role()
        .role_name("trigger-role")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .map_err(|e| format!("CreateRole: {}", aws_sdk_iam::error::DisplayErrorContext(e)))?;
    let role_arn = role.role().map(|r| r.arn().to_owned()).unwrap_or_default();
    let lambda = aws_sdk_lambda::Client::new(config);
    let empty_zip = Blob::new(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec());
    for name in functions {
        lambda
            .create_function()
            .function_name(*name)
            .runtime(Runtime::Providedal2023)
            .handler("bootstrap")
            .role(&role_arn)
            .code(FunctionCode::builder().zip_file(empty_zip.clone()).build())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "CreateFunction {name}: {}",
                    aws_sdk_lambda::error::DisplayErrorContext(e)
                )
            })?;
    }
    Ok(role_arn)
}
