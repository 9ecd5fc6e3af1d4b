#![cfg(target_arch = "wasm32")]
//! The cashier console's parts in a real browser (wasm-bindgen-test + headless Chromium): amounts
//! to minor units, a message for every error code, idempotency keys per attempt, the QR decoder,
//! and the sale panel against a fake server.

use leptos::prelude::*;
use qrcode::{Color, EcLevel, QrCode};
use tessera_core::api::{BillView, Card, ErrorCode, TillCard, TillMember, TillPurchase};
use tessera_core::validation::FieldCode;
use tessera_wallet::api::idempotency::Attempts;
use tessera_wallet::api::ApiError;
use tessera_wallet::i18n::Locale;
use tessera_wallet::messages::{error_text, Audience, Cashier};
use tessera_wallet::till::amount::{parse_amount, parse_points, InputError};
use tessera_wallet::till::api::Identified;
use tessera_wallet::till::checkout::CheckoutPanel;
use tessera_wallet::till::decode::{decode_rgba, luma, scan_size};
use tessera_wallet::till::member::{clock, Found};
use tessera_wallet::till::session::TillAuth;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::js_sys;

mod support;
use support::{mount, mount_faked, type_into, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn amounts_become_exact_minor_units() {
    let gel = 2;
    for (text, minor) in [
        ("12.50", 1250),
        ("12.5", 1250),
        ("12,50", 1250),
        ("12", 1200),
        (" 12.50 ", 1250),
        (".5", 50),
        ("0.01", 1),
        ("12.", 1200),
        ("12.500", 1250),
        ("007.10", 710),
        // Floats would get these wrong: 0.29 * 100 = 28.999999999999996, 19.99 * 100 = 1998.9999…
        ("0.29", 29),
        ("19.99", 1999),
        ("1000000000.00", 100_000_000_000),
    ] {
        assert_eq!(parse_amount(text, gel), Ok(minor), "{text}");
    }
    assert_eq!(parse_amount("1250", 0), Ok(1250), "no minor unit (JPY)");
    assert_eq!(parse_amount("12.345", 3), Ok(12_345), "three digits (KWD)");
    for (text, digits, error) in [
        ("", 2, InputError::Required),
        ("   ", 2, InputError::Required),
        ("abc", 2, InputError::Invalid),
        ("12.5.0", 2, InputError::Invalid),
        ("1,234.50", 2, InputError::Invalid),
        ("1 234", 2, InputError::Invalid),
        ("12a", 2, InputError::Invalid),
        (".", 2, InputError::Invalid),
        ("+5", 2, InputError::Invalid),
        ("12.505", 2, InputError::TooManyDecimals),
        ("12.5", 0, InputError::TooManyDecimals),
        ("0", 2, InputError::NotPositive),
        ("0.00", 2, InputError::NotPositive),
        ("-5", 2, InputError::NotPositive),
        ("1000000000.01", 2, InputError::TooLarge),
        ("99999999999999999999", 2, InputError::TooLarge),
    ] {
        assert_eq!(parse_amount(text, digits), Err(error), "{text}");
    }
}

#[wasm_bindgen_test]
fn points_are_whole_positive_numbers() {
    assert_eq!(parse_points("40"), Ok(40));
    assert_eq!(parse_points(" 040 "), Ok(40));
    assert_eq!(parse_points(""), Err(InputError::Required));
    assert_eq!(parse_points("0"), Err(InputError::NotPositive));
    assert_eq!(parse_points("-3"), Err(InputError::NotPositive));
    assert_eq!(parse_points("2.5"), Err(InputError::Invalid));
    assert_eq!(
        parse_points("99999999999999999999"),
        Err(InputError::TooLarge)
    );
}

fn refused(code: &str, retry_after: Option<u32>) -> ApiError {
    ApiError::Refused {
        status: 422,
        code: ErrorCode::from_name(code),
        retry_after,
        fields: vec![],
    }
}

#[wasm_bindgen_test]
fn every_error_code_has_its_own_message() {
    let english = Locale::default();
    let unexpected = Cashier::text(Some(ErrorCode::Unknown), english);
    let mut seen = std::collections::HashSet::new();
    for code in Cashier::CODES {
        let error = match code {
            None => ApiError::Network,
            Some(code) => refused(code.as_str(), None),
        };
        let text = error_text::<Cashier>(&error, english);
        assert!(!text.is_empty(), "{code:?}");
        assert_ne!(
            text, unexpected,
            "{code:?} falls through to the generic message"
        );
        assert!(
            seen.insert(text.clone()),
            "{code:?} shares its message: {text}"
        );
    }
    // Every till refusal of the server is listed.
    for code in [
        "code_malformed",
        "code_stale",
        "code_invalid",
        "code_used",
        "card_unknown",
        "card_closed",
        "member_not_found",
        "too_many_attempts",
        "ticket_invalid",
        "ticket_cannot_spend",
        "insufficient_points",
        "points_not_accepted",
        "terms_not_accepted",
        "idempotency_key_required",
        "idempotency_key_reused",
        "validation",
        "unauthenticated",
        "voucher_unknown",
        "voucher_not_yours",
        "voucher_used",
        "voucher_expired",
        "voucher_cancelled",
        "voucher_wrong_partner",
        "managers_only",
        "application_decided",
    ] {
        assert!(
            Cashier::CODES.contains(&Some(ErrorCode::from_name(code))),
            "{code}"
        );
    }
    let wait = error_text::<Cashier>(&refused("too_many_attempts", Some(300)), english);
    assert!(wait.contains("300 seconds"), "{wait}");
    let wait = error_text::<Cashier>(&refused("rate_limited", Some(42)), english);
    assert!(wait.contains("42 seconds"), "{wait}");
    assert_eq!(
        error_text::<Cashier>(&refused("teapot", None), english),
        unexpected
    );
}

#[wasm_bindgen_test]
fn input_errors_have_their_own_messages() {
    let english = Locale::default();
    let errors = [
        InputError::Required,
        InputError::Invalid,
        InputError::TooManyDecimals,
        InputError::NotPositive,
        InputError::TooLarge,
    ];
    let texts: std::collections::HashSet<&str> = errors
        .iter()
        .map(|e| Cashier::field(e.code(), false, english))
        .collect();
    assert_eq!(texts.len(), errors.len());
    assert_ne!(
        Cashier::field(FieldCode::Invalid, true, english),
        Cashier::field(FieldCode::Invalid, false, english)
    );
    // The server's field codes read the same.
    assert_eq!(
        Cashier::field(FieldCode::NotPositive, false, english),
        "Enter more than zero."
    );
}

#[wasm_bindgen_test]
fn an_attempt_keeps_its_key_until_answered() {
    let mut n = 0;
    let mut fresh = || {
        n += 1;
        format!("key-{n}")
    };
    let mut attempts = Attempts::default();
    let first = attempts.key("t:1250", &mut fresh);
    attempts.settle(true); // no answer
    assert_eq!(
        attempts.key("t:1250", &mut fresh),
        first,
        "a retry reuses the key"
    );
    attempts.settle(true);
    let other = attempts.key("t:1300", &mut fresh);
    assert_ne!(other, first, "another amount is another request");
    attempts.settle(false); // answered
    assert_ne!(
        attempts.key("t:1300", &mut fresh),
        other,
        "the next press is new"
    );
}

#[wasm_bindgen_test]
fn idempotency_keys_are_random_and_well_formed() {
    let a = tessera_wallet::api::idempotency::new_key();
    let b = tessera_wallet::api::idempotency::new_key();
    assert_ne!(a, b);
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
}

/// `code` drawn as RGBA pixels, `scale` pixels a module, with the quiet zone, in `dark` on
/// `light` (a phone screen in a camera frame is never pure black on white).
fn render(code: &QrCode, scale: usize, dark: [u8; 3], light: [u8; 3]) -> (Vec<u8>, usize) {
    let size = code.width();
    let side = (size + 8) * scale;
    let mut rgba = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            let colour = if inside && code[(mx as usize, my as usize)] == Color::Dark {
                dark
            } else {
                light
            };
            rgba.extend_from_slice(&colour);
            rgba.push(255);
        }
    }
    (rgba, side)
}

#[wasm_bindgen_test]
fn camera_frames_decode_to_the_checkout_code() {
    let text = "TSR1.4821093755.58839214.ABCDEFGHIJKLMNOP";
    let code = QrCode::with_error_correction_level(text, EcLevel::M).unwrap();
    let (rgba, side) = render(&code, 6, [0, 0, 0], [255, 255, 255]);
    assert_eq!(decode_rgba(&rgba, side, side).as_deref(), Some(text));
    let (rgba, side) = render(&code, 4, [60, 55, 80], [215, 220, 205]);
    assert_eq!(decode_rgba(&rgba, side, side).as_deref(), Some(text));
    // Nothing to read, or not enough pixels: no code, no panic.
    assert_eq!(decode_rgba(&vec![255; 64 * 64 * 4], 64, 64), None);
    assert_eq!(decode_rgba(&[0; 12], 64, 64), None);
    assert_eq!(luma(255, 255, 255), 255);
    assert_eq!(luma(0, 0, 0), 0);
    assert_eq!(scan_size(1280, 720, 640), (640, 360));
    assert_eq!(scan_size(720, 1280, 640), (360, 640));
    assert_eq!(scan_size(320, 240, 640), (320, 240));
}

/// The member's card at the till: 400 points to spend.
/// The member's card as the till shows it.
fn card() -> TillCard {
    TillCard::from(&Card {
        program_name: "Mziuri Coffee".into(),
        point_name: "points".into(),
        balance: 400,
        ..support::bare_card()
    })
}

/// The checkout for `member(can_spend)` with five minutes left on its ticket; `on_done` gets what
/// the till recorded.
fn checkout_panel(can_spend: bool, on_done: Callback<TillPurchase>) -> impl IntoView {
    checkout_panel_for(member(can_spend), on_done)
}

fn checkout_panel_for(member: TillMember, on_done: Callback<TillPurchase>) -> impl IntoView {
    provide_context(TillAuth::from_storage());
    let found = Found {
        member,
        deadline: js_sys::Date::now() + 300_000.0,
    };
    view! {
            <CheckoutPanel found expired=false on_done />
    }
}

fn member(can_spend: bool) -> TillMember {
    TillMember {
        ticket: "ticket-1".into(),
        ticket_expires_at: 1_000_300_000,
        can_spend,
        name: "Nino".into(),
        point_value_minor: Some(5),
        terms_pending: false,
        card: card(),
    }
}

#[wasm_bindgen_test]
fn the_ticket_counts_down_on_the_servers_clock() {
    // The server's clock is an hour behind this till's: the ticket still has 5 minutes.
    let identified = Identified {
        member: member(true),
        server_now: Some(1_000_000_000),
    };
    let found = Found::new(identified, 1_003_600_000.0);
    assert_eq!(found.deadline, 1_003_600_000.0 + 300_000.0 - 1000.0);
    assert_eq!(clock(299), "4:59");
    assert_eq!(clock(60), "1:00");
    assert_eq!(clock(0), "0:00");
}

/// The text of the first element `selector` finds in `root` (empty when none).
fn text_of(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn button(root: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlButtonElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into()
}

/// The requests the fake server saw: `[path, Idempotency-Key, body]`.
fn seen() -> Vec<(String, String, String)> {
    let all: js_sys::Array = js_sys::eval("window.__till").unwrap().unchecked_into();
    all.iter()
        .map(|r| {
            let r: js_sys::Array = r.unchecked_into();
            let s = |i| r.get(i).as_string().unwrap_or_default();
            (s(0), s(1), s(2))
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_purchase_records_once_and_retries_with_the_same_key() {
    let answer = serde_json::to_string(&TillPurchase {
        points: 12,
        welcome_points: 50,
        bill: BillView {
            gross_minor: 1_250,
            discount_bp: 0,
            discount_minor: 0,
            voucher_minor: 0,
            voucher_lost_minor: 0,
            total_minor: 1_250,
            points_spent: 0,
            points_paid_minor: 0,
            money_paid_minor: 1_250,
        },
        card: TillCard {
            balance: 462,
            ..card()
        },
    })
    .unwrap();
    // The first send gets no answer (the network fails); the second is answered.
    js_sys::eval("window.__till = [];").unwrap();
    let fake = format!(
        r#"async (input, init) => {{
            // fetch's own contract: a URL and options, or a Request (as gloo-net sends).
            const request = new Request(input, init);
            const path = new URL(request.url).pathname;
            const body = await request.text();
            window.__till.push([path, request.headers.get("Idempotency-Key"), body]);
            await new Promise((r) => setTimeout(r, 30));
            if (window.__till.length === 1) throw new TypeError("Failed to fetch");
            return new Response(JSON.stringify({answer}), {{
                status: 201,
                headers: {{ "Content-Type": "application/json" }},
            }});
        }}"#
    );
    let done = RwSignal::new(None::<TillPurchase>);
    let (root, _api) = mount_faked(&fake, move || {
        checkout_panel(true, Callback::new(move |outcome| done.set(Some(outcome))))
    });
    wait_for("the checkout panel", || {
        root.query_selector("#amount").unwrap().is_some()
    })
    .await;

    // Too many decimals: refused here, nothing sent.
    type_into(&root, "#amount", "12.505");
    let record = button(&root, "button[type=submit]");
    record.click();
    wait_for("the amount's error", || {
        root.text_content()
            .unwrap()
            .contains("Too many decimals for this currency.")
    })
    .await;
    assert!(seen().is_empty());

    type_into(&root, "#amount", "12.50");
    record.click();
    record.click(); // a double tap
    wait_for("the button to be busy while sending", || record.disabled()).await;
    wait_for("the refusal for no answer", || {
        root.query_selector("[role=alert]")
            .unwrap()
            .and_then(|alert| alert.text_content())
            .is_some_and(|text| text.contains("No answer from the server"))
    })
    .await;
    let first = seen();
    assert_eq!(first.len(), 1, "a double tap sends once");
    assert_eq!(first[0].0, "/api/v1/till/purchases");
    assert!(
        first[0].2.contains("\"amount_minor\":1250,\"points\":0"),
        "{}",
        first[0].2
    );
    assert!(!record.disabled());
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(alert
        .text_content()
        .unwrap()
        .contains("No answer from the server"));
    assert_eq!(done.get_untracked(), None);

    // Trying again after no answer: the same key, so the server cannot record it twice.
    record.click();
    wait_for("the purchase", || done.get_untracked().is_some()).await;
    let both = seen();
    assert_eq!(both.len(), 2);
    assert_eq!(
        both[1].1, both[0].1,
        "the retry sends the same Idempotency-Key"
    );
    assert_eq!(both[1].2, both[0].2);
    let recorded = done.get_untracked().expect("the purchase recorded");
    assert_eq!(recorded.card.balance, 462);
}

#[wasm_bindgen_test]
async fn a_voucher_is_checked_then_comes_off_the_bill_saying_what_is_lost_and_goes_with_the_purchase(
) {
    js_sys::eval("window.__till = [];").unwrap();
    // The check answers a GEL 3.00 voucher; the purchase is refused, so only its body matters.
    let voucher = serde_json::to_string(&tessera_core::api::TillVoucher {
        code: "ABCDEFGHJK".into(),
        title: "Three lari off".into(),
        value: tessera_core::api::VoucherValue {
            item_minor: None,
            off_minor: Some(300),
            off_bp: None,
        },
        expires_at: 2_000_000_000_000,
    })
    .unwrap();
    let fake = format!(
        r#"async (input, init) => {{
            const request = new Request(input, init);
            const path = new URL(request.url).pathname;
            window.__till.push([path, request.headers.get("Idempotency-Key") || "", await request.text()]);
            if (path.endsWith("/vouchers/check")) {{
                return new Response({voucher:?}, {{ status: 200, headers: {{ "Content-Type": "application/json" }} }});
            }}
            return new Response("{{}}", {{ status: 500 }});
        }}"#
    );
    let (root, _api) = mount_faked(&fake, || checkout_panel(true, Callback::new(|_| {})));
    wait_for("the checkout panel", || {
        root.query_selector("#voucher").unwrap().is_some()
    })
    .await;
    let text = |selector: &str| text_of(&root, selector);
    // GEL 2.50, no discount, a GEL 3.00 voucher: nothing to pay, 0.50 of it lost (the issue's
    // example), said before the cashier confirms.
    type_into(&root, "#amount", "2.50");
    type_into(&root, "#voucher", "abcde-fghjk");
    let apply = root
        .query_selector_all(".checkout__voucher-entry button")
        .unwrap()
        .item(0)
        .unwrap()
        .unchecked_into::<web_sys::HtmlButtonElement>();
    assert_eq!(apply.text_content().unwrap(), "Apply voucher");
    apply.click();
    wait_for("the voucher applied", || {
        !text("[data-testid=voucher-applied]").is_empty()
    })
    .await;
    assert!(text("[data-testid=voucher-applied]").contains("Three lari off"));
    wait_for("the total", || {
        text("[data-testid=to-pay]").contains("0.00")
    })
    .await;
    let bill = text("[data-testid=bill]");
    assert!(
        bill.contains("Voucher: Three lari off") && bill.contains("2.50"),
        "{bill}"
    );
    assert!(text("[data-testid=voucher-lost]").contains("0.50"));

    button(&root, "button[type=submit]").click();
    wait_for("the purchase sent", || seen().len() == 2).await;
    let sent = seen();
    assert_eq!(sent[0].0, "/api/v1/till/vouchers/check");
    assert!(
        sent[0].2.contains(r#""code":"abcde-fghjk""#),
        "{}",
        sent[0].2
    );
    assert_eq!(sent[1].0, "/api/v1/till/purchases");
    assert!(
        sent[1].2.contains(r#""voucher":"ABCDEFGHJK""#),
        "{}",
        sent[1].2
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_bill_its_discount_and_the_points_show_what_is_left_to_pay_before_confirming() {
    js_sys::eval("window.__till = [];").unwrap();
    let fake = r#"async (input, init) => {
        const request = new Request(input, init);
        window.__till.push([new URL(request.url).pathname, "", await request.text()]);
        return new Response("{}", { status: 500 });
    }"#;
    let (root, _api) = mount_faked(fake, || {
        provide_context(TillAuth::from_storage());
        let mut member = member(true);
        member.card.discount_bp = 500;
        let found = Found {
            member,
            deadline: js_sys::Date::now() + 300_000.0,
        };
        view! {
                <CheckoutPanel found expired=false on_done=Callback::new(|_| {}) />
        }
    });
    wait_for("the checkout panel", || {
        root.query_selector("#amount").unwrap().is_some()
    })
    .await;
    let text = |selector: &str| text_of(&root, selector);
    // GEL 20.00 at 5 %: 1.00 off; 100 points at 5 tetri pay 5.00; 14.00 is paid in money.
    type_into(&root, "#amount", "20");
    wait_for("the total", || {
        text("[data-testid=to-pay]").contains("19.00")
    })
    .await;
    type_into(&root, "#points", "100");
    wait_for("the points taken off", || {
        text("[data-testid=to-pay]").contains("14.00")
    })
    .await;
    let bill = text("[data-testid=bill]");
    assert!(
        bill.contains("Member discount 5%") && bill.contains("1.00"),
        "{bill}"
    );
    assert!(
        bill.contains("Paid with points") && bill.contains("5.00"),
        "{bill}"
    );

    // Points worth more than the 19.00 to pay are refused here: nothing is sent.
    type_into(&root, "#points", "400");
    button(&root, "button[type=submit]").click();
    wait_for("the points' error", || {
        root.text_content()
            .unwrap()
            .contains("These points are worth more than the total to pay.")
    })
    .await;
    assert!(seen().is_empty());
}

#[wasm_bindgen_test]
async fn a_member_found_by_phone_cannot_pay_with_points() {
    let root = mount(|| checkout_panel(false, Callback::new(|_| {})));
    wait_for("the checkout panel", || {
        root.query_selector("#points").unwrap().is_some()
    })
    .await;
    assert!(root.query_selector("fieldset:disabled").unwrap().is_some());
    assert!(root
        .text_content()
        .unwrap()
        .contains("Points can only be spent with the customer's code"));
    assert!(!button(&root, "button[type=submit]").disabled());
}

#[wasm_bindgen_test]
async fn a_member_who_has_not_accepted_new_terms_earns_but_cannot_pay_with_points() {
    let pending = TillMember {
        terms_pending: true,
        ..member(true)
    };
    let root = mount(move || checkout_panel_for(pending.clone(), Callback::new(|_| {})));
    wait_for("the checkout panel", || {
        root.query_selector("#points").unwrap().is_some()
    })
    .await;
    assert!(root.query_selector("fieldset:disabled").unwrap().is_some());
    assert_eq!(
        root.query_selector("[data-testid=cannot-spend]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "Points can pay once the member accepts the program's new terms in the app."
    );
    // The sale itself (which earns) can still be recorded.
    assert!(!button(&root, "button[type=submit]").disabled());
}
