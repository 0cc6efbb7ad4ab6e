//! The HTTP calls traces makes to eulogin (discovery, keys, the token endpoint): short timeouts
//! so a page never hangs on a slow eulogin, no redirects followed (the openidconnect crate
//! requires it: a token request must not be forwarded elsewhere), and the adapter through which
//! openidconnect makes its calls with reqwest 0.13 (its own `reqwest` feature pins 0.12).

use std::time::Duration;

/// A call to eulogin that did not get an answer, or got one that cannot be used. The text is
/// for logs only.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IssuerHttpError(String);

/// The client for eulogin; cheap to clone.
#[derive(Clone, Debug)]
pub struct IssuerHttp {
    client: reqwest::Client,
}

/// Documents bigger than this are not read (a JWKS or a discovery document is a few kB).
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

impl IssuerHttp {
    /// Needs the rustls crypto provider installed (`crate::app::install_crypto`).
    pub fn new() -> anyhow::Result<IssuerHttp> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("traces/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(IssuerHttp { client })
    }

    /// One request of the openidconnect crate.
    pub async fn call(
        &self,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, IssuerHttpError> {
        let response = self
            .client
            .request(request.method().clone(), request.uri().to_string())
            .headers(request.headers().clone())
            .body(request.body().clone())
            .send()
            .await
            .map_err(|e| IssuerHttpError(e.to_string()))?;
        let mut built = openidconnect::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            built = built.header(name, value);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| IssuerHttpError(e.to_string()))?;
        built
            .body(body.to_vec())
            .map_err(|e| IssuerHttpError(e.to_string()))
    }

    /// The openidconnect crate's view of this client: a function from request to response.
    pub fn for_openidconnect(
        &self,
    ) -> impl Fn(
        openidconnect::HttpRequest,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, IssuerHttpError>>
                + Send,
        >,
    > + Send
    + Sync
    + 'static {
        let http = self.clone();
        move |request| {
            let http = http.clone();
            Box::pin(async move { http.call(request).await })
        }
    }

    /// GETs a JSON document (200 only).
    pub async fn get_document(&self, url: &str) -> Result<Vec<u8>, IssuerHttpError> {
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| IssuerHttpError(e.to_string()))?;
        if !response.status().is_success() {
            return Err(IssuerHttpError(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        if response
            .content_length()
            .is_some_and(|l| l > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(IssuerHttpError(format!("{url} sent too big a document")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| IssuerHttpError(e.to_string()))?;
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(IssuerHttpError(format!("{url} sent too big a document")));
        }
        Ok(body.to_vec())
    }
}
