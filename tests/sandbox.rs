//! The sandbox over real HTTP: identity platform, wire format, permissions and the TAP rules.

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{json, Value};

const TAP_TYPE: &str = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration";

async fn make_user(g: &Graph, nick: &str, domain: &str) -> String {
    let (status, user) = g
        .post(
            "/v1.0/users",
            json!({"accountEnabled": true, "displayName": nick, "mailNickname": nick,
                   "userPrincipalName": format!("{nick}@{domain}"),
                   "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d", "forceChangePasswordNextSignIn": true}}),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    user["id"].as_str().unwrap().to_string()
}

/// Enables TAP for a new group holding `user_id`.
async fn enable_tap_for(g: &Graph, user_id: &str) -> String {
    let (_, group) = g
        .post("/v1.0/groups", json!({"displayName": "TAP", "mailEnabled": false, "mailNickname": "tap", "securityEnabled": true}))
        .await;
    let gid = group["id"].as_str().unwrap().to_string();
    let (s, _) = g
        .post(&format!("/v1.0/groups/{gid}/members/$ref"), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user_id}")}))
        .await;
    assert_eq!(s, 204);
    let (s, body) = g
        .patch(
            "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass",
            json!({"@odata.type": TAP_TYPE, "state": "enabled", "includeTargets": [{"id": gid, "targetType": "group", "isRegistrationRequired": false}]}),
        )
        .await;
    assert_eq!(s, 204, "{body}");
    gid
}

#[tokio::test]
async fn client_credentials_issue_tokens_and_refuse_a_wrong_secret() {
    let s = sandbox(SandboxConfig::default()).await;
    let token = app_token(&s).await;
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let resp = client()
        .post(format!("{}/{}/oauth2/v2.0/token", s.base_url, s.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", s.client_id.as_str()),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS7000215: Invalid client secret provided."));
    assert_eq!(body["error_codes"], json!([7000215]));
    // An unknown tenant.
    let resp = client()
        .post(format!(
            "{}/not-a-tenant.example/oauth2/v2.0/token",
            s.base_url
        ))
        .form(&[("grant_type", "client_credentials"), ("client_id", "x")])
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS90002"),
        "{body}"
    );
}

#[tokio::test]
async fn graph_requires_a_valid_token_and_echoes_request_ids() {
    let s = sandbox(SandboxConfig::default()).await;
    let resp = client()
        .get(format!("{}/v1.0/users", s.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
    let resp = client()
        .get(format!("{}/v1.0/users/nobody@x.com", s.base_url))
        .bearer_auth(app_token(&s).await)
        .header("client-request-id", "my-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["client-request-id"], "my-id-1");
    let rid = resp.headers()["request-id"].to_str().unwrap().to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(body["error"]["innerError"]["request-id"], rid);
    assert_eq!(body["error"]["innerError"]["client-request-id"], "my-id-1");
    let date = body["error"]["innerError"]["date"].as_str().unwrap();
    assert_eq!(date.len(), 19, "no zone, no fraction: {date}");
}

#[tokio::test]
async fn a_token_without_the_permission_gets_403() {
    let s = sandbox(SandboxConfig::default()).await;
    let token = user_token(&s, &s.admin_upn, "User.Read openid offline_access").await;
    let g = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    let (status, me) = g.get("/v1.0/me").await;
    assert_eq!(status, 200, "User.Read reads /me");
    assert_eq!(me["userPrincipalName"], json!(s.admin_upn));
    let (status, body) = g.get("/v1.0/users").await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    assert!(
        token["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
}

#[tokio::test]
async fn users_page_with_next_links_filter_and_count() {
    let s = sandbox(SandboxConfig {
        seed_users: 250,
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let (status, page) = g.get("/v1.0/users").await;
    assert_eq!(status, 200);
    assert_eq!(
        page["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users"
    );
    assert_eq!(
        page["value"].as_array().unwrap().len(),
        100,
        "default page size"
    );
    let mut next = page["@odata.nextLink"].as_str().unwrap().to_string();
    let mut total = 100;
    loop {
        let resp: Value = client()
            .get(&next)
            .bearer_auth(&g.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        total += resp["value"].as_array().unwrap().len();
        match resp["@odata.nextLink"].as_str() {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    assert_eq!(total, 254, "admin, three sample users and 250 seeded");
    let (_, f) = g.get("/v1.0/users?$filter=startswith(displayName,'Seed%20User%2000001')&$select=id,displayName").await;
    assert_eq!(f["value"].as_array().unwrap().len(), 10, "{f}");
    assert_eq!(f["value"][0].as_object().unwrap().len(), 2);
    let (status, err) = g
        .get("/v1.0/users?$filter=endswith(mail,'@contoso.onmicrosoft.com')")
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "Request_UnsupportedQuery");
    let (status, err) = g.get("/v1.0/users?$top=1000").await;
    assert_eq!(status, 400);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("between 1 and 999"));
    let body: Value = client()
        .get(format!(
            "{}/v1.0/users?$filter=endswith(mail,'@contoso.onmicrosoft.com')&$count=true&$top=5",
            s.base_url
        ))
        .bearer_auth(&g.token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["@odata.count"], 254);
}

#[tokio::test]
async fn users_reject_malformed_bodies_and_duplicates() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, body) = g
        .send(Method::POST, "/v1.0/users", None)
        .await
        .into_status_body();
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Unable to read JSON"));
    make_user(&g, "dup", &s.domain).await;
    let (status, body) = g
        .post("/v1.0/users", json!({"accountEnabled": true, "displayName": "d", "mailNickname": "dup", "userPrincipalName": format!("dup@{}", s.domain), "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["details"][0]["code"], "ObjectConflict");
    let (status, body) = g
        .post("/v1.0/users", json!({"accountEnabled": "yes", "displayName": "d", "mailNickname": "x", "userPrincipalName": format!("x@{}", s.domain), "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}))
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Edm.Boolean"));
    let (status, _) = g
        .post("/v1.0/users", json!({"accountEnabled": true, "displayName": "d", "mailNickname": "y", "userPrincipalName": "y@fabrikam.com", "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}))
        .await;
    assert_eq!(status, 400);
}

trait StatusBody {
    fn into_status_body(self) -> (u16, Value);
}

impl StatusBody for (u16, reqwest::header::HeaderMap, Value) {
    fn into_status_body(self) -> (u16, Value) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn tap_follows_the_policy_rules() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let uid = make_user(&g, "tapuser", &s.domain).await;
    let taps = format!("/v1.0/users/{uid}/authentication/temporaryAccessPassMethods");

    // Disabled by default.
    let (status, body) = g.post(&taps, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "badRequest");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Converged UserCredentialPolicy does not allow"));
    assert_eq!(
        body["error"]["innerError"]["message"],
        body["error"]["message"]
    );

    enable_tap_for(&g, &uid).await;
    // A user outside the group is still refused.
    let other = make_user(&g, "outsider", &s.domain).await;
    let (status, _) = g
        .post(
            &format!("/v1.0/users/{other}/authentication/temporaryAccessPassMethods"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400);

    // Lifetime bounds come from the policy.
    let (status, body) = g.post(&taps, json!({"lifetimeInMinutes": 30})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Invalid LifetimeInMinutes specified. The valid range between 60 and 480."
    );

    // Hours in the past are refused; a few seconds (clock skew) are not.
    let past = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
    let (status, body) = g.post(&taps, json!({"startDateTime": past})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Invalid StartDateTime specified. It can not be a time in the past."
    );
    let recent = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    let (status, first) = g
        .post(
            &taps,
            json!({"startDateTime": recent, "isUsableOnce": true}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["isUsable"], true);
    assert_eq!(first["methodUsabilityReason"], "EnabledByPolicy");
    assert_eq!(first["lifetimeInMinutes"], 60, "the policy default");
    assert_eq!(first["temporaryAccessPass"].as_str().unwrap().len(), 8);

    // One pass per user: a new one replaces the old.
    let (status, second) = g.post(&taps, json!({"lifetimeInMinutes": 120})).await;
    assert_eq!(status, 201);
    let (_, list) = g.get(&taps).await;
    let items = list["value"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], second["id"]);
    assert!(
        items[0]["temporaryAccessPass"].is_null(),
        "the value only appears at creation"
    );
    assert!(
        items[0].get("temporaryAccessPass").is_some(),
        "the key is present with null"
    );
    let (status, _) = g
        .get(&format!("{taps}/{}", first["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 404);

    // A pass that starts later is not yet valid.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (_, future) = g.post(&taps, json!({"startDateTime": later})).await;
    assert_eq!(future["isUsable"], false);
    assert_eq!(future["methodUsabilityReason"], "NotYetValid");

    // Update is not supported; delete works once.
    let fid = future["id"].as_str().unwrap();
    let (status, _) = g
        .patch(&format!("{taps}/{fid}"), json!({"lifetimeInMinutes": 90}))
        .await;
    assert_eq!(status, 405);
    assert_eq!(g.delete(&format!("{taps}/{fid}")).await.0, 204);
    assert_eq!(g.delete(&format!("{taps}/{fid}")).await.0, 404);
}

#[tokio::test]
async fn a_one_time_pass_signs_in_once_and_registers_a_passkey() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let uid = make_user(&g, "passkey", &s.domain).await;
    enable_tap_for(&g, &uid).await;
    let (_, tap) = g
        .post(
            &format!("/v1.0/users/{uid}/authentication/temporaryAccessPassMethods"),
            json!({"isUsableOnce": true}),
        )
        .await;
    let pass = tap["temporaryAccessPass"].as_str().unwrap().to_string();
    let sign_in = |pass: String| {
        let s = &s;
        async move {
            let resp = client()
                .post(format!("{}/{}/oauth2/v2.0/token", s.base_url, s.tenant_id))
                .form(&[
                    ("grant_type", mggraph::sandbox::identity::TAP_GRANT),
                    ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
                    ("username", &format!("passkey@{}", s.domain)),
                    ("temporary_access_pass", &pass),
                ])
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, wrong) = sign_in("nope".into()).await;
    assert_eq!(status, 400);
    assert!(wrong["error_description"]
        .as_str()
        .unwrap()
        .contains("incorrect"));
    let (status, token) = sign_in(pass.clone()).await;
    assert_eq!(status, 200, "{token}");
    let (status, again) = sign_in(pass).await;
    assert_eq!(status, 400);
    assert!(
        again["error_description"]
            .as_str()
            .unwrap()
            .contains("one use only"),
        "{again}"
    );
    let (_, taps) = g
        .get(&format!(
            "/v1.0/users/{uid}/authentication/temporaryAccessPassMethods"
        ))
        .await;
    assert_eq!(taps["value"][0]["methodUsabilityReason"], "OneTimeUsed");

    let me = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    let (status, key) = me
        .post(
            "/beta/me/authentication/fido2Methods",
            json!({"displayName": "Key", "publicKeyCredential": {"id": "AAEC", "response": {"clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0", "attestationObject": "o2NmbXQ"}}}),
        )
        .await;
    assert_eq!(status, 201, "{key}");
    assert_eq!(
        key["@odata.type"],
        "#microsoft.graph.fido2AuthenticationMethod"
    );
    let (status, bad) = me
        .post(
            "/beta/me/authentication/fido2Methods",
            json!({"displayName": "x"}),
        )
        .await;
    assert_eq!(status, 400, "{bad}");
    let (_, methods) = g
        .get(&format!(
            "/v1.0/users/passkey@{}/authentication/methods",
            s.domain
        ))
        .await;
    let types: Vec<&str> = methods["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
            "#microsoft.graph.fido2AuthenticationMethod"
        ]
    );
    assert_eq!(
        methods["@odata.context"],
        format!("https://graph.microsoft.com/v1.0/$metadata#users('passkey%40{}')/authentication/methods", s.domain)
    );
}

#[tokio::test]
async fn per_user_mfa_lives_in_beta_only() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let uid = make_user(&g, "mfa", &s.domain).await;
    let path = format!("/beta/users/{uid}/authentication/requirements");
    let (status, body) = g.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(body["perUserMfaState"], "disabled");
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/authentication/requirements"));
    assert_eq!(
        g.patch(&path, json!({"perUserMfaState": "enabled"}))
            .await
            .0,
        204
    );
    assert_eq!(g.get(&path).await.1["perUserMfaState"], "enabled");
    assert_eq!(
        g.patch(&path, json!({"perUserMfaState": "sometimes"}))
            .await
            .0,
        400
    );
    let (status, body) = g
        .get(&format!("/v1.0/users/{uid}/authentication/requirements"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'requirements'."
    );
}

#[tokio::test]
async fn group_membership_rules() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let uid = make_user(&g, "member", &s.domain).await;
    let gid = enable_tap_for(&g, &uid).await;
    let (status, body) = g
        .post(&format!("/v1.0/groups/{gid}/members/$ref"), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{uid}")}))
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already exist"));
    let (_, members) = g.get(&format!("/v1.0/groups/{gid}/members")).await;
    assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");
    assert_eq!(members["value"][0]["id"], json!(uid));
    let (status, _) = g
        .post(&format!("/v1.0/groups/{gid}/members/$ref"), json!({"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-000000000000"}))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn batches_answer_each_step_and_honour_depends_on() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, body) = g
        .post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": "1", "method": "GET", "url": "/users/nobody@x.com"},
                {"id": "2", "method": "GET", "url": "/users?$top=1", "dependsOn": ["1"]},
                {"id": "3", "method": "GET", "url": format!("/users/{}", s.admin_upn)}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    let r = body["responses"].as_array().unwrap();
    assert_eq!(r[0]["status"], 404);
    assert_eq!(r[1]["status"], 424);
    assert_eq!(r[2]["status"], 200);
    assert_eq!(r[2]["body"]["userPrincipalName"], json!(s.admin_upn));
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    assert_eq!(
        g.post("/v1.0/$batch", json!({"requests": too_many}))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn throttling_budget_answers_429_with_retry_after() {
    let mut config = SandboxConfig::default();
    config.faults.rate_limit_ru_per_sec = Some(3.0);
    let s = sandbox(config).await;
    let g = app_graph(&s).await;
    let mut throttled = None;
    for _ in 0..10 {
        let (status, headers, body) = g
            .send(Method::GET, &format!("/v1.0/users/{}", s.admin_upn), None)
            .await;
        if status == 429 {
            throttled = Some((headers, body));
            break;
        }
    }
    let (headers, body) = throttled.expect("the budget runs out");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        headers["x-ms-throttle-information"],
        "ResourceUnitLimitExceeded"
    );
    assert_eq!(body["error"]["code"], "TooManyRequests");
}

/// `Connect-MgGraph -Environment Sandbox` does not wait for the demo data: the built-in
/// administrator's sign-in through the Graph command-line tools reads only built-in principals,
/// so it completes while the tenant is still being filled. A principal the fill adds waits for it
/// (and is then found, not refused as unknown), and Graph answers from the filled tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_signs_in_before_the_fill_and_graph_answers_after_it() {
    // Enough extra users that the fill takes a second or more, against milliseconds for a
    // sign-in on loopback.
    let s = sandbox(SandboxConfig {
        seed_users: 40_000,
        ..Default::default()
    })
    .await;
    let admin = format!("admin@{}", s.domain);
    let body = user_token(&s, &admin, "User.Read.All offline_access").await;
    assert!(
        !s.state.filled.is_open(),
        "the administrator's sign-in waited for the fill"
    );
    let (status, seeded) = sign_in(&s, &format!("seed000001@{}", s.domain), "User.Read").await;
    assert_eq!(
        status, 200,
        "a user the fill adds signs in once it is there: {seeded}"
    );
    assert!(s.state.filled.is_open());
    let g = Graph {
        base: s.base_url.clone(),
        token: body["access_token"].as_str().unwrap().to_string(),
    };
    let (status, count) = eventual(&g, "/v1.0/users/$count").await;
    assert_eq!(status, 200, "{count}");
    assert!(count.as_u64().unwrap() > 40_000, "{count}");
}
