//! What authenticating costs. A password sign-in's parts with the parameters the core uses
//! (Argon2id at OWASP's 19 MiB and 2 passes, `accounts::password`; the TOTP check,
//! `accounts::totp`), and what every request pays: the read of its API token
//! (`Records::authenticate_token`) or of its session cookie's session
//! (`Records::authenticate_session`), each joined with its owner, on an SQLite file and, when
//! `SIPROC_TEST_POSTGRES_URL` names a server, on PostgreSQL. Figures in benches/README.md,
//! "Accounts".
//!
//! Run: `cargo bench -p siproc-benches --bench accounts -- --warm-up-time 1 --measurement-time 5`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use siproc_core::accounts::sessions::{Session, SessionPolicy, SignInMethod};
use siproc_core::accounts::{User, UserState, password, totp};
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

/// Records with 1,000 users with an open session each; answers the hash of one of them.
fn with_sessions(records: &Records) -> String {
    let now = Utc::now();
    for i in 0..1_000 {
        let user = User {
            id: format!("person-{i:04}"),
            display_name: format!("Person {i}"),
            role: Role::Officer,
            office: Some("TAP".to_owned()),
            state: UserState::Active,
            created_at: now,
            changed_at: now,
        };
        let session = Session {
            id: format!("session-{i:04}"),
            user_id: user.id.clone(),
            method: SignInMethod::PasswordTotp,
            created_at: now,
            last_seen_at: now,
            ended_at: None,
            reauthenticated_until: None,
        };
        let _ = records.create_user(&user);
        let _ = records.create_session(&format!("session-hash-{i:04}"), &session);
    }
    "session-hash-0500".to_owned()
}

fn check(c: &mut Criterion, backend: &str, records: &Records) {
    let hash = filled(records);
    c.bench_function(&format!("token check ({backend})"), |b| {
        b.iter(|| {
            let found = records.authenticate_token(black_box(&hash), Utc::now());
            black_box(found.map(|r| r.is_ok()).unwrap_or(false))
        });
    });
    let hash = with_sessions(records);
    let policy = SessionPolicy::default();
    // Within a minute of its last use a session is only read, as on nearly every request
    // (`sessions::needs_touch`); the bench runs well inside that minute.
    c.bench_function(&format!("session check ({backend})"), |b| {
        b.iter(|| {
            let found = records.authenticate_session(black_box(&hash), &policy, Utc::now());
            black_box(found.map(|r| r.is_ok()).unwrap_or(false))
        });
    });
}

fn request_checks(c: &mut Criterion) {
    let dir = tempfile::tempdir().ok();
    if let Some(dir) = &dir {
        let url = format!("sqlite:{}", dir.path().join("accounts.db").display());
        if let Ok((_, records)) = store::open_database(&url) {
            check(c, "SQLite file", &records);
        }
    }
    if let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL")
        && let Ok((_, records)) = store::open_database(&url)
    {
        check(c, "PostgreSQL", &records);
    }
}

/// A password sign-in's own work: the Argon2id verification (right password, wrong password,
/// unknown login against the dummy hash: the three must cost the same) and the TOTP check.
fn sign_in(c: &mut Criterion) {
    let stored = password::hash_password("correct horse battery staple");
    let mut group = c.benchmark_group("password sign-in");
    group.sample_size(20);
    group.bench_function("Argon2id hash (enrolment)", |b| {
        b.iter(|| {
            black_box(password::hash_password(black_box(
                "correct horse battery staple",
            )))
        });
    });
    for (name, typed, stored) in [
        (
            "Argon2id verify, right password",
            "correct horse battery staple",
            Some(stored.as_str()),
        ),
        (
            "Argon2id verify, wrong password",
            "wrong horse battery staple",
            Some(stored.as_str()),
        ),
        (
            "Argon2id verify, unknown login",
            "correct horse battery staple",
            None,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(password::verify_password(black_box(typed), stored)));
        });
    }
    let secret = totp::new_secret();
    let unix = u64::try_from(Utc::now().timestamp()).unwrap_or_default();
    let code = totp::code_at(&secret, unix);
    group.bench_function("TOTP check (three steps)", |b| {
        b.iter(|| black_box(totp::verify_code(&secret, black_box(&code), unix, None)));
    });
    group.finish();
}

criterion_group!(benches, sign_in, request_checks);
criterion_main!(benches);
