//! One app client of a user pool: the hosted-UI authorize URL (PKCE, `state`, `nonce`), the
//! callback's checks, the token requests for the code exchange and the refresh with the
//! client's authentication, and the logout URL. Nothing here touches the network.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use url::Url;
use url::form_urlencoded;

use crate::endpoints::Endpoints;
use crate::pkce::{Pkce, random_string};
use crate::secret::{AccessToken, AuthorizationCode, ClientSecret, RefreshToken};
use crate::token::{TokenRequest, excerpt};
use crate::user_info::UserInfoRequest;
use crate::verify::Verifier;

/// Everything but RFC 3986's unreserved characters is percent-encoded in the URLs built here,
/// so a space in `scope` is `%20` and a redirect URI's `:/?&=` cannot be mistaken for the
/// authorize URL's own.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How the app client proves itself at the token endpoint.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// A public client (no secret): a browser, mobile or command-line app, protected by PKCE.
    None,
    /// `client_secret_basic`: `Authorization: Basic base64(urlencode(id):urlencode(secret))`
    /// (RFC 6749 2.3.1). For a server that keeps the secret; what Cognito documents first.
    Basic(ClientSecret),
    /// `client_secret_post`: the secret in the form body beside `client_id`. Cognito accepts it
    /// too.
    Post(ClientSecret),
}

/// An app client of a user pool, as the app sees it.
///
/// `Debug` hides the client secret.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    endpoints: Endpoints,
    client_id: String,
    redirect_uri: String,
    auth: ClientAuth,
}

/// What the authorize URL asks for, beside what the client and [`PendingLogin`] supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeOptions {
    /// Space-separated into `scope`; none means the client's every allowed scope. Default:
    /// `openid` (which an ID token needs).
    pub scopes: Vec<String>,
    /// `identity_provider`: go straight to this provider (`Google`, `COGNITO`, a SAML or
    /// OIDC provider's name) instead of the hosted sign-in page.
    pub identity_provider: Option<String>,
    /// `idp_identifier`: a provider's identifier, the alternative to `identity_provider`.
    pub idp_identifier: Option<String>,
}

impl Default for AuthorizeOptions {
    fn default() -> Self {
        Self::scopes(["openid"])
    }
}

impl AuthorizeOptions {
    /// These scopes and no identity-provider hint.
    pub fn scopes<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Self {
        Self {
            scopes: scopes.into_iter().map(Into::into).collect(),
            identity_provider: None,
            idp_identifier: None,
        }
    }

    /// Sends the user straight to this identity provider.
    pub fn identity_provider(self, name: impl Into<String>) -> Self {
        Self {
            identity_provider: Some(name.into()),
            ..self
        }
    }

    /// Sends the user straight to the identity provider with this identifier.
    pub fn idp_identifier(self, identifier: impl Into<String>) -> Self {
        Self {
            idp_identifier: Some(identifier.into()),
            ..self
        }
    }
}

/// What the app keeps between sending the browser to the authorize URL and the callback:
/// the `state` it must get back, the `nonce` the ID token must carry, and the PKCE verifier.
///
/// It serializes (all three in full) for an app that keeps it in a session; `Debug` shows
/// none of them.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    state: String,
    nonce: String,
    pkce: Pkce,
}

impl PendingLogin {
    /// A fresh `state`, `nonce` and PKCE pair.
    ///
    /// # Panics
    /// If the operating system has no random source (see [`random_string`]).
    pub fn new() -> Self {
        Self::from_parts(random_string(), random_string(), Pkce::new())
    }

    /// From values the app chose or kept itself.
    pub fn from_parts(state: impl Into<String>, nonce: impl Into<String>, pkce: Pkce) -> Self {
        Self {
            state: state.into(),
            nonce: nonce.into(),
            pkce,
        }
    }

    /// The `state` sent to the authorize endpoint; the callback must bring it back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` sent to the authorize endpoint; the ID token carries it back (check it
    /// with [`Verifier::verify_id_token`]).
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The PKCE pair.
    pub fn pkce(&self) -> &Pkce {
        &self.pkce
    }

    /// The authorization code from the callback, after checking its `state`.
    ///
    /// `callback` is the URL the browser was sent to, whole or from its query on
    /// (`/callback?code=…&state=…`, `?code=…`, `code=…`). An `error` in it (the user
    /// cancelled, the client may not use the grant) comes back as [`CallbackError::Denied`].
    pub fn code_from_callback(&self, callback: &str) -> Result<AuthorizationCode, CallbackError> {
        let query = callback.split_once('?').map_or(callback, |(_, q)| q);
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let (mut code, mut state, mut error, mut description) = (None, None, None, None);
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut code,
                "state" => &mut state,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            if slot.is_some() {
                return Err(CallbackError::Repeated(match name.as_ref() {
                    "code" => "code",
                    "state" => "state",
                    "error" => "error",
                    _ => "error_description",
                }));
            }
            *slot = Some(value.into_owned());
        }
        // The state is checked first, also for an error answer: an error that does not carry
        // our state may be an attacker's, and says nothing about our login.
        match state {
            None => return Err(CallbackError::MissingState),
            Some(state) if !constant_time_eq(state.as_bytes(), self.state.as_bytes()) => {
                return Err(CallbackError::StateMismatch);
            }
            Some(_) => {}
        }
        if let Some(error) = error {
            return Err(CallbackError::Denied {
                error: excerpt(&error, 64),
                description: description.map(|d| excerpt(&d, 300)),
            });
        }
        match code {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode::new(code)),
            _ => Err(CallbackError::MissingCode),
        }
    }
}

impl Default for PendingLogin {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingLogin(<redacted>)")
    }
}

/// Why a callback does not give a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("the callback has no state: it is not the answer to our authorize request")]
    MissingState,
    #[error("the callback's state is not ours: it answers another login (or forges one); start again")]
    StateMismatch,
    #[error("the callback repeats `{0}`")]
    Repeated(&'static str),
    #[error("the sign-in ended with `{error}`{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Denied { error: String, description: Option<String> },
    #[error("the callback has neither a code nor an error")]
    MissingCode,
}

impl OAuthClient {
    /// A public client (no secret). `redirect_uri` is sent exactly as given: it must equal one
    /// of the client's callback URLs byte for byte (`http://localhost:3000` and
    /// `http://localhost:3000/` differ).
    pub fn new(endpoints: Endpoints, client_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        Self {
            endpoints,
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            auth: ClientAuth::None,
        }
    }

    /// A confidential client: its secret goes to the token endpoint by HTTP Basic.
    pub fn with_client_secret(self, secret: impl Into<ClientSecret>) -> Self {
        self.with_client_auth(ClientAuth::Basic(secret.into()))
    }

    /// Chooses how the client authenticates at the token endpoint.
    pub fn with_client_auth(self, auth: ClientAuth) -> Self {
        Self { auth, ..self }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Whether the client authenticates with a secret.
    pub fn has_secret(&self) -> bool {
        match self.auth {
            ClientAuth::None => false,
            ClientAuth::Basic(_) | ClientAuth::Post(_) => true,
        }
    }

    /// A verifier for this client's tokens (the pool's issuer, this client id).
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.endpoints.issuer(), &self.client_id)
    }

    /// Starts a sign-in: a fresh [`PendingLogin`] to keep, and the URL to send the browser to.
    pub fn start_login(&self, options: &AuthorizeOptions) -> (Url, PendingLogin) {
        let pending = PendingLogin::new();
        (self.authorize_url(options, &pending), pending)
    }

    /// The hosted UI's authorize URL for this pending login: the authorization-code grant with
    /// PKCE (S256), `state` and `nonce`.
    pub fn authorize_url(&self, options: &AuthorizeOptions, pending: &PendingLogin) -> Url {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
        ];
        let scope = options.scopes.join(" ");
        if !scope.is_empty() {
            pairs.push(("scope", &scope));
        }
        pairs.extend([
            ("state", pending.state()),
            ("nonce", pending.nonce()),
            ("code_challenge", pending.pkce().challenge()),
            ("code_challenge_method", Pkce::METHOD),
        ]);
        if let Some(provider) = &options.identity_provider {
            pairs.push(("identity_provider", provider));
        }
        if let Some(identifier) = &options.idp_identifier {
            pairs.push(("idp_identifier", identifier));
        }
        with_query(self.endpoints.authorize(), &pairs)
    }

    /// The code exchange: `grant_type=authorization_code` with the code, the same
    /// `redirect_uri` and the PKCE verifier.
    pub fn exchange_request(&self, code: &AuthorizationCode, pending: &PendingLogin) -> TokenRequest {
        self.token_request(vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.secret().into()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("code_verifier", pending.pkce().verifier().into()),
        ])
    }

    /// The refresh: `grant_type=refresh_token`.
    pub fn refresh_request(&self, refresh_token: &RefreshToken) -> TokenRequest {
        self.token_request(vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token.secret().into()),
        ])
    }

    /// The client-credentials grant (machine to machine): `grant_type=client_credentials`
    /// with the resource-server scopes wanted (`<server identifier>/<scope>`; none means
    /// every scope the client is allowed). Cognito gives only an access token, and only to a
    /// client with a secret: a public client gets `invalid_client`.
    pub fn client_credentials_request<S: AsRef<str>>(&self, scopes: &[S]) -> TokenRequest {
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        let scope = scopes.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ");
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        self.token_request(form)
    }

    /// Revokes a refresh token and the access and ID tokens issued with it (`POST
    /// /oauth2/revoke`, `token=`, the client authenticating as at the token endpoint). The
    /// app client must have token revocation on (`EnableTokenRevocation`); read the answer
    /// with [`revoke_response`](crate::revoke_response).
    pub fn revoke_request(&self, refresh_token: &RefreshToken) -> TokenRequest {
        let mut request = self.token_request(vec![("token", refresh_token.secret().to_owned())]);
        request.url = self.endpoints.revoke();
        request
    }

    /// The userInfo call for an access token (`GET /oauth2/userInfo`, `Authorization:
    /// Bearer`); read the answer with [`UserInfo::from_response`](crate::UserInfo::from_response).
    pub fn user_info_request(&self, access_token: &AccessToken) -> UserInfoRequest {
        UserInfoRequest {
            url: self.endpoints.user_info(),
            headers: vec![
                ("Authorization", format!("Bearer {}", access_token.secret())),
                ("Accept", "application/json".to_owned()),
            ],
        }
    }

    fn token_request(&self, mut form: Vec<(&'static str, String)>) -> TokenRequest {
        let mut headers = vec![
            ("Content-Type", "application/x-www-form-urlencoded".to_owned()),
            ("Accept", "application/json".to_owned()),
        ];
        // `client_id` goes in the body for every kind of client: a public client needs it,
        // and Cognito's own examples send it beside the Basic header too.
        form.insert(1, ("client_id", self.client_id.clone()));
        match &self.auth {
            ClientAuth::None => {}
            ClientAuth::Basic(secret) => headers.push(("Authorization", basic(&self.client_id, secret))),
            ClientAuth::Post(secret) => form.push(("client_secret", secret.secret().to_owned())),
        }
        TokenRequest {
            url: self.endpoints.token(),
            headers,
            form,
        }
    }

    /// The hosted UI's logout URL: it ends the hosted UI's session and redirects to
    /// `logout_uri`, which must be one of the client's sign-out URLs byte for byte.
    pub fn logout_url(&self, logout_uri: &str) -> Url {
        with_query(
            self.endpoints.logout(),
            &[("client_id", &self.client_id), ("logout_uri", logout_uri)],
        )
    }
}

/// RFC 6749 2.3.1: the client id and secret are each form-urlencoded, then joined by ':' and
/// base64-encoded. Cognito's generated ids and secrets are letters and digits, which the
/// encoding leaves as they are, so this equals Cognito's documented Base64(id:secret).
fn basic(client_id: &str, secret: &ClientSecret) -> String {
    let user: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    let password: String = form_urlencoded::byte_serialize(secret.secret().as_bytes()).collect();
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    let query = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect::<Vec<_>>()
        .join("&");
    url.set_query(Some(&query));
    url
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::HostedDomain;

    const POOL: &str = "eu-west-1_AbC123xyz";
    const BASE: &str = "https://my-app.auth.eu-west-1.amazoncognito.com";

    fn client(redirect_uri: &str) -> OAuthClient {
        let endpoints = Endpoints::aws("eu-west-1", POOL, &HostedDomain::Prefix("my-app".into())).unwrap();
        OAuthClient::new(endpoints, "client123", redirect_uri)
    }

    fn pending() -> PendingLogin {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        PendingLogin::from_parts("st4te", "n0nce", pkce)
    }

    fn form_of(request: &TokenRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(request.body().as_bytes()).into_owned().collect()
    }

    fn header<'a>(request: &'a TokenRequest, name: &str) -> Option<&'a str> {
        request
            .headers()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_authorize_url_carries_pkce_state_nonce_and_percent_encodes_redirect_and_scopes() {
        let options = AuthorizeOptions::scopes(["openid", "email", "aws.cognito.signin.user.admin"]);
        let url = client("http://localhost:3000/callback?from=app").authorize_url(&options, &pending());
        assert_eq!(
            url.as_str(),
            format!(
                "{BASE}/oauth2/authorize?response_type=code&client_id=client123\
                 &redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback%3Ffrom%3Dapp\
                 &scope=openid%20email%20aws.cognito.signin.user.admin\
                 &state=st4te&nonce=n0nce\
                 &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
            )
        );
        // A standard query parser reads back exactly what was meant.
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("redirect_uri".into(), "http://localhost:3000/callback?from=app".into())));
        assert!(pairs.contains(&("scope".into(), "openid email aws.cognito.signin.user.admin".into())));
    }

    #[test]
    fn the_redirect_uri_is_sent_byte_for_byte_without_a_trailing_slash_added() {
        let url = client("http://localhost:3000").authorize_url(&AuthorizeOptions::default(), &pending());
        let redirect = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(redirect, "http://localhost:3000");
    }

    #[test]
    fn an_identity_provider_hint_and_an_empty_scope_list_shape_the_url() {
        let options = AuthorizeOptions::scopes(Vec::<String>::new())
            .identity_provider("Google")
            .idp_identifier("example.com");
        let url = client("https://app.example.com/cb").authorize_url(&options, &pending());
        let query = url.query().unwrap();
        assert!(!query.contains("scope="), "{query}");
        assert!(
            query.ends_with("&identity_provider=Google&idp_identifier=example.com"),
            "{query}"
        );
    }

    #[test]
    fn start_login_makes_a_fresh_state_nonce_and_verifier_each_time() {
        let client = client("http://localhost:3000/callback");
        let (url_a, a) = client.start_login(&AuthorizeOptions::default());
        let (_, b) = client.start_login(&AuthorizeOptions::default());
        assert_ne!(a.state(), b.state());
        assert_ne!(a.nonce(), b.nonce());
        assert_ne!(a.pkce().verifier(), b.pkce().verifier());
        let query = url_a.query().unwrap();
        assert!(query.contains(&format!("state={}", a.state())), "{query}");
        assert!(
            query.contains(&format!("code_challenge={}", a.pkce().challenge())),
            "{query}"
        );
    }

    #[test]
    fn the_logout_url_names_the_client_and_the_encoded_logout_uri() {
        let url = client("http://localhost:3000/callback").logout_url("http://localhost:3000/signed out");
        assert_eq!(
            url.as_str(),
            format!("{BASE}/logout?client_id=client123&logout_uri=http%3A%2F%2Flocalhost%3A3000%2Fsigned%20out")
        );
    }

    #[test]
    fn a_public_client_exchange_sends_code_verifier_and_client_id_and_no_authorization() {
        let request =
            client("http://localhost:3000/callback").exchange_request(&AuthorizationCode::new("the-code"), &pending());
        assert_eq!(request.method(), "POST");
        assert_eq!(request.url().as_str(), format!("{BASE}/oauth2/token"));
        assert_eq!(
            header(&request, "Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(header(&request, "Authorization"), None);
        assert_eq!(
            form_of(&request),
            [
                ("grant_type", "authorization_code"),
                ("client_id", "client123"),
                ("code", "the-code"),
                ("redirect_uri", "http://localhost:3000/callback"),
                ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn a_confidential_client_sends_the_basic_header_of_cognitos_documented_example() {
        // The example in Cognito's token endpoint documentation: client
        // djc98u3jiedmi283eu928 with secret abcdef01234567890.
        let documented = OAuthClient::new(request_endpoints(), "djc98u3jiedmi283eu928", "x")
            .with_client_secret("abcdef01234567890")
            .refresh_request(&RefreshToken::new("r.t"));
        assert_eq!(
            header(&documented, "Authorization"),
            Some("Basic ZGpjOTh1M2ppZWRtaTI4M2V1OTI4OmFiY2RlZjAxMjM0NTY3ODkw")
        );
        assert_eq!(
            form_of(&documented),
            [
                ("grant_type", "refresh_token"),
                ("client_id", "djc98u3jiedmi283eu928"),
                ("refresh_token", "r.t")
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }

    fn request_endpoints() -> Endpoints {
        Endpoints::aws("eu-west-1", POOL, &HostedDomain::Prefix("my-app".into())).unwrap()
    }

    #[test]
    fn the_basic_header_form_encodes_id_and_secret_before_base64_as_rfc_6749_says() {
        // A custom secret may hold '+' (Cognito's pattern is [\w+]+); RFC 6749 2.3.1 sends it
        // form-encoded, as %2B.
        let request = OAuthClient::new(request_endpoints(), "id", "x")
            .with_client_secret("abc+def/ghi jkl")
            .refresh_request(&RefreshToken::new("r"));
        let encoded = header(&request, "Authorization")
            .unwrap()
            .strip_prefix("Basic ")
            .unwrap();
        let decoded = String::from_utf8(STANDARD.decode(encoded).unwrap()).unwrap();
        assert_eq!(decoded, "id:abc%2Bdef%2Fghi+jkl");
    }

    #[test]
    fn a_client_secret_post_puts_the_secret_in_the_body_and_sends_no_header() {
        let request = OAuthClient::new(request_endpoints(), "id", "x")
            .with_client_auth(ClientAuth::Post(ClientSecret::new("s3cr3t")))
            .refresh_request(&RefreshToken::new("r"));
        assert_eq!(header(&request, "Authorization"), None);
        assert!(form_of(&request).contains(&("client_secret".into(), "s3cr3t".into())));
    }

    #[test]
    fn debug_output_of_requests_and_clients_hides_secrets_codes_and_verifiers() {
        let client = client("http://localhost:3000/callback").with_client_secret("client-secret-value");
        let exchange = client.exchange_request(&AuthorizationCode::new("code-value"), &pending());
        let refresh = client.refresh_request(&RefreshToken::new("refresh-value"));
        let post = client
            .clone()
            .with_client_auth(ClientAuth::Post(ClientSecret::new("client-secret-value")))
            .refresh_request(&RefreshToken::new("refresh-value"));
        let shown = format!("{exchange:?} {refresh:?} {post:?} {client:?} {:?}", pending());
        for hidden in [
            "client-secret-value",
            "code-value",
            "refresh-value",
            "dBjftJeZ4CVP",
            "st4te",
            "n0nce",
            &basic("client123", &ClientSecret::new("client-secret-value")),
        ] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
        assert!(
            shown.contains("client123") && shown.contains("authorization_code"),
            "{shown}"
        );
    }

    #[test]
    fn the_callback_gives_the_code_when_the_state_is_ours() {
        let code = pending()
            .code_from_callback("http://localhost:3000/callback?code=abc%2Bdef&state=st4te")
            .unwrap();
        assert_eq!(code.secret(), "abc+def");
        assert_eq!(
            pending().code_from_callback("code=x&state=st4te").unwrap().secret(),
            "x"
        );
    }

    #[test]
    fn a_callback_with_another_state_or_none_is_refused_before_its_code_is_read() {
        let p = pending();
        assert_eq!(
            p.code_from_callback("?code=x&state=other").unwrap_err(),
            CallbackError::StateMismatch
        );
        assert_eq!(
            p.code_from_callback("?code=x").unwrap_err(),
            CallbackError::MissingState
        );
        assert_eq!(
            p.code_from_callback("?code=x&state=st4te&state=other").unwrap_err(),
            CallbackError::Repeated("state")
        );
        assert_eq!(
            p.code_from_callback("?error=access_denied&state=forged").unwrap_err(),
            CallbackError::StateMismatch
        );
    }

    #[test]
    fn a_callback_with_an_error_says_what_the_hosted_ui_said() {
        let error = pending()
            .code_from_callback("?error=unauthorized_client&error_description=no+code+grant&state=st4te")
            .unwrap_err();
        assert_eq!(
            error,
            CallbackError::Denied {
                error: "unauthorized_client".into(),
                description: Some("no code grant".into())
            }
        );
        assert_eq!(
            error.to_string(),
            "the sign-in ended with `unauthorized_client`: no code grant"
        );
        assert_eq!(
            pending().code_from_callback("?state=st4te").unwrap_err(),
            CallbackError::MissingCode
        );
    }

    #[test]
    fn a_pending_login_survives_a_session_store() {
        let json = serde_json::to_string(&pending()).unwrap();
        let back: PendingLogin = serde_json::from_str(&json).unwrap();
        assert_eq!(back.state(), "st4te");
        assert_eq!(back.nonce(), "n0nce");
        assert_eq!(back.pkce().challenge(), pending().pkce().challenge());
    }

    #[test]
    fn the_client_credentials_request_authenticates_by_basic_and_asks_for_the_scopes() {
        let confidential = client("http://localhost:3000").with_client_secret("s3cret");
        let request = confidential.client_credentials_request(&["orders/read", "orders/write"]);
        assert_eq!(request.url().as_str(), format!("{BASE}/oauth2/token"));
        assert_eq!(
            form_of(&request),
            vec![
                ("grant_type".into(), "client_credentials".into()),
                ("client_id".into(), "client123".into()),
                ("scope".into(), "orders/read orders/write".into()),
            ]
        );
        assert_eq!(
            header(&request, "Authorization"),
            Some("Basic Y2xpZW50MTIzOnMzY3JldA==")
        );
        let every_scope = confidential.client_credentials_request::<&str>(&[]);
        assert!(!form_of(&every_scope).iter().any(|(k, _)| k == "scope"));
    }

    #[test]
    fn the_revoke_request_posts_the_refresh_token_to_revoke_with_the_clients_authentication() {
        let token = RefreshToken::new("r3fresh");
        let public = client("http://localhost:3000").revoke_request(&token);
        assert_eq!(public.url().as_str(), format!("{BASE}/oauth2/revoke"));
        assert_eq!(
            form_of(&public),
            vec![
                ("token".into(), "r3fresh".into()),
                ("client_id".into(), "client123".into())
            ]
        );
        assert_eq!(header(&public, "Authorization"), None);
        let posted = client("http://localhost:3000")
            .with_client_auth(ClientAuth::Post("s3cret".into()))
            .revoke_request(&token);
        assert!(form_of(&posted).contains(&("client_secret".into(), "s3cret".into())));
        assert!(!format!("{posted:?}").contains("r3fresh") && !format!("{posted:?}").contains("s3cret"));
    }

    #[test]
    fn the_user_info_request_sends_the_access_token_as_a_bearer_and_debug_hides_it() {
        let request = client("http://localhost:3000").user_info_request(&AccessToken::new("acc.ess.tok"));
        assert_eq!(request.method(), "GET");
        assert_eq!(request.url().as_str(), format!("{BASE}/oauth2/userInfo"));
        assert!(
            request
                .headers()
                .contains(&("Authorization", "Bearer acc.ess.tok".to_owned()))
        );
        assert!(!format!("{request:?}").contains("acc.ess.tok"));
    }
}
