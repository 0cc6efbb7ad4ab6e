//! Logging out. `POST /auth/logout` is the person's (CSRF-checked): the local session ends
//! first, whatever happens next, then the browser goes to eulogin's end-session endpoint with
//! the ID token as `id_token_hint`, so eulogin ends its session at once without asking, and
//! comes back to traces' home page. `POST /auth/backchannel-logout` is eulogin's server telling
//! traces that a session ended there (OpenID Connect Back-Channel Logout 1.0): no browser, no
//! cookie, no CSRF token; the signed logout token is the proof.

use crate::app::AppState;
use crate::auth::jws;
use crate::auth::logout_token::{self, LOGOUT_TOKEN_TYPE, LogoutOf};
use crate::auth::session;
use crate::http::errors::WebError;
use crate::http::page::see_other;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    csrf_token: String,
}

/// `POST /auth/logout`.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, WebError> {
    if !state.csrf.verify(&req, &form.csrf_token) {
        return Ok(crate::auth::login::auth_page(
            &req,
            &state,
            StatusCode::FORBIDDEN,
            "error.bad_request_title",
            "error.bad_request",
        ));
    }
    let now = state.clock.now();
    let Some(ended) = session::current(&req, &state.kv, &state.settings, now).await? else {
        let mut response = see_other("/");
        response.add_cookie(&session::removal(&state.settings)).ok();
        return Ok(response);
    };
    session::end(&state.kv, &ended).await?;
    state.metrics.event("logout");
    // Fetched again, as at login: the browser is not sent to a eulogin that does not answer.
    let end_session = match state.auth.fetch_metadata().await {
        Ok(metadata) => metadata
            .additional_metadata()
            .end_session_endpoint
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok()),
        Err(e) => {
            tracing::warn!(error = %e, "logout at eulogin impossible: it does not answer");
            None
        }
    };
    let mut response = match end_session {
        Some(mut url) => {
            url.query_pairs_mut()
                .append_pair("id_token_hint", &ended.record.id_token)
                .append_pair("client_id", state.auth.client_id())
                .append_pair("post_logout_redirect_uri", &state.settings.url("/"));
            see_other(url.as_str())
        }
        // Logged out of traces, but eulogin's session could not be ended: say so.
        None => crate::auth::login::auth_page(
            &req,
            &state,
            StatusCode::OK,
            "auth.logged_out_title",
            "auth.logged_out_locally",
        ),
    };
    response.add_cookie(&session::removal(&state.settings)).ok();
    Ok(response)
}

/// Why a back-channel logout is refused: `invalid_request` with a fixed description.
fn refused(reason: &dyn std::fmt::Display) -> HttpResponse {
    tracing::warn!(%reason, "back-channel logout refused");
    HttpResponse::BadRequest()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({
            "error": "invalid_request",
            "error_description": "the logout token is not valid",
        }))
}

/// The logout token of a back-channel call, checked but for replay.
async fn checked_token(state: &AppState, token: &str) -> Result<LogoutOf, HttpResponse> {
    let header = jws::check_header(token, LOGOUT_TOKEN_TYPE).map_err(|e| refused(&e))?;
    let key = match state.auth.key(&header.kid).await {
        Ok(Some(key)) => key,
        Ok(None) => return Err(refused(&jws::JwsRefusal::UnknownKey)),
        Err(e) => {
            tracing::error!(error = %e, "back-channel logout: eulogin's keys cannot be fetched");
            return Err(HttpResponse::ServiceUnavailable()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish());
        }
    };
    logout_token::check(
        token,
        &header,
        &key,
        state.auth.issuer(),
        state.auth.client_id(),
        state.clock.now(),
    )
    .map_err(|e| refused(&e))
}

/// `POST /auth/backchannel-logout` with the form field `logout_token`.
pub async fn backchannel_logout(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let token = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "logout_token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let of = match checked_token(&state, &token).await {
        Ok(of) => of,
        Err(response) => return Ok(response),
    };
    // Each token works once: a captured token replayed is refused.
    let replay_key = format!(
        "auth:logout_jti:{}",
        infra::crypto::sha256_hex(of.jti.as_bytes())
    );
    let first_use = state
        .kv
        .set_if_absent(
            &replay_key,
            "1",
            logout_token::MAX_AGE + logout_token::LEEWAY * 2,
        )
        .await?;
    if !first_use {
        return Ok(refused(&"jti replayed"));
    }
    let ended = match (&of.sid, &of.sub) {
        (Some(sid), sub) => session::end_by_sid(&state.kv, sid, sub.as_deref()).await?,
        (None, Some(sub)) => session::end_by_subject(&state.kv, sub).await?,
        (None, None) => 0,
    };
    tracing::info!(sessions = ended, "back-channel logout");
    state.metrics.event("backchannel_logout");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
