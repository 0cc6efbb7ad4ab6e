//! Argon2id password hashing with the OWASP parameters (19 MiB, 2 passes, 1 lane), computed on
//! blocking threads with a bounded number at once, so a burst of logins cannot starve the
//! async executor or exhaust memory. Unknown users are checked against a dummy hash, so the
//! answer takes the same time whether an account exists or not.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP Password Storage Cheat Sheet (2025): m = 19456 KiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19_456;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("available", &self.permits.available_permits())
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, PASSES, LANES, Some(32)).expect("the OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, HashError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Verifies in full even when the stored hash is unusable, so timing does not tell.
fn verify_now(password: &str, stored: &str, dummy: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            if let Ok(parsed) = PasswordHash::new(dummy) {
                let _ = argon2().verify_password(password.as_bytes(), &parsed);
            }
            false
        }
    }
}

/// Whether a stored hash uses other parameters than today's, and should be replaced.
pub fn needs_rehash(stored: &str) -> bool {
    let expected = format!("$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}$");
    !stored.starts_with(&expected)
}

impl PasswordHasher {
    /// `concurrency` hashes at most run at once (typically the number of cores).
    pub fn new(concurrency: usize) -> Result<PasswordHasher, HashError> {
        let dummy = hash_now(&infra::crypto::random_token())?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(dummy),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HashError(e.to_string()))
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no account
    /// (or no password yet): the work is the same either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let password = password.to_owned();
        let dummy = Arc::clone(&self.dummy_hash);
        match stored {
            Some(stored) => {
                let stored = stored.to_owned();
                self.run(move || verify_now(&password, &stored, &dummy))
                    .await
            }
            None => {
                self.run(move || {
                    let _ = verify_now(&password, &dummy, &dummy);
                    false
                })
                .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_owasp_parameters() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!needs_rehash(&hash));
        assert!(
            hasher
                .verify("correct horse battery staple", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("correct horse battery stapl", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("anything", None).await.unwrap());
        assert!(!hasher.verify("anything", Some("not a hash")).await.unwrap());
    }

    #[test]
    fn older_parameters_ask_for_a_rehash() {
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
        assert!(needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
    }
}
