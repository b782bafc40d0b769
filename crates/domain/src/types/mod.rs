//! Newtypes that parse at the edge.
//!
//! Each type is built only through a validating constructor (`parse` / `new` / `FromStr`, and
//! serde goes through the same checks), so a value that exists is a valid value. Failures are
//! [`crate::ValidationError`]s with stable codes:
//!
//! | type | codes |
//! |---|---|
//! | [`CorporateNumber`] | `corporate_number.length`, `corporate_number.digits`, `corporate_number.check_digit` |
//! | [`RissNumber`] | `riss_number.format` |
//! | [`Hours`] | `hours.format`, `hours.half_hour_step`, `hours.range` |
//! | [`FiscalYear`] | `fiscal_year.format`, `fiscal_year.range` |
//! | [`DateRange`] | `date_range.format`, `date_range.order` (and `date.*` for either date) |
//! | [`Yen`] | `yen.format`, `yen.negative`, `yen.range` |
//! | [`parse_date`] | `date.format`, `date.invalid` |
//! | [`text::check_controls`] | `text.control_character` |
//!
//! Input may contain full-width characters (`０`–`９`, `：`, `．`, `，`) and surrounding whitespace,
//! as Japanese users paste them.

pub mod corporate_number;
pub mod date_ja;
pub mod date_range;
pub mod fiscal_year;
pub mod hours;
pub(crate) mod normalize;
pub(crate) use normalize::half_width_trimmed;
pub mod riss_number;
pub mod text;
pub mod yen;

pub use corporate_number::CorporateNumber;
pub use date_ja::{date_en, date_ja, date_ja_with_weekday, date_wareki, parse_date, weekday_ja};
pub use date_range::DateRange;
pub use fiscal_year::FiscalYear;
pub use hours::Hours;
pub use riss_number::RissNumber;
pub use yen::Yen;
