//! Checking an uploaded file before it is kept: [`check`] (size, media type sniffed from the
//! bytes and held to [`ALLOWED`], images re-encoded without their metadata, PDFs parsed and
//! refused with JavaScript or embedded files).
//!
//! Why these crates: `infer` (small, no dependencies) reads a file's magic numbers, so the
//! type kept is the one the bytes have, not the one a client declared; `image` (the
//! image-rs project's decoders and encoders, pure Rust) decodes JPEG, PNG and WebP under
//! allocation limits and writes a new file from the pixels alone, which leaves every metadata
//! block (EXIF with its GPS position, XMP, IPTC, comments) behind; `lopdf` (already the forms'
//! PDF reader) parses PDFs.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// The media types an attachment may have (HEIC is left out: no pure-Rust decoder exists to
/// strip its metadata).
pub const ALLOWED: &[&str] = &["application/pdf", "image/jpeg", "image/png", "image/webp"];

/// The default largest upload: 20 MiB.
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// How much is accepted and when images are made smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// An image larger than this (in bytes) is scaled down to [`Limits::max_side`] and
    /// re-encoded as JPEG.
    pub reencode_above: usize,
    /// The longest side, in pixels, of an image made smaller (3508: an A4 page at 300 dpi).
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            reencode_above: 4 * 1024 * 1024,
            max_side: 3508,
        }
    }
}

/// Why a file was refused. Never holds the content nor a file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// An empty file.
    #[error("the file is empty")]
    Empty,
    /// Larger than the limit.
    #[error("the file is larger than {max} bytes")]
    TooLarge {
        /// The limit, in bytes.
        max: usize,
    },
    /// The declared or the sniffed type is not one of [`ALLOWED`].
    #[error("only PDF, JPEG, PNG and WebP files are accepted")]
    NotAllowed,
    /// The bytes are of another type than the one declared.
    #[error("the file was declared {declared} but its content is {sniffed}")]
    Mismatch {
        /// The declared type (one of [`ALLOWED`]).
        declared: &'static str,
        /// The type of the bytes.
        sniffed: &'static str,
    },
    /// An image that does not decode.
    #[error("the image cannot be read")]
    BadImage,
    /// A PDF that does not parse (or is encrypted: it cannot be inspected).
    #[error("the PDF cannot be read")]
    BadPdf,
    /// A PDF carrying JavaScript.
    #[error("the PDF carries JavaScript")]
    PdfJavaScript,
    /// A PDF carrying embedded files.
    #[error("the PDF carries embedded files")]
    PdfEmbeddedFile,
}

impl CheckError {
    /// Every code [`CheckError::code`] returns.
    pub const CODES: &'static [&'static str] = &[
        "attachment.empty",
        "attachment.too_large",
        "attachment.media_type_not_allowed",
        "attachment.media_type_mismatch",
        "attachment.bad_image",
        "attachment.bad_pdf",
        "attachment.pdf_javascript",
        "attachment.pdf_embedded_file",
    ];

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Empty => "attachment.empty",
            CheckError::TooLarge { .. } => "attachment.too_large",
            CheckError::NotAllowed => "attachment.media_type_not_allowed",
            CheckError::Mismatch { .. } => "attachment.media_type_mismatch",
            CheckError::BadImage => "attachment.bad_image",
            CheckError::BadPdf => "attachment.bad_pdf",
            CheckError::PdfJavaScript => "attachment.pdf_javascript",
            CheckError::PdfEmbeddedFile => "attachment.pdf_embedded_file",
        }
    }
}

/// A file that passed [`check`]: the bytes to keep (an image re-encoded) and their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// What to keep.
    pub content: Vec<u8>,
    /// Its media type, one of [`ALLOWED`].
    pub media_type: &'static str,
}

/// The allowed type `declared` names (parameters and case ignored; `image/jpg` is JPEG).
pub fn allowed_type(declared: &str) -> Option<&'static str> {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let essence = if essence == "image/jpg" {
        "image/jpeg".to_owned()
    } else {
        essence
    };
    ALLOWED.iter().copied().find(|t| *t == essence)
}

/// The allowed type of `content`'s bytes, if it is one.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    infer::get(content).and_then(|t| allowed_type(t.mime_type()))
}

/// Checks `content`, declared as `declared` (`None`: take the sniffed type): see the module
/// docs. Returns what to keep.
pub fn check(
    content: &[u8],
    declared: Option<&str>,
    limits: &Limits,
) -> Result<Checked, CheckError> {
    check_decoding(content, declared, limits).map(|(checked, _)| checked)
}

/// [`check`], and for an image the picture it decoded (upright, perhaps scaled down), so that
/// what reads it next ([`super::scan`]) does not decode it again.
pub fn check_decoding(
    content: &[u8],
    declared: Option<&str>,
    limits: &Limits,
) -> Result<(Checked, Option<DynamicImage>), CheckError> {
    if content.is_empty() {
        return Err(CheckError::Empty);
    }
    if content.len() > limits.max_bytes {
        return Err(CheckError::TooLarge {
            max: limits.max_bytes,
        });
    }
    let declared = declared
        .map(|d| allowed_type(d).ok_or(CheckError::NotAllowed))
        .transpose()?;
    let sniffed = sniff(content).ok_or(CheckError::NotAllowed)?;
    if let Some(declared) = declared.filter(|d| *d != sniffed) {
        return Err(CheckError::Mismatch { declared, sniffed });
    }
    match sniffed {
        "application/pdf" => {
            check_pdf(content)?;
            let checked = Checked {
                content: content.to_vec(),
                media_type: sniffed,
            };
            Ok((checked, None))
        }
        _ => strip_image(content, sniffed, limits).map(|(checked, img)| (checked, Some(img))),
    }
}

fn format_of(media_type: &str) -> ImageFormat {
    match media_type {
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        _ => ImageFormat::Jpeg,
    }
}

/// Decodes an image (under allocation limits), turns it upright as its EXIF orientation says,
/// and encodes the pixels alone again: every metadata block stays behind. Above
/// `limits.reencode_above` bytes it is scaled down and written as JPEG.
pub fn decode_image(content: &[u8], media_type: &str) -> Result<DynamicImage, CheckError> {
    let mut reader = ImageReader::with_format(Cursor::new(content), format_of(media_type));
    let mut bounds = image::Limits::default();
    bounds.max_image_width = Some(20_000);
    bounds.max_image_height = Some(20_000);
    bounds.max_alloc = Some(768 * 1024 * 1024);
    reader.limits(bounds);
    let mut decoder = reader.into_decoder().map_err(|_| CheckError::BadImage)?;
    let orientation = decoder.orientation().map_err(|_| CheckError::BadImage)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| CheckError::BadImage)?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn strip_image(
    content: &[u8],
    media_type: &'static str,
    limits: &Limits,
) -> Result<(Checked, DynamicImage), CheckError> {
    let img = decode_image(content, media_type)?;
    let smaller = content.len() > limits.reencode_above;
    let (img, media_type) = if smaller {
        let img = if img.width().max(img.height()) > limits.max_side {
            img.resize(
                limits.max_side,
                limits.max_side,
                image::imageops::FilterType::Triangle,
            )
        } else {
            img
        };
        (img, "image/jpeg")
    } else {
        (img, media_type)
    };
    let mut out = Cursor::new(Vec::new());
    let written = match media_type {
        "image/jpeg" => {
            let quality = if smaller { 80 } else { 90 };
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            if img.color().has_color() {
                encoder.encode_image(&img.to_rgb8())
            } else {
                encoder.encode_image(&img.to_luma8())
            }
        }
        _ => img.write_to(&mut out, format_of(media_type)),
    };
    written.map_err(|_| CheckError::BadImage)?;
    let checked = Checked {
        content: out.into_inner(),
        media_type,
    };
    Ok((checked, img))
}

/// Parses a PDF and refuses one that is encrypted, carries JavaScript (a `/JS` or `/JavaScript`
/// entry, an action of type `/JavaScript`) or embedded files (`/EmbeddedFiles`, `/EF`, an
/// object of type `/EmbeddedFile`).
pub fn check_pdf(content: &[u8]) -> Result<(), CheckError> {
    let doc = lopdf::Document::load_mem(content).map_err(|_| CheckError::BadPdf)?;
    if doc.is_encrypted() {
        return Err(CheckError::BadPdf);
    }
    doc.objects
        .values()
        .try_for_each(|o| check_pdf_object(o, 0))
}

/// Refuses `object` (and what it holds, to a depth where no real PDF nests) if it carries a
/// script or an embedded file.
fn check_pdf_object(object: &lopdf::Object, depth: usize) -> Result<(), CheckError> {
    use lopdf::Object;
    if depth > 64 {
        return Err(CheckError::BadPdf);
    }
    let dict = match object {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        Object::Array(items) => {
            return items
                .iter()
                .try_for_each(|o| check_pdf_object(o, depth + 1));
        }
        _ => return Ok(()),
    };
    for (key, value) in dict.iter() {
        let name = value.as_name().ok();
        match key.as_slice() {
            b"JS" | b"JavaScript" => return Err(CheckError::PdfJavaScript),
            b"S" if name == Some(b"JavaScript".as_slice()) => {
                return Err(CheckError::PdfJavaScript);
            }
            b"EmbeddedFiles" | b"EF" => return Err(CheckError::PdfEmbeddedFile),
            b"Type" if name == Some(b"EmbeddedFile".as_slice()) => {
                return Err(CheckError::PdfEmbeddedFile);
            }
            _ => check_pdf_object(value, depth + 1)?,
        }
    }
    Ok(())
}
