//! Shared handling of submitted forms: the CSRF check that every POST starts with, field
//! errors, and a translated page for bodies that cannot even be parsed.

use crate::app::AppState;
use crate::http::errors::message_page;
use crate::http::page::PageContext;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use std::collections::HashMap;

/// Messages to show next to fields, by field name.
pub type FieldErrors = HashMap<&'static str, String>;

/// `Some(403 page)` when the request fails the CSRF check; handlers return it at once.
pub fn reject_forgery(
    req: &HttpRequest,
    state: &AppState,
    submitted: &str,
) -> Option<HttpResponse> {
    if state.csrf.verify(req, submitted) {
        return None;
    }
    tracing::warn!(path = req.path(), "CSRF check failed");
    state.metrics.event("csrf_rejected");
    let ctx = PageContext::new(req, state);
    Some(message_page(
        &ctx,
        StatusCode::FORBIDDEN,
        "error.forbidden_title",
        ctx.t.t("error.csrf"),
    ))
}

/// Answers a form body that is too large or not URL-encoded, without parser details.
pub fn form_error_handler(
    err: actix_web::error::UrlencodedError,
    req: &HttpRequest,
) -> actix_web::Error {
    tracing::info!(error = %err, path = req.path(), "unreadable form body");
    let message = match req.app_data::<actix_web::web::Data<AppState>>() {
        Some(state) => {
            let ctx = PageContext::new(req, state);
            message_page(
                &ctx,
                StatusCode::BAD_REQUEST,
                "error.bad_request_title",
                ctx.t.t("error.bad_form"),
            )
        }
        None => HttpResponse::BadRequest().finish(),
    };
    actix_web::error::InternalError::from_response(err, message).into()
}
