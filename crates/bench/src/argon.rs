//! `argon2_raw`: how many Argon2id hashes per second this machine makes with eulogin's exact
//! parameters, no server involved. A password login cannot go faster than this, so the login
//! flow is reported as a share of it. The speed of a memory-hard hash drifts with the load the
//! machine's neighbours put on memory (10-15 % from one minute to the next on a shared VM), so
//! the ceiling is measured right before and right after the login flow and taken as the mean.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use eulogin::security::password_hasher::{LANES, MEMORY_KIB, PASSES};
use std::time::{Duration, Instant};

/// Output length of eulogin's hashes.
const OUTPUT_LEN: usize = 32;

#[derive(Debug, Clone, Copy)]
pub struct ArgonOutcome {
    pub threads: usize,
    pub hashes_per_sec: f64,
    /// Average time of one hash on one thread.
    pub millis_per_hash: f64,
}

/// The ceiling of password logins: raw hashing measured before the login flow (server idle) and
/// after it (server stopped).
#[derive(Debug, Clone, Copy)]
pub struct Ceiling {
    pub before: Option<ArgonOutcome>,
    pub after: ArgonOutcome,
}

impl Ceiling {
    /// The mean of the two measurements (the one there is, without a login flow).
    pub fn mean(&self) -> ArgonOutcome {
        let Some(before) = self.before else {
            return self.after;
        };
        ArgonOutcome {
            threads: self.after.threads,
            hashes_per_sec: (before.hashes_per_sec + self.after.hashes_per_sec) / 2.0,
            millis_per_hash: (before.millis_per_hash + self.after.millis_per_hash) / 2.0,
        }
    }
}

/// The parameters, as a PHC prefix (`m=19456,t=2,p=1`).
pub fn parameters() -> String {
    format!("Argon2id v=19 m={MEMORY_KIB} KiB, t={PASSES}, p={LANES}, {OUTPUT_LEN}-byte output")
}

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, Some(OUTPUT_LEN))
        .map_err(|e| anyhow::anyhow!("Argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes on `threads` OS threads for `measured`, after one unmeasured hash per thread.
pub fn run(threads: usize, measured: Duration) -> anyhow::Result<ArgonOutcome> {
    let argon = hasher()?;
    let workers: Vec<_> = (0..threads.max(1))
        .map(|t| {
            let argon = argon.clone();
            std::thread::spawn(move || -> Result<(u64, Duration), String> {
                let salt = [t as u8; 16];
                let mut out = [0u8; OUTPUT_LEN];
                // The working memory of each thread is allocated once, as eulogin's hashing
                // threads do: the ceiling is the hash alone, without allocating and zeroing
                // 19 MiB each time.
                let mut memory = vec![Block::default(); argon.params().block_count()];
                let mut hash = |n: u64| {
                    let password = format!("{} {n}", crate::seed::PASSWORD);
                    argon
                        .hash_password_into_with_memory(
                            password.as_bytes(),
                            &salt,
                            &mut out,
                            memory.as_mut_slice(),
                        )
                        .map_err(|e| e.to_string())
                };
                hash(0)?;
                let started = Instant::now();
                let mut done = 0;
                while started.elapsed() < measured {
                    hash(done + 1)?;
                    done += 1;
                }
                Ok((done, started.elapsed()))
            })
        })
        .collect();
    let mut hashes = 0;
    let mut rate = 0.0;
    let mut busy = 0.0;
    for worker in workers {
        let (done, took) = worker
            .join()
            .map_err(|_| anyhow::anyhow!("an argon2 thread panicked"))?
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        hashes += done;
        rate += done as f64 / took.as_secs_f64();
        busy += took.as_secs_f64();
    }
    Ok(ArgonOutcome {
        threads: threads.max(1),
        hashes_per_sec: rate,
        millis_per_hash: if hashes > 0 {
            busy * 1000.0 / hashes as f64
        } else {
            0.0
        },
    })
}
