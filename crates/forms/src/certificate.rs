//! What the learner takes away from a completion (issue 17, item 4; B13, D06): the certificate
//! as an A4 PDF (Japanese side, English side, a QR code to the verification page on each), a
//! badge image as SVG and PNG, and Open Badges 3.0 baking of the credential into either image
//! and back out of it.
//!
//! Everything here is a pure function of a [`CertificateText`], which the caller fills from the
//! frozen credential as issued, never from the live course: the same credential gives the same
//! certificate for as long as it exists. The PDF carries no timestamp, so the same text gives
//! the same bytes with the same build.

mod png;
mod svg;

use koshu_domain::types::{date_en, date_ja};
use time::Date;

use crate::FormsError;
use crate::pdf::{self, Layout, MARGIN_X, PAGE_H, PAGE_W};

pub use png::{bake_png, unbake_png};
pub use svg::{bake_svg, unbake_svg};

/// The credential's JSON text in a file as people hand it over: the JSON itself, or an Open
/// Badges baked PNG or SVG (told apart by their first bytes). The verification page and
/// `koshu verify` both read files through this.
pub fn credential_in_file(bytes: &[u8]) -> Result<String, FormsError> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return unbake_png(bytes)?
            .ok_or_else(|| FormsError::Png("the image carries no credential".to_owned()));
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| FormsError::Svg("not UTF-8 text".to_owned()))?;
    if head.starts_with("<?xml") || head.starts_with("<svg") {
        return unbake_svg(text)
            .ok_or_else(|| FormsError::Svg("the image carries no credential".to_owned()));
    }
    Ok(text.to_owned())
}

/// The claims a certificate shows, as the frozen credential states them. Dates are calendar
/// days in Japan (the caller converts `validFrom` and the activity dates to +09:00 first).
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateText {
    /// The credential's `id`, which is also the address of its public verification page: what
    /// the QR codes hold and the certificate prints.
    pub verification_url: String,
    /// The learner's name as issued (the `name` identifier of the subject).
    pub learner_name: String,
    /// The course title, in Japanese (the achievement's `name`).
    pub course_title: String,
    /// The English sentence of the credential (its `description`).
    pub description_en: String,
    /// The provider (the issuer's `name`).
    pub provider_name: String,
    /// Hours attended (`creditsEarned`).
    pub hours_attended: f64,
    /// The course's hours (`creditsAvailable`).
    pub course_hours: f64,
    pub activity_start: Date,
    pub activity_end: Date,
    /// The date of issue (`validFrom`).
    pub issued_on: Date,
    /// `validUntil`, where the course sets one.
    pub valid_until: Option<Date>,
    /// The 特定講習 designation number (第2026-001号), where the course is designated.
    pub designation_number: Option<String>,
    /// The designation period as the credential states it (指定期間 2026年4月1日〜2029年3月31日).
    pub designation_period: Option<String>,
    /// The learner's RISS (情報処理安全確保支援士) registration number, only with consent.
    pub riss_number: Option<String>,
    /// The completion criteria (`criteria.narrative`).
    pub criteria: String,
}

/// Type size of the certificate's detail rows.
const DETAIL: f32 = 10.5;
/// The printed QR code's side, quiet zone included, at the least.
const QR_SIDE: f32 = 100.0;
/// A QR module is printed no smaller than this, so that a phone reads it.
const QR_MODULE_MIN: f32 = 1.8;
/// Modules of light margin the QR code specification asks for around the symbol.
const QUIET: usize = 4;

/// The certificate as an A4 PDF: page 1 in Japanese (修了証), page 2 in English (Certificate of
/// Completion, with what ISC2 and ISACA auditors look for: name, provider, title, dates, hours
/// and an attestation), each with a QR code to the verification page and its address in text.
///
/// Errors: the verification address is too long for a QR code; the font cannot be read.
pub fn certificate_pdf(t: &CertificateText) -> Result<Vec<u8>, FormsError> {
    let qr = Qr::new(&t.verification_url)?;
    let mut l = Layout::new();
    japanese_side(&mut l, t, &qr);
    l.new_page();
    english_side(&mut l, t, &qr);
    pdf::render(l.finish(), format!("修了証：{}", t.course_title))
}

fn japanese_side(l: &mut Layout, t: &CertificateText, qr: &Qr) {
    frame(l);
    l.gap(28.0);
    l.centred("修了証", 30.0);
    l.centred("英文は2ページ目にあります（English on page 2）", 8.5);
    l.gap(22.0);
    l.centred(&format!("{}　殿", t.learner_name), 20.0);
    l.gap(14.0);
    l.centred("あなたは下記の講習を修了したことを証します。", 11.0);
    l.gap(16.0);
    details(
        l,
        vec![
            ("講習名", Some(t.course_title.clone())),
            ("実施者", Some(t.provider_name.clone())),
            (
                "受講期間",
                Some(days(t.activity_start, t.activity_end, date_ja, "〜")),
            ),
            (
                "受講時間",
                Some(format!(
                    "{}時間（講習の時間数 {}時間）",
                    hours(t.hours_attended),
                    hours(t.course_hours)
                )),
            ),
            ("特定講習 指定番号", t.designation_number.clone()),
            ("特定講習 指定期間", t.designation_period.clone()),
            ("情報処理安全確保支援士 登録番号", t.riss_number.clone()),
            ("修了の要件", Some(t.criteria.clone())),
            ("発行日", Some(date_ja(t.issued_on))),
            ("有効期限", t.valid_until.map(date_ja)),
        ],
    );
    l.gap(18.0);
    verification(
        l,
        qr,
        "この修了証の確認",
        "QRコードまたは次のアドレスで、発行者の署名と現在の状態（有効・一時停止・取消し）をサインインせずに確認できます。",
        &t.verification_url,
    );
    sign_off(l, &date_ja(t.issued_on), &t.provider_name);
}

fn english_side(l: &mut Layout, t: &CertificateText, qr: &Qr) {
    frame(l);
    l.gap(20.0);
    l.centred("Certificate of Completion", 26.0);
    l.centred("English side of the 修了証 on page 1", 8.5);
    l.gap(18.0);
    l.centred("This is to certify that", 11.0);
    l.gap(4.0);
    l.centred(&t.learner_name, 20.0);
    l.gap(4.0);
    l.centred("has completed the course", 11.0);
    l.gap(2.0);
    l.centred(&t.course_title, 14.0);
    l.gap(14.0);
    let designation = t.designation_number.as_ref().map(|number| {
        format!(
            "No. {number}, a course designated by Japan's Minister of Economy, Trade and Industry for Registered Information Security Specialists (RISS)"
        )
    });
    details(
        l,
        vec![
            ("Provider", Some(t.provider_name.clone())),
            ("Course title", Some(t.course_title.clone())),
            (
                "Dates attended",
                Some(days(t.activity_start, t.activity_end, date_en, " – ")),
            ),
            (
                "Hours attended",
                Some(format!(
                    "{} (course length: {})",
                    hours_en(t.hours_attended),
                    hours_en(t.course_hours)
                )),
            ),
            ("Designation (特定講習)", designation),
            ("Designation period", t.designation_period.clone()),
            ("RISS registration number", t.riss_number.clone()),
            ("Completion criteria", Some(t.criteria.clone())),
            ("Date of issue", Some(date_en(t.issued_on))),
            ("Valid until", t.valid_until.map(date_en)),
        ],
    );
    l.gap(10.0);
    l.section("Attestation");
    l.gap(4.0);
    l.text_line(
        MARGIN_X,
        &format!(
            "{provider} attests that {name} attended {attended} of the course “{title}” ({course}) {when}, met its completion criteria and was awarded this certificate on {issued}.",
            provider = t.provider_name,
            name = t.learner_name,
            attended = hours_en(t.hours_attended),
            title = t.course_title,
            course = hours_en(t.course_hours),
            when = if t.activity_start == t.activity_end {
                format!("on {}", date_en(t.activity_start))
            } else {
                format!(
                    "from {} to {}",
                    date_en(t.activity_start),
                    date_en(t.activity_end)
                )
            },
            issued = date_en(t.issued_on),
        ),
        DETAIL,
    );
    if !t.description_en.is_empty() {
        l.gap(4.0);
        l.text_line(MARGIN_X, &t.description_en, DETAIL);
    }
    l.gap(12.0);
    verification(
        l,
        qr,
        "Verify this certificate",
        "Scan the QR code or open the address below (the credential's ID) to check the issuer's signature and the current status (active, suspended or revoked). No sign-in is needed.",
        &t.verification_url,
    );
    sign_off(l, &date_en(t.issued_on), &t.provider_name);
}

/// The labelled claims; one the credential does not make is left out, not printed empty.
fn details(l: &mut Layout, rows: Vec<(&str, Option<String>)>) {
    for (label, value) in rows {
        if let Some(value) = value {
            l.labelled_at(label, &value, DETAIL);
        }
    }
}

/// A double rule around the page.
fn frame(l: &mut Layout) {
    for inset in [20.0, 23.0] {
        let (x1, y1, x2, y2) = (inset, inset, PAGE_W - inset, PAGE_H - inset);
        l.line((x1, y1), (x2, y1));
        l.line((x2, y1), (x2, y2));
        l.line((x2, y2), (x1, y2));
        l.line((x1, y2), (x1, y1));
    }
}

/// The QR code at the left margin and, beside it, a heading, a sentence and the address.
fn verification(l: &mut Layout, qr: &Qr, heading: &str, sentence: &str, url: &str) {
    let module = (QR_SIDE / (qr.width + 2 * QUIET) as f32).max(QR_MODULE_MIN);
    let side = module * (qr.width + 2 * QUIET) as f32;
    let x = MARGIN_X + side + 8.0;
    let width = PAGE_W - MARGIN_X - x;
    let lines: Vec<(f32, String)> = [(11.0, heading), (9.0, sentence), (8.5, url)]
        .into_iter()
        .flat_map(|(size, text)| {
            pdf::wrap(text, width, size)
                .into_iter()
                .map(move |s| (size, s))
        })
        .collect();
    let text_h: f32 = lines.iter().map(|(size, _)| pdf::line_height(*size)).sum();
    l.ensure(side.max(text_h));
    let top = l.y;
    let origin = MARGIN_X + QUIET as f32 * module;
    let y0 = top + QUIET as f32 * module;
    l.blocks(
        qr.runs()
            .map(|(row, col, len)| {
                [
                    origin + col as f32 * module,
                    y0 + row as f32 * module,
                    len as f32 * module,
                    module,
                ]
            })
            .collect(),
    );
    let mut y = top + QUIET as f32 * module;
    for (size, line) in &lines {
        l.text(x, y + size, *size, line);
        y += pdf::line_height(*size);
    }
    l.y = top + side.max(y - top);
}

/// The date and the provider's name, in the right half of the page.
fn sign_off(l: &mut Layout, date: &str, provider: &str) {
    l.gap(12.0);
    l.text_line(PAGE_W / 2.0, date, DETAIL);
    l.text_line(PAGE_W / 2.0, provider, 12.0);
}

/// One day, or the first and last day joined by `dash`.
fn days(start: Date, end: Date, show: fn(Date) -> String, dash: &str) -> String {
    if start == end {
        show(start)
    } else {
        format!("{}{dash}{}", show(start), show(end))
    }
}

/// Hours as people write them: `12`, `12.5`, `0.75`.
fn hours(h: f64) -> String {
    let s = format!("{h:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `1 hour`, `12.5 hours`.
fn hours_en(h: f64) -> String {
    let n = hours(h);
    if n == "1" {
        "1 hour".to_owned()
    } else {
        format!("{n} hours")
    }
}

/// A QR code's module matrix for `data` (error correction level M).
struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    fn new(data: &str) -> Result<Self, FormsError> {
        let code =
            qrcode::QrCode::new(data.as_bytes()).map_err(|e| FormsError::QrCode(e.to_string()))?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// The dark modules as horizontal runs: (row, first column, length).
    fn runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.dark
            .chunks(self.width)
            .enumerate()
            .flat_map(|(row, cells)| {
                let mut runs = Vec::new();
                let mut col = 0;
                while col < cells.len() {
                    let len = cells[col..].iter().take_while(|d| **d).count();
                    if len > 0 {
                        runs.push((row, col, len));
                        col += len;
                    } else {
                        col += 1;
                    }
                }
                runs
            })
    }
}

const NAVY: &str = "#1f3a68";
const GOLD: &str = "#c9a227";
/// Japanese-capable fonts a viewer may have; the badge text is also in `<title>` and `<desc>`.
const SVG_FONTS: &str =
    "'IPAexGothic', 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif";

/// The badge as an accessible SVG image (`role="img"`, a `<title>` and `<desc>`): a seal with
/// 修了証, the course title, the hours and the provider. Bake the credential into it with
/// [`bake_svg`].
pub fn badge_svg(t: &CertificateText) -> String {
    let title = format!(
        "修了証：{}（{}時間）",
        t.course_title,
        hours(t.hours_attended)
    );
    let desc = format!(
        "{}が{}に{}さんに発行した修了証。{}",
        t.provider_name,
        date_ja(t.issued_on),
        t.learner_name,
        t.description_en
    );
    // The title in up to three lines, in the largest size that fits.
    let (size, lines) = [26.0_f32, 22.0, 18.0]
        .iter()
        .map(|&size| (size, pdf::wrap(&t.course_title, 360.0, size)))
        .find(|(_, lines)| lines.len() <= 3)
        .unwrap_or_else(|| {
            let mut lines = pdf::wrap(&t.course_title, 360.0, 18.0);
            lines.truncate(3);
            if let Some(last) = lines.last_mut() {
                last.push('…');
            }
            (18.0, lines)
        });
    let lh = size * 1.25;
    let first = 250.0 - lh * (lines.len() as f32 - 1.0) / 2.0;
    let mut course = String::new();
    for (i, line) in lines.iter().enumerate() {
        course.push_str(&format!(
            r#"<tspan x="256" y="{:.1}">{}</tspan>"#,
            first + lh * i as f32,
            svg::escape(line)
        ));
    }
    let provider = pdf::wrap(&t.provider_name, 300.0, 16.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512" role="img" aria-labelledby="koshu-badge-title koshu-badge-desc" lang="ja">
<title id="koshu-badge-title">{title}</title>
<desc id="koshu-badge-desc">{desc}</desc>
<circle cx="256" cy="256" r="250" fill="{GOLD}"/>
<circle cx="256" cy="256" r="234" fill="{NAVY}"/>
<circle cx="256" cy="256" r="222" fill="none" stroke="{GOLD}" stroke-width="3"/>
<g fill="#ffffff" font-family="{SVG_FONTS}" text-anchor="middle">
<text x="256" y="122" font-size="44" font-weight="bold">修了証</text>
<text x="256" y="150" font-size="15" letter-spacing="2">CERTIFICATE OF COMPLETION</text>
<text font-size="{size}" font-weight="bold">{course}</text>
<text x="256" y="352" font-size="34" font-weight="bold">{hours}時間</text>
<text x="256" y="376" font-size="15">{hours_en}</text>
<text x="256" y="420" font-size="16">{provider}</text>
</g>
</svg>
"##,
        title = svg::escape(&title),
        desc = svg::escape(&desc),
        hours = hours(t.hours_attended),
        hours_en = svg::escape(&hours_en(t.hours_attended)),
        provider = svg::escape(&provider),
    )
}

/// The badge as a 512 × 512 PNG image: a seal with the QR code to the verification page in its
/// middle (the text is in the SVG badge and the PDF). Bake the credential into it with
/// [`bake_png`].
///
/// Errors: the verification address is too long for a QR code that fits the seal.
pub fn badge_png(t: &CertificateText) -> Result<Vec<u8>, FormsError> {
    const SIZE: usize = 512;
    // Palette indices.
    const CLEAR: u8 = 0;
    const GOLD_I: u8 = 1;
    const NAVY_I: u8 = 2;
    const WHITE: u8 = 3;
    const BLACK: u8 = 4;
    let qr = Qr::new(&t.verification_url)?;
    let modules = qr.width + 2 * QUIET;
    // The white square fits inside the inner ring (radius 218 px) with a little room.
    let module = 290 / modules;
    if module < 2 {
        return Err(FormsError::QrCode(
            "the verification address is too long for the badge's QR code".to_owned(),
        ));
    }
    let side = module * modules;
    let square = (SIZE - side) / 2;
    let centre = (SIZE as f64 - 1.0) / 2.0;
    let mut pixels = vec![CLEAR; SIZE * SIZE];
    for (i, p) in pixels.iter_mut().enumerate() {
        let (x, y) = (i % SIZE, i / SIZE);
        let (dx, dy) = (x as f64 - centre, y as f64 - centre);
        let r = dx.hypot(dy);
        // A scalloped seal edge: 24 lobes between radius 240 and 254.
        let edge = 8.0f64.mul_add((24.0 * dy.atan2(dx)).cos(), 246.0);
        *p = if (square..square + side).contains(&x) && (square..square + side).contains(&y) {
            let (col, row) = ((x - square) / module, (y - square) / module);
            let inside = |v: usize| (QUIET..QUIET + qr.width).contains(&v);
            if inside(col) && inside(row) && qr.dark[(row - QUIET) * qr.width + col - QUIET] {
                BLACK
            } else {
                WHITE
            }
        } else if r > edge {
            CLEAR
        } else if r > 234.0 || (218.0..222.0).contains(&r) {
            GOLD_I
        } else {
            NAVY_I
        };
    }
    png::encode(&png::Indexed {
        width: SIZE as u32,
        height: SIZE as u32,
        palette: &[
            [255, 255, 255],
            [0xc9, 0xa2, 0x27],
            [0x1f, 0x3a, 0x68],
            [255, 255, 255],
            [0, 0, 0],
        ],
        pixels: &pixels,
        title: &format!("修了証：{}", t.course_title),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_written_as_people_write_them() {
        assert_eq!(hours(12.0), "12");
        assert_eq!(hours(12.5), "12.5");
        assert_eq!(hours(0.75), "0.75");
        assert_eq!(hours(100.0), "100");
        assert_eq!(hours_en(1.0), "1 hour");
        assert_eq!(hours_en(1.5), "1.5 hours");
    }

    #[test]
    fn qr_runs_cover_exactly_the_dark_modules() {
        let qr = Qr::new("https://koshu.example.jp/credentials/1").unwrap();
        let mut seen = vec![false; qr.dark.len()];
        for (row, col, len) in qr.runs() {
            for c in col..col + len {
                assert!(!seen[row * qr.width + c]);
                seen[row * qr.width + c] = true;
            }
        }
        assert_eq!(seen, qr.dark);
    }
}
