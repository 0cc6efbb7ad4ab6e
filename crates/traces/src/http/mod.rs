//! The web interface of traces: server-rendered pages that work without JavaScript, the JSON
//! API under `/api/v1/`, and the operational endpoints. Every POST from a browser is
//! CSRF-checked (the back-channel logout, called by eulogin's server, proves itself with a
//! signed token instead); every response carries the security headers.

pub mod account;
pub mod api;
pub mod errors;
pub mod home;
pub mod ops;
pub mod page;

use crate::auth;
use actix_web::web;

/// All routes of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/metrics", web::get().to(ops::metrics))
        .route("/static/{file}", web::get().to(ops::static_file))
        .route(auth::LOGIN_PATH, web::get().to(auth::login::login))
        .route(auth::CALLBACK_PATH, web::get().to(auth::login::callback))
        .route(auth::LOGOUT_PATH, web::post().to(auth::logout::logout))
        .route(
            auth::BACKCHANNEL_LOGOUT_PATH,
            web::post().to(auth::logout::backchannel_logout),
        )
        .route("/account", web::get().to(account::account))
        .route("/api/v1/me", web::get().to(api::me));
}
