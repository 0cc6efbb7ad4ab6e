//! The refresh tokens table: one row per token ever issued (stored as SHA-256), each pointing at
//! its family (the grant). Rotation marks the presented token used and inserts its successor in
//! the same transaction; a used token presented again reveals a copy and revokes the family.

use super::schema::refresh_tokens;
use crate::oidc::grants::UserGrant;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

#[derive(Queryable, Selectable, QueryableByName)]
#[diesel(table_name = refresh_tokens)]
struct Row {
    family_id: String,
    client_id: String,
    account_id: String,
    subject: String,
    scope: String,
    audience: String,
    session_id: String,
    acr: String,
    amr: String,
    auth_time: PrimitiveDateTime,
    expires_at: PrimitiveDateTime,
    family_expires_at: PrimitiveDateTime,
    used_at: Option<PrimitiveDateTime>,
    revoked_at: Option<PrimitiveDateTime>,
}

impl Row {
    fn grant(&self) -> UserGrant {
        UserGrant {
            grant_id: self.family_id.clone(),
            client_id: self.client_id.clone(),
            account_id: self.account_id.clone(),
            subject: self.subject.clone(),
            scope: self.scope.clone(),
            audience: self.audience.clone(),
            sid: self.session_id.clone(),
            acr: self.acr.clone(),
            amr: serde_json::from_str(&self.amr).unwrap_or_default(),
            auth_time: from_db_time(self.auth_time).unix_timestamp(),
        }
    }
}

/// A refresh token found by its hash.
#[derive(Debug, Clone)]
pub struct StoredRefreshToken {
    pub grant: UserGrant,
    pub expires_at: OffsetDateTime,
    pub family_expires_at: OffsetDateTime,
    pub used: bool,
    pub revoked: bool,
}

impl StoredRefreshToken {
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        !self.used && !self.revoked && now < self.expires_at && now < self.family_expires_at
    }
}

impl From<Row> for StoredRefreshToken {
    fn from(r: Row) -> StoredRefreshToken {
        StoredRefreshToken {
            grant: r.grant(),
            expires_at: from_db_time(r.expires_at),
            family_expires_at: from_db_time(r.family_expires_at),
            used: r.used_at.is_some(),
            revoked: r.revoked_at.is_some(),
        }
    }
}

pub fn find(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<StoredRefreshToken>> {
    let row: Option<Row> = refresh_tokens::table
        .find(token_hash)
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(StoredRefreshToken::from))
}

/// Stores a new token of `grant`'s family.
pub fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    grant: &UserGrant,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
    family_expires_at: OffsetDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::family_id.eq(&grant.grant_id),
            refresh_tokens::client_id.eq(&grant.client_id),
            refresh_tokens::account_id.eq(&grant.account_id),
            refresh_tokens::subject.eq(&grant.subject),
            refresh_tokens::scope.eq(&grant.scope),
            refresh_tokens::audience.eq(&grant.audience),
            refresh_tokens::session_id.eq(&grant.sid),
            refresh_tokens::acr.eq(&grant.acr),
            refresh_tokens::amr.eq(serde_json::to_string(&grant.amr).unwrap_or_default()),
            refresh_tokens::auth_time.eq(to_db_time(
                OffsetDateTime::from_unix_timestamp(grant.auth_time).unwrap_or(now),
            )),
            refresh_tokens::offline.eq(grant.is_offline()),
            refresh_tokens::issued_at.eq(to_db_time(now)),
            refresh_tokens::expires_at.eq(to_db_time(expires_at)),
            refresh_tokens::family_expires_at.eq(to_db_time(family_expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was live: it is now used, and its successor is stored.
    Rotated(UserGrant),
    /// The token had already been used or revoked: the family is revoked now.
    Replayed(UserGrant),
    /// Unknown, expired, or issued to another client.
    Refused,
}

/// Marks the token used and stores `new_hash` as its successor, idle lifetime `idle` within the
/// family's absolute lifetime; all of it or nothing. Not to be called inside a transaction: on
/// PostgreSQL the live path is a single statement (one round trip, one commit), on SQLite it
/// opens its own.
pub fn rotate(
    conn: &mut AnyConnection,
    token_hash: &str,
    client_id: &str,
    new_hash: &str,
    now: OffsetDateTime,
    idle: Duration,
) -> QueryResult<Rotation> {
    if let AnyConnection::Postgresql(pg) = &mut *conn {
        if let Some(rotated) =
            rotate_in_one_statement(pg, token_hash, client_id, new_hash, now, idle)?
        {
            return Ok(rotated);
        }
        return not_live(conn, token_hash, client_id, now);
    }
    conn.transaction(|c| {
        if let AnyConnection::Sqlite(sqlite) = &mut *c {
            // Take the write lock first (see infra::db::Database::transaction).
            diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE 0").execute(sqlite)?;
        }
        rotate_in_transaction(c, token_hash, client_id, new_hash, now, idle)
    })
}

/// The live path on PostgreSQL: mark the token used and insert its successor in one statement.
/// `None` when the token was not live (unknown, used, revoked, another client's).
fn rotate_in_one_statement(
    pg: &mut diesel::PgConnection,
    token_hash: &str,
    client_id: &str,
    new_hash: &str,
    now: OffsetDateTime,
    idle: Duration,
) -> QueryResult<Option<Rotation>> {
    use diesel::sql_types::{Text, Timestamp};
    let row: Option<OneStatementRow> = diesel::sql_query(ROTATE_SQL)
        .bind::<Timestamp, _>(to_db_time(now))
        .bind::<Text, _>(token_hash)
        .bind::<Text, _>(client_id)
        .bind::<Text, _>(new_hash)
        .bind::<Timestamp, _>(to_db_time(now + idle))
        .get_result(pg)
        .optional()?;
    Ok(row.map(|r| {
        if r.rotated == 1 {
            Rotation::Rotated(r.token.grant())
        } else {
            Rotation::Refused
        }
    }))
}

/// `rotate_refresh_token` (migration 2026-12-02-000001): the statement as a server-side
/// function, so PostgreSQL plans it once per connection instead of at every refresh.
const ROTATE_SQL: &str = "SELECT * FROM rotate_refresh_token($1, $2, $3, $4, $5)";

#[derive(QueryableByName)]
struct OneStatementRow {
    #[diesel(embed)]
    token: Row,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rotated: i64,
}

/// A token that could not be rotated: a used or revoked one of this client is a replay (the
/// family is revoked); anything else is refused.
fn not_live(
    conn: &mut AnyConnection,
    token_hash: &str,
    client_id: &str,
    now: OffsetDateTime,
) -> QueryResult<Rotation> {
    match find(conn, token_hash)?.filter(|t| t.grant.client_id == client_id) {
        Some(token) => replayed(conn, token, now),
        None => Ok(Rotation::Refused),
    }
}

/// A used or revoked token came back: its family is revoked.
fn replayed(
    conn: &mut AnyConnection,
    token: StoredRefreshToken,
    now: OffsetDateTime,
) -> QueryResult<Rotation> {
    revoke_family(conn, &token.grant.grant_id, now)?;
    Ok(Rotation::Replayed(token.grant))
}

/// The portable path (SQLite), inside a transaction.
fn rotate_in_transaction(
    conn: &mut AnyConnection,
    token_hash: &str,
    client_id: &str,
    new_hash: &str,
    now: OffsetDateTime,
    idle: Duration,
) -> QueryResult<Rotation> {
    // The caller holds SQLite's write lock: reading, then marking, cannot race another use.
    let Some(token) = find(conn, token_hash)?.filter(|t| t.grant.client_id == client_id) else {
        return Ok(Rotation::Refused);
    };
    if token.used || token.revoked {
        return replayed(conn, token, now);
    }
    if !token.is_active(now) {
        return Ok(Rotation::Refused);
    }
    diesel::update(refresh_tokens::table.find(token_hash))
        .set(refresh_tokens::used_at.eq(Some(to_db_time(now))))
        .execute(conn)?;
    let expires_at = (now + idle).min(token.family_expires_at);
    insert(
        conn,
        new_hash,
        &token.grant,
        now,
        expires_at,
        token.family_expires_at,
    )?;
    Ok(Rotation::Rotated(token.grant))
}

/// Revokes every token of a family.
pub fn revoke_family(
    conn: &mut AnyConnection,
    family_id: &str,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(
            refresh_tokens::family_id
                .eq(family_id)
                .and(refresh_tokens::revoked_at.is_null()),
        ),
    )
    .set(refresh_tokens::revoked_at.eq(Some(to_db_time(now))))
    .execute(conn)
}

/// Revokes the refresh tokens of an SSO session that ends, except `offline_access` ones;
/// returns how many.
pub fn revoke_session(
    conn: &mut AnyConnection,
    session_id: &str,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(
            refresh_tokens::session_id
                .eq(session_id)
                .and(refresh_tokens::offline.eq(false))
                .and(refresh_tokens::revoked_at.is_null()),
        ),
    )
    .set(refresh_tokens::revoked_at.eq(Some(to_db_time(now))))
    .execute(conn)
}

/// Forgets tokens whose family has expired (housekeeping).
pub fn delete_expired(conn: &mut AnyConnection, now: OffsetDateTime) -> QueryResult<usize> {
    diesel::delete(
        refresh_tokens::table.filter(refresh_tokens::family_expires_at.le(to_db_time(now))),
    )
    .execute(conn)
}
