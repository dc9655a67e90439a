//! OData addressing over HTTP, each as a kind: a structural property addressed as a path
//! segment, bound operations of other namespaces called by their unqualified names, and
//! single-valued containments that were never set (404, as Graph answers).

#![cfg(feature = "sandbox")]

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn structural_properties_are_addressable_as_path_segments() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;

    // A complex property of a singleton: the object, with its context.
    for ver in ["v1.0", "beta"] {
        let (st, body) = g.get(&format!("/{ver}/deviceManagement/settings")).await;
        assert_eq!(st, 200, "{ver}: {body}");
        assert_eq!(
            body["deviceComplianceCheckinThresholdDays"],
            json!(30),
            "{body}"
        );
        assert_eq!(
            body["@odata.context"],
            json!(format!(
                "https://graph.microsoft.com/{ver}/$metadata#deviceManagement/settings"
            ))
        );
    }
    // The same value `$select` shows.
    let (st, selected) = g.get("/v1.0/deviceManagement?$select=settings").await;
    assert_eq!(st, 200, "{selected}");
    let (_, direct) = g.get("/v1.0/deviceManagement/settings").await;
    for (k, v) in selected["settings"].as_object().unwrap() {
        assert_eq!(&direct[k], v, "{k}");
    }

    // A primitive (or enum) property: `value`.
    let (st, body) = g.get("/v1.0/deviceManagement/subscriptionState").await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["value"], json!("active"));
    // Below a complex property.
    let (st, body) = g.get("/v1.0/deviceManagement/intuneBrand/showLogo").await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["value"], json!(false));
    // A null property: 204 No Content (OData 4.01 §11.2.6).
    let (st, body) = g
        .get("/v1.0/deviceManagement/intuneBrand/displayName")
        .await;
    assert_eq!(st, 204, "{body}");

    // On an entity of a set: a primitive and a collection.
    let alice = make_user(&g, "alice").await;
    let (st, body) = g.get(&format!("/v1.0/users/{alice}/displayName")).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["value"], json!("alice"));
    let (st, body) = g.get(&format!("/v1.0/users/{alice}/businessPhones")).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["value"], json!([]));

    // Of a missing entity: 404, not a value.
    let (st, body) = g
        .get("/v1.0/users/00000000-0000-0000-0000-00000000dead/displayName")
        .await;
    assert_eq!(st, 404, "{body}");
    // Not a property at all: still the segment error.
    let (st, body) = g.get("/v1.0/deviceManagement/notAProperty").await;
    assert_eq!(st, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("notAProperty"));
    // Only GET reads a property.
    let (st, body) = g
        .send(
            reqwest::Method::DELETE,
            "/v1.0/deviceManagement/settings",
            None,
        )
        .await
        .into_status_body();
    assert_eq!(st, 405, "{body}");
}

#[tokio::test]
async fn operations_of_other_namespaces_answer_unqualified() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    for path in [
        "/v1.0/security/runHuntingQuery",
        "/v1.0/security/microsoft.graph.security.runHuntingQuery",
        "/beta/security/runHuntingQuery",
    ] {
        let (st, body) = g.post(path, json!({"query": "DeviceInfo | take 10"})).await;
        assert_eq!(st, 200, "{path}: {body}");
        // huntingQueryResults: `schema` and `results` are arrays.
        assert!(body["schema"].is_array(), "{path}: {body}");
        assert!(body["results"].is_array(), "{path}: {body}");
    }
    // An unknown name is still the segment error.
    let (st, body) = g.post("/v1.0/security/runNoSuchQuery", json!({})).await;
    assert_eq!(st, 400, "{body}");
}

#[tokio::test]
async fn single_valued_containments_never_set_are_not_found() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    for ver in ["v1.0", "beta"] {
        let path = format!("/{ver}/deviceManagement/applePushNotificationCertificate");
        let (st, body) = g.get(&path).await;
        assert_eq!(st, 404, "{path}: {body}");
        assert!(!code(&body).is_empty(), "{body}");
    }
    // Once written, it answers.
    let (st, body) = g
        .patch(
            "/v1.0/deviceManagement/applePushNotificationCertificate",
            json!({"appleIdentifier": "admin@contoso.com"}),
        )
        .await;
    assert!(st == 200 || st == 204, "{st}: {body}");
    let (st, body) = g
        .get("/v1.0/deviceManagement/applePushNotificationCertificate")
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["appleIdentifier"], json!("admin@contoso.com"));

    // Singletons, containers of other entities and tenant settings keep answering.
    for path in [
        "/v1.0/deviceManagement",
        "/v1.0/admin/reportSettings",
        "/v1.0/policies/authorizationPolicy",
        "/v1.0/security/attackSimulation",
        "/v1.0/identityGovernance/entitlementManagement",
        "/v1.0/admin/sharepoint/settings",
        "/beta/admin/sharepoint/settings",
    ] {
        let (st, body) = g.get(path).await;
        assert_eq!(st, 200, "{path}: {body}");
    }
}

trait StatusBody {
    fn into_status_body(self) -> (u16, Value);
}

impl StatusBody for (u16, reqwest::header::HeaderMap, Value) {
    fn into_status_body(self) -> (u16, Value) {
        (self.0, self.2)
    }
}
