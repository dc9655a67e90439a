//! Connect-MgGraph, Disconnect-MgGraph and Get-MgContext.

use serde_json::{json, Map, Value};

use super::{context_value, invalid, param_str, param_switch, Session};
use crate::auth::environments::SANDBOX;
use crate::auth::flows::{self, ClientSecretCredential, RefreshingCredential, GRAPH_CLI_CLIENT_ID};
use crate::auth::{Connection, ContextInfo, Credential, Environment};
use crate::call::EventSink;
use crate::engine::error::GraphError;
use crate::json::{get_ci, string_list};

/// Delegated permissions the sandbox administrator signs in with when no -Scopes are given:
/// enough for every cmdlet of the module (the SDK's own default, User.Read, is not).
pub const SANDBOX_ADMIN_SCOPES: &[&str] = &[
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod",
    "UserAuthenticationMethod.ReadWrite.All",
];

/// The SDK's welcome banner.
pub fn welcome(info: &ContextInfo) -> String {
    let access = if info.auth_type == "Delegated" {
        "delegated"
    } else {
        "apponly"
    };
    format!(
        "Welcome to Microsoft Graph!\n\nConnected via {access} access using {}\nReadme: https://aka.ms/graph/sdk/powershell\nSDK Docs: https://aka.ms/graph/sdk/powershell/docs\nAPI Docs: https://aka.ms/graph/docs\n\nNOTE: You can use the -NoWelcome parameter to suppress this message.",
        info.client_id
    )
}

fn environment(
    session: &Session,
    params: &Map<String, Value>,
) -> Result<Option<Environment>, GraphError> {
    let name = param_str(params, "Environment").unwrap_or_else(|| "Global".into());
    if name.eq_ignore_ascii_case(SANDBOX) {
        return Ok(None);
    }
    session.environment(&name).map(Some).ok_or_else(|| {
        invalid(format!(
            "Unknown environment '{name}'. Get-MgEnvironment lists the known environments; Add-MgEnvironment adds one."
        ))
    })
}

fn sandbox_options(
    params: &Map<String, Value>,
) -> Result<Option<crate::sandbox::SandboxConfig>, GraphError> {
    let Some(opts) = super::object_param(params, "SandboxOptions")? else {
        return Ok(None);
    };
    crate::sandbox::options::from_params(&opts)
        .map(Some)
        .map_err(invalid)
}

/// Signs in and makes the connection current. Returns the context.
pub async fn connect(
    session: &Session,
    params: &Map<String, Value>,
    sink: &EventSink,
) -> Result<ContextInfo, GraphError> {
    let clients = session.clients()?;
    let env = environment(session, params)?;
    let (env, sandbox) = match env {
        Some(e) => (e, None),
        None => {
            let info = session.ensure_sandbox(sandbox_options(params)?).await?;
            (info.env.clone(), Some(info))
        }
    };
    let tenant = param_str(params, "TenantId");
    let client_id = param_str(params, "ClientId");
    let secret = param_str(params, "ClientSecret");
    let scope = param_str(params, "ContextScope").unwrap_or_else(|| "Process".into());
    let ps_version = param_str(params, "PSHostVersion");

    let (connection, info) = if let Some(secret) = secret {
        let client_id = client_id.ok_or_else(|| invalid("-ClientSecretCredential needs the application (client) id as the credential's user name."))?;
        let tenant = tenant
            .or_else(|| sandbox.as_ref().map(|s| s.tenant_id.clone()))
            .ok_or_else(|| {
                invalid("-TenantId is required for app-only sign-in (-ClientSecretCredential).")
            })?;
        sink.verbose(|| {
            format!(
                "Signing in to {} as application {client_id} (client secret) in tenant {tenant}",
                env.name
            )
        });
        let credential =
            ClientSecretCredential::new(env.clone(), tenant.clone(), client_id.clone(), secret);
        let token = credential
            .acquire(&clients.auth)
            .await
            .map_err(GraphError::Auth)?;
        let info = ContextInfo {
            client_id: client_id.clone(),
            tenant_id: Some(tenant),
            scopes: vec![env.default_scope()],
            auth_type: "AppOnly".into(),
            token_credential_type: "ClientSecret".into(),
            app_name: None,
            context_scope: scope,
            ps_host_version: ps_version,
            environment: env.name.clone(),
            ..Default::default()
        };
        (
            Connection::new(env, info.clone(), Box::new(credential), Some(token)),
            info,
        )
    } else if let Some(sandbox) = sandbox {
        let requested = get_ci(params, "Scopes")
            .map(string_list)
            .unwrap_or_default();
        let requested = if requested.is_empty() {
            SANDBOX_ADMIN_SCOPES.iter().map(|s| s.to_string()).collect()
        } else {
            requested
        };
        let scopes = flows::delegated_scopes(&requested);
        let client_id = client_id.unwrap_or_else(|| GRAPH_CLI_CLIENT_ID.into());
        let hint = param_str(params, "LoginHint").unwrap_or_else(|| sandbox.admin_upn.clone());
        sink.verbose(|| {
            format!(
                "Signing in to the in-process sandbox ({}) as {hint}",
                env.graph_endpoint
            )
        });
        let auth_http = clients.auth.clone();
        let signed_in = flows::authorization_code(
            &clients.auth,
            flows::AuthCodeRequest {
                env: &env,
                tenant: &sandbox.tenant_id,
                client_id: &client_id,
                scopes: &scopes,
                redirect_uri: "http://localhost",
                login_hint: Some(&hint),
            },
            |url| async move { flows::headless_browser(&auth_http, url).await },
        )
        .await
        .map_err(GraphError::Auth)?;
        let info = ContextInfo {
            client_id: client_id.clone(),
            tenant_id: Some(sandbox.tenant_id.clone()),
            scopes: signed_in
                .scopes
                .iter()
                .filter(|s| !["openid", "profile", "offline_access", "email"].contains(&s.as_str()))
                .cloned()
                .collect(),
            auth_type: "Delegated".into(),
            token_credential_type: "InteractiveBrowser".into(),
            account: Some(hint),
            app_name: Some("Microsoft Graph Command Line Tools".into()),
            context_scope: scope,
            ps_host_version: ps_version,
            environment: env.name.clone(),
            ..Default::default()
        };
        let credential = RefreshingCredential::new(
            env.clone(),
            sandbox.tenant_id,
            client_id,
            scopes,
            signed_in.refresh_token,
        );
        (
            Connection::new(
                env,
                info.clone(),
                Box::new(credential),
                Some(signed_in.access),
            ),
            info,
        )
    } else {
        return Err(invalid(format!(
            "No sign-in method was given for environment '{}'. Use -ClientId with -TenantId and -ClientSecretCredential for app-only access, or -Environment Sandbox for the built-in sandbox tenant.",
            env.name
        )));
    };
    session.set_connection(Some(connection));
    Ok(info)
}

/// Built-in `Connect-MgGraph`.
pub async fn run_connect(
    session: &Session,
    params: &Map<String, Value>,
    sink: &EventSink,
) -> Result<(), GraphError> {
    let info = connect(session, params, sink).await?;
    if !param_switch(params, "NoWelcome") {
        super::emit(sink, json!(welcome(&info))).await;
    }
    Ok(())
}

/// Built-in `Disconnect-MgGraph`: forgets the connection and returns its context.
pub async fn run_disconnect(session: &Session, sink: &EventSink) -> Result<(), GraphError> {
    match session.connection() {
        Some(c) => {
            session.set_connection(None);
            super::emit(sink, context_value(&c.info)).await;
            Ok(())
        }
        None => Err(invalid("No application to sign out from. Connect-MgGraph has not been called, or Disconnect-MgGraph already ran.")),
    }
}

/// Built-in `Get-MgContext`: the context, or nothing when disconnected.
pub async fn run_context(session: &Session, sink: &EventSink) -> Result<(), GraphError> {
    if let Some(c) = session.connection() {
        super::emit(sink, context_value(&c.info)).await;
    }
    Ok(())
}
