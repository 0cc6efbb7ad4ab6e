//! The four-month rule end to end: a user of an operator who stays away 110 days gets the
//! warning e-mail; at 123 days (not a second before) the job deactivates them and e-mails
//! them; their pages lead to `/deactivated` and their API calls get 403. They ask for
//! reactivation (twice: one request; without the CSRF token: refused); the operator's
//! administrator and the officer of its responsible authority are e-mailed and see the
//! request, a stranger cannot decide on it (404, pages and API); the administrator
//! reactivates them, their pages work again and they are e-mailed.

use crate::on_both_backends;
use crate::support::*;
use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};
use traces::store::activities::NewActivityRecord;
use traces::store::memberships::{self, Organisation};
use traces::store::operators::{self, NewAddressRecord, NewIdentifierRecord, NewOperatorRecord};
use traces::workflows::inactivity::{Summary, run_now, shown};

fn now(world: &TestWorld) -> OffsetDateTime {
    infra::Clock::now(&*world.traces.clock)
}

/// Moves the clock to `at`.
fn travel_to(world: &TestWorld, at: OffsetDateTime) {
    world.clock.advance(at - now(world));
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A valid operator (with a plant-health activity assigned to Stockholm Arlanda) whose
/// members are `member` and, as administrator, `administrator`; `officer` is an officer of
/// Arlanda.
async fn team(world: &TestWorld, member: &Person, administrator: &Person, officer: &Person) {
    let member = world.traces_user(member).await.unwrap().id;
    let administrator = world.traces_user(administrator).await.unwrap().id;
    let officer = world.traces_user(officer).await.unwrap().id;
    let at = now(world);
    world
        .traces
        .db
        .transaction(move |c| {
            let operator = NewOperatorRecord {
                organisation_type: "operator".to_owned(),
                name: "Nordic Plant Import AB".to_owned(),
                country_code: "SE".to_owned(),
                phone: None,
                email: None,
                addresses: vec![NewAddressRecord {
                    region: None,
                    city: "Stockholm".to_owned(),
                    address: "Hamngatan 1".to_owned(),
                    postal_code: None,
                    latitude: None,
                    longitude: None,
                }],
                identifiers: vec![NewIdentifierRecord {
                    kind: "national_register".to_owned(),
                    value: "556036-0793".to_owned(),
                    normalized: "5560360793".to_owned(),
                }],
            };
            let activity = NewActivityRecord {
                activity_code: "EURPO".to_owned(),
                identifier: None,
                valid_from: None,
                valid_to: None,
                time_zone: "Europe/Stockholm".to_owned(),
                publication_date: None,
                application_date: None,
                address_index: Some(0),
                authority_codes: vec!["SEARN4".to_owned()],
            };
            let created = operators::insert(c, &operator, &activity, &administrator, at)?;
            operators::set_status(c, &created.operator_id, "valid", None, at)?;
            traces::store::activities::set_status(
                c,
                &created.activity_id,
                "valid",
                None,
                &officer,
                at,
            )?;
            let company = Organisation::Operator(created.operator_id.clone());
            memberships::request(c, &member, &company, "member", "valid", at)?;
            memberships::request(c, &administrator, &company, "administrator", "valid", at)?;
            let arlanda = Organisation::Authority("SEARN4".to_owned());
            memberships::request(c, &officer, &arlanda, "officer", "valid", at)?;
            Ok::<_, infra::db::DbError>(())
        })
        .await
        .unwrap();
}

/// Every e-mail traces sent so far: (recipient, subject and decoded text).
async fn outbox(world: &TestWorld) -> Vec<(String, String)> {
    world.traces.postman.idle().await;
    std::fs::read_dir(&world.traces.settings.outbox_dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let to = message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned();
            let text = format!(
                "{}\n{}",
                message.subject().unwrap_or_default(),
                message.body_text(0).unwrap_or_default()
            );
            (to, text)
        })
        .collect()
}

/// How many e-mails to `address` contain `words`.
async fn mails_to(world: &TestWorld, address: &str, words: &str) -> usize {
    outbox(world)
        .await
        .iter()
        .filter(|(to, text)| to == address && text.contains(words))
        .count()
}

async fn api_get(world: &TestWorld, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(world.traces(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn api_post(
    world: &TestWorld,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(world.traces(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

on_both_backends!(away_four_months_then_reactivated, |world| {
    let eva_person = world
        .new_person("eva@nordicplant.example", "Eva", "Holm")
        .await;
    let anna_person = world
        .new_person("anna@nordicplant.example", "Anna", "Berg")
        .await;
    let olle_person = world
        .new_person("officer@arlanda.example", "Olle", "Lind")
        .await;
    let sara_person = world.new_person("someone@else.example", "Sara", "Ek").await;
    for person in [&eva_person, &anna_person, &olle_person, &sara_person] {
        world.browser_logged_in(person).await;
    }
    team(world, &eva_person, &anna_person, &olle_person).await;
    let last_use = world.traces_user(&eva_person).await.unwrap().last_seen_at;
    let deadline = last_use + Duration::days(123);

    // The others keep using TRACES; Eva stays away.
    travel_to(world, last_use + Duration::days(100));
    for person in [&anna_person, &olle_person, &sara_person] {
        world.browser_logged_in(person).await;
    }

    // 110 days: the warning, with the date, once.
    travel_to(world, last_use + Duration::days(110));
    let summary = run_now(&world.traces).await.unwrap();
    assert_eq!(
        summary,
        Summary {
            warned: 1,
            deactivated: 0
        }
    );
    let warning = format!("will be deactivated on {}", shown(deadline));
    assert_eq!(
        mails_to(world, "eva@nordicplant.example", &warning).await,
        1
    );
    assert_eq!(run_now(&world.traces).await.unwrap(), Summary::default());
    assert_eq!(
        mails_to(world, "anna@nordicplant.example", "deactivated").await,
        0
    );

    // 123 days: deactivated at the deadline, not a second before.
    travel_to(world, deadline - Duration::seconds(1));
    assert_eq!(run_now(&world.traces).await.unwrap(), Summary::default());
    travel_to(world, deadline);
    let summary = run_now(&world.traces).await.unwrap();
    assert_eq!(summary.deactivated, 1);
    let user = world.traces_user(&eva_person).await.unwrap();
    assert_eq!(user.deactivated_at, Some(deadline));
    assert_eq!(
        mails_to(world, "eva@nordicplant.example", "/deactivated").await,
        1,
        "the deactivation e-mail says where to ask for reactivation"
    );

    // Logging in lands on /deactivated; every page leads there; the API says 403.
    let eva = world.browser();
    let (url, status, page) = world.log_in(&eva, &eva_person, "/workspace").await;
    assert_eq!(url.as_str(), world.traces("/deactivated"), "{page}");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&shown(deadline)), "when:\n{page}");
    assert!(page.contains("123 days"), "why:\n{page}");
    for path in ["/workspace", "/operators", "/account"] {
        let response = eva.get_response(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/deactivated", "{path}");
    }
    let eva_token = world.access_token(&eva_person).await;
    let refused = api_get(world, &eva_token, "/api/v1/me").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:problem:account-deactivated");

    // Asking: without the CSRF token refused; twice, one request.
    let forged = eva
        .client
        .post(eva.url("/deactivated"))
        .form(&[("message", "let me in")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let long = "x".repeat(1001);
    let too_long = eva.post_form("/deactivated", &[("message", &long)]).await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = too_long.text().await.unwrap();
    assert!(text_of(&page, "#message-error").contains("1000 characters"));
    let message = [("message", "Back from parental leave")];
    for _ in 0..2 {
        let asked = eva.post_form("/deactivated", &message).await;
        assert_eq!(asked.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&asked), "/deactivated");
    }
    let requests = world
        .traces
        .db
        .run(|c| {
            use traces::store::reactivations::{Near, pending};
            Ok(pending(c, Near::Everyone, 10)?)
        })
        .await
        .unwrap();
    assert_eq!(requests.len(), 1, "asking twice makes one request");
    let (status, page) = eva.get("/deactivated").await;
    assert_eq!(status, StatusCode::OK);
    let pending = text_of(&page, "#request-pending");
    assert!(
        pending.contains(&shown(requests[0].request.requested_at)) && pending.contains("pending"),
        "request sent on <date>, pending: {pending}"
    );
    assert!(!has(&page, "textarea[name=\"message\"]"), "no second form");
    let request_id = requests[0].request.id.clone();
    let decision = format!("/reactivation-requests/{request_id}/decision");

    // The administrator and the responsible officer are told, nobody else.
    let anna = world.browser_logged_in(&anna_person).await;
    let olle = world.browser_logged_in(&olle_person).await;
    let sara = world.browser_logged_in(&sara_person).await;
    let asks = "Eva Holm (eva@nordicplant.example) was deactivated";
    assert_eq!(mails_to(world, "anna@nordicplant.example", asks).await, 1);
    assert_eq!(mails_to(world, "officer@arlanda.example", asks).await, 1);
    assert_eq!(mails_to(world, "someone@else.example", asks).await, 0);
    let (_, workspace) = anna.get("/workspace").await;
    assert!(
        text_of(&workspace, "#reactivations").contains("Back from parental leave"),
        "{workspace}"
    );
    let (_, worklist) = olle.get("/authority/worklist").await;
    assert!(text_of(&worklist, "#reactivations").contains("eva@nordicplant.example"));
    let olle_token = world.access_token(&olle_person).await;
    let listed: serde_json::Value = api_get(world, &olle_token, "/api/v1/reactivation-requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["requests"][0]["id"], request_id.as_str());
    assert_eq!(
        listed["requests"][0]["user"]["email"],
        "eva@nordicplant.example"
    );
    assert_eq!(
        listed["requests"][0]["organisations"][0],
        "Nordic Plant Import AB"
    );

    // A stranger sees nothing and cannot decide: 404, like a request that does not exist.
    let (_, workspace) = sara.get("/workspace").await;
    assert!(!has(&workspace, "#reactivations"));
    let refused = sara.post_form(&decision, &[("action", "reactivate")]).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let sara_token = world.access_token(&sara_person).await;
    let listed: serde_json::Value = api_get(world, &sara_token, "/api/v1/reactivation-requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["requests"], serde_json::json!([]));
    let refused = api_post(
        world,
        &sara_token,
        &format!("/api/v1{decision}"),
        serde_json::json!({"action": "reactivate"}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    // Refusing needs a reason; a decision without the CSRF token is refused.
    let no_reason = anna
        .post_form(&decision, &[("action", "refuse"), ("reason", " ")])
        .await;
    assert_eq!(no_reason.status(), StatusCode::CONFLICT);
    let forged = anna
        .client
        .post(anna.url(&decision))
        .form(&[("action", "reactivate")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        world
            .traces_user(&eva_person)
            .await
            .unwrap()
            .is_deactivated()
    );

    // The administrator reactivates her: a new period starts now.
    let decided = anna
        .post_form(
            &decision,
            &[("action", "reactivate"), ("from", "workspace")],
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&decided), "/workspace?reactivation=decided");
    let user = world.traces_user(&eva_person).await.unwrap();
    assert_eq!(
        (
            user.deactivated_at,
            user.inactivity_warned_at,
            user.last_seen_at
        ),
        (None, None, now(world))
    );
    let (status, _) = eva.get("/workspace").await;
    assert_eq!(status, StatusCode::OK, "her pages work again");
    let there = eva.get_response("/deactivated").await;
    assert_eq!(
        location(&there),
        "/workspace",
        "nothing to do there any more"
    );
    let anonymous = world.browser().get_response("/deactivated").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/auth/login?return_to="));
    assert_eq!(
        api_get(world, &eva_token, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        mails_to(world, "eva@nordicplant.example", "was reactivated").await,
        1
    );
    // Decided once: the officer is too late.
    let late = api_post(
        world,
        &olle_token,
        &format!("/api/v1{decision}"),
        serde_json::json!({"action": "refuse", "reason": "unknown person"}),
    )
    .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);

    // Audited: the deactivation, the request and the decision.
    let history = |kind: &'static str, id: String| async move {
        world
            .traces
            .db
            .run(move |c| Ok(traces::store::audit::of_object(c, kind, &id)?))
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.action)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        history("user", user.id.clone()).await,
        [
            "user.inactivity_warned",
            "user.deactivated",
            "user.reactivated"
        ]
    );
    assert_eq!(
        history("reactivation_request", request_id.clone()).await,
        ["reactivation.requested", "reactivation.decided"]
    );
});
