//! The invoke permission each trigger function needs: a statement in the function's resource
//! policy that lets `cognito-idp.amazonaws.com` invoke it on behalf of one pool (its ARN) in
//! one account, and nothing else. Statement ids are `cognito-idp-<pool id>`, with `-2`,
//! `-3`... for a corrected statement, which is added before the wrong one is removed.
//!
//! Two readings of a policy live here: [`InvokePermission::statements`] asks whether this
//! project's exact statement, or the console's (the pool's ARN alone), is there (what `apply`
//! manages); [`InvokePermission::grant`]
//! asks whether Cognito can invoke the function for this pool at all, whoever wrote the
//! statement (what `doctor` reports).

use aws_sdk_lambda::operation::add_permission::{AddPermissionInput, builders::AddPermissionInputBuilder};
use aws_sdk_lambda::operation::remove_permission::{RemovePermissionInput, builders::RemovePermissionInputBuilder};
use serde_json::Value;

pub const PRINCIPAL: &str = "cognito-idp.amazonaws.com";

/// The statement letting `pool_arn` invoke a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokePermission<'a> {
    pub pool_id: &'a str,
    pub pool_arn: &'a str,
    /// From the pool's ARN.
    pub account: Option<&'a str>,
}

/// What a function's policy says about one pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statements {
    /// A statement that is exactly right exists.
    pub correct: bool,
    /// This project's statements for the pool that are not right.
    pub wrong: Vec<String>,
    /// Every statement id of this project's for the pool.
    pub ours: Vec<String>,
}

/// Whether a function's policy lets Cognito invoke it for one pool, by any statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A statement allows it for this pool's ARN only.
    Scoped,
    /// Allowed, but a statement (its id) also lets other pools, perhaps in other accounts,
    /// have Cognito invoke the function: no `AWS:SourceArn` naming this pool alone.
    Broad(String),
    /// A statement (its id) may allow it under conditions this reading does not evaluate.
    Unclear(String),
    /// No statement allows it: Cognito's invocation is refused.
    Missing,
}

/// What one statement says about this pool.
enum Applies {
    No,
    Scoped,
    Broad,
    Unclear,
}

/// An IAM pattern (`*` any run of characters, `?` one) against a value. Actions compare
/// without case, ARNs with it.
pub fn pattern_matches(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let fold = |text: &str| -> Vec<char> {
        if ignore_case {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        }
    };
    let (pattern, value) = (fold(pattern), fold(value));
    // Iterative wildcard matching: on a mismatch, let the last `*` swallow one more character.
    let (mut p, mut v, mut star, mut resume) = (0, 0, None, 0);
    while v < value.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some(p);
                resume = v;
                p += 1;
            }
            Some(c) if *c == '?' || *c == value[v] => {
                p += 1;
                v += 1;
            }
            Some(_) | None => match star {
                Some(s) => {
                    p = s + 1;
                    resume += 1;
                    v = resume;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A policy element that is a string or a list of strings, as a list.
pub fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Object(_) => Vec::new(),
    }
}

impl InvokePermission<'_> {
    /// Whether Cognito may invoke the function for this pool, by any statement of its policy.
    /// Allow statements only: Lambda resource policies with Deny statements are rare, and the
    /// provisioner writes none.
    pub fn grant(&self, policy: Option<&str>) -> Grant {
        let policy: Value = policy.and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
        let statements = match &policy["Statement"] {
            Value::Array(many) => many.iter().collect(),
            one @ Value::Object(_) => vec![one],
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => Vec::new(),
        };
        let (mut scoped, mut broad, mut unclear) = (false, None, None);
        for statement in statements {
            let sid = || statement["Sid"].as_str().unwrap_or("(no Sid)").to_owned();
            match self.applies(statement) {
                Applies::Scoped => scoped = true,
                Applies::Broad => broad = broad.or_else(|| Some(sid())),
                Applies::Unclear => unclear = unclear.or_else(|| Some(sid())),
                Applies::No => {}
            }
        }
        // A broad statement lets other pools in even beside a scoped one.
        match (broad, scoped, unclear) {
            (Some(sid), _, _) => Grant::Broad(sid),
            (None, true, _) => Grant::Scoped,
            (None, false, Some(sid)) => Grant::Unclear(sid),
            (None, false, None) => Grant::Missing,
        }
    }

    fn applies(&self, statement: &Value) -> Applies {
        let principal = &statement["Principal"];
        let cognito =
            principal == "*" || principal["AWS"] == "*" || strings(&principal["Service"]).contains(&PRINCIPAL);
        let invokes = strings(&statement["Action"])
            .iter()
            .any(|a| pattern_matches(a, "lambda:InvokeFunction", true));
        if statement["Effect"] != "Allow" || !cognito || !invokes {
            return Applies::No;
        }
        let Some(conditions) = statement["Condition"].as_object() else {
            return Applies::Broad;
        };
        let mut scoped = false;
        let mut unclear = false;
        for (operator, keys) in conditions {
            for (key, values) in keys.as_object().into_iter().flatten() {
                let values = strings(values);
                let like = matches!(operator.as_str(), "ArnLike" | "StringLike");
                let equals = matches!(operator.as_str(), "ArnEquals" | "StringEquals");
                let matches = |wanted: &str| {
                    values.iter().any(|v| {
                        if like {
                            pattern_matches(v, wanted, false)
                        } else {
                            *v == wanted
                        }
                    })
                };
                match key.to_ascii_lowercase().as_str() {
                    "aws:sourcearn" if like || equals => {
                        if !matches(self.pool_arn) {
                            return Applies::No;
                        }
                        // A pattern such as `userpool/*` lets other pools in too.
                        scoped |= values.iter().all(|v| *v == self.pool_arn);
                    }
                    "aws:sourceaccount" if like || equals => match self.account {
                        Some(account) if !matches(account) => return Applies::No,
                        Some(_) => {}
                        None => unclear = true,
                    },
                    _ => unclear = true,
                }
            }
        }
        match (unclear, scoped) {
            (true, _) => Applies::Unclear,
            (false, true) => Applies::Scoped,
            (false, false) => Applies::Broad,
        }
    }

    fn base_id(&self) -> String {
        format!("cognito-idp-{}", self.pool_id)
    }

    fn is_ours(&self, sid: &str) -> bool {
        let base = self.base_id();
        sid == base
            || sid
                .strip_prefix(&base)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| n.parse::<u32>().is_ok())
    }

    /// Reads a function's resource policy (GetPolicy's JSON; `None` when it has none).
    pub fn statements(&self, policy: Option<&str>) -> Statements {
        let policy: Value = policy.and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
        let mut found = Statements::default();
        for statement in policy["Statement"].as_array().into_iter().flatten() {
            let sid = statement["Sid"].as_str().unwrap_or_default();
            let right = self.is_right(statement);
            found.correct |= right;
            if self.is_ours(sid) {
                found.ours.push(sid.to_owned());
                if !right {
                    found.wrong.push(sid.to_owned());
                }
            }
        }
        found
    }

    /// Scoped to this pool and account. The console's statement (`CSI_<trigger>_...`) names
    /// only the pool's ARN, which names the account too, so a statement without
    /// `AWS:SourceAccount` is right; one naming another account is not.
    fn is_right(&self, statement: &Value) -> bool {
        let condition = &statement["Condition"];
        let source_account = &condition["StringEquals"]["AWS:SourceAccount"];
        statement["Effect"] == "Allow"
            && statement["Principal"]["Service"] == PRINCIPAL
            && statement["Action"] == "lambda:InvokeFunction"
            && condition["ArnLike"]["AWS:SourceArn"] == self.pool_arn
            && self
                .account
                .is_none_or(|account| source_account.is_null() || source_account == account)
    }

    /// A statement id no statement of `taken` uses.
    pub fn free_id(&self, taken: &[String]) -> String {
        let base = self.base_id();
        (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|sid| !taken.contains(sid))
            .expect("a free statement id")
    }

    pub fn add_request(&self, function_arn: &str, sid: &str) -> AddPermissionInputBuilder {
        AddPermissionInput::builder()
            .function_name(function_arn)
            .statement_id(sid)
            .action("lambda:InvokeFunction")
            .principal(PRINCIPAL)
            .source_arn(self.pool_arn)
            .set_source_account(self.account.map(str::to_owned))
    }
}

pub fn remove_request(function: &str, sid: &str) -> RemovePermissionInputBuilder {
    RemovePermissionInput::builder()
        .function_name(function)
        .statement_id(sid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL_ARN: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc";

    fn permission() -> InvokePermission<'static> {
        InvokePermission {
            pool_id: "us-east-1_abc",
            pool_arn: POOL_ARN,
            account: Some("123456789012"),
        }
    }

    fn statement(sid: &str, pool_arn: &str) -> Value {
        serde_json::json!({
            "Sid": sid, "Effect": "Allow",
            "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Condition": {"ArnLike": {"AWS:SourceArn": pool_arn}, "StringEquals": {"AWS:SourceAccount": "123456789012"}}
        })
    }

    fn policy(statements: &[Value]) -> String {
        serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    }

    #[test]
    fn a_right_statement_is_found_whatever_its_id() {
        let found = permission().statements(Some(&policy(&[statement("by-hand", POOL_ARN)])));
        assert!(found.correct);
        assert!(found.ours.is_empty());
    }

    #[test]
    fn our_wrong_statements_are_listed_and_the_next_id_is_free() {
        let other = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/other";
        let found = permission().statements(Some(&policy(&[
            statement("cognito-idp-us-east-1_abc", other),
            statement("cognito-idp-us-east-1_abcd", POOL_ARN.replace("_abc", "_abcd").as_str()),
            statement("unrelated", other),
        ])));
        assert!(!found.correct);
        assert_eq!(found.wrong, ["cognito-idp-us-east-1_abc"]);
        assert_eq!(permission().free_id(&found.ours), "cognito-idp-us-east-1_abc-2");
    }

    #[test]
    fn the_consoles_statement_naming_only_the_pool_is_right_and_another_account_is_not() {
        let mut console = statement("CSI_PreSignUp_us-east-1abc_CSI_PreSignUp", POOL_ARN);
        console["Condition"] = serde_json::json!({"ArnLike": {"AWS:SourceArn": POOL_ARN}});
        assert!(permission().statements(Some(&policy(&[console]))).correct);

        let mut elsewhere = statement("by-hand", POOL_ARN);
        elsewhere["Condition"]["StringEquals"]["AWS:SourceAccount"] = "999999999999".into();
        assert!(!permission().statements(Some(&policy(&[elsewhere]))).correct);
    }

    #[test]
    fn the_grant_is_scoped_by_any_statement_naming_the_pool() {
        assert_eq!(
            permission().grant(Some(&policy(&[statement("by-hand", POOL_ARN)]))),
            Grant::Scoped
        );
        // As the console writes it: the pool's ARN alone, which names the account too.
        let mut console = statement("console", POOL_ARN);
        console["Condition"] = serde_json::json!({"ArnLike": {"AWS:SourceArn": POOL_ARN}});
        console["Principal"]["Service"] = serde_json::json!(["cognito-idp.amazonaws.com"]);
        assert_eq!(permission().grant(Some(&policy(&[console]))), Grant::Scoped);
    }

    #[test]
    fn a_grant_without_the_pools_arn_is_broad_and_another_pools_is_missing() {
        let mut open = statement("open", POOL_ARN);
        open.as_object_mut().unwrap().remove("Condition");
        assert_eq!(permission().grant(Some(&policy(&[open]))), Grant::Broad("open".into()));
        let mut any_pool = statement("any-pool", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/*");
        any_pool["Action"] = serde_json::json!("lambda:*");
        assert_eq!(
            permission().grant(Some(&policy(&[any_pool]))),
            Grant::Broad("any-pool".into())
        );
        let other = statement("other", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/other");
        assert_eq!(permission().grant(Some(&policy(&[other]))), Grant::Missing);
        let mut other_account = statement("elsewhere", POOL_ARN);
        other_account["Condition"]["StringEquals"]["AWS:SourceAccount"] = "210987654321".into();
        assert_eq!(permission().grant(Some(&policy(&[other_account]))), Grant::Missing);
        let mut denied = statement("deny", POOL_ARN);
        denied["Effect"] = "Deny".into();
        assert_eq!(permission().grant(Some(&policy(&[denied]))), Grant::Missing);
        assert_eq!(permission().grant(None), Grant::Missing);
    }

    #[test]
    fn a_grant_under_a_condition_not_evaluated_is_unclear() {
        let mut org = statement("org", POOL_ARN);
        org["Condition"]["StringEquals"]["aws:PrincipalOrgID"] = "o-abc".into();
        assert_eq!(permission().grant(Some(&policy(&[org]))), Grant::Unclear("org".into()));
    }

    #[test]
    fn patterns_match_like_iam() {
        assert!(pattern_matches("lambda:*", "lambda:InvokeFunction", true));
        assert!(pattern_matches("Lambda:invoke*", "lambda:InvokeFunction", true));
        assert!(pattern_matches("*", "anything", false));
        assert!(pattern_matches("a?c*e", "abcde", false));
        assert!(pattern_matches(
            "arn:*:userpool/*",
            "arn:aws:cognito-idp:r:1:userpool/p",
            false
        ));
        assert!(!pattern_matches(
            "arn:*:userpool/x",
            "arn:aws:cognito-idp:r:1:userpool/p",
            false
        ));
        assert!(!pattern_matches("userpool/P", "userpool/p", false));
        assert!(!pattern_matches("lambda:Get*", "lambda:InvokeFunction", true));
        assert!(!pattern_matches("", "x", false));
        assert!(pattern_matches("", "", false));
    }

    #[test]
    fn no_policy_means_nothing_is_granted() {
        assert_eq!(permission().statements(None), Statements::default());
        assert_eq!(permission().free_id(&[]), "cognito-idp-us-east-1_abc");
    }
}
