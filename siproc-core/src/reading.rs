//! Reading the wire format from JSON text, and the issue that says where a reading stopped.
//!
//! A value is read once, directly. Only when that fails is the place found, from what serde_json
//! tells: every error of a value of the wrong shape carries the line and column where reading
//! was, which is just past the refused value (a scalar, or an object missing a field), at a
//! container where a scalar was expected, or at the colon after an unknown key. The text up to
//! there is read again, keeping the JSON path, and the value read or begun last is the one that
//! was refused. Keys that are not identifiers are left out of the path: they may be personal
//! data.
//!
//! This takes the place of a path-tracking deserializer (`serde_path_to_error`), which doubled
//! the deserialization code of every type of the wire format to serve only the records that fail
//! (15 KB of the WebAssembly module, gzipped). The two agree on every path: the tests compare
//! them on thousands of broken records. The one rule it asks of the wire types is that a custom
//! error be raised while serde_json reads the value (in a `Visitor`), not after: after, the error
//! takes the place of the enclosing value (serde_json gives it that position). One place is
//! ambiguous in the text itself: a list refused whole whose first element is a container,
//! written without a space (`[{`), is reported at its first element.

use std::cell::RefCell;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};

use crate::issue::{Issue, Locale, Pointer};

/// Reads a `T` from JSON text, the whole text, or returns the `json.*` issue that says where
/// reading stopped, without quoting the text.
pub(crate) fn read<T: DeserializeOwned>(json: &str, locale: Locale) -> Result<T, Issue> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = T::deserialize(&mut de).map_err(|e| issue(json, &e, locale))?;
    de.end().map_err(|e| issue(json, &e, locale))?;
    Ok(value)
}

/// Reads a `T` from a JSON value; a value that does not read is written out and read as text,
/// which finds the place.
pub(crate) fn read_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    locale: Locale,
) -> Result<T, Issue> {
    T::deserialize(value).map_err(|_| {
        read::<T>(&value.to_string(), locale)
            .err()
            // Not expected: the value and its text read alike.
            .unwrap_or_else(|| Issue::new("json.bad_value", "", locale, &[]))
    })
}

/// Whether a key can safely appear in a path: a short identifier, not free text that might be
/// personal data.
pub(crate) fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The issue for an error reading `json`: `json.syntax` with line and column for malformed text,
/// otherwise `json.missing_field`, `json.unknown_field` or `json.bad_value` at the value's path.
fn issue(json: &str, err: &serde_json::Error, locale: Locale) -> Issue {
    if err.classify() != serde_json::error::Category::Data {
        let (line, column) = (err.line().to_string(), err.column().to_string());
        return Issue::new(
            "json.syntax",
            "",
            locale,
            &[("line", &line), ("column", &column)],
        );
    }
    // An error raised after serde_json finished every value it was in has no position: it is
    // about the whole text.
    let place = match err.line() {
        0 => Place::default(),
        line => place_at(json, offset(json, line, err.column())),
    };
    let text = err.to_string();
    // An object given for an enum is read as `{"variant": ...}`: a variant that is not one is
    // the enum's own value, not a place inside it.
    let pointer = match place.key_of {
        Some(object) if text.starts_with("unknown variant") => object,
        _ => place.latest,
    };
    // serde's messages name our own fields in backticks; only identifiers go into the path.
    let quoted = text.split('`').nth(1).filter(|k| is_identifier(k));
    if text.starts_with("missing field") {
        let path = quoted.map(|k| pointer.key(k)).unwrap_or(pointer);
        Issue::new("json.missing_field", path, locale, &[])
    } else if text.starts_with("unknown field") {
        // The path already ends at the unknown key (when it is an identifier).
        Issue::new("json.unknown_field", pointer, locale, &[])
    } else {
        Issue::new("json.bad_value", pointer, locale, &[])
    }
}

/// The byte offset of serde_json's `line` (from 1) and `column` (bytes into the line).
fn offset(json: &str, line: usize, column: usize) -> usize {
    let start = match line {
        0 | 1 => 0,
        _ => json
            .match_indices('\n')
            .nth(line - 2)
            .map_or(json.len(), |(i, _)| i + 1),
    };
    (start + column).min(json.len())
}

/// Where reading stopped.
#[derive(Default)]
struct Place {
    /// The path of the value read or begun last.
    latest: Pointer,
    /// The object whose key was read last, when nothing was read after the key.
    key_of: Option<Pointer>,
}

/// Where reading `json` was at byte `offset`.
fn place_at(json: &str, offset: usize) -> Place {
    let Some(prefix) = json.get(..offset) else {
        return Place::default();
    };
    let walk = Walk {
        place: RefCell::new(Place::default()),
        // Reading stopped where an element was about to begin (a container where a scalar was
        // expected): that element, not the one before it (nor the list, when it is the first).
        element_begins: matches!(prefix.trim_end().as_bytes().last(), Some(b'[' | b','))
            && matches!(
                json.get(offset..)
                    .unwrap_or_default()
                    .trim_start()
                    .as_bytes()
                    .first(),
                Some(b'[' | b'{')
            ),
    };
    let mut de = serde_json::Deserializer::from_str(prefix);
    // The prefix ends where reading stopped: this reading always fails there, at its end.
    let _ = Locate {
        path: Pointer::root(),
        walk: &walk,
    }
    .deserialize(&mut de);
    walk.place.into_inner()
}

/// What [`place_at`] keeps as it reads.
struct Walk {
    place: RefCell<Place>,
    /// Whether the text ends just before an element of a list.
    element_begins: bool,
}

impl Walk {
    fn reached(&self, path: &Pointer) {
        self.place.replace(Place {
            latest: path.clone(),
            key_of: None,
        });
    }

    fn reached_key(&self, object: &Pointer, path: Pointer) {
        self.place.replace(Place {
            latest: path,
            key_of: Some(object.clone()),
        });
    }

    fn is_latest(&self, path: &Pointer) -> bool {
        self.place.borrow().latest == *path
    }
}

/// Reads any value at `path`, keeping [`Walk::latest`].
struct Locate<'a> {
    path: Pointer,
    walk: &'a Walk,
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let walk = self.walk;
        walk.reached(&self.path);
        let path = self.path.clone();
        deserializer.deserialize_any(self)?;
        walk.reached(&path);
        Ok(())
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = ();

    accept_json_scalars!();

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let element = Locate {
                path: self.path.index(index),
                walk: self.walk,
            };
            match seq.next_element_seed(element) {
                Ok(Some(())) => index += 1,
                Ok(None) => return Ok(()),
                Err(e) => {
                    let before = match index {
                        0 => self.path.clone(),
                        _ => self.path.index(index - 1),
                    };
                    if self.walk.element_begins && self.walk.is_latest(&before) {
                        self.walk.reached(&self.path.index(index));
                    }
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let path = match is_identifier(&key) {
                true => self.path.key(&key),
                false => self.path.clone(),
            };
            // The key is read: an unknown one, or a value that does not begin, is at its path.
            self.walk.reached_key(&self.path, path.clone());
            map.next_value_seed(Locate {
                path,
                walk: self.walk,
            })?;
        }
        Ok(())
    }
}
