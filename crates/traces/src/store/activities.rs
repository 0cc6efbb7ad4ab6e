//! An operator's activities: the activity type, its identifier, validity period (kept in UTC
//! with the time zone it was entered in), dates, address, status, and the responsible
//! authorities assigned to it; and what waits for an authority's decision.

use super::schema::{
    activities, activity_authorities, activity_sections, activity_types, authorities, operators,
};
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use std::collections::HashMap;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// A new activity as checked by the domain rules.
#[derive(Debug, Clone)]
pub struct NewActivityRecord {
    pub activity_code: String,
    pub identifier: Option<String>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_to: Option<OffsetDateTime>,
    pub time_zone: String,
    pub publication_date: Option<Date>,
    pub application_date: Option<Date>,
    /// Index into the operator's addresses (new operator) — see `address_id` otherwise.
    pub address_index: Option<usize>,
    pub authority_codes: Vec<String>,
}

/// An activity with the names a page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActivityView {
    pub id: String,
    pub operator_id: String,
    pub activity_code: String,
    pub activity_name: String,
    pub section_code: String,
    pub section_name: String,
    pub identifier: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_to: Option<OffsetDateTime>,
    pub time_zone: String,
    pub publication_date: Option<Date>,
    pub application_date: Option<Date>,
    pub address_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub authorities: Vec<AssignedAuthority>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AssignedAuthority {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = activities)]
struct ActivityRow {
    id: String,
    operator_id: String,
    activity_code: String,
    identifier: Option<String>,
    valid_from: Option<PrimitiveDateTime>,
    valid_to: Option<PrimitiveDateTime>,
    time_zone: String,
    publication_date: Option<Date>,
    application_date: Option<Date>,
    address_id: Option<String>,
    status: String,
    status_reason: Option<String>,
    created_at: PrimitiveDateTime,
}

/// Writes an activity in status `new` with its responsible authorities, and the operator's
/// facets that the search filters on and its API document. Returns its id. Call inside a
/// transaction.
pub fn insert(
    conn: &mut AnyConnection,
    operator_id: &str,
    new: &NewActivityRecord,
    address_id: Option<String>,
    now: OffsetDateTime,
) -> QueryResult<String> {
    super::operator_documents::lock(conn, operator_id)?;
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(activities::table)
        .values((
            activities::id.eq(&id),
            activities::operator_id.eq(operator_id),
            activities::activity_code.eq(&new.activity_code),
            activities::identifier.eq(&new.identifier),
            activities::valid_from.eq(new.valid_from.map(to_db_time)),
            activities::valid_to.eq(new.valid_to.map(to_db_time)),
            activities::time_zone.eq(&new.time_zone),
            activities::publication_date.eq(new.publication_date),
            activities::application_date.eq(new.application_date),
            activities::address_id.eq(address_id),
            activities::status.eq("new"),
            activities::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    for code in &new.authority_codes {
        diesel::insert_into(activity_authorities::table)
            .values((
                activity_authorities::activity_id.eq(&id),
                activity_authorities::authority_code.eq(code),
            ))
            .execute(conn)?;
    }
    super::operator_facets::refresh(conn, operator_id)?;
    super::operator_documents::refresh(conn, operator_id)?;
    Ok(id)
}

/// An activity row with its type's name, section code and section name.
type ActivityJoined = (ActivityRow, String, String, String);
/// (activity id, authority code, name, kind) of an assigned authority.
type AssignedRow = (String, String, String, String);

/// The activities of these operators, with their names and assigned authorities, by operator.
pub fn of_operators(
    conn: &mut AnyConnection,
    operator_ids: &[String],
) -> QueryResult<HashMap<String, Vec<ActivityView>>> {
    if operator_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<ActivityJoined> = activities::table
        .inner_join(activity_types::table.inner_join(activity_sections::table))
        .filter(activities::operator_id.eq_any(operator_ids))
        .order((
            activities::operator_id,
            activities::created_at,
            activities::id,
        ))
        .select((
            ActivityRow::as_select(),
            activity_types::name,
            activity_types::section_code,
            activity_sections::name,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|(r, ..)| r.id.as_str()).collect();
    let assigned: Vec<AssignedRow> = activity_authorities::table
        .inner_join(authorities::table)
        .filter(activity_authorities::activity_id.eq_any(&ids))
        .select((
            activity_authorities::activity_id,
            authorities::code,
            authorities::name,
            authorities::kind,
        ))
        .load(conn)?;
    Ok(assemble(rows, assigned))
}

/// The activities of one operator with their assigned authorities, in one query. This is on
/// the path of every read of an operator: the query filters on one operator id (no `IN` list),
/// so it stays prepared, runs on the backend's own connection ([`infra::on_backend`]) and
/// follows the index by operator and creation without sorting (the few authorities of each
/// activity are put in order here).
pub fn of_operator(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<Vec<ActivityView>> {
    type Authority = (String, String, String);
    let joined: Vec<(ActivityRow, String, String, String, Option<Authority>)> =
        infra::on_backend!(conn, |c| activities::table
            .inner_join(activity_types::table.inner_join(activity_sections::table))
            // Flat joins: SQLite would run a parenthesised join on the right for each row.
            .left_join(activity_authorities::table)
            .left_join(
                authorities::table.on(activity_authorities::authority_code.eq(authorities::code)),
            )
            .filter(activities::operator_id.eq(operator_id))
            .order((activities::created_at, activities::id))
            .select((
                ActivityRow::as_select(),
                activity_types::name,
                activity_types::section_code,
                activity_sections::name,
                (authorities::code, authorities::name, authorities::kind).nullable(),
            ))
            .load(c)?);
    // One row per assigned authority: an activity's rows are next to each other.
    let mut rows: Vec<ActivityJoined> = Vec::with_capacity(joined.len());
    let mut assigned: Vec<AssignedRow> = Vec::with_capacity(joined.len());
    for (row, type_name, section_code, section_name, authority) in joined {
        if let Some((code, name, kind)) = authority {
            assigned.push((row.id.clone(), code, name, kind));
        }
        if rows.last().is_none_or(|(last, ..)| last.id != row.id) {
            rows.push((row, type_name, section_code, section_name));
        }
    }
    Ok(assemble(rows, assigned)
        .remove(operator_id)
        .unwrap_or_default())
}

/// Activities by operator, in the order of `rows`, each with its assigned authorities by name
/// (sorted here, the same way on both backends, whatever the database's collation).
fn assemble(
    rows: Vec<ActivityJoined>,
    mut assigned: Vec<AssignedRow>,
) -> HashMap<String, Vec<ActivityView>> {
    assigned.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    let mut by_activity: HashMap<String, Vec<AssignedAuthority>> = HashMap::new();
    for (activity_id, code, name, kind) in assigned {
        by_activity
            .entry(activity_id)
            .or_default()
            .push(AssignedAuthority { code, name, kind });
    }
    let mut by_operator: HashMap<String, Vec<ActivityView>> = HashMap::new();
    for (row, activity_name, section_code, section_name) in rows {
        let authorities = by_activity.remove(&row.id).unwrap_or_default();
        by_operator
            .entry(row.operator_id.clone())
            .or_default()
            .push(ActivityView {
                id: row.id,
                operator_id: row.operator_id,
                activity_code: row.activity_code,
                activity_name,
                section_code,
                section_name,
                identifier: row.identifier,
                valid_from: row.valid_from.map(from_db_time),
                valid_to: row.valid_to.map(from_db_time),
                time_zone: row.time_zone,
                publication_date: row.publication_date,
                application_date: row.application_date,
                address_id: row.address_id,
                status: row.status,
                status_reason: row.status_reason,
                created_at: from_db_time(row.created_at),
                authorities,
            });
    }
    by_operator
}

/// The operator an activity belongs to and its status.
pub fn owner_and_status(
    conn: &mut AnyConnection,
    activity_id: &str,
) -> QueryResult<Option<(String, String)>> {
    activities::table
        .filter(activities::id.eq(activity_id))
        .select((activities::operator_id, activities::status))
        .first(conn)
        .optional()
}

/// Sets an activity's status after an authority's decision, and its operator's API document.
/// Call inside a transaction.
pub fn set_status(
    conn: &mut AnyConnection,
    activity_id: &str,
    status: &str,
    reason: Option<&str>,
    decided_by: &str,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    let Some(operator_id) = activities::table
        .filter(activities::id.eq(activity_id))
        .select(activities::operator_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(0);
    };
    super::operator_documents::lock(conn, &operator_id)?;
    let changed = diesel::update(activities::table.filter(activities::id.eq(activity_id)))
        .set((
            activities::status.eq(status),
            activities::status_reason.eq(reason),
            activities::decided_by.eq(decided_by),
            activities::decided_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    super::operator_documents::refresh(conn, &operator_id)?;
    Ok(changed)
}

/// The authorities assigned to any activity of the operator: those responsible for it.
pub fn responsible_authorities(
    conn: &mut AnyConnection,
    operator_id: &str,
) -> QueryResult<Vec<String>> {
    activity_authorities::table
        .inner_join(activities::table)
        .filter(activities::operator_id.eq(operator_id))
        .select(activity_authorities::authority_code)
        .distinct()
        .load(conn)
}

/// The authorities assigned to one activity.
pub fn authorities_of_activity(
    conn: &mut AnyConnection,
    activity_id: &str,
) -> QueryResult<Vec<String>> {
    activity_authorities::table
        .filter(activity_authorities::activity_id.eq(activity_id))
        .select(activity_authorities::authority_code)
        .load(conn)
}

/// What waits for these authorities: the ids of operators in status `requested` and of
/// operators with an activity in status `new`, where the activity is assigned to one of them;
/// oldest first.
pub fn operators_waiting_for(
    conn: &mut AnyConnection,
    authority_codes: &[String],
    limit: i64,
) -> QueryResult<Vec<String>> {
    if authority_codes.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, PrimitiveDateTime)> = activity_authorities::table
        .inner_join(activities::table.inner_join(operators::table))
        .filter(activity_authorities::authority_code.eq_any(authority_codes))
        .filter(
            operators::status
                .eq("requested")
                .or(activities::status.eq("new")),
        )
        .filter(operators::status.ne("rejected"))
        .select((operators::id, activities::created_at))
        .order(activities::created_at)
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter_map(|(id, _)| seen.insert(id.clone()).then_some(id))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect())
}
