//! Invented operators in bulk, for demonstrations and for the benchmark: `traces seed-demo
//! --operators 100000 --seed 1` (or [`seed`] from code) fills a database that has no operators
//! yet with realistic ones: names, one to three addresses in real cities of twelve member
//! states, national register numbers and EORI numbers that pass the identifier checks, mostly
//! valid and some waiting for a decision, with one to three activities each and their
//! responsible authorities from the reference data. The same seed gives the same operators
//! (ids included); dates are counted back from the day of the run.
//!
//! Everything is written in one transaction with one audit entry, so a failed run leaves
//! nothing behind. It refuses a database that already holds operators and a deployment whose
//! environment is `production`.

mod generate;
mod places;
mod write;

pub use generate::{DemoActivity, DemoOperator, Generator, Rng};
pub use write::Written;

use crate::store::audit::{self, AuditEntry};
use crate::store::operator_documents;
use crate::store::reference;
use crate::store::schema::operators;
use diesel::prelude::*;
use generate::{ActivityKind, AuthorityRef, Catalogue};
use infra::db::{AnyConnection, Backend, Database, DbError};
use time::OffsetDateTime;

/// What to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPlan {
    pub operators: usize,
    pub seed: u64,
}

/// Why no demo data was written.
#[derive(Debug, thiserror::Error)]
pub enum DemoDataError {
    #[error(
        "the database already holds {0} operators: demo data only goes into a database without any"
    )]
    NotEmpty(i64),
    #[error("the reference data has no country with responsible authorities")]
    NoCountries,
    #[error("demo data is refused in the production environment")]
    Production,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for DemoDataError {
    fn from(e: diesel::result::Error) -> DemoDataError {
        DemoDataError::Database(DbError::Query(e))
    }
}

/// What was written, and how long it took.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub written: Written,
    pub countries: Vec<&'static str>,
    pub elapsed: std::time::Duration,
}

/// Operators generated, then written, at a time (all in the one transaction): bounds the
/// memory to a few megabytes whatever the count.
const BATCH: usize = 2_000;

/// The activity types and, for each country of the generator, its authorities.
fn catalogue(conn: &mut AnyConnection) -> QueryResult<Catalogue> {
    let taxonomy = reference::taxonomy(conn)?;
    let activity_kinds = taxonomy
        .chapters
        .iter()
        .flat_map(|chapter| &chapter.sections)
        .flat_map(|section| &section.activity_types)
        .map(|t| ActivityKind {
            code: t.code.clone(),
            competence: t.competence_code.clone(),
        })
        .collect();
    let mut authorities_by_country = std::collections::HashMap::new();
    for country in places::COUNTRIES {
        let authorities = reference::authorities_of_country(conn, country.code)?
            .into_iter()
            .map(|a| AuthorityRef {
                is_border_control_post: a.kind == "border_control_post",
                competences: a.competences.into_iter().map(|(code, _)| code).collect(),
                code: a.code,
            })
            .collect();
        authorities_by_country.insert(country.code.to_owned(), authorities);
    }
    Ok(Catalogue {
        activity_kinds,
        authorities_by_country,
    })
}

/// Writes `plan.operators` generated operators into `db`, which must have its reference data
/// loaded and no operator yet. On PostgreSQL the tables are vacuumed and analysed afterwards, as
/// autovacuum would do within a minute, so that the first queries are planned with the real
/// row counts and do not share the machine with autovacuum's pass over the new rows.
pub async fn seed(
    db: &Database,
    plan: DemoPlan,
    now: OffsetDateTime,
) -> Result<Seeded, DemoDataError> {
    let started = std::time::Instant::now();
    let catalogue = db.run(|c| Ok(catalogue(c)?)).await?;
    let generator = Generator::new(&catalogue, plan.seed, now);
    let countries = generator.countries();
    if countries.is_empty() {
        return Err(DemoDataError::NoCountries);
    }
    let written = db
        .transaction(move |c| {
            let existing: i64 = operators::table.count().get_result(c)?;
            if existing > 0 {
                return Err(DemoDataError::NotEmpty(existing));
            }
            let mut written = Written::default();
            let mut start = 0;
            while start < plan.operators {
                let end = (start + BATCH).min(plan.operators);
                let batch: Vec<DemoOperator> = (start..end)
                    .filter_map(|position| generator.operator(position as u64))
                    .collect();
                written.add(write::insert(c, &batch)?);
                start = end;
            }
            // Their API documents, as `serve` would build them at its start.
            while operator_documents::build_missing(c, 1_000)? > 0 {}
            audit::record(
                c,
                &AuditEntry {
                    actor_user_id: None,
                    action: "demo_data.seeded",
                    object_type: "database",
                    object_id: "operators",
                    before: None,
                    after: Some(serde_json::json!({ "seed": plan.seed, "written": written })),
                    reason: Some("traces seed-demo"),
                },
                now,
            )?;
            Ok(written)
        })
        .await?;
    if db.backend() == Backend::Postgres {
        db.run(|c| {
            diesel::sql_query(
                "VACUUM (ANALYZE) operators, operator_addresses, operator_identifiers, \
                 activities, activity_authorities",
            )
            .execute(c)?;
            Ok(())
        })
        .await?;
    }
    Ok(Seeded {
        written,
        countries,
        elapsed: started.elapsed(),
    })
}

/// `traces seed-demo`: connects (migrating and loading the reference data like a start),
/// seeds, and says what it wrote.
pub async fn command(
    settings: &crate::Settings,
    plan: DemoPlan,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    use secrecy::ExposeSecret as _;
    if settings.environment == crate::config::Environment::Production {
        return Err(DemoDataError::Production.into());
    }
    let url = settings.database_url.expose_secret().to_owned();
    let db =
        tokio::task::spawn_blocking(move || Database::connect(&url, 2, &crate::store::MIGRATIONS))
            .await??;
    crate::reference::load_shipped(&db, now).await?;
    let seeded = seed(&db, plan, now).await?;
    let w = &seeded.written;
    println!(
        "wrote {} operators ({} addresses, {} identifiers, {} activities) in {:.1} s, seed {}, \
         countries {}",
        w.operators,
        w.addresses,
        w.identifiers,
        w.activities,
        seeded.elapsed.as_secs_f64(),
        plan.seed,
        seeded.countries.join(" ")
    );
    Ok(())
}

#[cfg(test)]
mod tests;
