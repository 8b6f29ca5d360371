"""Migrates a consulate's legacy case log (a spreadsheet exported as CSV) into siproc.

    python examples/python/migrate_legacy.py LEGACY.csv --out DIR [--locale es|en]

The input is UTF-8, comma-separated, with a header row and the columns ``No.``, ``Fecha``,
``Consulado``, ``Tipo de caso``, ``Nombre completo``, ``Identidad``, ``Fecha de nacimiento``,
``Sexo``, ``Teléfono``, ``Correo``, ``País``, ``Lugar``, ``Observaciones``.

Each row is mapped to an intake (the wire format the server accepts), the intakes are validated in
bulk by the engine the server uses (``siproc.validate_many``), and three files are written:

- ``DIR/errors.csv``: one row per problem: the spreadsheet row, its ``No.``, the issue's code, path
  (a JSON Pointer into the intake), severity and message. Problems are described, never quoted:
  no name, number or date from the log appears in this file.
- ``DIR/duplicates.csv``: candidate duplicates (``siproc.find_duplicates``): the two spreadsheet
  rows, the score, the reasons and a group number (rows linked directly or through others).
  Duplicates are reported for review, not merged: the same person may have several real cases.
- ``DIR/cases.jsonl``: a verified siproc archive of the valid rows (no error; warnings such as a
  missing consent are allowed), which the server imports as it is. Each valid intake is opened as a
  case in a ``siproc.MemoryStore`` (validated and normalised by the engine, numbered per office
  and year, its ``case_opened`` event sealed into a hash chain) by the migration actor below; the
  store is written with the core's archive writer (``siproc.write_archive``) and read back with
  ``siproc.verify_archive`` before the script reports success. The archive's digest is printed:
  keep it, the server's import must find the same.
- ``DIR/case_numbers.csv``: the spreadsheet row and ``No.`` of each migrated case with its new id
  and case number (no personal data), to trace a case back to the log.

What the mapping reads:

- dates in the formats the log uses: ``14/03/2019``, ``2019-03-14``, ``14-03-19``,
  ``14 de marzo de 2019``, ``14.03.2019``, ``14-mar-2019`` and Excel serial numbers;
- ``Nombre completo`` as ``GIVEN NAMES SURNAMES`` (the last two words are the surnames) or
  ``SURNAMES, GIVEN NAMES``;
- ``Identidad`` as a DNI (with or without dashes) or, when it starts with a letter, a passport;
- ``Tipo de caso``, ``Consulado`` and ``País`` through tables of the spellings found in logs, and
  the catalog's own names;
- ``Observaciones`` as ``Etiqueta: valor`` parts separated by ``;``, where the label is the
  Spanish label of one of the category's facts in the catalog (``Fecha de detención: 12/03/2021``);
  ``Solicitante: NAME (madre)`` adds the requesting relative. Other text becomes a note.
  ``Lugar`` and ``País`` fill the category's place and country facts when the notes do not.

The migration actor is ``Actor("migracion-legado", "directorate", "DGPHM")``: the migration is
run for the central directorate (the Dirección General de Protección al Hondureño Migrante,
office ``DGPHM``), the only role that may open cases for every consulate's office; its user id
names the migration, not a person, and every ``case_opened`` event records it. Case numbers take
the year of the migration (``MIA-2026-000001``); the day the case was opened in the log is kept
in ``opened_on``.

Every decision about validity is the engine's. The script's own problems (a blank or broken row,
a date it cannot read) get codes starting with ``legacy.``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from tqdm import tqdm

import siproc

# Who opens the migrated cases (see the module docs).
MIGRATION_ACTOR = siproc.Actor("migracion-legado", "directorate", "DGPHM")

COLUMNS = ["No.", "Fecha", "Consulado", "Tipo de caso", "Nombre completo", "Identidad",
           "Fecha de nacimiento", "Sexo", "Teléfono", "Correo", "País", "Lugar", "Observaciones"]

# The script's own problems, in Spanish and English. They never include the value.
LEGACY_RULES = {
    "legacy.blank_row": ("warning", "Fila vacía: se omite.", "Blank row: skipped."),
    "legacy.bad_columns": ("error", "La fila no tiene las 13 columnas del registro.",
                           "The row does not have the log's 13 columns."),
    "legacy.unreadable_date": ("error", "La fecha no tiene un formato reconocido.",
                               "The date is not in a recognised format."),
    "legacy.unreadable_fact": ("warning", "Un dato de las observaciones no se pudo leer; queda en la nota.",
                               "A fact in the notes could not be read; it is kept in the note."),
}

MONTHS = {m: i + 1 for i, m in enumerate(
    ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"])}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
MONTHS["set"] = 9

# Spellings of "Tipo de caso" (folded) → category code. Matched by containment, in order.
CATEGORY_WORDS = [
    ("menor", "unaccompanied_minor"), ("nna", "unaccompanied_minor"),
    ("restos", "repatriation_of_remains"), ("fallec", "repatriation_of_remains"),
    ("desaparec", "missing_person"), ("busqueda", "missing_person"), ("localizacion", "missing_person"),
    ("deport", "deportation_return"), ("retorn", "deportation_return"),
    ("detenc", "detention"), ("detenid", "detention"), ("privad", "detention"), ("ppl", "detention"),
    ("hospital", "hospitalized"), ("enferm", "hospitalized"),
    ("trata", "victim_of_crime"), ("victima", "victim_of_crime"), ("delito", "victim_of_crime"),
    ("laboral", "labour"), ("trabajo", "labour"),
    ("document", "documentation"), ("pasaporte", "documentation"),
    ("derechos humanos", "human_rights"), ("calamidad", "vulnerability"), ("indigencia", "vulnerability"),
    ("familia", "civil_family"), ("pension", "civil_family"),
]

COUNTRIES = {
    "estados unidos": "US", "eeuu": "US", "ee uu": "US", "e u a": "US", "eua": "US", "usa": "US",
    "us": "US", "mexico": "MX", "guatemala": "GT", "el salvador": "SV", "espana": "ES",
    "italia": "IT", "austria": "AT", "canada": "CA", "honduras": "HN", "belice": "BZ",
    "nicaragua": "NI", "costa rica": "CR", "panama": "PA",
}
OFFICE_ALIASES = {"ny": "NYC", "nyc": "NYC", "new york": "NYC", "l a": "LAX", "la": "LAX",
                  "d c": "WAS", "dc": "WAS", "guatemala": "GUA"}
# Legacy spellings of choice values the catalog's labels do not cover (folded text → code).
CHOICE_ALIASES = {
    "port_of_entry": {"san pedro sula": "sap_airport", "villeda morales": "sap_airport",
                      "tegucigalpa": "tgu_airport", "toncontin": "tgu_airport",
                      "palmerola": "tgu_airport", "amatillo": "el_amatillo"},
    "cause_of_death": {"violencia": "violence", "homicidio": "violence", "enfermedad": "illness"},
    "detention_kind": {"penal": "criminal", "migratoria": "immigration"},
}
RELATIONSHIPS = {
    "madre": "parent", "padre": "parent", "mama": "parent", "papa": "parent",
    "hija": "child", "hijo": "child", "esposa": "spouse", "esposo": "spouse", "conyuge": "spouse",
    "companera": "spouse", "companero": "spouse", "hermana": "sibling", "hermano": "sibling",
    "abuela": "grandparent", "abuelo": "grandparent", "nieta": "grandchild", "nieto": "grandchild",
}
YES = {"si", "s", "yes", "x", "true", "1"}
NO = {"no", "n", "false", "0"}
# Which legacy column fills a fact when the notes do not give it.
PLACE_FACTS = {"facility", "last_known_place", "place_of_death", "hospital"}
COUNTRY_FACTS = {"returning_from", "country_of_death", "last_known_country"}


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return " ".join(re.sub(r"[^0-9a-zñ]+", " ", plain).split())


def parse_date(text: str) -> dt.date | None:
    """Reads a date as the log writes them; ``None`` when it cannot. A two-digit year is 20xx,
    or 19xx when 20xx would be in the future."""
    t = text.strip().lower()
    if not t:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", t):
            return dt.date.fromisoformat("-".join(p.zfill(2) for p in t.split("-")))
        if re.fullmatch(r"\d{5}", t):  # an Excel serial number
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(t))
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", t)
        if m:
            day, month, year = (int(g) for g in m.groups())
            return dt.date(two_digit_year(year) if year < 100 else year, month, day)
        m = re.fullmatch(r"(\d{1,2})(?: de |[ \-])([a-zé]+)\.?(?: de |[ \-])(\d{4})", t)
        if m and m.group(2) in MONTHS:
            return dt.date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
    except ValueError:
        return None
    return None


def two_digit_year(year: int) -> int:
    return 1900 + year if year > dt.date.today().year % 100 else 2000 + year


def split_name(text: str) -> tuple[str, str]:
    """(given names, surnames) from ``Nombre completo``."""
    if "," in text:
        surnames, _, given = text.partition(",")
        return given.strip(), surnames.strip()
    words = text.split()
    if len(words) >= 4:
        return " ".join(words[:-2]), " ".join(words[-2:])
    if len(words) == 3:
        return words[0], " ".join(words[1:])
    if len(words) == 2:
        return words[0], words[1]
    return text.strip(), ""


class Mapper:
    """Maps legacy rows to intakes, with the catalog's names for offices, categories and facts."""

    def __init__(self, catalog: siproc.Catalog) -> None:
        pack = catalog.to_dict()
        self.offices: list[tuple[str, str]] = []
        for office in pack["offices"]:
            for name in (office["code"], office["city"].split(",")[0], office["name"]["es"]):
                self.offices.append((fold(name), office["code"]))
        self.offices.sort(key=lambda x: -len(x[0]))  # longest names first
        self.categories = {c["code"]: c for c in pack["categories"]}
        self.office_country = {o["code"]: o["country"] for o in pack["offices"]}

    def office(self, text: str) -> str:
        folded = fold(text)
        if folded in OFFICE_ALIASES:
            return OFFICE_ALIASES[folded]
        for name, code in [*self.offices, *OFFICE_ALIASES.items()]:
            if name and (folded == name or re.search(rf"\b{re.escape(name)}\b", folded)):
                return code
        return text.strip()  # unknown: the engine reports office.unknown

    def category(self, text: str) -> str:
        folded = fold(text)
        if folded in self.categories:
            return folded
        for word, code in CATEGORY_WORDS:
            if word in folded:
                return code
        return text.strip()  # unknown: the engine reports category.unknown

    @staticmethod
    def country(text: str) -> str | None:
        folded = fold(text)
        if not folded:
            return None
        return COUNTRIES.get(folded, text.strip())

    def fact_value(self, fact: dict[str, Any], text: str) -> Any:
        """The value of a fact written in the notes, in the fact's type; the text as written when
        it cannot be read (the engine then reports it)."""
        kind, folded = fact["type"], fold(text)
        if kind == "date":
            day = parse_date(text)
            return day.isoformat() if day else text
        if kind == "boolean":
            return True if folded in YES else False if folded in NO else text
        if kind == "count":
            return int(folded) if folded.isdigit() else text
        if kind == "country":
            return self.country(text)
        if kind == "choice":
            for alias, code in CHOICE_ALIASES.get(fact["key"], {}).items():
                if alias in folded:
                    return code
            for choice in fact.get("values", []):
                names = {fold(choice["code"].replace("_", " ")), fold(choice["label"]["es"])}
                if folded in names or len(folded) >= 4 and any(folded in n for n in names):
                    return choice["code"]
            return text
        return text.strip()

    def row(self, number: int, cells: list[str]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
        """The intake of one row (``None`` when there is none) and the script's own problems."""
        problems: list[dict[str, str]] = []

        def problem(code: str, path: str) -> None:
            problems.append({"code": code, "path": path})

        if not any(c.strip() for c in cells):
            problem("legacy.blank_row", "")
            return None, problems
        if len(cells) != len(COLUMNS):
            problem("legacy.bad_columns", "")
            return None, problems
        col = dict(zip(COLUMNS, (c.strip() for c in cells)))

        opened = parse_date(col["Fecha"])
        if opened is None:
            problem("legacy.unreadable_date", "/opened_on")
            return None, problems
        office = self.office(col["Consulado"])
        category = self.category(col["Tipo de caso"])
        given, surnames = split_name(col["Nombre completo"])
        national: dict[str, Any] = {"role": "national", "given_names": given, "surnames": surnames,
                                    "nationality": "HN"}
        if col["Fecha de nacimiento"]:
            birth = parse_date(col["Fecha de nacimiento"])
            if birth is None:
                problem("legacy.unreadable_date", "/persons/0/birth_date")
            else:
                national["birth_date"] = birth
        sex = fold(col["Sexo"])
        if sex in ("f", "femenino", "mujer"):
            national["sex"] = "female"
        elif sex in ("m", "h", "masculino", "hombre"):
            national["sex"] = "male"
        identity = col["Identidad"]
        if identity:
            kind = "hn_passport" if identity[:1].isalpha() and identity[1:2].isdigit() else "hn_dni"
            national["documents"] = [{"kind": kind, "number": identity}]
        contacts = []
        for phone in re.split(r"[/,;]| y ", col["Teléfono"]):
            phone = phone.strip()
            if phone:
                contact = {"kind": "phone", "value": phone}
                digits = re.sub(r"\D", "", phone)
                if len(digits) == 8 and not phone.startswith("+") and digits[0] in "23789":
                    contact["country"] = "HN"  # a Honduran number written without +504
                contacts.append(contact)
        if col["Correo"]:
            contacts.append({"kind": "email", "value": col["Correo"]})
        if contacts:
            national["contacts"] = contacts
        country = self.country(col["País"])
        if country:
            location: dict[str, Any] = {"kind": "current", "country": country}
            if col["Lugar"]:
                location["place"] = col["Lugar"]
            national["locations"] = [location]

        persons: list[dict[str, Any]] = [national]
        facts: dict[str, Any] = {}
        notes: list[str] = []
        definitions = {fold(f["label"]["es"]): f for f in self.categories.get(category, {}).get("facts", [])}
        for part in col["Observaciones"].split(";"):
            part = part.strip()
            if not part:
                continue
            label, sep, value = part.partition(":")
            fact = definitions.get(fold(label)) if sep else None
            if fact is not None:
                facts[fact["key"]] = self.fact_value(fact, value)
            elif sep and fold(label) == "solicitante":
                m = re.fullmatch(r"\s*(.+?)\s*\(([^)]*)\)\s*", value)
                name, relation = (m.group(1), fold(m.group(2))) if m else (value.strip(), "")
                r_given, r_surnames = split_name(name)
                persons.append({"role": "relative", "given_names": r_given, "surnames": r_surnames,
                                "relationship": RELATIONSHIPS.get(relation, "other_relative")})
            else:
                notes.append(part)
        for fact in definitions.values():
            key = fact["key"]
            if key not in facts and key in PLACE_FACTS and col["Lugar"]:
                facts[key] = col["Lugar"]
            elif key not in facts and key in COUNTRY_FACTS and country:
                facts[key] = country
        intake: dict[str, Any] = {
            "office": office,
            "category": category,
            "opened_on": opened,
            "persons": persons,
            "facts": facts,
            "notes": [{"text": f"Migrado del registro anterior del consulado (fila {number}).",
                       "written_on": opened}],
        }
        if notes:
            intake["notes"].append({"text": ". ".join(notes), "written_on": opened})
        return intake, problems


def read_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for each data row; the header is row 1."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != COLUMNS:
            raise SystemExit(f"{path.name}: the header is not the legacy log's ({', '.join(COLUMNS)})")
        for index, cells in enumerate(reader, start=2):
            yield index, cells


def legacy_number(cells: list[str]) -> str:
    """The log's own ``No.``, when it is a number (anything else might be personal text)."""
    first = cells[0].strip() if cells else ""
    return first if first.isdigit() else ""


def migrate(source: Path, out: Path, *, locale: str = "es", progress: bool = True) -> dict[str, Any]:
    """Runs the migration; returns the counts it prints."""
    catalog = siproc.Catalog.default()
    mapper = Mapper(catalog)
    rows = list(read_rows(source))
    english = locale.startswith("en")

    errors: list[dict[str, Any]] = []
    intakes: list[dict[str, Any] | None] = []
    numbers: list[tuple[int, str]] = []
    for number, cells in tqdm(rows, desc="Leyendo filas", unit=" filas", disable=not progress):
        intake, problems = mapper.row(number, cells)
        for p in problems:
            severity, es, en = LEGACY_RULES[p["code"]]
            errors.append({"row": number, "no": legacy_number(cells), "code": p["code"],
                           "path": p["path"], "severity": severity, "message": en if english else es})
        intakes.append(intake)
        numbers.append((number, legacy_number(cells)))

    present = [i for i, intake in enumerate(intakes) if intake is not None]
    reports: list[siproc.Report | None] = [None] * len(intakes)
    chunk = 500
    with tqdm(total=len(present), desc="Validando", unit=" casos", disable=not progress) as bar:
        for start in range(0, len(present), chunk):
            batch = present[start:start + chunk]
            for i, report in zip(batch, siproc.validate_many([intakes[i] for i in batch],
                                                             catalog=catalog, locale=locale)):
                reports[i] = report
            bar.update(len(batch))

    legacy_errors = {e["row"] for e in errors if e["severity"] == "error"}
    valid: list[int] = []
    for i, report in enumerate(reports):
        if report is None:
            continue
        number, no = numbers[i]
        for issue in report.issues:
            errors.append({"row": number, "no": no, "code": issue.code, "path": issue.path,
                           "severity": issue.severity, "message": issue.message})
        if report.ok and number not in legacy_errors:
            valid.append(i)

    # Duplicates among every row that maps to an intake, valid or not: the review needs them all.
    records = [intake if intake is not None else {} for intake in intakes]
    pairs = siproc.find_duplicates(records)
    clusters = siproc.duplicate_clusters(pairs)
    group = {member: n for n, cluster in enumerate(clusters, start=1) for member in cluster}

    out.mkdir(parents=True, exist_ok=True)
    with (out / "duplicates.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row_a", "row_b", "score", "reasons", "group"])
        for p in sorted(pairs, key=lambda p: (-p.score, p.a, p.b)):
            w.writerow([numbers[p.a][0], numbers[p.b][0], f"{p.score:.3f}", "+".join(p.reasons),
                        group.get(p.a, "")])

    # Open every valid case in a store, then archive it and verify the archive.
    store = siproc.MemoryStore()
    now = dt.datetime.now(dt.timezone.utc)
    opened: list[tuple[int, str, dict[str, Any]]] = []
    for i in tqdm(valid, desc="Abriendo casos", unit=" casos", disable=not progress):
        number, no = numbers[i]
        try:
            case = store.open_case(intakes[i], actor=MIGRATION_ACTOR, catalog=catalog, now=now)  # type: ignore[arg-type]
        except siproc.SiprocError as e:  # the engine refused it: reported like any problem
            errors.append({"row": number, "no": no, "code": e.code, "path": "",
                           "severity": "error", "message": str(e)})
            continue
        opened.append((number, no, case))
    archive = out / "cases.jsonl"
    summary = siproc.write_archive(archive, store, now=now)
    check = siproc.verify_archive(archive)
    if not check["ok"] or check["cases"] != len(opened):
        problems = [p["code"] for p in check["file"]] + [r["code"] for r in check["rejected"]]
        raise SystemExit(f"the archive written does not verify: {', '.join(problems)}")
    with (out / "case_numbers.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "no", "case_id", "number"])
        for number, no, case in opened:
            w.writerow([number, no, case["id"], case["number"]])
    written = len(opened)

    with (out / "errors.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["row", "no", "code", "path", "severity", "message"])
        w.writeheader()
        w.writerows(sorted(errors, key=lambda e: e["row"]))

    blank = sum(1 for e in errors if e["code"] == "legacy.blank_row")
    rows_with_errors = len({e["row"] for e in errors if e["severity"] == "error"})
    counts = {
        "rows": len(rows),
        "blank": blank,
        "valid": written,
        "with_errors": rows_with_errors,
        "problems": sum(1 for e in errors if e["severity"] == "error"),
        "warnings": sum(1 for e in errors if e["severity"] == "warning"),
        "duplicate_pairs": len(pairs),
        "duplicate_groups": len(clusters),
        "archive_digest": summary["digest"],
    }
    by_code = Counter(e["code"] for e in errors if e["severity"] == "error")
    counts_text = (
        f"{counts['rows']} filas leídas: {counts['valid']} casos válidos abiertos y archivados en "
        f"cases.jsonl (archivo verificado, resumen {summary['digest']}), "
        f"{counts['with_errors']} filas con errores ({counts['problems']} errores, "
        f"{counts['warnings']} avisos), {counts['blank']} filas vacías.\n"
        f"{counts['duplicate_pairs']} pares de posibles duplicados en {counts['duplicate_groups']} grupos.\n"
        "Errores más frecuentes: " + ", ".join(f"{c} ({n})" for c, n in by_code.most_common(5))
    )
    print(counts_text, file=sys.stderr if progress else sys.stdout)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migrates a consulate's legacy case log into siproc.")
    parser.add_argument("source", type=Path, help="the legacy log, exported as CSV (UTF-8)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the output files")
    parser.add_argument("--locale", default="es", choices=["es", "en"], help="language of messages")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    counts = migrate(args.source, args.out, locale=args.locale, progress=not args.no_progress)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
