//! The e-mailed links, stored as SHA-256 hashes of their tokens: issued (voiding older links of
//! the same kind), looked up, and consumed exactly once.

use super::schema::account_links;
use crate::domain::links::{LinkPurpose, expiry_for, is_usable};
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// A link that has not been used or superseded.
#[derive(Debug, Clone)]
pub struct Link {
    pub account_id: String,
    pub purpose: LinkPurpose,
    pub new_email: Option<String>,
    pub expires_at: OffsetDateTime,
}

/// Why a link does not work. The page says the same for all of them, but the audit log keeps
/// the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Never issued, already used, or made void by a newer link.
    Unknown,
    Expired,
    WrongPurpose,
}

/// Records a new link for `account_id`; every unused older link of the same group stops
/// working.
pub fn issue(
    conn: &mut AnyConnection,
    account_id: &str,
    purpose: LinkPurpose,
    token_hash: &str,
    new_email: Option<&str>,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::delete(
        account_links::table
            .filter(account_links::account_id.eq(account_id))
            .filter(account_links::purpose.eq_any(purpose.group()))
            .filter(account_links::used_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(account_links::table)
        .values((
            account_links::token_hash.eq(token_hash),
            account_links::account_id.eq(account_id),
            account_links::purpose.eq(purpose.as_str()),
            account_links::new_email.eq(new_email),
            account_links::created_at.eq(to_db_time(now)),
            account_links::expires_at.eq(to_db_time(expiry_for(now))),
        ))
        .execute(conn)?;
    Ok(())
}

type LinkColumns = (String, String, Option<String>, PrimitiveDateTime);

fn load(
    conn: &mut AnyConnection,
    token_hash: &str,
    only_unused: bool,
) -> QueryResult<Option<Link>> {
    let mut query = account_links::table
        .filter(account_links::token_hash.eq(token_hash))
        .select((
            account_links::account_id,
            account_links::purpose,
            account_links::new_email,
            account_links::expires_at,
        ))
        .into_boxed();
    if only_unused {
        query = query.filter(account_links::used_at.is_null());
    }
    let row: Option<LinkColumns> = query.first(conn).optional()?;
    Ok(
        row.and_then(|(account_id, purpose, new_email, expires_at)| {
            Some(Link {
                account_id,
                purpose: LinkPurpose::parse(&purpose)?,
                new_email,
                expires_at: from_db_time(expires_at),
            })
        }),
    )
}

/// Checks a link without using it (to show the form it leads to).
pub fn check(
    conn: &mut AnyConnection,
    token_hash: &str,
    accepted: &[LinkPurpose],
    now: OffsetDateTime,
) -> QueryResult<Result<Link, LinkRefusal>> {
    Ok(match load(conn, token_hash, true)? {
        None => Err(LinkRefusal::Unknown),
        Some(link) if !accepted.contains(&link.purpose) => Err(LinkRefusal::WrongPurpose),
        Some(link) if !is_usable(link.expires_at, now) => Err(LinkRefusal::Expired),
        Some(link) => Ok(link),
    })
}

/// Uses a link: marks it used in one conditional update (so two clicks cannot both win), then
/// checks it. Call inside a transaction, and roll back when it returns a refusal.
pub fn consume(
    conn: &mut AnyConnection,
    token_hash: &str,
    accepted: &[LinkPurpose],
    now: OffsetDateTime,
) -> QueryResult<Result<Link, LinkRefusal>> {
    let claimed = diesel::update(
        account_links::table
            .filter(account_links::token_hash.eq(token_hash))
            .filter(account_links::used_at.is_null()),
    )
    .set(account_links::used_at.eq(Some(to_db_time(now))))
    .execute(conn)?;
    if claimed != 1 {
        return Ok(Err(LinkRefusal::Unknown));
    }
    Ok(match load(conn, token_hash, false)? {
        None => Err(LinkRefusal::Unknown),
        Some(link) if !accepted.contains(&link.purpose) => Err(LinkRefusal::WrongPurpose),
        Some(link) if !is_usable(link.expires_at, now) => Err(LinkRefusal::Expired),
        Some(link) => Ok(link),
    })
}
