//! The mobile app at login. By PIN: a request is pushed to the person's devices and the
//! browser shows its two-digit number until the phone approves it (with the PIN) or denies it;
//! a small script polls, and without JavaScript a button asks. By QR code: the browser shows a
//! challenge whose one-time password the app computes offline (checked in `second_step`).

use crate::app::AppState;
use crate::factors::Method;
use crate::factors::login_step::{LoginStep, QrChallenge};
use crate::factors::mobile::{PushDecision, PushRequest, QR_CHALLENGE_LIFETIME};
use crate::http::errors::{WebError, message_page};
use crate::http::forms::reject_forgery;
use crate::http::page::{PageContext, see_other};
use crate::http::second_step::{self, finish, no_step};
use crate::http::step_cookie;
use crate::security::rate_limit::{self, Limit, Verdict};
use crate::store::audit::AuditEvent;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use eulogin_mobile_protocol::LoginChallengePayload;
use serde::{Deserialize, Serialize};
use time::Duration;

/// Requests pushed to one account's devices, all logins together.
const PUSHES_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::minutes(10),
};
const PUSH_PAGE: &str = "/login/verify/app";

/// Pushes a new request to the account's devices (the one this step pushed before is
/// withdrawn) and shows its number.
pub async fn push(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &mut LoginStep,
) -> Result<HttpResponse, WebError> {
    if let Verdict::Refused { retry_after_secs } = rate_limit::check(
        &state.kv,
        &format!("app_push:{}", step.account_id),
        PUSHES_PER_ACCOUNT,
    )
    .await?
    {
        let ctx = PageContext::new(req, state);
        return Ok(state.too_many_requests(&ctx, retry_after_secs));
    }
    withdraw(state, step).await?;
    let application = crate::http::oidc::authorize::pending_for_login(state, &step.authorization)
        .await
        .application;
    let browser = describe_browser(&state.actor(req).user_agent);
    let request = state
        .mobile
        .push(&step.account_id, application, browser)
        .await?;
    step.app_push = Some(request.id);
    state.login_steps.save(handle, step).await?;
    state.metrics.event("app_push_sent");
    Ok(see_other(PUSH_PAGE))
}

/// Withdraws the request this step pushed, if any (another method was chosen, or a new push).
pub async fn withdraw(state: &AppState, step: &mut LoginStep) -> Result<(), WebError> {
    if let Some(id) = step.app_push.take()
        && let Some(request) = state.mobile.find_push(&id).await?
    {
        state.mobile.end_push(&request).await?;
    }
    Ok(())
}

/// A fresh QR code challenge for this step; the code page shows it.
pub fn new_qr_challenge(state: &AppState) -> Option<QrChallenge> {
    let payload = LoginChallengePayload::generate(state.settings.public_url.clone()).ok()?;
    Some(QrChallenge {
        payload: payload.to_uri(),
        challenge: payload.challenge,
        expires_at: (state.clock.now() + QR_CHALLENGE_LIFETIME).unix_timestamp(),
    })
}

/// "Firefox on Windows": how the phone names the browser that waits, from its user agent.
pub fn describe_browser(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| user_agent.contains(needle))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "A browser".to_owned(),
    }
}

/// Where the pushed request stands, as the browser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum PushState {
    Pending,
    Approved,
    Denied,
    Expired,
}

async fn push_state(
    state: &AppState,
    step: &LoginStep,
) -> Result<(PushState, Option<(PushRequest, Option<PushDecision>)>), WebError> {
    let Some(id) = &step.app_push else {
        return Ok((PushState::Expired, None));
    };
    let Some(request) = state
        .mobile
        .find_push(id)
        .await?
        .filter(|r| r.account_id == step.account_id)
    else {
        return Ok((PushState::Expired, None));
    };
    let decision = state.mobile.decision(id).await?;
    let now = state.clock.now().unix_timestamp();
    let push_state = match &decision {
        Some(PushDecision::Approved { .. }) => PushState::Approved,
        Some(PushDecision::Denied { .. }) => PushState::Denied,
        None if now >= request.expires_at => PushState::Expired,
        None => PushState::Pending,
    };
    Ok((push_state, Some((request, decision))))
}

#[derive(Template)]
#[template(path = "second_step_push.html")]
struct PushPage<'a> {
    ctx: &'a PageContext,
    number: String,
    application: Option<String>,
    seconds: i64,
    waiting: bool,
    notice: Option<String>,
}

async fn push_page(
    req: &HttpRequest,
    state: &AppState,
    step: &LoginStep,
    notice_key: Option<&str>,
) -> Result<HttpResponse, WebError> {
    let ctx = second_step::step_context(req, state, step).await;
    let (now_state, found) = push_state(state, step).await?;
    let waiting = now_state == PushState::Pending;
    let notice = match (now_state, notice_key) {
        (PushState::Expired, _) => Some(ctx.t.t("mobile.push_expired").to_owned()),
        (_, Some(key)) => Some(ctx.t.t(key).to_owned()),
        _ => None,
    };
    let (number, application, seconds) = match found {
        Some((request, _)) if waiting => (
            request.number,
            request.application,
            (request.expires_at - state.clock.now().unix_timestamp()).max(0),
        ),
        _ => (String::new(), None, 0),
    };
    let mut response = ctx.render(
        StatusCode::OK,
        &PushPage {
            ctx: &ctx,
            number,
            application,
            seconds,
            waiting,
            notice,
        },
    );
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `GET /login/verify/app`: "Pending authentication request" with the number to compare.
pub async fn waiting_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some((_, step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    if step.method != Some(Method::AppPin) {
        return Ok(see_other("/login/verify"));
    }
    push_page(&req, &state, &step, None).await
}

#[derive(Serialize)]
struct StatusBody {
    status: &'static str,
}

/// `GET /login/verify/app/status`: `pending`, `approved`, `denied`, `expired` (or `gone` when
/// the step is over), for the page's script.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let status = match step_cookie::current(&req, &state).await {
        Some((_, step)) => match push_state(&state, &step).await?.0 {
            PushState::Pending => "pending",
            PushState::Approved => "approved",
            PushState::Denied => "denied",
            PushState::Expired => "expired",
        },
        None => "gone",
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(StatusBody { status }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContinueForm {
    pub csrf_token: String,
}

/// `POST /login/verify/app`: goes on once the phone has approved; a denial ends the step.
pub async fn proceed(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let Some((handle, step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    if step.method != Some(Method::AppPin) {
        return Ok(see_other("/login/verify"));
    }
    let (now_state, found) = push_state(&state, &step).await?;
    match (now_state, found) {
        (PushState::Approved, Some((request, Some(PushDecision::Approved { device_id })))) => {
            state.mobile.end_push(&request).await?;
            let proof = Method::AppPin.proof(false);
            finish(
                &req,
                &state,
                &handle,
                &step,
                Method::AppPin,
                Some(&device_id),
                proof,
            )
            .await
        }
        (PushState::Denied, Some((request, _))) => {
            state.mobile.end_push(&request).await?;
            state.login_steps.end(&handle).await?;
            state
                .audit(
                    AuditEvent::SecondStepAbandoned,
                    Some(&step.account_id),
                    &state.actor(&req),
                    "denied on the mobile app",
                )
                .await?;
            let ctx = PageContext::new(&req, &state);
            let mut response = message_page(
                &ctx,
                StatusCode::UNAUTHORIZED,
                "factors.step_title",
                ctx.t.t("mobile.push_denied"),
            );
            response.add_cookie(&step_cookie::removal(&state)).ok();
            Ok(response)
        }
        (PushState::Pending, _) => {
            push_page(&req, &state, &step, Some("mobile.still_waiting")).await
        }
        _ => push_page(&req, &state, &step, None).await,
    }
}
