//! `/oidc/introspect` (RFC 7662). The calling client must authenticate; it learns about a token
//! only if the token was issued to it or is meant for it (its client id is the token's `aud`).
//! Anything else, and any invalid, expired or revoked token, is `{"active": false}`.

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::oidc::client_auth::authenticated_token_form;
use crate::http::oidc::json_no_store;
use crate::oidc::tokens::{TokenRejected, verify_access_token};
use crate::store::refresh_tokens;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

#[derive(Serialize, Default)]
struct Introspection {
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

fn inactive() -> HttpResponse {
    json_no_store(StatusCode::OK, &Introspection::default())
}

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (token, client) =
        match authenticated_token_form(&req, &state, form.into_inner(), "/oidc/introspect").await {
            Ok(checked) => checked,
            Err(response) => return Ok(response),
        };
    let token = token.as_str();
    let issuer = state.oidc.tokens.issuer.clone();
    let now = state.clock.now();
    if token.matches('.').count() == 2 {
        let claims = match verify_access_token(
            &state.oidc.keys,
            &state.oidc.verified_tokens,
            &state.kv,
            &issuer,
            token,
            now,
        )
        .await
        {
            Ok(claims) => claims,
            Err(TokenRejected::Store(e)) => return Err(e.into()),
            Err(_) => return Ok(inactive()),
        };
        if claims.client_id != client.client_id && claims.aud != client.client_id {
            return Ok(inactive());
        }
        return Ok(json_no_store(
            StatusCode::OK,
            &Introspection {
                active: true,
                scope: Some(claims.scope.clone()),
                client_id: Some(claims.client_id.clone()),
                sub: Some(claims.sub.clone()),
                aud: Some(claims.aud.clone()),
                iss: Some(claims.iss.clone()),
                exp: Some(claims.exp),
                iat: Some(claims.iat),
                jti: Some(claims.jti.clone()),
                token_type: Some("Bearer"),
                auth_time: claims.auth_time,
                acr: claims.acr.clone(),
                sid: claims.sid.clone(),
            },
        ));
    }
    if token.len() != 43 {
        return Ok(inactive());
    }
    let hash = infra::crypto::sha256_hex(token.as_bytes());
    let Some(stored) = state
        .db
        .run(move |c| Ok(refresh_tokens::find(c, &hash)?))
        .await?
    else {
        return Ok(inactive());
    };
    if stored.grant.client_id != client.client_id || !stored.is_active(now) {
        return Ok(inactive());
    }
    let grant = stored.grant;
    Ok(json_no_store(
        StatusCode::OK,
        &Introspection {
            active: true,
            scope: Some(grant.scope),
            client_id: Some(grant.client_id),
            sub: Some(grant.subject),
            iss: Some(issuer),
            exp: Some(stored.expires_at.unix_timestamp()),
            token_type: Some("refresh_token"),
            auth_time: Some(grant.auth_time),
            acr: Some(grant.acr),
            sid: Some(grant.sid),
            ..Introspection::default()
        },
    ))
}
