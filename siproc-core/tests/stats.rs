//! Statistics from a store: records from real histories, the tables, the release's JSON shape
//! and CSV.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use siproc_core::Status;
use siproc_core::stats::{self, CaseRecord, Parameters};
use siproc_core::store::MemoryStore;
use siproc_core::store::{self, CaseQuery, CaseStore};
use siproc_core::workflow::Command;

use common::{catalog, detention_intake, now, officer, victim_intake};

fn parameters() -> Parameters {
    Parameters {
        catalog: "hn".into(),
        from: None,
        to: None,
        as_of: Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap(),
    }
}

/// 23 detention cases at TAP (every other one worked on after `i` hours, the first five
/// closed) and 2 victim-of-crime cases at MIA, untouched.
fn store() -> MemoryStore {
    let (catalog, store) = (catalog(), MemoryStore::new());
    for i in 0..23 {
        let actor = officer("TAP");
        let case =
            store::open_case(&store, &catalog, &actor, &detention_intake("TAP"), now()).unwrap();
        if i % 2 == 0 {
            let at = now() + TimeDelta::hours(i);
            let to = |to| Command::ChangeStatus { to };
            store::run(
                &store,
                &catalog,
                &actor,
                case.id,
                &to(Status::InProgress),
                at,
            )
            .unwrap();
            if i < 10 {
                let later = at + TimeDelta::days(2);
                store::run(
                    &store,
                    &catalog,
                    &actor,
                    case.id,
                    &to(Status::Resolved),
                    later,
                )
                .unwrap();
                let close = Command::Close {
                    outcome: Some("released".into()),
                };
                store::run(&store, &catalog, &actor, case.id, &close, later).unwrap();
            }
        }
    }
    for _ in 0..2 {
        store::open_case(
            &store,
            &catalog,
            &officer("MIA"),
            &victim_intake("MIA"),
            now(),
        )
        .unwrap();
    }
    store
}

fn cell<'a>(table: &'a Value, labels: &[(&str, &str)]) -> &'a Value {
    table["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| labels.iter().all(|(k, v)| c[k] == *v))
        .unwrap_or_else(|| panic!("no cell {labels:?}"))
}

fn table<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()
}

#[test]
fn a_record_holds_what_statistics_count() {
    let (catalog, store) = (catalog(), store());
    let tap = CaseQuery {
        office: Some("TAP".into()),
        ..Default::default()
    };
    let first = store.list(&tap).unwrap()[0].id;
    let record = CaseRecord::from_history(&store.load(first).unwrap(), &catalog).unwrap();
    assert_eq!(
        (&*record.category, &*record.office, record.status),
        ("detention", "TAP", Status::Closed)
    );
    assert_eq!(record.age, Some(31));
    assert_eq!(record.first_action_at, Some(now()));
    assert_eq!(record.resolved_at, Some(now() + TimeDelta::days(2)));
    assert_eq!(record.closed_at, record.resolved_at);
    // No current location: the office's country.
    assert_eq!(&*record.country, "MX");
}

#[test]
fn statistics_count_everything() {
    let s = stats::statistics(&store(), &catalog(), parameters()).unwrap();
    let doc = serde_json::to_value(&s).unwrap();
    let by_month = table(&doc, "cases_by_category_month");
    assert_eq!(
        cell(by_month, &[("category", "detention"), ("month", "2026-03")])["count"],
        23
    );
    assert_eq!(
        cell(
            by_month,
            &[("category", "victim_of_crime"), ("month", "2026-03")]
        )["count"],
        2
    );
    assert_eq!(
        by_month["totals"].as_array().unwrap().last().unwrap(),
        &json!({"count": 25})
    );
    let status = table(&doc, "cases_by_office_status");
    assert_eq!(
        cell(status, &[("office", "TAP"), ("status", "closed")])["count"],
        5
    );
    assert_eq!(
        cell(status, &[("office", "TAP"), ("status", "in_progress")])["count"],
        7
    );
    assert_eq!(
        cell(status, &[("office", "TAP"), ("status", "archived")])["count"],
        0
    );
    // Every case of the store was registered here; none migrated.
    let origin = table(&doc, "cases_by_origin_status");
    let registered: u64 = origin["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["origin"] == "registered")
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(registered, 25);
    assert_eq!(
        cell(
            origin,
            &[("origin", "migrated_incomplete"), ("status", "registered")]
        )["count"],
        0
    );
    let closed = table(&doc, "cases_closed_by_month");
    assert_eq!(cell(closed, &[("month", "2026-03")])["count"], 5);
    // First contact: 24 h for detention; worked on after 0, 2, …, 22 hours: all met. The
    // others were never worked on, and the deadline has passed on `as_of`: breached.
    let sla = table(&doc, "first_contact_sla_by_category");
    assert_eq!(
        cell(
            sla,
            &[("category", "detention"), ("first_contact_sla", "met")]
        )["count"],
        12
    );
    assert_eq!(
        cell(
            sla,
            &[("category", "detention"), ("first_contact_sla", "breached")]
        )["count"],
        11
    );
    let first = table(&doc, "hours_to_first_action_by_category");
    let detention = cell(first, &[("category", "detention")]);
    assert_eq!(
        (
            detention["count"].clone(),
            detention["median"].clone(),
            detention["p90"].clone()
        ),
        (json!(12), json!(11.0), json!(20.0))
    );
    let resolution = table(&doc, "days_to_resolution_by_category");
    assert_eq!(
        cell(resolution, &[("category", "detention")])["median"],
        2.2
    );
    let aging = table(&doc, "open_cases_by_office_aging");
    assert_eq!(
        cell(aging, &[("office", "TAP"), ("aging", "91-180")])["count"],
        18
    );
    // A date range leaves cases out.
    let mut p = parameters();
    p.from = chrono::NaiveDate::from_ymd_opt(2026, 3, 2);
    let s = stats::statistics(&store(), &catalog(), p).unwrap();
    assert_eq!(s.tables[0].totals.last().unwrap().count, Some(23));
}

#[test]
fn a_release_has_the_fixed_shape() {
    let release = stats::release(&store(), &catalog(), parameters(), None).unwrap();
    let doc = serde_json::to_value(&release).unwrap();
    assert_eq!(doc["k"], 10);
    assert_eq!(
        doc["parameters"],
        json!({"catalog": "hn", "from": null, "to": null,
                                         "as_of": "2026-06-30T00:00:00Z"})
    );
    let t = table(&doc, "cases_by_category_month");
    assert_eq!(t["dimensions"], json!(["category", "month"]));
    assert_eq!(
        cell(t, &[("category", "victim_of_crime")]),
        &json!({"category": "victim_of_crime", "month": "2026-03", "count": null, "suppressed": true})
    );
    // A lone small cell takes its row partner with it: 23 would give 2 away.
    assert_eq!(cell(t, &[("category", "detention")])["suppressed"], true);
    assert!(
        t["totals"]
            .as_array()
            .unwrap()
            .contains(&json!({"count": 25}))
    );
    // Durations of groups under k are not published.
    let first = table(&doc, "hours_to_first_action_by_category");
    assert_eq!(
        cell(first, &[("category", "detention")]),
        &json!({"category": "detention", "count": 12, "median": 11.0, "p90": 20.0})
    );
    let resolution = table(&doc, "days_to_resolution_by_category");
    assert_eq!(
        resolution["totals"],
        json!([{"count": null, "suppressed": true}])
    );
    // It reads back as it was written.
    let back: stats::Release = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(back, release);
    // CSV: one row per cell and margin.
    let csv = release.to_csv();
    let rows = csv.lines().count() - 1;
    let cells: usize = release
        .tables
        .iter()
        .map(|t| t.cells.len() + t.totals.len())
        .sum();
    assert_eq!(rows, cells);
    assert!(
        csv.contains("cases_by_category_month,category,victim_of_crime,month,2026-03,,true,,\n")
    );
}

#[test]
fn bad_parameters_are_refused() {
    let mut p = parameters();
    p.from = chrono::NaiveDate::from_ymd_opt(2026, 4, 1);
    p.to = chrono::NaiveDate::from_ymd_opt(2026, 3, 1);
    let e = stats::statistics(&store(), &catalog(), p).unwrap_err();
    assert_eq!(e.code(), "stats.bad_parameters");
    let e = stats::release(&store(), &catalog(), parameters(), Some(1)).unwrap_err();
    assert_eq!(e.code(), "stats.bad_parameters");
}

/// The published count of the cell of `table` fixing `labels` (in a release's JSON).
fn published<'a>(doc: &'a Value, table_name: &str, labels: &[(&str, &str)]) -> &'a Value {
    &cell(table(doc, table_name), labels)["count"]
}

#[test]
fn a_period_release_is_perturbed_consistently_over_the_cases_registered_before_it_closed() {
    use siproc_core::stats::releases::{self, Period};
    let (catalog, store) = (catalog(), store());
    let period = Period::parse(&now().format("%Y-%m").to_string()).unwrap();
    let closes = period.closes_at().unwrap();
    let first = releases::compute(&store, &catalog, period, 1, closes).unwrap();
    // A case registered after the period closed, opened within it, is not counted.
    let mut late = detention_intake("TAP");
    late.opened_on = now().date_naive();
    store::open_case(&store, &catalog, &officer("TAP"), &late, closes).unwrap();
    let later = closes + TimeDelta::days(40);
    let second = releases::compute(&store, &catalog, period, 2, later).unwrap();
    let (a, b) = (
        serde_json::to_value(&first.release).unwrap(),
        serde_json::to_value(&second.release).unwrap(),
    );
    // The same cases, the same keys: the same noise, cell for cell, in every table that does
    // not depend on the day it is computed.
    for name in [
        "cases_by_category_month",
        "cases_by_office_status",
        "cases_by_sex_age_band",
    ] {
        assert_eq!(table(&a, name), table(&b, name), "{name}");
    }
    assert_eq!(a["perturbation"]["max_noise"], 3);
    // Every published count is within D of the truth, zeros stay zero.
    let full =
        serde_json::to_value(stats::statistics(&store, &catalog, parameters()).unwrap()).unwrap();
    let truth = published(
        &full,
        "cases_by_office_status",
        &[("office", "TAP"), ("status", "registered")],
    );
    let shown = published(
        &a,
        "cases_by_office_status",
        &[("office", "TAP"), ("status", "registered")],
    );
    if let (Some(t), Some(s)) = (truth.as_i64(), shown.as_i64()) {
        assert!(
            (t - 1 - s).abs() <= 3,
            "{s} for {t} (one late case in the truth)"
        );
    }
    assert_eq!(
        published(
            &a,
            "cases_by_office_status",
            &[("office", "TAP"), ("status", "archived")]
        ),
        0
    );
    // No published count is from 1 to k − 1.
    for t in a["tables"].as_array().unwrap() {
        for c in t["cells"]
            .as_array()
            .unwrap()
            .iter()
            .chain(t["totals"].as_array().unwrap())
        {
            if let Some(n) = c["count"].as_u64() {
                assert!(n == 0 || n >= 10, "{c}");
            }
        }
    }
}
