//! Reading the "Create a new operator" and "Add an activity" forms into the domain's raw
//! input, and the reference lookups they are checked against (preloaded from the database, so
//! the checks themselves stay pure).

use crate::domain::activity_form::NewActivity;
use crate::domain::operator_form::{ActivityType, NewAddress, NewOperator, ReferenceLookup};
use crate::http::forms::FormFields;
use crate::store::reference;
use infra::db::AnyConnection;
use std::collections::{HashMap, HashSet};

/// At most this many address and identifier rows on the form.
pub const MAX_ROWS: usize = 10;

/// How many rows of `name` the form shows: the count it carries, plus one when "+ Add" was
/// pressed, at least one.
pub fn row_count(form: &FormFields, name: &str, add_step: &str) -> usize {
    let count = form
        .get(name)
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, MAX_ROWS);
    if form.get("step") == add_step {
        (count + 1).min(MAX_ROWS)
    } else {
        count
    }
}

pub fn address_rows(form: &FormFields) -> Vec<NewAddress> {
    (0..row_count(form, "addresses", "add_address"))
        .map(|i| NewAddress {
            region: form.optional(&format!("address_{i}_region")),
            city: form.get(&format!("address_{i}_city")).to_owned(),
            address: form.get(&format!("address_{i}_address")).to_owned(),
            postal_code: form.optional(&format!("address_{i}_postal_code")),
            latitude: form.optional(&format!("address_{i}_latitude")),
            longitude: form.optional(&format!("address_{i}_longitude")),
        })
        .collect()
}

/// Identifier rows; a row with neither kind nor value is ignored.
pub fn identifier_rows(form: &FormFields) -> Vec<(String, String)> {
    (0..row_count(form, "identifiers", "add_identifier"))
        .map(|i| {
            (
                form.get(&format!("identifier_{i}_kind")).to_owned(),
                form.get(&format!("identifier_{i}_value")).to_owned(),
            )
        })
        .collect()
}

pub fn activity_input(form: &FormFields) -> NewActivity {
    NewActivity {
        activity_code: form.get("activity_code").to_owned(),
        identifier: form.optional("activity_identifier"),
        valid_from: form.optional("valid_from"),
        valid_to: form.optional("valid_to"),
        time_zone: form.get("time_zone").to_owned(),
        publication_date: form.optional("publication_date"),
        application_date: form.optional("application_date"),
        address_index: form.get("activity_address").to_owned(),
        authority_codes: form.all("authority"),
    }
}

pub fn operator_input(form: &FormFields) -> NewOperator {
    let identifiers = identifier_rows(form)
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
    NewOperator {
        organisation_type: form.get("organisation_type").to_owned(),
        name: form.get("name").to_owned(),
        country_code: form.get("country").to_uppercase(),
        phone: form.optional("phone"),
        email: form.optional("email"),
        addresses: address_rows(form),
        identifiers,
        first_activity: activity_input(form),
    }
}

/// The reference data a form needs, read once.
#[derive(Debug, Default)]
pub struct Preloaded {
    countries: HashSet<String>,
    activity_types: HashMap<String, ActivityType>,
    authorities: HashMap<String, (String, Vec<String>)>,
}

impl Preloaded {
    /// Loads the countries, the chosen activity type and the chosen authorities.
    pub fn load(
        conn: &mut AnyConnection,
        activity_code: &str,
        authority_codes: &[String],
    ) -> diesel::QueryResult<Preloaded> {
        let countries = reference::countries(conn)?
            .into_iter()
            .map(|c| c.code)
            .collect();
        let mut activity_types = HashMap::new();
        if let Some(t) = reference::activity_type(conn, activity_code)? {
            activity_types.insert(
                t.code.clone(),
                ActivityType {
                    section_code: t.section_code,
                    competence_code: t.competence_code,
                },
            );
        }
        let mut authorities = HashMap::new();
        for code in authority_codes.iter().take(MAX_ROWS) {
            if let Some(a) = reference::authority(conn, code)? {
                authorities.insert(
                    a.code.clone(),
                    (
                        a.country_code,
                        a.competences.into_iter().map(|(c, _)| c).collect(),
                    ),
                );
            }
        }
        Ok(Preloaded {
            countries,
            activity_types,
            authorities,
        })
    }
}

impl ReferenceLookup for Preloaded {
    fn country_exists(&self, code: &str) -> bool {
        self.countries.contains(code)
    }

    fn activity_type(&self, code: &str) -> Option<ActivityType> {
        self.activity_types.get(code).cloned()
    }

    fn authority_competences(&self, code: &str) -> Option<Vec<String>> {
        self.authorities.get(code).map(|(_, c)| c.clone())
    }

    fn authority_country(&self, code: &str) -> Option<String> {
        self.authorities
            .get(code)
            .map(|(country, _)| country.clone())
    }
}

/// The time zones offered for validity periods: those of the EU member states, and UTC.
pub const TIME_ZONES: &[&str] = &[
    "Asia/Nicosia",
    "Europe/Amsterdam",
    "Europe/Athens",
    "Europe/Berlin",
    "Europe/Bratislava",
    "Europe/Brussels",
    "Europe/Bucharest",
    "Europe/Budapest",
    "Europe/Copenhagen",
    "Europe/Dublin",
    "Europe/Helsinki",
    "Europe/Lisbon",
    "Europe/Ljubljana",
    "Europe/Luxembourg",
    "Europe/Madrid",
    "Europe/Malta",
    "Europe/Paris",
    "Europe/Prague",
    "Europe/Riga",
    "Europe/Rome",
    "Europe/Sofia",
    "Europe/Stockholm",
    "Europe/Tallinn",
    "Europe/Vienna",
    "Europe/Vilnius",
    "Europe/Warsaw",
    "Europe/Zagreb",
    "UTC",
];

/// The zone a new form starts with (the validity period's zone is chosen on the form).
pub const DEFAULT_TIME_ZONE: &str = "Europe/Brussels";
