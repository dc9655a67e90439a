//! The CSDL → catalog generator (feature `codegen`): what it reads from Graph's metadata, the
//! paths and operationIds it derives (after the SDK's OpenAPI conversion), and the catalog files.
#![cfg(feature = "codegen")]

use mggraph::generator::csdl::Schema;
use mggraph::generator::emit;
use mggraph::generator::paths::{self, Body, OpKind, Operation, Returns};
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let text = std::fs::read_to_string(root().join(emit::CSDL_PATH))
            .expect("the Graph CSDL is in ../shared/reference/graph-metadata");
        Schema::parse(&text).expect("the Graph CSDL parses")
    })
}

fn ops() -> &'static [Operation] {
    static O: OnceLock<Vec<Operation>> = OnceLock::new();
    O.get_or_init(|| paths::operations(schema()).expect("operations enumerate"))
}

fn find(method: &str, path: &str) -> Option<&'static Operation> {
    ops().iter().find(|o| o.method == method && o.path == path)
}

#[test]
fn the_schema_has_what_graph_declares() {
    let s = schema();
    let entities = s.types.iter().filter(|t| t.entity).count();
    let complex = s.types.iter().filter(|t| !t.entity).count();
    assert_eq!(entities, 1182, "entity types");
    assert_eq!(complex, 1780, "complex types");
    assert_eq!(s.entity_sets.len(), 40, "entity sets");
    assert_eq!(s.singletons.len(), 30, "singletons");
    assert_eq!(
        s.operations.iter().filter(|o| o.is_action).count(),
        857,
        "actions"
    );
    assert_eq!(
        s.operations.iter().filter(|o| !o.is_action).count(),
        324,
        "functions"
    );
    assert_eq!(s.container, "microsoft.graph.GraphService");
    let user = &s.types[s.type_id("microsoft.graph.user").unwrap()];
    assert_eq!(
        user.base.as_deref(),
        Some("microsoft.graph.directoryObject")
    );
    assert!(s
        .enums
        .iter()
        .any(|e| e.name == "microsoft.graph.accessEntityType"));
}

#[test]
fn aliases_annotations_and_keys_resolve() {
    let s = schema();
    let users = s.entity_sets.iter().find(|e| e.name == "users").unwrap();
    assert_eq!(users.type_name, "microsoft.graph.user");
    // Out of line (`<Annotations Target="microsoft.graph.GraphService/users">`).
    let skip = s.source_annotation(users, "Org.OData.Capabilities.V1.SkipSupported");
    assert_eq!(skip.and_then(|v| v.as_bool()), Some(false));
    let user = s.type_id("microsoft.graph.user").unwrap();
    let alt = s.alternate_keys(user);
    assert!(
        alt.iter().any(|k| k
            == &[(
                "userPrincipalName".to_string(),
                "userPrincipalName".to_string()
            )]),
        "{alt:?}"
    );
    assert_eq!(s.key_of(user), ["id"]);
    // Inline DerivedTypeConstraint on a navigation property.
    let member_of = s.types[user]
        .props
        .iter()
        .position(|p| p.name == "memberOf")
        .unwrap();
    let dtc = s
        .prop_annotation(
            (user, member_of),
            "Org.OData.Validation.V1.DerivedTypeConstraint",
        )
        .expect("memberOf is constrained");
    assert!(dtc
        .items()
        .iter()
        .any(|v| v.as_str() == Some("microsoft.graph.group")));
    // Core.Computed makes a property read-only.
    assert!(s.types.iter().flat_map(|t| &t.props).any(|p| p.read_only));
}

#[test]
fn bad_csdl_gets_a_clear_error() {
    let e = Schema::parse("<not xml").unwrap_err().to_string();
    assert!(e.contains("not well-formed XML"), "{e}");
    let e = Schema::parse("<a/>").unwrap_err().to_string();
    assert!(e.contains("no <Schema>"), "{e}");
    let e = Schema::parse(
        r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="n" xmlns="y">
           <EntityType Name="a" BaseType="n.missing"/></Schema></edmx:DataServices></edmx:Edmx>"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("n.missing"), "{e}");
}

#[test]
fn endless_containment_is_cut_with_an_error() {
    // A complex type that contains itself through a non-collection property would make the
    // conversion's complex-property walk recurse forever.
    let csdl = r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="n" xmlns="y">
      <EntityType Name="e"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String"/>
        <Property Name="c" Type="n.c"><Annotation Term="Org.OData.Capabilities.V1.ReadRestrictions">
          <Record><PropertyValue Property="Readable" Bool="true"/></Record></Annotation></Property>
      </EntityType>
      <ComplexType Name="c"><Property Name="inner" Type="n.c"/></ComplexType>
      <EntityContainer Name="C"><EntitySet Name="es" EntityType="n.e"/></EntityContainer>
      </Schema></edmx:DataServices></edmx:Edmx>"#;
    let s = Schema::parse(csdl).unwrap();
    let e = paths::operations(&s).unwrap_err();
    assert!(e.contains("deeper than"), "{e}");
}

/// (method, path, kind, operationId without hash, tag)
const KNOWN: &[(&str, &str, OpKind, &str, &str)] = &[
    (
        "GET",
        "/users",
        OpKind::List,
        "users.user.ListUser",
        "users.user",
    ),
    (
        "POST",
        "/users",
        OpKind::Create,
        "users.user.CreateUser",
        "users.user",
    ),
    (
        "GET",
        "/users/{user-id}",
        OpKind::Get,
        "users.user.GetUser",
        "users.user",
    ),
    (
        "PATCH",
        "/users/{user-id}",
        OpKind::Update,
        "users.user.UpdateUser",
        "users.user",
    ),
    (
        "DELETE",
        "/users/{user-id}",
        OpKind::Delete,
        "users.user.DeleteUser",
        "users.user",
    ),
    (
        "GET",
        "/users(userPrincipalName='{userPrincipalName}')",
        OpKind::Get,
        "users.user.GetUserByUserPrincipalName",
        "users.user",
    ),
    (
        "GET",
        "/users/$count",
        OpKind::Count,
        "users.GetCount",
        "users.user",
    ),
    (
        "GET",
        "/users/{user-id}/memberOf",
        OpKind::List,
        "users.ListMemberOf",
        "users.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/memberOf/microsoft.graph.group",
        OpKind::List,
        "users.ListMemberOf.AsGroup",
        "users.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/memberOf/$count",
        OpKind::Count,
        "users.memberOf.GetCount",
        "users.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/memberOf/microsoft.graph.group/$count",
        OpKind::Count,
        "users.MemberOf.GetCount.AsGroup",
        "users.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/memberOf/{directoryObject-id}/microsoft.graph.group",
        OpKind::Get,
        "users.GetMemberOf.AsGroup",
        "users.directoryObject",
    ),
    (
        "GET",
        "/groups/{group-id}/members/$ref",
        OpKind::RefList,
        "groups.ListRefMembers",
        "groups.directoryObject",
    ),
    (
        "POST",
        "/groups/{group-id}/members/$ref",
        OpKind::RefCreate,
        "groups.CreateRefMembers",
        "groups.directoryObject",
    ),
    (
        "DELETE",
        "/groups/{group-id}/members/$ref",
        OpKind::RefDelete,
        "groups.DeleteRefMembers",
        "groups.directoryObject",
    ),
    (
        "DELETE",
        "/groups/{group-id}/members/{directoryObject-id}/$ref",
        OpKind::RefDelete,
        "groups.members.DeleteRefDirectoryObject",
        "groups.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/manager/$ref",
        OpKind::RefGet,
        "users.GetRefManager",
        "users.directoryObject",
    ),
    (
        "PUT",
        "/users/{user-id}/manager/$ref",
        OpKind::RefSet,
        "users.UpdateRefManager",
        "users.directoryObject",
    ),
    (
        "DELETE",
        "/users/{user-id}/manager/$ref",
        OpKind::RefDelete,
        "users.DeleteRefManager",
        "users.directoryObject",
    ),
    (
        "POST",
        "/users/{user-id}/assignLicense",
        OpKind::Action,
        "users.user.assignLicense",
        "users.user.Actions",
    ),
    (
        "GET",
        "/users/delta()",
        OpKind::Function,
        "users.delta",
        "users.user.Functions",
    ),
    (
        "POST",
        "/directory/deletedItems/{directoryObject-id}/restore",
        OpKind::Action,
        "directory.deletedItems.directoryObject.restore",
        "directory.directoryObject",
    ),
    (
        "GET",
        "/users/{user-id}/photo/$value",
        OpKind::MediaGet,
        "users.GetPhotoContent",
        "users.profilePhoto",
    ),
    (
        "PUT",
        "/users/{user-id}/photo/$value",
        OpKind::MediaSet,
        "users.UpdatePhotoContent",
        "users.profilePhoto",
    ),
    (
        "POST",
        "/users/{user-id}/authentication/temporaryAccessPassMethods",
        OpKind::Create,
        "users.authentication.CreateTemporaryAccessPassMethods",
        "users.authentication",
    ),
    (
        "GET",
        "/users/{user-id}/mailboxSettings",
        OpKind::Get,
        "users.GetMailboxSettings",
        "users.mailboxSettings",
    ),
    (
        "PATCH",
        "/users/{user-id}/mailboxSettings",
        OpKind::Update,
        "users.UpdateMailboxSettings",
        "users.mailboxSettings",
    ),
    (
        "POST",
        "/users/{user-id}/messages/{message-id}/send",
        OpKind::Action,
        "users.user.messages.message.send",
        "users.message",
    ),
    (
        "GET",
        "/users/{user-id}/mailFolders/{mailFolder-id}/messages",
        OpKind::List,
        "users.mailFolders.ListMessages",
        "users.mailFolder",
    ),
    (
        "POST",
        "/users/{user-id}/authentication/methods/{authenticationMethod-id}/resetPassword",
        OpKind::Action,
        "users.user.authentication.methods.authenticationMethod.resetPassword",
        "users.authentication",
    ),
    (
        "GET",
        "/applications/{application-id}/logo",
        OpKind::MediaGet,
        "applications.application.GetLogo",
        "applications.application",
    ),
    (
        "GET",
        "/reports/getEmailActivityCounts(period='{period}')",
        OpKind::Function,
        "reports.getEmailActivityCounts",
        "reports.reportRoot.Functions",
    ),
];

#[test]
fn known_paths_have_the_conversion_s_method_kind_operation_id_and_tag() {
    let mut wrong = vec![];
    for (method, path, kind, id, tag) in KNOWN {
        match find(method, path) {
            None => wrong.push(format!("missing: {method} {path}")),
            Some(o) => {
                let raw = o.operation_id.split('-').next().unwrap();
                if o.kind != *kind || raw != *id || o.tag != *tag {
                    wrong.push(format!(
                        "{method} {path}: {:?} {} {} (expected {kind:?} {id} {tag})",
                        o.kind, o.operation_id, o.tag
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn hash_suffixes_appear_where_the_conversion_adds_them() {
    for (m, p) in [
        ("GET", "/users/$count"),
        ("GET", "/users/{user-id}/memberOf/microsoft.graph.group"),
        ("GET", "/users/{user-id}/photo/$value"),
    ] {
        let id = &find(m, p).unwrap().operation_id;
        let hash = id.rsplit_once('-').map(|(_, h)| h).unwrap_or_default();
        assert!(
            hash.len() == 4 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{p}: {id}"
        );
    }
    assert!(!find("GET", "/users").unwrap().operation_id.contains('-'));
}

#[test]
fn paths_the_conversion_does_not_expose_are_absent() {
    // Referenceable navigation: no item path, so Get-MgGroupMember has only List.
    assert!(ops()
        .iter()
        .all(|o| o.path != "/groups/{group-id}/members/{directoryObject-id}"));
    // Actions are not appended under non-contained navigation.
    assert!(ops().iter().all(|o| !o
        .path
        .starts_with("/groups/{group-id}/members/{directoryObject-id}/")
        || o.path.ends_with("$ref")
        || o.kind == OpKind::Get));
    // Nor on cast segments (AppendBoundOperationsOnDerivedTypeCastSegments=false).
    assert!(ops()
        .iter()
        .all(|o| !(o.kind == OpKind::Action && o.path.contains("/microsoft.graph.group/"))));
    // /me is dropped by the module filter.
    assert!(ops()
        .iter()
        .all(|o| !o.path.starts_with("/me/") && o.path != "/me"));
    // Users are not skippable; their memberOf list is.
    assert!(!find("GET", "/users").unwrap().query.contains(&"skip"));
    assert!(find("GET", "/users/{user-id}/memberOf")
        .unwrap()
        .query
        .contains(&"skip"));
    // The complex-property rule: properties without restriction annotations get no path.
    assert!(ops()
        .iter()
        .all(|o| o.path != "/users/{user-id}/passwordProfile"));
}

#[test]
fn operations_carry_their_custom_query_options() {
    let names = |o: &Operation| -> Vec<(String, bool)> {
        o.custom_query
            .iter()
            .map(|q| (q.name.clone(), q.required))
            .collect()
    };
    // calendarView: the users entity set's restricted-property ReadRestrictions.
    let view = find("GET", "/users/{user-id}/calendarView").unwrap();
    assert_eq!(
        names(view),
        [("startDateTime".into(), true), ("endDateTime".into(), true)]
    );
    // A drive item's content: the stream property's own ReadRestrictions.
    let content = find("GET", "/drives/{drive-id}/items/{driveItem-id}/content").unwrap();
    assert_eq!(names(content), [("$format".into(), false)]);
    // A function's OperationRestrictions.
    assert!(ops()
        .iter()
        .any(|o| o.path.ends_with("/delta()")
            && o.custom_query.iter().any(|q| q.name == "changeType")));
    assert!(find("GET", "/users").unwrap().custom_query.is_empty());
}

#[test]
fn operations_carry_bodies_returns_and_headers() {
    let assign = find("POST", "/users/{user-id}/assignLicense").unwrap();
    match &assign.body {
        Some(Body::Params(p)) => {
            let names: Vec<&str> = p.iter().map(|x| x.name.as_str()).collect();
            assert_eq!(names, ["addLicenses", "removeLicenses"]);
            assert!(p[0].ty.collection && p[0].ty.name == "microsoft.graph.assignedLicense");
        }
        other => panic!("assignLicense body: {other:?}"),
    }
    let list = find("GET", "/users").unwrap();
    assert!(list.pageable && list.consistency_level);
    assert!(
        matches!(&list.returns, Some(Returns::Type(t)) if t.collection && t.name == "microsoft.graph.user")
    );
    let count = find("GET", "/users/$count").unwrap();
    assert!(count.consistency_level && !count.pageable);
    let get = find("GET", "/users/{user-id}").unwrap();
    assert_eq!(get.path_params.len(), 1);
    assert_eq!(get.path_params[0].name, "user-id");
    assert_eq!(get.path_params[0].key_type.as_deref(), Some("user"));
    let photo = find("PUT", "/users/{user-id}/photo/$value").unwrap();
    assert!(matches!(photo.body, Some(Body::Stream)));
    // A media entity's `$value` answers nothing; a stream property's upload answers the
    // entity that holds it (the SDK's Set-MgDriveItemContent outputs a drive item).
    assert!(photo.returns.is_none());
    let upload = find("PUT", "/drives/{drive-id}/items/{driveItem-id}/content").unwrap();
    assert!(
        matches!(&upload.returns, Some(Returns::Type(t)) if !t.collection && t.name == "microsoft.graph.driveItem"),
        "{:?}",
        upload.returns
    );
    assert!(matches!(
        find("POST", "/groups/{group-id}/members/$ref")
            .unwrap()
            .body,
        Some(Body::Ref)
    ));
    let delta = find("GET", "/users/delta()").unwrap();
    assert!(delta.pageable);
}

#[test]
fn placeholder_names_are_unique_within_a_path() {
    let path = "/chats/{chat-id}/messages/{chatMessage-id}/replies/{chatMessage-id1}";
    let nested = find("GET", path).expect("replies of a chat message");
    let names: Vec<&str> = nested.path_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["chat-id", "chatMessage-id", "chatMessage-id1"]);
}

/// Operations bound to a base type (`directoryObject`) are tried on every entity set and
/// singleton whose type derives from it. `restore`, `getByIds`, `checkMemberGroups`, ... require
/// explicit binding; `directoryObject` lists them in `ExplicitOperationBindings`, which derived
/// types inherit (EdmLib's annotation lookup), and so does the `directory/deletedItems`
/// navigation. Other navigations that do not list them (`manager`, non-contained) get none.
#[test]
fn bound_operations_reach_sources_of_derived_types() {
    for (method, path) in [
        ("POST", "/users/{user-id}/checkMemberGroups"),
        ("POST", "/groups/{group-id}/getMemberObjects"),
        ("POST", "/users/getByIds"),
        ("POST", "/applications/{application-id}/restore"),
        ("POST", "/devices/{device-id}/checkMemberObjects"),
        ("POST", "/directoryObjects/{directoryObject-id}/restore"),
        (
            "POST",
            "/directory/deletedItems/{directoryObject-id}/restore",
        ),
    ] {
        let op = find(method, path).unwrap_or_else(|| panic!("{method} {path}"));
        assert_eq!(op.kind, OpKind::Action, "{path}");
    }
    let get_member_groups = find("POST", "/users/{user-id}/getMemberGroups").unwrap();
    assert_eq!(get_member_groups.tag, "users.user.Actions");
    assert_eq!(get_member_groups.operation_id, "users.user.getMemberGroups");
    assert!(find("POST", "/users/{user-id}/manager/restore").is_none());
    assert!(find("POST", "/users/{user-id}/manager/checkMemberGroups").is_none());
}

fn placeholders(path: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        let j = rest[i..]
            .find('}')
            .map(|j| i + j)
            .expect("closed placeholder");
        out.push(rest[i + 1..j].to_string());
        rest = &rest[j + 1..];
    }
    out
}

#[test]
fn every_placeholder_is_a_path_parameter_and_every_referenced_model_exists() {
    let s = schema();
    let models: HashSet<&str> = s
        .types
        .iter()
        .map(|t| t.name.as_str())
        .chain(s.enums.iter().map(|e| e.name.as_str()))
        .collect();
    let known = |t: &str| t.starts_with("Edm.") || models.contains(t);
    for o in ops() {
        let params: Vec<&str> = o.path_params.iter().map(|p| p.name.as_str()).collect();
        for p in placeholders(&o.path) {
            assert!(
                params.contains(&p.as_str()),
                "{} {}: {p} not in {params:?}",
                o.method,
                o.path
            );
        }
        if let Some(Body::Model(m)) = &o.body {
            assert!(known(m), "{}: body model {m}", o.path);
        }
        if let Some(Body::Params(ps)) = &o.body {
            for p in ps {
                assert!(
                    known(&p.ty.name),
                    "{}: parameter type {}",
                    o.path,
                    p.ty.name
                );
            }
        }
        if let Some(Returns::Type(t)) = &o.returns {
            assert!(known(&t.name), "{}: returns {}", o.path, t.name);
        }
    }
}

/// The committed catalog files, as the engine and the sandbox read them.
fn committed_lines(file: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{file}: {e}: {l}")))
        .collect()
}

#[test]
fn the_catalog_files_parse_and_agree_with_each_other() {
    let models = committed_lines(emit::MODELS_FILE);
    assert!(
        models.len() > 3000,
        "models.jsonl has {} lines",
        models.len()
    );
    let names: HashSet<String> = models
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    let user = models
        .iter()
        .find(|m| m["name"] == "microsoft.graph.user")
        .unwrap();
    assert_eq!(user["base"], "microsoft.graph.directoryObject");
    assert_eq!(user["kind"], "entity");
    // Inherited structure comes through `base`: the id is declared on entity only.
    let entity = models
        .iter()
        .find(|m| m["name"] == "microsoft.graph.entity")
        .unwrap();
    assert!(entity["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "id"));
    assert!(!user["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "id"));
    for m in &models {
        if let Some(b) = m["base"].as_str() {
            assert!(names.contains(b), "{}: base {b} is not a model", m["name"]);
        }
    }
    let known = |t: &str| t.starts_with("Edm.") || names.contains(t);
    for c in committed_lines(emit::COMMANDS_FILE) {
        for op in c["ops"].as_array().unwrap() {
            let path = op["path"].as_str().unwrap();
            let params: Vec<&str> = op["pathParams"]
                .as_array()
                .map(|a| a.iter().map(|p| p["name"].as_str().unwrap()).collect())
                .unwrap_or_default();
            for p in placeholders(path) {
                assert!(params.contains(&p.as_str()), "{}: {path}: {p}", c["name"]);
            }
            if let Some(m) = op["body"]["model"].as_str() {
                assert!(known(m), "{}: body {m}", c["name"]);
            }
            if let Some(t) = op["returns"]["type"].as_str() {
                assert!(known(t), "{}: returns {t}", c["name"]);
            }
        }
    }
    let containers: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(emit::CONTAINERS_FILE)).unwrap())
            .unwrap();
    let sets = containers["entitySets"].as_array().unwrap();
    assert_eq!(sets.len(), 40);
    let users = sets.iter().find(|s| s["name"] == "users").unwrap();
    assert_eq!(users["type"], "microsoft.graph.user");
    assert_eq!(users["bindings"]["memberOf"], "directoryObjects");
    assert_eq!(containers["singletons"].as_array().unwrap().len(), 30);
    assert_eq!(containers["csdl"].as_str().unwrap().len(), 64);
}

#[test]
fn the_committed_catalog_matches_the_csdl() {
    let catalog = emit::generate(root()).unwrap();
    for (file, content) in catalog.files {
        let on_disk = std::fs::read_to_string(root().join(file)).unwrap_or_default();
        assert!(
            on_disk == content,
            "{file} is out of date: run `cargo run --release --features codegen --bin mggraph-codegen` and commit it"
        );
    }
}

#[test]
fn a_missing_csdl_is_named_in_the_error() {
    let dir = std::env::temp_dir()
        .join(format!("mggraph-gen-{}", std::process::id()))
        .join("crate");
    std::fs::create_dir_all(&dir).unwrap();
    let e = emit::generate(&dir).err().expect("no CSDL there");
    assert!(e.contains("v1.0.csdl.xml"), "{e}");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}
