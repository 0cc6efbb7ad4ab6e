//! Logging in with e-mail and password, and logging out.
//!
//! A wrong password and an unknown address get the same answer in the same time (a dummy hash
//! is checked for unknown addresses). Passwords of real accounts are checked under the lockout
//! rule by `password_check`; the account is found and its place in the lockout count reserved
//! in one step. Unknown addresses are counted in the key-value store and "lock" after five
//! failures too, so the locked message does not reveal that an account exists.

use crate::app::AppState;
use crate::domain::email::normalise_email;
use crate::domain::lockout::is_locked;
use crate::domain::password_policy::normalise_password;
use crate::http::errors::WebError;
use crate::http::forms::reject_forgery;
use crate::http::oidc::authorize::{answer_after_login, pending_for_login};
use crate::http::page::{PageContext, see_other};
use crate::http::password_check::{PasswordCheck, check_reserved};
use crate::http::register::NoticePage;
use crate::http::second_step;
use crate::http::session_cookie;
use crate::oidc::authorization::{AuthorizationRequest, find_pending};
use crate::security::rate_limit::{self, Verdict};
use crate::security::sessions::Proof;
use crate::store::accounts::{self, Account};
use crate::store::audit::AuditEvent;
use crate::store::login_attempts;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::Duration;

/// How long failures on an address without an account are remembered.
const UNKNOWN_ADDRESS_MEMORY: Duration = Duration::days(30);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub csrf_token: String,
    pub email: String,
    pub password: String,
    /// The pending authorization request of an application, if the login is for one.
    pub authorization: String,
    /// A page of this site to return to (re-authentication before a sensitive change).
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    pub authorization: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a PageContext,
    email: &'a str,
    error: Option<&'a str>,
    locked: bool,
    authorization: &'a str,
    next: &'a str,
    continue_to: Option<String>,
}

/// `/`: the account page for someone logged in, the login page otherwise.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match session_cookie::current(&req, &state).await {
        Some(_) => see_other("/account"),
        None => see_other("/login"),
    }
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> HttpResponse {
    let pending = pending_for_login(&state, &query.authorization).await;
    // The form leads back to the application: its origin is a form target of this page.
    let mut ctx = PageContext::new(&req, &state);
    if let Some(uri) = &pending.redirect_uri {
        ctx = ctx.allowing_redirect_to(uri);
    }
    let continue_to = continue_to(&ctx, pending.application.as_deref());
    // Re-authentication: the person logged in is asked for their own password again.
    let signed_in_email = match session_cookie::current(&req, &state).await {
        Some(session) if !query.next.is_empty() => {
            let id = session.record.account_id.clone();
            state
                .db
                .run(move |c| Ok(accounts::find_by_id(c, &id)?))
                .await
                .ok()
                .flatten()
                .map(|a| a.email)
        }
        _ => None,
    };
    let email = signed_in_email.or(pending.login_hint).unwrap_or_default();
    ctx.ok(&LoginPage {
        ctx: &ctx,
        email: &email,
        error: None,
        locked: false,
        authorization: &query.authorization,
        next: safe_next(&query.next),
        continue_to,
    })
}

fn continue_to(ctx: &PageContext, application: Option<&str>) -> Option<String> {
    application.map(|name| ctx.t.fill("oidc.continue_to", &[("application", name)]))
}

enum Refusal {
    Invalid,
    Locked,
}

fn refused(ctx: &PageContext, form: &LoginForm, email: &str, refusal: Refusal) -> HttpResponse {
    let (key, locked) = match refusal {
        Refusal::Invalid => ("login.invalid", false),
        Refusal::Locked => ("login.locked", true),
    };
    ctx.render(
        StatusCode::UNAUTHORIZED,
        &LoginPage {
            ctx,
            email,
            error: Some(ctx.t.t(key)),
            locked,
            authorization: &form.authorization,
            next: safe_next(&form.next),
            continue_to: None,
        },
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    // Only a refusal shows a page: the pending request is read for it then, not before.
    let page = || page_for(&req, &state, &form.authorization);
    let actor = state.actor(&req);
    let typed_email = form.email.trim().to_owned();
    let limits = state.settings.limits;
    let email = normalise_email(&form.email).unwrap_or_default();
    // The attempt counts against the client's address and against the account.
    if let Verdict::Refused { retry_after_secs } = rate_limit::check_each(
        &state.kv,
        &[
            (&format!("login_ip:{}", actor.ip), limits.login_per_ip),
            (
                &rate_limit::personal_bucket("login_account", &email),
                limits.login_per_account,
            ),
        ],
    )
    .await?
    {
        return Ok(state.too_many_requests(&page().await, retry_after_secs));
    }
    let password = normalise_password(&form.password);

    // The account and, when it may be tried, one place of its lockout count: one step.
    let lookup = email.clone();
    let attempt = state
        .db
        .write(move |c| Ok(login_attempts::reserve_by_email(c, &lookup)?))
        .await?;
    let Some(attempt) = attempt.filter(|a| a.account.password_hash.is_some()) else {
        // No account (or no password set yet): the same work and the same answers.
        state.hasher.verify(&password, None).await?;
        let bucket = rate_limit::personal_bucket("unknown_address_failures", &email);
        let failures = state.kv.increment(&bucket, UNKNOWN_ADDRESS_MEMORY).await?;
        state
            .audit(AuditEvent::LoginFailed, None, &actor, "unknown address")
            .await?;
        state.metrics.event("login_failed");
        let refusal = if is_locked(failures.try_into().unwrap_or(i32::MAX)) {
            Refusal::Locked
        } else {
            Refusal::Invalid
        };
        return Ok(refused(&page().await, &form, &typed_email, refusal));
    };

    let account = attempt.account;
    match check_reserved(
        &state,
        &account,
        attempt.reserved,
        &password,
        &actor,
        AuditEvent::LoginFailed,
        Some(AuditEvent::LoginSucceeded),
    )
    .await?
    {
        PasswordCheck::Correct => {}
        PasswordCheck::Wrong => {
            return Ok(refused(
                &page().await,
                &form,
                &typed_email,
                Refusal::Invalid,
            ));
        }
        PasswordCheck::Locked => {
            return Ok(refused(&page().await, &form, &typed_email, Refusal::Locked));
        }
    }
    state.metrics.event("login_succeeded");
    // The application's request, read once for the second step's level and for the answer.
    let pending = find_pending(&state.kv, &form.authorization, state.clock.now()).await?;
    if let Some(second_step) = second_step::begin_after_password(
        &state,
        &account,
        pending.as_ref(),
        &form.authorization,
        &form.next,
    )
    .await?
    {
        return Ok(second_step);
    }
    let after = After {
        authorization: &form.authorization,
        pending,
        next: &form.next,
    };
    open_session(&req, &state, &account, Proof::password(), after).await
}

/// The login page's context for a refusal: its form may lead back to the application of the
/// pending authorization `id`.
async fn page_for(req: &HttpRequest, state: &AppState, id: &str) -> PageContext {
    PageContext::new(req, state)
        .for_authorization(state, id)
        .await
}

/// `next` when it is a page of "My account" (the only places a re-authentication returns to),
/// otherwise nothing: never an open redirect.
pub fn safe_next(next: &str) -> &str {
    let local = next == "/account" || next.starts_with("/account/");
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'?' | b'=' | b'&'));
    if local && plain && !next.contains("//") {
        next
    } else {
        ""
    }
}

/// Where a completed login goes: the application's request `authorization` (as read by the
/// caller: `pending`, `None` when it is gone), or else the page of "My account" `next`.
pub struct After<'a> {
    pub authorization: &'a str,
    pub pending: Option<AuthorizationRequest>,
    pub next: &'a str,
}

/// The login is complete: a new session (a new id at every login; the session this browser had
/// before is ended), then the application's answer (its pending request answered at once), the
/// page asked for, or "My account".
pub async fn open_session(
    req: &HttpRequest,
    state: &AppState,
    account: &Account,
    proof: Proof,
    after: After<'_>,
) -> Result<HttpResponse, WebError> {
    let actor = state.actor(req);
    if let Some(previous) = session_cookie::current(req, state).await {
        state
            .sessions
            .end(&previous.handle, &previous.record.account_id)
            .await?;
        // Logging in again as someone else ends what the previous person's session gave.
        if previous.record.account_id != account.id {
            crate::oidc::session_end::session_ended(state, &previous.record).await?;
        }
    }
    let (cookie_value, session) = state
        .sessions
        .create(&account.id, &actor.ip, &actor.user_agent, proof)
        .await?;
    let mut response = match (after.authorization.is_empty(), safe_next(after.next)) {
        (true, next) if !next.is_empty() => see_other(next),
        (true, _) => see_other("/account"),
        (false, _) => {
            answer_after_login(
                req,
                state,
                after.authorization,
                after.pending,
                session,
                account,
            )
            .await?
        }
    };
    response
        .add_cookie(&session_cookie::issue(state, cookie_value))
        .ok();
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    pub csrf_token: String,
}

/// Ends the session on the server, then forgets the cookie.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    if let Some(session) = session_cookie::current(&req, &state).await {
        state
            .sessions
            .end(&session.handle, &session.record.account_id)
            .await?;
        crate::oidc::session_end::session_ended(&state, &session.record).await?;
        state
            .audit(
                AuditEvent::LoggedOut,
                Some(&session.record.account_id),
                &state.actor(&req),
                "",
            )
            .await?;
    }
    let ctx = PageContext::new(&req, &state);
    let mut response = ctx.ok(&NoticePage {
        ctx: &ctx,
        title: ctx.t.t("logout.title"),
        lines: vec![ctx.t.t("logout.body").to_owned()],
        action: Some(("/login", ctx.t.t("nav.login"))),
    });
    response.add_cookie(&session_cookie::removal(&state)).ok();
    Ok(response)
}
