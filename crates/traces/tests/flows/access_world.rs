//! A world for access tests, built through the real pages and workflows: operator A (valid,
//! with a valid plant-health activity) and operator B (requested, with a new activity), both
//! under Stockholm Arlanda (SEARN4); one person per role, each with a logged-in browser and a
//! real eulogin access token; and a digest of every status and audit entry, to prove that a
//! refused request changed nothing.
//!
//! | role | how they got it |
//! |---|---|
//! | anonymous | nobody logged in, no token |
//! | administrator of A | created A; the officer's validation of A made them its administrator |
//! | member of A | asked to join A, the administrator validated them |
//! | requester on A | asked to join A, still pending |
//! | creator of B | created B, still requested (their membership pending) |
//! | officer | asked to be an officer of SEARN4, validated by the system administrator |
//! | other officer | the same for Göteborg port (SEGOT1), which is responsible for neither |
//! | system administrator | `users.is_system_admin` set in the store (no command exists yet) |

use crate::support::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use traces::store::schema::{activities, audit_log, memberships, operators, users};

/// Who makes a request. The order is the order of the columns of the access tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Anonymous,
    AdministratorOfA,
    MemberOfA,
    RequesterOnA,
    CreatorOfB,
    Officer,
    OtherOfficer,
    SystemAdministrator,
}

pub const ROLES: [Role; 8] = [
    Role::Anonymous,
    Role::AdministratorOfA,
    Role::MemberOfA,
    Role::RequesterOnA,
    Role::CreatorOfB,
    Role::Officer,
    Role::OtherOfficer,
    Role::SystemAdministrator,
];

/// The authority responsible for A and B.
pub const RESPONSIBLE: &str = "SEARN4";
/// An authority responsible for neither.
pub const OTHER_AUTHORITY: &str = "SEGOT1";
/// A well-formed id that names nothing.
pub const MISSING: &str = "00000000-0000-4000-8000-000000000000";

pub const NAME_A: &str = "Nordic Plant Import AB";
pub const NAME_B: &str = "Baltic Seed Trading AB";

/// One person acting in a role.
pub struct Actor {
    pub role: Role,
    pub browser: TracesBrowser,
    /// The browser's CSRF token (one per browser, the same on every page).
    pub csrf: String,
    pub token: Option<String>,
}

/// The world of the access tests.
pub struct AccessWorld<'w> {
    pub world: &'w TestWorld,
    pub actors: Vec<Actor>,
    pub operator_a: String,
    pub activity_a: String,
    pub operator_b: String,
    pub activity_b: String,
    /// The pending membership of the requester on A.
    pub request_on_a: String,
    /// The valid (plain member) membership of the member of A.
    pub member_of_a: String,
    /// The administrator's membership of A.
    pub administrator_of_a: String,
    /// The creator's pending membership of B.
    pub creator_of_b: String,
    /// The officer's valid officer membership of SEARN4.
    pub officer_of_responsible: String,
}

/// The create-operator form of the seed guide, for an operator named `name` with the
/// national register number `register` and its first activity (EURPO) under SEARN4.
pub fn operator_form(name: &str, register: &str, key: &str) -> Vec<(String, String)> {
    [
        ("organisation_type", "operator"),
        ("name", name),
        ("country", "SE"),
        ("phone", "+46 8 123 456 78"),
        ("email", "info@operator.example"),
        ("addresses", "1"),
        ("address_0_address", "Hamngatan 1"),
        ("address_0_postal_code", "111 47"),
        ("address_0_city", "Stockholm"),
        ("identifiers", "1"),
        ("identifier_0_kind", "national_register"),
        ("identifier_0_value", register),
        ("activity_code", "EURPO"),
        ("activity_identifier", register),
        ("valid_from", "2026-12-01T08:00"),
        ("time_zone", "Europe/Stockholm"),
        ("activity_address", "0"),
        ("authority", RESPONSIBLE),
        ("request_key", key),
        ("step", "send"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Submits a form as the browser does, with its CSRF token; fails the test unless the answer
/// is a redirect, and returns where to.
pub async fn post_ok(browser: &TracesBrowser, path: &str, fields: &[(String, String)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = browser.post_form(path, &fields).await;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "POST {path}: {body}");
    location.unwrap()
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Every membership of `person` in traces.
pub async fn memberships_of(
    world: &TestWorld,
    person: &Person,
) -> Vec<traces::store::memberships::Membership> {
    let user = world.traces_user(person).await.expect("logged in once");
    world
        .traces
        .db
        .run(move |c| Ok(traces::store::memberships::of_user(c, &user.id)?))
        .await
        .unwrap()
}

/// Sets the system administrator flag, as the command line will.
pub async fn make_system_administrator(world: &TestWorld, person: &Person) {
    let user = world.traces_user(person).await.expect("logged in once");
    world
        .traces
        .db
        .run(move |c| {
            diesel::update(users::table.filter(users::id.eq(&user.id)))
                .set(users::is_system_admin.eq(true))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// The first activity of an operator.
pub async fn first_activity(world: &TestWorld, operator_id: &str) -> String {
    let id = operator_id.to_owned();
    world
        .traces
        .db
        .run(move |c| Ok(traces::store::operators::find(c, &id)?))
        .await
        .unwrap()
        .expect("the operator exists")
        .activities[0]
        .id
        .clone()
}

/// Creates an operator through the page and returns its id.
pub async fn create_operator(
    browser: &TracesBrowser,
    name: &str,
    register: &str,
    key: &str,
) -> String {
    let location = post_ok(
        browser,
        "/operators/new",
        &operator_form(name, register, key),
    )
    .await;
    location
        .trim_start_matches("/operators/")
        .trim_end_matches("?done=created")
        .to_owned()
}

/// Makes `person` an officer of `authority`: they ask on the page, the system administrator
/// validates. Returns the membership id.
pub async fn appoint_officer(
    world: &TestWorld,
    officer: &TracesBrowser,
    person: &Person,
    system_administrator: &TracesBrowser,
    authority: &str,
) -> String {
    post_ok(
        officer,
        "/authorisation/authority",
        &pairs(&[("authority", authority)]),
    )
    .await;
    let membership = memberships_of(world, person)
        .await
        .into_iter()
        .find(|m| m.authority_code() == Some(authority))
        .expect("the officer request");
    post_ok(
        system_administrator,
        &format!("/memberships/{}/decision", membership.id),
        &pairs(&[("action", "validate")]),
    )
    .await;
    membership.id
}

impl<'w> AccessWorld<'w> {
    pub async fn build(world: &'w TestWorld) -> AccessWorld<'w> {
        let people = [
            ("eva@nordicplant.example", "Eva", "Holm"),
            ("nils@nordicplant.example", "Nils", "Ek"),
            ("rut@nordicplant.example", "Rut", "Sand"),
            ("bo@balticseed.example", "Bo", "Strand"),
            ("ola@arlanda.example", "Ola", "Berg"),
            ("gun@goteborg.example", "Gun", "Dahl"),
            ("admin@traces.example", "Siv", "Admin"),
        ];
        let mut persons = Vec::new();
        for (email, given, family) in people {
            persons.push(world.new_person(email, given, family).await);
        }
        let [
            admin_a,
            member_a,
            requester_a,
            creator_b,
            officer,
            other_officer,
            system,
        ] = persons.try_into().unwrap();
        let eva = world.browser_logged_in(&admin_a).await;
        let nils = world.browser_logged_in(&member_a).await;
        let rut = world.browser_logged_in(&requester_a).await;
        let bo = world.browser_logged_in(&creator_b).await;
        let ola = world.browser_logged_in(&officer).await;
        let gun = world.browser_logged_in(&other_officer).await;
        let siv = world.browser_logged_in(&system).await;
        make_system_administrator(world, &system).await;

        let officer_of_responsible =
            appoint_officer(world, &ola, &officer, &siv, RESPONSIBLE).await;
        appoint_officer(world, &gun, &other_officer, &siv, OTHER_AUTHORITY).await;

        // A: created by Eva, validated by the officer (its activity with it).
        let operator_a = create_operator(&eva, NAME_A, "556036-0793", "key-a").await;
        post_ok(
            &ola,
            &format!("/operators/{operator_a}/decision"),
            &pairs(&[("action", "validate")]),
        )
        .await;
        let activity_a = first_activity(world, &operator_a).await;
        let administrator_of_a = memberships_of(world, &admin_a).await[0].id.clone();

        // Nils asks to join A and is validated; Rut asks and waits.
        let join = pairs(&[("operator", &operator_a)]);
        post_ok(&nils, "/authorisation/request", &join).await;
        post_ok(&rut, "/authorisation/request", &join).await;
        let member_of_a = memberships_of(world, &member_a).await[0].id.clone();
        let request_on_a = memberships_of(world, &requester_a).await[0].id.clone();
        post_ok(
            &eva,
            &format!("/memberships/{member_of_a}/decision"),
            &pairs(&[("action", "validate")]),
        )
        .await;

        // B: created by Bo, waiting for the officer.
        let operator_b = create_operator(&bo, NAME_B, "556016-0680", "key-b").await;
        let activity_b = first_activity(world, &operator_b).await;
        let creator_of_b = memberships_of(world, &creator_b).await[0].id.clone();

        let mut actors = vec![Actor {
            role: Role::Anonymous,
            browser: world.browser(),
            csrf: String::new(),
            token: None,
        }];
        let logged_in = [
            (Role::AdministratorOfA, admin_a, eva),
            (Role::MemberOfA, member_a, nils),
            (Role::RequesterOnA, requester_a, rut),
            (Role::CreatorOfB, creator_b, bo),
            (Role::Officer, officer, ola),
            (Role::OtherOfficer, other_officer, gun),
            (Role::SystemAdministrator, system, siv),
        ];
        for (role, person, browser) in logged_in {
            let csrf = browser.csrf_token("/").await.expect("a CSRF token");
            let token = world.access_token(&person).await;
            actors.push(Actor {
                role,
                browser,
                csrf,
                token: Some(token),
            });
        }
        assert!(
            actors.iter().map(|a| a.role).eq(ROLES),
            "in the order of ROLES"
        );
        let access = AccessWorld {
            world,
            actors,
            operator_a,
            activity_a,
            operator_b,
            activity_b,
            request_on_a,
            member_of_a,
            administrator_of_a,
            creator_of_b,
            officer_of_responsible,
        };
        access.check_statuses().await;
        access
    }

    /// The world is what the tables assume.
    async fn check_statuses(&self) {
        let digest = self.digest().await;
        for line in [
            format!("operator {} valid", self.operator_a),
            format!("operator {} requested", self.operator_b),
            format!("activity {} valid", self.activity_a),
            format!("activity {} new", self.activity_b),
            format!("membership {} valid administrator", self.administrator_of_a),
            format!("membership {} valid member", self.member_of_a),
            format!("membership {} pending member", self.request_on_a),
            format!("membership {} pending member", self.creator_of_b),
            format!("membership {} valid officer", self.officer_of_responsible),
        ] {
            assert!(digest.contains(&line), "{line} in\n{digest}");
        }
    }

    pub fn actor(&self, role: Role) -> &Actor {
        self.actors.iter().find(|a| a.role == role).unwrap()
    }

    /// `text` with its placeholders filled: `{A}`, `{B}`, `{A_activity}`, `{B_activity}`,
    /// `{request_on_A}`, `{member_of_A}`, `{administrator_of_A}`, `{creator_of_B}`,
    /// `{officer_of_responsible}`, `{missing}`.
    pub fn fill(&self, text: &str) -> String {
        self.placeholders()
            .into_iter()
            .fold(text.to_owned(), |text, (name, value)| {
                text.replace(name, value)
            })
    }

    /// `text` with every placeholder of a record replaced by an id that names nothing.
    pub fn fill_missing(&self, text: &str) -> String {
        self.placeholders()
            .into_iter()
            .fold(text.to_owned(), |text, (name, _)| {
                text.replace(name, MISSING)
            })
    }

    /// `text` with every real id of the world replaced by the missing one (a page names the
    /// path it answers in its language links).
    pub fn hide_ids(&self, text: &str) -> String {
        self.placeholders()
            .into_iter()
            .fold(text.to_owned(), |text, (_, id)| text.replace(id, MISSING))
    }

    fn placeholders(&self) -> [(&'static str, &str); 10] {
        [
            ("{A}", self.operator_a.as_str()),
            ("{B}", self.operator_b.as_str()),
            ("{A_activity}", self.activity_a.as_str()),
            ("{B_activity}", self.activity_b.as_str()),
            ("{request_on_A}", self.request_on_a.as_str()),
            ("{member_of_A}", self.member_of_a.as_str()),
            ("{administrator_of_A}", self.administrator_of_a.as_str()),
            ("{creator_of_B}", self.creator_of_b.as_str()),
            (
                "{officer_of_responsible}",
                self.officer_of_responsible.as_str(),
            ),
            ("{missing}", MISSING),
        ]
    }

    /// Every status of operators, activities and memberships, and the number of audit
    /// entries, one per line: equal digests mean nothing was decided or recorded.
    pub async fn digest(&self) -> String {
        self.world
            .traces
            .db
            .run(|c| {
                let mut lines = Vec::new();
                for (id, status) in operators::table
                    .select((operators::id, operators::status))
                    .order(operators::id)
                    .load::<(String, String)>(c)?
                {
                    lines.push(format!("operator {id} {status}"));
                }
                for (id, status) in activities::table
                    .select((activities::id, activities::status))
                    .order(activities::id)
                    .load::<(String, String)>(c)?
                {
                    lines.push(format!("activity {id} {status}"));
                }
                for (id, status, role) in memberships::table
                    .select((memberships::id, memberships::status, memberships::role))
                    .order(memberships::id)
                    .load::<(String, String, String)>(c)?
                {
                    lines.push(format!("membership {id} {status} {role}"));
                }
                let audited: i64 = audit_log::table.count().get_result(c)?;
                lines.push(format!("audit entries {audited}"));
                Ok(lines.join("\n"))
            })
            .await
            .unwrap()
    }
}
