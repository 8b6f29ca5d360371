//! The messages of the errors a service built on the core answers (the reference server's API
//! errors: `store.not_found`, `workflow.wrong_office`, …), by code, in Spanish and English
//! (`data/messages.json`), so that a service answers in its user's language as validation's
//! issues do ([`crate::Issue`]). No message holds a value.
//!
//! ```
//! use siproc_core::{Locale, messages};
//! assert_eq!(messages::error_message("store.not_found", Locale::Es), Some("No existe, o usted no puede verlo."));
//! assert_eq!(messages::error_message("no.such_code", Locale::En), None);
//! ```

use std::sync::OnceLock;

use serde::Deserialize;

use crate::issue::Locale;

#[derive(Deserialize)]
struct Message {
    code: String,
    es: String,
    en: String,
}

#[derive(Deserialize)]
struct File {
    messages: Vec<Message>,
}

fn messages() -> &'static [Message] {
    static MESSAGES: OnceLock<Vec<Message>> = OnceLock::new();
    // The file is part of the crate and checked by a unit test; were it broken, no message
    // would be translated rather than panic.
    MESSAGES.get_or_init(|| {
        serde_json::from_str::<File>(include_str!("../data/messages.json"))
            .map(|f| f.messages)
            .unwrap_or_default()
    })
}

/// The message of error `code` in `locale`; `None` for a code the file does not list.
pub fn error_message(code: &str, locale: Locale) -> Option<&'static str> {
    messages()
        .iter()
        .find(|m| m.code == code)
        .map(|m| match locale {
            Locale::Es => m.es.as_str(),
            Locale::En => m.en.as_str(),
        })
}

/// Every code with a message.
pub fn codes() -> impl Iterator<Item = &'static str> {
    messages().iter().map(|m| m.code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_reads_and_every_code_is_once_in_both_languages() {
        let all: Vec<&str> = codes().collect();
        assert!(all.len() > 30);
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        for code in all {
            for locale in [Locale::Es, Locale::En] {
                let m = error_message(code, locale).unwrap();
                assert!(!m.is_empty() && !m.contains('{'), "{code}");
            }
        }
        // Every workflow error code the core has is worded.
        for code in crate::workflow::ERROR_CODES {
            assert!(error_message(code, Locale::Es).is_some(), "{code}");
        }
    }
}
