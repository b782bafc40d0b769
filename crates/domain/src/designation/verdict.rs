//! What a rule says about an application: pass, fail with what to fix, or evidence for a
//! reviewer.

use serde::Serialize;

/// Whether the data alone decides a rule, or a person must judge it (requirements B: "Where
/// it can be decided from data, the system decides it; where a person must judge it, the
/// system shows the evidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Returns `Pass` or `Fail` from the data (B14 alone may ask for review of an
    /// equivalence claim; see its documentation).
    DataDecided,
    /// Returns `Fail` when something it needs is missing (missing evidence is a data fact),
    /// and otherwise `NeedsReview`: never `Pass` on its own.
    Judgement,
}

/// One thing to fix, with the inputs that fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub message_ja: String,
    pub message_en: String,
    /// Field paths into the application (`curriculum[2].method`), following serde names.
    pub fields: Vec<String>,
}

impl Problem {
    pub fn new(
        message_ja: impl Into<String>,
        message_en: impl Into<String>,
        fields: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            message_ja: message_ja.into(),
            message_en: message_en.into(),
            fields: fields.into_iter().map(Into::into).collect(),
        }
    }
}

/// Why a rule fails: a summary naming the rule, and each problem with its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `B01（3-2(1)）総時間数は六時間以上とすること：…` — the rule and what to fix.
    pub message_ja: String,
    pub message_en: String,
    /// Never empty.
    pub problems: Vec<Problem>,
}

impl Finding {
    /// Every field path of every problem, in order, without repeats.
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.problems.iter().flat_map(|p| &p.fields) {
            if !out.contains(&f.as_str()) {
                out.push(f);
            }
        }
        out
    }
}

/// One value a reviewer looks at, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
    pub field: String,
    pub value: String,
}

impl EvidenceItem {
    pub fn new(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: value.into(),
        }
    }
}

/// What a reviewer must judge (quoting the guideline) and the values to judge it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub message_ja: String,
    pub message_en: String,
    pub items: Vec<EvidenceItem>,
}

impl Evidence {
    /// The field paths of the evidence, for links.
    pub fn fields(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.field.as_str()).collect()
    }
}

/// The outcome of one rule for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail(Finding),
    NeedsReview(Evidence),
}

impl Verdict {
    pub const fn is_pass(&self) -> bool {
        matches!(self, Self::Pass)
    }

    pub const fn is_fail(&self) -> bool {
        matches!(self, Self::Fail(_))
    }

    pub const fn needs_review(&self) -> bool {
        matches!(self, Self::NeedsReview(_))
    }

    pub const fn finding(&self) -> Option<&Finding> {
        match self {
            Self::Fail(f) => Some(f),
            _ => None,
        }
    }

    pub const fn evidence(&self) -> Option<&Evidence> {
        match self {
            Self::NeedsReview(e) => Some(e),
            _ => None,
        }
    }
}
