//! The changes a plan holds: each with the request it sends, its action (Terraform's create,
//! update, replace, delete and their markers `+`, `~`, `-/+`, `-`), the resource it acts on,
//! and its fields old to new. Shown as text for people and as the stable JSON document of
//! `plan --output json`; a secret is never in either, only `(sensitive)`.

use std::fmt;

use aws_sdk_cognitoidentityprovider::operation::add_custom_attributes::builders::AddCustomAttributesInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_group::builders::CreateGroupInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_identity_provider::builders::CreateIdentityProviderInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_managed_login_branding::builders::CreateManagedLoginBrandingInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_resource_server::builders::CreateResourceServerInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_domain::builders::CreateUserPoolDomainInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::delete_identity_provider::builders::DeleteIdentityProviderInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::delete_user_pool_domain::builders::DeleteUserPoolDomainInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::set_log_delivery_configuration::builders::SetLogDeliveryConfigurationInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::set_risk_configuration::builders::SetRiskConfigurationInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::builders::SetUserPoolMfaConfigInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::tag_resource::builders::TagResourceInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_group::builders::UpdateGroupInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_identity_provider::builders::UpdateIdentityProviderInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_resource_server::builders::UpdateResourceServerInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_client::builders::UpdateUserPoolClientInputBuilder;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_domain::builders::UpdateUserPoolDomainInputBuilder;
use aws_sdk_lambda::operation::add_permission::builders::AddPermissionInputBuilder;
use aws_sdk_lambda::operation::remove_permission::builders::RemovePermissionInputBuilder;
use serde_json::{Value, json};

use crate::desired::{MANAGED_TAG, SecretSource};

/// The user pool id in the requests of a plan that creates the pool; `apply` puts the new
/// pool's id (and ARN) in its place.
pub const NEW_POOL: &str = "(new pool)";
/// The ARN of the pool to be created, likewise.
pub const NEW_POOL_ARN: &str = "(new pool ARN)";
/// The client id in the requests for a client this plan creates; `apply` puts its id in
/// place, found by the client's name.
pub const NEW_CLIENT: &str = "(new client)";
/// The old value of a field that is not set (a created resource's fields), or the new value
/// of one that goes away; `null` in JSON.
pub const UNSET: &str = "(unset)";
/// What a secret's value is shown as, in text and JSON.
pub const SENSITIVE: &str = "(sensitive)";

/// The version of the JSON document `plan --output json` prints; raised only when a key
/// changes meaning or goes away.
pub const FORMAT_VERSION: u32 = 1;

/// One setting that changes, old to new, in the spec's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
    /// A secret: `old` and `new` only say where it comes from or that it differs, and JSON
    /// shows `(sensitive)` for both.
    pub sensitive: bool,
}

impl FieldChange {
    pub fn new(field: impl Into<String>, old: impl Into<String>, new: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            old: old.into(),
            new: new.into(),
            sensitive: false,
        }
    }

    /// A secret's change, described by where the new value comes from (never the value).
    pub fn secret(field: impl Into<String>, old: impl Into<String>, source: &SecretSource) -> Self {
        Self {
            field: field.into(),
            old: old.into(),
            new: format!("(from the {source})"),
            sensitive: true,
        }
    }

    /// `{name, old, new}`, with `null` for unset and `(sensitive)` for a secret's values.
    pub fn to_json(&self) -> Value {
        let shown = |value: &str| match (value, self.sensitive) {
            (UNSET, _) => Value::Null,
            (_, true) => Value::from(SENSITIVE),
            (value, false) => Value::from(value),
        };
        json!({"name": self.field, "old": shown(&self.old), "new": shown(&self.new)})
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} -> {}", self.field, self.old, self.new)?;
        if self.sensitive {
            write!(f, " {SENSITIVE}")?;
        }
        Ok(())
    }
}

/// The fields of a resource that does not exist yet: each `(unset)` to its value.
pub fn created(fields: Vec<crate::desired::Field>) -> Vec<FieldChange> {
    fields
        .into_iter()
        .map(|(field, value)| FieldChange::new(field, UNSET, value))
        .collect()
}

/// What a change does to its resource, as Terraform names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    /// Deleted, then created again.
    Replace,
    Delete,
}

impl Action {
    /// Terraform's marker.
    pub fn marker(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// The kinds of resource a plan acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    UserPool,
    /// The pool's MFA configuration (SetUserPoolMfaConfig, apart from UpdateUserPool).
    UserPoolMfa,
    /// Where the pool's logs go (SetLogDeliveryConfiguration).
    LogDelivery,
    /// Threat protection's tuning (SetRiskConfiguration).
    RiskConfiguration,
    ResourceServer,
    IdentityProvider,
    AppClient,
    /// A client's managed login branding style.
    Branding,
    Domain,
    CustomDomain,
    Group,
    /// A statement in a trigger function's resource policy.
    InvokePermission,
}

impl Kind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UserPool => "user_pool",
            Kind::UserPoolMfa => "user_pool_mfa",
            Kind::LogDelivery => "log_delivery",
            Kind::RiskConfiguration => "risk_configuration",
            Kind::ResourceServer => "resource_server",
            Kind::IdentityProvider => "identity_provider",
            Kind::AppClient => "app_client",
            Kind::Branding => "managed_login_branding",
            Kind::Domain => "domain",
            Kind::CustomDomain => "custom_domain",
            Kind::Group => "group",
            Kind::InvokePermission => "invoke_permission",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::UserPool => "user pool",
            Kind::UserPoolMfa => "MFA of user pool",
            Kind::LogDelivery => "log delivery of user pool",
            Kind::RiskConfiguration => "threat protection settings of user pool",
            Kind::ResourceServer => "resource server",
            Kind::IdentityProvider => "identity provider",
            Kind::AppClient => "app client",
            Kind::Branding => "managed login branding of",
            Kind::Domain => "domain",
            Kind::CustomDomain => "custom domain",
            Kind::Group => "group",
            Kind::InvokePermission => "invoke permission on",
        }
    }
}

/// A resource: its kind and its name, its id, or both (an app client has both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: Kind,
    pub name: Option<String>,
    pub id: Option<String>,
}

impl Resource {
    pub fn named(kind: Kind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: Some(name.into()),
            id: None,
        }
    }

    pub fn with_id(kind: Kind, id: impl Into<String>) -> Self {
        Self {
            kind,
            name: None,
            id: Some(id.into()),
        }
    }

    pub fn and_id(self, id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..self
        }
    }

    pub fn to_json(&self) -> Value {
        let mut resource = json!({"kind": self.kind.as_str()});
        if let Some(name) = &self.name {
            resource["name"] = Value::from(name.as_str());
        }
        if let Some(id) = &self.id {
            resource["id"] = Value::from(id.as_str());
        }
        resource
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.label())?;
        match (&self.name, &self.id) {
            (Some(name), Some(id)) => write!(f, " {name} ({id})"),
            (Some(one), None) | (None, Some(one)) => write!(f, " {one}"),
            (None, None) => Ok(()),
        }
    }
}

/// One change `apply` makes, with the request it sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Tag a pool found by name as this project's (only when asked to adopt it).
    AdoptPool {
        id: String,
        name: String,
        request: TagResourceInputBuilder,
    },
    /// Without triggers: the pool is wired once its functions allow it.
    CreatePool {
        name: String,
        fields: Vec<FieldChange>,
        request: Box<CreateUserPoolInputBuilder>,
    },
    AddCustomAttributes {
        pool: String,
        attributes: Vec<String>,
        fields: Vec<FieldChange>,
        request: AddCustomAttributesInputBuilder,
    },
    SetMfa {
        pool: String,
        fields: Vec<FieldChange>,
        request: SetUserPoolMfaConfigInputBuilder,
    },
    CreateResourceServer {
        identifier: String,
        fields: Vec<FieldChange>,
        request: CreateResourceServerInputBuilder,
    },
    UpdateResourceServer {
        identifier: String,
        fields: Vec<FieldChange>,
        request: UpdateResourceServerInputBuilder,
    },
    /// The secret is read from its source when the request is sent, and put in the
    /// request's ProviderDetails under `key`; the plan never holds it.
    CreateIdentityProvider {
        name: String,
        fields: Vec<FieldChange>,
        request: CreateIdentityProviderInputBuilder,
        secret: Option<ProviderSecret>,
    },
    UpdateIdentityProvider {
        name: String,
        fields: Vec<FieldChange>,
        request: UpdateIdentityProviderInputBuilder,
        secret: Option<ProviderSecret>,
    },
    /// A provider of the pool the spec no longer declares (after the clients stop offering
    /// it): its users can no longer sign in through it.
    DeleteIdentityProvider {
        name: String,
        /// Its type, as AWS spells it.
        kind: String,
        request: DeleteIdentityProviderInputBuilder,
    },
    CreateClient {
        name: String,
        fields: Vec<FieldChange>,
        request: Box<CreateUserPoolClientInputBuilder>,
    },
    UpdateClient {
        name: String,
        id: String,
        fields: Vec<FieldChange>,
        request: Box<UpdateUserPoolClientInputBuilder>,
    },
    /// Cognito's own branding style for a client (`client_id` `None`: the client is created by
    /// this plan, and its id is known once it is).
    CreateBranding {
        client: String,
        client_id: Option<String>,
        request: CreateManagedLoginBrandingInputBuilder,
    },
    CreateDomain {
        prefix: String,
        version: i32,
        request: CreateUserPoolDomainInputBuilder,
    },
    /// The login pages a domain serves (its managed login version).
    UpdateDomain {
        prefix: String,
        fields: Vec<FieldChange>,
        request: UpdateUserPoolDomainInputBuilder,
    },
    /// A pool has one prefix domain: the old one is deleted, then the new one created.
    ReplaceDomain {
        old: String,
        new: String,
        delete: DeleteUserPoolDomainInputBuilder,
        create: CreateUserPoolDomainInputBuilder,
    },
    CreateCustomDomain {
        name: String,
        version: i32,
        request: CreateUserPoolDomainInputBuilder,
    },
    /// Its certificate, or the login pages it serves.
    UpdateCustomDomain {
        name: String,
        fields: Vec<FieldChange>,
        request: UpdateUserPoolDomainInputBuilder,
    },
    /// A pool has one custom domain: the old one is deleted, then the new one created.
    ReplaceCustomDomain {
        old: String,
        new: String,
        delete: DeleteUserPoolDomainInputBuilder,
        create: CreateUserPoolDomainInputBuilder,
    },
    CreateGroup {
        name: String,
        fields: Vec<FieldChange>,
        request: CreateGroupInputBuilder,
    },
    UpdateGroup {
        name: String,
        fields: Vec<FieldChange>,
        request: UpdateGroupInputBuilder,
    },
    /// Let Cognito (from this pool and account only) invoke the function.
    Grant {
        function_arn: String,
        corrects: bool,
        request: AddPermissionInputBuilder,
    },
    UpdatePool {
        pool: String,
        fields: Vec<FieldChange>,
        request: Box<UpdateUserPoolInputBuilder>,
    },
    SetLogDelivery {
        pool: String,
        fields: Vec<FieldChange>,
        request: SetLogDeliveryConfigurationInputBuilder,
    },
    SetRisk {
        pool: String,
        fields: Vec<FieldChange>,
        request: SetRiskConfigurationInputBuilder,
    },
    /// Remove a statement of ours that is wrong (after the right one is in place).
    Revoke {
        function_arn: String,
        statement_id: String,
        request: RemovePermissionInputBuilder,
    },
}

/// Where a provider's secret is read from, and its ProviderDetails key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSecret {
    pub key: &'static str,
    pub source: SecretSource,
}

impl Change {
    pub fn action(&self) -> Action {
        match self {
            Change::CreatePool { .. }
            | Change::CreateResourceServer { .. }
            | Change::CreateIdentityProvider { .. }
            | Change::CreateClient { .. }
            | Change::CreateBranding { .. }
            | Change::CreateDomain { .. }
            | Change::CreateCustomDomain { .. }
            | Change::CreateGroup { .. }
            | Change::Grant { .. } => Action::Create,
            Change::AdoptPool { .. }
            | Change::AddCustomAttributes { .. }
            | Change::SetMfa { .. }
            | Change::UpdateResourceServer { .. }
            | Change::UpdateIdentityProvider { .. }
            | Change::UpdateClient { .. }
            | Change::UpdateDomain { .. }
            | Change::UpdateCustomDomain { .. }
            | Change::UpdateGroup { .. }
            | Change::UpdatePool { .. }
            | Change::SetLogDelivery { .. }
            | Change::SetRisk { .. } => Action::Update,
            Change::ReplaceDomain { .. } | Change::ReplaceCustomDomain { .. } => Action::Replace,
            Change::DeleteIdentityProvider { .. } | Change::Revoke { .. } => Action::Delete,
        }
    }

    /// Whether the change takes away something that serves users now: the hosted UI while a
    /// domain is replaced, an identity provider, or an invoke permission. `apply` asks before making one (`--yes`).
    pub fn is_destructive(&self) -> bool {
        match self.action() {
            Action::Replace | Action::Delete => true,
            Action::Create | Action::Update => false,
        }
    }

    pub fn resource(&self) -> Resource {
        match self {
            Change::AdoptPool { id, .. } => Resource::with_id(Kind::UserPool, id),
            Change::CreatePool { name, .. } => Resource::named(Kind::UserPool, name),
            Change::AddCustomAttributes { pool, .. } | Change::UpdatePool { pool, .. } => {
                Resource::with_id(Kind::UserPool, pool)
            }
            Change::SetMfa { pool, .. } => Resource::with_id(Kind::UserPoolMfa, pool),
            Change::SetLogDelivery { pool, .. } => Resource::with_id(Kind::LogDelivery, pool),
            Change::SetRisk { pool, .. } => Resource::with_id(Kind::RiskConfiguration, pool),
            Change::CreateResourceServer { identifier, .. } | Change::UpdateResourceServer { identifier, .. } => {
                Resource::named(Kind::ResourceServer, identifier)
            }
            Change::CreateIdentityProvider { name, .. }
            | Change::UpdateIdentityProvider { name, .. }
            | Change::DeleteIdentityProvider { name, .. } => Resource::named(Kind::IdentityProvider, name),
            Change::CreateClient { name, .. } => Resource::named(Kind::AppClient, name),
            Change::UpdateClient { name, id, .. } => Resource::named(Kind::AppClient, name).and_id(id),
            Change::CreateBranding { client, client_id, .. } => {
                let resource = Resource::named(Kind::Branding, client);
                match client_id {
                    Some(id) => resource.and_id(id),
                    None => resource,
                }
            }
            Change::CreateDomain { prefix, .. } | Change::UpdateDomain { prefix, .. } => {
                Resource::named(Kind::Domain, prefix)
            }
            Change::ReplaceDomain { old, .. } => Resource::named(Kind::Domain, old),
            Change::CreateCustomDomain { name, .. } | Change::UpdateCustomDomain { name, .. } => {
                Resource::named(Kind::CustomDomain, name)
            }
            Change::ReplaceCustomDomain { old, .. } => Resource::named(Kind::CustomDomain, old),
            Change::CreateGroup { name, .. } | Change::UpdateGroup { name, .. } => Resource::named(Kind::Group, name),
            Change::Grant {
                function_arn, request, ..
            } => Resource::named(Kind::InvokePermission, function_arn)
                .and_id(request.get_statement_id().clone().unwrap_or_default()),
            Change::Revoke {
                function_arn,
                statement_id,
                ..
            } => Resource::named(Kind::InvokePermission, function_arn).and_id(statement_id),
        }
    }

    /// Every field the change sets, old to new: for a create each new value, for a delete
    /// each old one.
    pub fn fields(&self) -> Vec<FieldChange> {
        match self {
            Change::AdoptPool { name, .. } => vec![FieldChange::new(format!("tags.{MANAGED_TAG}"), UNSET, name)],
            Change::CreatePool { fields, .. }
            | Change::AddCustomAttributes { fields, .. }
            | Change::SetMfa { fields, .. }
            | Change::CreateResourceServer { fields, .. }
            | Change::UpdateResourceServer { fields, .. }
            | Change::CreateIdentityProvider { fields, .. }
            | Change::UpdateIdentityProvider { fields, .. }
            | Change::CreateClient { fields, .. }
            | Change::UpdateClient { fields, .. }
            | Change::CreateGroup { fields, .. }
            | Change::UpdateGroup { fields, .. }
            | Change::UpdateDomain { fields, .. }
            | Change::UpdateCustomDomain { fields, .. }
            | Change::UpdatePool { fields, .. }
            | Change::SetLogDelivery { fields, .. }
            | Change::SetRisk { fields, .. } => fields.clone(),
            Change::CreateCustomDomain { name, version, request } => vec![
                FieldChange::new("name", UNSET, name),
                FieldChange::new(
                    "certificate_arn",
                    UNSET,
                    request
                        .get_custom_domain_config()
                        .as_ref()
                        .map(|c| c.certificate_arn().to_owned())
                        .unwrap_or_default(),
                ),
                FieldChange::new("managed_login_version", UNSET, version.to_string()),
            ],
            Change::ReplaceCustomDomain { old, new, .. } => vec![FieldChange::new("name", old, new)],
            Change::CreateBranding { .. } => vec![FieldChange::new("use_cognito_provided_values", UNSET, "true")],
            Change::CreateDomain { prefix, version, .. } => vec![
                FieldChange::new("prefix", UNSET, prefix),
                FieldChange::new("managed_login_version", UNSET, version.to_string()),
            ],
            Change::ReplaceDomain { old, new, .. } => vec![FieldChange::new("prefix", old, new)],
            Change::Grant { request, .. } => vec![
                FieldChange::new(
                    "statement_id",
                    UNSET,
                    request.get_statement_id().clone().unwrap_or_default(),
                ),
                FieldChange::new(
                    "source_arn",
                    UNSET,
                    request.get_source_arn().clone().unwrap_or_default(),
                ),
            ],
            Change::DeleteIdentityProvider { kind, .. } => vec![FieldChange::new("type", kind, UNSET)],
            Change::Revoke { statement_id, .. } => vec![FieldChange::new("statement_id", statement_id, UNSET)],
        }
    }

    /// Whether the one-line description already says every field the change sets (the
    /// adoption's tag, the custom attributes added), so the text lists them no more.
    fn names_its_fields(&self) -> bool {
        match self {
            Change::AdoptPool { .. } | Change::AddCustomAttributes { .. } => true,
            Change::CreatePool { .. }
            | Change::SetMfa { .. }
            | Change::CreateResourceServer { .. }
            | Change::UpdateResourceServer { .. }
            | Change::CreateIdentityProvider { .. }
            | Change::UpdateIdentityProvider { .. }
            | Change::DeleteIdentityProvider { .. }
            | Change::CreateClient { .. }
            | Change::UpdateClient { .. }
            | Change::CreateBranding { .. }
            | Change::CreateDomain { .. }
            | Change::UpdateDomain { .. }
            | Change::ReplaceDomain { .. }
            | Change::CreateCustomDomain { .. }
            | Change::UpdateCustomDomain { .. }
            | Change::ReplaceCustomDomain { .. }
            | Change::CreateGroup { .. }
            | Change::UpdateGroup { .. }
            | Change::Grant { .. }
            | Change::UpdatePool { .. }
            | Change::SetLogDelivery { .. }
            | Change::SetRisk { .. }
            | Change::Revoke { .. } => false,
        }
    }

    /// The marker and what the change does, on one line: what `apply` reports once it is made.
    pub fn summary(&self) -> String {
        format!("{} {}", self.action().marker(), Description(self))
    }

    /// The change in the JSON document: `{action, resource, description, fields}`.
    pub fn to_json(&self) -> Value {
        json!({
            "action": self.action().as_str(),
            "resource": self.resource().to_json(),
            "description": Description(self).to_string(),
            "fields": self.fields().iter().map(FieldChange::to_json).collect::<Vec<_>>(),
        })
    }
}

/// The marker and what the change does, then, for an update or a replace, each changed field
/// old to new on a line of its own.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())?;
        match (self.action(), self.names_its_fields()) {
            (Action::Update | Action::Replace, false) => self.fields().iter().try_for_each(|c| write!(f, "\n    {c}")),
            (Action::Update | Action::Replace, true) | (Action::Create | Action::Delete, _) => Ok(()),
        }
    }
}

/// What a change does, in words, without its marker or fields.
struct Description<'a>(&'a Change);

impl fmt::Display for Description<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Change::AdoptPool { id, .. } => {
                write!(f, "adopt user pool {id} (tag it {MANAGED_TAG} = its name)")
            }
            Change::CreatePool { name, .. } => write!(f, "create user pool {name:?}"),
            Change::AddCustomAttributes { pool, attributes, .. } => {
                write!(
                    f,
                    "add custom attributes to user pool {pool}: {}",
                    attributes.join(", ")
                )
            }
            Change::SetMfa { pool, .. } => write!(f, "set MFA of user pool {pool}"),
            Change::CreateResourceServer { identifier, .. } => write!(f, "create resource server {identifier:?}"),
            Change::UpdateResourceServer { identifier, .. } => write!(f, "update resource server {identifier:?}"),
            Change::CreateIdentityProvider { name, .. } => write!(f, "create identity provider {name:?}"),
            Change::UpdateIdentityProvider { name, .. } => write!(f, "update identity provider {name:?}"),
            Change::DeleteIdentityProvider { name, .. } => write!(
                f,
                "delete identity provider {name:?}, which the spec no longer declares (its users can no longer sign in through it)"
            ),
            Change::CreateClient { name, .. } => write!(f, "create app client {name:?}"),
            Change::UpdateClient { name, id, .. } => write!(f, "update app client {name:?} ({id})"),
            Change::CreateBranding { client, .. } => {
                write!(
                    f,
                    "create managed login branding for app client {client:?} (Cognito's own style)"
                )
            }
            Change::CreateDomain { prefix, version, .. } => {
                write!(f, "create hosted-UI domain {prefix:?} ({})", pages(*version))
            }
            Change::UpdateDomain { prefix, .. } => write!(f, "update hosted-UI domain {prefix:?}"),
            Change::ReplaceDomain { old, new, .. } => write!(
                f,
                "replace hosted-UI domain {old:?} with {new:?}: delete, then create (a pool has one prefix \
                 domain), so the hosted UI is unavailable between the two, usually under a minute"
            ),
            Change::CreateCustomDomain { name, version, .. } => write!(
                f,
                "create custom domain {name:?} ({}); CloudFront takes up to an hour to serve it, and the name's \
                 DNS alias must point at the CloudFront distribution DescribeUserPoolDomain names",
                pages(*version)
            ),
            Change::UpdateCustomDomain { name, .. } => write!(f, "update custom domain {name:?}"),
            Change::ReplaceCustomDomain { old, new, .. } => write!(
                f,
                "replace custom domain {old:?} with {new:?}: delete, then create (a pool has one custom domain), so \
                 sign-in on {old:?} stops at once and {new:?} serves once CloudFront has deployed it, up to an hour"
            ),
            Change::CreateGroup { name, .. } => write!(f, "create group {name:?}"),
            Change::UpdateGroup { name, .. } => write!(f, "update group {name:?}"),
            Change::Grant {
                function_arn, corrects, ..
            } => write!(
                f,
                "{} cognito-idp.amazonaws.com permission to invoke {function_arn}",
                if *corrects { "grant (corrected)" } else { "grant" }
            ),
            Change::UpdatePool { pool, .. } => write!(f, "update user pool {pool}"),
            Change::SetLogDelivery { pool, .. } => write!(f, "set log delivery of user pool {pool}"),
            Change::SetRisk { pool, .. } => write!(f, "set threat protection settings of user pool {pool}"),
            Change::Revoke {
                function_arn,
                statement_id,
                ..
            } => write!(
                f,
                "remove the wrong invoke permission {statement_id} from {function_arn}"
            ),
        }
    }
}

/// What a managed login version serves, in words.
fn pages(version: i32) -> &'static str {
    match version {
        crate::desired::domain::CLASSIC => "the classic hosted UI",
        _ => "managed login",
    }
}

/// The changes, in the order `apply` makes them, and the resources that are already right.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub unchanged: Vec<Resource>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes that take away something that serves users now (see
    /// [`Change::is_destructive`]).
    pub fn destructive(&self) -> Vec<&Change> {
        self.changes.iter().filter(|c| c.is_destructive()).collect()
    }

    /// The document `plan --output json` prints (the README's stable format):
    /// `{format_version, changes: [{action, resource: {kind, name?, id?}, description,
    /// fields: [{name, old, new}]}], unchanged: [{kind, name?, id?}]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "format_version": FORMAT_VERSION,
            "changes": self.changes.iter().map(Change::to_json).collect::<Vec<_>>(),
            "unchanged": self.unchanged.iter().map(Resource::to_json).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests;
