//! Every page route and every API endpoint, asked by every role of `access_world` (anonymous,
//! administrator of A, member of A, requester on A, creator of B, officer of the authority
//! responsible for A and B, officer of another authority, system administrator): the exact
//! status each one gets, and after every POST the proof that a refused (or merely repeated)
//! request changed nothing — no status, no membership, no audit entry.
//!
//! The POSTs are chosen so that even the people who are allowed change nothing: a decision
//! that does not fit the record's status (validating a valid operator), a refusal without its
//! reason, a request already open. An allowed caller then gets 409 (the workflow ran its
//! access checks and reached the state machine), a refused one 403 or 404. The decisions that
//! do change things are in `api_flows.rs` and `workflow_journey.rs`.
//!
//! Every 404 on a real record is also compared with the answer for a well-formed id that
//! names nothing: same status, same body, so ids reveal nothing.
//!
//! A new endpoint is one line in `PAGES` or `API` (its path, its body, eight statuses).

use crate::access_world::*;
use crate::on_both_backends;
use crate::support::has;
use reqwest::{Method, StatusCode};

/// The expected status per role, in the order of `ROLES`: anonymous, administrator of A,
/// member of A, requester on A, creator of B, officer, other officer, system administrator.
/// For pages, 303 from anonymous means "to the login, coming back here"; from anyone else a
/// redirect elsewhere.
type Expect = [u16; 8];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    Page,
    Api,
}

#[derive(Debug)]
struct Row {
    surface: Surface,
    post: bool,
    path: &'static str,
    /// A form (`a=b&c=d`) for pages, JSON for the API; placeholders as in `AccessWorld::fill`.
    body: &'static str,
    expect: Expect,
}

const fn page_get(path: &'static str, expect: Expect) -> Row {
    Row {
        surface: Surface::Page,
        post: false,
        path,
        body: "",
        expect,
    }
}

const fn page_post(path: &'static str, body: &'static str, expect: Expect) -> Row {
    Row {
        surface: Surface::Page,
        post: true,
        path,
        body,
        expect,
    }
}

const fn api_get(path: &'static str, expect: Expect) -> Row {
    Row {
        surface: Surface::Api,
        post: false,
        path,
        body: "",
        expect,
    }
}

const fn api_post(path: &'static str, body: &'static str, expect: Expect) -> Row {
    Row {
        surface: Surface::Api,
        post: true,
        path,
        body,
        expect,
    }
}

#[rustfmt::skip]
const PAGES: &[Row] = &[
    //                                                                                      anon adm  mbr  req  crB  off  oth  sys
    page_get("/",                                                                          [200, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/healthz",                                                                   [200, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/readyz",                                                                    [200, 200, 200, 200, 200, 200, 200, 200]),
    // On the metrics listener only (`operations.rs`).
    page_get("/metrics",                                                                   [404, 404, 404, 404, 404, 404, 404, 404]),
    page_get("/static/style.css",                                                          [200, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/account",                                                                   [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/workspace",                                                                 [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/authority/worklist",                                                        [303, 403, 403, 403, 403, 200, 200, 403]),
    page_get("/authorisation",                                                             [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/authorisation/find?type=operator",                                          [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/operators",                                                                 [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/operators/new",                                                             [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/operators/{A}",                                                             [303, 200, 200, 200, 200, 200, 200, 200]),
    page_get("/operators/{B}",                                                             [303, 404, 404, 404, 200, 200, 404, 200]),
    page_get("/operators/{missing}",                                                       [303, 404, 404, 404, 404, 404, 404, 404]),
    page_get("/operators/{A}/activities/new",                                              [303, 200, 403, 403, 403, 403, 403, 200]),
    page_get("/operators/{B}/activities/new",                                              [303, 404, 404, 404, 409, 409, 404, 409]),
    page_get("/operators/{missing}/activities/new",                                        [303, 404, 404, 404, 404, 404, 404, 404]),
    page_post("/operators/{A}/activities/new",  "step=review",                             [401, 422, 403, 403, 403, 403, 403, 422]),
    page_post("/operators/{B}/activities/new",  "step=review",                             [401, 404, 404, 404, 409, 409, 404, 409]),
    page_get("/deactivated",                                                               [303, 303, 303, 303, 303, 303, 303, 303]),
    page_post("/deactivated",                   "message=",                                [401, 303, 303, 303, 303, 303, 303, 303]),
    page_post("/reactivation-requests/{missing}/decision", "action=reactivate",            [401, 404, 404, 404, 404, 404, 404, 404]),
    page_post("/workspace/switch",              "membership={administrator_of_A}",         [401, 303, 404, 404, 404, 404, 404, 404]),
    page_post("/authorisation/request",         "operator={B}",                            [401, 404, 404, 404, 303, 409, 404, 409]),
    page_post("/authorisation/authority",       "authority=NOWHERE",                       [401, 409, 409, 409, 409, 409, 409, 409]),
    page_post("/operators/new",                 "step=review",                             [401, 422, 422, 422, 422, 422, 422, 422]),
    page_post("/operators/{A}/decision",        "action=validate",                         [401, 403, 403, 403, 403, 409, 403, 403]),
    page_post("/operators/{B}/decision",        "action=reinstate",                        [401, 404, 404, 404, 403, 409, 404, 403]),
    page_post("/operators/{missing}/decision",  "action=validate",                         [401, 404, 404, 404, 404, 404, 404, 404]),
    page_post("/activities/{A_activity}/decision", "action=validate",                      [401, 403, 403, 403, 403, 409, 403, 403]),
    page_post("/activities/{B_activity}/decision", "action=reinstate",                     [401, 404, 404, 404, 403, 409, 404, 403]),
    page_post("/memberships/{request_on_A}/decision", "action=refuse&reason=",             [401, 409, 404, 404, 404, 409, 404, 409]),
    page_post("/memberships/{member_of_A}/decision", "action=validate",                    [401, 409, 404, 404, 404, 409, 404, 409]),
    page_post("/memberships/{creator_of_B}/decision", "action=refuse&reason=",             [401, 404, 404, 404, 404, 409, 404, 409]),
    page_post("/memberships/{officer_of_responsible}/decision", "action=validate",         [401, 404, 404, 404, 404, 409, 404, 409]),
];

#[rustfmt::skip]
const API: &[Row] = &[
    //                                                                                      anon adm  mbr  req  crB  off  oth  sys
    api_get("/api/v1/openapi.json",                                                        [200, 200, 200, 200, 200, 200, 200, 200]),
    api_get("/api/v1/me",                                                                  [401, 200, 200, 200, 200, 200, 200, 200]),
    api_get("/api/v1/memberships",                                                         [401, 200, 200, 200, 200, 200, 200, 200]),
    api_get("/api/v1/operators",                                                           [401, 200, 200, 200, 200, 200, 200, 200]),
    api_get("/api/v1/operators/{A}",                                                       [401, 200, 200, 200, 200, 200, 200, 200]),
    api_get("/api/v1/operators/{B}",                                                       [401, 404, 404, 404, 200, 200, 404, 200]),
    api_get("/api/v1/operators/{missing}",                                                 [401, 404, 404, 404, 404, 404, 404, 404]),
    api_get("/api/v1/operators/{A}/memberships",                                           [401, 200, 403, 403, 403, 200, 403, 200]),
    api_get("/api/v1/operators/{B}/memberships",                                           [401, 404, 404, 404, 403, 200, 404, 200]),
    api_get("/api/v1/authority/worklist",                                                  [401, 403, 403, 403, 403, 200, 200, 403]),
    api_get("/api/v1/reactivation-requests",                                               [401, 200, 200, 200, 200, 200, 200, 200]),
    api_post("/api/v1/reactivation-requests/{missing}/decision", r#"{"action":"reactivate"}"#, [401, 404, 404, 404, 404, 404, 404, 404]),
    api_post("/api/v1/operators/{B}/authorisation-requests", "{}",                         [401, 404, 404, 404, 200, 409, 404, 409]),
    api_post("/api/v1/operators/{A}/activities", "{}",                                     [401, 422, 403, 403, 403, 403, 403, 422]),
    api_post("/api/v1/operators/{B}/activities", "{}",                                     [401, 404, 404, 404, 409, 409, 404, 409]),
    api_post("/api/v1/operators/{missing}/activities", "{}",                               [401, 404, 404, 404, 404, 404, 404, 404]),
    api_post("/api/v1/operators/{A}/decision",  r#"{"action":"validate"}"#,                [401, 403, 403, 403, 403, 409, 403, 403]),
    api_post("/api/v1/operators/{B}/decision",  r#"{"action":"reinstate"}"#,               [401, 404, 404, 404, 403, 409, 404, 403]),
    api_post("/api/v1/operators/{missing}/decision", r#"{"action":"validate"}"#,           [401, 404, 404, 404, 404, 404, 404, 404]),
    api_post("/api/v1/activities/{A_activity}/decision", r#"{"action":"validate"}"#,       [401, 403, 403, 403, 403, 409, 403, 403]),
    api_post("/api/v1/activities/{B_activity}/decision", r#"{"action":"reinstate"}"#,      [401, 404, 404, 404, 403, 409, 404, 403]),
    api_post("/api/v1/memberships/{request_on_A}/decision", r#"{"action":"refuse"}"#,      [401, 409, 404, 404, 404, 409, 404, 409]),
    api_post("/api/v1/memberships/{member_of_A}/decision", r#"{"action":"validate"}"#,     [401, 409, 404, 404, 404, 409, 404, 409]),
    api_post("/api/v1/memberships/{creator_of_B}/decision", r#"{"action":"refuse"}"#,      [401, 404, 404, 404, 404, 409, 404, 409]),
    api_post("/api/v1/memberships/{officer_of_responsible}/decision", r#"{"action":"validate"}"#, [401, 404, 404, 404, 404, 409, 404, 409]),
];

/// Content rules, per role in the order of `ROLES` (anonymous is never asked).
/// Who finds B in the operator search (pages and API).
const FINDS_B: [bool; 8] = [false, false, false, false, true, true, false, true];
/// Who sees A's users (and their forms) on its page.
const SEES_USERS_OF_A: [bool; 8] = [false, true, false, false, false, true, false, true];
/// Who gets the decision form for A on its page.
const DECIDES_ON_A: [bool; 8] = [false, false, false, false, false, true, false, false];
/// Whose worklist (page and API) lists B.
const WORKLIST_HAS_B: [bool; 8] = [false, false, false, false, false, true, false, false];

/// One answer: status, `Location`, `Content-Type`, `WWW-Authenticate`, body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: String,
    challenge: Option<String>,
    body: String,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Answer {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (location, content_type, challenge) = (
            header("location"),
            header("content-type").unwrap_or_default(),
            header("www-authenticate"),
        );
        Answer {
            status: response.status().as_u16(),
            location,
            content_type,
            challenge,
            body: response.text().await.unwrap(),
        }
    }
}

/// Sends `row` as `actor`, with the placeholders of `path` and `body` filled by `fill`.
async fn send(
    actor: &Actor,
    world: &AccessWorld<'_>,
    row: &Row,
    fill: &dyn Fn(&str) -> String,
    csrf: bool,
) -> Answer {
    let url = world.world.traces(&fill(row.path));
    let method = if row.post { Method::POST } else { Method::GET };
    let request = match row.surface {
        Surface::Page => {
            let request = actor.browser.client.request(method, url);
            if row.post {
                let token = if csrf { actor.csrf.as_str() } else { "" };
                request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf_token={token}&{}", fill(row.body)))
            } else {
                request
            }
        }
        Surface::Api => {
            let mut request = reqwest::Client::new().request(method, url);
            if let Some(token) = &actor.token {
                request = request.bearer_auth(token);
            }
            if row.post {
                request = request
                    .header("content-type", "application/json")
                    .body(fill(row.body));
            }
            request
        }
    };
    Answer::of(request.send().await.unwrap()).await
}

/// What is wrong with `answer` to `row` for the actor in column `column`, if anything.
fn check(row: &Row, column: usize, actor: &Actor, answer: &Answer) -> Option<String> {
    let expected = row.expect[column];
    let what = format!(
        "{} {} as {:?}",
        if row.post { "POST" } else { "GET" },
        row.path,
        actor.role
    );
    if answer.status != expected {
        return Some(format!(
            "{what}: {} instead of {expected}: {}",
            answer.status,
            answer.body.chars().take(300).collect::<String>()
        ));
    }
    let anonymous = actor.role == Role::Anonymous;
    match row.surface {
        Surface::Page if answer.status == 303 => {
            let to_login = answer
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/auth/login?return_to="));
            if anonymous != to_login {
                return Some(format!("{what}: redirected to {:?}", answer.location));
            }
        }
        Surface::Api if answer.status >= 400 => {
            if answer.content_type != "application/problem+json" {
                return Some(format!("{what}: not problem JSON: {}", answer.content_type));
            }
            let problem: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
            if problem["status"] != answer.status {
                return Some(format!("{what}: problem {problem}"));
            }
            if answer.status == 401
                && (problem["type"] != "urn:problem:unauthenticated"
                    || !answer
                        .challenge
                        .as_deref()
                        .is_some_and(|c| c.starts_with("Bearer realm=\"traces\"")))
            {
                return Some(format!("{what}: {problem} {:?}", answer.challenge));
            }
        }
        _ => {}
    }
    None
}

/// Runs the table: every row for every role. Returns what went wrong.
async fn run(world: &AccessWorld<'_>, rows: &[Row]) -> Vec<String> {
    let mut wrong = Vec::new();
    let same = |text: &str| world.fill(text);
    let missing = |text: &str| world.fill_missing(text);
    for row in rows {
        for (column, actor) in world.actors.iter().enumerate() {
            let before = if row.post {
                Some(world.digest().await)
            } else {
                None
            };
            let answer = send(actor, world, row, &same, true).await;
            wrong.extend(check(row, column, actor, &answer));
            if let Some(before) = before {
                let after = world.digest().await;
                if before != after {
                    wrong.push(format!(
                        "POST {} as {:?} changed something:\n{before}\n---\n{after}",
                        row.path, actor.role
                    ));
                }
            }
            // A record one may not see answers exactly like a missing one.
            let names_a_record = [row.path, row.body]
                .iter()
                .any(|t| world.fill(t) != world.fill_missing(t));
            if answer.status == 404 && names_a_record {
                let absent = send(actor, world, row, &missing, true).await;
                let seen = world.hide_ids(&answer.body);
                if (absent.status, &absent.body) != (answer.status, &seen) {
                    wrong.push(format!(
                        "{} as {:?}: 404 differs from a missing record's: {} vs {}",
                        row.path, actor.role, answer.body, absent.body
                    ));
                }
            }
        }
    }
    wrong
}

on_both_backends!(every_role_on_every_page_and_endpoint, |world| {
    let access = AccessWorld::build(world).await;
    let mut wrong = run(&access, PAGES).await;
    wrong.extend(run(&access, API).await);

    // A form without the CSRF token is refused before anything, even for the most powerful.
    let system = access.actor(Role::SystemAdministrator);
    for row in PAGES.iter().filter(|r| r.post) {
        let before = access.digest().await;
        let answer = send(system, &access, row, &|t| access.fill(t), false).await;
        if answer.status != 403 || access.digest().await != before {
            wrong.push(format!(
                "POST {} without CSRF token: {}",
                row.path, answer.status
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
});

on_both_backends!(what_each_role_sees_in_pages_and_api, |world| {
    let access = AccessWorld::build(world).await;
    let mut wrong = Vec::new();
    let operator_a_page = format!("/operators/{}", access.operator_a);
    let decision_form = format!("form[action=\"/operators/{}/decision\"]", access.operator_a);
    for (column, actor) in access.actors.iter().enumerate().skip(1) {
        let role = actor.role;
        let token = actor.token.as_deref().unwrap();
        let api = |path: String| {
            reqwest::Client::new()
                .get(world.traces(&path))
                .bearer_auth(token)
                .send()
        };

        let (_, html) = actor.browser.get("/operators?search=1&q=Trading").await;
        let found: serde_json::Value = api("/api/v1/operators?q=Trading".to_owned())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let in_api = found["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == access.operator_b.as_str());
        if html.contains(NAME_B) != FINDS_B[column] || in_api != FINDS_B[column] {
            wrong.push(format!(
                "{role:?} finds B: page {}, API {in_api}",
                html.contains(NAME_B)
            ));
        }

        let (_, html) = actor.browser.get(&operator_a_page).await;
        if has(&html, "#members") != SEES_USERS_OF_A[column] {
            wrong.push(format!(
                "{role:?} sees A's users: {}",
                has(&html, "#members")
            ));
        }
        if has(&html, &decision_form) != DECIDES_ON_A[column] {
            wrong.push(format!(
                "{role:?} decides on A: {}",
                has(&html, &decision_form)
            ));
        }

        let (status, html) = actor.browser.get("/authority/worklist").await;
        let listed = status == StatusCode::OK && html.contains(NAME_B);
        let in_api = match api("/api/v1/authority/worklist".to_owned()).await.unwrap() {
            r if r.status() == StatusCode::OK => {
                let list: serde_json::Value = r.json().await.unwrap();
                list["operators"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|id| id == access.operator_b.as_str())
            }
            _ => false,
        };
        if listed != WORKLIST_HAS_B[column] || in_api != WORKLIST_HAS_B[column] {
            wrong.push(format!(
                "{role:?} worklist has B: page {listed}, API {in_api}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
});
