//! Security headers on every response: a strict Content-Security-Policy (no inline script,
//! no framing), no MIME sniffing, no referrer, HSTS on HTTPS, and no caching of pages.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::DefaultHeaders;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; media-src 'self'; connect-src 'self'; form-action 'self'; \
frame-ancestors 'none'; base-uri 'none'";

/// The policy with other targets allowed for forms besides this site. Chromium and Safari
/// check `form-action` against every redirect that a form submission leads to
/// (w3c/webappsec-csp#8), so a form whose answer redirects to another site (back to an
/// application after a login, to the identity provider after a logout) needs that site here.
/// Each target must be what [`form_target_of`] gives; anything else is left out.
pub fn allowing_form_targets<'a>(targets: impl IntoIterator<Item = &'a str>) -> String {
    let mut directive = String::from("form-action 'self'");
    for target in targets {
        let word = format!(" {target}");
        if is_form_target(target) && !directive.split(' ').any(|w| w == target) {
            directive.push_str(&word);
        }
    }
    CONTENT_SECURITY_POLICY.replace("form-action 'self'", &directive)
}

/// The CSP source that allows redirects to `uri`: its origin (`https://app.example:8443`) for
/// a web address, or its scheme (`com.example.app:`) for the private-use scheme of a native
/// application (RFC 8252, section 7.1).
pub fn form_target_of(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    let target = match url.scheme() {
        "http" | "https" => url.origin().ascii_serialization(),
        scheme => format!("{scheme}:"),
    };
    is_form_target(&target).then_some(target)
}

/// An http(s) origin, or a private-use scheme (never one that runs or embeds content).
fn is_form_target(target: &str) -> bool {
    if let Some(scheme) = target.strip_suffix(':') {
        const NEVER: [&str; 7] = [
            "javascript",
            "data",
            "blob",
            "file",
            "filesystem",
            "http",
            "https",
        ];
        return !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_lowercase())
            && scheme
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
            && !NEVER.contains(&scheme);
    }
    match url::Url::parse(target) {
        Ok(url) => {
            matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == target
        }
        Err(_) => false,
    }
}

/// The headers, as middleware. `https` adds Strict-Transport-Security.
pub fn middleware(https: bool) -> DefaultHeaders {
    let mut headers = DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .add((
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        headers = headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_origins_are_added_to_form_action_only() {
        let policy = allowing_form_targets(["https://app.example:8443"]);
        assert!(policy.contains("form-action 'self' https://app.example:8443;"));
        assert!(policy.contains("default-src 'none'"));
        assert_eq!(policy.matches("https://app.example:8443").count(), 1);
    }

    #[test]
    fn anything_but_an_origin_is_left_out() {
        for bad in [
            "https://app.example/callback",
            "https://app.example; script-src *",
            "javascript:alert(1)",
            "javascript:",
            "data:",
            "*",
            "",
        ] {
            assert_eq!(
                allowing_form_targets([bad]),
                CONTENT_SECURITY_POLICY,
                "{bad:?} must not reach the policy"
            );
        }
    }

    #[test]
    fn form_target_of_keeps_scheme_host_and_port() {
        assert_eq!(
            form_target_of("https://app.example:8443/cb?x=1").as_deref(),
            Some("https://app.example:8443")
        );
        assert_eq!(
            form_target_of("http://127.0.0.1:9000/cb").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            form_target_of("com.example.app:/callback").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(form_target_of("javascript:alert(1)"), None);
        assert_eq!(form_target_of("not a uri"), None);
    }
}
