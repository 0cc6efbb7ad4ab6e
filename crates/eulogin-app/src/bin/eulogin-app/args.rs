//! The command line: global options and one subcommand per thing a user does on the phone.

use clap::{Parser, Subcommand};
use eulogin_mobile_protocol::is_well_formed_pin;
use std::path::PathBuf;
use url::Url;

/// The EU Login mobile app on the command line: enrol a device, approve or deny logins, and
/// show one-time passwords for QR codes.
#[derive(Debug, Parser)]
#[command(name = "eulogin-app", version)]
pub struct Cli {
    /// The state file holding the enrolled devices [default: $EULOGIN_APP_STATE, else
    /// $HOME/.eulogin-app.json]
    #[arg(long, global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enrol this device with the payload of the enrolment QR code
    Enrol {
        /// The QR code's content, `eulogin-app://enrol?v=1&…`
        payload: String,
        /// The 4-digit PIN protecting approvals
        #[arg(long, value_parser = parse_pin)]
        pin: String,
        /// The device's name in the account [default: chosen by the server]
        #[arg(long)]
        name: Option<String>,
    },
    /// List the logins waiting for a decision
    Pending {
        #[command(flatten)]
        server: ServerChoice,
    },
    /// Approve a pending login
    Approve {
        /// The request's id, as `pending` shows it
        request_id: String,
        /// The device's 4-digit PIN
        #[arg(long, value_parser = parse_pin)]
        pin: String,
        #[command(flatten)]
        server: ServerChoice,
    },
    /// Deny a pending login
    Deny {
        /// The request's id, as `pending` shows it
        request_id: String,
        /// The device's 4-digit PIN (optional for a denial)
        #[arg(long, value_parser = parse_pin)]
        pin: Option<String>,
        #[command(flatten)]
        server: ServerChoice,
    },
    /// Show the one-time password for a login QR code (works offline)
    Otp {
        /// The QR code's content, `eulogin-app://login?v=1&…`
        payload: String,
    },
    /// List the enrolled devices
    Devices,
}

#[derive(Debug, clap::Args)]
pub struct ServerChoice {
    /// The server whose device to use [default: the only enrolled device]
    #[arg(long, value_name = "URL")]
    pub server: Option<Url>,
}

fn parse_pin(value: &str) -> Result<String, String> {
    if is_well_formed_pin(value) {
        Ok(value.to_owned())
    } else {
        Err("the PIN must be exactly 4 digits".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("eulogin-app").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn enrol_takes_the_payload_a_pin_and_an_optional_name() {
        let cli = parse(&[
            "--state",
            "/tmp/s.json",
            "enrol",
            "eulogin-app://enrol?v=1",
            "--pin",
            "0042",
            "--name",
            "Pixel",
        ])
        .unwrap();
        assert_eq!(cli.state, Some(PathBuf::from("/tmp/s.json")));
        match cli.command {
            Command::Enrol { payload, pin, name } => {
                assert_eq!(payload, "eulogin-app://enrol?v=1");
                assert_eq!(pin, "0042");
                assert_eq!(name.as_deref(), Some("Pixel"));
            }
            other => panic!("{other:?}"),
        }
        let missing_pin = parse(&["enrol", "eulogin-app://enrol?v=1"]).unwrap_err();
        assert_eq!(missing_pin.kind(), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn pins_must_be_four_digits() {
        for bad in ["123", "12345", "abcd"] {
            let error = parse(&["approve", "r1", "--pin", bad]).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation);
            assert!(
                error
                    .to_string()
                    .contains("the PIN must be exactly 4 digits")
            );
        }
    }

    #[test]
    fn approve_needs_a_pin_and_deny_does_not() {
        let error = parse(&["approve", "r1"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
        match parse(&["deny", "r1", "--server", "https://e.eu"])
            .unwrap()
            .command
        {
            Command::Deny {
                request_id,
                pin,
                server,
            } => {
                assert_eq!(request_id, "r1");
                assert_eq!(pin, None);
                assert_eq!(
                    server.server.map(String::from).as_deref(),
                    Some("https://e.eu/")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_state_option_goes_anywhere_and_servers_must_be_urls() {
        let cli = parse(&["pending", "--state", "s.json"]).unwrap();
        assert_eq!(cli.state, Some(PathBuf::from("s.json")));
        assert!(matches!(cli.command, Command::Pending { .. }));
        let error = parse(&["pending", "--server", "not a url"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ValueValidation);
        assert!(matches!(
            parse(&["devices"]).unwrap().command,
            Command::Devices
        ));
        assert!(matches!(
            parse(&["otp", "x"]).unwrap().command,
            Command::Otp { .. }
        ));
        assert_eq!(
            parse(&[]).unwrap_err().kind(),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
    }
}
