//! The users table as the inactivity rule sees it: active users not seen since a given time,
//! walked in batches (there may be a hundred thousand), and the three changes of the rule —
//! warned, deactivated, reactivated. Each change is a conditional UPDATE that repeats the
//! rule's condition: when two replicas run the job at once, or the user logs in between the
//! read and the write, the second writer changes nothing and so sends nothing.

use super::schema::users;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// An active user the rule may concern, with what the e-mails need.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Candidate {
    pub id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
    pub last_seen_at: PrimitiveDateTime,
    pub inactivity_warned_at: Option<PrimitiveDateTime>,
}

impl Candidate {
    pub fn last_seen(&self) -> OffsetDateTime {
        from_db_time(self.last_seen_at)
    }

    pub fn warned(&self) -> Option<OffsetDateTime> {
        self.inactivity_warned_at.map(from_db_time)
    }

    /// Where the next batch starts: after this user.
    pub fn position(&self) -> BatchPosition {
        BatchPosition {
            last_seen_at: self.last_seen_at,
            id: self.id.clone(),
        }
    }
}

/// The (`last_seen_at`, `id`) of the last user of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPosition {
    last_seen_at: PrimitiveDateTime,
    id: String,
}

/// Up to `limit` users not deactivated and last seen at or before `seen_before`, ordered by
/// (`last_seen_at`, `id`) and starting after `after` (keyset pagination: each batch is one
/// index range, however far the walk has gone).
pub fn candidates(
    conn: &mut AnyConnection,
    seen_before: OffsetDateTime,
    after: Option<&BatchPosition>,
    limit: i64,
) -> QueryResult<Vec<Candidate>> {
    let mut query = users::table
        .filter(users::deactivated_at.is_null())
        .filter(users::last_seen_at.le(to_db_time(seen_before)))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(
            users::last_seen_at
                .gt(after.last_seen_at)
                .or(users::last_seen_at
                    .eq(after.last_seen_at)
                    .and(users::id.gt(after.id.clone()))),
        );
    }
    query
        .order((users::last_seen_at, users::id))
        .limit(limit)
        .select((
            users::id,
            users::email,
            users::given_name,
            users::family_name,
            users::language,
            users::last_seen_at,
            users::inactivity_warned_at,
        ))
        .load(conn)
}

/// Records the warning of the period that began at `last_seen_at`: only if the user is still
/// active, was not seen since, and was not warned in this period yet. True when this call
/// recorded it (and so its caller sends the e-mail).
pub fn mark_warned(
    conn: &mut AnyConnection,
    id: &str,
    last_seen_at: PrimitiveDateTime,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::deactivated_at.is_null())
            .filter(users::last_seen_at.eq(last_seen_at))
            .filter(
                users::inactivity_warned_at
                    .is_null()
                    .or(users::inactivity_warned_at.lt(users::last_seen_at.nullable())),
            ),
    )
    .set(users::inactivity_warned_at.eq(Some(to_db_time(now))))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Deactivates the user at `now`: only if still active and not seen since `last_seen_at`.
/// True when this call deactivated them.
pub fn deactivate(
    conn: &mut AnyConnection,
    id: &str,
    last_seen_at: PrimitiveDateTime,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::deactivated_at.is_null())
            .filter(users::last_seen_at.eq(last_seen_at)),
    )
    .set(users::deactivated_at.eq(Some(to_db_time(now))))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Lets a deactivated user in again, for a new period that starts `now`: no deactivation, no
/// warning, last seen now. True when the user was deactivated.
pub fn reactivate(conn: &mut AnyConnection, id: &str, now: OffsetDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::deactivated_at.is_not_null()),
    )
    .set((
        users::deactivated_at.eq(None::<PrimitiveDateTime>),
        users::inactivity_warned_at.eq(None::<PrimitiveDateTime>),
        users::last_seen_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}
