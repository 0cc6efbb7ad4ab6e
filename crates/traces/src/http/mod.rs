//! The web interface of traces: server-rendered pages that work without JavaScript, the JSON
//! API under `/api/v1/`, and the operational endpoints. Every POST from a browser is
//! CSRF-checked (the back-channel logout, called by eulogin's server, proves itself with a
//! signed token instead); every response carries the security headers.

pub mod account;
pub mod activity_form_part;
pub mod activity_new;
pub mod api;
pub mod authorisation;
pub mod current_user;
pub mod deactivated;
pub mod display;
pub mod errors;
pub mod forms;
pub mod home;
pub mod notification_capabilities;
pub mod operator_form_input;
pub mod operator_new;
pub mod operator_page;
pub mod ops;
pub mod page;
pub mod reactivations;
pub mod workflow_errors;
pub mod worklist;
pub mod workspace;

use crate::auth;
use actix_web::web;

/// All routes of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(api::routes)
        .route("/", web::get().to(home::home))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/static/{file}", web::get().to(ops::static_file))
        .route("/workspace", web::get().to(workspace::page))
        .route("/workspace/switch", web::post().to(workspace::switch))
        .route("/authority/worklist", web::get().to(worklist::page))
        .route("/authorisation", web::get().to(authorisation::choose))
        .route("/authorisation/find", web::get().to(authorisation::find))
        .route(
            "/authorisation/request",
            web::post().to(authorisation::request),
        )
        .route(
            "/authorisation/authority",
            web::post().to(authorisation::request_authority),
        )
        .route("/operators", web::get().to(authorisation::find))
        .route("/operators/new", web::get().to(operator_new::form))
        .route("/operators/new", web::post().to(operator_new::submit))
        .route("/operators/{id}", web::get().to(operator_page::page))
        .route(
            "/operators/{id}/activities/new",
            web::get().to(activity_new::form),
        )
        .route(
            "/operators/{id}/activities/new",
            web::post().to(activity_new::submit),
        )
        .route(
            "/operators/{id}/decision",
            web::post().to(operator_page::decide_operator),
        )
        .route(
            "/activities/{id}/decision",
            web::post().to(operator_page::decide_activity),
        )
        .route(
            "/memberships/{id}/decision",
            web::post().to(operator_page::decide_member),
        )
        .route(auth::LOGIN_PATH, web::get().to(auth::login::login))
        .route(auth::CALLBACK_PATH, web::get().to(auth::login::callback))
        .route(auth::LOGOUT_PATH, web::post().to(auth::logout::logout))
        .route(
            auth::BACKCHANNEL_LOGOUT_PATH,
            web::post().to(auth::logout::backchannel_logout),
        )
        .route("/account", web::get().to(account::account))
        .route(auth::DEACTIVATED_PATH, web::get().to(deactivated::page))
        .route(auth::DEACTIVATED_PATH, web::post().to(deactivated::ask))
        .route(
            "/reactivation-requests/{id}/decision",
            web::post().to(reactivations::decide),
        );
}
