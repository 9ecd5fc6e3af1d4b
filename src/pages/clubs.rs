//! `/cards/:id/clubs`: the clubs of the card's program, each with what it gives, what it costs or
//! asks and where the customer stands (a decided application is a notice until dismissed);
//! `/cards/:id/clubs/:club`: one club in full, and joining it (open: at once; paid: with points
//! after a confirmation with the balance after, or at the till; closed: a link to the application
//! form, `super::club_apply`, a screen of the entry module's), renewing, renewal with points,
//! invitation codes to share, and leaving.
//!
//! Shown by the areas module (`crate::areas`). Both read the card and the program's clubs as
//! [`Remote`]s, so they show offline from what the device kept.

use super::card::failure;
use super::invitations::invitation_panel;
use super::vouchers::{loading, missing};
use crate::api::idempotency::{new_key, Attempts};
use crate::api::{self, ApiError, ClubAction, Remote};
use crate::components::{
    back_link, confirm_panel, reader_fmt, ConfirmText, Confirming, OfflineLine,
};
use crate::format::Fmt;
use crate::i18n::*;
use crate::messages::club_error_message;
use leptos::prelude::*;
use tessera_core::api::{ApplicationStatus, ClubState, ClubView, Clubs, FeeView, JoinClub};
use tessera_core::club::{ClubKind, Period, RuleKind, RuleProgress};
use tessera_core::Currency;

/// The clubs of the card's program (all of them, or the one club).
#[component]
pub fn CardClubs(card_id: String, club_id: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (back, back_text) = match &club_id {
        Some(_) => (
            format!("/cards/{card_id}/clubs"),
            t_string!(i18n, clubs.title),
        ),
        None => (format!("/cards/{card_id}"), t_string!(i18n, clubs.back)),
    };
    let shown = Shown::new(card_id);
    let clubs = shown.clubs();
    let screen = match club_id {
        None => view! { <ClubList shown=shown /> }.into_any(),
        Some(club_id) => view! { <ClubScreen shown=shown club_id=club_id /> }.into_any(),
    };
    view! {
        <section class="page page--card page--clubs">
            {back_link(back, back_text)}
            <OfflineLine since=Signal::derive(move || clubs.stale_since()) />
            {screen}
        </section>
    }
}

/// What both screens read: the clubs of the card's program (with its balance, currency and
/// point name: the screens need no more of the card).
#[derive(Clone)]
pub(super) struct Shown {
    clubs: Remote<Clubs>,
    card_id: String,
}

impl Shown {
    /// The clubs of card `card_id`'s program, read (and kept) as the clubs screens read them.
    pub(super) fn new(card_id: String) -> Self {
        let clubs = Remote::<Clubs>::new(api::clubs_path(&card_id));
        Shown { clubs, card_id }
    }

    /// The clubs' answer, to read again or ask since when it is kept.
    pub(super) fn clubs(&self) -> Remote<Clubs> {
        self.clubs
    }

    /// The clubs once read, or the screen that says they are loading or could not be.
    pub(super) fn read(&self, i18n: I18nContext) -> Result<Clubs, AnyView> {
        let clubs = self.clubs;
        match clubs.get() {
            None => Err(loading(t_string!(i18n, clubs.loading)).into_any()),
            Some(Err(error)) => Err(failure(&error, move || clubs.refetch(), i18n).into_any()),
            Some(Ok(list)) => Ok(list),
        }
    }
}

/// The list: decided applications not yet seen, then every club as a line.
#[component]
fn ClubList(shown: Shown) -> impl IntoView {
    let i18n = use_i18n();
    let seen = RwSignal::new(0u32);
    move || {
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        seen.track();
        let body = match shown.read(i18n) {
            Err(state) => state,
            Ok(list) if list.clubs.is_empty() => missing(
                td_string!(locale, clubs.empty_title),
                td_string!(locale, clubs.empty_body),
            )
            .into_any(),
            Ok(list) => {
                let notices = list
                    .clubs
                    .iter()
                    .filter_map(|club| notice(club, seen, locale))
                    .collect_view();
                let items = list
                    .clubs
                    .iter()
                    .map(|club| {
                        let href = format!("/cards/{}/clubs/{}", shown.card_id, club.id);
                        club_item(club, &list, href, &fmt, locale)
                    })
                    .collect_view();
                view! {
                    {notices}
                    <ul class="rewards" role="list">{items}</ul>
                }
                .into_any()
            }
        };
        view! {
            <h1 class="page__title">{td_string!(locale, clubs.title)}</h1>
            <p class="page__lead">{td_string!(locale, clubs.lead)}</p>
            {body}
        }
    }
}

/// The `localStorage` key that says a decided application was seen.
fn seen_key(application_id: &str) -> String {
    format!("tessera.club-decision.{application_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A decided application the customer has not dismissed yet: approved, or rejected with the
/// reason.
fn notice(club: &ClubView, seen: RwSignal<u32>, locale: Locale) -> Option<impl IntoView> {
    let application = club.application.as_ref()?;
    let key = seen_key(&application.id);
    let text = match application.status {
        ApplicationStatus::Pending => return None,
        _ if storage()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .is_some() =>
        {
            return None
        }
        ApplicationStatus::Approved => fill(
            td_string!(locale, clubs.approved_notice),
            &[("club", &club.name)],
        ),
        ApplicationStatus::Rejected => fill(
            td_string!(locale, clubs.rejected_notice),
            &[
                ("club", &club.name),
                ("reason", application.reason.as_deref().unwrap_or_default()),
            ],
        ),
    };
    let dismiss = move |_| {
        if let Some(storage) = storage() {
            let _ = storage.set_item(&key, "1");
        }
        seen.update(|n| *n += 1);
    };
    Some(view! {
        <div class="panel" role="status" data-testid="club-notice">
            <p>{text}</p>
            <button class="btn btn--secondary" type="button" on:click=dismiss>
                {td_string!(locale, clubs.dismiss)}
            </button>
        </div>
    })
}

/// One club as a line of the list, linking to its screen.
fn club_item(
    club: &ClubView,
    list: &Clubs,
    href: String,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let gives = gives(club, list, fmt, locale).join(" · ");
    let (class, state) = state_text(club, list, fmt, locale);
    view! {
        <li>
            <a class="reward" href=href data-club=club.id.clone()>
                <img class="reward__picture" src=club.picture.clone() alt="" width="56" height="56" />
                <span class="reward__body">
                    <span class="reward__title">{club.name.clone()}</span>
                    <span class="reward__cost">{gives}</span>
                    <span class=class>{state}</span>
                </span>
            </a>
        </li>
    }
}

/// What members get, each in words: the discount, the multiplier, the perks, members' rewards.
fn gives(club: &ClubView, list: &Clubs, fmt: &Fmt, locale: Locale) -> Vec<String> {
    let mut gives = Vec::new();
    if let Some(rate) = club.discount_bp {
        gives.push(fill(
            td_string!(locale, card.benefit_discount),
            &[("rate", &fmt.percent(rate))],
        ));
    }
    if let Some(multiplier) = club.multiplier_percent {
        gives.push(fill(
            td_string!(locale, card.benefit_multiplier),
            &[
                ("multiplier", &fmt.multiplier(multiplier)),
                ("unit", &list.point_name),
            ],
        ));
    }
    gives.extend(club.perks.iter().cloned());
    if !club.rewards.is_empty() {
        gives.push(fill(
            td_string!(locale, clubs.members_rewards),
            &[("rewards", &club.rewards.join(", "))],
        ));
    }
    gives
}

/// A fee in words: "200 points or GEL 10.00", "300 points", "GEL 15.00".
fn price(fee: FeeView, list: &Clubs, fmt: &Fmt, locale: Locale) -> String {
    let points = fee.points.map(|p| {
        fill(
            td_plural!(locale, rewards.cost, p),
            &[("points", &fmt.points(p)), ("unit", &list.point_name)],
        )
    });
    let money = fee.minor.map(|m| fmt.money(m, &list.currency));
    match (points, money) {
        (Some(points), Some(money)) => fill(
            td_string!(locale, clubs.price_or),
            &[("points", &points), ("money", &money)],
        ),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}

/// What a paid club costs, each in words: to join (the entrance fee and the first period, as
/// the server sums them), then every period.
fn costs(club: &ClubView, list: &Clubs, fmt: &Fmt, locale: Locale) -> Vec<String> {
    let mut costs = Vec::new();
    // A member pays only to stay.
    if let Some(join) = join_fee(club).filter(|_| club.state != ClubState::Member) {
        costs.push(fill(
            td_string!(locale, clubs.fee_join),
            &[("price", &price(join, list, fmt, locale))],
        ));
    }
    if let (Some(recurring), Some(every)) = (club.recurring, club.every) {
        let then = match every {
            Period::Month => td_string!(locale, clubs.fee_month),
            Period::Year => td_string!(locale, clubs.fee_year),
        };
        costs.push(fill(
            then,
            &[("price", &price(recurring, list, fmt, locale))],
        ));
    }
    costs
}

/// What joining costs now: the entrance fee (unless paid before) and the first period, payable
/// with points (or in money) only when both parts are: `core::club::Fees::to_join`'s sum.
fn join_fee(club: &ClubView) -> Option<FeeView> {
    let parts: Vec<FeeView> = [club.entrance, club.recurring]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        return None;
    }
    let sum = |part: fn(&FeeView) -> Option<i64>| {
        parts
            .iter()
            .try_fold(0i64, |sum, p| part(p).map(|v| sum + v))
    };
    Some(FeeView {
        points: sum(|p| p.points),
        minor: sum(|p| p.minor),
    })
}

/// One rule's progress in words: "3 of 5 purchases in the last 30 days", "GEL 120.00 of GEL
/// 200.00 spent".
fn rule_text(rule: &RuleProgress, currency: &Currency, fmt: &Fmt, locale: Locale) -> String {
    let count = |n: i64| fmt.points(n);
    match (rule.kind, rule.window_days) {
        (RuleKind::Spend, _) => fill(
            td_string!(locale, clubs.rule_spend),
            &[
                ("current", &fmt.money(rule.current, currency)),
                ("required", &fmt.money(rule.required, currency)),
            ],
        ),
        (RuleKind::RecentPurchases, Some(days)) => fill(
            td_plural!(locale, clubs.rule_recent, rule.required),
            &[
                ("current", &count(rule.current)),
                ("required", &count(rule.required)),
                ("days", &days.to_string()),
            ],
        ),
        _ => fill(
            td_plural!(locale, clubs.rule_purchases, rule.required),
            &[
                ("current", &count(rule.current)),
                ("required", &count(rule.required)),
            ],
        ),
    }
}

/// Where the customer stands, as a note's class and words.
fn state_text(club: &ClubView, list: &Clubs, fmt: &Fmt, locale: Locale) -> (&'static str, String) {
    let day = |at: i64| fmt.local_day(at);
    let membership = club.membership.as_ref();
    let ready = "reward__note reward__note--ready";
    match club.state {
        ClubState::Member => {
            let text = match membership.and_then(|m| m.ends_at.map(|end| (end, m.auto_renew))) {
                Some((end, true)) => {
                    fill(td_string!(locale, clubs.renews_on), &[("date", &day(end))])
                }
                Some((end, false)) => fill(
                    td_string!(locale, clubs.member_until),
                    &[("date", &day(end))],
                ),
                None => td_string!(locale, clubs.member).to_owned(),
            };
            (ready, text)
        }
        ClubState::Pending => {
            let applied = club.application.as_ref().map_or(0, |a| a.applied_at);
            (
                "reward__note",
                fill(
                    td_string!(locale, clubs.pending),
                    &[("date", &day(applied))],
                ),
            )
        }
        ClubState::Lapsed => {
            let ended = membership.and_then(|m| m.ends_at).unwrap_or_default();
            (
                "reward__note",
                fill(td_string!(locale, clubs.lapsed), &[("date", &day(ended))]),
            )
        }
        ClubState::NotEligible => {
            let short: Vec<String> = club
                .rules
                .iter()
                .filter(|r| !r.met())
                .map(|r| rule_text(r, &list.currency, fmt, locale))
                .collect();
            ("reward__note", short.join(" · "))
        }
        ClubState::Eligible => {
            let rejected = club
                .application
                .as_ref()
                .filter(|a| a.status == ApplicationStatus::Rejected);
            match rejected {
                Some(a) => (
                    "reward__note",
                    fill(
                        td_string!(locale, clubs.rejected),
                        &[("reason", a.reason.as_deref().unwrap_or_default())],
                    ),
                ),
                None => (ready, td_string!(locale, clubs.eligible).to_owned()),
            }
        }
    }
}

/// Where a club action stands (its answer is read again with the list).
pub(super) type Acting = Confirming<()>;

/// One button's action on the shown club: where it stands, its attempt's key (for those that
/// pay), and where to say what it did. `Copy`, as a confirmation's action must be.
#[derive(Clone, Copy)]
pub(super) struct ClubAct {
    /// What is shown, the program's id and the club's.
    target: StoredValue<(Shown, String, String)>,
    pub(super) state: RwSignal<Acting>,
    attempts: StoredValue<Attempts>,
    done: RwSignal<Option<&'static str>>,
}

impl ClubAct {
    pub(super) fn new(
        shown: &Shown,
        list: &Clubs,
        club_id: &str,
        done: RwSignal<Option<&'static str>>,
    ) -> Self {
        Self {
            target: StoredValue::new((shown.clone(), list.program_id.clone(), club_id.to_owned())),
            state: RwSignal::new(Acting::Idle),
            attempts: StoredValue::new(Attempts::default()),
            done,
        }
    }

    /// Sends `action` once (a press while one is on its way does nothing), `keyed` with the
    /// attempt's `Idempotency-Key` when it pays; on success `said` is said and both answers are
    /// read again.
    pub(super) fn send(self, action: ClubAction<'static>, keyed: bool, said: &'static str) {
        let Self {
            target,
            state,
            attempts,
            done,
        } = self;
        if state.with_untracked(|s| matches!(s, Acting::Sending)) {
            return;
        }
        let Some((shown, program_id, club_id)) = target.try_get_value() else {
            return;
        };
        state.set(Acting::Sending);
        let key = keyed.then(|| {
            attempts
                .try_update_value(|a| a.key(&club_id, new_key))
                .unwrap_or_default()
        });
        leptos::task::spawn_local(async move {
            let result = api::club_action(&program_id, &club_id, action, key.as_deref()).await;
            if keyed {
                attempts.try_update_value(|a| a.settle(matches!(result, Err(ApiError::Network))));
            }
            match result {
                Ok(()) => {
                    done.try_set(Some(said));
                    state.try_set(Acting::Done(()));
                    shown.clubs.refetch();
                }
                Err(error) => {
                    state.try_set(Acting::Failed(error));
                }
            }
        });
    }
}

/// One club in full, with what the customer may do.
#[component]
fn ClubScreen(shown: Shown, club_id: String) -> impl IntoView {
    let i18n = use_i18n();
    // What the last action did, said above the club once it is read again.
    let done = RwSignal::new(None::<&'static str>);
    let club_id = StoredValue::new(club_id);
    move || {
        let fmt = reader_fmt();
        let locale = i18n.get_locale_untracked();
        match shown.read(i18n) {
            Err(state) => state,
            Ok(list) => match list.clubs.iter().find(|c| c.id == club_id.get_value()) {
                Some(club) => club_details(club, &list, &shown, done, &fmt, locale).into_any(),
                None => missing(
                    td_string!(locale, clubs.not_found_title),
                    td_string!(locale, clubs.not_found_body),
                )
                .into_any(),
            },
        }
    }
}

/// A club in full: picture, name, description, what it gives, costs and asks (with progress),
/// where the customer stands, and the actions of that state.
fn club_details(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    // What it takes: its fees, then what joining asks (the rules with the member's progress).
    let mut takes = costs(club, list, fmt, locale);
    takes.extend(
        club.rules
            .iter()
            .map(|r| rule_text(r, &list.currency, fmt, locale)),
    );
    if !club.questions.is_empty() {
        takes.push(td_string!(locale, clubs.asks_questions).to_owned());
    }
    if club.invitation {
        takes.push(td_string!(locale, clubs.asks_invitation).to_owned());
    }
    if club.approval {
        takes.push(td_string!(locale, clubs.asks_approval).to_owned());
    }
    let (state_class, state) = state_text(club, list, fmt, locale);
    let said = move || {
        done.get().map(
            |text| view! { <p class="page__lead" role="status" data-testid="club-done">{text}</p> },
        )
    };
    view! {
        {said}
        <article class="reward-detail">
            <img class="reward-detail__picture" src=club.picture.clone() alt="" width="120" height="120" />
            <h1 class="page__title">{club.name.clone()}</h1>
            <p class="reward-detail__description">{club.description.clone()}</p>
            {section(td_string!(locale, clubs.gives_title), gives(club, list, fmt, locale))}
            {section(td_string!(locale, clubs.takes_title), takes)}
            <p class=state_class data-testid="club-state">{state}</p>
        </article>
        {actions(club, list, shown, done, fmt, locale)}
    }
}

/// A titled list of lines, or nothing without lines. One view for both of a club's lists.
fn section(title: &'static str, lines: Vec<String>) -> Option<impl IntoView> {
    (!lines.is_empty()).then(|| {
        let lines = lines
            .into_iter()
            .map(|text| view! { <li class="event">{text}</li> })
            .collect_view();
        view! {
            <h2 class="panel__title">{title}</h2>
            <ul class="lines" role="list">{lines}</ul>
        }
    })
}

/// What the customer may do in the club's state.
fn actions(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> AnyView {
    match club.state {
        ClubState::Member => member_actions(club, list, shown, done, fmt, locale).into_any(),
        ClubState::Eligible | ClubState::Lapsed => match club.kind {
            ClubKind::Open => join_open(club, list, shown, done, locale).into_any(),
            ClubKind::Paid => join_paid(club, list, shown, done, fmt, locale).into_any(),
            // The form is a screen of its own, the entry module's (`super::club_apply`).
            ClubKind::Closed => {
                let href = format!("/cards/{}/clubs/{}/apply", shown.card_id, club.id);
                view! {
                    <a class="btn btn--primary" href=href>{td_string!(locale, clubs.apply_title)}</a>
                }
                .into_any()
            }
        },
        ClubState::Pending | ClubState::NotEligible => ().into_any(),
    }
}

/// "Join": an open club, at once (its panel shows only while joining, or to try again).
fn join_open(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    locale: Locale,
) -> impl IntoView {
    let act = ClubAct::new(shown, list, &club.id, done);
    let text = ConfirmText {
        title: fill(td_string!(locale, clubs.pay_title), &[("club", &club.name)]),
        lines: Vec::new(),
        go: td_string!(locale, clubs.join),
        going: td_string!(locale, clubs.joining),
        back: td_string!(locale, rewards.not_now),
        danger: false,
        message: club_error_message,
    };
    let label = td_string!(locale, clubs.join).to_owned();
    confirmed(act, Confirmed::JoinOpen, text, label, false, locale)
}

/// An empty join request (an open or paid club asks for nothing).
static NO_ANSWERS: JoinClub = JoinClub {
    answers: Vec::new(),
    invitation: None,
    auto_renew: false,
};

/// The error message of a failed action, if it failed.
pub(super) fn failed(state: &Acting) -> Option<String> {
    match state {
        Acting::Failed(error) => Some(club_error_message(error)),
        _ => None,
    }
}

/// A paid club: pay with points (a confirmation with the balance after), or pay at the till
/// (the checkout code).
fn join_paid(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let fee = join_fee(club).unwrap_or(FeeView {
        points: None,
        minor: None,
    });
    let in_points = fee.points.map(|points| {
        let act = ClubAct::new(shown, list, &club.id, done);
        let (cost, lines) = paying(points, list, fmt, locale);
        let text = ConfirmText {
            title: fill(td_string!(locale, clubs.pay_title), &[("club", &club.name)]),
            lines,
            go: td_string!(locale, clubs.pay_confirm),
            going: td_string!(locale, clubs.joining),
            back: td_string!(locale, rewards.not_now),
            danger: false,
            message: club_error_message,
        };
        let label = fill(td_string!(locale, clubs.pay_points), &[("cost", &cost)]);
        confirmed(
            act,
            Confirmed::Join,
            text,
            label,
            list.balance < points,
            locale,
        )
    });
    let at_till = fee.minor.map(|minor| {
        let body = fill(
            td_string!(locale, clubs.pay_till_body),
            &[("money", &fmt.money(minor, &list.currency))],
        );
        view! {
            <p class="reward__note">{body}</p>
            <a class="btn btn--secondary" href=format!("/cards/{}/code", shown.card_id)>
                {td_string!(locale, clubs.pay_till)}
            </a>
        }
    });
    view! { {in_points} {at_till} }
}

/// Paying `points`: the cost in words ("500 points"), and a confirmation's lines: the cost,
/// then the balance after.
fn paying(
    points: i64,
    list: &Clubs,
    fmt: &Fmt,
    locale: Locale,
) -> (String, Vec<(&'static str, String)>) {
    let cost = fill(
        td_plural!(locale, rewards.cost, points),
        &[("points", &fmt.points(points)), ("unit", &list.point_name)],
    );
    let after = fill(
        td_plural!(locale, rewards.balance_after, list.balance - points),
        &[
            ("points", &fmt.points(list.balance - points)),
            ("unit", &list.point_name),
        ],
    );
    (cost.clone(), vec![("", cost), ("balance-after", after)])
}

/// What a confirmed action does: join a paid club with points (renewal with points is chosen
/// on the member's screen afterwards), renew, or leave.
#[derive(Clone, Copy, PartialEq)]
enum Confirmed {
    /// An open club: sent at once, no question asked.
    JoinOpen,
    Join,
    Renew,
    Leave,
}

impl Confirmed {
    /// Sends it through `act`.
    fn send(self, act: ClubAct, locale: Locale) {
        match self {
            Confirmed::JoinOpen | Confirmed::Join => act.send(
                ClubAction::Join(&NO_ANSWERS),
                true,
                td_string!(locale, clubs.joined),
            ),
            Confirmed::Renew => {
                act.send(ClubAction::Renew, true, td_string!(locale, clubs.renewed))
            }
            Confirmed::Leave => act.send(ClubAction::Leave, false, td_string!(locale, clubs.left)),
        }
    }
}

/// A button that opens `text`'s confirmation of `what`, disabled when `blocked`. One function for every confirmed action: each copy of a view is
/// code of its own in the wasm.
fn confirmed(
    act: ClubAct,
    what: Confirmed,
    text: ConfirmText,
    label: String,
    blocked: bool,
    locale: Locale,
) -> impl IntoView {
    let state = act.state;
    let asking = Memo::new(move |_| state.with(Acting::asking));
    let text = StoredValue::new(text);
    let class = match what {
        Confirmed::JoinOpen | Confirmed::Join => "btn btn--primary",
        _ => "btn btn--secondary",
    };
    let send = move || what.send(act, locale);
    move || {
        if asking.get() {
            confirm_panel(state, text.get_value(), send).into_any()
        } else {
            view! {
                <button class=class type="button" disabled=blocked
                    on:click=move |_| if what == Confirmed::JoinOpen { send() } else { state.set(Acting::Asking) }>
                    {label.clone()}
                </button>
            }
            .into_any()
        }
    }
}

/// A member's actions: a warning when renewal with points falls short, renewing early,
/// renewal with points, invitation codes, leaving.
fn member_actions(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let membership = club
        .membership
        .unwrap_or(tessera_core::api::MembershipView {
            joined_at: 0,
            ends_at: None,
            auto_renew: false,
            renewal_short: false,
        });
    let renew_points = club.recurring.and_then(|r| r.points);
    let short = membership.renewal_short.then(|| {
        let text = fill(
            td_plural!(
                locale,
                clubs.renewal_short,
                renew_points.unwrap_or_default()
            ),
            &[
                (
                    "date",
                    &fmt.local_day(membership.ends_at.unwrap_or_default()),
                ),
                ("points", &fmt.points(list.balance)),
                ("fee", &fmt.points(renew_points.unwrap_or_default())),
                ("unit", &list.point_name),
            ],
        );
        view! {
            <div class="alert alert--error" role="alert" data-testid="renewal-short">
                <span class="alert__icon" aria-hidden="true">"!"</span>
                <p class="alert__text">{text}</p>
            </div>
        }
    });
    let renew = renew_points
        .zip(membership.ends_at)
        .map(|(points, ends_at)| {
            let act = ClubAct::new(shown, list, &club.id, done);
            let (cost, mut lines) = paying(points, list, fmt, locale);
            let from = fill(
                td_string!(locale, clubs.renew_from),
                &[("date", &fmt.local_day(ends_at))],
            );
            lines.insert(0, ("", from));
            let text = ConfirmText {
                title: fill(
                    td_string!(locale, clubs.renew_title),
                    &[("club", &club.name)],
                ),
                lines,
                go: td_string!(locale, clubs.renew_confirm),
                going: td_string!(locale, clubs.renewing),
                back: td_string!(locale, rewards.not_now),
                danger: false,
                message: club_error_message,
            };
            let label = fill(td_string!(locale, clubs.renew), &[("cost", &cost)]);
            let toggle = ClubAct::new(shown, list, &club.id, done);
            let auto = auto_renew_toggle(toggle, membership.auto_renew, locale);
            view! {
                {confirmed(act, Confirmed::Renew, text, label, list.balance < points, locale)}
                {auto}
            }
        });
    let invitations = club
        .invitation
        .then(|| invitations(club, list, shown, done, fmt, locale));
    let leave = {
        let act = ClubAct::new(shown, list, &club.id, done);
        let text = ConfirmText {
            title: fill(
                td_string!(locale, clubs.leave_title),
                &[("club", &club.name)],
            ),
            lines: vec![("", td_string!(locale, clubs.leave_body).to_owned())],
            go: td_string!(locale, clubs.leave),
            going: td_string!(locale, clubs.leaving),
            back: td_string!(locale, clubs.stay),
            danger: true,
            message: club_error_message,
        };
        let label = td_string!(locale, clubs.leave).to_owned();
        confirmed(act, Confirmed::Leave, text, label, false, locale)
    };
    view! { {short} {renew} {invitations} {leave} }
}

/// "Renew with points on the end date", saved as soon as it is changed.
fn auto_renew_toggle(act: ClubAct, on: bool, locale: Locale) -> impl IntoView {
    let state = act.state;
    let checked = RwSignal::new(on);
    let change = move |e: web_sys::Event| {
        let on = event_target_checked(&e);
        checked.set(on);
        let said = if on {
            td_string!(locale, clubs.auto_renew_on)
        } else {
            td_string!(locale, clubs.auto_renew_off)
        };
        act.send(ClubAction::AutoRenew(on), false, said);
    };
    let error = Signal::derive(move || state.with(failed));
    view! {
        <label class="check">
            <input class="check__input" type="checkbox" prop:checked=move || checked.get()
                on:change=change data-testid="auto-renew" />
            <span class="check__label">{td_string!(locale, clubs.auto_renew)}</span>
        </label>
        <crate::components::FormAlert message=error />
    }
}

/// A member's invitation codes to a club: each with its date and a way to share it, and a
/// button for a new one while this year's are not all made.
fn invitations(
    club: &ClubView,
    list: &Clubs,
    shown: &Shown,
    done: RwSignal<Option<&'static str>>,
    fmt: &Fmt,
    locale: Locale,
) -> impl IntoView {
    let (name, program) = (club.name.clone(), list.program_name.clone());
    let message = move |code: &str| {
        fill(
            td_string!(locale, clubs.share_text),
            &[("club", &name), ("program", &program), ("code", code)],
        )
    };
    let act = ClubAct::new(shown, list, &club.id, done);
    let make = move || act.send(ClubAction::Invite, false, td_string!(locale, clubs.invited));
    invitation_panel(
        &club.invitations,
        club.invitations_left,
        message,
        act.state,
        make,
        fmt,
        locale,
    )
}
