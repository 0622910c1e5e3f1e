//! `cognito.toml`: parsing and validation. Everything here happens before any AWS call: a
//! bad spec is reported with file, line and column, what is wrong and what is accepted.
//! Keys left out take the defaults shown in the README, which reproduce the usual console
//! setup.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

/// A validated spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub pool: PoolSpec,
    pub client: ClientSpec,
    pub domain: Option<DomainSpec>,
    pub triggers: Triggers,
    pub groups: Vec<GroupSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSpec {
    pub name: String,
    pub username_attributes: Vec<Attribute>,
    pub auto_verified_attributes: Vec<Attribute>,
    pub mfa: Mfa,
    pub deletion_protection: bool,
    pub password_policy: PasswordPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Email,
    PhoneNumber,
}

impl Attribute {
    pub fn as_aws(self) -> &'static str {
        match self {
            Attribute::Email => "email",
            Attribute::PhoneNumber => "phone_number",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mfa {
    Off,
    On,
    Optional,
}

impl Mfa {
    pub fn as_aws(self) -> &'static str {
        match self {
            Mfa::Off => "OFF",
            Mfa::On => "ON",
            Mfa::Optional => "OPTIONAL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicy {
    pub minimum_length: u8,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub name: String,
    pub generate_secret: bool,
    pub oauth_flows: Vec<OAuthFlow>,
    pub oauth_scopes: Vec<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub identity_providers: Vec<String>,
    pub explicit_auth_flows: Vec<String>,
    pub prevent_user_existence_errors: bool,
    pub enable_token_revocation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlow {
    Code,
    Implicit,
    ClientCredentials,
}

impl OAuthFlow {
    pub fn as_aws(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
            OAuthFlow::ClientCredentials => "client_credentials",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSpec {
    pub prefix: String,
}

/// Lambda function names or ARNs for each trigger; `None` leaves that trigger as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triggers {
    pub pre_sign_up: Option<String>,
    pub post_confirmation: Option<String>,
    pub custom_message: Option<String>,
}

impl Triggers {
    /// `(trigger name as in cognito.toml, function)` for every trigger set.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("pre_sign_up", &self.pre_sign_up),
            ("post_confirmation", &self.post_confirmation),
            ("custom_message", &self.custom_message),
        ]
        .into_iter()
        .filter_map(|(name, function)| function.as_deref().map(|f| (name, f)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub name: String,
    pub description: Option<String>,
}

/// A problem with the spec, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Advice about a valid spec that is probably not what its author wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// The file as written: every value that needs checking keeps its position.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSpec {
    pool: RawPool,
    client: RawClient,
    domain: Option<RawDomain>,
    triggers: Option<RawTriggers>,
    groups: Option<Vec<RawGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPool {
    name: Spanned<String>,
    username_attributes: Spanned<Vec<Attribute>>,
    auto_verified_attributes: Vec<Attribute>,
    mfa: Mfa,
    deletion_protection: bool,
    password_policy: Spanned<PasswordPolicy>,
}

impl Default for RawPool {
    fn default() -> Self {
        Self {
            name: unspanned("toyseven-cognito".into()),
            username_attributes: unspanned(vec![Attribute::Email]),
            auto_verified_attributes: vec![Attribute::Email],
            mfa: Mfa::Off,
            deletion_protection: true,
            password_policy: unspanned(PasswordPolicy::default()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawClient {
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
            identity_providers: vec![unspanned("COGNITO".into())],
            explicit_auth_flows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
                .map(|s| unspanned(s.into()))
                .into(),
            prevent_user_existence_errors: true,
            enable_token_revocation: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    prefix: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    pre_sign_up: Option<Spanned<String>>,
    post_confirmation: Option<Spanned<String>>,
    custom_message: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: Spanned<String>,
    description: Option<String>,
}

fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

const EXPLICIT_AUTH_FLOWS: [&str; 6] = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_AUTH",
];

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<(Spec, Vec<Warning>), SpecError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| SpecError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the spec: {error}"),
    })?;
    parse(&file, &text)
}

/// Parses and validates spec text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<(Spec, Vec<Warning>), SpecError> {
    let at = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        SpecError {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    };
    let raw: RawSpec = toml::from_str(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        at(span, error.message().to_owned())
    })?;
    let mut warnings = Vec::new();

    // [pool]
    let pool = raw.pool;
    check_pool_name(pool.name.get_ref()).map_err(|m| at(pool.name.span(), m))?;
    if pool.username_attributes.get_ref().is_empty() {
        return Err(at(
            pool.username_attributes.span(),
            "username_attributes must name at least one of \"email\", \"phone_number\"".into(),
        ));
    }
    let policy = *pool.password_policy.get_ref();
    if !(6..=99).contains(&policy.minimum_length) {
        return Err(at(
            pool.password_policy.span(),
            format!(
                "password_policy.minimum_length is {}; Cognito accepts 6 to 99",
                policy.minimum_length
            ),
        ));
    }

    // [client]
    let client = raw.client;
    let flows = client.oauth_flows.get_ref();
    if client.name.get_ref().is_empty() || client.name.get_ref().chars().count() > 128 {
        return Err(at(client.name.span(), "client.name must be 1 to 128 characters".into()));
    }
    for url in client.callback_urls.iter().chain(&client.logout_urls) {
        check_redirect_url(url.get_ref()).map_err(|m| at(url.span(), m))?;
    }
    for scope in &client.oauth_scopes {
        check_scope(scope.get_ref()).map_err(|m| at(scope.span(), m))?;
    }
    for flow in &client.explicit_auth_flows {
        if !EXPLICIT_AUTH_FLOWS.contains(&flow.get_ref().as_str()) {
            return Err(at(
                flow.span(),
                format!(
                    "unknown explicit auth flow {:?}; accepted: {}",
                    flow.get_ref(),
                    EXPLICIT_AUTH_FLOWS.join(", ")
                ),
            ));
        }
    }
    for provider in &client.identity_providers {
        if provider.get_ref().is_empty() || provider.get_ref().chars().count() > 32 {
            return Err(at(
                provider.span(),
                "an identity provider is \"COGNITO\" or the name of one of the pool's providers (1 to 32 characters)"
                    .into(),
            ));
        }
    }
    let interactive = flows.iter().any(|f| matches!(f, OAuthFlow::Code | OAuthFlow::Implicit));
    if interactive && client.callback_urls.is_empty() {
        return Err(at(
            client.oauth_flows.span(),
            "the code and implicit grants need at least one callback_urls entry".into(),
        ));
    }
    if !flows.is_empty() && client.oauth_scopes.is_empty() {
        return Err(at(
            client.oauth_flows.span(),
            "OAuth flows need at least one oauth_scopes entry".into(),
        ));
    }
    if flows.contains(&OAuthFlow::ClientCredentials) {
        if interactive {
            return Err(at(
                client.oauth_flows.span(),
                "client_credentials cannot be combined with code or implicit in one client (a Cognito rule); use two clients".into(),
            ));
        }
        if !*client.generate_secret.get_ref() {
            return Err(at(
                client.generate_secret.span(),
                "client_credentials needs generate_secret = true".into(),
            ));
        }
    }
    if *client.generate_secret.get_ref() && flows.contains(&OAuthFlow::Code) {
        warnings.push(Warning(
            "client.generate_secret = true with the code grant: a browser app cannot keep a secret, and its call \
             to /oauth2/token without one fails with `invalid_client`. A server that keeps the secret must send \
             it with HTTP Basic authentication (Authorization: Basic base64(client_id:client_secret)). For a \
             browser or mobile app set generate_secret = false and use PKCE."
                .into(),
        ));
    }
    if flows.contains(&OAuthFlow::Implicit) {
        warnings.push(Warning(
            "client.oauth_flows includes \"implicit\": the implicit grant returns tokens in the URL and issues no \
             refresh token, so users sign in again when the tokens expire. Prefer \"code\" with PKCE."
                .into(),
        ));
    }

    // [domain]
    let domain = match raw.domain {
        None => Some(DomainSpec {
            prefix: "toyseven".into(),
        }),
        Some(domain) => {
            check_domain_prefix(domain.prefix.get_ref()).map_err(|m| at(domain.prefix.span(), m))?;
            Some(DomainSpec {
                prefix: domain.prefix.into_inner(),
            })
        }
    };

    // [triggers]
    let triggers = match raw.triggers {
        None => Triggers {
            pre_sign_up: Some("pre-signup".into()),
            post_confirmation: Some("post-confirmation".into()),
            custom_message: Some("custom-message".into()),
        },
        Some(triggers) => {
            for function in [
                &triggers.pre_sign_up,
                &triggers.post_confirmation,
                &triggers.custom_message,
            ]
            .into_iter()
            .flatten()
            {
                check_function(function.get_ref()).map_err(|m| at(function.span(), m))?;
            }
            Triggers {
                pre_sign_up: triggers.pre_sign_up.map(Spanned::into_inner),
                post_confirmation: triggers.post_confirmation.map(Spanned::into_inner),
                custom_message: triggers.custom_message.map(Spanned::into_inner),
            }
        }
    };

    // [[groups]]
    let raw_groups = raw.groups.unwrap_or_else(|| {
        vec![RawGroup {
            name: unspanned("members".into()),
            description: None,
        }]
    });
    let mut groups: Vec<GroupSpec> = Vec::new();
    for group in raw_groups {
        check_group_name(group.name.get_ref()).map_err(|m| at(group.name.span(), m))?;
        if groups.iter().any(|g| &g.name == group.name.get_ref()) {
            return Err(at(
                group.name.span(),
                format!("group {:?} is listed twice", group.name.get_ref()),
            ));
        }
        groups.push(GroupSpec {
            name: group.name.into_inner(),
            description: group.description,
        });
    }

    let spec = Spec {
        pool: PoolSpec {
            name: pool.name.into_inner(),
            username_attributes: sorted(pool.username_attributes.into_inner()),
            auto_verified_attributes: sorted(pool.auto_verified_attributes),
            mfa: pool.mfa,
            deletion_protection: pool.deletion_protection,
            password_policy: policy,
        },
        client: ClientSpec {
            name: client.name.into_inner(),
            generate_secret: client.generate_secret.into_inner(),
            oauth_flows: sorted(client.oauth_flows.into_inner()),
            oauth_scopes: strings(client.oauth_scopes),
            callback_urls: strings(client.callback_urls),
            logout_urls: strings(client.logout_urls),
            identity_providers: strings(client.identity_providers),
            explicit_auth_flows: strings(client.explicit_auth_flows),
            prevent_user_existence_errors: client.prevent_user_existence_errors,
            enable_token_revocation: client.enable_token_revocation,
        },
        domain,
        triggers,
        groups,
    };
    Ok((spec, warnings))
}

fn sorted<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}

fn strings(values: Vec<Spanned<String>>) -> Vec<String> {
    values.into_iter().map(Spanned::into_inner).collect()
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn check_pool_name(name: &str) -> Result<(), String> {
    let ok = (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "pool.name {name:?} is not a valid pool name; accepted: 1 to 128 letters, digits, spaces and + = , . @ - _"
        ))
    }
}

/// Cognito's rule for callback and logout URLs: absolute, no fragment, https; plain http
/// only for localhost.
fn check_redirect_url(raw: &str) -> Result<(), String> {
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

fn check_scope(scope: &str) -> Result<(), String> {
    const STANDARD: [&str; 5] = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];
    if STANDARD.contains(&scope) || scope.contains('/') && !scope.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(format!(
            "unknown OAuth scope {scope:?}; accepted: {}, or a resource server scope such as \"api.example.com/read\"",
            STANDARD.join(", ")
        ))
    }
}

/// Cognito's rule for a hosted-UI domain prefix.
pub fn check_domain_prefix(prefix: &str) -> Result<(), String> {
    let chars_ok = prefix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ends_ok = !prefix.starts_with('-') && !prefix.ends_with('-');
    if prefix.is_empty() || prefix.len() > 63 || !chars_ok || !ends_ok {
        return Err(format!(
            "domain.prefix {prefix:?} is not valid; accepted: 1 to 63 lowercase letters, digits and hyphens, \
             not starting or ending with a hyphen"
        ));
    }
    if let Some(reserved) = ["aws", "amazon", "cognito"].into_iter().find(|r| prefix.contains(r)) {
        return Err(format!(
            "domain.prefix {prefix:?} contains the reserved word {reserved:?}; Cognito refuses prefixes with aws, amazon or cognito"
        ));
    }
    Ok(())
}

fn check_function(function: &str) -> Result<(), String> {
    let name = match function.strip_prefix("arn:") {
        Some(_) => {
            let parts: Vec<&str> = function.split(':').collect();
            if parts.len() < 7 || parts[2] != "lambda" || parts[5] != "function" {
                return Err(format!(
                    "{function:?} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)"
                ));
            }
            parts[6]
        }
        None => function,
    };
    let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{function:?} is not a Lambda function name or ARN; a name is 1 to 64 letters, digits, hyphens and underscores"
        ))
    }
}

fn check_group_name(name: &str) -> Result<(), String> {
    if (1..=128).contains(&name.chars().count()) && !name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(())
    } else {
        Err(format!(
            "group name {name:?} is not valid; accepted: 1 to 128 characters without spaces"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> SpecError {
        parse("cognito.toml", text).unwrap_err()
    }

    #[test]
    fn the_empty_file_is_the_console_setup() {
        let (spec, warnings) = parse("cognito.toml", "").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(spec.pool.name, "toyseven-cognito");
        assert_eq!(spec.pool.username_attributes, [Attribute::Email]);
        assert_eq!(spec.pool.mfa, Mfa::Off);
        assert!(spec.pool.deletion_protection);
        assert_eq!(spec.pool.password_policy, PasswordPolicy::default());
        assert!(!spec.client.generate_secret);
        assert_eq!(spec.client.oauth_flows, [OAuthFlow::Code]);
        assert_eq!(spec.client.callback_urls, ["http://localhost:3000"]);
        assert_eq!(
            spec.domain,
            Some(DomainSpec {
                prefix: "toyseven".into()
            })
        );
        assert_eq!(spec.triggers.iter().count(), 3);
        assert_eq!(spec.groups[0].name, "members");
    }

    #[test]
    fn the_checked_in_spec_is_the_default() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../cognito.toml")).unwrap();
        let (spec, _) = parse("cognito.toml", &text).unwrap();
        let (default, _) = parse("cognito.toml", "").unwrap();
        assert_eq!(
            spec.groups[0].description.as_deref(),
            Some("Every user who confirmed their sign-up")
        );
        assert_eq!(
            Spec {
                groups: default.groups.clone(),
                ..spec
            },
            default
        );
    }

    #[test]
    fn errors_name_file_line_column_and_what_is_accepted() {
        let e = error("[pool]\nname = \"ok\"\nnmae = \"typo\"\n");
        assert_eq!((e.line, e.column), (3, 1));
        assert!(
            e.message.contains("unknown field `nmae`") && e.message.contains("`username_attributes`"),
            "{e}"
        );
        assert!(e.to_string().starts_with("cognito.toml:3:1: "), "{e}");

        let e = error("[client]\ncallback_urls = [\"https://ok.example.com\", \"http://example.com\"]\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("http only for localhost"), "{e}");

        let e = error("[pool]\nmfa = \"sometimes\"\n");
        assert!(e.message.contains("`off`, `on`, `optional`"), "{e}");

        let e = error("[pool.password_policy]\nminimum_length = 5\n");
        assert!(e.message.contains("6 to 99"), "{e}");

        let e = error("[unknown]\n");
        assert!(e.message.contains("unknown field `unknown`"), "{e}");
    }

    #[test]
    fn redirect_urls_follow_cognitos_rule() {
        for ok in [
            "https://app.example.com/cb",
            "http://localhost:3000",
            "http://localhost",
            "myapp://callback",
        ] {
            assert!(check_redirect_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://127.0.0.1:3000",
            "https://app.example.com/#x",
            "/relative",
        ] {
            assert!(check_redirect_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domain_prefixes_follow_cognitos_rule() {
        for ok in ["toyseven", "my-app-2", "a"] {
            assert!(check_domain_prefix(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Toyseven",
            "my_app",
            "-start",
            "end-",
            "myaws",
            "amazonapp",
            "cognito-login",
            &"a".repeat(64),
        ] {
            assert!(check_domain_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grant_traps_get_warnings() {
        let (_, warnings) = parse("f", "[client]\ngenerate_secret = true\n").unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].0.contains("invalid_client") && warnings[0].0.contains("HTTP Basic"),
            "{}",
            warnings[0]
        );
        let (_, warnings) = parse("f", "[client]\noauth_flows = [\"implicit\"]\n").unwrap();
        assert!(warnings[0].0.contains("no refresh token"), "{}", warnings[0]);
    }

    #[test]
    fn client_credentials_rules() {
        assert!(
            error("[client]\noauth_flows = [\"client_credentials\"]\n")
                .message
                .contains("generate_secret = true")
        );
        assert!(
            error("[client]\ngenerate_secret = true\noauth_flows = [\"code\", \"client_credentials\"]\n")
                .message
                .contains("cannot be combined")
        );
    }

    #[test]
    fn triggers_are_names_or_arns() {
        assert!(
            parse(
                "f",
                "[triggers]\npre_sign_up = \"arn:aws:lambda:us-east-1:123456789012:function:pre-signup\"\n"
            )
            .is_ok()
        );
        assert!(
            error("[triggers]\npre_sign_up = \"arn:aws:s3:::bucket\"\n")
                .message
                .contains("not a Lambda function ARN")
        );
        let (spec, _) = parse("f", "[triggers]\n").unwrap();
        assert_eq!(spec.triggers.iter().count(), 0, "an empty [triggers] manages none");
    }
}
