//! The key-value store for short-lived shared state (sessions, challenges, rate-limit buckets):
//! Redis in production, an in-process map by default. Both offer the same operations with
//! TTLs and the same atomicity, so any replica can continue what another began.

use crate::clock::SharedClock;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// Failure to reach the store. Text for logs only.
#[derive(Debug, thiserror::Error)]
#[error("key-value store error: {0}")]
pub struct KvError(String);

impl KvError {
    /// An error that did not come from Redis (e.g. a value that cannot be encoded).
    pub fn other(message: impl Into<String>) -> KvError {
        KvError(message.into())
    }
}

impl From<redis::RedisError> for KvError {
    fn from(e: redis::RedisError) -> Self {
        KvError(e.to_string())
    }
}

/// The store, with every key under the application's namespace (`prefix:`), so several
/// services or tests can share one Redis without seeing each other's keys.
#[derive(Clone, Debug)]
pub struct KeyValue {
    prefix: String,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<Memory>),
    Redis(redis::aio::ConnectionManager),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Memory(_) => "Memory",
            Backend::Redis(_) => "Redis",
        })
    }
}

impl KeyValue {
    /// An in-process store whose expiry follows `clock`.
    pub fn in_process(prefix: &str, clock: SharedClock) -> KeyValue {
        KeyValue {
            prefix: format!("{prefix}:"),
            backend: Backend::Memory(Arc::new(Memory::new(clock))),
        }
    }

    /// Connects to Redis; fails at once when it cannot be reached.
    pub async fn redis(url: &str, prefix: &str) -> Result<KeyValue, KvError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_secs(5)))
            .set_response_timeout(Some(std::time::Duration::from_secs(5)));
        let manager = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        Ok(KeyValue {
            prefix: format!("{prefix}:"),
            backend: Backend::Redis(manager),
        })
    }

    pub fn is_redis(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.get(&key)),
            Backend::Redis(c) => Ok(redis::cmd("GET")
                .arg(key)
                .query_async(&mut c.clone())
                .await?),
        }
    }

    /// Whether at least one of `keys` exists (one round trip to Redis).
    pub async fn any_exists(&self, keys: &[&str]) -> Result<bool, KvError> {
        if keys.is_empty() {
            return Ok(false);
        }
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::Memory(m) => Ok(keys.iter().any(|k| m.get(k).is_some())),
            Backend::Redis(c) => {
                let found: i64 = redis::cmd("EXISTS")
                    .arg(&keys)
                    .query_async(&mut c.clone())
                    .await?;
                Ok(found > 0)
            }
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => {
                m.set(key, value.to_owned(), ttl, false);
                Ok(())
            }
            Backend::Redis(c) => {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async::<()>(&mut c.clone())
                    .await?;
                Ok(())
            }
        }
    }

    /// Sets the key only if it does not exist; true when this call created it.
    pub async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.set(key, value.to_owned(), ttl, true)),
            Backend::Redis(c) => {
                let r: Option<String> = redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(millis(ttl))
                    .arg("NX")
                    .query_async(&mut c.clone())
                    .await?;
                Ok(r.is_some())
            }
        }
    }

    /// Reads and deletes in one step: a value taken once can never be taken again.
    pub async fn take(&self, key: &str) -> Result<Option<String>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.take(&key)),
            Backend::Redis(c) => Ok(redis::cmd("GETDEL")
                .arg(key)
                .query_async(&mut c.clone())
                .await?),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => {
                m.take(&key);
                Ok(())
            }
            Backend::Redis(c) => Ok(redis::cmd("DEL")
                .arg(key)
                .query_async::<()>(&mut c.clone())
                .await?),
        }
    }

    /// Adds one to a counter and returns the new value. The TTL is set when the counter is
    /// created and not extended by later increments (a fixed window).
    pub async fn increment(&self, key: &str, window: Duration) -> Result<i64, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.increment(key, window)),
            Backend::Redis(c) => {
                let script = redis::Script::new(
                    "local n = redis.call('INCR', KEYS[1]) \
                     if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
                     return n",
                );
                Ok(script
                    .key(key)
                    .arg(millis(window))
                    .invoke_async(&mut c.clone())
                    .await?)
            }
        }
    }

    /// Remaining lifetime of a key, if it exists.
    pub async fn time_to_live(&self, key: &str) -> Result<Option<Duration>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.ttl(&key)),
            Backend::Redis(c) => {
                let ms: i64 = redis::cmd("PTTL")
                    .arg(key)
                    .query_async(&mut c.clone())
                    .await?;
                Ok((ms >= 0).then(|| Duration::milliseconds(ms)))
            }
        }
    }

    /// Adds a member to a set and (re)sets the set's TTL.
    pub async fn set_add(&self, key: &str, member: &str, ttl: Duration) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => {
                m.set_add(key, member, ttl);
                Ok(())
            }
            Backend::Redis(c) => {
                redis::pipe()
                    .atomic()
                    .cmd("SADD")
                    .arg(&key)
                    .arg(member)
                    .ignore()
                    .cmd("PEXPIRE")
                    .arg(&key)
                    .arg(millis(ttl))
                    .ignore()
                    .query_async::<()>(&mut c.clone())
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn set_remove(&self, key: &str, member: &str) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => {
                m.set_remove(&key, member);
                Ok(())
            }
            Backend::Redis(c) => Ok(redis::cmd("SREM")
                .arg(key)
                .arg(member)
                .query_async::<()>(&mut c.clone())
                .await?),
        }
    }

    pub async fn set_members(&self, key: &str) -> Result<Vec<String>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(m) => Ok(m.set_members(&key)),
            Backend::Redis(c) => Ok(redis::cmd("SMEMBERS")
                .arg(key)
                .query_async(&mut c.clone())
                .await?),
        }
    }

    /// True when the store answers: for readiness probes.
    pub async fn ping(&self) -> bool {
        match &self.backend {
            Backend::Memory(_) => true,
            Backend::Redis(c) => redis::cmd("PING")
                .query_async::<String>(&mut c.clone())
                .await
                .is_ok(),
        }
    }

    /// Deletes every key of this namespace (test clean-up; never called by the services).
    pub async fn clear_namespace(&self) -> Result<(), KvError> {
        match &self.backend {
            Backend::Memory(m) => {
                m.clear();
                Ok(())
            }
            Backend::Redis(c) => {
                let mut conn = c.clone();
                let keys: Vec<String> = redis::cmd("KEYS")
                    .arg(format!("{}*", self.prefix))
                    .query_async(&mut conn)
                    .await?;
                if !keys.is_empty() {
                    redis::cmd("DEL")
                        .arg(keys)
                        .query_async::<()>(&mut conn)
                        .await?;
                }
                Ok(())
            }
        }
    }
}

fn millis(d: Duration) -> i64 {
    d.whole_milliseconds().clamp(1, i128::from(i64::MAX)) as i64
}

enum Value {
    Text(String),
    Counter(i64),
    Set(HashSet<String>),
}

struct Entry {
    value: Value,
    expires_at: OffsetDateTime,
}

/// The in-process backend: one mutex-protected map, which makes every operation atomic.
/// Expired entries are invisible at once and swept out at most once a second.
struct Memory {
    clock: SharedClock,
    entries: Mutex<(HashMap<String, Entry>, OffsetDateTime)>,
}

struct Live<'a> {
    guard: std::sync::MutexGuard<'a, (HashMap<String, Entry>, OffsetDateTime)>,
}

impl Live<'_> {
    fn get(&self, key: &str) -> Option<&Entry> {
        self.guard.0.get(key)
    }
    fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.guard.0.get_mut(key)
    }
    fn remove(&mut self, key: &str) -> Option<Entry> {
        self.guard.0.remove(key)
    }
    fn contains_key(&self, key: &str) -> bool {
        self.guard.0.contains_key(key)
    }
    fn insert(&mut self, key: String, entry: Entry) {
        self.guard.0.insert(key, entry);
    }
    fn entry(&mut self, key: String) -> std::collections::hash_map::Entry<'_, String, Entry> {
        self.guard.0.entry(key)
    }
}

impl Memory {
    fn new(clock: SharedClock) -> Memory {
        let now = clock.now();
        Memory {
            clock,
            entries: Mutex::new((HashMap::new(), now)),
        }
    }

    /// Locks the map with every expired entry gone: the whole map is swept when a second has
    /// passed since the last sweep, otherwise only the entries this call may touch are checked.
    fn live(&self) -> Live<'_> {
        let now = self.clock.now();
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if now - guard.1 >= Duration::seconds(1) {
            guard.0.retain(|_, e| e.expires_at > now);
            guard.1 = now;
        }
        Live { guard }
    }

    fn live_for(&self, key: &str) -> Live<'_> {
        let now = self.clock.now();
        let mut live = self.live();
        if live.get(key).is_some_and(|e| e.expires_at <= now) {
            live.remove(key);
        }
        live
    }

    fn get(&self, key: &str) -> Option<String> {
        match self.live_for(key).get(key).map(|e| &e.value) {
            Some(Value::Text(t)) => Some(t.clone()),
            Some(Value::Counter(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    fn set(&self, key: String, value: String, ttl: Duration, only_if_absent: bool) -> bool {
        let expires_at = self.clock.now() + ttl;
        let mut map = self.live_for(&key);
        if only_if_absent && map.contains_key(&key) {
            return false;
        }
        map.insert(
            key,
            Entry {
                value: Value::Text(value),
                expires_at,
            },
        );
        true
    }

    fn take(&self, key: &str) -> Option<String> {
        match self.live_for(key).remove(key).map(|e| e.value) {
            Some(Value::Text(t)) => Some(t),
            Some(Value::Counter(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    fn increment(&self, key: String, window: Duration) -> i64 {
        let expires_at = self.clock.now() + window;
        let mut map = self.live_for(&key);
        let entry = map.entry(key).or_insert(Entry {
            value: Value::Counter(0),
            expires_at,
        });
        let next = match &entry.value {
            Value::Counter(n) => n + 1,
            Value::Text(t) => t.parse::<i64>().unwrap_or(0) + 1,
            Value::Set(_) => 1,
        };
        entry.value = Value::Counter(next);
        next
    }

    fn ttl(&self, key: &str) -> Option<Duration> {
        let now = self.clock.now();
        self.live_for(key).get(key).map(|e| e.expires_at - now)
    }

    fn set_add(&self, key: String, member: &str, ttl: Duration) {
        let expires_at = self.clock.now() + ttl;
        let mut map = self.live_for(&key);
        let entry = map.entry(key).or_insert(Entry {
            value: Value::Set(HashSet::new()),
            expires_at,
        });
        entry.expires_at = expires_at;
        if let Value::Set(s) = &mut entry.value {
            s.insert(member.to_owned());
        } else {
            entry.value = Value::Set(HashSet::from([member.to_owned()]));
        }
    }

    fn set_remove(&self, key: &str, member: &str) {
        if let Some(Entry {
            value: Value::Set(s),
            ..
        }) = self.live_for(key).get_mut(key)
        {
            s.remove(member);
        }
    }

    fn set_members(&self, key: &str) -> Vec<String> {
        match self.live_for(key).get(key).map(|e| &e.value) {
            Some(Value::Set(s)) => s.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clear();
    }
}
