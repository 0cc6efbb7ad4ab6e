//! `traces admins add | remove | list`: system administrators (`users.is_system_admin`), a role
//! only the command line gives. Adding is idempotent and creates the person when traces does
//! not know them yet.

use super::CliError;
use super::person::{self, PersonArgs, PersonChange, PersonDetails, PersonKey, find_or_create};
use crate::store::users::{self, User};
use clap::Subcommand;
use infra::clock::SharedClock;
use infra::db::Database;
use serde_json::json;
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub enum AdminsCommand {
    /// Make a person a system administrator (and a traces user, when new).
    Add(PersonArgs),
    /// Make a system administrator an ordinary user again.
    Remove(PersonKey),
    /// List the system administrators.
    List,
}

/// A person's system-administrator flag after a command, and whether the command changed it.
#[derive(Debug, Clone)]
pub struct AdminChange {
    pub user: User,
    pub person: PersonChange,
    pub changed: bool,
}

/// Makes `person` a system administrator, in one transaction with its audit entries.
pub async fn add(
    db: &Database,
    person: PersonDetails,
    now: OffsetDateTime,
) -> Result<AdminChange, CliError> {
    db.transaction(move |c| {
        let (user, person) = find_or_create(c, &person, now)?;
        let (user, changed) = set_flag(c, user, true, now)?;
        Ok(AdminChange {
            user,
            person,
            changed,
        })
    })
    .await
}

/// Makes the person of (`issuer`, `subject`) an ordinary user again.
pub async fn remove(
    db: &Database,
    issuer: String,
    subject: String,
    now: OffsetDateTime,
) -> Result<AdminChange, CliError> {
    db.transaction(move |c| {
        let user = users::find_by_subject(c, &issuer, &subject)?
            .ok_or(CliError::UnknownPerson { issuer, subject })?;
        let (user, changed) = set_flag(c, user, false, now)?;
        Ok(AdminChange {
            user,
            person: PersonChange::Unchanged,
            changed,
        })
    })
    .await
}

fn set_flag(
    c: &mut infra::db::AnyConnection,
    user: User,
    admin: bool,
    now: OffsetDateTime,
) -> Result<(User, bool), CliError> {
    if user.is_system_admin == admin {
        return Ok((user, false));
    }
    users::set_system_admin(c, &user.id, admin)?;
    person::record(
        c,
        "user.system_admin",
        &user,
        Some(json!({"is_system_admin": user.is_system_admin})),
        Some(json!({"is_system_admin": admin})),
        now,
    )?;
    let user = users::find(c, &user.id)?.ok_or(diesel::result::Error::NotFound)?;
    Ok((user, true))
}

pub async fn run(
    command: AdminsCommand,
    db: &Database,
    default_issuer: &str,
    clock: SharedClock,
) -> Result<(), CliError> {
    match command {
        AdminsCommand::Add(args) => {
            let change = add(db, args.check(default_issuer)?, clock.now()).await?;
            let what = if change.changed {
                "is now a system administrator"
            } else {
                "was a system administrator already"
            };
            println!("{} {what}", change.user.email);
        }
        AdminsCommand::Remove(key) => {
            let (issuer, subject) = key.check(default_issuer)?;
            let change = remove(db, issuer, subject, clock.now()).await?;
            let what = if change.changed {
                "is no longer a system administrator"
            } else {
                "was not a system administrator"
            };
            println!("{} {what}", change.user.email);
        }
        AdminsCommand::List => {
            let admins = db.run(|c| Ok(users::system_admins(c)?)).await?;
            for user in admins {
                println!(
                    "{:<40} {:<20} {} {}",
                    user.email,
                    user.display_name(),
                    user.issuer,
                    user.subject
                );
            }
        }
    }
    Ok(())
}
