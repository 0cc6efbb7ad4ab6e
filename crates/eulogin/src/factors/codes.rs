//! One-time codes typed by people: the code sent by SMS (nine characters in three groups, like
//! `KX4-9QF-T2M`) and recovery codes (twelve, like `7HQK-M3XV-2PRD`). The alphabet leaves out
//! characters that are read or typed as others (0/O, 1/I/L, U/V); typing is forgiving about
//! case, spaces and dashes. Codes are kept only as keyed hashes.

use infra::crypto;

/// 30 characters: digits 2–9 and capitals without I, L, O, U.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of an SMS code (about 44 bits).
pub const SMS_CODE_LENGTH: usize = 9;
/// Characters of a recovery code (about 59 bits).
pub const RECOVERY_CODE_LENGTH: usize = 12;

fn random_code(length: usize, group: usize) -> String {
    let mut out = String::with_capacity(length + length / group);
    let mut written = 0;
    while written < length {
        // Rejection sampling keeps every character equally likely.
        for byte in crypto::random_bytes::<32>() {
            let limit = 256 - 256 % ALPHABET.len();
            if usize::from(byte) >= limit || written == length {
                continue;
            }
            if written > 0 && written % group == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            written += 1;
        }
    }
    out
}

/// A new code for an SMS, e.g. `KX4-9QF-T2M`.
pub fn new_sms_code() -> String {
    random_code(SMS_CODE_LENGTH, 3)
}

/// A new recovery code, e.g. `7HQK-M3XV-2PRD`.
pub fn new_recovery_code() -> String {
    random_code(RECOVERY_CODE_LENGTH, 4)
}

/// The canonical form of what someone typed (capitals, no spaces or dashes), if it can be a
/// code of `length` characters at all.
pub fn normalise(typed: &str, length: usize) -> Option<String> {
    let canonical: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let fits = canonical.len() == length && canonical.bytes().all(|b| ALPHABET.contains(&b));
    fits.then_some(canonical)
}

/// Keyed hashes of codes: what is stored and compared. The key is derived from
/// `EULOGIN_SECRET_KEY`, so a copy of the database or the key-value store gives no code.
#[derive(Clone)]
pub struct CodeHasher {
    key: Vec<u8>,
}

impl std::fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeHasher(..)")
    }
}

impl CodeHasher {
    pub fn new(server_key: &[u8]) -> CodeHasher {
        let derived = crypto::hmac_b64(server_key, b"eulogin/one-time-codes/v1");
        CodeHasher {
            key: derived.into_bytes(),
        }
    }

    /// The hash of a normalised code, bound to what it is for (`context`, e.g. a login id),
    /// so a code of one login or number is worthless for another.
    pub fn hash(&self, context: &str, code: &str) -> String {
        crypto::hmac_b64(&self.key, format!("{context}\n{code}").as_bytes())
    }

    /// Compares in constant time.
    pub fn matches(&self, context: &str, code: &str, stored_hash: &str) -> bool {
        crypto::constant_time_eq(self.hash(context, code).as_bytes(), stored_hash.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sms_code_has_three_groups_of_three_unambiguous_characters() {
        for _ in 0..200 {
            let code = new_sms_code();
            assert_eq!(code.len(), 11, "{code}");
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [3, 3, 3]
            );
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'U']), "{code}");
            assert_eq!(
                normalise(&code, SMS_CODE_LENGTH).unwrap(),
                code.replace('-', "")
            );
        }
        assert_ne!(new_sms_code(), new_sms_code());
    }

    #[test]
    fn recovery_codes_have_three_groups_of_four() {
        let code = new_recovery_code();
        assert_eq!(code.split('-').map(str::len).collect::<Vec<_>>(), [4, 4, 4]);
    }

    #[test]
    fn typing_is_forgiving_about_case_spaces_and_dashes_but_not_length_or_alphabet() {
        assert_eq!(
            normalise(" kx4 9qf-t2m ", SMS_CODE_LENGTH).as_deref(),
            Some("KX49QFT2M")
        );
        assert_eq!(normalise("KX4-9QF-T2", SMS_CODE_LENGTH), None);
        assert_eq!(normalise("KX4-9QF-T2MM", SMS_CODE_LENGTH), None);
        assert_eq!(normalise("KX4-9QF-T2O", SMS_CODE_LENGTH), None);
        assert_eq!(normalise("", SMS_CODE_LENGTH), None);
    }

    #[test]
    fn a_hash_matches_only_its_code_context_and_key() {
        let hasher = CodeHasher::new(b"server key one, thirty-two bytes");
        let stored = hasher.hash("login-1", "KX49QFT2M");
        assert!(hasher.matches("login-1", "KX49QFT2M", &stored));
        assert!(!hasher.matches("login-1", "KX49QFT2N", &stored));
        assert!(!hasher.matches("login-2", "KX49QFT2M", &stored));
        let other = CodeHasher::new(b"server key two, thirty-two bytes");
        assert!(!other.matches("login-1", "KX49QFT2M", &stored));
    }
}
