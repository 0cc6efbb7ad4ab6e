//! The lives of operators, activities and memberships as state machines: their statuses (with
//! the lower-case codes stored in the database), the decisions an authority or an administrator
//! takes, and which decision is allowed from which status. Also the kinds of organisation and
//! of authority, which are plain enumerations with the same code/label conventions.
//!
//! Conventions shared by every enum here: `code()` is the value stored in the database and
//! sent in the JSON API, `parse()` reads it back (exactly, lower case), `label_key()` is the
//! translation key of its name on pages (e.g. `status.operator.valid`).

pub use super::codes::UnknownCode;
use super::codes::coded_enum;

/// The longest reason accepted for a decision, in characters, after trimming.
pub const MAX_REASON_CHARS: usize = 500;

coded_enum! {
    /// Where an operator (a company or other organisation) stands with the authorities.
    OperatorStatus, "operator status", "status.operator" {
        /// Created by a user, waiting for an authority to decide.
        Requested => "requested",
        /// Validated by an authority.
        Valid => "valid",
        /// Refused by an authority; final.
        Rejected => "rejected",
        /// Temporarily not allowed to act; can be reinstated.
        Suspended => "suspended",
        /// Ended for good; final.
        Withdrawn => "withdrawn",
    }
}

coded_enum! {
    /// Where one activity of an operator (e.g. plant-health importer) stands.
    ActivityStatus, "activity status", "status.activity" {
        /// Declared, waiting for a responsible authority to decide.
        New => "new",
        /// Validated by a responsible authority.
        Valid => "valid",
        /// Refused; final.
        Rejected => "rejected",
        /// Temporarily not valid; can be reinstated.
        Suspended => "suspended",
        /// Ended for good; final.
        Withdrawn => "withdrawn",
    }
}

coded_enum! {
    /// Where a person's link to an organisation stands.
    MembershipStatus, "membership status", "status.membership" {
        /// Asked for ("Request authorisation"), waiting for a decision.
        Pending => "pending",
        /// Granted: the person acts for the organisation.
        Valid => "valid",
        /// Refused; final (the person may ask again, which is a new membership).
        Refused => "refused",
        /// Taken back after having been granted; final.
        Revoked => "revoked",
    }
}

coded_enum! {
    /// What a person may do for the organisation they are a member of.
    MembershipRole, "membership role", "membership_role" {
        /// An operator's user.
        Member => "member",
        /// An operator's administrator: validates the operator's other users.
        Administrator => "administrator",
        /// An authority's officer: decides on operators and activities.
        Officer => "officer",
    }
}

coded_enum! {
    /// The kinds of organisation a person can ask to join (the first screen of "Request
    /// authorisation").
    OrganisationType, "organisation type", "organisation_type" {
        /// Economic operators: businesses, stores, non-profit organisations.
        Operator => "operator",
        /// Control bodies of organic production (Regulation (EC) No 1235/2008).
        OrganicControlBody => "organic_control_body",
        /// Competent authorities; these come from the reference data, never created by users.
        Authority => "authority",
        /// Appointed veterinary offices.
        AppointedVeterinaryOffice => "appointed_veterinary_office",
        /// Other bodies: translators, country administrators, national customs systems.
        OtherBody => "other_body",
    }
}

coded_enum! {
    /// The kinds of competent authority in the reference data.
    AuthorityKind, "authority kind", "authority_kind" {
        /// A customs office.
        Customs => "customs",
        /// A veterinary authority.
        Veterinary => "veterinary",
        /// A phytosanitary (plant-health) authority.
        Phytosanitary => "phytosanitary",
        /// A central competent authority.
        CentralCompetent => "central_competent",
        /// A Border Control Post (BCP), where consignments are checked on entry.
        BorderControlPost => "border_control_post",
    }
}

impl OperatorStatus {
    /// The status of an operator just created by a user.
    pub const INITIAL: OperatorStatus = OperatorStatus::Requested;

    /// What `decision` makes of an operator in this status, or why it is not allowed.
    pub fn apply(self, decision: &Decision) -> Result<Transition<OperatorStatus>, TransitionError> {
        let (stage, reason) = decide(self.stage(), decision)?;
        Ok(Transition {
            status: OperatorStatus::from_stage(stage),
            reason,
        })
    }

    fn stage(self) -> Stage {
        match self {
            OperatorStatus::Requested => Stage::AwaitingDecision,
            OperatorStatus::Valid => Stage::Valid,
            OperatorStatus::Rejected => Stage::Rejected,
            OperatorStatus::Suspended => Stage::Suspended,
            OperatorStatus::Withdrawn => Stage::Withdrawn,
        }
    }

    fn from_stage(stage: Stage) -> Self {
        match stage {
            Stage::AwaitingDecision => OperatorStatus::Requested,
            Stage::Valid => OperatorStatus::Valid,
            Stage::Rejected => OperatorStatus::Rejected,
            Stage::Suspended => OperatorStatus::Suspended,
            Stage::Withdrawn => OperatorStatus::Withdrawn,
        }
    }
}

impl ActivityStatus {
    /// The status of an activity just declared.
    pub const INITIAL: ActivityStatus = ActivityStatus::New;

    /// What `decision` makes of an activity in this status, or why it is not allowed.
    pub fn apply(self, decision: &Decision) -> Result<Transition<ActivityStatus>, TransitionError> {
        let (stage, reason) = decide(self.stage(), decision)?;
        Ok(Transition {
            status: ActivityStatus::from_stage(stage),
            reason,
        })
    }

    fn stage(self) -> Stage {
        match self {
            ActivityStatus::New => Stage::AwaitingDecision,
            ActivityStatus::Valid => Stage::Valid,
            ActivityStatus::Rejected => Stage::Rejected,
            ActivityStatus::Suspended => Stage::Suspended,
            ActivityStatus::Withdrawn => Stage::Withdrawn,
        }
    }

    fn from_stage(stage: Stage) -> Self {
        match stage {
            Stage::AwaitingDecision => ActivityStatus::New,
            Stage::Valid => ActivityStatus::Valid,
            Stage::Rejected => ActivityStatus::Rejected,
            Stage::Suspended => ActivityStatus::Suspended,
            Stage::Withdrawn => ActivityStatus::Withdrawn,
        }
    }
}

impl MembershipStatus {
    /// The status of a membership just asked for.
    pub const INITIAL: MembershipStatus = MembershipStatus::Pending;

    /// Whether the membership still counts as open: at most one open membership per person and
    /// organisation (the partial unique index that makes "Request authorisation" idempotent).
    pub fn is_open(self) -> bool {
        matches!(self, MembershipStatus::Pending | MembershipStatus::Valid)
    }

    /// What `decision` makes of a membership in this status, or why it is not allowed.
    pub fn apply(
        self,
        decision: &MembershipDecision,
    ) -> Result<Transition<MembershipStatus>, TransitionError> {
        use MembershipDecision as D;
        use MembershipStatus as S;
        match (self, decision) {
            (S::Refused | S::Revoked, _) => Err(TransitionError::FinalStatus),
            (S::Pending, D::Approve) => Ok(Transition {
                status: S::Valid,
                reason: None,
            }),
            (S::Pending, D::Refuse { reason }) => Ok(Transition {
                status: S::Refused,
                reason: Some(required_reason(reason)?),
            }),
            (S::Pending, D::Revoke { .. }) => Err(TransitionError::NotValid),
            (S::Valid, D::Approve | D::Refuse { .. }) => Err(TransitionError::AlreadyDecided),
            (S::Valid, D::Revoke { reason }) => Ok(Transition {
                status: S::Revoked,
                reason: optional_reason(reason.as_deref())?,
            }),
        }
    }
}

impl OrganisationType {
    /// Whether users create organisations of this type themselves ("Create a new operator"):
    /// every type but authorities, which come from the reference data.
    pub fn is_created_by_users(self) -> bool {
        !matches!(self, OrganisationType::Authority)
    }
}

impl MembershipRole {
    /// The roles a person can hold in an operator (not in an authority).
    pub fn is_operator_role(self) -> bool {
        matches!(self, MembershipRole::Member | MembershipRole::Administrator)
    }
}

/// What an authority's officer decides about an operator or an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accept a request (requested operator, new activity).
    Validate,
    /// Refuse a request; the reason is shown to the operator.
    Reject {
        /// Why; required.
        reason: String,
    },
    /// Stop a valid operator or activity for a while.
    Suspend {
        /// Why; required.
        reason: String,
    },
    /// End a valid or suspended operator or activity for good.
    Withdraw {
        /// Why; required.
        reason: String,
    },
    /// Make a suspended operator or activity valid again.
    Reinstate,
}

/// What an operator's administrator (or an authority, for its officers) decides about a
/// person's membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipDecision {
    /// Grant a pending request.
    Approve,
    /// Refuse a pending request; the reason is shown to the person.
    Refuse {
        /// Why; required.
        reason: String,
    },
    /// Take back a valid membership.
    Revoke {
        /// Why, if the administrator says; optional.
        reason: Option<String>,
    },
}

/// The outcome of an allowed decision: the new status and the reason to store with it
/// (trimmed), if the decision carried one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition<S> {
    /// The status after the decision.
    pub status: S,
    /// The reason, trimmed; `None` for decisions without one.
    pub reason: Option<String>,
}

/// Why a decision is refused. [`TransitionError::code`] is stable, for translation and support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Validate or reject something that is no longer waiting for a decision.
    #[error("already decided")]
    AlreadyDecided,
    /// Suspend, withdraw or revoke something that is not (yet) valid.
    #[error("not valid")]
    NotValid,
    /// Suspend something already suspended.
    #[error("already suspended")]
    AlreadySuspended,
    /// Reinstate something that is not suspended.
    #[error("not suspended")]
    NotSuspended,
    /// Anything on a rejected, withdrawn, refused or revoked record: those are final.
    #[error("final status")]
    FinalStatus,
    /// A decision that needs a reason came with none (or only spaces).
    #[error("reason required")]
    ReasonRequired,
    /// The reason is longer than [`MAX_REASON_CHARS`].
    #[error("reason too long")]
    ReasonTooLong,
}

impl TransitionError {
    /// Every variant, for a test that each has its translation.
    pub const ALL: [TransitionError; 7] = [
        TransitionError::AlreadyDecided,
        TransitionError::NotValid,
        TransitionError::AlreadySuspended,
        TransitionError::NotSuspended,
        TransitionError::FinalStatus,
        TransitionError::ReasonRequired,
        TransitionError::ReasonTooLong,
    ];

    /// The stable code of this error (translation key suffix, support reference).
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::AlreadyDecided => "already_decided",
            TransitionError::NotValid => "not_valid",
            TransitionError::AlreadySuspended => "already_suspended",
            TransitionError::NotSuspended => "not_suspended",
            TransitionError::FinalStatus => "final_status",
            TransitionError::ReasonRequired => "reason_required",
            TransitionError::ReasonTooLong => "reason_too_long",
        }
    }
}

/// The lifecycle operators and activities share; only the name of the first status differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    AwaitingDecision,
    Valid,
    Rejected,
    Suspended,
    Withdrawn,
}

/// The one place where the allowed transitions of operators and activities are written down.
/// Whether the transition is allowed is checked before the reason, so that a late click on an
/// already decided request says so rather than asking for a reason.
fn decide(from: Stage, decision: &Decision) -> Result<(Stage, Option<String>), TransitionError> {
    use Decision as D;
    use Stage as S;
    match (from, decision) {
        (S::Rejected | S::Withdrawn, _) => Err(TransitionError::FinalStatus),

        (S::AwaitingDecision, D::Validate) => Ok((S::Valid, None)),
        (S::AwaitingDecision, D::Reject { reason }) => {
            Ok((S::Rejected, Some(required_reason(reason)?)))
        }
        (S::AwaitingDecision, D::Suspend { .. } | D::Withdraw { .. }) => {
            Err(TransitionError::NotValid)
        }
        (S::AwaitingDecision, D::Reinstate) => Err(TransitionError::NotSuspended),

        (S::Valid, D::Validate | D::Reject { .. }) => Err(TransitionError::AlreadyDecided),
        (S::Valid, D::Suspend { reason }) => Ok((S::Suspended, Some(required_reason(reason)?))),
        (S::Valid, D::Withdraw { reason }) => Ok((S::Withdrawn, Some(required_reason(reason)?))),
        (S::Valid, D::Reinstate) => Err(TransitionError::NotSuspended),

        (S::Suspended, D::Validate | D::Reject { .. }) => Err(TransitionError::AlreadyDecided),
        (S::Suspended, D::Suspend { .. }) => Err(TransitionError::AlreadySuspended),
        (S::Suspended, D::Withdraw { reason }) => {
            Ok((S::Withdrawn, Some(required_reason(reason)?)))
        }
        (S::Suspended, D::Reinstate) => Ok((S::Valid, None)),
    }
}

/// The reason, trimmed, if it is neither blank nor too long.
fn required_reason(raw: &str) -> Result<String, TransitionError> {
    optional_reason(Some(raw))?.ok_or(TransitionError::ReasonRequired)
}

/// A reason that may be left out: blank counts as none.
fn optional_reason(raw: Option<&str>) -> Result<Option<String>, TransitionError> {
    let Some(trimmed) = raw.map(str::trim).filter(|reason| !reason.is_empty()) else {
        return Ok(None);
    };
    if trimmed.chars().count() > MAX_REASON_CHARS {
        return Err(TransitionError::ReasonTooLong);
    }
    Ok(Some(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(reason: &str) -> Decision {
        Decision::Reject {
            reason: reason.to_owned(),
        }
    }
    fn suspend(reason: &str) -> Decision {
        Decision::Suspend {
            reason: reason.to_owned(),
        }
    }
    fn withdraw(reason: &str) -> Decision {
        Decision::Withdraw {
            reason: reason.to_owned(),
        }
    }

    #[test]
    fn codes_round_trip_and_only_exact_codes_parse() {
        for status in OperatorStatus::ALL {
            assert_eq!(OperatorStatus::parse(status.code()), Ok(*status));
        }
        for status in ActivityStatus::ALL {
            assert_eq!(ActivityStatus::parse(status.code()), Ok(*status));
        }
        for status in MembershipStatus::ALL {
            assert_eq!(MembershipStatus::parse(status.code()), Ok(*status));
        }
        for role in MembershipRole::ALL {
            assert_eq!(MembershipRole::parse(role.code()), Ok(*role));
        }
        for kind in OrganisationType::ALL {
            assert_eq!(OrganisationType::parse(kind.code()), Ok(*kind));
        }
        for kind in AuthorityKind::ALL {
            assert_eq!(AuthorityKind::parse(kind.code()), Ok(*kind));
        }
        assert_eq!(
            OperatorStatus::parse("Valid"),
            Err(UnknownCode {
                what: "operator status",
                code: "Valid".into()
            })
        );
        assert!(ActivityStatus::parse("requested").is_err());
        assert!(OperatorStatus::parse("new").is_err());
        assert!(MembershipStatus::parse(" valid").is_err());
        assert!(OrganisationType::parse("").is_err());
    }

    #[test]
    fn codes_are_the_ones_of_the_database() {
        let codes = |all: &[&str]| all.join(",");
        assert_eq!(
            codes(
                &OrganisationType::ALL
                    .iter()
                    .map(|t| t.code())
                    .collect::<Vec<_>>()
            ),
            "operator,organic_control_body,authority,appointed_veterinary_office,other_body"
        );
        assert_eq!(
            codes(
                &AuthorityKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>()
            ),
            "customs,veterinary,phytosanitary,central_competent,border_control_post"
        );
        assert_eq!(
            codes(
                &MembershipRole::ALL
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
            ),
            "member,administrator,officer"
        );
        assert_eq!(OperatorStatus::Suspended.to_string(), "suspended");
    }

    #[test]
    fn label_keys_follow_the_prefix_and_code() {
        assert_eq!(OperatorStatus::Valid.label_key(), "status.operator.valid");
        assert_eq!(ActivityStatus::New.label_key(), "status.activity.new");
        assert_eq!(
            MembershipStatus::Revoked.label_key(),
            "status.membership.revoked"
        );
        assert_eq!(
            MembershipRole::Administrator.label_key(),
            "membership_role.administrator"
        );
        assert_eq!(
            OrganisationType::AppointedVeterinaryOffice.label_key(),
            "organisation_type.appointed_veterinary_office"
        );
        assert_eq!(
            AuthorityKind::BorderControlPost.label_key(),
            "authority_kind.border_control_post"
        );
    }

    #[test]
    fn a_request_is_validated_or_rejected_with_a_reason() {
        let validated = OperatorStatus::Requested
            .apply(&Decision::Validate)
            .unwrap();
        assert_eq!(validated.status, OperatorStatus::Valid);
        assert_eq!(validated.reason, None);

        let rejected = OperatorStatus::Requested
            .apply(&reject("  No such company in the register.\n"))
            .unwrap();
        assert_eq!(rejected.status, OperatorStatus::Rejected);
        assert_eq!(
            rejected.reason.as_deref(),
            Some("No such company in the register.")
        );
    }

    #[test]
    fn a_request_cannot_be_suspended_withdrawn_or_reinstated() {
        let requested = OperatorStatus::Requested;
        assert_eq!(
            requested.apply(&suspend("x")),
            Err(TransitionError::NotValid)
        );
        assert_eq!(
            requested.apply(&withdraw("x")),
            Err(TransitionError::NotValid)
        );
        assert_eq!(
            requested.apply(&Decision::Reinstate),
            Err(TransitionError::NotSuspended)
        );
    }

    #[test]
    fn a_valid_operator_is_suspended_or_withdrawn_but_not_decided_again() {
        let valid = OperatorStatus::Valid;
        assert_eq!(
            valid.apply(&suspend("Unpaid fees")).unwrap().status,
            OperatorStatus::Suspended
        );
        assert_eq!(
            valid.apply(&withdraw("Ceased trading")).unwrap().status,
            OperatorStatus::Withdrawn
        );
        assert_eq!(
            valid.apply(&Decision::Validate),
            Err(TransitionError::AlreadyDecided)
        );
        assert_eq!(
            valid.apply(&reject("x")),
            Err(TransitionError::AlreadyDecided)
        );
        assert_eq!(
            valid.apply(&Decision::Reinstate),
            Err(TransitionError::NotSuspended)
        );
    }

    #[test]
    fn a_suspended_operator_is_reinstated_or_withdrawn() {
        let suspended = OperatorStatus::Suspended;
        let reinstated = suspended.apply(&Decision::Reinstate).unwrap();
        assert_eq!(reinstated.status, OperatorStatus::Valid);
        assert_eq!(reinstated.reason, None);
        assert_eq!(
            suspended.apply(&withdraw("Ceased trading")).unwrap().status,
            OperatorStatus::Withdrawn
        );
        assert_eq!(
            suspended.apply(&suspend("again")),
            Err(TransitionError::AlreadySuspended)
        );
        assert_eq!(
            suspended.apply(&Decision::Validate),
            Err(TransitionError::AlreadyDecided)
        );
        assert_eq!(
            suspended.apply(&reject("x")),
            Err(TransitionError::AlreadyDecided)
        );
    }

    #[test]
    fn rejected_and_withdrawn_are_final_whatever_the_decision() {
        let decisions = [
            Decision::Validate,
            reject("x"),
            suspend("x"),
            withdraw("x"),
            Decision::Reinstate,
        ];
        for decision in &decisions {
            for status in [OperatorStatus::Rejected, OperatorStatus::Withdrawn] {
                assert_eq!(status.apply(decision), Err(TransitionError::FinalStatus));
            }
            for status in [ActivityStatus::Rejected, ActivityStatus::Withdrawn] {
                assert_eq!(status.apply(decision), Err(TransitionError::FinalStatus));
            }
        }
    }

    #[test]
    fn activities_follow_the_same_lifecycle_from_new() {
        assert_eq!(
            ActivityStatus::New
                .apply(&Decision::Validate)
                .unwrap()
                .status,
            ActivityStatus::Valid
        );
        assert_eq!(
            ActivityStatus::New.apply(&reject("x")).unwrap().status,
            ActivityStatus::Rejected
        );
        assert_eq!(
            ActivityStatus::Valid.apply(&suspend("x")).unwrap().status,
            ActivityStatus::Suspended
        );
        assert_eq!(
            ActivityStatus::Suspended
                .apply(&Decision::Reinstate)
                .unwrap()
                .status,
            ActivityStatus::Valid
        );
        assert_eq!(
            ActivityStatus::Suspended
                .apply(&withdraw("x"))
                .unwrap()
                .status,
            ActivityStatus::Withdrawn
        );
        assert_eq!(
            ActivityStatus::New.apply(&suspend("x")),
            Err(TransitionError::NotValid)
        );
        assert_eq!(OperatorStatus::INITIAL, OperatorStatus::Requested);
        assert_eq!(ActivityStatus::INITIAL, ActivityStatus::New);
    }

    #[test]
    fn reasons_are_required_trimmed_and_bounded() {
        for blank in ["", "   ", "\n\t "] {
            assert_eq!(
                OperatorStatus::Requested.apply(&reject(blank)),
                Err(TransitionError::ReasonRequired)
            );
            assert_eq!(
                OperatorStatus::Valid.apply(&suspend(blank)),
                Err(TransitionError::ReasonRequired)
            );
            assert_eq!(
                ActivityStatus::Suspended.apply(&withdraw(blank)),
                Err(TransitionError::ReasonRequired)
            );
        }
        // Exactly 500 characters (multi-byte ones count once), surrounded by spaces: accepted.
        let longest = "é".repeat(MAX_REASON_CHARS);
        let accepted = OperatorStatus::Valid
            .apply(&suspend(&format!("  {longest}  ")))
            .unwrap();
        assert_eq!(accepted.reason.as_deref(), Some(longest.as_str()));
        let too_long = "a".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            OperatorStatus::Valid.apply(&withdraw(&too_long)),
            Err(TransitionError::ReasonTooLong)
        );
    }

    #[test]
    fn the_transition_is_checked_before_the_reason() {
        assert_eq!(
            OperatorStatus::Valid.apply(&reject("")),
            Err(TransitionError::AlreadyDecided)
        );
        assert_eq!(
            OperatorStatus::Withdrawn.apply(&withdraw("")),
            Err(TransitionError::FinalStatus)
        );
    }

    #[test]
    fn memberships_are_approved_refused_with_a_reason_or_revoked() {
        use MembershipDecision as D;
        let refuse = |reason: &str| D::Refuse {
            reason: reason.to_owned(),
        };
        assert_eq!(
            MembershipStatus::Pending.apply(&D::Approve).unwrap(),
            Transition {
                status: MembershipStatus::Valid,
                reason: None
            }
        );
        assert_eq!(
            MembershipStatus::Pending
                .apply(&refuse(" Not one of ours "))
                .unwrap(),
            Transition {
                status: MembershipStatus::Refused,
                reason: Some("Not one of ours".into())
            }
        );
        assert_eq!(
            MembershipStatus::Pending.apply(&refuse(" ")),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            MembershipStatus::Pending.apply(&D::Revoke { reason: None }),
            Err(TransitionError::NotValid)
        );
        assert_eq!(
            MembershipStatus::Valid
                .apply(&D::Revoke { reason: None })
                .unwrap(),
            Transition {
                status: MembershipStatus::Revoked,
                reason: None
            }
        );
        assert_eq!(
            MembershipStatus::Valid
                .apply(&D::Revoke {
                    reason: Some("  Left the company ".into())
                })
                .unwrap()
                .reason
                .as_deref(),
            Some("Left the company")
        );
        assert_eq!(
            MembershipStatus::Valid.apply(&D::Revoke {
                reason: Some("x".repeat(MAX_REASON_CHARS + 1))
            }),
            Err(TransitionError::ReasonTooLong)
        );
        assert_eq!(
            MembershipStatus::Valid.apply(&D::Approve),
            Err(TransitionError::AlreadyDecided)
        );
        assert_eq!(
            MembershipStatus::Valid.apply(&refuse("x")),
            Err(TransitionError::AlreadyDecided)
        );
        for status in [MembershipStatus::Refused, MembershipStatus::Revoked] {
            for decision in [D::Approve, refuse("x"), D::Revoke { reason: None }] {
                assert_eq!(status.apply(&decision), Err(TransitionError::FinalStatus));
            }
        }
    }

    #[test]
    fn open_memberships_and_user_created_organisations() {
        assert!(MembershipStatus::Pending.is_open());
        assert!(MembershipStatus::Valid.is_open());
        assert!(!MembershipStatus::Refused.is_open());
        assert!(!MembershipStatus::Revoked.is_open());
        assert!(OrganisationType::Operator.is_created_by_users());
        assert!(!OrganisationType::Authority.is_created_by_users());
        assert!(MembershipRole::Administrator.is_operator_role());
        assert!(!MembershipRole::Officer.is_operator_role());
    }

    #[test]
    fn error_codes_are_stable() {
        let codes: Vec<_> = TransitionError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "already_decided",
                "not_valid",
                "already_suspended",
                "not_suspended",
                "final_status",
                "reason_required",
                "reason_too_long"
            ]
        );
    }
}
