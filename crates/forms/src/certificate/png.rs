//! PNG files at the level of their chunks: reading (every length and CRC checked), baking an
//! Open Badges credential into an `iTXt` chunk and reading it back, and writing a small
//! palette image.
//!
//! Open Badges 3.0 §5.3.1 ("PNG"): the credential goes in an `iTXt` chunk with the keyword
//! `openbadgecredential`, uncompressed, its text the credential's JSON (or a compact JWS); the
//! chunk MUST NOT appear more than once.

use crate::FormsError;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The `iTXt` keyword of a baked credential.
const KEYWORD: &[u8] = b"openbadgecredential";
/// PNG limits every chunk length to 2³¹ − 1 bytes.
const MAX_CHUNK: usize = 0x7FFF_FFFF;

/// One chunk as it stands in the file.
struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// Length, type, data and CRC: what to copy when the chunk is kept.
    raw: &'a [u8],
}

fn error(what: &str) -> FormsError {
    FormsError::Png(what.to_owned())
}

/// The chunks from IHDR to IEND, every CRC checked; what follows IEND is not part of the image.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, FormsError> {
    let mut rest = png
        .strip_prefix(&SIGNATURE)
        .ok_or_else(|| error("not a PNG file (no PNG signature)"))?;
    let mut out: Vec<Chunk<'_>> = Vec::new();
    loop {
        let (head, body) = rest
            .split_first_chunk::<8>()
            .ok_or_else(|| error("the file ends before its IEND chunk"))?;
        let [l0, l1, l2, l3, k0, k1, k2, k3] = *head;
        let len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3]))
            .map_err(|_| error("a chunk is too long"))?;
        let kind = [k0, k1, k2, k3];
        if len > MAX_CHUNK {
            return Err(error("a chunk is longer than PNG allows"));
        }
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(error("a chunk has an invalid type"));
        }
        if body.len() < len + 4 {
            return Err(error("the file ends inside a chunk"));
        }
        let (data, after) = body.split_at(len);
        let (crc, after) = after.split_at(4);
        if crc != crc32(&kind, data).to_be_bytes() {
            return Err(error(&format!(
                "the CRC of a {} chunk does not match its content (the file is damaged)",
                String::from_utf8_lossy(&kind)
            )));
        }
        if out.is_empty() && &kind != b"IHDR" {
            return Err(error("the first chunk is not IHDR"));
        }
        let raw = &rest[..12 + len];
        rest = after;
        out.push(Chunk { kind, data, raw });
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

fn crc32(kind: &[u8; 4], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    h.finalize()
}

/// Appends one chunk: length, type, data, CRC.
fn put_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Result<(), FormsError> {
    let len = u32::try_from(data.len())
        .ok()
        .filter(|&l| l as usize <= MAX_CHUNK)
        .ok_or_else(|| error("the content is too long for one PNG chunk"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(kind, data).to_be_bytes());
    Ok(())
}

/// An uncompressed `iTXt` chunk's data: keyword, no compression, no language tag, no
/// translated keyword, then the text.
fn itxt(keyword: &[u8], text: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(keyword.len() + 5 + text.len());
    data.extend_from_slice(keyword);
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    data
}

/// If this `iTXt` chunk holds a baked credential: its text, or why it cannot be read.
fn credential_text(data: &[u8]) -> Option<Result<String, FormsError>> {
    let rest = data.strip_prefix(KEYWORD)?.strip_prefix(&[0])?;
    Some(match rest {
        [0, 0, rest @ ..] => {
            // Language tag and translated keyword (ignored: Open Badges gives them no meaning).
            let mut fields = rest.splitn(3, |&b| b == 0);
            match (fields.next(), fields.next(), fields.next()) {
                (Some(_), Some(_), Some(text)) => String::from_utf8(text.to_vec())
                    .map_err(|_| error("the baked credential is not UTF-8 text")),
                _ => Err(error("the openbadgecredential iTXt chunk is malformed")),
            }
        }
        [1, ..] => Err(error(
            "the baked credential is compressed, which Open Badges does not allow",
        )),
        _ => Err(error("the openbadgecredential iTXt chunk is malformed")),
    })
}

/// Bakes `credential_json` into `png` (Open Badges 3.0 §5.3.1.1): an uncompressed `iTXt` chunk
/// `openbadgecredential` right after IHDR, replacing any credential the image already held.
///
/// Errors: `png` is not a whole, undamaged PNG file.
pub fn bake_png(png: &[u8], credential_json: &str) -> Result<Vec<u8>, FormsError> {
    let chunks = chunks(png)?;
    let mut out = Vec::with_capacity(png.len() + credential_json.len() + 40);
    out.extend_from_slice(&SIGNATURE);
    for chunk in chunks {
        let ours = &chunk.kind == b"iTXt" && credential_text(chunk.data).is_some();
        if !ours {
            out.extend_from_slice(chunk.raw);
        }
        if &chunk.kind == b"IHDR" {
            put_chunk(&mut out, b"iTXt", &itxt(KEYWORD, credential_json))?;
        }
    }
    Ok(out)
}

/// The credential baked into `png` (Open Badges 3.0 §5.3.1.2), or `None` when it holds none.
///
/// Errors: not a PNG, truncated, a chunk whose CRC does not match (a damaged or edited file),
/// a compressed or non-UTF-8 credential, or more than one (the specification allows one).
pub fn unbake_png(png: &[u8]) -> Result<Option<String>, FormsError> {
    let mut found = None;
    for chunk in chunks(png)? {
        if &chunk.kind != b"iTXt" {
            continue;
        }
        if let Some(text) = credential_text(chunk.data) {
            if found.is_some() {
                return Err(error("the image holds more than one baked credential"));
            }
            found = Some(text?);
        }
    }
    Ok(found)
}

/// A palette image to encode: one palette index per pixel, row by row.
pub(super) struct Indexed<'a> {
    pub width: u32,
    pub height: u32,
    /// RGB entries; entry 0 is transparent.
    pub palette: &'a [[u8; 3]],
    pub pixels: &'a [u8],
    /// The image's title (an `iTXt` chunk `Title`), for people and catalogues.
    pub title: &'a str,
}

/// Encodes an 8-bit palette PNG; same image, same bytes.
pub(super) fn encode(image: &Indexed<'_>) -> Result<Vec<u8>, FormsError> {
    let width = usize::try_from(image.width).map_err(|_| error("image too wide"))?;
    if width == 0 || image.pixels.len() != width * image.height as usize {
        return Err(error("the pixels do not fill the image"));
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&image.width.to_be_bytes());
    ihdr.extend_from_slice(&image.height.to_be_bytes());
    // Bit depth 8, colour type 3 (palette), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    let mut raw = Vec::with_capacity(image.pixels.len() + image.height as usize);
    for row in image.pixels.chunks(width) {
        // Filter type 0 (none): flat colours compress well without prediction.
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut out = SIGNATURE.to_vec();
    put_chunk(&mut out, b"IHDR", &ihdr)?;
    put_chunk(&mut out, b"iTXt", &itxt(b"Title", image.title))?;
    put_chunk(&mut out, b"PLTE", image.palette.as_flattened())?;
    put_chunk(&mut out, b"tRNS", &[0])?;
    put_chunk(
        &mut out,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9),
    )?;
    put_chunk(&mut out, b"IEND", &[])?;
    Ok(out)
}
