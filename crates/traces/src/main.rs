//! The traces binary.

use clap::Parser;

/// mimalloc instead of the system allocator: glibc keeps one arena per thread that ever
/// allocated, and the blocking threads of the database and password hashing grew the resident
/// memory to over a gigabyte under load; mimalloc returns freed memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    infra::telemetry::init("info");
    let cli = traces::Cli::parse();
    let public = cli.public_url.trim_end_matches('/').to_owned();
    traces::run(cli, |_| {
        println!("traces is running: {public}/ (health at {public}/healthz)")
    })
    .await
}
