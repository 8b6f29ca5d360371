//! Input limits: how large a record, a string, a list or a nesting may be, one set of numbers
//! that every face applies the same way.
//!
//! Validation itself is total: any JSON gets a report. What the limits guard is the work and the
//! memory a single call may take before validation starts. They are far above anything a real
//! intake holds (a few kilobytes, five levels deep), and going past one is *misuse*, not a
//! problem of the record: a check returns the [`Limit`] passed, and every face answers with
//! [`Misuse::TooLarge`](crate::Misuse::TooLarge) (code
//! `siproc.too_large`) naming the limit, never the input.
//!
//! | face | where the limits apply |
//! |---|---|
//! | Rust | call [`Limits::check_json`] (or [`Limits::check_value`]) on untrusted input before validating it |
//! | Python | every record, case or command converted from Python (`siproc.MalformedError`, code `siproc.too_large`) |
//! | WebAssembly | every string argument and record (`Error` with `code = "siproc.too_large"`) |
//! | server | request bodies: over [`Limits::record_bytes`], 413 `http.body_too_large`; within it but over another limit, 413 `siproc.too_large` |
//!
//! [`Limits::check_json`] walks JSON text once with serde's streaming deserializer, without
//! building it: a hostile body of deeply nested arrays or one huge string is refused before any
//! of it is allocated.

use std::cell::Cell;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One of the [`Limits`]: what a check returns when input goes past it, and what
/// [`Misuse::TooLarge`](crate::Misuse::TooLarge) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// [`Limits::record_bytes`].
    RecordBytes,
    /// [`Limits::depth`].
    Depth,
    /// [`Limits::string_bytes`].
    StringBytes,
    /// [`Limits::list_length`].
    ListLength,
    /// [`Limits::batch_length`].
    BatchLength,
}

impl Limit {
    /// What the limit bounds, for messages: `a record's JSON text`, `nesting`, ….
    pub fn describe(self) -> &'static str {
        match self {
            Limit::RecordBytes => "the JSON text of a record",
            Limit::Depth => "the nesting of arrays and objects",
            Limit::StringBytes => "a string",
            Limit::ListLength => "a list inside a record",
            Limit::BatchLength => "the records or lines of one call",
        }
    }
}

/// Names the limit with its value in [`Limits::DEFAULT`], the limits every face applies. A Rust
/// embedder checking with other `Limits` gets the same `Limit`, whose message still quotes the
/// default value.
impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limits = Limits::DEFAULT;
        let (value, unit) = match self {
            Limit::RecordBytes => (limits.record_bytes, "bytes"),
            Limit::Depth => (limits.depth, "levels"),
            Limit::StringBytes => (limits.string_bytes, "bytes"),
            Limit::ListLength => (limits.list_length, "items"),
            Limit::BatchLength => (limits.batch_length, "items"),
        };
        write!(f, "{} is limited to {value} {unit}", self.describe())
    }
}

/// How large an input one call accepts. [`Limits::DEFAULT`] is what every face applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// The longest JSON text of one record, in bytes of UTF-8: 1 MiB (the server's body limit).
    pub record_bytes: usize,
    /// The deepest nesting of arrays and objects: 64 (an intake has five levels).
    pub depth: usize,
    /// The longest string value (or key) in a record, or string argument, in bytes of UTF-8:
    /// 64 KiB (a long note; a name is a few dozen bytes).
    pub string_bytes: usize,
    /// The longest list inside a record (persons, contacts, services): 10,000 items.
    pub list_length: usize,
    /// The most records or lines one call takes (a batch validation, an MRZ's lines): 100,000.
    pub batch_length: usize,
}

impl Limits {
    /// The limits of every face.
    pub const DEFAULT: Limits = Limits {
        record_bytes: 1024 * 1024,
        depth: 64,
        string_bytes: 64 * 1024,
        list_length: 10_000,
        batch_length: 100_000,
    };

    /// Checks JSON text against every limit in one streaming pass, without building it.
    ///
    /// Text that is not JSON passes (up to where it stops being JSON): saying *why* it is
    /// malformed is validation's job, which reports `json.malformed` with the position.
    ///
    /// ```
    /// use siproc_core::limits::{Limit, Limits};
    /// use siproc_core::Misuse;
    /// assert!(Limits::DEFAULT.check_json(br#"{"persons": [{"given_names": "Ana"}]}"#).is_ok());
    /// let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    /// assert_eq!(Limits::DEFAULT.check_json(deep.as_bytes()), Err(Limit::Depth));
    /// ```
    pub fn check_json(&self, text: &[u8]) -> Result<(), Limit> {
        if text.len() > self.record_bytes {
            return Err(Limit::RecordBytes);
        }
        // Read as text, so that the crate has one instance of serde_json's reader (the
        // WebAssembly module's size); bytes that are not UTF-8 end the JSON there, as they end
        // any parse.
        let text = match std::str::from_utf8(text) {
            Ok(text) => text,
            Err(e) => text
                .get(..e.valid_up_to())
                .and_then(|valid| std::str::from_utf8(valid).ok())
                .unwrap_or_default(),
        };
        let hit = Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(text);
        // serde_json's own recursion limit (128) is above `depth` for the default limits; a
        // caller raising `depth` past it meets a syntax error instead, which passes here.
        let _ = Walk::new(self, &hit).deserialize(&mut de);
        hit.get().map_or(Ok(()), Err)
    }

    /// Checks a JSON value (built by a face from its own objects) against the limits of a
    /// record's contents: depth, strings and lists.
    pub fn check_value(&self, value: &serde_json::Value) -> Result<(), Limit> {
        let hit = Cell::new(None);
        let _ = Walk::new(self, &hit).deserialize(value);
        hit.get().map_or(Ok(()), Err)
    }

    /// Checks a string argument (a field's value, a document number, a line) by its length in
    /// bytes of UTF-8.
    pub fn check_string(&self, bytes: usize) -> Result<(), Limit> {
        if bytes > self.string_bytes {
            Err(Limit::StringBytes)
        } else {
            Ok(())
        }
    }

    /// Checks the number of records or lines given to one call.
    pub fn check_batch(&self, length: usize) -> Result<(), Limit> {
        if length > self.batch_length {
            Err(Limit::BatchLength)
        } else {
            Ok(())
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// A visitor that walks any JSON, checking the limits, and records the first one exceeded.
#[derive(Clone, Copy)]
struct Walk<'a> {
    limits: &'a Limits,
    depth: usize,
    hit: &'a Cell<Option<Limit>>,
}

impl<'a> Walk<'a> {
    fn new(limits: &'a Limits, hit: &'a Cell<Option<Limit>>) -> Walk<'a> {
        Walk {
            limits,
            depth: 0,
            hit,
        }
    }

    /// Records `limit` and gives the error that stops the walk.
    fn exceeded<E: de::Error>(self, limit: Limit) -> E {
        self.hit.set(Some(limit));
        E::custom("limit")
    }

    /// The walker one level down, or the error when that level is too deep.
    fn nested<E: de::Error>(self) -> Result<Walk<'a>, E> {
        if self.depth >= self.limits.depth {
            return Err(self.exceeded(Limit::Depth));
        }
        Ok(Walk {
            depth: self.depth + 1,
            ..self
        })
    }

    fn string<E: de::Error>(self, bytes: usize) -> Result<(), E> {
        if bytes > self.limits.string_bytes {
            return Err(self.exceeded(Limit::StringBytes));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    accept_json_scalars!();

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.string(v.len())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        let mut length = 0usize;
        while seq.next_element_seed(inner)?.is_some() {
            length += 1;
            if length > self.limits.list_length {
                return Err(self.exceeded(Limit::ListLength));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        let mut length = 0usize;
        while map.next_key_seed(inner)?.is_some() {
            map.next_value_seed(inner)?;
            length += 1;
            if length > self.limits.list_length {
                return Err(self.exceeded(Limit::ListLength));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Misuse;

    const TOO_LARGE: fn(Limit) -> Result<(), Limit> = Err;

    #[test]
    fn a_real_intake_is_far_within_the_limits() {
        let corpus = include_str!("../../tests/conformance/intake/valid.json");
        let cases: serde_json::Value = serde_json::from_str(corpus).unwrap();
        for case in cases["cases"].as_array().unwrap() {
            let text = serde_json::to_vec(&case["intake"]).unwrap();
            assert_eq!(Limits::DEFAULT.check_json(&text), Ok(()));
            assert_eq!(Limits::DEFAULT.check_value(&case["intake"]), Ok(()));
        }
    }

    #[test]
    fn each_limit_is_found_in_text_and_in_values() {
        let l = Limits {
            record_bytes: 1000,
            depth: 3,
            string_bytes: 5,
            list_length: 4,
            batch_length: 2,
        };
        let check = |text: &str| {
            let from_text = l.check_json(text.as_bytes());
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(from_text, l.check_value(&value), "{text}");
            from_text
        };
        assert_eq!(check(r#"{"a": [[1]]}"#), Ok(()));
        assert_eq!(check(r#"{"a": [[[1]]]}"#), TOO_LARGE(Limit::Depth));
        assert_eq!(check(r#"["12345"]"#), Ok(()));
        assert_eq!(check(r#"["123456"]"#), TOO_LARGE(Limit::StringBytes));
        assert_eq!(check(r#"{"123456": 1}"#), TOO_LARGE(Limit::StringBytes));
        assert_eq!(check("[1, 2, 3, 4]"), Ok(()));
        assert_eq!(check("[1, 2, 3, 4, 5]"), TOO_LARGE(Limit::ListLength));
        assert_eq!(
            check(r#"{"a":1,"b":2,"c":3,"d":4,"e":5}"#),
            TOO_LARGE(Limit::ListLength)
        );
        // An escaped string is measured as it decodes.
        assert_eq!(check(r#"["\u00e9\u00e9"]"#), Ok(()));
        assert_eq!(
            l.check_json(" ".repeat(1001).as_bytes()),
            TOO_LARGE(Limit::RecordBytes)
        );
        assert_eq!(l.check_batch(2), Ok(()));
        assert_eq!(l.check_batch(3), TOO_LARGE(Limit::BatchLength));
        assert_eq!(l.check_string(6), TOO_LARGE(Limit::StringBytes));
    }

    #[test]
    fn malformed_text_is_left_to_validation() {
        for text in ["", "{", "[1,]", "nul", "{\"a\" 1}", "\u{0}"] {
            assert_eq!(
                Limits::DEFAULT.check_json(text.as_bytes()),
                Ok(()),
                "{text:?}"
            );
        }
        // Nesting far past serde_json's own recursion limit is still the depth limit.
        let deep = "[".repeat(100_000);
        assert_eq!(
            Limits::DEFAULT.check_json(deep.as_bytes()),
            TOO_LARGE(Limit::Depth)
        );
    }

    #[test]
    fn the_message_names_the_limit_never_the_input() {
        let m = Misuse::TooLarge(Limit::StringBytes);
        assert_eq!(m.code(), "siproc.too_large");
        assert_eq!(
            m.to_string(),
            "the input is too large: a string is limited to 65536 bytes"
        );
    }
}
