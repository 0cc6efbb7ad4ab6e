//! The web interface of eulogin: server-rendered pages that work without JavaScript, and the
//! operational endpoints. Every POST is CSRF-checked; every page carries the security headers.

pub mod account;
pub mod captcha;
pub mod errors;
pub mod forms;
pub mod login;
pub mod oidc;
pub mod ops;
pub mod page;
pub mod password;
pub mod password_check;
pub mod register;
pub mod request_log;
pub mod session_cookie;

use actix_web::web;

/// All routes of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(login::home))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/metrics", web::get().to(ops::metrics))
        .route("/static/style.css", web::get().to(ops::stylesheet))
        .route("/register", web::get().to(register::form))
        .route("/register", web::post().to(register::submit))
        .route("/captcha/{id}/image", web::get().to(captcha::image))
        .route("/captcha/{id}/audio", web::get().to(captcha::audio))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/password/new", web::get().to(password::link_form))
        .route("/password/new", web::post().to(password::link_submit))
        .route("/password/forgot", web::get().to(password::forgot_form))
        .route("/password/forgot", web::post().to(password::forgot_submit))
        .route("/email/confirm", web::get().to(account::confirm_email_form))
        .route(
            "/email/confirm",
            web::post().to(account::confirm_email_submit),
        )
        .route("/account", web::get().to(account::overview))
        .route("/account/profile", web::post().to(account::update_profile))
        .route(
            "/account/email",
            web::post().to(account::request_email_change),
        )
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route(
            "/account/sessions/end",
            web::post().to(account::end_session),
        )
        .configure(oidc::routes);
}
