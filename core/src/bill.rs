//! The till's money rule: from the bill to what the member pays, and what counts as spent.
//!
//! The bill (gross) -> the member's discount: one rate, the highest of those the member has
//! ([`highest_rate`]: the tier's, the program's, a club's; never added together) -> a voucher,
//! applied to what is left -> the total to pay (never below zero) -> points may pay part of that
//! total -> the rest is paid in money. Each amount is rounded half up to the minor unit, in
//! integers. Points are earned, and every spend a program counts (tier spend, a cumulative
//! discount's spend, a club's "purchases worth"), on the money paid ([`Settled::money_paid`]).

use crate::money::{Currency, Money};
use std::fmt;

/// The largest rate in basis points: 100 %.
pub const FULL_RATE_BP: u32 = 10_000;

/// The highest of the member's rates in basis points (0 when there is none): rates compete,
/// they are never added.
pub fn highest_rate(rates: impl IntoIterator<Item = u32>) -> u32 {
    rates.into_iter().max().unwrap_or(0).min(FULL_RATE_BP)
}

/// `rate_bp` of `amount` (not negative) in minor units, rounded half up.
pub fn share(amount: i64, rate_bp: u32) -> i64 {
    let exact = i128::from(amount) * i128::from(rate_bp.min(FULL_RATE_BP));
    // `amount` and the rate are not negative, so adding half and dividing rounds half up; the
    // result is at most `amount`, so it fits.
    ((exact + i128::from(FULL_RATE_BP / 2)) / i128::from(FULL_RATE_BP)) as i64
}

/// What a voucher takes off the bill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoucherOff {
    /// An amount (an "amount off" reward, or an item's value in money, such as a free coffee).
    Amount(Money),
    /// A share of what is left after the member's discount, in basis points.
    Rate(u32),
}

/// A bill at the till, before anything is taken off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bill {
    /// The bill, gross.
    pub gross: Money,
    /// The member's discount rate in basis points ([`highest_rate`] of theirs).
    pub discount_bp: u32,
    /// A voucher applied to this bill, if any.
    pub voucher: Option<VoucherOff>,
    /// What the points the member spends on this bill are worth (0 for none).
    pub points_value: Money,
}

/// A bill settled: each step of the rule, in minor units of the bill's currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    /// The bill's currency.
    pub currency: Currency,
    /// The bill, gross.
    pub gross: i64,
    /// Taken off by the member's discount.
    pub discount: i64,
    /// Taken off by the voucher (at most what the discount left).
    pub voucher: i64,
    /// The part of an amount voucher that was more than what was left: lost with the voucher
    /// (the console says so before the cashier confirms).
    pub voucher_lost: i64,
    /// What the member owes: gross less discount less voucher, never below zero.
    pub total: i64,
    /// The part of the total the points pay.
    pub points_paid: i64,
    /// The rest, paid in money: what earns points and counts as spent.
    pub money_paid: i64,
}

/// Why a bill cannot be settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BillError {
    /// The bill is zero or negative.
    NotPositive,
    /// A voucher's amount or the points' value is negative.
    NegativeDeduction,
    /// An amount is in another currency than the bill.
    CurrencyMismatch(Currency, Currency),
    /// The points are worth more than the total to pay (the amount the points may pay).
    PointsOverTotal {
        /// The total to pay, in minor units.
        total: i64,
    },
}

impl fmt::Display for BillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPositive => f.write_str("the bill must be more than zero"),
            Self::NegativeDeduction => f.write_str("a deduction cannot be negative"),
            Self::CurrencyMismatch(a, b) => write!(f, "cannot combine {a} with {b}"),
            Self::PointsOverTotal { total } => {
                write!(
                    f,
                    "the points are worth more than the {total} minor units to pay"
                )
            }
        }
    }
}

impl std::error::Error for BillError {}

impl Bill {
    /// A bill of `gross` with nothing taken off yet.
    pub fn new(gross: Money) -> Self {
        Bill {
            gross,
            discount_bp: 0,
            voucher: None,
            points_value: Money::new(0, gross.currency),
        }
    }

    /// Applies the rule: discount, then voucher, then points, then money.
    pub fn settle(&self) -> Result<Settled, BillError> {
        let currency = self.gross.currency;
        let same = |money: Money| {
            if money.currency != currency {
                return Err(BillError::CurrencyMismatch(currency, money.currency));
            }
            if money.minor < 0 {
                return Err(BillError::NegativeDeduction);
            }
            Ok(money.minor)
        };
        let gross = self.gross.minor;
        if gross <= 0 {
            return Err(BillError::NotPositive);
        }
        let discount = share(gross, self.discount_bp);
        let left = gross - discount;
        let (voucher, voucher_lost) = match self.voucher {
            None => (0, 0),
            Some(VoucherOff::Rate(rate_bp)) => (share(left, rate_bp), 0),
            Some(VoucherOff::Amount(amount)) => {
                let amount = same(amount)?;
                (amount.min(left), (amount - left).max(0))
            }
        };
        let total = left - voucher;
        let points_paid = same(self.points_value)?;
        if points_paid > total {
            return Err(BillError::PointsOverTotal { total });
        }
        Ok(Settled {
            currency,
            gross,
            discount,
            voucher,
            voucher_lost,
            total,
            points_paid,
            money_paid: total - points_paid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gel(minor: i64) -> Money {
        Money::new(minor, Currency::new("GEL").unwrap())
    }

    fn settle(gross: i64, discount_bp: u32, voucher: Option<VoucherOff>) -> Settled {
        Bill {
            discount_bp,
            voucher,
            ..Bill::new(gel(gross))
        }
        .settle()
        .unwrap()
    }

    #[test]
    fn silver_five_percent_takes_one_lari_off_twenty_and_points_earn_on_nineteen() {
        let settled = settle(2000, 500, None);
        assert_eq!((settled.discount, settled.total), (100, 1900));
        assert_eq!(settled.money_paid, 1900);
    }

    #[test]
    fn an_amount_voucher_comes_off_what_the_discount_left() {
        let settled = settle(2000, 500, Some(VoucherOff::Amount(gel(300))));
        assert_eq!(
            (settled.discount, settled.voucher, settled.total),
            (100, 300, 1600)
        );
        assert_eq!(settled.voucher_lost, 0);
    }

    #[test]
    fn a_percentage_voucher_is_a_share_of_what_the_discount_left() {
        let settled = settle(2000, 500, Some(VoucherOff::Rate(1000)));
        assert_eq!(
            (settled.discount, settled.voucher, settled.total),
            (100, 190, 1710)
        );
    }

    #[test]
    fn a_voucher_worth_more_than_the_bill_leaves_nothing_to_pay_and_the_rest_is_lost() {
        let settled = settle(250, 0, Some(VoucherOff::Amount(gel(300))));
        assert_eq!((settled.voucher, settled.total), (250, 0));
        assert_eq!(settled.voucher_lost, 50);
        assert_eq!(settled.money_paid, 0);
    }

    #[test]
    fn half_a_minor_unit_rounds_up() {
        // 5 % of 0.99 is 0.0495: 0.05 off.
        let settled = settle(99, 500, None);
        assert_eq!((settled.discount, settled.total), (5, 94));
    }

    #[test]
    fn rates_compete_and_are_never_added() {
        assert_eq!(highest_rate([500, 300, 1000]), 1000);
        assert_eq!(highest_rate([]), 0);
        assert_eq!(highest_rate([25_000]), FULL_RATE_BP);
    }

    #[test]
    fn points_pay_part_of_the_total_and_money_the_rest() {
        let settled = Bill {
            discount_bp: 500,
            points_value: gel(400),
            ..Bill::new(gel(2000))
        }
        .settle()
        .unwrap();
        assert_eq!(
            (settled.total, settled.points_paid, settled.money_paid),
            (1900, 400, 1500)
        );
    }

    #[test]
    fn points_worth_more_than_the_total_are_refused() {
        let bill = Bill {
            discount_bp: 500,
            points_value: gel(1901),
            ..Bill::new(gel(2000))
        };
        assert_eq!(
            bill.settle(),
            Err(BillError::PointsOverTotal { total: 1900 })
        );
    }

    #[test]
    fn amounts_in_another_currency_or_below_zero_are_refused() {
        let eur = Money::new(100, Currency::new("EUR").unwrap());
        let voucher = Bill {
            voucher: Some(VoucherOff::Amount(eur)),
            ..Bill::new(gel(2000))
        };
        assert!(matches!(
            voucher.settle(),
            Err(BillError::CurrencyMismatch(..))
        ));
        let negative = Bill {
            points_value: gel(-1),
            ..Bill::new(gel(2000))
        };
        assert_eq!(negative.settle(), Err(BillError::NegativeDeduction));
        assert_eq!(Bill::new(gel(0)).settle(), Err(BillError::NotPositive));
    }

    fn voucher() -> impl Strategy<Value = Option<VoucherOff>> {
        prop_oneof![
            Just(None),
            (0i64..10_000_000).prop_map(|minor| Some(VoucherOff::Amount(gel(minor)))),
            (0u32..=FULL_RATE_BP).prop_map(|bp| Some(VoucherOff::Rate(bp))),
        ]
    }

    proptest! {
        #[test]
        fn the_steps_add_up_to_the_bill_and_nothing_goes_below_zero(
            gross in 1i64..10_000_000_000, discount_bp in 0u32..=FULL_RATE_BP, voucher in voucher(),
            points_share in 0u32..=FULL_RATE_BP,
        ) {
            let settled = settle(gross, discount_bp, voucher);
            prop_assert_eq!(settled.discount + settled.voucher + settled.total, gross);
            prop_assert!(settled.discount >= 0 && settled.voucher >= 0 && settled.total >= 0);
            prop_assert!(settled.voucher_lost >= 0);
            if let Some(VoucherOff::Amount(amount)) = voucher {
                prop_assert_eq!(settled.voucher + settled.voucher_lost, amount.minor);
            }
            // Points paying any part of the total leave the rest to money, never below zero.
            let points = share(settled.total, points_share);
            let paid = Bill { discount_bp, voucher, points_value: gel(points), ..Bill::new(gel(gross)) }
                .settle()
                .unwrap();
            prop_assert_eq!(paid.points_paid + paid.money_paid, paid.total);
            prop_assert!(paid.money_paid >= 0);
        }

        #[test]
        fn the_discount_is_the_rate_rounded_half_up_and_grows_with_the_rate(
            gross in 1i64..10_000_000_000, rate in 0u32..FULL_RATE_BP,
        ) {
            let discount = settle(gross, rate, None).discount;
            // Within half a minor unit of the exact share, ties going up.
            let exact = i128::from(gross) * i128::from(rate);
            let twice_error = 2 * (i128::from(discount) * 10_000 - exact);
            prop_assert!(twice_error > -10_000 && twice_error <= 10_000);
            prop_assert!(settle(gross, rate + 1, None).discount >= discount);
        }
    }
}
