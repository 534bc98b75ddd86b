//! Printing: text for people, one JSON document for scripts (`--json`).

use std::fmt::Display;

use serde::Serialize;

/// Where results go.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Print JSON instead of text.
    pub json: bool,
}

impl Output {
    /// Prints `text` for people, or `value` as JSON for scripts.
    pub fn emit(&self, text: impl Display, value: &impl Serialize) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("error: cannot print JSON: {e}"),
            }
        } else {
            println!("{text}");
        }
    }
}
