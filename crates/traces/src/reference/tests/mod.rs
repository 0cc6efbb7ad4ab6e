//! The shipped files checked row by row (`files`), and loading (`loading`) and querying
//! (`queries`) them on both backends, each test on a database of its own.

mod files;
mod loading;
mod queries;

use super::{AuthorityRecord, ReferenceData};
use crate::store::reference::{self as store, LoadedDataset};
use crate::store::schema::{
    activity_chapters, activity_sections, activity_types, authorities, authority_competences,
    competences, countries,
};
use diesel::prelude::*;
use infra::db::{AnyConnection, Database, DbError};
use std::collections::HashMap;
use time::OffsetDateTime;
use time::macros::datetime;

const START: OffsetDateTime = datetime!(2026-12-01 08:00 UTC);
const LATER: OffsetDateTime = datetime!(2026-12-02 08:00 UTC);
const LATEST: OffsetDateTime = datetime!(2026-12-03 08:00 UTC);

fn shipped() -> ReferenceData {
    ReferenceData::shipped().expect("the shipped reference files are valid")
}

async fn query<T, F>(db: &Database, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
{
    db.run(move |c| work(c).map_err(DbError::from))
        .await
        .expect("query")
}

async fn loaded(db: &Database) -> HashMap<String, LoadedDataset> {
    query(db, store::datasets)
        .await
        .into_iter()
        .map(|d| (d.name.clone(), d))
        .collect()
}

async fn count(db: &Database) -> [i64; 7] {
    query(db, |c| {
        Ok([
            countries::table.count().get_result(c)?,
            competences::table.count().get_result(c)?,
            activity_chapters::table.count().get_result(c)?,
            activity_sections::table.count().get_result(c)?,
            activity_types::table.count().get_result(c)?,
            authorities::table.count().get_result(c)?,
            authority_competences::table.count().get_result(c)?,
        ])
    })
    .await
}

fn counts_of(data: &ReferenceData) -> [i64; 7] {
    let sections = data.activities.chapters.iter().flat_map(|c| &c.sections);
    let n = |x: usize| i64::try_from(x).expect("small");
    [
        n(data.countries.countries.len()),
        n(data.competences.competences.len()),
        n(data.activities.chapters.len()),
        n(sections.clone().count()),
        n(sections.flat_map(|s| &s.activities).count()),
        n(data.authorities.authorities.len()),
        n(data
            .authorities
            .authorities
            .iter()
            .map(|a| a.competences.len())
            .sum()),
    ]
}

fn authority_mut<'a>(data: &'a mut ReferenceData, code: &str) -> &'a mut AuthorityRecord {
    data.authorities
        .authorities
        .iter_mut()
        .find(|a| a.code == code)
        .expect("authority in the shipped file")
}
