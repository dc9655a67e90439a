//! Sandbox settings by name, shared by `mggraph-sandbox`'s arguments and the in-process
//! sandbox's `-SandboxOptions` hashtable.

use std::time::Duration;

use serde_json::{Map, Value};

use super::SandboxConfig;

/// Every setting: (name, what it takes, what it does).
pub const SETTINGS: &[(&str, &str, &str)] = &[
    ("TenantId", "guid", "the tenant id (random by default)"),
    (
        "Domain",
        "name",
        "the verified domain (contoso.onmicrosoft.com)",
    ),
    (
        "ClientId",
        "guid",
        "the automation app's id (random by default)",
    ),
    (
        "ClientSecret",
        "text",
        "the automation app's secret (random by default)",
    ),
    (
        "SeedUsers",
        "count",
        "extra users to create, seed000001@domain ...",
    ),
    (
        "Seed",
        "number",
        "seed of the demo tenant: the same seed, the same tenant (2026)",
    ),
    (
        "Empty",
        "true|false",
        "start a blank tenant: the administrator, three named users and the automation app",
    ),
    (
        "TokenLifetimeSeconds",
        "seconds",
        "access token lifetime (3599)",
    ),
    (
        "RefreshTokenLifetimeSeconds",
        "seconds",
        "refresh token lifetime (90 days)",
    ),
    (
        "DeviceCodeIntervalSeconds",
        "seconds",
        "device-code polling interval (5)",
    ),
    (
        "DeviceCodeExpirySeconds",
        "seconds",
        "device-code lifetime (900)",
    ),
    (
        "DeviceCodeSlowDown",
        "count",
        "polls answered slow_down before the others (0)",
    ),
    (
        "MaxPageSize",
        "count",
        "largest $top the service accepts (999)",
    ),
    ("DefaultPageSize", "count", "page size without $top (100)"),
    (
        "TapStartSkewSeconds",
        "seconds",
        "how far in the past a TAP start may be (300)",
    ),
    (
        "LatencyMs",
        "milliseconds",
        "added to every Graph request (0)",
    ),
    (
        "RateLimit",
        "RU per second",
        "per-app resource-unit budget; beyond it, 429 with Retry-After",
    ),
    ("Fault429", "0..1", "probability of a random 429"),
    ("Fault503", "0..1", "probability of a random 503"),
    ("FaultDrop", "0..1", "probability of a dropped connection"),
    (
        "FaultSeed",
        "number",
        "seed of the fault draws, for replaying a run (0)",
    ),
    ("RetryAfter", "seconds", "Retry-After of random 429/503 (1)"),
    (
        "HeaderReadTimeoutSeconds",
        "seconds",
        "time a client has to send a request's headers and body (20)",
    ),
    (
        "IdleTimeoutSeconds",
        "seconds",
        "time a kept-alive connection may stay idle (60)",
    ),
    (
        "MaxConnections",
        "count",
        "connections open at once; beyond, the longest-waiting idle one is closed (4096)",
    ),
];

/// A positive duration in seconds (fractions allowed).
fn seconds(name: &str, v: &Value) -> Result<Duration, String> {
    let n = num(name, v)?;
    if n.is_finite() && n > 0.0 && n <= 86_400.0 {
        Ok(Duration::from_secs_f64(n))
    } else {
        Err(format!(
            "{name} must be a number of seconds above 0 and at most 86400; got {n}"
        ))
    }
}

fn num(name: &str, v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{name}: not a number")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{name}: '{s}' is not a number")),
        other => Err(format!("{name}: expected a number, got {other}")),
    }
}

fn flag(name: &str, v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("{name} must be true or false; got {other}")),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A tenant or application id: a GUID, as Entra ID issues them (written lower-case).
fn guid(name: &str, v: &Value) -> Result<String, String> {
    let s = text(v);
    uuid::Uuid::parse_str(s.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            format!("{name} must be a GUID such as 00000000-0000-0000-0000-000000000000; got '{s}'")
        })
}

fn probability(name: &str, v: &Value) -> Result<f64, String> {
    let p = num(name, v)?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{name} must be between 0 and 1; got {p}"))
    }
}

/// Applies one named setting.
pub fn apply(config: &mut SandboxConfig, name: &str, v: &Value) -> Result<(), String> {
    let known = SETTINGS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, _, _)| *n);
    let Some(name) = known else {
        let names: Vec<&str> = SETTINGS.iter().map(|(n, _, _)| *n).collect();
        return Err(format!(
            "unknown sandbox setting '{name}'; known settings: {}",
            names.join(", ")
        ));
    };
    let count = |v: &Value| -> Result<u64, String> {
        let n = num(name, v)?;
        if n < 0.0 || n.fract() != 0.0 {
            Err(format!(
                "{name} must be a whole number of at least 0; got {n}"
            ))
        } else {
            Ok(n as u64)
        }
    };
    match name {
        "TenantId" => config.tenant_id = Some(guid(name, v)?),
        "Domain" => config.domain = text(v),
        "ClientId" => config.client_id = Some(guid(name, v)?),
        "ClientSecret" => config.client_secret = Some(text(v)),
        "SeedUsers" => config.seed_users = count(v)? as usize,
        "Seed" => {
            if config.demo.is_some() {
                config.demo = Some(count(v)?);
            } else {
                count(v)?;
            }
        }
        "Empty" => {
            if flag(name, v)? {
                config.demo = None;
            } else if config.demo.is_none() {
                config.demo = Some(super::demo::DEFAULT_SEED);
            }
        }
        "TokenLifetimeSeconds" => config.token_lifetime = Duration::from_secs(count(v)?.max(1)),
        "RefreshTokenLifetimeSeconds" => {
            config.refresh_token_lifetime = Duration::from_secs(count(v)?)
        }
        "DeviceCodeIntervalSeconds" => config.device_code_interval = Duration::from_secs(count(v)?),
        "DeviceCodeExpirySeconds" => {
            config.device_code_expiry = Duration::from_secs(count(v)?.max(1))
        }
        "DeviceCodeSlowDown" => config.device_code_slow_down = count(v)? as u32,
        "MaxPageSize" => config.max_page_size = count(v)?.max(1) as usize,
        "DefaultPageSize" => config.default_page_size = count(v)?.max(1) as usize,
        "TapStartSkewSeconds" => config.tap_start_skew = Duration::from_secs(count(v)?),
        "LatencyMs" => config.faults.latency = Duration::from_millis(count(v)?),
        "RateLimit" => {
            let r = num(name, v)?;
            config.faults.rate_limit_ru_per_sec = (r > 0.0).then_some(r);
        }
        "Fault429" => config.faults.p429 = probability(name, v)?,
        "Fault503" => config.faults.p503 = probability(name, v)?,
        "FaultDrop" => config.faults.pdrop = probability(name, v)?,
        "FaultSeed" => config.faults.seed = count(v)?,
        "RetryAfter" => config.faults.retry_after_secs = count(v)?,
        "HeaderReadTimeoutSeconds" => config.header_read_timeout = seconds(name, v)?,
        "IdleTimeoutSeconds" => config.idle_timeout = seconds(name, v)?,
        "MaxConnections" => config.max_connections = count(v)?.max(1) as usize,
        _ => unreachable!("every setting is matched above"),
    }
    Ok(())
}

/// A configuration from a map of settings (the `-SandboxOptions` hashtable).
pub fn from_params(params: &Map<String, Value>) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    for (k, v) in params {
        apply(&mut config, k, v)?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_apply_by_name_and_reject_nonsense() {
        let c = from_params(
            json!({"seedusers": 10, "Fault429": 0.2, "LatencyMs": "100", "RateLimit": 200})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(c.seed_users, 10);
        let e = from_params(json!({"TenantId": "contoso"}).as_object().unwrap()).unwrap_err();
        assert!(e.contains("TenantId must be a GUID"), "{e}");
        assert_eq!(c.faults.p429, 0.2);
        assert_eq!(c.faults.latency, Duration::from_millis(100));
        assert_eq!(c.faults.rate_limit_ru_per_sec, Some(200.0));
        assert!(from_params(json!({"Fault429": 2}).as_object().unwrap())
            .unwrap_err()
            .contains("between 0 and 1"));
        assert!(from_params(json!({"Nope": 1}).as_object().unwrap())
            .unwrap_err()
            .contains("unknown sandbox setting"));
        assert!(from_params(json!({"SeedUsers": -1}).as_object().unwrap()).is_err());
        let c = from_params(
            json!({"HeaderReadTimeoutSeconds": 0.5, "IdleTimeoutSeconds": "2", "MaxConnections": 10})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_millis(500));
        assert_eq!(c.idle_timeout, Duration::from_secs(2));
        assert_eq!(c.max_connections, 10);
        assert!(
            from_params(json!({"IdleTimeoutSeconds": 0}).as_object().unwrap())
                .unwrap_err()
                .contains("above 0")
        );
    }
}
