//! The application as an A4 PDF with the same content as the workbook.
//!
//! krilla draws single lines of text and no more, so this module lays out the pages itself:
//! a greedy line wrapper by estimated character width, labelled rows in two columns, tables as
//! grids (or, when they have too many columns for a portrait page, one block per entry), page
//! breaks between lines, and page numbers once the page count is known. The certificate
//! ([`crate::certificate`]) is laid out with the same [`Layout`] and font.

use koshu_domain::designation::{Application, Rule, Verdict};
use koshu_domain::taxonomy::Taxonomy;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use crate::FormsError;
use crate::form::{self, Body, Row, Table};

/// IPAexGothic (IPA Font License v1.0, see `assets/fonts/`): a fresh machine has no Japanese
/// font, so the PDF carries its own (subset to the glyphs used).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/ipaexg.ttf");

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 42.0;
pub(crate) const MARGIN_TOP: f32 = 48.0;
pub(crate) const MARGIN_BOTTOM: f32 = 54.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(crate) const BODY: f32 = 9.0;
pub(crate) const SMALL: f32 = 8.0;
const LABEL_W: f32 = 150.0;
const PAD: f32 = 3.0;
/// Tables with more columns than this are printed one block per entry.
const MAX_GRID_COLUMNS: usize = 9;

/// The PDF: title 「特定講習 応募書類」, 様式第1号, 様式第2号, curriculum, instructors and
/// supervisor, materials and both checklists, with page numbers.
pub fn application(
    app: &Application,
    checks: &[(&'static Rule, Verdict)],
    taxonomy: &Taxonomy,
) -> Result<Vec<u8>, FormsError> {
    let mut l = Layout::new();
    l.text_line(MARGIN_X, "特定講習 応募書類", 18.0);
    l.gap(4.0);
    if !app.course.name.is_empty() {
        l.text_line(MARGIN_X, &app.course.name, 12.0);
    }
    if let Some(org) = &app.provider.organisation {
        l.text_line(MARGIN_X, &org.name_ja, 10.0);
    }
    l.gap(8.0);
    for sheet in form::sheets(app, checks, taxonomy) {
        l.heading(sheet.name, &sheet.title);
        match &sheet.body {
            Body::Form(rows) => {
                for row in rows {
                    match row {
                        Row::Section(title) => l.section(title),
                        Row::Field(f) => {
                            // Codes are for the workbook; a person reads what they mean.
                            let value = if f.note.is_empty() {
                                f.value.display()
                            } else {
                                f.note.clone()
                            };
                            l.labelled(f.label, &value);
                        }
                        Row::Table(t) => l.table(t),
                    }
                }
            }
            Body::List(t) => l.table(t),
        }
        l.gap(10.0);
    }
    let title = if app.course.name.is_empty() {
        "特定講習 応募書類".to_owned()
    } else {
        format!("特定講習 応募書類：{}", app.course.name)
    };
    render(l.finish(), title)
}

/// What a decision letter says (B35): to whom, about which version, the outcome and why, and
/// for a designation its number and period. Dates come as people read them (2026年4月1日).
#[derive(Debug, Clone)]
pub struct DecisionLetter<'a> {
    pub date: &'a str,
    pub addressee: &'a str,
    pub course: &'a str,
    pub version: i64,
    /// 指定 / 不指定 / 修正依頼 / 取消し …
    pub outcome: &'a str,
    pub reasons: &'a str,
    /// Number and period, for a designation.
    pub designation: Option<(&'a str, &'a str)>,
}

/// The ministry's letter on a decision, as an A4 PDF.
pub fn decision_letter(letter: &DecisionLetter<'_>) -> Result<Vec<u8>, FormsError> {
    let mut l = Layout::new();
    l.text_line(MARGIN_X, letter.date, 10.5);
    l.gap(6.0);
    l.text_line(MARGIN_X, &format!("{}　御中", letter.addressee), 12.0);
    l.gap(12.0);
    l.text_line(
        MARGIN_X,
        "情報処理安全確保支援士『特定講習』の応募に対する審査結果について（通知）",
        14.0,
    );
    l.gap(10.0);
    l.text_line(
        MARGIN_X,
        "貴法人から応募のあった下記の講習について、審査の結果を次のとおり通知します。",
        10.5,
    );
    l.gap(8.0);
    l.section("記");
    l.labelled("講習名", letter.course);
    l.labelled("審査の対象", &format!("第{}版", letter.version));
    l.labelled("結果", letter.outcome);
    if let Some((number, period)) = letter.designation {
        l.labelled("指定番号", number);
        l.labelled("対象期間", period);
    }
    l.labelled("理由", letter.reasons);
    l.gap(16.0);
    l.text_line(MARGIN_X, "経済産業省", 10.5);
    render(l.finish(), format!("審査結果通知：{}", letter.course))
}

/// 様式第3号 or 第4号 as an A4 PDF.
pub fn notice(n: &crate::notice::Notice<'_>) -> Result<Vec<u8>, FormsError> {
    let mut l = Layout::new();
    l.text_line(MARGIN_X, n.kind.form(), 9.0);
    l.text_line(MARGIN_X, n.filed_on, 10.5);
    l.gap(6.0);
    l.text_line(MARGIN_X, "経済産業大臣　殿", 12.0);
    l.gap(8.0);
    l.labelled("届出者（名称）", n.provider);
    l.labelled("所在地", n.address);
    l.labelled("代表者の役職・氏名", n.representative);
    l.gap(12.0);
    l.text_line(MARGIN_X, n.kind.title(), 14.0);
    l.gap(10.0);
    l.text_line(MARGIN_X, n.lead(), 10.5);
    l.gap(8.0);
    l.section("記");
    for (label, value) in n.rows() {
        l.labelled(label, &value);
    }
    if !n.changes.is_empty() {
        l.gap(8.0);
        l.section("変更の内容（変更前 → 変更後）");
        for (field, before, after) in n.changes {
            l.labelled(field, &format!("変更前：{before}\n変更後：{after}"));
        }
    }
    render(l.finish(), format!("{}：{}", n.kind.title(), n.course))
}

/// What to draw, in page coordinates (origin top left, y down, baseline for text).
#[derive(Debug)]
pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// Black rectangles `[x, y, w, h]` filled as one path (a QR code's dark modules).
    Blocks(Vec<[f32; 4]>),
}

/// Pages being laid out top to bottom; `y` is the cursor.
pub(crate) struct Layout {
    pages: Vec<Vec<Op>>,
    pub(crate) y: f32,
}

impl Layout {
    pub(crate) fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `h` more points fit on this one.
    pub(crate) fn ensure(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN_BOTTOM {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, h: f32) {
        self.y += h;
    }

    pub(crate) fn text(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.ops().push(Op::Text {
                x,
                y: baseline,
                size,
                text: text.to_owned(),
            });
        }
    }

    /// One line of text at the cursor.
    pub(crate) fn text_line(&mut self, x: f32, text: &str, size: f32) {
        for line in wrap(text, PAGE_W - MARGIN_X - x, size) {
            let h = line_height(size);
            self.ensure(h);
            self.text(x, self.y + size, size, &line);
            self.y += h;
        }
    }

    pub(crate) fn rule(&mut self, y: f32) {
        self.line((MARGIN_X, y), (PAGE_W - MARGIN_X, y));
    }

    fn heading(&mut self, name: &str, title: &str) {
        self.ensure(60.0);
        self.text_line(MARGIN_X, name, 14.0);
        let y = self.y + 1.0;
        self.rule(y);
        self.gap(4.0);
        self.text_line(MARGIN_X, title, 10.0);
        self.gap(4.0);
    }

    pub(crate) fn section(&mut self, title: &str) {
        let h = line_height(BODY) + 2.0 * PAD;
        // Keep a section heading with at least two lines of what follows.
        self.ensure(h + 3.0 * line_height(BODY));
        self.gap(4.0);
        let y = self.y;
        self.ops().push(Op::Shade {
            x: MARGIN_X,
            y,
            w: CONTENT_W,
            h,
        });
        let y = self.y + PAD + BODY;
        self.text(MARGIN_X + PAD, y, BODY, title);
        self.y += h;
    }

    /// A label and its value side by side, wrapped, breaking across pages between lines.
    pub(crate) fn labelled(&mut self, label: &str, value: &str) {
        self.labelled_at(label, value, BODY);
    }

    /// [`Self::labelled`] in type of `size` points.
    pub(crate) fn labelled_at(&mut self, label: &str, value: &str, size: f32) {
        let cols = [
            (MARGIN_X, LABEL_W, wrap(label, LABEL_W - 2.0 * PAD, size)),
            (
                MARGIN_X + LABEL_W,
                CONTENT_W - LABEL_W,
                wrap(value, CONTENT_W - LABEL_W - 2.0 * PAD, size),
            ),
        ];
        self.cells(&cols, size, None);
    }

    /// One line of text centred on the page at the cursor, wrapped if it is wider.
    pub(crate) fn centred(&mut self, text: &str, size: f32) {
        for line in wrap(text, CONTENT_W, size) {
            let h = line_height(size);
            self.ensure(h);
            let x = PAGE_W / 2.0 - line.chars().map(em).sum::<f32>() * size / 2.0;
            self.text(x.max(MARGIN_X), self.y + size, size, &line);
            self.y += h;
        }
    }

    /// Black rectangles `[x, y, w, h]`.
    pub(crate) fn blocks(&mut self, rects: Vec<[f32; 4]>) {
        self.ops().push(Op::Blocks(rects));
    }

    /// A grey line from one point to another.
    pub(crate) fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32)) {
        self.ops().push(Op::Line { x1, y1, x2, y2 });
    }

    /// Draws one row of cells line by line; on a page break, `header` is drawn again first.
    fn cells(&mut self, cols: &[(f32, f32, Vec<String>)], size: f32, header: Option<&Table>) {
        let lh = line_height(size);
        let n = cols.iter().map(|c| c.2.len()).max().unwrap_or(0).max(1);
        self.ensure(lh.mul_add(n.min(3) as f32, 2.0 * PAD));
        self.y += PAD;
        for i in 0..n {
            if self.y + lh > PAGE_H - MARGIN_BOTTOM {
                self.new_page();
                if let Some(t) = header {
                    self.grid_header(t);
                }
                self.y += PAD;
            }
            for (x, _, lines) in cols {
                if let Some(line) = lines.get(i) {
                    self.text(x + PAD, self.y + size, size, line);
                }
            }
            self.y += lh;
        }
        self.y += PAD;
        let y = self.y;
        self.rule(y);
    }

    pub(crate) fn table(&mut self, t: &Table) {
        if t.rows.is_empty() {
            self.labelled("（記載なし）", "");
        } else if t.columns.len() <= MAX_GRID_COLUMNS {
            self.grid_header(t);
            for (_, cells) in &t.rows {
                let cols = grid_columns(
                    t,
                    |i| cells.get(i).map(form::Value::display).unwrap_or_default(),
                    SMALL,
                );
                self.cells(&cols, SMALL, Some(t));
            }
        } else {
            for (n, (_, cells)) in t.rows.iter().enumerate() {
                let title = cells.get(1).map(form::Value::display).unwrap_or_default();
                self.section(&format!("{}. {title}", n + 1));
                for (c, v) in t.columns.iter().zip(cells) {
                    let v = v.display();
                    if !v.is_empty() {
                        self.labelled(&c.header, &v);
                    }
                }
            }
        }
        self.gap(4.0);
    }

    fn grid_header(&mut self, t: &Table) {
        let cols = grid_columns(
            t,
            |i| {
                t.columns
                    .get(i)
                    .map(|c| c.header.clone())
                    .unwrap_or_default()
            },
            SMALL,
        );
        let h = cols.iter().map(|c| c.2.len()).max().unwrap_or(1) as f32 * line_height(SMALL)
            + 2.0 * PAD;
        self.ensure(h + line_height(SMALL) * 2.0);
        let y = self.y;
        self.ops().push(Op::Shade {
            x: MARGIN_X,
            y,
            w: CONTENT_W,
            h,
        });
        self.cells(&cols, SMALL, None);
    }

    pub(crate) fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }
}

/// The columns of a grid table with each cell's wrapped text; widths follow the workbook's.
fn grid_columns(
    t: &Table,
    text: impl Fn(usize) -> String,
    size: f32,
) -> Vec<(f32, f32, Vec<String>)> {
    let total: f64 = t.columns.iter().map(|c| c.width).sum();
    let mut x = MARGIN_X;
    t.columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // Widths are small positive numbers; f32 is plenty.
            #[allow(clippy::cast_possible_truncation)]
            let w = (c.width / total) as f32 * CONTENT_W;
            let col = (x, w, wrap(&text(i), w - 2.0 * PAD, size));
            x += w;
            col
        })
        .collect()
}

pub(crate) fn line_height(size: f32) -> f32 {
    size * 1.45
}

/// Estimated advance of `c` in ems: IPAexGothic sets kana and kanji full width and Latin
/// proportionally; the estimate errs wide so lines do not overrun their column.
pub(crate) fn em(c: char) -> f32 {
    match c {
        'A'..='Z' | 'm' | 'w' | '@' | '%' => 0.72,
        ' '..='~' => 0.56,
        '\u{FF61}'..='\u{FF9F}' => 0.5,
        _ => 1.0,
    }
}

/// Characters a Japanese line must not start with (行頭禁則): they hang at the end of the
/// previous line instead.
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '）'
            | '」'
            | '』'
            | '】'
            | '・'
            | '：'
            | '；'
            | ','
            | '.'
            | ')'
            | 'ー'
            | '々'
    )
}

/// Greedy line breaking of `text` into lines no wider than `width` points at `size`; keeps the
/// text's own line breaks and breaks Latin words at spaces where it can.
pub(crate) fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let max = (width / size).max(1.0);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        for c in para.chars() {
            let cw = em(c);
            if w + cw > max && !line.is_empty() && !no_line_start(c) {
                // Inside a Latin word: carry the word over if the line has a space to break at.
                let carry = if c.is_ascii_alphanumeric() {
                    line.rfind(' ')
                        .filter(|&i| line[i + 1..].chars().all(|x| x.is_ascii_alphanumeric()))
                        .map(|i| line.split_off(i + 1))
                } else {
                    None
                };
                out.push(line.trim_end().to_owned());
                line = carry.unwrap_or_default();
                w = line.chars().map(em).sum();
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

pub(crate) fn render(pages: Vec<Vec<Op>>, title: String) -> Result<Vec<u8>, FormsError> {
    let font = Font::new(Data::from(FONT), 0)
        .ok_or_else(|| FormsError::Pdf("the embedded font cannot be read".to_owned()))?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title)
            .language("ja".to_owned())
            .creator("Koshu".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| FormsError::Pdf("page size".to_owned()))?;
    let total = pages.len();
    let black = Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        ..Fill::default()
    };
    for (n, ops) in pages.into_iter().enumerate() {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => {
                    surface.set_fill(Some(black.clone()));
                    surface.set_stroke(None);
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(160, 160, 160).into(),
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Blocks(rects) => {
                    let mut pb = PathBuilder::new();
                    for [x, y, w, h] in rects {
                        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                            pb.push_rect(rect);
                        }
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(black.clone()));
                        surface.draw_path(&path);
                    }
                }
                Op::Shade { x, y, w, h } => {
                    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: rgb::Color::new(235, 240, 247).into(),
                                ..Fill::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
        }
        let number = format!("{} / {total}", n + 1);
        let x = PAGE_W / 2.0 - number.chars().map(em).sum::<f32>() * SMALL / 2.0;
        surface.set_fill(Some(black.clone()));
        surface.draw_text(
            Point::from_xy(x, PAGE_H - MARGIN_BOTTOM / 2.0),
            font.clone(),
            SMALL,
            &number,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| FormsError::Pdf(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_width_and_keeps_punctuation_off_line_starts() {
        let lines = wrap("あいうえおかきくけこ", 5.0 * 10.0, 10.0);
        assert_eq!(lines, ["あいうえお", "かきくけこ"]);
        let lines = wrap("あいうえお。かき", 5.0 * 10.0, 10.0);
        assert_eq!(lines, ["あいうえお。", "かき"]);
        let lines = wrap("see https example", 10.0 * 10.0, 10.0);
        assert!(lines.iter().all(|l| l.chars().map(em).sum::<f32>() <= 10.0));
        assert_eq!(lines.concat().replace(' ', ""), "seehttpsexample");
        assert_eq!(wrap("一\n二", 100.0, 10.0), ["一", "二"]);
    }
}
