//! Trusting eulogin: the browser login (authorization code + PKCE + nonce, medium assurance),
//! the server-side session behind an opaque cookie, logout and back-channel logout, and the
//! bearer access tokens of the JSON API validated locally against eulogin's keys.
mod stub;
pub use stub::{ApiCaller, SignedIn};
