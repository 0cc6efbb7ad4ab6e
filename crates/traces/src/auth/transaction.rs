//! A login in progress: what traces must remember between sending the browser to eulogin and
//! its return (the `state`, the nonce, the PKCE verifier and where to go afterwards), kept in
//! the key-value store under a hash of the `state` for ten minutes and taken once. The
//! transaction is also bound to the browser that started it (a random id in a `Lax` cookie), so
//! that a callback URL made by someone else cannot log this browser in as them.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use infra::crypto::{constant_time_eq, random_token, sha256_hex};
use infra::kv::{KeyValue, KvError};
use serde::{Deserialize, Serialize};

/// How long a person may take at eulogin before the login must start again.
pub const LIFETIME: time::Duration = time::Duration::minutes(10);

/// What the callback needs to finish a login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginTransaction {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// A local path (see [`safe_return_to`]).
    pub return_to: String,
    /// SHA-256 of the browser binding cookie's value.
    pub browser: String,
}

fn key(state: &str) -> String {
    format!("auth:login:{}", sha256_hex(state.as_bytes()))
}

/// Keeps a transaction until the browser comes back (or ten minutes pass).
pub async fn keep(kv: &KeyValue, transaction: &LoginTransaction) -> Result<(), KvError> {
    let json = serde_json::to_string(transaction).map_err(|e| KvError::other(e.to_string()))?;
    kv.set(&key(&transaction.state), &json, LIFETIME).await
}

/// Takes the transaction of `state`: a second callback with the same `state` finds nothing.
/// The state found is compared with the one given in constant time, as every secret is.
pub async fn take(kv: &KeyValue, state: &str) -> Result<Option<LoginTransaction>, KvError> {
    let Some(json) = kv.take(&key(state)).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_str::<LoginTransaction>(&json)
        .ok()
        .filter(|t| constant_time_eq(t.state.as_bytes(), state.as_bytes())))
}

/// The cookie binding logins to this browser.
pub fn binding_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-traces-login"
    } else {
        "traces-login"
    }
}

/// The browser's binding value: the one it has, or a new one (with the cookie to set).
pub fn browser_binding(req: &HttpRequest, https: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(existing) = req
        .cookie(binding_cookie_name(https))
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32)
    {
        return (existing, None);
    }
    let value = random_token();
    // Lax: the browser comes back from eulogin with a top-level GET, which Lax cookies follow.
    let cookie = Cookie::build(binding_cookie_name(https), value.clone())
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .finish();
    (value, Some(cookie))
}

/// Whether the callback comes from the browser that started `transaction`.
pub fn same_browser(req: &HttpRequest, https: bool, transaction: &LoginTransaction) -> bool {
    req.cookie(binding_cookie_name(https)).is_some_and(|c| {
        constant_time_eq(
            sha256_hex(c.value().as_bytes()).as_bytes(),
            transaction.browser.as_bytes(),
        )
    })
}

/// Where to go after the login: `raw` when it is a path of this site, `/` otherwise. Another
/// host (`//evil.example`, `https://…`, `/\evil.example`), control characters and the login's
/// own paths (which would loop) all fall back to `/`.
pub fn safe_return_to(raw: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(raw) = raw else {
        return HOME.to_owned();
    };
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 2000
        && !raw.chars().any(|c| c == '\\' || c.is_control());
    if !local || raw.starts_with("/auth/") {
        return HOME.to_owned();
    }
    // The URL parser has the last word: the path must stay on this origin.
    let Ok(base) = url::Url::parse("https://traces.invalid/") else {
        return HOME.to_owned();
    };
    match base.join(raw) {
        Ok(joined) if joined.origin() == base.origin() => raw.to_owned(),
        _ => HOME.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_kept() {
        for kept in ["/", "/operators?page=2", "/account#top", "/a/b%2Fc"] {
            assert_eq!(safe_return_to(Some(kept)), kept);
        }
        for refused in [
            "//evil.example/x",
            "https://evil.example/",
            "http:/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "",
            "/a\nb",
            "/auth/login?return_to=/",
            "/auth/callback",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_return_to(Some(refused)), "/", "{refused:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
