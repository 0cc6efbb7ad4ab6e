//! The SQL database on two backends: SQLite (embedded default, a file under `./var/`) and
//! PostgreSQL (production). One set of diesel queries runs on both through a multi-backend
//! connection; backend differences stay in this module and in each service's migrations.

use diesel::r2d2::{ConnectionManager, CustomizeConnection, ManageConnection, Pool};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

/// A connection to either backend. Query code takes `&mut AnyConnection`.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the connection of the backend that `$conn` (an
/// `&mut AnyConnection`) is on; the body is compiled once per backend. For the hottest reads:
/// through the multi-backend connection diesel writes out a query's SQL at each execution,
/// even when the statement is already prepared (a tenth of the CPU of an API read), while on
/// the backend's own connection a prepared query is found by its type alone.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite($c) => $body,
            $crate::db::AnyConnection::Postgresql($c) => $body,
        }
    };
}

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The migrations of one service, one embedded set per backend.
pub struct Migrations {
    pub sqlite: EmbeddedMigrations,
    pub postgres: EmbeddedMigrations,
}

/// Lets a `&'static` set of embedded migrations be run without copying it.
struct EmbeddedRef(&'static EmbeddedMigrations);

impl<DB: diesel::backend::Backend> diesel::migration::MigrationSource<DB> for EmbeddedRef {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        diesel::migration::MigrationSource::<DB>::migrations(self.0)
    }
}

/// Errors of the storage layer. Their text is for logs only, never for responses.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database task was cancelled")]
    Cancelled,
}

/// A pooled connection and whether its last use failed.
struct Checked {
    conn: AnyConnection,
    suspect: bool,
}

/// The pool's manager: diesel's, except that a connection is tested only after a failed use,
/// instead of before every use. r2d2's usual test on check-out is a `SELECT 1` round trip per
/// query; here a connection that failed is pinged when it comes back, and dropped if the ping
/// fails too (a database restart costs at most one failed request per pooled connection).
struct Manager {
    inner: ConnectionManager<AnyConnection>,
}

impl ManageConnection for Manager {
    type Connection = Checked;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Checked, Self::Error> {
        Ok(Checked {
            conn: self.inner.connect()?,
            suspect: false,
        })
    }

    fn is_valid(&self, conn: &mut Checked) -> Result<(), Self::Error> {
        self.inner.is_valid(&mut conn.conn)
    }

    fn has_broken(&self, conn: &mut Checked) -> bool {
        if self.inner.has_broken(&mut conn.conn) {
            return true;
        }
        if conn.suspect {
            conn.suspect = false;
            return self.inner.is_valid(&mut conn.conn).is_err();
        }
        false
    }
}

/// A pool of connections plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    backend: Backend,
    /// One slot per pooled connection, taken before going to a blocking thread: requests that
    /// cannot get a connection wait here, asynchronously, instead of each parking a blocking
    /// thread (under load that grew the process to dozens of idle threads and their memory).
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// SQLite has one writer at a time; this process's transactions queue here, in order,
    /// instead of meeting in SQLite's busy handler, which retries by sleeping (up to 100 ms a
    /// time) and made write latency erratic under load. Other processes still meet in the busy
    /// handler. Unused on PostgreSQL, which locks rows, not the database.
    ///
    /// The writer's turn travels with the work to its blocking thread and ends there, after the
    /// connection is back, the moment the work is done: not when the waiting task is next
    /// polled, which waits for its worker thread to finish whatever it is doing (an RSA
    /// signature, other requests). Held until then, the turn spanned those waits and capped the
    /// process's writes while a third of the cores sat idle. The pool slot, by contrast, is
    /// given back when the task resumes: released earlier, it let more statements run at once
    /// than two cores serve well (traces' reads on PostgreSQL lost 15 %).
    sqlite_writer: std::sync::Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct SqlitePragmas {
    /// See [`Database::connect_mapped`]; 0 reads every page with read(2).
    mmap_bytes: u64,
}

impl CustomizeConnection<Checked, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Checked) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = &mut conn.conn {
            // WAL lets readers run beside the single writer; busy_timeout makes concurrent
            // writers (other threads, other processes) wait instead of failing.
            diesel::connection::SimpleConnection::batch_execute(
                c,
                &format!(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA mmap_size = {};",
                    self.mmap_bytes
                ),
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

impl Database {
    /// Connects, creating the SQLite file's folder if needed, and applies pending migrations.
    pub fn connect(
        url: &str,
        max_connections: u32,
        migrations: &'static Migrations,
    ) -> anyhow::Result<Database> {
        Self::connect_mapped(url, max_connections, migrations, 0)
    }

    /// [`Database::connect`], with SQLite reading up to `mmap_bytes` of the database file
    /// through a memory map (`PRAGMA mmap_size`): a read then takes its pages straight from
    /// the operating system's file cache instead of copying each one with a read(2) call into
    /// the connection's own page cache. For a service whose requests read scattered rows of a
    /// large database (traces' API: a tenth of its CPU went to those calls). The pages are the
    /// same file cache either way, charged once to the container; but each pooled connection
    /// maps the file for itself, so the process's resident size (RSS) counts a page once per
    /// connection that touched it. Ignored on PostgreSQL.
    pub fn connect_mapped(
        url: &str,
        max_connections: u32,
        migrations: &'static Migrations,
        mmap_bytes: u64,
    ) -> anyhow::Result<Database> {
        let backend = Backend::of_url(url);
        let url = match backend {
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if let Some(parent) = std::path::Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent)?;
                }
                path.to_owned()
            }
            Backend::Postgres => url.to_owned(),
        };
        let pool = Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .test_on_check_out(false)
            .connection_customizer(Box::new(SqlitePragmas { mmap_bytes }))
            .build(Manager {
                inner: ConnectionManager::<AnyConnection>::new(url),
            })
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        let slots =
            std::sync::Arc::new(tokio::sync::Semaphore::new(max_connections.max(1) as usize));
        let db = Database {
            pool,
            backend,
            slots,
            sqlite_writer: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        };
        db.migrate(migrations)?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrate(&self, migrations: &'static Migrations) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        let result = match &mut conn.conn {
            AnyConnection::Sqlite(c) => c
                .run_pending_migrations(EmbeddedRef(&migrations.sqlite))
                .map(|_| ()),
            AnyConnection::Postgresql(c) => {
                // Replicas starting together take turns: the first migrates, the others find
                // nothing left to do.
                diesel::sql_query("SELECT pg_advisory_lock(7346529871)").execute(c)?;
                let r = c
                    .run_pending_migrations(EmbeddedRef(&migrations.postgres))
                    .map(|_| ());
                diesel::sql_query("SELECT pg_advisory_unlock(7346529871)").execute(c)?;
                r
            }
        };
        result.map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
    }

    /// Runs `work` with a pooled connection on a blocking thread, off the async executor.
    pub async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        self.on_connection(false, work).await
    }

    /// Runs a short read — a few lookups by key, never a scan, never a write — and returns
    /// what it read from one consistent state of the database.
    ///
    /// On SQLite it runs right here, on the calling (async) thread, inside one read
    /// transaction. Reading a few cached pages of an in-process database takes microseconds;
    /// handing the work to a blocking thread and waking this one again cost more than the read
    /// itself (perf, on an API read: two context switches per trip were a quarter of the CPU),
    /// and the one transaction takes SQLite's file lock once instead of once per statement. A
    /// connection is free whenever a slot is (one slot per pooled connection), so the thread
    /// never waits for one. On PostgreSQL, whose queries wait on the network, it is
    /// [`Database::run`]: a blocking thread, each statement on its own.
    pub async fn read<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        if self.backend == Backend::Postgres {
            return self.run(work).await;
        }
        let _slot = self.slots.acquire().await.map_err(|_| DbError::Cancelled)?;
        let mut pooled = self.pool.get()?;
        let outcome = pooled.conn.transaction::<T, DbError, _>(work);
        pooled.suspect = outcome.is_err();
        outcome
    }

    /// Like [`Database::run`], for work that writes without an explicit transaction (a single
    /// statement): on SQLite it takes its turn with this process's other writers.
    pub async fn write<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        self.on_connection(true, work).await
    }

    async fn on_connection<T, F>(&self, writes: bool, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        let writer = match (writes, self.backend) {
            (true, Backend::Sqlite) => Some(
                self.sqlite_writer
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| DbError::Cancelled)?,
            ),
            _ => None,
        };
        let _slot = self.slots.acquire().await.map_err(|_| DbError::Cancelled)?;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let _turn_ends_when_done = writer;
            let mut conn = pool.get()?;
            let outcome = work(&mut conn.conn);
            conn.suspect = outcome.is_err();
            outcome
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// Runs `work` inside one transaction: all of it is written, or none of it.
    ///
    /// On SQLite the transaction takes the write lock at once, like `BEGIN IMMEDIATE`: a
    /// deferred transaction that reads and then writes fails (instead of waiting) when another
    /// connection or process wrote in between.
    pub async fn transaction<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let writer = match self.backend {
            Backend::Sqlite => Some(
                self.sqlite_writer
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| E::from(DbError::Cancelled))?,
            ),
            Backend::Postgres => None,
        };
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Cancelled))?;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let _turn_ends_when_done = writer;
            let mut pooled = pool.get().map_err(|e| E::from(DbError::Pool(e)))?;
            let mut failure: Option<E> = None;
            let outcome = pooled.conn.transaction::<T, diesel::result::Error, _>(|c| {
                if let AnyConnection::Sqlite(sqlite) = c {
                    // A write that touches no row still takes the database's write lock.
                    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE 0")
                        .execute(sqlite)?;
                }
                match work(c) {
                    Ok(v) => Ok(v),
                    Err(e) => {
                        failure = Some(e);
                        Err(diesel::result::Error::RollbackTransaction)
                    }
                }
            });
            pooled.suspect = outcome.is_err();
            match (outcome, failure) {
                (Ok(v), _) => Ok(v),
                (Err(_), Some(e)) => Err(e),
                (Err(e), None) => Err(E::from(DbError::Query(e))),
            }
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }

    /// True when a trivial query answers: for readiness probes.
    pub async fn ping(&self) -> bool {
        self.run(|c| {
            diesel::sql_query("SELECT 1").execute(c)?;
            Ok(())
        })
        .await
        .is_ok()
    }
}

/// Whether a diesel error is a unique-constraint violation (same meaning on both backends).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Converts a UTC time to the naive timestamp stored in `TIMESTAMP` columns, at whole
/// microseconds so that both backends store exactly the same value.
pub fn to_db_time(t: time::OffsetDateTime) -> time::PrimitiveDateTime {
    let utc = t.to_offset(time::UtcOffset::UTC);
    let micros = utc.nanosecond() / 1_000 * 1_000;
    let utc = utc.replace_nanosecond(micros).unwrap_or(utc);
    time::PrimitiveDateTime::new(utc.date(), utc.time())
}

/// Reads a stored `TIMESTAMP` back as UTC.
pub fn from_db_time(t: time::PrimitiveDateTime) -> time::OffsetDateTime {
    t.assume_utc()
}

/// Test support: a private PostgreSQL schema per test, dropped when the guard goes away.
pub mod test_support {
    use super::*;

    /// A PostgreSQL schema created for one test; its URL sets the search path to it.
    #[derive(Debug)]
    pub struct PgTestSchema {
        admin_url: String,
        pub schema: String,
        pub url: String,
    }

    impl PgTestSchema {
        /// Creates `t_<random>` in the database at `admin_url` (which must exist).
        pub fn create(admin_url: &str) -> anyhow::Result<PgTestSchema> {
            let schema = format!(
                "t_{}",
                crate::crypto::sha256_hex(&crate::crypto::random_bytes::<16>())[..20].to_owned()
            );
            let mut conn = diesel::PgConnection::establish(admin_url)
                .map_err(|e| anyhow::anyhow!("PostgreSQL at {admin_url} cannot be reached: {e}"))?;
            diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut conn)?;
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
            Ok(PgTestSchema {
                admin_url: admin_url.to_owned(),
                schema,
                url,
            })
        }
    }

    impl Drop for PgTestSchema {
        fn drop(&mut self) {
            if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
                let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
                    .execute(&mut conn);
            }
        }
    }
}
