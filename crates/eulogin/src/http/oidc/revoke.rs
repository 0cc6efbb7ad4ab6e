//! `/oidc/revoke` (RFC 7009). A client revokes its own tokens: a refresh token revokes its whole
//! family and the access tokens of that grant; an access token is refused from then on until it
//! expires. The answer is 200 whatever the token was (unknown, expired, another client's), so
//! the endpoint tells nothing about tokens the caller does not own.

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::oidc::client_auth::authenticated_token_form;
use crate::http::oidc::token::revoke_grant;
use crate::oidc::grants::revoked_token_key;
use crate::oidc::tokens::{AccessTokenClaims, verify_signed};
use crate::store::refresh_tokens;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use time::Duration;

fn done() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .finish()
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (token, client) =
        match authenticated_token_form(&req, &state, form.into_inner(), "/oidc/revoke").await {
            Ok(checked) => checked,
            Err(response) => return Ok(response),
        };
    let token = token.as_str();
    if token.matches('.').count() == 2 {
        if let Ok((_, claims)) = verify_signed::<AccessTokenClaims>(&state.oidc.keys, token)
            && claims.client_id == client.client_id
        {
            let remaining = claims.exp - state.clock.now().unix_timestamp();
            if remaining > 0 {
                state
                    .kv
                    .set(
                        &revoked_token_key(&claims.jti),
                        "revoked",
                        Duration::seconds(remaining + 60),
                    )
                    .await?;
            }
            state.metrics.event("access_token_revoked");
        }
        return Ok(done());
    }
    if token.len() == 43 {
        let hash = infra::crypto::sha256_hex(token.as_bytes());
        let stored = state
            .db
            .run(move |c| Ok(refresh_tokens::find(c, &hash)?))
            .await?;
        if let Some(stored) = stored
            && stored.grant.client_id == client.client_id
        {
            revoke_grant(&state, &stored.grant.grant_id).await?;
            state.metrics.event("refresh_token_revoked");
        }
    }
    Ok(done())
}
