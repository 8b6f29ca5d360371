//! Page layout: wrapping text inside its box, flowing content down the page and onto the next.
//!
//! The layout works in points, with `y` measured from the top of the page; [`super::pdf`] turns
//! the result into PDF coordinates. It knows nothing of cases: it places lines of text, rules,
//! fills and frames, and starts a new page when the next piece does not fit. A row of cells
//! (a table row, a grid of fields) that does not fit moves to the next page whole when it fits on
//! an empty page, and otherwise is split between lines, so no text is ever cut or lost.

use crate::fonts::{Face, Fonts};

/// Point sizes and line heights.
pub(crate) mod size {
    /// Body text.
    pub(crate) const BODY: f32 = 9.5;
    /// Line height of body text.
    pub(crate) const BODY_LEADING: f32 = 12.5;
    /// Field labels and table cells' small print.
    pub(crate) const LABEL: f32 = 7.0;
    /// Line height of labels.
    pub(crate) const LABEL_LEADING: f32 = 9.0;
    /// Table text.
    pub(crate) const CELL: f32 = 8.5;
    /// Line height of table text.
    pub(crate) const CELL_LEADING: f32 = 11.0;
    /// Section titles.
    pub(crate) const SECTION: f32 = 9.5;
    /// Height of a section title bar.
    pub(crate) const SECTION_BAR: f32 = 15.0;
}

/// Grey levels (0 black, 1 white).
pub(crate) mod grey {
    /// Secondary text: labels, footers.
    pub(crate) const TEXT: f32 = 0.35;
    /// Rules and table borders.
    pub(crate) const RULE: f32 = 0.55;
    /// Section bars and table headers.
    pub(crate) const FILL: f32 = 0.9;
}

/// A page's size and the box content flows in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    /// Page width.
    pub(crate) width: f32,
    /// Page height.
    pub(crate) height: f32,
    /// Left edge of the content.
    pub(crate) left: f32,
    /// Right edge of the content.
    pub(crate) right: f32,
    /// Where content starts on a page after the first (below the running header).
    pub(crate) top: f32,
    /// Where content must stop (above the footer).
    pub(crate) bottom: f32,
}

impl Geometry {
    /// Width of the content box.
    pub(crate) fn content_width(&self) -> f32 {
        self.right - self.left
    }
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A line of text; `y` is its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline, from the top.
        y: f32,
        /// Point size.
        size: f32,
        /// Weight.
        face: Face,
        /// Grey level.
        grey: f32,
        /// The text, one line.
        text: String,
    },
    /// A straight rule.
    Rule {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Stroke width.
        width: f32,
        /// Grey level.
        grey: f32,
    },
    /// A filled rectangle; `y` is its top.
    Fill {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Grey level.
        grey: f32,
    },
    /// A stroked rectangle; `y` is its top.
    Frame {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Stroke width.
        width: f32,
        /// Grey level.
        grey: f32,
    },
    /// Black squares of a QR code, as runs: (row, first column, length) in modules.
    Modules {
        /// Left of the symbol.
        x: f32,
        /// Top of the symbol.
        y: f32,
        /// Side of a module.
        module: f32,
        /// Dark runs.
        runs: Vec<(u16, u16, u16)>,
    },
}

/// One line inside a cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellLine {
    /// The text; empty for a blank to fill by hand when `rule` is set.
    pub(crate) text: String,
    /// Weight.
    pub(crate) face: Face,
    /// Point size.
    pub(crate) size: f32,
    /// Line height.
    pub(crate) leading: f32,
    /// Grey level.
    pub(crate) grey: f32,
    /// Draw a rule on the baseline (a blank to fill in).
    pub(crate) rule: bool,
}

/// A cell of a row: a column and its lines.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    /// Left edge.
    pub(crate) x: f32,
    /// Width.
    pub(crate) w: f32,
    /// Lines, top to bottom.
    pub(crate) lines: Vec<CellLine>,
}

/// How a row is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowStyle {
    /// Space above and below the lines.
    pub(crate) pad: f32,
    /// Space between a cell's edge and its text.
    pub(crate) inset: f32,
    /// Draw cell borders.
    pub(crate) grid: bool,
    /// Fill the row with this grey.
    pub(crate) fill: Option<f32>,
}

/// The baseline of a line of `size` points in a line box of `leading` whose top is `top`.
pub(crate) fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    top + leading / 2.0 + size * 0.36
}

/// Wraps `text` to lines no wider than `width` when set in `face` at `size`. Line breaks in the
/// text are kept; a word wider than the line is broken between characters.
pub(crate) fn wrap(fonts: &Fonts, text: &str, face: Face, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let space = fonts.width(" ", face, size);
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0_f32;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = fonts.width(word, face, size);
            let sep = if line.is_empty() { 0.0 } else { space };
            if line_w + sep + w <= width {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w += sep + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if w <= width {
                line.push_str(word);
                line_w = w;
                continue;
            }
            // A word wider than the line: break it between characters.
            let mut buf = [0_u8; 4];
            for c in word.chars() {
                let cw = fonts.width(c.encode_utf8(&mut buf), face, size);
                if line_w + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Content flowing down pages.
pub(crate) struct Flow<'f> {
    /// The fonts, for measuring.
    pub(crate) fonts: &'f Fonts,
    /// Page geometry.
    pub(crate) geo: Geometry,
    /// The pages so far; the last is being filled.
    pub(crate) pages: Vec<Vec<Item>>,
    /// The next free y on the current page.
    pub(crate) y: f32,
    /// Where content started on the current page.
    page_top: f32,
}

impl<'f> Flow<'f> {
    /// A flow with one empty page, starting at `first_top`.
    pub(crate) fn new(fonts: &'f Fonts, geo: Geometry, first_top: f32) -> Flow<'f> {
        Flow {
            fonts,
            geo,
            pages: vec![Vec::new()],
            y: first_top,
            page_top: first_top,
        }
    }

    /// Space left on the current page.
    pub(crate) fn space(&self) -> f32 {
        self.geo.bottom - self.y
    }

    /// Whether nothing has been placed on the current page yet.
    pub(crate) fn at_top(&self) -> bool {
        self.y <= self.page_top + 0.01
    }

    /// Starts a new page.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.geo.top;
        self.page_top = self.geo.top;
    }

    /// Starts a new page unless `h` points fit on this one (or it is still empty).
    pub(crate) fn ensure(&mut self, h: f32) {
        if h > self.space() && !self.at_top() {
            self.new_page();
        }
    }

    /// Draws `item` on the current page.
    pub(crate) fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// Draws a line of text at `x` on baseline `y`.
    pub(crate) fn text(&mut self, x: f32, y: f32, size: f32, face: Face, grey: f32, text: String) {
        if !text.is_empty() {
            self.push(Item::Text {
                x,
                y,
                size,
                face,
                grey,
                text,
            });
        }
    }

    /// Wraps `text` in `face` at `size`.
    pub(crate) fn wrap(&self, text: &str, face: Face, size: f32, width: f32) -> Vec<String> {
        wrap(self.fonts, text, face, size, width)
    }

    /// Adds vertical space (dropped at the top of a page).
    pub(crate) fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y += h;
        }
    }

    /// A paragraph flowing across pages, `indent` from the left edge.
    pub(crate) fn paragraph(
        &mut self,
        text: &str,
        face: Face,
        size: f32,
        leading: f32,
        indent: f32,
    ) {
        let width = self.geo.content_width() - indent;
        for line in self.wrap(text, face, size, width) {
            self.ensure(leading);
            let y = baseline(self.y, size, leading);
            self.text(self.geo.left + indent, y, size, face, 0.0, line);
            self.y += leading;
        }
    }

    /// A section title bar, kept on a page with at least `keep` points of what follows.
    pub(crate) fn section(&mut self, title: &str, keep: f32) {
        self.gap(6.0);
        let width = self.geo.content_width() - 8.0;
        let lines = self.wrap(title, Face::Bold, size::SECTION, width);
        let h = size::SECTION_BAR.max(lines.len() as f32 * size::BODY_LEADING + 3.0);
        self.ensure(h + 4.0 + keep);
        let (left, w) = (self.geo.left, self.geo.content_width());
        self.push(Item::Fill {
            x: left,
            y: self.y,
            w,
            h,
            grey: grey::FILL,
        });
        let mut top = self.y + (h - lines.len() as f32 * size::BODY_LEADING) / 2.0;
        for line in lines {
            let y = baseline(top, size::SECTION, size::BODY_LEADING);
            self.text(left + 4.0, y, size::SECTION, Face::Bold, 0.0, line);
            top += size::BODY_LEADING;
        }
        self.y += h + 4.0;
    }

    /// A row of cells. `on_break` runs after every page break the row causes (to repeat a
    /// table's header).
    pub(crate) fn row(
        &mut self,
        cells: &[Cell],
        style: RowStyle,
        on_break: &mut dyn FnMut(&mut Flow),
    ) {
        let full = |c: &Cell| c.lines.iter().map(|l| l.leading).sum::<f32>();
        let row_h = cells.iter().map(full).fold(0.0, f32::max) + 2.0 * style.pad;
        let usable = self.geo.bottom - self.geo.top - 40.0;
        if row_h > self.space() && row_h <= usable && !self.at_top() {
            self.new_page();
            on_break(self);
        }
        let mut next: Vec<usize> = vec![0; cells.len()];
        loop {
            let avail = self.space() - 2.0 * style.pad;
            let mut ends = next.clone();
            let mut chunk_h = 0.0_f32;
            for ((cell, start), end) in cells.iter().zip(&next).zip(ends.iter_mut()) {
                let mut h = 0.0;
                let mut j = *start;
                while let Some(line) = cell.lines.get(j) {
                    if h + line.leading > avail {
                        break;
                    }
                    h += line.leading;
                    j += 1;
                }
                *end = j;
                chunk_h = chunk_h.max(h);
            }
            let left = cells.iter().zip(&next).any(|(c, s)| *s < c.lines.len());
            let progress = ends.iter().zip(&next).any(|(e, s)| e > s);
            if left && !progress {
                if self.at_top() {
                    // Not even one line fits on an empty page: place one line per cell anyway.
                    for ((cell, start), end) in cells.iter().zip(&next).zip(ends.iter_mut()) {
                        if *start < cell.lines.len() {
                            *end = start + 1;
                            let h = cell.lines.get(*start).map(|l| l.leading).unwrap_or(0.0);
                            chunk_h = chunk_h.max(h);
                        }
                    }
                } else {
                    self.new_page();
                    on_break(self);
                    continue;
                }
            }
            self.draw_chunk(cells, &next, &ends, chunk_h, style);
            next = ends;
            let done = cells.iter().zip(&next).all(|(c, s)| *s >= c.lines.len());
            if done {
                break;
            }
            self.new_page();
            on_break(self);
        }
    }

    fn draw_chunk(
        &mut self,
        cells: &[Cell],
        from: &[usize],
        to: &[usize],
        h: f32,
        style: RowStyle,
    ) {
        let top = self.y;
        let total = h + 2.0 * style.pad;
        if let (Some(fill), Some(first), Some(last)) = (style.fill, cells.first(), cells.last()) {
            self.push(Item::Fill {
                x: first.x,
                y: top,
                w: last.x + last.w - first.x,
                h: total,
                grey: fill,
            });
        }
        for ((cell, a), b) in cells.iter().zip(from).zip(to) {
            let mut line_top = top + style.pad;
            for line in cell.lines.get(*a..*b).unwrap_or_default() {
                let y = baseline(line_top, line.size, line.leading);
                let x = cell.x + style.inset;
                if line.rule {
                    self.push(Item::Rule {
                        x1: x,
                        y1: y + 1.5,
                        x2: cell.x + cell.w - style.inset,
                        y2: y + 1.5,
                        width: 0.4,
                        grey: grey::RULE,
                    });
                }
                self.text(x, y, line.size, line.face, line.grey, line.text.clone());
                line_top += line.leading;
            }
            if style.grid {
                self.push(Item::Frame {
                    x: cell.x,
                    y: top,
                    w: cell.w,
                    h: total,
                    width: 0.5,
                    grey: grey::RULE,
                });
            }
        }
        self.y = top + total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo() -> Geometry {
        Geometry {
            width: 612.0,
            height: 792.0,
            left: 50.0,
            right: 562.0,
            top: 80.0,
            bottom: 700.0,
        }
    }

    #[test]
    fn wrapping_keeps_every_word_within_the_width() {
        let fonts = Fonts::get().unwrap();
        let text = "María José Núñez Güity, vecina de San Pedro Sula, Cortés, solicita \
                    la repatriación de los restos de su padre.\nSegundo párrafo: ¿sí? ¡sí!";
        let lines = wrap(fonts, text, Face::Regular, 10.0, 150.0);
        assert!(lines.len() > 3, "{lines:?}");
        for l in &lines {
            assert!(fonts.width(l, Face::Regular, 10.0) <= 150.0, "{l}");
        }
        let joined = lines.join(" ");
        for word in text.split_whitespace() {
            assert!(joined.contains(word), "{word}");
        }
        let long = "x".repeat(300);
        let lines = wrap(fonts, &long, Face::Regular, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        assert_eq!(
            wrap(fonts, "", Face::Regular, 10.0, 100.0),
            vec![String::new()]
        );
    }

    #[test]
    fn long_paragraphs_flow_onto_new_pages() {
        let fonts = Fonts::get().unwrap();
        let mut flow = Flow::new(fonts, geo(), 200.0);
        let text = "palabra ".repeat(2000);
        flow.paragraph(&text, Face::Regular, size::BODY, size::BODY_LEADING, 0.0);
        assert!(flow.pages.len() >= 3, "{}", flow.pages.len());
        for page in &flow.pages {
            for item in page {
                if let Item::Text { y, .. } = item {
                    assert!(*y <= geo().bottom, "{y}");
                }
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_and_a_short_one_moves_whole() {
        let fonts = Fonts::get().unwrap();
        let line = |t: &str| CellLine {
            text: t.to_owned(),
            face: Face::Regular,
            size: size::CELL,
            leading: size::CELL_LEADING,
            grey: 0.0,
            rule: false,
        };
        let style = RowStyle {
            pad: 2.0,
            inset: 3.0,
            grid: true,
            fill: None,
        };
        let mut flow = Flow::new(fonts, geo(), 650.0);
        let short = [Cell {
            x: 50.0,
            w: 200.0,
            lines: vec![line("a"), line("b"), line("c"), line("d"), line("e")],
        }];
        let mut breaks = 0;
        flow.row(&short, style, &mut |_| breaks += 1);
        assert_eq!((flow.pages.len(), breaks), (2, 1));
        let tall = [Cell {
            x: 50.0,
            w: 200.0,
            lines: (0..120).map(|i| line(&format!("línea {i}"))).collect(),
        }];
        flow.row(&tall, style, &mut |_| {});
        let texts: usize = flow
            .pages
            .iter()
            .flatten()
            .filter(|i| matches!(i, Item::Text { .. }))
            .count();
        assert_eq!(texts, 125);
        assert!(flow.pages.len() >= 4);
    }
}
