//! How a refused workflow is shown: a page with a translated message (`workflow.<code>`) and
//! the matching status; a record the person may not see is a plain 404.

use crate::http::errors::{WebError, message_page};
use crate::http::page::PageContext;
use crate::workflows::WorkflowError;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;

pub fn page(ctx: &PageContext, error: &WorkflowError) -> HttpResponse {
    match error {
        WorkflowError::NotFound => message_page(
            ctx,
            StatusCode::NOT_FOUND,
            "error.not_found_title",
            ctx.t.t("error.not_found"),
        ),
        WorkflowError::Forbidden => message_page(
            ctx,
            StatusCode::FORBIDDEN,
            "error.forbidden_title",
            ctx.t.t("error.forbidden"),
        ),
        WorkflowError::Conflict(code) => message_page(
            ctx,
            StatusCode::CONFLICT,
            "workflow.title",
            ctx.t.t(&format!("workflow.{code}")),
        ),
        WorkflowError::Storage(_) | WorkflowError::KeyValue(_) => {
            tracing::error!(error = %error, "workflow failed");
            message_page(
                ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.title",
                &ctx.t.fill("error.code", &[("code", "TRC-500")]),
            )
        }
    }
}

/// The response to a workflow's outcome: `ok` on success, the refusal's page otherwise; a
/// storage failure stays an error (logged once, the 500 page).
pub fn answer<T>(
    ctx: &PageContext,
    outcome: Result<T, WorkflowError>,
    ok: impl FnOnce(T) -> HttpResponse,
) -> Result<HttpResponse, WebError> {
    match outcome {
        Ok(value) => Ok(ok(value)),
        Err(WorkflowError::Storage(e)) => Err(e.into()),
        Err(e) => Ok(page(ctx, &e)),
    }
}
