//! Staff sign-in at the till: configured accounts, separate sessions, on both engines.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use tessera_core::checkout::{self, CardSecret};

async fn till_login(t: &TestApp, email: &str, password: &str) -> Reply {
    t.post(
        "/api/v1/till/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

#[tokio::test]
async fn staff_sign_in_with_a_till_session_that_customers_tokens_are_not() {
    each_engine(|t| async move {
        let r = till_login(&t, "Till@Example.com", "tessera-till").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let till = r.body["token"].as_str().unwrap().to_owned();
        assert_eq!(r.body["staff"]["email"], "till@example.com");
        assert_eq!(r.body["staff"]["role"], "cashier");
        assert_eq!(r.body["staff"]["program_name"], "Mziuri Coffee");
        assert_eq!(r.body["staff"]["location"], "Vake Park");
        let me = t.get("/api/v1/till/me", Some(&till)).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body, r.body["staff"]);

        for (email, password) in [
            ("till@example.com", "wrong password!"),
            ("nobody@example.com", "tessera-till"),
        ] {
            let r = till_login(&t, email, password).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{email}");
            assert_eq!(r.error_code(), "invalid_credentials");
        }

        // Neither kind of token opens the other's endpoints.
        let customer = t.register("shopper@example.com").await;
        assert_eq!(
            t.get("/api/v1/till/me", Some(&customer)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.get("/api/v1/wallet", Some(&till)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // A customer's password is not a till password.
        let r = till_login(&t, "shopper@example.com", "correct horse battery").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        let r = t
            .post("/api/v1/till/auth/logout", Some(&till), Value::Null)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            t.get("/api/v1/till/me", Some(&till)).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}

/// A signed-in customer with a checkout secret: (customer token, card id, card number, secret).
async fn member(t: &TestApp, email: &str) -> (String, String, String, CardSecret) {
    let token = t.register(email).await;
    let wallet = t.get("/api/v1/wallet", Some(&token)).await;
    let card = wallet.body["cards"][0]["id"].as_str().unwrap().to_owned();
    let r = t
        .post(
            &format!("/api/v1/cards/{card}/checkout-secret"),
            Some(&token),
            Value::Null,
        )
        .await;
    let number = r.body["card_number"].as_str().unwrap().to_owned();
    let key: [u8; 32] = hex::decode(r.body["secret"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    (token, card, number, CardSecret(key))
}

async fn cashier(t: &TestApp) -> String {
    let r = till_login(t, "till@example.com", "tessera-till").await;
    r.body["token"].as_str().unwrap().to_owned()
}

async fn identify(t: &TestApp, till: &str, body: Value) -> Reply {
    t.post("/api/v1/till/identify", Some(till), body).await
}

fn now_step() -> i64 {
    checkout::step_at(tessera_server::store::now_ms())
}

#[tokio::test]
async fn a_code_identifies_its_member_once_and_every_refusal_says_why() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (_, card, number, secret) = member(&t, "payer@example.com").await;
        let step = now_step();
        let code = |s: i64| checkout::scanned_code(&secret, "mziuri", &number, s);
        let refused = |r: &Reply, status: StatusCode, reason: &str| {
            assert_eq!((r.status, r.error_code()), (status, reason), "{}", r.text);
        };

        let ok = identify(&t, &till, json!({ "code": code(step) })).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(ok.body["name"], "Nino");
        assert_eq!(ok.body["can_spend"], true);
        // The program's point value, for the console to show what points pay.
        assert_eq!(ok.body["point_value_minor"], 5);
        assert_eq!(ok.body["card"]["id"], card.as_str());
        assert_eq!(ok.body["card"]["balance"], 0);
        assert_eq!(ok.body["card"]["tier"]["name"], "Red");
        assert!(ok.body["ticket"].as_str().unwrap().len() >= 32);

        // The same code again, and an older one: used.
        refused(
            &identify(&t, &till, json!({ "code": code(step) })).await,
            StatusCode::CONFLICT,
            "code_used",
        );
        refused(
            &identify(&t, &till, json!({ "code": code(step - 1) })).await,
            StatusCode::CONFLICT,
            "code_used",
        );
        // The next step (a phone clock a little ahead) is still good, once.
        assert_eq!(
            identify(&t, &till, json!({ "code": code(step + 1) }))
                .await
                .status,
            StatusCode::OK
        );
        // A screenshot from minutes ago, a forged proof, not a code at all.
        refused(
            &identify(&t, &till, json!({ "code": code(step - 10) })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_stale",
        );
        let mut forged = code(step + 1);
        forged.replace_range(forged.len() - 4.., "AAAA");
        refused(
            &identify(&t, &till, json!({ "code": forged })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_invalid",
        );
        refused(
            &identify(&t, &till, json!({ "code": "hello" })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code_malformed",
        );
        // A well-formed number no card has.
        let unknown = (0..1000)
            .map(checkout::card_number)
            .find(|n| *n != number)
            .unwrap();
        let stranger = checkout::scanned_code(&secret, "mziuri", &unknown, step);
        refused(
            &identify(&t, &till, json!({ "code": stranger })).await,
            StatusCode::NOT_FOUND,
            "card_unknown",
        );
        // Neither or both of code and phone.
        refused(
            &identify(&t, &till, json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        );
        // Customers cannot identify.
        let customer = t.register("nosy@example.com").await;
        assert_eq!(
            identify(&t, &customer, json!({ "code": code(step) }))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        // A closed card.
        sqlx::query("UPDATE cards SET closed_at = 1 WHERE id = $1")
            .bind(&card)
            .execute(t.state.store.pool_for_checks())
            .await
            .unwrap();
        refused(
            &identify(&t, &till, json!({ "code": code(step + 1) })).await,
            StatusCode::FORBIDDEN,
            "card_closed",
        );
    })
    .await;
}

#[tokio::test]
async fn typed_codes_work_and_guessing_them_is_cut_off() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (token, _, number, secret) = member(&t, "typist@example.com").await;
        let typed = checkout::typed_code(&secret, "mziuri", &number, now_step());
        let r = identify(&t, &till, json!({ "code": typed })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["can_spend"], true);

        // Five wrong guesses, then even a right code is refused for a while.
        for guess in 0..5 {
            let wrong = format!("{number}{:06}", (guess * 7919) % 1_000_000);
            let r = identify(&t, &till, json!({ "code": wrong })).await;
            assert_eq!(r.error_code(), "code_invalid", "{}", r.text);
        }
        let next = checkout::typed_code(&secret, "mziuri", &number, now_step() + 1);
        let r = identify(&t, &till, json!({ "code": next })).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
        );
        assert!(r.headers.contains_key("retry-after"));

        // Logging out revokes the phone's secret: its codes stop working.
        t.post("/api/v1/auth/logout", Some(&token), Value::Null)
            .await;
        let scanned = checkout::scanned_code(&secret, "mziuri", &number, now_step() + 1);
        let r = identify(&t, &till, json!({ "code": scanned })).await;
        assert_eq!(r.error_code(), "code_invalid", "{}", r.text);
    })
    .await;
}

#[tokio::test]
async fn a_phone_number_identifies_for_earning_only() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        member(&t, "caller@example.com").await; // phone +995 555 12 34 56 (see registration())
        let r = identify(&t, &till, json!({ "phone": "+995 555 123 456" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["can_spend"], false);
        let r = identify(&t, &till, json!({ "phone": "+995 599 000 000" })).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::NOT_FOUND, "member_not_found")
        );
    })
    .await;
}

#[tokio::test]
async fn a_shared_phone_number_lists_every_member_for_the_cashier_to_choose() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        member(&t, "caller@example.com").await;
        let mut spouse = registration("spouse@example.com");
        spouse["display_name"] = json!("Giorgi");
        let r = t.post("/api/v1/auth/register", None, spouse).await;
        assert_eq!(r.status, StatusCode::CREATED);

        // The number alone no longer says who: the till is asked to choose.
        let r = identify(&t, &till, json!({ "phone": "+995555123456" })).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::CONFLICT, "member_ambiguous"),
            "{}",
            r.text
        );
        let r = t
            .post(
                "/api/v1/till/phone-lookup",
                Some(&till),
                json!({ "phone": "+995 555 12 34 56" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let members = r.body["members"].as_array().unwrap();
        let mut names: Vec<&str> = members
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["Giorgi", "Nino"]);
        for m in members {
            let last4 = m["card_last4"].as_str().unwrap();
            assert!(
                last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()),
                "{last4}"
            );
        }
        let giorgi = members.iter().find(|m| m["name"] == "Giorgi").unwrap();
        let chosen = giorgi["card_id"].as_str().unwrap();
        let r = identify(
            &t,
            &till,
            json!({ "phone": "+995555123456", "card_id": chosen }),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            (r.body["name"].as_str(), r.body["card"]["id"].as_str()),
            (Some("Giorgi"), Some(chosen))
        );
        assert_eq!(r.body["can_spend"], false);

        // A card is only chosen with its member's number.
        let r = identify(
            &t,
            &till,
            json!({ "phone": "+995599000000", "card_id": chosen }),
        )
        .await;
        assert_eq!(r.error_code(), "member_not_found", "{}", r.text);
        let r = t
            .post(
                "/api/v1/till/phone-lookup",
                Some(&till),
                json!({ "phone": "+995599000000" }),
            )
            .await;
        assert_eq!(r.error_code(), "member_not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_typed_code_guesses_checks_at_most_the_limit() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (_, _, number, _) = member(&t, "guessed@example.com").await;
        let guesses: Vec<String> = (0..40)
            .map(|g| format!("{number}{:06}", (g * 7919 + 13) % 1_000_000))
            .collect();
        let replies = futures_util::future::join_all(
            guesses
                .iter()
                .map(|g| identify(&t, &till, json!({ "code": g }))),
        )
        .await;
        let checked = replies
            .iter()
            .filter(|r| r.error_code() == "code_invalid")
            .count();
        let limit = tessera_server::auth::attempts::TYPED_CODES_PER_CARD.attempts as usize;
        assert!(
            checked <= limit,
            "{checked} of 40 parallel typed guesses were checked (limit {limit})"
        );
        assert!(replies
            .iter()
            .all(|r| ["code_invalid", "too_many_attempts"].contains(&r.error_code())));
    })
    .await;
}

#[tokio::test]
async fn a_nul_in_a_ticket_is_a_validation_error() {
    each_engine(|t| async move {
        let (till, _, _) = checkout(&t, "nul@example.com").await;
        let r = till_write(
            &t,
            "/api/v1/till/purchases",
            &till,
            Some("nul-ticket"),
            json!({ "ticket": "abc\u{0}", "amount_minor": 100 }),
        )
        .await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            "{}",
            r.text
        );
        assert_eq!(r.body["fields"][0]["field"], "ticket");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tills_scanning_the_same_code_at_once_one_wins() {
    each_engine(|t| async move {
        let (a, b) = (cashier(&t).await, cashier(&t).await);
        let (_, _, number, secret) = member(&t, "double@example.com").await;
        let code = checkout::scanned_code(&secret, "mziuri", &number, now_step());
        let body = json!({ "code": code });
        let (ra, rb) = tokio::join!(
            identify(&t, &a, body.clone()),
            identify(&t, &b, body.clone())
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

async fn till_write(t: &TestApp, path: &str, till: &str, key: Option<&str>, body: Value) -> Reply {
    let mut req = request(
        Method::POST,
        path,
        Some(till),
        body.to_string().into(),
        Some("application/json"),
    );
    if let Some(key) = key {
        req.headers_mut()
            .insert("idempotency-key", key.parse().unwrap());
    }
    t.send(req).await
}

/// Three first attempts of one till write at once, as a double (triple) tap sends them: all
/// succeed with the same response, which it returns.
async fn double_tap(t: &TestApp, path: &str, till: &str, key: &str, body: Value) -> Value {
    let (a, b, c) = tokio::join!(
        till_write(t, path, till, Some(key), body.clone()),
        till_write(t, path, till, Some(key), body.clone()),
        till_write(t, path, till, Some(key), body.clone()),
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.text);
    }
    assert_eq!((&a.body, &b.body), (&c.body, &c.body));
    a.body
}

/// A cashier's ticket for a new member identified by code, and the member's card id.
async fn checkout(t: &TestApp, email: &str) -> (String, String, String) {
    let till = cashier(t).await;
    let (_, card, number, secret) = member(t, email).await;
    let code = checkout::scanned_code(&secret, "mziuri", &number, now_step());
    let r = identify(t, &till, json!({ "code": code })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (till, r.body["ticket"].as_str().unwrap().to_owned(), card)
}

async fn count(t: &TestApp, sql: &str, card: &str) -> i64 {
    sqlx::query(sql)
        .bind(card)
        .fetch_one(t.state.store.pool_for_checks())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_till_purchase_earns_once_however_often_the_till_retries() {
    each_engine(|t| async move {
        let (till, ticket, card) = checkout(&t, "buyer@example.com").await;
        let body = json!({ "ticket": ticket, "amount_minor": 1_250 });
        let first = till_write(
            &t,
            "/api/v1/till/purchases",
            &till,
            Some("sale-1"),
            body.clone(),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert_eq!(
            (
                first.body["points"].as_i64(),
                first.body["welcome_points"].as_i64()
            ),
            (Some(12), Some(50))
        );
        assert_eq!(
            first.body["card"]["pending"][0]["points"], 62,
            "pending for three days"
        );

        // Retries, one of them racing another: the first response, applied once.
        let (a, b) = tokio::join!(
            till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some("sale-1"),
                body.clone()
            ),
            till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some("sale-1"),
                body.clone()
            ),
        );
        assert_eq!(
            (a.status, b.status),
            (StatusCode::CREATED, StatusCode::CREATED)
        );
        assert_eq!((&a.body, &b.body), (&first.body, &first.body));
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &card
            )
            .await,
            1
        );
        // Two concurrent new sales on the same card both count.
        let (c, d) = tokio::join!(
            till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some("sale-2"),
                json!({ "ticket": ticket, "amount_minor": 500 })
            ),
            till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some("sale-3"),
                json!({ "ticket": ticket, "amount_minor": 700 })
            ),
        );
        assert_eq!(
            (c.status, d.status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{} {}",
            c.text,
            d.text
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &card
            )
            .await,
            3
        );

        // The first attempts of a sale racing each other (a double tap): one applies, all get
        // its response.
        for sale in 4..8 {
            let key = format!("double-tap-{sale}");
            let body = json!({ "ticket": ticket, "amount_minor": 100 * sale });
            double_tap(&t, "/api/v1/till/purchases", &till, &key, body).await;
        }
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &card
            )
            .await,
            7
        );

        // The same key for another sale, no key, bad amounts, someone else's ticket.
        let other = json!({ "ticket": ticket, "amount_minor": 999 });
        let r = till_write(
            &t,
            "/api/v1/till/purchases",
            &till,
            Some("sale-1"),
            other.clone(),
        )
        .await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
        );
        let r = till_write(&t, "/api/v1/till/purchases", &till, None, other.clone()).await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::BAD_REQUEST, "idempotency_key_required")
        );
        for amount in [0, -5, 1_000_000_000_000_i64] {
            let r = till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some("sale-x"),
                json!({ "ticket": ticket, "amount_minor": amount }),
            )
            .await;
            assert_eq!(r.error_code(), "validation", "{amount}: {}", r.text);
        }
        let r = till_write(
            &t,
            "/api/v1/till/purchases",
            &till,
            Some("sale-y"),
            json!({ "ticket": ticket, "amount_minor": "12.50" }),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong type: {}",
            r.text
        );
        let other_till = cashier(&t).await;
        let r = till_write(
            &t,
            "/api/v1/till/purchases",
            &other_till,
            Some("sale-4"),
            json!({ "ticket": ticket, "amount_minor": 100 }),
        )
        .await;
        assert_eq!(
            r.error_code(),
            "ticket_invalid",
            "a ticket belongs to its till session"
        );
        sqlx::query("UPDATE till_tickets SET expires_at = 1")
            .execute(t.state.store.pool_for_checks())
            .await
            .unwrap();
        let r = till_write(
            &t,
            "/api/v1/till/purchases",
            &till,
            Some("sale-5"),
            json!({ "ticket": ticket, "amount_minor": 100 }),
        )
        .await;
        assert_eq!(r.error_code(), "ticket_invalid", "an expired ticket");
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &card
            )
            .await,
            7,
            "nothing else recorded"
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1 AND place = 'Vake Park'",
                &card
            )
            .await,
            8,
            "seven purchases and the welcome bonus"
        );
    })
    .await;
}

#[tokio::test]
async fn paying_with_points_takes_them_once_and_never_more_than_the_card_has() {
    each_engine(|t| async move {
        let (till, ticket, card) = checkout(&t, "payer2@example.com").await;
        let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
        let now = tessera_server::store::now_ms();
        let gift = tessera_server::store::ledger::Addition {
            kind: tessera_core::points::EntryKind::Adjusted,
            points: 500,
            reason: "goodwill",
            reference: "gift",
            available_at: now,
            expires_at: None,
            place: None,
            spend_minor: None,
        };
        tessera_server::store::ledger::add(&mut tx, &card, &gift, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let pay = json!({ "ticket": ticket, "bill_minor": 1_000, "points": 100 });
        let r = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay-1"),
            pay.clone(),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (r.body["paid_minor"].as_i64(), r.body["due_minor"].as_i64()),
            (Some(500), Some(500)),
            "5 tetri a point"
        );
        assert_eq!(r.body["card"]["balance"], 400);
        let again = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay-1"),
            pay,
        )
        .await;
        assert_eq!(again.body, r.body);
        // A double tap: the first attempts racing each other take the points once.
        let pay = json!({ "ticket": ticket, "bill_minor": 1_000, "points": 50 });
        let paid = double_tap(&t, "/api/v1/till/pay-with-points", &till, "pay-5", pay).await;
        assert_eq!(paid["card"]["balance"], 350);

        let r = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay-2"),
            json!({ "ticket": ticket, "bill_minor": 100_000, "points": 351 }),
        )
        .await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "insufficient_points")
        );
        assert!(r.text.contains("350 points"), "{}", r.text);
        let r = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay-3"),
            json!({ "ticket": ticket, "bill_minor": 100, "points": 21 }),
        )
        .await;
        assert_eq!(
            r.error_code(),
            "validation",
            "worth more than the bill: {}",
            r.text
        );
        let r = t.get(&format!("/api/v1/cards/{card}"), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            count(&t, "SELECT balance FROM cards WHERE id = $1", &card).await,
            350
        );

        // Identified by phone: earning only.
        let r = identify(&t, &till, json!({ "phone": "+995555123456" })).await;
        let phone_ticket = r.body["ticket"].as_str().unwrap();
        let r = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay-4"),
            json!({ "ticket": phone_ticket, "bill_minor": 1_000, "points": 10 }),
        )
        .await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::FORBIDDEN, "ticket_cannot_spend")
        );
        assert_eq!(
            count(&t, "SELECT balance FROM cards WHERE id = $1", &card).await,
            350
        );
    })
    .await;
}

/// A till write shows the card from what it wrote, without reading it back: it must be exactly
/// the card the member then sees, before and after settling points that matured meanwhile.
#[tokio::test]
async fn the_card_a_till_write_returns_is_the_card_the_member_sees() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let (token, card, number, secret) = member(&t, "seen@example.com").await;
        // A purchase forty days ago: its points have matured since, unsettled until the next write.
        let program = t.state.config.program("mziuri").unwrap();
        let long_ago = tessera_server::store::now_ms() - 40 * 86_400_000;
        let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
        let old = tessera_server::purchases::Purchase {
            card_id: &card,
            amount: tessera_core::Money::new(2_000, program.currency),
            reference: "receipt-old",
            place: None,
            reference_is_new: false,
        };
        tessera_server::purchases::record(&mut tx, program, &old, long_ago)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let code = checkout::scanned_code(&secret, "mziuri", &number, now_step());
        let ticket = identify(&t, &till, json!({ "code": code })).await.body["ticket"].clone();
        let sees = || async { t.get(&format!("/api/v1/cards/{card}"), Some(&token)).await };
        for (key, amount) in [("settles", 900), ("again", 4_500)] {
            let r = till_write(
                &t,
                "/api/v1/till/purchases",
                &till,
                Some(key),
                json!({ "ticket": ticket, "amount_minor": amount }),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            assert_eq!(r.body["card"], sees().await.body, "after purchase {key}");
        }
        let seen = sees().await.body;
        assert_eq!(
            seen["balance"], 70,
            "20 earned and the welcome bonus, matured"
        );
        assert_eq!(seen["pending"][0]["points"], 9 + 45);

        let r = till_write(
            &t,
            "/api/v1/till/pay-with-points",
            &till,
            Some("pay"),
            json!({ "ticket": ticket, "bill_minor": 1_000, "points": 30 }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["card"], sees().await.body, "after paying");
        assert_eq!(r.body["card"]["balance"], 40);
    })
    .await;
}

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
        let (till, ticket, card) = checkout(&t, "swept@example.com").await;
        let sale = json!({ "ticket": ticket, "amount_minor": 900 });
        let path = "/api/v1/till/purchases";
        let first = till_write(&t, path, &till, Some("swept-1"), sale.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let db = &t.state.store;
        let now = tessera_server::store::now_ms();
        assert_eq!(sweep(db, now).await.unwrap(), Swept::default());

        // The ticket expires after five minutes; its till's retry is still answered.
        let swept = sweep(db, now + 6 * MINUTE).await.unwrap();
        assert_eq!((swept.till_tickets, swept.idempotency_keys), (1, 0));
        let retry = till_write(&t, path, &till, Some("swept-1"), sale.clone()).await;
        assert_eq!(
            (retry.status, &retry.body),
            (StatusCode::CREATED, &first.body)
        );

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
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM purchases WHERE card_id = $1",
                &card
            )
            .await,
            1
        );
    })
    .await;
}
