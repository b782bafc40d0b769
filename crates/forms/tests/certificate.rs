//! Issue 17 item 4: what the learner takes away. The certificate PDF read back by independent
//! tools (poppler's pdftotext for the text, pdftoppm + zbar's zbarimg for the QR code), the
//! badge images, and Open Badges 3.0 baking into PNG and SVG and back, against bad input too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use koshu_forms::FormsError;
use koshu_forms::certificate::{
    CertificateText, badge_png, badge_svg, bake_png, bake_svg, certificate_pdf, credential_in_file,
    unbake_png, unbake_svg,
};
use proptest::prelude::*;
use support::pdf_text;
use time::macros::date;

const URL: &str = "https://koshu.example.jp/credentials/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

fn text() -> CertificateText {
    CertificateText {
        verification_url: URL.to_owned(),
        learner_name: "山田 太郎".to_owned(),
        course_title: "セキュリティ実践講座".to_owned(),
        description_en: "Certificate of completion: “Security Practice Course” (12.5 hours), issued by Example Co., Ltd.".to_owned(),
        provider_name: "株式会社サンプル".to_owned(),
        hours_attended: 12.5,
        course_hours: 13.0,
        activity_start: date!(2026 - 06 - 09),
        activity_end: date!(2026 - 06 - 10),
        issued_on: date!(2026 - 06 - 10),
        valid_until: Some(date!(2029 - 06 - 10)),
        designation_number: Some("第2026-001号".to_owned()),
        designation_period: Some("指定期間 2026年4月1日〜2029年3月31日".to_owned()),
        riss_number: Some("012345".to_owned()),
        criteria: "出席率90%以上、確認テスト合格、アンケート回答".to_owned(),
    }
}

fn credential_json() -> String {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": URL,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "修了証：セキュリティ実践講座",
        "description": "a ]]> in a string must survive SVG baking & <escaping>",
    })
    .to_string()
}

/// What zbarimg reads from the QR codes of an image file.
fn qr_codes(image: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no QR code in {}: {}",
        image.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

// ---- the PDF ----

#[test]
fn the_pdf_is_the_same_bytes_every_time() {
    let t = text();
    let a = certificate_pdf(&t).unwrap();
    assert!(a.starts_with(b"%PDF"));
    assert_eq!(a, certificate_pdf(&t).unwrap());
    let mut other = t;
    other.hours_attended = 12.0;
    assert_ne!(a, certificate_pdf(&other).unwrap());
}

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn the_pdf_reads_back_with_the_name_hours_designation_and_address_on_both_sides() {
    let all = pdf_text(&certificate_pdf(&text()).unwrap());
    let pages: Vec<&str> = all
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), 2, "two sides:\n{all}");
    let (ja, en) = (pages[0], pages[1]);
    for expected in [
        "修了証",
        "山田 太郎",
        "セキュリティ実践講座",
        "株式会社サンプル",
        "12.5時間",
        "13時間",
        "2026年6月9日〜2026年6月10日",
        "第2026-001号",
        "2029年3月31日",
        "012345",
        "出席率90%以上",
        "2029年6月10日",
        URL,
    ] {
        assert!(
            ja.contains(expected),
            "{expected} not on the Japanese side:\n{ja}"
        );
    }
    for expected in [
        "Certificate of Completion",
        "山田 太郎",
        "株式会社サンプル",
        "12.5 hours",
        "13 hours",
        "9 June 2026",
        "10 June 2026",
        "第2026-001号",
        "012345",
        "10 June 2029",
        "attests that",
        "Security Practice Course",
        URL,
    ] {
        assert!(
            en.contains(expected),
            "{expected} not on the English side:\n{en}"
        );
    }
}

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn optional_claims_are_left_out_when_the_credential_has_none() {
    let t = CertificateText {
        valid_until: None,
        designation_number: None,
        designation_period: None,
        riss_number: None,
        activity_start: date!(2026 - 06 - 10),
        ..text()
    };
    let all = pdf_text(&certificate_pdf(&t).unwrap());
    for absent in [
        "指定番号",
        "登録番号",
        "有効期限",
        "Designation",
        "RISS",
        "Valid until",
        "〜",
    ] {
        assert!(
            !all.contains(absent),
            "{absent} printed without a value:\n{all}"
        );
    }
    assert!(all.contains("2026年6月10日") && all.contains("10 June 2026"));
}

#[test]
#[cfg_attr(
    not(all(koshu_pdftotext, koshu_zbar)),
    ignore = "pdftoppm or zbarimg not found: apt-get install poppler-utils zbar-tools"
)]
fn the_qr_code_on_each_side_decodes_to_the_verification_address() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("certificate.pdf");
    std::fs::write(&pdf, certificate_pdf(&text()).unwrap()).unwrap();
    for page in ["1", "2"] {
        let out = dir.path().join(format!("page{page}"));
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "150", "-singlefile", "-f", page, "-l", page])
            .arg(&pdf)
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "pdftoppm page {page}");
        assert_eq!(qr_codes(&out.with_extension("png")), [URL], "page {page}");
    }
}

// ---- the badge images ----

#[test]
fn the_svg_badge_is_an_accessible_image_with_the_course_and_hours() {
    let svg = badge_svg(&text());
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"aria-labelledby="koshu-badge-title koshu-badge-desc""#));
    assert!(svg.contains(
        r#"<title id="koshu-badge-title">修了証：セキュリティ実践講座（12.5時間）</title>"#
    ));
    assert!(svg.contains(">セキュリティ実践講座</tspan>"));
    assert!(svg.contains(">12.5時間</text>") && svg.contains(">12.5 hours</text>"));
    // Text from the credential is escaped.
    let odd = CertificateText {
        course_title: "<script>&\"'".to_owned(),
        ..text()
    };
    let svg = badge_svg(&odd);
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;&amp;&quot;&apos;"));
}

#[test]
fn the_png_badge_is_a_png_and_the_same_bytes_every_time() {
    let png = badge_png(&text()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(png, badge_png(&text()).unwrap());
    assert_eq!(unbake_png(&png).unwrap(), None);
}

#[test]
#[cfg_attr(
    not(koshu_zbar),
    ignore = "zbarimg not found: apt-get install zbar-tools"
)]
fn the_baked_png_badge_qr_code_decodes_to_the_verification_address() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("badge.png");
    let baked = bake_png(&badge_png(&text()).unwrap(), &credential_json()).unwrap();
    std::fs::write(&path, baked).unwrap();
    assert_eq!(qr_codes(&path), [URL]);
}

// ---- baking ----

#[test]
fn png_baking_round_trips_and_replaces_an_earlier_credential() {
    let png = badge_png(&text()).unwrap();
    let json = credential_json();
    let baked = bake_png(&png, &json).unwrap();
    assert_eq!(unbake_png(&baked).unwrap().as_deref(), Some(json.as_str()));
    // The chunk the specification names, uncompressed, right after IHDR.
    let chunk = b"iTXtopenbadgecredential\0\0\0\0\0{";
    let at = baked.windows(chunk.len()).position(|w| w == chunk).unwrap();
    assert_eq!(at, 8 + 25 + 4);
    let again = bake_png(&baked, "{\"id\":\"second\"}").unwrap();
    assert_eq!(
        unbake_png(&again).unwrap().as_deref(),
        Some("{\"id\":\"second\"}")
    );
    assert_eq!(
        again.len(),
        png.len() + 12 + 24 + "{\"id\":\"second\"}".len()
    );
}

/// One PNG chunk with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    out.extend_from_slice(&h.finalize().to_be_bytes());
    out
}

/// `png` with `extra` inserted after IHDR.
fn with_chunk(png: &[u8], extra: &[u8]) -> Vec<u8> {
    [&png[..33], extra, &png[33..]].concat()
}

#[test]
fn unbaking_a_damaged_or_odd_png_is_an_error_not_a_panic() {
    let png = badge_png(&text()).unwrap();
    let baked = bake_png(&png, &credential_json()).unwrap();
    let err = |bytes: &[u8]| unbake_png(bytes).unwrap_err().to_string();

    // One changed character of the credential: its chunk's CRC no longer matches.
    let mut edited = baked.clone();
    let at = edited.windows(5).position(|w| w == b"https").unwrap();
    edited[at] = b'H';
    assert!(err(&edited).contains("CRC"), "{}", err(&edited));
    assert!(bake_png(&edited, "{}").is_err());
    // A damaged pixel chunk too.
    let mut damaged = png.clone();
    let idat = damaged.windows(4).position(|w| w == b"IDAT").unwrap();
    damaged[idat + 10] ^= 0xff;
    assert!(err(&damaged).contains("CRC"));

    for (bytes, what) in [
        (&b""[..], "no PNG signature"),
        (&b"GIF89a"[..], "no PNG signature"),
        (&baked[..8], "ends before"),
        (&baked[..45], "ends inside"),
        (&baked[..baked.len() - 12], "ends before"),
    ] {
        assert!(err(bytes).contains(what), "{what}: {}", err(bytes));
    }
    // A length beyond what PNG allows.
    let mut long = png.clone();
    long[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(err(&long).contains("longer than PNG allows"));
    // IHDR must come first.
    let swapped = [&png[..8], &chunk(b"tEXt", b"a\0b"), &png[8..]].concat();
    assert!(err(&swapped).contains("IHDR"));

    // A compressed credential (the specification forbids compression).
    let compressed = with_chunk(&png, &chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0x"));
    assert!(err(&compressed).contains("compressed"));
    // Not UTF-8.
    let latin1 = with_chunk(&png, &chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0\xff"));
    assert!(err(&latin1).contains("UTF-8"));
    // Cut short before the text.
    let short = with_chunk(&png, &chunk(b"iTXt", b"openbadgecredential\0\0\0en"));
    assert!(err(&short).contains("malformed"));
    // Twice (the specification allows one).
    let twice = with_chunk(&baked, &chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{}"));
    assert!(err(&twice).contains("more than one"));
    // Other iTXt chunks, even odd ones, are someone else's business.
    let other = with_chunk(&png, &chunk(b"iTXt", b"openbadgecredentialX\0\x01"));
    assert_eq!(unbake_png(&other).unwrap(), None);
    let other = with_chunk(&png, &chunk(b"iTXt", b"Comment"));
    assert_eq!(unbake_png(&other).unwrap(), None);
}

#[test]
fn svg_baking_follows_the_specification_and_round_trips() {
    let json = credential_json();
    let baked = bake_svg(&badge_svg(&text()), &json).unwrap();
    assert_eq!(unbake_svg(&baked).as_deref(), Some(json.as_str()));
    // The namespace on the <svg> tag and the element directly after it.
    let root_end = baked.find('>').unwrap();
    assert!(
        baked[..root_end].contains(r#" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0""#)
    );
    assert!(baked[root_end + 1..].starts_with("<openbadges:credential><![CDATA[{"));
    // The ]]> inside the JSON is split across two CDATA sections, not left to end the first.
    assert!(baked.contains("a ]]]]><![CDATA[> in a string"));
    // Baking again replaces the credential and declares the namespace once.
    let again = bake_svg(&baked, "{\"id\":\"second\"}").unwrap();
    assert_eq!(unbake_svg(&again).as_deref(), Some("{\"id\":\"second\"}"));
    assert_eq!(again.matches("<openbadges:credential>").count(), 1);
    assert_eq!(again.matches("xmlns:openbadges=").count(), 1);
    assert_eq!(unbake_svg(&badge_svg(&text())), None);
    // An empty root element.
    let tiny = bake_svg(
        r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#,
        "{}",
    )
    .unwrap();
    assert!(tiny.ends_with("<openbadges:credential><![CDATA[{}]]></openbadges:credential></svg>"));
    assert_eq!(unbake_svg(&tiny).as_deref(), Some("{}"));
}

#[test]
fn svg_unbaking_reads_other_bakers_and_ignores_lookalikes() {
    // The specification's example: indented, the JSON in CDATA.
    let spec = r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg"
  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"
  viewBox="0 0 512 512">
  <openbadges:credential>
    <![CDATA[
      {"id": "http://example.edu/credentials/3732"}
    ]]>
  </openbadges:credential>
  <!-- rest-of-image -->
</svg>"#;
    assert_eq!(
        unbake_svg(spec).as_deref(),
        Some("\n      {\"id\": \"http://example.edu/credentials/3732\"}\n    ")
    );
    // A VC-JWT in the verify attribute.
    let jwt = r#"<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="h.p.s"></openbadges:credential></svg>"#;
    assert_eq!(unbake_svg(jwt).as_deref(), Some("h.p.s"));
    // JSON as escaped character data instead of CDATA.
    let escaped = r#"<svg><openbadges:credential>{&quot;a&quot;:&quot;&lt;&quot;}</openbadges:credential></svg>"#;
    assert_eq!(unbake_svg(escaped).as_deref(), Some(r#"{"a":"<"}"#));
    // A tag in a comment or an attribute value is not the credential.
    let fake = r#"<svg data-x="<openbadges:credential>"><!-- <openbadges:credential>x</openbadges:credential> --></svg>"#;
    assert_eq!(unbake_svg(fake), None);
    // Broken markup: nothing, not a panic; baking it is an error.
    for broken in [
        "<svg><openbadges:credential><![CDATA[{}",
        "<svg><openbadges:credential>{}",
        "<svg><!-- ",
        "<svg a='",
        "",
        "<",
        "&",
    ] {
        assert_eq!(unbake_svg(broken), None, "{broken}");
    }
    assert!(bake_svg("<svg><!-- ", "{}").is_err());
    assert!(bake_svg("<html><svg/></html>", "{}").is_err());
    assert!(bake_svg("no markup at all", "{}").is_err());
}

/// JSON text of arbitrary values: strings with any characters, `]]>` included.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        "[\\]>&<\"' ]{0,12}".prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
    .prop_map(|v| v.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn baking_round_trips_any_json(json in json_text()) {
        let png = badge_png(&text()).unwrap();
        prop_assert_eq!(unbake_png(&bake_png(&png, &json).unwrap()).unwrap(), Some(json.clone()));
        let svg = badge_svg(&text());
        prop_assert_eq!(unbake_svg(&bake_svg(&svg, &json).unwrap()), Some(json));
    }

    #[test]
    fn unbaking_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512), text in any::<String>()) {
        let _ = unbake_png(&bytes);
        let signed = [&b"\x89PNG\r\n\x1a\n"[..], &bytes].concat();
        let _ = unbake_png(&signed);
        let _ = unbake_svg(&text);
        let _ = unbake_svg(&String::from_utf8_lossy(&bytes));
        let _ = bake_svg(&text, "{}");
    }

    #[test]
    fn a_changed_bit_anywhere_in_a_baked_png_is_caught(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut edited = bake_png(&badge_png(&text()).unwrap(), &credential_json()).unwrap();
        let at = at.index(edited.len());
        edited[at] ^= 1 << bit;
        // The signature is compared, and every chunk's length, type and data are covered by
        // its CRC (a changed length misaligns it), so an edit anywhere is an error.
        prop_assert!(unbake_png(&edited).is_err(), "byte {} bit {}", at, bit);
    }

    #[test]
    fn svg_unbaking_survives_any_markup_around_a_credential(
        before in "[<>!\\[\\]CDAT/a-z\"' -]{0,40}",
        after in "[<>!\\[\\]CDAT/a-z\"' -]{0,40}",
    ) {
        let svg = format!("<svg>{before}<openbadges:credential><![CDATA[{{}}]]></openbadges:credential>{after}</svg>");
        let _ = unbake_svg(&svg);
        let _ = bake_svg(&svg, "{}");
    }
}

#[test]
fn a_file_handed_over_gives_its_credential_whether_json_png_or_svg() {
    let json = credential_json();
    let png = bake_png(&badge_png(&text()).unwrap(), &json).unwrap();
    let svg = bake_svg(&badge_svg(&text()), &json).unwrap();
    for file in [json.as_bytes(), &png, svg.as_bytes()] {
        assert_eq!(credential_in_file(file).unwrap(), json);
    }
    assert!(matches!(
        credential_in_file(&badge_png(&text()).unwrap()),
        Err(FormsError::Png(_))
    ));
    assert!(matches!(
        credential_in_file(badge_svg(&text()).as_bytes()),
        Err(FormsError::Svg(_))
    ));
    assert!(credential_in_file(b"\xff\xfe not text").is_err());
}
