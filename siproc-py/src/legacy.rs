//! Legacy import (`siproc_core::legacy`): converting a spreadsheet log's rows and importing
//! them into a store. Conversion only: rows arrive as dicts keyed by the log's column names
//! (`csv.DictReader`'s rows), reports leave as dicts; every decision is the core's.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use serde::Deserialize;
use serde::de::value::{Error as DeError, MapDeserializer};
use serde_json::json;
use siproc_core::legacy::{self, ImportOptions, LegacyMap, LegacyRow};
use siproc_core::{Catalog, CatalogError};

use crate::cases::{actor_of, instant, store_of};
use crate::convert::{text, to_json, to_python};
use crate::errors;
use crate::{PyDuplicatePair, catalog_of, locale};

/// A row: a dict keyed by column names (the core's [`LegacyRow`] names them). Missing columns
/// and `None` are blank; other values are read as their text (`str()`), as a spreadsheet shows
/// them; columns the core does not know are ignored.
fn row_of(obj: &Bound<'_, PyAny>) -> PyResult<LegacyRow> {
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("a legacy row must be a dict keyed by column names"))?;
    let mut cells: Vec<(String, String)> = Vec::with_capacity(dict.len());
    for (column, value) in dict.iter() {
        let Ok(column) = column.cast::<PyString>() else {
            continue;
        };
        let cell = if let Ok(s) = value.cast::<PyString>() {
            text(s)
        } else if value.is_none() {
            String::new()
        } else {
            text(&value.str()?)
        };
        cells.push((text(column), cell));
    }
    // Straight into the core's type through its own column names (serde's map deserializer),
    // without building a JSON object first.
    LegacyRow::deserialize(MapDeserializer::<_, DeError>::new(cells.into_iter()))
        .map_err(|_| errors::internal())
}

/// The pack's legacy tables, extended by `mapping` (a dict in the format of the pack's
/// `legacy.json`, or `None`).
fn map_of(catalog: &Catalog, mapping: Option<&Bound<'_, PyAny>>) -> PyResult<LegacyMap> {
    let builtin = LegacyMap::builtin(&catalog.pack.id);
    let extra = match mapping.filter(|m| !m.is_none()) {
        None => None,
        Some(m) if m.cast::<PyDict>().is_ok() => {
            let mut value = to_json(m)?;
            // An extension may leave out the base's required entries.
            if let (Some(base), Some(obj)) = (&builtin, value.as_object_mut()) {
                for key in ["national_id", "passport", "phone_country", "incomplete"] {
                    if !obj.contains_key(key) {
                        let base = serde_json::to_value(base).map_err(|_| errors::internal())?;
                        obj.insert(key.to_owned(), base.get(key).cloned().unwrap_or_default());
                    }
                }
            }
            Some(
                LegacyMap::from_json(&value.to_string(), catalog)
                    .map_err(|e: CatalogError| crate::catalog_error(&e))?,
            )
        }
        Some(_) => return Err(PyTypeError::new_err("mapping must be a dict or None")),
    };
    match (builtin, extra) {
        (Some(mut base), Some(extra)) => {
            base.extend(extra);
            Ok(base)
        }
        (Some(base), None) => Ok(base),
        (None, Some(extra)) => Ok(extra),
        (None, None) => Err(PyValueError::new_err(
            "this pack has no legacy tables: pass mapping= in the format of packs/hn/legacy.json",
        )),
    }
}

/// Converts one row of a legacy log; returns `{"held_back", "intake", "issues", "follow_ups",
/// "mappings"}` (`intake` is `None` for a blank row).
#[pyfunction]
#[pyo3(signature = (row, *, catalog = None, mapping = None, today = None, locale = "es"))]
pub fn convert_legacy<'py>(
    py: Python<'py>,
    row: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    mapping: Option<&Bound<'py, PyAny>>,
    today: Option<&Bound<'py, PyAny>>,
    locale: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let catalog = catalog_of(catalog)?;
    let map = map_of(&catalog, mapping)?;
    let (row, locale) = (row_of(row)?, self::locale(locale)?);
    let today = instant(today, "today")?.date_naive();
    let c = legacy::convert(&row, &catalog, &map, locale, today);
    let mappings: Vec<String> = c.mappings.iter().map(ToString::to_string).collect();
    let intake = c.ready.as_ref().map(|r| r.intake()).or(c.intake.as_ref());
    to_python(
        py,
        &json!({
            "held_back": c.is_held_back(),
            "intake": intake,
            "issues": c.issues,
            "follow_ups": c.follow_ups,
            "mappings": mappings,
        }),
    )
}

/// Imports `rows` (`(row number, row dict)` pairs) from `source` into `store`; returns
/// `{"rows": [...], "mappings": {...}}` (see `siproc_core::legacy`).
#[pyfunction]
#[pyo3(signature = (rows, *, source, store, actor, catalog = None, mapping = None, now = None,
                    locale = "es", dry_run = false))]
#[allow(clippy::too_many_arguments)]
pub fn import_legacy<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    source: &str,
    store: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    mapping: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    locale: &str,
    dry_run: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let catalog = catalog_of(catalog)?;
    let map = map_of(&catalog, mapping)?;
    let (actor, now, locale) = (
        actor_of(actor)?,
        instant(now, "now")?,
        self::locale(locale)?,
    );
    let store = store_of(store)?;
    let mut parsed = Vec::new();
    for item in rows.try_iter()? {
        let item = item?;
        let pair = item
            .cast::<PyTuple>()
            .map_err(|_| PyTypeError::new_err("rows must hold (row number, row dict) pairs"))?;
        if pair.len() != 2 {
            return Err(PyTypeError::new_err(
                "rows must hold (row number, row dict) pairs",
            ));
        }
        let number: u64 = pair
            .get_item(0)?
            .extract()
            .map_err(|_| PyValueError::new_err("a row number must be a non-negative int"))?;
        parsed.push((number, row_of(&pair.get_item(1)?)?));
    }
    let options = ImportOptions {
        source,
        actor: &actor,
        now,
        locale,
        dry_run,
    };
    let report = py.detach(|| legacy::import(&*store, &catalog, &map, &parsed, &options));
    to_python(
        py,
        &serde_json::to_value(&report).map_err(|_| errors::internal())?,
    )
}

/// Candidate duplicates among `rows` (`(row number, row dict)` pairs, or row dicts) as
/// `DuplicatePair`s whose `a` and `b` index `rows`.
#[pyfunction]
#[pyo3(signature = (rows, *, catalog = None, mapping = None, today = None))]
pub fn find_legacy_duplicates(
    py: Python<'_>,
    rows: &Bound<'_, PyAny>,
    catalog: Option<&Bound<'_, PyAny>>,
    mapping: Option<&Bound<'_, PyAny>>,
    today: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyDuplicatePair>> {
    let catalog = catalog_of(catalog)?;
    let map = map_of(&catalog, mapping)?;
    let today = instant(today, "today")?.date_naive();
    let mut parsed = Vec::new();
    for item in rows.try_iter()? {
        let item = item?;
        let row = match item.cast::<PyTuple>() {
            Ok(pair) if pair.len() == 2 => pair.get_item(1)?,
            _ => item,
        };
        parsed.push(row_of(&row)?);
    }
    let pairs = py.detach(|| legacy::find_duplicates(&parsed, &catalog, &map, today));
    Ok(pairs.into_iter().map(PyDuplicatePair).collect())
}

/// Registers the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(find_legacy_duplicates, m)?)?;
    m.add_function(wrap_pyfunction!(convert_legacy, m)?)?;
    m.add_function(wrap_pyfunction!(import_legacy, m)?)?;
    Ok(())
}
