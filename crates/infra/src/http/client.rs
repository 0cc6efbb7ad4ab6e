//! Who is calling: the client address (the TCP peer, or the first address a trusted proxy
//! recorded) and the user agent, for rate limits and the audit log.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The client's address. `X-Forwarded-For` is believed only when the service is told that it
/// runs behind a proxy (otherwise any client could pick its own rate-limit bucket).
pub fn client_ip(req: &HttpRequest, trust_forwarded: bool) -> String {
    if trust_forwarded
        && let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded
            .split(',')
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    {
        return first.to_owned();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The user agent, cut to a length fit for storage.
pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}
