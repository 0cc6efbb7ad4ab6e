//! traces' data for a run: a fresh database (a SQLite file, or the PostgreSQL database dropped
//! and created again), migrated, with the shipped reference data, the demo operators (the
//! generator of `traces seed-demo`, timed), and the benchmark's people as traces users, half of
//! them officers of an authority; then what the workloads draw from: ids of valid operators,
//! and search queries made of words, countries and sections found in the data.

use crate::args::{Args, BackendKind};
use crate::issuer::Person;
use diesel::prelude::*;
use infra::db::Database;
use std::path::Path;
use time::OffsetDateTime;
use traces::demo_data::{DemoPlan, Seeded};
use traces::store::memberships::{self, Organisation};
use traces::store::schema::{
    activities, activity_authorities, activity_types, operator_addresses, operators,
};
use traces::store::users::{self, Identity};

/// Where traces keeps its data in this run.
#[derive(Debug, Clone)]
pub struct Storage {
    pub database_url: String,
    pub redis_url: Option<String>,
    /// This run's namespace in Redis (removed at the end).
    pub key_prefix: String,
}

impl Storage {
    pub fn prepare(args: &Args, work: &Path) -> anyhow::Result<Storage> {
        let key_prefix = format!("traces-bench-{}", &infra::crypto::random_token()[..12]);
        Ok(match args.backend {
            BackendKind::Embedded => Storage {
                database_url: work.join("traces.db").display().to_string(),
                redis_url: None,
                key_prefix,
            },
            BackendKind::Production => {
                bench::postgres::recreate_database(&args.postgres_url)?;
                Storage {
                    database_url: args.postgres_url.clone(),
                    redis_url: Some(args.redis_url.clone()),
                    key_prefix,
                }
            }
        })
    }

    /// Removes this run's keys from Redis. The PostgreSQL database stays until the next run
    /// recreates it (to look at after the run).
    pub async fn clean_up(&self) {
        let Some(url) = &self.redis_url else {
            return;
        };
        let outcome = match infra::kv::KeyValue::redis(url, &self.key_prefix).await {
            Ok(kv) => kv.clear_namespace().await,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            eprintln!(
                "warning: the run's Redis keys ({}:*) were not removed: {e}",
                self.key_prefix
            );
        }
    }
}

/// The queries of the three search scenarios, as paths with their query strings.
#[derive(Debug, Clone, Default)]
pub struct Searches {
    /// Free text only (a company name's first word, a city), pages 1 to 3.
    pub text: Vec<String>,
    /// Country and section, pages 1 to 5.
    pub filters: Vec<String>,
    /// Free text, country and section, pages 1 and 2.
    pub combined: Vec<String>,
}

/// What a run's workloads use.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub seeded: Seeded,
    /// Every valid operator's id, in a scattered order.
    pub valid_ids: Vec<String>,
    pub searches: Searches,
    /// How many of the people are officers of an authority.
    pub officers: usize,
}

/// One sampled valid operator: the words a person would search it by.
type Sample = (String, String, String, String, String);

fn query_path(pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/api/v1/operators?{query}")
}

fn searches_of(samples: &[Sample]) -> Searches {
    let mut searches = Searches::default();
    for (n, (name, city, country, section, _)) in samples.iter().enumerate() {
        let first_word = name
            .split_whitespace()
            .next()
            .unwrap_or(name)
            .to_lowercase();
        let term = if n % 2 == 0 {
            first_word
        } else {
            city.to_lowercase()
        };
        let text_page = (1 + n % 3).to_string();
        searches
            .text
            .push(query_path(&[("q", &term), ("page", &text_page)]));
        let filter_page = (1 + n % 5).to_string();
        searches.filters.push(query_path(&[
            ("country", country),
            ("section", section),
            ("page", &filter_page),
        ]));
        let combined_page = (1 + n % 2).to_string();
        searches.combined.push(query_path(&[
            ("q", &city.to_lowercase()),
            ("country", country),
            ("section", section),
            ("page", &combined_page),
        ]));
    }
    searches
}

/// Migrates, loads the reference data, seeds the operators and makes `people` traces users
/// of `issuer` (every other one an officer of an authority responsible for some operators).
pub async fn prepare(
    storage: &Storage,
    args: &Args,
    issuer: &str,
    people: &[Person],
) -> anyhow::Result<Dataset> {
    let url = storage.database_url.clone();
    let db =
        tokio::task::spawn_blocking(move || Database::connect(&url, 2, &traces::store::MIGRATIONS))
            .await??;
    let now = OffsetDateTime::now_utc();
    traces::reference::load_shipped(&db, now).await?;
    let plan = DemoPlan {
        operators: args.operators,
        seed: args.seed,
    };
    let seeded = traces::demo_data::seed(&db, plan, now).await?;

    let (valid_ids, samples) = db
        .run(|c| {
            // Ordered by id: random v4 ids, so a scattered order, the same for a seed.
            let ids: Vec<String> = operators::table
                .filter(operators::status.eq("valid"))
                .order(operators::id)
                .select(operators::id)
                .load(c)?;
            let samples: Vec<Sample> = operators::table
                .inner_join(operator_addresses::table)
                .inner_join(
                    activities::table
                        .inner_join(activity_types::table)
                        .inner_join(activity_authorities::table),
                )
                .filter(operators::status.eq("valid"))
                .filter(operator_addresses::position.eq(0))
                .order((operators::id, activities::id))
                .select((
                    operators::name,
                    operator_addresses::city,
                    operators::country_code,
                    activity_types::section_code,
                    activity_authorities::authority_code,
                ))
                .limit(200)
                .load(c)?;
            Ok((ids, samples))
        })
        .await?;
    if valid_ids.is_empty() || samples.is_empty() {
        anyhow::bail!("the generator made no valid operator to read");
    }

    let issuer = issuer.to_owned();
    let people = people.to_vec();
    let authority_codes: Vec<String> = samples.iter().map(|s| s.4.clone()).collect();
    let officers = db
        .transaction(move |c| {
            let mut officers = 0;
            for (n, person) in people.iter().enumerate() {
                let who = Identity {
                    issuer: issuer.clone(),
                    subject: person.subject.clone(),
                    email: person.email.clone(),
                    given_name: person.given_name.clone(),
                    family_name: person.family_name.clone(),
                    language: "en".to_owned(),
                };
                let user = users::upsert_from_login(c, &who, now)?;
                if n % 2 == 1 {
                    let code = authority_codes[n % authority_codes.len()].clone();
                    memberships::request(
                        c,
                        &user.id,
                        &Organisation::Authority(code),
                        "officer",
                        "valid",
                        now,
                    )?;
                    officers += 1;
                }
            }
            Ok::<_, infra::db::DbError>(officers)
        })
        .await?;

    Ok(Dataset {
        seeded,
        valid_ids,
        searches: searches_of(&samples),
        officers,
    })
}
