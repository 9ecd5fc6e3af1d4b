//! What the wallet keeps on this device, in IndexedDB, each record with whose it is: the last good
//! answers (the body of each screen's `GET`: the cards, a card, its first page of history, with
//! when it came), so the wallet opens with them at once and shows them while the server cannot be
//! reached; and the cards' checkout keys ([`KEYS`], written and read by [`crate::checkout_key`]).
//! Forgotten with the session (log-out, or a 401): [`forget_all`] is part of the customer's session
//! store's clear.
//!
//! web-sys's IndexedDB bindings, driven through one promise per request ([`settled`]); every
//! record is an array whose first item is its owner: `[owner, body, at]` under the request's path
//! in [`ANSWERS`], `[owner, ...]` under the card id in [`KEYS`].

use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Array, Date, Object, Promise, Reflect};
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "tessera";
/// The schema's version: raise it, with what changes in [`upgrade`], when the records change.
/// 2: [`KEYS`].
const VERSION: u32 = 2;
/// Kept answers, keyed by API path.
pub const ANSWERS: &str = "answers";
/// The cards' checkout keys, keyed by card id.
pub const KEYS: &str = "keys";
/// Every store ([`upgrade`] creates them, [`forget_all`] clears them).
const STORES: [&str; 2] = [ANSWERS, KEYS];

/// An answer kept on the device.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The response body, as it came.
    pub body: String,
    /// When it came (unix ms, the device's clock).
    pub at: f64,
}

thread_local! {
    /// The database's opening, started by the first caller and awaited by every one (a JS
    /// promise may be awaited any number of times), so readers that start together (the code
    /// screen's key and card) open it once; it resolves to the database, or to `undefined` where
    /// there is none.
    static OPENING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// The signed-in customer, whose answers are kept; `None` when nobody is signed in.
pub fn owner() -> Option<String> {
    crate::session::CUSTOMER.load().map(|s| s.customer.id)
}

/// The answer kept for `path` if it is `owner`'s.
pub async fn read(owner: &str, path: &str) -> Option<Kept> {
    let record = get(ANSWERS, owner, path).await?;
    Some(Kept {
        body: record.get(1).as_string().unwrap_or_default(),
        at: record.get(2).as_f64().unwrap_or_default(),
    })
}

/// Keeps `body` as `owner`'s answer for `path`, received now.
pub async fn keep(owner: &str, path: &str, body: &str) {
    put(
        ANSWERS,
        path,
        &Array::of3(&owner.into(), &body.into(), &Date::now().into()),
    )
    .await;
}

/// The record under `key` in `store` if it is `owner`'s (its first item).
pub async fn get(store: &str, owner: &str, key: &str) -> Option<Array> {
    // The page's early read, else (none, or it found nothing) the database.
    let early = match read_early(store, key) {
        Some(early) => early.await,
        None => None,
    };
    let record = match early {
        Some(record) => record,
        None => read_record(store, key).await?,
    };
    (record.get(0).as_string()? == owner).then_some(record)
}

/// A read the page started before the wasm had loaded (`code/index.html`'s `tesseraEarly`, by
/// `"<store> <key>"`), taken once: later reads of the same record go to the database.
fn read_early(store: &str, key: &str) -> Option<impl std::future::Future<Output = Option<Array>>> {
    let early = Reflect::get(&web_sys::js_sys::global(), &"tesseraEarly".into()).ok()?;
    let name = JsValue::from(format!("{store} {key}"));
    let promise: Promise = Reflect::get(&early, &name).ok()?.dyn_into().ok()?;
    let _ = Reflect::delete_property(early.unchecked_ref::<Object>(), &name);
    Some(async move { JsFuture::from(promise).await.ok()?.dyn_into().ok() })
}

/// The record under `key` in `store`, whoever's it is.
async fn read_record(store: &str, key: &str) -> Option<Array> {
    let store = database()
        .await?
        .transaction_with_str(store)
        .ok()?
        .object_store(store)
        .ok()?;
    settled(&store.get(&key.into()).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// Puts `record` (whose first item is its owner) under `key` in `store`.
pub async fn put(store: &str, key: &str, record: &Array) {
    if let Some(request) = write_store(store)
        .await
        .and_then(|store| store.put_with_key(record, &key.into()).ok())
    {
        let _ = settled(&request).await;
    }
}

/// Deletes the record under `key` in `store`.
pub async fn delete(store: &str, key: &str) {
    if let Some(request) = write_store(store)
        .await
        .and_then(|store| store.delete(&key.into()).ok())
    {
        let _ = settled(&request).await;
    }
}

/// Forgets everything kept (the session ended): both stores cleared in one transaction, whose
/// requests are made before anything else runs (log-out moves to another page at once). On
/// wasm-bindgen's own executor, not Leptos': a session may end before any screen is mounted.
pub fn forget_all() {
    wasm_bindgen_futures::spawn_local(async {
        let Some(database) = database().await else {
            return;
        };
        let stores: Array = STORES.into_iter().map(JsValue::from).collect();
        let Ok(transaction) =
            database.transaction_with_str_sequence_and_mode(&stores, IdbTransactionMode::Readwrite)
        else {
            return;
        };
        for store in STORES {
            if let Ok(store) = transaction.object_store(store) {
                let _ = store.clear();
            }
        }
    });
}

async fn write_store(store: &str) -> Option<web_sys::IdbObjectStore> {
    database()
        .await?
        .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
        .ok()?
        .object_store(store)
        .ok()
}

/// The database, opened (and created or upgraded) on first use; `None` where the browser has no
/// IndexedDB (a private window of some browsers): then nothing is kept.
async fn database() -> Option<IdbDatabase> {
    let opening = OPENING.with_borrow_mut(|opening| opening.get_or_insert_with(open).clone());
    JsFuture::from(opening).await.ok()?.dyn_into().ok()
}

/// Opens the database: a promise of it, or of `undefined` where it cannot be opened. Asks the
/// browser not to evict what is kept when space runs short (it may say no; an installed app
/// usually gets it).
fn open() -> Promise {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().storage().persist();
    }
    wasm_bindgen_futures::future_to_promise(async {
        if let Some(database) = opened_by_the_page().await {
            return Ok(database.into());
        }
        JsFuture::from(open_here()).await
    })
}

/// The database as the page opened it before the wasm had loaded (`code/index.html`'s
/// `tesseraOpening`: the code screen's first reads then wait for no more than the wasm), if it
/// did and the database is at [`VERSION`]; one that is not is closed, for [`open_here`] to
/// upgrade.
async fn opened_by_the_page() -> Option<IdbDatabase> {
    let opening = Reflect::get(&web_sys::js_sys::global(), &"tesseraOpening".into()).ok()?;
    let database: IdbDatabase = JsFuture::from(opening.dyn_into::<Promise>().ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if database.version() == f64::from(VERSION) {
        return Some(database);
    }
    database.close();
    None
}

/// Opens (creating or upgrading) the database here.
fn open_here() -> Promise {
    let request = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .and_then(|factory| factory.open_with_u32(DATABASE, VERSION).ok());
    let Some(request) = request else {
        return Promise::resolve(&JsValue::UNDEFINED);
    };
    let on_upgrade = Closure::once_into_js({
        let request = request.clone();
        move || upgrade(&request)
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let request: &IdbRequest = &request;
    Promise::new(&mut |resolve, _| {
        let done = request.clone();
        let on_done = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        request.set_onsuccess(Some(on_done.unchecked_ref()));
        request.set_onerror(Some(on_done.unchecked_ref()));
    })
}

/// Creates what version [`VERSION`] has and an older database lacks.
fn upgrade(request: &IdbOpenDbRequest) {
    let Some(database) = request
        .result()
        .ok()
        .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
    else {
        return;
    };
    for store in STORES {
        if !database.object_store_names().contains(store) {
            let _ = database.create_object_store(store);
        }
    }
}

/// The result of an IndexedDB request once it succeeds, or its error.
async fn settled(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let mut handlers = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::NULL));
        });
        let on_error = Closure::<dyn FnMut()>::new(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some(Handlers {
            request: request.clone(),
            _closures: [on_success, on_error],
        });
    });
    let result = JsFuture::from(promise).await;
    drop(handlers);
    result
}

/// A request's two handlers, unset and freed together once either ran (or the wait was given
/// up): a `Closure::once_into_js` pair left the one that never ran in memory, one per request.
struct Handlers {
    request: IdbRequest,
    _closures: [Closure<dyn FnMut()>; 2],
}

impl Drop for Handlers {
    fn drop(&mut self) {
        self.request.set_onsuccess(None);
        self.request.set_onerror(None);
    }
}
