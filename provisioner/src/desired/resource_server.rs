//! A resource server (an API and the OAuth scopes it defines), as the spec declares it and as
//! ListResourceServers reports it, and its Create/UpdateResourceServer requests.

use aws_sdk_cognitoidentityprovider::operation::create_resource_server::{
    CreateResourceServerInput, builders::CreateResourceServerInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::update_resource_server::{
    UpdateResourceServerInput, builders::UpdateResourceServerInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{ResourceServerScopeType, ResourceServerType};

use super::{Field, field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServer {
    /// Usually the API's URL or a short name; scopes are `<identifier>/<scope>`.
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scope {
    pub name: String,
    pub description: String,
}

impl ResourceServer {
    pub fn from_aws(server: &ResourceServerType) -> Self {
        let mut scopes: Vec<Scope> = server
            .scopes()
            .iter()
            .map(|s| Scope {
                name: s.scope_name().to_owned(),
                description: s.scope_description().to_owned(),
            })
            .collect();
        scopes.sort();
        Self {
            identifier: server.identifier().unwrap_or_default().to_owned(),
            name: server.name().unwrap_or_default().to_owned(),
            scopes,
        }
    }

    /// The full scope names clients list: `<identifier>/<scope>`.
    pub fn scope_names(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes.iter().map(|s| format!("{}/{}", self.identifier, s.name))
    }

    pub fn fields(&self) -> Vec<Field> {
        let mut scopes = self.scopes.clone();
        scopes.sort();
        let shown: Vec<String> = scopes
            .iter()
            .map(|s| format!("{} ({:?})", s.name, s.description))
            .collect();
        vec![
            field("name", &self.name),
            field("scopes", format!("[{}]", shown.join(", "))),
        ]
    }

    fn aws_scopes(&self) -> Vec<ResourceServerScopeType> {
        self.scopes
            .iter()
            .filter_map(|s| {
                ResourceServerScopeType::builder()
                    .scope_name(&s.name)
                    .scope_description(&s.description)
                    .build()
                    .ok()
            })
            .collect()
    }

    pub fn create_request(&self, pool_id: &str) -> CreateResourceServerInputBuilder {
        CreateResourceServerInput::builder()
            .user_pool_id(pool_id)
            .identifier(&self.identifier)
            .name(&self.name)
            .set_scopes(Some(self.aws_scopes()))
    }

    /// UpdateResourceServer replaces the name and every scope: all are sent.
    pub fn update_request(&self, pool_id: &str) -> UpdateResourceServerInputBuilder {
        UpdateResourceServerInput::builder()
            .user_pool_id(pool_id)
            .identifier(&self.identifier)
            .name(&self.name)
            .set_scopes(Some(self.aws_scopes()))
    }
}
