#![cfg(target_arch = "wasm32")]
//! Component tests in a real browser (wasm-bindgen-test + headless Chromium).

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use tessera_core::api::{
    ApplicationStatus, ApplicationView, Card, CheckoutSecret, ClubState, ClubView, Clubs, Consent,
    ConsentKind, Consents, DiscountView, EntryState, ErrorCode, HistoryEntry, HistoryPage,
    InvitationView, Me, MembershipView, PartnerView, PointsOn, Profile, ProgramEntry, ProgramOffer,
    QuestionView, RewardGoal, RewardView, Rewards, Session, SessionView, Sessions, TierGoal,
    TierStatus, Voucher, VoucherStatus, VoucherValue, VoucherWithCard, Wallet,
};
use tessera_core::checkout::{scanned_code, step_at, typed_code, CardSecret};
use tessera_core::club::{ClubKind, QuestionKind, RuleKind, RuleProgress};
use tessera_core::discount::DiscountKind;
use tessera_core::points::EntryKind;
use tessera_core::tier::QualifyBy;
use tessera_core::Currency;
use tessera_wallet::api::{self, Wake};
use tessera_wallet::areas::Area;
use tessera_wallet::checkout_key::{self, clock_offset, CheckoutKey};
use tessera_wallet::code_screen::{self, Points, Scanned};
use tessera_wallet::components::CardTile;
use tessera_wallet::format::{civil_day, decimal, Fmt};
use tessera_wallet::i18n::Locale;
use tessera_wallet::kept;
use tessera_wallet::next_step::{next_step, step_text, NextStep};
use tessera_wallet::pages::{CardPage, CardsPage, JoinPage, SettingsPage, SignInPage};
use tessera_wallet::session::{Auth, CUSTOMER, ENDED};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::js_sys;

mod support;
use support::{
    bare_card, fetch_is_real, mount, mount_faked, next_turn, type_into, wait_for, FakeFetch,
};

wasm_bindgen_test_configure!(run_in_browser);

fn query(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn requests_to(path: &str) -> u32 {
    js_sys::eval(&format!(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('{path}')).length"
    ))
    .unwrap()
    .as_f64()
    .unwrap() as u32
}

const GEL: &str = "GEL";

fn points_on(date: &str, points: i64) -> PointsOn {
    let day = civil_day(date).unwrap();
    let (y, m, d) = (day.year(), day.month(), day.day());
    // Noon UTC: the same local day in every time zone the test browser may run in.
    let at = js_sys::Date::utc(y as f64, (m - 1) as f64) + (d as f64 - 0.5) * 86_400_000.0;
    PointsOn {
        at: at as i64,
        date: date.into(),
        points,
    }
}

fn goal(name: &str, threshold: i64, remaining: i64, by: Option<&str>) -> TierGoal {
    TierGoal {
        name: name.into(),
        threshold,
        remaining,
        by: by.map(Into::into),
    }
}

/// The issue's example card: Silver by spend, part way to Gold, points pending and expiring.
fn example_card() -> Card {
    Card {
        id: "c1".into(),
        program_id: "mziuri".into(),
        program_name: "Mziuri Coffee".into(),
        point_name: "points".into(),
        balance: 412,
        terms_version: "2026-11-01".into(),
        enrolled_at: 1_763_900_000_000,
        pending: vec![points_on("2026-11-27", 18)],
        expiring: vec![points_on("2026-11-30", 120)],
        tier: Some(TierStatus {
            name: "Silver".into(),
            rank: 1,
            levels: 3,
            threshold: 50_000,
            qualify_by: QualifyBy::Spend,
            qualifying: 95_500,
            multiplier_percent: 125,
            discount_bp: 500,
            perks: vec!["Free refill".into()],
            next: Some(goal("Gold", 150_000, 54_500, Some("2027-02-28"))),
            keep: None,
        }),
        discount: DiscountView {
            kind: DiscountKind::Tier,
            rate_bp: 500,
            next_rate_bp: None,
            next_spend_minor: None,
            drops_at: None,
        },
        ..bare_card()
    }
}

/// An English (UK) reader on 25 November 2026.
fn uk() -> Fmt {
    Fmt::at("en-GB", "2026-11-25").unwrap()
}

fn line(card: &Card) -> Option<String> {
    next_step(card).map(|step| step_text(&step, card, &uk(), Locale::En))
}

#[wasm_bindgen_test]
fn next_line_prefers_the_soonest_expiring_points() {
    let mut card = example_card();
    card.expiring = vec![points_on("2026-12-03", 7), points_on("2026-11-30", 120)];
    card.tier.as_mut().unwrap().keep = Some(goal("Silver", 50_000, 1_000, Some("2026-12-31")));
    card.discount.next_rate_bp = Some(700);
    assert_eq!(
        next_step(&card),
        Some(NextStep::Expiring(&points_on("2026-11-30", 120)))
    );
    assert_eq!(line(&card).unwrap(), "120 points expire on 30 Nov");
}

#[wasm_bindgen_test]
fn next_line_then_keeps_the_level_then_reaches_the_next() {
    let mut card = example_card();
    card.expiring.clear();
    assert_eq!(
        line(&card).unwrap(),
        "Spend ₾545.00 more by 28 Feb to reach Gold"
    );

    let tier = card.tier.as_mut().unwrap();
    tier.keep = Some(goal("Silver", 50_000, 12_050, Some("2026-12-31")));
    assert_eq!(
        line(&card).unwrap(),
        "Spend ₾120.50 more by 31 Dec to keep Silver"
    );

    // Met already: nothing to do for it, so the next level is what matters.
    card.tier.as_mut().unwrap().keep = Some(goal("Silver", 50_000, 0, None));
    assert!(matches!(next_step(&card), Some(NextStep::ReachTier(_))));

    // Levels by points, without a deadline.
    let tier = card.tier.as_mut().unwrap();
    tier.qualify_by = QualifyBy::Points;
    tier.keep = Some(goal("Silver", 500, 1_300, None));
    card.point_name = "stars".into();
    assert_eq!(
        line(&card).unwrap(),
        "Collect 1,300 more stars to keep Silver"
    );
    card.tier.as_mut().unwrap().keep = None;
    card.tier.as_mut().unwrap().next = Some(goal("Gold", 2_000, 40, Some("2027-12-31")));
    assert_eq!(
        line(&card).unwrap(),
        "Collect 40 more stars by 31 Dec 2027 to reach Gold"
    );
}

#[wasm_bindgen_test]
fn next_line_shows_the_reward_within_reach_before_the_next_level() {
    let mut card = example_card();
    card.expiring.clear();
    card.next_reward = Some(RewardGoal {
        name: "Any coffee".into(),
        points: 150,
        remaining: 40,
    });
    assert_eq!(line(&card).unwrap(), "40 points to go: Any coffee");
    // Keeping the level still comes first; a reward already affordable is nothing to do.
    card.tier.as_mut().unwrap().keep = Some(goal("Silver", 50_000, 12_050, Some("2026-12-31")));
    assert!(matches!(next_step(&card), Some(NextStep::KeepTier(_))));
    card.tier.as_mut().unwrap().keep = None;
    card.next_reward.as_mut().unwrap().remaining = 0;
    assert!(matches!(next_step(&card), Some(NextStep::ReachTier(_))));
}

#[wasm_bindgen_test]
fn next_line_then_shows_the_discount_step_else_nothing() {
    let mut card = example_card();
    card.expiring.clear();
    // The top level: no next, no keep.
    card.tier.as_mut().unwrap().next = None;
    assert_eq!(next_step(&card), None);

    card.discount = DiscountView {
        kind: DiscountKind::Cumulative,
        rate_bp: 500,
        next_rate_bp: Some(700),
        next_spend_minor: Some(2_000),
        drops_at: None,
    };
    assert_eq!(line(&card).unwrap(), "Spend ₾20.00 more to get 7% off");
    card.discount.next_spend_minor = Some(0);
    card.discount.next_rate_bp = Some(1_050);
    assert_eq!(
        line(&card).unwrap(),
        "Your next purchase raises your discount to 10.5%"
    );

    card.discount = DiscountView {
        kind: DiscountKind::Decaying,
        rate_bp: 700,
        next_rate_bp: None,
        next_spend_minor: None,
        drops_at: Some(points_on("2026-12-05", 0).at),
    };
    assert_eq!(
        line(&card).unwrap(),
        "Shop before 5 Dec to keep your 7% discount"
    );
    card.discount.rate_bp = 0;
    assert_eq!(next_step(&card), None, "nothing left to lose");
    assert_eq!(next_step(&bare_card()), None);
}

#[wasm_bindgen_test]
fn numbers_and_money_follow_the_locale() {
    let uk = uk();
    assert_eq!(uk.points(1_234_567), "1,234,567");
    assert_eq!(uk.points(-5), "-5");
    assert_eq!(uk.signed_points(18), "+18");
    assert_eq!(uk.signed_points(-50), "-50");
    assert_eq!(uk.signed_points(0), "0");
    let gel = Currency::new(GEL).unwrap();
    assert_eq!(uk.money(54_500, &gel), "₾545.00");
    assert_eq!(uk.money(5, &gel), "₾0.05");
    // Exact beyond f64's cents: 2^53 + 1 minor units.
    assert_eq!(
        uk.money(9_007_199_254_740_993, &gel),
        "₾90,071,992,547,409.93"
    );
    assert_eq!(uk.money(1_234, &Currency::new("JPY").unwrap()), "¥1,234");
    assert_eq!(uk.percent(500), "5%");
    assert_eq!(uk.percent(250), "2.5%");
    assert_eq!(uk.percent(1_234), "12.34%");
    assert_eq!(uk.multiplier(125), "1.25");
    assert_eq!(uk.multiplier(200), "2");
    let german = Fmt::at("de-DE", "2026-11-25").unwrap();
    assert_eq!(german.points(1_234_567), "1.234.567");
    assert_eq!(german.money(54_500, &gel), "545,00\u{a0}₾");

    assert_eq!(decimal(-54_500, 2), "-545.00");
    assert_eq!(decimal(7, 4), "0.0007");
    assert_eq!(decimal(300, 0), "300");
}

#[wasm_bindgen_test]
fn days_are_calendar_days_with_the_year_only_when_needed() {
    let uk = uk();
    assert_eq!(uk.day("2026-11-30"), "30 Nov");
    assert_eq!(uk.day("2026-01-05"), "5 Jan", "earlier this year");
    assert_eq!(uk.day("2027-02-28"), "28 Feb", "coming, within ten months");
    assert_eq!(uk.day("2027-11-30"), "30 Nov 2027", "a year ahead");
    assert_eq!(uk.day("2025-12-31"), "31 Dec 2025", "last year");
    assert_eq!(
        Fmt::at("en-US", "2026-11-25").unwrap().day("2026-11-30"),
        "Nov 30"
    );
    // Not a day: shown as it is rather than guessed.
    assert_eq!(uk.day("2026-02-30"), "2026-02-30");
    assert_eq!(uk.day("soon"), "soon");
    assert_eq!(
        civil_day("2028-02-29"),
        NaiveDate::from_ymd_opt(2028, 2, 29)
    );
    assert_eq!(civil_day("2026-02-29"), None);
    // Exactly `YYYY-MM-DD`, nothing near it.
    for near in [
        "2026-1-05",
        "2026-11-5",
        "2026/11/30",
        "+026-11-30",
        "2026-11-3x",
        "2026-11-30 ",
        "2026-11-30T00",
        "20é6-11-30",
        "2026-11-é0",
    ] {
        assert_eq!(civil_day(near), None, "{near}");
    }
    // An instant is shown as the reader's local day (noon UTC is the same day everywhere the
    // tests run).
    assert_eq!(uk.local_day(points_on("2026-11-27", 0).at), "27 Nov");
    assert_eq!(
        uk.local_day(i64::MAX),
        "",
        "out of range: nothing rather than a crash"
    );
}

#[wasm_bindgen_test]
fn card_tile_shows_program_balance_level_and_what_matters_next() {
    let card = example_card();
    let root = mount(move || view! { <CardTile card=card /> });
    let link = query(&root, "a");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/cards/c1"));
    let article = query(&root, "a > article");
    assert_eq!(
        article.get_attribute("aria-label").as_deref(),
        Some("Mziuri Coffee")
    );
    assert_eq!(
        query(&root, ".card-tile__program").text_content().unwrap(),
        "Mziuri Coffee"
    );
    assert_eq!(
        query(&root, ".tier-badge").text_content().unwrap(),
        "Level: Silver"
    );
    assert_eq!(
        query(&root, "[data-testid=balance]")
            .text_content()
            .unwrap(),
        "412"
    );
    let next = query(&root, "[data-testid=next]").text_content().unwrap();
    let expected = step_text(
        &next_step(&example_card()).unwrap(),
        &example_card(),
        &Fmt::for_language("en"),
        Locale::En,
    );
    assert_eq!(next, expected);
    assert!(next.starts_with("120 points expire on "), "{next}");

    // One tap to the checkout code: a full page load into the code screen's own app, as long as
    // the page has not loaded that app's module (`modules`; the wallet's page does).
    let code = query(&root, "a.card-slot__code");
    assert_eq!(
        code.get_attribute("href").as_deref(),
        Some("/cards/c1/code")
    );
    assert_eq!(code.get_attribute("rel").as_deref(), Some("external"));
    assert_eq!(
        code.get_attribute("aria-label").as_deref(),
        Some("Show code for Mziuri Coffee")
    );
}

#[wasm_bindgen_test]
fn card_tile_without_anything_next_says_since_when() {
    let card = bare_card();
    let root = mount(move || view! { <CardTile card=card /> });
    assert_eq!(
        query(&root, "[data-testid=balance]")
            .text_content()
            .unwrap(),
        "12,345"
    );
    assert_eq!(
        query(&root, ".card-tile__unit").text_content().unwrap(),
        "beans"
    );
    assert!(
        root.query_selector(".tier-badge").unwrap().is_none(),
        "no level, no badge (the styles draw a card chip instead)"
    );
    let since = Fmt::for_language("en").local_day(1_795_392_000_000);
    assert_eq!(
        query(&root, "[data-testid=next]").text_content().unwrap(),
        format!("Member since {since}")
    );
}

/// `n` history entries, newest (highest `seq`) first, from `top` down.
fn entries(top: i64, n: i64) -> Vec<HistoryEntry> {
    (0..n)
        .map(|i| {
            let seq = top - i;
            let spent = seq % 5 == 0;
            HistoryEntry {
                seq,
                kind: if spent {
                    EntryKind::Spent
                } else {
                    EntryKind::Earned
                },
                points: if spent { -50 } else { 18 },
                reason: if spent { "Free cappuccino" } else { "Purchase" }.into(),
                place: (seq % 2 == 0).then(|| "Vake".into()),
                spend_minor: (!spent).then_some(1_800),
                at: points_on("2026-11-20", 0).at + seq * 60_000,
            }
        })
        .collect()
}

/// A fake `fetch` that answers the wallet's requests with `routes` (path and query -> status and
/// JSON body) and counts them in `window.__requests`.
fn fake_api(routes: &[(&str, u16, String)]) -> String {
    let table: Vec<String> = routes
        .iter()
        .map(|(path, status, body)| format!("[{path:?}, {status}, {body}]"))
        .collect();
    js_sys::eval("window.__requests = [];").unwrap();
    format!(
        r#"(() => {{
            const routes = new Map([{}].map(([path, status, body]) => [path, [status, body]]));
            return async (input, init) => {{
                // fetch's own contract: a URL and options, or a Request (as gloo-net sends).
                const path = new URL(new Request(input, init).url);
                const key = path.pathname + path.search;
                window.__requests.push(key);
                const [status, body] = routes.get(key) ||
                    [404, {{ error: "not_found", message: "Not found." }}];
                await new Promise((r) => setTimeout(r, 5));
                return new Response(JSON.stringify(body), {{
                    status,
                    headers: {{ "Content-Type": "application/json" }},
                }});
            }};
        }})()"#,
        table.join(",")
    )
}

fn requests(prefix: &str) -> Vec<String> {
    let all: js_sys::Array = js_sys::eval("window.__requests").unwrap().unchecked_into();
    all.iter()
        .filter_map(|r| r.as_string())
        .filter(|r| r.starts_with(prefix))
        .collect()
}

/// Mounts the card screen route at `/cards/{id}`, with the API answered by `routes`.
fn mount_card_screen(
    id: &str,
    routes: &[(&str, u16, String)],
) -> (web_sys::HtmlElement, FakeFetch) {
    mount_card_route(id, &fake_api(routes))
}

/// Mounts the card screen route at `/cards/{id}`, with `fetch` answered by `fake`.
fn mount_card_route(id: &str, fake: &str) -> (web_sys::HtmlElement, FakeFetch) {
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("/cards/{id}")),
        )
        .unwrap();
    mount_faked(fake, || {
        provide_context(Auth::from_storage());
        view! {
                <Router>
                    <Routes fallback=|| "no route">
                        <Route path=path!("/cards/:id") view=CardPage />
                    </Routes>
                </Router>
        }
    })
}

/// Mounts the screen of the areas at `path` (as the areas module shows it in the wallet's
/// page), with `fetch` answered by `fake`.
fn mount_area(path: &str, fake: &str) -> (web_sys::HtmlElement, FakeFetch) {
    assert!(Area::of(path).is_some(), "an address of the areas: {path}");
    let path = path.to_owned();
    mount_faked(fake, move || {
        provide_context(Auth::from_storage());
        // Made inside the provider, as the module makes it.
        let screen = move || {
            let path = path.as_str();
            Area::rewards_or_vouchers(path)
                .or_else(|| Area::clubs(path))
                .or_else(|| Area::entry(path))
                .or_else(|| Area::account(path))
                .or_else(|| Area::trust(path))
        };
        view! { {screen()} }
    })
}

#[wasm_bindgen_test]
fn each_address_of_the_areas_has_its_screen() {
    let card = |s: &str| s.to_owned();
    assert_eq!(
        Area::of("/cards/c1/rewards"),
        Some(Area::Rewards { card: card("c1") })
    );
    assert_eq!(
        Area::of("/cards/c1/rewards/coffee"),
        Some(Area::Reward {
            card: card("c1"),
            reward: card("coffee")
        })
    );
    assert_eq!(Area::of("/vouchers"), Some(Area::Vouchers));
    // Clubs are the memberships module's; the rest the areas module's.
    let clubs = Area::of("/cards/c1/clubs/beans").unwrap();
    assert_eq!(
        clubs,
        Area::Club {
            card: card("c1"),
            club: card("beans")
        }
    );
    assert_eq!(clubs.module(), "memberships");
    assert_eq!(Area::of("/cards/c1/clubs").unwrap().module(), "memberships");
    assert_eq!(Area::of("/vouchers").unwrap().module(), "areas");
    // The customer's details and password are the account module's; sessions, data and a
    // program's new terms the trust module's.
    assert_eq!(Area::of("/settings/sessions"), Some(Area::Sessions));
    assert_eq!(Area::of("/settings/details"), Some(Area::Details));
    assert_eq!(Area::of("/settings/password/"), Some(Area::Password));
    assert_eq!(Area::of("/settings/data"), Some(Area::Data));
    assert_eq!(
        Area::of("/cards/c1/terms"),
        Some(Area::Terms { card: card("c1") })
    );
    assert_eq!(Area::of("/settings"), Some(Area::Settings));
    for area in [Area::Settings, Area::Details, Area::Password] {
        assert_eq!(area.module(), "account");
    }
    for area in [Area::Sessions, Area::Data, Area::Terms { card: card("c1") }] {
        assert_eq!(area.module(), "trust");
    }
    // A closed program is the entry module's.
    let program = Area::of("/programs/cellar").unwrap();
    assert_eq!(
        program,
        Area::Program {
            program: "cellar".into()
        }
    );
    assert_eq!(program.module(), "entry");
    // So is a closed club's application form (the memberships module carries no form).
    let form = Area::of("/cards/c1/clubs/tasters/apply").unwrap();
    assert_eq!(
        form,
        Area::ClubApplication {
            card: card("c1"),
            club: card("tasters")
        }
    );
    assert_eq!(form.module(), "entry");
    assert_eq!(
        Area::of("/vouchers/v1/"),
        Some(Area::Voucher { id: card("v1") })
    );
    for other in [
        "/",
        "/cards/c1",
        "/cards//rewards",
        "/vouchers/v1/cancel",
        "/settings/other",
    ] {
        assert_eq!(Area::of(other), None, "{other}");
    }
}

/// A reward of the catalog costing `cost`, refused for `refusal` (with `missing` points short).
fn reward(id: &str, cost: i64, refusal: Option<ErrorCode>, missing: i64) -> RewardView {
    RewardView {
        id: id.into(),
        title: format!("The {id}"),
        description: "Nice.".into(),
        picture: format!("/rewards/{id}.svg"),
        cost,
        list_cost: None,
        value: VoucherValue {
            item_minor: Some(650),
            off_minor: None,
            off_bp: None,
        },
        stock_left: None,
        available_until: None,
        tiers: Vec::new(),
        partners: Vec::new(),
        refusal,
        missing_points: missing,
    }
}

/// The example card with nothing due to mature or expire: its balance stays as it is.
fn steady_card() -> Card {
    Card {
        pending: Vec::new(),
        expiring: Vec::new(),
        ..example_card()
    }
}

fn catalog() -> Rewards {
    Rewards {
        program_id: "mziuri".into(),
        partners: ["Mziuri Coffee", "Mziuri Bakery"]
            .map(|name| PartnerView {
                id: name.to_lowercase().replace(' ', "-"),
                name: name.into(),
                locations: vec!["Vake Park".into()],
            })
            .to_vec(),
        rewards: vec![
            RewardView {
                stock_left: Some(3),
                partners: vec!["Mziuri Bakery".into()],
                ..reward("croissant", 120, None, 0)
            },
            reward("coffee", 150, None, 0),
            reward("mug", 900, Some(ErrorCode::InsufficientPoints), 488),
            RewardView {
                tiers: vec!["Gold".into()],
                ..reward("tasting", 600, Some(ErrorCode::NotEligible), 188)
            },
            RewardView {
                stock_left: Some(0),
                ..reward("lamp", 100, Some(ErrorCode::OutOfStock), 0)
            },
        ],
    }
}

/// The card `c1` and its program's [`catalog`], as the server answers them.
fn catalog_routes() -> Vec<(&'static str, u16, String)> {
    vec![
        (
            "/api/v1/cards/c1",
            200,
            serde_json::to_string(&steady_card()).unwrap(),
        ),
        (
            "/api/v1/programs/mziuri/rewards",
            200,
            serde_json::to_string(&catalog()).unwrap(),
        ),
    ]
}

#[wasm_bindgen_test]
async fn the_catalog_shows_what_stands_between_the_member_and_each_reward() {
    let routes = catalog_routes();
    let (root, _api) = mount_area("/cards/c1/rewards", &fake_api(&routes));
    wait_for("the catalog", || texts(&root, ".reward").len() == 5).await;
    assert_eq!(
        texts(&root, "[data-testid=rewards-balance]"),
        ["You have 412 points to spend."]
    );
    assert_eq!(
        texts(&root, ".rewards__partners"),
        ["Collect and spend at Mziuri Coffee, Mziuri Bakery."]
    );
    assert_eq!(
        texts(&root, ".reward__note"),
        [
            "At Mziuri Bakery · Only 3 left",
            "You can redeem this now",
            "488 more points",
            "For Gold members",
            "Out of stock",
        ]
    );
    // Only what the member can redeem now reads as ready.
    assert_eq!(texts(&root, ".reward__note--ready").len(), 2);
    assert_eq!(
        query(&root, "[data-reward=coffee]")
            .get_attribute("href")
            .as_deref(),
        Some("/cards/c1/rewards/coffee")
    );
    // The card and the catalog, each asked for once.
    assert_eq!(
        requests("/api/v1/programs/"),
        ["/api/v1/programs/mziuri/rewards"]
    );
    root.remove();
}

/// A club of the demo's program as the server lists it for the member, in `state`.
fn club(id: &str, kind: ClubKind, state: ClubState) -> ClubView {
    ClubView {
        id: id.into(),
        name: id.to_uppercase(),
        description: String::new(),
        picture: format!("/clubs/{id}.svg"),
        kind,
        discount_bp: None,
        multiplier_percent: None,
        perks: Vec::new(),
        rewards: Vec::new(),
        entrance: None,
        recurring: None,
        every: None,
        rules: Vec::new(),
        questions: Vec::new(),
        invitation: false,
        approval: false,
        state,
        membership: None,
        application: None,
        invitations: Vec::new(),
        invitations_left: 0,
    }
}

#[wasm_bindgen_test]
async fn the_clubs_say_what_they_give_and_where_the_member_stands() {
    let mut beans = club("beans", ClubKind::Paid, ClubState::Member);
    beans.discount_bp = Some(1000);
    beans.multiplier_percent = Some(150);
    beans.membership = Some(MembershipView {
        joined_at: 1_765_000_000_000,
        ends_at: Some(1_767_225_600_000),
        auto_renew: true,
        renewal_short: false,
    });
    let mut tasters = club("tasters", ClubKind::Closed, ClubState::NotEligible);
    tasters.rules = vec![
        RuleProgress {
            kind: RuleKind::RecentPurchases,
            current: 3,
            required: 5,
            window_days: Some(30),
        },
        RuleProgress {
            kind: RuleKind::Spend,
            current: 12_000,
            required: 20_000,
            window_days: None,
        },
    ];
    let mut chess = club("chess", ClubKind::Closed, ClubState::Eligible);
    chess.application = Some(ApplicationView {
        id: "a1".into(),
        status: ApplicationStatus::Rejected,
        applied_at: 1_765_000_000_000,
        decided_at: Some(1_765_100_000_000),
        reason: Some("Full until spring".into()),
    });
    let clubs = Clubs {
        program_id: "mziuri".into(),
        program_name: "Mziuri Coffee".into(),
        point_name: "points".into(),
        currency: Currency::new(GEL).unwrap(),
        balance: 412,
        clubs: vec![beans, tasters, chess],
    };
    let routes = vec![(
        "/api/v1/cards/c1/clubs",
        200,
        serde_json::to_string(&clubs).unwrap(),
    )];
    let (root, _api) = mount_area("/cards/c1/clubs", &fake_api(&routes));
    wait_for("the clubs", || texts(&root, ".reward").len() == 3).await;
    assert_eq!(
        texts(&root, ".reward__cost")[0],
        "10% off every purchase · ×1.5 points on every purchase"
    );
    let notes = texts(&root, ".reward__note");
    assert!(notes[0].starts_with("Renews on "), "{notes:?}");
    // Only the rules not met yet, in the member's words and money.
    assert_eq!(
        notes[1],
        "3 of 5 purchases in the last 30 days · ₾120.00 of ₾200.00 spent"
    );
    assert_eq!(notes[2], "Not approved: Full until spring");
    // The decision is a notice until dismissed.
    assert_eq!(
        texts(&root, "[data-testid=club-notice] p"),
        ["Your application to CHESS was not approved: Full until spring"]
    );
    query(&root, "[data-testid=club-notice] button")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_for("the notice gone", || {
        texts(&root, "[data-testid=club-notice]").is_empty()
    })
    .await;
    root.remove();
}

#[wasm_bindgen_test]
async fn the_sessions_name_each_device_and_mark_this_one() {
    let view = |id: &str, browser: Option<&str>, system: Option<&str>, current: bool| SessionView {
        id: id.into(),
        browser: browser.map(str::to_owned),
        system: system.map(str::to_owned),
        created_at: 1_765_000_000_000,
        last_used_at: 1_765_100_000_000,
        current,
    };
    let sessions = Sessions {
        sessions: vec![
            view("s1", Some("Firefox"), Some("macOS"), true),
            view("s2", Some("Chrome"), Some("Android"), false),
            view("s3", None, None, false),
        ],
    };
    let routes = vec![(
        "/api/v1/me/sessions",
        200,
        serde_json::to_string(&sessions).unwrap(),
    )];
    let (root, _api) = mount_area("/settings/sessions", &fake_api(&routes));
    wait_for("the sessions", || {
        texts(&root, "[data-testid=session]").len() == 3
    })
    .await;
    assert_eq!(
        texts(&root, "[data-testid=session] strong"),
        ["Firefox on macOS", "Chrome on Android", "A browser"]
    );
    // This device has no button to sign it out; the others have one each.
    assert_eq!(
        texts(&root, "[data-testid=session] .reward__ready"),
        ["This device"]
    );
    assert_eq!(texts(&root, "[data-testid=session] button").len(), 2);
    assert!(texts(&root, "button")
        .iter()
        .any(|b| b == "Sign out everywhere else"));
    root.remove();
}

/// The details of someone named Nino, as `GET /me/profile` answers them.
fn profile_json() -> String {
    serde_json::to_string(&Profile {
        display_name: "Nino".into(),
        phone: None,
        preferred_language: None,
        marketing_opt_in: false,
    })
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_consent_history_says_what_was_agreed_with_its_version() {
    sign_in_as("consents");
    let consent = |kind, program: Option<&str>, version: Option<&str>, granted| Consent {
        kind,
        program_id: program.map(|_| "mziuri".to_owned()),
        program_name: program.map(str::to_owned),
        version: version.map(str::to_owned),
        granted,
        at: 1_765_000_000_000,
    };
    let history = Consents {
        consents: vec![
            consent(ConsentKind::Marketing, None, None, false),
            consent(ConsentKind::Marketing, None, None, true),
            consent(
                ConsentKind::ProgramTerms,
                Some("Mziuri Coffee"),
                Some("2026-11-01"),
                true,
            ),
            consent(ConsentKind::AccountTerms, None, Some("2026-11"), true),
        ],
    };
    let routes = vec![
        (
            "/api/v1/me/consents",
            200,
            serde_json::to_string(&history).unwrap(),
        ),
        ("/api/v1/me/profile", 200, profile_json()),
    ];
    let (root, _api) = mount_area("/settings/details", &fake_api(&routes));
    wait_for("the history", || {
        texts(&root, "[data-testid=consent]").len() == 4
    })
    .await;
    assert_eq!(
        texts(&root, "[data-testid=consent] strong"),
        [
            "Declined offers by email",
            "Agreed to offers by email",
            "Accepted Mziuri Coffee's terms, version 2026-11-01",
            "Accepted Tessera's terms, version 2026-11",
        ]
    );
    // The form holds the details as the server has them.
    wait_for("the form", || {
        root.query_selector("#display_name").unwrap().is_some()
    })
    .await;
    let name: web_sys::HtmlInputElement = root
        .query_selector("#display_name")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(name.value(), "Nino");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_wrong_phone_is_named_before_the_details_are_sent() {
    sign_in_as("details");
    let routes = [("/api/v1/me/profile", 200, profile_json())];
    let (root, _api) = mount_area("/settings/details", &fake_api(&routes));
    wait_for("the form", || {
        root.query_selector("#phone").unwrap().is_some()
    })
    .await;
    type_into(&root, "#phone", "call me maybe");
    root.query_selector("form button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_for("the phone's error", || {
        texts(&root, "#phone-error") == ["Enter digits only, with an optional + at the start."]
    })
    .await;
    let sent = js_sys::eval("window.__requests.filter((r) => r === '/api/v1/me').length")
        .unwrap()
        .as_f64();
    assert_eq!(sent, Some(0.0));
    root.remove();
}

/// The demo's closed program as the server shows it to someone without its card.
fn cellar_entry(state: EntryState) -> ProgramEntry {
    ProgramEntry {
        program_id: "cellar".into(),
        name: "Mziuri Wine Cellar".into(),
        description: "Members' tastings.".into(),
        questions: vec![QuestionView {
            id: "adult".into(),
            text: "Are you 18 or older?".into(),
            kind: QuestionKind::YesNo,
            options: Vec::new(),
            required: true,
        }],
        invitation: true,
        approval: true,
        state,
        card_id: None,
        application: None,
        invitations: Vec::new(),
        invitations_left: 0,
    }
}

#[wasm_bindgen_test]
async fn a_rejected_applicant_to_a_closed_program_reads_why_above_a_new_application() {
    let mut entry = cellar_entry(EntryState::CanApply);
    entry.application = Some(ApplicationView {
        id: "a1".into(),
        status: ApplicationStatus::Rejected,
        applied_at: 1_765_000_000_000,
        decided_at: Some(1_765_100_000_000),
        reason: Some("Full until spring".into()),
    });
    let routes = vec![(
        "/api/v1/programs/cellar/entry",
        200,
        serde_json::to_string(&entry).unwrap(),
    )];
    let (root, _api) = mount_area("/programs/cellar", &fake_api(&routes));
    wait_for("the program", || !texts(&root, "h1").is_empty()).await;
    assert_eq!(texts(&root, "h1"), ["Mziuri Wine Cellar"]);
    assert_eq!(
        texts(&root, "[data-testid=program-state]"),
        ["Not approved: Full until spring"]
    );
    assert_eq!(
        texts(&root, ".lines .event"),
        [
            "A few questions",
            "An invitation code from a member",
            "Approval by the team"
        ]
    );
    // The form asks the question and the code again.
    assert_eq!(texts(&root, "legend"), ["Are you 18 or older?"]);
    assert!(root.query_selector("#invitation").unwrap().is_some());
    root.remove();
}

#[wasm_bindgen_test]
async fn an_unknown_or_open_program_says_there_is_none_to_apply_to() {
    // Every path the fake does not know answers 404 `not_found`, as the server does for an open
    // or unknown program's entry.
    let (root, _api) = mount_area("/programs/mziuri", &fake_api(&[]));
    wait_for("the missing state", || {
        !texts(&root, ".state--missing").is_empty()
    })
    .await;
    assert_eq!(texts(&root, ".state__title"), ["Program not found"]);
    assert!(root.query_selector("form").unwrap().is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn a_cardholder_of_a_closed_program_opens_the_card_and_shares_codes() {
    let mut entry = cellar_entry(EntryState::Cardholder);
    entry.card_id = Some("c9".into());
    entry.invitations = vec![InvitationView {
        code: "ABCDEFGHJK".into(),
        created_at: 1_765_000_000_000,
        expires_at: 1_767_600_000_000,
        used: false,
    }];
    entry.invitations_left = 2;
    let routes = vec![(
        "/api/v1/programs/cellar/entry",
        200,
        serde_json::to_string(&entry).unwrap(),
    )];
    let (root, _api) = mount_area("/programs/cellar", &fake_api(&routes));
    wait_for("the program", || !texts(&root, "h1").is_empty()).await;
    assert_eq!(
        query(&root, "a.btn--primary")
            .get_attribute("href")
            .as_deref(),
        Some("/cards/c9")
    );
    assert_eq!(
        texts(&root, "[data-testid=invitation-code]"),
        ["ABCDEFGHJK"]
    );
    assert!(texts(&root, "#invitations-title ~ .reward__note")[0].starts_with("2 left"));
    assert!(
        root.query_selector("form").unwrap().is_none(),
        "no form for a cardholder"
    );
    root.remove();
}

fn voucher(status: VoucherStatus) -> Voucher {
    Voucher {
        id: "v1".into(),
        code: "ABCDEFGHJK".into(),
        card_id: "c1".into(),
        program_id: "mziuri".into(),
        reward_id: "coffee".into(),
        title: "The coffee".into(),
        value: VoucherValue {
            item_minor: Some(650),
            off_minor: None,
            off_bp: None,
        },
        currency: Some(Currency::new(GEL).unwrap()),
        partners: Vec::new(),
        cost: 150,
        status,
        issued_at: 1_765_000_000_000,
        expires_at: 1_767_000_000_000,
        ended_at: None,
        qr: (status == VoucherStatus::Active).then(|| "data:image/svg+xml;base64,".into()),
    }
}

#[wasm_bindgen_test]
async fn redeeming_confirms_with_the_balance_after_and_a_double_tap_sends_once() {
    let redeemed = VoucherWithCard {
        voucher: voucher(VoucherStatus::Active),
        card: Card {
            balance: 262,
            ..steady_card()
        },
    };
    let mut routes = catalog_routes();
    routes.push((
        "/api/v1/programs/mziuri/rewards/coffee/redeem",
        201,
        serde_json::to_string(&redeemed).unwrap(),
    ));
    let (root, _api) = mount_area("/cards/c1/rewards/coffee", &fake_api(&routes));
    wait_for("the reward", || !texts(&root, ".reward-detail").is_empty()).await;
    assert_eq!(texts(&root, "h1"), ["The coffee"]);
    let redeem: web_sys::HtmlButtonElement = query(&root, ".btn--primary").unchecked_into();
    assert_eq!(redeem.text_content().unwrap(), "Redeem for 150 points");
    redeem.click();
    wait_for("the confirmation", || {
        !texts(&root, "[data-testid=balance-after]").is_empty()
    })
    .await;
    assert_eq!(
        texts(&root, "[data-testid=balance-after]"),
        ["Your balance after: 262 points"]
    );
    let confirm: web_sys::HtmlButtonElement =
        query(&root, ".confirm .btn--primary").unchecked_into();
    assert_eq!(confirm.text_content().unwrap(), "Redeem");
    confirm.click();
    confirm.click();
    wait_for("the voucher", || {
        !texts(&root, "[data-testid=voucher]").is_empty()
    })
    .await;
    assert_eq!(texts(&root, "[data-testid=voucher-code]"), ["ABCDE-FGHJK"]);
    assert_eq!(
        query(&root, ".voucher__qr").get_attribute("alt").as_deref(),
        Some("QR code of voucher ABCDE-FGHJK")
    );
    assert_eq!(
        requests("/api/v1/programs/mziuri/rewards/coffee/redeem").len(),
        1,
        "a double tap redeems once"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn cancelling_a_voucher_is_confirmed_first_and_says_what_came_back() {
    let list = tessera_core::api::Vouchers {
        vouchers: vec![voucher(VoucherStatus::Active)],
    };
    let cancelled = VoucherWithCard {
        voucher: voucher(VoucherStatus::Cancelled),
        card: steady_card(),
    };
    let routes = [
        (
            "/api/v1/vouchers",
            200,
            serde_json::to_string(&list).unwrap(),
        ),
        (
            "/api/v1/vouchers/v1/cancel",
            200,
            serde_json::to_string(&cancelled).unwrap(),
        ),
    ];
    let (root, _api) = mount_area("/vouchers/v1", &fake_api(&routes));
    wait_for("the voucher", || {
        !texts(&root, "[data-testid=voucher]").is_empty()
    })
    .await;
    assert_eq!(texts(&root, ".badge"), ["Ready to use"]);
    let open: web_sys::HtmlButtonElement = query(&root, ".btn--secondary").unchecked_into();
    assert_eq!(open.text_content().unwrap(), "Cancel voucher");
    open.click();
    wait_for("the confirmation", || !texts(&root, ".confirm").is_empty()).await;
    assert_eq!(
        texts(&root, ".confirm__line"),
        ["Its 150 points go back to your card, with the dates they had."]
    );
    assert!(
        requests("/api/v1/vouchers/v1/cancel").is_empty(),
        "nothing before confirming"
    );
    let confirm: web_sys::HtmlButtonElement =
        query(&root, ".confirm .btn--danger").unchecked_into();
    confirm.click();
    confirm.click();
    wait_for("the points back", || {
        !texts(&root, ".alert--success").is_empty()
    })
    .await;
    assert_eq!(
        texts(&root, ".alert--success"),
        ["Cancelled: 150 points are back on your card."]
    );
    assert_eq!(
        requests("/api/v1/vouchers/v1/cancel").len(),
        1,
        "a double tap cancels once"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn a_voucher_that_is_not_the_customers_says_so_in_its_own_words() {
    let list = tessera_core::api::Vouchers {
        vouchers: vec![voucher(VoucherStatus::Active)],
    };
    let routes = [(
        "/api/v1/vouchers",
        200,
        serde_json::to_string(&list).unwrap(),
    )];
    let (root, _api) = mount_area("/vouchers/someone-elses", &fake_api(&routes));
    wait_for("the missing state", || {
        !texts(&root, ".state--missing h1").is_empty()
    })
    .await;
    assert_eq!(texts(&root, ".state--missing h1"), ["Voucher not found"]);
    assert_eq!(texts(&root, "[data-testid=voucher]").len(), 0);
    root.remove();
}

#[wasm_bindgen_test]
async fn a_reward_the_member_cannot_redeem_cannot_be_confirmed() {
    let routes = catalog_routes();
    let (root, _api) = mount_area("/cards/c1/rewards/mug", &fake_api(&routes));
    wait_for("the reward", || !texts(&root, ".reward-detail").is_empty()).await;
    let redeem: web_sys::HtmlButtonElement = query(&root, ".btn--primary").unchecked_into();
    assert!(redeem.disabled());
    assert!(texts(&root, ".reward-detail")
        .concat()
        .contains("488 more points"));
    root.remove();
}

fn texts(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap())
        .collect()
}

/// The UTC calendar day `days` after today, as `YYYY-MM-DD`.
fn day_from_today(days: i64) -> String {
    let today = (js_sys::Date::now() / 86_400_000.0).floor() as i64;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    (epoch + chrono::TimeDelta::days(today + days)).to_string()
}

#[wasm_bindgen_test]
async fn card_screen_shows_the_card_and_pages_through_the_history() {
    // Still to come (the screen brings a card forward to now: due points would move).
    let (pending_day, expiring_day) = (day_from_today(7), day_from_today(10));
    let card = Card {
        pending: vec![points_on(&pending_day, 18)],
        expiring: vec![points_on(&expiring_day, 120)],
        ..example_card()
    };
    let first = HistoryPage {
        entries: entries(25, 20),
        next_cursor: Some("6".into()),
    };
    let last = HistoryPage {
        entries: entries(5, 5),
        next_cursor: None,
    };
    // The bodies in the server's own format.
    let routes = [
        (
            "/api/v1/cards/c1",
            200,
            serde_json::to_string(&card).unwrap(),
        ),
        (
            "/api/v1/cards/c1/history",
            200,
            serde_json::to_string(&first).unwrap(),
        ),
        (
            "/api/v1/cards/c1/history?cursor=6",
            200,
            serde_json::to_string(&last).unwrap(),
        ),
    ];
    let (root, _api) = mount_card_screen("c1", &routes);
    wait_for("the card and its first history page", || {
        !texts(&root, "[data-testid=balance]").is_empty()
            && texts(&root, ".history__row").len() >= 20
    })
    .await;

    let fmt = Fmt::for_language("en");
    assert_eq!(texts(&root, "h1"), ["Mziuri Coffee"]);
    assert_eq!(texts(&root, "[data-testid=balance]"), ["412"]);
    assert_eq!(
        texts(&root, "[data-testid=pending]"),
        [format!(
            "18 points available from {}",
            fmt.day(&pending_day)
        )]
    );
    assert_eq!(
        texts(&root, "[data-testid=expiring]"),
        [format!("120 points expire on {}", fmt.day(&expiring_day))]
    );
    assert_eq!(texts(&root, "[data-testid=tier-name]"), ["Silver"]);
    assert_eq!(
        texts(&root, "[data-testid=tier-next]"),
        [format!(
            "Spend ₾545.00 more by {} to reach Gold",
            fmt.day("2027-02-28")
        )]
    );
    let progress = query(&root, "progress");
    assert_eq!(
        progress.get_attribute("aria-label").as_deref(),
        Some("Progress to Gold")
    );
    assert_eq!(progress.get_attribute("value").as_deref(), Some("95500"));
    assert_eq!(progress.get_attribute("max").as_deref(), Some("150000"));
    assert_eq!(
        texts(&root, ".benefit"),
        [
            "×1.25 points on every purchase",
            "5% off every purchase",
            "Free refill"
        ]
    );
    assert_eq!(texts(&root, "[data-testid=discount-rate]"), ["5%"]);

    // The first page, then the rest: by the sentinel if it is near the viewport, else by the
    // button; either way each page is asked for once.
    if texts(&root, ".history__row").len() == 20 {
        let more: web_sys::HtmlButtonElement = query(&root, "#history-more").unchecked_into();
        // Both labels are there; the styles show "Load more" unless a page failed.
        assert_eq!(
            query(&root, "#history-more .history__next")
                .text_content()
                .unwrap(),
            "Load more"
        );
        more.click();
        more.click();
    }
    wait_for("the last history page", || {
        root.query_selector(".history.history--done")
            .unwrap()
            .is_some()
    })
    .await;
    let rows = texts(&root, ".history__row");
    assert_eq!(rows.len(), 25);
    // Newest first: the kind, then what (the reward spent, the purchase that earned), where and
    // when, then the signed points.
    let day = fmt.local_day(points_on("2026-11-20", 0).at);
    let spend = fmt.money(1_800, &Currency::new(GEL).unwrap());
    assert_eq!(rows[0], format!("SpentFree cappuccino · {day}-50 points"));
    assert_eq!(rows[1], format!("Earned{spend} · Vake · {day}+18 points"));
    assert_eq!(rows[24], format!("Earned{spend} · {day}+18 points"));
    assert_eq!(
        requests("/api/v1/cards/c1/history"),
        [
            "/api/v1/cards/c1/history",
            "/api/v1/cards/c1/history?cursor=6"
        ]
    );
    // The stage names what the styles show: the end of the list, no button.
    assert!(root
        .query_selector(".history.history--done")
        .unwrap()
        .is_some());
    assert_eq!(texts(&root, ".history__end"), ["That's everything."]);
    root.remove();
}

#[wasm_bindgen_test]
async fn card_screen_for_an_unknown_card_says_so() {
    let (root, _api) = mount_card_screen("nope", &[]);
    wait_for("the missing card's state", || {
        root.query_selector(".state--missing h1").unwrap().is_some()
    })
    .await;
    assert_eq!(
        query(&root, ".state--missing h1").text_content().unwrap(),
        "Card not found"
    );
    assert_eq!(
        query(&root, ".state--missing")
            .get_attribute("role")
            .as_deref(),
        Some("status")
    );
    // The way back is the screen's back link.
    assert_eq!(
        query(&root, "a.back").get_attribute("href").as_deref(),
        Some("/")
    );
    root.remove();
}

/// Mounts `page` with what the wallet gives every screen: the session store, the translations and
/// a router.
fn mount_page<V: IntoView + 'static>(page: fn() -> V) -> web_sys::HtmlElement {
    mount(move || {
        provide_context(Auth::from_storage());
        view! {
                <Router>{page()}</Router>
        }
    })
}

#[wasm_bindgen_test]
async fn join_with_invalid_email_shows_translated_field_errors_and_sends_nothing() {
    let root = mount_page(JoinPage);
    wait_for("the join form", || {
        root.query_selector("#marketing_opt_in").unwrap().is_some()
    })
    .await;

    // The labels the end-to-end tests rely on.
    for (id, label) in [
        ("email", "Email"),
        ("password", "Password"),
        ("display_name", "Name"),
        ("phone", "Phone (optional)"),
    ] {
        let text = query(&root, &format!("label[for={id}]"))
            .text_content()
            .unwrap();
        assert_eq!(text, label);
    }
    let marketing: web_sys::HtmlInputElement = query(&root, "#marketing_opt_in").unchecked_into();
    assert!(!marketing.checked(), "marketing consent starts unticked");

    type_into(&root, "#email", "not-an-email");
    type_into(&root, "#password", "short");
    type_into(&root, "#display_name", "Nino");
    let button: web_sys::HtmlButtonElement = query(&root, "button[type=submit]").unchecked_into();
    button.click();
    wait_for("the field errors", || {
        root.query_selector("#email[aria-invalid=true]")
            .unwrap()
            .is_some()
    })
    .await;

    let email = query(&root, "#email");
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(email
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("email-error"));
    assert_eq!(
        query(&root, "#email-error").text_content().unwrap(),
        "Enter an email address like name@example.com."
    );
    assert_eq!(
        query(&root, "#password-error").text_content().unwrap(),
        "Use at least 10 characters."
    );
    assert_eq!(
        query(&root, "#display_name")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    assert_eq!(
        query(&root, "[role=alert]").text_content().unwrap(),
        "!Some fields need attention."
    );
    assert!(!button.disabled(), "nothing is in flight");
    assert_eq!(requests_to("/api/v1/auth/register"), 0);
}

#[wasm_bindgen_test]
async fn sign_in_error_is_shown_translated_and_double_submit_sends_once() {
    // The test runner's server has no /api: the login answers 404 without an ErrorBody, which the
    // client maps to a typed error; the form shows the alert and is usable again.
    let root = mount_page(SignInPage);
    wait_for("the sign-in form", || {
        root.query_selector("#password").unwrap().is_some()
    })
    .await;
    type_into(&root, "#email", "demo@example.com");
    type_into(&root, "#password", "tessera-demo");
    let button: web_sys::HtmlButtonElement = query(&root, "button[type=submit]").unchecked_into();
    button.click();
    // A second click while the first is in flight does nothing.
    button.click();
    wait_for("the button to be busy while sending", || button.disabled()).await;
    wait_for("the answer", || {
        !button.disabled() && requests_to("/api/v1/auth/login") >= 1
    })
    .await;
    assert_eq!(requests_to("/api/v1/auth/login"), 1);
    let alert = query(&root, "[role=alert]").text_content().unwrap();
    assert_eq!(alert, "!We couldn't find that.");
}

/// A checkout-secret answer for `card_id` with the secret `seed` repeated (64 hex digits).
fn secret_route(card_id: &str, seed: &str) -> (String, u16, String) {
    let secret = CheckoutSecret {
        card_id: card_id.into(),
        card_number: "1234567897".into(),
        program_id: "mziuri".into(),
        secret: seed.repeat(32),
        // The server's clock 90 s ahead of the phone's.
        server_time: js_sys::Date::now() as i64 + 90_000,
    };
    (
        format!("/api/v1/cards/{card_id}/checkout-secret"),
        200,
        serde_json::to_string(&secret).unwrap(),
    )
}

fn routes(owned: &[(String, u16, String)]) -> Vec<(&str, u16, String)> {
    owned
        .iter()
        .map(|(path, status, body)| (path.as_str(), *status, body.clone()))
        .collect()
}

/// Waits until the key kept for `card_id` is present (or gone).
async fn wait_key(card_id: &str, present: bool) -> Option<CheckoutKey> {
    let start = js_sys::Date::now();
    loop {
        let key = checkout_key::load(card_id).await;
        if key.is_some() == present {
            return key;
        }
        assert!(
            js_sys::Date::now() - start < 5_000.0,
            "the key of {card_id} never became {present}"
        );
        next_turn().await;
    }
}

/// What IndexedDB holds as `card_id`'s key: whether it is a WebCrypto key, and whether that key
/// may be exported.
async fn stored_key_kind(card_id: &str) -> (bool, bool) {
    let promise: js_sys::Promise = js_sys::eval(&format!(
        "new Promise((ok, no) => {{ const r = indexedDB.open('tessera'); r.onerror = no; \
         r.onsuccess = () => {{ const g = r.result.transaction('keys').objectStore('keys') \
         .get({card_id:?}); g.onerror = no; \
         g.onsuccess = () => ok([g.result[1] instanceof CryptoKey, !!g.result[1].extractable]); }}; }})"
    ))
    .unwrap()
    .unchecked_into();
    let kind: js_sys::Array = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .unwrap()
        .unchecked_into();
    (
        kind.get(0).as_bool().unwrap(),
        kind.get(1).as_bool().unwrap(),
    )
}

#[wasm_bindgen_test]
async fn the_cards_home_keeps_a_checkout_key_for_every_card_sealed_from_scripts() {
    signed_in_as_someone_new();
    let mut other = bare_card();
    other.id = "c-other".into();
    let wallet = Wallet {
        cards: vec![example_card(), other],
        by_invitation: Vec::new(),
        terms_to_accept: Vec::new(),
    };
    let owned = vec![
        (
            "/api/v1/wallet".to_owned(),
            200,
            serde_json::to_string(&wallet).unwrap(),
        ),
        secret_route("c1", "ab"),
        secret_route("c-other", "cd"),
    ];
    let (root, _api) = mount_cards_home(&fake_api(&routes(&owned)), Trigger::new());

    // Neither code was ever opened: both keys are on the phone.
    let first = wait_key("c1", true).await.unwrap();
    wait_key("c-other", true).await;
    assert_eq!(requests("/api/v1/cards/c1/checkout-secret").len(), 1);
    // A secure context (the test page is on localhost): a WebCrypto key nobody can export.
    assert!(first.is_sealed());
    assert_eq!(stored_key_kind("c1").await, (true, false));
    root.remove();
}

#[wasm_bindgen_test]
async fn codes_from_the_sealed_key_are_the_server_s_codes_at_the_server_s_time() {
    signed_in_as_someone_new();
    assert_eq!(clock_offset(10_000, 1_000, 3_000), 8_000);
    let owned = vec![secret_route("c1", "ab")];
    let _api = FakeFetch::install(&fake_api(&routes(&owned)));
    let key = checkout_key::fetch("c1").await.unwrap();
    assert!(key.is_sealed());
    // The phone is about 90 s behind the server: its code is the server's step's.
    let phone_now = js_sys::Date::now() as i64;
    let server_now = key.server_now(phone_now);
    assert!(
        (server_now - phone_now - 90_000).abs() < 1_000,
        "{}",
        key.offset_ms
    );

    // WebCrypto's HMAC and the wasm's agree: the till verifies what the phone shows.
    let secret = CardSecret::from_hex(&"ab".repeat(32)).unwrap();
    let codes = key.codes(server_now).await.unwrap();
    let step = step_at(server_now);
    assert_eq!(codes.step, step);
    assert_eq!(
        codes.scanned,
        scanned_code(&secret, "mziuri", "1234567897", step)
    );
    assert_eq!(
        codes.typed,
        typed_code(&secret, "mziuri", "1234567897", step)
    );
    let next = key.codes(server_now + 30_000).await.unwrap();
    assert_ne!(next.scanned, codes.scanned);
}

#[wasm_bindgen_test]
fn the_code_screen_says_scanned_only_for_a_code_it_may_have_shown() {
    let opened_at = 1_700_000_015_000;
    let step_start = 1_700_000_010_000;
    let before = Points {
        balance: 400,
        pending: 18,
    };
    let card = |last_code_at: Option<i64>, balance: i64, pending: i64| Card {
        last_code_at,
        balance,
        pending: vec![points_on("2026-11-27", pending)],
        ..example_card()
    };
    // No code taken, or one taken a step before the screen opened: nothing to say.
    assert_eq!(Scanned::of(&card(None, 400, 18), before, opened_at), None);
    assert_eq!(
        Scanned::of(&card(Some(step_start - 30_000), 400, 43), before, opened_at),
        None
    );
    // The code of the step the screen opened in, or a later one.
    assert_eq!(
        Scanned::of(&card(Some(step_start), 400, 18), before, opened_at),
        Some(Scanned::Only)
    );
    assert_eq!(
        Scanned::of(&card(Some(step_start + 30_000), 300, 43), before, opened_at),
        Some(Scanned::Pending(25))
    );
    assert_eq!(
        Scanned::of(&card(Some(step_start), 300, 18), before, opened_at),
        Some(Scanned::Balance(-100))
    );
}

#[wasm_bindgen_test]
async fn the_current_codes_are_handed_to_the_code_page_for_their_step_only() {
    signed_in_as_someone_new();
    let owned = vec![secret_route("c1", "ab")];
    let _api = FakeFetch::install(&fake_api(&routes(&owned)));
    let key = checkout_key::fetch("c1").await.unwrap();
    let ids = vec!["c1".to_owned(), "c-without-key".to_owned()];
    checkout_key::hand_over(&ids).await;

    // What the code page reads at once: this step's codes, the ones the key makes.
    let phone_now = js_sys::Date::now() as i64;
    let handed = checkout_key::handed_over("c1", phone_now).unwrap();
    let server_now = key.server_now(phone_now);
    assert_eq!(handed.offset_ms, key.offset_ms);
    assert_eq!(Some(handed.codes.clone()), key.codes(server_now).await);
    assert_eq!(checkout_key::handed_over("c-without-key", phone_now), None);
    // A step later they are stale: the page waits for the key instead.
    assert_eq!(checkout_key::handed_over("c1", phone_now + 30_000), None);
    // Never the secret: the stored text is the step, the offset and the two codes.
    let storage = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let stored = storage.get_item("tessera.code.c1").unwrap().unwrap();
    assert!(!stored.contains(&"ab".repeat(8)), "{stored}");

    // The session's end takes them too.
    CUSTOMER.clear();
    assert_eq!(checkout_key::handed_over("c1", phone_now), None);
}

#[wasm_bindgen_test]
async fn checkout_keys_are_kept_per_customer_and_end_with_the_session() {
    let owner = signed_in_as_someone_new();
    let owned = vec![secret_route("c1", "ab"), secret_route("c-other", "cd")];
    let _api = FakeFetch::install(&fake_api(&routes(&owned)));
    checkout_key::fetch("c1").await.unwrap();
    checkout_key::fetch("c-other").await.unwrap();
    checkout_key::forget("c-other").await;
    assert!(checkout_key::load("c-other").await.is_none());
    assert!(checkout_key::load("c1").await.is_some());

    // Another customer on this phone sees none of them.
    signed_in_as_someone_new();
    assert!(checkout_key::load("c1").await.is_none());
    sign_in_as(&owner);
    assert!(checkout_key::load("c1").await.is_some());

    // Logging out (or the session ending) takes every key with it: signed in again, none is left.
    CUSTOMER.clear();
    sign_in_as(&owner);
    wait_key("c1", false).await;
}

#[wasm_bindgen_test]
async fn the_code_shortcut_opens_the_card_shown_last_or_the_only_one() {
    let owner = signed_in_as_someone_new();
    let one = serde_json::to_string(&Wallet {
        cards: vec![example_card()],
        by_invitation: Vec::new(),
        terms_to_accept: Vec::new(),
    })
    .unwrap();
    assert_eq!(code_screen::last_card().await, None, "nothing kept");
    kept::keep(&owner, "/wallet", &one).await;
    assert_eq!(
        code_screen::last_card().await,
        Some("c1".into()),
        "the only card"
    );

    let mut other = bare_card();
    other.id = "c-second".into();
    let two = serde_json::to_string(&Wallet {
        cards: vec![example_card(), other],
        by_invitation: Vec::new(),
        terms_to_accept: Vec::new(),
    })
    .unwrap();
    kept::keep(&owner, "/wallet", &two).await;
    assert_eq!(
        code_screen::last_card().await,
        None,
        "two cards, neither shown yet"
    );
    let owned = vec![secret_route("c-second", "cd")];
    let _api = FakeFetch::install(&fake_api(&routes(&owned)));
    checkout_key::fetch("c-second").await.unwrap();
    checkout_key::mark_last("c-second");
    assert_eq!(code_screen::last_card().await, Some("c-second".into()));
    checkout_key::forget("c-second").await;
    assert_eq!(code_screen::last_card().await, None, "its key is gone");

    CUSTOMER.clear();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(storage.get_item("tessera.codes.last").unwrap(), None);
}

/// Fails on purpose with the network faked: its guard is never dropped (a panic in wasm
/// aborts), which is what the test below starts from, whichever of the two runs first.
#[wasm_bindgen_test]
#[should_panic(expected = "a test that fails with the network faked")]
fn a_test_that_fails_leaves_its_fake_fetch_behind() {
    let (_root, _api) = mount_faked(&fake_api(&[]), || ());
    assert!(!fetch_is_real());
    panic!("a test that fails with the network faked");
}

/// Whatever a failed test left faked, the next screen test starts with the browser's `fetch`.
#[wasm_bindgen_test]
fn a_screen_test_starts_with_the_real_fetch() {
    // What a failed test leaves: a fake whose guard was never dropped.
    std::mem::forget(mount_faked(&fake_api(&[]), || ()).1);
    assert!(!fetch_is_real());
    let _root = mount(|| ());
    assert!(fetch_is_real());
}

// --- Kept answers, offline ---------------------------------------------------------------------

/// Stores a session for a customer of its own (a fresh id, so answers kept by other tests are
/// not theirs) and returns the id.
#[wasm_bindgen_test]
async fn the_code_screen_shown_in_the_wallets_page_goes_with_its_handle() {
    signed_in_as_someone_new();
    let owned = vec![secret_route("c1", "ab")];
    let _api = FakeFetch::install(&fake_api(&routes(&owned)));
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();

    let shown = code_screen::show_in(host.clone(), "c1".into());
    // The key comes from the (fake) server, and with it the code.
    wait_for("the QR", || {
        host.query_selector("[data-testid=qr] svg")
            .unwrap()
            .is_some()
    })
    .await;
    drop(shown);
    assert_eq!(host.child_element_count(), 0, "the screen is gone");
    host.remove();
    CUSTOMER.clear();
}

fn signed_in_as_someone_new() -> String {
    let id = format!("kept-{}", js_sys::Math::random());
    sign_in_as(&id);
    id
}

/// Stores a session for the customer `id`.
fn sign_in_as(id: &str) {
    CUSTOMER.save(&Session {
        token: "token".into(),
        idle_expires_at: js_sys::Date::now() as i64 + 3_600_000,
        customer: Me {
            id: id.into(),
            email: "kept@example.com".into(),
            display_name: "Nino".into(),
            phone: None,
            marketing_opt_in: false,
            terms_version: "2026-11".into(),
            terms_accepted_at: 0,
            created_at: 0,
        },
    });
}

/// Waits until what is kept for `owner` at `path` is present (or gone).
async fn wait_kept(owner: &str, path: &str, present: bool) {
    let start = js_sys::Date::now();
    while kept::read(owner, path).await.is_some() != present {
        assert!(
            js_sys::Date::now() - start < 5_000.0,
            "kept {path} never became {present}"
        );
        next_turn().await;
    }
}

/// The cards home with the wallet's contexts and a [`Wake`] the test rings.
fn mount_cards_home(fake: &str, wake: Trigger) -> (web_sys::HtmlElement, FakeFetch) {
    mount_faked(fake, move || {
        provide_context(Auth::from_storage());
        provide_context(Wake(wake));
        view! {
                <Router>
                    <CardsPage />
                </Router>
        }
    })
}

fn balance_shown(root: &web_sys::HtmlElement) -> Option<String> {
    root.query_selector("[data-testid=balance]")
        .unwrap()
        .and_then(|b| b.text_content())
}

fn offline_line(root: &web_sys::HtmlElement) -> Option<String> {
    root.query_selector(".offline-line")
        .unwrap()
        .and_then(|l| l.text_content())
}

#[wasm_bindgen_test]
async fn the_cards_home_lists_the_programs_to_apply_to_and_where_an_application_stands() {
    signed_in_as_someone_new();
    let offer = |id: &str, held: bool, application: Option<ApplicationStatus>| ProgramOffer {
        program_id: id.into(),
        name: id.to_uppercase(),
        held,
        application,
        invitations: true,
    };
    let wallet = serde_json::to_string(&Wallet {
        cards: vec![bare_card()],
        by_invitation: vec![
            offer("cellar", false, None),
            offer("opera", false, Some(ApplicationStatus::Pending)),
            offer("library", true, None),
        ],
        terms_to_accept: Vec::new(),
    })
    .unwrap();
    let (root, _api) = mount_cards_home(
        &fake_api(&[("/api/v1/wallet", 200, wallet)]),
        Trigger::new(),
    );
    wait_for("the offers", || {
        texts(&root, "[data-testid=by-invitation] a").len() == 3
    })
    .await;
    assert_eq!(
        texts(&root, "[data-testid=by-invitation] a"),
        [
            "CELLARApply to join",
            "OPERAApplication sent: waiting for an answer",
            "LIBRARYInvite friends"
        ]
    );
    assert_eq!(
        query(&root, "[data-program=cellar]")
            .get_attribute("href")
            .as_deref(),
        Some("/programs/cellar")
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_cards_home_asks_for_a_programs_new_terms() {
    signed_in_as_someone_new();
    let card = bare_card();
    let wallet = serde_json::to_string(&Wallet {
        terms_to_accept: vec![card.id.clone()],
        cards: vec![card],
        by_invitation: Vec::new(),
    })
    .unwrap();
    let (root, _api) = mount_cards_home(
        &fake_api(&[("/api/v1/wallet", 200, wallet)]),
        Trigger::new(),
    );
    wait_for("the notice", || {
        !texts(&root, "[data-testid=new-terms]").is_empty()
    })
    .await;
    assert_eq!(
        texts(&root, "[data-testid=new-terms] .alert__text"),
        ["Demo Coffee changed its terms. Review and accept them to keep spending points."]
    );
    assert_eq!(
        query(&root, "[data-testid=new-terms]")
            .get_attribute("href")
            .as_deref(),
        Some("/cards/card-1/terms")
    );
    root.remove();
}

/// The server unreachable (every request fails as a network error does).
const NO_NETWORK: &str = "() => Promise.reject(new TypeError('Failed to fetch'))";

#[wasm_bindgen_test]
async fn the_cards_home_shows_the_kept_cards_offline_and_refreshes_when_the_server_is_back() {
    let owner = signed_in_as_someone_new();
    // 20 points that matured a second ago: shown as spendable, kept or not.
    let mut card = bare_card();
    card.pending = vec![PointsOn {
        at: js_sys::Date::now() as i64 - 1_000,
        date: "2026-12-06".into(),
        points: 20,
    }];
    let wallet = serde_json::to_string(&Wallet {
        cards: vec![card],
        by_invitation: Vec::new(),
        terms_to_accept: Vec::new(),
    })
    .unwrap();
    let wake = Trigger::new();

    let (root, online) = mount_cards_home(&fake_api(&[("/api/v1/wallet", 200, wallet)]), wake);
    wait_for("the card", || {
        balance_shown(&root).as_deref() == Some("12,365")
    })
    .await;
    assert_eq!(offline_line(&root), None);
    wait_kept(&owner, "/wallet", true).await;
    root.remove();
    drop(online);

    // Opened again with no network: the kept cards at once, then the offline line.
    let (root, offline) = mount_cards_home(NO_NETWORK, wake);
    wait_for("the kept card", || {
        balance_shown(&root).as_deref() == Some("12,365")
    })
    .await;
    wait_for("the offline line", || offline_line(&root).is_some()).await;
    let line = offline_line(&root).unwrap();
    assert!(line.starts_with("Offline · as of "), "{line}");

    // The server is back: asked again (at once when the app comes to the front, else after the
    // pause), the fresh cards replace the kept ones and the line goes.
    drop(offline);
    let mut fresh = bare_card();
    fresh.balance = 500;
    let fresh = serde_json::to_string(&Wallet {
        cards: vec![fresh],
        by_invitation: Vec::new(),
        terms_to_accept: Vec::new(),
    })
    .unwrap();
    let _online = FakeFetch::install(&fake_api(&[("/api/v1/wallet", 200, fresh)]));
    wake.notify();
    wait_for("the fresh card", || {
        balance_shown(&root).as_deref() == Some("500")
    })
    .await;
    assert_eq!(offline_line(&root), None);

    // Ending the session forgets what was kept.
    CUSTOMER.clear();
    wait_kept(&owner, "/wallet", false).await;
    root.remove();
}

#[wasm_bindgen_test]
async fn the_card_screen_shows_the_kept_card_and_history_offline() {
    let owner = signed_in_as_someone_new();
    let first = HistoryPage {
        entries: entries(25, 20),
        next_cursor: Some("6".into()),
    };
    let routes = [
        (
            "/api/v1/cards/c1",
            200,
            serde_json::to_string(&bare_card()).unwrap(),
        ),
        (
            "/api/v1/cards/c1/history",
            200,
            serde_json::to_string(&first).unwrap(),
        ),
    ];
    let (root, online) = mount_card_screen("c1", &routes);
    wait_for("the card's history", || {
        texts(&root, ".history__row").len() == 20
    })
    .await;
    wait_kept(&owner, "/cards/c1", true).await;
    wait_kept(&owner, "/cards/c1/history", true).await;
    root.remove();
    drop(online);

    let (root, _offline) = mount_card_route("c1", NO_NETWORK);
    wait_for("the kept card, its history and the offline line", || {
        texts(&root, "[data-testid=balance]") == ["12,345"]
            && texts(&root, ".history__row").len() == 20
            && offline_line(&root).is_some()
    })
    .await;
    CUSTOMER.clear();
    root.remove();
}

#[wasm_bindgen_test]
async fn a_log_out_made_offline_reaches_the_server_once_it_can_be() {
    signed_in_as_someone_new();
    let offline = FakeFetch::install(
        "() => { window.__tries = (window.__tries || 0) + 1; \
         return Promise.reject(new TypeError('Failed to fetch')); }",
    );
    js_sys::eval("window.__tries = 0;").unwrap();
    api::logout();
    // Gone from this device at once; the token waits for the server.
    assert_eq!(CUSTOMER.token(), None);
    wait_for("the first try", || {
        js_sys::eval("window.__tries").unwrap().as_f64() >= Some(1.0)
    })
    .await;
    next_turn().await;
    assert_eq!(ENDED.token().as_deref(), Some("token"));
    drop(offline);

    let _online = FakeFetch::install(
        "(input, init) => { const r = new Request(input, init); \
         window.__told = r.headers.get('Authorization') + ' ' + new URL(r.url).pathname; \
         return Promise.resolve(new Response(null, { status: 204 })); }",
    );
    api::tell_ended().await.unwrap();
    assert_eq!(
        js_sys::eval("window.__told")
            .unwrap()
            .as_string()
            .as_deref(),
        Some("Bearer token /api/v1/auth/logout")
    );
    assert_eq!(ENDED.token(), None);
}

#[wasm_bindgen_test]
async fn the_join_screen_writes_the_terms_date_as_the_reader_writes_days() {
    let terms = r#"{"version":"2026-11-01","updated":"2026-11-01","url":"/terms"}"#;
    let (root, _api) = mount_faked(&fake_api(&[("/api/v1/terms", 200, terms.into())]), || {
        provide_context(Auth::from_storage());
        view! {
                <Router>
                    <JoinPage />
                </Router>
        }
    });
    let label = || {
        root.query_selector("label[for=accept_terms]")
            .unwrap()
            .and_then(|l| l.text_content())
            .unwrap_or_default()
    };
    wait_for("the terms", || label().contains("version 2026-11-01")).await;
    let day = Fmt::for_language("en").day("2026-11-01");
    assert_eq!(
        label(),
        format!("I accept the terms (version 2026-11-01, updated {day})")
    );
    assert!(!day.contains("2026-11-01"), "{day}");
    root.remove();
}

// --- Installing the app ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn settings_offer_to_install_the_app_once_the_browser_does() {
    signed_in_as_someone_new();
    let (root, _api) = mount_faked(&fake_api(&[]), || {
        provide_context(Auth::from_storage());
        view! {
                <Router>
                    <SettingsPage />
                </Router>
        }
    });
    let install = || {
        let buttons = root.query_selector_all("button").unwrap();
        (0..buttons.length())
            .filter_map(|i| buttons.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
            .find(|b| b.text_content().as_deref() == Some("Install app"))
    };
    next_turn().await;
    assert!(install().is_none(), "no offer yet: no button");

    // What Chromium sends when the app may be installed (its prompt() shows the dialog).
    js_sys::eval(
        "window.__prompted = 0; const offer = new Event('beforeinstallprompt', { cancelable: true }); \
         offer.prompt = () => { window.__prompted += 1; return Promise.resolve(); }; \
         window.dispatchEvent(offer); window.__offerKept = offer.defaultPrevented;",
    )
    .unwrap();
    wait_for("the install button", || install().is_some()).await;
    // Kept for the button rather than shown as the browser's own bar.
    assert_eq!(js_sys::eval("window.__offerKept").unwrap(), JsValue::TRUE);
    install().unwrap().click();
    assert_eq!(js_sys::eval("window.__prompted").unwrap(), JsValue::from(1));
    // One dialog per offer: the button goes until the browser offers again.
    wait_for("the button to go", || install().is_none()).await;
    root.remove();
}
