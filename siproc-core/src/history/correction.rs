//! Corrections: reading and setting a value of a case's correctable fields by JSON Pointer
//! (the payload of `facts_corrected`).

use serde::Serialize;
use serde_json::Value;

use crate::case::Case;

/// Why a correction cannot be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CorrectionError {
    /// The path does not name a correctable field.
    NotCorrectable,
    /// The value does not have the field's type.
    BadValue,
}

/// The top-level fields a correction may change.
pub const CORRECTABLE: &[&str] = &["persons", "facts", "flags", "priority", "opened_on"];

fn segments(path: &str) -> Result<Vec<String>, CorrectionError> {
    let rest = path
        .strip_prefix('/')
        .ok_or(CorrectionError::NotCorrectable)?;
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// The value at `path` in the case's correctable fields (`null` when absent).
pub(crate) fn value_at(case: &Case, path: &str) -> Result<Value, CorrectionError> {
    let segs = segments(path)?;
    let (head, rest) = segs.split_first().ok_or(CorrectionError::NotCorrectable)?;
    let whole = match head.as_str() {
        "persons" => serde_json::to_value(&case.persons),
        "facts" => serde_json::to_value(&case.facts),
        "flags" => serde_json::to_value(&case.flags),
        "priority" => serde_json::to_value(case.priority),
        "opened_on" => serde_json::to_value(case.opened_on),
        _ => return Err(CorrectionError::NotCorrectable),
    }
    .map_err(|_| CorrectionError::BadValue)?;
    let mut at = &whole;
    for seg in rest {
        let next = match at {
            Value::Object(m) => m.get(seg.as_str()),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Ok(Value::Null),
        }
    }
    Ok(at.clone())
}

/// Sets the value at `path` in the case's correctable fields. `null` removes an object member
/// (a fact, an optional field); an index equal to an array's length (or `-`) appends.
pub(crate) fn apply_correction(
    case: &mut Case,
    path: &str,
    value: &Value,
) -> Result<(), CorrectionError> {
    let segs = segments(path)?;
    let (head, rest) = segs.split_first().ok_or(CorrectionError::NotCorrectable)?;
    fn set<T: Serialize + serde::de::DeserializeOwned>(
        target: &mut T,
        rest: &[String],
        value: &Value,
    ) -> Result<(), CorrectionError> {
        let mut whole = serde_json::to_value(&*target).map_err(|_| CorrectionError::BadValue)?;
        set_in(&mut whole, rest, value)?;
        *target = serde_json::from_value(whole).map_err(|_| CorrectionError::BadValue)?;
        Ok(())
    }
    match head.as_str() {
        "persons" if !rest.is_empty() => set(&mut case.persons, rest, value),
        "facts" if rest.len() == 1 => set(&mut case.facts, rest, value),
        "flags" | "priority" | "opened_on" if rest.is_empty() => match head.as_str() {
            "flags" => set(&mut case.flags, rest, value),
            "priority" => set(&mut case.priority, rest, value),
            _ => set(&mut case.opened_on, rest, value),
        },
        _ => Err(CorrectionError::NotCorrectable),
    }
}

fn set_in(target: &mut Value, path: &[String], value: &Value) -> Result<(), CorrectionError> {
    let Some((seg, rest)) = path.split_first() else {
        *target = value.clone();
        return Ok(());
    };
    match target {
        Value::Object(m) => {
            if rest.is_empty() && value.is_null() {
                m.remove(seg.as_str());
                return Ok(());
            }
            let slot = m.entry(seg.clone()).or_insert(Value::Null);
            set_in(slot, rest, value)
        }
        Value::Array(a) => {
            let index = if seg == "-" {
                a.len()
            } else {
                seg.parse::<usize>()
                    .map_err(|_| CorrectionError::NotCorrectable)?
            };
            if index == a.len() && rest.is_empty() {
                a.push(value.clone());
                return Ok(());
            }
            let slot = a.get_mut(index).ok_or(CorrectionError::NotCorrectable)?;
            set_in(slot, rest, value)
        }
        _ => Err(CorrectionError::NotCorrectable),
    }
}
