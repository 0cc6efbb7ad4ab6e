//! The search of operators: by country, section, activity type and free text (name,
//! addresses, identifiers), paginated, each result with its first address and its activities.
//! What a caller may find is part of the query: valid operators for everyone, and beyond them
//! only the operators the caller belongs to or is responsible for.

use super::activities::{ActivityView, of_operators};
use super::operator_facets::{self as facets, Facet};
use super::schema::{operator_addresses, operators};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use infra::db::{AnyConnection, MultiBackend};

/// What to look for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct OperatorQuery {
    /// `operator`, `organic_control_body`, ... (see `domain::status::OrganisationType`).
    pub organisation_type: Option<String>,
    pub country: Option<String>,
    pub section: Option<String>,
    pub activity_code: Option<String>,
    pub text: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

/// Which operators a caller may find besides the valid ones.
#[derive(Debug, Clone, Default)]
pub struct SearchScope {
    /// Operators the caller is a member of (any status).
    pub operator_ids: Vec<String>,
    /// Authorities the caller is an officer of: operators with an activity assigned to them.
    pub authority_codes: Vec<String>,
    /// A system administrator finds everything.
    pub everything: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OperatorSummary {
    pub id: String,
    pub name: String,
    pub country_code: String,
    pub status: String,
    pub address: Option<String>,
    pub activities: Vec<ActivityView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchPage {
    pub results: Vec<OperatorSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl SearchPage {
    pub fn page_count(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per_page - 1) / per_page).unwrap_or(u32::MAX)
    }
}

/// The longest free-text term accepted (longer input is cut).
pub const MAX_TEXT: usize = 100;

/// `%term%` with LIKE's wildcards escaped (`\` is the escape character).
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().to_lowercase().chars().take(MAX_TEXT) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

macro_rules! filtered {
    ($query:expr, $scope:expr, $on_postgres:expr) => {{
        let mut q = operators::table.into_boxed();
        if let Some(kind) = $query
            .organisation_type
            .as_deref()
            .filter(|k| !k.is_empty())
        {
            q = q.filter(operators::organisation_type.eq(kind.to_owned()));
        }
        if let Some(country) = $query.country.as_deref().filter(|c| !c.is_empty()) {
            q = q.filter(operators::country_code.eq(country.to_uppercase()));
        }
        if let Some(text) = $query.text.as_deref().filter(|t| !t.trim().is_empty()) {
            q = q.filter(operators::search_text.like(like_pattern(text)).escape('\\'));
        }
        if let Some(code) = $query.activity_code.as_deref().filter(|c| !c.is_empty()) {
            q = q.filter(has_facet(Facet::Activity, code, $on_postgres));
        }
        if let Some(section) = $query.section.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(has_facet(Facet::Section, section, $on_postgres));
        }
        if !$scope.everything {
            q = q.filter(visible_to(&$scope));
        }
        q
    }};
}

/// A condition on an operator's row, boxed for a query built at run time.
type Condition = Box<dyn BoxableExpression<operators::table, MultiBackend, SqlType = Bool>>;

/// Operators with this facet. On PostgreSQL the split column's index finds them (see
/// `operator_facets`), and the LIKE, cheaper to evaluate on a row, keeps the rows of
/// another index's scan (by country) from being split: two forms of one condition.
fn has_facet(facet: Facet, code: &str, on_postgres: bool) -> Condition {
    let like = operators::facets
        .like(facets::pattern(facet, code))
        .escape('\\');
    if !on_postgres {
        return Box::new(like);
    }
    let split = sql::<Bool>("string_to_array(operators.facets, '|') @> ARRAY[")
        .bind::<Text, _>(facets::element(facet, code))
        .sql("]");
    Box::new(like.and(split))
}

/// What a caller may find: valid operators, theirs, and those with an activity assigned to one
/// of their authorities (by the operator's facets: no join).
fn visible_to(scope: &SearchScope) -> Condition {
    let mut visible: Condition = Box::new(operators::status.eq("valid"));
    if !scope.operator_ids.is_empty() {
        visible = Box::new(visible.or(operators::id.eq_any(scope.operator_ids.clone())));
    }
    for code in &scope.authority_codes {
        visible = Box::new(
            visible.or(operators::facets
                .like(facets::pattern(Facet::Responsible, code))
                .escape('\\')),
        );
    }
    visible
}

/// One page of operators matching `query` within `scope`, ordered by name (ignoring case).
///
/// One query gives the page and the number of all matches (`count(*) OVER ()`), so the
/// matches are found once. The order is by `lower(name)`, which no index serves: PostgreSQL
/// then finds the matches through the indexes of the filters and sorts only them, instead of
/// walking the whole name index in order until a page is full (which it preferred for a
/// selective filter, and which read most of the table: over 100 ms on 100,000 operators).
pub fn search(
    conn: &mut AnyConnection,
    query: &OperatorQuery,
    scope: &SearchScope,
) -> QueryResult<SearchPage> {
    let per_page = query.per_page.clamp(1, 100);
    let page = query.page.max(1);
    let on_postgres = matches!(conn, AnyConnection::Postgresql(_));
    let rows: Vec<(String, String, String, String, i64)> = filtered!(query, scope, on_postgres)
        .order((sql::<Text>("lower(operators.name)"), operators::id))
        .limit(i64::from(per_page))
        .offset(i64::from(page - 1) * i64::from(per_page))
        .select((
            operators::id,
            operators::name,
            operators::country_code,
            operators::status,
            sql::<BigInt>("count(*) OVER ()"),
        ))
        .load(conn)?;
    let total = match rows.first() {
        Some(row) => row.4,
        None if page == 1 => 0,
        // A page past the last one: its rows cannot say how many there are.
        None => filtered!(query, scope, on_postgres)
            .count()
            .get_result(conn)?,
    };
    let rows: Vec<(String, String, String, String)> = rows
        .into_iter()
        .map(|(id, name, country, status, _)| (id, name, country, status))
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut activities_by_operator = of_operators(conn, &ids)?;
    let mut first_address = std::collections::HashMap::new();
    for (operator_id, address, city) in operator_addresses::table
        .filter(operator_addresses::operator_id.eq_any(&ids))
        .order((
            operator_addresses::operator_id,
            operator_addresses::position,
        ))
        .select((
            operator_addresses::operator_id,
            operator_addresses::address,
            operator_addresses::city,
        ))
        .load::<(String, String, String)>(conn)?
    {
        // Ordered by position: the first one seen is the operator's main address.
        first_address
            .entry(operator_id)
            .or_insert_with(|| format!("{address}, {city}"));
    }
    let results = rows
        .into_iter()
        .map(|(id, name, country_code, status)| OperatorSummary {
            address: first_address.remove(&id),
            activities: activities_by_operator.remove(&id).unwrap_or_default(),
            id,
            name,
            country_code,
            status,
        })
        .collect();
    Ok(SearchPage {
        results,
        total,
        page,
        per_page,
    })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn wildcards_typed_by_a_person_match_literally() {
        assert_eq!(like_pattern(" Acme 50%_ "), "%acme 50\\%\\_%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }
}
