//! The rules of traces, without I/O: the time is always passed in, the reference data is
//! consulted through a trait, and nothing here reads a clock, a file or a database.
//!
//! - `status`: the statuses of operators, activities and memberships and the decisions that
//!   move them; organisation types and authority kinds.
//! - `identifiers`: national register, EORI and VAT numbers, checked and normalised.
//! - `notifications`: which health entry documents (CHED-PP, ...) an operator may notify.
//! - `inactivity`: the four-month rule.
//! - `reactivation`: a deactivated user's request to be let in again and its decision.
//! - `validity`: activity validity periods entered in local time.
//! - `operator_form`, `address_form`, `activity_form`: the "Create a new operator" form and
//!   the form that adds an activity, checked all at once.

pub mod activity_form;
pub mod address_form;
pub mod codes;
pub mod identifiers;
pub mod inactivity;
pub mod notifications;
pub mod operator_form;
pub mod reactivation;
pub mod status;
pub mod validity;

/// Every translation key of a name this module gives (statuses, roles, kinds, documents and
/// what a notification needs), for a test that each catalog has them all. Error messages are
/// keyed by the integrator from the stable codes: [`status::TransitionError::ALL`] and
/// [`operator_form::FIELD_ERROR_CODES`].
pub fn label_keys() -> Vec<&'static str> {
    use notifications::{Gap, Need, NotificationDocument, Party, Requirement};
    let mut keys = Vec::new();
    keys.extend(status::OperatorStatus::ALL.iter().map(|s| s.label_key()));
    keys.extend(status::ActivityStatus::ALL.iter().map(|s| s.label_key()));
    keys.extend(status::MembershipStatus::ALL.iter().map(|s| s.label_key()));
    keys.extend(status::MembershipRole::ALL.iter().map(|r| r.label_key()));
    keys.extend(status::OrganisationType::ALL.iter().map(|t| t.label_key()));
    keys.extend(status::AuthorityKind::ALL.iter().map(|k| k.label_key()));
    keys.extend(
        identifiers::IdentifierKind::ALL
            .iter()
            .map(|k| k.label_key()),
    );
    keys.extend(NotificationDocument::ALL.iter().map(|d| d.label_key()));
    keys.extend(Need::ALL.iter().map(|n| n.label_key()));
    let code = String::new;
    let gaps = [
        Gap::Missing,
        Gap::AwaitingValidation { code: code() },
        Gap::Suspended { code: code() },
        Gap::Withdrawn { code: code() },
        Gap::Rejected { code: code() },
    ];
    for party in [Party::Importer, Party::Agent] {
        for gap in &gaps {
            let requirement = Requirement {
                need: Need::ResponsibleForTheLoad,
                party,
                gap: gap.clone(),
            };
            keys.push(requirement.gap_key());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_keys_are_distinct_and_dotted() {
        let keys = super::label_keys();
        assert_eq!(keys.len(), 5 + 5 + 4 + 3 + 5 + 5 + 4 + 4 + 5 + 10);
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
        assert!(keys.iter().all(|key| {
            key.contains('.')
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        }));
        assert!(keys.contains(&"status.operator.valid"));
        assert!(keys.contains(&"notification_gap.agent.suspended"));
    }
}
