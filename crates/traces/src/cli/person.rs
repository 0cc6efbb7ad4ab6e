//! The person a command is about, named as eulogin knows them: (`--issuer`, `--subject`), the
//! key of the users table. A person traces does not know yet is created from `--email`,
//! `--given-name` and `--family-name`; for a known one those options, when given, replace the
//! copies (which their next login refreshes from eulogin anyway).

use super::CliError;
use crate::store::audit::{self, AuditEntry, CLI_ACTOR};
use crate::store::users::{self, Identity, User};
use clap::Args;
use infra::db::AnyConnection;
use serde_json::json;
use time::OffsetDateTime;

/// Which person: eulogin's issuer and the subject it gives them.
#[derive(Debug, Clone, Args)]
pub struct PersonKey {
    /// eulogin's issuer URL (default: TRACES_ISSUER_URL, the eulogin this traces trusts).
    #[arg(long)]
    pub issuer: Option<String>,
    /// The person's subject at eulogin (`eulogin accounts create` prints it; `sub` of their
    /// tokens).
    #[arg(long)]
    pub subject: String,
}

/// Which person, and their details for a person traces does not know yet.
#[derive(Debug, Clone, Args)]
pub struct PersonArgs {
    #[command(flatten)]
    pub key: PersonKey,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub given_name: Option<String>,
    #[arg(long)]
    pub family_name: Option<String>,
    /// en, fr, de or sv: the language of their e-mails (default en for a new person; kept
    /// for a known one).
    #[arg(long)]
    pub language: Option<String>,
}

/// A checked [`PersonArgs`]: the issuer as tokens carry it (no trailing slash), trimmed values.
#[derive(Debug, Clone)]
pub struct PersonDetails {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub language: Option<String>,
}

/// What happened to the person's `users` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonChange {
    Created,
    Updated,
    Unchanged,
}

impl PersonKey {
    /// The issuer (default `default_issuer`) and subject, checked.
    pub fn check(&self, default_issuer: &str) -> Result<(String, String), CliError> {
        let raw = self.issuer.as_deref().unwrap_or(default_issuer).trim();
        let url = url::Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| CliError::Invalid(format!("--issuer {raw:?} is not an http(s) URL")))?;
        let subject = self.subject.trim();
        if subject.is_empty() || subject.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(CliError::Invalid(format!(
                "--subject {:?} is not a subject (one word, as eulogin prints it)",
                self.subject
            )));
        }
        Ok((
            infra::settings::url_without_trailing_slash(&url),
            subject.to_owned(),
        ))
    }
}

impl PersonArgs {
    pub fn check(&self, default_issuer: &str) -> Result<PersonDetails, CliError> {
        let (issuer, subject) = self.key.check(default_issuer)?;
        let email = self
            .email
            .as_deref()
            .map(|e| {
                let e = e.trim();
                if e.contains('@') && email_address::EmailAddress::is_valid(e) {
                    Ok(e.to_owned())
                } else {
                    Err(CliError::Invalid(format!(
                        "--email {e:?} is not an e-mail address"
                    )))
                }
            })
            .transpose()?;
        let name = |value: &Option<String>, option: &str| {
            value
                .as_deref()
                .map(|v| match v.trim() {
                    "" => Err(CliError::Invalid(format!("{option} is empty"))),
                    trimmed => Ok(trimmed.to_owned()),
                })
                .transpose()
        };
        let language = self
            .language
            .as_deref()
            .map(|l| {
                crate::i18n::Lang::parse(l.trim())
                    .map(|lang| lang.code().to_owned())
                    .ok_or_else(|| CliError::Invalid("--language must be en, fr, de or sv".into()))
            })
            .transpose()?;
        Ok(PersonDetails {
            issuer,
            subject,
            email,
            given_name: name(&self.given_name, "--given-name")?,
            family_name: name(&self.family_name, "--family-name")?,
            language,
        })
    }
}

/// The user of `person` (inside the command's transaction): created when new (all of e-mail
/// and names needed), its copies replaced by those given otherwise. Audited.
pub fn find_or_create(
    conn: &mut AnyConnection,
    person: &PersonDetails,
    now: OffsetDateTime,
) -> Result<(User, PersonChange), CliError> {
    let Some(user) = users::find_by_subject(conn, &person.issuer, &person.subject)? else {
        let (Some(email), Some(given_name), Some(family_name)) = (
            person.email.clone(),
            person.given_name.clone(),
            person.family_name.clone(),
        ) else {
            return Err(CliError::UnknownPerson {
                issuer: person.issuer.clone(),
                subject: person.subject.clone(),
            });
        };
        let identity = Identity {
            issuer: person.issuer.clone(),
            subject: person.subject.clone(),
            email,
            given_name,
            family_name,
            language: person.language.clone().unwrap_or_else(|| "en".to_owned()),
        };
        let user = users::create(conn, &identity, now)?;
        record(
            conn,
            "user.created",
            &user,
            None,
            Some(details_of(&user)),
            now,
        )?;
        return Ok((user, PersonChange::Created));
    };
    let pick = |given: &Option<String>, stored: &str| given.clone().unwrap_or(stored.to_owned());
    let email = pick(&person.email, &user.email);
    let given_name = pick(&person.given_name, &user.given_name);
    let family_name = pick(&person.family_name, &user.family_name);
    let language = pick(&person.language, &user.language);
    let unchanged = email == user.email
        && given_name == user.given_name
        && family_name == user.family_name
        && language == user.language;
    if unchanged {
        return Ok((user, PersonChange::Unchanged));
    }
    users::update_details(conn, &user.id, &email, &given_name, &family_name, &language)?;
    let updated = users::find(conn, &user.id)?.ok_or(diesel::result::Error::NotFound)?;
    record(
        conn,
        "user.updated",
        &updated,
        Some(details_of(&user)),
        Some(details_of(&updated)),
        now,
    )?;
    Ok((updated, PersonChange::Updated))
}

fn details_of(user: &User) -> serde_json::Value {
    json!({
        "issuer": user.issuer,
        "subject": user.subject,
        "email": user.email,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "language": user.language,
    })
}

/// An audit entry about a user, made with the command line.
pub(super) fn record(
    conn: &mut AnyConnection,
    action: &str,
    user: &User,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    now: OffsetDateTime,
) -> Result<(), CliError> {
    audit::record(
        conn,
        &AuditEntry {
            actor_user_id: Some(CLI_ACTOR),
            action,
            object_type: "user",
            object_id: &user.id,
            before,
            after,
            reason: None,
        },
        now,
    )?;
    Ok(())
}
