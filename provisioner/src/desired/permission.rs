//! The invoke permission each trigger function needs: a statement in the function's resource
//! policy that lets `cognito-idp.amazonaws.com` invoke it on behalf of one pool (its ARN) in
//! one account, and nothing else. Statement ids are `cognito-idp-<pool id>`, with `-2`,
//! `-3`... for a corrected statement, which is added before the wrong one is removed.

use aws_sdk_lambda::operation::add_permission::AddPermissionInput;
use aws_sdk_lambda::operation::remove_permission::RemovePermissionInput;
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

impl InvokePermission<'_> {
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

    pub fn add_request(&self, function_arn: &str, sid: &str) -> AddPermissionInput {
        AddPermissionInput::builder()
            .function_name(function_arn)
            .statement_id(sid)
            .action("lambda:InvokeFunction")
            .principal(PRINCIPAL)
            .source_arn(self.pool_arn)
            .set_source_account(self.account.map(str::to_owned))
            .build()
            .expect("the function and statement are set")
    }
}

pub fn remove_request(function: &str, sid: &str) -> RemovePermissionInput {
    RemovePermissionInput::builder()
        .function_name(function)
        .statement_id(sid)
        .build()
        .expect("the function and statement are set")
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
    fn no_policy_means_nothing_is_granted() {
        assert_eq!(permission().statements(None), Statements::default());
        assert_eq!(permission().free_id(&[]), "cognito-idp-us-east-1_abc");
    }
}
