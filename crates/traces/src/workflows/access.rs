//! Who is acting and what they may do: a person's valid memberships decide every access, on
//! the server, for every object. Another operator's data that the person may not see is
//! answered exactly like a missing record (`Refusal::NotFound`), so ids reveal nothing.

use crate::store::memberships::{Membership, Organisation};
use crate::store::operator_search::SearchScope;

/// A person acting in traces, with all their memberships (any status).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub is_system_admin: bool,
    pub memberships: Vec<Membership>,
    /// Where and how to write to the person (decisions are e-mailed in their language).
    pub email: String,
    pub language: String,
    pub display_name: String,
}

/// Why an action is refused. `NotFound` hides whether the object exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Forbidden,
}

impl Actor {
    fn valid(&self) -> impl Iterator<Item = &Membership> {
        self.memberships.iter().filter(|m| m.is_valid())
    }

    /// Operators the person is a valid member (or administrator) of.
    pub fn operator_ids(&self) -> Vec<String> {
        self.valid()
            .filter_map(|m| m.operator_id().map(str::to_owned))
            .collect()
    }

    /// Operators the person belongs to in any open state (pending included): they may see
    /// the operator they asked to join, and the one they created while it waits.
    pub fn operator_ids_open(&self) -> Vec<String> {
        self.memberships
            .iter()
            .filter(|m| m.status == "valid" || m.status == "pending")
            .filter_map(|m| m.operator_id().map(str::to_owned))
            .collect()
    }

    /// Authorities the person is a valid officer of.
    pub fn authority_codes(&self) -> Vec<String> {
        self.valid()
            .filter_map(|m| m.authority_code().map(str::to_owned))
            .collect()
    }

    pub fn is_officer(&self) -> bool {
        self.valid().any(|m| m.authority_code().is_some())
    }

    pub fn is_member_of(&self, operator_id: &str) -> bool {
        self.valid().any(|m| m.operator_id() == Some(operator_id))
    }

    pub fn is_administrator_of(&self, operator_id: &str) -> bool {
        self.valid()
            .any(|m| m.operator_id() == Some(operator_id) && m.role == "administrator")
    }

    /// Whether the person is an officer of one of `responsible` (the authorities assigned to
    /// the operator's activities).
    pub fn is_responsible_for(&self, responsible: &[String]) -> bool {
        self.valid().any(|m| {
            m.authority_code()
                .is_some_and(|code| responsible.iter().any(|r| r == code))
        })
    }

    /// The operators the person may find in a search beyond the valid ones.
    pub fn search_scope(&self) -> SearchScope {
        SearchScope {
            operator_ids: self.operator_ids_open(),
            authority_codes: self.authority_codes(),
            everything: self.is_system_admin,
        }
    }

    /// May the person see this operator? Valid operators are public to logged-in people; an
    /// operator in another status only to its members, its responsible authorities and system
    /// administrators.
    pub fn may_see_operator(
        &self,
        operator_id: &str,
        status: &str,
        responsible: &[String],
    ) -> Result<(), Refusal> {
        if status == "valid"
            || self.is_system_admin
            || self.operator_ids_open().iter().any(|id| id == operator_id)
            || self.is_responsible_for(responsible)
        {
            Ok(())
        } else {
            Err(Refusal::NotFound)
        }
    }

    /// May the person set statuses of this operator and its activities? Only an officer of a
    /// responsible authority: a system administrator sees everything and manages people, but
    /// validation statuses are the authorities' alone.
    pub fn may_decide_for(&self, responsible: &[String]) -> Result<(), Refusal> {
        if self.is_responsible_for(responsible) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// May the person add an activity to this operator? Its administrators and system
    /// administrators; plain users ask an administrator. (Whether the operator is valid is the
    /// workflow's business: `requests::may_add_activity`.)
    pub fn may_add_activity_to(&self, operator_id: &str) -> Result<(), Refusal> {
        if self.is_system_admin || self.is_administrator_of(operator_id) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// May the person decide on users of this operator? Its administrators, the officers of
    /// its responsible authorities, and system administrators.
    pub fn may_manage_members_of(
        &self,
        operator_id: &str,
        responsible: &[String],
    ) -> Result<(), Refusal> {
        if self.is_system_admin
            || self.is_administrator_of(operator_id)
            || self.is_responsible_for(responsible)
        {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// May the person decide on an officer's membership of `authority`? Another valid officer
    /// of that authority, or a system administrator.
    pub fn may_manage_officers_of(&self, authority: &str) -> Result<(), Refusal> {
        if self.is_system_admin || self.authority_codes().iter().any(|c| c == authority) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// The membership with this id, if it is the person's own.
    pub fn own_membership(&self, id: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.id == id)
    }

    /// The organisations the person can switch between (valid memberships).
    pub fn organisations(&self) -> Vec<&Membership> {
        self.valid().collect()
    }

    /// Whether the person has any open membership of `organisation`.
    pub fn has_open(&self, organisation: &Organisation) -> bool {
        self.memberships.iter().any(|m| {
            &m.organisation == organisation && (m.status == "pending" || m.status == "valid")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn membership(org: Organisation, role: &str, status: &str) -> Membership {
        Membership {
            id: format!("m-{role}-{status}"),
            user_id: "u".into(),
            organisation: org,
            organisation_name: "x".into(),
            role: role.into(),
            status: status.into(),
            reason: None,
            requested_at: OffsetDateTime::UNIX_EPOCH,
            decided_at: None,
        }
    }

    fn actor(memberships: Vec<Membership>) -> Actor {
        Actor {
            user_id: "u".into(),
            is_system_admin: false,
            memberships,
            email: "u@example.eu".into(),
            language: "en".into(),
            display_name: "U".into(),
        }
    }

    #[test]
    fn another_operators_pending_data_is_not_found() {
        let someone = actor(vec![membership(
            Organisation::Operator("mine".into()),
            "member",
            "valid",
        )]);
        assert_eq!(
            someone.may_see_operator("theirs", "requested", &["SE-PHYTO".into()]),
            Err(Refusal::NotFound)
        );
        assert_eq!(someone.may_see_operator("theirs", "valid", &[]), Ok(()));
        assert_eq!(someone.may_see_operator("mine", "requested", &[]), Ok(()));
    }

    #[test]
    fn only_administrators_add_activities() {
        let operator = || Organisation::Operator("op".into());
        let administrator = actor(vec![membership(operator(), "administrator", "valid")]);
        assert_eq!(administrator.may_add_activity_to("op"), Ok(()));
        assert_eq!(
            administrator.may_add_activity_to("other"),
            Err(Refusal::Forbidden)
        );
        for (role, status) in [
            ("member", "valid"),
            ("administrator", "pending"),
            ("administrator", "revoked"),
        ] {
            let someone = actor(vec![membership(operator(), role, status)]);
            assert_eq!(
                someone.may_add_activity_to("op"),
                Err(Refusal::Forbidden),
                "{role} {status}"
            );
        }
        let officer = actor(vec![membership(
            Organisation::Authority("SEARN4".into()),
            "officer",
            "valid",
        )]);
        assert_eq!(officer.may_add_activity_to("op"), Err(Refusal::Forbidden));
        let mut system_admin = actor(Vec::new());
        system_admin.is_system_admin = true;
        assert_eq!(system_admin.may_add_activity_to("op"), Ok(()));
    }

    #[test]
    fn only_officers_of_a_responsible_authority_decide() {
        let officer = actor(vec![membership(
            Organisation::Authority("SEARN4".into()),
            "officer",
            "valid",
        )]);
        assert_eq!(officer.may_decide_for(&["SEARN4".into()]), Ok(()));
        assert_eq!(
            officer.may_decide_for(&["NLRTM1".into()]),
            Err(Refusal::Forbidden)
        );
        let pending_officer = actor(vec![membership(
            Organisation::Authority("SEARN4".into()),
            "officer",
            "pending",
        )]);
        assert_eq!(
            pending_officer.may_decide_for(&["SEARN4".into()]),
            Err(Refusal::Forbidden)
        );
        let administrator = actor(vec![membership(
            Organisation::Operator("op".into()),
            "administrator",
            "valid",
        )]);
        assert_eq!(
            administrator.may_decide_for(&["SEARN4".into()]),
            Err(Refusal::Forbidden)
        );
        assert_eq!(administrator.may_manage_members_of("op", &[]), Ok(()));
        assert_eq!(
            administrator.may_manage_members_of("other", &[]),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn a_system_administrator_sees_everything_and_manages_people_but_sets_no_status() {
        let mut system = actor(Vec::new());
        system.is_system_admin = true;
        assert_eq!(
            system.may_see_operator("any", "requested", &["SEARN4".into()]),
            Ok(())
        );
        assert!(system.search_scope().everything);
        assert_eq!(system.may_manage_members_of("any", &[]), Ok(()));
        assert_eq!(system.may_manage_officers_of("SEARN4"), Ok(()));
        assert_eq!(
            system.may_decide_for(&["SEARN4".into()]),
            Err(Refusal::Forbidden)
        );
    }
}
