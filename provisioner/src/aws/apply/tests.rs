//! What the plan carries is what reaches the wire: every member each planned request sets is
//! in the body `apply` sends, and nothing else is, but the provider's secret, read at send
//! time. The plan is examples/production.toml's on an empty account (every kind of change
//! but the updates, which the moto lifecycle tests send); the HTTP client is a fake that
//! records each request and answers the few members apply reads back.

use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::config as cognito_config;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use serde_json::{Value, json};

use super::*;
use crate::desired::SecretSource;
use crate::observed::{Function, Functions, Observed};
use crate::plan::{Options, plan};

const POOL_ID: &str = "us-east-1_wire";
const SECRET: &str = "the-google-client-secret";

/// One request as it reached the wire: its operation and its JSON body's members.
#[derive(Debug, Clone)]
struct Sent {
    operation: String,
    /// The URI path (Lambda's REST API puts the function's name there).
    path: String,
    body: Value,
}

/// The answer to `operation`: only what `apply` reads back.
fn answer(operation: &str) -> Value {
    match operation {
        "CreateUserPool" => json!({"UserPool": {
            "Id": POOL_ID,
            "Arn": format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}"),
        }}),
        "CreateUserPoolClient" => json!({"UserPoolClient": {"ClientId": "client-id"}}),
        "GetParameter" => json!({"Parameter": {"Name": "/toyseven/google", "Value": SECRET}}),
        _ => json!({}),
    }
}

fn recording_clients() -> (Clients, Arc<Mutex<Vec<Sent>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = sent.clone();
    let http = aws_smithy_http_client::test_util::infallible_client_fn(move |request| {
        let operation = match request.headers().get("x-amz-target") {
            // awsJson: `AWSCognitoIdentityProviderService.CreateUserPool`, `AmazonSSM.GetParameter`.
            Some(target) => target.to_str().unwrap().rsplit('.').next().unwrap().to_owned(),
            // Lambda's REST API: POST .../policy is AddPermission, DELETE .../policy/{sid} RemovePermission.
            None if request.method() == "POST" => "AddPermission".to_owned(),
            None => "RemovePermission".to_owned(),
        };
        let bytes = request.body().bytes().unwrap_or_default();
        let body = if bytes.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(bytes).unwrap()
        };
        let reply = answer(&operation).to_string();
        record.lock().unwrap().push(Sent {
            operation,
            path: request.uri().path().to_owned(),
            body,
        });
        let status = if request.method() == "POST" && request.headers().get("x-amz-target").is_none() {
            201
        } else {
            200
        };
        Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(reply))
            .try_into_http1x()
            .unwrap()
    });
    let config = aws_config::SdkConfig::builder()
        .behavior_version(cognito_config::BehaviorVersion::latest())
        .region(cognito_config::Region::new("us-east-1"))
        .credentials_provider(cognito_config::SharedCredentialsProvider::new(
            cognito_config::Credentials::new("key", "secret", None, None, "test"),
        ))
        .http_client(http)
        .build();
    (Clients::new(&config), sent)
}

/// The members a request builder sets, as its `{:#?}` lists them (one per line, indented
/// once), in the wire's spelling folded to compare: lower case, no underscores
/// (`callback_urls` and `CallbackURLs` are both `callbackurls`). A sensitive member shows
/// redacted whether set or not: it counts as unset, so one on the wire fails the comparison
/// (the plans here set none; a provider's secret is in its details, not a member of its own).
fn members_set(builder: &impl std::fmt::Debug) -> Vec<String> {
    let mut members: Vec<String> = format!("{builder:#?}")
        .lines()
        .filter_map(|line| {
            let member = line.strip_prefix("    ")?;
            let (name, value) = member.split_once(": ")?;
            let set = !name.starts_with(' ')
                && !value.starts_with("None")
                && !value.starts_with("\"*** Sensitive Data Redacted ***\"");
            set.then(|| fold(name))
        })
        .collect();
    members.sort();
    members
}

fn fold(name: &str) -> String {
    name.replace('_', "").to_ascii_lowercase()
}

fn members_sent(sent: &Sent) -> Vec<String> {
    let mut members: Vec<String> = sent.body.as_object().unwrap().keys().map(|k| fold(k)).collect();
    members.sort();
    members
}

/// The operation and the members each change's requests set, in the order they are sent.
fn planned(change: &Change) -> Vec<(&'static str, Vec<String>)> {
    match change {
        Change::AdoptPool { request, .. } => vec![("TagResource", members_set(request))],
        Change::CreatePool { request, .. } => vec![("CreateUserPool", members_set(request))],
        Change::AddCustomAttributes { request, .. } => vec![("AddCustomAttributes", members_set(request))],
        Change::SetMfa { request, .. } => vec![("SetUserPoolMfaConfig", members_set(request))],
        Change::SetLogDelivery { request, .. } => vec![("SetLogDeliveryConfiguration", members_set(request))],
        Change::SetRisk { request, .. } => vec![("SetRiskConfiguration", members_set(request))],
        Change::CreateResourceServer { request, .. } => vec![("CreateResourceServer", members_set(request))],
        Change::UpdateResourceServer { request, .. } => vec![("UpdateResourceServer", members_set(request))],
        Change::CreateIdentityProvider { request, .. } => {
            vec![
                ("GetParameter", vec![]),
                ("CreateIdentityProvider", members_set(request)),
            ]
        }
        Change::UpdateIdentityProvider { request, .. } => {
            vec![
                ("GetParameter", vec![]),
                ("UpdateIdentityProvider", members_set(request)),
            ]
        }
        Change::DeleteIdentityProvider { request, .. } => vec![("DeleteIdentityProvider", members_set(request))],
        Change::CreateClient { request, .. } => vec![("CreateUserPoolClient", members_set(request))],
        Change::UpdateClient { request, .. } => vec![("UpdateUserPoolClient", members_set(request))],
        Change::CreateBranding { request, .. } => vec![("CreateManagedLoginBranding", members_set(request))],
        Change::CreateDomain { request, .. } | Change::CreateCustomDomain { request, .. } => {
            vec![("CreateUserPoolDomain", members_set(request))]
        }
        Change::UpdateDomain { request, .. } | Change::UpdateCustomDomain { request, .. } => {
            vec![("UpdateUserPoolDomain", members_set(request))]
        }
        Change::ReplaceDomain { delete, create, .. } | Change::ReplaceCustomDomain { delete, create, .. } => vec![
            ("DeleteUserPoolDomain", members_set(delete)),
            ("CreateUserPoolDomain", members_set(create)),
        ],
        Change::CreateGroup { request, .. } => vec![("CreateGroup", members_set(request))],
        Change::UpdateGroup { request, .. } => vec![("UpdateGroup", members_set(request))],
        Change::Grant { request, .. } => {
            let mut members = members_set(request);
            if request.get_source_arn().as_deref() == Some(NEW_POOL_ARN) {
                // The pool this plan creates: apply names it, and its account, once it exists.
                members.push(fold("SourceAccount"));
                members.sort();
                members.dedup();
            }
            vec![("AddPermission", members)]
        }
        Change::UpdatePool { request, .. } => vec![("UpdateUserPool", members_set(request))],
        Change::Revoke { request, .. } => vec![("RemovePermission", members_set(request))],
    }
}

#[tokio::test]
async fn every_member_a_planned_request_sets_reaches_the_wire_and_nothing_else_does() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/production.toml")).unwrap();
    let (mut desired, _) = crate::spec::parse("production.toml", &text).unwrap();
    desired.identity_providers[0].secret = Some(SecretSource::Ssm("/toyseven/google".into()));
    let functions = desired
        .triggers
        .functions()
        .iter()
        .map(|reference| Function {
            reference: reference.to_string(),
            arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{reference}"),
            policy: None,
        })
        .collect();
    let observed = Observed {
        functions: Functions::Resolved(functions),
        ..Observed::default()
    };
    let plan = plan(&desired, &observed, Options::default()).unwrap();
    let (clients, sent) = recording_clients();
    apply(&clients, &plan).await.expect("the fake answers every request");

    let sent = sent.lock().unwrap().clone();
    let expected: Vec<(&str, Vec<String>)> = plan.changes.iter().flat_map(planned).collect();
    assert_eq!(
        sent.iter().map(|s| s.operation.as_str()).collect::<Vec<_>>(),
        expected.iter().map(|(operation, _)| *operation).collect::<Vec<_>>(),
        "one request per planned request, in the plan's order"
    );
    for (sent, (operation, planned)) in sent.iter().zip(&expected) {
        let mut wire = members_sent(sent);
        match *operation {
            // Read at send time: no member of the plan.
            "GetParameter" => continue,
            // Lambda's REST API carries the function's name in the path.
            "AddPermission" | "RemovePermission" => {
                assert!(sent.path.contains("/functions/"), "{}", sent.path);
                wire.push(fold("FunctionName"));
                wire.sort();
            }
            // The client id is a sensitive member (the builder hides it): the id of the client
            // this plan created goes in place of the plan's placeholder.
            "CreateManagedLoginBranding" => {
                let id = sent.body["ClientId"].as_str().unwrap_or_default();
                assert!(!id.is_empty() && id != crate::plan::NEW_CLIENT, "{:?}", sent.body);
                wire.retain(|member| member != "clientid");
            }
            _ => {}
        }
        assert_eq!(&wire, planned, "{operation}: the members sent are the members planned");
    }

    // The pool id of a pool the same plan creates is filled in; the secret joins the
    // provider's details on the wire only.
    let provider = sent.iter().find(|s| s.operation == "CreateIdentityProvider").unwrap();
    assert_eq!(provider.body["UserPoolId"], POOL_ID);
    assert_eq!(provider.body["ProviderDetails"]["client_secret"], SECRET);
    assert!(!format!("{plan:?}").contains(SECRET), "the plan never holds the secret");
    let pool_arn = format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}");
    for grant in sent.iter().filter(|s| s.operation == "AddPermission") {
        assert_eq!(grant.body["SourceArn"], pool_arn.as_str());
        assert_eq!(grant.body["SourceAccount"], "123456789012");
    }
    for request in sent.iter().filter(|s| s.body.get("UserPoolId").is_some()) {
        assert_eq!(request.body["UserPoolId"], POOL_ID, "{}", request.operation);
    }
}
