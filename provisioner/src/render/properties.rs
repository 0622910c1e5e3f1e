//! The Cognito resources' properties in the SAM template: the pool's, with its email and
//! custom-attribute schema, and each app client's, read from the request `desired` builds,
//! in CloudFormation's names. `cloudformation` assembles them with the rest of the template.

use serde_json::{Map, Value, json};

use crate::desired::{AttributeKind, Client, CustomAttribute, Email, Pool};

pub(super) fn pool_properties(pool: &Pool) -> Value {
    let policy = &pool.password_policy;
    let mut properties = json!({
        "UserPoolName": pool.name,
        "UsernameAttributes": pool.username_attributes.iter().map(|a| a.as_aws()).collect::<Vec<_>>(),
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "AutoVerifiedAttributes": pool.auto_verified_attributes.iter().map(|a| a.as_aws()).collect::<Vec<_>>(),
        "MfaConfiguration": pool.mfa.as_aws(),
        "DeletionProtection": if pool.deletion_protection { "ACTIVE" } else { "INACTIVE" },
        "Policies": {"PasswordPolicy": {
            "MinimumLength": policy.minimum_length,
            "RequireLowercase": policy.require_lowercase,
            "RequireUppercase": policy.require_uppercase,
            "RequireNumbers": policy.require_numbers,
            "RequireSymbols": policy.require_symbols,
        }},
        "AccountRecoverySetting": {"RecoveryMechanisms": pool.account_recovery.iter().zip(1..).map(|(r, priority)| json!({"Name": r.as_aws(), "Priority": priority})).collect::<Vec<_>>()},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": pool.allow_admin_create_user_only},
        "EmailConfiguration": email(&pool.email),
        "UserPoolTags": pool.tags,
    });
    // CloudFormation's names for the factors SetUserPoolMfaConfig enables.
    let factors: Vec<&str> = [
        (pool.uses_sms_mfa(), "SMS_MFA"),
        (pool.uses_software_token(), "SOFTWARE_TOKEN_MFA"),
        (pool.uses_email_mfa(), "EMAIL_OTP"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if !factors.is_empty() {
        properties["EnabledMfas"] = json!(factors);
    }
    if let Some(sms) = &pool.sms {
        let mut config = json!({"SnsCallerArn": sms.sns_caller_arn});
        if let Some(id) = &sms.external_id {
            config["ExternalId"] = json!(id);
        }
        if let Some(region) = &sms.sns_region {
            config["SnsRegion"] = json!(region);
        }
        properties["SmsConfiguration"] = config;
    }
    if let Some(first) = &pool.first_factors {
        properties["Policies"]["SignInPolicy"] =
            json!({"AllowedFirstAuthFactors": first.iter().map(|f| f.as_aws()).collect::<Vec<_>>()});
    }
    if let Some(passkeys) = &pool.web_authn {
        properties["WebAuthnRelyingPartyID"] = json!(passkeys.relying_party_id);
        properties["WebAuthnUserVerification"] = json!(passkeys.user_verification.as_aws());
        if let Some(factor) = passkeys.factor {
            properties["WebAuthnFactorConfiguration"] = json!(factor.as_aws());
        }
    }
    if !pool.custom_attributes.is_empty() {
        properties["Schema"] = json!(pool.custom_attributes.iter().map(schema).collect::<Vec<_>>());
    }
    if let Some(tier) = pool.tier {
        properties["UserPoolTier"] = json!(tier.as_aws());
    }
    if let Some(mode) = pool.threat_protection {
        properties["UserPoolAddOns"] = json!({"AdvancedSecurityMode": mode.as_aws()});
    }
    properties
}

fn email(email: &Email) -> Value {
    match email {
        Email::Cognito => json!({"EmailSendingAccount": "COGNITO_DEFAULT"}),
        Email::Ses(ses) => {
            let mut config = json!({"EmailSendingAccount": "DEVELOPER", "SourceArn": ses.source_arn, "From": ses.from});
            if let Some(reply_to) = &ses.reply_to {
                config["ReplyToEmailAddress"] = json!(reply_to);
            }
            if let Some(set) = &ses.configuration_set {
                config["ConfigurationSet"] = json!(set);
            }
            config
        }
    }
}

fn schema(attribute: &CustomAttribute) -> Value {
    let aws = attribute.to_aws();
    let mut schema = json!({
        "Name": attribute.name,
        "AttributeDataType": aws.attribute_data_type().map(|t| t.as_str()),
        "Mutable": attribute.mutable,
    });
    let bounds = |min_key: &str, max_key: &str| {
        let mut bounds = Map::new();
        if let Some(min) = attribute.min {
            bounds.insert(min_key.into(), json!(min.to_string()));
        }
        if let Some(max) = attribute.max {
            bounds.insert(max_key.into(), json!(max.to_string()));
        }
        bounds
    };
    match attribute.kind {
        AttributeKind::String => schema["StringAttributeConstraints"] = Value::Object(bounds("MinLength", "MaxLength")),
        AttributeKind::Number => schema["NumberAttributeConstraints"] = Value::Object(bounds("MinValue", "MaxValue")),
        AttributeKind::Datetime | AttributeKind::Boolean => {}
    }
    schema
}

/// The client's properties: the CreateUserPoolClient request `desired` builds, each member in
/// CloudFormation's spelling (the API's own names), so that what a setting means in AWS terms
/// is written once, in `desired::client`.
pub(super) fn client_properties(client: &Client) -> Value {
    let request = client.create_request("");
    let strings = |values: &Option<Vec<String>>| values.as_ref().map(|v| json!(v));
    let units = request.get_token_validity_units().as_ref().map(|units| {
        let mut shown = Map::new();
        for (key, unit) in [
            ("AccessToken", units.access_token()),
            ("IdToken", units.id_token()),
            ("RefreshToken", units.refresh_token()),
        ] {
            if let Some(unit) = unit {
                shown.insert(key.into(), json!(unit.as_str()));
            }
        }
        Value::Object(shown)
    });
    let members = [
        ("ClientName", request.get_client_name().as_ref().map(|v| json!(v))),
        ("GenerateSecret", request.get_generate_secret().map(|v| json!(v))),
        (
            "AllowedOAuthFlows",
            request
                .get_allowed_o_auth_flows()
                .as_ref()
                .map(|flows| json!(flows.iter().map(|f| f.as_str()).collect::<Vec<_>>())),
        ),
        (
            "AllowedOAuthFlowsUserPoolClient",
            request.get_allowed_o_auth_flows_user_pool_client().map(|v| json!(v)),
        ),
        ("AllowedOAuthScopes", strings(request.get_allowed_o_auth_scopes())),
        ("CallbackURLs", strings(request.get_callback_urls())),
        ("LogoutURLs", strings(request.get_logout_urls())),
        (
            "SupportedIdentityProviders",
            strings(request.get_supported_identity_providers()),
        ),
        (
            "ExplicitAuthFlows",
            request
                .get_explicit_auth_flows()
                .as_ref()
                .map(|flows| json!(flows.iter().map(|f| f.as_str()).collect::<Vec<_>>())),
        ),
        (
            "PreventUserExistenceErrors",
            request
                .get_prevent_user_existence_errors()
                .as_ref()
                .map(|v| json!(v.as_str())),
        ),
        (
            "EnableTokenRevocation",
            request.get_enable_token_revocation().map(|v| json!(v)),
        ),
        (
            "AccessTokenValidity",
            request.get_access_token_validity().map(|v| json!(v)),
        ),
        ("IdTokenValidity", request.get_id_token_validity().map(|v| json!(v))),
        (
            "RefreshTokenValidity",
            request.get_refresh_token_validity().map(|v| json!(v)),
        ),
        ("TokenValidityUnits", units),
        (
            "AuthSessionValidity",
            request.get_auth_session_validity().map(|v| json!(v)),
        ),
        ("ReadAttributes", strings(request.get_read_attributes())),
        ("WriteAttributes", strings(request.get_write_attributes())),
        (
            "DefaultRedirectURI",
            request.get_default_redirect_uri().as_ref().map(|v| json!(v)),
        ),
        (
            "EnablePropagateAdditionalUserContextData",
            request
                .get_enable_propagate_additional_user_context_data()
                .map(|v| json!(v)),
        ),
    ];
    let mut properties = Map::new();
    properties.insert("UserPoolId".into(), json!({"Ref": "UserPool"}));
    properties.extend(
        members
            .into_iter()
            .filter_map(|(key, value)| Some((key.to_owned(), value?))),
    );
    Value::Object(properties)
}
