//! The user pool as the provisioner manages it: one type, built from the spec (`spec::pool`)
//! and, the same way, from what DescribeUserPool reports ([`Pool::from_aws`]), and turned
//! into the CreateUserPool and UpdateUserPool requests ([`Pool::create_request`],
//! [`Pool::update_request`]) and the tag that adopts it ([`adopt_request`]). What each setting
//! means in AWS terms is written here once; its parts with calls of their own are apart:
//! [`mfa`] (SetUserPoolMfaConfig), [`attributes`] (custom attributes, AddCustomAttributes) and
//! [`email`] (EmailConfiguration), [`sms`] (SmsConfiguration) and [`sign_in`] (first factors
//! and passkeys); [`tier`] holds the feature plan and threat protection, and what needs them.

pub mod attributes;
pub mod email;
pub mod log_delivery;
pub mod mfa;
pub mod risk;
pub mod sign_in;
pub mod sms;
pub mod tier;

pub use attributes::{AttributeKind, CustomAttribute};
pub use email::{Email, SesEmail};
pub use log_delivery::{EventSource, LogDelivery};
pub use mfa::Mfa;
pub use risk::{CredentialsAction, CredentialsEvent, Risk, TakeoverAction};
pub use sign_in::{AuthFactor, PasskeyFactor, UserVerification, WebAuthn};
pub use sms::Sms;
pub use tier::{ThreatProtection, Tier};

use std::collections::{BTreeMap, HashMap};

use aws_sdk_cognitoidentityprovider::operation::create_user_pool::{
    CreateUserPoolInput, builders::CreateUserPoolInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::operation::tag_resource::{TagResourceInput, builders::TagResourceInputBuilder};
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::{
    UpdateUserPoolInput, builders::UpdateUserPoolInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, AdminCreateUserConfigType, AdvancedSecurityModeType, DeletionProtectionType,
    EmailConfigurationType, LambdaConfigType, PasswordPolicyType, RecoveryOptionNameType, RecoveryOptionType,
    SmsConfigurationType, UserPoolAddOnsType, UserPoolMfaType, UserPoolPolicyType, UserPoolTierType, UserPoolType,
    UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use serde::Deserialize;

use super::{Field, field, list};

/// The tag that marks a pool as managed by this project: its value is the pool's name. The
/// provisioner's IAM policy allows pool writes only on pools that carry it, and a pool found
/// by name without it is not adopted unless asked to.
pub const MANAGED_TAG: &str = "toyseven-cognito";

/// AWS's default for TemporaryPasswordValidityDays, sent on creation.
const TEMPORARY_PASSWORD_DAYS: i32 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    /// Fixed at creation.
    pub username_attributes: Vec<Attribute>,
    /// Fixed at creation. `false`: `Jane@x.com` and `jane@x.com` are one user.
    pub case_sensitive: bool,
    pub auto_verified_attributes: Vec<Attribute>,
    pub mfa: Mfa,
    /// Authenticator apps (TOTP); managed only while `mfa` is not off.
    pub software_token_mfa: bool,
    /// Codes by SMS as a second factor; managed only while `mfa` is not off.
    pub sms_mfa: bool,
    /// Codes by email as a second factor; managed only while `mfa` is not off.
    pub email_mfa: bool,
    /// The SMS sender. `None`: left as it is.
    pub sms: Option<Sms>,
    /// The first factors of choice-based sign-in, sorted. `None`: left as it is (a new pool
    /// offers passwords only).
    pub first_factors: Option<Vec<AuthFactor>>,
    /// Passkeys. `None`: left as it is.
    pub web_authn: Option<WebAuthn>,
    /// Where the pool's logs go, one delivery per source. `None`: left as it is.
    pub log_delivery: Option<Vec<LogDelivery>>,
    /// Threat protection's tuning. `None`: left as it is.
    pub risk: Option<Risk>,
    pub deletion_protection: bool,
    pub password_policy: PasswordPolicy,
    /// In priority order.
    pub account_recovery: Vec<Recovery>,
    /// Self sign-up off: only administrators create users.
    pub allow_admin_create_user_only: bool,
    pub email: Email,
    /// Added when missing; never changed or removed (Cognito cannot).
    pub custom_attributes: Vec<CustomAttribute>,
    /// `None`: left as it is (a new pool gets AWS's default).
    pub tier: Option<Tier>,
    /// `None`: left as it is.
    pub threat_protection: Option<ThreatProtection>,
    /// The spec's tags and [`MANAGED_TAG`]. Tags the pool has beyond these are kept.
    pub tags: BTreeMap<String, String>,
}

closed_set! {
    /// A standard attribute the pool signs in with or verifies.
    pub enum Attribute {
        Email = ("email", "email"),
        PhoneNumber = ("phone_number", "phone_number"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicy {
    pub minimum_length: u8,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

closed_set! {
    /// An account-recovery mechanism (AccountRecoverySetting.RecoveryMechanisms).
    pub enum Recovery {
        VerifiedEmail = ("verified_email", "verified_email"),
        VerifiedPhoneNumber = ("verified_phone_number", "verified_phone_number"),
        AdminOnly = ("admin_only", "admin_only"),
    }
}

/// The request values of the managed settings, shared by CreateUserPool and UpdateUserPool.
struct Settings {
    policies: UserPoolPolicyType,
    deletion_protection: DeletionProtectionType,
    auto_verified_attributes: Vec<VerifiedAttributeType>,
    account_recovery: AccountRecoverySettingType,
    admin_create_user_config: AdminCreateUserConfigType,
    email: EmailConfigurationType,
    tags: HashMap<String, String>,
    sms: Option<SmsConfigurationType>,
    tier: Option<UserPoolTierType>,
    add_ons: Option<UserPoolAddOnsType>,
    lambda_config: Option<LambdaConfigType>,
}

/// Sets [`Settings`] on a CreateUserPool or UpdateUserPool input builder (their setters share
/// names), so both requests say the same thing.
macro_rules! with_settings {
    ($builder:expr, $settings:expr) => {{
        let s = $settings;
        $builder
            .policies(s.policies)
            .deletion_protection(s.deletion_protection)
            .set_auto_verified_attributes(Some(s.auto_verified_attributes))
            .account_recovery_setting(s.account_recovery)
            .admin_create_user_config(s.admin_create_user_config)
            .email_configuration(s.email)
            .set_user_pool_tags(Some(s.tags))
            .set_sms_configuration(s.sms)
            .set_user_pool_tier(s.tier)
            .set_user_pool_add_ons(s.add_ons)
            .set_lambda_config(s.lambda_config)
    }};
}

impl Pool {
    /// The pool as DescribeUserPool reports it, its factors and passkeys as
    /// GetUserPoolMfaConfig does (when it was read; `None`: none of them).
    pub fn from_aws(pool: &UserPoolType, mfa: Option<&GetUserPoolMfaConfigOutput>) -> Self {
        let policy = pool.policies().and_then(|p| p.password_policy());
        let mut recovery: Vec<&RecoveryOptionType> = pool
            .account_recovery_setting()
            .map(|s| s.recovery_mechanisms())
            .unwrap_or_default()
            .iter()
            .collect();
        recovery.sort_by_key(|r| r.priority());
        Self {
            name: pool.name().unwrap_or_default().to_owned(),
            username_attributes: sorted(
                pool.username_attributes()
                    .iter()
                    .filter_map(|a| Attribute::from_aws(a.as_str())),
            ),
            // A pool made before UsernameConfiguration existed reports none: case sensitive.
            case_sensitive: pool.username_configuration().is_none_or(|c| c.case_sensitive()),
            auto_verified_attributes: sorted(
                pool.auto_verified_attributes()
                    .iter()
                    .filter_map(|a| Attribute::from_aws(a.as_str())),
            ),
            // A pool that reports no mode has MFA off.
            mfa: pool
                .mfa_configuration()
                .and_then(|m| Mfa::from_aws(m.as_str()))
                .unwrap_or(Mfa::Off),
            software_token_mfa: mfa
                .and_then(|m| m.software_token_mfa_configuration())
                .is_some_and(|s| s.enabled()),
            sms_mfa: mfa.is_some_and(|m| m.sms_mfa_configuration().is_some()),
            email_mfa: mfa.is_some_and(|m| m.email_mfa_configuration().is_some()),
            sms: pool.sms_configuration().and_then(Sms::from_aws),
            first_factors: Some(sign_in::first_factors_from_aws(
                pool.policies().and_then(|p| p.sign_in_policy()),
            )),
            web_authn: mfa
                .and_then(|m| m.web_authn_configuration())
                .and_then(WebAuthn::from_aws),
            // GetLogDeliveryConfiguration and DescribeRiskConfiguration, read apart.
            log_delivery: None,
            risk: None,
            deletion_protection: pool.deletion_protection() == Some(&DeletionProtectionType::Active),
            password_policy: PasswordPolicy {
                minimum_length: policy
                    .and_then(|p| p.minimum_length())
                    .and_then(|l| u8::try_from(l).ok())
                    .unwrap_or(0),
                require_lowercase: policy.is_some_and(|p| p.require_lowercase()),
                require_uppercase: policy.is_some_and(|p| p.require_uppercase()),
                require_numbers: policy.is_some_and(|p| p.require_numbers()),
                require_symbols: policy.is_some_and(|p| p.require_symbols()),
            },
            account_recovery: recovery
                .into_iter()
                .filter_map(|r| Recovery::from_aws(r.name().as_str()))
                .collect(),
            allow_admin_create_user_only: pool
                .admin_create_user_config()
                .is_some_and(|c| c.allow_admin_create_user_only()),
            email: Email::from_aws(pool.email_configuration()),
            custom_attributes: pool
                .schema_attributes()
                .iter()
                .filter_map(CustomAttribute::from_aws)
                .collect(),
            tier: pool.user_pool_tier().and_then(|t| Tier::from_aws(t.as_str())),
            // A pool that reports no add-ons has threat protection off.
            threat_protection: match pool.user_pool_add_ons() {
                Some(add_ons) => ThreatProtection::from_aws(add_ons.advanced_security_mode().as_str()),
                None => Some(ThreatProtection::Off),
            },
            tags: pool
                .user_pool_tags()
                .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        }
    }

    /// Whether the pool carries this project's management tag for its name.
    pub fn is_managed(&self) -> bool {
        self.tags.get(MANAGED_TAG) == Some(&self.name)
    }

    /// The settings UpdateUserPool changes, for the plan: one entry per setting the spec
    /// manages, as the spec names it. Fixed settings, MFA and custom attributes are diffed
    /// apart because other calls change them.
    pub fn fields(&self) -> Vec<Field> {
        let policy = &self.password_policy;
        let mut fields = vec![
            field(
                "auto_verified_attributes",
                list(self.auto_verified_attributes.iter().map(|a| a.as_aws())),
            ),
            field("deletion_protection", self.deletion_protection),
            field("password_policy.minimum_length", policy.minimum_length),
            field("password_policy.require_lowercase", policy.require_lowercase),
            field("password_policy.require_uppercase", policy.require_uppercase),
            field("password_policy.require_numbers", policy.require_numbers),
            field("password_policy.require_symbols", policy.require_symbols),
            field(
                "account_recovery",
                format!(
                    "[{}]",
                    self.account_recovery
                        .iter()
                        .map(|r| r.as_aws())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            field("allow_admin_create_user_only", self.allow_admin_create_user_only),
            field("email", &self.email),
        ];
        if let Some(sms) = &self.sms {
            fields.push(field("sms", sms));
        }
        if let Some(factors) = &self.first_factors {
            fields.push(field(
                "sign_in_policy.allowed_first_auth_factors",
                list(factors.iter().map(|f| f.as_aws())),
            ));
        }
        if let Some(tier) = self.tier {
            fields.push(field("tier", tier.as_aws()));
        }
        if let Some(mode) = self.threat_protection {
            fields.push(field("threat_protection", mode.as_aws()));
        }
        fields.extend(
            self.tags
                .iter()
                .map(|(key, value)| field(&format!("tags.{key}"), value)),
        );
        fields
    }

    /// CreateUserPool: every setting of the spec; no triggers (they are wired once their
    /// functions allow this pool to invoke them) and MFA off (set next, with its factor).
    pub fn create_request(&self) -> CreateUserPoolInputBuilder {
        let settings = self.settings(None, None);
        let builder = CreateUserPoolInput::builder()
            .pool_name(&self.name)
            .set_username_attributes(Some(
                self.username_attributes
                    .iter()
                    .map(|a| UsernameAttributeType::from(a.as_aws()))
                    .collect(),
            ))
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(self.case_sensitive)
                    .build()
                    .expect("case_sensitive is set"),
            )
            .set_schema(
                Some(self.custom_attributes.iter().map(CustomAttribute::to_aws).collect())
                    .filter(|s: &Vec<_>| !s.is_empty()),
            );
        with_settings!(builder, settings).mfa_configuration(UserPoolMfaType::Off)
    }

    /// UpdateUserPool: `current` as DescribeUserPool reported it, with the spec's settings
    /// on top and `lambda_config` as the trigger wiring. UpdateUserPool resets every field it
    /// is not sent, so everything the spec does not manage is sent back as it is.
    pub fn update_request(
        &self,
        current: &UserPoolType,
        lambda_config: Option<LambdaConfigType>,
    ) -> UpdateUserPoolInputBuilder {
        let settings = self.settings(Some(current), lambda_config);
        let c = current.clone();
        let builder = UpdateUserPoolInput::builder()
            .set_user_pool_id(c.id)
            .set_pool_name(c.name)
            .set_sms_verification_message(c.sms_verification_message)
            .set_email_verification_message(c.email_verification_message)
            .set_email_verification_subject(c.email_verification_subject)
            .set_verification_message_template(c.verification_message_template)
            .set_sms_authentication_message(c.sms_authentication_message)
            .set_user_attribute_update_settings(c.user_attribute_update_settings.map(|mut settings| {
                // AWS refuses an attribute here that is not auto-verified ("All attributes in
                // AttributesRequireVerificationBeforeUpdate must exist in
                // AutoVerifiedAttributes"): one the spec stops verifying leaves this list too.
                if let Some(attributes) = settings.attributes_require_verification_before_update.as_mut() {
                    attributes.retain(|a| self.auto_verified_attributes.iter().any(|v| v.as_aws() == a.as_str()));
                }
                settings
            }))
            .set_device_configuration(c.device_configuration)
            .set_key_configuration(c.key_configuration)
            .set_issuer_configuration(c.issuer_configuration)
            .set_acr_configuration(c.acr_configuration)
            // The mode the spec asks for: SetUserPoolMfaConfig, which enables its factor, runs
            // first when it changes.
            .mfa_configuration(UserPoolMfaType::from(self.mfa.as_aws()));
        with_settings!(builder, settings)
    }

    /// The managed settings as request values, over `base` where a request structure mixes
    /// managed and unmanaged members.
    fn settings(&self, base: Option<&UserPoolType>, lambda_config: Option<LambdaConfigType>) -> Settings {
        let base_policy = base.and_then(|p| p.policies()).and_then(|p| p.password_policy());
        let policy = &self.password_policy;
        let password_policy = PasswordPolicyType::builder()
            .minimum_length(i32::from(policy.minimum_length))
            .require_lowercase(policy.require_lowercase)
            .require_uppercase(policy.require_uppercase)
            .require_numbers(policy.require_numbers)
            .require_symbols(policy.require_symbols)
            .temporary_password_validity_days(base_policy.map_or(
                TEMPORARY_PASSWORD_DAYS,
                PasswordPolicyType::temporary_password_validity_days,
            ))
            .set_password_history_size(base_policy.and_then(PasswordPolicyType::password_history_size))
            .build();
        let base_admin = base.and_then(|p| p.admin_create_user_config());
        // The legacy UnusedAccountValidityDays is never sent: AWS refuses it beside the
        // password policy's TemporaryPasswordValidityDays (the SDK serializes this i32 even
        // when it is 0, so `aws::legacy` strips it from the request body).
        let admin_create_user_config = AdminCreateUserConfigType::builder()
            .allow_admin_create_user_only(self.allow_admin_create_user_only)
            .set_invite_message_template(base_admin.and_then(|c| c.invite_message_template()).cloned())
            .build();
        let mut tags: HashMap<String, String> = base.and_then(|p| p.user_pool_tags()).cloned().unwrap_or_default();
        tags.extend(self.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        let add_ons = match self.threat_protection {
            Some(mode) => UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::from(mode.as_aws()))
                .set_advanced_security_additional_flows(
                    base.and_then(|p| p.user_pool_add_ons())
                        .and_then(|a| a.advanced_security_additional_flows())
                        .cloned(),
                )
                .build()
                .ok(),
            None => base.and_then(|p| p.user_pool_add_ons()).cloned(),
        };
        Settings {
            policies: UserPoolPolicyType::builder()
                .password_policy(password_policy)
                .set_sign_in_policy(match &self.first_factors {
                    Some(factors) => Some(sign_in::sign_in_policy(factors)),
                    None => base
                        .and_then(|p| p.policies())
                        .and_then(|p| p.sign_in_policy())
                        .cloned(),
                })
                .build(),
            deletion_protection: if self.deletion_protection {
                DeletionProtectionType::Active
            } else {
                DeletionProtectionType::Inactive
            },
            auto_verified_attributes: self
                .auto_verified_attributes
                .iter()
                .map(|a| VerifiedAttributeType::from(a.as_aws()))
                .collect(),
            account_recovery: AccountRecoverySettingType::builder()
                .set_recovery_mechanisms(Some(
                    self.account_recovery
                        .iter()
                        .zip(1..)
                        .filter_map(|(r, priority)| {
                            RecoveryOptionType::builder()
                                .name(RecoveryOptionNameType::from(r.as_aws()))
                                .priority(priority)
                                .build()
                                .ok()
                        })
                        .collect(),
                ))
                .build(),
            admin_create_user_config,
            email: self.email.to_aws(base.and_then(|p| p.email_configuration())),
            tags,
            sms: match &self.sms {
                Some(sms) => Some(sms.to_aws(base.and_then(|p| p.sms_configuration()))),
                None => base.and_then(|p| p.sms_configuration()).cloned(),
            },
            tier: self
                .tier
                .map(|t| UserPoolTierType::from(t.as_aws()))
                .or_else(|| base.and_then(|p| p.user_pool_tier()).cloned()),
            add_ons,
            lambda_config: lambda_config.or_else(|| base.and_then(|p| p.lambda_config()).cloned()),
        }
    }
}

/// TagResource: marks the pool at `arn` as this project's, [`MANAGED_TAG`] = its `name`.
pub fn adopt_request(arn: &str, name: &str) -> TagResourceInputBuilder {
    TagResourceInput::builder().resource_arn(arn).tags(MANAGED_TAG, name)
}

fn sorted<T: Ord>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = values.into_iter().collect();
    values.sort();
    values.dedup();
    values
}
