//! The one error type of the web layer. Causes are logged once, with the request id, and the
//! person sees a fixed, translated page (or, under `/api/`, RFC 9457 problem JSON) with a
//! stable code support can look up; no internal text ever reaches a response.

use crate::http::page::PageContext;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("storage: {0}")]
    Storage(#[from] infra::db::DbError),
    #[error("key-value store: {0}")]
    KeyValue(#[from] infra::kv::KvError),
    #[error("diesel: {0}")]
    Query(#[from] diesel::result::Error),
}

impl WebError {
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Storage(_) | WebError::Query(_) => "TRC-500-DB",
            WebError::KeyValue(_) => "TRC-500-KV",
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub ctx: &'a PageContext,
    pub title: &'a str,
    pub message: &'a str,
    pub code: Option<&'a str>,
}

/// A page with a title and a message (errors, notices).
pub fn message_page(
    ctx: &PageContext,
    status: StatusCode,
    title_key: &str,
    message: &str,
) -> HttpResponse {
    ctx.render(
        status,
        &MessagePage {
            ctx,
            title: ctx.t.t(title_key),
            message,
            code: None,
        },
    )
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(error = %self, code = self.code(), "request failed");
        let t = crate::i18n::tr(crate::i18n::Lang::En);
        HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body(format!(
                "{}\n{}\n",
                t.t("error.title"),
                t.fill("error.code", &[("code", self.code())])
            ))
    }
}
