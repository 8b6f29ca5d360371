//! `siproc._siproc`: the native module under the `siproc` Python package.
//!
//! It only converts: Python data to the core's types and back. Every decision (what is valid,
//! what a message says, what is a duplicate) is made by `siproc-core`. The Python layer in
//! `python/siproc/` gives it its public face (keyword arguments, exceptions).
//!
//! No input reaches a panic: conversions never unwrap, and the core is panic-free by its own
//! lints and property tests.
//!
//! The module's own allocations (the core's cases, events and reports; Python objects keep
//! Python's allocator) go to **mimalloc**, Microsoft's allocator through the `mimalloc` crate,
//! as Polars' Python module uses an allocator of its own: a migration or an import makes
//! and frees millions of small values, and glibc's `malloc` spent a quarter of a legacy
//! migration's time allocating, consolidating and freeing them (see `benches/README.md`,
//! "Legacy migration"). Built with its `no_thp` feature: mimalloc then does not ask the kernel
//! for transparent huge pages (`madvise(MADV_HUGEPAGE)`) for its memory. Where THP is on
//! demand (`madvise`, Debian's default), each fresh 2 MiB page was zeroed at its first touch,
//! and a migration of 100,000 rows spent a quarter of its time there; with 4 KiB pages, 1 %.
//! The setting is the module's own (no `prctl` for the process, Python's memory untouched).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use siproc_core::duplicates;
use siproc_core::intake_from_value;
use siproc_core::{Intake, Locale};

mod cases;
mod convert;
mod errors;
mod legacy;
mod stats;

use convert::{Record, to_python};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One problem found in a record: `code`, `path` (a JSON Pointer), `severity` and `message`.
#[pyclass(frozen, eq, hash, module = "siproc", name = "Issue")]
#[derive(Clone, PartialEq, Eq, Hash)]
struct PyIssue(siproc_core::Issue);

#[pymethods]
impl PyIssue {
    /// Stable machine code, listed by `list_rules()`.
    #[getter]
    fn code(&self) -> &str {
        &self.0.code
    }

    /// Where the problem is, as a JSON Pointer (`""` is the whole record).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// `"error"` or `"warning"`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }

    /// The message in the requested language; it never contains the failing value.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// The issue as a dict with the keys `code`, `path`, `severity` and `message`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::to_value(&self.0).unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        format!(
            "Issue(code={:?}, path={:?}, severity={:?})",
            self.0.code,
            self.0.path,
            self.0.severity.as_str()
        )
    }
}

/// The result of validating a record: `ok` (no errors; warnings allowed) and every `issue`.
#[pyclass(frozen, eq, module = "siproc", name = "Report")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyReport(pub(crate) siproc_core::Report);

#[pymethods]
impl PyReport {
    /// `True` when no issue is an error.
    #[getter]
    fn ok(&self) -> bool {
        self.0.ok
    }

    /// Every problem, in the order the rules found them.
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.issues.iter().cloned().map(PyIssue))
    }

    /// The report as a dict: `{"ok": bool, "issues": [issue dicts]}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::to_value(&self.0).unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        let codes: Vec<&str> = self.0.issues.iter().map(|i| i.code.as_str()).collect();
        format!(
            "Report(ok={}, issues={codes:?})",
            if self.0.ok { "True" } else { "False" }
        )
    }
}

/// Two records that may be the same national: indices `a < b`, a `score` and the `reasons`.
#[pyclass(frozen, module = "siproc", name = "DuplicatePair")]
pub(crate) struct PyDuplicatePair(pub(crate) duplicates::DuplicatePair);

#[pymethods]
impl PyDuplicatePair {
    /// Index of the first record.
    #[getter]
    fn a(&self) -> usize {
        self.0.a
    }

    /// Index of the second record (greater than `a`).
    #[getter]
    fn b(&self) -> usize {
        self.0.b
    }

    /// How strong the match is, from 0 to 1, for ordering a review.
    #[getter]
    fn score(&self) -> f64 {
        self.0.score
    }

    /// The reasons: `same_document`, `same_name_and_birth_date`, `similar_name`.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.reasons.iter().map(|r| r.as_str()))
    }

    /// The pair as a dict with the keys `a`, `b`, `score` and `reasons`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::to_value(&self.0).unwrap_or_default())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyDuplicatePair>()
            .is_ok_and(|o| o.get().0 == self.0)
    }

    fn __repr__(&self) -> String {
        let reasons: Vec<&str> = self.0.reasons.iter().map(|r| r.as_str()).collect();
        format!(
            "DuplicatePair(a={}, b={}, score={}, reasons={reasons:?})",
            self.0.a, self.0.b, self.0.score
        )
    }
}

/// A country pack: categories, offices, flags, partners, services, forms.
#[pyclass(frozen, module = "siproc", name = "Catalog")]
struct PyCatalog(Arc<siproc_core::Catalog>);

/// The built-in Honduran pack, loaded once.
fn default_catalog() -> PyResult<Arc<siproc_core::Catalog>> {
    static DEFAULT: OnceLock<Result<Arc<siproc_core::Catalog>, siproc_core::CatalogError>> =
        OnceLock::new();
    match DEFAULT.get_or_init(|| siproc_core::Catalog::honduras().map(Arc::new)) {
        Ok(c) => Ok(Arc::clone(c)),
        Err(e) => Err(catalog_error(e)),
    }
}

/// A `siproc.CatalogError` with the core error's code and text (which names a pack file and
/// entry, never personal data).
pub(crate) fn catalog_error(e: &siproc_core::CatalogError) -> PyErr {
    catalog_errors(std::slice::from_ref(e))
}

/// A `siproc.CatalogError` carrying every problem of a pack: one per line in the message, and
/// as dicts in its `problems`; its code is the first problem's.
fn catalog_errors(problems: &[siproc_core::CatalogError]) -> PyErr {
    let message: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let code = problems.first().map_or("catalog.error", |p| p.code);
    Python::attach(|py| {
        let made = serde_json::to_value(problems)
            .map_err(|_| errors::internal())
            .and_then(|list| to_python(py, &list))
            .and_then(|list| {
                let kwargs = pyo3::types::PyDict::new(py);
                kwargs.set_item("problems", list)?;
                py.import("siproc._errors")?
                    .getattr("CatalogError")?
                    .call((message.join("\n"), code), Some(&kwargs))
            });
        match made {
            Ok(err) => PyErr::from_value(err),
            Err(err) => err,
        }
    })
}

#[pymethods]
impl PyCatalog {
    /// The default catalog: the built-in Honduran pack.
    #[staticmethod]
    fn default() -> PyResult<PyCatalog> {
        Ok(PyCatalog(default_catalog()?))
    }

    /// A built-in pack by id (`"hn"`, `"gt"`, … as listed by `builtin_packs()`).
    #[staticmethod]
    fn builtin(id: &str) -> PyResult<PyCatalog> {
        siproc_core::Catalog::builtin(id)
            .map(|c| PyCatalog(Arc::new(c)))
            .map_err(|e| catalog_error(&e))
    }

    /// Loads and checks the pack in a folder; a broken pack raises a `CatalogError` carrying
    /// every problem found (see `siproc_core::Catalog::check_dir`).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyCatalog> {
        py.detach(|| siproc_core::Catalog::load_dir_all(&path))
            .map(|c| PyCatalog(Arc::new(c)))
            .map_err(|problems| catalog_errors(&problems))
    }

    /// The pack id, e.g. `"hn"`.
    #[getter]
    fn id(&self) -> &str {
        &self.0.pack.id
    }

    /// The ministry's country, ISO 3166-1 alpha-2.
    #[getter]
    fn country(&self) -> &str {
        &self.0.pack.country
    }

    /// The whole pack as a dict, in the pack files' format.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&*self.0).unwrap_or_default();
        to_python(py, &value)
    }

    /// What a page needs to build the intake form, labelled in `locale` (the core's catalog
    /// view, as siproc-wasm's `catalog()` gives it): fields, categories and `labels`.
    #[pyo3(signature = (locale = "es"))]
    fn view<'py>(&self, py: Python<'py>, locale: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(self.0.view(self::locale(locale)?)).unwrap_or_default();
        to_python(py, &value)
    }

    /// The label of every enumerated value in `locale`, by vocabulary and code
    /// (`labels["status"]["in_progress"]`): the words the PDF forms print and the web
    /// application shows.
    #[pyo3(signature = (locale = "es"))]
    fn labels<'py>(&self, py: Python<'py>, locale: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(self.0.labels(self::locale(locale)?)).unwrap_or_default();
        to_python(py, &value)
    }

    fn __repr__(&self) -> String {
        format!(
            "Catalog(id={:?}, categories={}, offices={})",
            self.0.pack.id,
            self.0.categories.len(),
            self.0.offices.len()
        )
    }
}

/// The locale, or the core's misuse verdict as a `siproc.MalformedError` (a `ValueError`).
pub(crate) fn locale(tag: &str) -> PyResult<Locale> {
    Locale::from_tag(tag).map_err(errors::misuse)
}

pub(crate) fn catalog_of(
    catalog: Option<&Bound<'_, PyAny>>,
) -> PyResult<Arc<siproc_core::Catalog>> {
    match catalog {
        None => default_catalog(),
        Some(c) if c.is_none() => default_catalog(),
        Some(c) => match c.cast::<PyCatalog>() {
            Ok(c) => Ok(Arc::clone(&c.get().0)),
            Err(_) => Err(PyTypeError::new_err("catalog must be a siproc.Catalog")),
        },
    }
}

fn check(record: Record, catalog: &siproc_core::Catalog, locale: Locale) -> siproc_core::Report {
    match record {
        Record::Value(v) => siproc_core::validate_value(v, catalog, locale),
        Record::Text(t) => siproc_core::validate_json(&t, catalog, locale),
        Record::Bytes(b) => siproc_core::validate_json_bytes(&b, catalog, locale),
    }
}

/// Validates one record (a dict, or JSON as `str` or `bytes`).
#[pyfunction]
#[pyo3(signature = (record, catalog = None, locale = "es"))]
fn validate(
    py: Python<'_>,
    record: &Bound<'_, PyAny>,
    catalog: Option<&Bound<'_, PyAny>>,
    locale: &str,
) -> PyResult<PyReport> {
    let (catalog, locale) = (catalog_of(catalog)?, self::locale(locale)?);
    let record = convert::record(record)?;
    Ok(PyReport(py.detach(|| check(record, &catalog, locale))))
}

/// Validates many records: JSON Lines (`bytes`, `bytearray` or `str`, one record per line) or a
/// list or tuple of records. Returns one report per record, in order.
#[pyfunction]
#[pyo3(signature = (records, catalog = None, locale = "es"))]
fn validate_many(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    catalog: Option<&Bound<'_, PyAny>>,
    locale: &str,
) -> PyResult<Vec<PyReport>> {
    let (catalog, locale) = (catalog_of(catalog)?, self::locale(locale)?);
    let reports = if let Some(data) = convert::json_lines(records) {
        let lines = convert::lines(&data)?;
        py.detach(|| {
            lines
                .into_iter()
                .map(|line| siproc_core::validate_json_bytes(line, &catalog, locale))
                .collect::<Vec<_>>()
        })
    } else {
        let inputs = each(records, convert::record)?;
        py.detach(|| {
            inputs
                .into_iter()
                .map(|r| check(r, &catalog, locale))
                .collect::<Vec<_>>()
        })
    };
    Ok(reports.into_iter().map(PyReport).collect())
}

/// Applies `f` to each item of a list or tuple.
fn each<T>(
    items: &Bound<'_, PyAny>,
    f: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let limits = siproc_core::limits::Limits::DEFAULT;
    if let Ok(list) = items.cast::<PyList>() {
        convert::within(limits.check_batch(list.len()))?;
        return list.iter().map(|i| f(&i)).collect();
    }
    if let Ok(tuple) = items.cast::<PyTuple>() {
        convert::within(limits.check_batch(tuple.len()))?;
        return tuple.iter().map(|i| f(&i)).collect();
    }
    Err(PyTypeError::new_err(
        "records must be a list or tuple of records, or JSON Lines as bytes or str",
    ))
}

/// Checks a document number of `kind` (`hn_dni`, `hn_passport`, `mx_curp`, `sv_dui`, `gt_dpi`,
/// `mrz_td3`, `mx_clave_elector`). Issues have the path `""`.
#[pyfunction]
#[pyo3(signature = (kind, value, locale = "es"))]
fn check_document(
    kind: &Bound<'_, PyString>,
    value: &Bound<'_, PyString>,
    locale: &str,
) -> PyResult<PyReport> {
    let (kind, value) = (convert::text(kind), convert::text(value));
    let issues = siproc_core::document::check_document_in(
        convert::argument(&kind)?,
        convert::argument(&value)?,
        self::locale(locale)?,
    );
    Ok(PyReport(siproc_core::Report::from_issues(issues)))
}

/// The canonical form of a document number, or `None` when it does not have the kind's shape
/// (or the kind is unknown).
#[pyfunction]
fn normalize_document(kind: &Bound<'_, PyString>, value: &Bound<'_, PyString>) -> Option<String> {
    let kind = convert::text(kind).parse().ok()?;
    siproc_core::document::normalize_document(kind, &convert::text(value))
}

/// Parses the two lines of a passport's machine readable zone: `(fields, report)`, where
/// `fields` is a dict (dates as ISO text) when the zone is valid and `None` otherwise.
#[pyfunction]
#[pyo3(signature = (lines, locale = "es"))]
fn parse_mrz<'py>(
    py: Python<'py>,
    lines: Vec<Bound<'py, PyString>>,
    locale: &str,
) -> PyResult<(Bound<'py, PyAny>, PyReport)> {
    let locale = self::locale(locale)?;
    convert::within(siproc_core::limits::Limits::DEFAULT.check_batch(lines.len()))?;
    let lines: Vec<String> = lines.iter().map(convert::text).collect();
    let lines = lines
        .iter()
        .map(|l| convert::argument(l))
        .collect::<PyResult<Vec<&str>>>()?;
    let read = siproc_core::document::read_mrz(&lines, locale);
    let fields = match &read.mrz {
        Some(mrz) => to_python(py, &serde_json::to_value(mrz).unwrap_or_default())?,
        None => py.None().into_bound(py),
    };
    Ok((fields, PyReport(read.report())))
}

/// Parses a record into an intake, or gives the report of why it does not parse.
pub(crate) fn intake(
    record: Record,
    catalog: &siproc_core::Catalog,
    locale: Locale,
) -> Result<Intake, siproc_core::Report> {
    let parsed = match record {
        Record::Value(v) => intake_from_value(v, locale),
        Record::Text(t) => siproc_core::parse_intake(&t, locale),
        Record::Bytes(b) => match String::from_utf8(b) {
            Ok(t) => siproc_core::parse_intake(&t, locale),
            // Not UTF-8: the core's report says where.
            Err(e) => {
                return Err(siproc_core::validate_json_bytes(
                    e.as_bytes(),
                    catalog,
                    locale,
                ));
            }
        },
    };
    parsed.map_err(|issue| siproc_core::Report::from_issues(vec![issue]))
}

/// Normalises a record as the core does before it becomes a case (names to NFC, document
/// numbers to their canonical form, phones to E.164, the `minor` flag, the priority): returns
/// `(intake, report)`, where `intake` is a dict when the record parses and `None` otherwise.
#[pyfunction]
#[pyo3(signature = (record, catalog = None, locale = "es"))]
fn normalize<'py>(
    py: Python<'py>,
    record: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    locale: &str,
) -> PyResult<(Bound<'py, PyAny>, PyReport)> {
    let (catalog, locale) = (catalog_of(catalog)?, self::locale(locale)?);
    let record = convert::record(record)?;
    match intake(record, &catalog, locale) {
        Ok(intake) => {
            let normal = siproc_core::normalize_intake(&intake, &catalog);
            let value = serde_json::to_value(normal).unwrap_or_default();
            Ok((
                to_python(py, &value)?,
                PyReport(siproc_core::Report::from_issues(Vec::new())),
            ))
        }
        Err(report) => Ok((py.None().into_bound(py), PyReport(report))),
    }
}

/// Every rule siproc can report, sorted by code: dicts with `code`, `severity`, `description`,
/// `es` and `en` (the message templates).
#[pyfunction]
fn list_rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(
        py,
        &serde_json::to_value(siproc_core::list_rules()).unwrap_or_default(),
    )
}

/// Candidate duplicates among records (a list or tuple of records, or JSON Lines), comparing
/// their nationals. Records that do not parse take no part; indices are positions in the input.
#[pyfunction]
fn find_duplicates(py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Vec<PyDuplicatePair>> {
    let inputs: Vec<Record> = match convert::json_lines(records) {
        Some(data) => convert::lines(&data)?
            .into_iter()
            .map(|l| Record::Bytes(l.to_vec()))
            .collect(),
        None => each(records, convert::record)?,
    };
    let catalog = default_catalog()?;
    let pairs = py.detach(|| {
        let intakes: Vec<Option<Intake>> = inputs
            .into_iter()
            .map(|r| intake(r, &catalog, Locale::Es).ok())
            .collect();
        let persons: Vec<Option<&siproc_core::Person>> = intakes
            .iter()
            .map(|i| i.as_ref().and_then(Intake::national))
            .collect();
        duplicates::find_duplicate_persons(&persons)
    });
    Ok(pairs.into_iter().map(PyDuplicatePair).collect())
}

/// Groups duplicate pairs into clusters of transitively linked records (sorted lists of
/// indices).
#[pyfunction]
fn duplicate_clusters(pairs: Vec<Bound<'_, PyDuplicatePair>>) -> Vec<Vec<usize>> {
    let pairs: Vec<duplicates::DuplicatePair> = pairs.iter().map(|p| p.get().0.clone()).collect();
    duplicates::clusters(&pairs)
}

/// The ids of the built-in packs, the default first.
/// Reseeds this thread's salt generator (`siproc_core::history::reseed_salts`): the package
/// calls it in a forked child (`os.register_at_fork`), so that the child does not draw its
/// parent's next salts.
#[pyfunction]
fn _reseed_salts() -> PyResult<()> {
    Ok(siproc_core::history::reseed_salts()?)
}

#[pyfunction]
fn builtin_packs() -> Vec<&'static str> {
    siproc_core::Catalog::BUILTIN.iter().map(|p| p.id).collect()
}

/// The native module.
#[pymodule]
fn _siproc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIssue>()?;
    m.add_class::<PyReport>()?;
    m.add_class::<PyDuplicatePair>()?;
    m.add_class::<PyCatalog>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_many, m)?)?;
    m.add_function(wrap_pyfunction!(check_document, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_document, m)?)?;
    m.add_function(wrap_pyfunction!(parse_mrz, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(list_rules, m)?)?;
    m.add_function(wrap_pyfunction!(find_duplicates, m)?)?;
    m.add_function(wrap_pyfunction!(duplicate_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_packs, m)?)?;
    m.add_function(wrap_pyfunction!(_reseed_salts, m)?)?;
    cases::register(m)?;
    legacy::register(m)?;
    stats::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
