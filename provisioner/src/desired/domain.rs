//! The hosted-UI domain, a prefix of `<prefix>.auth.<region>.amazoncognito.com`, and its
//! CreateUserPoolDomain and DeleteUserPoolDomain requests.

use aws_sdk_cognitoidentityprovider::operation::create_user_pool_domain::{
    CreateUserPoolDomainInput, builders::CreateUserPoolDomainInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::delete_user_pool_domain::{
    DeleteUserPoolDomainInput, builders::DeleteUserPoolDomainInputBuilder,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub prefix: String,
}

impl Domain {
    /// CreateUserPoolDomain in `pool_id`, serving `managed_login_version` (1: the classic
    /// hosted UI, 2: managed login; `None`: AWS's default).
    pub fn create_request(
        &self,
        pool_id: &str,
        managed_login_version: Option<i32>,
    ) -> CreateUserPoolDomainInputBuilder {
        CreateUserPoolDomainInput::builder()
            .user_pool_id(pool_id)
            .domain(&self.prefix)
            .set_managed_login_version(managed_login_version)
    }
}

/// DeleteUserPoolDomain of `pool_id`'s domain `prefix`.
pub fn delete_request(pool_id: &str, prefix: &str) -> DeleteUserPoolDomainInputBuilder {
    DeleteUserPoolDomainInput::builder()
        .user_pool_id(pool_id)
        .domain(prefix)
}
