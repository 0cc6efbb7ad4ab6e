//! The queries of `store::reference` on the shipped data.

use super::{START, counts_of, query, shipped};
use crate::both_backends;
use crate::reference::{AuthorityKind, activity_codes, load_shipped};
use crate::store::reference::{self as queries, AuthoritySearch};
use infra::db::Database;

both_backends!(searching_authorities, reading_countries_and_the_taxonomy);

async fn search(db: &Database, search: AuthoritySearch) -> Vec<String> {
    query(db, move |c| queries::search_authorities(c, &search))
        .await
        .into_iter()
        .map(|a| a.code)
        .collect()
}

async fn searching_authorities(db: &Database) {
    load_shipped(db, START).await.expect("load");
    let arlanda = AuthoritySearch {
        text: Some("arlanda".into()),
        competence: Some("plant_health".into()),
        ..Default::default()
    };
    assert_eq!(search(db, arlanda.clone()).await, ["SEARN4"]);
    let shouted = AuthoritySearch {
        text: Some("  ARLANDA ".into()),
        ..arlanda.clone()
    };
    assert_eq!(search(db, shouted).await, ["SEARN4"]);
    let by_code = AuthoritySearch {
        text: Some("searn".into()),
        ..Default::default()
    };
    assert_eq!(search(db, by_code).await, ["SEARN4"]);
    let customs = AuthoritySearch {
        competence: Some("customs".into()),
        ..arlanda.clone()
    };
    assert!(search(db, customs).await.is_empty());
    let wildcard = AuthoritySearch {
        text: Some("%".into()),
        ..Default::default()
    };
    assert!(
        search(db, wildcard).await.is_empty(),
        "% matches itself only"
    );

    let summary = query(db, move |c| queries::search_authorities(c, &arlanda))
        .await
        .pop()
        .expect("SEARN4");
    assert_eq!(summary.kind, "border_control_post");
    assert_eq!(summary.name, "Stockholm Arlanda airport");
    assert_eq!(
        (summary.country_code.as_str(), summary.country_name.as_str()),
        ("SE", "Sweden")
    );
    assert_eq!(summary.city, "Stockholm");
    assert!(
        summary
            .competences
            .contains(&("plant_health".to_owned(), "Plant health".to_owned())),
        "{:?}",
        summary.competences
    );
    let names: Vec<&str> = summary
        .competences
        .iter()
        .map(|(_, n)| n.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "competences by name");

    // The country filter, alone and with the kind.
    let swedish_bcps = AuthoritySearch {
        country: Some("SE".into()),
        kind: Some("border_control_post".into()),
        ..Default::default()
    };
    let data = shipped();
    let mut expected: Vec<&str> = data
        .authorities
        .authorities
        .iter()
        .filter(|a| a.country == "SE" && a.kind == AuthorityKind::BorderControlPost)
        .map(|a| a.code.as_str())
        .collect();
    let mut found = search(db, swedish_bcps).await;
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    let swedish = query(db, |c| queries::authorities_of_country(c, "SE")).await;
    assert!(swedish.iter().all(|a| a.country_code == "SE"));
    assert!(swedish.iter().any(|a| a.code == "SE-PHYTO"));
    assert_eq!(swedish.len(), expected.len() + 4);
    assert!(
        query(db, |c| queries::authorities_of_country(c, "NO"))
            .await
            .is_empty()
    );

    // Pages follow each other without overlap, in name order.
    let all = AuthoritySearch {
        limit: AuthoritySearch::MAX_LIMIT,
        ..Default::default()
    };
    let total = query(db, {
        let all = all.clone();
        move |c| queries::count_authorities(c, &all)
    })
    .await;
    assert_eq!(total, counts_of(&data)[5]);
    let everything = search(db, all).await;
    assert_eq!(i64::try_from(everything.len()).ok(), Some(total));
    let page = |offset: i64| AuthoritySearch {
        limit: 10,
        offset,
        ..Default::default()
    };
    let first = search(db, page(0)).await;
    let second = search(db, page(10)).await;
    assert_eq!(first.len(), 10);
    assert_eq!([first, second].concat(), everything[..20]);
    let past_the_end = search(db, page(total)).await;
    assert!(past_the_end.is_empty());
    let capped = AuthoritySearch {
        limit: 10_000,
        ..Default::default()
    };
    assert_eq!(search(db, capped).await.len(), everything.len().min(200));
    let none = AuthoritySearch {
        limit: -1,
        ..Default::default()
    };
    assert!(search(db, none).await.is_empty());

    assert_eq!(query(db, |c| queries::authority(c, "NOPE")).await, None);
}

/// Chapter codes with their section codes with their activity type codes.
type Outline<'a> = Vec<(&'a str, Vec<(&'a str, Vec<&'a str>)>)>;

async fn reading_countries_and_the_taxonomy(db: &Database) {
    load_shipped(db, START).await.expect("load");
    let countries = query(db, queries::countries).await;
    assert_eq!(countries.len(), 249);
    assert_eq!(countries.iter().filter(|c| c.eu_member).count(), 27);
    let sweden = countries.iter().find(|c| c.code == "SE").expect("SE");
    assert_eq!((sweden.name.as_str(), sweden.eu_member), ("Sweden", true));

    let taxonomy = query(db, queries::taxonomy).await;
    let data = shipped();
    let stored: Outline<'_> = taxonomy
        .chapters
        .iter()
        .map(|c| {
            let sections = c.sections.iter().map(|s| {
                let types = s.activity_types.iter().map(|a| a.code.as_str()).collect();
                (s.code.as_str(), types)
            });
            (c.code.as_str(), sections.collect())
        })
        .collect();
    let in_file: Outline<'_> = data
        .activities
        .chapters
        .iter()
        .map(|c| {
            let sections = c.sections.iter().map(|s| {
                let types = s.activities.iter().map(|a| a.code.as_str()).collect();
                (s.code.as_str(), types)
            });
            (c.code.as_str(), sections.collect())
        })
        .collect();
    assert_eq!(stored, in_file, "the taxonomy keeps the order of the file");
    assert_eq!(taxonomy.chapters[0].name, "Plant health");

    let rfl = query(db, |c| queries::activity_type(c, activity_codes::RFL))
        .await
        .expect("RFL");
    assert_eq!(rfl.name, "Responsible for the load");
    assert_eq!(
        (rfl.chapter_code.as_str(), rfl.section_code.as_str()),
        ("OTHER", "RFL")
    );
    assert_eq!(rfl.competence_code, "border_control");
    let eurpo = query(db, |c| queries::activity_type(c, activity_codes::EURPO))
        .await
        .expect("EURPO");
    assert_eq!(
        (
            eurpo.competence_code.as_str(),
            eurpo.competence_name.as_str()
        ),
        ("plant_health", "Plant health")
    );
    // A BCP with plant health can be responsible for a plant importer's RFL.
    let arlanda = query(db, |c| queries::authority(c, "SEARN4"))
        .await
        .expect("SEARN4");
    let held: Vec<&str> = arlanda
        .competences
        .iter()
        .map(|(c, _)| c.as_str())
        .collect();
    assert!(held.contains(&"plant_health") && held.contains(&rfl.competence_code.as_str()));
    assert!(
        query(db, |c| queries::activity_type(c, "NOPE"))
            .await
            .is_none()
    );
    let competences = query(db, queries::competences).await;
    assert_eq!(competences.len(), data.competences.competences.len());
}
