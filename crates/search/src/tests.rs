use super::*;
use koshu_domain::catalogue::import::parse_catalogue;
use koshu_domain::catalogue::search::Facet;
use time::macros::date;

const PROVIDERS: &str = r#"
[[provider]]
id = "acme"
name_ja = "アクメ株式会社"
kind = "company"
"#;

fn programme(id: &str, title: &str, summary: &str, field: &str, pref: &str, fee: &str) -> String {
    let item = match id {
        "pt" => "2-6",
        "mg" => "1-2",
        _ => "4-3",
    };
    format!(
        r#"
[[programme]]
id = "{id}"
provider = "acme"
title_ja = "{title}"
summary_ja = "{summary}"
layers = ["practitioner"]
itss_fields = ["{field}"]
syllabus_items = ["{item}"]
kind = "security_technology"
difficulty = "beginner"
format = "in_person"
fee = {fee}
language = "ja"
[[programme.session]]
starts_on = 2026-06-10
prefecture = "{pref}"
city = "市"
"#
    )
}

fn index_with(programmes: &[String]) -> CatalogueIndex {
    let taxonomy = Arc::new(Taxonomy::embedded().unwrap());
    let catalogue = parse_catalogue(PROVIDERS, &programmes.concat(), &taxonomy).unwrap();
    let index = CatalogueIndex::new(taxonomy).unwrap();
    let listings = catalogue
        .programmes
        .into_iter()
        .map(|p| Listing {
            programme: p.programme,
            provider_name_ja: "アクメ株式会社".into(),
            provider_name_en: None,
            provider_url: None,
            sessions: p.sessions,
            updated_on: TODAY,
        })
        .collect();
    index.replace_all(listings).unwrap();
    index
}

fn sample() -> CatalogueIndex {
    index_with(&[
        programme(
            "ir",
            "インシデント対応演習",
            "標的型攻撃への対応を体験します。",
            "sec_monitoring",
            "13",
            r#"{ type = "free" }"#,
        ),
        programme(
            "pt",
            "ペネトレーションテスト実践",
            "Webアプリの脆弱性診断を学ぶ。",
            "vuln_assessment",
            "27",
            r#"{ type = "fixed", yen = 77000 }"#,
        ),
        programme(
            "mg",
            "経営者のためのセキュリティ",
            "経営とリスクの関係。",
            "exec_board",
            "27",
            r#"{ type = "fixed", yen = 5000 }"#,
        ),
    ])
}

fn ids(r: &SearchResults) -> Vec<&str> {
    let mut v: Vec<&str> = r
        .hits
        .iter()
        .map(|h| h.listing.programme.id.as_str())
        .collect();
    v.sort_unstable();
    v
}

fn text(q: &str) -> SearchRequest {
    SearchRequest {
        text: q.into(),
        page: 1,
        ..SearchRequest::default()
    }
}

const TODAY: Date = date!(2026 - 04 - 01);

#[test]
fn two_character_words_and_partial_words_match() {
    let index = sample();
    assert_eq!(ids(&index.search(&text("攻撃"), TODAY).unwrap()), ["ir"]);
    assert_eq!(ids(&index.search(&text("対応"), TODAY).unwrap()), ["ir"]);
    assert_eq!(
        ids(&index.search(&text("ペネトレーション"), TODAY).unwrap()),
        ["pt"]
    );
    assert_eq!(ids(&index.search(&text("インシ"), TODAY).unwrap()), ["ir"]);
}

#[test]
fn widths_do_not_matter() {
    let index = sample();
    assert_eq!(ids(&index.search(&text("ＷＥＢ"), TODAY).unwrap()), ["pt"]);
    assert_eq!(
        ids(&index.search(&text("ﾍﾟﾈﾄﾚｰｼｮﾝ"), TODAY).unwrap()),
        ["pt"]
    );
}

#[test]
fn places_and_taxonomy_labels_are_searchable() {
    let index = sample();
    assert_eq!(
        ids(&index.search(&text("大阪"), TODAY).unwrap()),
        ["mg", "pt"]
    );
    assert_eq!(
        ids(&index.search(&text("Osaka"), TODAY).unwrap()),
        ["mg", "pt"]
    );
    // The field label 脆弱性診断・ペネトレーションテスト is indexed with the programme.
    assert_eq!(
        ids(&index.search(&text("脆弱性診断"), TODAY).unwrap()),
        ["pt"]
    );
}

#[test]
fn every_word_must_match() {
    let index = sample();
    assert_eq!(
        ids(&index.search(&text("経営 リスク"), TODAY).unwrap()),
        ["mg"]
    );
    assert!(
        index
            .search(&text("経営 攻撃"), TODAY)
            .unwrap()
            .hits
            .is_empty()
    );
}

#[test]
fn matches_are_marked_and_text_is_escaped() {
    let index = index_with(&[programme(
        "x",
        "<b>攻撃</b>入門",
        "攻撃を知る",
        "sec_monitoring",
        "13",
        r#"{ type = "free" }"#,
    )]);
    let hit = &index.search(&text("攻撃"), TODAY).unwrap().hits[0];
    assert!(
        hit.title_html.contains("<mark>攻撃</mark>"),
        "{}",
        hit.title_html
    );
    assert!(
        hit.title_html.starts_with("&lt;b&gt;"),
        "{}",
        hit.title_html
    );
    assert!(
        hit.excerpt_html.contains("<mark>攻撃</mark>"),
        "{}",
        hit.excerpt_html
    );
}

#[test]
fn facets_count_each_choice_as_if_its_own_selection_were_open() {
    let index = sample();
    let mut req = text("");
    req.filters.select(Facet::Prefecture, "27");
    let r = index.search(&req, TODAY).unwrap();
    assert_eq!(ids(&r), ["mg", "pt"]);
    let prefectures = &r.facets[&Facet::Prefecture];
    assert_eq!(
        prefectures.get("13"),
        Some(&1),
        "Tokyo still offered while Osaka is chosen"
    );
    assert_eq!(prefectures.get("27"), Some(&2));
    let fees = &r.facets[&Facet::Fee];
    assert_eq!(
        (fees.get("to10k"), fees.get("to100k"), fees.get("free")),
        (Some(&1), Some(&1), None)
    );
}

#[test]
fn empty_results_say_which_filter_to_drop() {
    let index = sample();
    let mut req = text("攻撃");
    req.filters.select(Facet::Prefecture, "27");
    let r = index.search(&req, TODAY).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(
        r.relaxations,
        vec![Relaxation {
            facet: Facet::Prefecture,
            code: "27".into(),
            count: 1
        }]
    );
}

#[test]
fn changes_replace_and_remove() {
    let index = sample();
    let taxonomy = Arc::new(Taxonomy::embedded().unwrap());
    let changed = parse_catalogue(
        PROVIDERS,
        &programme(
            "ir",
            "フォレンジック演習",
            "証拠保全を学ぶ",
            "sec_research",
            "01",
            r#"{ type = "free" }"#,
        ),
        &taxonomy,
    )
    .unwrap();
    let p = changed.programmes.into_iter().next().unwrap();
    index
        .apply(
            vec![Listing {
                programme: p.programme,
                provider_name_ja: "アクメ株式会社".into(),
                provider_name_en: None,
                provider_url: None,
                sessions: p.sessions,
                updated_on: TODAY,
            }],
            &[],
        )
        .unwrap();
    assert!(index.search(&text("攻撃"), TODAY).unwrap().hits.is_empty());
    assert_eq!(
        ids(&index.search(&text("証拠保全"), TODAY).unwrap()),
        ["ir"]
    );
    index.apply(Vec::new(), &["ir".to_owned()]).unwrap();
    assert!(
        index
            .search(&text("証拠保全"), TODAY)
            .unwrap()
            .hits
            .is_empty()
    );
    assert_eq!(index.len(), 2);
}

#[test]
fn compounds_are_cut_where_the_script_changes() {
    let (must, should) = tokens_of("インシデント対応");
    assert!(
        must.contains(&"対応".to_owned())
            && must.contains(&"インシ".chars().take(2).collect::<String>())
    );
    assert_eq!(should, ["ト対"]);
    let (must, _) = tokens_of("経営者のための");
    assert!(!must.contains(&"の".to_owned()), "{must:?}");
}

#[test]
fn a_compound_matches_its_parts_apart_and_ranks_the_phrase_first() {
    let index = index_with(&[
        programme(
            "apart",
            "演習",
            "インシデントの検知から対応まで",
            "sec_monitoring",
            "13",
            r#"{ type = "free" }"#,
        ),
        programme(
            "phrase",
            "インシデント対応の基礎",
            "基礎",
            "sec_monitoring",
            "13",
            r#"{ type = "free" }"#,
        ),
    ]);
    let r = index.search(&text("インシデント対応"), TODAY).unwrap();
    let order: Vec<&str> = r
        .hits
        .iter()
        .map(|h| h.listing.programme.id.as_str())
        .collect();
    assert_eq!(order, ["phrase", "apart"]);
}

#[test]
fn fragments_of_a_part_are_not_marked() {
    let index = index_with(&[programme(
        "x",
        "インシデント対応とインフラ",
        "インシデント",
        "sec_monitoring",
        "13",
        r#"{ type = "free" }"#,
    )]);
    let hit = &index.search(&text("インシデント"), TODAY).unwrap().hits[0];
    assert_eq!(hit.title_html, "<mark>インシデント</mark>対応とインフラ");
}

/// Like `programme`, at another level (`difficulty` code).
fn at_level(id: &str, title: &str, summary: &str, difficulty: &str) -> String {
    programme(
        id,
        title,
        summary,
        "sec_monitoring",
        "13",
        r#"{ type = "free" }"#,
    )
    .replace(
        r#"difficulty = "beginner""#,
        &format!("difficulty = \"{difficulty}\""),
    )
}

#[test]
fn a_latin_word_matches_only_as_a_whole_word() {
    let index = index_with(&[
        at_level("ciso", "CISO向けセミナー", "経営と統括。", "intro"),
        at_level(
            "csirt",
            "CSIRT構築演習",
            "Incident analysis and social engineering.",
            "intro",
        ),
        at_level("sechack", "SecHack365", "若手の育成", "intro"),
    ]);
    // Before, Latin text was cut into bigrams too: ci, is and so in "Incident analysis and
    // social engineering" matched CISO.
    assert_eq!(ids(&index.search(&text("CISO"), TODAY).unwrap()), ["ciso"]);
    assert_eq!(
        ids(&index.search(&text("ｃｉｓｏ"), TODAY).unwrap()),
        ["ciso"]
    );
    assert!(index.search(&text("CIS"), TODAY).unwrap().hits.is_empty());
    assert_eq!(
        ids(&index.search(&text("SecHack"), TODAY).unwrap()),
        ["sechack"]
    );
    assert_eq!(
        ids(&index.search(&text("sechack365"), TODAY).unwrap()),
        ["sechack"]
    );
    assert_eq!(
        ids(&index.search(&text("CSIRT構築"), TODAY).unwrap()),
        ["csirt"]
    );
    let hit = &index.search(&text("ciso"), TODAY).unwrap().hits[0];
    assert_eq!(hit.title_html, "<mark>CISO</mark>向けセミナー");
}

#[test]
fn a03_a_synonym_also_finds_what_the_catalogue_calls_it() {
    let index = index_with(&[
        at_level("intro", "セキュリティの基本", "はじめの一歩。", "intro"),
        at_level("beginner", "演習", "手を動かす。", "beginner"),
        at_level("advanced", "高度な演習", "専門家向け。", "advanced"),
        at_level("words", "初心者のための講座", "やさしく学ぶ。", "advanced"),
    ]);
    // 入門 and 初級 are the level labels, indexed with each programme.
    assert_eq!(
        ids(&index.search(&text("初心者"), TODAY).unwrap()),
        ["beginner", "intro", "words"]
    );
    assert_eq!(
        ids(&index.search(&text("初心者 演習"), TODAY).unwrap()),
        ["beginner"],
        "the other words must still match"
    );
    assert_eq!(
        ids(&index.search(&text("入門"), TODAY).unwrap()),
        ["intro"],
        "one direction only"
    );
}

#[test]
fn the_english_title_and_summary_are_marked_too() {
    let toml = at_level("x", "インシデント対応", "対応を学ぶ", "intro").replace(
        "summary_ja =",
        "title_en = \"Incident response\"\nsummary_en = \"Learn incident response.\"\nsummary_ja =",
    );
    let index = index_with(&[toml]);
    let hit = &index.search(&text("incident"), TODAY).unwrap().hits[0];
    assert_eq!(
        hit.title_en_html.as_deref(),
        Some("<mark>Incident</mark> response")
    );
    assert_eq!(
        hit.excerpt_en_html.as_deref(),
        Some("Learn <mark>incident</mark> response.")
    );
    let plain = &index.search(&text(""), TODAY).unwrap().hits[0];
    assert_eq!(
        plain.excerpt_en_html.as_deref(),
        Some("Learn incident response.")
    );
}

#[test]
fn a02_levels_are_counted() {
    let index = index_with(&[
        at_level("a", "甲", "s", "intro"),
        at_level("b", "乙", "s", "intro"),
        at_level("c", "丙", "s", "intermediate"),
    ]);
    let mut req = text("");
    req.filters.select(Facet::Difficulty, "intro");
    let r = index.search(&req, TODAY).unwrap();
    assert_eq!(ids(&r), ["a", "b"]);
    let levels = &r.facets[&Facet::Difficulty];
    assert_eq!(
        (levels.get("intro"), levels.get("intermediate")),
        (Some(&2), Some(&1))
    );
}
