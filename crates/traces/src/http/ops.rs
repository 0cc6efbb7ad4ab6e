//! Operational endpoints (health, readiness), static files and the 404 page (metrics have a
//! listener of their own: `infra::http::metrics_listener`).

use crate::app::AppState;
use crate::http::errors::message_page;
use crate::http::page::PageContext;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub async fn healthz() -> HttpResponse {
    infra::http::health::healthz().await
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    infra::http::health::readyz(&state.db, &state.kv).await
}

/// The files under `static/`, compiled in (`script-src 'self'` in the CSP allows only these).
const STATIC_FILES: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../static/style.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../static/icon.svg"),
    ),
];

pub async fn static_file(path: web::Path<String>) -> HttpResponse {
    match STATIC_FILES
        .iter()
        .find(|(name, _, _)| *name == path.as_str())
    {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("Cache-Control", "public, max-age=3600"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}

/// 404 for pages; problem JSON under `/api/`.
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return infra::http::problem::Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such resource",
        )
        .response();
    }
    let ctx = PageContext::new(&req, &state);
    message_page(
        &ctx,
        StatusCode::NOT_FOUND,
        "error.not_found_title",
        ctx.t.t("error.not_found"),
    )
}
