//! An operation's SDK cmdlet name, module and parameter-set variant.
//! Rules: `../shared/reference/sdk-generation.md` §0 step 3, §2b, §3, §4 (variants), §5 (modules).

use super::paths::Operation;

/// Where an operation lands in the SDK's surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// `Get-MgUser`.
    pub cmdlet: String,
    /// `Microsoft.Graph.Users`.
    pub module: String,
    /// The base parameter-set variant: `List`, `Get`, `Create`, `Assign`, `Delta`, ...
    pub variant: String,
}

/// The cmdlets an operation becomes: none when no module's tag pattern matches it or a
/// directive removes it, two when its method splits on `or` (`createOrGet`).
pub fn name(op: &Operation) -> Vec<Named> {
    let _ = op;
    Vec::new()
}
