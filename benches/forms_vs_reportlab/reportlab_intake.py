"""The intake sheet of case.json rendered with ReportLab, for a side-by-side benchmark.

Same content as siproc's `intake_sheet` template (letterhead, QR code of the verification hash,
title, field grids, facts, tables of persons, documents and services, consent, notes, signature
and stamp boxes, a footer with the case number, "Página N de M", the generation date and the
verification code), set in the same DejaVu Sans fonts (siproc-core/fonts), with ReportLab's
platypus layout engine (which wraps, flows, and subsets the TrueType fonts it embeds).

    python reportlab_intake.py [seconds] [out.pdf]

With SIPROC_RL_NO_QR=1 in the environment the QR code is left out (ReportLab's QR widget takes
about half of the render time).

Prints one JSON line: forms rendered, forms per second of wall-clock and of CPU time, pages and
bytes of one form.
"""

import io
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PACK = ROOT / "siproc-core" / "packs" / "hn"
FONTS = ROOT / "siproc-core" / "fonts"
WITH_QR = not os.environ.get("SIPROC_RL_NO_QR")
HASH = "3f2a9c1b7e0455d0a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778a"
SHORT = "3F2A-9C1B-7E04"
GENERATED = "02/03/2026 10:30 EST"

pdfmetrics.registerFont(TTFont("DejaVu", str(FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))

GREY = colors.Color(0.35, 0.35, 0.35)
FILL = colors.Color(0.9, 0.9, 0.9)
RULE = colors.Color(0.55, 0.55, 0.55)
LABEL = ParagraphStyle("label", fontName="DejaVu", fontSize=7, leading=9, textColor=GREY)
VALUE = ParagraphStyle("value", fontName="DejaVu", fontSize=9.5, leading=12.5)
BOLD = ParagraphStyle("bold", parent=VALUE, fontName="DejaVu-Bold")
CELL = ParagraphStyle("cell", fontName="DejaVu", fontSize=8.5, leading=11)
HEAD = ParagraphStyle("head", fontName="DejaVu-Bold", fontSize=7.5, leading=10)
SECTION = ParagraphStyle("section", fontName="DejaVu-Bold", fontSize=9.5, leading=12.5)
TITLE = ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=15, leading=19, alignment=1)
SUB = ParagraphStyle("sub", fontName="DejaVu", fontSize=10, leading=14, alignment=1)

pack = json.loads((PACK / "pack.json").read_text())
categories = {c["code"]: c for c in json.loads((PACK / "categories.json").read_text())}
offices = {o["code"]: o for o in json.loads((PACK / "offices.json").read_text())}
services = {s["code"]: s for s in json.loads((PACK / "services.json").read_text())}
flags = {f["code"]: f for f in json.loads((PACK / "flags.json").read_text())}
case = json.loads((HERE / "case.json").read_text())

STATUS = {"in_progress": "En trámite"}
PRIORITY = {"high": "Alta"}
ROLE = {"national": "Connacional", "relative": "Familiar"}
REL = {("parent", "male"): "padre", ("parent", "female"): "madre"}
SEX = {"female": "Femenino", "male": "Masculino"}
SCOPE = {
    "processing": "tratamiento de datos",
    "contact_family": "contactar a familiares",
    "share_with_authorities": "compartir con autoridades extranjeras",
}


def d(iso):
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name(p):
    return f"{p['given_names']} {p['surnames']}"


def doc_of(p):
    docs = p.get("documents", [])
    return f"DNI {docs[0]['number']}" if docs else ""


def contact(p, kind):
    return next((c["value"] for c in p.get("contacts", []) if c["kind"] == kind), "")


def location(p, kind):
    for loc in p.get("locations", []):
        if loc["kind"] == kind:
            return f"{loc.get('place', '')} ({loc['country']})"
    return ""


def section(title):
    t = Table([[Paragraph(esc(title), SECTION)]], colWidths=[512])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), FILL)]))
    return [Spacer(1, 6), t, Spacer(1, 4)]


def grid(title, fields, columns):
    width = (512 - (columns - 1) * 12) / columns
    rows, row = [], []
    for label, value, wide in fields:
        cell = [Paragraph(esc(label), LABEL), Paragraph(esc(value) or "&nbsp;", VALUE)]
        if wide:
            if row:
                rows.append(row + [""] * (columns - len(row)))
                row = []
            rows.append([cell] + [""] * (columns - 1))
            continue
        row.append(cell)
        if len(row) == columns:
            rows.append(row)
            row = []
    if row:
        rows.append(row + [""] * (columns - len(row)))
    t = Table(rows, colWidths=[width + 12] * columns)
    spans = [("SPAN", (0, i), (-1, i)) for i, r in enumerate(rows) if r[1:] == [""] * (columns - 1) and len(r) > 1]
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)] + spans))
    return section(title) + [t]


def table(title, header, rows, widths):
    total = sum(widths)
    data = [[Paragraph(esc(h), HEAD) for h in header]]
    data += [[Paragraph(esc(v), CELL) for v in r] for r in rows]
    t = Table(data, colWidths=[512 * w / total for w in widths], repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return section(title) + [t]


def story():
    n = case["persons"][0]
    rel = case["persons"][1]
    cat = categories[case["category"]]
    office = offices[case["office"]]
    facts = []
    for f in cat["facts"]:
        v = case["facts"].get(f["key"], "")
        if f["type"] == "date" and v:
            v = d(v)
        elif f["type"] == "choice":
            v = next(c["label"]["es"] for c in f["values"] if c["code"] == v)
        facts.append((f["label"]["es"], str(v), False))
    if WITH_QR:
        qr = QrCodeWidget(f"SIPROC:{case['number']}:{HASH}".upper(), barWidth=60, barHeight=60,
                          barBorder=0)
        drawing = Drawing(60, 60)
        drawing.add(qr)
    else:
        drawing = Spacer(60, 60)
    head = Table(
        [[[Paragraph(esc(pack["ministry"]["es"]), ParagraphStyle("m", parent=BOLD, fontSize=10.5, leading=13)),
           Paragraph(esc(pack["directorate"]["es"]), ParagraphStyle("dd", parent=VALUE, fontSize=9, leading=11.5)),
           Paragraph(esc(office["name"]["es"]), ParagraphStyle("o", parent=BOLD, fontSize=9, leading=11.5)),
           Paragraph(esc(office["city"]), ParagraphStyle("c", parent=LABEL, fontSize=7.5, leading=10))],
          [drawing, Paragraph(SHORT, ParagraphStyle("s", parent=LABEL, fontSize=6.5, alignment=1))]]],
        colWidths=[438, 74],
    )
    s = [head, Spacer(1, 6), Paragraph("Ficha de registro del caso", TITLE),
         Paragraph(f"Caso núm. {case['number']}", SUB)]
    s += grid("Datos del caso", [
        ("Número de caso", case["number"], False),
        ("Fecha de solicitud", d(case["opened_on"]), False),
        ("Estado", STATUS[case["status"]], False),
        ("Categoría", cat["label"]["es"], True),
        ("Prioridad", PRIORITY[case["priority"]], False),
        ("Condiciones de vulnerabilidad", ", ".join(flags[f]["label"]["es"] for f in case["flags"]), False),
        ("Oficina que registra", office["name"]["es"], False),
    ], 3)
    s += grid("Persona connacional", [
        ("Nombre completo", name(n), False), ("Documento de identidad", doc_of(n), False),
        ("Fecha de nacimiento", d(n["birth_date"]), False), ("Edad (años)", "31", False),
        ("Sexo", SEX[n["sex"]], False), ("Nacionalidad", n["nationality"], False),
        ("Ubicación actual", location(n, "current"), False), ("Residencia", location(n, "residence"), False),
        ("Teléfono", contact(n, "phone"), False), ("Correo electrónico", contact(n, "email"), False),
        ("Dirección", contact(n, "address"), True),
    ], 2)
    s += grid("Hechos del caso", facts, 2)
    s += table("Personas relacionadas", ["Nombre", "Calidad", "Parentesco", "Documento", "Teléfono"],
               [[name(rel), ROLE[rel["role"]], REL[(rel["relationship"], rel["sex"])], doc_of(rel),
                 contact(rel, "phone")]], [3, 2, 2, 3, 2])
    s += table("Documentos de identidad", ["Titular", "Tipo", "Número"],
               [[name(p), "DNI", x["number"]] for p in case["persons"] for x in p.get("documents", [])],
               [3, 2, 3])
    s += table("Servicios brindados", ["Fecha", "Servicio", "Descripción"],
               [[d(x["given_on"]), services[x["kind"]]["label"]["es"], x.get("description", "")]
                for x in case["services"]], [2, 3, 6])
    c = case["consent"]
    s += grid("Consentimiento informado", [
        ("Consentimiento otorgado", "Sí" if c["given"] else "No", False),
        ("Fecha de registro", d(c["recorded_on"]), False),
        ("Otorgado por", name(case["persons"][c["given_by"]]), False),
        ("Alcance", ", ".join(SCOPE[x] for x in c["scope"]), True),
    ], 3)
    s += section("Referencias a organizaciones cooperantes") + [Paragraph("Sin registros.", CELL)]
    s += section("Observaciones")
    for note in case["notes"]:
        s += [Paragraph(f"Nota — {d(note['written_on'])}", BOLD), Paragraph(esc(note["text"]), VALUE)]
    sig = Table(
        [["", "", ""], [Paragraph("<b>Firma — Funcionario o funcionaria consular que registra</b>", HEAD),
                        Paragraph("<b>Firma — Persona connacional o solicitante</b>", HEAD),
                        Paragraph("Sello", LABEL)],
         [Paragraph("Nombre: ____________________", LABEL), Paragraph(f"Nombre: {esc(name(n))}", LABEL), ""]],
        colWidths=[196, 196, 120], rowHeights=[40, None, None],
    )
    sig.setStyle(TableStyle([("LINEBELOW", (0, 0), (1, 0), 0.6, colors.black), ("BOX", (2, 0), (2, 2), 0.6, RULE)]))
    s += [Spacer(1, 10), KeepTogether([sig])]
    return s


FOOTER = ("Documento oficial del expediente consular. Contiene datos personales protegidos por la ley: "
          "no lo comparta fuera del expediente.")


class NumberedCanvas(canvas.Canvas):
    """Defers pages so that each can say "Página N de M"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.decorate(total)
            super().showPage()
        super().save()

    def decorate(self, total):
        n = self._pageNumber
        office = offices[case["office"]]["name"]["es"]
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(50, 82, 562, 82)
        self.setFont("DejaVu", 7)
        self.setFillColor(GREY)
        self.drawString(50, 73, FOOTER)
        self.setFillColor(colors.black)
        self.setFont("DejaVu", 7.5)
        self.drawString(50, 64, f"Caso núm. {case['number']} · {office}")
        self.setFont("DejaVu-Bold", 7.5)
        self.drawRightString(562, 64, f"Página {n} de {total}")
        self.setFont("DejaVu", 7)
        self.setFillColor(GREY)
        self.drawString(50, 55, f"Generado el {GENERATED} · Código de verificación: {SHORT}")
        if n > 1:
            self.drawString(50, 750, f"{office} · Ficha de registro del caso (continuación)")
            self.line(50, 745, 562, 745)


def render():
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=letter, leftMargin=50, rightMargin=50, topMargin=36, bottomMargin=96,
        title=f"Ficha de registro del caso — {case['number']}", subject=f"Código de verificación: {HASH}",
        pageCompression=1,
    )
    doc.build(story(), canvasmaker=NumberedCanvas)
    return buf.getvalue()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    first = render()
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_bytes(first)
    pages = first.count(b"/Type /Page\n") or first.count(b"/Type /Page ")
    for _ in range(5):
        render()
    n, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        render()
        n += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        "impl": "ReportLab (platypus)" + ("" if WITH_QR else ", no QR"), "forms": n,
        "seconds": round(elapsed, 3), "cpu_seconds": round(cpu, 3),
        "forms_per_sec": round(n / elapsed, 1), "forms_per_cpu_sec": round(n / cpu, 1),
        "pages": pages, "bytes": len(first),
    }))


if __name__ == "__main__":
    main()
