//! Legacy import (`siproc_core::legacy`): reading a spreadsheet log, converting its rows and
//! importing them into a store. Conversion only: rows arrive as dicts keyed by the log's column
//! names (`csv.DictReader`'s rows) or as a `LegacyLog` the core read (`read_legacy_log`, which
//! stays in Rust until a row is asked for), reports leave as dicts; every decision is the
//! core's. Reports are serialised straight into Python objects by `pythonize` (serde into
//! PyO3 objects, by PyO3's maintainer), not through a `serde_json::Value`: an import's report
//! has an entry per row.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PySlice, PyString, PyTuple};
use serde::Deserialize;
use serde::de::value::{Error as DeError, MapDeserializer};
use siproc_core::legacy::{self, COLUMNS, FILES_COLUMN, ImportOptions, LegacyMap, LegacyRow};
use siproc_core::{Catalog, CatalogError};

use crate::cases::{actor_of, instant, store_of};
use crate::convert::{text, to_json};
use crate::errors;
use crate::{PyDuplicatePair, catalog_of, locale};

/// The rows of a legacy log read by the core (`read_legacy_log`): a sequence of
/// `(row number, row dict)` pairs numbered as the spreadsheet numbers them (the header is row
/// 1), as `enumerate(csv.reader(f), start=2)` numbers them. Slicing gives a `LegacyLog` of
/// the same rows without copying them; `import_legacy` and `find_legacy_duplicates` read it
/// without converting a row to Python.
#[pyclass(frozen, module = "siproc", name = "LegacyLog", sequence)]
pub struct PyLegacyLog {
    rows: Arc<[(u64, LegacyRow)]>,
    start: usize,
    end: usize,
}

impl PyLegacyLog {
    fn rows(&self) -> &[(u64, LegacyRow)] {
        self.rows.get(self.start..self.end).unwrap_or_default()
    }
}

#[pymethods]
impl PyLegacyLog {
    fn __len__(&self) -> usize {
        self.end - self.start
    }

    /// `log[i]`: the `(row number, row dict)` pair (the dict has the documented columns);
    /// `log[a:b]`: a `LegacyLog` of those rows (steps other than 1 are refused).
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let len = self.__len__();
        if let Ok(slice) = index.cast::<PySlice>() {
            let part = slice.indices(len as isize)?;
            if part.step != 1 {
                return Err(PyValueError::new_err("a LegacyLog slices with step 1 only"));
            }
            let (start, stop) = (part.start as usize, part.stop.max(part.start) as usize);
            let log = PyLegacyLog {
                rows: Arc::clone(&self.rows),
                start: self.start + start,
                end: self.start + stop,
            };
            return Ok(Bound::new(py, log)?.into_any());
        }
        let i: isize = index
            .extract()
            .map_err(|_| PyTypeError::new_err("LegacyLog indices must be integers or slices"))?;
        let i = if i < 0 { i + len as isize } else { i };
        let (number, row) = usize::try_from(i)
            .ok()
            .and_then(|i| self.rows().get(i))
            .ok_or_else(|| PyIndexError::new_err("LegacyLog index out of range"))?;
        let dict = PyDict::new(py);
        for (column, cell) in COLUMNS.iter().zip(row.cells()) {
            dict.set_item(column, cell)?;
        }
        // The optional column naming the row's files, when the log has it.
        if !row.files.is_empty() {
            dict.set_item(FILES_COLUMN, &row.files)?;
        }
        Ok((number, dict).into_pyobject(py)?.into_any())
    }

    fn __repr__(&self) -> String {
        format!("LegacyLog({} rows)", self.__len__())
    }
}

/// Reads a legacy log (a spreadsheet exported as CSV, UTF-8, with a header row naming the
/// documented columns); raises `MalformedError` with code `legacy.missing_columns`,
/// `legacy.not_utf8` or `legacy.malformed_csv`, naming columns and rows, never a cell.
#[pyfunction]
pub fn read_legacy_log(py: Python<'_>, path: PathBuf) -> PyResult<PyLegacyLog> {
    let bytes = py.detach(|| std::fs::read(&path))?;
    let rows = py
        .detach(|| legacy::read_log(&bytes))
        .map_err(|e| errors::malformed(e.code(), &e.to_string(), ""))?;
    Ok(PyLegacyLog {
        end: rows.len(),
        rows: rows.into(),
        start: 0,
    })
}

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
    crate::cases::to_py(
        py,
        &Converted {
            held_back: c.is_held_back(),
            intake,
            issues: &c.issues,
            follow_ups: &c.follow_ups,
            mappings,
        },
    )
}

/// What `convert_legacy_row` answers for one row.
#[derive(serde::Serialize)]
struct Converted<'a, I, F, N> {
    held_back: bool,
    intake: Option<&'a siproc_core::Intake>,
    issues: &'a I,
    follow_ups: &'a F,
    mappings: N,
}

/// Imports `rows` (`(row number, row dict)` pairs) from `source` into `store`; returns
/// `{"rows": [...], "mappings": {...}}` (see `siproc_core::legacy`). With `files` (the log's
/// folder), the files each row names in its `Archivos` column (relative to that folder) are
/// attached to its case and kept in the store's blob storage
/// (`siproc_core::legacy::import_with_files`); a missing one is the row's warning
/// `legacy.file_missing`, a refused one `legacy.file_refused`.
#[pyfunction]
#[pyo3(signature = (rows, *, source, store, actor, catalog = None, mapping = None, now = None,
                    locale = "es", dry_run = false, files = None))]
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
    files: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let catalog = catalog_of(catalog)?;
    let map = map_of(&catalog, mapping)?;
    let (actor, now, locale) = (
        actor_of(actor)?,
        instant(now, "now")?,
        self::locale(locale)?,
    );
    let blobs = match files {
        Some(dir) => Some((dir, crate::cases::files_of(store)?)),
        None => None,
    };
    let store = store_of(store)?;
    let limits = siproc_core::attachments::Limits::default();
    let run = |rows: &[(u64, LegacyRow)], options: &ImportOptions<'_>| match &blobs {
        Some((dir, blobs)) => {
            let files = legacy::LogFiles {
                dir,
                blobs: &**blobs,
                limits: &limits,
            };
            legacy::import_with_files(&*store, &catalog, &map, rows, options, &files)
        }
        None => legacy::import(&*store, &catalog, &map, rows, options),
    };
    let options = ImportOptions {
        source,
        actor: &actor,
        now,
        locale,
        dry_run,
    };
    if let Ok(log) = rows.cast::<PyLegacyLog>() {
        let log = log.get();
        let report = py.detach(|| run(log.rows(), &options));
        return report_to_python(py, &report);
    }
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
    let report = py.detach(|| run(&parsed, &options));
    report_to_python(py, &report)
}

/// `pythonize`'s types with dicts keyed by interned strings: every entry of a report has the
/// same few keys, and each dict then shares them instead of holding copies
/// (a fifth of a large report's memory).
struct InternedKeys;

impl pythonize::PythonizeTypes for InternedKeys {
    type Map = InternedKeys;
    type NamedMap = pythonize::PythonizeUnnamedMappingAdapter<InternedKeys>;
    type List = pyo3::types::PyList;
}

impl pythonize::PythonizeMappingType for InternedKeys {
    type Builder<'py> = Bound<'py, PyDict>;

    fn builder<'py>(py: Python<'py>, _len: Option<usize>) -> PyResult<Self::Builder<'py>> {
        Ok(PyDict::new(py))
    }

    fn push_item<'py>(
        builder: &mut Self::Builder<'py>,
        key: Bound<'py, PyAny>,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        match key.cast::<PyString>() {
            Ok(name) => builder.set_item(PyString::intern(builder.py(), &name.to_cow()?), value),
            Err(_) => builder.set_item(key, value),
        }
    }

    fn finish<'py>(builder: Self::Builder<'py>) -> PyResult<Bound<'py, pyo3::types::PyMapping>> {
        Ok(builder.into_mapping())
    }
}

/// An import's report as dicts and lists, serialised straight into Python objects
/// (`pythonize`): a report has an entry per row, and building a `serde_json::Value` of a
/// 100,000-row report first, then converting and freeing it, cost a fifth of a migration.
///
/// Python's cyclic garbage collector is paused meanwhile (and resumed as it was): the report
/// holds no cycles, and each of the half a million dicts and lists of a 100,000-row report
/// counted towards a collection that walked every object made so far (a tenth of a
/// migration's time, measured).
///
/// Before it resumes, every young object the collector tracks (the report's and any the
/// program made meanwhile) is moved to its oldest generation (`gc.freeze()` then
/// `gc.unfreeze()`; on Python 3.11–3.13 list splices, no walk of the objects), as if they had
/// survived the young collections they would have met: cyclic garbage among them waits for
/// the next full collection. Otherwise the first young collection after it resumes walks the
/// report's 300,000 lists and dicts, all still young (180 ms of a 4.5 s migration, measured).
/// Only when nothing is frozen already: `unfreeze` would also release what the program froze
/// itself (as a pre-forking server does). The collector is resumed even if this step fails.
fn report_to_python<'py>(
    py: Python<'py>,
    report: &legacy::ImportReport,
) -> PyResult<Bound<'py, PyAny>> {
    let gc = py.import("gc")?;
    let enabled = gc.call_method0("isenabled")?.is_truthy()?;
    if enabled {
        gc.call_method0("disable")?;
    }
    let built =
        pythonize::pythonize_custom::<InternedKeys, _>(py, report).map_err(|_| errors::internal());
    if enabled {
        let promoted = (|| -> PyResult<()> {
            if gc.call_method0("get_freeze_count")?.extract::<usize>()? == 0 {
                gc.call_method0("freeze")?;
                gc.call_method0("unfreeze")?;
            }
            Ok(())
        })();
        gc.call_method0("enable")?;
        promoted?;
    }
    built
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
    if let Ok(log) = rows.cast::<PyLegacyLog>() {
        let log = log.get();
        let rows = log.rows().iter().map(|(_, row)| row);
        let pairs = py.detach(|| legacy::find_duplicates(rows, &catalog, &map, today));
        return Ok(pairs.into_iter().map(PyDuplicatePair).collect());
    }
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
    m.add_function(wrap_pyfunction!(read_legacy_log, m)?)?;
    m.add_class::<PyLegacyLog>()?;
    Ok(())
}
