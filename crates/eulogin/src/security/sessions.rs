//! SSO sessions. The browser holds only an opaque random id (256 bits) in a cookie; the session
//! lives server-side in the key-value store under the SHA-256 of that id, with an idle and an
//! absolute timeout decided by the injected clock. Each account keeps an index of its sessions
//! so it can list them and end them all (after a password change or reset).

use crate::oidc::assurance::{Amr, Loa};
use infra::clock::SharedClock;
use infra::crypto;
use infra::kv::{KeyValue, KvError, Writes};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// What the server remembers of one login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub account_id: String,
    #[serde(with = "time::serde::timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub last_seen: OffsetDateTime,
    /// When the person last proved who they are (for `auth_time` and re-authentication).
    #[serde(with = "time::serde::timestamp")]
    pub authenticated_at: OffsetDateTime,
    pub ip: String,
    pub user_agent: String,
    /// The session's public id (`sid` in tokens): random, unrelated to the cookie.
    #[serde(default)]
    pub sid: String,
    /// How the person authenticated (RFC 8176 values), e.g. `["pwd"]`.
    #[serde(default)]
    pub amr: Vec<String>,
    /// The assurance level the methods reached (decided by the method that was used, e.g. a
    /// security key counts as `high` only with user verification).
    #[serde(default)]
    pub loa: Option<Loa>,
}

impl SessionRecord {
    /// The assurance level of this session.
    pub fn level(&self) -> Loa {
        self.loa.unwrap_or_else(|| Loa::proven_by(&self.amr))
    }
}

/// How a person has just proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub amr: Vec<String>,
    pub loa: Loa,
}

impl Proof {
    /// A password alone.
    pub fn password() -> Proof {
        Proof {
            amr: vec![Amr::PASSWORD.to_owned()],
            loa: Loa::Low,
        }
    }
}

/// A live session found from a cookie.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// The stored key (hash of the cookie value): safe to show, useless as a cookie.
    pub handle: String,
    pub record: SessionRecord,
}

#[derive(Clone, Debug)]
pub struct Sessions {
    kv: KeyValue,
    clock: SharedClock,
    idle: Duration,
    absolute: Duration,
}

/// Sessions are touched at most this often, to keep reads cheap.
const TOUCH_EVERY: Duration = Duration::minutes(1);

fn session_key(handle: &str) -> String {
    format!("session:{handle}")
}

fn index_key(account_id: &str) -> String {
    format!("account_sessions:{account_id}")
}

impl Sessions {
    pub fn new(kv: KeyValue, clock: SharedClock, idle: Duration, absolute: Duration) -> Sessions {
        Sessions {
            kv,
            clock,
            idle,
            absolute,
        }
    }

    pub fn idle_timeout(&self) -> Duration {
        self.idle
    }

    /// Starts a new session (a new id at every login); gives the cookie value and the session,
    /// so the request that logged in can go on with it without reading it back.
    pub async fn create(
        &self,
        account_id: &str,
        ip: &str,
        user_agent: &str,
        proof: Proof,
    ) -> Result<(String, ActiveSession), KvError> {
        let now = self.clock.now();
        let cookie_value = crypto::random_token();
        let handle = crypto::sha256_hex(cookie_value.as_bytes());
        let record = SessionRecord {
            account_id: account_id.to_owned(),
            created_at: now,
            last_seen: now,
            authenticated_at: now,
            ip: ip.to_owned(),
            user_agent: user_agent.to_owned(),
            sid: crypto::random_token(),
            amr: proof.amr,
            loa: Some(proof.loa),
        };
        // The session and its place in the account's index: one round trip to the store.
        let writes = Writes::new()
            .set(&session_key(&handle), &to_json(&record)?, self.kept_for())
            .set_add(&index_key(account_id), &handle, self.absolute);
        self.kv.apply(writes).await?;
        Ok((cookie_value, ActiveSession { handle, record }))
    }

    async fn store(&self, handle: &str, record: &SessionRecord) -> Result<(), KvError> {
        self.kv
            .set(&session_key(handle), &to_json(record)?, self.kept_for())
            .await
    }

    /// How long the store keeps a record: a little after the idle timeout (the clock decides
    /// before that).
    fn kept_for(&self) -> Duration {
        self.idle + Duration::minutes(1)
    }

    fn is_alive(&self, record: &SessionRecord, now: OffsetDateTime) -> bool {
        now - record.last_seen < self.idle && now - record.created_at < self.absolute
    }

    async fn fetch(&self, handle: &str) -> Result<Option<SessionRecord>, KvError> {
        Ok(self
            .kv
            .get(&session_key(handle))
            .await?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// The live session behind a cookie value, touched so that activity keeps it alive.
    pub async fn resume(&self, cookie_value: &str) -> Result<Option<ActiveSession>, KvError> {
        if cookie_value.len() != 43 {
            return Ok(None);
        }
        let handle = crypto::sha256_hex(cookie_value.as_bytes());
        let Some(mut record) = self.fetch(&handle).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if !self.is_alive(&record, now) {
            self.end(&handle, &record.account_id).await?;
            return Ok(None);
        }
        if now - record.last_seen >= TOUCH_EVERY {
            record.last_seen = now;
            self.store(&handle, &record).await?;
        }
        Ok(Some(ActiveSession { handle, record }))
    }

    /// Raises a live session to what a second step just proved (step-up): the session keeps
    /// its id and `sid`, its methods and level become the new ones, and the time of
    /// authentication is now. False when the session is gone.
    pub async fn step_up(&self, handle: &str, proof: Proof) -> Result<bool, KvError> {
        let Some(mut record) = self.fetch(handle).await? else {
            return Ok(false);
        };
        let now = self.clock.now();
        if !self.is_alive(&record, now) {
            return Ok(false);
        }
        record.amr = proof.amr;
        record.loa = Some(proof.loa);
        record.authenticated_at = now;
        record.last_seen = now;
        self.store(handle, &record).await?;
        Ok(true)
    }

    /// Raises the session to `proof` unless it already has that level or more (a factor
    /// confirmed during a session counts as used by it).
    pub async fn raise(&self, handle: &str, proof: Proof) -> Result<bool, KvError> {
        match self.fetch(handle).await? {
            Some(record) if record.level() >= proof.loa => Ok(true),
            Some(_) => self.step_up(handle, proof).await,
            None => Ok(false),
        }
    }

    /// Ends one session on the server.
    pub async fn end(&self, handle: &str, account_id: &str) -> Result<(), KvError> {
        self.kv.delete(&session_key(handle)).await?;
        self.kv.set_remove(&index_key(account_id), handle).await
    }

    /// The account's live sessions, oldest first; stale index entries are dropped on the way.
    pub async fn list(&self, account_id: &str) -> Result<Vec<ActiveSession>, KvError> {
        let now = self.clock.now();
        let mut live = Vec::new();
        for handle in self.kv.set_members(&index_key(account_id)).await? {
            match self.fetch(&handle).await? {
                Some(record) if self.is_alive(&record, now) && record.account_id == account_id => {
                    live.push(ActiveSession { handle, record });
                }
                _ => self.end(&handle, account_id).await?,
            }
        }
        live.sort_by_key(|s| s.record.created_at);
        Ok(live)
    }

    /// Ends every session of the account except `keep` (the one making the change, if any).
    /// Returns the sessions that were still live.
    pub async fn end_all(
        &self,
        account_id: &str,
        keep: Option<&str>,
    ) -> Result<Vec<SessionRecord>, KvError> {
        let mut ended = Vec::new();
        for handle in self.kv.set_members(&index_key(account_id)).await? {
            if Some(handle.as_str()) != keep {
                if let Some(record) = self.fetch(&handle).await? {
                    ended.push(record);
                }
                self.end(&handle, account_id).await?;
            }
        }
        Ok(ended)
    }
}

fn to_json(record: &SessionRecord) -> Result<String, KvError> {
    serde_json::to_string(record).map_err(|e| KvError::other(e.to_string()))
}
