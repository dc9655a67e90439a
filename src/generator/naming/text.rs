//! Word splitting and joining as AutoRest's code generator does it (`deconstruct`, `pascalCase`,
//! `removeSequentialDuplicates`): the cmdlet names depend on their exact quirks, e.g. only the
//! first run of capitals in an identifier is split (`OAuth` → `o auth`) and `os`/`ip` come out
//! upper-cased.

/// Splits an identifier into lower-case words: at lower→upper and digit→letter changes, before
/// the last capital of the first capital run that starts a word and is followed by a lower-case
/// letter (`BPre` → `b pre`), and at every non-word character or `_`.
pub fn deconstruct(identifier: &str) -> Vec<String> {
    let chars: Vec<char> = identifier.chars().collect();
    // Steps 1 and 2: mark the split points (before index i).
    let mut split_before = vec![false; chars.len() + 1];
    for i in 1..chars.len() {
        let (a, b) = (chars[i - 1], chars[i]);
        if (a.is_ascii_lowercase() && b.is_ascii_uppercase())
            || (a.is_ascii_digit() && b.is_ascii_alphabetic())
        {
            split_before[i] = true;
        }
    }
    // Step 3: the first capital run (two or more) at a word start followed by a lower-case
    // letter is split before its last capital. Word starts are judged on the text after steps 1
    // and 2, where a split point counts as a space.
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let at_boundary = i == 0 || split_before[i] || !is_word(chars[i - 1]);
        if at_boundary && chars[i].is_ascii_uppercase() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_uppercase() && (j == i || !split_before[j]) {
                j += 1;
            }
            if j - i >= 2 && j < chars.len() && !split_before[j] && chars[j].is_ascii_lowercase() {
                split_before[j - 1] = true;
                break;
            }
        }
        i += 1;
    }
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if split_before[i] && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_lowercase());
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Drops a word equal (case-insensitively) to its left neighbour, and a pair equal to the pair
/// before it (`A B A B` → `A B`); longer repeats stay.
pub fn remove_sequential_duplicates(words: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = words.iter().filter(|w| !w.is_empty()).cloned().collect();
    let eq = |ids: &[String], a: usize, b: Option<usize>| match b {
        Some(b) if a < ids.len() && b < ids.len() => ids[a].eq_ignore_ascii_case(&ids[b]),
        _ => false,
    };
    let mut i = 0;
    while i < ids.len() {
        while i < ids.len() && eq(&ids, i, i.checked_sub(1)) {
            ids.remove(i);
        }
        while i + 1 < ids.len()
            && eq(&ids, i, i.checked_sub(2))
            && eq(&ids, i + 1, i.checked_sub(1))
        {
            ids.drain(i..i + 2);
        }
        i += 1;
    }
    ids
}

/// Capitalizes one word; the acronyms `ip`, `os`, `ms` and `vm` are upper-cased whole.
pub fn capitalize(word: &str) -> String {
    if matches!(word, "ip" | "os" | "ms" | "vm") {
        return word.to_ascii_uppercase();
    }
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Joins words in Pascal case after removing sequential duplicates.
pub fn pascal(words: &[String]) -> String {
    remove_sequential_duplicates(words)
        .iter()
        .map(|w| capitalize(w))
        .collect()
}

/// Pascal case of an identifier (`deconstruct`, then [`pascal`]).
pub fn pascal_str(identifier: &str) -> String {
    pascal(&deconstruct(identifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn deconstruct_matches_autorest() {
        assert_eq!(
            deconstruct("oAuth2PermissionGrant"),
            w("o auth2 permission grant")
        );
        assert_eq!(deconstruct("getGraphBPreId"), w("get graph b pre id"));
        assert_eq!(deconstruct("OAuth2Permission"), w("o auth2 permission"));
        assert_eq!(
            deconstruct("user.appRoleAssignment"),
            w("user app role assignment")
        );
        assert_eq!(deconstruct("IPAddress"), w("ip address"));
        // Only the first capital run is split.
        assert_eq!(deconstruct("ABCdEFGh"), w("ab cd efgh"));
        assert_eq!(deconstruct("b2xUserFlow"), w("b2 x user flow"));
    }

    #[test]
    fn duplicates_and_pascal() {
        assert_eq!(remove_sequential_duplicates(&w("list list")), w("list"));
        assert_eq!(remove_sequential_duplicates(&w("a b a b c")), w("a b c"));
        assert_eq!(
            remove_sequential_duplicates(&w("a b c a b c")),
            w("a b c a b c")
        );
        assert_eq!(pascal(&w("user os ms vm ip")), "UserOSMSVMIP");
    }
}
