//! The pool's feature plan (UserPoolTier) and threat protection (UserPoolAddOns), and which
//! settings need which plan.

use super::Pool;

closed_set! {
    /// The pool's feature plan (UserPoolTier).
    pub enum Tier {
        Lite = ("lite", "LITE"),
        Essentials = ("essentials", "ESSENTIALS"),
        Plus = ("plus", "PLUS"),
    }
}

impl Tier {
    /// Whether the plan allows access-token customization (pre token generation V2_0 and
    /// V3_0): Essentials and Plus do, Lite does not.
    pub const fn customizes_access_tokens(self) -> bool {
        match self {
            Tier::Lite => false,
            Tier::Essentials | Tier::Plus => true,
        }
    }
}

closed_set! {
    /// Threat protection (UserPoolAddOns.AdvancedSecurityMode); needs the Plus plan unless off.
    pub enum ThreatProtection {
        Off = ("off", "OFF"),
        Audit = ("audit", "AUDIT"),
        Enforced = ("enforced", "ENFORCED"),
    }
}

impl Pool {
    /// The first setting of the spec that needs the Plus plan beside threat protection:
    /// exporting user authentication events.
    pub fn plus_feature(&self) -> Option<&'static str> {
        self.log_delivery
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|d| d.event_source.needs_plus())
            .then_some("the export of user authentication events ([[pool.log_delivery]] user_auth_events)")
    }
}

impl ThreatProtection {
    /// The feature plan the mode needs: any mode but off needs Plus.
    pub const fn needs_plus(self) -> bool {
        match self {
            ThreatProtection::Off => false,
            ThreatProtection::Audit | ThreatProtection::Enforced => true,
        }
    }
}
