//! `koshu keys` and `koshu verify` (issue 17; D06): what they read and what they print. The
//! commands themselves are in `cli.rs`; the work is the workflow's.

use koshu_credentials::achievement::Claims;
use koshu_credentials::verify::{SignatureCheck, StatusCheck, Verdict};
use koshu_domain::types::date_ja;
use koshu_store::credentials::IssuerKey;
use koshu_workflow::JST;
use serde_json::Value;
use std::fmt::Write;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What `koshu verify` was given.
#[derive(Debug)]
pub enum Source {
    /// A credential as JSON (read from a file, or from a baked image).
    Document(Value),
    /// A verification address (`https://HOST/verify/{id}`, a QR code's target): the
    /// credential is the one this site keeps under that id.
    Kept(String),
}

/// Reads the argument of `koshu verify`: an http(s) address, or a file.
pub fn read_source(arg: &str) -> Result<Source, String> {
    if arg.starts_with("https://") || arg.starts_with("http://") {
        return kept_id(arg).map(Source::Kept).ok_or_else(|| {
            format!(
                "{arg}: not a verification address (…/verify/ID) / 検証ページの URL ではありません"
            )
        });
    }
    let bytes = std::fs::read(arg).map_err(|e| format!("{arg}: {e}"))?;
    let text =
        koshu_forms::certificate::credential_in_file(&bytes).map_err(|e| format!("{arg}: {e}"))?;
    koshu_credentials::verify::parse(&text)
        .map(Source::Document)
        .map_err(|e| format!("{arg}: {e}"))
}

/// The credential id of a verification address: the path's last segment after `/verify/`
/// (`/en/verify/…` too), without query or fragment.
fn kept_id(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["verify", id] | ["en", "verify", id] => Some((*id).to_owned()),
        _ => None,
    }
}

/// An `xsd:dateTime` as people read it: `2026年6月10日`, in Japan's time; as given when it
/// does not read as one.
fn day_of(text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| date_ja(t.to_offset(JST).date()))
        .unwrap_or_else(|_| text.to_owned())
}

fn hours(h: f64) -> String {
    let text = format!("{h:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The verdict and every claim, Japanese first, one fact a line.
pub fn report(verdict: &Verdict) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label}: {value}");
    };
    line(
        "結果 / Verdict",
        &format!(
            "{} / {} [{}]",
            verdict.label_ja(),
            verdict.label_en(),
            verdict.code()
        ),
    );
    line(
        "署名 / Signature",
        &match &verdict.signature {
            SignatureCheck::Valid {
                verification_method,
            } => format!("有効 / valid ({verification_method})"),
            SignatureCheck::Invalid { reason } => format!("無効 / invalid: {reason}"),
        },
    );
    line(
        "状態 / Status",
        &match &verdict.status {
            StatusCheck::NoStatus => "状態の記載なし / no status entry".to_owned(),
            StatusCheck::Known(s) => format!("{} / {}", s.label_ja(), s.label_en()),
            StatusCheck::Unavailable { reason } => {
                format!("確認できません / unavailable: {reason}")
            }
        },
    );
    let Some(c) = &verdict.claims else {
        line(
            "内容 / Claims",
            "Koshu の修了証の形ではありません / not shaped as a Koshu certificate",
        );
        return out;
    };
    claims(c, verdict, &mut line);
    out
}

fn claims(c: &Claims, verdict: &Verdict, line: &mut impl FnMut(&str, &str)) {
    line(
        "有効期間 / Valid",
        &format!(
            "{} 〜 {} ({})",
            day_of(&c.valid_from),
            c.valid_until
                .as_deref()
                .map_or_else(|| "期限なし / no end".to_owned(), day_of),
            verdict.validity.code()
        ),
    );
    line("修了証 / Credential", &c.id);
    line(
        "発行者 / Issuer",
        &format!("{} ({})", c.issuer.name, c.issuer.id),
    );
    if !c.issuer.url.is_empty() {
        line("発行者の URL / Issuer's page", &c.issuer.url);
    }
    line("受講者 / Learner", &c.learner_name);
    if let Some(riss) = &c.riss_number {
        line("情報処理安全確保支援士 登録番号 / RISS number", riss);
    }
    line(
        "メールアドレス（ハッシュ） / E-mail (hashed)",
        &c.email_hash,
    );
    line("講座 / Course", &c.course);
    if !c.course_description.is_empty() {
        line("講座の概要 / About the course", &c.course_description);
    }
    if !c.statement_en.is_empty() {
        line("Statement", &c.statement_en);
    }
    line(
        "時間 / Hours",
        &format!(
            "{} 時間（講座 {} 時間） / {} of {} hours",
            hours(c.hours_earned),
            hours(c.course_hours),
            hours(c.hours_earned),
            hours(c.course_hours)
        ),
    );
    line(
        "受講期間 / Attended",
        &format!(
            "{} 〜 {}",
            day_of(&c.activity_start),
            day_of(&c.activity_end)
        ),
    );
    if let Some(d) = &c.designation {
        line(
            "特定講習 / Specified Course",
            &format!("{}（指定期間 {}）", d.number, d.period),
        );
    }
    for f in &c.fields {
        let code = f.code.as_deref().unwrap_or("");
        let en = f.description.as_deref().unwrap_or("");
        line(
            "分野・項目 / Field",
            &format!("{} {code} {en}", f.name).replace("  ", " "),
        );
    }
    if !c.criteria.is_empty() {
        line(
            "修了基準 / Criteria",
            &c.criteria.replace("\n\n", " / ").replace('\n', "; "),
        );
    }
}

/// The keys of `koshu keys list`: one line each, tab-separated after a header; the public
/// half only.
pub fn key_lines(keys: &[(IssuerKey, String)]) -> String {
    let mut out = String::from(
        "組織 / Organisation\t名称 / Name\t鍵 / Key\t公開鍵 / Public key\t作成 / Created\t状態 / State\n",
    );
    for (k, name) in keys {
        let state = match k.retired_at {
            Some(at) => format!("廃止 / retired {}", moment(at)),
            None => "現用 / current".to_owned(),
        };
        let _ = writeln!(
            out,
            "{}\t{name}\t{}\t{}\t{}\t{state}",
            k.organisation_id,
            k.fragment,
            k.public_multibase,
            moment(k.created_at)
        );
    }
    out
}

/// `2026年6月10日 09:00` in Japan's time.
fn moment(at: OffsetDateTime) -> String {
    let at = at.to_offset(JST);
    format!("{} {:02}:{:02}", date_ja(at.date()), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_address_names_the_kept_credential() {
        for url in [
            "https://koshu.example/verify/0193-abc",
            "http://127.0.0.1:8080/en/verify/0193-abc?x=1",
            "https://koshu.example/verify/0193-abc/#top",
        ] {
            assert_eq!(kept_id(url).as_deref(), Some("0193-abc"), "{url}");
        }
        assert_eq!(kept_id("https://koshu.example/verify/"), None);
        assert_eq!(kept_id("https://koshu.example/status/o/1"), None);
    }

    #[test]
    fn hours_read_without_trailing_zeros() {
        assert_eq!(hours(12.5), "12.5");
        assert_eq!(hours(12.0), "12");
        assert_eq!(hours(0.25), "0.25");
    }
}
