//! Operational endpoints (health, readiness, metrics), the stylesheet and the 404 page.

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

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../static/style.css"))
}

pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ctx = PageContext::new(&req, &state);
    message_page(
        &ctx,
        StatusCode::NOT_FOUND,
        "error.not_found_title",
        ctx.t.t("error.not_found"),
    )
}
