//! The legacy `AdminCreateUserConfig.UnusedAccountValidityDays`, never sent.
//!
//! DescribeUserPool reports it beside `PasswordPolicy.TemporaryPasswordValidityDays`, and
//! AWS refuses a CreateUserPool or UpdateUserPool that carries both: "Please use
//! TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
//! (the read-modify-write trap of Terraform #21561 and pulumi-aws-native #1256). The Rust
//! SDK serializes that member whenever AdminCreateUserConfig is sent, even as 0, and the
//! pool's AllowAdminCreateUserOnly and invitation template live in the same structure; so
//! this interceptor takes the member out of those two requests' bodies before they are
//! signed.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default)]
pub struct StripLegacyValidity;

const OPERATIONS: [&str; 2] = ["CreateUserPool", "UpdateUserPool"];

impl Intercept for StripLegacyValidity {
    fn name(&self) -> &'static str {
        "StripLegacyValidity"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = config.load::<Metadata>().map(Metadata::name);
        if !operation.is_some_and(|name| OPERATIONS.contains(&name)) {
            return Ok(());
        }
        let request = context.request_mut();
        let Some(stripped) = request.body().bytes().and_then(strip) else {
            return Ok(());
        };
        let length = stripped.len();
        *request.body_mut() = SdkBody::from(stripped);
        request.headers_mut().insert("content-length", length.to_string());
        Ok(())
    }
}

/// The body without `AdminCreateUserConfig.UnusedAccountValidityDays`; `None` when it has none.
fn strip(body: &[u8]) -> Option<Vec<u8>> {
    let mut json: Value = serde_json::from_slice(body).ok()?;
    json.get_mut("AdminCreateUserConfig")?
        .as_object_mut()?
        .remove("UnusedAccountValidityDays")?;
    serde_json::to_vec(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_legacy_member_goes() {
        let body = br#"{"UserPoolId":"p","AdminCreateUserConfig":{"AllowAdminCreateUserOnly":true,"UnusedAccountValidityDays":7},"Policies":{"PasswordPolicy":{"TemporaryPasswordValidityDays":7}}}"#;
        let stripped: Value = serde_json::from_slice(&strip(body).unwrap()).unwrap();
        assert_eq!(
            stripped,
            serde_json::json!({"UserPoolId":"p","AdminCreateUserConfig":{"AllowAdminCreateUserOnly":true},"Policies":{"PasswordPolicy":{"TemporaryPasswordValidityDays":7}}})
        );
        assert_eq!(strip(br#"{"UserPoolId":"p"}"#), None);
    }
}
