//! The CustomMessage trigger: branded, localized email and SMS for every message Cognito
//! sends (sign-up, resent code, password reset, attribute verification, invitation, MFA),
//! keeping Cognito's code, username and (in a pool that confirms by link) link placeholders.
//!
//! [`messages`] renders and checks the texts; [`handler`] is the glue between the Lambda
//! event and them.

pub mod messages;

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomMessageResponse,
    CognitoEventUserPoolsCustomMessageTriggerSource as Source,
};
use lambda_runtime::{LambdaEvent, tracing};
use serde_json::Value;
use trigger_common::{ConfigError, Failure, Incoming, Payload, RawValue, Reply, mask_email, var};

/// What the function answers: the event as it came, with its response.
pub type Answer = Reply<CognitoEventUserPoolsCustomMessageResponse>;
use url::{Url, form_urlencoded};

pub use messages::{Broken, Field, Kind, Lang, Message, Placeholders, Rendered, render};

const APP_NAME_MAX: usize = 40;
const APP_NAME_ACCEPTED: &str = "1 to 40 characters without braces or control characters";
const LOCALE_ACCEPTED: &str = "en, ko (or a locale of them such as en-US, ko-KR)";
const VERIFY_URL_ACCEPTED: &str =
    "an absolute https:// URL (http:// only for localhost, as Cognito's callback URLs) without a #fragment";
const EMAIL_OPTION_ACCEPTED: &str = "CONFIRM_WITH_CODE or CONFIRM_WITH_LINK, as the pool's VerificationMessageTemplate";

/// How the pool confirms a sign-up by email: its `VerificationMessageTemplate`'s
/// `DefaultEmailOption`, which the event does not say. A `linkParameter` in the event does
/// not tell either: events shaped like Cognito's carry one for every trigger source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailOption {
    /// The user enters the code (`{####}`).
    #[default]
    ConfirmWithCode,
    /// Cognito turns the email's `linkParameter` (`{##Click Here##}`) into a link to its
    /// confirmation page; a custom email without it is not the one Cognito sends.
    ConfirmWithLink,
}

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub app_name: String,
    /// The language for users without a `locale` attribute in a language we write.
    pub default_locale: Lang,
    /// Where the SignUp email's link points; the code and username are added to its query.
    pub verify_url: Option<Url>,
    /// `DEFAULT_EMAIL_OPTION`: whether the sign-up emails must keep Cognito's link.
    pub email_option: EmailOption,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            app_name: "Toyseven".into(),
            default_locale: Lang::En,
            verify_url: None,
            email_option: EmailOption::ConfirmWithCode,
        }
    }
}

impl Config {
    /// Reads `APP_NAME`, `DEFAULT_LOCALE`, `VERIFY_URL` and `DEFAULT_EMAIL_OPTION`. None of
    /// them is a list.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some(name) = var(&lookup, "APP_NAME") {
            // Bounded so that every SMS, 140 characters at most, still fits.
            let length = name.chars().count();
            if length > APP_NAME_MAX || name.contains(['{', '}']) || name.chars().any(char::is_control) {
                return Err(ConfigError::new(
                    "APP_NAME",
                    name,
                    format!("not a usable product name ({length} characters)"),
                    APP_NAME_ACCEPTED,
                ));
            }
            config.app_name = name;
        }
        if let Some(locale) = var(&lookup, "DEFAULT_LOCALE") {
            config.default_locale = Lang::from_locale(&locale).ok_or_else(|| {
                ConfigError::new(
                    "DEFAULT_LOCALE",
                    locale.clone(),
                    "no messages in that language",
                    LOCALE_ACCEPTED,
                )
            })?;
        }
        if let Some(raw) = var(&lookup, "VERIFY_URL") {
            let invalid = |problem: String| ConfigError::new("VERIFY_URL", raw.clone(), problem, VERIFY_URL_ACCEPTED);
            let url = Url::parse(&raw).map_err(|error| invalid(error.to_string()))?;
            // The link goes out in mail: over plain http anyone on the path could rewrite the
            // page that receives the code. Local development is the one exception.
            match url.scheme() {
                "https" => {}
                "http" if url.host_str() == Some("localhost") => {}
                "http" => return Err(invalid("http is accepted only for localhost; use https".into())),
                scheme => return Err(invalid(format!("the scheme {scheme:?} is not https"))),
            }
            if url.fragment().is_some() {
                return Err(invalid("a #fragment would swallow the query the link needs".into()));
            }
            config.verify_url = Some(url);
        }
        if let Some(option) = var(&lookup, "DEFAULT_EMAIL_OPTION") {
            config.email_option = match option.as_str() {
                "CONFIRM_WITH_CODE" => EmailOption::ConfirmWithCode,
                "CONFIRM_WITH_LINK" => EmailOption::ConfirmWithLink,
                _ => {
                    return Err(ConfigError::new(
                        "DEFAULT_EMAIL_OPTION",
                        option,
                        "not one of Cognito's email options",
                        EMAIL_OPTION_ACCEPTED,
                    ));
                }
            };
        }
        Ok(config)
    }

    /// The SignUp link: `VERIFY_URL` with `code` and `username` added to its query. The code
    /// placeholder goes in as it is, so Cognito can still find and replace it; the username
    /// is percent-encoded.
    pub fn verify_link(&self, code: &str, username: &str) -> Option<String> {
        let url = self.verify_url.as_ref()?;
        let separator = match url.query() {
            None => "?",
            Some("") => "",
            Some(_) => "&",
        };
        let username: String = form_urlencoded::byte_serialize(username.as_bytes()).collect();
        Some(format!("{url}{separator}code={code}&username={username}"))
    }
}

fn kind_of(source: &Source) -> Option<Kind> {
    Some(match source {
        Source::SignUp => Kind::SignUp,
        Source::ResendCode => Kind::ResendCode,
        Source::ForgotPassword => Kind::ForgotPassword,
        Source::UpdateUserAttribute => Kind::UpdateUserAttribute,
        Source::VerifyUserAttribute => Kind::VerifyUserAttribute,
        Source::AdminCreateUser => Kind::AdminCreateUser,
        Source::Authentication => Kind::Authentication,
        _ => return None,
    })
}

/// Handles one invocation: returns the whole event with the response's subject, email and
/// SMS set. A field that would break one of Cognito's rules is left unset, so Cognito sends
/// its default for it, and the reason is logged.
pub async fn handler(event: LambdaEvent<Payload>, config: &Config) -> Result<Answer, Failure> {
    let mut invocation = match trigger_common::parse::<CognitoEventUserPoolsCustomMessage>(event.payload)? {
        Incoming::Known(invocation) => invocation,
        Incoming::Unknown { source, event } => return Ok(trigger_common::pass_through(&source, event)),
    };
    // aws_lambda_events's typed request has no `linkParameter`: read it from the request as
    // it came.
    let link_parameter = link_parameter(invocation.sent("request"));
    let source = invocation.source.clone();
    let event = &mut invocation.event;
    let header = &event.cognito_event_user_pools_header;
    let Some(kind) = header.trigger_source.as_ref().and_then(kind_of) else {
        tracing::warn!(trigger_source = %source, "no messages for this trigger source; returning the event unchanged");
        return Ok(invocation.reply());
    };
    let request = &event.request;
    let attribute = |name: &str| {
        request
            .user_attributes
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let lang = attribute("locale")
        .and_then(Lang::from_locale)
        .unwrap_or(config.default_locale);
    let code = request.code_parameter.as_deref();
    let username = request.username_parameter.as_deref();
    let by_link = config.email_option == EmailOption::ConfirmWithLink && kind.confirms_by_link();
    let link = by_link.then_some(link_parameter.as_deref()).flatten();
    let placeholders = required_placeholders(kind, code, username, by_link.then_some(link));
    let message = Message {
        kind,
        app_name: &config.app_name,
        code: code.unwrap_or_default(),
        username: username.unwrap_or_default(),
        // Shown only where the address is proven (`Message::greeting_name`).
        name: attribute("given_name").or_else(|| attribute("name")),
        verify_link: match (kind, code) {
            (Kind::SignUp, Some(code)) => config.verify_link(code, header.user_name.as_deref().unwrap_or_default()),
            _ => None,
        },
        cognito_link: link,
    };
    let rendered = render(&message, lang, &placeholders);
    let email = attribute("email").map(mask_email).unwrap_or_default();
    let fallbacks: Vec<String> = rendered
        .fields()
        .iter()
        .filter_map(|(field, result)| result.as_ref().err().map(|why| format!("{}: {why}", field.name())))
        .collect();
    if fallbacks.is_empty() {
        tracing::info!(trigger_source = %source, ?lang, email = %email, "custom message set");
    } else {
        tracing::warn!(
            trigger_source = %source, ?lang, email = %email, fallbacks = ?fallbacks,
            "custom message partly left to Cognito's default"
        );
    }
    let Rendered {
        email_subject,
        email_message,
        sms_message,
    } = rendered;
    let response = &mut event.response;
    response.email_subject = email_subject.ok();
    response.email_message = email_message.ok();
    response.sms_message = sms_message.ok();
    Ok(invocation.reply())
}

/// The request's `linkParameter`, when it is a string that is not empty.
fn link_parameter(request: Option<&RawValue>) -> Option<String> {
    let link = trigger_common::member(request?, "linkParameter")?;
    serde_json::from_str::<String>(link.get())
        .ok()
        .filter(|link| !link.is_empty())
}

/// The placeholders every email and SMS of `kind` must keep; `link` is `Some` when the email
/// is sent by link, holding the event's `linkParameter` if it had one.
fn required_placeholders<'a>(
    kind: Kind,
    code: Option<&'a str>,
    username: Option<&'a str>,
    link: Option<Option<&'a str>>,
) -> Placeholders<'a> {
    let both = code_and_username(kind, code, username);
    let email = match link {
        None => both.clone(),
        Some(link) => both.clone().and_then(|mut placeholders| {
            placeholders.push(link.ok_or(Broken::NoParameter("linkParameter"))?);
            Ok(placeholders)
        }),
    };
    Placeholders { email, sms: both }
}

/// `codeParameter`, and for AdminCreateUser `usernameParameter`: what both fields keep.
fn code_and_username<'a>(kind: Kind, code: Option<&'a str>, username: Option<&'a str>) -> Result<Vec<&'a str>, Broken> {
    let code = code
        .filter(|code| !code.is_empty())
        .ok_or(Broken::NoParameter("codeParameter"))?;
    if kind == Kind::AdminCreateUser {
        let username = username
            .filter(|username| !username.is_empty())
            .ok_or(Broken::NoParameter("usernameParameter"))?;
        Ok(vec![code, username])
    } else {
        Ok(vec![code])
    }
}
