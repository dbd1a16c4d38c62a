//! The npm package renders the core's errors in JavaScript (js/options.js, js/driver.js) and
//! the Rust API in Rust: this keeps the texts of the two in step. It reads the JS sources and
//! checks that they carry the core's field names and expectations in the core's numbering,
//! and the same sentences for refused inputs.
#![cfg(all(feature = "npm", not(target_arch = "wasm32")))]

use lifeline_ws::core::Reason;
use lifeline_ws::core::{ConfigError, InputError, Jitter, Overflow};
use lifeline_ws::npm::{ReasonId, DROP_REASONS, EXPECTATIONS, NUMBER_FIELDS};

fn source(path: &str) -> String {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The strings of the array literal `export const NAME = [ … ];` in `js`.
fn js_array(js: &str, name: &str) -> Vec<String> {
    let start = js
        .find(&format!("export const {name} = ["))
        .unwrap_or_else(|| panic!("no `export const {name} = [` in the JS"));
    let body = &js[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn number_fields_and_expectations_match_the_core() {
    let js = source("js/options.js");
    assert_eq!(js_array(&js, "NUMBER_FIELDS"), NUMBER_FIELDS);
    let expected: Vec<_> = EXPECTATIONS.iter().map(|e| e.as_str()).collect();
    assert_eq!(js_array(&js, "EXPECTATIONS"), expected);
}

/// Reasons cross as ids: the JS holds the machine's own words under theirs.
#[test]
fn the_machine_s_words_match_the_core_by_id() {
    let js = source("js/driver.js");
    let texts = js_array(&js, "REASONS");
    assert_eq!(texts.len(), DROP_REASONS.len() + 1, "{texts:?}");
    assert_eq!(texts[0], "", "id 0 is the empty reason");
    for why in DROP_REASONS {
        let id = ReasonId::from_drop(why).id as usize;
        assert_eq!(texts[id], why.as_str(), "id {id}: {why:?}");
    }
}

#[test]
fn names_match_the_core() {
    let js = source("js/options.js");
    let listed = |names: Vec<String>| {
        let quoted: Vec<_> = names.iter().map(|n| format!("\"{n}\"")).collect();
        let (last, rest) = quoted.split_last().unwrap();
        format!("{} or {last}", rest.join(", "))
    };
    assert_eq!(listed(js_array(&js, "JITTER")), Jitter::NAMES);
    assert_eq!(listed(js_array(&js, "OVERFLOW")), Overflow::NAMES);
    for (i, name) in js_array(&js, "JITTER").iter().enumerate() {
        let parsed = Jitter::parse(name).unwrap();
        assert_eq!(parsed as usize, i, "jitter {name} is slot value {i}");
    }
}

#[test]
fn the_heartbeat_source_error_reads_the_same() {
    let js = source("js/options.js");
    let rust = ConfigError::NoHeartbeatSource.to_string();
    assert!(js.contains(&rust), "js/options.js lacks {rust:?}");
}

#[test]
fn refused_inputs_read_the_same() {
    let js = source("js/driver.js");
    let errors: [InputError<()>; 5] = [
        InputError::Closed(()),
        InputError::QueueFull {
            message: (),
            max: 0,
        },
        InputError::QueueFull {
            message: (),
            max: 17,
        },
        InputError::InvalidCloseCode(1001),
        InputError::ReasonTooLong { bytes: 124 },
    ];
    for error in errors {
        let message = error.message();
        // Numbers are the JS's own interpolations: each piece around them must be there.
        for piece in message.split(|c: char| c.is_ascii_digit()) {
            if piece.len() > 3 {
                assert!(
                    js.contains(piece),
                    "js/driver.js lacks {piece:?} of {message:?}"
                );
            }
        }
    }
}
