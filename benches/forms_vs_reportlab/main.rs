//! Forms per second and bytes per form of siproc's intake sheet, on one thread.
//!
//! The case is `case.json`, the same one `reportlab_intake.py` renders; `run.sh` runs both on
//! one core. Run alone with:
//!
//! ```sh
//! taskset -c 0 cargo run --release -p siproc-benches --example forms_vs_reportlab -- 5
//! ```
//!
//! The optional argument is the measuring time in seconds (default 5). Prints one JSON line with
//! the rate per second of wall-clock time and per second of CPU time of this process (read from
//! `/proc/self/stat`, Linux): on a shared machine the second is what one core can do.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use siproc_core::forms::{self, RenderOptions};
use siproc_core::{Case, Catalog, Locale};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let catalog = Catalog::honduras()?;
    let case: Case = serde_json::from_str(include_str!("case.json"))?;
    let options = RenderOptions {
        generated_at: Utc
            .with_ymd_and_hms(2026, 3, 2, 15, 30, 0)
            .single()
            .ok_or("bad date")?,
        verification_hash: "3f2a9c1b7e0455d0a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778a"
            .to_owned(),
        locale: Locale::Es,
        verify_origin: None,
    };
    let render = || forms::render_form(&case, &catalog, "intake_sheet", &options);
    let first = render()?;
    if let Some(path) = std::env::var_os("SIPROC_FORM_OUT") {
        std::fs::write(path, &first.bytes)?;
    }
    for _ in 0..20 {
        render()?;
    }
    let budget = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let mut n = 0_u64;
    while start.elapsed() < budget {
        render()?;
        n += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    println!(
        "{{\"impl\": \"siproc (printpdf)\", \"forms\": {n}, \"seconds\": {elapsed:.3}, \
         \"cpu_seconds\": {cpu:.3}, \"forms_per_sec\": {:.1}, \"forms_per_cpu_sec\": {:.1}, \
         \"pages\": {}, \"bytes\": {}}}",
        n as f64 / elapsed,
        n as f64 / cpu.max(1e-9),
        first.pages,
        first.bytes.len()
    );
    Ok(())
}

/// User plus system CPU time of this process, from `/proc/self/stat` (in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let ticks: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}
