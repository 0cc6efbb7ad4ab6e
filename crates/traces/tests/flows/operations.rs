//! The metrics listener: `GET /metrics` there, nothing else there, and no metrics on the
//! public port (the access matrix asks every role for `/metrics` there: 404).

use crate::on_both_backends;

on_both_backends!(metrics_are_served_on_their_own_listener_only, |world| {
    let public = reqwest::get(world.traces("/healthz")).await.unwrap();
    assert_eq!(public.status(), 200);
    let metrics_url = world
        .traces_metrics_url
        .clone()
        .expect("the tests' metrics listener");
    let scraped = reqwest::get(format!("{metrics_url}/metrics"))
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    let metrics = scraped.text().await.unwrap();
    assert!(
        metrics.contains("traces_http_requests_total{method=\"GET\",status=\"200\"}"),
        "{metrics}"
    );
    let on_public_port = reqwest::get(world.traces("/metrics")).await.unwrap();
    assert_eq!(on_public_port.status(), 404);
    for path in ["/", "/healthz", "/api/v1/openapi.json"] {
        let answer = reqwest::get(format!("{metrics_url}{path}")).await.unwrap();
        assert_eq!(answer.status(), 404, "{path}");
    }
});
