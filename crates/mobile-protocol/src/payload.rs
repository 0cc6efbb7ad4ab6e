//! The shape shared by every QR code payload: `eulogin-app://<kind>?v=1&<name>=<value>…`, with
//! values percent-encoded as in an HTML form. Parsing is strict (known parameters only, each
//! once, bounded lengths): a QR code is untrusted input, and a new field means a new `v`.

use crate::ProtocolError;
use crate::error::excerpt;
use url::Url;

/// The URI scheme the app registers for its QR codes.
pub const SCHEME: &str = "eulogin-app";
/// The payload version this crate reads and writes.
pub const VERSION: &str = "1";
/// The longest payload accepted, in bytes (a version-40 QR code holds at most 2953).
pub const MAX_PAYLOAD_LEN: usize = 2048;
/// The longest server URL accepted, in characters after percent-decoding.
pub const MAX_SERVER_LEN: usize = 1024;

/// Writes `eulogin-app://<kind>?v=1&…` with `params` in the given order.
pub(crate) fn build(kind: &str, params: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("v", VERSION);
    for (name, value) in params {
        query.append_pair(name, value);
    }
    format!("{SCHEME}://{kind}?{}", query.finish())
}

/// Reads a payload of the given `kind` and returns the value of each name in `names`, in that
/// order. Every parameter is required; others are refused.
pub(crate) fn parse<const N: usize>(
    input: &str,
    kind: &'static str,
    names: [&'static str; N],
) -> Result<[String; N], ProtocolError> {
    // Scanners often keep a trailing newline.
    let input = input.trim();
    if input.len() > MAX_PAYLOAD_LEN {
        return Err(ProtocolError::PayloadTooLong {
            len: input.len(),
            max: MAX_PAYLOAD_LEN,
        });
    }
    let uri = Url::parse(input).map_err(ProtocolError::NotAUri)?;
    if uri.scheme() != SCHEME {
        return Err(ProtocolError::WrongScheme {
            found: excerpt(uri.scheme()),
        });
    }
    let found_kind = uri.host_str().unwrap_or_default();
    if found_kind != kind {
        return Err(ProtocolError::WrongKind {
            expected: kind,
            found: excerpt(found_kind),
        });
    }
    let has_extra_parts = !uri.username().is_empty()
        || uri.password().is_some()
        || uri.port().is_some()
        || !matches!(uri.path(), "" | "/")
        || uri.fragment().is_some();
    if has_extra_parts {
        return Err(ProtocolError::UnexpectedUriParts { kind });
    }

    let mut version = None;
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    for (name, value) in uri.query_pairs() {
        let slot = if name == "v" {
            &mut version
        } else {
            let index = names
                .iter()
                .position(|known| *known == name)
                .ok_or_else(|| ProtocolError::UnknownParameter(excerpt(&name)))?;
            &mut values[index]
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(ProtocolError::DuplicateParameter(excerpt(&name)));
        }
    }
    match version.as_deref() {
        Some(VERSION) => {}
        Some(other) => {
            return Err(ProtocolError::UnsupportedVersion {
                found: excerpt(other),
            });
        }
        None => return Err(ProtocolError::MissingParameter("v")),
    }
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for ((slot, value), name) in out.iter_mut().zip(values).zip(names) {
        *slot = value.ok_or(ProtocolError::MissingParameter(name))?;
    }
    Ok(out)
}

/// Checks the `server` parameter: an absolute `http` or `https` URL with a host and nothing that
/// would not survive appending a path (no credentials, query or fragment).
pub(crate) fn parse_server(value: &str) -> Result<Url, ProtocolError> {
    if value.chars().count() > MAX_SERVER_LEN {
        return Err(ProtocolError::ParameterTooLong {
            name: "server",
            len: value.chars().count(),
            max: MAX_SERVER_LEN,
        });
    }
    let invalid = |reason| ProtocolError::InvalidServer {
        server: excerpt(value),
        reason,
    };
    let server = Url::parse(value).map_err(|_| invalid("it is not an absolute URL"))?;
    check_server(&server).map_err(invalid)?;
    Ok(server)
}

/// The rules of [`parse_server`] on an already parsed URL, with the reason of a refusal.
pub(crate) fn check_server(server: &Url) -> Result<(), &'static str> {
    if !matches!(server.scheme(), "https" | "http") {
        return Err("only http and https servers are allowed");
    }
    if server.host_str().is_none_or(str::is_empty) {
        return Err("it has no host");
    }
    if !server.username().is_empty() || server.password().is_some() {
        return Err("it must not carry a user name or password");
    }
    if server.query().is_some() || server.fragment().is_some() {
        return Err("it must not have a query or fragment");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ab(input: &str) -> Result<[String; 2], ProtocolError> {
        parse(input, "test", ["a", "b"])
    }

    #[test]
    fn a_built_payload_parses_back_with_values_decoded() {
        let uri = build("test", &[("a", "x y&z=1"), ("b", "https://h.eu/p?q")]);
        assert_eq!(
            uri,
            "eulogin-app://test?v=1&a=x+y%26z%3D1&b=https%3A%2F%2Fh.eu%2Fp%3Fq"
        );
        assert_eq!(
            parse_ab(&uri).unwrap(),
            ["x y&z=1".to_owned(), "https://h.eu/p?q".to_owned()]
        );
        assert!(parse_ab(&format!("  {uri}\n")).is_ok());
    }

    #[test]
    fn every_deviation_from_the_shape_is_refused_with_its_reason() {
        let cases: &[(&str, ProtocolError)] = &[
            (
                "https://test?v=1&a=1&b=2",
                ProtocolError::WrongScheme {
                    found: "https".into(),
                },
            ),
            (
                "eulogin-app://other?v=1&a=1&b=2",
                ProtocolError::WrongKind {
                    expected: "test",
                    found: "other".into(),
                },
            ),
            (
                "eulogin-app://test/x?v=1&a=1&b=2",
                ProtocolError::UnexpectedUriParts { kind: "test" },
            ),
            (
                "eulogin-app://test?v=1&a=1&b=2#f",
                ProtocolError::UnexpectedUriParts { kind: "test" },
            ),
            (
                "eulogin-app://test?v=2&a=1&b=2",
                ProtocolError::UnsupportedVersion { found: "2".into() },
            ),
            (
                "eulogin-app://test?a=1&b=2",
                ProtocolError::MissingParameter("v"),
            ),
            (
                "eulogin-app://test?v=1&a=1",
                ProtocolError::MissingParameter("b"),
            ),
            (
                "eulogin-app://test?v=1&a=1&a=1&b=2",
                ProtocolError::DuplicateParameter("a".into()),
            ),
            (
                "eulogin-app://test?v=1&v=1&a=1&b=2",
                ProtocolError::DuplicateParameter("v".into()),
            ),
            (
                "eulogin-app://test?v=1&a=1&b=2&c=3",
                ProtocolError::UnknownParameter("c".into()),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(&parse_ab(input).unwrap_err(), expected, "{input}");
        }
        assert!(matches!(
            parse_ab("not a uri"),
            Err(ProtocolError::NotAUri(_))
        ));
        let long = format!("eulogin-app://test?v=1&a={}&b=2", "x".repeat(3000));
        assert!(matches!(
            parse_ab(&long),
            Err(ProtocolError::PayloadTooLong { max: 2048, .. })
        ));
    }

    #[test]
    fn servers_must_be_plain_http_or_https_urls() {
        assert_eq!(
            parse_server("https://ecas.example.eu/cas")
                .unwrap()
                .as_str(),
            "https://ecas.example.eu/cas"
        );
        assert!(parse_server("http://127.0.0.1:8080").is_ok());
        for bad in [
            "ftp://example.eu",
            "javascript:alert(1)",
            "example.eu",
            "https://user:pw@example.eu",
            "https://example.eu/?q=1",
            "https://example.eu/#f",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(parse_server(bad), Err(ProtocolError::InvalidServer { .. })),
                "{bad}"
            );
        }
        let long = format!("https://example.eu/{}", "a".repeat(MAX_SERVER_LEN));
        assert!(matches!(
            parse_server(&long),
            Err(ProtocolError::ParameterTooLong { name: "server", .. })
        ));
    }
}
