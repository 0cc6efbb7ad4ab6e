//! Bringing the database in line with the reference files at start. A dataset whose version
//! and checksum match its `reference_datasets` row is left alone (a restart reads one small
//! table and writes nothing). The others are written in one transaction: rows inserted or
//! updated where they differ, rows gone from a file deleted unless something still refers to
//! them (then kept, with a warning), and the new `reference_datasets` rows; a crash leaves
//! the previous versions intact.

use super::ReferenceError;
use super::files::{Dataset, ReferenceData, Stamp};
use super::sync::{self, Removed};
use crate::store::schema::reference_datasets;
use diesel::prelude::*;
use infra::db::{AnyConnection, Database, to_db_time};
use std::collections::HashMap;
use time::OffsetDateTime;

/// What loading did, dataset by dataset, in loading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub datasets: Vec<DatasetReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetReport {
    pub dataset: Dataset,
    /// The version of the file.
    pub version: i32,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Version and checksum match the stored ones: nothing was written.
    Unchanged,
    /// The rows were brought in line with the file.
    Loaded {
        previous_version: Option<i32>,
        changes: Changes,
    },
    /// The database holds a higher version, loaded by a newer release: left as it is.
    NewerStored { stored_version: i32 },
}

/// Rows written for one dataset (an authority's competences count as rows too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub inserted: usize,
    pub updated: usize,
    pub deleted: usize,
    /// Rows gone from the file but kept because something refers to them, as
    /// `"<kind> <code>"` (e.g. `authority SEGOT1`).
    pub kept: Vec<String>,
}

impl LoadReport {
    pub fn outcome(&self, dataset: Dataset) -> Option<&Outcome> {
        self.datasets
            .iter()
            .find(|d| d.dataset == dataset)
            .map(|d| &d.outcome)
    }

    /// The datasets that were (re)loaded.
    pub fn loaded(&self) -> Vec<Dataset> {
        self.datasets
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Loaded { .. }))
            .map(|d| d.dataset)
            .collect()
    }
}

/// Loads the files embedded in the binary: what `AppState::connect` calls.
pub async fn load_shipped(
    db: &Database,
    now: OffsetDateTime,
) -> Result<LoadReport, ReferenceError> {
    load(db, ReferenceData::shipped()?, now).await
}

/// Validates `data` (again: its fields are public) and brings the database in line with it.
pub async fn load(
    db: &Database,
    data: ReferenceData,
    now: OffsetDateTime,
) -> Result<LoadReport, ReferenceError> {
    data.validate()?;
    write(db, data, now).await
}

/// [`load`] without the validation: the database's constraints are the last line.
pub(super) async fn write(
    db: &Database,
    data: ReferenceData,
    now: OffsetDateTime,
) -> Result<LoadReport, ReferenceError> {
    let mut stamps = Vec::with_capacity(Dataset::ALL.len());
    for dataset in Dataset::ALL {
        stamps.push((dataset, data.stamp(dataset)?));
    }
    let stored = db.run(|c| Ok(stored_stamps(c)?)).await?;
    let plans = plan_all(&stamps, &stored);
    let report = if plans.iter().any(|(_, _, p)| matches!(p, Plan::Load { .. })) {
        db.transaction(move |c| apply(c, &data, &stamps, now))
            .await?
    } else {
        build_report(&plans, HashMap::new())
    };
    log(&report);
    Ok(report)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Unchanged,
    Load { previous_version: Option<i32> },
    NewerStored { stored_version: i32 },
}

fn plan(file: &Stamp, stored: Option<&Stamp>) -> Plan {
    match stored {
        None => Plan::Load {
            previous_version: None,
        },
        Some(s) if s == file => Plan::Unchanged,
        Some(s) if s.version > file.version => Plan::NewerStored {
            stored_version: s.version,
        },
        Some(s) => Plan::Load {
            previous_version: Some(s.version),
        },
    }
}

fn plan_all(
    stamps: &[(Dataset, Stamp)],
    stored: &HashMap<String, Stamp>,
) -> Vec<(Dataset, i32, Plan)> {
    stamps
        .iter()
        .map(|(d, s)| (*d, s.version, plan(s, stored.get(d.name()))))
        .collect()
}

/// The outcome of each plan; `changes` holds what was written for the datasets loaded.
fn build_report(
    plans: &[(Dataset, i32, Plan)],
    mut changes: HashMap<Dataset, Changes>,
) -> LoadReport {
    let datasets = plans
        .iter()
        .map(|(dataset, version, plan)| DatasetReport {
            dataset: *dataset,
            version: *version,
            outcome: match *plan {
                Plan::Unchanged => Outcome::Unchanged,
                Plan::NewerStored { stored_version } => Outcome::NewerStored { stored_version },
                Plan::Load { previous_version } => Outcome::Loaded {
                    previous_version,
                    changes: changes.remove(dataset).unwrap_or_default(),
                },
            },
        })
        .collect();
    LoadReport { datasets }
}

fn log(report: &LoadReport) {
    if report.loaded().is_empty() {
        let versions: Vec<String> = report
            .datasets
            .iter()
            .map(|d| format!("{} {}", d.dataset.name(), d.version))
            .collect();
        tracing::info!(versions = %versions.join(", "), "reference data up to date");
    }
    for d in &report.datasets {
        let (name, version) = (d.dataset.name(), d.version);
        match &d.outcome {
            Outcome::Unchanged => {
                tracing::debug!(dataset = name, version, "reference data unchanged")
            }
            Outcome::Loaded {
                previous_version,
                changes,
            } => {
                tracing::info!(
                    dataset = name,
                    version,
                    previous_version,
                    inserted = changes.inserted,
                    updated = changes.updated,
                    deleted = changes.deleted,
                    kept = changes.kept.len(),
                    "reference data loaded"
                );
                if *previous_version == Some(version) {
                    tracing::warn!(
                        dataset = name,
                        version,
                        "reference data changed without a version bump: reloaded; bump \
                         `version` in {}",
                        d.dataset.file()
                    );
                }
                for row in &changes.kept {
                    tracing::warn!(
                        dataset = name,
                        row = %row,
                        "{row} is no longer in {} but is still referenced: kept",
                        d.dataset.file()
                    );
                }
            }
            Outcome::NewerStored { stored_version } => tracing::warn!(
                dataset = name,
                version,
                stored_version,
                "the database holds a newer version of this reference data (loaded by a newer \
                 release): left as it is"
            ),
        }
    }
}

/// The transaction: decided again under the lock (another replica may have loaded the same
/// files meanwhile), then upserts in loading order and deletions in the reverse order, so
/// that a row removed together with its last use goes in the same start.
fn apply(
    c: &mut AnyConnection,
    data: &ReferenceData,
    stamps: &[(Dataset, Stamp)],
    now: OffsetDateTime,
) -> Result<LoadReport, ReferenceError> {
    take_loading_lock(c)?;
    let plans = plan_all(stamps, &stored_stamps(c)?);
    let loads = |d: Dataset| {
        plans
            .iter()
            .any(|(x, _, p)| *x == d && matches!(p, Plan::Load { .. }))
    };
    let mut changes: HashMap<Dataset, Changes> = HashMap::new();
    let mut removed = Removed::default();
    if loads(Dataset::Countries) {
        let ch = changes.entry(Dataset::Countries).or_default();
        removed.countries = sync::upsert_countries(c, data, ch)?;
    }
    if loads(Dataset::Competences) {
        let ch = changes.entry(Dataset::Competences).or_default();
        removed.competences = sync::upsert_competences(c, data, ch)?;
    }
    if loads(Dataset::Activities) {
        let ch = changes.entry(Dataset::Activities).or_default();
        sync::upsert_activities(c, data, ch, &mut removed)?;
    }
    if loads(Dataset::Authorities) {
        let ch = changes.entry(Dataset::Authorities).or_default();
        removed.authorities = sync::upsert_authorities(c, data, ch)?;
    }
    sync::remove_rows(c, &removed, &mut changes)?;
    // The operators' API documents carry reference names: built again by `serve`.
    crate::store::operator_documents::forget_all(c)?;
    for (dataset, stamp) in stamps {
        if loads(*dataset) {
            save_stamp(c, *dataset, stamp, now)?;
        }
    }
    Ok(build_report(&plans, changes))
}

/// Replicas starting together take turns on PostgreSQL (the lock ends with the transaction);
/// on SQLite the transaction already holds the database's write lock.
fn take_loading_lock(c: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7346529872)").execute(pg)?;
    }
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = reference_datasets)]
struct StampRow {
    name: String,
    version: i32,
    checksum: String,
}

fn stored_stamps(c: &mut AnyConnection) -> QueryResult<HashMap<String, Stamp>> {
    let rows: Vec<StampRow> = reference_datasets::table
        .select(StampRow::as_select())
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let stamp = Stamp {
                version: r.version,
                checksum: r.checksum,
            };
            (r.name, stamp)
        })
        .collect())
}

fn save_stamp(
    c: &mut AnyConnection,
    dataset: Dataset,
    stamp: &Stamp,
    now: OffsetDateTime,
) -> QueryResult<()> {
    let values = (
        reference_datasets::version.eq(stamp.version),
        reference_datasets::checksum.eq(&stamp.checksum),
        reference_datasets::loaded_at.eq(to_db_time(now)),
    );
    let updated = diesel::update(reference_datasets::table.find(dataset.name()))
        .set(values)
        .execute(c)?;
    if updated == 0 {
        diesel::insert_into(reference_datasets::table)
            .values((reference_datasets::name.eq(dataset.name()), values))
            .execute(c)?;
    }
    Ok(())
}
