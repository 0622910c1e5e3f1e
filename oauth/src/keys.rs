//! The pool's signing keys, cached without I/O: [`KeyCache`] says when to fetch the JWKS
//! (first use, and a token naming a key it has not seen, at most once per interval), and
//! keeps what was fetched. The caller does the fetch with its own HTTP client.
//!
//! `SharedKeys` (crate-private) is the one cache design both HTTP clients use: a std
//! `Mutex` around the cache, held only to decide and to store, never across a fetch; the
//! keys handed out as an `Arc` snapshot (no copy per verification); one fetch at a time,
//! the others waiting for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;

use crate::verify::key_id;

/// Why a JWKS answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksError {
    #[error("the JWKS endpoint answered HTTP {0}")]
    Status(u16),
    #[error("the JWKS endpoint's answer is not a JWK set: {0}")]
    Malformed(String),
}

/// Reads a JWKS endpoint's answer.
pub fn parse_jwks(status: u16, body: &[u8]) -> Result<JwkSet, JwksError> {
    if !(200..300).contains(&status) {
        return Err(JwksError::Status(status));
    }
    // The body is public keys: quoting serde's message (which may quote the body) is safe.
    serde_json::from_slice(body).map_err(|error| JwksError::Malformed(error.to_string()))
}

/// The cached JWKS of one pool, and the rule for when to fetch it again.
///
/// Cognito does not rotate a pool's keys on its own, so the cache keeps them until a token
/// names a key it lacks. Then it allows one refetch, and no other for
/// [`refetch_interval`](Self::with_refetch_interval), so a flood of tokens with invented
/// `kid`s costs at most one fetch per interval. A key removed from the pool's JWKS stays
/// trusted until the next refetch; replace the cache to forget keys.
///
/// ```
/// use std::time::Instant;
/// use cognito_oauth::{KeyCache, parse_jwks};
///
/// let mut cache = KeyCache::new();
/// let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln";
/// if cache.needs_fetch(token, Instant::now()) {
///     // GET the pool's JWKS URL with the app's HTTP client, then:
///     let (status, body) = (200, br#"{"keys":[]}"#);
///     cache.store(parse_jwks(status, body)?);
/// }
/// // then: verifier.verify_id_token(cache.keys(), token, nonce, SystemTime::now())
/// # Ok::<(), cognito_oauth::JwksError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyCache {
    keys: Option<Arc<JwkSet>>,
    last_refetch: Option<Instant>,
    refetch_interval: Duration,
}

impl KeyCache {
    /// The least time between two refetches caused by unknown key ids.
    pub const DEFAULT_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

    /// An empty cache: the first token asks for a fetch.
    pub fn new() -> Self {
        Self {
            keys: None,
            last_refetch: None,
            refetch_interval: Self::DEFAULT_REFETCH_INTERVAL,
        }
    }

    /// Another least time between refetches.
    pub fn with_refetch_interval(self, interval: Duration) -> Self {
        Self {
            refetch_interval: interval,
            ..self
        }
    }

    /// Whether to fetch the JWKS before verifying `token`: when nothing is cached yet, or when
    /// the token names a key the cache lacks and no refetch happened within the interval.
    ///
    /// A `true` for an unknown key counts as the refetch (so concurrent callers do not all
    /// fetch): call it once per token, and fetch when it says so. A malformed token gets
    /// `false`; verification then says what is wrong with it.
    pub fn needs_fetch(&mut self, token: &str, now: Instant) -> bool {
        let Some(keys) = &self.keys else {
            return true;
        };
        let Ok(kid) = key_id(token) else {
            return false;
        };
        if keys.find(&kid).is_some() {
            return false;
        }
        let allowed = self
            .last_refetch
            .is_none_or(|last| now.saturating_duration_since(last) >= self.refetch_interval);
        if allowed {
            self.last_refetch = Some(now);
        }
        allowed
    }

    /// Keeps a freshly fetched JWKS, replacing the cached one.
    pub fn store(&mut self, keys: JwkSet) {
        self.keys = Some(Arc::new(keys));
    }

    /// Whether the cached keys include the one `token` names (`false` for a malformed token).
    pub fn knows(&self, token: &str) -> bool {
        match (&self.keys, key_id(token)) {
            (Some(keys), Ok(kid)) => keys.find(&kid).is_some(),
            (None, _) | (_, Err(_)) => false,
        }
    }

    /// The cached keys as a shared snapshot, for verifying outside a lock without copying them.
    pub fn snapshot(&self) -> Arc<JwkSet> {
        self.keys.clone().unwrap_or_default()
    }

    /// Whether a JWKS was stored.
    pub fn is_loaded(&self) -> bool {
        self.keys.is_some()
    }

    /// The cached keys (empty before the first [`store`](Self::store)).
    pub fn keys(&self) -> &JwkSet {
        static EMPTY: JwkSet = JwkSet { keys: Vec::new() };
        self.keys.as_deref().unwrap_or(&EMPTY)
    }
}

/// What a verification does next with the shared cache.
#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug)]
pub(crate) enum Next {
    /// Verify with these keys.
    Use(Arc<JwkSet>),
    /// Fetch the JWKS, then [`SharedKeys::finish`] (the [`Fetching`] guard does it).
    Fetch(Fetching),
    /// Another caller is fetching keys this token may need: wait for it, then ask again.
    Wait,
}

#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug)]
struct State {
    cache: KeyCache,
    fetching: bool,
}

/// A [`KeyCache`] shared by every verification of one client.
#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug, Clone)]
pub(crate) struct SharedKeys {
    inner: Arc<Inner>,
}

#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug)]
struct Inner {
    state: std::sync::Mutex<State>,
    /// Wakes blocking callers waiting for a fetch.
    done: std::sync::Condvar,
    /// Wakes async callers waiting for a fetch.
    #[cfg(feature = "async")]
    notify: tokio::sync::Notify,
}

#[cfg(any(feature = "blocking", feature = "async"))]
impl SharedKeys {
    pub(crate) fn new(cache: KeyCache) -> Self {
        let state = State { cache, fetching: false };
        Self {
            inner: Arc::new(Inner {
                state: std::sync::Mutex::new(state),
                done: std::sync::Condvar::new(),
                #[cfg(feature = "async")]
                notify: tokio::sync::Notify::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere cannot leave
        // it half-written.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Decides, under the lock and without I/O, what verifying `token` needs.
    pub(crate) fn next(&self, token: &str, now: Instant) -> Next {
        let mut state = self.lock();
        // A token whose key is cached never waits, not even for a refetch in flight.
        if state.fetching && !state.cache.knows(token) {
            return Next::Wait;
        }
        if state.cache.needs_fetch(token, now) {
            state.fetching = true;
            Next::Fetch(Fetching {
                keys: Some(self.clone()),
            })
        } else {
            Next::Use(state.cache.snapshot())
        }
    }

    /// Blocks the thread until the fetch in flight (if any) has finished.
    #[cfg(feature = "blocking")]
    pub(crate) fn wait_blocking(&self) {
        let guard = self.lock();
        let _unused = self
            .inner
            .done
            .wait_while(guard, |state| state.fetching)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }

    /// Waits, without holding the lock, until the fetch in flight (if any) has finished.
    #[cfg(feature = "async")]
    pub(crate) async fn wait(&self) {
        let notified = self.inner.notify.notified();
        let mut notified = std::pin::pin!(notified);
        // Registered before the check, so a fetch that ends in between still wakes us.
        notified.as_mut().enable();
        if self.lock().fetching {
            notified.await;
        }
    }

    fn finish(&self, keys: Option<JwkSet>) -> Arc<JwkSet> {
        let mut state = self.lock();
        if let Some(keys) = keys {
            state.cache.store(keys);
        }
        state.fetching = false;
        let snapshot = state.cache.snapshot();
        drop(state);
        self.inner.done.notify_all();
        #[cfg(feature = "async")]
        self.inner.notify.notify_waiters();
        snapshot
    }
}

/// The right to fetch: ends the fetch when stored or dropped (an error, a cancelled future),
/// so that waiting callers never wait for a fetch that nobody makes.
#[cfg(any(feature = "blocking", feature = "async"))]
#[derive(Debug)]
pub(crate) struct Fetching {
    keys: Option<SharedKeys>,
}

#[cfg(any(feature = "blocking", feature = "async"))]
impl Fetching {
    /// Stores what was fetched and returns the keys to verify with.
    pub(crate) fn store(mut self, keys: JwkSet) -> Arc<JwkSet> {
        let shared = self.keys.take().expect("a fetch is stored once");
        shared.finish(Some(keys))
    }
}

#[cfg(any(feature = "blocking", feature = "async"))]
impl Drop for Fetching {
    fn drop(&mut self) {
        if let Some(shared) = self.keys.take() {
            shared.finish(None);
        }
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn token_with_kid(kid: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
        format!("{header}.e30.c2ln")
    }

    fn jwks(kids: &[&str]) -> JwkSet {
        let keys: Vec<String> = kids
            .iter()
            .map(|kid| format!(r#"{{"kty":"RSA","kid":"{kid}","alg":"RS256","use":"sig","n":"AQAB","e":"AQAB"}}"#))
            .collect();
        parse_jwks(200, format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes()).unwrap()
    }

    #[test]
    fn the_first_token_asks_for_a_fetch_and_a_known_kid_never_does() {
        let mut cache = KeyCache::new();
        let now = Instant::now();
        assert!(cache.needs_fetch(&token_with_kid("a"), now));
        cache.store(jwks(&["a"]));
        for _ in 0..3 {
            assert!(!cache.needs_fetch(&token_with_kid("a"), now));
        }
    }

    #[test]
    fn an_unknown_kid_asks_for_one_refetch_per_interval() {
        let interval = Duration::from_secs(60);
        let mut cache = KeyCache::new().with_refetch_interval(interval);
        let start = Instant::now();
        cache.store(jwks(&["a"]));
        assert!(
            cache.needs_fetch(&token_with_kid("b"), start),
            "the first unknown kid refetches"
        );
        cache.store(jwks(&["a"]));
        assert!(!cache.needs_fetch(&token_with_kid("c"), start + Duration::from_secs(1)));
        assert!(!cache.needs_fetch(&token_with_kid("b"), start + interval - Duration::from_millis(1)));
        assert!(
            cache.needs_fetch(&token_with_kid("b"), start + interval),
            "the interval has passed"
        );
        cache.store(jwks(&["a", "b"]));
        assert!(!cache.needs_fetch(&token_with_kid("b"), start + interval));
    }

    #[test]
    fn a_malformed_token_asks_for_no_fetch() {
        let mut cache = KeyCache::new();
        cache.store(jwks(&["a"]));
        assert!(!cache.needs_fetch("not a jwt", Instant::now()));
    }

    #[test]
    fn a_jwks_answer_with_an_error_status_or_no_keys_is_refused() {
        assert_eq!(parse_jwks(503, b"{}").unwrap_err(), JwksError::Status(503));
        assert!(matches!(
            parse_jwks(200, b"{\"nokeys\":1}"),
            Err(JwksError::Malformed(_))
        ));
    }
}
