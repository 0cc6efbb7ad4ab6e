//! The one error type of the web layer. Causes are logged once, with the request id, and the
//! person sees a fixed, translated page with a stable code support can look up; no internal
//! text ever reaches a response.

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
    #[error("password hashing: {0}")]
    Hashing(#[from] crate::security::password_hasher::HashError),
    #[error("diesel: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("session end: {0}")]
    SessionEnd(#[from] crate::oidc::session_end::SessionEndError),
    #[error("signing keys: {0}")]
    Keys(#[from] crate::oidc::keys::KeyError),
    /// A security key or passkey ceremony that failed on this side (configuration, an
    /// unreadable stored credential); refusals of the person's answer are pages, not this.
    #[error("webauthn: {0}")]
    WebAuthn(#[from] eulogin_webauthn::WebAuthnError),
    /// A link refused inside a transaction (rolled back); handlers turn it into a page.
    #[error("link refused: {0:?}")]
    LinkRefused(crate::store::links::LinkRefusal),
}

impl WebError {
    fn code(&self) -> &'static str {
        match self {
            WebError::Storage(_) | WebError::Query(_) => "EUL-500-DB",
            WebError::KeyValue(_) => "EUL-500-KV",
            WebError::SessionEnd(_) => "EUL-500-LOGOUT",
            WebError::Keys(_) => "EUL-500-KEYS",
            WebError::Hashing(_) => "EUL-500-HASH",
            WebError::LinkRefused(_) => "EUL-410-LINK",
            WebError::WebAuthn(e) => e.code(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a PageContext,
    title: &'a str,
    message: &'a str,
    code: &'a str,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(error = %self, code = self.code(), "request failed");
        let tr = crate::i18n::tr(crate::i18n::Lang::En);
        let ctx = PageContext::bare(tr);
        ctx.render(
            StatusCode::INTERNAL_SERVER_ERROR,
            &ErrorPage {
                ctx: &ctx,
                title: tr.t("error.title"),
                message: tr.t("error.internal"),
                code: self.code(),
            },
        )
    }
}

/// A page telling the person something went wrong on their side (status and texts given).
pub fn message_page(
    ctx: &PageContext,
    status: StatusCode,
    title_key: &str,
    message: &str,
) -> HttpResponse {
    ctx.render(
        status,
        &ErrorPage {
            ctx,
            title: ctx.t.t(title_key),
            message,
            code: "",
        },
    )
}
