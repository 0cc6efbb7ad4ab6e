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

/// `increment` on Redis: the window starts with the counter. A script is hashed once; Redis
/// runs it by its hash (`EVALSHA`).
static INCREMENT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        "local n = redis.call('INCR', KEYS[1]) \
         if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
         return n",
    )
});

/// `increment_each` on Redis: every counter of `KEYS` in one round trip, each with its window
/// (`ARGV`, milliseconds) starting with it.
static INCREMENT_EACH: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        "local counts = {} \
         for i, key in ipairs(KEYS) do \
           local n = redis.call('INCR', key) \
           if n == 1 then redis.call('PEXPIRE', key, ARGV[i]) end \
           counts[i] = n \
         end \
         return counts",
    )
});

/// `take_marking` on Redis.
static TAKE_MARKING: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        "local v = redis.call('GETDEL', KEYS[1]) \
         if v then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end \
         return v",
    )
});

/// Writes for [`KeyValue::apply`], in the order they are given.
#[derive(Debug, Default)]
pub struct Writes(Vec<Write>);

#[derive(Debug)]
enum Write {
    Set {
        key: String,
        value: String,
        ttl: Duration,
    },
    SetAdd {
        key: String,
        member: String,
        ttl: Duration,
    },
    Delete {
        key: String,
    },
}

impl Write {
    fn key(&self) -> &str {
        match self {
            Write::Set { key, .. } | Write::SetAdd { key, .. } | Write::Delete { key } => key,
        }
    }

    fn with_key(self, key: String) -> Write {
        match self {
            Write::Set { value, ttl, .. } => Write::Set { key, value, ttl },
            Write::SetAdd { member, ttl, .. } => Write::SetAdd { key, member, ttl },
            Write::Delete { .. } => Write::Delete { key },
        }
    }
}

impl Writes {
    pub fn new() -> Writes {
        Writes::default()
    }

    /// As [`KeyValue::set`].
    pub fn set(mut self, key: &str, value: &str, ttl: Duration) -> Writes {
        self.0.push(Write::Set {
            key: key.to_owned(),
            value: value.to_owned(),
            ttl,
        });
        self
    }

    /// As [`KeyValue::set_add`].
    pub fn set_add(mut self, key: &str, member: &str, ttl: Duration) -> Writes {
        self.0.push(Write::SetAdd {
            key: key.to_owned(),
            member: member.to_owned(),
            ttl,
        });
        self
    }

    /// As [`KeyValue::delete`].
    pub fn delete(mut self, key: &str) -> Writes {
        self.0.push(Write::Delete {
            key: key.to_owned(),
        });
        self
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
            Backend::Redis(c) => Ok(INCREMENT
                .key(key)
                .arg(millis(window))
                .invoke_async(&mut c.clone())
                .await?),
        }
    }

    /// [`increment`](Self::increment) for several counters at once (one round trip to Redis):
    /// the new values, in the order of `counters`.
    pub async fn increment_each(&self, counters: &[(&str, Duration)]) -> Result<Vec<i64>, KvError> {
        match &self.backend {
            Backend::Memory(m) => Ok(counters
                .iter()
                .map(|(key, window)| m.increment(self.key(key), *window))
                .collect()),
            Backend::Redis(c) => {
                let mut invocation = INCREMENT_EACH.prepare_invoke();
                for (key, window) in counters {
                    invocation.key(self.key(key)).arg(millis(*window));
                }
                Ok(invocation.invoke_async(&mut c.clone()).await?)
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
        self.apply(Writes::new().set_add(key, member, ttl)).await
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

    /// Applies `writes` together: on Redis in one round trip, as one `MULTI` transaction; in
    /// process under one lock. Either way no reader sees some of them without the others.
    pub async fn apply(&self, writes: Writes) -> Result<(), KvError> {
        if writes.0.is_empty() {
            return Ok(());
        }
        match &self.backend {
            Backend::Memory(m) => {
                m.apply(
                    writes
                        .0
                        .into_iter()
                        .map(|w| {
                            let key = self.key(w.key());
                            w.with_key(key)
                        })
                        .collect(),
                );
                Ok(())
            }
            Backend::Redis(c) => {
                let mut pipe = redis::pipe();
                pipe.atomic();
                for write in &writes.0 {
                    let key = self.key(write.key());
                    match write {
                        Write::Set { value, ttl, .. } => {
                            pipe.cmd("SET")
                                .arg(&key)
                                .arg(value)
                                .arg("PX")
                                .arg(millis(*ttl))
                                .ignore();
                        }
                        Write::SetAdd { member, ttl, .. } => {
                            pipe.cmd("SADD").arg(&key).arg(member).ignore();
                            pipe.cmd("PEXPIRE").arg(&key).arg(millis(*ttl)).ignore();
                        }
                        Write::Delete { .. } => {
                            pipe.cmd("DEL").arg(&key).ignore();
                        }
                    }
                }
                pipe.query_async::<()>(&mut c.clone()).await?;
                Ok(())
            }
        }
    }

    /// Takes the value of `key` (as [`KeyValue::take`]) and, when there was one, leaves
    /// `mark_key` behind for `mark_ttl`, in one atomic step (one round trip to Redis): of two
    /// concurrent calls one gets the value, and the other finds the mark.
    pub async fn take_marking(
        &self,
        key: &str,
        mark_key: &str,
        mark_ttl: Duration,
    ) -> Result<Option<String>, KvError> {
        let (key, mark_key) = (self.key(key), self.key(mark_key));
        match &self.backend {
            Backend::Memory(m) => Ok(m.take_marking(&key, mark_key, mark_ttl)),
            Backend::Redis(c) => Ok(TAKE_MARKING
                .key(key)
                .key(mark_key)
                .arg(millis(mark_ttl))
                .invoke_async(&mut c.clone())
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

impl Value {
    /// What `get` and `take` answer for the value: text and counters as text, sets nothing.
    fn into_text(self) -> Option<String> {
        match self {
            Value::Text(t) => Some(t),
            Value::Counter(n) => Some(n.to_string()),
            Value::Set(_) => None,
        }
    }
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
    fn remove_if_expired(&mut self, key: &str, now: OffsetDateTime) {
        if self.get(key).is_some_and(|e| e.expires_at <= now) {
            self.remove(key);
        }
    }
    /// Adds `member` to the set at `key` (a new set if there is none) and sets its expiry.
    fn add_member(&mut self, key: String, member: String, expires_at: OffsetDateTime) {
        let entry = self.entry(key).or_insert(Entry {
            value: Value::Set(HashSet::new()),
            expires_at,
        });
        entry.expires_at = expires_at;
        if let Value::Set(s) = &mut entry.value {
            s.insert(member);
        } else {
            entry.value = Value::Set(HashSet::from([member]));
        }
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
        live.remove_if_expired(key, now);
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

    fn apply(&self, writes: Vec<Write>) {
        let now = self.clock.now();
        let mut map = self.live();
        for write in writes {
            match write {
                Write::Set { key, value, ttl } => map.insert(
                    key,
                    Entry {
                        value: Value::Text(value),
                        expires_at: now + ttl,
                    },
                ),
                Write::SetAdd { key, member, ttl } => {
                    map.remove_if_expired(&key, now);
                    map.add_member(key, member, now + ttl);
                }
                Write::Delete { key } => {
                    map.remove(&key);
                }
            }
        }
    }

    fn take_marking(&self, key: &str, mark_key: String, mark_ttl: Duration) -> Option<String> {
        let now = self.clock.now();
        let mut map = self.live_for(key);
        let taken = map.remove(key)?.value.into_text()?;
        map.insert(
            mark_key,
            Entry {
                value: Value::Text("1".to_owned()),
                expires_at: now + mark_ttl,
            },
        );
        Some(taken)
    }

    fn take(&self, key: &str) -> Option<String> {
        self.live_for(key).remove(key)?.value.into_text()
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

#[cfg(test)]
mod tests {
    //! The operations that combine several steps, on both backends: the in-process map and
    //! the test Redis (`TEST_REDIS_URL`; without it the Redis half fails, it is not skipped).
    use super::*;
    use crate::clock::ManualClock;

    async fn both_backends() -> Vec<KeyValue> {
        let url = std::env::var("TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379/15".to_owned());
        let prefix = format!("kv-test-{}", crate::crypto::random_token());
        let redis = KeyValue::redis(&url, &prefix)
            .await
            .expect("Redis for tests (make check-backends)");
        vec![
            KeyValue::in_process(&prefix, Arc::new(ManualClock::starting_now())),
            redis,
        ]
    }

    #[tokio::test]
    async fn writes_applied_together_are_all_there() {
        for kv in both_backends().await {
            kv.set("pending:1", "request", Duration::seconds(60))
                .await
                .unwrap();
            let writes = Writes::new()
                .delete("pending:1")
                .set("code:1", "record", Duration::seconds(60))
                .set_add("grants:s", "app g1", Duration::minutes(10))
                .set_add("grants:s", "other g2", Duration::minutes(10));
            kv.apply(writes).await.unwrap();
            assert_eq!(kv.get("code:1").await.unwrap().as_deref(), Some("record"));
            assert_eq!(kv.get("pending:1").await.unwrap(), None, "{kv:?}");
            let mut members = kv.set_members("grants:s").await.unwrap();
            members.sort();
            assert_eq!(members, ["app g1", "other g2"], "{kv:?}");
            let ttl = kv.time_to_live("grants:s").await.unwrap().unwrap();
            assert!(ttl > Duration::minutes(9), "{ttl}");
            kv.apply(Writes::new()).await.unwrap();
            kv.clear_namespace().await.unwrap();
        }
    }

    #[tokio::test]
    async fn counters_incremented_together_each_count_in_their_own_window() {
        for kv in both_backends().await {
            let short = Duration::seconds(60);
            let long = Duration::minutes(15);
            kv.increment("b", long).await.unwrap();
            let counts = kv
                .increment_each(&[("a", short), ("b", long)])
                .await
                .unwrap();
            assert_eq!(counts, [1, 2], "{kv:?}");
            let counts = kv
                .increment_each(&[("a", short), ("b", long)])
                .await
                .unwrap();
            assert_eq!(counts, [2, 3], "{kv:?}");
            let a = kv.time_to_live("a").await.unwrap().unwrap();
            let b = kv.time_to_live("b").await.unwrap().unwrap();
            assert!(
                a <= short && a > short - Duration::seconds(5),
                "{kv:?}: {a}"
            );
            assert!(b <= long && b > long - Duration::seconds(5), "{kv:?}: {b}");
            assert_eq!(kv.increment_each(&[]).await.unwrap(), Vec::<i64>::new());
            kv.clear_namespace().await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_value_taken_once_leaves_a_mark_and_cannot_be_taken_again() {
        for kv in both_backends().await {
            kv.set("code:1", "record", Duration::seconds(60))
                .await
                .unwrap();
            let ttl = Duration::minutes(10);
            let first = kv.take_marking("code:1", "used:1", ttl).await.unwrap();
            assert_eq!(first.as_deref(), Some("record"), "{kv:?}");
            assert!(kv.get("used:1").await.unwrap().is_some(), "{kv:?}");
            let again = kv.take_marking("code:1", "used:1", ttl).await.unwrap();
            assert_eq!(again, None, "{kv:?}");
            // Nothing to take: no mark either.
            let none = kv.take_marking("code:2", "used:2", ttl).await.unwrap();
            assert_eq!(none, None, "{kv:?}");
            assert_eq!(kv.get("used:2").await.unwrap(), None, "{kv:?}");
            kv.clear_namespace().await.unwrap();
        }
    }
}
