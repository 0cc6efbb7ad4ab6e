//! Authenticator apps, recovery codes, "always require", re-authentication before a change,
//! "Delete all my devices", and step-up for an application that asks for more.

use crate::oidc_support::*;
use crate::on_both_backends;
use crate::support::*;
use eulogin::store::factors::FactorKind;

const EMAIL: &str = "totp@example.se";

/// An account with an authenticator app and "always require" on, logged out; its seed.
async fn account_with_authenticator(app: &TestApp) -> Vec<u8> {
    app.insert_account(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
    let seed = app.add_authenticator().await;
    app.always_require_mfa().await;
    app.logout().await;
    seed
}

/// A complete login with the authenticator, the test clock moved to a fresh time step.
async fn login_with_authenticator(app: &TestApp, seed: &[u8]) {
    app.clock.advance(time::Duration::seconds(30));
    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(app.choose_method("totp").await.status(), 303);
    let done = app.type_code(&app.authenticator_code(seed, 0)).await;
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
}

on_both_backends!(
    an_authenticator_code_works_once_with_one_step_of_drift,
    |app| {
        let seed = account_with_authenticator(app).await;
        // The code that confirmed the app was used: it does not log in.
        app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        app.choose_method("totp").await;
        let confirming = app.authenticator_code(&seed, 0);
        assert_eq!(app.type_code(&confirming).await.status(), 401);
        // The next step's code (the phone's clock 30 s ahead) is accepted…
        let code = app.authenticator_code(&seed, 1);
        assert_eq!(app.type_code(&code).await.status(), 303);
        // …and replayed in another login, refused.
        let other = app.other_browser();
        other.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
        other.choose_method("totp").await;
        let replay = other.type_code(&code).await;
        assert_eq!(replay.status(), 401);
        assert!(text_of(&replay.text().await.unwrap(), ".error").contains("not correct"));
        // Two steps away is too far.
        let far = other.authenticator_code(&seed, 3);
        assert_eq!(other.type_code(&far).await.status(), 401);
    }
);

on_both_backends!(
    a_recent_login_with_the_second_factor_is_needed_to_change_methods,
    |app| {
        app.insert_account(EMAIL, STRONG_PASSWORD).await;
        assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status(), 303);
        app.clock.advance(time::Duration::minutes(11));
        let late = app
            .post_form("/account/security/phones", &[("phone", "+46 70 123 45 67")])
            .await;
        assert_eq!(late.headers()["location"], "/login?next=/account/security");
        assert!(app.texts().await.is_empty(), "nothing was sent");
        let page = app.get("/account/security").await.text().await.unwrap();
        assert!(page.contains("confirm that it is you"), "{page}");
        // Logging in again (the login page knows where to return) makes the change possible.
        let again = app
            .post_form(
                "/login",
                &[
                    ("email", EMAIL),
                    ("password", STRONG_PASSWORD),
                    ("next", "/account/security"),
                ],
            )
            .await;
        assert_eq!(again.headers()["location"], "/account/security");
        let seed = app.add_authenticator().await;
        // With a second factor, a fresh password-only session is not enough any more.
        app.logout().await;
        assert_eq!(
            app.login(EMAIL, STRONG_PASSWORD).await.headers()["location"],
            "/account"
        );
        let app_id = app.factor_ids(EMAIL, FactorKind::Totp).await.remove(0);
        let refused = app
            .post_form("/account/security/remove", &[("factor", &app_id)])
            .await;
        assert_eq!(
            refused.headers()["location"],
            "/login?next=/account/security"
        );
        assert_eq!(app.factor_ids(EMAIL, FactorKind::Totp).await.len(), 1);
        let reauth = app
            .post_form(
                "/login",
                &[
                    ("email", EMAIL),
                    ("password", STRONG_PASSWORD),
                    ("next", "/account/security"),
                ],
            )
            .await;
        assert_eq!(reauth.headers()["location"], "/login/verify");
        app.choose_method("totp").await;
        app.clock.advance(time::Duration::seconds(30));
        let done = app.type_code(&app.authenticator_code(&seed, 0)).await;
        assert_eq!(done.headers()["location"], "/account/security");
        let removed = app
            .post_form("/account/security/remove", &[("factor", &app_id)])
            .await;
        assert_eq!(
            removed.headers()["location"],
            "/account/security?done=removed"
        );
        assert!(app.factor_ids(EMAIL, FactorKind::Totp).await.is_empty());
        let events = app.audit_events(EMAIL).await;
        assert!(events.contains(&"factor_added".to_owned()));
        assert!(events.contains(&"factor_removed".to_owned()));
    }
);

on_both_backends!(recovery_codes_are_shown_once_and_each_works_once, |app| {
    let seed = account_with_authenticator(app).await;
    login_with_authenticator(app, &seed).await;
    let response = app.post_form("/account/security/recovery", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    let codes: Vec<String> = text_of(&html, "code.recovery")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    app.logout().await;

    app.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    app.choose_method("recovery").await;
    assert_eq!(app.type_code(&codes[3]).await.status(), 303);
    let other = app.other_browser();
    other.login_to_second_step(EMAIL, STRONG_PASSWORD).await;
    other.choose_method("recovery").await;
    assert_eq!(
        other.type_code(&codes[3]).await.status(),
        401,
        "used once already"
    );
    assert_eq!(
        other.type_code(&codes[4].to_lowercase()).await.status(),
        303
    );
});

on_both_backends!(a_password_reset_does_not_bypass_the_second_factor, |app| {
    let _seed = account_with_authenticator(app).await;
    let asked = app.post_form("/password/forgot", &[("email", EMAIL)]).await;
    assert_eq!(asked.status(), 200);
    let link = link_in(&app.last_mail_to(EMAIL).await);
    assert_eq!(
        app.set_password(&link, OTHER_STRONG_PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get("/account").await.status(),
        303,
        "a reset does not log in"
    );
    app.login_to_second_step(EMAIL, OTHER_STRONG_PASSWORD).await;
});

on_both_backends!(deleting_all_devices_keeps_the_recovery_codes, |app| {
    let seed = account_with_authenticator(app).await;
    login_with_authenticator(app, &seed).await;
    app.add_phone("+46 70 123 45 67", "+46701234567").await;
    app.post_form("/account/security/recovery", &[]).await;
    let unconfirmed = app.post_form("/account/security/delete-all", &[]).await;
    assert_eq!(unconfirmed.status(), 400);
    let deleted = app
        .post_form("/account/security/delete-all", &[("confirm", "yes")])
        .await;
    assert_eq!(
        deleted.headers()["location"],
        "/account/security?done=all_deleted"
    );
    assert!(app.factor_ids(EMAIL, FactorKind::Totp).await.is_empty());
    assert!(app.factor_ids(EMAIL, FactorKind::Sms).await.is_empty());
    assert_eq!(app.factor_ids(EMAIL, FactorKind::Recovery).await.len(), 10);
    assert_eq!(
        app.last_mail_to(EMAIL).await.subject,
        "A change to the security of your EU Login account"
    );
    // "Always require" is off with nothing to require.
    app.logout().await;
    assert_eq!(
        app.login(EMAIL, STRONG_PASSWORD).await.headers()["location"],
        "/account"
    );
});

on_both_backends!(an_application_asking_for_more_gets_a_step_up, |app| {
    app.insert_account(USER, STRONG_PASSWORD).await;
    assert_eq!(app.login(USER, STRONG_PASSWORD).await.status(), 303);
    let seed = app.add_authenticator().await;
    // A new login with the password only.
    app.logout().await;
    assert_eq!(
        app.login(USER, STRONG_PASSWORD).await.headers()["location"],
        "/account"
    );
    let client = app.register_client(web_app("two-factor-app")).await;
    let medium = format!("{}/loa/medium", app.base);
    let high = format!("{}/loa/high", app.base);
    // The session has the password only: the second step, not the password again.
    let asked = app.authorize_asking_level(&client, "medium").await;
    assert_eq!(asked.headers()["location"], "/login/verify");
    app.choose_method("totp").await;
    app.clock.advance(time::Duration::seconds(30));
    let stepped = app.type_code(&app.authenticator_code(&seed, 0)).await;
    let back = app.follow_to_application(stepped, None).await;
    let code = param(&back, "code").expect("a code after the step-up");
    let tokens = app.tokens_of_code(&client, &code).await;
    let claims = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["acr"], medium);
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
    // High is out of reach with an authenticator app: never a silent downgrade.
    let silent = app
        .authorization_response(&client, &[("acr_values", &high), ("prompt", "none")])
        .await;
    assert_eq!(
        param(&silent, "error").as_deref(),
        Some("interaction_required")
    );
    let asked = app.authorize_asking_level(&client, "high").await;
    let location = asked.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/account/security?authorization="),
        "{location}"
    );
    assert!(location.ends_with("&needs=high"), "{location}");
    let page = app.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("two-factor-app requires a high level of assurance"),
        "{page}"
    );
});
