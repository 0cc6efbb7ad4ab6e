//! `/oidc/authorize`: the browser arrives from an application. With an SSO session that meets
//! the request, the code goes back at once, without any page; otherwise the request is kept and
//! the person logs in. The login's own answer finishes it (`answer_after_login`, also at the
//! end of a login's second step); after a step-up of an existing session,
//! `/oidc/authorize/continue` does. Every answer to the application carries `iss` (RFC 9207).

use crate::app::AppState;
use crate::http::errors::{WebError, message_page};
use crate::http::oidc::CONTINUE_PATH;
use crate::http::page::{PageContext, see_other};
use crate::http::session_cookie;
use crate::i18n::Lang;
use crate::oidc::authorization::{
    self, AuthorizationRequest, CodeRecord, PageError, RedirectError, ReturnTo, SessionFit,
};
use crate::oidc::grants::UserGrant;
use crate::oidc::session_end::remembering_grant;
use crate::oidc::tokens::identity_claims;
use crate::security::sessions::ActiveSession;
use crate::store::accounts::{self, Account};
use crate::store::audit::AuditEvent;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use infra::kv::Writes;
use serde::Deserialize;

pub async fn by_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    authorize(req, state, query.into_inner()).await
}

pub async fn by_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    authorize(req, state, form.into_inner()).await
}

/// The page shown when there is no safe place to send the person back to.
fn error_page(req: &HttpRequest, state: &AppState, error: PageError) -> HttpResponse {
    let ctx = PageContext::new(req, state);
    let message = match &error {
        PageError::MissingClient => ctx.t.t("oidc.missing_client").to_owned(),
        PageError::UnknownClient => ctx.t.t("oidc.unknown_client").to_owned(),
        PageError::MissingRedirectUri => ctx.t.t("oidc.missing_redirect").to_owned(),
        PageError::UnregisteredRedirectUri => ctx.t.t("oidc.unregistered_redirect").to_owned(),
        PageError::DuplicateParameter(name) => ctx.t.fill("oidc.duplicate", &[("name", name)]),
    };
    tracing::info!(?error, "authorization request refused with a page");
    message_page(&ctx, StatusCode::BAD_REQUEST, "oidc.error_title", &message)
}

/// Sends the browser back to the application with `pairs`, `state` and `iss` added to the
/// redirect URI's own query.
fn back_to_application(state: &AppState, to: &ReturnTo, pairs: &[(&str, &str)]) -> HttpResponse {
    let Ok(mut url) = url::Url::parse(&to.redirect_uri) else {
        // Registered URIs are checked absolute URLs; this cannot happen.
        return HttpResponse::BadRequest().finish();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(s) = &to.state {
            query.append_pair("state", s);
        }
        query.append_pair("iss", &state.oidc.tokens.issuer);
    }
    see_other(url.as_str())
}

fn redirect_error(state: &AppState, to: &ReturnTo, error: &RedirectError) -> HttpResponse {
    state.metrics.event("authorization_refused");
    back_to_application(
        state,
        to,
        &[
            ("error", error.error),
            ("error_description", &error.description),
        ],
    )
}

async fn authorize(
    req: HttpRequest,
    state: web::Data<AppState>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let params = match authorization::single_valued(pairs) {
        Ok(params) => params,
        Err(name) => {
            return Ok(error_page(
                &req,
                &state,
                PageError::DuplicateParameter(name),
            ));
        }
    };
    let client = match params.get("client_id") {
        Some(id) => state.oidc.clients.get(id).await?,
        None => None,
    };
    let return_to = match authorization::establish_return(&params, client.as_deref()) {
        Ok(to) => to,
        Err(error) => return Ok(error_page(&req, &state, error)),
    };
    let Some(client) = client else {
        return Ok(error_page(&req, &state, PageError::UnknownClient));
    };
    let now = state.clock.now();
    let request = match authorization::check_request(
        &params,
        &client,
        return_to.clone(),
        &state.oidc.tokens.issuer,
        now,
    ) {
        Ok(request) => request,
        Err(error) => return Ok(redirect_error(&state, &return_to, &error)),
    };
    let session = session_cookie::current(&req, &state).await;
    decide(&req, &state, request, session, None, None).await
}

/// With the session there is (or not), answer the request or send the person to log in.
/// `known` is the session's account when the caller has just read it (a login).
async fn decide(
    req: &HttpRequest,
    state: &AppState,
    request: AuthorizationRequest,
    session: Option<ActiveSession>,
    pending_id: Option<&str>,
    known: Option<&Account>,
) -> Result<HttpResponse, WebError> {
    let now = state.clock.now();
    let to = request.return_to.clone();
    let fit = session.as_ref().map(|s| {
        authorization::session_fit(&request, s.record.authenticated_at, s.record.level(), now)
    });
    if let (Some(SessionFit::Fits), Some(session)) = (&fit, &session) {
        return complete(req, state, &request, session, pending_id, known).await;
    }
    if request.prompt_none {
        let error = match fit {
            Some(SessionFit::NeedsStepUp) => RedirectError::new(
                "interaction_required",
                "the session does not reach the requested assurance level",
            ),
            _ => RedirectError::new("login_required", "no session meets the request"),
        };
        return Ok(redirect_error(state, &to, &error));
    }
    let id = match pending_id {
        Some(id) => id.to_owned(),
        None => authorization::keep_pending(&state.kv, &request).await?,
    };
    if let (Some(SessionFit::NeedsStepUp), Some(session)) = (&fit, &session) {
        // Logged in, but not strongly enough: the second step only.
        return crate::http::second_step::begin_step_up(state, session, &id, request.required_loa)
            .await;
    }
    Ok(see_other(&login_url(&id, request.ui_locales.as_deref())))
}

/// The login page for a pending request, in the first of `ui_locales` eulogin speaks.
fn login_url(pending_id: &str, ui_locales: Option<&str>) -> String {
    let lang = ui_locales
        .unwrap_or_default()
        .split_ascii_whitespace()
        .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or_default()));
    match lang {
        Some(lang) => format!("/login?authorization={pending_id}&lang={}", lang.code()),
        None => format!("/login?authorization={pending_id}"),
    }
}

/// Issues the code and sends the browser back to the application; the request is no longer
/// pending then (`pending_id`, when it was kept for a login). The account's claims come from
/// `known` when it is the session's (read by the login a moment ago), otherwise from the
/// database.
async fn complete(
    req: &HttpRequest,
    state: &AppState,
    request: &AuthorizationRequest,
    session: &ActiveSession,
    pending_id: Option<&str>,
    known: Option<&Account>,
) -> Result<HttpResponse, WebError> {
    let account = match known.filter(|a| a.id == session.record.account_id) {
        Some(account) => Some(account.clone()),
        None => {
            let account_id = session.record.account_id.clone();
            state
                .db
                .run(move |c| Ok(accounts::find_by_id(c, &account_id)?))
                .await?
        }
    };
    let Some(account) = account else {
        // The account is gone: the session is worthless.
        if let Some(id) = pending_id {
            authorization::forget_pending(&state.kv, id).await?;
        }
        state
            .sessions
            .end(&session.handle, &session.record.account_id)
            .await?;
        return Ok(redirect_error(
            state,
            &request.return_to,
            &RedirectError::new("login_required", "no session meets the request"),
        ));
    };
    let now = state.clock.now();
    let issuer = &state.oidc.tokens.issuer;
    let code = authorization::new_code();
    let grant = UserGrant {
        grant_id: authorization::grant_id_of(&code),
        client_id: request.client_id.clone(),
        account_id: account.id.clone(),
        subject: account.subject.clone(),
        scope: request.scope.clone(),
        audience: request.audience.clone(),
        sid: session.record.sid.clone(),
        acr: session.record.level().acr(issuer),
        amr: session.record.amr.clone(),
        auth_time: session.record.authenticated_at.unix_timestamp(),
    };
    // The request no longer pending, the session's note of the grant and the code: one
    // round trip to the store.
    let done = match pending_id {
        Some(id) => authorization::forgetting_pending(Writes::new(), id),
        None => Writes::new(),
    };
    let writes = remembering_grant(
        done,
        &grant.sid,
        &grant.client_id,
        &grant.grant_id,
        grant.is_offline(),
        state.settings.session_max,
    );
    let record = CodeRecord {
        identity: identity_claims(&account, &grant.scope),
        grant,
        redirect_uri: request.return_to.redirect_uri.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        expires_at: (now + authorization::CODE_LIFETIME).unix_timestamp(),
    };
    authorization::store_code(&state.kv, &code, &record, writes).await?;
    state
        .audit(
            AuditEvent::ApplicationLogin,
            Some(&account.id),
            &state.actor(req),
            &request.client_id,
        )
        .await?;
    state.metrics.event("authorization_code_issued");
    Ok(back_to_application(
        state,
        &request.return_to,
        &[("code", &code)],
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResumeQuery {
    pub authorization: String,
}

/// `/oidc/authorize/continue`: after the login, finish the request that was kept.
pub async fn resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ResumeQuery>,
) -> Result<HttpResponse, WebError> {
    let Some(request) =
        authorization::find_pending(&state.kv, &query.authorization, state.clock.now()).await?
    else {
        let ctx = PageContext::new(&req, &state);
        let message = ctx.t.t("oidc.expired_request");
        return Ok(message_page(
            &ctx,
            StatusCode::BAD_REQUEST,
            "oidc.error_title",
            message,
        ));
    };
    let session = session_cookie::current(&req, &state).await;
    decide(
        &req,
        &state,
        request,
        session,
        Some(&query.authorization),
        None,
    )
    .await
}

/// The person has just logged in (`session`, `account`) for the pending request `pending_id`
/// (`request`, as the login read it): the login's answer is the request's answer, without a
/// redirect through `/oidc/authorize/continue` and without reading anything back. A request
/// that expired meanwhile goes to `continue`, which says so.
pub async fn answer_after_login(
    req: &HttpRequest,
    state: &AppState,
    pending_id: &str,
    request: Option<AuthorizationRequest>,
    session: ActiveSession,
    account: &Account,
) -> Result<HttpResponse, WebError> {
    match request {
        Some(request) => {
            decide(
                req,
                state,
                request,
                Some(session),
                Some(pending_id),
                Some(account),
            )
            .await
        }
        None => Ok(see_other(&after_login(pending_id))),
    }
}

/// What the login page shows about a pending request: the application's name and the
/// address the application suggested (`login_hint`), and where the application's answer goes
/// (for the page's Content-Security-Policy).
#[derive(Debug, Default)]
pub struct PendingForLogin {
    pub application: Option<String>,
    pub login_hint: Option<String>,
    pub redirect_uri: Option<String>,
}

pub async fn pending_for_login(state: &AppState, id: &str) -> PendingForLogin {
    let Ok(Some(request)) = authorization::find_pending(&state.kv, id, state.clock.now()).await
    else {
        return PendingForLogin::default();
    };
    let application = match state.oidc.clients.get(&request.client_id).await {
        Ok(Some(client)) => Some(client.name.clone()),
        _ => None,
    };
    PendingForLogin {
        application,
        login_hint: request.login_hint,
        redirect_uri: Some(request.return_to.redirect_uri),
    }
}

/// Where a successful login goes: back into the pending request, or to the account page.
pub fn after_login(pending_id: &str) -> String {
    let well_formed = pending_id.len() == 43
        && pending_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if well_formed {
        format!("{CONTINUE_PATH}?authorization={pending_id}")
    } else {
        "/account".to_owned()
    }
}
