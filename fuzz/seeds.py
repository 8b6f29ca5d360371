#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/<target>/) from the repository's own test
data: the conformance suite (tests/conformance), the core's fixtures, the country packs and the
legacy log example. Run from anywhere; it rewrites the folders it owns, nothing else. The
`archive_import` seeds are not written here: they are archives the `workflow_oracle` target
exported (docs/fuzzing.md says how), kept as they are.

The seeds are small on purpose (a few hundred files): libFuzzer grows its own corpus from them in
fuzz/corpus/, which is not committed."""

import glob
import hashlib
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
# The order of siproc_core::document::DocumentKind::ALL: the first byte of a document_check
# input picks the kind by its place here.
KINDS = ["hn_dni", "hn_passport", "mx_curp", "sv_dui", "gt_dpi", "mrz_td3", "mx_clave_elector"]
PACK_FILES = ["pack.json", "categories.json", "offices.json", "flags.json", "partners.json",
              "services.json", "sla.json", "forms.json"]


def load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return json.load(f)


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def conformance(kind):
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "conformance", kind, "*.json"))):
        yield from load(path)["cases"]


def reset(targets):
    for target in targets:
        shutil.rmtree(os.path.join(SEEDS, target), ignore_errors=True)


def intakes():
    samples = load("siproc-core/tests/fixtures/intakes.json")
    for name in ("detention", "victim_of_crime"):
        write("intake_json", json.dumps(samples[name], ensure_ascii=False))
    for case in conformance("intake"):
        if "catalog" in case:
            continue
        text = case["json"] if "json" in case else json.dumps(case["intake"], ensure_ascii=False)
        write("intake_json", text)
    detention = samples["detention"]
    for pointer, value in [
        ("/persons/0/birth_date", "2031-02-30"), ("/persons/0/documents/0/number", "0801-1990-12345"),
        ("/persons/0/contacts", [{"kind": "phone", "value": "+504 9876-5432"}]),
        ("/facts/arrest_date", "2026-02-27"), ("/consent/scope", ["processing"]),
        ("/persons/3/given_names", "Ana"), ("/flags", ["minor", "pregnant"]), ("", detention),
        ("/persons/0/documents/0", {"kind": "mrz_td3", "number": "P<"}),
    ]:
        write("intake_field", pointer + "\n" + json.dumps(value, ensure_ascii=False))


def commands():
    referral = "0190f5c4-7b9e-7cc0-8000-000000000001"
    for command in [
        {"command": "change_status", "to": "in_progress"},
        {"command": "change_status", "to": "resolved"},
        {"command": "correct", "path": "/facts/facility", "value": "Estación Migratoria Tapachula"},
        {"command": "correct", "path": "/persons/0/documents/0/number", "value": "0801 1994 04512"},
        {"command": "correct", "path": "/priority", "value": None},
        {"command": "correct", "path": "/opened_on", "value": 1.5e300},
        {"command": "add_note", "text": "Llamada a la familia.", "written_on": "2026-03-09"},
        {"command": "record_service", "kind": "consular_visit", "given_on": "2026-03-09",
         "description": "Visita"},
        {"command": "record_form", "form": "intake_sheet", "sha256": "0f" * 32},
        {"command": "request_transfer", "to_office": "MEX"},
        {"command": "accept_transfer"}, {"command": "reject_transfer"},
        {"command": "refer", "partner": "iom", "reason": "albergue"},
        {"command": "accept_referral", "referral_id": referral},
        {"command": "reject_referral", "referral_id": referral},
        {"command": "complete_referral", "referral_id": referral},
        {"command": "record_consent", "consent": {"given": True, "given_by": 0,
         "recorded_on": "2026-03-09", "scope": ["processing", "share_with_partners"]}},
        {"command": "withdraw_consent", "scope": []},
        {"command": "request_closure", "outcome": "resolved_ok"},
        {"command": "approve_closure"}, {"command": "close", "outcome": "released"},
        {"command": "reopen", "reason": "nueva información"}, {"command": "archive"},
    ]:
        write("command_json", json.dumps(command, ensure_ascii=False))


def documents():
    for case in conformance("documents"):
        check = case.get("check_document")
        if check and check["kind"] in KINDS:
            write("document_check", bytes([KINDS.index(check["kind"])]) + check["value"].encode())
        if "parse_mrz" in case:
            write("mrz", "\n".join(case["parse_mrz"]))
        elif check and check["kind"] == "mrz_td3":
            write("mrz", check["value"])


def normalise():
    values = ["ana@example.org", "consulado+tapachula@correo.hondureño.hn", "info@उदाहरण.परीक्षा",
              "postmaster@[IPv6:2001:db8::1]", "postmaster@[192.0.2.1]", "a@b", "9999-1234",
              "+1 (713) 555-0142", "+504 9876-5432", "55 1234 5678", "Hernández-López, MARÍA",
              "  José   Ángel ", "Núñez O'Connor", "Nguyễn Thị Minh Khai", "ǅemal"]
    for case in conformance("intake"):
        for person in case.get("intake", {}).get("persons", []) if isinstance(case.get("intake"), dict) else []:
            if not isinstance(person, dict):
                continue
            for key in ("given_names", "surnames"):
                if isinstance(person.get(key), str):
                    values.append(person[key])
            for contact in person.get("contacts", []) or []:
                if isinstance(contact, dict) and isinstance(contact.get("value"), str):
                    values.append(contact["value"])
    for value in sorted(set(values)):
        write("normalise", value)


def packs():
    for pack in ("hn", "gt", "sv", "mx"):
        for i, name in enumerate(PACK_FILES + ["legacy.json"]):
            path = os.path.join(ROOT, "siproc-core", "packs", pack, name)
            # forms.json is large: the Honduran one only.
            if os.path.exists(path) and (name != "forms.json" or pack == "hn"):
                with open(path, "rb") as f:
                    write("pack_load", bytes([i]) + f.read())


def legacy():
    with open(os.path.join(ROOT, "examples", "python", "data", "legado_consulado.csv"), "rb") as f:
        lines = f.read().split(b"\n")
    header = lines[0]
    for start in range(1, 121, 12):
        write("legacy_log", b"\n".join([header] + lines[start:start + 12]) + b"\n")
    write("legacy_log", header + b"\n")
    write("legacy_log", b"\xef\xbb\xbf" + header + b"\n" + lines[1] + b"\n")


def requests():
    intake = json.dumps(load("siproc-core/tests/fixtures/intakes.json")["detention"], ensure_ascii=False)
    auth = "authorization: Bearer fuzz-{}\n"
    json_type = "content-type: application/json\n"
    for who, head, body in [
        ("officer", "POST /api/v1/cases\n" + json_type, intake),
        ("officer", "POST /api/v1/cases\n" + json_type + "idempotency-key: abc-123\n", intake),
        ("officer", "POST /api/v1/cases/{case}/commands\n" + json_type,
         '{"command":"change_status","to":"in_progress"}'),
        ("officer", "POST /api/v1/cases/{case}/commands\n" + json_type + "if-match: \"1\"\n",
         '{"command":"add_note","text":"x"}'),
        ("officer", "GET /api/v1/cases?office=TAP&status=registered&limit=5\n", ""),
        ("officer", "GET /api/v1/cases?name=ana&document_number=0801\n", ""),
        ("officer", "GET /api/v1/cases/{case}\n", ""),
        ("officer", "GET /api/v1/cases/{case}/history?after=0\n", ""),
        ("officer", "GET /api/v1/cases/{case}/verify\n", ""),
        ("officer", "GET /api/v1/cases/{case}/forms\n", ""),
        ("officer", "GET /api/v1/cases/{case}/forms/intake_sheet.pdf\n", ""),
        ("officer", "POST /api/v1/cases/{case}/access\n" + json_type, '{"reason":"urgent"}'),
        ("supervisor", "GET /api/v1/me\n", ""), ("officer", "GET /api/v1/workflow\n", ""),
        ("directorate", "GET /api/v1/archive\n", ""),
        ("directorate", "POST /api/v1/archive?partial=true\ncontent-type: application/x-ndjson\n",
         '{"archive":"siproc","version":1,"exported_at":"2026-03-02T15:04:05Z"}\n'),
        ("auditor", "GET /api/v1/access-log?limit=3\n", ""),
        ("directorate", "GET /api/v1/health\n", ""),
        ("partner", "GET /api/v1/stats?by=category\n", ""),
        ("directorate", "GET /api/v1/stats/releases\n", ""),
        ("directorate", "POST /api/v1/stats/releases\n" + json_type, '{"by":["category"]}'),
        ("officer", "POST /api/v1/form-checks\n" + json_type, '{"code":"ABCD-EFGH"}'),
        ("officer", "GET /api/v1/form-checks\n", ""),
        ("officer", "GET /api/v1/events?after=0\n", ""),
        ("officer", "GET /api/v1/openapi.json\n", ""),
        ("officer", "GET /api/v1/ready\n", ""), ("officer", "GET /api/v1/metrics\n", ""),
        ("officer", "GET /\n", ""), ("officer", "GET /app/../../etc/passwd\n", ""),
    ]:
        write("server_request", head + auth.format(who) + "\n" + body)
    write("server_request", "POST /api/v1/cases\n" + json_type + "\n" + intake)


def png(width, height, pixel):
    """A grayscale PNG written with zlib alone: `pixel(x, y)` gives each byte."""
    import struct
    import zlib

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(pixel(x, y) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def pdf(extra=""):
    """A one-page PDF with a line of text (and `extra` objects' text in its catalog)."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R" + extra + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
        "<< /Length 28 >>\nstream\nBT /F1 12 Tf (siproc) Tj ET\nendstream",
    ]
    out, offsets = "%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def attachments():
    # The first byte picks the declared type (attachment_check: none, PDF, JPEG, PNG, WebP, a
    # refused one) or the type read (qr_filing: PNG, JPEG, WebP, PDF).
    checker = png(24, 16, lambda x, y: 255 if (x // 4 + y // 4) % 2 else 0)
    write("attachment_check", b"\x00" + checker)
    write("attachment_check", b"\x03" + checker)
    write("attachment_check", b"\x02" + checker)  # declared JPEG: a mismatch
    write("attachment_check", b"\x01" + pdf())
    write("attachment_check", b"\x00" + pdf(" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"))
    write("qr_filing", b"\x00" + checker)
    write("qr_filing", b"\x03" + pdf())
    # A printed form's page, QR code included (docs/forms, rendered by the forms' tests).
    with open(os.path.join(ROOT, "docs", "forms", "informed_consent.png"), "rb") as f:
        form = f.read()
    write("qr_filing", b"\x00" + form)
    write("attachment_check", b"\x03" + form)


def main():
    reset(["intake_json", "intake_field", "command_json", "document_check", "mrz", "normalise",
           "pack_load", "legacy_log", "server_request", "attachment_check", "qr_filing"])
    intakes()
    commands()
    documents()
    normalise()
    packs()
    legacy()
    requests()
    attachments()


if __name__ == "__main__":
    main()
