//! The end-of-course survey (B08, D07): the items (the ministry's set, versioned and kept by
//! Koshu's administrators, then the provider's own for the session), the learner's answers
//! checked against them, and the results, which exist only in aggregate and only from
//! [`MIN_RESPONSES`] answers on.
//!
//! Answers are never a record of one person: the store keeps, per session, a count per item and
//! choice and a list of free texts per item, and this module gives it the cells one answer adds
//! to ([`tally_marks`]) and the lists with the new texts put in and reshuffled whole
//! ([`d07_add_texts`]). The random source is a parameter, like the time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use super::plan::DeliveryPlan;
use crate::ValidationError;
use crate::types::text::{TextKind, check_text, non_empty_lines};
use crate::types::{date_en, date_ja, parse_date};

/// Results are shown once this many learners have answered (B08: the provider sees
/// aggregates only, and an aggregate of fewer would point at people).
pub const MIN_RESPONSES: u32 = 5;
/// Items in one set (the ministry's, or a provider's for a session).
pub const MAX_ITEMS: usize = 30;
/// Options of a single-choice item.
pub const MAX_OPTIONS: usize = 10;
/// Learners answer until this many days after the session's last block ends.
pub const ANSWER_DAYS: i64 = 30;

/// A text in Japanese and, where given, English (pages in English fall back to the Japanese).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub ja: String,
    #[serde(default)]
    pub en: String,
}

impl Label {
    pub fn new(ja: &str, en: &str) -> Self {
        Self {
            ja: ja.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The text for a page in English (`en`) or Japanese.
    pub fn in_lang(&self, en: bool) -> &str {
        if en && !self.en.trim().is_empty() {
            &self.en
        } else {
            &self.ja
        }
    }
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemKind {
    /// A five-point scale, each point labelled, from the lowest (1) to the highest (5).
    Scale { points: [Label; 5] },
    /// One of the options.
    Choice { options: Vec<Label> },
    /// Free text.
    Text,
}

impl ItemKind {
    pub const CODES: [&'static str; 3] = ["scale", "choice", "text"];

    /// The stable code, equal to the serde tag.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Scale { .. } => "scale",
            Self::Choice { .. } => "choice",
            Self::Text => "text",
        }
    }

    pub fn label_ja(code: &str) -> &'static str {
        match code {
            "scale" => "5段階評価",
            "choice" => "選択式（1つ選ぶ）",
            _ => "自由記述",
        }
    }

    pub fn label_en(code: &str) -> &'static str {
        match code {
            "scale" => "Five-point scale",
            "choice" => "Single choice",
            _ => "Free text",
        }
    }

    /// What may be chosen, in order (1-based in answers and counts); none for free text.
    pub fn choices(&self) -> &[Label] {
        match self {
            Self::Scale { points } => points,
            Self::Choice { options } => options,
            Self::Text => &[],
        }
    }
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyItem {
    /// Unique in the session's survey: `m<n>` for the ministry's items, `p<n>` for the
    /// provider's; answers are named `answers.<id>`.
    pub id: String,
    pub question: Label,
    #[serde(flatten)]
    pub kind: ItemKind,
    pub required: bool,
}

impl SurveyItem {
    /// The form field the item's answer comes in.
    pub fn field(&self) -> String {
        format!("answers.{}", self.id)
    }
}

/// A session's survey as its learners answer it: the ministry's items of one version (pinned
/// when the first answer arrives; until then the version in force), then the provider's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSurvey {
    pub ministry_version: Option<u32>,
    pub ministry_items: Vec<SurveyItem>,
    pub provider_items: Vec<SurveyItem>,
    /// How many have answered.
    pub responses: u32,
}

impl SessionSurvey {
    /// Every item, the ministry's first.
    pub fn items(&self) -> Vec<&SurveyItem> {
        self.ministry_items
            .iter()
            .chain(&self.provider_items)
            .collect()
    }

    /// Once an answer has arrived the items are fixed: counts of different questions cannot be
    /// added up.
    pub fn locked(&self) -> bool {
        self.responses > 0
    }
}

// The item sets.

fn at(field: &str, i: usize, e: ValidationError) -> ValidationError {
    e.for_field(format!("items[{i}].{field}"))
}

fn labelled_text(text: &str, what_ja: &str, what_en: &str) -> Result<(), ValidationError> {
    check_text(text, TextKind::Line).map_err(|e| {
        ValidationError::new(
            e.code,
            format!("{what_ja}：{}", e.message_ja),
            format!("{what_en}: {}", e.message_en),
        )
    })
}

/// D07: one item can be answered as it stands: a question (one line, within the limits); a
/// scale's five points and a choice's 2 to [`MAX_OPTIONS`] options each named, in one line,
/// and no option given twice. Errors name `question_ja`, `question_en`, `options_ja` or
/// `options_en` (the edge puts the item in front).
///
/// Codes: `survey_item.question`, `survey_item.option_empty`, `survey_item.options_count`,
/// `survey_item.option_twice`, `text.*`.
pub fn d07_item_is_sound(item: &SurveyItem) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if item.question.ja.trim().is_empty() {
        errors.push(
            ValidationError::new(
                "survey_item.question",
                "質問（日本語）を入力してください。",
                "Please enter the question in Japanese.",
            )
            .for_field("question_ja"),
        );
    }
    for (text, field) in [
        (&item.question.ja, "question_ja"),
        (&item.question.en, "question_en"),
    ] {
        if let Err(e) = labelled_text(text, "質問", "Question") {
            errors.push(e.for_field(field));
        }
    }
    let choices = item.kind.choices();
    if let ItemKind::Choice { options } = &item.kind
        && !(2..=MAX_OPTIONS).contains(&options.len())
    {
        errors.push(
            ValidationError::new(
                "survey_item.options_count",
                format!(
                    "選択式の項目には、選択肢を2〜{MAX_OPTIONS}個、1行に1つずつ入力してください。"
                ),
                format!("A single-choice item needs 2 to {MAX_OPTIONS} options, one a line."),
            )
            .for_field("options_ja"),
        );
    }
    if choices.iter().any(|c| c.ja.trim().is_empty()) {
        errors.push(
            ValidationError::new(
                "survey_item.option_empty",
                "選択肢（評価の段階）に空のものがあります。それぞれに名前を付けてください。",
                "An option (or point of the scale) has no name; please name each.",
            )
            .for_field("options_ja"),
        );
    }
    for (i, c) in choices.iter().enumerate() {
        if choices[..i].iter().any(|d| d.ja.trim() == c.ja.trim()) {
            errors.push(
                ValidationError::new(
                    "survey_item.option_twice",
                    format!("選択肢「{}」が2回あります。", c.ja.trim()),
                    format!("The option \"{}\" is given twice.", c.ja.trim()),
                )
                .for_field("options_ja"),
            );
            break;
        }
    }
    for c in choices {
        for (text, field) in [(&c.ja, "options_ja"), (&c.en, "options_en")] {
            if let Err(e) = labelled_text(text, "選択肢", "Option") {
                errors.push(e.for_field(field));
            }
        }
    }
    errors
}

/// D07: a set of items is sound: at least `min_items` (1 for the ministry's set, 0 for a
/// provider's own) and at most [`MAX_ITEMS`], ids unique, each item as
/// [`d07_item_is_sound`] says. Errors name `items` or `items[<position>].<field>`.
///
/// Codes: `survey_items.count`, `survey_items.id`, and those of `d07_item_is_sound`.
pub fn d07_item_set_is_sound(
    items: &[SurveyItem],
    min_items: usize,
) -> Result<(), Vec<ValidationError>> {
    let mut errors = Vec::new();
    if items.len() < min_items || items.len() > MAX_ITEMS {
        errors.push(
            ValidationError::new(
                "survey_items.count",
                format!(
                    "項目は{min_items}〜{MAX_ITEMS}個にしてください（いまは{}個です）。",
                    items.len()
                ),
                format!(
                    "Give {min_items} to {MAX_ITEMS} items ({} now).",
                    items.len()
                ),
            )
            .for_field("items"),
        );
    }
    for (i, item) in items.iter().enumerate() {
        let id_ok = !item.id.is_empty() && item.id.chars().all(|c| c.is_ascii_alphanumeric());
        if !id_ok || items[..i].iter().any(|o| o.id == item.id) {
            errors.push(at(
                "question_ja",
                i,
                ValidationError::new(
                    "survey_items.id",
                    "項目の識別子が不正か重複しています。",
                    "An item's identifier is invalid or used twice.",
                ),
            ));
        }
        for e in d07_item_is_sound(item) {
            let field = e.field.clone().unwrap_or_default();
            errors.push(at(&field, i, e));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// An item as typed in a form row: the options one a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRow {
    pub question_ja: String,
    pub question_en: String,
    /// `scale`, `choice` or `text`.
    pub kind: String,
    pub options_ja: String,
    pub options_en: String,
    pub required: bool,
}

/// The lowest to the highest point of a scale, as a new scale item starts.
pub const DEFAULT_SCALE_JA: [&str; 5] = [
    "そう思わない",
    "あまりそう思わない",
    "どちらともいえない",
    "ややそう思う",
    "そう思う",
];
pub const DEFAULT_SCALE_EN: [&str; 5] = [
    "Disagree",
    "Somewhat disagree",
    "Neither",
    "Somewhat agree",
    "Agree",
];

impl ItemRow {
    /// The row a form shows for an item.
    pub fn of(item: &SurveyItem) -> Self {
        let join = |en: bool| {
            item.kind
                .choices()
                .iter()
                .map(|c| if en { c.en.clone() } else { c.ja.clone() })
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_owned()
        };
        Self {
            question_ja: item.question.ja.clone(),
            question_en: item.question.en.clone(),
            kind: item.kind.code().to_owned(),
            options_ja: join(false),
            options_en: join(true),
            required: item.required,
        }
    }

    /// The empty row a form offers for one more item: a scale with its usual points.
    pub fn blank() -> Self {
        Self {
            kind: "scale".to_owned(),
            options_ja: DEFAULT_SCALE_JA.join("\n"),
            options_en: DEFAULT_SCALE_EN.join("\n"),
            required: true,
            ..Self::default()
        }
    }

    /// A row without a question is not an item (the form's empty row).
    pub fn is_blank(&self) -> bool {
        self.question_ja.trim().is_empty() && self.question_en.trim().is_empty()
    }
}

fn parse_row(row: &ItemRow, id: String) -> Result<SurveyItem, Vec<ValidationError>> {
    let ja = non_empty_lines(&row.options_ja);
    let en = non_empty_lines(&row.options_en);
    let mut errors = Vec::new();
    if !en.is_empty() && en.len() != ja.len() {
        errors.push(
            ValidationError::new(
                "survey_item.options_en_count",
                format!(
                    "英語の選択肢は、日本語と同じ数（{}個）だけ入力するか、空にしてください。",
                    ja.len()
                ),
                format!(
                    "Give as many English options as Japanese ones ({}), or none.",
                    ja.len()
                ),
            )
            .for_field("options_en"),
        );
    }
    let labels: Vec<Label> = ja
        .iter()
        .enumerate()
        .map(|(i, j)| Label::new(j, en.get(i).map_or("", String::as_str)))
        .collect();
    let kind = match row.kind.as_str() {
        "scale" => match <[Label; 5]>::try_from(labels) {
            Ok(points) => Some(ItemKind::Scale { points }),
            Err(labels) => {
                errors.push(
                    ValidationError::new(
                        "survey_item.scale_points",
                        format!(
                            "5段階評価には、低い順（1）から高い順（5）に5つの段階の名前を、1行に1つずつ入力してください（いまは{}行です）。",
                            labels.len()
                        ),
                        format!(
                            "A five-point scale needs five names of its points, lowest (1) to highest (5), one a line ({} now).",
                            labels.len()
                        ),
                    )
                    .for_field("options_ja"),
                );
                None
            }
        },
        "choice" => Some(ItemKind::Choice { options: labels }),
        "text" => Some(ItemKind::Text),
        _ => {
            errors.push(
                ValidationError::new(
                    "survey_item.kind",
                    "回答の形式を選んでください。",
                    "Choose how the item is answered.",
                )
                .for_field("kind"),
            );
            None
        }
    };
    let Some(kind) = kind else {
        return Err(errors);
    };
    let item = SurveyItem {
        id,
        question: Label::new(row.question_ja.trim(), row.question_en.trim()),
        kind,
        required: row.required,
    };
    errors.extend(d07_item_is_sound(&item));
    if errors.is_empty() {
        Ok(item)
    } else {
        Err(errors)
    }
}

/// Reads the items typed in a form's rows (blank rows skipped), numbered in order with ids
/// `<prefix>1`, `<prefix>2`, …; each error names its row: `items[<row>].<field>`.
pub fn parse_item_rows(
    rows: &[ItemRow],
    prefix: &str,
) -> Result<Vec<SurveyItem>, Vec<ValidationError>> {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let typed = rows.iter().enumerate().filter(|(_, r)| !r.is_blank());
    for (n, (i, row)) in typed.enumerate() {
        match parse_row(row, format!("{prefix}{}", n + 1)) {
            Ok(item) => items.push(item),
            Err(es) => errors.extend(es.into_iter().map(|e| {
                let field = e.field.clone().unwrap_or_default();
                at(&field, i, e)
            })),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

// The window.

/// D07: when learners answer: from the start of the session's last block until
/// [`ANSWER_DAYS`] days after it ends. `None` for a plan without blocks.
pub fn d07_survey_window(
    plan: &DeliveryPlan,
    offset: UtcOffset,
) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let last = plan.timetable.iter().max_by_key(|b| b.starts(offset))?;
    Some((
        last.starts(offset),
        last.ends(offset) + Duration::days(ANSWER_DAYS),
    ))
}

fn day_of(t: OffsetDateTime, offset: UtcOffset) -> Date {
    t.to_offset(offset).date()
}

/// D07: the survey takes answers now.
///
/// Codes: `survey.not_yet` (before the last block starts), `survey.closed` (after the
/// window), `survey.no_timetable`.
pub fn d07_survey_is_open(
    plan: &DeliveryPlan,
    now: OffsetDateTime,
    offset: UtcOffset,
) -> Result<(), ValidationError> {
    let Some((opens, closes)) = d07_survey_window(plan, offset) else {
        return Err(ValidationError::new(
            "survey.no_timetable",
            "この回には時間割がないため、アンケートはまだありません。",
            "This session has no timetable, so it has no survey yet.",
        ));
    };
    if now < opens {
        let d = day_of(opens, offset);
        return Err(ValidationError::new(
            "survey.not_yet",
            format!(
                "修了アンケートには、最後のコマが始まる{}から回答できます。",
                date_ja(d)
            ),
            format!(
                "The end-of-course survey opens when the last block starts, on {}.",
                date_en(d)
            ),
        ));
    }
    if now > closes {
        let d = day_of(closes, offset);
        return Err(ValidationError::new(
            "survey.closed",
            format!("修了アンケートの回答期限（{}）を過ぎました。", date_ja(d)),
            format!("The end-of-course survey closed on {}.", date_en(d)),
        ));
    }
    Ok(())
}

// Answers.

/// One item's answer: the point or option chosen (1-based), a text, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Chosen(u32),
    Text(String),
    Skipped,
}

fn quoted_ja(item: &SurveyItem) -> String {
    format!("「{}」", item.question.ja.trim())
}

fn quoted_en(item: &SurveyItem) -> String {
    format!("\"{}\"", item.question.in_lang(true).trim())
}

/// D07: every required item is answered, every choice is one of the item's, every text
/// within the limits. `given` maps each form field (`answers.<id>`) to what was sent; errors
/// name the field and the item, in Japanese and English. Returns the answers in item order.
///
/// Codes: `survey.required`, `survey.choice`, `text.*`.
pub fn d07_answers_are_complete(
    items: &[&SurveyItem],
    given: &BTreeMap<String, String>,
) -> Result<Vec<(String, Answer)>, Vec<ValidationError>> {
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        let field = item.field();
        let value = given.get(&field).map_or("", |v| v.trim());
        let answer = if value.is_empty() {
            Answer::Skipped
        } else if let ItemKind::Text = item.kind {
            match check_text(value, TextKind::Multiline) {
                Ok(()) => Answer::Text(value.to_owned()),
                Err(e) => {
                    errors.push(
                        ValidationError::new(
                            e.code,
                            format!("{}：{}", quoted_ja(item), e.message_ja),
                            format!("{}: {}", quoted_en(item), e.message_en),
                        )
                        .for_field(&field),
                    );
                    continue;
                }
            }
        } else {
            let n = item.kind.choices().len();
            match value.parse::<u32>() {
                Ok(c) if (1..=n).contains(&usize::try_from(c).unwrap_or(usize::MAX)) => {
                    Answer::Chosen(c)
                }
                _ => {
                    errors.push(
                        ValidationError::new(
                            "survey.choice",
                            format!(
                                "{}の回答は、示された選択肢から選んでください。",
                                quoted_ja(item)
                            ),
                            format!("Please answer {} with one of its options.", quoted_en(item)),
                        )
                        .for_field(&field),
                    );
                    continue;
                }
            }
        };
        if item.required && answer == Answer::Skipped {
            errors.push(
                ValidationError::new(
                    "survey.required",
                    format!("{}に回答してください（必須）。", quoted_ja(item)),
                    format!("Please answer {} (required).", quoted_en(item)),
                )
                .for_field(&field),
            );
            continue;
        }
        answers.push((item.id.clone(), answer));
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// Every count a session's survey keeps: each choice of each scale or choice item (1-based),
/// and 0 for "not answered", in item order.
pub fn tally_cells(items: &[&SurveyItem]) -> Vec<(String, u32)> {
    items
        .iter()
        .filter(|i| !matches!(i.kind, ItemKind::Text))
        .flat_map(|i| {
            let n = u32::try_from(i.kind.choices().len()).unwrap_or(0);
            (0..=n).map(|c| (i.id.clone(), c))
        })
        .collect()
}

/// The counts one answer adds one to: the choice of each scale or choice item, or its 0.
pub fn tally_marks(items: &[&SurveyItem], answers: &[(String, Answer)]) -> Vec<(String, u32)> {
    items
        .iter()
        .filter(|i| !matches!(i.kind, ItemKind::Text))
        .map(|i| {
            let chosen = answers.iter().find_map(|(id, a)| match a {
                Answer::Chosen(c) if *id == i.id => Some(*c),
                _ => None,
            });
            (i.id.clone(), chosen.unwrap_or(0))
        })
        .collect()
}

/// The free-text items, whose answers are kept as one list each.
pub fn text_items(items: &[&SurveyItem]) -> Vec<String> {
    items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Text))
        .map(|i| i.id.clone())
        .collect()
}

/// Shuffles in place (Fisher–Yates); `random(n)` gives an index below `n`.
pub fn shuffle<T>(items: &mut [T], random: &mut impl FnMut(usize) -> usize) {
    for i in (1..items.len()).rev() {
        let j = random(i + 1).min(i);
        items.swap(i, j);
    }
}

/// D07: the free-text lists with one answer's texts put in, every list reshuffled whole, so
/// that neither the order of a list nor a text's position in it says when it came, and the
/// n-th text of one item says nothing of the n-th of another.
pub fn d07_add_texts(
    mut lists: Vec<(String, Vec<String>)>,
    answers: &[(String, Answer)],
    random: &mut impl FnMut(usize) -> usize,
) -> Vec<(String, Vec<String>)> {
    for (id, list) in &mut lists {
        if let Some(text) = answers.iter().find_map(|(a_id, a)| match a {
            Answer::Text(t) if a_id == id => Some(t.clone()),
            _ => None,
        }) {
            list.push(text);
        }
        shuffle(list, random);
    }
    lists
}

// Results.

/// One choice's count and its share of those who answered the item.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceCount {
    pub label: Label,
    pub count: u32,
    /// 0 to 100.
    pub percent: f64,
}

/// One item's aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub item: SurveyItem,
    /// Those who answered it (for a text item, the texts).
    pub answered: u32,
    pub unanswered: u32,
    pub counts: Vec<ChoiceCount>,
    /// For a scale: the mean point (1 to 5) of those who answered.
    pub mean: Option<f64>,
    /// For a text item: the texts, shuffled.
    pub texts: Vec<String>,
}

/// What the provider may see.
#[derive(Debug, Clone, PartialEq)]
pub enum Results {
    /// Fewer than [`MIN_RESPONSES`] have answered: nothing but how many.
    Withheld { responses: u32, more_needed: u32 },
    Shown {
        responses: u32,
        items: Vec<ItemResult>,
    },
}

/// B08: results may be shown from [`MIN_RESPONSES`] answers on; otherwise, how many more
/// are needed.
pub fn b08_results_may_be_shown(responses: u32) -> Result<(), u32> {
    if responses >= MIN_RESPONSES {
        Ok(())
    } else {
        Err(MIN_RESPONSES - responses)
    }
}

/// B08: the results of a survey from its counts (`(item, choice, count)`) and text lists:
/// aggregated only when [`b08_results_may_be_shown`] allows, each text list shuffled again.
pub fn b08_results(
    items: &[&SurveyItem],
    responses: u32,
    tallies: &[(String, u32, u32)],
    texts: &[(String, Vec<String>)],
    random: &mut impl FnMut(usize) -> usize,
) -> Results {
    if let Err(more_needed) = b08_results_may_be_shown(responses) {
        return Results::Withheld {
            responses,
            more_needed,
        };
    }
    let count_of = |id: &str, choice: u32| {
        tallies
            .iter()
            .filter(|(i, c, _)| i == id && *c == choice)
            .map(|(_, _, n)| *n)
            .sum::<u32>()
    };
    let items = items
        .iter()
        .map(|item| {
            if let ItemKind::Text = item.kind {
                let mut list = texts
                    .iter()
                    .find(|(id, _)| *id == item.id)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                shuffle(&mut list, random);
                let answered = u32::try_from(list.len()).unwrap_or(u32::MAX);
                return ItemResult {
                    item: (*item).clone(),
                    answered,
                    unanswered: responses.saturating_sub(answered),
                    counts: Vec::new(),
                    mean: None,
                    texts: list,
                };
            }
            let counts: Vec<(Label, u32)> = item
                .kind
                .choices()
                .iter()
                .zip(1u32..)
                .map(|(label, c)| (label.clone(), count_of(&item.id, c)))
                .collect();
            let answered: u32 = counts.iter().map(|(_, n)| n).sum();
            let share = |n: u32| {
                if answered == 0 {
                    0.0
                } else {
                    f64::from(n) * 100.0 / f64::from(answered)
                }
            };
            let mean = match (&item.kind, answered) {
                (ItemKind::Scale { .. }, a) if a > 0 => Some(
                    counts
                        .iter()
                        .zip(1u32..)
                        .map(|((_, n), point)| f64::from(n * point))
                        .sum::<f64>()
                        / f64::from(a),
                ),
                _ => None,
            };
            ItemResult {
                item: (*item).clone(),
                answered,
                unanswered: count_of(&item.id, 0),
                counts: counts
                    .into_iter()
                    .map(|(label, count)| ChoiceCount {
                        label,
                        count,
                        percent: share(count),
                    })
                    .collect(),
                mean,
                texts: Vec::new(),
            }
        })
        .collect();
    Results::Shown { responses, items }
}

// Improvements (B08: the PDCA).

/// What the provider changed from the results, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Improvement {
    /// What the results showed.
    pub finding: String,
    /// What was changed.
    pub change: String,
    pub changed_on: Date,
}

/// B08: an improvement says what the results showed, what was changed, and when. Errors
/// name `finding`, `change`, `changed_on`.
///
/// Codes: `improvement.finding`, `improvement.change`, `date.*`, `text.*`.
pub fn b08_improvement_is_complete(
    finding: &str,
    change: &str,
    changed_on: &str,
) -> Result<Improvement, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut text = |value: &str, field: &str, code: &'static str, ja: &str, en: &str| {
        let value = value.trim();
        if value.is_empty() {
            errors.push(ValidationError::new(code, ja, en).for_field(field));
        } else if let Err(e) = check_text(value, TextKind::Multiline) {
            errors.push(e.for_field(field));
        }
        value.to_owned()
    };
    let finding = text(
        finding,
        "finding",
        "improvement.finding",
        "アンケートの結果から分かったことを入力してください。",
        "Please say what the results showed.",
    );
    let change = text(
        change,
        "change",
        "improvement.change",
        "行った（または行う）改善を入力してください。",
        "Please say what was (or will be) changed.",
    );
    let on = parse_date(changed_on).map_err(|e| errors.push(e.for_field("changed_on")));
    match on {
        Ok(changed_on) if errors.is_empty() => Ok(Improvement {
            finding,
            change,
            changed_on,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::plan::tests::plan;
    use time::macros::datetime;

    fn scale(id: &str, required: bool) -> SurveyItem {
        SurveyItem {
            id: id.to_owned(),
            question: Label::new("講習の目的に対する満足度", "Satisfaction with the purpose"),
            kind: ItemKind::Scale {
                points: DEFAULT_SCALE_JA.map(|p| Label::new(p, "")),
            },
            required,
        }
    }

    fn choice(id: &str) -> SurveyItem {
        SurveyItem {
            id: id.to_owned(),
            question: Label::new("講習の難易度", "Difficulty"),
            kind: ItemKind::Choice {
                options: vec![
                    Label::new("易しい", "Easy"),
                    Label::new("ちょうどよい", "Right"),
                    Label::new("難しい", "Hard"),
                ],
            },
            required: true,
        }
    }

    fn text(id: &str) -> SurveyItem {
        SurveyItem {
            id: id.to_owned(),
            question: Label::new("改善してほしい点", "What to improve"),
            kind: ItemKind::Text,
            required: false,
        }
    }

    fn survey() -> Vec<SurveyItem> {
        vec![
            scale("m1", true),
            choice("m2"),
            text("m3"),
            scale("p1", false),
        ]
    }

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// A fixed sequence standing in for the random source.
    fn fixed() -> impl FnMut(usize) -> usize {
        let mut k = 7usize;
        move |n| {
            k = k.wrapping_mul(31).wrapping_add(17);
            k % n
        }
    }

    #[test]
    fn d07_item_set_is_sound_passes() {
        assert!(d07_item_set_is_sound(&survey(), 1).is_ok());
        assert!(
            d07_item_set_is_sound(&[], 0).is_ok(),
            "a provider may add none"
        );
    }

    #[test]
    fn d07_item_set_is_sound_fails_naming_the_item() {
        let mut items = survey();
        items[1].kind = ItemKind::Choice {
            options: vec![Label::new("はい", ""), Label::new("はい", "")],
        };
        items[2].question.ja = " ".to_owned();
        items[3].id = "m1".to_owned();
        let errors = d07_item_set_is_sound(&items, 1).unwrap_err();
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.code, e.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                ("survey_item.option_twice", "items[1].options_ja"),
                ("survey_item.question", "items[2].question_ja"),
                ("survey_items.id", "items[3].question_ja"),
            ]
        );
        assert_eq!(
            d07_item_set_is_sound(&[], 1).unwrap_err()[0].code,
            "survey_items.count"
        );
        let one_option = SurveyItem {
            kind: ItemKind::Choice {
                options: vec![Label::new("はい", "")],
            },
            ..choice("m1")
        };
        assert_eq!(
            d07_item_is_sound(&one_option)[0].code,
            "survey_item.options_count"
        );
    }

    #[test]
    fn typed_rows_read_as_numbered_items_and_back() {
        let rows = vec![
            ItemRow::of(&scale("x", true)),
            ItemRow::blank(),
            ItemRow::of(&choice("y")),
            ItemRow {
                question_ja: "自由にお書きください".to_owned(),
                kind: "text".to_owned(),
                ..ItemRow::default()
            },
        ];
        let items = parse_item_rows(&rows, "p").unwrap_or_default();
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["p1", "p2", "p3"]);
        assert_eq!(items[1].kind, choice("y").kind);
        assert_eq!(ItemRow::of(&items[0]), rows[0]);
        assert!(!items[2].required);
    }

    #[test]
    fn typed_rows_that_are_not_items_are_refused_by_row_and_field() {
        let rows = vec![
            ItemRow::blank(),
            ItemRow {
                question_ja: "4段階しかない".to_owned(),
                kind: "scale".to_owned(),
                options_ja: "1\n2\n3\n4".to_owned(),
                ..ItemRow::default()
            },
            ItemRow {
                question_ja: "英語の数が違う".to_owned(),
                kind: "choice".to_owned(),
                options_ja: "はい\nいいえ".to_owned(),
                options_en: "Yes".to_owned(),
                ..ItemRow::default()
            },
            ItemRow {
                question_ja: "形式なし".to_owned(),
                ..ItemRow::default()
            },
        ];
        let errors = parse_item_rows(&rows, "m").unwrap_err();
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.code, e.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                ("survey_item.scale_points", "items[1].options_ja"),
                ("survey_item.options_en_count", "items[2].options_en"),
                ("survey_item.kind", "items[3].kind"),
            ]
        );
    }

    #[test]
    fn d07_survey_is_open_from_the_last_blocks_start_for_thirty_days_after_it() {
        // The plan's blocks: 2026-06-01 10:00-12:00 and 13:00-17:00 (JST).
        let p = plan();
        let jst = time::macros::offset!(+9);
        assert!(d07_survey_is_open(&p, datetime!(2026-06-01 13:00 +9), jst).is_ok());
        assert!(d07_survey_is_open(&p, datetime!(2026-07-01 17:00 +9), jst).is_ok());
        let code = |now| d07_survey_is_open(&p, now, jst).unwrap_err();
        let early = code(datetime!(2026-06-01 12:59 +9));
        assert_eq!(early.code, "survey.not_yet");
        assert!(early.message_ja.contains("2026年6月1日"), "{early:?}");
        assert_eq!(code(datetime!(2026-07-01 17:01 +9)).code, "survey.closed");
        let mut none = plan();
        none.timetable.clear();
        assert_eq!(
            d07_survey_is_open(&none, datetime!(2026-06-01 13:00 +9), jst)
                .unwrap_err()
                .code,
            "survey.no_timetable"
        );
    }

    #[test]
    fn d07_answers_are_complete_passes() {
        let items = survey();
        let refs: Vec<&SurveyItem> = items.iter().collect();
        let answers = d07_answers_are_complete(
            &refs,
            &given(&[
                ("answers.m1", "5"),
                ("answers.m2", "2"),
                ("answers.m3", "  資料を事前に  "),
                ("answers.unknown", "x"),
            ]),
        )
        .unwrap_or_default();
        assert_eq!(
            answers,
            [
                ("m1".to_owned(), Answer::Chosen(5)),
                ("m2".to_owned(), Answer::Chosen(2)),
                ("m3".to_owned(), Answer::Text("資料を事前に".to_owned())),
                ("p1".to_owned(), Answer::Skipped),
            ]
        );
    }

    #[test]
    fn d07_answers_are_complete_fails_naming_each_item_in_both_languages() {
        let items = survey();
        let refs: Vec<&SurveyItem> = items.iter().collect();
        let errors =
            d07_answers_are_complete(&refs, &given(&[("answers.m2", "4"), ("answers.p1", "0")]))
                .unwrap_err();
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.code, e.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                ("survey.required", "answers.m1"),
                ("survey.choice", "answers.m2"),
                ("survey.choice", "answers.p1"),
            ]
        );
        assert!(
            errors[0]
                .message_ja
                .contains("「講習の目的に対する満足度」")
        );
        assert!(
            errors[0]
                .message_en
                .contains("\"Satisfaction with the purpose\"")
        );
        let long = "あ".repeat(10_001);
        let errors = d07_answers_are_complete(
            &refs,
            &given(&[
                ("answers.m1", "1"),
                ("answers.m2", "1"),
                ("answers.m3", &long),
            ]),
        )
        .unwrap_err();
        assert_eq!(errors[0].code, "text.too_long");
        assert!(errors[0].message_ja.contains("「改善してほしい点」"));
    }

    #[test]
    fn an_answer_marks_one_count_per_choice_item_and_none_per_text_item() {
        let items = survey();
        let refs: Vec<&SurveyItem> = items.iter().collect();
        let cells = tally_cells(&refs);
        // m1: 0..=5, m2: 0..=3, p1: 0..=5.
        assert_eq!(cells.len(), 6 + 4 + 6);
        let answers = vec![
            ("m1".to_owned(), Answer::Chosen(4)),
            ("m2".to_owned(), Answer::Chosen(1)),
            ("m3".to_owned(), Answer::Text("t".to_owned())),
            ("p1".to_owned(), Answer::Skipped),
        ];
        let marks = tally_marks(&refs, &answers);
        assert_eq!(
            marks,
            [
                ("m1".to_owned(), 4),
                ("m2".to_owned(), 1),
                ("p1".to_owned(), 0)
            ]
        );
        assert!(marks.iter().all(|m| cells.contains(m)));
        assert_eq!(text_items(&refs), ["m3"]);
    }

    #[test]
    fn d07_add_texts_puts_the_text_in_and_reshuffles_every_list() {
        let lists = vec![
            ("m3".to_owned(), (1..=6).map(|n| n.to_string()).collect()),
            (
                "p2".to_owned(),
                vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
            ),
        ];
        let answers = vec![("m3".to_owned(), Answer::Text("7".to_owned()))];
        let mut random = fixed();
        let after = d07_add_texts(lists, &answers, &mut random);
        let mut m3 = after[0].1.clone();
        assert_ne!(
            m3,
            ["1", "2", "3", "4", "5", "6", "7"],
            "not in answer order"
        );
        m3.sort();
        assert_eq!(m3, ["1", "2", "3", "4", "5", "6", "7"]);
        assert_eq!(after[1].1.len(), 3, "the other list keeps its texts");
    }

    #[test]
    fn shuffle_takes_its_randomness_as_a_parameter() {
        let mut v = vec![1, 2, 3, 4];
        shuffle(&mut v, &mut |n| n - 1);
        assert_eq!(v, [1, 2, 3, 4]);
        shuffle(&mut v, &mut |_| 0);
        assert_eq!(v, [2, 3, 4, 1]);
    }

    #[test]
    fn b08_results_may_be_shown_from_five_on() {
        assert_eq!(b08_results_may_be_shown(4), Err(1));
        assert_eq!(b08_results_may_be_shown(0), Err(5));
        assert!(b08_results_may_be_shown(5).is_ok());
    }

    #[test]
    fn b08_results_are_withheld_below_five_and_aggregated_from_five() {
        let items = survey();
        let refs: Vec<&SurveyItem> = items.iter().collect();
        let tallies: Vec<(String, u32, u32)> = vec![
            ("m1".to_owned(), 5, 3),
            ("m1".to_owned(), 4, 1),
            ("m1".to_owned(), 2, 1),
            ("m2".to_owned(), 2, 5),
            ("p1".to_owned(), 0, 4),
            ("p1".to_owned(), 3, 1),
        ];
        let texts = vec![("m3".to_owned(), vec!["x".to_owned(), "y".to_owned()])];
        assert_eq!(
            b08_results(&refs, 4, &tallies, &texts, &mut fixed()),
            Results::Withheld {
                responses: 4,
                more_needed: 1
            }
        );
        let Results::Shown { responses, items } =
            b08_results(&refs, 5, &tallies, &texts, &mut fixed())
        else {
            panic!("five answers are shown");
        };
        assert_eq!(responses, 5);
        let m1 = &items[0];
        assert_eq!(m1.answered, 5);
        let counts: Vec<u32> = m1.counts.iter().map(|c| c.count).collect();
        assert_eq!(counts, [0, 1, 0, 1, 3]);
        assert!((m1.counts[4].percent - 60.0).abs() < 1e-9);
        // (2 + 4 + 3 × 5) / 5
        assert!((m1.mean.unwrap_or(0.0) - 4.2).abs() < 1e-9);
        assert_eq!(items[1].mean, None, "a choice has no mean");
        let mut t = items[2].texts.clone();
        t.sort();
        assert_eq!(t, ["x", "y"]);
        assert_eq!(items[2].unanswered, 3);
        assert_eq!((items[3].answered, items[3].unanswered), (1, 4));
    }

    #[test]
    fn b08_improvement_is_complete_passes_and_fails() {
        let ok =
            b08_improvement_is_complete("演習の時間が足りない", "演習を30分延長", "2026-07-01");
        assert_eq!(
            ok.map(|i| i.changed_on),
            Ok(time::macros::date!(2026 - 07 - 01))
        );
        let errors = b08_improvement_is_complete(" ", "", "7月").unwrap_err();
        let fields: Vec<&str> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["finding", "change", "changed_on"]);
    }
}
