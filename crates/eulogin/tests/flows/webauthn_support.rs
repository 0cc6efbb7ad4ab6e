//! What the security-key and passkey tests share: the browser's part of each ceremony (read the
//! options the page carries for `static/webauthn.js`, let a software authenticator answer, post
//! the answer as the script does), and the authenticators: webauthn-authenticator-rs'
//! `SoftPasskey` and `SoftToken`, and a hand-built synced passkey whose counter stays at zero.

/// The hand-built passkey of the WebAuthn crate's tests (its counter stays at zero), shared from
/// there rather than copied.
#[path = "../../../webauthn-factor/tests/support/synced_passkey.rs"]
pub mod synced_passkey;

use crate::support::*;
use eulogin::store::factors::{Factor, FactorKind};
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_authenticator_rs::prelude::WebauthnAuthenticator;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// The options a ceremony page carries for the script (`data-options` of its form).
pub fn page_options(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let form = scraper::Selector::parse("form[data-webauthn]").unwrap();
    doc.select(&form)
        .next()
        .and_then(|f| f.value().attr("data-options"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no ceremony on the page: {html}"))
}

/// The text of a page's error notice.
pub async fn error_of(response: reqwest::Response) -> String {
    text_of(&response.text().await.unwrap(), ".error[role=alert]")
}

impl TestApp {
    /// This browser (its cookies) talking to `other`, another replica of the same deployment.
    pub fn same_browser_on(&self, other: &TestApp) -> TestApp {
        TestApp {
            base: other.base.clone(),
            metrics_base: other.metrics_base.clone(),
            state: other.state.clone(),
            clock: self.clock.clone(),
            browser: self.browser.clone(),
            data: std::sync::Arc::clone(&self.data),
        }
    }

    /// The origin a browser on this instance reports.
    pub fn origin(&self) -> url::Url {
        url::Url::parse(&self.base).unwrap()
    }

    /// Starts adding a key of `kind` (`passkey` or `security_key`) named `name` on the security
    /// page; the options of the page it leads to.
    pub async fn start_key_registration(
        &self,
        name: &str,
        kind: &str,
    ) -> CreationChallengeResponse {
        let started = self
            .post_form("/account/security/keys", &[("name", name), ("kind", kind)])
            .await;
        assert_eq!(
            started.status(),
            303,
            "{}",
            started.text().await.unwrap_or_default()
        );
        assert_eq!(started.headers()["location"], "/account/security/keys/new");
        let page = self.get("/account/security/keys/new").await;
        assert_eq!(page.status(), 200);
        serde_json::from_str(&page_options(&page.text().await.unwrap())).unwrap()
    }

    /// Posts a new credential as the script does.
    pub async fn send_registration(
        &self,
        answer: &RegisterPublicKeyCredential,
    ) -> reqwest::Response {
        let json = serde_json::to_string(answer).unwrap();
        self.post_form("/account/security/keys/new", &[("credential", &json)])
            .await
    }

    /// Adds a key through the pages, made by `authenticator` in a browser on this instance; the
    /// answer to its registration.
    pub async fn add_key(
        &self,
        name: &str,
        kind: &str,
        authenticator: &mut impl WebauthnAuthenticator,
    ) -> reqwest::Response {
        let options = self.start_key_registration(name, kind).await;
        let answer = authenticator
            .do_registration(self.origin(), options)
            .expect("the authenticator registers");
        self.send_registration(&answer).await
    }

    /// The options of the login's key page (each visit starts a new ceremony).
    pub async fn key_login_options(&self) -> RequestChallengeResponse {
        let page = self.get("/login/verify/key").await;
        assert_eq!(page.status(), 200);
        serde_json::from_str(&page_options(&page.text().await.unwrap())).unwrap()
    }

    /// Posts a key's answer as the script does.
    pub async fn send_assertion(&self, answer: &PublicKeyCredential) -> reqwest::Response {
        let json = serde_json::to_string(answer).unwrap();
        self.post_form("/login/verify/key", &[("credential", &json)])
            .await
    }

    /// The login's second step with a key: its page, the authenticator's answer, the post.
    pub async fn answer_with_key(
        &self,
        authenticator: &mut impl WebauthnAuthenticator,
    ) -> reqwest::Response {
        let options = self.key_login_options().await;
        let answer = authenticator
            .do_authentication(self.origin(), options)
            .expect("the authenticator answers");
        self.send_assertion(&answer).await
    }

    /// An answer made for `origin` by a client that does not check it (a relay, a phishing
    /// page's own client).
    pub async fn answer_for_origin(
        &self,
        authenticator: &mut impl AuthenticatorBackend,
        origin: &str,
    ) -> reqwest::Response {
        let options = self.key_login_options().await.public_key;
        let answer = authenticator
            .perform_auth(url::Url::parse(origin).unwrap(), options, 60_000)
            .expect("the authenticator answers");
        self.send_assertion(&answer).await
    }

    /// The account's security keys and passkeys as stored.
    pub async fn keys_of(&self, email: &str) -> Vec<Factor> {
        let email = email.to_owned();
        self.state
            .db
            .run(move |c| {
                let account = eulogin::store::accounts::find_by_email(c, &email)?.expect("account");
                Ok(eulogin::store::factors::list_kind(
                    c,
                    &account.id,
                    FactorKind::WebAuthn,
                )?)
            })
            .await
            .unwrap()
    }

    /// The details of the account's audit events named `event`, newest first.
    pub async fn audit_details(&self, email: &str, event: &str) -> Vec<String> {
        self.audit_records(email)
            .await
            .into_iter()
            .filter(|e| e.event == event)
            .map(|e| e.detail)
            .collect()
    }
}
