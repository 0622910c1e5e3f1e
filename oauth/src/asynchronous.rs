//! The async HTTP layer over the sans-IO core (feature `async`): sends the token, revoke and
//! userInfo requests and fetches the JWKS with `reqwest` on tokio, keeping the keys in a
//! [`KeyCache`] shared by every task.
//!
//! The cache's lock is a std `Mutex` held only to decide and to store, never across an
//! `.await`: the fetch happens outside it, one at a time, and tasks that need the keys being
//! fetched wait for that fetch (a `Notify`), while tasks whose key is cached verify at once.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::JwkSet;

use crate::client::{OAuthClient, PendingLogin};
use crate::keys::{JwksError, KeyCache, Next, SharedKeys, parse_jwks};
use crate::secret::{AccessToken, AuthorizationCode, RefreshToken};
use crate::token::{TokenError, TokenRequest, Tokens};
use crate::user_info::{EndpointError, UserInfo, revoke_response};
use crate::verify::{Claims, Verifier, VerifyError};

/// Anything the async client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request did not get an answer (connection, TLS, timeout, a body too large).
    #[error("{what} {url}: {source}")]
    Http {
        what: &'static str,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what} {url}: the answer is larger than {MAX_BODY} bytes")]
    TooLarge { what: &'static str, url: String },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Jwks(#[from] JwksError),
    /// The revoke or userInfo endpoint refused the request.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
}

/// Token, userInfo and JWKS answers are small; a larger body is refused rather than read.
const MAX_BODY: usize = 1 << 20;

/// An app client with an HTTP client and the pool's cached keys. Cheap to clone (the HTTP
/// client and the key cache are shared), so an app keeps one in its state.
#[derive(Debug, Clone)]
pub struct Client {
    oauth: Arc<OAuthClient>,
    verifier: Arc<Verifier>,
    http: reqwest::Client,
    keys: SharedKeys,
}

impl Client {
    /// A client with a 30-second timeout per call, no redirects followed, and the verifier
    /// and key cache defaults.
    pub fn new(oauth: OAuthClient) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a reqwest client with rustls and the webpki roots builds");
        Self {
            verifier: Arc::new(oauth.verifier()),
            oauth: Arc::new(oauth),
            http,
            keys: SharedKeys::new(KeyCache::new()),
        }
    }

    /// Another verifier (several client ids, required scopes or groups, a leeway).
    pub fn with_verifier(self, verifier: Verifier) -> Self {
        Self {
            verifier: Arc::new(verifier),
            ..self
        }
    }

    /// Another key cache (a different refetch interval).
    pub fn with_key_cache(self, cache: KeyCache) -> Self {
        Self {
            keys: SharedKeys::new(cache),
            ..self
        }
    }

    /// The app client this sends for.
    pub fn oauth(&self) -> &OAuthClient {
        &self.oauth
    }

    /// The verifier [`verify_access_token`](Self::verify_access_token) uses.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Exchanges the callback's code for tokens (authorization-code grant with PKCE).
    pub async fn exchange_code(&self, code: &AuthorizationCode, pending: &PendingLogin) -> Result<Tokens, Error> {
        self.send(&self.oauth.exchange_request(code, pending)).await
    }

    /// New ID and access tokens for a refresh token.
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<Tokens, Error> {
        self.send(&self.oauth.refresh_request(refresh_token)).await
    }

    /// An access token for the client itself (client-credentials grant; a client with a
    /// secret), with these resource-server scopes (none: every scope it is allowed).
    pub async fn client_credentials<S: AsRef<str>>(&self, scopes: &[S]) -> Result<Tokens, Error> {
        self.send(&self.oauth.client_credentials_request(scopes)).await
    }

    /// Revokes a refresh token and the tokens issued with it.
    pub async fn revoke(&self, refresh_token: &RefreshToken) -> Result<(), Error> {
        let (status, body, _) = self.post(&self.oauth.revoke_request(refresh_token)).await?;
        Ok(revoke_response(status, &body)?)
    }

    /// The user's attributes for an access token with the `openid` scope.
    pub async fn user_info(&self, access_token: &AccessToken) -> Result<UserInfo, Error> {
        let request = self.oauth.user_info_request(access_token);
        let mut builder = self.http.get(request.url().as_str());
        for (name, value) in request.headers() {
            builder = builder.header(*name, value);
        }
        let (status, body, challenge) = read(builder.send().await, "GET", request.url().as_str()).await?;
        Ok(UserInfo::from_response(status, &body, challenge.as_deref())?)
    }

    /// Sends any token request and reads the answer.
    pub async fn send(&self, request: &TokenRequest) -> Result<Tokens, Error> {
        let (status, body, _) = self.post(request).await?;
        Ok(Tokens::from_response(status, &body)?)
    }

    async fn post(&self, request: &TokenRequest) -> Result<(u16, Vec<u8>, Option<String>), Error> {
        let mut builder = self.http.post(request.url().as_str());
        for (name, value) in request.headers() {
            builder = builder.header(*name, value);
        }
        read(
            builder.body(request.body()).send().await,
            "POST",
            request.url().as_str(),
        )
        .await
    }

    /// Verifies an ID token against the pool's keys (fetched on first use and when the token
    /// names an unknown key); see [`Verifier::verify_id_token`] for `nonce`.
    pub async fn verify_id_token(&self, token: &str, nonce: Option<&str>) -> Result<Claims, Error> {
        let keys = self.keys_for(token).await?;
        Ok(self.verifier.verify_id_token(&keys, token, nonce, SystemTime::now())?)
    }

    /// Verifies an access token against the pool's keys with this client's verifier.
    pub async fn verify_access_token(&self, token: &str) -> Result<Claims, Error> {
        self.verify_access_token_with(&self.verifier, token).await
    }

    /// Verifies an access token with another verifier (a route's own scopes or groups)
    /// against the same cached keys.
    pub async fn verify_access_token_with(&self, verifier: &Verifier, token: &str) -> Result<Claims, Error> {
        let keys = self.keys_for(token).await?;
        Ok(verifier.verify_access_token(&keys, token, SystemTime::now())?)
    }

    /// GETs the pool's JWKS (uncached).
    pub async fn fetch_jwks(&self) -> Result<JwkSet, Error> {
        let url = self.oauth.endpoints().jwks();
        let (status, body, _) = read(self.http.get(url.as_str()).send().await, "GET", url.as_str()).await?;
        Ok(parse_jwks(status, &body)?)
    }

    async fn keys_for(&self, token: &str) -> Result<Arc<JwkSet>, Error> {
        loop {
            // `next` takes and releases the lock before anything is awaited.
            let next = self.keys.next(token, Instant::now());
            match next {
                Next::Use(keys) => return Ok(keys),
                Next::Wait => self.keys.wait().await,
                Next::Fetch(fetching) => {
                    // An error, or this future being dropped, drops `fetching`: the waiting
                    // tasks wake up and the next one fetches.
                    let keys = self.fetch_jwks().await?;
                    tracing::debug!(keys = keys.keys.len(), "fetched the user pool's JWKS");
                    return Ok(fetching.store(keys));
                }
            }
        }
    }
}

/// The status, the body (at most [`MAX_BODY`] bytes) and the `WWW-Authenticate` header.
async fn read(
    answer: Result<reqwest::Response, reqwest::Error>,
    what: &'static str,
    url: &str,
) -> Result<(u16, Vec<u8>, Option<String>), Error> {
    let http = |source| Error::Http {
        what,
        url: url.to_owned(),
        source,
    };
    let mut response = answer.map_err(http)?;
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(http)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Error::TooLarge {
                what,
                url: url.to_owned(),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body, challenge))
}
