//! The rules of accounts, free of I/O: what a valid name, e-mail address and password are,
//! how long a link lives, when an account is locked. Time is always passed in.

pub mod email;
pub mod links;
pub mod lockout;
pub mod names;
pub mod password_policy;
