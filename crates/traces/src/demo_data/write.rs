//! Writing generated operators fast: each table's rows in multi-row INSERTs of a few thousand
//! bind parameters (one statement per table per batch instead of one per row), inside the
//! caller's transaction. The search text is made by `store::operators::search_text`, as for
//! an operator created through the form, so the search finds generated operators exactly as it
//! finds typed ones.

use super::generate::DemoOperator;
use crate::store::operator_facets::{self, Facet};
use crate::store::operators::search_text;
use crate::store::schema::{
    activities, activity_authorities, activity_types, operator_addresses, operator_identifiers,
    operators,
};
use diesel::prelude::*;
use infra::db::{AnyConnection, to_db_time};
use std::collections::HashMap;
use time::{Date, PrimitiveDateTime};

/// Bind parameters per statement: well under PostgreSQL's 65,535 and the bundled SQLite's
/// limit, large enough that a statement carries a thousand rows or more.
const PARAMETERS_PER_STATEMENT: usize = 16_000;

/// How many rows of each kind were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub operators: usize,
    pub addresses: usize,
    pub identifiers: usize,
    pub activities: usize,
    pub activity_authorities: usize,
}

impl Written {
    pub fn add(&mut self, other: Written) {
        self.operators += other.operators;
        self.addresses += other.addresses;
        self.identifiers += other.identifiers;
        self.activities += other.activities;
        self.activity_authorities += other.activity_authorities;
    }
}

#[derive(Insertable)]
#[diesel(table_name = operators, treat_none_as_default_value = false)]
struct OperatorRow {
    id: String,
    organisation_type: String,
    name: String,
    country_code: String,
    phone: Option<String>,
    email: Option<String>,
    status: String,
    status_reason: Option<String>,
    search_text: String,
    facets: String,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = operator_addresses, treat_none_as_default_value = false)]
struct AddressRow {
    id: String,
    operator_id: String,
    position: i32,
    region: Option<String>,
    city: String,
    address: String,
    postal_code: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = operator_identifiers)]
struct IdentifierRow {
    id: String,
    operator_id: String,
    kind: String,
    country_code: String,
    value: String,
    normalized: String,
}

#[derive(Insertable)]
#[diesel(table_name = activities, treat_none_as_default_value = false)]
struct ActivityRow {
    id: String,
    operator_id: String,
    activity_code: String,
    identifier: Option<String>,
    valid_from: Option<PrimitiveDateTime>,
    time_zone: String,
    publication_date: Option<Date>,
    application_date: Option<Date>,
    address_id: Option<String>,
    status: String,
    status_reason: Option<String>,
    created_at: PrimitiveDateTime,
    decided_at: Option<PrimitiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = activity_authorities)]
struct ActivityAuthorityRow {
    activity_id: String,
    authority_code: String,
}

/// One multi-row INSERT on the backend's own connection: diesel's multi-backend connection
/// has no batch insert (as in `reference::sync`).
macro_rules! insert_in_batches {
    ($conn:expr, $table:ident, $rows:expr, $columns:expr) => {{
        for chunk in $rows.chunks((PARAMETERS_PER_STATEMENT / $columns).max(1)) {
            match &mut *$conn {
                AnyConnection::Postgresql(pg) => diesel::insert_into($table::table)
                    .values(chunk)
                    .execute(pg)?,
                AnyConnection::Sqlite(sqlite) => diesel::insert_into($table::table)
                    .values(chunk)
                    .execute(sqlite)?,
            };
        }
        $rows.len()
    }};
}

/// Writes `batch` (operators with their addresses, identifiers, activities and responsible
/// authorities). Call inside a transaction.
pub fn insert(conn: &mut AnyConnection, batch: &[DemoOperator]) -> QueryResult<Written> {
    let section_of: HashMap<String, String> = activity_types::table
        .select((activity_types::code, activity_types::section_code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut operator_rows = Vec::with_capacity(batch.len());
    let mut address_rows = Vec::new();
    let mut identifier_rows = Vec::new();
    let mut activity_rows = Vec::new();
    let mut authority_rows = Vec::new();
    for operator in batch {
        let record = &operator.record;
        operator_rows.push(OperatorRow {
            id: operator.id.clone(),
            organisation_type: record.organisation_type.clone(),
            name: record.name.clone(),
            country_code: record.country_code.clone(),
            phone: record.phone.clone(),
            email: record.email.clone(),
            status: operator.status.to_owned(),
            status_reason: operator.status_reason.map(str::to_owned),
            search_text: search_text(record),
            facets: operator_facets::compose(operator.activities.iter().flat_map(|a| {
                let section = section_of.get(&a.activity_code).map_or("", String::as_str);
                [
                    (Facet::Activity, a.activity_code.as_str()),
                    (Facet::Section, section),
                ]
                .into_iter()
                .chain(
                    a.authority_codes
                        .iter()
                        .map(|code| (Facet::Responsible, code.as_str())),
                )
            })),
            created_at: to_db_time(operator.created_at),
            updated_at: to_db_time(operator.updated_at),
        });
        for (position, (address, id)) in record
            .addresses
            .iter()
            .zip(&operator.address_ids)
            .enumerate()
        {
            address_rows.push(AddressRow {
                id: id.clone(),
                operator_id: operator.id.clone(),
                position: i32::try_from(position).unwrap_or(i32::MAX),
                region: address.region.clone(),
                city: address.city.clone(),
                address: address.address.clone(),
                postal_code: address.postal_code.clone(),
                latitude: address.latitude,
                longitude: address.longitude,
            });
        }
        for (n, identifier) in record.identifiers.iter().enumerate() {
            identifier_rows.push(IdentifierRow {
                // Derived from the operator's id: deterministic like the rest.
                id: format!("{}-i{n}", operator.id),
                operator_id: operator.id.clone(),
                kind: identifier.kind.clone(),
                country_code: record.country_code.clone(),
                value: identifier.value.clone(),
                normalized: identifier.normalized.clone(),
            });
        }
        for activity in &operator.activities {
            activity_rows.push(ActivityRow {
                id: activity.id.clone(),
                operator_id: operator.id.clone(),
                activity_code: activity.activity_code.clone(),
                identifier: activity.identifier.clone(),
                valid_from: activity.valid_from.map(to_db_time),
                time_zone: activity.time_zone.clone(),
                publication_date: activity.publication_date,
                application_date: activity.application_date,
                address_id: operator.address_ids.get(activity.address_index).cloned(),
                status: activity.status.to_owned(),
                status_reason: activity.status_reason.map(str::to_owned),
                created_at: to_db_time(activity.created_at),
                decided_at: activity.decided_at.map(to_db_time),
            });
            for code in &activity.authority_codes {
                authority_rows.push(ActivityAuthorityRow {
                    activity_id: activity.id.clone(),
                    authority_code: code.clone(),
                });
            }
        }
    }
    Ok(Written {
        operators: insert_in_batches!(conn, operators, operator_rows, 11),
        addresses: insert_in_batches!(conn, operator_addresses, address_rows, 9),
        identifiers: insert_in_batches!(conn, operator_identifiers, identifier_rows, 6),
        activities: insert_in_batches!(conn, activities, activity_rows, 13),
        activity_authorities: insert_in_batches!(conn, activity_authorities, authority_rows, 2),
    })
}
