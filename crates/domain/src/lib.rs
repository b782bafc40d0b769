//! Koshu's domain: the rules of the METI 特定講習 guideline and the catalogue, as pure functions
//! and types. No I/O, no async, no clock: time is always a parameter.

pub mod access;
pub mod audit;
pub mod catalogue;
pub mod delivery;
pub mod designation;
pub mod error;
pub mod holder;
pub mod prefecture;
pub mod reports;
pub mod retention;
pub mod taxonomy;
pub mod types;
pub mod xapi;

pub use error::ValidationError;
