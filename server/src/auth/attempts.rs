//! Attempt limits: every attempt at something guessable or costly (a password, a typed checkout
//! code, a sign-up) takes a slot in each counter it is charged to, atomically in the database,
//! *before* the check runs. So a burst of N parallel attempts checks at most the limit, and the
//! limit holds across every server sharing the database.
//!
//! Counters are keyed so that strangers cannot lock anyone out: a sign-in is charged to the
//! (account, address) pair, which refuses; to the account, which past its free attempts only
//! slows (a growing delay, never a lock-out); and to the address, which refuses. Customers and
//! staff have counters of their own, so failures of one never count against the other.

use crate::client_address::ClientNet;
use crate::error::ApiError;
use crate::store::attempts::{self as counters, CounterRow};
use crate::store::{now_ms, Store, StoreError, Tx, Write};

/// What a counter does once its attempts in the window are used up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFull {
    /// Refuse until the window ends.
    Refuse,
    /// Let each further attempt through only after a delay, doubling from `first_delay_ms` up to
    /// `max_delay_ms`.
    Slow {
        first_delay_ms: i64,
        max_delay_ms: i64,
    },
}

/// How many attempts a counter allows within a window, what happens past them, and what a
/// successful attempt does to its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub attempts: i64,
    pub window_ms: i64,
    pub when_full: WhenFull,
    on_success: OnSuccess,
}

impl Limit {
    /// `attempts` in `window_ms`, then refused until the window ends.
    const fn refusing(attempts: i64, window_ms: i64, on_success: OnSuccess) -> Self {
        Self {
            attempts,
            window_ms,
            when_full: WhenFull::Refuse,
            on_success,
        }
    }
}

const MINUTE_MS: i64 = 60_000;

/// Sign-in attempts per (account, address) pair: the network a guesser is on is cut off.
pub const SIGN_IN_PER_PAIR: Limit = Limit::refusing(5, 15 * MINUTE_MS, OnSuccess::Clear);
/// Sign-in attempts per account from all addresses before each attempt waits: 1 s, doubling to
/// 60 s, so guessing from many networks is slowed and the owner still gets in.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    attempts: 10,
    window_ms: 60 * MINUTE_MS,
    when_full: WhenFull::Slow {
        first_delay_ms: 1_000,
        max_delay_ms: 60_000,
    },
    on_success: OnSuccess::Clear,
};
/// Sign-in attempts per address (an IPv6 /64) over all accounts of one realm; a success gives
/// its slot back, so only failures count.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit::refusing(30, 15 * MINUTE_MS, OnSuccess::GiveBack);
/// New accounts per address (an IPv6 /64): every one counts.
pub const SIGN_UP_PER_ADDRESS: Limit = Limit::refusing(20, 60 * MINUTE_MS, OnSuccess::Keep);
/// Password reset e-mails asked for one address: a few, so a stranger cannot fill a mailbox.
pub const RESETS_PER_EMAIL: Limit = Limit::refusing(3, 60 * MINUTE_MS, OnSuccess::Keep);
/// Password reset e-mails asked for from one network, over all addresses.
pub const RESETS_PER_ADDRESS: Limit = Limit::refusing(10, 60 * MINUTE_MS, OnSuccess::Keep);
/// Wrong typed checkout codes per card (six digits can be guessed; a QR code cannot).
pub const TYPED_CODES_PER_CARD: Limit = Limit::refusing(5, 15 * MINUTE_MS, OnSuccess::GiveBack);
/// Wrong typed checkout codes per till session, over all cards.
pub const TYPED_CODES_PER_TILL: Limit = Limit::refusing(30, 15 * MINUTE_MS, OnSuccess::GiveBack);

/// Whose sign-in it is: customers' and staff's counters are apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    Customer,
    Staff,
}

impl Realm {
    fn prefix(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff => "staff",
        }
    }
}

/// What becomes of an attempt's slot in a counter when the attempt succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnSuccess {
    /// The counter starts over (the account's own counters: its owner got in).
    Clear,
    /// The slot is given back: only failures stay counted.
    GiveBack,
    /// The slot stays: every attempt counts (sign-ups).
    Keep,
}

/// One counter an attempt is charged to.
#[derive(Clone, Debug)]
struct Counter {
    key: String,
    limit: Limit,
}

impl Counter {
    fn new(key: String, limit: Limit) -> Self {
        Self { key, limit }
    }
}

/// The counters one attempt is charged to.
#[derive(Clone, Debug)]
pub struct Attempt {
    counters: Vec<Counter>,
}

impl Attempt {
    /// A sign-in with `account` (a normalized e-mail) from `address`.
    pub fn sign_in(realm: Realm, account: &str, address: &ClientNet) -> Attempt {
        let realm = realm.prefix();
        Attempt::new(vec![
            Counter::new(
                format!("{realm}:pair:{account}|{address}"),
                SIGN_IN_PER_PAIR,
            ),
            Counter::new(format!("{realm}:account:{account}"), SIGN_IN_PER_ACCOUNT),
            Counter::new(format!("{realm}:address:{address}"), SIGN_IN_PER_ADDRESS),
        ])
    }

    /// A new account from `address`.
    pub fn sign_up(address: &ClientNet) -> Attempt {
        Attempt::new(vec![Counter::new(
            format!("signup:address:{address}"),
            SIGN_UP_PER_ADDRESS,
        )])
    }

    /// A password reset e-mail asked for `email` (normalized) from `address`.
    pub fn password_reset(email: &str, address: &ClientNet) -> Attempt {
        Attempt::new(vec![
            Counter::new(format!("reset:email:{email}"), RESETS_PER_EMAIL),
            Counter::new(format!("reset:address:{address}"), RESETS_PER_ADDRESS),
        ])
    }

    /// A typed checkout code for `card_id` at the till session `till_session_id`.
    pub fn typed_code(card_id: &str, till_session_id: &str) -> Attempt {
        Attempt::new(vec![
            Counter::new(format!("typed:card:{card_id}"), TYPED_CODES_PER_CARD),
            Counter::new(
                format!("typed:till:{till_session_id}"),
                TYPED_CODES_PER_TILL,
            ),
        ])
    }
}

/// An attempt refused because a counter is full, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: u64,
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        ApiError::rate_limited(r.retry_after_secs)
    }
}

/// Why an attempt could not take its slots.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error("refused by an attempt limit")]
    Refused(Refused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TakeError> for ApiError {
    fn from(e: TakeError) -> Self {
        match e {
            TakeError::Refused(r) => r.into(),
            TakeError::Store(e) => e.into(),
        }
    }
}

/// The slots an attempt took; [`Slots::succeeded`] settles them when the attempt succeeds (a
/// failure leaves them counted).
#[derive(Debug)]
#[must_use = "a successful attempt settles its slots"]
pub struct Slots {
    attempt: Attempt,
}

impl Attempt {
    fn new(mut counters: Vec<Counter>) -> Self {
        // One order for every attempt, so two transactions never wait on each other's rows.
        counters.sort_by(|a, b| a.key.cmp(&b.key));
        Self { counters }
    }

    /// Takes a slot in every counter, or in none when one of them is full.
    ///
    /// A read first refuses what is plainly full without writing anything (so attempts from a
    /// full address cost no write, nor a new row for each e-mail they make up). Then, in one
    /// write ([`TakeSlots`]), each counter's row is locked, so concurrent attempts on one
    /// counter are serialised on both engines, checked again, and counted in all.
    pub async fn take(self, store: &Store) -> Result<Slots, TakeError> {
        let now = now_ms();
        if let Some(refused) = self.refused_by_stored(store, now).await? {
            return Err(TakeError::Refused(refused));
        }
        let take = TakeSlots { attempt: self, now };
        let taken = store.write(take).await?;
        taken.map_err(TakeError::Refused)
    }

    /// The refusal the stored counters already call for, read without a lock.
    async fn refused_by_stored(
        &self,
        store: &Store,
        now: i64,
    ) -> Result<Option<Refused>, StoreError> {
        let keys: Vec<&str> = self.counters.iter().map(|c| c.key.as_str()).collect();
        for row in counters::read(store, &keys).await? {
            let Some(c) = self.counters.iter().find(|c| c.key == row.key) else {
                continue;
            };
            if row.window_ends_at > now {
                if let Some(wait_ms) = wait_ms(&row, c.limit, now) {
                    return Ok(Some(Refused::after(wait_ms)));
                }
            }
        }
        Ok(None)
    }
}

/// Taking an attempt's slots: each counter's row locked in key order, checked, then all counted.
struct TakeSlots {
    attempt: Attempt,
    now: i64,
}

impl Write for TakeSlots {
    type Output = Result<Slots, Refused>;
    type Error = StoreError;

    async fn run(&self, tx: &mut Tx) -> Result<Result<Slots, Refused>, StoreError> {
        let (counters_of, now) = (&self.attempt.counters, self.now);
        let mut rows = Vec::with_capacity(counters_of.len());
        for (i, c) in counters_of.iter().enumerate() {
            let row = counters::lock(tx, &c.key, now + c.limit.window_ms, now).await?;
            if let Some(wait_ms) = wait_ms(&row, c.limit, now) {
                // Refused after all (a concurrent attempt took the last slot): the rows this
                // attempt created hold nothing.
                for touched in &counters_of[..i] {
                    counters::delete_if_empty(tx, &touched.key).await?;
                }
                return Ok(Err(Refused::after(wait_ms)));
            }
            rows.push(row);
        }
        for (c, row) in counters_of.iter().zip(&rows) {
            counters::count_one(tx, &c.key, next_at_after_one_more(row, c.limit, now)).await?;
        }
        Ok(Ok(Slots {
            attempt: self.attempt.clone(),
        }))
    }
}

impl Refused {
    fn after(wait_ms: i64) -> Self {
        Self {
            retry_after_secs: (wait_ms.max(1) as u64).div_ceil(1000),
        }
    }
}

impl Slots {
    /// The attempt succeeded: the account's counters start over and the others get their slot
    /// back, as each counter says.
    pub async fn succeeded(self, store: &Store) -> Result<(), StoreError> {
        store.write(SettleSlots(self.attempt)).await
    }
}

/// Settling a successful attempt's slots.
struct SettleSlots(Attempt);

impl Write for SettleSlots {
    type Output = ();
    type Error = StoreError;

    async fn run(&self, tx: &mut Tx) -> Result<(), StoreError> {
        for c in &self.0.counters {
            match c.limit.on_success {
                OnSuccess::Clear => counters::clear(tx, &c.key).await?,
                OnSuccess::GiveBack => counters::give_back(tx, &c.key).await?,
                OnSuccess::Keep => {}
            }
        }
        Ok(())
    }
}

/// How long an attempt on a counter in `row`'s state must wait, or `None` when it may go ahead.
fn wait_ms(row: &CounterRow, limit: Limit, now: i64) -> Option<i64> {
    if row.attempts < limit.attempts {
        return None;
    }
    match limit.when_full {
        WhenFull::Refuse => Some(row.window_ends_at - now),
        WhenFull::Slow { .. } => (now < row.next_at).then(|| row.next_at - now),
    }
}

/// The earliest time of the attempt after one more on a counter in `row`'s state.
fn next_at_after_one_more(row: &CounterRow, limit: Limit, now: i64) -> i64 {
    match limit.when_full {
        WhenFull::Slow {
            first_delay_ms,
            max_delay_ms,
        } if row.attempts + 1 >= limit.attempts => {
            let doublings = (row.attempts + 1 - limit.attempts).min(32) as u32;
            now + first_delay_ms
                .saturating_mul(1_i64 << doublings)
                .min(max_delay_ms)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(attempts: i64) -> CounterRow {
        CounterRow {
            key: "k".into(),
            attempts,
            window_ends_at: 10_000,
            next_at: 0,
        }
    }

    #[test]
    fn a_refusing_counter_refuses_until_its_window_ends() {
        let limit = SIGN_IN_PER_PAIR;
        assert_eq!(wait_ms(&state(4), limit, 1_000), None);
        assert_eq!(wait_ms(&state(5), limit, 1_000), Some(9_000));
        assert_eq!(next_at_after_one_more(&state(4), limit, 1_000), 0);
    }

    #[test]
    fn a_slowing_counter_doubles_its_delay_up_to_the_cap() {
        let limit = SIGN_IN_PER_ACCOUNT;
        let delays: Vec<i64> = (8..20)
            .map(|n| next_at_after_one_more(&state(n), limit, 0))
            .collect();
        assert_eq!(
            delays,
            [
                0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
                60_000
            ]
        );
        let waiting = CounterRow {
            next_at: 5_000,
            ..state(12)
        };
        assert_eq!(wait_ms(&waiting, limit, 4_000), Some(1_000));
        assert_eq!(
            wait_ms(&waiting, limit, 5_000),
            None,
            "slowed, never locked"
        );
    }
}
