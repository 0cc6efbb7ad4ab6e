//! Seeding the database before the server starts: eulogin's migrations, then accounts with a
//! password. One Argon2id hash, made with eulogin's own hasher, serves every account (hashing
//! 2,000 passwords would take a minute and measure nothing).

use eulogin::security::password_hasher::PasswordHasher;
use eulogin::store::accounts::{self, NewAccount};
use infra::db::{Database, DbError};

/// The password of every seeded account.
pub const PASSWORD: &str = "correct horse battery staple 42";

/// The e-mail address of seeded account `n`.
pub fn email(n: usize) -> String {
    format!("bench-{n}@example.test")
}

/// Runs the migrations and inserts `count` accounts (`bench-0@example.test`, …) that can log in.
pub async fn accounts(database_url: &str, count: usize) -> anyhow::Result<()> {
    let url = database_url.to_owned();
    let db = tokio::task::spawn_blocking(move || {
        Database::connect(&url, 2, &eulogin::store::MIGRATIONS)
    })
    .await??;
    let hash = PasswordHasher::new(1)?.hash(PASSWORD).await?;
    let now = time::OffsetDateTime::now_utc();
    db.transaction(move |c| {
        for n in 0..count {
            let new = NewAccount {
                email: email(n),
                first_name: "Bench".to_owned(),
                last_name: format!("User {n}"),
                language: "en".to_owned(),
            };
            let id = accounts::insert(c, &new, now)?;
            accounts::set_password(c, &id, &hash, now)?;
        }
        Ok::<_, DbError>(())
    })
    .await?;
    Ok(())
}
