//! E-mail addresses as login names: validated, then normalised (trimmed, lower-cased) so that
//! `Anna.Berg@Example.se` and `anna.berg@example.se` are one account.

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    Invalid,
    TooLong,
}

/// The longest address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// Validates and normalises an address typed by a person.
pub fn normalise_email(raw: &str) -> Result<String, EmailProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(EmailProblem::Missing);
    }
    if trimmed.len() > MAX_EMAIL_LEN {
        return Err(EmailProblem::TooLong);
    }
    let lower = trimmed.to_lowercase();
    // Quoted local parts and IP-literal domains are valid in RFC 5322 but no person types them,
    // and they make addresses ambiguous: refused.
    if lower.contains(['"', '[', ']', ' ', '\\', '(', ')', ',', ';', '<', '>'])
        || lower.chars().any(char::is_control)
    {
        return Err(EmailProblem::Invalid);
    }
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return Err(EmailProblem::Invalid);
    };
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local.is_empty() || !domain_ok || !email_address::EmailAddress::is_valid(&lower) {
        return Err(EmailProblem::Invalid);
    }
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalise_email("  Anna.Berg@Example.SE ").unwrap(),
            "anna.berg@example.se"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "anna",
            "anna@",
            "@example.se",
            "anna@example",
            "anna@@example.se",
            "a b@example.se",
            "anna@exa_mple.se",
            "\"x\"@example.se",
            "anna@[127.0.0.1]",
            "anna@-example.se",
        ] {
            assert_eq!(normalise_email(bad), Err(EmailProblem::Invalid), "{bad}");
        }
        assert_eq!(normalise_email("   "), Err(EmailProblem::Missing));
        let long = format!("{}@example.se", "a".repeat(250));
        assert_eq!(normalise_email(&long), Err(EmailProblem::TooLong));
    }

    #[test]
    fn international_domains_are_accepted() {
        assert!(normalise_email("jörg@bücher.de").is_ok());
        assert!(normalise_email("first.last+tag@sub.example.eu").is_ok());
    }
}
