//! Sign-in and sign-up limits under attack: parallel bursts, strangers locking others out, and
//! spoofed `X-Forwarded-For` headers; on both engines.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use futures_util::future::join_all;
use serde_json::json;
use std::net::SocketAddr;
use tessera_server::auth::attempts::{
    SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS, SIGN_IN_PER_PAIR, SIGN_UP_PER_ADDRESS,
};

/// The limits as counts of replies.
const PAIR: usize = SIGN_IN_PER_PAIR.attempts as usize;
const ADDRESS: usize = SIGN_IN_PER_ADDRESS.attempts as usize;

const WRONG: &str = "guess guess guess";
const RIGHT: &str = "correct horse battery";

/// How many replies have this status.
fn with_status(replies: &[Reply], status: StatusCode) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

/// Every reply to a refused attempt is a 401 (checked), 429 (limited) or 503 (hashing busy).
fn assert_only_checked_or_refused(replies: &[Reply]) {
    for r in replies {
        assert!(
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::SERVICE_UNAVAILABLE
            ]
            .contains(&r.status),
            "{} {}",
            r.status,
            r.text
        );
    }
}

/// A burst's replies are each checked or refused, and at most `limit` of them were checked.
fn assert_checked_at_most(replies: &[Reply], limit: usize) {
    assert_only_checked_or_refused(replies);
    let checked = with_status(replies, StatusCode::UNAUTHORIZED);
    let sent = replies.len();
    assert!(
        checked <= limit,
        "{checked} of {sent} parallel attempts were checked (limit {limit})"
    );
}

fn retry_after(r: &Reply) -> u64 {
    r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The customer `email` signs in from `address` with the right password.
async fn signs_in_from(t: &TestApp, address: SocketAddr, email: &str) {
    let r = t.login_from(address, email, RIGHT).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{email} from {address}: {}",
        r.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_for_one_account_checks_at_most_the_limit() {
    each_engine(|t| async move {
        t.register("burst@example.com").await;
        let replies = join_all((0..50).map(|_| t.login("burst@example.com", WRONG))).await;
        assert_checked_at_most(&replies, PAIR);
        assert!(with_status(&replies, StatusCode::TOO_MANY_REQUESTS) > 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_till_passwords_checks_at_most_the_limit() {
    each_engine(|t| async move {
        let replies = join_all(
            (0..50).map(|_| t.till_login_from(t.address, "till@example.com", "wrong password!")),
        )
        .await;
        assert_checked_at_most(&replies, PAIR);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_over_many_emails_from_one_address_checks_at_most_the_limit() {
    each_engine(|t| async move {
        let emails: Vec<String> = (0..100).map(|i| format!("spray{i}@example.com")).collect();
        let replies = join_all(emails.iter().map(|e| t.login(e, WRONG))).await;
        assert_checked_at_most(&replies, ADDRESS);
    })
    .await;
}

#[tokio::test]
async fn addresses_of_one_ipv6_64_share_their_limit() {
    each_engine(|t| async move {
        let mut checked = 0;
        for i in 0..40u16 {
            let address = SocketAddr::from(([0x2001, 0xdb8, 1, 2, 0, 0, 7, i], 40000));
            let r = t
                .login_from(address, &format!("six{i}@example.com"), WRONG)
                .await;
            checked += usize::from(r.status == StatusCode::UNAUTHORIZED);
        }
        assert_eq!(checked, ADDRESS, "one /64 is one address for the limit");
    })
    .await;
}

#[tokio::test]
async fn strangers_failing_from_one_network_do_not_lock_the_customer_out_elsewhere() {
    each_engine(|t| async move {
        t.register("victim@example.com").await;
        for _ in 0..PAIR + 5 {
            t.login_from(client(1), "victim@example.com", WRONG).await;
        }
        // The strangers' network is cut off for this account, even with the right password...
        let r = t.login_from(client(1), "victim@example.com", RIGHT).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        // ...but the customer on their own network signs in.
        signs_in_from(&t, client(2), "victim@example.com").await;
    })
    .await;
}

#[tokio::test]
async fn failed_customer_sign_ins_from_the_shop_do_not_block_its_till() {
    each_engine(|t| async move {
        let shop = client(9);
        for i in 0..=ADDRESS {
            t.login_from(shop, &format!("guest{i}@example.com"), WRONG)
                .await;
        }
        let r = t.login_from(shop, "guest-next@example.com", WRONG).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "customers are limited"
        );
        let r = t
            .till_login_from(shop, "till@example.com", "tessera-till")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    })
    .await;
}

#[tokio::test]
async fn wrong_till_passwords_from_elsewhere_do_not_lock_the_cashier_out() {
    each_engine(|t| async move {
        for _ in 0..PAIR + 3 {
            t.till_login_from(client(20), "till@example.com", "wrong password!")
                .await;
        }
        let r = t
            .till_login_from(client(21), "till@example.com", "tessera-till")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // Nor do they count against the customer account with the same e-mail.
        t.register("till@example.com").await;
        signs_in_from(&t, client(20), "till@example.com").await;
    })
    .await;
}

#[tokio::test]
async fn failures_from_many_networks_slow_an_account_down_but_never_lock_it() {
    each_engine(|t| async move {
        t.register("popular@example.com").await;
        let mut slowed = None;
        for i in 0..SIGN_IN_PER_ACCOUNT.attempts as u8 + 10 {
            let r = t
                .login_from(client(100 + i), "popular@example.com", WRONG)
                .await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                slowed = Some(retry_after(&r));
                break;
            }
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        }
        let wait = slowed.expect("failures from many networks slow the account down");
        assert!(wait <= 60, "slowed by {wait} s: a delay, not a lock-out");
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        signs_in_from(&t, client(200), "popular@example.com").await;
    })
    .await;
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    each_engine(|t| async move {
        let mut created = 0;
        let mut last = None;
        for i in 0..SIGN_UP_PER_ADDRESS.attempts + 5 {
            let r = t
                .join_from(client(30), registration(&format!("new{i}@example.com")))
                .await;
            created += i64::from(r.status == StatusCode::CREATED);
            last = Some(r);
        }
        assert_eq!(
            created, SIGN_UP_PER_ADDRESS.attempts,
            "sign-ups from one address are limited"
        );
        let last = last.unwrap();
        assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after(&last) > 0);
        // Another address still signs up.
        let r = t
            .join_from(client(31), registration("elsewhere@example.com"))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    })
    .await;
}

/// A sign-in through one proxy that appended `appended` to the client's own header value.
async fn login_via_proxy(t: &TestApp, client_header: &str, appended: &str, email: &str) -> Reply {
    let body = json!({ "email": email, "password": WRONG }).to_string();
    let mut req = request(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Body::from(body),
        Some("application/json"),
    );
    let value = if client_header.is_empty() {
        appended.to_owned()
    } else {
        format!("{client_header}, {appended}")
    };
    req.headers_mut()
        .insert("x-forwarded-for", value.parse().unwrap());
    // The peer is the proxy.
    t.send_from("10.0.0.2:50000".parse().unwrap(), req).await
}

#[tokio::test]
async fn spoofed_forwarded_for_entries_do_not_escape_the_address_limit() {
    let setup = Setup {
        trust_proxy_hops: 1,
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        let mut checked = 0;
        for i in 0..40u8 {
            // The attacker writes a new address each time; the proxy appends the real one.
            for spoof in [
                format!("198.51.100.{i}"),
                format!("198.51.100.{i}, 127.0.0.1"),
            ] {
                let r = login_via_proxy(&t, &spoof, "203.0.113.5", &format!("p{i}@x.co")).await;
                checked += usize::from(r.status == StatusCode::UNAUTHORIZED);
            }
        }
        assert_eq!(
            checked, ADDRESS,
            "the address the proxy saw is the one limited"
        );
        // Another client behind the same proxy is not limited by it.
        let r = login_via_proxy(&t, "", "203.0.113.6", "other@x.co").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn past_its_capacity_hashing_answers_busy_and_counts_nothing() {
    let setup = Setup {
        hashing: Some((1, 0)),
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        t.register("busy@example.com").await;
        let replies = join_all((0..20).map(|_| t.login("busy@example.com", WRONG))).await;
        assert_only_checked_or_refused(&replies);
        let busy: Vec<&Reply> = replies
            .iter()
            .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
            .collect();
        assert!(
            !busy.is_empty(),
            "one hashing place, twenty attempts at once"
        );
        for r in &busy {
            assert_eq!(r.error_code(), "server_busy", "{}", r.text);
            assert!(retry_after(r) >= 1);
        }
        assert!(with_status(&replies, StatusCode::UNAUTHORIZED) < PAIR);
        // Attempts refused for load were not counted: the owner is not locked out.
        let r = t.login("busy@example.com", RIGHT).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    })
    .await;
}

#[tokio::test]
async fn attempts_refused_by_a_full_counter_store_nothing() {
    each_engine(|t| async move {
        for i in 0..ADDRESS {
            t.login_from(client(40), &format!("fill{i}@example.com"), WRONG)
                .await;
        }
        let rows = || async {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attempt_counters")
                .fetch_one(t.state.store.pool_for_checks())
                .await
                .unwrap();
            n
        };
        let before = rows().await;
        // Each made-up e-mail would be a new account counter if a refusal still wrote.
        for i in 0..20 {
            let r = t
                .login_from(client(40), &format!("made-up{i}@example.com"), WRONG)
                .await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        }
        assert_eq!(rows().await, before);
    })
    .await;
}
