//! Decisions through the API: `{"action": "validate" | "reject" | "suspend" | "withdraw" |
//! "reinstate", "reason": "…"}` on operators and activities, and `{"action": "validate" |
//! "validate_administrator" | "refuse" | "revoke" | "make_administrator" |
//! "remove_administrator", "reason": "…"}` on memberships.

use super::actor_of;
use super::problems::ApiError;
use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::domain::status::Decision;
use crate::workflows::decisions::{self, decision_from_action};
use crate::workflows::members::{self, MemberDecision};
use actix_web::{HttpResponse, web};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    action: String,
    #[serde(default)]
    reason: String,
}

fn status_decision(body: &DecisionBody) -> Result<Decision, ApiError> {
    decision_from_action(&body.action, &body.reason).ok_or_else(|| {
        ApiError::Invalid(format!(
            "unknown action {:?}: expected validate, reject, suspend, withdraw or reinstate",
            body.action
        ))
    })
}

/// `POST /api/v1/operators/{id}/decision`.
pub async fn operator(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let decision = status_decision(&body)?;
    let status = decisions::decide_operator(&state, &actor, &path, decision).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status })))
}

/// `POST /api/v1/activities/{id}/decision`.
pub async fn activity(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let decision = status_decision(&body)?;
    let status = decisions::decide_activity(&state, &actor, &path, decision).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status })))
}

/// `POST /api/v1/memberships/{id}/decision`.
pub async fn membership(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let decision = MemberDecision::from_action(&body.action, &body.reason)
        .ok_or_else(|| ApiError::Invalid(format!("unknown action {:?}", body.action)))?;
    let (status, role) = members::decide_membership(&state, &actor, &path, decision).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status, "role": role })))
}
