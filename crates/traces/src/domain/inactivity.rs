//! The four-month rule: a user who has not used traces for four months is deactivated, and is
//! warned by e-mail two weeks before. A periodic job calls [`assess`] for each user with the
//! three timestamps stored on the user (`last_seen_at`, `inactivity_warned_at`,
//! `deactivated_at`) and the current time, and carries out the action it returns.
//!
//! - Deactivation happens at exactly `last_seen_at + deactivate_after`, warned or not (a job
//!   that was down through the whole warning window must not keep people active forever).
//! - The warning is due from `deactivate_after − warn_before` after the last use and is sent
//!   once: not again while `inactivity_warned_at` is at or after the last use. A use after the
//!   warning starts a new period, with a new warning when it comes.
//! - A deactivation at or after the last use is final here (reactivation is a person's
//!   decision); one older than the last use belongs to a period that has since been reopened
//!   (the user was reactivated and came back), so the user is assessed afresh.

use time::{Duration, OffsetDateTime};

/// How long a user may stay away, and how long before the end they are warned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InactivityPolicy {
    /// Time without use after which a user is deactivated.
    pub deactivate_after: Duration,
    /// How long before the deactivation the warning is sent.
    pub warn_before: Duration,
}

impl InactivityPolicy {
    /// The rule of TRACES: four months, warned two weeks before. Months differ in length, so
    /// "four months" is taken as 123 days, the longest four consecutive months (July to
    /// October): nobody is deactivated before four calendar months have passed.
    pub const FOUR_MONTHS: InactivityPolicy = InactivityPolicy {
        deactivate_after: Duration::days(123),
        warn_before: Duration::days(14),
    };

    /// A policy from configured durations, refused unless both are positive and the warning
    /// comes after the last use (`warn_before < deactivate_after`).
    pub fn new(
        deactivate_after: Duration,
        warn_before: Duration,
    ) -> Result<InactivityPolicy, InvalidInactivityPolicy> {
        if !deactivate_after.is_positive() || !warn_before.is_positive() {
            return Err(InvalidInactivityPolicy::NotPositive);
        }
        if warn_before >= deactivate_after {
            return Err(InvalidInactivityPolicy::WarningBeforeLastUse);
        }
        Ok(InactivityPolicy {
            deactivate_after,
            warn_before,
        })
    }
}

impl Default for InactivityPolicy {
    fn default() -> Self {
        InactivityPolicy::FOUR_MONTHS
    }
}

/// Why configured durations make no policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInactivityPolicy {
    /// A duration is zero or negative.
    #[error("the inactivity durations must be positive")]
    NotPositive,
    /// The warning would be due before the last use.
    #[error(
        "the warning must come after the last use: warn_before must be shorter than deactivate_after"
    )]
    WarningBeforeLastUse,
}

/// What to do about one user now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InactivityAction {
    /// Nothing: recently active, already warned, or already deactivated.
    Nothing,
    /// Send the warning e-mail (and store the time it was sent as `inactivity_warned_at`).
    SendWarning {
        /// When the user will be deactivated if they do not log in before, for the e-mail.
        deactivation_on: OffsetDateTime,
    },
    /// Deactivate the user (and store `deactivated_at`).
    Deactivate,
}

/// What the inactivity rule asks for one user at `now`. See the module documentation.
pub fn assess(
    policy: &InactivityPolicy,
    last_seen_at: OffsetDateTime,
    warned_at: Option<OffsetDateTime>,
    deactivated_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> InactivityAction {
    if deactivated_at.is_some_and(|deactivated| deactivated >= last_seen_at) {
        return InactivityAction::Nothing;
    }
    // A deadline beyond the representable range is never reached.
    let Some(deactivation_on) = last_seen_at.checked_add(policy.deactivate_after) else {
        return InactivityAction::Nothing;
    };
    if now >= deactivation_on {
        return InactivityAction::Deactivate;
    }
    let warning_due = deactivation_on
        .checked_sub(policy.warn_before)
        .is_none_or(|warn_from| now >= warn_from);
    let already_warned = warned_at.is_some_and(|warned| warned >= last_seen_at);
    if warning_due && !already_warned {
        InactivityAction::SendWarning { deactivation_on }
    } else {
        InactivityAction::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const POLICY: InactivityPolicy = InactivityPolicy::FOUR_MONTHS;
    const LAST_SEEN: OffsetDateTime = datetime!(2026-03-01 09:30:00 UTC);
    const SECOND: Duration = Duration::seconds(1);

    fn deadline() -> OffsetDateTime {
        LAST_SEEN + POLICY.deactivate_after
    }

    fn warn_from() -> OffsetDateTime {
        deadline() - POLICY.warn_before
    }

    #[test]
    fn four_months_is_never_shorter_than_four_calendar_months() {
        assert_eq!(deadline(), datetime!(2026-07-02 09:30:00 UTC));
        // Four months from 1 July end on 1 November: 123 days.
        assert_eq!(
            datetime!(2026-07-01 00:00 UTC) + POLICY.deactivate_after,
            datetime!(2026-11-01 00:00 UTC)
        );
        assert_eq!(InactivityPolicy::default(), POLICY);
    }

    #[test]
    fn an_active_user_is_left_alone() {
        let action = assess(&POLICY, LAST_SEEN, None, None, LAST_SEEN);
        assert_eq!(action, InactivityAction::Nothing);
        let action = assess(&POLICY, LAST_SEEN, None, None, warn_from() - SECOND);
        assert_eq!(action, InactivityAction::Nothing);
    }

    #[test]
    fn the_warning_is_due_exactly_two_weeks_before() {
        let action = assess(&POLICY, LAST_SEEN, None, None, warn_from());
        assert_eq!(
            action,
            InactivityAction::SendWarning {
                deactivation_on: deadline()
            }
        );
        assert_eq!(warn_from(), datetime!(2026-06-18 09:30:00 UTC));
        let action = assess(&POLICY, LAST_SEEN, None, None, deadline() - SECOND);
        assert!(matches!(action, InactivityAction::SendWarning { .. }));
    }

    #[test]
    fn the_warning_is_sent_once() {
        let warned = Some(warn_from() + Duration::minutes(5));
        for now in [warn_from() + Duration::hours(1), deadline() - SECOND] {
            assert_eq!(
                assess(&POLICY, LAST_SEEN, warned, None, now),
                InactivityAction::Nothing
            );
        }
        // A warning stored at the very instant of the last use still counts.
        assert_eq!(
            assess(&POLICY, LAST_SEEN, Some(LAST_SEEN), None, warn_from()),
            InactivityAction::Nothing
        );
    }

    #[test]
    fn deactivation_happens_exactly_at_the_deadline() {
        let warned = Some(warn_from());
        assert_eq!(
            assess(&POLICY, LAST_SEEN, warned, None, deadline() - SECOND),
            InactivityAction::Nothing
        );
        assert_eq!(
            assess(&POLICY, LAST_SEEN, warned, None, deadline()),
            InactivityAction::Deactivate
        );
        assert_eq!(
            assess(
                &POLICY,
                LAST_SEEN,
                warned,
                None,
                deadline() + Duration::days(30)
            ),
            InactivityAction::Deactivate
        );
        // Even without a warning (the job was down through the warning window).
        assert_eq!(
            assess(&POLICY, LAST_SEEN, None, None, deadline()),
            InactivityAction::Deactivate
        );
    }

    #[test]
    fn a_use_after_the_warning_starts_a_new_period() {
        let warned = Some(warn_from());
        let back = warn_from() + Duration::days(3);
        let new_deadline = back + POLICY.deactivate_after;
        // Right after coming back, and at the old deadline: nothing.
        assert_eq!(
            assess(&POLICY, back, warned, None, back),
            InactivityAction::Nothing
        );
        assert_eq!(
            assess(&POLICY, back, warned, None, deadline()),
            InactivityAction::Nothing
        );
        // The old warning does not count for the new period: a new one is due.
        assert_eq!(
            assess(
                &POLICY,
                back,
                warned,
                None,
                new_deadline - POLICY.warn_before
            ),
            InactivityAction::SendWarning {
                deactivation_on: new_deadline
            }
        );
        assert_eq!(
            assess(&POLICY, back, warned, None, new_deadline),
            InactivityAction::Deactivate
        );
    }

    #[test]
    fn a_deactivated_user_is_not_deactivated_again() {
        let deactivated = Some(deadline());
        assert_eq!(
            assess(
                &POLICY,
                LAST_SEEN,
                Some(warn_from()),
                deactivated,
                deadline() + SECOND
            ),
            InactivityAction::Nothing
        );
        assert_eq!(
            assess(&POLICY, LAST_SEEN, None, Some(LAST_SEEN), deadline()),
            InactivityAction::Nothing
        );
    }

    #[test]
    fn a_user_reactivated_and_back_is_assessed_afresh() {
        let deactivated = Some(deadline());
        let back = deadline() + Duration::days(10);
        assert_eq!(
            assess(
                &POLICY,
                back,
                Some(warn_from()),
                deactivated,
                back + Duration::days(1)
            ),
            InactivityAction::Nothing
        );
        assert_eq!(
            assess(
                &POLICY,
                back,
                Some(warn_from()),
                deactivated,
                back + POLICY.deactivate_after
            ),
            InactivityAction::Deactivate
        );
    }

    #[test]
    fn a_clock_behind_the_last_use_does_nothing() {
        assert_eq!(
            assess(
                &POLICY,
                LAST_SEEN,
                None,
                None,
                LAST_SEEN - Duration::days(1)
            ),
            InactivityAction::Nothing
        );
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let far = datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(
            assess(&POLICY, far, None, None, far),
            InactivityAction::Nothing
        );
        let long = InactivityPolicy {
            deactivate_after: Duration::days(1),
            warn_before: Duration::MAX,
        };
        assert_eq!(
            assess(&long, LAST_SEEN, None, None, LAST_SEEN),
            InactivityAction::SendWarning {
                deactivation_on: LAST_SEEN + Duration::days(1)
            }
        );
    }

    #[test]
    fn policies_must_make_sense() {
        assert_eq!(
            InactivityPolicy::new(Duration::days(123), Duration::days(14)),
            Ok(POLICY)
        );
        assert_eq!(
            InactivityPolicy::new(Duration::ZERO, Duration::days(14)),
            Err(InvalidInactivityPolicy::NotPositive)
        );
        assert_eq!(
            InactivityPolicy::new(Duration::days(1), -Duration::days(1)),
            Err(InvalidInactivityPolicy::NotPositive)
        );
        assert_eq!(
            InactivityPolicy::new(Duration::days(14), Duration::days(14)),
            Err(InvalidInactivityPolicy::WarningBeforeLastUse)
        );
    }
}
