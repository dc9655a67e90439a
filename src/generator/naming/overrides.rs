//! Shipped names that the rules do not produce (`sdk-naming-notes.md` §10). Each row says why
//! it exists; keep this table small: a rule that explains several names belongs in
//! [`super::directives`] instead.

/// (module, tweaked operationId, generated cmdlet, shipped cmdlet, why).
const OVERRIDES: &[(&str, &str, &str, &str, &str)] = &[];

/// The shipped name for an operation whose generated name is known to differ.
pub fn apply(module: &str, operation_id: &str, generated: &str) -> Option<String> {
    OVERRIDES
        .iter()
        .find(|(m, id, g, _, _)| *m == module && *id == operation_id && *g == generated)
        .map(|(_, _, _, shipped, _)| shipped.to_string())
}
