//! A closed club's or closed program's application form (its questionnaire, each question by
//! its kind, and the invitation code it asks for; the server's refusals shown by the question
//! they name), part of `super::program_entry`, and `/cards/:id/clubs/:club/apply`, a closed
//! club's form on a screen of its own. Both are the entry module's (`crate::areas`): the club's
//! screen (`super::clubs`, the memberships module) links here, so that module carries no form
//! (with it, it was over its budget: `bench size`).

use super::clubs::{Acting, Shown};
use super::vouchers::missing;
use crate::api::idempotency::{new_key, Attempts};
use crate::api::{self, ApiError, ClubAction};
use crate::components::{back_link, FormAlert, OfflineLine};
use crate::i18n::*;
use crate::messages::{club_error_message, field_error_message};
use leptos::prelude::*;
use std::future::Future;
use tessera_core::api::{Answer, JoinClub, QuestionView};
use tessera_core::club::QuestionKind;

/// A closed club's application form on a screen of its own; once sent, what comes next (a
/// member at once, or an application that waits) and the way back to the club.
#[component]
pub fn ClubApplicationPage(card_id: String, club_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let club_path = format!("/cards/{card_id}/clubs/{club_id}");
    let shown = Shown::new(card_id);
    let clubs = shown.clubs();
    let done = RwSignal::new(None::<&'static str>);
    let (club_id, club_path) = (StoredValue::new(club_id), StoredValue::new(club_path));
    let screen = move || {
        let locale = i18n.get_locale_untracked();
        let list = match shown.read(i18n) {
            Ok(list) => list,
            Err(state) => return state,
        };
        let Some(club) = list.clubs.iter().find(|c| c.id == club_id.get_value()) else {
            return missing(
                td_string!(locale, clubs.not_found_title),
                td_string!(locale, clubs.not_found_body),
            )
            .into_any();
        };
        let body = match done.get() {
            Some(text) => view! {
                <p class="page__lead" role="status" data-testid="club-done">{text}</p>
                <a class="btn btn--primary" href=club_path.get_value()>
                    {td_string!(locale, clubs.back_club)}
                </a>
            }
            .into_any(),
            None => {
                let program_id = StoredValue::new(list.program_id.clone());
                view! {
                    <ApplyForm questions=club.questions.clone()
                        invitation=club.invitation approval=club.approval
                        send=move |request: JoinClub, key: String| async move {
                            // An application is the club's join.
                            let join = ClubAction::Join(&request);
                            let (program, club) = (program_id.get_value(), club_id.get_value());
                            api::club_action(&program, &club, join, Some(&key)).await
                        }
                        on_done=Callback::new(move |member: bool| {
                            done.set(Some(if member {
                                td_string!(locale, clubs.joined)
                            } else {
                                td_string!(locale, clubs.applied)
                            }));
                            clubs.refetch();
                        }) />
                }
                .into_any()
            }
        };
        view! {
            <h1 class="page__title">{club.name.clone()}</h1>
            {body}
        }
        .into_any()
    };
    view! {
        <section class="page page--card page--clubs">
            {back_link(club_path.get_value(), t_string!(i18n, clubs.back_club))}
            <OfflineLine since=Signal::derive(move || clubs.stale_since()) />
            {screen}
        </section>
    }
}

/// The application form of a closed club or a closed program: its questions, the invitation
/// code, and the button that sends them by `send`: the answers and code (a `JoinClub`, which a
/// club's join takes as it is and a closed program's apply takes apart) with the attempt's
/// `Idempotency-Key`. Generic, not a `dyn` sender: each module passes its one sender, so neither
/// carries the other's request nor an indirection. `on_done` learns whether the customer is a
/// member at once (no approval) or the application waits.
#[component]
pub fn ApplyForm<S, F>(
    questions: Vec<QuestionView>,
    /// It asks for an invitation code.
    invitation: bool,
    /// Staff approve each application.
    approval: bool,
    send: S,
    on_done: Callback<bool>,
) -> impl IntoView
where
    S: Fn(JoinClub, String) -> F + Copy + 'static,
    F: Future<Output = Result<(), ApiError>> + 'static,
{
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let answers = RwSignal::new(
        questions
            .iter()
            .map(|q| Answer {
                question: q.id.clone(),
                ..Answer::default()
            })
            .collect::<Vec<_>>(),
    );
    let typed_code = RwSignal::new(String::new());
    let state = RwSignal::new(Acting::Idle);
    let attempts = StoredValue::new(Attempts::default());
    let field_error = move |field: String| {
        Signal::derive(move || {
            state.with(|s| match s {
                Acting::Failed(error) => error
                    .fields()
                    .iter()
                    .find(|f| f.field == field)
                    .map(|f| field_error_message(f.code)),
                _ => None,
            })
        })
    };
    // A refusal that names no question (an invitation's, a network failure) goes above the
    // button.
    let form_error = Signal::derive(move || {
        state.with(|s| match s {
            Acting::Failed(error) if error.fields().is_empty() => Some(club_error_message(error)),
            _ => None,
        })
    });
    let submit = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        if state.with_untracked(|s| matches!(s, Acting::Sending)) {
            return;
        }
        let request = JoinClub {
            // Unanswered questions are left out: the server names the required ones.
            answers: answers.with_untracked(|all| {
                all.iter()
                    .filter(|a| {
                        a.text.as_deref().is_some_and(|t| !t.trim().is_empty())
                            || a.date.is_some()
                            || a.yes.is_some()
                            || !a.choices.is_empty()
                    })
                    .cloned()
                    .collect()
            }),
            invitation: Some(typed_code.get_untracked()).filter(|c| !c.trim().is_empty()),
            auto_renew: false,
        };
        state.set(Acting::Sending);
        // The request itself tells one attempt from another.
        let fingerprint = api::encode(&request).unwrap_or_default();
        let key = attempts
            .try_update_value(|a| a.key(&fingerprint, new_key))
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = send(request, key).await;
            attempts.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
            match result {
                Ok(()) => {
                    state.try_set(Acting::Done(()));
                    // Without approval, a member at once; with it, an application waits.
                    on_done.run(!approval);
                }
                Err(error) => {
                    state.try_set(Acting::Failed(error));
                    crate::components::focus_first_invalid();
                }
            }
        });
    };
    let questions = questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            question(
                i,
                q,
                answers,
                field_error(format!("answers.{}", q.id)),
                locale,
            )
        })
        .collect_view();
    let code = invitation.then(|| {
        view! {
            <div class="field">
                <label class="field__label" for="invitation">{td_string!(locale, clubs.invitation_label)}</label>
                <input class="field__input" id="invitation" name="invitation" type="text"
                    autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="20"
                    prop:value=move || typed_code.get()
                    on:input=move |e| typed_code.set(event_target_value(&e)) />
                <p class="field__hint">{td_string!(locale, clubs.invitation_hint)}</p>
            </div>
        }
    });
    let sending = move || state.with(|s| matches!(s, Acting::Sending));
    let label = if approval {
        td_string!(locale, clubs.apply)
    } else {
        td_string!(locale, clubs.join)
    };
    view! {
        <form class="panel form" novalidate on:submit=submit data-testid="club-apply">
            <h2 class="panel__title">{td_string!(locale, clubs.apply_title)}</h2>
            {questions}
            {code}
            <FormAlert message=form_error />
            <button class="btn btn--primary" type="submit" disabled=sending>
                {move || if sending() { td_string!(locale, clubs.sending) } else { label }}
            </button>
        </form>
    }
}

/// One question of the form, by its kind: a text or date field, yes/no, or its options.
fn question(
    index: usize,
    q: &QuestionView,
    answers: RwSignal<Vec<Answer>>,
    error: Signal<Option<String>>,
    locale: Locale,
) -> impl IntoView {
    let id = format!("q-{}", q.id);
    let label = if q.required {
        q.text.clone()
    } else {
        fill(td_string!(locale, clubs.optional), &[("question", &q.text)])
    };
    let set = move |f: Box<dyn FnOnce(&mut Answer)>| {
        answers.update(|all| {
            if let Some(a) = all.get_mut(index) {
                f(a)
            }
        })
    };
    let error_id = format!("{id}-error");
    let invalid = move || {
        if error.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    let input = match q.kind {
        QuestionKind::Text | QuestionKind::Date => {
            let date = q.kind == QuestionKind::Date;
            view! {
                <input class="field__input" id=id.clone() type=if date { "date" } else { "text" }
                    maxlength="500" aria-invalid=invalid aria-describedby=error_id.clone()
                    on:input=move |e| {
                        let value = event_target_value(&e);
                        set(Box::new(move |a| {
                            if date {
                                a.date = Some(value).filter(|v| !v.is_empty());
                            } else {
                                a.text = Some(value);
                            }
                        }))
                    } />
            }
            .into_any()
        }
        QuestionKind::YesNo => {
            let choice = |yes: bool, word: &'static str| {
                view! {
                    <label class="check">
                        <input class="check__input" type="radio" name=id.clone()
                            on:change=move |_| set(Box::new(move |a| a.yes = Some(yes))) />
                        <span class="check__label">{word}</span>
                    </label>
                }
            };
            view! {
                {choice(true, td_string!(locale, clubs.yes))}
                {choice(false, td_string!(locale, clubs.no))}
            }
            .into_any()
        }
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let multiple = q.kind == QuestionKind::MultipleChoice;
            q.options
                .iter()
                .enumerate()
                .map(|(option, text)| {
                    let option = option as u32;
                    let change = move |e: web_sys::Event| {
                        let on = event_target_checked(&e);
                        set(Box::new(move |a| {
                            if !multiple {
                                a.choices.clear();
                            }
                            a.choices.retain(|c| *c != option);
                            if on {
                                a.choices.push(option);
                            }
                        }))
                    };
                    view! {
                        <label class="check">
                            <input class="check__input" type=if multiple { "checkbox" } else { "radio" }
                                name=id.clone() on:change=change />
                            <span class="check__label">{text.clone()}</span>
                        </label>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    let error_line =
        view! { <p class="field__error" id=error_id role="alert">{move || error.get()}</p> };
    // A field is labelled by its label; a group of choices by its legend.
    if matches!(q.kind, QuestionKind::Text | QuestionKind::Date) {
        view! {
            <div class="field">
                <label class="field__label" for=id>{label}</label>
                {input}
                {error_line}
            </div>
        }
        .into_any()
    } else {
        view! {
            <fieldset class="consents" aria-invalid=invalid>
                <legend class="field__label">{label}</legend>
                {input}
                {error_line}
            </fieldset>
        }
        .into_any()
    }
}
