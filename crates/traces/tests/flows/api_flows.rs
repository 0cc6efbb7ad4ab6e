//! The seed journey through the JSON API, with real eulogin access tokens: the officer finds
//! the new operators in the worklist and decides on them (a reason required to reject), the
//! first user becomes administrator, a colleague searches, asks to join (twice: one request),
//! the administrator decides on them, the officer suspends and reinstates an activity; the
//! search pages; and every error answered as RFC 9457 problem JSON (malformed JSON, wrong
//! content type, unknown field or action, missing reason, bad query, unknown user).
//! Creating an operator has no API endpoint yet: the importer uses the page.

use crate::access_world::{
    appoint_officer, create_operator, first_activity, make_system_administrator,
};
use crate::on_both_backends;
use crate::support::*;
use serde_json::{Value, json};

/// A client of the API holding one person's access token.
struct ApiClient<'w> {
    world: &'w TestWorld,
    token: String,
    http: reqwest::Client,
}

/// An answer: status and JSON body (problem JSON is checked on the way).
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
}

impl<'w> ApiClient<'w> {
    async fn of(world: &'w TestWorld, person: &Person) -> ApiClient<'w> {
        ApiClient {
            world,
            token: world.access_token(person).await,
            http: reqwest::Client::new(),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("not JSON ({status}, {content_type}): {text:?}"));
        if status >= 400 {
            assert_eq!(content_type, "application/problem+json", "{body}");
            assert_eq!(body["status"], status, "{body}");
            assert!(
                body["type"].as_str().unwrap().starts_with("urn:problem:"),
                "{body}"
            );
            assert!(body["title"].is_string(), "{body}");
        }
        Answer { status, body }
    }

    async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(self.world.traces(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_raw(path, "application/json", body.to_string())
            .await
    }

    async fn post_raw(&self, path: &str, content_type: &str, body: String) -> Answer {
        let response = self
            .http
            .post(self.world.traces(path))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends!(the_seed_journey_through_the_api, |world| {
    let importer = world
        .new_person("eva@nordicplant.example", "Eva", "Holm")
        .await;
    let colleague = world
        .new_person("nils@nordicplant.example", "Nils", "Ek")
        .await;
    let officer = world
        .new_person("officer@arlanda.example", "Ola", "Berg")
        .await;
    let system = world
        .new_person("admin@traces.example", "Siv", "Admin")
        .await;
    let eva_browser = world.browser_logged_in(&importer).await;
    let ola_browser = world.browser_logged_in(&officer).await;
    let siv_browser = world.browser_logged_in(&system).await;
    world.browser_logged_in(&colleague).await;
    make_system_administrator(world, &system).await;
    appoint_officer(world, &ola_browser, &officer, &siv_browser, "SEARN4").await;

    // Two new operators (no API endpoint creates one yet: the page does).
    let plant = create_operator(&eva_browser, "Nordic Plant Import AB", "556036-0793", "k1").await;
    let logistics = create_operator(
        &eva_browser,
        "Nordic Plant Logistics AB",
        "556012-5790",
        "k2",
    )
    .await;

    let eva = ApiClient::of(world, &importer).await;
    let nils = ApiClient::of(world, &colleague).await;
    let ola = ApiClient::of(world, &officer).await;

    // The officer's worklist lists both; a stranger cannot see them, exactly like a missing id.
    let worklist = ola.get("/api/v1/authority/worklist").await;
    assert_eq!(worklist.status, 200);
    assert_eq!(worklist.body["operators"].as_array().unwrap().len(), 2);
    let shown = ola.get(&format!("/api/v1/operators/{plant}")).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.body["status"], "requested");
    let hidden = nils.get(&format!("/api/v1/operators/{plant}")).await;
    let missing = nils
        .get("/api/v1/operators/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.body, missing.body);

    // Search pages: both for the officer, one per page; past the end, nothing.
    let first = ola.get("/api/v1/operators?q=nordic&per_page=1").await;
    assert_eq!(first.status, 200);
    assert_eq!(
        (first.body["total"].as_i64(), first.body["page"].as_i64()),
        (Some(2), Some(1))
    );
    let second = ola
        .get("/api/v1/operators?q=nordic&per_page=1&page=2")
        .await;
    assert_eq!(ids(&first.body).len(), 1);
    assert_eq!(ids(&second.body).len(), 1);
    assert_ne!(ids(&first.body), ids(&second.body));
    let past = ola
        .get("/api/v1/operators?q=nordic&per_page=1&page=3")
        .await;
    assert!(ids(&past.body).is_empty());
    let clamped = ola
        .get("/api/v1/operators?q=nordic&per_page=5000&page=0")
        .await;
    assert_eq!(clamped.body["per_page"], 100);
    assert_eq!(clamped.body["page"], 1);
    assert_eq!(ids(&clamped.body).len(), 2);
    let bad = ola.get("/api/v1/operators?page=first").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["type"], "urn:problem:invalid-query");

    // Decisions: the importer cannot validate their own operator; the officer can.
    let refused = eva
        .post(
            &format!("/api/v1/operators/{plant}/decision"),
            json!({"action": "validate"}),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body["type"], "urn:problem:forbidden");
    let unknown = ola
        .post(
            &format!("/api/v1/operators/{plant}/decision"),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["type"], "urn:problem:invalid-request");
    let validated = ola
        .post(
            &format!("/api/v1/operators/{plant}/decision"),
            json!({"action": "validate"}),
        )
        .await;
    assert_eq!(
        (validated.status, &validated.body),
        (200, &json!({"status": "valid"}))
    );
    let again = ola
        .post(
            &format!("/api/v1/operators/{plant}/decision"),
            json!({"action": "validate"}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["type"], "urn:problem:already_decided");
    let no_reason = ola
        .post(
            &format!("/api/v1/operators/{logistics}/decision"),
            json!({"action": "reject", "reason": "  "}),
        )
        .await;
    assert_eq!(no_reason.status, 409);
    assert_eq!(no_reason.body["type"], "urn:problem:reason_required");
    let rejected = ola
        .post(
            &format!("/api/v1/operators/{logistics}/decision"),
            json!({"action": "reject", "reason": "No such company at this address"}),
        )
        .await;
    assert_eq!(rejected.body, json!({"status": "rejected"}));

    // Eva is now the administrator of the validated one.
    let mine = eva.get("/api/v1/memberships").await;
    let of_plant = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["organisation"]["id"] == plant.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (&of_plant["status"], &of_plant["role"]),
        (&json!("valid"), &json!("administrator"))
    );

    // Nils finds the valid one (not the rejected one) and asks to join, twice: one request.
    let found = nils.get("/api/v1/operators?q=nordic").await;
    assert_eq!(ids(&found.body), std::slice::from_ref(&plant));
    let path = format!("/api/v1/operators/{plant}/authorisation-requests");
    let asked = nils.post(&path, json!({})).await;
    let asked_again = nils.post(&path, json!({})).await;
    assert_eq!((asked.status, asked_again.status), (201, 200));
    assert_eq!(asked.body["id"], asked_again.body["id"]);
    assert_eq!(asked.body["status"], "pending");
    let request = asked.body["id"].as_str().unwrap().to_owned();
    let not_for_him = nils
        .get(&format!("/api/v1/operators/{plant}/memberships"))
        .await;
    assert_eq!(not_for_him.status, 403);
    let members = eva
        .get(&format!("/api/v1/operators/{plant}/memberships"))
        .await;
    assert!(
        members
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["membership"]["id"] == request.as_str() && m["email"] == colleague.email)
    );

    // The administrator's decision, after every kind of malformed one.
    let decision = format!("/api/v1/memberships/{request}/decision");
    let malformed = eva
        .post_raw(&decision, "application/json", "{\"action\":".to_owned())
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["type"], "urn:problem:invalid-json");
    let as_form = eva
        .post_raw(
            &decision,
            "application/x-www-form-urlencoded",
            "action=validate".to_owned(),
        )
        .await;
    assert_eq!(as_form.status, 400);
    assert_eq!(as_form.body["type"], "urn:problem:invalid-json");
    let extra = eva
        .post(
            &decision,
            json!({"action": "validate", "role": "administrator"}),
        )
        .await;
    assert_eq!(extra.status, 400);
    let no_action = eva.post(&decision, json!({"reason": "x"})).await;
    assert_eq!(no_action.status, 400);
    let unknown = eva.post(&decision, json!({"action": "promote"})).await;
    assert_eq!(unknown.status, 422);
    let refuse_without_reason = eva.post(&decision, json!({"action": "refuse"})).await;
    assert_eq!(refuse_without_reason.status, 409);
    assert_eq!(
        refuse_without_reason.body["type"],
        "urn:problem:reason_required"
    );
    let own = eva
        .post(
            &format!(
                "/api/v1/memberships/{}/decision",
                of_plant["id"].as_str().unwrap()
            ),
            json!({"action": "revoke", "reason": "leaving"}),
        )
        .await;
    assert_eq!(own.status, 409);
    assert_eq!(own.body["type"], "urn:problem:own_membership");
    let validated = eva.post(&decision, json!({"action": "validate"})).await;
    assert_eq!(validated.body, json!({"status": "valid", "role": "member"}));
    let his = nils.get("/api/v1/memberships").await;
    assert_eq!(his.body[0]["status"], "valid");

    // A member does not manage members; the officer suspends the activity and reinstates it.
    let by_member = nils
        .post(&decision, json!({"action": "revoke", "reason": "x"}))
        .await;
    assert_eq!(by_member.status, 404);
    let activity = first_activity(world, &plant).await;
    let activity_decision = format!("/api/v1/activities/{activity}/decision");
    let by_administrator = eva
        .post(
            &activity_decision,
            json!({"action": "suspend", "reason": "x"}),
        )
        .await;
    assert_eq!(by_administrator.status, 403);
    let suspended = ola
        .post(
            &activity_decision,
            json!({"action": "suspend", "reason": "Inspection pending"}),
        )
        .await;
    assert_eq!(suspended.body, json!({"status": "suspended"}));
    let shown = eva.get(&format!("/api/v1/operators/{plant}")).await;
    assert_eq!(shown.body["activities"][0]["status"], "suspended");
    assert_eq!(
        shown.body["activities"][0]["status_reason"],
        "Inspection pending"
    );
    let reinstated = ola
        .post(&activity_decision, json!({"action": "reinstate"}))
        .await;
    assert_eq!(reinstated.body, json!({"status": "valid"}));

    // Every decision made through the API is in the audit log.
    let (operator_history, activity_history) = world
        .traces
        .db
        .run({
            let (plant, activity) = (plant.clone(), activity.clone());
            move |c| {
                Ok((
                    traces::store::audit::of_object(c, "operator", &plant)?,
                    traces::store::audit::of_object(c, "activity", &activity)?,
                ))
            }
        })
        .await
        .unwrap();
    let actions = |h: &[traces::store::audit::AuditRecord]| {
        h.iter().map(|r| r.action.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        actions(&operator_history),
        ["operator.created", "operator.status"]
    );
    assert_eq!(
        actions(&activity_history),
        ["activity.status", "activity.status", "activity.status"]
    );

    // Someone who never logged in to traces has a valid token but no user.
    let sara_person = world.new_person("sara@else.example", "Sara", "Lind").await;
    let sara = ApiClient::of(world, &sara_person).await;
    let me = sara.get("/api/v1/me").await;
    assert_eq!((me.status, &me.body["user"]), (200, &Value::Null));
    let search = sara.get("/api/v1/operators").await;
    assert_eq!(search.status, 403);
    assert_eq!(search.body["type"], "urn:problem:unknown-user");
});
