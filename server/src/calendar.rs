//! The program's calendar: day- and month-based rules (pending days, expiry at month end, tier
//! months) are computed in the program's IANA time zone and stored as UTC unix milliseconds.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use tessera_core::points::ExpiryRule;
use tessera_core::tier::{month, Month};

/// The local date of `at` (unix ms) in `tz`.
fn local_date(tz: Tz, at: i64) -> NaiveDate {
    let utc = DateTime::from_timestamp_millis(at).unwrap_or_default();
    utc.with_timezone(&tz).date_naive()
}

/// The first instant of local `date` in `tz`, as unix ms. Where a zone skips midnight (a DST
/// change at 00:00), the day starts at the first local time that exists.
fn start_of(tz: Tz, date: NaiveDate) -> i64 {
    let mut local: NaiveDateTime = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.timestamp_millis();
        }
        local += TimeDelta::minutes(30);
    }
    // Unreachable with real zone data (gaps are at most an hour); fall back to UTC midnight.
    local.and_utc().timestamp_millis()
}

/// The program month of `at` (unix ms).
pub fn month_of(tz: Tz, at: i64) -> Month {
    let date = local_date(tz, at);
    month(date.year(), date.month())
}

/// The first instant of `m` in `tz`, as unix ms.
pub fn month_start(tz: Tz, m: Month) -> i64 {
    let (year, month0) = (m.div_euclid(12), m.rem_euclid(12));
    let date = NaiveDate::from_ymd_opt(year, month0 as u32 + 1, 1).unwrap_or_default();
    start_of(tz, date)
}

/// The start of the local day `days` days after the day of `at`.
pub fn day_start_after(tz: Tz, at: i64, days: u32) -> i64 {
    let date = local_date(tz, at) + Days::new(u64::from(days));
    start_of(tz, date)
}

/// The start of the local day `months` months after the day of `at` (a club's period: 7 March
/// to 7 April; the 31st to the month's last day when it is shorter).
pub fn months_after(tz: Tz, at: i64, months: u32) -> i64 {
    let date = local_date(tz, at);
    start_of(
        tz,
        date.checked_add_months(Months::new(months)).unwrap_or(date),
    )
}

/// The local day of `at` in `tz`, as `YYYY-MM-DD`.
pub fn day_of(tz: Tz, at: i64) -> String {
    local_date(tz, at).format("%Y-%m-%d").to_string()
}

/// The last local day before the instant `at` (a day or month start): the last day something
/// ending at `at` still holds, as `YYYY-MM-DD`.
pub fn last_day_before(tz: Tz, at: i64) -> String {
    day_of(tz, at - 1)
}

/// When points earned at `earned_at` become spendable: at once, or at the start of the day
/// `pending_days` later.
pub fn available_at(tz: Tz, earned_at: i64, pending_days: u32) -> i64 {
    if pending_days == 0 {
        earned_at
    } else {
        day_start_after(tz, earned_at, pending_days)
    }
}

/// When points earned at `earned_at` expire, if ever.
pub fn expires_at(tz: Tz, rule: ExpiryRule, earned_at: i64) -> Option<i64> {
    match rule {
        ExpiryRule::Never => None,
        ExpiryRule::AfterDays { days } => Some(day_start_after(tz, earned_at, days)),
        ExpiryRule::AfterMonthEnd { .. } => rule
            .expiry_month(month_of(tz, earned_at))
            .map(|m| month_start(tz, m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    const TBILISI: Tz = chrono_tz::Asia::Tbilisi;

    #[test]
    fn months_follow_the_program_zone_not_utc() {
        // 31 March 22:30 UTC is already 1 April in Tbilisi (UTC+4).
        let at = ms("2026-03-31T22:30:00Z");
        assert_eq!(month_of(TBILISI, at), month(2026, 4));
        assert_eq!(month_of(chrono_tz::UTC, at), month(2026, 3));
        assert_eq!(
            month_start(TBILISI, month(2026, 4)),
            ms("2026-03-31T20:00:00Z")
        );
    }

    #[test]
    fn month_end_expiry_is_local_midnight_after_the_last_day() {
        let rule = ExpiryRule::AfterMonthEnd { months: 12 };
        let earned = ms("2026-03-15T10:00:00Z");
        assert_eq!(
            expires_at(TBILISI, rule, earned),
            Some(ms("2027-04-01T00:00:00+04:00"))
        );
        assert_eq!(expires_at(TBILISI, ExpiryRule::Never, earned), None);
        // Shown as "usable through 31 March 2027", the last local day.
        let at = expires_at(TBILISI, rule, earned).unwrap();
        assert_eq!(last_day_before(TBILISI, at), "2027-03-31");
        assert_eq!(day_of(TBILISI, at), "2027-04-01");
        assert_eq!(
            expires_at(TBILISI, ExpiryRule::AfterDays { days: 30 }, earned),
            Some(ms("2026-04-14T00:00:00+04:00"))
        );
    }

    #[test]
    fn pending_days_end_at_the_start_of_a_local_day() {
        let earned = ms("2026-11-23T19:59:00Z"); // 23:59 in Tbilisi
        assert_eq!(available_at(TBILISI, earned, 0), earned);
        assert_eq!(
            available_at(TBILISI, earned, 3),
            ms("2026-11-26T00:00:00+04:00")
        );
    }

    #[test]
    fn a_day_that_skips_midnight_starts_at_its_first_local_time() {
        // Santiago moved clocks from 00:00 to 01:00 on 8 September 2024.
        let santiago = chrono_tz::America::Santiago;
        let day = NaiveDate::from_ymd_opt(2024, 9, 8).unwrap();
        assert_eq!(start_of(santiago, day), ms("2024-09-08T01:00:00-03:00"));
        // Across a DST change months still start at local midnight (Riga, 1 April 2026, UTC+3).
        let riga = chrono_tz::Europe::Riga;
        assert_eq!(
            month_start(riga, month(2026, 4)),
            ms("2026-04-01T00:00:00+03:00")
        );
    }
}
