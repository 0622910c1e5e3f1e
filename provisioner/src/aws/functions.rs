//! The trigger functions as Lambda reports them, read-only: each function the spec wires
//! (GetFunction), the ARN Cognito invokes for it (qualified when the spec names a version or
//! alias), and that ARN's resource policy (GetPolicy). `observe` resolves the spec's; `doctor`
//! reads the pool's.

use aws_sdk_lambda::operation::get_function::GetFunctionError;
use aws_sdk_lambda::operation::get_policy::GetPolicyError;
use aws_sdk_lambda::types::FunctionConfiguration;

use super::{AwsError, Clients, call_error};
use crate::desired::Desired;
use crate::observed::{Function, Functions};

/// Resolves every trigger's function (GetFunction) and reads its policy (GetPolicy). A
/// missing function is an error naming it, before any write.
pub(super) async fn resolve_functions(clients: &Clients, desired: &Desired) -> Result<Functions, AwsError> {
    let Some(lambda) = &clients.lambda else {
        return Ok(Functions::Unresolved);
    };
    let mut functions: Vec<Function> = Vec::new();
    for (trigger, wired) in &desired.triggers.wired {
        let reference = wired.function.as_str();
        if functions.iter().any(|f| f.reference == reference) {
            continue;
        }
        let Some((function, _)) = read_function(lambda, reference).await? else {
            return Err(AwsError::MissingFunction {
                trigger: trigger.to_string(),
                function: reference.to_owned(),
            });
        };
        functions.push(function);
    }
    Ok(Functions::Resolved(functions))
}

/// A function as Lambda reports it (GetFunction, then GetPolicy), with its configuration;
/// `None` when it does not exist.
pub(super) async fn read_function(
    lambda: &aws_sdk_lambda::Client,
    reference: &str,
) -> Result<Option<(Function, FunctionConfiguration)>, AwsError> {
    let Some((arn, configuration)) = describe_function(lambda, reference).await? else {
        return Ok(None);
    };
    let policy = read_policy(lambda, &arn).await?;
    let function = Function {
        reference: reference.to_owned(),
        arn,
        policy,
    };
    Ok(Some((function, configuration)))
}

/// GetFunction: the ARN Cognito invokes for `reference`, and the function's configuration;
/// `None` when it does not exist.
pub(super) async fn describe_function(
    lambda: &aws_sdk_lambda::Client,
    reference: &str,
) -> Result<Option<(String, FunctionConfiguration)>, AwsError> {
    let output = match lambda.get_function().function_name(reference).send().await {
        Ok(output) => output,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetFunctionError::is_resource_not_found_exception) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(call_error("GetFunction")(error)),
    };
    let configuration = output.configuration.ok_or_else(|| AwsError::Call {
        operation: "GetFunction",
        message: format!("no configuration for {reference}"),
    })?;
    // What Cognito invokes is what the spec names: a name means the function itself
    // (unqualified); an ARN with a version or alias keeps it, and that qualifier has its own
    // resource policy, so the permission is read and granted there.
    let arn = configuration
        .function_arn()
        .map(|described| match qualifier(reference) {
            Some(qualifier) => format!("{}:{qualifier}", unqualified(described)),
            None => unqualified(described),
        })
        .ok_or_else(|| AwsError::Call {
            operation: "GetFunction",
            message: format!("no ARN for {reference}"),
        })?;
    Ok(Some((arn, configuration)))
}

/// The resource policy of a function, or of one version or alias when `function` is
/// qualified (each has its own); `None` when it has none.
pub(super) async fn read_policy(lambda: &aws_sdk_lambda::Client, function: &str) -> Result<Option<String>, AwsError> {
    match lambda.get_policy().function_name(function).send().await {
        Ok(output) => Ok(output.policy),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetPolicyError::is_resource_not_found_exception) =>
        {
            Ok(None)
        }
        Err(error) => Err(call_error("GetPolicy")(error)),
    }
}

/// A function ARN without a version or alias qualifier.
fn unqualified(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

/// The version or alias of a function ARN (`arn:aws:lambda:<region>:<account>:function:<name>:<qualifier>`).
fn qualifier(reference: &str) -> Option<&str> {
    reference
        .strip_prefix("arn:")
        .and_then(|_| reference.split(':').nth(7))
        .filter(|q| !q.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qualified_arn_keeps_its_qualifier_and_a_name_is_unqualified() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-signup";
        assert_eq!(qualifier(&format!("{arn}:live")), Some("live"));
        assert_eq!(qualifier(arn), None);
        assert_eq!(qualifier("pre-signup"), None);
        assert_eq!(unqualified(&format!("{arn}:7")), arn);
    }
}
