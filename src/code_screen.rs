//! `/cards/{id}/code`: the full-screen checkout code for one card: a QR the till scans, the same
//! proof as digits to read out, a countdown to the next code, and who the customer is (name, level,
//! discount) so the cashier can see it too.
//!
//! It works offline: the code comes from the card's [`CheckoutKey`] on the phone, made each 30
//! seconds by `tessera_core::checkout`; the screen refreshes the key (and the clock correction)
//! whenever the server answers, and shows the stored one when it does not.
//!
//! An app of its own (`src/bin/tessera-code.rs`, page `code/index.html`, built into `dist/code/`):
//! the wallet's first load has a byte budget this screen would break, so the cards link here with a
//! full page load (`rel="external"`) and the service worker precaches this app with the wallet.

use crate::api::{self, ApiError};
use crate::checkout_key::{self, clock_offset, CheckoutKey, Codes};
use crate::components::{hue_class, reader_fmt, tier_badge};
use crate::i18n::*;
use crate::pages::card_failure as failure;
use crate::session::Auth;
use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use std::time::Duration;
use tessera_core::api::ErrorCode;
use tessera_core::checkout::{ms_left, STEP_MS};
use web_sys::js_sys::Date;

/// Mounts the code screen of the card the address names (`/cards/{id}/code`), or of the card used
/// last (`/code`).
pub fn start() {
    crate::mount(CodeApp);
}

/// The card id in `/cards/{id}/code`.
pub fn card_id(path: &str) -> Option<&str> {
    path.strip_prefix("/cards/")?
        .strip_suffix("/code")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The whole code app: a signed-in customer sees the code; anyone else goes to sign in.
#[component]
fn CodeApp() -> impl IntoView {
    let auth = Auth::from_storage();
    provide_context(auth);
    let path = window().location().pathname().unwrap_or_default();
    let id = match path.as_str() {
        // The home-screen shortcut: the card used last.
        "/code" => checkout_key::last(),
        path => card_id(path).map(str::to_owned),
    };
    view! {
        <I18nContextProvider>
            {move || match (&id, auth.signed_in()) {
                (Some(id), true) => Some(view! { <CodeScreen id=id.clone() /> }),
                (Some(_), false) => {
                    leave("/sign-in");
                    None
                }
                (None, _) => {
                    leave("/");
                    None
                }
            }}
        </I18nContextProvider>
    }
}

/// Goes to a page of the wallet, replacing this one in the history.
fn leave(to: &str) {
    let _ = window().location().replace(to);
}

/// Where the refresh of the card's key stands.
#[derive(Clone, Debug, PartialEq)]
enum Refresh {
    /// Asking the server.
    Asking,
    /// The server answered; the key is current.
    Done,
    /// The server could not be reached (a stored key, if any, is shown).
    Offline,
    /// The server refused (unknown card, or another error to retry).
    Failed(ApiError),
}

fn now_ms() -> i64 {
    Date::now() as i64
}

/// Fetches the card and its secret and keeps them on the phone.
async fn refresh(id: &str) -> Result<CheckoutKey, ApiError> {
    let card = api::card(id).await?;
    let sent = now_ms();
    let secret = api::checkout_secret(id).await?;
    let offset_ms = clock_offset(secret.server_time, sent, now_ms());
    let key = CheckoutKey {
        secret,
        card,
        offset_ms,
    };
    checkout_key::save(&key);
    Ok(key)
}

#[component]
fn CodeScreen(id: String) -> impl IntoView {
    let i18n = use_i18n();
    checkout_key::mark_last(&id);
    let key = RwSignal::new(checkout_key::load(&id));
    let id = StoredValue::new(id);
    let sync = RwSignal::new(Refresh::Asking);
    let ask = move || {
        sync.set(Refresh::Asking);
        leptos::task::spawn_local(async move {
            let id = id.get_value();
            let state = match refresh(&id).await {
                Ok(fresh) => {
                    key.try_set(Some(fresh));
                    Refresh::Done
                }
                Err(ApiError::Network) => Refresh::Offline,
                // The screen is on its way back to sign-in (api ended the session).
                Err(error) if error.unauthenticated() => return,
                Err(error) => {
                    // The card left the wallet: its stored key must not be shown any more.
                    if error.code() == Some(ErrorCode::NotFound) {
                        checkout_key::forget(&id);
                        key.try_set(None);
                    }
                    Refresh::Failed(error)
                }
            };
            sync.try_set(state);
        });
    };
    ask();

    // The clock, to the quarter second: a new code shows within 250 ms of its step.
    let now = RwSignal::new(now_ms());
    let ticker = set_interval_with_handle(move || now.set(now_ms()), Duration::from_millis(250));
    on_cleanup(move || {
        if let Ok(ticker) = ticker {
            ticker.clear();
        }
    });
    crate::wake_lock::keep_screen_on();

    let server_now = move || key.with(|k| k.as_ref().map(|k| k.server_now(now.get())));
    // Recomputed each tick, but equal codes do not touch the page.
    let codes = Memo::new(move |_| {
        let server_now = server_now()?;
        key.with(|k| k.as_ref()?.codes(server_now))
    });

    let body = move || {
        let shown = key.with(|k| k.as_ref().map(|k| k.card.clone()));
        match (shown, sync.get()) {
            (Some(card), state) => {
                let seconds = move || server_now().map(|t| (ms_left(t) + 999) / 1000);
                // A stored code still works when the server cannot be asked.
                let offline = matches!(state, Refresh::Offline | Refresh::Failed(_));
                code_view(card, codes, seconds, offline, i18n).into_any()
            }
            (None, Refresh::Failed(error)) => failure(&error, ask, i18n).into_any(),
            (None, Refresh::Offline) => view! {
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
            (None, _) => view! {
                <div class="code__loading" aria-busy="true">
                    <span class="skeleton code__qr-skeleton" aria-hidden="true"></span>
                    <p role="status">{t_string!(i18n, code.loading)}</p>
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <section class=move || class(key) aria-labelledby="code-title">
            <button class="code__close" type="button" on:click=|_| close()
                aria-label=t_string!(i18n, code.close)>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
            </button>
            {body}
        </section>
    }
}

/// The screen in the card's colours, as its tile on the cards home.
fn class(key: RwSignal<Option<CheckoutKey>>) -> String {
    key.with(|k| match k {
        Some(k) => format!("code {}", hue_class(&k.card.program_id)),
        None => "code".into(),
    })
}

/// Back where the customer came from, or to the cards home when the code was opened directly.
fn close() {
    match window().history() {
        Ok(history) if history.length().unwrap_or(0) > 1 => {
            let _ = history.back();
        }
        _ => leave("/"),
    }
}

/// The code with the card it belongs to.
fn code_view(
    card: tessera_core::api::Card,
    codes: Memo<Option<Codes>>,
    seconds: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static,
    offline: bool,
    i18n: I18nContext,
) -> impl IntoView {
    let fmt = reader_fmt();
    let locale = i18n.get_locale_untracked();
    let customer = Auth::use_context().customer().map(|c| c.display_name);
    let qr_label = fill(
        t_string!(i18n, code.qr_label),
        &[("program", &card.program_name)],
    );
    let discount = (card.discount.rate_bp > 0).then(|| {
        fill(
            t_string!(i18n, code.discount),
            &[("rate", &fmt.percent(card.discount.rate_bp))],
        )
    });
    let balance = fmt.points(card.balance);
    let tier = card.tier.map(|t| tier_badge(t.name, locale));
    let new_in = t_string!(i18n, code.new_in);
    view! {
        <h1 class="code__program" id="code-title">{card.program_name}</h1>
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
            <p class="code__facts">
                {tier}
                {discount.map(|d| view! { <span class="code__discount">{d}</span> })}
                <span class="code__balance">{balance}" "{card.point_name}</span>
            </p>
        </div>
        {offline.then(|| view! {
            <p class="code__offline" role="status">{t_string!(i18n, code.offline)}</p>
        })}
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
