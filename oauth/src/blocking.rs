//! A small blocking HTTP layer over the sans-IO core (feature `blocking`, on by default):
//! sends the token, revoke and userInfo requests and fetches the JWKS with `ureq`, keeping
//! the keys in a [`KeyCache`] shared by every thread (one fetch at a time, no copy of the keys
//! per verification). An async app uses the `async` feature's client instead.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::JwkSet;

use crate::client::{OAuthClient, PendingLogin};
use crate::keys::{JwksError, KeyCache, Next, SharedKeys, parse_jwks};
use crate::secret::{AccessToken, AuthorizationCode, RefreshToken};
use crate::token::{TokenError, TokenRequest, Tokens};
use crate::user_info::{EndpointError, UserInfo, revoke_response};
use crate::verify::{Claims, Verifier, VerifyError};

/// Anything the blocking client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request did not get an answer (connection, TLS, timeout).
    #[error("{what} {url}: {source}")]
    Http {
        what: &'static str,
        url: String,
        #[source]
        source: Box<ureq::Error>,
    },
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

/// An app client with an HTTP agent and the pool's cached keys. Share one per app: it is
/// `Sync`, and its key cache serves every thread.
#[derive(Debug)]
pub struct Client {
    oauth: OAuthClient,
    verifier: Verifier,
    agent: ureq::Agent,
    keys: SharedKeys,
}

/// Token and JWKS answers are small; a larger body is refused rather than read.
const MAX_BODY: u64 = 1 << 20;

impl Client {
    /// A client with a 30-second timeout per call, no redirects followed, and the verifier
    /// and key cache defaults.
    pub fn new(oauth: OAuthClient) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        Self {
            verifier: oauth.verifier(),
            oauth,
            agent,
            keys: SharedKeys::new(KeyCache::new()),
        }
    }

    /// Another verifier (a different leeway).
    pub fn with_verifier(self, verifier: Verifier) -> Self {
        Self { verifier, ..self }
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

    /// Exchanges the callback's code for tokens (authorization-code grant with PKCE).
    pub fn exchange_code(&self, code: &AuthorizationCode, pending: &PendingLogin) -> Result<Tokens, Error> {
        self.send(&self.oauth.exchange_request(code, pending))
    }

    /// New ID and access tokens for a refresh token.
    pub fn refresh(&self, refresh_token: &RefreshToken) -> Result<Tokens, Error> {
        self.send(&self.oauth.refresh_request(refresh_token))
    }

    /// An access token for the client itself (client-credentials grant; a client with a
    /// secret), with these resource-server scopes (none: every scope it is allowed).
    pub fn client_credentials<S: AsRef<str>>(&self, scopes: &[S]) -> Result<Tokens, Error> {
        self.send(&self.oauth.client_credentials_request(scopes))
    }

    /// Revokes a refresh token and the tokens issued with it.
    pub fn revoke(&self, refresh_token: &RefreshToken) -> Result<(), Error> {
        let (status, body, _) = self.post(&self.oauth.revoke_request(refresh_token))?;
        Ok(revoke_response(status, &body)?)
    }

    /// The user's attributes for an access token with the `openid` scope.
    pub fn user_info(&self, access_token: &AccessToken) -> Result<UserInfo, Error> {
        let request = self.oauth.user_info_request(access_token);
        let mut builder = self.agent.get(request.url().as_str());
        for (name, value) in request.headers() {
            builder = builder.header(*name, value.as_str());
        }
        let (status, body, challenge) = read(builder.call(), "GET", request.url().as_str())?;
        Ok(UserInfo::from_response(status, &body, challenge.as_deref())?)
    }

    /// Sends any token request and reads the answer.
    pub fn send(&self, request: &TokenRequest) -> Result<Tokens, Error> {
        let (status, body, _) = self.post(request)?;
        Ok(Tokens::from_response(status, &body)?)
    }

    fn post(&self, request: &TokenRequest) -> Result<(u16, Vec<u8>, Option<String>), Error> {
        let mut builder = self.agent.post(request.url().as_str());
        for (name, value) in request.headers() {
            builder = builder.header(*name, value.as_str());
        }
        read(builder.send(request.body()), "POST", request.url().as_str())
    }

    /// Verifies an ID token against the pool's keys (fetched on first use and when the token
    /// names an unknown key); see [`Verifier::verify_id_token`] for `nonce`.
    pub fn verify_id_token(&self, token: &str, nonce: Option<&str>) -> Result<Claims, Error> {
        let keys = self.keys_for(token)?;
        Ok(self.verifier.verify_id_token(&keys, token, nonce, SystemTime::now())?)
    }

    /// Verifies an access token against the pool's keys.
    pub fn verify_access_token(&self, token: &str) -> Result<Claims, Error> {
        let keys = self.keys_for(token)?;
        Ok(self.verifier.verify_access_token(&keys, token, SystemTime::now())?)
    }

    /// GETs the pool's JWKS (uncached).
    pub fn fetch_jwks(&self) -> Result<JwkSet, Error> {
        let url = self.oauth.endpoints().jwks();
        let (status, body, _) = read(self.agent.get(url.as_str()).call(), "GET", url.as_str())?;
        Ok(parse_jwks(status, &body)?)
    }

    /// The keys to verify `token` with, fetched first if the cache says so. No lock is held
    /// during the fetch, so verifications with known keys never wait on the network; callers
    /// that need the keys being fetched wait for that one fetch instead of making their own.
    fn keys_for(&self, token: &str) -> Result<Arc<JwkSet>, Error> {
        loop {
            match self.keys.next(token, Instant::now()) {
                Next::Use(keys) => return Ok(keys),
                Next::Wait => self.keys.wait_blocking(),
                Next::Fetch(fetching) => {
                    // A failed fetch drops `fetching`, which lets the next caller try.
                    let keys = self.fetch_jwks()?;
                    tracing::debug!(keys = keys.keys.len(), "fetched the user pool's JWKS");
                    return Ok(fetching.store(keys));
                }
            }
        }
    }
}

/// The status, the body and the `WWW-Authenticate` header.
fn read(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    what: &'static str,
    url: &str,
) -> Result<(u16, Vec<u8>, Option<String>), Error> {
    let http = |source| Error::Http {
        what,
        url: url.to_owned(),
        source: Box::new(source),
    };
    let mut response = answer.map_err(http)?;
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(http)?;
    Ok((status, body, challenge))
}
