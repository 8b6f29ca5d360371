// Type-checked by `tsc -p tests/tsconfig.json` (make test-wasm) against the declarations that
// wasm-bindgen generated: every export, used as a page would, with the types it should have.
// The `@ts-expect-error` lines prove that the declarations are precise enough to catch misuse.
import init, {
  availableCommands,
  catalog,
  checkDocument,
  listRules,
  parseMrz,
  intakeForms,
  validate,
  validateField,
  validateJson,
  validateMany,
  type AvailableCommand,
  type BindingErrorCode,
  type CatalogView,
  type Field,
  type Form,
  type Issue,
  type MrzReport,
  type PackId,
  type Report,
  type Rule,
} from "../pkg/web/siproc_wasm.js";
import * as bundler from "../pkg/bundler/siproc_wasm.js";

export async function page(): Promise<string[]> {
  await init();
  const record = { office: "TAP", category: "detention", opened_on: "2026-03-02", persons: [] };
  const report: Report = validate(record, { locale: "es" });
  const first: Issue | undefined = report.issues[0];
  const severity: "error" | "warning" | undefined = first?.severity;
  const ok: boolean = validate(record).ok && validateJson(JSON.stringify(record), { locale: "en-US", catalog: "gt" }).ok;
  const packs: PackId[] = ["hn", "gt", "sv", "mx"];
  const many: Report[] = validateMany([record, record], { catalog: "hn" });
  const field: Report = validateField("/persons/0/birth_date", "2099-01-01", record, { locale: "es" });
  const blank: Report = validateField("/office", "TAP", undefined);
  const doc: Report = checkDocument("hn_dni", "0801-1990-12345", { locale: "en" });
  const mrz: MrzReport = parseMrz(["P<HND", "E1234567"]);
  const number: string | undefined = mrz.mrz?.document_number;
  const sex: "female" | "male" | "unspecified" | undefined = mrz.mrz?.sex;
  const view: CatalogView = catalog("es", "hn");
  const defaults: CatalogView = catalog();
  const fields: Field[] = view.fields.concat(view.categories.flatMap((c) => c.facts));
  const labels: string[] = fields.map((f) => `${f.label} (${f.type}${f.required ? ", *" : ""})`);
  const forms: Form[] = intakeForms(record, { locale: "es" });
  const rules: Rule[] = listRules();
  const templates: string[] = rules.map((r) => (r.severity === "error" ? r.es : r.en));
  const code: BindingErrorCode = "siproc.unknown_catalog";
  const fromBundler: Report = bundler.validate(record);
  const inProgress: string | undefined = view.labels["status"]?.["in_progress"];
  const offered: AvailableCommand[] = availableCommands({ id: "x" }, { user_id: "u1", role: "officer", office: "TAP" });
  const params: string[] = offered.flatMap((a) => a.params.map((p) => `${a.command}.${p.name}${p.required ? "*" : ""}:${p.choices?.length ?? 0}`));

  // @ts-expect-error a record is an object
  validate(42);
  // @ts-expect-error the options are an object
  validate(record, "es");
  // @ts-expect-error only the built-in packs
  validate(record, { catalog: "cr" });
  // @ts-expect-error parseMrz takes the lines
  parseMrz("P<HND");
  // @ts-expect-error the actor is an object with its office
  availableCommands({}, "officer");
  // @ts-expect-error a report is not a list
  const wrong: Issue[] = validate(record);

  return [
    String(severity), String(ok), String(many.length), String(field.ok), String(blank.ok),
    String(doc.ok), String(number), String(sex), defaults.pack, String(labels.length),
    String(forms.length), String(templates.length), code, String(fromBundler.ok), String(wrong),
    String(inProgress), String(params.length),
  ];
}
