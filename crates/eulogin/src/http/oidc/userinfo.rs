//! `/oidc/userinfo` (OpenID Connect Core 5.3): the claims of the person behind an access token,
//! as the token's scopes allow. The token comes in the `Authorization: Bearer` header (GET or
//! POST) or, for POST only, as the `access_token` form field (RFC 6750, 2.2).

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::oidc::json_no_store;
use crate::oidc::grants::has_scope;
use crate::oidc::tokens::{IdentityClaims, TokenRejected, identity_claims, verify_access_token};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

#[derive(Serialize)]
struct UserInfo {
    sub: String,
    #[serde(flatten)]
    identity: IdentityClaims,
}

/// The bearer token of the `Authorization` header, if the header is a Bearer one.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// A 401 or 403 with the RFC 6750 challenge.
pub fn bearer_error(status: StatusCode, error: Option<&str>, description: &str) -> HttpResponse {
    let challenge = match error {
        Some(error) => format!(
            "Bearer realm=\"eulogin\", error=\"{error}\", error_description=\"{description}\""
        ),
        None => "Bearer realm=\"eulogin\"".to_owned(),
    };
    let mut response = HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .finish();
    if let Ok(value) = header::HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

pub async fn userinfo(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let token = bearer_token(&req).map(str::to_owned);
    answer(&state, token).await
}

pub async fn userinfo_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let from_header = bearer_token(&req).map(str::to_owned);
    let from_form = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "access_token")
        .map(|(_, token)| token.into_owned())
        .filter(|t| !t.is_empty());
    if from_header.is_some() && from_form.is_some() {
        return Ok(bearer_error(
            StatusCode::BAD_REQUEST,
            Some("invalid_request"),
            "give the token once",
        ));
    }
    answer(&state, from_header.or(from_form)).await
}

async fn answer(state: &AppState, token: Option<String>) -> Result<HttpResponse, WebError> {
    let Some(token) = token else {
        return Ok(bearer_error(StatusCode::UNAUTHORIZED, None, ""));
    };
    let claims = match verify_access_token(
        &state.oidc.keys,
        &state.oidc.verified_tokens,
        &state.kv,
        &state.oidc.tokens.issuer,
        &token,
        state.clock.now(),
    )
    .await
    {
        Ok(claims) => claims,
        Err(TokenRejected::Store(e)) => return Err(e.into()),
        Err(rejected) => {
            tracing::debug!(reason = %rejected, "userinfo token refused");
            return Ok(bearer_error(
                StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                "the access token is invalid, expired or revoked",
            ));
        }
    };
    if !has_scope(&claims.scope, "openid") || claims.gid.is_none() {
        return Ok(bearer_error(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            "the token was not issued with the openid scope",
        ));
    }
    let Some(account) = state
        .oidc
        .profiles
        .by_subject(&state.db, &claims.sub)
        .await?
    else {
        return Ok(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the account no longer exists",
        ));
    };
    Ok(json_no_store(
        StatusCode::OK,
        &UserInfo {
            sub: account.subject.clone(),
            identity: identity_claims(&account, &claims.scope),
        },
    ))
}
