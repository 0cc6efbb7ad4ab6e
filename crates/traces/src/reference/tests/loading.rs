//! Loading at start: first load, restarts, version bumps, renames, removals, failures.

use super::{LATER, LATEST, START, authority_mut, count, counts_of, loaded, query, shipped};
use crate::both_backends;
use crate::reference::{Dataset, Outcome, ReferenceError, load, load_shipped};
use crate::store::reference as queries;
use crate::store::schema::{memberships, operators, users};
use diesel::prelude::*;
use infra::db::{Database, to_db_time};

both_backends!(
    first_load_fills_everything,
    a_second_start_writes_nothing,
    a_version_bump_reloads_only_that_dataset,
    a_change_without_a_version_bump_is_reloaded_too,
    a_renamed_authority_is_updated,
    removed_rows_are_deleted_unless_referenced,
    a_reference_from_a_table_added_later_keeps_the_row,
    a_failed_load_leaves_the_previous_version,
    a_newer_stored_version_is_left_alone,
);

async fn first_load_fills_everything(db: &Database) {
    let data = shipped();
    let report = load(db, data.clone(), START).await.expect("load");
    assert_eq!(report.loaded(), Dataset::ALL);
    for d in &report.datasets {
        let Outcome::Loaded {
            previous_version,
            changes,
        } = &d.outcome
        else {
            panic!("{d:?}");
        };
        assert_eq!(*previous_version, None);
        assert_eq!((changes.updated, changes.deleted), (0, 0));
        assert!(changes.kept.is_empty());
    }
    assert_eq!(count(db).await, counts_of(&data));
    let stamps = loaded(db).await;
    assert_eq!(stamps.len(), 4);
    for dataset in Dataset::ALL {
        let stored = &stamps[dataset.name()];
        let stamp = data.stamp(dataset).expect("stamp");
        assert_eq!(
            (stored.version, &stored.checksum),
            (stamp.version, &stamp.checksum)
        );
        assert_eq!(stored.loaded_at, START);
    }
}

async fn a_second_start_writes_nothing(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    let report = load_shipped(db, LATER).await.expect("second load");
    assert!(report.loaded().is_empty(), "{report:?}");
    assert!(
        report
            .datasets
            .iter()
            .all(|d| d.outcome == Outcome::Unchanged)
    );
    for stored in loaded(db).await.values() {
        assert_eq!(stored.loaded_at, START, "{}", stored.name);
    }
}

async fn a_version_bump_reloads_only_that_dataset(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    let mut data = shipped();
    data.competences.version += 1;
    let report = load(db, data, LATER).await.expect("reload");
    assert_eq!(report.loaded(), [Dataset::Competences]);
    assert_eq!(
        report.outcome(Dataset::Competences),
        Some(&Outcome::Loaded {
            previous_version: Some(1),
            changes: Default::default()
        })
    );
    let stamps = loaded(db).await;
    assert_eq!(stamps["competences"].version, 2);
    assert_eq!(stamps["competences"].loaded_at, LATER);
    for other in ["countries", "activities", "authorities"] {
        assert_eq!(stamps[other].loaded_at, START, "{other}");
    }
}

async fn a_change_without_a_version_bump_is_reloaded_too(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    let mut data = shipped();
    data.competences.competences[0].name = "Plant health (phytosanitary)".into();
    let report = load(db, data, LATER).await.expect("reload");
    assert_eq!(report.loaded(), [Dataset::Competences]);
    let Some(Outcome::Loaded {
        previous_version,
        changes,
    }) = report.outcome(Dataset::Competences)
    else {
        panic!("{report:?}");
    };
    assert_eq!((*previous_version, changes.updated), (Some(1), 1));
    let stamps = loaded(db).await;
    assert_eq!(
        (
            stamps["competences"].version,
            stamps["competences"].loaded_at
        ),
        (1, LATER)
    );
}

async fn a_renamed_authority_is_updated(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    let mut data = shipped();
    data.authorities.version += 1;
    let arlanda = authority_mut(&mut data, "SEARN4");
    arlanda.name = "Stockholm Arlanda Airport (BCP)".into();
    arlanda.competences.retain(|c| c != "organic");
    arlanda.competences.push("animal_by_products".into());
    let report = load(db, data, LATER).await.expect("reload");
    let Some(Outcome::Loaded { changes, .. }) = report.outcome(Dataset::Authorities) else {
        panic!("{report:?}");
    };
    // The row, one competence added and one dropped.
    assert_eq!(
        (changes.inserted, changes.updated, changes.deleted),
        (1, 1, 1)
    );
    let arlanda = query(db, |c| queries::authority(c, "SEARN4"))
        .await
        .expect("SEARN4");
    assert_eq!(arlanda.name, "Stockholm Arlanda Airport (BCP)");
    let held: Vec<&str> = arlanda
        .competences
        .iter()
        .map(|(c, _)| c.as_str())
        .collect();
    assert!(
        held.contains(&"animal_by_products") && !held.contains(&"organic"),
        "{held:?}"
    );
}

async fn removed_rows_are_deleted_unless_referenced(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    // SEGOT1 has an officer, BV an operator; SEHEL1 and AQ nobody.
    query(db, |c| {
        let now = to_db_time(START);
        diesel::insert_into(users::table)
            .values((
                users::id.eq("u1"),
                users::issuer.eq("https://eulogin.example"),
                users::subject.eq("s1"),
                users::email.eq("officer@jordbruksverket.example"),
                users::given_name.eq("Ada"),
                users::family_name.eq("Berg"),
                users::language.eq("sv"),
                users::created_at.eq(now),
                users::last_seen_at.eq(now),
            ))
            .execute(c)?;
        diesel::insert_into(memberships::table)
            .values((
                memberships::id.eq("m1"),
                memberships::user_id.eq("u1"),
                memberships::authority_code.eq("SEGOT1"),
                memberships::role.eq("officer"),
                memberships::status.eq("valid"),
                memberships::requested_at.eq(now),
            ))
            .execute(c)?;
        diesel::insert_into(operators::table)
            .values((
                operators::id.eq("o1"),
                operators::organisation_type.eq("operator"),
                operators::name.eq("Bouvet Fisheries"),
                operators::country_code.eq("BV"),
                operators::status.eq("valid"),
                operators::search_text.eq("bouvet fisheries"),
                operators::created_at.eq(now),
                operators::updated_at.eq(now),
            ))
            .execute(c)
    })
    .await;
    let mut data = shipped();
    data.authorities.version += 1;
    data.authorities
        .authorities
        .retain(|a| a.code != "SEGOT1" && a.code != "SEHEL1");
    data.countries.version += 1;
    data.countries
        .countries
        .retain(|c| c.code != "BV" && c.code != "AQ");
    data.activities.version += 1;
    for chapter in &mut data.activities.chapters {
        chapter.sections.retain(|s| s.code != "ORG-TC");
    }

    let report = load(db, data.clone(), LATER).await.expect("reload");
    let changes = |d: Dataset| match report.outcome(d) {
        Some(Outcome::Loaded { changes, .. }) => changes.clone(),
        other => panic!("{other:?}"),
    };
    let authorities = changes(Dataset::Authorities);
    assert_eq!(authorities.kept, ["authority SEGOT1"]);
    let sehel1_competences = shipped()
        .authorities
        .authorities
        .iter()
        .find(|a| a.code == "SEHEL1")
        .map(|a| a.competences.len())
        .unwrap_or_default();
    assert_eq!(authorities.deleted, 1 + sehel1_competences);
    assert_eq!(changes(Dataset::Countries).kept, ["country BV"]);
    assert_eq!(changes(Dataset::Countries).deleted, 1);
    // The section and its only activity type, nothing referring to either.
    assert_eq!(changes(Dataset::Activities).deleted, 2);
    assert!(changes(Dataset::Activities).kept.is_empty());

    let (sehel1, segot1) = query(db, |c| {
        Ok((
            queries::authority(c, "SEHEL1")?,
            queries::authority(c, "SEGOT1")?,
        ))
    })
    .await;
    assert_eq!(sehel1, None);
    let segot1 = segot1.expect("SEGOT1 kept");
    assert!(
        !segot1.competences.is_empty(),
        "a kept authority keeps its competences"
    );
    let codes: Vec<String> = query(db, queries::countries)
        .await
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert!(codes.contains(&"BV".to_owned()) && !codes.contains(&"AQ".to_owned()));
    assert_eq!(
        query(db, |c| queries::activity_type(c, "ORG-EXP")).await,
        None
    );

    // Once nothing refers to it any more, the next load of its dataset deletes it.
    query(db, |c| diesel::delete(memberships::table).execute(c)).await;
    data.authorities.version += 1;
    let report = load(db, data, LATEST).await.expect("third load");
    assert_eq!(report.loaded(), [Dataset::Authorities]);
    assert_eq!(query(db, |c| queries::authority(c, "SEGOT1")).await, None);
}

async fn a_reference_from_a_table_added_later_keeps_the_row(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    // A table the loader does not know about, as a later feature might add.
    query(db, |c| {
        diesel::sql_query(
            "CREATE TABLE later_notifications (id TEXT PRIMARY KEY NOT NULL, \
             bcp TEXT NOT NULL REFERENCES authorities(code))",
        )
        .execute(c)?;
        diesel::sql_query("INSERT INTO later_notifications VALUES ('n1', 'SEHEL1')").execute(c)
    })
    .await;
    let mut data = shipped();
    data.authorities.version += 1;
    data.authorities
        .authorities
        .retain(|a| a.code != "SEHEL1" && a.code != "SEGOT4");
    let report = load(db, data, LATER).await.expect("reload");
    let Some(Outcome::Loaded { changes, .. }) = report.outcome(Dataset::Authorities) else {
        panic!("{report:?}");
    };
    assert_eq!(changes.kept, ["authority SEHEL1"]);
    let (sehel1, segot4) = query(db, |c| {
        Ok((
            queries::authority(c, "SEHEL1")?,
            queries::authority(c, "SEGOT4")?,
        ))
    })
    .await;
    let sehel1 = sehel1.expect("SEHEL1 kept");
    assert!(
        !sehel1.competences.is_empty(),
        "its competences are kept with it"
    );
    assert_eq!(segot4, None, "the load went on after the refused delete");
}

async fn a_failed_load_leaves_the_previous_version(db: &Database) {
    load(db, shipped(), START).await.expect("first load");
    // Invalid on purpose, past validation: the database refuses the dangling country after
    // the countries were already rewritten in the same transaction.
    let mut data = shipped();
    data.countries.version += 1;
    data.countries.countries[0].name = "Principality of Andorra".into();
    data.authorities.version += 1;
    authority_mut(&mut data, "SEARN4").country = "XX".into();
    let error = crate::reference::load::write(db, data, LATER)
        .await
        .expect_err("a foreign key is violated");
    assert!(matches!(error, ReferenceError::Database(_)), "{error:?}");

    let andorra = query(db, queries::countries)
        .await
        .into_iter()
        .find(|c| c.code == "AD")
        .expect("AD");
    assert_eq!(andorra.name, "Andorra");
    for stored in loaded(db).await.values() {
        assert_eq!(
            (stored.version, stored.loaded_at),
            (1, START),
            "{}",
            stored.name
        );
    }
}

async fn a_newer_stored_version_is_left_alone(db: &Database) {
    let mut newer = shipped();
    newer.authorities.version = 7;
    authority_mut(&mut newer, "SEARN4").name = "Arlanda, as a newer release calls it".into();
    load(db, newer, START).await.expect("newer release");
    let report = load_shipped(db, LATER).await.expect("older release");
    assert_eq!(
        report.outcome(Dataset::Authorities),
        Some(&Outcome::NewerStored { stored_version: 7 })
    );
    assert!(report.loaded().is_empty());
    let arlanda = query(db, |c| queries::authority(c, "SEARN4"))
        .await
        .expect("SEARN4");
    assert_eq!(arlanda.name, "Arlanda, as a newer release calls it");
    assert_eq!(loaded(db).await["authorities"].loaded_at, START);
}
