//! Reading the QR code of a printed siproc form from a scan or a photo of it: [`read_code`].
//!
//! A form prints its QR code at the top right of its first page: the address of the public
//! verification page carrying the form's code (`…/v/3F2A9C1B7E04`), or on forms printed
//! before, `SIPROC:<case number>:<hash>` ([`crate::forms::verification`]). The page is turned
//! to grayscale and handed to a QR decoder; the first payload that is a form's
//! ([`form_code`]) gives the code, which names the case and the printing of the form.
//!
//! **Why `rqrr`.** It is a pure-Rust port of quirc (the decoder of many phone apps): no C
//! library to build for the server, the Python wheel or a Windows desktop, no unsafe code of
//! ours, and it takes the pixels as they come (we give it our own grayscale, so its `image`
//! feature is left out). It finds the three finder patterns at any angle and fits the grid
//! through a perspective transform, which is what a phone photo of a sheet on a desk needs.
//! ZBar and ZXing read more damaged symbols but are C and C++ (or Java); `bardecoder` is
//! pure Rust too but assumes an upright, unskewed symbol.
//!
//! **Passes, bounded.** A page is read in at most [`MAX_PASSES`] passes, each over at most
//! [`FULL_SIDE`] pixels on its longest side, and stops at the first form code:
//! 1. the page at a working size (longest side at most [`WORK_SIDE`] pixels, enough for a
//!    300-dpi A4 scan's modules to keep about four pixels each), binarised by the decoder's own
//!    adaptive threshold (a running mean along each row, robust to uneven lighting);
//! 2. the same pixels with their contrast stretched (the 1st to the 99th percentile made black
//!    to white) and binarised with one global threshold (Otsu's), for grey, faded copies;
//! 3. half the working size: averaging four pixels into one smooths a noisy photo's grain and
//!    a halftoned print;
//! 4. the page at full resolution (up to [`FULL_SIDE`]), for a small symbol photographed
//!    from afar.
//!
//! There is no rotated pass: the decoder reads a rotated, skewed or upside-down symbol as it
//! stands (the tests rotate scans by a few degrees and give them a photo's perspective).
//!
//! The time is bounded by the work, not by a clock, so the same file always gives the same
//! answer whatever the machine's load. The decoder is a third-party crate reading untrusted
//! pixels: its calls run under [`std::panic::catch_unwind`], so a symbol that trips it is "no
//! code", never a crashed request.
//!
//! **PDFs.** A scanner's PDF holds each page as one image. The images of the first
//! [`MAX_PDF_PAGES`] pages are read: those drawn directly by the page (its `/XObject`
//! resources, inherited ones included) and encoded as JPEG (`DCTDecode`) or as Flate-compressed
//! samples (`FlateDecode`, or uncompressed) in DeviceGray, DeviceRGB, DeviceCMYK or an
//! ICC-based space of 1, 3 or 4 components, at 8 bits a sample, or 1-bit gray. Not read:
//! a QR code drawn as vector paths (the PDF siproc generated, uploaded as it is: it is not a
//! signed copy), images in CCITT fax, JBIG2 or JPEG 2000 encodings (some scanners' black and
//! white modes: scan in gray or color), indexed-color images, inline images, images nested in
//! form XObjects, and pages after the first [`MAX_PDF_PAGES`].

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::imageops;
use image::{DynamicImage, GrayImage, ImageFormat, ImageReader, Luma};
use lopdf::{Document, Object, Stream};

use crate::forms::verification::form_code;

/// The longest side of the first passes, in pixels.
pub const WORK_SIDE: u32 = 1800;
/// The longest side of the full-resolution pass, in pixels (a 400-dpi A4 page).
pub const FULL_SIDE: u32 = 4700;
/// The most passes a page is read in.
pub const MAX_PASSES: usize = 4;
/// The pages of a PDF whose images are read.
pub const MAX_PDF_PAGES: usize = 2;
/// The images of a PDF that are read, at most.
const MAX_PDF_IMAGES: usize = 6;
/// The largest image sample data taken out of a PDF, in bytes.
const MAX_PDF_SAMPLES: usize = 256 * 1024 * 1024;

/// The verification code (`3F2A-9C1B-7E04`) of the siproc form whose QR code is on the page
/// `content` holds (a JPEG, PNG or WebP image, or a scanned PDF: see the module docs), or
/// `None` when no form's QR code can be read. `media_type` is the checked type of the bytes.
pub fn read_code(content: &[u8], media_type: &str) -> Option<String> {
    if media_type == "application/pdf" {
        return pdf_pages(content)
            .into_iter()
            .find_map(|page| read_page_code(&page));
    }
    let format = match media_type {
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        "image/jpeg" => ImageFormat::Jpeg,
        _ => return None,
    };
    let image = ImageReader::with_format(Cursor::new(content), format)
        .decode()
        .ok()?;
    read_image_code(&image)
}

/// [`read_code`] of a decoded image (as [`super::check::decode_image`] gives it).
pub fn read_image_code(image: &DynamicImage) -> Option<String> {
    match image.as_luma8() {
        // A gray scan (the usual one) is read as it is, without a copy.
        Some(gray) => read_page_code(gray),
        None => read_page_code(&image.to_luma8()),
    }
}

/// The code of the first form's QR code found on a grayscale page, in the passes of the
/// module docs.
fn read_page_code(page: &GrayImage) -> Option<String> {
    let work = fit(page, WORK_SIDE);
    let passes: [&dyn Fn() -> Option<String>; MAX_PASSES] = [
        &|| decode_adaptive(&work),
        &|| decode_bitmap(&stretch(&work)),
        &|| decode_adaptive(&fit(&work, WORK_SIDE / 2)),
        &|| {
            let longest = page.width().max(page.height());
            (longest > WORK_SIDE)
                .then(|| decode_adaptive(&fit(page, FULL_SIDE)))
                .flatten()
        },
    ];
    passes.iter().find_map(|pass| pass())
}

/// `image` scaled down (never up) so that its longest side is at most `side`, each new pixel the
/// mean of the pixels it covers (`imageops::thumbnail`'s area averaging: several times faster
/// than a filtered resize over a page, and exactly what a decoder of black and white modules
/// needs).
fn fit(image: &GrayImage, side: u32) -> GrayImage {
    let (w, h) = image.dimensions();
    let longest = w.max(h);
    if longest <= side || longest == 0 {
        return image.clone();
    }
    let scale = f64::from(side) / f64::from(longest);
    let nw = ((f64::from(w) * scale).round() as u32).max(1);
    let nh = ((f64::from(h) * scale).round() as u32).max(1);
    imageops::thumbnail(image, nw, nh)
}

/// How the grayscale pixels are made black and white before the decoder searches them.
#[derive(Clone, Copy)]
enum Binarise {
    /// The decoder's own adaptive threshold (a running mean along each row).
    Adaptive,
    /// One global threshold: a pixel at or below it is black.
    Global(u8),
}

/// The first form code among the QR codes the decoder finds in `image`. The decoder is a
/// third-party crate reading untrusted pixels: a panic inside it is "nothing found".
fn decode(image: &GrayImage, binarise: Binarise) -> Option<String> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let pixel = |x: usize, y: usize| image.get_pixel(x as u32, y as u32).0[0];
    let codes = catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = match binarise {
            Binarise::Adaptive => rqrr::PreparedImage::prepare_from_greyscale(w, h, pixel),
            Binarise::Global(t) => {
                rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| pixel(x, y) <= t)
            }
        };
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| grid.decode().ok())
            .filter_map(|(_, text)| form_code(&text))
            .next()
    }));
    codes.ok().flatten()
}

/// The decoder's own adaptive binarisation over the grayscale pixels.
fn decode_adaptive(image: &GrayImage) -> Option<String> {
    decode(image, Binarise::Adaptive)
}

/// One global threshold (Otsu's) over the grayscale pixels.
fn decode_bitmap(image: &GrayImage) -> Option<String> {
    decode(image, Binarise::Global(otsu(image)))
}

/// The pixels' histogram.
fn histogram(image: &GrayImage) -> [u64; 256] {
    let mut counts = [0_u64; 256];
    for Luma([v]) in image.pixels() {
        if let Some(c) = counts.get_mut(usize::from(*v)) {
            *c += 1;
        }
    }
    counts
}

/// `image` with the 1st percentile of its pixels made black and the 99th white, linearly.
fn stretch(image: &GrayImage) -> GrayImage {
    let counts = histogram(image);
    let total: u64 = counts.iter().sum();
    let level = |fraction: u64| {
        let mut seen = 0;
        counts
            .iter()
            .position(|c| {
                seen += c;
                seen * 100 >= total * fraction
            })
            .unwrap_or(255) as f32
    };
    let (low, high) = (level(1), level(99));
    if high <= low {
        return image.clone();
    }
    let scale = 255.0 / (high - low);
    let mut out = image.clone();
    for Luma([v]) in out.pixels_mut() {
        *v = ((f32::from(*v) - low) * scale).clamp(0.0, 255.0) as u8;
    }
    out
}

/// Otsu's threshold: the gray level that best separates the histogram in two classes.
fn otsu(image: &GrayImage) -> u8 {
    let counts = histogram(image);
    let total: f64 = counts.iter().sum::<u64>() as f64;
    let sum: f64 = counts
        .iter()
        .enumerate()
        .map(|(i, c)| i as f64 * *c as f64)
        .sum();
    let (mut best, mut best_var) = (127_u8, 0.0_f64);
    let (mut weight, mut below) = (0.0_f64, 0.0_f64);
    for (level, count) in (0_u8..=255).zip(counts.iter()) {
        weight += *count as f64;
        below += f64::from(level) * *count as f64;
        let rest = total - weight;
        if weight == 0.0 || rest == 0.0 {
            continue;
        }
        let mean_below = below / weight;
        let mean_above = (sum - below) / rest;
        let between = weight * rest * (mean_below - mean_above).powi(2);
        if between > best_var {
            best_var = between;
            best = level;
        }
    }
    best
}

/// The page images of a scanned PDF's first pages (see the module docs), as grayscale.
pub fn pdf_pages(content: &[u8]) -> Vec<GrayImage> {
    let Ok(doc) = Document::load_mem(content) else {
        return Vec::new();
    };
    let mut images = Vec::new();
    for page in doc.page_iter().take(MAX_PDF_PAGES) {
        let Ok((own, inherited)) = doc.get_page_resources(page) else {
            continue;
        };
        let resources = own.into_iter().chain(
            inherited
                .iter()
                .filter_map(|id| doc.get_dictionary(*id).ok()),
        );
        for resources in resources {
            let Some(xobjects) = resources
                .get(b"XObject")
                .ok()
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok())
            else {
                continue;
            };
            for (_, xobject) in xobjects.iter() {
                if images.len() >= MAX_PDF_IMAGES {
                    return images;
                }
                let stream = doc
                    .dereference(xobject)
                    .ok()
                    .and_then(|(_, o)| o.as_stream().ok());
                if let Some(image) = stream.and_then(|s| pdf_image(&doc, s)) {
                    images.push(image);
                }
            }
        }
    }
    images
}

/// A name's bytes in `dict` at `key`, following a reference.
fn name_at<'a>(doc: &'a Document, dict: &'a lopdf::Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    let (_, object) = doc.dereference(dict.get(key).ok()?).ok()?;
    object.as_name().ok()
}

/// An integer in `dict` at `key`, following a reference.
fn int_at(doc: &Document, dict: &lopdf::Dictionary, key: &[u8]) -> Option<i64> {
    let (_, object) = doc.dereference(dict.get(key).ok()?).ok()?;
    object.as_i64().ok()
}

/// The components of an image's color space: 1 (gray), 3 (RGB) or 4 (CMYK); `None` for a
/// space not read (indexed, separation, …).
fn components(doc: &Document, dict: &lopdf::Dictionary) -> Option<usize> {
    let (_, space) = doc.dereference(dict.get(b"ColorSpace").ok()?).ok()?;
    match space {
        Object::Name(name) => match name.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Some(1),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(3),
            b"DeviceCMYK" | b"CMYK" => Some(4),
            _ => None,
        },
        Object::Array(items) => {
            let family = items.first().and_then(|o| o.as_name().ok())?;
            match family {
                b"ICCBased" => {
                    let (_, profile) = doc.dereference(items.get(1)?).ok()?;
                    let n = int_at(doc, &profile.as_stream().ok()?.dict, b"N")?;
                    matches!(n, 1 | 3 | 4).then_some(n as usize)
                }
                b"CalGray" => Some(1),
                b"CalRGB" => Some(3),
                _ => None,
            }
        }
        _ => None,
    }
}

/// One image XObject as grayscale, if it is one this module reads (see the module docs).
fn pdf_image(doc: &Document, stream: &Stream) -> Option<GrayImage> {
    let dict = &stream.dict;
    if name_at(doc, dict, b"Subtype")? != b"Image" {
        return None;
    }
    let width = u32::try_from(int_at(doc, dict, b"Width")?).ok()?;
    let height = u32::try_from(int_at(doc, dict, b"Height")?).ok()?;
    if width == 0 || height == 0 || width > 20_000 || height > 20_000 {
        return None;
    }
    let filters = stream.filters().unwrap_or_default();
    if filters.as_slice() == [b"DCTDecode".as_slice()] {
        let image = ImageReader::with_format(Cursor::new(&stream.content), ImageFormat::Jpeg)
            .decode()
            .ok()?;
        return Some(image.to_luma8());
    }
    if !filters.iter().all(|f| *f == b"FlateDecode") {
        return None;
    }
    let samples = stream
        .decompressed_content_with_limit(MAX_PDF_SAMPLES)
        .or_else(|_| filters.is_empty().then(|| stream.content.clone()).ok_or(()))
        .ok()?;
    let bits = int_at(doc, dict, b"BitsPerComponent").unwrap_or(8);
    let n = components(doc, dict)?;
    let (w, h) = (width as usize, height as usize);
    match (bits, n) {
        (8, n) => {
            let row = w.checked_mul(n)?;
            if samples.len() < row.checked_mul(h)? {
                return None;
            }
            let gray: Vec<u8> = samples
                .chunks_exact(n)
                .take(w * h)
                .map(|px| match px {
                    [g] => *g,
                    [r, g, b] => luma(*r, *g, *b),
                    [c, m, y, k] => luma(
                        255 - c.saturating_add(*k),
                        255 - m.saturating_add(*k),
                        255 - y.saturating_add(*k),
                    ),
                    _ => 255,
                })
                .collect();
            GrayImage::from_raw(width, height, gray)
        }
        (1, 1) => {
            let row = w.div_ceil(8);
            if samples.len() < row.checked_mul(h)? {
                return None;
            }
            Some(GrayImage::from_fn(width, height, |x, y| {
                let byte = samples
                    .get(y as usize * row + x as usize / 8)
                    .copied()
                    .unwrap_or(0xFF);
                let white = byte & (0x80 >> (x % 8)) != 0;
                Luma([if white { 255 } else { 0 }])
            }))
        }
        _ => None,
    }
}

/// The luma of an RGB pixel (ITU-R BT.601, as `image` computes it).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_splits_two_levels_and_stretch_spans_the_range() {
        let image = GrayImage::from_fn(10, 10, |x, _| Luma([if x < 5 { 60 } else { 180 }]));
        let t = otsu(&image);
        assert!((60..180).contains(&t), "{t}");
        let stretched = stretch(&image);
        assert_eq!(stretched.get_pixel(0, 0).0[0], 0);
        assert_eq!(stretched.get_pixel(9, 0).0[0], 255);
    }

    #[test]
    fn nothing_is_read_from_a_blank_page_or_bytes_that_are_not_an_image() {
        let blank = DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 400, Luma([255])));
        assert_eq!(read_image_code(&blank), None);
        assert_eq!(read_code(b"not an image", "image/png"), None);
        assert_eq!(read_code(b"%PDF-1.4 broken", "application/pdf"), None);
    }
}
