//! A folder of files as one `.zip` (an export for an inquiry): every entry deflated, under the
//! name given, in the order given, dated when the export was made (as local time: zip has no
//! time zone).

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

use crate::FormsError;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The archive of `entries`, each dated `made` (a time outside zip's 1980–2107 keeps its
/// default, 1980-01-01). Names are used as given; the caller makes them unique.
pub fn zip(entries: &[Entry], made: time::PrimitiveDateTime) -> Result<Vec<u8>, FormsError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if let Ok(year) = u16::try_from(made.year())
        && let Ok(dated) = zip::DateTime::from_date_and_time(
            year,
            u8::from(made.month()),
            made.day(),
            made.hour(),
            made.minute(),
            made.second(),
        )
    {
        options = options.last_modified_time(dated);
    }
    for entry in entries {
        writer
            .start_file(entry.name.as_str(), options)
            .map_err(|e| FormsError::Zip(e.to_string()))?;
        writer
            .write_all(&entry.bytes)
            .map_err(|e| FormsError::Zip(e.to_string()))?;
    }
    let cursor = writer
        .finish()
        .map_err(|e| FormsError::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn entries_read_back_by_name() {
        let entries = vec![
            Entry {
                name: "enrolments.csv".to_owned(),
                bytes: "\u{feff}id,status\r\n1,enrolled\r\n".as_bytes().to_vec(),
            },
            Entry {
                name: "manifest.json".to_owned(),
                bytes: br#"{"course":"p-1"}"#.to_vec(),
            },
        ];
        let bytes = zip(&entries, time::macros::datetime!(2026-12-04 13:48:54)).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        for entry in &entries {
            let mut file = archive.by_name(&entry.name).unwrap();
            let dated = file.last_modified().unwrap();
            assert_eq!(
                (dated.year(), dated.month(), dated.day(), dated.hour()),
                (2026, 12, 4, 13)
            );
            let mut read = Vec::new();
            file.read_to_end(&mut read).unwrap();
            assert_eq!(read, entry.bytes);
        }
    }
}
