//! Reading configuration from the environment: `PREFIX_NAME` variables, `PREFIX_NAME_FILE`
//! for secrets mounted as files (Kubernetes), and a guard against development switches
//! reaching a public deployment.

use secrecy::SecretString;
use std::path::Path;
use url::Url;

/// Reads a secret from `value` or, if `file` names a path, from that file (trailing newline
/// trimmed). The file wins when both are set, as it is the Kubernetes way.
pub fn secret_from(
    value: Option<String>,
    file: Option<&Path>,
) -> anyhow::Result<Option<SecretString>> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read secret file {}: {e}", path.display()))?;
        let value = text.trim_end_matches(['\n', '\r']);
        if value.is_empty() {
            // An empty file is a deployment mistake, not "unset": refusing it avoids, e.g., an
            // empty database URL silently selecting a local SQLite file.
            anyhow::bail!("secret file {} is empty", path.display());
        }
        return Ok(Some(SecretString::from(value.to_owned())));
    }
    Ok(value.filter(|v| !v.is_empty()).map(SecretString::from))
}

/// True when a public URL points at this machine only (development): `localhost`,
/// `127.0.0.0/8` or `[::1]`.
pub fn is_local_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Parses a public URL and normalises it to have no trailing slash in its path.
pub fn parse_public_url(raw: &str) -> anyhow::Result<Url> {
    let url =
        Url::parse(raw).map_err(|e| anyhow::anyhow!("public URL {raw:?} is not a URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        anyhow::bail!("public URL {raw:?} must be http or https");
    }
    if url.query().is_some() || url.fragment().is_some() {
        anyhow::bail!("public URL {raw:?} must not have a query or fragment");
    }
    if url.scheme() == "http" && !is_local_url(&url) {
        anyhow::bail!("public URL {raw:?} uses plain http on a non-local host; use https");
    }
    Ok(url)
}

/// Renders a URL without the trailing slash that `Url` adds to an empty path.
pub fn url_without_trailing_slash(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

/// The development secret key of `service`: read from `<dir of outbox>/<service>-secret.key`,
/// or made and written there on the first start, so that sessions and CSRF tokens survive a
/// restart of `make run`. Only used with a local public URL.
pub fn development_key(outbox_dir: &Path, service: &str) -> anyhow::Result<SecretString> {
    let dir = outbox_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{service}-secret.key"));
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(SecretString::from(existing.trim().to_owned()));
    }
    let key = crate::crypto::random_token();
    std::fs::write(&path, &key)?;
    Ok(SecretString::from(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn local_urls_are_recognised() {
        for u in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:2",
            "http://a.localhost",
        ] {
            assert!(is_local_url(&Url::parse(u).unwrap()), "{u}");
        }
        assert!(!is_local_url(
            &Url::parse("https://login.example.eu").unwrap()
        ));
    }

    #[test]
    fn plain_http_is_refused_for_public_hosts() {
        assert!(parse_public_url("http://login.example.eu").is_err());
        assert!(parse_public_url("https://login.example.eu").is_ok());
        assert!(parse_public_url("ftp://localhost").is_err());
        assert!(parse_public_url("https://login.example.eu/?x=1").is_err());
    }

    #[test]
    fn secret_file_wins_and_is_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "from-file\n").unwrap();
        let s = secret_from(Some("from-env".into()), Some(&path))
            .unwrap()
            .unwrap();
        assert_eq!(s.expose_secret(), "from-file");
        assert!(secret_from(Some(String::new()), None).unwrap().is_none());
        assert!(secret_from(None, Some(&dir.path().join("missing"))).is_err());
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        assert!(secret_from(Some("from-env".into()), Some(&empty)).is_err());
        assert_eq!(format!("{s:?}"), "SecretBox<str>([REDACTED])");
    }
}
