//! What changed between two versions of an application: every field path whose value differs
//! (lists compared row by row), and the documents added, removed or replaced.

use koshu_domain::designation::Application;
use koshu_store::applications::AttachedDocument;
use serde_json::Value;
use std::collections::BTreeMap;

/// One difference: the field (or document) and its value before and after ("" when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// Every leaf of `value` by its path (`curriculum[2].title`), as shown to a person.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            let text: Vec<String> = items.iter().map(leaf).collect();
            out.insert(prefix.to_owned(), text.join(", "));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), leaf(other));
        }
    }
}

fn leaf(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn fields(before: &Application, after: &Application) -> Vec<Change> {
    let mut a = BTreeMap::new();
    let mut b = BTreeMap::new();
    flatten(
        "",
        &serde_json::to_value(before).unwrap_or(Value::Null),
        &mut a,
    );
    flatten(
        "",
        &serde_json::to_value(after).unwrap_or(Value::Null),
        &mut b,
    );
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let before = a.get(path).cloned().unwrap_or_default();
            let after = b.get(path).cloned().unwrap_or_default();
            (before != after).then(|| Change {
                path: path.clone(),
                before,
                after,
            })
        })
        .collect()
}

/// Documents by file name: added, removed, or the same name with other contents (SHA-256).
pub fn documents(before: &[AttachedDocument], after: &[AttachedDocument]) -> Vec<Change> {
    let describe = |d: &AttachedDocument| {
        format!(
            "{} ({}, SHA-256 {})",
            d.file_name,
            d.kind,
            d.sha256.chars().take(12).collect::<String>()
        )
    };
    let by_name = |docs: &[AttachedDocument]| -> BTreeMap<String, String> {
        docs.iter()
            .map(|d| (d.file_name.clone(), describe(d)))
            .collect()
    };
    let (a, b) = (by_name(before), by_name(after));
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let before = a.get(name).cloned().unwrap_or_default();
            let after = b.get(name).cloned().unwrap_or_default();
            (before != after).then(|| Change {
                path: name.clone(),
                before,
                after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use koshu_domain::designation::application::CurriculumItem;

    #[test]
    fn changed_fields_are_named_by_path_and_unchanged_ones_are_not() {
        let mut a = Application::default();
        a.course.name = "演習".into();
        a.curriculum.push(CurriculumItem {
            title: "一".into(),
            minutes: 60,
            ..CurriculumItem::default()
        });
        let mut b = a.clone();
        b.curriculum[0].minutes = 90;
        b.curriculum.push(CurriculumItem {
            title: "二".into(),
            ..CurriculumItem::default()
        });
        let changes = fields(&a, &b);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert!(paths.contains(&"curriculum[0].minutes"));
        assert!(paths.contains(&"curriculum[1].title"));
        assert!(!paths.iter().any(|p| p.starts_with("course")));
        let minutes = changes
            .iter()
            .find(|c| c.path == "curriculum[0].minutes")
            .unwrap();
        assert_eq!(
            (minutes.before.as_str(), minutes.after.as_str()),
            ("60", "90")
        );
        assert!(fields(&a, &a).is_empty());
    }
}
