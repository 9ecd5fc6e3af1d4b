//! The API's JSON bodies, read from and written to JS values.
//!
//! The browser parses and prints the JSON (`Response.json()`, `JSON.parse`, `JSON.stringify`), so
//! neither serde_json nor serde's generated (de)serializers, with their error formatting, end up
//! in the wasm: about 18 KB of gzipped wasm less.
//!
//! Field names and shapes are those of `tessera_core::api` (the server's serde format); the tests
//! below compare both ways with serde_json. A missing or mistyped field makes the whole body
//! unreadable, like serde would; a missing `Option` field reads as `None`. Integers are JS numbers:
//! exact up to 2^53 (the API's times, points and minor units are far below).

use crate::checkout_key::CheckoutKey;
use tessera_core::api::{
    Card, CheckoutSecret, DiscountView, ErrorBody, ErrorCode, FieldError, HistoryEntry,
    HistoryPage, IdentifyRequest, LoginRequest, Me, PayWithPointsRequest, PhoneLookupRequest,
    PhoneMember, PhoneMembers, PointsOn, PointsPayment, RegisterRequest, RewardGoal, Session,
    Staff, Terms, TierGoal, TierStatus, TillMember, TillPurchase, TillPurchaseRequest, TillSession,
    Wallet,
};
use tessera_core::points::EntryKind;
use tessera_core::Currency;
use wasm_bindgen::JsValue;
use web_sys::js_sys::{Array, Object, Reflect};

/// A value read from a parsed JSON value.
pub trait FromJs: Sized {
    /// `None` when `value` does not have the expected shape.
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// A value written as a JS value, for `JSON.stringify`.
pub trait ToJs {
    /// The JS value.
    fn to_js(&self) -> JsValue;
}

/// Field `key` of the object `value` (undefined when missing).
fn field<T: FromJs>(value: &JsValue, key: &str) -> Option<T> {
    T::from_js(&property(value, key)?)
}

/// The property lookup of [`field`], kept out of line: `field` is inlined for every field of
/// every type, and this part need not be copied each time.
#[inline(never)]
fn property(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &JsValue::from_str(key)).ok()
}

/// An object from `(key, value)` pairs.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// `FromJs` and `ToJs` for a struct whose every field is listed: reading builds the struct
/// literal and writing destructures it, so a field added in `tessera_core::api` does not compile
/// until it is listed here too. Impls a screen never uses are dropped by the linker.
macro_rules! json_object {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl FromJs for $ty {
            fn from_js(value: &JsValue) -> Option<Self> {
                Some($ty { $($field: field(value, stringify!($field))?),* })
            }
        }

        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                let $ty { $($field),* } = self;
                object(&[$((stringify!($field), $field.to_js())),*])
            }
        }
    )*};
}

json_object! {
    FieldError { field, code }
    Terms { version, updated, url }
    Me { id, email, display_name, phone, marketing_opt_in, terms_version, terms_accepted_at, created_at }
    Session { token, idle_expires_at, customer }
    Card {
        id, program_id, program_name, point_name, currency, balance, terms_version, enrolled_at,
        pending, expiring, tier, discount, next_reward,
    }
    PointsOn { at, date, points }
    TierStatus {
        name, rank, levels, threshold, qualify_by, qualifying, multiplier_percent, discount_bp,
        perks, next, keep,
    }
    TierGoal { name, threshold, remaining, by }
    DiscountView { kind, rate_bp, next_rate_bp, next_spend_minor, drops_at }
    RewardGoal { name, points, remaining }
    Wallet { cards }
    HistoryEntry { seq, kind, points, reason, place, spend_minor, at }
    HistoryPage { entries, next_cursor }
    LoginRequest { email, password }
    RegisterRequest { email, password, display_name, phone, accepted_terms_version, marketing_opt_in }
    CheckoutSecret { card_id, card_number, program_id, secret, server_time }
    TillSession { token, idle_expires_at, staff }
    Staff { email, name, role, program_id, program_name, location }
    IdentifyRequest { code, phone, card_id }
    PhoneLookupRequest { phone }
    PhoneMembers { members }
    PhoneMember { card_id, name, card_last4 }
    TillMember { ticket, ticket_expires_at, can_spend, name, point_value_minor, card }
    TillPurchaseRequest { ticket, amount_minor }
    TillPurchase { points, welcome_points, card }
    PayWithPointsRequest { ticket, bill_minor, points }
    PointsPayment { points, paid_minor, due_minor, card }
    CheckoutKey { secret, card, offset_ms }
}

// `fields` is left out when empty (`#[serde(default, skip_serializing_if)]`).
impl FromJs for ErrorBody {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(ErrorBody {
            error: field(value, "error")?,
            message: field(value, "message")?,
            fields: field::<Option<Vec<FieldError>>>(value, "fields")?.unwrap_or_default(),
        })
    }
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl FromJs for bool {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_bool()
    }
}

impl ToJs for bool {
    fn to_js(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

/// Only whole numbers within the exactly representable range.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl FromJs for i64 {
    fn from_js(value: &JsValue) -> Option<Self> {
        let n = value.as_f64()?;
        (n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER).then_some(n as i64)
    }
}

impl ToJs for i64 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(*self as f64)
    }
}

impl FromJs for u32 {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl ToJs for u32 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(f64::from(*self))
    }
}

impl FromJs for Currency {
    fn from_js(value: &JsValue) -> Option<Self> {
        Currency::new(&value.as_string()?).ok()
    }
}

impl ToJs for Currency {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self.code())
    }
}

/// By its API name; a code this build does not know is [`ErrorCode::Unknown`], as with serde.
impl FromJs for ErrorCode {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(ErrorCode::from_name(&value.as_string()?))
    }
}

/// By its API name (`earned`, `spent`, ...); an unknown kind makes the body unreadable, as serde
/// would refuse it.
impl FromJs for EntryKind {
    fn from_js(value: &JsValue) -> Option<Self> {
        EntryKind::from_name(&value.as_string()?)
    }
}

impl ToJs for EntryKind {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self.as_str())
    }
}

impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            T::from_js(value).map(Some)
        }
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        self.as_ref().map_or(JsValue::NULL, ToJs::to_js)
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        if !Array::is_array(value) {
            return None;
        }
        Array::from(value).iter().map(|v| T::from_js(&v)).collect()
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.iter().map(ToJs::to_js).collect::<Array>().into()
    }
}

#[cfg(test)]
mod tests {
    //! The JS-value codec against serde_json, i.e. the server's own format.
    use crate::api::{from_json, to_json};
    use tessera_core::api::{
        Card, DiscountView, ErrorBody, ErrorCode, FieldError, HistoryEntry, HistoryPage, Me,
        PointsOn, RewardGoal, Session, Terms, TierGoal, TierStatus, Wallet,
    };
    use tessera_core::points::EntryKind;
    use tessera_core::Currency;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn me(phone: Option<&str>) -> Me {
        Me {
            id: "c1".into(),
            email: "nino@example.ge".into(),
            display_name: "Nino".into(),
            phone: phone.map(Into::into),
            marketing_opt_in: true,
            terms_version: "2026-11".into(),
            terms_accepted_at: 1_763_856_000_123,
            created_at: 1_763_856_000_000,
        }
    }

    /// A card with nothing optional.
    fn bare_card() -> Card {
        Card {
            id: "k1".into(),
            program_id: "coffee".into(),
            program_name: "Coffee".into(),
            point_name: "stars".into(),
            currency: Currency::new("GEL").unwrap(),
            balance: -1_234_567,
            terms_version: "1".into(),
            enrolled_at: 1_763_856_000_000,
            pending: vec![],
            expiring: vec![],
            tier: None,
            discount: DiscountView {
                kind: "none".into(),
                rate_bp: 0,
                next_rate_bp: None,
                next_spend_minor: None,
                drops_at: None,
            },
            next_reward: None,
        }
    }

    /// A card with every field filled, nested ones included.
    fn full_card() -> Card {
        let goal = |name: &str, by: Option<&str>| TierGoal {
            name: name.into(),
            threshold: 150_000,
            remaining: 54_500,
            by: by.map(Into::into),
        };
        Card {
            pending: vec![PointsOn {
                at: 1_764_187_200_000,
                date: "2026-11-27".into(),
                points: 18,
            }],
            expiring: vec![
                PointsOn {
                    at: 1_764_532_800_000,
                    date: "2026-11-30".into(),
                    points: 120,
                },
                PointsOn {
                    at: 1_764_619_200_000,
                    date: "2026-12-01".into(),
                    points: 7,
                },
            ],
            tier: Some(TierStatus {
                name: "Silver".into(),
                rank: 1,
                levels: 3,
                threshold: 50_000,
                qualify_by: "spend".into(),
                qualifying: 95_500,
                multiplier_percent: 125,
                discount_bp: 500,
                perks: vec!["Free refill".into()],
                next: Some(goal("Gold", Some("2027-02-28"))),
                keep: Some(goal("Silver", None)),
            }),
            discount: DiscountView {
                kind: "decaying".into(),
                rate_bp: 700,
                next_rate_bp: Some(1000),
                next_spend_minor: Some(0),
                drops_at: Some(1_765_000_000_000),
            },
            next_reward: Some(RewardGoal {
                name: "Free cappuccino".into(),
                points: 500,
                remaining: 88,
            }),
            ..bare_card()
        }
    }

    fn history_page() -> HistoryPage {
        let entry = |seq: i64, kind: EntryKind, points: i64, place: Option<&str>| HistoryEntry {
            seq,
            kind,
            points,
            reason: "Purchase".into(),
            place: place.map(Into::into),
            spend_minor: (points > 0).then_some(points * 100),
            at: 1_764_000_000_000 + seq,
        };
        HistoryPage {
            entries: EntryKind::ALL
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    let sign = if i % 2 == 0 { 1 } else { -1 };
                    entry(
                        40 - i as i64,
                        kind,
                        sign * 18,
                        (i % 3 != 0).then_some("Vake"),
                    )
                })
                .collect(),
            next_cursor: Some("35".into()),
        }
    }

    #[wasm_bindgen_test]
    fn reads_what_the_server_writes() {
        let wallet = Wallet {
            cards: vec![bare_card(), full_card()],
        };
        let json = serde_json::to_string(&wallet).unwrap();
        assert_eq!(from_json::<Wallet>(&json), Some(wallet));
        let card = full_card();
        let json = serde_json::to_string(&card).unwrap();
        assert_eq!(from_json::<Card>(&json), Some(card));
        for page in [
            history_page(),
            HistoryPage {
                entries: vec![],
                next_cursor: None,
            },
        ] {
            let json = serde_json::to_string(&page).unwrap();
            assert_eq!(from_json::<HistoryPage>(&json), Some(page));
        }
        for phone in [None, Some("+995555123456")] {
            let session = Session {
                token: "t".into(),
                idle_expires_at: 42,
                customer: me(phone),
            };
            let json = serde_json::to_string(&session).unwrap();
            assert_eq!(from_json::<Session>(&json), Some(session));
        }
        let terms = Terms {
            version: "2026-11".into(),
            updated: "2026-11-01".into(),
            url: "/terms".into(),
        };
        assert_eq!(
            from_json::<Terms>(&serde_json::to_string(&terms).unwrap()),
            Some(terms)
        );
        let error = ErrorBody {
            error: ErrorCode::Validation,
            message: "m".into(),
            fields: vec![FieldError {
                field: "email".into(),
                code: "email_invalid".into(),
            }],
        };
        assert_eq!(
            from_json::<ErrorBody>(&serde_json::to_string(&error).unwrap()),
            Some(error)
        );
        // `fields` is left out when empty.
        assert_eq!(
            from_json::<ErrorBody>(r#"{"error":"internal","message":"m"}"#).map(|e| e.fields),
            Some(vec![])
        );
    }

    #[wasm_bindgen_test]
    fn refuses_what_serde_would_refuse() {
        assert_eq!(from_json::<Terms>(r#"{"version":"1","updated":"x"}"#), None);
        assert_eq!(
            from_json::<Terms>(r#"{"version":1,"updated":"x","url":"u"}"#),
            None
        );
        assert_eq!(from_json::<Wallet>(r#"{"cards":{}}"#), None);
        assert_eq!(from_json::<Wallet>("[]"), None);
        assert_eq!(from_json::<Wallet>("not json"), None);
        let card = r#"{"cards":[{"id":"k","program_id":"p","program_name":"P","point_name":"pt","currency":"gel","balance":1,"terms_version":"1","enrolled_at":0}]}"#;
        assert_eq!(
            from_json::<Wallet>(card),
            None,
            "currency codes are checked"
        );
        let half = card
            .replace("\"gel\"", "\"GEL\"")
            .replace("\"balance\":1", "\"balance\":1.5");
        assert_eq!(from_json::<Wallet>(&half), None, "points are whole numbers");

        // A card without the fields added for points, tiers and discounts is not a card.
        let old = half.replace("\"balance\":1.5", "\"balance\":1");
        assert_eq!(from_json::<Wallet>(&old), None);
        let json = serde_json::to_string(&full_card()).unwrap();
        let negative_rate = json.replace("\"rate_bp\":700", "\"rate_bp\":-700");
        assert_eq!(
            from_json::<Card>(&negative_rate),
            None,
            "rates are unsigned"
        );

        let json = serde_json::to_string(&history_page()).unwrap();
        assert!(json.contains("\"kind\":\"earned\""));
        let unknown = json.replace("\"kind\":\"earned\"", "\"kind\":\"bought\"");
        assert_eq!(
            from_json::<HistoryPage>(&unknown),
            None,
            "entry kinds are checked"
        );
        let numeric = json.replace("\"next_cursor\":\"35\"", "\"next_cursor\":35");
        assert_eq!(
            from_json::<HistoryPage>(&numeric),
            None,
            "cursors are strings"
        );
    }

    #[wasm_bindgen_test]
    fn writes_what_the_server_reads() {
        for phone in [None, Some("+995555123456")] {
            let session = Session {
                token: "t".into(),
                idle_expires_at: 42,
                customer: me(phone),
            };
            let json = to_json(&session).unwrap();
            assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), session);
        }
        let request = tessera_core::api::RegisterRequest {
            email: "a@b.co".into(),
            password: "correct horse".into(),
            display_name: "A".into(),
            phone: None,
            accepted_terms_version: "2026-11".into(),
            marketing_opt_in: false,
        };
        let json = to_json(&request).unwrap();
        assert_eq!(
            serde_json::from_str::<tessera_core::api::RegisterRequest>(&json).unwrap(),
            request
        );
        let login = tessera_core::api::LoginRequest {
            email: "a@b.co".into(),
            password: "p".into(),
        };
        assert_eq!(
            to_json(&login).unwrap(),
            serde_json::to_string(&login).unwrap()
        );
        // Not sent today, but the codec is symmetric: what it writes, serde reads back equal.
        let card = full_card();
        assert_eq!(
            serde_json::from_str::<Card>(&to_json(&card).unwrap()).unwrap(),
            card
        );
        let page = history_page();
        assert_eq!(
            serde_json::from_str::<HistoryPage>(&to_json(&page).unwrap()).unwrap(),
            page
        );
    }
}
