//! The authorities' decisions: validating or rejecting an operator and its activities, and
//! later suspending, withdrawing or reinstating them. Only an officer of an authority assigned
//! to the operator's activities decides. Validating a new operator also validates its new
//! activities assigned to the officer's authorities and makes its first user its administrator.

use super::WorkflowError;
use super::access::Actor;
use super::notify::{self, Notice, Recipient};
use super::requests::recipient;
use crate::app::AppState;
use crate::domain::status::{ActivityStatus, Decision, OperatorStatus};
use crate::store::activities;
use crate::store::audit::{self, AuditEntry};
use crate::store::memberships;
use crate::store::operators;
use infra::db::AnyConnection;
use serde_json::json;
use time::OffsetDateTime;

/// The decision named by a form's or the API's `action` (`validate`, `reject`, `suspend`,
/// `withdraw`, `reinstate`), with its reason; `None` for an unknown action.
pub fn decision_from_action(action: &str, reason: &str) -> Option<Decision> {
    let reason = reason.to_owned();
    Some(match action {
        "validate" => Decision::Validate,
        "reject" => Decision::Reject { reason },
        "suspend" => Decision::Suspend { reason },
        "withdraw" => Decision::Withdraw { reason },
        "reinstate" => Decision::Reinstate,
        _ => return None,
    })
}

/// Everyone with an open membership of the operator (they hear about its decisions).
fn people_of(conn: &mut AnyConnection, operator_id: &str) -> diesel::QueryResult<Vec<Recipient>> {
    Ok(memberships::of_operator(conn, operator_id, None)?
        .iter()
        .filter(|m| m.membership.status == "valid" || m.membership.status == "pending")
        .map(recipient)
        .collect())
}

/// Decides on an operator.
pub async fn decide_operator(
    state: &AppState,
    actor: &Actor,
    operator_id: &str,
    decision: Decision,
) -> Result<String, WorkflowError> {
    let (scope, operator_id, now) = (actor.clone(), operator_id.to_owned(), state.clock.now());
    let (status, notices) = state
        .db
        .transaction(move |c| {
            let Some((name, current)) = operators::name_and_status(c, &operator_id)? else {
                return Err(WorkflowError::NotFound);
            };
            let responsible = activities::responsible_authorities(c, &operator_id)?;
            scope.may_see_operator(&operator_id, &current, &responsible)?;
            scope.may_decide_for(&responsible)?;
            let from = OperatorStatus::parse(&current)
                .map_err(|_| WorkflowError::Conflict("unknown_status"))?;
            let transition = from
                .apply(&decision)
                .map_err(|e| WorkflowError::Conflict(e.code()))?;
            let to = transition.status;
            let reason = transition.reason.as_deref();
            operators::set_status(c, &operator_id, to.code(), reason, now)?;
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "operator.status",
                    object_type: "operator",
                    object_id: &operator_id,
                    before: Some(json!({"status": current})),
                    after: Some(json!({"status": to.code()})),
                    reason,
                },
                now,
            )?;
            if from == OperatorStatus::Requested {
                follow_first_decision(c, &scope, &operator_id, &decision, now)?;
            }
            let notices = vec![
                Notice::new("operator_decided", people_of(c, &operator_id)?)
                    .with("operator", name)
                    .with_label("status", format!("status.operator.{}", to.code()))
                    .with("reason", reason.unwrap_or("-").to_owned()),
            ];
            Ok((to.code().to_owned(), notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(status)
}

/// The first decision on a new operator carries its new activities (those assigned to the
/// deciding officer's authorities) and, when it validates, makes the first user who asked its
/// administrator.
fn follow_first_decision(
    c: &mut AnyConnection,
    actor: &Actor,
    operator_id: &str,
    decision: &Decision,
    now: OffsetDateTime,
) -> Result<(), WorkflowError> {
    let mine = actor.authority_codes();
    for activity in activities::of_operator(c, operator_id)? {
        let assigned_to_me = activity.authorities.iter().any(|a| mine.contains(&a.code));
        if activity.status != "new" || !assigned_to_me {
            continue;
        }
        let transition = ActivityStatus::New
            .apply(decision)
            .map_err(|e| WorkflowError::Conflict(e.code()))?;
        let to = transition.status;
        activities::set_status(
            c,
            &activity.id,
            to.code(),
            transition.reason.as_deref(),
            &actor.user_id,
            now,
        )?;
        audit::record(
            c,
            &AuditEntry {
                actor_user_id: Some(&actor.user_id),
                action: "activity.status",
                object_type: "activity",
                object_id: &activity.id,
                before: Some(json!({"status": "new"})),
                after: Some(json!({"status": to.code()})),
                reason: transition.reason.as_deref(),
            },
            now,
        )?;
    }
    if matches!(decision, Decision::Validate)
        && memberships::administrator_count(c, operator_id)? == 0
        && let Some(first) = memberships::of_operator(c, operator_id, Some("pending"))?
            .into_iter()
            .next()
    {
        memberships::decide(
            c,
            &first.membership.id,
            "valid",
            "administrator",
            None,
            &actor.user_id,
            now,
        )?;
        audit::record(
            c,
            &AuditEntry {
                actor_user_id: Some(&actor.user_id),
                action: "membership.validated",
                object_type: "membership",
                object_id: &first.membership.id,
                before: Some(json!({"status": "pending", "role": first.membership.role})),
                after: Some(json!({"status": "valid", "role": "administrator"})),
                reason: None,
            },
            now,
        )?;
    }
    Ok(())
}

/// Decides on one activity.
pub async fn decide_activity(
    state: &AppState,
    actor: &Actor,
    activity_id: &str,
    decision: Decision,
) -> Result<String, WorkflowError> {
    let (scope, activity_id, now) = (actor.clone(), activity_id.to_owned(), state.clock.now());
    let (status, notices) = state
        .db
        .transaction(move |c| {
            let Some((operator_id, current)) = activities::owner_and_status(c, &activity_id)?
            else {
                return Err(WorkflowError::NotFound);
            };
            let Some((name, operator_status)) = operators::name_and_status(c, &operator_id)? else {
                return Err(WorkflowError::NotFound);
            };
            let responsible = activities::responsible_authorities(c, &operator_id)?;
            scope.may_see_operator(&operator_id, &operator_status, &responsible)?;
            // Only the authorities assigned to this activity decide on it.
            let assigned = activities::authorities_of_activity(c, &activity_id)?;
            scope.may_decide_for(&assigned)?;
            let from = ActivityStatus::parse(&current)
                .map_err(|_| WorkflowError::Conflict("unknown_status"))?;
            let transition = from
                .apply(&decision)
                .map_err(|e| WorkflowError::Conflict(e.code()))?;
            let to = transition.status;
            let reason = transition.reason.as_deref();
            activities::set_status(c, &activity_id, to.code(), reason, &scope.user_id, now)?;
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "activity.status",
                    object_type: "activity",
                    object_id: &activity_id,
                    before: Some(json!({"status": current})),
                    after: Some(json!({"status": to.code()})),
                    reason,
                },
                now,
            )?;
            let notices = vec![
                Notice::new("activity_decided", people_of(c, &operator_id)?)
                    .with("operator", name)
                    .with_label("status", format!("status.activity.{}", to.code()))
                    .with("reason", reason.unwrap_or("-").to_owned()),
            ];
            Ok((to.code().to_owned(), notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(status)
}
