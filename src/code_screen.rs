//! `/cards/{id}/code`: the full-screen checkout code for one card: a QR the till scans, the same
//! proof as digits to read out, a countdown to the next code, and who the customer is (name, level,
//! discount) so the cashier can see it too.
//!
//! It works offline: the code comes from the card's [`CheckoutKey`] on the phone (kept by the
//! wallet for every card, see `checkout_key`), made each 30 seconds by `tessera_core::checkout`;
//! the card comes from the answers kept on the phone (its own, else the cards home's). Whenever the
//! server answers, the screen refreshes the key (and the clock correction), and while it is shown
//! it asks for the card every few seconds, to say when the till used the code ("Scanned · +25
//! points pending").
//!
//! An app of its own (`src/bin/tessera-code.rs`, page `code/index.html`, built into `dist/code/`
//! without hashes in its file names): the wallet's first load has a byte budget this screen would
//! break. It is shown two ways: as its own page (`/code`, a card's address loaded afresh, or a tap
//! before the wallet has it), and inside the wallet's page: the wallet loads this app's module
//! after its first paint (`crate::modules`) and shows the screen with [`show_in`] when
//! "Show code" is tapped, with no page load. The service worker precaches it with the wallet.

use crate::api::{self, ApiError, Remote};
use crate::checkout_key::{self, CheckoutKey, Codes};
use crate::components::{hue_class, reader_fmt, tier_badge};
use crate::i18n::*;
use crate::pages::card_failure as failure;
use crate::session::Auth;
use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use std::time::Duration;
use tessera_core::api::{Card, ErrorCode};
use tessera_core::checkout::{ms_left, step_at, STEP_MS};
use web_sys::js_sys::Date;

/// Mounts the code screen of the card the address names (`/cards/{id}/code`), or of the card used
/// last (`/code`).
pub fn start() {
    crate::mount(CodeApp);
}

/// Whether this module runs in its own page (`code/index.html`, whose script opens the database
/// as `tesseraOpening` before the wasm loads), not in the wallet's, which only imports it.
pub fn on_own_page() -> bool {
    web_sys::js_sys::Reflect::has(&web_sys::js_sys::global(), &"tesseraOpening".into())
        .unwrap_or(false)
}

/// Shows the code screen of card `id` in `host`, an element of the wallet's page, until the
/// returned handle is dropped (the wallet's route is left).
pub fn show_in(host: web_sys::HtmlElement, id: String) -> Box<dyn std::any::Any> {
    Box::new(leptos::mount::mount_to(host, move || {
        provide_code_contexts();
        view! { <CodeScreen id=id /> }
    }))
}

/// What the code screen needs from around it, in its own page or in the wallet's (with the
/// translations' provider): the customer's session. (No `api::Wake`: the screen asks the
/// server every few seconds anyway.)
fn provide_code_contexts() {
    provide_context(Auth::from_storage());
}

/// The card id in `/cards/{id}/code`.
pub fn card_id(path: &str) -> Option<&str> {
    path.strip_prefix("/cards/")?
        .strip_suffix("/code")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The card `/code` (the home-screen shortcut) opens: the one whose code was shown last while
/// its key is kept, else the only card of the cards home kept on the phone.
pub async fn last_card() -> Option<String> {
    if let Some(id) = checkout_key::marked_last() {
        if checkout_key::load(&id).await.is_some() {
            return Some(id);
        }
    }
    match kept_cards().await.as_slice() {
        [only] => Some(only.id.clone()),
        _ => None,
    }
}

/// The cards of the kept `/wallet` answer. Not `Wallet`: the code screen has no use for the rest
/// of the home (its programs by invitation), whose reader cost its build 1,239 bytes
/// (`bench size`, 2026-12-07); serde skips what a type does not name.
#[derive(serde::Deserialize)]
struct KeptCards {
    cards: Vec<Card>,
}

/// The cards of the cards home as kept on the phone (none when nothing is kept).
async fn kept_cards() -> Vec<Card> {
    let Some(owner) = crate::kept::owner() else {
        return Vec::new();
    };
    crate::kept::read(&owner, "/wallet")
        .await
        .and_then(|kept| api::decode::<KeptCards>(&kept.body).ok())
        .map(|kept| kept.cards)
        .unwrap_or_default()
}

/// The whole code app: a signed-in customer sees the code; anyone else goes to sign in.
#[component]
fn CodeApp() -> impl IntoView {
    provide_code_contexts();
    let auth = Auth::use_context();
    let path = window().location().pathname().unwrap_or_default();
    // `None` while the shortcut's card is looked up.
    let id = RwSignal::new(None::<Option<String>>);
    match card_id(&path) {
        Some(card) => id.set(Some(Some(card.to_owned()))),
        None => leptos::task::spawn_local(async move {
            id.set(Some(last_card().await));
        }),
    }
    view! {
            {move || match (id.get()?, auth.signed_in()) {
                (Some(id), true) => Some(view! { <CodeScreen id=id /> }),
                (Some(_), false) => {
                    crate::leave_to("/sign-in");
                    None
                }
                (None, _) => {
                    crate::leave_to("/");
                    None
                }
            }}
    }
}

/// Where the refresh of the card's key stands.
#[derive(Clone, Debug, PartialEq)]
enum Refresh {
    /// Asking the server.
    Asking,
    /// The server answered; the key is current.
    Done,
    /// The server could not be reached (a kept key, if any, is shown).
    Offline,
    /// The server refused (unknown card, or another error to retry).
    Failed(ApiError),
}

fn now_ms() -> i64 {
    Date::now() as i64
}

/// How often the shown screen asks for the card, to notice the till's scan.
const POLL_EVERY: Duration = Duration::from_secs(4);

/// Points on a card, to compare before and after the till.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Points {
    /// Spendable.
    pub balance: i64,
    /// Earned, not yet spendable.
    pub pending: i64,
}

impl Points {
    /// The card's points.
    pub fn of(card: &Card) -> Self {
        Points {
            balance: card.balance,
            pending: card.pending.iter().map(|p| p.points).sum(),
        }
    }
}

/// What the screen says once a till accepted one of the card's codes while it was shown: the
/// points that came (pending, or spendable) or went since it opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scanned {
    /// Accepted; no points moved (yet).
    Only,
    /// Points earned, waiting to become spendable.
    Pending(i64),
    /// The spendable balance moved (points earned at once, or spent).
    Balance(i64),
}

impl Scanned {
    /// From the card as it was when the screen opened and as it is now, if the last code a till
    /// accepted may have been shown here: its step had not ended when the screen opened (by the
    /// server's clock).
    pub fn of(card: &Card, opened: Points, opened_server_ms: i64) -> Option<Self> {
        let accepted = card.last_code_at?;
        if accepted + STEP_MS <= opened_server_ms {
            return None;
        }
        let now = Points::of(card);
        Some(if now.pending > opened.pending {
            Scanned::Pending(now.pending - opened.pending)
        } else if now.balance != opened.balance {
            Scanned::Balance(now.balance - opened.balance)
        } else {
            Scanned::Only
        })
    }
}

/// The code screen of card `id`.
#[component]
fn CodeScreen(id: String) -> impl IntoView {
    let i18n = use_i18n();
    checkout_key::mark_last(&id);
    let opened_ms = now_ms();
    let remote = Remote::<Card>::idle(api::card_path(&id));
    // The card as the cards home last showed it, until its own answer (kept or fresh) comes.
    let listed = RwSignal::new(None::<Card>);
    let key = RwSignal::new(None::<CheckoutKey>);
    let id = StoredValue::new(id);
    let sync = RwSignal::new(Refresh::Asking);
    // The codes the cards home signed for this step and handed over, if any: the first frame
    // waits for no database (`checkout_key::hand_over`).
    let handed = checkout_key::handed_over(&id.get_value(), now_ms());
    let handed_offset = handed.as_ref().map(|h| h.offset_ms);
    let codes = RwSignal::new(handed.map(|h| h.codes));
    let ask = move || {
        // A shown code stays as it is while its key is asked for again.
        if key.with_untracked(Option::is_none) {
            sync.set(Refresh::Asking);
        }
        leptos::task::spawn_local(async move {
            let id = id.get_value();
            if key.with_untracked(Option::is_none) {
                key.try_set(checkout_key::load(&id).await);
            }
            let state = match checkout_key::fetch(&id).await {
                Ok(fresh) => {
                    key.try_set(Some(fresh));
                    Refresh::Done
                }
                Err(ApiError::Network) => Refresh::Offline,
                // The screen is on its way back to sign-in (api ended the session).
                Err(error) if error.unauthenticated() => return,
                Err(error) => {
                    // The card left the wallet: its kept key must not be shown any more.
                    if error.code() == Some(ErrorCode::NotFound) {
                        checkout_key::forget(&id).await;
                        key.try_set(None);
                        codes.try_set(None);
                    }
                    Refresh::Failed(error)
                }
            };
            sync.try_set(state);
        });
    };
    let start = move || {
        // Gone before the frame (the session ended at once): nothing to start.
        if id.is_disposed() {
            return;
        }
        ask();
        remote.start();
        leptos::task::spawn_local(async move {
            let id = id.get_value();
            let card = kept_cards().await.into_iter().find(|card| card.id == id);
            listed.try_set(card);
        });
    };
    // Handed-over codes paint in the first frame, so the requests and reads wait for it; without
    // them the first frame is the wait for the key, so they go at once.
    match codes.with_untracked(Option::is_some) {
        true => crate::after_next_paint(start),
        false => start(),
    }

    // The clock, to the quarter second: a new code shows within 250 ms of its step.
    let now = RwSignal::new(now_ms());
    let ticker = set_interval_with_handle(move || now.set(now_ms()), Duration::from_millis(250));
    // While shown, the card is asked for again, to notice the till's scan (and, while the server
    // could not be reached, the key too: a screen shown at a till cannot wait for the backoff).
    let poll = set_interval_with_handle(
        move || {
            if document().hidden() {
                return;
            }
            remote.refetch();
            if sync.get_untracked() == Refresh::Offline {
                ask();
            }
        },
        POLL_EVERY,
    );
    on_cleanup(move || {
        for handle in [ticker, poll].into_iter().flatten() {
            handle.clear();
        }
    });
    crate::wake_lock::keep_screen_on();

    // Server clock minus this phone's: the key's, else the handed-over codes'.
    let offset = Memo::new(move |_| {
        key.with(|k| k.as_ref().map(|k| k.offset_ms))
            .or(handed_offset)
    });
    let server_now = move || offset.get().map(|offset| now.get() + offset);
    // The step's codes, signed when the step (or the key) changes; a slower signature for an
    // earlier step never replaces a later step's codes, and equal codes do not touch the page.
    let step = Memo::new(move |_| server_now().map(step_at));
    Effect::new(move |_| {
        let step = step.get();
        let Some(key) = key.get() else {
            // Handed-over codes are good for their own step only.
            if codes.with_untracked(|c| c.as_ref().is_some_and(|c| Some(c.step) != step)) {
                codes.set(None);
            }
            return;
        };
        let server_now = key.server_now(now.get_untracked());
        leptos::task::spawn_local(async move {
            let Some(fresh) = key.codes(server_now).await else {
                return;
            };
            // The same codes again (a refreshed key) leave the QR as it is.
            let newer = codes.try_with_untracked(|codes| {
                codes
                    .as_ref()
                    .is_none_or(|c| c.step <= fresh.step && *c != fresh)
            });
            if newer == Some(true) {
                codes.set(Some(fresh));
            }
        });
    });

    // The card as of now, from its own answer, else the cards home's; equal answers (most polls)
    // do not touch the page.
    let card = Memo::new(move |_| {
        let own = remote.get().and_then(Result::ok);
        own.or_else(|| listed.get())
            .map(|card| card.as_of(now_ms()))
    });
    let opened = StoredValue::new(None::<Points>);
    let scanned = Memo::new(move |_| {
        let card = card.get()?;
        let before = opened.get_value().unwrap_or_else(|| {
            let first = Points::of(&card);
            opened.set_value(Some(first));
            first
        });
        Scanned::of(
            &card,
            before,
            opened_ms + offset.get_untracked().unwrap_or(0),
        )
    });

    // A code to show (handed over, or from the key); the card comes when it is read.
    let shown = Memo::new(move |_| key.with(Option::is_some) || codes.with(Option::is_some));
    let body = move || match shown.get() {
        true => {
            let seconds = move || server_now().map(|t| (ms_left(t) + 999) / 1000);
            code_view(card, codes, seconds, scanned, sync, i18n).into_any()
        }
        false => match sync.get() {
            Refresh::Failed(error) => failure(&error, ask, i18n).into_any(),
            Refresh::Offline => view! {
                <div class="state state--offline" role="alert">
                    <div class="state__art" aria-hidden="true"></div>
                    <h1 class="state__title">{t_string!(i18n, code.setup_title)}</h1>
                    <p class="state__body">{t_string!(i18n, code.setup_body)}</p>
                    <button class="btn btn--secondary" type="button" on:click=move |_| ask()>
                        {t_string!(i18n, cards.retry)}
                    </button>
                </div>
            }
            .into_any(),
            Refresh::Asking | Refresh::Done => view! {
                <div class="code__loading" aria-busy="true">
                    <span class="skeleton code__qr-skeleton" aria-hidden="true"></span>
                    <p role="status">{t_string!(i18n, code.loading)}</p>
                </div>
            }
            .into_any(),
        },
    };

    view! {
        <section class=move || class(card) aria-labelledby="code-title">
            <button class="code__close" type="button" on:click=|_| close()
                aria-label=t_string!(i18n, code.close)>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
            </button>
            {body}
        </section>
    }
}

/// The screen in the card's colours, as its tile on the cards home.
fn class(card: Memo<Option<Card>>) -> String {
    card.with(|c| match c {
        Some(c) => format!("code {}", hue_class(&c.program_id)),
        None => "code".into(),
    })
}

/// Back where the customer came from, or to the cards home when the code was opened directly.
fn close() {
    match window().history() {
        Ok(history) if history.length().unwrap_or(0) > 1 => {
            let _ = history.back();
        }
        _ => crate::leave_to("/"),
    }
}

/// The code, and the card it belongs to once that is read (the codes handed over by the cards
/// home may come first).
fn code_view(
    card: Memo<Option<Card>>,
    codes: RwSignal<Option<Codes>>,
    seconds: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static,
    scanned: Memo<Option<Scanned>>,
    sync: RwSignal<Refresh>,
    i18n: I18nContext,
) -> impl IntoView {
    let fmt = reader_fmt();
    let locale = i18n.get_locale_untracked();
    let customer = Auth::use_context().customer().map(|c| c.display_name);
    let program = move || card.with(|c| c.as_ref().map(|c| c.program_name.clone()));
    let qr_label = move || {
        let program = program().unwrap_or_else(|| t_string!(i18n, app_name).to_owned());
        fill(t_string!(i18n, code.qr_label), &[("program", &program)])
    };
    let facts_fmt = fmt.clone();
    let facts = move || {
        let fmt = &facts_fmt;
        card.get().map(|card| {
            let discount = (card.rate_bp() > 0).then(|| {
                fill(
                    t_string!(i18n, code.discount),
                    &[("rate", &fmt.percent(card.rate_bp()))],
                )
            });
            let balance = fmt.points(card.balance);
            let tier = card.tier.map(|t| tier_badge(t.name, locale));
            view! {
                {tier}
                {discount.map(|d| view! { <span class="code__discount">{d}</span> })}
                <span class="code__balance">{balance}" "{card.point_name}</span>
            }
        })
    };
    let new_in = t_string!(i18n, code.new_in);
    let scanned_text = move || {
        let signed = |n: i64| format!("{}{}", if n > 0 { "+" } else { "" }, fmt.points(n));
        let name = card.with(|c| c.as_ref().map(|c| c.point_name.clone()))?;
        scanned.get().map(|scanned| match scanned {
            Scanned::Only => t_string!(i18n, code.scanned).to_owned(),
            Scanned::Pending(n) => fill(
                t_plural!(i18n, code.scanned_pending, n),
                &[("points", &signed(n)), ("name", &name)],
            ),
            Scanned::Balance(n) => fill(
                t_plural!(i18n, code.scanned_points, n),
                &[("points", &signed(n)), ("name", &name)],
            ),
        })
    };
    view! {
        <h1 class="code__program" id="code-title">{program}</h1>
        <div class="code__qr" role="img" aria-label=qr_label data-testid="qr">
            {move || codes.with(|c| c.as_ref().map(|c| qr_svg(&c.scanned)))}
        </div>
        <p class="code__typed-label">{t_string!(i18n, code.typed_label)}</p>
        <p class="code__typed" data-testid="typed-code">
            {move || codes.with(|c| c.as_ref().map(|c| c.typed.clone()))}
        </p>
        <div class="code__timer">
            <progress max=STEP_MS / 1000 value=move || seconds().unwrap_or(0) aria-hidden="true"></progress>
            <span>
                {move || seconds().map(|s| fill(new_in, &[("seconds", &s.to_string())]))}
            </span>
        </div>
        <div class="code__who">
            <p class="code__name">{customer}</p>
            <p class="code__facts">{facts}</p>
        </div>
        <p class="code__scanned" role="status" data-testid="scanned">{scanned_text}</p>
        // A kept code still works when the server cannot be asked.
        <Show when=move || sync.with(|s| matches!(s, Refresh::Offline | Refresh::Failed(_)))>
            <p class="code__offline" role="status">{t_string!(i18n, code.offline)}</p>
        </Show>
    }
}

/// `text` as an SVG QR code (level M, the 4-module quiet zone scanners need to find it), black on
/// white in both themes.
fn qr_svg(text: &str) -> Option<impl IntoView> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // The SVG is made here from the code's modules, never from outside input.
    Some(view! { <div class="qr" inner_html=svg></div> })
}
