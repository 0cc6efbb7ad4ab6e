//! Reading through the API: the operator search, one operator (with what it may notify), the
//! caller's memberships, an operator's users (for those who manage them), an officer's
//! worklist; and requesting authorisation to join an operator.

use super::actor_of;
use super::problems::ApiError;
use crate::app::AppState;
use crate::auth::{ApiCaller, Bearer};
use crate::store::activities;
use crate::store::memberships::{self, Requested};
use crate::store::operator_documents;
use crate::store::operator_search::{self, OperatorQuery};
use crate::store::operators;
use crate::workflows::requests;
use actix_web::{HttpResponse, web};

#[derive(Debug, serde::Deserialize)]
pub struct SearchParams {
    country: Option<String>,
    section: Option<String>,
    activity: Option<String>,
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /api/v1/operators`.
pub async fn search(
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let params = params.into_inner();
    let query = OperatorQuery {
        organisation_type: None,
        country: params.country,
        section: params.section,
        activity_code: params.activity,
        text: params.q,
        page: params.page.unwrap_or(1),
        per_page: params.per_page.unwrap_or(20),
    };
    let scope = actor.search_scope();
    let page = state
        .db
        .run(move |c| Ok(operator_search::search(c, &query, &scope)?))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /api/v1/operators/{id}`: 404 for what the caller may not see, as for a missing one.
/// The caller and the operator are read together (one read of the database); the body is the
/// operator's stored document (see `store::operator_documents`).
pub async fn show(
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let id = path.into_inner();
    let (caller, found) = bearer
        .resolve_with(move |c| Ok(operator_documents::read(c, &id)?))
        .await?;
    let actor = actor_of(&caller)?;
    let Some(operator) = found else {
        return Err(ApiError::NotFound.into());
    };
    actor
        .may_see_operator(
            &operator.id,
            &operator.status,
            &operator.responsible_authority_codes(),
        )
        .map_err(|_| ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(operator.document))
}

/// `POST /api/v1/operators/{id}/authorisation-requests`: 201 with the new request, or 200 with
/// the one already open.
pub async fn request_authorisation(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let requested = requests::request_membership(&state, &actor, &path).await?;
    Ok(match requested {
        Requested::Created(m) => HttpResponse::Created().json(m),
        Requested::AlreadyOpen(m) => HttpResponse::Ok().json(m),
    })
}

/// `GET /api/v1/operators/{id}/memberships`: for its administrators and responsible officers.
pub async fn memberships_of(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let id = path.into_inner();
    let found = state
        .db
        .run(move |c| {
            let Some((_, status)) = operators::name_and_status(c, &id)? else {
                return Ok(None);
            };
            let responsible = activities::responsible_authorities(c, &id)?;
            let members = memberships::of_operator(c, &id, None)?;
            Ok(Some((id, status, responsible, members)))
        })
        .await?;
    let Some((id, status, responsible, members)) = found else {
        return Err(ApiError::NotFound);
    };
    actor
        .may_see_operator(&id, &status, &responsible)
        .map_err(|_| ApiError::NotFound)?;
    actor
        .may_manage_members_of(&id, &responsible)
        .map_err(|_| ApiError::Forbidden)?;
    Ok(HttpResponse::Ok().json(members))
}

/// `GET /api/v1/memberships`: the caller's own memberships.
pub async fn my_memberships(caller: ApiCaller) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    Ok(HttpResponse::Ok().json(actor.memberships))
}

/// `GET /api/v1/authority/worklist`: ids of the operators waiting for the caller's
/// authorities.
pub async fn worklist(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, ApiError> {
    let actor = actor_of(&caller)?;
    let codes = actor.authority_codes();
    if codes.is_empty() {
        return Err(ApiError::Forbidden);
    }
    let waiting = state
        .db
        .run(move |c| Ok(activities::operators_waiting_for(c, &codes, 200)?))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "operators": waiting })))
}
