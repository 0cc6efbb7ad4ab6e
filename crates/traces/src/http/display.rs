//! How dates and times are shown on pages.

use crate::domain::validity::KnownTimeZone;
use time::OffsetDateTime;
use time::macros::format_description;

/// A stored UTC instant shown in the zone it was entered in: `2026-12-01 08:00 +01:00 CET`.
/// An unknown zone (data older than a tz database change) falls back to UTC, said so.
pub fn date_time(at: &OffsetDateTime, zone: &str) -> String {
    match KnownTimeZone::parse(zone).and_then(|z| z.to_local(*at)) {
        Ok(local) => format!("{} {} {}", local.date, local.time, local.zone_label()),
        Err(_) => {
            let shown = at
                .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
                .unwrap_or_default();
            format!("{shown} UTC")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::date_time;
    use time::macros::datetime;

    #[test]
    fn an_instant_is_shown_in_the_zone_it_was_entered_in() {
        let at = datetime!(2026-12-01 07:00 UTC);
        assert_eq!(
            date_time(&at, "Europe/Stockholm"),
            "2026-12-01 08:00 +01:00 CET"
        );
        assert_eq!(date_time(&at, "Nowhere/Else"), "2026-12-01 07:00 UTC");
    }
}
