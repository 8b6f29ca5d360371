//! # siproc-wasm
//!
//! siproc's validation in the browser: the same verdicts and messages as the server, as an ES
//! module for the web and for bundlers (`make build-wasm` writes `siproc-wasm/pkg/web` and
//! `siproc-wasm/pkg/bundler`).
//!
//! ```js
//! import init, { validate, validateField, catalog } from "./pkg/web/siproc_wasm.js";
//! await init();
//! const report = validate(record, { locale: "es" });
//! // { ok: false, issues: [{ code: "dni.bad_department", path: "/persons/0/documents/0/number",
//! //                         severity: "error", message: "El departamento del DNI …" }] }
//! ```
//!
//! Every export is a stateless function over plain data: plain objects and arrays go in and come
//! out, never `Map`s. This crate only converts: every decision is siproc-core's.
//!
//! - An invalid *record* is not an error: it gives a report (`{ok, issues}`), as in Rust.
//! - *Misuse* — an argument of the wrong type, an unknown locale or pack, an input past the
//!   core's `Limits` (`siproc_core::limits`: a record's JSON text, nesting, strings, lists) —
//!   throws a real `Error` whose `code` property (also the start of its message) is one of
//!   [`BINDING_ERRORS`]. Messages never quote the input.
//!
//! How a record crosses into WebAssembly: `validate` writes it as JSON text with the engine's
//! own `JSON.stringify` and siproc-core parses that text, which is faster than reading the
//! object property by property (`benches/README.md`, "WebAssembly", has the figures) and gives
//! exactly the parse errors of the server. The JavaScript functions this crate calls on user
//! values are all imported with `catch`, so that a throwing getter or a revoked `Proxy` becomes
//! an `Error` instead of unwinding through WebAssembly frames.
#![deny(missing_docs)]

use std::sync::OnceLock;

use js_sys::{JsString, Reflect};
use serde::Serialize;
use siproc_core::limits::{Limit, Limits};
use siproc_core::{Catalog, Locale, Misuse, Report};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The limits every face applies (`siproc_core::limits`).
const LIMITS: Limits = Limits::DEFAULT;

/// The codes of the `Error`s thrown for misuse, with what each means.
pub const BINDING_ERRORS: [(&str, &str); 4] = [
    (
        "siproc.bad_argument",
        "an argument has the wrong type (a record that is not an object, lines that are not strings, options that are not an object) or cannot be read (a cycle, a BigInt, a getter that throws)",
    ),
    (
        "siproc.unknown_locale",
        "the locale is not Spanish or English (`es`, `es-HN`, `en`, `en-US`, …): the core's `Misuse::UnknownLocale`",
    ),
    (
        "siproc.unknown_catalog",
        "the pack is not a built-in one (`Catalog::BUILTIN`): the core's `Misuse::UnknownPack`",
    ),
    (
        "siproc.too_large",
        "an input goes past the core's `Limits::DEFAULT`: a record's JSON text over 1 MiB, nesting over 64 levels, a string over 64 KiB, a list in a record over 10,000 items, or more than 100,000 records or lines in one call: the core's `Misuse::TooLarge`",
    ),
];

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Message language: `es` (the default) or `en`; a BCP 47 tag such as `es-HN` is accepted. */
export type Locale = "es" | "en" | (string & {});
/** The built-in country packs. */
export type PackId = "hn" | "gt" | "sv" | "mx";
/** Options of the validating functions. */
export interface Options {
  /** Message language, `es` by default. */
  locale?: Locale;
  /** The country pack whose catalog applies, `hn` by default. */
  catalog?: PackId;
}
/*
 * The result types (`Report`, `Issue`, `Severity`, `MrzReport`, `Mrz`, `MrzSex`, `Rule`,
 * `CatalogView`, `FieldView`, `ChoiceView`, `CategoryView`, `FormView`, `FactType`,
 * `Relationship`, `AvailableCommand`, `Param`) are declared from siproc-core's Rust types (its `typescript` feature, tsify),
 * so they always match what the functions return. The names below are the ones this package
 * used before.
 */
/** One field of the intake form. */
export type Field = FieldView;
/** One option of a select. */
export type Choice = ChoiceView;
/** A printable form. */
export type Form = FormView;
/** A case category with its facts. */
export type Category = CategoryView;
/** The kinds of value a field holds. */
export type FieldType = FactType;
/** A case as the server returns it (`GET /api/v1/cases/{id}`). */
export type CaseRecord = { [field: string]: unknown };
/** Who acts: a user id (not a name), a role (`officer`, `supervisor`, …) and an office code. */
export interface ActorRecord {
  user_id: string;
  role: string;
  office: string;
}
/** A record in the wire format of `siproc-core/schema/intake.schema.json` (possibly invalid). */
export type IntakeRecord = { [field: string]: unknown };
/** The codes of the `Error`s thrown for misuse (in the `code` property). */
export type BindingErrorCode =
  | "siproc.bad_argument"
  | "siproc.unknown_locale"
  | "siproc.unknown_catalog"
  | "siproc.too_large";
"#;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, which throws on a revoked `Proxy`.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;

    /// `JSON.stringify`, which throws on cycles, BigInts and throwing getters, and returns
    /// `undefined` for values it cannot write.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn stringify(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// A real `Error` with a stable `code`, for misuse.
fn misuse(code: &str, detail: &str) -> JsValue {
    let error = js_sys::Error::new(&format!("{code}: {detail}"));
    // Setting a property on a fresh Error cannot fail; were it to, the message still has the code.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

fn bad_argument(detail: &str) -> JsValue {
    misuse("siproc.bad_argument", detail)
}

/// A JavaScript string as Rust text, refusing a string over `max` bytes of UTF-8 (its UTF-16
/// `length` is checked before it is copied: a string of more code units has more bytes). `None`
/// when `value` is not a string.
fn text_within(value: &JsValue, max: usize, limit: Limit) -> Result<Option<String>, JsValue> {
    let Some(s) = value.dyn_ref::<JsString>() else {
        return Ok(None);
    };
    let too_large = || refused(Misuse::TooLarge(limit));
    if s.length() as usize > max {
        return Err(too_large());
    }
    let text = String::from(s);
    if text.len() > max {
        return Err(too_large());
    }
    Ok(Some(text))
}

/// A string argument (a path, a kind, a value, a line) within the core's string limit.
fn text(value: &JsValue) -> Result<Option<String>, JsValue> {
    text_within(value, LIMITS.string_bytes, Limit::StringBytes)
}

fn required_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    text(value)?.ok_or_else(|| bad_argument(&format!("{what} must be a string")))
}

/// The core's verdict on a record's JSON text: within every limit, or `siproc.too_large`.
fn within_limits(json: &str) -> Result<(), JsValue> {
    LIMITS.check_json(json.as_bytes()).map_err(refused)
}

/// Whether `value` is an object and not an array.
fn is_record(value: &JsValue) -> Result<bool, JsValue> {
    if !value.is_object() {
        return Ok(false);
    }
    is_array(value)
        .map(|array| !array)
        .map_err(|_| bad_argument("the value cannot be inspected (a revoked Proxy?)"))
}

/// The JSON text of a value, written by `JSON.stringify`; `None` when it writes nothing
/// (`undefined`, a function, a `toJSON` returning `undefined`).
/// The text is checked against every limit of the core (`Limits::check_json`).
fn json_text(value: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    let written = stringify(value).map_err(|_| {
        bad_argument(&format!(
            "{what} cannot be written as JSON (a cycle, a BigInt or a getter that throws)"
        ))
    })?;
    let json = text_within(&written, LIMITS.record_bytes, Limit::RecordBytes)?;
    if let Some(json) = &json {
        within_limits(json)?;
    }
    Ok(json)
}

/// The JSON text of a record, which must be an object.
fn record_text(record: &JsValue, what: &str) -> Result<String, JsValue> {
    if !is_record(record)? {
        return Err(bad_argument(&format!("{what} must be an object")));
    }
    json_text(record, what)?.ok_or_else(|| bad_argument(&format!("{what} writes no JSON")))
}

/// A JSON value, read through its JSON text.
fn json_value(value: &JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    match json_text(value, what)? {
        None => Ok(serde_json::Value::Null),
        Some(text) => serde_json::from_str(&text)
            .map_err(|_| bad_argument(&format!("{what} is nested too deeply"))),
    }
}

/// A property of an options object, through `Reflect.get` (which may throw on a `Proxy`).
fn property(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(name))
        .map_err(|_| bad_argument(&format!("the option {name} cannot be read")))
}

/// The core's misuse verdict as a thrown `Error` with the same code.
fn refused(m: impl Into<Misuse>) -> JsValue {
    let m = m.into();
    misuse(m.code(), &m.to_string())
}

fn locale(value: &JsValue) -> Result<Locale, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Locale::default());
    }
    Locale::from_tag(&required_text(value, "the locale")?).map_err(refused)
}

/// The built-in packs ([`Catalog::BUILTIN`]), each loaded once.
fn builtin(id: &str) -> Result<&'static Catalog, JsValue> {
    const PACKS: usize = Catalog::BUILTIN.len();
    static LOADED: [OnceLock<Option<Catalog>>; PACKS] = [const { OnceLock::new() }; PACKS];
    let position = Catalog::BUILTIN.iter().position(|p| p.id == id);
    let cell = position
        .and_then(|i| LOADED.get(i))
        .ok_or_else(|| refused(Misuse::UnknownPack))?;
    cell.get_or_init(|| Catalog::builtin(id).ok())
        .as_ref()
        .ok_or_else(|| misuse("siproc.unknown_catalog", "the built-in pack does not load"))
}

fn pack(value: &JsValue) -> Result<&'static Catalog, JsValue> {
    if value.is_undefined() || value.is_null() {
        return builtin("hn");
    }
    let id = text(value)?
        .ok_or_else(|| bad_argument("the catalog must be a string naming a built-in pack"))?;
    builtin(&id)
}

/// Options shared by the validating functions.
struct Options {
    locale: Locale,
    catalog: &'static Catalog,
}

fn options(value: &JsValue) -> Result<Options, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Options {
            locale: Locale::default(),
            catalog: builtin("hn")?,
        });
    }
    if !is_record(value)? {
        return Err(bad_argument("the options must be an object"));
    }
    Ok(Options {
        locale: locale(&property(value, "locale")?)?,
        catalog: pack(&property(value, "catalog")?)?,
    })
}

/// A Rust value as plain JavaScript data: objects for structs and maps (never `Map`s).
fn output<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| bad_argument("the result cannot be returned"))
}

/// Validates an intake record (a plain object in the wire format) against the pack's catalog,
/// with today's date as the limit for past dates. Returns `{ok, issues}`; throws only for misuse.
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "IntakeRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let text = record_text(&record, "the record")?;
    output(&siproc_core::validate_json(
        &text,
        opts.catalog,
        opts.locale,
    ))
}

/// Validates an intake given as JSON text: a text that does not parse gives a report whose one
/// issue says where parsing stopped (`json.syntax`, `json.missing_field`, …).
#[wasm_bindgen(js_name = validateJson, unchecked_return_type = "Report")]
pub fn validate_json(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let text = text_within(&text, LIMITS.record_bytes, Limit::RecordBytes)?
        .ok_or_else(|| bad_argument("the text must be a string"))?;
    within_limits(&text)?;
    output(&siproc_core::validate_json(
        &text,
        opts.catalog,
        opts.locale,
    ))
}

/// Validates many records in one crossing: returns one report per record, in order.
#[wasm_bindgen(js_name = validateMany, unchecked_return_type = "Report[]")]
pub fn validate_many(
    #[wasm_bindgen(unchecked_param_type = "IntakeRecord[]")] records: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let is_list = records.is_object()
        && is_array(&records).map_err(|_| bad_argument("the records cannot be inspected"))?;
    if !is_list {
        return Err(bad_argument("the records must be an array"));
    }
    let length = property(&records, "length")?
        .as_f64()
        .ok_or_else(|| bad_argument("the records have no length"))?;
    LIMITS.check_batch(length as usize).map_err(refused)?;
    // Each record is written and checked against the limits on its own, as `validate` does.
    let mut texts = Vec::new();
    for i in 0..(length as u32) {
        let item = Reflect::get_u32(&records, i)
            .map_err(|_| bad_argument(&format!("record {i} cannot be read")))?;
        texts.push(record_text(&item, &format!("record {i}"))?);
    }
    let reports: Vec<Report> = texts
        .iter()
        .map(|text| siproc_core::validate_json(text, opts.catalog, opts.locale))
        .collect();
    output(&reports)
}

/// The live check of one field as an officer types: validates `record` with `value` put at
/// JSON Pointer `path`, and returns only the issues at or below `path`. Parts of the path that
/// the record lacks are created, so a field can be checked before the rest is filled in.
#[wasm_bindgen(js_name = validateField, unchecked_return_type = "Report")]
pub fn validate_field(
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IntakeRecord | undefined")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let path = required_text(&path, "the path")?;
    let record = if record.is_undefined() || record.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else if is_record(&record)? {
        json_value(&record, "the record")?
    } else {
        return Err(bad_argument("the record must be an object"));
    };
    let value = json_value(&value, "the value")?;
    output(&siproc_core::validate_field(
        record,
        &path,
        value,
        opts.catalog,
        opts.locale,
    ))
}

/// Checks an identity document number of `kind` (`hn_dni`, `hn_passport`, `mx_curp`, `sv_dui`,
/// `gt_dpi`, `mrz_td3`, `mx_clave_elector`). Returns `{ok, issues}` with paths `""`; an unknown kind
/// gives the issue `document.unknown_kind` (whose message lists the known kinds), as in Rust and
/// Python.
#[wasm_bindgen(js_name = checkDocument, unchecked_return_type = "Report")]
pub fn check_document(
    #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ locale?: Locale }")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let kind = required_text(&kind, "the kind")?;
    let value = required_text(&value, "the value")?;
    output(&Report::from_issues(
        siproc_core::document::check_document_in(&kind, &value, opts.locale),
    ))
}

/// Parses a passport's machine readable zone (TD3) given as its lines: `{ok, issues, mrz}`, with
/// `mrz` when the zone is valid.
#[wasm_bindgen(js_name = parseMrz, unchecked_return_type = "MrzReport")]
pub fn parse_mrz(
    #[wasm_bindgen(unchecked_param_type = "string[]")] lines: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ locale?: Locale }")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    let is_list = lines.is_object()
        && is_array(&lines).map_err(|_| bad_argument("the lines cannot be inspected"))?;
    if !is_list {
        return Err(bad_argument("the lines must be an array of strings"));
    }
    let length = property(&lines, "length")?
        .as_f64()
        .ok_or_else(|| bad_argument("the lines have no length"))?;
    LIMITS.check_batch(length as usize).map_err(refused)?;
    let mut texts = Vec::new();
    for i in 0..(length as u32) {
        let line = Reflect::get_u32(&lines, i)
            .map_err(|_| bad_argument(&format!("line {i} cannot be read")))?;
        texts.push(required_text(&line, &format!("line {i}"))?);
    }
    let lines: Vec<&str> = texts.iter().map(String::as_str).collect();
    output(&siproc_core::document::read_mrz(&lines, opts.locale))
}

/// The pack as a page needs it to build the intake form, labelled in `locale`: the common
/// fields, the categories with their facts (labels, types, choices, which are required) and the
/// forms each needs.
#[wasm_bindgen(unchecked_return_type = "CatalogView")]
pub fn catalog(
    #[wasm_bindgen(unchecked_optional_param_type = "Locale")] locale: Option<JsString>,
    #[wasm_bindgen(unchecked_optional_param_type = "PackId")] catalog: Option<JsString>,
) -> Result<JsValue, JsValue> {
    let locale = self::locale(&locale.into())?;
    let catalog = pack(&catalog.into())?;
    output(&catalog.view(locale))
}

/// The forms to print when `record` (an intake, possibly incomplete) is entered: the pack's
/// common forms, then those of its category. (The forms a registered *case* needs are
/// `required_forms` in Rust and Python.)
#[wasm_bindgen(js_name = intakeForms, unchecked_return_type = "Form[]")]
pub fn intake_forms(
    #[wasm_bindgen(unchecked_param_type = "IntakeRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    if !is_record(&record)? {
        return Err(bad_argument("the record must be an object"));
    }
    let record = json_value(&record, "the record")?;
    output(&opts.catalog.intake_forms(&record, opts.locale))
}

/// The commands `actor` may run on `case` now, with the values their parameters may take:
/// what a case page offers (`siproc_core::workflow::available`, on the same checks the server
/// runs when the command arrives). `case` is a case as the server returns it; `actor` is
/// `{user_id, role, office}`; `options.catalog` names the pack.
#[wasm_bindgen(js_name = availableCommands, unchecked_return_type = "AvailableCommand[]")]
pub fn available_commands(
    #[wasm_bindgen(unchecked_param_type = "CaseRecord")] case: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ActorRecord")] actor: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let opts = self::options(&options.into())?;
    // Only what the checks read (`CaseState`): reading a whole `Case` would add its code to
    // the download.
    if !is_record(&case)? {
        return Err(bad_argument("the case must be an object"));
    }
    let case = siproc_core::workflow::CaseState::from_json(&json_value(&case, "the case")?)
        .ok_or_else(|| bad_argument("the case is not a case in the wire format"))?;
    if !is_record(&actor)? {
        return Err(bad_argument("the actor must be {user_id, role, office}"));
    }
    let field = |name: &str| -> Result<String, JsValue> {
        text(&property(&actor, name)?)?
            .ok_or_else(|| bad_argument(&format!("the actor's {name} must be a string")))
    };
    let role = siproc_core::Role::from_name(&field("role")?)
        .ok_or_else(|| bad_argument("the actor's role is not a role"))?;
    let actor = siproc_core::Actor::new(field("user_id")?, role, field("office")?);
    output(&siproc_core::workflow::available_in(
        &case,
        opts.catalog,
        &actor,
    ))
}

/// Every rule siproc can report, sorted by code: the published catalogue of codes, severities
/// and message templates.
#[wasm_bindgen(js_name = listRules, unchecked_return_type = "Rule[]")]
pub fn list_rules() -> Result<JsValue, JsValue> {
    output(&siproc_core::list_rules())
}

/// For `benches/wasm` only: `validate`, reading the record through serde-wasm-bindgen (one call
/// into JavaScript per property) instead of JSON text. It trusts its input: no hostile-value
/// guards.
#[cfg(feature = "bench-crossings")]
#[wasm_bindgen(js_name = validateWalk, unchecked_return_type = "Report")]
pub fn validate_walk(record: JsValue) -> Result<JsValue, JsValue> {
    let catalog = builtin("hn")?;
    let value: serde_json::Value = serde_wasm_bindgen::from_value(record)
        .map_err(|_| bad_argument("the record cannot be read"))?;
    output(&siproc_core::validate_value(value, catalog, Locale::Es))
}
