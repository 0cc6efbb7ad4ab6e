//! The web interface of traces: server-rendered pages that work without JavaScript, the JSON
//! API under `/api/v1/`, and the operational endpoints. Every POST is CSRF-checked; every
//! response carries the security headers.

pub mod errors;
pub mod home;
pub mod ops;
pub mod page;

use actix_web::web;

/// All routes of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/metrics", web::get().to(ops::metrics))
        .route("/static/{file}", web::get().to(ops::static_file));
}
