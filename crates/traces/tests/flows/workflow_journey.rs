//! The seed guide's journey end to end, as people do it in a browser: an importer creates a new
//! operator with a plant-health activity assigned to Stockholm Arlanda (the request is sent with
//! it, once even on a double click), the Arlanda officer sees it in the worklist and validates
//! it, the importer becomes its administrator, a colleague asks to join (twice: one request),
//! the administrator validates them; every decision is e-mailed and audited, and another
//! person cannot see the operator while it is pending.

use crate::on_both_backends;
use crate::support::*;
use reqwest::StatusCode;

/// Makes `person` a valid officer of `authority` (as the demo data and an administrator do).
pub(crate) async fn make_officer(world: &TestWorld, person: &Person, authority: &str) {
    let user = world.traces_user(person).await.expect("logged in once");
    let (user_id, code) = (user.id.clone(), authority.to_owned());
    let now = infra::Clock::now(&*world.traces.clock);
    world
        .traces
        .db
        .transaction(move |c| {
            let organisation = traces::store::memberships::Organisation::Authority(code);
            let requested = traces::store::memberships::request(
                c,
                &user_id,
                &organisation,
                "officer",
                "valid",
                now,
            )?;
            Ok::<_, infra::db::DbError>(requested)
        })
        .await
        .unwrap();
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) const OPERATOR_FORM: &[(&str, &str)] = &[
    ("organisation_type", "operator"),
    ("name", "Nordic Plant Import AB"),
    ("country", "SE"),
    ("phone", "+46 8 123 456 78"),
    ("email", "info@nordicplant.example"),
    ("addresses", "1"),
    ("address_0_address", "Hamngatan 1"),
    ("address_0_postal_code", "111 47"),
    ("address_0_city", "Stockholm"),
    ("identifiers", "1"),
    ("identifier_0_kind", "national_register"),
    ("identifier_0_value", "556036-0793"),
    ("activity_code", "EURPO"),
    ("activity_identifier", "556036-0793"),
    ("valid_from", "2026-12-01T08:00"),
    ("time_zone", "Europe/Stockholm"),
    ("activity_address", "0"),
    ("authority", "SEARN4"),
    ("request_key", "form-key-1"),
];

on_both_backends!(from_a_new_operator_to_a_validated_team, |world| {
    let importer = world
        .new_person("eva@nordicplant.example", "Eva", "Holm")
        .await;
    let colleague = world
        .new_person("nils@nordicplant.example", "Nils", "Ek")
        .await;
    let officer = world
        .new_person("officer@arlanda.example", "Ola", "Berg")
        .await;
    let stranger = world
        .new_person("someone@else.example", "Sara", "Lind")
        .await;
    let eva = world.browser_logged_in(&importer).await;
    let ola = world.browser_logged_in(&officer).await;
    let sara = world.browser_logged_in(&stranger).await;
    make_officer(world, &officer, "SEARN4").await;

    // A form with mistakes shows them all, and keeps what was typed.
    let mut wrong: Vec<(&str, &str)> = OPERATOR_FORM.to_vec();
    wrong.retain(|(k, _)| !matches!(*k, "address_0_city" | "authority"));
    wrong.push(("identifier_0_value", "556036-0794"));
    wrong.push(("step", "review"));
    let page = eva.post_form("/operators/new", &wrong).await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("Nordic Plant Import AB"), "typed values kept");
    for field in ["address_0_city-error", "authorities-error"] {
        assert!(has(&html, &format!("#{field}")), "{field} flagged:\n{html}");
    }

    // Review, then send twice (a double click): one operator, one request.
    let mut review: Vec<(&str, &str)> = OPERATOR_FORM.to_vec();
    review.push(("step", "review"));
    let page = eva.post_form("/operators/new", &review).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Stockholm Arlanda"));
    let mut send: Vec<(&str, &str)> = OPERATOR_FORM.to_vec();
    send.push(("step", "send"));
    let first = eva.post_form("/operators/new", &send).await;
    let second = eva.post_form("/operators/new", &send).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&first),
        location(&second),
        "a double click makes one operator"
    );
    let operator_page = location(&first).replace("?done=created", "");
    let operator_id = operator_page.trim_start_matches("/operators/").to_owned();
    let (status, html) = eva.get(&operator_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Requested"), "{html}");
    assert!(
        html.contains("2026-12-01 08:00 +01:00 CET"),
        "validity shown in the zone it was entered in:\n{html}"
    );

    // Another person cannot see the pending operator: exactly like a missing one.
    let (status, _) = sara.get(&operator_page).await;
    let (missing, _) = sara
        .get("/operators/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing, StatusCode::NOT_FOUND);
    // ...nor decide on it.
    let refused = sara
        .post_form(
            &format!("/operators/{operator_id}/decision"),
            &[("action", "validate")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    // The Arlanda officer finds it in the worklist and validates it.
    let (status, worklist) = ola.get("/authority/worklist").await;
    assert_eq!(status, StatusCode::OK);
    assert!(worklist.contains("Nordic Plant Import AB"), "{worklist}");
    let decided = ola
        .post_form(
            &format!("/operators/{operator_id}/decision"),
            &[("action", "validate"), ("reason", "")],
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    let (_, html) = eva.get(&operator_page).await;
    assert!(html.contains("status-valid"), "{html}");
    assert!(
        !html.contains("status-new"),
        "the first activity was validated with it"
    );

    // Eva is now its administrator; Nils asks to join, twice, and gets one request.
    let (_, workspace) = eva.get("/workspace").await;
    assert!(workspace.contains("Administrator"), "{workspace}");
    let nils = world.browser_logged_in(&colleague).await;
    for _ in 0..2 {
        let asked = nils
            .post_form("/authorisation/request", &[("operator", &operator_id)])
            .await;
        assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    }
    let (_, html) = eva.get(&operator_page).await;
    assert_eq!(
        html.matches("nils@nordicplant.example").count(),
        1,
        "one request"
    );
    let membership = world
        .traces
        .db
        .run({
            let id = operator_id.clone();
            move |c| {
                Ok(traces::store::memberships::of_operator(
                    c,
                    &id,
                    Some("pending"),
                )?)
            }
        })
        .await
        .unwrap();
    assert_eq!(membership.len(), 1);
    // Refusing needs a reason; validating works.
    let refused = eva
        .post_form(
            &format!("/memberships/{}/decision", membership[0].membership.id),
            &[("action", "refuse"), ("reason", " ")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    // Nobody decides on their own access.
    let own = world
        .traces
        .db
        .run({
            let id = operator_id.clone();
            move |c| {
                Ok(traces::store::memberships::of_operator(
                    c,
                    &id,
                    Some("valid"),
                )?)
            }
        })
        .await
        .unwrap();
    let refused = eva
        .post_form(
            &format!("/memberships/{}/decision", own[0].membership.id),
            &[("action", "revoke"), ("reason", "leaving")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let validated = eva
        .post_form(
            &format!("/memberships/{}/decision", membership[0].membership.id),
            &[("action", "validate")],
        )
        .await;
    assert_eq!(validated.status(), StatusCode::SEE_OTHER);
    let (_, workspace) = nils.get("/workspace").await;
    assert!(workspace.contains("Nordic Plant Import AB") && workspace.contains("status-valid"));

    // Every decision is in the audit log with the state before and after.
    let history = world
        .traces
        .db
        .run({
            let id = operator_id.clone();
            move |c| Ok(traces::store::audit::of_object(c, "operator", &id)?)
        })
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["operator.created", "operator.status"]);
    assert_eq!(history[1].before.as_ref().unwrap()["status"], "requested");
    assert_eq!(history[1].after.as_ref().unwrap()["status"], "valid");

    // The people concerned were e-mailed.
    world.traces.postman.idle().await;
    let outbox: Vec<String> = std::fs::read_dir(&world.traces.settings.outbox_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    let to = |address: &str, words: &str| {
        outbox
            .iter()
            .any(|m| m.contains(&format!("To: {address}")) && m.contains(words))
    };
    assert!(to("officer@arlanda.example", "waiting for validation"));
    assert!(to(
        "eva@nordicplant.example",
        "decision on Nordic Plant Import AB"
    ));
    assert!(to("nils@nordicplant.example", "was validated"));
});
