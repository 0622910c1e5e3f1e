//! The one list of settings a pool can have that cognito.toml has no key for. `import` writes
//! each one it finds as a comment beside its table, so none is dropped silently. A setting is
//! listed when its value differs from what a pool the provisioner creates would get (AWS's
//! default), so a console-made pool's untouched defaults add no noise.
//!
//! `apply` sends every one of these back as it is when it updates a resource (Cognito's
//! updates reset what they are not sent), except where an entry says otherwise.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, EmailSendingAccountType, EncryptionKeyType, FeatureType, IssuerType,
};

use super::Described;
use crate::desired::{AuthFactor, Desired, Trigger};
use crate::spec::{self, Comments, Section};

/// AWS's verification message for a new pool (and the console's), member by member.
const VERIFICATION_DEFAULTS: [(&str, &str); 6] = [
    ("SmsMessage", "Your verification code is {####}."),
    ("EmailMessage", "Your verification code is {####}."),
    ("EmailSubject", "Your verification code"),
    (
        "EmailMessageByLink",
        "Please click the link below to verify your email address. {##Verify Email##}",
    ),
    ("EmailSubjectByLink", "Your verification link"),
    ("DefaultEmailOption", "CONFIRM_WITH_CODE"),
];

/// AWS's invitation for users an administrator creates.
const INVITATION_DEFAULTS: [(&str, &str); 3] = [
    (
        "SMSMessage",
        "Your username is {username} and temporary password is {####}.",
    ),
    (
        "EmailMessage",
        "Your username is {username} and temporary password is {####}.",
    ),
    ("EmailSubject", "Your temporary password"),
];

const SMS_AUTHENTICATION_DEFAULT: &str = "Your authentication code is {####}.";
const TEMPORARY_PASSWORD_DAYS: i32 = 7;

/// Tags AWS sets for itself (CloudFormation's, for one); no one may write them.
pub fn is_aws_tag(key: &str) -> bool {
    key.to_ascii_lowercase().starts_with("aws:")
}

/// Adds a comment for every setting of `described` the spec cannot express.
pub fn comments(described: &Described, desired: &Desired, comments: &mut Comments) {
    let mut notes = Notes::default();
    pool(described, &mut notes);
    notes.flush(Section::Pool, comments);
    for client in &described.clients {
        let name = client.client_name().unwrap_or_default();
        if let Some(analytics) = client.analytics_configuration() {
            notes.add(
                "analytics (Amazon Pinpoint)",
                format!(
                    "application {}, role {}",
                    analytics
                        .application_id()
                        .or(analytics.application_arn())
                        .unwrap_or("(none)"),
                    analytics.role_arn().unwrap_or("(none)")
                ),
            );
        }
        if let Some(rotation) = client.refresh_token_rotation()
            && rotation.feature() == &FeatureType::Enabled
        {
            notes.add(
                "refresh token rotation",
                format!(
                    "on, old tokens accepted for {} seconds",
                    rotation.retry_grace_period_seconds().unwrap_or(0)
                ),
            );
        }
        if !client.allowed_o_auth_flows().is_empty() && client.allowed_o_auth_flows_user_pool_client() != Some(true) {
            notes.add(
                "OAuth turned off",
                "the client lists OAuth flows but AllowedOAuthFlowsUserPoolClient is false; the spec turns OAuth \
                 on whenever oauth_flows is not empty, so an `apply` that updates this client turns it on",
            );
        }
        notes.flush(Section::Client(name.to_owned()), comments);
    }
    for provider in &described.identity_providers {
        let name = provider.provider_name().unwrap_or_default();
        if let Some(kind) = desired
            .identity_providers
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.kind)
        {
            let keys = spec::detail_keys(kind);
            let mut details: Vec<_> = provider.provider_details().into_iter().flatten().collect();
            details.sort();
            for (key, value) in details {
                let ours = keys.iter().any(|(_, aws_key)| aws_key == key) || kind.secret_key() == Some(key.as_str());
                if !ours {
                    notes.add(&format!("provider detail {key}"), shown(value));
                }
            }
        }
        if !provider.idp_identifiers().is_empty() {
            notes.add(
                "identifiers (IdpIdentifiers)",
                format!("{:?}", provider.idp_identifiers()),
            );
        }
        notes.flush(Section::IdentityProvider(name.to_owned()), comments);
    }
    // A custom domain is [domain.custom], beside a prefix domain; alone, or without the
    // certificate it is served with, it cannot be said.
    let prefix = described.pool.domain().filter(|d| !d.is_empty());
    let certificate = described
        .custom_domain
        .as_ref()
        .and_then(|d| d.custom_domain_config())
        .map(|c| c.certificate_arn().to_owned());
    if let Some(custom) = described
        .pool
        .custom_domain()
        .filter(|d| !d.is_empty() && (prefix.is_none() || certificate.is_none()))
    {
        notes.add(
            "custom domain",
            format!(
                "{custom} (certificate {}){}",
                certificate.as_deref().unwrap_or("unknown"),
                if prefix.is_none() {
                    ", without a prefix domain, which [domain] needs beside it"
                } else {
                    ""
                }
            ),
        );
    }
    notes.flush(Section::Domain, comments);
    if let Some(config) = described.pool.lambda_config() {
        if let Some(key) = &config.kms_key_id
            && desired.triggers.kms_key_id.is_none()
        {
            notes.add(
                "kms_key_id",
                format!(
                    "{key}, with no custom sender wired; the spec takes kms_key_id only beside {} or {}",
                    Trigger::CustomEmailSender,
                    Trigger::CustomSmsSender
                ),
            );
        }
        if let Some(federation) = config.inbound_federation() {
            notes.add(
                "inbound federation trigger",
                format!("{} ({})", federation.lambda_arn(), federation.lambda_version()),
            );
        }
    }
    notes.flush(Section::Triggers, comments);
}

/// The pool's own settings, with MFA's.
fn pool(described: &Described, notes: &mut Notes) {
    let pool = &described.pool;
    if !pool.alias_attributes().is_empty() {
        notes.add(
            "sign-in aliases (AliasAttributes)",
            format!(
                "{}; the spec declares sign-in by username_attributes only",
                names(pool.alias_attributes().iter().map(|a| a.as_str()))
            ),
        );
    }
    let standard = || {
        pool.schema_attributes().iter().filter(|a| {
            a.name()
                .is_some_and(|n| !n.starts_with("custom:") && !n.starts_with("dev:"))
        })
    };
    // `sub` is required and fixed in every pool.
    let required: Vec<&str> = standard()
        .filter(|a| a.required() == Some(true) && a.name() != Some("sub"))
        .filter_map(|a| a.name())
        .collect();
    if !required.is_empty() {
        notes.add("attributes required at sign-up", names(required));
    }
    let fixed: Vec<&str> = standard()
        .filter(|a| a.mutable() == Some(false) && a.name() != Some("sub"))
        .filter_map(|a| a.name())
        .collect();
    if !fixed.is_empty() {
        notes.add("standard attributes that cannot be changed after sign-up", names(fixed));
    }
    let developer_only: Vec<&str> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .filter(|n| n.starts_with("dev:"))
        .collect();
    if !developer_only.is_empty() {
        notes.add("developer-only attributes", names(developer_only));
    }

    // The SMS sender is [pool.sms]; its end-user messaging origination is not.
    if let Some(eums) = pool.sms_configuration().and_then(|sms| sms.eums_sms()) {
        notes.add(
            "SMS through AWS End User Messaging (SmsConfiguration.EumsSms)",
            format!("{eums:?}"),
        );
    }
    if let Some(template) = pool.verification_message_template() {
        let members = [
            ("SmsMessage", template.sms_message()),
            ("EmailMessage", template.email_message()),
            ("EmailSubject", template.email_subject()),
            ("EmailMessageByLink", template.email_message_by_link()),
            ("EmailSubjectByLink", template.email_subject_by_link()),
            (
                "DefaultEmailOption",
                template.default_email_option().map(|o| o.as_str()),
            ),
        ];
        for (member, value) in changed(&members, &VERIFICATION_DEFAULTS) {
            notes.add(&format!("verification message {member}"), shown(value));
        }
    }
    if let Some(message) = pool
        .sms_authentication_message()
        .filter(|m| m.trim() != SMS_AUTHENTICATION_DEFAULT)
    {
        notes.add("SMS authentication message", shown(message));
    }
    let admin = pool.admin_create_user_config();
    if let Some(template) = admin.and_then(|a| a.invite_message_template()) {
        let members = [
            ("SMSMessage", template.sms_message()),
            ("EmailMessage", template.email_message()),
            ("EmailSubject", template.email_subject()),
        ];
        for (member, value) in changed(&members, &INVITATION_DEFAULTS) {
            notes.add(&format!("invitation message {member}"), shown(value));
        }
    }
    if let Some(verify) = pool
        .user_attribute_update_settings()
        .map(|s| s.attributes_require_verification_before_update())
        .filter(|a| !a.is_empty())
    {
        notes.add(
            "keep the old value until a change is verified (AttributesRequireVerificationBeforeUpdate)",
            names(verify.iter().map(|a| a.as_str())),
        );
    }
    if let Some(devices) = pool.device_configuration() {
        notes.add(
            "device tracking",
            format!(
                "challenge on a new device {}, remember devices only when the user opts in {}",
                devices.challenge_required_on_new_device(),
                devices.device_only_remembered_on_user_prompt()
            ),
        );
    }

    let policies = pool.policies();
    if let Some(policy) = policies.and_then(|p| p.password_policy()) {
        if policy.temporary_password_validity_days() != TEMPORARY_PASSWORD_DAYS
            && policy.temporary_password_validity_days() != 0
        {
            notes.add(
                "temporary password validity",
                format!("{} days", policy.temporary_password_validity_days()),
            );
        }
        if let Some(history) = policy.password_history_size().filter(|h| *h > 0) {
            notes.add(
                "password history",
                format!("the last {history} passwords cannot be reused"),
            );
        }
    }
    // The first factors are [pool.sign_in_policy]; those it has no spelling for are noted.
    let unspoken: Vec<&str> = policies
        .and_then(|p| p.sign_in_policy())
        .map(|s| s.allowed_first_auth_factors())
        .unwrap_or_default()
        .iter()
        .map(AuthFactorType::as_str)
        .filter(|f| AuthFactor::from_aws(f).is_none())
        .collect();
    if !unspoken.is_empty() {
        notes.add(
            "first factors cognito.toml has no spelling for (SignInPolicy.AllowedFirstAuthFactors)",
            names(unspoken),
        );
    }
    if let Some(flows) = pool
        .user_pool_add_ons()
        .and_then(|a| a.advanced_security_additional_flows())
        .and_then(|f| f.custom_auth_mode())
    {
        notes.add("threat protection for custom authentication", flows.as_str());
    }
    if let Some(email) = pool.email_configuration()
        && email.email_sending_account() != Some(&EmailSendingAccountType::Developer)
    {
        let extras: Vec<String> = [
            ("SourceArn", email.source_arn()),
            ("From", email.from()),
            ("ReplyToEmailAddress", email.reply_to_email_address()),
            ("ConfigurationSet", email.configuration_set()),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some(format!("{name} {}", shown(value?))))
        .collect();
        if !extras.is_empty() {
            notes.add(
                "Cognito's email sender with",
                format!(
                    "{}; `apply` keeps them while the spec keeps Cognito's sender",
                    extras.join(", ")
                ),
            );
        }
    }
    if let Some(key) = pool.key_configuration()
        && key.key_type() != Some(&EncryptionKeyType::AwsOwnedKey)
    {
        notes.add(
            "encryption key",
            format!(
                "{} {}",
                key.key_type().map(|k| k.as_str()).unwrap_or("(unknown)"),
                key.kms_key_arn().unwrap_or_default()
            ),
        );
    }
    if let Some(issuer) = pool
        .issuer_configuration()
        .and_then(|i| i.r#type())
        .filter(|t| **t != IssuerType::Original)
    {
        notes.add("token issuer", issuer.as_str());
    }
    if let Some(acr) = pool.acr_configuration().filter(|a| !a.is_empty()) {
        let mut levels: Vec<String> = acr.iter().map(|(k, v)| format!("{k} = {:?}", v.acr_value())).collect();
        levels.sort();
        notes.add("ACR levels", levels.join(", "));
    }
    let mut aws_tags: Vec<String> = pool
        .user_pool_tags()
        .into_iter()
        .flatten()
        .filter(|(key, _)| is_aws_tag(key))
        .map(|(key, value)| format!("{key} = {}", shown(value)))
        .collect();
    aws_tags.sort();
    if !aws_tags.is_empty() {
        notes.add("tags AWS keeps for itself", aws_tags.join(", "));
    }
}

/// The members of `members` that are set and differ from their defaults (compared without
/// the trailing space AWS's defaults carry).
fn changed<'a>(members: &[(&'a str, Option<&'a str>)], defaults: &[(&str, &str)]) -> Vec<(&'a str, &'a str)> {
    members
        .iter()
        .filter_map(|(member, value)| {
            let value = (*value)?;
            let default = defaults.iter().find(|(m, _)| m == member).map(|(_, d)| *d);
            (Some(value.trim()) != default).then_some((*member, value))
        })
        .collect()
}

fn names<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", values.into_iter().collect::<Vec<_>>().join(", "))
}

/// A value as a comment shows it: quoted, on one line, and shortened past 160 characters.
fn shown(value: &str) -> String {
    const LIMIT: usize = 160;
    let count = value.chars().count();
    if count > LIMIT {
        let start: String = value.chars().take(LIMIT).collect();
        format!("{start:?}... ({count} characters)")
    } else {
        format!("{value:?}")
    }
}

/// The entries found for one section, written under one heading.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    fn add(&mut self, setting: &str, value: impl AsRef<str>) {
        self.0.push(format!("  {setting}: {}", value.as_ref()));
    }

    fn flush(&mut self, section: Section, comments: &mut Comments) {
        if self.0.is_empty() {
            return;
        }
        comments.add(
            section.clone(),
            "Not expressible in cognito.toml (`apply` leaves it as it is):",
        );
        for line in self.0.drain(..) {
            comments.add(section.clone(), line);
        }
    }
}
