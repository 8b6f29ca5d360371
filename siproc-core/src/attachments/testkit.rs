//! PDFs of one page for tests and benches (feature `testkit`): the PDF checks' cases (a
//! catalog carrying a script or an embedded file) and scanners' PDFs (a page that is one
//! picture, as a JPEG or as gray samples), built with `lopdf`, the crate that reads them here.

use image::GrayImage;
use lopdf::{Document, Object, Stream, dictionary};

/// The picture a page of [`one_page_pdf`] is.
#[derive(Debug, Clone, Copy)]
pub enum PagePicture<'a> {
    /// A JPEG's bytes (`DCTDecode`, as scanners write), of a gray picture this wide and high.
    Jpeg {
        /// The file.
        bytes: &'a [u8],
        /// Its width in pixels.
        width: u32,
        /// Its height in pixels.
        height: u32,
    },
    /// Gray samples, Flate-compressed.
    Gray(&'a GrayImage),
}

/// A PDF of one page (595 × 842 points: A4), showing `picture` over the whole page if given,
/// and with `catalog`'s entries added to its document catalog (`/OpenAction`, `/Names`, …).
pub fn one_page_pdf(picture: Option<PagePicture<'_>>, catalog: lopdf::Dictionary) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let mut page = dictionary! {
        "Type" => "Page", "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    if let Some(picture) = picture {
        let (mut stream, width, height) = match picture {
            PagePicture::Jpeg {
                bytes,
                width,
                height,
            } => (
                Stream::new(dictionary! { "Filter" => "DCTDecode" }, bytes.to_vec()),
                width,
                height,
            ),
            PagePicture::Gray(image) => {
                let mut s = Stream::new(dictionary! {}, image.as_raw().clone());
                // Compressing a stream held in memory cannot fail; left plain if it did.
                let _ = s.compress();
                (s, image.width(), image.height())
            }
        };
        for (k, v) in dictionary! {
            "Type" => "XObject", "Subtype" => "Image",
            "Width" => i64::from(width), "Height" => i64::from(height),
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        } {
            stream.dict.set(k, v);
        }
        let image = doc.add_object(stream);
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
        ));
        page.set(
            "Resources",
            dictionary! { "XObject" => dictionary! { "Im0" => image } },
        );
        page.set("Contents", content);
    }
    let page = doc.add_object(page);
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let mut root = dictionary! { "Type" => "Catalog", "Pages" => pages };
    for (k, v) in catalog {
        root.set(k, v);
    }
    let root = doc.add_object(root);
    doc.trailer.set("Root", root);
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = doc.save_to(&mut out);
    out
}
