//! The Rust API's tests, shared by the Node (`rust_api_node.rs`) and the Chromium
//! (`rust_api_browser.rs`) runs: only `lifeline_ws::{Socket, Config, Event, …}`, no
//! JavaScript of our own. They talk to `tests/wasm/server.mjs`, whose port
//! `scripts/test.sh` passes in `LIFELINE_WASM_SERVER_PORT` at build time.
#![allow(dead_code)]

pub mod cases;

#[cfg(feature = "serde")]
pub mod serde;
pub mod urls;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use lifeline_ws::core::{ErrorCause, State};
use lifeline_ws::{Close, ConfigBuilder, Error, Event, Events, Message, Socket, UrlSource};

pub fn url(path: &str) -> String {
    let Some(port) = option_env!("LIFELINE_WASM_SERVER_PORT") else {
        panic!("build with LIFELINE_WASM_SERVER_PORT set (scripts/test.sh does)")
    };
    format!("ws://127.0.0.1:{port}{path}")
}

/// `future`'s output, or `None` after `limit_ms`.
async fn within<F: Future>(limit_ms: u32, future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut timeout = pin!(TimeoutFuture::new(limit_ms));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        timeout.as_mut().poll(cx).map(|_| None)
    })
    .await
}

/// Reads events until one satisfies `wanted` (returned), recording all of them in `seen`;
/// panics with what was seen if the stream ends or `limit_ms` passes first.
async fn until(
    events: &mut Events,
    seen: &mut Vec<Event>,
    what: &str,
    limit_ms: u32,
    wanted: impl Fn(&Event) -> bool,
) -> Event {
    let start = js_sys::Date::now();
    loop {
        let left = limit_ms.saturating_sub((js_sys::Date::now() - start) as u32);
        match within(left.max(1), events.next()).await {
            Some(Some(event)) => {
                seen.push(event.clone());
                if wanted(&event) {
                    return event;
                }
            }
            Some(None) => panic!("{what}: the stream ended; events: {seen:?}"),
            None => panic!("{what}: not within {limit_ms} ms; events: {seen:?}"),
        }
    }
}

fn count(seen: &[Event], f: impl Fn(&Event) -> bool) -> usize {
    seen.iter().filter(|e| f(e)).count()
}

/// Echo: a message queued before open, text and binary round trips, then `close`: one
/// `Close` 1000, `Closed`, the stream ends, and `send` hands the message back.
pub async fn echo_and_the_stream_ends_after_close(config: ConfigBuilder) {
    let socket = Socket::connect(url("/echo"), config.build().unwrap()).unwrap();
    let mut events = socket.events();
    socket.send("queued before open").unwrap();
    let mut seen = Vec::new();
    until(&mut events, &mut seen, "open", 5000, |e| *e == Event::Open).await;
    let echo = |text: &'static str| move |e: &Event| *e == Event::Message(Message::from(text));
    until(
        &mut events,
        &mut seen,
        "queued echo",
        5000,
        echo("queued before open"),
    )
    .await;
    socket.send(vec![0u8, 1, 2, 255]).unwrap();
    until(&mut events, &mut seen, "binary echo", 5000, |e| {
        *e == Event::Message(Message::Binary(vec![0, 1, 2, 255]))
    })
    .await;
    socket.close_with(1000, "done").unwrap();
    // Everything up to the end of the stream.
    let start = seen.len();
    loop {
        match within(5000, events.next()).await {
            Some(Some(event)) => seen.push(event),
            Some(None) => break,
            None => panic!("the stream did not end after close; events: {seen:?}"),
        }
    }
    let last = &seen[start..];
    assert!(
        last.contains(&Event::StateChange(State::Closed)),
        "{last:?}"
    );
    let close = Close {
        code: 1000,
        reason: "done".into(),
        was_clean: true,
        will_reconnect: false,
        delay: None,
    };
    assert!(last.contains(&Event::Close(close)), "{last:?}");
    assert_eq!(events.next().await, None, "and stays ended");
    assert_eq!(socket.state(), State::Closed);
    assert_eq!(
        socket.send("late"),
        Err(Error::Closed(Message::from("late"))),
        "the message comes back"
    );
    assert_eq!(
        count(&seen, |e| matches!(e, Event::Close(_))),
        1,
        "{seen:?}"
    );
}

/// A server that drops every connection: a `Close` 4000 and a `Reconnect` each time, `Open`
/// once, through both the stream and the callbacks.
pub async fn reconnects_after_drops(config: ConfigBuilder) {
    let config = config
        .initial_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(100))
        .build()
        .unwrap();
    let socket = Socket::connect(url("/drop"), config).unwrap();
    let reconnects = Rc::new(Cell::new(0));
    let closes = Rc::new(RefCell::new(Vec::new()));
    let (r, c) = (reconnects.clone(), closes.clone());
    socket.on_reconnect(move |event| {
        assert!(event.attempt >= 1);
        r.set(r.get() + 1);
    });
    socket.on_close(move |close| c.borrow_mut().push(close.clone()));
    let mut events = socket.events();
    let mut seen = Vec::new();
    for n in 1..=3 {
        until(
            &mut events,
            &mut seen,
            &format!("reconnect {n}"),
            10_000,
            |e| matches!(e, Event::Reconnect(_)),
        )
        .await;
    }
    assert_eq!(count(&seen, |e| *e == Event::Open), 1, "{seen:?}");
    assert!(reconnects.get() >= 3);
    let drops = closes
        .borrow()
        .iter()
        .filter(|c| c.code == 4000 && c.reason == "drop" && c.will_reconnect)
        .count();
    assert!(drops >= 3, "{:?}", closes.borrow());
    assert!(socket.stats().reconnects >= 3);
    socket.close();
}

/// A server that answers one ping and then nothing: a `Heartbeat`, then the dead
/// connection is dropped (1006 "heartbeat timeout") and replaced.
pub async fn heartbeat_detects_a_server_that_stops_answering(config: ConfigBuilder) {
    let config = config
        .heartbeat(Duration::from_millis(200), Duration::from_millis(200))
        .initial_delay(Duration::from_millis(50))
        .build()
        .unwrap();
    let socket = Socket::connect(url("/pong-once"), config).unwrap();
    let rtts = Rc::new(Cell::new(0));
    let r = rtts.clone();
    socket.on_heartbeat(move |rtt| {
        assert!(rtt < Duration::from_secs(5));
        r.set(r.get() + 1);
    });
    let mut events = socket.events();
    let mut seen = Vec::new();
    until(&mut events, &mut seen, "first pong", 5000, |e| {
        matches!(e, Event::Heartbeat { .. })
    })
    .await;
    until(&mut events, &mut seen, "dead connection", 5000, |e| {
        matches!(e, Event::Close(c) if c.code == 1006 && c.reason == "heartbeat timeout" && c.will_reconnect)
    })
    .await;
    until(&mut events, &mut seen, "reconnected", 5000, |e| {
        matches!(e, Event::Reconnect(_))
    })
    .await;
    assert!(rtts.get() >= 1);
    assert_eq!(
        count(&seen, |e| matches!(e, Event::Message(_))),
        0,
        "pongs are not messages: {seen:?}"
    );
    socket.close();
}

/// Dropping the socket closes the connection (the server sees it), ends the stream, and
/// leaves a handle that refuses politely.
pub async fn dropping_the_socket_closes_it_and_ends_the_stream(config: ConfigBuilder) {
    let socket = Socket::connect(url("/echo"), config.build().unwrap()).unwrap();
    let handle = socket.handle();
    let echoed = Rc::new(RefCell::new(Vec::new()));
    let e = echoed.clone();
    let sender = socket.handle();
    // An echo of an echo would loop: answer "ping-me" only.
    socket.on_message(move |m| {
        e.borrow_mut().push(m.clone());
        if m.as_text() == Some("ping-me") {
            sender.send("answered").unwrap();
        }
    });
    let mut events = socket.events();
    let mut seen = Vec::new();
    until(&mut events, &mut seen, "open", 5000, |e| *e == Event::Open).await;
    handle.send("ping-me").unwrap();
    until(&mut events, &mut seen, "answer echoed", 5000, |e| {
        *e == Event::Message(Message::from("answered"))
    })
    .await;
    assert_eq!(
        *echoed.borrow(),
        [Message::from("ping-me"), Message::from("answered")],
        "callbacks and the stream see the same messages"
    );
    drop(socket);
    assert_eq!(
        within(2000, events.next()).await,
        Some(None),
        "the stream ends"
    );
    assert_eq!(handle.state(), State::Closed);
    assert_eq!(
        handle.send("after drop"),
        Err(Error::Closed(Message::from("after drop")))
    );
    assert_eq!(handle.reconnect(), Err(Error::SocketDropped));
    // Nothing of the socket acts any more: no timer, no listener fires.
    TimeoutFuture::new(300).await;
}

/// A URL provider is asked before every attempt: its error is an `Error` event of cause
/// `Url` (with its text), and the next attempt uses its next answer.
pub async fn url_provider_is_asked_before_every_attempt(config: ConfigBuilder) {
    let calls = Rc::new(Cell::new(0u32));
    let c = calls.clone();
    let provider = UrlSource::provider(move || {
        let n = c.get() + 1;
        c.set(n);
        async move {
            if n == 1 {
                Err("token service unavailable".to_string())
            } else {
                Ok(url("/drop"))
            }
        }
    });
    let config = config
        .initial_delay(Duration::from_millis(50))
        .build()
        .unwrap();
    let socket = Socket::connect(provider, config).unwrap();
    let mut events = socket.events();
    let mut seen = Vec::new();
    let error = until(&mut events, &mut seen, "the provider's error", 5000, |e| {
        matches!(e, Event::Error(_))
    })
    .await;
    let Event::Error(info) = error else {
        unreachable!()
    };
    assert_eq!(info.cause, ErrorCause::Url);
    assert_eq!(info.detail, "token service unavailable");
    until(&mut events, &mut seen, "open", 5000, |e| *e == Event::Open).await;
    until(&mut events, &mut seen, "reconnect", 5000, |e| {
        matches!(e, Event::Reconnect(_))
    })
    .await;
    assert!(calls.get() >= 3, "asked {} times", calls.get());
    socket.close();
}

/// Bad input is refused with what was wrong, before anything connects.
pub fn bad_input_is_refused(config: ConfigBuilder) {
    let config = config.build().unwrap();
    let error =
        Socket::connect("ftp://user:secret@example.com/x?token=1", config.clone()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "WebSocket URL must be a ws:, wss:, http: or https: URL, got ftp://example.com/…"
    );
    let error = Socket::connect("ws://127.0.0.1:1/#frag", config.clone()).unwrap_err();
    assert!(matches!(error, Error::Url { .. }), "{error}");
    let socket = Socket::connect(url("/echo"), config).unwrap();
    assert_eq!(
        socket.close_with(1005, "reserved"),
        Err(Error::InvalidCloseCode(1005))
    );
    assert_eq!(
        socket.close_with(1000, &"x".repeat(124)),
        Err(Error::ReasonTooLong { bytes: 124 })
    );
    socket.close();
}
