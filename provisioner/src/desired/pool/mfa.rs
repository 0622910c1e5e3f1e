//! MFA, which SetUserPoolMfaConfig changes apart from UpdateUserPool: the mode, and the
//! authenticator-app factor, which counts only while MFA is on ([`Pool::uses_software_token`],
//! the one place that rule is written).

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::operation::set_user_pool_mfa_config::{
    SetUserPoolMfaConfigInput, builders::SetUserPoolMfaConfigInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};

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
    /// Whether the authenticator-app factor is the spec's to manage: AWS refuses any factor
    /// beside MfaConfiguration OFF, so only while MFA is on.
    pub const fn manages_software_token(&self) -> bool {
        self.mfa.is_on()
    }

    /// Whether authenticator apps (TOTP) are a factor of the pool: asked for, while MFA is on.
    pub const fn uses_software_token(&self) -> bool {
        self.manages_software_token() && self.software_token_mfa
    }

    /// What SetUserPoolMfaConfig changes, for the plan: the mode, and the factor while it is on.
    pub fn mfa_fields(&self) -> Vec<Field> {
        let mut fields = vec![field("mfa", self.mfa.as_aws())];
        if self.manages_software_token() {
            fields.push(field("mfa_factors.software_token", self.software_token_mfa));
        }
        fields
    }

    /// The MFA of a pool that does not exist yet: a new pool starts with MFA off.
    pub fn new_pool_mfa_fields() -> Vec<Field> {
        vec![field("mfa", Mfa::Off.as_aws())]
    }

    /// SetUserPoolMfaConfig for `pool_id`, over `current` (GetUserPoolMfaConfig, when read).
    /// It replaces the whole MFA configuration, so the factors the spec does not manage are
    /// sent back; AWS refuses any factor beside MfaConfiguration OFF, so none goes with it.
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
            .set_sms_mfa_configuration(current.and_then(|m| m.sms_mfa_configuration()).filter(|_| on).cloned())
            .set_email_mfa_configuration(
                current
                    .and_then(|m| m.email_mfa_configuration())
                    .filter(|_| on)
                    .cloned(),
            )
            .set_web_authn_configuration(current.and_then(|m| m.web_authn_configuration()).cloned())
    }
}
