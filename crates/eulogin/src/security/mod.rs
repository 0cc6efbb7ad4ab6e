//! The security machinery behind the pages: password hashing, SSO sessions, rate limits and
//! the captcha.

pub mod captcha;
pub mod password_hasher;
pub mod rate_limit;
pub mod sealing;
pub mod sessions;
