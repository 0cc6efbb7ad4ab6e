//! The OpenID Connect endpoints. Browser-facing ones (`/oidc/authorize`, `/oidc/logout`) answer
//! with pages and redirects; machine-facing ones answer JSON with `Cache-Control: no-store` and
//! OAuth error objects (`{"error": …, "error_description": …}`), and allow cross-origin calls
//! (they take no cookies, so browser applications can call them).

pub mod authorize;
pub mod client_auth;
pub mod discovery;
pub mod end_session;
pub mod introspect;
pub mod revoke;
pub mod token;
pub mod userinfo;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;

/// Paths called by programs rather than browsers.
pub const MACHINE_PATHS: [&str; 6] = [
    "/.well-known/",
    "/oidc/jwks",
    "/oidc/token",
    "/oidc/userinfo",
    "/oidc/introspect",
    "/oidc/revoke",
];

pub const AUTHORIZE_PATH: &str = "/oidc/authorize";
pub const CONTINUE_PATH: &str = "/oidc/authorize/continue";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/.well-known/openid-configuration",
        web::get().to(discovery::configuration),
    )
    .route(
        "/.well-known/oauth-authorization-server",
        web::get().to(discovery::configuration),
    )
    .route("/oidc/jwks", web::get().to(discovery::jwks))
    .route(AUTHORIZE_PATH, web::get().to(authorize::by_get))
    .route(AUTHORIZE_PATH, web::post().to(authorize::by_post))
    .route(CONTINUE_PATH, web::get().to(authorize::resume))
    .route("/oidc/token", web::post().to(token::token))
    .route("/oidc/userinfo", web::get().to(userinfo::userinfo))
    .route("/oidc/userinfo", web::post().to(userinfo::userinfo_post))
    .route("/oidc/introspect", web::post().to(introspect::introspect))
    .route("/oidc/revoke", web::post().to(revoke::revoke))
    .route("/oidc/logout", web::get().to(end_session::by_get))
    .route("/oidc/logout", web::post().to(end_session::by_post))
    .route("/oidc/logout/confirm", web::post().to(end_session::confirm));
    for path in [
        "/oidc/token",
        "/oidc/userinfo",
        "/oidc/introspect",
        "/oidc/revoke",
        "/oidc/jwks",
        "/.well-known/openid-configuration",
    ] {
        cfg.route(
            path,
            web::method(actix_web::http::Method::OPTIONS).to(preflight),
        );
    }
}

/// CORS preflight for the machine endpoints.
async fn preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "Authorization, Content-Type, DPoP",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
        .finish()
}

/// A JSON answer that must not be cached (tokens, introspection, userinfo).
pub fn json_no_store(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(body)
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// An OAuth error object (RFC 6749, 5.2).
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    json_no_store(
        status,
        &OAuthErrorBody {
            error,
            error_description: description,
        },
    )
}
