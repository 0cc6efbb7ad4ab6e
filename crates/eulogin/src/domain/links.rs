//! E-mailed links: what they are for and how long they live. A link works for 90 minutes,
//! once; a newer link for the same purpose makes the older ones void. Links are stored only
//! as a hash of their token.

use time::{Duration, OffsetDateTime};

/// How long a link works after it is sent.
pub const LINK_VALIDITY: Duration = Duration::minutes(90);

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Set the first password after registration.
    SetPassword,
    /// Set a new password after "Forgot your password".
    ResetPassword,
    /// Confirm a new e-mail address.
    ChangeEmail,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "set_password",
            LinkPurpose::ResetPassword => "reset_password",
            LinkPurpose::ChangeEmail => "change_email",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPurpose> {
        match s {
            "set_password" => Some(LinkPurpose::SetPassword),
            "reset_password" => Some(LinkPurpose::ResetPassword),
            "change_email" => Some(LinkPurpose::ChangeEmail),
            _ => None,
        }
    }

    /// Links of the same group supersede each other: a reset link voids a pending
    /// registration link, because both set the password.
    pub fn group(self) -> &'static [&'static str] {
        match self {
            LinkPurpose::SetPassword | LinkPurpose::ResetPassword => {
                &["set_password", "reset_password"]
            }
            LinkPurpose::ChangeEmail => &["change_email"],
        }
    }

    pub fn sets_password(self) -> bool {
        matches!(self, LinkPurpose::SetPassword | LinkPurpose::ResetPassword)
    }
}

/// When a link issued at `now` stops working.
pub fn expiry_for(now: OffsetDateTime) -> OffsetDateTime {
    now + LINK_VALIDITY
}

/// Whether a link that expires at `expires_at` still works at `now`.
pub fn is_usable(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_lives_exactly_ninety_minutes() {
        let sent = time::macros::datetime!(2026-11-22 10:00 UTC);
        let expires = expiry_for(sent);
        assert!(is_usable(
            expires,
            sent + Duration::minutes(89) + Duration::seconds(59)
        ));
        assert!(!is_usable(expires, sent + Duration::minutes(90)));
        assert!(!is_usable(
            expires,
            sent + Duration::minutes(90) + Duration::seconds(1)
        ));
    }

    #[test]
    fn password_links_supersede_each_other_but_not_email_links() {
        assert_eq!(
            LinkPurpose::SetPassword.group(),
            LinkPurpose::ResetPassword.group()
        );
        assert!(!LinkPurpose::ChangeEmail.group().contains(&"reset_password"));
        for p in [
            LinkPurpose::SetPassword,
            LinkPurpose::ResetPassword,
            LinkPurpose::ChangeEmail,
        ] {
            assert_eq!(LinkPurpose::parse(p.as_str()), Some(p));
        }
    }
}
