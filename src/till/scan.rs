//! Finding the member: the camera, the typed code (or a barcode scanner typing it), or the
//! phone number (earning only).

use super::api::{self, Identified};
use super::camera::{Camera, CameraState};
use super::field::{focus_when_shown, select_when_refused};
use crate::components::{Field, FormAlert};
use crate::i18n::*;
use crate::messages::{error_text, Audience, Cashier};
use leptos::html::Input;
use leptos::prelude::*;
use tessera_core::api::{ErrorCode, IdentifyRequest, PhoneLookupRequest, PhoneMember};
use tessera_core::checkout;
use tessera_core::validation::{normalize_phone, FieldCode};

/// How the cashier finds the member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanMode {
    /// The camera reads the QR code.
    Camera,
    /// The code is typed (or typed by a barcode scanner).
    Code,
    /// The phone number: earning only.
    Phone,
}

impl ScanMode {
    /// The camera where the page can have one, else the typed code.
    pub fn preferred() -> Self {
        let has_cameras = web_sys::window()
            .and_then(|w| {
                web_sys::js_sys::Reflect::get(&w.navigator(), &"mediaDevices".into()).ok()
            })
            .is_some_and(|d| !d.is_undefined() && !d.is_null());
        if has_cameras {
            ScanMode::Camera
        } else {
            ScanMode::Code
        }
    }
}

/// The scan screen. `mode` is kept by the console, so the next customer starts the way the
/// cashier last worked; `on_found` gets the identified member.
#[component]
pub fn ScanView(mode: RwSignal<ScanMode>, on_found: Callback<Identified>) -> impl IntoView {
    let i18n = use_i18n();
    let alert = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The members sharing the phone number last looked up, for the cashier to choose one.
    let choices = RwSignal::new(None::<PhoneChoices>);

    let identify = Callback::new(move |request: IdentifyRequest| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        alert.set(None);
        leptos::task::spawn_local(async move {
            let mut result = api::identify(&request).await;
            if let (Err(error), Some(phone)) = (&result, &request.phone) {
                if error.code() == Some(ErrorCode::MemberAmbiguous) {
                    let lookup = PhoneLookupRequest {
                        phone: phone.clone(),
                    };
                    match api::phone_lookup(&lookup).await {
                        Ok(found) => {
                            let _ = choices.try_set(Some(PhoneChoices {
                                phone: phone.clone(),
                                members: found.members,
                            }));
                            let _ = busy.try_set(false);
                            return;
                        }
                        Err(error) => result = Err(error),
                    }
                }
            }
            match result {
                Ok(found) => on_found.run(found),
                // The console is on its way back to sign-in (api ended the session).
                Err(error) if error.unauthenticated() => {}
                Err(error) => {
                    let _ = alert.try_set(Some(error_text::<Cashier>(
                        &error,
                        i18n.get_locale_untracked(),
                    )));
                    let _ = busy.try_set(false);
                }
            }
        });
    });

    let tab = move |which: ScanMode, label: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                class="segmented__tab"
                id=format!("tab-{}", tab_id(which))
                aria-controls="scan-panel"
                aria-selected=move || if mode.get() == which { "true" } else { "false" }
                on:click=move |_| {
                    if mode.get_untracked() != which {
                        alert.set(None);
                        mode.set(which);
                    }
                }
            >
                {label}
            </button>
        }
    };

    view! {
        <section class="page till-scan" aria-labelledby="scan-title">
            <h1 class="page__title" id="scan-title">{t_string!(i18n, till.scan.title)}</h1>
            <p class="page__lead">{t_string!(i18n, till.scan.lead)}</p>
            <div class="segmented" role="tablist" aria-label=t_string!(i18n, till.scan.modes)>
                {tab(ScanMode::Camera, t_string!(i18n, till.scan.mode_camera))}
                {tab(ScanMode::Code, t_string!(i18n, till.scan.mode_code))}
                {tab(ScanMode::Phone, t_string!(i18n, till.scan.mode_phone))}
            </div>
            <FormAlert message=alert />
            <div class="scan-panel" id="scan-panel" role="tabpanel">
                {move || match mode.get() {
                    ScanMode::Camera => {
                        view! { <CameraPanel busy=busy alert=alert mode=mode identify=identify /> }
                            .into_any()
                    }
                    ScanMode::Code => view! { <CodeForm busy=busy identify=identify /> }.into_any(),
                    ScanMode::Phone => {
                        view! { <PhoneForm busy=busy identify=identify choices=choices /> }
                            .into_any()
                    }
                }}
            </div>
        </section>
    }
}

fn tab_id(mode: ScanMode) -> &'static str {
    match mode {
        ScanMode::Camera => "camera",
        ScanMode::Code => "code",
        ScanMode::Phone => "phone",
    }
}

/// The camera, with what to do when it cannot be used.
#[component]
fn CameraPanel(
    busy: RwSignal<bool>,
    alert: RwSignal<Option<String>>,
    mode: RwSignal<ScanMode>,
    identify: Callback<IdentifyRequest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(CameraState::Starting);
    // The last text read: a code in front of the camera is read five times a second, and a
    // refused one must not be sent again and again. The next code (30 s later) differs.
    let last = StoredValue::new(None::<String>);
    let on_text = Callback::new(move |text: String| {
        if last.with_value(|l| l.as_deref() == Some(text.as_str())) {
            return;
        }
        last.set_value(Some(text.clone()));
        if checkout::parse(&text).is_err() {
            alert.set(Some(t_string!(i18n, till.scan.not_tessera).to_owned()));
            return;
        }
        identify.run(IdentifyRequest {
            code: Some(text),
            phone: None,
            card_id: None,
        });
    });
    let problem = move || {
        let locale = i18n.get_locale_untracked();
        match state.get() {
            CameraState::Denied => Some(td_string!(locale, till.scan.camera_denied)),
            CameraState::Missing => Some(td_string!(locale, till.scan.camera_missing)),
            CameraState::Unsupported => Some(td_string!(locale, till.scan.camera_unsupported)),
            CameraState::Failed => Some(td_string!(locale, till.scan.camera_failed)),
            CameraState::Starting | CameraState::Live => None,
        }
    };
    view! {
        <Show
            when=move || !state.get().failed()
            fallback=move || {
                view! {
                    <div class="state state--error camera-problem" role="alert">
                        <p class="state__body">{problem}</p>
                        <button
                            type="button"
                            class="btn btn--primary"
                            on:click=move |_| mode.set(ScanMode::Code)
                        >
                            {t_string!(i18n, till.scan.use_typed)}
                        </button>
                        <button
                            type="button"
                            class="btn btn--secondary"
                            on:click=move |_| state.set(CameraState::Starting)
                        >
                            {t_string!(i18n, till.scan.camera_retry)}
                        </button>
                    </div>
                }
            }
        >
            <Camera paused=busy state=state on_text=on_text />
            <p class="camera__hint">
                {move || {
                    if busy.get() {
                        view! {
                            <span class="spinner" aria-hidden="true"></span>
                            <span>{t_string!(i18n, till.scan.finding)}</span>
                        }
                            .into_any()
                    } else {
                        view! { <span>{t_string!(i18n, till.scan.camera_hint)}</span> }.into_any()
                    }
                }}
            </p>
        </Show>
    }
}

/// The typed code: checked here for its form (so a typo costs no attempt), then sent.
#[component]
fn CodeForm(busy: RwSignal<bool>, identify: Callback<IdentifyRequest>) -> impl IntoView {
    let i18n = use_i18n();
    let find = Callback::new(move |code: String| {
        identify.run(IdentifyRequest {
            code: Some(code),
            phone: None,
            card_id: None,
        })
    });
    view! {
        <FindForm
            busy
            text=RwSignal::new(String::new())
            id="code"
            inputmode="numeric"
            label=t_string!(i18n, till.scan.code_label)
            hint=t_string!(i18n, till.scan.code_hint)
            check=|code, locale| {
                if code.is_empty() {
                    Some(Cashier::field(FieldCode::Required, false, locale))
                } else if checkout::parse(code).is_err() {
                    Some(Cashier::text(Some(ErrorCode::CodeMalformed), locale))
                } else {
                    None
                }
            }
            find
        />
    }
}

/// The members found for a phone number that several share.
#[derive(Clone, Debug, PartialEq)]
struct PhoneChoices {
    phone: String,
    members: Vec<PhoneMember>,
}

/// The phone number: earning only, which the hint says before the cashier sends it. When
/// several members share the number, each is a button (name and the card's last four digits).
#[component]
fn PhoneForm(
    busy: RwSignal<bool>,
    identify: Callback<IdentifyRequest>,
    choices: RwSignal<Option<PhoneChoices>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    // Another number typed: the choice was for the last one.
    Effect::new(move |_| {
        text.track();
        if choices.with_untracked(|c| c.as_ref().is_some_and(|c| c.phone != text.get_untracked())) {
            choices.set(None);
        }
    });
    let find = Callback::new(move |phone: String| {
        choices.set(None);
        identify.run(IdentifyRequest {
            code: None,
            phone: Some(phone),
            card_id: None,
        });
    });
    view! {
        <FindForm
            busy
            text
            id="phone"
            input_type="tel"
            inputmode="tel"
            label=t_string!(i18n, till.scan.phone_label)
            hint=t_string!(i18n, till.scan.phone_hint)
            check=|phone, locale| {
                let problem = if phone.is_empty() {
                    Some(FieldCode::Required)
                } else if normalize_phone(phone).is_none() {
                    Some(FieldCode::PhoneInvalid)
                } else {
                    None
                };
                problem.map(|code| Cashier::field(code, false, locale))
            }
            find
        />
        {move || {
            choices
                .get()
                .map(|PhoneChoices { phone, members }| {
                    view! {
                        <fieldset class="phone-choices">
                            <legend class="phone-choices__title">
                                {t_string!(i18n, till.scan.choose_title)}
                            </legend>
                            {members
                                .into_iter()
                                .map(|member| {
                                    let request = IdentifyRequest {
                                        code: None,
                                        phone: Some(phone.clone()),
                                        card_id: Some(member.card_id.clone()),
                                    };
                                    let card = fill(
                                        t_string!(i18n, till.scan.choose_card),
                                        &[("last4", &member.card_last4)],
                                    );
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn--secondary phone-choices__member"
                                            disabled=move || busy.get()
                                            on:click=move |_| identify.run(request.clone())
                                        >
                                            <span class="phone-choices__name">{member.name}</span>
                                            <span class="phone-choices__card">{card}</span>
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
        }}
    }
}

/// One way to find the member by what the cashier types: the field, checked here with `check`
/// (the problem worded for the cashier, so a typo costs no attempt), and "Find member", which
/// sends the trimmed text to `find`. Focused when shown; a refused text is selected, so the next
/// one replaces it.
#[component]
fn FindForm(
    busy: RwSignal<bool>,
    text: RwSignal<String>,
    id: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    inputmode: &'static str,
    label: &'static str,
    hint: &'static str,
    check: fn(&str, Locale) -> Option<&'static str>,
    find: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    focus_when_shown(input);
    select_when_refused(busy, input);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = text.get_untracked().trim().to_owned();
        let problem = check(&typed, i18n.get_locale_untracked());
        error.set(problem.map(str::to_owned));
        if problem.is_none() {
            find.run(typed);
        } else if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    view! {
        <form class="form scan-form" novalidate on:submit=on_submit>
            <Field
                id
                input_type
                autocomplete="off"
                verbatim=true
                inputmode
                value=text
                error
                hint=ViewFn::from(move || hint)
                large=true
                input_ref=input
            >
                {label}
            </Field>
            <crate::components::SubmitButton
                busy=busy
                busy_label=move || t_string!(i18n, till.scan.finding)
            >
                {t_string!(i18n, till.scan.find)}
            </crate::components::SubmitButton>
        </form>
    }
}
