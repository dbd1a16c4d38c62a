//! A Rust/wasm page on lifeline-ws, with no framework: wasm-bindgen and a few DOM calls.
//!
//! It connects to the URL the page gives it, says hello on every (re)connection, and shows
//! the state, the counters and an event log, all from the `Socket`'s event stream.
//! Build: `wasm-pack build examples/rust --target web` (then serve `examples/rust/`);
//! `tests/rust-example/` builds it, loads it in headless Chromium and makes it live through
//! drops and a dead connection.

use std::time::Duration;

use lifeline_ws::{Config, Event, Message, Socket};
use wasm_bindgen::prelude::*;
use web_sys::Document;

/// The running example. The page keeps it; dropping it (`app.free()`) closes the socket.
#[wasm_bindgen]
pub struct App {
    socket: Socket,
}

#[wasm_bindgen]
impl App {
    /// Connects to `url` with heartbeats every second and quick backoff, and renders every
    /// event into the page.
    #[wasm_bindgen(constructor)]
    pub fn new(url: &str) -> Result<App, JsError> {
        let config = Config::builder()
            .initial_delay(Duration::from_millis(200))
            .max_delay(Duration::from_secs(2))
            .heartbeat(Duration::from_secs(1), Duration::from_secs(1))
            .build()?;
        let socket = Socket::connect(url, config)?;
        let handle = socket.handle();
        let mut events = socket.events();
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| JsError::new("no document: load this example in a page"))?;
        wasm_bindgen_futures::spawn_local(async move {
            let mut view = View {
                document,
                hellos: 0,
                messages: 0,
                reconnects: 0,
            };
            while let Some(event) = events.next().await {
                if matches!(event, Event::Open | Event::Reconnect(_)) {
                    view.hellos += 1;
                    let _ = handle.send(format!("hello {}", view.hellos));
                }
                view.render(&event);
            }
            view.set("state", "ended");
            view.log("the event stream ended");
        });
        Ok(App { socket })
    }

    /// Closes for good; the page then shows `ended`.
    pub fn close(&self) {
        self.socket.close();
    }

    /// Connects again after `close`, or replaces the connection now.
    pub fn reconnect(&self) -> Result<(), JsError> {
        Ok(self.socket.reconnect()?)
    }

    /// The connection's state: `connecting`, `open`, `waiting`, `closing` or `closed`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.socket.state().as_str().into()
    }
}

struct View {
    document: Document,
    hellos: u32,
    messages: u32,
    reconnects: u32,
}

impl View {
    fn set(&self, id: &str, text: &str) {
        if let Some(element) = self.document.get_element_by_id(id) {
            element.set_text_content(Some(text));
        }
    }

    fn log(&self, line: &str) {
        let (Some(list), Ok(item)) = (
            self.document.get_element_by_id("log"),
            self.document.create_element("li"),
        ) else {
            return;
        };
        item.set_text_content(Some(line));
        let _ = list.append_child(&item);
    }

    fn render(&mut self, event: &Event) {
        match event {
            Event::StateChange(state) => self.set("state", state.as_str()),
            Event::Open => self.log("open"),
            Event::Reconnect(r) => {
                self.reconnects += 1;
                self.set("reconnects", &self.reconnects.to_string());
                self.log(&format!(
                    "reconnect: attempt {}, down {} ms",
                    r.attempt,
                    r.downtime.as_millis()
                ));
            }
            Event::Reconnecting(r) => self.log(&format!(
                "reconnecting: attempt {} in {} ms",
                r.attempt,
                r.delay.as_millis()
            )),
            Event::Message(message) => {
                self.messages += 1;
                self.set("messages", &self.messages.to_string());
                let text = match message {
                    Message::Text(text) => text.clone(),
                    Message::Binary(bytes) => format!("{} bytes", bytes.len()),
                };
                self.log(&format!("message: {text}"));
            }
            Event::Close(c) => self.log(&format!(
                "close {} {}{}",
                c.code,
                c.reason,
                if c.will_reconnect { "" } else { " (for good)" }
            )),
            Event::Error(e) => self.log(&format!("error: {} {}", e.cause.as_str(), e.detail)),
            Event::GiveUp { attempts } => self.log(&format!("gave up after {attempts} attempts")),
            Event::Heartbeat { rtt } => self.set("rtt", &format!("{} ms", rtt.as_millis())),
            Event::Dropped(_) => self.log("a queued message was dropped"),
            // Events added in later versions.
            _ => {}
        }
    }
}
