//! Writing one loaded dataset's rows: the stored rows compared with the file's, new ones
//! inserted in batches, changed ones updated, and afterwards the rows gone from the files
//! deleted unless something still refers to them. Runs inside the loader's transaction.

use super::files::{Dataset, ReferenceData};
use super::load::Changes;
use crate::store::schema::{
    activities, activity_authorities, activity_chapters, activity_sections, activity_types,
    authorities, authority_competences, competences, countries, memberships, operators,
};
use diesel::prelude::*;
use infra::db::AnyConnection;
use std::collections::{BTreeSet, HashMap, HashSet};

/// SQLite allowed 999 bound parameters per statement before 3.32 (PostgreSQL 65535): batch
/// inserts are cut into statements below that.
const MAX_BIND_PARAMETERS: usize = 999;

/// A stored row with a text primary key.
trait Keyed: PartialEq {
    const COLUMNS: usize;
    fn key(&self) -> &str;

    fn rows_per_insert() -> usize {
        (MAX_BIND_PARAMETERS / Self::COLUMNS).max(1)
    }
}

macro_rules! keyed_row {
    ($row:ident, $table:ident, { $($field:ident: $ty:ty),+ $(,)? }) => {
        #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
        #[diesel(table_name = $table, primary_key(code))]
        struct $row {
            code: String,
            $($field: $ty),+
        }

        impl Keyed for $row {
            const COLUMNS: usize = 1 + [$(stringify!($field)),+].len();
            fn key(&self) -> &str {
                &self.code
            }
        }
    };
}

keyed_row!(CountryRow, countries, { name: String, eu_member: bool });
keyed_row!(CompetenceRow, competences, { name: String });
keyed_row!(ChapterRow, activity_chapters, { name: String, position: i32 });
keyed_row!(SectionRow, activity_sections, { chapter_code: String, name: String, position: i32 });
keyed_row!(ActivityTypeRow, activity_types, {
    section_code: String,
    name: String,
    competence_code: String,
    position: i32,
});
keyed_row!(AuthorityRow, authorities, {
    kind: String,
    name: String,
    country_code: String,
    city: String,
    email: String,
});

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Queryable, Insertable)]
#[diesel(table_name = authority_competences)]
struct AuthorityCompetenceRow {
    authority_code: String,
    competence_code: String,
}

/// What the file adds or changes, and the keys of stored rows it no longer has.
struct Diff<R> {
    insert: Vec<R>,
    update: Vec<R>,
    removed: Vec<String>,
}

fn diff<R: Keyed>(stored: Vec<R>, wanted: Vec<R>) -> Diff<R> {
    let mut stored: HashMap<String, R> = stored
        .into_iter()
        .map(|r| (r.key().to_owned(), r))
        .collect();
    let (mut insert, mut update) = (Vec::new(), Vec::new());
    for row in wanted {
        match stored.remove(row.key()) {
            None => insert.push(row),
            Some(old) if old != row => update.push(row),
            Some(_) => {}
        }
    }
    let mut removed: Vec<String> = stored.into_keys().collect();
    removed.sort();
    Diff {
        insert,
        update,
        removed,
    }
}

/// One multi-row INSERT. diesel's multi-backend connection has no batch insert (its SQLite
/// flavour differs), so the statement goes to the backend's own connection, still inside the
/// surrounding transaction.
macro_rules! insert_batch {
    ($c:expr, $table:ident, $rows:expr) => {
        match $c {
            AnyConnection::Postgresql(pg) => diesel::insert_into($table::table)
                .values($rows)
                .execute(pg)?,
            AnyConnection::Sqlite(sqlite) => diesel::insert_into($table::table)
                .values($rows)
                .execute(sqlite)?,
        }
    };
}

/// Inserts the new rows in batches, updates the changed ones one by one (few, in practice)
/// and returns the keys of the rows the file no longer has.
macro_rules! sync_table {
    ($c:expr, $table:ident, $row:ty, $wanted:expr, $changes:expr) => {{
        let stored: Vec<$row> = $table::table.select(<$row>::as_select()).load($c)?;
        let d = diff(stored, $wanted);
        for chunk in d.insert.chunks(<$row>::rows_per_insert()) {
            insert_batch!($c, $table, chunk);
        }
        for row in &d.update {
            diesel::update($table::table.find(row.key()))
                .set(row)
                .execute($c)?;
        }
        $changes.inserted += d.insert.len();
        $changes.updated += d.update.len();
        d.removed
    }};
}

pub(super) fn upsert_countries(
    c: &mut AnyConnection,
    data: &ReferenceData,
    changes: &mut Changes,
) -> QueryResult<Vec<String>> {
    let wanted = data
        .countries
        .countries
        .iter()
        .map(|r| CountryRow {
            code: r.code.clone(),
            name: r.name.clone(),
            eu_member: r.eu_member,
        })
        .collect();
    Ok(sync_table!(c, countries, CountryRow, wanted, changes))
}

pub(super) fn upsert_competences(
    c: &mut AnyConnection,
    data: &ReferenceData,
    changes: &mut Changes,
) -> QueryResult<Vec<String>> {
    let wanted = data
        .competences
        .competences
        .iter()
        .map(|r| CompetenceRow {
            code: r.code.clone(),
            name: r.name.clone(),
        })
        .collect();
    Ok(sync_table!(c, competences, CompetenceRow, wanted, changes))
}

/// Positions count from 1 in file order: chapters overall, sections within their chapter,
/// activity types within their section.
pub(super) fn upsert_activities(
    c: &mut AnyConnection,
    data: &ReferenceData,
    changes: &mut Changes,
    removed: &mut Removed,
) -> QueryResult<()> {
    let (mut chapters, mut sections, mut types) = (Vec::new(), Vec::new(), Vec::new());
    for (chapter, ci) in data.activities.chapters.iter().zip(1..) {
        chapters.push(ChapterRow {
            code: chapter.code.clone(),
            name: chapter.name.clone(),
            position: ci,
        });
        for (section, si) in chapter.sections.iter().zip(1..) {
            sections.push(SectionRow {
                code: section.code.clone(),
                chapter_code: chapter.code.clone(),
                name: section.name.clone(),
                position: si,
            });
            for (activity, ai) in section.activities.iter().zip(1..) {
                types.push(ActivityTypeRow {
                    code: activity.code.clone(),
                    section_code: section.code.clone(),
                    name: activity.name.clone(),
                    competence_code: activity.competence.clone(),
                    position: ai,
                });
            }
        }
    }
    removed.chapters = sync_table!(c, activity_chapters, ChapterRow, chapters, changes);
    removed.sections = sync_table!(c, activity_sections, SectionRow, sections, changes);
    removed.activity_types = sync_table!(c, activity_types, ActivityTypeRow, types, changes);
    Ok(())
}

/// The authorities, then their competences: missing links inserted, links the file dropped
/// deleted. The links of an authority gone from the file are left to its removal.
pub(super) fn upsert_authorities(
    c: &mut AnyConnection,
    data: &ReferenceData,
    changes: &mut Changes,
) -> QueryResult<Vec<String>> {
    let records = &data.authorities.authorities;
    let wanted = records
        .iter()
        .map(|r| AuthorityRow {
            code: r.code.clone(),
            kind: r.kind.as_str().to_owned(),
            name: r.name.clone(),
            country_code: r.country.clone(),
            city: r.city.clone(),
            email: r.email.clone(),
        })
        .collect();
    let removed = sync_table!(c, authorities, AuthorityRow, wanted, changes);

    let in_file: HashSet<&str> = records.iter().map(|r| r.code.as_str()).collect();
    let wanted_links: BTreeSet<AuthorityCompetenceRow> = records
        .iter()
        .flat_map(|r| {
            r.competences
                .iter()
                .map(|competence| AuthorityCompetenceRow {
                    authority_code: r.code.clone(),
                    competence_code: competence.clone(),
                })
        })
        .collect();
    let stored_links: BTreeSet<AuthorityCompetenceRow> = authority_competences::table
        .select((
            authority_competences::authority_code,
            authority_competences::competence_code,
        ))
        .load::<AuthorityCompetenceRow>(c)?
        .into_iter()
        .collect();
    let new_links: Vec<AuthorityCompetenceRow> =
        wanted_links.difference(&stored_links).cloned().collect();
    for chunk in new_links.chunks(MAX_BIND_PARAMETERS / 2) {
        insert_batch!(c, authority_competences, chunk);
    }
    changes.inserted += new_links.len();
    for link in stored_links.difference(&wanted_links) {
        if in_file.contains(link.authority_code.as_str()) {
            diesel::delete(
                authority_competences::table
                    .filter(authority_competences::authority_code.eq(&link.authority_code))
                    .filter(authority_competences::competence_code.eq(&link.competence_code)),
            )
            .execute(c)?;
            changes.deleted += 1;
        }
    }
    Ok(removed)
}

// --- Rows gone from the files ---------------------------------------------------------------

/// Keys of stored rows that the loaded files no longer have, per table.
#[derive(Default)]
pub(super) struct Removed {
    pub(super) countries: Vec<String>,
    pub(super) competences: Vec<String>,
    pub(super) chapters: Vec<String>,
    pub(super) sections: Vec<String>,
    pub(super) activity_types: Vec<String>,
    pub(super) authorities: Vec<String>,
}

/// Whether any row of `$table` has `$column = $code`.
macro_rules! referenced {
    ($c:expr, $table:ident, $column:ident, $code:expr) => {
        diesel::select(diesel::dsl::exists(
            $table::table.filter($table::$column.eq($code)),
        ))
        .get_result::<bool>($c)?
    };
}

/// Deletes each removed row that nothing refers to, children before parents: authorities,
/// activity types, sections, chapters, competences, countries.
///
/// The references are checked by name below (no error in the database's log for the usual
/// case); a foreign key added later by a table this list does not know yet is caught by
/// [`delete_or_keep`] and keeps the row too.
pub(super) fn remove_rows(
    c: &mut AnyConnection,
    removed: &Removed,
    changes: &mut HashMap<Dataset, Changes>,
) -> QueryResult<()> {
    for code in &removed.authorities {
        let used = referenced!(c, activity_authorities, authority_code, code)
            || referenced!(c, memberships, authority_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            let links = diesel::delete(
                authority_competences::table.filter(authority_competences::authority_code.eq(code)),
            )
            .execute(c)?;
            Ok(links + diesel::delete(authorities::table.find(code)).execute(c)?)
        })?;
        record(changes, Dataset::Authorities, "authority", code, outcome);
    }
    for code in &removed.activity_types {
        let used = referenced!(c, activities, activity_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            diesel::delete(activity_types::table.find(code)).execute(c)
        })?;
        record(changes, Dataset::Activities, "activity type", code, outcome);
    }
    for code in &removed.sections {
        let used = referenced!(c, activity_types, section_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            diesel::delete(activity_sections::table.find(code)).execute(c)
        })?;
        record(changes, Dataset::Activities, "section", code, outcome);
    }
    for code in &removed.chapters {
        let used = referenced!(c, activity_sections, chapter_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            diesel::delete(activity_chapters::table.find(code)).execute(c)
        })?;
        record(changes, Dataset::Activities, "chapter", code, outcome);
    }
    for code in &removed.competences {
        let used = referenced!(c, activity_types, competence_code, code)
            || referenced!(c, authority_competences, competence_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            diesel::delete(competences::table.find(code)).execute(c)
        })?;
        record(changes, Dataset::Competences, "competence", code, outcome);
    }
    for code in &removed.countries {
        let used = referenced!(c, authorities, country_code, code)
            || referenced!(c, operators, country_code, code);
        let outcome = delete_or_keep(c, used, |c| {
            diesel::delete(countries::table.find(code)).execute(c)
        })?;
        record(changes, Dataset::Countries, "country", code, outcome);
    }
    Ok(())
}

/// Rows deleted, or `None` when the row is kept because something refers to it.
fn delete_or_keep(
    c: &mut AnyConnection,
    referenced: bool,
    delete: impl FnOnce(&mut AnyConnection) -> QueryResult<usize>,
) -> QueryResult<Option<usize>> {
    if referenced {
        return Ok(None);
    }
    // A savepoint: a refused delete is undone alone, the load goes on.
    match c.transaction(delete) {
        Ok(deleted) => Ok(Some(deleted)),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

fn record(
    changes: &mut HashMap<Dataset, Changes>,
    dataset: Dataset,
    kind: &str,
    code: &str,
    outcome: Option<usize>,
) {
    let ch = changes.entry(dataset).or_default();
    match outcome {
        Some(deleted) => ch.deleted += deleted,
        None => ch.kept.push(format!("{kind} {code}")),
    }
}
