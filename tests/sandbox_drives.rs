//! OneDrive and SharePoint files over HTTP: every member user has a OneDrive and every
//! Microsoft 365 group a document library, the tenant a root site with its own; each drive is
//! one object whichever path reaches it (`/users/{id}/drive`, `/me/drive`, `/drives/{id}`).
//! Below a drive: the root folder, folders made through `children` with their conflict
//! behaviour, files uploaded and read back through `content`, by id and by path
//! (`root:/folder/file.txt:`), moves and renames, and deletes of whole folders.

mod common;

use common::*;
use serde_json::{json, Value};

/// `GET` that must succeed: the answer (panics naming the path otherwise).
async fn read(g: &Graph, path: &str) -> Value {
    let (status, v) = g.get(path).await;
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

/// The id of `user`'s OneDrive.
async fn drive_of(g: &Graph, user: &str) -> String {
    let drive = read(g, &format!("/v1.0/users/{user}/drive")).await;
    drive["id"].as_str().unwrap().to_string()
}

/// A folder `name` made below `parent` (a path below the drive, `root` or `items/{id}`).
async fn folder(g: &Graph, drive: &str, parent: &str, name: &str) -> Value {
    g.created(
        &format!("/v1.0/drives/{drive}/{parent}/children"),
        json!({"name": name, "folder": {}, "@microsoft.graph.conflictBehavior": "fail"}),
    )
    .await
}

/// A user's OneDrive is the same object on every read and at `/drives/{id}`, shaped as
/// drive-get shows one; `/users/{id}/drives` lists it, and another user's is another drive.
#[tokio::test]
async fn a_users_onedrive_is_one_stable_drive() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let drive = read(&g, &format!("/v1.0/users/{adele}/drive")).await;
    let id = drive["id"].as_str().unwrap();
    assert_eq!(drive["driveType"], "business", "{drive}");
    assert_eq!(drive["name"], "OneDrive", "{drive}");
    assert_eq!(drive["owner"]["user"]["id"], adele.as_str(), "{drive}");
    assert_eq!(drive["owner"]["user"]["displayName"], "adele", "{drive}");
    assert!(
        drive["webUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://contoso-my.sharepoint.com/personal/adele_contoso"),
        "{drive}"
    );
    assert_eq!(drive["quota"]["used"], 0, "{drive}");
    // By sign-in name too, and again: the same drive.
    let by_upn = drive_of(&g, "adele@contoso.onmicrosoft.com").await;
    assert_eq!(by_upn, id);
    let direct = read(&g, &format!("/v1.0/drives/{id}")).await;
    assert_eq!(direct["id"], id, "{direct}");
    let list = read(&g, &format!("/v1.0/users/{adele}/drives")).await;
    assert_eq!(strings(&list, "id"), vec![id]);
    assert_ne!(drive_of(&g, &alex).await, id, "each user has their own");
    let (status, missing) = g.get("/v1.0/drives/b!nothing").await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["code"], "itemNotFound", "{missing}");
}

/// A Microsoft 365 group has a document library at `/groups/{id}/drive` and in
/// `/groups/{id}/drives`; a security group has none (404, and an empty list).
#[tokio::test]
async fn a_microsoft_365_group_has_a_document_library() {
    let (_s, g) = blank().await;
    let team = new_group(&g, "launch", true).await;
    let drive = read(&g, &format!("/v1.0/groups/{team}/drive")).await;
    assert_eq!(drive["driveType"], "documentLibrary", "{drive}");
    assert_eq!(drive["name"], "Documents", "{drive}");
    assert_eq!(drive["owner"]["group"]["id"], team.as_str(), "{drive}");
    let list = read(&g, &format!("/v1.0/groups/{team}/drives")).await;
    assert_eq!(strings(&list, "id"), vec![drive["id"].as_str().unwrap()]);
    let security = new_group(&g, "admins", false).await;
    let (status, none) = g.get(&format!("/v1.0/groups/{security}/drive")).await;
    assert_eq!(status, 404, "{none}");
    let none = read(&g, &format!("/v1.0/groups/{security}/drives")).await;
    assert_eq!(none["value"], json!([]), "{none}");
}

/// The tenant's root site has Graph's three-part id and its host name, and the same site and
/// drive answer by `root` and by that id.
#[tokio::test]
async fn the_root_site_has_a_drive() {
    let (_s, g) = blank().await;
    let site = read(&g, "/v1.0/sites/root").await;
    let id = site["id"].as_str().unwrap();
    let parts: Vec<&str> = id.split(',').collect();
    assert_eq!(parts.len(), 3, "{site}");
    assert_eq!(parts[0], "contoso.sharepoint.com", "{site}");
    assert_eq!(site["siteCollection"]["hostname"], "contoso.sharepoint.com");
    assert_eq!(site["webUrl"], "https://contoso.sharepoint.com", "{site}");
    assert!(site["displayName"].is_string(), "{site}");
    assert_eq!(read(&g, &format!("/v1.0/sites/{id}")).await["id"], id);
    let drive = read(&g, "/v1.0/sites/root/drive").await;
    assert_eq!(drive["driveType"], "documentLibrary", "{drive}");
    let by_id = read(&g, &format!("/v1.0/sites/{id}/drives")).await;
    assert_eq!(strings(&by_id, "id"), vec![drive["id"].as_str().unwrap()]);
}

/// A drive's root is a folder; a folder made below it is listed in its children and its
/// `childCount` grows; a second folder of the same name fails with `fail`, gets a new name
/// with `rename`.
#[tokio::test]
async fn folders_are_made_below_the_root() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let drive = drive_of(&g, &adele).await;
    let root = read(&g, &format!("/v1.0/drives/{drive}/root")).await;
    assert_eq!(root["name"], "root", "{root}");
    assert_eq!(root["root"], json!({}), "{root}");
    assert_eq!(root["folder"]["childCount"], 0, "{root}");
    let reports = folder(&g, &drive, "root", "Reports").await;
    assert_eq!(reports["folder"]["childCount"], 0, "{reports}");
    assert_eq!(reports["parentReference"]["driveId"], drive.as_str());
    assert_eq!(reports["parentReference"]["id"], root["id"], "{reports}");
    assert_eq!(
        reports["parentReference"]["path"], "/drive/root:",
        "{reports}"
    );
    let children = read(&g, &format!("/v1.0/users/{adele}/drive/root/children")).await;
    assert_eq!(strings(&children, "name"), vec!["Reports"]);
    let root = read(&g, &format!("/v1.0/drives/{drive}/root")).await;
    assert_eq!(root["folder"]["childCount"], 1, "{root}");

    let path = format!("/v1.0/drives/{drive}/root/children");
    let (status, clash) = g
        .post(
            &path,
            json!({"name": "reports", "folder": {}, "@microsoft.graph.conflictBehavior": "fail"}),
        )
        .await;
    assert_eq!(status, 409, "{clash}");
    assert_eq!(clash["error"]["code"], "nameAlreadyExists", "{clash}");
    let renamed = g
        .created(
            &path,
            json!({"name": "Reports", "folder": {}, "@microsoft.graph.conflictBehavior": "rename"}),
        )
        .await;
    assert_eq!(renamed["name"], "Reports 1", "{renamed}");
    // Below a folder, by its id.
    let id = reports["id"].as_str().unwrap();
    let q1 = folder(&g, &drive, &format!("items/{id}"), "2026 Q1").await;
    assert_eq!(
        q1["parentReference"]["path"], "/drive/root:/Reports",
        "{q1}"
    );
    let below = read(&g, &format!("/v1.0/drives/{drive}/items/{id}/children")).await;
    assert_eq!(strings(&below, "name"), vec!["2026 Q1"]);
}

/// Bytes uploaded to a new file below a folder read back identical, by the item's id and by
/// its path; the item has its size, media type and parent; uploading again replaces them.
#[tokio::test]
async fn uploaded_content_reads_back_by_id_and_by_path() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let drive = drive_of(&g, &adele).await;
    let reports = folder(&g, &drive, "root", "Reports").await;
    let parent = reports["id"].as_str().unwrap();
    let bytes = b"name,total\nadele,42\n\xff\x00binary tail";
    let (status, file) = put_bytes(
        &g,
        &format!("/v1.0/users/{adele}/drive/items/{parent}:/sales.csv:/content"),
        bytes,
    )
    .await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["name"], "sales.csv", "{file}");
    assert_eq!(file["size"], bytes.len(), "{file}");
    assert_eq!(file["file"]["mimeType"], "text/csv", "{file}");
    assert_eq!(file["parentReference"]["id"], parent, "{file}");
    assert_eq!(file["parentReference"]["path"], "/drive/root:/Reports");
    let id = file["id"].as_str().unwrap();
    let (status, back) = get_bytes(&g, &format!("/v1.0/drives/{drive}/items/{id}/content")).await;
    assert_eq!(status, 200);
    assert_eq!(back, bytes);
    let by_path = format!("/v1.0/drives/{drive}/root:/Reports/sales.csv:/content");
    let (status, back) = get_bytes(&g, &by_path).await;
    assert_eq!(status, 200);
    assert_eq!(back, bytes);
    let item = read(&g, &format!("/v1.0/drives/{drive}/root:/Reports/sales.csv")).await;
    assert_eq!(item["id"], id, "{item}");
    // The item segment escaped whole, as the SDK's cmdlets escape `-DriveItemId`.
    for escaped in [
        "root%3A%2FReports%2Fsales.csv%3A",
        "root:%2FReports%2Fsales.csv:",
    ] {
        let item = read(&g, &format!("/v1.0/drives/{drive}/items/{escaped}")).await;
        assert_eq!(item["id"], id, "{escaped}: {item}");
    }
    // The folder and the drive count what the file holds.
    let folder = read(&g, &format!("/v1.0/drives/{drive}/items/{parent}")).await;
    assert_eq!(folder["size"], bytes.len(), "{folder}");
    let quota = read(&g, &format!("/v1.0/drives/{drive}")).await["quota"].clone();
    assert_eq!(quota["used"], bytes.len(), "{quota}");
    // Again at the same path: the same item, the new bytes.
    let (status, again) = put_bytes(&g, &by_path, b"replaced").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], id, "{again}");
    let (_, back) = get_bytes(&g, &format!("/v1.0/drives/{drive}/items/{id}/content")).await;
    assert_eq!(back, b"replaced");
}

/// `PUT root:/a/b/file:/content` makes the folders on the way; a path that names nothing is
/// 404 `itemNotFound`, for the item, its children and its content.
#[tokio::test]
async fn paths_address_items_below_the_root() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let drive = drive_of(&g, &adele).await;
    let (status, file) = put_bytes(
        &g,
        &format!("/v1.0/drives/{drive}/root:/Archive/2026/notes%20one.txt:/content"),
        b"hello",
    )
    .await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["name"], "notes one.txt", "{file}");
    assert_eq!(file["file"]["mimeType"], "text/plain", "{file}");
    assert_eq!(file["parentReference"]["path"], "/drive/root:/Archive/2026");
    let archive = read(&g, &format!("/v1.0/drives/{drive}/root:/Archive")).await;
    assert_eq!(archive["folder"]["childCount"], 1, "{archive}");
    let listed = read(
        &g,
        &format!("/v1.0/drives/{drive}/root:/Archive/2026:/children"),
    )
    .await;
    assert_eq!(strings(&listed, "name"), vec!["notes one.txt"]);
    // A name Graph's namespace alias would otherwise take (`graph.`) stays the file's.
    let (status, named) = put_bytes(
        &g,
        &format!("/v1.0/drives/{drive}/root:/graph.json:/content"),
        b"{}",
    )
    .await;
    assert_eq!(status, 201, "{named}");
    assert_eq!(named["name"], "graph.json", "{named}");
    assert_eq!(named["file"]["mimeType"], "application/json", "{named}");
    for missing in [
        "root:/Nowhere",
        "root:/Archive/nothing.txt:/content",
        "root:/Nowhere:/children",
        "items/01NOTHERE",
    ] {
        let (status, err) = g.get(&format!("/v1.0/drives/{drive}/{missing}")).await;
        assert_eq!(status, 404, "{missing}: {err}");
        assert_eq!(err["error"]["code"], "itemNotFound", "{missing}: {err}");
    }
}

/// `/me/drive` is the signed-in user's drive, and its paths reach the same items.
#[tokio::test]
async fn me_drive_is_the_signed_in_users() {
    let (s, g) = blank().await;
    let admin = read(&g, &format!("/v1.0/users/{}", s.admin_upn)).await;
    let drive = drive_of(&g, admin["id"].as_str().unwrap()).await;
    let token = user_token(&s, &s.admin_upn, "User.Read Files.ReadWrite.All").await;
    let me = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    assert_eq!(read(&me, "/v1.0/me/drive").await["id"], drive.as_str());
    let (status, file) = put_bytes(&me, "/v1.0/me/drive/root:/todo.txt:/content", b"milk").await;
    assert_eq!(status, 201, "{file}");
    let (_, back) = get_bytes(&g, &format!("/v1.0/drives/{drive}/root:/todo.txt:/content")).await;
    assert_eq!(back, b"milk");
}

/// Deleting a folder takes what is below it; the root stays; a rename to a taken name is 409
/// and a move changes the parent path.
#[tokio::test]
async fn items_are_deleted_renamed_and_moved() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let drive = drive_of(&g, &adele).await;
    let base = format!("/v1.0/drives/{drive}");
    let (_, file) = put_bytes(&g, &format!("{base}/root:/Old/a.txt:/content"), b"a").await;
    let old = read(&g, &format!("{base}/root:/Old")).await;
    let keep = folder(&g, &drive, "root", "Keep").await;
    let file_id = file["id"].as_str().unwrap();
    let (status, clash) = g
        .patch(
            &format!("{base}/items/{}", old["id"].as_str().unwrap()),
            json!({"name": "keep"}),
        )
        .await;
    assert_eq!(status, 409, "{clash}");
    let (status, moved) = g
        .patch(
            &format!("{base}/items/{file_id}"),
            json!({"name": "b.txt", "parentReference": {"id": keep["id"]}}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        moved["parentReference"]["path"], "/drive/root:/Keep",
        "{moved}"
    );
    let (_, back) = get_bytes(&g, &format!("{base}/root:/Keep/b.txt:/content")).await;
    assert_eq!(back, b"a");
    let (_, file) = put_bytes(&g, &format!("{base}/root:/Old/c.txt:/content"), b"c").await;
    let (status, _) = g.delete(&format!("{base}/root:/Old")).await;
    assert_eq!(status, 204);
    let (status, _) = g
        .get(&format!("{base}/items/{}", file["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 404, "the folder's file went with it");
    let children = read(&g, &format!("{base}/root/children")).await;
    assert_eq!(strings(&children, "name"), vec!["Keep"]);
    let (status, _) = g.delete(&format!("{base}/root")).await;
    assert_eq!(status, 403);
}

/// What hangs below an item besides its children and content (its `permissions`) is the
/// generic store's, reached through a user's drive path as through `/drives/{id}`; a child is
/// also addressed as `children/{id}` below its parent, and only there.
#[tokio::test]
async fn an_items_other_navigations_reach_the_store() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let drive = drive_of(&g, &adele).await;
    let (_, file) = put_bytes(
        &g,
        &format!("/v1.0/drives/{drive}/root:/a.txt:/content"),
        b"a",
    )
    .await;
    let id = file["id"].as_str().unwrap();
    let permissions = read(
        &g,
        &format!("/v1.0/users/{adele}/drive/items/{id}/permissions"),
    )
    .await;
    assert_eq!(permissions["value"], json!([]), "{permissions}");
    let child = read(&g, &format!("/v1.0/drives/{drive}/root/children/{id}")).await;
    assert_eq!(child["id"], id, "{child}");
    let folder = folder(&g, &drive, "root", "Empty").await;
    let path = format!(
        "/v1.0/drives/{drive}/items/{}/children/{id}",
        folder["id"].as_str().unwrap()
    );
    let (status, err) = g.get(&path).await;
    assert_eq!(status, 404, "not a child of that folder: {err}");
    // A file made through `children` is there, empty, until content is put.
    let empty = g
        .created(
            &format!("/v1.0/drives/{drive}/root/children"),
            json!({"name": "empty.txt", "file": {}}),
        )
        .await;
    assert_eq!(empty["size"], 0, "{empty}");
    let (status, bytes) = get_bytes(
        &g,
        &format!(
            "/v1.0/drives/{drive}/items/{}/content",
            empty["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!((status, bytes.len()), (200, 0));
}

/// A sharing link of a type and scope is made once (201, then the same link, 200) and an
/// invitation gives each recipient a permission naming them; both are listed in the item's
/// `permissions`.
#[tokio::test]
async fn items_are_shared_by_link_and_invitation() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let drive = drive_of(&g, &adele).await;
    let (_, file) = put_bytes(
        &g,
        &format!("/v1.0/drives/{drive}/root:/plan.docx:/content"),
        b"p",
    )
    .await;
    let item = format!(
        "/v1.0/users/{adele}/drive/items/{}",
        file["id"].as_str().unwrap()
    );
    let body = json!({"type": "view", "scope": "organization"});
    let link = g.created(&format!("{item}/createLink"), body.clone()).await;
    assert_eq!(link["roles"], json!(["read"]), "{link}");
    assert_eq!(link["link"]["scope"], "organization", "{link}");
    assert!(
        link["link"]["webUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://"),
        "{link}"
    );
    let (status, again) = g.post(&format!("{item}/createLink"), body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], link["id"], "{again}");
    let (status, invited) = g
        .post(
            &format!("{item}/invite"),
            json!({"recipients": [{"email": "alex@contoso.onmicrosoft.com"}],
                   "roles": ["write"], "requireSignIn": true, "sendInvitation": false}),
        )
        .await;
    assert_eq!(status, 200, "{invited}");
    assert_eq!(
        invited["value"][0]["grantedToV2"]["user"]["id"],
        alex.as_str()
    );
    assert_eq!(invited["value"][0]["roles"], json!(["write"]));
    let listed = read(&g, &format!("{item}/permissions")).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 2, "{listed}");
}

/// What the store keeps below the root site (its lists) is the same whichever name reaches
/// the site: `root`, its host name or its id (list-create, list-list).
#[tokio::test]
async fn the_root_sites_lists_answer_under_each_of_its_names() {
    let (_s, g) = blank().await;
    let list = g
        .created(
            "/v1.0/sites/root/lists",
            json!({"displayName": "Books", "list": {"template": "genericList"}}),
        )
        .await;
    let site = read(&g, "/v1.0/sites/root").await;
    let id = site["id"].as_str().unwrap();
    for key in ["root", "contoso.sharepoint.com", id] {
        let lists = read(&g, &format!("/v1.0/sites/{key}/lists")).await;
        assert_eq!(
            strings(&lists, "displayName"),
            vec!["Books"],
            "{key}: {lists}"
        );
    }
    let one = read(
        &g,
        &format!("/v1.0/sites/root/lists/{}", list["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(one["displayName"], "Books", "{one}");
}
