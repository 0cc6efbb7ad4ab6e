//! The signing keys table: every key eulogin has published, with its place in the rotation.

use super::schema::signing_keys;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Published, not yet signing: relying parties see it before the first token it signs.
pub const NEXT: &str = "next";
/// The key that signs new tokens (one per algorithm).
pub const CURRENT: &str = "current";
/// No longer signing; published until every token it signed has expired.
pub const PREVIOUS: &str = "previous";

/// One key as stored; `private_key` is encrypted.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub kid: String,
    pub algorithm: String,
    pub status: String,
    pub private_key: String,
    pub public_jwk: String,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
    pub retired_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
struct Row {
    kid: String,
    algorithm: String,
    status: String,
    private_key: String,
    public_jwk: String,
    created_at: PrimitiveDateTime,
    activated_at: Option<PrimitiveDateTime>,
    retired_at: Option<PrimitiveDateTime>,
    expires_at: Option<PrimitiveDateTime>,
}

impl From<Row> for StoredKey {
    fn from(r: Row) -> StoredKey {
        StoredKey {
            kid: r.kid,
            algorithm: r.algorithm,
            status: r.status,
            private_key: r.private_key,
            public_jwk: r.public_jwk,
            created_at: from_db_time(r.created_at),
            activated_at: r.activated_at.map(from_db_time),
            retired_at: r.retired_at.map(from_db_time),
            expires_at: r.expires_at.map(from_db_time),
        }
    }
}

/// Every key still published at `now`, oldest first.
pub fn published(conn: &mut AnyConnection, now: OffsetDateTime) -> QueryResult<Vec<StoredKey>> {
    let rows: Vec<Row> = signing_keys::table
        .filter(
            signing_keys::expires_at
                .is_null()
                .or(signing_keys::expires_at.gt(to_db_time(now))),
        )
        .order(signing_keys::created_at.asc())
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(StoredKey::from).collect())
}

pub fn insert(conn: &mut AnyConnection, key: &StoredKey) -> QueryResult<()> {
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(&key.kid),
            signing_keys::algorithm.eq(&key.algorithm),
            signing_keys::status.eq(&key.status),
            signing_keys::private_key.eq(&key.private_key),
            signing_keys::public_jwk.eq(&key.public_jwk),
            signing_keys::created_at.eq(to_db_time(key.created_at)),
            signing_keys::activated_at.eq(key.activated_at.map(to_db_time)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Retires the current key of `algorithm` (kept published until `previous_expires_at`) and
/// makes its next key current. Returns false when there was no next key to promote.
pub fn promote_next(
    conn: &mut AnyConnection,
    algorithm: &str,
    now: OffsetDateTime,
    previous_expires_at: OffsetDateTime,
) -> QueryResult<bool> {
    let in_algorithm = signing_keys::algorithm.eq(algorithm);
    diesel::update(signing_keys::table.filter(in_algorithm.and(signing_keys::status.eq(CURRENT))))
        .set((
            signing_keys::status.eq(PREVIOUS),
            signing_keys::retired_at.eq(Some(to_db_time(now))),
            signing_keys::expires_at.eq(Some(to_db_time(previous_expires_at))),
        ))
        .execute(conn)?;
    let promoted = diesel::update(
        signing_keys::table.filter(
            signing_keys::algorithm
                .eq(algorithm)
                .and(signing_keys::status.eq(NEXT)),
        ),
    )
    .set((
        signing_keys::status.eq(CURRENT),
        signing_keys::activated_at.eq(Some(to_db_time(now))),
    ))
    .execute(conn)?;
    Ok(promoted == 1)
}

/// Forgets keys whose every token has expired.
pub fn delete_expired(conn: &mut AnyConnection, now: OffsetDateTime) -> QueryResult<usize> {
    diesel::delete(signing_keys::table.filter(signing_keys::expires_at.le(to_db_time(now))))
        .execute(conn)
}
