//! The revoke and userInfo endpoints without the network: the userInfo request (a `GET` with
//! the access token as a bearer), the user's attributes read from its answer
//! ([`UserInfo::from_response`]), the revoke answer read ([`revoke_response`]), and the
//! typed error both give ([`EndpointError`]). The revoke request itself is a form `POST`
//! like the token endpoint's, built by [`OAuthClient::revoke_request`](crate::OAuthClient::revoke_request).

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use url::Url;

use crate::token::{OAuthErrorCode, excerpt, oauth_error};

/// A `GET` of `/oauth2/userInfo` with `Authorization: Bearer <access token>`.
///
/// `Debug` hides the `Authorization` header.
#[derive(Clone)]
pub struct UserInfoRequest {
    pub(crate) url: Url,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl UserInfoRequest {
    /// Always `GET`.
    pub fn method(&self) -> &'static str {
        "GET"
    }

    /// The userInfo endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `Authorization` (the bearer token) and `Accept`.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }
}

impl fmt::Debug for UserInfoRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoRequest")
            .field("url", &self.url.as_str())
            .field("headers", &"<Authorization redacted>")
            .finish()
    }
}

/// What went wrong at the revoke or userInfo endpoint. No variant quotes a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// An OAuth error answer (RFC 6749 5.2, RFC 6750 3.1, RFC 7009 2.2.1).
    #[error("{endpoint} refused the request with `{code}`{} (HTTP {status})", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        endpoint: &'static str,
        status: u16,
        code: OAuthErrorCode,
        description: Option<String>,
    },
    /// An error status without an OAuth error.
    #[error("{endpoint} answered HTTP {status} without an OAuth error: {excerpt:?}")]
    Status {
        endpoint: &'static str,
        status: u16,
        excerpt: String,
    },
    /// A success status whose body is not what the endpoint returns.
    #[error("{endpoint} answered HTTP {status} but {reason}")]
    Malformed {
        endpoint: &'static str,
        status: u16,
        reason: &'static str,
    },
}

impl EndpointError {
    /// The OAuth error code, if the endpoint sent one.
    pub fn code(&self) -> Option<&OAuthErrorCode> {
        match self {
            EndpointError::OAuth { code, .. } => Some(code),
            EndpointError::Status { .. } | EndpointError::Malformed { .. } => None,
        }
    }
}

const USER_INFO: &str = "the userInfo endpoint";
const REVOKE: &str = "the revoke endpoint";

/// An error answer as [`EndpointError`]: the JSON body's `error`, else the
/// `WWW-Authenticate` header's (RFC 6750 3: `Bearer error="invalid_token", …`), else the status.
fn refused(endpoint: &'static str, status: u16, body: &[u8], www_authenticate: Option<&str>) -> EndpointError {
    let json: Option<Map<String, Value>> = serde_json::from_slice(body).ok();
    if let Some(error) = oauth_error(status, json.as_ref()) {
        return EndpointError::OAuth {
            endpoint,
            status,
            code: error.code,
            description: error.description,
        };
    }
    if let Some(code) = www_authenticate.and_then(|h| auth_param(h, "error")) {
        return EndpointError::OAuth {
            endpoint,
            status,
            code: OAuthErrorCode::parse(&code),
            description: www_authenticate
                .and_then(|h| auth_param(h, "error_description"))
                .map(|d| excerpt(&d, 300)),
        };
    }
    EndpointError::Status {
        endpoint,
        status,
        excerpt: excerpt(&String::from_utf8_lossy(body), 200),
    }
}

/// One quoted parameter of a `WWW-Authenticate: Bearer a="b", c="d"` header.
fn auth_param(header: &str, name: &str) -> Option<String> {
    let rest = header.trim_start().strip_prefix("Bearer")?;
    rest.split(',').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Reads the revoke endpoint's answer: `200` with an empty body is success (RFC 7009 2.2).
pub fn revoke_response(status: u16, body: &[u8]) -> Result<(), EndpointError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    Err(refused(REVOKE, status, body, None))
}

/// The user's attributes from `/oauth2/userInfo` (`sub`, `email`, `email_verified`,
/// `username`, …, as the access token's scopes allow).
///
/// `Debug` shows `sub` and only the names of the other attributes (they are personal data).
#[derive(Clone)]
pub struct UserInfo {
    map: Map<String, Value>,
}

impl UserInfo {
    /// Reads the userInfo answer: the attributes on a 2xx, a typed error otherwise.
    /// `www_authenticate` is the answer's `WWW-Authenticate` header, where Cognito may put the
    /// error of a refused token.
    pub fn from_response(status: u16, body: &[u8], www_authenticate: Option<&str>) -> Result<Self, EndpointError> {
        if !(200..300).contains(&status) {
            return Err(refused(USER_INFO, status, body, www_authenticate));
        }
        let malformed = |reason| EndpointError::Malformed {
            endpoint: USER_INFO,
            status,
            reason,
        };
        let map: Map<String, Value> =
            serde_json::from_slice(body).map_err(|_| malformed("the body is not a JSON object"))?;
        match map.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => Ok(Self { map }),
            _ => Err(malformed("the attributes have no `sub`")),
        }
    }

    /// `sub`: the user's id in the pool.
    pub fn subject(&self) -> &str {
        self.map.get("sub").and_then(Value::as_str).unwrap_or_default()
    }

    /// `email`, when the token has the `email` scope.
    pub fn email(&self) -> Option<&str> {
        self.get("email").and_then(Value::as_str)
    }

    /// `username`.
    pub fn username(&self) -> Option<&str> {
        self.get("username").and_then(Value::as_str)
    }

    /// Any attribute, by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// Every attribute.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let others: Vec<&str> = self.map.keys().map(String::as_str).filter(|k| *k != "sub").collect();
        f.debug_struct("UserInfo")
            .field("sub", &self.subject())
            .field("other_attributes", &others)
            .finish()
    }
}

impl Serialize for UserInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_gives_the_attributes_and_debug_hides_their_values() {
        let body = br#"{"sub":"abc-123","email":"person@example.com","email_verified":"true","username":"abc-123"}"#;
        let info = UserInfo::from_response(200, body, None).unwrap();
        assert_eq!(info.subject(), "abc-123");
        assert_eq!(info.email(), Some("person@example.com"));
        let shown = format!("{info:?}");
        assert!(shown.contains("abc-123") && shown.contains("\"email\""), "{shown}");
        assert!(!shown.contains("person@example.com"), "{shown}");
    }

    #[test]
    fn a_refused_token_at_user_info_is_read_from_the_body_or_the_www_authenticate_header() {
        let from_body =
            UserInfo::from_response(401, br#"{"error":"invalid_token","error_description":"expired"}"#, None)
                .unwrap_err();
        assert_eq!(from_body.code(), Some(&OAuthErrorCode::InvalidToken));
        assert!(from_body.to_string().contains("userInfo") && from_body.to_string().contains("expired"));
        let header = r#"Bearer error="invalid_token", error_description="Access token is expired or revoked""#;
        let from_header = UserInfo::from_response(401, b"", Some(header)).unwrap_err();
        assert_eq!(
            from_header,
            EndpointError::OAuth {
                endpoint: USER_INFO,
                status: 401,
                code: OAuthErrorCode::InvalidToken,
                description: Some("Access token is expired or revoked".into()),
            }
        );
        let bare = UserInfo::from_response(500, b"oops", None).unwrap_err();
        assert!(matches!(bare, EndpointError::Status { status: 500, .. }), "{bare:?}");
    }

    #[test]
    fn user_info_without_a_sub_is_malformed() {
        let error = UserInfo::from_response(200, br#"{"email":"a@b.c"}"#, None).unwrap_err();
        assert!(matches!(error, EndpointError::Malformed { .. }), "{error:?}");
        assert!(!error.to_string().contains("a@b.c"));
    }

    #[test]
    fn revoke_succeeds_on_200_and_types_its_errors() {
        revoke_response(200, b"").unwrap();
        let error = revoke_response(400, br#"{"error":"unsupported_token_type"}"#).unwrap_err();
        assert_eq!(error.code(), Some(&OAuthErrorCode::UnsupportedTokenType));
        assert!(error.to_string().starts_with("the revoke endpoint refused"), "{error}");
        let client = revoke_response(401, br#"{"error":"invalid_client"}"#).unwrap_err();
        assert_eq!(client.code(), Some(&OAuthErrorCode::InvalidClient));
    }
}
