//! The rules the reference files must follow together, beyond their TOML shape: versions from
//! 1, well-formed and unique codes, non-empty names, references that resolve between files,
//! and the activity codes and competences other code relies upon.

use super::activity_codes;
use super::files::{AuthorityKind, Dataset, ReferenceData};
use std::collections::HashSet;

/// Every problem found, each a sentence that names the file and the row.
pub(super) fn problems(data: &ReferenceData) -> Vec<String> {
    let mut found = Problems::default();
    for dataset in Dataset::ALL {
        if data.version(dataset) < 1 {
            found.add(
                dataset,
                format!("version must be 1 or more, not {}", data.version(dataset)),
            );
        }
    }
    let countries = check_countries(data, &mut found);
    let competences = check_competences(data, &mut found);
    check_activities(data, &competences, &mut found);
    check_authorities(data, &countries, &competences, &mut found);
    found.0
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, dataset: Dataset, problem: String) {
        self.0.push(format!("{}: {problem}", dataset.file()));
    }

    /// The code is well-formed and not seen before at its level; the name is present.
    fn row<'a>(
        &mut self,
        dataset: Dataset,
        what: &str,
        code: &'a str,
        name: &str,
        seen: &mut HashSet<&'a str>,
        well_formed: fn(&str) -> bool,
    ) {
        if !well_formed(code) {
            self.add(
                dataset,
                format!("{what} code \"{code}\" is not well-formed"),
            );
        }
        if !seen.insert(code) {
            self.add(
                dataset,
                format!("{what} code \"{code}\" appears more than once"),
            );
        }
        if name.trim().is_empty() {
            self.add(dataset, format!("{what} \"{code}\" has no name"));
        }
    }
}

/// Two upper-case ASCII letters (ISO 3166-1 alpha-2).
fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Lower-case words joined by `_`, like `plant_health`.
fn is_competence_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Letters, digits, `-` and `_`: safe in URLs and forms, like `EURPO` or `SE-PHYTO`.
fn is_plain_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_countries<'a>(data: &'a ReferenceData, found: &mut Problems) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for c in &data.countries.countries {
        found.row(
            Dataset::Countries,
            "country",
            &c.code,
            &c.name,
            &mut seen,
            is_country_code,
        );
    }
    seen
}

fn check_competences<'a>(data: &'a ReferenceData, found: &mut Problems) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for c in &data.competences.competences {
        found.row(
            Dataset::Competences,
            "competence",
            &c.code,
            &c.name,
            &mut seen,
            is_competence_code,
        );
    }
    seen
}

fn check_activities(data: &ReferenceData, competences: &HashSet<&str>, found: &mut Problems) {
    let d = Dataset::Activities;
    let (mut chapters, mut sections, mut types) = (HashSet::new(), HashSet::new(), HashSet::new());
    for chapter in &data.activities.chapters {
        found.row(
            d,
            "chapter",
            &chapter.code,
            &chapter.name,
            &mut chapters,
            is_plain_code,
        );
        if chapter.sections.is_empty() {
            found.add(d, format!("chapter \"{}\" has no sections", chapter.code));
        }
        for section in &chapter.sections {
            found.row(
                d,
                "section",
                &section.code,
                &section.name,
                &mut sections,
                is_plain_code,
            );
            if section.activities.is_empty() {
                found.add(
                    d,
                    format!("section \"{}\" has no activity types", section.code),
                );
            }
            for activity in &section.activities {
                found.row(
                    d,
                    "activity type",
                    &activity.code,
                    &activity.name,
                    &mut types,
                    is_plain_code,
                );
                if !competences.contains(activity.competence.as_str()) {
                    found.add(
                        d,
                        format!(
                            "activity type \"{}\": competence \"{}\" is not in {}",
                            activity.code,
                            activity.competence,
                            Dataset::Competences.file()
                        ),
                    );
                }
            }
        }
    }
    for required in activity_codes::REQUIRED {
        if !types.contains(required) {
            found.add(
                d,
                format!("activity type \"{required}\" is missing (code relies on it)"),
            );
        }
    }
}

fn check_authorities(
    data: &ReferenceData,
    countries: &HashSet<&str>,
    competences: &HashSet<&str>,
    found: &mut Problems,
) {
    let d = Dataset::Authorities;
    // Any Border Control Post may be made responsible for a "Responsible for the load".
    let rfl_competence = data
        .activities
        .chapters
        .iter()
        .flat_map(|c| &c.sections)
        .flat_map(|s| &s.activities)
        .find(|a| a.code == activity_codes::RFL)
        .map(|a| a.competence.as_str());
    let mut seen = HashSet::new();
    for a in &data.authorities.authorities {
        found.row(d, "authority", &a.code, &a.name, &mut seen, is_plain_code);
        let code = &a.code;
        if !countries.contains(a.country.as_str()) {
            found.add(
                d,
                format!(
                    "authority \"{code}\": country \"{}\" is not in {}",
                    a.country,
                    Dataset::Countries.file()
                ),
            );
        }
        if a.competences.is_empty() {
            found.add(d, format!("authority \"{code}\" has no competences"));
        }
        let mut held = HashSet::new();
        for competence in &a.competences {
            if !competences.contains(competence.as_str()) {
                found.add(
                    d,
                    format!(
                        "authority \"{code}\": competence \"{competence}\" is not in {}",
                        Dataset::Competences.file()
                    ),
                );
            }
            if !held.insert(competence.as_str()) {
                found.add(
                    d,
                    format!("authority \"{code}\": competence \"{competence}\" is listed twice"),
                );
            }
        }
        if !a.email.is_empty() && !looks_like_email(&a.email) {
            found.add(
                d,
                format!(
                    "authority \"{code}\": e-mail \"{}\" is not an address",
                    a.email
                ),
            );
        }
        if a.kind == AuthorityKind::BorderControlPost
            && let Some(needed) = rfl_competence
            && !held.contains(needed)
        {
            found.add(
                d,
                format!(
                    "border control post \"{code}\" lacks competence \"{needed}\", which \
                     activity type \"{}\" needs",
                    activity_codes::RFL
                ),
            );
        }
    }
}

/// One `@` with something on each side and no spaces: enough to catch a pasted name.
fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}
