//! Translations of pages and e-mails: English, French, German and Swedish. Each language is a
//! TOML catalog embedded in the binary (`i18n/<code>.toml`); a test checks that every catalog
//! has exactly the keys of the English one, so no page shows a missing text.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
    De,
    Sv,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::De, Lang::Sv];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Sv => "sv",
        }
    }

    /// The language's own name, as shown in the language menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English (en)",
            Lang::Fr => "français (fr)",
            Lang::De => "Deutsch (de)",
            Lang::Sv => "svenska (sv)",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The first supported language in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let quality = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((quality, Lang::parse(primary)?))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, l)| *l)
    }
}

type Catalog = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&full, t, out),
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            _ => {}
        }
    }
}

fn parse_catalog(source: &str) -> Catalog {
    let mut out = Catalog::new();
    if let Ok(table) = source.parse::<toml::Table>() {
        flatten("", &table, &mut out);
    }
    out
}

static CATALOGS: LazyLock<HashMap<Lang, Catalog>> = LazyLock::new(|| {
    HashMap::from([
        (Lang::En, parse_catalog(include_str!("en.toml"))),
        (Lang::Fr, parse_catalog(include_str!("fr.toml"))),
        (Lang::De, parse_catalog(include_str!("de.toml"))),
        (Lang::Sv, parse_catalog(include_str!("sv.toml"))),
    ])
});

/// The texts of one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text for `key`, falling back to English, then to the key itself.
    pub fn t(&self, key: &str) -> &'static str {
        let catalogs: &'static HashMap<Lang, Catalog> = &CATALOGS;
        catalogs
            .get(&self.lang)
            .and_then(|c| c.get(key))
            .or_else(|| catalogs.get(&Lang::En).and_then(|c| c.get(key)))
            .map(String::as_str)
            .unwrap_or("??")
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_no_other() {
        let english: std::collections::BTreeSet<_> = CATALOGS[&Lang::En].keys().collect();
        assert!(english.len() > 50, "the English catalog did not parse");
        for lang in Lang::ALL {
            let keys: std::collections::BTreeSet<_> = CATALOGS[&lang].keys().collect();
            let missing: Vec<_> = english.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang:?}: missing {missing:?}, extra {extra:?}"
            );
            for (key, text) in &CATALOGS[&lang] {
                let placeholders = |s: &str| s.matches('{').count();
                assert_eq!(
                    placeholders(text),
                    placeholders(&CATALOGS[&Lang::En][key.as_str()]),
                    "{lang:?} {key}"
                );
            }
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("sv-SE,sv;q=0.9,en;q=0.8"),
            Some(Lang::Sv)
        );
        assert_eq!(
            Lang::from_accept_language("es;q=1.0, de;q=0.5, fr;q=0.7"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("es, it"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::En);
        assert!(
            tr.fill(
                "mail.set_password.body",
                &[("name", "Anna"), ("link", "L"), ("minutes", "90")]
            )
            .contains("Anna")
        );
    }
}
