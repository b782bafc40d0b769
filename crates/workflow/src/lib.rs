//! Koshu's use cases. Each is one function: it loads what it needs, decides with the domain's
//! rules, and writes everything it changes through one [`koshu_store::UnitOfWork`], committed
//! once, so that a failure anywhere leaves the data as it was and the same request or job can
//! simply be tried again. Handlers (`koshu-web`) parse input, call one use case, and render;
//! the scheduled jobs ([`jobs`]) call use cases too.
//!
//! Layers: `web → workflow → store → domain`; this crate knows nothing of HTTP.

pub mod accounts;
pub mod api_tokens;
pub mod applications;
pub mod board;
pub mod clock;
pub mod completion;
pub mod credentials;
pub mod delivery;
pub mod designation;
mod error;
pub mod heartbeats;
pub mod holders;
pub mod jobs;
pub mod listings;
pub mod mail;
pub mod moderation;
pub mod organisations;
pub mod progress;
pub mod reports;
pub mod retention;
pub mod survey;
pub mod vc_api;
pub mod xapi;

pub use error::WorkflowError;

use clock::Clock;
use koshu_domain::taxonomy::Taxonomy;
use koshu_store::Store;
use std::sync::Arc;
use time::{Date, OffsetDateTime, UtcOffset};

/// Japan Standard Time: the day a date-effective rule (an effective date, a deadline) means.
pub const JST: UtcOffset = time::macros::offset!(+9);

/// What every use case works with.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub store: Store,
    pub taxonomy: Arc<Taxonomy>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
}

/// How the site is reached and mail delivered, as use cases that write mail need to know.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address people use, without a trailing slash: links in mail point here.
    pub public_url: String,
    /// An SMTP server delivers the outbox; without one, each mail is also logged whole.
    pub smtp: bool,
    /// Seals issuers' private keys (D06); without it no certificate can be signed.
    pub master_key: Option<Arc<koshu_credentials::keys::MasterKey>>,
    /// The day of the following month a monthly implementation report is due (1–28).
    pub report_due_day: u8,
}

impl Workflow {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Today in Japan.
    pub fn today(&self) -> Date {
        self.now().to_offset(JST).date()
    }
}

/// Who does something, as the audit log names them: `account:<id>` or `system:jobs`.
pub fn account_actor(account_id: &str) -> String {
    format!("account:{account_id}")
}

/// The actor of scheduled jobs.
pub const SYSTEM: &str = "system:jobs";
