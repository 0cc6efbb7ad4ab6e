//! [`Device`]: one enrolled device, doing what the phone app does: enrol from a QR code, list
//! pending logins, approve or deny one with the PIN, and answer a QR login challenge offline.

use crate::AppError;
use crate::http::send_json;
use crate::keyring::StoredDevice;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use eulogin_mobile_protocol::messages::DEVICE_SECRET_BYTES;
use eulogin_mobile_protocol::{
    AUTH_SCHEME, Decision, DecisionResponse, DeviceClaims, DeviceKey, ENROL_PATH, EnrolRequest,
    EnrolResponse, EnrolmentPayload, LoginChallengePayload, PendingRequest, PendingRequests,
    ProtocolError, REQUESTS_PATH, decision_url, endpoint_url, qr_otp,
};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use url::Url;

/// An enrolled device: its server, its id there, its signing key and its OTP secret.
pub struct Device {
    server: Url,
    device_id: String,
    name: String,
    account_hint: String,
    key: DeviceKey,
    pkcs8: Vec<u8>,
    device_secret: Vec<u8>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("server", &self.server.as_str())
            .field("device_id", &self.device_id)
            .field("name", &self.name)
            .field("account_hint", &self.account_hint)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Enrols a new device from the enrolment QR code's payload: generates a key pair, sends
    /// its public half with `pin` to the server named in the payload and keeps what the server
    /// answers. The PIN is checked by the server, not here, so that tests can see its refusals.
    pub async fn enrol(
        http: &reqwest::Client,
        payload_uri: &str,
        pin: &str,
        device_name: Option<&str>,
    ) -> Result<Device, AppError> {
        let payload = EnrolmentPayload::parse(payload_uri)?;
        let (key, pkcs8) = DeviceKey::generate()?;
        let url = endpoint_url(&payload.server, ENROL_PATH)?;
        let body = EnrolRequest {
            enrolment_token: payload.token,
            public_key: key.public_jwk(),
            pin: pin.to_owned(),
            device_name: device_name.map(str::to_owned),
        };
        let response: EnrolResponse = send_json(http.post(url.clone()).json(&body), &url).await?;
        let device_secret = response.device_secret_bytes()?;
        Ok(Device {
            server: payload.server,
            device_id: response.device_id,
            name: response.name,
            account_hint: response.account_hint,
            key,
            pkcs8,
            device_secret,
        })
    }

    /// The logins waiting for this device's decision.
    pub async fn pending(&self, http: &reqwest::Client) -> Result<Vec<PendingRequest>, AppError> {
        let url = endpoint_url(&self.server, REQUESTS_PATH)?;
        let claims = DeviceClaims::new(&self.device_id, url.as_str(), unix_now())?;
        let request = http
            .get(url.clone())
            .header(AUTHORIZATION, self.authorization(&claims)?);
        let response: PendingRequests = send_json(request, &url).await?;
        Ok(response.requests)
    }

    /// Approves or denies the pending request `request_id`, proving the user with `pin`.
    pub async fn decide(
        &self,
        http: &reqwest::Client,
        request_id: &str,
        decision: Decision,
        pin: &str,
    ) -> Result<DecisionResponse, AppError> {
        self.send_decision(http, request_id, decision, Some(pin))
            .await
    }

    /// [`Device::decide`] with the PIN optional (a denial may be sent without one).
    pub async fn send_decision(
        &self,
        http: &reqwest::Client,
        request_id: &str,
        decision: Decision,
        pin: Option<&str>,
    ) -> Result<DecisionResponse, AppError> {
        let url = decision_url(&self.server, request_id)?;
        let claims = DeviceClaims::new(&self.device_id, url.as_str(), unix_now())?
            .with_decision(request_id, decision, pin);
        let request = http
            .post(url.clone())
            .header(AUTHORIZATION, self.authorization(&claims)?)
            .json(&serde_json::json!({}));
        send_json(request, &url).await
    }

    /// The one-time password answering a QR login code, computed offline; refused when the code
    /// comes from another server than this device's.
    pub fn otp(&self, qr_payload_uri: &str) -> Result<String, AppError> {
        let payload = LoginChallengePayload::parse(qr_payload_uri)?;
        if payload.server != self.server {
            return Err(AppError::WrongServer {
                payload_server: payload.server.to_string(),
                device_server: self.server.to_string(),
            });
        }
        Ok(qr_otp(&self.device_secret, &payload.challenge))
    }

    /// The signed assertion (compact JWS) of `claims`, for tests that craft their own claims
    /// (another `aud`, an old `iat`, a replayed `jti`…).
    pub fn assertion(&self, claims: &DeviceClaims) -> Result<String, AppError> {
        Ok(self.key.sign(&self.device_id, claims)?)
    }

    /// `Device <JWS>`, as the `Authorization` header, marked sensitive so that it is not logged.
    pub fn authorization(&self, claims: &DeviceClaims) -> Result<HeaderValue, AppError> {
        let mut value = HeaderValue::try_from(format!("{AUTH_SCHEME} {}", self.assertion(claims)?))
            .map_err(|_| AppError::Protocol(ProtocolError::SigningFailed))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Rebuilds a device from the keyring.
    pub fn from_stored(stored: &StoredDevice) -> Result<Device, AppError> {
        let invalid = |reason: &str| AppError::InvalidStoredDevice {
            device_id: stored.device_id.clone(),
            reason: reason.to_owned(),
        };
        let server = Url::parse(&stored.server).map_err(|_| invalid("the server is not a URL"))?;
        let pkcs8 = URL_SAFE_NO_PAD
            .decode(&stored.private_key_pkcs8)
            .map_err(|_| invalid("the private key is not base64url"))?;
        let key = DeviceKey::from_pkcs8(&pkcs8).map_err(|e| invalid(&e.to_string()))?;
        let device_secret = URL_SAFE_NO_PAD
            .decode(&stored.device_secret)
            .ok()
            .filter(|secret| secret.len() == DEVICE_SECRET_BYTES)
            .ok_or_else(|| invalid("the device secret is not 32 bytes of base64url"))?;
        Ok(Device {
            server,
            device_id: stored.device_id.clone(),
            name: stored.name.clone(),
            account_hint: stored.account_hint.clone(),
            key,
            pkcs8,
            device_secret,
        })
    }

    /// What the keyring stores of this device.
    pub fn to_stored(&self) -> StoredDevice {
        StoredDevice {
            server: self.server.to_string(),
            device_id: self.device_id.clone(),
            name: self.name.clone(),
            account_hint: self.account_hint.clone(),
            private_key_pkcs8: URL_SAFE_NO_PAD.encode(&self.pkcs8),
            device_secret: URL_SAFE_NO_PAD.encode(&self.device_secret),
        }
    }

    /// The server's base URL.
    pub fn server(&self) -> &Url {
        &self.server
    }

    /// The id the server gave this device.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The device's name as the server recorded it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The account, partly masked, e.g. `j***@example.eu`.
    pub fn account_hint(&self) -> &str {
        &self.account_hint
    }

    /// The public key as sent at enrolment.
    pub fn public_jwk(&self) -> serde_json::Value {
        self.key.public_jwk()
    }
}

/// The clock, read here at the edge; everything below takes the time as a value.
fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eulogin_mobile_protocol::{LoginChallengePayload, qr_otp_matches};

    fn device(server: &str) -> Device {
        let (_, pkcs8) = DeviceKey::generate().unwrap();
        Device::from_stored(&StoredDevice {
            server: server.to_owned(),
            device_id: "dev-1".to_owned(),
            name: "Test phone".to_owned(),
            account_hint: "j***@example.eu".to_owned(),
            private_key_pkcs8: URL_SAFE_NO_PAD.encode(pkcs8),
            device_secret: URL_SAFE_NO_PAD.encode([9u8; 32]),
        })
        .unwrap()
    }

    fn login_payload(server: &str) -> String {
        LoginChallengePayload::generate(Url::parse(server).unwrap())
            .unwrap()
            .to_uri()
    }

    #[test]
    fn the_otp_answers_a_challenge_of_the_devices_server() {
        let device = device("https://ecas.example.eu");
        let uri = login_payload("https://ecas.example.eu/");
        let otp = device.otp(&uri).unwrap();
        let challenge = LoginChallengePayload::parse(&uri).unwrap().challenge;
        assert!(qr_otp_matches(&[9u8; 32], &challenge, &otp));
    }

    #[test]
    fn the_otp_is_refused_for_a_challenge_of_another_server() {
        let device = device("https://ecas.example.eu");
        let error = device
            .otp(&login_payload("https://evil.example.com"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "this QR code comes from https://evil.example.com/, but the device is enrolled with https://ecas.example.eu/"
        );
    }

    #[test]
    fn a_malformed_qr_code_gives_a_clear_message() {
        let device = device("https://ecas.example.eu");
        let error = device
            .otp("eulogin-app://login?v=1&server=https%3A%2F%2Fecas.example.eu&challenge=short")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the `login challenge` must be exactly 22 base64url characters (16 random bytes)"
        );
        let error = device.otp("https://ecas.example.eu/login").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the QR code payload must start with `eulogin-app://`, not `https:`"
        );
    }

    #[tokio::test]
    async fn enrolment_refuses_a_bad_payload_before_contacting_anyone() {
        let http = crate::http_client().unwrap();
        let cases = [
            (
                "eulogin-app://enrol?v=2&server=https%3A%2F%2Fe.eu&token=x",
                "unsupported payload version `v=2`; this app understands v=1 only",
            ),
            (
                "eulogin-app://enrol?v=1&token=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
                "the QR code payload lacks the `server` parameter",
            ),
            (
                "eulogin-app://enrol?v=1&server=ftp%3A%2F%2Fe.eu&token=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA",
                "the server address `ftp://e.eu` is not usable: only http and https servers are allowed",
            ),
        ];
        for (payload, message) in cases {
            let error = Device::enrol(&http, payload, "1234", None)
                .await
                .unwrap_err();
            assert!(matches!(error, AppError::Protocol(_)));
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn a_device_survives_the_keyring_and_signs_for_its_id() {
        let device = device("https://ecas.example.eu");
        let again = Device::from_stored(&device.to_stored()).unwrap();
        assert_eq!(again.public_jwk(), device.public_jwk());
        assert_eq!(again.to_stored(), device.to_stored());
        let claims =
            DeviceClaims::new("dev-1", "https://ecas.example.eu/app/v1/requests", 0).unwrap();
        let header = device.authorization(&claims).unwrap();
        assert!(header.is_sensitive());
        assert!(header.to_str().unwrap().starts_with("Device ey"));
    }

    #[test]
    fn a_damaged_stored_device_is_named_in_the_error() {
        let mut stored = device("https://ecas.example.eu").to_stored();
        stored.device_secret = "c2hvcnQ".to_owned();
        let error = Device::from_stored(&stored).unwrap_err();
        assert_eq!(
            error.to_string(),
            "stored device dev-1 is damaged: the device secret is not 32 bytes of base64url"
        );
    }
}
