//! The HTTP edge: the client the app uses, and the reading of answers, where a refusal becomes
//! [`AppError::Server`] with the server's problem.

use crate::AppError;
use eulogin_mobile_protocol::Problem;
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// The longest wait for one request to the server.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The client the program uses: rustls with ring (reqwest is built without a crypto provider),
/// the system's trusted roots, no redirects (an assertion is bound to one URL, so a redirected
/// request could only fail), and a timeout. Tests may pass their own client instead.
pub fn http_client() -> Result<reqwest::Client, AppError> {
    // Fails only when a provider is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .tls_backend_rustls()
        .user_agent(concat!("eulogin-app/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(AppError::HttpSetup)
}

/// Sends `request` to `url` and reads a JSON `T` from a successful answer. Any other status
/// gives [`AppError::Server`] with the RFC 9457 body, or a problem made from the status when
/// the body is not one (a proxy's error page, say).
pub(crate) async fn send_json<T: DeserializeOwned>(
    request: reqwest::RequestBuilder,
    url: &Url,
) -> Result<T, AppError> {
    let unreachable = |error| AppError::Unreachable {
        url: url.to_string(),
        error,
    };
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let problem = serde_json::from_slice::<Problem>(&body).unwrap_or_else(|_| {
            Problem::new(
                status.as_u16(),
                "about:blank",
                status.canonical_reason().unwrap_or("Error"),
            )
        });
        return Err(AppError::Server {
            status: status.as_u16(),
            problem,
        });
    }
    serde_json::from_slice(&body).map_err(|e| AppError::UnexpectedResponse {
        url: url.to_string(),
        status: status.as_u16(),
        reason: e.to_string(),
    })
}
