//! The administration commands of the eulogin binary: `eulogin clients …` to register the
//! applications that log users in, `eulogin keys …` to see and rotate the signing keys. They
//! use the same settings (database, server key) as the server, and work while it runs.

use crate::config::Settings;
use crate::oidc::clients::{Client, ClientSpec, ManagedBy, SecretHasher};
use crate::oidc::keys::{Keys, RotationPolicy};
use crate::store::clients;
use clap::{Args, Subcommand};
use infra::clock::SharedClock;
use infra::db::{Database, DbError};
use secrecy::ExposeSecret;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only obscure the clap derive"
)]
pub enum Command {
    /// Serve the identity provider (what `eulogin` does without a command).
    Serve,
    #[command(flatten)]
    Admin(AdminCommand),
}

/// The commands that administer a deployment instead of serving it.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Register and manage the applications (OpenID Connect clients).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// See and rotate the keys that sign tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Create accounts (demo and acceptance environments, assisted registration).
    #[command(subcommand)]
    Accounts(crate::cli_accounts::AccountsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register an application; a confidential one gets a secret, printed once.
    Add(AddClient),
    /// List the registered applications.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one application's registration.
    Show {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a registration: each option given replaces that field (lists included).
    Update(UpdateClient),
    /// Remove an application; its refresh tokens stop working at once.
    Remove { client_id: String },
    /// Give an application a new secret (printed once); the old one stops working.
    RotateSecret { client_id: String },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the published keys and their place in the rotation.
    List,
    /// Rotate now: the next key (already published) signs from now on, the current one is
    /// retired but stays published until the tokens it signed have expired.
    Rotate,
}

/// Fields of a registration, as options.
#[derive(Debug, Args, Default)]
pub struct ClientFields {
    /// Display name, shown on the login page.
    #[arg(long)]
    pub name: Option<String>,
    /// client_secret_basic (default), client_secret_post, private_key_jwt or none (public).
    #[arg(long)]
    pub auth_method: Option<String>,
    /// A redirect URI, compared exactly (repeat the option for several).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Where the application may be sent back after logout (repeatable).
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// authorization_code, refresh_token, client_credentials (repeatable).
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// A scope the application may ask for (repeatable).
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// A resource server the application may get tokens for (repeatable; the first is the
    /// default `aud` of its access tokens).
    #[arg(long = "audience")]
    pub audiences: Vec<String>,
    /// Where logout tokens are POSTed when a session the application took part in ends
    /// (an empty value removes it).
    #[arg(long)]
    pub backchannel_logout_uri: Option<String>,
    /// The weakest assurance the application accepts: low, medium or high.
    #[arg(long)]
    pub minimum_acr: Option<String>,
    /// RS256 (default) or ES256.
    #[arg(long)]
    pub id_token_alg: Option<String>,
    /// ES256 (default) or RS256.
    #[arg(long)]
    pub access_token_alg: Option<String>,
    /// File with the public keys (JWKS) of a private_key_jwt client.
    #[arg(long)]
    pub jwks_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddClient {
    /// The client id (3 to 64 letters, digits, '.', '_' or '-').
    pub client_id: String,
    #[command(flatten)]
    pub fields: ClientFields,
}

#[derive(Debug, Args)]
pub struct UpdateClient {
    pub client_id: String,
    #[command(flatten)]
    pub fields: ClientFields,
}

impl ClientFields {
    /// Applies the options given onto `spec`.
    fn apply(self, spec: &mut ClientSpec) -> anyhow::Result<()> {
        let replace = |target: &mut Vec<String>, given: Vec<String>| {
            if !given.is_empty() {
                *target = given;
            }
        };
        if let Some(name) = self.name {
            spec.name = name;
        }
        if let Some(method) = self.auth_method {
            spec.auth_method = method;
        }
        replace(&mut spec.redirect_uris, self.redirect_uris);
        replace(
            &mut spec.post_logout_redirect_uris,
            self.post_logout_redirect_uris,
        );
        replace(&mut spec.grant_types, self.grant_types);
        replace(&mut spec.scopes, self.scopes);
        replace(&mut spec.audiences, self.audiences);
        if let Some(uri) = self.backchannel_logout_uri {
            spec.backchannel_logout_uri = (!uri.is_empty()).then_some(uri);
        }
        if let Some(acr) = self.minimum_acr {
            spec.minimum_acr = acr;
        }
        if let Some(alg) = self.id_token_alg {
            spec.id_token_alg = alg;
        }
        if let Some(alg) = self.access_token_alg {
            spec.access_token_alg = alg;
        }
        if let Some(path) = self.jwks_file {
            spec.jwks = Some(
                std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
            );
        }
        Ok(())
    }
}

fn checked(spec: &ClientSpec) -> anyhow::Result<Client> {
    spec.check(ManagedBy::Cli).map_err(|problems| {
        anyhow::anyhow!("the registration is refused:\n  {}", problems.join("\n  "))
    })
}

async fn find(db: &Database, client_id: &str) -> anyhow::Result<Client> {
    let id = client_id.to_owned();
    db.run(move |c| Ok(clients::find(c, &id)?))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no client {client_id}"))
}

fn refuse_file_managed(client: &Client) -> anyhow::Result<()> {
    if client.managed_by == ManagedBy::File {
        anyhow::bail!(
            "client {} is managed by the clients file (EULOGIN_CLIENTS_FILE): change it there",
            client.client_id
        );
    }
    Ok(())
}

async fn save(db: &Database, client: Client, now: time::OffsetDateTime) -> Result<(), DbError> {
    db.transaction(move |c| Ok::<_, DbError>(clients::save(c, &client, now)?))
        .await
}

/// Text shown by `show`, one field per line.
pub fn describe(client: &Client) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(" ")
        }
    };
    let spec = ClientSpec::from(client);
    [
        format!("client_id                  {}", client.client_id),
        format!("name                       {}", client.name),
        format!("managed by                 {}", client.managed_by.name()),
        format!("auth_method                {}", spec.auth_method),
        format!("redirect_uris              {}", list(&client.redirect_uris)),
        format!(
            "post_logout_redirect_uris  {}",
            list(&client.post_logout_redirect_uris)
        ),
        format!("grant_types                {}", list(&spec.grant_types)),
        format!("scopes                     {}", list(&client.scopes)),
        format!("audiences                  {}", list(&client.audiences)),
        format!(
            "backchannel_logout_uri     {}",
            client.backchannel_logout_uri.as_deref().unwrap_or("-")
        ),
        format!("minimum_acr                {}", spec.minimum_acr),
        format!("id_token_alg               {}", spec.id_token_alg),
        format!("access_token_alg           {}", spec.access_token_alg),
    ]
    .join("\n")
}

/// Runs one administration command.
pub async fn run(
    command: AdminCommand,
    settings: Settings,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let url = settings.database_url.expose_secret().to_owned();
    // One connection: the commands are sequential, and a second one being opened in the
    // background while the process exits could crash libpq at exit.
    let pool = 1;
    let db = tokio::task::spawn_blocking(move || {
        Database::connect(&url, pool, &crate::store::MIGRATIONS)
    })
    .await??;
    let secrets = SecretHasher::new(settings.secret_key.expose_secret().as_bytes());
    let now = clock.now();
    match command {
        AdminCommand::Clients(ClientsCommand::Add(add)) => {
            let mut spec = ClientSpec::new(&add.client_id, &add.client_id);
            add.fields.apply(&mut spec)?;
            let mut client = checked(&spec)?;
            let id = client.client_id.clone();
            if db.run(move |c| Ok(clients::find(c, &id)?)).await?.is_some() {
                anyhow::bail!("client {} exists already", client.client_id);
            }
            let secret = client
                .auth_method
                .uses_secret()
                .then(SecretHasher::generate);
            client.secret_hash = secret.as_deref().map(|s| secrets.hash(s));
            save(&db, client.clone(), now).await?;
            println!("{}", describe(&client));
            if let Some(secret) = secret {
                println!("client_secret              {secret}");
                println!("\nKeep the secret now: it is stored hashed and cannot be shown again.");
            }
        }
        AdminCommand::Clients(ClientsCommand::List { json }) => {
            let all = db.run(|c| Ok(clients::all(c)?)).await?;
            if json {
                let specs: Vec<ClientSpec> = all.iter().map(ClientSpec::from).collect();
                println!("{}", serde_json::to_string_pretty(&specs)?);
            } else {
                for client in &all {
                    println!(
                        "{:<24} {:<20} {:<5} {}",
                        client.client_id,
                        client.auth_method.name(),
                        client.managed_by.name(),
                        client.name
                    );
                }
            }
        }
        AdminCommand::Clients(ClientsCommand::Show { client_id, json }) => {
            let client = find(&db, &client_id).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&ClientSpec::from(&client))?
                );
            } else {
                println!("{}", describe(&client));
            }
        }
        AdminCommand::Clients(ClientsCommand::Update(update)) => {
            let old = find(&db, &update.client_id).await?;
            refuse_file_managed(&old)?;
            let mut spec = ClientSpec::from(&old);
            update.fields.apply(&mut spec)?;
            let mut client = checked(&spec)?;
            client.secret_hash = old.secret_hash.clone();
            let mut new_secret = None;
            if client.auth_method.uses_secret() && client.secret_hash.is_none() {
                let secret = SecretHasher::generate();
                client.secret_hash = Some(secrets.hash(&secret));
                new_secret = Some(secret);
            } else if !client.auth_method.uses_secret() {
                client.secret_hash = None;
            }
            save(&db, client.clone(), now).await?;
            println!("{}", describe(&client));
            if let Some(secret) = new_secret {
                println!("client_secret              {secret}");
            }
        }
        AdminCommand::Clients(ClientsCommand::Remove { client_id }) => {
            let client = find(&db, &client_id).await?;
            refuse_file_managed(&client)?;
            let id = client_id.clone();
            db.transaction(move |c| Ok::<_, DbError>(clients::remove(c, &id)?))
                .await?;
            println!("client {client_id} removed");
        }
        AdminCommand::Clients(ClientsCommand::RotateSecret { client_id }) => {
            let mut client = find(&db, &client_id).await?;
            refuse_file_managed(&client)?;
            if !client.auth_method.uses_secret() {
                anyhow::bail!(
                    "client {client_id} uses {} and has no secret",
                    client.auth_method.name()
                );
            }
            let secret = SecretHasher::generate();
            client.secret_hash = Some(secrets.hash(&secret));
            save(&db, client, now).await?;
            println!("client_secret              {secret}");
            println!(
                "\nThe previous secret no longer works (replicas notice within EULOGIN_CLIENT_CACHE_SECONDS)."
            );
        }
        AdminCommand::Accounts(command) => {
            crate::cli_accounts::run(command, &db, now).await?;
        }
        AdminCommand::Keys(command) => {
            infra::jwt::install_crypto_provider();
            let keys = Keys::new(
                settings.secret_key.expose_secret().as_bytes(),
                RotationPolicy {
                    rotate_after: settings.oidc.key_rotation,
                    keep_retired_for: settings.oidc.key_retention(),
                },
            );
            if let KeysCommand::Rotate = command {
                let current = keys.rotate_now(&db, now).await?;
                println!(
                    "signing keys rotated; now signing with {}",
                    current.join(", ")
                );
            }
            for key in Keys::describe(&db, now).await? {
                println!(
                    "{:<44} {:<6} {:<9} created {}{}",
                    key.kid,
                    key.algorithm,
                    key.status,
                    key.created_at.date(),
                    key.expires_at
                        .map(|t| format!(", published until {t}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
