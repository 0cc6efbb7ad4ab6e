//! Test support: a migrated database of its own for each test, on SQLite (a temporary file)
//! or PostgreSQL (a private schema in `TEST_POSTGRES_URL`, dropped afterwards), and
//! [`both_backends!`](crate::both_backends) to run one test body on each.

use infra::db::Database;
use infra::db::test_support::PgTestSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestBackend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as this value.
pub(crate) struct TestDb {
    pub db: Database,
    _sqlite_dir: Option<tempfile::TempDir>,
    _pg_schema: Option<PgTestSchema>,
}

impl TestDb {
    /// Fails (never skips) when PostgreSQL is not there: run `make check-backends` first.
    pub fn new(backend: TestBackend) -> TestDb {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = dir.path().join("traces.db").display().to_string();
                let db = Database::connect(&url, 2, &super::MIGRATIONS).expect("SQLite database");
                TestDb {
                    db,
                    _sqlite_dir: Some(dir),
                    _pg_schema: None,
                }
            }
            TestBackend::Postgres => {
                let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
                    "postgres://postgres@127.0.0.1:5432/eulogin_test".to_owned()
                });
                let schema = PgTestSchema::create(&admin)
                    .expect("PostgreSQL for tests (make check-backends)");
                let db = Database::connect(&schema.url, 2, &super::MIGRATIONS)
                    .expect("PostgreSQL database");
                TestDb {
                    db,
                    _sqlite_dir: None,
                    _pg_schema: Some(schema),
                }
            }
        }
    }
}

/// `both_backends!(name)` next to `async fn name(db: &Database)` makes the tests
/// `name::sqlite` and `name::postgres`, each on a fresh database.
#[macro_export]
#[doc(hidden)]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use $crate::store::test_db::{TestBackend, TestDb};

            #[tokio::test]
            async fn sqlite() {
                let test = TestDb::new(TestBackend::Sqlite);
                super::$name(&test.db).await;
            }

            #[tokio::test]
            async fn postgres() {
                let test = TestDb::new(TestBackend::Postgres);
                super::$name(&test.db).await;
            }
        }
    )+};
}
