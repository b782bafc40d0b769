//! The catalogue search index (A03). The database stays the source of truth: the index is
//! built from it at start-up and kept in step by applying each change. Text is matched by a
//! tantivy index of character uni- and bigrams for Japanese (no dictionary is needed: 対応,
//! 攻撃 and partial words match) and whole words for Latin script (`tokenize`); a query word
//! listed in the reference data's synonyms also matches what it means (初心者 → 入門, 初級).
//! Filters, facet counts, sorting and paging follow the domain's rules
//! (`koshu_domain::catalogue::search`) over an in-memory snapshot of every programme.

mod normalize;
mod tokenize;

use koshu_domain::catalogue::search::{
    self, Candidate, FacetCounts, Facts, Filters, Relaxation, Sort, Vocabulary,
};
use koshu_domain::catalogue::{Programme, Session};
use koshu_domain::taxonomy::Taxonomy;
use normalize::normalize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};
use time::Date;
use tokenize::CatalogueTokenizer;

/// A programme as the catalogue lists it: with its provider's name and its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub programme: Programme,
    pub provider_name_ja: String,
    pub provider_name_en: Option<String>,
    pub provider_url: Option<String>,
    pub sessions: Vec<Session>,
    /// The day (in Japan) the programme last changed: A05's staleness is counted from it.
    pub updated_on: Date,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: usize,
}

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub listing: Arc<Listing>,
    /// The title and a summary excerpt as HTML: escaped text with `<mark>` around matches.
    pub title_html: String,
    pub excerpt_html: String,
    /// The same from the English title and summary, where the programme has them.
    pub title_en_html: Option<String>,
    pub excerpt_en_html: Option<String>,
    pub next_session: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub hits: Vec<SearchHit>,
    pub facets: FacetCounts,
    pub relaxations: Vec<Relaxation>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index lock poisoned")]
    Poisoned,
}

struct Entry {
    listing: Arc<Listing>,
    facts: Facts,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    key: Field,
    title: Field,
    summary: Field,
    body: Field,
    places: Field,
}

const TOKENIZER: &str = "catalogue";
const EXCERPT_CHARS: usize = 160;

impl Fields {
    /// Each searched field with its weight: a match in the title counts most.
    fn weighted(&self) -> [(Field, f32); 4] {
        [
            (self.title, 3.0),
            (self.summary, 1.5),
            (self.body, 1.0),
            (self.places, 1.0),
        ]
    }
}

pub struct CatalogueIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    taxonomy: Arc<Taxonomy>,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    /// The facet values of every entry's facts, as ids.
    vocabulary: RwLock<Vocabulary>,
    /// Each indexed version of a programme gets a fresh key; hits are mapped back through it.
    keys: RwLock<HashMap<u64, Arc<Entry>>>,
    next_key: AtomicU64,
    /// Each synonym word, folded, with the folded words it also matches.
    synonyms: HashMap<String, Vec<String>>,
}

impl fmt::Debug for CatalogueIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogueIndex")
            .field("programmes", &self.len())
            .finish_non_exhaustive()
    }
}

impl CatalogueIndex {
    /// An empty index in memory.
    pub fn new(taxonomy: Arc<Taxonomy>) -> Result<Self, SearchError> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: schema.add_text_field("id", STRING),
            key: schema.add_u64_field("key", INDEXED | FAST),
            title: schema.add_text_field("title", text.clone()),
            summary: schema.add_text_field("summary", text.clone()),
            body: schema.add_text_field("body", text.clone()),
            places: schema.add_text_field("places", text),
        };
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register(TOKENIZER, TextAnalyzer::from(CatalogueTokenizer));
        let writer = index.writer_with_num_threads(1, 32_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let synonyms = taxonomy
            .synonyms()
            .iter()
            .flat_map(|entry| {
                let means: Vec<String> = entry.means.iter().map(|m| normalize(m)).collect();
                entry
                    .words
                    .iter()
                    .map(move |w| (normalize(w), means.clone()))
            })
            .collect();
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms,
            taxonomy,
            entries: RwLock::new(HashMap::new()),
            vocabulary: RwLock::new(Vocabulary::default()),
            keys: RwLock::new(HashMap::new()),
            next_key: AtomicU64::new(1),
        })
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the whole index with these listings.
    pub fn replace_all(&self, listings: Vec<Listing>) -> Result<(), SearchError> {
        {
            let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            writer.delete_all_documents()?;
            writer.commit()?;
        }
        self.entries
            .write()
            .map_err(|_| SearchError::Poisoned)?
            .clear();
        self.keys
            .write()
            .map_err(|_| SearchError::Poisoned)?
            .clear();
        *self.vocabulary.write().map_err(|_| SearchError::Poisoned)? = Vocabulary::default();
        self.apply(listings, &[])
    }

    /// Adds or replaces `upserts` and removes the programmes `removed`, in one commit.
    pub fn apply(&self, upserts: Vec<Listing>, removed: &[String]) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let mut new_entries = Vec::with_capacity(upserts.len());
        for id in removed.iter().chain(
            upserts
                .iter()
                .map(|l| l.programme.id.as_str().to_owned())
                .collect::<Vec<_>>()
                .iter(),
        ) {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        let mut new_keys = Vec::with_capacity(upserts.len());
        let mut vocabulary = self.vocabulary.write().map_err(|_| SearchError::Poisoned)?;
        for listing in upserts {
            let key = self.next_key.fetch_add(1, Ordering::Relaxed);
            let id = listing.programme.id.as_str().to_owned();
            writer.add_document(self.document(&listing, key))?;
            let facts = Facts::of(
                &listing.programme,
                &listing.sessions,
                |item| self.taxonomy.syllabus_item(item).map(|i| i.subject.clone()),
                &mut vocabulary,
            );
            let entry = Arc::new(Entry {
                listing: Arc::new(listing),
                facts,
            });
            new_keys.push((key, Arc::clone(&entry)));
            new_entries.push((id, entry));
        }
        // Released before the entries lock: searches take entries first, then the vocabulary.
        drop(vocabulary);
        writer.commit()?;
        self.reader.reload()?;
        let mut entries = self.entries.write().map_err(|_| SearchError::Poisoned)?;
        let mut keys = self.keys.write().map_err(|_| SearchError::Poisoned)?;
        for id in removed {
            entries.remove(id);
        }
        let replaced: std::collections::HashSet<&str> = removed
            .iter()
            .map(String::as_str)
            .chain(new_entries.iter().map(|(id, _)| id.as_str()))
            .collect();
        keys.retain(|_, e| !replaced.contains(e.listing.programme.id.as_str()));
        keys.extend(new_keys);
        entries.extend(new_entries);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<Arc<Listing>> {
        self.entries
            .read()
            .ok()?
            .get(id)
            .map(|e| Arc::clone(&e.listing))
    }

    /// Every listing, in no particular order: for the sessions view and exports.
    pub fn all(&self) -> Vec<Arc<Listing>> {
        self.entries
            .read()
            .map(|e| e.values().map(|e| Arc::clone(&e.listing)).collect())
            .unwrap_or_default()
    }

    fn document(&self, l: &Listing, key: u64) -> TantivyDocument {
        let p = &l.programme;
        let t = &self.taxonomy;
        let both = |label: Option<&koshu_domain::taxonomy::Label>| {
            label
                .map(|l| format!("{} {}", l.ja, l.en))
                .unwrap_or_default()
        };
        let mut body: Vec<String> = vec![
            p.purpose_ja.clone(),
            p.goals_ja.join(" "),
            p.skills_ja.join(" "),
            p.prerequisites_ja.clone(),
            p.eligibility_ja.clone(),
            p.duration_ja.clone(),
            l.provider_name_ja.clone(),
            l.provider_name_en.clone().unwrap_or_default(),
            both(t.kind(&p.kind).map(|x| &x.label)),
            both(t.format(&p.format).map(|x| &x.label)),
            both(t.difficulty(&p.difficulty).map(|x| &x.label)),
        ];
        body.extend(p.layers.iter().map(|c| both(t.layer(c).map(|x| &x.label))));
        body.extend(
            p.audiences
                .iter()
                .map(|c| both(t.audience(c).map(|x| &x.label))),
        );
        body.extend(
            p.itss_fields
                .iter()
                .map(|c| both(t.itss_field(c).map(|x| &x.label))),
        );
        body.extend(
            p.syllabus_items
                .iter()
                .map(|c| both(t.syllabus_item(c).map(|x| &x.label))),
        );
        let mut places: Vec<String> = Vec::new();
        for s in &l.sessions {
            if let Some(pref) = s.prefecture {
                let info = t.prefecture(pref);
                places.push(format!("{} {}", info.name.ja, info.name.en));
            }
            places.extend(s.city.iter().chain(s.venue.iter()).cloned());
            if s.online {
                places.push("オンライン online".to_owned());
            }
        }
        places.sort();
        places.dedup();
        doc!(
            self.fields.id => p.id.as_str(),
            self.fields.key => key,
            self.fields.title => format!("{} {}", p.title_ja, p.title_en.as_deref().unwrap_or("")),
            self.fields.summary => format!("{} {}", p.summary_ja, p.summary_en.as_deref().unwrap_or("")),
            self.fields.body => body.join("\n"),
            self.fields.places => places.join("\n"),
        )
    }

    /// The query's words, folded, each with the words it also matches (its synonyms).
    fn words(&self, text: &str) -> Vec<(String, &[String])> {
        normalize(text)
            .split_whitespace()
            .map(|word| {
                let means = self.synonyms.get(word).map_or(&[][..], Vec::as_slice);
                (word.to_owned(), means)
            })
            .collect()
    }

    /// Each word of the query must occur, or one of its synonyms; matches in the title weigh
    /// most. Without a dictionary, a word is cut where the script changes (インシデント|対応,
    /// CSIRT|構築), so compounds match their parts anywhere; the n-grams spanning a cut only
    /// raise the score, putting the exact phrase first.
    fn text_query(&self, text: &str) -> Option<BooleanQuery> {
        let mut required: Vec<String> = Vec::new();
        let mut bonus: Vec<String> = Vec::new();
        // A word with synonyms is a choice of alternatives, each with its own terms.
        let mut choices: Vec<Vec<(Vec<String>, Vec<String>)>> = Vec::new();
        for (word, means) in self.words(text) {
            if means.is_empty() {
                let (must, should) = tokens_of(&word);
                required.extend(must);
                bonus.extend(should);
            } else {
                choices.push(
                    std::iter::once(word.as_str())
                        .chain(means.iter().map(String::as_str))
                        .map(tokens_of)
                        .filter(|(must, _)| !must.is_empty())
                        .collect(),
                );
            }
        }
        required.sort();
        required.dedup();
        bonus.retain(|t| !required.contains(t));
        choices.retain(|c| !c.is_empty());
        if required.is_empty() && choices.is_empty() {
            return None;
        }
        let any_field = |token: &str| -> Box<dyn Query> {
            let per_field: Vec<(Occur, Box<dyn Query>)> = self
                .fields
                .weighted()
                .into_iter()
                .map(|(field, weight)| {
                    let term = TermQuery::new(
                        Term::from_field_text(field, token),
                        IndexRecordOption::WithFreqs,
                    );
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(term), weight)) as Box<dyn Query>,
                    )
                })
                .collect();
            Box::new(BooleanQuery::new(per_field))
        };
        let all_of = |must: &[String], should: &[String]| -> Vec<(Occur, Box<dyn Query>)> {
            must.iter()
                .map(|t| (Occur::Must, any_field(t)))
                .chain(should.iter().map(|t| (Occur::Should, any_field(t))))
                .collect()
        };
        let mut clauses = all_of(&required, &bonus);
        for alternatives in &choices {
            // Only `Should` clauses: at least one alternative must match.
            let any: Vec<(Occur, Box<dyn Query>)> = alternatives
                .iter()
                .map(|(must, should)| {
                    (
                        Occur::Should,
                        Box::new(BooleanQuery::new(all_of(must, should))) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        Some(BooleanQuery::new(clauses))
    }

    pub fn search(&self, req: &SearchRequest, today: Date) -> Result<SearchResults, SearchError> {
        let entries = self.entries.read().map_err(|_| SearchError::Poisoned)?;
        let keys = self.keys.read().map_err(|_| SearchError::Poisoned)?;
        let searcher = self.reader.searcher();
        let query = self.text_query(&req.text);
        let candidates: Vec<Candidate<'_, Entry>> = match &query {
            None => entries
                .values()
                .map(|e| Candidate {
                    item: e.as_ref(),
                    facts: &e.facts,
                    score: 0.0,
                })
                .collect(),
            Some(q) => {
                let limit = entries.len().max(1);
                let top = searcher.search(q, &TopDocs::with_limit(limit).order_by_score())?;
                let mut columns = HashMap::new();
                let mut out = Vec::with_capacity(top.len());
                for (score, addr) in top {
                    let column = match columns.entry(addr.segment_ord) {
                        std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                        std::collections::hash_map::Entry::Vacant(v) => v.insert(
                            searcher
                                .segment_reader(addr.segment_ord)
                                .fast_fields()
                                .u64("key")?,
                        ),
                    };
                    let entry = column.first(addr.doc_id).and_then(|key| keys.get(&key));
                    if let Some(e) = entry {
                        out.push(Candidate {
                            item: e.as_ref(),
                            facts: &e.facts,
                            score,
                        });
                    }
                }
                out
            }
        };
        let vocabulary = self.vocabulary.read().map_err(|_| SearchError::Poisoned)?;
        let outcome = search::run(
            candidates,
            &req.filters,
            req.sort,
            req.page,
            today,
            &vocabulary,
        );
        let parts = self.parts_of(&req.text);
        let highlighters = match &query {
            Some(q) => Some((
                self.snippets(&searcher, q, self.fields.title, 400)?,
                self.snippets(&searcher, q, self.fields.summary, EXCERPT_CHARS)?,
            )),
            None => None,
        };
        let hits = outcome
            .hits
            .iter()
            .map(|c| {
                let p = &c.item.listing.programme;
                let title = |text: &str| match &highlighters {
                    Some((title, _)) => highlight(title, text, &parts),
                    None => escape(text),
                };
                let summary = |text: &str| match &highlighters {
                    Some((_, summary)) => excerpt(summary, text, &parts),
                    None => escape(&truncate(text, EXCERPT_CHARS)),
                };
                SearchHit {
                    listing: Arc::clone(&c.item.listing),
                    title_html: title(&p.title_ja),
                    excerpt_html: summary(&p.summary_ja),
                    title_en_html: english(p.title_en.as_deref()).map(title),
                    excerpt_en_html: english(p.summary_en.as_deref()).map(summary),
                    next_session: c.facts.next_session(today),
                }
            })
            .collect();
        Ok(SearchResults {
            total: outcome.total,
            page: outcome.page,
            pages: outcome.pages,
            hits,
            facets: outcome.facets,
            relaxations: outcome.relaxations,
        })
    }

    fn snippets(
        &self,
        searcher: &tantivy::Searcher,
        query: &BooleanQuery,
        field: Field,
        chars: usize,
    ) -> Result<SnippetGenerator, SearchError> {
        let mut generator = SnippetGenerator::create(searcher, query, field)?;
        generator.set_max_num_chars(chars);
        Ok(generator)
    }

    /// The parts of a query that a highlight must cover whole: each word and each of its
    /// synonyms, cut at script changes, without lone particles.
    fn parts_of(&self, text: &str) -> Vec<String> {
        self.words(text)
            .into_iter()
            .flat_map(|(word, means)| std::iter::once(word).chain(means.iter().cloned()))
            .flat_map(|word| {
                meaningful_runs(&word)
                    .into_iter()
                    .map(|r| r.iter().collect::<String>())
            })
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Hiragana,
    Katakana,
    Kanji,
    Latin,
    Other,
}

fn script(c: char) -> Script {
    match c {
        'ぁ'..='ゟ' => Script::Hiragana,
        'ァ'..='ヿ' => Script::Katakana,
        '一'..='鿿' | '々' | '〆' | '㐀'..='䶿' => Script::Kanji,
        c if c.is_ascii_alphanumeric() => Script::Latin,
        _ => Script::Other,
    }
}

fn meaningful_runs(word: &str) -> Vec<Vec<char>> {
    let chars: Vec<char> = word.chars().collect();
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut start = 0;
    for i in 1..=chars.len() {
        if i == chars.len() || script(chars[i]) != script(chars[i - 1]) {
            runs.push(chars[start..i].to_vec());
            start = i;
        }
    }
    // A lone kana between parts (の, を) is a particle: it carries no meaning on its own.
    let many = runs.len() > 1;
    runs.into_iter()
        .filter(|run| {
            !(many && run.len() == 1 && matches!(script(run[0]), Script::Hiragana | Script::Other))
        })
        .collect()
}

/// The terms a word requires, and those that only reward the exact phrase. A Latin part is
/// required whole (as the index holds it); a Japanese part as its n-grams.
fn tokens_of(word: &str) -> (Vec<String>, Vec<String>) {
    let runs = meaningful_runs(word);
    let mut must = Vec::new();
    for run in &runs {
        if run.first().is_some_and(|c| script(*c) == Script::Latin) {
            must.extend(tokenize::word_terms(&run.iter().collect::<String>()));
            continue;
        }
        if run.len() == 1 {
            must.push(run[0].to_string());
        }
        must.extend(run.windows(2).map(|w| w.iter().collect::<String>()));
    }
    // The index has no n-gram across a Latin word's edge, so only Japanese cuts earn a bonus.
    let should = runs
        .windows(2)
        .filter_map(|pair| {
            let (last, first) = (*pair[0].last()?, *pair[1].first()?);
            (script(last) != Script::Latin && script(first) != Script::Latin)
                .then(|| [last, first].iter().collect())
        })
        .collect();
    (must, should)
}

/// The whole text with matches marked (for titles, which fit in the generator's window).
fn highlight(generator: &SnippetGenerator, text: &str, parts: &[String]) -> String {
    let snippet = generator.snippet(text);
    let start = snippet.fragment_range().start;
    let ranges: Vec<Range<usize>> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + start..r.end + start)
        .collect();
    mark(text, &ranges, parts)
}

/// A window of the text around the best matches, or its beginning when nothing matched.
fn excerpt(generator: &SnippetGenerator, text: &str, parts: &[String]) -> String {
    let snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        escape(&truncate(text, EXCERPT_CHARS))
    } else {
        let range = snippet.fragment_range();
        let mut html = String::new();
        if range.start > 0 {
            html.push('…');
        }
        html.push_str(&mark(snippet.fragment(), snippet.highlighted(), parts));
        if range.end < text.len() {
            html.push('…');
        }
        html
    }
}

/// An English text, where there is one.
fn english(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Escapes `text` and wraps the byte `ranges` (which may overlap) in `<mark>`.
/// Only runs that cover a whole query part are marked: n-grams alone would mark 「イン」 in
/// 「インフラ」 when the query is 「インシデント」.
fn mark(text: &str, ranges: &[Range<usize>], parts: &[String]) -> String {
    let mut merged: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| {
            r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    merged.sort_by_key(|r| r.start);
    let mut joined: Vec<Range<usize>> = Vec::new();
    for r in merged {
        match joined.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => joined.push(r),
        }
    }
    joined.retain(|r| {
        parts.is_empty()
            || parts
                .iter()
                .any(|part| normalize(&text[r.clone()]).contains(part.as_str()))
    });
    let mut out = String::with_capacity(text.len() + joined.len() * 13);
    let mut at = 0;
    for r in joined {
        out.push_str(&escape(&text[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
