//! Names of people. An account must be in the name of a real person, because that name appears
//! on the documents they sign; names that look like an organisation or a post draw a warning.

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Missing,
    TooLong,
    InvalidCharacters,
}

pub const MAX_NAME_LEN: usize = 100;

/// Validates one name part (first or last name) and returns it trimmed, with runs of spaces
/// folded.
pub fn clean_name(raw: &str) -> Result<String, NameProblem> {
    let folded = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(NameProblem::Missing);
    }
    if folded.chars().count() > MAX_NAME_LEN {
        return Err(NameProblem::TooLong);
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if !folded.chars().all(allowed) || !folded.chars().any(char::is_alphabetic) {
        return Err(NameProblem::InvalidCharacters);
    }
    Ok(folded)
}

/// Words that name an organisation, a post or a function rather than a person, in the
/// languages the service is offered in.
const GENERIC_WORDS: &[&str] = &[
    "admin",
    "administrator",
    "office",
    "info",
    "contact",
    "support",
    "helpdesk",
    "team",
    "service",
    "services",
    "department",
    "dept",
    "company",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "sas",
    "ab",
    "bv",
    "nv",
    "oy",
    "inc",
    "llc",
    "plc",
    "srl",
    "spa",
    "import",
    "export",
    "imports",
    "exports",
    "trading",
    "logistics",
    "customs",
    "border",
    "bcp",
    "post",
    "authority",
    "agency",
    "ministry",
    "control",
    "inspection",
    "laboratory",
    "lab",
    "sales",
    "accounts",
    "reception",
    "secretariat",
    "bureau",
    "douane",
    "zoll",
    "tull",
    "firma",
    "société",
    "societe",
    "entreprise",
    "abteilung",
    "avdelning",
    "myndighet",
    "kontor",
    "unknown",
    "test",
    "user",
    "nobody",
];

/// True when the name looks like an organisation or a post rather than a real person.
pub fn looks_generic(first_name: &str, last_name: &str) -> bool {
    let words = first_name
        .split(|c: char| !c.is_alphabetic())
        .chain(last_name.split(|c: char| !c.is_alphabetic()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase);
    let mut any_generic = false;
    for word in words {
        if GENERIC_WORDS.contains(&word.as_str()) {
            any_generic = true;
        }
    }
    let same = first_name.trim().eq_ignore_ascii_case(last_name.trim());
    any_generic || same
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_folded() {
        assert_eq!(clean_name("  Anna   Maria ").unwrap(), "Anna Maria");
        assert_eq!(
            clean_name("O'Brien-Ó Súilleabháin").unwrap(),
            "O'Brien-Ó Súilleabháin"
        );
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        assert_eq!(clean_name(" "), Err(NameProblem::Missing));
        assert_eq!(clean_name("R2D2"), Err(NameProblem::InvalidCharacters));
        assert_eq!(clean_name("<script>"), Err(NameProblem::InvalidCharacters));
        assert_eq!(clean_name("--"), Err(NameProblem::InvalidCharacters));
        assert_eq!(clean_name(&"a".repeat(101)), Err(NameProblem::TooLong));
    }

    #[test]
    fn organisations_and_posts_are_flagged() {
        assert!(looks_generic("BCP", "Arlanda"));
        assert!(looks_generic("Import", "Office"));
        assert!(looks_generic("Fruit Trading", "AB"));
        assert!(looks_generic("Info", "Info"));
        assert!(!looks_generic("Anna", "Berg"));
        assert!(!looks_generic("Jean-Luc", "Dupont"));
        // A real surname that contains a generic word as a substring is not flagged.
        assert!(!looks_generic("Sabine", "Abbott"));
    }
}
