//! Argon2id password hashing with the OWASP parameters (19 MiB, 2 passes, 1 lane), computed on
//! a fixed set of dedicated threads (one per core by default) fed by a queue, so a burst of
//! logins cannot starve the async executor or exhaust memory. Unknown users are checked against a dummy hash, so the
//! answer takes the same time whether an account exists or not.
//!
//! Each Argon2 computation needs 19 MiB of working memory. Allocating it per login costs
//! page faults and zeroing (several milliseconds, a third of the hash itself) and leaves
//! allocator arenas swollen; each hashing thread therefore keeps its own buffer, so the process
//! holds at most `concurrency` × 19 MiB for hashing, always the same pages, warm in the cache of
//! the core that uses them. The threads end when the hasher is dropped.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// OWASP Password Storage Cheat Sheet (2025): m = 19456 KiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19_456;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

/// Working memory for one Argon2 computation with today's parameters.
type Memory = Vec<Block>;

/// One computation for a hashing thread, given that thread's working memory.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    queue: mpsc::Sender<Job>,
    threads: usize,
    dummy_hash: Arc<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("threads", &self.threads)
            .finish()
    }
}

/// Starts `count` hashing threads sharing one queue; each ends when the queue is closed.
fn start_threads(count: usize) -> Result<mpsc::Sender<Job>, HashError> {
    let (queue, jobs) = mpsc::channel::<Job>();
    let jobs = Arc::new(Mutex::new(jobs));
    for n in 0..count {
        let jobs = Arc::clone(&jobs);
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                let mut memory = Memory::new();
                loop {
                    let next = match jobs.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match next {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            })
            .map_err(|e| HashError(e.to_string()))?;
    }
    Ok(queue)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, Some(32)).expect("the OWASP parameters are valid")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// Verifies a hash made with today's parameters in `memory`; `None` when the stored hash uses
/// other parameters (the general, allocating path then decides).
fn verify_in(memory: &mut Memory, password: &str, stored: &str) -> Option<bool> {
    if needs_rehash(stored) {
        return None;
    }
    let parsed = PasswordHash::new(stored).ok()?;
    let (salt, expected) = (parsed.salt.as_ref()?, parsed.hash.as_ref()?);
    let params = params();
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory.as_mut_slice());
    Some(hashed.is_ok() && infra::crypto::constant_time_eq(&out, expected.as_ref()))
}

fn hash_now(password: &str) -> Result<String, HashError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Verifies in full even when the stored hash is unusable, so timing does not tell.
fn verify_now(memory: &mut Memory, password: &str, stored: &str, dummy: &str) -> bool {
    if let Some(verdict) = verify_in(memory, password, stored) {
        return verdict;
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            let _ = verify_in(memory, password, dummy);
            false
        }
    }
}

/// Whether a stored hash uses other parameters than today's, and should be replaced.
pub fn needs_rehash(stored: &str) -> bool {
    let expected = format!("$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}$");
    !stored.starts_with(&expected)
}

/// One hash, on the calling thread, without the service's threads and dummy hash: for
/// commands that create one account and exit (`eulogin accounts create`).
pub fn hash_once(password: &str) -> Result<String, HashError> {
    hash_now(password)
}

impl PasswordHasher {
    /// `concurrency` hashes at most run at once (typically the number of cores).
    pub fn new(concurrency: usize) -> Result<PasswordHasher, HashError> {
        let dummy = hash_now(&infra::crypto::random_token())?;
        let threads = concurrency.max(1);
        Ok(PasswordHasher {
            queue: start_threads(threads)?,
            threads,
            dummy_hash: Arc::new(dummy),
        })
    }

    /// Runs `work` on a hashing thread, with that thread's working memory.
    async fn run_with_memory<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = reply.send(work(memory));
        });
        self.queue
            .send(job)
            .map_err(|_| HashError("the hashing threads have stopped".into()))?;
        outcome
            .await
            .map_err(|_| HashError("a hashing thread failed".into()))
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run_with_memory(move |_| hash_now(&password)).await?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no account
    /// (or no password yet): the work is the same either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let password = password.to_owned();
        let dummy = Arc::clone(&self.dummy_hash);
        match stored {
            Some(stored) => {
                let stored = stored.to_owned();
                self.run_with_memory(move |memory| verify_now(memory, &password, &stored, &dummy))
                    .await
            }
            None => {
                self.run_with_memory(move |memory| {
                    let _ = verify_now(memory, &password, &dummy, &dummy);
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
        // A hash with other parameters still verifies (through the general path).
        let old = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 3, 1, None).unwrap(),
        )
        .hash_password(b"old password")
        .unwrap()
        .to_string();
        assert!(needs_rehash(&old));
        assert!(hasher.verify("old password", Some(&old)).await.unwrap());
        assert!(!hasher.verify("other password", Some(&old)).await.unwrap());
    }

    #[test]
    fn older_parameters_ask_for_a_rehash() {
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));
        assert!(needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
    }
}
