//! Errors of the JSON API as RFC 9457 problem details, with a stable `type` per error and the
//! English title; nothing internal is ever sent.

use crate::workflows::WorkflowError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use infra::http::problem::Problem;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("unknown user")]
    UnknownUser,
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Inputs of the body that break the rules, each with its own problem.
    #[error("invalid fields: {0:?}")]
    InvalidFields(Vec<FieldProblem>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("storage: {0}")]
    Storage(#[from] infra::db::DbError),
    #[error("key-value store: {0}")]
    KeyValue(#[from] infra::kv::KvError),
}

/// One input of a request body that breaks a rule: its name as in the body
/// (`authority_codes[1]`), the stable code of the rule (`authority_lacks_competence`) and the
/// English message a form would show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, code: &'static str) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            code,
            message: crate::i18n::tr(crate::i18n::Lang::En)
                .t(&format!("field_error.{code}"))
                .to_owned(),
        }
    }
}

/// A problem with the per-field problems as the extension member `errors` (RFC 9457, 3.2).
#[derive(serde::Serialize)]
struct ProblemWithFields<'a> {
    #[serde(flatten)]
    problem: &'a Problem,
    errors: &'a [FieldProblem],
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> ApiError {
        match e {
            WorkflowError::NotFound => ApiError::NotFound,
            WorkflowError::Forbidden => ApiError::Forbidden,
            WorkflowError::Conflict(code) => ApiError::Conflict(code),
            WorkflowError::Storage(e) => ApiError::Storage(e),
            WorkflowError::KeyValue(e) => ApiError::KeyValue(e),
        }
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        match self {
            ApiError::NotFound => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", "No such resource")
            }
            ApiError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your organisations and roles do not allow this",
            ),
            ApiError::UnknownUser => Problem::new(
                StatusCode::FORBIDDEN,
                "unknown-user",
                "Log in to TRACES in a browser once before using the API",
            ),
            ApiError::Invalid(detail) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "The request is not valid",
            )
            .with_detail(detail.clone()),
            ApiError::InvalidFields(errors) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-fields",
                "Some fields of the request are not valid",
            )
            .with_detail(format!(
                "{} problem(s); each is in `errors` with its field and code",
                errors.len()
            )),
            ApiError::Conflict(code) => Problem::new(
                StatusCode::CONFLICT,
                code,
                crate::i18n::tr(crate::i18n::Lang::En).t(&format!("workflow.{code}")),
            ),
            ApiError::Storage(_) | ApiError::KeyValue(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error (TRC-500)",
            ),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, ApiError::Storage(_) | ApiError::KeyValue(_)) {
            tracing::error!(error = %self, "API request failed");
        }
        let problem = self.problem();
        match self {
            ApiError::InvalidFields(errors) => {
                HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                    .content_type("application/problem+json")
                    .json(ProblemWithFields {
                        problem: &problem,
                        errors,
                    })
            }
            _ => problem.response(),
        }
    }
}

/// Answers a JSON body that cannot be read (malformed, wrong content type, too large) with
/// problem JSON saying what is wrong, without parser internals beyond the serde message.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let detail = match &err {
        actix_web::error::JsonPayloadError::Deserialize(e) => e.to_string(),
        actix_web::error::JsonPayloadError::ContentType => {
            "the body must be application/json".to_owned()
        }
        actix_web::error::JsonPayloadError::Overflow { .. }
        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
            "the body is too large".to_owned()
        }
        _ => "the body could not be read".to_owned(),
    };
    let response = Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-json",
        "The JSON body is not valid",
    )
    .with_detail(detail)
    .response();
    actix_web::error::InternalError::from_response(err, response).into()
}

/// Answers a query string that cannot be read (`?page=first`): problem JSON under `/api/`,
/// a bare 400 for pages.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let response = if req.path().starts_with("/api/") {
        let detail = match &err {
            actix_web::error::QueryPayloadError::Deserialize(e) => e.to_string(),
            _ => "the query string could not be read".to_owned(),
        };
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "The query string is not valid",
        )
        .with_detail(detail)
        .response()
    } else {
        HttpResponse::BadRequest().finish()
    };
    actix_web::error::InternalError::from_response(err, response).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn field_problems_are_listed_in_the_problem() {
        let response = ApiError::InvalidFields(vec![
            FieldProblem::new("activity_code", "required"),
            FieldProblem::new("authority_codes[0]", "authority_lacks_competence"),
        ])
        .error_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["type"], "urn:problem:invalid-fields");
        assert_eq!(json["status"], 422);
        assert_eq!(
            json["errors"],
            serde_json::json!([
                {"field": "activity_code", "code": "required", "message": "This field is required."},
                {"field": "authority_codes[0]", "code": "authority_lacks_competence", "message": "This authority is not competent for this activity."},
            ])
        );
    }
}
