//! A small blocking HTTP layer over the sans-IO core (feature `blocking`, on by default):
//! sends the token requests and fetches the JWKS with `ureq`, keeping the keys in a
//! [`KeyCache`]. For an async app, call these from `tokio::task::spawn_blocking`, or turn the
//! feature off and send [`TokenRequest`]s with the app's own client.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::JwkSet;

use crate::client::{OAuthClient, PendingLogin};
use crate::keys::{JwksError, KeyCache, parse_jwks};
use crate::secret::{AuthorizationCode, RefreshToken};
use crate::token::{TokenError, TokenRequest, Tokens};
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
}

/// An app client with an HTTP agent and the pool's cached keys. Share one per app: it is
/// `Sync`, and its key cache serves every thread.
#[derive(Debug)]
pub struct Client {
    oauth: OAuthClient,
    verifier: Verifier,
    agent: ureq::Agent,
    keys: Mutex<KeyCache>,
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
            keys: Mutex::new(KeyCache::new()),
        }
    }

    /// Another verifier (a different leeway).
    pub fn with_verifier(self, verifier: Verifier) -> Self {
        Self { verifier, ..self }
    }

    /// Another key cache (a different refetch interval).
    pub fn with_key_cache(self, cache: KeyCache) -> Self {
        Self {
            keys: Mutex::new(cache),
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

    /// Sends any token request and reads the answer.
    pub fn send(&self, request: &TokenRequest) -> Result<Tokens, Error> {
        let mut builder = self.agent.post(request.url().as_str());
        for (name, value) in request.headers() {
            builder = builder.header(*name, value.as_str());
        }
        let url = request.url().as_str();
        let (status, body) = read(builder.send(request.body()), "POST", url)?;
        Ok(Tokens::from_response(status, &body)?)
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
        let (status, body) = read(self.agent.get(url.as_str()).call(), "GET", url.as_str())?;
        Ok(parse_jwks(status, &body)?)
    }

    /// The keys to verify `token` with, fetched first if the cache says so. The lock is not
    /// held during the fetch, so verifications with known keys never wait on the network.
    fn keys_for(&self, token: &str) -> Result<JwkSet, Error> {
        let fetch = self.cache().needs_fetch(token, Instant::now());
        if fetch {
            let keys = self.fetch_jwks()?;
            tracing::debug!(keys = keys.keys.len(), "fetched the user pool's JWKS");
            self.cache().store(keys);
        }
        Ok(self.cache().keys().clone())
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, KeyCache> {
        // The cache is consistent after every statement, so a panic elsewhere cannot leave
        // it half-written.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn read(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    what: &'static str,
    url: &str,
) -> Result<(u16, Vec<u8>), Error> {
    let http = |source| Error::Http {
        what,
        url: url.to_owned(),
        source: Box::new(source),
    };
    let mut response = answer.map_err(http)?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(http)?;
    Ok((status, body))
}
