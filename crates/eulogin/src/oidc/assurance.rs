//! Assurance levels (`acr`) and authentication methods (`amr`, RFC 8176).
//!
//! The levels are URIs under the issuer: `{issuer}/loa/low` (a password), `…/loa/medium`
//! (a password and a second factor) and `…/loa/high` (a password and a phishing-resistant or
//! device-bound factor). A session reaches the level its methods prove, never more; a request
//! for more than that is refused or stepped up, never silently downgraded.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A level of assurance, ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loa {
    Low,
    Medium,
    High,
}

impl Loa {
    pub const ALL: [Loa; 3] = [Loa::Low, Loa::Medium, Loa::High];

    /// The short name used in configuration (`low`, `medium`, `high`).
    pub fn name(self) -> &'static str {
        match self {
            Loa::Low => "low",
            Loa::Medium => "medium",
            Loa::High => "high",
        }
    }

    pub fn from_name(name: &str) -> Option<Loa> {
        Loa::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The `acr` value: `{issuer}/loa/{name}`.
    pub fn acr(self, issuer: &str) -> String {
        format!("{issuer}/loa/{}", self.name())
    }

    /// The level an `acr` value names, if it is one of this issuer's.
    pub fn from_acr(issuer: &str, acr: &str) -> Option<Loa> {
        let name = acr.strip_prefix(issuer)?.strip_prefix("/loa/")?;
        Loa::from_name(name)
    }

    /// The level that a set of `amr` values proves.
    pub fn proven_by(amr: &[String]) -> Loa {
        let has = |m: &str| amr.iter().any(|a| a == m);
        if !has(Amr::PASSWORD) {
            return Loa::Low;
        }
        let key = has(Amr::HARDWARE_KEY) || has(Amr::SOFTWARE_KEY);
        if key && has(Amr::PIN) {
            Loa::High
        } else if key || has(Amr::OTP) || has(Amr::SMS) {
            Loa::Medium
        } else {
            Loa::Low
        }
    }
}

impl fmt::Display for Loa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// RFC 8176 authentication method reference values used by eulogin.
#[derive(Debug)]
pub struct Amr;

impl Amr {
    pub const PASSWORD: &'static str = "pwd";
    pub const OTP: &'static str = "otp";
    pub const SMS: &'static str = "sms";
    pub const PIN: &'static str = "pin";
    pub const SOFTWARE_KEY: &'static str = "swk";
    pub const HARDWARE_KEY: &'static str = "hwk";
    pub const MULTI_FACTOR: &'static str = "mfa";
}

/// What an application asked for with `acr_values` (space-separated, in order of preference).
///
/// Values that are not this issuer's levels are ignored, as OpenID Connect asks. Among the known
/// ones, the request is met by the first that the session can reach; when none can be reached,
/// the weakest of them is what the user must reach (by stepping up).
pub fn requested_level(issuer: &str, acr_values: Option<&str>) -> Option<Loa> {
    let known: Vec<Loa> = acr_values
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter_map(|v| Loa::from_acr(issuer, v))
        .collect();
    known.into_iter().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://login.example.eu";

    #[test]
    fn acr_values_are_uris_under_the_issuer() {
        assert_eq!(
            Loa::Medium.acr(ISSUER),
            "https://login.example.eu/loa/medium"
        );
        assert_eq!(
            Loa::from_acr(ISSUER, "https://login.example.eu/loa/high"),
            Some(Loa::High)
        );
        assert_eq!(Loa::from_acr(ISSUER, "https://evil.example/loa/high"), None);
        assert_eq!(
            Loa::from_acr(ISSUER, "https://login.example.eu/loa/max"),
            None
        );
    }

    #[test]
    fn a_password_alone_is_low_and_the_factor_decides_the_rest() {
        let amr = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Loa::proven_by(&amr(&["pwd"])), Loa::Low);
        assert_eq!(Loa::proven_by(&amr(&["pwd", "sms", "mfa"])), Loa::Medium);
        assert_eq!(Loa::proven_by(&amr(&["pwd", "otp", "mfa"])), Loa::Medium);
        assert_eq!(Loa::proven_by(&amr(&["pwd", "hwk", "mfa"])), Loa::Medium);
        assert_eq!(
            Loa::proven_by(&amr(&["pwd", "hwk", "pin", "mfa"])),
            Loa::High
        );
        assert_eq!(
            Loa::proven_by(&amr(&["pwd", "swk", "pin", "mfa"])),
            Loa::High
        );
        assert_eq!(Loa::proven_by(&amr(&["hwk"])), Loa::Low);
    }

    #[test]
    fn the_weakest_known_requested_level_is_the_requirement() {
        let both = format!("{} {}", Loa::High.acr(ISSUER), Loa::Medium.acr(ISSUER));
        assert_eq!(requested_level(ISSUER, Some(&both)), Some(Loa::Medium));
        assert_eq!(requested_level(ISSUER, Some("urn:other:gold")), None);
        assert_eq!(requested_level(ISSUER, None), None);
    }
}
