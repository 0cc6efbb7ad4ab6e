//! Reactivation requests through the API: `GET /api/v1/reactivation-requests` lists the
//! pending requests the caller may decide on (oldest first), and `POST
//! /api/v1/reactivation-requests/{id}/decision` takes `{"action": "reactivate" | "refuse",
//! "reason": "…"}` (a reason is required to refuse). A request the caller may not decide on
//! answers 404, like one that does not exist.

use super::actor_of;
use super::problems::ApiError;
use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::domain::reactivation::ReactivationDecision;
use crate::workflows::reactivation;
use actix_web::{HttpResponse, web};

/// `GET /api/v1/reactivation-requests`.
pub async fn pending(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let requests = reactivation::pending_for(&state, &actor).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "requests": requests })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/reactivation-requests/{id}/decision`.
pub async fn decide(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let decision =
        ReactivationDecision::from_action(&body.action, &body.reason).ok_or_else(|| {
            ApiError::Invalid(format!(
                "unknown action {:?}: expected reactivate or refuse",
                body.action
            ))
        })?;
    let status = reactivation::decide(&state, &actor, &path, decision).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status })))
}
