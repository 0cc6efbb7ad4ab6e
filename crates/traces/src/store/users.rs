//! The users table: a person as eulogin knows them, keyed by (`issuer`, `subject`) and never by
//! e-mail (an address changes hands; a subject does not). The e-mail, names and language are
//! copies refreshed at each login, for display and mail; `last_seen_at` and `deactivated_at`
//! drive the four-month inactivity rule.

use super::schema::users;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, is_unique_violation, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// One user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    /// A language code of `crate::i18n::Lang` (`en` when eulogin gave none we speak).
    pub language: String,
    pub is_system_admin: bool,
    pub current_membership_id: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub inactivity_warned_at: Option<OffsetDateTime>,
    pub deactivated_at: Option<OffsetDateTime>,
}

impl User {
    /// The name shown in the header of every page.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.given_name, self.family_name);
        match name.trim() {
            "" => self.email.clone(),
            trimmed => trimmed.to_owned(),
        }
    }

    pub fn is_deactivated(&self) -> bool {
        self.deactivated_at.is_some()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(super) struct UserRow {
    id: String,
    issuer: String,
    subject: String,
    email: String,
    given_name: String,
    family_name: String,
    language: String,
    is_system_admin: bool,
    current_membership_id: Option<String>,
    created_at: PrimitiveDateTime,
    last_seen_at: PrimitiveDateTime,
    inactivity_warned_at: Option<PrimitiveDateTime>,
    deactivated_at: Option<PrimitiveDateTime>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            issuer: r.issuer,
            subject: r.subject,
            email: r.email,
            given_name: r.given_name,
            family_name: r.family_name,
            language: r.language,
            is_system_admin: r.is_system_admin,
            current_membership_id: r.current_membership_id,
            created_at: from_db_time(r.created_at),
            last_seen_at: from_db_time(r.last_seen_at),
            inactivity_warned_at: r.inactivity_warned_at.map(from_db_time),
            deactivated_at: r.deactivated_at.map(from_db_time),
        }
    }
}

/// Who eulogin says logged in: the key and the copies refreshed at each login.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
        .map(|r| r.map(User::from))
}

pub fn find_by_subject(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<User>> {
    let row = infra::on_backend!(conn, |c| users::table
        .filter(users::issuer.eq(issuer))
        .filter(users::subject.eq(subject))
        .select(UserRow::as_select())
        .first(c)
        .optional()?);
    Ok(row.map(User::from))
}

/// Records that the user was seen at `now` (one indexed single-row update).
pub fn touch_last_seen(conn: &mut AnyConnection, id: &str, now: OffsetDateTime) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(id)))
        .set(users::last_seen_at.eq(to_db_time(now)))
        .execute(conn)?;
    Ok(())
}

/// The copies from a login, and `now` as the last use, except for a deactivated user: their
/// login does not let them use traces, so it is no use (the inactivity rules and the
/// administrators' lists keep the time of their last real use).
fn refresh(conn: &mut AnyConnection, who: &Identity, now: OffsetDateTime) -> QueryResult<usize> {
    let seen = diesel::dsl::case_when::<_, _, diesel::sql_types::Timestamp>(
        users::deactivated_at.is_null(),
        to_db_time(now),
    )
    .otherwise(users::last_seen_at);
    diesel::update(
        users::table
            .filter(users::issuer.eq(&who.issuer))
            .filter(users::subject.eq(&who.subject)),
    )
    .set((
        users::email.eq(&who.email),
        users::given_name.eq(&who.given_name),
        users::family_name.eq(&who.family_name),
        users::language.eq(&who.language),
        users::last_seen_at.eq(seen),
    ))
    .execute(conn)
}

/// At each login: the user of (`issuer`, `subject`) with the copies refreshed, created on the
/// first login. Statements without an explicit transaction, so that two first logins of the
/// same person at once (a unique violation for the second insert) end in one row on both
/// backends: the loser updates the winner's row.
pub fn upsert_from_login(
    conn: &mut AnyConnection,
    who: &Identity,
    now: OffsetDateTime,
) -> QueryResult<User> {
    if refresh(conn, who, now)? == 0 {
        match insert(conn, who, now) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                refresh(conn, who, now)?;
            }
            Err(e) => return Err(e),
        }
    }
    find_by_subject(conn, &who.issuer, &who.subject)?.ok_or(diesel::result::Error::NotFound)
}

/// A person entered with the command line (demo officers, the first administrator), before
/// their first login: `last_seen_at` starts now, so the inactivity rule counts from here.
pub fn create(conn: &mut AnyConnection, who: &Identity, now: OffsetDateTime) -> QueryResult<User> {
    let id = insert(conn, who, now)?;
    find(conn, &id)?.ok_or(diesel::result::Error::NotFound)
}

/// Writes a new user of `who`, seen `now` for the first time; returns their id.
fn insert(conn: &mut AnyConnection, who: &Identity, now: OffsetDateTime) -> QueryResult<String> {
    let at = to_db_time(now);
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::issuer.eq(&who.issuer),
            users::subject.eq(&who.subject),
            users::email.eq(&who.email),
            users::given_name.eq(&who.given_name),
            users::family_name.eq(&who.family_name),
            users::language.eq(&who.language),
            users::is_system_admin.eq(false),
            users::created_at.eq(at),
            users::last_seen_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Replaces the copies of a user's e-mail, names and language (the next login refreshes them
/// again from eulogin); `last_seen_at` is left alone.
pub fn update_details(
    conn: &mut AnyConnection,
    id: &str,
    email: &str,
    given_name: &str,
    family_name: &str,
    language: &str,
) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::email.eq(email),
            users::given_name.eq(given_name),
            users::family_name.eq(family_name),
            users::language.eq(language),
        ))
        .execute(conn)
}

/// Makes a user a system administrator, or no longer one.
pub fn set_system_admin(conn: &mut AnyConnection, id: &str, admin: bool) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::id.eq(id)))
        .set(users::is_system_admin.eq(admin))
        .execute(conn)
}

/// The system administrators, by e-mail.
pub fn system_admins(conn: &mut AnyConnection) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::is_system_admin.eq(true))
        .order((users::email.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)
        .map(|rows| rows.into_iter().map(User::from).collect())
}
