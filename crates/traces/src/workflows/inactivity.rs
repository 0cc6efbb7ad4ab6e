//! The inactivity job: for each active user, `domain::inactivity::assess` at one instant, then
//! the warning e-mail (and `inactivity_warned_at`) or the deactivation (`deactivated_at`, an
//! audit entry and an e-mail saying how to ask for reactivation). Users are read in batches
//! from the longest unseen, and each change is its own transaction whose conditional UPDATE
//! repeats the rule (`store::inactivity`): two replicas running the job at once send one
//! warning. E-mails go after the commit.
//!
//! `traces inactivity run` runs it once; `traces serve` runs it every
//! `TRACES_INACTIVITY_INTERVAL_MINUTES` ([`start_periodic`]).

use super::notify::{self, Notice, Recipient};
use crate::app::AppState;
use crate::domain::inactivity::{InactivityAction, InactivityPolicy, assess};
use crate::store::audit::{self, AuditEntry};
use crate::store::inactivity::{self as users, BatchPosition, Candidate};
use infra::db::{Database, DbError};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::format_description;

/// Users read at a time.
pub const BATCH_SIZE: i64 = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Warning e-mails sent.
    pub warned: usize,
    /// Users deactivated.
    pub deactivated: usize,
}

/// The job, with what it needs: the database, the rule, and the links its e-mails carry.
#[derive(Debug, Clone)]
pub struct InactivityJob {
    pub db: Database,
    pub policy: InactivityPolicy,
    /// Where a warned user logs in (any page of traces counts as a use).
    pub login_url: String,
    /// The page a deactivated user asks for reactivation on.
    pub deactivated_url: String,
    pub batch_size: i64,
}

impl InactivityJob {
    /// The job of this application, as configured.
    pub fn of(state: &AppState) -> InactivityJob {
        InactivityJob {
            db: state.db.clone(),
            policy: state.settings.inactivity_policy(),
            login_url: state.settings.url("/workspace"),
            deactivated_url: state.settings.url(crate::auth::DEACTIVATED_PATH),
            batch_size: BATCH_SIZE,
        }
    }

    /// Assesses every active user at `now` and acts; `deliver` is handed each change's
    /// e-mail once its transaction committed.
    pub async fn run(
        &self,
        now: OffsetDateTime,
        mut deliver: impl FnMut(Notice),
    ) -> Result<Summary, DbError> {
        let mut summary = Summary::default();
        // Nobody seen after this is due anything yet (a warning comes first).
        let Some(seen_before) = self
            .policy
            .deactivate_after
            .checked_sub(self.policy.warn_before)
            .and_then(|quiet| now.checked_sub(quiet))
        else {
            return Ok(summary);
        };
        let mut after: Option<BatchPosition> = None;
        loop {
            let (position, limit) = (after.clone(), self.batch_size.max(1));
            let batch = self
                .db
                .run(move |c| Ok(users::candidates(c, seen_before, position.as_ref(), limit)?))
                .await?;
            for user in &batch {
                let action = assess(&self.policy, user.last_seen(), user.warned(), None, now);
                match action {
                    InactivityAction::Nothing => {}
                    InactivityAction::SendWarning { deactivation_on } => {
                        if let Some(notice) = self.warn(user, deactivation_on, now).await? {
                            summary.warned += 1;
                            deliver(notice);
                        }
                    }
                    InactivityAction::Deactivate => {
                        if let Some(notice) = self.deactivate(user, now).await? {
                            summary.deactivated += 1;
                            deliver(notice);
                        }
                    }
                }
            }
            match batch.last() {
                Some(last) if i64::try_from(batch.len()).unwrap_or(i64::MAX) >= limit => {
                    after = Some(last.position());
                }
                _ => return Ok(summary),
            }
        }
    }

    async fn warn(
        &self,
        user: &Candidate,
        deactivation_on: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<Notice>, DbError> {
        let (id, last_seen_at) = (user.id.clone(), user.last_seen_at);
        let warned = self
            .db
            .transaction(move |c| {
                if !users::mark_warned(c, &id, last_seen_at, now)? {
                    return Ok::<_, DbError>(false);
                }
                audit::record(
                    c,
                    &AuditEntry {
                        actor_user_id: None,
                        action: "user.inactivity_warned",
                        object_type: "user",
                        object_id: &id,
                        before: None,
                        after: Some(json!({
                            "last_seen_at": stamp(from(last_seen_at)),
                            "deactivation_on": stamp(deactivation_on),
                        })),
                        reason: None,
                    },
                    now,
                )?;
                Ok(true)
            })
            .await?;
        Ok(warned.then(|| {
            Notice::new("inactivity_warning", vec![recipient(user)])
                .with("deactivation_on", shown(deactivation_on))
                .with(
                    "days",
                    self.policy.deactivate_after.whole_days().to_string(),
                )
                .with("url", self.login_url.clone())
        }))
    }

    async fn deactivate(
        &self,
        user: &Candidate,
        now: OffsetDateTime,
    ) -> Result<Option<Notice>, DbError> {
        let (id, last_seen_at) = (user.id.clone(), user.last_seen_at);
        let done = self
            .db
            .transaction(move |c| {
                if !users::deactivate(c, &id, last_seen_at, now)? {
                    return Ok::<_, DbError>(false);
                }
                audit::record(
                    c,
                    &AuditEntry {
                        actor_user_id: None,
                        action: "user.deactivated",
                        object_type: "user",
                        object_id: &id,
                        before: Some(json!({
                            "last_seen_at": stamp(from(last_seen_at)),
                            "deactivated_at": null,
                        })),
                        after: Some(json!({"deactivated_at": stamp(now)})),
                        reason: Some("inactivity"),
                    },
                    now,
                )?;
                Ok(true)
            })
            .await?;
        Ok(done.then(|| {
            Notice::new("account_deactivated", vec![recipient(user)])
                .with("deactivated_on", shown(now))
                .with(
                    "days",
                    self.policy.deactivate_after.whole_days().to_string(),
                )
                .with("url", self.deactivated_url.clone())
        }))
    }
}

fn from(at: time::PrimitiveDateTime) -> OffsetDateTime {
    infra::db::from_db_time(at)
}

/// An instant as the audit log keeps it (RFC 3339).
pub fn stamp(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An instant as e-mails and pages show it: `2026-07-02 09:30 UTC`.
pub fn shown(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

fn recipient(user: &Candidate) -> Recipient {
    Recipient {
        email: user.email.clone(),
        language: user.language.clone(),
        name: format!("{} {}", user.given_name, user.family_name),
    }
}

/// Runs the job once at the application's current time, e-mailing as it goes.
pub async fn run_now(state: &AppState) -> Result<Summary, DbError> {
    let now = state.clock.now();
    let summary = InactivityJob::of(state)
        .run(now, |notice| notify::send(state, vec![notice]))
        .await?;
    if summary != Summary::default() {
        state.metrics.event("inactivity_job_changed_users");
    }
    Ok(summary)
}

/// How long after the start the first periodic run comes: soon, so that a deployment that
/// restarts more often than the interval still runs the job, but not while it starts.
const FIRST_RUN_AFTER: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Runs the job every `TRACES_INACTIVITY_INTERVAL_MINUTES` in this process (the first run
/// five minutes after the start, or sooner with a shorter interval); `None` when the interval
/// is 0. Every replica may run it: the job is safe to run concurrently. A failed run is
/// logged and the next one comes at the next interval.
pub fn start_periodic(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.settings.inactivity_interval?;
    let first = tokio::time::Instant::now() + every.min(FIRST_RUN_AFTER);
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(first, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match run_now(&state).await {
                Ok(summary) => tracing::info!(
                    warned = summary.warned,
                    deactivated = summary.deactivated,
                    "inactivity job ran"
                ),
                Err(e) => tracing::error!(error = %e, "inactivity job failed"),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::both_backends;
    use crate::store::users::{Identity, User, find, touch_last_seen, upsert_from_login};
    use time::Duration;
    use time::macros::datetime;

    both_backends!(
        the_warning_is_sent_once_with_the_date,
        deactivation_happens_exactly_at_the_limit,
        two_concurrent_runs_send_one_warning,
        a_use_after_the_warning_starts_a_new_period,
        every_batch_is_walked,
        a_reactivated_user_starts_a_new_period,
        a_deactivated_users_login_is_not_a_use,
    );

    const START: OffsetDateTime = datetime!(2026-03-01 09:30:00 UTC);
    const WARN_AT: Duration = Duration::days(109);
    const LIMIT: Duration = Duration::days(123);

    fn job(db: &Database) -> InactivityJob {
        InactivityJob {
            db: db.clone(),
            policy: InactivityPolicy::FOUR_MONTHS,
            login_url: "https://traces.example/workspace".to_owned(),
            deactivated_url: "https://traces.example/deactivated".to_owned(),
            batch_size: BATCH_SIZE,
        }
    }

    async fn user_seen_at(db: &Database, email: &str, at: OffsetDateTime) -> User {
        let who = Identity {
            issuer: "https://eulogin.example".to_owned(),
            subject: email.to_owned(),
            email: email.to_owned(),
            given_name: "Eva".to_owned(),
            family_name: "Holm".to_owned(),
            language: "sv".to_owned(),
        };
        db.run(move |c| Ok(upsert_from_login(c, &who, at)?))
            .await
            .expect("user")
    }

    async fn reload(db: &Database, user: &User) -> User {
        let id = user.id.clone();
        db.run(move |c| Ok(find(c, &id)?))
            .await
            .expect("read")
            .expect("user")
    }

    /// Runs the job at `now`: what it says it did, and the e-mails it handed over.
    async fn run_at(db: &Database, now: OffsetDateTime) -> (Summary, Vec<Notice>) {
        let mut sent = Vec::new();
        let summary = job(db)
            .run(now, |notice| sent.push(notice))
            .await
            .expect("job");
        (summary, sent)
    }

    fn value<'a>(notice: &'a Notice, name: &str) -> &'a str {
        notice
            .values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    async fn the_warning_is_sent_once_with_the_date(db: &Database) {
        let eva = user_seen_at(db, "eva@example.eu", START).await;
        let (summary, sent) = run_at(db, START + WARN_AT - Duration::seconds(1)).await;
        assert_eq!(summary, Summary::default(), "not yet");
        assert!(sent.is_empty());

        let (summary, sent) = run_at(db, START + WARN_AT).await;
        assert_eq!(
            summary,
            Summary {
                warned: 1,
                deactivated: 0
            }
        );
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].kind, "inactivity_warning");
        assert_eq!(sent[0].to[0].email, "eva@example.eu");
        assert_eq!(sent[0].to[0].language, "sv");
        assert_eq!(value(&sent[0], "deactivation_on"), "2026-07-02 09:30 UTC");
        assert_eq!(value(&sent[0], "days"), "123");
        let eva = reload(db, &eva).await;
        assert_eq!(eva.inactivity_warned_at, Some(START + WARN_AT));
        assert_eq!(eva.deactivated_at, None);

        for later in [Duration::days(110), LIMIT - Duration::seconds(1)] {
            let (summary, sent) = run_at(db, START + later).await;
            assert_eq!(summary, Summary::default(), "warned once");
            assert!(sent.is_empty());
        }
    }

    async fn deactivation_happens_exactly_at_the_limit(db: &Database) {
        let eva = user_seen_at(db, "eva@example.eu", START).await;
        let recent = user_seen_at(db, "nils@example.eu", START + Duration::days(100)).await;
        run_at(db, START + WARN_AT).await;
        let (summary, _) = run_at(db, START + LIMIT - Duration::seconds(1)).await;
        assert_eq!(summary, Summary::default());

        let (summary, sent) = run_at(db, START + LIMIT).await;
        assert_eq!(
            summary,
            Summary {
                warned: 0,
                deactivated: 1
            }
        );
        assert_eq!(sent[0].kind, "account_deactivated");
        assert_eq!(value(&sent[0], "url"), "https://traces.example/deactivated");
        assert_eq!(value(&sent[0], "deactivated_on"), "2026-07-02 09:30 UTC");
        let eva = reload(db, &eva).await;
        assert_eq!(eva.deactivated_at, Some(START + LIMIT));
        assert!(reload(db, &recent).await.deactivated_at.is_none());
        let id = eva.id.clone();
        let history = db
            .run(move |c| Ok(audit::of_object(c, "user", &id)?))
            .await
            .expect("audit");
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["user.inactivity_warned", "user.deactivated"]);
        assert_eq!(history[1].reason.as_deref(), Some("inactivity"));
        assert_eq!(history[1].actor_user_id, None);

        // Deactivated once: later runs leave the user alone.
        let (summary, sent) = run_at(db, START + LIMIT + Duration::days(30)).await;
        assert_eq!(summary, Summary::default());
        assert!(sent.is_empty());
    }

    async fn two_concurrent_runs_send_one_warning(db: &Database) {
        for n in 0..12 {
            user_seen_at(db, &format!("user{n}@example.eu"), START).await;
        }
        let (first, second) = (job(db), job(db));
        let now = START + WARN_AT;
        let (mut one, mut two) = (Vec::new(), Vec::new());
        let (a, b) = tokio::join!(
            first.run(now, |n| one.push(n)),
            second.run(now, |n| two.push(n))
        );
        let (a, b) = (a.expect("first run"), b.expect("second run"));
        assert_eq!(a.warned + b.warned, 12, "{a:?} {b:?}");
        assert_eq!(one.len() + two.len(), 12, "one e-mail per user");
        let mut to: Vec<String> = one
            .iter()
            .chain(&two)
            .map(|n| n.to[0].email.clone())
            .collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 12);
        // The same at the deadline: one deactivation (and one e-mail) each.
        let now = START + LIMIT;
        let (mut one, mut two) = (Vec::new(), Vec::new());
        let (a, b) = tokio::join!(
            first.run(now, |n| one.push(n)),
            second.run(now, |n| two.push(n))
        );
        let (a, b) = (a.expect("first run"), b.expect("second run"));
        assert_eq!(a.deactivated + b.deactivated, 12);
        assert_eq!(one.len() + two.len(), 12);
    }

    async fn a_use_after_the_warning_starts_a_new_period(db: &Database) {
        let eva = user_seen_at(db, "eva@example.eu", START).await;
        run_at(db, START + WARN_AT).await;
        let back = START + Duration::days(115);
        let id = eva.id.clone();
        db.write(move |c| Ok(touch_last_seen(c, &id, back)?))
            .await
            .expect("used");

        let (summary, _) = run_at(db, START + LIMIT).await;
        assert_eq!(summary, Summary::default(), "the old deadline is gone");
        assert!(reload(db, &eva).await.deactivated_at.is_none());

        let (summary, sent) = run_at(db, back + WARN_AT).await;
        assert_eq!(summary.warned, 1, "a new warning for the new period");
        assert_eq!(
            value(&sent[0], "deactivation_on"),
            shown(back + LIMIT).as_str()
        );
        let (summary, _) = run_at(db, back + LIMIT).await;
        assert_eq!(summary.deactivated, 1);
    }

    async fn every_batch_is_walked(db: &Database) {
        // Seven users seen at four different times (ties on last_seen_at across batches).
        for n in 0..7 {
            let seen = START + Duration::minutes(n / 2);
            user_seen_at(db, &format!("user{n}@example.eu"), seen).await;
        }
        user_seen_at(db, "active@example.eu", START + Duration::days(100)).await;
        let small = InactivityJob {
            batch_size: 2,
            ..job(db)
        };
        let mut sent = Vec::new();
        let summary = small
            .run(START + WARN_AT + Duration::hours(1), |n| sent.push(n))
            .await
            .expect("job");
        assert_eq!(summary.warned, 7);
        let mut to: Vec<String> = sent.iter().map(|n| n.to[0].email.clone()).collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 7);
        assert!(!to.contains(&"active@example.eu".to_owned()));
    }

    async fn a_deactivated_users_login_is_not_a_use(db: &Database) {
        let eva = user_seen_at(db, "eva@example.eu", START).await;
        run_at(db, START + WARN_AT).await;
        run_at(db, START + LIMIT).await;
        let later = START + LIMIT + Duration::days(10);
        let logged_in = user_seen_at(db, "eva@example.eu", later).await;
        assert_eq!(logged_in.id, eva.id);
        assert_eq!(
            (logged_in.deactivated_at, logged_in.last_seen_at),
            (Some(START + LIMIT), START),
            "still deactivated, last seen when she last used traces"
        );
        // A user who is not deactivated is seen at their login.
        let nils = user_seen_at(db, "nils@example.eu", START).await;
        let nils_again = user_seen_at(db, "nils@example.eu", later).await;
        assert_eq!((nils_again.id, nils_again.last_seen_at), (nils.id, later));
    }

    async fn a_reactivated_user_starts_a_new_period(db: &Database) {
        let eva = user_seen_at(db, "eva@example.eu", START).await;
        run_at(db, START + WARN_AT).await;
        run_at(db, START + LIMIT).await;
        let again = START + Duration::days(200);
        let id = eva.id.clone();
        let reactivated = db
            .write(move |c| Ok(crate::store::inactivity::reactivate(c, &id, again)?))
            .await
            .expect("reactivated");
        assert!(reactivated);
        let eva = reload(db, &eva).await;
        assert_eq!(
            (
                eva.deactivated_at,
                eva.inactivity_warned_at,
                eva.last_seen_at
            ),
            (None, None, again)
        );
        let (summary, _) = run_at(db, again + WARN_AT - Duration::seconds(1)).await;
        assert_eq!(summary, Summary::default());
        let (summary, _) = run_at(db, again + WARN_AT).await;
        assert_eq!(summary.warned, 1);
        let (summary, _) = run_at(db, again + LIMIT).await;
        assert_eq!(summary.deactivated, 1);
    }
}
