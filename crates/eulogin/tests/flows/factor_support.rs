//! What the second-factor tests share: reading the text messages eulogin sent, adding methods
//! through the security page, and going through the second step of a login as a person would.

use crate::support::*;
use eulogin::store::factors::FactorKind;

/// One text message from the outbox.
#[derive(Debug, Clone)]
pub struct Text {
    pub to: String,
    pub text: String,
}

/// The code in a text message (three groups of three characters).
pub fn sms_code(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '.')
        .find(|word| {
            word.len() == 11
                && word.split('-').count() == 3
                && word
                    .split('-')
                    .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_owned()
}

impl TestApp {
    /// Every text message written to the outbox so far, oldest first.
    pub async fn texts(&self) -> Vec<Text> {
        self.state.factors.sms.idle().await;
        let mut files: Vec<_> = std::fs::read_dir(self.data.outbox.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".sms.json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let json: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
                Text {
                    to: json["to"].as_str().unwrap().to_owned(),
                    text: json["text"].as_str().unwrap().to_owned(),
                }
            })
            .collect()
    }

    /// The code of the newest text message to `number` (E.164).
    pub async fn last_code_to(&self, number: &str) -> String {
        let texts = self.texts().await;
        let last = texts
            .iter()
            .rev()
            .find(|t| t.to == number)
            .unwrap_or_else(|| panic!("no text message to {number}: {texts:?}"));
        sms_code(&last.text)
    }

    /// Adds a phone number on the security page and confirms it with the code sent to it.
    pub async fn add_phone(&self, typed: &str, e164: &str) {
        let sent = self
            .post_form("/account/security/phones", &[("phone", typed)])
            .await;
        assert_eq!(sent.status(), 303, "{}", sent.text().await.unwrap());
        let code = self.last_code_to(e164).await;
        let confirmed = self
            .post_form("/account/security/phones/confirm", &[("code", &code)])
            .await;
        assert_eq!(confirmed.status(), 303);
        assert_eq!(
            confirmed.headers()["location"],
            "/account/security?done=phone"
        );
    }

    /// Adds an authenticator app (reading the key under the QR code, as a person who cannot
    /// scan would) and returns its seed.
    pub async fn add_authenticator(&self) -> Vec<u8> {
        let started = self.post_form("/account/security/totp", &[]).await;
        assert_eq!(started.status(), 303);
        let page = self
            .get("/account/security/totp/confirm")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg"), "a QR code is shown");
        let seed = eulogin::factors::totp::seed_from_typing(&text_of(&page, "main code"))
            .expect("the key is shown");
        let code = self.authenticator_code(&seed, 0);
        let confirmed = self
            .post_form(
                "/account/security/totp/confirm",
                &[("code", &code), ("name", "Phone app")],
            )
            .await;
        assert_eq!(confirmed.status(), 303);
        assert_eq!(
            confirmed.headers()["location"],
            "/account/security?done=totp"
        );
        seed
    }

    /// The code an authenticator app shows, `steps` time steps from now on the test clock.
    pub fn authenticator_code(&self, seed: &[u8], steps: i64) -> String {
        let at = infra::clock::Clock::now(&self.clock).unix_timestamp() + steps * 30;
        eulogin::factors::totp::code_at(seed, at).unwrap()
    }

    /// Turns "always require multi-factor authentication" on.
    pub async fn always_require_mfa(&self) {
        let response = self
            .post_form("/account/security/always", &[("always", "on")])
            .await;
        assert_eq!(
            response.headers()["location"],
            "/account/security?done=always_on"
        );
    }

    /// The password step of a login that must go on to a second step.
    pub async fn login_to_second_step(&self, email: &str, password: &str) {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/login/verify");
    }

    /// Chooses a method on the second-step page (`sms:<id>`, `totp`, `recovery`, …).
    pub async fn choose_method(&self, choice: &str) -> reqwest::Response {
        self.post_form("/login/verify", &[("choice", choice)]).await
    }

    /// Types a code on the second-step page.
    pub async fn type_code(&self, code: &str) -> reqwest::Response {
        self.post_form("/login/verify/code", &[("code", code)])
            .await
    }

    /// The ids of the account's enrolled factors of one kind.
    pub async fn factor_ids(&self, email: &str, kind: FactorKind) -> Vec<String> {
        let email = email.to_owned();
        self.state
            .db
            .run(move |c| {
                let account = eulogin::store::accounts::find_by_email(c, &email)?.expect("account");
                Ok(eulogin::store::factors::list_kind(c, &account.id, kind)?)
            })
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    }

    /// Logs out this browser.
    pub async fn logout(&self) {
        let response = self.post_form("/logout", &[]).await;
        assert_eq!(response.status(), 200);
    }
}

impl TestApp {
    /// Logs in as `USER` through an authorization response and follows eulogin's redirects
    /// until it sends the browser to its security page; returns that path and query.
    pub async fn follow_to_application_or_page(&self, mut response: reqwest::Response) -> String {
        for _ in 0..10 {
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            if location.starts_with("/account/security") || !location.starts_with('/') {
                return location;
            }
            response = self.browser.get(self.url(&location)).send().await.unwrap();
            if response.status() == 200 {
                let html = response.text().await.unwrap();
                let pending = hidden_input(&html, "authorization").expect("the login page");
                response = self
                    .post_form(
                        "/login",
                        &[
                            ("authorization", pending.as_str()),
                            ("email", crate::oidc_support::USER),
                            ("password", STRONG_PASSWORD),
                        ],
                    )
                    .await;
            }
        }
        panic!("too many redirects");
    }
}
