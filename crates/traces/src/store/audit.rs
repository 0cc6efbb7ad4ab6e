//! The audit log of decisions: who, when, what was done to which object, the object's state
//! before and after (JSON) and the reason given.

use super::schema::audit_log;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// One decision to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

pub fn record(
    conn: &mut AnyConnection,
    entry: &AuditEntry,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(uuid::Uuid::now_v7().to_string()),
            audit_log::occurred_at.eq(to_db_time(now)),
            audit_log::actor_user_id.eq(entry.actor_user_id),
            audit_log::action.eq(entry.action),
            audit_log::object_type.eq(entry.object_type),
            audit_log::object_id.eq(entry.object_id),
            audit_log::before_state.eq(entry.before.as_ref().map(|v| v.to_string())),
            audit_log::after_state.eq(entry.after.as_ref().map(|v| v.to_string())),
            audit_log::reason.eq(entry.reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// A recorded decision.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRecord {
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

type Row = (
    PrimitiveDateTime,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The history of one object, oldest first.
pub fn of_object(
    conn: &mut AnyConnection,
    object_type: &str,
    object_id: &str,
) -> QueryResult<Vec<AuditRecord>> {
    let rows: Vec<Row> = audit_log::table
        .filter(audit_log::object_type.eq(object_type))
        .filter(audit_log::object_id.eq(object_id))
        .order((audit_log::occurred_at, audit_log::id))
        .select((
            audit_log::occurred_at,
            audit_log::actor_user_id,
            audit_log::action,
            audit_log::object_type,
            audit_log::object_id,
            audit_log::before_state,
            audit_log::after_state,
            audit_log::reason,
        ))
        .load(conn)?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .into_iter()
        .map(
            |(at, actor, action, object_type, object_id, before, after, reason)| AuditRecord {
                occurred_at: from_db_time(at),
                actor_user_id: actor,
                action,
                object_type,
                object_id,
                before: json(before),
                after: json(after),
                reason,
            },
        )
        .collect())
}

/// The actor recorded for a change made with the command line (`traces officers add`, `traces
/// admins add`): no user is behind it, the operator of the deployment is.
pub const CLI_ACTOR: &str = "cli";
