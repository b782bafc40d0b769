//! Prefectures (JIS X 0401).
