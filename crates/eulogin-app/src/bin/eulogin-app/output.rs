//! What the program prints: one line per pending request or device, durations in words.

use eulogin_app::{PendingRequest, StoredDevice};

/// `47  TRACES NT  expires in 1 min 32 s  id=…  (Firefox on Windows)`.
pub fn pending_line(request: &PendingRequest, now: i64) -> String {
    format!(
        "{}  {}  {}  id={}  ({})",
        request.number,
        request
            .application
            .as_deref()
            .unwrap_or("(unnamed application)"),
        expiry(request.expires_at - now),
        request.id,
        request.browser,
    )
}

/// `https://ecas.example.eu/  "Pixel 8"  j***@example.eu  id=…`.
pub fn device_line(device: &StoredDevice) -> String {
    format!(
        "{}  \"{}\"  {}  id={}",
        device.server, device.name, device.account_hint, device.device_id
    )
}

/// `expires in 1 min 32 s`, or `expired`.
fn expiry(remaining_secs: i64) -> String {
    if remaining_secs <= 0 {
        return "expired".to_owned();
    }
    let (hours, minutes, seconds) = (
        remaining_secs / 3600,
        remaining_secs % 3600 / 60,
        remaining_secs % 60,
    );
    let duration = match (hours, minutes, seconds) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    };
    format!("expires in {duration}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_request_reads_as_one_line() {
        let request = PendingRequest {
            id: "0190abc".to_owned(),
            number: "47".to_owned(),
            application: Some("TRACES NT".to_owned()),
            created_at: 1_000,
            expires_at: 1_120,
            browser: "Firefox on Windows".to_owned(),
        };
        assert_eq!(
            pending_line(&request, 1_028),
            "47  TRACES NT  expires in 1 min 32 s  id=0190abc  (Firefox on Windows)"
        );
        let unnamed = PendingRequest {
            application: None,
            ..request
        };
        assert_eq!(
            pending_line(&unnamed, 1_200),
            "47  (unnamed application)  expired  id=0190abc  (Firefox on Windows)"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(expiry(1), "expires in 1 s");
        assert_eq!(expiry(59), "expires in 59 s");
        assert_eq!(expiry(120), "expires in 2 min");
        assert_eq!(expiry(3_725), "expires in 1 h 2 min");
        assert_eq!(expiry(0), "expired");
        assert_eq!(expiry(-5), "expired");
    }
}
