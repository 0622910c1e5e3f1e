//! What AWS has now, as `aws::observe` reads it: each resource in the desired state's own
//! types (so the plan compares like with like), beside the raw description that an update
//! request starts from.

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, UserPoolClientType, UserPoolType};

use crate::desired::{Client, Group, IdentityProvider, Pool, ResourceServer, SecretState, Triggers};

#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub pool: Option<ObservedPool>,
    /// The clients the spec names that exist.
    pub clients: Vec<ObservedClient>,
    pub resource_servers: Vec<ResourceServer>,
    /// The providers the spec names that exist.
    pub identity_providers: Vec<ObservedProvider>,
    /// The pool's providers the spec does not declare that one of its clients offers, as
    /// (name, type): how a provider taken out of the spec is found. One that none of its
    /// clients offers is left alone (it may be staged by hand or another tool's), and costs no
    /// read when the spec declares no providers.
    pub undeclared_providers: Vec<(String, String)>,
    /// Each undeclared provider still offered by an app client the spec does not name, as
    /// (provider, client): read only when there are undeclared providers, since deleting one
    /// would take that sign-in from a client this spec does not manage.
    pub offered_outside_spec: Vec<(String, String)>,
    pub groups: Vec<Group>,
    /// The pool that owns the spec's domain prefix, when that is not this pool.
    pub domain_owner: Option<String>,
    /// The managed login version (1: the classic hosted UI, 2: managed login) of the pool's
    /// prefix domain, read when the spec declares a domain.
    pub domain_version: Option<i32>,
    /// The ids of the spec's clients that have a managed login branding style, read when
    /// the domain serves (or will serve) managed login.
    pub branded_clients: Vec<String>,
    /// The pool's custom domain, read when the spec declares one.
    pub custom_domain: Option<ObservedCustomDomain>,
    pub functions: Functions,
}

/// A custom domain as DescribeUserPoolDomain reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedCustomDomain {
    pub name: String,
    pub certificate_arn: Option<String>,
    pub managed_login_version: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct ObservedPool {
    pub id: String,
    pub arn: String,
    pub state: Pool,
    pub triggers: Triggers,
    pub domain: Option<String>,
    pub raw: UserPoolType,
    /// GetUserPoolMfaConfig, read when MFA is on, the spec wants it on, or the spec declares
    /// passkeys.
    pub mfa: Option<GetUserPoolMfaConfigOutput>,
}

impl ObservedPool {
    pub fn new(raw: UserPoolType, mfa: Option<GetUserPoolMfaConfigOutput>) -> Self {
        Self {
            id: raw.id().unwrap_or_default().to_owned(),
            arn: raw.arn().unwrap_or_default().to_owned(),
            state: Pool::from_aws(&raw, mfa.as_ref()),
            triggers: Triggers::from_aws(raw.lambda_config()),
            domain: raw.domain().filter(|d| !d.is_empty()).map(str::to_owned),
            raw,
            mfa,
        }
    }

    /// The pool's account, from its ARN (`arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>`).
    pub fn account(&self) -> Option<&str> {
        account_of(&self.arn)
    }
}

pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|account| !account.is_empty())
}

#[derive(Debug, Clone)]
pub struct ObservedClient {
    pub id: String,
    pub state: Client,
    pub raw: UserPoolClientType,
}

impl ObservedClient {
    pub fn new(raw: UserPoolClientType) -> Self {
        Self {
            id: raw.client_id().unwrap_or_default().to_owned(),
            state: Client::from_aws(&raw),
            raw,
        }
    }
}

/// An identity provider as DescribeIdentityProvider reports it. Its secret is compared with
/// the spec's source when read, then dropped: neither `state` nor `raw` holds it.
#[derive(Debug, Clone)]
pub struct ObservedProvider {
    pub state: IdentityProvider,
    pub raw: IdentityProviderType,
    pub secret: SecretState,
}

/// The trigger functions, as far as the endpoint can say.
#[derive(Debug, Clone)]
pub enum Functions {
    /// Resolved through the Lambda API, with their resource policies.
    Resolved(Vec<Function>),
    /// The endpoint has no Lambda API (an emulator that invokes triggers from its own
    /// configuration): functions are wired by the names the spec gives, and no invoke
    /// permission is managed.
    Unresolved,
}

impl Default for Functions {
    fn default() -> Self {
        Functions::Resolved(Vec::new())
    }
}

impl Functions {
    /// The ARN to wire for a function the spec names.
    pub fn arn<'a>(&'a self, reference: &'a str) -> &'a str {
        match self {
            Functions::Resolved(functions) => functions
                .iter()
                .find(|f| f.reference == reference)
                .map_or(reference, |f| f.arn.as_str()),
            Functions::Unresolved => reference,
        }
    }
}

/// A trigger function as Lambda reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The name or ARN as written in the spec.
    pub reference: String,
    /// Unqualified.
    pub arn: String,
    /// Its resource policy (JSON), if it has one.
    pub policy: Option<String>,
}
