// siproc's identity-document rules written in JavaScript, for Ajv's custom keyword in bench.mjs:
// the peer's side of the comparison, so that both validators apply the same document rules.
// `checkDocument(kind, number)` is true when the number is valid. bench.mjs reports how many
// cases of the document corpus it agrees with siproc on.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const data = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "siproc-core", "data", "documents");
const table = (file) => JSON.parse(readFileSync(join(data, file), "utf8"));
const HN = table("hn_departments.json").departments.map((d) => d.municipalities);
const GT = table("gt_departments.json").departments.map((d) => d.municipalities);
const MX_STATES = new Set(table("mx_states.json").states.map((s) => s.code));
const SEPARATORS = /[ \t\n\r.\-\u00a0\u2010-\u2015\u2212]/g;
const YEAR = new Date().getUTCFullYear();

const place = (counts, department, municipality) =>
  department >= 1 && department <= counts.length && municipality >= 1 && municipality <= counts[department - 1];

function realDate(y, m, d) {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function hnDni(v) {
  const s = v.replace(SEPARATORS, "");
  if (!/^\d{13}$/.test(s)) return false;
  const year = Number(s.slice(4, 8));
  return place(HN, Number(s.slice(0, 2)), Number(s.slice(2, 4))) && year >= 1900 && year <= YEAR && Number(s.slice(8)) !== 0;
}

const hnPassport = (v) => /^[A-Z]\d{7,9}$/.test(v.replace(SEPARATORS, "").toUpperCase());

const CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";
function mxCurp(v) {
  const s = v.replace(SEPARATORS, "").toUpperCase();
  if (!/^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-ZÑ]{3}[0-9A-Z]\d$/.test(s)) return false;
  if (!MX_STATES.has(s.slice(11, 13))) return false;
  const century = /\d/.test(s[16]) ? 1900 : 2000;
  if (!realDate(century + Number(s.slice(4, 6)), Number(s.slice(6, 8)), Number(s.slice(8, 10)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CURP_ALPHABET.indexOf(s[i]) * (18 - i);
  return (10 - (sum % 10)) % 10 === Number(s[17]);
}

function svDui(v) {
  const s = v.replace(SEPARATORS, "");
  if (!/^\d{9}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(s[i]) * (9 - i);
  return (10 - (sum % 10)) % 10 === Number(s[8]);
}

function gtDpi(v) {
  const s = v.replace(SEPARATORS, "");
  if (!/^\d{13}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(s[i]) * (i + 2);
  const check = sum % 11;
  return check !== 10 && check === Number(s[8]) && place(GT, Number(s.slice(9, 11)), Number(s.slice(11, 13)));
}

const MRZ_VALUE = (c) => (c === "<" ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
function mrzDigit(text) {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += MRZ_VALUE(text[i]) * [7, 3, 1][i % 3];
  return sum % 10;
}
const mrzCheck = (field, digit) => digit === "<" ? /^<*$/.test(field) : mrzDigit(field) === Number(digit);
function mrzTd3(v) {
  const lines = v.includes("\n") ? v.split("\n").map((l) => l.trim()) : [v.slice(0, 44), v.slice(44)];
  if (lines.length !== 2 || !lines.every((l) => /^[0-9A-Z<]{44}$/.test(l))) return false;
  const [a, b] = lines;
  if (a[0] !== "P") return false;
  const dateOk = (yymmdd) => /^\d{6}$/.test(yymmdd) && realDate(2000 + Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
  return (
    mrzDigit(b.slice(0, 9)) === Number(b[9]) &&
    dateOk(b.slice(13, 19)) && mrzDigit(b.slice(13, 19)) === Number(b[19]) &&
    /[MFX<]/.test(b[20]) &&
    dateOk(b.slice(21, 27)) && mrzDigit(b.slice(21, 27)) === Number(b[27]) &&
    mrzCheck(b.slice(28, 42), b[42]) &&
    mrzDigit(b.slice(0, 10) + b.slice(13, 20) + b.slice(21, 43)) === Number(b[43])
  );
}

const CHECKS = { hn_dni: hnDni, hn_passport: hnPassport, mx_curp: mxCurp, sv_dui: svDui, gt_dpi: gtDpi, mrz_td3: mrzTd3 };

/** Whether `number` is a valid document of `kind`. */
export function checkDocument(kind, number) {
  const check = CHECKS[kind];
  return check !== undefined && number.length <= 100 && check(number);
}
