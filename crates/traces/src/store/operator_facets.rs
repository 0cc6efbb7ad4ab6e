//! An operator's facets: the codes the search filters on — the sections and activity types of
//! its activities and the authorities responsible for them — kept on the operator's row as
//! `|a:EURPO|r:SE-BCP-ARN|s:PLANTS-PO|`, so that every filter of the search is a condition on
//! one row (`facets LIKE '%|s:PLANTS-PO|%'`) instead of a join per filter for each candidate
//! operator. PostgreSQL finds the rows with a facet from a GIN index of the column split at
//! its bars (`string_to_array(facets, '|') @> ARRAY['s:PLANTS-PO']`: one facet is one key of
//! it), together with the other indexes of the table. Written whenever an activity is added
//! (the only change to them: activities are never removed and their type and authorities
//! never change).

use super::schema::{activities, activity_authorities, activity_types, operators};
use diesel::prelude::*;
use infra::db::AnyConnection;
use std::collections::BTreeSet;

/// What a facet says of the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    /// An activity in this section.
    Section,
    /// An activity of this type.
    Activity,
    /// This authority is responsible for one of its activities.
    Responsible,
}

impl Facet {
    fn prefix(self) -> &'static str {
        match self {
            Facet::Section => "s:",
            Facet::Activity => "a:",
            Facet::Responsible => "r:",
        }
    }
}

/// The column's value for these facets: each once, in order, between bars ("" for none).
pub fn compose<'a>(facets: impl IntoIterator<Item = (Facet, &'a str)>) -> String {
    let parts: BTreeSet<String> = facets
        .into_iter()
        .filter(|(_, code)| !code.is_empty())
        .map(|(facet, code)| format!("{}{code}", facet.prefix()))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let mut value = String::from("|");
    for part in parts {
        value.push_str(&part);
        value.push('|');
    }
    value
}

/// The codes of one kind in a column's value, in order.
pub fn codes(value: &str, facet: Facet) -> impl Iterator<Item = &str> {
    value
        .split('|')
        .filter_map(move |part| part.strip_prefix(facet.prefix()))
}

/// What the facet is as one element of the column split at its bars (`s:PLANTS-PO`), for
/// PostgreSQL's index of the split column; bars in the code are dropped, as in [`pattern`].
pub fn element(facet: Facet, code: &str) -> String {
    let mut element = String::from(facet.prefix());
    element.extend(code.chars().filter(|c| *c != '|'));
    element
}

/// The LIKE pattern (escape character `\`) that finds operators with this facet; the code is
/// what a caller typed, so LIKE's wildcards in it match only themselves.
pub fn pattern(facet: Facet, code: &str) -> String {
    let mut pattern = format!("%|{}", facet.prefix());
    for c in code.chars().filter(|c| *c != '|') {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push_str("|%");
    pattern
}

/// Recomputes the facets of one operator from its activities. Call in the transaction that
/// adds an activity.
pub fn refresh(conn: &mut AnyConnection, operator_id: &str) -> QueryResult<()> {
    let types: Vec<(String, String)> = activities::table
        .inner_join(activity_types::table)
        .filter(activities::operator_id.eq(operator_id))
        .select((activities::activity_code, activity_types::section_code))
        .load(conn)?;
    let responsible: Vec<String> = activity_authorities::table
        .inner_join(activities::table)
        .filter(activities::operator_id.eq(operator_id))
        .select(activity_authorities::authority_code)
        .load(conn)?;
    let value = compose(
        types
            .iter()
            .flat_map(|(code, section)| {
                [
                    (Facet::Activity, code.as_str()),
                    (Facet::Section, section.as_str()),
                ]
            })
            .chain(
                responsible
                    .iter()
                    .map(|code| (Facet::Responsible, code.as_str())),
            ),
    );
    diesel::update(operators::table.filter(operators::id.eq(operator_id)))
        .set(operators::facets.eq(value))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_facet_once_in_order_between_bars() {
        let value = compose([
            (Facet::Section, "PLANTS-PO"),
            (Facet::Activity, "EURPO"),
            (Facet::Responsible, "SE-BCP-ARN"),
            (Facet::Activity, "EURPO"),
        ]);
        assert_eq!(value, "|a:EURPO|r:SE-BCP-ARN|s:PLANTS-PO|");
        assert_eq!(compose([]), "");
        let responsible: Vec<&str> = codes(&value, Facet::Responsible).collect();
        assert_eq!(responsible, ["SE-BCP-ARN"]);
        assert_eq!(codes("", Facet::Activity).count(), 0);
    }

    #[test]
    fn a_pattern_matches_a_whole_code_only() {
        assert_eq!(pattern(Facet::Section, "PLANTS-PO"), "%|s:PLANTS-PO|%");
        // A code that is the start of another is not found by it: the bar ends it.
        assert_eq!(pattern(Facet::Activity, "EUPO"), "%|a:EUPO|%");
        assert_eq!(pattern(Facet::Activity, "5%_|x"), "%|a:5\\%\\_x|%");
    }

    #[test]
    fn an_element_is_what_the_pattern_finds_between_two_bars() {
        assert_eq!(element(Facet::Section, "PLANTS-PO"), "s:PLANTS-PO");
        assert_eq!(element(Facet::Responsible, "SE-BCP|ARN"), "r:SE-BCPARN");
        let value = compose([(Facet::Activity, "EURPO"), (Facet::Section, "PLANTS-PO")]);
        assert!(
            value
                .split('|')
                .any(|part| part == element(Facet::Activity, "EURPO"))
        );
        assert!(
            !value
                .split('|')
                .any(|part| part == element(Facet::Activity, "EUR"))
        );
    }
}
