//! Clouds: the SDK's built-in environments plus user-defined ones (`Add-MgEnvironment`).

use serde::Serialize;

/// One environment: where to sign in and where Graph lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub name: String,
    #[serde(rename = "azureADEndpoint")]
    pub azure_ad_endpoint: String,
    pub graph_endpoint: String,
    /// `Built-in` or `User-defined`, as Get-MgEnvironment prints it.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The name of the in-process sandbox environment.
pub const SANDBOX: &str = "Sandbox";

/// The name of Graph's global (commercial) cloud, the SDK's default environment.
pub const GLOBAL: &str = "Global";

impl Environment {
    pub fn new(name: &str, aad: &str, graph: &str, built_in: bool) -> Environment {
        Environment {
            name: name.to_string(),
            azure_ad_endpoint: aad.trim_end_matches('/').to_string(),
            graph_endpoint: graph.trim_end_matches('/').to_string(),
            kind: if built_in { "Built-in" } else { "User-defined" }.to_string(),
        }
    }

    /// The token endpoint for a tenant.
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.azure_ad_endpoint, tenant)
    }

    pub fn authorize_url(&self, tenant: &str) -> String {
        format!(
            "{}/{}/oauth2/v2.0/authorize",
            self.azure_ad_endpoint, tenant
        )
    }

    pub fn device_code_url(&self, tenant: &str) -> String {
        format!(
            "{}/{}/oauth2/v2.0/devicecode",
            self.azure_ad_endpoint, tenant
        )
    }

    /// The `.default` scope of this cloud's Graph.
    pub fn default_scope(&self) -> String {
        format!("{}/.default", self.graph_resource())
    }

    /// The Graph resource identifier tokens are requested for. Loopback endpoints (sandboxes)
    /// are Graph stand-ins and ask for Graph's global resource.
    pub fn graph_resource(&self) -> String {
        if is_loopback(&self.graph_endpoint) {
            "https://graph.microsoft.com".to_string()
        } else {
            self.graph_endpoint.clone()
        }
    }
}

/// Whether a URL points at this machine (where plain http is acceptable).
pub fn is_loopback(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host().map(|h| match h {
                url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
            })
        })
        .unwrap_or(false)
}

/// Checks an endpoint a user supplies: absolute, and https unless it is loopback (tokens must
/// not travel in clear text).
pub fn validate_endpoint(name: &str, url: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(url).map_err(|e| format!("-{name} '{url}' is not an absolute URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        other => Err(format!(
            "-{name} '{url}' must use https (http is accepted only for loopback addresses, such as a local sandbox); got '{other}'."
        )),
    }
}

/// The SDK's built-in clouds.
pub fn built_in() -> Vec<Environment> {
    vec![
        Environment::new(
            GLOBAL,
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            true,
        ),
        Environment::new(
            "China",
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
            true,
        ),
        Environment::new(
            "USGov",
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
            true,
        ),
        Environment::new(
            "USGovDoD",
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us",
            true,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_unless_loopback() {
        assert!(validate_endpoint("GraphEndpoint", "https://graph.example.com").is_ok());
        assert!(validate_endpoint("GraphEndpoint", "http://127.0.0.1:5000").is_ok());
        assert!(validate_endpoint("GraphEndpoint", "http://localhost:5000").is_ok());
        assert!(
            validate_endpoint("GraphEndpoint", "http://graph.example.com")
                .unwrap_err()
                .contains("https")
        );
        assert!(validate_endpoint("GraphEndpoint", "graph").is_err());
    }

    #[test]
    fn built_in_clouds_match_the_sdk() {
        let envs = built_in();
        let usgov = envs.iter().find(|e| e.name == "USGov").unwrap();
        assert_eq!(
            usgov.token_url("t"),
            "https://login.microsoftonline.us/t/oauth2/v2.0/token"
        );
        assert_eq!(usgov.default_scope(), "https://graph.microsoft.us/.default");
        let local = Environment::new("S", "http://127.0.0.1:1", "http://127.0.0.1:1/", false);
        assert_eq!(
            local.default_scope(),
            "https://graph.microsoft.com/.default"
        );
        assert_eq!(local.graph_endpoint, "http://127.0.0.1:1");
    }
}
