//! The PowerShell formatting of a raw operationId (`../shared/reference/sdk-generation.md` §2b)
//! and the SDK's preposition tweak that follows it (§0 step 3).

use super::singularize;
use crate::generator::paths::{OpKind, Operation};

/// The operationId AutoRest sees for `op`: formatted (§2b) and tweaked (§0 step 3), e.g.
/// `users.user.ListUser` → `user_ListUser`, `groups.members.DeleteRefDirectoryObject` →
/// `group.member_DeleteDirectoryObjectGraphBPreRef`.
pub fn operation_id(op: &Operation) -> String {
    tweak(&format(op))
}

/// §2b steps 1–7.
pub fn format(op: &Operation) -> String {
    // A `_v2` is part of a property's name (`alerts_v2`, `participants_v2`), not AutoRest's
    // separator: the SDK's names read `Get-MgSecurityAlertV2`, `Get-MgSecurityAlertV2Count`.
    let mut id = op.operation_id.replace("_v2", "V2");
    // Step 6 (the formatter does it first, on the whole text): PUT's `Update` prefix is `Set`.
    if op.method == "PUT" {
        id = id.replace(".Update", ".Set");
    }
    // Step 1: the hash suffix.
    if let Some(i) = id.find('-') {
        id.truncate(i);
    }
    let mut segments: Vec<String> = id.split('.').map(str::to_string).collect();
    // Step 2: key-type segments of actions and functions, first occurrence of each.
    if matches!(op.kind, OpKind::Action | OpKind::Function) {
        let lower = id.to_ascii_lowercase();
        for key_type in op.path_params.iter().filter_map(|p| p.key_type.as_deref()) {
            if lower.contains(&key_type.to_ascii_lowercase()) {
                if let Some(i) = segments.iter().position(|s| s == key_type) {
                    segments.remove(i);
                }
            }
        }
    }
    // Step 3: singularize every segment; drop a middle one equal to the one kept before it.
    let last = segments.len().saturating_sub(1);
    let mut kept: Vec<String> = Vec::with_capacity(segments.len());
    for (x, segment) in segments.iter().enumerate() {
        let s = singularize::segment(segment);
        if x > 0 && x < last && kept.last().is_some_and(|k| k.eq_ignore_ascii_case(&s)) {
            continue;
        }
        kept.push(s);
    }
    let mut id = kept.join(".");
    // Step 4: merge the last `.As<Upper>` cast segment that follows a lower-case letter.
    let b = id.as_bytes();
    if let Some(i) = (1..b.len().saturating_sub(3)).rev().find(|&i| {
        b[i] == b'.'
            && b[i - 1].is_ascii_lowercase()
            && &b[i + 1..i + 3] == b"As"
            && b[i + 3].is_ascii_uppercase()
    }) {
        id.remove(i);
    }
    // Step 5: `Ref` between a lower-case and an upper-case letter moves to a `ByRef` suffix.
    let b = id.as_bytes();
    let refs: Vec<usize> = (1..b.len().saturating_sub(3))
        .filter(|&i| {
            &b[i..i + 3] == b"Ref" && b[i - 1].is_ascii_lowercase() && b[i + 3].is_ascii_uppercase()
        })
        .collect();
    if !refs.is_empty() {
        for &i in refs.iter().rev() {
            id.replace_range(i..i + 3, "");
        }
        id.push_str("ByRef");
    }
    // Step 7: the last `.` separates AutoRest's group from its method, unless a `_` already
    // does.
    if !id.contains('_') {
        if let Some(i) = id.rfind('.') {
            id.replace_range(i..i + 1, "_");
        }
    }
    id
}

/// §0 step 3: every capitalised `By`/`With`/`At`/`For`/`Of` becomes a placeholder word, so that
/// AutoRest's preposition split (§3) does not cut the name; the global directives restore them.
pub fn tweak(id: &str) -> String {
    id.replace("By", "GraphBPre")
        .replace("With", "GraphWPre")
        .replace("At", "GraphAPre")
        .replace("For", "GraphFPre")
        .replace("Of", "GraphOPre")
}
