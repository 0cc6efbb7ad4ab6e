//! Lockout after consecutive wrong passwords. Five wrong passwords in a row block the account;
//! the sixth attempt is refused even with the right password, and only a new password (set
//! through an e-mailed link) unblocks it. A successful login resets the count.
//!
//! The count lives in the database and every attempt first *reserves* a place in it with one
//! conditional update (`failed_logins < 5`), before the password is even checked; so parallel
//! attempts, on any number of replicas, can never check more than five guesses.

/// Wrong passwords in a row that block an account.
pub const MAX_CONSECUTIVE_FAILURES: i32 = 5;

/// Whether an account with this many consecutive failures is blocked.
pub fn is_locked(failed_logins: i32) -> bool {
    failed_logins >= MAX_CONSECUTIVE_FAILURES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifth_failure_locks() {
        assert!(!is_locked(4));
        assert!(is_locked(5));
        assert!(is_locked(6));
    }
}
