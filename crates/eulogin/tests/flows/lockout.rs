//! Five wrong passwords block the account; a new password unblocks it. The count is exact
//! under concurrency, across replicas sharing one database.

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(
    five_wrong_passwords_block_and_the_sixth_attempt_is_refused_even_when_right,
    |app| {
        app.create_account("lock@example.se", STRONG_PASSWORD).await;
        for attempt in 1..=4 {
            let response = app.login("lock@example.se", "wrong password guess").await;
            assert_eq!(response.status(), 401);
            assert!(
                text_of(&response.text().await.unwrap(), ".notice").contains("not correct"),
                "attempt {attempt}"
            );
        }
        let fifth = app.login("lock@example.se", "wrong password guess").await;
        assert!(
            fifth
                .text()
                .await
                .unwrap()
                .contains("blocked after five wrong passwords")
        );
        assert_eq!(app.failed_logins("lock@example.se").await, 5);

        let sixth = app.login("lock@example.se", STRONG_PASSWORD).await;
        assert_eq!(sixth.status(), 401);
        let html = sixth.text().await.unwrap();
        assert!(html.contains("Apply for a new password"), "{html}");
        assert!(html.contains(r#"href="/password/forgot""#));
        let locked_mail = app.last_mail_to("lock@example.se").await;
        assert!(locked_mail.subject.contains("blocked"));
        let events = app.audit_events("lock@example.se").await;
        assert!(events.contains(&"account_locked".to_owned()));
        assert!(events.contains(&"login_refused_locked".to_owned()));
    }
);

on_both_backends!(a_successful_login_resets_the_count, |app| {
    app.create_account("reset@example.se", STRONG_PASSWORD)
        .await;
    app.fail_logins("reset@example.se", 4).await;
    assert_eq!(
        app.login("reset@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(app.failed_logins("reset@example.se").await, 0);
    app.fail_logins("reset@example.se", 4).await;
    assert_eq!(
        app.login("reset@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303,
        "four more failures do not block"
    );
});

on_both_backends!(a_new_password_unblocks_and_ends_other_sessions, |app| {
    app.create_account("unblock@example.se", STRONG_PASSWORD)
        .await;
    // A session on another device.
    let other_device = app.other_browser();
    assert_eq!(
        other_device
            .login("unblock@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(other_device.get("/account").await.status(), 200);
    app.fail_logins("unblock@example.se", 5).await;
    assert_eq!(
        app.login("unblock@example.se", STRONG_PASSWORD)
            .await
            .status(),
        401
    );

    assert_eq!(
        app.post_form("/password/forgot", &[("email", "unblock@example.se")])
            .await
            .status(),
        200
    );
    let link = link_in(&app.last_mail_to("unblock@example.se").await);
    assert_eq!(
        app.set_password(&link, OTHER_STRONG_PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(app.failed_logins("unblock@example.se").await, 0);
    assert_eq!(
        other_device.get("/account").await.status(),
        303,
        "the other session has ended"
    );
    assert_eq!(
        app.login("unblock@example.se", OTHER_STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    assert!(
        app.last_mail_to("unblock@example.se")
            .await
            .subject
            .contains("password has changed")
    );
});

on_both_backends!(unknown_addresses_lock_like_real_ones, |app| {
    app.fail_logins("ghost@example.se", 5).await;
    let sixth = app.login("ghost@example.se", "wrong password guess").await;
    assert!(
        sixth
            .text()
            .await
            .unwrap()
            .contains("blocked after five wrong passwords")
    );
});

on_both_backends!(
    fifty_parallel_wrong_attempts_on_two_replicas_count_as_five,
    |app| {
        app.create_account("race@example.se", STRONG_PASSWORD).await;
        let replica = app.replica().await;
        let token_a = app.csrf_token().await;
        let token_b = replica.csrf_token().await;
        let mut attempts = Vec::new();
        for i in 0..50 {
            let (instance, token) = if i % 2 == 0 {
                (app, token_a.clone())
            } else {
                (&replica, token_b.clone())
            };
            let request = instance.browser.post(instance.url("/login")).form(&[
                ("csrf_token", token.as_str()),
                ("email", "race@example.se"),
                ("password", "wrong password guess"),
            ]);
            attempts.push(request.send());
        }
        let responses = futures_util::future::join_all(attempts).await;
        for response in &responses {
            assert_eq!(response.as_ref().unwrap().status(), 401);
        }
        assert_eq!(
            app.failed_logins("race@example.se").await,
            5,
            "no more failures counted than checked"
        );
        let checked = app
            .audit_events("race@example.se")
            .await
            .iter()
            .filter(|e| *e == "login_failed")
            .count();
        assert_eq!(checked, 5, "exactly five passwords were checked");
        assert_eq!(
            app.login("race@example.se", STRONG_PASSWORD).await.status(),
            401,
            "no sixth guess, even right"
        );
        replica.cleanup().await;
    }
);
