//! Structure-aware: an intake (a sample with edits) and a sequence of commands by several
//! actors, built with `arbitrary`, run at once on a memory store, on an SQLite store and on the
//! case in memory (`workflow::execute`).
//!
//! Oracle: no panic; the three give the same verdict (the same error code) at every step and
//! end at the same case (ids and hashes aside: a store draws the case id); a case that opens
//! always verifies and replays to the stored case; its archive imports into a fresh memory
//! store and a fresh SQLite store and exports again byte for byte.
//!
//! With `SIPROC_FUZZ_ARCHIVES=<dir>` set, each archive exported is also written into that
//! folder: the seeds of the `archive_import` target come from there.
#![no_main]

use std::cell::RefCell;
use std::io::Cursor;

use arbitrary::Arbitrary;
use chrono::Days;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use siproc_core::archive::{self, ImportOptions};
use siproc_core::history;
use siproc_core::store::sqlite::SqliteStore;
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore, StoreError};
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Case, Consent, ConsentScope, Locale, Role, Status, intake_from_value};
use siproc_fuzz::{
    assert_sound, catalog, directorate, now, officer, sample_intake_json, supervisor,
};

/// Codes and values of the Honduran pack and the wire format the fuzzer picks from, so that
/// most intakes open and most commands get past their checks.
const WORDS: &[&str] = &[
    "detention",
    "victim_of_crime",
    "missing_person",
    "unaccompanied_minor",
    "TAP",
    "MEX",
    "GUA",
    "HOU",
    "DGPHM",
    "minor",
    "pregnant",
    "HN",
    "MX",
    "US",
    "hn_dni",
    "hn_passport",
    "mrz_td3",
    "0801-1990-12345",
    "0801 1994 04512",
    "E1234567",
    "processing",
    "share_with_partners",
    "female",
    "male",
    "national",
    "relative",
    "immigration",
    "criminal",
    "iom",
    "unicef",
    "consular_visit",
    "legal_assistance",
    "intake_sheet",
    "informed_consent",
    "resolved_ok",
    "released",
    "María José",
    "Núñez O'Connor",
    "2026-03-02",
    "1994-07-21",
    "2030-01-01",
    "urgent",
    "high",
    "normal",
    "+504 9876-5432",
    "ana@example.org",
    "",
];

#[derive(Arbitrary, Debug, Clone)]
enum Scalar {
    Word(u8),
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// Days after 2026-02-01.
    Day(u8),
    Words(Vec<u8>),
}

impl Scalar {
    fn word(i: u8) -> &'static str {
        WORDS[usize::from(i) % WORDS.len()]
    }

    fn value(&self) -> Value {
        match self {
            Scalar::Word(i) => json!(Scalar::word(*i)),
            Scalar::Text(s) => json!(s),
            Scalar::Int(n) => json!(n),
            Scalar::Float(f) => json!(f),
            Scalar::Bool(b) => json!(b),
            Scalar::Null => Value::Null,
            Scalar::Day(d) => json!(day(*d).to_string()),
            Scalar::Words(ws) => json!(
                ws.iter()
                    .take(4)
                    .map(|w| Scalar::word(*w))
                    .collect::<Vec<_>>()
            ),
        }
    }
}

fn day(offset: u8) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap() + Days::new(u64::from(offset))
}

/// Where an edit of the intake or a correction lands.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Field {
    Category,
    OpenedOn,
    Flags,
    Priority,
    GivenNames,
    Surnames,
    BirthDate,
    Sex,
    Nationality,
    Role,
    DocumentKind,
    DocumentNumber,
    Contacts,
    SecondPerson,
    ConsentGiven,
    ConsentScope,
    ConsentGivenBy,
    Facility,
    Authority,
    ArrestDate,
    DetentionKind,
    CrimeType,
}

impl Field {
    fn pointer(self) -> &'static str {
        match self {
            Field::Category => "/category",
            Field::OpenedOn => "/opened_on",
            Field::Flags => "/flags",
            Field::Priority => "/priority",
            Field::GivenNames => "/persons/0/given_names",
            Field::Surnames => "/persons/0/surnames",
            Field::BirthDate => "/persons/0/birth_date",
            Field::Sex => "/persons/0/sex",
            Field::Nationality => "/persons/0/nationality",
            Field::Role => "/persons/0/role",
            Field::DocumentKind => "/persons/0/documents/0/kind",
            Field::DocumentNumber => "/persons/0/documents/0/number",
            Field::Contacts => "/persons/0/contacts",
            Field::SecondPerson => "/persons/1",
            Field::ConsentGiven => "/consent/given",
            Field::ConsentScope => "/consent/scope",
            Field::ConsentGivenBy => "/consent/given_by",
            Field::Facility => "/facts/facility",
            Field::Authority => "/facts/authority",
            Field::ArrestDate => "/facts/arrest_date",
            Field::DetentionKind => "/facts/detention_kind",
            Field::CrimeType => "/facts/crime_type",
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Edit {
    Set(Field, Scalar),
    Remove(Field),
}

/// Sets (or, with `None`, removes) the value at `pointer`, creating missing objects on the way.
fn put(target: &mut Value, pointer: &str, value: Option<Value>) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    if target.pointer(parent).is_none() {
        put(target, parent, Some(json!({})));
    }
    match target.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            match value {
                Some(v) => map.insert(key.to_owned(), v),
                None => map.remove(key),
            };
        }
        Some(Value::Array(list)) => match (key.parse::<usize>(), value) {
            (Ok(i), Some(v)) if i < list.len() => list[i] = v,
            (Ok(i), Some(v)) if i == list.len() => list.push(v),
            (Ok(i), None) if i < list.len() => {
                list.remove(i);
            }
            _ => {}
        },
        _ => {}
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Who {
    Officer,
    Supervisor,
    Directorate,
    OfficerMex,
    SupervisorMex,
    Partner,
    Auditor,
}

impl Who {
    fn actor(self) -> Actor {
        match self {
            Who::Officer => officer("TAP"),
            Who::Supervisor => supervisor("TAP"),
            Who::Directorate => directorate(),
            Who::OfficerMex => officer("MEX"),
            Who::SupervisorMex => supervisor("MEX"),
            Who::Partner => Actor::new("partner-1", Role::Partner, "TAP"),
            Who::Auditor => Actor::new("auditor-1", Role::Auditor, "DGPHM"),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Text {
    Word(u8),
    Free(String),
}

impl Text {
    fn get(&self) -> String {
        match self {
            Text::Word(i) => Scalar::word(*i).to_owned(),
            Text::Free(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Op {
    Status(u8),
    Note(Text, Option<u8>),
    Service(Text, u8, Option<Text>),
    Form(Text, bool),
    Correct(Field, Scalar),
    CorrectAnywhere(String, Scalar),
    RequestTransfer(Text),
    AcceptTransfer,
    RejectTransfer,
    Refer(Text, Option<Text>),
    Referral(u8, u8),
    RecordConsent(bool, bool, u8),
    Withdraw(bool),
    RequestClosure(Text),
    Approve,
    Close(Option<Text>),
    Reopen(Option<Text>),
    Archive,
}

impl Op {
    /// The command on `case` (a referral is named by its place in the case's list).
    fn command(&self, case: &Case) -> Command {
        match self {
            Op::Status(i) => Command::ChangeStatus {
                to: Status::ALL[usize::from(*i) % Status::ALL.len()],
            },
            Op::Note(text, on) => Command::AddNote {
                text: text.get(),
                written_on: on.map(day),
            },
            Op::Service(kind, on, description) => Command::RecordService {
                kind: kind.get(),
                given_on: day(*on),
                description: description.as_ref().map(Text::get),
            },
            Op::Form(form, good) => Command::RecordForm {
                form: form.get(),
                sha256: if *good { "0f".repeat(32) } else { "0F".into() },
            },
            Op::Correct(field, value) => Command::Correct {
                path: field.pointer().into(),
                value: value.value(),
            },
            Op::CorrectAnywhere(path, value) => Command::Correct {
                path: path.clone(),
                value: value.value(),
            },
            Op::RequestTransfer(to) => Command::RequestTransfer {
                to_office: to.get(),
            },
            Op::AcceptTransfer => Command::AcceptTransfer,
            Op::RejectTransfer => Command::RejectTransfer,
            Op::Refer(partner, reason) => Command::Refer {
                partner: partner.get(),
                reason: reason.as_ref().map(Text::get),
            },
            Op::Referral(index, verdict) => {
                let referral_id = case
                    .referrals
                    .get(usize::from(*index) % 3)
                    .map_or_else(uuid::Uuid::nil, |r| r.id);
                match verdict % 3 {
                    0 => Command::AcceptReferral { referral_id },
                    1 => Command::RejectReferral { referral_id },
                    _ => Command::CompleteReferral { referral_id },
                }
            }
            Op::RecordConsent(given, share, by) => Command::RecordConsent {
                consent: Consent {
                    given: *given,
                    given_by: usize::from(*by % 3),
                    recorded_on: now().date_naive(),
                    scope: if *share {
                        vec![ConsentScope::Processing, ConsentScope::ShareWithPartners]
                    } else {
                        vec![ConsentScope::Processing]
                    },
                },
            },
            Op::Withdraw(all) => Command::WithdrawConsent {
                scope: if *all {
                    vec![]
                } else {
                    vec![ConsentScope::ShareWithPartners]
                },
            },
            Op::RequestClosure(outcome) => Command::RequestClosure {
                outcome: outcome.get(),
            },
            Op::Approve => Command::ApproveClosure,
            Op::Close(outcome) => Command::Close {
                outcome: outcome.as_ref().map(Text::get),
            },
            Op::Reopen(reason) => Command::Reopen {
                reason: reason.as_ref().map(Text::get),
            },
            Op::Archive => Command::Archive,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Scenario {
    victim: bool,
    edits: Vec<Edit>,
    steps: Vec<(Who, Op)>,
}

/// The stores every scenario runs on, kept between runs (made again every few hundred).
struct Stores {
    _dir: tempfile::TempDir,
    memory: MemoryStore,
    sqlite: SqliteStore,
    runs: usize,
}

impl Stores {
    fn new() -> Stores {
        // In memory when the machine has it: every append of the SQLite store is flushed.
        let base = std::path::Path::new("/dev/shm");
        let dir = if base.is_dir() {
            tempfile::tempdir_in(base)
        } else {
            tempfile::tempdir()
        }
        .unwrap();
        let sqlite = SqliteStore::open(dir.path().join("cases.db")).unwrap();
        Stores {
            memory: MemoryStore::new(),
            sqlite,
            _dir: dir,
            runs: 0,
        }
    }
}

thread_local! {
    static STORES: RefCell<Option<Stores>> = const { RefCell::new(None) };
}

/// A verdict: `ok`, or the error's stable code.
fn verdict<T>(r: &Result<T, StoreError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(StoreError::Rejected(e)) => e.code(),
        Err(e) => e.code(),
    }
}

/// The case without what a store draws (ids) or derives from them (hashes, salts).
fn comparable(case: &Case) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("id");
                map.remove("head");
                map.values_mut().for_each(strip);
            }
            Value::Array(list) => list.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(case).unwrap();
    strip(&mut v);
    // A printed form's verification code is the chain head it was printed at (`prev_hash`),
    // which differs between two stores as the heads do (each store's events have their own
    // ids): compared apart from it, as the heads are.
    if let Some(forms) = v.get_mut("forms").and_then(Value::as_array_mut) {
        for form in forms.iter_mut().filter_map(Value::as_object_mut) {
            form.remove("code");
        }
    }
    v
}

fn export(store: &dyn CaseStore, number: &str) -> Vec<u8> {
    let query = CaseQuery {
        number: Some(number.to_owned()),
        ..CaseQuery::default()
    };
    let mut out = Vec::new();
    let summary = archive::export(store, None, &query, &mut out, now()).unwrap();
    assert_eq!(summary.cases, 1);
    out
}

fn import_and_export(store: &dyn CaseStore, archive_bytes: &[u8], number: &str) {
    let report = archive::import(
        store,
        None,
        &mut Cursor::new(archive_bytes),
        ImportOptions::default(),
    )
    .unwrap();
    assert!(
        report.is_clean() && report.imported == 1,
        "an exported archive imports: {:?}",
        report.verification()
    );
    assert_eq!(
        export(store, number),
        archive_bytes,
        "the archive survives a round trip byte for byte"
    );
}

fn run(stores: &Stores, scenario: &Scenario) {
    let mut intake = sample_intake_json(
        if scenario.victim {
            "victim_of_crime"
        } else {
            "detention"
        },
        "TAP",
    );
    for edit in scenario.edits.iter().take(6) {
        match edit {
            Edit::Set(field, value) => put(&mut intake, field.pointer(), Some(value.value())),
            Edit::Remove(field) => put(&mut intake, field.pointer(), None),
        }
    }
    let Ok(intake) = intake_from_value(intake, Locale::Es) else {
        return;
    };
    let opener = officer("TAP");
    let in_memory = store::open_case(&stores.memory, catalog(), &opener, &intake, now());
    let in_sqlite = store::open_case(&stores.sqlite, catalog(), &opener, &intake, now());
    assert_eq!(
        verdict(&in_memory),
        verdict(&in_sqlite),
        "both stores open the same intakes"
    );
    let (Ok(mut mem_case), Ok(mut sql_case)) = (in_memory, in_sqlite) else {
        return;
    };
    assert_eq!(mem_case.number, sql_case.number, "both stores number alike");
    let mut pure = mem_case.clone();
    for (who, op) in scenario.steps.iter().take(40) {
        let actor = who.actor();
        let by_hand = workflow::execute(&pure, catalog(), &actor, &op.command(&pure), now());
        let mem = store::run(
            &stores.memory,
            catalog(),
            &actor,
            mem_case.id,
            &op.command(&mem_case),
            now(),
        );
        let sql = store::run(
            &stores.sqlite,
            catalog(),
            &actor,
            sql_case.id,
            &op.command(&sql_case),
            now(),
        );
        let by_hand_verdict = by_hand.as_ref().map_or_else(|e| e.code(), |_| "ok");
        assert_eq!(
            verdict(&mem),
            by_hand_verdict,
            "{op:?} by {who:?}: the store and the workflow agree"
        );
        assert_eq!(
            verdict(&mem),
            verdict(&sql),
            "{op:?} by {who:?}: the memory and SQLite stores agree"
        );
        if let (Ok(m), Ok(s), Ok(event)) = (mem, sql, by_hand) {
            history::apply(&mut pure, &event).unwrap();
            mem_case = m;
            sql_case = s;
            assert_eq!(comparable(&mem_case), comparable(&sql_case), "after {op:?}");
            assert_eq!(comparable(&mem_case), comparable(&pure), "after {op:?}");
        }
    }
    for (store, case) in [
        (&stores.memory as &dyn CaseStore, &mem_case),
        (&stores.sqlite, &sql_case),
    ] {
        let events = store.load(case.id).unwrap();
        assert_sound(&events, case);
        assert_eq!(
            &store::load_case(store, case.id).unwrap(),
            case,
            "the stored case is the one returned"
        );
    }
    let bytes = export(&stores.memory, &mem_case.number);
    if let Some(dir) = std::env::var_os("SIPROC_FUZZ_ARCHIVES") {
        let name = format!("{}-{}.jsonl", mem_case.number, mem_case.version);
        std::fs::write(std::path::Path::new(&dir).join(name), &bytes).unwrap();
    }
    import_and_export(&MemoryStore::new(), &bytes, &mem_case.number);
    let dir = tempfile::tempdir_in(stores._dir.path()).unwrap();
    import_and_export(
        &SqliteStore::open(dir.path().join("mirror.db")).unwrap(),
        &bytes,
        &mem_case.number,
    );
}

fuzz_target!(|scenario: Scenario| {
    STORES.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|s| s.runs >= 500) {
            *slot = Some(Stores::new());
        }
        let Some(stores) = slot.as_mut() else { return };
        stores.runs += 1;
        run(stores, &scenario);
    });
});
