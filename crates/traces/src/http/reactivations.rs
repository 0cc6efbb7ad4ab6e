//! The decision on a reactivation request from a page: `POST
//! /reactivation-requests/{id}/decision` with `action` (`reactivate` or `refuse`) and a
//! `reason` (required to refuse). The pending requests are listed, with this form, on My
//! TRACES and on the authority's worklist (`templates/reactivation_requests.html`); the form
//! says which page to go back to.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::domain::reactivation::ReactivationDecision;
use crate::http::current_user::Visitor;
use crate::http::errors::WebError;
use crate::http::page::see_other;
use crate::http::workflow_errors;
use crate::workflows::WorkflowError;
use crate::workflows::reactivation;
use actix_web::{HttpRequest, HttpResponse, web};

/// `POST /reactivation-requests/{id}/decision`.
pub async fn decide(
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
    let Some(decision) = ReactivationDecision::from_action(form.get("action"), form.get("reason"))
    else {
        return Ok(workflow_errors::page(
            &visitor.ctx,
            &WorkflowError::Conflict("not_applicable"),
        ));
    };
    let outcome = reactivation::decide(&state, &visitor.actor, &path, decision).await;
    let back_to = match form.get("from") {
        "worklist" => "/authority/worklist?done=reactivation",
        _ => "/workspace?reactivation=decided",
    };
    workflow_errors::answer(&visitor.ctx, outcome, |_| see_other(back_to))
}
