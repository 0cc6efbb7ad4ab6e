//! The production mail path: eulogin hands the message to an SMTP relay (here a small SMTP
//! sink on loopback that speaks the protocol for real), instead of the outbox.

use crate::support::*;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP server that accepts every message and keeps it.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            message.push_str(line.strip_prefix('.').unwrap_or(&line));
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, received)
}

#[actix_web::test]
async fn registration_mail_goes_through_smtp_when_a_relay_is_configured() {
    let (port, received) = smtp_sink().await;
    for backends in [Backends::Embedded, Backends::Production] {
        let app = TestApp::spawn_with(backends, |s| {
            s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into())
        })
        .await;
        assert!(!app.state.postman.is_outbox());
        assert_eq!(app.register("smtp@example.se").await.status(), 200);
        app.state.postman.idle().await;
        let messages = received.lock().unwrap().clone();
        let message = messages.last().expect("a message reached the relay");
        assert!(message.contains("To: smtp@example.se"), "{message}");
        assert!(
            message.contains("Subject: Your EU Login account: set your password"),
            "{message}"
        );
        assert!(message.contains("/password/new?token="), "{message}");
        assert!(
            app.mails().await.is_empty(),
            "nothing in the outbox when SMTP is configured"
        );
        app.cleanup().await;
    }
}
