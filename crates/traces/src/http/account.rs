//! The person's own page: who traces thinks they are (as eulogin last told it) and how they
//! logged in.

use crate::app::AppState;
use crate::auth::SignedIn;
use crate::auth::assurance::Level;
use crate::http::page::PageContext;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: &'a PageContext,
    name: String,
    email: &'a str,
    language: &'static str,
    level: &'static str,
    since: String,
}

/// `GET /account`.
pub async fn account(
    signed_in: SignedIn,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let ctx = signed_in.page_context(&req, &state);
    let user = &signed_in.user;
    let level = match Level::from_acr(state.auth.issuer(), &signed_in.session.record.acr) {
        Some(Level::High) => ctx.t.t("auth.level_high"),
        _ => ctx.t.t("auth.level_medium"),
    };
    let since = time::OffsetDateTime::from_unix_timestamp(signed_in.session.record.created_at)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default();
    let language = crate::i18n::Lang::parse(&user.language)
        .unwrap_or(crate::i18n::Lang::En)
        .native_name();
    ctx.ok(&AccountPage {
        ctx: &ctx,
        name: user.display_name(),
        email: &user.email,
        language,
        level,
        since,
    })
}
