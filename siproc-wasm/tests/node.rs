//! The Rust side of siproc-wasm, compiled to WebAssembly and run in Node by
//! `wasm-bindgen-test-runner` (`make test-wasm`): every conformance case through the exports,
//! today's date from the JavaScript clock, plain objects out, real `Error`s for misuse.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(module = "node:fs")]
extern "C" {
    #[wasm_bindgen(js_name = readFileSync)]
    fn read_file(path: &str, encoding: &str) -> String;
    #[wasm_bindgen(js_name = readdirSync)]
    fn read_dir(path: &str, options: &JsValue) -> Array;
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// Whether `value` is a plain object (its prototype is `Object.prototype`), not a `Map`.
fn is_plain(value: &JsValue) -> bool {
    let object: JsValue = Object::get_prototype_of(value).into();
    let plain: JsValue = Object::get_prototype_of(&Object::new()).into();
    value.is_object() && object == plain
}

fn opts(json: &str) -> Option<Object> {
    Some(js(json).unchecked_into())
}

/// `(code, path, severity)` of each issue of a report, sorted.
fn triples(report: &JsValue) -> Vec<(String, String, String)> {
    let issues: Array = get(report, "issues").dyn_into().unwrap();
    let mut out: Vec<_> = issues
        .iter()
        .map(|i| {
            let s = |k| get(&i, k).as_string().unwrap();
            (s("code"), s("path"), s("severity"))
        })
        .collect();
    out.sort();
    out
}

fn codes(report: &JsValue) -> Vec<String> {
    triples(report).into_iter().map(|t| t.0).collect()
}

/// The `code` of a thrown `Error`.
fn thrown(result: Result<JsValue, JsValue>) -> String {
    let error = result.expect_err("misuse must throw");
    assert!(error.is_instance_of::<js_sys::Error>(), "not an Error");
    get(&error, "code").as_string().expect("Error.code")
}

/// The sample detention intake (`siproc-core/tests/fixtures/intakes.json`, the one the core's
/// tests and the store kit open), as JSON text.
fn valid() -> String {
    let samples: serde_json::Value = serde_json::from_str(include_str!(
        "../../siproc-core/tests/fixtures/intakes.json"
    ))
    .unwrap();
    serde_json::to_string_pretty(&samples["detention"]).unwrap()
}

#[wasm_bindgen_test]
fn every_conformance_case_gives_the_rust_verdict() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance");
    let files = read_dir(dir, &js(r#"{"recursive": true}"#));
    let mut count = 0;
    let mut failures = Vec::new();
    for name in files.iter().filter_map(|f| f.as_string()) {
        if !name.ends_with(".json") {
            continue;
        }
        let text = read_file(&format!("{dir}/{name}"), "utf8");
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        for case in file["cases"].as_array().unwrap() {
            count += 1;
            let options = serde_json::json!({
                "locale": case.get("locale").cloned().unwrap_or("es".into()),
                "catalog": case.get("catalog").cloned().unwrap_or("hn".into()),
            });
            let options = opts(&options.to_string());
            let result = if let Some(intake) = case.get("intake") {
                siproc_wasm::validate(js(&intake.to_string()), options)
            } else if let Some(text) = case.get("json").and_then(|j| j.as_str()) {
                siproc_wasm::validate_json(JsValue::from_str(text), options)
            } else if let Some(doc) = case.get("check_document") {
                let kind = doc["kind"].as_str().unwrap();
                let value = doc["value"].as_str().unwrap();
                siproc_wasm::check_document(kind.into(), value.into(), options)
            } else if let Some(lines) = case.get("parse_mrz") {
                siproc_wasm::parse_mrz(js(&lines.to_string()), options)
            } else {
                panic!("{name}: a case without input");
            };
            // Misuse throws with the core's code; everything else answers with a report.
            let got = match result {
                Ok(report) => triples(&report),
                Err(error) => {
                    let code = get(&error, "code").as_string().unwrap();
                    if case.get("misuse").and_then(|m| m.as_str()) != Some(code.as_str()) {
                        failures.push(format!("{name} / {}: threw {code}", case["name"]));
                    }
                    continue;
                }
            };
            if case.get("misuse").is_some() {
                failures.push(format!("{name} / {}: misuse not refused", case["name"]));
                continue;
            }
            let mut want: Vec<(String, String, String)> = case["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap().to_owned();
                    (s("code"), s("path"), s("severity"))
                })
                .collect();
            want.sort();
            if got != want {
                failures.push(format!("{name} / {}: {got:?} != {want:?}", case["name"]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 150, "only {count} cases");
}

#[wasm_bindgen_test]
fn dates_are_checked_against_todays_javascript_clock() {
    // Utc::now() reads Date.now(): a date of today is fine, 2099 is in the future.
    let today = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap()
        .chars()
        .take(10)
        .collect::<String>();
    let record = valid().replace("2026-03-02", &today);
    let report = siproc_wasm::validate(js(&record), None).unwrap();
    assert_eq!(get(&report, "ok"), JsValue::TRUE, "{:?}", codes(&report));
    let future = valid().replace(
        "\"opened_on\": \"2026-03-02\"",
        "\"opened_on\": \"2099-01-01\"",
    );
    let report = siproc_wasm::validate(js(&future), None).unwrap();
    assert_eq!(codes(&report), ["date.in_future"]);
}

#[wasm_bindgen_test]
fn results_are_plain_objects_and_arrays() {
    let record = valid().replace("0801 1994", "1901 1994");
    let report = siproc_wasm::validate(js(&record), opts(r#"{"locale": "en"}"#)).unwrap();
    assert!(is_plain(&report));
    let issues = get(&report, "issues");
    assert!(Array::is_array(&issues));
    let issue = Array::from(&issues).get(0);
    assert!(is_plain(&issue));
    assert_eq!(
        get(&issue, "code").as_string().unwrap(),
        "dni.bad_department"
    );
    assert!(
        get(&issue, "message")
            .as_string()
            .unwrap()
            .contains("department")
    );

    let view = siproc_wasm::catalog(Some("es".into()), None).unwrap();
    assert!(is_plain(&view));
    let categories = Array::from(&get(&view, "categories"));
    assert!(categories.length() >= 12);
    let facts = get(&categories.get(0), "facts");
    assert!(Array::is_array(&facts));
    // The labels of every enumerated value, as plain objects: the status as the PDFs word it.
    let status = get(&get(&view, "labels"), "status");
    assert!(is_plain(&status));
    assert_eq!(
        get(&status, "in_progress").as_string().unwrap(),
        "En trámite"
    );

    let case = js(
        r#"{"id": "01950000-0000-7000-8000-000000000001", "number": "TAP-2026-000001",
        "office": "TAP", "category": "detention", "flags": [], "priority": "normal",
        "status": "registered", "opened_on": "2026-03-01", "persons": [], "facts": {},
        "notes": [], "services": [], "referrals": [], "attachments": [], "forms": [],
        "version": 1, "created_at": "2026-03-01T14:00:00Z", "updated_at": "2026-03-01T14:00:00Z",
        "head": "00"}"#,
    );
    let officer = js(r#"{"user_id": "u1", "role": "officer", "office": "TAP"}"#);
    let offered =
        Array::from(&siproc_wasm::available_commands(case.clone(), officer, None).unwrap());
    let first = offered.get(0);
    assert!(is_plain(&first));
    assert_eq!(get(&first, "command").as_string().unwrap(), "change_status");
    let auditor = js(r#"{"user_id": "u2", "role": "auditor", "office": "TAP"}"#);
    assert_eq!(
        Array::from(&siproc_wasm::available_commands(case.clone(), auditor, None).unwrap())
            .length(),
        0
    );
    assert!(siproc_wasm::available_commands(case, js("{}"), None).is_err());

    let forms = siproc_wasm::intake_forms(js(r#"{"category": "missing_person"}"#), None).unwrap();
    let ids: Vec<String> = Array::from(&forms)
        .iter()
        .map(|f| get(&f, "id").as_string().unwrap())
        .collect();
    assert!(ids.contains(&"search_request".to_owned()), "{ids:?}");
    assert!(Array::from(&siproc_wasm::list_rules().unwrap()).length() > 50);
}

#[wasm_bindgen_test]
fn one_field_is_checked_live() {
    let report = siproc_wasm::validate_field(
        "/persons/0/documents/0/number".into(),
        "1901-1990-12345".into(),
        js(r#"{"opened_on": "2026-03-02",
               "persons": [{"role": "national", "documents": [{"kind": "hn_dni"}]}]}"#),
        None,
    )
    .unwrap();
    assert_eq!(codes(&report), ["dni.bad_department"]);
    let report = siproc_wasm::validate_field(
        "/persons/0/birth_date".into(),
        "2099-01-01".into(),
        js(r#"{"opened_on": "2026-03-02", "persons": [{"role": "national"}]}"#),
        None,
    )
    .unwrap();
    assert_eq!(codes(&report), ["date.in_future"]);
    // A record that does not parse yet (no `opened_on`) has no issue below another field: a
    // form keeps the fields the wire format requires filled (the example page does).
    let report =
        siproc_wasm::validate_field("/office".into(), "TAP".into(), JsValue::UNDEFINED, None)
            .unwrap();
    assert_eq!(codes(&report), Vec::<String>::new());
}

#[wasm_bindgen_test]
fn misuse_throws_errors_with_stable_codes() {
    for bad in ["42", "\"text\"", "[1, 2]", "null", "true"] {
        assert_eq!(
            thrown(siproc_wasm::validate(js(bad), None)),
            "siproc.bad_argument"
        );
    }
    assert_eq!(
        thrown(siproc_wasm::validate(js("{}"), opts(r#"{"locale": "fr"}"#))),
        "siproc.unknown_locale"
    );
    assert_eq!(
        thrown(siproc_wasm::validate(
            js("{}"),
            opts(r#"{"catalog": "zz"}"#)
        )),
        "siproc.unknown_catalog"
    );
    assert_eq!(
        codes(&siproc_wasm::check_document("cr_cedula".into(), "1".into(), None).unwrap()),
        ["document.unknown_kind"]
    );
    assert_eq!(
        thrown(siproc_wasm::check_document(
            JsValue::from(3),
            "1".into(),
            None
        )),
        "siproc.bad_argument"
    );
    assert_eq!(
        thrown(siproc_wasm::parse_mrz(js(r#"["A", 2]"#), None)),
        "siproc.bad_argument"
    );
    assert_eq!(
        thrown(siproc_wasm::validate_json(JsValue::NULL, None)),
        "siproc.bad_argument"
    );
    let cycle = js_sys::eval("(() => { const o = {}; o.self = o; return o; })()").unwrap();
    assert_eq!(
        thrown(siproc_wasm::validate(cycle, None)),
        "siproc.bad_argument"
    );
    let revoked = js_sys::eval(
        "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()",
    )
    .unwrap();
    assert_eq!(
        thrown(siproc_wasm::validate(revoked, None)),
        "siproc.bad_argument"
    );
    let limits = siproc_core::limits::Limits::DEFAULT;
    let huge = JsValue::from_str(&"1".repeat(limits.record_bytes + 1));
    assert_eq!(
        thrown(siproc_wasm::validate_json(huge, None)),
        "siproc.too_large"
    );
    // Every limit of the core, not only the text's length.
    let deep = format!(
        "{}{}",
        "[".repeat(limits.depth + 1),
        "]".repeat(limits.depth + 1)
    );
    assert_eq!(
        thrown(siproc_wasm::validate_json(deep.as_str().into(), None)),
        "siproc.too_large"
    );
    let long_note = js(&format!(
        r#"{{"notes": "{}"}}"#,
        "a".repeat(limits.string_bytes + 1)
    ));
    assert_eq!(
        thrown(siproc_wasm::validate(long_note, None)),
        "siproc.too_large"
    );
    let long_value = JsValue::from_str(&"1".repeat(limits.string_bytes + 1));
    assert_eq!(
        thrown(siproc_wasm::check_document(
            "hn_dni".into(),
            long_value,
            None
        )),
        "siproc.too_large"
    );
    // Invalid records are not misuse: they give a report.
    let report = siproc_wasm::validate_json("[1]".into(), None).unwrap();
    assert_eq!(codes(&report), ["json.bad_value"]);
    // And the module still answers.
    let report = siproc_wasm::validate(js(&valid()), None).unwrap();
    assert_eq!(get(&report, "ok"), JsValue::TRUE);
}

/// RFC 8785's published input/output pairs (`tests/rfc8785/`) in the WebAssembly build: JSON
/// text read by the core as the exports read it, canonicalised, gives the published bytes. In
/// particular `values.json`'s `333333333.33333329` is read correctly rounded (written
/// `333333333.3333333`): this build, separate from the native ones, has serde_json's
/// `float_roundtrip` too.
#[wasm_bindgen_test]
fn rfc8785_inputs_give_their_published_outputs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/rfc8785");
    let files = read_dir(&format!("{dir}/input"), &js("{}"));
    let mut count = 0;
    let mut failures = Vec::new();
    for name in files.iter().filter_map(|f| f.as_string()) {
        count += 1;
        let text = read_file(&format!("{dir}/input/{name}"), "utf8");
        let want = read_file(&format!("{dir}/output/{name}"), "utf8");
        let value: serde_json::Value =
            siproc_core::from_json_text(&text, siproc_core::Locale::En).unwrap();
        let got = siproc_core::history::canonical_json(&value).unwrap();
        if got != want {
            failures.push(format!("{name}: got {got}, want {want}"));
        }
    }
    assert_eq!(count, 6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
