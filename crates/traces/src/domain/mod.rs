//! The rules of traces, without I/O: the time is always passed in.

pub mod codes;
pub mod identifiers;
pub mod inactivity;
pub mod notifications;
pub mod status;
pub mod validity;
