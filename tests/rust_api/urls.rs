//! The Rust side of `tests/cases/urls.json`: WebSocket's URL rules as `Socket::connect`
//! applies them (src/api/socket.rs, `resolve`). Its JS twin is the npm package's
//! `LifelineSocket` (js/lifeline-ws.js, `resolveUrl`), run against the same table by
//! `tests/node/urls.test.mjs`. In Node only: the cases with a base page set
//! `globalThis.location`, which a browser page cannot.

use js_sys::{Array, Function, Object, Reflect};
use lifeline_ws::{ConfigBuilder, Error, Socket};
use serde_json::Value;
use wasm_bindgen::JsValue;

/// Which rule refused a URL, from what `Error::Url` says was expected.
fn rule(expected: &str) -> &'static str {
    match expected {
        "a valid absolute or relative URL" => "parse",
        "a ws:, wss:, http: or https: URL" => "scheme",
        "a URL without a fragment" => "fragment",
        other => panic!("no rule of the table expects {other:?}"),
    }
}

/// `location.href` is `base` (none: no `location`, as in Node).
fn set_location(base: Option<&str>) {
    let global = js_sys::global();
    let key = JsValue::from_str("location");
    match base {
        Some(base) => {
            let location = Object::new();
            Reflect::set(&location, &"href".into(), &base.into()).unwrap();
            Reflect::set(&global, &key, &location).unwrap();
        }
        None => {
            Reflect::delete_property(&global, &key).unwrap();
        }
    }
}

pub fn urls_follow_the_shared_table(config: ConfigBuilder) {
    let table: Value = serde_json::from_str(include_str!("../cases/urls.json")).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    // A WebSocket constructor that records the URL it is given and makes an inert socket.
    let made = Array::new();
    let recorder = Function::new_with_args(
        "made",
        "return function (url) {
            made.push(url);
            const socket = new EventTarget();
            socket.readyState = 0;
            socket.close = () => {};
            return socket;
        };",
    );
    let recorder: Function = recorder.call1(&JsValue::UNDEFINED, &made).unwrap().into();
    let config = config.websocket(recorder).build().unwrap();
    for case in cases {
        let url = case["url"].as_str().unwrap();
        let base = case["base"].as_str();
        let label = format!(
            "{url:?}{}",
            base.map(|b| format!(" against {b}")).unwrap_or_default()
        );
        set_location(base);
        let result = Socket::connect(url, config.clone());
        set_location(None);
        let words = |key: &str| -> Vec<&str> {
            case[key]
                .as_array()
                .map_or(vec![], |a| a.iter().map(|w| w.as_str().unwrap()).collect())
        };
        match (result, case["href"].as_str()) {
            (Ok(socket), Some(href)) => {
                let last = made.get(made.length() - 1).as_string();
                assert_eq!(last.as_deref(), Some(href), "{label}");
                drop(socket);
            }
            (Ok(_), None) => panic!(
                "{label}: accepted, expected the {} rule to refuse it",
                case["error"]
            ),
            (Err(error), expected) => {
                let Error::Url {
                    expected: rule_of, ..
                } = &error
                else {
                    panic!("{label}: {error:?}")
                };
                assert_eq!(expected, None, "{label}: refused: {error}");
                assert_eq!(
                    Some(rule(rule_of)),
                    case["error"].as_str(),
                    "{label}: {error}"
                );
                let message = error.to_string();
                for part in words("hidden") {
                    assert!(!message.contains(part), "{label}: {message:?} shows {part}");
                }
                for part in words("shown") {
                    assert!(message.contains(part), "{label}: {message:?} lacks {part}");
                }
            }
        }
    }
}
