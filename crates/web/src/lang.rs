//! Japanese first, English second (G03). The language is part of the URL: `/en/...` is the
//! English version of `/...`, so every page can be linked and bookmarked in either language.
//! A request mapper strips the prefix before routing and records the language.

use axum::extract::{FromRequestParts, Request};
use axum::http::Uri;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// The text for this language; both are written side by side at the call site so that a
    /// missing translation cannot go unnoticed.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Ja => ja,
            Self::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    pub fn is_en(self) -> bool {
        self == Self::En
    }
}

/// The page's address without the language prefix, with its query: `/programmes/x?tab=1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePath(pub String);

impl PagePath {
    pub fn in_lang(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => self.0.clone(),
            Lang::En if self.0 == "/" => "/en/".to_owned(),
            Lang::En => format!("/en{}", self.0),
        }
    }
}

/// The language a path asks for, and the path without its `/en`.
pub fn language_of(path: &str) -> (Lang, &str) {
    match path.strip_prefix("/en") {
        Some("") => (Lang::En, "/"),
        Some(rest) if rest.starts_with('/') => (Lang::En, rest),
        _ => (Lang::Ja, path),
    }
}

/// Strips `/en` from the path and records the language and the page path.
pub fn select_language(mut req: Request) -> Request {
    let uri = req.uri().clone();
    let (lang, rest) = language_of(uri.path());
    let with_query = match uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    if lang == Lang::En {
        let mut parts = uri.into_parts();
        if let Ok(pq) = with_query.parse() {
            parts.path_and_query = Some(pq);
        }
        if let Ok(new_uri) = Uri::from_parts(parts) {
            *req.uri_mut() = new_uri;
        }
    }
    req.extensions_mut().insert(lang);
    req.extensions_mut().insert(PagePath(with_query));
    req
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Lang>().copied().unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PagePath {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<PagePath>()
            .cloned()
            .unwrap_or_else(|| PagePath(parts.uri.path().to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(uri: &str) -> (Lang, String, String) {
        let req = select_language(
            Request::builder()
                .uri(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        );
        let lang = *req.extensions().get::<Lang>().unwrap();
        let page = req.extensions().get::<PagePath>().unwrap().0.clone();
        (lang, req.uri().to_string(), page)
    }

    #[test]
    fn english_prefix_is_stripped_and_recorded() {
        assert_eq!(
            select("/en/programmes/x?a=1"),
            (
                Lang::En,
                "/programmes/x?a=1".into(),
                "/programmes/x?a=1".into()
            )
        );
        assert_eq!(select("/en"), (Lang::En, "/".into(), "/".into()));
        assert_eq!(select("/en/"), (Lang::En, "/".into(), "/".into()));
    }

    #[test]
    fn other_paths_are_japanese() {
        assert_eq!(select("/english").0, Lang::Ja);
        assert_eq!(select("/").0, Lang::Ja);
    }

    #[test]
    fn switch_links_keep_the_page() {
        let p = PagePath("/programmes/x?a=1".into());
        assert_eq!(p.in_lang(Lang::En), "/en/programmes/x?a=1");
        assert_eq!(p.in_lang(Lang::Ja), "/programmes/x?a=1");
        assert_eq!(PagePath("/".into()).in_lang(Lang::En), "/en/");
    }
}
