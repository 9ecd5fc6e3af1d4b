//! `/`: the cards home.

use crate::api::Remote;
use crate::checkout_key;
use crate::components::{CardTile, CardTileSkeleton, OfflineLine};
use crate::i18n::*;
use crate::messages::error_message;
use leptos::prelude::*;
use tessera_core::api::{ApplicationStatus, ProgramOffer, Wallet};
use web_sys::js_sys::Date;

/// Every card of the signed-in customer, with loading, empty and error states.
#[component]
pub fn CardsPage() -> impl IntoView {
    let i18n = use_i18n();
    // An ended session goes back to sign-in through the client and the guard.
    let wallet = Remote::<Wallet>::new("/wallet");
    // Every card's checkout key on the phone (at sign-in, and when a card appears), so its code
    // opens offline even the first time; and each card's current codes signed ahead, so "Show
    // code" paints its first frame without waiting for the database.
    let ids = move || {
        let cards = wallet.get_untracked().and_then(Result::ok).map(|w| w.cards);
        cards
            .into_iter()
            .flatten()
            .map(|card| card.id)
            .collect::<Vec<_>>()
    };
    Effect::new(move |_| {
        if let Some(Ok(w)) = wallet.get() {
            let ids: Vec<String> = w.cards.into_iter().map(|card| card.id).collect();
            leptos::task::spawn_local(async move {
                checkout_key::keep_missing(ids.clone()).await;
                checkout_key::hand_over(&ids).await;
            });
        }
    });
    let shown = StoredValue::new(());
    checkout_key::hand_over_while(ids, move || shown.try_get_value().is_some());

    let body = move || match wallet.get() {
        None => view! {
            <div class="cards" aria-busy="true">
                <p class="sr-only" role="status">{t_string!(i18n, cards.loading)}</p>
                <CardTileSkeleton />
                <CardTileSkeleton />
            </div>
        }
        .into_any(),
        Some(Ok(w)) if w.cards.is_empty() => view! {
            <div class="state state--empty">
                <div class="state__art" aria-hidden="true"></div>
                <h2 class="state__title">{t_string!(i18n, cards.empty_title)}</h2>
                <p class="state__body">{t_string!(i18n, cards.empty_body)}</p>
            </div>
        }
        .into_any(),
        Some(Ok(w)) => view! {
            {new_terms(&w, i18n)}
            <ul class="cards" role="list">
                {w
                    .cards
                    .into_iter()
                    .map(|card| {
                        // What time alone changed since the answer (kept, or just in).
                        let card = card.as_of(Date::now() as i64);
                        view! { <li class="cards__item"><CardTile card=card /></li> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
        Some(Err(error)) => {
            let message = error_message(&error);
            view! {
                <div class="state state--error" role="alert">
                    <h2 class="state__title">{t_string!(i18n, cards.error_title)}</h2>
                    <p class="state__body">{message}</p>
                    <button class="btn btn--secondary" type="button" on:click=move |_| wallet.refetch()>
                        {t_string!(i18n, cards.retry)}
                    </button>
                </div>
            }
            .into_any()
        }
    };

    let by_invitation = move || {
        wallet
            .get()
            .and_then(Result::ok)
            .map(|w| offers(&w.by_invitation, i18n))
    };

    view! {
        <section class="page" aria-labelledby="cards-title">
            <h1 class="page__title" id="cards-title">{t_string!(i18n, cards.title)}</h1>
            <OfflineLine since=Signal::derive(move || wallet.stale_since()) />
            {body}
            {by_invitation}
        </section>
    }
}

/// A line for each card whose program's terms changed since its member accepted them: they
/// must accept the new ones (on `/cards/{id}/terms`, which says when they changed) to spend
/// points or redeem.
fn new_terms(wallet: &Wallet, i18n: I18nContext) -> impl IntoView {
    wallet
        .cards
        .iter()
        .filter(|card| wallet.terms_to_accept.contains(&card.id))
        .map(|card| {
            let text = fill(
                t_string!(i18n, cards.new_terms),
                &[("program", &card.program_name)],
            );
            view! {
                <a class="alert alert--notice" href=format!("/cards/{}/terms", card.id) data-testid="new-terms">
                    <span class="alert__icon" aria-hidden="true">"!"</span>
                    <span class="alert__text">{text}</span>
                </a>
            }
        })
        .collect_view()
}

/// The programs joined by application: to apply to (or where the application stands), or, for
/// their cardholders, to invite friends to; nothing for a program neither.
fn offers(offers: &[ProgramOffer], i18n: I18nContext) -> Option<impl IntoView> {
    let items: Vec<_> = offers
        .iter()
        .filter_map(|offer| {
            let (class, state) = match (offer.held, offer.application) {
                (true, _) if offer.invitations => {
                    ("reward__ready", t_string!(i18n, cards.offer_invite))
                }
                (true, _) => return None,
                (false, Some(ApplicationStatus::Pending)) => {
                    ("reward__note", t_string!(i18n, cards.offer_pending))
                }
                (false, Some(ApplicationStatus::Rejected)) => {
                    ("reward__note", t_string!(i18n, cards.offer_rejected))
                }
                (false, _) => ("reward__ready", t_string!(i18n, cards.offer_apply)),
            };
            Some(view! {
                <li>
                    <a class="reward" href=format!("/programs/{}", offer.program_id)
                        data-program=offer.program_id.clone()>
                        <span class="reward__body">
                            <span class="reward__title">{offer.name.clone()}</span>
                            <span class=class>{state}</span>
                        </span>
                    </a>
                </li>
            })
        })
        .collect();
    (!items.is_empty()).then(|| {
        view! {
            <h2 class="panel__title">{t_string!(i18n, cards.by_invitation)}</h2>
            <ul class="rewards" role="list" data-testid="by-invitation">{items}</ul>
        }
    })
}
