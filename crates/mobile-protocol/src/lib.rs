//! The protocol between eulogin and the EU Login mobile app, shared by the server and the app so
//! that both sides read and write exactly the same bytes. `proto/mobile-app.md` at the top of the
//! workspace describes it in prose, with a worked example.
//!
//! - [`enrolment`] and [`login_challenge`]: the `eulogin-app://` URIs carried by QR codes;
//! - [`otp`]: the one-time password the app derives from a QR login challenge;
//! - [`assertion`]: the ES256-signed `Authorization: Device <JWS>` of every app request;
//! - [`messages`]: the paths and JSON bodies of the app API and its problem responses.

pub mod assertion;
pub mod enrolment;
pub mod error;
pub mod login_challenge;
pub mod messages;
pub mod otp;
mod payload;
mod random;

pub use assertion::{
    ASSERTION_LIFETIME_SECS, AUTH_SCHEME, Decision, DeviceClaims, DeviceKey, JWT_TYPE, PublicJwk,
};
pub use enrolment::EnrolmentPayload;
pub use error::ProtocolError;
pub use login_challenge::LoginChallengePayload;
pub use messages::{
    DecisionResponse, ENROL_PATH, EnrolRequest, EnrolResponse, PendingRequest, PendingRequests,
    Problem, REQUESTS_PATH, decision_url, endpoint_url, is_well_formed_pin,
};
pub use otp::{qr_otp, qr_otp_matches};
