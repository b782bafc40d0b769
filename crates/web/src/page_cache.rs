//! The rendered-page cache (issue 21 item 1): what [`crate::middleware::public_caching`] found
//! anyone may read (an anonymous GET of a public page or API document), kept per language and
//! address with its brotli and gzip forms, made once when the page is rendered, so that the
//! next visitors cost a lookup and a copy instead of a render and a compression.
//!
//! - **Invalidated by any write.** The change feed (the audit log) is what every node follows
//!   for its search index (`CatalogueSync::catch_up`, every 500 ms): when its head moves, every
//!   entry goes stale, on every node, so a change is visible within a second. A write through
//!   this node does so at once. Staling everything is coarse, but a page shows more than its
//!   programme (seats left, designations, quality signals), and any narrower rule would have
//!   to know them all.
//! - **Revalidated, not recompressed.** A stale page is rendered again; when its body is the
//!   same as before (most pages, after most writes), the compressed forms are kept and only
//!   the entry's date moves, so a write costs each page one render, not a compression.
//! - **Time.** An entry is served for at most [`MAX_AGE`] of the application's clock, the
//!   `max-age` a CDN is told, and never past the end of its day in Japan, so what depends on
//!   the clock (an application window opening, today's date) is as fresh as a CDN's copy.
//! - **Bounded.** At most [`MAX_BYTES`] of bodies (the brotli and gzip forms of each page and
//!   its key: a client that takes neither gets the gzip form inflated); beyond that the oldest
//!   entries are dropped first.
//! - **Not cached:** a text search (`q=`: its hit set is the search's own work, item 3), a body
//!   that is not text or JSON, anything personal or holding the visitor's own form.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use time::{Duration, OffsetDateTime};

/// How long an entry is served: the `max-age` of `Cache-Control` on public pages.
pub const MAX_AGE: Duration = Duration::seconds(60);

/// The bound on what the cache holds: 64 MiB of bodies (a programme page is about 30 KB raw
/// and 6 KB in each compressed form, so some 5,000 pages).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Brotli at quality 9 (of 11): within a few percent of 11's size at a fraction of its time,
/// once per page and change, never per request.
const BROTLI_QUALITY: i32 = 9;
const BROTLI_WINDOW: i32 = 22;
/// gzip at its best level: once per page and change.
const GZIP_LEVEL: u32 = 9;

/// A page as rendered, in its three encodings, with its tag.
#[derive(Debug)]
pub struct Entry {
    /// The handler's headers (its content type, …), without length, tag or caching.
    headers: HeaderMap,
    br: Bytes,
    gzip: Bytes,
    /// The hex of the first 16 bytes of the raw body's SHA-256: the strong tag, as
    /// `public_caching` makes it for pages it does not keep.
    pub digest: String,
    /// When it was rendered, by the application's clock.
    made: OffsetDateTime,
    /// The cache's generation it was rendered in: a later one makes it stale.
    generation: u64,
}

/// An encoding the client takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best the request's `Accept-Encoding` allows: brotli, then gzip, else none.
    pub fn preferred(headers: &HeaderMap) -> Self {
        let accepted = |name: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or_default();
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    (coding.eq_ignore_ascii_case(name) || coding == "*") && !refused
                })
        };
        if accepted("br") {
            Self::Brotli
        } else if accepted("gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    /// The suffix its tag carries (`middleware::etag_names_its_encoding`'s convention).
    fn tag(self, digest: &str) -> String {
        match self {
            Self::Brotli => format!("\"{digest}-br\""),
            Self::Gzip => format!("\"{digest}-gzip\""),
            Self::Identity => format!("\"{digest}\""),
        }
    }
}

impl Entry {
    fn size(&self, key: &str) -> usize {
        key.len() + self.br.len() + self.gzip.len()
    }

    /// Still to be served at `now`: rendered at most [`MAX_AGE`] before it, on the same day in
    /// Japan (a clock set back makes it stale too).
    fn fresh_at(&self, now: OffsetDateTime) -> bool {
        let jst = koshu_workflow::JST;
        now >= self.made
            && now - self.made <= MAX_AGE
            && now.to_offset(jst).date() == self.made.to_offset(jst).date()
    }

    /// The page for a client that takes `encoding`; a 304 when `held` is already its tag
    /// (in any encoding). `x_cache` says whether it came from the cache (`hit`) or was just
    /// rendered (`miss`).
    pub fn response(
        &self,
        encoding: Encoding,
        held: bool,
        cache_control: &'static str,
        x_cache: &'static str,
    ) -> Response {
        let mut res = Response::new(axum::body::Body::empty());
        let headers = res.headers_mut();
        headers.extend(self.headers.clone());
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Ok(tag) = HeaderValue::from_str(&encoding.tag(&self.digest)) {
            headers.insert(header::ETAG, tag);
        }
        headers.insert(
            HeaderName::from_static("x-cache"),
            HeaderValue::from_static(x_cache),
        );
        if held {
            headers.remove(header::CONTENT_TYPE);
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            return res;
        }
        let body = match encoding {
            Encoding::Brotli => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
                self.br.clone()
            }
            Encoding::Gzip => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                self.gzip.clone()
            }
            Encoding::Identity => Bytes::from(gunzip(&self.gzip)),
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        *res.body_mut() = axum::body::Body::from(body);
        res
    }
}

#[derive(Debug, Default)]
struct Held {
    entries: HashMap<String, Arc<Entry>>,
    /// Keys in the order they were put in: the oldest go first when the bound is reached.
    order: VecDeque<String>,
    bytes: usize,
}

/// The cache; see the module documentation.
#[derive(Debug, Default)]
pub struct PageCache {
    held: RwLock<Held>,
    /// Bumped by every clear: a page rendered before a clear is not put in after it.
    generation: AtomicU64,
}

impl PageCache {
    /// The key of a request (its language and address), if its page may be kept: not a text
    /// search.
    pub fn key(english: bool, path_and_query: &str) -> Option<String> {
        let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
        let searches = query
            .split('&')
            .any(|pair| pair.strip_prefix("q=").is_some_and(|v| !v.is_empty()));
        (!searches).then(|| format!("{}{path_and_query}", if english { "en:" } else { "ja:" }))
    }

    /// Whether a body of this content type is kept: text and JSON, which compress.
    pub fn keeps(content_type: Option<&HeaderValue>) -> bool {
        content_type
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.starts_with("text/")
                    || ct.starts_with("application/json")
                    || ct.starts_with("application/ld+json")
                    || ct.starts_with("application/problem+json")
            })
    }

    /// The current generation: pass it to [`Self::put`] for what is rendered from now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The entry for `key`, if it is held, of this generation, and still fresh at `now` (the
    /// application's clock).
    pub fn get(&self, key: &str, now: OffsetDateTime) -> Option<Arc<Entry>> {
        let held = self.held.read().ok()?;
        let generation = self.generation();
        held.entries
            .get(key)
            .filter(|e| e.generation == generation && e.fresh_at(now))
            .cloned()
    }

    /// Keeps `body`, rendered in `generation`, under `key`: with the compressed forms of the
    /// entry it replaces when the body is the same, else compressed both ways now. A page
    /// rendered before a later generation began is kept as stale (it may predate the change),
    /// so the next request renders it again. Returns the entry, to serve this request from.
    pub fn put(
        &self,
        key: String,
        generation: u64,
        mut headers: HeaderMap,
        body: Bytes,
        now: OffsetDateTime,
    ) -> Arc<Entry> {
        for name in [
            header::CONTENT_LENGTH,
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_ENCODING,
        ] {
            headers.remove(name);
        }
        let digest = hex::encode(&Sha256::digest(&body)[..16]);
        let same = self
            .held
            .read()
            .ok()
            .and_then(|h| h.entries.get(&key).cloned())
            .filter(|old| old.digest == digest);
        let (br, gzip) = match same {
            Some(old) => (old.br.clone(), old.gzip.clone()),
            None => (Bytes::from(brotli(&body)), Bytes::from(gzip(&body))),
        };
        let entry = Arc::new(Entry {
            headers,
            br,
            gzip,
            digest,
            made: now,
            generation,
        });
        let size = entry.size(&key);
        if size > MAX_BYTES / 8 {
            // One page must not push out the rest.
            return entry;
        }
        let Ok(mut held) = self.held.write() else {
            return entry;
        };
        if let Some(old) = held.entries.remove(&key) {
            held.bytes = held.bytes.saturating_sub(old.size(&key));
            held.order.retain(|k| *k != key);
        }
        while held.bytes + size > MAX_BYTES {
            let Some(oldest) = held.order.pop_front() else {
                break;
            };
            if let Some(old) = held.entries.remove(&oldest) {
                held.bytes = held.bytes.saturating_sub(old.size(&oldest));
            }
        }
        held.bytes += size;
        held.order.push_back(key.clone());
        held.entries.insert(key, Arc::clone(&entry));
        entry
    }

    /// Makes every entry stale (something changed): each is rendered again when next asked
    /// for, and keeps its compressed forms if it renders the same.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// (entries, bytes) held now, for the metrics.
    pub fn usage(&self) -> (usize, usize) {
        self.held
            .read()
            .map(|h| (h.entries.len(), h.bytes))
            .unwrap_or_default()
    }
}

fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() / 4);
    let params = ::brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        ..Default::default()
    };
    let mut input = body;
    if ::brotli::BrotliCompress(&mut input, &mut out, &params).is_err() {
        out.clear();
    }
    out
}

/// The page of a gzip form, for a client that takes no compression (rare: a script).
fn gunzip(compressed: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(compressed.len() * 4);
    // The form was made here from a whole body; reading it back cannot fail.
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(compressed), &mut out);
    out
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::new(GZIP_LEVEL),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-04 10:00 +09:00);

    fn page(text: &str) -> (HeaderMap, Bytes) {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        (headers, Bytes::from(text.repeat(50)))
    }

    #[test]
    fn both_encodings_decode_to_the_page() {
        let cache = PageCache::default();
        let (headers, body) = page("<p>講座</p>");
        let entry = cache.put(
            "ja:/".into(),
            cache.generation(),
            headers,
            body.clone(),
            NOW,
        );
        let mut unbrotli = Vec::new();
        ::brotli::BrotliDecompress(&mut &entry.br[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, body);
        let mut ungzip = Vec::new();
        flate2::read::GzDecoder::new(&entry.gzip[..])
            .read_to_end(&mut ungzip)
            .unwrap();
        assert_eq!(ungzip, body);
        assert!(entry.br.len() < body.len() / 4);
    }

    #[test]
    fn a_clear_stales_everything_and_a_page_rendered_before_it_stays_stale() {
        let cache = PageCache::default();
        let (headers, body) = page("a");
        let before = cache.generation();
        let first = cache.put("ja:/a".into(), before, headers.clone(), body.clone(), NOW);
        assert!(cache.get("ja:/a", NOW).is_some());
        cache.clear();
        assert!(cache.get("ja:/a", NOW).is_none());
        cache.put("ja:/a".into(), before, headers.clone(), body.clone(), NOW);
        assert!(
            cache.get("ja:/a", NOW).is_none(),
            "rendered before the clear"
        );
        // Rendered again, the same: served, with the compressed forms it had.
        let again = cache.put(
            "ja:/a".into(),
            cache.generation(),
            headers.clone(),
            body,
            NOW,
        );
        assert!(cache.get("ja:/a", NOW).is_some());
        assert_eq!(again.br.as_ptr(), first.br.as_ptr(), "not compressed again");
        // Rendered different: compressed anew.
        let (_, changed) = page("b");
        let new = cache.put("ja:/a".into(), cache.generation(), headers, changed, NOW);
        assert_ne!(new.digest, first.digest);
        assert_ne!(new.br.as_ptr(), first.br.as_ptr());
    }

    #[test]
    fn a_client_without_compression_gets_the_page_itself() {
        let cache = PageCache::default();
        let (headers, body) = page("<p>講座</p>");
        let entry = cache.put(
            "ja:/".into(),
            cache.generation(),
            headers,
            body.clone(),
            NOW,
        );
        let res = entry.response(Encoding::Identity, false, "public", "hit");
        assert!(!res.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(
            res.headers()[header::CONTENT_LENGTH],
            body.len().to_string().as_str()
        );
    }

    #[test]
    fn the_bound_drops_the_oldest_first() {
        let cache = PageCache::default();
        // Incompressible bodies whose two forms take 1/10 of the bound: the 11th pushes out the 1st.
        let mut seed = 1u64;
        for n in 0..11 {
            let body: Vec<u8> = (0..MAX_BYTES / 10 / 2)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (seed >> 56) as u8
                })
                .collect();
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            cache.put(
                format!("ja:/{n}"),
                cache.generation(),
                headers,
                Bytes::from(body),
                NOW,
            );
            assert!(cache.usage().1 <= MAX_BYTES);
        }
        assert!(cache.get("ja:/0", NOW).is_none());
        assert!(cache.get("ja:/10", NOW).is_some());
    }

    #[test]
    fn an_entry_is_served_for_a_minute_of_the_same_day_only() {
        let cache = PageCache::default();
        let (headers, body) = page("a");
        let late = datetime!(2026-12-04 23:59:30 +09:00);
        cache.put("ja:/".into(), cache.generation(), headers, body, late);
        assert!(cache.get("ja:/", late + Duration::seconds(20)).is_some());
        assert!(
            cache.get("ja:/", late + Duration::seconds(40)).is_none(),
            "the next day in Japan"
        );
        assert!(
            cache.get("ja:/", late - Duration::seconds(1)).is_none(),
            "a clock set back"
        );
        let cache = PageCache::default();
        let (headers, body) = page("a");
        cache.put("ja:/".into(), cache.generation(), headers, body, NOW);
        assert!(cache.get("ja:/", NOW + MAX_AGE).is_some());
        assert!(
            cache
                .get("ja:/", NOW + MAX_AGE + Duration::seconds(1))
                .is_none()
        );
    }

    #[test]
    fn a_text_search_is_not_kept_and_facets_are() {
        assert_eq!(PageCache::key(false, "/search?q=%E6%BC%94%E7%BF%92"), None);
        assert_eq!(
            PageCache::key(true, "/search?field=sec_monitoring&q="),
            Some("en:/search?field=sec_monitoring&q=".to_owned())
        );
        assert_eq!(PageCache::key(false, "/"), Some("ja:/".to_owned()));
    }

    #[test]
    fn the_preferred_encoding_follows_accept_encoding() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            Encoding::preferred(&h)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(with("gzip"), Encoding::Gzip);
        assert_eq!(with("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(with("identity"), Encoding::Identity);
        assert_eq!(Encoding::preferred(&HeaderMap::new()), Encoding::Identity);
    }
}
