//! Translations for both services: the languages we speak, a catalog per language (a TOML file
//! embedded by each service, flattened to dotted keys), the translator pages and e-mails use,
//! and the language of a request (`?lang=`, then the `lang` cookie, then `Accept-Language`).

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use std::collections::{BTreeSet, HashMap};

/// A language the services speak.
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

/// The texts of every language, by dotted key (`[login] title = …` is `login.title`).
#[derive(Debug)]
pub struct Catalogs(HashMap<Lang, Catalog>);

impl Catalogs {
    /// Parses one TOML source per language. A source that does not parse gives an empty
    /// catalog, which [`Catalogs::completeness_problems`] reports.
    pub fn parse(sources: [(Lang, &str); 4]) -> Catalogs {
        Catalogs(
            sources
                .into_iter()
                .map(|(lang, source)| {
                    let mut out = Catalog::new();
                    if let Ok(table) = source.parse::<toml::Table>() {
                        flatten("", &table, &mut out);
                    }
                    (lang, out)
                })
                .collect(),
        )
    }

    /// What keeps the catalogs from matching the English one: a missing or extra key, or a text
    /// whose placeholders differ. Each service's tests assert this is empty.
    pub fn completeness_problems(&self) -> Vec<String> {
        let Some(english) = self.0.get(&Lang::En) else {
            return vec!["no English catalog".to_owned()];
        };
        let mut problems = Vec::new();
        if english.len() < 10 {
            problems.push("the English catalog did not parse".to_owned());
        }
        let english_keys: BTreeSet<_> = english.keys().collect();
        for lang in Lang::ALL {
            let catalog = self.0.get(&lang).cloned().unwrap_or_default();
            let keys: BTreeSet<_> = catalog.keys().collect();
            for missing in english_keys.difference(&keys) {
                problems.push(format!("{lang:?}: missing {missing}"));
            }
            for extra in keys.difference(&english_keys) {
                problems.push(format!("{lang:?}: extra {extra}"));
            }
            for (key, text) in &catalog {
                let placeholders = |s: &str| {
                    let mut names: Vec<String> = s
                        .split('{')
                        .skip(1)
                        .filter_map(|rest| rest.split('}').next())
                        .map(str::to_owned)
                        .collect();
                    names.sort_unstable();
                    names
                };
                if let Some(original) = english.get(key)
                    && placeholders(text) != placeholders(original)
                {
                    problems.push(format!("{lang:?}: placeholders of {key}"));
                }
            }
        }
        problems
    }
}

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

/// The texts of one language of one service's catalogs.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    catalogs: &'static Catalogs,
}

impl Tr {
    pub fn new(lang: Lang, catalogs: &'static Catalogs) -> Tr {
        Tr { lang, catalogs }
    }

    /// The text for `key`, falling back to English, then to `??` (which a test would catch).
    pub fn t(&self, key: &str) -> &'static str {
        let catalogs: &'static HashMap<Lang, Catalog> = &self.catalogs.0;
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

    /// The same catalogs in another language.
    pub fn in_language(&self, lang: Lang) -> Tr {
        Tr { lang, ..*self }
    }
}

/// The name of the cookie that remembers a language chosen with `?lang=`.
pub const LANG_COOKIE: &str = "lang";

/// A rendered page as a response: HTML with `status`, the `lang` cookie when the language was
/// chosen with `?lang=`, and a bare 500 (logged) when the template failed to render.
pub fn html_response(
    status: actix_web::http::StatusCode,
    chosen: Option<Lang>,
    rendered: Result<String, impl std::fmt::Display>,
) -> actix_web::HttpResponse {
    use actix_web::cookie::{Cookie, SameSite};
    let html = match rendered {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return actix_web::HttpResponse::InternalServerError()
                .content_type("text/plain")
                .body("Internal error");
        }
    };
    let mut response = actix_web::HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8");
    if let Some(lang) = chosen {
        response.cookie(
            Cookie::build(LANG_COOKIE, lang.code())
                .path("/")
                .same_site(SameSite::Lax)
                .max_age(actix_web::cookie::time::Duration::days(365))
                .finish(),
        );
    }
    response.body(html)
}

/// The language of this request, and the one chosen explicitly with `?lang=` (to remember).
pub fn language_of(req: &HttpRequest) -> (Lang, Option<Lang>) {
    let chosen = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| Lang::parse(l)));
    let lang = chosen
        .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En);
    (lang, chosen)
}

/// The current path and query without `lang`, ready for `lang=…` to be appended: switching
/// language keeps the page's own parameters.
pub fn language_link_base(req: &HttpRequest) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(name, _)| name != "lang")
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        return format!("{}?", req.path());
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{}?{query}&", req.path())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn completeness_finds_missing_extra_and_placeholder_differences() {
        let english = "[a]\nx = \"Hello {name}\"\ny = \"y\"\nz=\"1\"\nb=\"2\"\nc=\"3\"\nd=\"4\"\ne=\"5\"\nf=\"6\"\ng=\"7\"\nh=\"8\"";
        let french = english
            .replace("Hello {name}", "Bonjour {nom}")
            .replace("y = \"y\"\n", "")
            + "\nextra = \"e\"";
        let catalogs = Catalogs::parse([
            (Lang::En, english),
            (Lang::Fr, &french),
            (Lang::De, english),
            (Lang::Sv, english),
        ]);
        let problems = catalogs.completeness_problems();
        assert_eq!(
            problems.iter().filter(|p| p.starts_with("Fr")).count(),
            3,
            "{problems:?}"
        );
        assert!(problems.iter().all(|p| p.starts_with("Fr")), "{problems:?}");
    }

    #[test]
    fn placeholders_are_filled_and_english_is_the_fallback() {
        static CATALOGS: std::sync::LazyLock<Catalogs> = std::sync::LazyLock::new(|| {
            Catalogs::parse([
                (Lang::En, "greeting = \"Hello {name}\"\nonly = \"English\""),
                (Lang::Fr, "greeting = \"Bonjour {name}\""),
                (Lang::De, ""),
                (Lang::Sv, ""),
            ])
        });
        let french = Tr::new(Lang::Fr, &CATALOGS);
        assert_eq!(french.fill("greeting", &[("name", "Anna")]), "Bonjour Anna");
        assert_eq!(french.t("only"), "English");
        assert_eq!(french.t("nowhere"), "??");
    }
}
