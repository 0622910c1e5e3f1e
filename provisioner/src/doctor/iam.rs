//! Whether a role's IAM policies allow one action on one resource, as far as reading the
//! documents can tell: the identity policies (inline and attached) and the permissions
//! boundary, each a JSON policy document.
//!
//! Evaluated: Allow and Deny statements; `Action`/`NotAction` (without case) and
//! `Resource`/`NotResource` (with case), with `*` and `?` wildcards. An explicit Deny wins;
//! with a boundary, both the identity policies and the boundary must allow.
//!
//! Not evaluated, so the answer is "cannot tell" where they could change it: `Condition`
//! blocks (an Allow or a Deny under a condition), policy variables in resources
//! (`${aws:username}`). Not read at all: an organization's service and resource control
//! policies and session policies, which can only take permissions away; an "allowed" here
//! is "allowed unless one of those denies it".

use serde_json::Value;

use crate::desired::permission::{pattern_matches, strings};

/// A policy document and the name it is shown by.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Why not.
    Denied(String),
    /// What could not be evaluated.
    CannotTell(String),
}

/// Whether `identity` (with `boundary`, when the role has one) allows `action` on `resource`.
pub fn evaluate(identity: &[Policy], boundary: Option<&Policy>, action: &str, resource: &str) -> Verdict {
    let verdict = evaluate_set(identity, action, resource);
    let Some(boundary) = boundary else {
        return verdict;
    };
    match (verdict, evaluate_set(std::slice::from_ref(boundary), action, resource)) {
        (Verdict::Denied(why), _) => Verdict::Denied(why),
        (_, Verdict::Denied(why)) => Verdict::Denied(format!("its permissions boundary {}: {why}", boundary.name)),
        (Verdict::CannotTell(why), _) => Verdict::CannotTell(why),
        (_, Verdict::CannotTell(why)) => {
            Verdict::CannotTell(format!("its permissions boundary {}: {why}", boundary.name))
        }
        (Verdict::Allowed, Verdict::Allowed) => Verdict::Allowed,
    }
}

/// Whether a statement is about `action` on `resource`.
enum Covers {
    Yes,
    No,
    /// Its resource holds a policy variable.
    Unknown,
}

fn evaluate_set(policies: &[Policy], action: &str, resource: &str) -> Verdict {
    let (mut allowed, mut maybe_allowed, mut maybe_denied) = (false, None, None);
    for policy in policies {
        for (index, statement) in statements(&policy.document).into_iter().enumerate() {
            let name = match statement["Sid"].as_str().filter(|s| !s.is_empty()) {
                Some(sid) => format!("statement {sid:?} of policy {}", policy.name),
                None => format!("statement {} of policy {}", index + 1, policy.name),
            };
            let conditional = statement.get("Condition").is_some_and(|c| !c.is_null());
            let deny = statement["Effect"] == "Deny";
            match covers(statement, action, resource) {
                Covers::No => {}
                Covers::Unknown if deny => {
                    maybe_denied.get_or_insert(format!("{name} denies a resource with a policy variable"));
                }
                Covers::Unknown => {
                    maybe_allowed.get_or_insert(format!("{name} allows a resource with a policy variable"));
                }
                Covers::Yes if deny && !conditional => return Verdict::Denied(format!("{name} denies it")),
                Covers::Yes if deny => {
                    maybe_denied.get_or_insert(format!("{name} denies it under a condition"));
                }
                Covers::Yes if statement["Effect"] != "Allow" => {}
                Covers::Yes if conditional => {
                    maybe_allowed.get_or_insert(format!("{name} allows it only under a condition"));
                }
                Covers::Yes => allowed = true,
            }
        }
    }
    match (maybe_denied, allowed, maybe_allowed) {
        (Some(why), _, _) => Verdict::CannotTell(why),
        (None, true, _) => Verdict::Allowed,
        (None, false, Some(why)) => Verdict::CannotTell(why),
        (None, false, None) => Verdict::Denied("no statement allows it".into()),
    }
}

fn statements(document: &Value) -> Vec<&Value> {
    match &document["Statement"] {
        Value::Array(many) => many.iter().collect(),
        one @ Value::Object(_) => vec![one],
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => Vec::new(),
    }
}

fn covers(statement: &Value, action: &str, resource: &str) -> Covers {
    let any_action = |key: &str| {
        strings(&statement[key])
            .iter()
            .any(|p| pattern_matches(p, action, true))
    };
    let action_covered = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(_), _) => any_action("Action"),
        (None, Some(_)) => !any_action("NotAction"),
        (None, None) => false,
    };
    if !action_covered {
        return Covers::No;
    }
    let (key, inverted) = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(_), _) => ("Resource", false),
        (None, Some(_)) => ("NotResource", true),
        (None, None) => return Covers::No,
    };
    let patterns = strings(&statement[key]);
    if patterns.iter().any(|p| p.contains("${")) {
        return Covers::Unknown;
    }
    let matched = patterns.iter().any(|p| pattern_matches(p, resource, false));
    if matched != inverted { Covers::Yes } else { Covers::No }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ACTION: &str = "cognito-idp:AdminAddUserToGroup";
    const POOL: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

    fn policy(name: &str, statements: Value) -> Policy {
        Policy {
            name: name.into(),
            document: json!({"Version": "2012-10-17", "Statement": statements}),
        }
    }

    fn allow(action: &str, resource: &str) -> Value {
        json!({"Effect": "Allow", "Action": action, "Resource": resource})
    }

    fn verdict(policies: &[Policy]) -> Verdict {
        evaluate(policies, None, ACTION, POOL)
    }

    #[test]
    fn an_allow_on_the_pool_or_a_wildcard_allows() {
        for (action, resource) in [
            (ACTION, POOL),
            ("cognito-idp:*", POOL),
            ("cognito-idp:adminadd*", "arn:aws:cognito-idp:*:*:userpool/*"),
            ("*", "*"),
        ] {
            assert_eq!(
                verdict(&[policy("p", json!([allow(action, resource)]))]),
                Verdict::Allowed,
                "{action} on {resource}"
            );
        }
        // A single statement object and lists of actions and resources read alike.
        let single = Policy {
            name: "p".into(),
            document: json!({"Statement": {"Effect": "Allow", "Action": ["logs:*", ACTION], "Resource": ["x", POOL]}}),
        };
        assert_eq!(verdict(&[single]), Verdict::Allowed);
    }

    #[test]
    fn no_allow_for_the_action_or_the_pool_is_denied() {
        for (action, resource) in [
            ("cognito-idp:AdminRemoveUserFromGroup", POOL),
            (
                ACTION,
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_other",
            ),
            (
                ACTION,
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/US-EAST-1_ABC",
            ),
        ] {
            assert_eq!(
                verdict(&[policy("p", json!([allow(action, resource)]))]),
                Verdict::Denied("no statement allows it".into()),
                "{action} on {resource}"
            );
        }
        assert_eq!(verdict(&[]), Verdict::Denied("no statement allows it".into()));
    }

    #[test]
    fn an_explicit_deny_wins_and_a_conditional_one_cannot_be_told() {
        let deny = json!({"Sid": "NoGroups", "Effect": "Deny", "Action": "cognito-idp:Admin*", "Resource": "*"});
        assert_eq!(
            verdict(&[policy("p", json!([allow("*", "*"), deny]))]),
            Verdict::Denied("statement \"NoGroups\" of policy p denies it".into())
        );
        let mut conditional = deny.clone();
        conditional["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}});
        assert!(matches!(
            verdict(&[policy("p", json!([allow("*", "*"), conditional]))]),
            Verdict::CannotTell(_)
        ));
    }

    #[test]
    fn a_conditional_allow_cannot_be_told_unless_another_allows() {
        let mut conditional = allow(ACTION, POOL);
        conditional["Condition"] = json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}});
        assert_eq!(
            verdict(&[policy("p", json!([conditional.clone()]))]),
            Verdict::CannotTell("statement 1 of policy p allows it only under a condition".into())
        );
        assert_eq!(
            verdict(&[
                policy("p", json!([conditional])),
                policy("q", json!([allow(ACTION, "*")]))
            ]),
            Verdict::Allowed
        );
        let variable = allow(ACTION, "arn:aws:cognito-idp:*:*:userpool/${aws:PrincipalTag/pool}");
        assert!(matches!(
            verdict(&[policy("p", json!([variable]))]),
            Verdict::CannotTell(_)
        ));
    }

    #[test]
    fn not_action_and_not_resource_are_read_inverted() {
        let everything_but_iam = json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"});
        assert_eq!(verdict(&[policy("p", json!([everything_but_iam]))]), Verdict::Allowed);
        let all_but_cognito = json!({"Effect": "Allow", "NotAction": "cognito-idp:*", "Resource": "*"});
        assert!(matches!(
            verdict(&[policy("p", json!([all_but_cognito]))]),
            Verdict::Denied(_)
        ));
        let all_but_this_pool = json!({"Effect": "Allow", "Action": "*", "NotResource": POOL});
        assert!(matches!(
            verdict(&[policy("p", json!([all_but_this_pool]))]),
            Verdict::Denied(_)
        ));
    }

    #[test]
    fn a_permissions_boundary_must_allow_too() {
        let identity = [policy("p", json!([allow(ACTION, POOL)]))];
        let logs_only = policy("boundary", json!([allow("logs:*", "*")]));
        assert_eq!(
            evaluate(&identity, Some(&logs_only), ACTION, POOL),
            Verdict::Denied("its permissions boundary boundary: no statement allows it".into())
        );
        let wide = policy("boundary", json!([allow("cognito-idp:*", "*")]));
        assert_eq!(evaluate(&identity, Some(&wide), ACTION, POOL), Verdict::Allowed);
        assert!(matches!(evaluate(&[], Some(&wide), ACTION, POOL), Verdict::Denied(_)));
    }
}
