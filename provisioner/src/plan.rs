//! The plan: what `apply` would change, computed from the spec and what AWS reports, as a
//! pure function (no AWS calls). `plan` prints it; `apply` executes the same plan.

use std::collections::BTreeSet;
use std::fmt;

use aws_sdk_cognitoidentityprovider::types::{UserPoolClientType, UserPoolType};

use crate::spec::{Spec, Triggers};

/// What AWS has now, as read by `observe`.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub pool: Option<UserPoolType>,
    pub client: Option<UserPoolClientType>,
    /// The pool that owns the spec's domain prefix, if any pool does.
    pub domain_owner: Option<String>,
    pub groups: Vec<String>,
    /// The trigger functions, resolved.
    pub functions: Vec<Function>,
}

/// A trigger function as Lambda reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The name or ARN as written in the spec.
    pub reference: String,
    pub arn: String,
    /// Its resource policy (JSON), if it has one.
    pub policy: Option<String>,
}

/// One setting that changes, old to new, in the spec's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} -> {}", self.field, self.old, self.new)
    }
}

/// One change `apply` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreatePool {
        name: String,
    },
    UpdatePool {
        id: String,
        fields: Vec<FieldChange>,
    },
    CreateClient {
        name: String,
    },
    UpdateClient {
        id: String,
        fields: Vec<FieldChange>,
    },
    CreateDomain {
        prefix: String,
    },
    /// The pool has another domain: delete it, create the spec's. No user data is lost.
    ReplaceDomain {
        old: String,
        new: String,
    },
    CreateGroup {
        name: String,
    },
    /// Allow Cognito (from this pool only) to invoke the function.
    GrantInvoke {
        function_arn: String,
        replace: bool,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreatePool { name } => write!(f, "create user pool {name:?}"),
            Change::UpdatePool { id, fields } => {
                write!(f, "update user pool {id}")?;
                fields.iter().try_for_each(|c| write!(f, "\n    {c}"))
            }
            Change::CreateClient { name } => write!(f, "create app client {name:?}"),
            Change::UpdateClient { id, fields } => {
                write!(f, "update app client {id}")?;
                fields.iter().try_for_each(|c| write!(f, "\n    {c}"))
            }
            Change::CreateDomain { prefix } => write!(f, "create hosted-UI domain {prefix:?}"),
            Change::ReplaceDomain { old, new } => {
                write!(f, "replace hosted-UI domain {old:?} with {new:?}")
            }
            Change::CreateGroup { name } => write!(f, "create group {name:?}"),
            Change::GrantInvoke { function_arn, replace } => write!(
                f,
                "{} cognito-idp.amazonaws.com permission to invoke {function_arn}",
                if *replace { "correct the" } else { "grant" }
            ),
        }
    }
}

/// The changes, in the order `apply` makes them, and the resources that are already right.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub unchanged: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why a spec cannot be applied to what exists, found before any write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "user pool {id}: {field} is {old} but the spec says {new}. Cognito fixes {field} when a pool is \
         created, so the pool would have to be replaced and all its users would be lost. Change the spec \
         back to {old}, or create a new pool under another pool.name and migrate the users"
    )]
    WouldReplacePool {
        id: String,
        field: String,
        old: String,
        new: String,
    },
    #[error(
        "app client {id}: generate_secret is {old} but the spec says {new}. Cognito fixes this when a client \
         is created; the client would have to be replaced, which changes its client id for every app that uses \
         it. Change the spec back, or create a client under another client.name"
    )]
    WouldReplaceClient { id: String, old: bool, new: bool },
    #[error(
        "the hosted-UI domain prefix {prefix:?} belongs to another user pool ({owner}); choose another domain.prefix"
    )]
    DomainTaken { prefix: String, owner: String },
}

/// The statement id of the invoke permission for `pool_id`: fixed per pool, so re-runs
/// find it, and distinct per pool, so pools can share a function.
pub fn statement_id(pool_id: &str) -> String {
    format!("cognito-idp-{pool_id}")
}

/// The pool's account, from its ARN (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`).
pub fn account_of(pool_arn: &str) -> Option<&str> {
    pool_arn.split(':').nth(4).filter(|account| !account.is_empty())
}

/// Computes the plan. `permissions` false leaves invoke permissions out (an endpoint
/// without the Lambda API).
pub fn plan(spec: &Spec, observed: &Observed, permissions: bool) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let arns = trigger_arns(&spec.triggers, &observed.functions);

    // The pool.
    match &observed.pool {
        None => plan.changes.push(Change::CreatePool {
            name: spec.pool.name.clone(),
        }),
        Some(pool) => {
            let id = pool.id().unwrap_or_default().to_owned();
            let observed_attributes = list(pool.username_attributes().iter().map(|a| a.as_str()));
            let desired_attributes = list(spec.pool.username_attributes.iter().map(|a| a.as_aws()));
            if observed_attributes != desired_attributes {
                return Err(PlanError::WouldReplacePool {
                    id,
                    field: "username_attributes".into(),
                    old: observed_attributes,
                    new: desired_attributes,
                });
            }
            let fields = diff(
                &observed_pool_fields(pool, &spec.triggers),
                &desired_pool_fields(spec, &arns),
            );
            if fields.is_empty() {
                plan.unchanged.push(format!("user pool {id}"));
            } else {
                plan.changes.push(Change::UpdatePool { id, fields });
            }
        }
    }

    // The app client.
    match &observed.client {
        None => plan.changes.push(Change::CreateClient {
            name: spec.client.name.clone(),
        }),
        Some(client) => {
            let id = client.client_id().unwrap_or_default().to_owned();
            let has_secret = client.client_secret().is_some();
            if has_secret != spec.client.generate_secret {
                return Err(PlanError::WouldReplaceClient {
                    id,
                    old: has_secret,
                    new: spec.client.generate_secret,
                });
            }
            let fields = diff(&observed_client_fields(client), &desired_client_fields(spec));
            if fields.is_empty() {
                plan.unchanged.push(format!("app client {id}"));
            } else {
                plan.changes.push(Change::UpdateClient { id, fields });
            }
        }
    }

    // The hosted-UI domain.
    if let Some(domain) = &spec.domain {
        let pool_id = observed.pool.as_ref().and_then(|p| p.id());
        let current = observed
            .pool
            .as_ref()
            .and_then(|p| p.domain())
            .filter(|d| !d.is_empty());
        if let Some(owner) = observed.domain_owner.as_deref().filter(|owner| Some(*owner) != pool_id) {
            return Err(PlanError::DomainTaken {
                prefix: domain.prefix.clone(),
                owner: owner.to_owned(),
            });
        }
        match current {
            Some(current) if current == domain.prefix => plan.unchanged.push(format!("domain {current}")),
            Some(current) => plan.changes.push(Change::ReplaceDomain {
                old: current.to_owned(),
                new: domain.prefix.clone(),
            }),
            None => plan.changes.push(Change::CreateDomain {
                prefix: domain.prefix.clone(),
            }),
        }
    }

    // Groups.
    for group in &spec.groups {
        if observed.groups.contains(&group.name) {
            plan.unchanged.push(format!("group {}", group.name));
        } else {
            plan.changes.push(Change::CreateGroup {
                name: group.name.clone(),
            });
        }
    }

    // Invoke permissions, one per distinct function.
    let distinct: BTreeSet<&str> = if permissions {
        arns.iter().map(|(_, arn)| arn.as_str()).collect()
    } else {
        BTreeSet::new()
    };
    for arn in distinct {
        let policy = observed
            .functions
            .iter()
            .find(|f| f.arn == arn)
            .and_then(|f| f.policy.as_deref());
        let state = observed
            .pool
            .as_ref()
            .and_then(|pool| Some((pool.id()?, pool.arn()?)))
            .map(|(pool_id, pool_arn)| permission_state(policy, pool_id, pool_arn));
        match state {
            Some(PermissionState::Correct) => plan.unchanged.push(format!("invoke permission on {arn}")),
            Some(PermissionState::Wrong) => plan.changes.push(Change::GrantInvoke {
                function_arn: arn.to_owned(),
                replace: true,
            }),
            Some(PermissionState::Missing) | None => plan.changes.push(Change::GrantInvoke {
                function_arn: arn.to_owned(),
                replace: false,
            }),
        }
    }
    Ok(plan)
}

/// `(trigger, function ARN)` for every trigger in the spec whose function was resolved.
pub fn trigger_arns(triggers: &Triggers, functions: &[Function]) -> Vec<(&'static str, String)> {
    triggers
        .iter()
        .filter_map(|(trigger, reference)| {
            let function = functions.iter().find(|f| f.reference == reference)?;
            Some((trigger, function.arn.clone()))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PermissionState {
    Correct,
    Wrong,
    Missing,
}

/// Whether the function's policy has our statement, allowing exactly this pool.
fn permission_state(policy: Option<&str>, pool_id: &str, pool_arn: &str) -> PermissionState {
    let Some(policy) = policy.and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()) else {
        return PermissionState::Missing;
    };
    let sid = statement_id(pool_id);
    let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
    let Some(statement) = statements.iter().find(|s| s["Sid"] == sid.as_str()) else {
        return PermissionState::Missing;
    };
    let condition = &statement["Condition"];
    let correct = statement["Effect"] == "Allow"
        && statement["Principal"]["Service"] == "cognito-idp.amazonaws.com"
        && statement["Action"] == "lambda:InvokeFunction"
        && condition["ArnLike"]["AWS:SourceArn"] == pool_arn
        && account_of(pool_arn).is_none_or(|account| condition["StringEquals"]["AWS:SourceAccount"] == account);
    if correct {
        PermissionState::Correct
    } else {
        PermissionState::Wrong
    }
}

fn list<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    let mut values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    values.sort();
    values.dedup();
    format!("[{}]", values.join(", "))
}

fn diff(observed: &[(String, String)], desired: &[(String, String)]) -> Vec<FieldChange> {
    desired
        .iter()
        .filter_map(|(field, new)| {
            let old = observed
                .iter()
                .find(|(f, _)| f == field)
                .map_or("(unset)".to_owned(), |(_, v)| v.clone());
            (&old != new).then(|| FieldChange {
                field: field.clone(),
                old,
                new: new.clone(),
            })
        })
        .collect()
}

fn field(name: &str, value: impl fmt::Display) -> (String, String) {
    (name.to_owned(), value.to_string())
}

/// The pool settings the spec manages, as AWS reports them.
fn observed_pool_fields(pool: &UserPoolType, triggers: &Triggers) -> Vec<(String, String)> {
    let policy = pool.policies().and_then(|p| p.password_policy());
    let lambda = pool.lambda_config();
    let mut fields = vec![
        field(
            "auto_verified_attributes",
            list(pool.auto_verified_attributes().iter().map(|a| a.as_str())),
        ),
        field("mfa", pool.mfa_configuration().map_or("OFF", |m| m.as_str())),
        field(
            "deletion_protection",
            pool.deletion_protection().is_some_and(|d| d.as_str() == "ACTIVE"),
        ),
    ];
    if let Some(policy) = policy {
        fields.extend([
            field(
                "password_policy.minimum_length",
                policy.minimum_length().unwrap_or_default(),
            ),
            field("password_policy.require_lowercase", policy.require_lowercase()),
            field("password_policy.require_uppercase", policy.require_uppercase()),
            field("password_policy.require_numbers", policy.require_numbers()),
            field("password_policy.require_symbols", policy.require_symbols()),
        ]);
    }
    for (trigger, _) in triggers.iter() {
        let arn = lambda.and_then(|l| match trigger {
            "pre_sign_up" => l.pre_sign_up(),
            "post_confirmation" => l.post_confirmation(),
            _ => l.custom_message(),
        });
        if let Some(arn) = arn {
            fields.push(field(&format!("triggers.{trigger}"), arn));
        }
    }
    fields
}

/// The pool settings the spec asks for.
fn desired_pool_fields(spec: &Spec, arns: &[(&'static str, String)]) -> Vec<(String, String)> {
    let pool = &spec.pool;
    let policy = &pool.password_policy;
    let mut fields = vec![
        field(
            "auto_verified_attributes",
            list(pool.auto_verified_attributes.iter().map(|a| a.as_aws())),
        ),
        field("mfa", pool.mfa.as_aws()),
        field("deletion_protection", pool.deletion_protection),
        field("password_policy.minimum_length", policy.minimum_length),
        field("password_policy.require_lowercase", policy.require_lowercase),
        field("password_policy.require_uppercase", policy.require_uppercase),
        field("password_policy.require_numbers", policy.require_numbers),
        field("password_policy.require_symbols", policy.require_symbols),
    ];
    fields.extend(
        arns.iter()
            .map(|(trigger, arn)| field(&format!("triggers.{trigger}"), arn)),
    );
    fields
}

fn observed_client_fields(client: &UserPoolClientType) -> Vec<(String, String)> {
    vec![
        field(
            "oauth_flows",
            list(client.allowed_o_auth_flows().iter().map(|f| f.as_str())),
        ),
        field("oauth_scopes", list(client.allowed_o_auth_scopes())),
        field("callback_urls", list(client.callback_urls())),
        field("logout_urls", list(client.logout_urls())),
        field("identity_providers", list(client.supported_identity_providers())),
        field(
            "explicit_auth_flows",
            list(client.explicit_auth_flows().iter().map(|f| f.as_str())),
        ),
        field(
            "oauth_enabled",
            client.allowed_o_auth_flows_user_pool_client().unwrap_or(false),
        ),
        field(
            "prevent_user_existence_errors",
            client
                .prevent_user_existence_errors()
                .is_some_and(|p| p.as_str() == "ENABLED"),
        ),
        field(
            "enable_token_revocation",
            client.enable_token_revocation().unwrap_or(false),
        ),
    ]
}

fn desired_client_fields(spec: &Spec) -> Vec<(String, String)> {
    let client = &spec.client;
    vec![
        field("oauth_flows", list(client.oauth_flows.iter().map(|f| f.as_aws()))),
        field("oauth_scopes", list(&client.oauth_scopes)),
        field("callback_urls", list(&client.callback_urls)),
        field("logout_urls", list(&client.logout_urls)),
        field("identity_providers", list(&client.identity_providers)),
        field("explicit_auth_flows", list(&client.explicit_auth_flows)),
        field("oauth_enabled", !client.oauth_flows.is_empty()),
        field("prevent_user_existence_errors", client.prevent_user_existence_errors),
        field("enable_token_revocation", client.enable_token_revocation),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        DeletionProtectionType, ExplicitAuthFlowsType, LambdaConfigType, OAuthFlowType, PasswordPolicyType,
        PreventUserExistenceErrorTypes, UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType,
        VerifiedAttributeType,
    };

    const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

    fn spec() -> Spec {
        crate::spec::parse("cognito.toml", "").unwrap().0
    }

    fn arn(name: &str) -> String {
        format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
    }

    fn policy_for(pool_arn: &str) -> String {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "cognito-idp-us-east-1_abc", "Effect": "Allow",
            "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": "x",
            "Condition": {"ArnLike": {"AWS:SourceArn": pool_arn}, "StringEquals": {"AWS:SourceAccount": "123456789012"}}
        }]})
        .to_string()
    }

    /// What AWS reports after the default spec was applied.
    fn converged() -> Observed {
        let pool = UserPoolType::builder()
            .id("us-east-1_abc")
            .arn(POOL_ARN)
            .name("toyseven-cognito")
            .username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .mfa_configuration(UserPoolMfaType::Off)
            .deletion_protection(DeletionProtectionType::Active)
            .domain("toyseven")
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(
                        PasswordPolicyType::builder()
                            .minimum_length(8)
                            .require_lowercase(true)
                            .require_uppercase(true)
                            .require_numbers(true)
                            .require_symbols(true)
                            .temporary_password_validity_days(7)
                            .build(),
                    )
                    .build(),
            )
            .lambda_config(
                LambdaConfigType::builder()
                    .pre_sign_up(arn("pre-signup"))
                    .post_confirmation(arn("post-confirmation"))
                    .custom_message(arn("custom-message"))
                    .build(),
            )
            .build();
        let client = UserPoolClientType::builder()
            .client_id("client1")
            .client_name("toyseven-web")
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .set_allowed_o_auth_scopes(Some(vec!["openid".into(), "email".into(), "profile".into()]))
            .callback_urls("http://localhost:3000")
            .logout_urls("http://localhost:3000")
            .supported_identity_providers("COGNITO")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .allowed_o_auth_flows_user_pool_client(true)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            .enable_token_revocation(true)
            .build();
        Observed {
            pool: Some(pool),
            client: Some(client),
            domain_owner: None,
            groups: vec!["members".into()],
            functions: ["pre-signup", "post-confirmation", "custom-message"]
                .map(|name| Function {
                    reference: name.into(),
                    arn: arn(name),
                    policy: Some(policy_for(POOL_ARN)),
                })
                .into(),
        }
    }

    #[test]
    fn an_empty_account_gets_everything_in_order() {
        let observed = Observed {
            functions: converged()
                .functions
                .into_iter()
                .map(|f| Function { policy: None, ..f })
                .collect(),
            ..Observed::default()
        };
        let plan = plan(&spec(), &observed, true).unwrap();
        let shown: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown[..4],
            [
                "create user pool \"toyseven-cognito\"",
                "create app client \"toyseven-web\"",
                "create hosted-UI domain \"toyseven\"",
                "create group \"members\"",
            ]
        );
        assert_eq!(shown.len(), 7, "and one permission per function: {shown:?}");
    }

    #[test]
    fn a_converged_account_needs_nothing() {
        let plan = plan(&spec(), &converged(), true).unwrap();
        assert!(plan.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.unchanged.len(), 7);
    }

    #[test]
    fn a_changed_field_is_one_field_change() {
        let mut spec = spec();
        spec.pool.password_policy.minimum_length = 12;
        spec.client.logout_urls.push("https://app.example.com/bye".into());
        let plan = plan(&spec, &converged(), true).unwrap();
        assert_eq!(
            plan.changes,
            [
                Change::UpdatePool {
                    id: "us-east-1_abc".into(),
                    fields: vec![FieldChange {
                        field: "password_policy.minimum_length".into(),
                        old: "8".into(),
                        new: "12".into()
                    }],
                },
                Change::UpdateClient {
                    id: "client1".into(),
                    fields: vec![FieldChange {
                        field: "logout_urls".into(),
                        old: "[http://localhost:3000]".into(),
                        new: "[http://localhost:3000, https://app.example.com/bye]".into()
                    }],
                },
            ]
        );
    }

    #[test]
    fn a_trigger_pointing_elsewhere_is_drift() {
        let mut observed = converged();
        let pool = observed.pool.as_mut().unwrap();
        pool.lambda_config = Some(LambdaConfigType::builder().pre_sign_up(arn("old")).build());
        let plan = plan(&spec(), &observed, true).unwrap();
        let Change::UpdatePool { fields, .. } = &plan.changes[0] else {
            panic!("{:?}", plan.changes)
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "triggers.pre_sign_up",
                "triggers.post_confirmation",
                "triggers.custom_message"
            ]
        );
        assert_eq!(fields[1].old, "(unset)");
    }

    #[test]
    fn fixed_settings_refuse_instead_of_replacing() {
        let mut spec = spec();
        spec.pool.username_attributes = vec![crate::spec::Attribute::PhoneNumber];
        let error = plan(&spec, &converged(), true).unwrap_err();
        assert!(matches!(error, PlanError::WouldReplacePool { .. }));
        assert!(error.to_string().contains("users would be lost"));

        let mut spec = crate::spec::parse("cognito.toml", "").unwrap().0;
        spec.client.generate_secret = true;
        assert!(matches!(
            plan(&spec, &converged(), true),
            Err(PlanError::WouldReplaceClient { .. })
        ));
    }

    #[test]
    fn domains() {
        let mut observed = converged();
        observed.pool.as_mut().unwrap().domain = Some("oldname".into());
        let plan_ = plan(&spec(), &observed, true).unwrap();
        assert_eq!(
            plan_.changes,
            [Change::ReplaceDomain {
                old: "oldname".into(),
                new: "toyseven".into()
            }]
        );

        let mut observed = converged();
        observed.pool.as_mut().unwrap().domain = None;
        observed.domain_owner = Some("us-east-1_other".into());
        assert!(matches!(
            plan(&spec(), &observed, true),
            Err(PlanError::DomainTaken { .. })
        ));
    }

    #[test]
    fn missing_groups_are_created() {
        let mut observed = converged();
        observed.groups.clear();
        assert_eq!(
            plan(&spec(), &observed, true).unwrap().changes,
            [Change::CreateGroup { name: "members".into() }]
        );
    }

    #[test]
    fn invoke_permissions_are_checked_statement_by_statement() {
        let mut observed = converged();
        observed.functions[0].policy = None;
        observed.functions[1].policy = Some(policy_for("arn:aws:cognito-idp:us-east-1:123456789012:userpool/other"));
        let changes = plan(&spec(), &observed, true).unwrap().changes;
        assert_eq!(
            changes,
            [
                Change::GrantInvoke {
                    function_arn: arn("post-confirmation"),
                    replace: true
                },
                Change::GrantInvoke {
                    function_arn: arn("pre-signup"),
                    replace: false
                },
            ]
        );
    }

    #[test]
    fn account_comes_from_the_pool_arn() {
        assert_eq!(account_of(POOL_ARN), Some("123456789012"));
        assert_eq!(account_of("nonsense"), None);
    }
}
