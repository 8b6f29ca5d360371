//! Drawing laid-out pages into a PDF with `printpdf`.
//!
//! Text is written as real text in the embedded fonts (Identity-H, with a ToUnicode map), so it
//! can be searched and copied; rules, fills and the QR code are vector paths. The fonts are
//! subset to the glyphs the form uses.
//!
//! The output is deterministic: the font resource names and subset tags are fixed, the creation
//! and modification dates are the generation time, and the file identifier (`/ID`) is derived
//! from the verification hash instead of printpdf's random one.

use chrono::{DateTime, Utc};
use lopdf::{Object, StringFormat};
use printpdf::{
    Color, CurTransMat, FontEmbeddingMode, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, PrintpdfFontMeta, Pt,
    Rect, TextItem, TextMatrix,
};

use super::layout::{Geometry, Item};
use crate::fonts::{Face, Fonts, in_print_set};

/// Resource name (and subset tag) of the regular face.
const REGULAR_ID: &str = "SPRCRG";
/// Resource name (and subset tag) of the bold face.
const BOLD_ID: &str = "SPRCBD";

/// Document information written with the PDF.
pub(crate) struct Meta<'a> {
    /// `/Title`.
    pub(crate) title: &'a str,
    /// `/Author`: the office.
    pub(crate) author: &'a str,
    /// `/Subject`.
    pub(crate) subject: &'a str,
    /// `/Keywords`.
    pub(crate) keywords: Vec<String>,
    /// The full verification hash, hex: `/Identifier`, `/SiprocVerification` and the file `/ID`.
    pub(crate) hash: &'a str,
    /// Creation and modification date.
    pub(crate) generated_at: DateTime<Utc>,
}

/// Writes `pages` (laid out on `geo`) as PDF bytes.
pub(crate) fn write(
    fonts: &Fonts,
    pages: Vec<Vec<Item>>,
    geo: &Geometry,
    meta: &Meta<'_>,
) -> Result<Vec<u8>, String> {
    let regular = FontId(REGULAR_ID.to_owned());
    let bold = FontId(BOLD_ID.to_owned());
    let mut doc = PdfDocument::new(meta.title);
    // The print subset when every character is in it, else the full faces subset for this form.
    let print = pages.iter().flatten().all(|item| match item {
        Item::Text { text, .. } => text.chars().all(in_print_set),
        _ => true,
    });
    for (id, face) in [(&regular, &fonts.regular), (&bold, &fonts.bold)] {
        let font = if print {
            let meta = PrintpdfFontMeta {
                embedding_mode: FontEmbeddingMode::Full,
                requires_subsetting: false,
                ..PrintpdfFontMeta::default()
            };
            PdfFont::with_meta(face.print.parsed.clone(), meta)
        } else {
            PdfFont::new(face.parsed.clone())
        };
        doc.resources.fonts.map.insert(id.clone(), font);
    }
    let when = printpdf::OffsetDateTime::from_unix_timestamp(meta.generated_at.timestamp())
        .map_err(str::to_owned)?;
    let info = &mut doc.metadata.info;
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    info.author = meta.author.to_owned();
    info.creator = "siproc".to_owned();
    info.producer = format!("siproc-core {} (printpdf)", env!("CARGO_PKG_VERSION"));
    info.subject = meta.subject.to_owned();
    info.keywords = meta.keywords.clone();
    info.identifier = meta.hash.to_owned();

    let (w, h) = (Mm::from(Pt(geo.width)), Mm::from(Pt(geo.height)));
    doc.pages = pages
        .into_iter()
        .map(|items| PdfPage::new(w, h, page_ops(items, geo.height, &regular, &bold)))
        .collect();

    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    let id = file_id(meta.hash);
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    let info_id = lo
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(|e| e.to_string())?;
    if let Ok(Object::Dictionary(dict)) = lo.get_object_mut(info_id) {
        dict.set(
            "SiprocVerification",
            Object::String(meta.hash.as_bytes().to_vec(), StringFormat::Literal),
        );
    }
    compress(&mut lo, fonts)?;
    let mut bytes = Vec::with_capacity(32 * 1024);
    lo.save_to(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Deflate level of the content streams. lopdf's own `compress` uses the best (9), which cost
/// more than all the rest of a render; level 2 is within 3 % of level 6 in size on a two-page
/// intake sheet, at a fifth of the time of level 6 with miniz (see benches/README.md).
const LEVEL: u32 = 2;

/// Compresses every stream that may be and is not yet: a print-subset font program gets its
/// bytes deflated once per process, the others are deflated at [`LEVEL`].
fn compress(doc: &mut lopdf::Document, fonts: &Fonts) -> Result<(), String> {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let cached = [&fonts.regular.print, &fonts.bold.print]
            .into_iter()
            .find(|p| p.program == stream.content);
        if let Some(p) = cached {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(p.deflated.clone());
            continue;
        }
        let mut enc = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 2),
            flate2::Compression::new(LEVEL),
        );
        enc.write_all(&stream.content).map_err(|e| e.to_string())?;
        let packed = enc.finish().map_err(|e| e.to_string())?;
        if packed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    Ok(())
}

/// The file identifier: the first 16 bytes of the verification hash.
fn file_id(hash: &str) -> Vec<u8> {
    let hex = hash.as_bytes();
    hex.chunks(2)
        .take(16)
        .filter_map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Rounds a coordinate to a hundredth of a point (0.0035 mm): shorter content streams.
fn r2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

/// A rectangle given from the top of a page of `height`, in PDF's bottom-up coordinates.
fn rectangle(x: f32, y: f32, w: f32, h: f32, height: f32, mode: PaintMode) -> Op {
    Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(r2(x)),
            y: Pt(r2(height - y - h)),
            width: Pt(r2(w)),
            height: Pt(r2(h)),
            mode: Some(mode),
            winding_order: None,
        },
    }
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(r2(x)),
            y: Pt(r2(y)),
        },
        bezier: false,
    }
}

/// The operations of one page: graphics first, then all text in one text section.
fn page_ops(items: Vec<Item>, height: f32, regular: &FontId, bold: &FontId) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 3 + 8);
    let mut texts = Vec::new();
    let mut fill: Option<f32> = None;
    let mut stroke: Option<(f32, f32)> = None;
    let set_fill = |ops: &mut Vec<Op>, fill: &mut Option<f32>, level: f32| {
        if *fill != Some(level) {
            ops.push(Op::SetFillColor { col: grey(level) });
            *fill = Some(level);
        }
    };
    let set_stroke =
        |ops: &mut Vec<Op>, stroke: &mut Option<(f32, f32)>, width: f32, level: f32| {
            if *stroke != Some((width, level)) {
                ops.push(Op::SetOutlineColor { col: grey(level) });
                ops.push(Op::SetOutlineThickness { pt: Pt(width) });
                *stroke = Some((width, level));
            }
        };
    for item in items {
        match item {
            Item::Text { .. } => texts.push(item),
            Item::Fill { x, y, w, h, grey } => {
                set_fill(&mut ops, &mut fill, grey);
                ops.push(rectangle(x, y, w, h, height, PaintMode::Fill));
            }
            Item::Frame {
                x,
                y,
                w,
                h,
                width,
                grey,
            } => {
                set_stroke(&mut ops, &mut stroke, width, grey);
                ops.push(rectangle(x, y, w, h, height, PaintMode::Stroke));
            }
            Item::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
                grey,
            } => {
                set_stroke(&mut ops, &mut stroke, width, grey);
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(x1, height - y1), point(x2, height - y2)],
                        is_closed: false,
                    },
                });
            }
            Item::Modules { x, y, module, runs } => {
                // In module units, rows downwards: small integers instead of long decimals.
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetTransformationMatrix {
                    matrix: CurTransMat::Raw([module, 0.0, 0.0, -module, r2(x), r2(height - y)]),
                });
                ops.push(Op::SetFillColor { col: grey(0.0) });
                for (row, col, len) in runs {
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: Pt(f32::from(col)),
                            y: Pt(f32::from(row)),
                            width: Pt(f32::from(len)),
                            height: Pt(1.0),
                            mode: Some(PaintMode::Fill),
                            winding_order: None,
                        },
                    });
                }
                ops.push(Op::RestoreGraphicsState);
            }
        }
    }
    if texts.is_empty() {
        return ops;
    }
    ops.push(Op::StartTextSection);
    let mut font: Option<(Face, f32)> = None;
    for item in texts {
        let Item::Text {
            x,
            y,
            size,
            face,
            grey,
            text,
        } = item
        else {
            continue;
        };
        if font != Some((face, size)) {
            let id = match face {
                Face::Regular => regular.clone(),
                Face::Bold => bold.clone(),
            };
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id),
                size: Pt(size),
            });
            font = Some((face, size));
        }
        set_fill(&mut ops, &mut fill, grey);
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(r2(x)), Pt(r2(height - y))),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text)],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_id_comes_from_the_hash() {
        let id = file_id(&"0a".repeat(32));
        assert_eq!(id, vec![10_u8; 16]);
    }
}
