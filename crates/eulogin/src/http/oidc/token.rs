//! `/oidc/token`: the `authorization_code`, `refresh_token` and `client_credentials` grants.
//!
//! A code works once within 60 seconds; a second use revokes every token issued from it.
//! Refresh tokens rotate at each use; a rotated token presented again revokes its whole family.
//! Access tokens are JWTs (RFC 9068); ID tokens come with the code grant only (a refresh answers
//! without one, as OpenID Connect allows: the authentication did not change).

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::oidc::client_auth::authenticated_form;
use crate::http::oidc::{json_no_store, oauth_error};
use crate::oidc::authorization::{self, Redemption, is_pkce_verifier, pkce_s256};
use crate::oidc::clients::{Client, GrantType};
use crate::oidc::grants::{UserGrant, mark_grant_revoked, revoked_grant_key};
use crate::store::audit::{Actor, AuditEvent};
use crate::store::refresh_tokens::{self, Rotation};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use infra::db::DbError;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

fn invalid_grant(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn invalid_request(description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (params, client) =
        match authenticated_form(&req, &state, form.into_inner(), "/oidc/token").await {
            Ok(checked) => checked,
            Err(response) => return Ok(response),
        };
    let grant_type = params.get("grant_type").map(String::as_str);
    let Some(grant) = grant_type.and_then(GrantType::parse) else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            if grant_type.is_none() {
                "invalid_request"
            } else {
                "unsupported_grant_type"
            },
            "grant_type must be authorization_code, refresh_token or client_credentials",
        ));
    };
    if !client.allows(grant) {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "this client may not use this grant",
        ));
    }
    let actor = state.actor(&req);
    match grant {
        GrantType::AuthorizationCode => authorization_code(&state, &client, &params, &actor).await,
        GrantType::RefreshToken => refresh_token(&state, &client, &params, &actor).await,
        GrantType::ClientCredentials => client_credentials(&state, &client, &params),
    }
}

/// Revokes a grant everywhere: its refresh tokens in the database, its access tokens through
/// the marker every token check looks at.
pub async fn revoke_grant(state: &AppState, grant_id: &str) -> Result<(), WebError> {
    mark_grant_revoked(
        &state.kv,
        grant_id,
        state.settings.oidc.access_token_ttl,
        "revoked",
    )
    .await?;
    let (id, now) = (grant_id.to_owned(), state.clock.now());
    state
        .db
        .transaction(move |c| Ok::<_, DbError>(refresh_tokens::revoke_family(c, &id, now)?))
        .await?;
    Ok(())
}

async fn authorization_code(
    state: &AppState,
    client: &Client,
    params: &HashMap<String, String>,
    actor: &Actor,
) -> Result<HttpResponse, WebError> {
    let (Some(code), Some(redirect_uri)) = (params.get("code"), params.get("redirect_uri")) else {
        return Ok(invalid_request("code and redirect_uri are required"));
    };
    let now = state.clock.now();
    let record = match authorization::redeem_code(&state.kv, code, now).await? {
        Redemption::Redeemed(record) => record,
        Redemption::Reused { grant_id } => {
            revoke_grant(state, &grant_id).await?;
            state.metrics.event("code_reuse_detected");
            state
                .audit(AuditEvent::TokenReuse, None, actor, &client.client_id)
                .await?;
            return Ok(invalid_grant(
                "the code was already used; its tokens are revoked",
            ));
        }
        Redemption::Unknown => return Ok(invalid_grant("unknown or expired code")),
    };
    if record.grant.client_id != client.client_id {
        return Ok(invalid_grant("the code was issued to another client"));
    }
    if record.redirect_uri != *redirect_uri {
        return Ok(invalid_grant(
            "redirect_uri differs from the authorization request",
        ));
    }
    let verifier = params.get("code_verifier");
    match (&record.code_challenge, verifier) {
        (Some(challenge), Some(verifier))
            if is_pkce_verifier(verifier)
                && infra::crypto::constant_time_eq(
                    pkce_s256(verifier).as_bytes(),
                    challenge.as_bytes(),
                ) => {}
        (Some(_), _) => return Ok(invalid_grant("code_verifier does not match the challenge")),
        (None, Some(_)) => {
            return Ok(invalid_grant(
                "code_verifier given but the authorization request had no code_challenge",
            ));
        }
        (None, None) if client.is_public() => {
            return Ok(invalid_grant("public clients must use PKCE"));
        }
        (None, None) => {}
    }
    let mut grant = record.grant.clone();
    if let Some(resource) = params.get("resource") {
        if !client.audiences.iter().any(|a| a == resource) {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_target",
                "this client may not ask for that resource",
            ));
        }
        grant.audience = resource.clone();
    }
    let refresh_token = if client.allows(GrantType::RefreshToken) {
        Some(store_refresh_token(state, &grant).await?)
    } else {
        None
    };
    // A reuse racing this first use may have revoked the grant meanwhile.
    if state
        .kv
        .get(&revoked_grant_key(&grant.grant_id))
        .await?
        .is_some()
    {
        revoke_grant(state, &grant.grant_id).await?;
        return Ok(invalid_grant(
            "the code was already used; its tokens are revoked",
        ));
    }
    let access = state
        .oidc
        .tokens
        .user_access_token(&grant, client.access_token_alg, now)?;
    let id_token = if grant.has_scope("openid") {
        Some(state.oidc.tokens.id_token(
            &grant,
            &record.identity,
            record.nonce.as_deref(),
            Some(&access.token),
            client.id_token_alg,
            now,
        )?)
    } else {
        None
    };
    state.metrics.event("token_authorization_code");
    Ok(json_no_store(
        StatusCode::OK,
        &TokenResponse {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            scope: grant.scope.clone(),
            id_token,
            refresh_token,
        },
    ))
}

/// Starts a refresh-token family for the grant and returns its first token.
async fn store_refresh_token(state: &AppState, grant: &UserGrant) -> Result<String, WebError> {
    let token = infra::crypto::random_token();
    let hash = infra::crypto::sha256_hex(token.as_bytes());
    let now = state.clock.now();
    let (idle, max) = (
        state.settings.oidc.refresh_idle,
        state.settings.oidc.refresh_max,
    );
    let auth_time = time::OffsetDateTime::from_unix_timestamp(grant.auth_time).unwrap_or(now);
    let family_expires_at = auth_time + max;
    let expires_at = (now + idle).min(family_expires_at);
    let grant = grant.clone();
    state
        .db
        .write(move |c| {
            Ok(refresh_tokens::insert(
                c,
                &hash,
                &grant,
                now,
                expires_at,
                family_expires_at,
            )?)
        })
        .await?;
    Ok(token)
}

async fn refresh_token(
    state: &AppState,
    client: &Client,
    params: &HashMap<String, String>,
    actor: &Actor,
) -> Result<HttpResponse, WebError> {
    let Some(presented) = params.get("refresh_token").filter(|t| t.len() == 43) else {
        return Ok(invalid_grant("unknown refresh token"));
    };
    let now = state.clock.now();
    let hash = infra::crypto::sha256_hex(presented.as_bytes());
    let successor = infra::crypto::random_token();
    let successor_hash = infra::crypto::sha256_hex(successor.as_bytes());
    let (client_id, idle) = (client.client_id.clone(), state.settings.oidc.refresh_idle);
    let rotation = state
        .db
        .write(move |c| {
            Ok(refresh_tokens::rotate(
                c,
                &hash,
                &client_id,
                &successor_hash,
                now,
                idle,
            )?)
        })
        .await?;
    let mut grant = match rotation {
        Rotation::Rotated(grant) => grant,
        Rotation::Replayed(grant) => {
            mark_grant_revoked(
                &state.kv,
                &grant.grant_id,
                state.settings.oidc.access_token_ttl,
                "reused",
            )
            .await?;
            state.metrics.event("refresh_token_reuse_detected");
            state
                .audit(
                    AuditEvent::TokenReuse,
                    Some(&grant.account_id),
                    actor,
                    &client.client_id,
                )
                .await?;
            return Ok(invalid_grant(
                "the refresh token was already used; its family is revoked",
            ));
        }
        Rotation::Refused => return Ok(invalid_grant("unknown, expired or revoked refresh token")),
    };
    // A narrower scope may be asked for; never a wider one.
    if let Some(asked) = params.get("scope") {
        let asked: Vec<&str> = asked.split_ascii_whitespace().collect();
        if asked.iter().any(|s| !grant.has_scope(s)) {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "a refresh cannot widen the scope",
            ));
        }
        grant.scope = asked.join(" ");
    }
    let access = state
        .oidc
        .tokens
        .user_access_token(&grant, client.access_token_alg, now)?;
    state.metrics.event("token_refresh");
    Ok(json_no_store(
        StatusCode::OK,
        &TokenResponse {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            scope: grant.scope,
            id_token: None,
            refresh_token: Some(successor),
        },
    ))
}

/// Scopes that only make sense for a person; never granted to an application acting alone.
const PERSONAL_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

fn client_credentials(
    state: &AppState,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<HttpResponse, WebError> {
    let allowed: Vec<&str> = client
        .scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !PERSONAL_SCOPES.contains(s))
        .collect();
    let scope: Vec<&str> = match params.get("scope") {
        Some(asked) => {
            let asked: Vec<&str> = asked.split_ascii_whitespace().collect();
            if asked.iter().any(|s| !allowed.contains(s)) {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "this client may not ask for that scope",
                ));
            }
            asked
        }
        None => allowed,
    };
    let audience = match params.get("resource") {
        Some(resource) if client.audiences.iter().any(|a| a == resource) => resource.as_str(),
        Some(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_target",
                "this client may not ask for that resource",
            ));
        }
        None => client.default_audience(),
    };
    let scope = scope.join(" ");
    let access = state.oidc.tokens.client_access_token(
        &client.client_id,
        audience,
        &scope,
        client.access_token_alg,
        state.clock.now(),
    )?;
    state.metrics.event("token_client_credentials");
    Ok(json_no_store(
        StatusCode::OK,
        &TokenResponse {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            scope,
            id_token: None,
            refresh_token: None,
        },
    ))
}
