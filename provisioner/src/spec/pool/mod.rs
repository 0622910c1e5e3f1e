//! `[pool]` and its sub-tables: `[pool.password_policy]`, `[pool.mfa_factors]`,
//! `[pool.email]`, `[pool.sms]`, `[pool.sign_in_policy]`, `[pool.web_authn]`, `[pool.tags]` and
//! `[[pool.attributes]]`; the senders (`[pool.sms]`, `[pool.email]`) in `senders`, and
//! `[[pool.log_delivery]]` and `[pool.risk_configuration]` in `security`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

mod security;
mod senders;

use security::{RawLogDelivery, RawRisk, log_delivery};
use senders::{RawEmail, RawSms, ses_email};

use super::{Locator, SpecError, sorted, unspanned};
use crate::desired::{
    Attribute, AttributeKind, AuthFactor, CustomAttribute, Domain, Email, MANAGED_TAG, Mfa, PasskeyFactor,
    PasswordPolicy, Pool, Recovery, ThreatProtection, Tier, UserVerification, WebAuthn,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPool {
    name: Spanned<String>,
    username_attributes: Spanned<Vec<Attribute>>,
    case_sensitive: bool,
    auto_verified_attributes: Spanned<Vec<Attribute>>,
    mfa: Spanned<Mfa>,
    mfa_factors: RawMfaFactors,
    deletion_protection: bool,
    password_policy: Spanned<PasswordPolicy>,
    account_recovery: Spanned<Vec<Recovery>>,
    allow_admin_create_user_only: bool,
    email: Option<Spanned<RawEmail>>,
    sms: Option<Spanned<RawSms>>,
    sign_in_policy: Option<Spanned<RawSignInPolicy>>,
    web_authn: Option<Spanned<RawWebAuthn>>,
    log_delivery: Option<Vec<Spanned<RawLogDelivery>>>,
    risk_configuration: Option<Spanned<RawRisk>>,
    attributes: Vec<Spanned<RawAttribute>>,
    tier: Option<Tier>,
    threat_protection: Option<Spanned<ThreatProtection>>,
    tags: Spanned<BTreeMap<String, String>>,
}

impl Default for RawPool {
    fn default() -> Self {
        Self {
            name: unspanned("toyseven-cognito".into()),
            username_attributes: unspanned(vec![Attribute::Email]),
            case_sensitive: false,
            auto_verified_attributes: unspanned(vec![Attribute::Email]),
            mfa: unspanned(Mfa::Off),
            mfa_factors: RawMfaFactors::default(),
            deletion_protection: true,
            password_policy: unspanned(PasswordPolicy::default()),
            account_recovery: unspanned(vec![Recovery::VerifiedEmail]),
            allow_admin_create_user_only: false,
            email: None,
            sms: None,
            sign_in_policy: None,
            web_authn: None,
            log_delivery: None,
            risk_configuration: None,
            attributes: Vec::new(),
            tier: None,
            threat_protection: None,
            tags: unspanned(BTreeMap::new()),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawMfaFactors {
    software_token: bool,
    sms: bool,
    email: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignInPolicy {
    allowed_first_auth_factors: Spanned<Vec<AuthFactor>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebAuthn {
    relying_party_id: Spanned<String>,
    #[serde(default = "preferred")]
    user_verification: UserVerification,
    factor_configuration: Option<PasskeyFactor>,
}

fn preferred() -> UserVerification {
    UserVerification::Preferred
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: AttributeKind,
    #[serde(default = "yes")]
    mutable: bool,
    min_length: Option<Spanned<i64>>,
    max_length: Option<Spanned<i64>>,
    min_value: Option<Spanned<i64>>,
    max_value: Option<Spanned<i64>>,
}

fn yes() -> bool {
    true
}

/// What AWS needs before a pool can send SMS.
const NO_SMS: &str = "Cognito sends SMS only with an SMS configuration: set [pool.sms] sns_caller_arn (an IAM \
     role it assumes to publish through Amazon SNS) and external_id";

/// The pool, and the names of its custom attributes (for the clients' attribute lists).
/// `domain` is the spec's `[domain]`, whose prefix or custom domain passkeys may be bound to.
pub(super) fn desired(raw: RawPool, domain: Option<&Domain>, loc: &Locator) -> Result<(Pool, Vec<String>), SpecError> {
    check_pool_name(raw.name.get_ref()).map_err(|m| loc.on(&raw.name, m))?;
    let username_attributes = raw.username_attributes.get_ref();
    if username_attributes.is_empty() {
        return Err(loc.on(
            &raw.username_attributes,
            "username_attributes must name at least one of \"email\", \"phone_number\"",
        ));
    }
    let sms = raw.sms.map(|sms| senders::sms(sms.into_inner(), loc)).transpose()?;
    if username_attributes.contains(&Attribute::PhoneNumber) && sms.is_none() {
        return Err(loc.on(
            &raw.username_attributes,
            format!("phone_number sign-in needs codes sent by SMS. {NO_SMS}; use [\"email\"]"),
        ));
    }
    if raw.auto_verified_attributes.get_ref().contains(&Attribute::PhoneNumber) && sms.is_none() {
        return Err(loc.on(
            &raw.auto_verified_attributes,
            format!("verifying phone_number sends an SMS. {NO_SMS}; use [\"email\"] or []"),
        ));
    }
    let mfa = *raw.mfa.get_ref();
    let mfa_span = raw.mfa.span();
    let sign_in_span = raw.sign_in_policy.as_ref().map(Spanned::span);
    let web_authn_span = raw.web_authn.as_ref().map(Spanned::span);
    let factors = &raw.mfa_factors;
    if mfa.is_on() && !(factors.software_token || factors.sms || factors.email) {
        return Err(loc.on(
            &raw.mfa,
            format!(
                "mfa = \"{}\" needs a second factor, and AWS refuses MFA without one (\"SMS configuration and Auto \
                 verification for phone_number are required when MFA is required/optional\"). Set one of \
                 [pool.mfa_factors] software_token = true (authenticator apps), sms = true (with [pool.sms]) or \
                 email = true (with [pool.email], Amazon SES)",
                mfa.as_aws().to_ascii_lowercase()
            ),
        ));
    }
    let policy = *raw.password_policy.get_ref();
    if !(6..=99).contains(&policy.minimum_length) {
        return Err(loc.on(
            &raw.password_policy,
            format!(
                "password_policy.minimum_length is {}; Cognito accepts 6 to 99",
                policy.minimum_length
            ),
        ));
    }
    let recovery = raw.account_recovery.get_ref();
    let recovery_error = if recovery.is_empty() || recovery.len() > 2 {
        Some("account_recovery lists one or two mechanisms, in priority order")
    } else if recovery.contains(&Recovery::AdminOnly) && recovery.len() > 1 {
        Some("account_recovery \"admin_only\" cannot be combined with another mechanism")
    } else if recovery.len() == 2 && recovery[0] == recovery[1] {
        Some("account_recovery lists a mechanism twice")
    } else {
        None
    };
    if let Some(message) = recovery_error {
        return Err(loc.on(
            &raw.account_recovery,
            format!("{message}; accepted: \"verified_email\", \"verified_phone_number\", \"admin_only\""),
        ));
    }
    if let Some(mode) = &raw.threat_protection
        && mode.get_ref().needs_plus()
        && raw.tier != Some(Tier::Plus)
    {
        return Err(loc.on(
            mode,
            "threat_protection \"audit\" or \"enforced\" needs the Plus feature plan: set [pool] tier = \"plus\"",
        ));
    }
    let tags = raw.tags.get_ref();
    check_tags(tags).map_err(|m| loc.on(&raw.tags, m))?;
    let email = match raw.email {
        None => Email::Cognito,
        Some(email) => ses_email(email.into_inner(), loc)?,
    };
    let first_factors = raw
        .sign_in_policy
        .as_ref()
        .map(|policy| first_factors(policy, loc))
        .transpose()?;
    let web_authn = raw
        .web_authn
        .map(|passkeys| web_authn(passkeys, domain, loc))
        .transpose()?;
    if first_factors
        .as_deref()
        .is_some_and(|f| f.contains(&AuthFactor::WebAuthn))
        && web_authn.is_none()
    {
        let policy = raw.sign_in_policy.as_ref().expect("first factors come from the policy");
        return Err(loc.on(
            policy,
            "the web_authn first factor (passkeys) needs [pool.web_authn] relying_party_id: the domain passkeys are \
             registered for",
        ));
    }
    let log_delivery = raw
        .log_delivery
        .map(|deliveries| log_delivery(deliveries, raw.tier, loc))
        .transpose()?;
    let risk = raw
        .risk_configuration
        .map(|risk| security::risk(risk, raw.threat_protection.as_ref().map(|t| *t.get_ref()), &email, loc))
        .transpose()?;
    let custom_attributes = custom_attributes(raw.attributes, loc)?;
    let names = custom_attributes.iter().map(CustomAttribute::aws_name).collect();

    let name = raw.name.into_inner();
    let mut tags = raw.tags.into_inner();
    tags.insert(MANAGED_TAG.to_owned(), name.clone());
    let pool = Pool {
        name,
        username_attributes: sorted(raw.username_attributes.into_inner()),
        case_sensitive: raw.case_sensitive,
        auto_verified_attributes: sorted(raw.auto_verified_attributes.into_inner()),
        mfa,
        software_token_mfa: mfa.is_on() && raw.mfa_factors.software_token,
        sms_mfa: mfa.is_on() && raw.mfa_factors.sms,
        email_mfa: mfa.is_on() && raw.mfa_factors.email,
        sms,
        first_factors,
        web_authn,
        log_delivery,
        risk,
        deletion_protection: raw.deletion_protection,
        password_policy: policy,
        account_recovery: raw.account_recovery.into_inner(),
        allow_admin_create_user_only: raw.allow_admin_create_user_only,
        email,
        custom_attributes,
        tier: raw.tier,
        threat_protection: raw.threat_protection.map(Spanned::into_inner),
        tags,
    };
    // Rules across settings: the error points at the setting that asks for the feature.
    let asking = |feature: &str| {
        let span = if feature.starts_with("passwordless") {
            sign_in_span.clone()
        } else if feature.starts_with("passkeys") {
            web_authn_span.clone()
        } else {
            None
        };
        span.unwrap_or_else(|| mfa_span.clone())
    };
    if pool.tier == Some(Tier::Lite)
        && let Some(feature) = pool.essentials_feature()
    {
        return Err(loc.at(
            asking(feature),
            format!(
                "{feature} needs the Essentials or Plus feature plan (AWS: \"The following features need to be \
                 disabled for the LITE pricing tier configured\"): set [pool] tier = \"essentials\" or \"plus\""
            ),
        ));
    }
    if let Some(missing) = pool.missing_sender() {
        let codes_first = pool
            .first_factors
            .as_deref()
            .is_some_and(|f| f.contains(&AuthFactor::EmailOtp) || f.contains(&AuthFactor::SmsOtp));
        let span = sign_in_span.filter(|_| codes_first).unwrap_or(mfa_span);
        return Err(loc.at(span, missing));
    }
    Ok((pool, names))
}

/// The model's RegionCodeType (5 to 32 characters) in AWS's shape: `us-east-1`, `ap-southeast-2`.
pub(super) fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    (5..=32).contains(&region.len())
        && parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

fn first_factors(raw: &Spanned<RawSignInPolicy>, loc: &Locator) -> Result<Vec<AuthFactor>, SpecError> {
    let listed = &raw.get_ref().allowed_first_auth_factors;
    let factors = sorted(listed.get_ref().clone());
    if factors.len() != listed.get_ref().len() {
        return Err(loc.on(listed, "allowed_first_auth_factors lists a factor twice"));
    }
    // The console: "The Password option is always available"; CDK refuses password: false.
    if !factors.contains(&AuthFactor::Password) {
        return Err(loc.on(
            listed,
            format!(
                "allowed_first_auth_factors must include \"password\" (Cognito always offers it); accepted: {}",
                AuthFactor::SPEC_NAMES.join(", ")
            ),
        ));
    }
    Ok(factors)
}

/// Passkeys, bound to a domain the pool serves: its prefix domain or its custom domain (the
/// spec's `[domain]`).
fn web_authn(raw: Spanned<RawWebAuthn>, domain: Option<&Domain>, loc: &Locator) -> Result<WebAuthn, SpecError> {
    let raw = raw.into_inner();
    let id = raw.relying_party_id.get_ref();
    // The model's RelyingPartyIdType.
    if id.len() > 127 {
        return Err(loc.on(
            &raw.relying_party_id,
            "relying_party_id is longer than 127 characters, which AWS refuses: passkeys need a shorter domain",
        ));
    }
    let Some(domain) = domain else {
        return Err(loc.on(
            &raw.relying_party_id,
            "passkeys are bound to a domain the pool serves, and the spec declares none: add [domain] prefix, and \
             set relying_party_id to \"<prefix>.auth.<region>.amazoncognito.com\" (or to [domain.custom] name)",
        ));
    };
    let prefix = &domain.prefix;
    let region = id
        .strip_prefix(prefix.as_str())
        .and_then(|rest| rest.strip_prefix(".auth."))
        .and_then(|rest| rest.strip_suffix(".amazoncognito.com"));
    let custom = domain.custom.as_ref().map(|c| c.name.as_str());
    // AWS: with a custom domain, passkeys used through the login pages must name it.
    let served = match custom {
        Some(name) => id == name,
        None => region.is_some_and(is_region),
    };
    if !served {
        let expected = match custom {
            Some(name) => {
                format!("the pool's custom domain, {name:?} (a pool with a custom domain binds passkeys to it)")
            }
            None => format!(
                "the pool's domain, \"{prefix}.auth.<region>.amazoncognito.com\" (its [domain] prefix in the pool's region)"
            ),
        };
        return Err(loc.on(
            &raw.relying_party_id,
            format!("relying_party_id {id:?} is not a domain the pool serves: passkeys are bound to {expected}"),
        ));
    }
    Ok(WebAuthn {
        relying_party_id: raw.relying_party_id.into_inner(),
        user_verification: raw.user_verification,
        factor: raw.factor_configuration,
    })
}

fn check_pool_name(name: &str) -> Result<(), String> {
    let ok = (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "pool.name {name:?} is not a valid pool name; accepted: 1 to 128 letters, digits, spaces and + = , . @ - _"
        ))
    }
}

/// AWS's tag rules, and this project's key kept for itself.
fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), String> {
    if tags.len() > 49 {
        return Err("a pool has at most 50 tags, one of them the provisioner's own".into());
    }
    for (key, value) in tags {
        if key == MANAGED_TAG {
            return Err(format!(
                "tag {key:?} is the provisioner's own (it marks the pools it manages); choose another key"
            ));
        }
        if key.is_empty() || key.chars().count() > 128 || key.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!(
                "tag key {key:?} is not valid; accepted: 1 to 128 characters, not starting with \"aws:\""
            ));
        }
        if value.chars().count() > 256 {
            return Err(format!("the value of tag {key:?} is longer than 256 characters"));
        }
    }
    Ok(())
}

fn custom_attributes(raw: Vec<Spanned<RawAttribute>>, loc: &Locator) -> Result<Vec<CustomAttribute>, SpecError> {
    if raw.len() > 50 {
        return Err(loc.on(&raw[50], "a pool has at most 50 custom attributes"));
    }
    let mut attributes: Vec<CustomAttribute> = Vec::new();
    for spanned in raw {
        let attribute = spanned.get_ref();
        let name = attribute.name.get_ref();
        let name_ok = (1..=20).contains(&name.chars().count())
            && !name.starts_with("custom:")
            && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(loc.on(
                &attribute.name,
                format!(
                    "custom attribute name {name:?} is not valid; accepted: 1 to 20 letters, digits, _ and -, \
                     without the \"custom:\" prefix (Cognito adds it)"
                ),
            ));
        }
        if attributes.iter().any(|a| &a.name == name) {
            return Err(loc.on(&attribute.name, format!("custom attribute {name:?} is listed twice")));
        }
        let (min, max, allowed) = match attribute.kind {
            AttributeKind::String => (
                &attribute.min_length,
                &attribute.max_length,
                "min_length and max_length",
            ),
            AttributeKind::Number => (&attribute.min_value, &attribute.max_value, "min_value and max_value"),
            AttributeKind::Datetime | AttributeKind::Boolean => (&None, &None, "no bounds"),
        };
        let stray = [
            &attribute.min_length,
            &attribute.max_length,
            &attribute.min_value,
            &attribute.max_value,
        ]
        .into_iter()
        .flatten()
        .find(|bound| ![min, max].into_iter().flatten().any(|b| std::ptr::eq(b, *bound)));
        if let Some(bound) = stray {
            return Err(loc.on(bound, format!("a custom attribute of this type takes {allowed}")));
        }
        let (min_v, max_v) = (min.as_ref().map(|v| *v.get_ref()), max.as_ref().map(|v| *v.get_ref()));
        if attribute.kind == AttributeKind::String
            && [min_v, max_v].into_iter().flatten().any(|v| !(0..=2048).contains(&v))
        {
            return Err(loc.on(
                &spanned,
                format!("custom attribute {name:?}: string lengths are 0 to 2048"),
            ));
        }
        if let (Some(lo), Some(hi)) = (min_v, max_v)
            && lo > hi
        {
            return Err(loc.on(
                &spanned,
                format!("custom attribute {name:?}: the minimum is above the maximum"),
            ));
        }
        attributes.push(CustomAttribute {
            name: name.clone(),
            kind: attribute.kind,
            mutable: attribute.mutable,
            min: min_v,
            max: max_v,
        });
    }
    Ok(attributes)
}
