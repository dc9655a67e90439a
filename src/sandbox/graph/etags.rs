//! Planner's optimistic concurrency: every planner object carries an `@odata.etag`, and an
//! update or delete must name the current one in `If-Match` (`*` matches any), else 412
//! Precondition Failed. See <https://learn.microsoft.com/graph/api/resources/planner-overview>
//! ("Planner resource versioning") and RFC 9110 §13.1.1.
//!
//! The tag is a hash of the stored object, so it changes exactly when the object does and
//! needs no state of its own.

use std::hash::{Hash, Hasher};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::sandbox::odata::GraphErr;

/// Whether objects of this type (qualified name) are versioned by ETag.
pub fn versioned(ty: &str) -> bool {
    ty.trim_start_matches('#')
        .strip_prefix("microsoft.graph.planner")
        .is_some()
}

/// The weak ETag of a stored object (`W/"..."`, as Planner writes them).
pub fn etag(object: &Map<String, Value>) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in object {
        if k != "@odata.etag" {
            k.hash(&mut h);
            v.to_string().hash(&mut h);
        }
    }
    format!("W/\"JzEt{:016x}\"", h.finish())
}

/// Checks an update's or a delete's `If-Match` against the object's current tag. A missing
/// header is let through (the SDK's cmdlets always send one; `-IfMatch` is mandatory there).
pub fn check(headers: &HeaderMap, ty: &str, object: &Map<String, Value>) -> Result<(), GraphErr> {
    if !versioned(ty) {
        return Ok(());
    }
    let Some(given) = headers.get("if-match").and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let current = etag(object);
    let matches = given.split(',').map(str::trim).any(|g| {
        g == "*" || g == current || g.trim_start_matches("W/") == current.trim_start_matches("W/")
    });
    if matches {
        Ok(())
    } else {
        Err(GraphErr::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The If-Match header does not match the object's current ETag: it was changed since it was read. Read it again and retry with its @odata.etag.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_change_with_the_object_and_if_match_is_checked() {
        let a = json!({"id": "t1", "title": "A"})
            .as_object()
            .cloned()
            .unwrap();
        let b = json!({"id": "t1", "title": "B"})
            .as_object()
            .cloned()
            .unwrap();
        assert_ne!(etag(&a), etag(&b));
        assert_eq!(etag(&a), etag(&a));
        let mut h = HeaderMap::new();
        h.insert("if-match", etag(&a).parse().unwrap());
        assert!(check(&h, "microsoft.graph.plannerTask", &a).is_ok());
        let e = check(&h, "microsoft.graph.plannerTask", &b).unwrap_err();
        assert_eq!(e.status, StatusCode::PRECONDITION_FAILED);
        // Other workloads have no ETag check.
        assert!(check(&h, "microsoft.graph.user", &b).is_ok());
        h.insert("if-match", "*".parse().unwrap());
        assert!(check(&h, "microsoft.graph.plannerTask", &b).is_ok());
        assert!(check(&HeaderMap::new(), "microsoft.graph.plannerTask", &b).is_ok());
    }
}
