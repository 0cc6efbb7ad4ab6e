//! Operator identifiers (national company register number, EORI, VAT number, other): their
//! format checks where a format is known, and the normalised form under which two spellings of
//! the same number are recognised as one (the database keeps one operator per kind, country
//! and normalised value).
//!
//! What is checked, per kind (the country is the operator's, ISO 3166-1 alpha-2):
//!
//! | kind | checked | normalised |
//! |---|---|---|
//! | national register, SE | `NNNNNN-NNNN` (the hyphen and spaces optional), Luhn check digit | `556012-5790` |
//! | national register, other countries | 3–30 characters: letters, digits, spaces and `-./`, at least one letter or digit | upper case, without spaces and `-./` |
//! | EORI | two letters then 1–15 letters or digits; the prefix is an issuing country (an EU member state, `GB` or `XI`); for an operator in the EU it is its own country, `GB` or `XI` | upper case, without spaces |
//! | VAT | see [`vat`]: the format of each EU member state, and the check digits where they are simple | prefix (`EL` for Greece) and number, upper case, without separators |
//! | other | at most 100 characters, no control characters | upper case, without spaces |
//!
//! Every value is at most [`MAX_IDENTIFIER_CHARS`] characters once trimmed; the value is kept as
//! typed (trimmed) for display.

pub mod vat;

use super::codes::coded_enum;

/// The longest identifier accepted, in characters, once trimmed.
pub const MAX_IDENTIFIER_CHARS: usize = 100;

coded_enum! {
    /// The kinds of identifier an operator can give ("Operator Identifiers" on the form).
    IdentifierKind, "identifier kind", "identifier_kind" {
        /// The number in the national company register (in Sweden, the organisation number).
        NationalCompanyRegister => "national_register",
        /// Economic Operators Registration and Identification number, for customs.
        Eori => "eori",
        /// VAT identification number.
        Vat => "vat",
        /// Any other identifier; not checked beyond its length.
        Other => "other",
    }
}

/// A checked identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    /// Which kind of identifier it is.
    pub kind: IdentifierKind,
    /// The value as typed, trimmed: what the operator sees.
    pub value: String,
    /// The normalised value: what duplicates are detected on.
    pub normalized: String,
}

/// Why an identifier is refused. [`IdentifierError::code`] is stable, for translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Nothing was typed (or only spaces).
    #[error("empty")]
    Empty,
    /// Not in the format of this kind of identifier in this country (or too long).
    #[error("bad format")]
    BadFormat,
    /// In the right format, but the check digits do not match: most likely a typing mistake.
    #[error("bad checksum")]
    BadChecksum,
    /// Issued by (or prefixed with) another country than the operator's.
    #[error("wrong country")]
    WrongCountry,
}

impl IdentifierError {
    /// Every variant, for a test that each has its translation.
    pub const ALL: [IdentifierError; 4] = [
        IdentifierError::Empty,
        IdentifierError::BadFormat,
        IdentifierError::BadChecksum,
        IdentifierError::WrongCountry,
    ];

    /// The stable code of this error.
    pub fn code(self) -> &'static str {
        match self {
            IdentifierError::Empty => "empty",
            IdentifierError::BadFormat => "bad_format",
            IdentifierError::BadChecksum => "bad_checksum",
            IdentifierError::WrongCountry => "wrong_country",
        }
    }
}

/// Checks `raw` as an identifier of `kind` for an operator of `country_code`, and returns it
/// with its normalised form. See the module documentation for what is checked.
pub fn normalise_and_check(
    kind: IdentifierKind,
    country_code: &str,
    raw: &str,
) -> Result<Identifier, IdentifierError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(IdentifierError::Empty);
    }
    if value.chars().count() > MAX_IDENTIFIER_CHARS {
        return Err(IdentifierError::BadFormat);
    }
    let country = country_code.trim().to_ascii_uppercase();
    let normalized = match kind {
        IdentifierKind::NationalCompanyRegister => national_register(&country, value)?,
        IdentifierKind::Eori => eori(&country, value)?,
        IdentifierKind::Vat => vat::check(&country, value)?,
        IdentifierKind::Other => other(value)?,
    };
    Ok(Identifier {
        kind,
        value: value.to_owned(),
        normalized,
    })
}

/// The EU member states, by ISO 3166-1 code (so Greece is `GR` here, `EL` only in VAT numbers).
const EU_MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether `country` (upper-case ISO 3166-1 code) is an EU member state.
pub fn is_eu_member(country: &str) -> bool {
    EU_MEMBER_STATES.contains(&country)
}

/// The United Kingdom also issues EORI numbers: `GB`, and `XI` for Northern Ireland. An EU
/// company trading with the UK holds one of those besides its own.
const UK_EORI_PREFIXES: [&str; 2] = ["GB", "XI"];

fn eori(country: &str, value: &str) -> Result<String, IdentifierError> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let (prefix, number) = compact
        .split_at_checked(2)
        .ok_or(IdentifierError::BadFormat)?;
    let well_formed = prefix.chars().all(|c| c.is_ascii_uppercase())
        && (1..=15).contains(&number.len())
        && number
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let issued_by_known_country = is_eu_member(prefix) || UK_EORI_PREFIXES.contains(&prefix);
    if !well_formed || !issued_by_known_country {
        return Err(IdentifierError::BadFormat);
    }
    // A company established in the EU gets its EORI number from its own member state; a
    // company outside the EU from the first member state it trades with, so any prefix.
    if is_eu_member(country) && prefix != country && !UK_EORI_PREFIXES.contains(&prefix) {
        return Err(IdentifierError::WrongCountry);
    }
    Ok(compact)
}

fn national_register(country: &str, value: &str) -> Result<String, IdentifierError> {
    match country {
        "SE" => swedish_organisation_number(value),
        _ => generic_register_number(value),
    }
}

/// A Swedish organisation number, `NNNNNN-NNNN`, whose last digit is a Luhn check digit. Sole
/// traders use their personal identity number, which has the same shape and check.
fn swedish_organisation_number(value: &str) -> Result<String, IdentifierError> {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let hyphens = value.matches('-').count();
    let hyphen_in_place = hyphens == 0 || (hyphens == 1 && value.find('-') == Some(6));
    if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) || !hyphen_in_place {
        return Err(IdentifierError::BadFormat);
    }
    if !luhn_is_valid(&digits) {
        return Err(IdentifierError::BadChecksum);
    }
    let (first, last) = digits.split_at(6);
    Ok(format!("{first}-{last}"))
}

/// Any other country's register number: its format is not known here, only its characters.
fn generic_register_number(value: &str) -> Result<String, IdentifierError> {
    let length = value.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/');
    if !(3..=30).contains(&length)
        || !value.chars().all(allowed)
        || !value.chars().any(char::is_alphanumeric)
    {
        return Err(IdentifierError::BadFormat);
    }
    Ok(value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect())
}

fn other(value: &str) -> Result<String, IdentifierError> {
    if value.chars().any(char::is_control) {
        return Err(IdentifierError::BadFormat);
    }
    Ok(value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect())
}

/// The Luhn check (ISO/IEC 7812-1) over a string of ASCII digits: false for anything else.
pub(crate) fn luhn_is_valid(digits: &str) -> bool {
    luhn_sum(digits).is_some_and(|sum| sum % 10 == 0)
}

/// The Luhn sum, from the right: every second digit doubled, the digits of the result added.
pub(crate) fn luhn_sum(digits: &str) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut sum = 0;
    for (position, c) in digits.chars().rev().enumerate() {
        let digit = c.to_digit(10)?;
        sum += if position % 2 == 1 {
            let doubled = digit * 2;
            doubled / 10 + doubled % 10
        } else {
            digit
        };
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdentifierError::*;
    use IdentifierKind::*;

    fn normalized(kind: IdentifierKind, country: &str, raw: &str) -> String {
        match normalise_and_check(kind, country, raw) {
            Ok(identifier) => identifier.normalized,
            Err(error) => panic!("{raw:?} refused for {country}: {error:?}"),
        }
    }

    fn refused(kind: IdentifierKind, country: &str, raw: &str) -> IdentifierError {
        match normalise_and_check(kind, country, raw) {
            Ok(identifier) => panic!("{raw:?} accepted for {country}: {identifier:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn kinds_have_their_codes_and_labels() {
        let codes: Vec<_> = IdentifierKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["national_register", "eori", "vat", "other"]);
        assert_eq!(IdentifierKind::parse("eori"), Ok(Eori));
        assert_eq!(
            NationalCompanyRegister.label_key(),
            "identifier_kind.national_register"
        );
        let errors: Vec<_> = IdentifierError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(
            errors,
            ["empty", "bad_format", "bad_checksum", "wrong_country"]
        );
    }

    #[test]
    fn the_value_is_kept_as_typed_but_trimmed() {
        let identifier = normalise_and_check(Vat, "se", "  se 5560-1257-9001 ").unwrap();
        assert_eq!(identifier.kind, Vat);
        assert_eq!(identifier.value, "se 5560-1257-9001");
        assert_eq!(identifier.normalized, "SE556012579001");
    }

    #[test]
    fn blank_and_over_long_values_are_refused_for_every_kind() {
        for kind in IdentifierKind::ALL {
            assert_eq!(refused(*kind, "SE", ""), Empty);
            assert_eq!(refused(*kind, "DE", " \t "), Empty);
            let long = "1".repeat(MAX_IDENTIFIER_CHARS + 1);
            assert_eq!(refused(*kind, "FR", &long), BadFormat);
        }
        assert_eq!(
            normalized(Other, "FR", &"x".repeat(MAX_IDENTIFIER_CHARS)),
            "X".repeat(MAX_IDENTIFIER_CHARS)
        );
    }

    #[test]
    fn swedish_organisation_numbers_are_checked_with_luhn() {
        // Volvo, IKEA, Spotify and a sole trader's personal identity number (fictional).
        assert_eq!(
            normalized(NationalCompanyRegister, "SE", "556012-5790"),
            "556012-5790"
        );
        assert_eq!(
            normalized(NationalCompanyRegister, "SE", "5560743089"),
            "556074-3089"
        );
        assert_eq!(
            normalized(NationalCompanyRegister, "SE", " 556703 7485 "),
            "556703-7485"
        );
        assert_eq!(
            normalized(NationalCompanyRegister, "SE", "811218-9876"),
            "811218-9876"
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "556012-5791"),
            BadChecksum
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "55601-25790"),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "556012--5790"),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "556012-579"),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "16556012-5790"),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "55601A-5790"),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "SE", "556012/5790"),
            BadFormat
        );
        // The country code is read without regard to case or surrounding spaces.
        assert_eq!(
            refused(NationalCompanyRegister, " se ", "556012-5791"),
            BadChecksum
        );
    }

    #[test]
    fn other_countries_register_numbers_are_checked_for_their_characters_only() {
        assert_eq!(
            normalized(NationalCompanyRegister, "DE", "HRB 12345"),
            "HRB12345"
        );
        assert_eq!(
            normalized(NationalCompanyRegister, "FR", "732 829 320"),
            "732829320"
        );
        assert_eq!(
            normalized(NationalCompanyRegister, "NL", "Kvk.3411-4799/a"),
            "KVK34114799A"
        );
        // Letters of any script, upper-cased.
        assert_eq!(
            normalized(NationalCompanyRegister, "GR", "αβγ 123"),
            "ΑΒΓ123"
        );
        // 3 and 30 characters are the bounds.
        assert_eq!(normalized(NationalCompanyRegister, "DE", "A1B"), "A1B");
        assert_eq!(
            normalized(NationalCompanyRegister, "DE", &"9".repeat(30)),
            "9".repeat(30)
        );
        assert_eq!(refused(NationalCompanyRegister, "DE", "A1"), BadFormat);
        assert_eq!(
            refused(NationalCompanyRegister, "DE", &"9".repeat(31)),
            BadFormat
        );
        assert_eq!(
            refused(NationalCompanyRegister, "DE", "HRB_12345"),
            BadFormat
        );
        assert_eq!(refused(NationalCompanyRegister, "DE", "---"), BadFormat);
        assert_eq!(refused(NationalCompanyRegister, "IT", "12\n34"), BadFormat);
    }

    #[test]
    fn eori_numbers_carry_the_country_of_the_operator() {
        assert_eq!(normalized(Eori, "SE", "SE5560125790"), "SE5560125790");
        assert_eq!(normalized(Eori, "SE", " se 556012 5790 "), "SE5560125790");
        assert_eq!(
            normalized(Eori, "DE", "DE123456789012345"),
            "DE123456789012345"
        );
        assert_eq!(normalized(Eori, "GR", "GR094014201000"), "GR094014201000");
        assert_eq!(normalized(Eori, "NL", "NL1"), "NL1");
        // An EU company may also hold a UK number, for Great Britain or Northern Ireland.
        assert_eq!(normalized(Eori, "FR", "GB123456789000"), "GB123456789000");
        assert_eq!(normalized(Eori, "FR", "XI123456789000"), "XI123456789000");
        assert_eq!(refused(Eori, "SE", "DE123456789"), WrongCountry);
        assert_eq!(refused(Eori, "GR", "EL094014201"), BadFormat);
        // Outside the EU, a company gets its number from any member state (or the UK).
        assert_eq!(normalized(Eori, "CN", "NL123456789"), "NL123456789");
        assert_eq!(normalized(Eori, "GB", "GB123456789000"), "GB123456789000");
        assert_eq!(refused(Eori, "CN", "CN123456789"), BadFormat);
        assert_eq!(refused(Eori, "US", "US123456789"), BadFormat);
    }

    #[test]
    fn eori_numbers_have_two_letters_and_up_to_fifteen_characters() {
        assert_eq!(
            normalized(Eori, "IE", "IE123456789ABCDEF"),
            "IE123456789ABCDEF"
        );
        assert_eq!(refused(Eori, "IE", "IE123456789ABCDEF0"), BadFormat);
        assert_eq!(refused(Eori, "SE", "SE"), BadFormat);
        assert_eq!(refused(Eori, "SE", "S"), BadFormat);
        assert_eq!(refused(Eori, "SE", "5560125790"), BadFormat);
        assert_eq!(refused(Eori, "SE", "SE-5560125790"), BadFormat);
        assert_eq!(refused(Eori, "SE", "SE556012579Ö"), BadFormat);
        assert_eq!(refused(Eori, "SE", "ÖÖ5560125790"), BadFormat);
    }

    #[test]
    fn other_identifiers_are_only_bounded() {
        assert_eq!(
            normalized(Other, "SE", "Approval no. 12/ab"),
            "APPROVALNO.12/AB"
        );
        assert_eq!(refused(Other, "SE", "a\u{0007}b"), BadFormat);
    }

    #[test]
    fn luhn_over_known_numbers() {
        assert!(luhn_is_valid("79927398713"));
        assert!(!luhn_is_valid("79927398710"));
        assert!(luhn_is_valid("0"));
        assert!(!luhn_is_valid(""));
        assert!(!luhn_is_valid("12a4"));
        // From the right: 4, 3 doubled, 2, 1 doubled.
        assert_eq!(luhn_sum("1234"), Some(4 + 6 + 2 + 2));
    }

    /// A small deterministic generator (xorshift), so that the test needs no crate and
    /// always runs the same inputs.
    fn arbitrary_inputs(count: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "0", "1", "5", "9", "A", "B", "U", "X", "EL", "GR", "SE", "FR", "NL", "IE", "AT", "IT",
            "01", "B01", "-", ".", "/", " ", "é", "€", "Ö", "\u{0}", "\u{301}", "ǅ", "+", "*", "ß",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let length = (next() % 16) as usize;
                (0..length)
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn arbitrary_input_is_refused_or_accepted_but_never_panics() {
        let countries = [
            "SE", "GR", "FR", "IE", "NL", "AT", "IT", "CY", "GB", "US", "", "É",
        ];
        for raw in arbitrary_inputs(20_000) {
            for kind in IdentifierKind::ALL {
                for country in countries {
                    if let Ok(identifier) = normalise_and_check(*kind, country, &raw) {
                        assert!(!identifier.normalized.is_empty(), "{raw:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn eu_membership() {
        assert!(is_eu_member("GR"));
        assert!(!is_eu_member("EL"));
        assert!(!is_eu_member("GB"));
        assert!(!is_eu_member("se"));
        assert_eq!(EU_MEMBER_STATES.len(), 27);
    }
}
