//! An operator's page: its details, addresses, identifiers and activities with their statuses
//! and responsible authorities; for the officers of those authorities the decisions on the
//! operator and each activity; for its administrators (and those officers) its users and the
//! decisions on them; and its history. Someone who may not see it gets the 404 page.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::notification_capabilities::{self, NotificationRow};
use crate::http::page::{PageContext, see_other};
use crate::http::workflow_errors;
use crate::store::activities::{self, ActivityView};
use crate::store::audit::{self, AuditRecord};
use crate::store::memberships::{self, Member, Organisation};
use crate::store::operators::{self, OperatorView};
use crate::workflows::decisions::decision_from_action;
use crate::workflows::members::MemberDecision;
use crate::workflows::{WorkflowError, decisions, members, requests};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "operator.html")]
struct OperatorPage<'a> {
    ctx: &'a PageContext,
    operator: &'a OperatorView,
    /// The visitor decides on the operator (an officer of a responsible authority).
    decides: bool,
    /// Activity ids the visitor decides on.
    decides_activities: Vec<String>,
    members: Option<Vec<Member>>,
    history: Option<Vec<AuditRecord>>,
    /// The visitor's own membership of this operator, if any.
    own_status: Option<String>,
    may_request: bool,
    /// The visitor may add an activity (an administrator of the valid operator).
    may_add_activity: bool,
    /// What the operator may notify, and what is missing.
    notifications: Vec<NotificationRow>,
    notice: Option<&'static str>,
}

impl OperatorPage<'_> {
    fn decides_on(&self, activity: &ActivityView) -> bool {
        self.decides_activities.contains(&activity.id)
    }

    fn operator_decision_url(&self) -> String {
        format!("/operators/{}/decision", self.operator.id)
    }

    fn activity_decision_url(&self, activity: &ActivityView) -> String {
        format!("/activities/{}/decision", activity.id)
    }
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The notices a redirect after a decision may show.
fn notice_key(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "requested" => "operator.notice_requested",
        "already_requested" => "operator.notice_already_requested",
        "decided" => "operator.notice_decided",
        "member" => "operator.notice_member_decided",
        "created" => "operator.notice_created",
        "activity" => "operator.notice_activity_added",
        _ => return None,
    })
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, WebError> {
    let visitor = Visitor::load(&req, &state, &signed_in.user).await?;
    let operator_id = path.into_inner();
    let actor = visitor.actor.clone();
    let loaded = state
        .db
        .run(move |c| {
            let Some(operator) = operators::find(c, &operator_id)? else {
                return Ok(None);
            };
            let responsible = operator.responsible_authority_codes();
            if actor
                .may_see_operator(&operator.id, &operator.status, &responsible)
                .is_err()
            {
                return Ok(None);
            }
            let manages = actor
                .may_manage_members_of(&operator.id, &responsible)
                .is_ok();
            let members = if manages {
                Some(memberships::of_operator(c, &operator.id, None)?)
            } else {
                None
            };
            let history = if manages {
                let mut history = audit::of_object(c, "operator", &operator.id)?;
                for activity in &operator.activities {
                    history.extend(audit::of_object(c, "activity", &activity.id)?);
                }
                history.sort_by_key(|h| h.occurred_at);
                Some(history)
            } else {
                None
            };
            Ok(Some((operator, responsible, members, history)))
        })
        .await?;
    let Some((operator, responsible, members, history)) = loaded else {
        return Ok(workflow_errors::page(
            &visitor.ctx,
            &WorkflowError::NotFound,
        ));
    };
    let actor = &visitor.actor;
    let decides = actor.may_decide_for(&responsible).is_ok();
    let decides_activities = operator
        .activities
        .iter()
        .filter(|a| {
            let assigned: Vec<String> = a.authorities.iter().map(|x| x.code.clone()).collect();
            actor.may_decide_for(&assigned).is_ok()
        })
        .map(|a| a.id.clone())
        .collect();
    let own_status = actor
        .memberships
        .iter()
        .filter(|m| m.operator_id() == Some(operator.id.as_str()))
        .map(|m| m.status.clone())
        .next();
    let may_request =
        operator.status == "valid" && !actor.has_open(&Organisation::Operator(operator.id.clone()));
    let may_add_activity =
        requests::may_add_activity(actor, &operator.id, &operator.status, &responsible).is_ok();
    let own_people = actor.operator_ids_open().contains(&operator.id);
    let notifications = notification_capabilities::rows(
        &visitor.ctx.t,
        &operator.notification_capabilities(),
        own_people,
    );
    Ok(visitor.ctx.ok(&OperatorPage {
        ctx: &visitor.ctx,
        operator: &operator,
        decides,
        decides_activities,
        members,
        history,
        own_status,
        may_request,
        may_add_activity,
        notifications,
        notice: notice_key(query.done.as_deref()),
    }))
}

/// The page a refused or unknown `action` leads to.
fn not_applicable(visitor: &Visitor) -> HttpResponse {
    workflow_errors::page(&visitor.ctx, &WorkflowError::Conflict("not_applicable"))
}

/// `POST /operators/{id}/decision`.
pub async fn decide_operator(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let Some(decision) = decision_from_action(form.get("action"), form.get("reason")) else {
        return Ok(not_applicable(&visitor));
    };
    let operator_id = path.into_inner();
    let outcome = decisions::decide_operator(&state, &visitor.actor, &operator_id, decision).await;
    workflow_errors::answer(&visitor.ctx, outcome, |_| {
        see_other(&format!("/operators/{operator_id}?done=decided"))
    })
}

/// `POST /activities/{id}/decision`.
pub async fn decide_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let Some(decision) = decision_from_action(form.get("action"), form.get("reason")) else {
        return Ok(not_applicable(&visitor));
    };
    let activity_id = path.into_inner();
    let outcome = decisions::decide_activity(&state, &visitor.actor, &activity_id, decision).await;
    // The operator is read only after a decision went through: a refused one reveals nothing.
    let back_to = match outcome {
        Ok(_) => {
            let id = activity_id.clone();
            state
                .db
                .run(move |c| Ok(activities::owner_and_status(c, &id)?))
                .await?
                .map(|(operator_id, _)| format!("/operators/{operator_id}?done=decided"))
                .unwrap_or_else(|| "/workspace".to_owned())
        }
        Err(_) => String::new(),
    };
    workflow_errors::answer(&visitor.ctx, outcome, |_| see_other(&back_to))
}

/// `POST /memberships/{id}/decision`: an administrator's or officer's decision on a user.
pub async fn decide_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (visitor, form) = match Visitor::posted(&req, &state, &signed_in.user, &body).await? {
        Ok(posted) => posted,
        Err(refused) => return Ok(refused),
    };
    let Some(decision) = MemberDecision::from_action(form.get("action"), form.get("reason")) else {
        return Ok(not_applicable(&visitor));
    };
    let membership_id = path.into_inner();
    let outcome =
        members::decide_membership(&state, &visitor.actor, &membership_id, decision).await;
    let back_to = match outcome {
        Ok(_) => {
            let id = membership_id.clone();
            let membership = state
                .db
                .run(move |c| Ok(memberships::find(c, &id)?))
                .await?;
            match membership.and_then(|m| m.operator_id().map(str::to_owned)) {
                Some(operator_id) => format!("/operators/{operator_id}?done=member#members"),
                None => "/authority/worklist?done=member".to_owned(),
            }
        }
        Err(_) => String::new(),
    };
    workflow_errors::answer(&visitor.ctx, outcome, |_| see_other(&back_to))
}
