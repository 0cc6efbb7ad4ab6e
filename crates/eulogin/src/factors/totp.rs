//! Authenticator apps (TOTP, RFC 6238, through `totp-rs`): SHA-1, six digits, 30-second steps,
//! as every authenticator app understands. A code is accepted in its own step and one step
//! either side (clock drift); the caller stores the step of each accepted code and refuses a
//! code of that step or an earlier one, so no code works twice.

use totp_rs::{Builder, Secret, Totp};

/// Bytes of a new seed (160 bits, as RFC 4226 recommends).
pub const SEED_BYTES: usize = 20;

/// A new random seed.
pub fn new_seed() -> Vec<u8> {
    Secret::generate().as_bytes().to_vec()
}

fn totp(seed: &[u8], issuer: &str, account: &str) -> Option<Totp> {
    Builder::new()
        .with_secret(seed.to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

/// The `otpauth://` URI the authenticator app reads from the QR code.
pub fn otpauth_uri(seed: &[u8], issuer: &str, account: &str) -> Option<String> {
    totp(seed, issuer, account)?.to_url().ok()
}

/// The seed as people type it when they cannot scan (base32, in groups of four).
pub fn seed_for_typing(seed: &[u8]) -> String {
    let base32 = Secret::from(seed.to_vec()).to_base32();
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seed from its typed form (what `seed_for_typing` shows), ignoring spaces and case.
pub fn seed_from_typing(typed: &str) -> Option<Vec<u8>> {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::try_from_base32(compact)
        .ok()
        .map(|s| s.as_bytes().to_vec())
}

/// The time step of `typed` if it is the code of `seed` at `unix_time` (± one step).
pub fn matching_step(seed: &[u8], typed: &str, unix_time: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = u64::try_from(unix_time).ok()?;
    let step = totp(seed, "eulogin", "check")?.check(&digits, time)?;
    i64::try_from(step).ok()
}

/// The code of `seed` at `unix_time` (what the app shows; used by tests and the demo).
pub fn code_at(seed: &[u8], unix_time: i64) -> Option<String> {
    let time = u64::try_from(unix_time).ok()?;
    Some(totp(seed, "eulogin", "check")?.generate(time).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6238 test seed ("12345678901234567890") and its 59-second SHA-1 value.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn the_rfc_6238_vector_is_reproduced() {
        // RFC 6238 appendix B: 94287082 at T=59 (8 digits); six digits keep the last six.
        assert_eq!(code_at(RFC_SEED, 59).as_deref(), Some("287082"));
        assert_eq!(matching_step(RFC_SEED, "287 082", 59), Some(1));
    }

    #[test]
    fn one_step_of_drift_is_accepted_and_no_more() {
        let now = 1_800_000_000;
        let previous = code_at(RFC_SEED, now - 30).unwrap();
        let next = code_at(RFC_SEED, now + 30).unwrap();
        let too_old = code_at(RFC_SEED, now - 60).unwrap();
        assert_eq!(matching_step(RFC_SEED, &previous, now), Some(now / 30 - 1));
        assert_eq!(matching_step(RFC_SEED, &next, now), Some(now / 30 + 1));
        assert_eq!(matching_step(RFC_SEED, &too_old, now), None);
        assert_eq!(matching_step(RFC_SEED, "12345", now), None);
        assert_eq!(matching_step(RFC_SEED, "abcdef", now), None);
    }

    #[test]
    fn the_uri_names_the_service_and_the_account() {
        let seed = new_seed();
        assert_eq!(seed.len(), SEED_BYTES);
        let uri = otpauth_uri(&seed, "EU Login", "jane@example.eu").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/EU%20Login:jane%40example.eu?"),
            "{uri}"
        );
        assert!(uri.contains("secret="), "{uri}");
        assert!(uri.contains("issuer=EU%20Login"), "{uri}");
        assert_eq!(seed_for_typing(RFC_SEED).split(' ').count(), 8);
        assert_eq!(
            seed_from_typing(&seed_for_typing(&seed).to_lowercase()).unwrap(),
            seed
        );
    }
}
