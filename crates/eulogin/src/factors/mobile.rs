//! The EU Login mobile app, server side, without HTTP: devices waiting to be enrolled, login
//! requests pushed to the devices (number matching, two minutes), the decisions they send
//! back, device assertions, and the rules about PINs. Everything short-lived lives in the
//! key-value store with a time-to-live, so any replica can continue what another began.

use crate::store::factors::Factor;
use eulogin_mobile_protocol::{DeviceClaims, JWT_TYPE, PublicJwk, messages::PIN_LENGTH};
use infra::clock::SharedClock;
use infra::crypto;
use infra::kv::{KeyValue, KvError};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::Duration;

/// How long an enrolment QR code can be used.
pub const ENROLMENT_LIFETIME: Duration = Duration::minutes(10);
/// Wrong PINs the app may send for one enrolment QR code before it stops working.
pub const MAX_WRONG_ENROLMENT_PINS: i64 = 3;
/// A pushed login request waits this long for the phone.
pub const PUSH_LIFETIME: Duration = Duration::minutes(2);
/// Wrong PINs in a row that disable a device (it must be enrolled again).
pub const MAX_WRONG_PINS: i32 = 10;
/// A QR login challenge can be answered this long.
pub const QR_CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Clock difference tolerated between the phone and the server.
pub const CLOCK_SKEW_SECS: i64 = 30;

/// Why a PIN cannot be chosen: the key of the message, or `None` when it is fine. Four digits,
/// not all the same and not a straight run (`1234`, `9876`): those are the first ones tried.
pub fn pin_problem(pin: &str) -> Option<&'static str> {
    let digits: Vec<i8> = pin
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| (b - b'0') as i8)
        .collect();
    if pin.len() != PIN_LENGTH || digits.len() != PIN_LENGTH {
        return Some("mobile.pin_format");
    }
    let steps: Vec<i8> = digits.windows(2).map(|w| w[1] - w[0]).collect();
    let guessable = steps.iter().all(|s| *s == steps[0]) && steps[0].abs() <= 1;
    guessable.then_some("mobile.pin_too_simple")
}

/// The context of a PIN's keyed hash: bound to the device (or the enrolment), so a hash copied
/// to another row does not match there.
pub fn pin_context(owner: &str) -> String {
    format!("pin:{owner}")
}

/// A device being added: chosen in the browser, waiting for the app to scan the QR code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingEnrolment {
    pub account_id: String,
    /// The session that showed the QR code (the page polls for the result).
    pub session_handle: String,
    pub name: String,
    /// Keyed hash of the PIN chosen in the browser; the app must send the same PIN.
    pub pin_hash: String,
}

/// How an enrolment started by a session stands, for the page that shows the QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum EnrolmentStatus {
    Waiting,
    Done { name: String },
    Expired,
}

/// A login waiting for a decision on the phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub id: String,
    pub account_id: String,
    /// Two digits shown in the browser and on the phone.
    pub number: String,
    pub application: Option<String>,
    pub browser: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What a device decided about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum PushDecision {
    Approved { device_id: String },
    Denied { device_id: String },
}

/// Enrolments and pushed requests in the key-value store.
#[derive(Clone, Debug)]
pub struct MobileApp {
    kv: KeyValue,
    clock: SharedClock,
}

fn enrolment_key(token_hash: &str) -> String {
    format!("app_enrolment:{token_hash}")
}
fn enrolment_wrong_pins_key(token_hash: &str) -> String {
    format!("app_enrolment_wrong:{token_hash}")
}
fn enrolment_of_session_key(session: &str) -> String {
    format!("app_enrolment_of:{session}")
}
fn payload_of_session_key(session: &str) -> String {
    format!("app_enrolment_qr:{session}")
}
fn enrolled_key(token_hash: &str) -> String {
    format!("app_enrolled:{token_hash}")
}
fn push_key(id: &str) -> String {
    format!("app_push:{id}")
}
fn pushes_of_key(account_id: &str) -> String {
    format!("app_pushes_of:{account_id}")
}
fn decision_key(id: &str) -> String {
    format!("app_push_decision:{id}")
}

/// The hash under which an enrolment token is kept (the token itself is only in the QR code).
pub fn token_hash(token: &str) -> String {
    crypto::sha256_hex(token.as_bytes())
}

impl MobileApp {
    pub fn new(kv: KeyValue, clock: SharedClock) -> MobileApp {
        MobileApp { kv, clock }
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    async fn save<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) -> Result<(), KvError> {
        let json = serde_json::to_string(value).map_err(|e| KvError::other(e.to_string()))?;
        self.kv.set(key, &json, ttl).await
    }

    async fn load<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, KvError> {
        Ok(self
            .kv
            .get(key)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    // --- Enrolment -----------------------------------------------------------------------------

    /// Keeps an enrolment under the hash of its token, and the QR code's payload (sealed by
    /// the caller) for the session's page; a session has one at a time (a new QR code
    /// replaces the one shown before).
    pub async fn begin_enrolment(
        &self,
        token: &str,
        enrolment: &PendingEnrolment,
        sealed_payload: &str,
    ) -> Result<(), KvError> {
        let hash = token_hash(token);
        let session = &enrolment.session_handle;
        if let Some(previous) = self.kv.get(&enrolment_of_session_key(session)).await? {
            self.kv.delete(&enrolment_key(&previous)).await?;
        }
        self.save(&enrolment_key(&hash), enrolment, ENROLMENT_LIFETIME)
            .await?;
        self.kv
            .set(
                &enrolment_of_session_key(session),
                &hash,
                ENROLMENT_LIFETIME,
            )
            .await?;
        self.kv
            .set(
                &payload_of_session_key(session),
                sealed_payload,
                ENROLMENT_LIFETIME,
            )
            .await
    }

    /// The sealed payload of the QR code the session is showing.
    pub async fn enrolment_payload(&self, session: &str) -> Result<Option<String>, KvError> {
        self.kv.get(&payload_of_session_key(session)).await
    }

    /// The enrolment of a token, while it lasts.
    pub async fn enrolment(&self, token: &str) -> Result<Option<PendingEnrolment>, KvError> {
        self.load(&enrolment_key(&token_hash(token))).await
    }

    /// Counts a wrong PIN sent for the enrolment; at the limit the QR code stops working.
    /// Returns the attempts left.
    pub async fn wrong_enrolment_pin(&self, token: &str) -> Result<i64, KvError> {
        let hash = token_hash(token);
        let wrong = self
            .kv
            .increment(&enrolment_wrong_pins_key(&hash), ENROLMENT_LIFETIME)
            .await?;
        if wrong >= MAX_WRONG_ENROLMENT_PINS {
            self.kv.delete(&enrolment_key(&hash)).await?;
        }
        Ok((MAX_WRONG_ENROLMENT_PINS - wrong).max(0))
    }

    /// Uses the enrolment up: true for the one caller that took it (a second scan of the same
    /// QR code gets false).
    pub async fn take_enrolment(&self, token: &str) -> Result<bool, KvError> {
        Ok(self
            .kv
            .take(&enrolment_key(&token_hash(token)))
            .await?
            .is_some())
    }

    /// Tells the page that showed the QR code that the device is added, under `device_name`.
    pub async fn enrolment_done(&self, token: &str, device_name: &str) -> Result<(), KvError> {
        self.kv
            .set(
                &enrolled_key(&token_hash(token)),
                device_name,
                ENROLMENT_LIFETIME,
            )
            .await
    }

    /// How the enrolment last started by `session` stands.
    pub async fn enrolment_status(&self, session: &str) -> Result<EnrolmentStatus, KvError> {
        let Some(hash) = self.kv.get(&enrolment_of_session_key(session)).await? else {
            return Ok(EnrolmentStatus::Expired);
        };
        if let Some(name) = self.kv.get(&enrolled_key(&hash)).await? {
            return Ok(EnrolmentStatus::Done { name });
        }
        if self.kv.get(&enrolment_key(&hash)).await?.is_some() {
            return Ok(EnrolmentStatus::Waiting);
        }
        Ok(EnrolmentStatus::Expired)
    }

    // --- Pushed login requests -----------------------------------------------------------------

    /// A new request for the account's devices, with a fresh number.
    pub async fn push(
        &self,
        account_id: &str,
        application: Option<String>,
        browser: String,
    ) -> Result<PushRequest, KvError> {
        let now = self.now();
        let random = u16::from_be_bytes(crypto::random_bytes::<2>());
        let request = PushRequest {
            id: uuid::Uuid::new_v4().to_string(),
            account_id: account_id.to_owned(),
            number: format!("{}", 10 + random % 90),
            application,
            browser,
            created_at: now,
            expires_at: now + PUSH_LIFETIME.whole_seconds(),
        };
        // Kept a little beyond its expiry, so that a late phone hears "expired", not "unknown".
        let ttl = PUSH_LIFETIME + Duration::minutes(1);
        self.save(&push_key(&request.id), &request, ttl).await?;
        self.kv
            .set_add(&pushes_of_key(account_id), &request.id, ttl)
            .await?;
        Ok(request)
    }

    pub async fn find_push(&self, id: &str) -> Result<Option<PushRequest>, KvError> {
        if id.len() > 64 {
            return Ok(None);
        }
        self.load(&push_key(id)).await
    }

    /// The account's requests still waiting for a decision, oldest first.
    pub async fn pending_pushes(&self, account_id: &str) -> Result<Vec<PushRequest>, KvError> {
        let now = self.now();
        let mut pending = Vec::new();
        for id in self.kv.set_members(&pushes_of_key(account_id)).await? {
            match self.find_push(&id).await? {
                Some(request) if request.expires_at > now => {
                    if self.decision(&id).await?.is_none() {
                        pending.push(request);
                    }
                }
                Some(_) => {}
                None => {
                    self.kv.set_remove(&pushes_of_key(account_id), &id).await?;
                }
            }
        }
        pending.sort_by_key(|r| (r.created_at, r.id.clone()));
        Ok(pending)
    }

    /// Records the decision: true for the first one (a request is decided once).
    pub async fn decide(
        &self,
        request: &PushRequest,
        decision: &PushDecision,
    ) -> Result<bool, KvError> {
        let json = serde_json::to_string(decision).map_err(|e| KvError::other(e.to_string()))?;
        let ttl =
            Duration::seconds((request.expires_at - self.now()).max(1)) + Duration::minutes(1);
        self.kv
            .set_if_absent(&decision_key(&request.id), &json, ttl)
            .await
    }

    pub async fn decision(&self, id: &str) -> Result<Option<PushDecision>, KvError> {
        self.load(&decision_key(id)).await
    }

    /// Forgets a request (its login went on, or gave up on it).
    pub async fn end_push(&self, request: &PushRequest) -> Result<(), KvError> {
        self.kv
            .set_remove(&pushes_of_key(&request.account_id), &request.id)
            .await?;
        self.kv.delete(&push_key(&request.id)).await?;
        self.kv.delete(&decision_key(&request.id)).await
    }
}

// --- Device assertions ---------------------------------------------------------------------------

/// The device id a device assertion names (its `kid`), read before anything is trusted, with
/// the header's shape checked: `ES256` and the protocol's `typ`.
pub fn assertion_device_id(assertion: &str) -> Option<String> {
    let header = jsonwebtoken::decode_header(assertion).ok()?;
    if header.alg != Algorithm::ES256 || header.typ.as_deref() != Some(JWT_TYPE) {
        return None;
    }
    header.kid.filter(|kid| !kid.is_empty() && kid.len() <= 64)
}

/// Verifies a device assertion against the device's stored key, for a request to `audience`
/// (built from the configured public URL) at `now`: signature, `iss` = the device, exact
/// `aud`, at most 60 seconds of life, `iat` neither old nor in the future beyond the skew.
/// The `jti` is the caller's to remember.
pub fn verify_assertion(
    assertion: &str,
    device: &Factor,
    audience: &str,
    now: i64,
) -> Option<DeviceClaims> {
    let jwk: serde_json::Value = serde_json::from_str(&device.public_key).ok()?;
    let public = PublicJwk::from_value(&jwk).ok()?;
    let key = DecodingKey::from_ec_components(&public.x, &public.y).ok()?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.validate_exp = false;
    validation.set_audience(&[audience]);
    validation.set_issuer(&[&device.id]);
    validation.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
    let claims = jsonwebtoken::decode::<DeviceClaims>(assertion, &key, &validation)
        .ok()?
        .claims;
    let lifetime = claims.exp - claims.iat;
    let fresh = (0..=eulogin_mobile_protocol::ASSERTION_LIFETIME_SECS).contains(&lifetime)
        && claims.iat <= now + CLOCK_SKEW_SECS
        && claims.exp > now - CLOCK_SKEW_SECS
        && !claims.jti.is_empty()
        && claims.jti.len() <= 64;
    fresh.then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_pins_are_refused_and_others_accepted() {
        for pin in ["0000", "7777", "1234", "4321", "6789", "3210"] {
            assert_eq!(pin_problem(pin), Some("mobile.pin_too_simple"), "{pin}");
        }
        for pin in ["123", "12345", "12a4", "١٢٣٤", " 123"] {
            assert_eq!(pin_problem(pin), Some("mobile.pin_format"), "{pin}");
        }
        for pin in ["2580", "1357", "9021", "1123"] {
            assert_eq!(pin_problem(pin), None, "{pin}");
        }
    }
}
