//! Money as integer minor units with an ISO 4217 currency: never floats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code (three uppercase ASCII letters), e.g. `GEL`, `EUR`, `RSD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Why a currency code was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCurrency(pub String);

impl fmt::Display for InvalidCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an ISO 4217 currency code (three uppercase letters)",
            self.0
        )
    }
}

impl std::error::Error for InvalidCurrency {}

impl Currency {
    /// Parses a three-letter uppercase code.
    pub fn new(code: &str) -> Result<Self, InvalidCurrency> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(InvalidCurrency(code.to_owned()))
        }
    }

    /// The code as text.
    pub fn code(&self) -> &str {
        // Only ASCII uppercase letters are ever stored.
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }

    /// Digits after the decimal point (ISO 4217 minor unit). Defaults to 2, which covers
    /// every currency the programs use today; the zero- and three-digit ones are listed.
    pub fn minor_digits(&self) -> u32 {
        match self.code() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidCurrency;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: integer minor units (cents, tetri) of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units; negative for refunds and corrections.
    pub minor: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

/// Why two amounts could not be combined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// The amounts are in different currencies.
    CurrencyMismatch(Currency, Currency),
    /// The result does not fit in 64 bits.
    Overflow,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CurrencyMismatch(a, b) => write!(f, "cannot combine {a} with {b}"),
            Self::Overflow => f.write_str("amount out of range"),
        }
    }
}

impl std::error::Error for MoneyError {}

impl Money {
    /// An amount in minor units.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Adds two amounts of the same currency, refusing overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// Subtracts an amount of the same currency, refusing overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let negated = other.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        self.checked_add(Money::new(negated, other.currency))
    }

    /// The amount as a plain decimal string without grouping (`12.50`, `-0.05`, `300`):
    /// a locale-neutral form; the wallet formats for display per locale.
    pub fn to_decimal_string(&self) -> String {
        let digits = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(digits);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = digits as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gel() -> Currency {
        Currency::new("GEL").unwrap()
    }

    #[test]
    fn currency_codes_are_three_uppercase_letters() {
        assert!(Currency::new("EUR").is_ok());
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert_eq!(Currency::new(bad), Err(InvalidCurrency(bad.into())));
        }
    }

    #[test]
    fn currency_round_trips_through_json_and_refuses_bad_codes() {
        let json = serde_json::to_string(&Money::new(1250, gel())).unwrap();
        assert_eq!(json, r#"{"minor":1250,"currency":"GEL"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Money::new(1250, gel()));
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"gel"}"#).is_err());
    }

    #[test]
    fn decimal_string_uses_the_currency_minor_unit() {
        assert_eq!(Money::new(1250, gel()).to_decimal_string(), "12.50");
        assert_eq!(Money::new(-5, gel()).to_decimal_string(), "-0.05");
        assert_eq!(
            Money::new(300, Currency::new("JPY").unwrap()).to_decimal_string(),
            "300"
        );
        assert_eq!(
            Money::new(1500, Currency::new("KWD").unwrap()).to_decimal_string(),
            "1.500"
        );
        assert_eq!(
            Money::new(i64::MIN, gel()).to_decimal_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn adding_different_currencies_is_refused() {
        let eur = Currency::new("EUR").unwrap();
        assert_eq!(
            Money::new(1, gel()).checked_add(Money::new(1, eur)),
            Err(MoneyError::CurrencyMismatch(gel(), eur))
        );
        assert_eq!(
            Money::new(i64::MAX, gel()).checked_add(Money::new(1, gel())),
            Err(MoneyError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn add_then_sub_returns_the_original(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let x = Money::new(a, gel());
            let y = Money::new(b, gel());
            prop_assert_eq!(x.checked_add(y).unwrap().checked_sub(y).unwrap(), x);
        }

        #[test]
        fn decimal_string_parses_back_to_the_same_minor_units(a in any::<i64>()) {
            let text = Money::new(a, gel()).to_decimal_string();
            let digits: String = text.chars().filter(|c| *c != '.').collect();
            prop_assert_eq!(digits.parse::<i128>().unwrap(), a as i128);
        }
    }
}
