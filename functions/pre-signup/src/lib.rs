//! The PreSignUp trigger: accepts or rejects a sign-up by its email address and domain,
//! decides whether Cognito should confirm the user (and verify the email) without a code,
//! and, with `LINK_EXTERNAL_USERS=verified`, keeps one account per person: a federated
//! sign-up is linked to the native user that holds its verified address, and a native
//! sign-up for an address that signs in only through a provider is sent to that provider.
//!
//! [`address`] (what is well formed), [`config`] (the environment, read once), [`policy`],
//! [`identity`] (the provider and subject in a federated user name) and [`linking`] are the
//! decisions over plain data; [`cognito`] holds the two Cognito
//! calls linking makes; [`handler`] is the glue between the Lambda event and them.

pub mod address;
pub mod cognito;
pub mod config;
pub mod identity;
pub mod linking;
pub mod policy;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupResponse,
    CognitoEventUserPoolsPreSignupTriggerSource as Kind,
};
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::{Failure, Incoming, Invocation, Payload, Reply, mask_email};

/// What the function answers: the event as it came, with its response.
pub type Answer = Reply<CognitoEventUserPoolsPreSignupResponse>;

pub use address::{DomainPattern, Malformed, canonical_domain, email_domain};
pub use cognito::CognitoDirectory;
pub use config::{AutoConfirm, Config, LinkExternalUsers};
pub use identity::ExternalIdentity;
pub use linking::{Directory, DirectoryError, Linking, NoDirectory, Origin, PoolUser, Status};
pub use policy::{Decision, Rejection, SignUp, Source};

/// The marker on the log line of a sign-up that linking could not finish (a Cognito call
/// failed, or the identity could not be linked safely): an alarm (a CloudWatch metric
/// filter) matches it. The person got a sentence and no account was made.
pub const ALARM: &str = "PRE_SIGNUP_LINKING_FAILED";

/// The `outcome` of an invocation's log line: the sign-up goes on.
pub const ACCEPTED: &str = "accepted";
/// The `outcome` of a sign-up refused by policy: the email's form, a missing email, the
/// domain lists, or an address that signs in only through a provider (`reason` says which).
/// The dashboard counts refusals from it, never from the email.
pub const REFUSED: &str = "refused";
/// The `outcome` of a federated sign-in linked to the native user (this sign-in is refused,
/// the next one lands on that user).
pub const LINKED_OUTCOME: &str = "linked";
/// The `outcome` of the [`ALARM`] line: linking could not finish, the sign-up was refused.
pub const LINKING_FAILED: &str = "linking_failed";

/// What the person reads after their provider identity was linked to their existing user
/// (Cognito shows it as "PreSignUp failed with error \<message\>."). This sign-in is refused
/// so Cognito makes no second user; the next one lands on the linked user. An app matches
/// [`LINKED_MARKER`] in the callback's `error_description` and signs in again once.
pub const LINKED: &str = "Your sign-in is now linked to your existing account. Please sign in again.";

/// The part of [`LINKED`] an app looks for; it stays the same whatever the sentence becomes.
pub const LINKED_MARKER: &str = "linked to your existing account";

/// What the person reads when a Cognito call failed: no account was made, and another try
/// may work.
pub const NOT_FINISHED: &str = "Signing in could not be finished right now. Please try again in a moment.";

/// What the person reads when their address belongs to an existing account that the
/// identity cannot be linked to safely (several accounts hold it, or the provider's exact
/// identity is unknown).
pub const EXISTING_ACCOUNT: &str =
    "An account with this email address already exists. Please sign in the way you signed up.";

/// Handles one invocation: returns the whole event with `response` filled in, or an error
/// whose message Cognito shows the user ("PreSignUp failed with error \<message\>.").
///
/// This function guards the door, so a `PreSignUp_*` source it does not know still meets
/// the lists (its email read where every known source has it); it is never auto-confirmed
/// nor linked and, when accepted, goes back as it came.
pub async fn handler<D: Directory>(
    event: LambdaEvent<Payload>,
    config: &Config,
    linking: &Linking<D>,
) -> Result<Answer, Failure> {
    match trigger_common::parse::<CognitoEventUserPoolsPreSignup>(event.payload)? {
        Incoming::Known(invocation) => known(invocation, config, linking).await,
        Incoming::Unknown { source, event } => {
            // A source this version does not know: its email read where every known one has it.
            let email: Option<Value> = event
                .get("request")
                .and_then(|request| trigger_common::member(request, "userAttributes"))
                .and_then(|attributes| trigger_common::member(attributes, "email"))
                .and_then(|email| serde_json::from_str(email.get()).ok());
            let email = match &email {
                None | Some(Value::Null) => None,
                Some(Value::String(email)) => Some(email.as_str()),
                Some(_) => {
                    let rejection = Rejection::InvalidEmail(Malformed::NotText);
                    tracing::warn!(outcome = REFUSED, trigger_source = %source.escape_debug(), reason = %Reason(&rejection), "unknown trigger source; sign-up rejected");
                    return Err(Failure::new("SignUpRejected", rejection));
                }
            };
            let sign_up = SignUp {
                source: Source::Unknown,
                email,
                email_verified: None,
            };
            let email = email.map(mask_email).unwrap_or_default();
            match config.decide(&sign_up) {
                Ok(decision) => {
                    tracing::warn!(outcome = ACCEPTED, trigger_source = %source.escape_debug(), %email, ?decision, "unknown trigger source; sign-up accepted without auto-confirm, event returned unchanged");
                    Ok(event.unchanged())
                }
                Err(rejection) => {
                    tracing::warn!(outcome = REFUSED, trigger_source = %source.escape_debug(), %email, reason = %Reason(&rejection), "unknown trigger source; sign-up rejected");
                    Err(Failure::new("SignUpRejected", rejection))
                }
            }
        }
    }
}

/// A known source: the policy, then linking, then the response. One log line whatever
/// happens.
async fn known<D: Directory>(
    mut invocation: Invocation<CognitoEventUserPoolsPreSignup>,
    config: &Config,
    linking: &Linking<D>,
) -> Result<Answer, Failure> {
    let header = &invocation.event.cognito_event_user_pools_header;
    let (source, acts) = match header.trigger_source {
        Some(Kind::SignUp) => (Source::SignUp, Acts::NativeSignUp),
        Some(Kind::AdminCreateUser) => (Source::AdminCreateUser, Acts::Nothing),
        Some(Kind::ExternalProvider) => (Source::External, Acts::External),
        // The enum is non-exhaustive: a source a later aws_lambda_events adds is one this
        // version does not know.
        _ => (Source::Unknown, Acts::Nothing),
    };
    let attributes = &invocation.event.request.user_attributes;
    let sign_up = SignUp {
        source,
        email: attributes.get("email").map(String::as_str),
        email_verified: attributes.get("email_verified").map(String::as_str),
    };
    let trigger_source = invocation.source.as_str();
    let email = sign_up.email.map(mask_email).unwrap_or_default();
    let decision = match config.decide(&sign_up) {
        Ok(decision) => decision,
        Err(rejection) => {
            tracing::info!(outcome = REFUSED, trigger_source, %email, reason = %Reason(&rejection), "sign-up rejected");
            return Err(Failure::new("SignUpRejected", rejection));
        }
    };
    // The federated user name (`Google_1083…`) tells the operator which identity; a native
    // one may be the person's chosen name or phone number, and is left out.
    let user = match acts {
        Acts::External => header.user_name.as_deref().map(shown_user_name).unwrap_or_default(),
        Acts::NativeSignUp | Acts::Nothing => String::new(),
    };
    let step = match (linking, acts) {
        (Linking::Off, _) => Ok(Step::Skipped("linking is off")),
        (Linking::Verified(directory), Acts::External) => {
            link_external(directory, &invocation, &sign_up, &config.trusted_providers).await
        }
        (Linking::Verified(directory), Acts::NativeSignUp) => {
            check_native(directory, &invocation, &sign_up, &config.trusted_providers).await
        }
        (Linking::Verified(_), Acts::Nothing) => Ok(Step::Skipped("not a sign-up linking acts on")),
    };
    match step {
        Ok(Step::Skipped(linking)) => {
            tracing::info!(outcome = ACCEPTED, trigger_source, %email, user, ?decision, linking, "sign-up accepted");
            if let Decision::AutoConfirm { verify_email } = decision {
                let response = &mut invocation.event.response;
                response.auto_confirm_user = true;
                response.auto_verify_email = verify_email;
            }
            Ok(invocation.reply())
        }
        Ok(Step::Linked { sub, provider, again }) => {
            let message = if again {
                "the identity was already linked to the existing user; sign-up refused so no second user is made"
            } else {
                "identity linked to the existing user; sign-up refused so no second user is made, the next sign-in lands on that user"
            };
            tracing::info!(outcome = LINKED_OUTCOME, trigger_source, %email, user, provider, linked_to_sub = sub, "{message}");
            Err(Failure::new("AccountLinked", LINKED))
        }
        Ok(Step::ProviderOnly(provider)) => {
            let rejection = match &provider {
                Some(name) => format!("This email address already signs in with {name}. Please sign in with {name}."),
                None => "This email address already signs in with another provider. Please sign in with that provider."
                    .to_owned(),
            };
            tracing::info!(outcome = REFUSED, trigger_source, %email, provider, reason = "the address signs in only through an identity provider", "sign-up rejected");
            Err(Failure::new("SignUpRejected", rejection))
        }
        Err(failure) => {
            let (message, reason) = match &failure {
                Stop::Lookup(error) => (NOT_FINISHED, format!("looking the address up failed: {error}")),
                Stop::Link(error) => (NOT_FINISHED, format!("linking failed: {error}")),
                Stop::NoPool => (NOT_FINISHED, "the event has no userPoolId".to_owned()),
                Stop::Several(count) => (
                    EXISTING_ACCOUNT,
                    format!("{count} native users hold this verified address; which one is the person is not guessed"),
                ),
                Stop::Unlinkable(why) => (
                    EXISTING_ACCOUNT,
                    format!("a native user holds this verified address, but {why}"),
                ),
            };
            tracing::error!(alarm = ALARM, outcome = LINKING_FAILED, trigger_source, %email, user, reason, "sign-up refused: linking did not finish, so no second user was made");
            Err(Failure::new("LinkingFailed", message))
        }
    }
}

/// What linking does for a kind of sign-up.
#[derive(Debug, Clone, Copy)]
enum Acts {
    /// `PreSignUp_ExternalProvider`: link to the native user holding the address.
    External,
    /// `PreSignUp_SignUp`: refuse an address that signs in only through a provider.
    NativeSignUp,
    /// An administrator's AdminCreateUser, or a source this version does not know.
    Nothing,
}

/// What linking made of a sign-up the policy accepted.
enum Step {
    /// Nothing for linking to do; the sign-up goes on. Why, for the log.
    Skipped(&'static str),
    /// The federated identity signs in as the native user with this `sub` from now on
    /// (`again`: it already did, the trigger was invoked again).
    Linked { sub: String, provider: String, again: bool },
    /// The address signs in only through a provider (its name, when it may be shown).
    ProviderOnly(Option<String>),
}

/// Why linking stopped the sign-up.
enum Stop {
    Lookup(DirectoryError),
    Link(DirectoryError),
    NoPool,
    Several(usize),
    Unlinkable(identity::Unlinkable),
}

/// `PreSignUp_ExternalProvider`: link the identity to the native user holding the verified
/// address, when a trusted provider vouched for it. An untrusted provider's sign-up makes no
/// call at all.
async fn link_external<D: Directory>(
    directory: &D,
    invocation: &Invocation<CognitoEventUserPoolsPreSignup>,
    sign_up: &SignUp<'_>,
    trusted: &[String],
) -> Result<Step, Stop> {
    let header = &invocation.event.cognito_event_user_pools_header;
    let user_name = header.user_name.as_deref().unwrap_or_default();
    let Some(provider) = identity::trusted_provider(user_name, trusted) else {
        return Ok(Step::Skipped("the provider is not in LINK_TRUSTED_PROVIDERS"));
    };
    if !policy::provider_verified(sign_up.email_verified) {
        return Ok(Step::Skipped("the provider did not say the address is verified"));
    }
    let Some(email) = sign_up.email else {
        return Ok(Step::Skipped("no email"));
    };
    let pool = header.user_pool_id.as_deref().ok_or(Stop::NoPool)?;
    let users = directory.users_with_email(pool, email).await.map_err(Stop::Lookup)?;
    let target = match linking::link_target(&users, email) {
        linking::Target::None => return Ok(Step::Skipped("no native user holds the address verified")),
        linking::Target::Several(count) => return Err(Stop::Several(count)),
        linking::Target::One(user) => user,
    };
    let identity = identity::external_identity(user_name, provider).map_err(Stop::Unlinkable)?;
    let sub = target.attribute("sub").unwrap_or("-").to_owned();
    let again = linking::already_linked(target, &identity);
    if !again {
        directory
            .link(pool, &target.username, &identity)
            .await
            .map_err(Stop::Link)?;
    }
    Ok(Step::Linked {
        sub,
        provider: identity.provider,
        again,
    })
}

/// `PreSignUp_SignUp`: refuse an address that signs in only through a trusted provider.
async fn check_native<D: Directory>(
    directory: &D,
    invocation: &Invocation<CognitoEventUserPoolsPreSignup>,
    sign_up: &SignUp<'_>,
    trusted: &[String],
) -> Result<Step, Stop> {
    let Some(email) = sign_up.email else {
        return Ok(Step::Skipped("no email"));
    };
    let header = &invocation.event.cognito_event_user_pools_header;
    let pool = header.user_pool_id.as_deref().ok_or(Stop::NoPool)?;
    let users = directory.users_with_email(pool, email).await.map_err(Stop::Lookup)?;
    Ok(match linking::provider_only(&users, email, trusted) {
        Some(user) => Step::ProviderOnly(linking::provider_to_show(user, trusted)),
        None => Step::Skipped("no user holds the address only through a provider"),
    })
}

/// A user name as the log shows it: a federated one is `<provider>_<subject>`, whose
/// subject a SAML provider may make the person's email address, masked like one.
fn shown_user_name(user: &str) -> String {
    if user.contains('@') {
        mask_email(user)
    } else {
        user.escape_debug().to_string()
    }
}

/// A rejection as the operator reads it: what was wrong, which the person never sees.
struct Reason<'a>(&'a Rejection);

impl std::fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Rejection::InvalidEmail(why) => write!(f, "malformed email: {why}"),
            Rejection::EmailRequired => f.write_str("no email while ALLOWED_EMAIL_DOMAINS is set"),
            Rejection::DomainNotAllowed => f.write_str("domain not allowed"),
        }
    }
}
