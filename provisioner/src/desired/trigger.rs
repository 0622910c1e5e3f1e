//! Every Cognito trigger, and the one place that knows each trigger's names: its key in
//! cognito.toml, its field in the pool's LambdaConfig (API and CloudFormation), the prefix of
//! the trigger sources Cognito sends it, and the versions AWS lets it choose. Every `match`
//! over [`Trigger`] is exhaustive, so a trigger added here cannot be forgotten elsewhere.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_cognitoidentityprovider::types::{
    CustomEmailLambdaVersionConfigType, CustomEmailSenderLambdaVersionType, CustomSmsLambdaVersionConfigType,
    CustomSmsSenderLambdaVersionType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    CustomMessage,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    UserMigration,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    CustomEmailSender,
    CustomSmsSender,
}

closed_set! {
    /// A trigger's event version, where AWS versions the trigger; the spec spells it as AWS.
    pub enum Version {
        V1_0 = ("V1_0", "V1_0"),
        V2_0 = ("V2_0", "V2_0"),
        V3_0 = ("V3_0", "V3_0"),
    }
}

impl Version {
    pub fn parse(text: &str) -> Option<Self> {
        Self::from_spec(text)
    }
}

impl Trigger {
    /// Whether `version` of this trigger needs a feature plan that allows access-token
    /// customization ([`crate::desired::Tier::customizes_access_tokens`]): pre token
    /// generation's V2_0 and V3_0 do; every other trigger and version works on any plan.
    pub fn needs_token_customization(self, version: Option<Version>) -> bool {
        self == Trigger::PreTokenGeneration && matches!(version, Some(Version::V2_0 | Version::V3_0))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_aws())
    }
}

impl Trigger {
    pub const ALL: [Trigger; 12] = [
        Trigger::PreSignUp,
        Trigger::PostConfirmation,
        Trigger::CustomMessage,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::PreTokenGeneration,
        Trigger::UserMigration,
        Trigger::DefineAuthChallenge,
        Trigger::CreateAuthChallenge,
        Trigger::VerifyAuthChallengeResponse,
        Trigger::CustomEmailSender,
        Trigger::CustomSmsSender,
    ];

    /// The key in cognito.toml's `[triggers]`.
    pub const fn spec_key(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "pre_sign_up",
            Trigger::PostConfirmation => "post_confirmation",
            Trigger::CustomMessage => "custom_message",
            Trigger::PreAuthentication => "pre_authentication",
            Trigger::PostAuthentication => "post_authentication",
            Trigger::PreTokenGeneration => "pre_token_generation",
            Trigger::UserMigration => "user_migration",
            Trigger::DefineAuthChallenge => "define_auth_challenge",
            Trigger::CreateAuthChallenge => "create_auth_challenge",
            Trigger::VerifyAuthChallengeResponse => "verify_auth_challenge_response",
            Trigger::CustomEmailSender => "custom_email_sender",
            Trigger::CustomSmsSender => "custom_sms_sender",
        }
    }

    /// The LambdaConfig member, as the API and CloudFormation (`AWS::Cognito::UserPool`
    /// `LambdaConfig`) both spell it. Pre-token generation also has the versioned
    /// `PreTokenGenerationConfig`, set beside it (see [`Trigger::set`]).
    pub const fn lambda_config_key(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::UserMigration => "UserMigration",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }

    /// The prefix of the `triggerSource` values Cognito sends this trigger's function.
    pub const fn source_prefix(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp_",
            Trigger::PostConfirmation => "PostConfirmation_",
            Trigger::CustomMessage => "CustomMessage_",
            Trigger::PreAuthentication => "PreAuthentication_",
            Trigger::PostAuthentication => "PostAuthentication_",
            Trigger::PreTokenGeneration => "TokenGeneration_",
            Trigger::UserMigration => "UserMigration_",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge_",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge_",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse_",
            Trigger::CustomEmailSender => "CustomEmailSender_",
            Trigger::CustomSmsSender => "CustomSMSSender_",
        }
    }

    /// The event versions AWS accepts for this trigger; empty when it is not versioned.
    pub const fn versions(self) -> &'static [Version] {
        match self {
            Trigger::PreTokenGeneration => &[Version::V1_0, Version::V2_0, Version::V3_0],
            Trigger::CustomEmailSender | Trigger::CustomSmsSender => &[Version::V1_0],
            Trigger::PreSignUp
            | Trigger::PostConfirmation
            | Trigger::CustomMessage
            | Trigger::PreAuthentication
            | Trigger::PostAuthentication
            | Trigger::UserMigration
            | Trigger::DefineAuthChallenge
            | Trigger::CreateAuthChallenge
            | Trigger::VerifyAuthChallengeResponse => &[],
        }
    }

    /// The version used when the spec names none: the first AWS accepts.
    pub fn default_version(self) -> Option<Version> {
        self.versions().first().copied()
    }

    /// Whether the trigger needs `[triggers] kms_key_id` (Cognito encrypts the codes it sends
    /// to the custom senders with that key).
    pub const fn needs_kms_key(self) -> bool {
        match self {
            Trigger::CustomEmailSender | Trigger::CustomSmsSender => true,
            Trigger::PreSignUp
            | Trigger::PostConfirmation
            | Trigger::CustomMessage
            | Trigger::PreAuthentication
            | Trigger::PostAuthentication
            | Trigger::PreTokenGeneration
            | Trigger::UserMigration
            | Trigger::DefineAuthChallenge
            | Trigger::CreateAuthChallenge
            | Trigger::VerifyAuthChallengeResponse => false,
        }
    }

    pub fn from_spec_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.spec_key() == key)
    }

    /// The function wired to this trigger in `config`, as AWS reports it.
    pub fn get(self, config: &LambdaConfigType) -> Option<Wired> {
        let plain = |arn: &Option<String>| {
            arn.as_ref().map(|arn| Wired {
                function: arn.clone(),
                version: None,
            })
        };
        match self {
            Trigger::PreSignUp => plain(&config.pre_sign_up),
            Trigger::PostConfirmation => plain(&config.post_confirmation),
            Trigger::CustomMessage => plain(&config.custom_message),
            Trigger::PreAuthentication => plain(&config.pre_authentication),
            Trigger::PostAuthentication => plain(&config.post_authentication),
            Trigger::UserMigration => plain(&config.user_migration),
            Trigger::DefineAuthChallenge => plain(&config.define_auth_challenge),
            Trigger::CreateAuthChallenge => plain(&config.create_auth_challenge),
            Trigger::VerifyAuthChallengeResponse => plain(&config.verify_auth_challenge_response),
            // The versioned config wins; a pool wired before versions existed has only the
            // legacy field, which AWS treats as V1_0.
            Trigger::PreTokenGeneration => match &config.pre_token_generation_config {
                Some(versioned) => Some(Wired {
                    function: versioned.lambda_arn.clone(),
                    version: Version::parse(versioned.lambda_version.as_str()),
                }),
                None => plain(&config.pre_token_generation).map(|wired| Wired {
                    version: Some(Version::V1_0),
                    ..wired
                }),
            },
            Trigger::CustomEmailSender => config.custom_email_sender.as_ref().map(|sender| Wired {
                function: sender.lambda_arn.clone(),
                version: Version::parse(sender.lambda_version.as_str()),
            }),
            Trigger::CustomSmsSender => config.custom_sms_sender.as_ref().map(|sender| Wired {
                function: sender.lambda_arn.clone(),
                version: Version::parse(sender.lambda_version.as_str()),
            }),
        }
    }

    /// Wires `arn` (with `version` where the trigger is versioned) into `config`.
    pub fn set(self, config: &mut LambdaConfigType, arn: &str, version: Option<Version>) {
        let version = version.or(self.default_version()).unwrap_or(Version::V1_0);
        let plain = Some(arn.to_owned());
        match self {
            Trigger::PreSignUp => config.pre_sign_up = plain,
            Trigger::PostConfirmation => config.post_confirmation = plain,
            Trigger::CustomMessage => config.custom_message = plain,
            Trigger::PreAuthentication => config.pre_authentication = plain,
            Trigger::PostAuthentication => config.post_authentication = plain,
            Trigger::UserMigration => config.user_migration = plain,
            Trigger::DefineAuthChallenge => config.define_auth_challenge = plain,
            Trigger::CreateAuthChallenge => config.create_auth_challenge = plain,
            Trigger::VerifyAuthChallengeResponse => config.verify_auth_challenge_response = plain,
            // AWS: when both are set, PreTokenGeneration must equal
            // PreTokenGenerationConfig.LambdaArn; setting both keeps older readers right.
            Trigger::PreTokenGeneration => {
                config.pre_token_generation = plain;
                config.pre_token_generation_config = PreTokenGenerationVersionConfigType::builder()
                    .lambda_arn(arn)
                    .lambda_version(PreTokenGenerationLambdaVersionType::from(version.as_aws()))
                    .build()
                    .ok();
            }
            Trigger::CustomEmailSender => {
                config.custom_email_sender = CustomEmailLambdaVersionConfigType::builder()
                    .lambda_arn(arn)
                    .lambda_version(CustomEmailSenderLambdaVersionType::from(version.as_aws()))
                    .build()
                    .ok();
            }
            Trigger::CustomSmsSender => {
                config.custom_sms_sender = CustomSmsLambdaVersionConfigType::builder()
                    .lambda_arn(arn)
                    .lambda_version(CustomSmsSenderLambdaVersionType::from(version.as_aws()))
                    .build()
                    .ok();
            }
        }
    }
}

impl Trigger {
    /// The trigger's members of a CloudFormation `LambdaConfig`, with `arn` (a string or an
    /// intrinsic function) as the function. Versioned triggers take an object; pre-token
    /// generation also gets the legacy member, which AWS wants equal to the versioned one.
    pub fn cloudformation(
        self,
        arn: &serde_json::Value,
        version: Option<Version>,
    ) -> Vec<(&'static str, serde_json::Value)> {
        let version = version.or(self.default_version()).unwrap_or(Version::V1_0);
        let versioned = serde_json::json!({"LambdaArn": arn, "LambdaVersion": version.as_aws()});
        match self {
            Trigger::PreTokenGeneration => vec![
                ("PreTokenGeneration", arn.clone()),
                ("PreTokenGenerationConfig", versioned),
            ],
            Trigger::CustomEmailSender | Trigger::CustomSmsSender => vec![(self.lambda_config_key(), versioned)],
            Trigger::PreSignUp
            | Trigger::PostConfirmation
            | Trigger::CustomMessage
            | Trigger::PreAuthentication
            | Trigger::PostAuthentication
            | Trigger::UserMigration
            | Trigger::DefineAuthChallenge
            | Trigger::CreateAuthChallenge
            | Trigger::VerifyAuthChallengeResponse => vec![(self.lambda_config_key(), arn.clone())],
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec_key())
    }
}

/// A function wired to a trigger: as the spec names it (a function name or ARN), or as AWS
/// reports it (an ARN), with its event version where the trigger is versioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wired {
    pub function: String,
    pub version: Option<Version>,
}

impl fmt::Display for Wired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.function)?;
        match self.version {
            Some(version) => write!(f, " ({version})"),
            None => Ok(()),
        }
    }
}

/// The trigger wiring the spec manages. A trigger the spec does not list is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triggers {
    pub wired: BTreeMap<Trigger, Wired>,
    /// The KMS key Cognito encrypts codes with for the custom senders.
    pub kms_key_id: Option<String>,
}

impl Triggers {
    /// Every trigger `config` wires, as AWS reports it.
    pub fn from_aws(config: Option<&LambdaConfigType>) -> Self {
        let Some(config) = config else {
            return Self::default();
        };
        Self {
            wired: Trigger::ALL
                .into_iter()
                .filter_map(|trigger| Some((trigger, trigger.get(config)?)))
                .collect(),
            kms_key_id: config.kms_key_id.clone(),
        }
    }

    /// The distinct functions wired, in order.
    pub fn functions(&self) -> Vec<&str> {
        let mut functions: Vec<&str> = self.wired.values().map(|w| w.function.as_str()).collect();
        functions.sort_unstable();
        functions.dedup();
        functions
    }

    /// `base` (what AWS has, so unmanaged triggers stay) with these triggers wired to the
    /// ARNs `resolve` gives their functions.
    pub fn overlay(&self, base: Option<&LambdaConfigType>, resolve: impl Fn(&str) -> String) -> LambdaConfigType {
        let mut config = base.cloned().unwrap_or_else(|| LambdaConfigType::builder().build());
        for (trigger, wired) in &self.wired {
            trigger.set(&mut config, &resolve(&wired.function), wired.version);
        }
        if self.kms_key_id.is_some() {
            config.kms_key_id.clone_from(&self.kms_key_id);
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trigger_round_trips_through_lambda_config() {
        for trigger in Trigger::ALL {
            let mut config = LambdaConfigType::builder().build();
            let version = trigger.versions().last().copied();
            trigger.set(&mut config, "arn:aws:lambda:us-east-1:1:function:f", version);
            assert_eq!(
                trigger.get(&config),
                Some(Wired {
                    function: "arn:aws:lambda:us-east-1:1:function:f".into(),
                    version
                }),
                "{trigger}"
            );
            // Setting one trigger wires no other.
            let others = Trigger::ALL.into_iter().filter(|t| *t != trigger);
            assert!(others.clone().all(|t| t.get(&config).is_none()), "{trigger} leaked");
        }
    }

    #[test]
    fn names_are_distinct_and_spec_keys_parse_back() {
        for (i, a) in Trigger::ALL.iter().enumerate() {
            assert_eq!(Trigger::from_spec_key(a.spec_key()), Some(*a));
            for b in &Trigger::ALL[i + 1..] {
                assert_ne!(a.spec_key(), b.spec_key());
                assert_ne!(a.lambda_config_key(), b.lambda_config_key());
                assert_ne!(a.source_prefix(), b.source_prefix());
            }
        }
    }

    #[test]
    fn pre_token_generation_sets_both_fields_alike() {
        let mut config = LambdaConfigType::builder().build();
        Trigger::PreTokenGeneration.set(&mut config, "arn:f", Some(Version::V2_0));
        assert_eq!(config.pre_token_generation.as_deref(), Some("arn:f"));
        let versioned = config.pre_token_generation_config.unwrap();
        assert_eq!(versioned.lambda_arn, "arn:f");
        assert_eq!(versioned.lambda_version.as_str(), "V2_0");
    }

    #[test]
    fn a_legacy_pre_token_wiring_reads_as_v1() {
        let config = LambdaConfigType::builder().pre_token_generation("arn:f").build();
        assert_eq!(
            Trigger::PreTokenGeneration.get(&config).unwrap().version,
            Some(Version::V1_0)
        );
    }

    #[test]
    fn overlay_keeps_what_the_spec_does_not_manage() {
        let base = LambdaConfigType::builder()
            .user_migration("arn:migrate")
            .pre_sign_up("arn:old")
            .build();
        let mut triggers = Triggers::default();
        triggers.wired.insert(
            Trigger::PreSignUp,
            Wired {
                function: "pre-signup".into(),
                version: None,
            },
        );
        let config = triggers.overlay(Some(&base), |f| format!("arn:{f}"));
        assert_eq!(config.pre_sign_up.as_deref(), Some("arn:pre-signup"));
        assert_eq!(config.user_migration.as_deref(), Some("arn:migrate"));
    }
}
