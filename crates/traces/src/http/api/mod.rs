//! The JSON API under `/api/v1`: eulogin access tokens as bearer tokens (validated locally),
//! the same workflows and access rules as the pages, RFC 9457 problem JSON for every error,
//! and its OpenAPI document at `/api/v1/openapi.json`.

pub mod activities;
pub mod decisions;
pub mod me;
pub mod operators;
pub mod problems;
pub mod reactivations;

use crate::auth::ApiCaller;
use crate::workflows::access::Actor;
use actix_web::{HttpResponse, web};
use problems::ApiError;

/// The OpenAPI 3.1 document, written by hand next to the code it describes (a test checks
/// that every route is in it and every path in it is routed).
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/openapi.json", web::get().to(openapi))
        .route("/api/v1/me", web::get().to(me::me))
        .route("/api/v1/operators", web::get().to(operators::search))
        .route("/api/v1/operators/{id}", web::get().to(operators::show))
        .route(
            "/api/v1/operators/{id}/authorisation-requests",
            web::post().to(operators::request_authorisation),
        )
        .route(
            "/api/v1/operators/{id}/activities",
            web::post().to(activities::add),
        )
        .route(
            "/api/v1/operators/{id}/memberships",
            web::get().to(operators::memberships_of),
        )
        .route(
            "/api/v1/operators/{id}/decision",
            web::post().to(decisions::operator),
        )
        .route(
            "/api/v1/activities/{id}/decision",
            web::post().to(decisions::activity),
        )
        .route(
            "/api/v1/memberships",
            web::get().to(operators::my_memberships),
        )
        .route(
            "/api/v1/memberships/{id}/decision",
            web::post().to(decisions::membership),
        )
        .route(
            "/api/v1/authority/worklist",
            web::get().to(operators::worklist),
        )
        .route(
            "/api/v1/reactivation-requests",
            web::get().to(reactivations::pending),
        )
        .route(
            "/api/v1/reactivation-requests/{id}/decision",
            web::post().to(reactivations::decide),
        );
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(OPENAPI)
}

/// The caller as an actor: a person known to traces (they logged in once in a browser).
pub fn actor_of(caller: &ApiCaller) -> Result<Actor, ApiError> {
    let Some(user) = caller.user.clone() else {
        return Err(ApiError::UnknownUser);
    };
    Ok(Actor {
        user_id: user.id,
        is_system_admin: user.is_system_admin,
        memberships: caller.memberships.clone(),
        display_name: format!("{} {}", user.given_name, user.family_name),
        email: user.email,
        language: user.language,
    })
}
