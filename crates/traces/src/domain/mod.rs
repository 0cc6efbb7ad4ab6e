//! The rules of traces, without I/O: the time is always passed in, the reference data is
//! consulted through a trait, and nothing here reads a clock, a file or a database.
//!
//! - `status`: the statuses of operators, activities and memberships and the decisions that
//!   move them; organisation types and authority kinds.
//! - `identifiers`: national register, EORI and VAT numbers, checked and normalised.
//! - `notifications`: which health entry documents (CHED-PP, ...) an operator may notify.
//! - `inactivity`: the four-month rule.
//! - `validity`: activity validity periods entered in local time.
//! - `operator_form`, `address_form`, `activity_form`: the "Create a new operator" form and
//!   the form that adds an activity, checked all at once.

pub mod activity_form;
pub mod address_form;
pub mod codes;
pub mod identifiers;
pub mod inactivity;
pub mod notifications;
pub mod operator_form;
pub mod status;
pub mod validity;
