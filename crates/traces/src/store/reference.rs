//! Reading the reference data loaded from `crates/traces/reference/`: countries, competences,
//! the activity taxonomy and the authorities (searched by text, country, competence, kind).
//!
//! Text search is `lower(column) LIKE '%text%'` on both backends: SQLite's `lower` folds ASCII
//! letters only, so "GÖTEBORG" finds "Göteborg" (the ö is typed in lower case either way) but
//! "ÖREBRO" would not find "Örebro" there. Names order by the database's collation.

use super::schema::{
    activity_chapters, activity_sections, activity_types, authorities, authority_competences,
    competences, countries, reference_datasets,
};
use diesel::prelude::*;
use infra::db::{AnyConnection, from_db_time};
use std::collections::HashMap;
use time::OffsetDateTime;

diesel::define_sql_function! {
    /// SQL `lower`, on both backends.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = countries)]
pub struct Country {
    pub code: String,
    pub name: String,
    pub eu_member: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = competences)]
pub struct Competence {
    pub code: String,
    pub name: String,
}

/// The activity taxonomy, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Taxonomy {
    pub chapters: Vec<Chapter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub code: String,
    pub name: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub code: String,
    pub name: String,
    pub activity_types: Vec<ActivityType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ActivityType {
    pub code: String,
    pub name: String,
    pub chapter_code: String,
    pub section_code: String,
    /// The competence an authority needs to be responsible for this activity.
    pub competence_code: String,
    pub competence_name: String,
}

/// What to look for among authorities; every filter present must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthoritySearch {
    /// Found in the name, code or city, case-insensitively (ASCII letters on SQLite).
    pub text: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// A competence the authority holds, e.g. `plant_health`.
    pub competence: Option<String>,
    /// e.g. `border_control_post` (see `reference::AuthorityKind`).
    pub kind: Option<String>,
    /// At most [`AuthoritySearch::MAX_LIMIT`]; a larger value is capped, a negative one is 0.
    pub limit: i64,
    pub offset: i64,
}

impl AuthoritySearch {
    pub const MAX_LIMIT: i64 = 200;
}

impl Default for AuthoritySearch {
    /// Every authority, the first page of 50.
    fn default() -> AuthoritySearch {
        AuthoritySearch {
            text: None,
            country: None,
            competence: None,
            kind: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// An authority as lists and pickers show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthoritySummary {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub country_code: String,
    pub country_name: String,
    pub city: String,
    pub email: String,
    /// (code, name) of each competence held, by name.
    pub competences: Vec<(String, String)>,
}

/// A loaded reference dataset: which version, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedDataset {
    pub name: String,
    pub version: i32,
    pub checksum: String,
    pub loaded_at: OffsetDateTime,
}

/// Every country, by name.
pub fn countries(conn: &mut AnyConnection) -> QueryResult<Vec<Country>> {
    countries::table
        .order((countries::name.asc(), countries::code.asc()))
        .select(Country::as_select())
        .load(conn)
}

/// Every competence, by name.
pub fn competences(conn: &mut AnyConnection) -> QueryResult<Vec<Competence>> {
    competences::table
        .order((competences::name.asc(), competences::code.asc()))
        .select(Competence::as_select())
        .load(conn)
}

type ActivityTypeColumns = (
    activity_types::code,
    activity_types::name,
    activity_sections::chapter_code,
    activity_types::section_code,
    activity_types::competence_code,
    competences::name,
);

const ACTIVITY_TYPE_COLUMNS: ActivityTypeColumns = (
    activity_types::code,
    activity_types::name,
    activity_sections::chapter_code,
    activity_types::section_code,
    activity_types::competence_code,
    competences::name,
);

/// Chapters with their sections with their activity types, each level by position.
pub fn taxonomy(conn: &mut AnyConnection) -> QueryResult<Taxonomy> {
    let chapters: Vec<(String, String)> = activity_chapters::table
        .order((
            activity_chapters::position.asc(),
            activity_chapters::code.asc(),
        ))
        .select((activity_chapters::code, activity_chapters::name))
        .load(conn)?;
    let sections: Vec<(String, String, String)> = activity_sections::table
        .order((
            activity_sections::position.asc(),
            activity_sections::code.asc(),
        ))
        .select((
            activity_sections::code,
            activity_sections::name,
            activity_sections::chapter_code,
        ))
        .load(conn)?;
    let types: Vec<ActivityType> = activity_types::table
        .inner_join(activity_sections::table)
        .inner_join(competences::table)
        .order((activity_types::position.asc(), activity_types::code.asc()))
        .select(ACTIVITY_TYPE_COLUMNS)
        .load(conn)?;

    let mut types_of: HashMap<String, Vec<ActivityType>> = HashMap::new();
    for t in types {
        types_of.entry(t.section_code.clone()).or_default().push(t);
    }
    let mut sections_of: HashMap<String, Vec<Section>> = HashMap::new();
    for (code, name, chapter_code) in sections {
        let activity_types = types_of.remove(&code).unwrap_or_default();
        sections_of.entry(chapter_code).or_default().push(Section {
            code,
            name,
            activity_types,
        });
    }
    Ok(Taxonomy {
        chapters: chapters
            .into_iter()
            .map(|(code, name)| {
                let sections = sections_of.remove(&code).unwrap_or_default();
                Chapter {
                    code,
                    name,
                    sections,
                }
            })
            .collect(),
    })
}

pub fn activity_type(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<ActivityType>> {
    activity_types::table
        .inner_join(activity_sections::table)
        .inner_join(competences::table)
        .filter(activity_types::code.eq(code))
        .select(ACTIVITY_TYPE_COLUMNS)
        .first(conn)
        .optional()
}

/// `%text%` for LIKE with `\` as the escape character: `%` and `_` typed by a person match
/// themselves.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

type AuthorityColumns = (
    authorities::code,
    authorities::kind,
    authorities::name,
    authorities::country_code,
    countries::name,
    authorities::city,
    authorities::email,
);

const AUTHORITY_COLUMNS: AuthorityColumns = (
    authorities::code,
    authorities::kind,
    authorities::name,
    authorities::country_code,
    countries::name,
    authorities::city,
    authorities::email,
);

type AuthorityRow = (String, String, String, String, String, String, String);

/// The authorities matching every filter given, by name, one page of them.
pub fn search_authorities(
    conn: &mut AnyConnection,
    search: &AuthoritySearch,
) -> QueryResult<Vec<AuthoritySummary>> {
    let limit = search.limit.clamp(0, AuthoritySearch::MAX_LIMIT);
    let rows: Vec<AuthorityRow> = filtered(search)
        .order((authorities::name.asc(), authorities::code.asc()))
        .limit(limit)
        .offset(search.offset.max(0))
        .select(AUTHORITY_COLUMNS)
        .load(conn)?;
    with_competences(conn, rows)
}

/// How many authorities match the filters (limit and offset aside): for "n results".
pub fn count_authorities(conn: &mut AnyConnection, search: &AuthoritySearch) -> QueryResult<i64> {
    filtered(search).count().get_result(conn)
}

/// The authorities joined with their country, filtered; no order, page or selection yet.
fn filtered(
    search: &AuthoritySearch,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<authorities::table, countries::table>,
    infra::db::MultiBackend,
> {
    let mut query = authorities::table.inner_join(countries::table).into_boxed();
    if let Some(text) = search.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = contains_pattern(text);
        query = query.filter(
            lower(authorities::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(authorities::code).like(pattern.clone()).escape('\\'))
                .or(lower(authorities::city).like(pattern).escape('\\')),
        );
    }
    if let Some(country) = &search.country {
        query = query.filter(authorities::country_code.eq(country.clone()));
    }
    if let Some(kind) = &search.kind {
        query = query.filter(authorities::kind.eq(kind.clone()));
    }
    if let Some(competence) = &search.competence {
        query = query.filter(
            authorities::code.eq_any(
                authority_competences::table
                    .filter(authority_competences::competence_code.eq(competence.clone()))
                    .select(authority_competences::authority_code),
            ),
        );
    }
    query
}

/// One authority by code, with its competences.
pub fn authority(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<AuthoritySummary>> {
    let row: Option<AuthorityRow> = authorities::table
        .inner_join(countries::table)
        .filter(authorities::code.eq(code))
        .select(AUTHORITY_COLUMNS)
        .first(conn)
        .optional()?;
    Ok(with_competences(conn, row.into_iter().collect())?.pop())
}

/// Every authority of a country (Border Control Posts and competent authorities), by name.
pub fn authorities_of_country(
    conn: &mut AnyConnection,
    country: &str,
) -> QueryResult<Vec<AuthoritySummary>> {
    let rows: Vec<AuthorityRow> = authorities::table
        .inner_join(countries::table)
        .filter(authorities::country_code.eq(country))
        .order((authorities::name.asc(), authorities::code.asc()))
        .select(AUTHORITY_COLUMNS)
        .load(conn)?;
    with_competences(conn, rows)
}

/// Adds the competences of the authorities in one query.
fn with_competences(
    conn: &mut AnyConnection,
    rows: Vec<AuthorityRow>,
) -> QueryResult<Vec<AuthoritySummary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let links: Vec<(String, String, String)> = authority_competences::table
        .inner_join(competences::table)
        .filter(authority_competences::authority_code.eq_any(&codes))
        .order((competences::name.asc(), competences::code.asc()))
        .select((
            authority_competences::authority_code,
            competences::code,
            competences::name,
        ))
        .load(conn)?;
    let mut held: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (authority, code, name) in links {
        held.entry(authority).or_default().push((code, name));
    }
    Ok(rows
        .into_iter()
        .map(
            |(code, kind, name, country_code, country_name, city, email)| AuthoritySummary {
                competences: held.remove(&code).unwrap_or_default(),
                code,
                kind,
                name,
                country_code,
                country_name,
                city,
                email,
            },
        )
        .collect())
}

/// The loaded reference datasets (name, version, checksum, when), by name.
pub fn datasets(conn: &mut AnyConnection) -> QueryResult<Vec<LoadedDataset>> {
    let rows: Vec<(String, i32, String, time::PrimitiveDateTime)> = reference_datasets::table
        .order(reference_datasets::name.asc())
        .select((
            reference_datasets::name,
            reference_datasets::version,
            reference_datasets::checksum,
            reference_datasets::loaded_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(name, version, checksum, loaded_at)| LoadedDataset {
            name,
            version,
            checksum,
            loaded_at: from_db_time(loaded_at),
        })
        .collect())
}
