//! An operation's SDK cmdlet name, module and parameter-set variant.
//!
//! The pipeline is the SDK's (`../shared/reference/sdk-generation.md`): the raw operationId is
//! formatted for PowerShell and tweaked ([`formatter`], §2b and §0 step 3), AutoRest infers verb
//! and noun from it ([`infer`], §3, with [`verbs`] and [`singularize`]), the SDK's directives
//! rename or remove commands ([`directives`], §3), and the operation's tag picks its modules
//! ([`modules`], §5). A few names no rule explains come from [`overrides`]
//! (`sdk-naming-notes.md` §10).

pub mod directives;
pub mod formatter;
pub mod infer;
pub mod modules;
pub mod overrides;
pub mod singularize;
pub mod text;
pub mod verbs;

use super::paths::Operation;
use std::collections::{HashMap, HashSet};

/// Where an operation lands in the SDK's surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// `Get-MgUser`.
    pub cmdlet: String,
    /// `Microsoft.Graph.Users`.
    pub module: String,
    /// The base parameter-set variant: `List`, `Get`, `Create`, `Assign`, `Delta`, ...; a
    /// numeric suffix (`Create1`) when an earlier operation of the module already gave the same
    /// cmdlet and variant (only [`name_all`] numbers them).
    pub variant: String,
}

/// The cmdlets an operation becomes: none when no module's tag pattern matches it or a
/// directive removes it, two when its method splits on `or` (`createOrGet`). Variants are not
/// numbered against other operations; use [`name_all`] for a whole surface.
pub fn name(op: &Operation) -> Vec<Named> {
    Namer::default().name(op)
}

/// Names every operation of a surface in order, numbering repeated variants per module as
/// AutoRest does (the first operation keeps `Get`, the next gets `Get1`). Element `i` of the
/// result belongs to `ops[i]`.
pub fn name_all(ops: &[Operation]) -> Vec<Vec<Named>> {
    let mut namer = Namer::default();
    ops.iter().map(|op| namer.name(op)).collect()
}

/// The beta twin of a v1.0 cmdlet: `Get-MgUser` → `Get-MgBetaUser` (`Beta` right after `Mg`).
pub fn beta_cmdlet(cmdlet: &str) -> String {
    match cmdlet.split_once("-Mg") {
        Some((verb, noun)) => format!("{verb}-MgBeta{noun}"),
        None => cmdlet.to_string(),
    }
}

/// The beta twin of a v1.0 module: `Microsoft.Graph.Users` → `Microsoft.Graph.Beta.Users`.
pub fn beta_module(module: &str) -> String {
    match module.strip_prefix("Microsoft.Graph.") {
        Some(key) => format!("Microsoft.Graph.Beta.{key}"),
        None => module.to_string(),
    }
}

#[derive(Default)]
struct Namer {
    /// Per module, the `verb-subject-variant` identities already taken.
    taken: HashMap<&'static str, HashSet<String>>,
}

impl Namer {
    fn name(&mut self, op: &Operation) -> Vec<Named> {
        let modules = modules::for_tag(&op.tag);
        if modules.is_empty() {
            return Vec::new();
        }
        let operation_id = formatter::operation_id(op);
        let commands = infer::commands(&operation_id, op.method);
        let mut out = Vec::new();
        for module in modules {
            let key = module.trim_start_matches("Microsoft.Graph.");
            if directives::removes_operation(key, &operation_id) {
                continue;
            }
            let taken = self.taken.entry(module).or_default();
            for c in &commands {
                let mut variant = c.action.clone();
                let mut n = 1;
                while !taken.insert(format!("{}-{}-{}", c.verb, c.subject, variant)) {
                    variant = format!("{}{n}", c.action);
                    n += 1;
                }
                let cmd = directives::Cmd {
                    verb: c.verb.clone(),
                    subject: c.subject.clone(),
                    variant,
                };
                let Some(cmd) = directives::apply(key, &operation_id, cmd) else {
                    continue;
                };
                let cmdlet = format!("{}-Mg{}", cmd.verb, cmd.subject);
                let cmdlet = overrides::apply(module, &operation_id, &cmdlet).unwrap_or(cmdlet);
                out.push(Named {
                    cmdlet,
                    module: module.to_string(),
                    variant: cmd.variant,
                });
            }
        }
        out
    }
}
