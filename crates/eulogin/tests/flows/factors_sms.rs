//! Mobile phone + SMS: adding a number (confirmed by a code), logging in with a code, and the
//! rules around codes: one login, once, ten minutes, five wrong guesses in all (a new code
//! does not reset them), throttled sending; and the HTTP gateway.

use crate::factor_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::store::factors::FactorKind;

const EMAIL: &str = "sms@example.se";
const NUMBER: &str = "+46701234567";

/// An account with a confirmed phone number and "always require" on, logged out.
async fn account_with_phone(app: &TestApp) -> String {
    app.insert_account(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    app.add_phone("+46 70 123 45 67", NUMBER).await;
    app.always_require_mfa().await;
    app.logout().await;
    app.factor_ids(EMAIL, FactorKind::Sms).await.remove(0)
}

on_both_backends!(
    a_phone_is_confirmed_by_sms_then_logs_in_with_a_code,
    |app| {
        app.insert_account(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
        // A national number is refused with the reason.
        let national = app
            .post_form("/account/security/phones", &[("phone", "070 123 45 67")])
            .await;
        assert_eq!(national.status(), 400);
        assert!(
            text_of(&national.text().await.unwrap(), ".error").contains("international format")
        );
        // A wrong confirmation code does not add the number.
        let sent = app
            .post_form("/account/security/phones", &[("phone", "+46 70 123 45 67")])
            .await;
        assert_eq!(sent.status(), 303);
        let wrong = app
            .post_form(
                "/account/security/phones/confirm",
                &[("code", "AAA-AAA-AAA")],
            )
            .await;
        assert_eq!(wrong.status(), 401);
        assert!(app.factor_ids(EMAIL, FactorKind::Sms).await.is_empty());
        let code = app.last_code_to(NUMBER).await;
        let confirmed = app
            .post_form(
                "/account/security/phones/confirm",
                &[("code", &code.to_lowercase())],
            )
            .await;
        assert_eq!(
            confirmed.headers()["location"],
            "/account/security?done=phone"
        );
        let notice = app.last_mail_to(EMAIL).await;
        assert_eq!(
            notice.subject,
            "A change to the security of your EU Login account"
        );
        assert!(notice.body.contains("+46 ••••••• 67"), "{}", notice.body);
        app.always_require_mfa().await;
        app.logout().await;

        app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        let page = app.get("/login/verify").await.text().await.unwrap();
        assert!(
            page.contains("Mobile phone + SMS to +46 ••••••• 67"),
            "{page}"
        );
        assert!(page.contains("SMS is the weakest method"), "{page}");
        let phone = app.factor_ids(EMAIL, FactorKind::Sms).await.remove(0);
        let chosen = app.choose_method(&format!("sms:{phone}")).await;
        assert_eq!(chosen.headers()["location"], "/login/verify/code");
        let code = app.last_code_to(NUMBER).await;
        let texts = app.texts().await;
        assert!(
            texts.last().unwrap().text.contains("login code"),
            "{texts:?}"
        );
        let done = app.type_code(&code).await;
        assert_eq!(done.status(), 303);
        assert_eq!(done.headers()["location"], "/account");
        assert_eq!(app.get("/account").await.status(), 200);
        assert!(
            app.audit_events(EMAIL)
                .await
                .contains(&"second_factor_succeeded".to_owned())
        );
    }
);

on_both_backends!(an_sms_code_belongs_to_one_login_and_works_once, |app| {
    let phone = account_with_phone(app).await;
    let other = app.other_browser();
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    app.choose_method(&format!("sms:{phone}")).await;
    let first_code = app.last_code_to(NUMBER).await;
    other.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    other.choose_method(&format!("sms:{phone}")).await;
    let second_code = other.last_code_to(NUMBER).await;
    assert_ne!(first_code, second_code);
    // The first login's code is worthless in the second login.
    assert_eq!(other.type_code(&first_code).await.status(), 401);
    assert_eq!(other.type_code(&second_code).await.status(), 303);
    // Used: the step is over, the same code again finds nothing.
    assert_eq!(other.type_code(&second_code).await.status(), 400);
    // And the first login still works with its own code.
    assert_eq!(app.type_code(&first_code).await.status(), 303);
});

on_both_backends!(a_code_stops_working_after_ten_minutes, |app| {
    let phone = account_with_phone(app).await;
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    app.choose_method(&format!("sms:{phone}")).await;
    let code = app.last_code_to(NUMBER).await;
    app.clock
        .advance(time::Duration::minutes(10) + time::Duration::seconds(1));
    let late = app.type_code(&code).await;
    assert_eq!(late.status(), 400);
    assert!(text_of(&late.text().await.unwrap(), "main").contains("expired"));
    assert_eq!(
        app.get("/account").await.status(),
        303,
        "no session was made"
    );
});

on_both_backends!(a_new_code_does_not_reset_the_count_of_wrong_codes, |app| {
    let phone = account_with_phone(app).await;
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    app.choose_method(&format!("sms:{phone}")).await;
    for left in ["4", "3", "2", "1"] {
        let wrong = app.type_code("ZZZ-ZZZ-ZZZ").await;
        assert_eq!(wrong.status(), 401);
        assert!(
            text_of(&wrong.text().await.unwrap(), ".error")
                .contains(&format!("Attempts left: {left}"))
        );
    }
    let resent = app.post_form("/login/verify/resend", &[]).await;
    assert_eq!(resent.headers()["location"], "/login/verify/code");
    let fresh_code = app.last_code_to(NUMBER).await;
    // The fifth wrong code ends the step, and the fresh code cannot revive it.
    let fifth = app.type_code("ZZZ-ZZZ-ZZZ").await;
    assert!(text_of(&fifth.text().await.unwrap(), "main").contains("Too many wrong codes"));
    assert_eq!(app.type_code(&fresh_code).await.status(), 400);
    assert_eq!(app.get("/account").await.status(), 303);
    assert!(
        app.audit_events(EMAIL)
            .await
            .contains(&"second_step_abandoned".to_owned())
    );
});

on_both_backends!(sending_is_limited_per_login_and_per_number, |app| {
    let phone = account_with_phone(app).await;
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    app.choose_method(&format!("sms:{phone}")).await;
    app.post_form("/login/verify/resend", &[]).await;
    app.post_form("/login/verify/resend", &[]).await;
    // Three codes for one login (one at the start, two more): no fourth.
    let fourth = app.post_form("/login/verify/resend", &[]).await;
    assert_eq!(fourth.status(), 429);
    // One confirmation and three login codes went to the number; a second login may send one
    // more, then the number's hourly limit of five refuses.
    let other = app.other_browser();
    other.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(
        other.choose_method(&format!("sms:{phone}")).await.status(),
        303
    );
    let refused = other.post_form("/login/verify/resend", &[]).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(app.texts().await.len(), 5);
});

/// What the gateway received: the `Authorization` header and the JSON body of each request.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(Option<String>, serde_json::Value)>>>;

/// A stand-in for the SMS gateway: records what it receives; refuses the first message with
/// 503, so the retry is seen.
struct GatewaySink {
    url: String,
    received: Received,
}

async fn gateway_sink() -> GatewaySink {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let received: Received = Default::default();
    let seen = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let seen = seen.clone();
        App::new().route(
            "/send",
            web::post().to(
                move |req: HttpRequest, body: web::Json<serde_json::Value>| {
                    let seen = seen.clone();
                    async move {
                        let auth = req
                            .headers()
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_owned());
                        let mut all = seen.lock().unwrap();
                        all.push((auth, body.into_inner()));
                        if all.len() == 1 {
                            HttpResponse::ServiceUnavailable().finish()
                        } else {
                            HttpResponse::Accepted().finish()
                        }
                    }
                },
            ),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    GatewaySink {
        url: format!("http://127.0.0.1:{port}/send"),
        received,
    }
}

#[actix_web::test]
async fn codes_leave_through_the_http_gateway_with_its_token_and_are_retried() {
    let sink = gateway_sink().await;
    let url = sink.url.clone();
    let app = TestApp::spawn_with(Backends::Production, move |settings| {
        settings.sms_url = Some(url::Url::parse(&url).unwrap());
        settings.sms_token = Some(secrecy::SecretString::from("gateway-token-123".to_owned()));
    })
    .await;
    app.insert_account(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    let sent = app
        .post_form("/account/security/phones", &[("phone", "+46 70 123 45 67")])
        .await;
    assert_eq!(sent.status(), 303);
    app.state.factors.sms.idle().await;
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(
        received.len(),
        2,
        "refused once, then delivered: {received:?}"
    );
    let (auth, body) = &received[1];
    assert_eq!(auth.as_deref(), Some("Bearer gateway-token-123"));
    assert_eq!(body["to"], NUMBER);
    let code = sms_code(body["text"].as_str().unwrap());
    assert_eq!(received[0].1, received[1].1, "the same message is retried");
    assert!(app.texts().await.is_empty(), "nothing in the outbox");
    let confirmed = app
        .post_form("/account/security/phones/confirm", &[("code", &code)])
        .await;
    assert_eq!(
        confirmed.headers()["location"],
        "/account/security?done=phone"
    );
    app.cleanup().await;
}

on_both_backends!(five_wrong_confirmation_codes_drop_the_new_number, |app| {
    app.insert_account(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    // "Always require" cannot be turned on without a method to log in with.
    let premature = app
        .post_form("/account/security/always", &[("always", "on")])
        .await;
    assert_eq!(premature.status(), 409);
    app.post_form("/account/security/phones", &[("phone", "+46 70 123 45 67")])
        .await;
    let code = app.last_code_to(NUMBER).await;
    for left in ["4", "3", "2", "1"] {
        let wrong = app
            .post_form(
                "/account/security/phones/confirm",
                &[("code", "ZZZ-ZZZ-ZZZ")],
            )
            .await;
        assert!(
            text_of(&wrong.text().await.unwrap(), ".error")
                .contains(&format!("Attempts left: {left}"))
        );
    }
    let fifth = app
        .post_form(
            "/account/security/phones/confirm",
            &[("code", "ZZZ-ZZZ-ZZZ")],
        )
        .await;
    assert!(text_of(&fifth.text().await.unwrap(), ".error").contains("Start the addition again"));
    let late = app
        .post_form("/account/security/phones/confirm", &[("code", &code)])
        .await;
    assert_eq!(
        late.headers()["location"],
        "/account/security",
        "the attempt is gone"
    );
    assert!(app.factor_ids(EMAIL, FactorKind::Sms).await.is_empty());
    // A new attempt starts with a fresh count.
    app.add_phone("+46 70 123 45 67", NUMBER).await;
});
