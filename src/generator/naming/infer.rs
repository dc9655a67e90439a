//! AutoRest's command inference (`../shared/reference/sdk-generation.md` §3): an operationId
//! `group_method` becomes one or two (verb, subject, action) triples.

use super::singularize;
use super::text::{deconstruct, pascal, pascal_str};
use super::verbs;

/// One inferred command before directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// PowerShell verb: `Get`, `New`, `Invoke`, ...
    pub verb: String,
    /// The noun without prefix: `UserMemberOf`.
    pub subject: String,
    /// The action word, Pascal-cased; it names the base parameter set (`List`, `Assign`).
    pub action: String,
}

/// Infers the commands of a formatted and tweaked operationId; `method` is the HTTP method.
pub fn commands(operation_id: &str, method: &str) -> Vec<Command> {
    let (group, member) = match operation_id.split_once('_') {
        Some((g, m)) => (g, m),
        None => ("", operation_id),
    };
    // The modeler names the operation in Pascal case with repeated words removed.
    let method_name = pascal_str(member);
    let mut group_words = deconstruct(group);
    if let Some(last) = group_words.last_mut() {
        *last = singularize::word(last);
    }
    let group = pascal(&group_words);
    let mut out = if verbs::map(&method_name).is_some() && deconstruct(&method_name).len() > 1 {
        // A whole method that is a mapping key (`PowerOff`) names the action at once.
        vec![variant(&method_name, vec![group.clone()])]
    } else {
        infer(&deconstruct(&method_name), &group)
    };
    // A PUT whose action maps to Update is a Set.
    if method == "PUT" {
        for c in &mut out {
            if c.verb == "Update" {
                c.verb = "Set".into();
            }
        }
    }
    out
}

fn infer(words: &[String], group: &str) -> Vec<Command> {
    let words: Vec<String> = words.iter().filter(|w| *w != "all").cloned().collect();
    let group_words = || {
        if group.is_empty() {
            Vec::new()
        } else {
            deconstruct(group)
        }
    };
    let with = |rest: &[String]| {
        let mut s = group_words();
        s.extend_from_slice(rest);
        s
    };
    match words.len() {
        0 => return Vec::new(),
        1 => return vec![variant(&words[0], group_words())],
        2 => {
            let (action, other) = if !verbs::is_verb(&words[0]) && verbs::is_verb(&words[1]) {
                (&words[1], &words[0])
            } else {
                (&words[0], &words[1])
            };
            return vec![variant(action, with(std::slice::from_ref(other)))];
        }
        _ => {}
    }
    // `createOrGet` gives two commands.
    if let Some(i) = position(&words, "or").filter(|&i| i > 0) {
        let mut first = words[..i].to_vec();
        first.extend(words.get(i + 2..).unwrap_or(&[]).iter().cloned());
        let mut out = infer(&first, group);
        out.extend(infer(&words[i + 1..], group));
        return out;
    }
    // Everything from the first preposition on (in priority order) is dropped.
    for p in ["with", "at", "by", "for", "in", "of"] {
        if let Some(i) = position(&words, p).filter(|&i| i > 0) {
            return infer(&words[..i], group);
        }
    }
    for (i, w) in words.iter().enumerate() {
        if verbs::is_verb(w) {
            return vec![if i == 0 {
                variant(w, with(&words[1..]))
            } else if i == words.len() - 1 {
                variant(w, with(&words[..i]))
            } else {
                // A verb in the middle: its neighbours on both sides leave the name.
                variant(w, group_words())
            }];
        }
    }
    vec![variant(&words[0], with(&words[1..]))]
}

/// Index of a preposition; `in` right after `sign` does not count (`signIn`).
fn position(words: &[String], p: &str) -> Option<usize> {
    words
        .iter()
        .enumerate()
        .position(|(i, w)| w == p && !(p == "in" && i > 0 && words[i - 1] == "sign"))
}

fn variant(action: &str, subject: Vec<String>) -> Command {
    let action_pascal = pascal_str(action);
    let mapped = verbs::map(&action_pascal);
    let mut subject = subject;
    if mapped.is_none() && !action.eq_ignore_ascii_case("post") {
        subject.insert(0, action.to_string());
    }
    let singular: Vec<String> = subject
        .iter()
        .map(|w| {
            // Each element is singularized on its last word and re-joined in Pascal case.
            let mut parts = deconstruct(w);
            if let Some(last) = parts.last_mut() {
                *last = singularize::word(last);
            }
            pascal(&parts)
        })
        .collect();
    Command {
        verb: mapped.unwrap_or("Invoke").to_string(),
        subject: pascal(&singular),
        action: action_pascal,
    }
}
