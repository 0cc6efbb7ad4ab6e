//! Operators as stored: the operator row with its addresses and identifiers, read whole for
//! its page, written whole when it is created (with its first activity, in the caller's
//! transaction), and its status changed by an authority's decision.

use super::activities::{self, ActivityView, NewActivityRecord};
use super::operator_documents;
use super::schema::{countries, operator_addresses, operator_identifiers, operators};
use crate::domain::notifications::{Capability, notification_capabilities};
use crate::domain::status::ActivityStatus;
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time, to_db_time};
use std::collections::HashMap;
use time::{OffsetDateTime, PrimitiveDateTime};

/// An operator with everything its page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperatorView {
    pub id: String,
    pub organisation_type: String,
    pub name: String,
    pub country_code: String,
    pub country_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub addresses: Vec<AddressView>,
    pub identifiers: Vec<IdentifierView>,
    pub activities: Vec<ActivityView>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = operator_addresses)]
pub struct AddressView {
    pub id: String,
    #[serde(skip)]
    pub position: i32,
    pub region: Option<String>,
    pub city: String,
    pub address: String,
    pub postal_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl AddressView {
    /// One line for lists: "Address, postal code City (Region)".
    pub fn one_line(&self) -> String {
        let mut line = self.address.clone();
        let place = match &self.postal_code {
            Some(code) if !code.is_empty() => format!("{code} {}", self.city),
            _ => self.city.clone(),
        };
        line.push_str(", ");
        line.push_str(&place);
        if let Some(region) = self.region.as_deref().filter(|r| !r.is_empty()) {
            line.push_str(&format!(" ({region})"));
        }
        line
    }
}

#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = operator_identifiers)]
pub struct IdentifierView {
    #[serde(skip)]
    pub id: String,
    pub kind: String,
    pub country_code: String,
    pub value: String,
    #[serde(skip)]
    pub normalized: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = operators)]
struct OperatorRow {
    id: String,
    organisation_type: String,
    name: String,
    country_code: String,
    phone: Option<String>,
    email: Option<String>,
    status: String,
    status_reason: Option<String>,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

/// A new operator as checked by the domain rules, ready to be written.
#[derive(Debug, Clone)]
pub struct NewOperatorRecord {
    pub organisation_type: String,
    pub name: String,
    pub country_code: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub addresses: Vec<NewAddressRecord>,
    pub identifiers: Vec<NewIdentifierRecord>,
}

#[derive(Debug, Clone)]
pub struct NewAddressRecord {
    pub region: Option<String>,
    pub city: String,
    pub address: String,
    pub postal_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct NewIdentifierRecord {
    pub kind: String,
    pub value: String,
    pub normalized: String,
}

/// The ids given to a new operator's parts, for the audit log and the redirect.
#[derive(Debug, Clone)]
pub struct CreatedOperator {
    pub operator_id: String,
    pub address_ids: Vec<String>,
    pub activity_id: String,
}

/// The text the free-text search looks in: name, addresses and identifiers, lower-cased.
pub fn search_text(new: &NewOperatorRecord) -> String {
    let mut parts = vec![new.name.clone()];
    for a in &new.addresses {
        parts.extend(
            [
                a.region.clone(),
                Some(a.city.clone()),
                Some(a.address.clone()),
                a.postal_code.clone(),
            ]
            .into_iter()
            .flatten(),
        );
    }
    for i in &new.identifiers {
        parts.push(i.value.clone());
        parts.push(i.normalized.clone());
    }
    parts.join(" ").to_lowercase()
}

/// Writes a new operator in status `requested` with its addresses, identifiers and first
/// activity (status `new`, with its responsible authorities). Call inside a transaction.
/// `activity.address_index` picks one of `new.addresses`.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewOperatorRecord,
    activity: &NewActivityRecord,
    created_by: &str,
    now: OffsetDateTime,
) -> QueryResult<CreatedOperator> {
    let operator_id = uuid::Uuid::now_v7().to_string();
    let at = to_db_time(now);
    diesel::insert_into(operators::table)
        .values((
            operators::id.eq(&operator_id),
            operators::organisation_type.eq(&new.organisation_type),
            operators::name.eq(&new.name),
            operators::country_code.eq(&new.country_code),
            operators::phone.eq(&new.phone),
            operators::email.eq(&new.email),
            operators::status.eq("requested"),
            operators::search_text.eq(search_text(new)),
            operators::created_by.eq(created_by),
            operators::created_at.eq(at),
            operators::updated_at.eq(at),
        ))
        .execute(conn)?;
    let mut address_ids = Vec::with_capacity(new.addresses.len());
    for (position, a) in new.addresses.iter().enumerate() {
        let id = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(operator_addresses::table)
            .values((
                operator_addresses::id.eq(&id),
                operator_addresses::operator_id.eq(&operator_id),
                operator_addresses::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                operator_addresses::region.eq(&a.region),
                operator_addresses::city.eq(&a.city),
                operator_addresses::address.eq(&a.address),
                operator_addresses::postal_code.eq(&a.postal_code),
                operator_addresses::latitude.eq(a.latitude),
                operator_addresses::longitude.eq(a.longitude),
            ))
            .execute(conn)?;
        address_ids.push(id);
    }
    for i in &new.identifiers {
        diesel::insert_into(operator_identifiers::table)
            .values((
                operator_identifiers::id.eq(uuid::Uuid::now_v7().to_string()),
                operator_identifiers::operator_id.eq(&operator_id),
                operator_identifiers::kind.eq(&i.kind),
                operator_identifiers::country_code.eq(&new.country_code),
                operator_identifiers::value.eq(&i.value),
                operator_identifiers::normalized.eq(&i.normalized),
            ))
            .execute(conn)?;
    }
    let address_id = activity
        .address_index
        .and_then(|i| address_ids.get(i))
        .cloned();
    let activity_id = activities::insert(conn, &operator_id, activity, address_id, now)?;
    Ok(CreatedOperator {
        operator_id,
        address_ids,
        activity_id,
    })
}

/// The operator identified by `kind`, country and normalised value, if one exists.
pub fn find_by_identifier(
    conn: &mut AnyConnection,
    kind: &str,
    country_code: &str,
    normalized: &str,
) -> QueryResult<Option<String>> {
    operator_identifiers::table
        .filter(operator_identifiers::kind.eq(kind))
        .filter(operator_identifiers::country_code.eq(country_code))
        .filter(operator_identifiers::normalized.eq(normalized))
        .select(operator_identifiers::operator_id)
        .first(conn)
        .optional()
}

/// The operator with its addresses, identifiers and activities (the read behind every
/// operator page and API read: each query on the backend's own connection, see
/// [`infra::on_backend`]).
pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<OperatorView>> {
    let found = infra::on_backend!(&mut *conn, |c| {
        let Some((row, country_name)) = operators::table
            .inner_join(countries::table)
            .filter(operators::id.eq(id))
            .select((OperatorRow::as_select(), countries::name))
            .first::<(OperatorRow, String)>(c)
            .optional()?
        else {
            return Ok(None);
        };
        let addresses = operator_addresses::table
            .filter(operator_addresses::operator_id.eq(id))
            .order(operator_addresses::position)
            .select(AddressView::as_select())
            .load(c)?;
        let identifiers = operator_identifiers::table
            .filter(operator_identifiers::operator_id.eq(id))
            .order((operator_identifiers::kind, operator_identifiers::value))
            .select(IdentifierView::as_select())
            .load(c)?;
        (row, country_name, addresses, identifiers)
    });
    let (row, country_name, addresses, identifiers) = found;
    let activities = activities::of_operator(conn, id)?;
    Ok(Some(view_of(
        row,
        country_name,
        addresses,
        identifiers,
        activities,
    )))
}

/// The operators of `ids` (those that exist), each as [`find`] reads it, in four queries for
/// the lot: for work over many operators (building their API documents).
pub fn views_of(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<OperatorView>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(OperatorRow, String)> = operators::table
        .inner_join(countries::table)
        .filter(operators::id.eq_any(ids))
        .order(operators::id)
        .select((OperatorRow::as_select(), countries::name))
        .load(conn)?;
    let mut addresses: HashMap<String, Vec<AddressView>> = HashMap::new();
    for (operator_id, address) in operator_addresses::table
        .filter(operator_addresses::operator_id.eq_any(ids))
        .order((
            operator_addresses::operator_id,
            operator_addresses::position,
        ))
        .select((operator_addresses::operator_id, AddressView::as_select()))
        .load::<(String, AddressView)>(conn)?
    {
        addresses.entry(operator_id).or_default().push(address);
    }
    let mut identifiers: HashMap<String, Vec<IdentifierView>> = HashMap::new();
    for (operator_id, identifier) in operator_identifiers::table
        .filter(operator_identifiers::operator_id.eq_any(ids))
        .order((
            operator_identifiers::operator_id,
            operator_identifiers::kind,
            operator_identifiers::value,
        ))
        .select((
            operator_identifiers::operator_id,
            IdentifierView::as_select(),
        ))
        .load::<(String, IdentifierView)>(conn)?
    {
        identifiers.entry(operator_id).or_default().push(identifier);
    }
    let mut activities = activities::of_operators(conn, ids)?;
    Ok(rows
        .into_iter()
        .map(|(row, country_name)| {
            let addresses = addresses.remove(&row.id).unwrap_or_default();
            let identifiers = identifiers.remove(&row.id).unwrap_or_default();
            let activities = activities.remove(&row.id).unwrap_or_default();
            view_of(row, country_name, addresses, identifiers, activities)
        })
        .collect())
}

fn view_of(
    row: OperatorRow,
    country_name: String,
    addresses: Vec<AddressView>,
    identifiers: Vec<IdentifierView>,
    activities: Vec<ActivityView>,
) -> OperatorView {
    OperatorView {
        id: row.id,
        organisation_type: row.organisation_type,
        name: row.name,
        country_code: row.country_code,
        country_name,
        phone: row.phone,
        email: row.email,
        status: row.status,
        status_reason: row.status_reason,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
        addresses,
        identifiers,
        activities,
    }
}

impl OperatorView {
    /// What the operator may notify, from its activities' types and statuses
    /// (`domain::notifications`). An activity in a status this version does not know counts as
    /// not valid (it is left out).
    pub fn notification_capabilities(&self) -> Vec<Capability> {
        let held: Vec<(&str, ActivityStatus)> = self
            .activities
            .iter()
            .filter_map(|a| {
                Some((
                    a.activity_code.as_str(),
                    ActivityStatus::parse(&a.status).ok()?,
                ))
            })
            .collect();
        notification_capabilities(&held)
    }

    /// The authorities responsible for the operator: those assigned to any of its activities
    /// (as `activities::responsible_authorities` reads them), without another query.
    pub fn responsible_authority_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .activities
            .iter()
            .flat_map(|a| a.authorities.iter().map(|x| x.code.clone()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}

/// The ids of the operator's addresses, in their order (activities refer to one by position
/// on the forms).
pub fn address_ids(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<Vec<String>> {
    operator_addresses::table
        .filter(operator_addresses::operator_id.eq(operator_id))
        .order(operator_addresses::position)
        .select(operator_addresses::id)
        .load(conn)
}

/// The operator's name and status only (for checks and e-mails).
pub fn name_and_status(
    conn: &mut AnyConnection,
    id: &str,
) -> QueryResult<Option<(String, String)>> {
    operators::table
        .filter(operators::id.eq(id))
        .select((operators::name, operators::status))
        .first(conn)
        .optional()
}

/// Sets the operator's status (and the reason, cleared when `None`), and its API document.
/// Call inside a transaction.
pub fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    reason: Option<&str>,
    now: OffsetDateTime,
) -> QueryResult<usize> {
    // The update takes the operator's row lock, as `operator_documents::lock` would.
    let changed = diesel::update(operators::table.filter(operators::id.eq(id)))
        .set((
            operators::status.eq(status),
            operators::status_reason.eq(reason),
            operators::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    operator_documents::refresh(conn, id)?;
    Ok(changed)
}
