//! The relying party: its id and the one origin it accepts, both taken from the public URL.

use crate::WebAuthnError;
use std::time::Duration;
use url::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// How long the browser gives the person to use their key, as sent in the options. Keep a
/// ceremony's state at least this long (plus the time for the response to arrive) before it
/// expires from the key-value store.
pub const CEREMONY_TIMEOUT: Duration = Duration::from_secs(300);

/// eulogin's WebAuthn policy for one public URL: build it once at start-up and share it.
///
/// The relying party id is the host of the public URL (credentials are bound to it: changing
/// the host orphans every registered key) and the only accepted origin is the public URL's
/// origin. Subdomains are refused; other ports are refused except on `localhost`, where they
/// are accepted for development and tests.
#[derive(Debug, Clone)]
pub struct WebAuthnPolicy {
    pub(crate) webauthn: Webauthn,
    rp_id: String,
    origin: Url,
}

impl WebAuthnPolicy {
    /// The policy for the server reachable at `public_url`, shown to people as `rp_name`.
    ///
    /// The URL must be `https`, or `http` on `localhost` (or a subdomain of it). Its host must be
    /// a domain name: WebAuthn has no relying party id for an IP address, so
    /// `http://127.0.0.1:8080` is refused (use `http://localhost:8080`). The path, query and
    /// fragment are ignored.
    ///
    /// # Errors
    ///
    /// [`WebAuthnError::Configuration`] for any URL or name outside these rules.
    pub fn new(public_url: &Url, rp_name: &str) -> Result<Self, WebAuthnError> {
        let rp_id = match public_url.host() {
            Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {
                return Err(WebAuthnError::Configuration(format!(
                    "the public URL {public_url} has an IP address for a host; WebAuthn needs a \
                     domain name (use localhost instead of a loopback address)"
                )));
            }
            _ => {
                return Err(WebAuthnError::Configuration(format!(
                    "the public URL {public_url} has no host"
                )));
            }
        };
        let local = rp_id == "localhost" || rp_id.ends_with(".localhost");
        match public_url.scheme() {
            "https" => {}
            "http" if local => {}
            scheme => {
                return Err(WebAuthnError::Configuration(format!(
                    "the public URL {public_url} uses {scheme}; WebAuthn needs https \
                     (plain http only on localhost)"
                )));
            }
        }
        if rp_name.trim().is_empty() {
            return Err(WebAuthnError::Configuration(
                "the relying party name is empty".to_owned(),
            ));
        }
        let origin = Url::parse(&public_url.origin().ascii_serialization()).map_err(|e| {
            WebAuthnError::Configuration(format!("the origin of {public_url} is not a URL: {e}"))
        })?;
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .map_err(|e| WebAuthnError::Configuration(format!("{rp_id}: {e}")))?
            .rp_name(rp_name)
            .timeout(CEREMONY_TIMEOUT)
            .allow_subdomains(false)
            // A development server on localhost is often reached through another port (a
            // proxy, a container mapping); no production host is ever localhost.
            .allow_any_port(local)
            .build()
            .map_err(|e| WebAuthnError::Configuration(format!("{rp_id}: {e}")))?;
        Ok(WebAuthnPolicy {
            webauthn,
            rp_id,
            origin,
        })
    }

    /// The relying party id: the host of the public URL.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The one origin whose responses are accepted (scheme, host and port of the public URL).
    pub fn origin(&self) -> &Url {
        &self.origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(url: &str) -> Result<WebAuthnPolicy, WebAuthnError> {
        WebAuthnPolicy::new(&Url::parse(url).unwrap(), "EU Login")
    }

    #[test]
    fn the_relying_party_is_the_host_of_the_public_url() {
        let p = policy("https://login.example.eu/cas/").unwrap();
        assert_eq!(p.rp_id(), "login.example.eu");
        assert_eq!(p.origin().as_str(), "https://login.example.eu/");

        let p = policy("https://login.example.eu:8443").unwrap();
        assert_eq!(p.origin().as_str(), "https://login.example.eu:8443/");
    }

    #[test]
    fn localhost_works_over_plain_http_on_any_port() {
        let p = policy("http://localhost:41234").unwrap();
        assert_eq!(p.rp_id(), "localhost");
        assert_eq!(p.origin().as_str(), "http://localhost:41234/");
        assert!(policy("http://eulogin.localhost:8080").is_ok());
    }

    #[test]
    fn addresses_plain_http_elsewhere_and_empty_names_are_refused() {
        for url in [
            "http://127.0.0.1:8080",
            "https://[::1]:8443",
            "http://login.example.eu",
            "ftp://login.example.eu",
        ] {
            let err = policy(url).unwrap_err();
            assert!(
                matches!(err, WebAuthnError::Configuration(_)),
                "{url}: {err}"
            );
        }
        let err = WebAuthnPolicy::new(&Url::parse("https://login.example.eu").unwrap(), " ");
        assert!(matches!(err, Err(WebAuthnError::Configuration(_))));
    }
}
