//! Connect-MgGraph, Disconnect-MgGraph and Get-MgContext.
//!
//! One function per sign-in mode (the SDK's parameter sets); each returns the credential, the
//! context Get-MgContext shows and the first token, which proves the sign-in worked before
//! the connection replaces the current one.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{context_value, invalid, param_str, param_switch, SandboxInfo, Session};
use crate::auth::cache::{CachedAccount, TokenCache};
use crate::auth::certificate::CertificateCredential;
use crate::auth::environments::{GLOBAL, SANDBOX};
use crate::auth::flows::{
    self, ClientSecretCredential, DelegatedSignIn, RefreshingCredential, GRAPH_CLI_CLIENT_ID,
};
use crate::auth::interactive::{self, Browser, DelegatedRequest};
use crate::auth::managed::{jwt_claims, ManagedIdentityCredential, UserProvidedToken};
use crate::auth::{AccessToken, AuthError, Connection, ContextInfo, Credential, Environment};
use crate::call::EventSink;
use crate::engine::error::GraphError;
use crate::engine::http::Clients;
use crate::json::{get_ci, string_list};

/// The delegated permissions the walk-through and the test suites need of the sandbox
/// administrator (users, groups, apps, methods, devices, logs, policies, mail), checked against
/// Microsoft's permission map by a test in `sandbox::authz`; the fallback of
/// [`sandbox_admin_scopes`].
pub const SANDBOX_ADMIN_SCOPES: &[&str] = &[
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod",
    "UserAuthenticationMethod.ReadWrite.All",
    "Application.ReadWrite.All",
    "User.ReadWrite",
    "Mail.ReadWrite",
    "UserAuthMethod-Passkey.ReadWrite.All",
    "AuditLog.Read.All",
    "Organization.ReadWrite.All",
    "BitlockerKey.Read.All",
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Domain.ReadWrite.All",
    "DeviceManagementManagedDevices.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "RoleManagement.ReadWrite.Directory",
    "User.Read",
    "Mail.Read",
    "UserAuthMethod-Passkey.Read",
    "UserAuthMethod-Passkey.Read.All",
];

/// What the in-process sandbox's administrator is signed in with when `-Scopes` is not given:
/// every delegated permission of Microsoft's map, as if an administrator had consented them
/// all, so any cmdlet can be rehearsed at once. That sign-in is not recorded as consent
/// ([`crate::emulator::CONSENT_PARAM`]): a script that passes `-Scopes` gets those and what was
/// consented to with `-Scopes` before, as in Entra, and the sandbox refuses the rest as Graph
/// does. [`SANDBOX_ADMIN_SCOPES`] are the ones the walk-through and the test suites are known
/// to need, checked in `sandbox::authz`.
pub fn sandbox_admin_scopes() -> Vec<String> {
    let all: Vec<String> = crate::catalog::permissions::permissions()
        .iter()
        .filter(|p| p.delegated)
        .map(|p| p.name.to_string())
        .collect();
    if all.is_empty() {
        SANDBOX_ADMIN_SCOPES.iter().map(|s| s.to_string()).collect()
    } else {
        all
    }
}

const OIDC: &[&str] = &["openid", "profile", "offline_access", "email"];

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

/// The process environment the module passed (`$env:` as PowerShell sees it).
fn process_env(params: &Map<String, Value>) -> HashMap<String, String> {
    get_ci(params, "ProcessEnvironment")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn sandbox_options(
    params: &Map<String, Value>,
) -> Result<Option<crate::emulator::Options>, GraphError> {
    let Some(opts) = super::object_param(params, "SandboxOptions")? else {
        return Ok(None);
    };
    crate::emulator::options(&opts).map(Some).map_err(invalid)
}

/// The connection being made, before it becomes current.
struct SignedIn {
    credential: Box<dyn Credential>,
    info: ContextInfo,
    first: AccessToken,
    cache: Option<TokenCache>,
}

fn account_of(token: &str) -> Option<String> {
    let claims = jwt_claims(token)?;
    ["upn", "preferred_username", "unique_name"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(Value::as_str).map(str::to_string))
}

/// Scopes as the identity platform of a non-global cloud wants them: qualified with that
/// cloud's Graph resource (`https://graph.microsoft.us/User.Read`).
fn qualify(env: &Environment, scopes: Vec<String>) -> Vec<String> {
    let resource = env.graph_resource();
    if resource == "https://graph.microsoft.com" {
        return scopes;
    }
    scopes
        .into_iter()
        .map(|s| {
            if OIDC.contains(&s.to_ascii_lowercase().as_str()) || s.contains("://") {
                s
            } else {
                format!("{resource}/{s}")
            }
        })
        .collect()
}

fn app_info(
    client_id: &str,
    tenant: &str,
    env: &Environment,
    credential_type: &str,
    scope: &str,
) -> ContextInfo {
    ContextInfo {
        client_id: client_id.to_string(),
        tenant_id: Some(tenant.to_string()),
        scopes: vec![env.default_scope()],
        auth_type: "AppOnly".into(),
        token_credential_type: credential_type.into(),
        context_scope: scope.to_string(),
        environment: env.name.clone(),
        ..Default::default()
    }
}

async fn secret_sign_in(
    clients: &Clients,
    env: &Environment,
    tenant: String,
    client_id: String,
    secret: String,
    credential_type: &str,
    scope: &str,
) -> Result<SignedIn, AuthError> {
    let credential =
        ClientSecretCredential::new(env.clone(), tenant.clone(), client_id.clone(), secret);
    let first = credential.acquire(&clients.auth).await?;
    Ok(SignedIn {
        info: app_info(&client_id, &tenant, env, credential_type, scope),
        credential: Box::new(credential),
        first,
        cache: None,
    })
}

async fn certificate_sign_in(
    clients: &Clients,
    env: &Environment,
    params: &Map<String, Value>,
    tenant: String,
    client_id: String,
    credential_type: &str,
    scope: &str,
) -> Result<SignedIn, GraphError> {
    let der =
        param_str(params, "CertificateDer").ok_or_else(|| invalid("No certificate was given."))?;
    let key = param_str(params, "CertificateKey")
        .ok_or_else(|| invalid("The certificate has no private key."))?;
    let send_chain = param_switch(params, "SendCertificateChain");
    let credential = CertificateCredential::new(
        env.clone(),
        tenant.clone(),
        client_id.clone(),
        &der,
        &key,
        send_chain,
    )
    .map_err(GraphError::Auth)?;
    let first = credential
        .acquire(&clients.auth)
        .await
        .map_err(GraphError::Auth)?;
    let mut info = app_info(&client_id, &tenant, env, credential_type, scope);
    info.certificate_thumbprint = param_str(params, "CertificateThumbprint");
    info.certificate_subject_name = param_str(params, "CertificateSubjectName");
    info.send_certificate_chain = send_chain;
    Ok(SignedIn {
        credential: Box::new(credential),
        info,
        first,
        cache: None,
    })
}

/// Interactive delegated sign-in: silently from the persistent cache when it can, else the
/// browser (or a device code).
async fn delegated_sign_in(
    clients: &Clients,
    env: &Environment,
    params: &Map<String, Value>,
    pe: &HashMap<String, String>,
    sink: &EventSink,
) -> Result<SignedIn, GraphError> {
    let tenant = param_str(params, "TenantId").unwrap_or_else(|| "organizations".into());
    let client_id = param_str(params, "ClientId").unwrap_or_else(|| GRAPH_CLI_CLIENT_ID.into());
    let requested = get_ci(params, "Scopes")
        .map(string_list)
        .unwrap_or_default();
    let scopes = qualify(env, flows::delegated_scopes(&requested));
    let hint = param_str(params, "LoginHint");
    let wsl = std::fs::read_to_string("/proc/version")
        .map(|v| v.to_ascii_lowercase().contains("microsoft"))
        .unwrap_or(false);
    let default_scope = if wsl { "Process" } else { "CurrentUser" };
    let context_scope = param_str(params, "ContextScope").unwrap_or_else(|| default_scope.into());
    let cache = (context_scope == "CurrentUser")
        .then(|| TokenCache::locate(pe))
        .flatten();

    // Silent sign-in with a refresh token a previous process kept.
    let mut signed_in: Option<(DelegatedSignIn, &str)> = None;
    if let Some(cache) = &cache {
        for entry in cache.find(
            &env.azure_ad_endpoint,
            &client_id,
            Some(&tenant),
            hint.as_deref(),
        ) {
            let credential = RefreshingCredential::new(
                env.clone(),
                entry.tenant_id.clone(),
                client_id.clone(),
                scopes.clone(),
                Some(entry.refresh_token.clone()),
            );
            match credential.acquire(&clients.auth).await {
                Ok(access) => {
                    sink.verbose(|| {
                        format!(
                            "Signed in silently with the cached account {}",
                            entry.account.clone().unwrap_or_default()
                        )
                    });
                    let account = entry.account.clone().or_else(|| account_of(&access.secret));
                    signed_in = Some((
                        DelegatedSignIn {
                            access,
                            refresh_token: credential.refresh_token(),
                            scopes: scopes.clone(),
                            account,
                        },
                        "InteractiveBrowser",
                    ));
                    break;
                }
                Err(e) => sink.verbose(|| {
                    format!(
                        "The cached sign-in could not be renewed ({}); signing in again",
                        e.code
                    )
                }),
            }
        }
    }
    let req = DelegatedRequest {
        env,
        tenant: &tenant,
        client_id: &client_id,
        scopes: &scopes,
        login_hint: hint.as_deref(),
    };
    let (mut result, credential_type) = match signed_in {
        Some(s) => s,
        None if param_switch(params, "UseDeviceCode") => (
            interactive::device_code_sign_in(&clients.auth, &req, sink)
                .await
                .map_err(GraphError::Auth)?,
            "DeviceCode",
        ),
        None => {
            let browser = pe
                .get("MGGRAPH_BROWSER")
                .map(|b| Browser::Command(b.clone()))
                .unwrap_or(Browser::System);
            match interactive::browser_sign_in(&clients.auth, &req, &browser, sink)
                .await
                .map_err(GraphError::Auth)?
            {
                Some(s) => (s, "InteractiveBrowser"),
                None => {
                    sink.warning("A web browser could not be opened to sign in; using device code authentication instead.".into());
                    (
                        interactive::device_code_sign_in(&clients.auth, &req, sink)
                            .await
                            .map_err(GraphError::Auth)?,
                        "DeviceCode",
                    )
                }
            }
        }
    };
    if result.account.is_none() {
        result.account = account_of(&result.access.secret);
    }
    let token_tenant = jwt_claims(&result.access.secret)
        .and_then(|c| c.get("tid").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| tenant.clone());
    let info = ContextInfo {
        client_id: client_id.clone(),
        tenant_id: Some(token_tenant.clone()),
        scopes: result
            .scopes
            .iter()
            .filter(|s| !OIDC.contains(&s.as_str()))
            .cloned()
            .collect(),
        auth_type: "Delegated".into(),
        token_credential_type: credential_type.into(),
        account: result.account.clone(),
        app_name: (client_id == GRAPH_CLI_CLIENT_ID)
            .then(|| "Microsoft Graph Command Line Tools".to_string()),
        context_scope: context_scope.clone(),
        environment: env.name.clone(),
        ..Default::default()
    };
    let mut credential = RefreshingCredential::new(
        env.clone(),
        token_tenant.clone(),
        client_id.clone(),
        scopes,
        result.refresh_token.clone(),
    );
    if let Some(cache) = &cache {
        if result.refresh_token.is_some() {
            credential = credential.persisted(
                cache.clone(),
                CachedAccount {
                    authority: env.azure_ad_endpoint.clone(),
                    graph_endpoint: env.graph_endpoint.clone(),
                    tenant_id: token_tenant,
                    client_id,
                    account: result.account.clone(),
                    scopes: info.scopes.clone(),
                    refresh_token: String::new(),
                },
            );
        }
    }
    Ok(SignedIn {
        credential: Box::new(credential),
        info,
        first: result.access,
        cache,
    })
}

/// A warning naming the requested scopes Microsoft's permission map does not know
/// (`User.Raed.All`), or `None`. A tenant refuses a sign-in that asks for a scope Microsoft
/// Graph does not define (AADSTS650053); the sandbox signs in anyway, because its copy of the
/// map may lack a permission Graph added since, but a typo should not pass a rehearsal unseen.
fn unknown_scopes_warning(scopes: &[String]) -> Option<String> {
    let unknown: Vec<&str> = scopes
        .iter()
        .map(|s| crate::catalog::permissions::scope_name(s))
        .filter(|s| !OIDC.iter().any(|o| o.eq_ignore_ascii_case(s)) && *s != ".default")
        .filter(|s| crate::catalog::permissions::permission(s).is_none())
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "Microsoft Graph's permission map has no permission named {}: a tenant refuses a sign-in that asks for a scope Microsoft Graph does not define (AADSTS650053). The sandbox signed in anyway; that scope grants nothing here.",
            unknown
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The in-process sandbox's administrator (or `-LoginHint` user), signed in without a person.
async fn sandbox_sign_in(
    clients: &Clients,
    env: &Environment,
    sandbox: &SandboxInfo,
    params: &Map<String, Value>,
    sink: &EventSink,
) -> Result<SignedIn, GraphError> {
    let requested = get_ci(params, "Scopes")
        .map(string_list)
        .unwrap_or_default();
    // Without -Scopes: every permission, as the sandbox's shortcut, which it does not record
    // as the administrator's consent (so a later -Scopes sign-in gets only what it asks for).
    let shortcut = requested.is_empty();
    let requested = if shortcut {
        sandbox_admin_scopes()
    } else {
        requested
    };
    let scopes = flows::delegated_scopes(&requested);
    if !shortcut {
        if let Some(warning) = unknown_scopes_warning(&scopes) {
            sink.warning(warning);
        }
    }
    let client_id = param_str(params, "ClientId").unwrap_or_else(|| GRAPH_CLI_CLIENT_ID.into());
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
            env,
            tenant: &sandbox.tenant_id,
            client_id: &client_id,
            scopes: &scopes,
            redirect_uri: "http://localhost",
            login_hint: Some(&hint),
        },
        |url| async move {
            let url = if shortcut {
                format!("{url}&{}=none", crate::emulator::CONSENT_PARAM)
            } else {
                url
            };
            flows::headless_browser(&auth_http, url).await
        },
    )
    .await
    .map_err(GraphError::Auth)?;
    let info = ContextInfo {
        client_id: client_id.clone(),
        tenant_id: Some(sandbox.tenant_id.clone()),
        scopes: signed_in
            .scopes
            .iter()
            .filter(|s| !OIDC.contains(&s.as_str()))
            .cloned()
            .collect(),
        auth_type: "Delegated".into(),
        token_credential_type: "InteractiveBrowser".into(),
        account: Some(hint),
        app_name: Some("Microsoft Graph Command Line Tools".into()),
        // The in-process tenant ends with the process: nothing to keep for a later one.
        context_scope: "Process".into(),
        environment: env.name.clone(),
        ..Default::default()
    };
    let credential = RefreshingCredential::new(
        env.clone(),
        sandbox.tenant_id.clone(),
        client_id,
        scopes,
        signed_in.refresh_token,
    );
    Ok(SignedIn {
        credential: Box::new(credential),
        info,
        first: signed_in.access,
        cache: None,
    })
}

/// Signs in and makes the connection current. Returns the context.
pub async fn connect(
    session: &Session,
    params: &Map<String, Value>,
    sink: &EventSink,
) -> Result<ContextInfo, GraphError> {
    // Secrets arrive as references to what the module stored (auth::secrets).
    let params = &crate::auth::secrets::resolve_params(params).map_err(invalid)?;
    let clients = session.clients()?;
    let env_name = param_str(params, "Environment").unwrap_or_else(|| GLOBAL.into());
    let (env, sandbox) = if env_name.eq_ignore_ascii_case(SANDBOX) {
        let info = session.ensure_sandbox(sandbox_options(params)?).await?;
        (info.env.clone(), Some(info))
    } else {
        let env = session.environment(&env_name).ok_or_else(|| {
            invalid(format!(
                "Unknown environment '{env_name}'. Get-MgEnvironment lists the known environments; Add-MgEnvironment adds one."
            ))
        })?;
        (env, None)
    };
    let pe = process_env(params);
    let set = param_str(params, "ParameterSet").unwrap_or_else(|| {
        if param_str(params, "ClientSecret").is_some() {
            "AppSecretCredentialParameterSet".into()
        } else {
            "UserParameterSet".into()
        }
    });
    let scope = param_str(params, "ContextScope").unwrap_or_else(|| "Process".into());
    let tenant =
        param_str(params, "TenantId").or_else(|| sandbox.as_ref().map(|s| s.tenant_id.clone()));
    let client_id = param_str(params, "ClientId");
    let auth = GraphError::Auth;
    sink.verbose(|| {
        format!(
            "Connect-MgGraph: {set} against environment {} ({})",
            env.name, env.azure_ad_endpoint
        )
    });

    let mut signed_in = match set.as_str() {
        "AppSecretCredentialParameterSet" => {
            let secret = param_str(params, "ClientSecret").ok_or_else(|| {
                invalid("-ClientSecretCredential has no password (the client secret).")
            })?;
            let client_id = client_id.ok_or_else(|| invalid("-ClientSecretCredential needs the application (client) id as the credential's user name."))?;
            let tenant = tenant.ok_or_else(|| {
                invalid("-TenantId is required for app-only sign-in (-ClientSecretCredential).")
            })?;
            secret_sign_in(
                clients,
                &env,
                tenant,
                client_id,
                secret,
                "ClientSecret",
                &scope,
            )
            .await
            .map_err(auth)?
        }
        "AppCertificateParameterSet" => {
            let client_id = client_id
                .ok_or_else(|| invalid("-ClientId is required for certificate sign-in."))?;
            let tenant =
                tenant.ok_or_else(|| invalid("-TenantId is required for certificate sign-in."))?;
            certificate_sign_in(
                clients,
                &env,
                params,
                tenant,
                client_id,
                "ClientCertificate",
                &scope,
            )
            .await?
        }
        "AccessTokenParameterSet" => {
            let token = param_str(params, "AccessToken")
                .ok_or_else(|| invalid("-AccessToken is empty."))?;
            let credential = UserProvidedToken::new(token);
            let first = credential.acquire(&clients.auth).await.map_err(auth)?;
            let claims = jwt_claims(&first.secret).unwrap_or(Value::Null);
            let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
            let scopes = match text("scp") {
                Some(scp) => scp.split(' ').map(str::to_string).collect(),
                None => claims.get("roles").map(string_list).unwrap_or_default(),
            };
            let info = ContextInfo {
                client_id: text("appid").or_else(|| text("azp")).unwrap_or_default(),
                tenant_id: text("tid"),
                scopes,
                auth_type: "UserProvidedAccessToken".into(),
                token_credential_type: "UserProvidedAccessToken".into(),
                account: account_of(&first.secret),
                context_scope: "Process".into(),
                environment: env.name.clone(),
                ..Default::default()
            };
            SignedIn {
                credential: Box::new(credential),
                info,
                first,
                cache: None,
            }
        }
        "IdentityParameterSet" => {
            let mut pe = pe.clone();
            if let Some(sb) = &sandbox {
                // The in-process sandbox is the Azure resource the code runs on: its managed
                // identity answers, so a runbook's `Connect-MgGraph -Identity` rehearses
                // unchanged (with -Environment Sandbox, e.g. from $PSDefaultParameterValues).
                pe.insert("IDENTITY_ENDPOINT".into(), sb.identity_endpoint.clone());
                pe.insert("IDENTITY_HEADER".into(), sb.identity_header.clone());
            }
            let credential = ManagedIdentityCredential::new(&pe, client_id.clone(), &env);
            sink.verbose(|| format!("Managed identity source: {}", credential.source.name()));
            let first = credential.acquire(&clients.auth).await.map_err(auth)?;
            let claims = jwt_claims(&first.secret).unwrap_or(Value::Null);
            let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
            let info = ContextInfo {
                client_id: text("appid").or(client_id.clone()).unwrap_or_default(),
                tenant_id: text("tid"),
                scopes: claims.get("roles").map(string_list).unwrap_or_default(),
                auth_type: "ManagedIdentity".into(),
                token_credential_type: "ManagedIdentity".into(),
                managed_identity_id: client_id,
                account: Some(format!("MSI@{}", credential.source.name().replace(' ', ""))),
                context_scope: "Process".into(),
                environment: env.name.clone(),
                ..Default::default()
            };
            SignedIn {
                credential: Box::new(credential),
                info,
                first,
                cache: None,
            }
        }
        "EnvironmentVariableParameterSet" => {
            let client_id = pe
                .get("AZURE_CLIENT_ID")
                .cloned()
                .ok_or_else(|| invalid("-EnvironmentVariable needs AZURE_CLIENT_ID (and AZURE_TENANT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)."))?;
            let tenant = pe
                .get("AZURE_TENANT_ID")
                .cloned()
                .ok_or_else(|| invalid("-EnvironmentVariable needs AZURE_TENANT_ID."))?;
            // As in the SDK, a secret wins over a certificate when both are set.
            let mut s = match pe.get("AZURE_CLIENT_SECRET") {
                Some(secret) => secret_sign_in(clients, &env, tenant, client_id, secret.clone(), "EnvironmentVariable", "Process")
                    .await
                    .map_err(auth)?,
                None if param_str(params, "CertificateDer").is_some() => {
                    certificate_sign_in(clients, &env, params, tenant, client_id, "EnvironmentVariable", "Process").await?
                }
                None => {
                    return Err(invalid(
                        "-EnvironmentVariable needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (AZURE_USERNAME/AZURE_PASSWORD sign-in is not supported).",
                    ))
                }
            };
            s.info.auth_type = "EnvironmentVariable".into();
            s
        }
        _ => match &sandbox {
            Some(sb) if !param_switch(params, "UseDeviceCode") => {
                sandbox_sign_in(clients, &env, sb, params, sink).await?
            }
            _ => delegated_sign_in(clients, &env, params, &pe, sink).await?,
        },
    };
    signed_in.info.ps_host_version = param_str(params, "PSHostVersion");
    if sandbox.is_some() {
        // The context names the cloud the in-process sandbox emulates: security suites accept
        // only the SDK's clouds (Maester's `ValidateSet('Global', ...)` on it) or run their
        // checks only in the global one (`if ((Get-MgContext).Environment -ne 'Global')`), and
        // a rehearsal is for the global cloud's script. Requests stay in the sandbox: the
        // connection keeps its own endpoints, and Graph's public URLs are rebased onto them
        // (engine::uri).
        signed_in.info.environment = GLOBAL.into();
    }
    if let Some(t) = get_ci(params, "ClientTimeout").and_then(Value::as_i64) {
        let mut settings = session.settings();
        settings.client_timeout = t.clamp(1, 86_400) as u64;
        session.set_settings(settings);
    }
    let info = signed_in.info.clone();
    let connection = Connection::new(
        env,
        signed_in.info,
        signed_in.credential,
        Some(signed_in.first),
        signed_in.cache,
    );
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

/// Built-in `Disconnect-MgGraph`: forgets the tokens in memory and the persisted cache, and
/// returns the context that was signed in.
pub async fn run_disconnect(
    session: &Session,
    params: &Map<String, Value>,
    sink: &EventSink,
) -> Result<(), GraphError> {
    let current = session.connection();
    session.set_connection(None);
    let cache = current
        .as_ref()
        .and_then(|c| c.persisted.clone())
        .or_else(|| TokenCache::locate(&process_env(params)));
    if let Some(cache) = cache {
        cache.clear().map_err(|e| {
            invalid(format!(
                "The token cache {} could not be deleted: {e}",
                cache.path.display()
            ))
        })?;
    }
    match current {
        Some(c) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sovereign_clouds_get_qualified_scopes() {
        let usgov = Environment::new(
            "USGov",
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
            true,
        );
        assert_eq!(
            qualify(&usgov, vec!["User.Read".into(), "openid".into()]),
            vec!["https://graph.microsoft.us/User.Read", "openid"]
        );
        let global = Environment::new(
            "Global",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            true,
        );
        assert_eq!(
            qualify(&global, vec!["User.Read".into()]),
            vec!["User.Read"]
        );
    }
}
