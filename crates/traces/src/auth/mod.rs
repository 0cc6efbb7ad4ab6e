//! Trusting eulogin: the browser login (authorization code + PKCE + nonce, medium assurance),
//! the server-side session behind an opaque cookie, logout and back-channel logout, and the
//! bearer access tokens of the JSON API validated locally against eulogin's keys.
//!
//! Handlers use two extractors: [`SignedIn`] for pages and [`ApiCaller`] for `/api/v1/`.
//! `docs/traces.md` ("Authentication") tells how it works and why.

pub mod api_caller;
pub mod assurance;
pub mod bearer;
pub mod issuer_http;
pub mod jws;
pub mod keys;
pub mod login;
pub mod logout;
pub mod logout_token;
pub mod provider;
pub mod session;
pub mod signed_in;
pub mod transaction;
pub mod verified_tokens;

pub use api_caller::{ApiCaller, Bearer};
pub use provider::EuLogin;
pub use signed_in::SignedIn;

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::store::users::{self, User};

pub const LOGIN_PATH: &str = "/auth/login";
pub const CALLBACK_PATH: &str = "/auth/callback";
pub const LOGOUT_PATH: &str = "/auth/logout";
pub const BACKCHANNEL_LOGOUT_PATH: &str = "/auth/backchannel-logout";
/// Where a deactivated user is sent (the page belongs to the inactivity rules).
pub const DEACTIVATED_PATH: &str = "/deactivated";

/// `last_seen_at` is written at most this often per user: the four-month rule needs days,
/// not seconds, and a write per request would queue every page behind SQLite's one writer.
pub const LAST_SEEN_PRECISION: time::Duration = time::Duration::minutes(5);

/// Records that `user` used traces now (a page or an API call).
pub async fn record_use(state: &AppState, user: &User) -> Result<(), WebError> {
    let now = state.clock.now();
    if now - user.last_seen_at < LAST_SEEN_PRECISION {
        return Ok(());
    }
    let id = user.id.clone();
    state
        .db
        .write(move |c| Ok(users::touch_last_seen(c, &id, now)?))
        .await?;
    Ok(())
}
