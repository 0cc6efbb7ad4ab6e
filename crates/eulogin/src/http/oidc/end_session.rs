//! `/oidc/logout`: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//!
//! An application sends the browser here with `id_token_hint` (an ID token eulogin issued, even
//! expired), `post_logout_redirect_uri` (matched exactly against the client's registration) and
//! `state`. When the hint proves the request comes from the session's own application, the
//! session ends at once; otherwise the person is asked first, so that a link on another site
//! cannot log them out. Ending the session revokes what it gave and notifies every application
//! with a back-channel logout URI.

use crate::app::AppState;
use crate::http::errors::{WebError, message_page};
use crate::http::forms::reject_forgery;
use crate::http::page::{PageContext, see_other};
use crate::http::register::NoticePage;
use crate::http::session_cookie;
use crate::oidc::clients::Client;
use crate::oidc::tokens::verify_signed;
use crate::store::audit::AuditEvent;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Deserialize)]
struct HintClaims {
    iss: String,
    aud: serde_json::Value,
    #[serde(default)]
    sid: Option<String>,
}

impl HintClaims {
    fn audience(&self) -> Option<String> {
        match &self.aud {
            serde_json::Value::String(aud) => Some(aud.clone()),
            serde_json::Value::Array(list) if list.len() == 1 => {
                list[0].as_str().map(str::to_owned)
            }
            _ => None,
        }
    }
}

/// A logout request, checked.
struct LogoutRequest {
    client: Option<Arc<Client>>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    hint: Option<HintClaims>,
}

enum Refusal {
    Hint,
    Client,
    Redirect,
}

async fn check(
    state: &AppState,
    params: &HashMap<String, String>,
) -> Result<Result<LogoutRequest, Refusal>, WebError> {
    let get = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let hint = match get("id_token_hint") {
        None => None,
        Some(token) => match verify_signed::<HintClaims>(&state.oidc.keys, &token) {
            Ok((header, claims))
                if claims.iss == state.oidc.tokens.issuer
                    && header.typ.as_deref() != Some(crate::oidc::tokens::ACCESS_TOKEN_TYPE) =>
            {
                Some(claims)
            }
            _ => return Ok(Err(Refusal::Hint)),
        },
    };
    let hinted_client = hint.as_ref().and_then(HintClaims::audience);
    let client_id = match (get("client_id"), hinted_client) {
        (Some(given), Some(hinted)) if given != hinted => return Ok(Err(Refusal::Client)),
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };
    let client = match &client_id {
        Some(id) => match state.oidc.clients.get(id).await? {
            Some(client) => Some(client),
            None => return Ok(Err(Refusal::Client)),
        },
        None => None,
    };
    let post_logout_redirect_uri = get("post_logout_redirect_uri");
    if let Some(uri) = &post_logout_redirect_uri
        && !client
            .as_ref()
            .is_some_and(|c| c.has_post_logout_redirect_uri(uri))
    {
        return Ok(Err(Refusal::Redirect));
    }
    Ok(Ok(LogoutRequest {
        client,
        post_logout_redirect_uri,
        state: get("state"),
        hint,
    }))
}

fn refusal_page(req: &HttpRequest, state: &AppState, refusal: Refusal) -> HttpResponse {
    let ctx = PageContext::new(req, state);
    let reason = ctx.t.t(match refusal {
        Refusal::Hint => "oidc.logout_reason_hint",
        Refusal::Client => "oidc.logout_reason_client",
        Refusal::Redirect => "oidc.logout_reason_redirect",
    });
    let message = ctx.t.fill("oidc.logout_bad_request", &[("reason", reason)]);
    message_page(&ctx, StatusCode::BAD_REQUEST, "oidc.error_title", &message)
}

pub async fn by_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    end_session(req, state, query.into_inner()).await
}

pub async fn by_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    end_session(req, state, form.into_inner()).await
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage<'a> {
    ctx: &'a PageContext,
    question: String,
    client_id: &'a str,
    post_logout_redirect_uri: &'a str,
    state: &'a str,
}

async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let params = match crate::oidc::authorization::single_valued(pairs) {
        Ok(params) => params,
        Err(_) => return Ok(refusal_page(&req, &state, Refusal::Client)),
    };
    let request = match check(&state, &params).await? {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal_page(&req, &state, refusal)),
    };
    let Some(session) = session_cookie::current(&req, &state).await else {
        return Ok(finish(&req, &state, &request));
    };
    let proven = request.hint.as_ref().is_some_and(|hint| match &hint.sid {
        Some(sid) => *sid == session.record.sid,
        None => false,
    });
    if proven {
        log_out(&req, &state, &session).await?;
        let mut response = finish(&req, &state, &request);
        response.add_cookie(&session_cookie::removal(&state)).ok();
        return Ok(response);
    }
    // Confirming leads to the application's post-logout page: a form target of this page.
    let mut ctx = PageContext::new(&req, &state);
    if let Some(uri) = &request.post_logout_redirect_uri {
        ctx = ctx.allowing_redirect_to(uri);
    }
    let question = match &request.client {
        Some(client) => ctx
            .t
            .fill("oidc.logout_question_app", &[("application", &client.name)]),
        None => ctx.t.t("oidc.logout_question").to_owned(),
    };
    Ok(ctx.ok(&ConfirmPage {
        ctx: &ctx,
        question,
        client_id: request
            .client
            .as_ref()
            .map(|c| c.client_id.as_str())
            .unwrap_or_default(),
        post_logout_redirect_uri: request
            .post_logout_redirect_uri
            .as_deref()
            .unwrap_or_default(),
        state: request.state.as_deref().unwrap_or_default(),
    }))
}

/// The person confirmed: end the session, then go where the application asked.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let mut params: HashMap<String, String> = form.into_inner().into_iter().collect();
    let csrf = params.remove("csrf_token").unwrap_or_default();
    if let Some(refusal) = reject_forgery(&req, &state, &csrf) {
        return Ok(refusal);
    }
    let request = match check(&state, &params).await? {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal_page(&req, &state, refusal)),
    };
    let mut response = finish(&req, &state, &request);
    if let Some(session) = session_cookie::current(&req, &state).await {
        log_out(&req, &state, &session).await?;
    }
    response.add_cookie(&session_cookie::removal(&state)).ok();
    Ok(response)
}

async fn log_out(
    req: &HttpRequest,
    state: &AppState,
    session: &crate::security::sessions::ActiveSession,
) -> Result<(), WebError> {
    state
        .sessions
        .end(&session.handle, &session.record.account_id)
        .await?;
    crate::oidc::session_end::session_ended(state, &session.record).await?;
    state
        .audit(
            AuditEvent::LoggedOut,
            Some(&session.record.account_id),
            &state.actor(req),
            "requested by an application",
        )
        .await?;
    state.metrics.event("rp_initiated_logout");
    Ok(())
}

/// Back to the application (with its `state`), or the logged-out page.
fn finish(req: &HttpRequest, state: &AppState, request: &LogoutRequest) -> HttpResponse {
    if let Some(uri) = &request.post_logout_redirect_uri
        && let Ok(mut url) = url::Url::parse(uri)
    {
        if let Some(s) = &request.state {
            url.query_pairs_mut().append_pair("state", s);
        }
        return see_other(url.as_str());
    }
    let ctx = PageContext::new(req, state);
    ctx.ok(&NoticePage {
        ctx: &ctx,
        title: ctx.t.t("logout.title"),
        lines: vec![ctx.t.t("logout.body").to_owned()],
        action: Some(("/login", ctx.t.t("nav.login"))),
    })
}
