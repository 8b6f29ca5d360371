//! Gathering writes into one commit (group commit), for the writers that take jobs from a
//! queue: the SQLite store's writer thread ([`crate::store::sqlite`]) and the PostgreSQL
//! records' writer ([`crate::store::postgres`]). A commit's flush costs about as much for many
//! writes as for one, so the writes queued at the same moment share it.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::conn::Conn;
use crate::store::StoreError;

/// A write of the records kept beside the cases ([`crate::store::records::Records`]: an
/// access-log line, a session), handed to a writer that commits it with the others of the
/// moment. It can run more than once (`Fn`): a writer whose shared transaction failed runs each
/// write again alone.
pub(crate) type RecordWrite = Box<dyn Fn(&mut dyn Conn) -> Result<(), StoreError> + Send>;

/// At most this many jobs share one commit.
pub(crate) const MAX_BATCH: usize = 1024;

/// How long a writer waits for the callers of its last commit before committing without them
/// ([`gather`]): about half of what a commit costs on its own.
pub(crate) const LINGER: Duration = Duration::from_micros(500);

/// Adds the jobs waiting in `jobs` to `batch` and, while it holds fewer than the `expected`
/// callers (as many as shared the last commit), waits up to [`LINGER`] for the rest: callers
/// answered by the last commit are preparing their next write, and a commit costs about as
/// much for eight writes as for one (its flush and the pages they share), so letting it leave
/// with a part of them halves the group. A caller writing alone is never waited for.
pub(crate) fn gather<T>(jobs: &Receiver<T>, batch: &mut Vec<T>, expected: usize) {
    let deadline = Instant::now() + LINGER;
    let target = expected.min(MAX_BATCH);
    loop {
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if batch.len() >= target || left.is_zero() {
            return;
        }
        match jobs.recv_timeout(left) {
            Ok(job) => batch.push(job),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_takes_what_is_queued_and_stops_at_the_cap() {
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..MAX_BATCH + 10 {
            tx.send(i).unwrap();
        }
        let mut batch = Vec::new();
        gather(&rx, &mut batch, 1);
        assert_eq!(batch.len(), MAX_BATCH);
        assert_eq!(batch.first(), Some(&0));
        let mut rest = Vec::new();
        gather(&rx, &mut rest, 1);
        assert_eq!(rest.len(), 10);
    }

    #[test]
    fn a_lone_caller_is_not_waited_for_beyond_the_linger() {
        let (tx, rx) = std::sync::mpsc::channel::<u8>();
        tx.send(1).unwrap();
        let mut batch = vec![];
        let started = Instant::now();
        gather(&rx, &mut batch, 8);
        assert_eq!(batch, vec![1]);
        // Bounded by the linger (with room for a slow machine), never by the expected count.
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
