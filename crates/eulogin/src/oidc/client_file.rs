//! The declarative clients file (`EULOGIN_CLIENTS_FILE`, TOML), for GitOps: read at every start,
//! it is the truth for the clients it names. Clients it names are created or updated; clients it
//! created earlier and no longer names are removed; clients made with the command line are left
//! alone. Secrets are not written in the file: `secret_file` names a file holding the secret
//! (a mounted Kubernetes Secret); `secret` inline is for development only.
//!
//! ```toml
//! [[clients]]
//! client_id = "traces"
//! name = "TRACES NT"
//! secret_file = "/run/secrets/traces-client-secret"
//! redirect_uris = ["https://traces.example.eu/auth/callback"]
//! post_logout_redirect_uris = ["https://traces.example.eu/"]
//! backchannel_logout_uri = "https://traces.example.eu/auth/backchannel-logout"
//! audiences = ["https://traces.example.eu"]
//! minimum_acr = "medium"
//! ```

use crate::oidc::clients::{Client, ClientSpec, ManagedBy, SecretHasher};
use crate::store::clients;
use infra::db::{Database, DbError};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    #[serde(default)]
    clients: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
struct SecretFields {
    secret: Option<String>,
    secret_file: Option<PathBuf>,
    jwks_file: Option<PathBuf>,
}

const SECRET_FIELDS: [&str; 3] = ["secret", "secret_file", "jwks_file"];
const SPEC_FIELDS: [&str; 13] = [
    "client_id",
    "name",
    "auth_method",
    "jwks",
    "redirect_uris",
    "post_logout_redirect_uris",
    "grant_types",
    "scopes",
    "audiences",
    "backchannel_logout_uri",
    "minimum_acr",
    "id_token_alg",
    "access_token_alg",
];

/// Reads and checks the whole file; any problem in any client refuses the whole file, with every
/// problem listed, so a bad change never half-applies.
pub fn read(path: &Path, hasher: &SecretHasher) -> anyhow::Result<Vec<Client>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the clients file {}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base, hasher).map_err(|problems| {
        anyhow::anyhow!(
            "clients file {}:\n  {}",
            path.display(),
            problems.join("\n  ")
        )
    })
}

fn parse(text: &str, base: &Path, hasher: &SecretHasher) -> Result<Vec<Client>, Vec<String>> {
    let file: ClientsFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let mut problems = Vec::new();
    let mut checked: Vec<Client> = Vec::new();
    for (index, table) in file.clients.into_iter().enumerate() {
        let label = table
            .get("client_id")
            .and_then(|v| v.as_str())
            .map(|id| format!("client {id}"))
            .unwrap_or_else(|| format!("client #{}", index + 1));
        match parse_client(table, base, hasher) {
            Ok(client) if checked.iter().any(|c| c.client_id == client.client_id) => {
                problems.push(format!("{label}: named twice"));
            }
            Ok(client) => checked.push(client),
            Err(found) => problems.extend(found.into_iter().map(|p| format!("{label}: {p}"))),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

fn parse_client(
    mut table: toml::Table,
    base: &Path,
    hasher: &SecretHasher,
) -> Result<Client, Vec<String>> {
    let unknown: Vec<String> = table
        .keys()
        .filter(|k| !SPEC_FIELDS.contains(&k.as_str()) && !SECRET_FIELDS.contains(&k.as_str()))
        .map(|k| format!("unknown field {k:?}"))
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let mut secret_table = toml::Table::new();
    for field in SECRET_FIELDS {
        if let Some(value) = table.remove(field) {
            secret_table.insert(field.to_owned(), value);
        }
    }
    let secrets: SecretFields = secret_table.try_into().map_err(|e| vec![format!("{e}")])?;
    let mut spec: ClientSpec = table.try_into().map_err(|e| vec![format!("{e}")])?;
    if let Some(path) = &secrets.jwks_file {
        let path = base.join(path);
        spec.jwks = Some(
            std::fs::read_to_string(&path)
                .map_err(|e| vec![format!("jwks_file {}: {e}", path.display())])?,
        );
    }
    let mut client = spec.check(ManagedBy::File)?;
    let secret = match (&secrets.secret, &secrets.secret_file) {
        (Some(_), Some(_)) => return Err(vec!["give secret or secret_file, not both".into()]),
        (Some(secret), None) => Some(secret.clone()),
        (None, Some(path)) => {
            let path = base.join(path);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| vec![format!("secret_file {}: {e}", path.display())])?;
            Some(text.trim().to_owned())
        }
        (None, None) => None,
    };
    match (client.auth_method.uses_secret(), secret) {
        (true, Some(secret)) if secret.len() >= 32 => {
            client.secret_hash = Some(hasher.hash(&secret));
        }
        (true, Some(_)) => {
            return Err(vec![
                "the secret must be at least 32 characters (e.g. openssl rand -base64 32)".into(),
            ]);
        }
        (true, None) => {
            return Err(vec![format!(
                "{} needs secret_file (or secret, in development)",
                client.auth_method.name()
            )]);
        }
        (false, Some(_)) => {
            return Err(vec![format!(
                "auth_method {} takes no secret",
                client.auth_method.name()
            )]);
        }
        (false, None) => {}
    }
    Ok(client)
}

/// What applying the file changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub saved: Vec<String>,
    pub removed: Vec<String>,
}

/// Writes the file's clients in one transaction: all of them, or none.
pub async fn apply(
    db: &Database,
    wanted: Vec<Client>,
    now: OffsetDateTime,
) -> Result<Applied, DbError> {
    db.transaction(move |c| {
        let mut applied = Applied::default();
        for old in clients::file_managed_ids(c)? {
            if !wanted.iter().any(|w| w.client_id == old) {
                clients::remove(c, &old)?;
                applied.removed.push(old);
            }
        }
        for client in &wanted {
            clients::save(c, client, now)?;
            applied.saved.push(client.client_id.clone());
        }
        Ok::<_, DbError>(applied)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> SecretHasher {
        SecretHasher::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_file_with_two_clients_is_read_with_hashed_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("traces.secret"),
            "s3cret-s3cret-s3cret-s3cret-s3cret\n",
        )
        .unwrap();
        let text = r#"
            [[clients]]
            client_id = "traces"
            name = "TRACES"
            secret_file = "traces.secret"
            redirect_uris = ["https://traces.example.eu/cb"]
            minimum_acr = "medium"

            [[clients]]
            client_id = "spa"
            name = "Single page"
            auth_method = "none"
            redirect_uris = ["https://spa.example.eu/cb"]
            scopes = ["openid"]
        "#;
        let clients = parse(text, dir.path(), &hasher()).unwrap();
        assert_eq!(clients.len(), 2);
        let stored = clients[0].secret_hash.as_deref().unwrap();
        assert!(hasher().verify("s3cret-s3cret-s3cret-s3cret-s3cret", stored));
        assert!(clients[1].secret_hash.is_none());
        assert!(clients.iter().all(|c| c.managed_by == ManagedBy::File));
    }

    #[test]
    fn every_problem_of_every_client_is_reported() {
        let text = r#"
            [[clients]]
            client_id = "a1x"
            name = "A"
            redirect_uri = ["https://a.example.eu/cb"]

            [[clients]]
            client_id = "b2x"
            name = "B"
            redirect_uris = ["http://b.example.eu/cb"]
            secret = "short"
        "#;
        let problems = parse(text, Path::new("."), &hasher()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("client a1x") && p.contains("redirect_uri"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("client b2x") && p.contains("https"))
        );
    }

    #[test]
    fn a_confidential_client_without_secret_is_refused() {
        let text = r#"
            [[clients]]
            client_id = "noseeecret"
            name = "No secret"
            redirect_uris = ["https://a.example.eu/cb"]
        "#;
        let problems = parse(text, Path::new("."), &hasher()).unwrap_err();
        assert!(problems[0].contains("secret_file"), "{problems:?}");
    }
}
