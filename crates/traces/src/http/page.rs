//! What every page needs: the language (`?lang=`, the `lang` cookie, `Accept-Language`), the
//! CSRF token for its forms, the environment banner and who is logged in.

use crate::app::AppState;
use crate::i18n::{Lang, Tr};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use infra::i18n::{language_link_base, language_of};

/// The common part of every page.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub t: Tr,
    pub csrf: String,
    /// `acceptance` or `production`, shown in the header of every page.
    pub environment: &'static str,
    /// The name shown in the header when someone is logged in.
    pub user_name: Option<String>,
    /// The current path and query (without `lang`) ending in `?` or `&`.
    pub path: String,
    pub languages: Vec<(&'static str, &'static str)>,
    chosen: Option<Lang>,
}

impl PageContext {
    pub fn new(req: &HttpRequest, state: &AppState) -> PageContext {
        let (lang, chosen) = language_of(req);
        PageContext {
            t: crate::i18n::tr(lang),
            csrf: state.csrf.token(req),
            environment: state.settings.environment.code(),
            user_name: None,
            path: language_link_base(req),
            languages: Lang::ALL
                .iter()
                .map(|l| (l.code(), l.native_name()))
                .collect(),
            chosen,
        }
    }

    pub fn with_user(mut self, name: String) -> PageContext {
        self.user_name = Some(name);
        self
    }

    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    /// The environment's banner text.
    pub fn environment_label(&self) -> &'static str {
        if self.environment == "production" {
            self.t.t("app.environment_production")
        } else {
            self.t.t("app.environment_acceptance")
        }
    }

    /// The translated name of a status (`kind` is `operator`, `activity` or `membership`).
    pub fn status_label(&self, kind: &str, code: &str) -> &'static str {
        self.t.t(&format!("status.{kind}.{code}"))
    }

    /// The translated text `<prefix>.<code>` (organisation types, identifier kinds, audit
    /// actions...).
    pub fn label(&self, prefix: &str, code: &str) -> &'static str {
        self.t.t(&format!("{prefix}.{code}"))
    }

    /// The translated name of a role (`member`, `administrator`, `officer`).
    pub fn role_label(&self, code: &str) -> &'static str {
        self.t.t(&format!("membership_role.{code}"))
    }

    /// An activity type as people read it: its name and its code, the code only once when the
    /// official name already ends with it ("… IMSOC (EURPO)").
    pub fn activity_label(&self, name: &str, code: &str) -> String {
        activity_label(name, code)
    }

    /// Renders a template into a complete HTML response.
    pub fn render(&self, status: StatusCode, template: &impl Template) -> HttpResponse {
        infra::i18n::html_response(status, self.chosen, template.render())
    }

    pub fn ok(&self, template: &impl Template) -> HttpResponse {
        self.render(StatusCode::OK, template)
    }
}

/// A redirect after a successful POST (303, so the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// See [`PageContext::activity_label`].
pub fn activity_label(name: &str, code: &str) -> String {
    if name.ends_with(&format!("({code})")) {
        name.to_owned()
    } else {
        format!("{name} ({code})")
    }
}

#[cfg(test)]
mod tests {
    use super::activity_label;

    #[test]
    fn an_activity_code_is_shown_once() {
        assert_eq!(
            activity_label(
                "Professional operators referred to in Article 45(1)(l) IMSOC (EURPO)",
                "EURPO"
            ),
            "Professional operators referred to in Article 45(1)(l) IMSOC (EURPO)"
        );
        assert_eq!(
            activity_label("Cold store (CS)", "POAO-CS"),
            "Cold store (CS) (POAO-CS)"
        );
        assert_eq!(
            activity_label("Importer", "FEED-IMP"),
            "Importer (FEED-IMP)"
        );
    }
}
