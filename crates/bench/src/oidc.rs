//! The requests of an OpenID Connect relying party and of a browser, each checked the way a
//! real client would check it: status, redirect target, cookies, tokens in the JSON.

use crate::client::{Call, Response};
use crate::vu::{Failure, Vu};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::StatusCode;
use hyper::header::AUTHORIZATION;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the relying party `bench-web` gets its codes.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";
const SESSION_COOKIE: &str = "eulogin_session";
const CSRF_COOKIE: &str = "csrf";

/// What every virtual user of a run shares: the issuer, the clients' credentials, the
/// accounts, and the requests that never change (built once, so the generator stays light).
#[derive(Debug)]
pub struct Site {
    pub issuer: String,
    /// `"issuer":"…"` as the discovery document must contain it.
    issuer_member: Vec<u8>,
    web_basic: String,
    accounts: usize,
    next_account: AtomicUsize,
    discovery_call: Call,
    jwks_call: Call,
    client_credentials_call: Call,
}

fn basic(client_id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")))
}

impl Site {
    pub fn new(issuer: String, web_secret: &str, service_secret: &str, accounts: usize) -> Site {
        let client_credentials_call =
            Call::post_form("/oidc/token", &[("grant_type", "client_credentials")])
                .header(AUTHORIZATION, basic("bench-service", service_secret));
        Site {
            issuer_member: format!("\"issuer\":\"{issuer}\"").into_bytes(),
            issuer,
            web_basic: basic("bench-web", web_secret),
            accounts: accounts.max(1),
            next_account: AtomicUsize::new(0),
            discovery_call: Call::get("/.well-known/openid-configuration"),
            jwks_call: Call::get("/oidc/jwks"),
            client_credentials_call,
        }
    }

    /// The next account, round-robin over all of them, so no account comes near the
    /// per-account login limit.
    pub fn next_email(&self) -> String {
        let n = self.next_account.fetch_add(1, Ordering::Relaxed) % self.accounts;
        crate::seed::email(n)
    }
}

/// The authorization request of `bench-web`.
pub fn authorize_path() -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", "bench-web")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "s")
        .append_pair("nonce", "n")
        .finish();
    format!("/oidc/authorize?{query}")
}

/// The cookies of a browser that logged in.
#[derive(Debug, Clone)]
pub struct Browser {
    pub csrf: String,
    pub session: String,
}

impl Browser {
    fn cookies(&self) -> [(&str, &str); 2] {
        [(CSRF_COOKIE, &self.csrf), (SESSION_COOKIE, &self.session)]
    }
}

/// The code from the redirect back to the application, after checking `state` and `iss`.
fn code_from_redirect(site: &Site, response: &Response) -> Result<String, String> {
    let location = response.location().ok_or("no Location")?;
    let url = url::Url::parse(location).map_err(|e| format!("Location {location:?}: {e}"))?;
    if !location.starts_with(REDIRECT_URI) {
        return Err(format!(
            "redirected to {location:?}, not to the application"
        ));
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = param("error") {
        return Err(format!("the application got error={error}"));
    }
    if param("state").as_deref() != Some("s") || param("iss").as_deref() != Some(&site.issuer) {
        return Err("wrong state or iss in the redirect".to_owned());
    }
    param("code").ok_or_else(|| "no code in the redirect".to_owned())
}

/// A string field of a JSON answer.
fn json_field(response: &Response, field: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| format!("not JSON: {e}"))?;
    value
        .get(field)
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("no {field} in the answer"))
}

/// The tokens of a token response.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

fn read_tokens(response: &Response, id_token: bool) -> Result<Tokens, String> {
    let value: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| format!("not JSON: {e}"))?;
    let field = |name: &str| {
        value
            .get(name)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let access_token = field("access_token").ok_or("no access_token")?;
    if id_token && field("id_token").is_none() {
        return Err("no id_token".to_owned());
    }
    Ok(Tokens {
        access_token,
        refresh_token: field("refresh_token"),
    })
}

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The checks of the three fastest scenarios read the body without parsing it, so the
/// generator spends its CPU on sending requests; their JSON is checked in full by the tests.
pub async fn discovery(vu: &mut Vu, site: &Site) -> Result<(), Failure> {
    vu.step(&site.discovery_call, StatusCode::OK, |r| {
        (r.body.starts_with(b"{") && contains(&r.body, &site.issuer_member))
            .then_some(())
            .ok_or_else(|| "no or another issuer".to_owned())
    })
    .await
}

pub async fn jwks(vu: &mut Vu, site: &Site) -> Result<(), Failure> {
    vu.step(&site.jwks_call, StatusCode::OK, |r| {
        r.body
            .starts_with(b"{\"keys\":[{")
            .then_some(())
            .ok_or_else(|| "not a key set".to_owned())
    })
    .await
}

pub async fn client_credentials(vu: &mut Vu, site: &Site) -> Result<(), Failure> {
    vu.step(&site.client_credentials_call, StatusCode::OK, |r| {
        (r.body.starts_with(b"{\"access_token\":\"ey")
            && contains(&r.body, b"\"token_type\":\"Bearer\""))
        .then_some(())
        .ok_or_else(|| "no Bearer access_token".to_owned())
    })
    .await
}

/// Exchanges a code for tokens (with an ID token) as `bench-web`.
pub async fn exchange_code(vu: &mut Vu, site: &Site, code: &str) -> Result<Tokens, Failure> {
    let call = Call::post_form(
        "/oidc/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ],
    )
    .header(AUTHORIZATION, site.web_basic.as_str());
    vu.step(&call, StatusCode::OK, |r| read_tokens(r, true))
        .await
}

/// Rotates a refresh token: gives the new tokens, whose refresh token replaces the old one.
pub async fn refresh(vu: &mut Vu, site: &Site, refresh_token: &str) -> Result<Tokens, Failure> {
    let call = Call::post_form(
        "/oidc/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .header(AUTHORIZATION, site.web_basic.as_str());
    vu.step(&call, StatusCode::OK, |r| {
        let tokens = read_tokens(r, false)?;
        match &tokens.refresh_token {
            Some(new) if new != refresh_token => Ok(tokens),
            _ => Err("no new refresh_token".to_owned()),
        }
    })
    .await
}

pub async fn userinfo(vu: &mut Vu, access_token: &str) -> Result<(), Failure> {
    let call = Call::get("/oidc/userinfo").header(AUTHORIZATION, format!("Bearer {access_token}"));
    vu.step(&call, StatusCode::OK, |r| json_field(r, "sub").map(|_| ()))
        .await
}

/// With an SSO session: the authorization request answers with a code at once.
pub async fn authorize_with_session(
    vu: &mut Vu,
    site: &Site,
    browser: &Browser,
) -> Result<String, Failure> {
    let call = Call::get(authorize_path()).cookies(&browser.cookies());
    vu.step(&call, StatusCode::SEE_OTHER, |r| {
        code_from_redirect(site, r)
    })
    .await
}

/// A login with the password from a fresh browser, for the authorization request: authorize,
/// the login page, the form (whose answer carries the code). Gives the browser's cookies and
/// the code.
pub async fn password_login(
    vu: &mut Vu,
    site: &Site,
    email: &str,
) -> Result<(Browser, String), Failure> {
    // (a) No session: the request is kept and the browser sent to the login page.
    let call = Call::get(authorize_path());
    let (login_path, csrf) = vu
        .step(&call, StatusCode::SEE_OTHER, |r| {
            let location = r.location().ok_or("no Location")?;
            if !location.starts_with("/login?authorization=") {
                return Err(format!("redirected to {location:?}, not to the login page"));
            }
            let csrf = r.cookie(CSRF_COOKIE).ok_or("no csrf cookie")?;
            Ok((location.to_owned(), csrf))
        })
        .await?;
    let pending = login_path
        .trim_start_matches("/login?authorization=")
        .split('&')
        .next()
        .unwrap_or_default()
        .to_owned();
    // (b) The login page, with the form's CSRF token.
    let call = Call::get(login_path.as_str()).cookies(&[(CSRF_COOKIE, &csrf)]);
    let csrf_token = vu
        .step(&call, StatusCode::OK, |r| {
            let html = std::str::from_utf8(&r.body).map_err(|_| "not UTF-8")?;
            let marker = "name=\"csrf_token\" value=\"";
            let start = html.find(marker).ok_or("no csrf_token field")? + marker.len();
            let end = html[start..].find('"').ok_or("unterminated csrf_token")?;
            Ok(html[start..start + end].to_owned())
        })
        .await?;
    // (c) The form: a session cookie, and the application's answer with the code at once.
    let call = Call::post_form(
        "/login",
        &[
            ("csrf_token", &csrf_token),
            ("authorization", &pending),
            ("email", email),
            ("password", crate::seed::PASSWORD),
        ],
    )
    .cookies(&[(CSRF_COOKIE, &csrf)]);
    let (code, session) = vu
        .step(&call, StatusCode::SEE_OTHER, |r| {
            let code = code_from_redirect(site, r)?;
            let session = r.cookie(SESSION_COOKIE).ok_or("no session cookie")?;
            Ok((code, session))
        })
        .await?;
    let browser = Browser { csrf, session };
    Ok((browser, code))
}
