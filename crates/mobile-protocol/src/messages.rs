//! The app API: its paths, the JSON bodies exchanged, and the RFC 9457 problems the server
//! answers with when it refuses a request.

use crate::ProtocolError;
use crate::assertion::PublicJwk;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use url::Url;

/// `POST`: enrol a device (no assertion; the enrolment token authorises).
pub const ENROL_PATH: &str = "/app/v1/devices";
/// `GET`: the device's pending requests. `POST {REQUESTS_PATH}/{id}`: decide one.
pub const REQUESTS_PATH: &str = "/app/v1/requests";
/// Digits in a device PIN.
pub const PIN_LENGTH: usize = 4;
/// Bytes in the device secret given at enrolment (the QR one-time password key).
pub const DEVICE_SECRET_BYTES: usize = 32;
/// The media type of problem responses.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// `server` followed by `path`, with exactly one `/` between them: `https://e.eu/cas/` and
/// `/app/v1/devices` give `https://e.eu/cas/app/v1/devices`. Its string form is the `aud` of
/// the assertion, so client and server must both build it this way.
pub fn endpoint_url(server: &Url, path: &str) -> Result<Url, ProtocolError> {
    let invalid = || ProtocolError::InvalidEndpoint {
        server: crate::error::excerpt(server.as_str()),
    };
    crate::payload::check_server(server).map_err(|_| invalid())?;
    let base = server.as_str().trim_end_matches('/');
    Url::parse(&format!("{base}{path}")).map_err(|_| invalid())
}

/// The URL deciding one pending request: `{server}{REQUESTS_PATH}/{request_id}`, with the id
/// percent-encoded as one path segment.
pub fn decision_url(server: &Url, request_id: &str) -> Result<Url, ProtocolError> {
    if request_id.is_empty() {
        return Err(ProtocolError::MissingParameter("request id"));
    }
    let mut url = endpoint_url(server, REQUESTS_PATH)?;
    url.path_segments_mut()
        .map_err(|()| ProtocolError::InvalidEndpoint {
            server: crate::error::excerpt(server.as_str()),
        })?
        .push(request_id);
    Ok(url)
}

/// Whether `pin` has the shape of a device PIN: exactly four ASCII digits.
pub fn is_well_formed_pin(pin: &str) -> bool {
    pin.len() == PIN_LENGTH && pin.bytes().all(|b| b.is_ascii_digit())
}

/// `POST {ENROL_PATH}`: the app's answer to an enrolment QR code.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The `token` of the [`crate::EnrolmentPayload`].
    pub enrolment_token: String,
    /// The device's public key as a P-256 JWK (see [`PublicJwk`]).
    pub public_key: serde_json::Value,
    /// The PIN the user chose, four digits.
    pub pin: String,
    /// A name for the device, shown in the user's account; the server picks one if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

impl std::fmt::Debug for EnrolRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolRequest")
            .field("enrolment_token", &"***")
            .field("public_key", &PublicJwk::from_value(&self.public_key).ok())
            .field("pin", &"***")
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// The server's answer to a successful enrolment.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The id naming the device in assertions (`iss` and `kid`).
    pub device_id: String,
    /// 32 random bytes as unpadded base64url: the key of [`crate::qr_otp`].
    pub device_secret: String,
    /// The device's name as the server recorded it.
    pub name: String,
    /// The account, partly masked, e.g. `j***@example.eu`.
    pub account_hint: String,
}

impl std::fmt::Debug for EnrolResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolResponse")
            .field("device_id", &self.device_id)
            .field("device_secret", &"***")
            .field("name", &self.name)
            .field("account_hint", &self.account_hint)
            .finish()
    }
}

impl EnrolResponse {
    /// The decoded device secret, checked to be 32 bytes.
    pub fn device_secret_bytes(&self) -> Result<Vec<u8>, ProtocolError> {
        match URL_SAFE_NO_PAD.decode(&self.device_secret) {
            Ok(bytes) if bytes.len() == DEVICE_SECRET_BYTES => Ok(bytes),
            _ => Err(ProtocolError::InvalidDeviceSecret),
        }
    }
}

/// `GET {REQUESTS_PATH}`: the device's pending login requests, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequests {
    pub requests: Vec<PendingRequest>,
}

/// One login waiting for the user's decision on the phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub id: String,
    /// Two digits, also shown in the browser: the user approves the request whose number matches.
    pub number: String,
    /// The application the user is logging in to, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The browser that started the login, e.g. `Firefox on Windows`.
    pub browser: String,
}

/// The answer to a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionResponse {
    /// `approved` or `denied`.
    pub status: String,
}

/// The `type` of each problem the app API answers with (see `proto/mobile-app.md` for the statuses).
pub mod problem_type {
    /// 400: the body or a field is malformed (bad JSON, JWK, PIN shape, name).
    pub const INVALID_REQUEST: &str = "urn:problem:invalid-request";
    /// 400: the enrolment token is unknown, used or expired.
    pub const INVALID_ENROLMENT_TOKEN: &str = "urn:problem:invalid-enrolment-token";
    /// 401: the `Authorization: Device` assertion is missing or invalid.
    pub const INVALID_ASSERTION: &str = "urn:problem:invalid-assertion";
    /// 403: wrong PIN; `remaining_attempts` says how many remain.
    pub const WRONG_PIN: &str = "urn:problem:wrong-pin";
    /// 403: too many wrong PINs; the device must be enrolled again.
    pub const DEVICE_LOCKED: &str = "urn:problem:device-locked";
    /// 404: no such pending request for this device.
    pub const REQUEST_NOT_FOUND: &str = "urn:problem:request-not-found";
    /// 409: the request was already approved or denied.
    pub const REQUEST_ALREADY_DECIDED: &str = "urn:problem:request-already-decided";
    /// 410: the request expired.
    pub const REQUEST_EXPIRED: &str = "urn:problem:request-expired";
    /// 429: too many requests; retry later.
    pub const RATE_LIMITED: &str = "urn:problem:rate-limited";
}

/// An RFC 9457 problem, as the server answers any refused request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// One of [`problem_type`] (`about:blank` if absent).
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    pub title: String,
    /// The HTTP status, repeated.
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// After a wrong PIN: how many attempts remain before the device is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_attempts: Option<u32>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    pub fn new(status: u16, kind: &str, title: &str) -> Problem {
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status,
            detail: None,
            remaining_attempts: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_remaining_attempts(mut self, remaining: u32) -> Problem {
        self.remaining_attempts = Some(remaining);
        self
    }
}

/// `Wrong PIN: The PIN is not correct. (7 attempts left)`.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        match self.remaining_attempts {
            Some(1) => f.write_str(" (1 attempt left)"),
            Some(n) => write!(f, " ({n} attempts left)"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_the_server_and_path_with_one_slash() {
        let cases = [
            ("https://e.eu", "https://e.eu/app/v1/devices"),
            ("https://e.eu/", "https://e.eu/app/v1/devices"),
            ("https://e.eu/cas", "https://e.eu/cas/app/v1/devices"),
            ("https://e.eu/cas/", "https://e.eu/cas/app/v1/devices"),
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/app/v1/devices",
            ),
        ];
        for (server, expected) in cases {
            let server = Url::parse(server).unwrap();
            assert_eq!(
                endpoint_url(&server, ENROL_PATH).unwrap().as_str(),
                expected
            );
        }
        let with_query = Url::parse("https://e.eu/?x=1").unwrap();
        assert!(endpoint_url(&with_query, ENROL_PATH).is_err());
    }

    #[test]
    fn request_ids_become_one_encoded_path_segment() {
        let server = Url::parse("https://e.eu/").unwrap();
        assert_eq!(
            decision_url(&server, "0190-abc").unwrap().as_str(),
            "https://e.eu/app/v1/requests/0190-abc"
        );
        assert_eq!(
            decision_url(&server, "../x?y#z").unwrap().as_str(),
            "https://e.eu/app/v1/requests/..%2Fx%3Fy%23z"
        );
        assert!(decision_url(&server, "").is_err());
    }

    #[test]
    fn pins_are_four_ascii_digits() {
        assert!(is_well_formed_pin("0123"));
        for bad in ["123", "12345", "12a4", "١٢٣٤", "", "12 4"] {
            assert!(!is_well_formed_pin(bad), "{bad}");
        }
    }

    #[test]
    fn bodies_have_their_documented_json_shape() {
        let request = EnrolRequest {
            enrolment_token: "t".into(),
            public_key: serde_json::json!({"kty": "EC"}),
            pin: "1234".into(),
            device_name: None,
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"enrolment_token": "t", "public_key": {"kty": "EC"}, "pin": "1234"})
        );
        assert!(!format!("{request:?}").contains("1234"));

        let pending: PendingRequests = serde_json::from_str(
            r#"{"requests":[{"id":"r1","number":"47","created_at":1,"expires_at":121,"browser":"Firefox on Linux"}]}"#,
        )
        .unwrap();
        assert_eq!(pending.requests[0].application, None);
        assert_eq!(pending.requests[0].number, "47");

        let response = EnrolResponse {
            device_id: "d".into(),
            device_secret: URL_SAFE_NO_PAD.encode([7u8; 32]),
            name: "phone".into(),
            account_hint: "j***@example.eu".into(),
        };
        assert_eq!(response.device_secret_bytes().unwrap(), vec![7u8; 32]);
        assert!(!format!("{response:?}").contains(&response.device_secret));
        let short = EnrolResponse {
            device_secret: URL_SAFE_NO_PAD.encode([7u8; 16]),
            ..response
        };
        assert_eq!(
            short.device_secret_bytes(),
            Err(ProtocolError::InvalidDeviceSecret)
        );
    }

    #[test]
    fn problems_parse_and_read_well() {
        let problem: Problem = serde_json::from_str(
            r#"{"type":"urn:problem:wrong-pin","title":"Wrong PIN","status":403,"detail":"The PIN is not correct.","remaining_attempts":7}"#,
        )
        .unwrap();
        assert_eq!(problem.kind, problem_type::WRONG_PIN);
        assert_eq!(
            problem.to_string(),
            "Wrong PIN: The PIN is not correct. (7 attempts left)"
        );
        let minimal: Problem = serde_json::from_str(r#"{"title":"Gone","status":410}"#).unwrap();
        assert_eq!(minimal, Problem::new(410, "about:blank", "Gone"));
        assert!(serde_json::from_str::<Problem>(r#"{"error":"x"}"#).is_err());
        assert_eq!(
            Problem::new(403, problem_type::WRONG_PIN, "Wrong PIN")
                .with_remaining_attempts(1)
                .to_string(),
            "Wrong PIN (1 attempt left)"
        );
    }
}
