//! The environment (acceptance or production) a database belongs to: written by the first start
//! on an empty database, compared at every later start, so that a database is never served by
//! the other environment (whose users, accounts and tokens are not this one's).

use super::schema::service_environment;
use diesel::prelude::*;
use infra::db::{AnyConnection, is_unique_violation};

/// The single row of `service_environment`.
const ROW_ID: i32 = 1;

/// What the database says when an environment claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The database belonged to no environment: it belongs to this one from now on.
    Claimed,
    /// The database already belonged to this environment.
    Same,
    /// The database belongs to the environment named here, not this one.
    Other(String),
}

/// Claims the database for `environment` (`acceptance` or `production`) unless it already
/// belongs to one. Insert first, read after: two replicas starting together on a new database
/// both end on the one row the first of them wrote.
pub fn claim(conn: &mut AnyConnection, environment: &str) -> QueryResult<Claim> {
    let inserted = diesel::insert_into(service_environment::table)
        .values((
            service_environment::id.eq(ROW_ID),
            service_environment::environment.eq(environment),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => return Ok(Claim::Claimed),
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    let stored = recorded(conn)?.ok_or(diesel::result::Error::NotFound)?;
    Ok(if stored == environment {
        Claim::Same
    } else {
        Claim::Other(stored)
    })
}

/// The environment the database belongs to, if any yet.
pub fn recorded(conn: &mut AnyConnection) -> QueryResult<Option<String>> {
    service_environment::table
        .filter(service_environment::id.eq(ROW_ID))
        .select(service_environment::environment)
        .first(conn)
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::both_backends;
    use infra::db::Database;

    both_backends!(the_first_environment_keeps_the_database);

    async fn the_first_environment_keeps_the_database(db: &Database) {
        let (first, again, other, kept) = db
            .run(|c| {
                Ok((
                    claim(c, "acceptance")?,
                    claim(c, "acceptance")?,
                    claim(c, "production")?,
                    recorded(c)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(first, Claim::Claimed);
        assert_eq!(again, Claim::Same);
        assert_eq!(other, Claim::Other("acceptance".to_owned()));
        assert_eq!(
            kept.as_deref(),
            Some("acceptance"),
            "production changed nothing"
        );
    }
}
