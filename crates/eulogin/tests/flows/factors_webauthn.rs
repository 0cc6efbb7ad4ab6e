//! Security keys and passkeys through the pages, with software authenticators in the browser's
//! place: adding one (behind the re-authentication), logging in with it at the level it
//! proves, and every refusal a person or an attacker can meet (a counter that goes back, another
//! origin, a key registered twice, a replayed answer, another account's key, no user
//! verification for the high level), and removing one.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use crate::webauthn_support::synced_passkey::SyncedPasskey;
use crate::webauthn_support::*;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_authenticator_rs::prelude::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_rs_proto::UserVerificationPolicy;

const EMAIL: &str = "keys@example.se";
const OTHER: &str = "other.keys@example.se";

/// An account logged in a moment ago with its password, free to add a method.
async fn fresh_account(app: &TestApp, email: &str) {
    app.insert_account(email, STRONG_PASSWORD).await;
    assert_eq!(app.login(email, STRONG_PASSWORD).await.status(), 303);
}

/// Adds a key, which must succeed.
async fn added(app: &TestApp, name: &str, kind: &str, key: &mut impl WebauthnAuthenticator) {
    let response = app.add_key(name, kind, key).await;
    assert_eq!(
        response.status(),
        303,
        "{}",
        response.text().await.unwrap_or_default()
    );
    assert_eq!(response.headers()["location"], "/account/security?done=key");
}

/// An account with `key` added as `kind` and "always require" on, logged out.
async fn account_with_key(app: &TestApp, kind: &str, key: &mut impl WebauthnAuthenticator) {
    fresh_account(app, EMAIL).await;
    added(app, "My key", kind, key).await;
    app.always_require_mfa().await;
    app.logout().await;
}

/// The password, then the choice of the key: the key's page is next.
async fn to_key_step(app: &TestApp) {
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    let chosen = app.choose_method("security_key").await;
    assert_eq!(chosen.headers()["location"], "/login/verify/key");
}

/// The ID token's claims after a login through `response` ends at the application.
async fn id_token_claims(
    app: &TestApp,
    client: &TestClient,
    response: reqwest::Response,
) -> serde_json::Value {
    let back = app.follow_to_application(response, None).await;
    let code = param(&back, "code").expect("a code");
    let tokens: serde_json::Value = app
        .exchange(client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    claims_of(tokens["id_token"].as_str().unwrap())
}

on_both_backends!(a_passkey_is_added_and_logs_in_at_the_high_level, |app| {
    app.insert_account(USER, STRONG_PASSWORD).await;
    assert_eq!(app.login(USER, STRONG_PASSWORD).await.status(), 303);
    let mut passkey = SoftPasskey::new(true);
    let options = app.start_key_registration("Work laptop", "passkey").await;
    let selection = options.public_key.authenticator_selection.clone().unwrap();
    assert_eq!(
        selection.user_verification,
        UserVerificationPolicy::Required
    );
    let answer = passkey.do_registration(app.origin(), options).unwrap();
    let added = app.send_registration(&answer).await;
    assert_eq!(added.headers()["location"], "/account/security?done=key");

    let page = app
        .get("/account/security?done=key")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The security key or passkey has been added."));
    let section = text_of(&page, "#security-keys table");
    assert!(section.contains("Work laptop"), "{section}");
    assert!(section.contains("Passkey"), "{section}");
    let mail = app.last_mail_to(USER).await;
    assert_eq!(
        mail.subject,
        "A change to the security of your EU Login account"
    );
    assert!(
        mail.body
            .contains("A security key or passkey (Work laptop) was added."),
        "{}",
        mail.body
    );
    assert!(
        app.audit_events(USER)
            .await
            .contains(&"factor_added".to_owned())
    );

    // A new login with the password only, then an application that requires the high level.
    app.logout().await;
    assert_eq!(
        app.login(USER, STRONG_PASSWORD).await.headers()["location"],
        "/account"
    );
    let client = app.register_client(web_app("high-app")).await;
    let asked = app.authorize_asking_level(&client, "high").await;
    assert_eq!(asked.headers()["location"], "/login/verify");
    let chosen = app.choose_method("security_key").await;
    assert_eq!(chosen.headers()["location"], "/login/verify/key");
    let options = app.key_login_options().await;
    assert_eq!(
        options.public_key.user_verification,
        UserVerificationPolicy::Required
    );
    let answer = passkey.do_authentication(app.origin(), options).unwrap();
    let stepped = app.send_assertion(&answer).await;
    let claims = id_token_claims(app, &client, stepped).await;
    assert_eq!(claims["acr"], format!("{}/loa/high", app.base));
    assert_eq!(
        claims["amr"],
        serde_json::json!(["pwd", "hwk", "pin", "mfa"])
    );
    let key = app.keys_of(USER).await.remove(0);
    assert_eq!(key.counter, 1, "the signature counter is kept");
    assert!(key.last_used_at.is_some());
});

on_both_backends!(
    a_security_key_without_pin_reaches_medium_but_never_high,
    |app| {
        app.insert_account(USER, STRONG_PASSWORD).await;
        assert_eq!(app.login(USER, STRONG_PASSWORD).await.status(), 303);
        let mut key = SoftPasskey::new(false);
        // As a passkey, through a client that drops the demand for a PIN: refused.
        let mut options = app.start_key_registration("USB key", "passkey").await;
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.user_verification = UserVerificationPolicy::Preferred;
        }
        let answer = key.do_registration(app.origin(), options).unwrap();
        let refused = app.send_registration(&answer).await;
        assert_eq!(refused.status(), 400);
        assert!(error_of(refused).await.contains("which a passkey must do"),);
        assert!(app.keys_of(USER).await.is_empty());
        // As what it is, a security key: added.
        added(app, "USB key", "security_key", &mut key).await;
        let page = app.get("/account/security").await.text().await.unwrap();
        assert!(text_of(&page, "#security-keys table").contains("Security key"));

        app.logout().await;
        app.login(USER, STRONG_PASSWORD).await;
        let client = app.register_client(web_app("medium-app")).await;
        let asked = app.authorize_asking_level(&client, "medium").await;
        assert_eq!(asked.headers()["location"], "/login/verify");
        app.choose_method("security_key").await;
        let stepped = app.answer_with_key(&mut key).await;
        let claims = id_token_claims(app, &client, stepped).await;
        assert_eq!(claims["acr"], format!("{}/loa/medium", app.base));
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "hwk", "mfa"]));

        // The high level: the page asks the key to verify its user. A client that answers
        // without (this key cannot) is refused, and the session stays at medium.
        let asked = app.authorize_asking_level(&client, "high").await;
        assert_eq!(asked.headers()["location"], "/login/verify");
        app.choose_method("security_key").await;
        let mut options = app.key_login_options().await;
        assert_eq!(
            options.public_key.user_verification,
            UserVerificationPolicy::Required
        );
        options.public_key.user_verification = UserVerificationPolicy::Preferred;
        let answer = key.do_authentication(app.origin(), options).unwrap();
        let refused = app.send_assertion(&answer).await;
        assert_eq!(refused.status(), 401);
        assert!(
            error_of(refused)
                .await
                .contains("A high level of assurance is required"),
        );
        let high = format!("{}/loa/high", app.base);
        let silent = app
            .authorization_response(&client, &[("acr_values", &high), ("prompt", "none")])
            .await;
        assert_eq!(
            param(&silent, "error").as_deref(),
            Some("interaction_required")
        );
    }
);

on_both_backends!(a_counter_that_stays_at_zero_is_accepted_every_time, |app| {
    let mut phone = SyncedPasskey::new();
    account_with_key(app, "passkey", &mut phone).await;
    for _ in 0..3 {
        to_key_step(app).await;
        let done = app.answer_with_key(&mut phone).await;
        assert_eq!(done.headers()["location"], "/account");
        let key = app.keys_of(EMAIL).await.remove(0);
        assert_eq!(key.counter, 0);
        assert!(key.last_used_at.is_some());
        app.logout().await;
    }
});

on_both_backends!(a_counter_that_goes_back_is_refused_and_audited, |app| {
    let (mut original, _ca) = SoftToken::new(true).unwrap();
    account_with_key(app, "security_key", &mut original).await;
    // A copy of the key, private key and counter included.
    let mut copy = SoftToken::from_cbor(&original.to_cbor().unwrap()).unwrap();

    to_key_step(app).await;
    assert_eq!(
        app.answer_with_key(&mut original).await.headers()["location"],
        "/account"
    );
    app.logout().await;

    to_key_step(app).await;
    let refused = app.answer_with_key(&mut copy).await;
    assert_eq!(refused.status(), 401);
    let error = error_of(refused).await;
    assert!(error.contains("may have been copied"), "{error}");
    assert!(error.contains("Attempts left: 4."), "{error}");
    let key = app.keys_of(EMAIL).await.remove(0);
    let recorded = app.audit_details(EMAIL, "counter_regression").await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert!(recorded[0].contains(&key.lookup), "{}", recorded[0]);
    assert!(
        recorded[0].contains("stored 1, received 1"),
        "{}",
        recorded[0]
    );
    assert_eq!(key.counter, 1, "the copy did not move the counter");
    // The original, one signature further, still works in the same step.
    assert_eq!(
        app.answer_with_key(&mut original).await.headers()["location"],
        "/account"
    );
});

on_both_backends!(an_answer_for_another_origin_is_refused, |app| {
    let mut key = SoftPasskey::new(false);
    fresh_account(app, EMAIL).await;
    // At registration: a credential made on a phishing page is not added.
    let options = app.start_key_registration("USB key", "security_key").await;
    let answer = key
        .perform_register(
            url::Url::parse("https://evil.example").unwrap(),
            options.public_key,
            60_000,
        )
        .unwrap();
    let refused = app.send_registration(&answer).await;
    assert_eq!(refused.status(), 400);
    assert!(
        error_of(refused)
            .await
            .contains("answered for another web site")
    );
    assert!(app.keys_of(EMAIL).await.is_empty());
    added(app, "USB key", "security_key", &mut key).await;
    app.always_require_mfa().await;
    app.logout().await;

    // At login: an answer relayed from a phishing page counts as a wrong attempt.
    to_key_step(app).await;
    let refused = app
        .answer_for_origin(&mut key, "https://evil.example")
        .await;
    assert_eq!(refused.status(), 401);
    let error = error_of(refused).await;
    assert!(error.contains("answered for another web site"), "{error}");
    assert!(error.contains("Attempts left: 4."), "{error}");
    let failed = app.audit_details(EMAIL, "second_factor_failed").await;
    assert!(
        failed[0].contains("EUL-401-WEBAUTHN-ORIGIN") && failed[0].contains("https://evil.example"),
        "{failed:?}"
    );
    assert_eq!(
        app.answer_with_key(&mut key).await.headers()["location"],
        "/account"
    );
});

on_both_backends!(adding_a_key_needs_a_recent_login, |app| {
    fresh_account(app, EMAIL).await;
    app.clock.advance(time::Duration::minutes(11));
    let late = app
        .post_form(
            "/account/security/keys",
            &[("name", "USB key"), ("kind", "security_key")],
        )
        .await;
    assert_eq!(late.headers()["location"], "/login?next=/account/security");
    let page = app.get("/account/security").await.text().await.unwrap();
    assert!(page.contains("confirm that it is you"), "{page}");
    assert!(!page.contains("action=\"/account/security/keys\""));

    // A registration begun in time but finished too late is refused too.
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    let mut key = SoftPasskey::new(false);
    let options = app.start_key_registration("USB key", "security_key").await;
    let answer = key.do_registration(app.origin(), options).unwrap();
    app.clock.advance(time::Duration::minutes(11));
    let late = app.send_registration(&answer).await;
    assert_eq!(late.headers()["location"], "/login?next=/account/security");
    assert!(app.keys_of(EMAIL).await.is_empty());

    // A name and a kind are needed.
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    let nameless = app
        .post_form(
            "/account/security/keys",
            &[("name", "  "), ("kind", "passkey")],
        )
        .await;
    assert_eq!(nameless.status(), 400);
    assert!(error_of(nameless).await.contains("Give the key a name"));
    let kindless = app
        .post_form(
            "/account/security/keys",
            &[("name", "Key"), ("kind", "u2f")],
        )
        .await;
    assert_eq!(kindless.status(), 400);
    assert!(
        error_of(kindless)
            .await
            .contains("passkey or a security key")
    );
});

on_both_backends!(a_key_registered_twice_is_refused, |app| {
    let mut phone = SyncedPasskey::new();
    fresh_account(app, EMAIL).await;
    added(app, "Phone", "passkey", &mut phone).await;
    // This passkey ignores the list of the account's keys and offers the same one again.
    let again = app.add_key("Phone again", "passkey", &mut phone).await;
    assert_eq!(again.status(), 409);
    assert!(
        error_of(again)
            .await
            .contains("already one of your security keys")
    );
    assert_eq!(app.keys_of(EMAIL).await.len(), 1);

    // Another account cannot register the same credential either.
    let other = app.other_browser();
    fresh_account(&other, OTHER).await;
    let taken = other.add_key("Borrowed", "passkey", &mut phone).await;
    assert_eq!(taken.status(), 409);
    assert!(
        error_of(taken)
            .await
            .contains("already registered with EU Login")
    );
    assert!(other.keys_of(OTHER).await.is_empty());
});

on_both_backends!(an_answer_is_accepted_once, |app| {
    let mut key = SoftPasskey::new(false);
    fresh_account(app, EMAIL).await;
    let options = app.start_key_registration("USB key", "security_key").await;
    let registration = key.do_registration(app.origin(), options).unwrap();
    assert_eq!(app.send_registration(&registration).await.status(), 303);
    let replayed = app.send_registration(&registration).await;
    assert_eq!(replayed.status(), 400);
    assert!(
        error_of(replayed)
            .await
            .contains("expired or was already used")
    );
    assert_eq!(app.keys_of(EMAIL).await.len(), 1);
    app.always_require_mfa().await;
    app.logout().await;

    to_key_step(app).await;
    let options = app.key_login_options().await;
    let assertion = key.do_authentication(app.origin(), options).unwrap();
    assert_eq!(
        app.send_assertion(&assertion).await.headers()["location"],
        "/account"
    );
    // The login is over; in a new one the old answer does not match the new challenge.
    assert_eq!(app.send_assertion(&assertion).await.status(), 400);
    app.logout().await;
    to_key_step(app).await;
    app.key_login_options().await;
    let replayed = app.send_assertion(&assertion).await;
    assert_eq!(replayed.status(), 401);
    assert!(
        error_of(replayed)
            .await
            .contains("expired or was already used")
    );
});

on_both_backends!(
    another_accounts_key_counts_toward_the_five_wrong_answers,
    |app| {
        let mut mine = SoftPasskey::new(false);
        let mut theirs = SoftPasskey::new(false);
        let other = app.other_browser();
        fresh_account(&other, OTHER).await;
        added(&other, "Their key", "security_key", &mut theirs).await;
        let their_id = other.keys_of(OTHER).await.remove(0).lookup;
        let their_id =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, their_id)
                .unwrap();
        account_with_key(app, "security_key", &mut mine).await;

        to_key_step(app).await;
        // Without JavaScript nothing is posted: said so, and not counted.
        let empty = app
            .post_form("/login/verify/key", &[("credential", "")])
            .await;
        assert_eq!(empty.status(), 400);
        assert!(error_of(empty).await.contains("need JavaScript"));
        for attempt in 1..=5 {
            // A client that offers the other account's key instead of the ones asked for.
            let mut options = app.key_login_options().await;
            for allowed in &mut options.public_key.allow_credentials {
                allowed.id = their_id.clone();
            }
            let answer = theirs.do_authentication(app.origin(), options).unwrap();
            let refused = app.send_assertion(&answer).await;
            assert_eq!(refused.status(), 401);
            let text = text_of(&refused.text().await.unwrap(), "main");
            if attempt < 5 {
                assert!(text.contains("not registered to your account"), "{text}");
                assert!(
                    text.contains(&format!("Attempts left: {}.", 5 - attempt)),
                    "{text}"
                );
            } else {
                assert!(text.contains("Too many wrong codes"), "{text}");
            }
        }
        assert_eq!(app.get("/login/verify/key").await.status(), 400);
        let events = app.audit_events(EMAIL).await;
        assert!(events.contains(&"second_step_abandoned".to_owned()));
    }
);

on_both_backends!(the_pages_say_what_they_need, |app| {
    let mut key = SoftPasskey::new(false);
    fresh_account(app, EMAIL).await;
    app.start_key_registration("USB key", "security_key").await;
    let page = app
        .get("/account/security/keys/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(text_of(&page, "noscript").contains("need JavaScript"));
    assert!(text_of(&page, "#webauthn-unsupported").contains("This browser cannot use"));
    assert!(page.contains("<script src=\"/static/webauthn.js\"></script>"));
    let script = app.get("/static/webauthn.js").await;
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        script
            .text()
            .await
            .unwrap()
            .contains("navigator.credentials.create")
    );
    // Posted without an answer (no JavaScript): said so, and the key can still be added.
    let empty = app
        .post_form("/account/security/keys/new", &[("credential", "")])
        .await;
    assert_eq!(empty.status(), 400);
    assert!(error_of(empty).await.contains("No answer from a key"));
    added(app, "USB key", "security_key", &mut key).await;
    // The French page.
    let page = app
        .get("/account/security?lang=fr")
        .await
        .text()
        .await
        .unwrap();
    assert!(text_of(&page, "#security-keys h2").contains("Clés de sécurité et clés d'accès"));
    assert!(text_of(&page, "#security-keys table").contains("Clé de sécurité"));
});

on_both_backends!(a_removed_key_is_announced_and_no_longer_offered, |app| {
    let mut key = SoftPasskey::new(false);
    fresh_account(app, EMAIL).await;
    added(app, "Old key", "security_key", &mut key).await;
    let id = app.keys_of(EMAIL).await.remove(0).id;
    let removed = app
        .post_form("/account/security/remove", &[("factor", &id)])
        .await;
    assert_eq!(
        removed.headers()["location"],
        "/account/security?done=removed"
    );
    let mail = app.last_mail_to(EMAIL).await;
    assert!(
        mail.body.contains("The method Old key was removed."),
        "{}",
        mail.body
    );
    assert!(
        app.audit_events(EMAIL)
            .await
            .contains(&"factor_removed".to_owned())
    );
    let page = app.get("/account/security").await.text().await.unwrap();
    assert!(text_of(&page, "#security-keys").contains("You have no security key or passkey yet."));
    // With no method left, the password is enough again and the key page has nothing to ask.
    app.logout().await;
    assert_eq!(
        app.login(EMAIL, STRONG_PASSWORD).await.headers()["location"],
        "/account"
    );
});

/// Ceremony state lives in the shared key-value store: a ceremony begun on one replica is
/// finished on another. (Production backends only: the in-process store is each process's own,
/// for a deployment of one replica.)
#[actix_web::test]
async fn a_ceremony_begun_on_one_replica_is_finished_on_another() {
    let app = TestApp::spawn(Backends::Production).await;
    let replica = app.replica().await;
    // The browser's cookies are for `localhost`, whatever the port: the same browser, sent to
    // the other replica (on localhost every port is a valid origin, so its own is accepted).
    let there = app.same_browser_on(&replica);
    let mut key = SoftPasskey::new(false);
    fresh_account(&app, EMAIL).await;
    let options = app.start_key_registration("USB key", "security_key").await;
    let answer = key.do_registration(app.origin(), options).unwrap();
    assert_eq!(
        there.send_registration(&answer).await.headers()["location"],
        "/account/security?done=key"
    );
    app.always_require_mfa().await;
    app.logout().await;

    to_key_step(&app).await;
    let options = app.key_login_options().await;
    let answer = key.do_authentication(app.origin(), options).unwrap();
    assert_eq!(
        there.send_assertion(&answer).await.headers()["location"],
        "/account"
    );
    app.cleanup().await;
}

#[actix_web::test]
async fn a_public_url_with_an_ip_address_is_refused_at_start() {
    let data = TestData::new(Backends::Embedded);
    let mut settings = data.settings();
    settings.public_url = url::Url::parse("http://127.0.0.1:8080").unwrap();
    let refused = eulogin::AppState::connect(
        settings,
        std::sync::Arc::new(infra::ManualClock::starting_now()),
    )
    .await
    .map(|_| ())
    .unwrap_err()
    .to_string();
    assert!(refused.starts_with("EULOGIN_PUBLIC_URL:"), "{refused}");
    assert!(refused.contains("IP address"), "{refused}");
    assert!(refused.contains("use localhost"), "{refused}");
}

/// What only a browser runs: `static/webauthn.js` with Chromium's own WebAuthn. The script
/// `tests/browser/webauthn.mjs` starts the `eulogin` binary cargo built for these tests (embedded
/// backends) and Debian's headless Chromium, whose virtual authenticators play a passkey and a
/// USB security key without PIN through every page. Without Chromium this test fails (`make
/// browser-deps` installs it); it is never skipped.
#[test]
fn a_real_browser_adds_and_uses_keys() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    let output = std::process::Command::new("node")
        .arg("--experimental-websocket")
        .arg("webauthn.mjs")
        .current_dir(&script)
        .env("EULOGIN_BIN", env!("CARGO_BIN_EXE_eulogin"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains(" passed, 0 failed"),
        "the key pages failed in Chromium:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
