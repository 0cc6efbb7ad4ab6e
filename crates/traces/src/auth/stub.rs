//! TEMPORARY stand-in for the login extractor (replaced by the auth branch).

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use std::future::{Ready, ready};

pub struct SignedIn {
    pub user: crate::store::users::User,
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = Ready<Result<SignedIn, actix_web::Error>>;
    fn from_request(_req: &HttpRequest, _p: &mut Payload) -> Self::Future {
        ready(Err(actix_web::error::ErrorUnauthorized("stub")))
    }
}

pub struct ApiCaller {
    pub user: Option<crate::store::users::User>,
}

impl FromRequest for ApiCaller {
    type Error = actix_web::Error;
    type Future = Ready<Result<ApiCaller, actix_web::Error>>;
    fn from_request(_req: &HttpRequest, _p: &mut Payload) -> Self::Future {
        ready(Err(actix_web::error::ErrorUnauthorized("stub")))
    }
}
