//! Thumbnails of image attachments, for a case page's list of files: [`render`] scales a kept
//! image down to [`SIDE`] pixels on its long side and writes it as a JPEG from the pixels
//! alone (no EXIF, XMP, ICC or comment block travels; a transparent background becomes white).
//! Which attachments have one is [`has_thumbnail`]: the images of [`super::ALLOWED`]; a PDF has
//! none (rendering a page would need a PDF renderer in the server, and a form's first page
//! says little at this size).
//!
//! The image is decoded with the same bounds as at upload ([`super::check::decode_image`]), so
//! a thumbnail costs no more memory than the upload's own check did.

use std::io::Cursor;

use image::{DynamicImage, RgbImage};

use super::check::{CheckError, decode_image};

/// The longest side of a thumbnail, in pixels (an image already smaller keeps its size).
pub const SIDE: u32 = 256;

/// The media type of every thumbnail.
pub const MEDIA_TYPE: &str = "image/jpeg";

/// The JPEG quality of a thumbnail (1–100).
const QUALITY: u8 = 80;

/// A thumbnail: a JPEG of at most [`SIDE`] pixels on its long side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The JPEG's bytes.
    pub content: Vec<u8>,
    /// Its media type ([`MEDIA_TYPE`]).
    pub media_type: &'static str,
    /// Its width, in pixels.
    pub width: u32,
    /// Its height, in pixels.
    pub height: u32,
}

/// Whether an attachment of `media_type` has a thumbnail: an image the checks allow (JPEG,
/// PNG, WebP), not a PDF.
pub fn has_thumbnail(media_type: &str) -> bool {
    super::check::allowed_type(media_type).is_some_and(|t| t.starts_with("image/"))
}

/// The thumbnail of the image `content` of type `media_type` (an attachment as kept, already
/// upright and stripped). An image that does not decode is [`CheckError::BadImage`]; a type
/// without thumbnails ([`has_thumbnail`]) is [`CheckError::NotAllowed`].
pub fn render(content: &[u8], media_type: &str) -> Result<Thumbnail, CheckError> {
    if !has_thumbnail(media_type) {
        return Err(CheckError::NotAllowed);
    }
    let img = decode_image(content, media_type)?;
    let img = if img.width().max(img.height()) > SIDE {
        img.thumbnail(SIDE, SIDE)
    } else {
        img
    };
    let pixels = on_white(&img);
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&pixels)
        .map_err(|_| CheckError::BadImage)?;
    Ok(Thumbnail {
        content: out.into_inner(),
        media_type: MEDIA_TYPE,
        width: pixels.width(),
        height: pixels.height(),
    })
}

/// The image's colours over a white background (JPEG has no transparency: a transparent
/// scan's background would otherwise come out black).
fn on_white(img: &DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            // c·a + 255·(255 − a), over 255, rounded: at most 255.
            u8::try_from((c * a + 255 * (255 - a) + 127) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}
