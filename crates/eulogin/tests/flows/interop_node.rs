//! Interoperability with a certified relying-party library from another ecosystem: the Node.js
//! script in `tests/interop/` drives eulogin with `oauth4webapi` (pinned by its lock file),
//! without relaxing any of its checks. eulogin serves HTTPS here, with a certificate from a
//! test authority that Node is told to trust, because the library refuses plain HTTP.
//!
//! `make test` installs the script's dependencies (`npm ci`) first; without them this test
//! fails, it is never skipped.

use crate::oidc_support::*;
use crate::support::*;
use std::path::{Path, PathBuf};

/// A test certificate authority and a certificate for `localhost` signed by it.
struct TestTls {
    dir: tempfile::TempDir,
}

impl TestTls {
    fn new() -> TestTls {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "eulogin test authority");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let server = server_params.signed_by(&server_key, &issuer).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("cert.pem"), server.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), server_key.serialize_pem()).unwrap();
        TestTls { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

async fn run_node_relying_party(backends: Backends) {
    let folder = interop_dir();
    assert!(
        folder.join("node_modules/oauth4webapi").is_dir(),
        "the Node interop test needs its dependencies: run `make test` (or `npm ci` in {})",
        folder.display()
    );
    let tls = TestTls::new();
    let app = TestApp::spawn_tls(backends, tls.path("cert.pem"), tls.path("key.pem")).await;
    app.insert_account(USER, STRONG_PASSWORD).await;
    let mut confidential = web_app("node-app");
    confidential.redirect_uris = vec!["https://app.example.test/callback".into()];
    confidential.post_logout_redirect_uris = vec!["https://app.example.test/logged-out".into()];
    confidential.audiences = vec!["https://api.example.test".into()];
    let confidential = app.register_client(confidential).await;
    let mut public = public_app("node-spa");
    public.redirect_uris = vec!["https://app.example.test/callback".into()];
    public.scopes = vec!["openid".into()];
    let public = app.register_client(public).await;

    let output = tokio::process::Command::new("node")
        .arg("rp.mjs")
        .current_dir(&folder)
        .env("ISSUER", &app.base)
        .env("NODE_EXTRA_CA_CERTS", tls.path("ca.pem"))
        .env("CLIENT_ID", &confidential.id)
        .env("CLIENT_SECRET", confidential.secret.as_deref().unwrap())
        .env("PUBLIC_CLIENT_ID", &public.id)
        .env("REDIRECT_URI", "https://app.example.test/callback")
        .env(
            "POST_LOGOUT_REDIRECT_URI",
            "https://app.example.test/logged-out",
        )
        .env("USER_EMAIL", USER)
        .env("USER_PASSWORD", STRONG_PASSWORD)
        .env("ACCESS_TOKEN_AUDIENCE", "https://api.example.test")
        .output()
        .await
        .expect("node runs (Node.js 20 or later)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the oauth4webapi relying party failed on {backends:?}:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
    assert!(stdout.contains("ok - "), "{stdout}");
    assert!(!stdout.contains("not ok"), "{stdout}");
    app.cleanup().await;
}

#[actix_web::test]
async fn oauth4webapi_passes_every_flow_on_the_embedded_defaults() {
    run_node_relying_party(Backends::Embedded).await;
}

#[actix_web::test]
async fn oauth4webapi_passes_every_flow_on_postgresql_and_redis() {
    run_node_relying_party(Backends::Production).await;
}
