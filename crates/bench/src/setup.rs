//! The server's configuration for a run: fresh secrets, the two benchmark clients, and the
//! environment variables.

use crate::args::Args;
use crate::backend::Storage;
use crate::oidc::REDIRECT_URI;
use std::net::SocketAddr;
use std::path::Path;

/// Random values made for one run.
#[derive(Debug, Clone)]
pub struct Secrets {
    pub server_key: String,
    pub web_client: String,
    pub service_client: String,
    pub key_prefix: String,
}

impl Secrets {
    pub fn generate() -> Secrets {
        let token = infra::crypto::random_token;
        Secrets {
            // 43 characters each (256 random bits, base64url).
            server_key: token(),
            web_client: token(),
            service_client: token(),
            key_prefix: format!("bench-{}", &token()[..12]),
        }
    }
}

/// The clients file: `bench-service` (client_credentials) and `bench-web` (code + refresh,
/// ID tokens signed with `id_token_alg`).
pub fn clients_toml(secrets: &Secrets, id_token_alg: &str) -> String {
    format!(
        r#"[[clients]]
client_id = "bench-service"
name = "Bench service"
auth_method = "client_secret_basic"
secret = "{service}"
grant_types = ["client_credentials"]
scopes = ["api:read"]
audiences = ["https://api.bench.test"]

[[clients]]
client_id = "bench-web"
name = "Bench web"
auth_method = "client_secret_basic"
secret = "{web}"
grant_types = ["authorization_code", "refresh_token"]
scopes = ["openid", "profile", "email"]
redirect_uris = ["{REDIRECT_URI}"]
id_token_alg = "{id_token_alg}"
"#,
        service = secrets.service_client,
        web = secrets.web_client,
    )
}

/// The value RUST_LOG gets, if any (unset leaves eulogin's default, `info`).
pub fn rust_log(args: &Args) -> Option<&'static str> {
    args.quiet_server.then_some("warn")
}

/// The public URL (and issuer) of the server listening on `addr`: `localhost`, not the
/// address, because eulogin refuses an IP address for a public URL (security keys and passkeys
/// need a domain name).
pub fn public_url(addr: SocketAddr) -> String {
    format!("http://localhost:{}", addr.port())
}

/// Every environment variable the server is started with.
pub fn server_env(
    args: &Args,
    addr: SocketAddr,
    storage: &Storage,
    secrets: &Secrets,
    work: &Path,
) -> anyhow::Result<Vec<(String, String)>> {
    let clients_file = work.join("clients.toml");
    std::fs::write(&clients_file, clients_toml(secrets, &args.id_token_alg))?;
    let outbox = work.join("outbox");
    std::fs::create_dir_all(&outbox)?;
    let mut env: Vec<(String, String)> = vec![
        ("EULOGIN_LISTEN".into(), addr.to_string()),
        ("EULOGIN_PUBLIC_URL".into(), public_url(addr)),
        ("EULOGIN_SECRET_KEY".into(), secrets.server_key.clone()),
        ("EULOGIN_CAPTCHA".into(), "off".into()),
        ("EULOGIN_OUTBOX_DIR".into(), outbox.display().to_string()),
        ("EULOGIN_KEY_PREFIX".into(), secrets.key_prefix.clone()),
        ("EULOGIN_LOGIN_LIMIT_PER_IP".into(), "100000000".into()),
        // As the container image sets it (deploy/Containerfile): mimalloc commits arena memory
        // as it is used instead of up front, which keeps the resident set ~30 MB smaller.
        ("MIMALLOC_ARENA_EAGER_COMMIT".into(), "0".into()),
        (
            "EULOGIN_CLIENTS_FILE".into(),
            clients_file.display().to_string(),
        ),
    ];
    env.extend(storage.env().into_iter().map(|(k, v)| (k.to_owned(), v)));
    if let Some(level) = rust_log(args) {
        env.push(("RUST_LOG".into(), level.into()));
    }
    env.extend(args.server_env.iter().cloned());
    Ok(env)
}
