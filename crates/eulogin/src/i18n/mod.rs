//! Translations of pages and e-mails: English, French, German and Swedish. Each language is a
//! TOML catalog embedded in the binary (`i18n/<code>.toml`); a test checks that every catalog
//! has exactly the keys of the English one, so no page shows a missing text. The machinery
//! (languages, catalogs, the translator) is shared with traces in `infra::i18n`.

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

/// eulogin's texts in `lang`.
pub fn tr(lang: Lang) -> Tr {
    Tr::new(lang, &CATALOGS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_no_other() {
        let problems = CATALOGS.completeness_problems();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(
            tr(Lang::En)
                .fill(
                    "mail.set_password.body",
                    &[("name", "Anna"), ("link", "L"), ("minutes", "90")]
                )
                .contains("Anna")
        );
    }
}
