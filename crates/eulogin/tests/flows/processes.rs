//! The lockout race between two real eulogin processes (the built binary, started twice) that
//! share one database: fifty parallel wrong passwords check exactly five.

use crate::support::*;
use std::process::{Child, Command, Stdio};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &TestData, port: u16) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eulogin"));
    command
        .env_clear()
        .env("EULOGIN_LISTEN", format!("127.0.0.1:{port}"))
        .env("EULOGIN_DATABASE_URL", &data.database_url)
        .env("EULOGIN_OUTBOX_DIR", data.outbox.path())
        .env(
            "EULOGIN_SECRET_KEY",
            "test-secret-key-of-at-least-32-characters",
        )
        .env("EULOGIN_CAPTCHA", "off")
        .env("EULOGIN_KEY_PREFIX", &data.kv_prefix)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    if let Some(redis) = &data.redis_url {
        command.env("EULOGIN_REDIS_URL", redis);
    }
    Process(command.spawn().expect("eulogin binary"))
}

async fn wait_ready(base: &str) {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status() == 200
        {
            return;
        }
        // Waiting for a real process to start: there is no clock to inject here.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready");
}

#[actix_web::test]
async fn fifty_parallel_wrong_attempts_on_two_processes_check_five_passwords() {
    for backends in [Backends::Embedded, Backends::Production] {
        // The account is created through an in-test instance on the same data.
        let app = TestApp::spawn(backends).await;
        app.create_account("procs@example.se", STRONG_PASSWORD)
            .await;
        let data = &app.data;
        let (port_a, port_b) = (free_port(), free_port());
        let _a = start(data, port_a);
        let _b = start(data, port_b);
        let bases = [
            format!("http://127.0.0.1:{port_a}"),
            format!("http://127.0.0.1:{port_b}"),
        ];
        for base in &bases {
            wait_ready(base).await;
        }
        // One browser per process (the CSRF cookie is per origin).
        let mut browsers = Vec::new();
        for base in &bases {
            let client = browser();
            let html = client
                .get(format!("{base}/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            browsers.push((
                client,
                base.clone(),
                hidden_input(&html, "csrf_token").unwrap(),
            ));
        }
        let attempts = (0..50).map(|i| {
            let (client, base, token) = &browsers[i % 2];
            client
                .post(format!("{base}/login"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "procs@example.se"),
                    ("password", "wrong password guess"),
                ])
                .send()
        });
        // Refused as wrong (401) or, past the default per-account rate limit, as too many (429).
        for response in futures_util::future::join_all(attempts).await {
            let status = response.unwrap().status().as_u16();
            assert!(status == 401 || status == 429, "{status}");
        }
        assert_eq!(
            app.failed_logins("procs@example.se").await,
            5,
            "{backends:?}"
        );
        let checked = app
            .audit_events("procs@example.se")
            .await
            .iter()
            .filter(|e| *e == "login_failed")
            .count();
        assert_eq!(
            checked, 5,
            "{backends:?}: exactly five passwords were checked"
        );
        let (client, base, token) = &browsers[0];
        let right = client
            .post(format!("{base}/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "procs@example.se"),
                ("password", STRONG_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        let status = right.status().as_u16();
        assert!(
            status == 401 || status == 429,
            "no sixth guess, even the right one: {status}"
        );
        let events = app.audit_events("procs@example.se").await;
        assert!(
            !events.contains(&"login_succeeded".to_owned()),
            "{events:?}"
        );
        assert_eq!(app.failed_logins("procs@example.se").await, 5);
        app.cleanup().await;
    }
}
