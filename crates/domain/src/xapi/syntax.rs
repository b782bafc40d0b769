//! The value formats the xAPI data model names: UUIDs, IRIs, e-mail IRIs, RFC 5646 language
//! tags, ISO 8601 timestamps and durations. Each check is a pure predicate or parser.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A UUID in its hyphenated 8-4-4-4-12 hexadecimal form (RFC 4122; any version or variant,
/// either case).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An absolute IRI (RFC 3987): a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), a colon
/// and something after it, with no whitespace, control characters or the characters an IRI
/// can never hold.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
}

/// An IRL: an IRI that locates something (the same form; whether it resolves is not ours to
/// check).
pub fn is_irl(s: &str) -> bool {
    is_iri(s)
}

/// A `mailto:` IRI holding one e-mail address (`local@domain`).
pub fn is_mailto(s: &str) -> bool {
    let Some(address) = s.strip_prefix("mailto:") else {
        return false;
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"\\,;".contains(c))
        && !domain.contains('@')
}

/// The hex SHA-1 of a `mailto:` IRI: forty hexadecimal digits.
pub fn is_sha1_hex(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A language tag as RFC 5646 (BCP 47) defines it: `langtag`, `privateuse` or one of the
/// grandfathered tags.
pub fn is_language_tag(tag: &str) -> bool {
    const GRANDFATHERED: [&str; 26] = [
        "en-gb-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-be-fr",
        "sgn-be-nl",
        "sgn-ch-de",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    ];
    let lower = tag.to_ascii_lowercase();
    if GRANDFATHERED.contains(&lower.as_str()) {
        return true;
    }
    let subtags: Vec<&str> = tag.split('-').collect();
    if subtags
        .iter()
        .any(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mut i = 0;
    // privateuse = "x" 1*("-" (1*8alphanum)): at least one subtag after the `x`.
    let privateuse = |from: usize| subtags.len() > from + 1;
    if subtags[0].eq_ignore_ascii_case("x") {
        return privateuse(0);
    }
    // language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
    let language = subtags[0];
    if !alpha(language) || language.len() < 2 {
        return false;
    }
    i += 1;
    if language.len() <= 3 {
        // extlang = 3ALPHA *2("-" 3ALPHA)
        let mut extlangs = 0;
        while extlangs < 3 && i < subtags.len() && subtags[i].len() == 3 && alpha(subtags[i]) {
            extlangs += 1;
            i += 1;
        }
    }
    // script = 4ALPHA
    if i < subtags.len() && subtags[i].len() == 4 && alpha(subtags[i]) {
        i += 1;
    }
    // region = 2ALPHA / 3DIGIT
    if i < subtags.len()
        && ((subtags[i].len() == 2 && alpha(subtags[i]))
            || (subtags[i].len() == 3 && digit(subtags[i])))
    {
        i += 1;
    }
    // variant = 5*8alphanum / (DIGIT 3alphanum)
    while i < subtags.len()
        && (subtags[i].len() >= 5
            || (subtags[i].len() == 4 && subtags[i].as_bytes()[0].is_ascii_digit()))
    {
        i += 1;
    }
    // extension = singleton 1*("-" (2*8alphanum))
    while i < subtags.len() && subtags[i].len() == 1 && !subtags[i].eq_ignore_ascii_case("x") {
        i += 1;
        let start = i;
        while i < subtags.len() && subtags[i].len() >= 2 {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    // ["-" privateuse]
    if i < subtags.len() && subtags[i].eq_ignore_ascii_case("x") {
        return privateuse(i);
    }
    i == subtags.len()
}

/// Reads `digits` ASCII digits at `*at`, moving past them.
fn take_number(b: &[u8], at: &mut usize, digits: usize) -> Option<u32> {
    let slice = b.get(*at..*at + digits)?;
    if !slice.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *at += digits;
    Some(slice.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// An ISO 8601 combined date and time (extended `2024-05-04T12:00:00.123+09:00` or basic
/// `20240504T120000Z` form; seconds and fraction optional, `.` or `,` before the fraction, RFC
/// 3339's lower-case `t`/`z` allowed). A time without an offset is read as UTC. The "unknown
/// offset" forms `-00`, `-0000` and `-00:00` are refused, as ISO 8601 forbids a negative zero.
/// Fractions beyond nanoseconds are truncated.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    let mut at = 0;
    let year = take_number(b, &mut at, 4)?;
    let extended = b.get(at) == Some(&b'-');
    if extended {
        at += 1;
    }
    let month = take_number(b, &mut at, 2)?;
    if extended {
        (b.get(at) == Some(&b'-')).then_some(())?;
        at += 1;
    }
    let day = take_number(b, &mut at, 2)?;
    matches!(b.get(at), Some(b'T' | b't')).then_some(())?;
    at += 1;
    let hour = take_number(b, &mut at, 2)?;
    let colon = |at: &mut usize| -> Option<()> {
        if extended {
            (b.get(*at) == Some(&b':')).then_some(())?;
            *at += 1;
        }
        Some(())
    };
    colon(&mut at)?;
    let minute = take_number(b, &mut at, 2)?;
    let mut second = 0;
    let mut nanos = 0u32;
    let has_seconds = if extended {
        b.get(at) == Some(&b':')
    } else {
        b.get(at).is_some_and(u8::is_ascii_digit)
    };
    if has_seconds {
        colon(&mut at)?;
        second = take_number(b, &mut at, 2)?;
        if matches!(b.get(at), Some(b'.' | b',')) {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return None;
            }
            let digits = &b[start..at];
            for i in 0..9 {
                nanos = nanos * 10 + digits.get(i).map_or(0, |d| u32::from(d - b'0'));
            }
        }
    }
    let offset = match b.get(at) {
        None => UtcOffset::UTC,
        Some(b'Z' | b'z') => {
            at += 1;
            UtcOffset::UTC
        }
        Some(sign @ (b'+' | b'-')) => {
            let negative = *sign == b'-';
            at += 1;
            let oh = take_number(b, &mut at, 2)?;
            let om = if at == b.len() {
                0
            } else {
                // `+09:00` or `+0900` (the basic form is common enough after an extended
                // time to be taken); a colon after a basic time is not.
                if b.get(at) == Some(&b':') {
                    extended.then_some(())?;
                    at += 1;
                }
                take_number(b, &mut at, 2)?
            };
            if negative && oh == 0 && om == 0 {
                return None;
            }
            if oh > 23 || om > 59 {
                return None;
            }
            let seconds = i32::try_from(oh * 3600 + om * 60).ok()?;
            UtcOffset::from_whole_seconds(if negative { -seconds } else { seconds }).ok()?
        }
        Some(_) => return None,
    };
    if at != b.len() {
        return None;
    }
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// The parts of an ISO 8601 duration (section 4.4.3.2, `PnYnMnDTnHnMnS` or `PnW`), each as a
/// whole number and a fraction of nanoparts (`None` when the part is absent).
#[derive(Debug, Default)]
struct DurationParts {
    years: Option<(u64, u64)>,
    months: Option<(u64, u64)>,
    weeks: Option<(u64, u64)>,
    days: Option<(u64, u64)>,
    hours: Option<(u64, u64)>,
    minutes: Option<(u64, u64)>,
    seconds: Option<(u64, u64)>,
}

/// Nanoparts in one unit of a fraction (the fraction is kept to nine digits).
const FRACTION_ONE: u64 = 1_000_000_000;

fn duration_parts(s: &str) -> Option<DurationParts> {
    let rest = s.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    if date_part.is_empty() && time_part.is_none() {
        return None;
    }
    let mut parts = DurationParts::default();
    let mut fraction_seen = false;
    // Reads `n[.f]X` items in the order of `designators`.
    let mut read = |text: &str, designators: &[char], time: bool| -> Option<()> {
        let mut remaining = text;
        let mut allowed = designators;
        while !remaining.is_empty() {
            if fraction_seen {
                // Only the lowest-order part may carry a fraction.
                return None;
            }
            let end = remaining.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
            let (number, tail) = remaining.split_at(end);
            let designator = tail.chars().next()?;
            let position = allowed.iter().position(|d| *d == designator)?;
            allowed = &allowed[position + 1..];
            remaining = &tail[designator.len_utf8()..];
            let (whole, fraction) = match number.split_once(['.', ',']) {
                Some((w, f)) => {
                    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    fraction_seen = true;
                    let mut nanoparts = 0u64;
                    for i in 0..9 {
                        nanoparts =
                            nanoparts * 10 + f.as_bytes().get(i).map_or(0, |d| u64::from(d - b'0'));
                    }
                    (w, nanoparts)
                }
                None => (number, 0),
            };
            if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let whole: u64 = whole.parse().ok()?;
            let slot = match (time, designator) {
                (false, 'Y') => &mut parts.years,
                (false, 'M') => &mut parts.months,
                (false, 'W') => &mut parts.weeks,
                (false, 'D') => &mut parts.days,
                (true, 'H') => &mut parts.hours,
                (true, 'M') => &mut parts.minutes,
                (true, 'S') => &mut parts.seconds,
                _ => return None,
            };
            *slot = Some((whole, fraction));
        }
        Some(())
    };
    read(date_part, &['Y', 'M', 'W', 'D'], false)?;
    if let Some(t) = time_part {
        read(t, &['H', 'M', 'S'], true)?;
    }
    // Weeks stand alone: `P4W1D` is not a duration.
    if parts.weeks.is_some()
        && (parts.years.is_some()
            || parts.months.is_some()
            || parts.days.is_some()
            || time_part.is_some())
    {
        return None;
    }
    Some(parts)
}

/// Whether `s` is an ISO 8601 duration in the format of section 4.4.3.2 (`PnYnMnDTnHnMnS` or
/// `PnW`, a decimal fraction on the lowest-order part only); the alternative format
/// (`P0003-01-29T…`) is refused.
pub fn is_duration(s: &str) -> bool {
    duration_parts(s).is_some()
}

/// An ISO 8601 duration in milliseconds, counting a year as 365 days, a month as 30 days, a
/// week as 7 days and a day as 24 hours (a duration holds no calendar to say better).
/// Fractions below a millisecond are truncated. `None` when `s` is not a duration or the total
/// does not fit.
pub fn parse_duration(s: &str) -> Option<u64> {
    let parts = duration_parts(s)?;
    const SECOND: u64 = 1_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let units = [
        (parts.years, 365 * DAY),
        (parts.months, 30 * DAY),
        (parts.weeks, 7 * DAY),
        (parts.days, DAY),
        (parts.hours, HOUR),
        (parts.minutes, MINUTE),
        (parts.seconds, SECOND),
    ];
    let mut total: u64 = 0;
    for (part, unit) in units {
        let Some((whole, fraction)) = part else {
            continue;
        };
        let whole_ms = whole.checked_mul(unit)?;
        let fraction_ms =
            u64::try_from(u128::from(fraction) * u128::from(unit) / u128::from(FRACTION_ONE))
                .ok()?;
        total = total.checked_add(whole_ms)?.checked_add(fraction_ms)?;
    }
    Some(total)
}

/// The duration with its seconds truncated to hundredths (`PT1.12567S` → `PT1.12S`), the
/// precision the spec compares at and lets an LRS keep. Other strings come back unchanged.
pub fn truncate_duration(s: &str) -> String {
    if !is_duration(s) {
        return s.to_owned();
    }
    let Some(body) = s.strip_suffix('S') else {
        return s.to_owned();
    };
    let Some(dot) = body.rfind(['.', ',']) else {
        return s.to_owned();
    };
    let fraction = &body[dot + 1..];
    if fraction.len() <= 2 {
        return s.to_owned();
    }
    format!("{}{}S", &body[..dot + 1], &fraction[..2])
}

/// A timestamp written in UTC with the fraction it was given (RFC 3339, `Z`).
pub fn format_utc(at: OffsetDateTime, fraction_digits: usize) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if fraction_digits > 0 {
        let nanos = format!("{:09}", at.nanosecond());
        text.push('.');
        text.push_str(&nanos[..fraction_digits.min(9)]);
    }
    text.push('Z');
    text
}

/// How many fraction digits a timestamp's seconds carry (at most nine count).
pub fn fraction_digits(s: &str) -> usize {
    let Some(dot) = s.find(['.', ',']) else {
        return 0;
    };
    s[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count()
        .min(9)
}
