//! The accounts table: who a person is and their password hash (the lockout count's writes are
//! in `login_attempts`).

use super::schema::accounts;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// One account as stored.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    /// The stable, opaque identifier given to applications (`sub`); never the e-mail.
    pub subject: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: String,
    pub password_hash: Option<String>,
    pub failed_logins: i32,
    pub email_verified: bool,
    pub created_at: OffsetDateTime,
    pub password_changed_at: Option<OffsetDateTime>,
    pub last_login_at: Option<OffsetDateTime>,
    /// "Always require multi-factor authentication", chosen in My account.
    pub always_mfa: bool,
}

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = accounts)]
pub(super) struct AccountRow {
    id: String,
    subject: String,
    email: String,
    first_name: String,
    last_name: String,
    language: String,
    password_hash: Option<String>,
    failed_logins: i32,
    email_verified: bool,
    created_at: PrimitiveDateTime,
    password_changed_at: Option<PrimitiveDateTime>,
    last_login_at: Option<PrimitiveDateTime>,
    always_mfa: bool,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Account {
        Account {
            id: r.id,
            subject: r.subject,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            language: r.language,
            password_hash: r.password_hash,
            failed_logins: r.failed_logins,
            email_verified: r.email_verified,
            created_at: from_db_time(r.created_at),
            password_changed_at: r.password_changed_at.map(from_db_time),
            last_login_at: r.last_login_at.map(from_db_time),
            always_mfa: r.always_mfa,
        }
    }
}

/// What registration knows of a new person.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub language: String,
}

pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(Account::from))
}

/// The account behind a `sub` given to applications.
pub fn find_by_subject(conn: &mut AnyConnection, subject: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::subject.eq(subject))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(Account::from))
}

pub fn find_by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::id.eq(id))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(Account::from))
}

/// Creates an account without a password (it is set through the e-mailed link). Returns its id.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewAccount,
    now: OffsetDateTime,
) -> QueryResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let subject = infra::crypto::random_token();
    let at = to_db_time(now);
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(&id),
            accounts::subject.eq(&subject),
            accounts::email.eq(&new.email),
            accounts::first_name.eq(&new.first_name),
            accounts::last_name.eq(&new.last_name),
            accounts::language.eq(&new.language),
            accounts::failed_logins.eq(0),
            accounts::email_verified.eq(false),
            accounts::created_at.eq(at),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Sets a new password: this also unblocks the account and proves the address works.
pub fn set_password(
    conn: &mut AnyConnection,
    id: &str,
    hash: &str,
    now: OffsetDateTime,
) -> QueryResult<()> {
    let at = to_db_time(now);
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::password_hash.eq(Some(hash)),
            accounts::failed_logins.eq(0),
            accounts::email_verified.eq(true),
            accounts::password_changed_at.eq(Some(at)),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a hash computed with older parameters, after a successful login.
pub fn replace_password_hash(conn: &mut AnyConnection, id: &str, hash: &str) -> QueryResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set(accounts::password_hash.eq(Some(hash)))
        .execute(conn)?;
    Ok(())
}

pub fn update_profile(
    conn: &mut AnyConnection,
    id: &str,
    first_name: &str,
    last_name: &str,
    language: &str,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::first_name.eq(first_name),
            accounts::last_name.eq(last_name),
            accounts::language.eq(language),
            accounts::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the account to a new, confirmed address. Fails with a unique violation when another
/// account took the address in the meantime.
pub fn update_email(
    conn: &mut AnyConnection,
    id: &str,
    email: &str,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::email.eq(email),
            accounts::email_verified.eq(true),
            accounts::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turns "always require multi-factor authentication" on or off.
pub fn set_always_mfa(
    conn: &mut AnyConnection,
    id: &str,
    on: bool,
    now: OffsetDateTime,
) -> QueryResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::always_mfa.eq(on),
            accounts::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(())
}
