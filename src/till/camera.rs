//! The camera viewfinder: the back camera (`getUserMedia`, `facingMode: environment`) into a
//! `<video>`, a frame drawn to a canvas every [`FRAME_MS`] and sent to the decoder worker
//! (`src/bin/tessera-decoder.rs`, which runs [`super::decode`]) when it is not busy with the last.
//! The camera is released (its tracks stopped) when the view goes away, whether a code was read
//! or the cashier switched to typing.

use super::decode::scan_size;
use crate::i18n::*;
use leptos::leptos_dom::helpers::IntervalHandle;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Object, Reflect};
use web_sys::{
    CanvasRenderingContext2d, ContextAttributes2d, HtmlCanvasElement, HtmlVideoElement, ImageData,
    MediaStream, MediaStreamConstraints, MediaStreamTrack, MessageEvent, Worker,
};

/// How often a frame is decoded: fast enough to feel instant, slow enough to leave the CPU of a
/// cheap phone to the video.
pub const FRAME_MS: u64 = 200;

/// Frames are scanned at most this many pixels on the long side.
const SCAN_PIXELS: u32 = 640;

/// The decoder worker's loader (trunk writes it next to the console, unhashed: a worker's
/// address is named at run time).
const DECODER: &str = "/till/tessera-decoder_loader.js";

/// Where the camera stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraState {
    /// Asking for the camera (the browser may be showing its permission prompt).
    Starting,
    /// Showing the video and scanning it.
    Live,
    /// The cashier or the site settings refused the camera.
    Denied,
    /// There is no camera.
    Missing,
    /// The page cannot use cameras here (no `mediaDevices`: plain HTTP, old browser).
    Unsupported,
    /// Any other failure (the camera is busy in another app, ...).
    Failed,
}

impl CameraState {
    /// Whether the camera cannot be used (the typed code is the way on).
    pub fn failed(self) -> bool {
        !matches!(self, CameraState::Starting | CameraState::Live)
    }
}

/// The running camera: its stream and frame timer, released by [`Scanner::stop`].
#[derive(Default)]
struct Scanner {
    /// Bumped by every start and stop, so an answer of an earlier start is thrown away.
    generation: Cell<u32>,
    stream: RefCell<Option<MediaStream>>,
    timer: RefCell<Option<IntervalHandle>>,
    decoder: RefCell<Option<Decoder>>,
}

impl Scanner {
    /// Stops the frame timer and every track of the stream (the camera light goes off).
    fn stop(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.clear();
        }
        if let Some(stream) = self.stream.borrow_mut().take() {
            stop_tracks(&stream);
        }
        self.decoder.borrow_mut().take();
    }
}

/// The decoder worker, one frame at a time; terminated when dropped.
struct Decoder {
    worker: Worker,
    /// A frame is being decoded: the next waits for its answer.
    busy: Rc<Cell<bool>>,
    _on_answer: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Decoder {
    /// Starts the worker; `on_text` gets the text of each code it reads.
    fn new(on_text: impl Fn(String) + 'static) -> Option<Self> {
        let worker = Worker::new(DECODER).ok()?;
        let busy = Rc::new(Cell::new(false));
        let on_answer = {
            let busy = busy.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |answer: MessageEvent| {
                busy.set(false);
                if let Some(text) = answer.data().as_string() {
                    on_text(text);
                }
            })
        };
        worker.set_onmessage(Some(on_answer.as_ref().unchecked_ref()));
        // A frame the decoder failed on (an uncaught error in the worker) must not stop the
        // scanning: the next frame is sent.
        let on_error = {
            let busy = busy.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                leptos::logging::warn!("the camera's decoder failed on a frame");
                busy.set(false);
            })
        };
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Self {
            worker,
            busy,
            _on_answer: on_answer,
            _on_error: on_error,
        })
    }

    /// Sends `frame` unless the last one is still being decoded.
    fn offer(&self, frame: &ImageData) {
        if !self.busy.get() && self.worker.post_message(frame).is_ok() {
            self.busy.set(true);
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // No answer may reach the handlers once they are gone.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

/// The viewfinder. Calls `on_text` with the text of each QR code it reads (unless `paused`);
/// `state` says how the camera is doing, for the view around it.
#[component]
pub fn Camera(
    /// Skip decoding (while a read code is being checked).
    #[prop(into)]
    paused: Signal<bool>,
    /// Written with the camera's state.
    state: RwSignal<CameraState>,
    /// The text of a QR code that was read.
    on_text: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let video = NodeRef::<leptos::html::Video>::new();
    // Local (not Send): the stream and timer are JS objects. The cleanup runs before the
    // component's stored values are dropped.
    let scanner = StoredValue::new_local(Rc::new(Scanner::default()));
    // Starts once the <video> is in the document, and again when asked to (state set back to
    // Starting by "try again").
    Effect::new(move |_| {
        if state.get() == CameraState::Starting {
            if let Some(video) = video.get() {
                start(&scanner.get_value(), video, state, paused, on_text);
            }
        }
    });
    on_cleanup(move || scanner.with_value(|s| s.stop()));
    view! {
        <div class="camera" class:camera--live=move || state.get() == CameraState::Live>
            <video
                class="camera__video"
                node_ref=video
                autoplay
                muted
                playsinline
                aria-label=t_string!(i18n, till.scan.camera_label)
            ></video>
            <div class="camera__frame" aria-hidden="true"></div>
            <Show when=move || state.get() == CameraState::Starting>
                <p class="camera__status" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {t_string!(i18n, till.scan.camera_starting)}
                </p>
            </Show>
        </div>
    }
}

/// Asks for the back camera and, once it plays, scans a frame every [`FRAME_MS`].
fn start(
    scanner: &Rc<Scanner>,
    video: HtmlVideoElement,
    state: RwSignal<CameraState>,
    paused: Signal<bool>,
    on_text: Callback<String>,
) {
    scanner.stop();
    let generation = scanner.generation.get();
    let Some(promise) = request_camera() else {
        state.set(CameraState::Unsupported);
        return;
    };
    let scanner = scanner.clone();
    leptos::task::spawn_local(async move {
        let answer = JsFuture::from(promise).await;
        if scanner.generation.get() != generation {
            // Stopped (or restarted) while the browser asked: release what came.
            if let Ok(stream) = answer {
                stop_tracks(&stream.unchecked_into());
            }
            return;
        }
        let stream: MediaStream = match answer {
            Ok(stream) => stream.unchecked_into(),
            Err(error) => {
                let _ = state.try_set(problem(&error));
                return;
            }
        };
        video.set_src_object(Some(&stream));
        if let Ok(playing) = video.play() {
            // Rejects when the view goes before the video plays: expected, and must not be an
            // unhandled rejection.
            leptos::task::spawn_local(async move {
                let _ = JsFuture::from(playing).await;
            });
        }
        *scanner.stream.borrow_mut() = Some(stream);
        let _ = state.try_set(CameraState::Live);
        let Some(frames) = Frames::new() else {
            return;
        };
        let reading = move || !paused.try_get_untracked().unwrap_or(true);
        let Some(decoder) = Decoder::new(move |text| {
            // Paused since the frame was sent: a read code is being checked.
            if reading() {
                on_text.run(text);
            }
        }) else {
            return;
        };
        *scanner.decoder.borrow_mut() = Some(decoder);
        let frames_of = scanner.clone();
        let timer = set_interval_with_handle(
            move || {
                if reading() {
                    if let (Some(frame), Some(decoder)) =
                        (frames.read(&video), frames_of.decoder.borrow().as_ref())
                    {
                        decoder.offer(&frame);
                    }
                }
            },
            Duration::from_millis(FRAME_MS),
        );
        *scanner.timer.borrow_mut() = timer.ok();
    });
}

/// `getUserMedia` for the back camera, without audio; `None` where the page has no cameras.
fn request_camera() -> Option<web_sys::js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    // Missing on insecure origins: the getter then yields undefined.
    let devices = Reflect::get(&navigator, &JsValue::from_str("mediaDevices")).ok()?;
    if devices.is_undefined() || devices.is_null() {
        return None;
    }
    let devices: web_sys::MediaDevices = devices.unchecked_into();
    let video = Object::new();
    let _ = Reflect::set(&video, &"facingMode".into(), &"environment".into());
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::FALSE);
    constraints.set_video(&video);
    devices.get_user_media_with_constraints(&constraints).ok()
}

/// What a `getUserMedia` refusal means for the cashier (by the DOMException's name).
fn problem(error: &JsValue) -> CameraState {
    let name = Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => CameraState::Denied,
        "NotFoundError" | "OverconstrainedError" => CameraState::Missing,
        _ => CameraState::Failed,
    }
}

/// The canvas frames are drawn on to read their pixels.
struct Frames {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
}

impl Frames {
    fn new() -> Option<Self> {
        let canvas: HtmlCanvasElement = document().create_element("canvas").ok()?.unchecked_into();
        // Tells the browser to keep the canvas in memory the CPU reads (getImageData every frame).
        let options = ContextAttributes2d::new();
        options.set_will_read_frequently(true);
        let context = canvas
            .get_context_with_context_options("2d", &options)
            .ok()??
            .unchecked_into();
        Some(Self { canvas, context })
    }

    /// The video's current frame, at most [`SCAN_PIXELS`] on the long side.
    fn read(&self, video: &HtmlVideoElement) -> Option<ImageData> {
        // HAVE_CURRENT_DATA: there is a frame to draw.
        if video.ready_state() < 2 {
            return None;
        }
        let (width, height) = scan_size(video.video_width(), video.video_height(), SCAN_PIXELS);
        if width == 0 || height == 0 {
            return None;
        }
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        let (w, h) = (f64::from(width), f64::from(height));
        self.context
            .draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w, h)
            .ok()?;
        self.context.get_image_data(0.0, 0.0, w, h).ok()
    }
}
