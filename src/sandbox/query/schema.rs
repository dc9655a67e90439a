//! Type information for the query engine: which properties a type declares, their types,
//! which are collections and which are navigation properties.
//!
//! The engine sees types only through [`Schema`], so any model can drive it: today the
//! sandbox's [`SandboxSchema`] (a subset of the v1.0 CSDL), later the generic store built from
//! the catalog's `models.jsonl` (whose `PROP` lines have exactly the fields of [`Prop`]).

/// One declared property, shaped like a catalog `PROP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prop<'a> {
    /// The name as the metadata spells it (Graph property names match case-insensitively).
    pub name: &'a str,
    /// Qualified type: `Edm.String`, `Edm.Guid`, `microsoft.graph.assignedLicense`, ...
    pub ty: &'a str,
    /// `Collection(...)`.
    pub collection: bool,
    /// A navigation property (`manager`, `memberOf`), as opposed to a structural one.
    pub nav: bool,
}

impl Prop<'_> {
    /// An `Edm.*` primitive (as opposed to a complex, enum or entity type).
    pub fn is_primitive(&self) -> bool {
        self.ty.starts_with("Edm.")
    }
}

/// What the query engine needs to know about types.
pub trait Schema {
    /// The property `name` (ASCII case-insensitive) declared on `ty` or one of its base types;
    /// `None` when the type has no such property. For a type the schema does not know at all,
    /// return [`Schema::knows`] `false` and the engine accepts any name below it.
    fn property(&self, ty: &str, name: &str) -> Option<Prop<'_>>;

    /// Whether the schema describes `ty` (an unknown complex type is treated as open).
    fn knows(&self, ty: &str) -> bool;

    /// Whether `ty` is `base` or derives from it (for OData casts).
    fn derives_from(&self, ty: &str, base: &str) -> bool;

    /// The name `$select` takes for `name`, which `ty` does not declare, as a dynamic property
    /// of an open type (`OpenType="true"` in the metadata, or derived from one); `None` on a
    /// closed type, where Graph refuses it.
    fn dynamic(&self, _ty: &str, _name: &str) -> Option<String> {
        None
    }

    /// Every structural property of `ty` and its base types (canonical names, bases first):
    /// what `$select=*` selects. Empty when the schema cannot list them (the type's defaults
    /// are returned then).
    fn structural(&self, _ty: &str) -> Vec<String> {
        Vec::new()
    }

    /// The resource name Graph's directory errors use for `ty` (`User` for
    /// `microsoft.graph.user`).
    fn resource_name(&self, ty: &str) -> String {
        let short = ty.rsplit('.').next().unwrap_or(ty);
        let mut c = short.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

/// A structured type of the static schema.
#[derive(Debug)]
pub struct TypeDef {
    pub name: &'static str,
    pub base: Option<&'static str>,
    pub props: &'static [Prop<'static>],
}

/// The types the sandbox serves today, from the v1.0 CSDL (see `types.rs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxSchema;

impl SandboxSchema {
    fn def(ty: &str) -> Option<&'static TypeDef> {
        super::types::TYPES.iter().find(|t| t.name == ty)
    }
}

impl Schema for SandboxSchema {
    fn property(&self, ty: &str, name: &str) -> Option<Prop<'_>> {
        if ty == DIRECTORY_OBJECT {
            // Collections of directory objects (members, memberOf) hold users and groups, and
            // Graph accepts their properties in `$select` and `$filter` there.
            return self
                .declared(ty, name)
                .or_else(|| {
                    DIRECTORY_DERIVED
                        .iter()
                        .find_map(|d| self.declared(d, name))
                })
                .or_else(|| catalog_schema().property(ty, name));
        }
        // Every property the metadata declares is selectable and filterable
        // (`$select=refreshTokensValidFromDateTime`), not only the ones the static table
        // types: the table first (its names and types are the hand-written handlers'), then the
        // catalog's full declaration of the type.
        self.declared(ty, name)
            .or_else(|| catalog_schema().property(ty, name))
    }

    fn knows(&self, ty: &str) -> bool {
        Self::def(ty).is_some() || catalog_schema().knows(ty)
    }

    fn dynamic(&self, ty: &str, name: &str) -> Option<String> {
        catalog_schema().dynamic(ty, name)
    }

    fn structural(&self, ty: &str) -> Vec<String> {
        catalog_schema().structural(ty)
    }

    fn derives_from(&self, ty: &str, base: &str) -> bool {
        if Self::def(ty).is_none() {
            return catalog_schema().derives_from(ty, base);
        }
        let mut current = Some(ty);
        for _ in 0..8 {
            match current {
                Some(t) if t == base => return true,
                Some(t) => current = Self::def(t).and_then(|d| d.base),
                None => return false,
            }
        }
        false
    }
}

/// The catalog's schema: every type and property of the v1.0 metadata.
fn catalog_schema() -> &'static crate::sandbox::store::catalog::CatalogSchema {
    static SCHEMA: std::sync::OnceLock<crate::sandbox::store::catalog::CatalogSchema> =
        std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        crate::sandbox::store::catalog::CatalogSchema(crate::sandbox::store::catalog::catalog())
    })
}

const DIRECTORY_OBJECT: &str = "microsoft.graph.directoryObject";
const DIRECTORY_DERIVED: &[&str] = &["microsoft.graph.user", "microsoft.graph.group"];

impl SandboxSchema {
    /// A property declared on `ty` or its bases.
    fn declared(&self, ty: &str, name: &str) -> Option<Prop<'static>> {
        // Bounded: a base chain in a static table (entity ← directoryObject ← user).
        let mut current = Self::def(ty);
        for _ in 0..8 {
            let def = current?;
            if let Some(p) = def.props.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
                return Some(*p);
            }
            current = def.base.and_then(Self::def);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_come_from_the_type_and_its_bases() {
        let s = SandboxSchema;
        let p = s.property("microsoft.graph.user", "DISPLAYNAME").unwrap();
        assert_eq!(
            (p.name, p.ty, p.collection, p.nav),
            ("displayName", "Edm.String", false, false)
        );
        assert_eq!(s.property("microsoft.graph.user", "id").unwrap().name, "id");
        assert!(s.property("microsoft.graph.user", "memberOf").unwrap().nav);
        assert!(s
            .property("microsoft.graph.user", "noSuchProperty")
            .is_none());
        assert!(s.derives_from("microsoft.graph.group", "microsoft.graph.directoryObject"));
        assert!(!s.derives_from("microsoft.graph.group", "microsoft.graph.user"));
        assert_eq!(s.resource_name("microsoft.graph.user"), "User");
    }
}
