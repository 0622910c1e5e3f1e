//! The messages themselves: which template renders which field for which trigger source and
//! language, and Cognito's rules every rendered field must pass before it is sent back.
//! Templates live in `templates/` and are compiled into the binary by askama, which
//! HTML-escapes every value in the `.html` ones.
//!
//! Whoever signs up chooses every attribute, including the address mail goes to, and
//! whoever can call AdminCreateUser chooses an invitation's. So every message carries the
//! product's name, Cognito's placeholders and fixed text only, except a password reset
//! (Cognito sends it only to a verified address or phone number, the account holder's own),
//! which greets by name, cut at [`NAME_MAX`] characters.
//!
//! Cognito puts the username and the temporary password into an invitation's HTML as they
//! are, after this function has run, so nothing here can escape them; the templates show
//! them in `<xmp>`, where an HTML parser reads everything as text up to `</xmp` (see
//! [`Kind::AdminCreateUser`]).

use askama::Template;
use icu_properties::CodePointMapData;
use icu_properties::props::GraphemeClusterBreak;

/// The most characters of a user's name a message shows.
pub const NAME_MAX: usize = 64;

/// The trigger sources, as the templates see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SignUp,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    /// The invitation with the username and temporary password. A password Cognito
    /// generates holds letters, digits and the symbols of the password policy's set
    /// (``^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -``, and a space): in
    /// HTML text `<` before a letter starts a tag and `&` a character reference, which would
    /// eat or change characters, so the email shows both values in `<xmp>`.
    AdminCreateUser,
    Authentication,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::SignUp,
        Kind::ResendCode,
        Kind::ForgotPassword,
        Kind::UpdateUserAttribute,
        Kind::VerifyUserAttribute,
        Kind::AdminCreateUser,
        Kind::Authentication,
    ];

    /// Whether the message greets the user by their name. Only a password reset does: Cognito
    /// sends it only to a verified address or phone number, so the name reaches the person
    /// who chose it. The others go to whatever address was typed, maybe a stranger's: at
    /// sign-up or an attribute change by the person, in an invitation by whoever can call
    /// AdminCreateUser (an administrator, or an app that invites on its users' behalf), and
    /// sign-in codes, which Cognito also sends to an unverified address or number (and
    /// marks it verified after the first sign-in).
    pub fn greets_by_name(self) -> bool {
        match self {
            Kind::SignUp
            | Kind::ResendCode
            | Kind::UpdateUserAttribute
            | Kind::VerifyUserAttribute
            | Kind::AdminCreateUser
            | Kind::Authentication => false,
            Kind::ForgotPassword => true,
        }
    }

    /// Whether a pool that confirms by link (`DefaultEmailOption` `CONFIRM_WITH_LINK`) sends
    /// this message by link: the sign-up confirmation and its resend. Its email must then
    /// keep the event's `linkParameter`, which Cognito turns into its link.
    pub fn confirms_by_link(self) -> bool {
        match self {
            Kind::SignUp | Kind::ResendCode => true,
            Kind::ForgotPassword
            | Kind::UpdateUserAttribute
            | Kind::VerifyUserAttribute
            | Kind::AdminCreateUser
            | Kind::Authentication => false,
        }
    }
}

/// The languages messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The language of a locale such as `ko`, `ko-KR`, `ko_KR` or `EN-us`; `None` for a
    /// language without messages.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let language = locale.trim().split(['-', '_']).next()?;
        match language.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }
}

/// What a message says, gathered from the event and the configuration.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub kind: Kind,
    pub app_name: &'a str,
    /// Cognito's code placeholder (`codeParameter`, usually `{####}`).
    pub code: &'a str,
    /// Cognito's username placeholder (`usernameParameter`); only AdminCreateUser has one.
    pub username: &'a str,
    /// The user's name, from their attributes: untrusted text, shown only through
    /// [`Message::greeting_name`].
    pub name: Option<&'a str>,
    /// The link in the SignUp email, when `VERIFY_URL` is set.
    pub verify_link: Option<String>,
    /// Cognito's link placeholder (`linkParameter`, such as `{##Click Here##}`), shown in
    /// the email of a message the pool sends by link ([`Kind::confirms_by_link`]).
    pub cognito_link: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// The name the templates greet by: none unless [`Kind::greets_by_name`], else the
    /// user's name cut at [`NAME_MAX`] characters.
    pub fn greeting_name(&self) -> Option<&'a str> {
        if !self.kind.greets_by_name() {
            return None;
        }
        self.name.map(cut_name).filter(|name| !name.trim().is_empty())
    }
}

/// The first [`NAME_MAX`] characters (code points) of `name`, or fewer so as not to split a
/// character from the marks, joiners or jamo that complete it.
pub fn cut_name(name: &str) -> &str {
    let Some((mut end, _)) = name.char_indices().nth(NAME_MAX) else {
        return name;
    };
    while end > 0 && !grapheme_boundary(name, end) {
        end = name[..end].char_indices().next_back().map_or(0, |(index, _)| index);
    }
    &name[..end]
}

/// Whether `text` may be cut at byte `at` without splitting a grapheme cluster: the rules of
/// UAX #29 that keep combining marks, joiners, Hangul jamo and flag pairs together (not the
/// rarer ones for Indic conjuncts).
fn grapheme_boundary(text: &str, at: usize) -> bool {
    type Gcb = GraphemeClusterBreak;
    let (Some(before), Some(after)) = (text[..at].chars().next_back(), text[at..].chars().next()) else {
        return true;
    };
    let property = CodePointMapData::<GraphemeClusterBreak>::new();
    let (before, after) = (property.get(before), property.get(after));
    let joined = matches!(after, Gcb::Extend | Gcb::ZWJ | Gcb::SpacingMark | Gcb::EModifier)
        || matches!(before, Gcb::Prepend | Gcb::ZWJ)
        || (before == Gcb::CR && after == Gcb::LF)
        || (before == Gcb::L && matches!(after, Gcb::L | Gcb::V | Gcb::LV | Gcb::LVT))
        || (matches!(before, Gcb::LV | Gcb::V) && matches!(after, Gcb::V | Gcb::T))
        || (matches!(before, Gcb::LVT | Gcb::T) && after == Gcb::T);
    if joined {
        return false;
    }
    if before == Gcb::RegionalIndicator && after == Gcb::RegionalIndicator {
        // Flags are pairs: a cut after an odd number of indicators splits one.
        let run = text[..at]
            .chars()
            .rev()
            .take_while(|c| property.get(*c) == Gcb::RegionalIndicator)
            .count();
        return run % 2 == 0;
    }
    true
}

macro_rules! templates {
    ($($name:ident => $path:literal),* $(,)?) => {$(
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            m: &'a Message<'a>,
        }
    )*};
}

templates! {
    EnSubject => "en/subject.txt",
    EnEmail => "en/email.html",
    EnSms => "en/sms.txt",
    KoSubject => "ko/subject.txt",
    KoEmail => "ko/email.html",
    KoSms => "ko/sms.txt",
}

/// A field of Cognito's CustomMessage response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    EmailSubject,
    EmailMessage,
    SmsMessage,
}

impl Field {
    /// Cognito's length bounds, in Unicode code points (how Smithy, and so the Cognito API,
    /// measures string length).
    fn bounds(self) -> (usize, usize) {
        match self {
            Field::EmailSubject => (1, 140),
            Field::EmailMessage => (6, 20_000),
            Field::SmsMessage => (6, 140),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::EmailSubject => "emailSubject",
            Field::EmailMessage => "emailMessage",
            Field::SmsMessage => "smsMessage",
        }
    }
}

/// Why a rendered field cannot be sent, so Cognito's default goes out instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("{length} characters, outside Cognito's {min}..={max}")]
    Length { length: usize, min: usize, max: usize },
    #[error("it lacks the placeholder {0:?}, so the user would not get their code")]
    MissingPlaceholder(String),
    #[error("the event has no {0}")]
    NoParameter(&'static str),
    #[error("a subject cannot hold line breaks or control characters")]
    ControlCharacter,
    #[error("the template failed: {0}")]
    Render(String),
}

/// The three fields, each rendered or the reason it is left unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub email_subject: Result<String, Broken>,
    pub email_message: Result<String, Broken>,
    pub sms_message: Result<String, Broken>,
}

impl Rendered {
    pub fn fields(&self) -> [(Field, &Result<String, Broken>); 3] {
        [
            (Field::EmailSubject, &self.email_subject),
            (Field::EmailMessage, &self.email_message),
            (Field::SmsMessage, &self.sms_message),
        ]
    }
}

/// The placeholders of the event that the email and the SMS must keep, each `Err` naming the
/// one the event lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders<'a> {
    pub email: Result<Vec<&'a str>, Broken>,
    pub sms: Result<Vec<&'a str>, Broken>,
}

impl<'a> Placeholders<'a> {
    /// The same placeholders for both fields.
    pub fn both(placeholders: Result<Vec<&'a str>, Broken>) -> Self {
        Self {
            email: placeholders.clone(),
            sms: placeholders,
        }
    }
}

/// Renders every field of `message` in `lang` and checks it against Cognito's rules.
/// `placeholders` are the event's `codeParameter`, for AdminCreateUser `usernameParameter`,
/// and in the email of a message sent by link `linkParameter`.
pub fn render(message: &Message<'_>, lang: Lang, placeholders: &Placeholders<'_>) -> Rendered {
    let m = message;
    let (subject, email, sms) = match lang {
        Lang::En => (EnSubject { m }.render(), EnEmail { m }.render(), EnSms { m }.render()),
        Lang::Ko => (KoSubject { m }.render(), KoEmail { m }.render(), KoSms { m }.render()),
    };
    Rendered {
        email_subject: check(Field::EmailSubject, subject, &Ok(Vec::new())),
        email_message: check(Field::EmailMessage, email, &placeholders.email),
        sms_message: check(Field::SmsMessage, sms, &placeholders.sms),
    }
}

fn check(
    field: Field,
    rendered: askama::Result<String>,
    placeholders: &Result<Vec<&str>, Broken>,
) -> Result<String, Broken> {
    let text = rendered.map_err(|error| Broken::Render(error.to_string()))?;
    let text = text.trim().to_owned();
    let placeholders = placeholders.as_ref().map_err(Clone::clone)?;
    if let Some(missing) = placeholders.iter().find(|p| !text.contains(**p)) {
        return Err(Broken::MissingPlaceholder((*missing).to_owned()));
    }
    if field == Field::EmailSubject && text.chars().any(char::is_control) {
        return Err(Broken::ControlCharacter);
    }
    let (min, max) = field.bounds();
    let length = text.chars().count();
    if !(min..=max).contains(&length) {
        return Err(Broken::Length { length, min, max });
    }
    Ok(text)
}
