//! The activity part of two forms, "Create a new operator" and "Add an activity": chapter,
//! section and activity type, identifier, validity period in a time zone, the activity's
//! address, and the responsible authorities found by a search limited to the operator's
//! country and the competence the activity type needs. Both pages include
//! `activity_fields.html` with an [`ActivityPart`], and their reviews `activity_summary.html`
//! with an [`ActivitySummary`], so the two forms cannot drift apart.

use crate::domain::activity_form::ValidActivity;
use crate::http::display;
use crate::http::forms::FormFields;
use crate::http::operator_form_input::{MAX_ROWS, TIME_ZONES};
use crate::store::activities::NewActivityRecord;
use crate::store::reference::{self, AuthoritySearch, AuthoritySummary, Taxonomy};
use infra::db::AnyConnection;

/// How many authorities a search shows.
const AUTHORITY_SEARCH_LIMIT: i64 = 30;

/// What the activity part reads from the reference data for one rendering, taken from the
/// form: the search ("Search responsible authorities" pressed) and the authorities chosen.
#[derive(Debug, Clone)]
pub struct AuthorityQuery {
    searched: bool,
    country: String,
    activity_code: String,
    text: Option<String>,
    chosen_codes: Vec<String>,
}

impl AuthorityQuery {
    /// The query of `form`, for an operator of `country` (authorities must be of it).
    pub fn from_form(form: &FormFields, country: &str) -> AuthorityQuery {
        AuthorityQuery {
            searched: form.get("step") == "search_authorities",
            country: country.trim().to_uppercase(),
            activity_code: form.get("activity_code").to_owned(),
            text: form.optional("authority_q"),
            chosen_codes: form.all("authority"),
        }
    }
}

/// The reference data the activity part shows: the taxonomy to choose from, the authorities
/// found by the search (without those already chosen) and the chosen ones.
#[derive(Debug, Clone, Default)]
pub struct ActivityChoices {
    pub taxonomy: Taxonomy,
    pub found: Vec<AuthoritySummary>,
    pub chosen: Vec<AuthoritySummary>,
    pub searched: bool,
}

impl ActivityChoices {
    /// Reads them on the caller's connection (in the same round trip as the page's own data).
    pub fn read(
        conn: &mut AnyConnection,
        query: &AuthorityQuery,
    ) -> diesel::QueryResult<ActivityChoices> {
        let competence =
            reference::activity_type(conn, &query.activity_code)?.map(|t| t.competence_code);
        let mut chosen = Vec::new();
        for code in query.chosen_codes.iter().take(MAX_ROWS) {
            chosen.extend(reference::authority(conn, code)?);
        }
        let found = if query.searched {
            reference::search_authorities(
                conn,
                &AuthoritySearch {
                    text: query.text.clone(),
                    country: Some(query.country.clone()).filter(|c| !c.is_empty()),
                    competence,
                    kind: None,
                    limit: AUTHORITY_SEARCH_LIMIT,
                    offset: 0,
                },
            )?
            .into_iter()
            .filter(|a| !chosen.iter().any(|c| c.code == a.code))
            .collect()
        } else {
            Vec::new()
        };
        Ok(ActivityChoices {
            taxonomy: reference::taxonomy(conn)?,
            found,
            chosen,
            searched: query.searched,
        })
    }
}

/// The activity part as a page shows it: what was typed, the choices, and the errors of its
/// inputs.
pub struct ActivityPart<'a> {
    form: &'a FormFields,
    pub taxonomy: Taxonomy,
    pub found: Vec<AuthoritySummary>,
    pub chosen: Vec<AuthoritySummary>,
    pub searched: bool,
    pub time_zones: &'static [&'static str],
    /// The addresses the activity can be carried out at: (value sent, label shown).
    pub addresses: Vec<(String, String)>,
    /// Put before the input names to find their errors: `first_activity.` on the create
    /// form, where the activity is one part of the operator.
    field_prefix: &'static str,
    errors: &'a [(String, String)],
}

impl<'a> ActivityPart<'a> {
    pub fn new(
        form: &'a FormFields,
        choices: ActivityChoices,
        addresses: Vec<(String, String)>,
        field_prefix: &'static str,
        errors: &'a [(String, String)],
    ) -> ActivityPart<'a> {
        ActivityPart {
            form,
            taxonomy: choices.taxonomy,
            found: choices.found,
            chosen: choices.chosen,
            searched: choices.searched,
            time_zones: TIME_ZONES,
            addresses,
            field_prefix,
            errors,
        }
    }

    /// The value typed in `name`.
    pub fn v(&self, name: &str) -> &str {
        self.form.get(name)
    }

    /// Whether `name` holds `value` (for `selected`).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.form.get(name) == value
    }

    /// The message for the activity's input `field` (`valid_from`), if it has a problem.
    pub fn err(&self, field: &str) -> Option<&str> {
        let wanted = format!("{}{field}", self.field_prefix);
        self.errors
            .iter()
            .find(|(f, _)| *f == wanted)
            .map(|(_, m)| m.as_str())
    }

    /// The first message of any input starting with `field` (`authority_codes`, and each of
    /// `authority_codes[i]`).
    pub fn err_prefix(&self, field: &str) -> Option<&str> {
        let wanted = format!("{}{field}", self.field_prefix);
        self.errors
            .iter()
            .find(|(f, _)| f.starts_with(&wanted))
            .map(|(_, m)| m.as_str())
    }
}

/// A checked activity as a review shows it.
#[derive(Debug, Clone)]
pub struct ActivitySummary {
    pub code: String,
    pub name: String,
    pub identifier: Option<String>,
    /// In the zone it was entered in; empty for an open end.
    pub valid_from: String,
    pub valid_to: String,
    /// The address it is carried out at, when known (a new operator's is on the review).
    pub address: Option<String>,
    pub authorities: Vec<AuthoritySummary>,
}

impl ActivitySummary {
    /// Reads the names of its activity type and authorities.
    pub fn read(
        conn: &mut AnyConnection,
        activity: &ValidActivity,
        address: Option<String>,
    ) -> diesel::QueryResult<ActivitySummary> {
        let name = reference::activity_type(conn, &activity.activity_code)?
            .map(|t| t.name)
            .unwrap_or_else(|| activity.activity_code.clone());
        let mut authorities = Vec::new();
        for code in &activity.authority_codes {
            authorities.extend(reference::authority(conn, code)?);
        }
        let validity = &activity.validity;
        let shown = |at: Option<time::OffsetDateTime>| {
            at.map(|t| display::date_time(&t, &validity.time_zone))
                .unwrap_or_default()
        };
        Ok(ActivitySummary {
            code: activity.activity_code.clone(),
            name,
            identifier: activity.identifier.clone(),
            valid_from: shown(validity.valid_from),
            valid_to: shown(validity.valid_to),
            address,
            authorities,
        })
    }
}

/// The fields of a form to carry, hidden, from its review to the send button.
pub fn carried(form: &FormFields) -> Vec<(String, String)> {
    form.pairs()
        .iter()
        .filter(|(k, _)| k != "csrf_token" && k != "step")
        .cloned()
        .collect()
}

/// A checked activity as the store writes it.
pub fn activity_record(
    activity: &ValidActivity,
    address_index: Option<usize>,
) -> NewActivityRecord {
    NewActivityRecord {
        activity_code: activity.activity_code.clone(),
        identifier: activity.identifier.clone(),
        valid_from: activity.validity.valid_from,
        valid_to: activity.validity.valid_to,
        time_zone: activity.validity.time_zone.clone(),
        publication_date: activity.publication_date,
        application_date: activity.application_date,
        address_index,
        authority_codes: activity.authority_codes.clone(),
    }
}
