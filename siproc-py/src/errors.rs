//! The core's errors as the exceptions of `siproc._errors`.
//!
//! Each exception carries the core error's stable code and its message, which names fields,
//! positions, versions and codes, never a value from a case. Nothing is decided here: the core
//! says what went wrong, this module only picks the Python class.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use siproc_core::archive::ArchiveError;
use siproc_core::attachments::AttachError;
use siproc_core::blobs::BlobError;
use siproc_core::forms::{FormError, GenerateError};
use siproc_core::history::HistoryError;
use siproc_core::store::StoreError;
use siproc_core::workflow::WorkflowError;

use crate::PyReport;

/// An instance of `siproc._errors.<class>(*args, **kwargs)` as a `PyErr`.
fn build<'py>(
    py: Python<'py>,
    class: &str,
    args: impl pyo3::call::PyCallArgs<'py>,
    kwargs: &[(&str, Bound<'py, PyAny>)],
) -> PyErr {
    let made = (|| -> PyResult<Bound<'py, PyAny>> {
        let cls = py.import("siproc._errors")?.getattr(class)?;
        let extra = PyDict::new(py);
        for (k, v) in kwargs {
            extra.set_item(*k, v)?;
        }
        cls.call(args, Some(&extra))
    })();
    match made {
        Ok(err) => PyErr::from_value(err),
        Err(err) => err,
    }
}

/// `siproc.<class>(message, code)` with keyword attributes.
pub fn raise(class: &str, message: &str, code: &str, kwargs: &[(&str, Arg)]) -> PyErr {
    Python::attach(|py| {
        let kwargs: Vec<(&str, Bound<'_, PyAny>)> =
            kwargs.iter().map(|(k, v)| (*k, v.to_object(py))).collect();
        build(py, class, (message, code), &kwargs)
    })
}

/// A plain value given to an exception's keyword argument.
pub enum Arg {
    /// `None`.
    None,
    /// An integer.
    Int(u64),
    /// A text.
    Text(String),
    /// A Python object.
    Object(Py<PyAny>),
}

impl Arg {
    fn to_object<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        match self {
            Arg::None => py.None().into_bound(py),
            Arg::Int(n) => n
                .into_pyobject(py)
                .map(Bound::into_any)
                .unwrap_or_else(|_| py.None().into_bound(py)),
            Arg::Text(t) => pyo3::types::PyString::new(py, t).into_any(),
            Arg::Object(o) => o.bind(py).clone(),
        }
    }
}

fn opt_text(t: Option<&str>) -> Arg {
    t.map_or(Arg::None, |t| Arg::Text(t.to_owned()))
}

/// The core's misuse verdict (an unknown locale or pack, an input past the limits) as
/// `siproc.MalformedError` (a `ValueError`) with the core's code.
pub fn misuse(m: siproc_core::Misuse) -> PyErr {
    raise("MalformedError", &m.to_string(), m.code(), &[])
}

/// Input that is not in siproc's format: `MalformedError(message, code, path=...)`.
pub fn malformed(code: &str, message: &str, path: &str) -> PyErr {
    raise(
        "MalformedError",
        message,
        code,
        &[("path", Arg::Text(path.to_owned()))],
    )
}

/// A history that does not verify or replay: `TamperError` with the history code, and for
/// tampering the event's position, sequence number and the reason.
pub fn history(e: &HistoryError) -> PyErr {
    let (index, seq, reason) = match e {
        HistoryError::Tampered {
            index, seq, reason, ..
        } => (
            Arg::Int(*index as u64),
            Arg::Int(*seq),
            Arg::Text(reason.as_str().to_owned()),
        ),
        HistoryError::Invalid { seq, .. } | HistoryError::Erased { seq } => {
            (Arg::None, Arg::Int(*seq), Arg::None)
        }
        HistoryError::NotCanonical { seq, .. } => {
            (Arg::None, seq.map_or(Arg::None, Arg::Int), Arg::None)
        }
        _ => (Arg::None, Arg::None, Arg::None),
    };
    raise(
        "TamperError",
        &e.to_string(),
        e.code(),
        &[("index", index), ("seq", seq), ("reason", reason)],
    )
}

/// A report-carrying refusal as `ValidationError(report, None, code)`: its message lists the
/// report's error codes and paths.
pub fn validation(report: &siproc_core::Report, code: &str) -> PyErr {
    Python::attach(|py| match Py::new(py, PyReport(report.clone())) {
        Ok(report) => build(py, "ValidationError", (report, py.None(), code), &[]),
        Err(err) => err,
    })
}

/// A workflow refusal: `ValidationError` for an invalid intake or correction (with the report),
/// `TamperError` for a history problem, `WorkflowError` otherwise.
pub fn workflow(e: &WorkflowError) -> PyErr {
    match e {
        WorkflowError::InvalidIntake { report }
        | WorkflowError::InvalidCorrection { report, .. } => validation(report, e.code()),
        WorkflowError::History(h) => history(h),
        _ => raise("WorkflowError", &e.to_string(), e.code(), &[]),
    }
}

/// A form that could not be rendered: `FormError` with the form id and the field at fault.
pub fn form(e: &FormError) -> PyErr {
    raise(
        "FormError",
        &e.to_string(),
        e.code,
        &[
            ("form", Arg::Text(e.form.clone())),
            ("field", opt_text(e.field.as_deref())),
        ],
    )
}

/// A form generation refused by the renderer or the workflow.
pub fn generate(e: &GenerateError) -> PyErr {
    match e {
        GenerateError::Form(f) => form(f),
        GenerateError::Workflow(w) => workflow(w),
        _ => raise("SiprocError", &e.to_string(), e.code(), &[]),
    }
}

/// A store error: `ConflictError` (with `current`), or the class of the inner error, or
/// `StoreError` (not found, duplicate case, number taken, backend).
pub fn store(e: &StoreError) -> PyErr {
    match e {
        StoreError::Conflict { current } => raise(
            "ConflictError",
            &e.to_string(),
            e.code(),
            &[("current", Arg::Int(*current))],
        ),
        StoreError::Invalid(h) => history(h),
        StoreError::Rejected(w) => workflow(w),
        StoreError::Form(f) => form(f),
        _ => raise("StoreError", &e.to_string(), e.code(), &[]),
    }
}

/// A subject access report refused: `MalformedError` (`subject_access.no_terms`: neither a
/// document number nor a name), or the store's or the form's class.
pub fn subject_access(e: &siproc_core::subject_access::SubjectAccessError) -> PyErr {
    use siproc_core::subject_access::SubjectAccessError;
    match e {
        SubjectAccessError::Store(s) => store(s),
        SubjectAccessError::Pdf(f) => form(f),
        other => raise("MalformedError", &other.to_string(), other.code(), &[]),
    }
}

/// An archive that could not be read or written: the I/O error as Python's `OSError`, or the
/// class of the inner error.
pub fn archive(e: ArchiveError) -> PyErr {
    match e {
        ArchiveError::Io(io) => io.into(),
        ArchiveError::Store(s) => store(&s),
        ArchiveError::History(h) => history(&h),
        ArchiveError::Blob(b) => blob(&b),
        other => raise("SiprocError", &other.to_string(), other.code(), &[]),
    }
}

/// A file refused, not attached or erased: `AttachmentError` with the core's code
/// (`attachment.*`); a refusal of the workflow or the store as theirs; a blob storage failure
/// as `StoreError` (`blob.*`).
pub fn attachment(e: &AttachError) -> PyErr {
    match e {
        AttachError::Rejected(w) => workflow(w),
        AttachError::Store(s) => store(s),
        AttachError::Blob(b) => blob(b),
        _ => raise("AttachmentError", &e.to_string(), e.code(), &[]),
    }
}

/// A blob storage failure or a bad setting: `StoreError` with the `blob.*` code.
pub fn blob(e: &BlobError) -> PyErr {
    raise("StoreError", &e.to_string(), e.code(), &[])
}

/// A value the core produced could not be converted (never expected).
pub fn internal() -> PyErr {
    PyValueError::new_err("siproc could not convert a value it produced")
}
