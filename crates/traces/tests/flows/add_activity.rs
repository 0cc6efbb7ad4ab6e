//! "Add an activity" and the notifications an operator can make, from the seed guide's rule:
//! an importer without an agent needs both a plant-health importer activity (EURPO or EUPO)
//! and Responsible for the load (RFL), both valid, to notify a CHED-PP. The importer's operator
//! is created with EURPO and validated; its page says CHED-PP needs RFL; its administrator adds
//! RFL through the page (a form with mistakes first: every error shown, the input kept), the
//! Arlanda officer validates it from the worklist, and the page says CHED-PP is possible. A
//! plain user and a stranger get no link and are refused; a pending operator is refused with a
//! clear message; the API adds an activity too, with problem JSON naming every invalid field.

use crate::on_both_backends;
use crate::support::*;
use crate::workflow_journey::{OPERATOR_FORM, location, make_officer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The activity part of the form, as the administrator fills it in to add RFL.
const RFL_FORM: &[(&str, &str)] = &[
    ("activity_code", "RFL"),
    ("activity_identifier", "556036-0793"),
    ("valid_from", "2026-12-15"),
    ("time_zone", "Europe/Stockholm"),
    ("activity_address", "0"),
    ("authority", "SEARN4"),
    ("request_key", "add-rfl-1"),
];

fn with_step<'a>(fields: &[(&'a str, &'a str)], step: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut all = fields.to_vec();
    all.push(("step", step));
    all
}

/// The row of the notifications table for CHED-PP.
fn ched_pp_row(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("#notifications tbody tr").unwrap();
    doc.select(&rows)
        .map(|row| row.text().collect::<String>())
        .find(|text| text.contains("CHED-PP"))
        .unwrap_or_else(|| panic!("no CHED-PP row:\n{html}"))
}

/// Whether the CHED-PP row says "Yes".
fn ched_pp_allowed(html: &str) -> bool {
    text_of(html, "#notifications tr.notification-allowed").contains("CHED-PP")
}

/// How many elements match `css`.
fn count(html: &str, css: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap();
    doc.select(&selector).count()
}

async fn api(
    world: &TestWorld,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, world.traces(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

on_both_backends!(an_importer_adds_rfl_to_notify_plants, |world| {
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
    let nils = world.browser_logged_in(&colleague).await;
    let ola = world.browser_logged_in(&officer).await;
    let sara = world.browser_logged_in(&stranger).await;
    make_officer(world, &officer, "SEARN4").await;
    let eva_token = world.access_token(&importer).await;

    // Eva creates her operator with EURPO, as in the seed journey.
    let created = eva
        .post_form("/operators/new", &with_step(OPERATOR_FORM, "send"))
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let operator_page = location(&created).replace("?done=created", "");
    let operator_id = operator_page.trim_start_matches("/operators/").to_owned();
    let add_page = format!("/operators/{operator_id}/activities/new");

    // While it is pending, nothing can be added: its creator is told why, others see nothing.
    let (_, html) = eva.get(&operator_page).await;
    assert!(!has(&html, &format!("a[href=\"{add_page}\"]")), "{html}");
    let (status, html) = eva.get(&add_page).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("more can be added once it is valid"),
        "{html}"
    );
    let refused = eva.post_form(&add_page, &with_step(RFL_FORM, "send")).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let (status, problem) = api(
        world,
        &eva_token,
        reqwest::Method::POST,
        &format!("/api/v1/operators/{operator_id}/activities"),
        Some(&json!({"activity_code": "RFL"})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["type"], "urn:problem:operator_awaiting_validation");
    let (status, _) = sara.get(&add_page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let refused = sara
        .post_form(&add_page, &with_step(RFL_FORM, "send"))
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::NOT_FOUND,
        "a stranger cannot even tell the pending operator exists"
    );

    // The Arlanda officer validates it (with its EURPO); Eva becomes its administrator.
    let decided = ola
        .post_form(
            &format!("/operators/{operator_id}/decision"),
            &[("action", "validate"), ("reason", "")],
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);

    // Her page: CHED-PP is not possible, Responsible for the load is missing; she may add it.
    let (_, html) = eva.get(&operator_page).await;
    assert!(has(&html, &format!("a[href=\"{add_page}\"]")), "{html}");
    let row = ched_pp_row(&html);
    assert!(!ched_pp_allowed(&html), "{row}");
    assert!(
        row.contains("A valid Responsible for the load activity (RFL)")
            && row.contains("You do not have this activity: add it to your operator."),
        "{row}"
    );
    assert!(
        !ched_pp_row(&html).contains("plant-health importer"),
        "EURPO is valid: {row}"
    );

    // Nils joins as a plain user: he sees the page without the link and is refused.
    let asked = nils
        .post_form("/authorisation/request", &[("operator", &operator_id)])
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let pending = world
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
    let validated = eva
        .post_form(
            &format!("/memberships/{}/decision", pending[0].membership.id),
            &[("action", "validate")],
        )
        .await;
    assert_eq!(validated.status(), StatusCode::SEE_OTHER);
    for (who, browser) in [("Nils", &nils), ("Sara", &sara)] {
        let (status, html) = browser.get(&operator_page).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(!has(&html, &format!("a[href=\"{add_page}\"]")), "{who}");
        let (status, html) = browser.get(&add_page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert!(html.contains("Your organisations and roles do not allow this."));
        let refused = browser
            .post_form(&add_page, &with_step(RFL_FORM, "send"))
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
    }
    // Nils reads what is missing addressed to him; Sara reads the same facts about the operator.
    let (_, html) = nils.get(&operator_page).await;
    assert!(ched_pp_row(&html).contains("You do not have this activity"));
    let (_, html) = sara.get(&operator_page).await;
    assert!(
        ched_pp_row(&html).contains("The operator does not have this activity."),
        "{html}"
    );

    // Eva fills in the form with mistakes: every problem at once, what she typed kept.
    let (status, html) = eva.get(&add_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nordic Plant Import AB"));
    let request_key = hidden_input(&html, "request_key").unwrap();
    assert!(!request_key.is_empty(), "the form carries a request key");
    let mistakes = [
        ("activity_identifier", "556036-0793"),
        ("valid_from", "15/12/2026"),
        ("time_zone", "Europe/Stockholm"),
        ("activity_address", "0"),
        ("step", "review"),
    ];
    let page = eva.post_form(&add_page, &mistakes).await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    for field in ["activity_code", "valid_from", "authorities"] {
        assert!(
            has(&html, &format!("#{field}-error")),
            "{field} flagged:\n{html}"
        );
    }
    assert_eq!(
        count(&html, "div.notice.error li"),
        3,
        "three problems in the summary: {}",
        text_of(&html, "div.notice.error")
    );
    assert!(has(
        &html,
        "input#activity_identifier[value=\"556036-0793\"]"
    ));
    assert!(has(&html, "input#valid_from[value=\"15/12/2026\"]"));

    // She searches the responsible authorities: the BCPs of Sweden competent for RFL.
    let searched = eva
        .post_form(
            &add_page,
            &[
                ("activity_code", "RFL"),
                ("time_zone", "Europe/Stockholm"),
                ("activity_address", "0"),
                ("authority_q", "Arlanda"),
                ("step", "search_authorities"),
            ],
        )
        .await;
    assert_eq!(searched.status(), StatusCode::OK);
    let html = searched.text().await.unwrap();
    assert!(
        has(&html, "input[name=\"authority\"][value=\"SEARN4\"]"),
        "{html}"
    );
    assert!(has(
        &html,
        "select#activity_code option[value=\"RFL\"][selected]"
    ));

    // Review, then "Add the activity" twice (a double click): one RFL.
    let review = eva
        .post_form(&add_page, &with_step(RFL_FORM, "review"))
        .await;
    assert_eq!(review.status(), StatusCode::OK);
    let html = review.text().await.unwrap();
    assert!(
        html.contains("Responsible for the load (RFL)") && html.contains("Stockholm Arlanda"),
        "{html}"
    );
    assert!(
        html.contains("Hamngatan 1"),
        "the activity's address: {html}"
    );
    let first = eva.post_form(&add_page, &with_step(RFL_FORM, "send")).await;
    let second = eva.post_form(&add_page, &with_step(RFL_FORM, "send")).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), location(&second), "one activity");
    assert!(location(&first).contains("?done=activity"));
    let activities = world
        .traces
        .db
        .run({
            let id = operator_id.clone();
            move |c| Ok(traces::store::activities::of_operator(c, &id)?)
        })
        .await
        .unwrap();
    let codes: Vec<(&str, &str)> = activities
        .iter()
        .map(|a| (a.activity_code.as_str(), a.status.as_str()))
        .collect();
    assert_eq!(codes, [("EURPO", "valid"), ("RFL", "new")]);
    let rfl = activities[1].clone();
    assert_eq!(rfl.authorities[0].code, "SEARN4");
    assert!(rfl.address_id.is_some(), "at the operator's address");

    // The page says it was added, and that it still waits for validation.
    let (_, html) = eva.get(&location(&first)).await;
    assert!(
        html.contains("The activity was added. The responsible authority will validate it."),
        "{html}"
    );
    assert!(has(&html, &format!("#activity-{} .status-new", rfl.id)));
    let row = ched_pp_row(&html);
    assert!(!ched_pp_allowed(&html));
    assert!(
        row.contains("You have it (RFL), but it is still New"),
        "{row}"
    );

    // It waits in the Arlanda officer's worklist; the officer validates it.
    let (_, worklist) = ola.get("/authority/worklist").await;
    assert!(worklist.contains("Nordic Plant Import AB"), "{worklist}");
    let decided = ola
        .post_form(
            &format!("/activities/{}/decision", rfl.id),
            &[("action", "validate"), ("reason", "")],
        )
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    let (_, worklist) = ola.get("/authority/worklist").await;
    assert!(
        !worklist.contains("Nordic Plant Import AB"),
        "nothing waits"
    );

    // Now the importer may notify plants.
    let (_, html) = eva.get(&operator_page).await;
    assert!(has(&html, &format!("#activity-{} .status-valid", rfl.id)));
    assert!(ched_pp_allowed(&html), "{}", ched_pp_row(&html));

    // The API says the same.
    let (status, operator) = api(
        world,
        &eva_token,
        reqwest::Method::GET,
        &format!("/api/v1/operators/{operator_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let notifications = operator["notifications"].as_array().unwrap();
    let documents: Vec<&str> = notifications
        .iter()
        .map(|n| n["document"].as_str().unwrap())
        .collect();
    assert_eq!(documents, ["ched_pp", "ched_d", "ched_p", "ched_a"]);
    assert_eq!(notifications[0]["allowed"], true);
    assert_eq!(notifications[0]["missing"], json!([]));
    assert_eq!(notifications[1]["allowed"], false);
    assert_eq!(
        notifications[1]["missing"],
        json!([{"need": "food_or_feed_importer", "accepted_codes": ["FNAO-IMP", "FEED-IMP"], "gap": "missing", "held_code": null}])
    );

    // Adding through the API: every invalid field named at once, as problem JSON.
    let activities_url = format!("/api/v1/operators/{operator_id}/activities");
    let (status, problem) = api(
        world,
        &eva_token,
        reqwest::Method::POST,
        &activities_url,
        Some(&json!({"valid_to": "tomorrow", "address_id": "not-an-address", "authority_codes": ["SEARN4", "NOPE"]})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["type"], "urn:problem:invalid-fields");
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("activity_code", "required"),
            ("time_zone", "unknown_time_zone"),
            ("valid_to", "invalid_date_time"),
            ("address_id", "unknown_address"),
            ("authority_codes[1]", "unknown_authority"),
        ],
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["message"], "This field is required.");

    // A valid one is added once, even when the client retries with the same key.
    let address_id = operator["addresses"][0]["id"].as_str().unwrap();
    let body = json!({
        "activity_code": "EUPO",
        "valid_from": "2027-01-01T00:00",
        "time_zone": "Europe/Stockholm",
        "address_id": address_id,
        "authority_codes": ["SEARN4"],
    });
    let (status, added) = api(
        world,
        &eva_token,
        reqwest::Method::POST,
        &activities_url,
        Some(&body),
        Some("retry-1"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["activity_code"], "EUPO");
    assert_eq!(added["status"], "new");
    assert_eq!(added["address_id"], address_id);
    let (status, again) = api(
        world,
        &eva_token,
        reqwest::Method::POST,
        &activities_url,
        Some(&body),
        Some("retry-1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], added["id"]);

    // Others are refused through the API as on the page.
    let nils_token = world.access_token(&colleague).await;
    let (status, problem) = api(
        world,
        &nils_token,
        reqwest::Method::POST,
        &activities_url,
        Some(&body),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:problem:forbidden");
    let (status, _) = api(
        world,
        &eva_token,
        reqwest::Method::POST,
        "/api/v1/operators/00000000-0000-0000-0000-000000000000/activities",
        Some(&body),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Three activities in all, each audited; the officer was e-mailed about RFL.
    let activities = world
        .traces
        .db
        .run({
            let id = operator_id.clone();
            move |c| Ok(traces::store::activities::of_operator(c, &id)?)
        })
        .await
        .unwrap();
    assert_eq!(activities.len(), 3);
    let history = world
        .traces
        .db
        .run({
            let id = rfl.id.clone();
            move |c| Ok(traces::store::audit::of_object(c, "activity", &id)?)
        })
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["activity.created", "activity.status"]);
    world.traces.postman.idle().await;
    let outbox: Vec<String> = std::fs::read_dir(&world.traces.settings.outbox_dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert!(
        outbox
            .iter()
            .any(|m| m.contains("To: officer@arlanda.example") && m.contains("RFL")),
        "the officer was told about the new activity"
    );
});
