//! The home page: what TRACES is and the way in.

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::http::page::PageContext;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a PageContext,
}

/// The home page; the header names the person when someone is logged in.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let ctx = match crate::auth::signed_in::current(&req, &state).await? {
        Some(signed_in) => signed_in.page_context(&req, &state),
        None => PageContext::new(&req, &state),
    };
    Ok(ctx.ok(&HomePage { ctx: &ctx }))
}
