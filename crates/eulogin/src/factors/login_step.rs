//! The second step of a login, between the password and the session: kept in the key-value
//! store under the hash of a random cookie value (`eulogin_step`, path `/login`), so that any
//! replica can continue it, for ten minutes at most. A step-up of an existing session keeps the
//! session's handle; a first login creates the session only when the step succeeds.
//!
//! Wrong codes are counted per step, in the store, atomically: five wrong codes end the step
//! (the password must be typed again), and asking for a new SMS code does not reset the count.

use crate::oidc::assurance::Loa;
use infra::clock::SharedClock;
use infra::crypto;
use infra::kv::{KeyValue, KvError};
use serde::{Deserialize, Serialize};
use time::Duration;

/// How long a person has for the second step.
pub const STEP_LIFETIME: Duration = Duration::minutes(10);
/// Wrong codes (of any method) that end a step.
pub const MAX_WRONG_CODES: i64 = 5;
/// An SMS code works this long.
pub const SMS_CODE_LIFETIME: Duration = Duration::minutes(10);
/// SMS codes sent within one step.
pub const MAX_SMS_PER_STEP: u32 = 3;

/// The code sent by SMS for this step (only its keyed hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmsChallenge {
    pub factor_id: String,
    pub code_hash: String,
    pub expires_at: i64,
}

/// A login between its password and its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginStep {
    pub account_id: String,
    /// The pending authorization request of an application, or empty.
    #[serde(default)]
    pub authorization: String,
    /// Where to go afterwards when there is no application (a local path), or empty.
    #[serde(default)]
    pub next: String,
    /// The level the step must reach.
    pub required: Loa,
    /// Set for a step-up: the session to raise.
    pub session_handle: Option<String>,
    pub started_at: i64,
    /// The method chosen last.
    pub method: Option<crate::factors::Method>,
    pub sms: Option<SmsChallenge>,
    #[serde(default)]
    pub sms_sent: u32,
    /// The request pushed to the mobile app, while the step waits for its decision.
    #[serde(default)]
    pub app_push: Option<String>,
    /// The challenge of the QR code shown for the mobile app's one-time password.
    #[serde(default)]
    pub app_qr: Option<QrChallenge>,
}

/// A QR code challenge for the mobile app (it is shown, so it is not secret; it is single
/// use because the step ends with it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QrChallenge {
    pub challenge: String,
    /// The QR code's payload, as shown.
    pub payload: String,
    pub expires_at: i64,
}

impl LoginStep {
    /// A step that has not chosen its method yet.
    pub fn new(
        account_id: &str,
        required: Loa,
        session_handle: Option<String>,
        started_at: i64,
    ) -> LoginStep {
        LoginStep {
            account_id: account_id.to_owned(),
            authorization: String::new(),
            next: String::new(),
            required,
            session_handle,
            started_at,
            method: None,
            sms: None,
            sms_sent: 0,
            app_push: None,
            app_qr: None,
        }
    }
}

/// The steps in the store.
#[derive(Clone, Debug)]
pub struct LoginSteps {
    kv: KeyValue,
    clock: SharedClock,
}

fn step_key(handle: &str) -> String {
    format!("login_step:{handle}")
}

fn wrong_codes_key(handle: &str) -> String {
    format!("login_step_wrong:{handle}")
}

impl LoginSteps {
    pub fn new(kv: KeyValue, clock: SharedClock) -> LoginSteps {
        LoginSteps { kv, clock }
    }

    /// Keeps a new step; returns the cookie value that finds it.
    pub async fn begin(&self, step: &LoginStep) -> Result<String, KvError> {
        let cookie_value = crypto::random_token();
        self.save(&crypto::sha256_hex(cookie_value.as_bytes()), step)
            .await?;
        Ok(cookie_value)
    }

    /// The step behind a cookie value, with its handle, while it lasts.
    pub async fn find(&self, cookie_value: &str) -> Result<Option<(String, LoginStep)>, KvError> {
        if cookie_value.len() != 43 {
            return Ok(None);
        }
        let handle = crypto::sha256_hex(cookie_value.as_bytes());
        let Some(json) = self.kv.get(&step_key(&handle)).await? else {
            return Ok(None);
        };
        let Ok(step) = serde_json::from_str::<LoginStep>(&json) else {
            return Ok(None);
        };
        let age = self.clock.now().unix_timestamp() - step.started_at;
        if age > STEP_LIFETIME.whole_seconds() {
            self.end(&handle).await?;
            return Ok(None);
        }
        Ok(Some((handle, step)))
    }

    /// Stores the step's new state (its lifetime still counts from its start).
    pub async fn save(&self, handle: &str, step: &LoginStep) -> Result<(), KvError> {
        let json = serde_json::to_string(step).map_err(|e| KvError::other(e.to_string()))?;
        self.kv.set(&step_key(handle), &json, STEP_LIFETIME).await
    }

    /// Ends the step (success, or too many wrong codes).
    pub async fn end(&self, handle: &str) -> Result<(), KvError> {
        self.kv.delete(&step_key(handle)).await
    }

    /// Counts one wrong code; returns how many wrong codes the step has had.
    pub async fn count_wrong_code(&self, handle: &str) -> Result<i64, KvError> {
        self.kv
            .increment(&wrong_codes_key(handle), STEP_LIFETIME)
            .await
    }

    /// Wrong codes so far, without counting one.
    pub async fn wrong_codes(&self, handle: &str) -> Result<i64, KvError> {
        Ok(self
            .kv
            .get(&wrong_codes_key(handle))
            .await?
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }
}
