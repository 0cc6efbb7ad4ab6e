//! `traces officers add | list`: authority officers made with the command line, for the demo
//! officers of `make run` and the first officers of a new authority (who then validate the
//! next ones in the pages). Adding is idempotent: a valid officer stays one, a pending request
//! becomes valid, a person traces does not know yet is created.

use super::CliError;
use super::person::{PersonArgs, PersonChange, PersonDetails, find_or_create};
use crate::store::audit::{self, AuditEntry, CLI_ACTOR};
use crate::store::memberships::{self, Member, Organisation, Requested};
use crate::store::reference;
use crate::store::users::User;
use clap::{Args, Subcommand};
use infra::clock::SharedClock;
use infra::db::Database;
use serde_json::json;
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub enum OfficersCommand {
    /// Make a person a valid officer of an authority (and a traces user, when new).
    Add(AddOfficer),
    /// List the officer memberships, in every status.
    List {
        /// Only this authority's.
        #[arg(long)]
        authority: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AddOfficer {
    #[command(flatten)]
    pub person: PersonArgs,
    /// The authority's code, e.g. SEARN4 (`traces authorities list`).
    #[arg(long)]
    pub authority: String,
}

/// How the person became (or already was) a valid officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A new valid officer membership.
    Granted,
    /// Their pending request was validated.
    Validated,
    /// They were a valid officer already: nothing changed.
    AlreadyValid,
}

/// What `traces officers add` did.
#[derive(Debug, Clone)]
pub struct OfficerAdded {
    pub user: User,
    pub person: PersonChange,
    pub authority_code: String,
    pub authority_name: String,
    pub membership_id: String,
    pub grant: Grant,
}

/// Makes `person` a valid officer of `authority_code`, in one transaction with its audit
/// entries.
pub async fn add(
    db: &Database,
    person: PersonDetails,
    authority_code: &str,
    now: OffsetDateTime,
) -> Result<OfficerAdded, CliError> {
    let code = authority_code.trim().to_uppercase();
    db.transaction(move |c| {
        let authority =
            reference::authority(c, &code)?.ok_or_else(|| CliError::UnknownAuthority(code))?;
        let (user, person) = find_or_create(c, &person, now)?;
        let organisation = Organisation::Authority(authority.code.clone());
        let requested =
            memberships::request(c, &user.id, &organisation, "officer", "pending", now)?;
        let open = requested.membership().clone();
        let grant = match (&requested, open.status.as_str()) {
            (Requested::AlreadyOpen(_), "valid") => Grant::AlreadyValid,
            (Requested::AlreadyOpen(_), _) => Grant::Validated,
            (Requested::Created(_), _) => Grant::Granted,
        };
        if grant != Grant::AlreadyValid {
            memberships::validate_without_decider(c, &open.id, "officer", now)?;
            let (action, before) = match grant {
                Grant::Validated => (
                    "membership.decided",
                    Some(json!({"status": open.status, "role": open.role})),
                ),
                _ => ("membership.granted", None),
            };
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: Some(CLI_ACTOR),
                    action,
                    object_type: "membership",
                    object_id: &open.id,
                    before,
                    after: Some(json!({
                        "authority_code": authority.code,
                        "role": "officer",
                        "status": "valid",
                    })),
                    reason: None,
                },
                now,
            )?;
        }
        Ok(OfficerAdded {
            user,
            person,
            authority_code: authority.code,
            authority_name: authority.name,
            membership_id: open.id,
            grant,
        })
    })
    .await
}

/// The officer memberships of `authority` (of every authority when `None`).
pub async fn list(db: &Database, authority: Option<String>) -> Result<Vec<Member>, CliError> {
    let authority = authority.map(|a| a.trim().to_uppercase());
    Ok(db
        .run(move |c| Ok(memberships::officers(c, authority.as_deref())?))
        .await?)
}

pub async fn run(
    command: OfficersCommand,
    db: &Database,
    default_issuer: &str,
    clock: SharedClock,
) -> Result<(), CliError> {
    match command {
        OfficersCommand::Add(add_officer) => {
            let person = add_officer.person.check(default_issuer)?;
            let added = add(db, person, &add_officer.authority, clock.now()).await?;
            let what = match added.grant {
                Grant::Granted => "is now a valid officer",
                Grant::Validated => "is now a valid officer (their pending request was validated)",
                Grant::AlreadyValid => "was a valid officer already",
            };
            let new = if added.person == PersonChange::Created {
                " (new traces user)"
            } else {
                ""
            };
            println!(
                "{}{new} {what} of {} {}",
                added.user.email, added.authority_code, added.authority_name
            );
        }
        OfficersCommand::List { authority } => {
            for member in list(db, authority).await? {
                println!(
                    "{:<8} {:<8} {:<40} {} {}",
                    member.membership.authority_code().unwrap_or_default(),
                    member.membership.status,
                    member.email,
                    member.given_name,
                    member.family_name,
                );
            }
        }
    }
    Ok(())
}
