//! Criterion benchmarks of form rendering: the two-page intake sheet of
//! `forms_vs_reportlab/case.json`, and each of its stages' share is visible by comparing with
//! the one-page consent form. See benches/README.md.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use siproc_core::forms::{self, RenderOptions};
use siproc_core::{Case, Catalog, Locale};

fn bench(c: &mut Criterion) {
    let catalog = Catalog::honduras().expect("pack");
    let case: Case =
        serde_json::from_str(include_str!("../forms_vs_reportlab/case.json")).expect("case");
    let options = RenderOptions {
        generated_at: Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).unwrap(),
        verification_hash: "3f2a9c1b7e0455d0a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778a"
            .to_owned(),
        locale: Locale::Es,
        verify_origin: None,
    };
    let mut group = c.benchmark_group("forms");
    group.throughput(Throughput::Elements(1));
    for id in ["intake_sheet", "informed_consent"] {
        group.bench_function(id, |b| {
            b.iter(|| forms::render_form(&case, &catalog, id, &options).expect("render"))
        });
    }
    group.bench_function("required_forms", |b| {
        b.iter(|| forms::required_forms(&case, &catalog))
    });
    group.finish();
    c.bench_function("catalog_load_with_template_checks", |b| {
        b.iter(|| Catalog::honduras().expect("pack"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
