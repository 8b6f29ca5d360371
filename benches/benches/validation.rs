//! Validation benchmarks: one typical intake, 10,000 intakes, and each identity-document check.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use siproc_benches::{many_intakes, typical_intakes};
use siproc_core::document::check_document;
use siproc_core::{Catalog, Intake, Locale, validate, validate_json};
use std::hint::black_box;

fn intakes(values: Vec<serde_json::Value>) -> Vec<Intake> {
    values
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("typical intake"))
        .collect()
}

fn bench_validation(c: &mut Criterion) {
    let catalog = Catalog::honduras().expect("pack");
    let typical = typical_intakes();
    let detention: Intake = serde_json::from_value(typical[0].clone()).expect("intake");
    let json = typical[0].to_string();

    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one typical intake", |b| {
        b.iter(|| validate(black_box(&detention), &catalog, Locale::Es))
    });
    g.bench_function("one typical intake, from JSON text", |b| {
        b.iter(|| validate_json(black_box(&json), &catalog, Locale::Es))
    });
    let all = intakes(many_intakes(10_000));
    g.throughput(Throughput::Elements(all.len() as u64));
    g.sample_size(20);
    g.bench_function("10,000 intakes", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for intake in &all {
                ok += usize::from(validate(intake, &catalog, Locale::Es).ok);
            }
            ok
        })
    });
    g.bench_function("10,000 intakes, cloned each time", |b| {
        b.iter_batched(
            || all.clone(),
            |v| {
                v.iter()
                    .filter(|i| validate(i, &catalog, Locale::Es).ok)
                    .count()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("check_document");
    g.throughput(Throughput::Elements(1));
    for (kind, value) in [
        ("hn_dni", "0801-1994-04512"),
        ("hn_passport", "G1234567"),
        ("mx_curp", "GOMC900215MCSRRR09"),
        ("sv_dui", "04567890-3"),
        ("gt_dpi", "2345678920101"),
        (
            "mrz_td3",
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ),
    ] {
        g.bench_function(kind, |b| {
            b.iter(|| check_document(black_box(kind), black_box(value)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_validation);
criterion_main!(benches);
