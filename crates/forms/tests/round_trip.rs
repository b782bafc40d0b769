//! Acceptance (a): what the exporter writes, the importer reads back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use koshu_domain::designation::{Application, RuleContext, evaluate, fixtures};
use koshu_domain::taxonomy::Taxonomy;
use time::macros::date;

fn export(app: &Application) -> Vec<u8> {
    let taxonomy = Taxonomy::embedded().unwrap();
    let ctx = RuleContext {
        taxonomy: &taxonomy,
        today: date!(2026 - 04 - 01),
        revocations: &[],
    };
    let checks = evaluate(app, &ctx);
    koshu_forms::export::workbook(app, &checks, &taxonomy).unwrap()
}

fn round_trip(app: &Application) {
    let bytes = export(app);
    match koshu_forms::import::workbook(&bytes) {
        Ok(back) => assert_eq!(&back, app),
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{} import errors", errors.len());
        }
    }
}

#[test]
fn complete_application_round_trips() {
    round_trip(&fixtures::complete_application(date!(2026 - 04 - 01)));
}

#[test]
fn empty_application_round_trips() {
    round_trip(&Application::default());
}
