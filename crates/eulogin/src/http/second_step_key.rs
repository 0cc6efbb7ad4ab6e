//! The login's second step with a security key or passkey (`/login/verify/key`): the page
//! carries the options of a ceremony over the account's keys for `static/webauthn.js`, which
//! calls `navigator.credentials.get` and posts the key's answer. A refused answer counts toward
//! the step's five wrong attempts, like a wrong code; a signature counter that goes back is
//! audited as such. A step that must reach the high level asks every key to verify its user and
//! refuses an answer without it.
//!
//! The ceremony's state lives in the key-value store for `ceremony_ttl()` under the login step,
//! and is taken on first use: any replica can finish a login another began, and an answer is
//! never accepted twice.

use crate::app::AppState;
use crate::factors::Method;
use crate::factors::login_step::{LoginStep, MAX_WRONG_CODES};
use crate::factors::security_keys::{self as keys, ceremony_ttl};
use crate::http::errors::WebError;
use crate::http::forms::reject_forgery;
use crate::http::page::{PageContext, see_other};
use crate::http::second_step::{abandon, finish, no_step, usable_factors};
use crate::http::security_keys::AnswerForm;
use crate::http::step_cookie;
use crate::oidc::assurance::Loa;
use crate::store::audit::AuditEvent;
use crate::store::factors::{self as factor_store, Factor, FactorKind};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use eulogin_webauthn::{Authenticated, WebAuthnError};

/// The page of the login's second step with a security key or passkey.
pub const LOGIN_PAGE: &str = "/login/verify/key";

fn authentication_key(step_handle: &str) -> String {
    format!("webauthn_authentication:{step_handle}")
}

#[derive(Template)]
#[template(path = "second_step_key.html")]
struct LoginPage<'a> {
    ctx: &'a PageContext,
    options_json: &'a str,
    high: bool,
    error: Option<String>,
}

/// The account's usable security keys and passkeys.
async fn usable_keys(state: &AppState, account_id: &str) -> Result<Vec<Factor>, WebError> {
    Ok(usable_factors(state, account_id)
        .await?
        .into_iter()
        .filter(|f| f.kind == FactorKind::WebAuthn)
        .collect())
}

/// The login page with a new ceremony over the account's keys (asking every key to verify its
/// user when the step must reach the high level); the choice of methods when there are none.
async fn login_page(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &LoginStep,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let credentials = keys::credentials(&usable_keys(state, &step.account_id).await?);
    if credentials.is_empty() {
        return Ok(see_other("/login/verify"));
    }
    let start = state.webauthn.start_authentication(&credentials)?;
    state
        .kv
        .set(&authentication_key(handle), &start.state, ceremony_ttl())
        .await?;
    let options_json = keys::options_for_level(&start.options_json, step.required);
    let ctx = crate::http::second_step::step_context(req, state, step).await;
    Ok(ctx.render(
        status,
        &LoginPage {
            ctx: &ctx,
            options_json: &options_json,
            high: step.required >= Loa::High,
            error,
        },
    ))
}

/// The step, unless it is over: `Err` holds the page to show instead.
async fn current_step(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Result<(String, LoginStep), HttpResponse>, WebError> {
    let Some((handle, mut step)) = step_cookie::current(req, state).await else {
        return Ok(Err(no_step(req, state)));
    };
    // A step that already had its five wrong answers is over.
    if state.login_steps.wrong_codes(&handle).await? >= MAX_WRONG_CODES {
        return Ok(Err(abandon(req, state, &handle, &step).await?));
    }
    if step.method != Some(Method::SecurityKey) {
        // Reached without choosing on /login/verify (a bookmark, the back button).
        step.method = Some(Method::SecurityKey);
        state.login_steps.save(&handle, &step).await?;
    }
    Ok(Ok((handle, step)))
}

/// `GET /login/verify/key`: the page that asks the browser for the key's answer.
pub async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let (handle, step) = match current_step(&req, &state).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    login_page(&req, &state, &handle, &step, None, StatusCode::OK).await
}

/// `POST /login/verify/key`: the key's answer ends the step, or counts as a wrong attempt.
pub async fn check_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let (handle, step) = match current_step(&req, &state).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    match check(&state, &handle, &step, &form.credential).await? {
        Ok((done, factor_id)) => {
            finish(
                &req,
                &state,
                &handle,
                &step,
                Method::SecurityKey,
                Some(&factor_id),
                Method::SecurityKey.proof(done.user_verified),
            )
            .await
        }
        Err(Refused::Again(message_key, status)) => {
            let error = PageContext::new(&req, &state).t.t(message_key).to_owned();
            login_page(&req, &state, &handle, &step, Some(error), status).await
        }
        Err(Refused::Wrong(refusal, factors)) => {
            wrong_answer(&req, &state, &handle, &step, &factors, &refusal).await
        }
    }
}

/// Why an answer does not end the step.
enum Refused {
    /// No answer, or none for the current ceremony, or a key that did not verify its user for
    /// the high level: the page again with this text and status, nothing counted.
    Again(&'static str, StatusCode),
    /// An answer refused as wrong (with the account's keys, for the audit log): counted.
    Wrong(WebAuthnError, Vec<Factor>),
}

/// Checks an answer against the step's ceremony (taken from the store: a replayed answer finds
/// none) and the account's keys as they are now, and stores the key's new counter; the outcome
/// and the id of the key used.
async fn check(
    state: &AppState,
    handle: &str,
    step: &LoginStep,
    answer: &str,
) -> Result<Result<(Authenticated, String), Refused>, WebError> {
    if answer.trim().is_empty() {
        return Ok(Err(Refused::Again(
            "factors.key_no_answer",
            StatusCode::BAD_REQUEST,
        )));
    }
    let expired = Refused::Again("factors.key_ceremony_expired", StatusCode::BAD_REQUEST);
    let Some(ceremony) = state.kv.take(&authentication_key(handle)).await? else {
        return Ok(Err(expired));
    };
    let factors = usable_keys(state, &step.account_id).await?;
    let outcome =
        state
            .webauthn
            .finish_authentication(&ceremony, answer, &keys::credentials(&factors));
    let done = match outcome {
        Ok(done) => done,
        Err(WebAuthnError::InvalidState) => return Ok(Err(expired)),
        Err(e) if keys::is_refusal(&e) => return Ok(Err(Refused::Wrong(e, factors))),
        Err(e) => return Err(e.into()),
    };
    let Some(factor_id) = factors
        .iter()
        .find(|f| f.lookup == done.credential_id)
        .map(|f| f.id.clone())
    else {
        return Ok(Err(Refused::Wrong(
            WebAuthnError::UnknownCredential,
            factors,
        )));
    };
    if !save_use(state, &factor_id, &done).await? {
        // Another authentication moved the counter on meanwhile: this answer is not newer (the
        // counter on record is at least the one received).
        let regression = WebAuthnError::CounterRegression {
            credential_id: done.credential_id.clone(),
            stored: done.new_counter,
            received: done.new_counter,
        };
        return Ok(Err(Refused::Wrong(regression, factors)));
    }
    if step.required >= Loa::High && !done.user_verified {
        // A genuine key that did not check its user: not a wrong attempt, but not enough.
        return Ok(Err(Refused::Again(
            "factors.key_uv_needed_for_high",
            StatusCode::UNAUTHORIZED,
        )));
    }
    Ok(Ok((done, factor_id)))
}

/// Stores what an authentication changed: the new signature counter (moved forward in one
/// conditional statement, so that two answers with the same counter cannot both pass) and the
/// credential data webauthn-rs updated. A counter that stays at zero (synced passkeys) is left
/// as it is. False when the counter was already at or beyond the new one.
async fn save_use(
    state: &AppState,
    factor_id: &str,
    done: &Authenticated,
) -> Result<bool, WebError> {
    let public_key = match &done.updated_data {
        Some(data) => Some(
            keys::record(done.kind, data)
                .map_err(|e| WebAuthnError::Internal(format!("cannot store a credential: {e}")))?,
        ),
        None => None,
    };
    let (id, counter, now) = (
        factor_id.to_owned(),
        i64::from(done.new_counter),
        state.clock.now(),
    );
    Ok(state
        .db
        .transaction(move |c| {
            if counter > 0 && !factor_store::advance_counter(c, &id, counter, now)? {
                return Ok::<_, infra::db::DbError>(false);
            }
            if let Some(public_key) = &public_key {
                factor_store::update_public_key(c, &id, public_key)?;
            }
            Ok(true)
        })
        .await?)
}

/// A refused answer: audited (a counter regression as such, with the credential), counted
/// toward the step's five wrong attempts, and the page again with the reason.
async fn wrong_answer(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &LoginStep,
    factors: &[Factor],
    refusal: &WebAuthnError,
) -> Result<HttpResponse, WebError> {
    let (event, detail) = match refusal {
        WebAuthnError::CounterRegression {
            credential_id,
            stored,
            received,
        } => {
            let name = factors
                .iter()
                .find(|f| &f.lookup == credential_id)
                .map(|f| f.name.as_str())
                .unwrap_or_default();
            (
                AuditEvent::CounterRegression,
                format!(
                    "{} credential {credential_id} ({name}): stored {stored}, received {received}",
                    refusal.code()
                ),
            )
        }
        WebAuthnError::WrongOrigin { origin } => (
            AuditEvent::SecondFactorFailed,
            format!(
                "{} {}: {}",
                Method::SecurityKey.as_str(),
                refusal.code(),
                origin.chars().take(200).collect::<String>()
            ),
        ),
        _ => (
            AuditEvent::SecondFactorFailed,
            format!("{} {}", Method::SecurityKey.as_str(), refusal.code()),
        ),
    };
    tracing::info!(code = refusal.code(), error = %refusal, "security key answer refused");
    state
        .audit(event, Some(&step.account_id), &state.actor(req), &detail)
        .await?;
    state.metrics.event("second_factor_failed");
    let wrong = state.login_steps.count_wrong_code(handle).await?;
    if wrong >= MAX_WRONG_CODES {
        return abandon(req, state, handle, step).await;
    }
    let ctx = PageContext::new(req, state);
    let left = (MAX_WRONG_CODES - wrong).to_string();
    let error = format!(
        "{} {}",
        ctx.t.t(keys::message_key(refusal, false)),
        ctx.t.fill("factors.key_attempts_left", &[("left", &left)])
    );
    login_page(
        req,
        state,
        handle,
        step,
        Some(error),
        StatusCode::UNAUTHORIZED,
    )
    .await
}
