//! `eulogin-app`: the EU Login mobile app played from the command line against a real eulogin.
//! Each command loads the keyring, does one thing and prints the outcome; failures print the
//! server's problem and exit with status 1.

mod args;
mod output;

use anyhow::Context as _;
use args::{Cli, Command};
use clap::Parser as _;
use eulogin_app::{Decision, Device, Keyring, http_client};
use eulogin_mobile_protocol::LoginChallengePayload;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("eulogin-app: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let path = match cli.state {
        Some(path) => path,
        None => Keyring::default_path()?,
    };
    let mut keyring = Keyring::load(path)?;
    match cli.command {
        Command::Enrol { payload, pin, name } => {
            // Prove the state file writable first: once the server has recorded the device, a
            // key we fail to keep is a device nobody can use.
            keyring.save()?;
            let http = http_client()?;
            let device = Device::enrol(&http, &payload, &pin, name.as_deref())
                .await
                .context("enrolment failed")?;
            let replaced = keyring.add(device.to_stored());
            keyring.save()?;
            println!(
                "Enrolled \"{}\" for {} on {} (device id {}).",
                device.name(),
                device.account_hint(),
                device.server(),
                device.device_id()
            );
            if let Some(old) = replaced {
                println!(
                    "It replaces device {} in {}; remove that one from your account.",
                    old.device_id,
                    keyring.path().display()
                );
            }
        }
        Command::Pending { server } => {
            let device = Device::from_stored(keyring.select(server.server.as_ref())?)?;
            let requests = device
                .pending(&http_client()?)
                .await
                .context("listing pending requests failed")?;
            if requests.is_empty() {
                println!("No pending requests.");
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            for request in &requests {
                println!("{}", output::pending_line(request, now));
            }
        }
        Command::Approve {
            request_id,
            pin,
            server,
        } => {
            let device = Device::from_stored(keyring.select(server.server.as_ref())?)?;
            let response = device
                .decide(&http_client()?, &request_id, Decision::Approve, &pin)
                .await
                .context("approval failed")?;
            println!("Request {request_id}: {}.", response.status);
        }
        Command::Deny {
            request_id,
            pin,
            server,
        } => {
            let device = Device::from_stored(keyring.select(server.server.as_ref())?)?;
            let response = device
                .send_decision(&http_client()?, &request_id, Decision::Deny, pin.as_deref())
                .await
                .context("denial failed")?;
            println!("Request {request_id}: {}.", response.status);
        }
        Command::Otp { payload } => {
            let challenge = LoginChallengePayload::parse(&payload)?;
            let device = Device::from_stored(keyring.select(Some(&challenge.server))?)?;
            println!("{}", device.otp(&payload)?);
        }
        Command::Devices => {
            if keyring.list().is_empty() {
                println!("No devices enrolled ({}).", keyring.path().display());
            }
            for device in keyring.list() {
                println!("{}", output::device_line(device));
            }
        }
    }
    Ok(())
}
