"""Writes a synthetic export of a consulate's legacy case log, for the migration example.

    python examples/python/make_legacy_csv.py [--rows 3000] [--seed 2026] [--out data/legado_consulado.csv]

Every person is invented (common Honduran given names and surnames, drawn at random); the formats
are the real ones, and so are the problems of a log kept by hand for years: dates in several
formats (and Excel serial numbers), DNIs with and without dashes, names in capitals without
accents or written "SURNAMES, GIVEN NAMES", case types spelled in many ways, the same person on
several rows, numbers that fail their checks, blank and broken rows.

Identity numbers follow the DNI's structure (department 01-18, municipality within the
department's count, registration year, sequence), so most are valid in form; any match with a
real person's number is chance. The output is the same for the same seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
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
    (["Consulado de Tapachula", "TAPACHULA", "Tapachula, Chis."], ["México", "MEXICO", "Mexico"],
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
    "other": ["Otro", "Consulta general", "???"],
}
WEIGHTS = {"detention": 30, "deportation_return": 20, "repatriation_of_remains": 6, "missing_person": 8,
           "unaccompanied_minor": 6, "hospitalized": 6, "victim_of_crime": 4, "labour": 8,
           "documentation": 9, "other": 3}

MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre"]
RELATIVES = ["madre", "padre", "esposa", "esposo", "hermana", "hermano", "hija", "hijo", "tía", "primo"]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


class Log:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def date_text(self, d: dt.date, century_words: bool = True) -> str:
        r = self.r
        style = r.choices(range(8), weights=[30, 25, 10, 8, 8, 7, 7, 5])[0]
        if style == 0:
            return f"{d.day:02d}/{d.month:02d}/{d.year}"
        if style == 1:
            return d.isoformat()
        if style == 2:
            return f"{d.day}/{d.month}/{d.year}"
        if style == 3:
            return f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}"
        if style == 4:
            return f"{d.day} de {MONTHS[d.month - 1]} de {d.year}" if century_words else d.isoformat()
        if style == 5:
            return f"{d.day:02d}.{d.month:02d}.{d.year}"
        if style == 6:
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
            "",
        ])
        user = strip_accents(given.split()[0] + "." + surnames.split()[0]).lower()
        email = r.choice([f"{user}{r.randrange(1, 99)}@{r.choice(['gmail.com', 'yahoo.com', 'hotmail.com'])}", "", ""])
        return {"given": given, "surnames": surnames, "birth": birth, "dni": dni, "female": female,
                "phone": phone, "email": email, "passport": r.random() < 0.08}

    def spelled(self, p: dict, repeat: bool) -> tuple[str, str, str]:
        """Name, identity and birth date as this row's officer wrote them."""
        r = self.r
        given, surnames = p["given"], p["surnames"]
        if repeat and r.random() < 0.25:  # a typing error in the surname
            s = list(surnames)
            i = r.randrange(1, len(s) - 1)
            if s[i] != " ":
                s[i] = r.choice("aeiourns")
            surnames = "".join(s)
        name = r.choices([f"{given} {surnames}", f"{surnames}, {given}"], weights=[85, 15])[0]
        style = r.random()
        if style < 0.4:
            name = strip_accents(name).upper()
        elif style < 0.5:
            name = name.upper()
        elif style < 0.6:
            name = strip_accents(name)
        dni = p["dni"]
        if p["passport"]:
            identity = f"E{int(dni[-7:]):07d}" if r.random() < 0.9 else ""
        else:
            form = r.random()
            identity = (f"{dni[:4]}-{dni[4:8]}-{dni[8:]}" if form < 0.5 else dni if form < 0.85
                        else f"{dni[:4]} {dni[4:8]} {dni[8:]}")
            if r.random() < 0.07:
                identity = ""
        birth = self.date_text(p["birth"]) if r.random() < 0.85 else ""
        return name, identity, birth

    def facts(self, category: str, opened: dt.date, birth: dt.date) -> tuple[str, str]:
        """(Lugar, Observaciones) for a category: facts as "Etiqueta: valor" where the officer
        followed the ministry's guideline, free text otherwise."""
        r = self.r
        before = opened - dt.timedelta(days=r.randrange(0, 40))
        d = lambda x: self.date_text(x, century_words=False)  # noqa: E731
        complete = r.random() < 0.85
        parts: list[str] = []
        if category == "detention":
            parts = [f"Autoridad que detiene: {r.choice(['ICE', 'CBP', 'INM', 'Policía local'])}",
                     f"Tipo de detención: {r.choice(['Migratoria', 'Penal', 'migratoria'])}",
                     f"Fecha de detención: {d(before)}"]
            if r.random() < 0.3:
                parts.append(f"Visitas consulares realizadas: {r.randrange(0, 4)}")
        elif category == "deportation_return":
            parts = [f"Fecha de retorno: {d(before)}",
                     f"Punto de ingreso: {r.choice(['Aeropuerto de San Pedro Sula', 'Aeropuerto de Tegucigalpa', 'Corinto', 'Agua Caliente'])}"]
        elif category == "repatriation_of_remains":
            parts = [f"Fecha de fallecimiento: {d(before)}",
                     f"Causa de muerte: {r.choice(['Accidente', 'Natural', 'Violencia', 'Enfermedad'])}",
                     f"Acta de defunción disponible: {r.choice(['Sí', 'si', 'No'])}",
                     f"Municipio de destino: {r.choice(['Olanchito', 'Juticalpa', 'Choluteca', 'La Ceiba'])}",
                     f"Solicitante: {r.choice(GIVEN_F)} {r.choice(SURNAMES)} ({r.choice(RELATIVES)})"]
        elif category == "missing_person":
            parts = [f"Fecha en que se le vio por última vez: {d(before - dt.timedelta(days=20))}",
                     f"Fecha de la última comunicación: {d(before)}",
                     f"Solicitante: {r.choice(GIVEN_F)} {r.choice(SURNAMES)} ({r.choice(['madre', 'padre', 'esposa', 'hijo'])})"]
        elif category == "unaccompanied_minor":
            parts = [f"Albergue: {r.choice(['Casa Alianza', 'Albergue Belén', 'Casa Nazaret'])}",
                     f"Autoridad de protección de la niñez: {r.choice(['DIF', 'ORR', 'DINAF'])}",
                     f"Entregado a la autoridad de protección (DINAF): {r.choice(['Sí', 'No'])}"]
        elif category == "hospitalized":
            parts = [f"Categoría del diagnóstico: {r.choice(['Lesión', 'Enfermedad aguda', 'Enfermedad crónica'])}",
                     f"Fecha de ingreso: {d(before)}"]
        elif category == "victim_of_crime":
            parts = [f"Tipo de delito: {r.choice(['Trata de personas', 'Extorsión', 'Secuestro'])}",
                     f"Indicadores de trata: {r.choice(['Sí', 'No'])}"]
        elif category == "labour":
            parts = [f"Empleador: {r.choice(['Constructora del Sur', 'Granja avícola', 'Restaurante'])}",
                     f"Salarios no pagados: {r.choice(['Sí', 'No'])}"]
        elif category == "documentation":
            parts = [f"Presunción de nacionalidad: {r.choice(['Sí', 'No'])}",
                     f"Documentos solicitados: {r.choice(['Pasaporte', 'Partida de nacimiento', 'DNI'])}"]
        if not complete and parts:
            parts.pop(r.randrange(len(parts)))
        if r.random() < 0.4:
            parts.append(r.choice(["Se brindó asistencia consular", "Familia informada",
                                   "Pendiente respuesta de la autoridad", "Caso atendido por teléfono"]))
        return "", "; ".join(parts)

    def rows(self, count: int) -> list[list[str]]:
        r = self.r
        people = [self.person() for _ in range(int(count * 0.7))]
        rows: list[list[str]] = []
        seen: list[int] = []
        for n in range(1, count + 1):
            roll = r.random()
            if roll < 0.015:
                rows.append([""] * len(HEADER))
                continue
            if roll < 0.025:
                rows.append(r.choice([[str(n), "PENDIENTE"], [str(n), "", "", "VER ARCHIVO FISICO"],
                                      ["TOTAL", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]]))
                continue
            # About a quarter of the rows are a person already in the log (a new case, or the
            # same case entered twice).
            repeat = bool(seen) and (r.random() < 0.25 or len(seen) == len(people))
            index = r.choice(seen) if repeat else len(seen)
            if not repeat:
                seen.append(index)
            p = people[index]
            category = r.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            if category == "unaccompanied_minor":
                p = dict(p, birth=dt.date(2008, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 6)))
                p["dni"] = p["dni"][:4] + str(p["birth"].year) + p["dni"][8:]
            opened = dt.date(2015, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 11 - 100))
            if opened <= p["birth"]:
                opened = p["birth"] + dt.timedelta(days=365 * 15)
            office, countries, places = r.choice(OFFICES)
            name, identity, birth = self.spelled(p, repeat)
            lugar, notes = self.facts(category, opened, p["birth"])
            if category in ("detention", "missing_person", "repatriation_of_remains", "hospitalized"):
                lugar = r.choice(places)
            fecha = self.date_text(opened)
            # The problems of a log kept by hand.
            trouble = r.random()
            if trouble < 0.03:
                identity = r.choice(["2101-1990-00012", "0199-1985-12345", "0801-199-1234", "0000000000000", "NO TIENE"])
            elif trouble < 0.05:
                fecha = r.choice(["31/02/2019", "ayer", "2019-13-01", "pendiente"])
            elif trouble < 0.06:
                fecha = "01/01/2099"
            elif trouble < 0.075:
                name = name + r.choice([" 2", " (hermano)", " / ver expediente"])
            elif trouble < 0.09:
                p = dict(p, email=r.choice(["sin.correo@", "correo.gmail.com", "x@@hotmail.com"]))
            elif trouble < 0.11:
                p = dict(p, phone=r.choice(["123", "0000-0000", "no tiene"]))
            phone = p["phone"]
            if phone.startswith("(") and countries[0] != "Estados Unidos":
                phone = "+1 " + phone  # a US number noted at a consulate elsewhere
            sexo = r.choice(["F", "Femenino", "Mujer", "f"] if p["female"] else ["M", "Masculino", "Hombre", "H"])
            if r.random() < 0.08:
                sexo = ""
            number = str(n) if r.random() < 0.97 else ""
            rows.append([number, fecha, r.choice(office), r.choice(TYPES[category]), name, identity, birth,
                         sexo, phone, p["email"], r.choice(countries), lugar, notes])
        return rows


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=here / "data" / "legado_consulado.csv")
    args = parser.parse_args()
    rows = Log(args.seed).rows(args.rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"{len(rows)} rows written to {args.out}")


if __name__ == "__main__":
    main()
