//! Rate limits in the key-value store (fixed windows shared by all replicas): per client
//! address and per account on login and on every endpoint that sends mail, so credential
//! stuffing and mail bombing are slowed while the real user, on their own address, is not
//! locked out.

use infra::kv::{KeyValue, KvError};
use time::Duration;

/// One limit: at most `max` events per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

/// The limits of the service, configurable for tests and operators.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub mail_per_ip: Limit,
    pub mail_per_address: Limit,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            login_per_ip: Limit {
                max: 30,
                window: Duration::minutes(5),
            },
            login_per_account: Limit {
                max: 20,
                window: Duration::minutes(15),
            },
            mail_per_ip: Limit {
                max: 20,
                window: Duration::hours(1),
            },
            mail_per_address: Limit {
                max: 5,
                window: Duration::hours(1),
            },
        }
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Refused; the window ends in this many seconds.
    Refused {
        retry_after_secs: i64,
    },
}

/// Counts one event in `bucket` and says whether it stays within `limit`.
pub async fn check(kv: &KeyValue, bucket: &str, limit: Limit) -> Result<Verdict, KvError> {
    check_each(kv, &[(bucket, limit)]).await
}

/// Counts one event in every bucket of `checks` (one round trip to the store) and says whether
/// it stays within all their limits; refused, the wait is that of the first bucket over its
/// limit. Every attempt counts in every bucket, refused or not.
pub async fn check_each(kv: &KeyValue, checks: &[(&str, Limit)]) -> Result<Verdict, KvError> {
    let keys: Vec<String> = checks.iter().map(|(b, _)| format!("rate:{b}")).collect();
    let counters: Vec<(&str, Duration)> = keys
        .iter()
        .zip(checks)
        .map(|(key, (_, limit))| (key.as_str(), limit.window))
        .collect();
    let counts = kv.increment_each(&counters).await?;
    for ((key, (_, limit)), count) in keys.iter().zip(checks).zip(counts) {
        if count > limit.max {
            let remaining = kv.time_to_live(key).await?.unwrap_or(limit.window);
            return Ok(Verdict::Refused {
                retry_after_secs: remaining.whole_seconds().max(1),
            });
        }
    }
    Ok(Verdict::Allowed)
}

/// A bucket name for a personal value (an e-mail address): hashed so the store holds no
/// addresses.
pub fn personal_bucket(kind: &str, value: &str) -> String {
    format!(
        "{kind}:{}",
        &infra::crypto::sha256_hex(value.as_bytes())[..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra::clock::ManualClock;
    use std::sync::Arc;

    const THREE_A_MINUTE: Limit = Limit {
        max: 3,
        window: Duration::minutes(1),
    };
    const FIVE_AN_HOUR: Limit = Limit {
        max: 5,
        window: Duration::hours(1),
    };

    #[tokio::test]
    async fn every_attempt_counts_in_every_bucket_and_the_first_full_one_refuses() {
        let clock = Arc::new(ManualClock::starting_now());
        let kv = KeyValue::in_process("rate-test", clock.clone());
        let checks = [("ip:1", THREE_A_MINUTE), ("account:a", FIVE_AN_HOUR)];
        for _ in 0..3 {
            assert_eq!(check_each(&kv, &checks).await.unwrap(), Verdict::Allowed);
        }
        // The address is over its limit: refused until its minute ends.
        assert_eq!(
            check_each(&kv, &checks).await.unwrap(),
            Verdict::Refused {
                retry_after_secs: 60
            }
        );
        // A new minute: the address may try again. The refused attempt counted for the
        // account too: this is its fifth, the last its hour allows.
        clock.advance(Duration::seconds(61));
        assert_eq!(check_each(&kv, &checks).await.unwrap(), Verdict::Allowed);
        assert_eq!(
            check_each(&kv, &checks).await.unwrap(),
            Verdict::Refused {
                retry_after_secs: 3600 - 61
            },
            "refused by the account's hour, with its wait"
        );
    }
}
