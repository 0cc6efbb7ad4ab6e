//! Second factors: the methods a person can add to their password (SMS code, authenticator
//! app, the EU Login mobile app by PIN or QR code, security keys and passkeys, recovery codes),
//! the level each reaches, and the second step of a login that uses them.
//!
//! | method | `amr` | level |
//! |---|---|---|
//! | password alone | `pwd` | low |
//! | + SMS code | `pwd sms mfa` | medium |
//! | + authenticator app (TOTP) | `pwd otp mfa` | medium |
//! | + recovery code | `pwd otp mfa` | medium |
//! | + mobile app, QR code | `pwd swk otp mfa` | medium |
//! | + mobile app, PIN | `pwd swk pin mfa` | high |
//! | + security key or passkey, without user verification | `pwd hwk mfa` | medium |
//! | + security key or passkey, with user verification | `pwd hwk pin mfa` | high |

pub mod codes;
pub mod login_step;
pub mod mobile;
pub mod phone;
pub mod policy;
pub mod qr;
pub mod security_keys;
pub mod sms;
pub mod totp;

use crate::oidc::assurance::{Amr, Loa};
use crate::security::sealing::Sealer;
use crate::security::sessions::Proof;
use crate::store::factors::{Factor, FactorKind};
use codes::CodeHasher;
use serde::{Deserialize, Serialize};
use sms::SmsSender;

/// A way to pass the second step of a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    SecurityKey,
    AppPin,
    AppQr,
    Totp,
    Sms,
    Recovery,
}

impl Method {
    /// In the order the login page offers them: strongest first.
    pub const ALL: [Method; 6] = [
        Method::SecurityKey,
        Method::AppPin,
        Method::AppQr,
        Method::Totp,
        Method::Sms,
        Method::Recovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::SecurityKey => "security_key",
            Method::AppPin => "app_pin",
            Method::AppQr => "app_qr",
            Method::Totp => "totp",
            Method::Sms => "sms",
            Method::Recovery => "recovery",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The kind of enrolled factor the method uses.
    pub fn kind(self) -> FactorKind {
        match self {
            Method::SecurityKey => FactorKind::WebAuthn,
            Method::AppPin | Method::AppQr => FactorKind::App,
            Method::Totp => FactorKind::Totp,
            Method::Sms => FactorKind::Sms,
            Method::Recovery => FactorKind::Recovery,
        }
    }

    /// The strongest level the method can reach.
    pub fn best_level(self) -> Loa {
        self.proof(true).loa
    }

    /// What a successful use proves, with the password before it. `user_verified` matters for
    /// security keys only (a PIN or biometric check on the key itself).
    pub fn proof(self, user_verified: bool) -> Proof {
        let methods: &[&str] = match self {
            Method::Sms => &[Amr::SMS],
            Method::Totp | Method::Recovery => &[Amr::OTP],
            Method::AppQr => &[Amr::SOFTWARE_KEY, Amr::OTP],
            Method::AppPin => &[Amr::SOFTWARE_KEY, Amr::PIN],
            Method::SecurityKey if user_verified => &[Amr::HARDWARE_KEY, Amr::PIN],
            Method::SecurityKey => &[Amr::HARDWARE_KEY],
        };
        let mut amr = vec![Amr::PASSWORD.to_owned()];
        amr.extend(methods.iter().map(|m| (*m).to_owned()));
        amr.push(Amr::MULTI_FACTOR.to_owned());
        let loa = match self {
            Method::SecurityKey if user_verified => Loa::High,
            Method::AppPin => Loa::High,
            _ => Loa::Medium,
        };
        Proof { amr, loa }
    }

    /// The translation key of the method's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Method::SecurityKey => "factors.method_security_key",
            Method::AppPin => "factors.method_app_pin",
            Method::AppQr => "factors.method_app_qr",
            Method::Totp => "factors.method_totp",
            Method::Sms => "factors.method_sms",
            Method::Recovery => "factors.method_recovery",
        }
    }
}

/// The methods the enrolled `factors` allow, each with the best level it can reach there.
pub fn available_methods(factors: &[Factor]) -> Vec<(Method, Loa)> {
    Method::ALL
        .into_iter()
        .filter(|m| factors.iter().any(|f| f.kind == m.kind() && f.is_usable()))
        .map(|m| (m, m.best_level()))
        .collect()
}

/// The machinery of second factors, shared by every handler.
#[derive(Clone, Debug)]
pub struct Factors {
    /// Encrypts TOTP seeds and device secrets at rest.
    pub sealer: Sealer,
    /// Keyed hashes of SMS and recovery codes.
    pub codes: CodeHasher,
    pub sms: SmsSender,
}

impl Factors {
    pub fn new(server_key: &[u8], sms: SmsSender) -> Factors {
        Factors {
            sealer: Sealer::new(server_key, b"eulogin/factor-secrets/v1"),
            codes: CodeHasher::new(server_key),
            sms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_tells_the_truth_about_what_it_proved() {
        let sms = Method::Sms.proof(false);
        assert_eq!(sms.amr, ["pwd", "sms", "mfa"]);
        assert_eq!(sms.loa, Loa::Medium);
        assert_eq!(Method::AppPin.proof(false).loa, Loa::High);
        assert_eq!(Method::AppQr.proof(false).loa, Loa::Medium);
        assert_eq!(Method::SecurityKey.proof(false).loa, Loa::Medium);
        let verified = Method::SecurityKey.proof(true);
        assert_eq!(verified.amr, ["pwd", "hwk", "pin", "mfa"]);
        assert_eq!(verified.loa, Loa::High);
        assert_eq!(Method::Recovery.proof(false).amr, ["pwd", "otp", "mfa"]);
    }

    #[test]
    fn method_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
        }
        assert_eq!(Method::parse("password"), None);
    }
}
