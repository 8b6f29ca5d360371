//! The reader connections of an SQLite file: opened on first need, kept for the next read, and
//! at most [`max_readers`] of them at once.
//!
//! Each connection keeps its own page cache (up to 32 MiB, `super::configure`). Kept without a
//! bound, the pool held a connection for every read that ever ran at the same moment as the
//! others, each cache filling as the file grew: under the load soak's 64 connections the
//! server grew from 64 MiB to a gigabyte in ten minutes (docs/fuzzing.md). A read that finds
//! every connection busy now waits for one to come back. A read made while its thread already
//! holds a reader (a nested read) never waits, so that it cannot wait for itself; its
//! connection is closed afterwards if the pool is full.

use std::cell::Cell;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::connect;
use crate::store::StoreError;

/// How many reader connections a file keeps at most: twice the processors (at least 4, at
/// most 16). More readers than processors only helps while some wait on the disk.
pub(crate) fn max_readers() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).clamp(4, 16))
}

thread_local! {
    /// How many readers this thread holds (of any file).
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// The reader connections of one file.
pub(crate) struct Readers {
    pool: Mutex<Pool>,
    returned: Condvar,
    max: usize,
}

struct Pool {
    idle: Vec<Connection>,
    /// Connections open, idle or lent.
    open: usize,
    /// Reads waiting for a connection to come back: a returned connection wakes one only when
    /// there is one (the condition variable's wake is a system call even with no waiter, and
    /// every read returns a connection).
    waiting: usize,
}

fn lock(m: &Mutex<Pool>) -> MutexGuard<'_, Pool> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Readers {
    /// No connection yet; at most `max` kept.
    pub(crate) fn new(max: usize) -> Readers {
        Readers {
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
                waiting: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
        }
    }

    /// Runs `f` on a reader connection to the file at `path`.
    pub(crate) fn with<T>(
        &self,
        path: &Path,
        f: impl FnOnce(&Connection) -> T,
    ) -> Result<T, StoreError> {
        let lease = self.lend(path)?;
        match &lease.conn {
            Some(conn) => Ok(f(conn)),
            None => Err(StoreError::Backend {
                reason: "sqlite: a reader connection was lent empty".into(),
            }),
        }
    }

    fn lend(&self, path: &Path) -> Result<Lease<'_>, StoreError> {
        let nested = HELD.with(Cell::get) > 0;
        let mut pool = lock(&self.pool);
        let conn = loop {
            if let Some(conn) = pool.idle.pop() {
                break conn;
            }
            if pool.open < self.max || nested {
                pool.open += 1;
                drop(pool);
                match connect(path) {
                    Ok(conn) => break conn,
                    Err(e) => {
                        let mut pool = lock(&self.pool);
                        pool.open -= 1;
                        self.wake_one(pool);
                        return Err(e);
                    }
                }
            }
            pool.waiting += 1;
            pool = self
                .returned
                .wait(pool)
                .unwrap_or_else(PoisonError::into_inner);
            pool.waiting -= 1;
        };
        HELD.with(|h| h.set(h.get() + 1));
        Ok(Lease {
            readers: self,
            conn: Some(conn),
        })
    }

    /// Wakes one waiting read, if any, after releasing `pool`.
    fn wake_one(&self, pool: MutexGuard<'_, Pool>) {
        let waiting = pool.waiting > 0;
        drop(pool);
        if waiting {
            self.returned.notify_one();
        }
    }
}

/// A connection lent for one read; back in the pool when dropped (even if the read panicked).
struct Lease<'a> {
    readers: &'a Readers,
    conn: Option<Connection>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        HELD.with(|h| h.set(h.get().saturating_sub(1)));
        let Some(conn) = self.conn.take() else { return };
        let mut pool = lock(&self.readers.pool);
        let closed = if pool.open > self.readers.max {
            pool.open -= 1;
            Some(conn)
        } else {
            pool.idle.push(conn);
            None
        };
        self.readers.wake_one(pool);
        drop(closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn reads_share_at_most_max_connections_and_nested_reads_do_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let readers = Arc::new(Readers::new(2));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (readers, path) = (readers.clone(), path.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        readers
                            .with(&path, |c| {
                                c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                            })
                            .unwrap()
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(lock(&readers.pool).open <= 2, "never more than the bound");
        assert_eq!(
            lock(&readers.pool).waiting,
            0,
            "every waiting read was woken"
        );
        // Two reads held by one thread and a third nested inside them: it opens one more
        // rather than waiting, and the pool is back at its bound afterwards.
        let inner = readers
            .with(&path, |_| {
                readers.with(&path, |_| readers.with(&path, |c| c.is_autocommit()))
            })
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(inner);
        assert_eq!(lock(&readers.pool).open, 2);
        assert_eq!(HELD.with(Cell::get), 0);
    }
}
