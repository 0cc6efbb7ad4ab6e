//! The second step of a login (`/login/verify`): after the password, or when an application
//! asks for more than the session has (step-up), the person picks one of their methods and
//! proves it. Only methods that reach the required level are offered. Success creates (or
//! raises) the SSO session and continues where the login was going.

use crate::app::AppState;
use crate::factors::codes::{self, RECOVERY_CODE_LENGTH, SMS_CODE_LENGTH};
use crate::factors::login_step::{
    LoginStep, MAX_SMS_PER_STEP, MAX_WRONG_CODES, SMS_CODE_LIFETIME, SmsChallenge,
};
use crate::factors::{Method, available_methods, phone, policy, qr, totp};
use crate::http::errors::{WebError, message_page};
use crate::http::forms::reject_forgery;
use crate::http::oidc::authorize::after_login;
use crate::http::page::{PageContext, see_other};
use crate::http::{login, second_step_app, step_cookie};
use crate::oidc::assurance::Loa;
use crate::oidc::authorization::{AuthorizationRequest, find_pending};
use crate::security::rate_limit::{self, Limit, Verdict};
use crate::security::sessions::{ActiveSession, Proof};
use crate::store::accounts::{self, Account};
use crate::store::audit::AuditEvent;
use crate::store::factors::{self as factor_store, Factor, FactorKind};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::Duration;

/// Text messages to one number: at most this many per hour.
const SMS_PER_NUMBER: Limit = Limit {
    max: 5,
    window: Duration::hours(1),
};
/// Text messages for one account, all numbers together, per day.
const SMS_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: Duration::days(1),
};

/// After the password: the second step when the login needs one, or `None` when the
/// password is enough (the caller then opens a password session). `pending` is the
/// application's request the login is for (`authorization`), as the caller read it.
pub async fn begin_after_password(
    state: &AppState,
    account: &Account,
    pending: Option<&AuthorizationRequest>,
    authorization: &str,
    next: &str,
) -> Result<Option<HttpResponse>, WebError> {
    let requested = pending.map_or(Loa::Low, |request| request.required_loa);
    // A re-authentication before a sensitive change needs the second factor when there is one.
    let reauthentication = !crate::http::login::safe_next(next).is_empty();
    let required = policy::required_level(requested, account.always_mfa || reauthentication);
    if required == Loa::Low {
        return Ok(None);
    }
    let factors = usable_factors(state, &account.id).await?;
    let Some(best) = available_methods(&factors).iter().map(|(_, l)| *l).max() else {
        // Nothing to prove it with: a password session, and the application's request goes on
        // to the step-up, which sends the person to add a method.
        return Ok(None);
    };
    let now = state.clock.now().unix_timestamp();
    let step = LoginStep {
        authorization: authorization.to_owned(),
        next: next.to_owned(),
        ..LoginStep::new(&account.id, required.min(best), None, now)
    };
    Ok(Some(enter_step(state, &step).await?))
}

/// An application wants more than the session has: the second step only, or, when none of the
/// person's methods reaches the level, the security page that says what to add.
pub async fn begin_step_up(
    state: &AppState,
    session: &ActiveSession,
    authorization: &str,
    required: Loa,
) -> Result<HttpResponse, WebError> {
    let factors = usable_factors(state, &session.record.account_id).await?;
    let reachable = available_methods(&factors)
        .iter()
        .any(|(_, level)| *level >= required);
    if !reachable {
        return Ok(see_other(&format!(
            "/account/security?authorization={authorization}&needs={}",
            required.name()
        )));
    }
    let now = state.clock.now().unix_timestamp();
    let step = LoginStep {
        authorization: authorization.to_owned(),
        ..LoginStep::new(
            &session.record.account_id,
            required,
            Some(session.handle.clone()),
            now,
        )
    };
    enter_step(state, &step).await
}

async fn enter_step(state: &AppState, step: &LoginStep) -> Result<HttpResponse, WebError> {
    let cookie_value = state.login_steps.begin(step).await?;
    let mut response = see_other("/login/verify");
    response
        .add_cookie(&step_cookie::issue(state, cookie_value))
        .ok();
    Ok(response)
}

/// The account's factors that can be used now (not disabled).
pub async fn usable_factors(state: &AppState, account_id: &str) -> Result<Vec<Factor>, WebError> {
    let id = account_id.to_owned();
    let factors = state
        .db
        .run(move |c| Ok(factor_store::list(c, &id)?))
        .await?;
    Ok(factors.into_iter().filter(Factor::is_usable).collect())
}

/// One choice on the page: a method, with the phone number when it is an SMS.
struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "second_step_choose.html")]
struct ChoosePage<'a> {
    ctx: &'a PageContext,
    choices: Vec<Choice>,
    error: Option<String>,
    sms_warning: bool,
}

#[derive(Template)]
#[template(path = "second_step_code.html")]
struct CodePage<'a> {
    ctx: &'a PageContext,
    method: &'a str,
    heading: &'a str,
    hint: String,
    error: Option<String>,
    can_resend: bool,
    code_length: usize,
    /// The mobile app's QR code (SVG) and its payload, for the app's one-time password.
    qr: Option<(String, String)>,
}

/// The context of a page of the second step: its forms lead back to the application of the
/// pending authorization, if the login is for one.
pub(crate) async fn step_context(
    req: &HttpRequest,
    state: &AppState,
    step: &LoginStep,
) -> PageContext {
    PageContext::new(req, state)
        .for_authorization(state, &step.authorization)
        .await
}

/// No step in this browser (none begun, expired, or ended): back to the login page.
pub(crate) fn no_step(req: &HttpRequest, state: &AppState) -> HttpResponse {
    let ctx = PageContext::new(req, state);
    let mut response = message_page(
        &ctx,
        StatusCode::BAD_REQUEST,
        "factors.step_title",
        ctx.t.t("factors.step_expired"),
    );
    response.add_cookie(&step_cookie::removal(state)).ok();
    response
}

fn choices(ctx: &PageContext, factors: &[Factor], required: Loa) -> Vec<Choice> {
    let mut out = Vec::new();
    for (method, best) in available_methods(factors) {
        if best < required {
            continue;
        }
        if method == Method::Sms {
            for phone in factors.iter().filter(|f| f.kind == FactorKind::Sms) {
                out.push(Choice {
                    value: format!("sms:{}", phone.id),
                    label: ctx.t.fill(
                        "factors.method_sms_to",
                        &[("number", &phone::masked(&phone.lookup))],
                    ),
                });
            }
        } else {
            out.push(Choice {
                value: method.as_str().to_owned(),
                label: ctx.t.t(method.label_key()).to_owned(),
            });
        }
    }
    out
}

async fn choose_page(
    req: &HttpRequest,
    state: &AppState,
    step: &LoginStep,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let ctx = step_context(req, state, step).await;
    let factors = usable_factors(state, &step.account_id).await?;
    let choices = choices(&ctx, &factors, step.required);
    let sms_warning = choices.iter().any(|c| c.value.starts_with("sms:"));
    Ok(ctx.render(
        status,
        &ChoosePage {
            ctx: &ctx,
            choices,
            error,
            sms_warning,
        },
    ))
}

/// `GET /login/verify`: choose a method.
pub async fn choose(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some((_, step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    choose_page(&req, &state, &step, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    pub csrf_token: String,
    pub choice: String,
}

/// `POST /login/verify`: start the chosen method (an SMS code is sent now).
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<StartForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let Some((handle, mut step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    let ctx = step_context(&req, &state, &step).await;
    let factors = usable_factors(&state, &step.account_id).await?;
    let (method_name, factor_id) = form.choice.split_once(':').unwrap_or((&form.choice, ""));
    let method = Method::parse(method_name).filter(|m| {
        available_methods(&factors)
            .iter()
            .any(|(a, best)| a == m && *best >= step.required)
    });
    let Some(method) = method else {
        let error = Some(ctx.t.t("factors.choose_one").to_owned());
        return choose_page(&req, &state, &step, error, StatusCode::BAD_REQUEST).await;
    };
    step.method = Some(method);
    if method != Method::AppPin {
        second_step_app::withdraw(&state, &mut step).await?;
    }
    if method == Method::AppPin {
        return second_step_app::push(&req, &state, &handle, &mut step).await;
    }
    if method == Method::AppQr {
        step.app_qr = second_step_app::new_qr_challenge(&state);
    }
    if method == Method::Sms {
        let Some(phone) = factors
            .iter()
            .find(|f| f.kind == FactorKind::Sms && f.id == factor_id)
        else {
            let error = Some(ctx.t.t("factors.choose_one").to_owned());
            return choose_page(&req, &state, &step, error, StatusCode::BAD_REQUEST).await;
        };
        if let Some(refusal) = send_login_code(&req, &state, &handle, &mut step, phone).await? {
            return Ok(refusal);
        }
    }
    state.login_steps.save(&handle, &step).await?;
    if method == Method::SecurityKey {
        return Ok(see_other(crate::http::second_step_key::LOGIN_PAGE));
    }
    Ok(see_other("/login/verify/code"))
}

/// Sends a fresh SMS code for this step, within the limits; the page to show when refused.
async fn send_login_code(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &mut LoginStep,
    phone: &Factor,
) -> Result<Option<HttpResponse>, WebError> {
    let ctx = step_context(req, state, step).await;
    if step.sms_sent >= MAX_SMS_PER_STEP {
        let error = Some(ctx.t.t("factors.sms_step_limit").to_owned());
        return Ok(Some(
            code_page(req, state, step, error, StatusCode::TOO_MANY_REQUESTS).await?,
        ));
    }
    if let Verdict::Refused { retry_after_secs } =
        sms_allowed(state, &phone.lookup, &step.account_id).await?
    {
        return Ok(Some(state.too_many_requests(&ctx, retry_after_secs)));
    }
    let code = codes::new_sms_code();
    let canonical = codes::normalise(&code, SMS_CODE_LENGTH).unwrap_or_default();
    step.sms = Some(SmsChallenge {
        factor_id: phone.id.clone(),
        code_hash: state.factors.codes.hash(handle, &canonical),
        expires_at: (state.clock.now() + SMS_CODE_LIFETIME).unix_timestamp(),
    });
    step.sms_sent += 1;
    let minutes = SMS_CODE_LIFETIME.whole_minutes().to_string();
    let text = ctx.t.fill(
        "factors.sms_login_text",
        &[("code", &code), ("minutes", &minutes)],
    );
    state.factors.sms.send(crate::factors::sms::TextMessage {
        to: phone.lookup.clone(),
        text,
    });
    state.metrics.event("sms_sent");
    Ok(None)
}

/// The limits on text messages: per number and per account.
pub async fn sms_allowed(
    state: &AppState,
    e164: &str,
    account_id: &str,
) -> Result<Verdict, WebError> {
    Ok(rate_limit::check_each(
        &state.kv,
        &[
            (
                &rate_limit::personal_bucket("sms_number", e164),
                SMS_PER_NUMBER,
            ),
            (&format!("sms_account:{account_id}"), SMS_PER_ACCOUNT),
        ],
    )
    .await?)
}

async fn code_page(
    req: &HttpRequest,
    state: &AppState,
    step: &LoginStep,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let ctx = step_context(req, state, step).await;
    let Some(method) = step.method else {
        return choose_page(req, state, step, None, StatusCode::OK).await;
    };
    let (hint, can_resend, code_length) = match method {
        Method::Sms => {
            let number = match &step.sms {
                Some(challenge) => {
                    let id = challenge.factor_id.clone();
                    let account = step.account_id.clone();
                    state
                        .db
                        .run(move |c| Ok(factor_store::find(c, &account, &id)?))
                        .await?
                        .map(|f| phone::masked(&f.lookup))
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            let minutes = SMS_CODE_LIFETIME.whole_minutes().to_string();
            (
                ctx.t.fill(
                    "factors.sms_hint",
                    &[("number", &number), ("minutes", &minutes)],
                ),
                step.sms_sent < MAX_SMS_PER_STEP,
                SMS_CODE_LENGTH + 2,
            )
        }
        Method::Totp => (ctx.t.t("factors.totp_hint").to_owned(), false, 7),
        Method::AppQr => (ctx.t.t("mobile.qr_hint").to_owned(), false, 9),
        Method::Recovery => (
            ctx.t.t("factors.recovery_hint").to_owned(),
            false,
            RECOVERY_CODE_LENGTH + 2,
        ),
        _ => return choose_page(req, state, step, None, StatusCode::OK).await,
    };
    Ok(ctx.render(
        status,
        &CodePage {
            ctx: &ctx,
            method: method.as_str(),
            heading: ctx.t.t(method.label_key()),
            hint,
            error,
            can_resend,
            code_length,
            qr: step
                .app_qr
                .as_ref()
                .filter(|_| method == Method::AppQr)
                .map(|c| (qr::svg(&c.payload).unwrap_or_default(), c.payload.clone())),
        },
    ))
}

/// `GET /login/verify/code`: type the code of the chosen method.
pub async fn code_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some((_, step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    code_page(&req, &state, &step, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub csrf_token: String,
    pub code: String,
}

/// What checking a typed code found.
enum CodeOutcome {
    Right { factor_id: Option<String> },
    Wrong,
    Expired,
}

/// `POST /login/verify/code`: check the code; five wrong codes end the step.
pub async fn check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let Some((handle, step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    let Some(method) = step.method else {
        return choose_page(&req, &state, &step, None, StatusCode::OK).await;
    };
    // A step that already had its five wrong codes is over, whatever this code is.
    if state.login_steps.wrong_codes(&handle).await? >= MAX_WRONG_CODES {
        return abandon(&req, &state, &handle, &step).await;
    }
    let outcome = match method {
        Method::Sms => check_sms_code(&state, &handle, &step, &form.code),
        Method::Totp => check_totp_code(&state, &step.account_id, &form.code).await?,
        Method::Recovery => check_recovery_code(&state, &step.account_id, &form.code).await?,
        Method::AppQr => check_app_code(&state, &step, &form.code).await?,
        _ => CodeOutcome::Wrong,
    };
    let ctx = step_context(&req, &state, &step).await;
    match outcome {
        CodeOutcome::Right { factor_id } => {
            finish(
                &req,
                &state,
                &handle,
                &step,
                method,
                factor_id.as_deref(),
                method.proof(false),
            )
            .await
        }
        CodeOutcome::Expired => {
            let error = Some(ctx.t.t("factors.code_expired").to_owned());
            code_page(&req, &state, &step, error, StatusCode::UNAUTHORIZED).await
        }
        CodeOutcome::Wrong => {
            let wrong = state.login_steps.count_wrong_code(&handle).await?;
            state
                .audit(
                    AuditEvent::SecondFactorFailed,
                    Some(&step.account_id),
                    &state.actor(&req),
                    method.as_str(),
                )
                .await?;
            state.metrics.event("second_factor_failed");
            if wrong >= MAX_WRONG_CODES {
                return abandon(&req, &state, &handle, &step).await;
            }
            let left = (MAX_WRONG_CODES - wrong).to_string();
            let error = Some(ctx.t.fill("factors.code_wrong", &[("left", &left)]));
            code_page(&req, &state, &step, error, StatusCode::UNAUTHORIZED).await
        }
    }
}

fn check_sms_code(state: &AppState, handle: &str, step: &LoginStep, typed: &str) -> CodeOutcome {
    let Some(challenge) = &step.sms else {
        return CodeOutcome::Wrong;
    };
    if state.clock.now().unix_timestamp() > challenge.expires_at {
        return CodeOutcome::Expired;
    }
    let Some(canonical) = codes::normalise(typed, SMS_CODE_LENGTH) else {
        return CodeOutcome::Wrong;
    };
    if state
        .factors
        .codes
        .matches(handle, &canonical, &challenge.code_hash)
    {
        // The code is spent with the step, which `finish` ends.
        CodeOutcome::Right {
            factor_id: Some(challenge.factor_id.clone()),
        }
    } else {
        CodeOutcome::Wrong
    }
}

async fn check_totp_code(
    state: &AppState,
    account_id: &str,
    typed: &str,
) -> Result<CodeOutcome, WebError> {
    let id = account_id.to_owned();
    let apps = state
        .db
        .run(move |c| Ok(factor_store::list_kind(c, &id, FactorKind::Totp)?))
        .await?;
    let now = state.clock.now();
    for app in apps.iter().filter(|f| f.is_usable()) {
        let Some(seed) = open_secret(state, app) else {
            continue;
        };
        if let Some(step) = totp::matching_step(&seed, typed, now.unix_timestamp()) {
            // One statement moves the last used step forward: a replayed code (or one of an
            // earlier step) finds it already there and fails.
            let id = app.id.clone();
            let fresh = state
                .db
                .write(move |c| Ok(factor_store::advance_counter(c, &id, step, now)?))
                .await?;
            return Ok(if fresh {
                CodeOutcome::Right {
                    factor_id: Some(app.id.clone()),
                }
            } else {
                CodeOutcome::Wrong
            });
        }
    }
    Ok(CodeOutcome::Wrong)
}

/// The mobile app's one-time password for the QR code of this step, from any of the
/// account's usable devices.
async fn check_app_code(
    state: &AppState,
    step: &LoginStep,
    typed: &str,
) -> Result<CodeOutcome, WebError> {
    let Some(challenge) = &step.app_qr else {
        return Ok(CodeOutcome::Wrong);
    };
    if state.clock.now().unix_timestamp() > challenge.expires_at {
        return Ok(CodeOutcome::Expired);
    }
    let id = step.account_id.clone();
    let devices = state
        .db
        .run(move |c| Ok(factor_store::list_kind(c, &id, FactorKind::App)?))
        .await?;
    for device in devices.iter().filter(|f| f.is_usable()) {
        let Some(secret) = open_secret(state, device) else {
            continue;
        };
        if eulogin_mobile_protocol::qr_otp_matches(&secret, &challenge.challenge, typed) {
            // The challenge is spent with the step, which `finish` ends.
            return Ok(CodeOutcome::Right {
                factor_id: Some(device.id.clone()),
            });
        }
    }
    Ok(CodeOutcome::Wrong)
}

/// The decrypted secret of a factor; a secret that does not open is logged and skipped.
fn open_secret(state: &AppState, factor: &Factor) -> Option<Vec<u8>> {
    let sealed = factor.secret.as_deref()?;
    match state.factors.sealer.open(&factor.id, sealed) {
        Ok(secret) => Some(secret),
        Err(e) => {
            tracing::error!(factor = %factor.id, error = %e, "factor secret does not open");
            None
        }
    }
}

async fn check_recovery_code(
    state: &AppState,
    account_id: &str,
    typed: &str,
) -> Result<CodeOutcome, WebError> {
    let Some(canonical) = codes::normalise(typed, RECOVERY_CODE_LENGTH) else {
        return Ok(CodeOutcome::Wrong);
    };
    let hash = state.factors.codes.hash(account_id, &canonical);
    let id = account_id.to_owned();
    let used = state
        .db
        .write(move |c| Ok(factor_store::use_recovery_code(c, &id, &hash)?))
        .await?;
    Ok(if used {
        CodeOutcome::Right { factor_id: None }
    } else {
        CodeOutcome::Wrong
    })
}

/// Five wrong codes (or answers of a security key): the step ends and the login starts again from the password.
pub(crate) async fn abandon(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &LoginStep,
) -> Result<HttpResponse, WebError> {
    state.login_steps.end(handle).await?;
    state
        .audit(
            AuditEvent::SecondStepAbandoned,
            Some(&step.account_id),
            &state.actor(req),
            "too many wrong codes",
        )
        .await?;
    let ctx = PageContext::new(req, state);
    let mut response = message_page(
        &ctx,
        StatusCode::UNAUTHORIZED,
        "factors.step_title",
        ctx.t.t("factors.too_many_wrong"),
    );
    response.add_cookie(&step_cookie::removal(state)).ok();
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    pub csrf_token: String,
}

/// `POST /login/verify/resend`: a new SMS code to the same number (the old one stops
/// working; the count of wrong codes goes on).
pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refusal) = reject_forgery(&req, &state, &form.csrf_token) {
        return Ok(refusal);
    }
    let Some((handle, mut step)) = step_cookie::current(&req, &state).await else {
        return Ok(no_step(&req, &state));
    };
    let Some(factor_id) = step
        .sms
        .as_ref()
        .map(|s| s.factor_id.clone())
        .filter(|_| step.method == Some(Method::Sms))
    else {
        return choose_page(&req, &state, &step, None, StatusCode::OK).await;
    };
    let account = step.account_id.clone();
    let phone = state
        .db
        .run(move |c| Ok(factor_store::find(c, &account, &factor_id)?))
        .await?;
    let Some(phone) = phone else {
        return choose_page(&req, &state, &step, None, StatusCode::OK).await;
    };
    if let Some(refusal) = send_login_code(&req, &state, &handle, &mut step, &phone).await? {
        return Ok(refusal);
    }
    state.login_steps.save(&handle, &step).await?;
    Ok(see_other("/login/verify/code"))
}

/// The step succeeded: the session is created (or raised), the step ends, and the login goes
/// on to the application or the page it was for.
pub async fn finish(
    req: &HttpRequest,
    state: &AppState,
    handle: &str,
    step: &LoginStep,
    method: Method,
    factor_id: Option<&str>,
    proof: Proof,
) -> Result<HttpResponse, WebError> {
    state.login_steps.end(handle).await?;
    let now = state.clock.now();
    let (account_id, actor) = (step.account_id.clone(), state.actor(req));
    let factor = factor_id.map(str::to_owned);
    let detail = method.as_str();
    state
        .db
        .transaction(move |c| {
            if let Some(id) = &factor {
                factor_store::record_use(c, id, now)?;
            }
            crate::store::audit::record(
                c,
                AuditEvent::SecondFactorSucceeded,
                Some(&account_id),
                &actor,
                detail,
                now,
            )?;
            Ok::<_, infra::db::DbError>(())
        })
        .await?;
    state.metrics.event("second_factor_succeeded");
    let mut response = match &step.session_handle {
        Some(session) => {
            if !state.sessions.step_up(session, proof).await? {
                return Ok(see_other("/login"));
            }
            see_other(&after_login(&step.authorization))
        }
        None => {
            let id = step.account_id.clone();
            let Some(account) = state
                .db
                .run(move |c| Ok(accounts::find_by_id(c, &id)?))
                .await?
            else {
                return Ok(see_other("/login"));
            };
            let pending = find_pending(&state.kv, &step.authorization, state.clock.now()).await?;
            let after = login::After {
                authorization: &step.authorization,
                pending,
                next: &step.next,
            };
            login::open_session(req, state, &account, proof, after).await?
        }
    };
    response.add_cookie(&step_cookie::removal(state)).ok();
    Ok(response)
}
