//! The QR code the browser shows for a login without network on the phone:
//! `eulogin-app://login?v=1&server=<server URL>&challenge=<22 base64url characters>`. The app
//! answers with [`crate::qr_otp`], which the user types into the browser.

use crate::ProtocolError;
use crate::payload;
use crate::random::{check_base64url, random_base64url};
use url::Url;

/// Random bytes in a login challenge.
pub const CHALLENGE_BYTES: usize = 16;

/// What the login QR code tells the app: which server asks, and the challenge to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginChallengePayload {
    /// The server's base URL, compared with the server the device is enrolled with.
    pub server: Url,
    /// 16 random bytes as unpadded base64url (22 characters).
    pub challenge: String,
}

impl LoginChallengePayload {
    const KIND: &'static str = "login";

    /// A payload for `server` with a fresh random challenge (for the server).
    pub fn generate(server: Url) -> Result<LoginChallengePayload, ProtocolError> {
        payload::check_server(&server).map_err(|reason| ProtocolError::InvalidServer {
            server: crate::error::excerpt(server.as_str()),
            reason,
        })?;
        Ok(LoginChallengePayload {
            server,
            challenge: random_base64url(CHALLENGE_BYTES)?,
        })
    }

    /// The URI to put in the QR code.
    pub fn to_uri(&self) -> String {
        payload::build(
            Self::KIND,
            &[
                ("server", self.server.as_str()),
                ("challenge", &self.challenge),
            ],
        )
    }

    /// Reads a scanned login QR code.
    pub fn parse(input: &str) -> Result<LoginChallengePayload, ProtocolError> {
        let [server, challenge] = payload::parse(input, Self::KIND, ["server", "challenge"])?;
        let server = payload::parse_server(&server)?;
        check_base64url("login challenge", &challenge, CHALLENGE_BYTES)?;
        Ok(LoginChallengePayload { server, challenge })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_round_trips_through_its_uri() {
        let payload = LoginChallengePayload {
            server: Url::parse("https://ecas.example.eu").unwrap(),
            challenge: "3q2-7wEjRWeJq83vASNFZw".to_owned(),
        };
        let uri = payload.to_uri();
        assert_eq!(
            uri,
            "eulogin-app://login?v=1&server=https%3A%2F%2Fecas.example.eu%2F&challenge=3q2-7wEjRWeJq83vASNFZw"
        );
        assert_eq!(LoginChallengePayload::parse(&uri).unwrap(), payload);
        let generated = LoginChallengePayload::generate(payload.server.clone()).unwrap();
        assert_eq!(
            LoginChallengePayload::parse(&generated.to_uri()).unwrap(),
            generated
        );
    }

    #[test]
    fn malformed_challenges_and_enrolment_payloads_are_refused() {
        let with = |challenge: &str| {
            LoginChallengePayload::parse(&payload::build(
                "login",
                &[("server", "https://e.eu"), ("challenge", challenge)],
            ))
        };
        let malformed = Err(ProtocolError::MalformedRandomValue {
            name: "login challenge",
            chars: 22,
            bytes: 16,
        });
        assert_eq!(with("3q2-7wEjRWeJq83vASNFZ"), malformed);
        assert_eq!(with("3q2-7wEjRWeJq83vASNFZ!"), malformed);
        assert_eq!(with(""), malformed);
        let enrol = payload::build("enrol", &[("server", "https://e.eu"), ("token", "x")]);
        assert!(matches!(
            LoginChallengePayload::parse(&enrol),
            Err(ProtocolError::WrongKind { .. })
        ));
    }
}
