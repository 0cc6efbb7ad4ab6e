//! A minimal HTTP/1.1 client: one keep-alive connection (hyper's low-level `conn` API over a
//! `TcpStream`), requests sent one after the other on it. A broken connection is opened again at
//! the next request. Nothing else: no pool, no redirects, no cookie store, no decompression.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// An answer, read in full.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// The `Location` header.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION)?.to_str().ok()
    }

    /// The value of the cookie `name` set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, value)| value.trim().to_owned())
    }

    /// The body as text, shortened, for error messages.
    pub fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text: String = text.chars().take(160).collect();
        text.replace(['\n', '\r'], " ")
    }
}

/// A request to send: method, path and query, headers, body.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
    pub body: Bytes,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A POST of an `application/x-www-form-urlencoded` body.
    pub fn post_form(path: impl Into<String>, pairs: &[(&str, &str)]) -> Call {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Call {
            method: Method::POST,
            path: path.into(),
            headers: vec![(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )],
            body: Bytes::from(body),
        }
    }

    /// Adds a header; our values are always visible ASCII (a value that is not is dropped,
    /// and the server's answer will show it).
    pub fn header(mut self, name: header::HeaderName, value: impl Into<String>) -> Call {
        if let Ok(value) = HeaderValue::try_from(value.into()) {
            self.headers.push((name, value));
        }
        self
    }

    /// `Cookie: a=1; b=2`, if there is any cookie to send.
    pub fn cookies(self, cookies: &[(&str, &str)]) -> Call {
        if cookies.is_empty() {
            return self;
        }
        let value = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        self.header(header::COOKIE, value)
    }

    /// The method and path without the query, for error messages.
    pub fn label(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        format!("{} {path}", self.method)
    }
}

/// Why a request got no answer.
#[derive(Debug)]
pub struct Broken(pub String);

/// One keep-alive connection to the server.
pub struct Connection {
    addr: SocketAddr,
    host: HeaderValue,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.addr)
            .field("open", &self.sender.is_some())
            .finish()
    }
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Connection {
        let host = HeaderValue::from_str(&addr.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("127.0.0.1"));
        Connection {
            addr,
            host,
            sender: None,
        }
    }

    async fn open(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, Broken> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| Broken(format!("connect: {e}")))?;
            stream
                .set_nodelay(true)
                .map_err(|e| Broken(format!("nodelay: {e}")))?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| Broken(format!("handshake: {e}")))?;
            tokio::spawn(async move {
                // Ends when the server closes the connection or the sender is dropped.
                let _ = connection.await;
            });
            self.sender = Some(sender);
        }
        self.sender
            .as_mut()
            .ok_or_else(|| Broken("no connection".to_owned()))
    }

    /// Sends `call` and reads the whole answer.
    pub async fn send(&mut self, call: &Call) -> Result<Response, Broken> {
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(call.path.as_str())
            .header(header::HOST, self.host.clone());
        for (name, value) in &call.headers {
            builder = builder.header(name, value.clone());
        }
        let request = builder
            .body(Full::new(call.body.clone()))
            .map_err(|e| Broken(format!("request: {e}")))?;
        let outcome = self.exchange(request).await;
        if outcome.is_err() {
            // The next request opens a new connection.
            self.sender = None;
        }
        outcome
    }

    async fn exchange(&mut self, request: Request<Full<Bytes>>) -> Result<Response, Broken> {
        let sender = self.open().await?;
        sender
            .ready()
            .await
            .map_err(|e| Broken(format!("connection: {e}")))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| Broken(format!("send: {e}")))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| Broken(format!("body: {e}")))?
            .to_bytes();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}
