//! The sandbox as a server: what `mggraph-sandbox --listen 127.0.0.1:0` runs (through the C
//! ABI's `mggraph_sandbox_serve`, so the program is a launcher of the engine library and the
//! package ships the emulator once).
//!
//! Prints its base URL and the tenant, app id and secret it accepts, then serves until
//! stopped (SIGINT or SIGTERM, after which nothing it wrote is left behind). Non-loopback
//! addresses are refused unless `--allow-remote` is given: the sandbox speaks plain HTTP and
//! hands out tokens to anyone who asks with the printed secret.

use std::net::SocketAddr;

use super::options::{apply, SETTINGS};
use super::{Sandbox, SandboxConfig};

fn usage() -> String {
    let mut s = String::from(
        "usage: mggraph-sandbox [--listen ADDR] [--allow-remote] [--json] [--SETTING VALUE ...]\n\n  --listen ADDR     address to bind (default 127.0.0.1:0: a free loopback port)\n  --allow-remote    allow a non-loopback address\n  --json            print the connection details as one JSON line\n\nsettings:\n",
    );
    let flags: Vec<String> = SETTINGS
        .iter()
        .map(|(name, takes, _)| match *name {
            "Empty" => kebab(name),
            _ => format!("{} <{takes}>", kebab(name)),
        })
        .collect();
    let width = flags.iter().map(String::len).max().unwrap_or(0);
    for (flag, (_, _, what)) in flags.iter().zip(SETTINGS) {
        s.push_str(&format!("  --{flag:<width$} {what}\n"));
    }
    s
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("fault429", "fault-429")
        .replace("fault503", "fault-503")
}

/// Runs the server with `args` (the command line after the program name) until SIGINT or
/// SIGTERM; returns the process exit code (0; 1 when it cannot start; 2 for bad arguments).
/// Messages go to standard output and error, as a command-line program's do.
pub fn run(args: Vec<String>) -> u8 {
    let mut listen = "127.0.0.1:0".to_string();
    let mut allow_remote = false;
    let mut json = false;
    let mut config = SandboxConfig::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{}", usage());
                return 0;
            }
            "--listen" => match args.next() {
                Some(a) => listen = a,
                None => {
                    eprintln!("mggraph-sandbox: --listen needs a value (an address such as 127.0.0.1:8080)");
                    return 2;
                }
            },
            "--allow-remote" => allow_remote = true,
            "--json" => json = true,
            // A switch; `--empty false` is not needed (the demo tenant is the default).
            "--empty" => config.demo = None,
            other if other.starts_with("--") => {
                let flag = &other[2..];
                let Some((name, _, _)) = SETTINGS.iter().find(|(n, _, _)| kebab(n) == flag) else {
                    eprintln!("mggraph-sandbox: unknown option {other}\n\n{}", usage());
                    return 2;
                };
                let Some(value) = args.next() else {
                    eprintln!("mggraph-sandbox: {other} needs a value");
                    return 2;
                };
                if let Err(e) = apply(&mut config, name, &serde_json::Value::String(value)) {
                    // The setting as this command line spells it (`--seed-users`), not as
                    // -SandboxOptions does (`SeedUsers`).
                    eprintln!("mggraph-sandbox: {}", e.replacen(name, other, 1));
                    return 2;
                }
            }
            other => {
                eprintln!(
                    "mggraph-sandbox: unexpected argument '{other}'\n\n{}",
                    usage()
                );
                return 2;
            }
        }
    }
    let addr: SocketAddr = match listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mggraph-sandbox: --listen '{listen}' is not an address such as 127.0.0.1:8080 ({e})");
            return 2;
        }
    };
    if !addr.ip().is_loopback() && !allow_remote {
        eprintln!("mggraph-sandbox: refusing to listen on {addr}: it is not a loopback address. The sandbox serves plain HTTP and issues tokens to anyone with the printed secret; pass --allow-remote if you really mean it.");
        return 2;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mggraph-sandbox: cannot start the runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let sandbox = match Sandbox::start(addr, config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("mggraph-sandbox: cannot listen on {addr}: {e}");
                return 1;
            }
        };
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "baseUrl": sandbox.base_url, "tenantId": sandbox.tenant_id, "domain": sandbox.domain,
                    "clientId": sandbox.client_id, "clientSecret": sandbox.client_secret, "admin": sandbox.admin_upn,
                    "managedIdentity": sandbox.managed_identity(),
                })
            );
        } else {
            println!("MgGraph sandbox listening on {}", sandbox.base_url);
            println!("Tenant:        {} ({})", sandbox.tenant_id, sandbox.domain);
            println!("Client ID:     {}", sandbox.client_id);
            println!("Client secret: {}", sandbox.client_secret);
            println!("Administrator: {}", sandbox.admin_upn);
            println!();
            println!("Connect from PowerShell:");
            println!("  Add-MgEnvironment -Name LocalSandbox -AzureADEndpoint {0} -GraphEndpoint {0}", sandbox.base_url);
            println!(
                "  Connect-MgGraph -Environment LocalSandbox -TenantId {} -ClientSecretCredential (New-Object PSCredential '{}', (ConvertTo-SecureString '<secret>' -AsPlainText -Force))",
                sandbox.tenant_id, sandbox.client_id
            );
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        stopped().await;
        // Closes the connections and removes the Azure Arc key directory.
        drop(sandbox);
        0
    })
}

/// Returns on SIGINT (Ctrl+C) or SIGTERM (a service manager, `kill`, a container stop).
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
