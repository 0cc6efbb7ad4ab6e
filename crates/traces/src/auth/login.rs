//! `GET /auth/login` and `GET /auth/callback`: the authorization code flow through the
//! openidconnect crate, with PKCE (S256), a nonce, a `state` bound to the browser, and
//! `acr_values` asking eulogin for the medium level. The callback checks eulogin's `iss`
//! (RFC 9207), exchanges the code with the client secret (`client_secret_basic`), verifies the
//! ID token (signature, issuer, audience, expiry by traces' clock, nonce) and refuses a login
//! below the medium level, whatever was asked: the URL the browser carried could have been
//! edited. Then the user's row is refreshed and a new session opened.

use crate::app::AppState;
use crate::auth::assurance::Level;
use crate::auth::keys::KeySet;
use crate::auth::provider::{IdToken, IdTokenClaims, IssuerError, OidcClient};
use crate::auth::session::{self, SessionRecord};
use crate::auth::transaction::{self, LoginTransaction, safe_return_to};
use crate::http::errors::{WebError, message_page};
use crate::http::page::{PageContext, see_other};
use crate::i18n::Lang;
use crate::store::users::{self, Identity};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use openidconnect::core::{CoreAuthenticationFlow, CoreJwsSigningAlgorithm};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, CsrfToken, LanguageTag,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse as _,
};
use serde::Deserialize;
use std::sync::Arc;

/// A page telling why the login did not happen; never cached.
pub fn auth_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    title_key: &str,
    message_key: &str,
) -> HttpResponse {
    let ctx = PageContext::new(req, state);
    let mut response = message_page(&ctx, status, title_key, ctx.t.t(message_key));
    no_store(&mut response);
    response
}

fn no_store(response: &mut HttpResponse) {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
}

/// "EU Login cannot be reached, try again in a few minutes" (503).
pub fn unreachable_page(req: &HttpRequest, state: &AppState, error: &IssuerError) -> HttpResponse {
    tracing::warn!(%error, "login impossible: eulogin does not answer");
    state.metrics.event("login_issuer_unreachable");
    auth_page(
        req,
        state,
        StatusCode::SERVICE_UNAVAILABLE,
        "auth.unreachable_title",
        "auth.unreachable",
    )
}

fn failed_page(req: &HttpRequest, state: &AppState, message_key: &str) -> HttpResponse {
    state.metrics.event("login_failed");
    auth_page(
        req,
        state,
        StatusCode::BAD_REQUEST,
        "auth.failed_title",
        message_key,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// `GET /auth/login?return_to=/path`: off to eulogin.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    let return_to = safe_return_to(query.return_to.as_deref());
    // Fetched again at every login: a browser is never sent to a eulogin that does not answer.
    let metadata = match state.auth.fetch_metadata().await {
        Ok(metadata) => metadata,
        Err(e) => return Ok(unreachable_page(&req, &state, &e)),
    };
    let client = match state.auth.client(&metadata, &KeySet::empty()) {
        Ok(client) => client,
        Err(e) => return Ok(unreachable_page(&req, &state, &e)),
    };
    let lang = PageContext::new(&req, &state).lang();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            || CsrfToken::new(infra::crypto::random_token()),
            || Nonce::new(infra::crypto::random_token()),
        )
        .add_scope(Scope::new("profile".to_owned()))
        .add_scope(Scope::new("email".to_owned()))
        .add_auth_context_value(AuthenticationContextClass::new(
            Level::REQUIRED.acr(state.auth.issuer()),
        ))
        .add_ui_locale(LanguageTag::new(lang.code().to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let https = state.settings.https();
    let (binding, binding_cookie) = transaction::browser_binding(&req, https);
    transaction::keep(
        &state.kv,
        &LoginTransaction {
            state: csrf_state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to,
            browser: infra::crypto::sha256_hex(binding.as_bytes()),
        },
    )
    .await?;
    state.metrics.event("login_started");
    let mut response = see_other(url.as_str());
    if let Some(cookie) = binding_cookie {
        response.add_cookie(&cookie).ok();
    }
    no_store(&mut response);
    Ok(response)
}

/// What eulogin sends back: a code, or an error (RFC 6749, 4.1.2).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// `GET /auth/callback`.
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, WebError> {
    let query = query.into_inner();
    let taken = match query.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => transaction::take(&state.kv, s).await?,
        None => None,
    };
    let Some(transaction) = taken else {
        // No state, a made-up one, or one already used: this is not a login traces started.
        return Ok(failed_page(&req, &state, "auth.expired"));
    };
    if !transaction::same_browser(&req, state.settings.https(), &transaction) {
        return Ok(failed_page(&req, &state, "auth.other_browser"));
    }
    if let Some(error) = &query.error {
        return Ok(refused_at_eulogin(&req, &state, error));
    }
    let metadata = match state.auth.metadata().await {
        Ok(metadata) => metadata,
        Err(e) => return Ok(unreachable_page(&req, &state, &e)),
    };
    // RFC 9207: the answer must come from eulogin (a mix-up defence).
    let iss_ok = match &query.iss {
        Some(iss) => iss == state.auth.issuer(),
        None => {
            !metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported
        }
    };
    if !iss_ok {
        tracing::warn!(iss = ?query.iss, "authorization response from another issuer");
        return Ok(failed_page(&req, &state, "auth.failed"));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        return Ok(failed_page(&req, &state, "auth.failed"));
    };
    let keys = match state.auth.key_set().await {
        Ok(keys) => keys,
        Err(e) => return Ok(unreachable_page(&req, &state, &e)),
    };
    let client = match state.auth.client(&metadata, &keys) {
        Ok(client) => client,
        Err(e) => return Ok(unreachable_page(&req, &state, &e)),
    };
    let Ok(exchange) = client.exchange_code(AuthorizationCode::new(code)) else {
        return Ok(unreachable_page(
            &req,
            &state,
            &IssuerError::Invalid("no token endpoint".into()),
        ));
    };
    let http = state.auth.http().for_openidconnect();
    let tokens = match exchange
        .set_pkce_verifier(PkceCodeVerifier::new(transaction.pkce_verifier.clone()))
        .request_async(&http)
        .await
    {
        Ok(tokens) => tokens,
        Err(RequestTokenError::Request(e)) => {
            return Ok(unreachable_page(
                &req,
                &state,
                &IssuerError::Unreachable(e.to_string()),
            ));
        }
        Err(RequestTokenError::ServerResponse(e)) => {
            tracing::warn!(error = %e.error(), "eulogin refused the code");
            return Ok(failed_page(&req, &state, "auth.failed"));
        }
        Err(e) => {
            tracing::warn!(error = %e, "eulogin's token response cannot be used");
            return Ok(failed_page(&req, &state, "auth.failed"));
        }
    };
    let Some(id_token) = tokens.id_token() else {
        tracing::warn!("eulogin's token response has no ID token");
        return Ok(failed_page(&req, &state, "auth.failed"));
    };
    let nonce = Nonce::new(transaction.nonce.clone());
    let claims = match verify_id_token(&state, &client, &keys, id_token, &nonce).await {
        Ok(claims) => claims,
        Err(e) => {
            tracing::warn!(error = %e, "ID token refused");
            return Ok(failed_page(&req, &state, "auth.failed"));
        }
    };
    let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
    if !Level::is_enough(state.auth.issuer(), acr.as_deref()) {
        tracing::info!(acr = ?acr, "login refused: below the medium level");
        state.metrics.event("login_level_too_low");
        return Ok(auth_page(
            &req,
            &state,
            StatusCode::FORBIDDEN,
            "auth.level_too_low_title",
            "auth.level_too_low",
        ));
    }
    let acr = acr.unwrap_or_default();
    open_session(
        &req,
        &state,
        &claims,
        acr,
        id_token.to_string(),
        &transaction,
    )
    .await
}

/// eulogin answered with an error instead of a code.
fn refused_at_eulogin(req: &HttpRequest, state: &AppState, error: &str) -> HttpResponse {
    tracing::info!(error, "eulogin did not log the person in");
    state.metrics.event("login_refused_at_eulogin");
    let (status, message) = match error {
        "access_denied" => (StatusCode::UNAUTHORIZED, "auth.access_denied"),
        "login_required" | "interaction_required" | "consent_required" => {
            (StatusCode::UNAUTHORIZED, "auth.login_required")
        }
        "temporarily_unavailable" | "server_error" => {
            (StatusCode::SERVICE_UNAVAILABLE, "auth.unreachable")
        }
        _ => (StatusCode::BAD_REQUEST, "auth.failed"),
    };
    auth_page(req, state, status, "auth.failed_title", message)
}

/// The ID token's claims, verified; the key set is fetched again once (at most once a minute)
/// when the token is signed with a key not held, which is how a rotated key is picked up.
async fn verify_id_token(
    state: &AppState,
    client: &OidcClient,
    keys: &Arc<KeySet>,
    id_token: &IdToken,
    nonce: &Nonce,
) -> Result<IdTokenClaims, ClaimsVerificationError> {
    let verified = verify_with(state, client, id_token, nonce);
    let unknown_key = matches!(
        verified,
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey
        ))
    );
    if !unknown_key {
        return verified;
    }
    let Some(newer) = state.auth.newer_key_set(keys).await else {
        return verified;
    };
    let metadata = state
        .auth
        .metadata()
        .await
        .map_err(|e| ClaimsVerificationError::Other(e.to_string()))?;
    let client = state
        .auth
        .client(&metadata, &newer)
        .map_err(|e| ClaimsVerificationError::Other(e.to_string()))?;
    verify_with(state, &client, id_token, nonce)
}

/// `keys::ACCEPTED_ALGORITHMS` as openidconnect names them: RS256 and ES256, never `none` or
/// HMAC (whose key, for a confidential client, openidconnect would take from the secret).
const ID_TOKEN_ALGORITHMS: [CoreJwsSigningAlgorithm; 2] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
];

fn verify_with(
    state: &AppState,
    client: &OidcClient,
    id_token: &IdToken,
    nonce: &Nonce,
) -> Result<IdTokenClaims, ClaimsVerificationError> {
    let clock = state.clock.clone();
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(ID_TOKEN_ALGORITHMS)
        // Expiry by traces' clock, not the system's: the same time as everything else.
        .set_time_fn(move || {
            let now = clock.now();
            chrono::DateTime::from_timestamp(now.unix_timestamp(), now.nanosecond())
                .unwrap_or_default()
        });
    id_token.claims(&verifier, nonce).cloned()
}

/// The person as the ID token describes them.
fn identity(issuer: &str, claims: &IdTokenClaims) -> Identity {
    let given_name = claims
        .given_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    let family_name = claims
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    let language = claims
        .locale()
        .and_then(|l| Lang::parse(l.as_str().split(['-', '_']).next().unwrap_or_default()))
        .unwrap_or(Lang::En);
    Identity {
        issuer: issuer.to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email: claims
            .email()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        given_name,
        family_name,
        language: language.code().to_owned(),
    }
}

/// Refreshes the user's row, replaces any session this browser had with a new one and goes
/// where the person was going.
async fn open_session(
    req: &HttpRequest,
    state: &AppState,
    claims: &IdTokenClaims,
    acr: String,
    id_token: String,
    transaction: &LoginTransaction,
) -> Result<HttpResponse, WebError> {
    let now = state.clock.now();
    let who = identity(state.auth.issuer(), claims);
    let user = state
        .db
        .write(move |c| Ok(users::upsert_from_login(c, &who, now)?))
        .await?;
    if let Some(previous) = session::current(req, &state.kv, &state.settings, now).await? {
        session::end(&state.kv, &previous).await?;
    }
    let record = SessionRecord {
        user_id: user.id.clone(),
        subject: user.subject.clone(),
        sid: claims.additional_claims().sid.clone(),
        acr,
        amr: claims
            .auth_method_refs()
            .map(|amr| amr.iter().map(|m| m.as_str().to_owned()).collect())
            .unwrap_or_default(),
        auth_time: claims.auth_time().map(|t| t.timestamp()),
        id_token,
        created_at: now.unix_timestamp(),
        expires_at: (now + state.settings.session_max).unix_timestamp(),
    };
    let cookie = session::open(&state.kv, &state.settings, &record).await?;
    tracing::info!(user = %user.id, "logged in");
    state.metrics.event("login");
    let mut response = see_other(&transaction.return_to);
    response.add_cookie(&cookie).ok();
    no_store(&mut response);
    Ok(response)
}
