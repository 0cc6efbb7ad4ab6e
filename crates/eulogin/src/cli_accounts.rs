//! `eulogin accounts create`: an account made by an operator of the deployment, with its
//! password already set and, optionally, a mobile phone as second factor — for demo and
//! acceptance environments (`make run` creates the demo authority officers with it) and for
//! an administrator helping a person who cannot receive e-mail. It prints the account's `sub`.

use crate::domain::email::normalise_email;
use crate::domain::names::clean_name;
use crate::domain::password_policy::{check_new_password, normalise_password};
use crate::factors::phone::normalise_phone;
use crate::security::password_hasher;
use crate::store::accounts::{self, NewAccount};
use crate::store::factors::{self as factor_store, FactorKind, NewFactor};
use clap::{Args, Subcommand};
use infra::db::Database;
use std::path::PathBuf;
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account with a password (and a phone for SMS codes); prints its subject.
    Create(CreateAccount),
}

#[derive(Debug, Args)]
pub struct CreateAccount {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub given_name: String,
    #[arg(long)]
    pub family_name: String,
    /// en, fr, de or sv.
    #[arg(long, default_value = "en")]
    pub language: String,
    /// File holding the password (never on the command line, where `ps` shows it).
    #[arg(long)]
    pub password_file: PathBuf,
    /// A mobile number in international format: SMS codes become the second factor.
    #[arg(long)]
    pub phone: Option<String>,
    /// When the e-mail address already has an account, print its subject instead of failing.
    #[arg(long)]
    pub if_absent: bool,
}

pub async fn run(
    command: AccountsCommand,
    db: &Database,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let AccountsCommand::Create(create) = command;
    let email = normalise_email(&create.email)
        .map_err(|e| anyhow::anyhow!("--email {:?}: {e:?}", create.email))?;
    let existing = {
        let email = email.clone();
        db.run(move |c| Ok(accounts::find_by_email(c, &email)?))
            .await?
    };
    if let Some(account) = existing {
        if create.if_absent {
            println!("{}", account.subject);
            return Ok(());
        }
        anyhow::bail!("an account with the e-mail {email} exists already");
    }
    let given =
        clean_name(&create.given_name).map_err(|e| anyhow::anyhow!("--given-name: {e:?}"))?;
    let family =
        clean_name(&create.family_name).map_err(|e| anyhow::anyhow!("--family-name: {e:?}"))?;
    let language = crate::i18n::Lang::parse(&create.language)
        .ok_or_else(|| anyhow::anyhow!("--language must be en, fr, de or sv"))?;
    let raw = std::fs::read_to_string(&create.password_file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", create.password_file.display()))?;
    let password = normalise_password(raw.trim_end_matches(['\n', '\r']));
    check_new_password(&password, &password, &[&given, &family, &email])
        .map_err(|p| anyhow::anyhow!("the password is refused: {}", english(p.message_key())))?;
    let phone = create
        .phone
        .as_deref()
        .map(|p| {
            normalise_phone(p).map_err(|e| anyhow::anyhow!("--phone: {}", english(e.message_key())))
        })
        .transpose()?;
    let hash = password_hasher::hash_once(&password)?;
    let new = NewAccount {
        email,
        first_name: given,
        last_name: family,
        language: language.code().to_owned(),
    };
    let subject = db
        .transaction(move |c| {
            let id = accounts::insert(c, &new, now)?;
            accounts::set_password(c, &id, &hash, now)?;
            if let Some(e164) = phone {
                factor_store::insert(
                    c,
                    &NewFactor {
                        id: factor_store::new_id(),
                        account_id: id.clone(),
                        kind: FactorKind::Sms,
                        name: String::new(),
                        lookup: e164,
                        public_key: String::new(),
                        secret: None,
                        verifier: None,
                        counter: 0,
                    },
                    now,
                )?;
            }
            let account = accounts::find_by_id(c, &id)?.ok_or(diesel::result::Error::NotFound)?;
            Ok::<_, infra::db::DbError>(account.subject)
        })
        .await?;
    println!("{subject}");
    Ok(())
}

/// The English text of a message key, for the terminal.
fn english(key: &str) -> &'static str {
    crate::i18n::tr(crate::i18n::Lang::En).t(key)
}
