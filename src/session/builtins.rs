//! Commands that are not Graph resource operations: sign-in, environments, request settings,
//! raw requests, batches and the sandbox's stand-ins.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{emit, invalid, param_str, param_switch, CallRequest, Session};
use crate::auth::environments::{validate_endpoint, Environment, SANDBOX};
use crate::call::{EventKind, EventSink};
use crate::catalog::{describe as catalog_describe, BUILTIN_COMMANDS, INTERNAL_COMMANDS};
use crate::engine::error::{describe, ErrorStyle, GraphError};
use crate::engine::http::{Request, Transport};
use crate::engine::invoke;

pub fn is_builtin(name: &str) -> bool {
    BUILTIN_COMMANDS
        .iter()
        .chain(INTERNAL_COMMANDS)
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// The user-defined environment `name`, for Set- and Remove-MgEnvironment (`action`: what
/// would be done to it); built-in clouds, the sandbox and unknown names are refused.
fn user_defined_environment(
    session: &Session,
    name: &str,
    action: &str,
) -> Result<Environment, GraphError> {
    if name.eq_ignore_ascii_case(SANDBOX) {
        return Err(invalid(format!(
            "'{SANDBOX}' is the in-process sandbox and cannot be {action}."
        )));
    }
    match session.environment(name) {
        Some(env) if env.kind == "Built-in" => Err(invalid(format!(
            "'{}' is a built-in environment and cannot be {action}.",
            env.name
        ))),
        Some(env) => Ok(env),
        None => Err(invalid(format!(
            "There is no environment named '{name}' (Get-MgEnvironment lists them)."
        ))),
    }
}

fn transport<'a>(
    session: &'a Session,
    connection: Option<&'a crate::auth::Connection>,
    sink: &'a EventSink,
    activity: &str,
) -> Result<Transport<'a>, GraphError> {
    Ok(Transport::new(
        session.clients()?,
        connection,
        session.settings(),
        sink,
        activity.to_string(),
    ))
}

pub async fn run(
    session: &Session,
    request: CallRequest,
    sink: &EventSink,
) -> Result<(), GraphError> {
    let p = &request.params;
    match request.command.to_ascii_lowercase().as_str() {
        "mggraph.describemodels" => {
            let id = param_str(p, "Id").unwrap_or_default();
            let models = catalog_describe::models(&id)
                .ok_or_else(|| invalid(format!("'{id}' is not a model in the catalog.")))?;
            emit(sink, models).await;
            Ok(())
        }
        "find-mggraphcommand" => {
            let rows = catalog_describe::find(
                param_str(p, "Command").as_deref(),
                param_str(p, "Uri").as_deref(),
                param_str(p, "Method").as_deref(),
                param_str(p, "ApiVersion").as_deref(),
            );
            for row in rows {
                emit(sink, row).await;
            }
            Ok(())
        }
        "find-mggraphpermission" => {
            let all = param_switch(p, "All");
            let search = param_str(p, "SearchString");
            if !all && search.as_deref().map_or(true, str::is_empty) {
                return Err(invalid(
                    "Cannot validate argument on parameter 'SearchString'. The argument is null or empty.",
                ));
            }
            let rows = catalog_describe::find_permissions(
                if all { None } else { search.as_deref() },
                param_switch(p, "ExactMatch"),
                param_str(p, "PermissionType").as_deref().unwrap_or("Any"),
            );
            for row in rows {
                emit(sink, row).await;
            }
            Ok(())
        }
        "connect-mggraph" => super::connect::run_connect(session, p, sink).await,
        "disconnect-mggraph" => super::connect::run_disconnect(session, p, sink).await,
        "get-mgcontext" => super::connect::run_context(session, sink).await,
        "get-mgenvironment" => {
            let name = param_str(p, "Name");
            let mut envs = session.environments();
            if !envs.iter().any(|e| e.name == SANDBOX) {
                envs.push(Environment::new(
                    SANDBOX,
                    "in-process (starts on Connect-MgGraph -Environment Sandbox)",
                    "in-process",
                    true,
                ));
            }
            for env in envs {
                if name
                    .as_ref()
                    .map(|n| n.eq_ignore_ascii_case(&env.name))
                    .unwrap_or(true)
                {
                    emit(sink, serde_json::to_value(&env).unwrap_or(Value::Null)).await;
                }
            }
            Ok(())
        }
        "add-mgenvironment" => {
            let name = param_str(p, "Name").ok_or_else(|| invalid("-Name is required."))?;
            let aad = param_str(p, "AzureADEndpoint")
                .ok_or_else(|| invalid("-AzureADEndpoint is required."))?;
            let graph = param_str(p, "GraphEndpoint")
                .ok_or_else(|| invalid("-GraphEndpoint is required."))?;
            validate_endpoint("AzureADEndpoint", &aad).map_err(invalid)?;
            validate_endpoint("GraphEndpoint", &graph).map_err(invalid)?;
            if let Some(existing) = session.environment(&name) {
                if existing.kind == "Built-in" {
                    return Err(invalid(format!(
                        "'{name}' is a built-in environment and cannot be redefined."
                    )));
                }
            }
            if name.eq_ignore_ascii_case(SANDBOX) {
                return Err(invalid("'Sandbox' is reserved for the in-process sandbox."));
            }
            let env = Environment::new(&name, &aad, &graph, false);
            session.put_environment(env.clone());
            emit(sink, serde_json::to_value(&env).unwrap_or(Value::Null)).await;
            Ok(())
        }
        // Set-MgEnvironment: new endpoints for a user-defined environment (the SDK's
        // learn.microsoft.com/powershell/module/microsoft.graph.authentication/set-mgenvironment).
        "set-mgenvironment" => {
            let name = param_str(p, "Name").ok_or_else(|| invalid("-Name is required."))?;
            let existing = user_defined_environment(session, &name, "changed")?;
            let aad = param_str(p, "AzureADEndpoint").unwrap_or(existing.azure_ad_endpoint);
            let graph = param_str(p, "GraphEndpoint").unwrap_or(existing.graph_endpoint);
            validate_endpoint("AzureADEndpoint", &aad).map_err(invalid)?;
            validate_endpoint("GraphEndpoint", &graph).map_err(invalid)?;
            let env = Environment::new(&existing.name, &aad, &graph, false);
            session.put_environment(env.clone());
            emit(sink, serde_json::to_value(&env).unwrap_or(Value::Null)).await;
            Ok(())
        }
        // Remove-MgEnvironment: forgets a user-defined environment and returns it, as the SDK's
        // does; built-in clouds stay.
        "remove-mgenvironment" => {
            let name = param_str(p, "Name").ok_or_else(|| invalid("-Name is required."))?;
            let existing = user_defined_environment(session, &name, "removed")?;
            session.remove_environment(&existing.name);
            emit(sink, serde_json::to_value(&existing).unwrap_or(Value::Null)).await;
            Ok(())
        }
        "get-mgrequestcontext" => {
            emit(
                sink,
                serde_json::to_value(session.settings()).unwrap_or(Value::Null),
            )
            .await;
            Ok(())
        }
        "set-mgrequestcontext" => {
            let updated = session.settings().apply(p).map_err(invalid)?;
            session.set_settings(updated);
            emit(sink, serde_json::to_value(updated).unwrap_or(Value::Null)).await;
            Ok(())
        }
        "invoke-mggraphrequest" => {
            let connection = session.connection();
            let Some(conn) = connection.as_deref() else {
                sink.error(describe(
                    &GraphError::NotConnected,
                    &ErrorStyle::InvokeRequest,
                ));
                return Ok(());
            };
            let x = transport(session, Some(conn), sink, "Invoke-MgGraphRequest")?;
            match invoke::run(&x, p, &conn.env).await {
                Ok(envelope) => sink.send(EventKind::Response, envelope.to_string()),
                Err(e) => sink.error(describe(&e, &ErrorStyle::InvokeRequest)),
            }
            Ok(())
        }
        "invoke-mggraphbatchrequest" => {
            crate::session::bulk::run_batch_command(session, p, sink).await
        }
        "register-mgsandboxpasskey" => register_passkey(session, p, sink).await,
        other => Err(invalid(format!("unknown command '{other}'"))),
    }
}

/// The sandbox stand-in for "the user signs in with the pass and registers a passkey in the
/// browser": a Temporary Access Pass sign-in, then the beta passkey registration as that user.
async fn register_passkey(
    session: &Session,
    p: &Map<String, Value>,
    sink: &EventSink,
) -> Result<(), GraphError> {
    let user = param_str(p, "UserId").ok_or_else(|| invalid("-UserId is required."))?;
    let pass = param_str(p, "TemporaryAccessPass")
        .ok_or_else(|| invalid("-TemporaryAccessPass is required."))?;
    let display_name =
        param_str(p, "DisplayName").unwrap_or_else(|| "Passkey (MgGraph sandbox)".into());
    let conn = session.connection().ok_or(GraphError::NotConnected)?;
    let env = conn.env.clone();
    if !crate::auth::environments::is_loopback(&env.graph_endpoint) {
        return Err(invalid(format!(
            "Register-MgSandboxPasskey works only against a sandbox; the current environment '{}' is {}.",
            env.name, env.graph_endpoint
        )));
    }
    let tenant = conn
        .info
        .tenant_id
        .clone()
        .unwrap_or_else(|| "organizations".into());
    let clients = session.clients()?;
    sink.verbose(|| format!("Signing in as {user} with a Temporary Access Pass"));
    let resp = clients
        .auth
        .post(env.token_url(&tenant))
        .form(&[
            ("grant_type", crate::emulator::TAP_GRANT),
            ("client_id", crate::auth::flows::GRAPH_CLI_CLIENT_ID),
            ("username", user.as_str()),
            ("temporary_access_pass", pass.as_str()),
            (
                "scope",
                "UserAuthenticationMethod.ReadWrite offline_access openid profile",
            ),
        ])
        .send()
        .await
        .map_err(|e| GraphError::Transport {
            method: "POST".into(),
            url: env.token_url(&tenant),
            message: e.to_string(),
        })?;
    let status = resp.status();
    let body: Value =
        serde_json::from_slice(&resp.bytes().await.unwrap_or_default()).unwrap_or(Value::Null);
    if !status.is_success() {
        let description = body
            .get("error_description")
            .and_then(Value::as_str)
            .and_then(|d| d.lines().next())
            .unwrap_or("the sign-in failed")
            .to_string();
        let code = description
            .split(':')
            .next()
            .unwrap_or("AuthenticationFailed")
            .to_string();
        return Err(GraphError::Auth(crate::auth::AuthError::new(
            code,
            format!("Signing in as {user} with the Temporary Access Pass failed: {description}"),
        )));
    }
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the sign-in returned no access token"))?
        .to_string();
    // A passkey as a browser would create it: a credential id and WebAuthn response parts.
    let mut raw = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut raw);
    let credential_id = URL_SAFE_NO_PAD.encode(&raw[..16]);
    let client_data = URL_SAFE_NO_PAD.encode(
        json!({"type": "webauthn.create", "challenge": URL_SAFE_NO_PAD.encode(&raw[16..]), "origin": "https://mysignins.microsoft.com"}).to_string(),
    );
    let attestation = URL_SAFE_NO_PAD.encode(b"\xa3cfmtdnonegattStmt\xa0hauthData");
    let body = json!({
        "displayName": display_name,
        "publicKeyCredential": {
            "id": credential_id,
            "response": {"clientDataJSON": client_data, "attestationObject": attestation}
        }
    });
    let request = Request::new(
        reqwest::Method::POST,
        format!("{}/beta/me/authentication/fido2Methods", env.graph_endpoint),
    )
    .header("Authorization", format!("Bearer {token}"))
    .json_body(&body);
    let mut request = request;
    request.authenticate = false;
    let x = transport(session, None, sink, "Register-MgSandboxPasskey")?;
    let resp = x.send(&request).await?;
    if !resp.is_success() {
        return Err(resp.failure());
    }
    emit(sink, resp.json()?).await;
    Ok(())
}
