//! The traces binary.

use clap::Parser;

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
