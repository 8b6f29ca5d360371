//! A portable archive of cases with their full histories and their files, as JSON Lines.
//!
//! # Format (version 2)
//!
//! UTF-8, one JSON object per line, each line ending in `\n`, each written exactly as
//! `serde_json` writes the record (compact, members in declaration order):
//!
//! 1. a header: `{"archive":"siproc","version":2,"exported_at":"2026-03-02T15:04:05.123456Z"}`;
//! 2. one line per case: `{"case_id":…,"number":…,"version":n,"head":…,"events":[…]}`, where
//!    `events` is the whole history (see [`crate::history`] for the event format and hash) and
//!    `version`/`head` its [`Anchor`], followed by one line per file of that case the blob
//!    storage keeps ([`crate::blobs`]): `{"file":SHA256,"case_id":…,"content":BASE64}`, where
//!    `file` is the SHA-256 (lowercase hex) of the content, which is in standard base64 with
//!    padding (RFC 4648, section 4). The content is the file as uploaded (after its checks), in
//!    clear, as the histories are: an archive is encrypted as a whole when it leaves the
//!    machine, never with a store's keys, so that it imports into another store and verifies
//!    without any key. Files come in the order the case lists its attachments; only files the
//!    case lists; none for a case whose personal data was erased (its files went with it);
//! 3. a trailer: `{"end":"siproc","cases":N,"events":M,"files":F,"digest":…}`, where `digest`
//!    is the SHA-256 (lowercase hex) of every byte before the trailer line.
//!
//! Version 1 (written before archives carried files) is read too: the same without file lines
//! and without the trailer's `files`. A file is one line, so an archive stays one stream that
//! a server can send piece by piece and a reader can check with SHA-256 and base64 alone.
//!
//! # What import checks, before writing anything
//!
//! Every case line must parse, be byte-for-byte in its canonical form (so that no byte can
//! change without notice), verify against its own anchor ([`history::verify_against`]: changed,
//! removed, reordered, inserted, truncated or foreign events), replay, and agree with its
//! `case_id` and `number`; no case may appear twice, nor two cases under one number
//! (`store.number_taken`, the later line), and the store must not hold a different history
//! for it or another case under its number. Every file line must be canonical too,
//! follow its own case's line, name a file that case lists (once), and its content must have
//! that SHA-256: a changed byte rejects the case as `blob.damaged`, naming it. The header, the
//! trailer's counts and digest catch lines added, removed or changed anywhere in the file.
//!
//! Each rejected case is reported with its line and reason. By default nothing is written
//! unless the whole file is sound; [`ImportOptions::partial`] writes the sound cases anyway.
//! Import reads the file twice (verify, then write), so it holds one case at a time in memory
//! while verifying, and at most four batches of [`IMPORT_BATCH`] cases (or of
//! [`IMPORT_BATCH_BYTES`] of files) while writing: the store gets them in batches
//! ([`CaseStore::put_histories`]), one transaction and one disk flush each, two at a time on
//! threads of their own, while the next batch is read and parsed. Each written case's files
//! then go to the target's blob storage through [`blobs::put`], encrypted with the target store's key
//! for that case; the files of a case the store already held are put too (idempotent), so
//! importing again finishes an import whose files could not all be kept.
//!
//! A consistent rewrite of a whole case line *and* the trailer cannot be detected from the
//! file alone (hashes are not signatures); compare the anchors with ones held elsewhere.

use std::io::{BufRead, Seek, SeekFrom, Write};
use std::sync::{Mutex, mpsc};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::blobs::{self, BlobError, BlobStore};
use crate::hex::to_hex;
use crate::history::{self, Anchor, Event, EventKind, HistoryError};
use crate::store::{CaseQuery, CaseStore, CaseSummary, KnownCases, PutOutcome, StoreError};

/// The `archive` member of the header.
pub const FORMAT: &str = "siproc";
/// The format version this code writes.
pub const VERSION: u32 = 2;
/// The format versions this code reads: 1 (without files) and 2.
pub const READS: [u32; 2] = [1, 2];

/// How many cases [`import`] hands the store at a time ([`CaseStore::put_histories`]: one
/// transaction, one disk flush): enough to make the flush's cost small per case, few enough
/// to keep memory bounded (a batch is held in memory while written).
pub const IMPORT_BATCH: usize = 1_000;

/// A batch of [`import`] holds at most about this many bytes of files (one file more, at most).
pub const IMPORT_BATCH_BYTES: usize = 64 << 20;

/// How many batches [`import`] has the store write at once, each on a thread of its own: a
/// database server (PostgreSQL) inserts one batch's rows on one connection while the next
/// batch is verified and sent on another (the import waited on each batch's inserts and
/// commit before); the embedded store's single writer takes them in turn, verified by their
/// threads in parallel.
const IMPORT_WRITERS: usize = 2;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    archive: String,
    version: u32,
    exported_at: DateTime<Utc>,
}

/// One case line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRecord {
    /// The case id.
    pub case_id: Uuid,
    /// The case number.
    pub number: String,
    /// Number of events.
    pub version: u64,
    /// Hash of the last event.
    pub head: String,
    /// The whole history.
    pub events: Vec<Event>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: String,
    cases: u64,
    events: u64,
    /// Version 2 on; absent in version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    files: Option<u64>,
    digest: String,
}

/// One file line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLine {
    file: String,
    case_id: Uuid,
    content: String,
}

/// Reading or writing failed, or the file is not an archive at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Input or output failed.
    #[error("archive I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The store failed while exporting.
    #[error("store failed: {0}")]
    Store(#[from] StoreError),
    /// A history could not be written (a value without canonical form).
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A case's file could not be read for export (the blob storage failed, or a kept file is
    /// damaged: `blob.damaged` names the case).
    #[error(transparent)]
    Blob(#[from] BlobError),
}

impl ArchiveError {
    /// The stable machine code: `archive.io`, or the inner `store.*` / `history.*` /
    /// `blob.*` code.
    pub fn code(&self) -> &'static str {
        match self {
            ArchiveError::Io(_) => "archive.io",
            ArchiveError::Store(e) => e.code(),
            ArchiveError::History(e) => e.code(),
            ArchiveError::Blob(e) => e.code(),
        }
    }
}

/// What an export wrote. Serialised as `{cases, events, files, digest}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Case lines.
    pub cases: u64,
    /// Events in all.
    pub events: u64,
    /// File lines.
    pub files: u64,
    /// The trailer's digest.
    pub digest: String,
}

/// Writes an archive line by line.
pub struct ArchiveWriter<W: Write> {
    out: W,
    digest: Sha256,
    cases: u64,
    events: u64,
    files: u64,
    line: Vec<u8>,
}

impl<W: Write> ArchiveWriter<W> {
    /// Starts an archive: writes the header.
    pub fn new(out: W, exported_at: DateTime<Utc>) -> Result<Self, ArchiveError> {
        let mut w = ArchiveWriter {
            out,
            digest: Sha256::new(),
            cases: 0,
            events: 0,
            files: 0,
            line: Vec::new(),
        };
        let header = Header {
            archive: FORMAT.to_owned(),
            version: VERSION,
            exported_at,
        };
        w.write_line(&header)?;
        Ok(w)
    }

    fn write_line<T: Serialize>(&mut self, value: &T) -> Result<(), ArchiveError> {
        self.encode_line(value)?;
        self.emit_line()
    }

    /// Encodes `value` as the next line, not yet written.
    fn encode_line<T: Serialize>(&mut self, value: &T) -> Result<(), ArchiveError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value).map_err(std::io::Error::other)?;
        self.line.push(b'\n');
        Ok(())
    }

    /// Writes the line encoded last.
    fn emit_line(&mut self) -> Result<(), ArchiveError> {
        self.digest.update(&self.line);
        self.out.write_all(&self.line)?;
        Ok(())
    }

    /// Writes one case with its whole history.
    pub fn write_case(&mut self, events: &[Event]) -> Result<(), ArchiveError> {
        self.encode_case(events)?;
        self.emit_line()
    }

    /// Writes one file of the case written last: its content and the SHA-256 of it (which the
    /// caller has checked, as [`blobs::get`] does).
    pub fn write_file(
        &mut self,
        case_id: Uuid,
        sha256: &str,
        content: &[u8],
    ) -> Result<(), ArchiveError> {
        self.write_line(&FileLine {
            file: sha256.to_owned(),
            case_id,
            content: BASE64.encode(content),
        })?;
        self.files += 1;
        Ok(())
    }

    /// Encodes one case's line ([`write_case`](Self::write_case) without the writing), so
    /// that an export can encode it from events a store lends under its lock and write it
    /// after the lock is released.
    fn encode_case(&mut self, events: &[Event]) -> Result<(), ArchiveError> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            case_id: Uuid,
            number: &'a str,
            version: u64,
            head: &'a str,
            events: &'a [Event],
        }
        let first = events.first().ok_or(HistoryError::Empty)?;
        let last = events.last().ok_or(HistoryError::Empty)?;
        let number = match &first.kind {
            history::EventKind::CaseOpened(o) => o.number.as_str(),
            _ => {
                return Err(HistoryError::Invalid {
                    seq: first.seq,
                    reason: "not_opened",
                }
                .into());
            }
        };
        self.encode_line(&Borrowed {
            case_id: first.case_id,
            number,
            version: last.seq,
            head: &last.hash,
            events,
        })?;
        self.cases += 1;
        self.events += events.len() as u64;
        Ok(())
    }

    /// Writes the trailer and returns what was written.
    pub fn finish(mut self) -> Result<ExportSummary, ArchiveError> {
        let digest = to_hex(&self.digest.clone().finalize());
        let trailer = Trailer {
            end: FORMAT.to_owned(),
            cases: self.cases,
            events: self.events,
            files: Some(self.files),
            digest: digest.clone(),
        };
        self.write_line(&trailer)?;
        self.out.flush()?;
        Ok(ExportSummary {
            cases: self.cases,
            events: self.events,
            files: self.files,
            digest,
        })
    }
}

/// Exports the cases matching `query`, ordered by case number, with the files `files` keeps
/// for them (`None`: the cases alone, as for a store that keeps no files).
pub fn export(
    store: &dyn CaseStore,
    files: Option<&dyn BlobStore>,
    query: &CaseQuery,
    out: &mut dyn Write,
    now: DateTime<Utc>,
) -> Result<ExportSummary, ArchiveError> {
    export_with(store, files, query, out, now, &mut |_| {})
}

/// [`export`], calling `exported` with each case written (a server logs every exported case
/// in its access log).
pub fn export_with(
    store: &dyn CaseStore,
    files: Option<&dyn BlobStore>,
    query: &CaseQuery,
    out: &mut dyn Write,
    now: DateTime<Utc>,
    exported: &mut dyn FnMut(&CaseSummary),
) -> Result<ExportSummary, ArchiveError> {
    let mut w = ArchiveWriter::new(out, now)?;
    // The cases a page at a time, so that what is held does not grow with the store (every
    // summary at once was about 100 MB for 200,000 cases, kept by the allocator afterwards).
    let mut page = query.clone();
    let mut left = query.limit;
    loop {
        let size = left.map_or(EXPORT_PAGE, |l| l.min(EXPORT_PAGE));
        if size == 0 {
            break;
        }
        page.limit = Some(size);
        let summaries = store.list(&page)?;
        for summary in &summaries {
            // Encoded while the store lends the events, written once it has them back: writing
            // may run a caller's code (a Python file object), which must not find the store
            // locked.
            let mut encoded = Ok(Vec::new());
            store.read_events(summary.id, &mut |events| {
                encoded = w
                    .encode_case(events)
                    .and_then(|()| Ok(listed_files(events)?));
            })?;
            let listed = encoded?;
            w.emit_line()?;
            if let Some(blobs) = files {
                export_files(&mut w, store, blobs, summary.id, &listed)?;
            }
            exported(summary);
        }
        left = left.map(|l| l.saturating_sub(summaries.len()));
        match summaries.last() {
            Some(last) if summaries.len() == size => page.after = Some(last.number.clone()),
            _ => break,
        }
    }
    w.finish()
}

/// How many cases [`export_with`] lists at a time.
const EXPORT_PAGE: usize = 1_000;

/// The digests of the files the case of `events` lists, in its order; none once its personal
/// data was erased (its files went with it).
fn listed_files(events: &[Event]) -> Result<Vec<String>, HistoryError> {
    let lists = events.iter().any(|e| match &e.kind {
        EventKind::AttachmentAdded(_) => true,
        EventKind::CaseOpened(o) => !o.attachments.is_empty(),
        _ => false,
    });
    if !lists {
        return Ok(Vec::new());
    }
    Ok(kept_files(history::replay(events)?))
}

/// The digests of the files `case` lists, in its order; none once its personal data was erased
/// (its files went with it).
fn kept_files(case: crate::case::Case) -> Vec<String> {
    if case.erased.is_empty() {
        case.attachments.into_iter().map(|a| a.sha256).collect()
    } else {
        Vec::new()
    }
}

/// Writes the files of `listed` that `blobs` keeps for `case_id`, decrypted and checked.
fn export_files<W: Write>(
    w: &mut ArchiveWriter<W>,
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    case_id: Uuid,
    listed: &[String],
) -> Result<(), ArchiveError> {
    if listed.is_empty() {
        return Ok(());
    }
    let key = store.blob_key(case_id)?;
    for sha256 in listed {
        match blobs::get(blobs, key.as_ref(), case_id, sha256) {
            Ok(content) => w.write_file(case_id, sha256, &content)?,
            // Listed and never kept (an intake's attachment known by its digest only): the
            // case line says what it was.
            Err(BlobError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// How to import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Write the sound cases even when others are rejected or the file's envelope is broken.
    pub partial: bool,
}

/// Why a case line was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The line is not a case record (bad JSON or shape); the column where parsing stopped.
    #[error("not a case record (column {column})")]
    Malformed {
        /// 1-based column.
        column: usize,
    },
    /// The line parses but is not written as the exporter writes it.
    #[error("the line is not in canonical form")]
    NotCanonical,
    /// The line's `case_id`, `number`, `version` or `head` disagrees with its events.
    #[error("the line's {field} does not match its events")]
    Mismatch {
        /// Which member.
        field: &'static str,
    },
    /// The same case appears on an earlier line.
    #[error("the case appears twice in the file")]
    Duplicate,
    /// The history does not verify or replay.
    #[error("{0}")]
    History(HistoryError),
    /// The store refused it (another history for this id, or the number is taken).
    #[error("{0}")]
    Store(StoreError),
    /// One of its files: its content does not have its SHA-256 (`blob.damaged`, naming the
    /// case), or the target's blob storage failed to keep it (the case was written, the file
    /// not: importing again keeps it).
    #[error("{0}")]
    File(BlobError),
}

impl Rejection {
    /// The stable machine code: `archive.malformed`, `archive.not_canonical`,
    /// `archive.mismatch`, `archive.duplicate`, or the inner `history.*` / `store.*` /
    /// `blob.*` code.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed { .. } => "archive.malformed",
            Rejection::NotCanonical => "archive.not_canonical",
            Rejection::Mismatch { .. } => "archive.mismatch",
            Rejection::Duplicate => "archive.duplicate",
            Rejection::History(e) => e.code(),
            Rejection::Store(e) => e.code(),
            Rejection::File(e) => e.code(),
        }
    }
}

/// A rejected case. Serialised as `{line, case_id, code, message}` (the reason's code and
/// text, which never hold personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCase {
    /// 1-based line number in the file.
    pub line: usize,
    /// The case id, when the line got that far.
    pub case_id: Option<Uuid>,
    /// Why.
    pub reason: Rejection,
}

/// A problem with the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileProblem {
    /// The first line is not a siproc archive header.
    #[error("the first line is not an archive header")]
    BadHeader,
    /// The header names a version this code does not read.
    #[error("unsupported archive version")]
    UnsupportedVersion,
    /// The file has no trailer: it was truncated.
    #[error("the trailer is missing")]
    MissingTrailer,
    /// The trailer's counts disagree with the file: lines were added or removed.
    #[error("the trailer's counts do not match")]
    CountMismatch,
    /// The trailer's digest disagrees with the file: something before it changed.
    #[error("the trailer's digest does not match")]
    DigestMismatch,
    /// A line does not end with a newline.
    #[error("a line does not end with a newline")]
    MissingNewline,
    /// There is something after the trailer.
    #[error("there is data after the trailer")]
    TrailingData,
}

impl FileProblem {
    /// The stable machine code (`archive.bad_header`, `archive.digest_mismatch`, …).
    pub fn code(self) -> &'static str {
        match self {
            FileProblem::BadHeader => "archive.bad_header",
            FileProblem::UnsupportedVersion => "archive.unsupported_version",
            FileProblem::MissingTrailer => "archive.missing_trailer",
            FileProblem::CountMismatch => "archive.count_mismatch",
            FileProblem::DigestMismatch => "archive.digest_mismatch",
            FileProblem::MissingNewline => "archive.missing_newline",
            FileProblem::TrailingData => "archive.trailing_data",
        }
    }
}

impl Serialize for RejectedCase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("RejectedCase", 4)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("case_id", &self.case_id)?;
        out.serialize_field("code", self.reason.code())?;
        out.serialize_field("message", &self.reason.to_string())?;
        out.end()
    }
}

impl Serialize for FileProblem {
    /// `{code, message}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("FileProblem", 2)?;
        out.serialize_field("code", self.code())?;
        out.serialize_field("message", &self.to_string())?;
        out.end()
    }
}

/// What a verification found: [`ImportReport::verification`], serialised as
/// `{ok, cases, rejected, file}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification<'a> {
    /// Whether the file was sound and every case accepted.
    pub ok: bool,
    /// Case lines read.
    pub cases: usize,
    /// Cases rejected, with their reasons.
    pub rejected: &'a [RejectedCase],
    /// Problems with the file as a whole.
    pub file: &'a [FileProblem],
}

/// What an import found and did. Serialised as `{ok, cases, rejected, file, imported,
/// unchanged, files, written}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Case lines read.
    pub cases: usize,
    /// Cases written to the store.
    pub imported: usize,
    /// Cases the store already held with the same history.
    pub unchanged: usize,
    /// Files put in the target's blob storage (those it already kept included).
    pub files: usize,
    /// Cases rejected, with their reasons.
    pub rejected: Vec<RejectedCase>,
    /// Problems with the file as a whole.
    pub file: Vec<FileProblem>,
    /// Whether anything was written.
    pub written: bool,
}

impl Serialize for ImportReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("ImportReport", 8)?;
        out.serialize_field("ok", &self.is_clean())?;
        out.serialize_field("cases", &self.cases)?;
        out.serialize_field("rejected", &self.rejected)?;
        out.serialize_field("file", &self.file)?;
        out.serialize_field("imported", &self.imported)?;
        out.serialize_field("unchanged", &self.unchanged)?;
        out.serialize_field("files", &self.files)?;
        out.serialize_field("written", &self.written)?;
        out.end()
    }
}

// The schemas of the hand-written serialisations above, beside them: what an API that sends
// these types documents (the reference server's OpenAPI document).
impl schemars::JsonSchema for RejectedCase {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RejectedCase".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A rejected case: its line, its id when the line got that far, and the reason's stable code and message (never personal data).",
            "type": "object",
            "properties": {
                "line": {"type": "integer", "minimum": 1, "description": "1-based line number in the file."},
                "case_id": generator.subschema_for::<Option<Uuid>>(),
                "code": {"type": "string", "description": "`archive.malformed`, `archive.not_canonical`, `archive.mismatch`, `archive.duplicate`, or a `history.*` / `store.*` / `blob.*` code (`blob.damaged`: a file's content does not have its SHA-256)."},
                "message": {"type": "string"},
            },
            "required": ["line", "case_id", "code", "message"],
            "additionalProperties": false,
        })
    }
}

impl schemars::JsonSchema for FileProblem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FileProblem".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes = [
            FileProblem::BadHeader,
            FileProblem::UnsupportedVersion,
            FileProblem::MissingTrailer,
            FileProblem::CountMismatch,
            FileProblem::DigestMismatch,
            FileProblem::MissingNewline,
            FileProblem::TrailingData,
        ]
        .map(FileProblem::code);
        schemars::json_schema!({
            "description": "A problem with the archive file as a whole.",
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": codes},
                "message": {"type": "string"},
            },
            "required": ["code", "message"],
            "additionalProperties": false,
        })
    }
}

impl schemars::JsonSchema for ImportReport {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImportReport".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let count = || serde_json::json!({"type": "integer", "minimum": 0});
        schemars::json_schema!({
            "description": "What an import found and did.",
            "type": "object",
            "properties": {
                "ok": {"type": "boolean", "description": "Whether the file was sound and every case accepted."},
                "cases": count(),
                "rejected": generator.subschema_for::<Vec<RejectedCase>>(),
                "file": generator.subschema_for::<Vec<FileProblem>>(),
                "imported": count(),
                "unchanged": count(),
                "files": {"type": "integer", "minimum": 0, "description": "Files put in the target's blob storage (those it already kept included)."},
                "written": {"type": "boolean", "description": "Whether anything was written."},
            },
            "required": ["ok", "cases", "rejected", "file", "imported", "unchanged", "files", "written"],
            "additionalProperties": false,
        })
    }
}

impl ImportReport {
    /// The verification part of the report (what callers that only [`check`] show).
    pub fn verification(&self) -> Verification<'_> {
        Verification {
            ok: self.is_clean(),
            cases: self.cases,
            rejected: &self.rejected,
            file: &self.file,
        }
    }

    /// Whether the file was sound and every case accepted.
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty() && self.file.is_empty()
    }

    /// Why a face refuses the archive: the first problem's code (`archive.rejected` when there
    /// is none) and a message naming problems by code and line, never by content — the first
    /// five rejected cases, then how many more.
    pub fn refusal(&self) -> (&'static str, String) {
        const LISTED: usize = 5;
        let first = self
            .file
            .first()
            .map(|p| p.code())
            .or_else(|| self.rejected.first().map(|c| c.reason.code()))
            .unwrap_or("archive.rejected");
        let mut parts: Vec<String> = self.file.iter().map(|p| p.code().to_owned()).collect();
        parts.extend(
            self.rejected
                .iter()
                .take(LISTED)
                .map(|c| format!("line {}: {}", c.line, c.reason.code())),
        );
        if self.rejected.len() > LISTED {
            parts.push(format!("and {} more", self.rejected.len() - LISTED));
        }
        let message = format!(
            "the archive does not verify ({} of {} cases rejected): {}",
            self.rejected.len(),
            self.cases,
            parts.join("; ")
        );
        (first, message)
    }
}

/// What the verifying pass found about each line.
struct Scan {
    cases: usize,
    events: u64,
    files: u64,
    rejected: Vec<RejectedCase>,
    file: Vec<FileProblem>,
    /// Accepted cases, in file order.
    accepted: Vec<Accepted>,
}

/// An accepted case line.
struct Accepted {
    /// Its line (1-based).
    line: usize,
    /// Whether the store already holds this very history.
    known: bool,
    /// The lines of its files.
    files: Vec<usize>,
}

/// The case line read last, while the file lines after it are read.
struct Current {
    case_id: Uuid,
    /// `None` when the case line itself was rejected.
    accepted: Option<Accepted>,
    /// The digests of the files its case lists that no file line has given yet.
    listed: Vec<String>,
    /// Why one of its file lines rejects it.
    rejection: Option<RejectedCase>,
}

impl Current {
    /// A rejected case line: the file lines after it are its own, and rejected with it.
    fn rejected(case_id: Uuid) -> Current {
        Current {
            case_id,
            accepted: None,
            listed: Vec::new(),
            rejection: None,
        }
    }

    /// Adds the case, its file lines read, to the accepted or rejected ones.
    fn close(self, scan: &mut Scan) {
        match (self.accepted, self.rejection) {
            (_, Some(rejected)) => scan.rejected.push(rejected),
            (Some(accepted), None) => scan.accepted.push(accepted),
            (None, None) => {}
        }
    }
}

/// Checks an archive without writing anything. `store`, when given, is consulted for cases it
/// already holds. Files are checked against their digests; no key is needed.
pub fn check<R: BufRead>(
    input: &mut R,
    store: Option<&dyn CaseStore>,
) -> Result<ImportReport, ArchiveError> {
    let scan = scan(input, store)?;
    Ok(ImportReport {
        cases: scan.cases,
        rejected: scan.rejected,
        file: scan.file,
        ..ImportReport::default()
    })
}

/// Imports an archive into `store`: verifies every line and the file first, then writes the
/// cases, and their files into `files` (the target's blob storage), encrypted with the
/// store's key for each case. With `files` `None` (a store that keeps no files), the files
/// are checked and not kept.
pub fn import<R: BufRead + Seek>(
    store: &dyn CaseStore,
    files: Option<&dyn BlobStore>,
    input: &mut R,
    options: ImportOptions,
) -> Result<ImportReport, ArchiveError> {
    let start = input.stream_position()?;
    let scan = scan(input, Some(store))?;
    let mut report = ImportReport {
        cases: scan.cases,
        rejected: scan.rejected,
        file: scan.file,
        ..ImportReport::default()
    };
    if !(report.is_clean() || options.partial) || scan.accepted.is_empty() {
        report.unchanged = scan.accepted.iter().filter(|a| a.known).count();
        return Ok(report);
    }
    input.seek(SeekFrom::Start(start))?;
    // The store writes IMPORT_WRITERS batches at once while the next is read and parsed (at
    // most one more waits); each writer answers its own part of the report.
    let (to_store, batches) = mpsc::sync_channel::<Vec<Pending>>(1);
    let batches = Mutex::new(batches);
    let next = || batches.lock().ok().and_then(|b| b.recv().ok());
    let parts = std::thread::scope(|s| {
        // Dropped when this closure ends, early or not: the writers then stop.
        let to_store = to_store;
        let writers = (0..IMPORT_WRITERS)
            .map(|_| {
                std::thread::Builder::new()
                    .name("siproc-archive-import".into())
                    .spawn_scoped(s, || {
                        let mut written = ImportReport::default();
                        while let Some(mut batch) = next() {
                            write_batch(store, files, &mut batch, &mut written);
                        }
                        written
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let read = read_accepted(
            input,
            &scan.accepted,
            files.is_some(),
            &mut report,
            &mut |batch| {
                // Writers that stopped answer through `join` below.
                let _ = to_store.send(batch);
            },
        );
        drop(to_store);
        let parts: Vec<ImportReport> = writers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        read.map(|()| parts)
    })?;
    for part in parts {
        report.imported += part.imported;
        report.unchanged += part.unchanged;
        report.files += part.files;
        report.written |= part.written;
        report.rejected.extend(part.rejected);
    }
    report.rejected.sort_by_key(|c| c.line);
    Ok(report)
}

/// A case of the second pass of [`import`]: its history to write, unless the store holds it,
/// and its files to keep.
struct Pending {
    line: usize,
    case_id: Uuid,
    record: Option<CaseRecord>,
    /// Digest and content.
    files: Vec<(String, Vec<u8>)>,
}

/// Reads lines up to line `wanted` (1-based) into `buf`; `false` if the input ends first.
fn read_to<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    line_no: &mut usize,
    wanted: usize,
) -> Result<bool, ArchiveError> {
    while *line_no < wanted {
        buf.clear();
        if input.read_until(b'\n', buf)? == 0 {
            return Ok(false);
        }
        *line_no += 1;
    }
    Ok(true)
}

/// The second pass of [`import`]: parses the accepted lines (cases not already stored, and the
/// files of every case when `keep_files`), and hands them to `write` [`IMPORT_BATCH`] cases or
/// [`IMPORT_BATCH_BYTES`] of files at a time.
fn read_accepted<R: BufRead>(
    input: &mut R,
    accepted: &[Accepted],
    keep_files: bool,
    report: &mut ImportReport,
    write: &mut dyn FnMut(Vec<Pending>),
) -> Result<(), ArchiveError> {
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let mut bytes = 0;
    let mut buf = Vec::new();
    let mut line_no = 0;
    'cases: for case in accepted {
        let files = if keep_files { &case.files[..] } else { &[] };
        if case.known && files.is_empty() {
            report.unchanged += 1;
            continue;
        }
        if !read_to(input, &mut buf, &mut line_no, case.line)? {
            break;
        }
        let record = match serde_json::from_slice::<CaseRecord>(strip_newline(&buf)) {
            Ok(record) => record,
            // The file changed between the passes.
            Err(e) => {
                report.rejected.push(RejectedCase {
                    line: case.line,
                    case_id: None,
                    reason: Rejection::Malformed { column: e.column() },
                });
                continue;
            }
        };
        let mut pending = Pending {
            line: case.line,
            case_id: record.case_id,
            record: (!case.known).then_some(record),
            files: Vec::with_capacity(files.len()),
        };
        for &line in files {
            if !read_to(input, &mut buf, &mut line_no, line)? {
                break 'cases;
            }
            let read = serde_json::from_slice::<FileLine>(strip_newline(&buf))
                .ok()
                .filter(|f| f.case_id == pending.case_id)
                .map(|f| file_content(&f).map(|content| (f.file, content)));
            match read {
                Some(Ok(file)) => {
                    bytes += file.1.len();
                    pending.files.push(file);
                }
                // The file changed between the passes.
                _ => {
                    report.rejected.push(RejectedCase {
                        line,
                        case_id: Some(pending.case_id),
                        reason: Rejection::File(BlobError::Damaged {
                            case_id: pending.case_id,
                        }),
                    });
                    continue 'cases;
                }
            }
        }
        batch.push(pending);
        if batch.len() == IMPORT_BATCH || bytes >= IMPORT_BATCH_BYTES {
            bytes = 0;
            write(std::mem::replace(
                &mut batch,
                Vec::with_capacity(IMPORT_BATCH),
            ));
        }
    }
    if !batch.is_empty() {
        write(batch);
    }
    Ok(())
}

fn strip_newline(buf: &[u8]) -> &[u8] {
    buf.strip_suffix(b"\n").unwrap_or(buf)
}

/// Hands the store `batch` ([`CaseStore::put_histories`]: one transaction) and empties it,
/// reporting each case, then keeps the files of each case written or already held in `files`.
/// When the whole batch fails (the backend), each of its cases is rejected with that error:
/// none of them was written, and the next batches are still tried.
fn write_batch(
    store: &dyn CaseStore,
    files: Option<&dyn BlobStore>,
    batch: &mut Vec<Pending>,
    report: &mut ImportReport,
) {
    let histories: Vec<&[Event]> = batch
        .iter()
        .filter_map(|p| p.record.as_ref().map(|r| r.events.as_slice()))
        .collect();
    let outcomes = match histories.is_empty() {
        true => Vec::new(),
        false => match store.put_histories(&histories) {
            Ok(outcomes) => outcomes,
            Err(e) => histories.iter().map(|_| Err(e.clone())).collect(),
        },
    };
    let mut outcomes = outcomes.into_iter();
    for pending in batch.drain(..) {
        let outcome = match pending.record {
            Some(_) => outcomes.next().unwrap_or_else(|| {
                Err(StoreError::Backend {
                    reason: "the store answered fewer cases than it was given".into(),
                })
            }),
            None => Ok(PutOutcome::Unchanged),
        };
        match outcome {
            Ok(PutOutcome::Inserted) => {
                report.imported += 1;
                report.written = true;
            }
            Ok(PutOutcome::Unchanged) => report.unchanged += 1,
            Err(e) => {
                report.rejected.push(RejectedCase {
                    line: pending.line,
                    case_id: Some(pending.case_id),
                    reason: Rejection::Store(e),
                });
                continue;
            }
        }
        let Some(blobs) = files else { continue };
        match keep_files(store, blobs, pending.case_id, &pending.files) {
            Ok(()) => report.files += pending.files.len(),
            Err(e) => report.rejected.push(RejectedCase {
                line: pending.line,
                case_id: Some(pending.case_id),
                reason: Rejection::File(e),
            }),
        }
    }
}

/// Keeps the files of the stored case `case_id` in `blobs`, encrypted with its key.
fn keep_files(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    case_id: Uuid,
    files: &[(String, Vec<u8>)],
) -> Result<(), BlobError> {
    if files.is_empty() {
        return Ok(());
    }
    let key = store.blob_key(case_id)?;
    for (_, content) in files {
        blobs::put(blobs, key.as_ref(), case_id, content)?;
    }
    Ok(())
}

fn scan<R: BufRead>(input: &mut R, store: Option<&dyn CaseStore>) -> Result<Scan, ArchiveError> {
    let mut scan = Scan {
        cases: 0,
        events: 0,
        files: 0,
        rejected: Vec::new(),
        file: Vec::new(),
        accepted: Vec::new(),
    };
    let mut digest = Sha256::new();
    let mut seen = std::collections::HashSet::new();
    let mut numbers = std::collections::HashSet::new();
    let mut buf = Vec::new();
    let mut canonical = Vec::new();
    let mut line_no = 0;
    let mut version = VERSION;
    let mut trailer: Option<Trailer> = None;
    let mut current: Option<Current> = None;
    let mut lookups: Vec<Lookup> = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        if !buf.ends_with(b"\n") && !scan.file.contains(&FileProblem::MissingNewline) {
            scan.file.push(FileProblem::MissingNewline);
        }
        let bytes = strip_newline(&buf);
        // Invalid UTF-8 cannot be a record; an empty text fails parsing below.
        let (text, utf8_error) = match std::str::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => ("", Some(e.valid_up_to() + 1)),
        };
        if trailer.is_some() {
            if !scan.file.contains(&FileProblem::TrailingData) {
                scan.file.push(FileProblem::TrailingData);
            }
            continue;
        }
        if line_no == 1 {
            digest.update(&buf);
            match serde_json::from_str::<Header>(text) {
                Ok(h) if h.archive == FORMAT && canonical_eq(&h, text, &mut canonical) => {
                    if !READS.contains(&h.version) {
                        scan.file.push(FileProblem::UnsupportedVersion);
                        return Ok(scan);
                    }
                    version = h.version;
                }
                _ => {
                    scan.file.push(FileProblem::BadHeader);
                    return Ok(scan);
                }
            }
            continue;
        }
        if text.starts_with("{\"end\":") {
            match serde_json::from_str::<Trailer>(text) {
                Ok(t) if canonical_eq(&t, text, &mut canonical) => {
                    trailer = Some(t);
                    continue;
                }
                // A damaged trailer: count it as a (rejected) line; the trailer is missing.
                _ => {}
            }
        }
        digest.update(&buf);
        if version >= 2 && text.starts_with("{\"file\":") {
            scan.files += 1;
            file_line(&mut scan, current.as_mut(), line_no, text, &mut canonical);
            continue;
        }
        if let Some(done) = current.take() {
            done.close(&mut scan);
            if lookups.len() >= IMPORT_BATCH {
                settle(store, &mut lookups, &mut scan);
            }
        }
        scan.cases += 1;
        if let Some(column) = utf8_error {
            scan.rejected.push(RejectedCase {
                line: line_no,
                case_id: None,
                reason: Rejection::Malformed { column },
            });
            continue;
        }
        let (case_id, reason) = match check_case(text, &mut canonical) {
            Ok((record, listed)) => {
                scan.events += record.events.len() as u64;
                if !seen.insert(record.case_id) {
                    (Some(record.case_id), Rejection::Duplicate)
                } else if !numbers.insert(record.number.clone()) {
                    // Another case of the file has its number: a store never numbers two
                    // cases alike, and which of them it would keep must not depend on which
                    // batch it writes first.
                    (
                        Some(record.case_id),
                        Rejection::Store(StoreError::NumberTaken),
                    )
                } else {
                    // Checked against the store in batches ([`settle`]).
                    if store.is_some() {
                        lookups.push(Lookup::of(line_no, &record));
                    }
                    current = Some(Current {
                        case_id: record.case_id,
                        accepted: Some(Accepted {
                            line: line_no,
                            known: false,
                            files: Vec::new(),
                        }),
                        listed,
                        rejection: None,
                    });
                    continue;
                }
            }
            Err(rejected) => rejected,
        };
        current = case_id.map(Current::rejected);
        scan.rejected.push(RejectedCase {
            line: line_no,
            case_id,
            reason,
        });
    }
    if let Some(done) = current.take() {
        done.close(&mut scan);
    }
    settle(store, &mut lookups, &mut scan);
    scan.rejected.sort_by_key(|c| c.line);
    if line_no == 0 {
        scan.file.push(FileProblem::BadHeader);
        return Ok(scan);
    }
    match trailer {
        None => scan.file.push(FileProblem::MissingTrailer),
        Some(t) => {
            let files = (version >= 2).then_some(scan.files);
            if t.cases != scan.cases as u64
                || t.events != scan.events
                || t.files != files
                || t.end != FORMAT
            {
                scan.file.push(FileProblem::CountMismatch);
            }
            if t.digest != to_hex(&digest.finalize()) {
                scan.file.push(FileProblem::DigestMismatch);
            }
        }
    }
    Ok(scan)
}

/// Checks a file line against the case line before it (`current`): a file of that case (a
/// line whose case cannot be read is taken as one), which it lists and no line gave before,
/// whose content has its SHA-256. A problem rejects the case; a file line of another case (or
/// of none) is rejected on its own.
fn file_line(
    scan: &mut Scan,
    current: Option<&mut Current>,
    line: usize,
    text: &str,
    canonical: &mut Vec<u8>,
) {
    let checked = check_file(text, canonical);
    let case_id = match &checked {
        Ok((id, _)) => Some(*id),
        Err((id, _)) => *id,
    };
    let Some(current) = current.filter(|c| case_id.is_none_or(|id| id == c.case_id)) else {
        scan.rejected.push(RejectedCase {
            line,
            case_id,
            reason: match checked {
                Err((_, reason)) => reason,
                Ok(_) => Rejection::Mismatch { field: "case_id" },
            },
        });
        return;
    };
    let Some(accepted) = current
        .accepted
        .as_mut()
        .filter(|_| current.rejection.is_none())
    else {
        return; // Its case is rejected already.
    };
    let reason = match checked {
        Ok((_, sha256)) => match current.listed.iter().position(|l| *l == sha256) {
            Some(i) => {
                current.listed.swap_remove(i);
                accepted.files.push(line);
                return;
            }
            None => Rejection::Mismatch { field: "file" },
        },
        Err((_, reason)) => reason,
    };
    current.rejection = Some(RejectedCase {
        line,
        case_id: Some(current.case_id),
        reason,
    });
}

/// Checks one file line on its own: canonical, and its content has its SHA-256. Answers its
/// case and digest.
fn check_file(
    text: &str,
    canonical: &mut Vec<u8>,
) -> Result<(Uuid, String), (Option<Uuid>, Rejection)> {
    let line: FileLine = serde_json::from_str(text)
        .map_err(|e| (None, Rejection::Malformed { column: e.column() }))?;
    let id = Some(line.case_id);
    if !canonical_eq(&line, text, canonical) {
        return Err((id, Rejection::NotCanonical));
    }
    file_content(&line).map_err(|e| (id, Rejection::File(e)))?;
    Ok((line.case_id, line.file))
}

/// The content of a file line, checked against its SHA-256 (`blob.damaged`, naming the case).
fn file_content(line: &FileLine) -> Result<Vec<u8>, BlobError> {
    let damaged = || BlobError::Damaged {
        case_id: line.case_id,
    };
    let content = BASE64.decode(&line.content).map_err(|_| damaged())?;
    if blobs::sha256_hex(&content) != line.file {
        return Err(damaged());
    }
    Ok(content)
}

fn canonical_eq<T: Serialize>(value: &T, text: &str, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    serde_json::to_writer(&mut *buf, value).is_ok() && buf.as_slice() == text.as_bytes()
}

/// Checks one case line on its own; answers it and the digests of the files an archive may
/// carry for it ([`kept_files`]).
fn check_case(
    text: &str,
    canonical: &mut Vec<u8>,
) -> Result<(CaseRecord, Vec<String>), (Option<Uuid>, Rejection)> {
    let record: CaseRecord = serde_json::from_str(text)
        .map_err(|e| (None, Rejection::Malformed { column: e.column() }))?;
    let id = Some(record.case_id);
    if !canonical_eq(&record, text, canonical) {
        return Err((id, Rejection::NotCanonical));
    }
    let anchor = Anchor {
        version: record.version,
        head: record.head.clone(),
    };
    history::verify_against(&record.events, &anchor).map_err(|e| (id, Rejection::History(e)))?;
    let first = record.events.first();
    if first.is_none_or(|e| e.case_id != record.case_id) {
        return Err((id, Rejection::Mismatch { field: "case_id" }));
    }
    let case = history::replay(&record.events).map_err(|e| (id, Rejection::History(e)))?;
    if case.number != record.number {
        return Err((id, Rejection::Mismatch { field: "number" }));
    }
    Ok((record, kept_files(case)))
}

/// An accepted case line still to be checked against the store: [`settle`].
struct Lookup {
    line: usize,
    case_id: Uuid,
    number: String,
    version: u64,
    head: String,
}

impl Lookup {
    fn of(line: usize, record: &CaseRecord) -> Lookup {
        Lookup {
            line,
            case_id: record.case_id,
            number: record.number.clone(),
            version: record.version,
            head: record.head.clone(),
        }
    }

    /// Whether the store already holds this very history (`true`), nothing for it (`false`),
    /// or something that conflicts.
    fn against(&self, known: &KnownCases) -> Result<bool, Rejection> {
        match known.stored.get(&self.case_id) {
            Some((version, head)) if *version == self.version && *head == self.head => Ok(true),
            Some(_) => Err(Rejection::Store(StoreError::DuplicateCase)),
            None if known.numbers.contains(&self.number) => {
                Err(Rejection::Store(StoreError::NumberTaken))
            }
            None => Ok(false),
        }
    }
}

/// Checks the accepted case lines of `lookups` (all closed, so in `scan.accepted`) against
/// `store` in one question ([`CaseStore::known_cases`]): a case it holds with this very history
/// is marked known, a conflicting one moves to the rejected lines (every case of the batch, if
/// the store fails to answer).
fn settle(store: Option<&dyn CaseStore>, lookups: &mut Vec<Lookup>, scan: &mut Scan) {
    let Some(store) = store else {
        return;
    };
    if lookups.is_empty() {
        return;
    }
    let ids: Vec<Uuid> = lookups.iter().map(|l| l.case_id).collect();
    let numbers: Vec<&str> = lookups.iter().map(|l| l.number.as_str()).collect();
    let known = store.known_cases(&ids, &numbers);
    for lookup in lookups.drain(..) {
        let outcome = match &known {
            Ok(known) => lookup.against(known),
            Err(e) => Err(Rejection::Store(e.clone())),
        };
        // A case that one of its file lines rejected is no longer among the accepted ones.
        let Ok(at) = scan.accepted.binary_search_by_key(&lookup.line, |a| a.line) else {
            continue;
        };
        match outcome {
            Ok(known) => {
                if let Some(accepted) = scan.accepted.get_mut(at) {
                    accepted.known = known;
                }
            }
            Err(reason) => {
                scan.accepted.remove(at);
                scan.rejected.push(RejectedCase {
                    line: lookup.line,
                    case_id: Some(lookup.case_id),
                    reason,
                });
            }
        }
    }
}

/// A request to export every case, which a second directorate user must approve before its
/// requester downloads the archive, once (four eyes; see `docs/security.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The request's number.
    pub id: u64,
    /// Who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Who approved it (another directorate user).
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// When its requester downloaded the archive (a request serves one download).
    pub downloaded_at: Option<DateTime<Utc>>,
}

/// Why an export request cannot be approved or downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportRefusal {
    /// Only the directorate exports or approves.
    #[error("only the directorate exports every case")]
    NotDirectorate,
    /// The requester may not approve their own request.
    #[error("a second directorate user must approve the request")]
    OwnRequest,
    /// The request was approved already.
    #[error("the request is no longer pending")]
    NotPending,
    /// The archive is downloaded by the requester, once, after approval.
    #[error("download an archive with an approved request of your own, once")]
    NotApproved,
}

impl ExportRefusal {
    /// The stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            ExportRefusal::NotDirectorate => "access.directorate_only",
            ExportRefusal::OwnRequest => "archive.own_request",
            ExportRefusal::NotPending => "archive.not_pending",
            ExportRefusal::NotApproved => "archive.approval_required",
        }
    }

    /// Every code of a refusal.
    pub const CODES: &'static [&'static str] = &[
        "access.directorate_only",
        "archive.own_request",
        "archive.not_pending",
        "archive.approval_required",
    ];
}

impl ExportRequest {
    /// Whether `actor` may approve the request: another directorate user, while it is pending.
    pub fn may_approve(&self, actor: &crate::Actor) -> Result<(), ExportRefusal> {
        if actor.role != crate::Role::Directorate {
            Err(ExportRefusal::NotDirectorate)
        } else if actor.user_id == self.requested_by {
            Err(ExportRefusal::OwnRequest)
        } else if self.approved_at.is_some() {
            Err(ExportRefusal::NotPending)
        } else {
            Ok(())
        }
    }

    /// Whether `actor` may download the archive with it: its requester, approved, not yet
    /// downloaded.
    pub fn may_download(&self, actor: &crate::Actor) -> Result<(), ExportRefusal> {
        if actor.role != crate::Role::Directorate {
            Err(ExportRefusal::NotDirectorate)
        } else if actor.user_id != self.requested_by
            || self.approved_at.is_none()
            || self.downloaded_at.is_some()
        {
            Err(ExportRefusal::NotApproved)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod export_request_tests {
    use super::*;
    use crate::{Actor, Role};

    #[test]
    fn four_eyes_then_one_download_by_the_requester() {
        let ana = Actor::new("ana", Role::Directorate, "DGPHM");
        let bea = Actor::new("bea", Role::Directorate, "DGPHM");
        let mut r = ExportRequest {
            id: 1,
            requested_by: "ana".into(),
            requested_at: Utc::now(),
            approved_by: None,
            approved_at: None,
            downloaded_at: None,
        };
        assert_eq!(r.may_approve(&ana), Err(ExportRefusal::OwnRequest));
        assert_eq!(
            r.may_approve(&Actor::new("x", Role::Supervisor, "TAP")),
            Err(ExportRefusal::NotDirectorate)
        );
        assert_eq!(r.may_download(&ana), Err(ExportRefusal::NotApproved));
        assert_eq!(r.may_approve(&bea), Ok(()));
        r.approved_by = Some("bea".into());
        r.approved_at = Some(Utc::now());
        assert_eq!(r.may_approve(&bea), Err(ExportRefusal::NotPending));
        assert_eq!(r.may_download(&bea), Err(ExportRefusal::NotApproved));
        assert_eq!(r.may_download(&ana), Ok(()));
        r.downloaded_at = Some(Utc::now());
        assert_eq!(r.may_download(&ana), Err(ExportRefusal::NotApproved));
    }
}
