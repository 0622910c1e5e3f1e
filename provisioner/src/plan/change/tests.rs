//! The plan as people and machines read it: Terraform's markers in text, the JSON document's
//! actions, resources and fields, and secrets redacted in both.

use aws_sdk_cognitoidentityprovider::operation::create_identity_provider::CreateIdentityProviderInput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::CreateUserPoolClientInput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_domain::CreateUserPoolDomainInput;
use aws_sdk_cognitoidentityprovider::operation::delete_user_pool_domain::DeleteUserPoolDomainInput;
use aws_sdk_cognitoidentityprovider::operation::update_identity_provider::UpdateIdentityProviderInput;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolInput;
use aws_sdk_lambda::operation::remove_permission::RemovePermissionInput;
use serde_json::json;

use super::*;

const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-signup";

fn create() -> Change {
    Change::CreateClient {
        name: "web".into(),
        fields: created(vec![
            ("callback_urls".into(), "[http://localhost:3000/callback]".into()),
            ("generate_secret".into(), "false".into()),
        ]),
        request: Box::new(CreateUserPoolClientInput::builder()),
    }
}

fn update() -> Change {
    Change::UpdatePool {
        pool: "us-east-1_abc".into(),
        fields: vec![
            FieldChange::new("password_policy.minimum_length", "8", "12"),
            FieldChange::new("mfa", "OFF", "OPTIONAL"),
            FieldChange::new("triggers.pre_sign_up", UNSET, FUNCTION),
        ],
        request: Box::new(UpdateUserPoolInput::builder()),
    }
}

fn replace() -> Change {
    Change::ReplaceDomain {
        old: "toyseven".into(),
        new: "toyseven-2".into(),
        delete: DeleteUserPoolDomainInput::builder(),
        create: CreateUserPoolDomainInput::builder(),
    }
}

fn delete() -> Change {
    Change::Revoke {
        function_arn: FUNCTION.into(),
        statement_id: "cognito-idp-old".into(),
        request: RemovePermissionInput::builder(),
    }
}

fn secret_source() -> crate::desired::SecretSource {
    crate::desired::SecretSource::Env("GOOGLE_CLIENT_SECRET".into())
}

fn lines(change: &Change) -> Vec<String> {
    change.to_string().lines().map(str::to_owned).collect()
}

#[test]
fn a_create_is_marked_plus_and_lists_no_fields_in_text() {
    assert_eq!(lines(&create()), ["+ create app client \"web\""]);
}

#[test]
fn an_update_is_marked_tilde_with_every_changed_field_old_to_new() {
    assert_eq!(
        lines(&update()),
        [
            "~ update user pool us-east-1_abc",
            "    password_policy.minimum_length: 8 -> 12",
            "    mfa: OFF -> OPTIONAL",
            &format!("    triggers.pre_sign_up: (unset) -> {FUNCTION}"),
        ]
    );
}

#[test]
fn a_replace_is_marked_minus_slash_plus_and_a_delete_minus() {
    let replaced = lines(&replace());
    assert!(
        replaced[0].starts_with("-/+ replace hosted-UI domain \"toyseven\" with \"toyseven-2\""),
        "{replaced:?}"
    );
    assert_eq!(replaced[1], "    prefix: toyseven -> toyseven-2");
    assert_eq!(
        lines(&delete()),
        [format!(
            "- remove the wrong invoke permission cognito-idp-old from {FUNCTION}"
        )]
    );
}

#[test]
fn only_replacements_and_deletions_are_destructive() {
    let plan = Plan {
        changes: vec![create(), update(), replace(), delete()],
        unchanged: Vec::new(),
    };
    let destructive: Vec<Action> = plan.destructive().iter().map(|c| c.action()).collect();
    assert_eq!(destructive, [Action::Replace, Action::Delete]);
}

#[test]
fn the_json_document_has_each_action_its_resource_and_its_fields() {
    let plan = Plan {
        changes: vec![create(), update(), replace(), delete()],
        unchanged: vec![Resource::named(Kind::Group, "members")],
    };
    let document = plan.to_json();
    assert_eq!(document["format_version"], 1);
    let changes = document["changes"].as_array().unwrap();
    let actions: Vec<&str> = changes.iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "replace", "delete"]);

    assert_eq!(changes[0]["resource"], json!({"kind": "app_client", "name": "web"}));
    assert_eq!(
        changes[0]["fields"][0],
        json!({"name": "callback_urls", "old": null, "new": "[http://localhost:3000/callback]"})
    );
    assert_eq!(
        changes[1]["resource"],
        json!({"kind": "user_pool", "id": "us-east-1_abc"})
    );
    assert_eq!(
        changes[1]["fields"],
        json!([
            {"name": "password_policy.minimum_length", "old": "8", "new": "12"},
            {"name": "mfa", "old": "OFF", "new": "OPTIONAL"},
            {"name": "triggers.pre_sign_up", "old": null, "new": FUNCTION},
        ])
    );
    assert_eq!(
        changes[2]["fields"],
        json!([{"name": "prefix", "old": "toyseven", "new": "toyseven-2"}])
    );
    assert_eq!(
        changes[3]["resource"],
        json!({"kind": "invoke_permission", "name": FUNCTION, "id": "cognito-idp-old"})
    );
    assert_eq!(
        changes[3]["fields"],
        json!([{"name": "statement_id", "old": "cognito-idp-old", "new": null}])
    );
    assert!(changes[2]["description"].as_str().unwrap().contains("unavailable"));
    assert_eq!(document["unchanged"], json!([{"kind": "group", "name": "members"}]));
}

#[test]
fn a_secret_is_sensitive_in_text_and_redacted_in_json() {
    let updated = Change::UpdateIdentityProvider {
        name: "Google".into(),
        fields: vec![
            FieldChange::new("client_id", "1234", "5678"),
            FieldChange::secret("client_secret", "(differs)", &secret_source()),
        ],
        request: UpdateIdentityProviderInput::builder(),
        secret: None,
    };
    assert_eq!(
        lines(&updated)[2],
        "    client_secret: (differs) -> (from the environment variable GOOGLE_CLIENT_SECRET) (sensitive)"
    );
    let document = updated.to_json();
    assert_eq!(
        document["fields"],
        json!([
            {"name": "client_id", "old": "1234", "new": "5678"},
            {"name": "client_secret", "old": "(sensitive)", "new": "(sensitive)"},
        ])
    );

    // A created provider's secret: no old value, and the new one redacted.
    let created_provider = Change::CreateIdentityProvider {
        name: "Google".into(),
        fields: vec![FieldChange::secret("client_secret", UNSET, &secret_source())],
        request: CreateIdentityProviderInput::builder(),
        secret: None,
    };
    assert_eq!(
        created_provider.to_json()["fields"],
        json!([{"name": "client_secret", "old": null, "new": "(sensitive)"}])
    );
    assert!(!created_provider.to_json().to_string().contains("GOOGLE_CLIENT_SECRET"));
}

#[test]
fn a_sensitive_field_built_with_a_value_still_shows_none_in_json() {
    // Whatever a caller puts in a sensitive field, the document shows only `(sensitive)`.
    let leaked = FieldChange {
        field: "client_secret".into(),
        old: "old-secret-value".into(),
        new: "new-secret-value".into(),
        sensitive: true,
    };
    let text = leaked.to_json().to_string();
    assert!(!text.contains("secret-value"), "{text}");
}
