//! Cases and their histories, the in-memory store, archives and forms.
//!
//! Cases, events, commands, anchors and summaries cross as dicts in the core's serde format
//! (the same JSON the server stores). Reading them back is the core's serde: anything it cannot
//! read is a `MalformedError` naming where reading stopped (a JSON Pointer made of identifiers
//! and indexes, never a value). Every rule (who may run a command, what a tampered history is,
//! what an archive must hold) is the core's.

use std::fs::File;
use std::io::{BufReader, BufWriter, Cursor, Write};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use siproc_core::access::{Access, AccessEntry, ReadKind};
use siproc_core::archive::{self, ArchiveError, ArchiveWriter, ImportOptions, ImportReport};
use siproc_core::history::{Anchor, Event};
use siproc_core::store::{self, CaseQuery, CaseStore};
use siproc_core::workflow::Command;
use siproc_core::{Actor, Case, Role, forms, history, workflow};
use uuid::Uuid;

use crate::convert::{self, text, to_json, to_python};
use crate::errors::{self, Arg};
use crate::{catalog_of, intake, locale};

// ---------------------------------------------------------------------------------------------
// Conversions

/// Reads `value` as a `T`, or a `MalformedError` with `code` saying where it stopped (the core
/// finds the place; see `siproc_core::from_json_value`).
fn parse<T: DeserializeOwned>(value: Value, code: &str, what: &str, prefix: &str) -> PyResult<T> {
    siproc_core::from_json_value(&value, siproc_core::Locale::En).map_err(|issue| {
        let path = format!("{prefix}{}", issue.path);
        let at = if path.is_empty() { "/" } else { &path };
        errors::malformed(
            code,
            &format!("{what} is not in siproc's format (at {at})"),
            &path,
        )
    })
}

/// A core value as Python data.
pub(crate) fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).map_err(|_| errors::internal())?;
    to_python(py, &value)
}

fn list_or_tuple<'py>(
    obj: &Bound<'py, PyAny>,
    message: &'static str,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    Err(PyTypeError::new_err(message))
}

/// A history: a `CaseHistory`, or a list or tuple of event dicts.
fn events_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
    if let Ok(h) = obj.cast::<PyCaseHistory>() {
        return Ok(borrow(h)?.events.clone());
    }
    let items = list_or_tuple(
        obj,
        "events must be a list of event dicts or a siproc.CaseHistory",
    )?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            parse(
                to_json(item)?,
                "event.malformed",
                &format!("the event at position {i}"),
                &format!("/{i}"),
            )
        })
        .collect()
}

fn borrow<'py>(h: &Bound<'py, PyCaseHistory>) -> PyResult<PyRef<'py, PyCaseHistory>> {
    h.try_borrow()
        .map_err(|_| PyValueError::new_err("the history is being changed"))
}

/// A case: a `CaseHistory`'s case, or a case dict.
fn case_of(obj: &Bound<'_, PyAny>) -> PyResult<Case> {
    if let Ok(h) = obj.cast::<PyCaseHistory>() {
        return Ok(borrow(h)?.case.clone());
    }
    if obj.cast::<PyDict>().is_err() {
        return Err(PyTypeError::new_err(
            "case must be a case dict or a siproc.CaseHistory",
        ));
    }
    parse(to_json(obj)?, "case.malformed", "the case", "")
}

fn command_of(obj: &Bound<'_, PyAny>) -> PyResult<Command> {
    if obj.cast::<PyDict>().is_err() {
        return Err(PyTypeError::new_err(
            "command must be a dict such as {\"command\": \"add_note\", \"text\": \"...\"}",
        ));
    }
    parse(to_json(obj)?, "command.malformed", "the command", "")
}

pub(crate) fn actor_of(obj: &Bound<'_, PyAny>) -> PyResult<Actor> {
    if let Ok(a) = obj.cast::<PyActor>() {
        return Ok(a.get().0.clone());
    }
    if obj.cast::<PyDict>().is_err() {
        return Err(PyTypeError::new_err(
            "actor must be a siproc.Actor or a dict with user_id, role and office",
        ));
    }
    parse(to_json(obj)?, "actor.malformed", "the actor", "")
}

/// A case id: a `str` or a `uuid.UUID`.
fn case_id_of(obj: &Bound<'_, PyAny>) -> PyResult<Uuid> {
    let id = if let Ok(s) = obj.cast::<PyString>() {
        text(s)
    } else if obj.is_instance(&obj.py().import("uuid")?.getattr("UUID")?)? {
        obj.str().map(|s| text(&s))?
    } else {
        return Err(PyTypeError::new_err("case_id must be a str or a uuid.UUID"));
    };
    Uuid::parse_str(&id)
        .map_err(|_| errors::malformed("case_id.malformed", "case_id is not a UUID", ""))
}

/// A non-negative integer.
fn count_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if obj.cast::<pyo3::types::PyInt>().is_err() {
        return Err(PyTypeError::new_err(format!("{what} must be an int")));
    }
    obj.extract::<u64>()
        .map_err(|_| PyValueError::new_err(format!("{what} must be a non-negative integer")))
}

/// A moment: `None` (now), an aware `datetime.datetime`, or RFC 3339 text.
pub(crate) fn instant(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<DateTime<Utc>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Utc::now());
    };
    let iso = if let Ok(s) = obj.cast::<PyString>() {
        text(s)
    } else if convert::is_datetime(obj)? {
        if obj.getattr("tzinfo")?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{what} must be timezone-aware (e.g. datetime.now(timezone.utc))"
            )));
        }
        let iso = obj.call_method0("isoformat")?;
        iso.cast::<PyString>().map(text).unwrap_or_default()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a datetime.datetime or RFC 3339 text"
        )));
    };
    DateTime::parse_from_rfc3339(&iso)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            PyValueError::new_err(format!(
                "{what} must be an aware datetime or RFC 3339 text with an offset"
            ))
        })
}

// ---------------------------------------------------------------------------------------------
// Actors and histories

/// Who acts: a user id (not a name), a role and the office they act from.
#[pyclass(frozen, eq, hash, module = "siproc", name = "Actor")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyActor(Actor);

#[pymethods]
impl PyActor {
    #[new]
    fn new(
        user_id: &Bound<'_, PyString>,
        role: &Bound<'_, PyString>,
        office: &Bound<'_, PyString>,
    ) -> PyResult<Self> {
        let role: Role = parse(
            Value::String(text(role)),
            "actor.malformed",
            "role (officer, supervisor, directorate, partner or auditor)",
            "/role",
        )?;
        Ok(PyActor(Actor::new(text(user_id), role, text(office))))
    }

    /// The user's id in the embedding system.
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.user_id
    }

    /// `officer`, `supervisor`, `directorate`, `partner` or `auditor`.
    #[getter]
    fn role(&self) -> &'static str {
        self.0.role.as_str()
    }

    /// The office code they act from.
    #[getter]
    fn office(&self) -> &str {
        &self.0.office
    }

    /// The actor as a dict with the keys `user_id`, `role` and `office`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "Actor(user_id={:?}, role={:?}, office={:?})",
            self.0.user_id,
            self.0.role.as_str(),
            self.0.office
        )
    }
}

/// A case's history held in memory: its events and the case they fold into. Built from events
/// it verifies and replays them; `apply` appends the event a command produces.
#[pyclass(module = "siproc", name = "CaseHistory")]
pub struct PyCaseHistory {
    events: Vec<Event>,
    case: Case,
}

impl PyCaseHistory {
    /// Appends an event the workflow made; the case stays as it was if the event does not
    /// apply.
    fn push(&mut self, event: Event) -> PyResult<()> {
        if let Err(e) = history::apply(&mut self.case, &event) {
            self.case = history::replay(&self.events).map_err(|h| errors::history(&h))?;
            return Err(errors::history(&e));
        }
        self.events.push(event);
        Ok(())
    }
}

#[pymethods]
impl PyCaseHistory {
    #[new]
    fn new(events: &Bound<'_, PyAny>) -> PyResult<Self> {
        let events = events_of(events)?;
        history::verify(&events).map_err(|e| errors::history(&e))?;
        let case = history::replay(&events).map_err(|e| errors::history(&e))?;
        Ok(PyCaseHistory { events, case })
    }

    /// Every event, in order, as dicts.
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for e in &self.events {
            list.append(to_py(py, e)?)?;
        }
        Ok(list)
    }

    /// The case as its history makes it, as a dict.
    #[getter]
    fn case<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.case)
    }

    /// The case id.
    #[getter]
    fn id(&self) -> String {
        self.case.id.to_string()
    }

    /// The case number.
    #[getter]
    fn number(&self) -> &str {
        &self.case.number
    }

    /// The case's status.
    #[getter]
    fn status(&self) -> &'static str {
        self.case.status.as_str()
    }

    /// Number of events.
    #[getter]
    fn version(&self) -> u64 {
        self.case.version
    }

    /// Hash of the last event.
    #[getter]
    fn head(&self) -> &str {
        &self.case.head
    }

    /// `{"version", "head"}`: hold it elsewhere to prove later that the history was not altered.
    #[getter]
    fn anchor<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(
            py,
            &Anchor {
                version: self.case.version,
                head: self.case.head.clone(),
            },
        )
    }

    /// Runs `command` (a dict) as `actor` and appends its event; returns the event.
    #[pyo3(signature = (command, *, actor, catalog = None, now = None))]
    fn apply<'py>(
        &mut self,
        py: Python<'py>,
        command: &Bound<'py, PyAny>,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (command, actor) = (command_of(command)?, actor_of(actor)?);
        let (catalog, now) = (catalog_of(catalog)?, instant(now, "now")?);
        let event = workflow::execute(&self.case, &catalog, &actor, &command, now)
            .map_err(|e| errors::workflow(&e))?;
        let out = to_py(py, &event)?;
        self.push(event)?;
        Ok(out)
    }

    /// The commands `actor` may run on the case now, each a dict `{command, params}` whose
    /// params name the values they may take (`workflow::available`, the checks `apply` runs).
    #[pyo3(signature = (*, actor, catalog = None))]
    fn available_commands<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (actor, catalog) = (actor_of(actor)?, catalog_of(catalog)?);
        to_py(py, &workflow::available(&self.case, &catalog, &actor))
    }

    /// Checks the whole history; returns its anchor.
    fn verify<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let anchor = history::verify(&self.events).map_err(|e| errors::history(&e))?;
        to_py(py, &anchor)
    }

    /// Renders form `form_id` as a PDF and appends the *form generated* event recording its
    /// SHA-256; returns the PDF.
    #[pyo3(signature = (form_id, *, actor, catalog = None, locale = "es", now = None))]
    fn generate_form<'py>(
        &mut self,
        py: Python<'py>,
        form_id: &str,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
        locale: &str,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let actor = actor_of(actor)?;
        let (catalog, locale, now) = (
            catalog_of(catalog)?,
            self::locale(locale)?,
            instant(now, "now")?,
        );
        let case = &self.case;
        let generation = py
            .detach(|| {
                forms::generate_form(
                    case,
                    &catalog,
                    &actor,
                    form_id,
                    &forms::Generating {
                        locale,
                        now,
                        verify_origin: None,
                    },
                )
            })
            .map_err(|e| errors::generate(&e))?;
        self.push(generation.event)?;
        Ok(PyBytes::new(py, &generation.rendered.bytes))
    }

    fn __len__(&self) -> usize {
        self.events.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "CaseHistory(number={:?}, status={:?}, version={})",
            self.case.number,
            self.case.status.as_str(),
            self.case.version
        )
    }
}

/// Opens a case: validates and normalises `intake`, and makes its `case_opened` event.
#[pyfunction]
#[pyo3(signature = (intake, *, actor, number, catalog = None, now = None, case_id = None))]
pub fn open_case(
    intake: &Bound<'_, PyAny>,
    actor: &Bound<'_, PyAny>,
    number: &Bound<'_, PyString>,
    catalog: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    case_id: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyCaseHistory> {
    let (catalog, actor) = (catalog_of(catalog)?, actor_of(actor)?);
    let now = instant(now, "now")?;
    let case_id = match case_id.filter(|c| !c.is_none()) {
        Some(c) => case_id_of(c)?,
        None => Uuid::now_v7(),
    };
    let intake = self::intake(convert::record(intake)?, &catalog, siproc_core::Locale::Es)
        .map_err(|report| errors::validation(&report, "validation.failed"))?;
    let event = workflow::open(&catalog, &actor, &intake, case_id, now)
        .and_then(|opening| opening.seal(&text(number)))
        .map_err(|e| errors::workflow(&e))?
        .into_event();
    let case = history::open(&event).map_err(|e| errors::history(&e))?;
    Ok(PyCaseHistory {
        events: vec![event],
        case,
    })
}

/// Runs `command` on the case the events make; returns the new event (the events are not
/// changed).
#[pyfunction]
#[pyo3(signature = (events, command, *, actor, catalog = None, now = None))]
pub fn apply<'py>(
    py: Python<'py>,
    events: &Bound<'py, PyAny>,
    command: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let events = events_of(events)?;
    let (command, actor) = (command_of(command)?, actor_of(actor)?);
    let (catalog, now) = (catalog_of(catalog)?, instant(now, "now")?);
    let case = history::replay(&events).map_err(|e| errors::history(&e))?;
    let event = workflow::execute(&case, &catalog, &actor, &command, now)
        .map_err(|e| errors::workflow(&e))?;
    to_py(py, &event)
}

/// Folds events into the case they make (structure checked, hashes not: see `verify`).
#[pyfunction]
pub fn replay<'py>(py: Python<'py>, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let events = events_of(events)?;
    let case = py
        .detach(|| history::replay(&events))
        .map_err(|e| errors::history(&e))?;
    to_py(py, &case)
}

/// Checks a history (and, given one, that it matches an anchor); returns its anchor.
#[pyfunction]
#[pyo3(signature = (events, *, anchor = None))]
pub fn verify<'py>(
    py: Python<'py>,
    events: &Bound<'py, PyAny>,
    anchor: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let events = events_of(events)?;
    let anchor: Option<Anchor> = match anchor.filter(|a| !a.is_none()) {
        Some(a) if a.cast::<PyDict>().is_ok() => {
            Some(parse(to_json(a)?, "anchor.malformed", "the anchor", "")?)
        }
        Some(_) => {
            return Err(PyTypeError::new_err(
                "anchor must be a dict with version and head",
            ));
        }
        None => None,
    };
    let found = py
        .detach(|| match &anchor {
            Some(a) => history::verify_against(&events, a),
            None => history::verify(&events),
        })
        .map_err(|e| errors::history(&e))?;
    to_py(py, &found)
}

// ---------------------------------------------------------------------------------------------
// The in-memory store

/// A thread-safe case store: numbering per office and year, optimistic concurrency, search.
/// `open_store(url)` makes one on SQLite, PostgreSQL or memory; every rule is the core's
/// `CaseStore` and its shared checks, whatever the backend.
#[pyclass(frozen, subclass, module = "siproc", name = "Store")]
pub struct PyStore(
    Arc<dyn CaseStore>,
    Arc<store::Records>,
    Arc<dyn siproc_core::blobs::BlobStore>,
);

impl PyStore {
    /// A store of `cases` and `records`, its files in `files` or else in the records' database.
    fn new(
        cases: Arc<dyn CaseStore>,
        records: store::Records,
        files: Option<Box<dyn siproc_core::blobs::BlobStore>>,
    ) -> PyStore {
        let files: Arc<dyn siproc_core::blobs::BlobStore> = match files {
            Some(outside) => Arc::from(outside),
            None => Arc::new(records.blobs()),
        };
        PyStore(cases, Arc::new(records), files)
    }
}

/// A new, empty in-memory store (a `Store` that lives as long as the process).
#[pyclass(frozen, extends = PyStore, module = "siproc", name = "MemoryStore")]
pub struct PyMemoryStore;

#[pymethods]
impl PyMemoryStore {
    #[new]
    fn new() -> PyResult<PyClassInitializer<Self>> {
        let records = store::Records::in_memory().map_err(|e| errors::store(&e))?;
        Ok(PyClassInitializer::from(PyStore::new(
            Arc::new(store::MemoryStore::new()),
            records,
            None,
        ))
        .add_subclass(PyMemoryStore))
    }
}

/// Opens the store a URL names: `sqlite:///path/cases.db`, `sqlite:cases.db` (or a plain
/// path), `postgresql://…`, or `memory:` — the core's one reader of database URLs. The
/// database is created if missing and migrated to the current schema; the access log and the
/// other records kept about access live in it too. A bad URL, a newer schema or a file that is
/// not a siproc store raise `StoreError` with the core's code; the message never quotes the URL
/// (it may hold a password).
///
/// An encrypted store opens with its master key: the file of 64 hexadecimal digits
/// `master_key_file` names, or else the one `SIPROC_MASTER_KEY_FILE` names. A new database
/// opened with a key is encrypted; without its key an encrypted one raises `StoreError`
/// (`store.key_required`, `store.wrong_key`; `store.key_file` for a bad key file).
///
/// The cases' files (attachments) are kept where `blobs` says, as the server's option: `database`
/// (the default), `dir:PATH` or `s3://BUCKET/PREFIX?endpoint=…&region=…` (`StoreError`
/// `blob.backend` for a bad setting, never quoting it).
#[pyfunction]
#[pyo3(signature = (url, *, master_key_file = None, blobs = None))]
pub fn open_store(
    py: Python<'_>,
    url: &str,
    master_key_file: Option<std::path::PathBuf>,
    blobs: Option<&str>,
) -> PyResult<PyStore> {
    let files = blobs
        .map(|place| siproc_core::blobs::BlobPlace::parse(place)?.open_outside())
        .transpose()
        .map_err(|e| errors::blob(&e))?
        .flatten();
    let (opened, records) = py
        .detach(|| match master_key_file {
            Some(path) => {
                let key = siproc_core::keys::MasterKey::from_file(path)?;
                store::open_database_with_key(url, Some(&key))
            }
            None => store::open_database(url),
        })
        .map_err(|e| errors::store(&e))?;
    Ok(PyStore::new(Arc::from(opened), records, files))
}

#[pymethods]
impl PyStore {
    /// Opens a case from `intake` with the next number of its office; returns the case.
    #[pyo3(signature = (intake, *, actor, catalog = None, now = None))]
    fn open_case<'py>(
        &self,
        py: Python<'py>,
        intake: &Bound<'py, PyAny>,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (catalog, actor) = (catalog_of(catalog)?, actor_of(actor)?);
        let now = instant(now, "now")?;
        let intake = self::intake(convert::record(intake)?, &catalog, siproc_core::Locale::Es)
            .map_err(|report| errors::validation(&report, "validation.failed"))?;
        let store = &*self.0;
        let case = py
            .detach(|| store::open_case(store, &catalog, &actor, &intake, now))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &case)
    }

    /// Runs `command` on a stored case; returns the case after it.
    #[pyo3(signature = (case_id, command, *, actor, catalog = None, now = None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
        command: &Bound<'py, PyAny>,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (id, command, actor) = (case_id_of(case_id)?, command_of(command)?, actor_of(actor)?);
        let (catalog, now) = (catalog_of(catalog)?, instant(now, "now")?);
        let store = &*self.0;
        let case = py
            .detach(|| store::run(store, &catalog, &actor, id, &command, now))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &case)
    }

    /// Every event of a case, in order, as dicts.
    fn load<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = case_id_of(case_id)?;
        let events = self.0.load(id).map_err(|e| errors::store(&e))?;
        to_py(py, &events)
    }

    /// The case as its stored history makes it.
    fn case<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = case_id_of(case_id)?;
        let store = &*self.0;
        let case = py
            .detach(|| store::load_case(store, id))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &case)
    }

    /// The stored history of a case as a `CaseHistory`.
    fn history(&self, case_id: &Bound<'_, PyAny>) -> PyResult<PyCaseHistory> {
        let id = case_id_of(case_id)?;
        let events = self.0.load(id).map_err(|e| errors::store(&e))?;
        let case = history::replay(&events).map_err(|e| errors::history(&e))?;
        Ok(PyCaseHistory { events, case })
    }

    /// Appends events if the case is at `expected_version`; returns the new version.
    fn append(
        &self,
        py: Python<'_>,
        case_id: &Bound<'_, PyAny>,
        expected_version: &Bound<'_, PyAny>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let id = case_id_of(case_id)?;
        let expected = count_of(expected_version, "expected_version")?;
        let events = events_of(events)?;
        let store = &*self.0;
        py.detach(|| store.append(id, expected, &events))
            .map_err(|e| errors::store(&e))
    }

    /// Files `data` into the case (`siproc_core::attachments::attach`): checked (size, the type
    /// sniffed from the bytes against `media_type` if given, images stripped of metadata, PDFs
    /// without scripts or embedded files), kept encrypted with the case's key in an encrypted
    /// store, and recorded as an `attachment_added` event. A scan or photo of a form this case
    /// printed is recognised by its QR code and filed as that form's signed copy; one of
    /// another case's form is refused (`AttachmentError` `signed_copy.other_case`). Returns the
    /// attachment as recorded (`sha256`, `media_type`, `size`, `description`), `signs` (the
    /// form it is the signed copy of, `{"form", "code"}`, or `None`) and `added` (`False` when
    /// the case already held this very file: nothing new was recorded), as the server answers.
    #[pyo3(signature = (case_id, data, media_type = None, description = None, *, actor,
                        expected_version = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn attach<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
        data: &[u8],
        media_type: Option<&str>,
        description: Option<&str>,
        actor: &Bound<'py, PyAny>,
        expected_version: Option<u64>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        use siproc_core::attachments::{Limits, Upload, attach};
        let (id, actor, now) = (case_id_of(case_id)?, actor_of(actor)?, instant(now, "now")?);
        let (store, files) = (&*self.0, &*self.2);
        let upload = Upload {
            content: data,
            declared: media_type,
            description,
            expected_version,
        };
        let attached = py
            .detach(|| attach(store, files, &Limits::default(), &actor, id, upload, now))
            .map_err(|e| errors::attachment(&e))?;
        let answer = to_py(
            py,
            &siproc_core::history::AddedAttachment::new(attached.attachment, attached.signs),
        )?;
        if !answer.contains("signs")? {
            answer.set_item("signs", py.None())?;
        }
        answer.set_item("added", attached.added)?;
        Ok(answer)
    }

    /// The file `sha256` of the case: its attachment (`sha256`, `media_type`, `size`,
    /// `description`) with its bytes as `content`, decrypted and checked against its digest
    /// (`AttachmentError` `attachment.not_found` or `attachment.erased`; `StoreError`
    /// `blob.damaged` when the kept bytes changed).
    fn attachment<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
        sha256: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = case_id_of(case_id)?;
        let (store, files) = (&*self.0, &*self.2);
        let (attachment, content) = py
            .detach(|| {
                let case = store::load_case(store, id)?;
                siproc_core::attachments::attachment(store, files, &case, sha256)
            })
            .map_err(|e| errors::attachment(&e))?;
        let answer = to_py(py, &attachment)?;
        answer.set_item("content", PyBytes::new(py, &content))?;
        Ok(answer)
    }

    /// Erases every personal value of a closed case (`siproc_core::erasure::erase_case`):
    /// the directorate, with a reason; its files are removed; returns the case as it now
    /// replays.
    #[pyo3(signature = (case_id, *, reason, actor, now = None))]
    fn erase<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
        reason: &str,
        actor: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (id, actor, now) = (case_id_of(case_id)?, actor_of(actor)?, instant(now, "now")?);
        let (store, files) = (&*self.0, &*self.2);
        let case = py
            .detach(|| siproc_core::erasure::erase_case(store, files, &actor, id, reason, now))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &case)
    }

    /// The summaries (no personal data) of the cases matching every given criterion, ordered
    /// by case number.
    #[pyo3(signature = (*, office = None, status = None, category = None, number = None,
                        document_number = None, name = None))]
    #[allow(clippy::too_many_arguments)]
    fn find<'py>(
        &self,
        py: Python<'py>,
        office: Option<&Bound<'py, PyString>>,
        status: Option<&Bound<'py, PyString>>,
        category: Option<&Bound<'py, PyString>>,
        number: Option<&Bound<'py, PyString>>,
        document_number: Option<&Bound<'py, PyString>>,
        name: Option<&Bound<'py, PyString>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let given = |v: Option<&Bound<'py, PyString>>| v.map(text);
        let query = CaseQuery {
            office: given(office),
            status: given(status)
                .map(|s| parse(Value::String(s), "query.malformed", "the query", "/status"))
                .transpose()?,
            category: given(category),
            number: given(number),
            document_number: given(document_number),
            name: given(name),
            ..CaseQuery::default()
        };
        let store = &*self.0;
        let found = py
            .detach(|| store.list(&query))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &found)
    }

    /// The summary of one case.
    fn summary<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = case_id_of(case_id)?;
        let summary = self.0.summary(id).map_err(|e| errors::store(&e))?;
        to_py(py, &summary)
    }

    /// Renders form `form_id` for a stored case and appends the *form generated* event;
    /// returns the PDF.
    #[pyo3(signature = (case_id, form_id, *, actor, catalog = None, locale = "es", now = None))]
    #[allow(clippy::too_many_arguments)]
    fn generate_form<'py>(
        &self,
        py: Python<'py>,
        case_id: &Bound<'py, PyAny>,
        form_id: &str,
        actor: &Bound<'py, PyAny>,
        catalog: Option<&Bound<'py, PyAny>>,
        locale: &str,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (id, actor) = (case_id_of(case_id)?, actor_of(actor)?);
        let (catalog, locale, now) = (
            catalog_of(catalog)?,
            self::locale(locale)?,
            instant(now, "now")?,
        );
        let store = &*self.0;
        let (_, rendered) = py
            .detach(|| {
                store::generate_form(
                    store,
                    &catalog,
                    &actor,
                    id,
                    form_id,
                    &forms::Generating {
                        locale,
                        now,
                        verify_origin: None,
                    },
                )
            })
            .map_err(|e| errors::store(&e))?;
        Ok(PyBytes::new(py, &rendered.bytes))
    }

    /// Writes a line of the access log, durably: `actor` read `what` (`case`, `history`,
    /// `verify`, `forms`, `form`, `break_glass`, `export`) of the case under `access` (`office`,
    /// `transfer`, `all_cases`, `break_glass`, with the grant's `reason`).
    #[pyo3(signature = (case_id, *, actor, what, access = "office", reason = None, at = None))]
    #[allow(clippy::too_many_arguments)]
    fn log_access(
        &self,
        py: Python<'_>,
        case_id: &Bound<'_, PyAny>,
        actor: &Bound<'_, PyAny>,
        what: &str,
        access: &str,
        reason: Option<String>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (id, actor, at) = (case_id_of(case_id)?, actor_of(actor)?, instant(at, "at")?);
        let what = ReadKind::parse(what).ok_or_else(|| {
            errors::malformed("access.bad_what", "what is not a kind of read", "what")
        })?;
        let access: Access = parse(
            Value::String(access.to_owned()),
            "access.bad_access",
            "access",
            "access",
        )?;
        let entry = AccessEntry::new(&actor, id, what, access, at, reason);
        let records = &*self.1;
        py.detach(|| records.log_access(&entry))
            .map_err(|e| errors::store(&e))
    }

    /// The access log, newest first: who read which case, when, and under which access.
    #[pyo3(signature = (*, case_id = None, user_id = None, since = None, limit = 100))]
    fn access_log<'py>(
        &self,
        py: Python<'py>,
        case_id: Option<&Bound<'py, PyAny>>,
        user_id: Option<String>,
        since: Option<&Bound<'py, PyAny>>,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter = store::LogFilter {
            case_id: case_id.map(case_id_of).transpose()?,
            user_id,
            since: since
                .filter(|s| !s.is_none())
                .map(|s| instant(Some(s), "since"))
                .transpose()?,
            limit,
        };
        let records = &*self.1;
        let entries = py
            .detach(|| records.access_log(&filter))
            .map_err(|e| errors::store(&e))?;
        to_py(py, &entries)
    }

    /// What the store holds about one person (`siproc_core::subject_access::find`): every
    /// case where one person holds the document number and every word of the name (each when
    /// given), found through the store's search (blind in an encrypted store), with the
    /// person's values, the case's facts, notes and services, who read it and whom it was
    /// shared with; the JSON form, as a dict.
    #[pyo3(signature = (*, document_number = None, name = None, now = None))]
    fn subject_access<'py>(
        &self,
        py: Python<'py>,
        document_number: Option<String>,
        name: Option<String>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query = siproc_core::subject_access::SubjectQuery {
            document_number,
            name,
        };
        let now = instant(now, "now")?;
        let (store, records) = (&*self.0, &*self.1);
        let report = py
            .detach(|| siproc_core::subject_access::find(store, records, &query, now))
            .map_err(|e| errors::subject_access(&e))?;
        to_py(py, &report)
    }

    /// The number of cases.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let store = &*self.0;
        let count = py.detach(|| store.count()).map_err(|e| errors::store(&e))?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let count = slf.get().0.count().map_err(|e| errors::store(&e))?;
        Ok(format!("{}(cases={count})", slf.get_type().name()?))
    }
}

/// The store behind a `siproc.Store` (a `MemoryStore` or one `open_store` made).
pub(crate) fn store_of(obj: &Bound<'_, PyAny>) -> PyResult<Arc<dyn CaseStore>> {
    py_store(obj).map(|s| Arc::clone(&s.0))
}

/// Where the files (attachments) of a `Store`'s cases are kept.
pub(crate) fn files_of(obj: &Bound<'_, PyAny>) -> PyResult<Arc<dyn siproc_core::blobs::BlobStore>> {
    py_store(obj).map(|s| Arc::clone(&s.2))
}

/// The `Store` `obj` is.
fn py_store<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a PyStore> {
    obj.cast::<PyStore>().map(|s| s.get()).map_err(|_| {
        PyTypeError::new_err("store must be a siproc.Store (MemoryStore or open_store)")
    })
}

// ---------------------------------------------------------------------------------------------
// Archives

/// Where an archive is read from.
enum Source {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// `bytes`/`bytearray` (the archive itself), a binary file object, or a path.
fn source_of(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Source::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Source::Bytes(b.to_vec()));
    }
    if obj.cast::<PyString>().is_err() && obj.hasattr("read")? {
        let data = obj.call_method0("read")?;
        return match data.cast::<PyBytes>() {
            Ok(b) => Ok(Source::Bytes(b.as_bytes().to_vec())),
            Err(_) => Err(PyTypeError::new_err(
                "the archive's file must be opened in binary mode",
            )),
        };
    }
    obj.extract::<PathBuf>()
        .map(Source::Path)
        .map_err(|_| PyTypeError::new_err("source must be a path, bytes, or a binary file object"))
}

/// Runs `f` on the archive's bytes.
fn with_source<T>(
    source: Source,
    f: impl FnOnce(&mut dyn ReadSeek) -> Result<T, ArchiveError>,
) -> Result<T, ArchiveError> {
    match source {
        Source::Bytes(b) => f(&mut Cursor::new(b)),
        Source::Path(p) => f(&mut BufReader::new(File::open(p)?)),
    }
}

/// What archive reading needs.
trait ReadSeek: std::io::BufRead + std::io::Seek {}
impl<T: std::io::BufRead + std::io::Seek> ReadSeek for T {}

/// A `TamperError` for an archive that does not verify ([`ImportReport::refusal`]), with the
/// report.
fn archive_refused(py: Python<'_>, r: &ImportReport) -> PyErr {
    let (first, message) = r.refusal();
    let report = to_py(py, &r.verification()).map(Bound::unbind);
    match report {
        Ok(report) => errors::raise(
            "TamperError",
            &message,
            first,
            &[("report", Arg::Object(report))],
        ),
        Err(e) => e,
    }
}

/// Checks an archive without importing it; returns the report (`ok`, `cases`, `rejected`,
/// `file`). With `store`, cases it holds with another history are rejected too.
#[pyfunction]
#[pyo3(signature = (source, *, store = None))]
pub fn verify_archive<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    store: Option<&Bound<'py, PyStore>>,
) -> PyResult<Bound<'py, PyAny>> {
    let source = source_of(source)?;
    let store = store.map(|s| Arc::clone(&s.get().0));
    let report = py
        .detach(|| {
            with_source(source, |input| {
                let mut input = input;
                archive::check(&mut input, store.as_deref().map(|s| s as &dyn CaseStore))
            })
        })
        .map_err(errors::archive)?;
    to_py(py, &report.verification())
}

/// Imports an archive into `store`: verifies every case, every file and the archive before
/// writing anything; the cases' files are kept in the store's blob storage, encrypted with its
/// keys.
#[pyfunction]
#[pyo3(signature = (source, store, *, partial = false))]
pub fn import_archive<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    store: &Bound<'py, PyStore>,
    partial: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let source = source_of(source)?;
    let (store, files) = (Arc::clone(&store.get().0), Arc::clone(&store.get().2));
    let report = py
        .detach(|| {
            with_source(source, |input| {
                let mut input = input;
                archive::import(
                    &*store,
                    Some(&*files),
                    &mut input,
                    ImportOptions { partial },
                )
            })
        })
        .map_err(errors::archive)?;
    to_py(py, &report)
}

/// Reads a whole archive: every case (and file) verified, or a `TamperError` with the report.
/// Returns the histories in case-number order (the files are not kept).
#[pyfunction]
pub fn read_archive(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Vec<PyCaseHistory>> {
    let source = source_of(source)?;
    let store = store::MemoryStore::new();
    let report = py
        .detach(|| {
            with_source(source, |input| {
                let mut input = input;
                // The histories alone: the files are checked, and not kept.
                archive::import(&store, None, &mut input, ImportOptions::default())
            })
        })
        .map_err(errors::archive)?;
    if !report.is_clean() {
        return Err(archive_refused(py, &report));
    }
    let found = store
        .list(&CaseQuery::default())
        .map_err(|e| errors::store(&e))?;
    found
        .iter()
        .map(|s| {
            let events = store.load(s.id).map_err(|e| errors::store(&e))?;
            let case = history::replay(&events).map_err(|e| errors::history(&e))?;
            Ok(PyCaseHistory { events, case })
        })
        .collect()
}

/// A writer over a Python binary file object; keeps the Python error of a failed write.
struct PyWriter<'py> {
    file: Bound<'py, PyAny>,
    error: Option<PyErr>,
}

impl Write for PyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let chunk = PyBytes::new(self.file.py(), buf);
        match self.file.call_method1("write", (chunk,)) {
            Ok(_) => Ok(buf.len()),
            Err(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("the file object's write failed"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A failure while writing: Python's (reading the cases) or the archive's.
enum Failure {
    Py(PyErr),
    Archive(ArchiveError),
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

impl From<ArchiveError> for Failure {
    fn from(e: ArchiveError) -> Self {
        Failure::Archive(e)
    }
}

fn write_cases<W: Write>(
    out: W,
    cases: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
) -> Result<archive::ExportSummary, Failure> {
    if let Ok(store) = cases.cast::<PyStore>() {
        let mut out = out;
        return Ok(archive::export(
            &*store.get().0,
            Some(&*store.get().2),
            &CaseQuery::default(),
            &mut out,
            now,
        )?);
    }
    let items = if cases.cast::<PyString>().is_ok() || cases.cast::<PyDict>().is_ok() {
        None
    } else {
        cases.try_iter().ok()
    };
    let Some(items) = items else {
        return Err(PyTypeError::new_err(
            "cases must be a siproc.Store or an iterable of histories",
        )
        .into());
    };
    let mut w = ArchiveWriter::new(out, now)?;
    for item in items {
        w.write_case(&events_of(&item?)?)?;
    }
    Ok(w.finish()?)
}

/// Writes an archive of `cases` (a `Store`, with its cases' files, or an iterable of
/// histories) to `dest` (a path or a binary file object); returns `{"cases", "events",
/// "files", "digest"}`.
#[pyfunction]
#[pyo3(signature = (dest, cases, *, now = None))]
pub fn write_archive<'py>(
    py: Python<'py>,
    dest: &Bound<'py, PyAny>,
    cases: &Bound<'py, PyAny>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let now = instant(now, "now")?;
    let summary = if dest.cast::<PyString>().is_err() && dest.hasattr("write")? {
        let mut writer = PyWriter {
            file: dest.clone(),
            error: None,
        };
        let result = write_cases(BufWriter::new(&mut writer), cases, now);
        match (result, writer.error.take()) {
            (Ok(s), None) => s,
            (_, Some(e)) => return Err(e),
            (Err(Failure::Py(e)), None) => return Err(e),
            (Err(Failure::Archive(e)), None) => return Err(errors::archive(e)),
        }
    } else {
        let path: PathBuf = dest
            .extract()
            .map_err(|_| PyTypeError::new_err("dest must be a path or a binary file object"))?;
        let file = File::create(path)?;
        match write_cases(BufWriter::new(file), cases, now) {
            Ok(s) => s,
            Err(Failure::Py(e)) => return Err(e),
            Err(Failure::Archive(e)) => return Err(errors::archive(e)),
        }
    };
    to_py(py, &summary)
}

/// Erases the closed cases of `store` whose retention rule ran out
/// (`siproc_core::erasure::erase_due`); returns counts only.
#[pyfunction]
#[pyo3(signature = (store, *, actor, catalog = None, now = None, dry_run = false))]
pub fn erase_due<'py>(
    py: Python<'py>,
    store: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    dry_run: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (files, actor) = (files_of(store)?, actor_of(actor)?);
    let store = store_of(store)?;
    let (catalog, now) = (catalog_of(catalog)?, instant(now, "now")?);
    let report = py
        .detach(|| {
            siproc_core::erasure::erase_due(&*store, &*files, &catalog, &actor, now, dry_run)
        })
        .map_err(|e| errors::store(&e))?;
    to_py(py, &report)
}

// ---------------------------------------------------------------------------------------------
// Forms

/// The forms a case needs in its state: `{"form", "title", "generated"}` dicts.
#[pyfunction]
#[pyo3(signature = (case, *, catalog = None))]
pub fn required_forms<'py>(
    py: Python<'py>,
    case: &Bound<'py, PyAny>,
    catalog: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (case, catalog) = (case_of(case)?, catalog_of(catalog)?);
    to_py(py, &forms::required_forms(&case, &catalog))
}

/// Renders form `form_id` for `case` as a PDF whose verification code is the case's `head`.
#[pyfunction]
#[pyo3(signature = (case, form_id, *, catalog = None, locale = "es", generated_at = None))]
pub fn render_form<'py>(
    py: Python<'py>,
    case: &Bound<'py, PyAny>,
    form_id: &str,
    catalog: Option<&Bound<'py, PyAny>>,
    locale: &str,
    generated_at: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (case, catalog) = (case_of(case)?, catalog_of(catalog)?);
    let options = forms::RenderOptions {
        generated_at: instant(generated_at, "generated_at")?,
        verification_hash: case.head.clone(),
        locale: self::locale(locale)?,
        verify_origin: None,
    };
    let rendered = py
        .detach(|| forms::render_form(&case, &catalog, form_id, &options))
        .map_err(|e| errors::form(&e))?;
    Ok(PyBytes::new(py, &rendered.bytes))
}

/// Registers the classes and functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyActor>()?;
    m.add_class::<PyCaseHistory>()?;
    m.add_class::<PyStore>()?;
    m.add_class::<PyMemoryStore>()?;
    m.add_function(wrap_pyfunction!(open_store, m)?)?;
    m.add_function(wrap_pyfunction!(open_case, m)?)?;
    m.add_function(wrap_pyfunction!(erase_due, m)?)?;
    m.add_function(wrap_pyfunction!(apply, m)?)?;
    m.add_function(wrap_pyfunction!(replay, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(write_archive, m)?)?;
    m.add_function(wrap_pyfunction!(verify_archive, m)?)?;
    m.add_function(wrap_pyfunction!(import_archive, m)?)?;
    m.add_function(wrap_pyfunction!(read_archive, m)?)?;
    m.add_function(wrap_pyfunction!(required_forms, m)?)?;
    m.add_function(wrap_pyfunction!(render_form, m)?)?;
    Ok(())
}
