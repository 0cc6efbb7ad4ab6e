//! Submitted forms: the CSRF check every POST starts with, and a reader for URL-encoded bodies
//! that keeps repeated fields (several responsible authorities, several addresses).

use crate::app::AppState;
use crate::http::errors::message_page;
use crate::http::page::PageContext;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

/// The fields of a URL-encoded form, in order, repeated names kept.
#[derive(Debug, Clone, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// A form filled in advance (a new form's defaults).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value of `name` when present and not blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_owned()).filter(|v| !v.is_empty())
    }

    /// Every field, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The form's request key (see `workflows::request_key`): the one it carries, or a new
    /// random one for a form shown for the first time.
    pub fn request_key(&self) -> String {
        match self.get("request_key") {
            "" => infra::crypto::random_token(),
            key => key.to_owned(),
        }
    }

    /// Every non-blank value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
}

/// `Some(403 page)` when the request fails the CSRF check; handlers return it at once.
pub fn reject_forgery(
    req: &HttpRequest,
    state: &AppState,
    submitted: &str,
) -> Option<HttpResponse> {
    if state.csrf.verify(req, submitted) {
        return None;
    }
    tracing::warn!(path = req.path(), "CSRF check failed");
    state.metrics.event("csrf_rejected");
    let ctx = PageContext::new(req, state);
    Some(message_page(
        &ctx,
        StatusCode::FORBIDDEN,
        "error.forbidden_title",
        ctx.t.t("error.csrf"),
    ))
}

#[cfg(test)]
mod tests {
    use super::FormFields;

    #[test]
    fn repeated_fields_are_all_kept_and_blank_ones_dropped() {
        let form =
            FormFields::parse(b"authority=SEARN4&authority=+&authority=SE-PHYTO&name=+Acme+");
        assert_eq!(form.all("authority"), ["SEARN4", "SE-PHYTO"]);
        assert_eq!(form.get("name"), "Acme");
        assert_eq!(form.optional("missing"), None);
    }
}
