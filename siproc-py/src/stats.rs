//! Statistics: the full tables for staff (`statistics`) and the disclosure-controlled release
//! (`release`, `release_csv`). Every count, every suppression and the release's JSON shape are
//! the core's (`siproc_core::stats`); this module only converts.

use chrono::NaiveDate;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use siproc_core::stats::{self, Parameters, StatsError};

use crate::cases::{instant, store_of};
use crate::convert::{self, to_python};
use crate::{catalog_of, errors};

/// A day: `None`, a `datetime.date` or ISO 8601 text (`YYYY-MM-DD`).
fn day(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<NaiveDate>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let iso = if let Ok(s) = obj.cast::<PyString>() {
        convert::text(s)
    } else if obj.hasattr("isoformat")? && !convert::is_datetime(obj)? {
        obj.call_method0("isoformat")?
            .cast::<PyString>()
            .map(convert::text)
            .unwrap_or_default()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a datetime.date or YYYY-MM-DD text"
        )));
    };
    iso.parse()
        .map(Some)
        .map_err(|_| PyValueError::new_err(format!("{what} must be a date as YYYY-MM-DD")))
}

fn stats_error(e: &StatsError) -> PyErr {
    match e {
        StatsError::Store(s) => errors::store(s),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// The parameters of a call, and the catalog.
fn parameters(
    catalog: Option<&Bound<'_, PyAny>>,
    date_from: Option<&Bound<'_, PyAny>>,
    date_to: Option<&Bound<'_, PyAny>>,
    as_of: Option<&Bound<'_, PyAny>>,
) -> PyResult<(std::sync::Arc<siproc_core::Catalog>, Parameters)> {
    let catalog = catalog_of(catalog)?;
    let parameters = Parameters {
        catalog: catalog.pack.id.clone(),
        from: day(date_from, "date_from")?,
        to: day(date_to, "date_to")?,
        as_of: instant(as_of, "as_of")?,
    };
    Ok((catalog, parameters))
}

/// The full statistics of `store`, for staff: `{table name: [row, …]}`, each row a dict of the
/// dimension values and `count` (duration tables add `median` and `p90`), ready for
/// `pandas.DataFrame(rows)`.
#[pyfunction]
#[pyo3(signature = (store, *, catalog = None, date_from = None, date_to = None, as_of = None))]
fn statistics<'py>(
    py: Python<'py>,
    store: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    date_from: Option<&Bound<'py, PyAny>>,
    date_to: Option<&Bound<'py, PyAny>>,
    as_of: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let store = store_of(store)?;
    let (catalog, parameters) = parameters(catalog, date_from, date_to, as_of)?;
    let result = py
        .detach(|| stats::statistics(store.as_ref(), &catalog, parameters))
        .map_err(|e| stats_error(&e))?;
    let out = PyDict::new(py);
    for table in &result.tables {
        let rows = PyList::empty(py);
        for cell in &table.cells {
            let value = serde_json::to_value(cell).map_err(|_| errors::internal())?;
            rows.append(to_python(py, &value)?)?;
        }
        out.set_item(&table.name, rows)?;
    }
    Ok(out)
}

fn release_of(
    py: Python<'_>,
    store: &Bound<'_, PyAny>,
    k: Option<u64>,
    catalog: Option<&Bound<'_, PyAny>>,
    date_from: Option<&Bound<'_, PyAny>>,
    date_to: Option<&Bound<'_, PyAny>>,
    as_of: Option<&Bound<'_, PyAny>>,
) -> PyResult<stats::Release> {
    let store = store_of(store)?;
    let (catalog, parameters) = parameters(catalog, date_from, date_to, as_of)?;
    py.detach(|| stats::release(store.as_ref(), &catalog, parameters, k))
        .map_err(|e| stats_error(&e))
}

/// The disclosure-controlled release of `store` as a dict in the release's JSON shape
/// (`{"k", "parameters", "tables": [{"name", "dimensions", "cells", "totals"}]}`). `k` is the
/// pack's (10 by default) when not given.
#[pyfunction]
#[pyo3(signature = (store, k = None, *, catalog = None, date_from = None, date_to = None, as_of = None))]
fn release<'py>(
    py: Python<'py>,
    store: &Bound<'py, PyAny>,
    k: Option<u64>,
    catalog: Option<&Bound<'py, PyAny>>,
    date_from: Option<&Bound<'py, PyAny>>,
    date_to: Option<&Bound<'py, PyAny>>,
    as_of: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let release = release_of(py, store, k, catalog, date_from, date_to, as_of)?;
    let value = serde_json::to_value(&release).map_err(|_| errors::internal())?;
    to_python(py, &value)
}

/// The same release as CSV text.
#[pyfunction]
#[pyo3(signature = (store, k = None, *, catalog = None, date_from = None, date_to = None, as_of = None))]
fn release_csv(
    py: Python<'_>,
    store: &Bound<'_, PyAny>,
    k: Option<u64>,
    catalog: Option<&Bound<'_, PyAny>>,
    date_from: Option<&Bound<'_, PyAny>>,
    date_to: Option<&Bound<'_, PyAny>>,
    as_of: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    Ok(release_of(py, store, k, catalog, date_from, date_to, as_of)?.to_csv())
}

/// Adds the statistics functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(statistics, m)?)?;
    m.add_function(wrap_pyfunction!(release, m)?)?;
    m.add_function(wrap_pyfunction!(release_csv, m)?)?;
    Ok(())
}
