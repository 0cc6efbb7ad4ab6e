//! The home page: what TRACES is and the way in.

use crate::app::AppState;
use crate::http::page::PageContext;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a PageContext,
}

pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ctx = PageContext::new(&req, &state);
    ctx.ok(&HomePage { ctx: &ctx })
}
