//! The cookie of a login's second step (`eulogin_step`, `__Host-` is not possible with a
//! path): HttpOnly, Secure on HTTPS, SameSite=Strict, path `/login`, ten minutes.

use crate::app::AppState;
use crate::factors::login_step::{LoginStep, STEP_LIFETIME};
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

pub const COOKIE_NAME: &str = "eulogin_step";

pub fn issue(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(COOKIE_NAME, value)
        .path("/login")
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(
            STEP_LIFETIME.whole_seconds(),
        ))
        .finish()
}

pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut cookie = issue(state, String::new());
    cookie.make_removal();
    cookie
}

/// The step this browser is in, with its handle, if any.
pub async fn current(req: &HttpRequest, state: &AppState) -> Option<(String, LoginStep)> {
    let cookie = req.cookie(COOKIE_NAME)?;
    match state.login_steps.find(cookie.value()).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "key-value store unavailable");
            None
        }
    }
}
