//! "Request authorisation": joining an existing operator, creating a new one (which sends the
//! request with it), asking to be an officer of an authority, and adding an activity to a
//! valid operator. Requests are idempotent: a second request while one is open returns it.

use super::WorkflowError;
use super::access::Actor;
use super::notify::{self, Notice, Recipient};
use super::request_key::{Once, at_most_once};
use crate::app::AppState;
use crate::store::activities::{self, NewActivityRecord};
use crate::store::audit::{self, AuditEntry};
use crate::store::memberships::{self, Member, Organisation, Requested};
use crate::store::operators::{self, CreatedOperator, NewOperatorRecord, OperatorView};
use serde_json::json;

pub(crate) fn recipient(member: &Member) -> Recipient {
    Recipient {
        email: member.email.clone(),
        language: member.language.clone(),
        name: format!("{} {}", member.given_name, member.family_name),
    }
}

pub(crate) fn actor_recipient(actor: &Actor) -> Recipient {
    Recipient {
        email: actor.email.clone(),
        language: actor.language.clone(),
        name: actor.display_name.clone(),
    }
}

/// The valid officers of these authorities.
pub(crate) fn officers(
    conn: &mut infra::db::AnyConnection,
    authority_codes: &[String],
) -> diesel::QueryResult<Vec<Recipient>> {
    let mut out = Vec::new();
    for code in authority_codes {
        out.extend(memberships::officers_of(conn, code)?.iter().map(recipient));
    }
    Ok(out)
}

/// Asks to join an existing operator as a user. Its administrators (or, while it has none,
/// the officers of its responsible authorities) are told.
pub async fn request_membership(
    state: &AppState,
    actor: &Actor,
    operator_id: &str,
) -> Result<Requested, WorkflowError> {
    let (actor_id, operator_id, now) = (
        actor.user_id.clone(),
        operator_id.to_owned(),
        state.clock.now(),
    );
    let scope = actor.clone();
    let (requested, notices) = state
        .db
        .transaction(move |c| {
            let Some((name, status)) = operators::name_and_status(c, &operator_id)? else {
                return Err(WorkflowError::NotFound);
            };
            let responsible = activities::responsible_authorities(c, &operator_id)?;
            scope.may_see_operator(&operator_id, &status, &responsible)?;
            if status != "valid" && !scope.operator_ids_open().contains(&operator_id) {
                return Err(WorkflowError::Conflict("operator_not_valid"));
            }
            let organisation = Organisation::Operator(operator_id.clone());
            let requested =
                memberships::request(c, &actor_id, &organisation, "member", "pending", now)?;
            let Requested::Created(membership) = &requested else {
                return Ok::<_, WorkflowError>((requested, Vec::new()));
            };
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&actor_id),
                    action: "membership.requested",
                    object_type: "membership",
                    object_id: &membership.id,
                    before: None,
                    after: Some(
                        json!({"operator_id": operator_id, "role": "member", "status": "pending"}),
                    ),
                    reason: None,
                },
                now,
            )?;
            let administrators: Vec<Recipient> =
                memberships::of_operator(c, &operator_id, Some("valid"))?
                    .iter()
                    .filter(|m| m.membership.role == "administrator")
                    .map(recipient)
                    .collect();
            let deciders = if administrators.is_empty() {
                officers(c, &responsible)?
            } else {
                administrators
            };
            let notices = vec![
                Notice::new("membership_requested", deciders)
                    .with("operator", name.clone())
                    .with("user", scope.display_name.clone())
                    .with("email", scope.email.clone()),
                Notice::new("request_received", vec![actor_recipient(&scope)])
                    .with("organisation", name),
            ];
            Ok((requested, notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(requested)
}

/// What creating an operator gave.
#[derive(Debug, Clone)]
pub struct OperatorRequest {
    pub operator_id: String,
    pub membership_id: String,
    /// False when this was a repeat of a request already made (a double click, a reload).
    pub created: bool,
}

/// Creates a new operator (status requested) with its first activity (status new), and the
/// creator's pending membership: they become its administrator when an authority validates
/// it. `request_key` is a random value carried by the form (or the API's `Idempotency-Key`):
/// the same key twice returns the first operator instead of creating another.
pub async fn create_operator(
    state: &AppState,
    actor: &Actor,
    operator: NewOperatorRecord,
    activity: NewActivityRecord,
    request_key: &str,
) -> Result<OperatorRequest, WorkflowError> {
    let outcome = at_most_once(
        state,
        "operator-request",
        &actor.user_id,
        request_key,
        |done: &OperatorRequest| format!("{} {}", done.operator_id, done.membership_id),
        create_operator_now(state, actor, operator, activity),
    )
    .await?;
    match outcome {
        Once::Done(done) => Ok(done),
        Once::Repeat(remembered) => {
            let (operator_id, membership_id) = remembered
                .split_once(' ')
                .ok_or(WorkflowError::Conflict("request_in_progress"))?;
            Ok(OperatorRequest {
                operator_id: operator_id.to_owned(),
                membership_id: membership_id.to_owned(),
                created: false,
            })
        }
    }
}

async fn create_operator_now(
    state: &AppState,
    actor: &Actor,
    operator: NewOperatorRecord,
    activity: NewActivityRecord,
) -> Result<OperatorRequest, WorkflowError> {
    let now = state.clock.now();
    let scope = actor.clone();
    let (request, notices) = state
        .db
        .transaction(move |c| {
            for identifier in &operator.identifiers {
                if operators::find_by_identifier(
                    c,
                    &identifier.kind,
                    &operator.country_code,
                    &identifier.normalized,
                )?
                .is_some()
                {
                    return Err(WorkflowError::Conflict("identifier_taken"));
                }
            }
            let CreatedOperator {
                operator_id,
                activity_id,
                ..
            } = operators::insert(c, &operator, &activity, &scope.user_id, now)?;
            let organisation = Organisation::Operator(operator_id.clone());
            let membership =
                match memberships::request(c, &scope.user_id, &organisation, "member", "pending", now)? {
                    Requested::Created(m) | Requested::AlreadyOpen(m) => m,
                };
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "operator.created",
                    object_type: "operator",
                    object_id: &operator_id,
                    before: None,
                    after: Some(json!({
                        "name": operator.name,
                        "country": operator.country_code,
                        "status": "requested",
                        "activity": {"id": activity_id, "code": activity.activity_code, "status": "new", "authorities": activity.authority_codes},
                    })),
                    reason: None,
                },
                now,
            )?;
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "membership.requested",
                    object_type: "membership",
                    object_id: &membership.id,
                    before: None,
                    after: Some(json!({"operator_id": operator_id, "role": "member", "status": "pending"})),
                    reason: None,
                },
                now,
            )?;
            let notices = vec![
                Notice::new("operator_waiting", officers(c, &activity.authority_codes)?)
                    .with("operator", operator.name.clone())
                    .with("country", operator.country_code.clone()),
                Notice::new("request_received", vec![actor_recipient(&scope)])
                    .with("organisation", operator.name.clone()),
            ];
            Ok((
                OperatorRequest {
                    operator_id,
                    membership_id: membership.id,
                    created: true,
                },
                notices,
            ))
        })
        .await?;
    notify::send(state, notices);
    Ok(request)
}

/// Asks to be an officer of an authority; its valid officers decide.
pub async fn request_officer_membership(
    state: &AppState,
    actor: &Actor,
    authority_code: &str,
    authority_name: &str,
) -> Result<Requested, WorkflowError> {
    let (scope, code, name, now) = (
        actor.clone(),
        authority_code.to_owned(),
        authority_name.to_owned(),
        state.clock.now(),
    );
    let (requested, notices) = state
        .db
        .transaction(move |c| {
            let organisation = Organisation::Authority(code.clone());
            let requested =
                memberships::request(c, &scope.user_id, &organisation, "officer", "pending", now)?;
            let Requested::Created(membership) = &requested else {
                return Ok::<_, WorkflowError>((requested, Vec::new()));
            };
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "membership.requested",
                    object_type: "membership",
                    object_id: &membership.id,
                    before: None,
                    after: Some(
                        json!({"authority_code": code, "role": "officer", "status": "pending"}),
                    ),
                    reason: None,
                },
                now,
            )?;
            let notices = vec![
                Notice::new(
                    "membership_requested",
                    officers(c, std::slice::from_ref(&code))?,
                )
                .with("operator", name.clone())
                .with("user", scope.display_name.clone())
                .with("email", scope.email.clone()),
                Notice::new("request_received", vec![actor_recipient(&scope)])
                    .with("organisation", name),
            ];
            Ok((requested, notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(requested)
}

/// Whether the person may add an activity to this operator now. One they may not see is not
/// found; a requested one waits for its authority (a new operator has its one activity until
/// it is valid), any other status but valid refuses too; then only its administrators (and
/// system administrators) may.
pub fn may_add_activity(
    actor: &Actor,
    operator_id: &str,
    status: &str,
    responsible: &[String],
) -> Result<(), WorkflowError> {
    actor.may_see_operator(operator_id, status, responsible)?;
    match status {
        "valid" => {}
        "requested" => return Err(WorkflowError::Conflict("operator_awaiting_validation")),
        _ => return Err(WorkflowError::Conflict("operator_not_valid")),
    }
    actor.may_add_activity_to(operator_id)?;
    Ok(())
}

/// The operator an activity is about to be added to (its country and addresses are what the
/// activity is checked against), when the person may add one now ([`may_add_activity`]).
pub async fn operator_for_new_activity(
    state: &AppState,
    actor: &Actor,
    operator_id: &str,
) -> Result<OperatorView, WorkflowError> {
    let operator_id = operator_id.to_owned();
    let found = state
        .db
        .run(move |c| {
            let Some(operator) = operators::find(c, &operator_id)? else {
                return Ok(None);
            };
            let responsible = activities::responsible_authorities(c, &operator_id)?;
            Ok(Some((operator, responsible)))
        })
        .await?;
    let (operator, responsible) = found.ok_or(WorkflowError::NotFound)?;
    may_add_activity(actor, &operator.id, &operator.status, &responsible)?;
    Ok(operator)
}

/// What adding an activity gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRequest {
    pub activity_id: String,
    /// False when this was a repeat of a request already made (a double click, a reload).
    pub created: bool,
}

/// Adds an activity (status new) to a valid operator, for its administrators; the officers
/// of the responsible authorities chosen are told, and it waits in their worklist.
/// `activity.address_index` is the position of one of the operator's addresses.
/// `request_key` works as for [`create_operator`]: the same key twice adds one activity.
pub async fn add_activity(
    state: &AppState,
    actor: &Actor,
    operator_id: &str,
    activity: NewActivityRecord,
    request_key: &str,
) -> Result<ActivityRequest, WorkflowError> {
    let outcome = at_most_once(
        state,
        &format!("activity-request:{operator_id}"),
        &actor.user_id,
        request_key,
        |activity_id: &String| activity_id.clone(),
        add_activity_now(state, actor, operator_id, activity),
    )
    .await?;
    Ok(match outcome {
        Once::Done(activity_id) => ActivityRequest {
            activity_id,
            created: true,
        },
        Once::Repeat(activity_id) => ActivityRequest {
            activity_id,
            created: false,
        },
    })
}

async fn add_activity_now(
    state: &AppState,
    actor: &Actor,
    operator_id: &str,
    activity: NewActivityRecord,
) -> Result<String, WorkflowError> {
    let (scope, operator_id, now) = (actor.clone(), operator_id.to_owned(), state.clock.now());
    let (activity_id, notices) = state
        .db
        .transaction(move |c| {
            let Some((name, status)) = operators::name_and_status(c, &operator_id)? else {
                return Err(WorkflowError::NotFound);
            };
            let responsible = activities::responsible_authorities(c, &operator_id)?;
            may_add_activity(&scope, &operator_id, &status, &responsible)?;
            let address_id = match activity.address_index {
                Some(index) => Some(
                    operators::address_ids(c, &operator_id)?
                        .get(index)
                        .cloned()
                        .ok_or(WorkflowError::Conflict("address_gone"))?,
                ),
                None => None,
            };
            let activity_id =
                activities::insert(c, &operator_id, &activity, address_id.clone(), now)?;
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "activity.created",
                    object_type: "activity",
                    object_id: &activity_id,
                    before: None,
                    after: Some(json!({
                        "operator_id": operator_id,
                        "code": activity.activity_code,
                        "status": "new",
                        "address_id": address_id,
                        "authorities": activity.authority_codes,
                    })),
                    reason: None,
                },
                now,
            )?;
            let notices = vec![
                Notice::new("activity_waiting", officers(c, &activity.authority_codes)?)
                    .with("operator", name)
                    .with("activity", activity.activity_code.clone()),
            ];
            Ok((activity_id, notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(activity_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memberships::Membership;
    use time::OffsetDateTime;

    fn person(memberships: &[(&str, &str)]) -> Actor {
        Actor {
            user_id: "u".into(),
            is_system_admin: false,
            memberships: memberships
                .iter()
                .map(|(role, status)| Membership {
                    id: format!("m-{role}-{status}"),
                    user_id: "u".into(),
                    organisation: Organisation::Operator("op".into()),
                    organisation_name: "Nordic Plant Import AB".into(),
                    role: (*role).into(),
                    status: (*status).into(),
                    reason: None,
                    requested_at: OffsetDateTime::UNIX_EPOCH,
                    decided_at: None,
                })
                .collect(),
            email: "u@example.eu".into(),
            language: "en".into(),
            display_name: "U".into(),
        }
    }

    fn refusal(actor: &Actor, status: &str) -> Option<String> {
        may_add_activity(actor, "op", status, &["SEARN4".into()])
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn administrators_of_a_valid_operator_add_activities() {
        let administrator = person(&[("administrator", "valid")]);
        assert_eq!(refusal(&administrator, "valid"), None);
        for status in ["suspended", "withdrawn", "rejected"] {
            assert_eq!(
                refusal(&administrator, status).as_deref(),
                Some("conflict: operator_not_valid"),
                "{status}"
            );
        }
    }

    #[test]
    fn a_pending_operator_is_told_apart_from_a_refusal() {
        // Its creator has a pending membership: they may see it, and are told to wait.
        let creator = person(&[("member", "pending")]);
        assert_eq!(
            refusal(&creator, "requested").as_deref(),
            Some("conflict: operator_awaiting_validation")
        );
        // Anyone else does not see it at all.
        assert_eq!(
            refusal(&person(&[]), "requested").as_deref(),
            Some("not found")
        );
    }

    #[test]
    fn plain_users_and_strangers_may_not_add() {
        assert_eq!(
            refusal(&person(&[("member", "valid")]), "valid").as_deref(),
            Some("forbidden")
        );
        assert_eq!(refusal(&person(&[]), "valid").as_deref(), Some("forbidden"));
        assert_eq!(
            refusal(&person(&[]), "suspended").as_deref(),
            Some("not found")
        );
    }
}
