//! What the cashier types: an amount in the program's currency ("12.50") becomes integer minor
//! units (1250) by reading the digits, never through a float (`12.35 * 100` is 1234.9999…);
//! points are whole numbers.

use tessera_core::validation::FieldCode;

/// The most a purchase may be, in minor units (the server's limit: `purchases::MAX_AMOUNT_MINOR`).
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;

/// The most points one payment may take (far above any balance; keeps the numbers exact in JS).
pub const MAX_POINTS: i64 = 1_000_000_000_000;

/// Why a typed amount or number of points was not taken. [`InputError::code`] names it like the
/// server's field errors, so both are shown by the same texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputError {
    /// Nothing typed.
    Required,
    /// Not a number (letters, two separators, grouping).
    Invalid,
    /// More decimals than the currency has (`12.505` in GEL).
    TooManyDecimals,
    /// Zero or negative.
    NotPositive,
    /// Over the limit.
    TooLarge,
}

impl InputError {
    /// The field error code, as the server would name it.
    pub fn code(self) -> FieldCode {
        match self {
            InputError::Required => FieldCode::Required,
            InputError::Invalid => FieldCode::Invalid,
            InputError::TooManyDecimals => FieldCode::TooManyDecimals,
            InputError::NotPositive => FieldCode::NotPositive,
            InputError::TooLarge => FieldCode::TooLarge,
        }
    }
}

/// Reads an amount typed in major units with up to `digits` decimals (the currency's minor
/// digits) as minor units: `"12.50"`, `"12,5"`, `"12"`, `".5"` with 2 digits are 1250, 1250,
/// 1200 and 50. A comma is taken as the decimal separator, as many tills' keyboards have it;
/// grouping separators are refused rather than guessed. Extra decimals that are zeros are fine
/// (`"12.500"`).
pub fn parse_amount(text: &str, digits: u32) -> Result<i64, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Required);
    }
    if text.starts_with('-') {
        return Err(InputError::NotPositive);
    }
    let (whole, fraction) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !is_digits(whole) || !is_digits(fraction) {
        return Err(InputError::Invalid);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > digits as usize {
        return Err(InputError::TooManyDecimals);
    }
    let scale = 10_i64.pow(digits);
    let whole = whole.trim_start_matches('0');
    // More than 15 digits is over any limit (and would overflow before the check).
    if whole.len() > 15 {
        return Err(InputError::TooLarge);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| InputError::Invalid)?
    };
    let fraction_minor = if fraction.is_empty() {
        0
    } else {
        let value: i64 = fraction.parse().map_err(|_| InputError::Invalid)?;
        value * 10_i64.pow(digits - fraction.len() as u32)
    };
    let minor = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction_minor))
        .ok_or(InputError::TooLarge)?;
    match minor {
        0 => Err(InputError::NotPositive),
        m if m > MAX_AMOUNT_MINOR => Err(InputError::TooLarge),
        m => Ok(m),
    }
}

/// Reads a whole, positive number of points.
pub fn parse_points(text: &str) -> Result<i64, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Required);
    }
    if text.starts_with('-') {
        return Err(InputError::NotPositive);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputError::Invalid);
    }
    let digits = text.trim_start_matches('0');
    if digits.len() > 13 {
        return Err(InputError::TooLarge);
    }
    match digits.parse::<i64>().unwrap_or(0) {
        0 => Err(InputError::NotPositive),
        p if p > MAX_POINTS => Err(InputError::TooLarge),
        p => Ok(p),
    }
}
