//! What goes on a form's pages: the letterhead, the template's blocks filled with case data, the
//! running header and the footer of every page.

use super::FormError;
use super::fields::{Ctx, Word, rows};
use super::layout::{Cell, CellLine, Flow, Geometry, Item, RowStyle, baseline, grey, size};
use super::qr;
use crate::catalog::Paper;
use crate::catalog::template::{Block, Column, Field, Piece, Signer, pieces};
use crate::fonts::Face;

/// Page margins, points.
const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 36.0;
const MARGIN_BOTTOM: f32 = 30.0;
/// Footer print.
const FOOT: f32 = 7.0;
const FOOT_LEADING: f32 = 9.0;
/// Side of the QR code.
const QR_SIDE: f32 = 60.0;
/// Gap between grid columns.
const COLUMN_GAP: f32 = 12.0;

/// Printed when a placeholder has no value: a blank to fill in by hand.
const BLANK: &str = "____________________";

/// Lays out the form of `ctx` and returns its pages and geometry.
pub(crate) fn compose(ctx: &Ctx<'_>) -> Result<(Vec<Vec<Item>>, Geometry), FormError> {
    let paper = ctx.form.paper.unwrap_or(ctx.office.paper);
    let (width, height) = match paper {
        Paper::Letter => (612.0, 792.0),
        Paper::A4 => (595.28, 841.89),
    };
    let fonts = ctx.fonts;
    let l = ctx.locale;
    let content_w = width - 2.0 * MARGIN_X;
    let title = ctx.form.title.get(l);
    let office = ctx.office.name.get(l);
    let number = ctx.value("case.number", None)?;

    // Footer lines, the same on every page but for the page number.
    let footer_text: Vec<String> = match &ctx.form.footer {
        Some(t) => fonts_wrap(ctx, &fill_placeholders(ctx, t.get(l))?, FOOT, content_w),
        None => Vec::new(),
    };
    let page_w = fonts.width(&page_of(ctx, 999, 999), Face::Bold, size::LABEL + 0.5);
    let case_line = format!("{} {number} · {office}", Word::CaseNo.get(l));
    let case_lines = fonts_wrap(
        ctx,
        &case_line,
        size::LABEL + 0.5,
        content_w - page_w - 12.0,
    );
    let generated_line = format!(
        "{} {} · {}: {}",
        Word::Generated.get(l),
        ctx.generated_on(),
        Word::Verification.get(l),
        ctx.verification_code
    );
    let footer_lines = footer_text.len() + case_lines.len() + 1;
    let footer_h = footer_lines as f32 * FOOT_LEADING + 8.0;
    let footer_top = height - MARGIN_BOTTOM - footer_h;

    // Running header of the pages after the first.
    let running = format!("{office} · {title} ({})", Word::Continued.get(l));
    let running_lines = fonts_wrap(ctx, &running, size::LABEL + 0.5, content_w);
    let running_h = running_lines.len() as f32 * FOOT_LEADING + 10.0;

    let geo = Geometry {
        width,
        height,
        left: MARGIN_X,
        right: width - MARGIN_X,
        top: MARGIN_TOP + running_h,
        bottom: footer_top - 10.0,
    };
    let mut flow = Flow::new(fonts, geo, MARGIN_TOP);
    letterhead(ctx, &mut flow, &number)?;
    for block in &ctx.form.blocks {
        draw_block(ctx, &mut flow, block)?;
    }

    // Decorate every page now that their number is known.
    let total = flow.pages.len();
    let mut pages = flow.pages;
    for (i, page) in pages.iter_mut().enumerate() {
        let n = i + 1;
        if n > 1 {
            let mut y = MARGIN_TOP;
            for line in &running_lines {
                y += FOOT_LEADING;
                page.push(text(
                    MARGIN_X,
                    y - 2.0,
                    size::LABEL + 0.5,
                    Face::Regular,
                    grey::TEXT,
                    line,
                ));
            }
            page.push(rule(MARGIN_X, y + 4.0, width - MARGIN_X, 0.5, grey::RULE));
        }
        let mut y = footer_top;
        page.push(rule(MARGIN_X, y, width - MARGIN_X, 0.5, grey::RULE));
        y += 4.0;
        for line in &footer_text {
            y += FOOT_LEADING;
            page.push(text(
                MARGIN_X,
                y - 2.0,
                FOOT,
                Face::Regular,
                grey::TEXT,
                line,
            ));
        }
        let pn = page_of(ctx, n, total);
        let pn_w = fonts.width(&pn, Face::Bold, size::LABEL + 0.5);
        page.push(text(
            width - MARGIN_X - pn_w,
            y + FOOT_LEADING - 2.0,
            size::LABEL + 0.5,
            Face::Bold,
            0.0,
            &pn,
        ));
        for line in &case_lines {
            y += FOOT_LEADING;
            page.push(text(
                MARGIN_X,
                y - 2.0,
                size::LABEL + 0.5,
                Face::Regular,
                0.0,
                line,
            ));
        }
        y += FOOT_LEADING;
        page.push(text(
            MARGIN_X,
            y - 2.0,
            FOOT,
            Face::Regular,
            grey::TEXT,
            &generated_line,
        ));
    }
    Ok((pages, geo))
}

fn page_of(ctx: &Ctx<'_>, n: usize, m: usize) -> String {
    Word::PageOf
        .get(ctx.locale)
        .replace("{n}", &n.to_string())
        .replace("{m}", &m.to_string())
}

fn fonts_wrap(ctx: &Ctx<'_>, s: &str, size: f32, width: f32) -> Vec<String> {
    super::layout::wrap(ctx.fonts, s, Face::Regular, size, width)
}

fn text(x: f32, y: f32, size: f32, face: Face, grey: f32, s: &str) -> Item {
    Item::Text {
        x,
        y,
        size,
        face,
        grey,
        text: s.to_owned(),
    }
}

fn rule(x1: f32, y: f32, x2: f32, width: f32, grey: f32) -> Item {
    Item::Rule {
        x1,
        y1: y,
        x2,
        y2: y,
        width,
        grey,
    }
}

/// Ministry, directorate and office at the top left, the QR code at the top right, then the
/// title and the case number.
fn letterhead(ctx: &Ctx<'_>, flow: &mut Flow<'_>, number: &str) -> Result<(), FormError> {
    let l = ctx.locale;
    let geo = flow.geo;
    let text_w = geo.content_width() - QR_SIDE - 14.0;
    let ministry = ctx.catalog.pack.ministry.get(l);
    let directorate = ctx.catalog.pack.directorate.get(l);
    let office = ctx.office.name.get(l);
    let place = match &ctx.office.address {
        Some(a) => a.clone(),
        None => ctx.office.city.clone(),
    };
    let mut y = MARGIN_TOP;
    let head: [(&str, Face, f32, f32, f32); 4] = [
        (ministry, Face::Bold, 10.5, 13.0, 0.0),
        (directorate, Face::Regular, 9.0, 11.5, 0.0),
        (office, Face::Bold, 9.0, 11.5, 0.0),
        (place.as_str(), Face::Regular, 7.5, 10.0, grey::TEXT),
    ];
    for (s, face, sz, leading, g) in head {
        for line in flow.wrap(s, face, sz, text_w) {
            flow.text(geo.left, baseline(y, sz, leading), sz, face, g, line);
            y += leading;
        }
    }

    // The QR code of the verification, and its short form under it.
    let hash = ctx.verification_code;
    if let Some(symbol) = qr::encode(&qr::payload(
        ctx.verify_origin,
        &ctx.case.number,
        ctx.verification_hash,
    )) {
        let module = QR_SIDE / f32::from(symbol.width.max(1));
        let x = geo.right - QR_SIDE;
        flow.push(Item::Modules {
            x,
            y: MARGIN_TOP,
            module,
            runs: symbol.runs,
        });
        let w = ctx.fonts.width(hash, Face::Regular, 6.5);
        flow.text(
            x + (QR_SIDE - w) / 2.0,
            MARGIN_TOP + QR_SIDE + 8.0,
            6.5,
            Face::Regular,
            grey::TEXT,
            hash.to_owned(),
        );
        y = y.max(MARGIN_TOP + QR_SIDE + 10.0);
    }
    y += 4.0;
    flow.push(rule(geo.left, y, geo.right, 1.0, 0.2));
    y += 12.0;

    let title = ctx.form.title.get(l);
    // One centred line in `face` at `size` on a line of `leading`, from the top `y`.
    let centred =
        |flow: &mut Flow<'_>, text: String, face: Face, size: f32, leading: f32, y: f32| {
            let w = ctx.fonts.width(&text, face, size);
            let x = geo.left + (geo.content_width() - w) / 2.0;
            flow.text(x, baseline(y, size, leading), size, face, 0.0, text);
        };
    for line in flow.wrap(title, Face::Bold, 15.0, geo.content_width()) {
        centred(flow, line, Face::Bold, 15.0, 19.0, y);
        y += 19.0;
    }
    let sub = format!("{} {number}", Word::CaseNo.get(l));
    centred(flow, sub, Face::Regular, 10.0, 14.0, y);
    y += 14.0 + 6.0;
    flow.y = y;
    Ok(())
}

/// Replaces every `{binding}` of `s` by its value (or a blank to fill in).
fn fill_placeholders(ctx: &Ctx<'_>, s: &str) -> Result<String, FormError> {
    let parts = pieces(s).map_err(|_| FormError::template(&ctx.form.id))?;
    let mut out = String::with_capacity(s.len() + 64);
    for p in parts {
        match p {
            Piece::Literal(t) => out.push_str(t),
            Piece::Placeholder(name) => {
                let v = ctx.value(name, None)?;
                out.push_str(if v.is_empty() { BLANK } else { &v });
            }
        }
    }
    Ok(out)
}

fn draw_block(ctx: &Ctx<'_>, flow: &mut Flow<'_>, block: &Block) -> Result<(), FormError> {
    let l = ctx.locale;
    let title = block.title().map(|t| t.get(l));
    match block {
        Block::Fields {
            columns, fields, ..
        } => {
            let cells: Vec<(String, String, bool)> = fields
                .iter()
                .map(|f| field_cell(ctx, f))
                .collect::<Result<_, _>>()?;
            grid(ctx, flow, title, *columns, cells);
        }
        Block::Facts { columns, .. } => {
            let Some(category) = ctx.catalog.category(&ctx.case.category) else {
                return Ok(());
            };
            let cells: Vec<(String, String, bool)> = category
                .facts
                .iter()
                .map(|f| {
                    let v = ctx.value(&format!("fact.{}", f.key), None)?;
                    Ok((f.label.get(l).to_owned(), v, false))
                })
                .collect::<Result<_, FormError>>()?;
            if !cells.is_empty() {
                grid(ctx, flow, title, *columns, cells);
            }
        }
        Block::Text { text, .. } => {
            let body = fill_placeholders(ctx, text.get(l))?;
            if let Some(t) = title {
                flow.section(t, 2.0 * size::BODY_LEADING);
            } else {
                flow.gap(4.0);
            }
            flow.paragraph(&body, Face::Regular, size::BODY, size::BODY_LEADING, 0.0);
        }
        Block::Table {
            source,
            columns,
            empty,
            ..
        } => {
            let data = rows(ctx.case, *source);
            let header = table_header(ctx, flow, columns);
            if let Some(t) = title {
                flow.section(t, header_height(&header) + size::CELL_LEADING * 2.0);
            } else {
                flow.gap(4.0);
            }
            if data.is_empty() {
                let none = empty
                    .as_ref()
                    .map(|e| e.get(l))
                    .unwrap_or(Word::NoneRecorded.get(l));
                flow.paragraph(none, Face::Regular, size::CELL, size::CELL_LEADING, 4.0);
                return Ok(());
            }
            let head_style = RowStyle {
                pad: 2.5,
                inset: 4.0,
                grid: true,
                fill: Some(grey::FILL),
            };
            let body_style = RowStyle {
                pad: 2.5,
                inset: 4.0,
                grid: true,
                fill: None,
            };
            flow.row(&header, head_style, &mut |_| {});
            for row in data {
                let cells = columns
                    .iter()
                    .zip(&header)
                    .map(|(c, h)| {
                        let v = ctx.value(&c.bind, Some(row))?;
                        let lines = flow
                            .wrap(&v, Face::Regular, size::CELL, h.w - 8.0)
                            .into_iter()
                            .map(|t| CellLine {
                                text: t,
                                face: Face::Regular,
                                size: size::CELL,
                                leading: size::CELL_LEADING,
                                grey: 0.0,
                                rule: false,
                            })
                            .collect();
                        Ok(Cell {
                            x: h.x,
                            w: h.w,
                            lines,
                        })
                    })
                    .collect::<Result<Vec<_>, FormError>>()?;
                let header = header.clone();
                flow.row(&cells, body_style, &mut |f| {
                    f.row(&header, head_style, &mut |_| {});
                });
            }
        }
        Block::Notes { .. } => {
            if let Some(t) = title {
                flow.section(t, 2.0 * size::BODY_LEADING);
            }
            if ctx.case.notes.is_empty() {
                flow.paragraph(
                    Word::NoneRecorded.get(l),
                    Face::Regular,
                    size::BODY,
                    size::BODY_LEADING,
                    4.0,
                );
            }
            for (i, note) in ctx.case.notes.iter().enumerate() {
                let head = match note.written_on {
                    Some(d) => format!("{} — {}", Word::Note.get(l), ctx.date(d)),
                    None => Word::Note.get(l).to_owned(),
                };
                let body = ctx.clean(note.text.clone(), &format!("notes/{i}/text"))?;
                flow.gap(3.0);
                flow.ensure(3.0 * size::BODY_LEADING);
                flow.paragraph(&head, Face::Bold, size::BODY, size::BODY_LEADING, 0.0);
                flow.paragraph(&body, Face::Regular, size::BODY, size::BODY_LEADING, 0.0);
            }
        }
        Block::Signatures { signers, stamp, .. } => {
            signatures(ctx, flow, title, signers, *stamp)?;
        }
    }
    Ok(())
}

/// A field's label, value and width flag.
fn field_cell(ctx: &Ctx<'_>, f: &Field) -> Result<(String, String, bool), FormError> {
    let l = ctx.locale;
    let label = match (&f.label, f.bind.strip_prefix("fact.")) {
        (Some(t), _) => t.get(l).to_owned(),
        (None, Some(key)) => ctx
            .catalog
            .categories
            .iter()
            .find_map(|c| c.fact(key))
            .map(|d| d.label.get(l).to_owned())
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    Ok((label, ctx.value(&f.bind, None)?, f.wide))
}

/// Labelled values in a grid of `columns`; a wide field takes a row of its own.
fn grid(
    ctx: &Ctx<'_>,
    flow: &mut Flow<'_>,
    title: Option<&str>,
    columns: u8,
    cells: Vec<(String, String, bool)>,
) {
    let _ = ctx;
    let cols = usize::from(columns.clamp(1, 4));
    let geo = flow.geo;
    let col_w = (geo.content_width() - (cols as f32 - 1.0) * COLUMN_GAP) / cols as f32;
    let make = |flow: &Flow<'_>, x: f32, w: f32, label: &str, value: &str| -> Cell {
        let mut lines: Vec<CellLine> = flow
            .wrap(label, Face::Regular, size::LABEL, w)
            .into_iter()
            .map(|t| CellLine {
                text: t,
                face: Face::Regular,
                size: size::LABEL,
                leading: size::LABEL_LEADING,
                grey: grey::TEXT,
                rule: false,
            })
            .collect();
        if value.is_empty() {
            lines.push(CellLine {
                text: String::new(),
                face: Face::Regular,
                size: size::BODY,
                leading: size::BODY_LEADING + 2.0,
                grey: 0.0,
                rule: true,
            });
        } else {
            lines.extend(
                flow.wrap(value, Face::Regular, size::BODY, w)
                    .into_iter()
                    .map(|t| CellLine {
                        text: t,
                        face: Face::Regular,
                        size: size::BODY,
                        leading: size::BODY_LEADING,
                        grey: 0.0,
                        rule: false,
                    }),
            );
        }
        Cell { x, w, lines }
    };
    let mut rows_out: Vec<Vec<Cell>> = Vec::new();
    let mut current: Vec<Cell> = Vec::new();
    for (label, value, wide) in &cells {
        if *wide {
            if !current.is_empty() {
                rows_out.push(std::mem::take(&mut current));
            }
            rows_out.push(vec![make(
                flow,
                geo.left,
                geo.content_width(),
                label,
                value,
            )]);
            continue;
        }
        let x = geo.left + current.len() as f32 * (col_w + COLUMN_GAP);
        current.push(make(flow, x, col_w, label, value));
        if current.len() == cols {
            rows_out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        rows_out.push(current);
    }
    let style = RowStyle {
        pad: 2.5,
        inset: 0.0,
        grid: false,
        fill: None,
    };
    let first_h = rows_out
        .first()
        .map(|r| {
            r.iter()
                .map(|c| c.lines.iter().map(|l| l.leading).sum::<f32>())
                .fold(0.0, f32::max)
        })
        .unwrap_or(0.0);
    match title {
        Some(t) => flow.section(t, first_h + 5.0),
        None => flow.gap(4.0),
    }
    for r in rows_out {
        flow.row(&r, style, &mut |_| {});
    }
}

fn table_header(ctx: &Ctx<'_>, flow: &Flow<'_>, columns: &[Column]) -> Vec<Cell> {
    let geo = flow.geo;
    let total: f32 = columns
        .iter()
        .map(|c| f32::from(c.width))
        .sum::<f32>()
        .max(1.0);
    let mut x = geo.left;
    columns
        .iter()
        .map(|c| {
            let w = geo.content_width() * f32::from(c.width) / total;
            let lines = flow
                .wrap(
                    c.label.get(ctx.locale),
                    Face::Bold,
                    size::LABEL + 0.5,
                    w - 8.0,
                )
                .into_iter()
                .map(|t| CellLine {
                    text: t,
                    face: Face::Bold,
                    size: size::LABEL + 0.5,
                    leading: size::LABEL_LEADING + 1.0,
                    grey: 0.0,
                    rule: false,
                })
                .collect();
            let cell = Cell { x, w, lines };
            x += w;
            cell
        })
        .collect()
}

fn header_height(cells: &[Cell]) -> f32 {
    cells
        .iter()
        .map(|c| c.lines.iter().map(|l| l.leading).sum::<f32>())
        .fold(0.0, f32::max)
        + 5.0
}

/// Signature lines in two columns, with the stamp box at the right of the first row.
fn signatures(
    ctx: &Ctx<'_>,
    flow: &mut Flow<'_>,
    title: Option<&str>,
    signers: &[Signer],
    stamp: bool,
) -> Result<(), FormError> {
    let l = ctx.locale;
    let geo = flow.geo;
    const ROW_H: f32 = 78.0;
    const SIGN_SPACE: f32 = 40.0;
    let stamp_w = if stamp { 84.0 } else { 0.0 };
    let avail = geo.content_width() - if stamp { stamp_w + 20.0 } else { 0.0 };
    let col_w = (avail - 20.0) / 2.0;
    match title {
        Some(t) => flow.section(t, ROW_H),
        None => flow.gap(10.0),
    }
    flow.ensure(ROW_H);
    if stamp {
        let (x, y) = (geo.right - stamp_w, flow.y + 4.0);
        flow.push(Item::Frame {
            x,
            y,
            w: stamp_w,
            h: stamp_w - 10.0,
            width: 0.6,
            grey: grey::RULE,
        });
        let word = Word::Stamp.get(l);
        let w = ctx.fonts.width(word, Face::Regular, size::LABEL);
        flow.text(
            x + (stamp_w - w) / 2.0,
            y + stamp_w - 16.0,
            size::LABEL,
            Face::Regular,
            grey::TEXT,
            word.to_owned(),
        );
    }
    for pair in signers.chunks(2) {
        flow.ensure(ROW_H);
        let top = flow.y;
        let mut bottom = top + ROW_H;
        for (i, s) in pair.iter().enumerate() {
            let x = geo.left + i as f32 * (col_w + 20.0);
            let line_y = top + SIGN_SPACE;
            flow.push(rule(x, line_y, x + col_w, 0.6, 0.2));
            let mut y = line_y + 3.0;
            let name = match &s.name {
                Some(b) => ctx.value(b, None)?,
                None => String::new(),
            };
            let label_line = format!("{} — {}", Word::Signature.get(l), s.label.get(l));
            for line in flow.wrap(&label_line, Face::Bold, size::LABEL + 0.5, col_w) {
                flow.text(
                    x,
                    baseline(y, size::LABEL + 0.5, size::LABEL_LEADING + 1.0),
                    size::LABEL + 0.5,
                    Face::Bold,
                    0.0,
                    line,
                );
                y += size::LABEL_LEADING + 1.0;
            }
            let name_line = if name.is_empty() {
                format!("{}: {BLANK}", Word::Name.get(l))
            } else {
                format!("{}: {name}", Word::Name.get(l))
            };
            for line in flow.wrap(&name_line, Face::Regular, size::LABEL + 0.5, col_w) {
                flow.text(
                    x,
                    baseline(y, size::LABEL + 0.5, size::LABEL_LEADING + 1.0),
                    size::LABEL + 0.5,
                    Face::Regular,
                    grey::TEXT,
                    line,
                );
                y += size::LABEL_LEADING + 1.0;
            }
            bottom = bottom.max(y + 6.0);
        }
        flow.y = bottom;
    }
    Ok(())
}
