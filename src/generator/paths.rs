//! The paths and HTTP operations the SDK's OpenAPI conversion (OpenAPI.NET.OData with the
//! `powershell_v2` settings) exposes for a CSDL schema, with its raw operationIds and tags.
//! Rules: `../shared/reference/sdk-generation.md` §1 (paths) and §2a (operationIds, tags).

/// What an operation does; decides its cmdlet verb family and how the engine and the sandbox
/// treat it. Serialized in the catalog as the lower-case names in `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    List,
    Get,
    Create,
    Update,
    Set,
    Delete,
    Count,
    RefList,
    RefGet,
    RefCreate,
    RefSet,
    RefDelete,
    Action,
    Function,
    MediaGet,
    MediaSet,
    MediaDelete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::List => "list",
            OpKind::Get => "get",
            OpKind::Create => "create",
            OpKind::Update => "update",
            OpKind::Set => "set",
            OpKind::Delete => "delete",
            OpKind::Count => "count",
            OpKind::RefList => "ref-list",
            OpKind::RefGet => "ref-get",
            OpKind::RefCreate => "ref-create",
            OpKind::RefSet => "ref-set",
            OpKind::RefDelete => "ref-delete",
            OpKind::Action => "action",
            OpKind::Function => "function",
            OpKind::MediaGet => "media-get",
            OpKind::MediaSet => "media-set",
            OpKind::MediaDelete => "media-delete",
        }
    }
}

/// A qualified type reference (`Edm.String`, `microsoft.graph.user`), possibly a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub name: String,
    pub collection: bool,
}

/// One parameter of an action (request body) or function (path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpParam {
    pub name: String,
    pub ty: TypeRef,
    pub nullable: bool,
}

/// What a request sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// An entity or complex type (create, update, set).
    Model(String),
    /// An action's parameters (binding parameter excluded).
    Params(Vec<OpParam>),
    /// `{"@odata.id": ...}` ($ref create/set).
    Ref,
    /// Binary content (media PUT).
    Stream,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returns {
    Type(TypeRef),
    Stream,
}

/// A path parameter: a `{placeholder}` of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// The placeholder's name without braces: `user-id`, `userPrincipalName`, `period`.
    pub name: String,
    /// For key placeholders, the entity type's name (OpenAPI `x-ms-docs-key-type`): `user`.
    pub key_type: Option<String>,
}

/// One HTTP operation on one path.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Below the version segment, placeholders as the conversion writes them.
    pub path: String,
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The conversion's raw operationId (§2a), hash suffix included where it adds one.
    pub operation_id: String,
    /// The operation's tag (§2a, TagDepth 2): `users.user`, `users.directoryObject`.
    pub tag: String,
    pub kind: OpKind,
    pub path_params: Vec<PathParam>,
    pub body: Option<Body>,
    pub returns: Option<Returns>,
    /// OData query options declared: `select expand filter search orderby top skip count`.
    pub query: Vec<&'static str>,
    pub consistency_level: bool,
    pub pageable: bool,
}
