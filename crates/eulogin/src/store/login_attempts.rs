//! The lockout count's writes around one password check: the place taken before the hash, the
//! reset after a correct password, the count read after a wrong one.
//!
//! A login is on the hot path of every application, so on PostgreSQL its two writes are one
//! round trip each, through the server-side functions of migration 2026-12-07-000001
//! (`reserve_password_check`, `record_password_success`): PostgreSQL keeps their plans per
//! connection, where diesel sends every UPDATE to be parsed and planned again. SQLite, in
//! process, runs the same steps as separate statements.

use super::accounts::{self, Account, AccountRow};
use super::audit::{self, Actor, AuditEvent};
use super::schema::accounts as account_columns;
use crate::domain::lockout::MAX_CONSECUTIVE_FAILURES;
use diesel::prelude::*;
use infra::db::{AnyConnection, to_db_time};
use time::OffsetDateTime;

/// An account found for a password check.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// As stored, with the reserved place counted in `failed_logins` when there is one.
    pub account: Account,
    /// One of the five places was taken: the password may be checked. False when the account
    /// is blocked or has no password yet.
    pub reserved: bool,
}

/// What a correct password is audited as, in the same transaction as the reset.
#[derive(Debug, Clone, Copy)]
pub struct SuccessAudit<'a> {
    pub event: AuditEvent,
    pub actor: &'a Actor,
    pub detail: &'a str,
}

/// The account at `email`, if any, with one place of its lockout count taken when it has a
/// password and is not blocked. One round trip on PostgreSQL.
pub fn reserve_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<Attempt>> {
    if let AnyConnection::Postgresql(pg) = conn {
        return reserve_in_one_statement(pg, email);
    }
    let Some(mut account) = accounts::find_by_email(conn, email)? else {
        return Ok(None);
    };
    let reserved = account.password_hash.is_some() && reserve(conn, &account.id)?;
    if reserved {
        account.failed_logins += 1;
    }
    Ok(Some(Attempt { account, reserved }))
}

const RESERVE_SQL: &str = "SELECT * FROM reserve_password_check($1, $2)";

#[derive(QueryableByName)]
struct ReservedRow {
    #[diesel(embed)]
    account: AccountRow,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    reserved: bool,
}

fn reserve_in_one_statement(
    pg: &mut diesel::PgConnection,
    email: &str,
) -> QueryResult<Option<Attempt>> {
    use diesel::sql_types::{Integer, Text};
    let row: Option<ReservedRow> = diesel::sql_query(RESERVE_SQL)
        .bind::<Text, _>(email)
        .bind::<Integer, _>(MAX_CONSECUTIVE_FAILURES)
        .get_result(pg)
        .optional()?;
    Ok(row.map(|r| Attempt {
        account: r.account.into(),
        reserved: r.reserved,
    }))
}

/// Takes one of the five places for a password check of the account `id`, in one atomic
/// statement. False when the account is blocked: the password must not be checked at all then.
pub fn reserve(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    let updated = diesel::update(
        account_columns::table
            .filter(account_columns::id.eq(id))
            .filter(account_columns::failed_logins.lt(MAX_CONSECUTIVE_FAILURES)),
    )
    .set(account_columns::failed_logins.eq(account_columns::failed_logins + 1))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The number of consecutive failures now recorded.
pub fn failed_logins(conn: &mut AnyConnection, id: &str) -> QueryResult<i32> {
    account_columns::table
        .filter(account_columns::id.eq(id))
        .select(account_columns::failed_logins)
        .first(conn)
}

/// A correct password: the reserved place is given back, the count starts again, and `audit`
/// is recorded in the same transaction. One round trip on PostgreSQL.
pub fn record_success(
    conn: &mut AnyConnection,
    id: &str,
    now: OffsetDateTime,
    audit: Option<SuccessAudit<'_>>,
) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        return record_success_in_one_statement(pg, id, now, audit);
    }
    conn.transaction(|c| {
        diesel::update(account_columns::table.filter(account_columns::id.eq(id)))
            .set((
                account_columns::failed_logins.eq(0),
                account_columns::last_login_at.eq(Some(to_db_time(now))),
            ))
            .execute(c)?;
        if let Some(a) = audit {
            audit::record(c, a.event, Some(id), a.actor, a.detail, now)?;
        }
        Ok(())
    })
}

const RECORD_SUCCESS_SQL: &str = "SELECT record_password_success($1, $2, $3, $4, $5, $6, $7)";

fn record_success_in_one_statement(
    pg: &mut diesel::PgConnection,
    id: &str,
    now: OffsetDateTime,
    audit: Option<SuccessAudit<'_>>,
) -> QueryResult<()> {
    use diesel::sql_types::{Nullable, Text, Timestamp};
    diesel::sql_query(RECORD_SUCCESS_SQL)
        .bind::<Text, _>(id)
        .bind::<Timestamp, _>(to_db_time(now))
        .bind::<Text, _>(audit::new_id())
        .bind::<Nullable<Text>, _>(audit.map(|a| a.event.as_str()))
        .bind::<Text, _>(audit.map_or("", |a| a.actor.ip.as_str()))
        .bind::<Text, _>(audit.map_or("", |a| a.actor.user_agent.as_str()))
        .bind::<Text, _>(audit.map_or("", |a| a.detail))
        .execute(pg)?;
    Ok(())
}
