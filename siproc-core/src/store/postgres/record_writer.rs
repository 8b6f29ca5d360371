//! Group commit of the records kept beside the cases ([`Records`]: access-log lines, sessions,
//! second-factor and token uses) on PostgreSQL.
//!
//! Every case read writes an access-log line, durably, before it is answered. One transaction
//! a line costs a `BEGIN`, an `INSERT` and a `COMMIT` — three round trips and one WAL flush —
//! per read, and reads were bound by it. So a process sends its record writes to **one writer
//! thread** (started on the first write) through a queue; the writer takes every write queued
//! ([`gather`], the same gathering as the SQLite store's writer), runs them in one transaction
//! on a connection of the store's pool and commits once: one flush for the group.
//!
//! Durability is unchanged: each caller is answered after the commit that holds its write
//! returned (`synchronous_commit = on`). If the group's transaction fails anywhere — one write
//! answering an error, a deadlock with another process, a lost connection — it is rolled back
//! whole and each write runs again alone in a transaction of its own, answering its own
//! result, as it did before the groups: a write never fails because of another's. (The writes
//! can run twice: they are `Fn`. An access-log line whose lost commit had in fact succeeded
//! may then be kept twice; it is never lost.)

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, OnceLock};

use super::{Pool, in_transaction};
use crate::store::StoreError;
use crate::store::sql::gather::{MAX_BATCH, RecordWrite, gather};

/// A write, and where to answer.
struct Job {
    write: RecordWrite,
    reply: SyncSender<Result<(), StoreError>>,
}

/// The record writer of one store's pool: a handle shared by the store and its [`Records`];
/// the thread stops when the last handle is dropped.
///
/// [`Records`]: crate::store::records::Records
#[derive(Clone)]
pub(crate) struct RecordWriter {
    pool: Pool,
    jobs: Arc<OnceLock<SyncSender<Job>>>,
}

impl RecordWriter {
    /// A writer for `pool` (its thread starts on the first write).
    pub(crate) fn new(pool: Pool) -> RecordWriter {
        RecordWriter {
            pool,
            jobs: Arc::new(OnceLock::new()),
        }
    }

    /// Runs `write` durably, in a transaction shared with the other record writes of the
    /// moment (see the module docs); answers once it is committed.
    pub(crate) fn write(&self, write: RecordWrite) -> Result<(), StoreError> {
        let jobs = self.jobs.get_or_init(|| {
            let (send, receive) = mpsc::sync_channel(MAX_BATCH);
            let pool = self.pool.clone();
            // If no thread can start, the receiver goes with the closure and every write runs
            // alone (below).
            let _ = std::thread::Builder::new()
                .name("siproc-pg-records".into())
                .spawn(move || write_loop(&pool, &receive));
            send
        });
        let (reply, answer) = mpsc::sync_channel(1);
        match jobs.send(Job { write, reply }) {
            Ok(()) => answer.recv().unwrap_or_else(|_| Err(writer_gone())),
            // The thread could not start or stopped: the write is the caller's, alone.
            Err(mpsc::SendError(job)) => alone(&self.pool, &job.write),
        }
    }
}

fn writer_gone() -> StoreError {
    StoreError::Backend {
        reason: "postgres: the record writer stopped".into(),
    }
}

/// One write in a transaction of its own.
fn alone(pool: &Pool, write: &RecordWrite) -> Result<(), StoreError> {
    in_transaction(pool, |c| write(c))
}

fn write_loop(pool: &Pool, jobs: &Receiver<Job>) {
    let mut expected = 1;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        gather(jobs, &mut batch, expected);
        expected = batch.len();
        let together = batch.len() > 1
            && in_transaction(pool, |c| batch.iter().try_for_each(|job| (job.write)(c))).is_ok();
        for job in &batch {
            let result = if together {
                Ok(())
            } else {
                alone(pool, &job.write)
            };
            let _ = job.reply.send(result);
        }
    }
}
