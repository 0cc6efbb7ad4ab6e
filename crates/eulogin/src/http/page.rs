//! What every page needs: the language (chosen by `?lang=`, then the `lang` cookie, then the
//! browser's `Accept-Language`), the CSRF token for its forms, and who is logged in.

use crate::app::AppState;
use crate::i18n::{Lang, Tr};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

/// The common part of every page.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub t: Tr,
    pub csrf: String,
    /// The name shown in the header when someone is logged in.
    pub user_name: Option<String>,
    /// The current path and query (without `lang`) ending in `?` or `&`: the base of the
    /// language links.
    pub path: String,
    pub languages: Vec<(&'static str, &'static str)>,
    /// A language chosen explicitly with `?lang=`, to remember in a cookie.
    chosen: Option<Lang>,
}

use infra::i18n::language_link_base;
pub use infra::i18n::language_of;

impl PageContext {
    pub fn new(req: &HttpRequest, state: &AppState) -> PageContext {
        let (lang, chosen) = language_of(req);
        PageContext {
            t: crate::i18n::tr(lang),
            csrf: state.csrf.token(req),
            user_name: None,
            path: language_link_base(req),
            languages: Lang::ALL
                .iter()
                .map(|l| (l.code(), l.native_name()))
                .collect(),
            chosen,
        }
    }

    /// A context for pages rendered without a request (internal error pages).
    pub fn bare(t: Tr) -> PageContext {
        PageContext {
            t,
            csrf: String::new(),
            user_name: None,
            path: "/?".to_owned(),
            languages: Lang::ALL
                .iter()
                .map(|l| (l.code(), l.native_name()))
                .collect(),
            chosen: None,
        }
    }

    pub fn with_user(mut self, name: String) -> PageContext {
        self.user_name = Some(name);
        self
    }

    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    /// Renders a template into a complete HTML response.
    pub fn render(
        &self,
        status: actix_web::http::StatusCode,
        template: &impl Template,
    ) -> HttpResponse {
        infra::i18n::html_response(status, self.chosen, template.render())
    }

    pub fn ok(&self, template: &impl Template) -> HttpResponse {
        self.render(actix_web::http::StatusCode::OK, template)
    }
}

/// A redirect after a successful POST (303, so the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
