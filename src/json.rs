//! Small JSON helpers shared by the engine and the sandbox.

use serde_json::{Map, Value};

/// Looks a key up ignoring ASCII case (PowerShell hashtables and Graph property names are
/// case-insensitive).
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The key as stored in the map, matched ignoring ASCII case.
pub fn key_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(key))
        .map(String::as_str)
}

/// A string value, or the text of a number or bool; `None` for null, arrays and objects.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value as a list of strings: a string, or an array of strings/numbers.
pub fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        other => scalar_text(other).into_iter().collect(),
    }
}

/// Truthiness the way PowerShell switches arrive: `true`, or `{"IsPresent": true}`.
/// (A loop, not recursion: `{"IsPresent": {"IsPresent": ...}}` may nest to any depth.)
pub fn truthy(v: &Value) -> bool {
    let mut v = v;
    loop {
        return match v {
            Value::Bool(b) => *b,
            Value::Object(m) => match get_ci(m, "IsPresent") {
                Some(inner) => {
                    v = inner;
                    continue;
                }
                None => false,
            },
            Value::Number(n) => n.as_f64().map(|f| f != 0.0).unwrap_or(false),
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn case_insensitive_lookup_prefers_exact_key() {
        let m = json!({"userId": 1, "UserId": 2})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(get_ci(&m, "UserId"), Some(&json!(2)));
        assert!(get_ci(&m, "USERID").is_some());
        assert_eq!(get_ci(&m, "groupId"), None);
    }

    #[test]
    fn switches_and_lists() {
        assert!(truthy(&json!({"IsPresent": true})));
        assert!(!truthy(&json!({"IsPresent": false})));
        assert!(truthy(&json!(true)));
        assert_eq!(string_list(&json!(["a", 1])), vec!["a", "1"]);
        assert_eq!(string_list(&json!("x")), vec!["x"]);
        assert!(string_list(&Value::Null).is_empty());
    }
}
