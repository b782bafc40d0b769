//! Acceptance (b): malformed input never panics the importer. Arbitrary bytes are refused;
//! an exported workbook with random bytes flipped is refused, or, when the flips hit only
//! what the importer does not read (timestamps, docProps), reads back exactly as exported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::LazyLock;

use koshu_domain::designation::Application;
use koshu_forms::import;
use proptest::prelude::*;

static APP: LazyLock<Application> = LazyLock::new(support::complete);
static XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| support::export(&APP));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(import::workbook(&bytes).is_err());
    }

    #[test]
    fn arbitrary_bytes_behind_a_zip_signature_are_refused(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let mut input = b"PK\x03\x04".to_vec();
        input.extend(bytes);
        prop_assert!(import::workbook(&input).is_err());
    }

    #[test]
    fn flipped_bytes_of_a_workbook_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1..=255_u8), 1..8),
    ) {
        let mut bytes = XLSX.clone();
        for (at, mask) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
        }
        if let Ok(app) = import::workbook(&bytes) {
            prop_assert_eq!(&app, &*APP);
        }
    }

    #[test]
    fn truncated_workbooks_are_refused(len in 0..4096_usize) {
        let cut = XLSX.len().saturating_sub(len + 1);
        prop_assert!(import::workbook(&XLSX[..cut]).is_err());
    }
}
