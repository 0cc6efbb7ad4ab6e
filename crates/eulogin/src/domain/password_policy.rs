//! What makes an acceptable password: length between 12 and 256 characters, no composition
//! rules (NIST SP 800-63B), and a strength estimate (zxcvbn) that knows the person's own name
//! and e-mail address, so "AnnaBerg2026!" is refused for Anna Berg.

use unicode_normalization::UnicodeNormalization;
use zxcvbn::feedback::Warning;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;
/// zxcvbn's score from 0 to 4; 3 means "safely unguessable: moderate protection from an
/// offline slow-hash scenario".
const MIN_SCORE: u8 = 3;
/// zxcvbn's cost grows with length; beyond this many characters length alone is strength.
const ESTIMATE_PREFIX_CHARS: usize = 64;

/// Why a password was refused; each maps to a translated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Mismatch,
    ContainsPersonalData,
    Common,
    Pattern,
    Weak,
}

impl PasswordProblem {
    /// The translation key of the message shown next to the field.
    pub fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.too_short",
            PasswordProblem::TooLong => "password.too_long",
            PasswordProblem::Mismatch => "password.mismatch",
            PasswordProblem::ContainsPersonalData => "password.personal",
            PasswordProblem::Common => "password.common",
            PasswordProblem::Pattern => "password.pattern",
            PasswordProblem::Weak => "password.weak",
        }
    }
}

/// Passwords are compared in Unicode normal form C, so the same characters typed on two
/// keyboards give the same password.
pub fn normalise_password(raw: &str) -> String {
    raw.nfc().collect()
}

/// Checks a new password (already normalised) against the policy. `personal` holds the
/// person's names and e-mail address.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    personal: &[&str],
) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if password != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    let lower = password.to_lowercase();
    let mut inputs: Vec<String> = Vec::new();
    for p in personal {
        for part in p
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
        {
            let part = part.to_lowercase();
            if lower.contains(&part) && part.chars().count() * 2 >= chars / 2 {
                return Err(PasswordProblem::ContainsPersonalData);
            }
            inputs.push(part);
        }
    }
    let sample: String = password.chars().take(ESTIMATE_PREFIX_CHARS).collect();
    let input_refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(&sample, &input_refs);
    if u8::from(estimate.score()) >= MIN_SCORE {
        return Ok(());
    }
    // zxcvbn does not export its dictionary type; its Debug name is stable across 3.x.
    let uses_personal = estimate.sequence().iter().any(|m| {
        matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
            if format!("{:?}", d.dictionary_name) == "UserInputs")
    });
    if uses_personal {
        return Err(PasswordProblem::ContainsPersonalData);
    }
    let warning = estimate.feedback().and_then(|f| f.warning());
    Err(match warning {
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword
            | Warning::AWordByItselfIsEasyToGuess
            | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => PasswordProblem::Common,
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess
            | Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
            | Warning::SequencesLikeAbcAreEasyToGuess
            | Warning::RecentYearsAreEasyToGuess
            | Warning::DatesAreOftenEasyToGuess,
        ) => PasswordProblem::Pattern,
        None => PasswordProblem::Weak,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNA: &[&str] = &["Anna", "Berg", "anna.berg@example.se"];

    #[test]
    fn a_long_random_passphrase_is_accepted() {
        assert_eq!(
            check_new_password(
                "correct horse battery staple 93",
                "correct horse battery staple 93",
                ANNA
            ),
            Ok(())
        );
        let random = "tB7#kQ2v!Wm9zR4x";
        assert_eq!(check_new_password(random, random, ANNA), Ok(()));
        // A repeated chunk is a pattern, however long.
        let repeated = "x7Q!".repeat(32);
        assert_eq!(
            check_new_password(&repeated, &repeated, ANNA),
            Err(PasswordProblem::Pattern)
        );
    }

    #[test]
    fn length_limits_come_first() {
        assert_eq!(
            check_new_password("Sh0rt!pw", "Sh0rt!pw", ANNA),
            Err(PasswordProblem::TooShort)
        );
        let huge = "a".repeat(257);
        assert_eq!(
            check_new_password(&huge, &huge, ANNA),
            Err(PasswordProblem::TooLong)
        );
        // Length is counted in characters, not bytes.
        let twelve = "åäöåäöåäöåäö";
        assert_ne!(
            check_new_password(twelve, twelve, ANNA),
            Err(PasswordProblem::TooShort)
        );
    }

    #[test]
    fn confirmation_must_match() {
        assert_eq!(
            check_new_password("correct horse battery", "correct horse batterY", ANNA),
            Err(PasswordProblem::Mismatch)
        );
    }

    #[test]
    fn common_passwords_and_patterns_are_refused() {
        assert_eq!(
            check_new_password("password1234", "password1234", ANNA),
            Err(PasswordProblem::Common)
        );
        // Keyboard walks are in zxcvbn's list of common passwords.
        assert_eq!(
            check_new_password("qwertyuiopasdf", "qwertyuiopasdf", ANNA),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new_password("abcdefghijklmnop", "abcdefghijklmnop", ANNA),
            Err(PasswordProblem::Pattern)
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaaaa", "aaaaaaaaaaaaaa", ANNA),
            Err(PasswordProblem::Pattern)
        );
    }

    #[test]
    fn the_persons_own_name_is_refused() {
        assert_eq!(
            check_new_password("AnnaBerg2026!", "AnnaBerg2026!", ANNA),
            Err(PasswordProblem::ContainsPersonalData)
        );
    }

    #[test]
    fn normal_form_makes_composed_and_decomposed_equal() {
        assert_eq!(
            normalise_password("e\u{301}te\u{301}"),
            normalise_password("\u{e9}t\u{e9}")
        );
    }
}
