//! Numbers, money and dates in the reader's locale, through the browser's `Intl`: the browser
//! already carries every locale's rules, so no locale data goes into the wasm. Calendar days are
//! chrono's `NaiveDate` (no time zones: program-local days come as `YYYY-MM-DD` from the server).
//!
//! Amounts reach `Intl` as exact decimal strings built from integer minor units (never through a
//! float), and calendar days (`YYYY-MM-DD`, already the program's local days) are formatted in UTC
//! so that no time zone can move them to the day before.

use chrono::{Datelike, NaiveDate, TimeDelta};
use tessera_core::Currency;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::{Array, Date, Function, Intl, Object, Reflect};

/// How to write numbers and dates for one reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fmt {
    /// The BCP 47 tag handed to `Intl` (`en-GB`).
    pub tag: String,
    /// The reader's today, in days since 1970-01-01: see [`Fmt::shows_year`].
    pub today: i64,
}

impl Fmt {
    /// For the wallet's language `lang` (`en`): the browser's own preference when it is a variant
    /// of that language, so `en-GB` readers get "30 Nov" and `en-US` ones "Nov 30"; else `lang`.
    pub fn for_language(lang: &str) -> Self {
        let languages = web_sys::window().map(|w| w.navigator().languages());
        let preferred = languages
            .iter()
            .flat_map(|languages| languages.iter())
            .filter_map(|tag| tag.as_string())
            .find(|tag| tag.split('-').next() == Some(lang) && is_usable(tag));
        Fmt {
            tag: preferred.unwrap_or_else(|| lang.to_owned()),
            today: local_day_number(Date::now()),
        }
    }

    /// For `tag` on the day `today` (`YYYY-MM-DD`), e.g. in tests.
    pub fn at(tag: &str, today: &str) -> Option<Self> {
        Some(Fmt {
            tag: tag.to_owned(),
            today: day_number(civil_day(today)?),
        })
    }

    /// Whether a day needs its year to be unambiguous: not for days of the current year, nor
    /// for coming days less than ten months away ("by 28 Feb" in November means next February).
    pub fn shows_year(&self, day: i64) -> bool {
        let year = |days: i64| day_of_number(days).map(|d| d.year());
        let coming = (0..300).contains(&(day - self.today));
        year(day) != year(self.today) && !coming
    }

    /// `1234` -> `1,234`.
    pub fn points(&self, points: i64) -> String {
        self.number(&points.to_string(), &[])
    }

    /// A history amount with its sign: `+18`, `-50`, `0`.
    pub fn signed_points(&self, points: i64) -> String {
        self.number(
            &points.to_string(),
            &[("signDisplay", JsValue::from_str("exceptZero"))],
        )
    }

    /// Minor units of `currency` as money: `54500` GEL -> `₾545.00`.
    pub fn money(&self, minor: i64, currency: &Currency) -> String {
        let fraction = JsValue::from_f64(f64::from(currency.minor_digits()));
        self.number(
            &decimal(minor, currency.minor_digits()),
            &[
                ("style", JsValue::from_str("currency")),
                ("currency", JsValue::from_str(currency.code())),
                // `₾` rather than `GEL`: the program's own customers know its symbol.
                ("currencyDisplay", JsValue::from_str("narrowSymbol")),
                ("minimumFractionDigits", fraction.clone()),
                ("maximumFractionDigits", fraction),
            ],
        )
    }

    /// Basis points as a percentage: `500` -> `5%`, `250` -> `2.5%`.
    pub fn percent(&self, basis_points: u32) -> String {
        self.number(
            &decimal(i64::from(basis_points), 4),
            &[
                ("style", JsValue::from_str("percent")),
                ("maximumFractionDigits", JsValue::from_f64(2.0)),
            ],
        )
    }

    /// An earn multiplier given in percent: `125` -> `1.25`, `200` -> `2`.
    pub fn multiplier(&self, percent: u32) -> String {
        self.number(
            &decimal(i64::from(percent), 2),
            &[("maximumFractionDigits", JsValue::from_f64(2.0))],
        )
    }

    /// A calendar day `YYYY-MM-DD` as written in the locale: `30 Nov`, or `30 Nov 2025` when the
    /// year is needed ([`Fmt::shows_year`]). Text that is not a day is shown as it is.
    pub fn day(&self, iso: &str) -> String {
        let Some(date) = civil_day(iso) else {
            return iso.to_owned();
        };
        let days = day_number(date);
        let midnight = Date::new(&JsValue::from_f64((days * 86_400_000) as f64));
        self.date(&midnight, days, true)
            .unwrap_or_else(|| iso.to_owned())
    }

    /// The reader's local day of an instant (UTC unix milliseconds), like [`Fmt::day`].
    pub fn local_day(&self, unix_ms: i64) -> String {
        // `Intl` throws on a date out of JS's range, which would abort the wasm.
        if unix_ms.unsigned_abs() > MAX_DATE_MS {
            return String::new();
        }
        let ms = unix_ms as f64;
        self.date(
            &Date::new(&JsValue::from_f64(ms)),
            local_day_number(ms),
            false,
        )
        .unwrap_or_default()
    }

    /// The reader's local time of day of an instant (unix ms): `14:32`, or `2:32 PM`.
    pub fn time(&self, unix_ms: f64) -> String {
        let options = [
            ("hour", JsValue::from_str("numeric")),
            ("minute", JsValue::from_str("2-digit")),
        ];
        let format = Intl::DateTimeFormat::new(&self.locales(), &object(&options));
        call(&format.format(), &Date::new(&JsValue::from_f64(unix_ms))).unwrap_or_default()
    }

    /// How many of the reader's days ago an instant (unix ms) was: 0 today, 1 yesterday.
    pub fn days_ago(&self, unix_ms: f64) -> i64 {
        self.today - local_day_number(unix_ms)
    }

    /// `date` (the day `days`) as a short day and month, in UTC or in the reader's zone.
    fn date(&self, date: &Date, days: i64, utc: bool) -> Option<String> {
        let mut options = vec![
            ("day", JsValue::from_str("numeric")),
            ("month", JsValue::from_str("short")),
        ];
        if self.shows_year(days) {
            options.push(("year", JsValue::from_str("numeric")));
        }
        if utc {
            options.push(("timeZone", JsValue::from_str("UTC")));
        }
        let format = Intl::DateTimeFormat::new(&self.locales(), &object(&options));
        call(&format.format(), date)
    }

    /// `value` (a decimal string) through `Intl.NumberFormat` with `options`.
    fn number(&self, value: &str, options: &[(&str, JsValue)]) -> String {
        let format = Intl::NumberFormat::new(&self.locales(), &object(options));
        call(&format.format(), &JsValue::from_str(value)).unwrap_or_else(|| value.to_owned())
    }

    fn locales(&self) -> Array {
        Array::of1(&JsValue::from_str(&self.tag))
    }
}

/// The largest distance from 1970 a JS `Date` can be, in milliseconds.
const MAX_DATE_MS: u64 = 8_640_000_000_000_000;

/// Whether `Intl` accepts `tag` (a malformed one throws, which would abort the wasm).
fn is_usable(tag: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let constructor = Reflect::get(&window, &JsValue::from_str("Intl"))
        .and_then(|intl| Reflect::get(&intl, &JsValue::from_str("NumberFormat")))
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok());
    constructor.is_some_and(|c| Reflect::construct(&c, &Array::of1(&tag.into())).is_ok())
}

/// Calls a bound `format` function of an `Intl` formatter.
fn call(format: &Function, value: &JsValue) -> Option<String> {
    format.call1(&JsValue::UNDEFINED, value).ok()?.as_string()
}

/// An options object from `(key, value)` pairs.
fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// `units` scaled down by `10^digits`, as exact decimal text: `(-54500, 2)` -> `-545.00`.
pub fn decimal(units: i64, digits: u32) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(digits);
    let width = digits as usize;
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
}

/// `YYYY-MM-DD` as a calendar day, checking the day exists.
pub fn civil_day(iso: &str) -> Option<NaiveDate> {
    // Three numbers and chrono's check of the day, rather than `parse_from_str`, whose format
    // parser cost the first load 9,595 bytes of gzipped wasm for this one fixed form.
    let (year, month, day) = (iso.get(0..4)?, iso.get(5..7)?, iso.get(8..10)?);
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let form = iso.len() == 10 && &iso[4..5] == "-" && &iso[7..8] == "-";
    if !(form && digits(year) && digits(month) && digits(day)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// 1970-01-01, day number 0.
const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();

/// Days since 1970-01-01 of a calendar day.
fn day_number(date: NaiveDate) -> i64 {
    date.signed_duration_since(EPOCH).num_days()
}

/// The calendar day of a day number (`None` out of chrono's range).
fn day_of_number(days: i64) -> Option<NaiveDate> {
    EPOCH.checked_add_signed(TimeDelta::try_days(days)?)
}

/// The reader's local day of an instant (unix milliseconds), in days since 1970-01-01: the
/// instant moved by the zone's offset at that time.
fn local_day_number(unix_ms: f64) -> i64 {
    let offset_minutes = Date::new(&JsValue::from_f64(unix_ms)).get_timezone_offset();
    ((unix_ms - offset_minutes * 60_000.0) / 86_400_000.0).floor() as i64
}
