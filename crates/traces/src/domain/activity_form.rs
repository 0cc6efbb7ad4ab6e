//! The activity part of the operator form ("Chapter or activity", "Activity details",
//! "Activity Address", "Assigned responsible authorities"), checked the same way for the first
//! activity of a new operator and for one added later to an existing operator: the activity
//! type exists, the validity period is sound in its time zone (see [`super::validity`]), the
//! dates are dates, the address is one of the operator's, and from one to
//! [`MAX_AUTHORITIES`] responsible authorities exist, are in the operator's country and have
//! the competence the activity type requires.

use super::operator_form::{FieldError, FieldErrors, ReferenceLookup, bounded_text, optional};
use super::validity::{ValidityField, ValidityPeriod, parse_plain_date, validity_period};
use time::Date;

/// At most this many responsible authorities per activity.
pub const MAX_AUTHORITIES: usize = 5;

const MAX_ACTIVITY_IDENTIFIER_CHARS: usize = 100;

/// An activity as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewActivity {
    /// The activity type code, e.g. `EURPO`, `RFL`.
    pub activity_code: String,
    /// The operator's identifier for this activity (e.g. the organisation number); optional.
    pub identifier: Option<String>,
    /// Local date-time `YYYY-MM-DDTHH:MM` or date `YYYY-MM-DD`; blank for open.
    pub valid_from: Option<String>,
    /// Same shape as `valid_from`; blank for open.
    pub valid_to: Option<String>,
    /// IANA name of the zone the dates are meant in, e.g. `Europe/Stockholm`.
    pub time_zone: String,
    /// `YYYY-MM-DD`; optional.
    pub publication_date: Option<String>,
    /// `YYYY-MM-DD`; optional.
    pub application_date: Option<String>,
    /// The position (from 0) of the operator's address this activity is carried out at.
    pub address_index: String,
    /// The codes of the responsible authorities; blank entries are ignored.
    pub authority_codes: Vec<String>,
}

/// A checked activity, ready to store (with status [`super::status::ActivityStatus::INITIAL`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidActivity {
    /// The activity type code, trimmed.
    pub activity_code: String,
    /// Its section, from the reference data.
    pub section_code: String,
    /// The competence its authorities need, from the reference data.
    pub competence_code: String,
    /// Trimmed, white space collapsed.
    pub identifier: Option<String>,
    /// In UTC, with the zone it was entered in.
    pub validity: ValidityPeriod,
    /// Publication date.
    pub publication_date: Option<Date>,
    /// Application date.
    pub application_date: Option<Date>,
    /// The position of the operator's address.
    pub address_index: usize,
    /// Trimmed, distinct, in the order given.
    pub authority_codes: Vec<String>,
}

/// The operator an activity is added to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExistingOperator<'a> {
    /// Its country (upper case); its authorities must be of the same country.
    pub country_code: &'a str,
    /// How many addresses it has; the activity refers to one by position.
    pub address_count: usize,
}

/// Checks an activity added to an existing operator; every problem is reported, with the
/// input names of the activity form (`valid_from`, `authority_codes[1]`).
pub fn validate_new_activity(
    input: &NewActivity,
    operator: &ExistingOperator<'_>,
    known: &dyn ReferenceLookup,
) -> Result<ValidActivity, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let checked = ActivityChecks {
        field_prefix: "",
        operator_country: Some(operator.country_code),
        address_count: Some(operator.address_count),
    }
    .check(input, known, &mut errors);
    match checked {
        Some(activity) if errors.is_empty() => Ok(activity),
        _ => Err(errors.into_vec()),
    }
}

/// What an activity is checked against, besides the reference data.
pub(super) struct ActivityChecks<'a> {
    /// Put before each input name: `first_activity.` in the operator form.
    pub(super) field_prefix: &'a str,
    /// The operator's country, if known to be valid; authorities are checked against it.
    pub(super) operator_country: Option<&'a str>,
    /// How many addresses the operator has; `None` to skip the address check (when the
    /// operator form already reports that there is no address).
    pub(super) address_count: Option<usize>,
}

impl ActivityChecks<'_> {
    /// Adds every problem to `errors`; the activity when there is none.
    pub(super) fn check(
        &self,
        input: &NewActivity,
        known: &dyn ReferenceLookup,
        errors: &mut FieldErrors,
    ) -> Option<ValidActivity> {
        let field = |name: &str| format!("{}{name}", self.field_prefix);

        let activity_code = input.activity_code.trim();
        let activity_type = if activity_code.is_empty() {
            errors.add(field("activity_code"), "required");
            None
        } else {
            let found = known.activity_type(activity_code);
            if found.is_none() {
                errors.add(field("activity_code"), "unknown_activity_type");
            }
            found
        };

        let identifier = bounded_text(
            input.identifier.as_deref().unwrap_or_default(),
            1,
            MAX_ACTIVITY_IDENTIFIER_CHARS,
        )
        .map_err(|code| errors.add(field("identifier"), code));

        let validity = validity_period(
            input.valid_from.as_deref(),
            input.valid_to.as_deref(),
            &input.time_zone,
        )
        .map_err(|problems| {
            for problem in problems {
                let name = match problem.field {
                    ValidityField::ValidFrom => "valid_from",
                    ValidityField::ValidTo => "valid_to",
                    ValidityField::TimeZone => "time_zone",
                };
                errors.add(field(name), problem.error.code());
            }
        });

        let mut plain_date = |name: &str, raw: Option<&str>| {
            optional(raw)
                .map(parse_plain_date)
                .transpose()
                .map_err(|error| errors.add(field(name), error.code()))
        };
        let publication_date = plain_date("publication_date", input.publication_date.as_deref());
        let application_date = plain_date("application_date", input.application_date.as_deref());

        let address_index = self.address_index(&input.address_index, &field, errors);
        let authority_codes = self.authorities(
            &input.authority_codes,
            activity_type.as_ref().map(|t| t.competence_code.as_str()),
            known,
            &field,
            errors,
        );

        let activity_type = activity_type?;
        Some(ValidActivity {
            activity_code: activity_code.to_owned(),
            section_code: activity_type.section_code,
            competence_code: activity_type.competence_code,
            identifier: identifier.ok()?,
            validity: validity.ok()?,
            publication_date: publication_date.ok()?,
            application_date: application_date.ok()?,
            address_index: address_index?,
            authority_codes: authority_codes?,
        })
    }

    fn address_index(
        &self,
        raw: &str,
        field: &dyn Fn(&str) -> String,
        errors: &mut FieldErrors,
    ) -> Option<usize> {
        let raw = raw.trim();
        if raw.is_empty() {
            errors.add(field("address_index"), "required");
            return None;
        }
        let count = self.address_count?;
        let index = raw.parse::<usize>().ok().filter(|index| *index < count);
        if index.is_none() {
            errors.add(field("address_index"), "unknown_address");
        }
        index
    }

    /// The responsible authorities, each at most one error: unknown, then of another
    /// country, then lacking the competence.
    fn authorities(
        &self,
        raw_codes: &[String],
        required_competence: Option<&str>,
        known: &dyn ReferenceLookup,
        field: &dyn Fn(&str) -> String,
        errors: &mut FieldErrors,
    ) -> Option<Vec<String>> {
        let given: Vec<(usize, &str)> = raw_codes
            .iter()
            .map(|code| code.trim())
            .enumerate()
            .filter(|(_, code)| !code.is_empty())
            .collect();
        let mut all_ok = true;
        if given.is_empty() {
            errors.add(field("authority_codes"), "at_least_one_authority");
            return None;
        }
        if given.len() > MAX_AUTHORITIES {
            errors.add(field("authority_codes"), "too_many_authorities");
            all_ok = false;
        }
        let mut accepted: Vec<String> = Vec::with_capacity(given.len());
        for (index, code) in given {
            let problem = if accepted.iter().any(|seen| seen == code) {
                Some("duplicate_authority")
            } else {
                self.authority_problem(code, required_competence, known)
            };
            match problem {
                Some(problem) => {
                    errors.add(field(&format!("authority_codes[{index}]")), problem);
                    all_ok = false;
                }
                None => accepted.push(code.to_owned()),
            }
        }
        all_ok.then_some(accepted)
    }

    fn authority_problem(
        &self,
        code: &str,
        required_competence: Option<&str>,
        known: &dyn ReferenceLookup,
    ) -> Option<&'static str> {
        let Some(competences) = known.authority_competences(code) else {
            return Some("unknown_authority");
        };
        if let Some(country) = self.operator_country
            && known.authority_country(code).as_deref() != Some(country)
        {
            return Some("authority_other_country");
        }
        if let Some(required) = required_competence
            && !competences.iter().any(|competence| competence == required)
        {
            return Some("authority_lacks_competence");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::operator_form::testing::Reference;
    use super::super::operator_form::tests::listed;
    use super::*;
    use time::macros::{date, datetime};

    const OPERATOR: ExistingOperator<'static> = ExistingOperator {
        country_code: "SE",
        address_count: 2,
    };

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    /// The seed's agent: responsible for the load, assigned to the BCP at Stockholm Arlanda.
    fn agent_activity() -> NewActivity {
        NewActivity {
            activity_code: " RFL ".into(),
            identifier: some("556012-5790"),
            valid_from: some("2026-05-01"),
            valid_to: some("2027-04-30"),
            time_zone: "Europe/Stockholm".into(),
            publication_date: some("2026-04-15"),
            application_date: some("2026-04-10"),
            address_index: "1".into(),
            authority_codes: vec!["SE-BCP-ARN".into()],
        }
    }

    fn errors_of(input: &NewActivity) -> Vec<(String, &'static str)> {
        match validate_new_activity(input, &OPERATOR, &Reference) {
            Ok(valid) => panic!("accepted: {valid:?}"),
            Err(errors) => errors.into_iter().map(listed).collect(),
        }
    }

    fn error(field: &str, code: &'static str) -> (String, &'static str) {
        (field.to_owned(), code)
    }

    #[test]
    fn an_activity_for_an_existing_operator() {
        let valid = validate_new_activity(&agent_activity(), &OPERATOR, &Reference).unwrap();
        assert_eq!(
            valid,
            ValidActivity {
                activity_code: "RFL".into(),
                section_code: "RFL".into(),
                competence_code: "plant_health".into(),
                identifier: some("556012-5790"),
                validity: ValidityPeriod {
                    valid_from: Some(datetime!(2026-04-30 22:00 UTC)),
                    valid_to: Some(datetime!(2027-04-30 22:00 UTC)),
                    time_zone: "Europe/Stockholm".into(),
                },
                publication_date: Some(date!(2026 - 04 - 15)),
                application_date: Some(date!(2026 - 04 - 10)),
                address_index: 1,
                authority_codes: vec!["SE-BCP-ARN".into()],
            }
        );
    }

    #[test]
    fn every_input_is_checked_with_its_own_name() {
        let input = NewActivity {
            activity_code: "EURPO".into(),
            identifier: some(&"x".repeat(101)),
            valid_from: some("01/05/2026"),
            valid_to: some("2026-05-01T25:00"),
            time_zone: "Europe/Stockholm".into(),
            publication_date: some("2026-02-30"),
            application_date: some("yesterday"),
            address_index: "2".into(),
            authority_codes: vec!["SE-SLV".into()],
        };
        assert_eq!(
            errors_of(&input),
            [
                error("identifier", "too_long"),
                error("valid_from", "invalid_date_time"),
                error("valid_to", "invalid_date_time"),
                error("publication_date", "invalid_date"),
                error("application_date", "invalid_date"),
                error("address_index", "unknown_address"),
                error("authority_codes[0]", "authority_lacks_competence"),
            ]
        );
    }

    #[test]
    fn the_activity_type_must_exist() {
        let mut input = agent_activity();
        input.activity_code = "XYZ".into();
        // Without a type there is no competence to require: the authority is not blamed.
        assert_eq!(
            errors_of(&input),
            [error("activity_code", "unknown_activity_type")]
        );
        input.activity_code = "rfl".into();
        assert_eq!(
            errors_of(&input),
            [error("activity_code", "unknown_activity_type")]
        );
        input.activity_code = "  ".into();
        assert_eq!(errors_of(&input), [error("activity_code", "required")]);
    }

    #[test]
    fn the_address_is_one_of_the_operators() {
        let mut input = agent_activity();
        for index in ["0", " 1 "] {
            input.address_index = index.into();
            assert!(validate_new_activity(&input, &OPERATOR, &Reference).is_ok());
        }
        for index in ["2", "-1", "one", "1.0", "99999999999999999999999"] {
            input.address_index = index.into();
            assert_eq!(
                errors_of(&input),
                [error("address_index", "unknown_address")],
                "{index}"
            );
        }
        input.address_index = String::new();
        assert_eq!(errors_of(&input), [error("address_index", "required")]);
        let no_address = ExistingOperator {
            address_count: 0,
            ..OPERATOR
        };
        input.address_index = "0".into();
        assert!(validate_new_activity(&input, &no_address, &Reference).is_err());
    }

    #[test]
    fn authorities_have_the_competence_the_activity_type_requires() {
        let mut input = agent_activity();
        input.activity_code = "FNAO-IMP".into();
        input.authority_codes = vec!["SE-BCP-GOT".into(), "SE-SLV".into()];
        assert!(validate_new_activity(&input, &OPERATOR, &Reference).is_ok());
        input.authority_codes = vec!["SE-BCP-GOT".into(), "SE-BCP-HEL".into()];
        assert_eq!(
            errors_of(&input),
            [error("authority_codes[1]", "authority_lacks_competence")]
        );
    }

    #[test]
    fn authorities_exist_in_the_operators_country_once_each() {
        let mut input = agent_activity();
        input.authority_codes = vec![
            "".into(),
            "SE-BCP-ARN".into(),
            " SE-BCP-ARN ".into(),
            "NOPE".into(),
            "DE-BCP-FRA".into(),
            "SE-SLV".into(),
        ];
        assert_eq!(
            errors_of(&input),
            [
                error("authority_codes[2]", "duplicate_authority"),
                error("authority_codes[3]", "unknown_authority"),
                error("authority_codes[4]", "authority_other_country"),
                error("authority_codes[5]", "authority_lacks_competence"),
            ]
        );
    }

    #[test]
    fn one_to_five_authorities() {
        let mut input = agent_activity();
        input.authority_codes = vec![" ".into(), String::new()];
        assert_eq!(
            errors_of(&input),
            [error("authority_codes", "at_least_one_authority")]
        );
        let five = [
            "SE-BCP-ARN",
            "SE-SJV",
            "SE-BCP-GOT",
            "SE-BCP-HEL",
            "SE-BCP-MMA",
        ];
        input.authority_codes = five.iter().map(|c| (*c).to_owned()).collect();
        let valid = validate_new_activity(&input, &OPERATOR, &Reference).unwrap();
        assert_eq!(valid.authority_codes, five);
        input.authority_codes.push("DE-BCP-FRA".into());
        assert_eq!(
            errors_of(&input),
            [
                error("authority_codes", "too_many_authorities"),
                error("authority_codes[5]", "authority_other_country"),
            ]
        );
    }

    #[test]
    fn validity_problems_are_named_after_their_inputs() {
        let mut input = agent_activity();
        input.time_zone = "Stockholm".into();
        assert_eq!(errors_of(&input), [error("time_zone", "unknown_time_zone")]);
        input.time_zone = "Europe/Stockholm".into();
        input.valid_to = some("2026-04-30");
        assert_eq!(errors_of(&input), [error("valid_to", "ends_before_start")]);
        input.valid_to = some("9999-12-31");
        assert_eq!(errors_of(&input), [error("valid_to", "out_of_range")]);
    }
}
