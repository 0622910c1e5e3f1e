//! The hosted-UI domain, a prefix of `<prefix>.auth.<region>.amazoncognito.com`, and the
//! pool's custom domain beside it (`auth.example.com`, with an ACM certificate in us-east-1),
//! with the login pages they serve (the managed login version), their CreateUserPoolDomain,
//! UpdateUserPoolDomain and DeleteUserPoolDomain requests, and the branding style a client
//! needs before version 2 serves it (CreateManagedLoginBranding).

use aws_sdk_cognitoidentityprovider::operation::create_managed_login_branding::{
    CreateManagedLoginBrandingInput, builders::CreateManagedLoginBrandingInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_domain::{
    CreateUserPoolDomainInput, builders::CreateUserPoolDomainInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::delete_user_pool_domain::{
    DeleteUserPoolDomainInput, builders::DeleteUserPoolDomainInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_domain::{
    UpdateUserPoolDomainInput, builders::UpdateUserPoolDomainInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::CustomDomainConfigType;

/// The classic hosted UI.
pub const CLASSIC: i32 = 1;
/// Managed login: the console's default for a new domain since November 2024.
pub const MANAGED_LOGIN: i32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub prefix: String,
    /// [`CLASSIC`] or [`MANAGED_LOGIN`], for both domains. `None`: a new domain gets managed
    /// login, an existing one keeps what it serves.
    pub managed_login_version: Option<i32>,
    /// The custom domain. `None`: not managed (one the pool has is left as it is).
    pub custom: Option<CustomDomain>,
}

/// A domain of the operator's own, served by Cognito through CloudFront.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomDomain {
    /// The fully qualified name (`auth.example.com`).
    pub name: String,
    /// An ACM certificate for the name, in us-east-1 (CloudFront's region).
    pub certificate_arn: String,
}

impl CustomDomain {
    fn config(&self) -> CustomDomainConfigType {
        CustomDomainConfigType::builder()
            .certificate_arn(&self.certificate_arn)
            .build()
            .expect("the certificate is set")
    }

    /// CreateUserPoolDomain of the custom domain in `pool_id`.
    pub fn create_request(&self, pool_id: &str, managed_login_version: i32) -> CreateUserPoolDomainInputBuilder {
        CreateUserPoolDomainInput::builder()
            .user_pool_id(pool_id)
            .domain(&self.name)
            .custom_domain_config(self.config())
            .managed_login_version(managed_login_version)
    }

    /// UpdateUserPoolDomain of the custom domain: its certificate and the version it serves.
    pub fn update_request(&self, pool_id: &str, managed_login_version: i32) -> UpdateUserPoolDomainInputBuilder {
        UpdateUserPoolDomainInput::builder()
            .user_pool_id(pool_id)
            .domain(&self.name)
            .custom_domain_config(self.config())
            .managed_login_version(managed_login_version)
    }
}

impl Domain {
    /// The version the domain ends up serving, given what `current` serves (`None`: the
    /// domain is new).
    pub fn version(&self, current: Option<i32>) -> i32 {
        self.managed_login_version.or(current).unwrap_or(MANAGED_LOGIN)
    }

    /// CreateUserPoolDomain in `pool_id`, serving `managed_login_version`.
    pub fn create_request(&self, pool_id: &str, managed_login_version: i32) -> CreateUserPoolDomainInputBuilder {
        CreateUserPoolDomainInput::builder()
            .user_pool_id(pool_id)
            .domain(&self.prefix)
            .managed_login_version(managed_login_version)
    }

    /// UpdateUserPoolDomain of `pool_id`'s domain: the version it serves.
    pub fn update_request(&self, pool_id: &str, managed_login_version: i32) -> UpdateUserPoolDomainInputBuilder {
        UpdateUserPoolDomainInput::builder()
            .user_pool_id(pool_id)
            .domain(&self.prefix)
            .managed_login_version(managed_login_version)
    }
}

/// DeleteUserPoolDomain of `pool_id`'s domain `prefix`.
pub fn delete_request(pool_id: &str, prefix: &str) -> DeleteUserPoolDomainInputBuilder {
    DeleteUserPoolDomainInput::builder()
        .user_pool_id(pool_id)
        .domain(prefix)
}

/// CreateManagedLoginBranding for `client_id` with Cognito's own style
/// (UseCognitoProvidedValues): without a style, managed login shows the client "Login pages
/// unavailable".
pub fn default_branding_request(pool_id: &str, client_id: &str) -> CreateManagedLoginBrandingInputBuilder {
    CreateManagedLoginBrandingInput::builder()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .use_cognito_provided_values(true)
}
