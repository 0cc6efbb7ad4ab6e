//! The rules around second factors: which level a login must reach, and what counts as a
//! recent enough login for a sensitive change (adding or removing a factor, an e-mail address
//! or a phone number).

use crate::oidc::assurance::Loa;
use crate::security::sessions::SessionRecord;
use time::{Duration, OffsetDateTime};

/// A sensitive change needs a login this recent.
pub const REAUTHENTICATION_WINDOW: Duration = Duration::minutes(10);

/// The level a login must reach: what the application asks for, and at least `medium` for a
/// person who chose "always require multi-factor authentication".
pub fn required_level(requested: Loa, always_mfa: bool) -> Loa {
    if always_mfa {
        requested.max(Loa::Medium)
    } else {
        requested
    }
}

/// Whether the session may make a sensitive change now: the person logged in within the last
/// ten minutes, with a second factor if they have one (so that someone who learnt only the
/// password cannot add their own phone or remove the owner's key).
pub fn may_change_factors(session: &SessionRecord, has_factors: bool, now: OffsetDateTime) -> bool {
    let recent = now - session.authenticated_at <= REAUTHENTICATION_WINDOW;
    recent && (!has_factors || session.level() >= Loa::Medium)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::sessions::Proof;

    fn session(authenticated_at: OffsetDateTime, proof: Proof) -> SessionRecord {
        SessionRecord {
            account_id: "a".into(),
            created_at: authenticated_at,
            last_seen: authenticated_at,
            authenticated_at,
            ip: String::new(),
            user_agent: String::new(),
            sid: String::new(),
            amr: proof.amr,
            loa: Some(proof.loa),
        }
    }

    #[test]
    fn always_mfa_raises_low_to_medium_and_keeps_high() {
        assert_eq!(required_level(Loa::Low, false), Loa::Low);
        assert_eq!(required_level(Loa::Low, true), Loa::Medium);
        assert_eq!(required_level(Loa::High, true), Loa::High);
    }

    #[test]
    fn a_change_needs_a_login_of_the_last_ten_minutes_with_the_second_factor_if_any() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let fresh_password = session(now - Duration::minutes(9), Proof::password());
        assert!(may_change_factors(&fresh_password, false, now));
        assert!(!may_change_factors(&fresh_password, true, now));
        let mfa = crate::factors::Method::Sms.proof(false);
        assert!(may_change_factors(
            &session(now - Duration::minutes(9), mfa.clone()),
            true,
            now
        ));
        assert!(!may_change_factors(
            &session(now - Duration::minutes(11), mfa),
            true,
            now
        ));
    }
}
