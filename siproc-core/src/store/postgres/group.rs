//! Group commit of creations: the cases a process opens at the same moment share one
//! transaction, one hold of their office's counter row and one WAL flush.
//!
//! # How
//!
//! A caller of [`Creations::create`] queues its office and year. When no group is being
//! written it leads one: it takes every creation queued, opens a transaction, takes `k`
//! numbers at once from each office's counter row (`last = last + k … RETURNING last`, the
//! rows in key order), and hands each waiting caller its number. Each caller seals its own
//! opening event with it (the sealing closure is the caller's and stays on its thread) and
//! hands back the case's rows; the leader writes them all ([`super::bulk`]) and commits. Then
//! the first creation queued meanwhile leads the next group.
//!
//! # Why the numbers stay gap-free
//!
//! - The `k` numbers and the `k` cases that carry them are one transaction: PostgreSQL commits
//!   the counter's new value and the cases together or neither. A crash before the commit
//!   leaves the counter where it was and no case of the group (nothing of an uncommitted
//!   transaction survives recovery); a crash after it keeps all of them.
//! - The group commits only if every one of its cases is sealed and written. If a caller's
//!   sealing fails, or a case's id or number turns out to be taken, or a unique key collides,
//!   the whole transaction is rolled back — the counter with it — and each remaining caller
//!   creates its case alone as before ([`super::PostgresStore::create_alone`]), taking a number
//!   again. A number is never handed out by a committed transaction without its case.
//! - The counter row stays locked from the first `UPDATE` to the commit or rollback, so two
//!   processes (or two groups) never take the same numbers, and a group that waits for the
//!   row sees the other's committed value.
//!
//! Durability is unchanged: every caller is answered after the commit that holds its case
//! returned (`synchronous_commit = on`).

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use postgres::types::Type;

use super::bulk::{self, Bulk};
use super::{Connection, Pg, PostgresStore, db};
use crate::case::{Case, case_number};
use crate::history::{self, CaseHistory};
use crate::store::sql::rows::CaseRows;
use crate::store::{StoreError, Write};
use crate::workflow::WorkflowError;

/// The creations of one store ([`PostgresStore`]) waiting to be written as a group.
#[derive(Default)]
pub(super) struct Creations {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    /// The creations not yet taken into a group, in arrival order.
    waiting: Vec<Arc<Job>>,
    /// Whether a group is being written (its leader hands over when done).
    leading: bool,
}

/// One caller's creation.
struct Job {
    office: String,
    year: i32,
    phase: Mutex<Phase>,
    changed: Condvar,
}

/// Where a creation is.
enum Phase {
    /// Queued, not yet in a group.
    Queued,
    /// Its caller leads the next group.
    Lead,
    /// In a group, given this number: its caller seals the opening with it.
    Numbered(String),
    /// Sealed: the rows of the case, for the leader to write.
    Sealed(Box<CaseRows>),
    /// The leader took the rows.
    Given,
    /// Its sealing failed: the caller answered its own error and left.
    Left,
    /// The group committed: the case is stored.
    Written,
    /// The group did not commit: the caller creates its case alone.
    Alone,
    /// The commit failed: the caller answers this error.
    Failed(StoreError),
}

impl Phase {
    fn ended(&self) -> bool {
        matches!(
            self,
            Phase::Left | Phase::Written | Phase::Alone | Phase::Failed(_)
        )
    }
}

/// How a group ended, for every creation in it.
#[derive(Clone)]
enum Ending {
    Written,
    Alone,
    Failed(StoreError),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Job {
    fn set(&self, phase: Phase) {
        *lock(&self.phase) = phase;
        self.changed.notify_all();
    }

    /// Waits until `done` holds of the phase, and answers the guard on it.
    fn wait(&self, done: impl Fn(&Phase) -> bool) -> MutexGuard<'_, Phase> {
        let mut phase = lock(&self.phase);
        while !done(&phase) {
            phase = self
                .changed
                .wait(phase)
                .unwrap_or_else(PoisonError::into_inner);
        }
        phase
    }
}

/// A sealing closure, as [`crate::store::CaseStore::create_case`] is given it.
type Seal<'s> = &'s mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>;

/// The opening of a case numbered `number`, sealed: the case and its rows.
fn sealed(
    store: &PostgresStore,
    number: &str,
    seal: Seal<'_>,
) -> Result<(Case, CaseRows), StoreError> {
    let history = CaseHistory::opened(seal(number)?, number)?;
    let rows = CaseRows::of(&history, store.keys())?;
    Ok((history.into_parts().1, rows))
}

impl Creations {
    /// Creates a case in `office` and `year` with the next number, in a group with the other
    /// creations of the moment (see the module docs).
    pub(super) fn create(
        &self,
        store: &PostgresStore,
        office: &str,
        year: i32,
        seal: Seal<'_>,
    ) -> Result<Case, StoreError> {
        let job = Arc::new(Job {
            office: office.to_owned(),
            year,
            phase: Mutex::new(Phase::Queued),
            changed: Condvar::new(),
        });
        let leads = {
            let mut queue = lock(&self.queue);
            queue.waiting.push(Arc::clone(&job));
            !std::mem::replace(&mut queue.leading, true)
        };
        if !leads {
            let phase = std::mem::replace(
                &mut *job.wait(|p| !matches!(p, Phase::Queued)),
                Phase::Given,
            );
            match phase {
                Phase::Lead => {}
                Phase::Numbered(number) => return follow(store, &job, &number, seal),
                _ => return store.create_alone(office, year, seal),
            }
        }
        let group = std::mem::take(&mut lock(&self.queue).waiting);
        let lead = Lead {
            creations: self,
            group: &group,
            me: &job,
        };
        let written = lead.write(store, seal);
        // The others are told and the next group led before a fallback of the leader's own.
        drop(lead);
        match written {
            Ok(case) => Ok(case),
            Err(Own::Alone) => store.create_alone(office, year, seal),
            Err(Own::Error(e)) => Err(e),
        }
    }

    /// Lets the first creation queued lead the next group, or marks that none is led.
    fn hand_over(&self) {
        let mut queue = lock(&self.queue);
        match queue.waiting.first() {
            Some(next) => next.set(Phase::Lead),
            None => queue.leading = false,
        }
    }
}

/// A creation led in someone else's group, numbered `number`: seals it, hands over its rows and
/// answers as the group ended.
fn follow(
    store: &PostgresStore,
    job: &Job,
    number: &str,
    seal: Seal<'_>,
) -> Result<Case, StoreError> {
    let case = match sealed(store, number, seal) {
        Ok((case, rows)) => {
            let mut phase = lock(&job.phase);
            if !phase.ended() {
                *phase = Phase::Sealed(Box::new(rows));
                job.changed.notify_all();
            }
            case
        }
        Err(e) => {
            let mut phase = lock(&job.phase);
            if !phase.ended() {
                *phase = Phase::Left;
                job.changed.notify_all();
            }
            return Err(e);
        }
    };
    let ending = std::mem::replace(&mut *job.wait(Phase::ended), Phase::Given);
    match ending {
        Phase::Written => Ok(case),
        Phase::Failed(e) => Err(e),
        _ => store.create_alone(&job.office, job.year, seal),
    }
}

/// What the leader's own creation comes to when the group did not commit it.
enum Own {
    /// Create it alone.
    Alone,
    /// Answer this error.
    Error(StoreError),
}

/// A group being written by its leader (`me`). However it ends — even by a panic — every other
/// creation of the group is told (those not told otherwise create alone) and the next group
/// gets its leader.
struct Lead<'a> {
    creations: &'a Creations,
    group: &'a [Arc<Job>],
    me: &'a Arc<Job>,
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        self.end(&Ending::Alone);
        self.creations.hand_over();
    }
}

impl Lead<'_> {
    fn others(&self) -> impl Iterator<Item = &Arc<Job>> {
        self.group.iter().filter(|j| !Arc::ptr_eq(j, self.me))
    }

    /// Ends every other creation of the group not ended yet.
    fn end(&self, ending: &Ending) {
        for job in self.others() {
            let mut phase = lock(&job.phase);
            if !phase.ended() {
                *phase = match ending {
                    Ending::Written => Phase::Written,
                    Ending::Alone => Phase::Alone,
                    Ending::Failed(e) => Phase::Failed(e.clone()),
                };
                job.changed.notify_all();
            }
        }
    }

    /// Writes the group in one transaction; answers the leader's own case.
    fn write(&self, store: &PostgresStore, seal: Seal<'_>) -> Result<Case, Own> {
        let mut conn = store.client().map_err(|_| Own::Alone)?;
        let Connection {
            client, statements, ..
        } = &mut *conn;
        let mut tx = client.transaction().map_err(|_| Own::Alone)?;
        // Numbers: each office and year's counter row taken once, in key order.
        let mut by_counter: BTreeMap<(&str, i32), Vec<&Arc<Job>>> = BTreeMap::new();
        for job in self.group {
            by_counter
                .entry((job.office.as_str(), job.year))
                .or_default()
                .push(job);
        }
        let mut mine = None;
        for ((office, year), jobs) in &by_counter {
            let k = i64::try_from(jobs.len()).unwrap_or(i64::MAX);
            let last: i64 = tx
                .query_typed_one(
                    "INSERT INTO case_counters (office, year, last) VALUES ($1, $2, $3) \
                     ON CONFLICT (office, year) DO UPDATE SET last = case_counters.last + $3 \
                     RETURNING last",
                    &[(office, Type::TEXT), (year, Type::INT4), (&k, Type::INT8)],
                )
                .and_then(|row| row.try_get(0))
                .map_err(|_| Own::Alone)?;
            for (seq, job) in (last - k + 1..).zip(jobs) {
                let number = case_number(office, *year, u64::try_from(seq).unwrap_or(0));
                if Arc::ptr_eq(job, self.me) {
                    mine = Some(number);
                } else {
                    job.set(Phase::Numbered(number));
                }
            }
        }
        let number = mine.ok_or(Own::Alone)?;
        // Sealed: the leader's own case here, the others' on their threads.
        let (case, own_rows) = sealed(store, &number, seal).map_err(Own::Error)?;
        let mut rows = vec![own_rows];
        for job in self.others() {
            let mut phase = job.wait(|p| matches!(p, Phase::Sealed(_)) || p.ended());
            match std::mem::replace(&mut *phase, Phase::Given) {
                Phase::Sealed(r) => rows.push(*r),
                // One left: the transaction rolls back, the others create alone.
                other => {
                    *phase = other;
                    return Err(Own::Alone);
                }
            }
        }
        let refs: Vec<&CaseRows> = rows.iter().collect();
        match bulk::insert_created(&mut Pg::new(&mut tx, statements), &refs) {
            Ok(Bulk::Written(w)) if w.iter().all(|w| *w == Write::Done) => {}
            _ => return Err(Own::Alone),
        }
        match tx.commit() {
            Ok(()) => {
                self.end(&Ending::Written);
                Ok(case)
            }
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(Own::Alone)
            }
            Err(e) => {
                let e = db(e);
                self.end(&Ending::Failed(e.clone()));
                Err(Own::Error(e))
            }
        }
    }
}
