//! Access tokens already verified, by the SHA-256 of the token: an API client sends the same
//! token with every call for its whole lifetime, and checking its ES256 or RS256 signature
//! again each time was the largest cost of an API read. What is kept is what does not change
//! for a given token: its signature, header, issuer and audience were accepted, under which key
//! id. What does change is checked at every use, as on the first: the key is still among
//! eulogin's (a key withdrawn from the JWKS withdraws its tokens as soon as traces holds the new
//! set), the times by traces' clock, the login level.
//!
//! The cache is bounded: when full, expired tokens go, and if that is not enough, all of them.

use crate::auth::bearer::AccessClaims;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Tokens remembered at most (each a few hundred bytes).
pub const MAX_VERIFIED_TOKENS: usize = 50_000;

/// A token whose signature, header, issuer and audience were accepted.
#[derive(Debug)]
pub struct Verified {
    pub kid: String,
    pub claims: AccessClaims,
}

/// The cache, shared by the server's workers.
#[derive(Debug, Clone, Default)]
pub struct VerifiedTokens {
    inner: Arc<Mutex<HashMap<[u8; 32], Arc<Verified>>>>,
}

/// The key of `token` in the cache.
pub fn fingerprint(token: &str) -> [u8; 32] {
    infra::crypto::sha256(token.as_bytes())
}

impl VerifiedTokens {
    pub fn get(&self, key: &[u8; 32]) -> Option<Arc<Verified>> {
        self.inner.lock().ok()?.get(key).cloned()
    }

    /// Remembers a verified token; `now` (Unix seconds) decides which ones are expired when
    /// room must be made.
    pub fn put(&self, key: [u8; 32], verified: Verified, now: i64) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        if map.len() >= MAX_VERIFIED_TOKENS {
            map.retain(|_, v| v.claims.exp > now);
            if map.len() >= MAX_VERIFIED_TOKENS {
                map.clear();
            }
        }
        map.insert(key, Arc::new(verified));
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(exp: i64) -> Verified {
        Verified {
            kid: "k1".into(),
            claims: AccessClaims {
                iss: "https://login.example.eu".into(),
                sub: "u1".into(),
                client_id: "app".into(),
                exp,
                nbf: None,
                scope: String::new(),
                acr: None,
            },
        }
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first() {
        let cache = VerifiedTokens::default();
        for n in 0..MAX_VERIFIED_TOKENS {
            let exp = if n == 0 { 2_000 } else { 500 };
            cache.put(fingerprint(&format!("t{n}")), verified(exp), 100);
        }
        assert_eq!(cache.len(), MAX_VERIFIED_TOKENS);
        cache.put(fingerprint("new"), verified(2_000), 1_000);
        assert_eq!(cache.len(), 2, "the expired ones went, the live one stayed");
        assert!(cache.get(&fingerprint("t0")).is_some());
        assert!(cache.get(&fingerprint("t1")).is_none());
        assert_eq!(
            cache.get(&fingerprint("new")).map(|v| v.kid.clone()),
            Some("k1".into())
        );
    }
}
