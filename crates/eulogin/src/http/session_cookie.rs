//! The SSO session cookie, built in one place: `__Host-` name on HTTPS, HttpOnly, Secure,
//! SameSite=Lax (so the session follows the top-level redirects of an OpenID Connect login but
//! not cross-site subrequests), path `/`, no Domain, no persistent expiry.

use crate::app::AppState;
use crate::security::sessions::ActiveSession;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.https() {
        "__Host-eulogin_session"
    } else {
        "eulogin_session"
    }
}

pub fn issue(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(cookie_name(state), value)
        .path("/")
        .http_only(true)
        .secure(state.settings.https())
        .same_site(SameSite::Lax)
        .finish()
}

pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut cookie = issue(state, String::new());
    cookie.make_removal();
    cookie
}

/// The live session of this request, if any.
pub async fn current(req: &HttpRequest, state: &AppState) -> Option<ActiveSession> {
    let cookie = req.cookie(cookie_name(state))?;
    match state.sessions.resume(cookie.value()).await {
        Ok(session) => session,
        Err(e) => {
            tracing::error!(error = %e, "session store unavailable");
            None
        }
    }
}
