//! The Activities resource returns all an LRS knows of an activity (Communication 2.5): the
//! definitions that statements gave it, merged.

use serde_json::Value;

/// Language maps whose languages add up rather than replace each other.
const LANGUAGE_MAPS: [&str; 2] = ["name", "description"];

/// `earlier` with what `later` says of the activity: the languages of its name and
/// description are added (a later text of the same language wins), any other property is
/// the later one's.
pub fn merge_definition(earlier: &Value, later: &Value) -> Value {
    let (Some(earlier), Some(later)) = (earlier.as_object(), later.as_object()) else {
        return later.clone();
    };
    let mut merged = earlier.clone();
    for (key, value) in later {
        match (merged.get_mut(key), value) {
            (Some(Value::Object(known)), Value::Object(more))
                if LANGUAGE_MAPS.contains(&key.as_str()) =>
            {
                known.extend(more.clone());
            }
            _ => {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn two_languages_of_a_name_are_both_kept() {
        let merged = merge_definition(
            &json!({"name": {"en-US": "Meeting"}, "type": "http://a"}),
            &json!({"name": {"ja-JP": "会議"}}),
        );
        assert_eq!(
            merged,
            json!({"name": {"en-US": "Meeting", "ja-JP": "会議"}, "type": "http://a"})
        );
    }

    #[test]
    fn a_later_value_replaces_an_earlier_one() {
        let merged = merge_definition(
            &json!({"name": {"en-US": "Old"}, "type": "http://a"}),
            &json!({"name": {"en-US": "New"}, "type": "http://b"}),
        );
        assert_eq!(
            merged,
            json!({"name": {"en-US": "New"}, "type": "http://b"})
        );
    }
}
