//! Custom attributes (`custom:<name>`): their schema entries for CreateUserPool and
//! AddCustomAttributes, read back from DescribeUserPool, and the AddCustomAttributes requests
//! for the ones a pool lacks. Cognito can only add them: never change or remove one.

use std::fmt;

use aws_sdk_cognitoidentityprovider::operation::add_custom_attributes::AddCustomAttributesInput;
use aws_sdk_cognitoidentityprovider::operation::add_custom_attributes::builders::AddCustomAttributesInputBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, NumberAttributeConstraintsType, SchemaAttributeType, StringAttributeConstraintsType,
};

/// A custom attribute (`custom:<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomAttribute {
    /// Without the `custom:` prefix.
    pub name: String,
    pub kind: AttributeKind,
    pub mutable: bool,
    /// String length or number range; `None` where AWS keeps no constraint.
    pub min: Option<i64>,
    pub max: Option<i64>,
}

closed_set! {
    /// A custom attribute's data type (AttributeDataType).
    pub enum AttributeKind {
        String = ("string", "String"),
        Number = ("number", "Number"),
        Datetime = ("datetime", "DateTime"),
        Boolean = ("boolean", "Boolean"),
    }
}

impl CustomAttribute {
    pub fn aws_name(&self) -> String {
        format!("custom:{}", self.name)
    }

    /// The schema entry for CreateUserPool and AddCustomAttributes (named without the
    /// prefix; Cognito adds it).
    pub fn to_aws(&self) -> SchemaAttributeType {
        let bound = |value: Option<i64>| value.map(|v| v.to_string());
        let mut schema = SchemaAttributeType::builder()
            .name(&self.name)
            .attribute_data_type(AttributeDataType::from(self.kind.as_aws()))
            .mutable(self.mutable);
        match self.kind {
            AttributeKind::String => {
                schema = schema.string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .set_min_length(bound(self.min))
                        .set_max_length(bound(self.max))
                        .build(),
                );
            }
            AttributeKind::Number => {
                schema = schema.number_attribute_constraints(
                    NumberAttributeConstraintsType::builder()
                        .set_min_value(bound(self.min))
                        .set_max_value(bound(self.max))
                        .build(),
                );
            }
            AttributeKind::Datetime | AttributeKind::Boolean => {}
        }
        schema.build()
    }

    /// A custom attribute as DescribeUserPool reports it; `None` for standard attributes.
    pub(super) fn from_aws(schema: &SchemaAttributeType) -> Option<Self> {
        let name = schema.name()?.strip_prefix("custom:")?;
        let kind = AttributeKind::from_aws(schema.attribute_data_type()?.as_str())?;
        let parse = |value: Option<&str>| value.and_then(|v| v.parse().ok());
        let (min, max) = match kind {
            AttributeKind::String => schema
                .string_attribute_constraints()
                .map_or((None, None), |c| (parse(c.min_length()), parse(c.max_length()))),
            AttributeKind::Number => schema
                .number_attribute_constraints()
                .map_or((None, None), |c| (parse(c.min_value()), parse(c.max_value()))),
            AttributeKind::Datetime | AttributeKind::Boolean => (None, None),
        };
        Some(Self {
            name: name.to_owned(),
            kind,
            mutable: schema.mutable().unwrap_or(true),
            min,
            max,
        })
    }

    /// Whether `observed` is this attribute, given that AWS fills in the default string
    /// length bounds (0 to 2048) where none were sent.
    pub fn matches(&self, observed: &CustomAttribute) -> bool {
        let defaults = |a: &CustomAttribute| match a.kind {
            AttributeKind::String => (a.min.or(Some(0)), a.max.or(Some(2048))),
            AttributeKind::Number | AttributeKind::Datetime | AttributeKind::Boolean => (a.min, a.max),
        };
        self.name == observed.name
            && self.kind == observed.kind
            && self.mutable == observed.mutable
            && defaults(self) == defaults(observed)
    }
}

impl fmt::Display for CustomAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "custom:{} ({}, {}",
            self.name,
            self.kind.as_aws(),
            if self.mutable { "mutable" } else { "immutable" }
        )?;
        match (self.min, self.max) {
            (None, None) => {}
            (min, max) => write!(
                f,
                ", {}..{}",
                min.map(|v| v.to_string()).unwrap_or_default(),
                max.map(|v| v.to_string()).unwrap_or_default()
            )?,
        }
        f.write_str(")")
    }
}

/// AddCustomAttributes takes at most this many attributes a call.
const ATTRIBUTES_PER_CALL: usize = 25;

/// AddCustomAttributes requests for `missing` in `pool_id`, each with at most 25 attributes
/// (AWS refuses more), with the attributes each adds.
pub fn add_requests<'a>(
    pool_id: &str,
    missing: &'a [&'a CustomAttribute],
) -> Vec<(&'a [&'a CustomAttribute], AddCustomAttributesInputBuilder)> {
    missing
        .chunks(ATTRIBUTES_PER_CALL)
        .map(|batch| {
            let request = AddCustomAttributesInput::builder()
                .user_pool_id(pool_id)
                .set_custom_attributes(Some(batch.iter().map(|a| a.to_aws()).collect()));
            (batch, request)
        })
        .collect()
}
