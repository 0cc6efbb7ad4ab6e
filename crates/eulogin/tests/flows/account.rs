//! "My account": details, e-mail change, password change, sessions, activity.

use crate::on_both_backends;
use crate::support::*;

async fn logged_in(app: &TestApp, email: &str) {
    app.create_account(email, STRONG_PASSWORD).await;
    assert_eq!(app.login(email, STRONG_PASSWORD).await.status(), 303);
}

on_both_backends!(my_account_needs_a_session, |app| {
    let response = app.get("/account").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    let post = app
        .post_form(
            "/account/profile",
            &[("first_name", "X"), ("last_name", "Y"), ("language", "en")],
        )
        .await;
    assert_eq!(post.status(), 303);
    assert_eq!(post.headers()["location"], "/login");
});

on_both_backends!(names_and_language_can_be_changed, |app| {
    logged_in(app, "me@example.se").await;
    let page = app.get("/account").await.text().await.unwrap();
    assert!(page.contains(r#"value="Anna""#));
    let saved = app
        .post_form(
            "/account/profile",
            &[
                ("first_name", "Annika"),
                ("last_name", "Berg-Lund"),
                ("language", "de"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let page = app.get("/account?done=profile").await.text().await.unwrap();
    assert!(page.contains(r#"value="Annika""#) && page.contains(r#"value="Berg-Lund""#));
    assert!(page.contains(r#"<option value="de" selected>"#));
    let bad = app
        .post_form(
            "/account/profile",
            &[
                ("first_name", "<b>"),
                ("last_name", "Berg"),
                ("language", "de"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        app.audit_events("me@example.se")
            .await
            .contains(&"profile_changed".to_owned())
    );
});

on_both_backends!(
    the_password_change_needs_the_current_password_and_ends_other_sessions,
    |app| {
        logged_in(app, "pw@example.se").await;
        let other = app.other_browser();
        assert_eq!(
            other.login("pw@example.se", STRONG_PASSWORD).await.status(),
            303
        );

        let wrong = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", "not it at all"),
                    ("password", OTHER_STRONG_PASSWORD),
                    ("password_confirm", OTHER_STRONG_PASSWORD),
                ],
            )
            .await;
        assert_eq!(wrong.status(), 422);
        assert!(
            text_of(&wrong.text().await.unwrap(), "#current_password-error")
                .contains("not correct")
        );
        assert_eq!(
            app.failed_logins("pw@example.se").await,
            1,
            "a wrong current password counts toward the lockout"
        );

        let weak = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("password", "password1234"),
                    ("password_confirm", "password1234"),
                ],
            )
            .await;
        assert_eq!(weak.status(), 422);

        let changed = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("password", OTHER_STRONG_PASSWORD),
                    ("password_confirm", OTHER_STRONG_PASSWORD),
                ],
            )
            .await;
        assert_eq!(changed.status(), 303);
        assert_eq!(
            app.get("/account").await.status(),
            200,
            "this session stays"
        );
        assert_eq!(
            other.get("/account").await.status(),
            303,
            "the other session has ended"
        );
        assert_eq!(
            app.login("pw@example.se", OTHER_STRONG_PASSWORD)
                .await
                .status(),
            303
        );
        assert!(
            app.last_mail_to("pw@example.se")
                .await
                .subject
                .contains("password has changed")
        );
    }
);

on_both_backends!(
    the_email_changes_only_when_the_new_address_confirms,
    |app| {
        logged_in(app, "old@example.se").await;
        let requested = app
            .post_form(
                "/account/email",
                &[
                    ("new_email", "New@Example.se"),
                    ("current_password", STRONG_PASSWORD),
                ],
            )
            .await;
        assert_eq!(requested.status(), 303);
        let mail = app.last_mail_to("new@example.se").await;
        let link = link_in(&mail);
        assert!(link.starts_with(&app.url("/email/confirm?token=")));
        // Until confirmed, the old address is still the login.
        assert_eq!(
            app.login("old@example.se", STRONG_PASSWORD).await.status(),
            303
        );

        let page = app.get(&link.replace(&app.base, "")).await;
        assert_eq!(page.status(), 200, "opening the link changes nothing yet");
        assert_eq!(
            app.login("old@example.se", STRONG_PASSWORD).await.status(),
            303
        );
        let confirmed = app
            .post_form("/email/confirm", &[("token", &token_of(&link))])
            .await;
        assert_eq!(confirmed.status(), 200);
        assert_eq!(
            app.login("new@example.se", STRONG_PASSWORD).await.status(),
            303
        );
        assert_eq!(
            app.login("old@example.se", STRONG_PASSWORD).await.status(),
            401
        );
        assert!(
            app.last_mail_to("old@example.se")
                .await
                .subject
                .contains("has changed")
        );
        assert_eq!(
            app.post_form("/email/confirm", &[("token", &token_of(&link))])
                .await
                .status(),
            410,
            "once only"
        );
    }
);

on_both_backends!(an_email_change_to_a_taken_address_reveals_nothing, |app| {
    app.create_account("taken@example.se", STRONG_PASSWORD)
        .await;
    logged_in(app, "mover@example.se").await;
    let taken = app
        .post_form(
            "/account/email",
            &[
                ("new_email", "taken@example.se"),
                ("current_password", STRONG_PASSWORD),
            ],
        )
        .await;
    let free = app
        .post_form(
            "/account/email",
            &[
                ("new_email", "free@example.se"),
                ("current_password", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!(taken.status(), free.status());
    assert_eq!(taken.headers()["location"], free.headers()["location"]);
    let notice = app.last_mail_to("taken@example.se").await;
    assert!(
        !notice.body.contains("token="),
        "the owner of the taken address gets a notice, not a link"
    );
    let wrong_password = app
        .post_form(
            "/account/email",
            &[
                ("new_email", "x@example.se"),
                ("current_password", "nope nope nope"),
            ],
        )
        .await;
    assert_eq!(wrong_password.status(), 422);
});

on_both_backends!(sessions_are_listed_and_another_can_be_ended, |app| {
    logged_in(app, "multi@example.se").await;
    let laptop = app.other_browser();
    assert_eq!(
        laptop
            .login("multi@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    let page = app.get("/account").await.text().await.unwrap();
    assert_eq!(page.matches("<tr>").count() - 1, 2, "two sessions listed");
    assert!(page.contains("This session"));
    let other = hidden_input(&page, "session").expect("an end button for the other session");
    assert_eq!(
        app.post_form("/account/sessions/end", &[("session", &other)])
            .await
            .status(),
        303
    );
    assert_eq!(laptop.get("/account").await.status(), 303);
    assert_eq!(app.get("/account").await.status(), 200);
    assert!(
        app.audit_events("multi@example.se")
            .await
            .contains(&"session_ended".to_owned())
    );
});

on_both_backends!(one_account_cannot_end_another_accounts_session, |app| {
    logged_in(app, "victim@example.se").await;
    let victim_handle = app
        .state
        .sessions
        .list(&account_id(app, "victim@example.se").await)
        .await
        .unwrap()[0]
        .handle
        .clone();
    let attacker = app.other_browser();
    attacker
        .create_account("attacker@example.se", STRONG_PASSWORD)
        .await;
    assert_eq!(
        attacker
            .login("attacker@example.se", STRONG_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(
        attacker
            .post_form("/account/sessions/end", &[("session", &victim_handle)])
            .await
            .status(),
        303
    );
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "the victim's session is untouched"
    );
});

async fn account_id(app: &TestApp, email: &str) -> String {
    let email = email.to_owned();
    app.state
        .db
        .run(move |c| {
            Ok(eulogin::store::accounts::find_by_email(c, &email)?
                .unwrap()
                .id)
        })
        .await
        .unwrap()
}

on_both_backends!(
    five_wrong_current_passwords_block_the_account_as_at_login,
    |app| {
        logged_in(app, "reauth@example.se").await;
        let change = [
            ("current_password", "not it at all"),
            ("password", OTHER_STRONG_PASSWORD),
            ("password_confirm", OTHER_STRONG_PASSWORD),
        ];
        for attempt in 1..=4 {
            let response = app.post_form("/account/password", &change).await;
            assert_eq!(response.status(), 422);
            assert!(
                text_of(&response.text().await.unwrap(), "#current_password-error")
                    .contains("not correct"),
                "attempt {attempt}"
            );
        }
        let fifth = app
            .post_form(
                "/account/email",
                &[
                    ("new_email", "x@example.se"),
                    ("current_password", "not it at all"),
                ],
            )
            .await;
        assert_eq!(fifth.status(), 422);
        assert!(
            text_of(&fifth.text().await.unwrap(), "#email_password-error")
                .contains("blocked after five wrong passwords")
        );
        assert!(
            app.last_mail_to("reauth@example.se")
                .await
                .subject
                .contains("blocked")
        );
        let events = app.audit_events("reauth@example.se").await;
        assert_eq!(
            events
                .iter()
                .filter(|e| *e == "reauthentication_failed")
                .count(),
            5
        );
        assert!(events.contains(&"account_locked".to_owned()));
        assert_eq!(
            app.login("reauth@example.se", STRONG_PASSWORD)
                .await
                .status(),
            401,
            "blocked for login too"
        );
    }
);

on_both_backends!(
    an_email_change_needs_a_recent_login_with_the_second_factor,
    |app| {
        logged_in(app, "recent@example.se").await;
        let change = [
            ("new_email", "elsewhere@example.se"),
            ("current_password", STRONG_PASSWORD),
        ];
        // Eleven minutes after the login, the page asks to confirm it is me first.
        app.clock.advance(time::Duration::minutes(11));
        let page = app.get("/account").await.text().await.unwrap();
        assert!(page.contains("first confirm it is you"), "{page}");
        assert!(!page.contains("name=\"new_email\""));
        let stale = app.post_form("/account/email", &change).await;
        assert_eq!(stale.headers()["location"], "/login?next=/account");
        // After a new login, the form is back; with an authenticator app added, a login with
        // the password only is not enough.
        assert_eq!(
            app.login("recent@example.se", STRONG_PASSWORD)
                .await
                .status(),
            303
        );
        assert!(
            app.get("/account")
                .await
                .text()
                .await
                .unwrap()
                .contains("name=\"new_email\"")
        );
        app.add_authenticator().await;
        app.logout().await;
        assert_eq!(
            app.login("recent@example.se", STRONG_PASSWORD)
                .await
                .headers()["location"],
            "/account"
        );
        let password_only = app.post_form("/account/email", &change).await;
        assert_eq!(password_only.headers()["location"], "/login?next=/account");
        assert!(
            app.mails()
                .await
                .iter()
                .all(|m| !m.to.contains("elsewhere"))
        );
    }
);
