//! Logging in and out, sessions and their cookie.

use crate::on_both_backends;
use crate::support::*;
use time::Duration;

on_both_backends!(
    wrong_password_and_unknown_address_get_the_same_answer,
    |app| {
        app.create_account("anna@example.se", STRONG_PASSWORD).await;
        let wrong = app.login("anna@example.se", "not the right password").await;
        let unknown = app
            .login("nobody@example.se", "not the right password")
            .await;
        assert_eq!(wrong.status(), 401);
        assert_eq!(unknown.status(), 401);
        let wrong_text = text_of(&wrong.text().await.unwrap(), ".notice");
        let unknown_text = text_of(&unknown.text().await.unwrap(), ".notice");
        assert_eq!(
            wrong_text,
            "The e-mail address or the password is not correct."
        );
        assert_eq!(wrong_text, unknown_text);
    }
);

on_both_backends!(an_account_without_a_password_yet_cannot_log_in, |app| {
    assert_eq!(app.register("pending@example.se").await.status(), 200);
    assert_eq!(app.login("pending@example.se", "").await.status(), 401);
    assert_eq!(
        app.login("pending@example.se", STRONG_PASSWORD)
            .await
            .status(),
        401
    );
});

on_both_backends!(
    login_sets_a_strict_session_cookie_with_a_new_id_each_time,
    |app| {
        app.create_account("cookie@example.se", STRONG_PASSWORD)
            .await;
        let first = app.login("cookie@example.se", STRONG_PASSWORD).await;
        let cookie = session_set_cookie(&first);
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Domain="), "{cookie}");
        let first_id = session_cookie_of(&first);

        let second = app.login("cookie@example.se", STRONG_PASSWORD).await;
        let second_id = session_cookie_of(&second);
        assert_ne!(first_id, second_id, "a new session id at every login");

        // The session before the second login is over on the server.
        let stale = app.get_with_cookie("/account", &first_id).await;
        assert_eq!(stale.status(), 303);
        assert_eq!(stale.headers()["location"], "/login");
    }
);

on_both_backends!(
    a_correct_password_starts_the_count_again_and_is_audited_with_who_and_when,
    |app| {
        app.create_account("audit@example.se", STRONG_PASSWORD)
            .await;
        app.fail_logins("audit@example.se", 2).await;
        let token = app.csrf_token().await;
        let response = app
            .browser
            .post(app.url("/login"))
            .header("user-agent", "Firefox/140 (audit test)")
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "audit@example.se"),
                ("password", STRONG_PASSWORD),
            ])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 303);
        let account = app.account("audit@example.se").await;
        let events = app.audit_records("audit@example.se").await;
        let now = infra::Clock::now(&app.clock).unix_timestamp();
        assert_eq!(account.failed_logins, 0, "the count starts again");
        assert_eq!(account.last_login_at.map(|t| t.unix_timestamp()), Some(now));
        let newest = &events[0];
        assert_eq!(newest.event, "login_succeeded");
        assert_eq!(newest.detail, "password");
        assert_eq!(newest.ip, "127.0.0.1");
        assert_eq!(newest.user_agent, "Firefox/140 (audit test)");
        assert_eq!(newest.occurred_at.unix_timestamp(), now);
        assert_eq!(
            events[1].event, "login_failed",
            "the failures stay in the log"
        );
    }
);

on_both_backends!(
    a_login_to_an_account_without_a_password_takes_no_place_in_its_count,
    |app| {
        assert_eq!(app.register("nopassword@example.se").await.status(), 200);
        assert_eq!(
            app.login("nopassword@example.se", STRONG_PASSWORD)
                .await
                .status(),
            401
        );
        assert_eq!(app.failed_logins("nopassword@example.se").await, 0);
    }
);

on_both_backends!(logout_ends_the_session_on_the_server, |app| {
    app.create_account("out@example.se", STRONG_PASSWORD).await;
    let login = app.login("out@example.se", STRONG_PASSWORD).await;
    let session = session_cookie_of(&login);
    assert_eq!(app.get("/account").await.status(), 200);
    let out = app.post_form("/logout", &[]).await;
    assert_eq!(out.status(), 200);
    assert_eq!(app.get("/account").await.status(), 303);
    // Replaying the old cookie does not bring the session back.
    let replay = app.get_with_cookie("/account", &session).await;
    assert_eq!(replay.status(), 303);
    assert!(
        app.audit_events("out@example.se")
            .await
            .contains(&"logged_out".to_owned())
    );
});

on_both_backends!(
    sessions_end_after_the_idle_timeout_and_the_absolute_limit,
    |app| {
        app.create_account("idle@example.se", STRONG_PASSWORD).await;
        assert_eq!(
            app.login("idle@example.se", STRONG_PASSWORD).await.status(),
            303
        );
        app.clock.advance(Duration::minutes(59));
        assert_eq!(
            app.get("/account").await.status(),
            200,
            "activity within the idle timeout keeps it"
        );
        app.clock.advance(Duration::minutes(61));
        assert_eq!(
            app.get("/account").await.status(),
            303,
            "an hour without activity ends it"
        );

        assert_eq!(
            app.login("idle@example.se", STRONG_PASSWORD).await.status(),
            303
        );
        for _ in 0..13 {
            app.clock.advance(Duration::minutes(55));
            assert_eq!(
                app.get("/account").await.status(),
                200,
                "alive before twelve hours"
            );
        }
        app.clock.advance(Duration::minutes(10));
        assert_eq!(
            app.get("/account").await.status(),
            303,
            "twelve hours is the absolute limit"
        );
    }
);
