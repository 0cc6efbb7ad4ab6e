//! Memberships: a user's role in an organisation (an operator or an authority) and its status.
//! Requesting is idempotent: the partial unique index on open memberships means a second request
//! for the same organisation finds the pending (or valid) one instead of adding a duplicate.

use super::schema::{authorities, memberships, operators, users};
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, is_unique_violation, to_db_time};
use time::{OffsetDateTime, PrimitiveDateTime};

/// The organisation a membership is in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Organisation {
    Operator(String),
    Authority(String),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Membership {
    pub id: String,
    pub user_id: String,
    pub organisation: Organisation,
    /// The operator's or authority's name.
    pub organisation_name: String,
    pub role: String,
    pub status: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

impl Membership {
    pub fn is_valid(&self) -> bool {
        self.status == "valid"
    }

    pub fn operator_id(&self) -> Option<&str> {
        match &self.organisation {
            Organisation::Operator(id) => Some(id),
            Organisation::Authority(_) => None,
        }
    }

    pub fn authority_code(&self) -> Option<&str> {
        match &self.organisation {
            Organisation::Authority(code) => Some(code),
            Organisation::Operator(_) => None,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = memberships)]
struct MembershipRow {
    id: String,
    user_id: String,
    operator_id: Option<String>,
    authority_code: Option<String>,
    role: String,
    status: String,
    reason: Option<String>,
    requested_at: PrimitiveDateTime,
    decided_at: Option<PrimitiveDateTime>,
}

type Joined = (MembershipRow, Option<String>, Option<String>);

fn to_membership((row, operator_name, authority_name): Joined) -> Membership {
    let organisation = match (row.operator_id, row.authority_code) {
        (Some(id), _) => Organisation::Operator(id),
        (None, code) => Organisation::Authority(code.unwrap_or_default()),
    };
    Membership {
        id: row.id,
        user_id: row.user_id,
        organisation,
        organisation_name: operator_name.or(authority_name).unwrap_or_default(),
        role: row.role,
        status: row.status,
        reason: row.reason,
        requested_at: from_db_time(row.requested_at),
        decided_at: row.decided_at.map(from_db_time),
    }
}

macro_rules! joined {
    () => {
        memberships::table
            .left_join(operators::table)
            .left_join(authorities::table)
            .select((
                MembershipRow::as_select(),
                operators::name.nullable(),
                authorities::name.nullable(),
            ))
    };
}

/// The user of (`issuer`, `subject`) with every membership of theirs, newest first, in one
/// query on the backend's own connection (see [`infra::on_backend`]): what every API call
/// starts with. `None` when this person never logged in to traces.
pub fn user_with_memberships(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<(super::users::User, Vec<Membership>)>> {
    type Row = (
        super::users::UserRow,
        Option<MembershipRow>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = infra::on_backend!(conn, |c| users::table
        // Flat joins: SQLite would run a parenthesised join on the right for every user.
        .left_join(memberships::table)
        .left_join(operators::table.on(memberships::operator_id.eq(operators::id.nullable())))
        .left_join(
            authorities::table.on(memberships::authority_code.eq(authorities::code.nullable())),
        )
        .filter(users::issuer.eq(issuer))
        .filter(users::subject.eq(subject))
        .order(memberships::requested_at.desc())
        .select((
            super::users::UserRow::as_select(),
            Option::<MembershipRow>::as_select(),
            operators::name.nullable(),
            authorities::name.nullable(),
        ))
        .load(c)?);
    let mut user = None;
    let mut memberships = Vec::with_capacity(rows.len());
    for (user_row, row, operator_name, authority_name) in rows {
        if user.is_none() {
            user = Some(super::users::User::from(user_row));
        }
        if let Some(row) = row {
            memberships.push(to_membership((row, operator_name, authority_name)));
        }
    }
    Ok(user.map(|user| (user, memberships)))
}

/// Every membership of a user, newest first (read at every API call: on the backend's own
/// connection, see [`infra::on_backend`]).
pub fn of_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<Membership>> {
    let rows = infra::on_backend!(conn, |c| joined!()
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::requested_at.desc())
        .load::<Joined>(c)?);
    Ok(rows.into_iter().map(to_membership).collect())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Membership>> {
    Ok(joined!()
        .filter(memberships::id.eq(id))
        .first::<Joined>(conn)
        .optional()?
        .map(to_membership))
}

/// A member of an organisation as its administrators see them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    pub membership: Membership,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub language: String,
}

type MemberRow = (
    MembershipRow,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn to_member(
    (row, operator_name, authority_name, email, given_name, family_name, language): MemberRow,
) -> Member {
    Member {
        membership: to_membership((row, operator_name, authority_name)),
        email,
        given_name,
        family_name,
        language,
    }
}

macro_rules! members {
    () => {
        memberships::table
            .inner_join(users::table.on(users::id.eq(memberships::user_id)))
            .left_join(operators::table)
            .left_join(authorities::table)
            .select((
                MembershipRow::as_select(),
                operators::name.nullable(),
                authorities::name.nullable(),
                users::email,
                users::given_name,
                users::family_name,
                users::language,
            ))
    };
}

/// The memberships of an operator with `status` (any when `None`), oldest first.
pub fn of_operator(
    conn: &mut AnyConnection,
    operator_id: &str,
    status: Option<&str>,
) -> QueryResult<Vec<Member>> {
    let mut query = members!()
        .filter(memberships::operator_id.eq(operator_id))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(memberships::status.eq(status.to_owned()));
    }
    Ok(query
        .order(memberships::requested_at)
        .load::<MemberRow>(conn)?
        .into_iter()
        .map(to_member)
        .collect())
}

/// The memberships of an authority with `status` (any when `None`), oldest first.
pub fn of_authority(
    conn: &mut AnyConnection,
    authority_code: &str,
    status: Option<&str>,
) -> QueryResult<Vec<Member>> {
    let mut query = members!()
        .filter(memberships::authority_code.eq(authority_code))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(memberships::status.eq(status.to_owned()));
    }
    Ok(query
        .order(memberships::requested_at)
        .load::<MemberRow>(conn)?
        .into_iter()
        .map(to_member)
        .collect())
}

/// The valid officers of an authority (for e-mails).
pub fn officers_of(conn: &mut AnyConnection, authority_code: &str) -> QueryResult<Vec<Member>> {
    Ok(members!()
        .filter(memberships::authority_code.eq(authority_code))
        .filter(memberships::status.eq("valid"))
        .load::<MemberRow>(conn)?
        .into_iter()
        .map(to_member)
        .collect())
}

/// The open (pending or valid) membership of a user in an organisation.
pub fn open_membership(
    conn: &mut AnyConnection,
    user_id: &str,
    organisation: &Organisation,
) -> QueryResult<Option<Membership>> {
    let query = joined!()
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::status.eq_any(["pending", "valid"]))
        .into_boxed();
    let query = match organisation {
        Organisation::Operator(id) => query.filter(memberships::operator_id.eq(id.clone())),
        Organisation::Authority(code) => query.filter(memberships::authority_code.eq(code.clone())),
    };
    Ok(query.first::<Joined>(conn).optional()?.map(to_membership))
}

/// Whether a request made a new membership or found the open one.
#[derive(Debug, Clone)]
pub enum Requested {
    Created(Membership),
    AlreadyOpen(Membership),
}

impl Requested {
    pub fn membership(&self) -> &Membership {
        match self {
            Requested::Created(m) | Requested::AlreadyOpen(m) => m,
        }
    }
}

/// Asks for a membership; when one is already open (another tab, a double click), returns it.
/// Run inside a transaction.
pub fn request(
    conn: &mut AnyConnection,
    user_id: &str,
    organisation: &Organisation,
    role: &str,
    status: &str,
    now: OffsetDateTime,
) -> QueryResult<Requested> {
    if let Some(open) = open_membership(conn, user_id, organisation)? {
        return Ok(Requested::AlreadyOpen(open));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let (operator_id, authority_code) = match organisation {
        Organisation::Operator(id) => (Some(id.clone()), None),
        Organisation::Authority(code) => (None, Some(code.clone())),
    };
    // In a savepoint: when a concurrent request won the race, the unique index refuses this
    // insert, the savepoint rolls back (PostgreSQL would otherwise abort the whole
    // transaction) and the winner's membership is returned.
    let inserted = conn.transaction(|c| {
        diesel::insert_into(memberships::table)
            .values((
                memberships::id.eq(&id),
                memberships::user_id.eq(user_id),
                memberships::operator_id.eq(operator_id),
                memberships::authority_code.eq(authority_code),
                memberships::role.eq(role),
                memberships::status.eq(status),
                memberships::requested_at.eq(to_db_time(now)),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return match open_membership(conn, user_id, organisation)? {
                Some(open) => Ok(Requested::AlreadyOpen(open)),
                None => Err(e),
            };
        }
        Err(e) => return Err(e),
    }
    let created = find(conn, &id)?.ok_or(diesel::result::Error::NotFound)?;
    Ok(Requested::Created(created))
}

/// Records a decision on a membership: its new status and role, the reason and who decided.
pub fn decide(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    role: &str,
    reason: Option<&str>,
    decided_by: &str,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::update(memberships::table.filter(memberships::id.eq(id)))
        .set((
            memberships::status.eq(status),
            memberships::role.eq(role),
            memberships::reason.eq(reason),
            memberships::decided_by.eq(decided_by),
            memberships::decided_at.eq(to_db_time(now)),
        ))
        .execute(conn)
}

/// The number of valid administrators of an operator.
pub fn administrator_count(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::operator_id.eq(operator_id))
        .filter(memberships::role.eq("administrator"))
        .filter(memberships::status.eq("valid"))
        .count()
        .get_result(conn)
}

/// The officer memberships of one authority, or of every authority, in any status: by
/// authority code, then oldest first.
pub fn officers(
    conn: &mut AnyConnection,
    authority_code: Option<&str>,
) -> QueryResult<Vec<Member>> {
    let mut query = members!()
        .filter(memberships::authority_code.is_not_null())
        .filter(memberships::role.eq("officer"))
        .into_boxed();
    if let Some(code) = authority_code {
        query = query.filter(memberships::authority_code.eq(code.to_owned()));
    }
    Ok(query
        .order((memberships::authority_code, memberships::requested_at))
        .load::<MemberRow>(conn)?
        .into_iter()
        .map(to_member)
        .collect())
}

/// Makes an open membership valid without a deciding user: a grant made with the command line
/// (the audit entry says so). `decided_by` stays empty since no user decided.
pub fn validate_without_decider(
    conn: &mut AnyConnection,
    id: &str,
    role: &str,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::update(memberships::table.filter(memberships::id.eq(id)))
        .set((
            memberships::status.eq("valid"),
            memberships::role.eq(role),
            memberships::reason.eq(None::<String>),
            memberships::decided_at.eq(to_db_time(now)),
        ))
        .execute(conn)
}
