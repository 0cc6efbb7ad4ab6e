//! The assurance levels traces accepts. eulogin names its levels with URIs under its issuer
//! (`{issuer}/loa/low`, `…/medium`, `…/high`); traces needs medium or high (a password and a
//! second factor) for people, both in the browser and on the API.

/// A level of assurance, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    /// The weakest level traces accepts.
    pub const REQUIRED: Level = Level::Medium;

    pub fn name(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    /// The `acr` value eulogin uses for this level.
    pub fn acr(self, issuer: &str) -> String {
        format!("{issuer}/loa/{}", self.name())
    }

    /// The level an `acr` value names, if it is one of `issuer`'s (an unknown value, or another
    /// issuer's, is no level at all).
    pub fn from_acr(issuer: &str, acr: &str) -> Option<Level> {
        match acr.strip_prefix(issuer)?.strip_prefix("/loa/")? {
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            _ => None,
        }
    }

    /// Whether an `acr` value is enough for traces.
    pub fn is_enough(issuer: &str, acr: Option<&str>) -> bool {
        acr.and_then(|acr| Level::from_acr(issuer, acr))
            .is_some_and(|level| level >= Level::REQUIRED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://login.example.eu";

    #[test]
    fn medium_and_high_of_our_issuer_are_enough_and_nothing_else() {
        assert!(Level::is_enough(
            ISSUER,
            Some("https://login.example.eu/loa/medium")
        ));
        assert!(Level::is_enough(
            ISSUER,
            Some("https://login.example.eu/loa/high")
        ));
        assert!(!Level::is_enough(
            ISSUER,
            Some("https://login.example.eu/loa/low")
        ));
        assert!(!Level::is_enough(
            ISSUER,
            Some("https://evil.example/loa/high")
        ));
        assert!(!Level::is_enough(
            ISSUER,
            Some("https://login.example.eu/loa/highest")
        ));
        assert!(!Level::is_enough(ISSUER, None));
        assert_eq!(
            Level::REQUIRED.acr(ISSUER),
            "https://login.example.eu/loa/medium"
        );
    }
}
