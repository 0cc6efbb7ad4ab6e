//! Decisions on people: an operator's administrators (or its responsible authorities) validate
//! or refuse users who asked to join, make another user an administrator, or revoke a user;
//! an authority's officers do the same for officers. A person switches between the
//! organisations they belong to.

use super::WorkflowError;
use super::access::Actor;
use super::notify::{self, Notice, Recipient};
use crate::app::AppState;
use crate::domain::status::{MembershipDecision, MembershipStatus};
use crate::store::activities;
use crate::store::audit::{self, AuditEntry};
use crate::store::memberships::{self, Organisation};
use crate::store::schema::users;
use diesel::prelude::*;
use serde_json::json;

/// What is decided about a person's membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberDecision {
    /// Accept a pending request, as a plain user or directly as an administrator.
    Validate { administrator: bool },
    /// Refuse a pending request, with the reason the person will read.
    Refuse { reason: String },
    /// End a valid membership, with a reason.
    Revoke { reason: String },
    /// Change the role of a valid member.
    SetAdministrator(bool),
}

impl MemberDecision {
    /// The decision named by a form's or the API's `action` (`validate`,
    /// `validate_administrator`, `refuse`, `revoke`, `make_administrator`,
    /// `remove_administrator`), with its reason; `None` for an unknown action.
    pub fn from_action(action: &str, reason: &str) -> Option<MemberDecision> {
        let reason = reason.to_owned();
        Some(match action {
            "validate" => MemberDecision::Validate {
                administrator: false,
            },
            "validate_administrator" => MemberDecision::Validate {
                administrator: true,
            },
            "refuse" => MemberDecision::Refuse { reason },
            "revoke" => MemberDecision::Revoke { reason },
            "make_administrator" => MemberDecision::SetAdministrator(true),
            "remove_administrator" => MemberDecision::SetAdministrator(false),
            _ => return None,
        })
    }
}

/// Applies `decision` to membership `id`; returns the new (status, role).
pub async fn decide_membership(
    state: &AppState,
    actor: &Actor,
    id: &str,
    decision: MemberDecision,
) -> Result<(String, String), WorkflowError> {
    let (scope, id, now) = (actor.clone(), id.to_owned(), state.clock.now());
    let (outcome, notices) = state
        .db
        .transaction(move |c| {
            let Some(membership) = memberships::find(c, &id)? else {
                return Err(WorkflowError::NotFound);
            };
            match &membership.organisation {
                Organisation::Operator(operator_id) => {
                    let responsible = activities::responsible_authorities(c, operator_id)?;
                    // Someone who may not manage this operator's users does not learn the
                    // membership exists.
                    scope
                        .may_manage_members_of(operator_id, &responsible)
                        .map_err(|_| WorkflowError::NotFound)?;
                }
                Organisation::Authority(code) => {
                    scope
                        .may_manage_officers_of(code)
                        .map_err(|_| WorkflowError::NotFound)?;
                }
            }
            if membership.user_id == scope.user_id && !scope.is_system_admin {
                return Err(WorkflowError::Conflict("own_membership"));
            }
            let is_admin = membership.role == "administrator";
            let current = MembershipStatus::parse(&membership.status)
                .map_err(|_| WorkflowError::Conflict("unknown_status"))?;
            let transition = |d: MembershipDecision| {
                current
                    .apply(&d)
                    .map_err(|e| WorkflowError::Conflict(e.code()))
            };
            let (status, role, reason, kind) = match &decision {
                MemberDecision::Validate { administrator } => {
                    let to = transition(MembershipDecision::Approve)?;
                    let role = match (&membership.organisation, administrator) {
                        (Organisation::Authority(_), _) => "officer",
                        (_, true) => "administrator",
                        (_, false) => "member",
                    };
                    (to.status, role, None, "membership_validated")
                }
                MemberDecision::Refuse { reason } => {
                    let to = transition(MembershipDecision::Refuse {
                        reason: reason.clone(),
                    })?;
                    (
                        to.status,
                        membership.role.as_str(),
                        to.reason,
                        "membership_refused",
                    )
                }
                MemberDecision::Revoke { reason } => {
                    let to = transition(MembershipDecision::Revoke {
                        reason: Some(reason.clone()),
                    })?;
                    // Stricter than the domain's optional reason: the person is told why.
                    let reason = to
                        .reason
                        .ok_or(WorkflowError::Conflict("reason_required"))?;
                    (
                        to.status,
                        membership.role.as_str(),
                        Some(reason),
                        "membership_revoked",
                    )
                }
                MemberDecision::SetAdministrator(admin) => {
                    if current != MembershipStatus::Valid || membership.operator_id().is_none() {
                        return Err(WorkflowError::Conflict("not_applicable"));
                    }
                    let role = if *admin { "administrator" } else { "member" };
                    (current, role, None, "membership_role")
                }
            };
            let status = status.code();
            let loses_admin = is_admin && (status != "valid" || role != "administrator");
            if loses_admin
                && let Some(operator_id) = membership.operator_id()
                && memberships::administrator_count(c, operator_id)? <= 1
            {
                return Err(WorkflowError::Conflict("last_administrator"));
            }
            memberships::decide(
                c,
                &membership.id,
                status,
                role,
                reason.as_deref(),
                &scope.user_id,
                now,
            )?;
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(&scope.user_id),
                    action: "membership.decided",
                    object_type: "membership",
                    object_id: &membership.id,
                    before: Some(json!({"status": membership.status, "role": membership.role})),
                    after: Some(json!({"status": status, "role": role})),
                    reason: reason.as_deref(),
                },
                now,
            )?;
            let person: Option<(String, String, String, String)> = users::table
                .filter(users::id.eq(&membership.user_id))
                .select((
                    users::email,
                    users::given_name,
                    users::family_name,
                    users::language,
                ))
                .first(c)
                .optional()?;
            let notices = person
                .map(|(email, given, family, language)| {
                    vec![
                        Notice::new(
                            kind,
                            vec![Recipient {
                                email,
                                language,
                                name: format!("{given} {family}"),
                            }],
                        )
                        .with("organisation", membership.organisation_name.clone())
                        .with_label("role", format!("membership_role.{role}"))
                        .with("reason", reason.clone().unwrap_or_else(|| "-".to_owned())),
                    ]
                })
                .unwrap_or_default();
            Ok(((status.to_owned(), role.to_owned()), notices))
        })
        .await?;
    notify::send(state, notices);
    Ok(outcome)
}

/// Makes one of the person's valid memberships the organisation they act for.
pub async fn switch_organisation(
    state: &AppState,
    actor: &Actor,
    membership_id: &str,
) -> Result<(), WorkflowError> {
    let Some(membership) = actor.own_membership(membership_id) else {
        return Err(WorkflowError::NotFound);
    };
    if !membership.is_valid() {
        return Err(WorkflowError::Conflict("membership_not_valid"));
    }
    let (user_id, membership_id) = (actor.user_id.clone(), membership_id.to_owned());
    state
        .db
        .write(move |c| {
            diesel::update(users::table.filter(users::id.eq(&user_id)))
                .set(users::current_membership_id.eq(Some(&membership_id)))
                .execute(c)?;
            Ok(())
        })
        .await?;
    Ok(())
}
