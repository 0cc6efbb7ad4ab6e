//! Translations of the pages and e-mails of traces: English, French, German and Swedish, one
//! TOML catalog per language (`i18n/<code>.toml`); a test checks every catalog has exactly
//! the keys of the English one. The machinery is shared with eulogin in `infra::i18n`.

pub use infra::i18n::{Catalogs, Lang, Tr};
use std::sync::LazyLock;

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| {
    Catalogs::parse([
        (Lang::En, include_str!("en.toml")),
        (Lang::Fr, include_str!("fr.toml")),
        (Lang::De, include_str!("de.toml")),
        (Lang::Sv, include_str!("sv.toml")),
    ])
});

/// traces' texts in `lang`.
pub fn tr(lang: Lang) -> Tr {
    Tr::new(lang, &CATALOGS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_language_has_every_key_and_no_other() {
        let problems = super::CATALOGS.completeness_problems();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_label_and_error_code_of_the_rules_has_its_text() {
        let english = super::tr(super::Lang::En);
        let mut keys: Vec<String> = crate::domain::label_keys()
            .into_iter()
            .map(str::to_owned)
            .collect();
        keys.extend(
            crate::domain::operator_form::FIELD_ERROR_CODES
                .iter()
                .map(|code| format!("field_error.{code}")),
        );
        keys.extend(
            crate::domain::status::TransitionError::ALL
                .iter()
                .map(|e| format!("workflow.{}", e.code())),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| english.t(k) == "??").collect();
        assert!(missing.is_empty(), "no English text for {missing:?}");
    }
}
