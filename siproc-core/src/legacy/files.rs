//! The files a legacy log names (feature `attachments`): a log may have a column `Archivos`
//! ([`FILES_COLUMN`](super::FILES_COLUMN)) whose cell names files (scans of the paper file, photos) relative to the
//! log's folder, separated by `;` or line breaks. [`import_with_files`] attaches each to the
//! row's case as any upload is attached ([`crate::attachments::attach`]: checked, stripped of
//! metadata, kept encrypted with the case's key, recorded by an `attachment_added` event; a
//! scan of a siproc form filed as its signed copy), by the migration's actor.
//!
//! A file that is not there (or that names a place outside the log's folder: an absolute path,
//! `..`) is the row's warning `legacy.file_missing`; a file the checks refuse is
//! `legacy.file_refused`, the refusal's code as its `reason`. Neither stops the migration nor
//! holds the row back: the case is migrated, and the report says which file (by its position
//! in the cell, `/files/0`, never its name) to bring. Running the migration again attaches the
//! files now present to the cases it already imported (a file already attached is not added
//! twice). A dry run reports the missing files without reading any.

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::import::{ImportOptions, ImportReport, Outcome, import_rows};
use super::{LegacyMap, LegacyRow, codes};
use crate::actor::Actor;
use crate::attachments::{Limits, Upload, attach};
use crate::blobs::BlobStore;
use crate::catalog::Catalog;
use crate::issue::{Issue, Locale};
use crate::store::CaseStore;

/// What an attached legacy file is, in the case's list (never the file's name, which may
/// carry personal data).
pub const FILE_DESCRIPTION: &str = "Archivo del registro anterior";

/// Where a migration finds the files its log names, and where it keeps them.
pub struct LogFiles<'a> {
    /// The log's folder: the names in [`FILES_COLUMN`](super::FILES_COLUMN) are relative to it.
    pub dir: &'a Path,
    /// The blob storage of the store the cases go to.
    pub blobs: &'a dyn BlobStore,
    /// The checks' limits.
    pub limits: &'a Limits,
}

impl std::fmt::Debug for LogFiles<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFiles")
            .field("limits", self.limits)
            .finish_non_exhaustive()
    }
}

/// The file names of a [`FILES_COLUMN`](super::FILES_COLUMN) cell: separated by `;` or line breaks, trimmed, blanks
/// left out.
pub fn file_names(cell: &str) -> Vec<&str> {
    cell.split([';', '\n', '\r'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// [`super::import`], then the files each migrated (or already imported) row names attached
/// to its case (see the module docs); their problems are the row's warnings.
pub fn import_with_files(
    store: &dyn CaseStore,
    catalog: &Catalog,
    map: &LegacyMap,
    rows: &[(u64, LegacyRow)],
    options: &ImportOptions<'_>,
    files: &LogFiles<'_>,
) -> ImportReport {
    import_rows(store, catalog, map, rows, options, &mut |outcome, row| {
        let case_id = match outcome {
            Outcome::Migrated { case_id, .. } | Outcome::AlreadyImported { case_id, .. } => {
                *case_id
            }
            _ => return Vec::new(),
        };
        let attaching = Attaching {
            store,
            files,
            actor: options.actor,
            locale: options.locale,
            now: options.now,
            dry_run: options.dry_run,
        };
        attaching.row(case_id, &row.files)
    })
}

/// What attaching a row's files needs.
struct Attaching<'a> {
    store: &'a dyn CaseStore,
    files: &'a LogFiles<'a>,
    actor: &'a Actor,
    locale: Locale,
    now: DateTime<Utc>,
    dry_run: bool,
}

impl Attaching<'_> {
    /// Attaches the files `cell` names to case `case_id`; answers their problems.
    fn row(&self, case_id: Uuid, cell: &str) -> Vec<Issue> {
        let mut issues = Vec::new();
        for (i, name) in file_names(cell).into_iter().enumerate() {
            let path = format!("/files/{i}");
            let content = match inside(self.files.dir, name) {
                Some(file) if self.dry_run && file.is_file() => continue,
                Some(file) if !self.dry_run => std::fs::read(file).ok(),
                _ => None,
            };
            let Some(content) = content else {
                issues.push(Issue::new(codes::FILE_MISSING, path, self.locale, &[]));
                continue;
            };
            let upload = Upload {
                content: &content,
                declared: None,
                description: Some(FILE_DESCRIPTION),
                expected_version: None,
            };
            let limits = self.files.limits;
            if let Err(e) = attach(
                self.store,
                self.files.blobs,
                limits,
                self.actor,
                case_id,
                upload,
                self.now,
            ) {
                issues.push(Issue::new(
                    codes::FILE_REFUSED,
                    path,
                    self.locale,
                    &[("reason", e.code())],
                ));
            }
        }
        issues
    }
}

/// `name` under `dir`, unless it leaves it (an absolute path, a drive, `..`).
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| dir.join(relative))
}
