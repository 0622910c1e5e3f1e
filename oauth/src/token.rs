//! The token endpoint without the network: a request as method, URL, headers and form body
//! ([`TokenRequest`]), and the answer read from status and body ([`Tokens::from_response`]),
//! where an OAuth error answer becomes a typed [`OAuthError`] that never carries a token.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;
use url::form_urlencoded;

use crate::secret::{AccessToken, IdToken, RefreshToken};

/// A request to `/oauth2/token`, ready for any HTTP client: `POST` [`url`](Self::url) with
/// [`headers`](Self::headers) and [`body`](Self::body).
///
/// `Debug` hides the `Authorization` header and the code, verifier, refresh token and
/// client secret in the form.
#[derive(Clone)]
pub struct TokenRequest {
    pub(crate) url: Url,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) form: Vec<(&'static str, String)>,
}

/// Form fields whose values may be shown (in `Debug`); every other field is hidden.
const PUBLIC_FIELDS: [&str; 4] = ["grant_type", "client_id", "redirect_uri", "scope"];

impl TokenRequest {
    /// Always `POST` (the token endpoint accepts nothing else).
    pub fn method(&self) -> &'static str {
        "POST"
    }

    /// The token endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `Content-Type`, `Accept` and, for a client with a secret sent by HTTP Basic,
    /// `Authorization`.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// The form fields, in the order they are sent.
    pub fn form(&self) -> &[(&'static str, String)] {
        &self.form
    }

    /// The body, `application/x-www-form-urlencoded`.
    pub fn body(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish()
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Pairs<'a>(&'a [(&'static str, String)], fn(&str) -> bool);
        impl fmt::Debug for Pairs<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    if (self.1)(name) {
                        map.entry(name, value);
                    } else {
                        map.entry(name, &format_args!("<redacted>"));
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("TokenRequest")
            .field("method", &self.method())
            .field("url", &self.url.as_str())
            .field(
                "headers",
                &Pairs(&self.headers, |h| !h.eq_ignore_ascii_case("authorization")),
            )
            .field("form", &Pairs(&self.form, |k| PUBLIC_FIELDS.contains(&k)))
            .finish()
    }
}

/// The tokens `/oauth2/token` returns. `Debug` hides each token.
///
/// A code exchange with the `openid` scope returns all three; a refresh returns new ID and
/// access tokens and a refresh token only when the app client rotates refresh tokens.
/// Serializing writes the tokens in full, for an app's session store, never for a log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tokens {
    /// Present when the `openid` scope was granted.
    pub id_token: Option<IdToken>,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    /// Seconds the access and ID tokens live, as the endpoint said.
    pub expires_in: Option<u64>,
    /// `Bearer` from Cognito.
    pub token_type: String,
}

/// What went wrong at the token endpoint. No variant carries a token or the response body of
/// a successful status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The endpoint answered with an OAuth error (`invalid_client`, `invalid_grant`, ...).
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// An error status without an OAuth error body (a proxy's page, a 5xx).
    #[error("the token endpoint answered HTTP {status} without an OAuth error: {excerpt:?}")]
    Status { status: u16, excerpt: String },
    /// A success status whose body is not a token response.
    #[error("the token endpoint answered HTTP {status} but not with tokens: {reason}")]
    Malformed { status: u16, reason: String },
}

/// An OAuth 2.0 error answer from the token endpoint (RFC 6749 5.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the token endpoint refused the request with `{code}`{} (HTTP {status})", description_suffix(.description))]
pub struct OAuthError {
    pub status: u16,
    pub code: OAuthErrorCode,
    /// `error_description`, when the endpoint sent one.
    pub description: Option<String>,
}

fn description_suffix(description: &Option<String>) -> String {
    description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
}

impl OAuthError {
    /// One sentence on the usual cause of this error at a Cognito token endpoint and its fix.
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }
}

/// The `error` code of an OAuth error answer. Codes Cognito does not document are kept as
/// they came in [`Other`](Self::Other), since RFC 6749 8.5 lets servers add codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    RedirectMismatch,
    /// From userInfo (RFC 6750 3.1): the access token is expired, revoked or not the pool's.
    InvalidToken,
    /// From revoke (RFC 7009 2.2.1): the token is not a refresh token.
    UnsupportedTokenType,
    Other(String),
}

impl OAuthErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::RedirectMismatch => "redirect_mismatch",
            Self::InvalidToken => "invalid_token",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::Other(code) => code,
        }
    }

    pub(crate) fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "redirect_mismatch" => Self::RedirectMismatch,
            "invalid_token" => Self::InvalidToken,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            other => Self::Other(excerpt(other, 64)),
        }
    }

    /// One sentence on the usual cause of this error at a Cognito token endpoint and its fix.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::InvalidRequest => {
                "A required field is missing or malformed (grant_type, code, redirect_uri, code_verifier or \
                 client_id), or the code was already used: send every field and exchange each code once."
            }
            Self::InvalidClient => {
                "The app client has a secret and the request did not send it, or sent the wrong one: send it \
                 with HTTP Basic authentication from a server, or use a client without a secret and PKCE for a \
                 browser or mobile app."
            }
            Self::InvalidGrant => {
                "The code or refresh token is expired, already used or revoked, or the code_verifier or \
                 redirect_uri differs from the authorize request: start the sign-in again and send the same \
                 redirect_uri byte for byte."
            }
            Self::UnauthorizedClient => {
                "The app client may not use this grant: allow the authorization-code grant (and the refresh \
                 token) in the app client's OAuth settings."
            }
            Self::UnsupportedGrantType => "grant_type must be authorization_code, refresh_token or client_credentials.",
            Self::InvalidScope => {
                "A requested scope is not allowed for this app client: request only scopes in its \
                 AllowedOAuthScopes."
            }
            Self::RedirectMismatch => {
                "The redirect_uri is not one of the app client's callback URLs, byte for byte (scheme, host, \
                 port, path and trailing slash): add it to the client's callback URLs or send the registered one."
            }
            Self::InvalidToken => {
                "The access token is expired, revoked, or not from this pool: refresh it, or sign the user in \
                 again."
            }
            Self::UnsupportedTokenType => {
                "Only a refresh token can be revoked: send the refresh token, not the ID or access token."
            }
            Self::Other(_) => "Cognito does not document this error code; see its error_description.",
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OAuth error in an answer's JSON body (`error`, `error_description`), if it has one.
pub(crate) fn oauth_error(status: u16, json: Option<&Map<String, Value>>) -> Option<OAuthError> {
    let code = json?.get("error")?.as_str()?;
    let description = json
        .and_then(|j| j.get("error_description"))
        .and_then(Value::as_str)
        .map(|d| excerpt(d, 300));
    Some(OAuthError {
        status,
        code: OAuthErrorCode::parse(code),
        description,
    })
}

impl Tokens {
    /// Reads the token endpoint's answer: tokens on a 2xx, a typed error otherwise.
    pub fn from_response(status: u16, body: &[u8]) -> Result<Tokens, TokenError> {
        let json: Option<Map<String, Value>> = serde_json::from_slice(body).ok();
        if let Some(error) = oauth_error(status, json.as_ref()) {
            return Err(error.into());
        }
        if !(200..300).contains(&status) {
            return Err(TokenError::Status {
                status,
                excerpt: excerpt(&String::from_utf8_lossy(body), 200),
            });
        }
        // From here on the body may hold tokens: reasons name fields, never quote values.
        let malformed = |reason: &str| TokenError::Malformed {
            status,
            reason: reason.to_owned(),
        };
        let mut json = json.ok_or_else(|| malformed("the body is not a JSON object"))?;
        let mut string = |name: &str| -> Result<Option<String>, TokenError> {
            match json.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
                Some(_) => Err(malformed(&format!("{name} is not a non-empty string"))),
            }
        };
        let access_token = string("access_token")?.ok_or_else(|| malformed("it has no access_token"))?;
        let token_type = string("token_type")?.ok_or_else(|| malformed("it has no token_type"))?;
        let id_token = string("id_token")?;
        let refresh_token = string("refresh_token")?;
        let expires_in = match json.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .ok_or_else(|| malformed("expires_in is not a whole number"))?,
            ),
        };
        Ok(Tokens {
            id_token: id_token.map(IdToken::new),
            access_token: AccessToken::new(access_token),
            refresh_token: refresh_token.map(RefreshToken::new),
            expires_in,
            token_type,
        })
    }
}

/// At most `max` characters of a server's text, control characters replaced, for an error
/// message that a log may keep.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_exchange_answer_gives_all_three_tokens() {
        let body = br#"{"id_token":"i.d.t","access_token":"a.c.t","refresh_token":"r.t","expires_in":3600,"token_type":"Bearer"}"#;
        let tokens = Tokens::from_response(200, body).unwrap();
        assert_eq!(tokens.id_token.unwrap().secret(), "i.d.t");
        assert_eq!(tokens.access_token.secret(), "a.c.t");
        assert_eq!(tokens.refresh_token.unwrap().secret(), "r.t");
        assert_eq!(tokens.expires_in, Some(3600));
        assert_eq!(tokens.token_type, "Bearer");
    }

    #[test]
    fn a_refresh_answer_without_a_refresh_token_is_complete() {
        let body = br#"{"id_token":"i","access_token":"a","expires_in":3600,"token_type":"Bearer"}"#;
        let tokens = Tokens::from_response(200, body).unwrap();
        assert!(tokens.refresh_token.is_none());
    }

    #[test]
    fn each_documented_oauth_error_becomes_its_own_code_with_its_description() {
        let cases = [
            ("invalid_request", OAuthErrorCode::InvalidRequest),
            ("invalid_client", OAuthErrorCode::InvalidClient),
            ("invalid_grant", OAuthErrorCode::InvalidGrant),
            ("unauthorized_client", OAuthErrorCode::UnauthorizedClient),
            ("unsupported_grant_type", OAuthErrorCode::UnsupportedGrantType),
            ("invalid_scope", OAuthErrorCode::InvalidScope),
            ("redirect_mismatch", OAuthErrorCode::RedirectMismatch),
            ("slow_down", OAuthErrorCode::Other("slow_down".into())),
        ];
        for (wire, code) in cases {
            let body = format!(r#"{{"error":"{wire}","error_description":"why {wire}"}}"#);
            let error = Tokens::from_response(400, body.as_bytes()).unwrap_err();
            let expected = OAuthError {
                status: 400,
                code: code.clone(),
                description: Some(format!("why {wire}")),
            };
            assert_eq!(error, TokenError::OAuth(expected), "{wire}");
            assert_eq!(code.as_str(), wire);
            assert!(error.to_string().contains(wire), "{error}");
        }
    }

    #[test]
    fn an_oauth_error_without_a_description_still_reads_well() {
        let error = Tokens::from_response(401, br#"{"error":"invalid_client"}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the token endpoint refused the request with `invalid_client` (HTTP 401)"
        );
        let TokenError::OAuth(oauth) = error else {
            panic!("{error:?}")
        };
        assert!(oauth.hint().contains("HTTP Basic"), "{}", oauth.hint());
    }

    #[test]
    fn an_error_status_without_an_oauth_body_keeps_a_short_excerpt() {
        let page = format!("<html>Bad gateway\n{}</html>", "x".repeat(500));
        let error = Tokens::from_response(502, page.as_bytes()).unwrap_err();
        let TokenError::Status { status, excerpt } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(*status, 502);
        assert!(excerpt.starts_with("<html>Bad gateway x"), "{excerpt}");
        assert!(excerpt.chars().count() <= 201);
    }

    #[test]
    fn a_success_status_with_a_broken_body_names_the_field_and_never_quotes_a_token() {
        let cases: [(&[u8], &str); 4] = [
            (b"not json", "not a JSON object"),
            (
                br#"{"id_token":"secret.id.token","token_type":"Bearer"}"#,
                "no access_token",
            ),
            (
                br#"{"access_token":"secret.access","token_type":7}"#,
                "token_type is not",
            ),
            (
                br#"{"access_token":"secret.access","token_type":"Bearer","expires_in":"soon"}"#,
                "expires_in",
            ),
        ];
        for (body, reason) in cases {
            let error = Tokens::from_response(200, body).unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(shown.contains(reason), "{shown}");
            assert!(!shown.contains("secret"), "{shown}");
        }
    }

    #[test]
    fn debug_output_of_tokens_hides_every_token() {
        let body = br#"{"id_token":"secret-i","access_token":"secret-a","refresh_token":"secret-r","expires_in":60,"token_type":"Bearer"}"#;
        let shown = format!("{:?}", Tokens::from_response(200, body).unwrap());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("IdToken(<redacted>)"), "{shown}");
    }
}
