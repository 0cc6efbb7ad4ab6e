//! The enrolment QR code the browser shows when the user adds a device:
//! `eulogin-app://enrol?v=1&server=<server URL>&token=<43 base64url characters>`.

use crate::ProtocolError;
use crate::payload;
use crate::random::{check_base64url, random_base64url};
use url::Url;

/// Random bytes in an enrolment token.
pub const ENROLMENT_TOKEN_BYTES: usize = 32;

/// What the enrolment QR code tells the app: which server to enrol with, and the one-time token
/// that ties the new device to the account signed in on the browser.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentPayload {
    /// The server's base URL; the app's endpoints are this URL followed by their path.
    pub server: Url,
    /// 32 random bytes as unpadded base64url (43 characters).
    pub token: String,
}

impl std::fmt::Debug for EnrolmentPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentPayload")
            .field("server", &self.server.as_str())
            .field("token", &"***")
            .finish()
    }
}

impl EnrolmentPayload {
    const KIND: &'static str = "enrol";

    /// A payload for `server` with a fresh random token (for the server).
    pub fn generate(server: Url) -> Result<EnrolmentPayload, ProtocolError> {
        payload::check_server(&server).map_err(|reason| ProtocolError::InvalidServer {
            server: crate::error::excerpt(server.as_str()),
            reason,
        })?;
        Ok(EnrolmentPayload {
            server,
            token: random_base64url(ENROLMENT_TOKEN_BYTES)?,
        })
    }

    /// The URI to put in the QR code.
    pub fn to_uri(&self) -> String {
        payload::build(
            Self::KIND,
            &[("server", self.server.as_str()), ("token", &self.token)],
        )
    }

    /// Reads a scanned enrolment QR code.
    pub fn parse(input: &str) -> Result<EnrolmentPayload, ProtocolError> {
        let [server, token] = payload::parse(input, Self::KIND, ["server", "token"])?;
        let server = payload::parse_server(&server)?;
        check_base64url("enrolment token", &token, ENROLMENT_TOKEN_BYTES)?;
        Ok(EnrolmentPayload { server, token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA";

    #[test]
    fn a_payload_round_trips_through_its_uri() {
        let payload = EnrolmentPayload {
            server: Url::parse("https://ecas.example.eu/cas").unwrap(),
            token: TOKEN.to_owned(),
        };
        let uri = payload.to_uri();
        assert_eq!(
            uri,
            format!(
                "eulogin-app://enrol?v=1&server=https%3A%2F%2Fecas.example.eu%2Fcas&token={TOKEN}"
            )
        );
        assert_eq!(EnrolmentPayload::parse(&uri).unwrap(), payload);
    }

    #[test]
    fn generated_payloads_parse_and_hide_their_token_in_debug_output() {
        let payload =
            EnrolmentPayload::generate(Url::parse("http://127.0.0.1:8080").unwrap()).unwrap();
        assert_eq!(EnrolmentPayload::parse(&payload.to_uri()).unwrap(), payload);
        assert!(!format!("{payload:?}").contains(&payload.token));
        assert!(EnrolmentPayload::generate(Url::parse("ftp://example.eu").unwrap()).is_err());
    }

    #[test]
    fn bad_tokens_and_servers_are_refused() {
        let with = |server: &str, token: &str| {
            EnrolmentPayload::parse(&payload::build(
                "enrol",
                &[("server", server), ("token", token)],
            ))
        };
        let malformed = ProtocolError::MalformedRandomValue {
            name: "enrolment token",
            chars: 43,
            bytes: 32,
        };
        assert_eq!(with("https://e.eu", &TOKEN[1..]), Err(malformed.clone()));
        assert_eq!(
            with("https://e.eu", &format!("{TOKEN}A")),
            Err(malformed.clone())
        );
        assert_eq!(
            with("https://e.eu", &TOKEN.replace('q', "/")),
            Err(malformed.clone())
        );
        assert!(matches!(
            with("mailto:a@e.eu", TOKEN),
            Err(ProtocolError::InvalidServer { .. })
        ));
        assert_eq!(with("https://e.eu", &"x".repeat(1000)), Err(malformed));
        let login = payload::build("login", &[("server", "https://e.eu"), ("token", TOKEN)]);
        assert!(matches!(
            EnrolmentPayload::parse(&login),
            Err(ProtocolError::WrongKind {
                expected: "enrol",
                ..
            })
        ));
    }
}
