//! How dates and times are shown on pages.

use time::OffsetDateTime;
use time::macros::format_description;

/// `2026-11-23 14:05 UTC` — the stored UTC time and the zone it was entered in. (The domain's
/// time-zone conversion shows it in that zone once merged.)
pub fn date_time(at: &OffsetDateTime, zone: &str) -> String {
    let shown = at
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default();
    format!("{shown} UTC ({zone})")
}
