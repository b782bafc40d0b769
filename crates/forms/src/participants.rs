//! Participant and attendance reports as meeting tools export them (issue 15 item 6: evidence
//! from the tools providers already use, D03 / B30 ②). [`read_report`] tells the tool by the
//! file's headers and returns one row per join and leave, as the file has them: merging a
//! person's reconnects and matching people to enrolments are the domain's.
//!
//! | tool | file | table read |
//! |---|---|---|
//! | Zoom | participant report (CSV, UTF-8 with or without BOM), with or without the meeting's preamble (`Meeting ID,Topic,…`), English or Japanese headers | `Name (Original Name)`, `User Email`, `Join Time`, `Leave Time` (and the older and newer spellings) |
//! | Microsoft Teams | attendance report (UTF-16 or UTF-8, tabs or commas) | `3. In-Meeting Activities` (one row per join) when present, else `2. Participants` (first join, last leave); the older log `Full Name`, `User Action`, `Timestamp`, paired per person |
//! | BigBlueButton | learning dashboard CSV | `Name`, `Join`, `Left`; `Left` may be absent when `Duration` is there |
//!
//! Being liberal in what it accepts: headers are compared without case, spaces, `-`, `_` and
//! full-width forms; the delimiter may be a tab, a comma or a semicolon; a file saved again by
//! Excel in Japan (Shift_JIS) is read too. Times are read as these tools write them:
//! `12/01/2026 09:58:12 AM`, `12/1/26, 9:58:12 AM`, `2026/12/01 09:58:12`, `2026/12/01 午前
//! 9:58:12`, `Dec 01, 2026 09:58:12 AM`, ISO 8601 with or without an offset. A date written with the year last is month
//! first, as in the United States, unless some date of the file can only be day first
//! (`13/12/2026`). A time without an offset is at the offset the caller gives.
//!
//! Every refusal is a [`ValidationError`] for the field `report`: `participants.encoding`,
//! `participants.format` (a quote left open), `participants.too_large`,
//! `participants.unknown_layout`, `participants.missing_column` (naming the column's header),
//! `participants.time` and `participants.action` (naming the row and the column),
//! `participants.empty`.

use crate::catalogue::parse_csv;
use crate::import::MAX_INPUT_BYTES;
use koshu_domain::ValidationError;
use std::borrow::Cow;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The meeting tool a report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingTool {
    Zoom,
    Teams,
    BigBlueButton,
}

impl MeetingTool {
    pub const ALL: [Self; 3] = [Self::Zoom, Self::Teams, Self::BigBlueButton];

    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zoom => "zoom",
            Self::Teams => "teams",
            Self::BigBlueButton => "bbb",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The product's name, as people know it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Zoom => "Zoom",
            Self::Teams => "Microsoft Teams",
            Self::BigBlueButton => "BigBlueButton",
        }
    }
}

/// One stay of one person in the meeting, from a join to the following leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRow {
    /// The name shown in the meeting, as the tool wrote it.
    pub name: String,
    /// Trimmed and lower-cased; `None` when the tool knew no address (a guest, BigBlueButton,
    /// Teams' older log).
    pub email: Option<String>,
    pub joined: OffsetDateTime,
    pub left: OffsetDateTime,
}

/// A report read: the tool, and one row per join and leave in the file's order (a person who
/// reconnected has several rows; merging them is the domain's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantReport {
    pub tool: MeetingTool,
    pub rows: Vec<ParticipantRow>,
}

/// Reads a participant or attendance report exported by Zoom, Microsoft Teams or
/// BigBlueButton. `offset` is the offset of the file's times when the file gives none (in
/// Japan, +09:00).
pub fn read_report(bytes: &[u8], offset: UtcOffset) -> Result<ParticipantReport, ValidationError> {
    if bytes.len() > MAX_INPUT_BYTES {
        let mb = MAX_INPUT_BYTES / (1024 * 1024);
        return Err(refusal(
            "participants.too_large",
            format!(
                "参加者レポートが上限（{mb}MB）を超えています。1 回の会議のレポートを選んでください。"
            ),
            format!(
                "The participant report is larger than the limit ({mb} MB). Choose the report of one meeting."
            ),
        ));
    }
    let text = decode(bytes)?;
    let mut readable = false;
    // A Teams report is tab-separated and its times hold commas, so tabs are tried first; a
    // Zoom or BigBlueButton file has no tabs and finds no headers that way.
    for delimiter in ['\t', ',', ';'] {
        let Some(grid) = parse_csv(&text, delimiter) else {
            continue;
        };
        readable = true;
        let tables = tables(&grid);
        if !tables.is_empty() {
            return read_tables(&grid, &tables, offset);
        }
    }
    Err(if readable {
        unknown_layout()
    } else {
        refusal(
            "participants.format",
            "参加者レポートを読めません（閉じていない引用符 \" があります）。会議ツールから出力したままのファイルを選んでください。",
            "The participant report cannot be read (a quote \" is not closed). Choose the file as the meeting tool exported it.",
        )
    })
}

fn unknown_layout() -> ValidationError {
    refusal(
        "participants.unknown_layout",
        "参加者レポートの形式が分かりません。Zoom の参加者レポート、Microsoft Teams の出席者レポート、BigBlueButton のラーニングダッシュボードの CSV のどれかを、出力したまま選んでください。",
        "The participant report's layout is not one this reads. Choose, as the tool exported it, a Zoom participant report, a Microsoft Teams attendance report or a BigBlueButton learning dashboard CSV.",
    )
}

fn refusal(code: &'static str, ja: impl Into<String>, en: impl Into<String>) -> ValidationError {
    ValidationError::new(code, ja, en).for_field("report")
}

/// Teams writes UTF-16 with a BOM, Zoom and BigBlueButton UTF-8; Excel in Japan saves Shift_JIS.
fn decode(bytes: &[u8]) -> Result<String, ValidationError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(refusal(
            "participants.encoding",
            "参加者レポートが Excel ブックです。会議ツールから CSV で出力するか、Excel で CSV として保存し直してください。",
            "The participant report is an Excel workbook. Export it from the meeting tool as CSV, or save it from Excel as CSV.",
        ));
    }
    fn utf8(bytes: &[u8]) -> Option<Cow<'_, str>> {
        std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
    }
    let text = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        encoding_rs::UTF_16LE.decode_without_bom_handling_and_without_replacement(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        encoding_rs::UTF_16BE.decode_without_bom_handling_and_without_replacement(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        utf8(rest)
    } else if let [first, second, ..] = bytes {
        // Without a BOM, UTF-16 shows itself by the zero byte of its first (ASCII) character.
        match (*first, *second) {
            (0, b) if b != 0 => {
                encoding_rs::UTF_16BE.decode_without_bom_handling_and_without_replacement(bytes)
            }
            (b, 0) if b != 0 => {
                encoding_rs::UTF_16LE.decode_without_bom_handling_and_without_replacement(bytes)
            }
            _ => utf8(bytes).or_else(|| {
                encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
            }),
        }
    } else {
        utf8(bytes)
    };
    text.map(|t| t.trim_start_matches('\u{feff}').to_owned())
        .ok_or_else(|| {
            refusal(
                "participants.encoding",
                "参加者レポートの文字コードを読めません。会議ツールから出力したままのファイルを選ぶか、UTF-8 で保存し直してください。",
                "The participant report's encoding cannot be read. Choose the file as the meeting tool exported it, or save it again as UTF-8.",
            )
        })
}

type Grid = Vec<Vec<String>>;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Email,
    /// Teams' `Participant ID (UPN)`: an address too, used when `Email` is empty.
    Upn,
    Join,
    Leave,
    Duration,
    /// Teams' older log: `Joined`, `Joined before` or `Left`.
    Action,
    Timestamp,
    /// A column that only tells the layout (Zoom's `Guest`, BigBlueButton's `Talk Time`).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A row per stay: a join and a leave (or a duration).
    Stays,
    /// A row per join or leave, to pair per person.
    Actions,
}

/// A table a report holds, by the headers its columns go by. The first English and the first
/// Japanese header of a field name its column in messages.
#[derive(Debug)]
struct Layout {
    tool: MeetingTool,
    /// Which table to read when a file holds several: Teams' per-join section over its
    /// per-person one.
    rank: u8,
    kind: Kind,
    columns: &'static [(Field, &'static [&'static str])],
    required: &'static [Field],
    /// Whether `Duration` stands in for a missing `Leave` column.
    leave_from_duration: bool,
}

const TEAMS_NAME: &[&str] = &[
    "Name",
    "Full Name",
    "Display Name",
    "名前",
    "フル ネーム",
    "氏名",
    "表示名",
];
const EMAIL: &[&str] = &[
    "Email",
    "E-mail",
    "Email Address",
    "メール",
    "メールアドレス",
    "電子メール",
    "Eメール",
];
const TEAMS_UPN: &[&str] = &["Participant ID (UPN)", "UPN", "参加者 ID (UPN)"];
const TEAMS_ROLE: &[&str] = &["Role", "役割", "ロール"];
const STAY: &[Field] = &[Field::Name, Field::Join, Field::Leave];

static LAYOUTS: &[Layout] = &[
    Layout {
        tool: MeetingTool::Zoom,
        rank: 1,
        kind: Kind::Stays,
        columns: &[
            (
                Field::Name,
                &[
                    "Name (Original Name)",
                    "User Name (Original Name)",
                    "Name",
                    "User Name",
                    "Participant",
                    "Participant Name",
                    "Display Name",
                    "名前（元の名前）",
                    "ユーザー名（元の名前）",
                    "名前",
                    "ユーザー名",
                    "参加者",
                    "表示名",
                ],
            ),
            (
                Field::Email,
                &[
                    "User Email",
                    "Email",
                    "E-mail",
                    "Email Address",
                    "メール",
                    "ユーザーメール",
                    "ユーザーのメール",
                    "メールアドレス",
                    "Eメール",
                ],
            ),
            (
                Field::Join,
                &[
                    "Join Time",
                    "参加時刻",
                    "参加時間",
                    "参加日時",
                    "入室時刻",
                    "入室時間",
                ],
            ),
            (
                Field::Leave,
                &[
                    "Leave Time",
                    "退出時刻",
                    "退出時間",
                    "退出日時",
                    "退室時刻",
                    "退室時間",
                ],
            ),
            (
                Field::Duration,
                &[
                    "Duration (Minutes)",
                    "Duration (Mins)",
                    "Time in Session (minutes)",
                    "期間（分）",
                    "時間（分）",
                    "参加時間（分）",
                    "継続時間（分）",
                ],
            ),
            (
                Field::Other,
                &[
                    "Guest",
                    "Is Guest",
                    "Recording Consent",
                    "In Waiting Room",
                    "Attended",
                    "First Name",
                    "Last Name",
                    "Leave Reason",
                    "Country/Region Name",
                    "ゲスト",
                    "録画の同意",
                    "録画への同意",
                    "レコーディングへの同意",
                    "待機室内",
                    "待機室",
                ],
            ),
        ],
        required: STAY,
        leave_from_duration: false,
    },
    Layout {
        tool: MeetingTool::Teams,
        rank: 3,
        kind: Kind::Stays,
        columns: &[
            (Field::Name, TEAMS_NAME),
            (
                Field::Join,
                &["Join Time", "参加時刻", "参加時間", "参加日時"],
            ),
            (
                Field::Leave,
                &["Leave Time", "退出時刻", "退出時間", "退出日時"],
            ),
            (Field::Duration, &["Duration", "期間", "時間", "継続時間"]),
            (Field::Email, EMAIL),
            (Field::Upn, TEAMS_UPN),
            (Field::Other, TEAMS_ROLE),
        ],
        required: STAY,
        leave_from_duration: false,
    },
    Layout {
        tool: MeetingTool::Teams,
        rank: 2,
        kind: Kind::Stays,
        columns: &[
            (Field::Name, TEAMS_NAME),
            (
                Field::Join,
                &["First Join", "最初の参加", "最初の参加時刻", "初回参加"],
            ),
            (
                Field::Leave,
                &["Last Leave", "最後の退出", "最後の退出時刻", "最終退出"],
            ),
            (
                Field::Duration,
                &[
                    "In-Meeting Duration",
                    "会議中の期間",
                    "会議中の時間",
                    "会議の長さ",
                ],
            ),
            (Field::Email, EMAIL),
            (Field::Upn, TEAMS_UPN),
            (Field::Other, TEAMS_ROLE),
        ],
        required: STAY,
        leave_from_duration: false,
    },
    Layout {
        tool: MeetingTool::Teams,
        rank: 1,
        kind: Kind::Actions,
        columns: &[
            (Field::Name, TEAMS_NAME),
            (
                Field::Action,
                &[
                    "User Action",
                    "Action",
                    "ユーザーの操作",
                    "ユーザー アクション",
                    "操作",
                ],
            ),
            (
                Field::Timestamp,
                &["Timestamp", "Time", "タイムスタンプ", "日時"],
            ),
            (Field::Email, EMAIL),
        ],
        required: &[Field::Name, Field::Action, Field::Timestamp],
        leave_from_duration: false,
    },
    Layout {
        tool: MeetingTool::BigBlueButton,
        rank: 1,
        kind: Kind::Stays,
        columns: &[
            (
                Field::Name,
                &[
                    "Name",
                    "User",
                    "User Name",
                    "名前",
                    "ユーザー",
                    "ユーザー名",
                ],
            ),
            (Field::Email, EMAIL),
            (
                Field::Join,
                &[
                    "Join",
                    "Joined",
                    "Join Time",
                    "Joined At",
                    "Registered On",
                    "参加",
                    "参加時刻",
                    "参加日時",
                ],
            ),
            (
                Field::Leave,
                &[
                    "Left",
                    "Leave",
                    "Leave Time",
                    "Left At",
                    "Left On",
                    "退出",
                    "退出時刻",
                    "退出日時",
                ],
            ),
            (
                Field::Duration,
                &["Duration", "Online Time", "期間", "時間", "オンライン時間"],
            ),
            (
                Field::Other,
                &[
                    "Moderator",
                    "Activity Score",
                    "Talk Time",
                    "Webcam Time",
                    "Messages",
                    "Emojis",
                    "Reactions",
                    "Raise Hands",
                    "Answers",
                    "Poll Votes",
                    "Status",
                    "モデレーター",
                    "アクティビティスコア",
                    "発言時間",
                    "ウェブカメラ時間",
                    "メッセージ",
                    "絵文字",
                    "リアクション",
                    "挙手",
                    "回答",
                    "状態",
                    "ステータス",
                ],
            ),
        ],
        required: STAY,
        leave_from_duration: true,
    },
];

/// A header compared as people mean it: no case, spaces, `-`, `_`, quotes or BOM, full-width
/// forms as ASCII (`名前（元の名前）` is `名前(元の名前)`).
fn key(header: &str) -> String {
    header
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '"' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A header row found: its layout, where it is, the first column of each field it has.
#[derive(Debug)]
struct Table {
    layout: &'static Layout,
    header: usize,
    /// The row after its last.
    end: usize,
    columns: Vec<(Field, usize)>,
    /// Whether its headers are Japanese, to name a missing column the same way.
    japanese: bool,
}

impl Table {
    fn column(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|&(_, c)| c)
    }

    /// Its rows, with their indices in the grid.
    fn rows<'g>(&self, grid: &'g Grid) -> impl Iterator<Item = (usize, &'g Vec<String>)> + use<'g> {
        grid.iter().enumerate().take(self.end).skip(self.header + 1)
    }

    fn missing(&self) -> Vec<Field> {
        let duration = self.column(Field::Duration).is_some();
        self.layout
            .required
            .iter()
            .copied()
            .filter(|&f| self.column(f).is_none())
            .filter(|&f| !(f == Field::Leave && self.layout.leave_from_duration && duration))
            .collect()
    }

    fn header_name(&self, field: Field) -> &'static str {
        let names = self
            .layout
            .columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[][..], |&(_, names)| names);
        names
            .iter()
            .find(|n| n.is_ascii() != self.japanese)
            .or(names.first())
            .copied()
            .unwrap_or_default()
    }
}

/// Every header the layouts know, by its key: the layouts (by their place in [`LAYOUTS`]) that
/// know it, and the field it names in each.
type HeaderIndex = HashMap<String, Vec<(usize, Field)>>;

fn header_index() -> HeaderIndex {
    let mut index = HeaderIndex::new();
    for (l, layout) in LAYOUTS.iter().enumerate() {
        for &(field, names) in layout.columns {
            for name in names {
                let known = index.entry(key(name)).or_default();
                if !known.iter().any(|&(x, _)| x == l) {
                    known.push((l, field));
                }
            }
        }
    }
    index
}

/// The row (its cells and their keys) as a header of the `l`th layout: how many of its cells
/// the layout knows, and the table. A header has a time column and one more the layout knows,
/// so that a table missing a column is still recognised and the column named.
fn header_of(
    row: &[String],
    keys: &[String],
    r: usize,
    l: usize,
    index: &HeaderIndex,
) -> Option<(usize, Table)> {
    let layout = LAYOUTS.get(l)?;
    let mut known = 0;
    let mut columns: Vec<(Field, usize)> = Vec::new();
    let mut japanese = false;
    for (c, (cell, k)) in row.iter().zip(keys).enumerate() {
        let Some(field) = index
            .get(k)
            .and_then(|fields| fields.iter().find(|&&(x, _)| x == l))
            .map(|&(_, field)| field)
        else {
            continue;
        };
        known += 1;
        japanese |= !cell.trim_start_matches('\u{feff}').is_ascii();
        if !columns.iter().any(|(f, _)| *f == field) {
            columns.push((field, c));
        }
    }
    let timed = columns
        .iter()
        .any(|(f, _)| matches!(f, Field::Join | Field::Leave | Field::Timestamp));
    (timed && known >= 2).then_some((
        known,
        Table {
            layout,
            header: r,
            end: r + 1,
            columns,
            japanese,
        },
    ))
}

/// The tool whose preamble the file has, by its first cells: Zoom's `Meeting ID,Topic,…` (a
/// webinar's `Topic,Webinar ID,…`), Teams' numbered sections and summary. It settles a header row two tools would both read.
fn preamble_tool(grid: &Grid) -> Option<MeetingTool> {
    const ZOOM: &[&str] = &[
        "meetingid",
        "webinarid",
        "topic",
        "ミーティングid",
        "トピック",
    ];
    const TEAMS_SUMMARY: &[&str] = &[
        "meetingtitle",
        "meetingstarttime",
        "attendedparticipants",
        "totalnumberofparticipants",
        "averageattendancetime",
        "会議のタイトル",
    ];
    grid.iter().find_map(|row| {
        let first = key(row.first()?);
        let second = row.get(1).map(|c| key(c)).unwrap_or_default();
        let numbered = first.split_once('.').is_some_and(|(n, title)| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && title.chars().next().is_some_and(|c| !c.is_ascii_digit())
        });
        if ZOOM.contains(&first.as_str()) && ZOOM.contains(&second.as_str()) {
            Some(MeetingTool::Zoom)
        } else if (numbered && row.iter().skip(1).all(|c| c.trim().is_empty()))
            || TEAMS_SUMMARY.contains(&first.as_str())
        {
            Some(MeetingTool::Teams)
        } else {
            None
        }
    })
}

/// Every header row of the file, each with the layout that knows most of its cells (ties to
/// the layout of the tool whose preamble the file has, then to the first), ending at a blank
/// row, a title row (one cell) or the next header.
fn tables(grid: &Grid) -> Vec<Table> {
    let preamble = preamble_tool(grid);
    let index = header_index();
    let mut tables: Vec<Table> = Vec::new();
    for (r, row) in grid.iter().enumerate() {
        if row.iter().filter(|c| !c.trim().is_empty()).count() < 2 {
            continue;
        }
        let keys: Vec<String> = row.iter().map(|c| key(c)).collect();
        let mut best: Option<(usize, Table)> = None;
        for l in 0..LAYOUTS.len() {
            if let Some((known, table)) = header_of(row, &keys, r, l, &index) {
                let score = 2 * known + usize::from(preamble == Some(table.layout.tool));
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, table));
                }
            }
        }
        if let Some((_, table)) = best {
            tables.push(table);
        }
    }
    let starts: Vec<usize> = tables.iter().map(|t| t.header).collect();
    for (i, table) in tables.iter_mut().enumerate() {
        let limit = starts.get(i + 1).copied().unwrap_or(grid.len());
        table.end = (table.header + 1..limit)
            .find(|&r| grid[r].iter().skip(1).all(|c| c.trim().is_empty()))
            .unwrap_or(limit);
    }
    tables
}

/// Reads the best table the file has complete (and any more of the same layout, as in Zoom's
/// webinar report), or names the columns the best table lacks.
fn read_tables(
    grid: &Grid,
    tables: &[Table],
    offset: UtcOffset,
) -> Result<ParticipantReport, ValidationError> {
    fn best<'t>(tables: impl Iterator<Item = &'t Table>) -> Option<&'t Table> {
        tables.fold(None, |best: Option<&Table>, t| match best {
            Some(b) if b.layout.rank >= t.layout.rank => Some(b),
            _ => Some(t),
        })
    }
    let Some(best) = best(tables.iter().filter(|t| t.missing().is_empty())) else {
        return Err(best(tables.iter()).map_or_else(unknown_layout, missing_columns));
    };
    let chosen: Vec<&Table> = tables
        .iter()
        .filter(|t| std::ptr::eq(t.layout, best.layout) && t.missing().is_empty())
        .collect();
    let mut reading = Reading {
        grid,
        offset,
        order: DateOrder::MonthFirst,
        tool: best.layout.tool,
        rows: Vec::new(),
    };
    reading.order = date_order(chosen.iter().flat_map(|t| {
        [Field::Join, Field::Leave, Field::Timestamp]
            .into_iter()
            .filter_map(|f| t.column(f))
            .flat_map(|c| t.rows(grid).map(move |(_, row)| cell(row, c)))
    }));
    for table in &chosen {
        match table.layout.kind {
            Kind::Stays => reading.stays(table)?,
            Kind::Actions => reading.actions(table)?,
        }
    }
    if reading.rows.is_empty() {
        let tool = reading.tool.label();
        return Err(refusal(
            "participants.empty",
            format!(
                "{tool} の参加者レポートに参加者の行がありません。会議の終了後に出力したレポートを選んでください。"
            ),
            format!(
                "The {tool} participant report has no participant rows. Choose a report exported after the meeting."
            ),
        ));
    }
    Ok(ParticipantReport {
        tool: reading.tool,
        rows: reading.rows,
    })
}

fn missing_columns(table: &Table) -> ValidationError {
    let names: Vec<&str> = table
        .missing()
        .into_iter()
        .map(|f| table.header_name(f))
        .collect();
    let tool = table.layout.tool.label();
    let ja = names.join("」「");
    let en = names.join("\", \"");
    refusal(
        "participants.missing_column",
        format!(
            "{tool} の参加者レポートに列「{ja}」がありません。{tool} から出力したままのファイルを選ぶか、列「{ja}」を加えてください。"
        ),
        format!(
            "The {tool} participant report has no column \"{en}\". Choose the file as {tool} exported it, or add the column \"{en}\"."
        ),
    )
}

fn cell(row: &[String], column: usize) -> &str {
    row.get(column).map_or("", |c| c.trim())
}

/// A cell that says the person was not there (Zoom writes `--` for a registrant who never came).
fn absent(text: &str) -> bool {
    matches!(text, "" | "-" | "--")
}

fn address(text: &str) -> Option<String> {
    text.contains('@').then(|| text.to_lowercase())
}

/// What is wrong with a cell.
#[derive(Debug, Clone, Copy)]
enum CellProblem {
    Empty,
    NotTime,
    NotDuration,
    BeforeJoin { join: usize },
    NotAction,
}

/// The rows read so far, and what reading a cell needs.
#[derive(Debug)]
struct Reading<'g> {
    grid: &'g Grid,
    offset: UtcOffset,
    order: DateOrder,
    tool: MeetingTool,
    rows: Vec<ParticipantRow>,
}

impl Reading<'_> {
    fn problem(&self, table: &Table, r: usize, c: usize, problem: CellProblem) -> ValidationError {
        let header_of = |c: usize| cell(&self.grid[table.header], c).trim_start_matches('\u{feff}');
        let header = header_of(c);
        let value = cell(&self.grid[r], c);
        let n = r + 1;
        let tool = self.tool.label();
        let (code, ja, en) = match problem {
            CellProblem::Empty => (
                "participants.time",
                format!("{n} 行目の「{header}」が空です。"),
                format!("Row {n}: \"{header}\" is empty."),
            ),
            CellProblem::NotTime => (
                "participants.time",
                format!(
                    "{n} 行目の「{header}」の「{value}」を日時として読めません（例: 2026/12/01 09:58:12）。"
                ),
                format!(
                    "Row {n}: \"{header}\" holds \"{value}\", which cannot be read as a date and time (for example 2026/12/01 09:58:12)."
                ),
            ),
            CellProblem::NotDuration => (
                "participants.time",
                format!(
                    "{n} 行目の「{header}」の「{value}」を時間の長さとして読めません（例: 01:02:03）。"
                ),
                format!(
                    "Row {n}: \"{header}\" holds \"{value}\", which cannot be read as a length of time (for example 01:02:03)."
                ),
            ),
            CellProblem::BeforeJoin { join } => {
                let join = header_of(join);
                (
                    "participants.time",
                    format!("{n} 行目の「{header}」（{value}）が「{join}」より前です。"),
                    format!("Row {n}: \"{header}\" ({value}) is before \"{join}\"."),
                )
            }
            CellProblem::NotAction => (
                "participants.action",
                format!(
                    "{n} 行目の「{header}」の「{value}」は参加（Joined）でも退出（Left）でもありません。"
                ),
                format!(
                    "Row {n}: \"{header}\" holds \"{value}\", which is neither Joined nor Left."
                ),
            ),
        };
        refusal(
            code,
            format!("{ja}{tool} から出力したままのファイルを選ぶか、この行を直してください。"),
            format!("{en} Choose the file as {tool} exported it, or correct this row."),
        )
    }

    fn time(&self, table: &Table, r: usize, c: usize) -> Result<OffsetDateTime, ValidationError> {
        let text = cell(&self.grid[r], c);
        if absent(text) {
            return Err(self.problem(table, r, c, CellProblem::Empty));
        }
        parse_time(text, self.order, self.offset)
            .ok_or_else(|| self.problem(table, r, c, CellProblem::NotTime))
    }

    fn email(&self, table: &Table, row: &[String]) -> Option<String> {
        [Field::Email, Field::Upn]
            .into_iter()
            .filter_map(|f| table.column(f))
            .find_map(|c| address(cell(row, c)))
    }

    /// A row per stay; a missing leave is the join plus the duration (BigBlueButton writes
    /// none, or 1970, for someone still online).
    fn stays(&mut self, table: &Table) -> Result<(), ValidationError> {
        let (Some(name), Some(join)) = (table.column(Field::Name), table.column(Field::Join))
        else {
            return Ok(());
        };
        let leave = table.column(Field::Leave);
        let duration = table.column(Field::Duration);
        for (r, row) in table.rows(self.grid) {
            if absent(cell(row, join)) && leave.is_none_or(|c| absent(cell(row, c))) {
                continue;
            }
            let joined = self.time(table, r, join)?;
            let by_duration = || -> Option<Result<OffsetDateTime, ValidationError>> {
                let c = duration?;
                Some(
                    parse_duration(cell(row, c))
                        .and_then(|d| joined.checked_add(d))
                        .ok_or_else(|| self.problem(table, r, c, CellProblem::NotDuration)),
                )
            };
            let left = match leave.filter(|&c| !absent(cell(row, c))) {
                Some(c) => {
                    let left = self.time(table, r, c)?;
                    if left >= joined {
                        left
                    } else {
                        by_duration().unwrap_or_else(|| {
                            Err(self.problem(table, r, c, CellProblem::BeforeJoin { join }))
                        })?
                    }
                }
                None => by_duration().unwrap_or_else(|| {
                    Err(self.problem(table, r, leave.unwrap_or(join), CellProblem::Empty))
                })?,
            };
            let email = self.email(table, row);
            self.rows.push(ParticipantRow {
                name: cell(row, name).to_owned(),
                email,
                joined,
                left,
            });
        }
        Ok(())
    }

    /// Teams' older log, paired per person in order. A join still open at the end closes at
    /// the log's last time (the report was taken during the meeting); a leave without a join
    /// opens at the log's first (`Joined before` was not logged).
    fn actions(&mut self, table: &Table) -> Result<(), ValidationError> {
        let (Some(name), Some(action), Some(at)) = (
            table.column(Field::Name),
            table.column(Field::Action),
            table.column(Field::Timestamp),
        ) else {
            return Ok(());
        };
        /// A stay as logged so far: either end may be missing.
        struct Logged {
            name: String,
            email: Option<String>,
            joined: Option<OffsetDateTime>,
            left: Option<OffsetDateTime>,
        }
        let mut stays: Vec<Logged> = Vec::new();
        let mut open: HashMap<String, usize> = HashMap::new();
        let mut span: Option<(OffsetDateTime, OffsetDateTime)> = None;
        for (r, row) in table.rows(self.grid) {
            let who = cell(row, name).to_owned();
            let time = self.time(table, r, at)?;
            span = Some(span.map_or((time, time), |(a, b)| (a.min(time), b.max(time))));
            let email = self.email(table, row);
            match parse_action(cell(row, action)) {
                Some(Action::Join) => {
                    if !open.contains_key(&who) {
                        open.insert(who.clone(), stays.len());
                        stays.push(Logged {
                            name: who,
                            email,
                            joined: Some(time),
                            left: None,
                        });
                    }
                }
                Some(Action::Leave) => match open.remove(&who).and_then(|i| stays.get_mut(i)) {
                    Some(stay) => stay.left = Some(time),
                    None => stays.push(Logged {
                        name: who,
                        email,
                        joined: None,
                        left: Some(time),
                    }),
                },
                None => return Err(self.problem(table, r, action, CellProblem::NotAction)),
            }
        }
        let Some((first, last)) = span else {
            return Ok(());
        };
        self.rows
            .extend(stays.into_iter().map(|stay| ParticipantRow {
                name: stay.name,
                email: stay.email,
                joined: stay.joined.unwrap_or(first),
                left: stay.left.unwrap_or(last),
            }));
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Join,
    Leave,
}

fn parse_action(text: &str) -> Option<Action> {
    let k = key(text);
    if k.starts_with("join") || k.contains("参加") {
        Some(Action::Join)
    } else if k.starts_with("left")
        || k.starts_with("leave")
        || k.contains("退出")
        || k.contains("退室")
    {
        Some(Action::Leave)
    } else {
        None
    }
}

/// The order of day and month in a date written with the year last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOrder {
    MonthFirst,
    DayFirst,
}

/// Day first only when some date can only be day first and none only month first.
fn date_order<'a>(cells: impl Iterator<Item = &'a str>) -> DateOrder {
    let (mut day_first, mut month_first) = (false, false);
    for text in cells {
        let date = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == 'T')
            .next()
            .unwrap_or_default();
        if let Some([a, b, _]) = date_fields(date).filter(|[a, ..]| a.len() != 4) {
            day_first |= number::<u8>(a).is_some_and(|n| n > 12);
            month_first |= number::<u8>(b).is_some_and(|n| n > 12);
        }
    }
    if day_first && !month_first {
        DateOrder::DayFirst
    } else {
        DateOrder::MonthFirst
    }
}

/// Digits only, so that `+5` or ` 5` are not numbers.
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn date_fields(date: &str) -> Option<[&str; 3]> {
    let mut parts = date
        .split(['/', '-', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty());
    let fields = [parts.next()?, parts.next()?, parts.next()?];
    parts.next().is_none().then_some(fields)
}

fn parse_date(text: &str, order: DateOrder) -> Option<Date> {
    let [a, b, c] = date_fields(text)?;
    let (year, month, day) = match (a.len(), c.len(), order) {
        (4, _, _) => (a, b, c),
        (_, 2 | 4, DateOrder::MonthFirst) => (c, a, b),
        (_, 2 | 4, DateOrder::DayFirst) => (c, b, a),
        _ => return None,
    };
    let century = if year.len() == 2 { 2000 } else { 0 };
    let month = Month::try_from(number::<u8>(month)?).ok()?;
    Date::from_calendar_date(century + number::<i32>(year)?, month, number(day)?).ok()
}

/// `9:58`, `09:58:12`, `09:58:12.123`; with a meridiem (`Some(true)` for PM) the hour is
/// 12-hour: 12 AM is 00, 12 PM is 12 (and 午前0時 is 00).
fn parse_clock(text: &str, pm: Option<bool>) -> Option<Time> {
    let mut parts = text.split(':');
    let hour: u8 = number(parts.next()?)?;
    let minute: u8 = number(parts.next()?)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Nanoseconds: the first nine digits, padded.
            let digits = fraction.get(..fraction.len().min(9))?;
            let nanos = if digits.is_empty() {
                0
            } else {
                number::<u32>(digits)? * 10u32.pow(9 - u32::try_from(digits.len()).ok()?)
            };
            (number(whole)?, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let hour = match pm {
        None => hour,
        Some(_) if hour > 12 => return None,
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// `Z`, `UTC`, `GMT`, `+09:00`, `+0900`, `+9`, `GMT+9`.
fn parse_zone(text: &str) -> Option<UtcOffset> {
    let rest = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|z| text.strip_prefix(z))
        .unwrap_or(text)
        .trim();
    let Some(sign) = rest.chars().next() else {
        return Some(UtcOffset::UTC);
    };
    let sign: i8 = match sign {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits = rest.get(1..)?.replace(':', "");
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.as_str(), "0"),
        4 => digits.split_at(2),
        _ => return None,
    };
    UtcOffset::from_hms(
        sign * number::<i8>(hours)?,
        sign * number::<i8>(minutes)?,
        0,
    )
    .ok()
}

const MONTHS: [(&str, Month); 12] = [
    ("JAN", Month::January),
    ("FEB", Month::February),
    ("MAR", Month::March),
    ("APR", Month::April),
    ("MAY", Month::May),
    ("JUN", Month::June),
    ("JUL", Month::July),
    ("AUG", Month::August),
    ("SEP", Month::September),
    ("OCT", Month::October),
    ("NOV", Month::November),
    ("DEC", Month::December),
];

fn parse_time(text: &str, order: DateOrder, offset: UtcOffset) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let mut text = text.to_ascii_uppercase().replace(',', " ");
    let mut pm = None;
    for (mark, is_pm) in [
        ("午前", false),
        ("午後", true),
        ("A.M.", false),
        ("P.M.", true),
        ("AM", false),
        ("PM", true),
    ] {
        if let Some(at) = text.find(mark) {
            text.replace_range(at..at + mark.len(), " ");
            pm = Some(is_pm);
            break;
        }
    }
    let text = text.trim();
    let (date, clock) = match MONTHS.iter().find(|(name, _)| text.starts_with(name)) {
        // `Dec 01, 2026 10:00:14 AM`, as Zoom's dashboard writes it.
        Some(&(_, month)) => {
            let mut words = text.split_whitespace().skip(1);
            let (day, year) = (words.next()?, words.next()?);
            let date = Date::from_calendar_date(number(year)?, month, number(day)?).ok()?;
            (date, words.collect::<Vec<_>>().join(" "))
        }
        None => {
            let (date, clock) = text.split_once(|c: char| c.is_whitespace() || c == 'T')?;
            (parse_date(date, order)?, clock.to_owned())
        }
    };
    let clock = clock.trim();
    let (clock, zone) = match clock.find(['Z', 'U', 'G', '+', '-']) {
        Some(at) => (
            clock.get(..at)?.trim(),
            Some(parse_zone(clock.get(at..)?.trim())?),
        ),
        None => (clock, None),
    };
    let time = parse_clock(clock, pm)?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(zone.unwrap_or(offset)))
}

/// `01:02:03` (BigBlueButton), `31:48`, `1h 2m 3s` (Teams), `1時間2分`, or whole minutes (Zoom).
/// Each number is at most a `u32` and the sum is checked, so that no text overflows.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let part = |digits: &str| number::<u32>(digits).map(i64::from);
    if let Some(minutes) = part(text) {
        return Some(Duration::minutes(minutes));
    }
    if text.contains(':') {
        let parts: Vec<i64> = text.split(':').map(part).collect::<Option<_>>()?;
        return match parts[..] {
            [h, m, s] => Some(Duration::seconds(h * 3600 + m * 60 + s)),
            [m, s] => Some(Duration::seconds(m * 60 + s)),
            _ => None,
        };
    }
    let (mut seconds, mut digits, mut any) = (0i64, String::new(), false);
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c.is_whitespace() {
            continue;
        } else if !digits.is_empty() {
            // The unit's first letter counts; the rest of its word (`min`, `時間`) does not.
            let unit = match c {
                'h' | 'H' | '時' => 3600,
                'm' | 'M' | '分' => 60,
                's' | 'S' | '秒' => 1,
                _ => return None,
            };
            seconds = seconds.checked_add(part(&std::mem::take(&mut digits))? * unit)?;
            any = true;
        }
    }
    (any && digits.is_empty()).then(|| Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{datetime, format_description, offset};

    const JST: UtcOffset = offset!(+9);

    fn read(text: &str) -> Result<ParticipantReport, ValidationError> {
        read_report(text.as_bytes(), JST)
    }

    fn utf16le_with_bom(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    fn stays(
        report: &ParticipantReport,
    ) -> Vec<(&str, Option<&str>, OffsetDateTime, OffsetDateTime)> {
        report
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.email.as_deref(), r.joined, r.left))
            .collect()
    }

    #[test]
    fn meeting_tools_have_codes_and_labels() {
        for tool in MeetingTool::ALL {
            assert_eq!(MeetingTool::from_code(tool.code()), Some(tool));
        }
        assert_eq!(MeetingTool::Teams.label(), "Microsoft Teams");
        assert_eq!(MeetingTool::BigBlueButton.code(), "bbb");
        assert_eq!(MeetingTool::from_code("webex"), None);
    }

    #[test]
    fn zoom_report_with_the_meeting_preamble_keeps_a_reconnect_as_two_rows() {
        let report = read(concat!(
            "\u{feff}Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n",
            "812 3456 7890,セキュリティ演習 第1回,12/01/2026 09:55:00 AM,12/01/2026 12:05:00 PM,host@example.jp,130,3\r\n",
            "\r\n",
            "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room\r\n",
            "山田 太郎,Taro.Yamada@Example.JP ,12/01/2026 09:58:12 AM,12/01/2026 10:30:00 AM,32,No,Y,No\r\n",
            "山田 太郎,taro.yamada@example.jp,12/01/2026 10:31:05 AM,12/01/2026 12:01:00 PM,90,No,Y,No\r\n",
            "\"Suzuki, Hanako (鈴木 花子)\",,12/01/2026 09:59:00 AM,12/01/2026 12:00:00 PM,121,Yes,,No\r\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::Zoom);
        assert_eq!(
            stays(&report),
            [
                (
                    "山田 太郎",
                    Some("taro.yamada@example.jp"),
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 10:30:00 +9)
                ),
                (
                    "山田 太郎",
                    Some("taro.yamada@example.jp"),
                    datetime!(2026-12-01 10:31:05 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                (
                    "Suzuki, Hanako (鈴木 花子)",
                    None,
                    datetime!(2026-12-01 09:59:00 +9),
                    datetime!(2026-12-01 12:00:00 +9)
                ),
            ]
        );
    }

    #[test]
    fn zoom_report_without_preamble_in_the_newer_spelling_and_24_hour_times() {
        let report = read(concat!(
            "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,In waiting room\n",
            "Taro,TARO@example.jp,2026/12/01 09:58:12,2026/12/01 10:30:00,32,No,No\n",
            "Taro,taro@example.jp,12/01/2026 10:31:05,12/01/2026 13:01:00,150,No,No\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::Zoom);
        assert_eq!(
            stays(&report),
            [
                (
                    "Taro",
                    Some("taro@example.jp"),
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 10:30:00 +9)
                ),
                (
                    "Taro",
                    Some("taro@example.jp"),
                    datetime!(2026-12-01 10:31:05 +9),
                    datetime!(2026-12-01 13:01:00 +9)
                ),
            ]
        );
        // The offset is the caller's: the same file read as UTC is nine hours later.
        let utc = read_report(
            b"Name,User Email,Join Time,Leave Time\nA,,2026/12/01 09:58:12,2026/12/01 10:30:00\n",
            UtcOffset::UTC,
        )
        .unwrap();
        assert_eq!(utc.rows[0].joined, datetime!(2026-12-01 09:58:12 UTC));
        assert_eq!(utc.rows[0].joined, datetime!(2026-12-01 18:58:12 +9));
    }

    #[test]
    fn zoom_report_with_japanese_headers() {
        let report = read(concat!(
            "\u{feff}名前（元の名前）,メール,参加時刻,退出時刻,期間（分）,ゲスト\n",
            "佐藤 花子,hanako@example.jp,2026/12/01 9:58:12,2026/12/01 12:00:00,122,いいえ\n",
            "ゲスト 一郎,,2026/12/01 10:00:00,2026/12/01 10:45:30,46,はい\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::Zoom);
        assert_eq!(
            stays(&report),
            [
                (
                    "佐藤 花子",
                    Some("hanako@example.jp"),
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 12:00:00 +9)
                ),
                (
                    "ゲスト 一郎",
                    None,
                    datetime!(2026-12-01 10:00:00 +9),
                    datetime!(2026-12-01 10:45:30 +9)
                ),
            ]
        );
    }

    const TEAMS_SUMMARY: &str = "1. Summary\r\n\
        Meeting title\tセキュリティ演習\r\n\
        Attended participants\t2\r\n\
        Start time\t12/1/26, 9:55:00 AM\r\n\
        End time\t12/1/26, 12:05:00 PM\r\n\
        Meeting duration\t2h 10m\r\n\
        Average attendance time\t1h 55m\r\n\
        \r\n\
        2. Participants\r\n\
        Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\r\n\
        Taro Yamada\t12/1/26, 9:58:12 AM\t12/1/26, 12:01:00 PM\t2h 2m 48s\tTaro.Yamada@example.jp\ttaro.yamada@example.jp\tAttendee\r\n\
        Hanako Suzuki\t12/1/26, 9:59:00 AM\t12/1/26, 12:00:00 PM\t2h 1m\t\thanako@example.jp\tOrganizer\r\n";

    #[test]
    fn teams_sectioned_report_in_utf16_reads_the_in_meeting_activities() {
        let text = format!(
            "{TEAMS_SUMMARY}\r\n\
             3. In-Meeting Activities\r\n\
             Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\r\n\
             Taro Yamada\t12/1/26, 9:58:12 AM\t12/1/26, 10:30:00 AM\t31m 48s\tTaro.Yamada@example.jp\tAttendee\r\n\
             Taro Yamada\t12/1/26, 10:31:05 AM\t12/1/26, 12:01:00 PM\t1h 29m 55s\tTaro.Yamada@example.jp\tAttendee\r\n\
             Hanako Suzuki\t12/1/26, 9:59:00\u{202f}AM\t12/1/26, 12:00:00\u{202f}PM\t2h 1m\thanako@example.jp\tOrganizer\r\n"
        );
        let report = read_report(&utf16le_with_bom(&text), JST).unwrap();
        assert_eq!(report.tool, MeetingTool::Teams);
        assert_eq!(
            stays(&report),
            [
                (
                    "Taro Yamada",
                    Some("taro.yamada@example.jp"),
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 10:30:00 +9)
                ),
                (
                    "Taro Yamada",
                    Some("taro.yamada@example.jp"),
                    datetime!(2026-12-01 10:31:05 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                (
                    "Hanako Suzuki",
                    Some("hanako@example.jp"),
                    datetime!(2026-12-01 09:59:00 +9),
                    datetime!(2026-12-01 12:00:00 +9)
                ),
            ]
        );
    }

    #[test]
    fn teams_report_without_activities_reads_first_join_and_last_leave_and_the_upn() {
        let report = read_report(&utf16le_with_bom(TEAMS_SUMMARY), JST).unwrap();
        assert_eq!(report.tool, MeetingTool::Teams);
        assert_eq!(
            stays(&report),
            [
                (
                    "Taro Yamada",
                    Some("taro.yamada@example.jp"),
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                (
                    "Hanako Suzuki",
                    Some("hanako@example.jp"),
                    datetime!(2026-12-01 09:59:00 +9),
                    datetime!(2026-12-01 12:00:00 +9)
                ),
            ]
        );
        // The same report as UTF-8 with commas (quoted times) reads the same.
        let commas: String = TEAMS_SUMMARY
            .lines()
            .map(|line| {
                let cells: Vec<String> = line.split('\t').map(|c| format!("\"{c}\"")).collect();
                cells.join(",") + "\n"
            })
            .collect();
        assert_eq!(read(&commas).unwrap(), report);
    }

    #[test]
    fn a_header_zoom_would_read_too_is_teams_in_a_teams_report() {
        let report = read(concat!(
            "3. In-Meeting Activities\n",
            "Name\tJoin Time\tLeave Time\tEmail\n",
            "Taro\t12/1/26, 9:58:12 AM\t12/1/26, 10:30:00 AM\ttaro@example.jp\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::Teams);
        let zoom =
            read("Name,Join Time,Leave Time,Email\nTaro,12/1/26 9:58:12,12/1/26 10:30:00,\n");
        assert_eq!(zoom.unwrap().tool, MeetingTool::Zoom);
    }

    #[test]
    fn teams_older_log_pairs_joins_and_leaves_per_person() {
        let report = read(concat!(
            "Full Name\tUser Action\tTimestamp\n",
            "Taro Yamada\tJoined\t12/1/2026, 9:58:12 AM\n",
            "Hanako Suzuki\tJoined before\t12/1/2026, 9:55:00 AM\n",
            "Taro Yamada\tLeft\t12/1/2026, 10:30:00 AM\n",
            "Taro Yamada\tJoined\t12/1/2026, 10:31:05 AM\n",
            "Jiro Sato\tLeft\t12/1/2026, 11:00:00 AM\n",
            "Taro Yamada\tLeft\t12/1/2026, 12:01:00 PM\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::Teams);
        assert_eq!(
            stays(&report),
            [
                (
                    "Taro Yamada",
                    None,
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 10:30:00 +9)
                ),
                // Still in the meeting when the log was taken: until its last time.
                (
                    "Hanako Suzuki",
                    None,
                    datetime!(2026-12-01 09:55:00 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                (
                    "Taro Yamada",
                    None,
                    datetime!(2026-12-01 10:31:05 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                // Left without a logged join: from the log's first time.
                (
                    "Jiro Sato",
                    None,
                    datetime!(2026-12-01 09:55:00 +9),
                    datetime!(2026-12-01 11:00:00 +9)
                ),
            ]
        );
        let err = read("Full Name\tUser Action\tTimestamp\nTaro\tMuted\t12/1/2026, 9:58:12 AM\n")
            .unwrap_err();
        assert_eq!(err.code, "participants.action");
        assert!(err.message_en.contains("Row 2") && err.message_en.contains("Muted"));
    }

    #[test]
    fn bigbluebutton_dashboard_with_a_user_still_online() {
        let report = read(concat!(
            "Name,Moderator,Activity Score,Talk Time,Webcam Time,Messages,Emojis,Raise Hands,Answers,Left,Join,Duration,Status\n",
            "Taro Yamada,false,5,00:01:00,00:00:00,2,0,1,0,2026-12-01T03:01:00.000Z,2026-12-01T00:58:12.000Z,02:02:48,Offline\n",
            "Hanako Suzuki,true,9,00:20:00,01:00:00,5,1,0,0,\"1/1/1970, 9:00:00 AM\",\"12/1/2026, 09:59:00 AM\",01:00:30,Online\n",
            "Jiro Sato,false,0,00:00:00,00:00:00,0,0,0,0,,2026-12-01 10:00:00,00:10:00,Online\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::BigBlueButton);
        assert_eq!(
            stays(&report),
            [
                (
                    "Taro Yamada",
                    None,
                    datetime!(2026-12-01 09:58:12 +9),
                    datetime!(2026-12-01 12:01:00 +9)
                ),
                (
                    "Hanako Suzuki",
                    None,
                    datetime!(2026-12-01 09:59:00 +9),
                    datetime!(2026-12-01 10:59:30 +9)
                ),
                (
                    "Jiro Sato",
                    None,
                    datetime!(2026-12-01 10:00:00 +9),
                    datetime!(2026-12-01 10:10:00 +9)
                ),
            ]
        );
    }

    #[test]
    fn bigbluebutton_without_a_left_column_adds_the_duration() {
        let report = read(concat!(
            "Name,Email,Joined,Duration,Talk Time,Status\n",
            "Taro,Taro@Example.jp,2026-12-01 09:58:12,01:00:00,00:00:00,Offline\n",
        ))
        .unwrap();
        assert_eq!(report.tool, MeetingTool::BigBlueButton);
        assert_eq!(
            stays(&report),
            [(
                "Taro",
                Some("taro@example.jp"),
                datetime!(2026-12-01 09:58:12 +9),
                datetime!(2026-12-01 10:58:12 +9)
            )]
        );
        let err = read("Name,Joined,Talk Time,Status\nTaro,2026-12-01 09:58:12,00:00:00,Offline\n")
            .unwrap_err();
        assert_eq!(err.code, "participants.missing_column");
        assert!(err.message_en.contains("\"Left\""));
    }

    #[test]
    fn a_report_missing_leave_time_is_refused_naming_it() {
        let err = read(concat!(
            "Name (Original Name),User Email,Join Time,Duration (Minutes),Guest\n",
            "Taro,taro@example.jp,12/01/2026 09:58:12 AM,32,No\n",
        ))
        .unwrap_err();
        assert_eq!(err.code, "participants.missing_column");
        assert_eq!(err.field.as_deref(), Some("report"));
        assert!(err.message_en.contains("Leave Time"), "{}", err.message_en);
        assert!(err.message_ja.contains("Leave Time"), "{}", err.message_ja);
        // A Japanese report is told the Japanese header.
        let err =
            read("名前（元の名前）,メール,参加時刻,ゲスト\n花子,,2026/12/01 9:58:12,いいえ\n")
                .unwrap_err();
        assert_eq!(err.code, "participants.missing_column");
        assert!(err.message_ja.contains("退出時刻"), "{}", err.message_ja);
    }

    #[test]
    fn garbage_is_an_unknown_layout_and_bad_bytes_an_encoding() {
        for text in [
            "hello,world\n1,2\n",
            "",
            "Name,Email\nTaro,taro@example.jp\n",
        ] {
            assert_eq!(
                read(text).unwrap_err().code,
                "participants.unknown_layout",
                "{text}"
            );
        }
        let err = read_report(b"\xEF\xBB\xBFName,\xFF\xFE\xFD", JST).unwrap_err();
        assert_eq!(err.code, "participants.encoding");
        assert_eq!(err.field.as_deref(), Some("report"));
        assert_eq!(
            read_report(b"PK\x03\x04rest of a workbook", JST)
                .unwrap_err()
                .code,
            "participants.encoding"
        );
        assert_eq!(
            read("Name,Join Time,Leave Time\n\"open,x,y\n")
                .unwrap_err()
                .code,
            "participants.format"
        );
    }

    #[test]
    fn a_header_without_rows_is_empty() {
        let err = read("Name (Original Name),User Email,Join Time,Leave Time\n\n").unwrap_err();
        assert_eq!(err.code, "participants.empty");
    }

    #[test]
    fn a_bad_time_names_its_row_and_column() {
        let err = read(concat!(
            "Name (Original Name),User Email,Join Time,Leave Time\n",
            "Taro,,12/01/2026 09:58:12 AM,12/01/2026 10:30:00 AM\n",
            "Hanako,,yesterday,12/01/2026 10:30:00 AM\n",
        ))
        .unwrap_err();
        assert_eq!(err.code, "participants.time");
        assert!(
            err.message_en.contains("Row 3") && err.message_en.contains("\"Join Time\""),
            "{}",
            err.message_en
        );
        assert!(
            err.message_ja.contains("3 行目") && err.message_ja.contains("「Join Time」"),
            "{}",
            err.message_ja
        );

        let err = read(concat!(
            "Name,Join Time,Leave Time\n",
            "Taro,12/01/2026 10:30:00 AM,12/01/2026 09:58:12 AM\n",
        ))
        .unwrap_err();
        assert_eq!(err.code, "participants.time");
        assert!(
            err.message_en.contains("is before \"Join Time\""),
            "{}",
            err.message_en
        );

        let err = read("Name,Join Time,Leave Time\nTaro,12/01/2026 09:58:12 AM,\n").unwrap_err();
        assert_eq!(err.code, "participants.time");
        assert!(
            err.message_en.contains("\"Leave Time\" is empty"),
            "{}",
            err.message_en
        );
    }

    #[test]
    fn twelve_am_is_midnight_and_twelve_pm_is_noon() {
        let report = read(concat!(
            "Name (Original Name),User Email,Join Time,Leave Time\n",
            "Night owl,,12/01/2026 12:05:00 AM,12/01/2026 12:30:00 PM\n",
        ))
        .unwrap();
        assert_eq!(report.rows[0].joined, datetime!(2026-12-01 00:05:00 +9));
        assert_eq!(report.rows[0].left, datetime!(2026-12-01 12:30:00 +9));
        let at = |text| parse_time(text, DateOrder::MonthFirst, JST);
        assert_eq!(
            at("12/1/26, 12:00:00 AM"),
            Some(datetime!(2026-12-01 00:00:00 +9))
        );
        assert_eq!(
            at("12/1/26, 11:59:59 PM"),
            Some(datetime!(2026-12-01 23:59:59 +9))
        );
        assert_eq!(
            at("2026/12/01 午前 0:30:00"),
            Some(datetime!(2026-12-01 00:30:00 +9))
        );
        assert_eq!(
            at("2026/12/01 午後 12:30:00"),
            Some(datetime!(2026-12-01 12:30:00 +9))
        );
        assert_eq!(
            at("2026/12/01 午後 1:30"),
            Some(datetime!(2026-12-01 13:30:00 +9))
        );
        assert_eq!(at("12/1/26, 13:00:00 PM"), None);
    }

    #[test]
    fn times_in_every_spelling() {
        let at = |text| parse_time(text, DateOrder::MonthFirst, JST);
        let expected = Some(datetime!(2026-12-01 09:58:12 +9));
        for text in [
            "12/01/2026 09:58:12 AM",
            "12/1/2026, 9:58:12 AM",
            "12/1/26, 9:58:12 am",
            "2026/12/1 9:58:12",
            "2026-12-01 09:58:12",
            "2026-12-01T09:58:12",
            "2026-12-01T09:58:12+09:00",
            "2026-12-01T00:58:12Z",
            "2026-12-01 00:58:12 UTC",
            "2026-12-01 09:58:12 +0900",
            "2026-12-01 09:58:12 GMT+9",
            "2026年12月1日 9:58:12",
            "Dec 01, 2026 09:58:12 AM",
            "December 1, 2026 9:58:12 AM",
        ] {
            assert_eq!(at(text), expected, "{text}");
        }
        assert_eq!(
            at("2026-12-01 09:58:12.250"),
            Some(datetime!(2026-12-01 09:58:12.25 +9))
        );
        for text in [
            "",
            "9:58",
            "2026/13/01 09:00",
            "2026/12/01 25:00",
            "soon",
            "Dec 32, 2026 09:00",
        ] {
            assert_eq!(at(text), None, "{text}");
        }
        assert_eq!(parse_duration("1h 2m 3s"), Some(Duration::seconds(3723)));
        assert_eq!(parse_duration("45s"), Some(Duration::seconds(45)));
        assert_eq!(parse_duration("1時間 2分"), Some(Duration::minutes(62)));
        assert_eq!(parse_duration("02:02:48"), Some(Duration::seconds(7368)));
        assert_eq!(parse_duration("32"), Some(Duration::minutes(32)));
        assert_eq!(parse_duration("a while"), None);
    }

    #[test]
    fn a_file_with_a_date_that_can_only_be_day_first_is_read_day_first() {
        let report = read(concat!(
            "Name,Email,Join Time,Leave Time\n",
            "Taro,,01/12/2026 09:58:12,01/12/2026 10:30:00\n",
            "Hanako,,13/12/2026 09:58:12,13/12/2026 10:30:00\n",
        ))
        .unwrap();
        assert_eq!(report.rows[0].joined, datetime!(2026-12-01 09:58:12 +9));
        assert_eq!(report.rows[1].joined, datetime!(2026-12-13 09:58:12 +9));
    }

    #[test]
    fn tab_separated_text_splits_on_tabs_only() {
        assert_eq!(
            parse_csv("a\tb, c\n\"d\te\"\tf\n", '\t').unwrap(),
            [vec!["a", "b, c"], vec!["d\te", "f"]]
        );
    }

    /// Writes a cell as Zoom does: quoted when it holds a comma, a quote or a line break.
    fn zoom_cell(text: &str) -> String {
        if text.contains([',', '"', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    }

    fn moment() -> impl Strategy<Value = OffsetDateTime> {
        // 2000-01-01 to 2099-12-31, to the second, in Japan.
        (946_684_800i64..4_102_444_799).prop_map(|s| {
            OffsetDateTime::from_unix_timestamp(s)
                .unwrap()
                .to_offset(JST)
        })
    }

    proptest! {
        #[test]
        fn any_rows_round_trip_through_a_zoom_report(
            rows in prop::collection::vec(
                (
                    "[A-Za-z山田花子][A-Za-z ,\"山田花子()]{0,12}[A-Za-z山田花子)]",
                    prop::option::of("[A-Za-z][A-Za-z0-9.]{0,8}@[A-Za-z]{1,8}\\.jp"),
                    moment(),
                    0i64..36_000,
                ),
                1..8,
            ),
            preamble in any::<bool>(),
        ) {
            let format = format_description!(
                "[month]/[day]/[year] [hour repr:12]:[minute]:[second] [period]"
            );
            let mut csv = String::from("\u{feff}");
            if preamble {
                csv.push_str("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n");
                csv.push_str("812 3456 7890,\"Drill, part 1\",12/01/2026 09:55:00 AM,12/01/2026 12:05:00 PM,host@example.jp,130,3\r\n\r\n");
            }
            csv.push_str("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n");
            for (name, email, joined, seconds) in &rows {
                let left = *joined + Duration::seconds(*seconds);
                csv.push_str(&format!(
                    "{},{},{},{},{},No\r\n",
                    zoom_cell(name),
                    email.as_deref().unwrap_or_default(),
                    joined.format(format).unwrap(),
                    left.format(format).unwrap(),
                    seconds / 60,
                ));
            }
            let report = read(&csv).unwrap();
            prop_assert_eq!(report.tool, MeetingTool::Zoom);
            let expected: Vec<ParticipantRow> = rows
                .iter()
                .map(|(name, email, joined, seconds)| ParticipantRow {
                    name: name.trim().to_owned(),
                    email: email.as_ref().map(|e| e.to_lowercase()),
                    joined: *joined,
                    left: *joined + Duration::seconds(*seconds),
                })
                .collect();
            prop_assert_eq!(report.rows, expected);
        }

        #[test]
        fn any_moment_reads_back_from_every_format_the_tools_write(at in moment()) {
            let formats = [
                format_description!("[month]/[day]/[year] [hour repr:12]:[minute]:[second] [period]"),
                format_description!("[month padding:none]/[day padding:none]/[year repr:last_two], [hour repr:12 padding:none]:[minute]:[second] [period]"),
                format_description!("[year]/[month padding:none]/[day padding:none] [hour padding:none]:[minute]:[second]"),
                format_description!("[month]/[day]/[year] [hour]:[minute]:[second]"),
                format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            ];
            for format in formats {
                let text = at.format(format).unwrap();
                prop_assert_eq!(parse_time(&text, DateOrder::MonthFirst, JST), Some(at), "{}", text);
            }
            let iso = at.to_offset(UtcOffset::UTC).format(&Rfc3339).unwrap();
            prop_assert_eq!(parse_time(&iso, DateOrder::MonthFirst, JST), Some(at));
        }

        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(
            bytes in prop::collection::vec(any::<u8>(), 0..400),
            header in any::<bool>(),
        ) {
            let mut input = if header {
                b"Name (Original Name),User Email,Join Time,Leave Time\n".to_vec()
            } else {
                Vec::new()
            };
            input.extend(bytes);
            let _ = read_report(&input, JST);
        }
    }
}
