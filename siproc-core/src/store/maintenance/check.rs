//! The consistency check of a stored database: every chain verifies, every row derived from a
//! case (its summary, search terms, statistics record) matches the case its events replay to,
//! every file attached to a case is kept and matches its SHA-256 (decrypted with the case's key
//! in an encrypted store), an erased case keeps no file, no row is about a case that does not
//! exist, and every case number is accounted for.
//!
//! Files kept outside the database (a directory, object storage) are checked through their
//! [`BlobStore`]; files there that no case's history names (an upload cut short before its
//! event) are not looked for.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use super::with_database;
use crate::blobs::{BlobStore, open_body};
use crate::case_record::KeptRecord;
use crate::history::{CaseHistory, EventKind};
use crate::keys::BlobKey;
use crate::keys::MasterKey;
use crate::store::sql::conn::{Conn, Dialect, Param};
use crate::store::sql::crypt::{self, StoreKeys};
use crate::store::sql::rows::corrupt;
use crate::store::sql::verified::Verified;
use crate::store::sql::{read, write};
use crate::store::{CaseSummary, IndexTerms, StoreError, StoreUrl, parse_case_number};

/// Something wrong found by [`check`]: each names what (a case id, a table, an office and
/// year), never a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// A case's events do not verify or do not replay.
    ChainBroken {
        /// The case.
        case_id: Uuid,
        /// The history error's code (`history.*`).
        error: String,
    },
    /// The case's row (status, office, version, head, …) is not what its events replay to.
    SummaryMismatch {
        /// The case.
        case_id: Uuid,
    },
    /// The case's search rows are not its persons' names and documents.
    IndexMismatch {
        /// The case.
        case_id: Uuid,
    },
    /// The case's statistics record is missing or is not the one its events give.
    StatsMismatch {
        /// The case.
        case_id: Uuid,
    },
    /// Rows of a table about a case that does not exist.
    Orphan {
        /// The table.
        table: String,
        /// The case id the rows name (as stored).
        case_id: String,
    },
    /// A case number that is not `OFFICE-YEAR-SEQUENCE`.
    BadNumber {
        /// The case.
        case_id: Uuid,
    },
    /// Numbers the counter of an office and year has given that no case holds (beyond the
    /// numbers of migrated registers, which came with their own gaps).
    NumberGap {
        /// The office.
        office: String,
        /// The year.
        year: i32,
        /// The first number missing.
        first: u64,
        /// How many are missing.
        missing: u64,
    },
    /// A file a case's history attaches is not kept.
    FileMissing {
        /// The case.
        case_id: Uuid,
        /// The file's SHA-256, as its `attachment_added` event names it.
        sha256: String,
    },
    /// A kept file does not decrypt or does not match its SHA-256.
    FileDamaged {
        /// The case.
        case_id: Uuid,
        /// The file's SHA-256.
        sha256: String,
    },
    /// Files are still kept for a case whose personal data was erased (an erasure cut short
    /// between its event and its files: erasing the case again removes them).
    ErasedFilesKept {
        /// The case.
        case_id: Uuid,
        /// How many.
        files: u64,
    },
    /// A case holds a number its office's counter has not reached: the next case would be
    /// given it again.
    CounterBehind {
        /// The office.
        office: String,
        /// The year.
        year: i32,
        /// The counter's last number.
        counter: u64,
        /// The highest number a case holds.
        highest: u64,
    },
}

impl Problem {
    /// The stable code (`chain_broken`, `summary_mismatch`, …): the `code` field of its JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::ChainBroken { .. } => "chain_broken",
            Problem::SummaryMismatch { .. } => "summary_mismatch",
            Problem::IndexMismatch { .. } => "index_mismatch",
            Problem::StatsMismatch { .. } => "stats_mismatch",
            Problem::Orphan { .. } => "orphan",
            Problem::BadNumber { .. } => "bad_number",
            Problem::NumberGap { .. } => "number_gap",
            Problem::FileMissing { .. } => "file_missing",
            Problem::FileDamaged { .. } => "file_damaged",
            Problem::ErasedFilesKept { .. } => "erased_files_kept",
            Problem::CounterBehind { .. } => "counter_behind",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::ChainBroken { case_id, error } => {
                write!(f, "case {case_id}: its events do not verify ({error})")
            }
            Problem::SummaryMismatch { case_id } => {
                write!(
                    f,
                    "case {case_id}: its row is not what its events replay to"
                )
            }
            Problem::IndexMismatch { case_id } => {
                write!(f, "case {case_id}: its search rows are not its persons'")
            }
            Problem::StatsMismatch { case_id } => {
                write!(
                    f,
                    "case {case_id}: its statistics record is missing or wrong"
                )
            }
            Problem::Orphan { table, case_id } => {
                write!(
                    f,
                    "{table}: rows about case {case_id}, which does not exist"
                )
            }
            Problem::BadNumber { case_id } => write!(f, "case {case_id}: its number is malformed"),
            Problem::NumberGap {
                office,
                year,
                first,
                missing,
            } => write!(
                f,
                "{office} {year}: {missing} number(s) given but held by no case, from {first}"
            ),
            Problem::FileMissing { case_id, sha256 } => {
                write!(f, "case {case_id}: its file {sha256} is not kept")
            }
            Problem::FileDamaged { case_id, sha256 } => {
                write!(
                    f,
                    "case {case_id}: its file {sha256} does not match its digest"
                )
            }
            Problem::ErasedFilesKept { case_id, files } => write!(
                f,
                "case {case_id}: erased, but {files} file(s) of it are still kept"
            ),
            Problem::CounterBehind {
                office,
                year,
                counter,
                highest,
            } => write!(
                f,
                "{office} {year}: a case holds number {highest}, the counter is at {counter}"
            ),
        }
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Cases checked.
    pub cases: u64,
    /// Events checked.
    pub events: u64,
    /// Everything wrong, case by case in number order, then the numbering.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the database `url` names (see [the module](self)), as of one snapshot, while other
/// processes go on using it, with the cases' files in `files` (`None`: the database's own
/// table). An error is a database (or file storage) that could not be read at all; everything
/// found wrong inside is a [`Problem`] of the report.
///
/// An encrypted store is checked with its master key (`store.key_required` without it,
/// `store.wrong_key` with another).
pub fn check(
    url: &StoreUrl,
    master: Option<&MasterKey>,
    files: Option<&dyn BlobStore>,
) -> Result<CheckReport, StoreError> {
    let files = files.map_or(Files::Table, Files::Outside);
    with_database(url, |c| {
        c.batch(match c.dialect() {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        let report =
            crypt::open_keys(c, master).and_then(|keys| check_snapshot(c, keys.as_deref(), &files));
        let _ = c.batch("ROLLBACK");
        report
    })
}

/// Where the cases' files are read from.
enum Files<'a> {
    /// The database's table `blobs`, in the check's snapshot.
    Table,
    /// A blob store outside the database.
    Outside(&'a dyn BlobStore),
}

impl Files<'_> {
    /// The stored bytes of file `sha256` of `case_id`, if kept.
    fn get(
        &self,
        c: &mut dyn Conn,
        case_id: Uuid,
        sha256: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Files::Table => c
                .query_opt(
                    "SELECT body FROM blobs WHERE case_id = ?1 AND sha256 = ?2",
                    &[Param::Text(case_id.to_string()), Param::Str(sha256)],
                )?
                .map(|mut r| r.opt_blob(0).map(Option::unwrap_or_default))
                .transpose(),
            Files::Outside(files) => Ok(files.get(case_id, sha256)?),
        }
    }

    /// How many files are kept for `case_id`.
    fn count(&self, c: &mut dyn Conn, case_id: Uuid) -> Result<u64, StoreError> {
        match self {
            Files::Table => Ok(u64::try_from(
                c.query_one(
                    "SELECT COUNT(*) FROM blobs WHERE case_id = ?1",
                    &[Param::Text(case_id.to_string())],
                )?
                .int(0)?,
            )
            .unwrap_or(0)),
            Files::Outside(files) => Ok(files.list(case_id)?.len() as u64),
        }
    }
}

fn check_snapshot(
    c: &mut dyn Conn,
    keys: Option<&StoreKeys>,
    files: &Files<'_>,
) -> Result<CheckReport, StoreError> {
    let mut report = CheckReport {
        cases: count(c, "SELECT COUNT(*) FROM cases")?,
        events: count(c, "SELECT COUNT(*) FROM events")?,
        problems: Vec::new(),
    };
    let cases = c.query(
        "SELECT id, number, follow_ups FROM cases ORDER BY number",
        &[],
    )?;
    // Per office and year: the numbers held, and the highest of a migrated case.
    let mut numbers: BTreeMap<(String, i32), (BTreeSet<u64>, u64)> = BTreeMap::new();
    let verified = Verified::new();
    for mut row in cases {
        let (id, number, migrated) = (row.text(0)?, row.text(1)?, row.opt_int(2)?.is_some());
        let case_id = Uuid::parse_str(&id).map_err(|_| corrupt("a case row has a bad id"))?;
        match parse_case_number(&number) {
            Some((office, year, seq)) => {
                let (held, migrated_up_to) = numbers.entry((office.to_owned(), year)).or_default();
                held.insert(seq);
                if migrated {
                    *migrated_up_to = (*migrated_up_to).max(seq);
                }
            }
            None => report.problems.push(Problem::BadNumber { case_id }),
        }
        check_case(c, case_id, &verified, keys, files, &mut report.problems)?;
    }
    for table in [
        "events",
        "case_names",
        "case_documents",
        "case_stats",
        "blobs",
    ] {
        let sql = format!(
            "SELECT DISTINCT case_id FROM {table} \
             WHERE case_id NOT IN (SELECT id FROM cases) ORDER BY case_id"
        );
        for mut row in c.query(&sql, &[])? {
            report.problems.push(Problem::Orphan {
                table: table.to_owned(),
                case_id: row.text(0)?,
            });
        }
    }
    check_numbers(c, &numbers, &mut report.problems)?;
    Ok(report)
}

/// The rows derived from one case against its verified history.
fn check_case(
    c: &mut dyn Conn,
    case_id: Uuid,
    verified: &Verified,
    keys: Option<&StoreKeys>,
    files: &Files<'_>,
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let history = match read::history(c, case_id, verified, keys) {
        Ok(Some(history)) => history,
        Ok(None) => return Ok(()),
        Err(StoreError::Damaged { source, .. }) => {
            problems.push(Problem::ChainBroken {
                case_id,
                error: source.code().to_owned(),
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let case = history.case();
    if read::summary(c, case_id)? != CaseSummary::of(case) {
        problems.push(Problem::SummaryMismatch { case_id });
    }
    let terms = IndexTerms::of(case);
    let terms = match keys {
        Some(keys) => terms.blinded(keys.index()),
        None => terms,
    };
    if stored_terms(c, case_id)? != expected_terms(&terms) {
        problems.push(Problem::IndexMismatch { case_id });
    }
    // An erased case's record keeps its national's facts, which its events no longer give.
    let stored = match write::stored_record(c, &case_id.to_string()) {
        Ok(stored) => stored,
        Err(StoreError::Corrupt { .. }) => None,
        Err(e) => return Err(e),
    };
    let fresh = KeptRecord::of(case, history.events());
    let expected = match &stored {
        Some(kept) if history.events().iter().any(|e| e.kind.erases()) => {
            fresh.keeping_national(kept)
        }
        _ => fresh,
    };
    if stored.map(|r| r.encode()) != Some(expected.encode()) {
        problems.push(Problem::StatsMismatch { case_id });
    }
    check_files(c, case_id, &history, keys, files, problems)
}

/// The files a case's history attaches since its last erasure are kept and whole; an erased
/// case with no file attached since keeps none.
fn check_files(
    c: &mut dyn Conn,
    case_id: Uuid,
    history: &CaseHistory,
    keys: Option<&StoreKeys>,
    files: &Files<'_>,
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let events = history.events();
    let since = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::PersonalDataErased { .. }));
    let mut attached: Vec<&str> = events
        .iter()
        .skip(since.map_or(0, |i| i + 1))
        .filter_map(|e| match &e.kind {
            EventKind::AttachmentAdded(a) => Some(a.sha256.as_str()),
            _ => None,
        })
        .collect();
    attached.sort_unstable();
    attached.dedup();
    if since.is_some() && attached.is_empty() {
        let kept = files.count(c, case_id)?;
        if kept > 0 {
            problems.push(Problem::ErasedFilesKept {
                case_id,
                files: kept,
            });
        }
        return Ok(());
    }
    let id = case_id.to_string();
    let key = match keys {
        Some(keys) => keys.case_key(c, &id)?.map(BlobKey::of),
        None => None,
    };
    for sha256 in attached {
        let problem = match files.get(c, case_id, sha256)? {
            None => Problem::FileMissing {
                case_id,
                sha256: sha256.to_owned(),
            },
            Some(body) => match open_body(key.as_ref(), case_id, sha256, body) {
                Ok(_) => continue,
                Err(_) => Problem::FileDamaged {
                    case_id,
                    sha256: sha256.to_owned(),
                },
            },
        };
        problems.push(problem);
    }
    Ok(())
}

/// A case's search rows: (person, name word) and document keys.
type Terms = (BTreeSet<(i64, String)>, BTreeSet<String>);

fn stored_terms(c: &mut dyn Conn, case_id: Uuid) -> Result<Terms, StoreError> {
    let id = case_id.to_string();
    let names = c
        .query(
            "SELECT person, term FROM case_names WHERE case_id = ?1",
            &[Param::Str(&id)],
        )?
        .into_iter()
        .map(|mut r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<Result<_, StoreError>>()?;
    let documents = c
        .query(
            "SELECT term FROM case_documents WHERE case_id = ?1",
            &[Param::Str(&id)],
        )?
        .into_iter()
        .map(|mut r| r.text(0))
        .collect::<Result<_, StoreError>>()?;
    Ok((names, documents))
}

fn expected_terms(terms: &IndexTerms) -> Terms {
    let names = (0_i64..)
        .zip(&terms.names)
        .flat_map(|(person, words)| words.iter().map(move |w| (person, w.clone())))
        .collect();
    (names, terms.documents.iter().cloned().collect())
}

/// Every number of each office and year's counter held by a case (above its migrated
/// register), and no case beyond the counter.
fn check_numbers(
    c: &mut dyn Conn,
    numbers: &BTreeMap<(String, i32), (BTreeSet<u64>, u64)>,
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let mut counters: BTreeMap<(String, i32), u64> = BTreeMap::new();
    for mut row in c.query("SELECT office, year, last FROM case_counters", &[])? {
        let key = (row.text(0)?, i32::try_from(row.int(1)?).unwrap_or(0));
        counters.insert(key, u64::try_from(row.int(2)?).unwrap_or(0));
    }
    let empty = (BTreeSet::new(), 0);
    let groups: BTreeSet<&(String, i32)> = numbers.keys().chain(counters.keys()).collect();
    for key @ (office, year) in groups {
        let (held, migrated_up_to) = numbers.get(key).unwrap_or(&empty);
        let counter = counters.get(key).copied().unwrap_or(0);
        let highest = held.last().copied().unwrap_or(0);
        if highest > counter {
            problems.push(Problem::CounterBehind {
                office: office.clone(),
                year: *year,
                counter,
                highest,
            });
        }
        let missing: Vec<u64> = (migrated_up_to + 1..=counter)
            .filter(|n| !held.contains(n))
            .collect();
        if let Some(&first) = missing.first() {
            problems.push(Problem::NumberGap {
                office: office.clone(),
                year: *year,
                first,
                missing: missing.len() as u64,
            });
        }
    }
    Ok(())
}

fn count(c: &mut dyn Conn, sql: &str) -> Result<u64, StoreError> {
    Ok(u64::try_from(c.query_one(sql, &[])?.int(0)?).unwrap_or(0))
}
