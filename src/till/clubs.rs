//! Clubs at the till: taking a paid club's fee in money from the identified member (the
//! server's offers for the ticket: join, or renew), and, for managers, the club applications to
//! approve or reject with a reason.
//!
//! Shown by a module of their own (`src/bin/tessera-till-clubs.rs`, [`show_in`]), which the
//! console loads the first time it needs one ([`TillClubsModule`], [`TillClubsHost`]): the
//! console's page has a budget (`bench size`), and these parts are not every customer's.

use super::api;
use crate::api::idempotency::{new_key, Attempts};
use crate::api::ApiError;
use crate::components::{reader_fmt, FormAlert};
use crate::i18n::*;
use crate::messages::{error_text, Cashier};
use crate::modules::{next_route_number, Loaded};
use leptos::html::Div;
use leptos::prelude::*;
use tessera_core::api::{
    DecideApplication, TillApplication, TillClubFeeRequest, TillClubOffer, TillTicket,
};

/// The fees the cashier may take in money from the ticket's member, each with its button; the
/// answer of each says until when the membership runs. Nothing while there are none.
#[component]
pub fn ClubFees(ticket: String) -> impl IntoView {
    let i18n = use_i18n();
    let offers = RwSignal::new(Vec::<TillClubOffer>::new());
    let asked = TillTicket {
        ticket: ticket.clone(),
    };
    leptos::task::spawn_local(async move {
        // Without an answer the cashier can still sell: the fees are not the sale.
        if let Ok(answer) = api::club_fee_offers(&asked).await {
            offers.try_set(answer.offers);
        }
    });
    move || {
        let offers = offers.get();
        (!offers.is_empty()).then(|| {
            let items = offers
                .into_iter()
                .map(|offer| fee_item(offer, ticket.clone(), i18n.get_locale_untracked()))
                .collect_view();
            view! {
                <section class="panel" aria-labelledby="club-fees-title">
                    <h2 class="panel__title" id="club-fees-title">{t_string!(i18n, till.clubs.fees_title)}</h2>
                    <ul class="lines" role="list">{items}</ul>
                </section>
            }
        })
    }
}

/// Where taking one fee stands: its end says until when the membership runs.
#[derive(Clone, Debug, PartialEq)]
enum Taking {
    Idle,
    Sending,
    Failed(ApiError),
    Taken(Option<i64>),
}

/// One offer: what it is, and "Take GEL 25.00".
fn fee_item(offer: TillClubOffer, ticket: String, locale: Locale) -> impl IntoView {
    let fmt = reader_fmt();
    let amount = fmt.money(offer.amount_minor, &offer.currency);
    let what = if offer.renewal {
        fill(
            td_string!(locale, till.clubs.renew),
            &[
                ("club", &offer.club_name),
                ("date", &fmt.local_day(offer.ends_at.unwrap_or_default())),
            ],
        )
    } else {
        fill(
            td_string!(locale, till.clubs.join),
            &[("club", &offer.club_name)],
        )
    };
    let state = RwSignal::new(Taking::Idle);
    let attempts = StoredValue::new(Attempts::default());
    let request = StoredValue::new(TillClubFeeRequest {
        ticket,
        club_id: offer.club_id.clone(),
    });
    let take = move |_| {
        if state.with_untracked(|s| matches!(s, Taking::Sending | Taking::Taken(_))) {
            return;
        }
        state.set(Taking::Sending);
        let request = request.get_value();
        let key = attempts
            .try_update_value(|a| a.key(&request.club_id, new_key))
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = api::club_fee(&request, &key).await;
            attempts.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
            state.try_set(match result {
                Ok(fee) => Taking::Taken(fee.ends_at),
                Err(error) => Taking::Failed(error),
            });
        });
    };
    let error = Signal::derive(move || {
        state.with(|s| match s {
            Taking::Failed(error) => Some(error_text::<Cashier>(error, locale)),
            _ => None,
        })
    });
    let label = fill(td_string!(locale, till.clubs.take), &[("amount", &amount)]);
    let taken_text = move |ends_at: Option<i64>| match ends_at {
        Some(end) => fill(
            td_string!(locale, till.clubs.taken_until),
            &[("amount", &amount), ("date", &reader_fmt().local_day(end))],
        ),
        None => fill(td_string!(locale, till.clubs.taken), &[("amount", &amount)]),
    };
    view! {
        <li class="event club-fee" data-club=offer.club_id.clone()>
            <p>{what}</p>
            <FormAlert message=error />
            {move || match state.get() {
                Taking::Taken(ends_at) => view! {
                    <p class="note" role="status" data-testid="club-fee-taken">{taken_text(ends_at)}</p>
                }
                .into_any(),
                taking => {
                    let sending = taking == Taking::Sending;
                    view! {
                        <button class="btn btn--secondary" type="button" disabled=sending on:click=take>
                            {if sending { td_string!(locale, till.clubs.taking).to_owned() } else { label.clone() }}
                        </button>
                    }
                    .into_any()
                }
            }}
        </li>
    }
}

/// The managers' list of club applications: each with the questionnaire as answered, "Approve",
/// and "Reject" with the reason the applicant reads.
#[component]
pub fn ApplicationsView() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let list = RwSignal::new(None::<Result<Vec<TillApplication>, ApiError>>);
    leptos::task::spawn_local(async move {
        let answer = api::applications().await.map(|l| l.applications);
        list.try_set(Some(answer));
    });
    // What the last decision was, said above the list.
    let said = RwSignal::new(None::<String>);
    let body = move || {
        let text = |key: &'static str| view! { <p class="note">{key}</p> }.into_any();
        match list.get() {
            None => text(td_string!(locale, till.clubs.loading)),
            Some(Err(error)) => {
                let text = error_text::<Cashier>(&error, locale);
                view! { <p class="alert alert--error" role="alert">{text}</p> }.into_any()
            }
            Some(Ok(applications)) if applications.is_empty() => view! {
                <p class="note" data-testid="no-applications">{td_string!(locale, till.clubs.none)}</p>
            }
            .into_any(),
            Some(Ok(applications)) => applications
                .into_iter()
                .map(|application| application_item(application, list, said, locale))
                .collect_view()
                .into_any(),
        }
    };
    view! {
        <section class="page till-applications" aria-labelledby="applications-title">
            <h1 class="page__title" id="applications-title">{td_string!(locale, till.clubs.applications_title)}</h1>
            {move || said.get().map(|text| view! { <p class="note" role="status" data-testid="decided">{text}</p> })}
            {body}
        </section>
    }
}

/// One application: the club, who and when, the answers, and the decision's buttons.
fn application_item(
    application: TillApplication,
    list: RwSignal<Option<Result<Vec<TillApplication>, ApiError>>>,
    said: RwSignal<Option<String>>,
    locale: Locale,
) -> impl IntoView {
    let fmt = reader_fmt();
    let date = fmt.local_day(application.applied_at);
    // An applicant to the program itself holds no card of it yet.
    let who = match &application.card_number {
        Some(card) => fill(
            td_string!(locale, till.clubs.who),
            &[
                ("name", &application.member_name),
                ("card", card),
                ("date", &date),
            ],
        ),
        None => fill(
            td_string!(locale, till.clubs.who_new),
            &[("name", &application.member_name), ("date", &date)],
        ),
    };
    let answers = application
        .answers
        .iter()
        .map(|a| {
            let answer = if a.answer.is_empty() {
                td_string!(locale, till.clubs.skipped).to_owned()
            } else {
                a.answer.clone()
            };
            view! {
                <div class="member__fact">
                    <dt>{a.question.clone()}</dt>
                    <dd>{answer}</dd>
                </div>
            }
        })
        .collect_view();
    let reason = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (id, club, name) = (
        application.id.clone(),
        application.applies_to.clone(),
        application.member_name.clone(),
    );
    let reason_id = format!("reason-{id}");
    let decide = move |approve: bool| {
        if sending.get_untracked() {
            return;
        }
        let decision = DecideApplication {
            approve,
            reason: (!approve).then(|| reason.get_untracked()),
        };
        sending.set(true);
        let (id, club, name) = (id.clone(), club.clone(), name.clone());
        leptos::task::spawn_local(async move {
            let result = api::decide(&id, &decision).await;
            sending.try_set(false);
            match result {
                Ok(_) => {
                    let key = if approve {
                        td_string!(locale, till.clubs.approved)
                    } else {
                        td_string!(locale, till.clubs.rejected)
                    };
                    said.try_set(Some(fill(key, &[("name", &name), ("club", &club)])));
                    list.try_update(|l| {
                        if let Some(Ok(all)) = l {
                            all.retain(|a| a.id != id);
                        }
                    });
                }
                Err(error_answer) => {
                    let text = match error_answer.fields().first() {
                        Some(_) => td_string!(locale, till.clubs.reason_required).to_owned(),
                        None => error_text::<Cashier>(&error_answer, locale),
                    };
                    error.try_set(Some(text));
                }
            }
        });
    };
    let decide_reject = decide.clone();
    view! {
        <article class="panel application" data-testid="application">
            <h2 class="panel__title">{application.applies_to.clone()}</h2>
            <p>{who}</p>
            {application.invited.then(|| view! { <p class="note">{td_string!(locale, till.clubs.invited)}</p> })}
            <dl class="member__facts">{answers}</dl>
            <div class="field">
                <label class="field__label" for=reason_id.clone()>{td_string!(locale, till.clubs.reason)}</label>
                <input class="field__input" id=reason_id type="text" maxlength="300"
                    prop:value=move || reason.get()
                    on:input=move |e| reason.set(event_target_value(&e)) />
            </div>
            <FormAlert message=Signal::derive(move || error.get()) />
            <button class="btn btn--primary" type="button" disabled=move || sending.get()
                on:click=move |_| decide(true)>
                {td_string!(locale, till.clubs.approve)}
            </button>
            <button class="btn btn--secondary" type="button" disabled=move || sending.get()
                on:click=move |_| decide_reject(false)>
                {td_string!(locale, till.clubs.reject)}
            </button>
        </article>
    }
}

/// The path of the applications screen.
pub const APPLICATIONS: &str = "/till/applications";

/// Where the fees screen's path starts; the ticket follows.
const FEES: &str = "/till/club-fees/";

/// The path of the fees screen for a member's ticket (a name for the module, never an address).
pub fn fees_path(ticket: &str) -> String {
    format!("{FEES}{ticket}")
}

/// Shows the club part `path` names in `host`, an element of the console's page, until the
/// returned handle is dropped: the module's side of [`TillClubsHost`].
pub fn show_in(host: web_sys::HtmlElement, path: &str) -> Box<dyn std::any::Any> {
    let ticket = path.strip_prefix(FEES).map(str::to_owned);
    Box::new(leptos::mount::mount_to(host, move || {
        view! {
                {match ticket {
                    Some(ticket) => view! { <ClubFees ticket=ticket /> }.into_any(),
                    None => view! { <ApplicationsView /> }.into_any(),
                }}
        }
    }))
}

/// The console's club module, provided by the console: loaded when a part is first needed.
#[derive(Clone, Copy)]
pub struct TillClubsModule {
    module: Loaded,
    asked: StoredValue<bool>,
}

impl TillClubsModule {
    /// Not loaded until a [`TillClubsHost`] asks for it.
    pub fn new() -> Self {
        TillClubsModule {
            module: Loaded::new(),
            asked: StoredValue::new(false),
        }
    }
}

impl Default for TillClubsModule {
    fn default() -> Self {
        Self::new()
    }
}

/// An element of the console where the club module shows the part `path` names, as soon as the
/// module is loaded (nothing before: the console works without it).
#[component]
pub fn TillClubsHost(path: String) -> impl IntoView {
    let clubs = expect_context::<TillClubsModule>();
    let host = NodeRef::<Div>::new();
    let number = next_route_number();
    if !clubs.asked.get_value() {
        clubs.asked.set_value(true);
        clubs.module.load("till-clubs", None, None);
    }
    Effect::new(move |_| {
        let (Some(host), true) = (host.get(), clubs.module.ready()) else {
            return;
        };
        let _ = clubs.module.show(&host, &path, number);
    });
    on_cleanup(move || clubs.module.hide(number));
    view! { <div class="till-clubs" node_ref=host></div> }
}
