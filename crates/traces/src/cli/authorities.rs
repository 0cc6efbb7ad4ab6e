//! `traces authorities list`: the authorities loaded from the reference data, one a line as
//! `CODE<TAB>KIND<TAB>COUNTRY<TAB>NAME`, by country and code (what `make run` reads to make a
//! demo officer of each).

use super::CliError;
use crate::store::reference::{self, AuthoritySearch, AuthoritySummary};
use clap::Subcommand;
use infra::db::Database;

#[derive(Debug, Subcommand)]
pub enum AuthoritiesCommand {
    /// List the authorities (tab-separated: code, kind, country, name).
    List,
}

/// Every authority, by country and code.
pub async fn all(db: &Database) -> Result<Vec<AuthoritySummary>, CliError> {
    let mut found = Vec::new();
    loop {
        let page = AuthoritySearch {
            limit: AuthoritySearch::MAX_LIMIT,
            offset: i64::try_from(found.len()).unwrap_or(i64::MAX),
            ..AuthoritySearch::default()
        };
        let rows = db
            .run(move |c| Ok(reference::search_authorities(c, &page)?))
            .await?;
        let last = rows.len() < usize::try_from(AuthoritySearch::MAX_LIMIT).unwrap_or(0);
        found.extend(rows);
        if last {
            break;
        }
    }
    found.sort_by(|a, b| (&a.country_code, &a.code).cmp(&(&b.country_code, &b.code)));
    Ok(found)
}

pub async fn run(command: AuthoritiesCommand, db: &Database) -> Result<(), CliError> {
    let AuthoritiesCommand::List = command;
    for authority in all(db).await? {
        println!(
            "{}\t{}\t{}\t{}",
            authority.code, authority.kind, authority.country_code, authority.name
        );
    }
    Ok(())
}
