//! The till, one behaviour per test on both engines: staff sign-in with its own sessions,
//! identifying members by checkout code or phone number, purchases and paying with points
//! (idempotent under retries and double taps), and the card a till write returns.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sqlx::Row;
use std::fmt::Debug;
use tessera_core::api::{
    BillView, Card, CheckoutSecret, ErrorCode, PhoneMembers, Session, Staff, StaffRole, TillCard,
    TillMember, TillPurchase, TillPurchaseRequest, TillSession, Wallet,
};
use tessera_core::checkout::{self, CardSecret};

const PURCHASES: &str = "/api/v1/till/purchases";
/// The phone number `registration()` gives every member, as a cashier might type it.
const MEMBERS_PHONE: &str = "+995 555 12 34 56";
/// A phone number no member has.
const NOBODYS_PHONE: &str = "+995599000000";

// --- Staff and members -------------------------------------------------------------------------

pub(crate) async fn till_login(t: &TestApp, email: &str, password: &str) -> Reply {
    t.post(
        "/api/v1/till/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

/// The demo's cashier signed in at the till (a new till session each call).
pub(crate) async fn signed_in_cashier(t: &TestApp) -> TillSession {
    till_login(t, "till@example.com", "tessera-till")
        .await
        .decode(StatusCode::OK)
}

/// A new till session's token.
pub(crate) async fn cashier(t: &TestApp) -> String {
    signed_in_cashier(t).await.token
}

/// A signed-in customer whose phone holds a checkout secret for their card.
pub(crate) struct Member {
    pub(crate) token: String,
    pub(crate) card: String,
    pub(crate) number: String,
    secret: CardSecret,
}

impl Member {
    /// The code the phone shows to be scanned at time step `step`.
    pub(crate) fn code(&self, step: i64) -> String {
        checkout::scanned_code(&self.secret, "mziuri", &self.number, step)
    }

    /// The digits the phone shows to be typed at time step `step`.
    fn typed_code(&self, step: i64) -> String {
        checkout::typed_code(&self.secret, "mziuri", &self.number, step)
    }
}

/// Registers a customer (named Nino, phone [`MEMBERS_PHONE`]) and fetches a checkout secret.
pub(crate) async fn member(t: &TestApp, email: &str) -> Member {
    let token = t.register(email).await;
    let wallet: Wallet = t
        .get("/api/v1/wallet", Some(&token))
        .await
        .decode(StatusCode::OK);
    let card = wallet.cards[0].id.clone();
    let secret: CheckoutSecret = t
        .post(
            &format!("/api/v1/cards/{card}/checkout-secret"),
            Some(&token),
            Value::Null,
        )
        .await
        .decode(StatusCode::OK);
    let key: [u8; 32] = hex::decode(&secret.secret).unwrap().try_into().unwrap();
    Member {
        token,
        card,
        number: secret.card_number,
        secret: CardSecret(key),
    }
}

/// A cashier's till session and a new member.
async fn cashier_and_member(t: &TestApp, email: &str) -> (String, Member) {
    (cashier(t).await, member(t, email).await)
}

pub(crate) fn now_step() -> i64 {
    checkout::step_at(tessera_server::store::now_ms())
}

// --- Identifying -------------------------------------------------------------------------------

async fn identify(t: &TestApp, till: &str, body: Value) -> Reply {
    t.post("/api/v1/till/identify", Some(till), body).await
}

pub(crate) async fn identify_by_code(t: &TestApp, till: &str, code: &str) -> Reply {
    identify(t, till, json!({ "code": code })).await
}

async fn identify_by_phone(t: &TestApp, till: &str, phone: &str) -> Reply {
    identify(t, till, json!({ "phone": phone })).await
}

/// Identifies by a code the till accepts: the member and the ticket.
pub(crate) async fn identified_by_code(t: &TestApp, till: &str, code: &str) -> TillMember {
    identify_by_code(t, till, code).await.decode(StatusCode::OK)
}

async fn phone_lookup(t: &TestApp, till: &str, phone: &str) -> Reply {
    t.post(
        "/api/v1/till/phone-lookup",
        Some(till),
        json!({ "phone": phone }),
    )
    .await
}

/// A cashier's till session, with two members sharing the phone [`MEMBERS_PHONE`]: Nino and
/// Giorgi.
async fn cashier_and_two_members_sharing_a_phone(t: &TestApp) -> String {
    let till = cashier(t).await;
    member(t, "caller@example.com").await;
    let mut spouse = registration("spouse@example.com");
    spouse["display_name"] = json!("Giorgi");
    let _: Session = t.join(spouse).await.decode(StatusCode::CREATED);
    till
}

/// The card of the member named `name` among those sharing [`MEMBERS_PHONE`], as the cashier
/// chooses it from the phone lookup.
async fn chosen_card(t: &TestApp, till: &str, name: &str) -> String {
    let found: PhoneMembers = phone_lookup(t, till, MEMBERS_PHONE)
        .await
        .decode(StatusCode::OK);
    let chosen = found.members.into_iter().find(|m| m.name == name);
    chosen.unwrap().card_id
}

/// A well-formed card number that no card has (the member's is `taken`).
fn unknown_card_number(taken: &str) -> String {
    (0..1000)
        .map(checkout::card_number)
        .find(|n| n != taken)
        .unwrap()
}

async fn close_card(t: &TestApp, card: &str) {
    sqlx::query("UPDATE cards SET closed_at = 1 WHERE id = $1")
        .bind(card)
        .execute(t.state.store.pool_for_checks())
        .await
        .unwrap();
}

// --- Till writes -------------------------------------------------------------------------------

/// A till write, with its `Idempotency-Key` when there is one.
pub(crate) async fn till_write(
    t: &TestApp,
    path: &str,
    till: &str,
    key: Option<&str>,
    body: Value,
) -> Reply {
    t.post_keyed(path, Some(till), key, body).await
}

/// Three first attempts of one till write at once, as a double (triple) tap sends them: all
/// succeed with the same response, which it returns.
pub(crate) async fn double_tap<T>(t: &TestApp, path: &str, till: &str, key: &str, body: Value) -> T
where
    T: DeserializeOwned + PartialEq + Debug,
{
    let (a, b, c) = tokio::join!(
        till_write(t, path, till, Some(key), body.clone()),
        till_write(t, path, till, Some(key), body.clone()),
        till_write(t, path, till, Some(key), body.clone()),
    );
    let [a, b, c]: [T; 3] = [a, b, c].map(|r| r.decode(StatusCode::CREATED));
    assert_eq!((&a, &b), (&c, &c), "{path}: every tap gets the same answer");
    a
}

/// A cashier with a ticket for a member identified by a scanned code.
pub(crate) struct Checkout {
    pub(crate) till: String,
    pub(crate) ticket: String,
    pub(crate) card: String,
}

impl Checkout {
    fn sale(&self, amount_minor: i64) -> Value {
        self.sale_with_points(amount_minor, 0)
    }

    fn sale_with_points(&self, amount_minor: i64, points: i64) -> Value {
        json!(TillPurchaseRequest {
            ticket: self.ticket.clone(),
            amount_minor,
            points,
            voucher: None,
        })
    }
}

/// A new cashier's ticket for a new member identified by code.
pub(crate) async fn checkout(t: &TestApp, email: &str) -> Checkout {
    let (till, member) = cashier_and_member(t, email).await;
    let found = identified_by_code(t, &till, &member.code(now_step())).await;
    Checkout {
        till,
        ticket: found.ticket,
        card: member.card,
    }
}

/// A purchase of `amount_minor` at the checkout's till, under the idempotency key `key`.
pub(crate) async fn buy(t: &TestApp, at: &Checkout, key: &str, amount_minor: i64) -> Reply {
    till_write(t, PURCHASES, &at.till, Some(key), at.sale(amount_minor)).await
}

/// A purchase the till records.
pub(crate) async fn bought(
    t: &TestApp,
    at: &Checkout,
    key: &str,
    amount_minor: i64,
) -> TillPurchase {
    buy(t, at, key, amount_minor)
        .await
        .decode(StatusCode::CREATED)
}

/// A purchase of `bill_minor` of which `points` pay part, at the checkout's till, under the key
/// `key`.
async fn pay(t: &TestApp, at: &Checkout, key: &str, bill_minor: i64, points: i64) -> Reply {
    let body = at.sale_with_points(bill_minor, points);
    till_write(t, PURCHASES, &at.till, Some(key), body).await
}

/// A purchase partly paid with points that the till records.
async fn paid(t: &TestApp, at: &Checkout, key: &str, bill_minor: i64, points: i64) -> TillPurchase {
    pay(t, at, key, bill_minor, points)
        .await
        .decode(StatusCode::CREATED)
}

/// Gives `card` `points` to spend now, a goodwill gift (no purchase, no welcome bonus).
pub(crate) async fn gift(t: &TestApp, card: &str, points: i64) {
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let now = tessera_server::store::now_ms();
    let gift = tessera_server::store::ledger::Addition {
        kind: tessera_core::points::EntryKind::Adjusted,
        points,
        reason: "goodwill",
        reference: "gift",
        available_at: now,
        expires_at: None,
        place: None,
        spend_minor: None,
    };
    tessera_server::store::ledger::add(&mut tx, card, &gift, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A checkout whose card has `points` to spend, a goodwill gift (no purchase, no welcome bonus).
async fn checkout_with_points(t: &TestApp, email: &str, points: i64) -> Checkout {
    let at = checkout(t, email).await;
    gift(t, &at.card, points).await;
    at
}

pub(crate) async fn count(t: &TestApp, sql: &str, card: &str) -> i64 {
    sqlx::query(sql)
        .bind(card)
        .fetch_one(t.state.store.pool_for_checks())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

/// What the card's purchases left in the tables: (purchases, ledger entries at the till's
/// location, Vake Park: one a purchase, and the welcome bonus).
async fn recorded(t: &TestApp, card: &str) -> (i64, i64) {
    let purchases = "SELECT COUNT(*) FROM purchases WHERE card_id = $1";
    let entries = "SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1 AND place = 'Vake Park'";
    (
        count(t, purchases, card).await,
        count(t, entries, card).await,
    )
}

/// The card's balance as stored.
async fn stored_balance(t: &TestApp, card: &str) -> i64 {
    count(t, "SELECT balance FROM cards WHERE id = $1", card).await
}

/// The card as its member sees it.
pub(crate) async fn card_seen(t: &TestApp, token: &str, card: &str) -> Card {
    t.get(&format!("/api/v1/cards/{card}"), Some(token))
        .await
        .decode(StatusCode::OK)
}

// --- Staff sign-in -----------------------------------------------------------------------------

#[tokio::test]
async fn staff_sign_in_at_the_till_as_their_configured_account_in_any_letter_case() {
    each_engine(|t| async move {
        let session: TillSession = till_login(&t, "Till@Example.com", "tessera-till")
            .await
            .decode(StatusCode::OK);
        assert_eq!(session.staff.email, "till@example.com");
        assert_eq!(session.staff.role, StaffRole::Cashier);
        assert_eq!(session.staff.program_name, "Mziuri Coffee");
        assert_eq!(session.staff.location.as_deref(), Some("Vake Park"));
    })
    .await;
}

#[tokio::test]
async fn a_till_session_says_who_is_signed_in() {
    each_engine(|t| async move {
        let session = signed_in_cashier(&t).await;
        let me: Staff = t
            .get("/api/v1/till/me", Some(&session.token))
            .await
            .decode(StatusCode::OK);
        assert_eq!(me, session.staff);
    })
    .await;
}

#[tokio::test]
async fn a_wrong_till_password_is_refused_as_invalid_credentials() {
    each_engine(|t| async move {
        let r = till_login(&t, "till@example.com", "wrong password!").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_staff_email_is_refused_as_invalid_credentials() {
    each_engine(|t| async move {
        let r = till_login(&t, "nobody@example.com", "tessera-till").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
        );
    })
    .await;
}

#[tokio::test]
async fn a_customers_password_does_not_sign_in_at_the_till() {
    each_engine(|t| async move {
        t.register("shopper@example.com").await;
        let r = till_login(&t, "shopper@example.com", "correct horse battery").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
        );
    })
    .await;
}

#[tokio::test]
async fn a_customers_token_does_not_open_the_till() {
    each_engine(|t| async move {
        let customer = t.register("shopper@example.com").await;
        let r = t.get("/api/v1/till/me", Some(&customer)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
    })
    .await;
}

#[tokio::test]
async fn a_till_token_does_not_open_the_wallet() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let r = t.get("/api/v1/wallet", Some(&till)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
    })
    .await;
}

#[tokio::test]
async fn signing_out_at_the_till_ends_the_till_session() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let r = t
            .post("/api/v1/till/auth/logout", Some(&till), Value::Null)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        let r = t.get("/api/v1/till/me", Some(&till)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
    })
    .await;
}

// --- Identifying by checkout code --------------------------------------------------------------

#[tokio::test]
async fn a_scanned_code_identifies_its_member_and_their_card() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let found = identified_by_code(&t, &till, &member.code(now_step())).await;
        assert_eq!(found.name, "Nino");
        assert_eq!(found.card.id, member.card);
        assert_eq!(found.card.balance, 0);
        assert_eq!(found.card.tier.as_deref(), Some("Red"));
    })
    .await;
}

#[tokio::test]
async fn the_members_card_says_when_a_till_last_accepted_its_code() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let before = card_seen(&t, &member.token, &member.card).await;
        assert_eq!(before.last_code_at, None);
        let step = now_step();
        identified_by_code(&t, &till, &member.code(step)).await;
        // The wallet's code screen reads it to say "Scanned".
        let after = card_seen(&t, &member.token, &member.card).await;
        assert_eq!(after.last_code_at, Some(step * checkout::STEP_MS));
        // A phone lookup is no code: it moves nothing.
        identify_by_phone(&t, &till, MEMBERS_PHONE).await;
        let later = card_seen(&t, &member.token, &member.card).await;
        assert_eq!(later.last_code_at, after.last_code_at);
    })
    .await;
}

#[tokio::test]
async fn a_member_identified_by_code_can_spend_points_at_the_programs_point_value() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let found = identified_by_code(&t, &till, &member.code(now_step())).await;
        assert!(found.can_spend);
        // The program's point value, for the console to show what points pay.
        assert_eq!(found.point_value_minor, Some(5));
    })
    .await;
}

#[tokio::test]
async fn identifying_gives_the_till_a_ticket_too_long_to_guess() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let found = identified_by_code(&t, &till, &member.code(now_step())).await;
        assert!(found.ticket.len() >= 32, "{}", found.ticket);
    })
    .await;
}

#[tokio::test]
async fn a_code_is_refused_as_used_the_second_time() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let step = now_step();
        identified_by_code(&t, &till, &member.code(step)).await;
        let r = identify_by_code(&t, &till, &member.code(step)).await;
        assert_eq!(r.refusal(), (StatusCode::CONFLICT, ErrorCode::CodeUsed));
    })
    .await;
}

#[tokio::test]
async fn a_code_older_than_a_used_one_is_refused_as_used() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let step = now_step();
        identified_by_code(&t, &till, &member.code(step)).await;
        let r = identify_by_code(&t, &till, &member.code(step - 1)).await;
        assert_eq!(r.refusal(), (StatusCode::CONFLICT, ErrorCode::CodeUsed));
    })
    .await;
}

#[tokio::test]
async fn a_code_of_the_next_step_from_a_phone_clock_a_little_ahead_is_still_good() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let step = now_step();
        identified_by_code(&t, &till, &member.code(step)).await;
        let r = identify_by_code(&t, &till, &member.code(step + 1)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    })
    .await;
}

#[tokio::test]
async fn a_code_from_minutes_ago_is_refused_as_stale() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let screenshot = member.code(now_step() - 10);
        let r = identify_by_code(&t, &till, &screenshot).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::CodeStale)
        );
    })
    .await;
}

#[tokio::test]
async fn a_forged_code_is_refused_as_invalid() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let mut forged = member.code(now_step());
        forged.replace_range(forged.len() - 4.., "AAAA");
        let r = identify_by_code(&t, &till, &forged).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::CodeInvalid)
        );
    })
    .await;
}

#[tokio::test]
async fn text_that_is_not_a_code_is_refused_as_malformed() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let r = identify_by_code(&t, &till, "hello").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::CodeMalformed)
        );
    })
    .await;
}

#[tokio::test]
async fn a_code_for_a_card_number_no_card_has_is_refused_as_unknown() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let unknown = unknown_card_number(&member.number);
        let stranger = checkout::scanned_code(&member.secret, "mziuri", &unknown, now_step());
        let r = identify_by_code(&t, &till, &stranger).await;
        assert_eq!(r.refusal(), (StatusCode::NOT_FOUND, ErrorCode::CardUnknown));
    })
    .await;
}

#[tokio::test]
async fn identifying_with_neither_a_code_nor_a_phone_is_a_validation_error() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let r = identify(&t, &till, json!({})).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation)
        );
    })
    .await;
}

#[tokio::test]
async fn a_customer_cannot_identify_members() {
    each_engine(|t| async move {
        let member = member(&t, "payer@example.com").await;
        let customer = t.register("nosy@example.com").await;
        let r = identify_by_code(&t, &customer, &member.code(now_step())).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
    })
    .await;
}

#[tokio::test]
async fn every_code_of_a_closed_card_is_refused_as_closed() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "payer@example.com").await;
        let step = now_step();
        identified_by_code(&t, &till, &member.code(step)).await;
        close_card(&t, &member.card).await;
        // A new code, and one used while the card was open: closed says why, not used.
        for code in [member.code(step + 1), member.code(step)] {
            let r = identify_by_code(&t, &till, &code).await;
            assert_eq!(r.refusal(), (StatusCode::FORBIDDEN, ErrorCode::CardClosed));
        }
    })
    .await;
}

#[tokio::test]
async fn a_typed_code_identifies_its_member_for_spending() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "typist@example.com").await;
        let found = identified_by_code(&t, &till, &member.typed_code(now_step())).await;
        assert!(found.can_spend);
    })
    .await;
}

#[tokio::test]
async fn five_wrong_typed_codes_refuse_even_the_right_one_for_a_while() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "typist@example.com").await;
        for guess in 0..5 {
            let wrong = format!("{}{:06}", member.number, (guess * 7919) % 1_000_000);
            let r = identify_by_code(&t, &till, &wrong).await;
            assert_eq!(r.error_body().error, ErrorCode::CodeInvalid, "{}", r.text);
        }
        let r = identify_by_code(&t, &till, &member.typed_code(now_step() + 1)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
        );
        assert!(r.headers.contains_key("retry-after"));
    })
    .await;
}

#[tokio::test]
async fn signing_out_revokes_the_phones_checkout_codes() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "typist@example.com").await;
        let r = t
            .post("/api/v1/auth/logout", Some(&member.token), Value::Null)
            .await;
        assert!(r.status.is_success(), "{}", r.text);
        let r = identify_by_code(&t, &till, &member.code(now_step() + 1)).await;
        assert_eq!(r.error_body().error, ErrorCode::CodeInvalid, "{}", r.text);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_typed_code_guesses_checks_at_most_the_limit() {
    each_engine(|t| async move {
        let (till, member) = cashier_and_member(&t, "guessed@example.com").await;
        let guesses: Vec<String> = (0..40)
            .map(|g| format!("{}{:06}", member.number, (g * 7919 + 13) % 1_000_000))
            .collect();
        let replies =
            futures_util::future::join_all(guesses.iter().map(|g| identify_by_code(&t, &till, g)))
                .await;
        let errors: Vec<ErrorCode> = replies.iter().map(|r| r.error_body().error).collect();
        let checked = errors
            .iter()
            .filter(|&&e| e == ErrorCode::CodeInvalid)
            .count();
        let limit = tessera_server::auth::attempts::TYPED_CODES_PER_CARD.attempts as usize;
        assert!(
            checked <= limit,
            "{checked} of 40 parallel typed guesses were checked (limit {limit})"
        );
        assert!(
            errors
                .iter()
                .all(|e| [ErrorCode::CodeInvalid, ErrorCode::TooManyAttempts].contains(e)),
            "{errors:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tills_scanning_the_same_code_at_once_one_wins() {
    each_engine(|t| async move {
        let (a, b) = (cashier(&t).await, cashier(&t).await);
        let member = member(&t, "double@example.com").await;
        let code = member.code(now_step());
        let (ra, rb) = tokio::join!(
            identify_by_code(&t, &a, &code),
            identify_by_code(&t, &b, &code)
        );
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{} / {}",
            ra.text,
            rb.text
        );
    })
    .await;
}

// --- Identifying by phone number ---------------------------------------------------------------

#[tokio::test]
async fn a_phone_number_identifies_its_member_for_earning_only() {
    each_engine(|t| async move {
        let (till, _) = cashier_and_member(&t, "caller@example.com").await;
        let r = identify_by_phone(&t, &till, "+995 555 123 456").await;
        let found: TillMember = r.decode(StatusCode::OK);
        assert!(!found.can_spend);
    })
    .await;
}

#[tokio::test]
async fn a_phone_number_no_member_has_is_refused_as_not_found() {
    each_engine(|t| async move {
        let (till, _) = cashier_and_member(&t, "caller@example.com").await;
        let r = identify_by_phone(&t, &till, "+995 599 000 000").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::MemberNotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn a_phone_number_members_share_is_refused_as_ambiguous() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        // The number alone no longer says who: the till is asked to choose.
        let r = identify_by_phone(&t, &till, "+995555123456").await;
        assert_eq!(
            r.refusal(),
            (StatusCode::CONFLICT, ErrorCode::MemberAmbiguous),
            "{}",
            r.text
        );
    })
    .await;
}

#[tokio::test]
async fn a_phone_lookup_lists_every_member_with_the_number() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let found: PhoneMembers = phone_lookup(&t, &till, MEMBERS_PHONE)
            .await
            .decode(StatusCode::OK);
        let mut names: Vec<&str> = found.members.iter().map(|m| m.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["Giorgi", "Nino"]);
    })
    .await;
}

#[tokio::test]
async fn a_phone_lookup_shows_the_last_four_digits_of_each_card() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let found: PhoneMembers = phone_lookup(&t, &till, MEMBERS_PHONE)
            .await
            .decode(StatusCode::OK);
        for last4 in found.members.iter().map(|m| &m.card_last4) {
            assert!(
                last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()),
                "{last4}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_phone_and_the_chosen_card_identify_that_member() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let chosen = chosen_card(&t, &till, "Giorgi").await;
        let body = json!({ "phone": "+995555123456", "card_id": chosen });
        let found: TillMember = identify(&t, &till, body).await.decode(StatusCode::OK);
        assert_eq!(
            (found.name.as_str(), found.card.id.as_str()),
            ("Giorgi", chosen.as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn a_member_chosen_by_phone_can_only_earn() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let chosen = chosen_card(&t, &till, "Giorgi").await;
        let body = json!({ "phone": "+995555123456", "card_id": chosen });
        let found: TillMember = identify(&t, &till, body).await.decode(StatusCode::OK);
        assert!(!found.can_spend);
    })
    .await;
}

#[tokio::test]
async fn a_card_is_only_chosen_with_its_members_phone_number() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let chosen = chosen_card(&t, &till, "Giorgi").await;
        let body = json!({ "phone": NOBODYS_PHONE, "card_id": chosen });
        let r = identify(&t, &till, body).await;
        assert_eq!(
            r.error_body().error,
            ErrorCode::MemberNotFound,
            "{}",
            r.text
        );
    })
    .await;
}

#[tokio::test]
async fn a_phone_lookup_of_a_number_no_member_has_is_refused_as_not_found() {
    each_engine(|t| async move {
        let till = cashier_and_two_members_sharing_a_phone(&t).await;
        let r = phone_lookup(&t, &till, NOBODYS_PHONE).await;
        assert_eq!(
            r.error_body().error,
            ErrorCode::MemberNotFound,
            "{}",
            r.text
        );
    })
    .await;
}

// --- Purchases ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_till_purchase_earns_its_points_and_the_welcome_bonus() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        let purchase = bought(&t, &at, "sale-1", 1_250).await;
        assert_eq!((purchase.points, purchase.welcome_points), (12, 50));
    })
    .await;
}

/// The discount the wallet shows is the one the till applies: before, the till recorded the
/// whole bill and the member's discount was never taken off.
#[tokio::test]
async fn a_till_purchase_takes_the_members_discount_off_and_earns_on_the_money_paid() {
    each_engine(|t| async move {
        let at = checkout(&t, "discounted@example.com").await;
        let purchase = bought(&t, &at, "sale-1", 2_000).await;
        assert_eq!(purchase.bill.discount_bp, 300, "Red's 3 %");
        assert_eq!(purchase.card.discount_bp, 300, "as the card shows it");
        assert_eq!(
            (purchase.bill.discount_minor, purchase.bill.total_minor),
            (60, 1_940)
        );
        assert_eq!(purchase.bill.money_paid_minor, 1_940);
        assert_eq!(purchase.points, 19, "on 19.40, not on 20.00");
        let spend = count(&t, "SELECT total_spend FROM cards WHERE id = $1", &at.card).await;
        assert_eq!(spend, 1_940, "the level counts the money paid");
    })
    .await;
}

#[tokio::test]
async fn a_till_purchase_records_the_partner_and_store_of_the_till() {
    each_engine(|t| async move {
        let at = checkout(&t, "partnered@example.com").await;
        bought(&t, &at, "sale-1", 2_000).await;
        let (partner, place): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT partner, place FROM purchases WHERE card_id = $1")
                .bind(&at.card)
                .fetch_one(t.state.store.pool_for_checks())
                .await
                .unwrap();
        assert_eq!(partner.as_deref(), Some("mziuri-coffee"));
        assert_eq!(place.as_deref(), Some("Vake Park"));
    })
    .await;
}

#[tokio::test]
async fn a_till_purchases_points_are_pending_at_first() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        let purchase = bought(&t, &at, "sale-1", 1_250).await;
        assert_eq!(purchase.card.pending, 62, "pending for three days");
    })
    .await;
}

#[tokio::test]
async fn a_till_purchase_and_its_welcome_bonus_are_booked_at_the_tills_location() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        bought(&t, &at, "sale-1", 1_250).await;
        assert_eq!(
            recorded(&t, &at.card).await,
            (1, 2),
            "one purchase; its points and the welcome bonus at Vake Park"
        );
    })
    .await;
}

/// A purchase, then two retries of it racing each other: the card, and the three answers.
async fn a_purchase_and_two_racing_retries(t: &TestApp) -> (String, [TillPurchase; 3]) {
    let at = checkout(t, "buyer@example.com").await;
    let first = bought(t, &at, "sale-1", 1_250).await;
    let (a, b) = tokio::join!(
        bought(t, &at, "sale-1", 1_250),
        bought(t, &at, "sale-1", 1_250)
    );
    (at.card, [first, a, b])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retried_purchase_with_the_same_key_returns_the_first_answer() {
    each_engine(|t| async move {
        let (_, [first, a, b]) = a_purchase_and_two_racing_retries(&t).await;
        assert_eq!((&a, &b), (&first, &first));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retried_purchase_is_recorded_once() {
    each_engine(|t| async move {
        let (card, _) = a_purchase_and_two_racing_retries(&t).await;
        assert_eq!(recorded(&t, &card).await, (1, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_new_sales_on_one_card_at_once_both_count() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        bought(&t, &at, "sale-1", 1_250).await;
        let (c, d) = tokio::join!(buy(&t, &at, "sale-2", 500), buy(&t, &at, "sale-3", 700));
        assert_eq!(
            (c.status, d.status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{} {}",
            c.text,
            d.text
        );
        assert_eq!(recorded(&t, &at.card).await, (3, 4));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_tapped_sale_is_recorded_once_and_every_tap_gets_its_answer() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        bought(&t, &at, "sale-1", 1_250).await;
        for sale in 4..8 {
            let key = format!("double-tap-{sale}");
            let _: TillPurchase =
                double_tap(&t, PURCHASES, &at.till, &key, at.sale(100 * sale)).await;
        }
        assert_eq!(recorded(&t, &at.card).await, (5, 6));
    })
    .await;
}

#[tokio::test]
async fn a_purchase_key_reused_with_another_body_is_refused() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        bought(&t, &at, "sale-1", 1_250).await;
        let r = buy(&t, &at, "sale-1", 999).await;
        assert_eq!(
            r.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused
            )
        );
        assert_eq!(
            recorded(&t, &at.card).await,
            (1, 2),
            "nothing else recorded"
        );
    })
    .await;
}

#[tokio::test]
async fn a_purchase_without_an_idempotency_key_is_refused() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        let r = till_write(&t, PURCHASES, &at.till, None, at.sale(999)).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::BAD_REQUEST, ErrorCode::IdempotencyKeyRequired)
        );
        assert_eq!(recorded(&t, &at.card).await, (0, 0), "nothing recorded");
    })
    .await;
}

#[tokio::test]
async fn a_purchase_of_nothing_less_or_too_much_is_a_validation_error() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        for amount in [0, -5, 1_000_000_000_000_i64] {
            let r = buy(&t, &at, "sale-x", amount).await;
            assert_eq!(
                r.error_body().error,
                ErrorCode::Validation,
                "{amount}: {}",
                r.text
            );
        }
        assert_eq!(recorded(&t, &at.card).await, (0, 0), "nothing recorded");
    })
    .await;
}

#[tokio::test]
async fn a_purchase_amount_that_is_not_an_integer_is_refused() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        let body = json!({ "ticket": at.ticket, "amount_minor": "12.50" });
        let r = till_write(&t, PURCHASES, &at.till, Some("sale-y"), body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong type: {}",
            r.text
        );
        assert_eq!(recorded(&t, &at.card).await, (0, 0), "nothing recorded");
    })
    .await;
}

#[tokio::test]
async fn a_ticket_of_another_till_session_is_refused() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        let other_till = cashier(&t).await;
        let r = till_write(&t, PURCHASES, &other_till, Some("sale-4"), at.sale(100)).await;
        assert_eq!(
            r.error_body().error,
            ErrorCode::TicketInvalid,
            "a ticket belongs to its till session: {}",
            r.text
        );
        assert_eq!(recorded(&t, &at.card).await, (0, 0), "nothing recorded");
    })
    .await;
}

#[tokio::test]
async fn an_expired_ticket_is_refused() {
    each_engine(|t| async move {
        let at = checkout(&t, "buyer@example.com").await;
        sqlx::query("UPDATE till_tickets SET expires_at = 1")
            .execute(t.state.store.pool_for_checks())
            .await
            .unwrap();
        let r = buy(&t, &at, "sale-5", 100).await;
        assert_eq!(
            r.error_body().error,
            ErrorCode::TicketInvalid,
            "an expired ticket: {}",
            r.text
        );
        assert_eq!(recorded(&t, &at.card).await, (0, 0), "nothing recorded");
    })
    .await;
}

#[tokio::test]
async fn a_nul_in_a_ticket_is_a_validation_error() {
    each_engine(|t| async move {
        let at = checkout(&t, "nul@example.com").await;
        let r = till_write(
            &t,
            PURCHASES,
            &at.till,
            Some("nul-ticket"),
            json!({ "ticket": "abc\u{0}", "amount_minor": 100 }),
        )
        .await;
        assert_eq!(
            r.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation),
            "{}",
            r.text
        );
        let fields = r.error_body().fields;
        assert_eq!(fields.first().map(|f| f.field.as_str()), Some("ticket"));
    })
    .await;
}

// --- Paying with points ------------------------------------------------------------------------

#[tokio::test]
async fn points_pay_their_value_off_what_the_discount_left_and_money_the_rest() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 500).await;
        let payment = paid(&t, &at, "pay-1", 1_000, 100).await;
        // Red's 3 % off 10.00, then 100 points at 5 tetri each, then money.
        assert_eq!(
            payment.bill,
            BillView {
                gross_minor: 1_000,
                discount_bp: 300,
                discount_minor: 30,
                voucher_minor: 0,
                voucher_lost_minor: 0,
                total_minor: 970,
                points_spent: 100,
                points_paid_minor: 500,
                money_paid_minor: 470,
            }
        );
        // Points are earned on the money paid only.
        assert_eq!(payment.points, 4);
    })
    .await;
}

#[tokio::test]
async fn paying_with_points_takes_them_from_the_card() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 500).await;
        let payment = paid(&t, &at, "pay-1", 1_000, 100).await;
        assert_eq!(payment.card.balance, 400);
    })
    .await;
}

#[tokio::test]
async fn a_retried_payment_with_the_same_key_returns_the_first_answer() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 500).await;
        let first = paid(&t, &at, "pay-1", 1_000, 100).await;
        let again = paid(&t, &at, "pay-1", 1_000, 100).await;
        assert_eq!(again, first);
    })
    .await;
}

#[tokio::test]
async fn a_retried_payment_takes_the_points_once() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 500).await;
        paid(&t, &at, "pay-1", 1_000, 100).await;
        paid(&t, &at, "pay-1", 1_000, 100).await;
        assert_eq!(stored_balance(&t, &at.card).await, 400);
    })
    .await;
}

#[tokio::test]
async fn a_double_tapped_payment_takes_the_points_once() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 400).await;
        // The first attempts racing each other take the points once.
        let body = at.sale_with_points(1_000, 50);
        let payment: TillPurchase = double_tap(&t, PURCHASES, &at.till, "pay-5", body).await;
        assert_eq!(payment.card.balance, 350);
        assert_eq!(stored_balance(&t, &at.card).await, 350);
    })
    .await;
}

#[tokio::test]
async fn paying_more_points_than_the_card_has_is_refused_saying_what_it_has() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 350).await;
        let r = pay(&t, &at, "pay-2", 100_000, 351).await;
        assert_eq!(
            r.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InsufficientPoints
            )
        );
        let message = r.error_body().message;
        assert!(message.contains("350 points"), "{message}");
        assert_eq!(stored_balance(&t, &at.card).await, 350);
    })
    .await;
}

#[tokio::test]
async fn points_worth_more_than_the_bill_are_a_validation_error() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 350).await;
        let r = pay(&t, &at, "pay-3", 100, 21).await;
        assert_eq!(
            r.error_body().error,
            ErrorCode::Validation,
            "worth more than the bill: {}",
            r.text
        );
        assert_eq!(stored_balance(&t, &at.card).await, 350);
    })
    .await;
}

#[tokio::test]
async fn a_ticket_from_a_phone_number_cannot_pay_with_points() {
    each_engine(|t| async move {
        let at = checkout_with_points(&t, "payer2@example.com", 350).await;
        let by_phone: TillMember = identify_by_phone(&t, &at.till, "+995555123456")
            .await
            .decode(StatusCode::OK);
        let phone_checkout = Checkout {
            ticket: by_phone.ticket,
            ..at
        };
        let r = pay(&t, &phone_checkout, "pay-4", 1_000, 10).await;
        assert_eq!(
            r.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::TicketCannotSpend)
        );
        assert_eq!(stored_balance(&t, &phone_checkout.card).await, 350);
    })
    .await;
}

// --- Vouchers at the till ----------------------------------------------------------------------

/// A checkout whose member, given 2,000 points, redeemed `reward`: its voucher's code.
async fn checkout_with_voucher(t: &TestApp, email: &str, reward: &str) -> (Checkout, String) {
    let (till, member) = cashier_and_member(t, email).await;
    gift(t, &member.card, 2_000).await;
    let mut req = request(
        Method::POST,
        &format!("/api/v1/programs/mziuri/rewards/{reward}/redeem"),
        Some(&member.token),
        axum::body::Body::empty(),
        None,
    );
    req.headers_mut()
        .insert("idempotency-key", "redeem-1".parse().unwrap());
    let redeemed: tessera_core::api::VoucherWithCard =
        t.send(req).await.decode(StatusCode::CREATED);
    let found = identified_by_code(t, &till, &member.code(now_step())).await;
    let at = Checkout {
        till,
        ticket: found.ticket,
        card: member.card,
    };
    (at, redeemed.voucher.code)
}

/// A purchase of `amount_minor` with the voucher `code`, under the key `key`.
async fn buy_with_voucher(
    t: &TestApp,
    at: &Checkout,
    key: &str,
    amount_minor: i64,
    code: &str,
) -> Reply {
    let body = json!({ "ticket": at.ticket, "amount_minor": amount_minor, "voucher": code });
    till_write(t, PURCHASES, &at.till, Some(key), body).await
}

#[tokio::test]
async fn a_voucher_comes_off_what_the_discount_left_and_is_used_once() {
    each_engine(|t| async move {
        let (at, code) = checkout_with_voucher(&t, "voucher@example.com", "five-off").await;
        // GEL 20.00, Red's 3 % (0.60), the voucher's 5.00: 14.40 to pay, and points on that.
        let purchase: TillPurchase =
            buy_with_voucher(&t, &at, "sale-1", 2_000, &code.to_lowercase())
                .await
                .decode(StatusCode::CREATED);
        let bill = purchase.bill;
        assert_eq!(
            (
                bill.discount_minor,
                bill.voucher_minor,
                bill.money_paid_minor
            ),
            (60, 500, 1_440)
        );
        assert_eq!(purchase.points, 14);
        let again = buy_with_voucher(&t, &at, "sale-2", 2_000, &code).await;
        assert_eq!(
            again.refusal(),
            (StatusCode::CONFLICT, ErrorCode::VoucherUsed)
        );
    })
    .await;
}

#[tokio::test]
async fn a_voucher_worth_more_than_what_is_left_leaves_nothing_to_pay_and_says_what_is_lost() {
    each_engine(|t| async move {
        let (at, code) = checkout_with_voucher(&t, "small@example.com", "five-off").await;
        // GEL 2.50 at 3 %: 2.42 left (0.075 rounds to 0.08 off); the voucher's 5.00 loses 2.58.
        let purchase: TillPurchase = buy_with_voucher(&t, &at, "sale-1", 250, &code)
            .await
            .decode(StatusCode::CREATED);
        let bill = purchase.bill;
        assert_eq!((bill.voucher_minor, bill.total_minor), (242, 0));
        assert_eq!(bill.voucher_lost_minor, 258);
        assert_eq!(purchase.points, 0);
    })
    .await;
}

#[tokio::test]
async fn a_voucher_sent_by_two_purchases_at_once_is_used_by_one() {
    each_engine(|t| async move {
        let (at, code) = checkout_with_voucher(&t, "race@example.com", "five-off").await;
        let (a, b) = tokio::join!(
            buy_with_voucher(&t, &at, "till-a", 2_000, &code),
            buy_with_voucher(&t, &at, "till-b", 2_000, &code),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "{} {}",
            a.text,
            b.text
        );
        assert_eq!(recorded(&t, &at.card).await.0, 1, "one purchase");
    })
    .await;
}

#[tokio::test]
async fn a_voucher_for_another_partner_another_member_or_no_one_is_refused_and_stays_unused() {
    each_engine(|t| async move {
        // The croissant is the bakery's; this is the coffee shop's till.
        let (at, croissant) = checkout_with_voucher(&t, "bakery@example.com", "croissant").await;
        let elsewhere = buy_with_voucher(&t, &at, "sale-1", 2_000, &croissant).await;
        assert_eq!(
            elsewhere.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::VoucherWrongPartner)
        );
        let (other, theirs) = checkout_with_voucher(&t, "other@example.com", "five-off").await;
        let not_yours = buy_with_voucher(&t, &at, "sale-2", 2_000, &theirs).await;
        assert_eq!(
            not_yours.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::VoucherNotYours)
        );
        let unknown = buy_with_voucher(&t, &at, "sale-3", 2_000, "ABCDEFGHJK").await;
        assert_eq!(
            unknown.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::VoucherUnknown)
        );
        assert_eq!(recorded(&t, &at.card).await.0, 0, "nothing recorded");
        // Its own member still uses it.
        let used = buy_with_voucher(&t, &other, "sale-4", 2_000, &theirs).await;
        assert_eq!(used.status, StatusCode::CREATED, "{}", used.text);
    })
    .await;
}

#[tokio::test]
async fn the_till_checks_a_voucher_before_the_sale_without_using_it() {
    each_engine(|t| async move {
        let (at, code) = checkout_with_voucher(&t, "checked@example.com", "coffee").await;
        let body = json!({ "ticket": at.ticket, "code": code });
        let checked: tessera_core::api::TillVoucher = t
            .post("/api/v1/till/vouchers/check", Some(&at.till), body.clone())
            .await
            .decode(StatusCode::OK);
        assert_eq!(checked.title, "Any coffee");
        assert_eq!(
            (
                checked.value.item_minor,
                checked.value.off_minor,
                checked.value.off_bp
            ),
            (Some(650), None, None)
        );
        // Checked twice, still unused: the purchase uses it.
        t.post("/api/v1/till/vouchers/check", Some(&at.till), body)
            .await
            .decode::<tessera_core::api::TillVoucher>(StatusCode::OK);
        let used = buy_with_voucher(&t, &at, "sale-1", 2_000, &code).await;
        assert_eq!(used.status, StatusCode::CREATED, "{}", used.text);
        let unknown = t
            .post(
                "/api/v1/till/vouchers/check",
                Some(&at.till),
                json!({ "ticket": at.ticket, "code": "0000000000" }),
            )
            .await;
        assert_eq!(
            unknown.refusal(),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::VoucherUnknown)
        );
    })
    .await;
}

#[tokio::test]
async fn guessed_voucher_codes_count_against_the_typed_code_limit() {
    each_engine(|t| async move {
        let (at, _) = checkout_with_voucher(&t, "guesser@example.com", "five-off").await;
        let mut last = None;
        for i in 0..6 {
            let guess = buy_with_voucher(
                &t,
                &at,
                &format!("guess-{i}"),
                2_000,
                &format!("GUESS{i:05}"),
            )
            .await;
            last = Some(guess.refusal());
        }
        assert_eq!(
            last,
            Some((StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)),
            "five wrong codes per card, then refused"
        );
    })
    .await;
}

#[tokio::test]
async fn a_card_is_not_shown_without_a_session() {
    each_engine(|t| async move {
        let member = member(&t, "payer2@example.com").await;
        let r = t.get(&format!("/api/v1/cards/{}", member.card), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    })
    .await;
}

// --- The card a till write returns -------------------------------------------------------------

/// A member whose purchase forty days ago has matured since, unsettled until the next write: the
/// member's token and a checkout of theirs identified by code.
async fn member_with_matured_points(t: &TestApp) -> (String, Checkout) {
    let (till, member) = cashier_and_member(t, "seen@example.com").await;
    let program = t.state.config.program("mziuri").unwrap();
    let long_ago = tessera_server::store::now_ms() - 40 * 86_400_000;
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let old = tessera_server::purchases::Purchase {
        card_id: &member.card,
        amount: tessera_core::Money::new(2_000, program.currency),
        points: 0,
        voucher: None,
        reference: "receipt-old",
        place: None,
        partner: None,
        reference_is_new: false,
    };
    tessera_server::purchases::record(&mut tx, program, &old, long_ago)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let found = identified_by_code(t, &till, &member.code(now_step())).await;
    let at = Checkout {
        till,
        ticket: found.ticket,
        card: member.card,
    };
    (member.token, at)
}

/// The two till purchases after the matured one: the first settles it.
const PURCHASES_AFTER_MATURING: [(&str, i64); 2] = [("settles", 900), ("again", 4_500)];

/// The till writes show the card from what they wrote, without reading it back: it must be
/// exactly the card the member then sees, before and after settling points that matured meanwhile.
#[tokio::test]
async fn the_card_a_till_purchase_returns_is_the_card_the_member_sees() {
    each_engine(|t| async move {
        let (token, at) = member_with_matured_points(&t).await;
        for (key, amount) in PURCHASES_AFTER_MATURING {
            let purchase = bought(&t, &at, key, amount).await;
            let seen = card_seen(&t, &token, &at.card).await;
            assert_eq!(purchase.card, TillCard::from(&seen), "after purchase {key}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_till_purchase_settles_the_points_that_matured_before_it() {
    each_engine(|t| async move {
        let (token, at) = member_with_matured_points(&t).await;
        for (key, amount) in PURCHASES_AFTER_MATURING {
            bought(&t, &at, key, amount).await;
        }
        let seen = card_seen(&t, &token, &at.card).await;
        // Red's 3 % off each: 19.40 paid earned 19, then 8.73 and 43.65 earn 8 and 43.
        assert_eq!(
            seen.balance,
            19 + 50,
            "19 earned and the welcome bonus, matured"
        );
        assert_eq!(seen.pending.first().map(|p| p.points), Some(8 + 43));
    })
    .await;
}

#[tokio::test]
async fn the_card_a_points_payment_returns_is_the_card_the_member_sees() {
    each_engine(|t| async move {
        let (token, at) = member_with_matured_points(&t).await;
        for (key, amount) in PURCHASES_AFTER_MATURING {
            bought(&t, &at, key, amount).await;
        }
        let payment = paid(&t, &at, "pay", 1_000, 30).await;
        let seen = card_seen(&t, &token, &at.card).await;
        assert_eq!(payment.card, TillCard::from(&seen), "after paying");
        assert_eq!(payment.card.balance, 19 + 50 - 30);
    })
    .await;
}

// --- Housekeeping ------------------------------------------------------------------------------

async fn rows(t: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(t.state.store.pool_for_checks())
        .await
        .unwrap()
}

/// The housekeeping sweep deletes each kind of short-lived row once it has ended, and nothing
/// still in use: a retried till write is answered from its key for a day.
#[tokio::test]
async fn housekeeping_deletes_what_has_ended_and_nothing_in_use() {
    use tessera_server::housekeeping::{sweep, Swept};
    const MINUTE: i64 = 60_000;
    each_engine(|t| async move {
        let at = checkout(&t, "swept@example.com").await;
        let first = bought(&t, &at, "swept-1", 900).await;
        let db = &t.state.store;
        let now = tessera_server::store::now_ms();
        assert_eq!(sweep(db, now).await.unwrap(), Swept::default());

        // The ticket expires after five minutes; its till's retry is still answered.
        let swept = sweep(db, now + 6 * MINUTE).await.unwrap();
        assert_eq!((swept.till_tickets, swept.idempotency_keys), (1, 0));
        let retry = bought(&t, &at, "swept-1", 900).await;
        assert_eq!(retry, first);

        // The till session ends after 12 idle hours, the key after a day, the customer's
        // session (here 30 idle days) with its checkout secret.
        let swept = sweep(db, now + 13 * 60 * MINUTE).await.unwrap();
        assert_eq!((swept.till_sessions, swept.idempotency_keys), (1, 0));
        // The attempt counters of the cashier's sign-in and the member's sign-up, long ended.
        assert_eq!(swept.attempt_counters, 2);
        let swept = sweep(db, now + 25 * 60 * MINUTE).await.unwrap();
        assert_eq!((swept.idempotency_keys, swept.sessions), (1, 0));
        assert_eq!(rows(&t, "card_secrets").await, 1);
        let swept = sweep(db, now + 31 * 24 * 60 * MINUTE).await.unwrap();
        assert_eq!(swept.sessions, 1);
        assert_eq!(rows(&t, "card_secrets").await, 0, "gone with their session");

        // The member's card and purchase stay.
        assert_eq!(recorded(&t, &at.card).await.0, 1);
    })
    .await;
}
