//! The "Create a new operator" form as pure data: the raw strings a person typed, checked all
//! at once so that every problem is shown together (a person fixes them in one go), and turned
//! into clean values ready to store. The reference data (countries, activity types,
//! authorities) is consulted through [`ReferenceLookup`], which the HTTP layer implements over
//! the database. The first activity is checked by [`super::activity_form`], which also checks
//! an activity added later to an existing operator.
//!
//! Conventions: optional inputs are `Option<String>`, and blank counts as absent; text is
//! trimmed and its runs of white space collapsed to one space; each field gets at most one
//! error, named like the form's inputs (`addresses[0].city`, `first_activity.valid_from`).

use super::activity_form::{ActivityChecks, NewActivity, ValidActivity};
use super::address_form::check_addresses;
pub use super::address_form::{Coordinates, NewAddress, ValidAddress};
use super::identifiers::{Identifier, IdentifierKind, normalise_and_check};
use super::status::OrganisationType;

/// Operator names are 2 to this many characters.
pub const MAX_NAME_CHARS: usize = 200;
/// At most this many identifiers per operator.
pub const MAX_IDENTIFIERS: usize = 10;
/// The longest e-mail address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Every code a [`FieldError`] of the operator and activity forms can carry: the forms' own,
/// those of [`super::identifiers::IdentifierError`] and those of
/// [`super::validity::ValidityError`]. For a test that each has its translation.
pub const FIELD_ERROR_CODES: &[&str] = &[
    // Any field.
    "required",
    "too_short",
    "too_long",
    "invalid_characters",
    // Operator.
    "unknown_organisation_type",
    "not_an_operator_type",
    "unknown_country",
    "phone_not_international",
    "phone_invalid",
    "email_invalid",
    // Addresses.
    "at_least_one_address",
    "too_many_addresses",
    "coordinates_incomplete",
    "not_a_number",
    "latitude_out_of_range",
    "longitude_out_of_range",
    // Identifiers.
    "unknown_identifier_kind",
    "duplicate_identifier",
    "too_many_identifiers",
    "empty",
    "bad_format",
    "bad_checksum",
    "wrong_country",
    // Activity.
    "unknown_activity_type",
    "invalid_date_time",
    "invalid_date",
    "unknown_time_zone",
    "ends_before_start",
    "out_of_range",
    "unknown_address",
    "at_least_one_authority",
    "too_many_authorities",
    "unknown_authority",
    "duplicate_authority",
    "authority_other_country",
    "authority_lacks_competence",
];

/// One problem with one input of a form. `code` is stable, for translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input, as named in the form: `name`, `addresses[0].city`, `identifiers[1].value`,
    /// `first_activity.authority_codes[0]`.
    pub field: String,
    /// What is wrong, e.g. `required`, `authority_lacks_competence`.
    pub code: &'static str,
}

/// An activity type as the reference data describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityType {
    /// The section it belongs to (under a chapter).
    pub section_code: String,
    /// The competence an authority needs to be responsible for it, e.g. `plant_health`.
    pub competence_code: String,
}

/// The reference data a form is checked against; implemented over the database.
pub trait ReferenceLookup {
    /// Whether the country (upper-case ISO 3166-1 alpha-2) is known.
    fn country_exists(&self, code: &str) -> bool;
    /// The activity type with this code, if any.
    fn activity_type(&self, code: &str) -> Option<ActivityType>;
    /// The competences of the authority with this code; `None` if there is no such authority.
    fn authority_competences(&self, code: &str) -> Option<Vec<String>>;
    /// The country of the authority with this code; `None` if there is no such authority.
    fn authority_country(&self, code: &str) -> Option<String>;
}

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewOperator {
    /// An [`OrganisationType`] code; not `authority`.
    pub organisation_type: String,
    /// The operator's name.
    pub name: String,
    /// ISO 3166-1 alpha-2 code, any case.
    pub country_code: String,
    /// In international format: `+` and the country code.
    pub phone: Option<String>,
    /// A contact address.
    pub email: Option<String>,
    /// At least one.
    pub addresses: Vec<NewAddress>,
    /// Pairs of an [`IdentifierKind`] code and the value typed.
    pub identifiers: Vec<(String, String)>,
    /// The activity the operator is created with.
    pub first_activity: NewActivity,
}

/// The checked operator, ready to store (with status [`super::status::OperatorStatus::INITIAL`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOperator {
    /// Never [`OrganisationType::Authority`].
    pub organisation_type: OrganisationType,
    /// Trimmed, white space collapsed.
    pub name: String,
    /// Upper case.
    pub country_code: String,
    /// E.164, `+46701234567`.
    pub phone: Option<String>,
    /// Trimmed.
    pub email: Option<String>,
    /// In the order typed; activities refer to them by position.
    pub addresses: Vec<ValidAddress>,
    /// Checked and normalised, no two alike.
    pub identifiers: Vec<Identifier>,
    /// The first activity (with status [`super::status::ActivityStatus::INITIAL`]).
    pub first_activity: ValidActivity,
}

/// Checks the whole form against the reference data; every problem is reported.
pub fn validate(
    input: &NewOperator,
    known: &dyn ReferenceLookup,
) -> Result<ValidOperator, Vec<FieldError>> {
    let mut errors = FieldErrors::default();

    let organisation_type = organisation_type(&input.organisation_type)
        .map_err(|code| errors.add("organisation_type", code))
        .ok();
    let name = bounded_text(&input.name, 2, MAX_NAME_CHARS)
        .and_then(|name| name.ok_or("required"))
        .map_err(|code| errors.add("name", code))
        .ok();
    let country_code = country(&input.country_code, known)
        .map_err(|code| errors.add("country_code", code))
        .ok();
    let phone = optional(input.phone.as_deref())
        .map(normalise_phone)
        .transpose()
        .map_err(|code| errors.add("phone", code))
        .ok()
        .flatten();
    let email = optional(input.email.as_deref())
        .map(check_email)
        .transpose()
        .map_err(|code| errors.add("email", code))
        .ok()
        .flatten();
    let addresses = check_addresses(&input.addresses, &mut errors);
    // Identifiers are checked against the country as typed, even unknown: their own format
    // problems are worth reporting now.
    let identifier_country = input.country_code.trim().to_ascii_uppercase();
    let identifiers = identifiers(&input.identifiers, &identifier_country, &mut errors);
    let first_activity = ActivityChecks {
        field_prefix: "first_activity.",
        operator_country: country_code.as_deref(),
        // Without any address that error is already reported; do not repeat it here.
        address_count: (!input.addresses.is_empty()).then_some(input.addresses.len()),
    }
    .check(&input.first_activity, known, &mut errors);

    match (
        organisation_type,
        name,
        country_code,
        addresses,
        identifiers,
        first_activity,
    ) {
        (
            Some(organisation_type),
            Some(name),
            Some(country_code),
            Some(addresses),
            Some(identifiers),
            Some(first_activity),
        ) if errors.is_empty() => Ok(ValidOperator {
            organisation_type,
            name,
            country_code,
            phone,
            email,
            addresses,
            identifiers,
            first_activity,
        }),
        _ => Err(errors.into_vec()),
    }
}

/// The errors of one form, in the order of its inputs.
#[derive(Debug, Default)]
pub(super) struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub(super) fn add(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            code,
        });
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// Blank (or absent) counts as absent.
pub(super) fn optional(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|text| !text.is_empty())
}

/// Text trimmed and its white space collapsed; `Ok(None)` when blank, an error code when
/// shorter than `min` or longer than `max` characters, or holding control characters.
pub(super) fn bounded_text(
    raw: &str,
    min: usize,
    max: usize,
) -> Result<Option<String>, &'static str> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().any(char::is_control) {
        return Err("invalid_characters");
    }
    let length = text.chars().count();
    if length < min {
        return Err("too_short");
    }
    if length > max {
        return Err("too_long");
    }
    Ok(Some(text))
}

fn organisation_type(raw: &str) -> Result<OrganisationType, &'static str> {
    let code = raw.trim();
    if code.is_empty() {
        return Err("required");
    }
    let kind = OrganisationType::parse(code).map_err(|_| "unknown_organisation_type")?;
    if !kind.is_created_by_users() {
        return Err("not_an_operator_type");
    }
    Ok(kind)
}

fn country(raw: &str, known: &dyn ReferenceLookup) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("required");
    }
    let well_formed = code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase());
    if !well_formed || !known.country_exists(&code) {
        return Err("unknown_country");
    }
    Ok(code)
}

/// A phone number in international format, as E.164: `+`, then 7 to 15 digits, with spaces,
/// hyphens, dots or parentheses between them, and a number that exists in the country's
/// numbering plan (libphonenumber's data).
fn normalise_phone(typed: &str) -> Result<String, &'static str> {
    let Some(rest) = typed.strip_prefix('+') else {
        return Err("phone_not_international");
    };
    let separators_only = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if !separators_only || !(7..=16).contains(&digits) {
        return Err("phone_invalid");
    }
    let number = phonenumber::parse(None, typed).map_err(|_| "phone_invalid")?;
    if !phonenumber::is_valid(&number) {
        return Err("phone_invalid");
    }
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    let e164_digits = e164.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&e164_digits) {
        return Err("phone_invalid");
    }
    Ok(e164)
}

/// A contact e-mail address, kept as typed (trimmed). Quoted local parts and IP-literal
/// domains are valid in RFC 5322 but no one types them for a company: refused, as are
/// domains without a dot.
fn check_email(typed: &str) -> Result<String, &'static str> {
    let invalid = "email_invalid";
    if typed.chars().count() > MAX_EMAIL_CHARS
        || typed.chars().any(|c| c.is_whitespace() || c.is_control())
        || typed.contains(['"', '[', ']', '\\', '(', ')', ',', ';', '<', '>'])
    {
        return Err(invalid);
    }
    let Some((local, domain)) = typed.rsplit_once('@') else {
        return Err(invalid);
    };
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local.is_empty() || !domain_ok || !email_address::EmailAddress::is_valid(typed) {
        return Err(invalid);
    }
    Ok(typed.to_owned())
}

fn identifiers(
    inputs: &[(String, String)],
    country: &str,
    errors: &mut FieldErrors,
) -> Option<Vec<Identifier>> {
    if inputs.len() > MAX_IDENTIFIERS {
        errors.add("identifiers", "too_many_identifiers");
        return None;
    }
    let mut checked: Vec<Identifier> = Vec::with_capacity(inputs.len());
    let mut all_ok = true;
    for (index, (kind, raw)) in inputs.iter().enumerate() {
        let field = |part: &str| format!("identifiers[{index}].{part}");
        let Ok(kind) = IdentifierKind::parse(kind.trim()) else {
            errors.add(field("kind"), "unknown_identifier_kind");
            all_ok = false;
            continue;
        };
        match normalise_and_check(kind, country, raw) {
            Ok(identifier) => {
                let duplicate = checked
                    .iter()
                    .any(|other| other.kind == kind && other.normalized == identifier.normalized);
                if duplicate {
                    errors.add(field("value"), "duplicate_identifier");
                    all_ok = false;
                } else {
                    checked.push(identifier);
                }
            }
            Err(error) => {
                errors.add(field("value"), error.code());
                all_ok = false;
            }
        }
    }
    all_ok.then_some(checked)
}

/// Reference data for the tests of the forms: a few countries, activity types and
/// authorities, as the reference files describe them.
#[cfg(test)]
pub(super) mod testing {
    use super::{ActivityType, ReferenceLookup};

    pub(in crate::domain) struct Reference;

    const AUTHORITIES: &[(&str, &str, &[&str])] = &[
        ("SE-BCP-ARN", "SE", &["plant_health", "animal_health"]),
        ("SE-SJV", "SE", &["plant_health"]),
        ("SE-SLV", "SE", &["food", "feed"]),
        ("SE-BCP-GOT", "SE", &["plant_health", "food"]),
        ("SE-BCP-HEL", "SE", &["plant_health"]),
        ("SE-BCP-MMA", "SE", &["plant_health"]),
        ("DE-BCP-FRA", "DE", &["plant_health"]),
    ];

    impl ReferenceLookup for Reference {
        fn country_exists(&self, code: &str) -> bool {
            ["SE", "DE", "FR", "GR", "NO"].contains(&code)
        }

        fn activity_type(&self, code: &str) -> Option<ActivityType> {
            let (section, competence) = match code {
                "EURPO" | "EUPO" => ("PH-IMP", "plant_health"),
                "RFL" => ("RFL", "plant_health"),
                "FNAO-IMP" => ("FNAO", "food"),
                _ => return None,
            };
            Some(ActivityType {
                section_code: section.to_owned(),
                competence_code: competence.to_owned(),
            })
        }

        fn authority_competences(&self, code: &str) -> Option<Vec<String>> {
            AUTHORITIES
                .iter()
                .find(|(c, _, _)| *c == code)
                .map(|(_, _, competences)| competences.iter().map(|c| (*c).to_owned()).collect())
        }

        fn authority_country(&self, code: &str) -> Option<String> {
            AUTHORITIES
                .iter()
                .find(|(c, _, _)| *c == code)
                .map(|(_, country, _)| (*country).to_owned())
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::testing::Reference;
    use super::*;
    use time::macros::datetime;

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    /// The seed's Swedish importer, as a person fills the form in.
    fn importer() -> NewOperator {
        NewOperator {
            organisation_type: "operator".into(),
            name: "  Fruktimport   Norden AB ".into(),
            country_code: "se".into(),
            phone: some("+46 70 123 45 67"),
            email: some(" info@fruktimport.se "),
            addresses: vec![NewAddress {
                region: some("Stockholms län"),
                city: "Stockholm".into(),
                address: "Sveavägen 1".into(),
                postal_code: some("111 57"),
                latitude: some("59.3326"),
                longitude: some("18,0649"),
            }],
            identifiers: vec![("national_register".into(), "556012-5790".into())],
            first_activity: NewActivity {
                activity_code: "EURPO".into(),
                identifier: some("556012-5790"),
                valid_from: some("2026-05-01T08:00"),
                valid_to: None,
                time_zone: "Europe/Stockholm".into(),
                publication_date: None,
                application_date: some("2026-04-20"),
                address_index: "0".into(),
                authority_codes: vec!["SE-BCP-ARN".into()],
            },
        }
    }

    fn errors_of(input: &NewOperator) -> Vec<(String, &'static str)> {
        match validate(input, &Reference) {
            Ok(valid) => panic!("accepted: {valid:?}"),
            Err(errors) => errors.into_iter().map(listed).collect(),
        }
    }

    /// A field error as a pair, checked to be one of the listed codes.
    pub(in crate::domain) fn listed(error: FieldError) -> (String, &'static str) {
        assert!(FIELD_ERROR_CODES.contains(&error.code), "{error:?}");
        (error.field, error.code)
    }

    #[test]
    fn the_listed_codes_include_those_of_identifiers_and_validity() {
        for error in super::super::identifiers::IdentifierError::ALL {
            assert!(FIELD_ERROR_CODES.contains(&error.code()), "{error:?}");
        }
        for error in super::super::validity::ValidityError::ALL {
            assert!(FIELD_ERROR_CODES.contains(&error.code()), "{error:?}");
        }
        let mut unique = FIELD_ERROR_CODES.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), FIELD_ERROR_CODES.len());
    }

    fn error(field: &str, code: &'static str) -> (String, &'static str) {
        (field.to_owned(), code)
    }

    #[test]
    fn a_complete_form_gives_clean_values() {
        let valid = validate(&importer(), &Reference).unwrap();
        assert_eq!(valid.organisation_type, OrganisationType::Operator);
        assert_eq!(valid.name, "Fruktimport Norden AB");
        assert_eq!(valid.country_code, "SE");
        assert_eq!(valid.phone.as_deref(), Some("+46701234567"));
        assert_eq!(valid.email.as_deref(), Some("info@fruktimport.se"));
        assert_eq!(
            valid.addresses,
            [ValidAddress {
                region: some("Stockholms län"),
                city: "Stockholm".into(),
                address: "Sveavägen 1".into(),
                postal_code: some("111 57"),
                coordinates: Some(Coordinates {
                    latitude: 59.3326,
                    longitude: 18.0649
                }),
            }]
        );
        assert_eq!(valid.identifiers.len(), 1);
        assert_eq!(valid.identifiers[0].normalized, "556012-5790");
        let activity = &valid.first_activity;
        assert_eq!(activity.activity_code, "EURPO");
        assert_eq!(activity.section_code, "PH-IMP");
        assert_eq!(activity.competence_code, "plant_health");
        assert_eq!(
            activity.validity.valid_from,
            Some(datetime!(2026-05-01 06:00 UTC))
        );
        assert_eq!(activity.validity.time_zone, "Europe/Stockholm");
        assert_eq!(
            activity.application_date,
            Some(time::macros::date!(2026 - 04 - 20))
        );
        assert_eq!(activity.address_index, 0);
        assert_eq!(activity.authority_codes, ["SE-BCP-ARN"]);
    }

    #[test]
    fn the_smallest_form_is_enough() {
        let mut input = importer();
        input.phone = None;
        input.email = some("   ");
        input.identifiers.clear();
        input.addresses[0] = NewAddress {
            city: "Kiruna".into(),
            address: "Box 1".into(),
            region: some(""),
            ..NewAddress::default()
        };
        input.first_activity.valid_from = None;
        input.first_activity.identifier = None;
        input.first_activity.application_date = None;
        let valid = validate(&input, &Reference).unwrap();
        assert_eq!(valid.phone, None);
        assert_eq!(valid.email, None);
        assert_eq!(valid.addresses[0].region, None);
        assert_eq!(valid.addresses[0].coordinates, None);
        assert!(valid.identifiers.is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = NewOperator {
            organisation_type: String::new(),
            name: "X".into(),
            country_code: "Sweden".into(),
            phone: some("070-123 45 67"),
            email: some("info@"),
            addresses: vec![NewAddress::default()],
            identifiers: vec![("vat".into(), "DE118619592".into())],
            first_activity: NewActivity::default(),
        };
        assert_eq!(
            errors_of(&input),
            [
                error("organisation_type", "required"),
                error("name", "too_short"),
                error("country_code", "unknown_country"),
                error("phone", "phone_not_international"),
                error("email", "email_invalid"),
                error("addresses[0].city", "required"),
                error("addresses[0].address", "required"),
                error("first_activity.activity_code", "required"),
                error("first_activity.time_zone", "unknown_time_zone"),
                error("first_activity.address_index", "required"),
                error("first_activity.authority_codes", "at_least_one_authority"),
            ]
        );
    }

    #[test]
    fn organisation_types_are_those_users_create() {
        let mut input = importer();
        for code in [
            "organic_control_body",
            "appointed_veterinary_office",
            "other_body",
        ] {
            input.organisation_type = code.into();
            assert!(validate(&input, &Reference).is_ok(), "{code}");
        }
        input.organisation_type = "authority".into();
        assert_eq!(
            errors_of(&input),
            [error("organisation_type", "not_an_operator_type")]
        );
        input.organisation_type = "Operator".into();
        assert_eq!(
            errors_of(&input),
            [error("organisation_type", "unknown_organisation_type")]
        );
    }

    #[test]
    fn names_are_two_to_two_hundred_characters() {
        let mut input = importer();
        input.name = "Ab".into();
        assert!(validate(&input, &Reference).is_ok());
        input.name = "Å".repeat(MAX_NAME_CHARS);
        assert!(validate(&input, &Reference).is_ok());
        input.name = "Å".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(errors_of(&input), [error("name", "too_long")]);
        input.name = " A ".into();
        assert_eq!(errors_of(&input), [error("name", "too_short")]);
        input.name = " \n ".into();
        assert_eq!(errors_of(&input), [error("name", "required")]);
        input.name = "Acme\u{0}AB".into();
        assert_eq!(errors_of(&input), [error("name", "invalid_characters")]);
        // A line break is white space, collapsed like the others.
        input.name = "Acme\r\nAB".into();
        assert_eq!(validate(&input, &Reference).unwrap().name, "Acme AB");
    }

    #[test]
    fn the_country_must_be_known() {
        let mut input = importer();
        input.country_code = "XX".into();
        let errors = errors_of(&input);
        assert!(errors.contains(&error("country_code", "unknown_country")));
        // Authorities are not compared with a country that does not exist.
        assert!(
            !errors
                .iter()
                .any(|(_, code)| *code == "authority_other_country")
        );
        input.country_code = " ".into();
        assert!(errors_of(&input).contains(&error("country_code", "required")));
        input.country_code = "S".into();
        assert!(errors_of(&input).contains(&error("country_code", "unknown_country")));
    }

    #[test]
    fn phone_numbers_are_international_and_real() {
        let mut input = importer();
        let phone_of = |input: &NewOperator| validate(input, &Reference).map(|v| v.phone);
        input.phone = some(" +46 (0)8-123 456 78 ");
        assert_eq!(phone_of(&input), Ok(some("+46812345678")));
        input.phone = some("+33 6 12 34 56 78");
        assert_eq!(phone_of(&input), Ok(some("+33612345678")));
        input.phone = some("");
        assert_eq!(phone_of(&input), Ok(None));
        for (typed, code) in [
            ("0046 70 123 45 67", "phone_not_international"),
            ("46701234567", "phone_not_international"),
            ("+46 1", "phone_invalid"),
            ("+999 123456789", "phone_invalid"),
            ("+46 70 123 45 67 ext. 2", "phone_invalid"),
            ("+46 70 123 45 67 890 123 45", "phone_invalid"),
            ("++46701234567", "phone_invalid"),
        ] {
            input.phone = some(typed);
            assert_eq!(errors_of(&input), [error("phone", code)], "{typed}");
        }
    }

    /// The phone parser of libphonenumber has panicked on odd input in the past; what reaches
    /// it here is only `+`, digits and a few separators: thousands of such inputs, none panics.
    #[test]
    fn odd_phone_numbers_are_refused_without_panicking() {
        const PIECES: &[&str] = &[
            "+", "0", "1", "3", "4", "6", "9", " ", "-", ".", "(", ")", "00",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let length = 1 + (next() % 24) as usize;
            let typed: String = std::iter::once("+")
                .chain((0..length).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]))
                .collect();
            if let Ok(e164) = normalise_phone(&typed) {
                assert!(e164.starts_with('+'), "{typed:?} → {e164}");
            }
        }
    }

    #[test]
    fn email_addresses_must_be_plausible() {
        let mut input = importer();
        input.email = some("Import.Desk+cheds@Fruktimport.se");
        assert_eq!(
            validate(&input, &Reference).unwrap().email,
            some("Import.Desk+cheds@Fruktimport.se")
        );
        for typed in [
            "info",
            "info@localhost",
            "@fruktimport.se",
            "info@fruktimport..se",
            "info@-fruktimport.se",
            "\"info\"@fruktimport.se",
            "info@[127.0.0.1]",
            "in fo@fruktimport.se",
            "info@fruktimport.se, sales@fruktimport.se",
        ] {
            input.email = some(typed);
            assert_eq!(
                errors_of(&input),
                [error("email", "email_invalid")],
                "{typed}"
            );
        }
        let long_local = "a".repeat(64);
        input.email = some(&format!("{long_local}@{}.se", "b".repeat(63)));
        assert!(validate(&input, &Reference).is_ok());
        input.email = some(&format!("a@{}.se", vec!["b".repeat(60); 5].join(".")));
        assert_eq!(errors_of(&input), [error("email", "email_invalid")]);
    }

    #[test]
    fn identifiers_are_checked_for_the_operators_country_and_not_repeated() {
        let mut input = importer();
        input.identifiers = vec![
            ("national_register".into(), "556012-5790".into()),
            ("vat".into(), "SE 5560125790 01".into()),
            ("eori".into(), "SE5560125790".into()),
            ("national_register".into(), "5560125790".into()),
            ("vat".into(), "DE118619592".into()),
            ("eori".into(), "".into()),
            ("national_register".into(), "556012-5791".into()),
            ("passport".into(), "X".into()),
            ("other".into(), "556012-5790".into()),
        ];
        assert_eq!(
            errors_of(&input),
            [
                error("identifiers[3].value", "duplicate_identifier"),
                error("identifiers[4].value", "wrong_country"),
                error("identifiers[5].value", "empty"),
                error("identifiers[6].value", "bad_checksum"),
                error("identifiers[7].kind", "unknown_identifier_kind"),
            ]
        );
        input.identifiers = vec![("other".into(), "1".into()); MAX_IDENTIFIERS + 1];
        assert_eq!(
            errors_of(&input),
            [error("identifiers", "too_many_identifiers")]
        );
        input.identifiers = vec![("vat".into(), "EL094501040".into())];
        input.country_code = "GR".into();
        input.first_activity.authority_codes = vec![];
        let errors = errors_of(&input);
        assert!(
            !errors
                .iter()
                .any(|(field, _)| field.starts_with("identifiers"))
        );
    }

    #[test]
    fn field_errors_carry_the_first_activity_prefix() {
        let mut input = importer();
        input.first_activity.valid_to = some("2026-04-01");
        input.first_activity.authority_codes = vec!["DE-BCP-FRA".into()];
        assert_eq!(
            errors_of(&input),
            [
                error("first_activity.valid_to", "ends_before_start"),
                error(
                    "first_activity.authority_codes[0]",
                    "authority_other_country"
                ),
            ]
        );
        input = importer();
        input.first_activity.address_index = "1".into();
        assert_eq!(
            errors_of(&input),
            [error("first_activity.address_index", "unknown_address")]
        );
    }
}
