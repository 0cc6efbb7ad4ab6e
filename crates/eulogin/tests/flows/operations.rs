//! Health, readiness and metrics.

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(health_readiness_and_metrics_answer, |app| {
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["database"], true);
    assert_eq!(body["checks"]["key_value_store"], true);
    app.login("nobody@example.se", "wrong password guess").await;
    let metrics_base = app
        .metrics_base
        .clone()
        .expect("the tests' metrics listener");
    let scraped = reqwest::get(format!("{metrics_base}/metrics"))
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let metrics = scraped.text().await.unwrap();
    assert!(
        metrics.contains("eulogin_http_requests_total{method=\"GET\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("eulogin_security_events_total{event=\"login_failed\"} 1"),
        "{metrics}"
    );
});

on_both_backends!(
    metrics_are_not_on_the_public_port_and_nothing_else_is_on_theirs,
    |app| {
        // The public port: the counters of failed logins are nobody's business there.
        let public = app.get("/metrics").await;
        assert_eq!(public.status(), 404);
        let body = public.text().await.unwrap();
        assert!(!body.contains("eulogin_security_events_total"), "{body}");
        // The metrics listener serves `GET /metrics` and nothing else.
        let metrics_base = app
            .metrics_base
            .clone()
            .expect("the tests' metrics listener");
        for path in [
            "/",
            "/login",
            "/healthz",
            "/.well-known/openid-configuration",
        ] {
            let answer = reqwest::get(format!("{metrics_base}{path}")).await.unwrap();
            assert_eq!(answer.status(), 404, "{path}");
        }
        let posted = reqwest::Client::new()
            .post(format!("{metrics_base}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 404);
    }
);

/// A TCP relay to a real server that can be cut, to take a backend away from a running app.
struct Relay {
    port: u16,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn to(target: &'static str) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> =
            Default::default();
        let registry = tasks.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let handle = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                registry.lock().unwrap().push(handle);
            }
        });
        tasks.lock().unwrap().push(acceptor);
        Relay { port, tasks }
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[actix_web::test]
async fn readiness_reports_503_when_the_database_or_the_key_value_store_is_gone() {
    let data = TestData::new(Backends::Production);
    let pg = Relay::to("127.0.0.1:5432").await;
    let redis = Relay::to("127.0.0.1:6379").await;
    let mut settings = data.settings();
    settings.database_url = data
        .database_url
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", pg.port))
        .into();
    settings.redis_url = Some(format!("redis://127.0.0.1:{}/15", redis.port).into());
    let app = eulogin::Application::build(settings, std::sync::Arc::new(infra::SystemClock))
        .await
        .unwrap();
    let (port, _state, server) = app.into_parts();
    tokio::spawn(server);
    let url = format!("http://127.0.0.1:{port}/readyz");
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);

    redis.cut();
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["key_value_store"], false);

    pg.cut();
    let body: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(body["checks"]["database"], false);
    assert_eq!(
        reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .unwrap()
            .status(),
        200,
        "still alive"
    );
}

#[actix_web::test]
async fn an_unreachable_redis_stops_the_start() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let data = TestData::new(Backends::Embedded);
    let mut settings = data.settings();
    settings.redis_url = Some(format!("redis://127.0.0.1:{port}").into());
    let error = eulogin::Application::build(settings, std::sync::Arc::new(infra::SystemClock))
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("Redis cannot be reached"),
        "{error}"
    );
}
