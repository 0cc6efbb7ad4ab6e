//! The EU Login mobile app, driven by the companion app's library (`eulogin-app`) against the
//! real endpoints: enrolment from the QR code with the PIN chosen in the browser, login by push
//! with number matching and the PIN, ten wrong PINs, throttling, expiry, denial, device
//! assertions, and the offline QR code with its one-time password.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::store::factors::FactorKind;
use eulogin_app::protocol::messages::problem_type;
use eulogin_app::protocol::{DeviceClaims, REQUESTS_PATH, decision_url, endpoint_url};
use eulogin_app::{AppError, Decision, Device};

const EMAIL: &str = "mobile@example.se";
const PIN: &str = "2580";

fn phone() -> reqwest::Client {
    eulogin_app::http_client().expect("the app's HTTP client")
}

/// The problem type of a refusal by the server.
fn problem_of(error: &AppError) -> (u16, String, Option<u32>) {
    let problem = error
        .problem()
        .unwrap_or_else(|| panic!("a problem from the server, not {error}"));
    (
        problem.status,
        problem.kind.clone(),
        problem.remaining_attempts,
    )
}

impl TestApp {
    /// Asks to add a device on the security page; the response of the form.
    async fn ask_to_add_device(&self, name: &str, pin: &str, again: &str) -> reqwest::Response {
        self.post_form(
            "/account/security/devices",
            &[("name", name), ("pin", pin), ("pin_again", again)],
        )
        .await
    }

    /// The enrolment QR code's payload, read from the page (under "Cannot scan?").
    async fn enrolment_payload(&self, name: &str) -> String {
        let asked = self.ask_to_add_device(name, PIN, PIN).await;
        assert_eq!(asked.status(), 303, "{}", asked.text().await.unwrap());
        let page = self
            .get("/account/security/devices/enrol")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg"), "a QR code is shown: {page}");
        let payload = text_of(&page, "code.payload");
        assert!(payload.starts_with("eulogin-app://enrol?"), "{payload}");
        payload
    }

    /// Adds a device through the browser and the app, as a person would.
    async fn add_device(&self, name: &str) -> Device {
        let payload = self.enrolment_payload(name).await;
        Device::enrol(&phone(), &payload, PIN, None)
            .await
            .expect("the app enrols")
    }

    /// An account with one device and "always require" on, logged out.
    async fn account_with_device(&self) -> Device {
        self.insert_account(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(self.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
        let device = self.add_device("Work phone").await;
        self.always_require_mfa().await;
        self.logout().await;
        device
    }

    /// Logs in with the password and asks for a push; the number the browser shows.
    async fn push_from_browser(&self) -> String {
        self.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        let chosen = self.choose_method("app_pin").await;
        assert_eq!(chosen.headers()["location"], "/login/verify/app");
        let page = self.get("/login/verify/app").await.text().await.unwrap();
        assert!(page.contains("Pending authentication request"), "{page}");
        text_of(&page, ".match-number")
    }

    async fn push_status(&self) -> String {
        let body: serde_json::Value = self
            .get("/login/verify/app/status")
            .await
            .json()
            .await
            .unwrap();
        body["status"].as_str().unwrap().to_owned()
    }

    /// Presses "Continue" on the waiting page.
    async fn continue_after_push(&self) -> reqwest::Response {
        self.post_form("/login/verify/app", &[]).await
    }

    fn now(&self) -> i64 {
        infra::clock::Clock::now(&self.clock).unix_timestamp()
    }
}

on_both_backends!(
    a_device_is_added_with_the_qr_code_and_the_pin_chosen_in_the_browser,
    |app| {
        app.insert_account(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
        // Bad choices are explained on the page.
        for (name, pin, again, message) in [
            ("", PIN, PIN, "Give the device a name"),
            ("Phone", "1234", "1234", "too easy to guess"),
            ("Phone", "12a4", "12a4", "exactly 4 digits"),
            ("Phone", PIN, "2581", "two PINs are different"),
        ] {
            let refused = app.ask_to_add_device(name, pin, again).await;
            assert_eq!(refused.status(), 400);
            let page = refused.text().await.unwrap();
            assert!(text_of(&page, ".error").contains(message), "{page}");
        }
        let payload = app.enrolment_payload("Work phone").await;
        assert_eq!(app.enrolment_status().await, "waiting");
        // The app must send the PIN chosen in the browser.
        let wrong = Device::enrol(&phone(), &payload, "9999", None)
            .await
            .unwrap_err();
        assert_eq!(
            problem_of(&wrong),
            (403, problem_type::WRONG_PIN.to_owned(), Some(2))
        );
        let device = Device::enrol(&phone(), &payload, PIN, Some("ignored"))
            .await
            .expect("enrolled");
        assert_eq!(device.name(), "Work phone");
        assert_eq!(device.account_hint(), "m***@example.se");
        assert_eq!(app.enrolment_status().await, "done");
        let done = app.get("/account/security/devices/done").await;
        let page = done.text().await.unwrap();
        assert!(
            text_of(&page, "[role=status]").contains("\"Work phone\" has been added"),
            "{page}"
        );
        assert_eq!(
            app.factor_ids(EMAIL, FactorKind::App).await,
            [device.device_id()]
        );
        let mail = app.last_mail_to(EMAIL).await;
        assert!(
            mail.body.contains("The mobile device Work phone was added"),
            "{}",
            mail.body
        );
        // The QR code works once.
        let again = Device::enrol(&phone(), &payload, PIN, None)
            .await
            .unwrap_err();
        assert_eq!(problem_of(&again).1, problem_type::INVALID_ENROLMENT_TOKEN);
        // The device secret is stored encrypted: the row opens only with the server's key, to
        // the secret the app answers QR codes with. The PIN is kept only as a keyed hash, bound
        // to the device.
        let stored = app.device_row(device.device_id()).await;
        let sealed = stored.secret.expect("a sealed secret");
        let secret = app.state.factors.sealer.open(&stored.id, &sealed).unwrap();
        assert_eq!(secret.len(), 32);
        let payload =
            eulogin_app::protocol::LoginChallengePayload::generate(device.server().clone())
                .unwrap();
        let password = device.otp(&payload.to_uri()).unwrap();
        assert!(eulogin_app::protocol::qr_otp_matches(
            &secret,
            &payload.challenge,
            &password
        ));
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret);
        assert!(!sealed.contains(&encoded));
        let verifier = stored.verifier.expect("a PIN verifier");
        let codes = &app.state.factors.codes;
        let context = eulogin::factors::mobile::pin_context(&stored.id);
        assert!(codes.matches(&context, PIN, &verifier));
        assert!(!codes.matches(
            &eulogin::factors::mobile::pin_context("another"),
            PIN,
            &verifier
        ));
        assert!(!verifier.contains(PIN));
    }
);

impl TestApp {
    async fn enrolment_status(&self) -> String {
        let body: serde_json::Value = self
            .get("/account/security/devices/status")
            .await
            .json()
            .await
            .unwrap();
        body["status"].as_str().unwrap().to_owned()
    }

    async fn device_row(&self, id: &str) -> eulogin::store::factors::Factor {
        let id = id.to_owned();
        self.state
            .db
            .run(move |c| Ok(eulogin::store::factors::find_device(c, &id)?))
            .await
            .unwrap()
            .expect("the device")
    }
}

on_both_backends!(
    three_wrong_pins_end_an_enrolment_and_a_stale_login_cannot_start_one,
    |app| {
        app.insert_account(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
        let payload = app.enrolment_payload("Phone").await;
        for left in [2, 1] {
            let wrong = Device::enrol(&phone(), &payload, "1111", None)
                .await
                .unwrap_err();
            assert_eq!(problem_of(&wrong).2, Some(left));
        }
        let last = Device::enrol(&phone(), &payload, "1111", None)
            .await
            .unwrap_err();
        assert_eq!(problem_of(&last).1, problem_type::INVALID_ENROLMENT_TOKEN);
        let right_too_late = Device::enrol(&phone(), &payload, PIN, None)
            .await
            .unwrap_err();
        assert_eq!(
            problem_of(&right_too_late).1,
            problem_type::INVALID_ENROLMENT_TOKEN
        );
        assert_eq!(app.enrolment_status().await, "expired");
        assert!(app.factor_ids(EMAIL, FactorKind::App).await.is_empty());
        // Eleven minutes later, adding a device needs the password again.
        app.clock.advance(time::Duration::minutes(11));
        let stale = app.ask_to_add_device("Phone", PIN, PIN).await;
        assert_eq!(stale.status(), 303);
        assert_eq!(stale.headers()["location"], "/login?next=/account/security");
    }
);

on_both_backends!(a_push_approved_with_the_pin_reaches_the_high_level, |app| {
    let device = app.account_with_device().await;
    let client = app.register_client(web_app("traces-high")).await;
    // An application asking for the high level: the app by PIN is offered, the QR code
    // (medium) is not.
    let asked = app.authorize_asking_level(&client, "high").await;
    let login = app.follow_to_second_step(asked).await;
    assert_eq!(login, "/login/verify");
    let choices = app.get("/login/verify").await.text().await.unwrap();
    assert!(choices.contains("value=\"app_pin\""), "{choices}");
    assert!(!choices.contains("value=\"app_qr\""), "{choices}");
    app.choose_method("app_pin").await;
    let page = app.get("/login/verify/app").await.text().await.unwrap();
    let number = text_of(&page, ".match-number");
    assert!(
        page.contains("You are logging in to Application traces-high"),
        "{page}"
    );
    // The phone lists the same number, for the browser that waits.
    let pending = device.pending(&phone()).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].number, number);
    assert_eq!(
        pending[0].application.as_deref(),
        Some("Application traces-high")
    );
    assert_eq!(pending[0].expires_at - pending[0].created_at, 120);
    // Continuing before the phone approves says so.
    assert_eq!(app.push_status().await, "pending");
    let early = app.continue_after_push().await.text().await.unwrap();
    assert!(
        early.contains("has not approved the request yet"),
        "{early}"
    );
    let approved = device
        .decide(&phone(), &pending[0].id, Decision::Approve, PIN)
        .await
        .unwrap();
    assert_eq!(approved.status, "approved");
    assert_eq!(app.push_status().await, "approved");
    // Decided once.
    let twice = device
        .decide(&phone(), &pending[0].id, Decision::Approve, PIN)
        .await
        .unwrap_err();
    assert_eq!(problem_of(&twice).1, problem_type::REQUEST_ALREADY_DECIDED);
    let done = app.continue_after_push().await;
    let back = app.follow_to_application(done, None).await;
    let code = param(&back, "code").expect("a code");
    let tokens = app.tokens_of_code(&client, &code).await;
    let claims = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["acr"], format!("{}/loa/high", app.base));
    assert_eq!(
        claims["amr"],
        serde_json::json!(["pwd", "swk", "pin", "mfa"])
    );
    assert!(device.pending(&phone()).await.unwrap().is_empty());
});

impl TestApp {
    /// Follows redirects from an authorization to the first page of eulogin's own that is not
    /// the login (logging in with the password); returns its path.
    async fn follow_to_second_step(&self, mut response: reqwest::Response) -> String {
        for _ in 0..5 {
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            if location.starts_with("/login/verify") {
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
                            ("email", EMAIL),
                            ("password", STRONG_PASSWORD),
                        ],
                    )
                    .await;
            }
        }
        panic!("no second step");
    }
}

on_both_backends!(ten_wrong_pins_disable_the_device, |app| {
    let device = app.account_with_device().await;
    app.push_from_browser().await;
    let request = device.pending(&phone()).await.unwrap().remove(0);
    for left in (1..=9).rev() {
        let wrong = device
            .decide(&phone(), &request.id, Decision::Approve, "1111")
            .await
            .unwrap_err();
        assert_eq!(
            problem_of(&wrong),
            (403, problem_type::WRONG_PIN.to_owned(), Some(left))
        );
    }
    let locked = device
        .decide(&phone(), &request.id, Decision::Approve, "1111")
        .await
        .unwrap_err();
    assert_eq!(
        problem_of(&locked),
        (403, problem_type::DEVICE_LOCKED.to_owned(), Some(0))
    );
    // The right PIN no longer helps: the device is disabled.
    let disabled = device
        .decide(&phone(), &request.id, Decision::Approve, PIN)
        .await
        .unwrap_err();
    assert_eq!(problem_of(&disabled).0, 401);
    assert_eq!(app.push_status().await, "pending");
    assert!(
        app.device_row(device.device_id())
            .await
            .disabled_at
            .is_some()
    );
    assert!(
        app.audit_events(EMAIL)
            .await
            .contains(&"device_disabled".to_owned())
    );
    let mail = app.last_mail_to(EMAIL).await;
    assert!(
        mail.body.contains("disabled after 10 wrong PINs"),
        "{}",
        mail.body
    );
    // A disabled device is no longer offered at login.
    let choices = app.get("/login/verify").await.text().await.unwrap();
    assert!(!choices.contains("value=\"app_pin\""), "{choices}");
});

on_both_backends!(a_request_denied_on_the_phone_ends_the_login, |app| {
    let device = app.account_with_device().await;
    app.push_from_browser().await;
    let request = device.pending(&phone()).await.unwrap().remove(0);
    let denied = device
        .send_decision(&phone(), &request.id, Decision::Deny, None)
        .await
        .unwrap();
    assert_eq!(denied.status, "denied");
    assert_eq!(app.push_status().await, "denied");
    let refused = app.continue_after_push().await;
    assert_eq!(refused.status(), 401);
    let page = refused.text().await.unwrap();
    assert!(page.contains("refused on your mobile app"), "{page}");
    // The step is over: the password is needed again.
    assert_eq!(app.push_status().await, "gone");
    assert_eq!(app.get("/account").await.status(), 303);
});

on_both_backends!(the_phone_approves_only_the_request_with_its_number, |app| {
    let device = app.account_with_device().await;
    // Two browsers wait at once; each shows its own number.
    app.push_from_browser().await;
    let first = device.pending(&phone()).await.unwrap().remove(0);
    let other = app.other_browser();
    let second = other.push_from_browser().await;
    let pending = device.pending(&phone()).await.unwrap();
    assert_eq!(pending.len(), 2);
    let for_other = pending.iter().find(|r| r.id != first.id).unwrap();
    assert_eq!(for_other.number, second);
    // Approving the other browser's request does not let the first one in.
    device
        .decide(&phone(), &for_other.id, Decision::Approve, PIN)
        .await
        .unwrap();
    assert_eq!(app.push_status().await, "pending");
    assert_eq!(other.push_status().await, "approved");
    let still = app.continue_after_push().await.text().await.unwrap();
    assert!(
        still.contains("has not approved the request yet"),
        "{still}"
    );
    assert_eq!(other.continue_after_push().await.status(), 303);
    // A device of another account sees none of these requests and cannot decide them.
    let stranger = app.other_browser();
    stranger
        .insert_account("stranger@example.se", STRONG_PASSWORD)
        .await;
    assert_eq!(
        stranger
            .login("stranger@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    let stranger_device = stranger.add_device("Stranger's phone").await;
    assert!(stranger_device.pending(&phone()).await.unwrap().is_empty());
    let left = device.pending(&phone()).await.unwrap().remove(0);
    let foreign = stranger_device
        .decide(&phone(), &left.id, Decision::Approve, PIN)
        .await
        .unwrap_err();
    assert_eq!(problem_of(&foreign).1, problem_type::REQUEST_NOT_FOUND);
});

on_both_backends!(pushes_to_one_account_are_throttled, |app| {
    app.account_with_device().await;
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    for _ in 0..5 {
        let sent = app.choose_method("app_pin").await;
        assert_eq!(sent.headers()["location"], "/login/verify/app");
    }
    let refused = app.choose_method("app_pin").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
});

on_both_backends!(a_request_expires_after_two_minutes, |app| {
    let device = app.account_with_device().await;
    app.push_from_browser().await;
    let request = device.pending(&phone()).await.unwrap().remove(0);
    app.clock.advance(time::Duration::seconds(121));
    assert_eq!(app.push_status().await, "expired");
    // The phone's clock agrees with the server's: an assertion made now, on the test clock.
    let url = decision_url(device.server(), &request.id).unwrap();
    let claims = DeviceClaims::new(device.device_id(), url.as_str(), app.now())
        .unwrap()
        .with_decision(&request.id, Decision::Approve, Some(PIN));
    let late = phone()
        .post(url)
        .header("authorization", device.authorization(&claims).unwrap())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 410);
    let problem: serde_json::Value = late.json().await.unwrap();
    assert_eq!(problem["type"], problem_type::REQUEST_EXPIRED);
    let page = app.continue_after_push().await.text().await.unwrap();
    assert!(page.contains("The request has expired"), "{page}");
});

on_both_backends!(device_assertions_are_checked_strictly, |app| {
    let device = app.account_with_device().await;
    let url = endpoint_url(device.server(), REQUESTS_PATH).unwrap();
    let call = |authorization: Option<String>| {
        let mut request = phone().get(url.clone());
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        async move { request.send().await.unwrap() }
    };
    let signed = |claims: &DeviceClaims| format!("Device {}", device.assertion(claims).unwrap());
    let fresh = DeviceClaims::new(device.device_id(), url.as_str(), app.now()).unwrap();
    assert_eq!(call(Some(signed(&fresh))).await.status(), 200);
    // The same assertion again (same jti): a replay.
    let replay = call(Some(signed(&fresh))).await;
    assert_eq!(replay.status(), 401);
    assert_eq!(replay.headers()["www-authenticate"], "Device");
    let problem: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(problem["type"], problem_type::INVALID_ASSERTION);
    // No header, another scheme, another audience, an old or a future assertion, a long life.
    assert_eq!(call(None).await.status(), 401);
    let bearer = format!("Bearer {}", device.assertion(&fresh).unwrap());
    assert_eq!(call(Some(bearer)).await.status(), 401);
    let elsewhere = DeviceClaims::new(
        device.device_id(),
        &format!("{}/other", url.as_str()),
        app.now(),
    )
    .unwrap();
    assert_eq!(call(Some(signed(&elsewhere))).await.status(), 401);
    let old = DeviceClaims::new(device.device_id(), url.as_str(), app.now() - 120).unwrap();
    assert_eq!(call(Some(signed(&old))).await.status(), 401);
    let future = DeviceClaims::new(device.device_id(), url.as_str(), app.now() + 120).unwrap();
    assert_eq!(call(Some(signed(&future))).await.status(), 401);
    let mut long = DeviceClaims::new(device.device_id(), url.as_str(), app.now()).unwrap();
    long.exp = long.iat + 3600;
    assert_eq!(call(Some(signed(&long))).await.status(), 401);
    // Another device's key under this device's id.
    let other = app.other_browser();
    other
        .insert_account("other@example.se", STRONG_PASSWORD)
        .await;
    other.login("other@example.se", STRONG_PASSWORD).await;
    let impostor = other.add_device("Other phone").await;
    let forged = DeviceClaims::new(device.device_id(), url.as_str(), app.now()).unwrap();
    let token = impostor.assertion(&forged).unwrap();
    // The impostor's token names its own kid; swap in the victim's.
    let header = base64_url(&format!(
        r#"{{"alg":"ES256","typ":"eulogin-device+jwt","kid":"{}"}}"#,
        device.device_id()
    ));
    let rest = token.split_once('.').unwrap().1;
    assert_eq!(
        call(Some(format!("Device {header}.{rest}"))).await.status(),
        401
    );
    // A decision whose request_id is not the URL's.
    app.push_from_browser().await;
    let request = device.pending(&phone()).await.unwrap().remove(0);
    let decide_url = decision_url(device.server(), &request.id).unwrap();
    let mismatched = DeviceClaims::new(device.device_id(), decide_url.as_str(), app.now())
        .unwrap()
        .with_decision("another-request", Decision::Approve, Some(PIN));
    let refused = phone()
        .post(decide_url)
        .header("authorization", signed(&mismatched))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(app.push_status().await, "pending");
});

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

on_both_backends!(
    the_qr_code_login_takes_the_apps_offline_password_once,
    |app| {
        let device = app.account_with_device().await;
        app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(
            app.choose_method("app_qr").await.headers()["location"],
            "/login/verify/code"
        );
        let page = app.get("/login/verify/code").await.text().await.unwrap();
        assert!(page.contains("<svg"), "a QR code is shown");
        let payload = text_of(&page, "code.payload");
        let password = device.otp(&payload).unwrap();
        assert_eq!(password.len(), 8);
        // A wrong password is counted; the right one, typed with a space, logs in.
        let wrong = app.type_code("00000000").await;
        assert_eq!(wrong.status(), 401);
        let typed = format!("{} {}", &password[..4], &password[4..]);
        let done = app.type_code(&typed).await;
        assert_eq!(done.status(), 303);
        assert_eq!(done.headers()["location"], "/account");
        // The same password in another login is refused: its QR code has a new challenge.
        app.logout().await;
        app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        app.choose_method("app_qr").await;
        assert_eq!(app.type_code(&password).await.status(), 401);
        // A QR code lasts five minutes.
        let page = app.get("/login/verify/code").await.text().await.unwrap();
        let late = device.otp(&text_of(&page, "code.payload")).unwrap();
        app.clock
            .advance(time::Duration::minutes(5) + time::Duration::seconds(1));
        let expired = app.type_code(&late).await;
        assert_eq!(expired.status(), 401);
        assert!(expired.text().await.unwrap().contains("expired"));
    }
);

/// What only a browser runs: the pages' script (`static/poll.js`) moves the enrolment page and
/// the waiting page on by themselves, without a console error (so within the CSP). Debian's
/// headless Chromium is driven by `tests/browser/mobile-app.mjs` (playwright-core, pinned by
/// its lock file); this test plays the phone. `make test` installs both; without them this
/// test fails, it is never skipped.
#[actix_web::test]
async fn a_real_browser_follows_the_phone_by_itself() {
    use tokio::io::AsyncBufReadExt;
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    assert!(
        folder.join("node_modules/playwright-core").is_dir(),
        "the browser test needs its dependencies: run `make test` (or `make browser-deps`)"
    );
    let app = TestApp::spawn(Backends::Embedded).await;
    app.insert_account(EMAIL, STRONG_PASSWORD).await;
    let mut script = tokio::process::Command::new("node")
        .arg("mobile-app.mjs")
        .current_dir(&folder)
        .env("BASE_URL", &app.base)
        .env("EMAIL", EMAIL)
        .env("PASSWORD", STRONG_PASSWORD)
        .env("PIN", PIN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = tokio::io::BufReader::new(script.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut device = None;
    let read = std::time::Duration::from_secs(60);
    while let Ok(Ok(Some(line))) = tokio::time::timeout(read, lines.next_line()).await {
        seen.push(line.clone());
        if let Some(payload) = line.strip_prefix("enrol-payload ") {
            device = Some(Device::enrol(&phone(), payload, PIN, None).await.unwrap());
            let (email, now) = (EMAIL.to_owned(), infra::clock::Clock::now(&app.clock));
            app.state
                .db
                .write(move |c| {
                    let account = eulogin::store::accounts::find_by_email(c, &email)?.unwrap();
                    Ok(eulogin::store::accounts::set_always_mfa(
                        c,
                        &account.id,
                        true,
                        now,
                    )?)
                })
                .await
                .unwrap();
        } else if let Some(number) = line.strip_prefix("push-number ") {
            let device = device.as_ref().expect("enrolled first");
            let pending = device.pending(&phone()).await.unwrap();
            let request = pending
                .iter()
                .find(|r| r.number == number)
                .expect("the phone shows the browser's number");
            device
                .decide(&phone(), &request.id, Decision::Approve, PIN)
                .await
                .unwrap();
        }
    }
    let output = script.wait_with_output().await.unwrap();
    assert!(
        output.status.success() && seen.last().map(String::as_str) == Some("ok"),
        "the browser did not follow the phone: {seen:#?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    app.cleanup().await;
}
