//! "Notifications this operator can make", as the operator's page and the API show it: for each
//! health entry document (CHED-PP, CHED-D, CHED-P, CHED-A) whether the operator, acting
//! without an agent, may notify it, and if not what is missing
//! (`domain::notifications::notification_capabilities`: only valid activities count; a new,
//! suspended, withdrawn or rejected one is named as such). On the page the operator's own
//! people read what they must do ("add it to your operator"); others read the same facts in
//! the third person.

use crate::domain::notifications::Capability;
use crate::i18n::Tr;

/// One document on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// The document's name.
    pub document: &'static str,
    pub allowed: bool,
    /// What is missing: (what is needed, where the operator stands), in words.
    pub missing: Vec<(String, String)>,
}

/// The rows of the page, in the reader's language. `to_the_operator`: the reader is one of
/// the operator's people (the sentences say "you").
pub fn rows(t: &Tr, capabilities: &[Capability], to_the_operator: bool) -> Vec<NotificationRow> {
    capabilities
        .iter()
        .map(|capability| NotificationRow {
            document: t.t(capability.document.label_key()),
            allowed: capability.allowed,
            missing: capability
                .missing
                .iter()
                .map(|requirement| {
                    let gap_key = if to_the_operator {
                        requirement.gap_key().to_owned()
                    } else {
                        format!("notifications.gap.{}", requirement.gap.code())
                    };
                    let code = requirement.gap.held_code().unwrap_or_default();
                    (
                        t.t(requirement.need_key()).to_owned(),
                        t.fill(&gap_key, &[("code", code)]),
                    )
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::activities::ActivityView;
    use crate::store::operator_documents::{MissingJson, NotificationJson, as_json};
    use crate::store::operators::OperatorView;
    use time::OffsetDateTime;

    fn operator(activities: &[(&str, &str)]) -> OperatorView {
        OperatorView {
            id: "op".into(),
            organisation_type: "operator".into(),
            name: "Nordic Plant Import AB".into(),
            country_code: "SE".into(),
            country_name: "Sweden".into(),
            phone: None,
            email: None,
            status: "valid".into(),
            status_reason: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            addresses: Vec::new(),
            identifiers: Vec::new(),
            activities: activities
                .iter()
                .map(|(code, status)| ActivityView {
                    id: format!("a-{code}"),
                    operator_id: "op".into(),
                    activity_code: (*code).into(),
                    activity_name: (*code).into(),
                    section_code: String::new(),
                    section_name: String::new(),
                    identifier: None,
                    valid_from: None,
                    valid_to: None,
                    time_zone: "UTC".into(),
                    publication_date: None,
                    application_date: None,
                    address_id: None,
                    status: (*status).into(),
                    status_reason: None,
                    created_at: OffsetDateTime::UNIX_EPOCH,
                    authorities: Vec::new(),
                })
                .collect(),
        }
    }

    fn ched_pp(json: &[NotificationJson]) -> &NotificationJson {
        json.iter().find(|n| n.document == "ched_pp").unwrap()
    }

    #[test]
    fn only_valid_activities_count() {
        let json =
            as_json(&operator(&[("EURPO", "valid"), ("RFL", "new")]).notification_capabilities());
        let pp = ched_pp(&json);
        assert!(!pp.allowed);
        assert_eq!(
            pp.missing,
            [MissingJson {
                need: "responsible_for_the_load",
                accepted_codes: &["RFL"],
                gap: "awaiting_validation",
                held_code: Some("RFL".into()),
            }]
        );
        let json =
            as_json(&operator(&[("EURPO", "valid"), ("RFL", "valid")]).notification_capabilities());
        assert!(ched_pp(&json).allowed);
        assert!(ched_pp(&json).missing.is_empty());
    }

    #[test]
    fn an_unknown_status_is_not_valid() {
        let json =
            as_json(&operator(&[("EUPO", "valid"), ("RFL", "odd")]).notification_capabilities());
        assert_eq!(ched_pp(&json).missing[0].gap, "missing");
    }

    #[test]
    fn the_page_says_what_is_missing_in_words() {
        let capabilities = operator(&[("EURPO", "valid")]).notification_capabilities();
        let t = crate::i18n::tr(crate::i18n::Lang::En);
        let own = rows(&t, &capabilities, true);
        assert_eq!(own[0].document, "CHED-PP (plants and plant products)");
        assert_eq!(
            own[0].missing,
            [(
                "A valid Responsible for the load activity (RFL)".to_owned(),
                "You do not have this activity: add it to your operator.".to_owned()
            )]
        );
        let others = rows(&t, &capabilities, false);
        assert_eq!(
            others[0].missing[0].1,
            "The operator does not have this activity."
        );
        let pending = operator(&[("EURPO", "valid"), ("RFL", "new")]).notification_capabilities();
        assert_eq!(
            rows(&t, &pending, false)[0].missing[0].1,
            "It has one (RFL), but it is still New: the responsible authority has not validated it yet."
        );
    }
}
