//! The API's JSON of each operator — what `GET /api/v1/operators/{id}` answers — kept in the
//! table `operator_documents` beside the operator's row (on the row itself its 2 KB made the
//! search read ten times the pages), a read model rewritten in every transaction that changes
//! the operator: [`operators::set_status`], [`super::activities::insert`] (which
//! [`operators::insert`] ends with) and [`super::activities::set_status`] call [`refresh`]. An API
//! read is then one lookup by primary key whose text goes out as it is, instead of five
//! queries over five tables and a serialisation (see docs/traces.md, "How the search and the
//! API read are fast").
//!
//! The document holds reference names (country, activity types, authorities): loading
//! changed reference data removes every document ([`forget_all`]), `serve` builds the missing
//! ones in the background ([`build_all_missing`]), and until then [`read`] assembles the
//! operator from its tables as before. On PostgreSQL the writers of one operator take its
//! row's lock first ([`lock`]), so two decisions on the same operator at once cannot leave
//! the document of the first behind the second.

use super::operator_facets::{self, Facet};
use super::operators::{self, OperatorView};
use super::schema::operator_documents as documents;
use super::schema::operators as operator_rows;
use crate::domain::notifications::Capability;
use diesel::prelude::*;
use infra::db::{AnyConnection, Database, DbError};

/// The API's representation of an operator: everything its page shows, with what it may
/// notify.
#[derive(serde::Serialize)]
pub struct OperatorDocument<'a> {
    #[serde(flatten)]
    pub operator: &'a OperatorView,
    pub notifications: Vec<NotificationJson>,
}

/// One document in the API's operator JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotificationJson {
    /// `ched_pp`, `ched_d`, `ched_p`, `ched_a`.
    pub document: &'static str,
    pub allowed: bool,
    pub missing: Vec<MissingJson>,
}

/// One thing missing for a document, as stable codes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingJson {
    /// `plant_health_importer`, `responsible_for_the_load`, ...
    pub need: &'static str,
    /// The activity types any one of which, valid, meets the need.
    pub accepted_codes: &'static [&'static str],
    /// `missing`, `awaiting_validation`, `suspended`, `withdrawn`, `rejected`.
    pub gap: &'static str,
    /// The activity type held but not valid, if any.
    pub held_code: Option<String>,
}

/// The API's `notifications` array.
pub fn as_json(capabilities: &[Capability]) -> Vec<NotificationJson> {
    capabilities
        .iter()
        .map(|capability| NotificationJson {
            document: capability.document.code(),
            allowed: capability.allowed,
            missing: capability
                .missing
                .iter()
                .map(|requirement| MissingJson {
                    need: requirement.need.code(),
                    accepted_codes: requirement.accepted_codes(),
                    gap: requirement.gap.code(),
                    held_code: requirement.gap.held_code().map(str::to_owned),
                })
                .collect(),
        })
        .collect()
}

/// The document of `view`, as stored and as the API sends it.
pub fn render(view: &OperatorView) -> QueryResult<String> {
    let document = OperatorDocument {
        operator: view,
        notifications: as_json(&view.notification_capabilities()),
    };
    serde_json::to_string(&document)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// What an API read needs of an operator: who may see it, and its document.
#[derive(Debug, Clone)]
pub struct StoredOperator {
    pub id: String,
    pub status: String,
    facets: String,
    pub document: String,
}

impl StoredOperator {
    /// The authorities responsible for the operator (those of its activities), from the facets
    /// kept on its row.
    pub fn responsible_authority_codes(&self) -> Vec<String> {
        operator_facets::codes(&self.facets, Facet::Responsible)
            .map(str::to_owned)
            .collect()
    }
}

/// The operator as an API read needs it: its row and its document, one lookup by primary key
/// in each table on the backend's own connection (see [`infra::on_backend`]); a document not
/// built yet is assembled from the tables, in the same read.
pub fn read(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<StoredOperator>> {
    let found: Option<(String, String, String, Option<String>)> =
        infra::on_backend!(&mut *conn, |c| operator_rows::table
            .left_join(documents::table)
            .filter(operator_rows::id.eq(id))
            .select((
                operator_rows::id,
                operator_rows::status,
                operator_rows::facets,
                documents::document.nullable(),
            ))
            .first(c)
            .optional())?;
    let Some((id, status, facets, stored)) = found else {
        return Ok(None);
    };
    let document = match stored {
        Some(document) => document,
        None => match operators::find(conn, &id)? {
            Some(view) => render(&view)?,
            None => return Ok(None),
        },
    };
    Ok(Some(StoredOperator {
        id,
        status,
        facets,
        document,
    }))
}

/// The document stored for the operator, `None` when none is (not built yet).
pub fn stored(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<Option<String>> {
    documents::table
        .find(operator_id)
        .select(documents::document)
        .first(conn)
        .optional()
}

/// Takes the operator's row lock until the end of the transaction (PostgreSQL; SQLite's
/// write transaction already excludes every other writer). Writers of an operator call it
/// before their first change, so they take the locks in one order and each [`refresh`] reads
/// what the writers before it committed.
pub fn lock(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT 1 FROM operators WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(operator_id)
            .execute(pg)?;
    }
    Ok(())
}

/// Rewrites the operator's document from its tables. Call in the transaction that changed it,
/// after the change.
pub fn refresh(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<()> {
    let Some(view) = operators::find(conn, operator_id)? else {
        return Ok(());
    };
    let document = render(&view)?;
    // On the backend's own connection: diesel's multi-backend connection has no upsert.
    infra::on_backend!(conn, |c| diesel::insert_into(documents::table)
        .values((
            documents::operator_id.eq(operator_id),
            documents::document.eq(&document),
        ))
        .on_conflict(documents::operator_id)
        .do_update()
        .set(documents::document.eq(&document))
        .execute(c))?;
    Ok(())
}

/// Removes every document (their reference names may have changed); returns how many.
pub fn forget_all(conn: &mut AnyConnection) -> QueryResult<usize> {
    diesel::delete(documents::table).execute(conn)
}

/// Builds the documents of up to `limit` operators that have none; returns how many it built.
/// A document written meanwhile by a writer of the operator is left as it is.
pub fn build_missing(conn: &mut AnyConnection, limit: i64) -> QueryResult<usize> {
    let ids: Vec<String> = operator_rows::table
        .left_join(documents::table)
        .filter(documents::operator_id.is_null())
        .order(operator_rows::id)
        .limit(limit)
        .select(operator_rows::id)
        .load(conn)?;
    let mut built = 0;
    for view in operators::views_of(conn, &ids)? {
        let document = render(&view)?;
        built += infra::on_backend!(&mut *conn, |c| diesel::insert_into(documents::table)
            .values((
                documents::operator_id.eq(&view.id),
                documents::document.eq(&document),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(built)
}

/// Operators whose documents are built in one transaction by [`build_all_missing`]: short
/// enough not to hold SQLite's write lock for long.
const BUILD_BATCH: i64 = 500;

/// Builds every missing document, a batch per transaction, until a batch builds none; returns
/// how many were built.
pub async fn build_all_missing(db: &Database) -> Result<usize, DbError> {
    let mut built = 0;
    loop {
        let batch = db
            .transaction(|c| Ok::<_, DbError>(build_missing(c, BUILD_BATCH)?))
            .await?;
        if batch == 0 {
            return Ok(built);
        }
        built += batch;
    }
}
