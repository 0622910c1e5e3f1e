//! The hosted-UI domain, a prefix of `<prefix>.auth.<region>.amazoncognito.com`, with the
//! login pages it serves (its managed login version), its CreateUserPoolDomain,
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

/// The classic hosted UI.
pub const CLASSIC: i32 = 1;
/// Managed login: the console's default for a new domain since November 2024.
pub const MANAGED_LOGIN: i32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub prefix: String,
    /// [`CLASSIC`] or [`MANAGED_LOGIN`]. `None`: a new domain gets managed login, an existing
    /// one keeps what it serves.
    pub managed_login_version: Option<i32>,
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
