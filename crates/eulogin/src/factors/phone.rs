//! Mobile phone numbers: typed in international format (a plus sign and the country code),
//! validated against the numbering plans of libphonenumber (the `phonenumber` crate) and kept
//! in E.164 form, e.g. `+46701234567`.

/// Why a typed number is refused; each has its own message on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// It does not start with `+` and a country code.
    NotInternational,
    /// No such number exists in that country's numbering plan.
    Invalid,
}

impl PhoneError {
    /// The translation key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            PhoneError::NotInternational => "factors.phone_not_international",
            PhoneError::Invalid => "factors.phone_invalid",
        }
    }
}

/// The E.164 form of a typed number.
pub fn normalise_phone(typed: &str) -> Result<String, PhoneError> {
    let trimmed = typed.trim();
    let international = trimmed.starts_with('+') || trimmed.starts_with("00");
    if !international || trimmed.len() > 32 {
        return Err(PhoneError::NotInternational);
    }
    let text = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    let number = phonenumber::parse(None, &text).map_err(|_| PhoneError::Invalid)?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid);
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// How a number is shown once enrolled: the country code and the last two digits only, e.g.
/// `+46 ••••••• 67`, so that a glance over a shoulder or a screenshot gives it away no more.
pub fn masked(e164: &str) -> String {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return "••••".to_owned();
    };
    let country = number.code().value();
    let national = number.national().value().to_string();
    let tail = &national[national.len().saturating_sub(2)..];
    let hidden = "•".repeat(national.len().saturating_sub(2));
    format!("+{country} {hidden} {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_are_kept_in_e164() {
        assert_eq!(normalise_phone("+46 70 123 45 67").unwrap(), "+46701234567");
        assert_eq!(
            normalise_phone("+32 (0)470 12 34 56").unwrap(),
            "+32470123456"
        );
        assert_eq!(
            normalise_phone("0033 6 12 34 56 78").unwrap(),
            "+33612345678"
        );
    }

    #[test]
    fn a_national_number_or_an_impossible_one_is_refused_with_its_reason() {
        assert_eq!(
            normalise_phone("070 123 45 67"),
            Err(PhoneError::NotInternational)
        );
        assert_eq!(normalise_phone(""), Err(PhoneError::NotInternational));
        assert_eq!(normalise_phone("+46 1"), Err(PhoneError::Invalid));
        assert_eq!(normalise_phone("+999 123456789"), Err(PhoneError::Invalid));
        assert_eq!(normalise_phone("+46 abc"), Err(PhoneError::Invalid));
    }

    #[test]
    fn a_number_is_shown_masked() {
        assert_eq!(masked("+46701234567"), "+46 ••••••• 67");
    }
}
