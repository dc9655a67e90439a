//! OneDrive and SharePoint files: the drives Graph gives every member user (a OneDrive), every
//! Microsoft 365 group and the tenant's root site (a document library), and the driveItems in
//! them (<https://learn.microsoft.com/graph/api/resources/drive>,
//! <https://learn.microsoft.com/graph/api/resources/driveitem>).
//!
//! A drive is made on first access and kept in the generic store (set `drives`, its items
//! contained in `items`, a file's bytes in the item's stream), under an id derived from its
//! owner, so every path to it (`/users/{id}/drive`, `/me/drive`, `/groups/{id}/drive`,
//! `/sites/root/drive`, `/drives/{id}`) reaches the same object. Items are held flat, each
//! naming its parent (`parentReference.id`); what depends on the tree (`folder.childCount`,
//! `size`, `parentReference.path`, `webUrl`) is worked out when an item is read.
//!
//! Items are addressed by id (`items/{item-id}`) or by path below the root or an item
//! (`root:/folder/file.txt:`, `items/{id}:/file.txt:`), as
//! <https://learn.microsoft.com/graph/onedrive-addressing-driveitems> describes. What this
//! module does not serve below a drive (an item's `permissions`, `list`, ...) goes to the
//! generic store at the drive's canonical `/drives/{id}/...` path.

use axum::http::{HeaderMap, Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{body_object, collection, json, no_content, Ctx, Handled};
use crate::sandbox::odata::{project, GraphErr};
use crate::sandbox::state::{format_timestamp, new_id, Precision, Tenant};
use crate::sandbox::store::{Entity, Media};

const DRIVES: &str = "drives";
const SITES: &str = "sites";
const ITEMS: &str = "items";
const DRIVE_TYPE: &str = "microsoft.graph.drive";
const ITEM_TYPE: &str = "microsoft.graph.driveItem";
const SITE_TYPE: &str = "microsoft.graph.site";
const PERMISSION_TYPE: &str = "microsoft.graph.permission";
/// A OneDrive's default storage, 1 TiB.
const QUOTA: u64 = 1 << 40;
/// The annotation naming what to do when a name is taken.
const CONFLICT: &str = "@microsoft.graph.conflictBehavior";

/// Whose drive a path names.
enum Owner {
    User(String),
    Group(String),
    /// The tenant's root site.
    Site,
}

/// How a path names a drive: by its owner (`/users/{id}/drive`) or by id (`/drives/{id}`).
enum Named {
    Owned(Owner),
    Id(String),
}

/// What a path below `/drive` or `/drives/{id}` names.
enum Within {
    /// The drive itself.
    Drive,
    /// An item, by id or path, and what of it.
    Item(Target),
    /// Anything else: the generic store's, below `/drives/{id}/`.
    Other(String),
}

/// An item: the root or an item by id, then an optional path below it.
struct Target {
    base: Option<String>,
    path: Vec<String>,
    /// A child by id (`.../children/{id}`), after the path.
    child: Option<String>,
    tail: Tail,
}

#[derive(PartialEq)]
enum Tail {
    None,
    Children,
    Content,
    /// Another navigation below the item (`permissions`, ...): the generic store's.
    Other(String),
}

/// Serves drive paths: `/users/{id}/drive[s]`, `/groups/{id}/drive[s]`, `/sites/root`,
/// `/sites/{id}/drive[s]` and `/drives/{id}/...` (`path` is raw, below the version, with
/// `/me` already made `/users/{id}`). `None` for every other path.
pub fn route(
    ctx: &Ctx,
    method: &Method,
    path: &str,
    body: &[u8],
    headers: &HeaderMap,
) -> Option<Handled> {
    let raw: Vec<&str> = path.trim_start_matches('/').splitn(4, '/').collect();
    let key = |i: usize| decode(raw[i]);
    let (owner, rest) = match raw.as_slice() {
        ["users", _, "drive", ..] => (Owner::User(key(1)), raw.get(3)),
        ["groups", _, "drive", ..] => (Owner::Group(key(1)), raw.get(3)),
        ["users", _, "drives"] => return Some(owned_list(ctx, method, Owner::User(key(1)))),
        ["groups", _, "drives"] => return Some(owned_list(ctx, method, Owner::Group(key(1)))),
        ["sites", site, ..] if is_root_site(ctx, &decode(site)) => match raw.get(2) {
            None if method == Method::GET => return Some(site_get(ctx)),
            Some(&"drive") => (Owner::Site, raw.get(3)),
            Some(&"drives") if raw.len() == 3 => return Some(owned_list(ctx, method, Owner::Site)),
            _ => return None,
        },
        ["drives", _, ..] => {
            let below = &path.trim_start_matches('/')[DRIVES.len() + 1..];
            let (id, rest) = match below.split_once('/') {
                Some((id, rest)) => (id, Some(rest)),
                None => (below, None),
            };
            return Some(serve(
                ctx,
                method,
                Named::Id(decode(id)),
                rest,
                body,
                headers,
            ));
        }
        _ => return None,
    };
    let named = Named::Owned(owner);
    Some(serve(ctx, method, named, rest.copied(), body, headers))
}

/// Serves `rest` below the drive `named`.
fn serve(
    ctx: &Ctx,
    method: &Method,
    named: Named,
    rest: Option<&str>,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    let within = within(rest.unwrap_or_default())?;
    // What the generic store serves, at the drive's canonical path.
    let canonical = {
        let mut tenant = ctx.state.tenant_mut();
        let t = &mut *tenant;
        let id = match named {
            Named::Owned(owner) => ensure_drive(t, &owner)?,
            Named::Id(id) if drive_entity(t, &id).is_some() => id,
            Named::Id(id) => return Err(item_not_found(&id)),
        };
        match (method, within) {
            (&Method::GET, Within::Drive) => {
                let mut drive = shape_drive(t, &id);
                drive.insert(
                    "@odata.context".into(),
                    json!(ctx.context("drives/$entity")),
                );
                return Ok(json(StatusCode::OK, &Value::Object(select(ctx, drive))));
            }
            (_, Within::Drive) => format!("/{DRIVES}/{id}"),
            (_, Within::Item(target)) => match target.tail {
                Tail::Other(ref action) if method == Method::POST && is_sharing(action) => {
                    let item = locate(t, &id, &target)?;
                    return share(ctx, t, &id, &item, action, body);
                }
                Tail::Other(ref nav) => {
                    let item = locate(t, &id, &target)?;
                    format!("/{DRIVES}/{id}/{ITEMS}/{item}/{nav}")
                }
                _ => return item_request(ctx, t, method, &id, &target, body),
            },
            (_, Within::Other(rest)) => format!("/{DRIVES}/{id}/{rest}"),
        }
    };
    // The tenant is let go first: the generic store takes it itself.
    super::generic::handle(ctx, method, &canonical, body, headers)
}

/// Splits what follows a drive: ``, `root`, `items/{id}`, either then `/children` or
/// `/content`, or `:/a/b:` and then those.
fn within(rest: &str) -> Result<Within, GraphErr> {
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return Ok(Within::Drive);
    }
    // A client that escapes the item segment whole (the SDK's cmdlets escape `-DriveItemId`
    // `root:/a/b.txt:` as `root%3A%2Fa%2Fb.txt%3A`) still addresses by path: a name cannot hold
    // a `:`, and the path's `/`s are read after decoding.
    let unescaped = rest.replace("%3A", ":").replace("%3a", ":");
    let rest = unescaped.as_str();
    let (head, addressed) = match rest.split_once(':') {
        Some((h, a)) => (h, Some(a)),
        None => (rest, None),
    };
    let mut parts = head.splitn(3, '/');
    let (base, after) = match (parts.next(), parts.next(), parts.next()) {
        // `items/root` is the root too (what a client escaping `-DriveItemId root:/a:` sends).
        (Some("root"), tail, more) => (None, join(tail, more)),
        (Some(ITEMS), Some("root"), tail) => (None, join(tail, None)),
        (Some(ITEMS), Some(id), tail) if !id.is_empty() => (Some(decode(id)), join(tail, None)),
        _ => return Ok(Within::Other(rest.to_string())),
    };
    let (path, after) = match addressed {
        Some(a) if after.is_empty() => {
            let (p, tail) = a.split_once(':').unwrap_or((a, ""));
            let path = decode(p)
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (path, tail.trim_start_matches('/').to_string())
        }
        Some(_) => return Err(GraphErr::segment_not_found(rest)),
        None => (vec![], after),
    };
    let (child, after) = match after.strip_prefix("children/") {
        Some(below) => {
            let (child, more) = below.split_once('/').unwrap_or((below, ""));
            (Some(decode(child)), more.to_string())
        }
        None => (None, after),
    };
    let tail = match after.as_str() {
        "" => Tail::None,
        "children" => Tail::Children,
        "content" => Tail::Content,
        other => Tail::Other(other.to_string()),
    };
    Ok(Within::Item(Target {
        base,
        path,
        child,
        tail,
    }))
}

fn join(a: Option<&str>, b: Option<&str>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{a}/{b}"),
        (Some(a), None) => a.to_string(),
        _ => String::new(),
    }
}

fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .to_string()
}

/// Graph's 404 for an item or drive that is not there.
fn item_not_found(what: &str) -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        format!("The resource could not be found: '{what}'."),
    )
}

fn name_taken(name: &str) -> GraphErr {
    GraphErr::new(
        StatusCode::CONFLICT,
        "nameAlreadyExists",
        format!("The specified item name already exists. Name: {name}"),
    )
}

/// The root folder cannot be deleted, renamed or moved.
fn root_fixed() -> GraphErr {
    GraphErr::new(
        StatusCode::FORBIDDEN,
        "accessDenied",
        "The root folder cannot be deleted, renamed or moved.",
    )
}

fn invalid(message: &str) -> GraphErr {
    GraphErr::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
}

fn select(ctx: &Ctx, object: Map<String, Value>) -> Map<String, Value> {
    if ctx.query.select.is_empty() {
        return object;
    }
    project(&object, &ctx.query.select)
}

fn now() -> String {
    format_timestamp(chrono::Utc::now(), Precision::Seconds)
}

// ---------------------------------------------------------------------------------------
// Drives and the root site.

/// The tenant's SharePoint host name: `contoso.sharepoint.com` for `contoso.onmicrosoft.com`.
fn host(t: &Tenant) -> String {
    let name = t.domain.split('.').next().unwrap_or("contoso");
    format!("{name}.sharepoint.com")
}

/// A drive's id, made from its owner so every access reaches the same drive: `b!` and a
/// URL-safe base64 text, the form of Graph's OneDrive for Business ids.
fn drive_id(owner: &Owner) -> String {
    let key = match owner {
        Owner::User(id) => format!("user:{id}"),
        Owner::Group(id) => format!("group:{id}"),
        Owner::Site => "site:root".to_string(),
    };
    format!("b!{}", URL_SAFE_NO_PAD.encode(key))
}

fn drive_entity<'t>(t: &'t Tenant, id: &str) -> Option<&'t Entity> {
    t.store.sets.get(DRIVES)?.get(id)
}

fn drive_mut<'t>(t: &'t mut Tenant, id: &str) -> Option<&'t mut Entity> {
    t.store.sets.get_mut(DRIVES)?.get_mut(id)
}

/// The drive of `owner`, made (with its root folder) on first access; its id (404
/// `itemNotFound` when the owner has none, [`drive_for`]).
fn ensure_drive(t: &mut Tenant, owner: &Owner) -> Result<String, GraphErr> {
    drive_for(t, owner)?.ok_or_else(|| item_not_found("drive"))
}

/// The drive of `owner`, made on first access: `None` for a guest user and a group that is
/// not a Microsoft 365 group, which have none; 404 for an owner that does not exist.
fn drive_for(t: &mut Tenant, owner: &Owner) -> Result<Option<String>, GraphErr> {
    let (owner, canonical) = match owner {
        Owner::User(key) => {
            let user = t.user(key).ok_or_else(|| GraphErr::not_found(key))?;
            if user.object.get("userType").and_then(Value::as_str) == Some("Guest") {
                return Ok(None);
            }
            let id = user.id().to_string();
            (Owner::User(id.clone()), id)
        }
        Owner::Group(key) => {
            let group = t.groups.get(key).ok_or_else(|| GraphErr::not_found(key))?;
            let unified = group
                .object
                .get("groupTypes")
                .and_then(Value::as_array)
                .is_some_and(|types| types.iter().any(|k| k == "Unified"));
            if !unified {
                return Ok(None);
            }
            (Owner::Group(key.clone()), key.clone())
        }
        Owner::Site => (Owner::Site, String::new()),
    };
    let id = drive_id(&owner);
    if drive_entity(t, &id).is_none() {
        let drive = new_drive(t, &owner, &canonical, &id);
        t.store.insert_top(DRIVES, drive);
    }
    Ok(Some(id))
}

/// A new drive of `owner` (whose id is `key`) and its root folder, as drive-get shows one:
/// `{id, driveType, name, description, createdDateTime, lastModifiedDateTime, webUrl,
/// owner}` (`quota` is worked out when read).
fn new_drive(t: &Tenant, owner: &Owner, key: &str, id: &str) -> Entity {
    let host = host(t);
    let (drive_type, name, web_url, owner_json) = match owner {
        Owner::User(_) => {
            let user = &t.users[key].object;
            let upn = text(user, "userPrincipalName");
            let personal: String = upn
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let my = host.replacen(".sharepoint", "-my.sharepoint", 1);
            (
                "business",
                "OneDrive",
                format!("https://{my}/personal/{personal}/Documents"),
                json!({"user": {"id": key, "displayName": user.get("displayName"),
                                "email": user.get("mail").and_then(Value::as_str).unwrap_or(upn)}}),
            )
        }
        Owner::Group(_) => {
            let group = &t.groups[key].object;
            let nick = text(group, "mailNickname");
            (
                "documentLibrary",
                "Documents",
                format!("https://{host}/sites/{nick}/Shared%20Documents"),
                json!({"group": {"id": key, "displayName": group.get("displayName"),
                                 "email": group.get("mail")}}),
            )
        }
        Owner::Site => (
            "documentLibrary",
            "Documents",
            format!("https://{host}/Shared%20Documents"),
            json!({"user": {"displayName": "System Account"}}),
        ),
    };
    let now = now();
    let object = json!({
        "id": id, "driveType": drive_type, "name": name, "description": "",
        "createdDateTime": now, "lastModifiedDateTime": now, "webUrl": web_url,
        "owner": owner_json,
    });
    let mut drive = Entity::new(DRIVE_TYPE, object_of(object));
    let root = new_item(id, drive_type, None, "root", Facet::Root);
    drive.many_mut(ITEMS).insert(root.id().to_string(), root);
    drive
}

/// The string `key` of `object`, empty when it holds none.
fn text<'a>(object: &'a Map<String, Value>, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn object_of(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The drive as Graph shows it, with its `quota` (the bytes its files hold).
fn shape_drive(t: &Tenant, id: &str) -> Map<String, Value> {
    let Some(drive) = drive_entity(t, id) else {
        return Map::new();
    };
    let used: u64 = drive
        .many(ITEMS)
        .into_iter()
        .flat_map(|items| items.values())
        .map(file_size)
        .sum();
    let mut object = drive.object.clone();
    object.insert(
        "quota".into(),
        json!({"deleted": 0, "remaining": QUOTA - used.min(QUOTA), "state": "normal",
               "total": QUOTA, "used": used}),
    );
    object
}

/// `GET /users/{id}/drives` (and a group's, a site's): the one drive the owner has, or none.
fn owned_list(ctx: &Ctx, method: &Method, owner: Owner) -> Handled {
    if method != Method::GET {
        return Err(GraphErr::method_not_allowed());
    }
    let mut tenant = ctx.state.tenant_mut();
    let drives: Vec<Value> = drive_for(&mut tenant, &owner)?
        .into_iter()
        .map(|id| Value::Object(select(ctx, shape_drive(&tenant, &id))))
        .collect();
    collection(ctx, "drives", drives, None)
}

/// Whether `key` names the root site: `root`, its id or its host name.
fn is_root_site(ctx: &Ctx, key: &str) -> bool {
    if key.eq_ignore_ascii_case("root") {
        return true;
    }
    let t = ctx.state.tenant();
    key.eq_ignore_ascii_case(&host(&t)) || root_site(&t).is_some_and(|s| s.id() == key)
}

fn root_site(t: &Tenant) -> Option<&Entity> {
    t.store
        .sets
        .get(SITES)?
        .values()
        .find(|s| s.object.contains_key("root"))
}

/// `GET /sites/root` (<https://learn.microsoft.com/graph/api/site-get>): the tenant's root
/// site, made on first access, its id in Graph's `{hostname},{site-collection-id},{web-id}`
/// form.
fn site_get(ctx: &Ctx) -> Handled {
    let mut tenant = ctx.state.tenant_mut();
    let t = &mut *tenant;
    ensure_root_site(t);
    let mut site = root_site(t).map(|s| s.object.clone()).unwrap_or_default();
    site.insert("@odata.context".into(), json!(ctx.context("sites/$entity")));
    Ok(json(StatusCode::OK, &Value::Object(select(ctx, site))))
}

/// The path below the version with the root site's other names (`root`, its host name) in
/// `/sites/{key}/...` replaced by its id, for what the generic store keeps below the site
/// (`/sites/root/lists`); `None` for any other path, and for what this module serves itself.
pub fn canonical_site_path(ctx: &Ctx, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/sites/")?;
    let (key, below) = rest.split_once('/')?;
    let key = decode(key);
    let first = below.split('/').next().unwrap_or_default();
    if first == "drive" || first == "drives" || !is_root_site(ctx, &key) {
        return None;
    }
    let mut tenant = ctx.state.tenant_mut();
    let id = ensure_root_site(&mut tenant);
    (id != key).then(|| format!("/sites/{id}/{below}"))
}

/// Makes the tenant's root site if there is none yet; its id.
fn ensure_root_site(t: &mut Tenant) -> String {
    if root_site(t).is_none() {
        let host = host(t);
        let now = now();
        let site = json!({
            "id": format!("{host},{},{}", new_id(), new_id()),
            "name": "", "displayName": "Communication site", "description": "",
            "createdDateTime": now, "lastModifiedDateTime": now,
            "webUrl": format!("https://{host}"),
            "root": {}, "siteCollection": {"hostname": host},
        });
        t.store
            .insert_top(SITES, Entity::new(SITE_TYPE, object_of(site)));
    }
    root_site(t).map(|s| s.id().to_string()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Items.

/// What kind of item to make.
enum Facet {
    Root,
    Folder,
    File,
}

/// A new item named `name` below `parent` (none for the root):
/// `{id, name, createdDateTime, lastModifiedDateTime, eTag, cTag, parentReference {driveId,
/// driveType, id}}` and its `root`, `folder` or `file` facet (`mimeType` from the name).
fn new_item(
    drive: &str,
    drive_type: &str,
    parent: Option<&str>,
    name: &str,
    kind: Facet,
) -> Entity {
    let id = format!("01{}", new_id().replace('-', "").to_ascii_uppercase());
    let now = now();
    let mut object = object_of(json!({
        "id": id, "name": name, "createdDateTime": now, "lastModifiedDateTime": now,
        "eTag": format!("\"{{{id}}},1\""), "cTag": format!("\"c:{{{id}}},1\""),
        "parentReference": {"driveId": drive, "driveType": drive_type},
    }));
    if let Some(parent) = parent {
        object["parentReference"]["id"] = json!(parent);
    }
    match kind {
        Facet::Root => {
            object.insert("root".into(), json!({}));
            object.insert("folder".into(), json!({}));
        }
        Facet::Folder => {
            object.insert("folder".into(), json!({}));
        }
        Facet::File => {
            object.insert("file".into(), json!({"mimeType": mime_type(name)}));
        }
    }
    Entity::new(ITEM_TYPE, object)
}

/// The media type OneDrive gives a file, from its extension.
fn mime_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt" | "log" | "ps1" | "md") => "text/plain",
        Some("csv") => "text/csv",
        Some("htm" | "html") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("zip") => "application/zip",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

fn parent_of(item: &Entity) -> Option<&str> {
    item.object.get("parentReference")?.get("id")?.as_str()
}

/// Whether `item` may hold others: anything but a file (an item the generic store made
/// without a facet, through `POST /drives/{id}/items`, counts as a folder).
fn is_folder(item: &Entity) -> bool {
    !item.object.contains_key("file")
}

fn file_size(item: &Entity) -> u64 {
    item.media.as_ref().map_or(0, |m| m.bytes.len() as u64)
}

fn items<'t>(t: &'t Tenant, drive: &str) -> Option<&'t indexmap::IndexMap<String, Entity>> {
    drive_entity(t, drive)?.many(ITEMS)
}

/// Item `id` of `drive`.
fn item_at<'t>(t: &'t Tenant, drive: &str, id: &str) -> Option<&'t Entity> {
    items(t, drive)?.get(id)
}

fn item_at_mut<'t>(t: &'t mut Tenant, drive: &str, id: &str) -> Option<&'t mut Entity> {
    drive_mut(t, drive)?.many_mut(ITEMS).get_mut(id)
}

fn root_id(t: &Tenant, drive: &str) -> Option<String> {
    items(t, drive)?
        .values()
        .find(|i| i.object.contains_key("root"))
        .map(|i| i.id().to_string())
}

/// The children of `parent`, in the order made.
fn children<'t>(t: &'t Tenant, drive: &str, parent: &str) -> Vec<&'t Entity> {
    items(t, drive)
        .into_iter()
        .flat_map(|items| items.values())
        .filter(|i| parent_of(i) == Some(parent))
        .collect()
}

/// The child of `parent` named `name` (OneDrive's names ignore case).
fn child_named(t: &Tenant, drive: &str, parent: &str, name: &str) -> Option<String> {
    children(t, drive, parent)
        .into_iter()
        .find(|i| text(&i.object, "name").eq_ignore_ascii_case(name))
        .map(|i| i.id().to_string())
}

/// The item `target` names (404 `itemNotFound` when it or a folder on its path is missing).
fn locate(t: &Tenant, drive: &str, target: &Target) -> Result<String, GraphErr> {
    let mut id = match &target.base {
        Some(id) if items(t, drive).is_some_and(|i| i.contains_key(id)) => id.clone(),
        Some(id) => return Err(item_not_found(id)),
        None => root_id(t, drive).ok_or_else(|| item_not_found("root"))?,
    };
    for name in &target.path {
        id = child_named(t, drive, &id, name).ok_or_else(|| item_not_found(name))?;
    }
    match &target.child {
        Some(child) if children(t, drive, &id).iter().any(|c| c.id() == child) => Ok(child.clone()),
        Some(child) => Err(item_not_found(child)),
        None => Ok(id),
    }
}

/// The ids of `id` and everything below it.
fn subtree(t: &Tenant, drive: &str, id: &str) -> Vec<String> {
    let mut out = vec![id.to_string()];
    let mut next = 0;
    while next < out.len() {
        let below: Vec<String> = children(t, drive, &out[next])
            .into_iter()
            .map(|c| c.id().to_string())
            .collect();
        out.extend(below);
        next += 1;
    }
    out
}

/// The item as Graph shows it: its stored properties, `size` (a folder's is what it holds),
/// `folder.childCount`, `parentReference.path` (`/drive/root:/a/b`) and `webUrl`.
fn shape_item(t: &Tenant, drive: &str, id: &str) -> Map<String, Value> {
    let Some(item) = item_at(t, drive, id) else {
        return Map::new();
    };
    let mut object = item.object.clone();
    let size: u64 = subtree(t, drive, id)
        .iter()
        .filter_map(|i| item_at(t, drive, i))
        .map(file_size)
        .sum();
    object.insert("size".into(), json!(size));
    if object.contains_key("folder") {
        object["folder"]["childCount"] = json!(children(t, drive, id).len());
    }
    let names = ancestors(t, drive, id);
    if parent_of(item).is_some() {
        let parent_path = names[..names.len() - 1].join("/");
        let path = if parent_path.is_empty() {
            "/drive/root:".to_string()
        } else {
            format!("/drive/root:/{parent_path}")
        };
        object.entry("parentReference").or_insert(json!({}))["path"] = json!(path);
    }
    let base = drive_entity(t, drive)
        .map(|d| text(&d.object, "webUrl"))
        .unwrap_or_default();
    let encoded: Vec<String> = names
        .iter()
        .map(|n| {
            percent_encoding::utf8_percent_encode(n, percent_encoding::NON_ALPHANUMERIC).to_string()
        })
        .collect();
    object.insert(
        "webUrl".into(),
        json!([base.to_string(), encoded.join("/")]
            .join("/")
            .trim_end_matches('/')),
    );
    object
}

/// The names from below the root down to `id` (empty for the root).
fn ancestors(t: &Tenant, drive: &str, id: &str) -> Vec<String> {
    let Some(all) = items(t, drive) else {
        return vec![];
    };
    let mut names = vec![];
    let mut cur = all.get(id);
    while let Some(item) = cur.filter(|i| parent_of(i).is_some()) {
        names.push(text(&item.object, "name").to_string());
        cur = parent_of(item).and_then(|p| all.get(p));
        if names.len() > crate::sandbox::store::MAX_DEPTH * 8 {
            break;
        }
    }
    names.reverse();
    names
}

fn item_response(ctx: &Ctx, t: &Tenant, drive: &str, id: &str, status: StatusCode) -> Handled {
    let mut item = shape_item(t, drive, id);
    item.insert(
        "@odata.context".into(),
        json!(ctx.context(&format!("drives('{drive}')/items/$entity"))),
    );
    Ok(json(status, &Value::Object(select(ctx, item))))
}

/// An item request: GET, PATCH or DELETE of the item, its `children` (GET, POST) or its
/// `content` (GET, PUT).
fn item_request(
    ctx: &Ctx,
    t: &mut Tenant,
    method: &Method,
    drive: &str,
    target: &Target,
    body: &[u8],
) -> Handled {
    match (method, &target.tail) {
        (&Method::PUT, Tail::Content) => return upload(ctx, t, drive, target, body),
        (&Method::POST, Tail::Children) => {
            let parent = locate(t, drive, target)?;
            return create_child(ctx, t, drive, &parent, body);
        }
        _ => {}
    }
    let id = locate(t, drive, target)?;
    match (method, &target.tail) {
        (&Method::GET, Tail::None) => item_response(ctx, t, drive, &id, StatusCode::OK),
        (&Method::PATCH, Tail::None) => update_item(ctx, t, drive, &id, body),
        (&Method::DELETE, Tail::None) => delete_item(t, drive, &id),
        (&Method::GET, Tail::Children) => {
            let list: Vec<Value> = children(t, drive, &id)
                .into_iter()
                .map(|c| Value::Object(select(ctx, shape_item(t, drive, c.id()))))
                .collect();
            let context = format!("drives('{drive}')/items('{id}')/children");
            collection(ctx, &context, list, None)
        }
        (&Method::GET, Tail::Content) => {
            let item = item_at(t, drive, &id);
            match item {
                Some(file) if !is_folder(file) => {
                    // A file made empty (`POST children` with `file: {}`) has no bytes yet.
                    let empty = Media {
                        content_type: mime_type(text(&file.object, "name")).to_string(),
                        bytes: vec![],
                    };
                    let media = file.media.as_ref().unwrap_or(&empty);
                    Ok(super::generic::stream_response(media))
                }
                _ => Err(invalid("Only a file has content.")),
            }
        }
        _ => Err(GraphErr::method_not_allowed()),
    }
}

/// The drive's type, for new items' `parentReference`.
fn drive_type(t: &Tenant, drive: &str) -> String {
    drive_entity(t, drive)
        .map_or("business", |d| text(&d.object, "driveType"))
        .to_string()
}

/// The name a new item below `parent` gets under `behavior` (`fail`, `replace`, `rename`):
/// the name, once anything holding it is taken away for `replace`; `name 1.txt`, `name 2.txt`,
/// ... for `rename`; 409 `nameAlreadyExists` for `fail`.
fn settle_name(
    t: &mut Tenant,
    drive: &str,
    parent: &str,
    name: &str,
    behavior: &str,
) -> Result<String, GraphErr> {
    let Some(existing) = child_named(t, drive, parent, name) else {
        return Ok(name.to_string());
    };
    match behavior {
        "replace" => {
            remove_subtree(t, drive, &existing);
            Ok(name.to_string())
        }
        "rename" => {
            let (stem, ext) = match name.rsplit_once('.') {
                Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
                _ => (name, String::new()),
            };
            (1..)
                .map(|n| format!("{stem} {n}{ext}"))
                .find(|c| child_named(t, drive, parent, c).is_none())
                .ok_or_else(|| name_taken(name))
        }
        _ => Err(name_taken(name)),
    }
}

/// Checks a name OneDrive would take: not empty, none of `"*:<>?/\|`.
fn valid_name(name: &str) -> Result<(), GraphErr> {
    if name.trim().is_empty() || name.contains(['"', '*', ':', '<', '>', '?', '/', '\\', '|']) {
        return Err(invalid("The provided name is not valid."));
    }
    Ok(())
}

/// `POST .../children` (<https://learn.microsoft.com/graph/api/driveitem-post-children>): a
/// folder (`folder: {}`) or an empty file (`file: {}`) named `name`, conflicts settled by
/// `@microsoft.graph.conflictBehavior` (`fail` unless given); 201 and the item.
fn create_child(ctx: &Ctx, t: &mut Tenant, drive: &str, parent: &str, body: &[u8]) -> Handled {
    let body = body_object(body)?;
    if !item_at(t, drive, parent).is_some_and(is_folder) {
        return Err(invalid("The parent item is not a folder."));
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    valid_name(name)?;
    // Graph wants one facet; a body with neither (the generic round trip's) makes a folder.
    let kind = match (body.contains_key("folder"), body.contains_key("file")) {
        (true, true) => return Err(invalid("The item must be a folder or a file.")),
        (false, true) => Facet::File,
        _ => Facet::Folder,
    };
    let behavior = body.get(CONFLICT).and_then(Value::as_str).unwrap_or("fail");
    let name = settle_name(t, drive, parent, name, behavior)?;
    let mut item = new_item(drive, &drive_type(t, drive), Some(parent), &name, kind);
    if let Some(description) = body.get("description") {
        item.object
            .insert("description".into(), description.clone());
    }
    let id = add_item(t, drive, item);
    item_response(ctx, t, drive, &id, StatusCode::CREATED)
}

fn add_item(t: &mut Tenant, drive: &str, item: Entity) -> String {
    let id = item.id().to_string();
    if let Some(d) = drive_mut(t, drive) {
        d.many_mut(ITEMS).insert(id.clone(), item);
    }
    t.store.version += 1;
    id
}

fn remove_subtree(t: &mut Tenant, drive: &str, id: &str) {
    let gone = subtree(t, drive, id);
    if let Some(d) = drive_mut(t, drive) {
        let all = d.many_mut(ITEMS);
        for id in gone {
            all.shift_remove(&id);
        }
    }
    t.store.version += 1;
}

/// `DELETE` an item and everything below it; 204. The root stays (403 `accessDenied`).
fn delete_item(t: &mut Tenant, drive: &str, id: &str) -> Handled {
    if root_id(t, drive).as_deref() == Some(id) {
        return Err(root_fixed());
    }
    remove_subtree(t, drive, id);
    Ok(no_content())
}

/// Properties a PATCH may not set: the server's, and those [`update_item`] settles itself.
const SERVER_SET: &[&str] = &[
    "id",
    "name",
    "parentReference",
    "size",
    "file",
    "folder",
    "root",
    "eTag",
    "cTag",
    "webUrl",
    "createdDateTime",
    "lastModifiedDateTime",
    "createdBy",
    "lastModifiedBy",
];

/// `PATCH` an item (<https://learn.microsoft.com/graph/api/driveitem-update>, driveitem-move):
/// a new `name` (409 when a sibling has it) or parent (`parentReference.id`, a folder of the
/// same drive, not below the item), and the other properties given (`description`, ...) as
/// they are; 200 and the item. The root keeps its name and place (403 `accessDenied`).
fn update_item(ctx: &Ctx, t: &mut Tenant, drive: &str, id: &str, body: &[u8]) -> Handled {
    let body = body_object(body)?;
    if root_id(t, drive).as_deref() == Some(id) {
        return Err(root_fixed());
    }
    let current = shape_item(t, drive, id);
    let new_parent = body.get("parentReference").and_then(|p| p.get("id"));
    let parent = match new_parent.and_then(Value::as_str) {
        Some(p) if subtree(t, drive, id).iter().any(|i| i == p) => {
            return Err(invalid("An item cannot be moved below itself."))
        }
        Some(p) if item_at(t, drive, p).is_some_and(is_folder) => Some(p.to_string()),
        Some(p) => return Err(item_not_found(p)),
        None => current
            .get("parentReference")
            .and_then(|p| p.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let name = match body.get("name").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        None => text(&current, "name").to_string(),
    };
    valid_name(&name)?;
    if let Some(parent) = &parent {
        let clash = child_named(t, drive, parent, &name).filter(|other| other != id);
        if clash.is_some() {
            return Err(name_taken(&name));
        }
    }
    if let Some(item) = item_at_mut(t, drive, id) {
        for (k, v) in &body {
            if !k.starts_with('@') && !SERVER_SET.contains(&k.as_str()) {
                item.object.insert(k.clone(), v.clone());
            }
        }
        item.object.insert("name".into(), json!(name));
        if let Some(parent) = parent {
            item.object.entry("parentReference").or_insert(json!({}))["id"] = json!(parent);
        }
        item.object
            .insert("lastModifiedDateTime".into(), json!(now()));
    }
    t.store.version += 1;
    item_response(ctx, t, drive, id, StatusCode::OK)
}

/// `PUT .../content` (<https://learn.microsoft.com/graph/api/driveitem-put-content>): the
/// body becomes the file's bytes. An existing file is replaced (200); a path that names no
/// item makes the file, and the folders on the way that are missing (201). The
/// `@microsoft.graph.conflictBehavior` query option (`replace` unless given) settles a name
/// taken by a folder or, for `fail` and `rename`, by a file.
fn upload(ctx: &Ctx, t: &mut Tenant, drive: &str, target: &Target, body: &[u8]) -> Handled {
    let behavior = ctx
        .query
        .raw
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(CONFLICT))
        .map_or("replace", |(_, v)| v.as_str());
    let (folders, name) = match target.path.split_last() {
        Some((name, folders)) => (folders, Some(name.as_str())),
        None => (&target.path[..], None),
    };
    // With a path, its folders are made as needed from the item it starts at.
    let base = Target {
        base: target.base.clone(),
        path: vec![],
        child: None,
        tail: Tail::None,
    };
    let mut parent = locate(t, drive, if name.is_some() { &base } else { target })?;
    let (id, status) = match name {
        // `items/{id}/content`: that item must be a file.
        None if item_at(t, drive, &parent).is_some_and(is_folder) => {
            return Err(invalid("Content can only be uploaded to a file."))
        }
        None => (parent, StatusCode::OK),
        Some(name) => {
            valid_name(name)?;
            let drive_type = drive_type(t, drive);
            for folder in folders {
                parent = match child_named(t, drive, &parent, folder) {
                    Some(id) => id,
                    None => {
                        let item =
                            new_item(drive, &drive_type, Some(&parent), folder, Facet::Folder);
                        add_item(t, drive, item)
                    }
                };
            }
            let existing = child_named(t, drive, &parent, name);
            let file = existing
                .as_ref()
                .and_then(|e| item_at(t, drive, e))
                .filter(|e| !is_folder(e));
            match (file, behavior) {
                (Some(file), "replace") => (file.id().to_string(), StatusCode::OK),
                _ => {
                    let name = settle_name(t, drive, &parent, name, behavior)?;
                    let item = new_item(drive, &drive_type, Some(&parent), &name, Facet::File);
                    (add_item(t, drive, item), StatusCode::CREATED)
                }
            }
        }
    };
    if let Some(item) = item_at_mut(t, drive, &id) {
        let mime = mime_type(text(&item.object, "name")).to_string();
        item.media = Some(Media {
            content_type: mime,
            bytes: body.to_vec(),
        });
        item.object
            .insert("lastModifiedDateTime".into(), json!(now()));
    }
    item_response(ctx, t, drive, &id, status)
}

// ---------------------------------------------------------------------------------------
// Sharing: permissions made by `createLink` and `invite`, kept in the item's `permissions`
// (which the generic store lists, reads and deletes).

/// Whether `action` is one of the sharing actions served here.
fn is_sharing(action: &str) -> bool {
    matches!(action, "createLink" | "invite")
}

/// The roles a sharing link of `kind` gives (`view` and `embed` read, `edit` writes).
fn link_roles(kind: &str) -> Result<Value, GraphErr> {
    match kind {
        "view" | "embed" => Ok(json!(["read"])),
        "edit" => Ok(json!(["write"])),
        _ => Err(invalid("The sharing link type is not valid.")),
    }
}

/// `POST .../createLink` (<https://learn.microsoft.com/graph/api/driveitem-createlink>) and
/// `POST .../invite` (<https://learn.microsoft.com/graph/api/driveitem-invite>).
fn share(ctx: &Ctx, t: &mut Tenant, drive: &str, item: &str, action: &str, body: &[u8]) -> Handled {
    let body = body_object(body)?;
    let web_url = text(&shape_item(t, drive, item), "webUrl").to_string();
    let recipients = recipients(t, &body)?;
    let Some(entity) = item_at_mut(t, drive, item) else {
        return Err(item_not_found(item));
    };
    let permissions = entity.many_mut("permissions");
    if action == "createLink" {
        return create_link(ctx, permissions, &body, &web_url);
    }
    let roles = body.get("roles").cloned().unwrap_or(json!(["read"]));
    let made: Vec<Value> = recipients
        .into_iter()
        .map(|user| {
            let id = new_id();
            let permission = object_of(json!({
                "id": id, "roles": roles, "grantedToV2": {"user": user},
                "grantedTo": {"user": user},
            }));
            permissions.insert(id, Entity::new(PERMISSION_TYPE, permission.clone()));
            Value::Object(permission)
        })
        .collect();
    collection(ctx, "Collection(microsoft.graph.permission)", made, None)
}

/// The users `invite`'s `recipients` name by `email` (a user of the tenant by sign-in name or
/// mail, anyone else by address alone); 400 when there are none.
fn recipients(t: &Tenant, body: &Map<String, Value>) -> Result<Vec<Value>, GraphErr> {
    let list = body.get("recipients").and_then(Value::as_array);
    let users: Vec<Value> = list
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("email").and_then(Value::as_str))
        .map(|email| match t.user(email) {
            Some(u) => json!({"id": u.id(), "displayName": u.object.get("displayName"),
                              "email": email}),
            None => json!({"displayName": email, "email": email}),
        })
        .collect();
    if body.contains_key("recipients") && users.is_empty() {
        return Err(invalid("The invitation names no recipient."));
    }
    Ok(users)
}

/// A sharing link of the body's `type` and `scope` (`anonymous` unless given): the one the
/// item already has (200), else a new one (201), as `{id, roles, link {type, scope, webUrl}}`.
fn create_link(
    ctx: &Ctx,
    permissions: &mut indexmap::IndexMap<String, Entity>,
    body: &Map<String, Value>,
    web_url: &str,
) -> Handled {
    let kind = text(body, "type");
    let roles = link_roles(kind)?;
    let scope = body
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("anonymous");
    let existing = permissions.values().find(|p| {
        let link = p.object.get("link");
        link.and_then(|l| l.get("type")) == Some(&json!(kind))
            && link.and_then(|l| l.get("scope")) == Some(&json!(scope))
    });
    let (status, permission) = match existing {
        Some(p) => (StatusCode::OK, p.object.clone()),
        None => {
            let id = new_id();
            let token = URL_SAFE_NO_PAD.encode(&id);
            let permission = object_of(json!({
                "id": id, "roles": roles, "shareId": format!("u!{token}"),
                "link": {"type": kind, "scope": scope,
                         "webUrl": format!("{web_url}?share={token}")},
            }));
            permissions.insert(id, Entity::new(PERMISSION_TYPE, permission.clone()));
            (StatusCode::CREATED, permission)
        }
    };
    let mut out = permission;
    out.insert("@odata.context".into(), json!(ctx.context(PERMISSION_TYPE)));
    Ok(json(status, &Value::Object(out)))
}
