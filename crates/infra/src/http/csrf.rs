//! Protection against cross-site request forgery on every POST:
//! a per-browser random id in a strict cookie, a form token that is the HMAC of that id under
//! the server key (an attacker cannot compute it), and the browser's own word through
//! `Sec-Fetch-Site` and `Origin` (a cross-site POST is refused before any token check).

use crate::crypto;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};
use std::sync::Arc;

/// What the CSRF check needs; one per application.
#[derive(Clone)]
pub struct Csrf {
    key: Arc<Vec<u8>>,
    cookie_name: &'static str,
    secure: bool,
    origin: String,
    /// Paths of machine endpoints (token, userinfo…) that get no browser cookie.
    exempt_prefixes: Arc<Vec<&'static str>>,
}

impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csrf")
            .field("cookie_name", &self.cookie_name)
            .finish_non_exhaustive()
    }
}

/// The browser id found or created for this request (kept in request extensions).
#[derive(Clone, Debug)]
struct BrowserId(String);

impl Csrf {
    /// `origin` is the service's public origin (`https://host[:port]`); `secure` selects the
    /// `__Host-` cookie, which the browser only accepts over HTTPS.
    pub fn new(key: &[u8], origin: String, secure: bool) -> Csrf {
        let cookie_name = if secure { "__Host-csrf" } else { "csrf" };
        Csrf {
            key: Arc::new(key.to_vec()),
            cookie_name,
            secure,
            origin,
            exempt_prefixes: Arc::new(Vec::new()),
        }
    }

    /// Paths starting with one of `prefixes` are called by programs, not browsers: they are
    /// given no CSRF cookie (a needless `Set-Cookie` on every API response otherwise).
    pub fn without_cookie_on(mut self, prefixes: &[&'static str]) -> Csrf {
        self.exempt_prefixes = Arc::new(prefixes.to_vec());
        self
    }

    fn token_for(&self, browser_id: &str) -> String {
        crypto::hmac_b64(&self.key, format!("csrf:{browser_id}").as_bytes())
    }

    /// The token to put in a form rendered for this request.
    pub fn token(&self, req: &HttpRequest) -> String {
        let id = req
            .extensions()
            .get::<BrowserId>()
            .map(|b| b.0.clone())
            .or_else(|| req.cookie(self.cookie_name).map(|c| c.value().to_owned()))
            .unwrap_or_default();
        self.token_for(&id)
    }

    /// True when a state-changing request may proceed.
    pub fn verify(&self, req: &HttpRequest, submitted: &str) -> bool {
        let headers = req.headers();
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && site.eq_ignore_ascii_case("cross-site")
        {
            return false;
        }
        if let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok())
            && origin != "null"
            && origin != self.origin
        {
            return false;
        }
        let Some(cookie) = req.cookie(self.cookie_name) else {
            return false;
        };
        if cookie.value().is_empty() || submitted.is_empty() {
            return false;
        }
        crypto::constant_time_eq(
            self.token_for(cookie.value()).as_bytes(),
            submitted.as_bytes(),
        )
    }

    /// Middleware: gives every browser an id cookie on its first visit, so that the first form
    /// it is shown can already be submitted.
    pub async fn ensure_cookie(
        csrf: Csrf,
        req: ServiceRequest,
        next: Next<impl MessageBody>,
    ) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
        let exempt = csrf
            .exempt_prefixes
            .iter()
            .any(|prefix| req.path().starts_with(prefix));
        let existing = req
            .cookie(csrf.cookie_name)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() >= 32);
        let created = (existing.is_none() && !exempt).then(crypto::random_token);
        let id = existing.or_else(|| created.clone()).unwrap_or_default();
        req.extensions_mut().insert(BrowserId(id));
        let mut res = next.call(req).await?;
        if let Some(id) = created {
            let cookie = Cookie::build(csrf.cookie_name, id)
                .path("/")
                .http_only(true)
                .secure(csrf.secure)
                .same_site(SameSite::Strict)
                .finish();
            res.response_mut().add_cookie(&cookie)?;
        }
        Ok(res)
    }
}
