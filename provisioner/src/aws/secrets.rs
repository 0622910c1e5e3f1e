//! Reading an identity provider's secret from where the spec says it lives. The value is
//! wrapped in [`Secret`] at once, which never prints it.

use aws_sdk_ssm::operation::get_parameter::GetParameterError;

use super::{AwsError, Clients, call_error};
use crate::desired::{Secret, SecretSource};

pub async fn read_secret(clients: &Clients, source: &SecretSource) -> Result<Secret, AwsError> {
    match source {
        SecretSource::Env(variable) => std::env::var(variable)
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| AwsError::Refused(format!("the environment variable {variable} is not set"))),
        SecretSource::Ssm(parameter) => {
            let ssm = clients
                .ssm
                .as_ref()
                .ok_or_else(|| AwsError::Refused(format!("{source} cannot be read: no SSM client")))?;
            let output = ssm
                .get_parameter()
                .name(parameter)
                .with_decryption(true)
                .send()
                .await
                .map_err(|error| match error.as_service_error() {
                    Some(GetParameterError::ParameterNotFound(_)) => {
                        AwsError::Refused(format!("the SSM parameter {parameter} does not exist"))
                    }
                    _ => call_error("GetParameter")(error),
                })?;
            output
                .parameter()
                .and_then(|p| p.value())
                .filter(|v| !v.is_empty())
                .map(|v| Secret::new(v.to_owned()))
                .ok_or_else(|| AwsError::Refused(format!("the SSM parameter {parameter} is empty")))
        }
    }
}
