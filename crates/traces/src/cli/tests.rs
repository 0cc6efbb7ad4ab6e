//! The administration commands called as `run` calls them, on a database of each backend with
//! the shipped reference data: what they change, that a second run changes nothing, what they
//! refuse, and their audit entries (actor `cli`).

use super::CliError;
use super::admins;
use super::authorities;
use super::officers::{self, Grant};
use super::person::{PersonArgs, PersonChange, PersonDetails, PersonKey};
use crate::both_backends;
use crate::store::audit::{self, AuditRecord};
use crate::store::memberships::{self, Organisation};
use crate::store::users::{self, Identity};
use infra::db::Database;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 09:00 UTC);
const ISSUER: &str = "http://localhost:8080";

both_backends!(
    adding_an_officer_is_idempotent_and_audited,
    a_pending_request_becomes_valid,
    unknown_authorities_and_people_change_nothing,
    system_administrators_are_added_and_removed,
    authorities_are_listed_by_country_and_code,
);

async fn loaded(db: &Database) {
    crate::reference::load_shipped(db, NOW)
        .await
        .expect("reference data");
}

fn anna() -> PersonDetails {
    PersonDetails {
        issuer: ISSUER.to_owned(),
        subject: "-anna-subject".to_owned(),
        email: Some("anna@demo.example".to_owned()),
        given_name: Some("Anna".to_owned()),
        family_name: Some("Berg".to_owned()),
        language: Some("sv".to_owned()),
    }
}

async fn history(db: &Database, object_type: &'static str, id: &str) -> Vec<AuditRecord> {
    let id = id.to_owned();
    db.run(move |c| Ok(audit::of_object(c, object_type, &id)?))
        .await
        .unwrap()
}

async fn adding_an_officer_is_idempotent_and_audited(db: &Database) {
    loaded(db).await;
    let added = officers::add(db, anna(), " searn4 ", NOW).await.unwrap();
    assert_eq!(added.grant, Grant::Granted);
    assert_eq!(added.person, PersonChange::Created);
    assert_eq!(added.authority_code, "SEARN4");
    assert_eq!(added.authority_name, "Stockholm Arlanda airport");
    let user = &added.user;
    assert_eq!(
        (user.issuer.as_str(), user.subject.as_str()),
        (ISSUER, "-anna-subject")
    );
    assert_eq!(user.email, "anna@demo.example");
    assert_eq!(user.language, "sv");
    assert!(!user.is_system_admin);

    let membership = db
        .run({
            let id = added.membership_id.clone();
            move |c| Ok(memberships::find(c, &id)?)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        membership.organisation,
        Organisation::Authority("SEARN4".into())
    );
    assert_eq!(
        (membership.role.as_str(), membership.status.as_str()),
        ("officer", "valid")
    );
    assert_eq!(membership.decided_at, Some(NOW));
    let listed = officers::list(db, Some("searn4".into())).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].email, "anna@demo.example");
    assert!(
        officers::list(db, Some("SEGOT1".into()))
            .await
            .unwrap()
            .is_empty()
    );

    let granted = history(db, "membership", &added.membership_id).await;
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].action, "membership.granted");
    assert_eq!(granted[0].actor_user_id.as_deref(), Some("cli"));
    let created = history(db, "user", &user.id).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].action, "user.created");
    assert_eq!(created[0].actor_user_id.as_deref(), Some("cli"));

    // `make run` again: nothing changes, nothing more is audited.
    let again = officers::add(db, anna(), "SEARN4", NOW).await.unwrap();
    assert_eq!(again.grant, Grant::AlreadyValid);
    assert_eq!(again.person, PersonChange::Unchanged);
    assert_eq!(again.membership_id, added.membership_id);
    assert_eq!(again.user.id, user.id);
    assert_eq!(
        history(db, "membership", &added.membership_id).await.len(),
        1
    );
    assert_eq!(history(db, "user", &user.id).await.len(), 1);

    // New details replace the copies (audited); the language given before is kept.
    let renamed = PersonDetails {
        family_name: Some("Berg-Lind".into()),
        language: None,
        ..anna()
    };
    let updated = officers::add(db, renamed, "SEGOT1", NOW).await.unwrap();
    assert_eq!(updated.person, PersonChange::Updated);
    assert_eq!(updated.grant, Grant::Granted);
    assert_eq!(updated.user.family_name, "Berg-Lind");
    assert_eq!(updated.user.language, "sv");
    let user_history = history(db, "user", &user.id).await;
    assert_eq!(user_history.len(), 2);
    assert_eq!(user_history[1].action, "user.updated");
    assert_eq!(
        user_history[1].before.as_ref().unwrap()["family_name"],
        "Berg"
    );
    assert_eq!(officers::list(db, None).await.unwrap().len(), 2);
}

async fn a_pending_request_becomes_valid(db: &Database) {
    loaded(db).await;
    let pending = db
        .run(|c| {
            let who = Identity {
                issuer: ISSUER.into(),
                subject: "-anna-subject".into(),
                email: "anna@demo.example".into(),
                given_name: "Anna".into(),
                family_name: "Berg".into(),
                language: "sv".into(),
            };
            let user = users::create(c, &who, NOW)?;
            let organisation = Organisation::Authority("SE-PHYTO".into());
            let requested =
                memberships::request(c, &user.id, &organisation, "officer", "pending", NOW)?;
            Ok(requested.membership().clone())
        })
        .await
        .unwrap();
    let added = officers::add(db, anna(), "SE-PHYTO", NOW).await.unwrap();
    assert_eq!(added.grant, Grant::Validated);
    assert_eq!(added.person, PersonChange::Unchanged);
    assert_eq!(
        added.membership_id, pending.id,
        "the request itself, no second membership"
    );
    let decided = history(db, "membership", &pending.id).await;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].action, "membership.decided");
    assert_eq!(decided[0].actor_user_id.as_deref(), Some("cli"));
    assert_eq!(decided[0].before.as_ref().unwrap()["status"], "pending");
    assert_eq!(decided[0].after.as_ref().unwrap()["status"], "valid");
}

async fn unknown_authorities_and_people_change_nothing(db: &Database) {
    loaded(db).await;
    let unknown = officers::add(db, anna(), "XX-NOPE", NOW).await.unwrap_err();
    assert!(
        matches!(&unknown, CliError::UnknownAuthority(code) if code == "XX-NOPE"),
        "{unknown:?}"
    );
    assert!(unknown.to_string().contains("traces authorities list"));
    let nobody = db
        .run(|c| Ok(users::find_by_subject(c, ISSUER, "-anna-subject")?))
        .await
        .unwrap();
    assert!(nobody.is_none(), "the transaction left no user behind");

    // A person traces does not know, without the details to create them.
    let bare = PersonDetails {
        email: None,
        ..anna()
    };
    let refused = officers::add(db, bare.clone(), "SEARN4", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, CliError::UnknownPerson { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("--email"));
    assert!(matches!(
        admins::add(db, bare, NOW).await.unwrap_err(),
        CliError::UnknownPerson { .. }
    ));
    assert!(officers::list(db, None).await.unwrap().is_empty());
}

async fn system_administrators_are_added_and_removed(db: &Database) {
    loaded(db).await;
    let added = admins::add(db, anna(), NOW).await.unwrap();
    assert!(added.changed);
    assert_eq!(added.person, PersonChange::Created);
    assert!(added.user.is_system_admin);
    let again = admins::add(db, anna(), NOW).await.unwrap();
    assert!(!again.changed, "a second add changes nothing");
    let listed = db.run(|c| Ok(users::system_admins(c)?)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, added.user.id);

    let removed = admins::remove(db, ISSUER.into(), "-anna-subject".into(), NOW)
        .await
        .unwrap();
    assert!(removed.changed);
    assert!(!removed.user.is_system_admin);
    let history = history(db, "user", &added.user.id).await;
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user.created", "user.system_admin", "user.system_admin"]
    );
    assert!(
        history
            .iter()
            .all(|h| h.actor_user_id.as_deref() == Some("cli"))
    );
    assert_eq!(history[2].after.as_ref().unwrap()["is_system_admin"], false);

    let stranger = admins::remove(db, ISSUER.into(), "nobody".into(), NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(stranger, CliError::UnknownPerson { .. }),
        "{stranger:?}"
    );
}

async fn authorities_are_listed_by_country_and_code(db: &Database) {
    loaded(db).await;
    let all = authorities::all(db).await.unwrap();
    let shipped = crate::reference::ReferenceData::shipped()
        .unwrap()
        .authorities
        .authorities
        .len();
    assert_eq!(all.len(), shipped, "every authority, past one page");
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|a| (a.country_code.clone(), a.code.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn command_line_details_are_checked() {
    let key = |issuer: Option<&str>, subject: &str| PersonKey {
        issuer: issuer.map(str::to_owned),
        subject: subject.to_owned(),
    };
    let args = |email: &str, language: Option<&str>| PersonArgs {
        key: key(None, "sub"),
        email: Some(email.to_owned()),
        given_name: Some(" Anna ".to_owned()),
        family_name: Some("Berg".to_owned()),
        language: language.map(str::to_owned),
    };
    // The issuer as tokens carry it: the default, or the one given without trailing slash.
    assert_eq!(
        key(None, " -sub ").check(ISSUER).unwrap(),
        (ISSUER.to_owned(), "-sub".to_owned())
    );
    assert_eq!(
        key(Some("https://login.example.eu/"), "sub")
            .check(ISSUER)
            .unwrap()
            .0,
        "https://login.example.eu"
    );
    for bad in [
        key(Some("login.example.eu"), "sub"),
        key(Some("ftp://login.example.eu"), "sub"),
        key(None, ""),
        key(None, "two words"),
    ] {
        assert!(
            matches!(bad.check(ISSUER), Err(CliError::Invalid(_))),
            "{bad:?}"
        );
    }
    let checked = args("anna@demo.example", Some("FR")).check(ISSUER).unwrap();
    assert_eq!(checked.given_name.as_deref(), Some("Anna"));
    assert_eq!(checked.language.as_deref(), Some("fr"));
    assert!(matches!(
        args("anna", None).check(ISSUER),
        Err(CliError::Invalid(_))
    ));
    assert!(matches!(
        args("anna@demo.example", Some("xx")).check(ISSUER),
        Err(CliError::Invalid(_))
    ));
    let blank = PersonArgs {
        family_name: Some("  ".to_owned()),
        ..args("anna@demo.example", None)
    };
    assert!(matches!(blank.check(ISSUER), Err(CliError::Invalid(_))));
}
