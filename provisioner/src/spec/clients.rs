//! `[client]` (one app client) or `[[clients]]` (several, each keyed by `name`).

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError, Warning, sorted, strings, unspanned};
use crate::desired::{COGNITO, Client, ExplicitAuthFlow, OAuthFlow, Validity};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawClient {
    name: Spanned<String>,
    generate_secret: Spanned<bool>,
    oauth_flows: Spanned<Vec<OAuthFlow>>,
    oauth_scopes: Vec<Spanned<String>>,
    callback_urls: Vec<Spanned<String>>,
    logout_urls: Vec<Spanned<String>>,
    identity_providers: Vec<Spanned<String>>,
    explicit_auth_flows: Vec<Spanned<String>>,
    prevent_user_existence_errors: bool,
    enable_token_revocation: bool,
    access_token_validity: Option<Spanned<String>>,
    id_token_validity: Option<Spanned<String>>,
    refresh_token_validity: Option<Spanned<String>>,
    auth_session_validity: Option<Spanned<u8>>,
    read_attributes: Option<Vec<Spanned<String>>>,
    write_attributes: Option<Vec<Spanned<String>>>,
    default_redirect_uri: Option<Spanned<String>>,
    enable_propagate_additional_user_context_data: Option<bool>,
}

impl Default for RawClient {
    fn default() -> Self {
        Self {
            name: unspanned("toyseven-web".into()),
            generate_secret: unspanned(false),
            oauth_flows: unspanned(vec![OAuthFlow::Code]),
            oauth_scopes: ["openid", "email", "profile"].map(|s| unspanned(s.into())).into(),
            callback_urls: vec![unspanned("http://localhost:3000".into())],
            logout_urls: vec![unspanned("http://localhost:3000".into())],
            identity_providers: vec![unspanned(COGNITO.into())],
            explicit_auth_flows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
                .map(|s| unspanned(s.into()))
                .into(),
            prevent_user_existence_errors: true,
            enable_token_revocation: true,
            access_token_validity: None,
            id_token_validity: None,
            refresh_token_validity: None,
            auth_session_validity: None,
            read_attributes: None,
            write_attributes: None,
            default_redirect_uri: None,
            enable_propagate_additional_user_context_data: None,
        }
    }
}

/// What the other tables declare that a client may refer to.
pub(super) struct Context<'a> {
    /// Every resource server scope, `<identifier>/<scope>`.
    pub scopes: &'a [String],
    /// Every custom attribute, `custom:<name>`.
    pub custom_attributes: &'a [String],
    /// Every declared identity provider's name.
    pub identity_providers: &'a [String],
}

/// AWS's CallbackURLsListType and LogoutURLsListType: at most 100 URLs each.
const MAX_REDIRECT_URLS: usize = 100;
/// AWS's RedirectUrlType: 1 to 1,024 characters.
const MAX_REDIRECT_URL_LENGTH: usize = 1024;
/// AWS's ScopeListType: at most 50 scopes.
const MAX_SCOPES: usize = 50;
/// AWS's ScopeType: 1 to 256 characters.
const MAX_SCOPE_LENGTH: usize = 256;

/// The scopes Cognito itself defines; the client credentials grant cannot use them.
const STANDARD_SCOPES: [&str; 5] = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];

/// The standard user attributes a client may be allowed to read or write.
const STANDARD_ATTRIBUTES: [&str; 20] = [
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
    "sub",
];

pub(super) fn desired(
    single: Option<Spanned<RawClient>>,
    several: Option<Spanned<Vec<Spanned<RawClient>>>>,
    context: &Context,
    loc: &Locator,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Client>, SpecError> {
    let raw = match (single, several) {
        (Some(_), Some(several)) => {
            return Err(loc.on(
                &several,
                "the spec has both [client] and [[clients]]; use [[clients]] alone for several clients",
            ));
        }
        (Some(single), None) => vec![single.into_inner()],
        (None, Some(several)) => {
            if several.get_ref().is_empty() {
                return Err(loc.on(&several, "[[clients]] lists no client"));
            }
            let several = several.into_inner();
            if let Some(unnamed) = several.iter().find(|c| c.get_ref().name.span().is_empty()) {
                return Err(loc.on(unnamed, "each [[clients]] entry needs a name"));
            }
            several.into_iter().map(Spanned::into_inner).collect()
        }
        (None, None) => vec![RawClient::default()],
    };
    let mut clients: Vec<Client> = Vec::new();
    for client in raw {
        if clients.iter().any(|c| &c.name == client.name.get_ref()) {
            return Err(loc.on(
                &client.name,
                format!("app client {:?} is listed twice", client.name.get_ref()),
            ));
        }
        clients.push(one(client, context, loc, warnings)?);
    }
    Ok(clients)
}

fn one(client: RawClient, context: &Context, loc: &Locator, warnings: &mut Vec<Warning>) -> Result<Client, SpecError> {
    let name = client.name.get_ref();
    // AWS's ClientName: 1 to 128 characters of `[\w\s+=,.@-]`, where \w and \s are ASCII.
    let name_ok = (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || " \t\n\x0b\x0c\r+=,.@-".contains(c));
    if !name_ok {
        return Err(loc.on(
            &client.name,
            format!(
                "client name {name:?} is not accepted by Cognito; accepted: 1 to 128 characters, each an ASCII letter \
                 or digit, `_`, a space, or one of + = , . @ -"
            ),
        ));
    }
    let flows = client.oauth_flows.get_ref();
    for (key, urls) in [
        ("callback_urls", &client.callback_urls),
        ("logout_urls", &client.logout_urls),
    ] {
        if let Some(extra) = urls.get(MAX_REDIRECT_URLS) {
            return Err(loc.on(
                extra,
                format!(
                    "{key} lists {} URLs; Cognito accepts at most {MAX_REDIRECT_URLS} per client",
                    urls.len()
                ),
            ));
        }
        for url in urls {
            check_redirect_url(url.get_ref()).map_err(|m| loc.on(url, m))?;
        }
    }
    if let Some(extra) = client.oauth_scopes.get(MAX_SCOPES) {
        return Err(loc.on(
            extra,
            format!(
                "oauth_scopes lists {} scopes; Cognito accepts at most {MAX_SCOPES} per client",
                client.oauth_scopes.len()
            ),
        ));
    }
    for scope in &client.oauth_scopes {
        check_scope(scope.get_ref(), context.scopes).map_err(|m| loc.on(scope, m))?;
    }
    for flow in &client.explicit_auth_flows {
        if ExplicitAuthFlow::from_spec_current(flow.get_ref()).is_none() {
            return Err(loc.on(
                flow,
                format!(
                    "unknown explicit auth flow {:?}; accepted: {}",
                    flow.get_ref(),
                    ExplicitAuthFlow::accepted().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for provider in &client.identity_providers {
        let name = provider.get_ref();
        if name != COGNITO && !context.identity_providers.contains(name) {
            let declared = if context.identity_providers.is_empty() {
                "none is declared".to_owned()
            } else {
                format!("declared: {}", context.identity_providers.join(", "))
            };
            return Err(loc.on(
                provider,
                format!(
                    "identity provider {name:?} is neither \"COGNITO\" (the pool's own users) nor a \
                     [[identity_providers]] entry ({declared})"
                ),
            ));
        }
    }
    let interactive = super::interactive(flows);
    if interactive && client.callback_urls.is_empty() {
        return Err(loc.on(
            &client.oauth_flows,
            "the code and implicit grants need at least one callback_urls entry",
        ));
    }
    if !flows.is_empty() && client.oauth_scopes.is_empty() {
        return Err(loc.on(&client.oauth_flows, "OAuth flows need at least one oauth_scopes entry"));
    }
    if flows.contains(&OAuthFlow::ClientCredentials) {
        if interactive {
            return Err(loc.on(
                &client.oauth_flows,
                "client_credentials cannot be combined with code or implicit in one client (a Cognito rule); use two clients",
            ));
        }
        if !*client.generate_secret.get_ref() {
            return Err(loc.on(
                &client.generate_secret,
                "client_credentials needs generate_secret = true: the client authenticates with its secret",
            ));
        }
        if let Some(scope) = client
            .oauth_scopes
            .iter()
            .find(|s| STANDARD_SCOPES.contains(&s.get_ref().as_str()))
        {
            return Err(loc.on(
                scope,
                format!(
                    "the client_credentials grant issues no user's tokens, so AWS refuses user scopes such as {:?} \
                     with it; list resource server scopes (\"<identifier>/<scope>\") only",
                    scope.get_ref()
                ),
            ));
        }
    }
    let validity = |value: &Option<Spanned<String>>, key: &str, range: (Validity, Validity)| {
        value
            .as_ref()
            .map(|v| {
                let parsed = Validity::parse(v.get_ref())
                    .ok_or_else(|| loc.on(v, format!("{key} {:?} is not a duration; accepted: a whole number with a unit, such as \"60m\", \"1h\", \"30d\" (s, m, h, d)", v.get_ref())))?;
                if parsed.seconds() < range.0.seconds() || parsed.seconds() > range.1.seconds() {
                    return Err(loc.on(v, format!("{key} is {}; Cognito accepts {} to {}", v.get_ref(), range.0, range.1)));
                }
                Ok(parsed)
            })
            .transpose()
    };
    use crate::desired::TimeUnit::{Days, Minutes};
    let token_range = (Validity::new(5, Minutes), Validity::new(1, Days));
    let access_token_validity = validity(&client.access_token_validity, "access_token_validity", token_range)?;
    let id_token_validity = validity(&client.id_token_validity, "id_token_validity", token_range)?;
    let refresh_token_validity = validity(
        &client.refresh_token_validity,
        "refresh_token_validity",
        (Validity::new(60, Minutes), Validity::new(3650, Days)),
    )?;
    if let Some(minutes) = &client.auth_session_validity
        && !(3..=15).contains(minutes.get_ref())
    {
        return Err(loc.on(
            minutes,
            format!(
                "auth_session_validity is {} minutes; Cognito accepts 3 to 15",
                minutes.get_ref()
            ),
        ));
    }
    for attribute in client.read_attributes.iter().chain(&client.write_attributes).flatten() {
        let name = attribute.get_ref();
        let known = STANDARD_ATTRIBUTES.contains(&name.as_str()) || context.custom_attributes.contains(name);
        if !known {
            return Err(loc.on(
                attribute,
                format!(
                    "{name:?} is not an attribute of this pool; accepted: a standard attribute ({}) or a custom \
                     attribute declared in [[pool.attributes]], written \"custom:<name>\"",
                    STANDARD_ATTRIBUTES.join(", ")
                ),
            ));
        }
    }
    if let Some(uri) = &client.default_redirect_uri
        && !client.callback_urls.iter().any(|c| c.get_ref() == uri.get_ref())
    {
        return Err(loc.on(uri, "default_redirect_uri must be one of callback_urls"));
    }
    if *client.generate_secret.get_ref() && flows.contains(&OAuthFlow::Code) {
        warnings.push(Warning(format!(
            "client {name:?}: generate_secret = true with the code grant: a browser app cannot keep a secret, and \
             its call to /oauth2/token without one fails with `invalid_client`. A server that keeps the secret must \
             send it with HTTP Basic authentication (Authorization: Basic base64(client_id:client_secret)). For a \
             browser or mobile app set generate_secret = false and use PKCE."
        )));
    }
    if flows.contains(&OAuthFlow::Implicit) {
        warnings.push(Warning(format!(
            "client {name:?}: oauth_flows includes \"implicit\": the implicit grant returns tokens in the URL and \
             issues no refresh token, so users sign in again when the tokens expire. Prefer \"code\" with PKCE."
        )));
    }
    Ok(Client {
        name: client.name.into_inner(),
        generate_secret: client.generate_secret.into_inner(),
        oauth_flows: sorted(client.oauth_flows.into_inner()),
        oauth_scopes: strings(client.oauth_scopes),
        callback_urls: strings(client.callback_urls),
        logout_urls: strings(client.logout_urls),
        identity_providers: strings(client.identity_providers),
        explicit_auth_flows: client
            .explicit_auth_flows
            .iter()
            .filter_map(|flow| ExplicitAuthFlow::from_spec_current(flow.get_ref()))
            .collect(),
        prevent_user_existence_errors: client.prevent_user_existence_errors,
        enable_token_revocation: client.enable_token_revocation,
        access_token_validity,
        id_token_validity,
        refresh_token_validity,
        auth_session_validity: client.auth_session_validity.map(Spanned::into_inner),
        read_attributes: client.read_attributes.map(strings),
        write_attributes: client.write_attributes.map(strings),
        default_redirect_uri: client.default_redirect_uri.map(Spanned::into_inner),
        enable_propagate_additional_user_context_data: client.enable_propagate_additional_user_context_data,
    })
}

/// Cognito's rule for callback and logout URLs: absolute, no fragment, https; plain http
/// only for localhost.
pub(crate) fn check_redirect_url(raw: &str) -> Result<(), String> {
    let length = raw.chars().count();
    if length > MAX_REDIRECT_URL_LENGTH {
        let start: String = raw.chars().take(40).collect();
        return Err(format!(
            "the URL starting {start:?} is {length} characters; Cognito accepts redirect URLs of at most \
             {MAX_REDIRECT_URL_LENGTH}"
        ));
    }
    if let Some(c) = raw.chars().find(|c| !visible(*c)) {
        return Err(format!(
            "{raw:?} holds {c:?} (U+{:04X}); Cognito accepts redirect URLs of letters, marks, symbols, digits and \
             punctuation only: no spaces or control characters (percent-encode them, as %20)",
            u32::from(c)
        ));
    }
    let url = url::Url::parse(raw).map_err(|error| format!("{raw:?} is not an absolute URL ({error})"))?;
    if url.fragment().is_some() {
        return Err(format!(
            "{raw:?} has a #fragment, which Cognito does not accept in redirect URLs"
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str() == Some("localhost") => Ok(()),
        "http" => Err(format!(
            "{raw:?} uses http; Cognito accepts http only for localhost (http://localhost[:port]), otherwise https"
        )),
        // Custom schemes (myapp://callback) are how native apps receive the redirect.
        scheme if !scheme.is_empty() => Ok(()),
        _ => Err(format!("{raw:?} has no scheme")),
    }
}

/// Whether `c` is in AWS's `[\p{L}\p{M}\p{S}\p{N}\p{P}]`: not a separator (every one is
/// white space), a control or format character, or private use. (Unassigned code points,
/// which the class leaves out too, are left to Cognito.)
pub(crate) fn visible(c: char) -> bool {
    let format = matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private = matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    !(c.is_whitespace() || c.is_control() || format || private)
}

/// A standard scope, or one a declared resource server defines.
fn check_scope(scope: &str, declared: &[String]) -> Result<(), String> {
    // AWS's ScopeType: 1 to 256 printable ASCII characters other than `"` and `\`.
    if scope.chars().count() > MAX_SCOPE_LENGTH {
        return Err(format!(
            "scope {scope:?} is {} characters; Cognito accepts scopes of at most {MAX_SCOPE_LENGTH} (the resource \
             server's identifier, `/` and the scope's name together)",
            scope.chars().count()
        ));
    }
    if STANDARD_SCOPES.contains(&scope) || declared.iter().any(|d| d == scope) {
        return Ok(());
    }
    if scope.contains('/') {
        let known = if declared.is_empty() {
            "none is declared".to_owned()
        } else {
            format!("declared: {}", declared.join(", "))
        };
        return Err(format!(
            "scope {scope:?} names no scope of a [[resource_servers]] entry ({known}); Cognito refuses a client \
             scope its pool does not define"
        ));
    }
    Err(format!(
        "unknown OAuth scope {scope:?}; accepted: {}, or a resource server scope \"<identifier>/<scope>\"",
        STANDARD_SCOPES.join(", ")
    ))
}
