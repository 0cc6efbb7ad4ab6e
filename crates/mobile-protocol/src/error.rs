//! [`ProtocolError`]: why a payload, key or message of the mobile protocol was refused.

/// Everything that can be wrong with what one side of the protocol received or tried to build.
///
/// Messages quote at most a short excerpt of the offending input, so that a hostile QR code
/// cannot flood a log or a terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the QR code payload is {len} bytes long; at most {max} are allowed")]
    PayloadTooLong { len: usize, max: usize },
    #[error("the QR code payload is not a URI ({0})")]
    NotAUri(url::ParseError),
    #[error("the QR code payload must start with `eulogin-app://`, not `{found}:`")]
    WrongScheme { found: String },
    #[error("expected an `eulogin-app://{expected}` payload, found `eulogin-app://{found}`")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    #[error(
        "the QR code payload has extra parts (user, port, path or fragment) after `eulogin-app://{kind}`"
    )]
    UnexpectedUriParts { kind: &'static str },
    #[error("unsupported payload version `v={found}`; this app understands v=1 only")]
    UnsupportedVersion { found: String },
    #[error("the QR code payload lacks the `{0}` parameter")]
    MissingParameter(&'static str),
    #[error("the QR code payload repeats the `{0}` parameter")]
    DuplicateParameter(String),
    #[error("the QR code payload has an unknown parameter `{0}`")]
    UnknownParameter(String),
    #[error("the `{name}` parameter is {len} characters long; at most {max} are allowed")]
    ParameterTooLong {
        name: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the server address `{server}` is not usable: {reason}")]
    InvalidServer {
        server: String,
        reason: &'static str,
    },
    #[error("the `{name}` must be exactly {chars} base64url characters ({bytes} random bytes)")]
    MalformedRandomValue {
        name: &'static str,
        chars: usize,
        bytes: usize,
    },
    #[error("the public key is not an EC P-256 JWK: {0}")]
    InvalidPublicKey(&'static str),
    #[error("the device key is not a PKCS#8-encoded P-256 private key")]
    InvalidPrivateKey,
    #[error("the device secret must be 32 bytes in unpadded base64url")]
    InvalidDeviceSecret,
    #[error("the system random number generator failed")]
    RandomUnavailable,
    #[error("signing the device assertion failed")]
    SigningFailed,
    #[error("could not encode the device assertion as JSON: {0}")]
    Json(String),
    #[error("cannot build an endpoint URL on `{server}`")]
    InvalidEndpoint { server: String },
}

/// At most 60 characters of untrusted input, for error messages.
pub(crate) fn excerpt(input: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut chars = input.chars();
    let mut out: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_marked_when_cut() {
        assert_eq!(excerpt("short"), "short");
        let long = "x".repeat(100);
        assert_eq!(excerpt(&long).chars().count(), 61);
        assert!(excerpt(&long).ends_with('…'));
    }
}
