//! The server-side session: the browser holds only an opaque random id in a cookie
//! (`__Host-traces-session` over HTTPS, `traces-session` on a local http URL; HttpOnly,
//! SameSite=Lax so it comes along when eulogin sends the browser back, Secure over HTTPS); the
//! key-value store holds what the login proved, under the SHA-256 of that id, for at most
//! `TRACES_SESSION_HOURS`. Two indexes, eulogin session id → sessions and subject → sessions,
//! let a back-channel logout end every session it names. No access or refresh token is kept.

use crate::config::Settings;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use infra::crypto::{random_token, sha256_hex};
use infra::kv::{KeyValue, KvError, Writes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a login proved, kept for the session's life.
#[derive(Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user_id: String,
    pub subject: String,
    /// eulogin's session id (`sid` of the ID token), when it gave one.
    pub sid: Option<String>,
    pub acr: String,
    pub amr: Vec<String>,
    /// When the person authenticated at eulogin (Unix time).
    pub auth_time: Option<i64>,
    /// The ID token, sent back as `id_token_hint` at logout.
    pub id_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("acr", &self.acr)
            .field("amr", &self.amr)
            .field("auth_time", &self.auth_time)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A session found for a request.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the cookie's value: the session's name in the store.
    key: String,
    pub record: SessionRecord,
}

pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-traces-session"
    } else {
        "traces-session"
    }
}

/// Every session cookie is built here, so that all of them have the same attributes.
fn build_cookie(settings: &Settings, value: String, max_age: time::Duration) -> Cookie<'static> {
    Cookie::build(cookie_name(settings.https()), value)
        .path("/")
        .http_only(true)
        .secure(settings.https())
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}

/// The cookie that makes the browser forget its session.
pub fn removal(settings: &Settings) -> Cookie<'static> {
    build_cookie(settings, String::new(), time::Duration::ZERO)
}

fn record_key(key: &str) -> String {
    format!("auth:session:{key}")
}

fn sid_index(sid: &str) -> String {
    format!("auth:sid:{}", sha256_hex(sid.as_bytes()))
}

fn subject_index(subject: &str) -> String {
    format!("auth:sub:{}", sha256_hex(subject.as_bytes()))
}

/// Opens a new session (a new id at every login: no fixation) and gives its cookie.
pub async fn open(
    kv: &KeyValue,
    settings: &Settings,
    record: &SessionRecord,
) -> Result<Cookie<'static>, KvError> {
    let id = random_token();
    let key = sha256_hex(id.as_bytes());
    let ttl = settings.session_max;
    let json = serde_json::to_string(record).map_err(|e| KvError::other(e.to_string()))?;
    // The session and its places in the indexes: one round trip, all or nothing.
    let mut writes = Writes::new().set(&record_key(&key), &json, ttl).set_add(
        &subject_index(&record.subject),
        &key,
        ttl,
    );
    if let Some(sid) = &record.sid {
        writes = writes.set_add(&sid_index(sid), &key, ttl);
    }
    kv.apply(writes).await?;
    Ok(build_cookie(settings, id, ttl))
}

/// The session of this request's cookie, if it is still open at `now`.
pub async fn current(
    req: &HttpRequest,
    kv: &KeyValue,
    settings: &Settings,
    now: OffsetDateTime,
) -> Result<Option<Session>, KvError> {
    match req.cookie(cookie_name(settings.https())) {
        Some(cookie) => find(kv, cookie.value(), now).await,
        None => Ok(None),
    }
}

/// The session whose cookie holds `cookie_value`, if it is still open at `now`.
pub async fn find(
    kv: &KeyValue,
    cookie_value: &str,
    now: OffsetDateTime,
) -> Result<Option<Session>, KvError> {
    if cookie_value.len() < 32 {
        return Ok(None);
    }
    let key = sha256_hex(cookie_value.as_bytes());
    let Some(json) = kv.get(&record_key(&key)).await? else {
        return Ok(None);
    };
    let Ok(record) = serde_json::from_str::<SessionRecord>(&json) else {
        kv.delete(&record_key(&key)).await?;
        return Ok(None);
    };
    let session = Session { key, record };
    // The store's own expiry follows the wall clock (Redis); the session's follows ours.
    if session.record.expires_at <= now.unix_timestamp() {
        end(kv, &session).await?;
        return Ok(None);
    }
    Ok(Some(session))
}

/// Ends one session.
pub async fn end(kv: &KeyValue, session: &Session) -> Result<(), KvError> {
    kv.delete(&record_key(&session.key)).await?;
    if let Some(sid) = &session.record.sid {
        kv.set_remove(&sid_index(sid), &session.key).await?;
    }
    kv.set_remove(&subject_index(&session.record.subject), &session.key)
        .await
}

/// Ends the sessions listed in `index` that belong to `subject` (all of them when `None`);
/// how many were open.
async fn end_listed(kv: &KeyValue, index: &str, subject: Option<&str>) -> Result<usize, KvError> {
    let mut ended = 0;
    for key in kv.set_members(index).await? {
        let record = kv
            .get(&record_key(&key))
            .await?
            .and_then(|json| serde_json::from_str::<SessionRecord>(&json).ok());
        let Some(record) = record else {
            kv.set_remove(index, &key).await?;
            continue;
        };
        if subject.is_some_and(|s| s != record.subject) {
            continue;
        }
        end(kv, &Session { key, record }).await?;
        ended += 1;
    }
    Ok(ended)
}

/// Ends every session opened in eulogin's session `sid` (of `subject`, when given).
pub async fn end_by_sid(kv: &KeyValue, sid: &str, subject: Option<&str>) -> Result<usize, KvError> {
    end_listed(kv, &sid_index(sid), subject).await
}

/// Ends every session of `subject`.
pub async fn end_by_subject(kv: &KeyValue, subject: &str) -> Result<usize, KvError> {
    end_listed(kv, &subject_index(subject), None).await
}
