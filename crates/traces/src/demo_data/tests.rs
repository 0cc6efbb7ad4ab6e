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

both_backends!(
    seeding_fills_an_empty_database_once,
    the_search_filters_find_what_the_activities_say,
    every_api_document_says_what_the_tables_say
);

const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);

async fn query<T: Send + 'static>(
    db: &Database,
    work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
) -> T {
    db.run(move |c| Ok(work(c)?)).await.expect("query")
}

/// The shipped reference data, then `operators` demo operators of `seed`.
async fn seeded_with(db: &Database, operators: usize, seed_number: u64) -> Seeded {
    crate::reference::load_shipped(db, NOW)
        .await
        .expect("reference data");
    let plan = DemoPlan {
        operators,
        seed: seed_number,
    };
    seed(db, plan, NOW).await.expect("seeded")
}

async fn seeding_fills_an_empty_database_once(db: &Database) {
    let seeded = seeded_with(db, 300, 7).await;
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

    // One operator read on its own (the API's path, one snapshot, queries by one id) is the
    // same as the operators read together for a page of search results, and the authorities
    // it names as responsible are those the other workflows look up.
    let ids: Vec<String> = query(db, |c| {
        operators::table
            .order(operators::id)
            .select(operators::id)
            .limit(60)
            .load(c)
    })
    .await;
    let together = {
        let ids = ids.clone();
        query(db, move |c| crate::store::activities::of_operators(c, &ids)).await
    };
    for id in ids {
        let (alone, responsible) = {
            let id = id.clone();
            db.read(move |c| {
                let alone = operator_queries::find(c, &id)?.expect("the operator");
                let responsible = crate::store::activities::responsible_authorities(c, &id)?;
                Ok((alone, responsible))
            })
            .await
            .expect("read")
        };
        let summary = |activities: &[crate::store::activities::ActivityView]| {
            activities
                .iter()
                .map(|a| {
                    let codes: Vec<&str> = a.authorities.iter().map(|x| x.code.as_str()).collect();
                    format!("{} {} {} {:?}", a.id, a.activity_code, a.status, codes)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            summary(&alone.activities),
            summary(together.get(&id).map(Vec::as_slice).unwrap_or_default()),
            "activities of {id}"
        );
        let mut responsible = responsible;
        responsible.sort_unstable();
        assert_eq!(alone.responsible_authority_codes(), responsible, "{id}");
        assert!(!responsible.is_empty(), "{id} has a responsible authority");
    }

    // Once is enough: a second run changes nothing.
    let plan = DemoPlan {
        operators: 300,
        seed: 7,
    };
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

/// Ids of the operators found, all pages.
async fn found(db: &Database, query: OperatorQuery, scope: SearchScope) -> (i64, Vec<String>) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let (query, scope) = (query.clone(), scope.clone());
        let found = query_page(db, query, scope, page).await;
        total = found.total;
        if found.results.is_empty() {
            break;
        }
        ids.extend(found.results.into_iter().map(|r| r.id));
    }
    ids.sort();
    (total, ids)
}

async fn query_page(
    db: &Database,
    mut wanted: OperatorQuery,
    scope: SearchScope,
    page: u32,
) -> operator_search::SearchPage {
    wanted.page = page;
    wanted.per_page = 25;
    query(db, move |c| operator_search::search(c, &wanted, &scope)).await
}

/// The operators that, by their activities (joined, as the rule says), have an activity
/// matching `matches` and may be seen under `scope`; sorted ids.
async fn expected(
    db: &Database,
    matches: impl Fn(&str, &str) -> bool + Send + 'static,
    country: Option<&str>,
    officer_of: Option<String>,
) -> Vec<String> {
    use crate::store::schema::activity_types;
    let rows: Vec<(String, String, String, String, String)> = query(db, |c| {
        activities::table
            .inner_join(operators::table)
            .inner_join(activity_types::table)
            .select((
                operators::id,
                operators::country_code,
                operators::status,
                activities::activity_code,
                activity_types::section_code,
            ))
            .load(c)
    })
    .await;
    let responsible: Vec<(String, String)> = query(db, |c| {
        activity_authorities::table
            .inner_join(activities::table)
            .select((
                activities::operator_id,
                activity_authorities::authority_code,
            ))
            .load(c)
    })
    .await;
    let mut ids: Vec<String> = rows
        .iter()
        .filter(|(_, c, ..)| country.is_none_or(|want| c.as_str() == want))
        .filter(|(_, _, _, code, section)| matches(code, section))
        .filter(|(id, _, status, ..)| {
            status == "valid"
                || officer_of.as_ref().is_some_and(|authority| {
                    responsible.iter().any(|(o, a)| o == id && a == authority)
                })
        })
        .map(|(id, ..)| id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The filters of the search work on the operator's facets (see `store::operator_facets`);
/// they must find exactly what the activities themselves say, for everyone and for an
/// officer (who also finds the operators waiting for their authority), and an activity added
/// later makes its operator found by its section.
async fn the_search_filters_find_what_the_activities_say(db: &Database) {
    seeded_with(db, 160, 11).await;
    // A section and an authority that the data holds, with an operator waiting for it.
    let (section, authority): (String, String) = query(db, |c| {
        use crate::store::schema::activity_types;
        activity_authorities::table
            .inner_join(activities::table.inner_join(operators::table))
            .inner_join(
                activity_types::table.on(activity_types::code.eq(activities::activity_code)),
            )
            .filter(operators::status.ne("valid"))
            .order(activities::id)
            .select((
                activity_types::section_code,
                activity_authorities::authority_code,
            ))
            .first(c)
    })
    .await;
    let by_section = OperatorQuery {
        section: Some(section.clone()),
        ..Default::default()
    };
    for officer_of in [None, Some(authority.clone())] {
        let scope = SearchScope {
            authority_codes: officer_of.iter().cloned().collect(),
            ..Default::default()
        };
        let wanted = section.clone();
        let want = expected(db, move |_, s| s == wanted, None, officer_of.clone()).await;
        assert!(!want.is_empty());
        let (total, ids) = found(db, by_section.clone(), scope).await;
        assert_eq!(ids, want, "section {section}, officer of {officer_of:?}");
        assert_eq!(total, want.len() as i64);
    }

    // By activity type within a country, for everyone.
    let (code, country): (String, String) = query(db, |c| {
        activities::table
            .inner_join(operators::table)
            .filter(operators::status.eq("valid"))
            .order(activities::id)
            .select((activities::activity_code, operators::country_code))
            .first(c)
    })
    .await;
    let wanted = code.clone();
    let want = expected(db, move |a, _| a == wanted, Some(&country), None).await;
    let (_, ids) = found(
        db,
        OperatorQuery {
            activity_code: Some(code.clone()),
            country: Some(country.clone()),
            ..Default::default()
        },
        SearchScope::default(),
    )
    .await;
    assert_eq!(ids, want, "activity {code} in {country}");
    // A code is matched whole: its first letters find only what holds exactly that code.
    let prefix = code[..code.len() - 1].to_owned();
    let wanted = prefix.clone();
    let want = expected(db, move |a, _| a == wanted, Some(&country), None).await;
    let (_, ids) = found(
        db,
        OperatorQuery {
            activity_code: Some(prefix.clone()),
            country: Some(country.clone()),
            ..Default::default()
        },
        SearchScope::default(),
    )
    .await;
    assert_eq!(ids, want, "activity {prefix} in {country}");

    // An activity added later: its section finds the operator from then on.
    let (operator_id, missing_section, new_code, new_authority) = query(db, |c| {
        use crate::store::schema::{activity_types, authorities};
        let operator_id: String = operators::table
            .filter(operators::status.eq("valid"))
            .order(operators::id)
            .select(operators::id)
            .first(c)?;
        let held: Vec<String> = activities::table
            .inner_join(activity_types::table)
            .filter(activities::operator_id.eq(&operator_id))
            .select(activity_types::section_code)
            .load(c)?;
        let (code, section): (String, String) = activity_types::table
            .filter(activity_types::section_code.ne_all(&held))
            .order(activity_types::code)
            .select((activity_types::code, activity_types::section_code))
            .first(c)?;
        let authority: String = authorities::table
            .order(authorities::code)
            .select(authorities::code)
            .first(c)?;
        Ok((operator_id, section, code, authority))
    })
    .await;
    let query_missing = OperatorQuery {
        section: Some(missing_section.clone()),
        ..Default::default()
    };
    let (_, before) = found(db, query_missing.clone(), SearchScope::default()).await;
    assert!(!before.contains(&operator_id));
    let record = activity_record(new_code, new_authority);
    let id = operator_id.clone();
    db.transaction(move |c| {
        crate::store::activities::insert(c, &id, &record, None, NOW)?;
        Ok::<_, DbError>(())
    })
    .await
    .expect("activity added");
    let (_, after) = found(db, query_missing, SearchScope::default()).await;
    assert!(after.contains(&operator_id), "found by {missing_section}");
}

/// An activity of `code` with one responsible authority and nothing else filled in.
fn activity_record(code: String, authority: String) -> crate::store::activities::NewActivityRecord {
    crate::store::activities::NewActivityRecord {
        activity_code: code,
        identifier: None,
        valid_from: None,
        valid_to: None,
        time_zone: "UTC".into(),
        publication_date: None,
        application_date: None,
        address_index: None,
        authority_codes: vec![authority],
    }
}

/// Every operator's stored API document is the one its tables make now; returns how many
/// operators there are.
async fn assert_documents_current(db: &Database) -> usize {
    use crate::store::operator_documents;
    let ids: Vec<String> = query(db, |c| {
        operators::table
            .order(operators::id)
            .select(operators::id)
            .load(c)
    })
    .await;
    for id in &ids {
        let id = id.clone();
        let (stored, read, view) = query(db, move |c| {
            Ok((
                operator_documents::stored(c, &id)?,
                operator_documents::read(c, &id)?,
                operator_queries::find(c, &id)?,
            ))
        })
        .await;
        let (read, view) = (read.expect("row"), view.expect("operator"));
        let expected = operator_documents::render(&view).expect("rendered");
        assert_eq!(stored.as_deref(), Some(expected.as_str()), "{}", view.id);
        assert_eq!(read.document, expected, "{}", view.id);
        assert_eq!(
            read.responsible_authority_codes(),
            view.responsible_authority_codes()
        );
    }
    ids.len()
}

/// The API's operator documents (`store::operator_documents`): built for the demo data,
/// rewritten by every change to an operator, rebuilt after reference data changed.
async fn every_api_document_says_what_the_tables_say(db: &Database) {
    use crate::store::operator_documents;
    seeded_with(db, 120, 3).await;
    assert_eq!(assert_documents_current(db).await, 120);

    // A decision on an operator, one on an activity, an activity added: each document follows.
    let (operator_id, activity_id, authority): (String, String, String) = query(db, |c| {
        activities::table
            .inner_join(activity_authorities::table)
            .filter(activities::status.eq("new"))
            .order(activities::id)
            .select((
                activities::operator_id,
                activities::id,
                activity_authorities::authority_code,
            ))
            .first(c)
    })
    .await;
    let (op, act) = (operator_id.clone(), activity_id.clone());
    db.transaction(move |c| {
        let officer = crate::store::users::Identity {
            issuer: "https://login.example".into(),
            subject: "officer".into(),
            email: "officer@example.org".into(),
            given_name: "Olga".into(),
            family_name: "Officer".into(),
            language: "en".into(),
        };
        let officer = crate::store::users::create(c, &officer, NOW)?;
        operator_queries::set_status(c, &op, "valid", None, NOW)?;
        crate::store::activities::set_status(
            c,
            &act,
            "rejected",
            Some("no proof"),
            &officer.id,
            NOW,
        )?;
        let record = activity_record("RFL".into(), authority);
        crate::store::activities::insert(c, &op, &record, None, NOW)?;
        Ok::<_, DbError>(())
    })
    .await
    .expect("changes");
    let id = operator_id.clone();
    let document = query(db, move |c| operator_documents::stored(c, &id))
        .await
        .expect("a document");
    assert!(
        document.contains(r#""status_reason":"no proof""#),
        "{document}"
    );
    assert!(document.contains(r#""activity_code":"RFL""#), "{document}");
    assert_documents_current(db).await;

    // Reference data loaded again empties them; `serve` builds them again.
    let forgotten = query(db, operator_documents::forget_all).await;
    assert_eq!(forgotten, 120);
    let id = operator_id.clone();
    let (stored, read) = query(db, move |c| {
        Ok((
            operator_documents::stored(c, &id)?,
            operator_documents::read(c, &id)?,
        ))
    })
    .await;
    assert_eq!(stored, None);
    // Meanwhile the API assembles the operator from its tables.
    let read = read.expect("the operator");
    assert!(
        read.document.contains(r#""activity_code":"RFL""#),
        "{}",
        read.document
    );
    let built = operator_documents::build_all_missing(db)
        .await
        .expect("built");
    assert_eq!(built, 120);
    assert_documents_current(db).await;
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
