//! `/programs/:id`: a program joined by application (`enrolment = "closed"`): what it is and
//! what applying asks; for someone without its card the application form (`super::club_apply`'s,
//! without a club), then "applied on" until the program's managers decide (a rejection shows
//! its reason above a new form); for a cardholder, the way to their card and their invitation
//! codes to share.
//!
//! Shown by the entry module (`src/bin/tessera-entry.rs`, `crate::areas`). The entry is a
//! [`Remote`], so it shows offline from what the device kept.

use super::card::failure;
use super::club_apply::ApplyForm;
use super::clubs::Acting;
use super::invitations::invitation_panel;
use super::vouchers::{loading, missing};
use crate::api::{self, ProgramAction, Remote};
use crate::components::{back_link, reader_fmt, OfflineLine};
use crate::format::Fmt;
use crate::i18n::*;
use leptos::prelude::*;
use tessera_core::api::{
    ApplicationStatus, ApplyToProgram, EntryState, ErrorCode, JoinClub, ProgramEntry,
};

/// The closed program `program_id` for the signed-in customer.
#[component]
pub fn ProgramEntryPage(program_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let entry = Remote::<ProgramEntry>::new(api::entry_path(&program_id));
    // What the last action did, said above the program once it is read again.
    let done = RwSignal::new(None::<&'static str>);
    let body = move || {
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        match entry.get() {
            None => loading(td_string!(locale, programs.loading)).into_any(),
            // An open or unknown program has no entry.
            Some(Err(error)) if error.code() == Some(ErrorCode::NotFound) => missing(
                td_string!(locale, programs.not_found_title),
                td_string!(locale, programs.not_found_body),
            )
            .into_any(),
            Some(Err(error)) => failure(&error, move || entry.refetch(), i18n).into_any(),
            Some(Ok(shown)) => details(&shown, entry, done, &fmt, locale).into_any(),
        }
    };
    view! {
        <section class="page page--card page--clubs">
            {back_link("/".into(), t_string!(i18n, programs.back))}
            <OfflineLine since=Signal::derive(move || entry.stale_since()) />
            {body}
        </section>
    }
}

/// The program, what applying asks, where the customer stands, and what they may do.
fn details(
    shown: &ProgramEntry,
    entry: Remote<ProgramEntry>,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let mut asks = Vec::new();
    if !shown.questions.is_empty() {
        asks.push(td_string!(locale, clubs.asks_questions));
    }
    if shown.invitation {
        asks.push(td_string!(locale, clubs.asks_invitation));
    }
    if shown.approval {
        asks.push(td_string!(locale, clubs.asks_approval));
    }
    let asks = asks
        .into_iter()
        .map(|text| view! { <li class="event">{text}</li> })
        .collect_view();
    let said = move || {
        done.get().map(
            |text| view! { <p class="page__lead" role="status" data-testid="program-done">{text}</p> },
        )
    };
    let rejected = shown
        .application
        .as_ref()
        .filter(|a| a.status == ApplicationStatus::Rejected && shown.state == EntryState::CanApply)
        .map(|a| {
            fill(
                td_string!(locale, clubs.rejected),
                &[("reason", a.reason.as_deref().unwrap_or_default())],
            )
        });
    let state = match shown.state {
        EntryState::Cardholder => Some(td_string!(locale, programs.holder).to_owned()),
        EntryState::Pending => Some(fill(
            td_string!(locale, programs.pending),
            &[(
                "date",
                &fmt.local_day(shown.application.as_ref().map_or(0, |a| a.applied_at)),
            )],
        )),
        EntryState::CanApply => rejected,
    };
    let state = state.map(|text| {
        let class = if shown.state == EntryState::Cardholder {
            "reward__ready"
        } else {
            "reward__note"
        };
        view! { <p class=class data-testid="program-state">{text}</p> }
    });
    let program_id = StoredValue::new(shown.program_id.clone());
    let acts = match (shown.state, &shown.card_id) {
        (EntryState::Cardholder, Some(card_id)) => {
            let codes = shown
                .invitation
                .then(|| invitations(shown, entry, done, fmt, locale));
            view! {
                <a class="btn btn--primary" href=format!("/cards/{card_id}")>
                    {td_string!(locale, programs.open_card)}
                </a>
                {codes}
            }
            .into_any()
        }
        (EntryState::CanApply, _) => view! {
            <ApplyForm questions=shown.questions.clone()
                invitation=shown.invitation approval=shown.approval
                send=move |request: JoinClub, key: String| async move {
                    let apply = ApplyToProgram {
                        answers: request.answers,
                        invitation: request.invitation,
                    };
                    let id = program_id.get_value();
                    api::program_action(&id, ProgramAction::Apply(&apply), Some(&key)).await
                }
                on_done=Callback::new(move |holder: bool| {
                    done.set(Some(if holder {
                        td_string!(locale, programs.joined)
                    } else {
                        td_string!(locale, clubs.applied)
                    }));
                    entry.refetch();
                }) />
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        {said}
        <article class="reward-detail">
            <h1 class="page__title">{shown.name.clone()}</h1>
            <p class="reward-detail__description">{shown.description.clone()}</p>
            <h2 class="panel__title">{td_string!(locale, clubs.takes_title)}</h2>
            <ul class="lines" role="list">{asks}</ul>
            {state}
        </article>
        {acts}
    }
}

/// A cardholder's invitation codes, and a button for a new one while this year's last.
fn invitations(
    shown: &ProgramEntry,
    entry: Remote<ProgramEntry>,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let program = shown.name.clone();
    let message = move |code: &str| {
        fill(
            td_string!(locale, programs.share_text),
            &[("program", &program), ("code", code)],
        )
    };
    let state = RwSignal::new(Acting::Idle);
    let program_id = StoredValue::new(shown.program_id.clone());
    let make = move || {
        if state.with_untracked(|s| matches!(s, Acting::Sending)) {
            return;
        }
        state.set(Acting::Sending);
        let program_id = program_id.get_value();
        leptos::task::spawn_local(async move {
            match api::program_action(&program_id, ProgramAction::Invite, None).await {
                Ok(()) => {
                    done.try_set(Some(td_string!(locale, clubs.invited)));
                    state.try_set(Acting::Done(()));
                    entry.refetch();
                }
                Err(error) => {
                    state.try_set(Acting::Failed(error));
                }
            }
        });
    };
    invitation_panel(
        &shown.invitations,
        shown.invitations_left,
        message,
        state,
        make,
        fmt,
        locale,
    )
}
