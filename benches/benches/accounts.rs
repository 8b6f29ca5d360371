//! What authenticating a request costs: the read every request makes of its API token joined
//! with its owner (`Records::authenticate_token`), on an SQLite file and, when
//! `SIPROC_TEST_POSTGRES_URL` names a server, on PostgreSQL. Figures in benches/README.md,
//! "Accounts".
//!
//! Run: `cargo bench -p siproc-benches --bench accounts -- --warm-up-time 1 --measurement-time 5`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use siproc_core::store::{self, Records};
use siproc_core::{Actor, Role};

/// Records with 1,000 users and a token each; answers the hash of one of them.
fn filled(records: &Records) -> String {
    for i in 0..1_000 {
        let actor = Actor::new(format!("user-{i:04}"), Role::Officer, "TAP");
        records
            .add_token(&format!("hash-{i:04}"), &actor)
            .unwrap_or_default();
    }
    "hash-0500".to_owned()
}

fn check(c: &mut Criterion, name: &str, records: &Records) {
    let hash = filled(records);
    c.bench_function(name, |b| {
        b.iter(|| {
            let found = records.authenticate_token(black_box(&hash), Utc::now());
            black_box(found.map(|r| r.is_ok()).unwrap_or(false))
        });
    });
}

fn token_check(c: &mut Criterion) {
    let dir = tempfile::tempdir().ok();
    if let Some(dir) = &dir {
        let url = format!("sqlite:{}", dir.path().join("accounts.db").display());
        if let Ok((_, records)) = store::open_database(&url) {
            check(c, "token check (SQLite file)", &records);
        }
    }
    if let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL")
        && let Ok((_, records)) = store::open_database(&url)
    {
        check(c, "token check (PostgreSQL)", &records);
    }
}

criterion_group!(benches, token_check);
criterion_main!(benches);
