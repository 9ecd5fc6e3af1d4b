//! Clubs over HTTP on both engines: the listing with the member's state and progress, joining
//! (open, paid with points, closed with answers, an invitation and approval), every refusal,
//! renewing, leaving, renewal or lapse by the periodic job, fees in money at the till, and the
//! benefits at the till.

use crate::common::*;
use crate::rewards::give;
use crate::till::{cashier, gift, identified_by_code, member, now_step, till_login, till_write};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use tessera_core::api::{
    ApplicationStatus, ApplicationView, ClubState, ClubView, ClubWithCard, Clubs, ErrorCode,
    FieldCode, Rewards, TillApplications, TillClubFee, TillClubOffer, TillClubOffers, TillPurchase,
    TillSession, VoucherWithCard,
};
use tessera_core::club::RuleKind;
use tessera_server::config::ProgramConfig;
use tessera_server::jobs::{renew_or_lapse_due, PeriodEnd};

/// Where the demo program's club writes go.
const CLUBS: &str = "/api/v1/programs/mziuri/clubs";

/// The clubs of the customer's card, as listed for them.
async fn clubs(t: &TestApp, token: &str) -> Clubs {
    let card = t.first_card(token).await;
    t.get(&format!("/api/v1/cards/{card}/clubs"), Some(token))
        .await
        .decode(StatusCode::OK)
}

async fn club(t: &TestApp, token: &str, id: &str) -> ClubView {
    clubs(t, token)
        .await
        .clubs
        .into_iter()
        .find(|c| c.id == id)
        .unwrap()
}

/// A write to a club of the demo program: `action` is `join`, `renew`, `leave`, ...
async fn club_write(
    t: &TestApp,
    token: &str,
    club: &str,
    action: &str,
    key: Option<&str>,
    body: Value,
) -> Reply {
    t.post_keyed(&format!("{CLUBS}/{club}/{action}"), Some(token), key, body)
        .await
}

async fn join(t: &TestApp, token: &str, club: &str, key: &str, body: Value) -> Reply {
    club_write(t, token, club, "join", Some(key), body).await
}

async fn joined(t: &TestApp, token: &str, club: &str, key: &str) -> ClubWithCard {
    join(t, token, club, key, json!({}))
        .await
        .decode(StatusCode::CREATED)
}

/// A manager's till session.
async fn manager(t: &TestApp) -> String {
    till_login(t, "manager@example.com", "tessera-manager")
        .await
        .decode::<TillSession>(StatusCode::OK)
        .token
}

/// Purchases at the till for `member`, identified once by the code of the step before this
/// one (so later steps' codes still identify them): each of `amounts` (minor units) under its
/// own key.
async fn purchases(t: &TestApp, till: &str, member: &crate::till::Member, amounts: &[i64]) {
    let found = identified_by_code(t, till, &member.code(now_step() - 1)).await;
    for (i, amount) in amounts.iter().enumerate() {
        let body = json!({ "ticket": found.ticket, "amount_minor": amount, "points": 0 });
        let key = format!("buy-{}-{i}", member.card);
        till_write(t, "/api/v1/till/purchases", till, Some(&key), body)
            .await
            .decode::<TillPurchase>(StatusCode::CREATED);
    }
}

/// Makes `card` a member of `club` as if it had joined (no fee), for tests that need one.
async fn make_member(t: &TestApp, card: &str, club: &str) {
    use tessera_server::store::clubs::{start, NewMembership};
    let mut tx = t.state.store.pool_for_checks().begin().await.unwrap();
    let membership = NewMembership {
        card_id: card,
        program_id: "mziuri",
        club_id: club,
        joined_at: tessera_server::store::now_ms(),
        ends_at: None,
        auto_renew: false,
        entrance_paid: false,
    };
    start(&mut tx, &membership).await.unwrap().unwrap();
    tx.commit().await.unwrap();
}

/// Runs `sql` with `card` as `$1` (to move a membership's or code's time).
async fn exec(t: &TestApp, sql: &str, card: &str) {
    sqlx::query(sql)
        .bind(card)
        .execute(t.state.store.pool_for_checks())
        .await
        .unwrap();
}

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn the_clubs_list_says_what_each_gives_costs_and_asks_with_the_members_progress() {
    each_engine(|t| async move {
        let (token, _) = t.customer("browser@example.com").await;
        let listed = clubs(&t, &token).await;
        let ids: Vec<&str> = listed.clubs.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["morning", "beans", "tasters"]);
        let [morning, beans, tasters] = &listed.clubs[..] else {
            unreachable!()
        };
        assert_eq!(morning.state, ClubState::Eligible);
        assert_eq!(morning.perks, ["A biscuit with every coffee before 9"]);
        assert_eq!(morning.picture, "/clubs/morning.svg");
        assert_eq!(beans.state, ClubState::Eligible);
        assert_eq!(
            (beans.discount_bp, beans.multiplier_percent),
            (Some(1000), Some(150))
        );
        let entrance = beans.entrance.unwrap();
        let recurring = beans.recurring.unwrap();
        assert_eq!((entrance.points, entrance.minor), (Some(200), Some(1000)));
        assert_eq!((recurring.points, recurring.minor), (Some(300), Some(1500)));
        // A closed club: its rules with the member's progress, its questionnaire.
        assert_eq!(tasters.state, ClubState::NotEligible);
        let rules: Vec<_> = tasters
            .rules
            .iter()
            .map(|r| (r.kind, r.current, r.required, r.window_days))
            .collect();
        assert_eq!(
            rules,
            [
                (RuleKind::RecentPurchases, 0, 6, Some(30)),
                (RuleKind::Spend, 0, 20_000, None)
            ]
        );
        assert_eq!(tasters.questions.len(), 2);
        assert_eq!(tasters.questions[0].options, ["Light", "Medium", "Dark"]);
        assert!(tasters.invitation && tasters.approval);
        assert!(tasters.membership.is_none() && tasters.application.is_none());

        assert_eq!(
            (listed.program_name.as_str(), listed.point_name.as_str()),
            ("Mziuri Coffee", "points")
        );
        // Another customer's card is not found.
        let (_, others) = t.customer("other@example.com").await;
        let other = t
            .get(&format!("/api/v1/cards/{others}/clubs"), Some(&token))
            .await;
        assert_eq!(
            other.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
        let unknown = join(&t, &token, "chess", "k", json!({})).await;
        assert_eq!(
            unknown.refusal(),
            (StatusCode::NOT_FOUND, ErrorCode::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn joining_an_open_club_makes_a_member_at_once_and_again_is_refused() {
    each_engine(|t| async move {
        let (token, _) = t.customer("early@example.com").await;
        let done = joined(&t, &token, "morning", "j-1").await;
        assert_eq!(done.club.state, ClubState::Member);
        assert_eq!(done.club.membership.unwrap().ends_at, None);
        assert_eq!(
            done.card.club_discount_bp, None,
            "the Morning club gives a perk, no discount"
        );
        let again = join(&t, &token, "morning", "j-2", json!({})).await;
        assert_eq!(
            again.refusal(),
            (StatusCode::CONFLICT, ErrorCode::AlreadyMember)
        );
        // The same key is the same request: its first answer.
        let retried = joined(&t, &token, "morning", "j-1").await;
        assert_eq!(retried, done);
    })
    .await;
}

#[tokio::test]
async fn paying_a_club_with_points_takes_the_fees_once_under_a_double_tap() {
    each_engine(|t| async move {
        let (token, card) = t.customer("beans@example.com").await;
        gift(&t, &card, 600).await;
        let (a, b, c) = tokio::join!(
            join(&t, &token, "beans", "tap", json!({})),
            join(&t, &token, "beans", "tap", json!({})),
            join(&t, &token, "beans", "tap", json!({})),
        );
        let [a, b, c]: [ClubWithCard; 3] = [a, b, c].map(|r| r.decode(StatusCode::CREATED));
        assert_eq!((&a, &b), (&c, &c));
        // The entrance fee (200) and the first month (300).
        assert_eq!(a.card.balance, 100);
        let membership = a.club.membership.unwrap();
        let ends_at = membership.ends_at.unwrap();
        let now = tessera_server::store::now_ms();
        assert!(
            (28 * DAY..=32 * DAY).contains(&(ends_at - now)),
            "a month: {}",
            (ends_at - now) / DAY
        );
        assert_eq!(a.club.entrance, None, "the entrance fee is paid once");
        assert_eq!(a.card.club_discount_bp, Some(1000));
        assert_eq!(a.card.rate_bp(), 1000, "the club's rate beats Red's 3%");
    })
    .await;
}

#[tokio::test]
async fn concurrent_joins_of_a_paid_club_with_different_keys_pay_once() {
    each_engine(|t| async move {
        let (token, card) = t.customer("racer@example.com").await;
        gift(&t, &card, 1_000).await;
        let (a, b, c) = tokio::join!(
            join(&t, &token, "beans", "k-1", json!({})),
            join(&t, &token, "beans", "k-2", json!({})),
            join(&t, &token, "beans", "k-3", json!({})),
        );
        let statuses = [a.status, b.status, c.status];
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1,
            "{statuses:?}"
        );
        for r in [a, b, c].iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(r.error_body().error, ErrorCode::AlreadyMember);
        }
        assert_eq!(clubs(&t, &token).await.balance, 500);
    })
    .await;
}

#[tokio::test]
async fn too_few_points_for_a_paid_club_are_refused_and_change_nothing() {
    each_engine(|t| async move {
        let (token, card) = t.customer("short@example.com").await;
        gift(&t, &card, 499).await;
        let refused = join(&t, &token, "beans", "k", json!({})).await;
        assert_eq!(
            refused.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InsufficientPoints
            )
        );
        let listed = clubs(&t, &token).await;
        assert_eq!(listed.balance, 499);
        assert_eq!(listed.clubs[1].state, ClubState::Eligible);
    })
    .await;
}

#[tokio::test]
async fn a_fee_payable_only_in_money_is_not_taken_in_points() {
    let config = DEMO_CONFIG.replace(
        "recurring = { every = \"month\", points = 300, minor = 1500 }",
        "recurring = { every = \"month\", minor = 1500 }",
    );
    assert_ne!(config, DEMO_CONFIG);
    let setup = Setup {
        config,
        ..Setup::default()
    };
    each_engine_with(setup, |t| async move {
        let (token, card) = t.customer("cash@example.com").await;
        gift(&t, &card, 5_000).await;
        let refused = join(&t, &token, "beans", "k", json!({})).await;
        assert_eq!(
            refused.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PointsNotAccepted
            )
        );
        assert_eq!(clubs(&t, &token).await.balance, 5_000);
    })
    .await;
}

#[tokio::test]
async fn a_clubs_discount_and_multiplier_apply_at_the_till_from_the_moment_of_joining() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = member(&t, "perks@example.com").await;
        gift(&t, &m.card, 500).await;
        let found = identified_by_code(&t, &till, &m.code(now_step())).await;
        assert_eq!(found.card.discount_bp, 300, "Red's 3% before joining");
        join(&t, &m.token, "beans", "k", json!({}))
            .await
            .decode::<ClubWithCard>(StatusCode::CREATED);
        let found = identified_by_code(&t, &till, &m.code(now_step() + 1)).await;
        assert_eq!(found.card.discount_bp, 1000);
        let body = json!({ "ticket": found.ticket, "amount_minor": 10_000, "points": 0 });
        let bought: TillPurchase = till_write(&t, "/api/v1/till/purchases", &till, Some("b"), body)
            .await
            .decode(StatusCode::CREATED);
        // 10% off GEL 100.00; 1 point per GEL 1.00 paid, x1 (Red) x1.5 (the club).
        assert_eq!(bought.bill.discount_bp, 1000);
        assert_eq!(bought.bill.money_paid_minor, 9_000);
        let config = ProgramConfig::parse(DEMO_CONFIG).unwrap();
        let rate = config.programs[0].earning.as_ref().unwrap().rate;
        assert_eq!(bought.points, rate.points_with(9_000, &[100, 150]));
        assert_eq!(bought.points, 135);
    })
    .await;
}

#[tokio::test]
async fn leaving_stops_the_benefits_at_once_without_a_refund() {
    each_engine(|t| async move {
        let (token, card) = t.customer("leaver@example.com").await;
        gift(&t, &card, 500).await;
        joined(&t, &token, "beans", "k").await;
        let left: ClubWithCard = club_write(&t, &token, "beans", "leave", None, Value::Null)
            .await
            .decode(StatusCode::OK);
        assert_eq!(left.club.state, ClubState::Eligible);
        assert_eq!(left.card.club_discount_bp, None);
        assert_eq!(left.card.balance, 0, "no refund");
        assert_eq!(left.card.rate_bp(), 300);
        let again = club_write(&t, &token, "beans", "leave", None, Value::Null).await;
        assert_eq!(
            again.refusal(),
            (StatusCode::CONFLICT, ErrorCode::NotAMember)
        );
        // Joining again costs the month only: the entrance fee was paid once.
        assert_eq!(left.club.entrance, None);
        give(&t, &card, 300, "gift-2", None).await;
        let back = joined(&t, &token, "beans", "k-2").await;
        assert_eq!(back.card.balance, 0);
        assert_eq!(back.club.state, ClubState::Member);
    })
    .await;
}

#[tokio::test]
async fn renewing_early_extends_from_the_current_end_date() {
    each_engine(|t| async move {
        let (token, card) = t.customer("renewer@example.com").await;
        gift(&t, &card, 800).await;
        let first = joined(&t, &token, "beans", "k").await;
        let ends_at = first.club.membership.unwrap().ends_at.unwrap();
        let renewed: ClubWithCard =
            club_write(&t, &token, "beans", "renew", Some("r"), Value::Null)
                .await
                .decode(StatusCode::OK);
        let extended = renewed.club.membership.unwrap().ends_at.unwrap();
        assert!(
            (28 * DAY..=31 * DAY).contains(&(extended - ends_at)),
            "one month more: {}",
            (extended - ends_at) / DAY
        );
        assert_eq!(renewed.card.balance, 0);
        // A retry is the same renewal.
        let retried: ClubWithCard =
            club_write(&t, &token, "beans", "renew", Some("r"), Value::Null)
                .await
                .decode(StatusCode::OK);
        assert_eq!(retried, renewed);
        let broke = club_write(&t, &token, "beans", "renew", Some("r-2"), Value::Null).await;
        assert_eq!(
            broke.refusal(),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InsufficientPoints
            )
        );
        let (other, _) = t.customer("stranger@example.com").await;
        let not_member = club_write(&t, &other, "beans", "renew", Some("r"), Value::Null).await;
        assert_eq!(
            not_member.refusal(),
            (StatusCode::CONFLICT, ErrorCode::NotAMember)
        );
    })
    .await;
}

#[tokio::test]
async fn the_periodic_job_renews_with_points_or_lapses_and_two_passes_do_nothing_twice() {
    each_engine(|t| async move {
        let (renews, renews_card) = t.customer("auto@example.com").await;
        let (lapses, lapses_card) = t.customer("lapse@example.com").await;
        gift(&t, &renews_card, 800).await;
        gift(&t, &lapses_card, 500).await;
        join(&t, &renews, "beans", "k", json!({ "auto_renew": true }))
            .await
            .decode::<ClubWithCard>(StatusCode::CREATED);
        joined(&t, &lapses, "beans", "k").await;
        // Both periods ended an hour ago.
        let ended = tessera_server::store::now_ms() - 3_600_000;
        for card in [&renews_card, &lapses_card] {
            let sql = format!("UPDATE memberships SET ends_at = {ended} WHERE card_id = $1");
            exec(&t, &sql, card).await;
        }
        assert_eq!(club(&t, &lapses, "beans").await.state, ClubState::Lapsed);
        let config = Arc::new(ProgramConfig::parse(DEMO_CONFIG).unwrap());
        let now = tessera_server::store::now_ms();
        let (a, b) = tokio::join!(
            renew_or_lapse_due(&t.state.store, &config, now, 100),
            renew_or_lapse_due(&t.state.store, &config, now, 100),
        );
        let mut ends: Vec<PeriodEnd> = [a.unwrap(), b.unwrap()].concat();
        ends.retain(|e| *e != PeriodEnd::Unchanged);
        ends.sort_by_key(|e| *e == PeriodEnd::Lapsed);
        assert_eq!(ends, [PeriodEnd::Renewed, PeriodEnd::Lapsed]);

        let renewed = club(&t, &renews, "beans").await;
        assert_eq!(renewed.state, ClubState::Member);
        assert!(renewed.membership.unwrap().ends_at.unwrap() > now + 27 * DAY);
        assert_eq!(clubs(&t, &renews).await.balance, 0, "one month taken once");
        let lapsed = club(&t, &lapses, "beans").await;
        assert_eq!(lapsed.state, ClubState::Lapsed);
        let renew = club_write(&t, &lapses, "beans", "renew", Some("r"), Value::Null).await;
        assert_eq!(
            renew.refusal(),
            (StatusCode::CONFLICT, ErrorCode::MembershipLapsed)
        );
        // Nothing is due any more.
        let again = renew_or_lapse_due(&t.state.store, &config, now, 100)
            .await
            .unwrap();
        assert!(again.is_empty(), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn a_week_before_a_renewal_the_club_says_when_the_balance_falls_short() {
    each_engine(|t| async move {
        let (token, card) = t.customer("warned@example.com").await;
        gift(&t, &card, 500).await;
        join(&t, &token, "beans", "k", json!({ "auto_renew": true }))
            .await
            .decode::<ClubWithCard>(StatusCode::CREATED);
        let soon = tessera_server::store::now_ms() + 3 * DAY;
        let sql = format!("UPDATE memberships SET ends_at = {soon} WHERE card_id = $1");
        exec(&t, &sql, &card).await;
        let shown = club(&t, &token, "beans").await.membership.unwrap();
        assert!(shown.auto_renew && shown.renewal_short);
        give(&t, &card, 300, "gift-2", None).await;
        let shown = club(&t, &token, "beans").await.membership.unwrap();
        assert!(!shown.renewal_short);
        // Turned off, nothing is short.
        let off = t
            .send(request(
                Method::PUT,
                &format!("{CLUBS}/beans/auto-renew"),
                Some(&token),
                json!({ "on": false }).to_string().into(),
                Some("application/json"),
            ))
            .await
            .decode::<ClubWithCard>(StatusCode::OK);
        assert!(!off.club.membership.unwrap().auto_renew);
    })
    .await;
}

/// A new member whose purchases meet the tasters' rules (6 in 30 days, GEL 200 paid).
async fn regular(t: &TestApp, till: &str, email: &str) -> crate::till::Member {
    let m = member(t, email).await;
    purchases(t, till, &m, &[4_000; 6]).await;
    m
}

fn answers() -> Value {
    json!([{ "question": "roast", "choices": [2] }, { "question": "why", "text": "I love dark roasts" }])
}

/// An invitation code of a new member of the tasters.
async fn invitation(t: &TestApp, email: &str) -> (String, String) {
    let (token, card) = t.customer(email).await;
    make_member(t, &card, "tasters").await;
    let made: ClubWithCard = club_write(t, &token, "tasters", "invitations", None, Value::Null)
        .await
        .decode(StatusCode::CREATED);
    (made.club.invitations[0].code.clone(), card)
}

#[tokio::test]
async fn a_closed_club_refuses_an_applicant_whose_purchases_fall_short() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = member(&t, "almost@example.com").await;
        purchases(&t, &till, &m, &[6_000, 6_000]).await;
        let shown = club(&t, &m.token, "tasters").await;
        let progress: Vec<_> = shown.rules.iter().map(|r| (r.current, r.met())).collect();
        // Red's 3% off: GEL 58.20 paid each time.
        assert_eq!(progress, [(2, false), (11_640, false)]);
        let (code, _) = invitation(&t, "friend@example.com").await;
        let body = json!({ "answers": answers(), "invitation": code });
        let refused = join(&t, &m.token, "tasters", "k", body).await;
        assert_eq!(
            refused.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::NotEligible)
        );
    })
    .await;
}

#[tokio::test]
async fn an_application_needs_the_required_answers_of_the_right_kind() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = regular(&t, &till, "answers@example.com").await;
        let (code, _) = invitation(&t, "friend@example.com").await;
        let skipped = join(
            &t,
            &m.token,
            "tasters",
            "k-1",
            json!({ "answers": [], "invitation": code }),
        )
        .await;
        assert_eq!(
            skipped.invalid_fields()[0],
            tessera_core::api::FieldError {
                field: "answers.roast".into(),
                code: FieldCode::Required
            }
        );
        let wrong_kind =
            json!({ "answers": [{ "question": "roast", "text": "Dark" }], "invitation": code });
        let refused = join(&t, &m.token, "tasters", "k-2", wrong_kind).await;
        assert_eq!(refused.named_fields(), ["answers.roast"]);
        // The code was not used by the refused attempts.
        let body = json!({ "answers": answers(), "invitation": code });
        let applied: ClubWithCard = join(&t, &m.token, "tasters", "k-3", body)
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(applied.club.state, ClubState::Pending);
    })
    .await;
}

#[tokio::test]
async fn an_invitation_must_be_a_current_members_unused_unexpired_code() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let first = regular(&t, &till, "first@example.com").await;
        let second = regular(&t, &till, "second@example.com").await;
        let apply = |token: String, key: &'static str, code: Option<String>| {
            let t = &t;
            async move {
                let body = json!({ "answers": answers(), "invitation": code });
                join(t, &token, "tasters", key, body).await
            }
        };
        let refusal = |r: Reply| r.refusal();
        let missing = apply(first.token.clone(), "k-1", None).await;
        assert_eq!(
            refusal(missing),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvitationInvalid
            )
        );
        let unknown = apply(first.token.clone(), "k-2", Some("ZZZZZ-ZZZZZ".into())).await;
        assert_eq!(unknown.error_body().error, ErrorCode::InvitationInvalid);

        let (code, inviter) = invitation(&t, "inviter@example.com").await;
        // Typed in lower case with a dash, it is the same code.
        let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
        apply(first.token.clone(), "k-3", Some(typed))
            .await
            .decode::<ClubWithCard>(StatusCode::CREATED);
        let used = apply(second.token.clone(), "k-1", Some(code)).await;
        assert_eq!(
            refusal(used),
            (StatusCode::CONFLICT, ErrorCode::InvitationUsed)
        );

        let (expired, expired_inviter) = invitation(&t, "old@example.com").await;
        exec(
            &t,
            "UPDATE club_invitations SET expires_at = 1 WHERE card_id = $1",
            &expired_inviter,
        )
        .await;
        let late = apply(second.token.clone(), "k-2", Some(expired)).await;
        assert_eq!(
            refusal(late),
            (StatusCode::CONFLICT, ErrorCode::InvitationExpired)
        );

        // A member who leaves takes their unused codes along.
        let (token, card) = t.customer("goner@example.com").await;
        make_member(&t, &card, "tasters").await;
        let made: ClubWithCard =
            club_write(&t, &token, "tasters", "invitations", None, Value::Null)
                .await
                .decode(StatusCode::CREATED);
        club_write(&t, &token, "tasters", "leave", None, Value::Null)
            .await
            .decode::<ClubWithCard>(StatusCode::OK);
        let dead = apply(
            second.token.clone(),
            "k-3",
            Some(made.club.invitations[0].code.clone()),
        )
        .await;
        assert_eq!(dead.error_body().error, ErrorCode::InvitationInvalid);
        let _ = inviter;
    })
    .await;
}

#[tokio::test]
async fn a_member_makes_invitation_codes_up_to_the_yearly_number() {
    each_engine(|t| async move {
        let (token, card) = t.customer("host@example.com").await;
        let not_member = club_write(&t, &token, "tasters", "invitations", None, Value::Null).await;
        assert_eq!(
            not_member.refusal(),
            (StatusCode::CONFLICT, ErrorCode::NotAMember)
        );
        make_member(&t, &card, "tasters").await;
        for made in 1..=3 {
            let club: ClubWithCard =
                club_write(&t, &token, "tasters", "invitations", None, Value::Null)
                    .await
                    .decode(StatusCode::CREATED);
            assert_eq!(club.club.invitations.len(), made);
            assert_eq!(club.club.invitations_left, 3 - made as u32);
            let code = &club.club.invitations[0];
            assert_eq!(code.code.len(), 10);
            assert!(!code.used);
            assert!(code.expires_at - code.created_at >= 14 * DAY);
        }
        let fourth = club_write(&t, &token, "tasters", "invitations", None, Value::Null).await;
        assert_eq!(
            fourth.refusal(),
            (StatusCode::CONFLICT, ErrorCode::InvitationsUsedUp)
        );
        // A club without invitations has none to make.
        let open = club_write(&t, &token, "morning", "invitations", None, Value::Null).await;
        assert_eq!(open.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
    })
    .await;
}

#[tokio::test]
async fn a_manager_approves_an_application_and_its_discount_applies_at_the_till() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = regular(&t, &till, "applicant@example.com").await;
        let (code, _) = invitation(&t, "friend@example.com").await;
        let body = json!({ "answers": answers(), "invitation": code });
        let applied: ClubWithCard = join(&t, &m.token, "tasters", "k", body.clone())
            .await
            .decode(StatusCode::CREATED);
        assert_eq!(applied.club.state, ClubState::Pending);
        assert_eq!(
            applied.club.application.as_ref().unwrap().status,
            ApplicationStatus::Pending
        );
        assert_eq!(
            applied.card.club_discount_bp, None,
            "no benefits while pending"
        );
        let again = join(&t, &m.token, "tasters", "k-2", body).await;
        assert_eq!(
            again.refusal(),
            (StatusCode::CONFLICT, ErrorCode::ApplicationPending)
        );

        // Cashiers do not see the queue; managers do, with the answers in words.
        let refused = t.get("/api/v1/till/applications", Some(&till)).await;
        assert_eq!(
            refused.refusal(),
            (StatusCode::FORBIDDEN, ErrorCode::ManagersOnly)
        );
        let boss = manager(&t).await;
        let queue: TillApplications = t
            .get("/api/v1/till/applications", Some(&boss))
            .await
            .decode(StatusCode::OK);
        let [application] = &queue.applications[..] else {
            panic!("{queue:?}")
        };
        assert_eq!(application.club_id.as_deref(), Some("tasters"));
        assert_eq!(application.applies_to, "Tasters");
        assert_eq!(application.member_name, "Nino");
        assert_eq!(application.card_number.as_ref(), Some(&m.number));
        assert!(application.invited);
        let answered: Vec<(&str, &str)> = application
            .answers
            .iter()
            .map(|a| (a.question.as_str(), a.answer.as_str()))
            .collect();
        assert_eq!(
            answered,
            [
                ("Your favourite roast?", "Dark"),
                ("Why would you like to join?", "I love dark roasts")
            ]
        );

        let decide = format!("/api/v1/till/applications/{}/decide", application.id);
        let by_cashier = t
            .post(&decide, Some(&till), json!({ "approve": true }))
            .await;
        assert_eq!(by_cashier.error_body().error, ErrorCode::ManagersOnly);
        let approved: ApplicationView = t
            .post(&decide, Some(&boss), json!({ "approve": true }))
            .await
            .decode(StatusCode::OK);
        assert_eq!(approved.status, ApplicationStatus::Approved);
        let twice = t
            .post(
                &decide,
                Some(&boss),
                json!({ "approve": false, "reason": "No" }),
            )
            .await;
        assert_eq!(
            twice.refusal(),
            (StatusCode::CONFLICT, ErrorCode::ApplicationDecided)
        );

        let member = club(&t, &m.token, "tasters").await;
        assert_eq!(member.state, ClubState::Member);
        assert_eq!(member.invitations_left, 3);
        // Tasters' 8% beats Red's 3%.
        let found = identified_by_code(&t, &till, &m.code(now_step() + 1)).await;
        let sale = json!({ "ticket": found.ticket, "amount_minor": 10_000, "points": 0 });
        let bought: TillPurchase =
            till_write(&t, "/api/v1/till/purchases", &till, Some("after"), sale)
                .await
                .decode(StatusCode::CREATED);
        assert_eq!(bought.bill.discount_bp, 800);
        assert_eq!(bought.bill.money_paid_minor, 9_200);
    })
    .await;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_the_applicant_reads() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = regular(&t, &till, "rejected@example.com").await;
        let (code, _) = invitation(&t, "friend@example.com").await;
        let body = json!({ "answers": answers(), "invitation": code });
        join(&t, &m.token, "tasters", "k", body)
            .await
            .decode::<ClubWithCard>(StatusCode::CREATED);
        let boss = manager(&t).await;
        let queue: TillApplications = t
            .get("/api/v1/till/applications", Some(&boss))
            .await
            .decode(StatusCode::OK);
        let decide = format!(
            "/api/v1/till/applications/{}/decide",
            queue.applications[0].id
        );
        let no_reason = t
            .post(&decide, Some(&boss), json!({ "approve": false }))
            .await;
        assert_eq!(no_reason.named_fields(), ["reason"]);
        let reason = "We are full until spring.";
        t.post(
            &decide,
            Some(&boss),
            json!({ "approve": false, "reason": reason }),
        )
        .await
        .decode::<ApplicationView>(StatusCode::OK);
        let shown = club(&t, &m.token, "tasters").await;
        assert_eq!(shown.state, ClubState::Eligible, "may apply again");
        let application = shown.application.unwrap();
        assert_eq!(application.status, ApplicationStatus::Rejected);
        assert_eq!(application.reason.as_deref(), Some(reason));
        let empty: TillApplications = t
            .get("/api/v1/till/applications", Some(&boss))
            .await
            .decode(StatusCode::OK);
        assert!(empty.applications.is_empty());
    })
    .await;
}

/// The fees the till may take from the ticket's member.
async fn fee_offers(t: &TestApp, till: &str, ticket: &str) -> Vec<TillClubOffer> {
    let body = json!({ "ticket": ticket });
    let offers: TillClubOffers = t
        .post("/api/v1/till/club-fees/offers", Some(till), body)
        .await
        .decode(StatusCode::OK);
    offers.offers
}

#[tokio::test]
async fn a_till_takes_a_club_fee_in_money_as_a_fee_not_a_purchase() {
    each_engine(|t| async move {
        let till = cashier(&t).await;
        let m = member(&t, "cashfee@example.com").await;
        let found = identified_by_code(&t, &till, &m.code(now_step())).await;
        let offers = fee_offers(&t, &till, &found.ticket).await;
        let offer = offers.iter().find(|o| o.club_id == "beans").unwrap();
        // The entrance fee and the first month, in money.
        assert_eq!((offer.renewal, offer.amount_minor), (false, 2_500));
        let body = json!({ "ticket": found.ticket, "club_id": "beans" });
        let (a, b) = tokio::join!(
            till_write(
                &t,
                "/api/v1/till/club-fees",
                &till,
                Some("fee"),
                body.clone()
            ),
            till_write(
                &t,
                "/api/v1/till/club-fees",
                &till,
                Some("fee"),
                body.clone()
            ),
        );
        let [a, b]: [TillClubFee; 2] = [a, b].map(|r| r.decode(StatusCode::CREATED));
        assert_eq!(a, b);
        assert_eq!(
            (a.club_name.as_str(), a.amount_minor),
            ("Bean subscription", 2_500)
        );
        let shown = club(&t, &m.token, "beans").await;
        assert_eq!(shown.state, ClubState::Member);
        assert_eq!(shown.membership.unwrap().ends_at, a.ends_at);
        // No purchase, no points, no spend.
        let count = |sql: &'static str| crate::till::count(&t, sql, &m.card);
        assert_eq!(
            count("SELECT COUNT(*) FROM purchases WHERE card_id = $1").await,
            0
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM ledger_entries WHERE card_id = $1").await,
            0
        );
        assert_eq!(
            count("SELECT total_spend FROM cards WHERE id = $1").await,
            0
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM club_fees WHERE card_id = $1").await,
            1
        );
        // Next time the till offers the renewal.
        let found = identified_by_code(&t, &till, &m.code(now_step() + 1)).await;
        let offers = fee_offers(&t, &till, &found.ticket).await;
        let offer = offers.iter().find(|o| o.club_id == "beans").unwrap();
        assert_eq!((offer.renewal, offer.amount_minor), (true, 1_500));
        let other = json!({ "ticket": found.ticket, "club_id": "morning" });
        let open = till_write(&t, "/api/v1/till/club-fees", &till, Some("fee-2"), other).await;
        assert_eq!(open.refusal(), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
        // Only for a live ticket of this till.
        let stale = t
            .post(
                "/api/v1/till/club-fees/offers",
                Some(&till),
                json!({ "ticket": "nope" }),
            )
            .await;
        assert_eq!(stale.error_body().error, ErrorCode::TicketInvalid);
    })
    .await;
}

/// The catalog as the customer sees it.
async fn catalog(t: &TestApp, token: &str) -> Rewards {
    t.get("/api/v1/programs/mziuri/rewards", Some(token))
        .await
        .decode(StatusCode::OK)
}

#[tokio::test]
async fn a_club_members_price_is_shown_in_the_catalog_and_spent_on_redeeming() {
    each_engine(|t| async move {
        let (token, card) = t.customer("member-price@example.com").await;
        gift(&t, &card, 600).await;
        let coffee = |rewards: &Rewards| rewards.rewards.iter().find(|r| r.id == "coffee").cloned();
        let before = coffee(&catalog(&t, &token).await).unwrap();
        assert_eq!((before.cost, before.list_cost), (150, None));
        // The Bean subscription's 500 points; its members pay 100 for a coffee.
        joined(&t, &token, "beans", "k").await;
        let member = coffee(&catalog(&t, &token).await).unwrap();
        assert_eq!((member.cost, member.list_cost), (100, Some(150)));
        let mut req = request(
            Method::POST,
            "/api/v1/programs/mziuri/rewards/coffee/redeem",
            Some(&token),
            axum::body::Body::empty(),
            None,
        );
        req.headers_mut()
            .insert("idempotency-key", "coffee-1".parse().unwrap());
        let redeemed: VoucherWithCard = t.send(req).await.decode(StatusCode::CREATED);
        assert_eq!(redeemed.voucher.cost, 100);
        assert_eq!(redeemed.card.balance, 0, "600 - 500 - 100");
    })
    .await;
}
