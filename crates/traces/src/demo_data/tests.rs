//! The demo data on both backends: what a person browsing it would check (operators of the
//! twelve countries, mostly valid, each with an address, a register number and activities whose
//! authorities may be responsible for them, found by the search), and that it is the same for
//! the same seed and never mixed into a database that has operators.

use super::*;
use crate::both_backends;
use crate::store::operator_search::{self, OperatorQuery, SearchScope};
use crate::store::operators as operator_queries;
use crate::store::schema::{activities, activity_authorities, audit_log, authority_competences};
use time::macros::datetime;

both_backends!(seeding_fills_an_empty_database_once);

const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);

async fn query<T: Send + 'static>(
    db: &Database,
    work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
) -> T {
    db.run(move |c| Ok(work(c)?)).await.expect("query")
}

async fn seeding_fills_an_empty_database_once(db: &Database) {
    crate::reference::load_shipped(db, NOW)
        .await
        .expect("reference data");
    let plan = DemoPlan {
        operators: 300,
        seed: 7,
    };
    let seeded = seed(db, plan, NOW).await.expect("seeded");
    assert_eq!(seeded.written.operators, 300);
    assert!(seeded.written.activities >= 300 && seeded.written.activities <= 900);
    assert!(seeded.written.addresses >= 300);
    assert!(seeded.countries.contains(&"SE") && seeded.countries.contains(&"DE"));

    let statuses: Vec<String> =
        query(db, |c| operators::table.select(operators::status).load(c)).await;
    let valid = statuses.iter().filter(|s| *s == "valid").count();
    let requested = statuses.iter().filter(|s| *s == "requested").count();
    assert!(valid > 220, "mostly valid: {valid} of 300");
    assert!(requested > 5, "some waiting for a decision: {requested}");

    // Every activity has a responsible authority of its operator's country that holds the
    // competence its type needs, as the form demands.
    let mismatched: i64 = query(db, |c| {
        use crate::store::schema::{activity_types, authorities};
        activity_authorities::table
            .inner_join(activities::table.inner_join(operators::table))
            .inner_join(authorities::table)
            .inner_join(
                activity_types::table.on(activity_types::code.eq(activities::activity_code)),
            )
            .filter(
                authorities::country_code
                    .ne(operators::country_code)
                    .or(diesel::dsl::not(diesel::dsl::exists(
                        authority_competences::table
                            .filter(authority_competences::authority_code.eq(authorities::code))
                            .filter(
                                authority_competences::competence_code
                                    .eq(activity_types::competence_code),
                            ),
                    ))),
            )
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(mismatched, 0);

    // A valid operator is whole on its page and found by its city and its register number.
    let first_valid: String = query(db, |c| {
        operators::table
            .filter(operators::status.eq("valid"))
            .order(operators::id)
            .select(operators::id)
            .first(c)
    })
    .await;
    let id = first_valid.clone();
    let operator = query(db, move |c| operator_queries::find(c, &id))
        .await
        .expect("the operator");
    assert!(!operator.addresses.is_empty() && !operator.activities.is_empty());
    let register = operator
        .identifiers
        .iter()
        .find(|i| i.kind == "national_register")
        .expect("a national register number")
        .value
        .clone();
    for text in [operator.addresses[0].city.clone(), register] {
        let country = operator.country_code.clone();
        let page = query(db, move |c| {
            operator_search::search(
                c,
                &OperatorQuery {
                    country: Some(country),
                    text: Some(text),
                    page: 1,
                    per_page: 100,
                    ..Default::default()
                },
                &SearchScope::default(),
            )
        })
        .await;
        assert!(page.total >= 1);
        let mut all = page
            .results
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>();
        if page.total <= 100 {
            all.retain(|id| *id == first_valid);
            assert_eq!(all.len(), 1, "found");
        }
    }

    // Once is enough: a second run changes nothing.
    let again = seed(db, plan, NOW).await;
    assert!(
        matches!(again, Err(DemoDataError::NotEmpty(300))),
        "{again:?}"
    );
    let entries: i64 = query(db, |c| {
        audit_log::table
            .filter(audit_log::action.eq("demo_data.seeded"))
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(entries, 1);
}

fn small_catalogue() -> Catalogue {
    let kinds = [
        ("EURPO", "plant_health"),
        ("FBO-PROC", "food"),
        ("RFL", "border_control"),
    ];
    let mut authorities_by_country = std::collections::HashMap::new();
    for country in ["SE", "DE"] {
        authorities_by_country.insert(
            country.to_owned(),
            vec![
                AuthorityRef {
                    code: format!("{country}-PHYTO"),
                    is_border_control_post: false,
                    competences: vec!["plant_health".into(), "food".into()],
                },
                AuthorityRef {
                    code: format!("{country}-BCP"),
                    is_border_control_post: true,
                    competences: vec!["plant_health".into(), "border_control".into()],
                },
            ],
        );
    }
    Catalogue {
        activity_kinds: kinds
            .iter()
            .map(|(code, competence)| ActivityKind {
                code: (*code).into(),
                competence: (*competence).into(),
            })
            .collect(),
        authorities_by_country,
    }
}

#[test]
fn the_same_seed_makes_the_same_operators() {
    let one = Generator::new(&small_catalogue(), 42, NOW);
    let same = Generator::new(&small_catalogue(), 42, NOW);
    let other = Generator::new(&small_catalogue(), 43, NOW);
    assert_eq!(one.countries(), ["DE", "SE"]);
    for position in [0, 1, 500] {
        let a = one.operator(position).expect("an operator");
        let b = same.operator(position).expect("an operator");
        assert_eq!(
            (&a.id, &a.record.name, &a.record.identifiers[0].value),
            (&b.id, &b.record.name, &b.record.identifiers[0].value)
        );
        assert_eq!(a.activities.len(), b.activities.len());
        assert_ne!(a.id, other.operator(position).expect("an operator").id);
        // A competent authority rather than a border post where both hold the competence.
        for activity in a.activities.iter().filter(|x| x.activity_code == "EURPO") {
            assert!(activity.authority_codes[0].ends_with("-PHYTO"));
        }
        for activity in a.activities.iter().filter(|x| x.activity_code == "RFL") {
            assert!(activity.authority_codes[0].ends_with("-BCP"));
        }
    }
}
