//! The web interface of eulogin: server-rendered pages that work without JavaScript, and the
//! operational endpoints. Every POST is CSRF-checked; every page carries the security headers.

pub mod account;
pub mod app_api;
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
pub mod second_step;
pub mod second_step_app;
pub mod second_step_key;
pub mod security;
pub mod security_devices;
pub mod security_keys;
pub mod session_cookie;
pub mod step_cookie;

use actix_web::web;

/// All routes of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(login::home))
        .route("/healthz", web::get().to(ops::healthz))
        .route("/readyz", web::get().to(ops::readyz))
        .route("/static/{file}", web::get().to(ops::static_file))
        .route("/register", web::get().to(register::form))
        .route("/register", web::post().to(register::submit))
        .route("/captcha/{id}/image", web::get().to(captcha::image))
        .route("/captcha/{id}/audio", web::get().to(captcha::audio))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/login/verify", web::get().to(second_step::choose))
        .route("/login/verify", web::post().to(second_step::start))
        .route("/login/verify/code", web::get().to(second_step::code_form))
        .route(
            "/login/verify/code",
            web::post().to(second_step::check_code),
        )
        .route("/login/verify/resend", web::post().to(second_step::resend))
        .route(
            "/login/verify/app",
            web::get().to(second_step_app::waiting_page),
        )
        .route(
            "/login/verify/app",
            web::post().to(second_step_app::proceed),
        )
        .route(
            "/login/verify/app/status",
            web::get().to(second_step_app::status),
        )
        .route(
            second_step_key::LOGIN_PAGE,
            web::get().to(second_step_key::login_form),
        )
        .route(
            second_step_key::LOGIN_PAGE,
            web::post().to(second_step_key::check_answer),
        )
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
        .route("/account/security", web::get().to(security::page))
        .route(
            "/account/security/phones",
            web::post().to(security::add_phone),
        )
        .route(
            "/account/security/phones/confirm",
            web::get().to(security::phone_confirm_form),
        )
        .route(
            "/account/security/phones/confirm",
            web::post().to(security::confirm_phone),
        )
        .route(
            "/account/security/totp",
            web::post().to(security::start_totp),
        )
        .route(
            "/account/security/totp/confirm",
            web::get().to(security::totp_confirm_form),
        )
        .route(
            "/account/security/totp/confirm",
            web::post().to(security::confirm_totp),
        )
        .route(
            "/account/security/keys",
            web::post().to(security_keys::start_registration),
        )
        .route(
            "/account/security/keys/new",
            web::get().to(security_keys::registration_form),
        )
        .route(
            "/account/security/keys/new",
            web::post().to(security_keys::finish_registration),
        )
        .route("/account/security/remove", web::post().to(security::remove))
        .route(
            "/account/security/devices",
            web::post().to(security_devices::start),
        )
        .route(
            "/account/security/devices/enrol",
            web::get().to(security_devices::enrol_page),
        )
        .route(
            "/account/security/devices/status",
            web::get().to(security_devices::status),
        )
        .route(
            "/account/security/devices/done",
            web::get().to(security_devices::done),
        )
        .route(
            "/account/security/recovery",
            web::post().to(security::new_recovery_codes),
        )
        .route(
            "/account/security/always",
            web::post().to(security::set_always_mfa),
        )
        .route(
            "/account/security/delete-all",
            web::post().to(security::delete_all),
        )
        .configure(app_api::routes)
        .configure(oidc::routes);
}
