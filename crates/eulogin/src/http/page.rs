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
    /// Where the forms of this page may end up besides this site: the application of a
    /// pending authorization (see [`PageContext::allowing_redirect_to`]).
    form_target: Option<String>,
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
            form_target: None,
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
            form_target: None,
        }
    }

    pub fn with_user(mut self, name: String) -> PageContext {
        self.user_name = Some(name);
        self
    }

    /// Lets this page's forms lead to a redirect to `uri` (the application's redirect or
    /// post-logout URI): the Content-Security-Policy's `form-action` then names its origin,
    /// which Chromium and Safari check on the redirects after a form is sent.
    pub fn allowing_redirect_to(mut self, uri: &str) -> PageContext {
        self.form_target = infra::http::security_headers::form_target_of(uri);
        self
    }

    /// [`PageContext::allowing_redirect_to`] the application of the pending authorization
    /// `id`, if there is one.
    pub async fn for_authorization(self, state: &AppState, id: &str) -> PageContext {
        match crate::oidc::authorization::find_pending(&state.kv, id, state.clock.now()).await {
            Ok(Some(request)) => self.allowing_redirect_to(&request.return_to.redirect_uri),
            _ => self,
        }
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
        let mut response = infra::i18n::html_response(status, self.chosen, template.render());
        if let Some(target) = &self.form_target {
            let policy = infra::http::security_headers::allowing_form_targets([target.as_str()]);
            if let Ok(value) = header::HeaderValue::from_str(&policy) {
                // Set here, the default policy of the security middleware does not replace it.
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
        }
        response
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
