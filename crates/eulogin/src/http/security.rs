//! "My account → Two-factor authentication" (`/account/security`): the person's methods, and
//! adding or removing them: mobile phone numbers (confirmed by a code sent by SMS),
//! authenticator apps (confirmed by a first code), recovery codes, "always require
//! multi-factor authentication" and "Delete all my devices". Security keys and passkeys are
//! listed here and added by `security_keys`.
//!
//! Every change needs a login of the last ten minutes, with the second factor when the person
//! has one (see `factors::policy`), is audited, and is e-mailed to the account's owner.

use crate::app::AppState;
use crate::factors::codes::{self, RECOVERY_CODE_LENGTH, SMS_CODE_LENGTH};
use crate::factors::{Method, phone, policy, qr, totp};
use crate::http::account::{signed_in, when};
use crate::http::errors::WebError;
use crate::http::forms::reject_forgery;
use crate::http::page::{PageContext, see_other};
use crate::http::second_step::sms_allowed;
use crate::http::security_keys;
use crate::i18n::Lang;
use crate::oidc::assurance::Loa;
use crate::security::rate_limit::Verdict;
use crate::security::sessions::ActiveSession;
use crate::store::accounts::{self, Account};
use crate::store::audit::AuditEvent;
use crate::store::factors::{self as factor_store, Factor, FactorKind, NewFactor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use time::Duration;

/// How long an enrolment (a phone waiting for its code, an app waiting for its first code) is
/// kept.
const ENROLMENT_LIFETIME: Duration = Duration::minutes(10);
/// Wrong confirmation codes before an enrolment is dropped.
const MAX_WRONG_ENROLMENT_CODES: i64 = 5;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// The path of the re-authentication that returns here.
const REAUTHENTICATE: &str = "/login?next=/account/security";

/// One enrolled method as listed on the page.
struct FactorRow {
    id: String,
    kind: &'static str,
    label: String,
    added: String,
    last_used: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage<'a> {
    ctx: &'a PageContext,
    fresh: bool,
    factors: Vec<FactorRow>,
    recovery_left: usize,
    always_mfa: bool,
    flash: Option<String>,
    error: Option<String>,
    /// An application waits for a stronger login: the notice and where to continue.
    needs: Option<(String, String)>,
    phone_typed: &'a str,
    /// Security keys and passkeys, listed in their own section.
    keys: Vec<security_keys::KeyRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SecurityQuery {
    pub done: String,
    pub authorization: String,
    pub needs: String,
}

/// The page, with what the person is allowed to do now.
pub(crate) struct View<'a> {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub status: StatusCode,
    pub phone_typed: &'a str,
    pub query: SecurityQuery,
}

impl Default for View<'_> {
    fn default() -> Self {
        View {
            flash: None,
            error: None,
            status: StatusCode::OK,
            phone_typed: "",
            query: SecurityQuery::default(),
        }
    }
}

fn label_of(factor: &Factor) -> String {
    match factor.kind {
        FactorKind::Sms => phone::masked(&factor.lookup),
        _ => factor.name.clone(),
    }
}

pub(crate) async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &ActiveSession,
    account: &Account,
    view: View<'_>,
) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(req, state)
        .with_user(format!("{} {}", account.first_name, account.last_name));
    let id = account.id.clone();
    let all = state
        .db
        .run(move |c| Ok(factor_store::list(c, &id)?))
        .await?;
    let recovery_left = all
        .iter()
        .filter(|f| f.kind == FactorKind::Recovery)
        .count();
    let keys = security_keys::rows(&ctx, &all);
    let factors: Vec<FactorRow> = all
        .iter()
        .filter(|f| f.kind != FactorKind::Recovery && f.kind != FactorKind::WebAuthn)
        .map(|f| FactorRow {
            id: f.id.clone(),
            kind: f.kind.as_str(),
            label: label_of(f),
            added: when(f.created_at),
            last_used: f.last_used_at.map(when).unwrap_or_default(),
            disabled: !f.is_usable(),
        })
        .collect();
    let fresh =
        policy::may_change_factors(&session.record, has_second_factor(&all), state.clock.now());
    let needs = needs_notice(state, &ctx, &view.query).await;
    Ok(ctx.render(
        view.status,
        &SecurityPage {
            ctx: &ctx,
            fresh,
            factors,
            recovery_left,
            always_mfa: account.always_mfa,
            flash: view.flash,
            error: view.error,
            needs,
            phone_typed: view.phone_typed,
            keys,
        },
    ))
}

/// The page with an error about a change started on it (for `security_keys`).
pub(crate) async fn page_with_error(
    req: &HttpRequest,
    state: &AppState,
    session: &ActiveSession,
    account: &Account,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let view = View {
        error: Some(error),
        status,
        ..Default::default()
    };
    render(req, state, session, account, view).await
}

/// "{application} asks for …": shown when a login was sent here to add a method.
async fn needs_notice(
    state: &AppState,
    ctx: &PageContext,
    query: &SecurityQuery,
) -> Option<(String, String)> {
    let level = Loa::from_name(&query.needs)?;
    let pending =
        crate::http::oidc::authorize::pending_for_login(state, &query.authorization).await;
    let application = pending.application?;
    let key = if level == Loa::High {
        "factors.needs_high"
    } else {
        "factors.needs_medium"
    };
    Some((
        ctx.t.fill(key, &[("application", &application)]),
        crate::http::oidc::authorize::after_login(&query.authorization),
    ))
}

/// `GET /account/security`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SecurityQuery>,
) -> Result<HttpResponse, WebError> {
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let query = query.into_inner();
    let flash = DONE_MESSAGES.contains(&query.done.as_str()).then(|| {
        PageContext::new(&req, &state)
            .t
            .t(&format!("factors.done_{}", query.done))
            .to_owned()
    });
    render(
        &req,
        &state,
        &session,
        &account,
        View {
            flash,
            query,
            ..Default::default()
        },
    )
    .await
}

const DONE_MESSAGES: [&str; 8] = [
    "phone",
    "totp",
    "device",
    "key",
    "removed",
    "all_deleted",
    "always_on",
    "always_off",
];

/// Whether any of `factors` is a method to log in with (recovery codes are a fallback, not one).
fn has_second_factor(factors: &[Factor]) -> bool {
    factors
        .iter()
        .any(|f| f.kind != FactorKind::Recovery && f.is_usable())
}

/// Whether the session may make a sensitive change now (its methods, its e-mail address): a
/// login of the last ten minutes, with the second factor when the person has one.
pub(crate) async fn recently_proven(
    state: &AppState,
    session: &ActiveSession,
) -> Result<bool, WebError> {
    let id = session.record.account_id.clone();
    let factors = state
        .db
        .run(move |c| Ok(factor_store::list(c, &id)?))
        .await?;
    Ok(policy::may_change_factors(
        &session.record,
        has_second_factor(&factors),
        state.clock.now(),
    ))
}

/// The signed-in person with their factors, allowed to change their methods now; otherwise
/// the response to give (the login page, or the re-authentication).
pub(crate) async fn may_change(
    req: &HttpRequest,
    state: &AppState,
    csrf_token: &str,
) -> Result<Result<(ActiveSession, Account, Vec<Factor>), HttpResponse>, WebError> {
    if let Some(refusal) = reject_forgery(req, state, csrf_token) {
        return Ok(Err(refusal));
    }
    let (session, account) = match signed_in(req, state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(Err(redirect)),
    };
    let id = account.id.clone();
    let factors = state
        .db
        .run(move |c| Ok(factor_store::list(c, &id)?))
        .await?;
    if !policy::may_change_factors(
        &session.record,
        has_second_factor(&factors),
        state.clock.now(),
    ) {
        state.metrics.event("reauthentication_required");
        return Ok(Err(see_other(REAUTHENTICATE)));
    }
    Ok(Ok((session, account, factors)))
}

/// Counts a wrong confirmation code of the enrolment under `key`, atomically (two tabs cannot
/// both have a fifth try); at the limit the enrolment is dropped. The message to show, and
/// whether the enrolment is gone.
async fn wrong_enrolment_code(
    state: &AppState,
    ctx: &PageContext,
    key: &str,
) -> Result<(String, bool), WebError> {
    let wrong = state
        .kv
        .increment(&wrong_codes_key(key), ENROLMENT_LIFETIME)
        .await?;
    if wrong >= MAX_WRONG_ENROLMENT_CODES {
        state.kv.delete(key).await?;
        return Ok((ctx.t.t("factors.enrolment_too_many_wrong").to_owned(), true));
    }
    let left = (MAX_WRONG_ENROLMENT_CODES - wrong).to_string();
    Ok((ctx.t.fill("factors.code_wrong", &[("left", &left)]), false))
}

fn wrong_codes_key(enrolment_key: &str) -> String {
    format!("{enrolment_key}:wrong")
}

/// Keeps a new enrolment under `key`, with a fresh count of wrong codes.
async fn begin_enrolment<T: Serialize>(
    state: &AppState,
    key: &str,
    enrolment: &T,
) -> Result<(), WebError> {
    state.kv.delete(&wrong_codes_key(key)).await?;
    save_json(state, key, enrolment).await
}

/// Audits a change and e-mails the owner about it.
pub(crate) async fn announce(
    req: &HttpRequest,
    state: &AppState,
    account: &Account,
    event: AuditEvent,
    change_key: &str,
    detail: &str,
) -> Result<(), WebError> {
    state
        .audit(event, Some(&account.id), &state.actor(req), detail)
        .await?;
    let lang = Lang::parse(&account.language).unwrap_or(Lang::En);
    let change = crate::i18n::tr(lang).fill(change_key, &[("what", detail)]);
    let security = format!("{}/account/security", state.settings.public_base());
    state.send_mail(
        &account.email,
        lang,
        "mail.factor_changed",
        &[
            ("name", &account.first_name),
            ("change", &change),
            ("link", &security),
        ],
    );
    Ok(())
}

/// A factor just confirmed by its code has been used by this session, a moment after a fresh
/// login: the session counts as logged in with it (so the person can go on, e.g. turn on
/// "always require", without logging in again).
pub(crate) async fn proven_now(
    state: &AppState,
    session: &ActiveSession,
    method: Method,
) -> Result<(), WebError> {
    if session.record.level() < method.proof(false).loa {
        state
            .sessions
            .step_up(&session.handle, method.proof(false))
            .await?;
    }
    Ok(())
}

// --- Mobile phone numbers -------------------------------------------------------------------

/// A phone number waiting for its confirmation code, per session.
#[derive(Debug, Serialize, Deserialize)]
struct PhoneEnrolment {
    e164: String,
    code_hash: String,
    expires_at: i64,
}

fn phone_enrolment_key(session: &ActiveSession) -> String {
    format!("phone_enrolment:{}", session.handle)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhoneForm {
    pub csrf_token: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "security_phone_confirm.html")]
struct PhoneConfirmPage<'a> {
    ctx: &'a PageContext,
    number: String,
    error: Option<String>,
}

/// `POST /account/security/phones`: a code is sent to the new number.
pub async fn add_phone(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<PhoneForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let ctx = PageContext::new(&req, &state);
    let e164 = match phone::normalise_phone(&form.phone) {
        Ok(number) => number,
        Err(e) => {
            let view = View {
                error: Some(ctx.t.t(e.message_key()).to_owned()),
                status: StatusCode::BAD_REQUEST,
                phone_typed: &form.phone,
                ..Default::default()
            };
            return render(&req, &state, &session, &account, view).await;
        }
    };
    let (id, number) = (account.id.clone(), e164.clone());
    if state
        .db
        .run(move |c| Ok(factor_store::exists(c, &id, FactorKind::Sms, &number)?))
        .await?
    {
        let view = View {
            error: Some(ctx.t.t("factors.phone_known").to_owned()),
            status: StatusCode::CONFLICT,
            phone_typed: &form.phone,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    }
    if let Verdict::Refused { retry_after_secs } = sms_allowed(&state, &e164, &account.id).await? {
        return Ok(state.too_many_requests(&ctx, retry_after_secs));
    }
    let code = codes::new_sms_code();
    let canonical = codes::normalise(&code, SMS_CODE_LENGTH).unwrap_or_default();
    let enrolment = PhoneEnrolment {
        code_hash: state
            .factors
            .codes
            .hash(&format!("{}:{e164}", session.handle), &canonical),
        e164: e164.clone(),
        expires_at: (state.clock.now() + ENROLMENT_LIFETIME).unix_timestamp(),
    };
    begin_enrolment(&state, &phone_enrolment_key(&session), &enrolment).await?;
    let minutes = ENROLMENT_LIFETIME.whole_minutes().to_string();
    state.factors.sms.send(crate::factors::sms::TextMessage {
        to: e164,
        text: ctx.t.fill(
            "factors.sms_enrol_text",
            &[("code", &code), ("minutes", &minutes)],
        ),
    });
    state.metrics.event("sms_sent");
    Ok(see_other("/account/security/phones/confirm"))
}

async fn save_json<T: Serialize>(state: &AppState, key: &str, value: &T) -> Result<(), WebError> {
    let json =
        serde_json::to_string(value).map_err(|e| infra::kv::KvError::other(e.to_string()))?;
    state.kv.set(key, &json, ENROLMENT_LIFETIME).await?;
    Ok(())
}

async fn load_json<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    key: &str,
) -> Result<Option<T>, WebError> {
    Ok(state
        .kv
        .get(key)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// `GET /account/security/phones/confirm`.
pub async fn phone_confirm_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let (session, _) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let Some(enrolment) =
        load_json::<PhoneEnrolment>(&state, &phone_enrolment_key(&session)).await?
    else {
        return Ok(see_other("/account/security"));
    };
    let ctx = PageContext::new(&req, &state);
    Ok(ctx.ok(&PhoneConfirmPage {
        ctx: &ctx,
        number: phone::masked(&enrolment.e164),
        error: None,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub csrf_token: String,
    pub code: String,
    pub name: String,
}

/// `POST /account/security/phones/confirm`: the right code adds the number.
pub async fn confirm_phone(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let key = phone_enrolment_key(&session);
    let Some(enrolment) = load_json::<PhoneEnrolment>(&state, &key).await? else {
        return Ok(see_other("/account/security"));
    };
    let ctx = PageContext::new(&req, &state);
    let expired = state.clock.now().unix_timestamp() > enrolment.expires_at;
    let right = codes::normalise(&form.code, SMS_CODE_LENGTH).is_some_and(|canonical| {
        state.factors.codes.matches(
            &format!("{}:{}", session.handle, enrolment.e164),
            &canonical,
            &enrolment.code_hash,
        )
    });
    if expired || !right {
        let message = if expired {
            state.kv.delete(&key).await?;
            ctx.t.t("factors.code_expired").to_owned()
        } else {
            wrong_enrolment_code(&state, &ctx, &key).await?.0
        };
        return Ok(ctx.render(
            StatusCode::UNAUTHORIZED,
            &PhoneConfirmPage {
                ctx: &ctx,
                number: phone::masked(&enrolment.e164),
                error: Some(message),
            },
        ));
    }
    state.kv.delete(&key).await?;
    let new = NewFactor {
        id: factor_store::new_id(),
        account_id: account.id.clone(),
        kind: FactorKind::Sms,
        name: String::new(),
        lookup: enrolment.e164.clone(),
        public_key: String::new(),
        secret: None,
        verifier: None,
        counter: 0,
    };
    let now = state.clock.now();
    let added = state
        .db
        .write(move |c| Ok(factor_store::insert(c, &new, now)?))
        .await;
    match added {
        Ok(()) => {}
        // The same number confirmed twice (two tabs): it is there, which is what was asked.
        Err(infra::db::DbError::Query(e)) if infra::db::is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    proven_now(&state, &session, Method::Sms).await?;
    let masked = phone::masked(&enrolment.e164);
    announce(
        &req,
        &state,
        &account,
        AuditEvent::FactorAdded,
        "factors.change_phone_added",
        &masked,
    )
    .await?;
    Ok(see_other("/account/security?done=phone"))
}

/// A name given to a device or app: printable, single-spaced, at most 60 characters.
pub fn device_name(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

// --- Authenticator apps (TOTP) --------------------------------------------------------------

/// A seed shown to the person, waiting for the first code (sealed: the store never holds it in
/// clear).
#[derive(Debug, Serialize, Deserialize)]
struct TotpEnrolment {
    id: String,
    sealed_seed: String,
}

fn totp_enrolment_key(session: &ActiveSession) -> String {
    format!("totp_enrolment:{}", session.handle)
}

#[derive(Template)]
#[template(path = "security_totp.html")]
struct TotpPage<'a> {
    ctx: &'a PageContext,
    qr_svg: String,
    typed_seed: String,
    name: &'a str,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf_token: String,
}

/// `POST /account/security/totp`: a new seed, shown as a QR code.
pub async fn start_totp(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let (session, _, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let id = factor_store::new_id();
    let seed = totp::new_seed();
    let enrolment = TotpEnrolment {
        sealed_seed: state.factors.sealer.seal(&id, &seed),
        id,
    };
    begin_enrolment(&state, &totp_enrolment_key(&session), &enrolment).await?;
    Ok(see_other("/account/security/totp/confirm"))
}

async fn totp_page(
    req: &HttpRequest,
    state: &AppState,
    account: &Account,
    enrolment: &TotpEnrolment,
    name: &str,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let ctx = PageContext::new(req, state);
    let seed = state
        .factors
        .sealer
        .open(&enrolment.id, &enrolment.sealed_seed)
        .unwrap_or_default();
    let uri = totp::otpauth_uri(&seed, "EU Login", &account.email).unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    Ok(ctx.render(
        status,
        &TotpPage {
            ctx: &ctx,
            qr_svg: qr::svg(&uri).unwrap_or_default(),
            typed_seed: totp::seed_for_typing(&seed),
            name,
            error,
        },
    ))
}

/// `GET /account/security/totp/confirm`.
pub async fn totp_confirm_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let (session, account) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let Some(enrolment) = load_json::<TotpEnrolment>(&state, &totp_enrolment_key(&session)).await?
    else {
        return Ok(see_other("/account/security"));
    };
    totp_page(&req, &state, &account, &enrolment, "", None).await
}

/// `POST /account/security/totp/confirm`: the first right code adds the app.
pub async fn confirm_totp(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let key = totp_enrolment_key(&session);
    let Some(enrolment) = load_json::<TotpEnrolment>(&state, &key).await? else {
        return Ok(see_other("/account/security"));
    };
    let ctx = PageContext::new(&req, &state);
    let name = match device_name(&form.name) {
        Some(name) => name,
        None => ctx.t.t("factors.totp_default_name").to_owned(),
    };
    let seed = state
        .factors
        .sealer
        .open(&enrolment.id, &enrolment.sealed_seed)
        .unwrap_or_default();
    let now = state.clock.now();
    let Some(step) = totp::matching_step(&seed, &form.code, now.unix_timestamp()) else {
        let (message, gone) = wrong_enrolment_code(&state, &ctx, &key).await?;
        if gone {
            return Ok(crate::http::errors::message_page(
                &ctx,
                StatusCode::UNAUTHORIZED,
                "factors.title",
                &message,
            ));
        }
        return totp_page(&req, &state, &account, &enrolment, &name, Some(message)).await;
    };
    state.kv.delete(&key).await?;
    let new = NewFactor {
        id: enrolment.id.clone(),
        account_id: account.id.clone(),
        kind: FactorKind::Totp,
        name: name.clone(),
        lookup: enrolment.id.clone(),
        public_key: String::new(),
        secret: Some(enrolment.sealed_seed.clone()),
        verifier: None,
        // The confirming code is used: it cannot log in afterwards.
        counter: step,
    };
    state
        .db
        .write(move |c| Ok(factor_store::insert(c, &new, now)?))
        .await?;
    proven_now(&state, &session, Method::Totp).await?;
    announce(
        &req,
        &state,
        &account,
        AuditEvent::FactorAdded,
        "factors.change_totp_added",
        &name,
    )
    .await?;
    Ok(see_other("/account/security?done=totp"))
}

// --- Removing, recovery codes, always-MFA, delete all ----------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub csrf_token: String,
    pub factor: String,
}

/// `POST /account/security/remove`: removes one method.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RemoveForm>,
) -> Result<HttpResponse, WebError> {
    let (_, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let (id, factor_id) = (account.id.clone(), form.factor.clone());
    let removed = state
        .db
        .transaction(move |c| {
            let found = factor_store::find(c, &id, &factor_id)?;
            if found.is_some() {
                factor_store::delete(c, &id, &factor_id)?;
            }
            Ok::<_, infra::db::DbError>(found)
        })
        .await?;
    let Some(factor) = removed.filter(|f| f.kind != FactorKind::Recovery) else {
        // Someone else's id, or already gone: the same answer as for a missing record.
        return Ok(HttpResponse::NotFound().finish());
    };
    let label = label_of(&factor);
    announce(
        &req,
        &state,
        &account,
        AuditEvent::FactorRemoved,
        "factors.change_removed",
        &label,
    )
    .await?;
    Ok(see_other("/account/security?done=removed"))
}

#[derive(Template)]
#[template(path = "security_recovery.html")]
struct RecoveryPage<'a> {
    ctx: &'a PageContext,
    codes: Vec<String>,
}

/// `POST /account/security/recovery`: ten new recovery codes, shown once; the old ones stop
/// working.
pub async fn new_recovery_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let (_, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| codes::new_recovery_code())
        .collect();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| codes::normalise(c, RECOVERY_CODE_LENGTH))
        .map(|c| state.factors.codes.hash(&account.id, &c))
        .collect();
    let (id, now) = (account.id.clone(), state.clock.now());
    state
        .db
        .transaction(move |c| {
            factor_store::replace_recovery_codes(c, &id, &hashes, now)?;
            Ok::<_, infra::db::DbError>(())
        })
        .await?;
    announce(
        &req,
        &state,
        &account,
        AuditEvent::RecoveryCodesCreated,
        "factors.change_recovery",
        &RECOVERY_CODES.to_string(),
    )
    .await?;
    let ctx = PageContext::new(&req, &state);
    let mut response = ctx.ok(&RecoveryPage { ctx: &ctx, codes });
    // Shown once: not kept by the browser's cache either.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AlwaysMfaForm {
    pub csrf_token: String,
    pub always: String,
}

/// `POST /account/security/always`: "Always require multi-factor authentication" on or off.
/// It can be turned on only with a method to log in with.
pub async fn set_always_mfa(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AlwaysMfaForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, factors) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let on = form.always == "on";
    if on && !has_second_factor(&factors) {
        let ctx = PageContext::new(&req, &state);
        let view = View {
            error: Some(ctx.t.t("factors.always_needs_method").to_owned()),
            status: StatusCode::CONFLICT,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    }
    let (id, now) = (account.id.clone(), state.clock.now());
    state
        .db
        .write(move |c| Ok(accounts::set_always_mfa(c, &id, on, now)?))
        .await?;
    let change = if on {
        "factors.change_always_on"
    } else {
        "factors.change_always_off"
    };
    announce(
        &req,
        &state,
        &account,
        AuditEvent::AlwaysMfaChanged,
        change,
        if on { "on" } else { "off" },
    )
    .await?;
    Ok(see_other(if on {
        "/account/security?done=always_on"
    } else {
        "/account/security?done=always_off"
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteAllForm {
    pub csrf_token: String,
    pub confirm: String,
}

/// `POST /account/security/delete-all`: "Delete all my devices" — every method but the
/// recovery codes, and "always require" off (there is nothing left to require).
pub async fn delete_all(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<DeleteAllForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, _) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    if form.confirm != "yes" {
        let ctx = PageContext::new(&req, &state);
        let view = View {
            error: Some(ctx.t.t("factors.delete_all_confirm_missing").to_owned()),
            status: StatusCode::BAD_REQUEST,
            ..Default::default()
        };
        return render(&req, &state, &session, &account, view).await;
    }
    let (id, now) = (account.id.clone(), state.clock.now());
    let deleted = state
        .db
        .transaction(move |c| {
            let deleted = factor_store::delete_all_devices(c, &id)?;
            accounts::set_always_mfa(c, &id, false, now)?;
            Ok::<_, infra::db::DbError>(deleted)
        })
        .await?;
    announce(
        &req,
        &state,
        &account,
        AuditEvent::AllDevicesDeleted,
        "factors.change_all_deleted",
        &deleted.to_string(),
    )
    .await?;
    Ok(see_other("/account/security?done=all_deleted"))
}
