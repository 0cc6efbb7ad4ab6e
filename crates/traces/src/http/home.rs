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

/// The home page; the header names the person when someone is logged in. It is the public
/// face of the service: when the session cannot be read, it is shown as to a visitor.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ctx = match crate::auth::signed_in::current(&req, &state).await {
        Ok(Some(signed_in)) => signed_in.page_context(&req, &state),
        Ok(None) => PageContext::new(&req, &state),
        Err(e) => {
            tracing::error!(error = %e, code = e.code(), "home page shown without the session");
            PageContext::new(&req, &state)
        }
    };
    ctx.ok(&HomePage { ctx: &ctx })
}
