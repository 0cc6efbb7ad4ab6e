//! `ApiCaller`, the extractor of `/api/v1/…` handlers: who the bearer access token speaks for,
//! validated locally (see `bearer`). Refusals are RFC 9457 problem JSON with the RFC 6750
//! challenge: `401` and `error="invalid_token"` for a missing, forged, expired or foreign
//! token; `401` and `error="insufficient_user_authentication"` with the `acr_values` to reach
//! for a login below the medium level (RFC 9470, section 3); `403` for a deactivated user;
//! `503` when eulogin's keys were never fetched and cannot be now.

use crate::app::AppState;
use crate::auth::assurance::Level;
use crate::auth::bearer::{self, AccessClaims, BearerRefusal};
use crate::auth::record_use;
use crate::store::memberships::{self, Membership};
use crate::store::users::User;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use infra::db::{AnyConnection, DbError};
use infra::http::problem::Problem;
use std::future::Future;
use std::pin::Pin;

/// The caller of an API request.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub issuer: String,
    /// The person (or, for a client's own token, the client) the token speaks for.
    pub subject: String,
    /// The application that holds the token.
    pub client_id: String,
    pub scopes: Vec<String>,
    pub acr: String,
    /// The traces user of (`issuer`, `subject`); `None` when this person never logged in to
    /// traces.
    pub user: Option<User>,
    /// The user's memberships (operators and authorities, any status), read with the user:
    /// every API operation decides access from them.
    pub memberships: Vec<Membership>,
}

impl ApiCaller {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

const REALM: &str = "traces";

/// The problem response for a refusal, in the request's language.
fn problem(req: &HttpRequest, state: &AppState, refusal: &BearerRefusal) -> HttpResponse {
    let t = crate::i18n::tr(infra::i18n::language_of(req).0);
    let (status, kind, title_key, challenge) = match refusal {
        BearerRefusal::Missing => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "auth.api_unauthenticated",
            format!("Bearer realm=\"{REALM}\""),
        ),
        BearerRefusal::Invalid(_) => (
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            "auth.api_invalid_token",
            format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"The access token is not valid\""
            ),
        ),
        BearerRefusal::InsufficientLevel => {
            let issuer = state.auth.issuer();
            let acr_values = format!("{} {}", Level::Medium.acr(issuer), Level::High.acr(issuer));
            (
                StatusCode::UNAUTHORIZED,
                "insufficient-user-authentication",
                "auth.api_insufficient_level",
                format!(
                    "Bearer realm=\"{REALM}\", error=\"insufficient_user_authentication\", error_description=\"A login with a second factor is required\", acr_values=\"{acr_values}\""
                ),
            )
        }
        BearerRefusal::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "issuer-unavailable",
            "auth.api_unavailable",
            String::new(),
        ),
    };
    let mut response = Problem::new(status, kind, t.t(title_key)).response();
    let headers = response.headers_mut();
    if let Ok(value) = header::HeaderValue::from_str(&challenge)
        && !challenge.is_empty()
    {
        headers.insert(header::WWW_AUTHENTICATE, value);
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    }
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn refusal(response: HttpResponse, why: &'static str) -> actix_web::Error {
    actix_web::error::InternalError::from_response(why, response).into()
}

/// A request whose bearer token is valid, its caller not read yet: for a handler that reads the
/// caller together with its own data, in one read transaction ([`Bearer::resolve_with`]), as
/// the operator read of the API does. Refused like [`ApiCaller`].
pub struct Bearer {
    req: HttpRequest,
    state: web::Data<AppState>,
    claims: AccessClaims,
}

impl Bearer {
    /// Reads who the caller is with what they belong to, and `work`'s result, in one read of
    /// the database; then refuses a deactivated user and records the use, as [`ApiCaller`]
    /// does. `work` only reads: what it read is dropped when the caller is refused.
    pub async fn resolve_with<T, F>(self, work: F) -> Result<(ApiCaller, T), actix_web::Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        let (issuer, subject) = (self.claims.iss.clone(), self.claims.sub.clone());
        let (found, output) = self
            .state
            .db
            .read(move |c| {
                let found = memberships::user_with_memberships(c, &issuer, &subject)?;
                Ok((found, work(c)?))
            })
            .await
            .map_err(crate::http::errors::WebError::from)?;
        let (user, memberships) = match found {
            Some((user, memberships)) => (Some(user), memberships),
            None => (None, Vec::new()),
        };
        if let Some(user) = &user {
            if user.is_deactivated() {
                let t = crate::i18n::tr(infra::i18n::language_of(&self.req).0);
                let response = Problem::new(
                    StatusCode::FORBIDDEN,
                    "account-deactivated",
                    t.t("auth.api_deactivated"),
                )
                .response();
                return Err(refusal(response, "deactivated"));
            }
            record_use(&self.state, user).await?;
        }
        let claims = self.claims;
        let caller = ApiCaller {
            scopes: claims.scopes(),
            issuer: claims.iss,
            subject: claims.sub,
            client_id: claims.client_id,
            acr: claims.acr.unwrap_or_default(),
            user,
            memberships,
        };
        Ok((caller, output))
    }
}

async fn validated(req: HttpRequest) -> Result<Bearer, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        tracing::error!("ApiCaller used without the application state");
        return Err(actix_web::error::ErrorInternalServerError("no state"));
    };
    let claims = match bearer::token_of(&req) {
        Ok(token) => bearer::validate(&state, &token).await,
        Err(e) => Err(e),
    };
    match claims {
        Ok(claims) => Ok(Bearer { req, state, claims }),
        Err(refused) => {
            match &refused {
                BearerRefusal::Unavailable(e) => tracing::error!(error = %e, "bearer token"),
                other => tracing::info!(reason = %other, "bearer token refused"),
            }
            state.metrics.event("bearer_refused");
            Err(refusal(problem(&req, &state, &refused), "bearer refused"))
        }
    }
}

async fn extract(req: HttpRequest) -> Result<ApiCaller, actix_web::Error> {
    let bearer = validated(req).await?;
    let (caller, ()) = bearer.resolve_with(|_| Ok(())).await?;
    Ok(caller)
}

impl FromRequest for Bearer {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Bearer, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(validated(req.clone()))
    }
}

impl FromRequest for ApiCaller {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<ApiCaller, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(extract(req.clone()))
    }
}
