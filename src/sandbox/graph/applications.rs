//! `/applications`: enough of app registrations to add and list certificates
//! (`keyCredentials`), which certificate sign-in verifies client assertions against.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{body_object, collection, json, no_content, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{new_id, App, KeyCredential};

const READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All"];
const ROLES: &[&str] = &[
    "Global Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
];

fn app_json(app: &App) -> Map<String, Value> {
    let keys: Vec<Value> = app
        .certificates
        .iter()
        .map(KeyCredential::to_json)
        .collect();
    json!({
        "id": app.object_id,
        "appId": app.client_id,
        "displayName": app.display_name,
        "isFallbackPublicClient": app.public_client,
        "keyCredentials": keys,
        "passwordCredentials": app.secrets.iter().map(|_| json!({"keyId": null, "secretText": null})).collect::<Vec<_>>(),
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

/// `applications(appId='...')` arrives as segments `applications`, `appId='...'`.
fn find<'a>(apps: &'a mut [App], key: &str) -> Option<&'a mut App> {
    let by_app_id = key.strip_prefix("appId=").map(|v| v.trim_matches('\''));
    apps.iter_mut().find(|a| match by_app_id {
        Some(id) => a.client_id.eq_ignore_ascii_case(id),
        None => a.object_id.eq_ignore_ascii_case(key),
    })
}

pub fn route(ctx: &Ctx, method: &Method, rest: &[&str], body: &[u8]) -> Handled {
    match (method, rest) {
        (&Method::GET, []) => {
            ctx.require(READ, &[], None)?;
            let items = ctx
                .state
                .tenant()
                .apps
                .iter()
                .map(|a| Value::Object(app_json(a)))
                .collect();
            collection(ctx, "applications", items, None)
        }
        (&Method::GET, [key]) => {
            ctx.require(READ, &[], None)?;
            let mut tenant = ctx.state.tenant_mut();
            let app = find(&mut tenant.apps, key).ok_or_else(|| GraphErr::not_found(key))?;
            let mut out = Map::new();
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("applications/$entity")),
            );
            out.extend(app_json(app));
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        (&Method::PATCH, [key]) => {
            ctx.require(WRITE, ROLES, None)?;
            let body = body_object(body)?;
            let mut tenant = ctx.state.tenant_mut();
            let app = find(&mut tenant.apps, key).ok_or_else(|| GraphErr::not_found(key))?;
            for (k, v) in &body {
                match k.as_str() {
                    "keyCredentials" => {
                        let mut keys = vec![];
                        for (i, kc) in v.as_array().into_iter().flatten().enumerate() {
                            let der = kc
                                .get("key")
                                .and_then(Value::as_str)
                                .and_then(|k| STANDARD.decode(k).ok())
                                .filter(|d| x509_parser::parse_x509_certificate(d).is_ok())
                                .ok_or_else(|| {
                                    GraphErr::bad_request(format!(
                                        "keyCredentials[{i}].key must be a base64-encoded X.509 certificate."
                                    ))
                                })?;
                            keys.push(KeyCredential {
                                key_id: kc
                                    .get("keyId")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                                    .unwrap_or_else(new_id),
                                display_name: kc
                                    .get("displayName")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                                    .or_else(|| KeyCredential::subject(&der))
                                    .unwrap_or_else(|| "certificate".into()),
                                der,
                            });
                        }
                        app.certificates = keys;
                    }
                    "displayName" => app.display_name = v.as_str().unwrap_or_default().to_string(),
                    // The SDKs annotate every body with its type.
                    "@odata.type" if v.as_str() == Some("#microsoft.graph.application") => {}
                    other => {
                        return Err(GraphErr::bad_request(format!(
                            "Property '{other}' cannot be updated in the sandbox."
                        )))
                    }
                }
            }
            Ok(no_content())
        }
        _ => Err(GraphErr::method_not_allowed()),
    }
}
