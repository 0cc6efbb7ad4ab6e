//! Security keys and passkeys on the security page: their section (listing) and registering one
//! (`/account/security/keys`, behind the same re-authentication as every change). The page
//! carries the ceremony's options for `static/webauthn.js`, which calls
//! `navigator.credentials.create` and posts the browser's answer; without JavaScript or WebAuthn
//! the page says so. Logging in with a key is `second_step_key`.
//!
//! The ceremony's state lives in the key-value store for `ceremony_ttl()` under the session,
//! and is taken on first use: any replica can finish a registration another began, and an
//! answer is never accepted twice.

use crate::app::AppState;
use crate::factors::Method;
use crate::factors::security_keys::{self as keys, ceremony_ttl};
use crate::http::account::{signed_in, when};
use crate::http::errors::WebError;
use crate::http::page::{PageContext, see_other};
use crate::http::security::{announce, device_name, may_change, page_with_error, proven_now};
use crate::security::sessions::ActiveSession;
use crate::store::accounts::Account;
use crate::store::audit::AuditEvent;
use crate::store::factors::{self as factor_store, Factor, FactorKind, NewFactor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use eulogin_webauthn::{KeyKind, WebAuthnError};
use serde::{Deserialize, Serialize};

/// The page of a registration in progress.
const REGISTRATION_PAGE: &str = "/account/security/keys/new";

/// One key as listed on the security page.
pub struct KeyRow {
    pub id: String,
    pub name: String,
    /// The translated kind: passkey or security key.
    pub kind: String,
    pub added: String,
    pub last_used: String,
    pub disabled: bool,
}

/// The account's security keys and passkeys among `factors`, oldest first.
pub fn rows(ctx: &PageContext, factors: &[Factor]) -> Vec<KeyRow> {
    factors
        .iter()
        .filter(|f| f.kind == FactorKind::WebAuthn)
        .map(|f| KeyRow {
            id: f.id.clone(),
            name: f.name.clone(),
            kind: keys::kind_of(f)
                .map(|k| ctx.t.t(keys::kind_label_key(k)).to_owned())
                .unwrap_or_default(),
            added: when(f.created_at),
            last_used: f.last_used_at.map(when).unwrap_or_default(),
            disabled: !f.is_usable(),
        })
        .collect()
}

/// The browser's answer, as `static/webauthn.js` posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub csrf_token: String,
    /// `PublicKeyCredential` as JSON (binary fields in base64url); empty without JavaScript.
    pub credential: String,
}

/// A registration between its two requests, per session.
#[derive(Debug, Serialize, Deserialize)]
struct PendingRegistration {
    kind: KeyKind,
    name: String,
    options_json: String,
    /// `eulogin-webauthn`'s state: it holds the challenge, so it never leaves the server.
    state: String,
}

fn registration_key(session: &ActiveSession) -> String {
    format!("webauthn_registration:{}", session.handle)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddKeyForm {
    pub csrf_token: String,
    pub name: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "security_key_new.html")]
struct RegistrationPage<'a> {
    ctx: &'a PageContext,
    name: &'a str,
    passkey: bool,
    options_json: &'a str,
    error: Option<String>,
}

/// `POST /account/security/keys`: a name and a kind; the page that asks the browser follows.
pub async fn start_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AddKeyForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, factors) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let (name, kind) = match (device_name(&form.name), form.kind.parse::<KeyKind>()) {
        (Some(name), Ok(kind)) => (name, kind),
        (name, _) => {
            let missing = match name {
                None => "factors.key_name_missing",
                Some(_) => "factors.key_kind_missing",
            };
            let error = PageContext::new(&req, &state).t.t(missing).to_owned();
            let status = StatusCode::BAD_REQUEST;
            return page_with_error(&req, &state, &session, &account, error, status).await;
        }
    };
    begin_registration(&state, &session, &account, &factors, kind, name).await?;
    Ok(see_other(REGISTRATION_PAGE))
}

/// Starts a ceremony that excludes the account's keys, and keeps it for the session.
async fn begin_registration(
    state: &AppState,
    session: &ActiveSession,
    account: &Account,
    factors: &[Factor],
    kind: KeyKind,
    name: String,
) -> Result<PendingRegistration, WebError> {
    let display_name = format!("{} {}", account.first_name, account.last_name);
    let display_name = match display_name.trim() {
        "" => account.email.as_str(),
        shown => shown,
    };
    let start = state.webauthn.start_registration(
        kind,
        keys::user_handle(&account.id),
        &account.email,
        display_name,
        &keys::credentials(factors),
    )?;
    let pending = PendingRegistration {
        kind,
        name,
        options_json: start.options_json,
        state: start.state,
    };
    let json =
        serde_json::to_string(&pending).map_err(|e| infra::kv::KvError::other(e.to_string()))?;
    state
        .kv
        .set(&registration_key(session), &json, ceremony_ttl())
        .await?;
    Ok(pending)
}

fn registration_page(
    ctx: &PageContext,
    pending: &PendingRegistration,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    ctx.render(
        status,
        &RegistrationPage {
            ctx,
            name: &pending.name,
            passkey: pending.kind == KeyKind::Passkey,
            options_json: &pending.options_json,
            error,
        },
    )
}

/// `GET /account/security/keys/new`: the page that asks the browser for a new credential.
pub async fn registration_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let (session, _) = match signed_in(&req, &state).await? {
        Ok(found) => found,
        Err(redirect) => return Ok(redirect),
    };
    let pending = state
        .kv
        .get(&registration_key(&session))
        .await?
        .and_then(|json| serde_json::from_str::<PendingRegistration>(&json).ok());
    let Some(pending) = pending else {
        return Ok(see_other("/account/security"));
    };
    let ctx = PageContext::new(&req, &state);
    Ok(registration_page(&ctx, &pending, None, StatusCode::OK))
}

/// `POST /account/security/keys/new`: the browser's new credential is checked and added.
pub async fn finish_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, WebError> {
    let (session, account, factors) = match may_change(&req, &state, &form.csrf_token).await? {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let ctx = PageContext::new(&req, &state);
    let key = registration_key(&session);
    if form.credential.trim().is_empty() {
        // No JavaScript: the ceremony stays, for a browser that can finish it.
        let pending = state
            .kv
            .get(&key)
            .await?
            .and_then(|json| serde_json::from_str::<PendingRegistration>(&json).ok());
        if let Some(pending) = pending {
            let error = Some(ctx.t.t("factors.key_no_answer").to_owned());
            return Ok(registration_page(
                &ctx,
                &pending,
                error,
                StatusCode::BAD_REQUEST,
            ));
        }
    }
    // Taken, not read: an answer (or its replay) finds the state at most once.
    let pending = state
        .kv
        .take(&key)
        .await?
        .and_then(|json| serde_json::from_str::<PendingRegistration>(&json).ok());
    let Some(pending) = pending else {
        let error = ctx.t.t("factors.key_ceremony_expired").to_owned();
        return page_with_error(
            &req,
            &state,
            &session,
            &account,
            error,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    if let Err((message_key, status)) = add_credential(&state, &account, &pending, &form).await? {
        // The reason, and a new ceremony for the same key to try again at once.
        let again = begin_registration(
            &state,
            &session,
            &account,
            &factors,
            pending.kind,
            pending.name.clone(),
        )
        .await?;
        let error = Some(ctx.t.t(message_key).to_owned());
        return Ok(registration_page(&ctx, &again, error, status));
    }
    proven_now(&state, &session, Method::SecurityKey).await?;
    announce(
        &req,
        &state,
        &account,
        AuditEvent::FactorAdded,
        "factors.change_key_added",
        &pending.name,
    )
    .await?;
    Ok(see_other("/account/security?done=key"))
}

/// Why a new credential is refused: the text to show and the status.
type Refusal = (&'static str, StatusCode);

/// Checks the browser's answer against the pending registration and stores the new credential,
/// unless it is refused: an answer webauthn-rs or this policy refuses (another origin, a
/// passkey without user verification, one of the account's keys again), or a credential that
/// any account has already.
async fn add_credential(
    state: &AppState,
    account: &Account,
    pending: &PendingRegistration,
    answer: &AnswerForm,
) -> Result<Result<(), Refusal>, WebError> {
    let credential = match state
        .webauthn
        .finish_registration(&pending.state, &answer.credential)
    {
        Ok(credential) => credential,
        Err(e) if keys::is_refusal(&e) => {
            tracing::info!(code = e.code(), error = %e, "security key registration refused");
            let status = match e {
                WebAuthnError::AlreadyRegistered { .. } => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            return Ok(Err((keys::message_key(&e, true), status)));
        }
        Err(e) => return Err(e.into()),
    };
    let registered_elsewhere = Err(("factors.key_registered_elsewhere", StatusCode::CONFLICT));
    let id = credential.id.clone();
    if state
        .db
        .run(move |c| Ok(factor_store::webauthn_credential_exists(c, &id)?))
        .await?
    {
        return Ok(registered_elsewhere);
    }
    let public_key = keys::record(credential.kind, &credential.data)
        .map_err(|e| WebAuthnError::Internal(format!("cannot store a credential: {e}")))?;
    let new = NewFactor {
        id: factor_store::new_id(),
        account_id: account.id.clone(),
        kind: FactorKind::WebAuthn,
        name: pending.name.clone(),
        lookup: credential.id,
        public_key,
        secret: None,
        verifier: None,
        counter: i64::from(credential.counter),
    };
    let now = state.clock.now();
    match state
        .db
        .write(move |c| Ok(factor_store::insert(c, &new, now)?))
        .await
    {
        Ok(()) => Ok(Ok(())),
        // Registered by someone else between the check and the insert.
        Err(infra::db::DbError::Query(e)) if infra::db::is_unique_violation(&e) => {
            Ok(registered_elsewhere)
        }
        Err(e) => Err(e.into()),
    }
}
