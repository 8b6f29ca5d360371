"""Writes a synthetic export of a consulate's legacy case log, for the migration example and its tests.

    python examples/python/make_legacy_csv.py [--rows 3000] [--seed 2026] [--out data/legado_consulado.csv]
                                              [--truth PATH] [--today 2026-01-15]

Every person is invented (common Honduran given names and surnames drawn at random); the formats
are the real ones, and so are the problems of a log kept by hand for years. The output is the
same for the same seed and ``--today``.

Columns (UTF-8, comma-separated, header row), as consulates kept them:

=====================  ==============================================================================
``No.``                the log's own number (sometimes blank)
``Fecha``              the day the case was opened, in one of the formats below
``Consulado``          the office, written by hand (``CONSULADO TAPACHULA``, ``Cons. Gral. Miami``)
``Tipo de caso``       the case type, written by hand (``Detención migratoria``, ``NNA no acompañado``)
``Nombre completo``    ``GIVEN NAMES SURNAMES`` or ``SURNAMES, GIVEN NAMES``, in capitals or not,
                       with or without accents; sometimes with a remark (``(hermano)``, ``/ ver exp.``)
``Identidad``          a DNI with dashes, spaces or none, a passport number (a letter and digits), or blank
``Fecha de nacimiento``the birth date, or blank
``Sexo``               ``F``, ``Femenino``, ``Mujer``, ``M``, ``H``, ``Masculino``, … or blank
``Teléfono``           ``+504 9876-5432``, ``9876-5432``, ``(305) 555-0142``, ``no tiene`` …
``Correo``             an e-mail address or blank (some malformed)
``País``               the country the national is in, as written (``EEUU``, ``México``)
``Lugar``              a place: a detention centre, a hospital, a city
``Observaciones``      free text, as officers write it ("Caso referido a la Dirección.")
=====================  ==============================================================================

Dates are written day first, never in US order: ``23-11-2020``, ``11/7/1979``, ``2024-11-20``,
``7 de marzo de 2021``, ``14.03.2019``, ``14-03-19``, ``14-mar-2019``.

What is planted, and listed in the ``--truth`` file (JSON: ``rows`` maps each row number to its
kind; ``duplicate_pairs`` lists the row pairs entered twice for the same case):

- ``plausible``: a case the log recorded, however loosely; the migration must open it;
- ``blank`` and ``broken`` rows (a total line, a note across the row);
- ``impossible_dni``: a DNI that cannot exist (department 00 or above 18, a municipality beyond the
  department's, a wrong length, sequence 00000), with the code the engine must give;
- ``future_birth``: a birth date more than two years after ``--today``;
- ``unreadable_date``, ``unknown_office``, ``no_name``: other wrong rows;
- duplicate pairs: the same case entered again by another officer (another spelling of the name,
  the DNI written otherwise, another date format).

Identity numbers follow the DNI's structure (department 01-18, municipality within the department's
count, registration year, sequence); any match with a real person's number is chance.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import unicodedata
from pathlib import Path

HEADER = ["No.", "Fecha", "Consulado", "Tipo de caso", "Nombre completo", "Identidad",
          "Fecha de nacimiento", "Sexo", "Teléfono", "Correo", "País", "Lugar", "Observaciones"]

# Municipalities per department, DNI digits 1-2 and 3-4 (siproc-core/data/documents).
MUNICIPALITIES = [8, 10, 21, 23, 12, 16, 19, 28, 6, 17, 4, 19, 28, 16, 23, 28, 9, 11]

GIVEN_F = ["María", "José", "Ana", "Lucía", "Rosa", "Carmen", "Gloria", "Dunia", "Karla", "Sonia",
           "Wendy", "Yesenia", "Daysi", "Norma", "Iris", "Marta", "Fernanda", "Alejandra", "Belkis",
           "Sofía", "Elena", "Reina", "Yolanda", "Suyapa", "Lourdes", "Ángela", "Nohemí"]
GIVEN_M = ["José", "Juan", "Carlos", "Luis", "Mario", "Jorge", "Óscar", "Wilmer", "Elvin", "Marvin",
           "Francisco", "Pedro", "Héctor", "Ramón", "Nelson", "Edwin", "Kevin", "Josué", "Santos",
           "Darwin", "Rubén", "Germán", "Ángel", "Jesús", "Tomás", "Dennis", "Efraín"]
SURNAMES = ["Hernández", "López", "Martínez", "Rodríguez", "García", "Mejía", "Reyes", "Flores",
            "Castillo", "Zelaya", "Pérez", "Núñez", "Cruz", "Banegas", "Amaya", "Ramírez", "Sánchez",
            "Aguilar", "Maradiaga", "Güity", "Peña", "Ordóñez", "Cálix", "Turcios", "Matute",
            "Velásquez", "Bonilla", "Espinal", "Murillo", "Cáceres", "Funes", "Ávila", "Canales",
            "Rivera", "Oseguera", "Lagos", "Irías", "Colindres", "Padilla", "Suazo"]

# (spellings of the office as officers typed them, country name variants, places)
OFFICES = [
    (["Consulado de Miami", "MIAMI", "Cons. Gral. Miami", "CG Miami"], ["Estados Unidos", "EEUU", "USA"],
     ["Centro de Detención Krome", "Broward Transitional Center", "Miami, FL", "Hospital Jackson Memorial"]),
    (["Consulado General en Houston", "HOUSTON", "Houston TX"], ["Estados Unidos", "E.U.A.", "USA"],
     ["Houston Processing Center", "Harris County Jail", "Houston, TX", "Ben Taub Hospital"]),
    (["Consulado en Nueva York", "NUEVA YORK", "New York", "NY"], ["Estados Unidos", "EE.UU."],
     ["Elizabeth Detention Center", "Bronx, NY", "Queens, NY", "Bellevue Hospital"]),
    (["Consulado de Tapachula", "CONSULADO TAPACHULA", "TAPACHULA", "Tapachula, Chis."], ["México", "MEXICO"],
     ["Estación Migratoria Siglo XXI", "Tapachula, Chiapas", "Ciudad Hidalgo", "Hospital General de Tapachula"]),
    (["Consulado en Monterrey", "MONTERREY"], ["México", "MEXICO"],
     ["Estación Migratoria de Monterrey", "Monterrey, N.L.", "Saltillo, Coahuila"]),
    (["Consulado de Los Ángeles", "LOS ANGELES", "L.A."], ["Estados Unidos", "USA"],
     ["Adelanto ICE Processing Center", "Los Angeles, CA", "Van Nuys, CA"]),
    (["Consulado en Guatemala", "GUATEMALA", "Cons. Guatemala"], ["Guatemala", "GUATEMALA"],
     ["Ciudad de Guatemala", "Tecún Umán", "Casa del Migrante"]),
    (["Consulado en Madrid", "MADRID"], ["España", "ESPAÑA", "Espana"],
     ["Madrid", "CIE de Aluche", "Hospital La Paz"]),
]
UNKNOWN_OFFICES = ["Consulado en Marte", "OFICINA ZZ", "Consulado Honorario de Springfield"]

# Category: the spellings of the legacy "Tipo de caso".
TYPES = {
    "detention": ["Detenido", "DETENCION", "Detención migratoria", "detenido(a)", "Privado de libertad", "PPL"],
    "deportation_return": ["Deportado", "DEPORTACION", "Retorno asistido", "retornado"],
    "repatriation_of_remains": ["Repatriación de restos", "REPATRIACION DE RESTOS", "Fallecido", "Restos"],
    "missing_person": ["Desaparecido", "DESAPARECIDO", "Búsqueda", "Localización de persona"],
    "unaccompanied_minor": ["Menor no acompañado", "NNA no acompañado", "MENOR NO ACOMPAÑADO"],
    "hospitalized": ["Hospitalizado", "HOSPITALIZADO", "Enfermo"],
    "victim_of_crime": ["Víctima de trata", "VICTIMA DE DELITO", "Trata de personas"],
    "labour": ["Laboral", "LABORAL", "Asesoría laboral"],
    "documentation": ["Documentación", "DOCUMENTACION", "Pasaporte / documentos"],
}
WEIGHTS = {"detention": 30, "deportation_return": 20, "repatriation_of_remains": 6, "missing_person": 8,
           "unaccompanied_minor": 6, "hospitalized": 6, "victim_of_crime": 4, "labour": 8,
           "documentation": 9}

MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre"]
RELATIVES = ["la madre", "el padre", "la esposa", "el hermano", "la hermana", "la hija", "el tío"]
TOWNS = ["San Pedro Sula", "Tegucigalpa", "Choluteca", "La Ceiba", "Olanchito", "Juticalpa", "El Progreso"]
NOTES = [
    "Caso referido a la Dirección.",
    "Se habló con {relative}.",
    "Contacto con {relative} en {town}.",
    "Se brindó asistencia consular.",
    "Familia informada por teléfono.",
    "Pendiente respuesta de la autoridad.",
    "Visita consular realizada el {date}.",
    "Trasladado a otro centro, se dio seguimiento.",
    "Solicita apoyo para documentos. Se envió oficio.",
    "Audiencia programada; se coordinó con abogado pro bono.",
    "",
]

# Impossible DNIs and the code the engine gives each.
IMPOSSIBLE_DNIS = [
    ("2101-1990-00012", "dni.bad_department"),
    ("0001-1985-12345", "dni.bad_department"),
    ("0199-1985-12345", "dni.bad_municipality"),
    ("0801-199-1234", "dni.bad_length"),
    ("0801-1990-00000", "dni.bad_sequence"),
]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


class Log:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.r = random.Random(seed)
        self.today = today

    def date_text(self, d: dt.date) -> str:
        r = self.r
        style = r.choices(range(9), weights=[25, 20, 12, 10, 8, 8, 6, 6, 5])[0]
        if style == 0:
            return f"{d.day:02d}/{d.month:02d}/{d.year}"
        if style == 1:
            return d.isoformat()
        if style == 2:
            return f"{d.day}/{d.month}/{d.year}"
        if style == 3:
            return f"{d.day:02d}-{d.month:02d}-{d.year}"
        if style == 4:
            return f"{d.day} de {MONTHS[d.month - 1]} de {d.year}"
        if style == 5:
            return f"{d.day:02d}.{d.month:02d}.{d.year}"
        if style == 6:
            return f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}"
        if style == 7:
            return str((d - dt.date(1899, 12, 30)).days)  # an Excel serial number
        return f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}"

    def person(self) -> dict:
        r = self.r
        female = r.random() < 0.45
        pool = GIVEN_F if female else GIVEN_M
        given = " ".join(r.sample(pool, r.choice([1, 2, 2])))
        surnames = " ".join(r.sample(SURNAMES, r.choice([1, 2, 2, 2])))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 48))
        department = r.randrange(1, 19)
        municipality = r.randrange(1, MUNICIPALITIES[department - 1] + 1)
        year = birth.year if r.random() < 0.85 else birth.year + r.choice([1, 2, 5])
        dni = f"{department:02d}{municipality:02d}{year}{r.randrange(1, 100000):05d}"
        phone = r.choice([
            f"+504 {r.choice('389')}{r.randrange(100, 999)}-{r.randrange(1000, 9999)}",
            f"{r.choice('389')}{r.randrange(100, 999)}-{r.randrange(1000, 9999)}",
            f"({r.choice(['305', '713', '212', '213', '832', '786'])}) {r.randrange(201, 989)}-{r.randrange(1000, 9999)}",
            "", "no tiene",
        ])
        user = strip_accents(given.split()[0] + "." + surnames.split()[0]).lower()
        email = r.choice([f"{user}{r.randrange(1, 99)}@{r.choice(['gmail.com', 'yahoo.com', 'hotmail.com'])}", "", ""])
        return {"given": given, "surnames": surnames, "birth": birth, "dni": dni, "female": female,
                "phone": phone, "email": email, "passport": r.random() < 0.08}

    def name_text(self, p: dict) -> str:
        r = self.r
        given, surnames = p["given"], p["surnames"]
        name = r.choices([f"{given} {surnames}", f"{surnames}, {given}"], weights=[85, 15])[0]
        style = r.random()
        if style < 0.4:
            name = strip_accents(name).upper()
        elif style < 0.5:
            name = name.upper()
        elif style < 0.6:
            name = strip_accents(name)
        if r.random() < 0.03:  # a remark in the name cell
            name += r.choice([" (hermano)", " / ver expediente", "  "])
        return name

    def identity_text(self, p: dict) -> str:
        r = self.r
        dni = p["dni"]
        if p["passport"]:
            return f"E{int(dni[-7:]):07d}"
        form = r.random()
        return (f"{dni[:4]}-{dni[4:8]}-{dni[8:]}" if form < 0.5 else dni if form < 0.85
                else f"{dni[:4]} {dni[4:8]} {dni[8:]}")

    def note(self, opened: dt.date) -> str:
        r = self.r
        parts = r.sample(NOTES, r.choice([0, 1, 1, 2]))
        text = " ".join(p for p in parts if p)
        return text.format(relative=r.choice(RELATIVES), town=r.choice(TOWNS),
                           date=f"{opened.day:02d}/{opened.month:02d}/{opened.year}")

    def rows(self, count: int) -> tuple[list[list[str]], dict]:
        r = self.r
        people = [self.person() for _ in range(int(count * 0.7))]
        rows: list[list[str]] = []
        kinds: dict[int, str] = {}
        pairs: list[tuple[int, int]] = []
        seen: list[int] = []
        while len(rows) < count:
            row_number = len(rows) + 2  # the header is row 1
            roll = r.random()
            if roll < 0.01:
                rows.append([""] * len(HEADER))
                kinds[row_number] = "blank"
                continue
            if roll < 0.015:
                rows.append(r.choice([[str(row_number), "PENDIENTE"] + [""] * 11,
                                      ["TOTAL"] + [""] * 12]))
                kinds[row_number] = "broken"
                continue
            # About a fifth of the rows are a person already in the log (a new case).
            repeat = bool(seen) and (r.random() < 0.2 or len(seen) == len(people))
            index = r.choice(seen) if repeat else len(seen)
            if not repeat:
                seen.append(index)
            p = people[index]
            category = r.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            if category == "unaccompanied_minor":
                p = dict(p, birth=dt.date(2008, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 6)))
                p["dni"] = p["dni"][:4] + str(p["birth"].year) + p["dni"][8:]
            opened = dt.date(2015, 1, 1) + dt.timedelta(days=r.randrange(0, (self.today - dt.date(2015, 1, 1)).days))
            if opened <= p["birth"] + dt.timedelta(days=365):
                opened = min(self.today, p["birth"] + dt.timedelta(days=365 * 15))
            office, countries, places = r.choice(OFFICES)
            lugar = r.choice(places) if r.random() < 0.8 else ""
            phone = p["phone"]
            if phone.startswith("(") and countries[0] != "Estados Unidos":
                phone = "+1 " + phone  # a US number noted at a consulate elsewhere
            sexo = r.choice(["F", "Femenino", "Mujer", "f"] if p["female"] else ["M", "Masculino", "Hombre", "H"])
            if r.random() < 0.08:
                sexo = ""
            identity = self.identity_text(p) if r.random() < 0.93 else ""
            birth = self.date_text(p["birth"]) if r.random() < 0.88 else ""
            cells = [str(row_number - 1) if r.random() < 0.97 else "", self.date_text(opened), r.choice(office),
                     r.choice(TYPES[category]), self.name_text(p), identity, birth, sexo, phone, p["email"],
                     r.choice(countries), lugar, self.note(opened)]
            kind = "plausible"
            trouble = r.random()
            if trouble < 0.03:
                cells[5], code = r.choice(IMPOSSIBLE_DNIS)
                kind = f"impossible_dni:{code}"
            elif trouble < 0.045:
                future = self.today + dt.timedelta(days=r.randrange(800, 7000))
                cells[6] = r.choice([future.isoformat(), f"{future.day:02d}/{future.month:02d}/{future.year}"])
                kind = "future_birth"
            elif trouble < 0.055:
                cells[1] = r.choice(["31/02/2019", "ayer", "2019-13-01", "pendiente"])
                kind = "unreadable_date"
            elif trouble < 0.06:
                cells[2] = r.choice(UNKNOWN_OFFICES)
                kind = "unknown_office"
            elif trouble < 0.065:
                cells[4] = r.choice(["", "  ", "---"])
                kind = "no_name"
            elif trouble < 0.08:
                cells[9] = r.choice(["sin.correo@", "correo.gmail.com", "x@@hotmail.com"])
            rows.append(cells)
            kinds[row_number] = kind
            # The same case entered again by another officer, a few rows later (planted duplicate).
            if kind == "plausible" and p["dni"] and not p["passport"] and r.random() < 0.04 and len(rows) < count:
                again = list(cells)
                again[0] = ""
                again[1] = self.date_text(opened + dt.timedelta(days=r.randrange(0, 3)))
                again[2] = r.choice(office)
                again[4] = self.name_text(p)
                again[5] = self.identity_text(p)
                again[6] = self.date_text(p["birth"])
                again[12] = ""
                rows.append(again)
                kinds[row_number + 1] = "plausible"
                pairs.append((row_number, row_number + 1))
        truth = {"today": self.today.isoformat(), "rows": {str(k): v for k, v in sorted(kinds.items())},
                 "duplicate_pairs": pairs}
        return rows, truth


def write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=here / "data" / "legado_consulado.csv")
    parser.add_argument("--truth", type=Path, help="also write what was planted, as JSON")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 1, 15),
                        help="the day the log was exported (dates after it are in the future)")
    args = parser.parse_args(argv)
    rows, truth = Log(args.seed, args.today).rows(args.rows)
    write(args.out, rows)
    if args.truth:
        args.truth.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    print(f"{len(rows)} rows written to {args.out}")


if __name__ == "__main__":
    main()
