//! `GET /api/v1/me`: who the access token speaks for (see `auth::ApiCaller`).

use crate::auth::ApiCaller;
use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct MeUser<'a> {
    id: &'a str,
    email: &'a str,
    given_name: &'a str,
    family_name: &'a str,
    language: &'a str,
}

#[derive(Debug, Serialize)]
struct Me<'a> {
    issuer: &'a str,
    subject: &'a str,
    client_id: &'a str,
    scopes: &'a [String],
    acr: &'a str,
    /// `null` when this person never logged in to traces.
    user: Option<MeUser<'a>>,
}

/// `GET /api/v1/me`: who the token speaks for.
pub async fn me(caller: ApiCaller) -> HttpResponse {
    let user = caller.user.as_ref().map(|u| MeUser {
        id: &u.id,
        email: &u.email,
        given_name: &u.given_name,
        family_name: &u.family_name,
        language: &u.language,
    });
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Me {
            issuer: &caller.issuer,
            subject: &caller.subject,
            client_id: &caller.client_id,
            scopes: &caller.scopes,
            acr: &caller.acr,
            user,
        })
}
