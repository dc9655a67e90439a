//! A service principal made for an application (`POST /servicePrincipals` with its `appId`)
//! takes what Graph copies from the application object
//! (<https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals>;
//! <https://learn.microsoft.com/entra/identity-platform/app-objects-and-service-principals>:
//! "the service principal object inherits certain properties from the application object"):
//! its display name, sign-in audience, the app roles it defines, the delegated permissions it
//! exposes (`api.oauth2PermissionScopes` becomes `oauth2PermissionScopes`), its owner tenant,
//! home page, reply URLs, info, tags and the notes.

use serde_json::{json, Map, Value};

use super::generic::{overlay_object, APPLICATIONS};
use crate::sandbox::state::Tenant;

/// Fills the new service principal `object` from the application its `appId` names; what the
/// request body set itself is kept.
pub fn from_application(t: &Tenant, object: &mut Map<String, Value>) {
    let app_id = object.get("appId").cloned().unwrap_or(Value::Null);
    let Some(app) = app_id.as_str().and_then(|a| t.app(a)) else {
        return;
    };
    let name = json!(app.display_name);
    let source = overlay_object(t, APPLICATIONS, &app.object_id).unwrap_or_default();
    let get = |k: &str| source.get(k).cloned().filter(|v| !v.is_null());
    let web = source.get("web").and_then(Value::as_object);
    let copied: [(&str, Option<Value>); 11] = [
        ("appDisplayName", Some(name.clone())),
        ("displayName", Some(name)),
        ("appDescription", get("description")),
        ("signInAudience", get("signInAudience")),
        ("appRoles", get("appRoles")),
        (
            "oauth2PermissionScopes",
            source
                .get("api")
                .and_then(|a| a.get("oauth2PermissionScopes"))
                .cloned()
                .filter(|v| !v.is_null()),
        ),
        ("appOwnerOrganizationId", Some(json!(t.id))),
        ("homepage", web.and_then(|w| w.get("homePageUrl")).cloned()),
        (
            "replyUrls",
            web.and_then(|w| w.get("redirectUris")).cloned(),
        ),
        ("info", get("info")),
        ("notes", get("notes")),
    ];
    for (k, v) in copied {
        if let Some(v) = v {
            object.entry(k).or_insert(v);
        }
    }
    if let Some(tags) = get("tags") {
        object.entry("tags").or_insert(tags);
    }
    object
        .entry("servicePrincipalNames")
        .or_insert_with(|| json!([app_id]));
    object
        .entry("servicePrincipalType")
        .or_insert_with(|| json!("Application"));
    object.entry("accountEnabled").or_insert(json!(true));
}
