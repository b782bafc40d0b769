//! What a catalogue search means (A02, A03), independent of how text is matched: the filters a
//! visitor can combine, facet counts, sorting, pagination, and which filter to drop when
//! nothing matches. Within one facet the chosen values are alternatives (OR); different facets
//! must all hold (AND). Facet counts are "disjunctive": each facet is counted as if its own
//! selection were not yet made, so a visitor sees what each choice would give.

use super::{Designation, Fee, Programme, Session};
use crate::prefecture::Prefecture;
use crate::types::Yen;
use std::collections::{BTreeMap, HashMap};
use time::Date;

pub const PAGE_SIZE: usize = 20;

/// The facets a search can filter on, in the order pages show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Layer,
    Audience,
    /// 難易度: the level every card shows (入門, 初級, ...).
    Difficulty,
    Field,
    Subject,
    Item,
    Kind,
    Format,
    Prefecture,
    Month,
    Fee,
    Designated,
    Open,
}

impl Facet {
    pub const ALL: [Facet; 13] = [
        Facet::Layer,
        Facet::Audience,
        Facet::Difficulty,
        Facet::Field,
        Facet::Subject,
        Facet::Item,
        Facet::Kind,
        Facet::Format,
        Facet::Prefecture,
        Facet::Month,
        Facet::Fee,
        Facet::Designated,
        Facet::Open,
    ];

    /// The URL parameter name, shared by the search page and the API.
    pub fn param(self) -> &'static str {
        match self {
            Self::Layer => "layer",
            Self::Audience => "audience",
            Self::Difficulty => "difficulty",
            Self::Field => "field",
            Self::Subject => "subject",
            Self::Item => "item",
            Self::Kind => "kind",
            Self::Format => "format",
            Self::Prefecture => "prefecture",
            Self::Month => "month",
            Self::Fee => "fee",
            Self::Designated => "designated",
            Self::Open => "open",
        }
    }

    pub fn from_param(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.param() == name)
    }
}

/// Fee bands by the lowest amount a learner may pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeeBand {
    Free,
    UpTo10k,
    UpTo50k,
    UpTo100k,
    Over100k,
}

impl FeeBand {
    pub const ALL: [FeeBand; 5] = [
        FeeBand::Free,
        FeeBand::UpTo10k,
        FeeBand::UpTo50k,
        FeeBand::UpTo100k,
        FeeBand::Over100k,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::UpTo10k => "to10k",
            Self::UpTo50k => "to50k",
            Self::UpTo100k => "to100k",
            Self::Over100k => "over100k",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Free => "無料",
            Self::UpTo10k => "1万円以下",
            Self::UpTo50k => "1万円超〜5万円",
            Self::UpTo100k => "5万円超〜10万円",
            Self::Over100k => "10万円超",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Free => "Free",
            Self::UpTo10k => "Up to ¥10,000",
            Self::UpTo50k => "¥10,001 – ¥50,000",
            Self::UpTo100k => "¥50,001 – ¥100,000",
            Self::Over100k => "Over ¥100,000",
        }
    }

    pub fn of(lowest: Yen) -> Self {
        match lowest.amount() {
            0 => Self::Free,
            1..=10_000 => Self::UpTo10k,
            10_001..=50_000 => Self::UpTo50k,
            50_001..=100_000 => Self::UpTo100k,
            _ => Self::Over100k,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best text match first; without text, soonest session first.
    #[default]
    Relevance,
    NextSession,
    Fee,
    Title,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Relevance, Sort::NextSession, Sort::Fee, Sort::Title];

    pub fn code(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::NextSession => "next",
            Self::Fee => "fee",
            Self::Title => "title",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The chosen values per facet, as codes (`prefecture` = "13", `month` = "2026-04", ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    selected: BTreeMap<Facet, Vec<String>>,
}

impl Filters {
    pub fn select(&mut self, facet: Facet, code: impl Into<String>) {
        let code = code.into();
        let values = self.selected.entry(facet).or_default();
        if !values.contains(&code) {
            values.push(code);
        }
    }

    pub fn selected(&self, facet: Facet) -> &[String] {
        self.selected.get(&facet).map_or(&[], Vec::as_slice)
    }

    pub fn is_selected(&self, facet: Facet, code: &str) -> bool {
        self.selected(facet).iter().any(|c| c == code)
    }

    pub fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }

    /// Every (facet, value) chosen, in facet order.
    pub fn iter(&self) -> impl Iterator<Item = (Facet, &str)> {
        self.selected
            .iter()
            .flat_map(|(f, vs)| vs.iter().map(move |v| (*f, v.as_str())))
    }

    /// The same filters without one value: for "remove this filter" links.
    #[must_use]
    pub fn without(&self, facet: Facet, code: &str) -> Self {
        let mut next = self.clone();
        if let Some(values) = next.selected.get_mut(&facet) {
            values.retain(|v| v != code);
            if values.is_empty() {
                next.selected.remove(&facet);
            }
        }
        next
    }
}

/// What a programme offers to each facet, computed once per catalogue change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Value ids (see [`Vocabulary`]) per facet, indexed by `Facet as usize`.
    values: [Vec<u32>; Facet::ALL.len()],
    prefectures: Vec<Prefecture>,
    /// Session start dates with what decides whether one is still open, sorted by start.
    sessions: Vec<SessionFacts>,
    lowest_fee: Option<Yen>,
    title: String,
    /// The designation period: the `designated` facet holds only within it (section 6).
    designation: Option<Designation>,
    /// The ids of the `open` and `designated` facets' one value, kept so that `values` can
    /// lend them.
    open_true: [u32; 1],
    designated_true: [u32; 1],
}

/// The facet values of one catalogue as small numbers: counting and matching over thousands
/// of programmes then touch integers, not strings (bench/RESULTS.md). One vocabulary serves
/// every programme of an index; ids are never reused while it lives.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: HashMap<(Facet, String), u32>,
    values: Vec<(Facet, String)>,
}

impl Vocabulary {
    pub fn intern(&mut self, facet: Facet, code: &str) -> u32 {
        if let Some(id) = self.ids.get(&(facet, code.to_owned())) {
            return *id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push((facet, code.to_owned()));
        self.ids.insert((facet, code.to_owned()), id);
        id
    }

    fn id(&self, facet: Facet, code: &str) -> Option<u32> {
        self.ids.get(&(facet, code.to_owned())).copied()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The filters as ids; a code no programme has becomes an empty choice, which nothing meets.
    fn resolve(&self, filters: &Filters) -> Vec<(Facet, Vec<u32>)> {
        filters
            .selected
            .iter()
            .map(|(facet, codes)| {
                let ids = codes.iter().filter_map(|c| self.id(*facet, c)).collect();
                (*facet, ids)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SessionFacts {
    starts_on: Date,
    application_deadline: Option<Date>,
    /// Full, or cancelled by the provider: never open.
    closed: bool,
}

impl SessionFacts {
    fn open_on(&self, today: Date) -> bool {
        self.starts_on >= today
            && self.application_deadline.is_none_or(|d| d >= today)
            && !self.closed
    }
}

pub fn month_code(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

impl Facts {
    /// `subjects_of_item` maps a syllabus item code to its subject (from 別表2).
    pub fn of(
        programme: &Programme,
        sessions: &[Session],
        subject_of_item: impl Fn(&str) -> Option<String>,
        vocabulary: &mut Vocabulary,
    ) -> Self {
        let mut values: [Vec<u32>; Facet::ALL.len()] = Default::default();
        let mut prefectures = Vec::new();
        let open_true = [vocabulary.intern(Facet::Open, "true")];
        let designated_true = [vocabulary.intern(Facet::Designated, "true")];
        let mut put = |facet: Facet, code: String| {
            let id = vocabulary.intern(facet, &code);
            let v = &mut values[facet as usize];
            if !v.contains(&id) {
                v.push(id);
            }
        };
        for c in &programme.layers {
            put(Facet::Layer, c.clone());
        }
        for c in &programme.audiences {
            put(Facet::Audience, c.clone());
        }
        for c in &programme.itss_fields {
            put(Facet::Field, c.clone());
        }
        for c in &programme.syllabus_items {
            put(Facet::Item, c.clone());
            if let Some(subject) = subject_of_item(c) {
                put(Facet::Subject, subject);
            }
        }
        put(Facet::Difficulty, programme.difficulty.clone());
        put(Facet::Kind, programme.kind.clone());
        put(Facet::Format, programme.format.clone());
        for s in sessions {
            if let Some(p) = s.prefecture {
                put(Facet::Prefecture, p.code());
                if !prefectures.contains(&p) {
                    prefectures.push(p);
                }
            }
            put(Facet::Month, month_code(s.starts_on));
        }
        let lowest_fee = programme.fee.bounds().map(|(lo, _)| lo);
        if let Some(lo) = lowest_fee {
            put(Facet::Fee, FeeBand::of(lo).code().to_owned());
        }
        let mut session_facts: Vec<SessionFacts> = sessions
            .iter()
            .map(|s| SessionFacts {
                starts_on: s.starts_on,
                application_deadline: s.application_deadline,
                closed: s.seats_left == Some(0) || s.cancelled,
            })
            .collect();
        session_facts.sort();
        Self {
            values,
            prefectures,
            sessions: session_facts,
            lowest_fee,
            title: programme.title_ja.clone(),
            designation: programme.designation.clone(),
            open_true,
            designated_true,
        }
    }

    /// The facet's values for this programme; no allocation, as it runs for every candidate
    /// and facet of every search.
    fn values(&self, facet: Facet, today: Date) -> &[u32] {
        match facet {
            Facet::Open if self.sessions.iter().any(|s| s.open_on(today)) => &self.open_true,
            Facet::Open => &[],
            Facet::Designated if self.designation.as_ref().is_some_and(|d| d.in_force(today)) => {
                &self.designated_true
            }
            Facet::Designated => &[],
            other => &self.values[other as usize],
        }
    }

    /// Whether every chosen facet has one of its chosen values here; `skip` is left out (the
    /// facet being counted).
    fn matches(&self, filters: &[(Facet, Vec<u32>)], skip: Option<Facet>, today: Date) -> bool {
        filters
            .iter()
            .filter(|(facet, _)| Some(*facet) != skip)
            .all(|(facet, wanted)| {
                let have = self.values(*facet, today);
                wanted.iter().any(|w| have.contains(w))
            })
    }

    /// The first session starting on or after `today`.
    pub fn next_session(&self, today: Date) -> Option<Date> {
        self.sessions
            .iter()
            .map(|s| s.starts_on)
            .find(|d| *d >= today)
    }

    pub fn prefectures(&self) -> impl Iterator<Item = Prefecture> + '_ {
        self.prefectures.iter().copied()
    }
}

/// A candidate from the text index (or every programme when there is no text).
#[derive(Debug)]
pub struct Candidate<'a, T> {
    pub item: &'a T,
    pub facts: &'a Facts,
    pub score: f32,
}

// Manual impls: a derive would demand `T: Copy`, but only references are copied.
impl<T> Clone for Candidate<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Candidate<'_, T> {}

/// Counts per facet value among the candidates, each facet ignoring its own selection.
pub type FacetCounts = BTreeMap<Facet, BTreeMap<String, usize>>;

/// A suggestion for an empty result: dropping this one filter would give `count` results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relaxation {
    pub facet: Facet,
    pub code: String,
    pub count: usize,
}

#[derive(Debug)]
pub struct Outcome<'a, T> {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub hits: Vec<Candidate<'a, T>>,
    pub facets: FacetCounts,
    pub relaxations: Vec<Relaxation>,
}

/// Filters, counts, sorts and pages the candidates. `page` starts at 1; a page past the end
/// gives no hits (the caller decides whether that is an error). `vocabulary` is the one the
/// candidates' facts were built with.
pub fn run<'a, T>(
    candidates: Vec<Candidate<'a, T>>,
    filters: &Filters,
    sort: Sort,
    page: usize,
    today: Date,
    vocabulary: &Vocabulary,
) -> Outcome<'a, T> {
    let chosen = vocabulary.resolve(filters);
    let hits: Vec<Candidate<'a, T>> = candidates
        .iter()
        .copied()
        .filter(|c| c.facts.matches(&chosen, None, today))
        .collect();
    // Disjunctive counts: a facet without a selection counts over the hits; a chosen facet
    // counts over what the other filters alone leave. Ids are unique across facets, so one
    // array holds every count.
    let mut counts = vec![0usize; vocabulary.len()];
    let mut count = |c: &Candidate<'a, T>, facet: Facet| {
        for id in c.facts.values(facet, today) {
            if let Some(n) = counts.get_mut(*id as usize) {
                *n += 1;
            }
        }
    };
    // One pass over the hits for every facet without a selection (each programme's facts are
    // read once), then one pass per chosen facet.
    let (chosen_facets, open_facets): (Vec<Facet>, Vec<Facet>) = Facet::ALL
        .into_iter()
        .partition(|facet| chosen.iter().any(|(f, _)| f == facet));
    for c in &hits {
        for facet in &open_facets {
            count(c, *facet);
        }
    }
    for facet in chosen_facets {
        for c in candidates
            .iter()
            .filter(|c| c.facts.matches(&chosen, Some(facet), today))
        {
            count(c, facet);
        }
    }
    let mut facets: FacetCounts = Facet::ALL.iter().map(|f| (*f, BTreeMap::new())).collect();
    for (id, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
        if let Some((facet, code)) = vocabulary.values.get(id) {
            facets.entry(*facet).or_default().insert(code.clone(), n);
        }
    }
    let relaxations = if hits.is_empty() {
        filters
            .iter()
            .map(|(facet, code)| {
                let relaxed = vocabulary.resolve(&filters.without(facet, code));
                let count = candidates
                    .iter()
                    .filter(|c| c.facts.matches(&relaxed, None, today))
                    .count();
                Relaxation {
                    facet,
                    code: code.to_owned(),
                    count,
                }
            })
            .filter(|r| r.count > 0)
            .collect()
    } else {
        Vec::new()
    };
    let total = hits.len();
    let hits = sorted(hits, sort, today, page.max(1).saturating_mul(PAGE_SIZE));
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.max(1);
    let hits = hits
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Outcome {
        total,
        page,
        pages,
        hits,
        facets,
        relaxations,
    }
}

/// The first `needed` hits in order, each hit's keys computed once (the next session is a
/// scan of its sessions); the rest are only partitioned off, not sorted. Missing values sort
/// last; ties fall back to the title so that pages are stable.
fn sorted<'a, T>(
    hits: Vec<Candidate<'a, T>>,
    sort: Sort,
    today: Date,
    needed: usize,
) -> Vec<Candidate<'a, T>> {
    type Keyed<'a, T> = (Date, u64, Candidate<'a, T>);
    let mut keyed: Vec<Keyed<'a, T>> = hits
        .into_iter()
        .map(|c| {
            let next = c.facts.next_session(today).unwrap_or(Date::MAX);
            let fee = c.facts.lowest_fee.map_or(u64::MAX, Yen::amount);
            (next, fee, c)
        })
        .collect();
    let title = |k: &Keyed<'a, T>| k.2.facts.title.as_str();
    let order = |a: &Keyed<'a, T>, b: &Keyed<'a, T>| match sort {
        Sort::Relevance => {
            b.2.score
                .total_cmp(&a.2.score)
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| title(a).cmp(title(b)))
        }
        Sort::NextSession => a.0.cmp(&b.0).then_with(|| title(a).cmp(title(b))),
        Sort::Fee => a.1.cmp(&b.1).then_with(|| title(a).cmp(title(b))),
        Sort::Title => title(a).cmp(title(b)),
    };
    if needed > 0 && needed < keyed.len() {
        keyed.select_nth_unstable_by(needed - 1, order);
        keyed.truncate(needed);
    }
    keyed.sort_by(order);
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

/// Whether the fee is known to be zero: used for the "free" label in lists.
pub fn is_free(fee: &Fee) -> bool {
    matches!(fee, Fee::Free)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_bands_have_inclusive_upper_bounds() {
        let band = |yen| FeeBand::of(Yen::new(yen));
        assert_eq!(band(0), FeeBand::Free);
        assert_eq!(
            (band(1), band(10_000)),
            (FeeBand::UpTo10k, FeeBand::UpTo10k)
        );
        assert_eq!(
            (band(10_001), band(50_000)),
            (FeeBand::UpTo50k, FeeBand::UpTo50k)
        );
        assert_eq!(
            (band(77_000), band(100_000)),
            (FeeBand::UpTo100k, FeeBand::UpTo100k)
        );
        assert_eq!(band(100_001), FeeBand::Over100k);
    }

    #[test]
    fn codes_and_parameters_round_trip() {
        for f in Facet::ALL {
            assert_eq!(Facet::from_param(f.param()), Some(f));
        }
        for b in FeeBand::ALL {
            assert_eq!(FeeBand::from_code(b.code()), Some(b));
        }
        for s in Sort::ALL {
            assert_eq!(Sort::from_code(s.code()), Some(s));
        }
        assert_eq!(Facet::from_param("colour"), None);
    }

    #[test]
    fn removing_a_filter_keeps_the_others() {
        let mut f = Filters::default();
        f.select(Facet::Prefecture, "13");
        f.select(Facet::Prefecture, "27");
        f.select(Facet::Prefecture, "13");
        f.select(Facet::Fee, "free");
        assert_eq!(f.selected(Facet::Prefecture), ["13", "27"], "no duplicates");
        let g = f.without(Facet::Prefecture, "13");
        assert_eq!(g.selected(Facet::Prefecture), ["27"]);
        assert!(g.is_selected(Facet::Fee, "free"));
        assert!(
            f.without(Facet::Fee, "free")
                .selected(Facet::Fee)
                .is_empty()
        );
    }

    /// Programmes `(id, difficulty)` as the catalogue format gives them.
    fn catalogue(programmes: &[(&str, &str)]) -> Vec<Programme> {
        let providers = "[[provider]]\nid = \"p\"\nname_ja = \"P\"\nkind = \"company\"\n";
        let text: String = programmes
            .iter()
            .map(|(id, level)| {
                format!(
                    "[[programme]]\nid = \"{id}\"\nprovider = \"p\"\ntitle_ja = \"{id}\"\nsummary_ja = \"s\"\nlayers = [\"practitioner\"]\nkind = \"awareness\"\ndifficulty = \"{level}\"\nformat = \"online\"\nfee = {{ type = \"free\" }}\nlanguage = \"ja\"\n"
                )
            })
            .collect();
        let taxonomy = crate::taxonomy::Taxonomy::embedded().unwrap();
        super::super::import::parse_catalogue(providers, &text, &taxonomy)
            .unwrap()
            .programmes
            .into_iter()
            .map(|p| p.programme)
            .collect()
    }

    fn facts(programmes: &[Programme], vocabulary: &mut Vocabulary) -> Vec<Facts> {
        programmes
            .iter()
            .map(|p| Facts::of(p, &[], |_| None, vocabulary))
            .collect()
    }

    fn candidates<'a>(
        programmes: &'a [Programme],
        facts: &'a [Facts],
    ) -> Vec<Candidate<'a, Programme>> {
        programmes
            .iter()
            .zip(facts)
            .map(|(item, facts)| Candidate {
                item,
                facts,
                score: 0.0,
            })
            .collect()
    }

    const TODAY: Date = time::macros::date!(2026 - 04 - 01);

    #[test]
    fn a02_the_level_is_a_facet_with_counts_and_alternatives() {
        let programmes = catalogue(&[
            ("a", "intro"),
            ("b", "intro"),
            ("c", "beginner"),
            ("d", "intermediate"),
        ]);
        let mut vocabulary = Vocabulary::default();
        let facts = facts(&programmes, &mut vocabulary);
        let mut filters = Filters::default();
        filters.select(Facet::Difficulty, "intro");
        filters.select(Facet::Difficulty, "beginner");
        let out = run(
            candidates(&programmes, &facts),
            &filters,
            Sort::Title,
            1,
            TODAY,
            &vocabulary,
        );
        let ids: Vec<&str> = out.hits.iter().map(|c| c.item.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"], "either level");
        // Counted as if the level were not chosen yet, so 中級 still shows what it would give.
        let counts = &out.facets[&Facet::Difficulty];
        assert_eq!(
            (
                counts.get("intro"),
                counts.get("beginner"),
                counts.get("intermediate")
            ),
            (Some(&2), Some(&1), Some(&1))
        );
        assert_eq!(Facet::from_param("difficulty"), Some(Facet::Difficulty));
    }

    #[test]
    fn c01_the_designated_facet_holds_only_within_the_period() {
        let mut programmes = catalogue(&[("tokko", "advanced"), ("other", "advanced")]);
        programmes[0].designation = Some(Designation {
            number: "特講2027-001".into(),
            starts_on: time::macros::date!(2027 - 04 - 01),
            ends_on: time::macros::date!(2030 - 03 - 31),
        });
        let mut vocabulary = Vocabulary::default();
        let facts = facts(&programmes, &mut vocabulary);
        let mut filters = Filters::default();
        filters.select(Facet::Designated, "true");
        let found = |today| {
            run(
                candidates(&programmes, &facts),
                &filters,
                Sort::Title,
                1,
                today,
                &vocabulary,
            )
            .total
        };
        assert_eq!(found(time::macros::date!(2027 - 03 - 31)), 0, "not yet");
        assert_eq!(found(time::macros::date!(2027 - 04 - 01)), 1);
        assert_eq!(found(time::macros::date!(2030 - 04 - 01)), 0, "ended");
    }

    #[test]
    fn months_are_zero_padded() {
        assert_eq!(month_code(time::macros::date!(2026 - 04 - 01)), "2026-04");
    }
}
