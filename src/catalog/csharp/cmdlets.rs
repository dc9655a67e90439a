//! The compiled cmdlets of one SDK-named module: one C# class per cmdlet, its parameters
//! static properties, generated from the same catalog data the engine reads
//! ([`Command::parameter_sets`], [`Command::params`], as `describe::command` gives them), and
//! the module's MAML help (`<Module>.dll-Help.xml`).
//!
//! Every class derives from `MgGraph.PowerShell.MgCatalogCmdlet` (MgGraph.Core.dll), which
//! reads `MyInvocation.BoundParameters` and runs the command on the engine: the classes only
//! declare what PowerShell binds.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::models::identifier;
use crate::catalog::describe::{model_namespace, output_type};
use crate::catalog::models::{Model, Namespace, PropType};
use crate::catalog::modules::docs_link;
use crate::catalog::{model, Api, Command, Param, ParamSet, PsType, Role};

/// Whether body parameters whose catalog type is a model are typed with the model's
/// interface (`IMicrosoftGraphUser`), as in the SDK; `false` types them `object`.
pub const TYPED_MODEL_PARAMETERS: bool = true;

/// PowerShell's common parameters and their aliases (7.4+), and the risk-mitigation ones of
/// `SupportsShouldProcess` cmdlets: no cmdlet parameter or alias may take these names.
pub const COMMON_PARAMETERS: &[(&str, &[&str])] = &[
    ("Verbose", &["vb"]),
    ("Debug", &["db"]),
    ("ErrorAction", &["ea"]),
    ("WarningAction", &["wa"]),
    ("InformationAction", &["infa"]),
    ("ProgressAction", &["proga"]),
    ("ErrorVariable", &["ev"]),
    ("WarningVariable", &["wv"]),
    ("InformationVariable", &["iv"]),
    ("OutVariable", &["ov"]),
    ("OutBuffer", &["ob"]),
    ("PipelineVariable", &["pv"]),
    ("WhatIf", &["wi"]),
    ("Confirm", &["cf"]),
];

/// The base class's member that holds a command's catalog facts: a parameter of this name
/// (`New-MgApplication -Info`) hides it (`new`), which leaves the base class's use of it as is.
const INFO_MEMBER: &str = "Info";

/// The cmdlet namespace of an API version.
pub fn cmdlet_namespace(api: Api) -> &'static str {
    api.cmdlet_namespace()
}

/// The model namespace of an API version.
pub fn models_namespace(api: Api) -> &'static str {
    match api {
        Api::V1 => Namespace::V1.name(),
        Api::Beta => Namespace::Beta.name(),
    }
}

/// `Get-MgUser` → `GetMgUser`.
pub fn class_name(c: &Command) -> String {
    c.name.replace('-', "")
}

/// `global::<ns>.I<class>` of a model, for a command of this API version.
fn interface(api: Api, m: &Model) -> Option<String> {
    model_namespace(api, m).map(|ns| format!("global::{ns}.I{}", identifier(m.class)))
}

/// The C# type of a catalog parameter type.
fn ps_type(ty: PsType) -> &'static str {
    match ty {
        PsType::String => "string",
        PsType::StringArray => "string[]",
        PsType::Bytes => "byte[]",
        PsType::Int => "int",
        PsType::Long => "long",
        PsType::Double => "double",
        PsType::Switch => "global::System.Management.Automation.SwitchParameter",
        PsType::DateTime => "global::System.DateTime",
        PsType::Object => "object",
        PsType::ObjectArray => "object[]",
        PsType::Dictionary => "global::System.Collections.IDictionary",
        PsType::Hashtable => "global::System.Collections.Hashtable",
    }
}

/// The model-typed form of a property type, when it names a model.
fn prop_model_type(api: Api, ty: PropType) -> Option<String> {
    match ty {
        PropType::Model(id) => interface(api, model(id)?),
        PropType::ModelList(id) => interface(api, model(id)?).map(|t| format!("{t}[]")),
        _ => None,
    }
}

/// The C# type of a parameter: the catalog's, or the model interface the SDK types it with.
pub fn param_type(c: &'static Command, sets: &[ParamSet], p: &Param) -> String {
    if TYPED_MODEL_PARAMETERS {
        let in_sets = || {
            sets.iter()
                .filter(|s| p.sets.iter().any(|(n, _)| n == &s.name))
        };
        let typed = match p.role {
            Role::BodyParameter => in_sets()
                .find_map(|s| s.route.body.and_then(model))
                .and_then(|m| interface(c.api, m))
                .or_else(|| {
                    // An action's parameters: the SDK's class for them, in the models of
                    // the command's API version.
                    let schema = in_sets().find_map(|s| s.route.body_schema)?;
                    Some(format!(
                        "global::{}.I{}",
                        models_namespace(c.api),
                        identifier(schema)
                    ))
                }),
            Role::BodyProp(json) => in_sets().find_map(|s| {
                let m = s.route.body.and_then(model)?;
                prop_model_type(c.api, m.prop(json)?.ty)
            }),
            Role::ActionParam(json) => in_sets().find_map(|s| {
                let a = s.route.action.iter().find(|a| a.json == json)?;
                prop_model_type(c.api, a.ty)
            }),
            _ => None,
        };
        if let Some(t) = typed {
            return t;
        }
    }
    ps_type(p.ty).to_string()
}

/// A C# string literal.
pub fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A parameter as the class declares it: its aliases after clashes are resolved.
#[derive(Debug, Clone)]
pub struct Declared {
    pub param: Param,
    pub cs_type: String,
    pub aliases: Vec<String>,
}

/// A clash the generator resolved (or could not): `(command, what)`.
pub type Clash = (String, String);

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A command's parameters as compiled: names and aliases unique (ignoring case) among
/// themselves and against PowerShell's common parameters. An alias that clashes is dropped
/// (as the SDK's generator leaves it out: `-BodyParameter` has no `-Body` alias where the
/// body has a `Body` property); a parameter whose name clashes is left out and reported.
pub fn declared(c: &'static Command, clashes: &mut Vec<Clash>) -> Vec<Declared> {
    let sets = c.parameter_sets();
    let params = c.params();
    let mut taken: HashSet<String> = HashSet::new();
    for (name, aliases) in COMMON_PARAMETERS {
        taken.insert(name.to_ascii_lowercase());
        for a in *aliases {
            taken.insert(a.to_ascii_lowercase());
        }
    }
    let class = class_name(c).to_ascii_lowercase();
    let mut out = vec![];
    // Names first (a parameter's name wins over another's alias), then aliases.
    let mut kept = vec![];
    for p in params {
        let lower = p.name.to_ascii_lowercase();
        if !is_identifier(&p.name) || lower == class || !taken.insert(lower) {
            clashes.push((
                c.name.to_string(),
                format!("parameter -{} left out", p.name),
            ));
            continue;
        }
        kept.push(p);
    }
    for p in kept {
        let mut aliases = vec![];
        for a in p.aliases {
            if taken.insert(a.to_ascii_lowercase()) {
                aliases.push(a.to_string());
            } else {
                clashes.push((
                    c.name.to_string(),
                    format!("alias -{a} of -{} dropped", p.name),
                ));
            }
        }
        let cs_type = param_type(c, &sets, &p);
        out.push(Declared {
            param: p,
            cs_type,
            aliases,
        });
    }
    out
}

/// The `[OutputType]` of a command.
fn output_attribute(c: &Command) -> String {
    match c.output_model().and_then(|m| interface(c.api, m)) {
        Some(t) => format!("typeof({t})"),
        None => match output_type(c).as_str() {
            "System.Int32" => "typeof(int)".into(),
            "System.Int64" => "typeof(long)".into(),
            "System.Double" => "typeof(double)".into(),
            "System.Boolean" => "typeof(bool)".into(),
            "System.String" => "typeof(string)".into(),
            "System.DateTime" => "typeof(global::System.DateTime)".into(),
            other => lit(other),
        },
    }
}

/// A parameter's `HelpMessage` (its description in `Get-Help`): the catalog's, except for
/// `-Headers`, whose catalog text lists the command's Graph calls: unique to each cmdlet,
/// that text is a tenth of every assembly, and `Find-MgGraphCommand -Command` answers it.
fn help_message(p: &Param) -> &str {
    if p.role == Role::Headers {
        return "Extra request headers (a dictionary of names and values) added to every request.";
    }
    &p.help
}

/// The output type's name as help shows it (the beta namespace for beta cmdlets).
fn output_name(c: &Command) -> String {
    c.output_model()
        .and_then(|m| interface(c.api, m))
        .map(|t| t.trim_start_matches("global::").to_string())
        .unwrap_or_else(|| output_type(c))
}

/// One cmdlet class.
pub fn class_source(c: &'static Command, clashes: &mut Vec<Clash>) -> String {
    let sets = c.parameter_sets();
    let params = declared(c, clashes);
    let (verb, noun) = c.name.split_once('-').unwrap_or((c.name, ""));
    let mut binding = vec![
        lit(verb),
        lit(noun),
        format!("DefaultParameterSetName = {}", lit(&c.default_set())),
        format!("HelpUri = {}", lit(&docs_link(c))),
    ];
    if c.mutates() {
        // ConfirmImpact stays Medium, the attribute's default, as today's functions declare
        // it: not written, since an enum argument stores its assembly-qualified type name in
        // every cmdlet's attribute (2 MB over all modules).
        binding.push("SupportsShouldProcess = true".into());
    }
    let class = class_name(c);
    let mut out = String::new();
    // No catalog facts here: the core asks the engine for them (mggraph_command_describe) the
    // first time a cmdlet runs. Written into every class, they were a third of the assemblies.
    let _ = writeln!(out, "[Cmdlet({})]", binding.join(", "));
    let _ = writeln!(out, "[OutputType({})]", output_attribute(c));
    let _ = writeln!(
        out,
        "public sealed class {class} : global::MgGraph.PowerShell.MgCatalogCmdlet\n{{"
    );
    let all_sets = sets.len();
    for d in &params {
        let p = &d.param;
        // In every set and mandatory in none: one attribute for all sets, as a param block
        // writes it (and as the dynamic parameters did).
        let in_all = p.sets.len() == all_sets && p.sets.iter().all(|(_, m)| !m);
        let targets: Vec<(Option<&str>, bool)> = if in_all {
            vec![(None, false)]
        } else {
            p.sets.iter().map(|(s, m)| (Some(s.as_str()), *m)).collect()
        };
        for (set, mandatory) in targets {
            let mut args = vec![];
            if let Some(s) = set {
                args.push(format!("ParameterSetName = {}", lit(s)));
            }
            if mandatory {
                args.push("Mandatory = true".into());
            }
            if p.from_pipeline {
                args.push("ValueFromPipeline = true".into());
            }
            if p.by_property_name {
                args.push("ValueFromPipelineByPropertyName = true".into());
            }
            let help = help_message(p);
            if !help.is_empty() {
                args.push(format!("HelpMessage = {}", lit(help)));
            }
            let _ = writeln!(out, "    [Parameter({})]", args.join(", "));
        }
        if !d.aliases.is_empty() {
            let _ = writeln!(
                out,
                "    [Alias({})]",
                d.aliases
                    .iter()
                    .map(|a| lit(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if p.role == Role::InputObject {
            // The module's identity objects ([UsersIdentity]@{UserId = ...}) bind as their ids.
            let _ = writeln!(
                out,
                "    [global::MgGraph.PowerShell.MgIdentityTransformation]"
            );
        }
        if p.role == Role::ThrottleLimit {
            let _ = writeln!(
                out,
                "    [ValidateRange(1, {})]",
                crate::engine::settings::MAX_THROTTLE_LIMIT
            );
        }
        let hide = if p.name == INFO_MEMBER { "new " } else { "" };
        // A field, not a property: PowerShell binds both alike, and a field costs no
        // accessor methods (a third of the assembly's size, and of its compile time).
        let _ = writeln!(out, "    public {hide}{} {};", d.cs_type, p.name);
    }
    out.push_str("}\n");
    out
}

/// The C# source of one SDK-named module: every cmdlet class, in the API's cmdlet namespace.
/// `clashes` receives what [`declared`] resolved.
pub fn render_module(commands: &[&'static Command], clashes: &mut Vec<Clash>) -> String {
    let mut out = String::from(
        "// <auto-generated>Generated by mggraph-codegen --dotnet from src/catalog. Do not edit.</auto-generated>\n#pragma warning disable\nusing System.Management.Automation;\n",
    );
    for api in [Api::V1, Api::Beta] {
        let list: Vec<&&'static Command> = commands.iter().filter(|c| c.api == api).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nnamespace {}\n{{", cmdlet_namespace(api));
        for c in list {
            out.push_str(&class_source(c, clashes));
        }
        out.push_str("}\n");
    }
    out.push_str(&identity_source(commands));
    out.push_str(INITIALIZER);
    out
}

/// Every SDK-named module's initializer: imports the core module (`Microsoft.Graph.Authentication`)
/// by path, once per runspace, as the SDK's `RequiredModules` entry would by name (see
/// `MgGraph.PowerShell.CoreModule` for why not by name).
const INITIALIZER: &str = "\nnamespace MgGraph.PowerShell.Modules\n{\n    /// <summary>Runs when this module is imported: imports the core module, where not yet imported.</summary>\n    public sealed class ModuleInitializer : IModuleAssemblyInitializer\n    {\n        /// <summary>At import.</summary>\n        public void OnImport() => global::MgGraph.PowerShell.CoreModule.EnsureImported();\n    }\n}\n";

/// The SDK's identity types of a module (`IUsersIdentity` / `UsersIdentity` in the models'
/// namespace, `Microsoft.Graph.Beta.PowerShell.Models` for a beta module): one string property
/// per id any of its paths takes (`UserId`, `MessageId`, ...), as the SDK's `-InputObject`
/// type has them. Scripts and modules built on the SDK name these types; `-InputObject`
/// takes them through `MgIdentityTransformation`.
fn identity_source(commands: &[&'static Command]) -> String {
    let Some(first) = commands.first() else {
        return String::new();
    };
    let mut ids: Vec<String> = vec![];
    for c in commands {
        for set in c.parameter_sets() {
            for ph in set.route.placeholders() {
                let name = identifier(&crate::catalog::placeholder_param(ph));
                if !ids.contains(&name) {
                    ids.push(name);
                }
            }
        }
    }
    if ids.is_empty() {
        return String::new();
    }
    ids.sort();
    let namespace = match first.api {
        Api::V1 => Namespace::V1.name(),
        Api::Beta => Namespace::Beta.name(),
    };
    let short: String = first
        .sdk_module
        .trim_start_matches("Microsoft.Graph.")
        .trim_start_matches("Beta.")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let class = format!("{short}Identity");
    let converter = "[global::System.ComponentModel.TypeConverter(typeof(global::MgGraph.PowerShell.MgIdentityConverter))]";
    let mut out = format!("\nnamespace {namespace}\n{{\n    {converter}\n    public partial interface I{class}\n    {{\n");
    for id in &ids {
        let _ = writeln!(out, "        string {id} {{ get; set; }}");
    }
    let _ = writeln!(
        out,
        "    }}\n    {converter}\n    public partial class {class} : global::MgGraph.PowerShell.MgIdentity, I{class}\n    {{"
    );
    for id in &ids {
        let _ = writeln!(out, "        public string {id} {{ get; set; }}");
    }
    out.push_str("    }\n}\n");
    out
}

/// XML text escaping.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn paras(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<maml:para>{}</maml:para>", xml(l.trim_end())))
        .collect()
}

/// The short type name help shows (`String`, `String[]`, `IMicrosoftGraphUser`).
fn help_type(cs: &str) -> String {
    let base = cs.rsplit('.').next().unwrap_or(cs);
    match base {
        "string" => "String".into(),
        "string[]" => "String[]".into(),
        "int" => "Int32".into(),
        "long" => "Int64".into(),
        "double" => "Double".into(),
        "object" => "Object".into(),
        "object[]" => "Object[]".into(),
        other => other.to_string(),
    }
}

fn pipeline_input(p: &Param) -> &'static str {
    match (p.from_pipeline, p.by_property_name) {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    }
}

/// One `<command:parameter>` (syntax items carry no description: the parameters section
/// has it, and PowerShell shows syntax from these lines only).
fn help_param(d: &Declared, required: bool, described: bool) -> String {
    let p = &d.param;
    let ty = help_type(&d.cs_type);
    let aliases = if d.aliases.is_empty() {
        "none".to_string()
    } else {
        d.aliases.join(", ")
    };
    maml_param(
        &p.name,
        (p.ty != PsType::Switch).then_some(ty.as_str()),
        &aliases,
        pipeline_input(p),
        required,
        described.then(|| help_message(p)),
    )
}

/// A `<command:parameter>`: `ty` None for a switch, `description` None in a syntax item.
fn maml_param(
    name: &str,
    ty: Option<&str>,
    aliases: &str,
    pipeline: &str,
    required: bool,
    description: Option<&str>,
) -> String {
    let array = ty.is_some_and(|t| t.ends_with("[]"));
    let mut out = format!(
        "<command:parameter required=\"{required}\" variableLength=\"{array}\" globbing=\"false\" pipelineInput=\"{pipeline}\" position=\"named\" aliases=\"{}\"><maml:name>{}</maml:name>",
        xml(aliases),
        xml(name),
    );
    if let Some(text) = description {
        let _ = write!(out, "<maml:description>{}</maml:description>", paras(text));
    }
    if let Some(ty) = ty {
        let _ = write!(
            out,
            "<command:parameterValue required=\"true\" variableLength=\"{array}\">{}</command:parameterValue>",
            xml(ty)
        );
    }
    if description.is_some() {
        let _ = write!(
            out,
            "<dev:type><maml:name>{}</maml:name></dev:type>",
            xml(ty.unwrap_or("SwitchParameter"))
        );
    }
    out.push_str("</command:parameter>");
    out
}

/// The SDK's runtime parameters as help shows them (each [`crate::catalog::RUNTIME_PARAMETERS`]
/// with its type, or None for a switch, and its description; the compiled base class
/// `MgCatalogCmdlet` declares them for every generated cmdlet, with the same help messages).
const RUNTIME_HELP: &[(&str, Option<&str>, &str)] = &[
    ("Break", None, "Waits for a .NET debugger to attach to this process before the call."),
    (
        "HttpPipelineAppend",
        Some("SendAsyncStep[]"),
        "HTTP pipeline steps to run after the SDK's own (not supported: MgGraph sends requests from its native engine).",
    ),
    (
        "HttpPipelinePrepend",
        Some("SendAsyncStep[]"),
        "HTTP pipeline steps to run before the SDK's own (not supported: MgGraph sends requests from its native engine).",
    ),
    (
        "Proxy",
        Some("Uri"),
        "The URI of a proxy server for this call's requests (http:// or https://).",
    ),
    (
        "ProxyCredential",
        Some("PSCredential"),
        "Credentials for the proxy server (sent as Basic credentials).",
    ),
    (
        "ProxyUseDefaultCredentials",
        None,
        "Presents this logon's default credentials to the proxy (the engine cannot: the proxy is used without them).",
    ),
];

/// A runtime parameter's `<command:parameter>` (see [`maml_param`]).
fn runtime_help_param(
    (name, ty, description): (&str, Option<&str>, &str),
    described: bool,
) -> String {
    maml_param(
        name,
        ty,
        "none",
        "False",
        false,
        described.then_some(description),
    )
}

/// One command's MAML help.
fn help_command(c: &'static Command, out: &mut String) {
    let mut ignored = vec![];
    let params = declared(c, &mut ignored);
    let sets = c.parameter_sets();
    let (verb, noun) = c.name.split_once('-').unwrap_or((c.name, ""));
    let _ = write!(
        out,
        "<command:command xmlns:maml=\"http://schemas.microsoft.com/maml/2004/10\" xmlns:command=\"http://schemas.microsoft.com/maml/dev/command/2004/10\" xmlns:dev=\"http://schemas.microsoft.com/maml/dev/2004/10\"><command:details><command:name>{}</command:name><command:verb>{}</command:verb><command:noun>{}</command:noun><maml:description>{}</maml:description></command:details><maml:description>{}</maml:description><command:syntax>",
        xml(c.name),
        xml(verb),
        xml(noun),
        paras(c.synopsis),
        paras(c.description),
    );
    for s in &sets {
        let _ = write!(
            out,
            "<command:syntaxItem><maml:name>{}</maml:name>",
            xml(c.name)
        );
        for d in &params {
            if let Some((_, mandatory)) = d.param.sets.iter().find(|(n, _)| n == &s.name) {
                out.push_str(&help_param(d, *mandatory, false));
            }
        }
        for r in RUNTIME_HELP {
            out.push_str(&runtime_help_param(*r, false));
        }
        out.push_str("</command:syntaxItem>");
    }
    out.push_str("</command:syntax><command:parameters>");
    for d in &params {
        let required = d.param.sets.iter().all(|(_, m)| *m);
        out.push_str(&help_param(d, required, true));
    }
    for r in RUNTIME_HELP {
        out.push_str(&runtime_help_param(*r, true));
    }
    out.push_str("</command:parameters>");
    let _ = write!(
        out,
        "<command:returnValues><command:returnValue><dev:type><maml:name>{}</maml:name></dev:type></command:returnValue></command:returnValues>",
        xml(&output_name(c))
    );
    if !c.examples.is_empty() {
        out.push_str("<command:examples>");
        for (i, e) in c.examples.iter().enumerate() {
            let _ = write!(
                out,
                "<command:example><maml:title>-------------------------- EXAMPLE {} --------------------------</maml:title><dev:code>{}</dev:code><dev:remarks>{}</dev:remarks></command:example>",
                i + 1,
                xml(e.code),
                paras(e.remarks)
            );
        }
        out.push_str("</command:examples>");
    }
    let _ = writeln!(
        out,
        "<command:relatedLinks><maml:navigationLink><maml:linkText>Online Version:</maml:linkText><maml:uri>{}</maml:uri></maml:navigationLink></command:relatedLinks></command:command>",
        xml(&docs_link(c))
    );
}

/// The MAML help file of one module (`<Module>.dll-Help.xml`), for the cmdlets whose help
/// says more than their metadata: those with hand-written examples. `None` when there are
/// none.
///
/// Why not every cmdlet: PowerShell shows a cmdlet's syntax and parameters from MAML alone
/// when the cmdlet has an entry (an entry without `<command:syntax>` shows an empty syntax),
/// and full entries for the 23,760 cmdlets come to 326 MB of XML (about 150 MB in the most
/// compact form), far beyond the module's size budget. Without an entry, `Get-Help` builds the
/// help from the compiled metadata: every set's syntax, each parameter's type, sets, pipeline
/// binding, aliases and its `HelpMessage` as its description (`-Headers` names the Graph
/// calls), and `-Online` opens the cmdlet's `HelpUri`.
pub fn render_help(commands: &[&'static Command]) -> Option<String> {
    let documented: Vec<&&'static Command> =
        commands.iter().filter(|c| !c.examples.is_empty()).collect();
    if documented.is_empty() {
        return None;
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- Generated by mggraph-codegen from src/catalog. Do not edit. -->\n<helpItems schema=\"maml\" xmlns=\"http://msh\">\n",
    );
    for c in documented {
        help_command(c, &mut out);
    }
    out.push_str("</helpItems>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::command;

    #[test]
    fn get_mguser_is_shaped_as_the_contract_says() {
        let c = command("Get-MgUser").unwrap();
        let mut clashes = vec![];
        let text = class_source(c, &mut clashes);
        assert!(text.contains("[Cmdlet(\"Get\", \"MgUser\", DefaultParameterSetName = \"List\", HelpUri = \"https://learn.microsoft.com/powershell/module/microsoft.graph.users/get-mguser\")]"), "{text}");
        assert!(text.contains(
            "[OutputType(typeof(global::Microsoft.Graph.PowerShell.Models.IMicrosoftGraphUser))]"
        ));
        assert!(text.contains(
            "public sealed class GetMgUser : global::MgGraph.PowerShell.MgCatalogCmdlet"
        ));
        // The catalog facts (sets, paths, the output class) come from the engine at run time.
        assert!(!text.contains("MgCommandInfo"), "{text}");
        assert!(!text.contains("Models.MicrosoftGraphUser)"), "{text}");
        assert!(text.contains("public string UserId;"));
        assert!(text.contains("public global::System.Management.Automation.SwitchParameter All;"));
        assert!(clashes.is_empty(), "{clashes:?}");
    }

    #[test]
    fn each_module_carries_the_sdk_identity_types() {
        let modules = crate::catalog::modules::sdk_modules();
        let users = identity_source(&modules["Microsoft.Graph.Users"]);
        assert!(
            users.contains("namespace Microsoft.Graph.PowerShell.Models\n"),
            "{users}"
        );
        assert!(users.contains("public partial interface IUsersIdentity\n"));
        assert!(users.contains(
            "public partial class UsersIdentity : global::MgGraph.PowerShell.MgIdentity, IUsersIdentity"
        ));
        for id in ["UserId", "TodoTaskListId", "OutlookCategoryId"] {
            assert!(
                users.contains(&format!("public string {id} {{ get; set; }}")),
                "{id}"
            );
        }
        let beta = identity_source(&modules["Microsoft.Graph.Beta.Identity.DirectoryManagement"]);
        assert!(beta.contains("namespace Microsoft.Graph.Beta.PowerShell.Models\n"));
        assert!(beta.contains("public partial interface IIdentityDirectoryManagementIdentity\n"));
        // -InputObject takes them.
        let get = class_source(command("Get-MgUser").unwrap(), &mut vec![]);
        assert!(get.contains(
            "[global::MgGraph.PowerShell.MgIdentityTransformation]\n    public global::System.Collections.IDictionary InputObject;"
        ), "{get}");
    }

    #[test]
    fn beta_twins_use_the_beta_models() {
        let c = command("New-MgBetaUser").unwrap();
        let text = class_source(c, &mut vec![]);
        assert!(
            text.contains(
                "Microsoft.Graph.Beta.PowerShell.Models.IMicrosoftGraphUser BodyParameter;"
            ),
            "{text}"
        );
    }

    #[test]
    fn action_bodies_are_the_sdk_classes_of_their_parameters() {
        for (name, ty) in [
            (
                "Set-MgUserLicense",
                "global::Microsoft.Graph.PowerShell.Models.IComponents103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema BodyParameter;",
            ),
            (
                "Set-MgBetaGroupLicense",
                "global::Microsoft.Graph.Beta.PowerShell.Models.IPaths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema BodyParameter;",
            ),
        ] {
            let text = class_source(command(name).unwrap(), &mut vec![]);
            assert!(text.contains(ty), "{name}: {text}");
        }
        // A primitive result is typed as what is written: getMemberGroups' ids are strings,
        // revokeSignInSessions' answer a boolean.
        for (name, ty) in [
            ("Get-MgUserMemberGroup", "[OutputType(typeof(string))]"),
            ("Revoke-MgUserSignInSession", "[OutputType(typeof(bool))]"),
        ] {
            let text = class_source(command(name).unwrap(), &mut vec![]);
            assert!(text.contains(ty), "{name}: {text}");
        }
    }

    #[test]
    fn mutating_cmdlets_support_should_process() {
        let c = command("Remove-MgUser").unwrap();
        let text = class_source(c, &mut vec![]);
        assert!(text.contains("SupportsShouldProcess = true"));
        assert!(text.contains("[ValidateRange(1, "));
    }

    #[test]
    fn help_is_well_formed_enough() {
        let c = command("Get-MgUser").unwrap();
        let text = render_help(&[c]).unwrap();
        assert!(render_help(&[command("Get-MgBetaUser").unwrap()]).is_none());
        assert!(text.contains("<command:name>Get-MgUser</command:name>"));
        assert!(text.contains("get-mguser</maml:uri>"));
        assert_eq!(
            text.matches("<command:syntaxItem>").count(),
            c.parameter_sets().len()
        );
        // The runtime parameters the base class declares are in every syntax and described
        // once, as Get-Help shows them from this file.
        let names: Vec<&str> = RUNTIME_HELP.iter().map(|r| r.0).collect();
        assert_eq!(names, crate::catalog::RUNTIME_PARAMETERS);
        for name in names {
            let tag = format!("<maml:name>{name}</maml:name>");
            assert_eq!(
                text.matches(&tag).count(),
                c.parameter_sets().len() + 1,
                "{name}"
            );
        }
    }
}
