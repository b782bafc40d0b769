//! A folder of files as one `.zip` (an export for an inquiry): every entry deflated, under the
//! name given, in the order given.

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

use crate::FormsError;

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The archive of `entries`. Names are used as given; the caller makes them unique.
pub fn zip(entries: &[Entry]) -> Result<Vec<u8>, FormsError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
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
        let bytes = zip(&entries).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        for entry in &entries {
            let mut file = archive.by_name(&entry.name).unwrap();
            let mut read = Vec::new();
            file.read_to_end(&mut read).unwrap();
            assert_eq!(read, entry.bytes);
        }
    }
}
