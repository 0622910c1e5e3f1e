//! MFA, which SetUserPoolMfaConfig changes apart from UpdateUserPool: the mode, and the
//! factors (authenticator apps, SMS and email codes), which count only while MFA is on
//! ([`Pool::manages_factors`], the one place that rule is written); and passkeys, which the
//! same call sets whatever the mode.

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::{
    SetUserPoolMfaConfigInput, builders::SetUserPoolMfaConfigInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaConfigType, SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};

use super::Pool;
use crate::desired::{Field, field};

closed_set! {
    /// The pool's MFA mode (MfaConfiguration).
    pub enum Mfa {
        Off = ("off", "OFF"),
        On = ("on", "ON"),
        Optional = ("optional", "OPTIONAL"),
    }
}

impl Mfa {
    /// Whether users are asked (or may choose) to use a second factor.
    pub const fn is_on(self) -> bool {
        match self {
            Mfa::Off => false,
            Mfa::On | Mfa::Optional => true,
        }
    }
}

impl Pool {
    /// Whether the second factors are the spec's to manage: AWS refuses any factor beside
    /// MfaConfiguration OFF, so only while MFA is on.
    pub const fn manages_factors(&self) -> bool {
        self.mfa.is_on()
    }

    /// Whether authenticator apps (TOTP) are a factor of the pool: asked for, while MFA is on.
    pub const fn uses_software_token(&self) -> bool {
        self.manages_factors() && self.software_token_mfa
    }

    /// Whether SMS codes are a second factor: asked for, while MFA is on.
    pub const fn uses_sms_mfa(&self) -> bool {
        self.manages_factors() && self.sms_mfa
    }

    /// Whether email codes are a second factor: asked for, while MFA is on.
    pub const fn uses_email_mfa(&self) -> bool {
        self.manages_factors() && self.email_mfa
    }

    /// What SetUserPoolMfaConfig changes, for the plan: the mode, the factors while it is on,
    /// and passkeys when the spec declares them.
    pub fn mfa_fields(&self) -> Vec<Field> {
        let mut fields = vec![field("mfa", self.mfa.as_aws())];
        if self.manages_factors() {
            fields.push(field("mfa_factors.software_token", self.software_token_mfa));
            fields.push(field("mfa_factors.sms", self.sms_mfa));
            fields.push(field("mfa_factors.email", self.email_mfa));
        }
        if let Some(passkeys) = &self.web_authn {
            fields.push(field("web_authn.relying_party_id", &passkeys.relying_party_id));
            fields.push(field(
                "web_authn.user_verification",
                passkeys.user_verification.as_aws(),
            ));
            if let Some(factor) = passkeys.factor {
                fields.push(field("web_authn.factor_configuration", factor.as_aws()));
            }
        }
        fields
    }

    /// The MFA of a pool that does not exist yet: a new pool starts with MFA off.
    pub fn new_pool_mfa_fields() -> Vec<Field> {
        vec![field("mfa", Mfa::Off.as_aws())]
    }

    /// SetUserPoolMfaConfig for `pool_id`, over `current` (GetUserPoolMfaConfig, when read).
    /// It replaces the whole MFA configuration, so what the spec leaves alone (the messages,
    /// passkeys it does not declare) is sent back; AWS refuses any factor beside
    /// MfaConfiguration OFF, so none goes with it.
    pub fn mfa_request(
        &self,
        pool_id: &str,
        current: Option<&GetUserPoolMfaConfigOutput>,
    ) -> SetUserPoolMfaConfigInputBuilder {
        let on = self.mfa.is_on();
        SetUserPoolMfaConfigInput::builder()
            .user_pool_id(pool_id)
            .mfa_configuration(UserPoolMfaType::from(self.mfa.as_aws()))
            .set_software_token_mfa_configuration(on.then(|| {
                SoftwareTokenMfaConfigType::builder()
                    .enabled(self.software_token_mfa)
                    .build()
            }))
            .set_sms_mfa_configuration(self.uses_sms_mfa().then(|| {
                let current = current.and_then(|m| m.sms_mfa_configuration());
                SmsMfaConfigType::builder()
                    .set_sms_authentication_message(
                        current.and_then(|c| c.sms_authentication_message()).map(str::to_owned),
                    )
                    // The pool's SMS sender: the spec's, or the one the pool has.
                    .set_sms_configuration(
                        self.sms
                            .as_ref()
                            .map(|sms| sms.to_aws(current.and_then(|c| c.sms_configuration())))
                            .or_else(|| current.and_then(|c| c.sms_configuration()).cloned()),
                    )
                    .build()
            }))
            .set_email_mfa_configuration(self.uses_email_mfa().then(|| {
                let current = current.and_then(|m| m.email_mfa_configuration());
                EmailMfaConfigType::builder()
                    .set_message(current.and_then(|c| c.message()).map(str::to_owned))
                    .set_subject(current.and_then(|c| c.subject()).map(str::to_owned))
                    .build()
            }))
            .set_web_authn_configuration({
                let current = current.and_then(|m| m.web_authn_configuration());
                match &self.web_authn {
                    Some(passkeys) => Some(passkeys.to_aws(current)),
                    None => current.cloned(),
                }
            })
    }
}
