//! RFC 8785 JSON Canonicalization Scheme (JCS), written straight from a serde value.
//!
//! `serde_json_canonicalizer` (the well-kept crate) is the test oracle for this module: a property
//! test checks that both produce the same bytes for arbitrary JSON, and `tests/rfc8785/` runs the
//! RFC's published input/output pairs and its ES6 number test vectors against it. This one exists
//! because verification must be fast (it canonicalises without re-parsing keys or boxing writers)
//! and because hashing needs a second mode: in [`Mode::Commitments`] a [sealed
//! value](super::Sealed) is written as its commitment alone, so that the personal value itself is
//! never hashed into the chain (see the erasure design in [`crate::history`]). A third,
//! [`Mode::Sealing`], writes an encrypted store's event bodies in the same pass: each sealed
//! value's salt and value are written as their own canonical object, handed to a [`Sealer`], and
//! replaced by the `sealed` member it answers (`crate::store::sql::crypt`), so that a body costs
//! one serialization, not a `serde_json::Value` tree built, rewritten and serialized again.
//!
//! What JCS needs and this writer does:
//! - object members sorted by the UTF-16 code units of their names;
//! - strings escaped as ECMAScript's `JSON.stringify` does: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
//!   `\t`, other controls as `\u00xx` (lowercase hex), everything else as UTF-8;
//! - numbers as ECMAScript's `Number.prototype.toString` prints them (RFC 8785 §3.2.2.3):
//!   `1500.5`, `1e+21`, `1e-7`, `-0` as `0`. Floating-point numbers are formatted by `ryu-js`,
//!   a port of Ryū (the shortest round-tripping digits, as ECMAScript requires) made to follow
//!   ECMAScript's layout rules exactly; it is what `serde_json_canonicalizer` uses too, and it
//!   passes the RFC's ES6 test vectors (`tests/rfc8785/`). Writing those rules by hand is where
//!   canonicalisers go wrong (exponent thresholds at 1e21 and 1e-7, the `+` sign).
//!
//! What it refuses, with a [`CanonError`] that never carries the value: NaN and the infinities
//! (JSON has no form for them), and integers beyond ±2^53. RFC 8785 §3.1 asks for I-JSON
//! (RFC 7493), whose numbers are IEEE 754 doubles: such an integer would be rounded on the way
//! (9007199254740993 would be hashed as 9007199254740992), so two different values would
//! share a hash. Validation reports those numbers before a case is opened
//! (`number.too_large`, [`crate::validation`]), so a record that validates always canonicalises.

use std::cmp::Ordering;
use std::fmt;
use std::io::Write as _;

use serde::Serialize;
use serde::ser::{self, Impossible};
use zeroize::Zeroizing;

/// The struct name [`super::Sealed`] serializes under; only this writer looks at it.
pub(crate) const SEALED: &str = "$siproc::Sealed";
/// The one member of a sealed value kept in the hashed form.
pub(crate) const COMMITMENT: &str = "commitment";
/// Largest integer magnitude JCS represents exactly (2^53).
const MAX_EXACT: u128 = 1 << 53;

/// The member a [`Sealer`]'s answer is written under, beside the commitment.
pub(crate) const SEALED_MEMBER: &str = "sealed";

/// How sealed values are written.
#[derive(Clone, Copy)]
pub(crate) enum Mode<'s> {
    /// Everything, as stored.
    Full,
    /// Sealed values as `{"commitment": ...}` only.
    Commitments,
    /// Sealed values as `{"commitment": ..., "sealed": ...}`: the sealer's text for the
    /// canonical JSON of their other members (`{"salt", "value"}`); a sealed value with no other
    /// member (erased) as `{"commitment": ...}`.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // only encrypted stores seal
    Sealing(&'s dyn Sealer),
}

/// Turns the canonical JSON of a sealed value's salt and value into the text stored in its
/// place ([`Mode::Sealing`]).
pub(crate) trait Sealer {
    /// The text stored for `plain`, bound to the sealed value's `commitment`.
    fn seal(&self, commitment: &str, plain: &[u8]) -> String;
}

/// Why a value has no canonical form. Never carries the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CanonError {
    /// NaN or an infinity.
    NonFinite,
    /// An integer beyond ±2^53.
    IntegerRange,
    /// A map key that is not a string.
    MapKey,
    /// A serializer refused the value.
    Custom,
}

impl fmt::Display for CanonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CanonError::NonFinite => "a number that is not finite",
            CanonError::IntegerRange => "an integer beyond 2^53",
            CanonError::MapKey => "a map key that is not a string",
            CanonError::Custom => "a value that cannot be serialized",
        })
    }
}

impl std::error::Error for CanonError {}

impl ser::Error for CanonError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        // The message may quote the value: drop it.
        CanonError::Custom
    }
}

/// Appends the canonical form of `value` to `out`.
pub(crate) fn write<T: Serialize + ?Sized>(
    value: &T,
    mode: Mode<'_>,
    out: &mut Vec<u8>,
) -> Result<(), CanonError> {
    let mut scratch = Scratch::default();
    value.serialize(&mut Canon {
        out,
        mode,
        scratch: &mut scratch,
    })
}

/// What the objects of one [`write`] share, so that an object costs no allocation of its own:
/// the members written so far by every open object, innermost last (each object owns the tail
/// from its `base`, and removes it when it closes), and the buffer a closing object's members
/// are copied to while they are put in order.
#[derive(Default)]
struct Scratch {
    entries: Vec<Entry>,
    body: Vec<u8>,
}

/// Compares member names by their UTF-16 code units, as RFC 8785 §3.2.3 asks.
pub(crate) fn key_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Writes `s` as a JSON string with JCS escaping.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_escaped(out, s);
    out.push(b'"');
}

/// Writes the escaped content of a JSON string, without quotes.
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most strings (hashes, codes, names, dates) need no escape: one branch-free pass over
    // them, which the compiler vectorises, then a plain copy.
    if !bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(crate::hex::digit(b >> 4));
            out.push(crate::hex::digit(b & 0xf));
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

/// Escapes text as it is formatted (for `collect_str`: timestamps, without an allocation).
struct Escaping<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_escaped(self.0, s);
        Ok(())
    }
}

struct Canon<'a> {
    out: &'a mut Vec<u8>,
    mode: Mode<'a>,
    scratch: &'a mut Scratch,
}

impl Canon<'_> {
    fn int(&mut self, v: i128) -> Result<(), CanonError> {
        if v.unsigned_abs() > MAX_EXACT {
            return Err(CanonError::IntegerRange);
        }
        // Writing to a Vec cannot fail.
        let _ = write!(self.out, "{v}");
        Ok(())
    }

    fn float(&mut self, v: f64) -> Result<(), CanonError> {
        if !v.is_finite() {
            return Err(CanonError::NonFinite);
        }
        self.out
            .extend_from_slice(ryu_js::Buffer::new().format_finite(v).as_bytes());
        Ok(())
    }

    fn object(&mut self, sealed: bool, wrappers: usize) -> Object<'_> {
        self.out.push(b'{');
        let start = self.out.len();
        let base = self.scratch.entries.len();
        let sealed = match (sealed, self.mode) {
            (false, _) | (true, Mode::Full) => Sealing::No,
            (true, Mode::Commitments) => Sealing::Reduced,
            (true, Mode::Sealing(sealer)) => Sealing::Encrypted {
                sealer,
                plain: Zeroizing::new(Vec::new()),
                commitment: None,
            },
        };
        Object {
            ser: Canon {
                out: self.out,
                mode: self.mode,
                scratch: self.scratch,
            },
            start,
            base,
            pending: None,
            sealed,
            wrappers,
        }
    }

    /// Opens `{"variant":` for the externally tagged enum representations.
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }
}

enum Key {
    Static(&'static str),
    Owned(String),
}

impl Key {
    fn as_str(&self) -> &str {
        match self {
            Key::Static(s) => s,
            Key::Owned(s) => s,
        }
    }
}

struct Entry {
    key: Key,
    start: usize,
    end: usize,
}

/// What becomes of a sealed value's members other than its commitment.
enum Sealing<'a> {
    /// Not a sealed value, or one written whole ([`Mode::Full`]).
    No,
    /// Left out ([`Mode::Commitments`]).
    Reduced,
    /// Written to `plain` (`"salt":…,"value":…`, in order), which `sealer` turns into the
    /// `sealed` member, bound to `commitment`, when the object closes ([`Mode::Sealing`]).
    /// Wiped when dropped.
    Encrypted {
        sealer: &'a dyn Sealer,
        plain: Zeroizing<Vec<u8>>,
        commitment: Option<String>,
    },
}

struct Object<'a> {
    ser: Canon<'a>,
    start: usize,
    /// Where this object's members start in [`Scratch::entries`].
    base: usize,
    pending: Option<(Key, usize)>,
    sealed: Sealing<'a>,
    /// Closing braces of enclosing variant wrappers to write after this object.
    wrappers: usize,
}

impl Object<'_> {
    fn begin_entry(&mut self, key: &str) -> usize {
        if self.ser.scratch.entries.len() > self.base || self.pending.is_some() {
            self.ser.out.push(b',');
        }
        let start = self.ser.out.len();
        write_str(self.ser.out, key);
        self.ser.out.push(b':');
        start
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: Key, value: &T) -> Result<(), CanonError> {
        if key.as_str() == COMMITMENT {
            if let Sealing::Encrypted { commitment, .. } = &mut self.sealed {
                *commitment = Some(value.serialize(MapKey)?);
            }
        } else {
            match &mut self.sealed {
                Sealing::No => {}
                Sealing::Reduced => return Ok(()),
                Sealing::Encrypted { plain, .. } => {
                    // A sealed value's members come in the order of its struct, which is
                    // JCS's order (`salt`, `value`); they hold no sealed value themselves.
                    let separator = if plain.is_empty() { b'{' } else { b',' };
                    plain.push(separator);
                    write_str(plain, key.as_str());
                    plain.push(b':');
                    return value.serialize(&mut Canon {
                        out: plain,
                        mode: Mode::Full,
                        scratch: self.ser.scratch,
                    });
                }
            }
        }
        let start = self.begin_entry(key.as_str());
        value.serialize(&mut Canon {
            out: self.ser.out,
            mode: self.ser.mode,
            scratch: self.ser.scratch,
        })?;
        let end = self.ser.out.len();
        self.ser.scratch.entries.push(Entry { key, start, end });
        Ok(())
    }

    /// Adds the `sealed` member of a sealed value being encrypted ([`Sealing::Encrypted`]).
    fn seal(&mut self) -> Result<(), CanonError> {
        let Sealing::Encrypted {
            sealer,
            plain,
            commitment,
        } = &mut self.sealed
        else {
            return Ok(());
        };
        if plain.is_empty() {
            return Ok(());
        }
        plain.push(b'}');
        let commitment = commitment.as_deref().ok_or(CanonError::Custom)?;
        let sealed = sealer.seal(commitment, plain);
        let start = self.begin_entry(SEALED_MEMBER);
        write_str(self.ser.out, &sealed);
        let end = self.ser.out.len();
        self.ser.scratch.entries.push(Entry {
            key: Key::Static(SEALED_MEMBER),
            start,
            end,
        });
        Ok(())
    }

    fn finish(mut self) -> Result<(), CanonError> {
        self.seal()?;
        let Object {
            ser,
            start,
            base,
            wrappers,
            ..
        } = self;
        let Scratch { entries, body } = ser.scratch;
        let members = entries.get_mut(base..).unwrap_or_default();
        let sorted = members.is_sorted_by(|a, b| key_cmp(a.key.as_str(), b.key.as_str()).is_lt());
        if !sorted {
            body.clear();
            body.extend_from_slice(ser.out.get(start..).unwrap_or_default());
            ser.out.truncate(start);
            members.sort_by(|a, b| key_cmp(a.key.as_str(), b.key.as_str()));
            for (i, e) in members.iter().enumerate() {
                if i > 0 {
                    ser.out.push(b',');
                }
                let part = body
                    .get(e.start - start..e.end - start)
                    .ok_or(CanonError::Custom)?;
                ser.out.extend_from_slice(part);
            }
        }
        entries.truncate(base);
        ser.out.push(b'}');
        for _ in 0..wrappers {
            ser.out.push(b'}');
        }
        Ok(())
    }
}

struct Array<'a> {
    ser: Canon<'a>,
    first: bool,
    wrappers: usize,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        if !self.first {
            self.ser.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut Canon {
            out: self.ser.out,
            mode: self.ser.mode,
            scratch: self.ser.scratch,
        })
    }

    fn finish(self) -> Result<(), CanonError> {
        self.ser.out.push(b']');
        for _ in 0..self.wrappers {
            self.ser.out.push(b'}');
        }
        Ok(())
    }
}

impl<'a, 'b> ser::Serializer for &'a mut Canon<'b> {
    type Ok = ();
    type Error = CanonError;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), CanonError> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<(), CanonError> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), CanonError> {
        self.int(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<(), CanonError> {
        i128::try_from(v)
            .map_err(|_| CanonError::IntegerRange)
            .and_then(|v| self.int(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), CanonError> {
        self.float(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), CanonError> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Result<(), CanonError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), CanonError> {
        write_str(self.out, v);
        Ok(())
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), CanonError> {
        self.out.push(b'"');
        fmt::write(&mut Escaping(self.out), format_args!("{value}"))
            .map_err(|_| CanonError::Custom)?;
        self.out.push(b'"');
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), CanonError> {
        // As serde_json does: an array of numbers.
        self.out.push(b'[');
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let _ = write!(self.out, "{b}");
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<(), CanonError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CanonError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), CanonError> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), CanonError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), CanonError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), CanonError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), CanonError> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a>, CanonError> {
        self.out.push(b'[');
        Ok(Array {
            ser: Canon {
                out: self.out,
                mode: self.mode,
                scratch: self.scratch,
            },
            first: true,
            wrappers: 0,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>, CanonError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Array<'a>, CanonError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'a>, CanonError> {
        self.open_variant(variant);
        self.out.push(b'[');
        Ok(Array {
            ser: Canon {
                out: self.out,
                mode: self.mode,
                scratch: self.scratch,
            },
            first: true,
            wrappers: 1,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, CanonError> {
        Ok(self.object(false, 0))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Object<'a>, CanonError> {
        Ok(self.object(name == SEALED, 0))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a>, CanonError> {
        self.open_variant(variant);
        Ok(self.object(false, 1))
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        self.element(value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        self.element(value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        self.element(value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Array<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        self.element(value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CanonError> {
        let key = key.serialize(MapKey)?;
        let start = self.begin_entry(&key);
        self.pending = Some((Key::Owned(key), start));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CanonError> {
        let (key, start) = self.pending.take().ok_or(CanonError::MapKey)?;
        value.serialize(&mut Canon {
            out: self.ser.out,
            mode: self.ser.mode,
            scratch: self.ser.scratch,
        })?;
        let end = self.ser.out.len();
        self.ser.scratch.entries.push(Entry { key, start, end });
        Ok(())
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CanonError> {
        self.field(Key::Static(key), value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = CanonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CanonError> {
        self.field(Key::Static(key), value)
    }
    fn end(self) -> Result<(), CanonError> {
        self.finish()
    }
}

/// Serializes a map key to the string it names; JSON keys are strings (integers are written as
/// their decimal text, as serde_json does).
struct MapKey;

macro_rules! key_as_text {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<String, CanonError> {
            Ok(v.to_string())
        })*
    };
}

macro_rules! key_refused {
    ($($method:ident($($arg:ty),*) -> $ret:ty),*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ret, CanonError> {
            Err(CanonError::MapKey)
        })*
    };
}

impl ser::Serializer for MapKey {
    type Ok = String;
    type Error = CanonError;
    type SerializeSeq = Impossible<String, CanonError>;
    type SerializeTuple = Impossible<String, CanonError>;
    type SerializeTupleStruct = Impossible<String, CanonError>;
    type SerializeTupleVariant = Impossible<String, CanonError>;
    type SerializeMap = Impossible<String, CanonError>;
    type SerializeStruct = Impossible<String, CanonError>;
    type SerializeStructVariant = Impossible<String, CanonError>;

    key_as_text!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_char: char, serialize_str: &str
    );

    key_refused!(
        serialize_bool(bool) -> String,
        serialize_f32(f32) -> String,
        serialize_f64(f64) -> String,
        serialize_bytes(&[u8]) -> String,
        serialize_none() -> String,
        serialize_unit() -> String,
        serialize_unit_struct(&'static str) -> String,
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, CanonError> {
        Err(CanonError::MapKey)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, CanonError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, CanonError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, CanonError> {
        Err(CanonError::MapKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn canon(v: &Value) -> String {
        let mut out = Vec::new();
        write(v, Mode::Full, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rfc8785_examples() {
        // Sorting by UTF-16 code units (RFC 8785 §3.2.3), including a supplementary character.
        let v: Value = serde_json::from_str(
            r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        assert_eq!(
            canon(&v),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(
            canon(
                &json!({"b": [1, true, null, "x\u{1f}\u{7f}"], "a": {"d": -0, "c": 9007199254740992_u64}})
            ),
            r#"{"a":{"c":9007199254740992,"d":0},"b":[1,true,null,"x\u001f"#.to_owned()
                + "\u{7f}\"]}"
        );
    }

    #[test]
    fn numbers_print_as_ecmascript_prints_them() {
        // RFC 8785 Appendix B's sample numbers and the layout thresholds.
        for (v, want) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1500.5, "1500.5"),
            (2.0, "2"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (5e-324, "5e-324"),
            (-5e-324, "-5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (9007199254740994.0, "9007199254740994"),
            (295147905179352830000.0, "295147905179352830000"),
            (333333333.3333333, "333333333.3333333"),
            (-0.0000033333333333333333, "-0.0000033333333333333333"),
            (0.000001, "0.000001"),
        ] {
            assert_eq!(canon(&json!(v)), want, "{v:e}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_print_exactly() {
        let mut out = Vec::new();
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(write(&v, Mode::Full, &mut out), Err(CanonError::NonFinite));
        }
        assert_eq!(
            write(&json!(9007199254740993_u64), Mode::Full, &mut out),
            Err(CanonError::IntegerRange)
        );
        assert_eq!(
            write(&-9007199254740993_i64, Mode::Full, &mut out),
            Err(CanonError::IntegerRange)
        );
        out.clear();
        write(&json!(9007199254740992_u64), Mode::Full, &mut out).unwrap();
        assert_eq!(out, b"9007199254740992");
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1_i64 << 53)..(1_i64 << 53)).prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x20\"\\\\a-zñ€😀\u{2028}]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    "[a-zA-Z0-9_\u{80}-\u{ff}€\u{fb33}😀]{0,6}",
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The well-kept crate is the oracle.
        #[test]
        fn agrees_with_serde_json_canonicalizer(v in arb_json()) {
            let ours = canon(&v);
            let theirs = serde_json_canonicalizer::to_string(&v).unwrap();
            prop_assert_eq!(ours, theirs);
        }

        /// Sealing writes what the full form holds, each sealed value's salt and value as the
        /// canonical JSON of the two: here a sealer that answers that text itself.
        #[test]
        fn sealing_hands_over_the_canonical_salt_and_value(
            v in arb_json(),
            other in arb_json(),
            erased in any::<bool>(),
        ) {
            let mut sealed = super::super::Sealed::with_salt(v.clone(), [7; 16]).unwrap();
            if erased {
                sealed.salt = None;
                sealed.value = None;
            }
            let record = Record { z: other.clone(), person: sealed.clone(), list: vec![sealed.clone()] };
            let mut out = Vec::new();
            write(&record, Mode::Sealing(&Verbatim), &mut out).unwrap();
            let stored: Value = serde_json::from_slice(&out).unwrap();
            let expected_plain = (!erased).then(|| canon(&json!({"salt": sealed.salt, "value": v})));
            for place in [&stored["person"], &stored["list"][0]] {
                let mut members = place.as_object().unwrap().clone();
                prop_assert_eq!(members.remove("commitment"), Some(json!(sealed.commitment)));
                let plain = members.remove(SEALED_MEMBER).map(|p| p.as_str().unwrap().to_owned());
                prop_assert_eq!(&plain, &expected_plain);
                prop_assert!(members.is_empty());
            }
            prop_assert_eq!(&stored["z"], &serde_json::from_str::<Value>(&canon(&other)).unwrap());
        }
    }

    /// A record holding sealed values (typed: [`Mode::Sealing`] knows them by their type).
    #[derive(Serialize)]
    struct Record {
        z: Value,
        person: super::super::Sealed<Value>,
        list: Vec<super::super::Sealed<Value>>,
    }

    /// A sealer answering the text it is given (what is sealed, made visible).
    struct Verbatim;

    impl Sealer for Verbatim {
        fn seal(&self, commitment: &str, plain: &[u8]) -> String {
            assert_eq!(commitment.len(), 64);
            String::from_utf8(plain.to_vec()).unwrap()
        }
    }
}
