//! `[[pool.log_delivery]]` and `[pool.risk_configuration]`: where the pool's logs go, and
//! threat protection's tuning.

use serde::Deserialize;
use toml::Spanned;

use crate::desired::{
    CredentialsAction, CredentialsEvent, Email, EventSource, LogDelivery, Risk, TakeoverAction, ThreatProtection, Tier,
};
use crate::spec::{Locator, SpecError, sorted, unspanned};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLogDelivery {
    event_source: Spanned<EventSource>,
    destination: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRisk {
    #[serde(default = "no_action")]
    compromised_credentials: CredentialsAction,
    #[serde(default = "every_event")]
    compromised_credentials_events: Vec<CredentialsEvent>,
    #[serde(default)]
    account_takeover: RawTakeover,
    #[serde(default)]
    notify: bool,
    #[serde(default = "no_ranges")]
    blocked_ip_ranges: Spanned<Vec<String>>,
    #[serde(default = "no_ranges")]
    skipped_ip_ranges: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTakeover {
    low: TakeoverAction,
    medium: TakeoverAction,
    high: TakeoverAction,
}

impl Default for RawTakeover {
    fn default() -> Self {
        Self {
            low: TakeoverAction::NoAction,
            medium: TakeoverAction::NoAction,
            high: TakeoverAction::NoAction,
        }
    }
}

fn no_ranges() -> Spanned<Vec<String>> {
    unspanned(Vec::new())
}

fn no_action() -> CredentialsAction {
    CredentialsAction::NoAction
}

fn every_event() -> Vec<CredentialsEvent> {
    CredentialsEvent::ALL.to_vec()
}

/// One delivery per source, each to a destination AWS delivers to; user authentication
/// events only on the Plus plan.
pub(super) fn log_delivery(
    raw: Vec<Spanned<RawLogDelivery>>,
    tier: Option<Tier>,
    loc: &Locator,
) -> Result<Vec<LogDelivery>, SpecError> {
    let mut deliveries: Vec<LogDelivery> = Vec::new();
    for delivery in &raw {
        let delivery = delivery.get_ref();
        let source = *delivery.event_source.get_ref();
        if deliveries.iter().any(|d| d.event_source == source) {
            return Err(loc.on(
                &delivery.event_source,
                format!("{} is delivered once: one destination per source", source.as_spec()),
            ));
        }
        if source.needs_plus() && tier.is_some_and(|t| t != Tier::Plus) {
            return Err(loc.on(
                &delivery.event_source,
                "user_auth_events are exported on the Plus feature plan only: set [pool] tier = \"plus\"",
            ));
        }
        let arn = delivery.destination.get_ref();
        if crate::desired::pool::log_delivery::Destination::of(arn).is_none() {
            return Err(loc.on(
                &delivery.destination,
                format!(
                    "{arn:?} is not a destination Cognito delivers logs to; accepted: a CloudWatch Logs group \
                     (arn:aws:logs:<region>:<account>:log-group:<name>), an S3 bucket (arn:aws:s3:::<bucket>) or a \
                     Firehose stream (arn:aws:firehose:<region>:<account>:deliverystream/<name>)"
                ),
            ));
        }
        deliveries.push(LogDelivery {
            event_source: source,
            destination: arn.clone(),
        });
    }
    deliveries.sort_by_key(|d| d.event_source);
    Ok(deliveries)
}

/// Threat protection's tuning: only with threat protection on, notices only through SES, and
/// IP ranges in CIDR notation.
pub(super) fn risk(
    raw: Spanned<RawRisk>,
    mode: Option<ThreatProtection>,
    email: &Email,
    loc: &Locator,
) -> Result<Risk, SpecError> {
    if !mode.is_some_and(ThreatProtection::needs_plus) {
        return Err(loc.on(
            &raw,
            "[pool.risk_configuration] tunes threat protection, which is off here: set [pool] threat_protection = \
             \"audit\" or \"enforced\" (AWS refuses SetRiskConfiguration otherwise)",
        ));
    }
    let span = raw.span();
    let raw = raw.into_inner();
    if raw.notify && !matches!(email, Email::Ses(_)) {
        return Err(loc.at(
            span,
            "notify = true emails users through Amazon SES (NotifyConfiguration.SourceArn): set [pool.email] \
             source_arn and from",
        ));
    }
    if raw.compromised_credentials_events.is_empty() {
        return Err(loc.at(
            span,
            "compromised_credentials_events lists at least one of sign_in, password_change, sign_up",
        ));
    }
    for ranges in [&raw.blocked_ip_ranges, &raw.skipped_ip_ranges] {
        if ranges.get_ref().len() > 200 {
            return Err(loc.on(ranges, "at most 200 IP ranges"));
        }
        if let Some(bad) = ranges.get_ref().iter().find(|r| !is_cidr(r)) {
            return Err(loc.on(
                ranges,
                format!("{bad:?} is not an IP range in CIDR notation (\"203.0.113.0/24\" or \"2001:db8::/32\")"),
            ));
        }
    }
    Ok(Risk {
        compromised_credentials: raw.compromised_credentials,
        compromised_credentials_events: sorted(raw.compromised_credentials_events),
        account_takeover: [
            raw.account_takeover.low,
            raw.account_takeover.medium,
            raw.account_takeover.high,
        ],
        notify: raw.notify,
        blocked_ip_ranges: raw.blocked_ip_ranges.into_inner(),
        skipped_ip_ranges: raw.skipped_ip_ranges.into_inner(),
    })
}

fn is_cidr(range: &str) -> bool {
    let Some((address, bits)) = range.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}
