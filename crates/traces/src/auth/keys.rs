//! eulogin's public signing keys (its JWKS), held in memory: parsed once per fetch for both
//! readers, `jsonwebtoken` (access and logout tokens) and `openidconnect` (ID tokens). A token
//! with a key id not in the set makes traces fetch the set again, but at most once per
//! [`REFETCH_INTERVAL`]: a stream of tokens with made-up key ids cannot turn traces into a
//! load generator against eulogin, and a key that eulogin just started using is picked up
//! within a minute.

use infra::clock::SharedClock;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use openidconnect::core::CoreJsonWebKeySet;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// The shortest time between two fetches of the key set caused by an unknown key id.
pub const REFETCH_INTERVAL: Duration = Duration::seconds(60);
/// While no key set was ever fetched, the shortest time between two attempts: requests during
/// an outage fail at once instead of each waiting for eulogin's connection timeout.
pub const RETRY_PAUSE: Duration = Duration::seconds(5);

/// The algorithms traces accepts in any token from eulogin; `none` and the HMAC family (whose
/// "key" would be a public value) never are.
pub const ACCEPTED_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// One public key, with the one algorithm it verifies.
pub struct VerificationKey {
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// One fetched key set, in the two shapes its readers need.
#[derive(Debug)]
pub struct KeySet {
    by_kid: HashMap<String, Arc<VerificationKey>>,
    pub for_openidconnect: CoreJsonWebKeySet,
}

impl KeySet {
    /// Parses a JWKS document. Keys traces cannot use (no `kid`, another algorithm, another
    /// curve) are left out; a document that is not a JWKS is an error.
    pub fn parse(document: &[u8]) -> Result<KeySet, String> {
        #[derive(serde::Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document_keys: Document =
            serde_json::from_slice(document).map_err(|e| format!("not a JWKS: {e}"))?;
        let for_openidconnect: CoreJsonWebKeySet =
            serde_json::from_slice(document).map_err(|e| format!("not a JWKS: {e}"))?;
        // Each key on its own: one key of a kind jsonwebtoken does not know spoils nothing.
        let jwks: Vec<Jwk> = document_keys
            .keys
            .into_iter()
            .filter_map(|k| serde_json::from_value(k).ok())
            .collect();
        let mut by_kid = HashMap::new();
        for jwk in &jwks {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    Algorithm::ES256
                }
                _ => continue,
            };
            // A key that names its algorithm must name this one.
            if let Some(named) = jwk.common.key_algorithm
                && named.to_string() != format!("{algorithm:?}")
            {
                continue;
            }
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            by_kid.insert(kid, Arc::new(VerificationKey { algorithm, key }));
        }
        Ok(KeySet {
            by_kid,
            for_openidconnect,
        })
    }

    /// No keys: for a client that only builds authorization URLs.
    pub fn empty() -> KeySet {
        KeySet {
            by_kid: HashMap::new(),
            for_openidconnect: CoreJsonWebKeySet::new(Vec::new()),
        }
    }

    pub fn get(&self, kid: &str) -> Option<Arc<VerificationKey>> {
        self.by_kid.get(kid).cloned()
    }
}

/// The key set held in memory and when it was last fetched.
#[derive(Debug, Clone)]
pub struct KeyCache {
    inner: Arc<Mutex<Held>>,
    fetches: Arc<AtomicU64>,
    clock: SharedClock,
}

#[derive(Debug, Default)]
struct Held {
    set: Option<Arc<KeySet>>,
    last_fetch: Option<OffsetDateTime>,
}

impl KeyCache {
    pub fn new(clock: SharedClock) -> KeyCache {
        KeyCache {
            inner: Arc::new(Mutex::new(Held::default())),
            fetches: Arc::new(AtomicU64::new(0)),
            clock,
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The set held, if any.
    pub fn current(&self) -> Option<Arc<KeySet>> {
        self.held().set.clone()
    }

    /// Whether a fetch may happen now: once per interval when a set is held, after a short
    /// pause when none is (the last attempt failed).
    pub fn may_fetch(&self) -> bool {
        let held = self.held();
        match (&held.set, held.last_fetch) {
            (_, None) => true,
            (None, Some(last)) => self.clock.now() - last >= RETRY_PAUSE,
            (Some(_), Some(last)) => self.clock.now() - last >= REFETCH_INTERVAL,
        }
    }

    /// Records a fetch attempt (successful or not): the interval starts again.
    pub fn fetch_started(&self) {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.held().last_fetch = Some(self.clock.now());
    }

    /// Replaces the set held.
    pub fn store(&self, set: KeySet) -> Arc<KeySet> {
        let set = Arc::new(set);
        self.held().set = Some(set.clone());
        set
    }

    /// How many times the key set was fetched since start (for tests and metrics).
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra::ManualClock;

    fn jwks() -> Vec<u8> {
        infra::jwt::install_crypto_provider();
        let der = infra::jwt::generate_p256_pkcs8();
        let signer =
            infra::jwt::JwsSigner::new("k1", Algorithm::ES256, &der).expect("a P-256 signer");
        let mut hmac = serde_json::json!({"kty": "oct", "kid": "k2", "k": "c2VjcmV0"});
        if let Some(map) = hmac.as_object_mut() {
            map.insert("alg".into(), "HS256".into());
        }
        serde_json::to_vec(&serde_json::json!({"keys": [signer.public_jwk(), hmac]})).expect("JSON")
    }

    #[test]
    fn only_keys_for_accepted_algorithms_are_kept() {
        let set = KeySet::parse(&jwks()).expect("a JWKS");
        assert_eq!(set.get("k1").map(|k| k.algorithm), Some(Algorithm::ES256));
        assert!(set.get("k2").is_none(), "an HMAC key is never a public key");
        assert!(KeySet::parse(b"{\"not\": \"keys\"}").is_err());
    }

    #[test]
    fn unknown_kids_cause_a_fetch_at_most_once_a_minute() {
        let clock = ManualClock::starting_now();
        let cache = KeyCache::new(Arc::new(clock.clone()));
        assert!(cache.may_fetch(), "nothing held yet");
        cache.fetch_started();
        assert!(!cache.may_fetch(), "the first fetch failed: a short pause");
        clock.advance(RETRY_PAUSE);
        assert!(cache.may_fetch());
        cache.fetch_started();
        cache.store(KeySet::parse(&jwks()).expect("a JWKS"));
        assert!(!cache.may_fetch());
        clock.advance(Duration::seconds(59));
        assert!(!cache.may_fetch());
        clock.advance(Duration::seconds(1));
        assert!(cache.may_fetch());
        assert_eq!(cache.fetch_count(), 2);
    }
}
