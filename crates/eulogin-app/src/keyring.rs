//! [`Keyring`]: the app's local state, the devices it enrolled, kept in a JSON file readable by
//! its owner only (mode 0600 on Unix) and replaced atomically, so that a crash mid-write never
//! loses a device key.

use crate::AppError;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use url::Url;

/// The environment variable naming the state file.
pub const STATE_ENV: &str = "EULOGIN_APP_STATE";
/// The state file's name in `$HOME` when [`STATE_ENV`] is unset.
pub const DEFAULT_FILE_NAME: &str = ".eulogin-app.json";
const FORMAT_VERSION: u32 = 1;

/// One enrolled device as stored: what [`crate::Device`] is rebuilt from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDevice {
    /// The server's base URL, as in the enrolment QR code.
    pub server: String,
    pub device_id: String,
    pub name: String,
    pub account_hint: String,
    /// The device's P-256 private key, PKCS#8, unpadded base64url.
    pub private_key_pkcs8: String,
    /// The QR one-time password key, unpadded base64url.
    pub device_secret: String,
}

impl std::fmt::Debug for StoredDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredDevice")
            .field("server", &self.server)
            .field("device_id", &self.device_id)
            .field("name", &self.name)
            .field("account_hint", &self.account_hint)
            .field("private_key_pkcs8", &"***")
            .field("device_secret", &"***")
            .finish()
    }
}

impl StoredDevice {
    /// Whether this device is enrolled with `server` (compared as URLs, so `https://e.eu` and
    /// `https://E.eu/` are the same server).
    pub fn is_for(&self, server: &Url) -> bool {
        Url::parse(&self.server).is_ok_and(|own| own == *server)
    }
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    devices: Vec<StoredDevice>,
}

/// The enrolled devices and the file they live in.
#[derive(Debug)]
pub struct Keyring {
    path: PathBuf,
    devices: Vec<StoredDevice>,
}

impl Keyring {
    /// `$EULOGIN_APP_STATE`, else `$HOME/.eulogin-app.json`.
    pub fn default_path() -> Result<PathBuf, AppError> {
        state_path_from(std::env::var_os(STATE_ENV), std::env::var_os("HOME"))
            .ok_or(AppError::NoStatePath)
    }

    /// Reads the file at `path`; a missing file is an empty keyring.
    pub fn load(path: impl Into<PathBuf>) -> Result<Keyring, AppError> {
        let path = path.into();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Keyring {
                    path,
                    devices: Vec::new(),
                });
            }
            Err(error) => return Err(AppError::StateIo { path, error }),
        };
        let state: StateFile = match serde_json::from_str(&text) {
            Ok(state) => state,
            Err(e) => {
                return Err(AppError::StateFormat {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        if state.version != FORMAT_VERSION {
            return Err(AppError::StateFormat {
                path,
                reason: format!("format version {} is not {FORMAT_VERSION}", state.version),
            });
        }
        Ok(Keyring {
            path,
            devices: state.devices,
        })
    }

    /// The file this keyring is read from and saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the keyring to its file: a private temporary file next to it, then a rename.
    pub fn save(&self) -> Result<(), AppError> {
        let state = StateFile {
            version: FORMAT_VERSION,
            devices: self.devices.clone(),
        };
        let mut json = serde_json::to_vec_pretty(&state).map_err(|e| AppError::StateFormat {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        json.push(b'\n');
        write_atomically(&self.path, &json).map_err(|error| AppError::StateIo {
            path: self.path.clone(),
            error,
        })
    }

    /// Adds `device`, replacing the device enrolled with the same server if any (one device per
    /// server, as on a phone); returns the replaced one.
    pub fn add(&mut self, device: StoredDevice) -> Option<StoredDevice> {
        let server = Url::parse(&device.server).ok();
        let existing = self.devices.iter().position(|d| match &server {
            Some(server) => d.is_for(server),
            None => d.server == device.server,
        });
        match existing {
            Some(index) => Some(std::mem::replace(&mut self.devices[index], device)),
            None => {
                self.devices.push(device);
                None
            }
        }
    }

    /// The device enrolled with `server`.
    pub fn find(&self, server: &Url) -> Option<&StoredDevice> {
        self.devices.iter().find(|d| d.is_for(server))
    }

    /// Every enrolled device, in enrolment order.
    pub fn list(&self) -> &[StoredDevice] {
        &self.devices
    }

    /// The device for `server`, or without one the only device enrolled; a clear error when
    /// there is none or the choice is ambiguous.
    pub fn select(&self, server: Option<&Url>) -> Result<&StoredDevice, AppError> {
        match (server, self.devices.as_slice()) {
            (Some(server), _) => self.find(server).ok_or_else(|| {
                AppError::NoDevice(format!(
                    "no device is enrolled with {server}{}",
                    self.enrolled_servers_suffix()
                ))
            }),
            (None, []) => Err(AppError::NoDevice(
                "no device is enrolled yet; run `eulogin-app enrol` first".to_owned(),
            )),
            (None, [only]) => Ok(only),
            (None, devices) => Err(AppError::AmbiguousDevice {
                servers: devices.iter().map(|d| d.server.clone()).collect(),
            }),
        }
    }

    fn enrolled_servers_suffix(&self) -> String {
        if self.devices.is_empty() {
            return String::new();
        }
        let servers: Vec<&str> = self.devices.iter().map(|d| d.server.as_str()).collect();
        format!(" (enrolled: {})", servers.join(", "))
    }
}

/// The state file from the values of `$EULOGIN_APP_STATE` and `$HOME` (empty means unset).
fn state_path_from(state: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let non_empty = |value: Option<OsString>| value.filter(|v| !v.is_empty());
    non_empty(state)
        .map(PathBuf::from)
        .or_else(|| non_empty(home).map(|home| PathBuf::from(home).join(DEFAULT_FILE_NAME)))
}

/// Writes `contents` to a new owner-only file beside `path`, flushes it to disk and renames it
/// over `path`, so that readers see the old file or the new one, never half of one.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp_name = OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(
        ".{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);
    let written = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir);
    Ok(())
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Makes the rename durable; best effort, as some file systems refuse to sync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(server: &str, id: &str) -> StoredDevice {
        StoredDevice {
            server: server.to_owned(),
            device_id: id.to_owned(),
            name: "Test phone".to_owned(),
            account_hint: "j***@example.eu".to_owned(),
            private_key_pkcs8: "cGtjczg".to_owned(),
            device_secret: "c2VjcmV0".to_owned(),
        }
    }

    #[test]
    fn a_missing_file_is_an_empty_keyring_and_a_saved_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut keyring = Keyring::load(&path).unwrap();
        assert!(keyring.list().is_empty());
        assert_eq!(keyring.add(device("https://a.eu", "d1")), None);
        assert_eq!(keyring.add(device("https://b.eu/", "d2")), None);
        keyring.save().unwrap();

        let reloaded = Keyring::load(&path).unwrap();
        assert_eq!(reloaded.list(), keyring.list());
        assert_eq!(reloaded.path(), path);
        let a = Url::parse("https://A.eu/").unwrap();
        assert_eq!(reloaded.find(&a).map(|d| d.device_id.as_str()), Some("d1"));
        // Saving again replaces the file and leaves no temporary file behind.
        reloaded.save().unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_state_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        // Even a file that was world-readable before is replaced by a private one.
        std::fs::write(&path, r#"{"version":1,"devices":[]}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut keyring = Keyring::load(&path).unwrap();
        keyring.add(device("https://a.eu", "d1"));
        keyring.save().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn enrolling_again_with_a_server_replaces_its_device() {
        let mut keyring = Keyring::load("/nonexistent/state.json").unwrap();
        keyring.add(device("https://a.eu", "old"));
        let replaced = keyring.add(device("https://a.eu/", "new"));
        assert_eq!(replaced.map(|d| d.device_id), Some("old".to_owned()));
        assert_eq!(keyring.list().len(), 1);
        assert_eq!(keyring.list()[0].device_id, "new");
    }

    #[test]
    fn selection_takes_the_only_device_or_asks_for_a_server() {
        let mut keyring = Keyring::load("/nonexistent/state.json").unwrap();
        let error = keyring.select(None).unwrap_err().to_string();
        assert!(error.contains("no device is enrolled yet"), "{error}");

        keyring.add(device("https://a.eu/", "d1"));
        assert_eq!(keyring.select(None).unwrap().device_id, "d1");
        keyring.add(device("https://b.eu/", "d2"));
        assert_eq!(
            keyring.select(None).unwrap_err().to_string(),
            "several devices are enrolled; choose one with --server: https://a.eu/, https://b.eu/"
        );
        let b = Url::parse("https://b.eu").unwrap();
        assert_eq!(keyring.select(Some(&b)).unwrap().device_id, "d2");
        let c = Url::parse("https://c.eu").unwrap();
        assert_eq!(
            keyring.select(Some(&c)).unwrap_err().to_string(),
            "no device is enrolled with https://c.eu/ (enrolled: https://a.eu/, https://b.eu/)"
        );
    }

    #[test]
    fn damaged_or_foreign_state_files_are_reported_with_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{not json").unwrap();
        let error = Keyring::load(&path).unwrap_err().to_string();
        assert!(error.starts_with(&format!("state file {} is damaged", path.display())));
        std::fs::write(&path, r#"{"version":2,"devices":[]}"#).unwrap();
        let error = Keyring::load(&path).unwrap_err().to_string();
        assert!(error.ends_with("format version 2 is not 1"), "{error}");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let debug = format!("{:?}", device("https://a.eu", "d1"));
        assert!(
            !debug.contains("cGtjczg") && !debug.contains("c2VjcmV0"),
            "{debug}"
        );
    }

    #[test]
    fn the_state_path_comes_from_the_variable_then_home() {
        let some = |s: &str| Some(OsString::from(s));
        assert_eq!(
            state_path_from(some("/tmp/s.json"), some("/home/j")),
            Some(PathBuf::from("/tmp/s.json"))
        );
        assert_eq!(
            state_path_from(some(""), some("/home/j")),
            Some(PathBuf::from("/home/j/.eulogin-app.json"))
        );
        assert_eq!(state_path_from(None, None), None);
    }
}
