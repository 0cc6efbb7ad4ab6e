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
    let key = format!("rate:{bucket}");
    let count = kv.increment(&key, limit.window).await?;
    if count <= limit.max {
        return Ok(Verdict::Allowed);
    }
    let remaining = kv.time_to_live(&key).await?.unwrap_or(limit.window);
    Ok(Verdict::Refused {
        retry_after_secs: remaining.whole_seconds().max(1),
    })
}

/// A bucket name for a personal value (an e-mail address): hashed so the store holds no
/// addresses.
pub fn personal_bucket(kind: &str, value: &str) -> String {
    format!(
        "{kind}:{}",
        &infra::crypto::sha256_hex(value.as_bytes())[..32]
    )
}
