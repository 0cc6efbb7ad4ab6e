//! Reactivation after inactivity: a deactivated user asks to be let in again (one pending
//! request per user: asking twice returns the pending one), and the people responsible for
//! them decide — the administrators of one of the user's operators, the officers of an
//! authority responsible for one of those operators, the other officers of the user's own
//! authority, or a system administrator. Reactivating starts a new four-month period.
//!
//! "The user's organisations" are their valid memberships. The request is e-mailed to all who
//! may decide; when nobody may (a user without a valid membership), to the system
//! administrators. Someone who may not decide on a request gets the same 404 as for a request
//! that does not exist.

use super::WorkflowError;
use super::access::Actor;
use super::inactivity::shown;
use super::notify::{self, Notice, Recipient};
use super::requests::recipient;
use crate::app::AppState;
use crate::domain::reactivation::{
    self, ReactivationDecision, ReactivationStatus, checked_message,
};
use crate::store::activities;
use crate::store::audit::{self, AuditEntry};
use crate::store::inactivity;
use crate::store::memberships::{self, Member, Organisation};
use crate::store::reactivations::{self, Asked, Contact, Near, ReactivationRequest};
use crate::store::users::{self, User};
use infra::db::AnyConnection;
use serde_json::json;
use time::OffsetDateTime;

/// At most this many pending requests are listed for a decider.
const LISTED: i64 = 200;

/// A pending request as the people who decide see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PendingReactivation {
    #[serde(flatten)]
    pub request: ReactivationRequest,
    pub user: RequestingUser,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deactivated_at: Option<OffsetDateTime>,
    /// The names of the user's organisations (valid memberships).
    pub organisations: Vec<String>,
}

/// Who asks.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestingUser {
    pub id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
}

impl PendingReactivation {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.user.given_name, self.user.family_name)
    }

    /// When the user was deactivated, as pages show it.
    pub fn deactivated_on(&self) -> String {
        self.deactivated_at.map(shown).unwrap_or_default()
    }

    /// When the request was sent, as pages show it.
    pub fn requested_on(&self) -> String {
        shown(self.request.requested_at)
    }

    pub fn organisation_names(&self) -> String {
        self.organisations.join(", ")
    }
}

/// Sends the user's request (their `message` may be empty). Only a deactivated user asks; a
/// second request while one is pending returns it and e-mails nobody.
pub async fn ask(state: &AppState, user: &User, message: &str) -> Result<Asked, WorkflowError> {
    let message =
        checked_message(message).map_err(|_| WorkflowError::Conflict("message_too_long"))?;
    let (user_id, now) = (user.id.clone(), state.clock.now());
    let url = state.settings.url("/workspace");
    let (asked, notices) = state
        .db
        .transaction(move |c| {
            let Some(user) = users::find(c, &user_id)? else {
                return Err(WorkflowError::NotFound);
            };
            if !user.is_deactivated() {
                return Err(WorkflowError::Conflict("not_deactivated"));
            }
            let asked = reactivations::ask(c, &user.id, &message, now)?;
            let Asked::Created(request) = &asked else {
                return Ok((asked, Vec::new()));
            };
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&user.id),
                    action: "reactivation.requested",
                    object_type: "reactivation_request",
                    object_id: &request.id,
                    before: None,
                    after: Some(json!({"user_id": user.id, "status": "pending"})),
                    reason: None,
                },
                now,
            )?;
            let deciders = deciders_of(c, &user.id)?;
            let notices = vec![
                Notice::new("reactivation_requested", deciders)
                    .with("user", user.display_name())
                    .with("email", user.email.clone())
                    .with("message", quoted(&message))
                    .with("url", url),
            ];
            Ok((asked, notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(asked)
}

/// The message as the e-mail quotes it ("-" when there is none).
fn quoted(message: &str) -> String {
    if message.is_empty() {
        "-".to_owned()
    } else {
        message.to_owned()
    }
}

fn contact(person: Contact) -> Recipient {
    Recipient {
        name: format!("{} {}", person.given_name, person.family_name),
        email: person.email,
        language: person.language,
    }
}

/// Everyone who may decide on `user_id`'s request, except the user; the system
/// administrators when that is nobody.
fn deciders_of(conn: &mut AnyConnection, user_id: &str) -> diesel::QueryResult<Vec<Recipient>> {
    let others = |members: Vec<Member>| -> Vec<Recipient> {
        members
            .iter()
            .filter(|m| m.membership.user_id != user_id)
            .map(recipient)
            .collect()
    };
    let mut out = Vec::new();
    for membership in memberships::of_user(conn, user_id)? {
        if !membership.is_valid() {
            continue;
        }
        match &membership.organisation {
            Organisation::Operator(operator_id) => {
                let administrators = memberships::of_operator(conn, operator_id, Some("valid"))?
                    .into_iter()
                    .filter(|m| m.membership.role == "administrator")
                    .collect();
                out.extend(others(administrators));
                for code in activities::responsible_authorities(conn, operator_id)? {
                    out.extend(others(memberships::officers_of(conn, &code)?));
                }
            }
            Organisation::Authority(code) => {
                out.extend(others(memberships::officers_of(conn, code)?));
            }
        }
    }
    if out.is_empty() {
        out = reactivations::system_administrators(conn)?
            .into_iter()
            .map(contact)
            .collect();
    }
    Ok(out)
}

/// Whether `actor` may decide on the reactivation of `user_id`: a system administrator, or
/// through one of the user's valid memberships — an administrator of that operator, an officer
/// of an authority responsible for it, or an officer of that same authority.
fn may_decide(conn: &mut AnyConnection, actor: &Actor, user_id: &str) -> diesel::QueryResult<bool> {
    if actor.is_system_admin {
        return Ok(true);
    }
    let codes = actor.authority_codes();
    let administers = actor
        .organisations()
        .iter()
        .any(|m| m.role == "administrator");
    if codes.is_empty() && !administers {
        return Ok(false);
    }
    for membership in memberships::of_user(conn, user_id)? {
        if !membership.is_valid() {
            continue;
        }
        let decides = match &membership.organisation {
            Organisation::Operator(operator_id) => {
                actor.is_administrator_of(operator_id)
                    || (!codes.is_empty()
                        && actor.is_responsible_for(&activities::responsible_authorities(
                            conn,
                            operator_id,
                        )?))
            }
            Organisation::Authority(code) => codes.contains(code),
        };
        if decides {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the person could decide on any request at all (so pages skip the query).
fn may_decide_any(actor: &Actor) -> bool {
    actor.is_system_admin
        || actor.is_officer()
        || actor
            .organisations()
            .iter()
            .any(|m| m.role == "administrator")
}

/// The pending requests `actor` may decide on, oldest first.
pub async fn pending_for(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<PendingReactivation>, infra::db::DbError> {
    if !may_decide_any(actor) {
        return Ok(Vec::new());
    }
    let scope = actor.clone();
    let codes = actor.authority_codes();
    let administered: Vec<String> = actor
        .organisations()
        .iter()
        .filter(|m| m.role == "administrator")
        .filter_map(|m| m.operator_id().map(str::to_owned))
        .collect();
    state
        .db
        .run(move |c| {
            let mut listed = Vec::new();
            let near = if scope.is_system_admin {
                Near::Everyone
            } else {
                Near::Organisations {
                    operator_ids: &administered,
                    authority_codes: &codes,
                }
            };
            for pending in reactivations::pending(c, near, LISTED)? {
                let user_id = pending.request.user_id.clone();
                if user_id == scope.user_id || !may_decide(c, &scope, &user_id)? {
                    continue;
                }
                let organisations = memberships::of_user(c, &user_id)?
                    .into_iter()
                    .filter(|m| m.is_valid())
                    .map(|m| m.organisation_name)
                    .collect();
                listed.push(PendingReactivation {
                    user: RequestingUser {
                        id: user_id,
                        email: pending.email,
                        given_name: pending.given_name,
                        family_name: pending.family_name,
                    },
                    request: pending.request,
                    deactivated_at: pending.deactivated_at,
                    organisations,
                });
            }
            Ok(listed)
        })
        .await
}

/// Reactivates the user of request `id`, or refuses with a reason; returns the request's new
/// status (`reactivated` or `refused`). Reactivating clears the deactivation and the warning
/// and starts a new period now; the user is e-mailed either way.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: &str,
    decision: ReactivationDecision,
) -> Result<&'static str, WorkflowError> {
    let (scope, id, now) = (actor.clone(), id.to_owned(), state.clock.now());
    let url = state.settings.url("/workspace");
    let (status, notices) = state
        .db
        .transaction(move |c| {
            let Some(request) = reactivations::find(c, &id)? else {
                return Err(WorkflowError::NotFound);
            };
            if !may_decide(c, &scope, &request.user_id)? {
                return Err(WorkflowError::NotFound);
            }
            if request.user_id == scope.user_id {
                return Err(WorkflowError::Conflict("own_membership"));
            }
            let current = ReactivationStatus::parse(&request.status)
                .ok_or(WorkflowError::Conflict("unknown_status"))?;
            let decided = reactivation::decide(current, &decision)
                .map_err(|e| WorkflowError::Conflict(e.code()))?;
            let status = decided.status.code();
            let reason = decided.reason.as_deref();
            if !reactivations::close(c, &request.id, status, reason, &scope.user_id, now)? {
                return Err(WorkflowError::Conflict("already_decided"));
            }
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "reactivation.decided",
                    object_type: "reactivation_request",
                    object_id: &request.id,
                    before: Some(json!({"status": request.status})),
                    after: Some(json!({"status": status})),
                    reason,
                },
                now,
            )?;
            let Some(user) = users::find(c, &request.user_id)? else {
                return Err(WorkflowError::NotFound);
            };
            if decided.status == ReactivationStatus::Reactivated {
                inactivity::reactivate(c, &user.id, now)?;
                audit::record(
                    c,
                    &AuditEntry {
                        actor_user_id: Some(&scope.user_id),
                        action: "user.reactivated",
                        object_type: "user",
                        object_id: &user.id,
                        before: Some(json!({
                            "deactivated_at": user.deactivated_at.map(super::inactivity::stamp),
                        })),
                        after: Some(json!({
                            "deactivated_at": null,
                            "last_seen_at": super::inactivity::stamp(now),
                        })),
                        reason: None,
                    },
                    now,
                )?;
            }
            let to = vec![Recipient {
                email: user.email.clone(),
                language: user.language.clone(),
                name: user.display_name(),
            }];
            let notice = match decided.status {
                ReactivationStatus::Reactivated => {
                    Notice::new("account_reactivated", to).with("url", url)
                }
                _ => Notice::new("reactivation_refused", to)
                    .with("reason", reason.unwrap_or("-").to_owned()),
            };
            Ok((status, vec![notice]))
        })
        .await?;
    notify::send(state, notices);
    Ok(status)
}
