//! Conversions between Python objects and JSON values.
//!
//! Records arrive as plain Python data: dicts, lists and tuples, strings, numbers, booleans,
//! `None`, and `datetime.date` for dates. They become `serde_json::Value`s, which the core reads.
//! Nothing here decides whether a record is valid: a value the core cannot read is turned into
//! one it will report at the right path. Every input is held to the core's limits
//! (`siproc_core::limits`): past one, `siproc.MalformedError` with code `siproc.too_large`.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};
use siproc_core::Misuse;
use siproc_core::limits::{Limit, Limits};

use crate::errors;

/// The limits of every face.
const LIMITS: Limits = Limits::DEFAULT;

/// The key given to a dict key that is not a string. It is not an identifier, so the core never
/// puts it in a path, and it is not a field of the format, so the core reports the entry.
const NON_STRING_KEY: &str = "(non-string key)";

/// What a value the core cannot read becomes: an object, which no string, number or date field
/// accepts, so the core reports `json.bad_value` (or `fact.wrong_type`) at its path.
fn unsupported() -> Value {
    let mut map = Map::new();
    map.insert("(unsupported value)".to_owned(), Value::Null);
    Value::Object(map)
}

/// The `datetime.date` and `datetime.datetime` types, looked up once.
fn date_types(py: Python<'_>) -> PyResult<&(Py<PyType>, Py<PyType>)> {
    static TYPES: PyOnceLock<(Py<PyType>, Py<PyType>)> = PyOnceLock::new();
    TYPES.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        let date = module.getattr("date")?.cast_into::<PyType>()?.unbind();
        let datetime = module.getattr("datetime")?.cast_into::<PyType>()?.unbind();
        Ok((date, datetime))
    })
}

/// Whether `obj` is a `datetime.datetime`.
pub fn is_datetime(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (_, datetime) = date_types(obj.py())?;
    obj.is_instance(datetime.bind(obj.py()))
}

/// A Python string as Rust text; lone surrogates (which UTF-8 cannot hold) become U+FFFD.
pub fn text(s: &Bound<'_, PyString>) -> String {
    match s.to_cow() {
        Ok(t) => t.into_owned(),
        Err(_) => s.to_string_lossy().into_owned(),
    }
}

/// Converts a Python object to JSON.
///
/// - `dict` → object (keys that are not strings get a placeholder key), `list`/`tuple` → array;
/// - `str` → string, `bool` → boolean, `int` → number (beyond 64 bits: a float), `None` → null;
/// - `float` → number; NaN (a blank cell in pandas) → null, infinities are unsupported;
/// - `datetime.date` → `YYYY-MM-DD`; a `datetime.datetime` at midnight without a time zone
///   (a pandas `Timestamp` of a date column) → `YYYY-MM-DD`, any other → its ISO 8601 text;
/// - anything else → a value the core reports as malformed.
///
/// Errors when Python itself fails (for instance a dict changed while it is read), and with
/// `siproc.too_large` past the core's limits: nesting (a list that contains itself too), strings,
/// lists.
pub fn to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let value = to_json_at(obj, 0)?;
    within(LIMITS.check_value(&value))?;
    Ok(value)
}

/// The core's verdict on an input's size, as Python's.
pub fn within(verdict: Result<(), Limit>) -> PyResult<()> {
    verdict.map_err(|limit| errors::misuse(Misuse::from(limit)))
}

fn to_json_at(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    // Checked while converting, so that a list containing itself stops at the limit.
    if depth >= LIMITS.depth {
        return Err(errors::misuse(Misuse::TooLarge(Limit::Depth)));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(text(s)));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => text(s),
                Err(_) => NON_STRING_KEY.to_owned(),
            };
            map.insert(key, to_json_at(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for item in list.iter() {
            out.push(to_json_at(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        let f: f64 = obj.extract().unwrap_or(f64::INFINITY);
        return Ok(Number::from_f64(f).map_or_else(unsupported, Value::Number));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let f = f.value();
        if f.is_nan() {
            return Ok(Value::Null);
        }
        return Ok(Number::from_f64(f).map_or_else(unsupported, Value::Number));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(tuple.len());
        for item in tuple.iter() {
            out.push(to_json_at(&item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    let (date, datetime) = date_types(obj.py())?;
    if obj.is_instance(datetime.bind(obj.py()))? {
        let iso = iso_text(obj)?;
        let midnight = obj.getattr("tzinfo")?.is_none() && iso.ends_with("T00:00:00");
        return Ok(Value::String(match (midnight, iso.get(..10)) {
            (true, Some(day)) => day.to_owned(),
            _ => iso,
        }));
    }
    if obj.is_instance(date.bind(obj.py()))? {
        return Ok(Value::String(iso_text(obj)?));
    }
    Ok(unsupported())
}

/// `obj.isoformat()`, or an empty text when it does not give a string.
fn iso_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let iso = obj.call_method0("isoformat")?;
    Ok(iso.cast::<PyString>().map(text).unwrap_or_default())
}

/// Converts JSON to Python: objects → dicts, arrays → lists, numbers → int or float.
///
/// A key that recurs (a report's `"code"`, `"path"`, … on every entry) is made into a Python
/// string once and shared by every dict that has it: the dicts then also find it by its cached
/// hash.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    to_python_with(py, value, &mut HashMap::new())
}

fn to_python_with<'py, 'v>(
    py: Python<'py>,
    value: &'v Value,
    keys: &mut HashMap<&'v str, Bound<'py, PyString>>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python_with(py, item, keys)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let key = keys
                    .entry(k.as_str())
                    .or_insert_with(|| PyString::new(py, k))
                    .clone();
                dict.set_item(key, to_python_with(py, v, keys)?)?;
            }
            dict.into_any()
        }
    })
}

/// What a record given to `validate` is.
pub enum Record {
    /// A JSON value converted from Python data.
    Value(Value),
    /// JSON text (from a `str`).
    Text(String),
    /// JSON bytes (from `bytes` or `bytearray`), not yet known to be UTF-8.
    Bytes(Vec<u8>),
}

/// Reads one record: `str`, `bytes` and `bytearray` are JSON text, anything else Python data.
pub fn record(obj: &Bound<'_, PyAny>) -> PyResult<Record> {
    if let Ok(s) = obj.cast::<PyString>() {
        let t = text(s);
        within(LIMITS.check_json(t.as_bytes()))?;
        return Ok(Record::Text(t));
    }
    let bytes = if let Ok(b) = obj.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        b.to_vec()
    } else {
        return Ok(Record::Value(to_json(obj)?));
    };
    within(LIMITS.check_json(&bytes))?;
    Ok(Record::Bytes(bytes))
}

/// A string argument (a document number, a field's value) within the core's string limit.
pub fn argument(s: &str) -> PyResult<&str> {
    within(LIMITS.check_string(s.len()))?;
    Ok(s)
}

/// The bytes of JSON Lines input (`bytes`, `bytearray` or `str`), or `None` for other objects.
pub fn json_lines(obj: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Some(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Some(b.to_vec());
    }
    obj.cast::<PyString>().ok().map(|s| text(s).into_bytes())
}

/// Splits JSON Lines: one record per line; a final newline does not start another record. Each
/// line is a record held to the core's limits, and so is their number.
pub fn lines(data: &[u8]) -> PyResult<Vec<&[u8]>> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    within(LIMITS.check_batch(lines.len()))?;
    for line in &lines {
        within(LIMITS.check_json(line))?;
    }
    Ok(lines)
}
