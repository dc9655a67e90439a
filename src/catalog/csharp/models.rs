//! C# source of the model classes: every catalog model as a compiled class and interface, so
//! the SDK's model types exist the moment the module is imported.
//!
//! For each model the file has `public partial interface IMicrosoftGraphX` and
//! `public partial class MicrosoftGraphX : <base class>, IMicrosoftGraphX`, with the SDK's
//! PascalCase property names; a wire name that is not the property name with its first letter
//! lowered (`@odata.id` for `OdataId`) is written as `[JsonProperty("...")]`. A derived Graph type
//! derives from its base type's class and interface (so `-is [MicrosoftGraphDirectoryObject]`
//! holds for a user) and declares only the properties its base does not have; a root type
//! derives from `MgGraph.PowerShell.MgModel` (which carries `AdditionalProperties`, the
//! `[JsonExtensionData]` dictionary). Nested models are typed as their concrete classes in both
//! the class and the interface. No property beyond the SDK's: a model object is bound by
//! property name into other modules' functions (a parameter aliased `DirectoryObjectId`, as
//! Microsoft.Entra's `-GroupId` is, took a user's own id when users carried such an alias
//! property), and `ConvertTo-Json` lists every property. Classes and interfaces carry
//! `[TypeConverter(typeof(MgGraph.PowerShell.MgModelConverter))]`, PowerShell's conversion from
//! a hashtable, a `PSObject` or JSON text.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::catalog::generated;
use crate::catalog::models::{pascal, Model, Namespace, PropType, MODELS};

/// The base class of every root model (in `MgGraph.Core.dll`).
const MODEL_BASE: &str = "global::MgGraph.PowerShell.MgModel";
/// The base interface of every root model's interface.
const MODEL_INTERFACE: &str = "global::MgGraph.PowerShell.IMgModel";
/// The converter PowerShell uses to turn hashtables, objects and JSON text into models.
const CONVERTER: &str = "[global::System.ComponentModel.TypeConverter(typeof(global::MgGraph.PowerShell.MgModelConverter))]";
/// The SDK's static factories every model class has: (name, parameter type).
const FACTORIES: &[(&str, &str)] = &[
    (
        "DeserializeFromDictionary",
        "global::System.Collections.IDictionary",
    ),
    (
        "DeserializeFromPSObject",
        "global::System.Management.Automation.PSObject",
    ),
    ("FromJsonString", "string"),
];
/// What the factories call: the type converter's conversion to a class.
const CONVERT: &str = "global::MgGraph.PowerShell.MgModelConverter.ToModel";
/// The property every model has from its base (`MgModel`): never declared again.
const ADDITIONAL: &str = "AdditionalProperties";

/// C# keywords (an identifier spelled as one is written `@keyword`).
const KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

/// A name as a C# identifier: characters other than letters, digits and `_` dropped, a
/// leading digit prefixed with `_`, a keyword prefixed with `@`.
pub fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.insert(0, '@');
    }
    out
}

/// A C# string literal (regular, escaped).
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One line of `models.jsonl` as far as the class hierarchy needs it.
#[derive(Deserialize)]
struct Head {
    name: String,
    kind: String,
    #[serde(default)]
    base: Option<String>,
}

/// One model to render: the catalog model and the class it derives from (`None`: `MgModel`).
struct Entry {
    model: &'static Model,
    base: Option<&'static Model>,
}

/// The models of a namespace, bases before derived types (C# does not need the order; the
/// output is stable and reads top-down).
fn entries(namespace: &str) -> Vec<Entry> {
    let (models_text, _) = generated::raw_model_files();
    let mut out: Vec<Entry> = vec![];
    let mut classes: HashSet<String> = HashSet::new();
    for line in models_text.lines() {
        let Ok(head) = serde_json::from_str::<Head>(line) else {
            continue;
        };
        if head.kind == "enum" {
            continue;
        }
        let Some(model) = generated::model(&head.name) else {
            continue;
        };
        if !classes.insert(model.class.to_ascii_lowercase()) {
            continue;
        }
        let base = head
            .base
            .as_deref()
            .and_then(generated::model)
            .filter(|b| b.id != model.id);
        out.push(Entry { model, base });
    }
    // The SDK's classes of action parameters and results, which the metadata describes only
    // inline (`Paths…RequestbodyContentApplicationJsonSchema`, `Components…`): every module's,
    // so a script names them once any SDK-named module is imported.
    for &m in generated::schema_models() {
        if classes.insert(m.class.to_ascii_lowercase()) {
            out.push(Entry {
                model: m,
                base: None,
            });
        }
    }
    // Hand-written models that the metadata does not declare (ReferenceCreate, the beta-only
    // ones in the beta namespace).
    let beta = namespace == Namespace::Beta.name();
    for m in MODELS {
        let wanted = match m.namespace {
            Namespace::V1 => true,
            Namespace::Beta => beta,
            Namespace::Authentication => false,
        };
        if !wanted || crate::catalog::models::generated_twin(m.id).is_some() {
            continue;
        }
        if !classes.insert(m.class.to_ascii_lowercase()) {
            continue;
        }
        out.push(Entry {
            model: m,
            base: None,
        });
    }
    out
}

/// The C# type of a property (nested models by their concrete class in `namespace`).
fn cs_type(ty: PropType, namespace: &str) -> String {
    let class = |id: &str| {
        crate::catalog::model(id)
            .filter(|m| m.namespace != Namespace::Authentication)
            .map(|m| format!("global::{namespace}.{}", identifier(m.class)))
    };
    match ty {
        PropType::String => "string".into(),
        PropType::Int => "int?".into(),
        PropType::Long => "long?".into(),
        PropType::Double => "double?".into(),
        PropType::Bool => "bool?".into(),
        PropType::DateTime => "global::System.DateTime?".into(),
        PropType::StringList => "string[]".into(),
        PropType::Binary => "byte[]".into(),
        PropType::Model(id) => class(id).unwrap_or_else(|| "object".into()),
        PropType::ModelList(id) => class(id)
            .map(|c| format!("{c}[]"))
            .unwrap_or_else(|| "object".into()),
        PropType::Any => "object".into(),
        PropType::Enum(name) => format!("global::{namespace}.{}?", identifier(name)),
    }
}

/// A property's C# name: its PascalCase name as an identifier, never the class's own name
/// (C# forbids that).
fn property_name(json: &str, class: &str) -> String {
    let name = identifier(&pascal(json));
    if name == class {
        format!("{name}_")
    } else {
        name
    }
}

/// A property name with its first letter lowered: the JSON name the model runtime assumes
/// where a property carries no `[JsonProperty]` (`DisplayName` → `displayName`).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The properties a model declares itself (not inherited from `base`): (C# name, json, type).
fn own_properties(m: &Model, base: Option<&Model>) -> Vec<(String, &'static str, PropType)> {
    let class = identifier(m.class);
    let inherited: HashSet<String> = base
        .map(|b| {
            b.props
                .iter()
                .map(|p| property_name(p.json, &identifier(b.class)).to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = vec![];
    for p in m.props {
        let name = property_name(p.json, &class);
        let key = name.to_ascii_lowercase();
        if key == ADDITIONAL.to_ascii_lowercase() || inherited.contains(&key) || !seen.insert(key) {
            continue;
        }
        out.push((name, p.json, p.ty));
    }
    out
}

/// The C# source of every model of `namespace` (e.g. `Microsoft.Graph.PowerShell.Models`):
/// one file, all classes and interfaces.
pub fn render_models(namespace: &str) -> String {
    let mut out = String::with_capacity(8 << 20);
    out.push_str("// <auto-generated>\n// The model classes of the catalog, written by `mggraph-codegen --dotnet`. Do not edit.\n// </auto-generated>\n");
    out.push_str("#nullable disable\n#pragma warning disable CS0108, CS0114, CS1591\n");
    render_namespace(&mut out, namespace, &entries(namespace));
    if namespace == Namespace::V1.name() {
        // The authentication module's own types (Get-MgContext's AuthContext, ...), which
        // the v1.0 assembly carries for the core module.
        let auth: Vec<Entry> = MODELS
            .iter()
            .filter(|m| m.namespace == Namespace::Authentication)
            .map(|m| Entry {
                model: m,
                base: None,
            })
            .collect();
        render_namespace(&mut out, Namespace::Authentication.name(), &auth);
    }
    out
}

/// One `namespace { ... }` block: an interface and a class per entry.
fn render_namespace(out: &mut String, namespace: &str, entries: &[Entry]) {
    let _ = writeln!(out, "namespace {namespace}\n{{");
    for e in entries {
        let m = e.model;
        let class = identifier(m.class);
        let base_class = e.base.map(|b| identifier(b.class));
        let props = own_properties(m, e.base);

        // The interface.
        let base_interface = base_class
            .as_ref()
            .map(|b| format!("global::{namespace}.I{b}"))
            .unwrap_or_else(|| MODEL_INTERFACE.into());
        let _ = writeln!(
            out,
            "    {CONVERTER}\n    public partial interface I{class} : {base_interface}\n    {{"
        );
        for (name, _, ty) in &props {
            let _ = writeln!(
                out,
                "        {} {name} {{ get; set; }}",
                cs_type(*ty, namespace)
            );
        }
        out.push_str("    }\n");

        // The class.
        let base = base_class
            .as_ref()
            .map(|b| format!("global::{namespace}.{b}"))
            .unwrap_or_else(|| MODEL_BASE.into());
        let _ = writeln!(
            out,
            "    {CONVERTER}\n    public partial class {class} : {base}, I{class}\n    {{"
        );
        for (name, json, ty) in &props {
            // The wire name only where the runtime cannot derive it (ModelInfo.JsonName): an
            // attribute on each of 24,000 properties cost its size in both assemblies and a
            // reflection read per property on each class's first object.
            if *json != lower_first(name) {
                let _ = writeln!(
                    out,
                    "        [global::Newtonsoft.Json.JsonProperty({})]",
                    literal(json)
                );
            }
            let _ = writeln!(
                out,
                "        public {} {name} {{ get; set; }}",
                cs_type(*ty, namespace)
            );
        }
        if namespace != Namespace::Authentication.name() {
            // The SDK's factories, which scripts call as `[MicrosoftGraphX]::DeserializeFromDictionary(...)`:
            // each is the type converter's conversion to this class.
            for (name, param) in FACTORIES {
                let _ = writeln!(
                    out,
                    "        public static I{class} {name}({param} content) => {CONVERT}<{class}>(content);"
                );
            }
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "Microsoft.Graph.PowerShell.Models";

    /// The text of one class or interface block (`public partial class X :` up to its `}`).
    fn block<'a>(source: &'a str, head: &str) -> &'a str {
        let start = source
            .find(head)
            .unwrap_or_else(|| panic!("{head} not rendered"));
        let end = source[start..].find("\n    }\n").unwrap() + start;
        &source[start..end]
    }

    #[test]
    fn the_v1_assembly_carries_the_authentication_types() {
        let source = render_models(V1);
        assert!(source.contains("namespace Microsoft.Graph.PowerShell.Authentication\n{"));
        let context = block(&source, "public partial class AuthContext :");
        assert!(
            context.contains("public string[] Scopes { get; set; }"),
            "{context}"
        );
        assert!(context.contains(
            "public global::Microsoft.Graph.PowerShell.Authentication.AuthenticationType? AuthType { get; set; }"
        ));
        assert!(context.contains(
            "public global::Microsoft.Graph.PowerShell.Authentication.ContextScope? ContextScope { get; set; }"
        ));
        assert!(
            !render_models("Microsoft.Graph.Beta.PowerShell.Models").contains("class AuthContext")
        );
    }

    #[test]
    fn action_parameter_classes_keep_their_wire_names() {
        let source = render_models(V1);
        // sendMail's parameters are PascalCase on the wire: each carries its name.
        let mail = block(
            &source,
            "public partial class ComponentsVsh1S1RequestbodiesSendmailrequestbodyContentApplicationJsonSchema :",
        );
        assert!(
            mail.contains(": global::MgGraph.PowerShell.MgModel, IComponentsVsh1S1"),
            "{mail}"
        );
        assert!(mail.contains(
            "[global::Newtonsoft.Json.JsonProperty(\"Message\")]\n        public global::Microsoft.Graph.PowerShell.Models.MicrosoftGraphMessage Message { get; set; }"
        ), "{mail}");
        assert!(
            mail.contains("public bool? SaveToSentItems { get; set; }"),
            "{mail}"
        );
        // The SDK's factories, on every model class.
        let user = block(&source, "public partial class MicrosoftGraphUser :");
        assert!(user.contains(
            "public static IMicrosoftGraphUser DeserializeFromDictionary(global::System.Collections.IDictionary content) => global::MgGraph.PowerShell.MgModelConverter.ToModel<MicrosoftGraphUser>(content);"
        ), "{user}");
        assert!(user.contains("public static IMicrosoftGraphUser FromJsonString(string content)"));
        assert!(mail.contains(
            "DeserializeFromPSObject(global::System.Management.Automation.PSObject content)"
        ));
        let beta = render_models("Microsoft.Graph.Beta.PowerShell.Models");
        assert!(beta.contains(
            "public partial class ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema : global::MgGraph.PowerShell.MgModel"
        ));
    }

    #[test]
    fn identifiers_are_valid_csharp() {
        assert_eq!(identifier("DisplayName"), "DisplayName");
        assert_eq!(identifier("class"), "@class");
        assert_eq!(identifier("3dModel"), "_3dModel");
        assert_eq!(identifier("a-b.c"), "abc");
        assert_eq!(identifier(""), "_");
        assert_eq!(literal("request-id"), "\"request-id\"");
        assert_eq!(literal("a\"b\\"), "\"a\\\"b\\\\\"");
    }

    #[test]
    fn known_models_render_with_their_types_and_bases() {
        let source = render_models(V1);
        let user = block(&source, "public partial class MicrosoftGraphUser :");
        assert!(user.starts_with("public partial class MicrosoftGraphUser : global::Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject, IMicrosoftGraphUser"), "{user}");
        // The wire name is the property's with its first letter lowered: no attribute.
        assert!(user.contains("\n        public bool? AccountEnabled { get; set; }"));
        assert!(!user.contains("JsonProperty(\"accountEnabled\")"));
        assert!(user.contains("public string DisplayName { get; set; }"));
        assert!(user.contains("public string[] BusinessPhones { get; set; }"));
        assert!(user.contains("public global::System.DateTime? CreatedDateTime { get; set; }"));
        assert!(user.contains("public global::Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordProfile PasswordProfile { get; set; }"));
        assert!(user.contains("public global::Microsoft.Graph.PowerShell.Models.MicrosoftGraphAssignedLicense[] AssignedLicenses { get; set; }"));
        // Inherited from directoryObject / entity, not declared again.
        assert!(!user.contains(" Id { get; set; }"));
        assert!(!user.contains(" DeletedDateTime { get; set; }"));
        // The alias that binds a user by property name, hidden from listings (Format-List,
        // Get-Member, Export-Csv), where the SDK's objects have no such property.
        // No alias properties (UserId, DirectoryObjectId): the SDK's user has none.
        assert!(!user.contains("UserId"));
        assert!(!user.contains("DirectoryObjectId"));
        let iface = block(&source, "public partial interface IMicrosoftGraphUser :");
        assert!(iface.contains(
            ": global::Microsoft.Graph.PowerShell.Models.IMicrosoftGraphDirectoryObject"
        ));
        assert!(iface.contains("        bool? AccountEnabled { get; set; }"));
        assert!(!iface.contains("UserId"));
        // A root type derives from the runtime's base class.
        let entity = block(&source, "public partial class MicrosoftGraphEntity :");
        assert!(entity.contains(": global::MgGraph.PowerShell.MgModel, IMicrosoftGraphEntity"));
        assert!(entity.contains("public string Id { get; set; }"));
        // Converters on both.
        let at = source
            .find("public partial interface IMicrosoftGraphInvitedUserMessageInfo")
            .unwrap();
        assert!(source[..at].ends_with(&format!("{CONVERTER}\n    ")));
        // Other scalar kinds.
        let tap = block(
            &source,
            "public partial class MicrosoftGraphTemporaryAccessPassAuthenticationMethod :",
        );
        assert!(tap.contains("public int? LifetimeInMinutes { get; set; }"));
        // Hand-written models the metadata lacks; beta-only ones only in the beta namespace.
        assert!(source.contains("public partial class ReferenceCreate : global::MgGraph.PowerShell.MgModel, IReferenceCreate"));
        assert!(source.contains("[global::Newtonsoft.Json.JsonProperty(\"@odata.id\")]\n        public string OdataId { get; set; }"));
        assert!(!source.contains("class MicrosoftGraphStrongAuthenticationRequirements "));
        let beta = render_models("Microsoft.Graph.Beta.PowerShell.Models");
        assert!(beta.contains("class MicrosoftGraphStrongAuthenticationRequirements "));
        assert!(beta.contains("public global::Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphPasswordProfile PasswordProfile"));
    }

    /// The reader makes these classes without running their constructors (the core's
    /// `MgModel.Create`, which sets what `MgModel`'s own constructor sets): a class with a
    /// constructor or an initializer of its own would then differ from what `new` makes.
    #[test]
    fn model_classes_have_no_constructors_or_initializers() {
        for namespace in [V1, "Microsoft.Graph.Beta.PowerShell.Models"] {
            let source = render_models(namespace);
            let mut class = String::new();
            for line in source.lines().map(str::trim) {
                if let Some(rest) = line.strip_prefix("public partial class ") {
                    class = rest.split(' ').next().unwrap().to_string();
                    continue;
                }
                assert!(
                    class.is_empty()
                        || !(line.contains(&format!(" {class}("))
                            || line.starts_with(&format!("{class}("))),
                    "a constructor: {line}"
                );
                assert!(!line.contains("} ="), "an initializer: {line}");
                assert!(
                    !(line.ends_with(';') && line.contains(" = ")),
                    "a field initializer: {line}"
                );
            }
            assert!(!class.is_empty(), "no class rendered in {namespace}");
        }
    }

    #[test]
    fn every_model_is_rendered_once() {
        let source = render_models(V1);
        let classes = source.matches("public partial class ").count();
        let interfaces = source.matches("public partial interface ").count();
        assert_eq!(classes, interfaces);
        assert!(classes > 2_900, "{classes}");
        let mut names = HashSet::new();
        for line in source.lines() {
            if let Some(rest) = line.trim().strip_prefix("public partial class ") {
                let name = rest.split(' ').next().unwrap().to_ascii_lowercase();
                assert!(names.insert(name.clone()), "{name} twice");
            }
        }
    }
}
