//! `/metrics` on an address of its own (`EULOGIN_METRICS_LISTEN`, `TRACES_METRICS_LISTEN`),
//! never on the public port: the counters tell the service's traffic, failed logins and
//! lockouts, which are the operator's business, not the internet's.
//!
//! Both listeners belong to one server (the same workers serve both); this middleware, the
//! outermost, answers every request that came in on the metrics listener: `GET /metrics` with
//! the registry, anything else with 404. On the public listener it does nothing, and the
//! services route no `/metrics` there.

use crate::metrics::Metrics;
use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// The OpenMetrics text format the registry renders.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The middleware: `.wrap(from_fn(move |req, next| serve_on(port, metrics.clone(), req, next)))`,
/// where `port` is the metrics listener's port (`None` when there is none).
pub async fn serve_on(
    metrics_port: Option<u16>,
    metrics: Metrics,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let on_metrics_listener =
        metrics_port.is_some_and(|port| req.app_config().local_addr().port() == port);
    if !on_metrics_listener {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let response = if req.method() == Method::GET && req.path() == "/metrics" {
        HttpResponse::Ok()
            .content_type(CONTENT_TYPE)
            .body(metrics.render())
    } else {
        HttpResponse::NotFound().finish()
    };
    Ok(req.into_response(response))
}

/// Binds the metrics listener when an address is configured; the error names the address.
pub fn bind(address: Option<&str>) -> std::io::Result<Option<std::net::TcpListener>> {
    address
        .map(|address| {
            std::net::TcpListener::bind(address).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen on {address} (metrics): {e}"),
                )
            })
        })
        .transpose()
}

/// The port a bound metrics listener took (port 0 picks a free one, as tests do).
pub fn port_of(listener: Option<&std::net::TcpListener>) -> std::io::Result<Option<u16>> {
    listener
        .map(|l| l.local_addr().map(|a| a.port()))
        .transpose()
}
