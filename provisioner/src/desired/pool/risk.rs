//! Threat protection's tuning (SetRiskConfiguration, apart from UpdateUserPool): what happens
//! on compromised credentials and at each account-takeover risk level, whether users are told
//! by email, and the IP ranges always blocked or never judged. It applies to the whole pool
//! (no ClientId) and needs threat protection on.

use aws_sdk_cognitoidentityprovider::operation::set_risk_configuration::{
    SetRiskConfigurationInput, builders::SetRiskConfigurationInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{
    AccountTakeoverActionType, AccountTakeoverActionsType, AccountTakeoverEventActionType,
    AccountTakeoverRiskConfigurationType, CompromisedCredentialsActionsType, CompromisedCredentialsEventActionType,
    CompromisedCredentialsRiskConfigurationType, EventFilterType, NotifyConfigurationType, RiskConfigurationType,
    RiskExceptionConfigurationType,
};

use super::{Email, Pool};
use crate::desired::{Field, field, list};

closed_set! {
    /// What Cognito does with a sign-in, sign-up or password change that uses a leaked password.
    pub enum CredentialsAction {
        Block = ("block", "BLOCK"),
        NoAction = ("no_action", "NO_ACTION"),
    }
}

closed_set! {
    /// The events compromised credentials are checked at (EventFilter).
    pub enum CredentialsEvent {
        SignIn = ("sign_in", "SIGN_IN"),
        PasswordChange = ("password_change", "PASSWORD_CHANGE"),
        SignUp = ("sign_up", "SIGN_UP"),
    }
}

closed_set! {
    /// What Cognito does at an account-takeover risk level.
    pub enum TakeoverAction {
        Block = ("block", "BLOCK"),
        MfaIfConfigured = ("mfa_if_configured", "MFA_IF_CONFIGURED"),
        MfaRequired = ("mfa_required", "MFA_REQUIRED"),
        NoAction = ("no_action", "NO_ACTION"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub compromised_credentials: CredentialsAction,
    /// Sorted.
    pub compromised_credentials_events: Vec<CredentialsEvent>,
    /// At the low, medium and high risk levels.
    pub account_takeover: [TakeoverAction; 3],
    /// Email the user at each account-takeover action, from the pool's SES sender.
    pub notify: bool,
    /// CIDR ranges always blocked.
    pub blocked_ip_ranges: Vec<String>,
    /// CIDR ranges never judged.
    pub skipped_ip_ranges: Vec<String>,
}

const LEVELS: [&str; 3] = ["low", "medium", "high"];

impl Risk {
    /// The configuration DescribeRiskConfiguration reports; what it leaves out is Cognito's
    /// default (no action, every event, no notice, no range).
    pub fn from_aws(config: Option<&RiskConfigurationType>) -> Self {
        let credentials = config.and_then(|c| c.compromised_credentials_risk_configuration());
        let takeover = config
            .and_then(|c| c.account_takeover_risk_configuration())
            .and_then(|t| t.actions());
        let level = |action: Option<&AccountTakeoverActionType>| {
            action
                .and_then(|a| TakeoverAction::from_aws(a.event_action().as_str()))
                .unwrap_or(TakeoverAction::NoAction)
        };
        let events: Vec<CredentialsEvent> = credentials
            .map(|c| c.event_filter())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| CredentialsEvent::from_aws(e.as_str()))
            .collect();
        let exceptions = config.and_then(|c| c.risk_exception_configuration());
        Self {
            compromised_credentials: credentials
                .and_then(|c| c.actions())
                .and_then(|a| CredentialsAction::from_aws(a.event_action().as_str()))
                .unwrap_or(CredentialsAction::NoAction),
            compromised_credentials_events: if events.is_empty() {
                CredentialsEvent::ALL.to_vec()
            } else {
                super::sorted(events)
            },
            account_takeover: [
                level(takeover.and_then(|a| a.low_action())),
                level(takeover.and_then(|a| a.medium_action())),
                level(takeover.and_then(|a| a.high_action())),
            ],
            notify: takeover.is_some_and(|a| {
                [a.low_action(), a.medium_action(), a.high_action()]
                    .into_iter()
                    .flatten()
                    .any(AccountTakeoverActionType::notify)
            }),
            blocked_ip_ranges: exceptions
                .map(|e| e.blocked_ip_range_list().to_vec())
                .unwrap_or_default(),
            skipped_ip_ranges: exceptions
                .map(|e| e.skipped_ip_range_list().to_vec())
                .unwrap_or_default(),
        }
    }

    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![
            field("risk.compromised_credentials", self.compromised_credentials.as_aws()),
            field(
                "risk.compromised_credentials_events",
                list(self.compromised_credentials_events.iter().map(|e| e.as_aws())),
            ),
        ];
        for (level, action) in LEVELS.iter().zip(self.account_takeover) {
            fields.push(field(&format!("risk.account_takeover.{level}"), action.as_aws()));
        }
        fields.push(field("risk.notify", self.notify));
        fields.push(field("risk.blocked_ip_ranges", list(&self.blocked_ip_ranges)));
        fields.push(field("risk.skipped_ip_ranges", list(&self.skipped_ip_ranges)));
        fields
    }
}

impl Pool {
    /// SetRiskConfiguration for the whole of `pool_id`. `None` when the spec leaves threat
    /// protection's tuning as it is. Notices go from the pool's SES sender.
    pub fn risk_request(&self, pool_id: &str) -> Option<SetRiskConfigurationInputBuilder> {
        let risk = self.risk.as_ref()?;
        let action = |action: TakeoverAction| {
            AccountTakeoverActionType::builder()
                .notify(risk.notify)
                .event_action(AccountTakeoverEventActionType::from(action.as_aws()))
                .build()
                .expect("both members are set")
        };
        let [low, medium, high] = risk.account_takeover;
        let notify = match (&self.email, risk.notify) {
            (Email::Ses(ses), true) => NotifyConfigurationType::builder()
                .source_arn(&ses.source_arn)
                .from(&ses.from)
                .set_reply_to(ses.reply_to.clone())
                .build()
                .ok(),
            _ => None,
        };
        Some(
            SetRiskConfigurationInput::builder()
                .user_pool_id(pool_id)
                .compromised_credentials_risk_configuration(
                    CompromisedCredentialsRiskConfigurationType::builder()
                        .set_event_filter(Some(
                            risk.compromised_credentials_events
                                .iter()
                                .map(|e| EventFilterType::from(e.as_aws()))
                                .collect(),
                        ))
                        .actions(
                            CompromisedCredentialsActionsType::builder()
                                .event_action(CompromisedCredentialsEventActionType::from(
                                    risk.compromised_credentials.as_aws(),
                                ))
                                .build()
                                .expect("the action is set"),
                        )
                        .build(),
                )
                .account_takeover_risk_configuration(
                    AccountTakeoverRiskConfigurationType::builder()
                        .set_notify_configuration(notify)
                        .actions(
                            AccountTakeoverActionsType::builder()
                                .low_action(action(low))
                                .medium_action(action(medium))
                                .high_action(action(high))
                                .build(),
                        )
                        .build(),
                )
                .risk_exception_configuration(
                    RiskExceptionConfigurationType::builder()
                        .set_blocked_ip_range_list(Some(risk.blocked_ip_ranges.clone()))
                        .set_skipped_ip_range_list(Some(risk.skipped_ip_ranges.clone()))
                        .build(),
                ),
        )
    }
}
