//! A group, as the spec declares it and as ListGroups reports it, and its Create/UpdateGroup
//! requests.

use aws_sdk_cognitoidentityprovider::operation::create_group::{CreateGroupInput, builders::CreateGroupInputBuilder};
use aws_sdk_cognitoidentityprovider::operation::update_group::{UpdateGroupInput, builders::UpdateGroupInputBuilder};
use aws_sdk_cognitoidentityprovider::types::GroupType;

use super::{Field, field};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    /// Lower wins when a user's groups carry different roles.
    pub precedence: Option<u32>,
    /// The IAM role an identity pool gives the group's members.
    pub role_arn: Option<String>,
}

impl Group {
    pub fn from_aws(group: &GroupType) -> Self {
        Self {
            name: group.group_name().unwrap_or_default().to_owned(),
            description: group.description().map(str::to_owned).filter(|d| !d.is_empty()),
            precedence: group.precedence().and_then(|p| u32::try_from(p).ok()),
            role_arn: group.role_arn().map(str::to_owned).filter(|r| !r.is_empty()),
        }
    }

    pub fn fields(&self) -> Vec<Field> {
        let shown = |value: Option<String>| value.unwrap_or_else(|| "(unset)".into());
        vec![
            field(
                "description",
                shown(self.description.as_ref().map(|d| format!("{d:?}"))),
            ),
            field("precedence", shown(self.precedence.map(|p| p.to_string()))),
            field("role_arn", shown(self.role_arn.clone())),
        ]
    }

    pub fn create_request(&self, pool_id: &str) -> CreateGroupInputBuilder {
        CreateGroupInput::builder()
            .user_pool_id(pool_id)
            .group_name(&self.name)
            .set_description(self.description.clone())
            .set_precedence(self.precedence.and_then(|p| i32::try_from(p).ok()))
            .set_role_arn(self.role_arn.clone())
    }

    /// UpdateGroup: every managed attribute is sent.
    pub fn update_request(&self, pool_id: &str) -> UpdateGroupInputBuilder {
        UpdateGroupInput::builder()
            .user_pool_id(pool_id)
            .group_name(&self.name)
            .set_description(self.description.clone())
            .set_precedence(self.precedence.and_then(|p| i32::try_from(p).ok()))
            .set_role_arn(self.role_arn.clone())
    }
}
